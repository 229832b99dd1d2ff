# Shared helpers for the PAM stack tests: real libpam, the built module named
# by absolute path in a private service directory, real users with shadow
# passwords set by chpasswd, and codes computed by oathtool.
#
# A test sources this file, calls hg_setup, and finishes with hg_done.
# Everything it creates (users, files) is removed on exit, pass or fail.

set -eu

: "${top_builddir:?}" "${top_srcdir:?}"
# HG_MODULE runs the stacks against another build of the module.
MODULE="${HG_MODULE:-$top_builddir/pam_module/.libs/pam_hostgate.so}"
HGPAM="$top_builddir/tests/pam/hgpam"
NSSFOLD="$top_builddir/tests/.libs/nssfold.so"
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
HG_FAILS=0
HG_USERS=""
HG_GROUPS=""

# Root-only tests skip (77) when not root, except under CI, where a skip
# would hide a missing test: there it is a hard error (99).
hg_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root"
		[ "${CI:-}" = true ] && exit 99
		exit 77
	fi
	for tool in oathtool useradd chpasswd; do
		command -v "$tool" >/dev/null || {
			echo "ERROR: $tool is missing (run ./scripts/test)"; exit 99; }
	done
	[ -r "$LIBFAKETIME" ] || { echo "ERROR: libfaketime missing"; exit 99; }
}

hg_cleanup() {
	local u
	for u in $HG_USERS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			# -f: a uid-0 alias always "has processes running".
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
	[ -n "${T:-}" ] && rm -rf "$T"
}

# hg_group: create a real group; its name is left in $NEWGROUP.
hg_group() {
	local name i
	name="hgg$$x$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	for i in $(seq 1 30); do
		groupadd "$name" 2>/dev/null && break
		sleep 0.2
	done
	getent group "$name" >/dev/null || { echo "ERROR: groupadd $name failed"; exit 99; }
	HG_GROUPS="$HG_GROUPS $name"
	NEWGROUP=$name
}

# hg_join USER GROUP: add USER to GROUP (a supplementary group).
hg_join() {
	local i
	for i in $(seq 1 30); do
		usermod -a -G "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "ERROR: usermod -a -G $2 $1 failed"
	exit 99
}

# A private tree: settings, seeds, state and a PAM service directory.
hg_setup() {
	hg_require_root
	umask 022
	T=$(mktemp -d /tmp/hgtest.XXXXXX)
	trap hg_cleanup EXIT
	mkdir -m 0700 "$T/totp" "$T/state" "$T/spool"
	mkdir "$T/pam.d"
	: > "$T/syslog"
	: > "$T/secrets"
	hg_conf ""
	hg_service hgtest "auth required $MODULE config=$T/hostgate.conf"
	hg_service other "auth required pam_deny.so"
}

# hg_conf TEXT: write hostgate.conf pointing at the private tree, plus TEXT.
hg_conf() {
	cat > "$T/hostgate.conf" <<EOF
secrets_dir = $T/totp
state_dir = $T/state
seed_key = $T/seed.key
audit_socket = $T/hostgated.sock
audit_spool = $T/spool
$1
EOF
}

# hg_service NAME LINES...: one PAM service file, one line per argument.
hg_service() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$T/pam.d/$name"
}

# hg_user PASSWORD [chpasswd options]: create a real user; its name is left
# in $NEWUSER (not printed: a subshell would lose the cleanup list).
hg_user() {
	local pw=$1 name i
	shift
	name="hgt$$x$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	# useradd takes a lock on /etc/passwd; parallel tests may collide.
	for i in $(seq 1 30); do
		useradd -M -N -s /usr/sbin/nologin "$name" 2>/dev/null && break
		sleep 0.2
	done
	id "$name" >/dev/null 2>&1 || { echo "ERROR: useradd $name failed"; exit 99; }
	HG_USERS="$HG_USERS $name"
	for i in $(seq 1 30); do
		echo "$name:$pw" | chpasswd "$@" 2>/dev/null && break
		sleep 0.2
	done
	echo "$pw" >> "$T/secrets"
	NEWUSER=$name
}

# hg_secret: a fresh random base32 secret of 20 bytes.
hg_secret() {
	local s
	s=$(head -c 20 /dev/urandom | base32 | tr -d '=\n')
	echo "$s" >> "$T/secrets"
	echo "$s"
}

# hg_seed USER SECRET [LINES...]: a plain seed file, root 0600.
hg_seed() {
	local user=$1 secret=$2
	shift 2
	{
		echo "# hostgate seed for $user"
		echo "secret = $secret"
		printf '%s\n' "$@"
	} > "$T/totp/$user"
	chmod 0600 "$T/totp/$user"
}

# hg_code SECRET [UNIXTIME] [oathtool options]: the code oathtool computes.
hg_code() {
	local secret=$1 at=${2:-} mode=--totp c
	shift $(( $# >= 2 ? 2 : 1 ))
	case " $* " in *" --totp="*) mode="" ;; esac
	if [ -n "$at" ]; then
		c=$(oathtool $mode -b "$@" --now "$(date -u -d "@$at" '+%Y-%m-%d %H:%M:%S UTC')" "$secret")
	else
		c=$(oathtool $mode -b "$@" "$secret")
	fi
	echo "$c" >> "$T/secrets"
	echo "$c"
}

# hg_pam [-T UNIXTIME] [-F] HGPAM-ARGS...: run one transaction; output in
# $T/out.  With -T the clock is frozen at UNIXTIME (libfaketime); with -F
# user names are looked up as a case-insensitive NSS source does.
hg_pam() {
	local at="" preload="${LD_PRELOAD:-}"
	if [ "${1:-}" = -T ]; then
		at=$2
		shift 2
		preload=$LIBFAKETIME
	fi
	if [ "${1:-}" = -F ]; then
		shift
		preload="$preload $NSSFOLD"
	fi
	if [ -n "$at" ]; then
		HG_SYSLOG="$T/syslog.cur" TZ=UTC LD_PRELOAD="$preload" \
		    FAKETIME="$(date -u -d "@$at" '+%Y-%m-%d %H:%M:%S')" \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 \
		    "$HGPAM" -c "$T/pam.d" "$@" > "$T/out" 2>&1 || true
	else
		HG_SYSLOG="$T/syslog.cur" LD_PRELOAD="$preload" \
		    "$HGPAM" -c "$T/pam.d" "$@" > "$T/out" 2>&1 || true
	fi
	touch "$T/syslog.cur"
	cat "$T/syslog.cur" >> "$T/syslog"
	mv "$T/syslog.cur" "$T/syslog.last"
}

fail() {
	echo "FAIL: $*"
	echo "---- transaction output:"; cat "$T/out"
	echo "---- logged:"; cat "$T/syslog.last" 2>/dev/null || true
	HG_FAILS=$((HG_FAILS + 1))
}

pass() {
	echo "ok: $*"
}

# expect LINE DESCRIPTION: the last transaction printed exactly LINE.
expect() {
	if grep -qxF -- "$1" "$T/out"; then pass "$2"; else fail "$2 (wanted '$1')"; fi
}

# expect_not LINE DESCRIPTION: the last transaction did not print LINE.
expect_not() {
	if grep -qxF -- "$1" "$T/out"; then fail "$2 (got '$1')"; else pass "$2"; fi
}

# expect_delay MS DESCRIPTION: a fail delay of about MS was requested
# (libpam randomises the delay by up to half either way).
expect_delay() {
	local d
	d=$(sed -n 's/^delay: //p' "$T/out")
	if [ -n "$d" ] && [ "$d" -ge $(( $1 * 500 )) ] && [ "$d" -le $(( $1 * 1500 )) ]; then
		pass "$2"
	else
		fail "$2 (delay '$d', wanted about ${1} ms)"
	fi
}

# hash_of USER: the user's shadow hash field.
hash_of() {
	getent shadow "$1" | cut -d: -f2
}

# expect_log TEXT DESCRIPTION: the last transaction logged TEXT.
expect_log() {
	if grep -qF -- "$1" "$T/syslog.last"; then pass "$2"; else fail "$2 (log lacks '$1')"; fi
}

# expect_prompts P...: the last transaction asked exactly these, in order.
expect_prompts() {
	local want="" got
	[ $# -eq 0 ] || want=$(printf 'prompt: %s\n' "$@")
	got=$(grep '^prompt: ' "$T/out" || true)
	if [ "$want" = "$got" ]; then
		pass "prompts: $*"
	else
		fail "prompts: wanted [$want] got [$got]"
	fi
}

# The module must never log a password, code or secret: check every word
# the test recorded as secret against everything captured from syslog.
hg_done() {
	local s leaked=0
	while read -r s; do
		[ -n "$s" ] || continue
		if grep -qwF -- "$s" "$T/syslog"; then
			echo "FAIL: a secret of this test appears in the log"
			leaked=1
		fi
	done < "$T/secrets"
	if [ "$leaked" = 0 ]; then
		pass "no password, code or secret in $(wc -l < "$T/syslog") log lines"
	else
		HG_FAILS=$((HG_FAILS + 1))
	fi
	# The capture itself must work, or the check above proves nothing.
	if ! grep -qE 'event=(auth|account)' "$T/syslog"; then
		echo "FAIL: nothing was captured from syslog"
		HG_FAILS=$((HG_FAILS + 1))
	fi
	if [ "$HG_FAILS" -ne 0 ]; then
		echo "$HG_FAILS check(s) failed"
		exit 1
	fi
	exit 0
}
