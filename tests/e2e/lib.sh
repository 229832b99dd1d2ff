# Shared by the end-to-end tests (sourced).  They build the Debian package
# from a copy of the source tree (never in the tree itself: others build
# there), install it with apt-get, and drive the installed files:
# pam-auth-update, hostgated, hostgate, a real sshd and ssh client, sudo.
#
# They change the host, so they need root, run one at a time (a lock, and
# ordered .log dependencies in e2e.am), and put back everything they
# changed on exit, pass or fail: the package (purged), /etc/pam.d and
# /var/lib/pam byte for byte, the hostgate directories, /dev/log, /run/sshd,
# a sudoers.d file, the users they created and every process they started.
# Root-only: exit 77 when not root, 99 under CI=true.
#
# The .debs are built once per source tree and reused by the later tests
# (cache keyed by a hash of the copied files); the last test removes the
# cache.

set -eu

: "${top_srcdir:?}" "${top_builddir:?}"
E2E=$top_srcdir/tests/e2e
PY=/usr/bin/python3		# Debian's, with python3-pexpect
PKG=libpam-hostgate
E2E_CACHE=/tmp/hostgate-e2e-debs
JOURNAL=/var/log/hostgate/audit.jsonl
SOCKET=/run/hostgate/hostgated.sock
HG_DIRS="/etc/hostgate /var/lib/hostgate /var/log/hostgate /var/spool/hostgate /run/hostgate"
FAILS=0
PIDS=""
E2E_USERS=""
T=""
SNAP=""
DEVLOG_SAVED=""
DEVLOG_OURS=""
RUNSSHD_OURS=""
SUDOERS_FILE=""

# --- requirements ------------------------------------------------------------

e2e_require_root() {
	local tool top
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (installs a package, edits /etc/pam.d)"
		[ "${CI:-}" = true ] && exit 99
		exit 77
	fi
	# The suite copies the checkout's files (git ls-files): a release
	# tree has none ("configure --disable-e2e" leaves the suite out, as
	# make distcheck does).
	top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null || true)
	if [ -z "$top" ] || [ "$(cd "$top" && pwd -P)" != "$(cd "$top_srcdir" && pwd -P)" ]; then
		echo "SKIP: $top_srcdir is not a git checkout (configure --disable-e2e)"
		[ "${CI:-}" = true ] && exit 99
		exit 77
	fi
	for tool in dpkg-buildpackage dh lintian apt-get pam-auth-update \
	    /usr/sbin/sshd /usr/bin/ssh ssh-keygen sudo visudo oathtool \
	    systemd-analyze useradd userdel chpasswd setpriv flock; do
		command -v "$tool" >/dev/null || {
			echo "ERROR: $tool is missing (run ./scripts/deps)"
			exit 99
		}
	done
	"$PY" -c 'import pexpect' 2>/dev/null || {
		echo "ERROR: python3-pexpect is missing (run ./scripts/deps)"
		exit 99
	}
}

# --- setup and the undo of everything --------------------------------------

e2e_setup() {
	e2e_require_root
	umask 022
	# One test at a time on this host, whichever checkout it runs from: a
	# lock on /etc/pam.d itself, so no lock file is left behind.
	exec 9</etc/pam.d
	if ! flock -w 1800 9; then
		echo "ERROR: another end-to-end test holds the lock on /etc/pam.d"
		exit 99
	fi
	case $(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null || true) in
	""|"un "*|"pn "*) ;;
	*)	echo "ERROR: $PKG is installed on this host; the suite installs"
		echo "       and purges it, and will not touch a copy it did not"
		echo "       install (dpkg --purge $PKG to run it)."
		exit 99 ;;
	esac
	for f in /run/nologin /etc/nologin; do
		if [ -e "$f" ]; then
			echo "ERROR: $f exists: pam_nologin refuses every test login"
			exit 99
		fi
	done
	T=$(mktemp -d /tmp/hostgate-e2e.XXXXXX)
	chmod 0755 "$T"
	SNAP=$T/snap
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir "$SNAP"
	cp -a /etc/pam.d "$SNAP/pam.d"
	cp -a /var/lib/pam "$SNAP/var-lib-pam"
	# Leftovers of an earlier installation (a purge keeps the journal):
	# moved aside, put back at the end.
	for d in $HG_DIRS; do
		if [ -e "$d" ]; then
			mkdir -p "$SNAP/saved$(dirname "$d")"
			mv "$d" "$SNAP/saved$d"
		fi
	done
	: > "$T/secrets"
}

# Kill PID (TERM, then KILL after 5 s) and wait for it.
stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

forget() {
	local p rest=""
	for p in $PIDS; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	PIDS=$rest
}

e2e_cleanup() {
	local rc=$? p u d f bad=0
	set +e
	for p in $PIDS; do
		stop_pid "$p"
	done
	# Whatever our test users still run (an ssh session, sudo).
	for u in $E2E_USERS; do
		for p in $(ps -o pid= -u "$u" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	if [ -n "$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null |
	    grep -v '^[up]n')" ]; then
		dpkg --purge "$PKG" >"$T/purge.out" 2>&1 || {
			echo "FAIL: cleanup: dpkg --purge $PKG failed:"
			sed 's/^/    | /' "$T/purge.out"
			bad=1
		}
	fi
	[ -n "$SUDOERS_FILE" ] && rm -f "$SUDOERS_FILE"
	if [ -n "$DEVLOG_OURS" ]; then
		rm -f /dev/log
		[ -n "$DEVLOG_SAVED" ] && mv "$DEVLOG_SAVED" /dev/log
	fi
	[ -n "$RUNSSHD_OURS" ] && rmdir /run/sshd 2>/dev/null
	for u in $E2E_USERS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			userdel -f "$u" 2>/dev/null && break
			id "$u" >/dev/null 2>&1 || break
			sleep 0.3
		done
		if id "$u" >/dev/null 2>&1; then
			echo "FAIL: cleanup: user $u remains"
			bad=1
		fi
	done
	if [ -n "$SNAP" ] && [ -d "$SNAP/pam.d" ]; then
		# Byte for byte as before, whatever a failed test left.
		for f in /etc/pam.d/* /etc/pam.d/.[!.]*; do
			[ -e "$f" ] || continue
			[ -e "$SNAP/pam.d/${f##*/}" ] || {
				echo "cleanup: removing /etc/pam.d/${f##*/}"
				rm -f "$f"
			}
		done
		for f in "$SNAP"/pam.d/*; do
			cmp -s "$f" "/etc/pam.d/${f##*/}" || {
				echo "cleanup: restoring /etc/pam.d/${f##*/}"
				cp -a "$f" "/etc/pam.d/${f##*/}"
			}
		done
		rm -rf /var/lib/pam
		cp -a "$SNAP/var-lib-pam" /var/lib/pam
		for d in $HG_DIRS; do
			rm -rf "$d"
			[ -e "$SNAP/saved$d" ] && mv "$SNAP/saved$d" "$d"
		done
	fi
	# The promise, checked.
	if dpkg-query -W -f='${db:Status-Abbrev}\n' "$PKG" 2>/dev/null |
	    grep -qv '^[up]n'; then
		echo "FAIL: cleanup: $PKG is still installed"
		bad=1
	fi
	if [ -n "$SNAP" ] && ! diff -r "$SNAP/pam.d" /etc/pam.d >/dev/null; then
		echo "FAIL: cleanup: /etc/pam.d differs from before the test"
		bad=1
	fi
	[ -n "$T" ] && rm -rf "$T"
	if [ "$bad" -ne 0 ] && [ "$rc" -eq 0 ]; then
		exit 1
	fi
	exit "$rc"
}

# --- results -------------------------------------------------------------------

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

e2e_done() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	exit 0
}

# --- building the package ------------------------------------------------------

# copy_tree DEST: the checkout's files as they are now (tracked, and new
# ones not ignored; modified files as modified), without building anything
# in the checkout.
copy_tree() {
	mkdir -p "$1"
	(cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard |
	    xargs -0 sh -c 'for f; do
		[ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf -) | tar -xf - -C "$1"
}

# tree_key DIR: a hash of DIR's file names and contents.
tree_key() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# build_in SRC [nocheck]: dpkg-buildpackage in the copy SRC, once per
# content; leaves the directory holding the .debs and .changes in $DEBS.
build_in() {
	local src=$1 opts="parallel=$(nproc)" key dir rc=0
	[ "${2:-}" = nocheck ] && opts="$opts nocheck"
	key=$(tree_key "$src")
	mkdir -p "$E2E_CACHE"
	chmod 0700 "$E2E_CACHE"
	find "$E2E_CACHE" -mindepth 1 -maxdepth 1 -mtime +0 -exec rm -rf {} +
	dir=$E2E_CACHE/$key
	DEBS=$dir
	if [ -f "$dir/ok" ]; then
		echo "reusing the package built at $(date -r "$dir/ok" '+%H:%M:%S') ($dir)"
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "building in $src (DEB_BUILD_OPTIONS='$opts')"
	# Not the make running this test: its jobserver and variables.
	(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    -u top_srcdir -u top_builddir DEB_BUILD_OPTIONS="$opts" \
	    dpkg-buildpackage -us -uc -b) > "$dir/build.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "dpkg-buildpackage failed ($rc):"
		tail -40 "$dir/build.log" | sed 's/^/    | /'
		return 1
	fi
	mv "$src"/../*.deb "$src"/../*.changes "$src"/../*.buildinfo "$dir"/
	touch "$dir/ok"
}

# build_pkg: the package of the tree as it is; $DEB is its .deb.
build_pkg() {
	local src=$T/src/hostgate
	copy_tree "$src"
	build_in "$src" || return 1
	rm -rf "$T/src"
	DEB=$(ls "$DEBS"/${PKG}_*.deb)
}

# build_bumped: the same tree as version VERSION+e2e1, with one comment
# added to the shipped policy.conf (a conffile that changed upstream);
# built without tests.  $DEB2 is its .deb.
build_bumped() {
	local src=$T/src2/hostgate v
	copy_tree "$src"
	v=$(cd "$src" && dpkg-parsechangelog -S Version)
	{
		printf 'hostgate (%s+e2e1) unstable; urgency=medium\n\n' "$v"
		printf '  * Test upgrade build (tests/e2e/upgrade.sh).\n\n'
		printf ' -- hostgate tests <tests@example.org>  %s\n\n' "$(date -R)"
		cat "$src/debian/changelog"
	} > "$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
	echo "# (changed upstream in $v+e2e1)" >> "$src/conf/policy.conf"
	build_in "$src" nocheck || return 1
	rm -rf "$T/src2"
	DEB2=$(ls "$DEBS"/${PKG}_*.deb)
}

# install_deb DEB: apt-get install it (dependencies from the archive);
# keep the administrator's conffiles on conflicts, as an unattended
# upgrade would.
install_deb() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends \
	    -o Dpkg::Options::=--force-confdef \
	    -o Dpkg::Options::=--force-confold "$1" > "$T/apt.out" 2>&1 || {
		echo "apt-get install $1 failed:"
		tail -30 "$T/apt.out" | sed 's/^/    | /'
		return 1
	}
}

# --- users, seeds, codes ---------------------------------------------------------

# e2e_user: a real user with a random password, /bin/sh and no home; its
# name in $NEWUSER, its password in $NEWPW.
e2e_user() {
	local name i
	name="hge$$x$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	for i in $(seq 1 30); do
		useradd -M -d /nonexistent -s /bin/sh "$name" 2>/dev/null && break
		sleep 0.2
	done
	id "$name" >/dev/null 2>&1 || { echo "ERROR: useradd $name failed"; exit 99; }
	E2E_USERS="$E2E_USERS $name"
	NEWPW=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
	for i in $(seq 1 30); do
		echo "$name:$NEWPW" | chpasswd 2>/dev/null && break
		sleep 0.2
	done
	echo "$NEWPW" >> "$T/secrets"
	NEWUSER=$name
}

# e2e_seed USER: a plain base32 seed in /etc/hostgate/totp (root, 0600);
# the secret is left in $NEWSECRET.
e2e_seed() {
	NEWSECRET=$(head -c 20 /dev/urandom | base32 | tr -d '=\n')
	echo "$NEWSECRET" >> "$T/secrets"
	printf '# hostgate seed for %s\nsecret = %s\n' "$1" "$NEWSECRET" \
	    > "/etc/hostgate/totp/$1"
	chmod 0600 "/etc/hostgate/totp/$1"
}

# code SECRET [OFFSET]: the code oathtool computes for now + OFFSET s.
code() {
	local c
	c=$(oathtool --totp -b --now "$(date -u -d "@$(( $(date +%s) + ${2:-0} ))" \
	    '+%Y-%m-%d %H:%M:%S UTC')" "$1")
	echo "$c" >> "$T/secrets"
	echo "$c"
}

# wrong_code SECRET: a code no step within two of now accepts.
wrong_code() {
	local n near
	near=" $(code "$1" -60) $(code "$1" -30) $(code "$1") $(code "$1" 30) $(code "$1" 60) "
	n=$(( $(date +%s) * 7919 % 1000000 ))
	while :; do
		case $near in
		*" $(printf '%06d' "$n") "*) n=$(( (n + 1) % 1000000 )) ;;
		*) break ;;
		esac
	done
	printf '%06d\n' "$n" | tee -a "$T/secrets"
}

# --- the running system: syslog, hostgated, the PAM profile -----------------

# start_syslog: a listener on /dev/log writing to $T/syslog (and passing
# every message on to whatever was there before).
start_syslog() {
	local i
	: > "$T/syslog"
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		DEVLOG_SAVED=/dev/log.hostgate-e2e
		mv /dev/log "$DEVLOG_SAVED"
	fi
	DEVLOG_OURS=1
	"$PY" "$E2E/syslogd.py" /dev/log "$T/syslog" $DEVLOG_SAVED &
	PIDS="$PIDS $!"
	for i in $(seq 1 50); do
		[ -S /dev/log ] && return 0
		sleep 0.1
	done
	echo "ERROR: the syslog listener did not start"
	exit 99
}

# start_hostgated: the installed daemon, in the foreground as systemd
# runs it, but started here so that its syslog goes to our listener (on a
# systemd host the unit's instance is stopped first: one socket).
start_hostgated() {
	local i
	if [ -d /run/systemd/system ]; then
		systemctl stop hostgated.service 2>/dev/null || true
	fi
	/usr/sbin/hostgated 2>>"$T/hostgated.err" &
	HGD_PID=$!
	PIDS="$PIDS $HGD_PID"
	for i in $(seq 1 100); do
		[ -S "$SOCKET" ] && return 0
		kill -0 "$HGD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "ERROR: hostgated did not start:"
	cat "$T/hostgated.err"
	exit 99
}

# stop_hostgated: SIGTERM, as systemd stops it; $STOP_RC its status.
stop_hostgated() {
	kill -TERM "$HGD_PID"
	STOP_RC=0
	wait "$HGD_PID" || STOP_RC=$?
	forget "$HGD_PID"
}

# write_policy TEXT: /etc/hostgate/policy.conf, root 0644.
write_policy() {
	printf '%s\n' "$1" > /etc/hostgate/policy.conf.new
	chmod 0644 /etc/hostgate/policy.conf.new
	mv /etc/hostgate/policy.conf.new /etc/hostgate/policy.conf
}

last_seq() {
	"$PY" "$E2E/journal.py" "$JOURNAL" last-seq
}

# records AFTER KEY=VALUE...: matching journal records newer than AFTER.
records() {
	local after=$1
	shift
	"$PY" "$E2E/journal.py" "$JOURNAL" find --after "$after" "$@"
}

# expect_record DESCRIPTION AFTER KEY=VALUE...: at least one record newer
# than AFTER matches (waiting up to 5 s: session_close comes when the
# server notices the client left), and syslog has the line our hostgated
# logged for it (same pid, seq and event: other tests may run daemons too).
expect_record() {
	local what=$1 after=$2 i got seq ev pat
	shift 2
	for i in $(seq 1 50); do
		got=$(records "$after" "$@")
		[ -n "$got" ] && break
		sleep 0.1
	done
	if [ -z "$got" ]; then
		fail "$what: no record $* after seq $after"
		echo "    journal since seq $after:"
		records "$after" | sed 's/^/    | /'
		return 0
	fi
	pass "$what: journal: $(echo "$got" | head -1)"
	seq=$(echo "$got" | head -1 | cut -d' ' -f1)
	ev=$(echo "$got" | head -1 | cut -d' ' -f2)
	pat="hostgated\[$HGD_PID\]: seq=$seq event=$ev "
	for i in $(seq 1 20); do
		grep -q "$pat" "$T/syslog" && break
		sleep 0.1
	done
	if grep -q "$pat" "$T/syslog"; then
		pass "$what: syslog: $(grep "$pat" "$T/syslog" | head -1 |
		    sed 's/^<[0-9]*>//' | cut -c1-150)"
	else
		fail "$what: no syslog line from hostgated[$HGD_PID] for seq=$seq event=$ev"
	fi
}

# expect_no_record DESCRIPTION AFTER KEY=VALUE...
expect_no_record() {
	local what=$1 after=$2 got
	shift 2
	got=$(records "$after" "$@")
	if [ -z "$got" ]; then
		pass "$what"
	else
		fail "$what: unexpected record(s): $got"
	fi
}

# no_secrets_logged: no password, secret or code of this test in syslog
# or the journal.
no_secrets_logged() {
	local s leaked=0
	while read -r s; do
		[ -n "$s" ] || continue
		if grep -qwF -- "$s" "$T/syslog" "$JOURNAL" 2>/dev/null; then
			leaked=1
		fi
	done < "$T/secrets"
	if [ "$leaked" = 0 ]; then
		pass "no password, secret or code in $(wc -l < "$T/syslog") syslog lines and the journal"
	else
		fail "a secret of this test appears in syslog or the journal"
	fi
}

# --- sshd and the ssh client ------------------------------------------------------

# ssh_key USER: a key pair $T/ssh/id_USER whose public half sshd accepts
# for USER.
ssh_key() {
	mkdir -p -m 0755 "$T/ssh" "$T/ssh/keys"
	ssh-keygen -q -t ed25519 -N '' -C "e2e-$1" -f "$T/ssh/id_$1"
	cp "$T/ssh/id_$1.pub" "$T/ssh/keys/$1"
	chmod 0644 "$T/ssh/keys/$1"
}

# start_sshd USER...: Debian's sshd on 127.0.0.1 and a free port ($PORT)
# with its own configuration, host key and pid file in $T/ssh, admitting
# only USER...; its PAM service is "sshd", as always.
start_sshd() {
	local i
	mkdir -p -m 0755 "$T/ssh" "$T/ssh/keys"
	ssh-keygen -q -t ed25519 -N '' -C e2e-host -f "$T/ssh/host_ed25519"
	PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat > "$T/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
HostKey $T/ssh/host_ed25519
PidFile $T/ssh/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $T/ssh/keys/%u
StrictModes no
PermitRootLogin no
AllowUsers $*
MaxAuthTries 3
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
	if [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd
		RUNSSHD_OURS=1
	fi
	check "sshd -t accepts the test configuration" \
	    /usr/sbin/sshd -t -f "$T/ssh/sshd_config"
	/usr/sbin/sshd -D -f "$T/ssh/sshd_config" -E "$T/ssh/sshd.log" &
	SSHD_PID=$!
	PIDS="$PIDS $SSHD_PID"
	for i in $(seq 1 100); do
		"$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" \
		    2>/dev/null && break
		sleep 0.1
	done
	echo "sshd (pid $SSHD_PID) on 127.0.0.1:$PORT"
}

# login USER [--key FILE] -- CMD: one run of the ssh client on a pty
# (sshlogin.py), answering with $HG_PASSWORD and $HG_CODE; its output in
# $T/out, its status in $RC.
login() {
	RC=0
	"$PY" "$E2E/sshlogin.py" "$PORT" "$@" > "$T/out" 2>&1 || RC=$?
}

show() {
	sed 's/^/    | /' "$T/out"
}
