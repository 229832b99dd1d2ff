/*
 * "hostgate status [USER]": one table of the users that have a seed or
 * lockout state: the seed (sealed, plain, none), its parameters, recovery
 * codes left, the last successful login, and failures and locks per source.
 * A replay step ahead of the clock is marked, and explained below the
 * table.  It only reads: no lock is taken and no file is created.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli.h"
#include "cli_util.h"
#include "state.h"
#include "totp.h"

#define CMD		"status"
#define USAGE		"hostgate status [USER] [--config FILE]"

/* One line of the table; strings from files are shown escaped. */
struct row {
	char		user[CLI_SHOWN_MAX];
	char		seed[8];
	char		totp[24];
	char		recovery[8];
	char		last[24];
	char		source[CLI_SHOWN_MAX];
	char		fails[24];
	char		until[24];
	long long	ahead;		/* a step ahead of the clock, or -1 */
};

struct table {
	struct row	*v;
	size_t		 n, cap;
};

static const char *const heads[] = {
	"USER", "SEED", "TOTP", "RECOVERY", "LAST LOGIN", "SOURCE", "FAILS",
	"LOCKED UNTIL"
};
#define NCOLS	(sizeof(heads) / sizeof(heads[0]))

static const char *
column(const struct row *r, size_t i)
{
	const char *const c[NCOLS] = {
		r->user, r->seed, r->totp, r->recovery, r->last, r->source,
		r->fails, r->until
	};

	return c[i];
}

static struct row *
add_row(struct table *t)
{
	struct row *v;

	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 32 : t->cap * 2;
		if ((v = realloc(t->v, t->cap * sizeof(*v))) == NULL)
			return NULL;
		t->v = v;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	t->v[t->n].ahead = -1;
	return &t->v[t->n++];
}

static void
fails_cols(struct row *r, const struct state_fails *f, long long now,
    unsigned interval)
{
	bool locked = f->locked_until > now;

	if (!locked && f->count > 0 && now - f->first >= interval)
		snprintf(r->fails, sizeof(r->fails), "%u (expired)",
		    f->count);
	else
		snprintf(r->fails, sizeof(r->fails), "%u", f->count);
	if (locked)
		cli_util_fmt_time(r->until, sizeof(r->until), f->locked_until);
	else
		snprintf(r->until, sizeof(r->until), "-");
}

/*
 * The rows of USER.  Returns 0, 1 when a file of the user could not be
 * read (after a message; the row says "error"), -1 when out of memory.
 */
static int
user_rows(struct table *t, const struct hg_conf *conf, const char *user,
    const unsigned char *key, long long now)
{
	struct hg_state st;
	struct hg_seed seed;
	struct hg_msg msg;
	struct row *r, first;
	size_t i;
	unsigned period;
	int ret = 0, e;

	memset(&first, 0, sizeof(first));
	first.ahead = -1;
	cli_util_printable(user, first.user, sizeof(first.user));
	msg.text[0] = '\0';
	e = totp_seed_load(&seed, conf->secrets_dir, user, 0, key, &msg);
	period = cli_util_step_period(e, &seed);
	if (e == 0) {
		snprintf(first.seed, sizeof(first.seed), "%s",
		    seed.sealed ? "sealed" : "plain");
		snprintf(first.totp, sizeof(first.totp), "%s/%u/%u",
		    totp_alg_name(seed.algorithm), seed.digits, seed.period);
		snprintf(first.recovery, sizeof(first.recovery), "%zu",
		    seed.nrecovery);
		totp_seed_free(&seed);
	} else {
		snprintf(first.seed, sizeof(first.seed), "%s",
		    e == HG_ERR_NO_SEED ? "none" : "error");
		snprintf(first.totp, sizeof(first.totp), "-");
		snprintf(first.recovery, sizeof(first.recovery), "-");
		if (e != HG_ERR_NO_SEED) {
			cli_util_error(CMD, "%s", msg.text);
			ret = 1;
		}
	}
	msg.text[0] = '\0';
	if (state_load(conf->state_dir, user, 0, &st, &msg) != 0) {
		cli_util_error(CMD, "%s", msg.text);
		snprintf(first.last, sizeof(first.last), "error");
		snprintf(first.source, sizeof(first.source), "-");
		snprintf(first.fails, sizeof(first.fails), "-");
		snprintf(first.until, sizeof(first.until), "-");
		if ((r = add_row(t)) == NULL)
			return -1;
		*r = first;
		return 1;
	}
	if (st.last_success > 0)
		cli_util_fmt_time(first.last, sizeof(first.last),
		    st.last_success);
	else
		snprintf(first.last, sizeof(first.last), "never");
	/* Every valid code reads as a replay until the step is cleared. */
	if (state_step_ahead(&st, now, conf->totp_window, period)) {
		first.ahead = st.last_step;
		strncat(first.totp, "!", sizeof(first.totp) -
		    strlen(first.totp) - 1);
	}
	/* All sources together first, when anything was counted. */
	if (st.total.count > 0 || st.total.locked_until > now) {
		snprintf(first.source, sizeof(first.source), "(all)");
		fails_cols(&first, &st.total, now, conf->lockout_interval);
	} else if (st.nsources == 0) {
		snprintf(first.source, sizeof(first.source), "-");
		snprintf(first.fails, sizeof(first.fails), "0");
		snprintf(first.until, sizeof(first.until), "-");
	}
	/* The user's own columns appear on the first of its rows only. */
	if (first.source[0] != '\0') {
		if ((r = add_row(t)) == NULL)
			return -1;
		*r = first;
	}
	for (i = 0; i < st.nsources; i++) {
		if ((r = add_row(t)) == NULL)
			return -1;
		if (i == 0 && first.source[0] == '\0')
			*r = first;
		cli_util_printable(st.sources[i].name, r->source,
		    sizeof(r->source));
		fails_cols(r, &st.sources[i].fails, now,
		    conf->lockout_interval);
	}
	return ret;
}

/* Column C of a line, padded to W; the last one ends the line. */
static void
print_cell(const char *s, size_t c, size_t w)
{
	if (c + 1 < NCOLS)
		printf("%-*s  ", (int)w, s);
	else
		printf("%s\n", s);
}

static void
print_table(const struct table *t)
{
	size_t w[NCOLS], i, c, n;

	for (c = 0; c < NCOLS; c++)
		w[c] = strlen(heads[c]);
	for (i = 0; i < t->n; i++)
		for (c = 0; c < NCOLS; c++)
			if ((n = strlen(column(&t->v[i], c))) > w[c])
				w[c] = n;
	for (c = 0; c < NCOLS; c++)
		print_cell(heads[c], c, w[c]);
	for (i = 0; i < t->n; i++)
		for (c = 0; c < NCOLS; c++)
			print_cell(column(&t->v[i], c), c, w[c]);
}

/* Below the table: what a '!' in the TOTP column means, and the cure. */
static void
print_ahead(const struct table *t)
{
	char when[32];
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].ahead < 0)
			continue;
		cli_util_fmt_time(when, sizeof(when), t->v[i].ahead);
		printf("! %s: the last accepted code's time step (%s) is ahead "
		    "of the clock: the clock went back (or was ahead at that "
		    "login), and every code until then is refused as a "
		    "replay; 'hostgate unlock %s' clears it.\n", t->v[i].user,
		    when, t->v[i].user);
	}
}

/* Merge two sorted name lists into one without duplicates. */
static int
merge(char **a, size_t na, char **b, size_t nb, char ***out, size_t *nout)
{
	char **v;
	size_t i = 0, j = 0, n = 0;
	int c;

	if ((v = calloc(na + nb + 1, sizeof(*v))) == NULL)
		return -1;
	while (i < na || j < nb) {
		c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);
		if (c <= 0) {
			v[n++] = a[i++];
			if (c == 0)
				j++;
		} else
			v[n++] = b[j++];
	}
	*out = v;
	*nout = n;
	return 0;
}

/*
 * User names in DIR, or none when it does not exist.  With LOCKED only the
 * names that have a NAME.lock beside them: every state file is written
 * under that lock, and other files (hostgated's .hostgated.head, the
 * .unknown.* buckets, whose names no user can take) are not users.
 */
static int
names_in(const char *dir, bool locked, char ***v, size_t *n)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i, k;

	*v = NULL;
	*n = 0;
	if (stat(dir, &st) != 0 && errno == ENOENT)
		return 0;
	if (cli_util_list_users(CMD, dir, v, n) != 0)
		return -1;
	if (!locked)
		return 0;
	for (i = k = 0; i < *n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s.lock", dir,
		    (*v)[i]) < (int)sizeof(path) && lstat(path, &st) == 0)
			(*v)[k++] = (*v)[i];
		else
			free((*v)[i]);
	}
	*n = k;
	return 0;
}

/*
 * "hostgate status [USER] [--config FILE]": see cli.h.
 */
int
cli_status(int argc, char **argv)
{
	struct hg_conf conf;
	struct table t = { NULL, 0, 0 };
	unsigned char key[SECURE_KEY_BYTES];
	const char *config = NULL, *user = NULL;
	const struct cli_util_arg args[] = {
		{ "--config", &config, NULL }, { NULL, NULL, NULL }
	};
	char name[TRUST_NAME_MAX + 1];
	char **seeds = NULL, **states = NULL, **all = NULL;
	size_t nseeds = 0, nstates = 0, nall = 0, i;
	bool have = false, created, have_conf = false, trouble = false;
	long long now = (long long)time(NULL);
	int r, ret = CLI_EXIT_FAIL;

	if ((r = cli_util_args(argc, argv, args, USAGE, &user, NULL)) ==
	    CLI_ARGS_HELP)
		return CLI_EXIT_OK;
	if (r != 0)
		goto usage;
	if (user != NULL && !cli_util_user_ok(user)) {
		cli_util_error(CMD, "'%s' is not a valid user name", user);
		return CLI_EXIT_USAGE;
	}
	if (user != NULL) {	/* its files go by the name NSS returns */
		(void)cli_util_user_lookup(user, name);
		user = name;
	}
	if (cli_util_need_root(CMD, "the seeds and the lockout state are "
	    "root-only files") != 0 || cli_util_init(CMD) != 0)
		return CLI_EXIT_FAIL;
	if (cli_util_conf(CMD, config, &conf) != 0)
		return CLI_EXIT_FAIL;
	have_conf = true;
	/* Without the key a sealed seed cannot be shown as healthy. */
	if (cli_util_key(CMD, conf.seed_key, false, key, &have,
	    &created) != 0)
		trouble = true;
	if (user != NULL) {
		if ((all = calloc(1, sizeof(*all))) == NULL ||
		    (all[0] = strdup(user)) == NULL) {
			free(all);
			all = NULL;
			goto nomem;
		}
		nall = 1;
	} else {
		if (names_in(conf.secrets_dir, false, &seeds, &nseeds) != 0 ||
		    names_in(conf.state_dir, true, &states, &nstates) != 0)
			goto out;
		if (merge(seeds, nseeds, states, nstates, &all, &nall) != 0)
			goto nomem;
	}
	for (i = 0; i < nall; i++) {
		r = user_rows(&t, &conf, all[i], have ? key : NULL, now);
		if (r < 0)
			goto nomem;
		if (r > 0)
			trouble = true;
	}
	if (nall == 0)
		printf("No users with a seed or lockout state.\n");
	else {
		print_table(&t);
		print_ahead(&t);
	}
	ret = trouble ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	goto out;
 nomem:
	cli_util_error(CMD, "out of memory");
 out:
	if (user != NULL && all != NULL)
		cli_util_free_names(all, nall);
	else
		free(all);	/* the names belong to the two lists */
	cli_util_free_names(seeds, nseeds);
	cli_util_free_names(states, nstates);
	free(t.v);
	sodium_memzero(key, sizeof(key));
	if (have_conf)
		conf_free(&conf);
	return ret;
 usage:
	cli_util_usage(stderr, USAGE);
	return CLI_EXIT_USAGE;
}
