/*
 * NAME		test_runscript - run scripts: listeners, options, the TLS
 *		readings, variables from control files and envdirs, and
 *		file:line diagnostics for what cannot be read
 * DOES		one private root per test; cases are table-driven
 * NEVER	runs a script
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate/oldhost/readers.h"
#include "test_limits_util.h"

struct rs_case {
	const char	*name;
	const char	*script;
	enum limits_kind kind;
	enum limits_svc	 svc;
	long		 value;		/* -99: the item must not exist */
	unsigned long	 line;
	const char	*detail;	/* substring of detail, or NULL */
	int		 inert, is_default;
	const char	*diag;		/* an error diagnostic at line 1 */
};

static const struct rs_case cases[] = {
	{ "plain -c", "exec tcpserver -v -R -c 50 0 smtp qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, 50, 1, "tcpserver -c 50", 0, 0, NULL },
	{ "combined flags -vRHc7", "tcpserver -vRHc7 0 110 qmail-popup x\n",
	    LK_CONC_SERVICE, LSVC_POP3, 7, 1, NULL, 0, 0, NULL },
	{ "no -c: default 40", "tcpserver -v 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, 40, 1, "default of 40", 0, 1, NULL },
	{ "tcpserver-ssl -t is the handshake",
	    "tcpserver-ssl -t 30 -c 10 0 465 qmail-smtpd\n",
	    LK_TIMEOUT_HANDSHAKE, LSVC_SMTPS, 30, 1, "TLS-patched", 0, 0, NULL },
	{ "tcpserver-ssl without -t has none",
	    "/usr/local/bin/tcpserver-ssl -c 10 0 465 qmail-smtpd\n",
	    LK_TIMEOUT_HANDSHAKE, LSVC_SMTPS, -1, 1, "no TLS handshake", 0, 0,
	    NULL },
	{ "sslserver -T", "sslserver -T 20 -w 300 -c 5 0 993 imapd\n",
	    LK_TIMEOUT_HANDSHAKE, LSVC_IMAPS, 20, 1, "ucspi-ssl", 0, 0, NULL },
	{ "sslserver -w", "sslserver -T 20 -w 300 -c 5 0 993 imapd\n",
	    LK_TIMEOUT_IDLE, LSVC_IMAPS, 300, 1, NULL, 0, 0, NULL },
	{ "ucspi-tcp -t is ident, -R makes it inert",
	    "tcpserver -t 5 -R -c 5 0 25 qmail-smtpd\n",
	    LK_TIMEOUT_IDENT, LSVC_SMTP, 5, 1, "ident", 1, 0, NULL },
	{ "unknown option: nothing read",
	    "tcpserver -Z -c 5 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, -99, 1, NULL, 0, 0, "unknown option -Z" },
	{ "unset variable: never guessed",
	    "tcpserver -c \"$MAXSMTPD\" 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, -99, 1, NULL, 0, 0, "value not known" },
	{ "not a number", "tcpserver -c lots 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, -99, 1, NULL, 0, 0, "not a number" },
	{ "unbalanced quote", "tcpserver -c \"5 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, -99, 1, NULL, 0, 0, "cannot parse" },
	{ "exported MAXCONNIP (limits patch)",
	    "MAXCONNIP=5\nexport MAXCONNIP\ntcpserver -c 9 0 25 qmail-smtpd\n",
	    LK_CONC_IP, LSVC_SMTP, 5, 3, "environment", 0, 0, NULL },
	{ "unexported variable is not in the environment",
	    "MAXCONNIP=5\ntcpserver -c 9 0 25 qmail-smtpd\n",
	    LK_CONC_IP, LSVC_SMTP, -99, 0, NULL, 0, 0, NULL },
	{ "VAR=x prefix is in the environment",
	    "QMAIL_SMTPD_TIMEOUT=77 tcpserver -c 9 0 587 qmail-smtpd\n",
	    LK_TIMEOUT_IDLE, LSVC_SUBMISSION, 77, 1, NULL, 0, 0, NULL },
	{ "couriertcpd", "couriertcpd -maxprocs=40 -maxperip=4 -nodnslookup "
	    "143 imapd\n", LK_CONC_IP, LSVC_IMAP, 4, 1, NULL, 0, 0, NULL },
	{ "tcpsvd -C per host", "chpst -m 1000000 tcpsvd -c 3 -C 2:busy 0 110 "
	    "qmail-popup\n", LK_CONC_IP, LSVC_POP3, 2, 1, NULL, 0, 0, NULL },
	{ "chpst -m", "chpst -m 1000000 tcpsvd -c 3 0 110 qmail-popup\n",
	    LK_MEMORY, LSVC_POP3, 1000000, 1, NULL, 0, 0, NULL },
	{ "softlimit -m belongs to the listener",
	    "exec softlimit -m 64000000 tcpserver -c 5 0 smtp qmail-smtpd\n",
	    LK_MEMORY, LSVC_SMTP, 64000000, 1, NULL, 0, 0, NULL },
	{ "continuation lines keep the first line",
	    "# comment\nexec tcpserver -v \\\n   -c 12 \\\n   0 587 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SUBMISSION, 12, 2, NULL, 0, 0, NULL },
	{ "argv0", "argv0 /usr/bin/tcpserver tcpserver -c 3 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, 3, 1, NULL, 0, 0, NULL },
	{ "port from the program when unknown",
	    "tcpserver -c 6 0 \"$PORT\" qmail-popup host vchkpw\n",
	    LK_CONC_SERVICE, LSVC_POP3, 6, 1, NULL, 0, 0, NULL },
	{ "${VAR:-default}", "tcpserver -c ${MAX:-17} 0 25 qmail-smtpd\n",
	    LK_CONC_SERVICE, LSVC_SMTP, 17, 1, NULL, 0, 0, NULL },
	{ "if/then and ; operators",
	    "if true; then exec tcpserver -c 8 0 25 qmail-smtpd 2>&1; fi\n",
	    LK_CONC_SERVICE, LSVC_SMTP, 8, 1, NULL, 0, 0, NULL },
};

static void
test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rs_case *c = &cases[i];
		struct limits l;
		const struct limits_item *it;
		char *root = make_root();

		assert_non_null(root);
		limits_init(&l);
		assert_int_equal(runscript_parse(&l, root, "service/x", "run",
		    c->script, strlen(c->script)), 0);
		it = find_item(&l, c->kind, c->svc);
		if (c->value == -99) {
			if (it != NULL)
				fail_msg("%s: got an item (%ld), want none",
				    c->name, it->value);
		} else {
			if (it == NULL)
				fail_msg("%s: no item of kind %d on %s", c->name,
				    c->kind, limits_svc_name(c->svc));
			if (it->value != c->value)
				fail_msg("%s: got %ld, want %ld", c->name,
				    it->value, c->value);
			if (it->line != c->line)
				fail_msg("%s: line %lu, want %lu", c->name,
				    it->line, c->line);
			if (c->detail != NULL && strstr(it->detail, c->detail) ==
			    NULL)
				fail_msg("%s: detail \"%s\" lacks \"%s\"",
				    c->name, it->detail, c->detail);
			if ((it->inert != NULL) != c->inert)
				fail_msg("%s: inert %s", c->name, it->inert ?
				    it->inert : "(none)");
			if (it->is_default != c->is_default)
				fail_msg("%s: is_default %d", c->name,
				    it->is_default);
		}
		if (c->diag != NULL && find_diag(&l, 1, c->diag) == NULL)
			fail_msg("%s: no diagnostic \"%s\" at line 1", c->name,
			    c->diag);
		if (c->diag == NULL && count_errors(&l) != 0)
			fail_msg("%s: unexpected diagnostic %s", c->name,
			    l.diags[0].text);
		limits_free(&l);
		rm_root(root);
	}
}

/* The Life-with-qmail script of samples/oldhost: `cat` of a control file,
 * envdir ./env, softlimit. */
static void
test_control_file_and_envdir(void **state)
{
	static const char run[] =
	    "#!/bin/sh\n"
	    "QMAILDUID=`id -u vpopmail`\n"
	    "MAXSMTPD=`cat /var/qmail/control/concurrencyincoming`\n"
	    "exec /usr/bin/envdir ./env \\\n"
	    "    /usr/bin/softlimit -m 64000000 \\\n"
	    "    /usr/bin/tcpserver -v -R -x /etc/tcp.smtp.cdb -c \"$MAXSMTPD\" \\\n"
	    "        -u \"$QMAILDUID\" 0 smtp qmail-smtpd 2>&1\n";
	struct limits l;
	const struct limits_item *it;
	char *root = make_root();

	(void)state;
	assert_non_null(root);
	assert_int_equal(put_file(root, "var/qmail/control/concurrencyincoming",
	    "100\n"), 0);
	assert_int_equal(put_file(root, "service/qmail-smtpd/env/"
	    "QMAIL_SMTPD_TIMEOUT", "300\n"), 0);
	assert_int_equal(put_file(root, "etc/tcp.smtp",
	    ":allow,MAXCONNIP=\"20\"\n"), 0);
	limits_init(&l);
	assert_int_equal(runscript_parse(&l, root, "/service/qmail-smtpd",
	    "service/qmail-smtpd/run", run, strlen(run)), 0);
	it = find_item(&l, LK_CONC_SERVICE, LSVC_SMTP);
	assert_non_null(it);
	assert_int_equal(it->value, 100);
	assert_int_equal(it->line, 4);
	assert_non_null(strstr(it->detail, "concurrencyincoming"));
	it = find_item(&l, LK_TIMEOUT_IDLE, LSVC_SMTP);
	assert_non_null(it);
	assert_int_equal(it->value, 300);
	assert_string_equal(it->file, "service/qmail-smtpd/env/"
	    "QMAIL_SMTPD_TIMEOUT");
	it = find_item(&l, LK_MEMORY, LSVC_SMTP);
	assert_non_null(it);
	assert_int_equal(it->value, 64000000);
	/* -x: the text rules were read, with their line numbers */
	it = find_item(&l, LK_CONC_IP, LSVC_SMTP);
	assert_non_null(it);
	assert_int_equal(it->value, 20);
	assert_string_equal(it->file, "etc/tcp.smtp");
	assert_int_equal(count_errors(&l), 0);
	limits_free(&l);
	rm_root(root);
}

static void
test_missing_rules_file_is_listed(void **state)
{
	static const char run[] = "tcpserver -x /etc/nope.cdb -c 5 0 25 x\n";
	struct limits l;
	char *root = make_root();

	(void)state;
	limits_init(&l);
	assert_int_equal(runscript_parse(&l, root, "service/s", "service/s/run",
	    run, strlen(run)), 0);
	assert_non_null(find_diag(&l, 1, "etc/nope.cdb: missing"));
	assert_string_equal(l.diags[0].file, "service/s/run");
	limits_free(&l);
	rm_root(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_control_file_and_envdir),
		cmocka_unit_test(test_missing_rules_file_is_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
