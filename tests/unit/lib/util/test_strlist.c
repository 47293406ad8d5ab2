/*
 * NAME		test_strlist - the string list: copies, case, order, join
 * DOES		table-driven cases with hand-written expectations
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
#include <cmocka.h>

#include "util/qstr.h"
#include "util/strlist.h"

static void
test_add_keeps_copies(void **state)
{
	struct strlist l = { 0 };
	char word[8] = "alpha";
	size_t i;

	(void)state;
	assert_int_equal(strlist_add(&l, word), 0);
	word[0] = 'A';		/* the list holds its own copy */
	assert_string_equal(l.v[0], "alpha");
	/* past the first growth: every entry still there, in order */
	for (i = 0; i < 20; i++)
		assert_int_equal(strlist_add(&l, "x"), 0);
	assert_int_equal(l.n, 21);
	assert_string_equal(l.v[0], "alpha");
	assert_string_equal(l.v[20], "x");
	strlist_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.cap, 0);
	strlist_free(&l);	/* twice is harmless */
}

static void
test_has_and_unique_ignore_case(void **state)
{
	static const struct {
		const char *name, *add;
		size_t n;		/* entries after the add */
	} cases[] = {
		{ "new", "Alice@Example.COM", 1 },
		{ "same bytes", "Alice@Example.COM", 1 },
		{ "other case", "alice@example.com", 1 },
		{ "another", "bob@example.com", 2 },
	};
	struct strlist l = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(strlist_add_unique(&l, cases[i].add), 0);
		if (l.n != cases[i].n)
			fail_msg("%s: got %zu entries, want %zu", cases[i].name,
			    l.n, cases[i].n);
	}
	assert_string_equal(l.v[0], "Alice@Example.COM");	/* first kept */
	assert_true(strlist_has(&l, "ALICE@example.com"));
	assert_false(strlist_has(&l, "alice@example.co"));
	assert_false(strlist_has(&l, ""));
	strlist_free(&l);
}

static void
test_sort_lowers_orders_and_drops_duplicates(void **state)
{
	static const char *const in[] = { "b@x", "A@x", "a@X", "c@x", "B@X",
	    "/h/Maildir/.Lists/", "|Prog A" };
	static const char *const want[] = { "/h/Maildir/.Lists/", "a@x", "b@x",
	    "c@x", "|Prog A" };
	struct strlist l = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(strlist_add(&l, in[i]), 0);
	strlist_sort(&l, 1);
	assert_int_equal(l.n, 5);
	for (i = 0; i < 5; i++)
		if (strcmp(l.v[i], want[i]) != 0)
			fail_msg("entry %zu: got %s, want %s", i, l.v[i], want[i]);
	strlist_free(&l);
	strlist_sort(&l, 1);	/* an empty list stays empty */
	assert_int_equal(l.n, 0);
}

static void
test_equal_is_ordered_and_ignores_case(void **state)
{
	struct strlist a = { 0 }, b = { 0 };

	(void)state;
	assert_true(strlist_equal(&a, &b));
	strlist_add(&a, "One");
	strlist_add(&a, "two");
	strlist_add(&b, "one");
	assert_false(strlist_equal(&a, &b));
	strlist_add(&b, "TWO");
	assert_true(strlist_equal(&a, &b));
	strlist_free(&b);
	strlist_add(&b, "two");
	strlist_add(&b, "one");
	assert_false(strlist_equal(&a, &b));
	strlist_free(&a);
	strlist_free(&b);
}

static void
test_join(void **state)
{
	struct strlist l = { 0 };
	struct qstr s = QSTR_INIT(64), small = QSTR_INIT(4);

	(void)state;
	assert_int_equal(strlist_join(&l, ",", &s), 0);
	assert_string_equal(qstr_str(&s), "-");
	qstr_reset(&s);
	strlist_add(&l, "a");
	assert_int_equal(strlist_join(&l, ",", &s), 0);
	assert_string_equal(qstr_str(&s), "a");
	qstr_reset(&s);
	strlist_add(&l, "bc");
	assert_int_equal(strlist_join(&l, ", ", &s), 0);
	assert_string_equal(qstr_str(&s), "a, bc");
	/* the qstr's ceiling is an error, not a silent cut */
	assert_true(strlist_join(&l, ", ", &small) < 0);
	qstr_free(&s);
	qstr_free(&small);
	strlist_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_keeps_copies),
		cmocka_unit_test(test_has_and_unique_ignore_case),
		cmocka_unit_test(test_sort_lowers_orders_and_drops_duplicates),
		cmocka_unit_test(test_equal_is_ordered_and_ignores_case),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests_name("strlist", tests, NULL, NULL);
}
