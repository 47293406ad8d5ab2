/*
 * NAME		test_lines - bounded line reader: numbering, limits, endings
 * DOES		reads from memory and from a file
 * NEVER	depends on the host
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/lines.h"

static void
test_numbers_lines_and_strips_newline(void **state)
{
	static const char in[] = "first\nsecond\n\nfourth";
	static const char *want[] = { "first", "second", "", "fourth" };
	struct lines lr;
	const char *line;
	size_t len;
	int i;

	(void)state;
	lines_mem(&lr, "mem", in, sizeof(in) - 1, 100);
	for (i = 0; i < 4; i++) {
		assert_int_equal(lines_next(&lr, &line, &len), 1);
		assert_string_equal(line, want[i]);
		assert_int_equal(len, strlen(want[i]));
		assert_int_equal(lr.lineno, (unsigned long)i + 1);
	}
	assert_true(lr.no_newline);
	assert_int_equal(lines_next(&lr, &line, &len), 0);
	lines_close(&lr);
}

static void
test_overlong_line_is_an_error_and_reading_goes_on(void **state)
{
	static const char in[] = "ok\n0123456789abcdef\nafter\n";
	struct lines lr;
	const char *line;
	size_t len;

	(void)state;
	lines_mem(&lr, "mem", in, sizeof(in) - 1, 10);
	assert_int_equal(lines_next(&lr, &line, &len), 1);
	assert_int_equal(lines_next(&lr, &line, &len), QPM_ERANGE);
	assert_int_equal(lr.lineno, 2);
	assert_int_equal(lines_next(&lr, &line, &len), 1);
	assert_string_equal(line, "after");
	assert_int_equal(lr.lineno, 3);
	lines_close(&lr);
}

static void
test_exact_limit_is_accepted(void **state)
{
	static const char in[] = "0123456789\n";
	struct lines lr;
	const char *line;
	size_t len;

	(void)state;
	lines_mem(&lr, "mem", in, sizeof(in) - 1, 10);
	assert_int_equal(lines_next(&lr, &line, &len), 1);
	assert_int_equal(len, 10);
	lines_close(&lr);
}

static void
test_nul_and_cr_are_reported_not_hidden(void **state)
{
	static const char in[] = "a\0b\r\n";
	struct lines lr;
	const char *line;
	size_t len;

	(void)state;
	lines_mem(&lr, "mem", in, sizeof(in) - 1, 100);
	assert_int_equal(lines_next(&lr, &line, &len), 1);
	assert_int_equal(len, 4);
	assert_true(lr.had_nul);
	assert_int_equal(line[3], '\r');
	lines_close(&lr);
}

static void
test_reads_a_file(void **state)
{
	char path[] = "/tmp/q2p-test-lines-XXXXXX";
	struct lines lr;
	const char *line;
	size_t len;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x:y\nz\n", 6), 6);
	close(fd);
	assert_int_equal(lines_open(&lr, path, 100), 0);
	assert_int_equal(lines_next(&lr, &line, &len), 1);
	assert_string_equal(line, "x:y");
	assert_int_equal(lines_next(&lr, &line, &len), 1);
	assert_int_equal(lines_next(&lr, &line, &len), 0);
	lines_close(&lr);
	unlink(path);
	assert_int_equal(lines_open(&lr, path, 100), QPM_ENOENT);
	lines_close(&lr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_lines_and_strips_newline),
		cmocka_unit_test(test_overlong_line_is_an_error_and_reading_goes_on),
		cmocka_unit_test(test_exact_limit_is_accepted),
		cmocka_unit_test(test_nul_and_cr_are_reported_not_hidden),
		cmocka_unit_test(test_reads_a_file),
	};

	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
