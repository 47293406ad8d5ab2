/*
 * NAME		cutover - the pre-cutover checks: run, the new host, domains
 * DOES		wraps the resolver so that every answer a check rests on is
 *		its evidence; checks the new host (PTR, FCrDNS, HELO, the HELO
 *		the generated main.cf uses, HELO SPF) and every hosted domain
 *		(MX and its addresses, SPF for the new IP with RFC 7208 counts,
 *		DKIM via cutover_dkim.c, DMARC under RFC 9989 and RFC 7489),
 *		then calls the other parts and builds the report document
 * NEVER	calls a DNS error a pass; sends mail
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/core/dmarc.h"
#include "checks/core/iprev.h"
#include "checks/core/spf.h"
#include "checks/cutover/cutover_int.h"
#include "mail/exits.h"
#include "mail/json.h"
#include "util/err.h"
#include "util/limits.h"

#define CUT_SCHEMA	"qmail2postfix-cutover"
#define CUT_VERSION	1

/* ---- the traced resolver ---- */

static const char *
type_str(int type)
{
	switch (type) {
	case DNS_T_A:		return "A";
	case DNS_T_AAAA:	return "AAAA";
	case DNS_T_MX:		return "MX";
	case DNS_T_TXT:		return "TXT";
	case DNS_T_PTR:		return "PTR";
	case DNS_T_CNAME:	return "CNAME";
	case DNS_T_NS:		return "NS";
	case DNS_T_SOA:		return "SOA";
	default:		return "TYPE?";
	}
}

static void
trace_rr(struct qstr *q, const struct dns_rr *rr)
{
	size_t i, n;

	switch (rr->type) {
	case DNS_T_MX:
		(void)qstr_catf(q, "%u %s", rr->pref, rr->text);
		break;
	case DNS_T_TXT:
		/* long TXT (DKIM keys) is cut: the evidence is the start */
		n = rr->textlen < 200 ? rr->textlen : 200;
		(void)qstr_catc(q, '"');
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)rr->text[i];

			if (ch == '"' || ch == '\\')
				(void)qstr_catc(q, '\\');
			(void)qstr_catc(q, (char)ch);	/* escaped later */
		}
		(void)qstr_cat(q, n < rr->textlen ? "...\"" : "\"");
		break;
	default:
		(void)qstr_cat(q, rr->text != NULL ? rr->text : "?");
		break;
	}
}

static int
trace_query(void *arg, const char *name, int type, struct dns_answer *ans)
{
	struct cut_ctx *c = arg;
	struct cut_trace *t = &c->trace;
	struct qstr *q = &t->log;
	size_t i, mark;
	int st;

	t->queries++;
	st = dns_query(t->inner, name, type, ans);
	if (t->lines >= CUT_EVIDENCE_LINES) {
		t->dropped++;
		return st;
	}
	mark = q->len;
	(void)qstr_catf(q, "%s %s: ", name, type_str(type));
	switch (ans->status) {
	case DNS_OK:
		for (i = 0; i < ans->n; i++) {
			if (i > 0)
				(void)qstr_cat(q, ", ");
			trace_rr(q, &ans->rr[i]);
		}
		break;
	case DNS_NXDOMAIN:
		(void)qstr_cat(q, "NXDOMAIN (no such name)");
		break;
	case DNS_NODATA:
		(void)qstr_cat(q, "no record of this type");
		break;
	case DNS_TEMPFAIL:
	case DNS_PERMFAIL:
	default:
		(void)qstr_catf(q, "%s%s%s", ans->status == DNS_PERMFAIL ?
		    "DNS error" : "temporary DNS error",
		    ans->why != NULL ? ": " : "",
		    ans->why != NULL ? ans->why : "");
		break;
	}
	(void)qstr_catc(q, '\n');
	/* the same question twice (a check and its evidence) shows once */
	if (q->buf != NULL && q->len > mark) {
		const char *line = q->buf + mark, *p = q->buf;
		size_t n = q->len - mark;

		for (; p < line; p = strchr(p, '\n') + 1)
			if ((size_t)(line - p) >= n && memcmp(p, line, n) == 0) {
				q->len = mark;
				q->buf[mark] = '\0';
				return st;
			}
	}
	t->lines++;
	return st;
}

void
trace_begin(struct cut_ctx *c)
{
	qstr_reset(&c->trace.log);
	c->trace.lines = 0;
	c->trace.dropped = 0;
}

char *
trace_take(struct cut_ctx *c)
{
	struct qstr q = QSTR_INIT(QPM_MAX_STRING);
	char *s;

	(void)qstr_cat(&q, qstr_str(&c->trace.log));
	if (c->trace.dropped > 0)
		(void)qstr_catf(&q, "(%zu more DNS answers not shown)\n",
		    c->trace.dropped);
	/* no final newline: the renderers split lines */
	if (q.len > 0 && q.buf[q.len - 1] == '\n')
		q.buf[--q.len] = '\0';
	s = strdup(qstr_str(&q));
	qstr_free(&q);
	if (s == NULL)
		c->err = QPM_ENOMEM;
	return s;
}

/* ---- small pieces the checks share ---- */

void
cut_add(struct cut_ctx *c, enum finding_sev sev, const char *section,
    const char *subject, const char *check, const char *evidence,
    const char *fix, int temporary, const char *fmt, ...)
{
	struct qstr t = QSTR_INIT(4096);
	va_list ap;

	va_start(ap, fmt);
	(void)qstr_vcatf(&t, fmt, ap);
	va_end(ap);
	if (findings_add(c->f, sev, section, subject, check, qstr_str(&t),
	    evidence, fix, temporary) < 0)
		c->err = QPM_ENOMEM;
	qstr_free(&t);
}

void
cut_vs_old(struct cut_ctx *c, enum finding_old old, int required,
    const char *old_ev)
{
	if (c->f->n > 0 && findings_vs_old(c->f, c->f->n - 1, old, required,
	    old_ev) < 0)
		c->err = QPM_ENOMEM;
}

enum finding_old
cut_old_cmp(int known, int same)
{
	if (!known)
		return FIND_OLD_UNKNOWN;
	return same ? FIND_OLD_SAME : FIND_OLD_DIFFERS;
}

const char *
cut_spf_words(enum spf_res r)
{
	switch (r) {
	case SPF_R_PASS:
		return "pass (the address is authorized)";
	case SPF_R_NONE:
		return "none (no SPF record: receivers treat the message as "
		    "unauthenticated by SPF)";
	case SPF_R_NEUTRAL:
		return "neutral (the domain says nothing about the address: "
		    "receivers treat it like none, unauthenticated)";
	case SPF_R_SOFTFAIL:
		return "softfail (probably not authorized: receivers accept "
		    "but mark or score the message)";
	case SPF_R_FAIL:
		return "fail (not authorized: receivers may reject the "
		    "message, and DMARC counts SPF as failed)";
	case SPF_R_TEMPERROR:
		return "temperror (a temporary DNS error: receivers defer the "
		    "message or treat it as unauthenticated)";
	case SPF_R_PERMERROR:
		return "permerror (the record is broken: receivers treat it "
		    "as unauthenticated or as fail, and DMARC counts SPF as "
		    "failed)";
	}
	return "unknown";
}

void
cj_set(struct cut_ctx *c, json_t *o, const char *key, json_t *v)
{
	if (qpm_json_set(o, key, v) < 0)
		c->err = QPM_ENOMEM;
}

void
cj_str(struct cut_ctx *c, json_t *o, const char *key, const char *v)
{
	char *s;

	if (v == NULL) {
		cj_set(c, o, key, json_null());
		return;
	}
	if ((s = findings_safe(v, 1)) == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, o, key, json_string(s));
	free(s);
}

void
cj_int(struct cut_ctx *c, json_t *o, const char *key, long long v)
{
	cj_set(c, o, key, json_integer(v));
}

void
cj_bool(struct cut_ctx *c, json_t *o, const char *key, int v)
{
	cj_set(c, o, key, json_boolean(v));
}

void
cj_append(struct cut_ctx *c, json_t *a, json_t *v)
{
	if (qpm_json_append(a, v) < 0)
		c->err = QPM_ENOMEM;
}

int
cut_txt_record(struct qstr *q, const char *owner, const char *text)
{
	size_t len = strlen(text), off, n;
	int err;

	err = qstr_catf(q, "%s. IN TXT ", owner);
	for (off = 0; off < len && err == 0; off += n) {
		n = len - off > 255 ? 255 : len - off;
		err = qstr_catf(q, "%s\"%.*s\"", off > 0 ? " " : "", (int)n,
		    text + off);
	}
	if (len == 0 && err == 0)
		err = qstr_cat(q, "\"\"");
	return err;
}

int
cut_reverse_name(const char *ip, char *buf, size_t len)
{
	unsigned char a[16];
	struct qstr q = QSTR_INIT(128);
	int i, err = 0;

	if (inet_pton(AF_INET, ip, a) == 1) {
		err = qstr_catf(&q, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		for (i = 15; i >= 0 && err == 0; i--)
			err = qstr_catf(&q, "%x.%x.", a[i] & 15, a[i] >> 4);
		if (err == 0)
			err = qstr_cat(&q, "ip6.arpa");
	} else
		err = -1;
	if (err == 0)
		err = qpm_snprintf(buf, len, "%s", qstr_str(&q));
	qstr_free(&q);
	return err < 0 ? -1 : 0;
}

static int
same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return 0;
}

static json_t *
strv_json(struct cut_ctx *c, char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL) {
		c->err = QPM_ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char *s = findings_safe(v[i], 0);

		cj_append(c, a, s != NULL ? json_string(s) : NULL);
		free(s);
	}
	return a;
}

/* ---- the old host ---- */

/* The first A (else AAAA) address of host that is not the new IP. */
static char *
first_addr(struct cut_ctx *c, const char *host)
{
	static const int types[] = { DNS_T_A, DNS_T_AAAA };
	struct dns_answer a;
	char *ip = NULL;
	size_t i, k;

	for (k = 0; k < 2 && ip == NULL; k++) {
		memset(&a, 0, sizeof(a));
		(void)dns_query(&c->dns, host, types[k], &a);
		for (i = 0; a.status == DNS_OK && i < a.n && ip == NULL; i++)
			if (a.rr[i].type == types[k] &&
			    !same_ip(a.rr[i].text, c->o->ip) &&
			    (ip = strdup(a.rr[i].text)) == NULL)
				c->err = QPM_ENOMEM;
		dns_answer_free(&a);
	}
	return ip;
}

/*
 * Who the old host is: its name is control/me (migration.json
 * old_host.hostname), its address old_host.ip, else what DNS still says:
 * the name's address record, else the address of the first MX host of a
 * hosted domain that is not the new host.
 */
static void
old_host_find(struct cut_ctx *c)
{
	const struct cut_mig *m = c->m;
	struct qstr src = QSTR_INIT(1024);
	struct dns_answer a;
	json_t *oh = json_object();
	size_t i, k;

	if (oh == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "old_host", oh);
	if (m->old_hostname != NULL &&
	    (c->old_helo = strdup(m->old_hostname)) == NULL)
		c->err = QPM_ENOMEM;
	if (m->old_ip != NULL && !same_ip(m->old_ip, c->o->ip)) {
		if ((c->old_ip = strdup(m->old_ip)) == NULL)
			c->err = QPM_ENOMEM;
		(void)qstr_cat(&src, "migration.json old_host.ip");
	}
	if (c->old_ip == NULL && m->old_hostname != NULL &&
	    (c->old_ip = first_addr(c, m->old_hostname)) != NULL)
		(void)qstr_catf(&src, "DNS: address of %s", m->old_hostname);
	for (i = 0; i < m->ndomains && c->old_ip == NULL && c->err == 0;
	    i++) {
		if (strcmp(m->domains[i].kind, "mailbox") != 0)
			continue;
		memset(&a, 0, sizeof(a));
		(void)dns_query(&c->dns, m->domains[i].name, DNS_T_MX, &a);
		for (k = 0; a.status == DNS_OK && k < a.n && c->old_ip == NULL;
		    k++) {
			if (a.rr[k].type != DNS_T_MX ||
			    strcasecmp(a.rr[k].text, c->o->helo) == 0)
				continue;
			if ((c->old_ip = first_addr(c, a.rr[k].text)) != NULL) {
				(void)qstr_catf(&src, "DNS: MX %s of %s",
				    a.rr[k].text, m->domains[i].name);
				if (c->old_helo == NULL &&
				    (c->old_helo = strdup(a.rr[k].text)) ==
				    NULL)
					c->err = QPM_ENOMEM;
			}
		}
		dns_answer_free(&a);
	}
	if (c->old_ip != NULL && (c->old_ip_src = strdup(qstr_str(&src))) ==
	    NULL)
		c->err = QPM_ENOMEM;
	cj_str(c, oh, "hostname", c->old_helo);
	cj_str(c, oh, "ip", c->old_ip);
	cj_str(c, oh, "ip_source", c->old_ip_src);
	qstr_free(&src);
}

/* ---- the new host ---- */

/* "192.0.2.10 (DNS: address of mail.example.com)" */
static void
old_who(struct cut_ctx *c, struct qstr *q)
{
	(void)qstr_catf(q, "%s (%s)", c->old_ip, c->old_ip_src);
}

static void
host_ptr(struct cut_ctx *c, json_t *h, struct iprev_result *ipr,
    struct iprev_result *oipr)
{
	const char *ip = c->o->ip, *helo = c->o->helo;
	char rev[128], *ev;
	struct qstr fix = QSTR_INIT(4096), oev = QSTR_INIT(4096);
	int known = 0;

	(void)cut_reverse_name(ip, rev, sizeof(rev));
	trace_begin(c);
	if (iprev_check(&c->dns, ip, ipr) < 0 || (c->old_ip != NULL &&
	    iprev_check(&c->dns, c->old_ip, oipr) < 0)) {
		c->err = QPM_ENOMEM;
		qstr_free(&oev);
		return;
	}
	ev = trace_take(c);
	if (c->old_ip != NULL) {
		known = oipr->result != IPREV_TEMPERROR;
		old_who(c, &oev);
		(void)qstr_catf(&oev, ": iprev %s%s%s",
		    iprev_res_str(oipr->result), oipr->confirmed ? ", PTR " :
		    "", oipr->confirmed ? oipr->confirmed : "");
	} else
		(void)qstr_cat(&oev, "address unknown (migration.json "
		    "old_host.ip is null and DNS names none)");
	cj_str(c, h, "iprev", iprev_res_str(ipr->result));
	cj_set(c, h, "ptr", strv_json(c, ipr->names, ipr->nnames));
	cj_str(c, h, "ptr_confirmed", ipr->confirmed);
	switch (ipr->result) {
	case IPREV_PASS:
		c->iprev_pass = 1;
		if ((c->ptr_name = strdup(ipr->confirmed)) == NULL)
			c->err = QPM_ENOMEM;
		cut_add(c, FIND_INFO, "host", ip, "ptr.ok", ev, NULL, 0,
		    "PTR of %s is %s, which resolves back to %s "
		    "(forward-confirmed, iprev pass)", ip, ipr->confirmed, ip);
		break;
	case IPREV_PERMERROR:
		(void)qstr_catf(&fix, "Ask whoever runs the reverse zone of %s "
		    "(the provider of the address) to publish:\n  %s. IN PTR "
		    "%s.", ip, rev, helo);
		cut_add(c, FIND_BLOCKER, "host", ip, "ptr.missing", ev,
		    qstr_str(&fix), 0, "No PTR record for %s: Gmail rejects "
		    "with 550 5.7.25, most receivers score or refuse mail "
		    "from an address without reverse DNS", ip);
		break;
	case IPREV_FAIL:
		(void)qstr_catf(&fix, "Publish the address for the PTR name:"
		    "\n  %s. IN %s %s\nor have the PTR changed to the HELO "
		    "name:\n  %s. IN PTR %s.", ipr->nnames ? ipr->names[0] :
		    helo, c->v6 ? "AAAA" : "A", ip, rev, helo);
		cut_add(c, FIND_BLOCKER, "host", ip, "ptr.no-fcrdns", ev,
		    qstr_str(&fix), 0, "PTR of %s names %s, which does not "
		    "resolve back to %s (no forward-confirmed reverse DNS): "
		    "Gmail rejects with 550 5.7.25", ip, ipr->nnames ?
		    ipr->names[0] : "?", ip);
		break;
	case IPREV_TEMPERROR:
		c->iprev_temp = 1;
		cut_add(c, FIND_BLOCKER, "host", ip, "ptr.temperror", ev,
		    "Make the DNS answer (check the server given with "
		    "--dns-server and the reverse zone's servers), then run "
		    "the report again.", 1, "Cannot verify the PTR of %s: "
		    "temporary DNS error%s%s", ip, ipr->reason ? " - " : "",
		    ipr->reason ? ipr->reason : "");
		break;
	}
	/* the new address needs its own PTR whatever the old one had */
	cut_vs_old(c, cut_old_cmp(known, oipr->result == ipr->result), 1,
	    qstr_str(&oev));
	free(ev);
	qstr_free(&fix);
	qstr_free(&oev);
}

/* The class of a HELO result: 1 not an FQDN, 2 resolves to the IP, 3 does
 * not, 0 temporary error. */
static int
helo_class(const struct helo_result *hr)
{
	if (!hr->fqdn && !hr->literal)
		return 1;
	if (hr->resolves == 1)
		return 2;
	return hr->resolves == 0 ? 3 : 0;
}

static void
host_helo(struct cut_ctx *c, json_t *h, const struct iprev_result *ipr,
    const struct iprev_result *oipr)
{
	const char *ip = c->o->ip, *helo = c->o->helo;
	struct helo_result hr, ohr;
	struct qstr fix = QSTR_INIT(4096), oev = QSTR_INIT(4096);
	char *ev;
	int known = 0;

	memset(&hr, 0, sizeof(hr));
	memset(&ohr, 0, sizeof(ohr));
	trace_begin(c);
	if (helo_check(&c->dns, helo, ip, ipr, &hr) < 0 ||
	    (c->old_ip != NULL && c->old_helo != NULL &&
	    helo_check(&c->dns, c->old_helo, c->old_ip, oipr, &ohr) < 0)) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	ev = trace_take(c);
	if (c->old_ip != NULL && c->old_helo != NULL) {
		known = helo_class(&ohr) != 0;
		(void)qstr_catf(&oev, "HELO %s from ", c->old_helo);
		old_who(c, &oev);
		(void)qstr_catf(&oev, ": %s", helo_class(&ohr) == 1 ? "not a "
		    "fully qualified name" : helo_class(&ohr) == 2 ?
		    "resolves to the old address" : helo_class(&ohr) == 3 ?
		    "does not resolve to the old address" : "temporary DNS "
		    "error");
		if (ohr.resolves == 1)
			(void)qstr_catf(&oev, ", %s the PTR name",
			    ohr.matches_ptr ? "equals" : "is not");
	} else
		(void)qstr_cat(&oev, "name or address unknown");
	cj_bool(c, h, "helo_fqdn", hr.fqdn == 1);
	cj_int(c, h, "helo_resolves", hr.resolves);
	cj_int(c, h, "helo_matches_ptr", hr.matches_ptr);
	(void)qstr_catf(&fix, "Publish:\n  %s. IN %s %s", helo,
	    c->v6 ? "AAAA" : "A", ip);
	if (c->ptr_name != NULL && strcasecmp(c->ptr_name, helo) != 0)
		(void)qstr_catf(&fix, "\nor use the PTR name as HELO:\n  "
		    "postconf -e 'smtp_helo_name = %s'", c->ptr_name);
	if (!hr.fqdn && !hr.literal) {
		cut_add(c, FIND_BLOCKER, "host", helo, "helo.not-fqdn", ev,
		    qstr_str(&fix), 0, "HELO name %s is not a fully qualified "
		    "domain name (RFC 5321 4.1.1.1): many receivers refuse it",
		    helo);
	} else if (hr.resolves == 1) {
		c->helo_ok = 1;
		cut_add(c, FIND_INFO, "host", helo, "helo.ok", ev, NULL, 0,
		    "HELO name %s resolves to %s", helo, ip);
	} else if (hr.resolves == 0) {
		cut_add(c, FIND_BLOCKER, "host", helo, "helo.mismatch", ev,
		    qstr_str(&fix), 0, "HELO name %s %s %s: receivers that "
		    "check HELO (reject_unknown_helo_hostname, \"my name was "
		    "rejected\") refuse the new host", helo, hr.exists == 1 ?
		    "resolves, but not to" : "has no address record, so not",
		    ip);
	} else {
		cut_add(c, FIND_WARNING, "host", helo, "helo.temperror", ev,
		    "Make the DNS answer, then run the report again.", 1,
		    "Cannot verify that HELO name %s resolves to %s: "
		    "temporary DNS error", helo, ip);
	}
	/* the new name must resolve to the new address: the switch needs it */
	cut_vs_old(c, cut_old_cmp(known, helo_class(&ohr) == helo_class(&hr)),
	    1, qstr_str(&oev));
	if (hr.resolves == 1 && hr.matches_ptr == 0 && c->ptr_name != NULL) {
		qstr_reset(&fix);
		(void)qstr_catf(&fix, "postconf -e 'smtp_helo_name = %s'\nor "
		    "have the PTR of %s changed to %s", c->ptr_name, ip, helo);
		cut_add(c, FIND_WARNING, "host", helo, "helo.ptr-differs", ev,
		    qstr_str(&fix), 0, "HELO name %s is not the PTR name %s: "
		    "RFC 5321 forbids refusing for that alone, but spam "
		    "filters score it", helo, c->ptr_name);
		cut_vs_old(c, cut_old_cmp(known && ohr.resolves == 1,
		    ohr.matches_ptr == 0), 0, qstr_str(&oev));
	}
	free(ev);
out:
	helo_result_free(&hr);
	helo_result_free(&ohr);
	qstr_free(&fix);
	qstr_free(&oev);
}

/* The HELO Postfix will really use: smtp_helo_name from the migration
 * (default $myhostname). */
static void
host_helo_config(struct cut_ctx *c, json_t *h)
{
	const char *v = cut_mig_setting(c->m, "smtp_helo_name");
	const char *mh = cut_mig_setting(c->m, "myhostname");
	const char *src = NULL, *eff;
	struct qstr ev = QSTR_INIT(4096), fix = QSTR_INIT(4096);
	size_t i;

	if (mh == NULL)
		mh = c->m->new_hostname;
	for (i = 0; i < c->m->nsettings; i++)
		if (strcmp(c->m->settings[i].param, "smtp_helo_name") == 0)
			src = c->m->settings[i].source;
	eff = v;
	if (v == NULL || strcmp(v, "$myhostname") == 0 ||
	    strcmp(v, "${myhostname}") == 0)
		eff = mh;
	cj_str(c, h, "config_helo", eff);
	if (eff == NULL || strcasecmp(eff, c->o->helo) == 0)
		goto out;
	if (v != NULL) {
		(void)qstr_catf(&ev, "%s settings: smtp_helo_name = %s", c->m->path,
		    v);
		if (src != NULL)
			(void)qstr_catf(&ev, " (from %s)", src);
		(void)qstr_catf(&fix, "postconf -c OUT/postfix -e "
		    "'smtp_helo_name = %s'\n(the old host's name came from %s; "
		    "the new host must say its own name)", c->o->helo,
		    src != NULL ? src : "the migration");
		cut_add(c, FIND_BLOCKER, "host", c->o->helo, "helo.config",
		    qstr_str(&ev), qstr_str(&fix), 0, "The generated main.cf "
		    "makes the new host say HELO %s, not %s: that name does not "
		    "belong to %s", v, c->o->helo, c->o->ip);
	} else {
		(void)qstr_catf(&ev, "%s new_host.hostname = %s", c->m->path,
		    mh);
		(void)qstr_catf(&fix, "postconf -c OUT/postfix -e "
		    "'smtp_helo_name = %s'", c->o->helo);
		cut_add(c, FIND_WARNING, "host", c->o->helo, "helo.config",
		    qstr_str(&ev), qstr_str(&fix), 0, "The migration was made "
		    "for host name %s, but the report checks HELO %s", mh,
		    c->o->helo);
	}
out:
	if (c->m->new_ip != NULL && !same_ip(c->m->new_ip, c->o->ip)) {
		qstr_reset(&ev);
		(void)qstr_catf(&ev, "%s new_host.ip = %s", c->m->path,
		    c->m->new_ip);
		cut_add(c, FIND_WARNING, "host", c->o->ip, "host.ip-differs",
		    qstr_str(&ev), "Run qmail2postfix again with the right "
		    "--ip, or check --ip of this report.", 0, "The migration "
		    "was made for IP %s, the report checks %s", c->m->new_ip,
		    c->o->ip);
	}
	qstr_free(&ev);
	qstr_free(&fix);
}

static void
host_helo_spf(struct cut_ctx *c, json_t *h)
{
	struct spf_result r, o;
	struct qstr fix = QSTR_INIT(1024), oev = QSTR_INIT(1024);
	char *ev;
	int known = 0;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	trace_begin(c);
	if (spf_check(ar_ctx_spf(c->ar), c->o->ip, c->o->helo, "",
	    SPF_ID_HELO, &r) < 0 || (c->old_ip != NULL && c->old_helo != NULL
	    && spf_check(ar_ctx_spf(c->ar), c->old_ip, c->old_helo, "",
	    SPF_ID_HELO, &o) < 0)) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	ev = trace_take(c);
	if (c->old_ip != NULL && c->old_helo != NULL) {
		known = o.result != SPF_R_TEMPERROR;
		(void)qstr_catf(&oev, "SPF of the HELO identity %s for ",
		    c->old_helo);
		old_who(c, &oev);
		(void)qstr_catf(&oev, ": %s", spf_res_str(o.result));
	} else
		(void)qstr_cat(&oev, "name or address unknown");
	cj_str(c, h, "helo_spf", spf_res_str(r.result));
	(void)qstr_cat(&fix, "Publish:\n  ");
	(void)cut_txt_record(&fix, c->o->helo, "v=spf1 a -all");
	switch (r.result) {
	case SPF_R_PASS:
		cut_add(c, FIND_INFO, "host", c->o->helo, "spf.helo", ev, NULL,
		    0, "SPF for the HELO identity %s passes", c->o->helo);
		break;
	case SPF_R_NONE:
		cut_add(c, FIND_INFO, "host", c->o->helo, "spf.helo", ev,
		    qstr_str(&fix), 0, "No SPF record for the HELO name %s: "
		    "bounces (null sender) are checked against it "
		    "(RFC 7208 2.4)", c->o->helo);
		break;
	case SPF_R_TEMPERROR:
		cut_add(c, FIND_WARNING, "host", c->o->helo, "spf.helo", ev,
		    "Make the DNS answer, then run the report again.", 1,
		    "Cannot verify SPF for the HELO identity %s: SPF temperror "
		    "(temporary DNS error)", c->o->helo);
		break;
	default:
		cut_add(c, FIND_WARNING, "host", c->o->helo, "spf.helo", ev,
		    qstr_str(&fix), 0, "SPF for the HELO identity %s gives "
		    "%s for %s: bounces the new host sends (null sender) get "
		    "that result", c->o->helo, cut_spf_words(r.result),
		    c->o->ip);
		break;
	}
	cut_vs_old(c, cut_old_cmp(known, o.result == r.result), 0,
	    qstr_str(&oev));
	free(ev);
out:
	spf_result_free(&r);
	spf_result_free(&o);
	qstr_free(&fix);
	qstr_free(&oev);
}



void
cut_check_host(struct cut_ctx *c)
{
	json_t *h = json_object();
	struct iprev_result ipr, oipr;

	if (h == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	memset(&ipr, 0, sizeof(ipr));
	memset(&oipr, 0, sizeof(oipr));
	cj_set(c, c->doc, "host", h);
	cj_str(c, h, "ip", c->o->ip);
	cj_str(c, h, "helo", c->o->helo);
	old_host_find(c);
	host_ptr(c, h, &ipr, &oipr);
	host_helo(c, h, &ipr, &oipr);
	host_helo_config(c, h);
	host_helo_spf(c, h);
	iprev_result_free(&ipr);
	iprev_result_free(&oipr);
}

/* ---- domains: MX ---- */

static void
addr_list(struct cut_ctx *c, const char *host, json_t *addrs, int *temp,
    int *is_new)
{
	static const int types[] = { DNS_T_A, DNS_T_AAAA };
	struct dns_answer a;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		memset(&a, 0, sizeof(a));
		(void)dns_query(&c->dns, host, types[k], &a);
		if (a.status == DNS_TEMPFAIL || a.status == DNS_PERMFAIL)
			*temp = 1;
		for (i = 0; a.status == DNS_OK && i < a.n; i++) {
			if (a.rr[i].type != types[k])
				continue;
			cj_append(c, addrs, json_string(a.rr[i].text));
			if (same_ip(a.rr[i].text, c->o->ip))
				*is_new = 1;
		}
		dns_answer_free(&a);
	}
}

static void
domain_mx(struct cut_ctx *c, struct cut_domain_state *s, json_t *dj)
{
	const char *d = s->d->name, *helo = c->o->helo;
	struct dns_answer a;
	json_t *mx = json_object(), *recs = json_array();
	struct qstr fix = QSTR_INIT(4096);
	size_t i;
	int temp = 0, is_new = 0, noaddr = 0, old_named = 0;
	unsigned old_pref = 10;
	char *ev;

	if (mx == NULL || recs == NULL) {
		json_decref(mx);
		json_decref(recs);
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, dj, "mx", mx);
	cj_set(c, mx, "records", recs);
	memset(&a, 0, sizeof(a));
	trace_begin(c);
	(void)dns_query(&c->dns, d, DNS_T_MX, &a);
	cj_str(c, mx, "status", dns_status_str(a.status));
	for (i = 0; a.status == DNS_OK && i < a.n; i++) {
		json_t *r = json_object(), *addrs = json_array();
		int one_new = 0, one_temp = 0;

		if (r == NULL || addrs == NULL) {
			json_decref(r);
			json_decref(addrs);
			c->err = QPM_ENOMEM;
			break;
		}
		if (a.rr[i].type != DNS_T_MX)
			continue;
		cj_int(c, r, "preference", a.rr[i].pref);
		cj_str(c, r, "host", a.rr[i].text);
		addr_list(c, a.rr[i].text, addrs, &one_temp, &one_new);
		if (json_array_size(addrs) == 0 && !one_temp)
			noaddr++;
		temp |= one_temp;
		is_new |= one_new;
		if (c->m->old_hostname != NULL &&
		    strcasecmp(a.rr[i].text, c->m->old_hostname) == 0) {
			old_named = 1;
			old_pref = a.rr[i].pref;
		}
		cj_set(c, r, "addresses", addrs);
		cj_append(c, recs, r);
	}
	cj_bool(c, mx, "points_to_new_host", is_new);
	ev = trace_take(c);
	switch (a.status) {
	case DNS_OK:
		if (is_new) {
			cut_add(c, FIND_INFO, "domain", d, "mx.new-host", ev, NULL,
			    0, "MX of %s already reaches the new host %s", d,
			    c->o->ip);
		} else if (strcmp(s->d->kind, "relay") == 0) {
			(void)qstr_catf(&fix, "At the cutover replace the old "
			    "host's MX record of %s by:\n  %s. IN MX %u %s.", d,
			    d, old_pref, helo);
			cut_add(c, FIND_INFO, "domain", d, "mx.backup", ev,
			    old_named ? qstr_str(&fix) : NULL, 0, "%s is a "
			    "domain the old host relays for (backup MX)%s", d,
			    old_named ? ": its MX record naming the old host "
			    "moves to the new host" : "; none of its MX records "
			    "names the old host");
		} else {
			(void)qstr_catf(&fix, "At the cutover publish:\n  %s. IN "
			    "MX 10 %s.\n(and remove the old MX records)", d, helo);
			if (old_named)
				(void)qstr_catf(&fix, "\nor move the old name:\n  "
				    "%s. IN %s %s", c->m->old_hostname,
				    c->v6 ? "AAAA" : "A", c->o->ip);
			cut_add(c, FIND_INFO, "domain", d, "mx.switch", ev,
			    qstr_str(&fix), 0, "MX of %s points to the old host "
			    "(%s): this is the switch the cutover makes", d,
			    a.n > 0 && a.rr[0].text ? a.rr[0].text : "?");
		}
		if (noaddr > 0)
			cut_add(c, FIND_WARNING, "domain", d, "mx.no-address", ev,
			    "Publish an A/AAAA record for every MX host, or "
			    "remove the MX record.", 0, "%zu MX host(s) of %s "
			    "have no address record: senders skip them",
			    (size_t)noaddr, d);
		if (noaddr > 0)
			cut_vs_old(c, FIND_OLD_SAME, 0,
			    "the same DNS serves it today");
		if (temp)
			cut_add(c, FIND_WARNING, "domain", d, "mx.temperror", ev,
			    "Make the DNS answer, then run the report again.",
			    1, "Cannot resolve every MX host of %s: temporary "
			    "DNS error", d);
		if (temp)
			cut_vs_old(c, FIND_OLD_UNKNOWN, 0, NULL);
		break;
	case DNS_NODATA:
		(void)qstr_catf(&fix, "Publish:\n  %s. IN MX 10 %s.", d, helo);
		cut_add(c, FIND_WARNING, "domain", d, "mx.missing", ev,
		    qstr_str(&fix), 0, "%s has no MX record: senders fall back "
		    "to its address record (RFC 5321 5.1)", d);
		cut_vs_old(c, FIND_OLD_SAME, 0, "the same DNS serves it today");
		break;
	case DNS_NXDOMAIN:
		(void)qstr_catf(&fix, "Publish the zone of %s with:\n  %s. IN "
		    "MX 10 %s.", d, d, helo);
		cut_add(c, FIND_BLOCKER, "domain", d, "domain.nxdomain", ev,
		    qstr_str(&fix), 0, "%s does not exist in DNS (NXDOMAIN): "
		    "no mail reaches it", d);
		cut_vs_old(c, FIND_OLD_SAME, 0, "the same DNS serves it today");
		break;
	default:
		cut_add(c, FIND_WARNING, "domain", d, "mx.temperror", ev,
		    "Make the DNS answer, then run the report again.", 1,
		    "Cannot verify the MX of %s: temporary DNS error%s%s", d,
		    a.why ? " - " : "", a.why ? a.why : "");
		cut_vs_old(c, FIND_OLD_UNKNOWN, 0, NULL);
		break;
	}
	free(ev);
	dns_answer_free(&a);
	qstr_free(&fix);
}

/* ---- domains: SPF ---- */

/* The domain's SPF record text (the first "v=spf1" TXT), or NULL. */
static char *
spf_record(struct cut_ctx *c, const char *d)
{
	struct dns_answer a;
	char *rec = NULL;
	size_t i;

	memset(&a, 0, sizeof(a));
	(void)dns_query(&c->dns, d, DNS_T_TXT, &a);
	for (i = 0; a.status == DNS_OK && i < a.n && rec == NULL; i++) {
		const struct dns_rr *rr = &a.rr[i];

		if (rr->type == DNS_T_TXT && rr->textlen >= 6 &&
		    strncasecmp(rr->text, "v=spf1", 6) == 0 &&
		    (rr->textlen == 6 || rr->text[6] == ' ') &&
		    memchr(rr->text, '\0', rr->textlen) == NULL)
			rec = strdup(rr->text);
	}
	dns_answer_free(&a);
	return rec;
}

/* "v=spf1 -all" and the like: the record authorizes nothing. */
static int
spf_receive_only(const char *rec)
{
	const char *p = rec + 6, *e;
	size_t n;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 1;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		if (!(n == 4 && strncasecmp(p, "-all", 4) == 0) &&
		    memchr(p, '=', n) == NULL)
			return 0;
		if (memchr(p, '=', n) != NULL && n > 9 &&
		    strncasecmp(p, "redirect=", 9) == 0)
			return 0;
		p = e;
	}
}

static void
spf_fixed_record(struct cut_ctx *c, struct qstr *fix, const char *d,
    const char *rec)
{
	struct qstr r = QSTR_INIT(4096);
	const char *mech = c->v6 ? "ip6" : "ip4";

	if (rec != NULL) {
		/* the new address first, and only once */
		struct qstr term = QSTR_INIT(256);
		const char *p = rec + 6, *e;

		(void)qstr_catf(&term, "%s:%s", mech, c->o->ip);
		(void)qstr_catf(&r, "v=spf1 %s", qstr_str(&term));
		while (*p != '\0') {
			while (*p == ' ')
				p++;
			e = p + strcspn(p, " ");
			if (e > p && !((size_t)(e - p) == term.len &&
			    strncasecmp(p, qstr_str(&term), term.len) == 0))
				(void)qstr_catf(&r, " %.*s", (int)(e - p), p);
			p = e;
		}
		qstr_free(&term);
	}
	else if (c->m->old_ip != NULL)
		(void)qstr_catf(&r, "v=spf1 %s:%s ip4:%s -all", mech, c->o->ip,
		    c->m->old_ip);
	else
		(void)qstr_catf(&r, "v=spf1 %s:%s -all", mech, c->o->ip);
	(void)qstr_cat(fix, "  ");
	(void)cut_txt_record(fix, d, qstr_str(&r));
	qstr_free(&r);
}

static void
domain_spf(struct cut_ctx *c, struct cut_domain_state *s, json_t *dj)
{
	const char *d = s->d->name, *ip = c->o->ip, *myorigin;
	struct spf_result r, o;
	struct qstr fix = QSTR_INIT(4096), from = QSTR_INIT(512),
	    oev = QSTR_INIT(1024);
	json_t *sj = json_object();
	char *ev, *rec;
	int known = 0, required = 0;

	if (sj == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, dj, "spf", sj);
	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	(void)qstr_catf(&from, "postmaster@%s", d);
	trace_begin(c);
	rec = spf_record(c, d);
	if (spf_check(ar_ctx_spf(c->ar), ip, c->o->helo, qstr_str(&from),
	    SPF_ID_MAILFROM, &r) < 0 || (c->old_ip != NULL &&
	    spf_check(ar_ctx_spf(c->ar), c->old_ip, c->old_helo != NULL ?
	    c->old_helo : c->old_ip, qstr_str(&from), SPF_ID_MAILFROM,
	    &o) < 0)) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	ev = trace_take(c);
	if (c->old_ip != NULL) {
		known = o.result != SPF_R_TEMPERROR;
		s->old_spf = (int)o.result;
		(void)qstr_catf(&oev, "SPF of %s for ", d);
		old_who(c, &oev);
		(void)qstr_catf(&oev, ": %s", spf_res_str(o.result));
	} else
		(void)qstr_cat(&oev, "address unknown");
	cj_str(c, sj, "record", rec);
	cj_str(c, sj, "result", spf_res_str(r.result));
	cj_str(c, sj, "mechanism", r.mechanism);
	cj_int(c, sj, "lookups", r.lookups);
	cj_int(c, sj, "lookup_limit", QPM_SPF_MAX_LOOKUPS);
	cj_int(c, sj, "void_lookups", r.void_lookups);
	cj_int(c, sj, "void_limit", QPM_SPF_MAX_VOID);
	cj_str(c, sj, "problem", r.problem);
	s->spf_pass = r.result == SPF_R_PASS;
	s->spf_none = r.result == SPF_R_NONE;
	s->spf_temp = r.result == SPF_R_TEMPERROR;
	s->receive_only = rec != NULL && spf_receive_only(rec);
	/* nothing the new host sends leaves as d: not SRS, not myorigin */
	myorigin = cut_mig_setting(c->m, "myorigin");
	s->no_mail = s->receive_only && strcasecmp(d, c->srs_domain) != 0 &&
	    (myorigin == NULL || strcasecmp(d, myorigin) != 0);
	switch (r.result) {
	case SPF_R_PASS:
		cut_add(c, FIND_INFO, "domain", d, "spf.pass", ev, NULL, 0,
		    "SPF of %s authorizes %s (%s; %u of %d DNS lookups, %u of "
		    "%d void lookups)", d, ip, r.mechanism ? r.mechanism : "?",
		    r.lookups, QPM_SPF_MAX_LOOKUPS, r.void_lookups,
		    QPM_SPF_MAX_VOID);
		break;
	case SPF_R_FAIL:
	case SPF_R_SOFTFAIL:
	case SPF_R_NEUTRAL:
		if (s->receive_only) {
			cut_add(c, FIND_INFO, "domain", d, "spf.no-mail", ev,
			    NULL, 0, "%s declares that it sends no mail (%s): "
			    "the new host must not send as %s", d, rec, d);
			break;
		}
		(void)qstr_catf(&fix, "Publish (the new address first, the old "
		    "terms kept for the switch-over):\n");
		spf_fixed_record(c, &fix, d, rec);
		cut_add(c, FIND_BLOCKER, "domain", d, "spf.new-ip", ev,
		    qstr_str(&fix), 0, "SPF of %s does not authorize %s "
		    "(by %s; %u of %d DNS lookups): mail the new host sends as "
		    "%s gets SPF %s", d, ip, r.mechanism ? r.mechanism :
		    "default", r.lookups, QPM_SPF_MAX_LOOKUPS, d,
		    cut_spf_words(r.result));
		/* the new address is the switch's own need */
		required = 1;
		break;
	case SPF_R_NONE:
		(void)qstr_cat(&fix, "Publish:\n");
		spf_fixed_record(c, &fix, d, NULL);
		cut_add(c, FIND_WARNING, "domain", d, "spf.none", ev,
		    qstr_str(&fix), 0, "%s has no SPF record: mail from it "
		    "gets SPF %s; Gmail wants SPF or DKIM from every sender, "
		    "and DMARC can only pass through DKIM", d,
		    cut_spf_words(r.result));
		break;
	case SPF_R_PERMERROR:
		if (r.lookups > QPM_SPF_MAX_LOOKUPS ||
		    r.void_lookups > QPM_SPF_MAX_VOID) {
			(void)qstr_catf(&fix, "Replace include:, a, mx, ptr and "
			    "exists terms by ip4:/ip6: ranges until at most %d "
			    "DNS lookups and %d void lookups remain, with the "
			    "new address first:\n", QPM_SPF_MAX_LOOKUPS,
			    QPM_SPF_MAX_VOID);
			spf_fixed_record(c, &fix, d, rec);
			cut_add(c, FIND_BLOCKER, "domain", d, "spf.limits", ev,
			    qstr_str(&fix), 0, "SPF of %s exceeds RFC 7208 "
			    "4.6.4 limits (%u DNS lookups, limit %d; %u void "
			    "lookups, limit %d): mail from %s gets SPF %s", d,
			    r.lookups, QPM_SPF_MAX_LOOKUPS, r.void_lookups,
			    QPM_SPF_MAX_VOID, ip, cut_spf_words(r.result));
		} else {
			(void)qstr_cat(&fix, "Correct the record; for example:\n");
			spf_fixed_record(c, &fix, d, NULL);
			cut_add(c, FIND_BLOCKER, "domain", d, "spf.permerror", ev,
			    qstr_str(&fix), 0, "SPF of %s is broken (%s): mail "
			    "from %s gets SPF %s", d, r.problem ? r.problem :
			    "?", ip, cut_spf_words(r.result));
		}
		break;
	case SPF_R_TEMPERROR:
		cut_add(c, FIND_BLOCKER, "domain", d, "spf.temperror", ev,
		    "Make the DNS answer (check --dns-server and the zone's "
		    "servers), then run the report again.", 1, "Cannot verify "
		    "that SPF of %s authorizes %s: SPF temperror (temporary "
		    "DNS error)%s%s", d,
		    ip, r.problem ? " - " : "", r.problem ? r.problem : "");
		required = 1;
		break;
	}
	cut_vs_old(c, cut_old_cmp(known, o.result == r.result), required,
	    qstr_str(&oev));
	free(ev);
out:
	free(rec);
	spf_result_free(&r);
	spf_result_free(&o);
	qstr_free(&fix);
	qstr_free(&from);
	qstr_free(&oev);
}

/* ---- domains: DMARC ---- */

static json_t *
dmarc_json(struct cut_ctx *c, const struct dmarc_result *r)
{
	json_t *o = json_object();

	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return NULL;
	}
	cj_str(c, o, "result", dmarc_res_str(r->result));
	cj_str(c, o, "policy_domain", r->policy_domain);
	cj_str(c, o, "org_domain", r->org_domain);
	cj_str(c, o, "policy_tag", r->policy_tag);
	cj_str(c, o, "published", r->published ?
	    dmarc_policy_str(r->published) : NULL);
	cj_str(c, o, "applied", r->policy ? dmarc_policy_str(r->policy) :
	    NULL);
	cj_bool(c, o, "spf_aligned", r->spf_aligned);
	cj_bool(c, o, "dkim_aligned", r->dkim_aligned);
	if (r->result != DMARC_R_NONE && r->result != DMARC_R_TEMPERROR) {
		cj_str(c, o, "p", r->rec.p ? dmarc_policy_str(r->rec.p) : NULL);
		cj_str(c, o, "sp", r->rec.sp ? dmarc_policy_str(r->rec.sp) :
		    NULL);
		cj_str(c, o, "np", r->rec.np ? dmarc_policy_str(r->rec.np) :
		    NULL);
		cj_int(c, o, "pct", r->rec.pct);
		cj_bool(c, o, "testing", r->rec.t == 'y');
	}
	cj_str(c, o, "reason", r->reason);
	return o;
}

static void
domain_dmarc(struct cut_ctx *c, struct cut_domain_state *s, json_t *dj)
{
	const char *d = s->d->name;
	const char *author[1];
	struct dmarc_ident dk;
	struct dmarc_in in;
	struct dmarc_result r9, r7;
	json_t *o = json_object();
	struct qstr fix = QSTR_INIT(2048), rec = QSTR_INIT(512);
	char *ev;

	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, dj, "dmarc", o);
	memset(&in, 0, sizeof(in));
	memset(&r9, 0, sizeof(r9));
	memset(&r7, 0, sizeof(r7));
	author[0] = d;
	in.from_fields = 1;
	in.author = author;
	in.nauthor = 1;
	/* mail the new host sends as d: MAIL FROM in d, signed by d */
	in.spf.domain = d;
	in.spf.pass = s->spf_pass;
	in.spf.temperror = s->spf_temp;
	dk.domain = d;
	dk.pass = 1;
	dk.temperror = 0;
	in.dkim = &dk;
	in.ndkim = s->dkim_pass ? 1 : 0;
	trace_begin(c);
	if (dmarc_eval(ar_ctx_dmarc(c->ar), DMARC_RFC9989, &in, &r9) < 0 ||
	    dmarc_eval(ar_ctx_dmarc(c->ar), DMARC_RFC7489, &in, &r7) < 0) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	ev = trace_take(c);
	cj_set(c, o, "rfc9989", dmarc_json(c, &r9));
	cj_set(c, o, "rfc7489", dmarc_json(c, &r7));
	switch (r9.result) {
	case DMARC_R_NONE:
		(void)qstr_catf(&rec, "v=DMARC1; p=none; rua=mailto:"
		    "postmaster@%s", d);
		(void)qstr_cat(&fix, "Publish (monitoring first, then "
		    "quarantine/reject):\n  ");
		{
			struct qstr own = QSTR_INIT(512);

			(void)qstr_catf(&own, "_dmarc.%s", d);
			(void)cut_txt_record(&fix, qstr_str(&own),
			    qstr_str(&rec));
			qstr_free(&own);
		}
		cut_add(c, FIND_INFO, "domain", d, "dmarc.none", ev,
		    qstr_str(&fix), 0, "%s has no DMARC record (RFC 9989 tree "
		    "walk and RFC 7489 both): Gmail and Outlook want one from "
		    "senders of more than 5000 messages a day", d);
		break;
	case DMARC_R_PASS:
		s->dmarc_pass = 1;
		cut_add(c, FIND_INFO, "domain", d, "dmarc.pass", ev, NULL, 0,
		    "Mail the new host sends as %s passes DMARC (%s%s%s; "
		    "policy %s=%s at %s)", d, r9.spf_aligned ? "SPF aligned" :
		    "", r9.spf_aligned && r9.dkim_aligned ? ", " : "",
		    r9.dkim_aligned ? "DKIM aligned" : "", r9.policy_tag ?
		    r9.policy_tag : "p", dmarc_policy_str(r9.published),
		    r9.policy_domain ? r9.policy_domain : d);
		break;
	case DMARC_R_FAIL:
		s->dmarc_fail = 1;
		if (s->receive_only) {
			cut_add(c, FIND_INFO, "domain", d, "dmarc.no-mail", ev,
			    NULL, 0, "%s sends no mail; its DMARC policy %s "
			    "makes receivers refuse forged mail", d,
			    dmarc_policy_str(r9.published));
			break;
		}
		cut_add(c, r9.published == DMARC_P_NONE ? FIND_WARNING :
		    FIND_BLOCKER, "domain", d, "dmarc.fail", ev, "Fix SPF (the "
		    "new IP) or DKIM (the new host's key) of this domain: "
		    "either one aligned and passing is enough.", 0, "Mail the "
		    "new host sends as %s would fail DMARC (no aligned SPF or "
		    "DKIM pass); %s=%s: receivers %s it", d, r9.policy_tag ?
		    r9.policy_tag : "p", dmarc_policy_str(r9.published),
		    r9.policy == DMARC_P_REJECT ? "reject" :
		    r9.policy == DMARC_P_QUARANTINE ? "quarantine" :
		    "deliver, unprotected,");
		break;
	case DMARC_R_TEMPERROR:
		cut_add(c, FIND_WARNING, "domain", d, "dmarc.temperror", ev,
		    "Make the DNS answer, then run the report again.", 1,
		    "Cannot find the DMARC policy of %s: temporary DNS error",
		    d);
		break;
	case DMARC_R_PERMERROR:
		cut_add(c, FIND_WARNING, "domain", d, "dmarc.permerror", ev,
		    NULL, 0, "DMARC of %s cannot be evaluated: %s", d,
		    r9.reason ? r9.reason : "permerror");
		break;
	}
	/* the old host's DKIM keys are unknown (migration.json does not
	 * read them): only its SPF pass tells that its mail passed */
	switch (r9.result) {
	case DMARC_R_NONE:
	case DMARC_R_PERMERROR:
		cut_vs_old(c, FIND_OLD_SAME, 0, "the same DMARC record");
		break;
	case DMARC_R_PASS:
	case DMARC_R_FAIL:
		cut_vs_old(c, s->old_spf == SPF_R_PASS ? (r9.result ==
		    DMARC_R_PASS ? FIND_OLD_SAME : FIND_OLD_DIFFERS) :
		    FIND_OLD_UNKNOWN, 0, s->old_spf == SPF_R_PASS ? "SPF "
		    "passes, aligned: DMARC passes" : "its DKIM signing is not "
		    "known");
		break;
	case DMARC_R_TEMPERROR:
		cut_vs_old(c, FIND_OLD_UNKNOWN, 0, NULL);
		break;
	}
	if (r9.result != DMARC_R_NONE && r9.result != DMARC_R_TEMPERROR &&
	    r9.rec.pct >= 0 && r9.rec.pct != 100)
		cut_add(c, FIND_INFO, "domain", d, "dmarc.pct", ev, NULL, 0,
		    "DMARC of %s has pct=%d: historic under RFC 9989 (receivers "
		    "following it apply the policy to all failing mail), "
		    "sampled under RFC 7489", d, r9.rec.pct);
	if (r9.result != r7.result || r9.policy != r7.policy ||
	    (r9.policy_domain && r7.policy_domain &&
	    strcmp(r9.policy_domain, r7.policy_domain) != 0))
		cut_add(c, FIND_INFO, "domain", d, "dmarc.rfc-differ", ev, NULL,
		    0, "DMARC of %s: RFC 9989 gives %s (%s at %s), RFC 7489 "
		    "gives %s (%s at %s)", d, dmarc_res_str(r9.result),
		    dmarc_policy_str(r9.policy), r9.policy_domain ?
		    r9.policy_domain : "-", dmarc_res_str(r7.result),
		    dmarc_policy_str(r7.policy), r7.policy_domain ?
		    r7.policy_domain : "-");
	free(ev);
out:
	dmarc_result_free(&r9);
	dmarc_result_free(&r7);
	qstr_free(&fix);
	qstr_free(&rec);
}

static int
domain_checked(const struct cut_domain *d)
{
	return strcmp(d->kind, "mailbox") == 0 ||
	    strcmp(d->kind, "alias") == 0 || strcmp(d->kind, "relay") == 0;
}

void
cut_check_domains(struct cut_ctx *c)
{
	json_t *arr = json_array();
	size_t i, n = 0;

	if (arr == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "domains", arr);
	if (c->m->ndomains > 0 &&
	    (c->ds = calloc(c->m->ndomains, sizeof(*c->ds))) == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	for (i = 0; i < c->m->ndomains && c->err == 0; i++) {
		const struct cut_domain *d = &c->m->domains[i];
		struct cut_domain_state *s;
		json_t *dj;

		if (!domain_checked(d))
			continue;
		s = &c->ds[n++];
		c->nds = n;
		s->d = d;
		if ((dj = json_object()) == NULL) {
			c->err = QPM_ENOMEM;
			return;
		}
		cj_append(c, arr, dj);
		s->json = dj;
		cj_str(c, dj, "name", d->name);
		cj_str(c, dj, "kind", d->kind);
		cj_str(c, dj, "alias_of", d->alias_of);
		domain_mx(c, s, dj);
		if (strcmp(d->kind, "relay") == 0)
			continue;	/* backup MX: we never send as it */
		domain_spf(c, s, dj);
		cut_check_dkim(c, s, dj);
		domain_dmarc(c, s, dj);
	}
}

/* ---- what the big receivers would do ---- */

static void
receiver(struct cut_ctx *c, json_t *a, const char *name, const char *verdict,
    const char *why)
{
	json_t *o = json_object();

	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_str(c, o, "receiver", name);
	cj_str(c, o, "verdict", verdict);
	cj_str(c, o, "why", why);
	cj_append(c, a, o);
}

void
cut_check_receivers(struct cut_ctx *c)
{
	json_t *h = json_object_get(c->doc, "host"), *a = json_array();
	struct qstr w = QSTR_INIT(4096);
	size_t i, noauth = 0, nodmarc = 0, sending = 0;
	const char *first_noauth = NULL;

	if (h == NULL || a == NULL) {
		json_decref(a);
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, h, "receivers", a);
	for (i = 0; i < c->nds; i++) {
		const struct cut_domain_state *s = &c->ds[i];

		if (strcmp(s->d->kind, "relay") == 0 || s->receive_only)
			continue;
		sending++;
		if (!s->spf_pass && !s->dkim_pass) {
			noauth++;
			if (first_noauth == NULL)
				first_noauth = s->d->name;
		}
		if (!(s->spf_pass && s->dkim_pass && s->dmarc_pass))
			nodmarc++;
	}
	/* Gmail, 2024 sender guidelines, all senders */
	if (c->iprev_temp)
		receiver(c, a, "Gmail", "unknown", "the PTR of the new IP "
		    "could not be verified (temporary DNS error)");
	else if (!c->iprev_pass)
		receiver(c, a, "Gmail", "reject", "no forward-confirmed PTR: "
		    "550 5.7.25");
	else if (noauth > 0) {
		(void)qstr_catf(&w, "%zu domain(s) pass neither SPF nor DKIM "
		    "from the new host (first: %s): 550 5.7.26", noauth,
		    first_noauth);
		receiver(c, a, "Gmail", "reject", qstr_str(&w));
	} else
		receiver(c, a, "Gmail", "accept", "forward-confirmed PTR; "
		    "every sending domain passes SPF or DKIM");
	/* Outlook.com, May 2025: more than 5000 a day need all three */
	qstr_reset(&w);
	if (noauth > 0) {
		(void)qstr_catf(&w, "%zu domain(s) pass neither SPF nor DKIM: "
		    "junk or 550 5.7.515", noauth);
		receiver(c, a, "Outlook.com", "reject", qstr_str(&w));
	} else if (nodmarc > 0) {
		(void)qstr_catf(&w, "%zu of %zu sending domain(s) lack SPF + "
		    "DKIM + DMARC pass: fine under 5000 messages a day, 550 "
		    "5.7.515 above", nodmarc, sending);
		receiver(c, a, "Outlook.com", "accept (low volume)",
		    qstr_str(&w));
	} else
		receiver(c, a, "Outlook.com", "accept", "SPF, DKIM and DMARC "
		    "pass for every sending domain");
	/* a Postfix with reject_unknown_client_hostname and
	 * reject_unknown_helo_hostname */
	if (c->iprev_pass && c->helo_ok)
		receiver(c, a, "strict MTA (reject_unknown_client_hostname, "
		    "reject_unknown_helo_hostname)", "accept",
		    "PTR forward-confirmed; HELO resolves to the IP");
	else
		receiver(c, a, "strict MTA (reject_unknown_client_hostname, "
		    "reject_unknown_helo_hostname)", c->iprev_temp ? "unknown" :
		    "reject", !c->iprev_pass ? "no forward-confirmed PTR" :
		    "HELO does not resolve to the IP");
	qstr_free(&w);
}

/* ---- the run ---- */

const struct cut_probe_port cut_probe_default_ports[] = {
	{ "smtp", 25 }, { "submission", 587 }, { "smtps", 465 },
	{ "imap", 143 }, { "imaps", 993 }, { "pop3", 110 }, { "pop3s", 995 },
};
const size_t cut_probe_ndefault_ports = sizeof(cut_probe_default_ports) /
    sizeof(cut_probe_default_ports[0]);

static int
cmp_state(const void *a, const void *b)
{
	const struct cut_domain_state *x = *(const struct cut_domain_state
	    *const *)a, *y = *(const struct cut_domain_state *const *)b;

	return strcmp(x->d->name, y->d->name);
}

static json_t *
counts_json(struct cut_ctx *c)
{
	json_t *o = json_object();
	size_t b, w, n;

	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return NULL;
	}
	findings_count(c->f, &b, &w, &n);
	cj_int(c, o, "blocker", (long long)b);
	cj_int(c, o, "warning", (long long)w);
	cj_int(c, o, "info", (long long)n);
	return o;
}

int
cutover_run(const struct cut_mig *m, const struct cut_opts *o,
    const struct dns_resolver *dns, struct cut_result *out)
{
	struct cut_ctx c;
	struct qstr srs_default = QSTR_INIT(512);
	unsigned char buf[16];
	json_t *nh, *dj;
	time_t now;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (o->ip == NULL || o->helo == NULL)
		return QPM_EINVAL;
	if (inet_pton(AF_INET, o->ip, buf) == 1)
		c.v6 = 0;
	else if (inet_pton(AF_INET6, o->ip, buf) == 1)
		c.v6 = 1;
	else
		return QPM_EINVAL;
	findings_init(&out->findings);
	c.m = m;
	c.o = o;
	c.f = &out->findings;
	c.stats = &out->stats;
	c.trace.inner = dns;
	qstr_init(&c.trace.log, QPM_MAX_STRING);
	c.dns.query = trace_query;
	c.dns.arg = &c;
	if ((c.doc = json_object()) == NULL ||
	    (c.ar = ar_ctx_new(&c.dns, o->helo, o->clock)) == NULL) {
		c.err = QPM_ENOMEM;
		goto out;
	}
	now = qpm_clock_now(o->clock != NULL ? o->clock : &qpm_clock_system);
	cj_str(&c, c.doc, "schema", CUT_SCHEMA);
	cj_int(&c, c.doc, "version", CUT_VERSION);
	cj_int(&c, c.doc, "generated_at", (long long)now);
	cj_str(&c, c.doc, "migration", m->path);
	cj_str(&c, c.doc, "dns_server", o->dns_desc);
	if ((nh = json_object()) == NULL) {
		c.err = QPM_ENOMEM;
		goto out;
	}
	cj_set(&c, c.doc, "new_host", nh);
	cj_str(&c, nh, "ip", o->ip);
	cj_str(&c, nh, "helo", o->helo);
	c.srs_domain = o->srs_domain != NULL ? o->srs_domain : m->srs_domain;
	c.srs_set_up = m->srs_wired;
	/* no SRS domain yet: propose srs.FIRST-DOMAIN, a name of its own
	 * (the fix then adds records, it never replaces a domain's SPF) */
	if (c.srs_domain == NULL) {
		for (i = 0; i < m->ndomains && srs_default.len == 0; i++)
			if (strcmp(m->domains[i].kind, "mailbox") == 0)
				(void)qstr_catf(&srs_default, "srs.%s",
				    m->domains[i].name);
		if (srs_default.len == 0)
			(void)qstr_catf(&srs_default, "srs.%s", o->helo);
		c.srs_domain = qstr_str(&srs_default);
	}

	cut_check_host(&c);
	if (c.err == 0)
		cut_check_domains(&c);
	if (c.err == 0)
		cut_check_receivers(&c);
	if (c.err == 0)
		cut_check_srs(&c);
	if (c.err == 0)
		cut_check_forwards(&c);
	if (c.err == 0)
		cut_check_bounces(&c);
	if (c.err == 0)
		cut_check_limits(&c);
	if (c.err == 0)
		cut_check_probes(&c);
	if (c.err == 0)
		cut_check_rehearsal(&c);
	if (c.err != 0)
		goto out;

	/* each domain's worst finding, for the summary and the tables: one
	 * pass over the findings, domains found by binary search */
	if (c.nds > 0) {
		struct cut_domain_state **by = calloc(c.nds, sizeof(*by)), *key,
		    **hit;
		struct cut_domain kd;
		int *worst = calloc(c.nds, sizeof(*worst));

		if (by == NULL || worst == NULL) {
			free(by);
			free(worst);
			c.err = QPM_ENOMEM;
			goto out;
		}
		for (i = 0; i < c.nds; i++)
			by[i] = &c.ds[i];
		qsort(by, c.nds, sizeof(*by), cmp_state);
		for (i = 0; i < c.f->n; i++) {
			struct cut_domain_state ks;

			if (strcmp(c.f->v[i].section, "domain") != 0)
				continue;
			kd.name = c.f->v[i].subject;
			ks.d = &kd;
			key = &ks;
			hit = bsearch(&key, by, c.nds, sizeof(*by), cmp_state);
			if (hit != NULL && (int)c.f->v[i].sev >
			    worst[*hit - c.ds])
				worst[*hit - c.ds] = (int)c.f->v[i].sev;
		}
		for (i = 0; i < c.nds; i++)
			cj_str(&c, c.ds[i].json, "worst", worst[i] ?
			    finding_sev_str((enum finding_sev)worst[i]) : "ok");
		free(by);
		free(worst);
	}
	findings_sort(c.f);
	cj_str(&c, c.doc, "verdict", findings_verdict(c.f));
	cj_int(&c, c.doc, "exit_code", findings_exit(c.f));
	cj_set(&c, c.doc, "counts", counts_json(&c));
	cj_set(&c, c.doc, "findings", findings_json(c.f));
	if ((dj = json_object()) == NULL) {
		c.err = QPM_ENOMEM;
		goto out;
	}
	cj_set(&c, c.doc, "dns", dj);
	out->stats.queries = c.trace.queries;
	cj_int(&c, dj, "queries", (long long)c.trace.queries);
out:
	ar_ctx_free(c.ar);
	qstr_free(&c.trace.log);
	free(c.ptr_name);
	free(c.old_ip);
	free(c.old_ip_src);
	free(c.old_helo);
	free(c.ds);
	qstr_free(&srs_default);
	if (c.err != 0) {
		json_decref(c.doc);
		findings_free(&out->findings);
		return c.err;
	}
	out->doc = c.doc;
	return 0;
}

void
cut_result_free(struct cut_result *r)
{
	findings_free(&r->findings);
	json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}
