# hostgate in a stack: after pam_unix with use_first_pass / try_first_pass,
# and as a code-only factor with password=none.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_user 'stack pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
t=1795003215
conf="config=$T/hostgate.conf"

hg_service unixfirst "auth requisite pam_unix.so" \
    "auth required $MODULE $conf use_first_pass"
hg_pam -T $t -a 'stack pw' -a "$(hg_code "$sec" $t)" unixfirst "$u"
expect "auth: PAM_SUCCESS" "use_first_pass after pam_unix"
expect_prompts "Password: " "Verification code: "
hg_pam -T $t -a 'wrong' unixfirst "$u"
expect "auth: PAM_AUTH_ERR" "pam_unix stops a wrong password first"

hg_service tryfirst "auth optional pam_unix.so" \
    "auth required $MODULE $conf try_first_pass"
hg_pam -T $((t + 30)) -a 'stack pw' -a "$(hg_code "$sec" $((t + 30)))" tryfirst "$u"
expect "auth: PAM_SUCCESS" "try_first_pass reuses the password"
expect_prompts "Password: " "Verification code: "

hg_service trynone "auth required $MODULE $conf try_first_pass"
hg_pam -T $((t + 60)) -a 'stack pw' -a "$(hg_code "$sec" $((t + 60)))" trynone "$u"
expect "auth: PAM_SUCCESS" "try_first_pass with no earlier password prompts"
expect_prompts "Password: " "Verification code: "

hg_service usenone "auth required $MODULE $conf use_first_pass"
hg_pam -T $((t + 90)) -a 'stack pw' -a 123456 usenone "$u"
expect "auth: PAM_SERVICE_ERR" "use_first_pass with no earlier module fails closed"
expect_log "use_first_pass is set but no earlier module asked for a password" "and says why"

# password=none: the code is the only thing hostgate asks, after pam_unix.
hg_service codeonly "auth requisite pam_unix.so" \
    "auth required $MODULE $conf password=none"
hg_pam -T $((t + 120)) -a 'stack pw' -a "$(hg_code "$sec" $((t + 120)))" codeonly "$u"
expect "auth: PAM_SUCCESS" "password=none after pam_unix"
expect_prompts "Password: " "Verification code: "
expect_log 'factors="totp"' "only the code counted as hostgate's factor"
hg_service codealone "auth required $MODULE $conf password=none"
hg_pam -T $((t + 150)) -a "$(hg_code "$sec" $((t + 150)))" codealone "$u"
expect "auth: PAM_SUCCESS" "password=none alone asks only for the code"
expect_prompts "Verification code: "
hg_pam -T $((t + 150)) -a 000000 codealone "$u"
expect "auth: PAM_AUTH_ERR" "password=none with a wrong code"

hg_done
