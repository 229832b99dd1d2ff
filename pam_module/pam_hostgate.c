/*
 * pam_hostgate: the PAM entry points.  Thin glue over common/: it talks to
 * the application, maps HG_ERR_* to PAM codes in to_pam() and fails closed.
 */
#include "config.h"

#include <sys/types.h>

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
#include "auth.h"
#include "conf.h"
#include "err.h"
#include "record.h"
#include "secure.h"
#include "submit.h"
#include "trust.h"

#define FACTORS_DATA	"hostgate_factors"
#define HELPER_DOWN_DATA "hostgate_helper_down"
#define SESSION_DATA	"hostgate_session_start"
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
	(void)auth_canonical_user(typed, r->user, sizeof(r->user), &uid);
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

/* Log lines of common/ go to pam_syslog, stamped with their function. */
static void
pam_logger(void *ctx, int prio, const char *func, const char *text)
{
	if (func != NULL)
		pam_syslog(ctx, prio, "%s: %s", func, text);
	else
		pam_syslog(ctx, prio, "%s", text);
}

/* The way to hostgated in this transaction: down once it failed. */
static void
helper_open(pam_handle_t *pamh, const struct hg_conf *conf,
    struct submit_ctx *c)
{
	const void *down = NULL;

	c->conf = conf;
	c->down = pam_get_data(pamh, HELPER_DOWN_DATA, &down) == PAM_SUCCESS &&
	    down != NULL;
	c->log.fn = pam_logger;
	c->log.ctx = pamh;
}

static void
helper_close(pam_handle_t *pamh, const struct submit_ctx *c)
{
	if (c->down)
		(void)pam_set_data(pamh, HELPER_DOWN_DATA, (void *)"down",
		    NULL);
}

/*
 * Record R: through the helper, else locally.  Returns 0, or HG_ERR_IO
 * when audit=required and the record could not be stored durably.
 */
static int
audit_record(pam_handle_t *pamh, const struct hg_conf *conf,
    const struct hg_record *r)
{
	struct submit_ctx c;
	int err;

	helper_open(pamh, conf, &c);
	err = submit_record(&c, r);
	helper_close(pamh, &c);
	return err;
}

/* Ask one question with echo off; *OUT is ours to wipe and free. */
static int
ask(pam_handle_t *pamh, const char *prompt, char **out)
{
	int r;

	*out = NULL;
	r = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, out, "%s", prompt);
	if (r != PAM_SUCCESS || *out == NULL) {
		secure_strfree(*out);
		*out = NULL;
		return HG_ERR_CONV;
	}
	return 0;
}

/* The password: from an earlier module (first_pass flags) or a prompt. */
static int
get_password(pam_handle_t *pamh, const struct hg_conf *conf, char **out,
    struct hg_msg *msg)
{
	const void *item = NULL;
	int r;

	if (conf->try_first_pass || conf->use_first_pass) {
		(void)pam_get_item(pamh, PAM_AUTHTOK, &item);
		if (item != NULL) {
			*out = strdup(item);
			return *out != NULL ? 0 : HG_ERR_NOMEM;
		}
		if (conf->use_first_pass)
			return hg_fail(msg, HG_ERR_CONFIG, "use_first_pass is "
			    "set but no earlier module asked for a password");
	}
	if ((r = ask(pamh, PROMPT_PASSWORD, out)) != 0)
		return r;
	/* Later modules in the stack may reuse it, as with pam_unix. */
	if (pam_set_item(pamh, PAM_AUTHTOK, *out) != PAM_SUCCESS)
		return HG_ERR_INTERNAL;
	return 0;
}

static void
free_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

/* The factors that passed, and the account they were proven for. */
struct factors {
	char	user[TRUST_NAME_MAX + 1];
	char	list[64];
};

/* Keep the factors for the account phase and the audit record. */
static int
store_factors(pam_handle_t *pamh, const struct auth_attempt *a)
{
	struct factors *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return HG_ERR_NOMEM;
	snprintf(f->user, sizeof(f->user), "%s", a->name);
	auth_factors(a, f->list, sizeof(f->list));
	if (pam_set_data(pamh, FACTORS_DATA, f, free_data) != PAM_SUCCESS) {
		free(f);
		return HG_ERR_INTERNAL;
	}
	return 0;
}

/*
 * The audit record of attempt A.  Returns the error to report: ERR, or
 * HG_ERR_IO when the record could not be stored and audit=required.
 */
static int
audit_attempt(pam_handle_t *pamh, const struct auth_attempt *a, int err)
{
	struct hg_record r;

	record_for(pamh, "auth", &r);
	set_result(&r, to_pam(err, PHASE_AUTH), hg_reason(err));
	auth_factors(a, r.factors, sizeof(r.factors));
	if (a->note != NULL) {
		char qu[RECORD_FIELD_MAX * 4 + 8];

		record_quote(r.user, qu, sizeof(qu));
		pam_syslog(pamh, LOG_INFO, "user %s: %s", qu, a->note);
	}
	if (audit_record(pamh, a->conf, &r) != 0 && err == 0) {
		log_f(pamh, LOG_ERR, "audit=required and the record could "
		    "not be stored: denying");
		return HG_ERR_IO;
	}
	return err;
}

/*
 * The authentication gate: the same prompts for every name, the attempt
 * itself in common/auth.c.  *PASSWORD and *CODE are the caller's to wipe.
 */
static int
authenticate(pam_handle_t *pamh, int flags, const struct hg_conf *conf,
    struct auth_attempt *a, char **password, char **code, struct hg_msg *msg)
{
	const struct hg_log log = { pam_logger, pamh };
	const void *rhost = NULL, *tty = NULL;
	const char *user = NULL;
	int r;

	if (conf->password == CONF_PASSWORD_NONE &&
	    conf->totp == CONF_TOTP_OFF)
		return hg_fail(msg, HG_ERR_CONFIG, "password=none and "
		    "totp=off leave nothing to check in the auth phase");
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return hg_fail(msg, HG_ERR_CONV, "could not get the user name");
	(void)pam_get_item(pamh, PAM_RHOST, &rhost);
	(void)pam_get_item(pamh, PAM_TTY, &tty);
	if ((r = auth_begin(a, conf, user, rhost, tty, (long long)time(NULL),
	    &log, msg)) != 0)
		return r;
	if (a->locked && (flags & PAM_SILENT) == 0)
		(void)pam_info(pamh, "%s", LOCKED_NOTICE);
	if (conf->password == CONF_PASSWORD_SHADOW &&
	    (r = get_password(pamh, conf, password, msg)) != 0)
		return r;
	if (conf->totp != CONF_TOTP_OFF &&
	    (r = ask(pamh, PROMPT_CODE, code)) != 0)
		return r;
	/* The code is checked at the time it was typed, not asked. */
	if ((r = auth_finish(a, (long long)time(NULL), *password, *code,
	    (flags & PAM_DISALLOW_NULL_AUTHTOK) == 0, msg)) != 0)
		return r;
	return store_factors(pamh, a);
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct auth_attempt a;
	struct hg_conf conf;
	struct hg_msg msg = { "" };
	char *password = NULL, *code = NULL;
	int r;

	memset(&a, 0, sizeof(a));
	if (sodium_init() < 0 || oath_init() != OATH_OK) {
		log_f(pamh, LOG_ERR, "cannot initialise libsodium or liboath");
		return PAM_SERVICE_ERR;
	}
	if ((r = conf_load(&conf, argc, argv, 0, &msg)) != 0) {
		log_f(pamh, LOG_ERR, "%s; failing closed", msg.text);
		goto done;
	}
	if (conf.fail_delay_ms > 0)
		(void)pam_fail_delay(pamh, conf.fail_delay_ms * 1000U);
	r = authenticate(pamh, flags, &conf, &a, &password, &code, &msg);
	if (msg.text[0] != '\0')
		log_f(pamh, r == HG_ERR_CONFIG || r == HG_ERR_UNTRUSTED ||
		    r == HG_ERR_SEED || r == HG_ERR_STATE || r == HG_ERR_IO ?
		    LOG_ERR : LOG_NOTICE, "%s", msg.text);
	if (a.user != NULL)
		r = audit_attempt(pamh, &a, r);
	conf_free(&conf);
 done:
	secure_strfree(password);
	secure_strfree(code);
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
	if (!auth_canonical_user(typed, name, sizeof(name), &uid) ||
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

/*
 * The authorization gate: the role policy decides, through hostgated's
 * warm copy when the helper answers and holds the very policy this stack
 * names, else locally with the same engine.  Any doubt (settings, policy,
 * user, groups) denies.
 */
PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct submit_ctx helper;
	struct hg_record r;
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
	helper_open(pamh, &conf, &helper);
	err = account_check(&helper, &r);
	helper_close(pamh, &helper);
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
