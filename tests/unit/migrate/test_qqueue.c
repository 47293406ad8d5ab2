/*
 * NAME		test_qqueue - qmail queue envelope records and the undoing of
 *		qmail-send's virtualdomains rewrite
 * DOES		byte strings written as qmail-queue(8) and qmail-send.c do
 * NEVER	reads a file
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/oldhost/qqueue.h"
#include "util/err.h"

#define B(s)	(s), sizeof(s) - 1	/* keeps the embedded NULs */

static void
test_info_sender(void **state)
{
	struct qq_env e = { 0 };
	const char *why = NULL;

	(void)state;
	assert_int_equal(qq_parse_info(&e, B("Fbounce@sender.example\0"), &why), 0);
	assert_string_equal(e.sender, "bounce@sender.example");
	qq_env_free(&e);
	/* the null sender is an empty F record */
	assert_int_equal(qq_parse_info(&e, B("F\0"), &why), 0);
	assert_string_equal(e.sender, "");
	qq_env_free(&e);
}

static void
test_info_errors(void **state)
{
	static const struct { const char *name, *buf; size_t len; } bad[] = {
		{ "no NUL", B("Fa@b") },
		{ "wrong tag", B("Ta@b\0") },
		{ "empty file", B("") },
		{ "two senders", B("Fa@b\0Fc@d\0") },
	};
	struct qq_env e = { 0 };
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (qq_parse_info(&e, bad[i].buf, bad[i].len, &why) !=
		    QPM_ESYNTAX || why == NULL)
			fail_msg("%s: got success, want a syntax error",
			    bad[i].name);
		qq_env_free(&e);
	}
}

static void
test_done_recipients_are_kept_apart(void **state)
{
	struct qq_env e = { 0 };
	const char *why;

	(void)state;
	assert_int_equal(qq_parse_rcpts(&e,
	    B("Dexample.com-alice@example.com\0Texample.com-bob@example.com\0"),
	    0, &why), 0);
	assert_int_equal(qq_parse_rcpts(&e,
	    B("Tfriend@remote.example\0Ddone@remote.example\0"), 1, &why), 0);
	assert_int_equal(e.n, 4);
	assert_int_equal(qq_pending(&e), 2);
	assert_true(e.rcpt[0].done);
	assert_false(e.rcpt[1].done);
	assert_true(e.rcpt[2].remote);
	assert_string_equal(e.rcpt[2].addr, "friend@remote.example");
	qq_env_free(&e);
	assert_int_equal(qq_parse_rcpts(&e, B("Xa@b\0"), 0, &why), QPM_ESYNTAX);
	qq_env_free(&e);
}

static void
test_todo_envelope(void **state)
{
	struct qq_env e = { 0 };
	const char *why;

	(void)state;
	assert_int_equal(qq_parse_todo(&e,
	    B("u89\0p4242\0Fcarol@example.com\0Talice@example.com\0"
	    "Tbob@remote.example\0"), &why), 0);
	assert_string_equal(e.sender, "carol@example.com");
	assert_int_equal(e.n, 2);
	assert_int_equal(qq_pending(&e), 2);
	qq_env_free(&e);
	assert_int_equal(qq_parse_todo(&e, B("u0\0p1\0Fa@b\0"), &why),
	    QPM_ESYNTAX);	/* no recipient */
	qq_env_free(&e);
	assert_int_equal(qq_parse_todo(&e, B("u0\0Ta@b\0Fc@d\0"), &why),
	    QPM_ESYNTAX);	/* recipient before sender */
	qq_env_free(&e);
}

static const struct qq_vdomain vds[] = {
	{ "example.com", "example.com" },
	{ "example.org", "example.com" },	/* alias domain, as vpopmail */
	{ ".wild.example", "wildprep" },
	{ "except.example", "" },		/* empty prepend: exception */
	{ "sales@shop.example", "shopsales" },
};

static void
test_unrewrite(void **state)
{
	static const struct { const char *name, *in, *want; int rc; } c[] = {
		{ "virtual domain", "example.com-alice@example.com",
		    "alice@example.com", 1 },
		{ "alias domain keeps its domain",
		    "example.com-bob@example.org", "bob@example.org", 1 },
		{ "extension survives", "example.com-alice-lists@example.com",
		    "alice-lists@example.com", 1 },
		{ "wildcard", "wildprep-u@a.wild.example", "u@a.wild.example", 1 },
		{ "user@domain entry", "shopsales-sales@shop.example",
		    "sales@shop.example", 1 },
		{ "locals domain untouched", "root@mail.example.com",
		    "root@mail.example.com", 0 },
		{ "prefix but wrong domain", "example.com-x@other.example",
		    "example.com-x@other.example", 0 },
		{ "case-insensitive", "Example.COM-Alice@EXAMPLE.com",
		    "Alice@EXAMPLE.com", 1 },
	};
	char out[256];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		rc = qq_unrewrite(c[i].in, vds, sizeof(vds) / sizeof(vds[0]),
		    out, sizeof(out));
		if (rc != c[i].rc || strcmp(out, c[i].want) != 0)
			fail_msg("%s: got %d %s, want %d %s", c[i].name, rc,
			    out, c[i].rc, c[i].want);
	}
	assert_int_equal(qq_unrewrite("example.com-alice@example.com", vds, 5,
	    out, 8), QPM_ERANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_sender),
		cmocka_unit_test(test_info_errors),
		cmocka_unit_test(test_done_recipients_are_kept_apart),
		cmocka_unit_test(test_todo_envelope),
		cmocka_unit_test(test_unrewrite),
	};

	return cmocka_run_group_tests_name("qqueue", tests, NULL, NULL);
}
