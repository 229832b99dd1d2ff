# hostgate import: google-authenticator files (options, scratch codes, an
# HOTP file refused) and a pam_oath users file with mixed lines; the
# imported users log in through the real PAM stack with oathtool's codes,
# and a migrated scratch code works exactly once.  PINs never come out.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
# import trusts only root's files that others cannot write (import-trust.sh):
# work on copies, whoever owns the checkout and whatever its umask.
D=$T/data
mkdir "$D"
cp "$IMPORT_DATA"/* "$D"
chmod 0644 "$D"/*
# The fixtures' secrets are secrets of this test too.
for f in "$D"/ga-*; do head -1 "$f" >> "$T/secrets"; done
echo s3cr3t-pin >> "$T/secrets"

# --- google-authenticator ---------------------------------------------------

hg_user 'ga pw'; g1=$NEWUSER
hgc import --google-authenticator "$D/ga-plain" --user "$g1"
expect_rc 0 "import a google-authenticator file"
expect_out cout "^$g1: imported from .*ga-plain: TOTP, SHA1, 6 digits, 30 s period, 0 scratch codes as recovery codes \(plain base32; 'hostgate seal' seals it\)\.$" "reports what it imported"
[ "$(mode_of "$T/totp/$g1")" = "600 0" ] && pass "seed root 0600" || fail "seed mode"
grep -qx 'secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' "$T/totp/$g1" &&
    pass "no seed.key: written as plain base32" || fail "secret line"
[ -e "$T/seed.key" ] && fail "import created seed.key" || pass "import creates no key"
hg_pam -a 'ga pw' -a "$(hg_code GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ)" hgtest "$g1"
expect "auth: PAM_SUCCESS" "imported user logs in with oathtool's code"

hg_user 'scratch pw'; g2=$NEWUSER
hgc import --google-authenticator "$D/ga-scratch" --user "$g2"
expect_rc 0 "import with options and scratch codes"
expect_out cout "5 scratch codes as recovery codes" "5 scratch codes migrated"
expect_out cout "WINDOW_SIZE 17 is not carried over: hostgate accepts totp_window = 1 step" "WINDOW_SIZE reported"
expect_out cout "RATE_LIMIT is not carried over" "RATE_LIMIT reported"
expect_out cout "DISALLOW_REUSE needs no setting" "DISALLOW_REUSE reported"
[ "$(grep -c '^recovery = \$argon2id\$' "$T/totp/$g2")" = 5 ] &&
    pass "5 argon2id hashes" || fail "recovery lines"
grep -q 23456789 "$T/totp/$g2" && fail "scratch code stored in clear" ||
    pass "scratch codes not stored in clear"
hg_pam -a 'scratch pw' -a 23456789 hgtest "$g2"
expect "auth: PAM_SUCCESS" "a migrated 8-digit scratch code logs in"
expect_log 'factors="password,scratch"' "as the scratch factor"
hg_pam -a 'scratch pw' -a 23456789 hgtest "$g2"
expect "auth: PAM_AUTH_ERR" "the same scratch code a second time"
hg_pam -a 'scratch pw' -a 99999999 hgtest "$g2"
expect "auth: PAM_AUTH_ERR" "an 8-digit code that was never a scratch code"
[ "$(grep -c '^recovery = ' "$T/totp/$g2")" = 4 ] && pass "4 scratch codes left" ||
    fail "recovery lines left"
hg_pam -a 'scratch pw' -a "$(hg_code JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)" hgtest "$g2"
expect "auth: PAM_SUCCESS" "and the TOTP code works"

hg_user 'step pw'; g3=$NEWUSER
hgc import --google-authenticator "$D/ga-step60" --user "$g3"
expect_rc 0 "import with STEP_SIZE 60"
grep -qx 'period = 60' "$T/totp/$g3" && pass "STEP_SIZE -> period = 60" || fail "period"
hg_pam -a 'step pw' -a "$(hg_code KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU "" -s 60)" hgtest "$g3"
expect "auth: PAM_SUCCESS" "60 s codes log in"
hg_pam -a 'step pw' -a 87654321 hgtest "$g3"
expect "auth: PAM_SUCCESS" "its scratch code logs in"

hg_user 'hotp pw'; g4=$NEWUSER
hgc import --google-authenticator "$D/ga-hotp" --user "$g4"
expect_rc 1 "an HOTP (HOTP_COUNTER) file is refused"
expect_out cerr "ga-hotp:2: HOTP_COUNTER: .*event-based \(HOTP\).*TOTP-only" "says why, with file:line"
[ -e "$T/totp/$g4" ] && fail "HOTP file imported" || pass "nothing written"
hgc import --google-authenticator "$D/ga-bad" --user "$g4"
expect_rc 1 "a malformed file is refused"
expect_out cerr "ga-bad:3: neither an option" "names the line"
[ -e "$T/totp/$g4" ] && fail "malformed file imported" || pass "nothing written"

sum=$(sha256sum < "$T/totp/$g1")
hgc import --google-authenticator "$D/ga-scratch" --user "$g1"
expect_rc 1 "an existing seed is kept without --force"
expect_out cerr "already has a seed.*--force" "says so"
[ "$(sha256sum < "$T/totp/$g1")" = "$sum" ] && pass "seed unchanged" || fail "seed changed"
hgc import --google-authenticator "$D/ga-scratch" --user "$g1" --force
expect_rc 0 "--force replaces it"
hgc import --google-authenticator "$D/ga-plain"
expect_rc 2 "--google-authenticator without --user"
hgc import --google-authenticator "$D/ga-plain" --oath "$D/users.oath.in" --user "$g1"
expect_rc 2 "both sources at once"
hgc import --google-authenticator "$D/nosuch" --user "$g1" --force
expect_rc 1 "a missing file"
hgc import --google-authenticator "$D/ga-plain" --user "nosuch$$"
expect_rc 1 "an unknown user"
ln -s "$D/ga-plain" "$T/link"
hgc import --google-authenticator "$T/link" --user "$g4"
expect_rc 1 "a symbolic link is not followed"
as_nobody "$HOSTGATE" --config "$T/hostgate.conf" import \
    --google-authenticator "$D/ga-plain" --user "$g4"
expect_rc 1 "non-root refused"
expect_out cerr "must be run as root" "says it needs root"

# --- pam_oath users file ------------------------------------------------------

hg_user 'o1 pw'; u1=$NEWUSER
hg_user 'o2 pw'; u2=$NEWUSER
hg_user 'o3 pw'; u3=$NEWUSER
hg_user 'o4 pw'; u4=$NEWUSER
hg_user 'o5 pw'; u5=$NEWUSER
hg_user 'o6 pw'; u6=$NEWUSER
sed -e "s/@U1@/$u1/" -e "s/@U2@/$u2/" -e "s/@U3@/$u3/" -e "s/@U4@/$u4/" \
    -e "s/@U5@/$u5/" -e "s/@U6@/$u6/" "$D/users.oath.in" > "$T/users.oath"
chmod 0600 "$T/users.oath"
awk '!/^#/ { print $4 }' "$T/users.oath" >> "$T/secrets"
hgc import --oath "$T/users.oath"
expect_rc 1 "mixed users file: imported what it could, exit 1 for the rest"
expect_out cout "^3 imported, 8 skipped\.$" "3 imported, 8 skipped"
F="$T/users.oath"
expect_out cout "^$u1: imported from $F:3: TOTP, SHA1, 6 digits, 30 s period" "HOTP/T30"
expect_out cout "^$u2: imported from $F:4: TOTP, SHA1, 8 digits, 30 s period" "HOTP/T30/8"
expect_out cout "^$u3: imported from $F:5: TOTP, SHA1, 6 digits, 60 s period" "HOTP/T60"
expect_out cerr "^hostgate: import: $F:6: $u4: HOTP tokens are event-based \(HOTP\), and hostgate is TOTP-only; skipped" "event HOTP skipped with file:line"
expect_out cerr "^hostgate: import: $F:7: $u5: HOTP/T30/7 tokens have 7-digit codes, hostgate seeds 6 or 8; skipped" "7 digits skipped with file:line"
expect_out cerr "^hostgate: import: $F:8: $u4: HOTP/E/8 tokens are event-based" "HOTP/E/8 skipped"
expect_out cerr "^hostgate: import: $F:9: unknown token type 'TOTP'; skipped" "unknown type skipped"
expect_out cerr "^hostgate: import: $F:10: $u1: a second token \(the first is on line 3\)" "second token skipped"
expect_out cerr "^hostgate: import: $F:11: hgnosuchuser: no such user \(not known to NSS\); skipped" "unknown user skipped"
expect_out cerr "^hostgate: import: $F:12: $u6: the secret has 4 bytes" "short secret skipped"
expect_out cerr "^hostgate: import: $F:13: $u6: the secret is not hex" "bad hex skipped"
for f in cout cerr; do
	grep -q s3cr3t-pin "$T/$f" && fail "the PIN appears in $f" || pass "no PIN in $f"
done
grep -rq s3cr3t-pin "$T/totp" && fail "the PIN was stored" || pass "no PIN stored"
for u in $u4 $u5 $u6; do
	[ -e "$T/totp/$u" ] && fail "$u imported from a skipped line"
done
pass "skipped lines wrote nothing"

HEX20=3132333435363738393031323334353637383930
HEX32=3132333435363738393031323334353637383930313233343536373839303132
HEX64=31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334
oathcode() {
	local c
	c=$(oathtool --totp "$@")
	echo "$c" >> "$T/secrets"
	echo "$c"
}
hg_pam -a 'o1 pw' -a "$(oathcode $HEX20)" hgtest "$u1"
expect "auth: PAM_SUCCESS" "HOTP/T30 user logs in"
hg_pam -a 'o2 pw' -a "$(oathcode -d 8 $HEX32)" hgtest "$u2"
expect "auth: PAM_SUCCESS" "HOTP/T30/8 user logs in with 8 digits"
hg_pam -a 'o3 pw' -a "$(oathcode -s 60 $HEX64)" hgtest "$u3"
expect "auth: PAM_SUCCESS" "HOTP/T60 user logs in with 60 s codes"

# --user picks one line; with seed.key present imports are sealed.
hgc seal
expect_rc 0 "seal (creates seed.key)"
hgc import --oath "$T/users.oath" --user "$u2" --force
expect_rc 0 "--user: only that user's line"
expect_out cout "^1 imported, 0 skipped\.$" "one line imported"
grep -q '^secret = sealed:' "$T/totp/$u2" && pass "sealed once seed.key exists" ||
    fail "not sealed"
next=$(( $(date +%s) + 30 ))
hg_pam -T $next -a 'o2 pw' -a "$(oathcode -d 8 -N "@$next" $HEX32)" hgtest "$u2"
expect "auth: PAM_SUCCESS" "re-imported sealed seed logs in"
hgc import --oath "$T/users.oath" --user "$u5"
expect_rc 1 "--user whose only line is unsupported"
hgc import --oath "$T/users.oath" --user "nobody"
expect_rc 1 "--user without a line"
expect_out cerr "no line for user nobody" "says so"

hg_done
