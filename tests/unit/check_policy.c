#include "config.h"
#include "unit.h"
#include "policy.h"
START_TEST(placeholder) { ck_assert_int_eq(1, 1); }
END_TEST
static Suite *
suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, placeholder);
	suite_add_tcase(s, tc);
	return s;
}
