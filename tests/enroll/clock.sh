# A replay step left in the future by a clock problem (issue 9, item 10):
# after one login while the clock was far ahead, every valid code reads as
# a replay.  hostgate status shows it; hostgate unlock USER clears it (and
# only then does a valid code log in again); unlock --source leaves it; a
# step within totp_window of now is kept, judged with the seed's period.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
. "$top_srcdir/tests/enroll/lib.sh"

# state USER LAST_STEP [SOURCE-LINES...]: write USER's state file directly
# (the format of common/state.c), root 0600, with its lock file.
state() {
	local user=$1 step=$2
	shift 2
	{
		echo "version = 1"
		echo "last_step = $step"
		echo "last_success = $(( $(date +%s) - 3600 ))"
		echo "total = 0 0 0"
		for l in "$@"; do echo "source = $l"; done
	} > "$T/state/$user"
	chmod 0600 "$T/state/$user"
	: > "$T/state/$user.lock"
	chmod 0600 "$T/state/$user.lock"
}

# step_of USER: the last_step the state file holds.
step_of() {
	sed -n 's/^last_step = //p' "$T/state/$1"
}

hg_user 'clock pw'; u=$NEWUSER
sec=$(hg_secret)
hg_seed "$u" "$sec"
now=$(date +%s)
future=$(( now - now % 30 + 86400 * 365 ))
state "$u" $future "2 $now 0 192.0.2.1"

# The problem as a user meets it: a valid code is refused.
hg_pam -a 'clock pw' -a "$(hg_code "$sec")" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "i9_10_refused: a valid code is refused while the step is ahead"

hgc status "$u"
expect_rc 0 "i9_10_status: status USER"
expect_out cout "^$u +plain +sha1/6/30! " "i9_10_status: the TOTP column is marked"
expect_out cout "^! $u: the last accepted code's time step \([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\) is ahead of the clock" "i9_10_status: a line says the step is ahead"
expect_out cout "clock went back.*'hostgate unlock $u' clears it" "i9_10_status: says why and what clears it"
hgc status
expect_out cout "^! $u: the last accepted code's time step" "i9_10_status: status (everyone) shows it too"

hgc unlock "$u" --source 192.0.2.1
expect_rc 0 "i9_10_unlock_source: unlock --source"
[ "$(step_of "$u")" = "$future" ] && pass "i9_10_unlock_source: the step is left alone" ||
    fail "i9_10_unlock_source: last_step is now $(step_of "$u")"
expect_no_out cout "step" "i9_10_unlock_source: says nothing about the step"

hgc unlock "$u"
expect_rc 0 "i9_10_unlock: unlock USER"
[ "$(step_of "$u")" = "-1" ] && pass "i9_10_unlock: the future step is cleared" ||
    fail "i9_10_unlock: last_step is $(step_of "$u")"
grep -q "$future" "$T/state/$u" && fail "i9_10_unlock: the file still holds $future" ||
    pass "i9_10_unlock: the file no longer holds it"
expect_out cout "^$u: cleared the replay step .*ahead of the clock" "i9_10_unlock: says so"
hgc status "$u"
expect_no_out cout "^!" "i9_10_unlock: status shows no clock problem"
expect_out cout "^$u +plain +sha1/6/30 " "i9_10_unlock: nor a marker"
c=$(hg_code "$sec")
hg_pam -a 'clock pw' -a "$c" hgtest "$u"
expect "auth: PAM_SUCCESS" "i9_10_unlock: a valid code logs in again"

# A step within the window is a code just used: unlock keeps it, and the
# code stays used.
hgc unlock "$u"
expect_rc 0 "i9_10_window_kept: unlock after the login"
kept=$(step_of "$u")
[ "$kept" -ge 0 ] && pass "i9_10_window_kept: the step of the login is kept ($kept)" ||
    fail "i9_10_window_kept: last_step is $kept"
expect_no_out cout "replay step" "i9_10_window_kept: nothing said about the step"
hg_pam -a 'clock pw' -a "$c" hgtest "$u"
expect "auth: PAM_AUTH_ERR" "i9_10_window_kept: the used code stays used"

now=$(date +%s)
ahead=$(( now + 20 ))
state "$u" $ahead
hgc unlock "$u"
expect_rc 0 "i9_10_window_kept: unlock, next step stored"
[ "$(step_of "$u")" = "$ahead" ] && pass "i9_10_window_kept: a step 20 s ahead is kept" ||
    fail "i9_10_window_kept: last_step is $(step_of "$u")"
hgc status "$u"
expect_no_out cout "^!" "i9_10_window_kept: status does not flag it"

# 45 s ahead is within one 60 s step: not a clock problem for a seed with
# period 60 (it would be for 30).
hg_user 'slow pw'; s=$NEWUSER
hg_seed "$s" "$(hg_secret)" "period = 60"
ahead=$(( $(date +%s) + 45 ))
state "$s" $ahead
hgc status "$s"
expect_no_out cout "^!" "i9_10_period: status judges with the seed's period"
hgc unlock "$s"
[ "$(step_of "$s")" = "$ahead" ] && pass "i9_10_period: unlock keeps it" ||
    fail "i9_10_period: last_step is $(step_of "$s")"
ahead=$(( $(date +%s) + 600 ))
state "$s" $ahead
hgc status "$s"
expect_out cout "^$s +plain +sha1/6/60! " "i9_10_period: 600 s ahead is flagged"
hgc unlock "$s"
[ "$(step_of "$s")" = "-1" ] && pass "i9_10_period: and cleared" ||
    fail "i9_10_period: last_step is $(step_of "$s")"

hg_done
