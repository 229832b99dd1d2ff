#!/bin/sh
# hostgate explain: decision, reason, rule and its text; exit 0/1/2.
# Groups come from NSS: root is in group root, nobody is not.
. "${top_srcdir:?}/tests/cli/lib.sh"

cat >"$T/policy.conf" <<'P'
role admins = @root
role guests = nobody

allow admins service=login from=local
allow admins service=sshd  from=10.0.0.0/8,fd00::/8  mfa   # admins need a code
deny  guests service=sshd
allow guests service=ftp   time=Mon-Fri@09:00-17:00
allow guests service=web   from=127.0.0.0/8
P

run "$HOSTGATE" $CONF explain root --service login
expect_rc 0 "explain allow"
[ "$(head -n 1 "$T/out")" = allow ] || fail "explain allow: first line $(head -n 1 "$T/out")"
expect_line "$T/out" "reason: rule" "explain allow"
expect_line "$T/out" "rule: $T/policy.conf:4: allow admins service=login from=local" "explain allow"
expect_line "$T/out" "roles: admins" "explain allow"

run "$HOSTGATE" $CONF explain root --service sshd --from 10.1.2.3
expect_rc 1 "explain mfa-required"
[ "$(head -n 1 "$T/out")" = deny ] || fail "explain mfa-required: first line"
expect_line "$T/out" "reason: mfa-required" "explain mfa-required"
expect_line "$T/out" "rule: $T/policy.conf:5: allow admins service=sshd  from=10.0.0.0/8,fd00::/8  mfa   # admins need a code" "explain mfa-required"

run "$HOSTGATE" $CONF explain root --service sshd --from ::ffff:10.1.2.3 --mfa
expect_rc 0 "explain mfa, mapped address"

run "$HOSTGATE" $CONF explain root --service=sshd --from=fd00::1 --mfa
expect_rc 0 "explain --opt=value"

run "$HOSTGATE" $CONF explain nobody --service sshd --mfa
expect_rc 1 "explain deny rule"
expect_line "$T/out" "reason: rule" "explain deny rule"
expect_line "$T/out" "rule: $T/policy.conf:6: deny  guests service=sshd" "explain deny rule"

run "$HOSTGATE" $CONF explain nobody --service ftp --at '2026-11-23 10:00'
expect_rc 0 "explain in window"
expect_line "$T/out" "request: service=ftp from=local at=2026-11-23 10:00 (Mon) mfa=no" "explain in window"
run "$HOSTGATE" $CONF explain nobody --service ftp --at '2026-11-22 10:00'
expect_rc 1 "explain out of window"
expect_line "$T/out" "reason: no-rule" "explain out of window"

# A host name is never resolved: "localhost" does not meet 127.0.0.0/8.
run "$HOSTGATE" $CONF explain nobody --service web --from localhost
expect_rc 1 "explain host name"
run "$HOSTGATE" $CONF explain nobody --service web --from 127.0.0.1
expect_rc 0 "explain loopback address"

# Usage errors, unknown users and invalid policies: exit 2.
run "$HOSTGATE" $CONF explain no-such-user-hg
expect_rc 2 "explain unknown user"
expect_line "$T/err" "hostgate: explain: no-such-user-hg: unknown user" "explain unknown user"
run "$HOSTGATE" $CONF explain root --at '2026-02-30 10:00'
expect_rc 2 "explain bad date"
run "$HOSTGATE" $CONF explain root --at '2026-11-23'
expect_rc 2 "explain short date"
run "$HOSTGATE" $CONF explain
expect_rc 2 "explain no user"
run "$HOSTGATE" $CONF explain root --service
expect_rc 2 "explain missing value"
run "$HOSTGATE" $CONF explain root --bogus
expect_rc 2 "explain unknown option"

echo 'allow nope' >>"$T/policy.conf"
run "$HOSTGATE" $CONF explain root --service login
expect_rc 2 "explain invalid policy"
expect_line "$T/err" "$T/policy.conf:9:7: error: unknown role 'nope' (defined roles: admins, guests)" "explain invalid policy"

finish
