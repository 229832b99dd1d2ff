# The demo proper (run by scripts/demo after the build): a throwaway user,
# a temporary seed, and real PAM transactions through pam_start_confdir.
set -eu
top=$(pwd)
HGPAM="$top/tests/pam/hgpam"
MODULE="$top/pam_module/.libs/pam_hostgate.so"
HOSTGATED="$top/helper/hostgated"
HOSTGATE="$top/cli/hostgate"
user="hgdemo$$"
secret=$(head -c 20 /dev/urandom | base32 | tr -d '=\n')
password="demo-$(head -c 6 /dev/urandom | base64 | tr -d '/+=')"
sandbox=$(mktemp -d /tmp/hostgate-demo.XXXXXX)

daemon=""
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	userdel -f "$user" 2>/dev/null || true
	rm -rf "$sandbox"
}
trap cleanup EXIT

umask 022
mkdir -m 0700 "$sandbox/totp" "$sandbox/state" "$sandbox/spool"
mkdir "$sandbox/pam.d" "$sandbox/log"
cat > "$sandbox/hostgate.conf" <<CONF
secrets_dir = $sandbox/totp
state_dir = $sandbox/state
seed_key = $sandbox/seed.key
policy = $sandbox/policy.conf
audit_socket = $sandbox/hostgated.sock
audit_log = $sandbox/log/audit.jsonl
audit_spool = $sandbox/spool
lockout_deny = 3
lockout_unlock = 600
fail_delay_ms = 2000
CONF
useradd -M -N -s /usr/sbin/nologin "$user"
cat > "$sandbox/policy.conf" <<POLICY
role demo = $user
allow demo service=demo-sshd mfa
deny  demo service=demo-sudo
POLICY
for svc in demo-sshd demo-sudo; do
	stack="$MODULE config=$sandbox/hostgate.conf"
	printf 'auth required %s\naccount required %s\nsession required %s\n' \
	    "$stack" "$stack" "$stack" > "$sandbox/pam.d/$svc"
done
echo "auth required pam_deny.so" > "$sandbox/pam.d/other"
"$HOSTGATED" --config "$sandbox/hostgate.conf" 2>"$sandbox/hostgated.err" &
daemon=$!
for _ in $(seq 1 50); do [ -S "$sandbox/hostgated.sock" ] && break; sleep 0.1; done
echo "$user:$password" | chpasswd
printf 'secret = %s\ndigits = 6\nperiod = 30\nalgorithm = sha1\n' "$secret" > "$sandbox/totp/$user"
chmod 0600 "$sandbox/totp/$user"

cat <<INTRO
hostgate demo
  sandbox:  $sandbox (settings, seed, state, PAM service "demo-sshd")
  module:   $MODULE
  user:     $user (throwaway, removed at the end; password and seed are random)
  stacks:   auth, account and session: pam_hostgate.so config=$sandbox/hostgate.conf
  policy:   allow demo service=demo-sshd mfa / deny demo service=demo-sudo
  audit:    hostgated (pid $daemon) journals every decision to $sandbox/log/audit.jsonl
  codes:    computed by oathtool, independently of hostgate

INTRO

step=0
seen=0
# run TITLE SERVICE HGPAM-ARGS...: one transaction, then its audit records.
run() {
	title=$1
	svc=$2
	shift 2
	step=$((step + 1))
	echo "[$step] $title"
	HG_SYSLOG="$sandbox/modlog" "$HGPAM" -c "$sandbox/pam.d" "$@" "$svc" "$user" \
	    > "$sandbox/out" 2>&1 || true
	grep -E '^(prompt|info|error|auth|account|open_session|close_session):' \
	    "$sandbox/out" | sed 's/^/      /'
	echo "    audit records (journal):"
	tail -n +$((seen + 1)) "$sandbox/log/audit.jsonl" | sed -e \
	    's/.*"seq":\([0-9]*\).*"event":"\([a-z_]*\)".*"rhost":\("[^"]*"\|null\).*"result":\("[a-z]*"\|null\),"pam":\("[A-Z_]*"\|null\),"reason":\("[a-z-]*"\|null\),"rule":\("[^"]*"\|null\),"factors":\(\[[^]]*\]\).*/      seq=\1 \2 rhost=\3 result=\4 pam=\5 reason=\6 rule=\7 factors=\8/'
	seen=$(wc -l < "$sandbox/log/audit.jsonl")
	echo
}

code=$(oathtool --totp -b "$secret")
run "right password + right code: allowed, session opened and closed" demo-sshd \
    -r 127.0.0.1 -a "$password" -a "$code" -A -S 1
run "right password + wrong code" demo-sshd -r 127.0.0.1 -a "$password" -a 000000
run "the code from [1] replayed" demo-sshd -r 127.0.0.1 -a "$password" -a "$code"
run "wrong code again from 127.0.0.1 (third failure: the source locks)" \
    demo-sshd -r 127.0.0.1 -a "$password" -a 111111
next=$(oathtool --totp -b --now "$(date -u -d '+30 sec' '+%Y-%m-%d %H:%M:%S UTC')" "$secret")
run "a fresh valid code from the locked source 127.0.0.1" demo-sshd \
    -r 127.0.0.1 -a "$password" -a "$next"
run "the same fresh code from another source, 127.0.0.2" demo-sshd \
    -r 127.0.0.2 -a "$password" -a "$next" -A
run "account phase alone, as after an SSH key login: the rule wants mfa" \
    demo-sshd -r 127.0.0.2 -K
run "account phase for demo-sudo: denied by a deny rule" demo-sudo -r 127.0.0.2 -K
echo "state kept by the module ($sandbox/state/$user):"
sed 's/^/      /' "$sandbox/state/$user"
echo
echo "hostgate audit verify $sandbox/log/audit.jsonl:"
"$HOSTGATE" audit verify "$sandbox/log/audit.jsonl" 2>&1 | sed 's/^/      /'
echo
echo "one journal record in full:"
head -1 "$sandbox/log/audit.jsonl" | sed 's/^/      /'
