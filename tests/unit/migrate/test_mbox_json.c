/*
 * NAME		test_mbox_json - sync's walk over migration.json's mailboxes
 * DOES		table cases written by hand (what a bracket inside a string,
 *		a cut file, a bad item, a missing key must give), and the
 *		golden migration.json of samples/oldhost walked item by item
 *		against jansson's load of the whole file
 * NEVER	writes a file
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mail/json.h"
#include "migrate/sync/mbox_json.h"
#include "util/err.h"
#include "util/file.h"
#include "util/qstr.h"

/* the addresses handed to the callback, space-separated; the walk
 * stops (callback error -5) at the address "stop@x" */
struct seen {
	char	got[512];
};

static int
collect(void *arg, json_t *item)
{
	struct seen *s = arg;
	const char *a = qpm_json_get_str(item, "address");
	size_t n = strlen(s->got);

	(void)snprintf(s->got + n, sizeof(s->got) - n, "%s%s", n ? " " : "",
	    a);
	return strcmp(a, "stop@x") == 0 ? -5 : 0;
}

static void
test_table(void **state)
{
	static const struct {
		const char	*name, *in;
		int		 rc;
		const char	*got;	/* addresses handed over */
		size_t		 line;	/* of the error */
	} t[] = {
		{ "a bracket and a quote inside a string before",
		  "{\"domains\": [{\"name\": \"a\\\"]}\"}],\n"
		  " \"mailboxes\": [{\"address\": \"a@b\"},\n"
		  "  {\"address\": \"c@d\", \"quota_bytes\": null}],\n"
		  " \"aliases\": []}\n", 0, "a@b c@d", 0 },
		{ "no mailboxes key: none", "{\"domains\": []}", 0, "", 0 },
		{ "an empty array", " {\"mailboxes\" : [ ] }\n", 0, "", 0 },
		{ "a key after the array is still checked closed",
		  "{\"mailboxes\": [{\"address\": \"a@b\"}], \"x\": \"cut}",
		  QPM_ESYNTAX, "", 1 },
		{ "cut inside a string: no item handed over",
		  "{\"mailboxes\": [{\"address\": \"a@b\"},\n{\"address\": \"c",
		  QPM_ESYNTAX, "", 2 },
		{ "text after the object", "{\"mailboxes\": []} x",
		  QPM_ESYNTAX, "", 1 },
		{ "an array, not an object", "[{\"address\": \"a@b\"}]",
		  QPM_ESYNTAX, "", 1 },
		{ "mailboxes not an array",
		  "{\"mailboxes\": {\"address\": \"a@b\"}}", QPM_ESYNTAX, "",
		  1 },
		{ "a bad item stops the walk there, on its line",
		  "{\"mailboxes\": [\n{\"address\": \"a@b\"},\n"
		  "{\"address\": \"c@d\",\n \"x\": [1, 2}, {\"address\": "
		  "\"e@f\"}]]}", QPM_ESYNTAX, "a@b", 4 },
		{ "the callback's error stops the walk",
		  "{\"mailboxes\": [{\"address\": \"stop@x\"}, "
		  "{\"address\": \"a@b\"}]}", -5, "stop@x", 0 },
		{ "the first of two mailboxes keys",
		  "{\"mailboxes\": [{\"address\": \"a@b\"}], "
		  "\"mailboxes\": [{\"address\": \"c@d\"}]}", 0, "a@b", 0 },
	};
	size_t i, line;
	char why[128];
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct seen s = { "" };

		line = 0;
		rc = mbox_json_each(t[i].in, strlen(t[i].in), collect, &s,
		    &line, why, sizeof(why));
		if (rc != t[i].rc || strcmp(s.got, t[i].got) != 0 ||
		    (rc == QPM_ESYNTAX && line != t[i].line))
			fail_msg("%s: got %d \"%s\" line %zu, want %d \"%s\" "
			    "line %zu", t[i].name, rc, s.got, line, t[i].rc,
			    t[i].got, t[i].line);
	}
}

/* every mailbox of the golden file, in order, as jansson loads it */
struct golden {
	json_t	*mbs;
	size_t	 n;
};

static int
compare(void *arg, json_t *item)
{
	struct golden *g = arg;

	assert_true(json_equal(item, json_array_get(g->mbs, g->n)));
	g->n++;
	return 0;
}

static void
test_golden_same_as_whole_load(void **state)
{
	struct qstr text = QSTR_INIT((size_t)1 << 28);
	struct golden g;
	json_error_t je;
	json_t *whole;
	size_t line;
	char why[128];

	(void)state;
	assert_int_equal(file_read_all(TOP_SRCDIR
	    "/tests/golden/migrate/oldhost/migration.json.ref", (size_t)1 << 28,
	    0, &text), 0);
	whole = json_loadb(text.buf, text.len, 0, &je);
	assert_non_null(whole);
	g.mbs = json_object_get(whole, "mailboxes");
	g.n = 0;
	assert_true(json_array_size(g.mbs) > 10);
	assert_int_equal(mbox_json_each(text.buf, text.len, compare, &g,
	    &line, why, sizeof(why)), 0);
	assert_int_equal(g.n, json_array_size(g.mbs));
	json_decref(whole);
	qstr_free(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_golden_same_as_whole_load),
	};

	return cmocka_run_group_tests_name("mbox_json", tests, NULL, NULL);
}
