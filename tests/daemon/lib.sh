# Shared by the hostgated tests (sourced).  Each test gets a private tree
# $T: settings, a root-owned policy, the socket, journal, spool and state
# directories.  It starts hostgated there (hg_start), talks to it with
# hgsend, and finishes with hg_done.  Every process it started, every user
# and group it created and $T itself are removed on exit, pass or fail.
#
# The daemon trusts only a root-owned policy and reports peer uids, so the
# tests need root: they skip (77) otherwise, except under CI=true, where a
# skip would hide them (99).

set -eu

: "${top_builddir:?}" "${top_srcdir:?}"
HOSTGATED=$top_builddir/helper/hostgated
HOSTGATED_TEST=$top_builddir/tests/daemon/hostgated-test
HOSTGATE=$top_builddir/cli/hostgate
HGSEND=$top_builddir/tests/daemon/hgsend
HGDIFF=$top_builddir/tests/daemon/hgdiff
HGVERIFY=$top_builddir/tests/daemon/hgverify
FAILS=0
PIDS=""
HG_USERS=""
HG_GROUPS=""
T=""

hg_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (the policy must be root-owned)"
		[ "${CI:-}" = true ] && exit 99
		exit 77
	fi
	for tool in setpriv useradd groupadd; do
		command -v "$tool" >/dev/null || {
			echo "ERROR: $tool is missing"; exit 99; }
	done
}

hg_cleanup() {
	local p u
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
	for u in $HG_USERS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			userdel -f "$u" 2>/dev/null && break
			id "$u" >/dev/null 2>&1 || break
			sleep 0.3
		done
	done
	for u in $HG_GROUPS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			groupdel "$u" 2>/dev/null && break
			getent group "$u" >/dev/null || break
			sleep 0.3
		done
	done
	if [ -n "$T" ]; then
		rm -rf "$T"
	fi
}

# hg_conf: (re)write the settings for the tree.
hg_conf() {
	cat > "$T/hostgate.conf" <<EOF
policy = ${POLICY:-$T/policy.conf}
state_dir = $T/state
audit_socket = $SOCK
audit_log = $JOURNAL
audit_spool = $T/spool
EOF
}

hg_setup() {
	hg_require_root
	umask 022
	T=$(mktemp -d /tmp/hgd.XXXXXX)
	chmod 0755 "$T"
	trap hg_cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir "$T/run" "$T/log" "$T/spool" "$T/state"
	SOCK=$T/run/hostgated.sock
	JOURNAL=$T/log/audit.jsonl
	cat > "$T/policy.conf" <<EOF
role admins = root
allow admins service=sshd,sudo
EOF
	hg_conf
	: > "$T/syslog"
}

# hg_start [-b BINARY] [ENV=VALUE...]: start the daemon (hostgated-test by
# default: its syslog goes to $T/syslog) and wait until it accepts.
hg_start() {
	local bin=$HOSTGATED_TEST
	if [ "${1:-}" = -b ]; then
		bin=$2
		shift 2
	fi
	env HG_SYSLOG="$T/syslog" "$@" $HG_PREFIX "$bin" \
	    --config "$T/hostgate.conf" 2>>"$T/daemon.err" &
	DPID=$!
	PIDS="$PIDS $DPID"
	if ! "$HGSEND" wait "$SOCK" 10 >/dev/null; then
		echo "ERROR: hostgated did not start:"
		cat "$T/daemon.err"
		exit 99
	fi
}
HG_PREFIX=""

# hg_stop [SIGNAL]: stop the daemon; its exit status is left in $STOP_RC.
hg_stop() {
	kill -"${1:-TERM}" "$DPID"
	STOP_RC=0
	{ wait "$DPID"; } 2>/dev/null || STOP_RC=$?
	forget "$DPID"
}

# forget PID: PID was waited for; cleanup must not signal it again.
forget() {
	local p rest=""
	for p in $PIDS; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	PIDS=$rest
}

pass() {
	echo "ok: $*"
}

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# expect_eq DESCRIPTION GOT WANTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (got '$2', wanted '$3')"
	fi
}

# expect_log TEXT DESCRIPTION: the daemon logged TEXT.
expect_log() {
	if grep -qF -- "$1" "$T/syslog"; then
		pass "$2"
	else
		fail "$2 (log lacks '$1')"
		sed 's/^/    | /' "$T/syslog" | tail -20
	fi
}

# verify [ARG...]: "hostgate audit verify ARG..."; output in $T/vout,
# status in $VRC.  Until cli/hostgate has its "audit" table entry this
# runs the same cli_audit() through hgverify.
verify() {
	local cli=$HOSTGATE
	if "$HOSTGATE" audit verify /dev/null 2>&1 | grep -q "unknown command"
	then
		cli=$HGVERIFY
	fi
	VRC=0
	"$cli" audit verify "$@" >"$T/vout" 2>&1 || VRC=$?
}

# jfield FILE LINE KEY: the raw JSON value of KEY on line LINE of FILE.
jfield() {
	sed -n "${2}p" "$1" | sed -n "s/.*\"$3\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p"
}

# acked_missing ACKFILE JOURNAL...: how many "ID SEQ" lines of ACKFILE
# do not have their record (tty ID) at that seq in the journals.
acked_missing() {
	local acks=$1
	shift
	cat "$@" | awk -v acks="$acks" '
	{
		if (match($0, /"seq":[0-9]+/))
			s = substr($0, RSTART + 6, RLENGTH - 6)
		if (match($0, /"tty":"[^"]*"/))
			tty[s] = substr($0, RSTART + 7, RLENGTH - 8)
	}
	END {
		while ((getline line < acks) > 0) {
			split(line, f, " ")
			if (tty[f[2]] != f[1])
				bad++
		}
		print bad + 0
	}'
}

# hg_user: a real user (no home, no login); its name is left in $NEWUSER.
hg_user() {
	local name i
	name="hgd$$x$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	for i in $(seq 1 30); do
		useradd -M -N -s /usr/sbin/nologin "$name" 2>/dev/null && break
		sleep 0.2
	done
	id "$name" >/dev/null 2>&1 || { echo "ERROR: useradd failed"; exit 99; }
	HG_USERS="$HG_USERS $name"
	NEWUSER=$name
}

# hg_group [MEMBER]: a real group; its name is left in $NEWGROUP.
hg_group() {
	local name i
	name="hgd$$g$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	for i in $(seq 1 30); do
		groupadd "$name" 2>/dev/null && break
		sleep 0.2
	done
	getent group "$name" >/dev/null || { echo "ERROR: groupadd failed"; exit 99; }
	HG_GROUPS="$HG_GROUPS $name"
	NEWGROUP=$name
	if [ -n "${1:-}" ]; then
		for i in $(seq 1 30); do
			usermod -a -G "$name" "$1" 2>/dev/null && return 0
			sleep 0.2
		done
		echo "ERROR: usermod failed"
		exit 99
	fi
}

hg_done() {
	# Under the sanitizers, whatever they found in the daemon.
	if grep -qE "Sanitizer|runtime error" "$T/daemon.err" 2>/dev/null; then
		fail "the sanitizers reported:"
		grep -A20 -E "Sanitizer|runtime error" "$T/daemon.err" | head -60
	fi
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		echo "---- daemon log (last 30 lines):"
		tail -30 "$T/syslog" 2>/dev/null || true
		cat "$T/daemon.err" 2>/dev/null || true
		exit 1
	fi
	exit 0
}
