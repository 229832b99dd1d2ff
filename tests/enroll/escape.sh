# Stored and user-supplied strings reach the terminal escaped (issue 9,
# item 12): lockout sources holding terminal escape sequences and control
# bytes (written into the state file directly, and left by a login from a
# hostile rhost), a --source argument, an invalid user name and import
# paths and file contents are shown with their control bytes escaped by
# status, unlock and import, on stdout and stderr alike.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
: > "$T/out"	# fail() shows the last transaction: none yet

# clean FILE DESCRIPTION: FILE (cout, cerr) holds only printable ASCII and
# newlines.
clean() {
	if LC_ALL=C tr -d '\n -~' < "$T/$1" | od -An -c | grep -q .; then
		fail "$2 (raw bytes in $1:"
		LC_ALL=C tr -d '\n -~' < "$T/$1" | od -An -c
		echo ")"
	else
		pass "$2"
	fi
}

echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ >> "$T/secrets"
hg_user 'esc pw'; u=$NEWUSER
hg_seed "$u" "$(hg_secret)"
now=$(date +%s)
# Source 1: a colour change and a window-title change (ESC ... BEL).
# Source 2: a C1 CSI (0x9b) clearing the screen, and a forged line.
S1=$(printf '\033[31mEVIL\033]0;pwned\007')
S2=$(printf '\2332J\nforged')
{
	echo "version = 1"
	echo "last_step = -1"
	echo "last_success = 0"
	echo "total = 5 $now 0"
	echo "source = 3 $now $(( now + 600 )) %1B[31mEVIL%1B]0;pwned%07"
	echo "source = 2 $now 0 %9B2J%0Aforged"
} > "$T/state/$u"
chmod 0600 "$T/state/$u"
: > "$T/state/$u.lock"
chmod 0600 "$T/state/$u.lock"

hgc status "$u"
expect_rc 0 "i9_12_status_user: status USER"
clean cout "i9_12_status_user: no raw control bytes on stdout"
clean cerr "i9_12_status_user: none on stderr"
expect_out cout '^ +\\x1b\[31mEVIL\\x1b\]0;pwned\\x07 +3 ' "i9_12_status_user: the source is shown escaped"
expect_out cout '^ +\\x9b2J\\x0aforged +2 ' "i9_12_status_user: C1 and newline escaped"

hgc status
expect_rc 0 "i9_12_status_all: status"
clean cout "i9_12_status_all: no raw control bytes on stdout"

hgc unlock "$u" --source "$(printf 'nomatch\033[2J')"
expect_rc 1 "i9_12_unlock_nomatch: unlock --source with no failures"
clean cout "i9_12_unlock_nomatch: no raw control bytes on stdout"
clean cerr "i9_12_unlock_nomatch: none on stderr (argument and stored sources)"
expect_out cerr "no failures recorded from 'nomatch\\\\x1b\[2J'" "i9_12_unlock_nomatch: names the argument escaped"
expect_out cerr "sources with failures: \\\\x1b\[31mEVIL" "i9_12_unlock_nomatch: lists the stored sources escaped"

hgc unlock "$u" --source "$S1"
expect_rc 0 "i9_12_unlock_source: unlock --source (escape sequences)"
clean cout "i9_12_unlock_source: no raw control bytes on stdout"
clean cerr "i9_12_unlock_source: none on stderr"
expect_out cout "^$u: cleared 3 failures from \\\\x1b\[31mEVIL" "i9_12_unlock_source: says what it cleared, escaped"
grep -q '^source = 3 ' "$T/state/$u" && fail "i9_12_unlock_source: not cleared" ||
    pass "i9_12_unlock_source: cleared"

hgc unlock "$u" --source "$S2"
expect_rc 0 "i9_12_unlock_source: unlock --source (C1, newline)"
clean cout "i9_12_unlock_source: no raw bytes for C1 and newline"

bad=$(printf 'bad\033[2Juser')
for cmd in status unlock; do
	hgc $cmd "$bad"
	expect_rc 2 "i9_12_${cmd}_bad_name: an invalid user name"
	clean cerr "i9_12_${cmd}_bad_name: shown escaped"
	expect_out cerr "'bad\\\\x1b\[2Juser' is not a valid user name" "i9_12_${cmd}_bad_name: says so"
done

hgc import --oath "$T/$(printf 'no\033[2Jsuch')"
expect_rc 1 "i9_12_import_path: a missing users file"
clean cerr "i9_12_import_path: the path is shown escaped"
printf 'HOTP/T30\033[2J\t%s\t-\t3132333435363738393031323334353637383930\n' "$u" > "$T/users.oath"
chmod 0600 "$T/users.oath"
hgc import --oath "$T/users.oath"
expect_rc 1 "i9_12_import_type: an unknown token type"
clean cerr "i9_12_import_type: the type is shown escaped"
expect_out cerr "unknown token type 'HOTP/T30\\\\x1b\[2J'" "i9_12_import_type: says so"
printf 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n" EVIL\033[2J\n' > "$T/ga"
hgc import --google-authenticator "$T/ga" --user "$u" --force
expect_rc 1 "i9_12_import_option: an unknown option"
clean cerr "i9_12_import_option: the option is shown escaped"

# A login from a hostile rhost leaves its own source.
hg_user 'rhost pw'; r=$NEWUSER
hg_seed "$r" "$(hg_secret)"
hg_pam -r "$(printf '\033[2J\033[1;1Hevil')" -a 'rhost pw' -a 000000 hgtest "$r"
expect "auth: PAM_AUTH_ERR" "i9_12_rhost: a failure from a hostile rhost"
hgc status "$r"
clean cout "i9_12_rhost: status shows no raw control bytes"
hgc unlock "$r" --source nosuch
clean cerr "i9_12_rhost: nor does unlock's list of sources"

hg_done
