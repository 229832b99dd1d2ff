# Findings of the adversarial review of the authentication gate, each a
# negative test named after its item (i9_NN), through real libpam.
. "$top_srcdir/tests/pam/lib.sh"
hg_setup
t=1795003215

# i9_03: a stranger spreading wrong passwords over four addresses reaches
# lockout_deny_total, but the owner's known-good source still gets in.
hg_conf "lockout_deny = 5
lockout_deny_total = 20"
hg_user 'owner pw'; o=$NEWUSER
seco=$(hg_secret); hg_seed "$o" "$seco"
hg_pam -T $t -r 192.0.2.10 -a 'owner pw' -a "$(hg_code "$seco" $t)" hgtest "$o"
expect "auth: PAM_SUCCESS" "i9_03 the owner logs in from 192.0.2.10"
t3=$((t + 60))
for ip in 203.0.113.1 203.0.113.2 203.0.113.3 203.0.113.4; do
	for i in 1 2 3 4 5; do
		hg_pam -T $t3 -r $ip -a 'guess' -a 000000 hgtest "$o"
	done
done
hg_pam -T $t3 -r 203.0.113.5 -a 'owner pw' -a "$(hg_code "$seco" $t3)" hgtest "$o"
expect "auth: PAM_AUTH_ERR" "i9_03 a new source is refused by the per-user total"
expect_log "reason=locked" "i9_03 the new source's refusal is a lock"
hg_pam -T $t3 -r 192.0.2.10 -a 'owner pw' -a "$(hg_code "$seco" $t3)" hgtest "$o"
expect "auth: PAM_SUCCESS" "i9_03 the owner's known-good source still gets in"
t3b=$((t3 + 30))
hg_pam -T $t3b -r 203.0.113.1 -a 'owner pw' -a "$(hg_code "$seco" $t3b)" hgtest "$o"
expect "auth: PAM_AUTH_ERR" "i9_03 an attacking source stays refused"
for i in 1 2 3 4 5; do
	hg_pam -T $t3b -r 192.0.2.10 -a 'guess' -a 000000 hgtest "$o"
done
t3c=$((t3b + 30))
hg_pam -T $t3c -r 192.0.2.10 -a 'owner pw' -a "$(hg_code "$seco" $t3c)" hgtest "$o"
expect "auth: PAM_AUTH_ERR" "i9_03 the known-good source's own count still locks it"
# Trust lasts lockout_trust_days: after that the total locks it too.
hg_conf "lockout_deny = 5
lockout_deny_total = 20
lockout_trust_days = 1
lockout_unlock = 604800"
hg_user 'owner2 pw'; o2=$NEWUSER
seco2=$(hg_secret); hg_seed "$o2" "$seco2"
hg_pam -T $t -r 192.0.2.11 -a 'owner2 pw' -a "$(hg_code "$seco2" $t)" hgtest "$o2"
t3d=$((t + 2 * 86400))
for ip in 203.0.113.1 203.0.113.2 203.0.113.3 203.0.113.4; do
	for i in 1 2 3 4 5; do
		hg_pam -T $t3d -r $ip -a 'guess' -a 000000 hgtest "$o2"
	done
done
hg_pam -T $t3d -r 192.0.2.11 -a 'owner2 pw' -a "$(hg_code "$seco2" $t3d)" hgtest "$o2"
expect "auth: PAM_AUTH_ERR" "i9_03 a source not used for lockout_trust_days is not trusted"

# i9_04: unknown names, users without a seed, users with a 6- or an 8-digit
# seed and uid 0 accounts see the same conversation, attempt by attempt
# (prompts, notices, answers and the slow hashes run), through ten
# failures from one source, in every configuration.
transcript() {	# LABEL USER: ten failures from one source
	local i code
	: > "$T/conv.$1.$2"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		code=123456
		[ $((i % 2)) = 0 ] && code=12345678
		hg_pam -T $t -r 198.51.100.44 -a 'wrong pw' -a $code hgtest "$2"
		grep -v '^delay: ' "$T/out" >> "$T/conv.$1.$2"
	done
}
hg_user 'seeded pw'; s4=$NEWUSER
sec4=$(hg_secret); hg_seed "$s4" "$sec4"
hg_user 'eight pw'; d4=$NEWUSER
hg_seed "$d4" "$(hg_secret)" "digits = 8"
hg_user 'seedless pw'; n4=$NEWUSER
u4="hgnobody$$x"
r4="hgq$$"
useradd -M -N -o -u 0 -s /usr/sbin/nologin "$r4" 2>/dev/null
HG_USERS="$HG_USERS $r4"
hg_seed "$r4" "$(hg_secret)"
n=0
for conf in "totp = required" "totp = optional" "totp = off" \
    "password = none" "lockout_deny = 0" "lockout_deny_total = 3"; do
	n=$((n + 1))
	hg_conf "$conf"
	for who in "$s4" "$d4" "$n4" "$u4" "$r4"; do
		transcript $n "$who"
	done
	same=yes
	for who in "$d4" "$n4" "$u4" "$r4"; do
		cmp -s "$T/conv.$n.$s4" "$T/conv.$n.$who" || {
			same=no
			diff "$T/conv.$n.$s4" "$T/conv.$n.$who" | head -10
		}
	done
	if [ $same = yes ]; then
		pass "i9_04 $conf: the same ten conversations for all five"
	else
		fail "i9_04 $conf: conversations differ"
	fi
	case $conf in
	"lockout_deny = 0") ;;
	*)
		if grep -q '^info: Too many failed attempts' "$T/conv.$n.$u4"
		then
			pass "i9_04 $conf: the unknown name gets the lock notice"
		else
			fail "i9_04 $conf: no lock notice for the unknown name"
		fi ;;
	esac
	rm -f "$T"/state/* "$T"/state/.[!.]*
done
if ls -A "$T/state" | grep -q "$u4"; then
	fail "i9_04 a file named after the unknown name was made"
else
	pass "i9_04 no file is named after the unknown name"
fi
# A seed key nobody may trust fails every name alike.
hg_conf ""
head -c 32 /dev/urandom > "$T/seed.key"
chmod 0644 "$T/seed.key"
for who in "$s4" "$u4"; do
	hg_pam -T $t -a 'wrong pw' -a 123456 hgtest "$who"
	expect "auth: PAM_AUTHINFO_UNAVAIL" "i9_04 untrusted seed.key: refused ($who)"
done
rm -f "$T/seed.key" "$T"/state/* "$T"/state/.[!.]*

# i9_06: a missing or untrusted secrets_dir fails closed for every user,
# even with totp=optional; only a missing file in a trusted one is "no seed".
hg_user 'six pw'; six=$NEWUSER
hg_conf "totp = optional"
six_dir() {	# the service "six" reads seeds from DIR
	hg_service six "auth required $MODULE config=$T/hostgate.conf secrets_dir=$1"
}
six_dir "$T/totp-typo"
for who in "$six" "$u4"; do
	hg_pam -a 'six pw' -a 123456 six "$who"
	expect "auth: PAM_AUTHINFO_UNAVAIL" "i9_06 missing secrets_dir: refused ($who)"
done
expect_log "$T/totp-typo: no such directory" "i9_06 the log names the directory"
mkdir -m 0777 "$T/totp-open"
six_dir "$T/totp-open"
hg_pam -a 'six pw' -a 123456 six "$six"
expect "auth: PAM_AUTHINFO_UNAVAIL" "i9_06 world-writable secrets_dir: refused"
expect_log "$T/totp-open: directory mode 0777 lets others write to it" "i9_06 the log says why"
chmod 0755 "$T/totp-open"
hg_pam -a 'six pw' -a 123456 six "$six"
expect "auth: PAM_AUTHINFO_UNAVAIL" "i9_06 world-readable secrets_dir: refused"
chmod 0700 "$T/totp-open"
hg_pam -a 'six pw' -a 123456 six "$six"
expect "auth: PAM_SUCCESS" "i9_06 a missing file in a trusted secrets_dir: password only"
chmod 0755 "$T/state"
hg_pam -a 'six pw' -a 123456 six "$six"
expect "auth: PAM_AUTHINFO_UNAVAIL" "i9_06 world-readable state_dir: refused"
expect_log "$T/state: directory mode 0755 lets others read it" "i9_06 the log names state_dir"
chmod 0700 "$T/state"

# i9_06: the spool is trusted like the other directories: no record is
# left where others can write, and audit=required then refuses.
mkdir -m 0777 "$T/spool-open"
hg_conf ""
hg_service spool "auth required $MODULE config=$T/hostgate.conf audit_spool=$T/spool-open audit=required"
t6=$((t + 90))
hg_pam -T $t6 -a 'seeded pw' -a "$(hg_code "$sec4" $t6)" spool "$s4"
expect "auth: PAM_AUTHINFO_UNAVAIL" "i9_06 untrusted spool: no login on audit=required"
expect_log "$T/spool-open: directory mode 0777 lets others write to it" "i9_06 the log names the spool"
if [ -n "$(ls -A "$T/spool-open")" ]; then
	fail "i9_06 a record was written into the untrusted spool"
else
	pass "i9_06 nothing written into the untrusted spool"
fi

# i9_08: the mfa credit belongs to the user the auth phase proved.
hg_user 'eight pw'; e8=$NEWUSER
sec8=$(hg_secret); hg_seed "$e8" "$sec8"
hg_user 'other pw'; c8=$NEWUSER
printf 'role all = *\nallow all mfa\n' > "$T/policy.conf"
hg_conf "policy = $T/policy.conf"
hg_service acct "auth required $MODULE config=$T/hostgate.conf" \
    "account required $MODULE config=$T/hostgate.conf"
hg_pam -T $t -a 'eight pw' -a "$(hg_code "$sec8" $t)" -A acct "$e8"
expect "account: PAM_SUCCESS" "i9_08 the user who passed the code satisfies mfa"
t8=$((t + 30))
hg_pam -T $t8 -a 'eight pw' -a "$(hg_code "$sec8" $t8)" -A -U "$c8" acct "$e8"
expect "account: PAM_PERM_DENIED" "i9_08 PAM_USER changed after auth: no mfa credit"
expect_log "reason=mfa-required" "i9_08 denied for want of mfa"

# i9_09: one source, however the address is written.
hg_conf "lockout_deny = 3"
hg_user 'nine pw'; n9=$NEWUSER
sec9=$(hg_secret); hg_seed "$n9" "$sec9"
hg_pam -T $t -r ::ffff:10.20.0.1 -a 'bad' -a 000000 hgtest "$n9"
expect_log 'rhost="10.20.0.1"' "i9_09 an IPv4-mapped rhost is recorded as IPv4"
hg_pam -T $t -r ::FFFF:10.20.0.1 -a 'bad' -a 000000 hgtest "$n9"
hg_pam -T $t -r 10.20.0.1 -a 'bad' -a 000000 hgtest "$n9"
hg_pam -T $t -r 10.20.0.1 -a 'nine pw' -a "$(hg_code "$sec9" $t)" hgtest "$n9"
expect "auth: PAM_AUTH_ERR" "i9_09 three spellings of 10.20.0.1 are one locked source"
t9=$((t + 30))
hg_pam -T $t9 -r fe80::1%eth1 -a 'bad' -a 000000 hgtest "$n9"
expect_log 'rhost="fe80::1"' "i9_09 the zone id is not recorded"
for i in 2 3; do hg_pam -T $t9 -r fe80::1%eth$i -a 'bad' -a 000000 hgtest "$n9"; done
hg_pam -T $t9 -r fe80::1 -a 'nine pw' -a "$(hg_code "$sec9" $t9)" hgtest "$n9"
expect "auth: PAM_AUTH_ERR" "i9_09 zone ids do not make new sources"
expect_log "reason=locked" "i9_09 refused as locked"

# i9_10: a step stored in the future is a clock problem, said every time.
hg_user 'ten pw'; x10=$NEWUSER
sec10=$(hg_secret); hg_seed "$x10" "$sec10"
cat > "$T/state/$x10" <<EOF
version = 1
last_step = $((t + 7200))
last_success = $t
total = 0 0 0
EOF
chmod 0600 "$T/state/$x10"
for i in 1 2; do
	hg_pam -T $t -a 'ten pw' -a "$(hg_code "$sec10" $t)" hgtest "$x10"
	expect "auth: PAM_AUTH_ERR" "i9_10 attempt $i: refused as a replay"
	expect_log "<81> pam_hostgate(hgtest:auth): warn_clock: user \"$x10\": the last accepted code is 72" "i9_10 attempt $i: LOG_ALERT about the clock"
done

# i9_13: an empty shadow password never passes without nullok.
hg_user 'x'; e13=$NEWUSER
usermod -p '' "$e13"
sec13=$(hg_secret); hg_seed "$e13" "$sec13"
hg_conf ""
hg_pam -T $t -a '' -a "$(hg_code "$sec13" $t)" hgtest "$e13"
expect "auth: PAM_AUTH_ERR" "i9_13 empty password refused without nullok"
hg_conf "nullok = yes"
hg_pam -T $t -a '' -a "$(hg_code "$sec13" $t)" hgtest "$e13"
expect "auth: PAM_SUCCESS" "i9_13 empty password accepted with nullok"
hg_pam -T $((t + 30)) -n -a '' -a "$(hg_code "$sec13" $((t + 30)))" hgtest "$e13"
expect "auth: PAM_AUTH_ERR" "i9_13 nullok still yields to PAM_DISALLOW_NULL_AUTHTOK"

# i9_15: per-user files go by the name NSS returns, not the typed one.
hg_conf ""
hg_user 'fifteen pw'; f15=$NEWUSER
sec15=$(hg_secret); hg_seed "$f15" "$sec15"
upper=$(echo "$f15" | tr a-z A-Z)
hg_pam -T $t -F -a 'fifteen pw' -a "$(hg_code "$sec15" $t)" hgtest "$upper"
expect "auth: PAM_SUCCESS" "i9_15 a case-folded name uses the canonical seed"
expect_log "user=\"$f15\"" "i9_15 the record names the canonical user"
if [ -e "$T/state/$upper" ] || [ ! -e "$T/state/$f15" ]; then
	fail "i9_15 state is kept under the typed name"
else
	pass "i9_15 state is kept under the canonical name"
fi
hg_pam -T $t -F -a 'fifteen pw' -a "$(hg_code "$sec15" $t)" hgtest "$f15"
expect "auth: PAM_AUTH_ERR" "i9_15 the code is spent for both spellings"

# i9_16: root is exempt from lockout, so each code failure is a warning.
rootalias="hgr$$"
useradd -M -N -o -u 0 -s /usr/sbin/nologin "$rootalias" 2>/dev/null
HG_USERS="$HG_USERS $rootalias"
echo "$rootalias:root pw" | chpasswd
echo 'root pw' >> "$T/secrets"
sec16=$(hg_secret); hg_seed "$rootalias" "$sec16"
hg_pam -T $t -r 192.0.2.66 -a 'root pw' -a 000000 hgtest "$rootalias"
expect "auth: PAM_AUTH_ERR" "i9_16 wrong code for a uid 0 account"
expect_log '<84> pam_hostgate(hgtest:auth): verify_code: uid 0 account: wrong verification code from "192.0.2.66"' "i9_16 logged at LOG_WARNING"

hg_done
