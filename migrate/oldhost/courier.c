/*
 * NAME		courier - read courier-imap's imapd, imapd-ssl, pop3d and
 *		pop3d-ssl settings (MAXDAEMONS, MAXPERIP, TCPDOPTS -maxperc)
 * DOES		sh-style NAME=value lines; the -ssl files inherit MAXDAEMONS
 *		and MAXPERIP from their plain file, as couriertcpd's start
 *		scripts source both
 * NEVER	guesses a value that is not a number
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

#define COURIER_MAX_VARS	256

struct cvar {
	char		 name[64];
	char		*value;
	const char	*file;
	unsigned long	 line;
};

struct cvars {
	struct cvar	 v[COURIER_MAX_VARS];
	size_t		 n;
};

static void
cvars_free(struct cvars *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].value);
	c->n = 0;
}

static struct cvar *
cvar_get(struct cvars *c, const char *name)
{
	size_t i;

	for (i = c->n; i > 0; i--)
		if (strcmp(c->v[i - 1].name, name) == 0)
			return &c->v[i - 1];
	return NULL;
}

/* NAME=value, NAME="value", NAME='value'; the rest is ignored. */
static int
cvars_parse(struct limits *l, struct cvars *c, const char *name,
    const char *text, size_t len)
{
	size_t i = 0;
	unsigned long line = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : len, k, nlen;
		const char *p = text + i;
		struct qstr val = QSTR_INIT(64 * 1024);
		int quote = 0, err = 0;

		line++;
		i = nl != NULL ? e + 1 : len;
		while (p < text + e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == text + e || *p == '#')
			continue;
		if (text + e - p >= 7 && memcmp(p, "export ", 7) == 0)
			p += 7;	/* measured first: text need not end in a NUL */
		for (nlen = 0; p + nlen < text + e && (p[nlen] == '_' ||
		    (p[nlen] >= 'A' && p[nlen] <= 'Z') ||
		    (p[nlen] >= 'a' && p[nlen] <= 'z') ||
		    (nlen > 0 && p[nlen] >= '0' && p[nlen] <= '9')); nlen++)
			;
		if (nlen == 0 || nlen >= sizeof(c->v[0].name) ||
		    p + nlen >= text + e || p[nlen] != '=')
			continue;	/* not an assignment: not ours */
		for (k = nlen + 1; p + k < text + e; k++) {
			char ch = p[k];

			if (quote == 0 && (ch == '"' || ch == '\'')) {
				quote = ch;
				continue;
			}
			if (quote != 0 && ch == quote) {
				quote = 0;
				continue;
			}
			if (quote == 0 && (ch == ' ' || ch == '\t' || ch == '#'))
				break;
			if ((err = qstr_catc(&val, ch)) < 0)
				break;
		}
		if (err == 0 && quote != 0)
			err = limits_diag(l, 1, name, line, "%.*s: quote not "
			    "closed; not read", (int)nlen, p) < 0 ? QPM_ENOMEM :
			    1;
		if (err == 0) {
			struct cvar *v;

			if (c->n == COURIER_MAX_VARS) {
				qstr_free(&val);
				return limits_diag(l, 1, name, line, "more than "
				    "%d settings; the rest is not read",
				    COURIER_MAX_VARS) < 0 ? QPM_ENOMEM : 0;
			}
			v = &c->v[c->n];
			memcpy(v->name, p, nlen);
			v->name[nlen] = '\0';
			if ((v->value = strdup(qstr_str(&val))) == NULL) {
				qstr_free(&val);
				return QPM_ENOMEM;
			}
			v->file = name;
			v->line = line;
			c->n++;
		}
		qstr_free(&val);
		if (err < 0)
			return err;
	}
	return 0;
}

static int
num_item(struct limits *l, struct cvars *c, const char *var,
    enum limits_kind kind, enum limits_svc svc, const char *source,
    const char *inert, const char *via)
{
	struct cvar *v = cvar_get(c, var);
	long n;
	int idx, err;

	if (v == NULL)
		return 0;
	if ((n = limits_number(v->value, strlen(v->value))) < 0)
		return limits_diag(l, 1, v->file, v->line, "%s=\"%.40s\": not "
		    "a number; not read", var, v->value) < 0 ? QPM_ENOMEM : 0;
	idx = limits_add(l, kind, svc, n, 0, source, v->file, v->line,
	    "%s=%ld%s", var, n, via != NULL ? via : "");
	if (idx < 0)
		return idx;
	if (kind != LK_CONC_SERVICE &&
	    (err = limits_set_addr(l, (size_t)idx, "")) < 0)
		return err;
	if (inert != NULL && (err = limits_set_inert(l, (size_t)idx,
	    inert)) < 0)
		return err;
	return 0;
}

static int
items(struct limits *l, struct cvars *c, enum limits_svc svc,
    const char *startvar, const char *via)
{
	struct cvar *start = cvar_get(c, startvar), *t;
	const char *inert = NULL;
	char why[128];
	int err;

	if (start != NULL && (strcmp(start->value, "NO") == 0 ||
	    strcmp(start->value, "no") == 0)) {
		(void)qpm_snprintf(why, sizeof(why), "%s=NO: courier does not "
		    "start this listener", startvar);
		inert = why;
	}
	if ((err = num_item(l, c, "MAXDAEMONS", LK_CONC_SERVICE, svc,
	    "courier MAXDAEMONS", inert, via)) < 0 ||
	    (err = num_item(l, c, "MAXPERIP", LK_CONC_IP, svc,
	    "courier MAXPERIP", inert, via)) < 0)
		return err;
	if ((t = cvar_get(c, "TCPDOPTS")) != NULL) {
		const char *m = strstr(t->value, "-maxperc=");

		if (m != NULL) {
			long n = limits_number(m + 9, strcspn(m + 9, " \t"));
			int idx;

			if (n < 0)
				return limits_diag(l, 1, t->file, t->line,
				    "TCPDOPTS -maxperc: not a number; not "
				    "read") < 0 ? QPM_ENOMEM : 0;
			idx = limits_add(l, LK_CONC_NET24, svc, n, 0,
			    "courier TCPDOPTS -maxperc", t->file, t->line,
			    "-maxperc=%ld", n);
			if (idx < 0 || (err = limits_set_addr(l, (size_t)idx,
			    "")) < 0)
				return idx < 0 ? idx : err;
			if (inert != NULL && (err = limits_set_inert(l,
			    (size_t)idx, inert)) < 0)
				return err;
		}
	}
	return 0;
}

static enum limits_svc
svc_of(const char *name, const char **startvar)
{
	const char *b = strrchr(name, '/');

	b = b != NULL ? b + 1 : name;
	if (strcmp(b, "imapd") == 0)
		return *startvar = "IMAPDSTART", LSVC_IMAP;
	if (strcmp(b, "imapd-ssl") == 0)
		return *startvar = "IMAPDSSLSTART", LSVC_IMAPS;
	if (strcmp(b, "pop3d") == 0)
		return *startvar = "POP3DSTART", LSVC_POP3;
	if (strcmp(b, "pop3d-ssl") == 0)
		return *startvar = "POP3DSSLSTART", LSVC_POP3S;
	*startvar = "";
	return LSVC_OTHER;
}

int
courier_parse(struct limits *l, const char *name, const char *text,
    size_t len)
{
	struct cvars *c;
	const char *startvar;
	enum limits_svc svc = svc_of(name, &startvar);
	int err;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return QPM_ENOMEM;
	err = cvars_parse(l, c, name, text, len);
	if (err >= 0)
		err = items(l, c, svc, startvar, NULL);
	cvars_free(c);
	free(c);
	return err;
}

int
courier_read(struct limits *l, const char *root, const char *dir)
{
	static const char *const pairs[2][2] = { { "imapd", "imapd-ssl" },
	    { "pop3d", "pop3d-ssl" } };
	struct qstr text = QSTR_INIT(LIMITS_MAX_FILE + 1);
	char path[2][PATH_MAX];
	const char *shown[2];
	struct cvars *c;
	size_t p, k;
	int have[2], err = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return QPM_ENOMEM;
	for (p = 0; p < 2 && err >= 0; p++) {
		const char *startvar;

		for (k = 0; k < 2; k++) {
			have[k] = 0;
			if (limits_join(path[k], sizeof(path[k]), dir,
			    pairs[p][k]) < 0)
				continue;
			shown[k] = path[k] + (path[k][0] == '/');
			qstr_reset(&text);
			err = limits_readfile(root, path[k], LIMITS_MAX_FILE,
			    &text);
			if (err == QPM_ENOENT) {
				err = 0;
				continue;
			}
			if (err < 0) {
				err = limits_diag(l, 1, shown[k], 0, "cannot "
				    "read: %s", rootfs_strerror(err));
				continue;
			}
			/* the -ssl file is read on top of the plain one */
			if ((err = cvars_parse(l, c, shown[k], qstr_str(&text),
			    text.len)) < 0)
				break;
			have[k] = 1;
			if (k == 0) {
				enum limits_svc svc = svc_of(path[0],
				    &startvar);

				if ((err = items(l, c, svc, startvar,
				    NULL)) < 0)
					break;
			}
		}
		if (err >= 0 && have[1]) {
			enum limits_svc svc = svc_of(path[1], &startvar);
			char via[64];

			(void)qpm_snprintf(via, sizeof(via), " (%s reads %s)",
			    pairs[p][1], pairs[p][0]);
			err = items(l, c, svc, startvar, have[0] ? via : NULL);
		}
		cvars_free(c);
	}
	free(c);
	qstr_free(&text);
	return err < 0 ? err : 0;
}
