/*
 * NAME		cutover_domains - the pre-cutover checks of every domain
 * DOES		checks each hosted domain: MX and its addresses, SPF for
 *		the new IP with RFC 7208 counts, DKIM via cutover_dkim.c,
 *		DMARC under RFC 9989 and RFC 7489; then what the big
 *		receivers would do with mail from the new host
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
			if (cut_same_ip(a.rr[i].text, c->o->ip))
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
		cut_old_who(c, &oev);
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

