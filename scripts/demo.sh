# The demo proper (run by scripts/demo after the build): a throwaway user,
# a temporary seed, and real PAM transactions through pam_start_confdir.
set -eu
top=$(pwd)
HGPAM="$top/tests/pam/hgpam"
MODULE="$top/pam_module/.libs/pam_hostgate.so"
user="hgdemo$$"
secret=$(head -c 20 /dev/urandom | base32 | tr -d '=\n')
password="demo-$(head -c 6 /dev/urandom | base64 | tr -d '/+=')"
sandbox=$(mktemp -d /tmp/hostgate-demo.XXXXXX)

cleanup() {
	userdel -f "$user" 2>/dev/null || true
	rm -rf "$sandbox"
}
trap cleanup EXIT

umask 022
mkdir -m 0700 "$sandbox/totp" "$sandbox/state"
mkdir "$sandbox/pam.d"
cat > "$sandbox/hostgate.conf" <<CONF
secrets_dir = $sandbox/totp
state_dir = $sandbox/state
seed_key = $sandbox/seed.key
lockout_deny = 3
lockout_unlock = 600
fail_delay_ms = 2000
CONF
echo "auth required $MODULE config=$sandbox/hostgate.conf" > "$sandbox/pam.d/demo-sshd"
echo "auth required pam_deny.so" > "$sandbox/pam.d/other"
useradd -M -N -s /usr/sbin/nologin "$user"
echo "$user:$password" | chpasswd
printf 'secret = %s\ndigits = 6\nperiod = 30\nalgorithm = sha1\n' "$secret" > "$sandbox/totp/$user"
chmod 0600 "$sandbox/totp/$user"

cat <<INTRO
hostgate demo
  sandbox:  $sandbox (settings, seed, state, PAM service "demo-sshd")
  module:   $MODULE
  user:     $user (throwaway, removed at the end; password and seed are random)
  stack:    auth required pam_hostgate.so config=$sandbox/hostgate.conf
  codes:    computed by oathtool, independently of hostgate

INTRO

step=0
run() {
	title=$1
	shift
	step=$((step + 1))
	echo "[$step] $title"
	HG_SYSLOG="$sandbox/log" "$HGPAM" -c "$sandbox/pam.d" "$@" demo-sshd "$user" \
	    > "$sandbox/out" 2>&1 || true
	grep -E '^(prompt|info|error|auth):' "$sandbox/out" | sed 's/^/      /'
	echo "    module logged:"
	sed -e 's/^syslog: <[0-9]*> /      /' "$sandbox/log" 2>/dev/null || true
	rm -f "$sandbox/log"
	echo
}

code=$(oathtool --totp -b "$secret")
run "right password + right code" -r 127.0.0.1 -a "$password" -a "$code"
run "right password + wrong code" -r 127.0.0.1 -a "$password" -a 000000
run "the code from [1] replayed" -r 127.0.0.1 -a "$password" -a "$code"
run "wrong code again from 127.0.0.1 (third failure: the source locks)" \
    -r 127.0.0.1 -a "$password" -a 111111
next=$(oathtool --totp -b --now "$(date -u -d '+30 sec' '+%Y-%m-%d %H:%M:%S UTC')" "$secret")
run "a fresh valid code from the locked source 127.0.0.1" -r 127.0.0.1 -a "$password" -a "$next"
run "the same fresh code from another source, 127.0.0.2" -r 127.0.0.2 -a "$password" -a "$next"
echo "state kept by the module ($sandbox/state/$user):"
sed 's/^/      /' "$sandbox/state/$user"
