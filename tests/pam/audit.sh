# The module's side of the audit trail: records for both gates and both
# session events, the spool when hostgated is absent or hangs, the journal
# when it answers, decisions through the helper, and audit=required.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
HOSTGATED="$top_builddir/tests/daemon/hostgated-test"
HGSEND="$top_builddir/tests/daemon/hgsend"
VERIFY="$top_builddir/tests/daemon/hgverify"
journal="$T/audit.jsonl"
spooled() { find "$T/spool" -name '*.rec' | wc -l; }

hg_user 'audit pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
cat > "$T/policy.conf" <<POLICY
role users = $u
allow users service=hgtest
POLICY
hg_conf "policy = $T/policy.conf
audit_log = $journal"
conf="config=$T/hostgate.conf"
hg_service hgtest "auth required $MODULE $conf" "account required $MODULE $conf" \
    "session required $MODULE $conf"

# 1. No helper: every record is logged by the module and spooled.
t=$(( $(date +%s) / 30 * 30 - 600 ))	# steps in the past: real time stays newer
hg_pam -T $t -r 127.0.0.1 -a 'audit pw' -a "$(hg_code "$sec" $t)" -A -S 0 hgtest "$u"
expect "close_session: PAM_SUCCESS" "login with auth, account and session, no helper"
expect_log "event=auth result=allow pam=PAM_SUCCESS reason=ok" "module logs the auth record itself"
expect_log "event=account result=allow pam=PAM_SUCCESS reason=rule" "and the account record"
expect_log "event=session_open" "and session_open"
expect_log "event=session_close" "and session_close"
[ "$(spooled)" = 4 ] && pass "four records spooled" || fail "$(spooled) records spooled, wanted 4"
[ "$(stat -c %a "$(find "$T/spool" -name '*.rec' | head -1)")" = 600 ] && pass "spool files are 0600" || fail "spool file mode"

# 2. The helper starts: the spool moves into the journal, in order.
HG_SYSLOG="$T/daemon.log" "$HOSTGATED" --config "$T/hostgate.conf" 2>"$T/daemon.err" &
dpid=$!
trap 'kill $dpid 2>/dev/null || true; wait $dpid 2>/dev/null || true; hg_cleanup' EXIT
"$HGSEND" wait "$T/hostgated.sock" 10 >/dev/null || { cat "$T/daemon.err"; fail "hostgated did not start"; }
for i in $(seq 1 50); do [ "$(spooled)" = 0 ] && break; sleep 0.1; done
[ "$(spooled)" = 0 ] && pass "spool drained" || fail "spool not drained"
events=$(sed -n 's/.*"event":"\([a-z_]*\)".*/\1/p' "$journal" | tr '\n' ' ')
[ "$events" = "auth account session_open session_close " ] && pass "journal holds the four records in order" \
    || fail "journal events: $events"

# 3. With the helper: records go to it (journal), the module logs nothing
#    itself, and the account decision comes from the helper's policy.
hg_pam -r 127.0.0.1 -a 'audit pw' -a "$(hg_code "$sec")" -A -S 1 hgtest "$u"
expect "close_session: PAM_SUCCESS" "login with the helper running"
if grep -q 'event=' "$T/syslog.last"; then fail "module logged a record the helper took"; else pass "the helper, not the module, logs records"; fi
[ "$(spooled)" = 0 ] && pass "nothing spooled" || fail "spooled while the helper runs"
[ "$(wc -l < "$journal")" = 8 ] && pass "journal has 8 records" || fail "journal has $(wc -l < "$journal") records"
grep -q '"event":"session_close".*"duration":1,' "$journal" && pass "session_close carries its duration" || { fail "no duration"; grep session_close "$journal"; }
grep -q '"event":"account".*"reason":"rule","rule":"'"$T"'/policy.conf:2"' "$journal" && pass "helper's decision names the rule" \
    || fail "account record lacks the rule"
"$VERIFY" audit verify "$journal" > "$T/vout" 2>&1 && pass "journal verifies: $(cat "$T/vout")" || fail "verify: $(cat "$T/vout")"

# A policy change is seen by the helper's next decision.
echo "deny users service=hgtest" >> "$T/policy.conf"
hg_pam -T $((t + 60)) -r 127.0.0.1 -K hgtest "$u"
expect "account: PAM_PERM_DENIED" "helper sees the new deny rule"
grep -q '"event":"account","service":"hgtest".*"result":"deny".*"rule":"'"$T"'/policy.conf:3"' "$journal" \
    && pass "denial journaled with its rule" || fail "denial not journaled"
head -2 "$T/policy.conf" > "$T/policy.new"; mv "$T/policy.new" "$T/policy.conf"
kill $dpid; wait $dpid 2>/dev/null || true

# 4. A helper that accepts and never answers: the login goes on, the
#    record is spooled, the wait is bounded.
python3 - "$T/hostgated.sock" <<'PY' &
import socket, sys, time, os
s = socket.socket(socket.AF_UNIX)
try: os.unlink(sys.argv[1])
except FileNotFoundError: pass
s.bind(sys.argv[1]); s.listen(64)
conns = []
end = time.time() + 30
while time.time() < end:
    s.settimeout(end - time.time())
    try: conns.append(s.accept()[0])
    except OSError: break
PY
hang=$!
trap 'kill $hang 2>/dev/null || true; wait $hang 2>/dev/null || true; hg_cleanup' EXIT
for i in $(seq 1 50); do [ -S "$T/hostgated.sock" ] && break; sleep 0.1; done
start=$(date +%s%N)
hg_pam -r 127.0.0.1 -a 'audit pw' -a "$(hg_code "$sec" $(( $(date +%s) + 30 )))" -A -S 0 hgtest "$u"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "close_session: PAM_SUCCESS" "login completes with a hung helper"
[ "$(spooled)" = 4 ] && pass "all four records spooled" || fail "$(spooled) spooled"
# One 250 ms wait for the whole transaction, then the helper is skipped.
[ "$ms" -lt 3000 ] && pass "a hung helper cost this login ${ms} ms in all" || fail "login took ${ms} ms"
kill $hang; wait $hang 2>/dev/null || true
rm -f "$T/hostgated.sock" "$T"/spool/*.rec

# 5. audit=required: a record that cannot be stored anywhere denies.
rm -rf "$T/spool" "$T/state/$u"; echo "not a directory" > "$T/spool"
hg_conf "policy = $T/policy.conf
audit_log = $journal
audit = required"
hg_pam -r 127.0.0.1 -a 'audit pw' -a "$(hg_code "$sec" $(( $(date +%s) + 30 )))" -A hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "audit=required and nowhere to store: auth denied"
expect_log "audit record not stored" "and the log says why"
hg_pam -r 127.0.0.1 -K hgtest "$u"
expect "account: PAM_PERM_DENIED" "audit=required: account denied too"
hg_conf "policy = $T/policy.conf
audit_log = $journal"
hg_pam -r 127.0.0.1 -K hgtest "$u"
expect "account: PAM_SUCCESS" "audit=best-effort does not block on it"

hg_done
