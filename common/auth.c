/*
 * The authentication attempt: see auth.h.  Pure of PAM: the module hands
 * in what it asked and gets the result, the factors and its log lines.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sodium.h>

#include "addr.h"
#include "auth.h"
#include "record.h"
#include "secure.h"

#define log_f(a, prio, ...)	hg_logf(&(a)->log, (prio), __func__, __VA_ARGS__)

/*
 * The account NAME stands for, by the name NSS gives it (pw_name: with a
 * case-insensitive source "Alice" is "alice"), into OUT; *UID gets its
 * uid.  Returns false, OUT holding NAME, when NAME is no usable account.
 */
bool
auth_canonical_user(const char *name, char *out, size_t size, uid_t *uid)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];

	snprintf(out, size, "%s", name);
	if (!trust_name_ok(name) ||
	    getpwnam_r(name, &pw, buf, sizeof(buf), &pwp) != 0 || pwp == NULL ||
	    !trust_name_ok(pw.pw_name) || strlen(pw.pw_name) >= size)
		return false;
	snprintf(out, size, "%s", pw.pw_name);
	*uid = pw.pw_uid;
	return true;
}

/*
 * Failures of every name are counted and locks noticed, those of names
 * that are not accounts in shared buckets, so that neither the notice nor
 * the number of attempts before it tells which accounts exist.
 */
static bool
lockout_counts(const struct auth_attempt *a)
{
	return a->conf->lockout_deny != 0 || a->conf->lockout_deny_total != 0;
}

/*
 * uid 0 accounts are counted and see the notice like anyone (or the notice
 * would tell which names are root's), but are not refused unless
 * lockout_root is set: root must not be locked out of its own host.
 */
static bool
lockout_exempt(const struct auth_attempt *a)
{
	return a->known && a->uid == 0 && !a->conf->lockout_root;
}

/*
 * The state an attempt reads and updates under one lock: the user's own
 * file, or for a name that is no account its bucket (see state.h).
 */
struct lockstate {
	int		 fd;
	bool		 bucket;
	char		 file[STATE_BUCKET_NAME];
	char		 tag[STATE_TAG_LEN + 1];
	struct hg_state	 st;
};

static int
lk_open(struct auth_attempt *a, struct lockstate *lk, struct hg_msg *msg)
{
	const char *dir = a->conf->state_dir;
	int r;

	lk->fd = -1;
	lk->bucket = !a->known;
	if (!lk->bucket) {
		if ((r = state_lock(dir, a->name, 0, &lk->fd, msg)) != 0)
			return r;
		return state_load(dir, a->name, 0, &lk->st, msg);
	}
	if ((r = state_unknown_bucket(dir, a->user, lk->file, lk->tag,
	    msg)) != 0 ||
	    (r = state_bucket_lock(dir, lk->file, &lk->fd, msg)) != 0)
		return r;
	return state_bucket_load(dir, lk->file, &lk->st, msg);
}

static bool
lk_locked(const struct auth_attempt *a, const struct lockstate *lk,
    long long now)
{
	struct state_limits limits;
	long long until;

	state_limits_of(a->conf, &limits);
	return lk->bucket ?
	    state_unknown_locked(&lk->st, lk->tag, a->source, now, &until) :
	    state_is_locked(&lk->st, a->source, now, &limits, &until);
}

static void
lk_fail(const struct auth_attempt *a, struct lockstate *lk, long long now)
{
	struct state_limits limits;

	state_limits_of(a->conf, &limits);
	if (lk->bucket)
		state_unknown_fail(&lk->st, lk->tag, a->source, now, &limits);
	else
		state_fail(&lk->st, a->source, now, &limits);
}

static int
lk_save(const struct auth_attempt *a, const struct lockstate *lk,
    struct hg_msg *msg)
{
	return lk->bucket ?
	    state_bucket_save(a->conf->state_dir, lk->file, &lk->st, msg) :
	    state_save(a->conf->state_dir, a->name, &lk->st, msg);
}

/* Is this name locked out from this source?  Read under its lock. */
static int
check_locked(struct auth_attempt *a, struct hg_msg *msg)
{
	struct lockstate lk;
	int r;

	if ((r = lk_open(a, &lk, msg)) == 0)
		a->locked = lk_locked(a, &lk, a->now);
	state_unlock(lk.fd);
	return r;
}

/* Hash the typed password with a fresh salt of the system default method. */
static void
dummy_crypt(const char *password, struct crypt_data *cd)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];

	if (crypt_gensalt_rn(NULL, 0, NULL, 0, salt, sizeof(salt)) != NULL)
		(void)crypt_rn(password, salt, cd, sizeof(*cd));
}

/*
 * Check the password against shadow with crypt(3).  Users that are unknown,
 * have no shadow entry or a locked hash get the same work on a dummy hash.
 * Returns 0, HG_ERR_BAD_PASSWORD or HG_ERR_IO (shadow unreadable).
 */
static int
check_password(struct auth_attempt *a, struct hg_msg *msg)
{
	struct spwd sp, *spp = NULL;
	struct crypt_data *cd;
	char buf[8192];
	const char *out;
	int r = HG_ERR_BAD_PASSWORD, e;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return HG_ERR_NOMEM;
	if (!a->known || strlen(a->password) > AUTH_MAX_PASSWORD) {
		dummy_crypt(a->password, cd);
		goto out;
	}
	e = getspnam_r(a->name, &sp, buf, sizeof(buf), &spp);
	if (e != 0 && e != ENOENT) {
		r = hg_fail(msg, HG_ERR_IO, "cannot read the shadow entry of "
		    "user %s: %s (the module needs root for password=shadow)",
		    a->name, strerror(e));
		goto out;
	}
	if (spp == NULL || sp.sp_pwdp == NULL) {
		a->note = "no shadow entry";
		dummy_crypt(a->password, cd);
		goto out;
	}
	if (sp.sp_pwdp[0] == '\0') {
		/* An empty hash: with nullok, if the application agrees. */
		if (a->conf->nullok &&
		    a->null_ok &&
		    a->password[0] == '\0')
			r = 0;
		else
			a->note = "empty password not allowed (see nullok)";
		dummy_crypt(a->password, cd);
		goto out;
	}
	if (sp.sp_pwdp[0] == '!' || sp.sp_pwdp[0] == '*') {
		a->note = "password locked in shadow";
		dummy_crypt(a->password, cd);
		goto out;
	}
	out = crypt_rn(a->password, sp.sp_pwdp, cd, sizeof(*cd));
	if (out != NULL && out[0] != '*' && secure_streq(out, sp.sp_pwdp))
		r = 0;
 out:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

/*
 * Does the typed code look like a recovery code?  Only those are checked
 * against the (slow) hashes, so a wrong ordinary code stays cheap.
 */
static bool
recovery_form(const char *code)
{
	size_t i, n = 0;

	for (i = 0; code[i] != '\0'; i++) {
		if (code[i] == '-')
			continue;
		if (!((code[i] >= '0' && code[i] <= '9') ||
		    (code[i] >= 'a' && code[i] <= 'z') ||
		    (code[i] >= 'A' && code[i] <= 'Z')))
			return false;
		n++;
	}
	return n >= 8 && n <= 16;
}

/* Remove recovery code INDEX from the seed file; the user lock is held. */
static int
consume_recovery(struct auth_attempt *a, const struct hg_seed *seed, int index,
    struct hg_msg *msg)
{
	char path[4096], *text;
	size_t len;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", a->conf->secrets_dir,
	    a->name) >= (int)sizeof(path))
		return hg_fail(msg, HG_ERR_TOOLONG, "seed path too long");
	if ((r = totp_recovery_remove(seed, (size_t)index, &text, &len)) != 0)
		return r;
	r = trust_replace(path, text, len, 0600, msg);
	sodium_memzero(text, len);
	free(text);
	return r;
}

/* Load the seed key when one exists; *HAVE tells whether it did. */
static int
load_key(struct auth_attempt *a, unsigned char key[SECURE_KEY_BYTES],
    bool *have, struct hg_msg *msg)
{
	int r;

	*have = false;
	r = secure_key_load(a->conf->seed_key, 0, key, msg);
	if (r == HG_ERR_NOENT) {
		msg->text[0] = '\0';	/* no key: plain seeds only */
		return 0;
	}
	if (r == 0)
		*have = true;
	return r;
}

/* Say loudly, on every attempt, that the stored step is in the future. */
static void
warn_clock(struct auth_attempt *a, const struct hg_state *st,
    const struct hg_seed *seed, long long now)
{
	char qu[TRUST_NAME_MAX * 4 + 8];

	if (!state_step_ahead(st, now, a->conf->totp_window, seed->period))
		return;
	record_quote(a->name, qu, sizeof(qu));
	log_f(a, LOG_ALERT, "user %s: the last accepted code is %lld s "
	    "ahead of the clock (the clock went back, or was ahead when it "
	    "was used): every code reads as a replay until the clock is "
	    "right and 'hostgate unlock' clears the step", qu,
	    st->last_step - now);
}

/*
 * Verify the code and update the state, all under one lock, so that of
 * concurrent logins presenting one code exactly one succeeds and a code
 * is accepted only once its use is on disk.  Names that are no account
 * get the same work: a dummy seed, and their bucket's lockout state.
 */
static int
verify_code(struct auth_attempt *a, struct hg_msg *msg)
{
	unsigned char key[SECURE_KEY_BYTES];
	struct lockstate lk;
	struct hg_seed seed;
	long long now = a->now, step = -1;
	bool have_key = false, seedless = false, counted, rform, trust;
	int r, result, idx = -1;

	memset(&seed, 0, sizeof(seed));
	sodium_memzero(key, sizeof(key));
	if ((r = lk_open(a, &lk, msg)) != 0)
		goto out;

	/* The key for everyone: a bad one fails every name alike. */
	if (a->conf->totp != CONF_TOTP_OFF &&
	    (r = load_key(a, key, &have_key, msg)) != 0)
		goto out;
	/* The seed: the user's, or a dummy that no code matches. */
	if (a->known && a->conf->totp != CONF_TOTP_OFF) {
		r = totp_seed_load(&seed, a->conf->secrets_dir, a->name, 0,
		    have_key ? key : NULL, msg);
		if (r == HG_ERR_NO_SEED)
			seedless = true;
		else if (r != 0)
			goto out;
		else {
			warn_clock(a, &lk.st, &seed, now);
			if (a->conf->debug)
				log_f(a, LOG_DEBUG, "seed of %s: %s, %u "
				    "digits, %u s period, %s, %zu recovery "
				    "codes",
				    a->name, seed.sealed ? "sealed" : "plain",
				    seed.digits, seed.period,
				    totp_alg_name(seed.algorithm),
				    seed.nrecovery);
		}
	}
	if (!a->known || seedless)
		totp_seed_dummy(&seed);

	/*
	 * An input of the recovery form costs its slow hash whatever the
	 * seed makes of it (8 digits are an ordinary code for an 8-digit
	 * seed), so the work follows the input alone, never the user.
	 */
	rform = a->conf->totp != CONF_TOTP_OFF && !a->code_toolong &&
	    recovery_form(a->code);
	if (rform)
		idx = totp_recovery_match(&seed, a->code);
	if (a->conf->totp == CONF_TOTP_OFF)
		result = 0;
	else if (a->code_toolong)
		result = HG_ERR_BAD_CODE;
	else if (totp_is_ordinary(&seed, a->code)) {
		result = totp_verify(&seed, a->code, (time_t)now,
		    a->conf->totp_window, &step);
		if (result == 0 && !lk.bucket && step <= lk.st.last_step)
			result = HG_ERR_REPLAY;
		a->used_totp = result == 0;
	} else if (rform) {
		result = idx >= 0 ? 0 : HG_ERR_BAD_CODE;
		a->used_scratch = idx >= 0;
	} else
		result = HG_ERR_BAD_CODE;

	/* Which failure is reported: the first factor that failed. */
	if (!a->known)
		result = HG_ERR_UNKNOWN_USER;
	else if (seedless && a->conf->totp == CONF_TOTP_REQUIRED)
		result = HG_ERR_NO_SEED;
	else if (seedless) {
		result = 0;	/* totp=optional: the password alone */
		a->used_totp = a->used_scratch = false;
		a->note = "no seed, password only (totp=optional)";
	}
	if (a->known && !a->password_ok)
		result = HG_ERR_BAD_PASSWORD;
	if (a->known && a->uid == 0 &&
	    (result == HG_ERR_BAD_CODE || result == HG_ERR_REPLAY)) {
		char qu[STATE_MAX_SOURCE_LEN * 4 + 8];

		/* root is exempt from lockout by default: guesses show here. */
		record_quote(a->source, qu, sizeof(qu));
		log_f(a, LOG_WARNING, "uid 0 account: wrong verification "
		    "code from %s", qu);
	}
	counted = lockout_counts(a);
	/* Checked again here: parallel guesses must not slip past. */
	a->locked = counted && lk_locked(a, &lk, now);
	if (a->locked && !lockout_exempt(a))
		result = HG_ERR_LOCKED;
	if (result == 0 && a->used_scratch &&
	    (r = consume_recovery(a, &seed, idx, msg)) != 0)
		goto out;
	/*
	 * A source earns trust against the per-user total only as an
	 * address, and only when this module proved a factor there.
	 */
	trust = a->source_addr && (a->used_totp || a->used_scratch ||
	    (a->conf->password == CONF_PASSWORD_SHADOW && a->password_ok));
	if (result == 0)
		state_success(&lk.st, a->source, now,
		    a->used_totp ? step : -1, trust);
	else if (counted && !a->locked)
		lk_fail(a, &lk, now);
	if ((result == 0 || counted) && (r = lk_save(a, &lk, msg)) != 0)
		goto out;
	r = result;
 out:
	sodium_memzero(key, sizeof(key));
	totp_seed_free(&seed);
	state_unlock(lk.fd);
	return r;
}

void
auth_factors(const struct auth_attempt *a, char *buf, size_t size)
{
	const char *code = a->used_totp ? "totp" :
	    a->used_scratch ? "scratch" : NULL;

	if (a->conf->password == CONF_PASSWORD_SHADOW && a->password_ok)
		snprintf(buf, size, "password%s%s", code ? "," : "",
		    code ? code : "");
	else
		snprintf(buf, size, "%s", code ? code : "");
}


int
auth_begin(struct auth_attempt *a, const struct hg_conf *conf,
    const char *user, const char *rhost, const char *tty, long long now,
    const struct hg_log *log, struct hg_msg *msg)
{
	struct hg_msg why = { "" };
	int r;

	memset(a, 0, sizeof(*a));
	a->conf = conf;
	a->user = user;
	a->now = now;
	if (log != NULL)
		a->log = *log;
	if (conf->password == CONF_PASSWORD_NONE &&
	    conf->totp == CONF_TOTP_OFF)
		return hg_fail(msg, HG_ERR_CONFIG, "password=none and "
		    "totp=off leave nothing to check in the auth phase");
	a->known = auth_canonical_user(user, a->name, sizeof(a->name),
	    &a->uid);
	/* The lockout source: the rhost (canonical if an address), else tty. */
	if (rhost != NULL && *rhost != '\0')
		a->source_addr = addr_canonical(rhost, a->source,
		    sizeof(a->source));
	else
		snprintf(a->source, sizeof(a->source), "%s",
		    tty != NULL && *tty != '\0' ? tty : "unknown");
	/* Only a missing file in a trusted directory means "no seed". */
	if (conf->totp != CONF_TOTP_OFF &&
	    (r = trust_check_dir(conf->secrets_dir, 0, TRUST_SECRET,
	    &why)) != 0)
		return hg_fail(msg, r == HG_ERR_NOENT ? HG_ERR_UNTRUSTED : r,
		    "secrets_dir %s; failing closed for every user", why.text);
	if (lockout_counts(a) && (r = check_locked(a, msg)) != 0)
		return r;
	return 0;
}

int
auth_finish(struct auth_attempt *a, long long now, const char *password,
    const char *code, bool null_ok, struct hg_msg *msg)
{
	int r;

	a->now = now;
	a->password = password != NULL ? password : "";
	a->null_ok = null_ok;
	if (a->conf->totp != CONF_TOTP_OFF)
		a->code_toolong = totp_normalize(code != NULL ? code : "",
		    a->code) != 0;
	if (a->conf->password == CONF_PASSWORD_SHADOW) {
		r = check_password(a, msg);
		if (r != 0 && r != HG_ERR_BAD_PASSWORD)
			goto out;
		a->password_ok = r == 0;
	} else
		a->password_ok = true;
	r = verify_code(a, msg);
 out:
	a->password = NULL;
	sodium_memzero(a->code, sizeof(a->code));
	return r;
}
