/*
 * NAME		write_common - what every writer shares
 * DOES		writes one output file (making its directory), renders the
 *		"# from FILE:LINE" provenance comment, classifies addresses;
 *		accounts for the connection limits in the model's counts and
 *		writes the limits' own files (nftables, sysctl)
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

/* ---- connection limits (migrate/model/limits.h) ---- */

#define LIMITS_BIG	((size_t)1 << 28)

int
write_limits_files(const struct model *m, const struct wopts *o)
{
	struct qstr s = QSTR_INIT(LIMITS_BIG);
	int e;

	(void)m;
	if (o->limits == NULL)
		return 0;
	/* always written: an empty ruleset still loads and says so */
	if ((e = limits_nftables(o->limits, &s)) < 0 ||
	    (e = writer_file(o, "nftables/qmail2postfix.nft", &s,
	    QPM_MODE_PUBLIC)) < 0)
		goto out;
	qstr_free(&s);
	qstr_init(&s, LIMITS_BIG);
	if ((e = qstr_cat(&s, "# An /etc/sysctl.d/ file of the new host, "
	    "written by qmail2postfix " PACKAGE_VERSION ".\n# Review each "
	    "line, then install it and run sysctl --system;\n# qmail2postfix "
	    "install does not apply kernel settings.\n")) < 0)
		goto out;
	{
		size_t head = s.len;

		if ((e = limits_sysctl(o->limits, &s)) < 0)
			goto out;
		if (s.len > head)
			e = writer_file(o, "sysctl/qmail2postfix.conf", &s,
			    QPM_MODE_PUBLIC);
	}
out:
	qstr_free(&s);
	return e;
}

/* control bytes of the old files never reach stderr or the report */
static const char *
clean(struct model *m, const char *t)
{
	struct qstr q = QSTR_INIT(65536);
	const char *r;

	for (; *t != '\0'; t++)
		if (qstr_catc(&q, (unsigned char)*t < ' ' ||
		    (unsigned char)*t == 0x7f ? '?' : *t) < 0)
			break;
	r = model_strdup(m, q.len ? q.buf : "");
	qstr_free(&q);
	return r;
}

static struct src
limits_src(struct model *m, const char *file, unsigned long line)
{
	struct src src;

	/* the module names files relative to the root; the model, as the
	 * old host's absolute paths */
	src.file = model_file(m, file[0] == '/' ? file :
	    model_printf(m, "/%s", file));
	src.line = line;
	return src;
}

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int
write_limits_account(struct model *m, const struct limits *l, json_t *lj)
{
	json_t *items = json_object_get(lj, "items");
	const struct limits_item *it;
	const char *t, *reason, *todo, *cut;
	struct src src;
	size_t i;

	for (i = 0; i < l->nitems; i++) {
		it = &l->items[i];
		t = json_string_value(json_object_get(json_array_get(items, i),
		    "target"));
		if (t == NULL)
			t = "none: no target";
		src = limits_src(m, it->file, it->line);
		model_read(m, CAT_LIMITS);
		/* an inert limit had no effect and gets none: equivalent.
		 * RELAYCLIENT="VALUE" did act (relaying, and a rewrite of
		 * every recipient): its target is a "none: ... Instead:"
		 * text, listed below */
		if (starts(t, "none: no effect on the old host") ||
		    starts(t, "none needed")) {
			model_converted(m, CAT_LIMITS);
			continue;
		}
		if (it->kind == LK_CLIENT_ENV &&
		    starts(t, "check_client_access REJECT")) {
			reason = "rblsmtpd's per-client block is not written";
			todo = t;
		} else if (starts(t, "none") || starts(t, "not converted")) {
			reason = strchr(t, ':') != NULL ? strchr(t, ':') + 1 : t;
			while (*reason == ' ')
				reason++;
			if (starts(t, "none per client"))
				reason = model_printf(m, "no per-client form: %s",
				    reason);
			todo = "see \"Connection limits and timeouts\" in "
			    "this report";
			if ((cut = strstr(reason, " Instead: ")) != NULL ||
			    (cut = strstr(reason, "; ")) != NULL) {
				todo = cut[0] == ';' ? cut + 2 : cut + 10;
				reason = model_strndup(m, reason,
				    (size_t)(cut - reason));
			}
		} else {
			model_converted(m, CAT_LIMITS);
			continue;
		}
		model_list(m, CAT_LIMITS, src, model_printf(m, "%s: %s (%s)",
		    it->source, clean(m, it->detail), limits_svc_name(it->svc)),
		    reason, todo);
	}
	for (i = 0; i < l->ndiags; i++) {
		const struct limits_diag *d = &l->diags[i];

		src = limits_src(m, d->file, d->line);
		if (d->error) {
			model_read(m, CAT_LIMITS);
			model_list(m, CAT_LIMITS, src, "limit",
			    clean(m, d->text), "read the line and set the "
			    "limit by hand (it was not guessed)");
		} else
			model_note(m, src, "limits", clean(m, d->text),
			    "nothing, unless the note says otherwise");
	}
	return m->nomem ? QPM_ENOMEM : 0;
}
