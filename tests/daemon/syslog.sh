#!/bin/sh
# The syslog sink: one line per record, LOG_AUTHPRIV, info for allow and
# notice for deny, every value quoted so that none can forge a field: a
# user name holding a newline and " result=allow" gives exactly one line,
# with the text escaped.  hostgated-test appends what it logs to $T/syslog.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
hg_start

evil='mallory
seq=999 event=auth result=allow pam=PAM_SUCCESS user="root"'
: > "$T/syslog"
"$HGSEND" record "$SOCK" event=auth user="$evil" result=deny \
    pam=PAM_AUTH_ERR reason=bad-code tty='pts/1"x=1' > "$T/out"
expect_eq "the record is stored" "$(cut -d' ' -f1 "$T/out")" seq=1
expect_eq "exactly one syslog line" "$(wc -l < "$T/syslog")" 1
expect_eq "... which is the record, escaped" "$(cat "$T/syslog")" \
    '<85> seq=1 event=auth result=deny pam=PAM_AUTH_ERR reason=bad-code user="mallory\nseq=999 event=auth result=allow pam=PAM_SUCCESS user=\"root\"" service="hgsend" rhost=- ruser=- tty="pts/1\"x=1" rule=- factors=- pid='"$(jfield "$JOURNAL" 1 pid)"' uid=0'
check "no line claims result=allow" sh -c "! grep -q '^seq=999' '$T/syslog'"
check "the journal line escapes it as JSON" grep -qF \
    '"user":"mallory\u000aseq=999 event=auth result=allow pam=PAM_SUCCESS user=\"root\""' \
    "$JOURNAL"

# A decision about such a user: one line, notice (deny).
: > "$T/syslog"
"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user="$evil" rhost='10.0.0.1
x' > "$T/out" || true
expect_eq "a decision about it is an unknown user" "$(cat "$T/out")" \
    "seq=2 result=deny pam=PAM_USER_UNKNOWN reason=unknown-user rule="
expect_eq "exactly one syslog line for it" "$(wc -l < "$T/syslog")" 1
check "... at notice" grep -q '^<85> seq=2 event=account result=deny' \
    "$T/syslog"
check "... escaped" grep -qF 'rhost="10.0.0.1\nx"' "$T/syslog"

# Bytes outside ASCII and control characters.
: > "$T/syslog"
"$HGSEND" record "$SOCK" user="$(printf 'a\tb\033[31mc\351')" > /dev/null
expect_eq "control bytes: one line" "$(wc -l < "$T/syslog")" 1
check "control bytes: escaped" grep -qF 'user="a\tb\x1b[31mc\xe9"' "$T/syslog"

# An allow is info; the daemon's own messages are LOG_DAEMON.
: > "$T/syslog"
"$HGSEND" decide "$SOCK" policy="$T/policy.conf" \
    user=root service=sshd > /dev/null
check "an allow is logged at info" grep -q '^<86> seq=4 event=account result=allow' \
    "$T/syslog"
kill -HUP "$DPID"
sleep 0.3
check "the daemon's own messages are LOG_DAEMON, stamped with the function" \
    grep -q '^<30> rotate: reopened' "$T/syslog"

# A refused record's user is quoted in the log line too.
hg_stop
chmod 0755 "$T/run"
hg_start
chmod 0666 "$SOCK"
: > "$T/syslog"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
    "$HGSEND" record "$SOCK" user="$evil" > "$T/out" || true
expect_eq "nobody's record about another user: refused" "$(cat "$T/out")" \
    "seq=0 result= pam= reason=refused rule="
expect_eq "one log line for the refusal" "$(wc -l < "$T/syslog")" 1
check "... with the user quoted" grep -qF 'about user "mallory\nseq=999' \
    "$T/syslog"
hg_stop
hg_done
