/*
 * NAME		test_courier - courier-imap settings: MAXDAEMONS, MAXPERIP,
 *		-maxperc, the *START switches, the -ssl files reading the
 *		plain ones
 * DOES		parses text and reads a private tree
 * NEVER	depends on the host
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate/oldhost/readers.h"
#include "test_limits_util.h"

static void
test_imapd(void **state)
{
	static const char imapd[] =
	    "##NAME: MAXDAEMONS:0\n"
	    "MAXDAEMONS=40\n"
	    "MAXPERIP=\"4\"\n"
	    "TCPDOPTS=\"-nodnslookup -noidentlookup -maxperc=12\"\n"
	    "IMAPDSTART=YES\n";
	struct limits l;
	const struct limits_item *it;

	(void)state;
	limits_init(&l);
	assert_int_equal(courier_parse(&l, "etc/courier-imap/imapd", imapd,
	    sizeof(imapd) - 1), 0);
	it = find_item(&l, LK_CONC_SERVICE, LSVC_IMAP);
	assert_non_null(it);
	assert_int_equal(it->value, 40);
	assert_int_equal(it->line, 2);
	it = find_item(&l, LK_CONC_IP, LSVC_IMAP);
	assert_non_null(it);
	assert_int_equal(it->value, 4);
	assert_int_equal(it->line, 3);
	it = find_item(&l, LK_CONC_NET24, LSVC_IMAP);
	assert_non_null(it);
	assert_int_equal(it->value, 12);
	assert_null(it->inert);
	limits_free(&l);
}

static void
test_not_started_and_bad(void **state)
{
	static const char pop3d[] =
	    "MAXDAEMONS=forty\n"
	    "MAXPERIP=4\n"
	    "POP3DSTART=NO\n";
	static const char unclosed[] = "MAXPERIP=\"4\n";
	struct limits l;
	const struct limits_item *it;

	(void)state;
	limits_init(&l);
	assert_int_equal(courier_parse(&l, "pop3d", pop3d, sizeof(pop3d) - 1),
	    0);
	assert_null(find_item(&l, LK_CONC_SERVICE, LSVC_POP3));
	assert_non_null(find_diag(&l, 1, "not a number"));
	it = find_item(&l, LK_CONC_IP, LSVC_POP3);
	assert_non_null(it);
	assert_non_null(it->inert);
	assert_non_null(strstr(it->inert, "POP3DSTART=NO"));
	limits_free(&l);
	limits_init(&l);
	assert_int_equal(courier_parse(&l, "imapd", unclosed,
	    sizeof(unclosed) - 1), 0);
	assert_non_null(find_diag(&l, 1, "quote not closed"));
	assert_int_equal(l.nitems, 0);
	limits_free(&l);
}

static void
test_ssl_reads_plain(void **state)
{
	struct limits l;
	const struct limits_item *it;
	char *root = make_root();

	(void)state;
	assert_int_equal(put_file(root, "etc/courier-imap/imapd",
	    "MAXDAEMONS=40\nMAXPERIP=4\nIMAPDSTART=YES\n"), 0);
	assert_int_equal(put_file(root, "etc/courier-imap/imapd-ssl",
	    "SSLPORT=993\nIMAPDSSLSTART=YES\n"), 0);
	limits_init(&l);
	assert_int_equal(courier_read(&l, root, "/etc/courier-imap"), 0);
	it = find_item(&l, LK_CONC_SERVICE, LSVC_IMAPS);
	assert_non_null(it);
	assert_int_equal(it->value, 40);
	assert_string_equal(it->file, "etc/courier-imap/imapd");
	assert_non_null(strstr(it->detail, "imapd-ssl reads imapd"));
	assert_non_null(find_item(&l, LK_CONC_IP, LSVC_IMAPS));
	limits_free(&l);
	rm_root(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imapd),
		cmocka_unit_test(test_not_started_and_bad),
		cmocka_unit_test(test_ssl_reads_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
