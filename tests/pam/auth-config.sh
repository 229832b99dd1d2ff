# Settings and module arguments: one parser, arguments override the file,
# and any unknown key or bad value fails closed naming file and line.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_user 'conf pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"

hg_conf "colour = blue"
hg_pam -a 'conf pw' -a "$(hg_code "$sec")" hgtest "$u"
expect "auth: PAM_SERVICE_ERR" "unknown key in the settings file"
expect_log "$T/hostgate.conf:6: unknown key 'colour'; failing closed" "log names file:line"
expect_prompts
hg_conf "totp_window = many"
hg_pam -a 'conf pw' -a "$(hg_code "$sec")" hgtest "$u"
expect "auth: PAM_SERVICE_ERR" "bad value in the settings file"
expect_log "$T/hostgate.conf:6: totp_window must be a whole number from 0 to 10, got 'many'" "log says what is expected"
hg_conf ""

hg_service badarg "auth required $MODULE config=$T/hostgate.conf colour=blue"
hg_pam -a 'conf pw' -a "$(hg_code "$sec")" badarg "$u"
expect "auth: PAM_SERVICE_ERR" "unknown module argument"
expect_log "module argument 2: unknown key 'colour'" "log names the argument"
hg_service badflag "auth required $MODULE config=$T/hostgate.conf nulok"
hg_pam -a 'conf pw' -a "$(hg_code "$sec")" badflag "$u"
expect "auth: PAM_SERVICE_ERR" "unknown flag"

hg_service missing "auth required $MODULE config=$T/nonexistent.conf"
hg_pam -a 'conf pw' -a "$(hg_code "$sec")" missing "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "a named settings file that is missing"
expect_log "$T/nonexistent.conf: no such file" "log names it"

# Arguments override the file.
hg_conf "totp = off"
hg_pam -a 'conf pw' hgtest "$u"
expect "auth: PAM_SUCCESS" "file: totp = off"
expect_prompts "Password: "
hg_service override "auth required $MODULE config=$T/hostgate.conf totp=required"
hg_pam -a 'conf pw' -a "$(hg_code "$sec")" override "$u"
expect "auth: PAM_SUCCESS" "argument totp=required overrides the file"
expect_prompts "Password: " "Verification code: "

hg_conf "password = none
totp = off"
hg_pam hgtest "$u"
expect "auth: PAM_SERVICE_ERR" "nothing left to check"
expect_log "password=none and totp=off leave nothing to check" "and the log says so"

hg_conf "fail_delay_ms = 400"
hg_pam -a 'conf pw' -a 000000 hgtest "$u"
expect_delay 400 "fail_delay_ms is passed to pam_fail_delay"
hg_conf "fail_delay_ms = 0"
hg_pam -a 'conf pw' -a 000000 hgtest "$u"
expect "delay: 0" "fail_delay_ms = 0: no delay"

# debug adds detail but never a secret (hg_done checks the whole log).
hg_conf "debug = yes"
hg_pam -a 'conf pw' -a "$(hg_code "$sec" $(( $(date +%s) + 30 )))" hgtest "$u"
expect "auth: PAM_SUCCESS" "debug on"
expect_log "seed of" "debug shows seed parameters"

hg_done
