#!/bin/sh
# The spool: files written as the module writes them (submit_spool()) are
# journaled in name (= time) order when hostgated starts, and every second
# after; only then are they removed.  The pid comes from the file name, the
# uid from the owner.  Malformed files are set aside as NAME.bad, logged,
# never deleted; one that may still be being written is left alone.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
S=$T/spool

# Written out of order: the names sort by ts.
for ts in 1700000000300 1700000000100 1700000000500 1700000000200 \
    1700000000400; do
	sh -c 'echo $$ > "$1"; exec "$2" spool "$3" ts="$4" tty="s-$4" \
	    event=auth result=deny pam=PAM_AUTH_ERR reason=bad-code' \
	    sh "$T/pid.$ts" "$HGSEND" "$S" "$ts"
done
check "five spool files were written" \
    test "$(ls "$S" | grep -c '\.rec$')" = 5

# The bad ones.
printf 'GET / HTTP/1.0\r\n\r\n' > "$S/1700000000000-1-aaaa.rec"
touch -d '1 hour ago' "$S/1700000000000-1-aaaa.rec"
printf 'GET / HTTP/1.0\r\n\r\n' > "$S/not-a-spool-name.rec"
touch -d '1 hour ago' "$S/not-a-spool-name.rec"
ln -s /etc/passwd "$S/1700000000002-3-cccc.rec"
mkfifo "$S/1700000000003-4-dddd.rec"
"$HGSEND" spool "$S" ts=1700000000004 user=root tty=not-yours
other=$(ls "$S" | grep '^1700000000004-')
chown nobody "$S/$other"
"$HGSEND" spool "$S" ts=1700000000005 tty=linked
linked=$(ls "$S" | grep '^1700000000005-')
ln "$S/$linked" "$T/elsewhere"
# Being written right now (too young to judge): left alone.
printf '\0\0' > "$S/1700000000006-6-ffff.rec"
echo "not a record" > "$S/README"

hg_start
for _ in $(seq 1 50); do
	[ -s "$JOURNAL" ] && [ "$(wc -l < "$JOURNAL")" -ge 5 ] && break
	sleep 0.1
done
expect_eq "the five records are journaled" "$(wc -l < "$JOURNAL")" 5
expect_eq "... in time order" "$(sed 's/.*"tty":"\([^"]*\)".*/\1/' "$JOURNAL" |
    tr '\n' ' ')" "s-1700000000100 s-1700000000200 s-1700000000300 s-1700000000400 s-1700000000500 "
expect_eq "... with the pid from the file name" "$(jfield "$JOURNAL" 2 pid)" \
    "$(cat "$T/pid.1700000000200")"
expect_eq "... and the uid of the file's owner" "$(jfield "$JOURNAL" 2 uid)" 0
expect_eq "... as they were written" \
    "$(jfield "$JOURNAL" 2 event) $(jfield "$JOURNAL" 2 reason)" \
    '"auth" "bad-code"'
check "their files are gone" \
    test "$(ls "$S" | grep -c '^17000000001.*\.rec$')" = 0
for f in 1700000000000-1-aaaa.rec not-a-spool-name.rec \
    1700000000002-3-cccc.rec 1700000000003-4-dddd.rec "$other" "$linked"; do
	check "$f: set aside as .bad" test -e "$S/$f.bad" -o -L "$S/$f.bad"
	check "$f: ... and logged" grep -q "$f: .*set aside as $f.bad" \
	    "$T/syslog"
done
expect_log "not exactly one record frame" "the garbage file: says why"
expect_log "a symbolic link" "the symlink: says why"
expect_log "not a regular file" "the fifo: says why"
expect_log "has other links" "the hard link: says why"
expect_log "not a record its owner may submit" \
    "nobody's file about root: says why"
check "a file still being written is left alone" \
    test -e "$S/1700000000006-6-ffff.rec"
check "other files are left alone" test -e "$S/README"
check "syslog has the spooled records" grep -q \
    'seq=1 event=auth result=deny pam=PAM_AUTH_ERR reason=bad-code' \
    "$T/syslog"

# While it runs, the spool is drained every second.
"$HGSEND" spool "$S" tty=later
for _ in $(seq 1 40); do
	[ "$(wc -l < "$JOURNAL")" -ge 6 ] && break
	sleep 0.1
done
expect_eq "a file spooled later is journaled within seconds" \
    "$(jfield "$JOURNAL" 6 tty)" '"later"'
check "... and removed" \
    test "$(ls "$S" | grep '\.rec$' | grep -vc '^1700000000006-')" = 0

hg_stop

# No spool directory at the start: records still come through the socket,
# and SIGHUP looks for the directory again.
mv "$S" "$T/spool.away"
: > "$T/syslog"
hg_start
expect_log "not draining the spool" "a missing spool is logged"
"$HGSEND" record "$SOCK" tty=no-spool > "$T/out"
expect_eq "... and records still come in" "$(cut -d' ' -f1 "$T/out")" seq=7
mv "$T/spool.away" "$S"
"$HGSEND" spool "$S" tty=after-hup
kill -HUP "$DPID"
for _ in $(seq 1 40); do
	[ "$(wc -l < "$JOURNAL")" -ge 8 ] && break
	sleep 0.1
done
expect_eq "after SIGHUP the spool is drained again" \
    "$(jfield "$JOURNAL" 8 tty)" '"after-hup"'
hg_stop
verify "$JOURNAL"
expect_eq "the journal verifies" "$(cat "$T/vout")" "ok 8 records"
hg_done
