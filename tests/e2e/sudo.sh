#!/bin/sh
# Real sudo through the installed package (/etc/pam.d/sudo includes
# common-*, where the hostgate profile is enabled): a user runs
# "sudo -S -k true" and answers the password and the verification code on
# standard input.  The journal of the running hostgated and syslog must
# show every decision and the session.
. "$top_srcdir/tests/e2e/lib.sh"
e2e_setup

build_pkg || { fail "dpkg-buildpackage"; e2e_done; }
install_deb "$DEB" || { fail "apt-get install $DEB"; e2e_done; }
pass "installed $(basename "$DEB")"

e2e_user; ALICE=$NEWUSER ALICE_PW=$NEWPW	# may use sudo
e2e_seed "$ALICE"; ALICE_S=$NEWSECRET
e2e_user; ERIN=$NEWUSER ERIN_PW=$NEWPW		# her role may not
e2e_seed "$ERIN"; ERIN_S=$NEWSECRET

write_policy "# tests/e2e/sudo.sh
role everyone = *
role nosudo = $ERIN
allow everyone from=local
deny nosudo service=sudo"
check "hostgate check accepts the test policy" hostgate check >/dev/null

# sudoers lets both run anything: the policy is what tells them apart.
SUDOERS_FILE=/etc/sudoers.d/hostgate-e2e-$$
cat > "$SUDOERS_FILE.tmp" <<EOF
Defaults:$ALICE, $ERIN lecture=never
$ALICE ALL=(ALL) ALL
$ERIN ALL=(ALL) ALL
EOF
chmod 0440 "$SUDOERS_FILE.tmp"
visudo -cqf "$SUDOERS_FILE.tmp" || { fail "visudo rejects the test sudoers"; e2e_done; }
mv "$SUDOERS_FILE.tmp" "$SUDOERS_FILE"

start_syslog
start_hostgated
check "pam-auth-update --enable hostgate" pam-auth-update --enable hostgate

# as_sudo USER PASSWORD CODE: "sudo -S -k true" as USER, with the answers
# on its standard input; output in $T/out, status in $RC.
as_sudo() {
	RC=0
	printf '%s\n%s\n' "$2" "$3" |
	    setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups -- \
	    sudo -S -k true > "$T/out" 2>&1 || RC=$?
	echo >> "$T/out"
	sed 's/^/    | /' "$T/out"
}

s=$(last_seq)
as_sudo "$ALICE" "$ALICE_PW" "$(wrong_code "$ALICE_S")"
check "wrong code: sudo fails" test "$RC" -ne 0
expect_record "wrong code" "$s" event=auth service=sudo user="$ALICE" \
    result=deny reason=bad-code
expect_no_record "wrong code: no session" "$s" ruser="$ALICE" event=session_open

s=$(last_seq)
ALICE_CODE=$(code "$ALICE_S")
as_sudo "$ALICE" "$ALICE_PW" "$ALICE_CODE"
expect_eq "password and code: sudo -S -k true succeeds" "$RC" 0
check "password and code: sudo asked for the code" grep -q 'Verification code:' "$T/out"
expect_record "password and code: auth" "$s" event=auth service=sudo \
    user="$ALICE" result=allow reason=ok
expect_record "password and code: account" "$s" event=account service=sudo \
    user="$ALICE" result=allow reason=rule rule=/etc/hostgate/policy.conf:4
# sudo opens the session for the target user, root; ruser is the caller.
expect_record "password and code: session_open" "$s" event=session_open \
    service=sudo user=root ruser="$ALICE"
expect_record "password and code: session_close" "$s" event=session_close \
    service=sudo user=root ruser="$ALICE"

s=$(last_seq)
as_sudo "$ALICE" "$ALICE_PW" "$ALICE_CODE"
check "replayed code: sudo fails" test "$RC" -ne 0
expect_record "replayed code" "$s" event=auth service=sudo user="$ALICE" \
    result=deny reason=replayed-code

s=$(last_seq)
as_sudo "$ERIN" "$ERIN_PW" "$(code "$ERIN_S")"
check "role denies sudo: sudo refuses" test "$RC" -ne 0
expect_record "role denies sudo: authenticated" "$s" event=auth service=sudo \
    user="$ERIN" result=allow reason=ok
expect_record "role denies sudo: denied by the account phase" "$s" \
    event=account service=sudo user="$ERIN" result=deny reason=rule \
    rule=/etc/hostgate/policy.conf:5
expect_no_record "role denies sudo: no session" "$s" ruser="$ERIN" event=session_open
check "sudo logged the refusal itself" grep -q "sudo.*$ERIN" "$T/syslog"

out=$(hostgate audit verify "$JOURNAL" 2>&1) && rc=0 || rc=$?
expect_eq "hostgate audit verify $JOURNAL: $out" "$rc" 0
no_secrets_logged
if [ "$FAILS" -ne 0 ]; then
	echo "---- syslog:"; tail -40 "$T/syslog"
	echo "---- hostgated stderr:"; cat "$T/hostgated.err"
fi
e2e_done
