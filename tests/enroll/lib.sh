# Shared by the enroll/import/seal/status tests (sourced after
# tests/pam/lib.sh, whose hg_setup makes the private tree in $T and whose
# trap removes it and the users made by hg_user).
#
# The CLI under test is $HOSTGATE (default: the built cli/hostgate).

HOSTGATE=${HOSTGATE:-$top_builddir/cli/hostgate}
[ -x "$HOSTGATE" ] || { echo "ERROR: no $HOSTGATE"; exit 99; }
ENROLL_DIR=$top_srcdir/tests/enroll
IMPORT_DATA=$top_srcdir/tests/data/import

# hgc ARGS...: run the CLI on the private tree (the settings file comes
# first, as a global option, so that the dispatcher hands it on); stdout
# in $T/cout, stderr in $T/cerr, the exit status in $rc.  No terminal.
hgc() {
	set +e
	"$HOSTGATE" --config "$T/hostgate.conf" "$@" </dev/null \
	    >"$T/cout" 2>"$T/cerr"
	rc=$?
	set -e
}

# expect_rc N DESCRIPTION: the last hgc exited N.
expect_rc() {
	if [ "$rc" = "$1" ]; then
		pass "$2"
	else
		fail "$2 (exit $rc, wanted $1)"
		sed 's/^/  stdout: /' "$T/cout"
		sed 's/^/  stderr: /' "$T/cerr"
	fi
}

# expect_out FILE REGEX DESCRIPTION: a line of FILE (cout, cerr) matches.
expect_out() {
	if grep -qE -- "$2" "$T/$1"; then
		pass "$3"
	else
		fail "$3 (no line matching '$2' in $1)"
		sed 's/^/  | /' "$T/$1"
	fi
}

# expect_no_out FILE REGEX DESCRIPTION: no line of FILE matches.
expect_no_out() {
	if grep -qE -- "$2" "$T/$1"; then
		fail "$3 (a line matches '$2' in $1)"
		grep -E -- "$2" "$T/$1" | sed 's/^/  | /'
	else
		pass "$3"
	fi
}

# check WHAT COMMAND...: pass if COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# The otpauth:// URI the last enroll printed, and a parameter of it.
uri_of() {
	grep -m1 '^otpauth://' "$T/cout"
}
uri_param() {
	uri_of | sed -n "s/.*[?&]$1=\([^&]*\).*/\1/p"
}

# The secret of the last enroll, noted as a secret of the test.
enrolled_secret() {
	local s
	s=$(uri_param secret)
	echo "$s" >> "$T/secrets"
	echo "$s"
}

# The recovery codes the last enroll printed, one a line.
recovery_codes() {
	sed -n 's/^  \([0-9a-z]\{5\}-[0-9a-z]\{5\}\)$/\1/p' "$T/cout" |
	    tee -a "$T/secrets"
}

# mode_of FILE: "MODE UID" as stat prints them.
mode_of() {
	stat -c '%a %u' "$1"
}

# as_nobody COMMAND...: run COMMAND as nobody (the CLI must refuse).
as_nobody() {
	set +e
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@" \
	    </dev/null >"$T/cout" 2>"$T/cerr"
	rc=$?
	set -e
}
