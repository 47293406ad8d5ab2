/*
 * NAME		test_addr - the @ that splits a mailbox is the last unquoted one
 * DOES		table of RFC 5321 cases
 * NEVER	uses strchr as an oracle
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mail/addr.h"

static const struct {
	const char *name, *addr;
	long at;
} split_cases[] = {
	{ "plain", "alice@example.com", 5 },
	{ "no at", "postmaster", -1 },
	{ "quoted at", "\"a@b\"@example.org", 5 },
	{ "two unquoted: last wins", "a@b@example.org", 3 },
	{ "quoted pair", "\"a\\\"@b\"@x", 7 },
	{ "unbalanced quote", "\"a@b@x", -1 },
	{ "empty local", "@example.com", 0 },
	{ "trailing at", "alice@", 5 },
};

static void
test_split(void **state)
{
	size_t i;
	long got;

	(void)state;
	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		got = addr_split(split_cases[i].addr,
		    strlen(split_cases[i].addr));
		if (got != split_cases[i].at)
			fail_msg("%s: got %ld, want %ld", split_cases[i].name,
			    got, split_cases[i].at);
	}
}

static const struct {
	const char *local;
	int dot;
} dot_cases[] = {
	{ "alice", 1 }, { "first.last", 1 }, { "o'brien&co", 1 },
	{ "a..b", 0 }, { ".a", 0 }, { "a.", 0 }, { "", 0 },
	{ "a b", 0 }, { "\"a b\"", 0 }, { "SRS0=ab+c=JL=x.y=u", 1 },
};

static void
test_dot_string(void **state)
{
	size_t i;
	int got;

	(void)state;
	for (i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
		got = addr_local_is_dot_string(dot_cases[i].local,
		    strlen(dot_cases[i].local));
		if (got != dot_cases[i].dot)
			fail_msg("%s: got %d, want %d", dot_cases[i].local,
			    got, dot_cases[i].dot);
	}
	assert_true(addr_local_is_quoted("\"a b\"", 5));
	assert_false(addr_local_is_quoted("\"", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_dot_string),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
