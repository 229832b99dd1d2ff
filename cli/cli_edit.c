/*
 * "hostgate edit [--file FILE]": edit the policy, or one file of its
 * include directory, the way visudo edits sudoers: under one lock for the
 * whole set, on a copy, and put in place only when the whole set with the
 * edited file in it still loads.
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
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "conf.h"
#include "err.h"
#include "policy.h"
#include "trust.h"

#define CMD		"edit"
#define USAGE		"hostgate edit [--file FILE]"

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
		cli_util_error(CMD, "editor '%s' failed", editor);
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
		cli_util_error(CMD, "%s: include files are named NAME.conf "
		    "(others are not read)", file);
		return -1;
	}
	return 0;
 bad:
	cli_util_error(CMD, "%s is neither %s nor a file in %s", file, main,
	    dir);
	return -1;
}

/*
 * "hostgate edit [--file FILE] [--config FILE]": see cli.h.
 */
int
cli_edit(int argc, char **argv)
{
	struct hg_policy *pol = NULL;
	struct hg_conf conf;
	struct hg_msg msg;
	struct stat st;
	const char *config = NULL, *file = NULL, *name, *target;
	const struct cli_util_arg args[] = {
		{ "--config", &config, NULL }, { "--file", &file, NULL },
		{ NULL, NULL, NULL }
	};
	char lock[PATH_MAX], tmpdir[PATH_MAX], tmp[PATH_MAX], copy[PATH_MAX];
	char dir[PATH_MAX], *old = NULL, *new = NULL;
	size_t oldlen = 0, newlen = 0;
	mode_t mode = 0644;
	int r, lockfd = -1, ret = CLI_EXIT_FAIL;

	tmpdir[0] = tmp[0] = '\0';
	if (cli_util_args(argc, argv, args, NULL, NULL, NULL) != 0) {
		cli_util_error(NULL, "usage: %s", USAGE);
		return CLI_EXIT_USAGE;
	}
	if (cli_util_conf(CMD, config, &conf) != 0)
		return CLI_EXIT_FAIL;
	if (edit_target(conf.policy, file, &name) != 0)
		goto out;
	if (name != NULL) {
		if (policy_include_dir(conf.policy, dir, sizeof(dir)) != 0 ||
		    snprintf(copy, sizeof(copy), "%s/%s", dir, name) >=
		    (int)sizeof(copy)) {
			cli_util_error(CMD, "path too long");
			goto out;
		}
		target = copy;
	} else
		target = conf.policy;

	/* One lock for the whole set: validity is a property of the set. */
	if (snprintf(lock, sizeof(lock), "%s.lock", conf.policy) >=
	    (int)sizeof(lock)) {
		cli_util_error(CMD, "path too long");
		goto out;
	}
	lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lockfd == -1) {
		cli_util_error(CMD, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			cli_util_error(CMD, "%s is being edited by someone "
			    "else (%s is locked); try again later",
			    conf.policy, lock);
		else
			cli_util_error(CMD, "%s: lock: %s", lock,
			    strerror(errno));
		goto out;
	}

	msg.text[0] = '\0';
	r = trust_read(target, TRUST_PUBLIC, CLI_OWNER, POLICY_FILE_MAX, &old,
	    &oldlen, &msg);
	if (r == 0 && stat(target, &st) == 0)
		mode = st.st_mode & 07777;
	else if (r != HG_ERR_NOENT) {
		cli_util_error(CMD, "%s",
		    r != 0 ? msg.text : strerror(errno));
		goto out;
	}

	snprintf(tmpdir, sizeof(tmpdir), "%s/hostgate-edit.XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") == '/' ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		cli_util_error(CMD, "%s: %s", tmpdir, strerror(errno));
		tmpdir[0] = '\0';
		goto out;
	}
	/* The same base name, so that editors pick the right syntax. */
	if (snprintf(tmp, sizeof(tmp), "%s/%s", tmpdir, base_name(target)) >=
	    (int)sizeof(tmp)) {
		cli_util_error(CMD, "%s: path too long", target);
		tmp[0] = '\0';
		goto out;
	}
	if (write_new(tmp, old != NULL ? old : "", oldlen) != 0) {
		cli_util_error(CMD, "%s: %s", tmp, strerror(errno));
		goto out;
	}

	for (;;) {
		if (run_editor(tmp) != 0) {
			fprintf(stderr, "%s unchanged\n", target);
			goto out;
		}
		free(new);
		new = NULL;
		if (cli_util_policy_load(conf.policy, tmp, name, &pol) == 0)
			break;
		if (ask_again() == 'x') {
			fprintf(stderr, "discarded; %s unchanged\n", target);
			goto out;
		}
	}
	msg.text[0] = '\0';
	if (trust_read(tmp, TRUST_PUBLIC, CLI_OWNER, POLICY_FILE_MAX, &new,
	    &newlen, &msg) != 0) {
		cli_util_error(CMD, "%s", msg.text);
		goto out;
	}
	if (old != NULL && newlen == oldlen && memcmp(old, new, oldlen) == 0) {
		fprintf(stderr, "%s unchanged\n", target);
		ret = CLI_EXIT_OK;
		goto out;
	}
	(void)cli_util_policy_warnings(pol);
	msg.text[0] = '\0';
	if (trust_replace(target, new, newlen, mode, &msg) != 0) {
		cli_util_error(CMD, "%s; %s unchanged", msg.text, target);
		goto out;
	}
	fprintf(stderr, "%s updated\n", target);
	ret = CLI_EXIT_OK;
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
	conf_free(&conf);
	return ret;
}

