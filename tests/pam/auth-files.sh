# Seeds, keys, settings and state are trusted only when root owns them with
# a safe mode; anything else fails closed with a log line naming the file.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_user 'files pw'; u=$NEWUSER
sec=$(hg_secret)
seed="$T/totp/$u"
code() { hg_code "$sec"; }
rm -f "$seed"

hg_pam -a 'files pw' -a 123456 hgtest "$u"
expect "auth: PAM_AUTH_ERR" "no seed with totp=required"
expect_prompts "Password: " "Verification code: "
expect_log "reason=no-seed" "no seed logged"

hg_conf "totp = optional"
hg_pam -a 'files pw' -a '' hgtest "$u"
expect "auth: PAM_SUCCESS" "no seed with totp=optional: password alone"
expect_prompts "Password: " "Verification code: "
expect_log "no seed, password only (totp=optional)" "rollout logged"
hg_pam -a 'bad pw' -a '' hgtest "$u"
expect "auth: PAM_AUTH_ERR" "totp=optional still needs the password"

hg_conf "totp = off"
hg_pam -a 'files pw' hgtest "$u"
expect "auth: PAM_SUCCESS" "totp=off: password only"
expect_prompts "Password: "
hg_conf ""

hg_seed "$u" "$sec"
chmod 0660 "$seed"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "group-writable seed refused"
expect_log "$seed: mode 0660 is too open" "log names the seed and the problem"
chmod 0640 "$seed"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "group-readable seed refused"
chmod 0600 "$seed"
chown nobody "$seed"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "seed owned by another user refused"
expect_log "must be owned by uid 0" "log says who must own it"
chown root "$seed"

mv "$seed" "$T/real-seed"
ln -s "$T/real-seed" "$seed"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "symlinked seed refused"
expect_log "$seed: is a symbolic link" "log names the symlink"
rm "$seed"
mkdir -m 0700 "$seed"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "directory in place of a seed refused"
rmdir "$seed"
mv "$T/real-seed" "$seed"

printf 'secret = %s\nbogus = 1\n' "$sec" > "$seed"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "malformed seed refused"
expect_log "$seed:2: unknown key 'bogus'" "log names file:line"
hg_seed "$u" "$sec"

# Sealed seeds: the key opens them for the user they were sealed for only.
head -c 32 /dev/urandom > "$T/seed.key"
chmod 0400 "$T/seed.key"
"$top_builddir/tests/pam/hgseal" "$T/seed.key" "$u" "$sec" > "$T/sealed"
hg_seed "$u" "$(cat "$T/sealed")"
hg_pam -a 'files pw' -a "$(code)" hgtest "$u"
expect "auth: PAM_SUCCESS" "sealed seed"
hg_user 'mallory pw'; m=$NEWUSER
cp "$seed" "$T/totp/$m"
t=$(( $(date +%s) + 30 ))
hg_pam -a 'mallory pw' -a "$(hg_code "$sec" $t)" hgtest "$m"
expect "auth: PAM_AUTHINFO_UNAVAIL" "another user's sealed seed does not open"
expect_log "does not open for user '$m'" "log says why"
chmod 0644 "$T/seed.key"
hg_pam -a 'files pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "world-readable seed key refused"
expect_log "$T/seed.key: mode 0644 is too open" "log names the key"
chmod 0400 "$T/seed.key"

# Settings and state.
chmod 0664 "$T/hostgate.conf"
hg_pam -a 'files pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "group-writable settings refused"
expect_log "$T/hostgate.conf: mode 0664 is too open" "log names the settings file"
chmod 0644 "$T/hostgate.conf"
chmod 0770 "$T/state"
hg_pam -a 'files pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "group-writable state directory refused"
expect_log "$T/state: directory mode 0770 lets others write to it" "log names the state directory"
chmod 0700 "$T/state"
hg_pam -a 'files pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_SUCCESS" "everything trusted again"

hg_done
