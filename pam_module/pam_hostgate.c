/*
 * pam_hostgate: the PAM entry points.  Thin glue over common/: it talks to
 * the application, maps HG_ERR_* to PAM codes in to_pam() and fails closed.
 */
#include "config.h"

#include <sys/types.h>

#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <sodium.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "account.h"
#include "addr.h"
#include "conf.h"
#include "err.h"
#include "policy.h"
#include "record.h"
#include "secure.h"
#include "state.h"
#include "submit.h"
#include "totp.h"
#include "trust.h"

#define FACTORS_DATA	"hostgate_factors"
#define HELPER_DOWN_DATA "hostgate_helper_down"
#define SESSION_DATA	"hostgate_session_start"
#define MAX_PASSWORD	512	/* as pam_unix: longer input is refused */
#define PROMPT_PASSWORD	"Password: "
#define PROMPT_CODE	"Verification code: "
#define LOCKED_NOTICE	"Too many failed attempts: logins are refused " \
	"for a while."
#define DENIED_NOTICE	"Access denied by hostgate policy."

#define log_f(pamh, prio, ...)	hg_log((pamh), (prio), __func__, __VA_ARGS__)

static void hg_log(pam_handle_t *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
hg_log(pam_handle_t *pamh, int prio, const char *func, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pam_syslog(pamh, prio, "%s: %s", func, buf);
}

enum phase { PHASE_AUTH, PHASE_ACCOUNT };

/*
 * The one place where hostgate errors become PAM codes.  The account phase
 * knows three answers only: whatever is not an allow or an unknown user is
 * a denial.
 */
static int
to_pam(int err, enum phase phase)
{
	if (phase == PHASE_ACCOUNT)
		return err == HG_OK ? PAM_SUCCESS :
		    err == HG_ERR_UNKNOWN_USER ? PAM_USER_UNKNOWN :
		    PAM_PERM_DENIED;
	switch (err) {
	case HG_OK:
		return PAM_SUCCESS;
	case HG_ERR_BAD_PASSWORD:
	case HG_ERR_BAD_CODE:
	case HG_ERR_REPLAY:
	case HG_ERR_LOCKED:
	case HG_ERR_NO_SEED:
	case HG_ERR_UNKNOWN_USER:
		return PAM_AUTH_ERR;
	case HG_ERR_IO:
	case HG_ERR_NOENT:
	case HG_ERR_UNTRUSTED:
	case HG_ERR_SEED:
	case HG_ERR_STATE:
		return PAM_AUTHINFO_UNAVAIL;
	case HG_ERR_CONV:
		return PAM_CONV_ERR;
	case HG_ERR_NOMEM:
		return PAM_BUF_ERR;
	default:
		return PAM_SERVICE_ERR;
	}
}

static const char *
pam_code_name(int code)
{
	switch (code) {
	case PAM_SUCCESS:		return "PAM_SUCCESS";
	case PAM_AUTH_ERR:		return "PAM_AUTH_ERR";
	case PAM_PERM_DENIED:		return "PAM_PERM_DENIED";
	case PAM_USER_UNKNOWN:		return "PAM_USER_UNKNOWN";
	case PAM_AUTHINFO_UNAVAIL:	return "PAM_AUTHINFO_UNAVAIL";
	case PAM_CONV_ERR:		return "PAM_CONV_ERR";
	case PAM_BUF_ERR:		return "PAM_BUF_ERR";
	default:			return "PAM_SERVICE_ERR";
	}
}

static void
copy_item(pam_handle_t *pamh, int item, char *dst, size_t size)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) == PAM_SUCCESS && v != NULL)
		snprintf(dst, size, "%s", (const char *)v);
}

/*
 * The account NAME stands for, by the name NSS gives it (pw_name: with a
 * case-insensitive source "Alice" is "alice"), into OUT; *UID gets its
 * uid.  Returns false, OUT holding NAME, when NAME is no usable account.
 */
static bool
canonical_user(const char *name, char *out, size_t size, uid_t *uid)
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
 * A record of EVENT for this transaction, with the PAM items filled in:
 * the user by its canonical name, an address rhost in canonical form.
 */
static void
record_for(pam_handle_t *pamh, const char *event, struct hg_record *r)
{
	char typed[RECORD_FIELD_MAX], rhost[RECORD_FIELD_MAX];
	uid_t uid;

	record_init(r);
	record_stamp(r);
	snprintf(r->event, sizeof(r->event), "%s", event);
	typed[0] = rhost[0] = '\0';
	copy_item(pamh, PAM_USER, typed, sizeof(typed));
	(void)canonical_user(typed, r->user, sizeof(r->user), &uid);
	copy_item(pamh, PAM_SERVICE, r->service, sizeof(r->service));
	copy_item(pamh, PAM_RUSER, r->ruser, sizeof(r->ruser));
	copy_item(pamh, PAM_RHOST, rhost, sizeof(rhost));
	(void)addr_canonical(rhost, r->rhost, sizeof(r->rhost));
	copy_item(pamh, PAM_TTY, r->tty, sizeof(r->tty));
	r->pid = getpid();
	r->uid = getuid();
}

static void
set_result(struct hg_record *r, int pam_code, const char *reason)
{
	snprintf(r->result, sizeof(r->result), "%s",
	    pam_code == PAM_SUCCESS ? "allow" : "deny");
	snprintf(r->pam, sizeof(r->pam), "%s", pam_code_name(pam_code));
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

/*
 * Offer R to hostgated as TYPE.  Once it failed, or was not root's, in this
 * transaction it is not asked again, so that a login waits for it
 * SUBMIT_TIMEOUT_MS at most and an untrusted helper is reported once.
 * Returns 0 when it answered (REPLY filled), HG_ERR_POLICY when it declined
 * a decision for another policy (it is up: send the record), else
 * HG_ERR_IO.
 */
static int
helper_send(pam_handle_t *pamh, const struct hg_conf *conf,
    enum record_type type, const struct hg_record *r,
    struct hg_record *reply)
{
	const void *down = NULL;
	struct hg_msg msg = { "" };
	int err;

	if (pam_get_data(pamh, HELPER_DOWN_DATA, &down) == PAM_SUCCESS &&
	    down != NULL)
		return HG_ERR_IO;
	err = submit_send(conf->audit_socket, type, r, SUBMIT_TIMEOUT_MS,
	    reply, &msg);
	if (err == 0 || err == HG_ERR_POLICY)
		return err;
	if (err == HG_ERR_UNTRUSTED)
		log_f(pamh, LOG_ERR, "%s", msg.text);
	else if (conf->debug)
		log_f(pamh, LOG_DEBUG, "%s", msg.text);
	(void)pam_set_data(pamh, HELPER_DOWN_DATA, (void *)"down", NULL);
	return HG_ERR_IO;
}

/*
 * Store R where the helper would have: syslog now, and the spool that
 * hostgated drains when it starts.  Returns 0, or HG_ERR_IO when the record
 * could not be stored durably anywhere.
 */
static int
store_locally(pam_handle_t *pamh, const struct hg_conf *conf,
    const struct hg_record *r)
{
	struct hg_msg msg = { "" };
	char line[2048];

	record_syslog_line(r, line, sizeof(line));
	pam_syslog(pamh, strcmp(r->result, "deny") == 0 ? LOG_NOTICE :
	    LOG_INFO, "%s", line);
	if (submit_spool(conf->audit_spool, r, &msg) != 0) {
		log_f(pamh, LOG_ERR, "audit record not stored: %s", msg.text);
		return HG_ERR_IO;
	}
	return 0;
}

/*
 * Record R: through the helper, else locally.  Returns 0, or HG_ERR_IO
 * when audit=required and the record could not be stored durably.
 */
static int
audit_record(pam_handle_t *pamh, const struct hg_conf *conf,
    const struct hg_record *r)
{
	struct hg_record reply;

	if (helper_send(pamh, conf, RECORD_T_RECORD, r, &reply) == 0)
		return 0;
	if (store_locally(pamh, conf, r) != 0 &&
	    conf->audit == CONF_AUDIT_REQUIRED)
		return HG_ERR_IO;
	return 0;
}

/* Everything one authentication attempt knows. */
struct attempt {
	pam_handle_t	*pamh;
	int		 flags;
	struct hg_conf	 conf;
	const char	*user;		/* as typed */
	char		 name[TRUST_NAME_MAX + 1];	/* canonical */
	bool		 known;		/* the name is valid and in NSS */
	uid_t		 uid;
	char		 source[STATE_MAX_SOURCE_LEN + 1];
	bool		 source_addr;	/* the source is an address */
	char		*password;	/* our copy, wiped */
	char		 code[TOTP_MAX_CODE + 1];
	bool		 code_toolong;
	bool		 password_ok;
	bool		 used_totp;
	bool		 used_scratch;
	bool		 locked;
	const char	*note;		/* extra detail for the log line */
};

static void
lookup_user(struct attempt *a)
{
	a->known = canonical_user(a->user, a->name, sizeof(a->name), &a->uid);
}

/* The lockout source: the rhost (canonical when an address), else tty. */
static void
set_source(struct attempt *a)
{
	const void *rhost = NULL, *tty = NULL;

	(void)pam_get_item(a->pamh, PAM_RHOST, &rhost);
	(void)pam_get_item(a->pamh, PAM_TTY, &tty);
	if (rhost != NULL && *(const char *)rhost != '\0')
		a->source_addr = addr_canonical(rhost, a->source,
		    sizeof(a->source));
	else if (tty != NULL && *(const char *)tty != '\0')
		snprintf(a->source, sizeof(a->source), "%s",
		    (const char *)tty);
	else
		snprintf(a->source, sizeof(a->source), "unknown");
}

/*
 * Failures of every name are counted and locks noticed, those of names
 * that are not accounts in shared buckets, so that neither the notice nor
 * the number of attempts before it tells which accounts exist.
 */
static bool
lockout_counts(const struct attempt *a)
{
	return a->conf.lockout_deny != 0 || a->conf.lockout_deny_total != 0;
}

/*
 * uid 0 accounts are counted and see the notice like anyone (or the notice
 * would tell which names are root's), but are not refused unless
 * lockout_root is set: root must not be locked out of its own host.
 */
static bool
lockout_exempt(const struct attempt *a)
{
	return a->known && a->uid == 0 && !a->conf.lockout_root;
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
lk_open(struct attempt *a, struct lockstate *lk, struct hg_msg *msg)
{
	const char *dir = a->conf.state_dir;
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
lk_locked(const struct attempt *a, const struct lockstate *lk, long long now)
{
	struct state_limits limits;
	long long until;

	state_limits_of(&a->conf, &limits);
	return lk->bucket ?
	    state_unknown_locked(&lk->st, lk->tag, a->source, now, &until) :
	    state_is_locked(&lk->st, a->source, now, &limits, &until);
}

static void
lk_fail(const struct attempt *a, struct lockstate *lk, long long now)
{
	struct state_limits limits;

	state_limits_of(&a->conf, &limits);
	if (lk->bucket)
		state_unknown_fail(&lk->st, lk->tag, a->source, now, &limits);
	else
		state_fail(&lk->st, a->source, now, &limits);
}

static int
lk_save(const struct attempt *a, const struct lockstate *lk,
    struct hg_msg *msg)
{
	return lk->bucket ?
	    state_bucket_save(a->conf.state_dir, lk->file, &lk->st, msg) :
	    state_save(a->conf.state_dir, a->name, &lk->st, msg);
}

/* Is this name locked out from this source?  Read under its lock. */
static int
check_locked(struct attempt *a, struct hg_msg *msg)
{
	struct lockstate lk;
	int r;

	if ((r = lk_open(a, &lk, msg)) == 0)
		a->locked = lk_locked(a, &lk, time(NULL));
	state_unlock(lk.fd);
	return r;
}

/* Ask one question with echo off; *OUT is ours to wipe and free. */
static int
ask(struct attempt *a, const char *prompt, char **out)
{
	int r;

	*out = NULL;
	r = pam_prompt(a->pamh, PAM_PROMPT_ECHO_OFF, out, "%s", prompt);
	if (r != PAM_SUCCESS || *out == NULL) {
		secure_strfree(*out);
		*out = NULL;
		return HG_ERR_CONV;
	}
	return 0;
}

/* The password: from an earlier module (first_pass flags) or a prompt. */
static int
get_password(struct attempt *a, struct hg_msg *msg)
{
	const void *item = NULL;
	int r;

	if (a->conf.try_first_pass || a->conf.use_first_pass) {
		(void)pam_get_item(a->pamh, PAM_AUTHTOK, &item);
		if (item != NULL) {
			a->password = strdup(item);
			return a->password != NULL ? 0 : HG_ERR_NOMEM;
		}
		if (a->conf.use_first_pass)
			return hg_fail(msg, HG_ERR_CONFIG, "use_first_pass is "
			    "set but no earlier module asked for a password");
	}
	if ((r = ask(a, PROMPT_PASSWORD, &a->password)) != 0)
		return r;
	/* Later modules in the stack may reuse it, as with pam_unix. */
	if (pam_set_item(a->pamh, PAM_AUTHTOK, a->password) != PAM_SUCCESS)
		return HG_ERR_INTERNAL;
	return 0;
}

static int
get_code(struct attempt *a)
{
	char *resp;
	int r;

	if ((r = ask(a, PROMPT_CODE, &resp)) != 0)
		return r;
	a->code_toolong = totp_normalize(resp, a->code) != 0;
	secure_strfree(resp);
	return 0;
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
check_password(struct attempt *a, struct hg_msg *msg)
{
	struct spwd sp, *spp = NULL;
	struct crypt_data *cd;
	char buf[8192];
	const char *out;
	int r = HG_ERR_BAD_PASSWORD, e;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return HG_ERR_NOMEM;
	if (!a->known || strlen(a->password) > MAX_PASSWORD) {
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
		if (a->conf.nullok &&
		    (a->flags & PAM_DISALLOW_NULL_AUTHTOK) == 0 &&
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
consume_recovery(struct attempt *a, const struct hg_seed *seed, int index,
    struct hg_msg *msg)
{
	char path[4096], *text;
	size_t len;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", a->conf.secrets_dir,
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
load_key(struct attempt *a, unsigned char key[SECURE_KEY_BYTES], bool *have,
    struct hg_msg *msg)
{
	int r;

	*have = false;
	r = secure_key_load(a->conf.seed_key, 0, key, msg);
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
warn_clock(struct attempt *a, const struct hg_state *st,
    const struct hg_seed *seed, long long now)
{
	char qu[TRUST_NAME_MAX * 4 + 8];

	if (!state_step_ahead(st, now, a->conf.totp_window, seed->period))
		return;
	record_quote(a->name, qu, sizeof(qu));
	log_f(a->pamh, LOG_ALERT, "user %s: the last accepted code is %lld s "
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
verify_code(struct attempt *a, struct hg_msg *msg)
{
	unsigned char key[SECURE_KEY_BYTES];
	struct lockstate lk;
	struct hg_seed seed;
	long long now = time(NULL), step = -1;
	bool have_key = false, seedless = false, counted, rform, trust;
	int r, result, idx = -1;

	memset(&seed, 0, sizeof(seed));
	sodium_memzero(key, sizeof(key));
	if ((r = lk_open(a, &lk, msg)) != 0)
		goto out;

	/* The key for everyone: a bad one fails every name alike. */
	if (a->conf.totp != CONF_TOTP_OFF &&
	    (r = load_key(a, key, &have_key, msg)) != 0)
		goto out;
	/* The seed: the user's, or a dummy that no code matches. */
	if (a->known && a->conf.totp != CONF_TOTP_OFF) {
		r = totp_seed_load(&seed, a->conf.secrets_dir, a->name, 0,
		    have_key ? key : NULL, msg);
		if (r == HG_ERR_NO_SEED)
			seedless = true;
		else if (r != 0)
			goto out;
		else {
			warn_clock(a, &lk.st, &seed, now);
			if (a->conf.debug)
				log_f(a->pamh, LOG_DEBUG, "seed of %s: %s, %u "
				    "digits, %u s period, %s, %zu recovery codes",
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
	rform = a->conf.totp != CONF_TOTP_OFF && !a->code_toolong &&
	    recovery_form(a->code);
	if (rform)
		idx = totp_recovery_match(&seed, a->code);
	if (a->conf.totp == CONF_TOTP_OFF)
		result = 0;
	else if (a->code_toolong)
		result = HG_ERR_BAD_CODE;
	else if (totp_is_ordinary(&seed, a->code)) {
		result = totp_verify(&seed, a->code, (time_t)now,
		    a->conf.totp_window, &step);
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
	else if (seedless && a->conf.totp == CONF_TOTP_REQUIRED)
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
		log_f(a->pamh, LOG_WARNING, "uid 0 account: wrong verification "
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
	    (a->conf.password == CONF_PASSWORD_SHADOW && a->password_ok));
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

static void
free_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

/* The factors that passed, "password,totp" style, into BUF. */
static void
factors_of(const struct attempt *a, char *buf, size_t size)
{
	const char *code = a->used_totp ? "totp" :
	    a->used_scratch ? "scratch" : NULL;

	if (a->conf.password == CONF_PASSWORD_SHADOW && a->password_ok)
		snprintf(buf, size, "password%s%s", code ? "," : "",
		    code ? code : "");
	else
		snprintf(buf, size, "%s", code ? code : "");
}

/* The factors that passed, and the account they were proven for. */
struct factors {
	char	user[TRUST_NAME_MAX + 1];
	char	list[64];
};

/* Keep the factors for the account phase and the audit record. */
static int
store_factors(struct attempt *a)
{
	struct factors *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return HG_ERR_NOMEM;
	snprintf(f->user, sizeof(f->user), "%s", a->name);
	factors_of(a, f->list, sizeof(f->list));
	if (pam_set_data(a->pamh, FACTORS_DATA, f, free_data) !=
	    PAM_SUCCESS) {
		free(f);
		return HG_ERR_INTERNAL;
	}
	return 0;
}

/*
 * The audit record of this attempt.  Returns the error to report: ERR, or
 * HG_ERR_IO when the record could not be stored and audit=required.
 */
static int
audit_attempt(struct attempt *a, int err)
{
	struct hg_record r;

	record_for(a->pamh, "auth", &r);
	set_result(&r, to_pam(err, PHASE_AUTH), hg_reason(err));
	factors_of(a, r.factors, sizeof(r.factors));
	if (a->note != NULL) {
		char qu[RECORD_FIELD_MAX * 4 + 8];

		record_quote(r.user, qu, sizeof(qu));
		pam_syslog(a->pamh, LOG_INFO, "user %s: %s", qu, a->note);
	}
	if (audit_record(a->pamh, &a->conf, &r) != 0 && err == 0) {
		log_f(a->pamh, LOG_ERR, "audit=required and the record could "
		    "not be stored: denying");
		return HG_ERR_IO;
	}
	return err;
}

static int
authenticate(struct attempt *a, struct hg_msg *msg)
{
	struct hg_msg why = { "" };
	const char *user = NULL;
	int r;

	if (a->conf.password == CONF_PASSWORD_NONE &&
	    a->conf.totp == CONF_TOTP_OFF)
		return hg_fail(msg, HG_ERR_CONFIG, "password=none and "
		    "totp=off leave nothing to check in the auth phase");
	if (pam_get_user(a->pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return hg_fail(msg, HG_ERR_CONV, "could not get the user name");
	a->user = user;
	lookup_user(a);
	set_source(a);
	/* Only a missing file in a trusted directory means "no seed". */
	if (a->conf.totp != CONF_TOTP_OFF &&
	    (r = trust_check_dir(a->conf.secrets_dir, 0, TRUST_SECRET,
	    &why)) != 0)
		return hg_fail(msg, r == HG_ERR_NOENT ? HG_ERR_UNTRUSTED : r,
		    "secrets_dir %s; failing closed for every user", why.text);
	if (lockout_counts(a) && (r = check_locked(a, msg)) != 0)
		return r;
	if (a->locked && (a->flags & PAM_SILENT) == 0)
		(void)pam_info(a->pamh, "%s", LOCKED_NOTICE);

	/* Prompts are the same for every user, known or not, seed or not. */
	if (a->conf.password == CONF_PASSWORD_SHADOW &&
	    (r = get_password(a, msg)) != 0)
		return r;
	if (a->conf.totp != CONF_TOTP_OFF && (r = get_code(a)) != 0)
		return r;

	if (a->conf.password == CONF_PASSWORD_SHADOW) {
		r = check_password(a, msg);
		if (r != 0 && r != HG_ERR_BAD_PASSWORD)
			return r;
		a->password_ok = r == 0;
	} else
		a->password_ok = true;
	if ((r = verify_code(a, msg)) != 0)
		return r;
	return store_factors(a);
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct attempt a;
	struct hg_msg msg = { "" };
	int r;

	memset(&a, 0, sizeof(a));
	a.pamh = pamh;
	a.flags = flags;
	if (sodium_init() < 0 || oath_init() != OATH_OK) {
		log_f(pamh, LOG_ERR, "cannot initialise libsodium or liboath");
		return PAM_SERVICE_ERR;
	}
	if ((r = conf_load(&a.conf, argc, argv, 0, &msg)) != 0) {
		log_f(pamh, LOG_ERR, "%s; failing closed", msg.text);
		goto done;
	}
	if (a.conf.fail_delay_ms > 0)
		(void)pam_fail_delay(pamh, a.conf.fail_delay_ms * 1000U);
	r = authenticate(&a, &msg);
	if (msg.text[0] != '\0')
		log_f(pamh, r == HG_ERR_CONFIG || r == HG_ERR_UNTRUSTED ||
		    r == HG_ERR_SEED || r == HG_ERR_STATE || r == HG_ERR_IO ?
		    LOG_ERR : LOG_NOTICE, "%s", msg.text);
	if (a.user != NULL)
		r = audit_attempt(&a, r);
 done:
	secure_strfree(a.password);
	sodium_memzero(a.code, sizeof(a.code));
	conf_free(&a.conf);
	oath_done();
	return to_pam(r, PHASE_AUTH);
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

/*
 * The factors this transaction's auth phase passed for the user it is
 * now about, or NULL: an auth phase that proved another account (PAM_USER
 * changed since) proves nothing for this one.
 */
static const struct factors *
factors_get(pam_handle_t *pamh)
{
	const void *data = NULL;
	const struct factors *f;
	char typed[RECORD_FIELD_MAX] = "", name[TRUST_NAME_MAX + 1];
	uid_t uid;

	if (pam_get_data(pamh, FACTORS_DATA, &data) != PAM_SUCCESS ||
	    data == NULL)
		return NULL;	/* no auth phase ran, e.g. an SSH key login */
	f = data;
	copy_item(pamh, PAM_USER, typed, sizeof(typed));
	if (!canonical_user(typed, name, sizeof(name), &uid) ||
	    strcmp(name, f->user) != 0) {
		log_f(pamh, LOG_WARNING, "the auth phase was for another "
		    "user: its factors do not count");
		return NULL;
	}
	return f;
}

/* The factors this transaction's auth phase passed, into BUF. */
static void
copy_factors(pam_handle_t *pamh, char *buf, size_t size)
{
	const struct factors *f = factors_get(pamh);

	snprintf(buf, size, "%s", f != NULL ? f->list : "");
}

/* Did this transaction's auth phase pass a code through hostgate? */
static bool
passed_mfa(pam_handle_t *pamh)
{
	const struct factors *f = factors_get(pamh);

	return f != NULL && (strstr(f->list, "totp") != NULL ||
	    strstr(f->list, "scratch") != NULL);
}

/*
 * Decide locally with the policy engine, as hostgated would.  Fills R's
 * result fields and returns 0 (allow), HG_ERR_DENIED or HG_ERR_UNKNOWN_USER.
 */
static int
decide_locally(pam_handle_t *pamh, const struct hg_conf *conf,
    struct hg_record *r)
{
	struct hg_policy *pol = NULL;
	struct hg_msg msg = { "" };
	char **groups = NULL;
	size_t ngroups = 0;
	const char *reason;
	bool mfa = passed_mfa(pamh);
	int err;

	err = account_groups(r->user, &groups, &ngroups, &reason, &msg);
	if (err != 0) {
		if (err != HG_ERR_UNKNOWN_USER)
			log_f(pamh, LOG_ERR, "%s; denying", msg.text);
		goto out;
	}
	if (policy_load(conf->policy, 0, &pol, &msg) != 0)
		log_f(pamh, LOG_ALERT, "%s; the policy is invalid, denying "
		    "everyone", msg.text);
	/* With POL NULL this denies with reason policy-invalid. */
	err = account_decide(pol, r, groups, ngroups, mfa, &reason);
 out:
	set_result(r, to_pam(err, PHASE_ACCOUNT), reason);
	policy_free(pol);
	policy_groups_free(groups, ngroups);
	return err;
}

/*
 * The authorization gate: the role policy decides, through hostgated's
 * warm copy when the helper answers and holds the very policy this stack
 * names, else locally with the same engine.  Any doubt (settings, policy,
 * user, groups) denies.
 */
PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct hg_record r, reply;
	struct hg_conf conf;
	struct hg_msg msg = { "" };
	int err;

	record_for(pamh, "account", &r);
	if (r.user[0] == '\0' || !trust_name_ok(r.user)) {
		log_f(pamh, LOG_NOTICE, "no usable user name");
		return to_pam(HG_ERR_UNKNOWN_USER, PHASE_ACCOUNT);
	}
	if ((err = conf_load(&conf, argc, argv, 0, &msg)) != 0) {
		/* Without settings there is no helper or spool to use. */
		log_f(pamh, LOG_ALERT, "%s; denying", msg.text);
		err = HG_ERR_CONFIG;
		goto deny;
	}
	copy_factors(pamh, r.factors, sizeof(r.factors));
	/* hostgated decides only if it holds the policy we would load. */
	policy_stamp(conf.policy, r.policy);
	err = helper_send(pamh, &conf, RECORD_T_DECIDE, &r, &reply);
	if (err == 0) {
		if (conf.debug)
			log_f(pamh, LOG_DEBUG, "account decision from "
			    "hostgated: seq %lld", reply.seq);
		err = strcmp(reply.result, "allow") == 0 ? 0 :
		    strcmp(reply.reason, "unknown-user") == 0 ?
		    HG_ERR_UNKNOWN_USER : HG_ERR_DENIED;
	} else {
		if (err == HG_ERR_POLICY && conf.debug)
			log_f(pamh, LOG_DEBUG, "hostgated does not hold the "
			    "policy %s: deciding here", conf.policy);
		err = decide_locally(pamh, &conf, &r);
		/* To the helper if it is up and root's, else the spool. */
		if (audit_record(pamh, &conf, &r) != 0 && err == 0) {
			log_f(pamh, LOG_ERR, "audit=required and the record "
			    "could not be stored: denying");
			err = HG_ERR_IO;
		}
	}
	conf_free(&conf);
 deny:
	if (to_pam(err, PHASE_ACCOUNT) == PAM_PERM_DENIED &&
	    (flags & PAM_SILENT) == 0)
		(void)pam_error(pamh, "%s", DENIED_NOTICE);
	return to_pam(err, PHASE_ACCOUNT);
}

/*
 * Record a session event.  Sessions are not refused for audit trouble
 * unless audit=required, or the settings are unusable (fail closed).
 */
static int
session_event(pam_handle_t *pamh, const char *event, int argc,
    const char **argv)
{
	struct hg_record r;
	struct hg_conf conf;
	struct hg_msg msg = { "" };
	const void *start = NULL;
	long long *mark;
	int err;

	if (conf_load(&conf, argc, argv, 0, &msg) != 0) {
		log_f(pamh, LOG_ALERT, "%s; refusing the session", msg.text);
		return PAM_SESSION_ERR;
	}
	record_for(pamh, event, &r);
	copy_factors(pamh, r.factors, sizeof(r.factors));
	if (strcmp(event, "session_open") == 0) {
		/* Remembered for the duration in session_close. */
		if ((mark = malloc(sizeof(*mark))) != NULL) {
			*mark = r.ts_ms;
			if (pam_set_data(pamh, SESSION_DATA, mark, free_data) !=
			    PAM_SUCCESS)
				free(mark);
		}
	} else if (pam_get_data(pamh, SESSION_DATA, &start) == PAM_SUCCESS &&
	    start != NULL)
		r.duration = (r.ts_ms - *(const long long *)start) / 1000;
	err = audit_record(pamh, &conf, &r);
	conf_free(&conf);
	return err == 0 ? PAM_SUCCESS : PAM_SESSION_ERR;
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	(void)flags;
	return session_event(pamh, "session_open", argc, argv);
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	(void)flags;
	return session_event(pamh, "session_close", argc, argv);
}

PAM_EXTERN int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
