/*
 * NAME		test_pfmaps - the indexed tables named in postconf output
 * DOES		table-driven cases with hand-written expectations
 * NEVER	runs postconf
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mail/pfmaps.h"
#include "util/qstr.h"
#include "util/strlist.h"

static void
test_indexed_tables_below_dir(void **state)
{
	static const struct {
		const char *name, *text, *want;
		size_t max;
	} cases[] = {
		{ "one hash", "alias_maps = hash:/pf/etc/aliases\n",
		    "hash:/pf/etc/aliases", 1024 },
		{ "each type, by type", "a = lmdb:/pf/etc/l, cdb:/pf/etc/c\n"
		    "b = btree:/pf/etc/b hash:/pf/etc/h\n",
		    "hash:/pf/etc/h,btree:/pf/etc/b,cdb:/pf/etc/c,lmdb:/pf/etc/l",
		    1024 },
		{ "outside dir", "a = hash:/etc/postfix/aliases, "
		    "hash:/pf/etcx/a, hash:/pf/etc\n", "-", 1024 },
		{ "not indexed", "a = regexp:/pf/etc/r, pcre:/pf/etc/p\n",
		    "-", 1024 },
		{ "named twice, kept once", "a = hash:/pf/etc/v\tb = "
		    "hash:/pf/etc/v\n", "hash:/pf/etc/v", 1024 },
		{ "max 15: a name of 15 bytes is skipped, 14 fit", "a = hash:/pf/etc/ab, "
		    "hash:/pf/etc/a\n", "hash:/pf/etc/a", 15 },
	};
	struct qstr got = QSTR_INIT(4096);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strlist l = { 0 };

		assert_int_equal(pfmaps_indexed(&l, cases[i].text, "/pf/etc",
		    cases[i].max), 0);
		qstr_reset(&got);
		assert_int_equal(strlist_join(&l, ",", &got), 0);
		if (strcmp(qstr_str(&got), cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].name,
			    qstr_str(&got), cases[i].want);
		strlist_free(&l);
	}
	qstr_free(&got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indexed_tables_below_dir),
	};

	return cmocka_run_group_tests_name("pfmaps", tests, NULL, NULL);
}
