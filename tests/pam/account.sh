# The authorization gate through real libpam: roles from real groups,
# service, source, time and mfa conditions, and fail-closed policy errors.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_group; adm=$NEWGROUP
hg_group; dev=$NEWGROUP
hg_user 'admin pw'; alice=$NEWUSER; hg_join "$alice" "$adm"
hg_user 'dev pw'; carol=$NEWUSER; hg_join "$carol" "$dev"
hg_user 'none pw'; nobody=$NEWUSER
seca=$(hg_secret); hg_seed "$alice" "$seca"
secc=$(hg_secret); hg_seed "$carol" "$secc"

cat > "$T/policy.conf" <<POLICY
# test policy
role admins     = @$adm
role developers = @$dev
allow admins      service=sshd,sudo  mfa
allow developers  service=sshd       from=10.0.0.0/8,fd00::/8  time=Mon-Fri@07:00-20:00
deny  developers  service=sudo
allow developers  service=cron
POLICY
hg_conf "policy = $T/policy.conf"
conf="config=$T/hostgate.conf"
for svc in sshd sudo cron; do
	hg_service $svc "auth required $MODULE $conf" "account required $MODULE $conf"
done
hg_service sudo-unix "auth required pam_unix.so" "account required $MODULE $conf"

mon=1795428000		# Monday 2026-11-23 10:00 UTC
sat=$((mon + 5 * 86400))	# Saturday 2026-11-28 10:00 UTC

hg_pam -T $mon -a 'admin pw' -a "$(hg_code "$seca" $mon)" -A sshd "$alice"
expect "account: PAM_SUCCESS" "admin with a code: allowed for sshd"
expect_log "event=account result=allow pam=PAM_SUCCESS reason=rule" "the allow is logged"
expect_log "rule=\"$T/policy.conf:4\"" "the deciding rule is logged"
expect_log 'factors="password,totp"' "the factors that satisfied mfa are recorded"

hg_pam -T $mon -K sshd "$alice"
expect "account: PAM_PERM_DENIED" "admin without an auth phase (SSH key): mfa rule unsatisfied"
expect_log "reason=mfa-required" "mfa-required logged"
expect "error: Access denied by hostgate policy." "the user is told once"

hg_pam -T $mon -a 'admin pw' -A sudo-unix "$alice"
expect "auth: PAM_SUCCESS" "pam_unix alone authenticates"
expect "account: PAM_PERM_DENIED" "no hostgate auth line: mfa unsatisfied"

hg_pam -T $mon -r 10.1.2.3 -K sshd "$carol"
expect "account: PAM_SUCCESS" "developer from 10/8 in working hours"
hg_pam -T $mon -r ::ffff:10.1.2.3 -K sshd "$carol"
expect "account: PAM_SUCCESS" "IPv4-mapped IPv6 address matches 10.0.0.0/8"
hg_pam -T $mon -r fd00::5 -K sshd "$carol"
expect "account: PAM_SUCCESS" "IPv6 source in fd00::/8"
hg_pam -T $mon -r 192.0.2.1 -K sshd "$carol"
expect "account: PAM_PERM_DENIED" "developer from outside 10/8"
expect_log "reason=no-rule" "no-rule logged"
hg_pam -T $mon -r host.example -K sshd "$carol"
expect "account: PAM_PERM_DENIED" "a host name never matches an address list"
hg_pam -T $mon -K sshd "$carol"
expect "account: PAM_PERM_DENIED" "local login does not match from=10.0.0.0/8"
hg_pam -T $sat -r 10.1.2.3 -K sshd "$carol"
expect "account: PAM_PERM_DENIED" "developer on Saturday"
hg_pam -T $((mon + 11 * 3600)) -r 10.1.2.3 -K sshd "$carol"
expect "account: PAM_PERM_DENIED" "developer at 21:00"

hg_pam -T $mon -r 10.1.2.3 -a 'dev pw' -a "$(hg_code "$secc" $mon)" -A sudo "$carol"
expect "auth: PAM_SUCCESS" "developer authenticates for sudo"
expect "account: PAM_PERM_DENIED" "role denied by service (deny developers service=sudo)"
expect_log "rule=\"$T/policy.conf:6\"" "the deny rule is named"
hg_pam -T $mon -s -K sudo "$carol"
expect "account: PAM_PERM_DENIED" "denied with PAM_SILENT"
if grep -q '^error:' "$T/out"; then fail "PAM_SILENT printed the denial"; else pass "PAM_SILENT: no message"; fi

hg_pam -T $mon -K sshd "$nobody"
expect "account: PAM_PERM_DENIED" "a user in no role"
hg_pam -T $mon -K sshd "nosuchuser$$"
expect "account: PAM_USER_UNKNOWN" "unknown user"

# Any error anywhere in the policy denies everyone.
cp "$T/policy.conf" "$T/policy.good"
echo "allow developers port=22" >> "$T/policy.conf"
hg_pam -T $mon -r 10.1.2.3 -K cron "$carol"
expect "account: PAM_PERM_DENIED" "invalid policy denies everyone"
expect_log "reason=policy-invalid" "policy-invalid logged"
expect_log "$T/policy.conf:8:" "the alert names file:line"
grep -q '^syslog: <81> .*policy.conf:8:' "$T/syslog.last" && pass "logged at LOG_ALERT" || fail "not logged at LOG_ALERT"
cp "$T/policy.good" "$T/policy.conf"
hg_pam -T $mon -r 10.1.2.3 -K cron "$carol"
expect "account: PAM_SUCCESS" "valid policy again"
chmod 0664 "$T/policy.conf"
hg_pam -T $mon -r 10.1.2.3 -K cron "$carol"
expect "account: PAM_PERM_DENIED" "group-writable policy denies everyone"
expect_log "$T/policy.conf" "the log names the policy file"
chmod 0644 "$T/policy.conf"
rm "$T/policy.conf"
hg_pam -T $mon -r 10.1.2.3 -K cron "$carol"
expect "account: PAM_PERM_DENIED" "missing policy denies everyone"
cp "$T/policy.good" "$T/policy.conf"

# A deny in an include overrides an allow in the main file.
mkdir "$T/policy.d"
echo "deny developers service=cron" > "$T/policy.d/50-nocron.conf"
hg_pam -T $mon -K cron "$carol"
expect "account: PAM_PERM_DENIED" "deny in policy.d overrides the main file's allow"
expect_log "rule=\"$T/policy.d/50-nocron.conf:1\"" "the include's rule is named"

hg_done
