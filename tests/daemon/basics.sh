#!/bin/sh
# hostgated basics: -t, the socket (mode, a second instance, a stale file),
# acknowledgements and decisions, peer credentials from SO_PEERCRED, the
# journal's seq and chain across restarts, recovery from a partial last
# line, refusal of a damaged last record, SIGTERM.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup

# --- -t -----------------------------------------------------------------------
rc=0
"$HOSTGATED" -t --config "$T/hostgate.conf" >"$T/out" 2>&1 || rc=$?
expect_eq "-t: a good configuration exits 0" "$rc" 0
check "-t: says so" grep -q "configuration ok" "$T/out"

printf 'role a = root\nallow a mfa\ndeny a mfa\n' > "$T/bad.conf"
POLICY=$T/bad.conf; hg_conf
rc=0
"$HOSTGATED" -t --config "$T/hostgate.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-t: a broken policy exits 1" "$rc" 1
check "-t: the error names file and line" grep -q "bad.conf:3" "$T/err"
POLICY=; hg_conf

echo "no_such_key = 1" >> "$T/hostgate.conf"
rc=0
"$HOSTGATED" -t --config "$T/hostgate.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-t: an unknown setting exits 1" "$rc" 1
check "-t: the error names the setting" grep -q "no_such_key" "$T/err"
POLICY=; hg_conf

# --- the socket -----------------------------------------------------------------
hg_start -b "$HOSTGATED"
expect_eq "socket mode 0600, owned by the daemon's user" \
    "$(stat -c '%a %U' "$SOCK")" "600 root"

rc=0
"$HOSTGATED" --config "$T/hostgate.conf" >"$T/out" 2>&1 || rc=$?
expect_eq "a second instance refuses to start" "$rc" 1
check "... saying why" grep -q "another hostgated is running" "$T/out"
check "... and leaves the first one's socket alone" \
    sh -c '"$1" record "$2" tty=still-there >/dev/null' sh "$HGSEND" "$SOCK"

# --- records, decisions, credentials -------------------------------------------
sh -c 'echo $$ > "$1"; exec "$2" record "$3" tty=pts/7 rhost=10.1.2.3' \
    sh "$T/pid" "$HGSEND" "$SOCK" > "$T/out"
expect_eq "a record is acknowledged with its seq" "$(cat "$T/out")" \
    "seq=2 result= pam= reason= rule="
expect_eq "the journal has the peer's pid (SO_PEERCRED)" \
    "$(jfield "$JOURNAL" 2 pid)" "$(cat "$T/pid")"
expect_eq "... and its uid" "$(jfield "$JOURNAL" 2 uid)" 0
expect_eq "journal mode 0640" "$(stat -c %a "$JOURNAL")" 640

"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=root service=sshd factors=password \
    > "$T/out" || true
expect_eq "a decision: allow, with the rule" "$(cat "$T/out")" \
    "seq=3 result=allow pam=PAM_SUCCESS reason=rule rule=$T/policy.conf:2"
"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=root service=login > "$T/out" || true
expect_eq "a decision: deny, no rule" "$(cat "$T/out")" \
    "seq=4 result=deny pam=PAM_PERM_DENIED reason=no-rule rule="
"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=no-such-user-hg service=sshd > "$T/out" || true
expect_eq "a decision: unknown user" "$(cat "$T/out")" \
    "seq=5 result=deny pam=PAM_USER_UNKNOWN reason=unknown-user rule="
"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=-rf service=sshd > "$T/out" || true
expect_eq "a decision: an unusable user name is unknown" "$(cat "$T/out")" \
    "seq=6 result=deny pam=PAM_USER_UNKNOWN reason=unknown-user rule="
"$HGSEND" record "$SOCK" event=unlock user=root > "$T/out"
expect_eq "any lowercase event is a record (the CLI's unlock)" \
    "$(cut -d' ' -f1 "$T/out")" "seq=7"
expect_eq "a decision is journaled with its outcome" \
    "$(jfield "$JOURNAL" 3 result) $(jfield "$JOURNAL" 3 reason)" \
    '"allow" "rule"'

# A decision only for the policy it holds: the request must name it
# (what the daemon logs then: tests/pam/decide.sh).
rc=0
"$HGSEND" decide "$SOCK" user=root service=sshd > "$T/out" || rc=$?
expect_eq "i9_01_decide_without_policy_refused" "$rc $(cat "$T/out")" \
    "3 seq=0 result= pam= reason=other-policy rule="
cp "$T/policy.conf" "$T/other.conf"
rc=0
"$HGSEND" decide "$SOCK" policy="$T/other.conf" user=root service=sshd \
    > "$T/out" || rc=$?
expect_eq "i9_01_decide_other_policy_refused: the same rules elsewhere" \
    "$rc $(cat "$T/out")" "3 seq=0 result= pam= reason=other-policy rule="
rc=0
"$HGSEND" decide "$SOCK" policy="$T//policy.conf" user=root service=sshd \
    > "$T/out" || rc=$?
expect_eq "i9_01_decide_other_policy_refused: another spelling of the path" \
    "$rc $(cat "$T/out")" "3 seq=0 result= pam= reason=other-policy rule="
expect_eq "i9_01_decide_other_policy_refused: nothing journaled" \
    "$(wc -l < "$JOURNAL")" 7

# --- restarts: seq and chain go on ----------------------------------------------
hg_stop
expect_eq "SIGTERM: exit 0" "$STOP_RC" 0
check "SIGTERM: the socket is removed" test ! -e "$SOCK"
hg_start -b "$HOSTGATED"
"$HGSEND" record "$SOCK" > "$T/out"
expect_eq "after a restart seq goes on" "$(cut -d' ' -f1 "$T/out")" "seq=8"
expect_eq "... and chains to the last record" "$(jfield "$JOURNAL" 8 prev)" \
    "$(jfield "$JOURNAL" 7 hash)"

hg_stop KILL
check "SIGKILL leaves a stale socket file" test -S "$SOCK"
hg_start
expect_log "removed a stale socket" "a stale socket is replaced"
"$HGSEND" record "$SOCK" > "$T/out"
expect_eq "... and records go on" "$(cut -d' ' -f1 "$T/out")" "seq=9"

# --- a crash in the middle of a write -------------------------------------------
hg_stop KILL
printf '{"seq":10,"ts":"2026-11-22T19:40:01.123Z","host":"' >> "$JOURNAL"
hg_start
expect_log "removed a partial last line of 50 bytes" \
    "a partial last line is cut off and logged"
"$HGSEND" record "$SOCK" > "$T/out"
expect_eq "... and its seq is used again (it was never acked)" \
    "$(cut -d' ' -f1 "$T/out")" "seq=10"
hg_stop
verify "$JOURNAL"
expect_eq "the journal verifies" "$(cat "$T/vout")" "ok 10 records"

# A file of zeros after the last line (what a crash can leave) is cut too.
head -c 20000 /dev/zero >> "$JOURNAL"
hg_start
"$HGSEND" record "$SOCK" > "$T/out"
expect_eq "a zero-filled tail is cut off" "$(cut -d' ' -f1 "$T/out")" \
    "seq=11"
hg_stop
verify "$JOURNAL"
expect_eq "... and the journal verifies" "$(cat "$T/vout")" "ok 11 records"

# --- a damaged last record: refuse to start, change nothing --------------------
cp "$JOURNAL" "$T/good"
sed -i '$ s/"hgsend"/"hgsenX"/' "$JOURNAL"
rc=0
"$HOSTGATED" --config "$T/hostgate.conf" >"$T/out" 2>&1 || rc=$?
expect_eq "a damaged last record: refuses to start" "$rc" 1
check "... saying so" grep -q "the last record is damaged" "$T/out"
check "... and leaves the journal as it was" \
    sh -c "! cmp -s '$JOURNAL' '$T/good' && test \$(wc -l < '$JOURNAL') = 11"
cp "$T/good" "$JOURNAL"

# --- a symlink or a group-writable journal is refused --------------------------
mv "$JOURNAL" "$T/log/real.jsonl"
ln -s real.jsonl "$JOURNAL"
rc=0
"$HOSTGATED" --config "$T/hostgate.conf" >"$T/out" 2>&1 || rc=$?
expect_eq "a symlinked journal: refuses to start" "$rc" 1
rm "$JOURNAL"
mv "$T/log/real.jsonl" "$JOURNAL"
chmod 0660 "$JOURNAL"
rc=0
"$HOSTGATED" --config "$T/hostgate.conf" >"$T/out" 2>&1 || rc=$?
expect_eq "a group-writable journal: refuses to start" "$rc" 1
chmod 0640 "$JOURNAL"

hg_done
