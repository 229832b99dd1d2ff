#!/bin/sh
# The Debian package as built and installed: dpkg-buildpackage from a copy
# of the tree, lintian, what the .deb holds, what installing it does (and
# does not do), the systemd unit, and pam-auth-update: enabling the profile
# adds exactly its lines to /etc/pam.d/common-*, disabling it restores them
# byte for byte, and removing the package takes them out.
. "$top_srcdir/tests/e2e/lib.sh"
e2e_setup

MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
MODULE=/lib/$MA/security/pam_hostgate.so

# --- build and lintian -------------------------------------------------------
if ! build_pkg; then
	fail "dpkg-buildpackage -us -uc -b"
	e2e_done
fi
pass "dpkg-buildpackage -us -uc -b: $(basename "$DEB")"
grep -E '^(PASS|FAIL|SKIP|ERROR|# TOTAL)' "$DEBS/build.log" | sed 's/^/    build: /' || true

LINTIAN_RC=0
lintian --display-info --fail-on error,warning "$DEBS"/*.changes \
    > "$T/lintian.out" 2>&1 || LINTIAN_RC=$?
sed 's/^/    lintian: /' "$T/lintian.out"
tags=$(grep -c '^[EW]: ' "$T/lintian.out" || true)
if [ "$LINTIAN_RC" -eq 0 ] && [ "$tags" -eq 0 ]; then
	pass "lintian on the .changes and .debs: no errors, no warnings"
else
	fail "lintian: $tags error/warning tag(s), exit $LINTIAN_RC"
fi

# --- contents ----------------------------------------------------------------
dpkg-deb -c "$DEB" | awk '{ print $NF }' | sed 's|^\./|/|' > "$T/contents"
for f in "$MODULE" /usr/sbin/hostgate /usr/sbin/hostgated \
    /etc/hostgate/hostgate.conf /etc/hostgate/policy.conf \
    /usr/share/pam-configs/hostgate /lib/systemd/system/hostgated.service \
    /usr/lib/tmpfiles.d/hostgate.conf \
    /usr/share/doc/libpam-hostgate/copyright \
    /usr/share/doc/libpam-hostgate/README.Debian.gz; do
	check "ships $f" grep -qxF "$f" "$T/contents"
done
for m in man8/pam_hostgate.8 man5/hostgate.conf.5 man5/hostgate-policy.5 \
    man8/hostgate.8 man8/hostgated.8; do
	check "ships the man page $m" grep -qxF "/usr/share/man/$m.gz" "$T/contents"
done
check "no libtool archive" sh -c "! grep -q '\.la\$' '$T/contents'"
dpkg-deb -I "$DEB" conffiles > "$T/conffiles" 2>/dev/null || true
expect_eq "conffiles" "$(sort "$T/conffiles" | tr '\n' ' ')" \
    "/etc/hostgate/hostgate.conf /etc/hostgate/policy.conf "
expect_eq "Depends names libpam-runtime" \
    "$(dpkg-deb -f "$DEB" Depends | grep -o 'libpam-runtime' || true)" libpam-runtime
dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/share/pam-configs/hostgate \
    > "$T/profile"
check "the pam-auth-update profile has Default: no" grep -qx 'Default: no' "$T/profile"

# --- installing changes no login ----------------------------------------------
check "apt-get install $(basename "$DEB")" install_deb "$DEB"
check "installing changes no file in /etc/pam.d" diff -r "$SNAP/pam.d" /etc/pam.d
for spec in "/etc/hostgate/totp 700" "/var/lib/hostgate 700" \
    "/var/spool/hostgate 700" "/var/log/hostgate 750" "/run/hostgate 755"; do
	set -- $spec
	expect_eq "$1 exists, root-owned, mode $2" \
	    "$(stat -c '%F %U:%G %a' "$1" 2>&1)" "directory root:root $2"
done
check "the module is installed as $MODULE" test -f "$MODULE"
out=$(hostgated -t 2>&1) && rc=0 || rc=$?
expect_eq "hostgated -t accepts the shipped settings and policy ($out)" "$rc" 0
check "hostgate check accepts the shipped policy" hostgate check >/dev/null
for who in "root --service sshd --from 192.0.2.7" "nobody --service sudo" \
    "root --service login"; do
	out=$(hostgate explain $who 2>&1) && rc=0 || rc=$?
	expect_eq "the shipped policy locks no one out: explain $who: $(echo "$out" | head -1)" \
	    "$rc" 0
done

# --- the systemd unit ------------------------------------------------------------
UNIT=/lib/systemd/system/hostgated.service
out=$(systemd-analyze verify "$UNIT" 2>&1) && rc=0 || rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
	pass "systemd-analyze verify $UNIT: clean"
else
	fail "systemd-analyze verify $UNIT (exit $rc): $out"
fi
systemd-analyze security --offline=true "$UNIT" > "$T/security" 2>&1 || true
line=$(grep 'Overall exposure level' "$T/security" || true)
echo "    $line"
level=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
if [ -n "$level" ] && awk "BEGIN { exit !($level <= 2.5) }"; then
	pass "systemd-analyze security --offline=true: exposure $level <= 2.5"
else
	fail "systemd-analyze security --offline=true: exposure '$level' (wanted <= 2.5)"
	grep '✗' "$T/security" | sed 's/^/    /'
fi

# --- pam-auth-update ---------------------------------------------------------------
# added FILE: the lines enabling the profile added to /etc/pam.d/FILE
# (diff: only additions, no other change).
added() {
	diff "$SNAP/pam.d/$1" "/etc/pam.d/$1" | sed -n 's/^> //p'
}
changed_other() {
	diff "$SNAP/pam.d/$1" "/etc/pam.d/$1" | grep -v '^> ' | grep -vq '^[0-9,]*a[0-9,]*$'
}
check "pam-auth-update --enable hostgate" pam-auth-update --enable hostgate
expect_eq "common-auth gains the additional auth line" \
    "$(added common-auth)" "$(printf 'auth\trequired\tpam_hostgate.so password=none')"
expect_eq "common-account gains the account line" \
    "$(added common-account | sed 's/ *$//')" "$(printf 'account\trequired\tpam_hostgate.so')"
for f in common-session common-session-noninteractive; do
	expect_eq "$f gains the session line" \
	    "$(added $f | sed 's/ *$//')" "$(printf 'session\trequired\tpam_hostgate.so')"
done
for f in common-auth common-account common-session common-session-noninteractive; do
	if changed_other "$f"; then
		fail "$f: lines other than the profile's changed"
		diff "$SNAP/pam.d/$f" "/etc/pam.d/$f" | sed 's/^/    /'
	else
		pass "$f: nothing but the profile's line changed"
	fi
done
# The code factor must follow the password modules, not replace them.
awk '/pam_unix.so/ { u = NR } /pam_permit.so/ { p = NR }
    /pam_hostgate.so/ { h = NR } END { exit !(u && p && h > p && h > u) }' \
    /etc/pam.d/common-auth &&
    pass "common-auth: pam_hostgate comes after pam_unix and the primary block" ||
    fail "common-auth: pam_hostgate is not after the primary block"
n=0
for f in /etc/pam.d/*; do
	case ${f##*/} in
	common-auth|common-account|common-session|common-session-noninteractive) ;;
	*) cmp -s "$f" "$SNAP/pam.d/${f##*/}" || n=$((n + 1)) ;;
	esac
done
expect_eq "no other file in /etc/pam.d changed" "$n" 0
sed 's/^/    | /' /etc/pam.d/common-auth | grep -v '^    | #' | grep -v '^    | $'

check "pam-auth-update --disable hostgate" pam-auth-update --disable hostgate
check "disabling restores /etc/pam.d byte for byte" diff -r "$SNAP/pam.d" /etc/pam.d

# --- removal takes the lines out, purge the rest --------------------------------
pam-auth-update --enable hostgate
check "dpkg --remove with the profile enabled" sh -c "dpkg --remove $PKG >'$T/remove.out' 2>&1"
check "removal: no pam_hostgate line left in /etc/pam.d" sh -c "! grep -rq pam_hostgate /etc/pam.d"
check "removal: /etc/pam.d is as before installation" diff -r "$SNAP/pam.d" /etc/pam.d
check "removal: no module" test ! -e "$MODULE"
check "removal: no hostgate, no hostgated" sh -c '! command -v hostgate && ! command -v hostgated'
check "removal keeps the conffiles" test -f /etc/hostgate/policy.conf
check "dpkg --purge" sh -c "dpkg --purge $PKG >'$T/purge.out' 2>&1"
for d in /etc/hostgate /var/lib/hostgate /var/spool/hostgate /run/hostgate; do
	check "purge removes $d" test ! -e "$d"
done
st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | tr -d ' ' || true)
expect_eq "purge: $PKG is not installed, not even its conffiles" "${st:-un}" un
e2e_done
