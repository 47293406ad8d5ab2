/*
 * NAME		xinetd - read xinetd.conf and its includedir: instances,
 *		per_source, cps, max_load of the mail services
 * DOES		defaults { } apply to every service that does not set its
 *		own; disable = yes makes a service's limits inert
 * NEVER	guesses a service's port it cannot name
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

/* The attributes this reader uses; a block keeps the last of each (as
 * xinetd does), so no count of other attributes (log_on_success, env,
 * ...) can push a limit out of the block. */
static const char *const xused[] = { "port", "disable", "instances",
    "per_source", "cps", "max_load" };
#define XINETD_MAX_ATTRS	(sizeof(xused) / sizeof(xused[0]))

struct xattr {
	char		 name[32];
	char		 value[256];
	unsigned long	 line;
};

struct xblock {
	char		 service[64];
	int		 is_defaults;
	unsigned long	 line;
	char		 file[512];
	struct xattr	 a[XINETD_MAX_ATTRS];
	size_t		 n;
};

/* defaults of the last defaults block, shared across files */
struct xstate {
	struct xblock	 defaults;
	int		 have_defaults;
	struct qstr	 includedirs;	/* NUL-separated */
};

static struct xattr *
xget(struct xblock *b, const char *name)
{
	size_t i;

	for (i = b->n; i > 0; i--)
		if (strcmp(b->a[i - 1].name, name) == 0)
			return &b->a[i - 1];
	return NULL;
}

static int
xitem(struct limits *l, const char *file, struct xattr *a,
    enum limits_kind kind, enum limits_svc svc, const char *svcname,
    const char *inert, int dflt)
{
	long v, per = 0;
	int idx, err;
	const char *sp;
	char src[64];

	if (a == NULL)
		return 0;
	if (strcmp(a->value, "UNLIMITED") == 0)
		return 0;
	(void)qpm_snprintf(src, sizeof(src), "xinetd %s", a->name);
	if (kind == LK_LOADAVG) {
		char *end;
		double d = strtod(a->value, &end);

		if (end == a->value || *end != '\0' || d < 0 || d > 1e6)
			return limits_diag(l, 1, file, a->line, "%s = %s: "
			    "not a number; not read", a->name, a->value) < 0 ?
			    QPM_ENOMEM : 0;
		v = (long)(d * 100 + 0.5);
	} else if (kind == LK_RATE_SERVICE) {
		/* cps = N S: N connections per second, then S seconds off */
		sp = strpbrk(a->value, " \t");
		v = limits_number(a->value, sp != NULL ?
		    (size_t)(sp - a->value) : strlen(a->value));
		if (sp != NULL) {
			while (*sp == ' ' || *sp == '\t')
				sp++;
			per = limits_number(sp, strlen(sp));
		}
		if (v < 0 || (sp != NULL && per < 0))
			return limits_diag(l, 1, file, a->line, "cps = %s: "
			    "want \"N S\"; not read", a->value) < 0 ?
			    QPM_ENOMEM : 0;
		idx = limits_add(l, kind, svc, v, 1, src, file, a->line,
		    "%s: cps = %ld %ld (more than %ld connections in one second "
		    "disable the service for %ld s)%s", svcname, v,
		    sp != NULL ? per : 10, v, sp != NULL ? per : 10,
		    dflt ? " (from defaults)" : "");
		if (idx < 0)
			return idx;
		return inert != NULL ? limits_set_inert(l, (size_t)idx,
		    inert) : 0;
	} else if ((v = limits_number(a->value, strlen(a->value))) < 0)
		return limits_diag(l, 1, file, a->line, "%s = %s: not a "
		    "number; not read", a->name, a->value) < 0 ? QPM_ENOMEM : 0;
	idx = limits_add(l, kind, svc, v, 0, src, file, a->line,
	    "%s: %s = %s%s", svcname, a->name, a->value,
	    dflt ? " (from defaults)" : "");
	if (idx < 0)
		return idx;
	if ((kind == LK_CONC_IP) && (err = limits_set_addr(l, (size_t)idx,
	    "")) < 0)
		return err;
	if (inert != NULL && (err = limits_set_inert(l, (size_t)idx,
	    inert)) < 0)
		return err;
	return 0;
}

static int
block_done(struct limits *l, struct xstate *st, struct xblock *b)
{
	static const struct {
		const char *attr;
		enum limits_kind kind;
	} map[] = {
		{ "instances", LK_CONC_SERVICE }, { "per_source", LK_CONC_IP },
		{ "cps", LK_RATE_SERVICE }, { "max_load", LK_LOADAVG },
	};
	struct xattr *port, *dis, *a;
	enum limits_svc svc;
	const char *inert = NULL;
	size_t i;
	int err, dflt;

	if (b->is_defaults) {
		st->defaults = *b;
		st->have_defaults = 1;
		return 0;
	}
	port = xget(b, "port");
	svc = limits_svc_from_port(port != NULL ? port->value : b->service);
	if (svc == LSVC_OTHER)
		return 0;	/* not a mail service */
	if ((dis = xget(b, "disable")) != NULL && strcmp(dis->value, "yes") == 0)
		inert = "disable = yes: xinetd does not run this service";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		a = xget(b, map[i].attr);
		dflt = 0;
		if (a == NULL && st->have_defaults) {
			a = xget(&st->defaults, map[i].attr);
			dflt = a != NULL;
		}
		if ((err = xitem(l, dflt ? st->defaults.file : b->file, a,
		    map[i].kind, svc, b->service, inert, dflt)) < 0)
			return err;
	}
	return 0;
}

static int
parse(struct limits *l, struct xstate *st, const char *name, const char *text,
    size_t len)
{
	struct xblock *b;
	size_t i = 0;
	unsigned long line = 0;
	int in = 0, pending = 0, err = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return QPM_ENOMEM;
	while (i < len && err >= 0) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : len;
		const char *p = text + i, *end = text + e, *q, *v;
		char word[64];
		size_t wl;

		line++;
		i = nl != NULL ? e + 1 : len;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r'))
			end--;
		if (p == end || *p == '#')
			continue;
		if (*p == '{') {
			if (!pending || in) {
				err = limits_diag(l, 1, name, line, "'{' "
				    "without a service line; file not read "
				    "further");
				break;
			}
			in = 1;
			pending = 0;
			continue;
		}
		if (*p == '}') {
			if (!in) {
				err = limits_diag(l, 1, name, line, "'}' "
				    "outside a block; file not read further");
				break;
			}
			in = 0;
			err = block_done(l, st, b);
			continue;
		}
		for (q = p; q < end && *q != ' ' && *q != '\t' && *q != '=' &&
		    *q != '+' && *q != '-'; q++)
			;
		wl = (size_t)(q - p);
		if (wl == 0 || wl >= sizeof(word)) {
			err = limits_diag(l, 1, name, line, "cannot parse "
			    "this line; not read");
			continue;
		}
		memcpy(word, p, wl);
		word[wl] = '\0';
		if (!in) {
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (strcmp(word, "defaults") == 0 ||
			    strcmp(word, "service") == 0) {
				memset(b, 0, sizeof(*b));
				b->is_defaults = word[0] == 'd';
				b->line = line;
				(void)qpm_snprintf(b->file, sizeof(b->file),
				    "%s", name);
				if (qpm_snprintf(b->service,
				    sizeof(b->service), "%.*s",
				    (int)(end - q), q) < 0) {
					/* a cut name could name another
					 * service's port */
					err = limits_diag(l, 1, name, line,
					    "service name longer than %zu "
					    "bytes; file not read further",
					    sizeof(b->service) - 1);
					break;
				}
				pending = 1;
				if (q < end && end[-1] == '{') {
					/* "service smtp {" on one line */
					b->service[strcspn(b->service,
					    " \t{")] = '\0';
					in = 1;
					pending = 0;
				}
			} else if (strcmp(word, "includedir") == 0) {
				err = qstr_catn(&st->includedirs, q,
				    (size_t)(end - q));
				if (err == 0)
					err = qstr_catc(&st->includedirs, '\0');
			} else
				err = limits_diag(l, 0, name, line, "\"%s\" "
				    "outside a block: ignored", word);
			continue;
		}
		/* attr [+-]= value */
		v = q;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v < end && (*v == '+' || *v == '-'))
			v++;
		if (v >= end || *v != '=') {
			err = limits_diag(l, 1, name, line, "\"%s\": no '='; "
			    "not read", word);
			continue;
		}
		v++;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		{
			struct xattr *a;
			size_t k;

			for (k = 0; k < XINETD_MAX_ATTRS &&
			    strcmp(word, xused[k]) != 0; k++)
				;
			if (k == XINETD_MAX_ATTRS)
				continue;	/* no limit, no port */
			if ((size_t)(end - v) >= sizeof(a->value)) {
				/* never a cut number */
				err = limits_diag(l, 1, name, line, "\"%s\": "
				    "value longer than %zu bytes; not read",
				    word, sizeof(a->value) - 1);
				continue;
			}
			if ((a = xget(b, word)) == NULL)
				a = &b->a[b->n++];
			(void)qpm_snprintf(a->name, sizeof(a->name), "%s", word);
			(void)qpm_snprintf(a->value, sizeof(a->value), "%.*s",
			    (int)(end - v), v);
			a->line = line;
		}
	}
	if (err >= 0 && (in || pending))
		err = limits_diag(l, 1, name, line, "block of line %lu not "
		    "closed; not read", b->line);
	free(b);
	return err < 0 ? err : 0;
}

int
xinetd_parse(struct limits *l, const char *name, const char *text,
    size_t len)
{
	struct xstate st;
	int err;

	memset(&st, 0, sizeof(st));
	qstr_init(&st.includedirs, 64 * 1024);
	err = parse(l, &st, name, text, len);
	qstr_free(&st.includedirs);
	return err;
}

static int
read_one(struct limits *l, struct xstate *st, const char *root,
    const char *path)
{
	struct qstr text = QSTR_INIT(LIMITS_MAX_FILE + 1);
	int err;

	err = limits_readfile(root, path, LIMITS_MAX_FILE, &text);
	if (err == 0)
		err = parse(l, st, path + (path[0] == '/'), qstr_str(&text),
		    text.len);
	else if (err == QPM_ENOENT)
		err = 0;
	else
		err = limits_diag(l, 1, path + (path[0] == '/'), 0,
		    "cannot read: %s", rootfs_strerror(err));
	qstr_free(&text);
	return err;
}

int
xinetd_read(struct limits *l, const char *root, const char *conf)
{
	struct xstate st;
	struct qstr names = QSTR_INIT(1 << 20), dirs = QSTR_INIT(64 * 1024);
	char path[PATH_MAX];
	const char *d, *p;
	int err;

	memset(&st, 0, sizeof(st));
	qstr_init(&st.includedirs, 64 * 1024);
	err = read_one(l, &st, root, conf);
	if (err == 0 && st.includedirs.len == 0) {
		/* Debian and CentOS both ship "includedir /etc/xinetd.d";
		 * read it even when xinetd.conf is missing from a copy */
		err = qstr_catn(&st.includedirs, "/etc/xinetd.d", 14);
	}
	if (err == 0)
		err = qstr_catn(&dirs, st.includedirs.buf, st.includedirs.len);
	for (d = dirs.buf; err == 0 && d != NULL && d < dirs.buf + dirs.len;
	    d += strlen(d) + 1) {
		qstr_reset(&names);
		if (limits_listdir(root, d, &names) < 0)
			continue;
		for (p = names.buf; err == 0 && p != NULL &&
		    p < names.buf + names.len; p += strlen(p) + 1) {
			/* xinetd skips names with a dot or ending in ~ */
			if (strchr(p, '.') != NULL || p[strlen(p) - 1] == '~')
				continue;
			if (limits_join(path, sizeof(path), d, p) < 0)
				continue;
			err = read_one(l, &st, root, path);
		}
	}
	qstr_free(&st.includedirs);
	qstr_free(&names);
	qstr_free(&dirs);
	return err < 0 ? err : 0;
}
