/*
 * One error space for all of hostgate: functions return 0 on success or a
 * negative HG_ERR_* code.  The PAM module maps these to PAM codes in one
 * place (pam_module/pam_hostgate.c).
 */
#ifndef HG_ERR_H
#define HG_ERR_H

#define HG_OK			0
#define HG_ERR_INTERNAL		-1	/* a bug or an unexpected library failure */
#define HG_ERR_NOMEM		-2
#define HG_ERR_IO		-3	/* a file could not be read or written */
#define HG_ERR_NOENT		-4	/* a file does not exist */
#define HG_ERR_UNTRUSTED	-5	/* wrong owner, mode, type or a symlink */
#define HG_ERR_CONFIG		-6	/* bad setting or module argument */
#define HG_ERR_SEED		-7	/* malformed or undecryptable seed file */
#define HG_ERR_STATE		-8	/* malformed state file */
#define HG_ERR_TOOLONG		-9	/* input exceeds a fixed bound */
#define HG_ERR_BAD_PASSWORD	-10
#define HG_ERR_BAD_CODE		-11
#define HG_ERR_REPLAY		-12
#define HG_ERR_LOCKED		-13
#define HG_ERR_NO_SEED		-14
#define HG_ERR_UNKNOWN_USER	-15
#define HG_ERR_CONV		-16	/* the application's conversation failed */
#define HG_ERR_INVALID		-17	/* an argument is out of its domain */
#define HG_ERR_POLICY		-18	/* the role policy is invalid */
#define HG_ERR_DENIED		-19	/* the role policy denies the login */
#define HG_ERR_TIMEOUT		-20	/* a peer did not answer in time */

/* Room for one diagnostic: "file:line: problem", never a secret. */
#define HG_MSG_MAX	512
struct hg_msg {
	char	text[HG_MSG_MAX];
};

/*
 * Record a diagnostic in MSG (may be NULL) and return ERR, so that a failure
 * is reported and returned in one statement.
 */
int hg_fail(struct hg_msg *msg, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Where the shared units log: FN gets the priority, the logging function
 * (NULL: none to name) and the text; the module sends it to pam_syslog.
 * FN NULL logs nothing.
 */
typedef void hg_log_fn(void *ctx, int prio, const char *func,
    const char *text);
struct hg_log {
	hg_log_fn	*fn;
	void		*ctx;
};

/* A log line through LOG (may be NULL), FUNC naming the function. */
void hg_logf(const struct hg_log *log, int prio, const char *func,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A static English description of an HG_ERR_* code. */
const char *hg_strerror(int err);

/* The stable audit reason code ("bad-code", ...) for an HG_ERR_* code. */
const char *hg_reason(int err);

#endif /* HG_ERR_H */
