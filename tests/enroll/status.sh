# hostgate status and unlock: failures provoked through the real PAM stack
# from two sources lock both; status shows each source with its failures
# and lock; unlocking one source lets it in and leaves the other locked;
# unlocking all clears the rest; every unlock is an audit record.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"
hg_conf "lockout_deny = 3
lockout_deny_total = 20"

hg_user 'st pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
hg_user 'quiet pw'; q=$NEWUSER
hg_seed "$q" "$(hg_secret)"

# A success first, so that the last login has a time.
hg_pam -r 192.0.2.9 -a 'st pw' -a "$(hg_code "$sec")" hgtest "$u"
expect "auth: PAM_SUCCESS" "a login"
for src in 192.0.2.1 192.0.2.2; do
	for i in 1 2 3; do
		hg_pam -r $src -a 'st pw' -a 000000 hgtest "$u"
	done
done
# Once locked, an attempt is refused without being counted.
hg_pam -r 192.0.2.2 -a 'st pw' -a 000000 hgtest "$u"
expect_log "reason=locked" "the source is locked"

hgc status "$u"
expect_rc 0 "status USER"
expect_out cout "^USER +SEED +TOTP +RECOVERY +LAST LOGIN +SOURCE +FAILS +LOCKED UNTIL$" "table header"
expect_out cout "^$u +plain +sha1/6/30 +0 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +\(all\) +6 +-$" "first row: seed, last login, total failures"
expect_out cout "^ +192\.0\.2\.1 +3 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$" "192.0.2.1: 3 failures, locked"
expect_out cout "^ +192\.0\.2\.2 +3 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$" "192.0.2.2: 3 failures, locked"
[ "$(wc -l < "$T/cout")" = 4 ] && pass "one row per source" || fail "$(wc -l < "$T/cout") lines"

# hostgated's files and the buckets of unknown names in state_dir are
# not users.
for f in .hostgated.head .forward.cursor .unknown.key .unknown.3f \
    .unknown.3f.lock; do
	printf 'x' > "$T/state/$f"
	chmod 0600 "$T/state/$f"
done
hgc status
expect_rc 0 "status (everyone)"
expect_no_out cout "^ *\\.?(hostgated|forward|unknown)" "dot files in state_dir are not users"
rm "$T"/state/.hostgated.head "$T"/state/.forward.cursor "$T"/state/.unknown.*
expect_out cout "^$u +plain " "lists $u"
expect_out cout "^$q +plain +sha1/6/30 +0 +never +- +0 +-$" "lists $q: never logged in, no failures"

# Unlock one source: it gets in, the other stays locked.
hgc unlock "$u" --source 192.0.2.1
expect_rc 0 "unlock --source"
expect_out cout "^$u: cleared 3 failures from 192\.0\.2\.1\.$" "says what it cleared"
t1=$(( $(date +%s) + 30 ))
hg_pam -T $t1 -r 192.0.2.1 -a 'st pw' -a "$(hg_code "$sec" $t1)" hgtest "$u"
expect "auth: PAM_SUCCESS" "the unlocked source logs in"
t2=$(( $(date +%s) + 60 ))
hg_pam -T $t2 -r 192.0.2.2 -a 'st pw' -a "$(hg_code "$sec" $t2)" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "the other source is still locked"
expect_log "reason=locked" "refused as locked"
hgc status "$u"
expect_no_out cout "192\.0\.2\.1" "status: the unlocked source is gone"
expect_out cout "^ +192\.0\.2\.2 +3 +[0-9]{4}-" "status: the other one is still there"

hgc unlock "$u" --source 198.51.100.1
expect_rc 1 "unlock of a source with no failures"
expect_out cerr "no failures recorded from '198\.51\.100\.1'" "says so"
expect_out cerr "sources with failures: 192\.0\.2\.2" "lists the sources there are"

# Unlock everything.
hgc unlock "$u"
expect_rc 0 "unlock (all sources)"
expect_out cout "^$u: cleared the lockout state of every source" "says so"
t3=$(( $(date +%s) + 90 ))
hg_pam -T $t3 -r 192.0.2.2 -a 'st pw' -a "$(hg_code "$sec" $t3)" hgtest "$u"
expect "auth: PAM_SUCCESS" "the other source logs in now"
hgc status "$u"
# The login at t3 (90 s ahead) may leave its step ahead of the clock: '!'.
expect_out cout "^$u +plain +sha1/6/30!? +0 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +- +0 +-$" "status: nothing left"
# The replay state survives an unlock: the last code stays used.
hg_pam -T $t3 -r 192.0.2.7 -a 'st pw' -a "$(hg_code "$sec" $t3)" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "a used code stays used after unlock"
expect_log "reason=replayed-code" "refused as a replay"

hgc unlock "$q"
expect_rc 0 "unlock of a user without state"
expect_out cout "^$q: no lockout state; nothing to clear\.$" "says so"
[ -e "$T/state/$q" ] && fail "unlock created a state file" || pass "no state file created"

# Each unlock is an audit record: no hostgated here, so in the spool.
n=$(grep -al 'unlock' "$T/spool"/*.rec 2>/dev/null | wc -l)
[ "$n" = 2 ] && pass "2 unlock records spooled" || fail "$n unlock records spooled"
grep -aq "source=192.0.2.1" "$T/spool"/*.rec && pass "the record names the source" ||
    fail "source not in the record"

# With hostgated running, the record goes to its journal.
HOSTGATED=$top_builddir/helper/hostgated
if [ -x "$HOSTGATED" ]; then
	mkdir -m 0700 "$T/log"
	printf 'role all = *\nallow all service=sshd\n' > "$T/policy.conf"
	hg_conf "lockout_deny = 3
audit_log = $T/log/audit.jsonl
policy = $T/policy.conf"
	"$HOSTGATED" --config "$T/hostgate.conf" > "$T/hostgated.out" 2>&1 &
	dpid=$!
	trap 'kill $dpid 2>/dev/null || true; hg_cleanup' EXIT
	for i in $(seq 1 50); do [ -S "$T/hostgated.sock" ] && break; sleep 0.1; done
	for i in 1 2 3; do hg_pam -r 203.0.113.5 -a 'st pw' -a 000000 hgtest "$u"; done
	hgc unlock "$u" --source 203.0.113.5
	expect_rc 0 "unlock with hostgated running"
	kill $dpid || { fail "hostgated died"; cat "$T/hostgated.out"; }
	wait $dpid 2>/dev/null || true
	grep -q '"event":"unlock","service":"hostgate","user":"'"$u"'".*"rule":"source=203.0.113.5"' \
	    "$T/log/audit.jsonl" && pass "the unlock is in hostgated's journal" ||
	    { fail "no unlock record in the journal"; cat "$T/hostgated.out"; }
	set +e
	"$HOSTGATE" audit verify "$T/log/audit.jsonl" > "$T/cout" 2>&1
	rc=$?
	set -e
	expect_rc 0 "the journal's chain verifies"
else
	fail "no $HOSTGATED"
fi

# Untrusted state files are reported, not trusted.
chmod 0644 "$T/state/$u"
hgc status "$u"
expect_rc 1 "status with an untrusted state file"
expect_out cerr "$T/state/$u: mode 0644 is too open" "names the file"
hgc unlock "$u"
expect_rc 1 "unlock refuses it too"
chmod 0600 "$T/state/$u"

as_nobody "$HOSTGATE" --config "$T/hostgate.conf" status
expect_rc 1 "status: non-root refused"
as_nobody "$HOSTGATE" --config "$T/hostgate.conf" unlock "$u"
expect_rc 1 "unlock: non-root refused"
expect_out cerr "must be run as root" "says it needs root"
hgc unlock
expect_rc 2 "unlock without a user"
hgc status "$u" "$q"
expect_rc 2 "status with two users"

hg_done
