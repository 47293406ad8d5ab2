/*
 * NAME		cutover_host - the pre-cutover checks of the new host
 * DOES		finds the old host (control/me, migration.json or DNS) to
 *		compare with; checks the new IP's PTR and FCrDNS, the HELO
 *		name, the HELO the generated main.cf uses and the HELO's SPF
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
			    !cut_same_ip(a.rr[i].text, c->o->ip) &&
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
	if (m->old_ip != NULL && !cut_same_ip(m->old_ip, c->o->ip)) {
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
void
cut_old_who(struct cut_ctx *c, struct qstr *q)
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
		cut_old_who(c, &oev);
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
		cut_old_who(c, &oev);
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
	if (c->m->new_ip != NULL && !cut_same_ip(c->m->new_ip, c->o->ip)) {
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
		cut_old_who(c, &oev);
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

