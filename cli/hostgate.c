/*
 * hostgate: the admin CLI.  "hostgate [--config FILE] COMMAND [ARG...]";
 * each command is one entry in the table below and one file, cli_NAME.c
 * (declared in cli.h), so that a new command slots in without touching
 * the dispatcher.
 *
 * Exit codes: 0 success (check: valid; explain: allow), 1 failure (check:
 * invalid; explain: deny; edit: not replaced), 2 usage or unusable input
 * (explain: invalid policy, unknown user).
 *
 * The CLI trusts only files owned by root, as the module does.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"

/*
 * A command runs with its own argv, argv[0] being its name; a global
 * --config is handed on after the WORDS words that name the command
 * ("audit verify": 2).
 */
struct command {
	const char	*name;
	int		(*run)(int, char **);
	int		 words;
	const char	*usage;
};

static const struct command commands[] = {
	{ "check", cli_check, 1, "hostgate check [FILE]" },
	{ "explain", cli_explain, 1, "hostgate explain USER [--service S] "
	    "[--from ADDR] [--at 'YYYY-MM-DD HH:MM'] [--mfa]" },
	{ "edit", cli_edit, 1, "hostgate edit [--file FILE]" },
	{ "audit", cli_audit, 2, "hostgate audit verify [JOURNAL...]" },
	{ "enroll", cli_enroll, 1, "hostgate enroll USER "
	    "[--digits 6|8] [--algorithm sha1|sha256|sha512] [--period N] "
	    "[--issuer NAME] [--recovery N] [--force] [--no-confirm] "
	    "[--qr ansi|utf8|none|png:FILE]" },
	{ "import", cli_import, 1, "hostgate import "
	    "--google-authenticator FILE --user USER [--force]\n"
	    "       hostgate import --oath USERSFILE [--user USER] [--force]" },
	{ "seal", cli_seal, 1, "hostgate seal" },
	{ "status", cli_status, 1, "hostgate status [USER]" },
	{ "unlock", cli_unlock, 1, "hostgate unlock USER [--source SRC]" },
	{ NULL, NULL, 0, NULL },
};

/*
 * Run command C, handing a global --config (CONFIG, or NULL) on in its
 * argv after the words that name the command, as cli.h promises.
 */
static int
run(const struct command *c, const char *config, int argc, char **argv)
{
	char **v;
	int i, n = 0, r;

	if ((v = calloc((size_t)argc + 3, sizeof(*v))) == NULL) {
		cli_util_error(c->name, "out of memory");
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < argc && i < c->words; i++)
		v[n++] = argv[i];
	if (config != NULL) {
		v[n++] = (char *)"--config";
		v[n++] = (char *)config;
	}
	for (; i < argc; i++)
		v[n++] = argv[i];
	r = c->run(n, v);
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
	const char *config = NULL;
	int i = 1, o, r;

	umask(022);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (cli_util_is_help(argv[i])) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		if ((o = cli_util_opt(argc, argv, &i, "--config",
		    &config)) <= 0) {
			if (o == 0)
				cli_util_error(NULL, "unknown option '%s'",
				    argv[i]);
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[i]) == 0)
			break;
	if (c->name == NULL) {
		cli_util_error(NULL, "unknown command '%s'", argv[i]);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	r = run(c, config, argc - i, argv + i);
	if (fflush(stdout) != 0 && r == 0)
		r = CLI_EXIT_FAIL;
	return r;
}
