/*
 * NAME		write_common - what every writer shares
 * DOES		writes one output file (making its directory), renders the
 *		"# from FILE:LINE" provenance comment, classifies addresses
 * NEVER	writes outside the output directory
 */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "mail/addr.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"

/* dir/rel into path, its directory made */
static int
writer_path(const struct wopts *o, const char *rel, struct qstr *path)
{
	char *slash;
	int e;

	if ((e = qstr_catf(path, "%s/%s", o->outdir, rel)) < 0)
		return e;
	slash = strrchr(path->buf, '/');
	*slash = '\0';
	e = file_mkdirs(path->buf, 0755);
	*slash = '/';
	return e;
}

int
writer_file(const struct wopts *o, const char *rel, const struct qstr *s,
    mode_t mode)
{
	struct qstr path = QSTR_INIT(QPM_MAX_PATH * 16);
	int e;

	if ((e = writer_path(o, rel, &path)) == 0)
		e = file_write_atomic(path.buf, s, mode);
	qstr_free(&path);
	return e;
}

int
writer_stream(const struct wopts *o, const char *rel, mode_t mode,
    struct file_stream *f)
{
	struct qstr path = QSTR_INIT(QPM_MAX_PATH * 16);
	int e;

	if ((e = writer_path(o, rel, &path)) == 0)
		e = file_stream_open(f, path.buf, mode);
	qstr_free(&path);
	return e;
}

int
writer_src(struct qstr *s, const char *prefix, struct src src)
{
	size_t len0 = s->len;
	int e;

	/* the path rendered visibly: no byte of a file name ends the
	 * comment line */
	if ((e = qstr_cat(s, prefix)) == 0)
		e = src.file == NULL ? qstr_cat(s, "(unknown)") :
		    qstr_cat_vis(s, src.file, strlen(src.file), 0);
	if (e == 0 && src.file != NULL && src.line != 0)
		e = qstr_catf(s, ":%lu", src.line);
	if (e == 0)
		e = qstr_catc(s, '\n');
	if (e < 0 && s->len > len0) {
		s->len = len0;
		s->buf[len0] = '\0';
	}
	return e;
}

void
wt_cat(struct wtext *t, const char *p)
{
	if (t->e == 0)
		t->e = qstr_cat(t->s, p);
}

void
wt_catf(struct wtext *t, const char *fmt, ...)
{
	va_list ap;

	if (t->e < 0)
		return;
	va_start(ap, fmt);
	t->e = qstr_vcatf(t->s, fmt, ap);
	va_end(ap);
}

void
wt_vis(struct wtext *t, const char *p, size_t width)
{
	size_t before = t->s->len;

	if (t->e < 0)
		return;
	if (p == NULL)
		p = "";
	t->e = qstr_cat_vis(t->s, p, strlen(p), 0);
	while (t->e == 0 && t->s->len - before < width)
		t->e = qstr_catc(t->s, ' ');
}

int
writer_is_remote(const struct model *m, const char *addr)
{
	long at = addr_split(addr, strlen(addr));

	if (at < 0)
		return 0;
	return !model_domain_is_local(m, addr + at + 1);
}
