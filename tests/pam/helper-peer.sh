# Who answers on audit_socket: the module trusts an answer only from a
# root peer (SO_PEERCRED) whose socket lies in a directory that is root's
# and not writable by group or others.  A fake helper run by nobody, or a
# socket in a world-writable directory, is not used at all: the module
# decides with its own policy, spools the record and logs why.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
# The system's python3: one under root's home is not nobody's to run.
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "ERROR: /usr/bin/python3 is missing"; exit 99; }
chmod 0711 "$T"		# nobody must reach its directory below
spooled() { find "$T/spool" -name '*.rec' | wc -l; }
FAKES=""
trap 'for p in $FAKES; do kill $p 2>/dev/null || true; wait $p 2>/dev/null || true; done; hg_cleanup' EXIT

# A fake hostgated: answers "allow" (seq 1) to every frame it receives and
# counts them in COUNTFILE.
cat > "$T/fake.py" <<'PY'
import socket, struct, sys
path, countfile = sys.argv[1], sys.argv[2]
def field(tag, val):
    return struct.pack(">BH", tag, len(val)) + val
body = bytes([1, 3]) + field(1, b"1") + field(11, b"allow") + \
    field(12, b"PAM_SUCCESS") + field(13, b"rule")
reply = struct.pack(">I", len(body)) + body
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
n = 0
open(countfile, "w").write("0\n")
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        data = c.recv(8192)
        if len(data) >= 6:
            n += 1
            open(countfile, "w").write("%d\n" % n)
            c.sendall(reply)
    except OSError:
        pass
    c.close()
PY
chmod 0644 "$T/fake.py"

# fake DIR COUNTFILE [setpriv options]: start a fake helper in DIR.
fake() {
	local dir=$1 count=$2
	shift 2
	: > "$count"
	chmod 0666 "$count"
	if [ $# -gt 0 ]; then
		setpriv "$@" -- "$PY" "$T/fake.py" "$dir/hostgated.sock" "$count" &
	else
		"$PY" "$T/fake.py" "$dir/hostgated.sock" "$count" &
	fi
	FAKES="$FAKES $!"
	for _ in $(seq 1 50); do
		[ -S "$dir/hostgated.sock" ] && [ -s "$count" ] && return 0
		sleep 0.1
	done
	echo "ERROR: the fake helper did not start"
	exit 99
}

hg_user 'peer pw'; u=$NEWUSER
hg_user 'other pw'; v=$NEWUSER
cat > "$T/policy.conf" <<POLICY
role users = $v
allow users
POLICY
hg_conf "policy = $T/policy.conf"
conf="config=$T/hostgate.conf"

# 1. nobody's fake helper in a directory that is root's and 0755 now (it
#    was open while nobody bound the socket).
mkdir -m 0777 "$T/run-nobody"
fake "$T/run-nobody" "$T/count-nobody" --reuid=nobody --regid=nogroup \
    --clear-groups
chmod 0755 "$T/run-nobody"
hg_service nobodyfake "account required $MODULE $conf audit_socket=$T/run-nobody/hostgated.sock"
hg_pam -K nobodyfake "$u"
expect "account: PAM_PERM_DENIED" "i9_07_nobody_peer_ignored: the local policy denies"
expect_log "$T/run-nobody/hostgated.sock" \
    "i9_07_nobody_peer_ignored: the log names the socket"
expect_log "not root" "i9_07_nobody_peer_ignored: and says the peer is not root"
[ "$(cat "$T/count-nobody")" = 0 ] &&
    pass "i9_07_nobody_peer_ignored: the fake helper was sent nothing" ||
    fail "i9_07_nobody_peer_ignored: the fake helper got $(cat "$T/count-nobody") frames"
[ "$(spooled)" = 1 ] && pass "i9_07_nobody_peer_ignored: the record is spooled" ||
    fail "i9_07_nobody_peer_ignored: $(spooled) records spooled"
expect_log "event=account result=deny" \
    "i9_07_nobody_peer_ignored: the module logs the record itself"
rm -f "$T"/spool/*.rec

# 2. root's fake helper, but in a world-writable (sticky) directory.
mkdir -m 1777 "$T/run-open"
fake "$T/run-open" "$T/count-open"
hg_service openfake "account required $MODULE $conf audit_socket=$T/run-open/hostgated.sock"
hg_pam -K openfake "$u"
expect "account: PAM_PERM_DENIED" "i9_07_open_dir_refused: the local policy denies"
expect_log "$T/run-open" "i9_07_open_dir_refused: the log names the directory"
expect_log "chmod" "i9_07_open_dir_refused: and the fix"
[ "$(cat "$T/count-open")" = 0 ] &&
    pass "i9_07_open_dir_refused: the fake helper was sent nothing" ||
    fail "i9_07_open_dir_refused: the fake helper got $(cat "$T/count-open") frames"
[ "$(spooled)" = 1 ] && pass "i9_07_open_dir_refused: the record is spooled" ||
    fail "i9_07_open_dir_refused: $(spooled) records spooled"
rm -f "$T"/spool/*.rec

# 3. The same fake run by root in a trusted directory is a helper like any
#    other (root could replace hostgated anyway): its answer counts.
mkdir -m 0755 "$T/run-root"
fake "$T/run-root" "$T/count-root"
hg_service rootfake "account required $MODULE $conf audit_socket=$T/run-root/hostgated.sock"
hg_pam -K rootfake "$u"
expect "account: PAM_SUCCESS" "i9_07_root_peer_trusted: root's answer is used"
[ "$(cat "$T/count-root")" = 1 ] &&
    pass "i9_07_root_peer_trusted: one frame went to it" ||
    fail "i9_07_root_peer_trusted: it got $(cat "$T/count-root") frames"

# The session phase of a transaction that found an untrusted helper does
# not try it again.
hg_service nobodysess "account required $MODULE $conf audit_socket=$T/run-nobody/hostgated.sock" \
    "session required $MODULE $conf audit_socket=$T/run-nobody/hostgated.sock"
rm -f "$T"/spool/*.rec
hg_pam -K -S 0 nobodysess "$v"
expect "close_session: PAM_SUCCESS" "i9_07_nobody_peer_ignored: a whole login, allowed locally"
[ "$(cat "$T/count-nobody")" = 0 ] && [ "$(spooled)" = 3 ] &&
    pass "i9_07_nobody_peer_ignored: no session record went to it either" ||
    fail "i9_07_nobody_peer_ignored: it got $(cat "$T/count-nobody") frames, $(spooled) spooled"
[ "$(grep -c 'not root' "$T/syslog.last")" = 1 ] &&
    pass "i9_07_nobody_peer_ignored: said once per transaction" ||
    fail "i9_07_nobody_peer_ignored: said $(grep -c 'not root' "$T/syslog.last") times"
hg_done
