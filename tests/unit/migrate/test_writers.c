/*
 * NAME		test_writers - what the writers do at the size ceiling and
 *		with old-host bytes; the pipe services of valias rows
 * DOES		fills the report and the SRS text into strings too small
 *		for them: the writer fails (no file) instead of writing a
 *		text with lines missing; wt_vis renders control bytes; a
 *		valias row's program runs as vdelivermail ran it (-V, -q)
 * NEVER	writes outside its temporary directory
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "migrate/model/model.h"
#include "migrate/write/writers.h"
#include "util/err.h"

static struct model *
sample_model(void)
{
	struct model *m = model_new();
	struct src src = { "/var/qmail/users/assign", 1 };
	struct m_domain *d;

	assert_non_null(m);
	m->quiet = 1;
	d = model_domain_add(m, "example.com", DOM_MAILBOX, src);
	assert_non_null(d);
	assert_non_null(model_mailbox_add(m, "alice", d, src));
	model_list(m, CAT_ASSIGN, src, "line\033[2J", "reason", "todo");
	return m;
}

static void
test_report_ceiling(void **state)
{
	char dir[] = "/tmp/test_writers.XXXXXX", path[64];
	struct model *m = sample_model();
	struct wopts o;
	size_t max;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&o, 0, sizeof(o));
	o.outdir = dir;
	o.dovecot_dir = "/etc/dovecot";
	snprintf(path, sizeof(path), "%s/migration-report.txt", dir);
	/* the whole report, then every ceiling below its size */
	{
		struct qstr s = QSTR_INIT((size_t)1 << 20);

		assert_int_equal(write_report(m, &o, &s), 0);
		max = s.len;
		assert_non_null(strstr(s.buf, "line\\x1b[2J"));
		assert_null(strchr(s.buf, '\033'));
		qstr_free(&s);
		assert_int_equal(unlink(path), 0);
	}
	for (; max > 0; max -= max > 64 ? 61 : 1) {
		struct qstr s = QSTR_INIT(max);
		int e = write_report(m, &o, &s);

		if (e != QPM_ERANGE)
			fail_msg("ceiling %zu: got %d, want QPM_ERANGE", max, e);
		if (access(path, F_OK) == 0)
			fail_msg("ceiling %zu: a cut report was written", max);
		qstr_free(&s);
	}
	rmdir(dir);
	model_free(m);
}

static void
test_srs_text_ceiling(void **state)
{
	struct model *m = sample_model();
	struct srs_wire w = { "srs.example.com", "/usr/local/bin",
	    "/etc/q2p/srs-secret", 10003 };
	struct wopts o;
	struct qstr full = QSTR_INIT((size_t)1 << 20);
	size_t max;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.srs = &w;
	assert_int_equal(write_srs_text(m, &o, &full), 0);
	for (max = full.len; max > 0; max -= max > 64 ? 37 : 1) {
		struct qstr s = QSTR_INIT(max);
		int e = write_srs_text(m, &o, &s);

		if (e != QPM_ERANGE)
			fail_msg("ceiling %zu: got %d, want QPM_ERANGE", max, e);
		qstr_free(&s);
	}
	qstr_free(&full);
	model_free(m);
}

static void
test_wt_vis(void **state)
{
	struct qstr s = QSTR_INIT(64);
	struct wtext t = { &s, 0 };

	(void)state;
	wt_vis(&t, "a\nb\033\\", 14);
	wt_cat(&t, "|");
	assert_int_equal(t.e, 0);
	assert_string_equal(s.buf, "a\\x0ab\\x1b\\\\  |");
	/* past the ceiling: the error stays, later appends do nothing */
	wt_vis(&t, "0123456789012345678901234567890123456789012345678901", 0);
	wt_cat(&t, "x");
	assert_int_equal(t.e, QPM_ERANGE);
	assert_string_equal(s.buf, "a\\x0ab\\x1b\\\\  |");
	qstr_free(&s);
}

/* one pipe rule, run as vpopmail, from file:1 */
static void
pipe_rule(struct model *m, enum m_key key, const char *local,
    const char *cmd, const char *file)
{
	struct src src = { model_file(m, file), 1 };
	struct m_rule *r;

	r = model_rule_add(m, key, local, "example.com", DEST_PIPE, cmd,
	    ORIG_DOMAIN, src);
	assert_non_null(r);
	r->user = "vpopmail";
}

/* the master.cf line of the q2p-dotqmail service running cmd */
static char *
service_of(const char *master, const char *cmd)
{
	const char *e = strstr(master, cmd), *b;

	assert_non_null(e);
	for (b = e; b > master && b[-1] != '\n'; b--)
		;
	return strndup(b, (size_t)(e - b));
}

/* vdelivermail ran a valias row's program: -V (SHELL=/bin/sh) and the
 * DEFAULT its lookup left (-q default, or -q x-default for an x-default
 * row); a domain .qmail file's program neither */
static void
test_valias_pipes(void **state)
{
	static const char dd[] = "/home/vpopmail/domains/example.com";
	char dir[] = "/tmp/test_writers.XXXXXX", path[64], *master, *l;
	struct model *m = sample_model();
	struct wopts o;
	FILE *f;
	long n;

	(void)state;
	pipe_rule(m, KEY_PREFIX, "support-", "/bin/prog1", model_printf(m,
	    "%s/mysql:vpopmail.valias[support-default@example.com]", dd));
	pipe_rule(m, KEY_ADDRESS, "orders", "/bin/prog2", model_printf(m,
	    "%s/mysql:vpopmail.valias[orders@example.com]", dd));
	pipe_rule(m, KEY_PREFIX, "orders-", "/bin/prog3", model_printf(m,
	    "%s/mysql:vpopmail.valias[orders@example.com]", dd));
	pipe_rule(m, KEY_PREFIX, "shop-", "/bin/prog4", model_printf(m,
	    "%s/.qmail-shop-default", dd));
	assert_non_null(mkdtemp(dir));
	memset(&o, 0, sizeof(o));
	o.outdir = dir;
	o.dovecot_dir = "/etc/dovecot";
	assert_int_equal(write_postfix(m, &o), 0);
	snprintf(path, sizeof(path), "%s/postfix/master.cf", dir);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(master = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(master, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	l = service_of(master, "1|/bin/prog1");
	assert_non_null(strstr(l, " -V -q support-default "));
	free(l);
	l = service_of(master, "1|/bin/prog2");
	assert_non_null(strstr(l, " -V -q default "));
	free(l);
	l = service_of(master, "1|/bin/prog3");
	assert_non_null(strstr(l, " -V -q default "));
	free(l);
	l = service_of(master, "1|/bin/prog4");
	assert_null(strstr(l, " -V"));
	assert_non_null(strstr(l, " -q shop-default "));
	free(l);
	free(master);
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_ceiling),
		cmocka_unit_test(test_srs_text_ceiling),
		cmocka_unit_test(test_wt_vis),
		cmocka_unit_test(test_valias_pipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
