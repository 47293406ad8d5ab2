/*
 * NAME		spf_parse - RFC 7208 record syntax, checked in full
 * DOES		splits a record into terms and checks each against the
 *		ABNF (RFC 7208 4.5, 4.6.1, 5, 6, 7.1, 12); the first error
 *		stops parsing and names the term
 * NEVER	looks anything up, expands a macro, accepts a byte outside
 *		printable ASCII (RFC 7208 3: records are US-ASCII)
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/core/spf_parse.h"
#include "util/err.h"
#include "util/qstr.h"

#define SPF_MAX_TERMS	1024	/* a 64 KiB TXT cannot hold more than
				 * this many useful terms; far above any
				 * real record */

int
spf_is_record(const char *txt, size_t len)
{
	return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 &&
	    (len == 6 || txt[6] == ' ');
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *	( 1*alphanum "-" *( alphanum / "-" ) alphanum )	(RFC 7208 7.1) */
static int
toplabel_ok(const char *s, size_t len)
{
	int alpha = 0, hyphen = 0;
	size_t i;

	if (len == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			hyphen = 1;
		else if (is_alpha((unsigned char)s[i]))
			alpha = 1;
		else if (!is_alnum((unsigned char)s[i]))
			return 0;
	}
	return alpha || hyphen;
}

int
spf_macro_check(const char *s, size_t len, int exp_text, int domain_spec,
    const char **why)
{
	size_t i = 0, lit_start = 0, j;
	int last_macro = 0, c;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 1 >= len) {
				*why = "'%' at the end of a macro-string";
				return QPM_ESYNTAX;
			}
			c = (unsigned char)s[i + 1];
			if (c == '%' || c == '_' || c == '-') {
				i += 2;
				last_macro = 1;
				lit_start = i;
				continue;
			}
			if (c != '{') {
				*why = "'%' not followed by '{', '%', '_' or '-'";
				return QPM_ESYNTAX;
			}
			i += 2;
			if (i >= len) {
				*why = "unterminated macro";
				return QPM_ESYNTAX;
			}
			c = tolower((unsigned char)s[i]);
			if (strchr("slodiphv", c) == NULL &&
			    !(exp_text && strchr("crt", c) != NULL)) {
				*why = strchr("crt", c) != NULL && c != '\0' ?
				    "macro letter c, r or t outside exp text" :
				    "invalid macro letter";
				return QPM_ESYNTAX;
			}
			i++;
			if (i < len && s[i] == '0') {
				*why = "macro transformer 0";
				return QPM_ESYNTAX;
			}
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
			if (i < len && (s[i] == 'r' || s[i] == 'R'))
				i++;
			while (i < len && strchr(".-+,/_=", s[i]) != NULL &&
			    s[i] != '\0')
				i++;
			if (i >= len || s[i] != '}') {
				*why = "invalid macro transformer or delimiter";
				return QPM_ESYNTAX;
			}
			i++;
			last_macro = 1;
			lit_start = i;
			continue;
		}
		if (c < 0x21 || c > 0x7e) {
			if (!(exp_text && c == ' ')) {
				*why = "character outside printable ASCII";
				return QPM_ESYNTAX;
			}
		}
		last_macro = 0;
		i++;
	}
	if (!domain_spec)
		return 0;
	if (len == 0) {
		*why = "empty domain-spec";
		return QPM_ESYNTAX;
	}
	if (last_macro)
		return 0;
	/* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
	j = len;
	if (s[j - 1] == '.')
		j--;
	for (i = j; i > lit_start && s[i - 1] != '.'; i--)
		;
	if (i == lit_start || s[i - 1] != '.' ||
	    !toplabel_ok(s + i, j - i)) {
		*why = "domain-spec does not end in a valid top label";
		return QPM_ESYNTAX;
	}
	return 0;
}

/* "/0".."/max" without leading zeros (RFC 7208 5.6); -1 if invalid */
static int
cidr_value(const char *s, size_t len, int max)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Finds "/digits" at the end of s[0..*len); returns its value (with
 * *len cut before the '/'), -1 when there is none, -2 when it is bad. */
static int
cidr_suffix(const char *s, size_t *len, int max)
{
	size_t i = *len;
	int v;

	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i == 0 || s[i - 1] != '/' || i == *len)
		return -1;
	if ((v = cidr_value(s + i, *len - i, max)) < 0)
		return -2;
	*len = i - 1;
	return v;
}

/* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ] at
 * the end of p[0..*len); cuts it off. 0 or QPM_ESYNTAX. */
static int
dual_cidr(struct spf_term *t, const char *p, size_t *len, const char **why)
{
	size_t i = *len, d;
	int v;

	for (d = i; d > 0 && isdigit((unsigned char)p[d - 1]); d--)
		;
	if (d == i || d == 0 || p[d - 1] != '/')
		return 0;
	if (d >= 2 && p[d - 2] == '/') {
		if ((v = cidr_value(p + d, i - d, 128)) < 0) {
			*why = "invalid IPv6 CIDR length";
			return QPM_ESYNTAX;
		}
		t->cidr6 = v;
		*len = i = d - 2;
		for (d = i; d > 0 && isdigit((unsigned char)p[d - 1]); d--)
			;
		if (d == i || d == 0 || p[d - 1] != '/')
			return 0;
		if (d >= 2 && p[d - 2] == '/') {
			*why = "two IPv6 CIDR lengths";
			return QPM_ESYNTAX;
		}
	}
	if ((v = cidr_value(p + d, i - d, 32)) < 0) {
		*why = "invalid IPv4 CIDR length";
		return QPM_ESYNTAX;
	}
	t->cidr4 = v;
	*len = d - 1;
	return 0;
}

char *
spf_dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static const struct {
	const char	*name;
	enum spf_mech	 mech;
} spf_mechs[] = {
	{ "all", SPF_M_ALL }, { "include", SPF_M_INCLUDE },
	{ "a", SPF_M_A }, { "mx", SPF_M_MX }, { "ptr", SPF_M_PTR },
	{ "ip4", SPF_M_IP4 }, { "ip6", SPF_M_IP6 },
	{ "exists", SPF_M_EXISTS },
};

/* Parses the part after the mechanism name; 0, QPM_ESYNTAX, QPM_ENOMEM */
static int
parse_mech_arg(struct spf_term *t, const char *p, size_t len,
    const char **why)
{
	char ipbuf[64];
	int v;

	switch (t->mech) {
	case SPF_M_ALL:
		if (len != 0) {
			*why = "'all' takes no argument";
			return QPM_ESYNTAX;
		}
		return 0;
	case SPF_M_INCLUDE:
	case SPF_M_EXISTS:
	case SPF_M_PTR:
		if (len == 0 && t->mech == SPF_M_PTR)
			return 0;
		if (len == 0 || p[0] != ':') {
			*why = "mechanism needs ':domain-spec'";
			return QPM_ESYNTAX;
		}
		p++;
		len--;
		break;
	case SPF_M_A:
	case SPF_M_MX:
		if (dual_cidr(t, p, &len, why) < 0)
			return QPM_ESYNTAX;
		if (len == 0)
			return 0;
		if (p[0] != ':') {
			*why = "invalid characters after the mechanism name";
			return QPM_ESYNTAX;
		}
		p++;
		len--;
		break;
	case SPF_M_IP4:
	case SPF_M_IP6:
		if (len == 0 || p[0] != ':') {
			*why = "ip4/ip6 needs ':address'";
			return QPM_ESYNTAX;
		}
		p++;
		len--;
		v = cidr_suffix(p, &len, t->mech == SPF_M_IP4 ? 32 : 128);
		if (v == -2 || (v == -1 && memchr(p, '/', len) != NULL)) {
			*why = "invalid CIDR length";
			return QPM_ESYNTAX;
		}
		if (t->mech == SPF_M_IP4)
			t->cidr4 = v >= 0 ? v : 32;
		else
			t->cidr6 = v >= 0 ? v : 128;
		if (len == 0 || len >= sizeof(ipbuf)) {
			*why = "invalid IP address";
			return QPM_ESYNTAX;
		}
		memcpy(ipbuf, p, len);
		ipbuf[len] = '\0';
		if (inet_pton(t->mech == SPF_M_IP4 ? AF_INET : AF_INET6,
		    ipbuf, t->ip) != 1) {
			*why = "invalid IP address";
			return QPM_ESYNTAX;
		}
		return 0;
	}
	if (spf_macro_check(p, len, 0, 1, why) < 0)
		return QPM_ESYNTAX;
	if ((t->domain_spec = spf_dupn(p, len)) == NULL)
		return QPM_ENOMEM;
	return 0;
}

static int
parse_term(struct spf_record *rec, const char *p, size_t len,
    const char **why)
{
	struct spf_term *t;
	size_t i, n;
	char **slot;

	/* modifier: name "=" ...; name = ALPHA *( ALPHA / DIGIT / "-" /
	 * "_" / "." ) (RFC 7208 6, 12) */
	if (is_alpha((unsigned char)p[0])) {
		for (i = 1; i < len && (is_alnum((unsigned char)p[i]) ||
		    p[i] == '-' || p[i] == '_' || p[i] == '.'); i++)
			;
		if (i < len && p[i] == '=') {
			slot = NULL;
			if (i == 8 && strncasecmp(p, "redirect", 8) == 0)
				slot = &rec->redirect;
			else if (i == 3 && strncasecmp(p, "exp", 3) == 0)
				slot = &rec->exp;
			if (slot == NULL)	/* unknown-modifier */
				return spf_macro_check(p + i + 1,
				    len - i - 1, 0, 0, why);
			if (*slot != NULL) {
				*why = "modifier given twice";
				return QPM_ESYNTAX;
			}
			if (spf_macro_check(p + i + 1, len - i - 1, 0, 1,
			    why) < 0)
				return QPM_ESYNTAX;
			if ((*slot = spf_dupn(p + i + 1, len - i - 1)) ==
			    NULL)
				return QPM_ENOMEM;
			return 0;
		}
	}
	if (rec->nterms >= SPF_MAX_TERMS) {
		*why = "too many terms";
		return QPM_ESYNTAX;
	}
	t = &rec->terms[rec->nterms];
	memset(t, 0, sizeof(*t));
	t->cidr4 = t->cidr6 = -1;
	t->qualifier = '+';
	i = 0;
	if (strchr("+-~?", p[0]) != NULL) {
		t->qualifier = p[0];
		i = 1;
	}
	for (n = i; n < len && is_alnum((unsigned char)p[n]); n++)
		;
	for (size_t m = 0; m < sizeof(spf_mechs) / sizeof(spf_mechs[0]);
	    m++) {
		if (strlen(spf_mechs[m].name) == n - i &&
		    strncasecmp(spf_mechs[m].name, p + i, n - i) == 0) {
			t->mech = spf_mechs[m].mech;
			break;
		}
	}
	if (t->mech == 0) {
		*why = "unknown mechanism";
		return QPM_ESYNTAX;
	}
	if ((t->text = spf_dupn(p, len)) == NULL)
		return QPM_ENOMEM;
	rec->nterms++;	/* now owned by rec, freed with it on error */
	return parse_mech_arg(t, p + n, len - n, why);
}

int
spf_record_parse(const char *txt, size_t len, struct spf_record **out,
    char *why, size_t whylen)
{
	struct spf_record *rec;
	const char *p, *end, *problem = "syntax error", *term;
	size_t i, nmax = 0;
	int err = 0;

	*out = NULL;
	if (!spf_is_record(txt, len)) {
		if (why != NULL)
			qpm_snprintf(why, whylen, "not an SPF record");
		return QPM_ESYNTAX;
	}
	for (i = 0; i < len; i++) {
		if (txt[i] == ' ')
			nmax++;
		if ((unsigned char)txt[i] < 0x20 || (unsigned char)txt[i] > 0x7e) {
			if (why != NULL)
				qpm_snprintf(why, whylen, "byte 0x%02x at "
				    "offset %zu: records are printable ASCII",
				    (unsigned char)txt[i], i);
			return QPM_ESYNTAX;
		}
	}
	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return QPM_ENOMEM;
	if (nmax > SPF_MAX_TERMS)
		nmax = SPF_MAX_TERMS + 1;
	if (nmax > 0 && (rec->terms = calloc(nmax,
	    sizeof(*rec->terms))) == NULL) {
		free(rec);
		return QPM_ENOMEM;
	}
	p = txt + 6;
	end = txt + len;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		term = p;
		while (p < end && *p != ' ')
			p++;
		if ((err = parse_term(rec, term, (size_t)(p - term),
		    &problem)) < 0) {
			if (why != NULL && err == QPM_ESYNTAX)
				qpm_snprintf(why, whylen, "%s: '%.*s'",
				    problem, (int)(p - term > 200 ? 200 :
				    p - term), term);
			spf_record_free(rec);
			return err;
		}
	}
	*out = rec;
	return 0;
}

void
spf_record_free(struct spf_record *rec)
{
	size_t i;

	if (rec == NULL)
		return;
	for (i = 0; i < rec->nterms; i++) {
		free(rec->terms[i].domain_spec);
		free(rec->terms[i].text);
	}
	free(rec->terms);
	free(rec->redirect);
	free(rec->exp);
	free(rec);
}
