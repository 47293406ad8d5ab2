/*
 * NAME		write_common - what every writer shares
 * DOES		writes one output file (making its directory), renders the
 *		"# from FILE:LINE" provenance comment, classifies addresses
 * NEVER	writes outside the output directory
 */
#include <config.h>

#include <string.h>

#include "mail/addr.h"
#include "migrate/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"

int
writer_file(const struct wopts *o, const char *rel, const struct qstr *s,
    mode_t mode)
{
	struct qstr path = QSTR_INIT(QPM_MAX_PATH * 16);
	char *slash;
	int e;

	if ((e = qstr_catf(&path, "%s/%s", o->outdir, rel)) < 0)
		goto out;
	slash = strrchr(path.buf, '/');
	*slash = '\0';
	if ((e = file_mkdirs(path.buf, 0755)) < 0)
		goto out;
	*slash = '/';
	e = file_write_atomic(path.buf, s, mode);
out:
	qstr_free(&path);
	return e;
}

int
writer_src(struct qstr *s, const char *prefix, struct src src)
{
	if (src.file == NULL)
		return qstr_catf(s, "%s(unknown)\n", prefix);
	if (src.line == 0)
		return qstr_catf(s, "%s%s\n", prefix, src.file);
	return qstr_catf(s, "%s%s:%lu\n", prefix, src.file, src.line);
}

int
writer_is_remote(const struct model *m, const char *addr)
{
	long at = addr_split(addr, strlen(addr));

	if (at < 0)
		return 0;
	return !model_domain_is_local(m, addr + at + 1);
}
