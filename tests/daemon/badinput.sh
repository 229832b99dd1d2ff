#!/bin/sh
# Hostile input on the socket: every malformed frame drops only its own
# client (logged once), never the daemon; a client that never completes a
# frame is dropped after the idle timeout; 1,000 idle connections do not
# stop a valid record from being acknowledged at once.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
hg_start

# quick DESCRIPTION: a valid record is acknowledged within a second.
quick() {
	local t0 t1 out
	t0=$(date +%s%N)
	out=$("$HGSEND" record "$SOCK" tty=probe) || true
	t1=$(date +%s%N)
	case $out in
	seq=*)
		if [ $(( (t1 - t0) / 1000000 )) -lt 1000 ]; then
			pass "$1: a valid record is still acked at once"
		else
			fail "$1: acked after $(( (t1 - t0) / 1000000 )) ms"
		fi ;;
	*)	fail "$1: a valid record got '$out'" ;;
	esac
}

# A client that sends part of a frame and then nothing: dropped when the
# idle timeout (5 s) passes.  Runs while the other cases do.
"$HGSEND" bad "$SOCK" partial > "$T/partial" &
partial=$!
PIDS="$PIDS $partial"

for kind in garbage oversized wire-max-plus-one zero-length truncated \
    trailing unknown-tag dup-tag nul bad-number long-field version \
    reply-type bad-type bad-event no-event decide-auth; do
	: > "$T/syslog"
	out=$("$HGSEND" bad "$SOCK" "$kind")
	case $out in
	"closed after "*) pass "$kind: the client is dropped" ;;
	*) fail "$kind: got '$out'" ;;
	esac
	n=$(grep -c "disconnecting" "$T/syslog" || true)
	expect_eq "$kind: logged once" "$n" 1
	check "$kind: the daemon is still up" kill -0 "$DPID"
	quick "$kind"
done

wait "$partial" || true
forget "$partial"
ms=$(sed -n 's/^closed after \([0-9]*\) ms$/\1/p' "$T/partial")
if [ -n "$ms" ] && [ "$ms" -ge 4500 ] && [ "$ms" -le 9000 ]; then
	pass "a half-sent frame: dropped after the idle timeout ($ms ms)"
else
	fail "a half-sent frame: got '$(cat "$T/partial")'"
fi

# 1,000 connections that send nothing, held for 7 s.
: > "$T/syslog"
"$HGSEND" idle "$SOCK" 1000 7 > "$T/idle" &
idle=$!
PIDS="$PIDS $idle"
for _ in $(seq 1 100); do
	grep -q '^open' "$T/idle" && break
	sleep 0.1
done
expect_eq "1,000 idle connections are accepted" "$(head -1 "$T/idle")" \
    "open 1000"
quick "with 1,000 idle connections open"
"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=root service=sshd > "$T/out" || true
check "with 1,000 idle connections open: a decision is answered" \
    grep -q "^seq=[0-9]* result=allow" "$T/out"
wait "$idle" || true
forget "$idle"
expect_eq "idle connections are closed after the timeout" \
    "$(tail -1 "$T/idle")" "closed 1000 of 1000"
n=$(sed -n 's/.*dropped \([0-9]*\) clients that sent no complete frame.*/\1/p' \
    "$T/syslog" | awk '{ n += $1 } END { print n + 0 }')
expect_eq "the idle drops are logged as counts, not a line each" "$n" 1000
quick "after the idle connections"

hg_stop
expect_eq "SIGTERM: exit 0" "$STOP_RC" 0
verify "$JOURNAL"
check "the journal verifies" grep -q "^ok [0-9]* records$" "$T/vout" || cat "$T/vout"
hg_done
