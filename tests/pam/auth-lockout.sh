# Lockout per (user, source) and per user in total; root's exemption.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
hg_conf "lockout_deny = 3
lockout_interval = 900
lockout_unlock = 600
lockout_deny_total = 7"

hg_user 'lock pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
t=1795003215

# Three wrong codes from one address lock that address...
for i in 1 2 3; do
	hg_pam -T $t -r 192.0.2.1 -a 'lock pw' -a 000000 hgtest "$u"
done
hg_pam -T $t -r 192.0.2.1 -a 'lock pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "right code refused from the locked source"
expect_prompts "Password: " "Verification code: "
expect "info: Too many failed attempts: logins are refused for a while." "locked notice"
expect_log "reason=locked" "lock logged"
hg_pam -T $t -s -r 192.0.2.1 -a 'lock pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "locked with PAM_SILENT"
if grep -q '^info:' "$T/out"; then fail "PAM_SILENT showed the notice"; else pass "PAM_SILENT: no notice"; fi

# ...but not the owner at another address.
hg_pam -T $t -r 198.51.100.7 -a 'lock pw' -a "$(hg_code "$sec" $t)" hgtest "$u"
expect "auth: PAM_SUCCESS" "another source still gets in"
expect_not "info: Too many failed attempts: logins are refused for a while." "no notice there"

# The lock ends after lockout_unlock seconds.
t2=$((t + 601))
hg_pam -T $t2 -r 192.0.2.1 -a 'lock pw' -a "$(hg_code "$sec" $t2)" hgtest "$u"
expect "auth: PAM_SUCCESS" "locked source gets in after lockout_unlock"

# Success clears the source's count: 2 failures, success, 2 failures.
# (The per-user total is not cleared: it bounds guesses from everywhere.)
hg_user 'clear pw'; y=$NEWUSER
secy=$(hg_secret)
hg_seed "$y" "$secy"
for i in 1 2; do hg_pam -T $t -r 192.0.2.5 -a 'clear pw' -a 000000 hgtest "$y"; done
hg_pam -T $t -r 192.0.2.5 -a 'clear pw' -a "$(hg_code "$secy" $t)" hgtest "$y"
expect "auth: PAM_SUCCESS" "success after two failures"
for i in 1 2; do hg_pam -T $t -r 192.0.2.5 -a 'clear pw' -a 000000 hgtest "$y"; done
t4=$((t + 30))
hg_pam -T $t4 -r 192.0.2.5 -a 'clear pw' -a "$(hg_code "$secy" $t4)" hgtest "$y"
expect "auth: PAM_SUCCESS" "success cleared the count (2 + 2 failures do not lock)"

# Wrong passwords count too; failures outside the interval do not add up.
hg_user 'other pw'; v=$NEWUSER
sec2=$(hg_secret)
hg_seed "$v" "$sec2"
hg_pam -T $t -r 192.0.2.9 -a 'bad' -a 000000 hgtest "$v"
hg_pam -T $t -r 192.0.2.9 -a 'bad' -a 000000 hgtest "$v"
t5=$((t + 901))
hg_pam -T $t5 -r 192.0.2.9 -a 'bad' -a 000000 hgtest "$v"
hg_pam -T $t5 -r 192.0.2.9 -a 'other pw' -a "$(hg_code "$sec2" $t5)" hgtest "$v"
expect "auth: PAM_SUCCESS" "failures older than lockout_interval do not count"

# Per-user total: failures spread over many sources lock the user out
# everywhere, including a source that never failed.
hg_user 'total pw'; w=$NEWUSER
sec3=$(hg_secret)
hg_seed "$w" "$sec3"
for i in 1 2 3 4 5 6 7; do
	hg_pam -T $t -r "203.0.113.$i" -a 'total pw' -a 000000 hgtest "$w"
done
hg_pam -T $t -r 198.51.100.200 -a 'total pw' -a "$(hg_code "$sec3" $t)" hgtest "$w"
expect "auth: PAM_AUTH_ERR" "lockout_deny_total locks every source"
expect_log "reason=locked" "total lock logged"

# Without PAM_RHOST the tty is the source.
hg_user 'tty pw'; x=$NEWUSER
sec4=$(hg_secret)
hg_seed "$x" "$sec4"
for i in 1 2 3; do hg_pam -T $t -t tty3 -a 'tty pw' -a 000000 hgtest "$x"; done
hg_pam -T $t -t tty3 -a 'tty pw' -a "$(hg_code "$sec4" $t)" hgtest "$x"
expect "auth: PAM_AUTH_ERR" "tty3 locked"
hg_pam -T $t -t tty4 -a 'tty pw' -a "$(hg_code "$sec4" $t)" hgtest "$x"
expect "auth: PAM_SUCCESS" "tty4 not locked"

# root (uid 0) is exempt unless lockout_root = yes.  A second uid-0 account
# stands in for root so that root's own password is never touched.
rootalias="hgr$$"
useradd -M -N -o -u 0 -s /usr/sbin/nologin "$rootalias" 2>/dev/null
HG_USERS="$HG_USERS $rootalias"
echo "$rootalias:root pw" | chpasswd
echo 'root pw' >> "$T/secrets"
sec5=$(hg_secret)
hg_seed "$rootalias" "$sec5"
for i in 1 2 3 4; do hg_pam -T $t -r 192.0.2.50 -a 'root pw' -a 000000 hgtest "$rootalias"; done
hg_pam -T $t -r 192.0.2.50 -a 'root pw' -a "$(hg_code "$sec5" $t)" hgtest "$rootalias"
expect "auth: PAM_SUCCESS" "uid 0 is not locked out by default"
hg_conf "lockout_deny = 3
lockout_root = yes"
for i in 1 2 3; do hg_pam -T $((t + 30)) -r 192.0.2.50 -a 'root pw' -a 000000 hgtest "$rootalias"; done
hg_pam -T $((t + 30)) -r 192.0.2.50 -a 'root pw' -a "$(hg_code "$sec5" $((t + 30)))" hgtest "$rootalias"
expect "auth: PAM_AUTH_ERR" "uid 0 locked out with lockout_root = yes"

hg_done
