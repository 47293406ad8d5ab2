/*
 * NAME		dmarc_record - parse one DMARC policy record (RFC 9989 4.7)
 * DOES		tag=value list as in DKIM (RFC 6376 3.2); v=DMARC1 first;
 *		values that do not parse fall back to defaults and are counted
 * NEVER	allocates, reads past len, rejects a record for an unknown tag
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "checks/core/dmarc.h"
#include "util/qstr.h"

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && is_wsp(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_wsp((*p)[*n - 1]))
		(*n)--;
}

static int
eq(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && strncmp(p, s, n) == 0;
}

static int
eq_ci(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(p, s, n) == 0;
}

static enum dmarc_policy
parse_request(const char *v, size_t n)
{
	if (eq_ci(v, n, "none"))
		return DMARC_P_NONE;
	if (eq_ci(v, n, "quarantine"))
		return DMARC_P_QUARANTINE;
	if (eq_ci(v, n, "reject"))
		return DMARC_P_REJECT;
	return 0;
}

/* RFC 3986 URI: scheme ":" at least one more character, no whitespace;
 * an obsolete "!size" suffix is allowed (RFC 9989 4.7). */
static int
uri_valid(const char *v, size_t n)
{
	size_t i = 0;

	if (n == 0 || !((v[0] >= 'a' && v[0] <= 'z') ||
	    (v[0] >= 'A' && v[0] <= 'Z')))
		return 0;
	while (i < n && v[i] != ':') {
		char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return 0;
		i++;
	}
	if (i >= n - 1 || v[i] != ':')
		return 0;
	for (i++; i < n; i++)
		if (is_wsp(v[i]) || (unsigned char)v[i] < 0x21 ||
		    (unsigned char)v[i] > 0x7e)
			return 0;
	return 1;
}

static int
urilist_valid(const char *v, size_t n)
{
	const char *e, *end = v + n;
	size_t len;
	int any = 0;

	while (v < end) {
		e = memchr(v, ',', (size_t)(end - v));
		if (e == NULL)
			e = end;
		len = (size_t)(e - v);
		trim(&v, &len);
		if (uri_valid(v, len))
			any = 1;
		v = e + 1;
	}
	return any;
}

static void
ignore(struct dmarc_record *r, const char *tag, size_t tn, const char *what)
{
	if (r->ignored++ == 0)
		(void)qpm_snprintf(r->why, sizeof(r->why), "%.*s: %s",
		    (int)(tn > 20 ? 20 : tn), tag, what);
}

enum dmarc_rec_status
dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *r)
{
	const char *p = txt, *end = txt + len, *semi, *tag, *val, *e;
	size_t tn, vn;
	unsigned seen = 0;
	int first = 1, bit;
	static const char *const known[] = { "p", "sp", "np", "adkim", "aspf",
	    "psd", "t", "pct", "rua", "ruf", "fo", "rf", "ri", NULL };

	memset(r, 0, sizeof(*r));
	r->adkim = r->aspf = 'r';
	r->psd = 'u';
	r->t = 'n';
	r->pct = -1;
	while (p < end) {
		semi = memchr(p, ';', (size_t)(end - p));
		e = semi ? semi : end;
		tag = p;
		p = semi ? semi + 1 : end;
		val = memchr(tag, '=', (size_t)(e - tag));
		if (val == NULL) {
			tn = (size_t)(e - tag);
			trim(&tag, &tn);
			if (first)
				return DMARC_REC_NOT_DMARC;
			if (tn > 0)
				ignore(r, tag, tn, "no \"=\"");
			continue;
		}
		tn = (size_t)(val - tag);
		trim(&tag, &tn);
		val++;
		vn = (size_t)(e - val);
		trim(&val, &vn);
		if (first) {
			/* v=DMARC1, case-sensitive, first (RFC 9989 4.7) */
			if (!eq(tag, tn, "v") || !eq(val, vn, "DMARC1"))
				return DMARC_REC_NOT_DMARC;
			first = 0;
			continue;
		}
		for (bit = 0; known[bit] != NULL; bit++)
			if (eq_ci(tag, tn, known[bit]))
				break;
		if (known[bit] == NULL)
			continue;		/* unknown tags are ignored */
		if (seen & (1u << bit)) {
			ignore(r, tag, tn, "repeated, first value kept");
			continue;
		}
		seen |= 1u << bit;
		if (eq_ci(tag, tn, "p") || eq_ci(tag, tn, "sp") ||
		    eq_ci(tag, tn, "np")) {
			enum dmarc_policy pol = parse_request(val, vn);

			if (pol == 0)
				ignore(r, tag, tn, "not none/quarantine/reject");
			else if (tn == 1)
				r->p = pol;
			else if (tag[0] == 's' || tag[0] == 'S')
				r->sp = pol;
			else
				r->np = pol;
		} else if (eq_ci(tag, tn, "adkim") || eq_ci(tag, tn, "aspf")) {
			char c = vn == 1 ? val[0] : 0;

			if (c == 'R' || c == 'S')
				c = (char)(c - 'A' + 'a');
			if (c != 'r' && c != 's')
				ignore(r, tag, tn, "not r or s");
			else if (tag[1] == 'd' || tag[1] == 'D')
				r->adkim = c;
			else
				r->aspf = c;
		} else if (eq_ci(tag, tn, "psd")) {
			if (vn == 1 && (val[0] == 'y' || val[0] == 'n' ||
			    val[0] == 'u'))
				r->psd = val[0];
			else
				ignore(r, tag, tn, "not y, n or u");
		} else if (eq_ci(tag, tn, "t")) {
			if (vn == 1 && (val[0] == 'y' || val[0] == 'n'))
				r->t = val[0];
			else
				ignore(r, tag, tn, "not y or n");
		} else if (eq_ci(tag, tn, "pct")) {
			int n = 0;
			size_t i;

			for (i = 0; i < vn && i < 4 && val[i] >= '0' &&
			    val[i] <= '9'; i++)
				n = n * 10 + (val[i] - '0');
			if (vn == 0 || i != vn || n > 100)
				ignore(r, tag, tn, "not 0..100");
			else
				r->pct = n;
		} else if (eq_ci(tag, tn, "rua")) {
			r->rua_valid = urilist_valid(val, vn);
			if (!r->rua_valid)
				ignore(r, tag, tn, "no valid URI");
		}
		/* ruf, fo, rf, ri: reporting only; not evaluated here */
	}
	return first ? DMARC_REC_NOT_DMARC : DMARC_REC_OK;
}

enum dmarc_policy
dmarc_record_p(const struct dmarc_record *r)
{
	if (r->p != 0)
		return r->p;
	return r->rua_valid ? DMARC_P_NONE : 0;
}
