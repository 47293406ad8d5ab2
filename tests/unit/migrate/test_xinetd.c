/*
 * NAME		test_xinetd - xinetd: defaults, services, disable, cps,
 *		UNLIMITED and broken blocks
 * DOES		parses text
 * NEVER	depends on the host
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "migrate/oldhost/readers.h"
#include "test_limits_util.h"

static const char conf[] =
    "defaults\n"
    "{\n"
    "\tcps\t\t= 50 10\n"
    "\tinstances\t= 50\n"
    "\tper_source\t= 10\n"
    "}\n"
    "service pop3s\n"
    "{\n"
    "\tdisable = no\n"
    "\tper_source = 5\n"
    "\tmax_load = 2.5\n"
    "}\n"
    "service imap\n"
    "{\n"
    "\tdisable = yes\n"
    "\tinstances = 20\n"
    "}\n"
    "service pop3 {\n"
    "\tinstances = UNLIMITED\n"
    "\tport = 110\n"
    "}\n"
    "service telnet\n{\n\tinstances = 3\n}\n";

static void
test_services(void **state)
{
	struct limits l;
	const struct limits_item *it;

	(void)state;
	limits_init(&l);
	assert_int_equal(xinetd_parse(&l, "etc/xinetd.conf", conf,
	    sizeof(conf) - 1), 0);
	/* own per_source wins over the defaults */
	it = find_item(&l, LK_CONC_IP, LSVC_POP3S);
	assert_non_null(it);
	assert_int_equal(it->value, 5);
	assert_int_equal(it->line, 10);
	/* instances from defaults, with the defaults' line */
	it = find_item(&l, LK_CONC_SERVICE, LSVC_POP3S);
	assert_non_null(it);
	assert_int_equal(it->value, 50);
	assert_int_equal(it->line, 4);
	assert_non_null(strstr(it->detail, "from defaults"));
	it = find_item(&l, LK_RATE_SERVICE, LSVC_POP3S);
	assert_non_null(it);
	assert_int_equal(it->value, 50);
	assert_non_null(strstr(it->detail, "disable the service for 10 s"));
	it = find_item(&l, LK_LOADAVG, LSVC_POP3S);
	assert_non_null(it);
	assert_int_equal(it->value, 250);
	/* disabled service: inert */
	it = find_item(&l, LK_CONC_SERVICE, LSVC_IMAP);
	assert_non_null(it);
	assert_non_null(it->inert);
	/* UNLIMITED: no item; telnet: not a mail port */
	assert_null(find_item(&l, LK_CONC_SERVICE, LSVC_POP3));
	assert_null(find_item(&l, LK_CONC_SERVICE, LSVC_OTHER));
	assert_int_equal(count_errors(&l), 0);
	limits_free(&l);
}

static void
test_broken(void **state)
{
	static const struct {
		const char *text, *diag;
		unsigned long line;
	} bad[] = {
		{ "service pop3\n{\n\tinstances = 5\n", "not closed", 3 },
		{ "}\n", "outside a block", 1 },
		{ "service pop3\n{\n\tinstances 5\n}\n", "no '='", 3 },
		{ "service pop3\n{\n\tinstances = many\n}\n", "not a number", 3 },
		{ "service pop3\n{\n\tcps = 5 x\n}\n", "want \"N S\"", 3 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct limits l;

		limits_init(&l);
		assert_int_equal(xinetd_parse(&l, "x", bad[i].text,
		    strlen(bad[i].text)), 0);
		if (find_diag(&l, bad[i].line, bad[i].diag) == NULL)
			fail_msg("case %zu: no \"%s\" at line %lu", i,
			    bad[i].diag, bad[i].line);
		limits_free(&l);
	}
}

/* head, then fill repeated count times, then tail, into t (8192) */
static size_t
build(char *t, const char *head, const char *fill, size_t count,
    const char *tail)
{
	size_t n = 0, i;

	n += (size_t)snprintf(t + n, 8192 - n, "%s", head);
	for (i = 0; i < count && n < 8192; i++)
		n += (size_t)snprintf(t + n, 8192 - n, "%s", fill);
	n += (size_t)snprintf(t + n, 8192 - n, "%s", tail);
	assert_true(n < 8192);
	return n;
}

/* more attributes than the old fixed table held (64), a value too long
 * for the buffer, a service name too long: a limit is never dropped or
 * cut without a diagnostic */
static void
test_big_blocks(void **state)
{
	static const struct {
		const char *head, *fill, *tail, *diag;
		size_t count;
		unsigned long line;
	} t[] = {
		{ "service pop3\n{\n\tinstances = ", "1", "\n}\n",
		    "value longer than", 300, 3 },
		{ "service pop3", "x", "\n{\n\tinstances = 5\n}\n",
		    "service name longer than", 80, 1 },
	};
	struct limits l;
	const struct limits_item *it;
	char *text = malloc(8192);
	size_t n, i;

	(void)state;
	assert_non_null(text);
	n = build(text, "service pop3s\n{\n", "\tlog_on_success += HOST\n",
	    70, "\tinstances = 7\n\tper_source = 3\n}\n");
	limits_init(&l);
	assert_int_equal(xinetd_parse(&l, "x", text, n), 0);
	it = find_item(&l, LK_CONC_SERVICE, LSVC_POP3S);
	assert_non_null(it);
	assert_int_equal(it->value, 7);
	assert_int_equal(it->line, 73);
	it = find_item(&l, LK_CONC_IP, LSVC_POP3S);
	assert_non_null(it);
	assert_int_equal(it->value, 3);
	assert_int_equal(count_errors(&l), 0);
	limits_free(&l);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = build(text, t[i].head, t[i].fill, t[i].count, t[i].tail);
		limits_init(&l);
		assert_int_equal(xinetd_parse(&l, "x", text, n), 0);
		if (find_item(&l, LK_CONC_SERVICE, LSVC_POP3) != NULL)
			fail_msg("case %zu: a limit from a cut text", i);
		if (find_diag(&l, t[i].line, t[i].diag) == NULL)
			fail_msg("case %zu: no \"%s\" at line %lu", i,
			    t[i].diag, t[i].line);
		limits_free(&l);
	}
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_big_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
