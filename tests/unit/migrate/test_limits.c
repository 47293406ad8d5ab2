/*
 * NAME		test_limits - the whole module on a small old host: read,
 *		conflicts (tighter kept, or looser when told), sizing from
 *		logs, and what each writer returns
 * DOES		builds the tree in a private directory
 * NEVER	writes outside it
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate/oldhost/readers.h"
#include "migrate/model/model.h"
#include "migrate/oldhost/logscan.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "test_limits_util.h"

static char *
tree(void)
{
	char *root = make_root();

	assert_non_null(root);
	assert_int_equal(put_file(root, "service/smtpd/run",
	    "#!/bin/sh\nexec tcpserver -v -R -x /etc/tcp.smtp.cdb -c 5 "
	    "0 smtp qmail-smtpd\n"), 0);
	assert_int_equal(put_file(root, "service/imapd/run",
	    "#!/bin/sh\nexec tcpserver -v -R -c 100 0 143 imapd Maildir\n"), 0);
	assert_int_equal(put_file(root, "service/smtps/run",
	    "exec tcpserver-ssl -c 7 0 465 qmail-smtpd\n"), 0);
	assert_int_equal(put_file(root, "etc/tcp.smtp",
	    ":allow,MAXCONNIP=\"2\"\n127.0.0.3:allow,RELAYCLIENT=\"\"\n"
	    "10.9.9.9:deny\n"), 0);
	assert_int_equal(put_file(root, "etc/courier/imapd",
	    "MAXDAEMONS=40\nMAXPERIP=4\n"), 0);
	assert_int_equal(put_file(root, "etc/xinetd.d/pop3s",
	    "service pop3s\n{\n\tcps = 50 10\n\tper_source = 3\n}\n"), 0);
	assert_int_equal(put_file(root, "var/qmail/control/timeoutsmtpd",
	    "600\n"), 0);
	assert_int_equal(put_file(root, "etc/sysctl.conf",
	    "net.ipv4.tcp_keepalive_time = 300\n"), 0);
	return root;
}

static const struct limits_setting *
setting(const struct limits *l, enum limits_target t, enum limits_svc svc)
{
	size_t i;

	for (i = 0; i < l->nsettings; i++)
		if (l->settings[i].target == t && l->settings[i].svc == svc)
			return &l->settings[i];
	return NULL;
}

static void
test_read_and_write(void **state)
{
	struct limits l;
	struct limits_master m;
	struct qstr q = QSTR_INIT(1 << 22);
	const struct limits_setting *s;
	char *root = tree();
	json_t *j;

	(void)state;
	limits_init(&l);
	assert_int_equal(limits_read(&l, root, NULL), 0);
	assert_int_equal(limits_recommend(&l, NULL), 0);
	/* courier MAXDAEMONS 40 vs tcpserver -c 100 on 143: tighter kept */
	assert_int_equal(l.nconflicts, 1);
	assert_int_equal(l.items[l.conflicts[0].kept].value, 40);
	s = setting(&l, LT_DC_LOGIN_PROCESSES, LSVC_IMAP);
	assert_non_null(s);
	assert_int_equal(s->value, 40);

	assert_int_equal(limits_postfix_main(&l, &q), 0);
	assert_non_null(strstr(q.buf, "# from etc/tcp.smtp:1 (tcprules: "
	    "MAXCONNIP=\"2\" for every client)\n"
	    "smtpd_client_connection_count_limit = 2\n"));
	assert_non_null(strstr(q.buf, "\nsmtpd_timeout = 600s\n"));
	assert_non_null(strstr(q.buf, "\nmynetworks = 127.0.0.3\n"));
	assert_non_null(strstr(q.buf, "check_client_access cidr:"));
	qstr_reset(&q);
	assert_int_equal(limits_postfix_client_access(&l, &q), 0);
	assert_non_null(strstr(q.buf, "# from etc/tcp.smtp:3\n10.9.9.9 "));
	assert_non_null(strstr(q.buf, "REJECT"));

	limits_master_init(&m);
	assert_int_equal(limits_postfix_master(&l, "smtp", &m), 0);
	assert_int_equal(m.maxproc, 5);
	assert_non_null(strstr(m.comment.buf, "service/smtpd/run:2"));
	limits_master_free(&m);
	limits_master_init(&m);
	assert_int_equal(limits_postfix_master(&l, "smtps", &m), 0);
	assert_int_equal(m.maxproc, 7);
	/* no handshake timeout on the old TLS listener: 30 s + deadline */
	assert_non_null(strstr(m.options.buf, "-o smtpd_starttls_timeout=30s\n"));
	assert_non_null(strstr(m.options.buf,
	    "-o smtpd_per_request_deadline=yes\n"));
	limits_master_free(&m);
	limits_master_init(&m);
	assert_int_equal(limits_postfix_master(&l, "pop3", &m), QPM_EINVAL);
	limits_master_free(&m);

	qstr_reset(&q);
	assert_int_equal(dovecot_limits_conf(&l, 23, 0, &q), 0);
	assert_non_null(strstr(q.buf, "service imap-login {\n"));
	assert_non_null(strstr(q.buf, "  process_limit = 40\n"));
	assert_non_null(strstr(q.buf, "mail_max_userip_connections = 20\n"));
	qstr_reset(&q);
	assert_int_equal(limits_nftables(&l, &q), 0);
	assert_non_null(strstr(q.buf, "# from etc/courier/imapd:2"));
	assert_non_null(strstr(q.buf, "tcp dport 143 ct state new add @conn"));
	assert_non_null(strstr(q.buf, "ct count over 4 } reject"));
	assert_non_null(strstr(q.buf, "tcp dport 995 ct state new add @conn"));
	assert_non_null(strstr(q.buf, "# tcp dport 995 ct state new limit rate "
	    "over 50/second drop"));
	qstr_reset(&q);
	assert_int_equal(limits_sysctl(&l, &q), 0);
	assert_non_null(strstr(q.buf, "net.ipv4.tcp_keepalive_time = 300\n"));
	qstr_reset(&q);
	assert_int_equal(limits_report(&l, &q), 0);
	assert_non_null(strstr(q.buf, "xinetd cps switches the whole service "
	    "off"));
	assert_non_null(strstr(q.buf, "Conflicting limits"));
	assert_non_null(strstr(q.buf, "Before and after"));
	j = limits_json(&l);
	assert_non_null(j);
	assert_true(json_is_array(json_object_get(j, "items")));
	assert_true(json_is_array(json_object_get(j, "settings")));
	assert_null(json_object_get(j, "logs"));
	json_decref(j);
	qstr_free(&q);
	limits_free(&l);

	/* told to keep the looser one */
	{
		struct limits_policy pol = { 0, 1, 0 };

		limits_init(&l);
		assert_int_equal(limits_read(&l, root, NULL), 0);
		assert_int_equal(limits_recommend(&l, &pol), 0);
		s = setting(&l, LT_DC_LOGIN_PROCESSES, LSVC_IMAP);
		assert_int_equal(s->value, 100);
		limits_free(&l);
	}
	rm_root(root);
}

/* The Dovecot limits come block by block, inner lines only, for the
 * writer to place; 2.4 says restart_request_count for service_count. */
static void
test_dovecot_blocks(void **state)
{
	struct model *m = model_new();
	struct qstr q = QSTR_INIT(1 << 22);
	char *root = tree();

	(void)state;
	assert_non_null(m);
	assert_int_equal(limits_read(&m->climits, root, NULL), 0);
	assert_int_equal(limits_recommend(&m->climits, NULL), 0);
	assert_int_equal(dovecot_limits_block(&m->climits, 23, DCB_IMAP_LOGIN,
	    &q), 0);
	assert_non_null(strstr(q.buf, "  # from "));
	assert_non_null(strstr(q.buf, "  service_count = 1\n"
	    "  process_limit = 40\n"));
	assert_null(strchr(q.buf, '{'));
	qstr_reset(&q);
	assert_int_equal(dovecot_limits_block(&m->climits, 24, DCB_IMAP_LOGIN,
	    &q), 0);
	assert_non_null(strstr(q.buf, "  restart_request_count = 1\n"));
	assert_null(strstr(q.buf, "service_count"));
	qstr_reset(&q);
	assert_int_equal(dovecot_limits_block(&m->climits, 23, DCB_PROTO_IMAP,
	    &q), 0);
	assert_non_null(strstr(q.buf, "  mail_max_userip_connections = 20\n"));
	assert_null(strchr(q.buf, '{'));
	qstr_reset(&q);
	assert_int_equal(dovecot_limits_block(&m->climits, 23, DCB_LMTP, &q),
	    0);
	assert_int_equal(q.len, 0);
	/* the blocks a writer placed itself are left out of the rest */
	assert_int_equal(dovecot_limits_conf(&m->climits, 23,
	    DCB_BIT(DCB_PROTO_IMAP), &q), 0);
	assert_null(strstr(q.buf, "protocol imap {"));
	assert_non_null(strstr(q.buf, "service imap-login {\n"));
	assert_non_null(strstr(q.buf, "protocol pop3 {\n"));
	assert_true(strncmp(q.buf, "# connection limits of the old host "
	    "(Dovecot 2.3 syntax", 54) == 0);
	qstr_free(&q);
	model_free(m);		/* frees climits */
	rm_root(root);
}

/* The logs show the listener full: the recommendation doubles it and is
 * written only with size_from_logs. */
static void
test_sizing_from_logs(void **state)
{
	static const char log[] =
	    "@400000006afa9bea00000000 tcpserver: status: 5/5\n"
	    "@400000006afa9bea00000001 tcpserver: ok 1 h:192.0.2.10:25 "
	    ":1.2.3.4::5\n";
	struct limits_policy pol = { 1, 0, 50 };
	const struct limits_setting *s;
	struct logscan *ls;
	struct limits l;
	char *root = tree();
	json_t *j, *h;

	(void)state;
	limits_init(&l);
	assert_int_equal(limits_read(&l, root, NULL), 0);
	assert_non_null(ls = logscan_new(&l));
	assert_int_equal(logscan_buf(ls, "smtpd/current", log, sizeof(log) - 1,
	    0), 0);
	logscan_free(ls);
	assert_int_equal(limits_recommend(&l, NULL), 0);
	s = setting(&l, LT_PF_MAXPROC, LSVC_SMTP);
	assert_int_equal(s->old, 5);
	assert_int_equal(s->errors, 1);
	assert_int_equal(s->recommended, 10);
	assert_int_equal(s->value, 5);	/* equivalent by default */
	assert_int_equal(limits_recommend(&l, &pol), 0);
	s = setting(&l, LT_PF_MAXPROC, LSVC_SMTP);
	assert_int_equal(s->value, 10);
	assert_true(s->from_logs);
	assert_non_null(strstr(s->why, "doubled"));
	j = limits_json(&l);
	h = json_object_get(json_object_get(json_object_get(json_object_get(j,
	    "logs"), "services"), "smtp"), "hours");
	assert_non_null(h);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(h,
	    "peak"), 0)), 5);
	json_decref(j);
	limits_free(&l);
	rm_root(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_and_write),
		cmocka_unit_test(test_dovecot_blocks),
		cmocka_unit_test(test_sizing_from_logs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
