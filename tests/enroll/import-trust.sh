# hostgate import reads only input files it can trust (issue 9, item 11):
# a pam_oath users file owned by root, a google-authenticator file owned by
# root or by the user imported, neither writable by group or others, and
# never through a symbolic link.  Each refusal names the file, what was
# found and the fix, and writes nothing; the good cases still import and
# log in through the real PAM stack.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
: > "$T/out"	# fail() shows the last transaction: none yet
D=$IMPORT_DATA
head -1 "$D/ga-plain" >> "$T/secrets"
HEX20=3132333435363738393031323334353637383930
echo "$HEX20" >> "$T/secrets"

hg_user 'imp pw'; u=$NEWUSER
hg_user 'other pw'; o=$NEWUSER
mkdir "$T/in"

# no_seed DESCRIPTION: nothing was written for $u.
no_seed() {
	[ -e "$T/totp/$u" ] && fail "$1: a seed was written" ||
	    pass "$1: nothing written"
}

# oath FILE MODE OWNER: a users file with one line for $u (who has no seed).
oath() {
	rm -f "$T/totp/$u"
	printf 'HOTP/T30\t%s\t-\t%s\n' "$u" "$HEX20" > "$1"
	chmod "$2" "$1"
	chown "$3" "$1"
}

# ga FILE MODE OWNER: a google-authenticator file for $u (without a seed).
ga() {
	rm -f "$T/totp/$u"
	cp "$D/ga-plain" "$1"
	chmod "$2" "$1"
	chown "$3" "$1"
}

# --- pam_oath users file -----------------------------------------------------

F=$T/in/users.oath
oath "$F" 0600 "$o"
hgc import --oath "$F"
expect_rc 1 "i9_11_oath_other_owner: refused"
expect_out cerr "^hostgate: import: $F: owned by uid $(id -u "$o"), must be owned by uid 0" "i9_11_oath_other_owner: names the file and the owner"
expect_out cerr "chown root $F" "i9_11_oath_other_owner: says the fix"
no_seed "i9_11_oath_other_owner"

for m in 0666 0620 0602; do
	oath "$F" $m root
	hgc import --oath "$F"
	expect_rc 1 "i9_11_oath_mode_$m: refused"
	expect_out cerr "^hostgate: import: $F: mode $m is too open" "i9_11_oath_mode_$m: names the file and the mode"
	expect_out cerr "chmod go-w $F" "i9_11_oath_mode_$m: says the fix"
	no_seed "i9_11_oath_mode_$m"
done

oath "$F" 0600 root
ln -s "$F" "$T/in/link.oath"
hgc import --oath "$T/in/link.oath"
expect_rc 1 "i9_11_oath_symlink: refused"
expect_out cerr "link.oath: is a symbolic link" "i9_11_oath_symlink: says so"
no_seed "i9_11_oath_symlink"

# The good cases: root 0600 and root 0644.
hgc import --oath "$F"
expect_rc 0 "i9_11_oath_good: root 0600 imports"
oath "$F" 0644 root
hgc import --oath "$F"
expect_rc 0 "i9_11_oath_good: root 0644 imports"
expect_out cout "^$u: imported from $F:1: TOTP" "i9_11_oath_good: says so"
c=$(oathtool --totp "$HEX20"); echo "$c" >> "$T/secrets"
hg_pam -a 'imp pw' -a "$c" hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_11_oath_good: the imported user logs in"
rm -f "$T/totp/$u"
# The same step for the next login: start without replay state.
rm -rf "$T/state"; mkdir -m 0700 "$T/state"

# --- google-authenticator file ------------------------------------------------

G=$T/in/ga
ga "$G" 0400 "$o"
hgc import --google-authenticator "$G" --user "$u"
expect_rc 1 "i9_11_ga_other_owner: a file of another user is refused"
expect_out cerr "^hostgate: import: $G: owned by uid $(id -u "$o"), must be owned by uid 0" "i9_11_ga_other_owner: names the file and the owner"
expect_out cerr "chown $u $G" "i9_11_ga_other_owner: says the fix"
no_seed "i9_11_ga_other_owner"

for owner in root "$u"; do
	for m in 0666 0620 0602; do
		ga "$G" $m "$owner"
		hgc import --google-authenticator "$G" --user "$u"
		expect_rc 1 "i9_11_ga_mode_$m ($owner): refused"
		expect_out cerr "^hostgate: import: $G: mode $m is too open" "i9_11_ga_mode_$m ($owner): names the file and the mode"
		expect_out cerr "chmod go-w $G" "i9_11_ga_mode_$m ($owner): says the fix"
		no_seed "i9_11_ga_mode_$m ($owner)"
	done
done

ga "$G" 0400 "$u"
ln -s "$G" "$T/in/link.ga"
hgc import --google-authenticator "$T/in/link.ga" --user "$u"
expect_rc 1 "i9_11_ga_symlink: refused"
expect_out cerr "link.ga: is a symbolic link" "i9_11_ga_symlink: says so"
no_seed "i9_11_ga_symlink"

# The good cases: the user's own 0400 file (as google-authenticator writes
# it), and root's 0644.
hgc import --google-authenticator "$G" --user "$u"
expect_rc 0 "i9_11_ga_good: the user's own 0400 file imports"
ga "$G" 0644 root
hgc import --google-authenticator "$G" --user "$u"
expect_rc 0 "i9_11_ga_good: root 0644 imports"
c=$(hg_code "$(head -1 "$D/ga-plain")")
hg_pam -a 'imp pw' -a "$c" hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_11_ga_good: the imported user logs in"

hg_done
