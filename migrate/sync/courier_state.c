/*
 * NAME		courier_state - parse courier-imap's per-folder state files
 * DOES		courierimapuiddb, courierimapkeywords, courierimapsubscribed,
 *		courierpop3dsizelist and modified UTF-7 folder names; see
 *		courier_state.h
 * NEVER	opens a file, trusts a line it had to guess at, or reads
 *		past the input
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migrate/sync/courier_state.h"
#include "migrate/sync/esc_dovecot.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/lines.h"

/* "file:line: " + the problem, into diag */
static int
diag_add(struct strlist *diag, const char *file, unsigned long line,
    const char *fmt, ...)
{
	struct qstr s = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	va_list ap;
	int e;

	if ((e = qstr_catf(&s, "%s:%lu: ", file, line)) == 0) {
		va_start(ap, fmt);
		e = qstr_vcatf(&s, fmt, ap);
		va_end(ap);
	}
	if (e == 0)
		e = strlist_add(diag, qstr_str(&s));
	qstr_free(&s);
	return e;
}

/* the next line: 1, 0 at the end, or a negative qpm_err; an over-long
 * line is listed and skipped */
static int
line_next(struct lines *lr, struct strlist *diag, const char **line,
    size_t *n)
{
	int r, e;

	while ((r = lines_next(lr, line, n)) == QPM_ERANGE)
		if ((e = diag_add(diag, lr->name, lr->lineno, "line too long; "
		    "not read")) < 0)
			return e;
	return r;
}

/* at most 40 visible bytes of a line, for a diagnostic */
static const char *
vis(struct qstr *s, const char *p, size_t n)
{
	qstr_reset(s);
	if (qstr_cat_vis(s, p, n > 40 ? 40 : n, 0) < 0)
		return "?";
	if (n > 40)
		(void)qstr_cat(s, "...");
	return qstr_str(s);
}

/* a decimal number of at most 10 digits (32 bits) ending at end or at a byte of
 * stops; zero only when zero_ok */
static int
num_to(const char **pp, const char *end, const char *stops, int zero_ok,
    unsigned long *out)
{
	const char *p = *pp;
	unsigned long v = 0;
	size_t k = 0;

	while (p < end && *p >= '0' && *p <= '9' && k <= 10) {
		v = v * 10 + (unsigned long)(*p - '0');
		p++;
		k++;
	}
	if (k == 0 || k > 10 || (v == 0 && !zero_ok) || v > 0xffffffffUL ||
	    (p < end && strchr(stops, *p) == NULL))
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

static int
num(const char **pp, const char *end, unsigned long *out)
{
	return num_to(pp, end, " ", 0, out);
}

int
cs_map_add(struct cs_map *m, const char *base, size_t n, unsigned long line,
    struct cs_ent **out)
{
	struct cs_ent *e;

	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;

		if (nc > SIZE_MAX / sizeof(*m->v))
			return QPM_ENOMEM;
		if ((e = realloc(m->v, nc * sizeof(*m->v))) == NULL)
			return QPM_ENOMEM;
		m->v = e;
		m->cap = nc;
	}
	e = &m->v[m->n];
	memset(e, 0, sizeof(*e));
	if ((e->base = strndup(base, n)) == NULL)
		return QPM_ENOMEM;
	e->line = line;
	m->n++;
	*out = e;
	return 0;
}

static int
by_base(const void *a, const void *b)
{
	const struct cs_ent *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
by_uid(const void *a, const void *b)
{
	const struct cs_ent *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void
ent_free(struct cs_ent *e)
{
	free(e->base);
	free(e->uidl);
}

void
cs_map_free(struct cs_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		ent_free(&m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

const struct cs_ent *
cs_map_find(const struct cs_map *m, const char *base)
{
	size_t lo = 0, hi = m->n, n = strcspn(base, ":");

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(m->v[mid].base, base, n);

		if (c == 0 && m->v[mid].base[n] != '\0')
			c = 1;
		if (c == 0)
			return &m->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Drop, after sorting with cmp, every entry equal (by same) to the one
 * before it, listing it with why.  The map stays sorted by cmp. */
static int
map_dedup(struct cs_map *m, int (*cmp)(const void *, const void *),
    int (*same)(const struct cs_ent *, const struct cs_ent *),
    const char *file, const char *why, struct strlist *diag)
{
	size_t i, k = 0;
	int e = 0;

	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), cmp);
	for (i = 0; i < m->n; i++) {
		if (k > 0 && same(&m->v[k - 1], &m->v[i])) {
			if (e == 0)
				e = diag_add(diag, file, m->v[i].line, "%s "
				    "(line %lu): not trusted, the message gets "
				    "a new UID", why, m->v[k - 1].line);
			ent_free(&m->v[i]);
			continue;
		}
		m->v[k++] = m->v[i];
	}
	m->n = k;
	return e;
}

static int
same_uid(const struct cs_ent *a, const struct cs_ent *b)
{
	return a->uid == b->uid;
}

static int
same_base(const struct cs_ent *a, const struct cs_ent *b)
{
	return strcmp(a->base, b->base) == 0;
}

/* A base name as courier writes it: no '/', no control byte, not empty */
static int
base_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || (n <= 2 && p[0] == '.'))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || p[i] == '/' || p[i] == 0x7f)
			return 0;
	return 1;
}

int
cs_uiddb_parse(struct cs_uiddb *u, const char *file, const char *text,
    size_t len, struct strlist *diag)
{
	struct qstr v = QSTR_INIT(256);
	struct lines lr;
	const char *line, *p, *end;
	size_t n;
	unsigned long maxuid = 0;
	int r, e = 0;

	memset(u, 0, sizeof(*u));
	lines_mem(&lr, file, text, len, QPM_MAX_CONFIG_LINE);
	while (e == 0 && (r = line_next(&lr, diag, &line, &n)) != 0) {
		struct cs_ent *ent;
		unsigned long uid;

		if (r < 0) {
			e = r;
			break;
		}
		p = line;
		end = line + n;
		if (lr.lineno == 1) {
			if (n < 2 || memcmp(line, "1 ", 2) != 0 ||
			    (p += 2, num(&p, end, &u->uidvalidity) < 0) ||
			    p == end || (p++, num(&p, end, &u->nextuid) < 0) ||
			    p != end || lr.no_newline) {
				e = diag_add(diag, file, 1, "\"%s\": not "
				    "courier's header \"1 UIDVALIDITY NEXTUID\"; "
				    "nothing in the file is trusted: new "
				    "UIDVALIDITY and UIDs", vis(&v, line, n));
				break;
			}
			u->valid = 1;
			continue;
		}
		if (lr.no_newline) {
			e = diag_add(diag, file, lr.lineno, "\"%s\": no "
			    "newline at the end (cut short?); not trusted, the "
			    "message gets a new UID", vis(&v, line, n));
			continue;
		}
		if (num(&p, end, &uid) < 0 || p == end ||
		    !base_ok(p + 1, (size_t)(end - p - 1)) || lr.had_nul) {
			e = diag_add(diag, file, lr.lineno, "\"%s\": not \"UID "
			    "FILENAME\"; not trusted", vis(&v, line, n));
			continue;
		}
		p++;
		if ((e = cs_map_add(&u->msgs, p, strcspn(p, ":"), lr.lineno,
		    &ent)) < 0)
			break;
		ent->uid = uid;
		if (uid > maxuid)
			maxuid = uid;
	}
	lines_close(&lr);
	qstr_free(&v);
	if (e == 0 && u->valid) {
		if (u->nextuid <= maxuid) {
			if ((e = diag_add(diag, file, 1, "NEXTUID %lu is not "
			    "above the highest UID %lu; %lu is used",
			    u->nextuid, maxuid, maxuid + 1)) < 0)
				return e;
			u->nextuid = maxuid + 1;
		}
		if ((e = map_dedup(&u->msgs, by_uid, same_uid, file,
		    "UID used before", diag)) < 0 ||
		    (e = map_dedup(&u->msgs, by_base, same_base, file,
		    "file named before", diag)) < 0)
			return e;
	} else if (e == 0)
		cs_map_free(&u->msgs);
	return e;
}

void
cs_uiddb_free(struct cs_uiddb *u)
{
	cs_map_free(&u->msgs);
}

/* the index of keyword kw (n bytes), added when new; -1 past 26 */
static int
kw_index(struct cs_keywords *k, const char *kw, size_t n, int *idx)
{
	size_t i;
	char *s;
	int e;

	for (i = 0; i < k->names.n; i++)
		if (strlen(k->names.v[i]) == n &&
		    strncasecmp(k->names.v[i], kw, n) == 0) {
			*idx = i < CS_MAX_KEYWORDS ? (int)i : -1;
			return 0;
		}
	if ((s = strndup(kw, n)) == NULL)
		return QPM_ENOMEM;
	e = strlist_add(&k->names, s);
	free(s);
	if (e < 0)
		return e;
	*idx = k->names.n <= CS_MAX_KEYWORDS ? (int)k->names.n - 1 : -1;
	return 0;
}

static int
kw_add(struct cs_keywords *k, const char *file, unsigned long line,
    const char *kw, size_t n, uint32_t *mask, struct strlist *diag)
{
	struct qstr v = QSTR_INIT(256);
	int idx, e;

	if (!esc_dc_keyword_ok(kw, n)) {
		e = diag_add(diag, file, line, "\"%s\": not a keyword; "
		    "dropped", vis(&v, kw, n));
		qstr_free(&v);
		return e;
	}
	if ((e = kw_index(k, kw, n, &idx)) < 0)
		return e;
	if (idx < 0)
		e = diag_add(diag, file, line, "\"%s\": more than %d keywords; "
		    "Dovecot's file names carry 26, this one is dropped",
		    vis(&v, kw, n), CS_MAX_KEYWORDS);
	else
		*mask |= (uint32_t)1 << idx;
	qstr_free(&v);
	return e;
}

int
cs_keywords_list(struct cs_keywords *k, const char *file, const char *text,
    size_t len, struct strlist *diag)
{
	struct qstr v = QSTR_INIT(256);
	struct lines lr;
	const char *line;
	size_t n, nlist = 0;
	int r, e = 0, names = 1;

	lines_mem(&lr, file, text, len, QPM_MAX_CONFIG_LINE);
	while (e == 0 && (r = line_next(&lr, diag, &line, &n)) != 0) {
		const char *colon, *p, *end = line + n;
		struct cs_ent *ent;

		if (r < 0) {
			e = r;
			break;
		}
		if (names) {
			int idx;

			if (n == 0) {
				names = 0;
				continue;
			}
			/* the index in :list is the line's; a bad name keeps
			 * its place so that the numbers below still match */
			if (!esc_dc_keyword_ok(line, n)) {
				e = diag_add(diag, file, lr.lineno, "\"%s\": "
				    "not a keyword; messages naming it lose it",
				    vis(&v, line, n));
				if (e == 0)
					e = strlist_add(&k->names, "");
				nlist++;
				continue;
			}
			if ((e = kw_index(k, line, n, &idx)) < 0)
				break;
			if ((size_t)idx != nlist && idx >= 0)
				e = diag_add(diag, file, lr.lineno, "\"%s\" "
				    "twice (case folded); messages keep it "
				    "once", vis(&v, line, n));
			nlist++;
			continue;
		}
		if ((colon = memchr(line, ':', n)) == NULL ||
		    !base_ok(line, (size_t)(colon - line)) || lr.no_newline) {
			e = diag_add(diag, file, lr.lineno, "\"%s\": not "
			    "\"FILENAME:N N ...\"; its keywords are dropped",
			    vis(&v, line, n));
			continue;
		}
		if ((e = cs_map_add(&k->msgs, line, (size_t)(colon - line),
		    lr.lineno, &ent)) < 0)
			break;
		for (p = colon + 1; p < end && e == 0;) {
			unsigned long i = 0;
			size_t d = 0;

			while (p < end && *p == ' ')
				p++;
			if (p == end)
				break;
			while (p < end && *p >= '0' && *p <= '9' && d < 6) {
				i = i * 10 + (unsigned long)(*p++ - '0');
				d++;
			}
			if (d == 0 || (p < end && *p != ' ') || i >= nlist) {
				e = diag_add(diag, file, lr.lineno, "\"%s\": "
				    "keyword number not in the list; dropped",
				    vis(&v, line, n));
				p += strcspn(p, " ");
				continue;
			}
			if (k->names.v[i][0] != '\0') {
				int idx;

				if ((e = kw_index(k, k->names.v[i],
				    strlen(k->names.v[i]), &idx)) < 0)
					break;
				if (idx >= 0)
					ent->kw |= (uint32_t)1 << idx;
			}
		}
	}
	lines_close(&lr);
	qstr_free(&v);
	return e;
}

int
cs_keywords_update(struct cs_keywords *k, const char *base, const char *file,
    const char *text, size_t len, struct strlist *diag)
{
	struct cs_ent *ent = NULL;
	struct lines lr;
	const char *line;
	size_t n, i, bn = strcspn(base, ":");
	uint32_t mask = 0;
	int r, e = 0;

	lines_mem(&lr, file, text, len, QPM_MAX_CONFIG_LINE);
	while (e == 0 && (r = line_next(&lr, diag, &line, &n)) != 0) {
		if (r < 0) {
			e = r;
			break;
		}
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > 0)
			e = kw_add(k, file, lr.lineno, line, n, &mask, diag);
	}
	lines_close(&lr);
	if (e < 0)
		return e;
	/* the update replaces what :list said of this message */
	for (i = 0; i < k->msgs.n; i++)
		if (strncmp(k->msgs.v[i].base, base, bn) == 0 &&
		    k->msgs.v[i].base[bn] == '\0') {
			ent = &k->msgs.v[i];
			break;
		}
	if (ent == NULL && (e = cs_map_add(&k->msgs, base, bn, 0, &ent)) < 0)
		return e;
	ent->kw = mask;
	return 0;
}

void
cs_map_sort(struct cs_map *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), by_base);
}

int
cs_keywords_update_name(const char *fname, const char **base, long *counter)
{
	const char *p;
	long c = 0;

	if (fname[0] == ':' || strcmp(fname, ".") == 0 ||
	    strcmp(fname, "..") == 0)
		return -1;
	if (fname[0] != '.') {
		*base = fname;
		*counter = -1;
		return base_ok(fname, strlen(fname)) ? 0 : -1;
	}
	for (p = fname + 1; *p >= '0' && *p <= '9' && c < 100000000; p++)
		c = c * 10 + (*p - '0');
	if (p == fname + 1 || *p != '.' || !base_ok(p + 1, strlen(p + 1)))
		return -1;
	*base = p + 1;
	*counter = c;
	return 0;
}

void
cs_keywords_free(struct cs_keywords *k)
{
	strlist_free(&k->names);
	cs_map_free(&k->msgs);
}

int
cs_subscriptions(const char *file, const char *text, size_t len,
    struct qstr *out, struct strlist *diag)
{
	struct qstr v = QSTR_INIT(256);
	struct lines lr;
	const char *line;
	size_t n;
	const char *why;
	int r, e = 0;

	lines_mem(&lr, file, text, len, QPM_MAX_CONFIG_LINE);
	while (e == 0 && (r = line_next(&lr, diag, &line, &n)) != 0) {
		if (r < 0) {
			e = r;
			break;
		}
		if (n == 0)
			continue;
		if (lr.had_nul || memchr(line, '\r', n) != NULL) {
			e = diag_add(diag, file, lr.lineno, "\"%s\": not a "
			    "folder name; not subscribed", vis(&v, line, n));
			continue;
		}
		if (n == 5 && strncasecmp(line, "INBOX", 5) == 0) {
			e = esc_dc_subscription(out, "INBOX", 5, &why);
			continue;
		}
		if (n <= 6 || strncasecmp(line, "INBOX.", 6) != 0) {
			e = diag_add(diag, file, lr.lineno, "\"%s\": outside "
			    "courier's namespace \"INBOX.\"; not subscribed",
			    vis(&v, line, n));
			continue;
		}
		if ((r = esc_dc_subscription(out, line + 6, n - 6, &why)) ==
		    QPM_ESYNTAX)
			e = diag_add(diag, file, lr.lineno, "\"%s\": %s; not "
			    "subscribed", vis(&v, line, n), why);
		else if (r < 0)
			e = r;
		else if (r >= 2)
			e = diag_add(diag, file, lr.lineno, "\"%s\": not valid "
			    "modified UTF-7; taken as %s", vis(&v, line, n),
			    r == 2 ? "UTF-8" : "Latin-1");
	}
	lines_close(&lr);
	qstr_free(&v);
	return e;
}

/* courier pop3d's UIDL for a file name: the name with bytes outside
 * 0x21..0x7e, quotes and '+' as +XX (courier's pop3dserver.c rule, as
 * courier-dovecot-migrate.pl carries it) */
static int
pop3_fname_uidl(struct qstr *s, const char *p, size_t n)
{
	size_t i;
	int e = 0;

	for (i = 0; i < n && e == 0; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x21 || c > 0x7e || c == '\'' || c == '"' || c == '+')
			e = qstr_catf(s, "+%02X", c);
		else
			e = qstr_catc(s, (char)c);
	}
	return e;
}

int
cs_pop3_parse(struct cs_map *m, const char *file, const char *text,
    size_t len, struct strlist *diag)
{
	struct qstr v = QSTR_INIT(256), u = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	struct lines lr;
	const char *line;
	size_t n;
	int r, e = 0, ver = -1;

	memset(m, 0, sizeof(*m));
	lines_mem(&lr, file, text, len, QPM_MAX_CONFIG_LINE);
	while (e == 0 && (r = line_next(&lr, diag, &line, &n)) != 0) {
		const char *sp, *p, *end = line + n;
		unsigned long size, uid = 0, uidv = 0;
		struct cs_ent *ent;

		if (r < 0) {
			e = r;
			break;
		}
		if (ver < 0) {
			ver = 0;
			if (n >= 2 && line[0] == '/') {
				if (line[1] < '1' || line[1] > '3') {
					e = diag_add(diag, file, 1, "\"%s\": "
					    "unknown header; courier's POP3 "
					    "UIDLs are not kept", vis(&v, line,
					    n));
					break;
				}
				ver = line[1] - '0';
				continue;
			}
		}
		/* "NAME SIZE[ UID[:UIDV[:X]]]" */
		sp = memchr(line, ' ', n);
		p = sp != NULL ? sp + 1 : end;
		if (sp == NULL || !base_ok(line, (size_t)(sp - line)) ||
		    lr.no_newline || num_to(&p, end, " ", 1, &size) < 0 ||
		    (p < end && (p++, num_to(&p, end, ":", 1, &uid) < 0)) ||
		    (p < end && (p++, num_to(&p, end, ":", 1, &uidv) < 0))) {
			e = diag_add(diag, file, lr.lineno, "\"%s\": not a "
			    "courierpop3dsizelist line; that message's UIDL is "
			    "not kept", vis(&v, line, n));
			continue;
		}
		qstr_reset(&u);
		if (ver == 0 || uid == 0)
			e = pop3_fname_uidl(&u, line, strcspn(line, ": "));
		else if (uidv != 0)
			e = qstr_catf(&u, "UID%lu-%lu", uid, uidv);
		else
			e = qstr_catf(&u, "UID%lu", uid);
		if (e < 0 || (e = cs_map_add(m, line, strcspn(line, ": "),
		    lr.lineno, &ent)) < 0)
			break;
		if ((ent->uidl = strdup(qstr_str(&u))) == NULL)
			e = QPM_ENOMEM;
	}
	lines_close(&lr);
	qstr_free(&v);
	qstr_free(&u);
	if (e == 0)
		e = map_dedup(m, by_base, same_base, file, "file named before",
		    diag);
	return e;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int
cs_mutf7_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k, bits;
		unsigned long acc = 0;
		int hi = 0;

		if (c < 0x20 || c > 0x7e)
			return 0;
		if (c != '&') {
			i++;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '-') {
			i += 2;
			continue;
		}
		/* base64 of UTF-16 up to '-': whole units, zero padding, no
		 * printable ASCII inside, surrogates paired */
		bits = 0;
		for (k = i + 1; k < n && s[k] != '-'; k++) {
			const char *q = memchr(b64, s[k], 64);

			if (q == NULL)
				return 0;
			acc = (acc << 6) | (unsigned long)(q - b64);
			bits += 6;
			if (bits >= 16) {
				unsigned long u = (acc >> (bits - 16)) &
				    0xffff;

				bits -= 16;
				acc &= (1UL << bits) - 1;
				if (u >= 0x20 && u <= 0x7e)
					return 0;
				if (u >= 0xd800 && u <= 0xdbff) {
					if (hi)
						return 0;
					hi = 1;
				} else if (u >= 0xdc00 && u <= 0xdfff) {
					if (!hi)
						return 0;
					hi = 0;
				} else if (hi)
					return 0;
			}
		}
		if (k == n || k == i + 1 || bits >= 6 || acc != 0 || hi)
			return 0;
		i = k + 1;
	}
	return 1;
}

/* one code point of UTF-8 at s[*i]: 0 or -1 (no valid UTF-8) */
static int
utf8_next(const unsigned char *s, size_t n, size_t *i, unsigned long *cp)
{
	unsigned char c = s[*i];
	size_t k, len;
	unsigned long v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, v = c & 0x07;
	else
		return -1;
	if (*i + len > n)
		return -1;
	for (k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return -1;
	*i += len;
	*cp = v;
	return 0;
}

int
cs_utf8_to_mutf7(struct qstr *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct qstr w = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	size_t i = 0;
	int e = 0;

	while (i < n && e == 0) {
		unsigned long cp, acc = 0;
		size_t bits = 0;

		if (u[i] >= 0x20 && u[i] <= 0x7e) {
			e = u[i] == '&' ? qstr_cat(&w, "&-") :
			    qstr_catc(&w, (char)u[i]);
			i++;
			continue;
		}
		if ((e = qstr_catc(&w, '&')) < 0)
			break;
		while (i < n && e == 0 && (u[i] < 0x20 || u[i] > 0x7e)) {
			unsigned long units[2];
			int nu, j;

			if (utf8_next(u, n, &i, &cp) < 0) {
				e = QPM_ESYNTAX;
				break;
			}
			if (cp >= 0x10000) {
				units[0] = 0xd800 + ((cp - 0x10000) >> 10);
				units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
				nu = 2;
			} else {
				units[0] = cp;
				nu = 1;
			}
			for (j = 0; j < nu && e == 0; j++) {
				acc = (acc << 16) | units[j];
				bits += 16;
				while (bits >= 6 && e == 0) {
					bits -= 6;
					e = qstr_catc(&w, b64[(acc >> bits) &
					    0x3f]);
				}
				acc &= (1UL << bits) - 1;
			}
		}
		if (e == 0 && bits > 0)
			e = qstr_catc(&w, b64[(acc << (6 - bits)) & 0x3f]);
		if (e == 0)
			e = qstr_catc(&w, '-');
	}
	if (e == 0)
		e = qstr_catn(out, w.buf != NULL ? w.buf : "", w.len);
	qstr_free(&w);
	return e;
}

int
cs_folder_name(struct qstr *out, const char *s, size_t n)
{
	size_t i;
	int e;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == n && cs_mutf7_valid(s, n))
		return qstr_catn(out, s, n);	/* courier 4, or plain ASCII */
	if ((e = cs_utf8_to_mutf7(out, s, n)) < 0)
		return e;
	return i == n ? 2 : 1;
}
