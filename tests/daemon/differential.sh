#!/bin/sh
# The decision service gives the same answer as the module's local
# evaluation: for every case of the policy golden files (tests/data/policy,
# whose users and groups hgdiff serves through nss_shim.c), hostgated's
# reply, the local result and the golden expectation must agree.  Then the
# warm policy follows edits (in place, within the same second, new files
# in policy.d, a broken edit: policy-invalid, a fix), and the real
# hostgated with real NSS users and groups agrees too.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup

# run_cases POLICY CASES: start hostgated-test on POLICY, run the cases.
run_cases() {
	POLICY=$1; hg_conf
	hg_start HG_NSS="$T/nss" TZ=UTC
	TZ=UTC HG_NSS="$T/nss" "$HGDIFF" "$SOCK" "$1" "$2" > "$T/diff" ||
	    true
	grep -E '^(ok|FAIL):' "$T/diff" | sed "s|$T/||g"
	FAILS=$((FAILS + $(grep -c '^FAIL' "$T/diff" || true)))
	grep -q '^[0-9]* cases, 0 failed$' "$T/diff" ||
	    fail "$2: $(tail -1 "$T/diff")"
	hg_stop
}

cp -R "$top_srcdir/tests/data/policy" "$T/data"
chmod -R go-w "$T/data"
ncases=0
for cases in $(find "$T/data" -name '*.cases' | sort); do
	run_cases "${cases%.cases}.policy" "$cases"
	ncases=$((ncases + $(grep -c '^ok:' "$T/diff" || true)))
done
if [ "$ncases" -ge 60 ]; then
	pass "$ncases golden cases agree"
else
	fail "only $ncases golden cases ran"
fi

# --- the warm policy follows its files ------------------------------------------
mkdir "$T/live"
P=$T/live/policy.conf
printf 'role ops = @ops\nallow ops service=sshd\n' > "$P"
POLICY=$P; hg_conf
hg_start HG_NSS="$T/nss" TZ=UTC

# decide DESCRIPTION CASE...: the cases (golden syntax) agree.
decide() {
	local what=$1
	shift
	printf '%s\n' "$@" > "$T/live.cases"
	if TZ=UTC HG_NSS="$T/nss" "$HGDIFF" "$SOCK" "$P" "$T/live.cases" \
	    > "$T/diff"; then
		pass "$what"
	else
		fail "$what: $(grep FAIL "$T/diff")"
	fi
}

decide "the loaded policy decides" \
    "u groups=ops service=sshd -> allow rule policy.conf:2"
# The same size, written in place, within the same second.
printf 'role ops = @ops\ndeny  ops service=sshd\n' > "$P"
decide "an edit in place of the same size is seen at once" \
    "u groups=ops service=sshd -> deny rule policy.conf:2"
mkdir "$T/live/policy.d"
printf 'allow ops service=sudo\n' > "$T/live/policy.d/10-sudo.conf"
decide "a new file in policy.d is seen" \
    "u groups=ops service=sudo -> allow rule policy.d/10-sudo.conf:1"
printf 'allow ops service=su\n' >> "$T/live/policy.d/10-sudo.conf"
decide "an edit in policy.d is seen" \
    "u groups=ops service=su -> allow rule policy.d/10-sudo.conf:2"
: > "$T/syslog"
printf 'this is not a rule\n' >> "$P"
decide "a broken edit: everyone is denied, policy-invalid" \
    "u groups=ops service=sudo -> deny policy-invalid" \
    "u groups=ops service=sshd -> deny policy-invalid" \
    "root groups=root service=sshd -> deny policy-invalid"
expect_eq "... logged once for the change, naming the line" \
    "$(grep -c 'policy.conf:3.*the policy is invalid, denying everyone' \
    "$T/syslog")" 1
printf 'role ops = @ops\nallow ops service=sshd\n' > "$P"
decide "fixed: decisions are back" \
    "u groups=ops service=sshd -> allow rule policy.conf:2"
chmod g+w "$T/live/policy.d/10-sudo.conf"
decide "a group-writable include: policy-invalid" \
    "u groups=ops service=sshd -> deny policy-invalid"
chmod g-w "$T/live/policy.d/10-sudo.conf"
decide "trusted again: valid again" \
    "u groups=ops service=sudo -> allow rule policy.d/10-sudo.conf:1"
rm "$T/live/policy.d/10-sudo.conf"
decide "a removed include is seen" \
    "u groups=ops service=sudo -> deny no-rule"
mv "$P" "$T/live/elsewhere"
decide "a missing policy: policy-invalid" \
    "u groups=ops service=sshd -> deny policy-invalid"
mv "$T/live/elsewhere" "$P"
hg_stop

# --- the real thing: hostgated, real NSS -----------------------------------------
hg_user
member=$NEWUSER
hg_user
other=$NEWUSER
hg_group "$member"
group=$NEWGROUP
printf 'role r = @%s\nallow r service=sshd from=10.0.0.0/8\n' "$group" > "$P"
rm -rf "$T/live/policy.d"
hg_start -b "$HOSTGATED" TZ=UTC
printf '%s\n' \
    "$member service=sshd from=10.1.2.3 -> allow rule policy.conf:2" \
    "$member service=sshd from=192.168.1.1 -> deny no-rule" \
    "$member service=sudo from=10.1.2.3 -> deny no-rule" \
    "$other service=sshd from=10.1.2.3 -> deny no-rule" \
    "no-such-user-hgd service=sshd -> deny unknown-user" > "$T/real.cases"
TZ=UTC "$HGDIFF" "$SOCK" "$P" "$T/real.cases" > "$T/diff" || true
sed "s|$T/||g" "$T/diff" | grep -E '^(ok|FAIL):' | sed 's/^ok:/ok: real NSS:/'
FAILS=$((FAILS + $(grep -c '^FAIL' "$T/diff" || true)))
grep -q '^5 cases, 0 failed$' "$T/diff" || fail "real NSS: $(tail -1 "$T/diff")"
hg_stop
hg_done
