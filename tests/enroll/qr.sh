# The QR codes of hostgate enroll: the PNG decodes (zbarimg) to exactly the
# printed URI; the terminal codes (UTF-8 half blocks and ANSI colours) have
# the module count of the QR version the URI's length calls for, and decode
# to the URI too once read back into an image; the default follows the
# locale's codeset.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
command -v zbarimg >/dev/null || { echo "ERROR: zbarimg missing (zbar-tools; run ./scripts/deps)"; exit 99; }

# Byte-mode capacity at error correction level M, versions 1 to 20
# (ISO/IEC 18004, table 7): the smallest version that holds the URI.
CAP_M="14 26 42 62 84 106 122 152 180 213 251 287 331 362 412 450 504 560 624 666"
side_for() {
	local v=1 c
	for c in $CAP_M; do
		if [ "$1" -le "$c" ]; then
			echo $((17 + 4 * v + 2 * 4))	# modules + quiet zone
			return
		fi
		v=$((v + 1))
	done
	echo "?"
}

decode() {
	zbarimg -q --raw "$1" 2>/dev/null | sed '/^$/d'
}

# terminal KIND ARGS...: enroll with --qr KIND and check the drawing.
terminal() {
	local kind=$1 uri side got
	shift
	hg_user 'qr pw'; u=$NEWUSER
	hgc enroll "$u" --no-confirm --qr "$kind" "$@"
	expect_rc 0 "enroll --qr $kind $*"
	enrolled_secret >/dev/null
	uri=$(uri_of)
	side=$(side_for ${#uri})
	got=$(python3 "$ENROLL_DIR/qrgrid.py" "$kind" "$T/cout" "$T/qr.pgm" 2>&1 || true)
	[ "$got" = "$side $side" ] &&
	    pass "$kind: $side x $side modules for a ${#uri}-byte URI" ||
	    fail "$kind: grid '$got', wanted $side x $side for ${#uri} bytes"
	[ "$(decode "$T/qr.pgm")" = "$uri" ] && pass "$kind: decodes to the URI" ||
	    fail "$kind: decodes to '$(decode "$T/qr.pgm")'"
}

terminal utf8
lines=$(grep -c "$(printf '\033')\[30;47m" "$T/cout")
uri=$(uri_of)
[ "$lines" = $(( ($(side_for ${#uri}) + 1) / 2 )) ] &&
    pass "utf8: two module rows a line ($lines lines)" || fail "utf8: $lines lines"
terminal ansi
terminal utf8 --algorithm sha512 --digits 8 --issuer 'A much longer issuer name, Inc.'
terminal ansi --algorithm sha256

# The default follows the locale: UTF-8 half blocks, else ANSI colours.
hg_user 'loc pw'; u=$NEWUSER
set +e
env LC_ALL=C.UTF-8 "$HOSTGATE" --config "$T/hostgate.conf" enroll "$u" \
    --no-confirm >"$T/cout" 2>"$T/cerr" </dev/null
rc=$?
set -e
enrolled_secret >/dev/null
expect_rc 0 "enroll, UTF-8 locale"
grep -q "$(printf '\342\226\210')" "$T/cout" && pass "UTF-8 locale: half blocks" ||
    fail "UTF-8 locale: no half blocks"
set +e
env LC_ALL=C "$HOSTGATE" --config "$T/hostgate.conf" enroll "$u" \
    --no-confirm --force >"$T/cout" 2>"$T/cerr" </dev/null
rc=$?
set -e
enrolled_secret >/dev/null
expect_rc 0 "enroll, C locale"
grep -q "$(printf '\033')\[40m" "$T/cout" && ! grep -q "$(printf '\342\226')" "$T/cout" &&
    pass "C locale: ANSI colours, no UTF-8" || fail "C locale: not ANSI"
hgc enroll "$u" --no-confirm --force --qr none
enrolled_secret >/dev/null
grep -q "$(printf '\033')" "$T/cout" && fail "--qr none drew something" ||
    pass "--qr none: no drawing"

# PNG: root 0600 (it holds the secret), exactly the URI, never overwritten.
hg_user 'png pw'; p=$NEWUSER
hgc enroll "$p" --no-confirm --qr png:"$T/qr.png"
expect_rc 0 "enroll --qr png:FILE"
enrolled_secret >/dev/null
uri=$(uri_of)
[ "$(mode_of "$T/qr.png")" = "600 0" ] && pass "PNG root 0600" || fail "PNG mode $(mode_of "$T/qr.png")"
[ "$(decode "$T/qr.png")" = "$uri" ] && pass "PNG decodes to exactly the URI" ||
    fail "PNG decodes to '$(decode "$T/qr.png")', printed '$uri'"
grep -q "$(printf '\033')" "$T/cout" && fail "PNG: also drew on the terminal" ||
    pass "PNG: nothing drawn on the terminal"
expect_out cout "QR code written to $T/qr.png" "says where the PNG is"
# The secret as scanned from the image logs in.
scanned=$(decode "$T/qr.png" | sed -n 's/.*[?&]secret=\([^&]*\).*/\1/p')
hg_pam -a 'png pw' -a "$(hg_code "$scanned")" hgtest "$p"
expect "auth: PAM_SUCCESS" "login with the secret scanned from the PNG"

hg_user 'png2 pw'; q=$NEWUSER
sum=$(sha256sum < "$T/qr.png")
hgc enroll "$q" --no-confirm --qr png:"$T/qr.png"
expect_rc 1 "an existing PNG is not overwritten"
expect_out cerr "qr.png: File exists \(not overwritten\)" "says so"
[ "$(sha256sum < "$T/qr.png")" = "$sum" ] && pass "PNG unchanged" || fail "PNG changed"
[ -e "$T/totp/$q" ] && fail "seed written though the PNG failed" || pass "no seed written"

hg_done
