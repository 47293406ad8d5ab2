/*
 * NAME		runscript_cmd - the programs of one run-script command:
 *		softlimit, chpst, envdir, env, argv0 and the other wrappers,
 *		then the listener (tcpserver, tcpserver-ssl, sslserver,
 *		tcpsvd, couriertcpd) and its options
 * DOES		limit items with the file:line and the option they came from
 * NEVER	runs anything, guesses a value it cannot resolve
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

/* What a listener's options say: -1 absent, -2 not a number. */
struct fe_opts {
	long		 c, t, T, w, C;
	size_t		 ic, ix;	/* the words of -c and -x */
	int		 noident;	/* -R */
	const char	*xfile;		/* -x */
};

/* The options after the listener's name (word *ip); *ip ends at the
 * first word that is no option.  1 when read, 0 when the listener is
 * not read (diagnosed), QPM_ENOMEM. */
static int
frontend_opts(struct rs *r, size_t *ip, size_t end, const struct fe_spec *fe,
    struct fe_opts *o)
{
	const char *prog = fe->prog;
	size_t i = *ip;

	o->c = o->t = o->T = o->w = o->C = -1;
	o->ic = o->ix = 0;
	o->noident = 0;
	o->xfile = NULL;
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
			char opt = a[j];
			const char *val;
			size_t wi;

			if (strchr(fe->flags, opt) != NULL) {
				if (opt == 'R')
					o->noident = 1;
				if (opt == 'r')
					o->noident = 0;
				continue;
			}
			if (strchr(fe->args, opt) == NULL) {
				if (limits_diag(r->l, 1, r->name, r->line,
				    "%s: unknown option -%c; this listener's "
				    "limits are not read", prog, opt) < 0)
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
				    "%s: -%c needs a value", prog, opt) < 0)
					return QPM_ENOMEM;
				return 0;
			}
			switch (opt) {
			case 'c': o->c = optnum(r, prog, opt, &r->w[wi], val);
				o->ic = wi; if (o->c < 0) o->c = -2; break;
			case 't': o->t = optnum(r, prog, opt, &r->w[wi], val);
				if (o->t < 0)
					o->t = -2;
				break;
			case 'T': o->T = optnum(r, prog, opt, &r->w[wi], val);
				if (o->T < 0)
					o->T = -2;
				break;
			case 'w': o->w = optnum(r, prog, opt, &r->w[wi], val);
				if (o->w < 0)
					o->w = -2;
				break;
			case 'C': {
				char num[32];
				size_t k = strcspn(val, ":");

				(void)qpm_snprintf(num, sizeof(num), "%.*s",
				    (int)(k > 20 ? 20 : k), val);
				o->C = optnum(r, prog, opt, &r->w[wi], num);
				if (o->C < 0)
					o->C = -2;
				break;
			}
			case 'x': o->xfile = val; o->ix = wi; break;
			default: break;
			}
			break;
		}
	}
	*ip = i;
	return 1;
}

/* The items of the options: concurrency, handshake, ident and idle
 * timeouts, with each listener's defaults. */
static int
frontend_items(struct rs *r, const struct fe_spec *fe, enum limits_svc svc,
    const struct fe_opts *o)
{
	const char *prog = fe->prog;
	char fb[PATH_MAX + 40];
	int err;

	if (o->c >= 0) {
		if ((err = limits_add(r->l, LK_CONC_SERVICE, svc, o->c, 0,
		    fe->tls ? "TLS listener -c" : "tcpserver -c", r->name,
		    r->line, "%s -c %ld%s", prog, o->c,
		    wfrom(&r->w[o->ic], fb, sizeof(fb)))) < 0)
			return err;
	} else if (o->c == -1 && strcmp(prog, "tcpsvd") != 0) {
		if ((err = limits_add(r->l, LK_CONC_SERVICE, svc, 40, 0,
		    fe->tls ? "TLS listener -c" : "tcpserver -c", r->name,
		    r->line, "%s without -c: its default of 40 applied", prog)) < 0)
			return err;
		r->l->items[err].is_default = 1;
	}
	if (strcmp(prog, "tcpsvd") == 0 && o->C >= 0)
		if ((err = limits_add(r->l, LK_CONC_IP, svc, o->C, 0,
		    "tcpsvd -C", r->name, r->line, "%s -C %ld", prog, o->C)) < 0 ||
		    (err = limits_set_addr(r->l, (size_t)err, "")) < 0)
			return err;
	if (fe == &fe_specs[1]) {	/* tcpserver-ssl */
		if ((err = limits_add(r->l, LK_TIMEOUT_HANDSHAKE, svc,
		    o->t >= 0 ? o->t : -1, 0, "tcpserver-ssl -t", r->name,
		    r->line, "%s", o->t >= 0 ? fe->reading :
		    "no -t: no TLS handshake timeout at all (stalled "
		    "handshakes hold a -c slot until the client goes away)")) < 0)
			return err;
	} else if (o->t >= 0) {
		if ((err = limits_add(r->l, LK_TIMEOUT_IDENT, svc, o->t, 0,
		    strcmp(prog, "sslserver") == 0 ? "sslserver -t" :
		    "tcpserver -t", r->name, r->line, "%s", fe->reading)) < 0)
			return err;
		if (o->noident && (err = limits_set_inert(r->l, (size_t)err,
		    "-R is given: no ident lookup is made, so -t has no "
		    "effect")) < 0)
			return err;
	}
	if (strcmp(prog, "sslserver") == 0) {
		if ((err = limits_add(r->l, LK_TIMEOUT_HANDSHAKE, svc,
		    o->T >= 0 ? o->T : 26, 0, "sslserver -T", r->name, r->line,
		    "%s%s", fe->reading, o->T >= 0 ? "" :
		    "; no -T: the default of 26 s applied")) < 0)
			return err;
		if (o->T < 0)
			r->l->items[err].is_default = 1;
		if ((err = limits_add(r->l, LK_TIMEOUT_IDLE, svc,
		    o->w >= 0 ? o->w : 3600, 0, "sslserver -w", r->name, r->line,
		    "%s%s", fe->reading, o->w >= 0 ? "" :
		    "; no -w: the default of 3600 s applied")) < 0)
			return err;
		if (o->w < 0)
			r->l->items[err].is_default = 1;
	}
	return 0;
}

static int
frontend(struct rs *r, size_t i, size_t end, const struct fe_spec *fe)
{
	struct fe_opts o;
	size_t port;
	int err;
	const char *prog = fe->prog;
	enum limits_svc svc;

	if ((err = frontend_opts(r, &i, end, fe, &o)) <= 0)
		return err;
	if (i + 1 >= end) {
		return limits_diag(r->l, 1, r->name, r->line,
		    "%s: no host and port after the options; not read",
		    prog) < 0 ? QPM_ENOMEM : 0;
	}
	port = i + 1;	/* after the host */
	svc = limits_svc_from_port(wstr(r, port));
	if (r->w[port].unknown || svc == LSVC_OTHER) {
		enum limits_svc s2 = port + 1 < end ?
		    svc_from_child(wstr(r, port + 1), fe->tls) : LSVC_OTHER;

		if (s2 != LSVC_OTHER)
			svc = s2;
	}
	r->found = 1;
	if ((err = frontend_items(r, fe, svc, &o)) < 0)
		return err;
	if ((err = add_env_items(r, svc, prog, 0, 0)) < 0)
		return err;
	if (o.xfile != NULL) {
		char path[PATH_MAX];

		if (r->w[o.ix].unknown)
			return limits_diag(r->l, 1, r->name, r->line,
			    "%s -x %s: rules file name not known; rules not "
			    "read", prog, o.xfile) < 0 ? QPM_ENOMEM : 0;
		if (o.xfile[0] == '/')
			err = qpm_snprintf(path, sizeof(path), "%s", o.xfile);
		else
			err = limits_join(path, sizeof(path), r->dir, o.xfile);
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
int
runscript_command(struct rs *r, size_t i, size_t end)
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

