/*
 * "hostgate seal": convert every plain (base32) seed in secrets_dir to a
 * sealed one, keeping the rest of each file as it is.  Idempotent: sealed
 * seeds are left alone, so a second run changes nothing and says so.
 *
 * Each seed is rewritten under its user's state lock, the lock the module
 * holds while it consumes a recovery code, so that sealing never brings a
 * used recovery code back.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cli_util.h"
#include "state.h"
#include "totp.h"
#include "trust.h"

#define CMD		"seal"
#define USAGE		"hostgate seal [--config FILE]"

/*
 * Find the "secret =" line in TEXT: its start in *AT and its length with
 * the newline in *LEN.  The seed parsed, so there is exactly one.
 */
static int
find_secret_line(const char *text, size_t size, size_t *at, size_t *len)
{
	const char *p = text, *end = text + size, *nl, *q;

	for (; p < end; p = nl != NULL ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		for (q = p; q < end && (*q == ' ' || *q == '\t'); q++)
			;
		if ((size_t)(end - q) > 6 && strncmp(q, "secret", 6) == 0 &&
		    (q[6] == ' ' || q[6] == '\t' || q[6] == '=')) {
			*at = (size_t)(p - text);
			*len = (nl != NULL ? (size_t)(nl - p) + 1 :
			    (size_t)(end - p));
			return 0;
		}
	}
	return -1;
}

/*
 * The seed text of USER (as parsed in SEED) with its secret sealed under
 * KEY, in a new buffer *OUTP of *LENP bytes that the caller wipes and
 * frees, also on failure.  Returns 0 only when the text parses back to
 * SEED (cli_util_seed_check()), else an HG_ERR_* code.
 */
static int
sealed_text(const struct hg_seed *seed, const char *user,
    const unsigned char key[SECURE_KEY_BYTES], char **outp, size_t *lenp)
{
	const struct cli_util_seed s = {
		.secret = seed->secret, .secret_len = seed->secret_len,
		.digits = seed->digits, .period = seed->period,
		.algorithm = seed->algorithm, .recovery = seed->recovery,
		.nrecovery = seed->nrecovery
	};
	char *sealed = NULL, *out;
	size_t at, old, size, len;
	int r;

	*outp = NULL;
	*lenp = 0;
	if (find_secret_line(seed->text, seed->text_len, &at, &old) != 0)
		return HG_ERR_INTERNAL;
	if ((r = secure_seal(key, user, seed->secret, seed->secret_len,
	    &sealed)) != 0)
		return r;
	size = seed->text_len - old + strlen(sealed) + 16;
	if ((*outp = out = malloc(size)) == NULL) {
		r = HG_ERR_NOMEM;
		goto out;
	}
	memcpy(out, seed->text, at);
	len = at + (size_t)sprintf(out + at, "secret = %s\n", sealed);
	memcpy(out + len, seed->text + at + old, seed->text_len - at - old);
	len += seed->text_len - at - old;
	out[len] = '\0';
	*lenp = len;
	r = cli_util_seed_check(user, out, len, key, &s);
 out:
	secure_strfree(sealed);
	return r;
}

/*
 * Seal the seed of USER.  Returns 1 sealed now, 0 already sealed, -1
 * after a message.
 */
static int
seal_one(const struct hg_conf *conf, const char *user,
    const unsigned char key[SECURE_KEY_BYTES])
{
	struct hg_seed seed;
	struct hg_msg msg;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int fd = -1, r, ret = -1;

	memset(&seed, 0, sizeof(seed));
	msg.text[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", conf->secrets_dir, user) >=
	    (int)sizeof(path)) {
		cli_util_error(CMD, "%s: path too long", conf->secrets_dir);
		return -1;
	}
	if ((r = state_lock(conf->state_dir, user, 0, &fd, &msg)) != 0) {
		cli_util_error(CMD, "%s: %s", user, msg.text);
		return -1;
	}
	r = totp_seed_load(&seed, conf->secrets_dir, user, 0, key, &msg);
	if (r == HG_ERR_NO_SEED) {
		ret = 0;	/* gone meanwhile */
		goto out;
	}
	if (r != 0) {
		cli_util_error(CMD, "%s; left as it is", msg.text);
		goto out;
	}
	if (seed.sealed) {
		ret = 0;
		goto out;
	}
	if ((r = sealed_text(&seed, user, key, &text, &len)) != 0) {
		cli_util_error(CMD, "%s: cannot seal: %s; left as it is", path,
		    hg_strerror(r));
		goto out;
	}
	if (trust_replace(path, text, len, 0600, &msg) != 0) {
		cli_util_error(CMD, "%s; left as it is", msg.text);
		goto out;
	}
	ret = 1;
 out:
	cli_util_free_secret(text, len);
	totp_seed_free(&seed);
	state_unlock(fd);
	return ret;
}

/*
 * "hostgate seal [--config FILE]": see cli.h.
 */
int
cli_seal(int argc, char **argv)
{
	struct hg_conf conf;
	unsigned char key[SECURE_KEY_BYTES];
	const char *config = NULL, *arg = NULL;
	const struct cli_util_arg args[] = {
		{ "--config", &config, NULL }, { NULL, NULL, NULL }
	};
	char **users = NULL;
	size_t nusers = 0, i, sealed = 0, already = 0, failed = 0;
	bool have, created, have_conf = false;
	int r, ret = CLI_EXIT_FAIL;

	if ((r = cli_util_args(argc, argv, args, USAGE, NULL, &arg)) ==
	    CLI_ARGS_HELP)
		return CLI_EXIT_OK;
	if (r != 0)
		return cli_util_args_error(CMD, r, arg, USAGE);
	if (cli_util_need_root(CMD, "it rewrites root-owned seed files") != 0 ||
	    cli_util_init(CMD) != 0)
		return CLI_EXIT_FAIL;
	if (cli_util_conf(CMD, config, &conf) != 0)
		return CLI_EXIT_FAIL;
	have_conf = true;
	if (cli_util_dir(CMD, conf.secrets_dir, false) != 0 ||
	    cli_util_dir(CMD, conf.state_dir, true) != 0)
		goto out;
	if (cli_util_key(CMD, conf.seed_key, true, key, &have, &created) != 0)
		goto out;
	if (created)
		printf("Created the seed key %s (root 0400): back it up with "
		    "the seeds; sealed seeds cannot be opened without it.\n",
		    conf.seed_key);
	if (cli_util_list_users(CMD, conf.secrets_dir, &users, &nusers) != 0)
		goto out;
	for (i = 0; i < nusers; i++) {
		r = seal_one(&conf, users[i], key);
		if (r > 0) {
			printf("sealed %s\n", users[i]);
			sealed++;
		} else if (r == 0)
			already++;
		else
			failed++;
	}
	if (nusers == 0)
		printf("No seeds in %s: nothing to do.\n", conf.secrets_dir);
	else if (sealed == 0 && failed == 0)
		printf("Nothing to do: all %zu seed%s in %s %s already "
		    "sealed.\n", already, already == 1 ? "" : "s",
		    conf.secrets_dir, already == 1 ? "is" : "are");
	else
		printf("%zu sealed, %zu already sealed, %zu failed.\n",
		    sealed, already, failed);
	ret = failed == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
 out:
	sodium_memzero(key, sizeof(key));
	cli_util_free_names(users, nusers);
	if (have_conf)
		conf_free(&conf);
	return ret;
}
