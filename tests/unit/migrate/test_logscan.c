/*
 * NAME		test_logscan - the log scanner on hand-made lines: tcpserver
 *		status and pid pairs, courier, xinetd, Dovecot, vchkpw;
 *		multilog and syslog stamps; the per-hour series
 * DOES		expected values are counted by hand from the lines below
 * NEVER	reads the host's logs
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate/oldhost/logscan.h"
#include "test_limits_util.h"

/* 2026-11-16 06:00:00 UTC = 1794808800; TAI64 label = 2^62 + 10 + t */
#define T0	"@400000006afa9bea00000000"	/* 06:00:00 */
#define T1	"@400000006afa9beb00000000"	/* 06:00:01 */
#define T2	"@400000006afaa9fa00000000"	/* 07:00:00 */

static const char multilog[] =
    T0 " tcpserver: status: 1/3\n"
    T0 " tcpserver: pid 10 from 198.51.100.7\n"
    T0 " tcpserver: ok 10 mail.example.com:192.0.2.10:25 :198.51.100.7::4000\n"
    T0 " tcpserver: status: 2/3\n"
    T0 " tcpserver: pid 11 from 198.51.100.7\n"
    T1 " tcpserver: status: 3/3\n"
    T1 " tcpserver: pid 12 from 198.51.100.8\n"
    T1 " tcpserver: end 10 status 0\n"
    T1 " tcpserver: status: 2/3\n"
    T1 " tcpserver: deny 13 mail.example.com:192.0.2.10:25 :198.51.100.23::1\n"
    T2 " tcpserver: status: 1/3\n"
    T2 " tcpserver: pid 14 from 198.51.100.9\n"
    "garbage line without a stamp\n";

static const char syslog[] =
    "Nov 16 06:10:00 mail imapd: Connection, ip=[::ffff:203.0.113.10]\n"
    "Nov 16 06:10:01 mail imapd: LOGIN, user=a@example.com, "
    "ip=[::ffff:203.0.113.10], port=[1], protocol=IMAP\n"
    "Nov 16 06:10:02 mail imapd: LOGIN, user=a@example.com, "
    "ip=[::ffff:203.0.113.10], port=[2], protocol=IMAP\n"
    "Nov 16 06:10:03 mail imapd: LOGOUT, user=a@example.com, "
    "ip=[::ffff:203.0.113.10], headers=0\n"
    "Nov 16 06:10:04 mail imapd: Maximum connection limit reached for "
    "::ffff:203.0.113.10\n"
    "Nov 16 06:20:00 mail xinetd[5]: START: pop3s pid=100 from=::ffff:1.2.3.4\n"
    "Nov 16 06:20:01 mail xinetd[5]: START: pop3s pid=101 from=::ffff:1.2.3.4\n"
    "Nov 16 06:20:02 mail xinetd[5]: EXIT: pop3s status=0 pid=100 "
    "duration=2(sec)\n"
    "Nov 16 06:20:03 mail xinetd[5]: FAIL: pop3s per_source_limit "
    "from=::ffff:1.2.3.4\n"
    "Nov 16 06:30:00 mail vpopmail[7]: vchkpw-pop3: password fail (pass: "
    "'x') b@example.com:1.2.3.4\n"
    "Nov 16 06:30:01 mail vpopmail[8]: vchkpw-pop3: (PLAIN) login success "
    "b@example.com:1.2.3.4\n"
    "Nov 16 06:40:00 mail dovecot: imap-login: Login: user=<c@example.com>, "
    "method=PLAIN, rip=203.0.113.11, lip=192.0.2.10, mpid=1, TLS\n"
    "Nov 16 06:40:01 mail dovecot: imap-login: Maximum number of connections "
    "from user+IP exceeded (mail_max_userip_connections=10): user=<c@e>\n"
    "Nov 16 06:40:02 mail dovecot: master: Warning: service(imap-login): "
    "process_limit (100) reached, client connections are being dropped\n"
    "Nov 16 06:40:03 mail dovecot: imap(c@example.com): Disconnected: "
    "Logged out in=1 out=2\n";

static unsigned long
err_count(const struct limits *l, enum limits_logerr_kind k,
    enum limits_svc svc, long *limit)
{
	size_t i;

	for (i = 0; i < l->logs.nerrs; i++)
		if (l->logs.errs[i].kind == k && l->logs.errs[i].svc == svc) {
			*limit = l->logs.errs[i].limit;
			return l->logs.errs[i].count;
		}
	return 0;
}

static void
test_tcpserver_multilog(void **state)
{
	struct limits l;
	struct logscan *s;
	const struct limits_svcstats *ss;
	long lim = -1;

	(void)state;
	limits_init(&l);
	assert_non_null(s = logscan_new(&l));
	/* the file name says smtp; the ok line confirms port 25 */
	assert_int_equal(logscan_buf(s, "log/smtpd/current", multilog,
	    sizeof(multilog) - 1, 0), 0);
	logscan_free(s);
	ss = &l.logs.svc[LSVC_SMTP];
	assert_int_equal(ss->peak, 3);
	assert_int_equal(ss->peak_at, 1794808801);
	assert_int_equal(ss->status_max, 3);
	assert_int_equal(ss->at_limit, 1);
	assert_int_equal(ss->connections, 4);
	assert_int_equal(ss->peak_ip, 2);
	assert_string_equal(ss->peak_ip_addr, "198.51.100.7");
	assert_int_equal(ss->denied, 1);
	assert_int_equal(err_count(&l, LE_TCPSERVER_FULL, LSVC_SMTP, &lim), 1);
	assert_int_equal(lim, 3);
	/* two hours: 06:00 peak 3 with 3 connections, 07:00 peak 1 */
	assert_int_equal(ss->hours.first_hour, 1794808800 / 3600);
	assert_int_equal(ss->hours.n, 2);
	assert_int_equal(ss->hours.peak[0], 3);
	assert_int_equal(ss->hours.conns[0], 3);
	assert_int_equal(ss->hours.peak[1], 1);
	assert_int_equal(l.logs.lines, 13);
	assert_int_equal(l.logs.lines_used, 12);
	limits_free(&l);
}

static void
test_syslog_services(void **state)
{
	struct limits l;
	struct logscan *s;
	long lim = -1;

	(void)state;
	limits_init(&l);
	l.log_year = 2026;
	assert_non_null(s = logscan_new(&l));
	assert_int_equal(logscan_buf(s, "maillog", syslog, sizeof(syslog) - 1,
	    0), 0);
	logscan_free(s);
	/* courier: two logins of one user from one IP, then one logout */
	assert_int_equal(l.logs.svc[LSVC_IMAP].peak_userip, 2);
	assert_int_equal(l.logs.svc[LSVC_IMAP].connections, 2);
	assert_int_equal(err_count(&l, LE_PERIP, LSVC_IMAP, &lim), 1);
	/* xinetd: two at once from one IP */
	assert_int_equal(l.logs.svc[LSVC_POP3S].peak, 2);
	assert_int_equal(l.logs.svc[LSVC_POP3S].peak_ip, 2);
	assert_int_equal(err_count(&l, LE_PERIP, LSVC_POP3S, &lim), 1);
	/* vchkpw */
	assert_int_equal(l.logs.svc[LSVC_POP3].login_fail, 1);
	assert_int_equal(l.logs.svc[LSVC_POP3].login_ok, 1);
	/* dovecot */
	assert_int_equal(err_count(&l, LE_USERIP, LSVC_IMAP, &lim), 1);
	assert_int_equal(lim, 10);
	assert_int_equal(err_count(&l, LE_PROCESS_LIMIT, LSVC_IMAP, &lim), 1);
	assert_int_equal(lim, 100);
	/* syslog time: Nov 16 06:10:00 2026 UTC */
	assert_int_equal(l.logs.first, 1794809400);
	limits_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcpserver_multilog),
		cmocka_unit_test(test_syslog_services),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
