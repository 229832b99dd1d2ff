/* What the commands of the admin CLI share: see cli_util.h. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "cli_util.h"
#include "policy.h"
#include "state.h"
#include "trust.h"

/* Write byte C into OUT as shown on a terminal; returns its length. */
static size_t
shown_char(unsigned char c, char out[5])
{
	if (c == '\\') {
		memcpy(out, "\\\\", 2);
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		snprintf(out, 5, "\\x%02x", c);
		return 4;
	}
	out[0] = (char)c;
	return 1;
}

const char *
cli_util_printable(const char *s, char *buf, size_t size)
{
	const char *p;
	char esc[5];
	size_t n = 0, len, total = 0, room;

	for (p = s; *p != '\0'; p++)
		total += shown_char((unsigned char)*p, esc);
	/* A string cut short needs room for "..." too. */
	room = total < size ? size - 1 : size - 4;
	for (p = s; *p != '\0'; p++) {
		len = shown_char((unsigned char)*p, esc);
		if (n + len > room) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(buf + n, esc, len);
		n += len;
	}
	buf[n] = '\0';
	return buf;
}

static void
vmessage(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
	char text[4096], shown[4 * sizeof(text)];

	vsnprintf(text, sizeof(text), fmt, ap);
	fflush(stdout);
	fprintf(stderr, "hostgate: %s%s%s%s\n", cmd != NULL ? cmd : "",
	    cmd != NULL ? ": " : "", kind,
	    cli_util_printable(text, shown, sizeof(shown)));
}

void
cli_util_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cmd, "", fmt, ap);
	va_end(ap);
}

void
cli_util_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cmd, "warning: ", fmt, ap);
	va_end(ap);
}

int
cli_util_opt(int argc, char **argv, int *i, const char *name,
    const char **value)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*value = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*value = argv[++*i];
	return 1;
}

int
cli_util_init(const char *cmd)
{
	if (sodium_init() < 0 || oath_init() != OATH_OK) {
		cli_util_error(cmd, "cannot initialise libsodium or liboath");
		return -1;
	}
	return 0;
}

bool
cli_util_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

void
cli_util_free_secret(void *buf, size_t size)
{
	if (buf == NULL)
		return;
	sodium_memzero(buf, size);
	free(buf);
}

void
cli_util_usage(FILE *f, const char *usage)
{
	fprintf(f, "usage: %s\n", usage);
}

/* Match argv[*I] against ARG as cli_util_opt() does; a flag takes none. */
static int
match_arg(int argc, char **argv, int *i, const struct cli_util_arg *arg)
{
	if (arg->value != NULL)
		return cli_util_opt(argc, argv, i, arg->name, arg->value);
	if (strcmp(argv[*i], arg->name) != 0)
		return 0;
	*arg->flag = true;
	return 1;
}

int
cli_util_args(int argc, char **argv, const struct cli_util_arg *args,
    const char *help, const char **operand, const char **bad)
{
	const struct cli_util_arg *a;
	int i, o;

	for (i = 1; i < argc; i++) {
		if (help != NULL && cli_util_is_help(argv[i])) {
			cli_util_usage(stdout, help);
			return CLI_ARGS_HELP;
		}
		for (o = 0, a = args; o == 0 && a->name != NULL; a++)
			o = match_arg(argc, argv, &i, a);
		if (o > 0)
			continue;
		if (o == 0 && operand != NULL && argv[i][0] != '-' &&
		    *operand == NULL) {
			*operand = argv[i];
			continue;
		}
		if (bad != NULL)
			*bad = argv[i];
		return o < 0 ? CLI_ARGS_MISSING : CLI_ARGS_UNEXPECTED;
	}
	return 0;
}

int
cli_util_args_error(const char *cmd, int r, const char *arg,
    const char *usage)
{
	if (r == CLI_ARGS_MISSING)
		cli_util_error(cmd, "%s needs a value", arg);
	else
		cli_util_error(cmd, "unexpected argument '%s'", arg);
	cli_util_usage(stderr, usage);
	return CLI_EXIT_USAGE;
}

int
cli_util_conf(const char *cmd, const char *config, struct hg_conf *conf)
{
	char arg[PATH_MAX + 8], abs[PATH_MAX];
	const char *argv[1];
	struct hg_msg msg;
	int argc = 0;

	/* Settings want an absolute path; a command line may be relative. */
	if (config != NULL && config[0] != '/' && realpath(config, abs) != NULL)
		config = abs;
	if (config != NULL) {
		if (snprintf(arg, sizeof(arg), "config=%s", config) >=
		    (int)sizeof(arg)) {
			cli_util_error(cmd, "--config: path too long");
			return -1;
		}
		argv[argc++] = arg;
	}
	msg.text[0] = '\0';
	if (conf_load(conf, argc, argv, 0, &msg) != 0) {
		cli_util_error(cmd, "%s", msg.text);
		return -1;
	}
	return 0;
}

static void
print_diags(const struct policy_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->v[i]);
}

int
cli_util_policy_load(const char *path, const char *subst_path,
    const char *subst_name, struct hg_policy **pol)
{
	struct policy_source src;
	struct policy_diags errs = { NULL, 0 };
	struct hg_msg msg;
	int r;

	memset(&src, 0, sizeof(src));
	src.path = path;
	src.owner = CLI_OWNER;
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

size_t
cli_util_policy_warnings(const struct hg_policy *pol)
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

int
cli_util_need_root(const char *cmd, const char *what)
{
	if (geteuid() == 0)
		return 0;
	cli_util_error(cmd, "must be run as root: %s (try sudo hostgate %s)",
	    what, cmd);
	return -1;
}

bool
cli_util_user_ok(const char *user)
{
	return trust_name_ok(user);
}

int
cli_util_user_lookup(const char *user, char *canon)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	int e;

	if (canon != NULL)
		snprintf(canon, TRUST_NAME_MAX + 1, "%s", user);
	if ((e = getpwnam_r(user, &pw, buf, sizeof(buf), &pwp)) != 0)
		return -e;
	if (pwp == NULL)
		return 0;
	if (!trust_name_ok(pw.pw_name))
		return -EINVAL;	/* NSS gave a name unusable as a file */
	if (canon != NULL)
		snprintf(canon, TRUST_NAME_MAX + 1, "%s", pw.pw_name);
	return 1;
}

int
cli_util_user_known(const char *cmd, const char *user, char *canon)
{
	int r;

	if (!cli_util_user_ok(user)) {
		cli_util_error(cmd, "'%s' is not a valid user name", user);
		return -1;
	}
	if ((r = cli_util_user_lookup(user, canon)) < 0) {
		cli_util_error(cmd, "looking up user '%s': %s", user,
		    strerror(-r));
		return -1;
	}
	if (r == 0) {
		cli_util_error(cmd, "no such user '%s' (not known to NSS)",
		    user);
		return -1;
	}
	return 0;
}

int
cli_util_dir(const char *cmd, const char *path, bool create)
{
	struct hg_msg msg;
	int r;

	msg.text[0] = '\0';
	r = trust_check_dir(path, 0, TRUST_SECRET, &msg);
	if (r == HG_ERR_NOENT && create) {
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			cli_util_error(cmd, "%s: mkdir: %s", path,
			    strerror(errno));
			return -1;
		}
		msg.text[0] = '\0';
		r = trust_check_dir(path, 0, TRUST_SECRET, &msg);
	}
	if (r != 0) {
		cli_util_error(cmd, "%s", msg.text);
		return -1;
	}
	return 0;
}

/* fsync the directory that holds PATH. */
static int
sync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, r = -1;

	if (strlen(path) >= sizeof(copy))
		return -1;
	strcpy(copy, path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fsync(fd) == 0)
		r = 0;
	close(fd);
	return r;
}

/*
 * Write a new key to a temporary file and link it to PATH, which fails if
 * PATH exists: a key once in place is never replaced, since every sealed
 * seed depends on it.  Returns 0, 1 when PATH appeared meanwhile, or -1
 * after a message.
 */
static int
key_create(const char *cmd, const char *path,
    const unsigned char key[SECURE_KEY_BYTES])
{
	char tmp[PATH_MAX];
	size_t off = 0;
	ssize_t n;
	int fd, r = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		cli_util_error(cmd, "%s: path too long", path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		cli_util_error(cmd, "%s: create: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0400) != 0) {
		cli_util_error(cmd, "%s: chmod: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < SECURE_KEY_BYTES) {
		n = write(fd, key + off, SECURE_KEY_BYTES - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cli_util_error(cmd, "%s: write: %s", tmp,
			    strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		cli_util_error(cmd, "%s: fsync: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			r = 1;
		else
			cli_util_error(cmd, "%s: link: %s", path,
			    strerror(errno));
		goto out;
	}
	if (sync_dir_of(path) != 0) {
		cli_util_error(cmd, "%s: syncing directory: %s", path,
		    strerror(errno));
		goto out;
	}
	r = 0;
 out:
	close(fd);
	unlink(tmp);
	return r;
}

int
cli_util_key(const char *cmd, const char *path, bool create,
    unsigned char key[SECURE_KEY_BYTES], bool *have, bool *created)
{
	struct hg_msg msg;
	int r;

	*have = *created = false;
	msg.text[0] = '\0';
	r = secure_key_load(path, 0, key, &msg);
	if (r == HG_ERR_NOENT && create) {
		randombytes_buf(key, SECURE_KEY_BYTES);
		r = key_create(cmd, path, key);
		if (r < 0)
			goto fail;
		if (r == 0) {
			*have = *created = true;
			return 0;
		}
		/* Someone else was first: theirs is the key. */
		msg.text[0] = '\0';
		r = secure_key_load(path, 0, key, &msg);
	}
	if (r == HG_ERR_NOENT)
		return 0;
	if (r != 0) {
		cli_util_error(cmd, "%s", msg.text);
		goto fail;
	}
	*have = true;
	return 0;
 fail:
	sodium_memzero(key, SECURE_KEY_BYTES);
	return -1;
}

size_t
cli_util_secret_len(enum totp_alg alg)
{
	switch (alg) {
	case TOTP_SHA256:	return 32;
	case TOTP_SHA512:	return 64;
	default:		return 20;
	}
}

int
cli_util_parse_alg(const char *s, enum totp_alg *alg)
{
	if (strcasecmp(s, "sha1") == 0)
		*alg = TOTP_SHA1;
	else if (strcasecmp(s, "sha256") == 0)
		*alg = TOTP_SHA256;
	else if (strcasecmp(s, "sha512") == 0)
		*alg = TOTP_SHA512;
	else
		return -1;
	return 0;
}

unsigned
cli_util_step_period(int loaded, const struct hg_seed *seed)
{
	if (loaded == 0)
		return seed->period;
	return loaded == HG_ERR_NO_SEED ? 30 : CLI_PERIOD_MAX;
}

void
cli_util_fmt_time(char *buf, size_t size, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "@%lld", t);
}

/* The secret as the "secret =" line's value: sealed, or plain base32. */
static int
secret_value(const char *user, const struct cli_util_seed *s,
    const unsigned char *key, char **out)
{
	char *b32 = NULL, *eq;
	size_t len = 0;
	int r;

	*out = NULL;
	if (key != NULL)
		return secure_seal(key, user, s->secret, s->secret_len, out);
	r = oath_base32_encode((const char *)s->secret, s->secret_len, &b32,
	    &len);
	if (r != OATH_OK)
		return HG_ERR_NOMEM;
	/* Padding is optional for the reader and clutters the file. */
	if ((eq = strchr(b32, '=')) != NULL)
		*eq = '\0';
	*out = b32;
	return 0;
}

/* Whether the parsed seed P holds what S describes, sealed or not. */
static bool
seed_matches(const struct hg_seed *p, const struct cli_util_seed *s,
    bool sealed)
{
	size_t i;

	if (p->sealed != sealed || p->secret_len != s->secret_len ||
	    sodium_memcmp(p->secret, s->secret, s->secret_len) != 0 ||
	    p->digits != s->digits || p->period != s->period ||
	    p->algorithm != s->algorithm || p->nrecovery != s->nrecovery)
		return false;
	for (i = 0; i < s->nrecovery; i++)
		if (strcmp(p->recovery[i], s->recovery[i]) != 0)
			return false;
	return true;
}

int
cli_util_seed_check(const char *user, const char *text, size_t len,
    const unsigned char *key, const struct cli_util_seed *s)
{
	struct hg_seed check;
	struct hg_msg msg;
	int r;

	msg.text[0] = '\0';
	if (totp_seed_parse(&check, user, text, len, key, "new seed",
	    &msg) != 0)
		return HG_ERR_INTERNAL;
	r = seed_matches(&check, s, key != NULL) ? 0 : HG_ERR_INTERNAL;
	totp_seed_free(&check);
	return r;
}

int
cli_util_seed_text(const char *user, const struct cli_util_seed *s,
    const unsigned char *key, char **outp, size_t *lenp)
{
	char *secret = NULL, *buf = NULL;
	size_t size, len, i;
	int n, r;

	*outp = NULL;
	*lenp = 0;
	if (s->nrecovery > TOTP_MAX_RECOVERY)
		return HG_ERR_TOOLONG;
	if ((r = secret_value(user, s, key, &secret)) != 0)
		return r;
	size = 512 + strlen(user) + strlen(s->origin) + strlen(secret);
	for (i = 0; i < s->nrecovery; i++)
		size += strlen(s->recovery[i]) + 16;
	if ((buf = malloc(size)) == NULL) {
		r = HG_ERR_NOMEM;
		goto out;
	}
	n = snprintf(buf, size, "# hostgate seed for %s (%s)\n"
	    "secret = %s\ndigits = %u\nperiod = %u\nalgorithm = %s\n", user,
	    s->origin, secret, s->digits, s->period,
	    totp_alg_name(s->algorithm));
	if (n < 0 || (size_t)n >= size) {
		r = HG_ERR_TOOLONG;
		goto out;
	}
	len = (size_t)n;
	for (i = 0; i < s->nrecovery; i++) {
		n = snprintf(buf + len, size - len, "recovery = %s\n",
		    s->recovery[i]);
		if (n < 0 || (size_t)n >= size - len) {
			r = HG_ERR_TOOLONG;
			goto out;
		}
		len += (size_t)n;
	}
	/* Read it back as the module will, before anyone relies on it. */
	if ((r = cli_util_seed_check(user, buf, len, key, s)) != 0)
		goto out;
	*outp = buf;
	*lenp = len;
	buf = NULL;
 out:
	cli_util_free_secret(buf, size);
	secure_strfree(secret);
	return r;
}

static int
seed_path(const struct hg_conf *conf, const char *user, char *buf,
    size_t size)
{
	if (snprintf(buf, size, "%s/%s", conf->secrets_dir, user) >=
	    (int)size)
		return -1;
	return 0;
}

int
cli_util_seed_exists(const char *cmd, const struct hg_conf *conf,
    const char *user)
{
	char path[PATH_MAX];
	struct stat st;

	if (seed_path(conf, user, path, sizeof(path)) != 0) {
		cli_util_error(cmd, "%s: path too long", conf->secrets_dir);
		return -1;
	}
	if (lstat(path, &st) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	cli_util_error(cmd, "%s: %s", path, strerror(errno));
	return -1;
}

int
cli_util_seed_may_write(const char *cmd, const struct hg_conf *conf,
    const char *user, bool force, const char *note)
{
	int r;

	if ((r = cli_util_seed_exists(cmd, conf, user)) < 0)
		return -1;
	if (r == 0 || force)
		return 0;
	cli_util_error(cmd, "%s already has a seed in %s; use --force to "
	    "replace it%s", user, conf->secrets_dir, note);
	return -1;
}

int
cli_util_recovery_hashes(const char *cmd,
    char (*codes)[TOTP_RECOVERY_LEN + 1], size_t n, bool make,
    char **hashes)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	size_t i;

	randombytes_buf(salt, sizeof(salt));
	for (i = 0; i < n; i++)
		if ((hashes[i] = malloc(crypto_pwhash_STRBYTES)) == NULL ||
		    (make ? totp_recovery_new(salt, codes[i], hashes[i]) :
		    totp_recovery_hash(salt, codes[i], hashes[i])) != 0) {
			cli_util_error(cmd, "out of memory");
			return -1;
		}
	return 0;
}

int
cli_util_seed_write(const struct hg_conf *conf, const char *user,
    const char *text, size_t len, bool replace, struct hg_msg *msg)
{
	char path[PATH_MAX];
	struct stat st;
	int fd = -1, r;

	if (seed_path(conf, user, path, sizeof(path)) != 0)
		return hg_fail(msg, HG_ERR_TOOLONG, "%s: path too long",
		    conf->secrets_dir);
	/* The module rewrites the seed under this lock (recovery codes). */
	if ((r = state_lock(conf->state_dir, user, 0, &fd, msg)) != 0)
		return r;
	if (!replace && lstat(path, &st) == 0) {
		r = hg_fail(msg, HG_ERR_INVALID, "%s already has a seed (%s)",
		    user, path);
		goto out;
	}
	r = trust_replace(path, text, len, 0600, msg);
 out:
	state_unlock(fd);
	return r;
}

/* Whether directory entry NAME can be a user's file (not ours, not junk). */
static bool
user_entry(const char *name)
{
	size_t n = strlen(name);

	/* trust_name_ok() also rules out lock and temporary files. */
	return cli_util_user_ok(name) && name[n - 1] != '~';
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
cli_util_list_users(const char *cmd, const char *dir, char ***names, size_t *n)
{
	struct dirent *de;
	DIR *d;
	char **v = NULL, **nv;
	size_t cap = 0, len = 0;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		cli_util_error(cmd, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!user_entry(de->d_name))
			continue;
		if (len == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[len] = strdup(de->d_name)) == NULL)
			goto nomem;
		len++;
	}
	if (errno != 0) {
		cli_util_error(cmd, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	closedir(d);
	if (len > 0)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return 0;
 nomem:
	cli_util_error(cmd, "out of memory");
 fail:
	closedir(d);
	while (len > 0)
		free(v[--len]);
	free(v);
	return -1;
}

void
cli_util_free_names(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

