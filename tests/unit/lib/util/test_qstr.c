/*
 * NAME		test_qstr - qstr appends, ceilings and failure atomicity
 * DOES		table-driven cases; each names what it checks
 * NEVER	uses assert() as an oracle
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/qstr.h"

static void
test_cat_grows(void **state)
{
	struct qstr s = QSTR_INIT(1024);
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_int_equal(qstr_cat(&s, "abc"), 0);
	assert_int_equal(s.len, 300);
	assert_int_equal(strlen(s.buf), 300);
	assert_memory_equal(s.buf + 297, "abc", 4);
	qstr_free(&s);
}

static void
test_ceiling_leaves_string_unchanged(void **state)
{
	struct qstr s = QSTR_INIT(8);

	(void)state;
	assert_int_equal(qstr_cat(&s, "1234567"), 0);	/* 7 + NUL = 8 */
	assert_int_equal(qstr_cat(&s, "8"), QPM_ERANGE);
	assert_string_equal(qstr_str(&s), "1234567");
	assert_int_equal(s.len, 7);
	qstr_free(&s);
}

static void
test_huge_append_does_not_wrap(void **state)
{
	struct qstr s = QSTR_INIT(SIZE_MAX);

	(void)state;
	assert_int_equal(qstr_cat(&s, "x"), 0);
	assert_int_equal(qstr_catn(&s, "y", SIZE_MAX - 1), QPM_ERANGE);
	assert_string_equal(qstr_str(&s), "x");
	qstr_free(&s);
}

static void
test_catf_formats_and_respects_ceiling(void **state)
{
	struct qstr s = QSTR_INIT(16);

	(void)state;
	assert_int_equal(qstr_catf(&s, "%s:%d", "line", 12), 0);
	assert_string_equal(qstr_str(&s), "line:12");
	assert_int_equal(qstr_catf(&s, "%0100d", 1), QPM_ERANGE);
	assert_string_equal(qstr_str(&s), "line:12");
	qstr_free(&s);
}

static void
test_empty_string_reads_empty(void **state)
{
	struct qstr s = QSTR_INIT(16);

	(void)state;
	assert_string_equal(qstr_str(&s), "");
	assert_int_equal(qstr_catn(&s, "", 0), 0);
	assert_string_equal(qstr_str(&s), "");
	qstr_free(&s);
}

static void
test_snprintf_reports_truncation(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(qpm_snprintf(buf, sizeof(buf), "%s", "1234567"), 7);
	assert_int_equal(qpm_snprintf(buf, sizeof(buf), "%s", "12345678"),
	    QPM_ERANGE);
}

static void
test_cat_vis_renders_unsafe_bytes(void **state)
{
	struct qstr s = QSTR_INIT(64);
	static const char in[] = "a b\n\r\\\x1b\x7f\xe9";

	(void)state;
	assert_int_equal(qstr_cat_vis(&s, in, sizeof(in) - 1, 0), 0);
	assert_string_equal(s.buf, "a b\\x0a\\x0d\\\\\\x1b\\x7f\\xe9");
	qstr_reset(&s);
	assert_int_equal(qstr_cat_vis(&s, "x y", 3, QSTR_VIS_SPACE), 0);
	assert_string_equal(s.buf, "x\\x20y");
	qstr_free(&s);
}

static void
test_cat_vis_ceiling_leaves_string_unchanged(void **state)
{
	struct qstr s = QSTR_INIT(8);

	(void)state;
	assert_int_equal(qstr_cat(&s, "ab"), 0);
	assert_int_equal(qstr_cat_vis(&s, "\n\n", 2, 0), QPM_ERANGE);
	assert_string_equal(s.buf, "ab");
	assert_int_equal(s.len, 2);
	qstr_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cat_grows),
		cmocka_unit_test(test_ceiling_leaves_string_unchanged),
		cmocka_unit_test(test_huge_append_does_not_wrap),
		cmocka_unit_test(test_catf_formats_and_respects_ceiling),
		cmocka_unit_test(test_empty_string_reads_empty),
		cmocka_unit_test(test_snprintf_reports_truncation),
		cmocka_unit_test(test_cat_vis_renders_unsafe_bytes),
		cmocka_unit_test(test_cat_vis_ceiling_leaves_string_unchanged),
	};

	return cmocka_run_group_tests_name("qstr", tests, NULL, NULL);
}
