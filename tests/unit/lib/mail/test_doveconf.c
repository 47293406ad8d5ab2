/*
 * NAME		test_doveconf - one setting in doveconf's output
 * DOES		table-driven cases written by hand from what doveconf 2.3
 *		and 2.4 print ("doveconf -h NAME", "doveconf service/S")
 * NEVER	runs doveconf
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

#include "mail/doveconf.h"
#include "util/qstr.h"

static void
test_value(void **state)
{
	/* 2.4.1's "doveconf service/imap-login", cut short */
	static const char block[] =
	    "service imap-login {\n"
	    "  imap_capability {\n    ID = yes\n  }\n"
	    "  process_limit = 80\n"
	    "  restart_request_count = 1\n"
	    "  user = $SET:default_login_user\n"
	    "  group = \n"
	    "  inet_listener imap {\n    port = 143\n  }\n"
	    "}\n";
	static const struct {
		const char *name, *text, *key, *want;	/* want NULL: none */
	} cases[] = {
		{ "top level: the last line", "doveconf: Warning: x\n20\n",
		    "mail_max_userip_connections", "20" },
		{ "top level, empty", "\n", "default_client_limit", "" },
		{ "service block: its own line", block,
		    "service/imap-login/process_limit", "80" },
		{ "service block: a reference as written", block,
		    "service/imap-login/user", "$SET:default_login_user" },
		{ "service block: empty value", block,
		    "service/imap-login/group", "" },
		{ "service block: a listener's setting is not the service's",
		    block, "service/imap-login/port", NULL },
		{ "service block: 2.3's name absent in 2.4", block,
		    "service/imap-login/service_count", NULL },
		{ "service block: a longer name is not the key", block,
		    "service/imap-login/restart_request", NULL },
	};
	struct qstr in = QSTR_INIT(4096);
	const char *v;
	size_t i, n;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qstr_reset(&in);
		assert_int_equal(qstr_cat(&in, cases[i].text), 0);
		rc = doveconf_value(&in, cases[i].key, &v, &n);
		if (cases[i].want == NULL) {
			if (rc != -1)
				fail_msg("%s: got %.*s, want none", cases[i].name,
				    (int)n, v);
			continue;
		}
		if (rc != 0 || n != strlen(cases[i].want) ||
		    strncmp(v, cases[i].want, n) != 0)
			fail_msg("%s: got %s, want %s", cases[i].name,
			    rc != 0 ? "none" : v, cases[i].want);
	}
	qstr_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
