/*
 * NAME		test_report - the text, HTML and JSON renderers and findings
 * DOES		word wrap at 80 columns; hostile DNS text (escape sequences,
 *		markup, bytes that are not UTF-8) reaches no output raw; the
 *		exit code and verdict from severities; blockers sort first
 * NEVER	uses the network
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/cutover/findings.h"
#include "checks/cutover/report.h"
#include "mail/exits.h"
#include "util/qstr.h"

static void
test_wrap(void **state)
{
	struct qstr q = QSTR_INIT(1 << 16);
	const char *p, *nl;
	char word[200];

	(void)state;
	assert_int_equal(report_wrap(&q, "one two three four five six seven "
	    "eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
	    "seventeen eighteen", 40, "B1   ", "     "), 0);
	for (p = qstr_str(&q); *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (nl - p > 40)
			fail_msg("line of %d columns: %.*s", (int)(nl - p),
			    (int)(nl - p), p);
	}
	assert_true(strncmp(qstr_str(&q), "B1   one two", 12) == 0);
	assert_non_null(strstr(qstr_str(&q), "\n     "));
	/* a word longer than the width is cut, not lost */
	qstr_reset(&q);
	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	assert_int_equal(report_wrap(&q, word, 80, "", ""), 0);
	assert_int_equal(q.len, sizeof(word) - 1 + 3);	/* 80+80+39, 3 NLs */
	qstr_free(&q);
}

/* A document as cutover_run makes it, with one hostile finding. */
static json_t *
hostile_doc(struct findings *f)
{
	json_t *doc = json_object();

	findings_init(f);
	assert_int_equal(findings_add(f, FIND_INFO, "domain", "ok.example",
	    "spf.pass", "fine", NULL, NULL, 0), 0);
	assert_int_equal(findings_add(f, FIND_BLOCKER, "domain",
	    "evil.example", "spf.new-ip", "SPF <b>bad</b>\033[2J",
	    "evil.example TXT: \"<script>alert(1)</script>\xff\xfe\033]0;x\007\"",
	    "Publish:\n  evil.example. IN TXT \"v=spf1 ip4:198.51.100.25 -all\"",
	    0), 0);
	assert_int_equal(findings_add(f, FIND_WARNING, "host", "h", "helo.x",
	    "w", NULL, "", 1), 0);
	findings_sort(f);
	json_object_set_new(doc, "verdict", json_string(findings_verdict(f)));
	json_object_set_new(doc, "findings", findings_json(f));
	json_object_set_new(doc, "counts", json_object());
	json_object_set_new(doc, "domains", json_array());
	return doc;
}

static void
test_hostile_text(void **state)
{
	struct findings f;
	json_t *doc = hostile_doc(&f), *back;
	struct qstr t = QSTR_INIT(1 << 20), h = QSTR_INIT(1 << 20),
	    j = QSTR_INIT(1 << 20);
	const char *p;

	(void)state;
	assert_int_equal(report_text(doc, 0, &t), 0);
	assert_int_equal(report_html(doc, &h), 0);
	assert_int_equal(report_json(doc, &j), 0);
	/* no raw control byte or byte >= 0x80 in any output */
	for (p = qstr_str(&t); *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80 || ((unsigned char)*p < 0x20 &&
		    *p != '\n'))
			fail_msg("text has byte 0x%02x", (unsigned char)*p);
	for (p = qstr_str(&h); *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80 || ((unsigned char)*p < 0x20 &&
		    *p != '\n'))
			fail_msg("html has byte 0x%02x", (unsigned char)*p);
	assert_non_null(strstr(qstr_str(&t), "\\x1b[2J"));
	assert_non_null(strstr(qstr_str(&t), "\\xff\\xfe"));
	/* markup from DNS is text in HTML */
	assert_null(strstr(qstr_str(&h), "<script>"));
	assert_null(strstr(qstr_str(&h), "<b>bad"));
	assert_non_null(strstr(qstr_str(&h), "&lt;script&gt;alert(1)"));
	/* JSON stays valid */
	back = json_loads(qstr_str(&j), 0, NULL);
	assert_non_null(back);
	json_decref(back);
	/* the text lines fit 80 columns */
	for (p = qstr_str(&t); *p != '\0'; ) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true(nl - p <= REPORT_WIDTH);
		p = nl + 1;
	}
	/* the blocker comes first, the empty fix is none */
	assert_string_equal(f.v[0].check, "spf.new-ip");
	assert_null(f.v[1].fix);
	json_decref(doc);
	findings_free(&f);
	qstr_free(&t);
	qstr_free(&h);
	qstr_free(&j);
}

/* a probed banner (cutover-report --probe-limits) holds what the
 * server sent: ESC and BEL never reach the HTML raw */
static void
test_html_banner(void **state)
{
	json_t *doc = json_object(), *probes = json_object(),
	    *ports = json_array(), *port = json_object();
	struct qstr h = QSTR_INIT(1 << 20);
	const char *p;

	(void)state;
	json_object_set_new(port, "service", json_string("smtp"));
	json_object_set_new(port, "port", json_integer(25));
	json_object_set_new(port, "status", json_string("open"));
	json_object_set_new(port, "banner",
	    json_string("220 mx \033]0;owned\007\033[2J ESMTP\177"));
	json_array_append_new(ports, port);
	json_object_set_new(probes, "host", json_string("h\033[31m"));
	json_object_set_new(probes, "ports", ports);
	json_object_set_new(doc, "verdict", json_string("go"));
	json_object_set_new(doc, "findings", json_array());
	json_object_set_new(doc, "counts", json_object());
	json_object_set_new(doc, "domains", json_array());
	json_object_set_new(doc, "probes", probes);
	assert_int_equal(report_html(doc, &h), 0);
	for (p = qstr_str(&h); *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') ||
		    (unsigned char)*p == 0x7f)
			fail_msg("html has byte 0x%02x", (unsigned char)*p);
	assert_non_null(strstr(qstr_str(&h),
	    "220 mx \\x1b]0;owned\\x07\\x1b[2J ESMTP\\x7f"));
	assert_non_null(strstr(qstr_str(&h), "h\\x1b[31m"));
	json_decref(doc);
	qstr_free(&h);
}

static void
test_exit(void **state)
{
	struct findings f;

	(void)state;
	findings_init(&f);
	assert_int_equal(findings_exit(&f), QPM_EXIT_GO);
	assert_string_equal(findings_verdict(&f), "go");
	assert_int_equal(findings_add(&f, FIND_INFO, "a", "b", "c", "d", NULL,
	    NULL, 0), 0);
	assert_int_equal(findings_exit(&f), 0);
	assert_int_equal(findings_add(&f, FIND_WARNING, "a", "b", "c", "d",
	    NULL, NULL, 1), 0);
	assert_int_equal(findings_exit(&f), 1);
	assert_string_equal(findings_verdict(&f), "go with warnings");
	assert_int_equal(findings_add(&f, FIND_BLOCKER, "a", "x", "c", "d",
	    NULL, NULL, 0), 0);
	assert_int_equal(findings_exit(&f), 2);
	assert_string_equal(findings_verdict(&f), "no-go");
	assert_int_equal(findings_worst(&f, "a", "b"), FIND_WARNING);
	assert_int_equal(findings_worst(&f, "a", "x"), FIND_BLOCKER);
	assert_int_equal(findings_worst(&f, "z", NULL), 0);
	findings_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_html_banner),
		cmocka_unit_test(test_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
