#!/bin/sh
# hostgate edit: visudo-style locking, validation and atomic replacement,
# driven by EDITOR scripts.
. "${top_srcdir:?}/tests/cli/lib.sh"

cat >"$T/policy.conf" <<'P'
role admins = @root
allow admins service=sshd
P
chmod 640 "$T/policy.conf"
mkdir "$T/policy.d" "$T/tmp"
cp -p "$T/policy.conf" "$T/orig"
# The editor's copies go here, so that leftovers can be seen.
TMPDIR=$T/tmp
export TMPDIR

# Editors: each gets the temporary copy as $1.
cat >"$T/ed-append" <<'E'
#!/bin/sh
echo 'allow admins service=sudo mfa' >>"$1"
E
cat >"$T/ed-break" <<'E'
#!/bin/sh
printf 'role admins = @root\nallow admins from=10.0.0.0/33\n' >"$1"
E
cat >"$T/ed-nothing" <<'E'
#!/bin/sh
exit 0
E
cat >"$T/ed-fail" <<'E'
#!/bin/sh
echo 'allow admins service=ftp' >>"$1"
exit 3
E
# Breaks the file the first time, fixes it the second.
cat >"$T/ed-twice" <<E
#!/bin/sh
if [ -e "$T/second" ]; then
	printf 'role admins = @root\nallow admins service=login\n' >"\$1"
else
	touch "$T/second"
	echo 'allow nobody-role' >>"\$1"
fi
E
cat >"$T/ed-marker" <<E
#!/bin/sh
touch "$T/editor-ran"
E
chmod 755 "$T"/ed-*

# A valid edit replaces the file, keeping its mode and owner.
run env EDITOR="$T/ed-append" VISUAL= "$HOSTGATE" $CONF edit </dev/null
expect_rc 0 "edit valid"
expect_line "$T/policy.conf" "allow admins service=sudo mfa" "edit valid"
[ "$(stat -c %a:%u "$T/policy.conf")" = 640:0 ] ||
    fail "edit valid: mode/owner now $(stat -c %a:%u "$T/policy.conf")"
[ -e "$T/policy.conf.new" ] && fail "edit valid: left policy.conf.new"
cp -p "$T/policy.conf" "$T/orig"

# VISUAL wins over EDITOR.
run env VISUAL="$T/ed-nothing" EDITOR="$T/ed-break" "$HOSTGATE" $CONF edit </dev/null
expect_rc 0 "edit VISUAL"
cmp -s "$T/orig" "$T/policy.conf" || fail "edit VISUAL: file changed"
expect_line "$T/err" "$T/policy.conf unchanged" "edit VISUAL"

# An invalid edit: errors shown under the real name, re-prompt, 'x'
# discards and leaves the original byte-identical.
run env EDITOR="$T/ed-break" VISUAL= "$HOSTGATE" $CONF edit <<'A'
x
A
expect_rc 1 "edit invalid"
cmp -s "$T/orig" "$T/policy.conf" || fail "edit invalid: file changed"
expect_line "$T/err" "$T/policy.conf:2:28: error: prefix length 33 out of range for IPv4 (0-32)" "edit invalid"
grep -q "(e)dit again, (x) discard" "$T/out" || fail "edit invalid: no prompt"

# End of input counts as discard; an unknown answer asks again.
run env EDITOR="$T/ed-break" VISUAL= "$HOSTGATE" $CONF edit <<'A'
maybe
A
expect_rc 1 "edit invalid, EOF"
[ "$(grep -o 'What now' "$T/out" | wc -l)" = 2 ] || fail "edit invalid, EOF: not asked twice"
cmp -s "$T/orig" "$T/policy.conf" || fail "edit invalid, EOF: file changed"

# 'e' edits again; the second, valid, version is installed.
rm -f "$T/second"
run env EDITOR="$T/ed-twice" VISUAL= "$HOSTGATE" $CONF edit <<'A'
e
A
expect_rc 0 "edit again"
expect_line "$T/err" "$T/policy.conf:4:7: error: unknown role 'nobody-role' (defined roles: admins)" "edit again"
expect_line "$T/policy.conf" "allow admins service=login" "edit again"
cp -p "$T/policy.conf" "$T/orig"

# A failing editor changes nothing.
run env EDITOR="$T/ed-fail" VISUAL= "$HOSTGATE" $CONF edit </dev/null
expect_rc 1 "edit editor fails"
cmp -s "$T/orig" "$T/policy.conf" || fail "edit editor fails: file changed"

# A second editor is refused while the lock is held (here by flock(1)
# on fd 9 of this shell), and its editor never runs.
exec 9>"$T/policy.conf.lock"
flock -x 9
run env EDITOR="$T/ed-marker" VISUAL= "$HOSTGATE" $CONF edit </dev/null
expect_rc 1 "edit locked"
expect_line "$T/err" "hostgate: edit: $T/policy.conf is being edited by someone else ($T/policy.conf.lock is locked); try again later" "edit locked"
[ -e "$T/editor-ran" ] && fail "edit locked: the editor ran"
exec 9>&-
run env EDITOR="$T/ed-marker" VISUAL= "$HOSTGATE" $CONF edit </dev/null
expect_rc 0 "edit after unlock"
[ -e "$T/editor-ran" ] || fail "edit after unlock: the editor did not run"

# --file picks a file of the set, validated together with the rest: a
# new include may use a role of the main file ...
run env EDITOR="$T/ed-append" VISUAL= "$HOSTGATE" $CONF edit --file "$T/policy.d/20-sudo.conf" </dev/null
expect_rc 0 "edit new include"
expect_line "$T/policy.d/20-sudo.conf" "allow admins service=sudo mfa" "edit new include"
[ "$(stat -c %a:%u "$T/policy.d/20-sudo.conf")" = 644:0 ] || fail "edit new include: mode"
# ... and its errors carry its own name.
rm -f "$T/second"
cp -p "$T/policy.d/20-sudo.conf" "$T/orig-inc"
run env EDITOR="$T/ed-twice" VISUAL= "$HOSTGATE" $CONF edit --file "$T/policy.d/20-sudo.conf" <<'A'
x
A
expect_rc 1 "edit include invalid"
expect_line "$T/err" "$T/policy.d/20-sudo.conf:2:7: error: unknown role 'nobody-role' (defined roles: admins)" "edit include invalid"
cmp -s "$T/orig-inc" "$T/policy.d/20-sudo.conf" || fail "edit include invalid: file changed"

run env EDITOR="$T/ed-nothing" VISUAL= "$HOSTGATE" $CONF edit --file /etc/passwd </dev/null
expect_rc 1 "edit outside the set"
run env EDITOR="$T/ed-nothing" VISUAL= "$HOSTGATE" $CONF edit --file "$T/policy.d/notes.txt" </dev/null
expect_rc 1 "edit non-.conf include"
run "$HOSTGATE" $CONF edit --bogus </dev/null
expect_rc 2 "edit usage"

# No temporary files are left behind.
[ -z "$(ls -A "$T/tmp")" ] || fail "temporary files left: $(ls -A "$T/tmp")"

finish
