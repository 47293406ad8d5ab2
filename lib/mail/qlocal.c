/*
 * NAME		qlocal - what qmail-local gives a .qmail file's programs
 * DOES		the environment and header lines of qmail-command(8) from
 *		the old host's users/assign and virtualdomains decisions;
 *		exit codes as qmail-local reads them; q2p-dotqmail's line
 *		arguments
 * NEVER	runs anything, reads a file or looks at the clock (the
 *		caller's exists says which owner files are there)
 */
#include <config.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "mail/exits.h"
#include "mail/qlocal.h"
#include "util/err.h"
#include "util/limits.h"

#define QL_MAX	(QPM_MAX_CONFIG_LINE * 4)

void
qlocal_env_free(struct qlocal_env *e)
{
	strlist_free(&e->env);
	qstr_free(&e->local);
	qstr_free(&e->recipient);
	qstr_free(&e->dtline);
	qstr_free(&e->rpline);
	qstr_free(&e->newsender);
}

static int
put(struct qlocal_env *e, const char *name, const char *v, size_t n)
{
	struct qstr s = QSTR_INIT(QL_MAX);
	int r;

	if ((r = qstr_catf(&s, "%s=", name)) == 0 &&
	    (r = qstr_catn(&s, v, n)) == 0)
		r = strlist_add(&e->env, qstr_str(&s));
	qstr_free(&s);
	return r;
}

static int
puts0(struct qlocal_env *e, const char *name, const char *v)
{
	return put(e, name, v, strlen(v));
}

/* the sender as Return-Path shows it: the local part quoted unless a
 * dot-string (qmail's quote2), a newline made '_' (qmail-local does both) */
static int
cat_rpline(struct qstr *s, const char *sender)
{
	const char *at = strrchr(sender, '@');
	size_t n = at != NULL ? (size_t)(at - sender) : strlen(sender), i;
	size_t len0 = s->len;
	int r = 0;

	if ((r = qstr_cat(s, "Return-Path: <")) < 0)
		return r;
	if (*sender != '\0' && !addr_local_is_dot_string(sender, n)) {
		r = qstr_catc(s, '"');
		for (i = 0; i < n && r == 0; i++) {
			if (strchr("\r\n\"\\", sender[i]) != NULL)
				r = qstr_catc(s, '\\');
			if (r == 0)
				r = qstr_catc(s, sender[i] == '\n' ? '_' :
				    sender[i]);
		}
		if (r == 0)
			r = qstr_catc(s, '"');
		if (r == 0 && at != NULL)
			r = qstr_cat(s, at);
	} else
		r = qstr_cat(s, sender);
	if (r == 0)
		r = qstr_cat(s, ">\n");
	for (i = len0; r == 0 && i + 1 < s->len; i++)
		if (s->buf[i] == '\n')
			s->buf[i] = '_';
	return r;
}

/* "From SENDER Thu Dec 03 12:00:00 2026\n", in UTC, as qmail's
 * myctime writes the date (the day zero-padded) */
static int
cat_ufline(struct qstr *s, const char *sender, time_t now)
{
	static const char *const day[7] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	const char *p;
	int r;

	if (gmtime_r(&now, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return QPM_ERANGE;
	if ((r = qstr_cat(s, "From ")) < 0)
		return r;
	if (*sender == '\0')
		r = qstr_cat(s, "MAILER-DAEMON");
	for (p = sender; *p != '\0' && r == 0; p++)
		r = qstr_catc(s, *p == ' ' || *p == '\t' || *p == '\n' ? '-' :
		    *p);
	if (r == 0)
		r = qstr_catf(s, " %s %s %02d %02d:%02d:%02d %d\n",
		    day[tm.tm_wday], mon[tm.tm_mon], tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, 1900 + tm.tm_year);
	return r;
}

/* HOST2-4: the host up to its last dot, then up to the dot before;
 * with no dot left the rest stays as it was */
static size_t
cut_dot(const char *host, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--)
		if (host[i - 1] == '.')
			return i - 1;
	return n;
}

/* EXT2-4: after the next '-', or the empty end */
static const char *
after_dash(const char *x)
{
	x += strcspn(x, "-");
	return *x != '\0' ? x + 1 : x;
}

/* 1 when HOME has .qmail DASH safe(EXT) SUFFIX, as qmail-local's qmeox
 * asks: EXT lower-cased, its dots as ':' */
static int
owner_file(const struct qlocal_in *in, const char *ext, const char *suffix)
{
	struct qstr name = QSTR_INIT(QL_MAX);
	size_t i, n;
	int r;

	if ((r = qstr_catf(&name, ".qmail%s", in->dash)) == 0) {
		n = name.len;
		r = qstr_catf(&name, "%s%s", ext, suffix);
		for (i = n; r == 0 && i < name.len - strlen(suffix); i++)
			name.buf[i] = name.buf[i] == '.' ? ':' :
			    (char)tolower((unsigned char)name.buf[i]);
	}
	if (r == 0)
		r = in->exists(qstr_str(&name), in->exists_arg);
	qstr_free(&name);
	return r;
}

/* qmail-local's envelope sender for forwards: the sender, or the list
 * owner's address when .qmail-EXT-owner exists */
static int
cat_newsender(const struct qlocal_in *in, const char *ext, const char *local,
    const char *host, struct qstr *out)
{
	int r;

	if (in->exists == NULL || *in->sender == '\0' ||
	    strcmp(in->sender, "#@[]") == 0 ||
	    (r = owner_file(in, ext, "-owner")) == 0)
		return qstr_cat(out, in->sender);
	if (r < 0 || (r = owner_file(in, ext, "-owner-default")) < 0)
		return r;
	return r ? qstr_catf(out, "%s-owner-@%s-@[]", local, host) :
	    qstr_catf(out, "%s-owner@%s", local, host);
}

int
qlocal_env(const struct qlocal_in *in, time_t now, struct qlocal_env *out)
{
	const char *at, *host, *x;
	struct qstr ext = QSTR_INIT(QL_MAX);
	size_t n, i, ql, dl;
	int r = 0;

	memset(out, 0, sizeof(*out));
	qstr_init(&out->local, QL_MAX);
	qstr_init(&out->recipient, QL_MAX);
	qstr_init(&out->dtline, QL_MAX);
	qstr_init(&out->rpline, QL_MAX);
	qstr_init(&out->newsender, QL_MAX);
	if (in->sender == NULL || in->recipient == NULL || in->user == NULL ||
	    in->home == NULL || in->dash == NULL || in->qme == NULL ||
	    (at = strrchr(in->recipient, '@')) == NULL)
		return QPM_ESYNTAX;
	host = at + 1;
	/* qmail-send: virtualdomains prefix, a dash, the local part */
	if (in->vprefix != NULL && *in->vprefix != '\0')
		r = qstr_catf(&out->local, "%s-", in->vprefix);
	if (r == 0)
		r = qstr_catn(&out->local, in->recipient,
		    (size_t)(at - in->recipient));
	/* qmail-lspawn: users/assign's ext, then what follows its key */
	if (r == 0 && in->aext != NULL)
		r = qstr_cat(&ext, in->aext);
	n = in->aprefix != NULL ? strlen(in->aprefix) : 0;
	if (r == 0 && in->aprefix != NULL && out->local.len >= n &&
	    strncasecmp(qstr_str(&out->local), in->aprefix, n) == 0)
		r = qstr_cat(&ext, qstr_str(&out->local) + n);
	if (r == 0)
		r = qstr_catf(&out->recipient, "%s@%s", qstr_str(&out->local),
		    host);
	if (r == 0)
		r = qstr_catf(&out->dtline, "Delivered-To: %s\n",
		    qstr_str(&out->recipient));
	for (i = 0; r == 0 && i + 1 < out->dtline.len; i++)
		if (out->dtline.buf[i] == '\n')
			out->dtline.buf[i] = '_';
	if (r == 0)
		r = cat_rpline(&out->rpline, in->sender);
	if (r == 0)
		r = cat_newsender(in, qstr_str(&ext), qstr_str(&out->local),
		    host, &out->newsender);
	if (r < 0)
		goto out;
	if ((r = puts0(out, "HOST", host)) < 0 ||
	    (r = puts0(out, "HOME", in->home)) < 0 ||
	    (r = puts0(out, "USER", in->user)) < 0 ||
	    (r = puts0(out, "LOCAL", qstr_str(&out->local))) < 0 ||
	    (r = puts0(out, "RECIPIENT", qstr_str(&out->recipient))) < 0 ||
	    (r = puts0(out, "DTLINE", qstr_str(&out->dtline))) < 0 ||
	    (r = puts0(out, "SENDER", in->sender)) < 0 ||
	    (r = puts0(out, "RPLINE", qstr_str(&out->rpline))) < 0)
		goto out;
	{
		struct qstr uf = QSTR_INIT(QL_MAX);

		if ((r = cat_ufline(&uf, in->sender, now)) == 0)
			r = puts0(out, "UFLINE", qstr_str(&uf));
		qstr_free(&uf);
		if (r < 0)
			goto out;
	}
	x = qstr_str(&ext);
	if ((r = puts0(out, "EXT", x)) < 0 ||
	    (r = puts0(out, "EXT2", x = after_dash(x))) < 0 ||
	    (r = puts0(out, "EXT3", x = after_dash(x))) < 0 ||
	    (r = puts0(out, "EXT4", after_dash(x))) < 0)
		goto out;
	n = strlen(host);
	for (i = 2; i <= 4; i++) {
		char name[8] = "HOST0";

		name[4] = (char)('0' + i);
		n = cut_dot(host, n);
		if ((r = put(out, name, host, n)) < 0)
			goto out;
	}
	/* qmesearch: a file ending in "default" sets DEFAULT to the part
	 * of EXT the word stands for */
	ql = strlen(in->qme);
	dl = sizeof("default") - 1;
	if (ql >= dl && strcmp(in->qme + ql - dl, "default") == 0 &&
	    ql - dl <= ext.len)
		r = puts0(out, "DEFAULT", qstr_str(&ext) + (ql - dl));
	if (r == 0)
		r = puts0(out, "NEWSENDER", qstr_str(&out->newsender));
out:
	qstr_free(&ext);
	return r;
}

const char *
qlocal_getenv(const struct qlocal_env *e, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < e->env.n; i++)
		if (strncmp(e->env.v[i], name, n) == 0 &&
		    e->env.v[i][n] == '=')
			return e->env.v[i] + n + 1;
	return NULL;
}

enum qlocal_exit
qlocal_exit_class(int code)
{
	switch (code) {
	case 0:
		return QLOCAL_DONE;
	case QMAIL_EXIT_STOP:
		return QLOCAL_STOP;
	case 64: case 65: case 70: case 76: case 77: case 78:
	case QMAIL_EXIT_HARD: case 112:
		return QLOCAL_BOUNCE;
	default:
		return QLOCAL_DEFER;
	}
}

int
qlocal_line_parse(const char *arg, struct qlocal_line *l, const char **why)
{
	const char *p = arg;
	unsigned long n = 0;

	*why = NULL;
	if (!isdigit((unsigned char)*p)) {
		*why = "no line number";
		return QPM_ESYNTAX;
	}
	while (isdigit((unsigned char)*p)) {
		if (n > QPM_MAX_QMAIL_LINES) {
			*why = "line number out of range";
			return QPM_ESYNTAX;
		}
		n = n * 10 + (unsigned long)(*p++ - '0');
	}
	if (n == 0 || n > QPM_MAX_QMAIL_LINES) {
		*why = "line number out of range";
		return QPM_ESYNTAX;
	}
	switch (*p) {
	case '|': l->kind = QL_PROGRAM; break;
	case '&': l->kind = QL_FORWARD; break;
	case '>': l->kind = QL_MAILBOX; break;
	case '!': l->kind = QL_BOUNCE; break;
	default:
		*why = "no kind (|, &, > or !) after the line number";
		return QPM_ESYNTAX;
	}
	p++;
	l->lineno = n;
	l->text = p;
	l->len = strlen(p);
	if (l->len == 0 && l->kind != QL_BOUNCE) {
		*why = "empty line text";
		return QPM_ESYNTAX;
	}
	if (l->len > QPM_MAX_CONFIG_LINE) {
		*why = "line longer than the limit";
		return QPM_ESYNTAX;
	}
	if ((l->kind == QL_FORWARD || l->kind == QL_MAILBOX) &&
	    (strchr(p, '@') == NULL || strpbrk(p, " \t\r\n") != NULL)) {
		*why = "not an address";
		return QPM_ESYNTAX;
	}
	return 0;
}
