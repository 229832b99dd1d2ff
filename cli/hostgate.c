/*
 * hostgate: the admin CLI.  "hostgate [--config FILE] COMMAND [ARG...]";
 * each command is one entry in the table at the bottom, so that new ones
 * (enroll, import, seal, status, unlock) slot in without touching the
 * dispatcher; commands in their own files are declared in cli.h.
 *
 * Exit codes: 0 success (check: valid; explain: allow), 1 failure (check:
 * invalid; explain: deny; edit: not replaced), 2 usage or unusable input
 * (explain: invalid policy, unknown user).
 *
 * The CLI trusts only files owned by root, as the module does.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "cli_util.h"
#include "conf.h"
#include "err.h"
#include "policy.h"
#include "trust.h"

#define EXIT_USAGE	2
#define OWNER		0	/* whose files we trust */
#define SHOWN_MAX	1024	/* an outside string as printed, NUL included */

struct cli {
	const char	*config;	/* --config FILE, or NULL */
	struct hg_conf	 conf;
	bool		 have_conf;
};

/*
 * A command runs with argv[0] its name.  Commands in their own files
 * (cli.h) take only their argv: EXTERN_RUN is set, RUN is NULL, and a
 * global --config is handed on after the WORDS words that name the
 * command ("audit verify": 2).
 */
struct command {
	const char	*name;
	int		(*run)(struct cli *, int, char **);
	int		(*extern_run)(int, char **);
	int		 words;
	const char	*usage;
};

#define USAGE_CHECK	"hostgate check [FILE]"
#define USAGE_EXPLAIN	"hostgate explain USER [--service S] " \
	"[--from ADDR] [--at 'YYYY-MM-DD HH:MM'] [--mfa]"
#define USAGE_EDIT	"hostgate edit [--file FILE]"

/* Settings, loaded the first time a command needs them. */
static int
cli_conf(struct cli *cli, const char *cmd)
{
	if (cli->have_conf)
		return 0;
	if (cli_util_conf(cmd, cli->config, &cli->conf) != 0)
		return -1;
	cli->have_conf = true;
	return 0;
}

/* --config is accepted after the command too. */
static int
opt_config(struct cli *cli, int argc, char **argv, int *i)
{
	return cli_util_opt(argc, argv, i, "--config", &cli->config);
}

/*
 * S as it may reach a terminal, in BUF of SIZE bytes: through the CLI's
 * one filter, cli_util_printable(), and quoted when it had anything to
 * escape or a blank at either end, so that " 10.9.1.1" shows its blank.
 */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	cli_util_printable(s, buf + 1, size - 2);
	if (len > 0 && s[0] != ' ' && s[len - 1] != ' ' &&
	    strcmp(buf + 1, s) == 0)
		return s;
	buf[0] = '"';
	strcat(buf, "\"");
	return buf;
}

static void
print_diags(const struct policy_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->v[i]);
}

/*
 * Load the policy set at PATH, reading SUBST_NAME's file from SUBST_PATH
 * if set (see struct policy_source), and print every error.
 */
static int
load_policy(const char *path, const char *subst_path, const char *subst_name,
    struct hg_policy **pol)
{
	struct policy_source src;
	struct policy_diags errs = { NULL, 0 };
	struct hg_msg msg;
	int r;

	memset(&src, 0, sizeof(src));
	src.path = path;
	src.owner = OWNER;
	src.subst_path = subst_path;
	src.subst_name = subst_name;
	msg.text[0] = '\0';
	r = policy_load_source(&src, pol, &errs, &msg);
	print_diags(&errs);
	if (r != 0 && errs.n == 0)
		fprintf(stderr, "%s\n", msg.text);
	policy_diags_free(&errs);
	return r;
}

/* Print warnings; returns how many there were. */
static size_t
print_warnings(const struct hg_policy *pol)
{
	struct policy_diags w = { NULL, 0 };
	size_t n;

	if (policy_lint(pol, &w) != 0)
		fprintf(stderr, "hostgate: warnings incomplete: out of "
		    "memory\n");
	print_diags(&w);
	n = w.n;
	policy_diags_free(&w);
	return n;
}

/* --- check --------------------------------------------------------------- */

/*
 * Read the settings that check reports on.  Those named by --config, or
 * that name the policy (no FILE), must load: 0, or -1 after a message.
 * Beside a FILE the default settings are only looked at: a problem with
 * them is a warning, so that checking a policy file alone still works.
 */
static int
check_conf(struct cli *cli, bool required)
{
	struct hg_msg msg;

	if (required || cli->config != NULL)
		return cli_conf(cli, "check");
	msg.text[0] = '\0';
	if (conf_load(&cli->conf, 0, NULL, OWNER, &msg) != 0) {
		cli_util_warn("check", "%s; settings not checked", msg.text);
		return 0;
	}
	cli->have_conf = true;
	return 0;
}

/* Warn about settings that leave a promise weaker than it looks. */
static void
check_settings(const struct hg_conf *conf)
{
	/* The default, kept so that root cannot be locked out remotely. */
	if (!conf->lockout_root)
		cli_util_warn("check", "%s: lockout_root = no: root is exempt "
		    "from lockout, so anyone who knows root's password can "
		    "guess root's code at the rate sshd allows; set "
		    "lockout_root = yes, or deny root over ssh in the policy",
		    conf->config);
}

static int
cmd_check(struct cli *cli, int argc, char **argv)
{
	struct hg_policy *pol = NULL;
	const char *path = NULL;
	size_t files, roles, rules, warnings = 0;
	int i, o, r;

	for (i = 1; i < argc; i++) {
		if ((o = opt_config(cli, argc, argv, &i)) != 0) {
			if (o < 0)
				goto usage;
		} else if (argv[i][0] == '-' || path != NULL)
			goto usage;
		else
			path = argv[i];
	}
	if (check_conf(cli, path == NULL) != 0)
		return 1;
	if (path == NULL)
		path = cli->conf.policy;
	/* Settings warnings come after the policy's, and never fail it. */
	if ((r = load_policy(path, NULL, NULL, &pol)) == 0)
		warnings = print_warnings(pol);
	if (cli->have_conf)
		check_settings(&cli->conf);
	if (r != 0)
		return 1;
	policy_counts(pol, &files, &roles, &rules);
	printf("%s: valid (%zu file%s, %zu role%s, %zu rule%s, %zu "
	    "warning%s)\n", path, files, files == 1 ? "" : "s", roles,
	    roles == 1 ? "" : "s", rules, rules == 1 ? "" : "s", warnings,
	    warnings == 1 ? "" : "s");
	policy_free(pol);
	return 0;
 usage:
	cli_util_error(NULL, "usage: %s", USAGE_CHECK);
	return EXIT_USAGE;
}

/* --- explain ------------------------------------------------------------- */

/* "YYYY-MM-DD HH:MM" (or with a 'T') in local time. */
static int
parse_at(const char *s, struct tm *tm)
{
	struct tm want;
	time_t t;
	char sep, extra;

	memset(&want, 0, sizeof(want));
	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%c", &want.tm_year, &want.tm_mon,
	    &want.tm_mday, &sep, &want.tm_hour, &want.tm_min, &extra) != 6 ||
	    (sep != ' ' && sep != 'T') || strlen(s) != 16)
		return -1;
	want.tm_year -= 1900;
	want.tm_mon -= 1;
	*tm = want;
	tm->tm_isdst = -1;
	if ((t = mktime(tm)) == (time_t)-1 || localtime_r(&t, tm) == NULL)
		return -1;
	/* mktime quietly normalises 2026-02-30; we refuse it. */
	if (tm->tm_year != want.tm_year || tm->tm_mon != want.tm_mon ||
	    tm->tm_mday != want.tm_mday || tm->tm_min != want.tm_min)
		return -1;
	return 0;
}

/* The first MAX of V's N names; ESCAPE those from outside the policy. */
static void
print_list(const char *const *v, size_t n, size_t max, bool escape)
{
	char buf[SHOWN_MAX];
	size_t i;

	if (n == 0)
		printf("(none)");
	for (i = 0; i < n && i < max; i++)
		printf("%s%s", i > 0 ? " " : "",
		    escape ? shown(v[i], buf, sizeof(buf)) : v[i]);
	if (n > max)
		printf(" ...");
}

/*
 * How the decision read RHOST: with addr_read(), as policy_decide() does
 * and as the lockout counts sources.
 */
static void
print_rhost(const char *rhost)
{
	struct hg_addr a;
	char buf[SHOWN_MAX], text[ADDR_TEXT_MAX];

	if (rhost == NULL || *rhost == '\0') {
		printf("rhost: none (local)\n");
		return;
	}
	if (addr_read(rhost, &a)) {
		addr_text(&a, text, sizeof(text));
		printf("rhost: %s read as address %s\n",
		    shown(rhost, buf, sizeof(buf)), text);
	} else
		printf("rhost: %s is not an address literal: matches every "
		    "deny rule with from=, and only allow rules without "
		    "from=\n", shown(rhost, buf, sizeof(buf)));
}

static int
cmd_explain(struct cli *cli, int argc, char **argv)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	struct policy_input in;
	struct policy_decision d;
	struct hg_policy *pol = NULL;
	struct hg_msg msg;
	struct tm tm;
	const char *roles[32], *at = NULL, *user = NULL;
	char **groups = NULL, qu[SHOWN_MAX], qs[SHOWN_MAX], qr[SHOWN_MAX];
	size_t ngroups = 0, nroles;
	time_t now;
	int i, o, r, ret = EXIT_USAGE;

	memset(&in, 0, sizeof(in));
	in.service = "sshd";
	for (i = 1; i < argc; i++) {
		if ((o = opt_config(cli, argc, argv, &i)) != 0 ||
		    (o = cli_util_opt(argc, argv, &i, "--service",
		    &in.service)) != 0 ||
		    (o = cli_util_opt(argc, argv, &i, "--from",
		    &in.rhost)) != 0 ||
		    (o = cli_util_opt(argc, argv, &i, "--at", &at)) != 0) {
			if (o < 0)
				goto usage;
		} else if (strcmp(argv[i], "--mfa") == 0)
			in.mfa = true;
		else if (argv[i][0] == '-' || user != NULL)
			goto usage;
		else
			user = argv[i];
	}
	if (user == NULL)
		goto usage;
	/* Any string is an rhost to explain; "local" means none. */
	if (in.rhost != NULL && strcmp(in.rhost, "local") == 0)
		in.rhost = NULL;
	if (at != NULL) {
		if (parse_at(at, &tm) != 0) {
			/* cli_util_error() escapes what it prints. */
			cli_util_error("explain", "--at '%s': expected "
			    "'YYYY-MM-DD HH:MM' (local time)", at);
			return EXIT_USAGE;
		}
	} else if (time(&now) == (time_t)-1 || localtime_r(&now, &tm) ==
	    NULL) {
		cli_util_error("explain", "cannot read the clock");
		return EXIT_USAGE;
	}
	if (cli_conf(cli, "explain") != 0)
		return EXIT_USAGE;
	if (load_policy(cli->conf.policy, NULL, NULL, &pol) != 0) {
		cli_util_error("explain", "%s is invalid: everyone is denied "
		    "(policy-invalid)", cli->conf.policy);
		return EXIT_USAGE;
	}
	msg.text[0] = '\0';
	if ((r = policy_user_groups(user, &groups, &ngroups, &msg)) != 0) {
		cli_util_error("explain", "%s", msg.text);
		goto out;
	}
	in.user = user;
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	in.when = &tm;
	if (policy_decide(pol, &in, &d) != 0) {
		cli_util_error("explain", "cannot decide: %s",
		    policy_reason_str(d.reason));
		goto out;
	}
	printf("%s\nreason: %s\n", d.allow ? "allow" : "deny",
	    policy_reason_str(d.reason));
	if (d.file != NULL)
		printf("rule: %s:%u: %s\n", d.file, d.line, d.text);
	printf("user: %s\ngroups: ", shown(user, qu, sizeof(qu)));
	print_list((const char *const *)groups, ngroups, ngroups, true);
	printf("\nroles: ");
	nroles = policy_roles_of(pol, &in, roles, 32);
	print_list(roles, nroles, 32, false);
	printf("\nrequest: service=%s from=%s at=%04d-%02d-%02d %02d:%02d "
	    "(%s) mfa=%s\n", shown(in.service, qs, sizeof(qs)),
	    in.rhost != NULL && *in.rhost != '\0' ?
	    shown(in.rhost, qr, sizeof(qr)) : "local", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    days[tm.tm_wday], in.mfa ? "yes" : "no");
	print_rhost(in.rhost);
	ret = d.allow ? 0 : 1;
 out:
	policy_groups_free(groups, ngroups);
	policy_free(pol);
	return ret;
 usage:
	cli_util_error(NULL, "usage: %s", USAGE_EXPLAIN);
	return EXIT_USAGE;
}

/* --- edit ---------------------------------------------------------------- */

/* Write all of DATA to a new file PATH (mode 0600).  0 or -1. */
static int
write_new(const char *path, const char *data, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return -1;
	while (len > 0) {
		if ((n = write(fd, data, len)) == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return close(fd);
}

/* Run "$VISUAL" / "$EDITOR" / vi on PATH through the shell.  0 or -1. */
static int
run_editor(const char *path)
{
	struct sigaction ign, oint, oquit;
	const char *editor;
	char *cmd = NULL;
	pid_t pid;
	int status = -1;

	if ((editor = getenv("VISUAL")) == NULL || *editor == '\0')
		if ((editor = getenv("EDITOR")) == NULL || *editor == '\0')
			editor = "vi";
	/* The shell splits EDITOR ("emacs -nw"); the path stays one word. */
	if (asprintf(&cmd, "%s \"$1\"", editor) < 0)
		return -1;
	/* Like visudo: a ^C is for the editor, not for us. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	if ((pid = fork()) == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid != -1)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	free(cmd);
	if (pid == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_util_error("edit", "editor '%s' failed", editor);
		return -1;
	}
	return 0;
}

/* Ask what to do after a failed validation: 'e' or 'x' (also at EOF). */
static int
ask_again(void)
{
	char line[64];

	for (;;) {
		printf("What now? (e)dit again, (x) discard: ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL) {
			putchar('\n');
			return 'x';
		}
		if ((line[0] == 'e' || line[0] == 'x') && (line[1] == '\n' ||
		    line[1] == '\0'))
			return line[0];
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * Which file of the set FILE is: *NAME NULL for the main file MAIN, else
 * its name in the include directory.  0, or -1 after a message.
 */
static int
edit_target(const char *main, const char *file, const char **name)
{
	char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX], copy[PATH_MAX];

	*name = NULL;
	if (file == NULL || strcmp(file, main) == 0)
		return 0;
	if (realpath(file, a) != NULL && realpath(main, b) != NULL &&
	    strcmp(a, b) == 0)
		return 0;
	if (policy_include_dir(main, dir, sizeof(dir)) != 0 ||
	    strlen(file) >= sizeof(copy))
		goto bad;
	/* The file may not exist yet: compare canonical directories. */
	strcpy(copy, file);
	if (realpath(dirname(copy), a) == NULL || realpath(dir, b) == NULL ||
	    strcmp(a, b) != 0)
		goto bad;
	*name = base_name(file);
	if ((*name)[0] == '.' || strlen(*name) <= 5 ||
	    strcmp(*name + strlen(*name) - 5, ".conf") != 0) {
		cli_util_error("edit", "%s: include files are named NAME.conf "
		    "(others are not read)", file);
		return -1;
	}
	return 0;
 bad:
	cli_util_error("edit", "%s is neither %s nor a file in %s", file, main,
	    dir);
	return -1;
}

static int
cmd_edit(struct cli *cli, int argc, char **argv)
{
	struct hg_policy *pol = NULL;
	struct hg_msg msg;
	struct stat st;
	const char *file = NULL, *name, *target;
	char lock[PATH_MAX], tmpdir[PATH_MAX], tmp[PATH_MAX], copy[PATH_MAX];
	char dir[PATH_MAX], *old = NULL, *new = NULL;
	size_t oldlen = 0, newlen = 0;
	mode_t mode = 0644;
	int i, o, r, lockfd = -1, ret = 1;

	tmpdir[0] = tmp[0] = '\0';
	for (i = 1; i < argc; i++) {
		if ((o = opt_config(cli, argc, argv, &i)) != 0 ||
		    (o = cli_util_opt(argc, argv, &i, "--file", &file)) != 0) {
			if (o < 0)
				goto usage;
		} else
			goto usage;
	}
	if (cli_conf(cli, "edit") != 0)
		return 1;
	if (edit_target(cli->conf.policy, file, &name) != 0)
		return 1;
	if (name != NULL) {
		if (policy_include_dir(cli->conf.policy, dir,
		    sizeof(dir)) != 0 || snprintf(copy, sizeof(copy), "%s/%s",
		    dir, name) >= (int)sizeof(copy)) {
			cli_util_error("edit", "path too long");
			return 1;
		}
		target = copy;
	} else
		target = cli->conf.policy;

	/* One lock for the whole set: validity is a property of the set. */
	if (snprintf(lock, sizeof(lock), "%s.lock", cli->conf.policy) >=
	    (int)sizeof(lock)) {
		cli_util_error("edit", "path too long");
		return 1;
	}
	lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lockfd == -1) {
		cli_util_error("edit", "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			cli_util_error("edit", "%s is being edited by someone "
			    "else (%s is locked); try again later",
			    cli->conf.policy, lock);
		else
			cli_util_error("edit", "%s: lock: %s", lock,
			    strerror(errno));
		goto out;
	}

	msg.text[0] = '\0';
	r = trust_read(target, TRUST_PUBLIC, OWNER, POLICY_FILE_MAX, &old,
	    &oldlen, &msg);
	if (r == 0 && stat(target, &st) == 0)
		mode = st.st_mode & 07777;
	else if (r != HG_ERR_NOENT) {
		cli_util_error("edit", "%s",
		    r != 0 ? msg.text : strerror(errno));
		goto out;
	}

	snprintf(tmpdir, sizeof(tmpdir), "%s/hostgate-edit.XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") == '/' ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		cli_util_error("edit", "%s: %s", tmpdir, strerror(errno));
		tmpdir[0] = '\0';
		goto out;
	}
	/* The same base name, so that editors pick the right syntax. */
	if (snprintf(tmp, sizeof(tmp), "%s/%s", tmpdir, base_name(target)) >=
	    (int)sizeof(tmp)) {
		cli_util_error("edit", "%s: path too long", target);
		tmp[0] = '\0';
		goto out;
	}
	if (write_new(tmp, old != NULL ? old : "", oldlen) != 0) {
		cli_util_error("edit", "%s: %s", tmp, strerror(errno));
		goto out;
	}

	for (;;) {
		if (run_editor(tmp) != 0) {
			fprintf(stderr, "%s unchanged\n", target);
			goto out;
		}
		free(new);
		new = NULL;
		if (load_policy(cli->conf.policy, tmp, name, &pol) == 0)
			break;
		if (ask_again() == 'x') {
			fprintf(stderr, "discarded; %s unchanged\n", target);
			goto out;
		}
	}
	msg.text[0] = '\0';
	if (trust_read(tmp, TRUST_PUBLIC, OWNER, POLICY_FILE_MAX, &new,
	    &newlen, &msg) != 0) {
		cli_util_error("edit", "%s", msg.text);
		goto out;
	}
	if (old != NULL && newlen == oldlen && memcmp(old, new, oldlen) == 0) {
		fprintf(stderr, "%s unchanged\n", target);
		ret = 0;
		goto out;
	}
	print_warnings(pol);
	msg.text[0] = '\0';
	if (trust_replace(target, new, newlen, mode, &msg) != 0) {
		cli_util_error("edit", "%s; %s unchanged", msg.text, target);
		goto out;
	}
	fprintf(stderr, "%s updated\n", target);
	ret = 0;
 out:
	if (tmp[0] != '\0')
		unlink(tmp);
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
	if (lockfd != -1)
		close(lockfd);
	free(old);
	free(new);
	policy_free(pol);
	return ret;
 usage:
	cli_util_error(NULL, "usage: %s", USAGE_EDIT);
	return EXIT_USAGE;
}

/* --- dispatch ------------------------------------------------------------ */

static const struct command commands[] = {
	{ "check", cmd_check, NULL, 1, USAGE_CHECK },
	{ "explain", cmd_explain, NULL, 1, USAGE_EXPLAIN },
	{ "edit", cmd_edit, NULL, 1, USAGE_EDIT },
	{ "audit", NULL, cli_audit, 2, "hostgate audit verify [JOURNAL...]" },
	{ "enroll", NULL, cli_enroll, 1, "hostgate enroll USER "
	    "[--digits 6|8] [--algorithm sha1|sha256|sha512] [--period N] "
	    "[--issuer NAME] [--recovery N] [--force] [--no-confirm] "
	    "[--qr ansi|utf8|none|png:FILE]" },
	{ "import", NULL, cli_import, 1, "hostgate import "
	    "--google-authenticator FILE --user USER [--force]\n"
	    "       hostgate import --oath USERSFILE [--user USER] [--force]" },
	{ "seal", NULL, cli_seal, 1, "hostgate seal" },
	{ "status", NULL, cli_status, 1, "hostgate status [USER]" },
	{ "unlock", NULL, cli_unlock, 1, "hostgate unlock USER "
	    "[--source SRC]" },
	{ NULL, NULL, NULL, 0, NULL },
};

/*
 * Run a command from its own file, handing a global --config on in its
 * argv after the words that name the command, as cli.h promises.
 */
static int
run_extern(const struct command *c, const struct cli *cli, int argc,
    char **argv)
{
	char **v;
	int i, n = 0, r;

	if ((v = calloc((size_t)argc + 3, sizeof(*v))) == NULL) {
		cli_util_error(c->name, "out of memory");
		return 1;
	}
	for (i = 0; i < argc && i < c->words; i++)
		v[n++] = argv[i];
	if (cli->config != NULL) {
		v[n++] = (char *)"--config";
		v[n++] = (char *)cli->config;
	}
	for (; i < argc; i++)
		v[n++] = argv[i];
	r = c->extern_run(n, v);
	free(v);
	return r;
}

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: hostgate [--config FILE] COMMAND [ARG...]\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "       %s\n", c->usage);
}

int
main(int argc, char **argv)
{
	const struct command *c;
	struct cli cli;
	int i = 1, o, r;

	memset(&cli, 0, sizeof(cli));
	umask(022);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (cli_util_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if ((o = opt_config(&cli, argc, argv, &i)) <= 0) {
			if (o == 0)
				cli_util_error(NULL, "unknown option '%s'",
				    argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[i]) == 0)
			break;
	if (c->name == NULL) {
		cli_util_error(NULL, "unknown command '%s'", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c->run != NULL)
		r = c->run(&cli, argc - i, argv + i);
	else
		r = run_extern(c, &cli, argc - i, argv + i);
	if (cli.have_conf)
		conf_free(&cli.conf);
	if (fflush(stdout) != 0 && r == 0)
		r = 1;
	return r;
}
