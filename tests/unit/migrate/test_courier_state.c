/*
 * NAME		test_courier_state - courier-imap's state files and folder
 *		names, as courier_state.c reads them
 * DOES		table cases worked out by hand from the formats in
 *		../shared reference (courier 5.0.13 as recorded) and RFC
 *		3501 5.1.3's own examples of modified UTF-7
 * NEVER	opens a file
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/sync/courier_state.h"
#include "util/err.h"
#include "util/limits.h"

/* 1 when a diagnostic holds both needles */
static int
has_diag(const struct strlist *d, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->v[i], a) != NULL && strstr(d->v[i], b) != NULL)
			return 1;
	return 0;
}

static unsigned long
uid_of(const struct cs_uiddb *u, const char *base)
{
	const struct cs_ent *e = cs_map_find(&u->msgs, base);

	return e != NULL ? e->uid : 0;
}

static void
test_uiddb_good(void **state)
{
	/* samples/oldhost's alice, as courier wrote it */
	static const char t[] = "1 1600000000 4\n"
	    "1 1794209461.4211.mail.example.com,S=545\n"
	    "2 1794820440.9021.mail.example.com,S=543\n"
	    "3 1794988862.8984.mail.example.com,S=542\n";
	struct strlist d = { NULL, 0, 0 };
	struct cs_uiddb u;

	(void)state;
	assert_int_equal(cs_uiddb_parse(&u, "courierimapuiddb", t,
	    sizeof(t) - 1, &d), 0);
	assert_int_equal(u.valid, 1);
	assert_int_equal(u.uidvalidity, 1600000000UL);
	assert_int_equal(u.nextuid, 4);
	assert_int_equal(u.msgs.n, 3);
	assert_int_equal(d.n, 0);
	/* looked up by the file name with its flags */
	assert_int_equal(uid_of(&u,
	    "1794820440.9021.mail.example.com,S=543:2,RS"), 2);
	assert_int_equal(uid_of(&u, "1794209461.4211.mail.example.com,S=54"),
	    0);
	cs_uiddb_free(&u);
	strlist_free(&d);
}

static void
test_uiddb_bad(void **state)
{
	static const struct {
		const char *name, *text, *diag;
		int valid;
		unsigned long nextuid;
		size_t n;
	} c[] = {
		{ "header", "1 16000x0000 4\n1 a.b.c\n", "courierimapuiddb:1:",
		  0, 0, 0 },
		{ "empty", "", NULL, 0, 0, 0 },
		{ "cut header", "1 1600000000", "courierimapuiddb:1:", 0, 0,
		  0 },
		{ "cut last line", "1 1600000000 9\n1 a.b.c\n2 d.e", ":3: ",
		  1, 9, 1 },
		{ "duplicate uid", "1 1600000000 9\n1 a.b.c\n1 d.e.f\n",
		  ":3: UID used before (line 2)", 1, 9, 1 },
		{ "duplicate name", "1 1600000000 9\n1 a.b.c\n2 a.b.c:2,S\n",
		  ":3: file named before (line 2)", 1, 9, 1 },
		{ "not a line", "1 1600000000 9\n1 a.b.c\nx y\n3\n",
		  ":3: \"x y\": not \"UID FILENAME\"", 1, 9, 1 },
		{ "nextuid low", "1 1600000000 2\n1 a.b.c\n7 d.e.f\n",
		  ":1: NEXTUID 2 is not above the highest UID 7; 8", 1, 8, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct strlist d = { NULL, 0, 0 };
		struct cs_uiddb u;

		assert_int_equal(cs_uiddb_parse(&u, "courierimapuiddb",
		    c[i].text, strlen(c[i].text), &d), 0);
		if (u.valid != c[i].valid || u.msgs.n != c[i].n ||
		    (c[i].valid && u.nextuid != c[i].nextuid))
			fail_msg("%s: got valid %d n %zu next %lu, want %d %zu "
			    "%lu", c[i].name, u.valid, u.msgs.n, u.nextuid,
			    c[i].valid, c[i].n, c[i].nextuid);
		if (c[i].diag != NULL && !has_diag(&d, c[i].diag, ""))
			fail_msg("%s: no diagnostic \"%s\" (%zu given: %s)",
			    c[i].name, c[i].diag, d.n, d.n ? d.v[0] : "-");
		cs_uiddb_free(&u);
		strlist_free(&d);
	}
}

static void
test_keywords(void **state)
{
	static const char list[] = "$Label1\nNonJunk\nWork\n\n"
	    "a.b.c:0 2\nd.e.f:1\ng.h.i:9\n";
	static const char upd[] = "work\n$label1\nNew\n";
	struct strlist d = { NULL, 0, 0 };
	struct cs_keywords k;
	const struct cs_ent *e;
	const char *base;
	long ctr;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(cs_keywords_list(&k, ":list", list, sizeof(list) - 1,
	    &d), 0);
	assert_true(has_diag(&d, ":list:7:", "not in the list"));
	/* the update folds case onto :list's spelling, adds New */
	assert_int_equal(cs_keywords_update(&k, "d.e.f", ".3.d.e.f", upd,
	    sizeof(upd) - 1, &d), 0);
	/* an empty update file: no keywords */
	assert_int_equal(cs_keywords_update(&k, "a.b.c:2,S", "a.b.c", "", 0,
	    &d), 0);
	cs_map_sort(&k.msgs);
	assert_int_equal(k.names.n, 4);
	assert_string_equal(k.names.v[0], "$Label1");
	assert_string_equal(k.names.v[2], "Work");
	assert_string_equal(k.names.v[3], "New");
	assert_non_null(e = cs_map_find(&k.msgs, "d.e.f:2,S"));
	assert_int_equal(e->kw, (1u << 0) | (1u << 2) | (1u << 3));
	assert_non_null(e = cs_map_find(&k.msgs, "a.b.c"));
	assert_int_equal(e->kw, 0);
	cs_keywords_free(&k);
	strlist_free(&d);

	assert_int_equal(cs_keywords_update_name(".12.a.b.c", &base, &ctr), 0);
	assert_string_equal(base, "a.b.c");
	assert_int_equal(ctr, 12);
	assert_int_equal(cs_keywords_update_name("a.b.c", &base, &ctr), 0);
	assert_int_equal(ctr, -1);
	assert_int_equal(cs_keywords_update_name(":list", &base, &ctr), -1);
	assert_int_equal(cs_keywords_update_name(".x.a", &base, &ctr), -1);
}

static void
test_subscriptions(void **state)
{
	static const char t[] = "INBOX\nINBOX.Sent\nINBOX.B\xc3\xbcro\n"
	    "INBOX.Archiv.2025\nNews.x\nINBOX.a&b\n";
	struct strlist d = { NULL, 0, 0 };
	struct qstr s = QSTR_INIT(4096);

	(void)state;
	assert_int_equal(cs_subscriptions("courierimapsubscribed", t,
	    sizeof(t) - 1, &s, &d), 0);
	assert_string_equal(qstr_str(&s), "INBOX\nSent\nB&APw-ro\n"
	    "Archiv.2025\na&-b\n");
	assert_true(has_diag(&d, "courierimapsubscribed:5:", "outside"));
	assert_true(has_diag(&d, "courierimapsubscribed:6:", "taken as UTF-8"));
	qstr_free(&s);
	strlist_free(&d);
}

static void
test_pop3(void **state)
{
	static const char t[] = "/2 5 1600000000\n"
	    "a.b.c 545 1:1600000000\n"
	    "d.e.f:2,S 10 0:1600000000\n"
	    "g+h 10 3:0\n"
	    "broken\n";
	struct strlist d = { NULL, 0, 0 };
	struct cs_map m;
	const struct cs_ent *e;

	(void)state;
	assert_int_equal(cs_pop3_parse(&m, "courierpop3dsizelist", t,
	    sizeof(t) - 1, &d), 0);
	assert_non_null(e = cs_map_find(&m, "a.b.c:2,S"));
	assert_string_equal(e->uidl, "UID1-1600000000");
	assert_non_null(e = cs_map_find(&m, "d.e.f"));
	assert_string_equal(e->uidl, "d.e.f");
	assert_non_null(e = cs_map_find(&m, "g+h"));
	assert_string_equal(e->uidl, "UID3");
	assert_true(has_diag(&d, "courierpop3dsizelist:5:", "not kept"));
	cs_map_free(&m);
	strlist_free(&d);
}

static void
test_mutf7(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} c[] = {
		/* RFC 3501 5.1.3 */
		{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac"
		  "\xe8\xaa\x9e", "~peter/mail/&U,BTFw-/&ZeVnLIqe-", 1 },
		{ "B\xc3\xbcro", "B&APw-ro", 1 },
		{ "B&APw-ro", "B&APw-ro", 0 },		/* courier 4 */
		{ "Sent", "Sent", 0 },
		{ "R&-D", "R&-D", 0 },
		{ "R&D", "R&-D", 2 },			/* not mUTF-7 */
		{ "\xf0\x9f\x98\x80", "&2D3eAA-", 1 },	/* a surrogate pair */
		{ "caf\xe9", NULL, QPM_ESYNTAX },	/* Latin-1 */
	};
	static const char *const bad[] = { "&", "&Jjo", "&AGE-", "&2D3-",
	    "&AP-", "a\x01" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct qstr s = QSTR_INIT(256);
		int rc = cs_folder_name(&s, c[i].in, strlen(c[i].in));

		if (rc != c[i].rc || (c[i].out != NULL &&
		    strcmp(qstr_str(&s), c[i].out) != 0))
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", c[i].in,
			    rc, qstr_str(&s), c[i].rc, c[i].out);
		if (c[i].out != NULL && !cs_mutf7_valid(s.buf, s.len))
			fail_msg("%s: output not valid", c[i].in);
		qstr_free(&s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cs_mutf7_valid(bad[i], strlen(bad[i])))
			fail_msg("%s: taken as valid modified UTF-7", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uiddb_good),
		cmocka_unit_test(test_uiddb_bad),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_subscriptions),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_mutf7),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
