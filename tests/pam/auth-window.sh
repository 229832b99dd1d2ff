# totp_window: codes from neighbouring time steps, with the clock frozen by
# libfaketime so that step boundaries cannot make the test flaky.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_user 'window pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
now=1795003215			# 15 s into a step
reset() { rm -f "$T/state/$u"; }

hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $now)" hgtest "$u"
expect "auth: PAM_SUCCESS" "code of the current step"
reset
hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $((now - 30)))" hgtest "$u"
expect "auth: PAM_SUCCESS" "code of the previous step, totp_window=1"
reset
hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $((now + 30)))" hgtest "$u"
expect "auth: PAM_SUCCESS" "code of the next step, totp_window=1"
reset
hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $((now - 60)))" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "code two steps old refused"
hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $((now + 60)))" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "code two steps ahead refused"

hg_conf "totp_window = 0"
reset
hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $((now - 30)))" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "previous step refused with totp_window=0"
hg_conf "totp_window = 2"
reset
hg_pam -T $now -a 'window pw' -a "$(hg_code "$sec" $((now - 60)))" hgtest "$u"
expect "auth: PAM_SUCCESS" "two steps old accepted with totp_window=2"

hg_done
