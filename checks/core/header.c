/*
 * NAME		header - RFC 5322 header block and address-list parser
 * DOES		one pass over the header lines, pointers into the message;
 *		a small tokenizer for address lists (RFC 5322 3.2-3.4)
 * NEVER	copies the message, reads past len, loops on input alone
 *		(every loop advances or stops)
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/core/header.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

static int
field_add(struct hdr_msg *m, const struct hdr_field *f)
{
	struct hdr_field *nf;
	size_t ncap;

	if (m->n >= QPM_MAX_HEADER_FIELDS)
		return QPM_ERANGE;
	if (m->n == m->cap) {
		ncap = m->cap ? m->cap * 2 : 32;
		if ((nf = realloc(m->f, ncap * sizeof(*nf))) == NULL)
			return QPM_ENOMEM;
		m->f = nf;
		m->cap = ncap;
	}
	m->f[m->n++] = *f;
	return 0;
}

/* Length of the field name at p (ftext, RFC 5322 3.6.8) when the line is
 * "name *WSP :" (obs-optional allows the WSP); 0 when it is not a field. */
static size_t
field_name_len(const char *p, size_t len, size_t *colon)
{
	size_t i, n;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ':' || c == ' ' || c == '\t' || c < 33 || c > 126)
			break;
	}
	n = i;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (n == 0 || i >= len || p[i] != ':')
		return 0;
	*colon = i;
	return n;
}

/* Line [p, *eol): returns the offset after its line ending. */
static size_t
line_end(const char *msg, size_t len, size_t pos, size_t *eol)
{
	const char *nl = memchr(msg + pos, '\n', len - pos);
	size_t e;

	if (nl == NULL) {
		*eol = len;
		return len;
	}
	e = (size_t)(nl - msg);
	*eol = (e > pos && msg[e - 1] == '\r') ? e - 1 : e;
	return e + 1;
}

static void
scan_bytes(const char *p, size_t n, unsigned eightflag, unsigned *flags)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x80)
			*flags |= eightflag;
		else if (p[i] == '\0' && eightflag == HDR_F_8BIT)
			*flags |= HDR_F_NUL;
	}
}

int
hdr_parse(const char *msg, size_t len, struct hdr_msg *m)
{
	struct hdr_field cur;
	size_t pos = 0, next, eol, colon, nlen, lineno = 0, ll;
	int have = 0, rc;

	memset(m, 0, sizeof(*m));
	memset(&cur, 0, sizeof(cur));
	if (len >= 5 && memcmp(msg, "From ", 5) == 0) {
		pos = line_end(msg, len, 0, &eol);
		lineno++;
		m->flags |= HDR_F_MBOX_FROM;
	}
	for (;;) {
		if (pos >= len) {
			m->flags |= HDR_F_NO_BODY;
			m->body = msg + len;
			break;
		}
		if (pos > QPM_MAX_HEADER_BLOCK) {
			rc = QPM_ERANGE;
			goto fail;
		}
		next = line_end(msg, len, pos, &eol);
		lineno++;
		ll = eol - pos;
		if (next > eol && msg[next - 1] == '\n' &&
		    (eol == next - 1))
			m->flags |= HDR_F_BARE_LF;
		if (ll > QPM_RFC5322_LINE)
			m->flags |= HDR_F_LONG_LINE;
		if (ll == 0) {			/* the empty line */
			m->body = msg + next;
			break;
		}
		if (msg[pos] == ' ' || msg[pos] == '\t') {
			if (!have) {		/* continuation of nothing */
				m->flags |= HDR_F_GARBAGE;
				m->bad_line = lineno;
				m->body = msg + pos;
				break;
			}
			scan_bytes(msg + pos, ll, HDR_F_8BIT, &m->flags);
			cur.rawlen = eol - (size_t)(cur.raw - msg);
			cur.valuelen = eol - (size_t)(cur.value - msg);
			pos = next;
			continue;
		}
		if (have && (rc = field_add(m, &cur)) < 0)
			goto fail;
		have = 0;
		if ((nlen = field_name_len(msg + pos, ll, &colon)) == 0) {
			m->flags |= HDR_F_GARBAGE;
			m->bad_line = lineno;
			m->body = msg + pos;
			break;
		}
		scan_bytes(msg + pos, ll, HDR_F_8BIT, &m->flags);
		cur.name = msg + pos;
		cur.namelen = nlen;
		cur.raw = msg + pos;
		cur.rawlen = ll;
		cur.value = msg + pos + colon + 1;
		cur.valuelen = ll - colon - 1;
		cur.line = lineno;
		have = 1;
		pos = next;
	}
	if (have && (rc = field_add(m, &cur)) < 0)
		goto fail;
	m->hdrlen = (size_t)(m->body - msg);
	if (m->hdrlen > QPM_MAX_HEADER_BLOCK) {
		rc = QPM_ERANGE;
		goto fail;
	}
	m->bodylen = len - m->hdrlen;
	scan_bytes(m->body, m->bodylen, HDR_F_BODY_8BIT, &m->flags);
	for (pos = 0; pos < m->bodylen; pos = next) {
		next = line_end(m->body, m->bodylen, pos, &eol);
		if (eol - pos > QPM_RFC5322_LINE) {
			m->flags |= HDR_F_BODY_LONG_LINE;
			break;
		}
	}
	return 0;
fail:
	hdr_free(m);
	return rc;
}

void
hdr_free(struct hdr_msg *m)
{
	free(m->f);
	memset(m, 0, sizeof(*m));
}

int
hdr_name_is(const struct hdr_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->namelen == n && strncasecmp(f->name, name, n) == 0;
}

size_t
hdr_count(const struct hdr_msg *m, const char *name)
{
	size_t i, c = 0;

	for (i = 0; i < m->n; i++)
		if (hdr_name_is(&m->f[i], name))
			c++;
	return c;
}

const struct hdr_field *
hdr_get(const struct hdr_msg *m, const char *name, size_t idx)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (hdr_name_is(&m->f[i], name) && idx-- == 0)
			return &m->f[i];
	return NULL;
}

/*
 * Address lists. Tokens: words (atoms, dot-atoms, quoted strings),
 * domain literals and the specials < > : ; @ , ; CFWS is skipped.
 */
enum tok { T_END = 1, T_WORD, T_QUOTED, T_LITERAL, T_SPECIAL, T_ERR };

struct lex {
	const char	*p, *end;
	const char	*tp;		/* token text */
	size_t		 tlen;
	char		 c;		/* T_SPECIAL */
	const char	*why;
};

/* RFC 5322 3.2.3 atext, plus "." (dot-atom and obs-local-part) and
 * 8-bit bytes (RFC 6532 UTF-8 headers). */
static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 || c == '.')
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
skip_cfws(struct lex *lx)
{
	int depth;

	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			lx->p++;
			continue;
		}
		if (c != '(')
			break;
		depth = 0;
		while (lx->p < lx->end) {
			c = *lx->p++;
			if (c == '\\') {
				if (lx->p < lx->end)
					lx->p++;
			} else if (c == '(') {
				depth++;
			} else if (c == ')' && --depth == 0) {
				break;
			}
		}
		if (depth != 0) {
			lx->why = "unterminated comment";
			return -1;
		}
	}
	return 0;
}

static enum tok
lex_next(struct lex *lx)
{
	char c;

	if (skip_cfws(lx) < 0)
		return T_ERR;
	if (lx->p >= lx->end)
		return T_END;
	lx->tp = lx->p;
	c = *lx->p;
	if (c == '"') {
		lx->p++;
		while (lx->p < lx->end && *lx->p != '"') {
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			lx->p++;
		}
		if (lx->p >= lx->end) {
			lx->why = "unterminated quoted string";
			return T_ERR;
		}
		lx->p++;
		lx->tlen = (size_t)(lx->p - lx->tp);
		return T_QUOTED;
	}
	if (c == '[') {
		while (lx->p < lx->end && *lx->p != ']') {
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			lx->p++;
		}
		if (lx->p >= lx->end) {
			lx->why = "unterminated domain literal";
			return T_ERR;
		}
		lx->p++;
		lx->tlen = (size_t)(lx->p - lx->tp);
		return T_LITERAL;
	}
	if (is_atext((unsigned char)c)) {
		while (lx->p < lx->end && is_atext((unsigned char)*lx->p))
			lx->p++;
		lx->tlen = (size_t)(lx->p - lx->tp);
		return T_WORD;
	}
	lx->p++;
	lx->tlen = 1;
	lx->c = c;
	if (strchr("<>:;@,", c) == NULL || c == '\0') {
		lx->why = "character not allowed in an address";
		return T_ERR;
	}
	return T_SPECIAL;
}

static int
mb_add(struct hdr_addrs *out, const struct qstr *local, const struct qstr *dom)
{
	struct hdr_mailbox *nm;
	size_t ncap, i;
	char *d;

	if (out->n >= QPM_MAX_HEADER_ADDRS)
		return QPM_ERANGE;
	if (out->n == out->cap) {
		ncap = out->cap ? out->cap * 2 : 4;
		if ((nm = realloc(out->mb, ncap * sizeof(*nm))) == NULL)
			return QPM_ENOMEM;
		out->mb = nm;
		out->cap = ncap;
	}
	if ((out->mb[out->n].local = strdup(qstr_str(local))) == NULL)
		return QPM_ENOMEM;
	out->mb[out->n].domain = NULL;
	if (dom != NULL && dom->len > 0) {
		if ((d = strdup(qstr_str(dom))) == NULL) {
			free(out->mb[out->n].local);
			return QPM_ENOMEM;
		}
		for (i = 0; d[i] != '\0'; i++)
			if (d[i] >= 'A' && d[i] <= 'Z')
				d[i] = (char)(d[i] - 'A' + 'a');
		/* "example.com." is the same domain */
		if (i > 1 && d[i - 1] == '.')
			d[i - 1] = '\0';
		out->mb[out->n].domain = d;
	}
	out->n++;
	return 0;
}

/* Parses "local@domain" starting at the current token (already read as
 * *t). Stops at the token after the domain, returned in *t. */
static int
parse_addr_spec(struct lex *lx, enum tok *t, struct qstr *local,
    struct qstr *dom)
{
	int rc;

	qstr_reset(local);
	qstr_reset(dom);
	/* obs-local-part: word *("." word), words may be separated by CFWS */
	while (*t == T_WORD || *t == T_QUOTED) {
		if ((rc = qstr_catn(local, lx->tp, lx->tlen)) < 0)
			return rc;
		*t = lex_next(lx);
	}
	if (local->len == 0) {
		lx->why = "mailbox without a local part";
		return QPM_ESYNTAX;
	}
	if (*t != T_SPECIAL || lx->c != '@')
		return 0;		/* no domain: caller decides */
	*t = lex_next(lx);
	while (*t == T_WORD || *t == T_LITERAL) {
		if ((rc = qstr_catn(dom, lx->tp, lx->tlen)) < 0)
			return rc;
		*t = lex_next(lx);
	}
	if (dom->len == 0 || dom->buf[0] == '.') {
		lx->why = "mailbox with an empty domain";
		return QPM_ESYNTAX;
	}
	return 0;
}

int
hdr_parse_addrs(const char *value, size_t len, struct hdr_addrs *out,
    const char **why)
{
	struct lex lx;
	struct qstr local = QSTR_INIT(QPM_MAX_HEADER_BLOCK);
	struct qstr dom = QSTR_INIT(QPM_MAX_HEADER_BLOCK);
	enum tok t;
	int rc = 0, ingroup = 0, words;

	memset(&lx, 0, sizeof(lx));
	lx.p = value;
	lx.end = value + len;
	t = lex_next(&lx);
	while (t != T_END) {
		if (t == T_ERR)
			goto syntax;
		if (t == T_SPECIAL && lx.c == ',') {	/* obs: empty elements */
			t = lex_next(&lx);
			continue;
		}
		if (t == T_SPECIAL && lx.c == ';' && ingroup) {
			ingroup = 0;
			t = lex_next(&lx);
			continue;
		}
		/* display-name or local-part: look ahead without consuming */
		words = 0;
		{
			struct lex la = lx;
			enum tok u = t;

			while (u == T_WORD || u == T_QUOTED) {
				words++;
				u = lex_next(&la);
			}
			if (u == T_ERR) {
				lx.why = la.why;
				goto syntax;
			}
			if (u == T_SPECIAL && la.c == ':') {	/* group */
				if (ingroup) {
					lx.why = "group inside a group";
					goto syntax;
				}
				ingroup = 1;
				lx = la;
				t = lex_next(&lx);
				continue;
			}
			if (u == T_SPECIAL && la.c == '<') {	/* name-addr */
				lx = la;
				t = lex_next(&lx);
				/* obs-route: "@a,@b:" before the addr-spec */
				while (t == T_SPECIAL && (lx.c == '@' ||
				    lx.c == ',')) {
					while (t != T_END && t != T_ERR &&
					    !(t == T_SPECIAL && lx.c == ':'))
						t = lex_next(&lx);
					if (t == T_SPECIAL && lx.c == ':')
						t = lex_next(&lx);
				}
				if (t == T_SPECIAL && lx.c == '>') {
					lx.why = "empty angle address";
					goto syntax;
				}
				if ((rc = parse_addr_spec(&lx, &t, &local,
				    &dom)) < 0)
					goto out;
				if (t != T_SPECIAL || lx.c != '>') {
					lx.why = "angle address not closed";
					goto syntax;
				}
				if ((rc = mb_add(out, &local, &dom)) < 0)
					goto out;
				t = lex_next(&lx);
				goto after;
			}
		}
		if (words == 0) {
			lx.why = "expected a mailbox";
			goto syntax;
		}
		if ((rc = parse_addr_spec(&lx, &t, &local, &dom)) < 0)
			goto out;
		if ((rc = mb_add(out, &local, &dom)) < 0)
			goto out;
after:
		if (t == T_END)
			break;
		if (t == T_SPECIAL && (lx.c == ',' || (lx.c == ';' &&
		    ingroup)))
			continue;
		if (t == T_ERR)
			goto syntax;
		lx.why = "text after a mailbox";
		goto syntax;
	}
	/* an open group at the end: RFC 5322 wants ";", writers forget it */
	goto out;
syntax:
	rc = QPM_ESYNTAX;
out:
	if (why != NULL)
		*why = rc == QPM_ESYNTAX ? (lx.why ? lx.why : "syntax") : NULL;
	qstr_free(&local);
	qstr_free(&dom);
	return rc;
}

void
hdr_addrs_free(struct hdr_addrs *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->mb[i].local);
		free(a->mb[i].domain);
	}
	free(a->mb);
	memset(a, 0, sizeof(*a));
}

int
hdr_from_addrs(const struct hdr_msg *m, struct hdr_addrs *out,
    size_t *nfields, const char **why)
{
	const struct hdr_field *f;
	size_t i;
	int rc;

	*nfields = 0;
	*why = NULL;
	for (i = 0; (f = hdr_get(m, "From", i)) != NULL; i++) {
		(*nfields)++;
		if ((rc = hdr_parse_addrs(f->value, f->valuelen, out, why)) < 0)
			return rc;
	}
	return 0;
}
