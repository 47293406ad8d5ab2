/*
 * NAME		sysctl - OUT/sysctl/qmail2postfix.conf
 * DOES		the old host's kernel settings to keep, an /etc/sysctl.d/ file
 * NEVER	applies a setting
 */
#include <config.h>

#include "migrate/model/limits.h"
#include "mail/esc_postfix.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/qstr.h"

#define LIMITS_BIG	((size_t)1 << 28)	/* one generated file */

int
limits_sysctl(const struct limits *l, struct qstr *out)
{
	size_t i;
	int err = 0, any = 0;

	for (i = 0; i < l->nitems && err == 0; i++) {
		const struct limits_item *it = &l->items[i];

		if (it->kind != LK_KERNEL)
			continue;
		if (!any)
			err = qstr_cat(out, "# kernel settings of the old host "
			    "(keep them: /etc/sysctl.d/)\n");
		any = 1;
		/* detail is "KEY = NUMBER" for a key sysctl.c knows */
		if (err == 0)
			err = esc_comment(out, "", "from %s:%lu", it->file,
			    it->line);
		if (err == 0)
			err = qstr_catf(out, "%s\n", it->detail);
	}
	return err;
}

int
write_sysctl(const struct model *m, const struct wopts *o)
{
	struct qstr s = QSTR_INIT(LIMITS_BIG);
	size_t head;
	int e;

	if (!m->climits.recommended)
		return 0;
	if ((e = qstr_cat(&s, "# An /etc/sysctl.d/ file of the new host, "
	    "written by qmail2postfix " PACKAGE_VERSION ".\n# Review each "
	    "line, then install it and run sysctl --system;\n# qmail2postfix "
	    "install does not apply kernel settings.\n")) < 0)
		goto out;
	head = s.len;
	if ((e = limits_sysctl(&m->climits, &s)) < 0)
		goto out;
	if (s.len > head)
		e = writer_file(o, "sysctl/qmail2postfix.conf", &s,
		    QPM_MODE_PUBLIC);
out:
	qstr_free(&s);
	return e;
}
