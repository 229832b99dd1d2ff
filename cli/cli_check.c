/*
 * "hostgate check [FILE]": load a policy set as the module would (the
 * configured one, or FILE and its include directory) and print every
 * error, then the warnings of the lint pass and of the settings.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"
#include "conf.h"
#include "err.h"
#include "policy.h"

#define CMD		"check"
#define USAGE		"hostgate check [FILE]"

/*
 * Read the settings that check reports on into CONF (*HAVE says whether
 * it holds them).  Those named by CONFIG, or that name the policy (no
 * FILE: REQUIRED), must load: 0, or -1 after a message.  Beside a FILE the
 * default settings are only looked at: a problem with them is a warning,
 * so that checking a policy file alone still works.
 */
static int
check_conf(const char *config, bool required, struct hg_conf *conf,
    bool *have)
{
	struct hg_msg msg;

	if (required || config != NULL) {
		if (cli_util_conf(CMD, config, conf) != 0)
			return -1;
		*have = true;
		return 0;
	}
	msg.text[0] = '\0';
	if (conf_load(conf, 0, NULL, CLI_OWNER, &msg) != 0) {
		cli_util_warn(CMD, "%s; settings not checked", msg.text);
		return 0;
	}
	*have = true;
	return 0;
}

/* Warn about settings that leave a promise weaker than it looks. */
static void
check_settings(const struct hg_conf *conf)
{
	/* The default, kept so that root cannot be locked out remotely. */
	if (!conf->lockout_root)
		cli_util_warn(CMD, "%s: lockout_root = no: root is exempt "
		    "from lockout, so anyone who knows root's password can "
		    "guess root's code at the rate sshd allows; set "
		    "lockout_root = yes, or deny root over ssh in the policy",
		    conf->config);
}

/*
 * "hostgate check [FILE] [--config FILE]": see cli.h.
 */
int
cli_check(int argc, char **argv)
{
	struct hg_policy *pol = NULL;
	struct hg_conf conf;
	const char *config = NULL, *path = NULL;
	const struct cli_util_arg args[] = {
		{ "--config", &config, NULL }, { NULL, NULL, NULL }
	};
	size_t files, roles, rules, warnings = 0;
	bool have_conf = false;
	int r, ret = CLI_EXIT_FAIL;

	if (cli_util_args(argc, argv, args, NULL, &path, NULL) != 0) {
		cli_util_error(NULL, "usage: %s", USAGE);
		return CLI_EXIT_USAGE;
	}
	if (check_conf(config, path == NULL, &conf, &have_conf) != 0)
		return CLI_EXIT_FAIL;
	if (path == NULL)
		path = conf.policy;
	/* Settings warnings come after the policy's, and never fail it. */
	if ((r = cli_util_policy_load(path, NULL, NULL, &pol)) == 0)
		warnings = cli_util_policy_warnings(pol);
	if (have_conf)
		check_settings(&conf);
	if (r != 0)
		goto out;
	policy_counts(pol, &files, &roles, &rules);
	printf("%s: valid (%zu file%s, %zu role%s, %zu rule%s, %zu "
	    "warning%s)\n", path, files, files == 1 ? "" : "s", roles,
	    roles == 1 ? "" : "s", rules, rules == 1 ? "" : "s", warnings,
	    warnings == 1 ? "" : "s");
	ret = CLI_EXIT_OK;
 out:
	policy_free(pol);
	if (have_conf)
		conf_free(&conf);
	return ret;
}
