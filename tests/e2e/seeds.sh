#!/bin/sh
# The life of a seed through the installed admin command and a real sshd:
# "hostgate enroll" on a terminal (its URI read back, its first code
# confirmed), a login with the enrolled (sealed) seed, a login with a
# recovery code, which then no longer works; a lockout from 127.0.0.1
# that "hostgate status" shows and "hostgate unlock" clears; and a plain
# imported seed that "hostgate seal" converts and that still logs in.
# The shipped policy is used as it is (everyone allowed).
. "$top_srcdir/tests/e2e/lib.sh"
e2e_setup

build_pkg || { fail "dpkg-buildpackage"; e2e_done; }
install_deb "$DEB" || { fail "apt-get install $DEB"; e2e_done; }
pass "installed $(basename "$DEB")"

e2e_user; GINA=$NEWUSER GINA_PW=$NEWPW		# enrolled; recovery codes
e2e_user; HANK=$NEWUSER HANK_PW=$NEWPW		# enrolled; locked out
e2e_user; IVY=$NEWUSER IVY_PW=$NEWPW		# a plain seed, then sealed
echo "lockout_deny = 3" >> /etc/hostgate/hostgate.conf

start_syslog
start_hostgated
check "pam-auth-update --enable hostgate" pam-auth-update --enable hostgate
start_sshd "$GINA" "$HANK" "$IVY"

# enroll USER: "hostgate enroll USER --qr none" on a pty; the secret in
# $SECRET, the recovery codes in $T/USER.recovery.
enroll() {
	local rc=0
	"$PY" "$E2E/enroll.py" "$1" "$T" --qr none > "$T/enroll.out" 2>&1 || rc=$?
	sed 's/^/    | /' "$T/enroll.out"
	SECRET=$(cat "$T/$1.secret" 2>/dev/null || true)
	{ echo "$SECRET"; cat "$T/$1.recovery"; tr -d - < "$T/$1.recovery"; } \
	    >> "$T/secrets" 2>/dev/null
	expect_eq "hostgate enroll $1 (confirmed with oathtool's code)" "$rc" 0
	[ -n "$SECRET" ]
}

MARK=hostgate-e2e-$$-ran
SEEDS=/etc/hostgate/totp

# --- enroll, log in with a code, with a recovery code ------------------------------
if enroll "$GINA"; then
	GINA_S=$SECRET
	expect_eq "the seed file is root's, 0600" \
	    "$(stat -c '%U %a' "$SEEDS/$GINA" 2>&1)" "root 600"
	check "the enrolled seed is sealed" grep -q '^secret *= *sealed:' "$SEEDS/$GINA"
	check "the secret is not in the seed file" sh -c "! grep -q '$GINA_S' '$SEEDS/$GINA'"
	expect_eq "the seed key is root's, 0400" \
	    "$(stat -c '%U %a' /etc/hostgate/seed.key 2>&1)" "root 400"
	NREC=$(wc -l < "$T/$GINA.recovery")
	check "enroll printed recovery codes ($NREC)" test "$NREC" -ge 2

	# The confirmation may have used this step: the next one.
	s=$(last_seq)
	HG_PASSWORD=$GINA_PW HG_CODE=$(code "$GINA_S" 30) login "$GINA" -- echo "$MARK"
	show
	expect_eq "enrolled seed: ssh exits 0" "$RC" 0
	check "enrolled seed: the command ran" grep -qx "$MARK" "$T/out"
	expect_record "enrolled seed: auth" "$s" event=auth service=sshd \
	    user="$GINA" result=allow reason=ok factors=totp

	REC=$(head -1 "$T/$GINA.recovery")
	s=$(last_seq)
	HG_PASSWORD=$GINA_PW HG_CODE=$REC login "$GINA" -- echo "$MARK"
	show
	expect_eq "recovery code: ssh exits 0" "$RC" 0
	expect_record "recovery code: auth" "$s" event=auth service=sshd \
	    user="$GINA" result=allow reason=ok factors=scratch
	expect_eq "the used recovery code left the seed file" \
	    "$(grep -c '^recovery *=' "$SEEDS/$GINA")" "$((NREC - 1))"
	s=$(last_seq)
	HG_PASSWORD=$GINA_PW HG_CODE=$REC login "$GINA" -- echo "$MARK"
	show
	expect_eq "the same recovery code again: refused" "$RC" 255
	expect_record "the same recovery code again: auth" "$s" event=auth \
	    service=sshd user="$GINA" result=deny
fi

# --- lockout, status, unlock -----------------------------------------------------------
if enroll "$HANK"; then
	HANK_S=$SECRET
	s=$(last_seq)
	for i in 1 2 3; do
		HG_PASSWORD=$HANK_PW HG_CODE=$(wrong_code "$HANK_S") login "$HANK" -- echo "$MARK"
	done
	expect_eq "three wrong codes: refused" "$RC" 255
	s2=$(last_seq)
	HG_PASSWORD=$HANK_PW HG_CODE=$(code "$HANK_S" 30) login "$HANK" -- echo "$MARK"
	show
	expect_eq "locked: the right code is refused too" "$RC" 255
	expect_record "locked" "$s2" event=auth service=sshd user="$HANK" \
	    result=deny reason=locked
	rc=0
	hostgate status "$HANK" > "$T/status.out" 2>&1 || rc=$?
	sed 's/^/    | /' "$T/status.out"
	expect_eq "hostgate status $HANK" "$rc" 0
	check "status shows the locked source 127.0.0.1" grep -q '127\.0\.0\.1' "$T/status.out"
	out=$(hostgate unlock "$HANK" 2>&1) && rc=0 || rc=$?
	echo "$out" | sed 's/^/    | /'
	expect_eq "hostgate unlock $HANK" "$rc" 0
	s=$(last_seq)
	HG_PASSWORD=$HANK_PW HG_CODE=$(code "$HANK_S" 30) login "$HANK" -- echo "$MARK"
	show
	expect_eq "unlocked: the right code logs in" "$RC" 0
	expect_record "unlocked: auth" "$s" event=auth service=sshd user="$HANK" \
	    result=allow reason=ok
fi

# --- a plain seed, sealed --------------------------------------------------------------
e2e_seed "$IVY"; IVY_S=$NEWSECRET
out=$(hostgate seal 2>&1) && rc=0 || rc=$?
echo "$out" | sed 's/^/    | /'
expect_eq "hostgate seal" "$rc" 0
check "the plain seed is sealed now" grep -q '^secret *= *sealed:' "$SEEDS/$IVY"
check "its secret is gone from the file" sh -c "! grep -q '$IVY_S' '$SEEDS/$IVY'"
s=$(last_seq)
HG_PASSWORD=$IVY_PW HG_CODE=$(code "$IVY_S") login "$IVY" -- echo "$MARK"
show
expect_eq "sealed seed: ssh exits 0" "$RC" 0
expect_record "sealed seed: auth" "$s" event=auth service=sshd user="$IVY" \
    result=allow reason=ok

out=$(hostgate audit verify "$JOURNAL" 2>&1) && rc=0 || rc=$?
expect_eq "hostgate audit verify $JOURNAL: $out" "$rc" 0
no_secrets_logged
if [ "$FAILS" -ne 0 ]; then
	echo "---- sshd log:"; tail -30 "$T/ssh/sshd.log"
	echo "---- syslog:"; grep -v 'hostgated\[' "$T/syslog" | tail -30
fi
e2e_done
