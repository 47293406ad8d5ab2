/*
 * NAME		cutover - the pre-cutover checks: the run
 * DOES		wraps the resolver so that every answer a check rests on is
 *		its evidence; holds the pieces the checks share (findings,
 *		JSON setters); calls the parts in order (the new host:
 *		cutover_host.c, the domains and receivers:
 *		cutover_domains.c, DKIM, forwards, limits) and builds the
 *		report document
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
#include "checks/core/dns_ldns.h"
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

int
cut_same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return 0;
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
	free(c.key_memo);
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

int
cutover_run_dns(const struct cut_mig *m, const struct cut_opts *o,
    struct dns_ldns *dl, unsigned concurrency, struct cut_result *out,
    int *rounds)
{
	struct cut_opts dry = *o;
	struct dns_resolver r;
	long asked;
	int rc;

	*rounds = 0;
	dns_ldns_resolver(dl, &r);
	if (concurrency == 1)
		return cutover_run(m, o, &r, out);
	dry.probe_host = NULL;		/* no connection twice */
	dry.rehearsal = NULL;
	for (; *rounds < CUT_MAX_PASSES; (*rounds)++) {
		dns_ldns_collect(dl, 1);
		rc = cutover_run(m, &dry, &r, out);
		dns_ldns_collect(dl, 0);
		if (rc < 0)
			return rc;
		if (dns_ldns_noted(dl) == 0 && o->probe_host == NULL &&
		    o->rehearsal == NULL)
			return 0;	/* every answer from the cache: the
					 * report itself */
		cut_result_free(out);
		if (dns_ldns_noted(dl) == 0)
			break;
		if ((asked = dns_ldns_resolve_noted(dl, concurrency)) < 0)
			return (int)asked;
	}
	return cutover_run(m, o, &r, out);
}
