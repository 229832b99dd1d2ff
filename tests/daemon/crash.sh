#!/bin/sh
# Durability: a load generator sends 10,000 records (each with a unique id
# in its tty field) over 8 connections while hostgated is killed with
# SIGKILL at random moments, three times, and restarted.  The generator
# resends every record whose ack did not come, so a record whose ack was
# lost may be stored twice: that is allowed, and counted.  But every
# acknowledged record must be in the journal, at the seq its ack named;
# every record must be there at least once; seq must have no gap; and the
# journal must verify.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
hg_start -b "$HOSTGATED"

"$HGSEND" load "$SOCK" 8 10000 c "$T/acks" 120 > "$T/load" &
load=$!
PIDS="$PIDS $load"

# Kill points: a random line count in each third of the run.
kills=0
for k in 1 2 3; do
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	at=$(( (k - 1) * 3000 + 1000 + r % 2000 ))
	while kill -0 "$load" 2>/dev/null &&
	    [ "$(wc -l < "$T/log/audit.jsonl")" -lt "$at" ]; do
		sleep 0.01
	done
	if ! kill -0 "$load" 2>/dev/null; then
		echo "note: the load finished before kill $k"
		continue
	fi
	hg_stop KILL
	kills=$((kills + 1))
	echo "note: kill $k at $(wc -l < "$T/log/audit.jsonl") lines (aimed at $at)"
	hg_start -b "$HOSTGATED"
done
wait "$load" || true
forget "$load"
hg_stop
expect_eq "SIGTERM at the end: exit 0" "$STOP_RC" 0
if [ "$kills" -eq 3 ]; then
	pass "hostgated was killed $kills times under load"
else
	fail "the load was too quick: only $kills kills landed"
fi

check "every record was acknowledged in the end: $(cat "$T/load")" \
    grep -q "^acked 10000 of 10000" "$T/load"
verify "$JOURNAL"
check "the journal verifies (seq without gaps, chain intact): $(cat "$T/vout")" \
    grep -q "^ok [0-9]* records$" "$T/vout"
expect_eq "every acknowledged record is in the journal at its seq" \
    "$(acked_missing "$T/acks" "$JOURNAL")" 0
sed -n 's/.*"tty":"\(c-[0-9]*\)".*/\1/p' "$JOURNAL" | sort > "$T/ids"
expect_eq "every record is in the journal at least once" \
    "$(uniq "$T/ids" | wc -l)" 10000
dups=$(( $(wc -l < "$T/ids") - $(uniq "$T/ids" | wc -l) ))
echo "note: $dups records were stored twice (resent after a lost ack)"
recovered=$(grep -c "removed a partial last line" "$T/daemon.err" || true)
echo "note: $recovered restarts found a partial last line and cut it"
check "... and no more of them than there were resends" \
    test "$dups" -le "$(sed -n 's/.*resent \([0-9]*\),.*/\1/p' "$T/load")"
hg_done
