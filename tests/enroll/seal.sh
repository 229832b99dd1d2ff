# hostgate seal: plain seeds become sealed ones (the rest of each file kept
# as it was), seed.key is created when missing, a second run changes
# nothing and says so, and a sealed seed copied to another user's name does
# not open for that user.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
command -v argon2 >/dev/null || { echo "ERROR: argon2 missing (run ./scripts/deps)"; exit 99; }

hash() {
	printf '%s' "$1" | argon2 "$(head -c 12 /dev/urandom | base64)" -id -t 1 -m 13 -p 1 -e
}

hg_user 'a pw'; a=$NEWUSER
hg_user 'b pw'; b=$NEWUSER
hg_user 'c pw'; c=$NEWUSER
seca=$(hg_secret)
secb=$(hg_secret)
rec=k7p2m9x4qd
echo $rec >> "$T/secrets"
rech=$(hash $rec)
hg_seed "$a" "$seca" "# kept comment" "recovery = $rech"
hg_seed "$b" "$secb" "digits = 8" "algorithm = sha256" "period = 30"

hgc seal
expect_rc 0 "seal"
expect_out cout "^Created the seed key $T/seed.key \(root 0400\)" "creates seed.key"
expect_out cout "^sealed $a$" "seals $a"
expect_out cout "^sealed $b$" "seals $b"
expect_out cout "^2 sealed, 0 already sealed, 0 failed\.$" "summary"
[ "$(mode_of "$T/seed.key")" = "400 0" ] && pass "seed.key root 0400" || fail "key mode"
for u in $a $b; do
	grep -q '^secret = sealed:' "$T/totp/$u" && pass "$u sealed" || fail "$u not sealed"
	[ "$(mode_of "$T/totp/$u")" = "600 0" ] && pass "$u root 0600" || fail "$u mode"
done
grep -qF "$seca" "$T/totp/$a" && fail "plain secret left" || pass "no plain secret left"
grep -qx '# kept comment' "$T/totp/$a" && grep -qxF "recovery = $rech" "$T/totp/$a" &&
    pass "other lines kept as they were" || fail "other lines changed"
grep -qx 'digits = 8' "$T/totp/$b" && grep -qx 'algorithm = sha256' "$T/totp/$b" &&
    pass "parameters kept" || fail "parameters changed"
ls "$T/totp" | grep -v -e "^$a\$" -e "^$b\$" && fail "stray files in secrets_dir" ||
    pass "no temporary files left"

hg_pam -a 'a pw' -a "$(hg_code "$seca")" hgtest "$a"
expect "auth: PAM_SUCCESS" "sealed seed logs in"
hg_pam -a 'a pw' -a "$rec" hgtest "$a"
expect "auth: PAM_SUCCESS" "its recovery code still works"
hg_pam -a 'b pw' -a "$(hg_code "$secb" "" --digits=8 --totp=SHA256)" hgtest "$b"
expect "auth: PAM_SUCCESS" "8-digit SHA256 sealed seed logs in"

# Idempotent: the second run changes nothing and says so.
before=$(cd "$T/totp" && sha256sum * ../seed.key)
hgc seal
expect_rc 0 "second seal"
expect_out cout "^Nothing to do: all 2 seeds in $T/totp are already sealed\.$" "says there is nothing to do"
expect_no_out cout "^sealed " "seals nothing"
[ "$(cd "$T/totp" && sha256sum * ../seed.key)" = "$before" ] &&
    pass "no file changed" || fail "files changed"

# A sealed seed copied to another user's name does not open.
cp -p "$T/totp/$a" "$T/totp/$c"
next=$(( $(date +%s) + 30 ))
hg_pam -T $next -a 'c pw' -a "$(hg_code "$seca" $next)" hgtest "$c"
expect_not "auth: PAM_SUCCESS" "copied seed: no login for $c"
expect_log "does not open for user '$c'" "logged as a seed that does not open"
hg_pam -T $next -a 'a pw' -a "$(hg_code "$seca" $next)" hgtest "$a"
expect "auth: PAM_SUCCESS" "the owner still logs in"
# seal reports it too, and seals the rest.
hg_user 'd pw'; d=$NEWUSER
secd=$(hg_secret)
hg_seed "$d" "$secd"
hgc seal
expect_rc 1 "seal with a seed that does not open"
expect_out cerr "$T/totp/$c.*does not open for user '$c'.*left as it is" "names the file"
expect_out cout "^sealed $d$" "the other plain seed is sealed anyway"
expect_out cout "^1 sealed, 2 already sealed, 1 failed\.$" "summary"
rm -f "$T/totp/$c"

# Refusals.
chmod 0440 "$T/seed.key"
hg_seed "$c" "$(hg_secret)"
hgc seal
expect_rc 1 "an untrusted seed.key"
expect_out cerr "seed.key: mode 0440 is too open" "says why"
grep -q '^secret = sealed:' "$T/totp/$c" && fail "sealed with an untrusted key" ||
    pass "nothing sealed"
chmod 0400 "$T/seed.key"
as_nobody "$HOSTGATE" --config "$T/hostgate.conf" seal
expect_rc 1 "non-root refused"
expect_out cerr "must be run as root" "says it needs root"
hgc seal extra
expect_rc 2 "an argument is a usage error"

hg_done
