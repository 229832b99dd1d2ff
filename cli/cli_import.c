/*
 * "hostgate import": migrate TOTP seeds from pam_google_authenticator
 * (~/.google_authenticator) and pam_oath (users.oath).
 *
 * Imported seeds are sealed when seed.key exists, else written as plain
 * base32, which the module accepts at once; "hostgate seal" converts them.
 * Import never creates the key: that stays a deliberate step (enroll or
 * seal).  Passwords and PINs found in the input are never imported, printed
 * or kept: hostgate checks the system password.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "cli.h"
#include "cli_util.h"
#include "totp.h"
#include "trust.h"

#define CMD		"import"
#define USAGE		"hostgate import --google-authenticator FILE " \
	"--user USER [--force] [--config FILE]\n" \
	"       hostgate import --oath USERSFILE [--user USER] [--force] " \
	"[--config FILE]"
#define INPUT_MAX	(1024 * 1024)
#define GA_SCRATCH_LEN	8

struct import {
	const char	*ga;		/* --google-authenticator FILE */
	const char	*oath;		/* --oath USERSFILE */
	const char	*user;		/* canonical, once known */
	char		 name[TRUST_NAME_MAX + 1];
	const char	*config;
	bool		 force;
	struct hg_conf	 conf;
	unsigned char	 key[SECURE_KEY_BYTES];
	bool		 have_key;
	char		 shown[CLI_SHOWN_MAX];	/* the input's path, escaped */
};

/* Returns -1 to go on, else the exit status. */
static int
parse_args(struct import *im, int argc, char **argv)
{
	const struct cli_util_arg args[] = {
		{ "--config", &im->config, NULL },
		{ "--google-authenticator", &im->ga, NULL },
		{ "--oath", &im->oath, NULL },
		{ "--user", &im->user, NULL },
		{ "--force", NULL, &im->force },
		{ NULL, NULL, NULL }
	};
	const char *arg = NULL;
	int r;

	if ((r = cli_util_args(argc, argv, args, USAGE, NULL, &arg)) ==
	    CLI_ARGS_HELP)
		return CLI_EXIT_OK;
	if (r != 0)
		return cli_util_args_error(CMD, r, arg, USAGE);
	if ((im->ga == NULL) == (im->oath == NULL)) {
		cli_util_error(CMD, "give one of --google-authenticator FILE "
		    "and --oath USERSFILE");
		goto bad;
	}
	if (im->ga != NULL && im->user == NULL) {
		cli_util_error(CMD, "--google-authenticator needs --user: the "
		    "file does not name its user");
		goto bad;
	}
	if (im->user != NULL && !cli_util_user_ok(im->user)) {
		cli_util_error(CMD, "'%s' is not a valid user name", im->user);
		return CLI_EXIT_USAGE;
	}
	/* Files go by the name NSS returns: "Alice" may be "alice". */
	if (im->user != NULL && cli_util_user_lookup(im->user, im->name) > 0)
		im->user = im->name;
	return -1;
 bad:
	cli_util_usage(stderr, USAGE);
	return CLI_EXIT_USAGE;
}

/*
 * Read the input file PATH (at most INPUT_MAX bytes) into a new
 * NUL-terminated buffer.  What it holds becomes a seed that logs its user
 * in, so whoever can write it could enroll a code of their own: it must be
 * a regular file, not reached through a final symlink, owned by root or
 * by USER (the one user a google-authenticator file is for; NULL for a
 * users file, which is root's), and not writable by group or others.
 * O_NONBLOCK: root must not be led to block on a FIFO.
 */
static int
read_input(const char *path, const char *user, char **bufp, size_t *lenp)
{
	struct passwd pw, *pwp = NULL;
	struct stat st;
	struct hg_msg msg;
	char pwbuf[4096], shown[CLI_SHOWN_MAX];
	uid_t owner = 0;
	int fd, r = -1;

	*bufp = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1) {
		cli_util_error(CMD, "%s: %s", path, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		cli_util_error(CMD, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	/* The user's own file is as good as root's. */
	if (user != NULL && st.st_uid != 0 && getpwnam_r(user, &pw, pwbuf,
	    sizeof(pwbuf), &pwp) == 0 && pwp != NULL && pw.pw_uid == st.st_uid)
		owner = st.st_uid;
	msg.text[0] = '\0';
	if (trust_check_fd(fd, path, TRUST_PUBLIC, owner, &msg) != 0) {
		cli_util_error(CMD, "%s; nothing imported", msg.text);
		/* The fix, for a file that can be one (not a device). */
		if (S_ISREG(st.st_mode) && st.st_uid != owner)
			fprintf(stderr, "  it must belong to root%s%s: chown %s "
			    "%s\n", user != NULL ? " or to " : "",
			    user != NULL ? user : "", user != NULL ? user :
			    "root", cli_util_printable(path, shown,
			    sizeof(shown)));
		if (S_ISREG(st.st_mode) &&
		    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
			fprintf(stderr, "  only its owner may write to it: "
			    "chmod go-w %s\n", cli_util_printable(path, shown,
			    sizeof(shown)));
		goto out;
	}
	msg.text[0] = '\0';
	if (trust_read_fd(fd, path, INPUT_MAX, bufp, lenp, &msg) != 0) {
		cli_util_error(CMD, "%s", msg.text);
		goto out;
	}
	if (memchr(*bufp, '\0', *lenp) != NULL) {
		cli_util_error(CMD, "%s: contains a NUL byte: not a text file",
		    path);
		cli_util_free_secret(*bufp, *lenp);
		*bufp = NULL;
		goto out;
	}
	r = 0;
 out:
	close(fd);
	return r;
}

/* The settings, the directories, and the key if there is one. */
static int
prepare(struct import *im)
{
	bool created;

	if (cli_util_dir(CMD, im->conf.secrets_dir, true) != 0 ||
	    cli_util_dir(CMD, im->conf.state_dir, true) != 0)
		return -1;
	return cli_util_key(CMD, im->conf.seed_key, false, im->key,
	    &im->have_key, &created);
}

/*
 * Write the seed S for USER.  MSG gets the reason on failure.  Returns 0
 * or an HG_ERR_* code.
 */
static int
store(struct import *im, const char *user, const struct cli_util_seed *s,
    struct hg_msg *msg)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if ((r = cli_util_seed_text(user, s, im->have_key ? im->key : NULL,
	    &text, &len)) != 0)
		return hg_fail(msg, r, "cannot make the seed file: %s",
		    hg_strerror(r));
	r = cli_util_seed_write(&im->conf, user, text, len, im->force, msg);
	cli_util_free_secret(text, len);
	return r;
}

static const char *
stored_as(const struct import *im)
{
	return im->have_key ? "sealed" : "plain base32; 'hostgate seal' "
	    "seals it";
}

/* --- google-authenticator ------------------------------------------------ */

/*
 * The value of the option on line LINENO of PATH: "N" after the option's
 * name (REST), a number from MIN to MAX, into *OUT.  0, or -1 after the
 * message "PATH:LINENO: WHAT".
 */
static int
ga_number(const char *path, unsigned lineno, const char *rest, unsigned min,
    unsigned max, unsigned *out, const char *what)
{
	char word[16];
	size_t n;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	n = strcspn(rest, " \t");
	if (n > 0 && n < sizeof(word)) {
		memcpy(word, rest, n);
		word[n] = '\0';
		if (conf_parse_uint(word, CONF_UINT_DIGITS_MAX, min, max,
		    out) == 0)
			return 0;
	}
	cli_util_error(CMD, "%s:%u: %s", path, lineno, what);
	return -1;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* The google-authenticator file as parsed. */
struct ga {
	unsigned char	 secret[TOTP_MAX_SECRET];
	size_t		 secret_len;
	unsigned	 period;
	unsigned	 window;	/* WINDOW_SIZE, 0 when not given */
	bool		 rate_limit;
	bool		 disallow_reuse;
	/* TOTP_RECOVERY_LEN: the room cli_util_recovery_hashes() takes. */
	char		 scratch[TOTP_MAX_RECOVERY][TOTP_RECOVERY_LEN + 1];
	size_t		 nscratch;
};

static int
ga_secret(struct ga *ga, const char *path, const char *line)
{
	char *bin = NULL;
	size_t len = 0;
	int r = -1;

	if (*line == '\0' || oath_base32_decode(line, strlen(line), &bin,
	    &len) != OATH_OK)
		cli_util_error(CMD, "%s:1: the first line is not a base32 "
		    "secret: not a google-authenticator file", path);
	else if (len < TOTP_MIN_SECRET || len > TOTP_MAX_SECRET)
		cli_util_error(CMD, "%s:1: the secret has %zu bytes; hostgate "
		    "takes %d to %d", path, len, TOTP_MIN_SECRET,
		    TOTP_MAX_SECRET);
	else {
		memcpy(ga->secret, bin, len);
		ga->secret_len = len;
		r = 0;
	}
	cli_util_free_secret(bin, len);
	return r;
}

/* One '" OPTION ...' line.  0, or -1 after a message. */
static int
ga_option(struct ga *ga, const char *path, unsigned lineno, const char *opt)
{
	size_t n = strcspn(opt, " \t");
	const char *rest = opt + n;

#define IS(name)	(n == sizeof(name) - 1 && \
	strncmp(opt, name, sizeof(name) - 1) == 0)
	if (IS("TOTP_AUTH"))
		return 0;
	if (IS("HOTP_COUNTER")) {
		cli_util_error(CMD, "%s:%u: HOTP_COUNTER: this is an "
		    "event-based (HOTP) secret, and hostgate is TOTP-only; "
		    "nothing imported (enroll the user afresh with 'hostgate "
		    "enroll')", path, lineno);
		return -1;
	}
	if (IS("STEP_SIZE"))
		return ga_number(path, lineno, rest, 1, 3600, &ga->period,
		    "STEP_SIZE must be 1 to 3600 seconds");
	if (IS("WINDOW_SIZE"))
		return ga_number(path, lineno, rest, 1, 100, &ga->window,
		    "WINDOW_SIZE must be a number from 1 to 100");
	if (IS("RATE_LIMIT")) {
		ga->rate_limit = true;
		return 0;
	}
	if (IS("DISALLOW_REUSE")) {
		ga->disallow_reuse = true;
		return 0;
	}
#undef IS
	cli_util_error(CMD, "%s:%u: unknown option '%.*s'; nothing imported",
	    path, lineno, (int)(n > 40 ? 40 : n), opt);
	return -1;
}

/* Keep one 8-digit scratch CODE (once).  0, or -1 after a message. */
static int
ga_scratch(struct ga *ga, const char *path, unsigned lineno,
    const char *code)
{
	size_t i;

	for (i = 0; i < ga->nscratch; i++)
		if (strcmp(ga->scratch[i], code) == 0)
			return 0;
	if (ga->nscratch == TOTP_MAX_RECOVERY) {
		cli_util_error(CMD, "%s:%u: more than %d scratch codes", path,
		    lineno, TOTP_MAX_RECOVERY);
		return -1;
	}
	memcpy(ga->scratch[ga->nscratch++], code, GA_SCRATCH_LEN + 1);
	return 0;
}

static int
ga_parse(struct ga *ga, const char *path, char *text, size_t len)
{
	char *line = text, *end = text + len, *nl;
	unsigned lineno = 0;
	size_t n;

	ga->period = 30;
	while (line < end) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL)
			*nl = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (lineno == 1) {
			if (ga_secret(ga, path, line) != 0)
				return -1;
		} else if (strncmp(line, "\" ", 2) == 0) {
			if (ga_option(ga, path, lineno, line + 2) != 0)
				return -1;
		} else if (n == GA_SCRATCH_LEN && all_digits(line, n)) {
			if (ga_scratch(ga, path, lineno, line) != 0)
				return -1;
		} else if (n != 0) {
			cli_util_error(CMD, "%s:%u: neither an option (\" ...) "
			    "nor an 8-digit scratch code", path, lineno);
			return -1;
		}
		line = nl != NULL ? nl + 1 : end;
	}
	if (lineno == 0) {
		cli_util_error(CMD, "%s: empty file", path);
		return -1;
	}
	return 0;
}

static int
import_ga(struct import *im)
{
	struct cli_util_seed s;
	struct hg_msg msg;
	struct ga *ga = NULL;
	char *text = NULL, *hashes[TOTP_MAX_RECOVERY];
	size_t len = 0, i;
	int r, ret = CLI_EXIT_FAIL;

	memset(hashes, 0, sizeof(hashes));
	if (read_input(im->ga, im->user, &text, &len) != 0)
		goto out;
	if ((ga = calloc(1, sizeof(*ga))) == NULL) {
		cli_util_error(CMD, "out of memory");
		goto out;
	}
	if (ga_parse(ga, im->ga, text, len) != 0)
		goto out;
	if (cli_util_user_known(CMD, im->user, NULL) != 0 ||
	    prepare(im) != 0 ||
	    cli_util_seed_may_write(CMD, &im->conf, im->user, im->force,
	    "") != 0)
		goto out;
	/*
	 * A scratch code is stored as the hash of exactly its 8 digits.  The
	 * module takes an 8-digit input for a recovery code only when the
	 * seed has 6 digits, which google-authenticator seeds always have.
	 */
	if (cli_util_recovery_hashes(CMD, ga->scratch, ga->nscratch, false,
	    hashes) != 0)
		goto out;
	memset(&s, 0, sizeof(s));
	s.secret = ga->secret;
	s.secret_len = ga->secret_len;
	s.digits = 6;
	s.period = ga->period;
	s.algorithm = TOTP_SHA1;
	s.recovery = hashes;
	s.nrecovery = ga->nscratch;
	s.origin = "hostgate import --google-authenticator";
	msg.text[0] = '\0';
	if ((r = store(im, im->user, &s, &msg)) != 0) {
		cli_util_error(CMD, "%s%s; nothing written", msg.text,
		    r == HG_ERR_INVALID ? " (use --force to replace it)" : "");
		goto out;
	}
	printf("%s: imported from %s: TOTP, SHA1, 6 digits, %u s period, "
	    "%zu scratch code%s as recovery codes (%s).\n", im->user,
	    im->shown, ga->period, ga->nscratch, ga->nscratch == 1 ? "" : "s",
	    stored_as(im));
	if (ga->window != 0)
		printf("%s: note: WINDOW_SIZE %u is not carried over: hostgate "
		    "accepts totp_window = %u step%s either side of now for "
		    "every user (hostgate.conf).\n", im->user, ga->window,
		    im->conf.totp_window, im->conf.totp_window == 1 ? "" :
		    "s");
	if (ga->rate_limit)
		printf("%s: note: RATE_LIMIT is not carried over: hostgate "
		    "limits guesses with the lockout_* settings.\n",
		    im->user);
	if (ga->disallow_reuse)
		printf("%s: note: DISALLOW_REUSE needs no setting: hostgate "
		    "never accepts a code twice.\n", im->user);
	ret = CLI_EXIT_OK;
 out:
	for (i = 0; i < TOTP_MAX_RECOVERY; i++)
		free(hashes[i]);
	cli_util_free_secret(ga, sizeof(*ga));
	cli_util_free_secret(text, len);
	return ret;
}

/* --- oath ---------------------------------------------------------------- */

/* liboath's token types (usersfile.c parse_type), all of them. */
static const struct oath_type {
	const char	*name;
	unsigned	 period;	/* 0: event-based HOTP */
	unsigned	 digits;
} oath_types[] = {
	{ "HOTP", 0, 6 }, { "HOTP/E", 0, 6 }, { "HOTP/E/6", 0, 6 },
	{ "HOTP/E/7", 0, 7 }, { "HOTP/E/8", 0, 8 },
	{ "HOTP/T30", 30, 6 }, { "HOTP/T30/6", 30, 6 },
	{ "HOTP/T30/7", 30, 7 }, { "HOTP/T30/8", 30, 8 },
	{ "HOTP/T60", 60, 6 }, { "HOTP/T60/6", 60, 6 },
	{ "HOTP/T60/7", 60, 7 }, { "HOTP/T60/8", 60, 8 },
	{ NULL, 0, 0 }
};

/* Users imported so far in this run, with their line. */
struct oath_seen {
	char		 user[CLI_USER_MAX + 1];
	unsigned	 line;
};

struct oath_run {
	struct import		*im;
	struct oath_seen	*seen;
	size_t			 nseen, cap;
	unsigned		 imported, skipped, selected;
};

/*
 * Import the one token line of LINENO whose fields are TYPE, USER and
 * SECRET (the PIN field is never looked at).  Returns 1 imported, 0
 * skipped (after a message), -1 for a fatal error.
 */
static int
oath_line(struct oath_run *run, unsigned lineno, const char *type,
    const char *typed, const char *secret)
{
	char name[TRUST_NAME_MAX + 1];
	const char *user = typed;
	struct import *im = run->im;
	const struct oath_type *t;
	struct cli_util_seed s;
	struct hg_msg msg;
	unsigned char bin[TOTP_MAX_SECRET];
	size_t len = sizeof(bin), i;
	const char *path = im->oath;
	int r;

	for (t = oath_types; t->name != NULL; t++)
		if (strcmp(t->name, type) == 0)
			break;
	if (t->name == NULL) {
		cli_util_error(CMD, "%s:%u: unknown token type '%.20s'; "
		    "skipped", path, lineno, type);
		return 0;
	}
	if (!cli_util_user_ok(user)) {
		cli_util_error(CMD, "%s:%u: not a valid user name; skipped",
		    path, lineno);
		return 0;
	}
	if (t->period == 0) {
		cli_util_error(CMD, "%s:%u: %s: %s tokens are event-based "
		    "(HOTP), and hostgate is TOTP-only; skipped (enroll the "
		    "user afresh)", path, lineno, user, type);
		return 0;
	}
	if (t->digits != 6 && t->digits != 8) {
		cli_util_error(CMD, "%s:%u: %s: %s tokens have %u-digit "
		    "codes, hostgate seeds 6 or 8; skipped", path, lineno,
		    user, type, t->digits);
		return 0;
	}
	if (secret == NULL) {
		cli_util_error(CMD, "%s:%u: %s: no secret field; skipped",
		    path, lineno, user);
		return 0;
	}
	for (i = 0; i < run->nseen; i++)
		if (strcmp(run->seen[i].user, user) == 0) {
			cli_util_error(CMD, "%s:%u: %s: a second token (the "
			    "first is on line %u); hostgate keeps one seed "
			    "per user; skipped", path, lineno, user,
			    run->seen[i].line);
			return 0;
		}
	if (oath_hex2bin(secret, (char *)bin, &len) != OATH_OK) {
		cli_util_error(CMD, "%s:%u: %s: the secret is not hex (or "
		    "longer than %d bytes); skipped", path, lineno, user,
		    TOTP_MAX_SECRET);
		sodium_memzero(bin, sizeof(bin));
		return 0;
	}
	if (len < TOTP_MIN_SECRET) {
		cli_util_error(CMD, "%s:%u: %s: the secret has %zu bytes, "
		    "hostgate needs at least %d; skipped", path, lineno, user,
		    len, TOTP_MIN_SECRET);
		sodium_memzero(bin, sizeof(bin));
		return 0;
	}
	if ((r = cli_util_user_lookup(typed, name)) <= 0) {
		cli_util_error(CMD, "%s:%u: %s: %s; skipped", path, lineno,
		    typed, r == 0 ? "no such user (not known to NSS)" :
		    strerror(-r));
		r = 0;
		goto out;
	}
	user = name;	/* the files go by the name NSS returns */
	if ((r = cli_util_seed_exists(CMD, &im->conf, user)) != 0) {
		if (r > 0 && !im->force)
			cli_util_error(CMD, "%s:%u: %s already has a seed; "
			    "--force replaces it; skipped", path, lineno,
			    user);
		r = r < 0 ? -1 : 0;
		if (r < 0 || !im->force)
			goto out;
	}
	memset(&s, 0, sizeof(s));
	s.secret = bin;
	s.secret_len = len;
	s.digits = t->digits;
	s.period = t->period;
	s.algorithm = TOTP_SHA1;
	s.origin = "hostgate import --oath";
	msg.text[0] = '\0';
	if ((r = store(im, user, &s, &msg)) != 0) {
		cli_util_error(CMD, "%s:%u: %s: %s; skipped", path, lineno,
		    user, msg.text);
		r = 0;
		goto out;
	}
	printf("%s: imported from %s:%u: TOTP, SHA1, %u digits, %u s period "
	    "(%s).\n", user, im->shown, lineno, t->digits, t->period,
	    stored_as(im));
	if (run->nseen == run->cap) {
		size_t cap = run->cap == 0 ? 16 : run->cap * 2;
		struct oath_seen *v = realloc(run->seen, cap * sizeof(*v));

		if (v == NULL) {
			cli_util_error(CMD, "out of memory");
			r = -1;
			goto out;
		}
		run->seen = v;
		run->cap = cap;
	}
	snprintf(run->seen[run->nseen].user, sizeof(run->seen[0].user), "%s",
	    user);
	run->seen[run->nseen++].line = lineno;
	r = 1;
 out:
	sodium_memzero(bin, sizeof(bin));
	return r;
}

static int
import_oath(struct import *im)
{
	static const char ws[] = " \t\r";
	struct oath_run run;
	char *text = NULL, *line, *end, *nl, *save, *type, *user, *secret;
	char canon[TRUST_NAME_MAX + 1];
	size_t len = 0;
	unsigned lineno = 0;
	int r, ret = CLI_EXIT_FAIL;

	memset(&run, 0, sizeof(run));
	run.im = im;
	if (read_input(im->oath, NULL, &text, &len) != 0)
		goto out;
	if (im->user != NULL && cli_util_user_known(CMD, im->user, NULL) != 0)
		goto out;
	if (prepare(im) != 0)
		goto out;
	for (line = text, end = text + len; line < end; line = nl != NULL ?
	    nl + 1 : end) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL)
			*nl = '\0';
		/*
		 * Fields: TYPE USER PIN SECRET [COUNTER [LASTOTP [TIME]]].
		 * pam_oath ignores lines it cannot use; so do we, with a word.
		 */
		if ((type = strtok_r(line, ws, &save)) == NULL ||
		    type[0] == '#')
			continue;
		if ((user = strtok_r(NULL, ws, &save)) == NULL) {
			cli_util_error(CMD, "%s:%u: no user field; skipped",
			    im->oath, lineno);
			run.skipped++;
			continue;
		}
		if (im->user != NULL && strcmp(user, im->user) != 0 &&
		    (cli_util_user_lookup(user, canon) <= 0 ||
		    strcmp(canon, im->user) != 0))
			continue;
		run.selected++;
		/* The PIN: skipped over, never kept or shown. */
		secret = strtok_r(NULL, ws, &save) == NULL ? NULL :
		    strtok_r(NULL, ws, &save);
		r = oath_line(&run, lineno, type, user, secret);
		if (r < 0)
			goto out;
		if (r > 0)
			run.imported++;
		else
			run.skipped++;
	}
	if (im->user != NULL && run.selected == 0) {
		cli_util_error(CMD, "%s: no line for user %s", im->oath,
		    im->user);
		goto out;
	}
	if (run.imported == 0 && run.skipped == 0) {
		cli_util_error(CMD, "%s: no tokens found", im->oath);
		goto out;
	}
	printf("%u imported, %u skipped.\n", run.imported, run.skipped);
	if (run.imported > 0)
		printf("PIN fields are not imported: hostgate checks the "
		    "system password (password = shadow).\n");
	ret = run.skipped == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
 out:
	free(run.seen);
	cli_util_free_secret(text, len);
	return ret;
}

/*
 * "hostgate import --google-authenticator FILE --user USER" and
 * "hostgate import --oath USERSFILE [--user USER]": see cli.h.
 */
int
cli_import(int argc, char **argv)
{
	struct import im;
	int r;

	memset(&im, 0, sizeof(im));
	if ((r = parse_args(&im, argc, argv)) >= 0)
		return r;
	if (cli_util_need_root(CMD, "it writes root-owned seed files") != 0 ||
	    cli_util_init(CMD) != 0)
		return CLI_EXIT_FAIL;
	if (cli_util_conf(CMD, im.config, &im.conf) != 0)
		return CLI_EXIT_FAIL;
	cli_util_printable(im.ga != NULL ? im.ga : im.oath, im.shown,
	    sizeof(im.shown));
	r = im.ga != NULL ? import_ga(&im) : import_oath(&im);
	conf_free(&im.conf);
	sodium_memzero(&im, sizeof(im));
	return r;
}
