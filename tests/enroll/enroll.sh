# hostgate enroll without confirmation: for every algorithm and digit count
# the printed URI's secret (fed to oathtool) logs in through the real PAM
# stack; the seed file is sealed, root 0600; seed.key appears root 0400;
# recovery codes work once; refusals write nothing.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"

for alg in sha1 sha256 sha512; do
	for digits in 6 8; do
		hg_user 'enroll pw'; u=$NEWUSER
		hgc enroll "$u" --no-confirm --algorithm $alg --digits $digits \
		    --qr none --issuer 'ACME Corp'
		expect_rc 0 "enroll $alg/$digits"
		sec=$(enrolled_secret)
		ALG=$(echo $alg | tr a-z A-Z)
		case $(uri_of) in
		"otpauth://totp/ACME%20Corp:$u?secret=$sec&issuer=ACME%20Corp&algorithm=$ALG&digits=$digits&period=30")
			pass "URI form ($alg/$digits)" ;;
		*)	fail "URI form ($alg/$digits): $(uri_of)" ;;
		esac
		bytes=$(python3 -c 'import base64, sys; s = sys.argv[1]
print(len(base64.b32decode(s + "=" * (-len(s) % 8))))' "$sec")
		want=$(case $alg in sha1) echo 20;; sha256) echo 32;; sha512) echo 64;; esac)
		[ "$bytes" = "$want" ] && pass "$want-byte secret for $alg" ||
		    fail "$bytes-byte secret for $alg (wanted $want)"
		[ "$(mode_of "$T/totp/$u")" = "600 0" ] && pass "seed root 0600" ||
		    fail "seed mode $(mode_of "$T/totp/$u")"
		grep -q '^secret = sealed:' "$T/totp/$u" && pass "seed sealed" ||
		    fail "seed not sealed"
		grep -qF "$sec" "$T/totp/$u" && fail "plain secret in the seed file" ||
		    pass "no plain secret in the seed file"
		grep -qx "digits = $digits" "$T/totp/$u" &&
		    grep -qx "algorithm = $alg" "$T/totp/$u" &&
		    grep -qx "period = 30" "$T/totp/$u" &&
		    pass "seed parameters" || fail "seed parameters"
		code=$(hg_code "$sec" "" --totp=$ALG --digits=$digits)
		hg_pam -a 'enroll pw' -a "$code" hgtest "$u"
		expect "auth: PAM_SUCCESS" "login with oathtool's code ($alg/$digits)"
		hg_pam -a 'enroll pw' -a "$(printf '%0*d' $digits 0)" hgtest "$u"
		expect "auth: PAM_AUTH_ERR" "wrong code refused ($alg/$digits)"
	done
done
[ "$(mode_of "$T/seed.key")" = "400 0" ] && pass "seed.key created root 0400" ||
    fail "seed.key: $(mode_of "$T/seed.key" 2>&1)"
[ "$(stat -c %s "$T/seed.key")" = 32 ] && pass "seed.key: 32 bytes" ||
    fail "seed.key size"

# Defaults: sha1, 6 digits, 30 s, issuer = host name, 5 recovery codes.
hg_user 'rec pw'; u=$NEWUSER
hgc enroll "$u" --no-confirm --qr none
expect_rc 0 "enroll with defaults"
sec=$(enrolled_secret)
host=$(hostname)
case $(uri_of) in
"otpauth://totp/$host:$u?secret=$sec&issuer=$host&algorithm=SHA1&digits=6&period=30")
	pass "default URI: issuer is the host name" ;;
*)	fail "default URI: $(uri_of)" ;;
esac
codes=$(recovery_codes)
[ "$(echo "$codes" | wc -l)" = 5 ] && pass "5 recovery codes printed" ||
    fail "recovery codes printed: $codes"
[ "$(grep -c '^recovery = \$argon2id\$' "$T/totp/$u")" = 5 ] &&
    pass "5 argon2id hashes stored" || fail "recovery hashes stored"
for c in $codes; do
	grep -qF "$c" "$T/totp/$u" && fail "recovery code $c stored in clear"
	grep -qF "$(echo $c | tr -d -)" "$T/totp/$u" && fail "recovery code stored in clear"
done
pass "recovery codes not stored in clear"
r1=$(echo "$codes" | sed -n 1p)
hg_pam -a 'rec pw' -a "$r1" hgtest "$u"
expect "auth: PAM_SUCCESS" "a recovery code logs in"
expect_log 'factors="password,scratch"' "as the scratch factor"
hg_pam -a 'rec pw' -a "$r1" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "the same recovery code a second time"
[ "$(grep -c '^recovery = ' "$T/totp/$u")" = 4 ] && pass "4 recovery codes left" ||
    fail "recovery lines left: $(grep -c '^recovery = ' "$T/totp/$u")"

# An existing seed is kept without --force, replaced with it.
sum=$(sha256sum < "$T/totp/$u")
hgc enroll "$u" --no-confirm --qr none
expect_rc 1 "second enroll without --force refused"
expect_out cerr "already has a seed.*--force" "says why and what to do"
expect_no_out cout '^otpauth://' "no secret shown when nothing will be written"
[ "$(sha256sum < "$T/totp/$u")" = "$sum" ] && pass "seed unchanged" || fail "seed changed"
hgc enroll "$u" --no-confirm --qr none --force --recovery 0
expect_rc 0 "enroll --force replaces the seed"
sec2=$(enrolled_secret)
[ "$sec2" != "$sec" ] && pass "a new secret" || fail "the same secret again"
grep -q '^recovery' "$T/totp/$u" && fail "--recovery 0 stored codes" ||
    pass "--recovery 0: no recovery codes"
hg_pam -a 'rec pw' -a "$(hg_code "$sec2")" hgtest "$u"
expect "auth: PAM_SUCCESS" "the new seed logs in"
hg_pam -a 'rec pw' -a "$(echo "$codes" | sed -n 2p)" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "the old recovery codes are gone"

# The issuer and the user are percent-encoded (UTF-8 too).
hgc enroll "$u" --no-confirm --qr none --force --recovery 0 --issuer 'Café & Co/Ops'
expect_rc 0 "enroll with a UTF-8 issuer"
sec2=$(enrolled_secret)
case $(uri_of) in
"otpauth://totp/Caf%C3%A9%20%26%20Co%2FOps:$u?secret=$sec2&issuer=Caf%C3%A9%20%26%20Co%2FOps&"*)
	pass "issuer percent-encoded" ;;
*)	fail "issuer encoding: $(uri_of)" ;;
esac

# Refusals: usage errors (2), unknown user, bad key, non-root (1); none
# writes anything.
hg_user 'x pw'; x=$NEWUSER
for args in "--digits 7" "--algorithm md5" "--qr sixel" "--recovery 33" \
    "--period 0" "--issuer a:b" "--bogus" ""; do
	# shellcheck disable=SC2086
	if [ -n "$args" ]; then hgc enroll "$x" $args; else hgc enroll; fi
	expect_rc 2 "usage error: enroll ${args:-(no user)}"
done
hgc enroll --help
expect_rc 0 "enroll --help"
expect_out cout '^usage: hostgate enroll USER' "--help prints the usage"
hgc enroll "nosuch$$" --no-confirm
expect_rc 1 "unknown user refused"
expect_out cerr "no such user" "says the user is unknown"
chmod 0444 "$T/seed.key"
hgc enroll "$x" --no-confirm --qr none
expect_rc 1 "a readable seed.key is refused"
expect_out cerr "seed.key: mode 0444 is too open" "names the key and the problem"
chmod 0400 "$T/seed.key"
as_nobody "$HOSTGATE" --config "$T/hostgate.conf" enroll "$x" --no-confirm
expect_rc 1 "non-root refused"
expect_out cerr "must be run as root" "says it needs root"
[ -e "$T/totp/$x" ] && fail "a refused enroll wrote a seed" || pass "refusals wrote no seed"

# Without seed.key: enroll creates it and seals.
rm -f "$T/seed.key"
hgc enroll "$x" --no-confirm --qr none
expect_rc 0 "enroll without a key"
expect_out cout "Created the seed key" "says it created the key"
[ "$(mode_of "$T/seed.key")" = "400 0" ] && pass "new key root 0400" || fail "new key mode"
grep -q '^secret = sealed:' "$T/totp/$x" && pass "sealed with the new key" || fail "not sealed"
hg_pam -a 'x pw' -a "$(hg_code "$(enrolled_secret)")" hgtest "$x"
expect "auth: PAM_SUCCESS" "login with the new key"

hg_done
