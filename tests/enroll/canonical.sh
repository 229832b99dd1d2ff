# Every command names per-user files by the account name NSS returns, as
# the module does: with a case-insensitive source (nssfold.so stands in
# for SSSD or LDAP), "ALICE" is alice, with one seed and one state.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"

hgcf() {	# hgc with the case-insensitive lookup
	LD_PRELOAD=$NSSFOLD hgc "$@"
}

hg_user 'canon pw'; u=$NEWUSER
upper=$(echo "$u" | tr a-z A-Z)
hgcf enroll "$upper" --no-confirm --qr none
expect_rc 0 "i9_15 enroll by another spelling"
sec=$(enrolled_secret)
check "i9_15 enroll writes the seed under the canonical name" \
    test -f "$T/totp/$u"
check "i9_15 ... and none under the typed one" test ! -e "$T/totp/$upper"
t=1795003215
hg_pam -T $t -a 'canon pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_15 the enrolled seed opens for the account"

for i in 1 2; do
	hg_pam -T $((t + 60)) -r 192.0.2.7 -a 'bad' -a 000000 hgtest "$u"
done
hgcf status "$upper"
expect_rc 0 "i9_15 status by another spelling"
expect_out cout "^$u +sealed" "i9_15 status shows the account's state"
hgcf unlock "$upper" --source ::ffff:192.0.2.7
expect_rc 0 "i9_15 unlock by another spelling"
expect_out cout "cleared 2 failures from 192\\.0\\.2\\.7" "i9_15 unlock clears the canonical source"
check "i9_15 ... and no state file is made for the typed name" \
    test ! -e "$T/state/$upper"

hg_user 'oath pw'; o=$NEWUSER
osec=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$osec" >> "$T/secrets"
printf 'HOTP/T30/6 %s - %s\n' "$(echo "$o" | tr a-z A-Z)" "$osec" > "$T/users.oath"
chmod 0600 "$T/users.oath"
hgcf import --oath "$T/users.oath"
expect_rc 0 "i9_15 import --oath names a user in another spelling"
check "i9_15 import writes the canonical seed" test -f "$T/totp/$o"

hg_done
