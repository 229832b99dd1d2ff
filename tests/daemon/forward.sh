# HTTPS forwarding through an outage: a local collector (127.0.0.1, a CA
# made by the test) answers 503 for a while, then drops connections, then
# accepts.  Every record arrives (duplicates allowed, counted), the token
# travels in the Authorization header and appears in no log, and delivery
# resumes from the journal after hostgated is killed.
. "$top_srcdir/tests/daemon/lib.sh"
hg_setup
command -v openssl >/dev/null && command -v python3 >/dev/null || {
	echo "ERROR: openssl and python3 are needed (run ./scripts/test)"; exit 99; }

# A private CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hostgate-test-ca \
    -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$T/san.ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/san.ext" -out "$T/srv.pem" 2>/dev/null

token="hgtoken-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$token" > "$T/token"
chmod 0600 "$T/token"

python3 "$top_srcdir/tests/daemon/collector.py" --cert "$T/srv.pem" \
    --key "$T/srv.key" --portfile "$T/port" --out "$T/received" \
    --authfile "$T/auth" --fail503 3 --drop 2 --lifetime 170 &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "ERROR: collector did not start"; exit 99; }

hg_conf
cat >> "$T/hostgate.conf" <<EOF
audit_forward_url = https://127.0.0.1:$(cat "$T/port")/ingest
audit_forward_ca = $T/ca.pem
audit_forward_token_file = $T/token
EOF
# The lockout state of a user called "forward.cursor": not the cursor.
printf '# hostgate lockout and replay state\nversion = 1\n' \
    > "$T/state/forward.cursor"
chmod 0600 "$T/state/forward.cursor"
cp "$T/state/forward.cursor" "$T/user.saved"
hg_start

"$HGSEND" load "$SOCK" 4 200 fwd "$T/acks1" 60 >/dev/null
# Kill the daemon in the middle of the outage, then send more.
hg_stop KILL
hg_start
"$HGSEND" load "$SOCK" 4 200 fwd2 "$T/acks2" 60 >/dev/null
total=$(wc -l < "$JOURNAL")

# Wait until the collector has every seq, at most two minutes.
got=0
for _ in $(seq 1 240); do
	got=$(tr -d '[] ' 2>/dev/null < "$T/received" | tr ',' '\n' | grep -c . || true)
	uniq=$(tr -d '[] ' 2>/dev/null < "$T/received" | tr ',' '\n' | grep . | sort -un | wc -l)
	[ "$uniq" -ge "$total" ] && break
	sleep 0.5
done
missing=$(comm -23 <(seq 1 "$total" | sort) \
    <(tr -d '[] ' < "$T/received" | tr ',' '\n' | grep . | sort -u) | wc -l)
expect_eq "every journaled record reached the collector ($total records)" "$missing" 0
pass "duplicates delivered (at-least-once): $((got - uniq))"
[ "$(grep -c . "$T/auth")" -ge 6 ] && pass "the collector saw the 503s, drops and deliveries" \
    || fail "the collector saw only $(grep -c . "$T/auth") requests"
if grep -qvxF "Bearer $token" "$T/auth"; then fail "a request lacked the bearer token"; \
    else pass "every request carried the bearer token"; fi
expect_log "delivery up to seq" "failed deliveries are logged"
leak=0
for f in "$T/syslog" "$T/daemon.err" "$JOURNAL"; do
	grep -qF "$token" "$f" && leak=1
done
expect_eq "the token appears in no log or journal" "$leak" 0
[ -s "$T/state/.forward.cursor" ] && grep -qx "seq = $total" "$T/state/.forward.cursor" \
    && pass "the cursor names the last delivered seq" || fail "cursor: $(cat "$T/state/.forward.cursor" 2>/dev/null)"
check "i9_14_user_named_like_cursor: the user's file is not the cursor" \
    cmp -s "$T/state/forward.cursor" "$T/user.saved"

# An untrusted token file stops hostgated from starting.
chmod 0644 "$T/token"
hg_stop TERM
if "$HOSTGATED_TEST" --config "$T/hostgate.conf" -t 2>"$T/t.err"; then
	fail "hostgated -t accepted a world-readable token file"
else
	grep -q "$T/token" "$T/t.err" && pass "hostgated -t refuses a world-readable token file" \
	    || fail "no message naming the token file: $(cat "$T/t.err")"
fi
hg_done
