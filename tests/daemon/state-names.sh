#!/bin/sh
# hostgated's own files in state_dir (the chain's head, the forwarding
# cursor) have names that no user's state file can take: user names never
# start with '.'.  A user called "hostgated.head" or "forward.cursor" keeps
# their lockout state, untouched by the daemon, and files an older
# hostgated left under the old names are taken over once, at start-up.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup

# try_start: start hostgated-test; 0 once it accepts, 1 if it did not.
try_start() {
	env HG_SYSLOG="$T/syslog" "$HOSTGATED_TEST" \
	    --config "$T/hostgate.conf" 2>>"$T/daemon.err" &
	DPID=$!
	PIDS="$PIDS $DPID"
	"$HGSEND" wait "$SOCK" 5 >/dev/null && return 0
	hg_stop KILL 2>/dev/null || true
	return 1
}

# user_state NAME: a lockout state file of user NAME, as the module writes
# it (root, 0600, beside its lock).
user_state() {
	cat > "$T/state/$1" <<EOF
# hostgate lockout and replay state; see hostgate(8) status and unlock
version = 1
last_step = 59847600
last_success = 1795428000
total = 3 1795428000 0
source = 3 1795428000 0 10.1.2.3
EOF
	chmod 0600 "$T/state/$1"
	: > "$T/state/$1.lock"
	chmod 0600 "$T/state/$1.lock"
	cp "$T/state/$1" "$T/$1.saved"
}

# --- an anchor and a cursor left under the old names are taken over -------
hg_start
for i in 1 2; do
	"$HGSEND" record "$SOCK" tty="a$i" > /dev/null
done
hg_stop
# What an older hostgated would have left: "SEQ HASH" under the old name.
rm -f "$T/state/.hostgated.head" "$T/state/hostgated.head"
printf '2 %s\n' "$(jfield "$JOURNAL" 2 hash | tr -d '"')" \
    > "$T/state/hostgated.head"
printf 'seq = 2\n' > "$T/state/forward.cursor"
chmod 0600 "$T/state/hostgated.head" "$T/state/forward.cursor"
mv "$JOURNAL" "$JOURNAL.1"
hg_start
"$HGSEND" record "$SOCK" tty=b1 > "$T/out"
expect_eq "i9_14_old_anchor_migrated: the chain goes on from the old anchor" \
    "$(cut -d' ' -f1 "$T/out") $(jfield "$JOURNAL" 1 prev)" \
    "seq=3 $(jfield "$JOURNAL.1" 2 hash)"
check "i9_14_old_anchor_migrated: it is now .hostgated.head" \
    test -f "$T/state/.hostgated.head" -a ! -e "$T/state/hostgated.head"
check "i9_14_old_cursor_migrated: forward.cursor is now .forward.cursor" \
    sh -c "grep -qx 'seq = 2' '$T/state/.forward.cursor' &&
    test ! -e '$T/state/forward.cursor'"
hg_stop
expect_eq "i9_14_old_anchor_migrated: the head is saved under the new name" \
    "$(cut -d' ' -f1 "$T/state/.hostgated.head")" 3
verify "$JOURNAL.1" "$JOURNAL"
expect_eq "i9_14_old_anchor_migrated: both files verify as one chain" \
    "$(cat "$T/vout")" "ok 3 records"

# An old-named file that does not pass the checks is not taken over.
rm -f "$T/state/.forward.cursor"
printf 'seq = 9\n' > "$T/state/forward.cursor"
chmod 0666 "$T/state/forward.cursor"
hg_start
hg_stop
check "i9_14_old_cursor_untrusted: a world-writable old cursor stays" \
    test -e "$T/state/forward.cursor" -a ! -e "$T/state/.forward.cursor"
rm -f "$T/state/forward.cursor"

# --- users named like the daemon's files keep them -------------------------
rm -rf "$T/state"
mkdir -m 0700 "$T/state"
user_state hostgated.head
user_state forward.cursor
hg_start
"$HGSEND" record "$SOCK" tty=c0 > /dev/null
hg_stop
check "i9_14_user_named_like_anchor: not overwritten when hostgated stops" \
    cmp -s "$T/state/hostgated.head" "$T/hostgated.head.saved"
# A new journal takes its head from state_dir: not from the user's file.
rm -rf "$T/log" "$T/state/.hostgated.head"
mkdir "$T/log"
if try_start; then
	pass "i9_14_user_named_like_anchor: hostgated starts"
	"$HGSEND" record "$SOCK" tty=c1 > "$T/out"
	expect_eq "i9_14_user_named_like_anchor: a new journal starts at seq 1" \
	    "$(cut -d' ' -f1 "$T/out")" seq=1
	hg_stop
	expect_eq "i9_14_user_named_like_anchor: it exits 0" "$STOP_RC" 0
else
	fail "i9_14_user_named_like_anchor: hostgated starts"
	tail -3 "$T/daemon.err"
fi
check "i9_14_user_named_like_anchor: the user's state file is untouched" \
    cmp -s "$T/state/hostgated.head" "$T/hostgated.head.saved"
check "i9_14_user_named_like_cursor: the user's state file is untouched" \
    cmp -s "$T/state/forward.cursor" "$T/forward.cursor.saved"
check "i9_14_user_named_like_anchor: the head is kept as .hostgated.head" \
    sh -c "grep -q '^1 [0-9a-f]*\$' '$T/state/.hostgated.head'"
check "i9_14_user_named_like_cursor: nothing became .forward.cursor" \
    test ! -e "$T/state/.forward.cursor"

# "hostgate status" lists the two users, not the daemon's files.
mkdir -m 0700 "$T/totp"
echo "secrets_dir = $T/totp" >> "$T/hostgate.conf"
"$HOSTGATE" status --config "$T/hostgate.conf" > "$T/status" 2>&1 || true
cat "$T/status"
check "i9_14_status_ignores_daemon_files: the users are listed" \
    sh -c "grep -q '^hostgated.head ' '$T/status' &&
    grep -q '^forward.cursor ' '$T/status'"
check "i9_14_status_ignores_daemon_files: .hostgated.head is not" \
    sh -c "! grep -q '^\\.hostgated' '$T/status'"
hg_done
