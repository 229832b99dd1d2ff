# The man pages: "mandoc -T lint" finds nothing (cross references among
# them resolved through a private manual tree), "man -l" renders each, and
# they document every settings key, every module argument and every
# hostgate command.  Needs no root.
set -eu
: "${top_srcdir:?}"
M=$top_srcdir/man
PAGES="pam_hostgate.8 hostgate.conf.5 hostgate-policy.5 hostgate.8 hostgated.8"
fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for tool in mandoc makewhatis man; do
	command -v $tool >/dev/null || { echo "ERROR: $tool missing (run ./scripts/deps)"; exit 99; }
done
T=$(mktemp -d /tmp/hgman.XXXXXX)
trap 'rm -rf "$T"' EXIT

mkdir "$T/man5" "$T/man8"
for p in $PAGES; do cp "$M/$p" "$T/man${p##*.}/"; done
makewhatis "$T" 2>/dev/null || true

for p in $PAGES; do
	# Errors and warnings: none at all.
	out=$(mandoc -T lint -W warning "$M/$p" 2>&1 || true)
	[ -z "$out" ] && pass "mandoc -T lint: $p" || fail "mandoc -T lint: $p:
$out"
	# Style too, with our own pages findable; pages of other packages
	# that this machine lacks are not the page's fault.
	out=$(MANPATH="$T:/usr/share/man" mandoc -T lint -W style "$M/$p" 2>&1 |
	    grep -v -e 'outdated mandoc.db' |
	    grep -v -E 'referenced manual not found: Xr (crypt|pam_fail_delay|pam_set_data|syslog|pam\.conf|sshd_config|pam-auth-update|sudo|sshd|login|systemd|vi|visudo) ' || true)
	[ -z "$out" ] && pass "mandoc -T lint -W style: $p" || fail "style: $p:
$out"
	# man -l renders it, without complaint.
	if MANWIDTH=80 man -l "$M/$p" >"$T/out" 2>"$T/err" && [ ! -s "$T/err" ] &&
	    grep -q '^NAME' "$T/out" && grep -q "^SEE ALSO" "$T/out"; then
		pass "man -l renders $p ($(wc -l < "$T/out") lines)"
	else
		fail "man -l $p: $(cat "$T/err")"
	fi
done

# Every key of the settings table, in hostgate.conf(5) and as a module
# argument in pam_hostgate(8).
before=$fails
keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", K_[A-Z]*.*/\1/p' "$top_srcdir/common/conf.c")
[ -n "$keys" ] || fail "no keys found in common/conf.c"
for k in $keys; do
	grep -q "^\.It Cm $k\( \|$\)" "$M/hostgate.conf.5" || fail "hostgate.conf.5 lacks key $k"
	grep -qw "$k" "$M/pam_hostgate.8" || fail "pam_hostgate.8 lacks argument $k"
done
[ "$fails" = "$before" ] && pass "every settings key documented ($(echo $keys | wc -w))"

# Every command of hostgate, in hostgate(8) (mdoc's Fl adds one dash).
before=$fails
for c in check explain edit enroll import seal status unlock 'audit verify'; do
	grep -q "^\.It Cm $c\( \|$\)" "$M/hostgate.8" || fail "hostgate.8 lacks command $c"
done
for o in --digits --algorithm --period --issuer --recovery --force \
    --no-confirm --qr --google-authenticator --oath --user --source; do
	grep -q "Fl ${o#-}" "$M/hostgate.8" || fail "hostgate.8 lacks option $o"
done
[ "$fails" = "$before" ] && pass "every hostgate command and option documented"

# The return codes of each PAM phase, in pam_hostgate(8).
before=$fails
for e in PAM_SUCCESS PAM_AUTH_ERR PAM_AUTHINFO_UNAVAIL PAM_SERVICE_ERR \
    PAM_PERM_DENIED PAM_USER_UNKNOWN PAM_SESSION_ERR PAM_IGNORE; do
	grep -q "^\.It Er $e" "$M/pam_hostgate.8" || fail "pam_hostgate.8 lacks $e"
done
[ "$fails" = "$before" ] && pass "return codes documented"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
exit 0
