/*
 * NAME		pfmaps - the indexed Postfix tables a configuration names
 * DOES		text in (postconf output), "type:/dir/name" entries out
 * NEVER	names a table outside dir, cuts a long name short
 */
#include <config.h>

#include <string.h>

#include "mail/pfmaps.h"
#include "util/strlist.h"

int
pfmaps_indexed(struct strlist *maps, const char *text, const char *dir,
    size_t max)
{
	static const char *const types[] = { "hash:", "btree:", "cdb:", "lmdb:",
	    NULL };
	const char *s, *t;
	char buf[PF_MAX_MAP_NAME];
	size_t i, n, dl = strlen(dir);

	for (i = 0; types[i] != NULL; i++) {
		for (s = text; (s = strstr(s, types[i])) != NULL; s += n) {
			n = strlen(types[i]);
			t = s + n;
			if (strncmp(t, dir, dl) != 0 || t[dl] != '/')
				continue;
			n += strcspn(t, " \t\n,");
			if (n >= max || n >= sizeof(buf))
				continue;
			memcpy(buf, s, n);
			buf[n] = '\0';
			if (strlist_add_unique(maps, buf) < 0)
				return -1;
		}
	}
	return 0;
}
