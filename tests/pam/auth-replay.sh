# Replay prevention: a code whose step is not newer than the last accepted
# one is refused, also when many logins race with the same code.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
hg_conf "lockout_deny = 0
lockout_deny_total = 0"

hg_user 'replay pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
now=1795003215

c=$(hg_code "$sec" $now)
hg_pam -T $now -a 'replay pw' -a "$c" hgtest "$u"
expect "auth: PAM_SUCCESS" "first use of a code"
grep -qx "last_step = $(( now / 30 * 30 ))" "$T/state/$u" && pass "accepted step stored" || fail "state lacks the accepted step"
hg_pam -T $now -a 'replay pw' -a "$c" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "same code again"
expect_log "reason=replayed-code" "replay logged as such"
hg_pam -T $((now + 20)) -a 'replay pw' -a "$c" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "same code in the next step (still inside the window)"
hg_pam -T $((now + 20)) -a 'replay pw' -a "$(hg_code "$sec" $((now - 30)))" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "an older step's code after a newer one"
hg_pam -T $((now + 30)) -a 'replay pw' -a "$(hg_code "$sec" $((now + 30)))" hgtest "$u"
expect "auth: PAM_SUCCESS" "the next step's code"

# A stale temporary file from a crash mid-write changes nothing.
echo "garbage" > "$T/state/$u.new"
hg_pam -T $((now + 30)) -a 'replay pw' -a "$(hg_code "$sec" $((now + 30)))" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "replay refused with a stale temporary state file"

# A truncated state file fails closed and says what to do.
cp "$T/state/$u" "$T/state.keep"
head -c 20 "$T/state.keep" > "$T/state/$u"
hg_pam -T $((now + 60)) -a 'replay pw' -a "$(hg_code "$sec" $((now + 60)))" hgtest "$u"
expect "auth: PAM_AUTHINFO_UNAVAIL" "truncated state fails closed"
expect_log "hostgate unlock" "the log line tells how to repair it"
cp "$T/state.keep" "$T/state/$u"

# Twenty logins race with one valid code: exactly one gets in.
hg_user 'race pw'; r=$NEWUSER
sec=$(hg_secret)
hg_seed "$r" "$sec"
c=$(hg_code "$sec" $now)
for i in $(seq 1 20); do
	HG_SYSLOG="$T/race.log" TZ=UTC LD_PRELOAD="$LIBFAKETIME" \
	    FAKETIME="$(date -u -d "@$now" '+%Y-%m-%d %H:%M:%S')" \
	    "$HGPAM" -c "$T/pam.d" -r "10.9.9.$i" -a 'race pw' -a "$c" hgtest "$r" \
	    > "$T/race.$i" 2>&1 &
done
wait
cat "$T/race.log" >> "$T/syslog"
ok=$(cat "$T/race".[0-9]* | grep -c '^auth: PAM_SUCCESS$' || true)
bad=$(cat "$T/race".[0-9]* | grep -c '^auth: PAM_AUTH_ERR$' || true)
[ "$ok" = 1 ] && [ "$bad" = 19 ] && pass "20 concurrent logins with one code: 1 success, 19 refused" \
    || fail "20 concurrent logins: $ok successes, $bad refusals"
[ "$(grep -c 'reason=replayed-code' "$T/race.log")" = 19 ] && pass "the 19 refusals are replays" \
    || fail "the refusals are not all replays"

hg_done
