# Recovery (scratch) codes: argon2id hashes made by the argon2 tool (an
# independent implementation), single use, consumed atomically; ordinary
# wrong codes never reach the slow hash.  A recovery-form attempt runs one
# argon2id whatever the user has (i9_05): the codes of a seed share one salt.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
command -v argon2 >/dev/null || { echo "ERROR: argon2 missing (run ./scripts/test)"; exit 99; }

# salt: 16 random characters, which the argon2 tool takes as the salt bytes.
salt() {
	head -c 12 /dev/urandom | base64
}

# hash SALT CODE: an argon2id string as the seed file stores it.
hash() {
	printf '%s' "$2" | argon2 "$1" -id -t 1 -m 13 -p 1 -e
}

hg_user 'rec pw'; u=$NEWUSER
sec=$(hg_secret)
r1=k7p2m9x4qd; r2=a3b4c5d6e7; r3=zz9yy8xx7w
printf '%s\n' $r1 $r2 $r3 >> "$T/secrets"
s=$(salt)
hg_seed "$u" "$sec" "recovery = $(hash $s $r1)" "recovery = $(hash $s $r2)" "recovery = $(hash $s $r3)"
before=$(grep -c '^recovery = ' "$T/totp/$u")

hg_pam -a 'rec pw' -a "$r2" hgtest "$u"
expect "auth: PAM_SUCCESS" "recovery code accepted"
expect "work: crypt=1 pwhash=1" "i9_05: a right recovery code costs one argon2id"
expect_log 'factors="password,scratch"' "scratch factor recorded"
[ "$(grep -c '^recovery = ' "$T/totp/$u")" = $((before - 1)) ] && pass "one recovery line consumed" || fail "recovery line not consumed"
[ "$(stat -c '%a %u' "$T/totp/$u")" = "600 0" ] && pass "seed file kept root 0600" || fail "seed file mode changed"
grep -q "^secret = $sec\$" "$T/totp/$u" && pass "secret line kept" || fail "secret line lost"

hg_pam -a 'rec pw' -a "$r2" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "the same recovery code a second time"

hg_pam -a 'rec pw' -a "$(echo ${r1:0:5}-${r1:5} | tr a-z A-Z)" hgtest "$u"
expect "auth: PAM_SUCCESS" "recovery code typed in capitals with a dash"

hg_pam -a 'rec pw' -a wrongcode1 hgtest "$u"
expect "auth: PAM_AUTH_ERR" "wrong recovery code"
expect "work: crypt=1 pwhash=1" "i9_05: a wrong recovery code costs one argon2id"

# A wrong six-digit code is checked by TOTP only: no argon2 work at all.
hg_pam -a 'rec pw' -a 123456 hgtest "$u"
expect "auth: PAM_AUTH_ERR" "wrong ordinary code"
expect "work: crypt=1 pwhash=0" "a wrong ordinary code runs no slow hash"

# Unknown users do the same work for a recovery-form code.
hg_pam -a 'rec pw' -a wrongcode1 hgtest "nosuch$$"
expect "work: crypt=1 pwhash=1" "i9_05: unknown user: the same one argon2id"

# A wrong password with a valid recovery code consumes nothing.
hg_pam -a 'not it' -a "$r3" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "valid recovery code, wrong password"
grep -c '^recovery = ' "$T/totp/$u" | grep -qx 1 && pass "code not consumed by a failed login" || fail "a failed login consumed a code"
hg_pam -a 'rec pw' -a "$r3" hgtest "$u"
expect "auth: PAM_SUCCESS" "last recovery code still works"
grep -q '^recovery' "$T/totp/$u" && fail "recovery lines left" || pass "all recovery codes used up"

# Concurrent use of one recovery code: exactly one login succeeds.
r4=q1w2e3r4t5
echo $r4 >> "$T/secrets"
hg_seed "$u" "$sec" "recovery = $(hash $(salt) $r4)"
for i in 1 2 3 4 5 6; do
	HG_SYSLOG="$T/race.log" "$HGPAM" -c "$T/pam.d" -r "10.8.0.$i" \
	    -a 'rec pw' -a "$r4" hgtest "$u" > "$T/race.$i" 2>&1 &
done
wait
cat "$T/race.log" >> "$T/syslog"
ok=$(cat "$T/race".[0-9]* | grep -c '^auth: PAM_SUCCESS$' || true)
[ "$ok" = 1 ] && pass "6 concurrent logins with one recovery code: 1 success" || fail "$ok successes with one recovery code"

# --- i9_05: the work does not tell what the user has -----------------------

# 0, 1, 5 and 32 codes under one salt: one argon2id, right code or wrong.
s=$(salt)
lines=""
for i in $(seq 1 32); do
	c=$(printf 'rc%08d' $i)
	echo $c >> "$T/secrets"
	lines="$lines
recovery = $(hash $s $c)"
done
for n in 0 1 5 32; do
	hg_seed "$u" "$sec" "$(echo "$lines" | sed 1d | head -n $n)"
	[ "$(grep -c '^recovery = ' "$T/totp/$u")" = $n ] || fail "i9_05: seed with $n codes not written"
	hg_pam -a 'rec pw' -a wrongcode1 hgtest "$u"
	expect "auth: PAM_AUTH_ERR" "i9_05: $n codes, wrong code refused"
	expect "work: crypt=1 pwhash=1" "i9_05: $n codes, wrong code: one argon2id"
	[ $n = 0 ] && continue
	hg_pam -a 'rec pw' -a "$(printf 'rc%08d' $n)" hgtest "$u"
	expect "auth: PAM_SUCCESS" "i9_05: $n codes, the last one accepted"
	expect "work: crypt=1 pwhash=1" "i9_05: $n codes, right code: one argon2id"
	[ "$(grep -c '^recovery = ' "$T/totp/$u")" = $((n - 1)) ] &&
	    pass "i9_05: $n codes, the used one removed" || fail "i9_05: $n codes, not removed"
done

# A known user without a seed (totp=required, then optional).
hg_user 'noseed pw'; v=$NEWUSER
hg_pam -a 'noseed pw' -a wrongcode1 hgtest "$v"
expect "auth: PAM_AUTH_ERR" "i9_05: seedless user refused (totp=required)"
expect "work: crypt=1 pwhash=1" "i9_05: seedless user: one argon2id"
hg_conf "totp = optional"
hg_pam -a 'noseed pw' -a wrongcode1 hgtest "$v"
expect "work: crypt=1 pwhash=1" "i9_05: seedless user, totp=optional: one argon2id"
hg_conf ""

# A seed written before codes shared a salt keeps its codes: one argon2id
# per distinct salt (at most 32), until the codes are made anew.
o1=m3n4b5v6c7; o2=p9o8i7u6y5
printf '%s\n' $o1 $o2 >> "$T/secrets"
hg_seed "$u" "$sec" "recovery = $(hash $(salt) $o1)" "recovery = $(hash $(salt) $o2)"
hg_pam -a 'rec pw' -a "$o2" hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_05: a code of an older seed (a salt per code) still works"
expect "work: crypt=1 pwhash=2" "i9_05: older seed: one argon2id per salt"
hg_pam -a 'rec pw' -a "$o2" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "i9_05: older seed: the code worked once"

# Round trip: codes made by enroll share one salt, cost one hash, work once.
hgc enroll "$u" --no-confirm --qr none --force --recovery 32
expect_rc 0 "i9_05: enroll with 32 recovery codes"
codes=$(recovery_codes)
[ "$(grep '^recovery = ' "$T/totp/$u" | sed 's/\$[^$]*$//' | sort -u | wc -l)" = 1 ] &&
    pass "i9_05: enroll: 32 codes under one salt" || fail "i9_05: enroll: codes under several salts"
c=$(echo "$codes" | sed -n 17p)
hg_pam -a 'rec pw' -a wrongcode1 hgtest "$u"
expect "work: crypt=1 pwhash=1" "i9_05: enrolled seed, wrong code: one argon2id"
hg_pam -a 'rec pw' -a "$c" hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_05: an enrolled code logs in"
expect "work: crypt=1 pwhash=1" "i9_05: enrolled seed, right code: one argon2id"
hg_pam -a 'rec pw' -a "$c" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "i9_05: an enrolled code works once"
[ "$(grep -c '^recovery = ' "$T/totp/$u")" = 31 ] && pass "i9_05: enrolled code removed" ||
    fail "i9_05: enrolled code not removed"

# Round trip: google-authenticator scratch codes imported under one salt.
hgc import --google-authenticator "$IMPORT_DATA/ga-scratch" --user "$u" --force
expect_rc 0 "i9_05: import scratch codes"
head -1 "$IMPORT_DATA/ga-scratch" >> "$T/secrets"
[ "$(grep '^recovery = ' "$T/totp/$u" | sed 's/\$[^$]*$//' | sort -u | wc -l)" = 1 ] &&
    pass "i9_05: import: 5 codes under one salt" || fail "i9_05: import: codes under several salts"
hg_pam -a 'rec pw' -a 45678901 hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_05: an imported scratch code logs in"
expect "work: crypt=1 pwhash=1" "i9_05: imported seed, right code: one argon2id"
hg_pam -a 'rec pw' -a 45678901 hgtest "$u"
expect "auth: PAM_AUTH_ERR" "i9_05: an imported scratch code works once"
expect "work: crypt=1 pwhash=1" "i9_05: imported seed, used code: one argon2id"

hg_done
