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
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

struct rs_var {
	char		*name, *value;
	char		*from;		/* "file:line" the value came from */
	int		 unknown;	/* holds an unresolvable expansion */
	int		 exported;
};

struct rs_word {
	struct qstr	 s;
	int		 unknown;
	int		 assign_ok;	/* NAME= was unquoted: an assignment */
	int		 op;		/* an operator: ; & | && || */
	char		 from[PATH_MAX + 32];
};

struct rs {
	struct limits	*l;
	const char	*root, *dir, *name;
	unsigned long	 line;
	struct rs_var	 vars[LIMITS_MAX_VARS];
	size_t		 nvars;
	struct rs_word	*w;
	size_t		 nw;
	int		 depth;
	int		 found;		/* a listener was read */
};

static const char *
base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

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

static int
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

static const char *
wstr(const struct rs *r, size_t i)
{
	return qstr_str(&r->w[i].s);
}

/* An option value that must be a number; diagnoses and returns -1. */
static long
optnum(struct rs *r, const char *prog, char opt, const struct rs_word *w,
    const char *val)
{
	long v;

	if (w != NULL && w->unknown) {
		(void)limits_diag(r->l, 1, r->name, r->line,
		    "%s -%c %s: value not known (not a literal, not a readable "
		    "file); limit not read", prog, opt, val);
		return -1;
	}
	v = limits_number(val, strlen(val));
	if (v < 0)
		(void)limits_diag(r->l, 1, r->name, r->line,
		    "%s -%c \"%s\": not a number; limit not read", prog, opt,
		    val);
	return v;
}

static char *
wfrom(const struct rs_word *w, char *buf, size_t size)
{
	if (w == NULL || w->from[0] == '\0')
		buf[0] = '\0';
	else
		(void)qpm_snprintf(buf, size, " (value from %s)", w->from);
	return buf;
}

static int
add_env_items(struct rs *r, enum limits_svc svc, const char *prog,
    size_t envfrom, size_t envto)
{
	static const struct {
		const char *name;
		enum limits_kind kind;
	} known[] = {
		{ "MAXCONNIP", LK_CONC_IP }, { "MAXCONNC", LK_CONC_NET24 },
		{ "MAXLOAD", LK_LOADAVG },
		{ "QMAIL_SMTP_TIMEOUT", LK_TIMEOUT_IDLE },
		{ "QMAIL_SMTPD_TIMEOUT", LK_TIMEOUT_IDLE },
		{ "QMAIL_SMTPD_DATA_TIMEOUT", LK_TIMEOUT_DATA },
	};
	size_t i, k;
	int err;

	/* exported shell variables, then NAME=value words before the
	 * program (words envfrom..envto) */
	for (i = 0; i < r->nvars; i++) {
		struct rs_var *v = &r->vars[i];

		if (!v->exported)
			continue;
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
			long val;

			if (strcmp(v->name, known[k].name) != 0)
				continue;
			if (v->unknown ||
			    (val = limits_number(v->value,
			    strlen(v->value))) < 0) {
				if (limits_diag(r->l, 1, r->name, r->line,
				    "%s=%s: not a number; limit not read",
				    v->name, v->value) < 0)
					return QPM_ENOMEM;
				continue;
			}
			if (known[k].kind == LK_LOADAVG)
				val *= 100;
			err = limits_add(r->l, known[k].kind, svc, val, 0,
			    v->name, v->from[0] != '\0' ? v->from : r->name,
			    v->from[0] != '\0' ? 0 : r->line,
			    "environment of %s in %s:%lu", prog, r->name,
			    r->line);
			if (err < 0)
				return err;
			if (v->from[0] != '\0') {
				/* "file:line" → split for the item */
				struct limits_item *it = &r->l->items[err];
				char *colon = strrchr(it->file, ':');

				if (colon != NULL) {
					it->line = strtoul(colon + 1, NULL, 10);
					*colon = '\0';
				}
			}
			if (strcmp(v->name, "MAXCONNIP") == 0 ||
			    strcmp(v->name, "MAXCONNC") == 0)
				if ((err = limits_set_addr(r->l, (size_t)err,
				    "")) < 0)
					return err;
		}
	}
	(void)envfrom;
	(void)envto;
	return 0;
}

/* Option letters of each listener; a letter not listed is a diagnostic:
 * a build with options we do not know is not read. */
struct fe_spec {
	const char *prog;
	const char *flags;
	const char *args;
	int tls;
	const char *reading;
};

static const struct fe_spec fe_specs[] = {
	{ "tcpserver", "dDvqQhHrR1UXpPoO", "xtuglbBc", 0,
	    "ucspi-tcp 0.88 tcpserver: -t is the ident (TCPREMOTEINFO) "
	    "timeout; there is no handshake or idle timeout" },
	{ "tcpserver-ssl", "dDvqQhHrR1UXpPoOsS", "xtuglbBcnNkK", 1,
	    "TLS-patched tcpserver-ssl: -t is read as the TLS handshake "
	    "timeout, as such builds use it in the field (stock ucspi-tcp "
	    "would read it as the ident timeout)" },
	{ "sslserver", "13456aAdDeEhHiInNoOpPqQrRsSUvXyYzZ", "bBcgltTuwx", 1,
	    "ucspi-ssl sslserver: -T is the TLS handshake timeout, -w the "
	    "idle timeout, -t the ident timeout" },
	{ "tcpsvd", "vEhp", "cCixulb", 0,
	    "ipsvd tcpsvd: -c per listener, -C per client IP" },
};

static const struct fe_spec *
fe_find(const char *prog)
{
	size_t i;

	for (i = 0; i < sizeof(fe_specs) / sizeof(fe_specs[0]); i++)
		if (strcmp(fe_specs[i].prog, prog) == 0)
			return &fe_specs[i];
	if (strncmp(prog, "tcpserver", 9) == 0 && strstr(prog, "ssl") != NULL)
		return &fe_specs[1];
	return NULL;
}

static enum limits_svc
svc_from_child(const char *prog, int tls)
{
	const char *b = base(prog);

	if (strcmp(b, "qmail-smtpd") == 0 || strcmp(b, "rblsmtpd") == 0 ||
	    strcmp(b, "qmail-smtpd-ssl") == 0)
		return tls ? LSVC_SMTPS : LSVC_SMTP;
	if (strcmp(b, "qmail-popup") == 0 || strcmp(b, "qmail-pop3d") == 0 ||
	    strcmp(b, "pop3d") == 0)
		return tls ? LSVC_POP3S : LSVC_POP3;
	if (strcmp(b, "imapd") == 0 || strcmp(b, "imaplogin") == 0)
		return tls ? LSVC_IMAPS : LSVC_IMAP;
	return LSVC_OTHER;
}

static int
frontend(struct rs *r, size_t i, size_t end, const struct fe_spec *fe)
{
	long c = -1, t = -1, T = -1, w = -1, C = -1;
	size_t ic = 0, it = 0, iT = 0, iw = 0, iC = 0, ix = 0, host, port;
	int noident = 0, err;
	const char *prog = fe->prog;
	char fb[PATH_MAX + 40];
	enum limits_svc svc;
	const char *xfile = NULL;

	for (i++; i < end; i++) {
		const char *a = wstr(r, i);
		size_t j;

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		for (j = 1; a[j] != '\0'; j++) {
			char o = a[j];
			const char *val;
			size_t wi;

			if (strchr(fe->flags, o) != NULL) {
				if (o == 'R')
					noident = 1;
				if (o == 'r')
					noident = 0;
				continue;
			}
			if (strchr(fe->args, o) == NULL) {
				if (limits_diag(r->l, 1, r->name, r->line,
				    "%s: unknown option -%c; this listener's "
				    "limits are not read", prog, o) < 0)
					return QPM_ENOMEM;
				return 0;
			}
			if (a[j + 1] != '\0') {
				val = a + j + 1;
				wi = i;
			} else if (i + 1 < end) {
				i++;
				val = wstr(r, i);
				wi = i;
			} else {
				if (limits_diag(r->l, 1, r->name, r->line,
				    "%s: -%c needs a value", prog, o) < 0)
					return QPM_ENOMEM;
				return 0;
			}
			switch (o) {
			case 'c': c = optnum(r, prog, o, &r->w[wi], val);
				ic = wi; if (c < 0) c = -2; break;
			case 't': t = optnum(r, prog, o, &r->w[wi], val);
				it = wi; if (t < 0) t = -2; break;
			case 'T': T = optnum(r, prog, o, &r->w[wi], val);
				iT = wi; if (T < 0) T = -2; break;
			case 'w': w = optnum(r, prog, o, &r->w[wi], val);
				iw = wi; if (w < 0) w = -2; break;
			case 'C': {
				char num[32];
				size_t k = strcspn(val, ":");

				(void)qpm_snprintf(num, sizeof(num), "%.*s",
				    (int)(k > 20 ? 20 : k), val);
				C = optnum(r, prog, o, &r->w[wi], num);
				iC = wi; if (C < 0) C = -2; break;
			}
			case 'x': xfile = val; ix = wi; break;
			default: break;
			}
			break;
		}
	}
	if (i + 1 >= end) {
		return limits_diag(r->l, 1, r->name, r->line,
		    "%s: no host and port after the options; not read",
		    prog) < 0 ? QPM_ENOMEM : 0;
	}
	host = i;
	port = i + 1;
	(void)host;
	svc = limits_svc_from_port(wstr(r, port));
	if (r->w[port].unknown || svc == LSVC_OTHER) {
		enum limits_svc s2 = port + 1 < end ?
		    svc_from_child(wstr(r, port + 1), fe->tls) : LSVC_OTHER;

		if (s2 != LSVC_OTHER)
			svc = s2;
	}
	r->found = 1;
	if (c >= 0) {
		if ((err = limits_add(r->l, LK_CONC_SERVICE, svc, c, 0,
		    fe->tls ? "TLS listener -c" : "tcpserver -c", r->name,
		    r->line, "%s -c %ld%s", prog, c,
		    wfrom(&r->w[ic], fb, sizeof(fb)))) < 0)
			return err;
	} else if (c == -1 && strcmp(prog, "tcpsvd") != 0) {
		if ((err = limits_add(r->l, LK_CONC_SERVICE, svc, 40, 0,
		    fe->tls ? "TLS listener -c" : "tcpserver -c", r->name,
		    r->line, "%s without -c: its default of 40 applied", prog)) < 0)
			return err;
		r->l->items[err].is_default = 1;
	}
	if (strcmp(prog, "tcpsvd") == 0 && C >= 0)
		if ((err = limits_add(r->l, LK_CONC_IP, svc, C, 0,
		    "tcpsvd -C", r->name, r->line, "%s -C %ld", prog, C)) < 0 ||
		    (err = limits_set_addr(r->l, (size_t)err, "")) < 0)
			return err;
	if (fe == &fe_specs[1]) {	/* tcpserver-ssl */
		if ((err = limits_add(r->l, LK_TIMEOUT_HANDSHAKE, svc,
		    t >= 0 ? t : -1, 0, "tcpserver-ssl -t", r->name, r->line,
		    "%s", t >= 0 ? fe->reading :
		    "no -t: no TLS handshake timeout at all (stalled "
		    "handshakes hold a -c slot until the client goes away)")) < 0)
			return err;
	} else if (t >= 0) {
		if ((err = limits_add(r->l, LK_TIMEOUT_IDENT, svc, t, 0,
		    strcmp(prog, "sslserver") == 0 ? "sslserver -t" :
		    "tcpserver -t", r->name, r->line, "%s", fe->reading)) < 0)
			return err;
		if (noident && (err = limits_set_inert(r->l, (size_t)err,
		    "-R is given: no ident lookup is made, so -t has no "
		    "effect")) < 0)
			return err;
	}
	if (strcmp(prog, "sslserver") == 0) {
		if ((err = limits_add(r->l, LK_TIMEOUT_HANDSHAKE, svc,
		    T >= 0 ? T : 26, 0, "sslserver -T", r->name, r->line,
		    "%s%s", fe->reading, T >= 0 ? "" :
		    "; no -T: the default of 26 s applied")) < 0)
			return err;
		if (T < 0)
			r->l->items[err].is_default = 1;
		if ((err = limits_add(r->l, LK_TIMEOUT_IDLE, svc,
		    w >= 0 ? w : 3600, 0, "sslserver -w", r->name, r->line,
		    "%s%s", fe->reading, w >= 0 ? "" :
		    "; no -w: the default of 3600 s applied")) < 0)
			return err;
		if (w < 0)
			r->l->items[err].is_default = 1;
	}
	(void)it; (void)iT; (void)iw; (void)iC;
	if ((err = add_env_items(r, svc, prog, 0, 0)) < 0)
		return err;
	if (xfile != NULL) {
		char path[PATH_MAX];

		if (r->w[ix].unknown)
			return limits_diag(r->l, 1, r->name, r->line,
			    "%s -x %s: rules file name not known; rules not "
			    "read", prog, xfile) < 0 ? QPM_ENOMEM : 0;
		if (xfile[0] == '/')
			err = qpm_snprintf(path, sizeof(path), "%s", xfile);
		else
			err = limits_join(path, sizeof(path), r->dir, xfile);
		if (err < 0)
			return 0;
		if ((err = tcprules_read(r->l, r->root, svc, path, r->name,
		    r->line)) < 0)
			return err;
	}
	return 0;
}

/* couriertcpd -maxprocs=N -maxperip=N -maxperc=N ... PORT PROG */
static int
couriertcpd(struct rs *r, size_t i, size_t end)
{
	long maxprocs = -1, maxperip = -1, maxperc = -1;
	enum limits_svc svc = LSVC_OTHER;
	int err;

	for (i++; i < end; i++) {
		const char *a = wstr(r, i), *eq;
		long *dst = NULL;

		if (a[0] != '-') {
			svc = limits_svc_from_port(a);
			if (svc == LSVC_OTHER && i + 1 < end)
				svc = svc_from_child(wstr(r, i + 1), 0);
			break;
		}
		if ((eq = strchr(a, '=')) == NULL)
			continue;
		if (strncmp(a, "-maxprocs=", 10) == 0)
			dst = &maxprocs;
		else if (strncmp(a, "-maxperip=", 10) == 0)
			dst = &maxperip;
		else if (strncmp(a, "-maxperc=", 9) == 0)
			dst = &maxperc;
		if (dst != NULL &&
		    (*dst = limits_number(eq + 1, strlen(eq + 1))) < 0)
			if (limits_diag(r->l, 1, r->name, r->line,
			    "couriertcpd %s: not a number; not read", a) < 0)
				return QPM_ENOMEM;
	}
	r->found = 1;
	if (maxprocs >= 0 && (err = limits_add(r->l, LK_CONC_SERVICE, svc,
	    maxprocs, 0, "couriertcpd -maxprocs", r->name, r->line, NULL)) < 0)
		return err;
	if (maxperip >= 0 && ((err = limits_add(r->l, LK_CONC_IP, svc,
	    maxperip, 0, "couriertcpd -maxperip", r->name, r->line, NULL)) < 0 ||
	    (err = limits_set_addr(r->l, (size_t)err, "")) < 0))
		return err;
	if (maxperc >= 0 && ((err = limits_add(r->l, LK_CONC_NET24, svc,
	    maxperc, 0, "couriertcpd -maxperc", r->name, r->line, NULL)) < 0 ||
	    (err = limits_set_addr(r->l, (size_t)err, "")) < 0))
		return err;
	return 0;
}

/* envdir DIR: each file is a variable, its first line the value. */
static int
envdir(struct rs *r, const char *dir)
{
	struct qstr names = QSTR_INIT(1 << 20);
	struct qstr val = QSTR_INIT(LIMITS_MAX_FILE + 1);
	char d[PATH_MAX], f[PATH_MAX], from[PATH_MAX + 8];
	const char *p;
	int err;

	while (dir[0] == '.' && dir[1] == '/')
		dir += 2;
	if (dir[0] == '/')
		err = qpm_snprintf(d, sizeof(d), "%s", dir);
	else
		err = limits_join(d, sizeof(d), r->dir, dir);
	if (err < 0)
		return 0;
	if ((err = limits_listdir(r->root, d, &names)) < 0) {
		qstr_free(&names);
		return limits_diag(r->l, 0, r->name, r->line,
		    "envdir %s: %s", d, err == QPM_ENOENT ? "missing" :
		    qpm_strerror(err)) < 0 ? QPM_ENOMEM : 0;
	}
	for (p = names.buf; p != NULL && p < names.buf + names.len;
	    p += strlen(p) + 1) {
		size_t len, k;

		if (limits_join(f, sizeof(f), d, p) < 0)
			continue;
		qstr_reset(&val);
		if (limits_readfile(r->root, f, LIMITS_MAX_FILE, &val) < 0)
			continue;
		len = 0;
		while (len < val.len && val.buf[len] != '\n')
			len++;
		while (len > 0 && (val.buf[len - 1] == ' ' ||
		    val.buf[len - 1] == '\t'))
			len--;
		for (k = 0; k < len; k++)
			if (val.buf[k] == '\0')
				val.buf[k] = '\n';
		if (len < val.len)
			val.buf[len] = '\0';
		(void)qpm_snprintf(from, sizeof(from), "%s:1", f + (f[0] == '/'));
		if ((err = var_set(r, p, strlen(p), qstr_str(&val), 0, from,
		    1)) < 0)
			break;
	}
	qstr_free(&names);
	qstr_free(&val);
	return err < 0 ? err : 0;
}

/* softlimit/chpst memory options */
static int
memory_item(struct rs *r, const char *prog, char opt, const struct rs_word *w,
    const char *val)
{
	long v = optnum(r, prog, opt, w, val);
	char fb[PATH_MAX + 40];

	if (v < 0)
		return 0;
	return limits_add(r->l, LK_MEMORY, LSVC_OTHER, v, 0,
	    strcmp(prog, "chpst") == 0 ? "chpst -m" : "softlimit -m", r->name,
	    r->line, "%s -%c %ld%s", prog, opt, v, wfrom(w, fb, sizeof(fb)));
}

/* Walk one simple command: wrapper programs, then the listener. */
static int
command(struct rs *r, size_t i, size_t end)
{
	size_t mem_first = r->l->nitems;
	int err;

	while (i < end) {
		const char *a = wstr(r, i), *b = base(a);
		const struct fe_spec *fe;

		if (strcmp(b, "exec") == 0 || strcmp(b, "fghack") == 0 ||
		    strcmp(b, "pgrphack") == 0 || strcmp(b, "nohup") == 0) {
			i++;
			continue;
		}
		if (strcmp(b, "softlimit") == 0 || strcmp(b, "chpst") == 0) {
			int chpst = b[0] == 'c';

			for (i++; i < end && wstr(r, i)[0] == '-'; i++) {
				const char *o = wstr(r, i);
				const char *val;
				size_t wi = i;
				char opt = o[1];

				if (opt == '\0')
					break;
				/* chpst flags without a value */
				if (chpst && strchr("vP012", opt) != NULL)
					continue;
				if (o[2] != '\0')
					val = o + 2;
				else if (i + 1 < end)
					val = wstr(r, ++i), wi = i;
				else
					break;
				if (opt == 'm' || (!chpst && (opt == 'a' ||
				    opt == 'd')) || (chpst && opt == 'd')) {
					if ((err = memory_item(r, b, opt,
					    &r->w[wi], val)) < 0)
						return err;
				} else if (chpst && opt == 'e') {
					if ((err = envdir(r, val)) < 0)
						return err;
				}
			}
			continue;
		}
		if (strcmp(b, "envdir") == 0) {
			if (i + 1 >= end)
				return 0;
			if (r->w[i + 1].unknown) {
				if (limits_diag(r->l, 1, r->name, r->line,
				    "envdir %s: directory not known", wstr(r,
				    i + 1)) < 0)
					return QPM_ENOMEM;
			} else if ((err = envdir(r, wstr(r, i + 1))) < 0)
				return err;
			i += 2;
			continue;
		}
		if (strcmp(b, "envuidgid") == 0 || strcmp(b, "setuidgid") == 0 ||
		    strcmp(b, "setlock") == 0) {
			for (i++; i < end && wstr(r, i)[0] == '-'; i++)
				;
			i++;
			continue;
		}
		if (strcmp(b, "argv0") == 0) {
			/* argv0 REALPROG NAME ARGS: REALPROG takes NAME's
			 * place and the chain goes on there */
			if (i + 2 >= end)
				return 0;
			qstr_reset(&r->w[i + 2].s);
			if ((err = qstr_cat(&r->w[i + 2].s, wstr(r, i + 1))) < 0)
				return err;
			i += 2;
			continue;
		}
		if (strcmp(b, "nice") == 0) {
			for (i++; i < end && wstr(r, i)[0] == '-'; i++)
				if (strcmp(wstr(r, i), "-n") == 0)
					i++;
			continue;
		}
		if (strcmp(b, "env") == 0) {
			for (i++; i < end && (wstr(r, i)[0] == '-' ||
			    strchr(wstr(r, i), '=') != NULL); i++) {
				const char *eq = strchr(wstr(r, i), '=');

				if (eq != NULL && (err = var_set(r, wstr(r, i),
				    (size_t)(eq - wstr(r, i)), eq + 1,
				    r->w[i].unknown, NULL, 1)) < 0)
					return err;
			}
			continue;
		}
		if (strcmp(b, "couriertcpd") == 0)
			return couriertcpd(r, i, end);
		if ((fe = fe_find(b)) != NULL) {
			size_t before = r->l->nitems, k;
			enum limits_svc svc;

			if ((err = frontend(r, i, end, fe)) < 0)
				return err;
			/* memory items of the wrappers belong to this
			 * listener's service */
			svc = LSVC_OTHER;
			for (k = before; k < r->l->nitems; k++)
				if (r->l->items[k].kind == LK_CONC_SERVICE)
					svc = r->l->items[k].svc;
			for (k = mem_first; k < before; k++)
				if (r->l->items[k].kind == LK_MEMORY)
					r->l->items[k].svc = svc;
			return 0;
		}
		/* any other program ends the chain */
		return 0;
	}
	return 0;
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
		if ((err = command(r, k, end)) < 0)
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
