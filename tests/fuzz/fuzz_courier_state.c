/*
 * NAME		fuzz_courier_state - courier-imap's state file parsers
 * DOES		the same bytes as courierimapuiddb, courierimapkeywords/:list
 *		and an update file, courierimapsubscribed, courierpop3dsizelist
 *		and a folder name; everything is freed
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "migrate/sync/courier_state.h"
#include "util/limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct strlist diag = { NULL, 0, 0 };
	struct cs_uiddb u;
	struct cs_keywords k = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	struct cs_map m;
	struct qstr s = QSTR_INIT(QPM_MAX_STRING);

	(void)cs_uiddb_parse(&u, "courierimapuiddb", t, size, &diag);
	if (u.valid && u.msgs.n > 0)
		(void)cs_map_find(&u.msgs, u.msgs.v[0].base);
	cs_uiddb_free(&u);
	(void)cs_keywords_list(&k, ":list", t, size, &diag);
	(void)cs_keywords_update(&k, "1.2.host", ".1.1.2.host", t, size,
	    &diag);
	cs_map_sort(&k.msgs);
	cs_keywords_free(&k);
	(void)cs_subscriptions("courierimapsubscribed", t, size, &s, &diag);
	(void)cs_pop3_parse(&m, "courierpop3dsizelist", t, size, &diag);
	cs_map_free(&m);
	(void)cs_mutf7_valid(t, size);
	(void)cs_folder_name(&s, t, size);
	qstr_free(&s);
	strlist_free(&diag);
	return 0;
}
