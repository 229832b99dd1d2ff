# The authentication gate end to end: right and wrong factors, unknown users,
# PAM_SILENT, algorithms and digit counts, and the fail delay.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_user 'correct horse'; alice=$NEWUSER
sec=$(hg_secret)
hg_seed "$alice" "$sec"

hg_pam -a 'correct horse' -a "$(hg_code "$sec")" hgtest "$alice"
expect "auth: PAM_SUCCESS" "right password and code"
expect_prompts "Password: " "Verification code: "
if grep -q '^delay:' "$T/out"; then fail "fail delay on success"; else pass "no fail delay on success"; fi
expect_log "event=auth result=allow pam=PAM_SUCCESS reason=ok user=\"$alice\"" "success logged"
expect_log 'factors="password,totp"' "both factors recorded"

hg_pam -a 'wrong horse' -a "$(hg_code "$sec" $(( $(date +%s) + 30 )))" hgtest "$alice"
expect "auth: PAM_AUTH_ERR" "wrong password"
expect_delay 2000 "fail delay of fail_delay_ms (2000) requested"
expect_log "reason=bad-password" "bad password logged"

hg_pam -a 'correct horse' -a 000000 hgtest "$alice"
expect "auth: PAM_AUTH_ERR" "wrong code"
expect_log "reason=bad-code" "bad code logged"
expect_log 'factors="password"' "password factor passed, code did not"

hg_pam -a 'correct horse' -a '' hgtest "$alice"
expect "auth: PAM_AUTH_ERR" "empty code"

# Unknown users: same prompts, same answer, same slow hash work.
hg_pam -a 'correct horse' -a 123456 hgtest "$alice"
known_work=$(grep '^work:' "$T/out")
hg_pam -a 'correct horse' -a 123456 hgtest "nosuchuser$$"
expect "auth: PAM_AUTH_ERR" "unknown user fails"
expect_prompts "Password: " "Verification code: "
expect "$known_work" "unknown user costs the same hashing as a known one"
expect_log "reason=unknown-user" "unknown user logged"
hg_pam -a x -a 123456 hgtest "../../etc/passwd"
expect "auth: PAM_AUTH_ERR" "path-like user name fails"
expect_prompts "Password: " "Verification code: "

# PAM_SILENT: prompts still come, nothing else is printed.
hg_pam -s -a 'correct horse' -a 000000 hgtest "$alice"
if grep -qE '^(info|error):' "$T/out"; then fail "PAM_SILENT printed a message"; else pass "PAM_SILENT prints nothing"; fi
expect_prompts "Password: " "Verification code: "

# Spaces in the typed code are ignored.
hg_user 'pw two'; bob=$NEWUSER
sec=$(hg_secret)
hg_seed "$bob" "$sec"
c=$(hg_code "$sec")
hg_pam -a 'pw two' -a "${c:0:3} ${c:3:3}" hgtest "$bob"
expect "auth: PAM_SUCCESS" "code typed with a space"

# sha512crypt password hash from chpasswd, 8-digit SHA-256 seed.
hg_user 'sha512 pw' -c SHA512; carol=$NEWUSER
case $(hash_of "$carol") in '$6$'*) pass "chpasswd made a sha512crypt hash" ;; *) fail "no sha512crypt hash" ;; esac
sec=$(hg_secret)
hg_seed "$carol" "$sec" "digits = 8" "algorithm = sha256"
hg_pam -a 'sha512 pw' -a "$(hg_code "$sec" '' --digits=8 --totp=sha256)" hgtest "$carol"
expect "auth: PAM_SUCCESS" "sha512crypt password, 8-digit SHA-256 code"

# yescrypt (Debian's default) and SHA-512 TOTP, 6 digits, 60 s period.
hg_user 'yes pw'; dave=$NEWUSER
case $(hash_of "$dave") in '$y$'*) pass "chpasswd made a yescrypt hash" ;; *) fail "no yescrypt hash" ;; esac
sec=$(hg_secret)
hg_seed "$dave" "$sec" "algorithm = sha512" "period = 60"
hg_pam -a 'yes pw' -a "$(hg_code "$sec" '' --totp=sha512 --time-step-size=60)" hgtest "$dave"
expect "auth: PAM_SUCCESS" "yescrypt password, SHA-512 code with a 60 s period"
hg_pam -a 'yes pw' -a "$(hg_code "$sec" '' --totp=sha1 --time-step-size=60)" hgtest "$dave"
expect "auth: PAM_AUTH_ERR" "a SHA-1 code for a SHA-512 seed is refused"

# Null passwords: only with nullok, and only when the application allows
# null tokens.
hg_user ''; erin=$NEWUSER
passwd -d "$erin" >/dev/null
sec=$(hg_secret)
hg_seed "$erin" "$sec"
hg_pam -a '' -a "$(hg_code "$sec")" hgtest "$erin"
expect "auth: PAM_AUTH_ERR" "empty password refused without nullok"
hg_service hgnull "auth required $MODULE config=$T/hostgate.conf nullok"
hg_pam -n -a '' -a "$(hg_code "$sec")" hgnull "$erin"
expect "auth: PAM_AUTH_ERR" "empty password refused with PAM_DISALLOW_NULL_AUTHTOK"
hg_pam -a '' -a "$(hg_code "$sec")" hgnull "$erin"
expect "auth: PAM_SUCCESS" "empty password accepted with nullok when the application allows it"

# A locked shadow entry never authenticates.
hg_user 'locked pw'; frank=$NEWUSER
usermod -L "$frank"
sec=$(hg_secret)
hg_seed "$frank" "$sec"
hg_pam -a 'locked pw' -a "$(hg_code "$sec")" hgtest "$frank"
expect "auth: PAM_AUTH_ERR" "password locked in shadow"

hg_done
