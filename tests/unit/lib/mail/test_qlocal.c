/*
 * NAME		test_qlocal - qmail-local's environment, exit codes and
 *		q2p-dotqmail's line arguments
 * DOES		table-driven cases; the expectations are the values the
 *		real qmail-local gave a program on the recorded host
 *		(shared/reference/real-qmail.md, "Pipes") and qmail-command(8)
 * NEVER	takes an expected value from the code under test
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "mail/qlocal.h"
#include "util/err.h"

/* Thu Dec  3 12:00:00 UTC 2026 */
#define T0	((time_t)1796299200)

#define VPHOME	"/home/vpopmail/domains/example.com"

struct want {
	const char	*name, *value;	/* value NULL: must be absent */
};

static void
check_env(const char *what, const struct qlocal_in *in,
    const struct want *w, size_t nw)
{
	struct qlocal_env e;
	const char *got;
	size_t i;

	if (qlocal_env(in, T0, &e) != 0)
		fail_msg("%s: qlocal_env failed", what);
	for (i = 0; i < nw; i++) {
		got = qlocal_getenv(&e, w[i].name);
		if (w[i].value == NULL && got != NULL)
			fail_msg("%s: %s: got %s, want it unset", what, w[i].name,
			    got);
		if (w[i].value != NULL && (got == NULL ||
		    strcmp(got, w[i].value) != 0))
			fail_msg("%s: %s: got %s, want %s", what, w[i].name,
			    got ? got : "(unset)", w[i].value);
	}
	qlocal_env_free(&e);
}

/* frank in example.com, users/assign +example.com-:example.com:89:89:
 * VPHOME:-::, |prog in ~frank/.qmail (vdelivermail, run from the
 * domain's .qmail-default) */
static void
test_recorded_frank(void **state)
{
	static const struct qlocal_in in = { "probe-sender@sink.test",
	    "frank@example.com", "example.com", "example.com", VPHOME, "-",
	    "example.com-", "", "default" };
	static const struct want w[] = {
		{ "SENDER", "probe-sender@sink.test" },
		{ "RECIPIENT", "example.com-frank@example.com" },
		{ "LOCAL", "example.com-frank" },
		{ "HOST", "example.com" },
		{ "EXT", "frank" },
		{ "DEFAULT", "frank" },
		{ "USER", "example.com" },
		{ "HOME", VPHOME },
		{ "NEWSENDER", "probe-sender@sink.test" },
		/* qmail-command(8): HOST2 precedes the last dot, HOST3 the
		 * second-to-last (none: all of it), EXT2 follows the first
		 * dash (none: empty) */
		{ "HOST2", "example" },
		{ "HOST3", "example" },
		{ "HOST4", "example" },
		{ "EXT2", "" },
		{ "EXT3", "" },
		{ "EXT4", "" },
		{ "DTLINE", "Delivered-To: example.com-frank@example.com\n" },
		{ "RPLINE", "Return-Path: <probe-sender@sink.test>\n" },
		{ "UFLINE", "From probe-sender@sink.test Thu Dec 03 12:00:00 "
		    "2026\n" },
	};

	(void)state;
	check_env("frank@example.com", &in, w, sizeof(w) / sizeof(w[0]));
}

static void
test_recorded_others(void **state)
{
	static const struct {
		const char *what;
		struct qlocal_in in;
		struct want w[6];
	} cases[] = {
		{ "user-ext frank-x@example.com",
		    { "s@sink.test", "frank-x@example.com", "example.com",
		    "example.com", VPHOME, "-", "example.com-", "", "default" },
		    { { "RECIPIENT", "example.com-frank-x@example.com" },
		    { "LOCAL", "example.com-frank-x" }, { "EXT", "frank-x" },
		    { "DEFAULT", "frank-x" }, { "EXT2", "x" },
		    { "USER", "example.com" } } },
		{ "alias domain frank@alias.example",
		    { "s@sink.test", "frank@alias.example", "alias.example",
		    "example.com", VPHOME, "-", "alias.example-", "",
		    "default" },
		    { { "HOST", "alias.example" },
		    { "LOCAL", "alias.example-frank" },
		    { "USER", "example.com" }, { "HOST2", "alias" },
		    { "RECIPIENT", "alias.example-frank@alias.example" },
		    { "EXT", "frank" } } },
		{ "domain .qmail-orders: no DEFAULT",
		    { "s@sink.test", "orders@example.org", "example.org",
		    "example.org", "/home/vpopmail/domains/example.org", "-",
		    "example.org-", "", "orders" },
		    { { "LOCAL", "example.org-orders" }, { "EXT", "orders" },
		    { "DEFAULT", NULL }, { "HOST", "example.org" },
		    { "HOST2", "example" }, { "USER", "example.org" } } },
		{ ".qmail-support-default: DEFAULT after the prefix",
		    { "s@sink.test", "support-42@example.com", "example.com",
		    "example.com", VPHOME, "-", "example.com-", "",
		    "support-default" },
		    { { "EXT", "support-42" }, { "DEFAULT", "42" },
		    { "EXT2", "42" }, { "EXT3", "" },
		    { "LOCAL", "example.com-support-42" },
		    { "RECIPIENT", "example.com-support-42@example.com" } } },
		{ "a local domain: no prefix, system user",
		    { "", "webapp-a-b-c-d@mail.example.co.uk", NULL, "webapp",
		    "/home/webapp", "-", "webapp-", "", "default" },
		    { { "LOCAL", "webapp-a-b-c-d" }, { "EXT", "a-b-c-d" },
		    { "EXT4", "d" }, { "HOST4", "mail" },
		    { "RPLINE", "Return-Path: <>\n" },
		    { "UFLINE", "From MAILER-DAEMON Thu Dec 03 12:00:00 2026\n" } } },
		{ "~alias/.qmail-pipe: EXT is all of LOCAL (recorded)",
		    { "s@sink.test", "pipe@mail.example.com", NULL, "alias",
		    "/var/qmail/alias", "-", "", "", "pipe" },
		    { { "LOCAL", "pipe" }, { "EXT", "pipe" }, { "DEFAULT", NULL },
		    { "USER", "alias" }, { "HOME", "/var/qmail/alias" },
		    { "RECIPIENT", "pipe@mail.example.com" } } },
		{ "an exact users/assign line: EXT is its ext field",
		    { "s@sink.test", "logwatch@mail.example.com", NULL, "alias",
		    "/var/qmail/alias", "-", NULL, "root", "root" },
		    { { "LOCAL", "logwatch" }, { "EXT", "root" },
		    { "DEFAULT", NULL }, { "EXT2", "" }, { "USER", "alias" },
		    { "HOST2", "mail.example" } } },
		{ "a sender needing quotes",
		    { "a b@sink.test", "frank@example.com", "example.com",
		    "example.com", VPHOME, "-", "example.com-", "", "default" },
		    { { "RPLINE", "Return-Path: <\"a b\"@sink.test>\n" },
		    { "UFLINE", "From a-b@sink.test Thu Dec 03 12:00:00 2026\n" },
		    { "SENDER", "a b@sink.test" }, { "HOST3", "example" },
		    { "EXT", "frank" }, { "DEFAULT", "frank" } } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_env(cases[i].what, &cases[i].in, cases[i].w, 6);
}

static void
test_env_errors(void **state)
{
	struct qlocal_in in = { "s@x", "no-at-sign", "p", "u", "/h", "-", "",
	    "", "default" };
	struct qlocal_env e;

	(void)state;
	assert_int_equal(qlocal_env(&in, T0, &e), QPM_ESYNTAX);
	qlocal_env_free(&e);
	in.recipient = "a@b";
	in.home = NULL;
	assert_int_equal(qlocal_env(&in, T0, &e), QPM_ESYNTAX);
	qlocal_env_free(&e);
}

/* the owner files in a real directory, as qmail-local stats them in
 * its home */
static int
in_dir(const char *name, void *arg)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", (const char *)arg, name);
	return stat(path, &st) == 0;
}

static void
touch(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
}

/* NEWSENDER: a forward through .qmail-sales goes out from
 * example.com-sales-owner@example.com when .qmail-sales-owner is there
 * (recorded); with -owner-default too, the VERP form; never for <> or
 * #@[]; EXT lower-cased with its dots as ':' (qmail-local's qmeox) */
static void
test_newsender_owner(void **state)
{
	char dir[] = "/tmp/test_qlocal.XXXXXX";
	struct qlocal_in in = { "probe-sender@sink.test", "sales@example.com",
	    "example.com", "example.com", VPHOME, "-", "example.com-", "",
	    "sales", in_dir, dir };
	static const struct {
		const char *recipient, *sender, *qme, *want;
	} cases[] = {
		{ "sales@example.com", "s@sink.test", "sales",
		    "example.com-sales-owner@example.com" },
		{ "Sales@example.com", "s@sink.test", "sales",
		    "example.com-Sales-owner@example.com" },
		{ "sales@example.com", "", "sales", "" },
		{ "sales@example.com", "#@[]", "sales", "#@[]" },
		{ "list@example.com", "s@sink.test", "list",
		    "example.com-list-owner-@example.com-@[]" },
		{ "team.a@example.com", "s@sink.test", "team:a",
		    "example.com-team.a-owner@example.com" },
		{ "orders@example.com", "s@sink.test", "orders", "s@sink.test" },
		/* the owner file of the whole EXT, not of the -default
		 * file that matched */
		{ "support-x@example.com", "s@sink.test", "support-default",
		    "s@sink.test" },
	};
	struct qlocal_env e;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	touch(dir, ".qmail-sales-owner");
	touch(dir, ".qmail-list-owner");
	touch(dir, ".qmail-list-owner-default");
	touch(dir, ".qmail-team:a-owner");
	touch(dir, ".qmail-support-owner");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in.recipient = cases[i].recipient;
		in.sender = cases[i].sender;
		in.qme = cases[i].qme;
		assert_int_equal(qlocal_env(&in, T0, &e), 0);
		if (strcmp(qlocal_getenv(&e, "NEWSENDER"), cases[i].want) != 0)
			fail_msg("%s from <%s>: NEWSENDER %s, want %s",
			    cases[i].recipient, cases[i].sender,
			    qlocal_getenv(&e, "NEWSENDER"), cases[i].want);
		assert_string_equal(qstr_str(&e.newsender), cases[i].want);
		qlocal_env_free(&e);
	}
	/* no owner files at all: the sender */
	in.exists = NULL;
	in.recipient = "sales@example.com";
	in.sender = "s@sink.test";
	assert_int_equal(qlocal_env(&in, T0, &e), 0);
	assert_string_equal(qlocal_getenv(&e, "NEWSENDER"), "s@sink.test");
	qlocal_env_free(&e);
	for (i = 0; i < 5; i++) {
		static const char *const f[] = { ".qmail-sales-owner",
		    ".qmail-list-owner", ".qmail-list-owner-default",
		    ".qmail-team:a-owner", ".qmail-support-owner" };
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", dir, f[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* qmail-command(8), EXIT CODES */
static void
test_exit_codes(void **state)
{
	static const struct {
		int code;
		enum qlocal_exit want;
	} cases[] = {
		{ 0, QLOCAL_DONE }, { 99, QLOCAL_STOP }, { 100, QLOCAL_BOUNCE },
		{ 64, QLOCAL_BOUNCE }, { 65, QLOCAL_BOUNCE },
		{ 70, QLOCAL_BOUNCE }, { 76, QLOCAL_BOUNCE },
		{ 77, QLOCAL_BOUNCE }, { 78, QLOCAL_BOUNCE },
		{ 112, QLOCAL_BOUNCE }, { 111, QLOCAL_DEFER },
		{ 1, QLOCAL_DEFER }, { 75, QLOCAL_DEFER }, { 69, QLOCAL_DEFER },
		{ 101, QLOCAL_DEFER }, { 255, QLOCAL_DEFER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (qlocal_exit_class(cases[i].code) != cases[i].want)
			fail_msg("exit %d: got %d, want %d", cases[i].code,
			    qlocal_exit_class(cases[i].code), cases[i].want);
}

static void
test_line_parse(void **state)
{
	static const struct {
		const char *arg;
		int ok;
		unsigned long lineno;
		enum qlocal_kind kind;
		const char *text;
	} cases[] = {
		{ "1|/usr/bin/prog a b", 1, 1, QL_PROGRAM, "/usr/bin/prog a b" },
		{ "12&fwd@remote.example", 1, 12, QL_FORWARD,
		    "fwd@remote.example" },
		{ "3>frank@example.com", 1, 3, QL_MAILBOX, "frank@example.com" },
		{ "4!no such list", 1, 4, QL_BOUNCE, "no such list" },
		{ "|prog", 0, 0, 0, NULL },
		{ "0|prog", 0, 0, 0, NULL },
		{ "10001|prog", 0, 0, 0, NULL },
		{ "99999999999999999999999|prog", 0, 0, 0, NULL },
		{ "1?x", 0, 0, 0, NULL },
		{ "1|", 0, 0, 0, NULL },
		{ "2&no-at-sign", 0, 0, 0, NULL },
		{ "2&a b@c", 0, 0, 0, NULL },
		{ "", 0, 0, 0, NULL },
	};
	struct qlocal_line l;
	const char *why;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = qlocal_line_parse(cases[i].arg, &l, &why);
		if (!cases[i].ok) {
			if (r != QPM_ESYNTAX || why == NULL)
				fail_msg("%s: got %d, want a refusal",
				    cases[i].arg, r);
			continue;
		}
		if (r != 0)
			fail_msg("%s: refused: %s", cases[i].arg, why);
		if (l.lineno != cases[i].lineno || l.kind != cases[i].kind ||
		    strcmp(l.text, cases[i].text) != 0)
			fail_msg("%s: got %lu %d %s, want %lu %d %s",
			    cases[i].arg, l.lineno, l.kind, l.text,
			    cases[i].lineno, cases[i].kind, cases[i].text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_frank),
		cmocka_unit_test(test_recorded_others),
		cmocka_unit_test(test_env_errors),
		cmocka_unit_test(test_newsender_owner),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_line_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
