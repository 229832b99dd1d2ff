/*
 * Shared helpers for the Check unit suites: each suite defines suite(),
 * and this main() runs it and exits non-zero on any failure.
 */
#ifndef HG_UNIT_H
#define HG_UNIT_H

#include <stdlib.h>

#include <check.h>
#include <sodium.h>

static Suite *suite(void);

int
main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return 99;
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* HG_UNIT_H */
