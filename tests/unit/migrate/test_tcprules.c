/*
 * NAME		test_tcprules - tcprules text and cdb: rules, variables, the
 *		cdb records tcprules writes, CIDR forms, bad lines
 * DOES		builds cdb files with tinycdb in the layout tcprules(1) uses
 *		("D\0" for deny, "+VAR=value\0" per variable, ranges expanded)
 * NEVER	depends on the host
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <cmocka.h>
#include <cdb.h>
#include <jansson.h>
#include <string.h>

#include "migrate/oldhost/readers.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "test_limits_util.h"

static const char rules[] =
    "# comment\n"
    "127.:allow,RELAYCLIENT=\"\",RBLSMTPD=\"\"\n"
    "192.0.2.50:allow,RELAYCLIENT=\"@fax\"\n"
    "198.51.100.23:deny\n"
    "198.51.100.200-202:deny\n"
    "=.dyn.isp.example:allow,RBLSMTPD='-go away'\n"
    "198.51.100.99 deny\n"
    ":allow,MAXCONNIP=\"20\",MAXCONNC=\"40\",DATABYTES=\"1000\"\n";

static const struct limits_item *
by_addr(const struct limits *l, enum limits_kind kind, const char *addr)
{
	size_t i;

	for (i = 0; i < l->nitems; i++)
		if (l->items[i].kind == kind && l->items[i].addr != NULL &&
		    strcmp(l->items[i].addr, addr) == 0)
			return &l->items[i];
	return NULL;
}

static void
test_text_rules(void **state)
{
	struct limits l;
	const struct limits_item *it;

	(void)state;
	limits_init(&l);
	assert_int_equal(tcprules_parse_text(&l, LSVC_SMTP, "etc/tcp.smtp",
	    rules, sizeof(rules) - 1), 0);
	it = by_addr(&l, LK_RELAY, "127.");
	assert_non_null(it);
	assert_int_equal(it->value, 0);
	assert_int_equal(it->line, 2);
	assert_null(it->inert);
	it = by_addr(&l, LK_RELAY, "192.0.2.50");
	assert_non_null(it);
	assert_non_null(it->inert);	/* RELAYCLIENT with a value */
	assert_non_null(strstr(it->inert, "appends"));
	it = by_addr(&l, LK_ACCESS_DENY, "198.51.100.200-202");
	assert_non_null(it);
	assert_int_equal(it->line, 5);
	it = by_addr(&l, LK_CONC_IP, "");
	assert_non_null(it);
	assert_int_equal(it->value, 20);
	assert_int_equal(it->line, 8);
	it = by_addr(&l, LK_CONC_NET24, "");
	assert_non_null(it);
	assert_int_equal(it->value, 40);
	it = by_addr(&l, LK_CLIENT_ENV, "=.dyn.isp.example");
	assert_non_null(it);
	assert_string_equal(it->detail, "RBLSMTPD=\"-go away\"");
	/* the line tcprules skips silently is listed */
	assert_non_null(find_diag(&l, 7, "no ':'"));
	assert_null(by_addr(&l, LK_ACCESS_DENY, "198.51.100.99"));
	limits_free(&l);
}

static void
test_bad_rules(void **state)
{
	static const struct {
		const char *rule, *diag;
	} bad[] = {
		{ "1.2.3.4:block\n", "neither allow nor deny" },
		{ "1.2.3.4:allow,X=\"open\n", "not closed" },
		{ "1.2.3.4:allow,NOVALUE\n", "without =value" },
		{ "1.2.3.4:allow,MAXCONNIP=\"many\"\n", "not a number" },
		{ "1.2.3.4:allow,X=\"a\"junk\n", "text after" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct limits l;

		limits_init(&l);
		assert_int_equal(tcprules_parse_text(&l, LSVC_SMTP, "r",
		    bad[i].rule, strlen(bad[i].rule)), 0);
		if (find_diag(&l, 1, bad[i].diag) == NULL)
			fail_msg("%s: no diagnostic \"%s\"", bad[i].rule,
			    bad[i].diag);
		limits_free(&l);
	}
}

static int
add_rec(struct cdb_make *cm, const char *key, const char *data, size_t dlen)
{
	return cdb_make_add(cm, key, (unsigned)strlen(key), data,
	    (unsigned)dlen);
}

static void
test_cdb_records(void **state)
{
	char *root = make_root(), path[4200];
	struct cdb_make cm;
	struct limits l;
	struct qstr q = QSTR_INIT(1 << 20);
	const struct limits_item *it;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/rules.cdb", root);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(cdb_make_start(&cm, fd), 0);
	assert_int_equal(add_rec(&cm, "10.1.2.3", "D\0", 2), 0);
	assert_int_equal(add_rec(&cm, "127.", "+RELAYCLIENT=\0", 14), 0);
	assert_int_equal(add_rec(&cm, "", "+MAXCONNIP=8\0+X=a b\0", 20), 0);
	assert_int_equal(cdb_make_finish(&cm), 0);
	close(fd);
	assert_int_equal(file_read_all(path, 1 << 20, 0, &q), 0);
	limits_init(&l);
	assert_int_equal(tcprules_parse_cdb(&l, LSVC_SMTPS, "rules.cdb",
	    q.buf, q.len), 0);
	it = by_addr(&l, LK_ACCESS_DENY, "10.1.2.3");
	assert_non_null(it);
	assert_int_equal(it->line, 1);	/* record number */
	assert_int_equal(it->svc, LSVC_SMTPS);
	assert_non_null(by_addr(&l, LK_RELAY, "127."));
	it = by_addr(&l, LK_CONC_IP, "");
	assert_non_null(it);
	assert_int_equal(it->value, 8);
	it = by_addr(&l, LK_CLIENT_ENV, "");
	assert_non_null(it);
	assert_string_equal(it->detail, "X=\"a b\"");
	assert_int_equal(count_errors(&l), 0);
	limits_free(&l);
	/* a truncated cdb is listed, not read */
	limits_init(&l);
	assert_int_equal(tcprules_parse_cdb(&l, LSVC_SMTP, "rules.cdb",
	    q.buf, q.len - 7), 0);
	assert_non_null(find_diag(&l, 0, "not a cdb"));
	assert_int_equal(count_items(&l, LK_ACCESS_DENY), 0);
	limits_free(&l);
	qstr_free(&q);
	rm_root(root);
}

/* text and cdb both present: the text is read for its line numbers when
 * they agree, the cdb when the text was edited later */
static void
test_text_and_cdb(void **state)
{
	char *root = make_root(), path[4200];
	struct cdb_make cm;
	struct limits l;
	int fd;

	(void)state;
	assert_int_equal(put_file(root, "etc/tcp.smtp",
	    "10.1.2.3:deny\n:allow\n"), 0);
	snprintf(path, sizeof(path), "%s/etc/tcp.smtp.cdb", root);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(cdb_make_start(&cm, fd), 0);
	assert_int_equal(add_rec(&cm, "10.1.2.3", "D\0", 2), 0);
	assert_int_equal(add_rec(&cm, "", "", 0), 0);
	assert_int_equal(cdb_make_finish(&cm), 0);
	close(fd);
	limits_init(&l);
	assert_int_equal(tcprules_read(&l, root, LSVC_SMTP, "/etc/tcp.smtp.cdb",
	    "run", 1), 0);
	assert_string_equal(find_item(&l, LK_ACCESS_DENY, LSVC_SMTP)->file,
	    "etc/tcp.smtp");
	assert_int_equal(l.ndiags, 0);
	limits_free(&l);
	/* edited text, cdb not rebuilt */
	assert_int_equal(put_file(root, "etc/tcp.smtp",
	    "10.9.9.9:deny\n:allow\n"), 0);
	limits_init(&l);
	assert_int_equal(tcprules_read(&l, root, LSVC_SMTP, "/etc/tcp.smtp.cdb",
	    "run", 1), 0);
	assert_string_equal(find_item(&l, LK_ACCESS_DENY, LSVC_SMTP)->addr,
	    "10.1.2.3");
	assert_non_null(find_diag(&l, 0, "tcprules was not re-run"));
	limits_free(&l);
	rm_root(root);
}

static void
test_cidrs(void **state)
{
	static const struct {
		const char *addr, *want;
	} t[] = {
		{ "127.", "127.0.0.0/8" },
		{ "192.0.2.", "192.0.2.0/24" },
		{ "10.1.", "10.1.0.0/16" },
		{ "203.0.113.10", "203.0.113.10" },
		{ "10.2-3.", "10.2.0.0/16 10.3.0.0/16" },
		{ "1.2.3.7-9", "1.2.3.7 1.2.3.8 1.2.3.9" },
		{ "", "0.0.0.0/0 ::/0" },
		{ "::1", "[::1]/128" },
		{ "=host.example", NULL },
		{ "info@1.2.3.4", NULL },
		{ "1.2.3.300", NULL },
		{ "1.2.3", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct qstr q = QSTR_INIT(4096);
		int rc = limits_addr_cidrs(t[i].addr, &q);

		if (t[i].want == NULL) {
			if (rc != QPM_ESYNTAX)
				fail_msg("%s: got %s, want a syntax error",
				    t[i].addr, qstr_str(&q));
		} else if (rc != 0 || strcmp(qstr_str(&q), t[i].want) != 0)
			fail_msg("%s: got %s (%d), want %s", t[i].addr,
			    qstr_str(&q), rc, t[i].want);
		qstr_free(&q);
	}
}

/* RELAYCLIENT="" rules: "mynetworks" only for what mynetworks holds;
 * the catch-all (an open relay), host names and malformed keys are
 * "not converted" targets, which the migration lists */
static void
test_relay_targets(void **state)
{
	static const char text[] =
	    "127.:allow,RELAYCLIENT=\"\"\n"
	    "=relay.partner.example:allow,RELAYCLIENT=\"\"\n"
	    "10.1.2.300:allow,RELAYCLIENT=\"\"\n"
	    ":allow,RELAYCLIENT=\"\"\n";
	static const struct {
		const char *addr, *want;
	} v[] = {
		{ "127.", "mynetworks" },
		{ "=relay.partner.example", "not converted: \"=relay.partner."
		    "example\" is a host name or ident rule" },
		{ "10.1.2.300", "not converted: \"10.1.2.300\" is not an "
		    "address or prefix" },
		{ "", "not converted: OPEN RELAY on the old host" },
	};
	struct limits l;
	json_t *j, *items;
	const char *got;
	size_t i, k;

	(void)state;
	limits_init(&l);
	assert_int_equal(tcprules_parse_text(&l, LSVC_SMTP, "etc/tcp.smtp",
	    text, sizeof(text) - 1), 0);
	assert_int_equal(limits_recommend(&l, NULL), 0);
	assert_string_equal(l.mynetworks, "127.0.0.0/8");
	j = limits_json(&l);
	assert_non_null(j);
	items = json_object_get(j, "items");
	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		got = NULL;
		for (i = 0; i < l.nitems; i++)
			if (l.items[i].kind == LK_RELAY &&
			    strcmp(l.items[i].addr, v[k].addr) == 0)
				got = json_string_value(json_object_get(
				    json_array_get(items, i), "target"));
		if (got == NULL || strncmp(got, v[k].want,
		    strlen(v[k].want)) != 0)
			fail_msg("relay rule \"%s\": got %s, want %s...",
			    v[k].addr, got ? got : "(none)", v[k].want);
	}
	json_decref(j);
	limits_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_rules),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_cdb_records),
		cmocka_unit_test(test_text_and_cdb),
		cmocka_unit_test(test_cidrs),
		cmocka_unit_test(test_relay_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
