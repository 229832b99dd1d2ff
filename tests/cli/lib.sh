# Shared by the CLI tests (sourced).  The CLI trusts root-owned files only,
# so these tests need root: they skip (77) otherwise, and fail under CI=true
# where a skip would hide them.

set -eu

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the hostgate CLI trusts only root-owned files; run as root"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

umask 022
HOSTGATE=${top_builddir:?}/cli/hostgate
[ -x "$HOSTGATE" ] || { echo "no $HOSTGATE"; exit 99; }
T=$(mktemp -d /tmp/hostgate-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'policy = %s/policy.conf\n' "$T" >"$T/hostgate.conf"
CONF="--config $T/hostgate.conf"
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# run CMD...: runs it with stdin from /dev/null unless redirected by the
# caller; sets $rc and leaves stdout in $T/out, stderr in $T/err.
run() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

expect_rc() {
	if [ "$rc" != "$1" ]; then
		fail "$2: exit $rc, expected $1"
		sed 's/^/  stdout: /' "$T/out"
		sed 's/^/  stderr: /' "$T/err"
	fi
}

# expect_line FILE TEXT WHAT: FILE has a line that is exactly TEXT.
expect_line() {
	grep -qxF -- "$2" "$1" || {
		fail "$3: no line '$2' in $(basename "$1")"
		sed 's/^/  | /' "$1"
	}
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	echo "all passed"
}
