#!/bin/sh
# Signals.  SIGHUP after "mv audit.jsonl audit.jsonl.1": new records go to
# a new audit.jsonl whose first record chains to the old file's last, and
# the policy is reloaded.  A restart right after a rotation goes on from
# the chain's head.  SIGTERM under load: what was received is acknowledged,
# the daemon exits 0, and every acknowledged record is in the journal.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
J=$JOURNAL
hg_start
for i in 1 2 3 4 5; do
	"$HGSEND" record "$SOCK" tty="a$i" > /dev/null
done

mv "$J" "$J.1"
: > "$T/syslog"
kill -HUP "$DPID"
for _ in $(seq 1 50); do
	grep -q "reopened" "$T/syslog" && break
	sleep 0.1
done
expect_log "reopened $J at seq 5" "SIGHUP: the journal is reopened"
expect_log "loaded: 1 files" "SIGHUP: the policy is reloaded"
"$HGSEND" record "$SOCK" tty=b1 > "$T/out"
expect_eq "after the rotation seq goes on" "$(cut -d' ' -f1 "$T/out")" seq=6
expect_eq "... in a new file" "$(wc -l < "$J") $(wc -l < "$J.1")" "1 5"
expect_eq "... whose first record chains to the old file's last" \
    "$(jfield "$J" 1 prev)" "$(jfield "$J.1" 5 hash)"
expect_eq "the new file is 0640" "$(stat -c %a "$J")" 640
verify "$J.1" "$J"
expect_eq "both files verify as one chain" "$(cat "$T/vout")" \
    "ok 6 records"
verify "$J"
check "the new file alone verifies, noting where it starts" \
    sh -c "grep -q 'starts at seq 6' '$T/vout' && grep -q '^ok 1 records$' '$T/vout'"
verify "$J" "$J.1"
expect_eq "in the wrong order they do not" "$VRC" 1

# SIGHUP without a rotation changes nothing.
kill -HUP "$DPID"
sleep 0.3
"$HGSEND" record "$SOCK" tty=b2 > /dev/null
expect_eq "SIGHUP without a rotation: the same file" "$(wc -l < "$J")" 2

# Rotated, and stopped before any new record: the chain goes on after a
# restart from the head kept in state_dir.
mv "$J" "$J.2"
kill -HUP "$DPID"
sleep 0.3
hg_stop
expect_eq "SIGTERM: exit 0" "$STOP_RC" 0
hg_start
"$HGSEND" record "$SOCK" tty=c1 > "$T/out"
expect_eq "a restart after a rotation: seq goes on" \
    "$(cut -d' ' -f1 "$T/out")" seq=8
expect_eq "... chained to the rotated file's last record" \
    "$(jfield "$J" 1 prev)" "$(jfield "$J.2" 2 hash)"
verify "$J.1" "$J.2" "$J"
expect_eq "all three files verify as one chain" "$(cat "$T/vout")" \
    "ok 8 records"

# SIGTERM in the middle of a load: the daemon acknowledges what it has and
# exits 0; the load generator resends the rest to the next instance.
"$HGSEND" load "$SOCK" 8 3000 term "$T/acks" 60 > "$T/load" &
load=$!
PIDS="$PIDS $load"
sleep 0.5
hg_stop TERM
expect_eq "SIGTERM under load: exit 0" "$STOP_RC" 0
expect_log "terminating at seq" "SIGTERM: logged"
hg_start
wait "$load" || true
forget "$load"
check "the load finished: $(cat "$T/load")" grep -q "^acked 3000 of 3000" \
    "$T/load"
hg_stop
expect_eq "every acknowledged record is in the journal at its seq" \
    "$(acked_missing "$T/acks" "$J.1" "$J.2" "$J")" 0
verify "$J.1" "$J.2" "$J"
check "the journals verify: $(cat "$T/vout")" grep -q "^ok [0-9]* records$" \
    "$T/vout"
hg_done
