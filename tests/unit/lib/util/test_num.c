/*
 * NAME		test_num - num_parse_long: whole string, base 10, range
 * DOES		table of inputs with the result and value each must give
 * NEVER	depends on the locale or the host
 */
#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/num.h"

struct num_case {
	const char	*name;
	const char	*in;
	long		 min, max;
	int		 want_rc;
	long		 want;		/* when want_rc == 0 */
};

static const struct num_case cases[] = {
	{ "plain", "42", 1, 100, 0, 42 },
	{ "lower bound", "1", 1, 100, 0, 1 },
	{ "upper bound", "100", 1, 100, 0, 100 },
	{ "zero allowed", "0", 0, 10, 0, 0 },
	{ "negative allowed", "-5", -10, 10, 0, -5 },
	{ "leading blank (strtol)", " 7", 0, 10, 0, 7 },
	{ "plus sign", "+7", 0, 10, 0, 7 },
	{ "decimal, not octal", "010", 0, 100, 0, 10 },
	{ "below min", "0", 1, 100, QPM_ERANGE, 0 },
	{ "above max", "101", 1, 100, QPM_ERANGE, 0 },
	{ "negative below min", "-1", 0, 100, QPM_ERANGE, 0 },
	{ "overflow", "99999999999999999999999", 0, LONG_MAX, QPM_ERANGE, 0 },
	{ "underflow", "-99999999999999999999999", LONG_MIN, 0, QPM_ERANGE,
	    0 },
	{ "empty", "", 0, 10, QPM_ESYNTAX, 0 },
	{ "blank only", " ", 0, 10, QPM_ESYNTAX, 0 },
	{ "letters", "abc", 0, 10, QPM_ESYNTAX, 0 },
	{ "trailing letter", "5s", 0, 10, QPM_ESYNTAX, 0 },
	{ "trailing blank", "5 ", 0, 10, QPM_ESYNTAX, 0 },
	{ "hex prefix", "0x10", 0, 100, QPM_ESYNTAX, 0 },
	{ "sign only", "-", -10, 10, QPM_ESYNTAX, 0 },
};

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct num_case *c = &cases[i];
		long v = -12345;
		int rc = num_parse_long(c->in, c->min, c->max, &v);

		if (rc != c->want_rc)
			fail_msg("%s: got rc %d, want %d", c->name, rc,
			    c->want_rc);
		if (rc == 0 && v != c->want)
			fail_msg("%s: got %ld, want %ld", c->name, v, c->want);
		if (rc != 0 && v != -12345)
			fail_msg("%s: got %ld written on failure, want it "
			    "unchanged", c->name, v);
	}
}

static void
test_full_long_range(void **state)
{
	char buf[32];
	long v = 0;

	(void)state;
	(void)snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	assert_int_equal(num_parse_long(buf, LONG_MIN, LONG_MAX, &v), 0);
	assert_true(v == LONG_MAX);
	(void)snprintf(buf, sizeof(buf), "%ld", LONG_MIN);
	assert_int_equal(num_parse_long(buf, LONG_MIN, LONG_MAX, &v), 0);
	assert_true(v == LONG_MIN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_full_long_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
