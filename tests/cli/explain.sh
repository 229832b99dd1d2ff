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

# i9_02: explain says how it read the rhost, and an rhost that is not an
# address literal meets the deny with from= (fail closed).
cat >"$T/odd.conf" <<'P'
role ops = @root
deny  ops service=sshd from=10.9.0.0/16,fe80::/10
allow ops service=sshd
allow ops service=ftp from=10.0.0.0/8
allow ops service=login from=local
P
printf 'policy = %s/odd.conf\n' "$T" >"$T/odd-hostgate.conf"
ODD="--config $T/odd-hostgate.conf"
NOLIT="is not an address literal: matches every deny rule with from=, and only allow rules without from="
DENY2="rule: $T/odd.conf:2: deny  ops service=sshd from=10.9.0.0/16,fe80::/10"

# odd_rhost LABEL RHOST RHOST_LINE: denied by line 2, read as RHOST_LINE.
odd_rhost() {
	run "$HOSTGATE" $ODD explain root --service sshd --from "$2"
	expect_rc 1 "i9_02 explain $1"
	expect_line "$T/out" "$DENY2" "i9_02 explain $1"
	expect_line "$T/out" "$3" "i9_02 explain $1"
}
odd_rhost "zone id" 'fe80::1%eth0' "rhost: fe80::1%eth0 read as address fe80::1"
odd_rhost "mapped" '::ffff:10.9.1.1' "rhost: ::ffff:10.9.1.1 read as address 10.9.1.1"
odd_rhost "empty zone" 'fe80::1%' "rhost: fe80::1% $NOLIT"
odd_rhost "leading zero" '010.9.1.1' "rhost: 010.9.1.1 $NOLIT"
odd_rhost "trailing dot" '10.9.1.1.' "rhost: 10.9.1.1. $NOLIT"
odd_rhost "host name" 'host.example' "rhost: host.example $NOLIT"
odd_rhost "leading blank" ' 10.9.1.1' "rhost: \" 10.9.1.1\" $NOLIT"
grep -q '^request: service=sshd from=" 10.9.1.1" at=' "$T/out" ||
    fail "i9_02 explain leading blank: request line $(grep '^request' "$T/out")"

run "$HOSTGATE" $ODD explain root --service sshd --from 10.8.1.1
expect_rc 0 "i9_02 explain address outside"
expect_line "$T/out" "rhost: 10.8.1.1 read as address 10.8.1.1" "i9_02 explain address outside"
run "$HOSTGATE" $ODD explain root --service sshd
expect_rc 0 "i9_02 explain local"
expect_line "$T/out" "rhost: none (local)" "i9_02 explain local"

# An allow with from= does not meet a host name; one without from= does.
run "$HOSTGATE" $ODD explain root --service ftp --from host.example
expect_rc 1 "i9_02 explain allow from= host name"
expect_line "$T/out" "reason: no-rule" "i9_02 explain allow from= host name"
run "$HOSTGATE" $ODD explain root --service ftp --from 10.1.1.1
expect_rc 0 "i9_02 explain allow from= address"

# --from local (the default) is no rhost, not a host name called "local".
run "$HOSTGATE" $ODD explain root --service login --from local
expect_rc 0 "i9_02 explain --from local"
expect_line "$T/out" "rhost: none (local)" "i9_02 explain --from local"
expect_line "$T/out" "reason: rule" "i9_02 explain --from local"
run "$HOSTGATE" $ODD explain root --service login --from=
expect_rc 0 "i9_02 explain --from= empty"

# Any string is explainable, and printed escaped.
run "$HOSTGATE" $ODD explain root --service sshd --from "$(printf 'a\033[2Jb\nc')"
expect_rc 1 "i9_02 explain escaped rhost"
expect_line "$T/out" "rhost: \"a\\x1b[2Jb\\x0ac\" $NOLIT" "i9_02 explain escaped rhost"
expect_line "$T/out" "$DENY2" "i9_02 explain escaped rhost"
if LC_ALL=C grep -q "$(printf '\033')" "$T/out"; then
	fail "i9_02 explain escaped rhost: raw ESC in the output"
fi

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
