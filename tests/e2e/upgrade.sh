#!/bin/sh
# Upgrade, removal and purge.  Version 1 is installed and used (profile
# enabled, hostgated running, records written), the administrator changes
# both conffiles, and a second build of the same tree (a newer version
# whose shipped policy.conf changed too) is installed over it: the
# administrator's files stay, the profile stays enabled, and the journal
# goes on with the next seq (including what the module spooled while
# hostgated was down) and still verifies.  Then removal and purge leave no
# module, no PAM line and no hostgated, and keep only the journal.
. "$top_srcdir/tests/e2e/lib.sh"
e2e_setup

MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
MODULE=/lib/$MA/security/pam_hostgate.so

build_pkg || { fail "dpkg-buildpackage (version 1)"; e2e_done; }
build_bumped || { fail "dpkg-buildpackage (version 2)"; e2e_done; }
V1=$(dpkg-deb -f "$DEB" Version)
V2=$(dpkg-deb -f "$DEB2" Version)
check "version 2 ($V2) sorts after version 1 ($V1)" dpkg --compare-versions "$V2" gt "$V1"

install_deb "$DEB" || { fail "apt-get install $DEB"; e2e_done; }
pass "installed $V1"

e2e_user; U=$NEWUSER
# The administrator's changes to both conffiles.
write_policy "# changed by the administrator (tests/e2e/upgrade.sh)
role everyone = *
role auditors = $U
allow everyone from=local
allow auditors service=su"
echo "fail_delay_ms = 1000	# changed by the administrator" >> /etc/hostgate/hostgate.conf
cp -p /etc/hostgate/policy.conf "$T/policy.admin"
cp -p /etc/hostgate/hostgate.conf "$T/hostgate.admin"
check "hostgate check accepts the administrator's policy" hostgate check >/dev/null

start_syslog
start_hostgated
check "pam-auth-update --enable hostgate" pam-auth-update --enable hostgate

# su_true: root runs "true" as $U through su: pam_rootok skips the auth
# phase; the account and session phases write three records.
su_true() {
	su -s /bin/sh -c true "$U" > "$T/su.out" 2>&1 || {
		fail "su to $U failed:"; sed 's/^/    | /' "$T/su.out"; }
}

su_true
expect_record "version 1: account" 0 event=account service=su user="$U" result=allow
expect_record "version 1: session_close" 0 event=session_close service=su user="$U"
SEQ1=$(last_seq)
stop_hostgated
expect_eq "hostgated exits 0 on SIGTERM" "$STOP_RC" 0

# While hostgated is down the module spools; the new one must take it.
su_true
n=$(find /var/spool/hostgate -type f | wc -l)
check "with hostgated down, the module spooled the records ($n files)" test "$n" -ge 1
check "the journal was not written while hostgated was down" \
    test "$(last_seq)" -eq "$SEQ1"
cp -p "$JOURNAL" "$T/journal.v1"

# --- the upgrade ---------------------------------------------------------------
install_deb "$DEB2" || { fail "apt-get install $DEB2"; e2e_done; }
expect_eq "upgraded" "$(dpkg-query -W -f='${Version}' "$PKG")" "$V2"
check "the administrator's policy.conf is kept" cmp "$T/policy.admin" /etc/hostgate/policy.conf
check "the new upstream policy.conf is beside it as .dpkg-dist" \
    grep -q "changed upstream in" /etc/hostgate/policy.conf.dpkg-dist
check "the administrator's hostgate.conf is kept" cmp "$T/hostgate.admin" /etc/hostgate/hostgate.conf
check "the profile is still enabled" grep -q pam_hostgate /etc/pam.d/common-auth
check "the journal was not touched by the upgrade" cmp "$T/journal.v1" "$JOURNAL"
check "the seeds directory is still 0700" test "$(stat -c %a /etc/hostgate/totp)" = 700

start_hostgated
su_true
expect_record "version 2: the spooled account record was taken" "$SEQ1" \
    event=account service=su user="$U" result=allow
first=$(records "$SEQ1" | head -1 | cut -d' ' -f1)
expect_eq "the journal goes on with the next seq" "$first" "$((SEQ1 + 1))"
expect_record "version 2: session_close" "$((SEQ1 + 3))" event=session_close \
    service=su user="$U"
seqs=$(records 0 | cut -d' ' -f1 | tr '\n' ' ')
expect_eq "seqs have no gap" "$seqs" "$(seq 1 "$(last_seq)" | tr '\n' ' ')"
check "the spool was drained" test -z "$(find /var/spool/hostgate -type f)"
out=$(hostgate audit verify "$JOURNAL" 2>&1) && rc=0 || rc=$?
expect_eq "hostgate audit verify across the upgrade: $out" "$rc" 0
stop_hostgated
no_secrets_logged

# --- removal and purge -------------------------------------------------------------
ours_running() {
	local p
	for p in $(pgrep -x hostgated); do
		case $(readlink "/proc/$p/exe" 2>/dev/null) in
		/usr/sbin/hostgated*) return 0 ;;
		esac
	done
	return 1
}
lines=$(wc -l < "$JOURNAL")
check "dpkg --remove" sh -c "dpkg --remove $PKG > '$T/remove.out' 2>&1"
check "removal: no pam_hostgate line in /etc/pam.d" sh -c "! grep -rq pam_hostgate /etc/pam.d"
check "removal: /etc/pam.d is byte for byte as before the test" diff -r "$SNAP/pam.d" /etc/pam.d
check "removal: no module" test ! -e "$MODULE"
# (Ours was stopped above; on a systemd host the prerm stops the unit.)
if ours_running; then
	fail "removal: a /usr/sbin/hostgated still runs"
else
	pass "removal: no /usr/sbin/hostgated runs"
fi
check "dpkg --purge" sh -c "dpkg --purge $PKG > '$T/purge.out' 2>&1"
for d in /etc/hostgate /var/lib/hostgate /var/spool/hostgate /run/hostgate; do
	check "purge removes $d" test ! -e "$d"
done
expect_eq "purge keeps the journal" "$(wc -l < "$JOURNAL" 2>/dev/null)" "$lines"
st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | tr -d ' ' || true)
expect_eq "purge: $PKG is gone, conffiles too" "${st:-un}" un

# The last test of the suite: the packages it built are not needed now.
rm -rf "$E2E_CACHE"
e2e_done
