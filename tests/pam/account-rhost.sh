#!/bin/sh
# Issue 9 item 2 through real libpam: a PAM_RHOST that is not a plain
# address does not slip past a deny with from= (the module decides locally
# here; hostgated decides with the same evaluator).
. "$top_srcdir/tests/pam/lib.sh"
hg_setup

hg_group; ops=$NEWGROUP
hg_user 'ops pw'; olga=$NEWUSER; hg_join "$olga" "$ops"

cat > "$T/policy.conf" <<POLICY
role ops = @$ops
deny  ops service=sshd from=10.9.0.0/16,fe80::/10
allow ops service=sshd
allow ops service=cron from=10.0.0.0/8
allow ops service=sudo
POLICY
hg_conf "policy = $T/policy.conf"
conf="config=$T/hostgate.conf"
for svc in sshd cron sudo; do
	hg_service $svc "account required $MODULE $conf"
done
mon=1795428000		# Monday 2026-11-23 10:00 UTC

# denied RHOST WHAT: sshd from RHOST meets the deny at line 2.
denied() {
	hg_pam -T $mon -r "$1" -K sshd "$olga"
	expect "account: PAM_PERM_DENIED" "i9_02 $2 ('$1') is denied"
	expect_log "rule=\"$T/policy.conf:2\"" "i9_02 $2: the deny is named"
}
denied 'fe80::1%eth0' "zone id"
denied '::ffff:10.9.1.1' "IPv4-mapped"
denied 'fe80::1%' "empty zone id"
denied '010.9.1.1' "leading zero"
denied '10.9.1.1.' "trailing dot"
denied ' 10.9.1.1' "leading blank"
denied 'host.example' "host name"

hg_pam -T $mon -r 10.8.1.1 -K sshd "$olga"
expect "account: PAM_SUCCESS" "i9_02 an address outside the deny is allowed"
hg_pam -T $mon -r '2001:db8::1%eth0' -K sshd "$olga"
expect "account: PAM_SUCCESS" "i9_02 a zone id on an address outside the deny"
hg_pam -T $mon -K sshd "$olga"
expect "account: PAM_SUCCESS" "i9_02 no rhost is local, not denied"

# An allow with from= does not meet a host name; one without from= does.
hg_pam -T $mon -r host.example -K cron "$olga"
expect "account: PAM_PERM_DENIED" "i9_02 allow from=10.0.0.0/8 skips a host name"
expect_log "reason=no-rule" "i9_02 allow from= host name: no-rule"
hg_pam -T $mon -r 10.1.1.1 -K cron "$olga"
expect "account: PAM_SUCCESS" "i9_02 allow from=10.0.0.0/8 meets its address"
hg_pam -T $mon -r host.example -K sudo "$olga"
expect "account: PAM_SUCCESS" "i9_02 allow without from= meets a host name"

hg_done
