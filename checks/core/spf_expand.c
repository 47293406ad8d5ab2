/*
 * NAME		spf_expand - SPF macros, explanations and Received-SPF
 * DOES		expands RFC 7208 7.3 macro-strings (%{i} nibbles, %{p}
 *		through validated PTR names, transformers, the 253-octet
 *		left truncation), the exp= explanation (RFC 7208 6.2) and
 *		the Received-SPF field (RFC 7208 9.1) of one check
 * NEVER	lets one expansion grow past SPF_MAX_EXPANSION
 */
#include <config.h>

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spf2/spf.h>

#include "checks/core/spf.h"
#include "checks/core/spf_parse.h"
#include "mail/addr.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"
#include "checks/core/spf_int.h"

/* %{i} of RFC 7208 7.3: dotted quad, or 32 dot-separated nibbles */
static int
ip_macro(const struct spf_eval *ev, struct qstr *out)
{
	const char *hex = ev->upper_hex ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	int i;

	if (ev->family == AF_INET)
		return qstr_catf(out, "%u.%u.%u.%u", ev->ip[0], ev->ip[1],
		    ev->ip[2], ev->ip[3]);
	for (i = 0; i < 16; i++) {
		if (qstr_catc(out, hex[ev->ip[i] >> 4]) < 0 ||
		    qstr_catc(out, '.') < 0 ||
		    qstr_catc(out, hex[ev->ip[i] & 15]) < 0 ||
		    (i < 15 && qstr_catc(out, '.') < 0))
			return QPM_ENOMEM;
	}
	return 0;
}

static int
reverse_name(const struct spf_eval *ev, struct qstr *q)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	if (ev->family == AF_INET)
		return qstr_catf(q, "%u.%u.%u.%u.in-addr.arpa", ev->ip[3],
		    ev->ip[2], ev->ip[1], ev->ip[0]);
	for (i = 15; i >= 0; i--)
		if (qstr_catf(q, "%c.%c.", hex[ev->ip[i] & 15],
		    hex[ev->ip[i] >> 4]) < 0)
			return QPM_ENOMEM;
	return qstr_cat(q, "ip6.arpa");
}

int
spf_name_under(const char *name, const char *domain)
{
	size_t nl = strlen(name), dl = strlen(domain);

	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	if (dl > 0 && domain[dl - 1] == '.')
		dl--;
	if (nl < dl || strncasecmp(name + nl - dl, domain, dl) != 0)
		return 0;
	return nl == dl || name[nl - dl - 1] == '.';
}

/*
 * Validated names of the client (RFC 7208 5.5): PTR names (at most 10)
 * whose A/AAAA records hold the client address. Calls found(name) for
 * each; stops when it returns non-zero. Returns: 1 stopped, 0 not,
 * -1 the PTR query itself failed (DNS error), QPM_ENOMEM.
 */
int
spf_validated_names(struct spf_eval *ev, int *ptr_status,
    int (*found)(void *, const char *), void *arg)
{
	struct dns_answer ptr, addr;
	struct qstr q = QSTR_INIT(1024);
	size_t i, k;
	int st, hit = 0;

	if (reverse_name(ev, &q) < 0)
		return QPM_ENOMEM;
	st = dns_query(ev->ctx->dns, q.buf, DNS_T_PTR, &ptr);
	qstr_free(&q);
	*ptr_status = st;
	if (st != DNS_OK) {
		dns_answer_free(&ptr);
		return st == DNS_TEMPFAIL || st == DNS_PERMFAIL ? -1 : 0;
	}
	for (i = 0; i < ptr.n && i < SPF_MAX_PTR_NAMES && !hit; i++) {
		if (ptr.rr[i].type != DNS_T_PTR)
			continue;
		st = dns_query(ev->ctx->dns, ptr.rr[i].text,
		    ev->family == AF_INET ? DNS_T_A : DNS_T_AAAA, &addr);
		/* an error on one name skips that name (RFC 7208 5.5) */
		for (k = 0; st == DNS_OK && k < addr.n; k++) {
			if (spf_addr_matches(ev, &addr.rr[k])) {
				hit = found(arg, ptr.rr[i].text);
				break;
			}
		}
		dns_answer_free(&addr);
	}
	dns_answer_free(&ptr);
	return hit;
}

struct pmacro {
	const char	*domain;
	char		*exact, *sub, *any;
};

static int
pmacro_found(void *arg, const char *name)
{
	struct pmacro *pm = arg;
	char **slot;

	if (spf_name_under(name, pm->domain))
		slot = strlen(name) == strlen(pm->domain) ? &pm->exact :
		    &pm->sub;
	else
		slot = &pm->any;
	if (*slot == NULL)
		*slot = strdup(name);
	return pm->exact != NULL;
}

/* Expands one macro letter into raw (before transformers). */
static int
macro_value(struct spf_eval *ev, const char *domain, int letter,
    struct qstr *raw)
{
	struct pmacro pm = { domain, NULL, NULL, NULL };
	const char *v;
	int st, err;

	switch (letter) {
	case 's': return qstr_cat(raw, ev->sender);
	case 'l': return qstr_cat(raw, ev->local);
	case 'o': return qstr_cat(raw, ev->odomain);
	case 'd': return qstr_cat(raw, domain);
	case 'i': return ip_macro(ev, raw);
	case 'v':
		return qstr_cat(raw, ev->family == AF_INET ? "in-addr" : "ip6");
	case 'h': return qstr_cat(raw, *ev->helo ? ev->helo : "unknown");
	case 'c': return qstr_cat(raw, ev->ipstr);
	case 'r':
		return qstr_cat(raw, ev->ctx->receiver ? ev->ctx->receiver :
		    "unknown");
	case 't':
		return qstr_catf(raw, "%lld", (long long)qpm_clock_now(
		    ev->ctx->clock ? ev->ctx->clock : &qpm_clock_system));
	case 'p':
		if (spf_validated_names(ev, &st, pmacro_found, &pm) == QPM_ENOMEM)
			err = QPM_ENOMEM;
		else {
			v = pm.exact ? pm.exact : pm.sub ? pm.sub : pm.any;
			err = qstr_cat(raw, v ? v : "unknown");
		}
		free(pm.exact);
		free(pm.sub);
		free(pm.any);
		return err;
	}
	return QPM_ESYNTAX;
}

/* Splits, reverses, keeps the rightmost n parts, joins with '.'. */
static int
macro_transform(const char *val, size_t len, unsigned long n, int rev,
    const char *delims, size_t ndelims, int url, struct qstr *out)
{
	const char *parts[SPF_MAX_EXPANSION / 2 + 1];
	size_t plen[SPF_MAX_EXPANSION / 2 + 1], np = 0, i, start = 0, first;
	struct qstr joined = QSTR_INIT(SPF_MAX_EXPANSION);
	int err = 0;

	if (len > SPF_MAX_EXPANSION)
		return QPM_ERANGE;
	if (ndelims == 0) {
		delims = ".";
		ndelims = 1;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || memchr(delims, val[i], ndelims) != NULL) {
			parts[np] = val + start;
			plen[np++] = i - start;
			start = i + 1;
		}
	}
	if (rev) {
		for (i = 0; i < np / 2; i++) {
			const char *tp = parts[i];
			size_t tl = plen[i];

			parts[i] = parts[np - 1 - i];
			plen[i] = plen[np - 1 - i];
			parts[np - 1 - i] = tp;
			plen[np - 1 - i] = tl;
		}
	}
	first = n > 0 && n < np ? np - n : 0;
	for (i = first; i < np && err == 0; i++) {
		if (i > first)
			err = qstr_catc(&joined, '.');
		if (err == 0)
			err = qstr_catn(&joined, parts[i], plen[i]);
	}
	for (i = 0; err == 0 && i < joined.len; i++) {
		unsigned char c = (unsigned char)joined.buf[i];

		/* RFC 7208 7.3: upper-case letters URL-escape (RFC 3986) */
		if (url && !isalnum(c) && strchr("-._~", c) == NULL)
			err = qstr_catf(out, "%%%02X", c);
		else
			err = qstr_catc(out, (char)c);
	}
	qstr_free(&joined);
	return err;
}

/*
 * Expands a macro-string (already checked by spf_macro_check). For a
 * domain-spec, a result over 253 octets loses labels on the left
 * (RFC 7208 7.3).
 */
int
spf_macro_expand(struct spf_eval *ev, const char *domain, const char *s,
    size_t len, int domain_spec, struct qstr *out)
{
	struct qstr raw = QSTR_INIT(SPF_MAX_EXPANSION);
	size_t i = 0, d0;
	unsigned long n;
	int letter, url, rev, err = 0;
	char *dot;

	while (i < len && err == 0) {
		if (s[i] != '%') {
			err = qstr_catc(out, s[i++]);
			continue;
		}
		switch (s[i + 1]) {
		case '%': err = qstr_catc(out, '%'); i += 2; continue;
		case '_': err = qstr_catc(out, ' '); i += 2; continue;
		case '-': err = qstr_cat(out, "%20"); i += 2; continue;
		}
		i += 2;			/* "%{" */
		letter = (unsigned char)s[i];
		url = isupper(letter);
		letter = tolower(letter);
		i++;
		n = 0;
		while (isdigit((unsigned char)s[i])) {
			if (n < 1000)
				n = n * 10 + (unsigned long)(s[i] - '0');
			i++;
		}
		rev = s[i] == 'r' || s[i] == 'R';
		if (rev)
			i++;
		d0 = i;
		while (s[i] != '}')
			i++;
		qstr_reset(&raw);
		if ((err = macro_value(ev, domain, letter, &raw)) < 0)
			break;
		err = macro_transform(raw.buf ? raw.buf : "", raw.len, n, rev,
		    s + d0, i - d0, url, out);
		i++;
	}
	qstr_free(&raw);
	if (err < 0)
		return err;
	if (domain_spec) {
		while (out->len > 253 && (dot = memchr(out->buf, '.',
		    out->len)) != NULL) {
			size_t cut = (size_t)(dot - out->buf) + 1;

			memmove(out->buf, out->buf + cut, out->len - cut + 1);
			out->len -= cut;
		}
	}
	return 0;
}

/* exp= (RFC 7208 6.2): any trouble means the default explanation */
void
spf_explain(struct spf_eval *ev, const struct spf_record *rec, const char *domain)
{
	struct qstr target = QSTR_INIT(SPF_MAX_EXPANSION);
	struct qstr text = QSTR_INIT(SPF_MAX_EXPANSION);
	struct dns_answer ans;
	const char *why, *src = NULL;
	size_t srclen = 0;
	int st;

	memset(&ans, 0, sizeof(ans));
	if (rec->exp != NULL && spf_macro_expand(ev, domain, rec->exp,
	    strlen(rec->exp), 1, &target) == 0 && spf_domain_ok(target.buf)) {
		st = dns_query(ev->ctx->dns, target.buf, DNS_T_TXT, &ans);
		if (st == DNS_OK && ans.n == 1 && spf_macro_check(ans.rr[0].text,
		    ans.rr[0].textlen, 1, 0, &why) == 0) {
			src = ans.rr[0].text;
			srclen = ans.rr[0].textlen;
		}
	}
	if (src == NULL) {
		src = ev->ctx->default_exp ? ev->ctx->default_exp :
		    QSPF_DEFAULT_EXP;
		srclen = strlen(src);
		if (spf_macro_check(src, srclen, 1, 0, &why) < 0) {
			src = QSPF_DEFAULT_EXP;
			srclen = strlen(src);
		}
	}
	if (spf_macro_expand(ev, domain, src, srclen, 0, &text) == 0) {
		free(ev->explanation);
		ev->explanation = text.buf;	/* NULL when empty */
		if (ev->explanation == NULL)
			ev->explanation = strdup("");
		text.buf = NULL;
	} else
		ev->oom = 1;
	dns_answer_free(&ans);
	qstr_free(&text);
	qstr_free(&target);
}

/* a Received-SPF comment: no control bytes, ( ) \ quoted (RFC 5322) */
static int
cat_comment(struct qstr *h, const char *s)
{
	int err = 0;

	for (; *s && err == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			err = qstr_catc(h, '?');
		else if (c == '(' || c == ')' || c == '\\')
			err = qstr_catf(h, "\\%c", c);
		else
			err = qstr_catc(h, (char)c);
	}
	return err;
}

static int
cat_quoted(struct qstr *h, const char *s)
{
	int err = qstr_catc(h, '"');

	for (; *s && err == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			err = qstr_catc(h, '?');
		else if (c == '"' || c == '\\')
			err = qstr_catf(h, "\\%c", c);
		else
			err = qstr_catc(h, (char)c);
	}
	return err < 0 ? err : qstr_catc(h, '"');
}

/* a dot-atom value may go bare; anything else is quoted */
static int
cat_value(struct qstr *h, const char *s)
{
	const char *p;

	if (*s == '\0' || *s == '.')
		return cat_quoted(h, s);
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-/=?^_`{|}~.",
		    *p) == NULL)
			return cat_quoted(h, s);
	return qstr_cat(h, s);
}

/* RFC 7208 9.1 */
int
spf_received_spf(const struct spf_eval *ev, enum spf_res r,
    enum spf_identity id, struct qstr *h)
{
	const char *who = ev->ctx->receiver;
	int err;

	err = qstr_catf(h, "Received-SPF: %s (", spf_res_str(r));
	if (err == 0 && who != NULL)
		err = qstr_catf(h, "%s: ", who);
	if (err < 0)
		return err;
	switch (r) {
	case SPF_R_PASS:
		err = qstr_cat(h, "domain of ");
		err = err ? err : cat_comment(h, ev->sender);
		err = err ? err : qstr_catf(h, " designates %s as permitted "
		    "sender", ev->ipstr);
		break;
	case SPF_R_FAIL:
	case SPF_R_SOFTFAIL:
		err = qstr_cat(h, r == SPF_R_FAIL ? "domain of " :
		    "domain of transitioning ");
		err = err ? err : cat_comment(h, ev->sender);
		err = err ? err : qstr_catf(h, " does not designate %s as "
		    "permitted sender", ev->ipstr);
		break;
	case SPF_R_NEUTRAL:
		err = qstr_catf(h, "%s is neither permitted nor denied by "
		    "domain of ", ev->ipstr);
		err = err ? err : cat_comment(h, ev->sender);
		break;
	case SPF_R_NONE:
		err = qstr_cat(h, "domain of ");
		err = err ? err : cat_comment(h, ev->sender);
		err = err ? err : qstr_cat(h, " does not publish an SPF "
		    "record");
		break;
	case SPF_R_TEMPERROR:
	case SPF_R_PERMERROR:
		err = qstr_cat(h, r == SPF_R_TEMPERROR ? "temporary error" :
		    "permanent error");
		err = err ? err : qstr_cat(h, " in processing during lookup "
		    "of ");
		err = err ? err : cat_comment(h, ev->sender);
		break;
	}
	err = err ? err : qstr_catf(h, ") client-ip=%s; envelope-from=",
	    ev->ipstr);
	err = err ? err : cat_quoted(h, ev->sender);
	err = err ? err : qstr_cat(h, "; helo=");
	err = err ? err : cat_value(h, *ev->helo ? ev->helo : "unknown");
	if (err == 0 && who != NULL) {
		err = qstr_cat(h, "; receiver=");
		err = err ? err : cat_value(h, who);
	}
	err = err ? err : qstr_catf(h, "; identity=%s", spf_identity_str(id));
	if (err == 0 && ev->mechanism.len > 0 && (r == SPF_R_PASS ||
	    r == SPF_R_FAIL || r == SPF_R_SOFTFAIL || r == SPF_R_NEUTRAL)) {
		err = qstr_cat(h, "; mechanism=");
		err = err ? err : cat_quoted(h, ev->mechanism.buf);
	}
	if (err == 0 && ev->problem.len > 0 && (r == SPF_R_TEMPERROR ||
	    r == SPF_R_PERMERROR)) {
		err = qstr_cat(h, "; problem=");
		err = err ? err : cat_quoted(h, ev->problem.buf);
	}
	return err;
}

