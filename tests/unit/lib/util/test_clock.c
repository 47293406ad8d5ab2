/*
 * NAME		test_clock - the fixed clock answers what it was given
 * DOES		checks the clock a test injects, and that the system one runs
 * NEVER	sleeps
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/clock.h"

static void
test_fixed_clock_follows_its_variable(void **state)
{
	struct qpm_clock c;
	time_t t = 1795392000;	/* 2026-11-22 00:00:00 UTC */

	(void)state;
	qpm_clock_fixed(&c, &t);
	assert_int_equal(qpm_clock_now(&c), 1795392000);
	t += 86400;
	assert_int_equal(qpm_clock_now(&c), 1795392000 + 86400);
}

static void
test_system_clock_is_now(void **state)
{
	time_t before = time(NULL), got = qpm_clock_now(&qpm_clock_system);

	(void)state;
	assert_true(got >= before && got <= time(NULL));
	assert_true(qpm_clock_now(NULL) >= before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_clock_follows_its_variable),
		cmocka_unit_test(test_system_clock_is_now),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
