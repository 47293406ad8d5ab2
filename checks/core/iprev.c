/*
 * NAME		iprev - forward-confirmed reverse DNS and HELO checks
 * DOES		PTR of the IP, then A (IPv4) or AAAA (IPv6) of each name,
 *		compared as bytes; HELO syntax, its address records, and its
 *		agreement with the PTR names
 * NEVER	compares addresses as text (2001:db8::1 == 2001:DB8:0::1)
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/core/iprev.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

struct ipaddr {
	int		 af;		/* AF_INET or AF_INET6 */
	unsigned char	 b[16];
};

static int
ip_parse(const char *s, struct ipaddr *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->af = AF_INET6;
		if (memcmp(a->b, mapped, 12) == 0) {	/* ::ffff:a.b.c.d */
			memmove(a->b, a->b + 12, 4);
			memset(a->b + 4, 0, 12);
			a->af = AF_INET;
		}
		return 0;
	}
	return QPM_EINVAL;
}

static int
reverse_name(const struct ipaddr *a, struct qstr *q)
{
	static const char hex[] = "0123456789abcdef";
	int i, rc = 0;

	if (a->af == AF_INET)
		return qstr_catf(q, "%u.%u.%u.%u.in-addr.arpa", a->b[3],
		    a->b[2], a->b[1], a->b[0]);
	for (i = 15; i >= 0 && rc == 0; i--)
		rc = qstr_catf(q, "%c.%c.", hex[a->b[i] & 0xf],
		    hex[a->b[i] >> 4]);
	return rc < 0 ? rc : qstr_cat(q, "ip6.arpa");
}

/* 1: an address record of name is a; 0: none; -1: DNS error. */
static int
name_has_addr(const struct dns_resolver *dns, const char *name,
    const struct ipaddr *a, unsigned *queries, int *exists)
{
	struct dns_answer ans;
	size_t i;
	int st, r = 0;

	memset(&ans, 0, sizeof(ans));
	(*queries)++;
	st = dns_query(dns, name, a->af == AF_INET ? DNS_T_A : DNS_T_AAAA,
	    &ans);
	if (st == DNS_TEMPFAIL)
		r = -1;
	for (i = 0; st == DNS_OK && i < ans.n; i++) {
		if (exists != NULL)
			*exists = 1;
		if (memcmp(ans.rr[i].addr, a->b, a->af == AF_INET ? 4 : 16)
		    == 0 && ans.rr[i].type == (a->af == AF_INET ? DNS_T_A :
		    DNS_T_AAAA))
			r = 1;
	}
	dns_answer_free(&ans);
	return r;
}

static int
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : QPM_ENOMEM;
}

int
iprev_check(const struct dns_resolver *dns, const char *ip,
    struct iprev_result *out)
{
	struct ipaddr a;
	struct dns_answer ans;
	struct qstr rev = QSTR_INIT(128);
	char buf[INET6_ADDRSTRLEN];
	size_t i;
	int st, rc = 0, temp = 0, r;

	memset(out, 0, sizeof(out[0]));
	if (ip_parse(ip, &a) < 0)
		return QPM_EINVAL;
	if (inet_ntop(a.af, a.b, buf, sizeof(buf)) == NULL ||
	    (out->ip = strdup(buf)) == NULL ||
	    (rc = reverse_name(&a, &rev)) < 0) {
		rc = rc < 0 ? rc : QPM_ENOMEM;
		goto out;
	}
	memset(&ans, 0, sizeof(ans));
	out->queries++;
	st = dns_query(dns, rev.buf, DNS_T_PTR, &ans);
	switch (st) {
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		out->result = IPREV_PERMERROR;
		rc = set_str(&out->reason, "no PTR record for the IP");
		break;
	case DNS_PERMFAIL:
		out->result = IPREV_PERMERROR;
		rc = set_str(&out->reason, "malformed PTR answer");
		break;
	case DNS_TEMPFAIL:
		out->result = IPREV_TEMPERROR;
		rc = set_str(&out->reason, "DNS error on the PTR query");
		break;
	case DNS_OK:
	default:
		break;
	}
	if (st != DNS_OK) {
		dns_answer_free(&ans);
		goto out;
	}
	if ((out->names = calloc(ans.n, sizeof(char *))) == NULL) {
		dns_answer_free(&ans);
		rc = QPM_ENOMEM;
		goto out;
	}
	for (i = 0; i < ans.n; i++) {
		if (ans.rr[i].type != DNS_T_PTR)
			continue;
		if ((out->names[out->nnames] = dns_name_dup(ans.rr[i].text)) ==
		    NULL) {
			rc = QPM_ENOMEM;
			break;
		}
		out->nnames++;
	}
	dns_answer_free(&ans);
	if (rc < 0)
		goto out;
	for (i = 0; i < out->nnames && i < QPM_IPREV_MAX_NAMES; i++) {
		r = name_has_addr(dns, out->names[i], &a, &out->queries, NULL);
		if (r == 1) {
			out->result = IPREV_PASS;
			rc = set_str(&out->confirmed, out->names[i]);
			goto out;
		}
		if (r < 0)
			temp = 1;
	}
	if (temp) {
		out->result = IPREV_TEMPERROR;
		rc = set_str(&out->reason, "DNS error resolving a PTR name");
	} else if (out->nnames == 0) {
		out->result = IPREV_PERMERROR;
		rc = set_str(&out->reason, "no PTR record for the IP");
	} else {
		out->result = IPREV_FAIL;
		rc = set_str(&out->reason, "no PTR name resolves back to the "
		    "IP");
	}
out:
	qstr_free(&rev);
	if (rc < 0)
		iprev_result_free(out);
	return rc;
}

void
iprev_result_free(struct iprev_result *r)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->ip);
	free(r->confirmed);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

const char *
iprev_res_str(enum iprev_res r)
{
	switch (r) {
	case IPREV_PASS:
		return "pass";
	case IPREV_FAIL:
		return "fail";
	case IPREV_TEMPERROR:
		return "temperror";
	case IPREV_PERMERROR:
		return "permerror";
	}
	return "permerror";
}

int
helo_is_fqdn(const char *name)
{
	size_t len = strlen(name), lab = 0, labels = 0, i;
	int alldigit = 1;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		char c = i < len ? name[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > 63 || name[i - 1] == '-')
				return 0;
			labels++;
			if (i < len)
				alldigit = 1;
			lab = 0;
			continue;
		}
		if (lab == 0 && c == '-')
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (!(c >= '0' && c <= '9'))
			alldigit = 0;
		lab++;
	}
	return labels >= 2 && !alldigit;
}

static int
problem(struct helo_result *r, const char *text)
{
	struct qstr q = QSTR_INIT(2048);

	if (r->problems != NULL && qstr_catf(&q, "%s; ", r->problems) < 0)
		return QPM_ENOMEM;
	if (qstr_cat(&q, text) < 0) {
		qstr_free(&q);
		return QPM_ENOMEM;
	}
	free(r->problems);
	r->problems = q.buf;
	return 0;
}

int
helo_check(const struct dns_resolver *dns, const char *helo, const char *ip,
    const struct iprev_result *ipr, struct helo_result *out)
{
	struct ipaddr a, l;
	char lit[INET6_ADDRSTRLEN + 8], *norm;
	size_t n = strlen(helo), i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->matches_ptr = out->matches_confirmed = -1;
	if (ip_parse(ip, &a) < 0)
		return QPM_EINVAL;
	if ((out->helo = strdup(helo)) == NULL)
		return QPM_ENOMEM;
	if (n >= 2 && helo[0] == '[' && helo[n - 1] == ']') {
		const char *in = helo + 1;
		size_t ln = n - 2;

		out->literal = 1;
		if (ln > 5 && strncasecmp(in, "IPv6:", 5) == 0) {
			in += 5;
			ln -= 5;
		}
		if (ln < sizeof(lit)) {
			memcpy(lit, in, ln);
			lit[ln] = '\0';
			out->literal_matches = ip_parse(lit, &l) == 0 &&
			    l.af == a.af && memcmp(l.b, a.b, 16) == 0;
		}
		out->ok = out->literal_matches;
		if (!out->literal_matches)
			rc = problem(out, "address literal is not the client "
			    "IP");
		return rc;
	}
	if ((norm = dns_name_dup(helo)) == NULL) {
		helo_result_free(out);
		return QPM_ENOMEM;
	}
	helo = norm;
	n = strlen(helo);
	out->fqdn = helo_is_fqdn(helo);
	if (!out->fqdn)
		rc = problem(out, "HELO name is not a fully qualified "
		    "domain name (RFC 5321 4.1.1.1)");
	out->resolves = out->fqdn ? name_has_addr(dns, helo, &a,
	    &out->queries, &out->exists) : 0;
	if (rc == 0 && out->fqdn && out->resolves == 0)
		rc = problem(out, out->exists ? "HELO name's address records "
		    "do not hold the client IP" : "HELO name has no address "
		    "record");
	if (rc == 0 && out->resolves < 0)
		rc = problem(out, "DNS error resolving the HELO name");
	if (ipr != NULL) {
		out->matches_ptr = 0;
		for (i = 0; i < ipr->nnames; i++)
			if (strcmp(ipr->names[i], helo) == 0)
				out->matches_ptr = 1;
		out->matches_confirmed = ipr->confirmed != NULL &&
		    strcasecmp(ipr->confirmed, helo) == 0;
		if (rc == 0 && !out->matches_ptr)
			rc = problem(out, ipr->nnames ? "HELO name differs "
			    "from the PTR name" : "no PTR name to compare the "
			    "HELO name with");
	}
	out->ok = out->fqdn && out->resolves == 1;
	free(norm);
	if (rc < 0)
		helo_result_free(out);
	return rc;
}

void
helo_result_free(struct helo_result *r)
{
	free(r->helo);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}
