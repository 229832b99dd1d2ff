#!/bin/sh
# hostgated as an unprivileged user (nobody), with writable directories of
# its own and a root-owned policy: it runs, its socket is 0600 and its
# own, root may submit anything, and a peer that is not root may submit
# records (and ask decisions) only about itself.  Another user cannot even
# connect.  The same rule holds for spool files, by their owner.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
NOBODY_UID=$(id -u nobody)
chown nobody:nogroup "$T/run" "$T/log" "$T/spool" "$T/state" "$T/syslog"
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups --"

rc=0
$AS_NOBODY "$HOSTGATED" -t --config "$T/hostgate.conf" > "$T/out" 2>&1 || rc=$?
expect_eq "-t as nobody: ok (the policy is root's, readable)" "$rc" 0

# Spool files from before the start: nobody's own, and root's (0600).
$AS_NOBODY "$HGSEND" spool "$T/spool" user=nobody tty=spooled-by-nobody
$AS_NOBODY "$HGSEND" spool "$T/spool" user=root tty=nobody-about-root
# root spools only into a directory of root's: made there, moved in.
mkdir -m 0700 "$T/rootspool"
"$HGSEND" spool "$T/rootspool" user=root tty=spooled-by-root
mv "$T"/rootspool/*.rec "$T/spool/"

HG_PREFIX=$AS_NOBODY
hg_start
HG_PREFIX=""
expect_eq "it runs as nobody" "$(ps -o user= -p "$DPID")" nobody
expect_eq "the socket is 0600 and nobody's" "$(stat -c '%a %U' "$SOCK")" \
    "600 nobody"

for _ in $(seq 1 30); do
	[ -s "$JOURNAL" ] && break
	sleep 0.1
done
expect_eq "nobody's spool file about nobody is journaled" \
    "$(jfield "$JOURNAL" 1 tty) $(jfield "$JOURNAL" 1 uid)" \
    "\"spooled-by-nobody\" $NOBODY_UID"
check "nobody's spool file about root is set aside" \
    sh -c "ls '$T/spool' | grep -q '\\.rec\\.bad$'"
expect_log "may not read; they stay" \
    "root's 0600 spool file, unreadable to nobody, stays and is logged"
check "... and it stays" test "$(ls "$T/spool" | grep -c '\.rec$')" = 1
expect_eq "the journal is nobody's, 0640" "$(stat -c '%a %U' "$JOURNAL")" \
    "640 nobody"

"$HGSEND" record "$SOCK" user=root tty=from-root > "$T/out"
expect_eq "root may submit anything" "$(cut -d' ' -f1 "$T/out")" seq=2
expect_eq "... recorded as uid 0" "$(jfield "$JOURNAL" 2 uid)" 0

rc=0
$AS_NOBODY "$HGSEND" record "$SOCK" user=nobody tty=self > "$T/out" || rc=$?
expect_eq "nobody may submit a record about nobody" \
    "$rc $(cut -d' ' -f1 "$T/out")" "0 seq=3"
expect_eq "... recorded with nobody's uid" "$(jfield "$JOURNAL" 3 uid)" \
    "$NOBODY_UID"

: > "$T/syslog"
rc=0
$AS_NOBODY "$HGSEND" record "$SOCK" user=root tty=forged > "$T/out" || rc=$?
expect_eq "nobody may not submit a record about root" "$rc" 3
expect_eq "... the reply says refused, without a seq" "$(cat "$T/out")" \
    "seq=0 result= pam= reason=refused rule="
expect_log "uid $NOBODY_UID may not submit a record about user \"root\": refused" \
    "... and it is logged"
check "... and not stored" sh -c "! grep -q forged '$JOURNAL'"
rc=0
$AS_NOBODY "$HGSEND" record "$SOCK" user= tty=anon > /dev/null || rc=$?
expect_eq "nobody may not submit a record without a user" "$rc" 3

rc=0
$AS_NOBODY "$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=nobody service=sshd > "$T/out" ||
    rc=$?
expect_eq "nobody may ask a decision about itself" "$(cat "$T/out")" \
    "seq=4 result=deny pam=PAM_PERM_DENIED reason=no-rule rule="
rc=0
$AS_NOBODY "$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=root service=sshd > "$T/out" ||
    rc=$?
expect_eq "... but not about root" "$rc $(cat "$T/out")" \
    "3 seq=0 result= pam= reason=refused rule="

hg_user
rc=0
setpriv --reuid="$NEWUSER" --regid=nogroup --clear-groups -- \
    "$HGSEND" record "$SOCK" user="$NEWUSER" > "$T/out" 2>&1 || rc=$?
check "another user cannot connect at all (mode 0600)" \
    grep -q "^no daemon: Permission denied" "$T/out"

hg_stop
expect_eq "SIGTERM: exit 0" "$STOP_RC" 0
check "the chain head is kept in state_dir, nobody's" \
    test "$(stat -c %U "$T/state/.hostgated.head")" = nobody
verify "$JOURNAL"
expect_eq "the journal verifies" "$(cat "$T/vout")" "ok 4 records"
hg_done
