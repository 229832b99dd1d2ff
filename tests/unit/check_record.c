#include "config.h"
#include "unit.h"

START_TEST(placeholder) { ck_assert_int_eq(1, 1); }
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_add_test(tc, placeholder);
	suite_add_tcase(s, tc);
	return s;
}
