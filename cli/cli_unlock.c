/*
 * "hostgate unlock USER [--source SRC]": clear a user's lockout state, of
 * one source or of all, under the user's state lock (so that no login in
 * flight writes the old counts back), and record an audit event.
 *
 * The replay state (the last accepted time step) is kept: unlocking must
 * never make a used code valid again.  The one exception is a step more
 * than totp_window steps ahead of the clock, left by a clock that went
 * back: until the clock catches up, every valid code reads as a replay.
 * "unlock USER" clears it (only such a step: one within the window is a
 * code just used); "--source" does not touch the user as a whole.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "addr.h"
#include "cli_util.h"
#include "record.h"
#include "state.h"
#include "submit.h"
#include "totp.h"

#define CMD		"unlock"
#define USAGE		"hostgate unlock USER [--source SRC] [--config FILE]"

/* Who is doing this: the sudo caller if any, else the real user. */
static void
admin_name(char *buf, size_t size)
{
	struct passwd pw, *pwp = NULL;
	const char *sudo = getenv("SUDO_USER");
	char pwbuf[4096];

	if (sudo != NULL && *sudo != '\0' && getuid() == 0) {
		snprintf(buf, size, "%s", sudo);
		return;
	}
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 &&
	    pwp != NULL)
		snprintf(buf, size, "%s", pw.pw_name);
	else
		snprintf(buf, size, "%lu", (unsigned long)getuid());
}

/*
 * Record the unlock: to hostgated, else to syslog and the spool, as the
 * module does.  Returns 0, or -1 when it was stored nowhere durable.
 */
static int
audit_unlock(const struct hg_conf *conf, const char *user,
    const char *source, bool step)
{
	struct hg_record r, reply;
	struct hg_msg msg;
	char line[2048];
	const char *tty;

	record_init(&r);
	record_stamp(&r);
	r.pid = (long long)getpid();
	r.uid = (long long)getuid();
	snprintf(r.event, sizeof(r.event), "unlock");
	snprintf(r.service, sizeof(r.service), "hostgate");
	if (snprintf(r.user, sizeof(r.user), "%s", user) >=
	    (int)sizeof(r.user))
		return -1;	/* no record can name it */
	admin_name(r.ruser, sizeof(r.ruser));
	if ((tty = ttyname(STDIN_FILENO)) != NULL) {
		if (strncmp(tty, "/dev/", 5) == 0)
			tty += 5;
		snprintf(r.tty, sizeof(r.tty), "%s", tty);
	}
	snprintf(r.result, sizeof(r.result), "allow");
	snprintf(r.reason, sizeof(r.reason), "ok");
	snprintf(r.rule, sizeof(r.rule), "source=%s%s",
	    source != NULL ? source : "*", step ? " future-step" : "");
	msg.text[0] = '\0';
	if (submit_send(conf->audit_socket, RECORD_T_RECORD, &r,
	    SUBMIT_TIMEOUT_MS, &reply, &msg) == 0)
		return 0;
	record_syslog_line(&r, line, sizeof(line));
	openlog("hostgate", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_NOTICE, "%s", line);
	closelog();
	msg.text[0] = '\0';
	if (submit_spool(conf->audit_spool, &r, &msg) != 0) {
		cli_util_warn(CMD, "the audit record was not stored: %s",
		    msg.text);
		return -1;
	}
	return 0;
}

static void
list_sources(const struct hg_state *st)
{
	char shown[CLI_SHOWN_MAX];
	size_t i;

	if (st->nsources == 0) {
		fprintf(stderr, "  (no source has failures recorded)\n");
		return;
	}
	fprintf(stderr, "  sources with failures:");
	for (i = 0; i < st->nsources; i++)
		fprintf(stderr, " %s", cli_util_printable(st->sources[i].name,
		    shown, sizeof(shown)));
	fputc('\n', stderr);
}

/*
 * Whether the stored step of USER is ahead of the clock at NOW.  The seed
 * is read only for its period (cli_util_step_period()).
 */
static bool
step_ahead(const struct hg_conf *conf, const char *user,
    const struct hg_state *st, long long now)
{
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_seed seed;
	struct hg_msg msg;
	bool have, created, ahead;
	int r;

	/* Not ahead of now: within the window whatever the period. */
	if (st->last_step <= now)
		return false;
	if (cli_util_key(CMD, conf->seed_key, false, key, &have,
	    &created) != 0)
		have = false;
	msg.text[0] = '\0';
	r = totp_seed_load(&seed, conf->secrets_dir, user, 0, have ? key :
	    NULL, &msg);
	if (r != 0 && r != HG_ERR_NO_SEED)
		cli_util_warn(CMD, "%s; the replay step is judged with the "
		    "longest period, %d s", msg.text, CLI_PERIOD_MAX);
	ahead = state_step_ahead(st, now, conf->totp_window,
	    cli_util_step_period(r, &seed));
	if (r == 0)
		totp_seed_free(&seed);
	sodium_memzero(key, sizeof(key));
	return ahead;
}

/*
 * "hostgate unlock USER [--source SRC] [--config FILE]": see cli.h.
 */
int
cli_unlock(int argc, char **argv)
{
	struct hg_conf conf;
	struct hg_state st;
	struct hg_msg msg;
	struct state_source *s;
	struct stat sb;
	const char *config = NULL, *user = NULL, *source = NULL;
	const struct cli_util_arg args[] = {
		{ "--config", &config, NULL }, { "--source", &source, NULL },
		{ NULL, NULL, NULL }
	};
	char path[PATH_MAX], when[32], shown[CLI_SHOWN_MAX];
	char name[TRUST_NAME_MAX + 1], canon_source[STATE_MAX_SOURCE_LEN + 1];
	long long now = (long long)time(NULL), until, step = -1;
	struct state_limits limits;
	unsigned cleared;
	bool lockout = false;
	int r, fd = -1, ret = CLI_EXIT_FAIL;

	if ((r = cli_util_args(argc, argv, args, USAGE, &user, NULL)) ==
	    CLI_ARGS_HELP)
		return CLI_EXIT_OK;
	if (r != 0 || user == NULL)
		goto usage;
	if (!cli_util_user_ok(user)) {
		cli_util_error(CMD, "'%s' is not a valid user name", user);
		return CLI_EXIT_USAGE;
	}
	if (source != NULL && (*source == '\0' ||
	    strlen(source) > STATE_MAX_SOURCE_LEN)) {
		cli_util_error(CMD, "--source: 1 to %d characters",
		    STATE_MAX_SOURCE_LEN);
		return CLI_EXIT_USAGE;
	}
	/* As the module names them: the NSS name, an address canonical. */
	(void)cli_util_user_lookup(user, name);
	user = name;
	if (source != NULL) {
		(void)addr_canonical(source, canon_source,
		    sizeof(canon_source));
		source = canon_source;
	}
	if (cli_util_need_root(CMD, "it rewrites root-owned state files") !=
	    0 || cli_util_init(CMD) != 0)
		return CLI_EXIT_FAIL;
	if (cli_util_conf(CMD, config, &conf) != 0)
		return CLI_EXIT_FAIL;
	if (snprintf(path, sizeof(path), "%s/%s", conf.state_dir, user) >=
	    (int)sizeof(path)) {
		cli_util_error(CMD, "%s: path too long", conf.state_dir);
		goto out;
	}
	/* No state, nothing to clear: do not create any file for it. */
	if (lstat(path, &sb) != 0 && errno == ENOENT) {
		if (source != NULL) {
			cli_util_error(CMD, "%s: no failures recorded from "
			    "'%s' (no lockout state at all)", user, source);
			goto out;
		}
		printf("%s: no lockout state; nothing to clear.\n", user);
		ret = CLI_EXIT_OK;
		goto out;
	}
	msg.text[0] = '\0';
	if (state_lock(conf.state_dir, user, 0, &fd, &msg) != 0 ||
	    state_load(conf.state_dir, user, 0, &st, &msg) != 0) {
		cli_util_error(CMD, "%s", msg.text);
		goto out;
	}
	if (source != NULL) {
		if ((s = state_find_source(&st, source)) == NULL) {
			cli_util_error(CMD, "%s: no failures recorded from "
			    "'%s'; nothing changed", user, source);
			list_sources(&st);
			goto out;
		}
		cleared = s->fails.count;
	} else {
		lockout = st.nsources > 0 || st.total.count > 0 ||
		    st.total.locked_until != 0;
		if (step_ahead(&conf, user, &st, now))
			step = st.last_step;
		if (!lockout && step < 0) {
			printf("%s: no failures recorded; nothing to clear.\n",
			    user);
			ret = CLI_EXIT_OK;
			goto out;
		}
		cleared = st.total.count;
	}
	state_clear(&st, source);
	if (step >= 0)
		st.last_step = -1;
	if (state_save(conf.state_dir, user, &st, &msg) != 0) {
		cli_util_error(CMD, "%s; nothing changed", msg.text);
		goto out;
	}
	state_unlock(fd);
	fd = -1;
	if (source != NULL)
		printf("%s: cleared %u failure%s from %s.\n", user, cleared,
		    cleared == 1 ? "" : "s", cli_util_printable(source, shown,
		    sizeof(shown)));
	else if (lockout)
		printf("%s: cleared the lockout state of every source "
		    "(%u failure%s in all).\n", user, cleared,
		    cleared == 1 ? "" : "s");
	if (step >= 0) {
		cli_util_fmt_time(when, sizeof(when), step);
		printf("%s: cleared the replay step (%s): it was ahead of the "
		    "clock, which went back (or was ahead at that login), and "
		    "made every code a replay.\n", user, when);
	}
	/* Clearing one source leaves the user's total as it was. */
	state_limits_of(&conf, &limits);
	if (source != NULL &&
	    state_is_locked(&st, source, now, &limits, &until)) {
		cli_util_fmt_time(when, sizeof(when), until);
		printf("%s: still locked from every source until %s (too many "
		    "failures in all); 'hostgate unlock %s' clears that.\n",
		    user, when, user);
	}
	ret = CLI_EXIT_OK;
	if (audit_unlock(&conf, user, source, step >= 0) != 0 &&
	    conf.audit == CONF_AUDIT_REQUIRED)
		ret = CLI_EXIT_FAIL;
 out:
	state_unlock(fd);
	conf_free(&conf);
	return ret;
 usage:
	cli_util_usage(stderr, USAGE);
	return CLI_EXIT_USAGE;
}
