/*
 * hgverify: cli_audit() (cli/cli_audit.c) without the CLI around it,
 * for the tests to use while cli/hostgate's command table has no
 * "audit" entry yet: "hgverify audit verify [JOURNAL...]".
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	int r = argc < 2 ? 2 : cli_audit(argc - 1, argv + 1);

	if (fflush(stdout) != 0 && r == 0)
		r = 1;
	return r;
}
