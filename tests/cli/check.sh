#!/bin/sh
# hostgate check: exit codes, every error in order, warnings, trust.
. "${top_srcdir:?}/tests/cli/lib.sh"

cat >"$T/policy.conf" <<'P'
role admins = @root
role console = root
allow admins service=sshd from=10.0.0.0/8 mfa
allow console service=login from=local
deny admins service=sshd from=10.66.0.0/16
P

# Settings that make check say nothing about lockout (see i9_16 below).
printf 'policy = %s/policy.conf\nlockout_root = yes\n' "$T" >"$T/quiet.conf"
QUIET="--config $T/quiet.conf"
DENY_FROM="this deny also applies to every rhost that is not an address literal (a host name, as sshd passes with UseDNS yes), whatever its from= lists"

run "$HOSTGATE" check $QUIET "$T/policy.conf"
expect_rc 0 "check valid"
expect_line "$T/out" "$T/policy.conf: valid (1 file, 2 roles, 3 rules, 1 warning)" "check valid"
printf '%s\n' "$T/policy.conf:5:1: warning: $DENY_FROM" >"$T/want"
cmp -s "$T/want" "$T/err" || { fail "check valid: stderr differs"; diff "$T/want" "$T/err" || :; }

# i9_02: each deny with from= is named, with why a host name meets it;
# a warning leaves the exit code alone.
cat >"$T/deny-from.conf" <<'P'
role ops = root
allow ops service=sshd
deny  ops service=sshd from=10.9.0.0/16,fe80::/10
deny  ops service=sudo from=*
deny  ops service=login
P
run "$HOSTGATE" check $QUIET "$T/deny-from.conf"
expect_rc 0 "i9_02 check deny from= warning"
printf '%s\n' "$T/deny-from.conf:3:1: warning: $DENY_FROM" >"$T/want"
cmp -s "$T/want" "$T/err" || { fail "i9_02 check deny from= warning: stderr differs"; diff "$T/want" "$T/err" || :; }
expect_line "$T/out" "$T/deny-from.conf: valid (1 file, 1 role, 4 rules, 1 warning)" "i9_02 check deny from= warning"

# i9_16: root is exempt from lockout unless lockout_root = yes; check says
# so from the settings it reads (--config, or the default file), as a
# warning on stderr that leaves the exit code alone.
ROOT_EXEMPT="lockout_root = no: root is exempt from lockout, so anyone who knows root's password can guess root's code at the rate sshd allows; set lockout_root = yes, or deny root over ssh in the policy"
printf 'policy = %s/policy.conf\n' "$T" >"$T/default.conf"
run "$HOSTGATE" check --config "$T/default.conf"
expect_rc 0 "i9_16 check lockout_root default"
expect_line "$T/err" "hostgate: check: warning: $T/default.conf: $ROOT_EXEMPT" "i9_16 check lockout_root default"
printf 'policy = %s/policy.conf\nlockout_root = no\n' "$T" >"$T/no.conf"
run "$HOSTGATE" check --config "$T/no.conf" "$T/policy.conf"
expect_rc 0 "i9_16 check lockout_root = no, FILE"
expect_line "$T/err" "hostgate: check: warning: $T/no.conf: $ROOT_EXEMPT" "i9_16 check lockout_root = no, FILE"
run "$HOSTGATE" --config "$T/quiet.conf" check
expect_rc 0 "i9_16 check lockout_root = yes"
grep -q "lockout_root" "$T/err" && fail "i9_16 check lockout_root = yes: $(cat "$T/err")"
printf 'role a = root\nallow nope\n' >"$T/invalid.conf"
run "$HOSTGATE" check --config "$T/no.conf" "$T/invalid.conf"
expect_rc 1 "i9_16 check invalid policy still exit 1"
expect_line "$T/err" "hostgate: check: warning: $T/no.conf: $ROOT_EXEMPT" "i9_16 check invalid policy still exit 1"
# Unreadable settings: an error when named, a warning beside a FILE.
run "$HOSTGATE" check --config "$T/no-such-settings.conf" "$T/policy.conf"
expect_rc 1 "i9_16 check named settings missing"

# FILE defaults to the settings' policy.
run "$HOSTGATE" $CONF check
expect_rc 0 "check default file"
run "$HOSTGATE" check --config "$T/hostgate.conf"
expect_rc 0 "check --config after the command"

# Three deliberate errors: all reported, in order, and exit 1.
cat >"$T/bad.conf" <<'P'
role admins = @root
role developers = @devs
allow admins from=10.0.0.0/33 mfa
allow devs service=sshd
deny developers service=sudo time=Mon-Xyz
P
run "$HOSTGATE" check $QUIET "$T/bad.conf"
expect_rc 1 "check three errors"
cat >"$T/want" <<W
$T/bad.conf:3:28: error: prefix length 33 out of range for IPv4 (0-32)
$T/bad.conf:4:7: error: unknown role 'devs' (defined roles: admins, developers)
$T/bad.conf:5:39: error: unknown day 'Xyz' (expected Mon, Tue, Wed, Thu, Fri, Sat, Sun or *)
W
cmp -s "$T/want" "$T/err" || { fail "check three errors: stderr differs"; diff "$T/want" "$T/err" || :; }
[ -s "$T/out" ] && fail "check three errors: stdout not empty"

# An error in an include names the include.
mkdir "$T/inc" "$T/inc/policy.d"
printf 'role admins = @root\nallow admins\n' >"$T/inc/policy.conf"
printf '# developers\nrole developers = @devs\nallow        devs service=sshd\n' \
    >"$T/inc/policy.d/20-dev.conf"
run "$HOSTGATE" check "$T/inc/policy.conf"
expect_rc 1 "check include error"
expect_line "$T/err" "$T/inc/policy.d/20-dev.conf:3:14: error: unknown role 'devs' (defined roles: admins, developers)" "check include error"

# Missing and untrusted files are errors.
run "$HOSTGATE" check "$T/none.conf"
expect_rc 1 "check missing"
expect_line "$T/err" "$T/none.conf: error: no such file" "check missing"

cp "$T/policy.conf" "$T/gw.conf"
chmod 664 "$T/gw.conf"
run "$HOSTGATE" check "$T/gw.conf"
expect_rc 1 "check group-writable"
grep -q "^$T/gw.conf: error: mode 0664 is too open" "$T/err" ||
    fail "check group-writable: $(cat "$T/err")"

ln -s "$T/policy.conf" "$T/link.conf"
run "$HOSTGATE" check "$T/link.conf"
expect_rc 1 "check symlink"
expect_line "$T/err" "$T/link.conf: error: is a symbolic link" "check symlink"

cp "$T/policy.conf" "$T/other.conf"
chown 1:1 "$T/other.conf"
run "$HOSTGATE" check "$T/other.conf"
expect_rc 1 "check other owner"
expect_line "$T/err" "$T/other.conf: error: owned by uid 1, must be owned by uid 0" "check other owner"

mkdir -m 775 "$T/gwd" "$T/gwd/policy.d"
chmod 775 "$T/gwd/policy.d"
cp "$T/policy.conf" "$T/gwd/policy.conf"
run "$HOSTGATE" check "$T/gwd/policy.conf"
expect_rc 1 "check group-writable policy.d"
expect_line "$T/err" "$T/gwd/policy.d: error: directory mode 0775 lets others write to it" "check group-writable policy.d"

# Warnings do not make a policy invalid.
cat >"$T/warn.conf" <<'P'
role admins = @root @no-such-group-hg
role spare = root
role all = *
allow admins service=sshd from=10.1.0.0/16
deny all from=10.0.0.0/8
P
run "$HOSTGATE" check $QUIET "$T/warn.conf"
expect_rc 0 "check warnings"
cat >"$T/want" <<W
$T/warn.conf:1:21: warning: group 'no-such-group-hg' is unknown to NSS
$T/warn.conf:2:6: warning: role 'spare' is never used by a rule
$T/warn.conf:4:1: warning: rule can never match: the deny at $T/warn.conf:5 covers all it allows
$T/warn.conf:5:1: warning: $DENY_FROM
$T/warn.conf:1:1: warning: the policy allows no one (no allow rule can ever match)
W
cmp -s "$T/want" "$T/err" || { fail "check warnings: stderr differs"; diff "$T/want" "$T/err" || :; }
expect_line "$T/out" "$T/warn.conf: valid (1 file, 3 roles, 2 rules, 5 warnings)" "check warnings"

# The dispatcher.
run "$HOSTGATE" frobnicate
expect_rc 2 "unknown command"
expect_line "$T/err" "hostgate: unknown command 'frobnicate'" "unknown command"
run "$HOSTGATE"
expect_rc 2 "no command"
run "$HOSTGATE" check a b
expect_rc 2 "check two files"
run "$HOSTGATE" --bogus check
expect_rc 2 "unknown global option"
run "$HOSTGATE" --help
expect_rc 0 "--help"
# Commands in their own files get a global --config in their argv.
run "$HOSTGATE" --config "$T/no-such-hg.conf" audit verify
expect_rc 1 "global --config handed on"
grep -q "$T/no-such-hg.conf" "$T/err" ||
    fail "global --config handed on: $(cat "$T/err")"

finish
