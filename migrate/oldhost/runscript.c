/*
 * NAME		runscript - read a daemontools/runit run script: the chain of
 *		softlimit/envdir/chpst/... programs and the listener at its
 *		end (tcpserver, tcpserver-ssl, sslserver, couriertcpd, tcpsvd)
 * DOES		a small sh subset: assignments, export, `cat FILE` and
 *		$(cat FILE), ${VAR:-x}, quotes, continuation lines, ; && |
 * NEVER	runs anything, guesses a value it cannot resolve (that is a
 *		file:line diagnostic), follows a path out of the root
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/runscript_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

static struct rs_var *
var_find(struct rs *r, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < r->nvars; i++)
		if (strlen(r->vars[i].name) == n &&
		    memcmp(r->vars[i].name, name, n) == 0)
			return &r->vars[i];
	return NULL;
}

int
var_set(struct rs *r, const char *name, size_t n, const char *value,
    int unknown, const char *from, int exported)
{
	struct rs_var *v;
	char *val, *fr;

	if ((v = var_find(r, name, n)) == NULL) {
		if (r->nvars == LIMITS_MAX_VARS)
			return QPM_ERANGE;
		v = &r->vars[r->nvars];
		memset(v, 0, sizeof(*v));
		if ((v->name = strndup(name, n)) == NULL)
			return QPM_ENOMEM;
		r->nvars++;
	}
	if ((val = strdup(value)) == NULL ||
	    (fr = strdup(from != NULL ? from : "")) == NULL) {
		free(val);
		return QPM_ENOMEM;
	}
	free(v->value);
	free(v->from);
	v->value = val;
	v->from = fr;
	v->unknown = unknown;
	if (exported)
		v->exported = 1;
	return 0;
}

static void
vars_free(struct rs *r)
{
	size_t i;

	for (i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
		free(r->vars[i].value);
		free(r->vars[i].from);
	}
	r->nvars = 0;
}

static void
words_free(struct rs *r)
{
	size_t i;

	for (i = 0; i < r->nw; i++)
		qstr_free(&r->w[i].s);
	free(r->w);
	r->w = NULL;
	r->nw = 0;
}

static int
is_name_char(int c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return 1;
	return !first && c >= '0' && c <= '9';
}

/* Resolve the body of `...` or $(...): only "cat FILE" and "head -1 FILE"
 * (and -n 1 / -n1) are read; anything else leaves the word unknown. */
static int
subst(struct rs *r, const char *cmd, size_t n, struct rs_word *w)
{
	struct qstr text = QSTR_INIT(LIMITS_MAX_FILE + 1);
	char buf[PATH_MAX], path[PATH_MAX], *tok[8], *save = NULL, *t;
	size_t nt = 0, len;
	int err, headone = 0;
	const char *file;

	if (n >= sizeof(buf))
		goto unknown;
	memcpy(buf, cmd, n);
	buf[n] = '\0';
	for (t = strtok_r(buf, " \t", &save); t != NULL && nt < 8;
	    t = strtok_r(NULL, " \t", &save)) {
		if (strcmp(t, "2>/dev/null") == 0)
			continue;
		tok[nt++] = t;
	}
	if (nt == 2 && strcmp(base(tok[0]), "cat") == 0)
		file = tok[1];
	else if (nt == 3 && strcmp(base(tok[0]), "head") == 0 &&
	    (strcmp(tok[1], "-1") == 0 || strcmp(tok[1], "-n1") == 0)) {
		file = tok[2];
		headone = 1;
	} else if (nt == 4 && strcmp(base(tok[0]), "head") == 0 &&
	    strcmp(tok[1], "-n") == 0 && strcmp(tok[2], "1") == 0) {
		file = tok[3];
		headone = 1;
	} else
		goto unknown;
	if (file[0] == '/')
		err = qpm_snprintf(path, sizeof(path), "%s", file);
	else
		err = limits_join(path, sizeof(path), r->dir, file);
	if (err < 0)
		goto unknown;
	if ((err = limits_readfile(r->root, path, LIMITS_MAX_FILE, &text)) < 0) {
		qstr_free(&text);
		if (err == QPM_ENOMEM)
			return err;
		return limits_diag(r->l, 0, r->name, r->line,
		    "`%.*s`: %s is %s", (int)n, cmd, path,
		    err == QPM_ENOENT ? "missing" : "unreadable") < 0 ?
		    QPM_ENOMEM : (w->unknown = 1, 0);
	}
	len = text.len;
	if (headone) {
		const char *nl = memchr(qstr_str(&text), '\n', len);

		if (nl != NULL)
			len = (size_t)(nl - qstr_str(&text));
	}
	while (len > 0 && (text.buf[len - 1] == '\n' ||
	    text.buf[len - 1] == '\r'))
		len--;
	err = qstr_catn(&w->s, qstr_str(&text), len);
	(void)qpm_snprintf(w->from, sizeof(w->from), "%s:1",
	    path + (path[0] == '/'));
	qstr_free(&text);
	return err;
unknown:
	w->unknown = 1;
	return qstr_catf(&w->s, "`%.*s`", (int)(n > 60 ? 60 : n), cmd);
}

/* $NAME, ${NAME}, ${NAME:-x}, ${NAME-x} at p (p[0] == '$'); returns the
 * bytes consumed. */
static long
expand_var(struct rs *r, const char *p, size_t n, struct rs_word *w)
{
	const char *name, *dflt = NULL;
	size_t nl, i, dl = 0;
	struct rs_var *v;
	int colon = 0, err;

	if (n < 2)
		return (qstr_catc(&w->s, '$') < 0) ? -1 : 1;
	if (p[1] == '{') {
		for (i = 2; i < n && p[i] != '}'; i++)
			;
		if (i == n)
			return -2;
		name = p + 2;
		for (nl = 0; 2 + nl < i && is_name_char(name[nl], nl == 0); nl++)
			;
		if (2 + nl < i) {
			if (name[nl] == ':' && 2 + nl + 1 < i &&
			    name[nl + 1] == '-') {
				colon = 1;
				dflt = name + nl + 2;
			} else if (name[nl] == '-')
				dflt = name + nl + 1;
			else
				return -2;
			dl = (size_t)(p + i - dflt);
		}
		i++;
	} else if (p[1] == '(') {
		int depth = 1;

		for (i = 2; i < n && depth > 0; i++) {
			if (p[i] == '(')
				depth++;
			else if (p[i] == ')')
				depth--;
		}
		if (depth != 0)
			return -2;
		err = subst(r, p + 2, i - 3, w);
		return err < 0 ? -1 : (long)i;
	} else if (is_name_char(p[1], 1)) {
		name = p + 1;
		for (nl = 0; 1 + nl < n && is_name_char(name[nl], nl == 0); nl++)
			;
		i = 1 + nl;
	} else {
		/* $1, $$, $@: nothing a run script passes us */
		w->unknown = 1;
		return qstr_catn(&w->s, p, 2) < 0 ? -1 : 2;
	}
	v = var_find(r, name, nl);
	if (v == NULL || (colon && v->value[0] == '\0')) {
		if (dflt != NULL)
			return qstr_catn(&w->s, dflt, dl) < 0 ? -1 : (long)i;
		if (v == NULL) {
			/* unset: the environment of the supervisor, unknown */
			w->unknown = 1;
			return qstr_catf(&w->s, "$%.*s", (int)nl, name) < 0 ?
			    -1 : (long)i;
		}
	}
	if (v->unknown)
		w->unknown = 1;
	if (v->from[0] != '\0')
		(void)qpm_snprintf(w->from, sizeof(w->from), "%s", v->from);
	return qstr_cat(&w->s, v->value) < 0 ? -1 : (long)i;
}

static struct rs_word *
word_new(struct rs *r)
{
	struct rs_word *nw;

	if (r->nw == LIMITS_MAX_WORDS)
		return NULL;
	if ((nw = realloc(r->w, (r->nw + 1) * sizeof(*nw))) == NULL)
		return NULL;
	r->w = nw;
	memset(&r->w[r->nw], 0, sizeof(r->w[r->nw]));
	qstr_init(&r->w[r->nw].s, 64 * 1024);
	return &r->w[r->nw++];
}

/* Split one logical line into words with expansions done; returns 0,
 * QPM_ESYNTAX (diagnosed) or another negative qpm_err. */
static int
tokenize(struct rs *r, const char *p, size_t n)
{
	struct rs_word *w = NULL;
	size_t i = 0;
	long used;
	int quote = 0, seen_eq = 0, err;

	while (i < n) {
		char c = p[i];

		if (quote == 0 && (c == ' ' || c == '\t' || c == '\r')) {
			w = NULL;
			i++;
			continue;
		}
		if (quote == 0 && c == '#' && w == NULL)
			break;
		if (quote == 0 && (c == ';' || c == '&' || c == '|')) {
			if ((w = word_new(r)) == NULL)
				return QPM_ERANGE;
			w->op = 1;
			if (i + 1 < n && p[i + 1] == c && c != ';') {
				if ((err = qstr_catn(&w->s, p + i, 2)) < 0)
					return err;
				i += 2;
			} else {
				if ((err = qstr_catc(&w->s, c)) < 0)
					return err;
				i++;
			}
			/* "2>&1": the & belongs to a redirection */
			if (c == '&' && w->s.len == 1 && r->nw >= 2 &&
			    r->w[r->nw - 2].s.len > 0 &&
			    r->w[r->nw - 2].s.buf[r->w[r->nw - 2].s.len - 1] ==
			    '>' && i < n && p[i] >= '0' && p[i] <= '9') {
				qstr_free(&w->s);
				r->nw--;
				w = &r->w[r->nw - 1];
				if ((err = qstr_catc(&w->s, '&')) < 0)
					return err;
				continue;
			}
			w = NULL;
			continue;
		}
		if (w == NULL) {
			if ((w = word_new(r)) == NULL)
				return QPM_ERANGE;
			seen_eq = 0;
			w->assign_ok = 1;
		}
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else if ((err = qstr_catc(&w->s, c)) < 0)
				return err;
			i++;
			continue;
		}
		if (c == '\\' && i + 1 < n) {
			if ((err = qstr_catc(&w->s, p[i + 1])) < 0)
				return err;
			i += 2;
			continue;
		}
		if (c == '"') {
			quote = quote == '"' ? 0 : '"';
			if (!seen_eq)
				w->assign_ok = 0;
			i++;
			continue;
		}
		if (c == '\'' && quote == 0) {
			quote = '\'';
			if (!seen_eq)
				w->assign_ok = 0;
			i++;
			continue;
		}
		if (c == '`') {
			size_t j;

			for (j = i + 1; j < n && p[j] != '`'; j++)
				;
			if (j == n)
				goto syntax;
			if ((err = subst(r, p + i + 1, j - i - 1, w)) < 0)
				return err;
			i = j + 1;
			continue;
		}
		if (c == '$') {
			used = expand_var(r, p + i, n - i, w);
			if (used == -2)
				goto syntax;
			if (used < 0)
				return QPM_ENOMEM;
			i += (size_t)used;
			continue;
		}
		if (c == '=')
			seen_eq = 1;
		if ((err = qstr_catc(&w->s, c)) < 0)
			return err;
		i++;
	}
	if (quote != 0)
		goto syntax;
	return 0;
syntax:
	if (limits_diag(r->l, 1, r->name, r->line,
	    "cannot parse this shell line (unbalanced quote, ` or ${)") < 0)
		return QPM_ENOMEM;
	return QPM_ESYNTAX;
}

static int
is_keyword(const char *s)
{
	static const char *const kw[] = { "if", "then", "else", "elif", "do",
	    "while", "until", "!", "{", "(", NULL };
	size_t i;

	for (i = 0; kw[i] != NULL; i++)
		if (strcmp(s, kw[i]) == 0)
			return 1;
	return 0;
}

static int
is_redirect(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '<' || *s == '>';
}

/* One logical line: split at operators; run each simple command. */
static int
logical_line(struct rs *r)
{
	size_t i = 0, start, end, k;
	int err;

	while (i < r->nw) {
		start = i;
		while (i < r->nw && !r->w[i].op)
			i++;
		end = i;
		if (i < r->nw)
			i++;	/* the operator */
		/* drop redirections: "2>&1", "> file", ">/dev/null" */
		for (k = start; k < end; k++) {
			const char *s = wstr(r, k);

			if (is_redirect(s)) {
				size_t drop = 1, m;

				if (s[strlen(s) - 1] == '>' ||
				    s[strlen(s) - 1] == '<')
					drop = (k + 1 < end) ? 2 : 1;
				for (m = 0; m < drop; m++)
					qstr_reset(&r->w[k + m].s);
				k += drop - 1;
			}
		}
		while (start < end && (r->w[start].s.len == 0 ||
		    is_keyword(wstr(r, start))))
			start++;
		if (start == end)
			continue;
		if (strcmp(wstr(r, start), "export") == 0 ||
		    strcmp(wstr(r, start), "readonly") == 0) {
			int exp = wstr(r, start)[0] == 'e';

			for (k = start + 1; k < end; k++) {
				const char *s = wstr(r, k);
				const char *eq = strchr(s, '=');
				struct rs_var *v;

				if (eq != NULL) {
					if ((err = var_set(r, s,
					    (size_t)(eq - s), eq + 1,
					    r->w[k].unknown, r->w[k].from,
					    exp)) < 0)
						return err;
				} else if ((v = var_find(r, s, strlen(s))) !=
				    NULL)
					v->exported = exp || v->exported;
				else if (exp && (err = var_set(r, s, strlen(s),
				    "", 1, NULL, 1)) < 0)
					return err;
			}
			continue;
		}
		/* leading NAME=value words */
		for (k = start; k < end; k++) {
			const char *s = wstr(r, k);
			const char *eq = strchr(s, '=');

			if (eq == NULL || eq == s || !r->w[k].assign_ok)
				break;
			{
				size_t m;

				for (m = 0; s + m < eq; m++)
					if (!is_name_char(s[m], m == 0))
						break;
				if (s + m != eq)
					break;
			}
		}
		if (k > start) {
			int prefix = k < end;	/* VAR=x prog: env of prog */
			size_t m;

			for (m = start; m < k; m++) {
				const char *s = wstr(r, m);
				const char *eq = strchr(s, '=');

				if ((err = var_set(r, s, (size_t)(eq - s),
				    eq + 1, r->w[m].unknown,
				    r->w[m].from[0] != '\0' ? r->w[m].from :
				    NULL, prefix)) < 0)
					return err;
			}
			if (!prefix)
				continue;
		}
		if ((err = runscript_command(r, k, end)) < 0)
			return err;
	}
	return 0;
}

int
runscript_parse(struct limits *l, const char *root, const char *dir,
    const char *name, const char *text, size_t len)
{
	struct rs r;
	struct qstr line = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	size_t i = 0, lineno = 0;
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.l = l;
	r.root = root;
	r.dir = dir;
	r.name = name;
	while (i < len) {
		size_t j = i;
		unsigned long first = lineno + 1;

		qstr_reset(&line);
		/* join continuation lines: "...\\\n" */
		for (;;) {
			const char *nl = memchr(text + j, '\n', len - j);
			size_t e = nl != NULL ? (size_t)(nl - text) : len;

			lineno++;
			if (e > j && text[e - 1] == '\\' && nl != NULL) {
				if ((err = qstr_catn(&line, text + j,
				    e - j - 1)) < 0)
					goto out;
				j = e + 1;
				continue;
			}
			if ((err = qstr_catn(&line, text + j, e - j)) < 0)
				goto out;
			j = nl != NULL ? e + 1 : len;
			break;
		}
		i = j;
		if (memchr(qstr_str(&line), '\0', line.len) != NULL) {
			if ((err = limits_diag(l, 1, name, first,
			    "NUL byte in a run script line; not read")) < 0)
				goto out;
			continue;
		}
		r.line = first;
		words_free(&r);
		err = tokenize(&r, qstr_str(&line), line.len);
		if (err == QPM_ESYNTAX)
			continue;
		if (err == QPM_ERANGE) {
			if ((err = limits_diag(l, 1, name, first,
			    "too many words (more than %d); not read",
			    LIMITS_MAX_WORDS)) < 0)
				goto out;
			continue;
		}
		if (err < 0)
			goto out;
		if ((err = logical_line(&r)) < 0)
			goto out;
	}
	if (!r.found) {
		/* a service without a listener (qmail-send, a logger) */
		err = 0;
	}
out:
	words_free(&r);
	vars_free(&r);
	qstr_free(&line);
	return err;
}
