#!/bin/sh
# Real SSH logins through the installed package: Debian's sshd (service
# "sshd", so /etc/pam.d/sshd with the hostgate profile enabled in
# common-*) on 127.0.0.1 and a free port with its own configuration and
# host key, and the real OpenSSH client on a pseudo-terminal answering
# "Password:" and "Verification code:" with oathtool's code.  Each case
# must leave its records in the journal of the running hostgated and the
# matching lines in syslog.
. "$top_srcdir/tests/e2e/lib.sh"
e2e_setup

build_pkg || { fail "dpkg-buildpackage"; e2e_done; }
install_deb "$DEB" || { fail "apt-get install $DEB"; e2e_done; }
pass "installed $(basename "$DEB")"

# --- people and policy ---------------------------------------------------------
e2e_user; ALICE=$NEWUSER ALICE_PW=$NEWPW	# password + code, allowed
e2e_seed "$ALICE"; ALICE_S=$NEWSECRET
e2e_user; BOB=$NEWUSER BOB_PW=$NEWPW		# a role denied sshd
e2e_seed "$BOB"; BOB_S=$NEWSECRET
e2e_user; CAROL=$NEWUSER			# key only; her rule wants mfa
e2e_user; DAVE=$NEWUSER				# key only; his rule does not

# Local services (cron, su) stay allowed for everyone while the profile is
# enabled; SSH logins are what the rules below decide.
write_policy "# tests/e2e/ssh.sh
role everyone = *
role sshers = $ALICE $DAVE
role mfaonly = $CAROL
role nossh = $BOB
allow everyone from=local
allow sshers service=sshd
allow mfaonly service=sshd mfa
deny nossh service=sshd"
check "hostgate check accepts the test policy" hostgate check >/dev/null
DENY_RULE=/etc/hostgate/policy.conf:9

for u in "$CAROL" "$DAVE"; do
	ssh_key "$u"
done

# --- the running system ------------------------------------------------------------
start_syslog
start_hostgated
check "pam-auth-update --enable hostgate" pam-auth-update --enable hostgate
start_sshd "$ALICE" "$BOB" "$CAROL" "$DAVE"

MARK=hostgate-e2e-$$-ran

# 1. alice, the right password and a wrong code.
s=$(last_seq)
HG_PASSWORD=$ALICE_PW HG_CODE=$(wrong_code "$ALICE_S") login "$ALICE" -- echo "$MARK"
show
expect_eq "wrong code: refused" "$RC" 255
check "wrong code: Permission denied" grep -q 'Permission denied' "$T/out"
check "wrong code: the command did not run" sh -c "! grep -q '$MARK' '$T/out'"
expect_record "wrong code" "$s" event=auth service=sshd user="$ALICE" \
    result=deny reason=bad-code
expect_no_record "wrong code: no session" "$s" user="$ALICE" event=session_open

# 2. alice, the right password and code: the command runs.
s=$(last_seq)
ALICE_CODE=$(code "$ALICE_S")
HG_PASSWORD=$ALICE_PW HG_CODE=$ALICE_CODE login "$ALICE" -- \
    sh -c "'echo $MARK; id -un'"
echo "    --- transcript: ssh -p $PORT $ALICE@127.0.0.1 (password and code are not echoed)"
show
expect_eq "password and code: ssh exits 0" "$RC" 0
check "password and code: the remote command's output came back" grep -qx "$MARK" "$T/out"
check "password and code: it ran as $ALICE" grep -qx "$ALICE" "$T/out"
expect_record "password and code: auth" "$s" event=auth service=sshd \
    user="$ALICE" result=allow reason=ok
expect_record "password and code: account" "$s" event=account service=sshd \
    user="$ALICE" result=allow reason=rule rule=/etc/hostgate/policy.conf:7
expect_record "password and code: session_open" "$s" event=session_open \
    service=sshd user="$ALICE"
expect_record "password and code: session_close" "$s" event=session_close \
    service=sshd user="$ALICE"
check "rhost is the client's address" sh -c \
    "grep '\"user\":\"$ALICE\"' $JOURNAL | grep -q '\"rhost\":\"127.0.0.1\"'"

# 3. The same code again: a replay.
s=$(last_seq)
HG_PASSWORD=$ALICE_PW HG_CODE=$ALICE_CODE login "$ALICE" -- echo "$MARK"
show
expect_eq "replayed code: refused" "$RC" 255
check "replayed code: the command did not run" sh -c "! grep -q '$MARK' '$T/out'"
expect_record "replayed code" "$s" event=auth service=sshd user="$ALICE" \
    result=deny reason=replayed-code

# 4. bob authenticates, but his role may not use sshd.
s=$(last_seq)
HG_PASSWORD=$BOB_PW HG_CODE=$(code "$BOB_S") login "$BOB" -- echo "$MARK"
show
expect_eq "role denied sshd: refused" "$RC" 255
check "role denied sshd: the command did not run" sh -c "! grep -q '$MARK' '$T/out'"
expect_record "role denied sshd: authenticated" "$s" event=auth service=sshd \
    user="$BOB" result=allow reason=ok
expect_record "role denied sshd: denied by the account phase" "$s" \
    event=account service=sshd user="$BOB" result=deny reason=rule \
    rule="$DENY_RULE"
expect_no_record "role denied sshd: no session" "$s" user="$BOB" event=session_open

# 5. carol, public key; her only rule wants mfa, which a key login lacks.
s=$(last_seq)
login "$CAROL" --key "$T/ssh/id_$CAROL" -- echo "$MARK"
show
expect_eq "key login, mfa rule: refused" "$RC" 255
check "key login, mfa rule: the command did not run" sh -c "! grep -q '$MARK' '$T/out'"
expect_record "key login, mfa rule: account" "$s" event=account \
    service=sshd user="$CAROL" result=deny reason=mfa-required
expect_no_record "key login: no auth phase ran" "$s" user="$CAROL" event=auth
expect_no_record "key login, mfa rule: no session" "$s" user="$CAROL" event=session_open

# 6. dave, public key; his rule does not want mfa.
s=$(last_seq)
login "$DAVE" --key "$T/ssh/id_$DAVE" -- echo "$MARK"
show
expect_eq "key login, plain rule: ssh exits 0" "$RC" 0
check "key login, plain rule: the command ran" grep -qx "$MARK" "$T/out"
expect_record "key login, plain rule: account" "$s" event=account \
    service=sshd user="$DAVE" result=allow reason=rule \
    rule=/etc/hostgate/policy.conf:7
expect_record "key login, plain rule: session_open" "$s" event=session_open \
    service=sshd user="$DAVE"
expect_record "key login, plain rule: session_close" "$s" event=session_close \
    service=sshd user="$DAVE"

# --- the whole record ------------------------------------------------------------
out=$(hostgate audit verify "$JOURNAL" 2>&1) && rc=0 || rc=$?
expect_eq "hostgate audit verify $JOURNAL: $out" "$rc" 0
no_secrets_logged
if [ "$FAILS" -ne 0 ]; then
	echo "---- sshd log:"; tail -40 "$T/ssh/sshd.log"
	echo "---- syslog:"; tail -40 "$T/syslog"
	echo "---- hostgated stderr:"; cat "$T/hostgated.err"
fi
e2e_done
