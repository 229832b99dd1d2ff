# hostgate enroll with the first-code confirmation, typed on a real
# pseudo-terminal (tests/enroll/ptydrive.py): a wrong code writes nothing (no
# seed, no key, no PNG); the right code writes the seed, and that code,
# having been shown at the terminal, cannot then be replayed for a login.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
PTY="python3 $ENROLL_DIR/ptydrive.py"

# pty ANSWERS ARGS...: enroll through the terminal; transcript in $T/cout.
pty() {
	local answers=$1
	shift
	set +e
	$PTY "$answers" -- "$HOSTGATE" --config "$T/hostgate.conf" enroll \
	    "$@" >"$T/cout" 2>&1
	rc=$?
	set -e
	tr -d '\r' < "$T/cout" > "$T/cout.tmp" && mv "$T/cout.tmp" "$T/cout"
	cp "$T/cout" "$T/cerr"
	uri_param secret >> "$T/secrets"
}

hg_user 'conf pw'; u=$NEWUSER
rmdir "$T/totp"		# made when the first seed is written

pty wrong,wrong,wrong "$u" --qr png:"$T/qr.png"
expect_rc 1 "three wrong codes: enroll fails"
expect_out cout "Code from the app \(6 digits\): " "prompted on the terminal"
[ "$(grep -c 'Code from the app' "$T/cout")" = 3 ] && pass "three tries" ||
    fail "tries: $(grep -c 'Code from the app' "$T/cout")"
expect_out cout "no matching code after 3 tries; nothing written" "says nothing was written"
[ -e "$T/totp/$u" ] && fail "seed written after wrong codes" || pass "no seed written"
[ -e "$T/seed.key" ] && fail "seed.key created after wrong codes" || pass "no seed.key created"
[ -e "$T/qr.png" ] && fail "PNG left behind" || pass "PNG removed again"
[ -e "$T/totp" ] && fail "secrets_dir created" || pass "no secrets_dir created"
expect_no_out cout "^  [0-9a-z]{5}-[0-9a-z]{5}$" "no recovery codes shown"

pty eof "$u" --qr none
expect_rc 1 "end of input at the prompt: enroll fails"
[ -e "$T/totp/$u" ] && fail "seed written at EOF" || pass "no seed written at EOF"

pty right "$u" --qr none
expect_rc 0 "right code: enroll succeeds"
expect_out cout "The code matches" "says the code matched"
[ -e "$T/totp/$u" ] && pass "seed written" || fail "no seed written"
[ "$(stat -c '%a %u' "$T/totp")" = "700 0" ] && pass "secrets_dir made root 0700" ||
    fail "secrets_dir: $(stat -c '%a %u' "$T/totp")"
grep -q '^secret = sealed:' "$T/totp/$u" && pass "sealed" || fail "not sealed"
[ "$(mode_of "$T/seed.key")" = "400 0" ] && pass "seed.key created with the seed" ||
    fail "seed.key: $(mode_of "$T/seed.key" 2>&1)"
grep -q '(hostgate enroll, confirmed)' "$T/totp/$u" && pass "marked confirmed" ||
    fail "not marked confirmed"
recovery_codes >/dev/null
sec=$(uri_param secret)
typed=$(sed -n 's/^Code from the app (6 digits): \([0-9]\{6\}\)$/\1/p' "$T/cout" | tail -1)
if [ -n "$typed" ]; then
	hg_pam -a 'conf pw' -a "$typed" hgtest "$u"
	expect "auth: PAM_AUTH_ERR" "the confirming code cannot be replayed"
	expect_log "reason=replayed-code" "refused as a replay"
else
	fail "typed code not in the transcript"
fi
next=$(( $(date +%s) + 30 ))
hg_pam -T $next -a 'conf pw' -a "$(hg_code "$sec" $next)" hgtest "$u"
expect "auth: PAM_SUCCESS" "the next code logs in"

# A wrong code, then the right one; 8 digits and SHA256 to show they are
# asked for and checked as enrolled.
hg_user 'conf2 pw'; v=$NEWUSER
pty wrong,right "$v" --digits 8 --algorithm sha256 --qr none
expect_rc 0 "wrong, then right: enroll succeeds"
expect_out cout "Code from the app \(8 digits\): " "asks for 8 digits"
expect_out cout "not the current code.*2 tries left" "says how many tries are left"
grep -qx 'digits = 8' "$T/totp/$v" && grep -qx 'algorithm = sha256' "$T/totp/$v" &&
    pass "8-digit SHA256 seed" || fail "seed parameters"

# No terminal at all: refused before anything is written.
hg_user 'conf3 pw'; w=$NEWUSER
set +e
setsid -w "$HOSTGATE" --config "$T/hostgate.conf" enroll "$w" --qr none \
    </dev/null >"$T/cout" 2>"$T/cerr"
rc=$?
set -e
uri_param secret >> "$T/secrets"
expect_rc 1 "no terminal: enroll fails"
expect_out cerr "no terminal to ask for the first code on.*--no-confirm" "says why"
[ -e "$T/totp/$w" ] && fail "seed written without a terminal" || pass "nothing written"

hg_done
