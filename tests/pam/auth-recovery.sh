# Recovery (scratch) codes: argon2id hashes made by the argon2 tool (an
# independent implementation), single use, consumed atomically; ordinary
# wrong codes never reach the slow hash.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
command -v argon2 >/dev/null || { echo "ERROR: argon2 missing (run ./scripts/test)"; exit 99; }

# hash CODE: an argon2id string as the seed file stores it.
hash() {
	printf '%s' "$1" | argon2 "$(head -c 12 /dev/urandom | base64)" -id -t 1 -m 13 -p 1 -e
}

hg_user 'rec pw'; u=$NEWUSER
sec=$(hg_secret)
r1=k7p2m9x4qd; r2=a3b4c5d6e7; r3=zz9yy8xx7w
printf '%s\n' $r1 $r2 $r3 >> "$T/secrets"
hg_seed "$u" "$sec" "recovery = $(hash $r1)" "recovery = $(hash $r2)" "recovery = $(hash $r3)"
before=$(grep -c '^recovery = ' "$T/totp/$u")

hg_pam -a 'rec pw' -a "$r2" hgtest "$u"
expect "auth: PAM_SUCCESS" "recovery code accepted"
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
expect "work: crypt=1 pwhash=5" "a recovery-form code costs a fixed number of hashes"

# A wrong six-digit code is checked by TOTP only: no argon2 work at all.
hg_pam -a 'rec pw' -a 123456 hgtest "$u"
expect "auth: PAM_AUTH_ERR" "wrong ordinary code"
expect "work: crypt=1 pwhash=0" "a wrong ordinary code runs no slow hash"

# Unknown users do the same work for a recovery-form code.
hg_pam -a 'rec pw' -a wrongcode1 hgtest "nosuch$$"
expect "work: crypt=1 pwhash=5" "unknown user: same recovery work"

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
hg_seed "$u" "$sec" "recovery = $(hash $r4)"
for i in 1 2 3 4 5 6; do
	HG_SYSLOG="$T/race.log" "$HGPAM" -c "$T/pam.d" -r "10.8.0.$i" \
	    -a 'rec pw' -a "$r4" hgtest "$u" > "$T/race.$i" 2>&1 &
done
wait
cat "$T/race.log" >> "$T/syslog"
ok=$(cat "$T/race".[0-9]* | grep -c '^auth: PAM_SUCCESS$' || true)
[ "$ok" = 1 ] && pass "6 concurrent logins with one recovery code: 1 success" || fail "$ok successes with one recovery code"

hg_done
