/*
 * NAME		test_header - header block splitting and From: addresses
 * DOES		folding, 8-bit, CRLF/LF, garbage lines, a 1 MB header block,
 *		address lists with groups, comments, quotes, routes
 * NEVER	uses assert() as an oracle
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

#include "checks/core/header.h"
#include "util/err.h"
#include "util/limits.h"

static void
test_folding_and_body(void **state)
{
	static const char msg[] =
	    "From: a@example.com\r\n"
	    "Subject: one\r\n\ttwo\r\n  three\r\n"
	    "X-Empty:\r\n"
	    "\r\n"
	    "body line\r\n";
	struct hdr_msg m;
	const struct hdr_field *f;

	(void)state;
	assert_int_equal(hdr_parse(msg, sizeof(msg) - 1, &m), 0);
	assert_int_equal(m.n, 3);
	f = hdr_get(&m, "subject", 0);
	assert_non_null(f);
	assert_int_equal(f->line, 2);
	assert_int_equal(f->rawlen, strlen("Subject: one\r\n\ttwo\r\n  three"));
	assert_memory_equal(f->value, " one\r\n\ttwo\r\n  three", f->valuelen);
	assert_int_equal(hdr_get(&m, "X-Empty", 0)->valuelen, 0);
	assert_int_equal(m.bodylen, strlen("body line\r\n"));
	assert_memory_equal(m.body, "body line\r\n", m.bodylen);
	assert_int_equal(m.flags & (HDR_F_BARE_LF | HDR_F_8BIT | HDR_F_GARBAGE), 0);
	hdr_free(&m);
}

static void
test_lf_mbox_8bit(void **state)
{
	static const char msg[] =
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
	    "Subject: caf\xc3\xa9\n"
	    "From: b@example.com\n"
	    "\n"
	    "\xe2\x82\xac\n";
	struct hdr_msg m;

	(void)state;
	assert_int_equal(hdr_parse(msg, sizeof(msg) - 1, &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(m.flags & HDR_F_MBOX_FROM);
	assert_true(m.flags & HDR_F_BARE_LF);
	assert_true(m.flags & HDR_F_8BIT);
	assert_true(m.flags & HDR_F_BODY_8BIT);
	assert_int_equal(hdr_get(&m, "from", 0)->line, 3);
	hdr_free(&m);
}

static void
test_garbage_line_ends_header(void **state)
{
	static const char msg[] =
	    "From: a@example.com\n"
	    "this is not a header\n"
	    "Subject: after\n";
	static const char cont[] = " leading continuation\nFrom: x@y\n\n";
	struct hdr_msg m;

	(void)state;
	assert_int_equal(hdr_parse(msg, sizeof(msg) - 1, &m), 0);
	assert_int_equal(m.n, 1);
	assert_true(m.flags & HDR_F_GARBAGE);
	assert_int_equal(m.bad_line, 2);
	assert_memory_equal(m.body, "this is", 7);
	hdr_free(&m);
	assert_int_equal(hdr_parse(cont, sizeof(cont) - 1, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.bad_line, 1);
	hdr_free(&m);
}

static void
test_no_body_and_obs_colon(void **state)
{
	static const char msg[] = "Subject : spaced\nFrom: a@b.example";
	struct hdr_msg m;
	const struct hdr_field *f;

	(void)state;
	assert_int_equal(hdr_parse(msg, sizeof(msg) - 1, &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(m.flags & HDR_F_NO_BODY);
	assert_int_equal(m.bodylen, 0);
	f = hdr_get(&m, "Subject", 0);
	assert_non_null(f);
	assert_int_equal(f->namelen, 7);
	hdr_free(&m);
}

/* A 1 MB header block (one huge folded field and 20000 small ones) is
 * parsed in full; 5 MB is refused, not cut. */
static void
test_megabyte_header_block(void **state)
{
	size_t cap = 6 * 1024 * 1024, len = 0, i;
	char *msg = malloc(cap);
	struct hdr_msg m;

	(void)state;
	assert_non_null(msg);
	len += (size_t)snprintf(msg + len, cap - len, "X-Big: start");
	for (i = 0; i < 20000; i++)
		len += (size_t)snprintf(msg + len, cap - len,
		    "\r\n\tfold %05zu abcdefghijklmnopqrstuvwxyz", i);
	len += (size_t)snprintf(msg + len, cap - len, "\r\n");
	for (i = 0; i < 20000; i++)
		len += (size_t)snprintf(msg + len, cap - len,
		    "X-N%05zu: value\r\n", i);
	len += (size_t)snprintf(msg + len, cap - len,
	    "From: big@example.com\r\n\r\nbody\r\n");
	assert_true(len > 1024 * 1024);
	assert_int_equal(hdr_parse(msg, len, &m), 0);
	assert_int_equal(m.n, 20002);
	assert_int_equal(hdr_count(&m, "from"), 1);
	assert_int_equal(m.bodylen, 6);
	hdr_free(&m);

	len = 0;
	while (len < (size_t)QPM_MAX_HEADER_BLOCK + 1024)
		len += (size_t)snprintf(msg + len, cap - len,
		    "X-Filler: 0123456789012345678901234567890123456789\r\n");
	len += (size_t)snprintf(msg + len, cap - len, "\r\nbody\r\n");
	assert_int_equal(hdr_parse(msg, len, &m), QPM_ERANGE);
	assert_int_equal(m.n, 0);
	free(msg);
}

struct addr_case {
	const char	*name;
	const char	*value;
	int		 rc;
	size_t		 n;
	const char	*want[4];	/* "local@domain" or "local" */
};

static const struct addr_case addr_cases[] = {
	{ "bare", "alice@Example.COM", 0, 1, { "alice@example.com" } },
	{ "display name", "Alice Smith <alice@example.com>", 0, 1,
	    { "alice@example.com" } },
	{ "quoted name with specials", "\"Smith, Alice <boss>\" <a@example.com>",
	    0, 1, { "a@example.com" } },
	{ "comments", "(c) alice(x)@(y)example.com (Alice)", 0, 1,
	    { "alice@example.com" } },
	{ "nested comment", "a@b.example (one (two) three)", 0, 1,
	    { "a@b.example" } },
	{ "two mailboxes", "a@one.example, B <b@two.example>", 0, 2,
	    { "a@one.example", "b@two.example" } },
	{ "group", "team: a@one.example, b@two.example;, c@three.example", 0, 3,
	    { "a@one.example", "b@two.example", "c@three.example" } },
	{ "empty group", "undisclosed-recipients:;", 0, 0, { NULL } },
	{ "quoted local part", "\"john doe\"@example.com", 0, 1,
	    { "\"john doe\"@example.com" } },
	{ "domain literal", "x@[192.0.2.1]", 0, 1, { "x@[192.0.2.1]" } },
	{ "obs route", "<@relay.example:user@example.org>", 0, 1,
	    { "user@example.org" } },
	{ "folded", "Alice\r\n <alice@example.com>", 0, 1,
	    { "alice@example.com" } },
	{ "trailing dot domain", "a@example.com.", 0, 1, { "a@example.com" } },
	{ "8-bit display name", "Ren\xc3\xa9 <r@example.net>", 0, 1,
	    { "r@example.net" } },
	{ "no domain", "postmaster", 0, 1, { "postmaster" } },
	{ "unterminated quote", "\"abc <a@b.example>", QPM_ESYNTAX, 0, { NULL } },
	{ "unterminated comment", "a@b.example (x", QPM_ESYNTAX, 0, { NULL } },
	{ "unclosed angle", "A <a@b.example", QPM_ESYNTAX, 0, { NULL } },
	{ "empty angle", "<>", QPM_ESYNTAX, 0, { NULL } },
	{ "empty domain", "a@", QPM_ESYNTAX, 0, { NULL } },
	{ "two at signs", "a@b@c.example", QPM_ESYNTAX, 0, { NULL } },
	{ "only a comma", ",", 0, 0, { NULL } },
};

static void
test_address_lists(void **state)
{
	size_t i, j;
	char got[512];

	(void)state;
	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct hdr_addrs a = { NULL, 0, 0 };
		const char *why = NULL;
		int rc = hdr_parse_addrs(c->value, strlen(c->value), &a, &why);

		if (rc != c->rc)
			fail_msg("%s: got rc %d, want %d (%s)", c->name, rc,
			    c->rc, why ? why : "");
		if (rc == 0 && a.n != c->n)
			fail_msg("%s: got %zu mailboxes, want %zu", c->name,
			    a.n, c->n);
		for (j = 0; rc == 0 && j < a.n; j++) {
			snprintf(got, sizeof(got), "%s%s%s", a.mb[j].local,
			    a.mb[j].domain ? "@" : "",
			    a.mb[j].domain ? a.mb[j].domain : "");
			if (strcmp(got, c->want[j]) != 0)
				fail_msg("%s: mailbox %zu: got %s, want %s",
				    c->name, j, got, c->want[j]);
		}
		if (rc == QPM_ESYNTAX && why == NULL)
			fail_msg("%s: syntax error without a reason", c->name);
		hdr_addrs_free(&a);
	}
}

static void
test_from_addrs(void **state)
{
	static const char two[] =
	    "From: a@one.example\nFrom: b@two.example\nTo: x@y.example\n\n";
	static const char none[] = "To: x@y.example\n\n";
	struct hdr_msg m;
	struct hdr_addrs a = { NULL, 0, 0 };
	size_t nf;
	const char *why;

	(void)state;
	assert_int_equal(hdr_parse(two, sizeof(two) - 1, &m), 0);
	assert_int_equal(hdr_from_addrs(&m, &a, &nf, &why), 0);
	assert_int_equal(nf, 2);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.mb[1].domain, "two.example");
	hdr_addrs_free(&a);
	hdr_free(&m);
	assert_int_equal(hdr_parse(none, sizeof(none) - 1, &m), 0);
	assert_int_equal(hdr_from_addrs(&m, &a, &nf, &why), 0);
	assert_int_equal(nf, 0);
	assert_int_equal(a.n, 0);
	hdr_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folding_and_body),
		cmocka_unit_test(test_lf_mbox_8bit),
		cmocka_unit_test(test_garbage_line_ends_header),
		cmocka_unit_test(test_no_body_and_obs_colon),
		cmocka_unit_test(test_megabyte_header_block),
		cmocka_unit_test(test_address_lists),
		cmocka_unit_test(test_from_addrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
