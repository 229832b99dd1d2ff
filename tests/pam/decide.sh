# The account decision through hostgated names the policy the module would
# load: hostgated answers only for the policy it holds warm, and a stack
# whose policy= or config= names another policy gets the same decision as
# without the helper (the module decides locally and hands the helper an
# ordinary record).  Real libpam, the built module, hostgated-test.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
HOSTGATED="$top_builddir/tests/daemon/hostgated-test"
HGSEND="$top_builddir/tests/daemon/hgsend"
journal="$T/audit.jsonl"
spooled() { find "$T/spool" -name '*.rec' | wc -l; }

hg_user 'decide pw'; u=$NEWUSER
cat > "$T/policy.conf" <<POLICY
role users = $u
allow users
POLICY
cat > "$T/deny-all.conf" <<POLICY
role everyone = *
deny everyone
POLICY
hg_conf "policy = $T/policy.conf
audit_log = $journal"
sed "s|^policy = .*|policy = $T/deny-all.conf|" "$T/hostgate.conf" \
    > "$T/other.conf"
conf="config=$T/hostgate.conf"
hg_service normal "account required $MODULE $conf debug"
hg_service stackpol \
    "account required $MODULE $conf policy=$T/deny-all.conf debug"
hg_service stackconf "account required $MODULE config=$T/other.conf debug"

# Without the helper: the module decides with the policy of each stack.
hg_pam -K normal "$u"
expect "account: PAM_SUCCESS" "no helper: the default policy allows"
hg_pam -K stackpol "$u"
expect "account: PAM_PERM_DENIED" "no helper: policy= on the stack line denies"
hg_pam -K stackconf "$u"
expect "account: PAM_PERM_DENIED" "no helper: config= naming deny-all denies"
rm -f "$T"/spool/*.rec

HG_SYSLOG="$T/daemon.log" "$HOSTGATED" --config "$T/hostgate.conf" \
    2>"$T/daemon.err" &
dpid=$!
trap 'kill $dpid 2>/dev/null || true; wait $dpid 2>/dev/null || true; hg_cleanup' EXIT
"$HGSEND" wait "$T/hostgated.sock" 10 >/dev/null ||
    { cat "$T/daemon.err"; fail "hostgated did not start"; }

# The normal stack: the helper decides (its seq is in the module's log
# and names the journal's account record).
hg_pam -K normal "$u"
expect "account: PAM_SUCCESS" "i9_01_helper_decides_normal_stack: allowed"
seq=$(sed -n 's/.*account decision from hostgated: seq \([0-9]*\).*/\1/p' \
    "$T/syslog.last")
if [ -n "$seq" ] && grep -q "^{\"seq\":$seq,.*\"event\":\"account\".*\"result\":\"allow\"" "$journal"; then
	pass "i9_01_helper_decides_normal_stack: the decision is hostgated's (seq $seq)"
else
	fail "i9_01_helper_decides_normal_stack: no decision from hostgated (seq '$seq')"
fi

# Another policy on the stack line: hostgated declines, the module decides
# locally (deny) and the record still goes to the helper, not the spool.
n0=$(wc -l < "$journal")
hg_pam -K stackpol "$u"
expect "account: PAM_PERM_DENIED" "i9_01_stack_policy_denies_with_helper"
expect_log "hostgated does not hold the policy $T/deny-all.conf" \
    "i9_01_stack_policy_denies_with_helper: the module says why it decides itself"
grep -q 'declined a decision.*another policy' "$T/daemon.log" &&
    pass "i9_01_stack_policy_denies_with_helper: hostgated logs why it declined" ||
    fail "i9_01_stack_policy_denies_with_helper: hostgated did not log its refusal"
[ "$(spooled)" = 0 ] &&
    pass "i9_01_stack_policy_denies_with_helper: nothing spooled (the helper is up)" ||
    fail "i9_01_stack_policy_denies_with_helper: $(spooled) records spooled"
if [ "$(wc -l < "$journal")" = $((n0 + 1)) ] &&
    tail -1 "$journal" | grep -q '"event":"account".*"result":"deny".*"reason":"rule","rule":"'"$T"'/deny-all.conf:2"'; then
	pass "i9_01_stack_policy_denies_with_helper: the local decision is journaled once"
else
	fail "i9_01_stack_policy_denies_with_helper: journal: $(tail -1 "$journal")"
fi

hg_pam -K stackconf "$u"
expect "account: PAM_PERM_DENIED" "i9_01_stack_config_denies_with_helper"
[ "$(spooled)" = 0 ] &&
    pass "i9_01_stack_config_denies_with_helper: nothing spooled" ||
    fail "i9_01_stack_config_denies_with_helper: $(spooled) records spooled"

# The helper still answers the normal stack after declining others.
hg_pam -K normal "$u"
expect_log "account decision from hostgated: seq" \
    "i9_01_helper_decides_normal_stack: still the helper's after a refusal"

# An edit of the policy the helper holds: both sides see the new files.
echo "deny users" >> "$T/policy.conf"
hg_pam -K normal "$u"
expect "account: PAM_PERM_DENIED" "i9_01_policy_edit: a new deny is seen"
cp "$T/deny-all.conf" "$T/policy.conf"
printf 'role users = %s\nallow users\n' "$u" > "$T/policy.conf"
hg_pam -K normal "$u"
expect "account: PAM_SUCCESS" "i9_01_policy_edit: and its removal"

kill $dpid; wait $dpid 2>/dev/null || true
"$top_builddir/tests/daemon/hgverify" audit verify "$journal" > "$T/vout" 2>&1 &&
    pass "the journal verifies: $(cat "$T/vout")" || fail "verify: $(cat "$T/vout")"
hg_done
