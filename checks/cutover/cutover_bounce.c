/*
 * NAME		cutover_bounce - where bounces and postmaster mail go
 * DOES		checks that postmaster@ every domain and the double-bounce
 *		recipient reach a mailbox, following aliases and forwards
 *		of migration.json
 * NEVER	sends mail
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/cutover/cutover_int.h"
#include "util/err.h"
#include "util/limits.h"

#define CUT_ALIAS_DEPTH		8	/* alias hops followed for bounces */

static const struct cut_forward *
find_rule(const struct cut_forward *v, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].address, addr) == 0)
			return &v[i];
	return NULL;
}

/*
 * Where mail for addr ends, following aliases and forwards as the new
 * host will: 1 reaches a mailbox here or leaves for a domain that exists,
 * 0 does not, with how (or why) in q.
 */
static int
reaches(struct cut_ctx *c, const char *addr0, int depth, struct qstr *q)
{
	const struct cut_domain *d;
	const struct cut_forward *r;
	char addr[QPM_MAX_ADDRESS + 1], *at;
	size_t i;

	if (depth > CUT_ALIAS_DEPTH) {
		(void)qstr_cat(q, "alias loop or chain too long");
		return 0;
	}
	for (i = 0; addr0[i] != '\0' && i < QPM_MAX_ADDRESS; i++)
		addr[i] = (char)tolower((unsigned char)addr0[i]);
	addr[i] = '\0';
	if ((at = strrchr(addr, '@')) == NULL) {
		(void)qstr_catf(q, "%s has no domain", addr);
		return 0;
	}
	if ((d = cut_mig_domain(c->m, at + 1)) == NULL) {
		struct dns_answer a;
		int ok;

		memset(&a, 0, sizeof(a));
		(void)dns_query(&c->dns, at + 1, DNS_T_MX, &a);
		ok = a.status == DNS_OK;
		(void)qstr_catf(q, "%s: another host (%s MX: %s)", addr, at + 1,
		    dns_status_str(a.status));
		dns_answer_free(&a);
		return ok;
	}
	if (strcmp(d->kind, "alias") == 0 && d->alias_of != NULL) {
		char real[QPM_MAX_ADDRESS + 1];

		if (qpm_snprintf(real, sizeof(real), "%.*s@%s",
		    (int)(at - addr), addr, d->alias_of) < 0)
			return 0;
		(void)qstr_catf(q, "%s -> (alias domain) ", addr);
		return reaches(c, real, depth + 1, q);
	}
	if (cut_mig_is_mailbox(c->m, addr)) {
		(void)qstr_catf(q, "%s: mailbox", addr);
		return 1;
	}
	if ((r = find_rule(c->m->aliases, c->m->naliases, addr)) != NULL ||
	    (r = find_rule(c->m->forwards, c->m->nforwards, addr)) != NULL) {
		(void)qstr_catf(q, "%s -> ", addr);
		for (i = 0; i < r->ntargets; i++) {
			size_t mark = q->len;

			if (reaches(c, r->targets[i], depth + 1, q))
				return 1;
			q->len = mark;
			q->buf[mark] = '\0';
		}
		(void)qstr_cat(q, "no target that receives mail");
		return 0;
	}
	if (d->unknown_users != NULL && d->catchall_target != NULL &&
	    (strcmp(d->unknown_users, "mailbox") == 0 ||
	    strcmp(d->unknown_users, "forward") == 0)) {
		(void)qstr_catf(q, "%s -> (catch-all) ", addr);
		return reaches(c, d->catchall_target, depth + 1, q);
	}
	(void)qstr_catf(q, "%s: no such mailbox or alias%s%s", addr,
	    d->unknown_users ? "; unknown users: " : "",
	    d->unknown_users ? d->unknown_users : "");
	return 0;
}

static void
bounce_row(struct cut_ctx *c, json_t *arr, const char *role,
    const char *domain, const char *addr, const char *source,
    enum finding_old old, const char *old_ev)
{
	json_t *o = json_object();
	struct qstr how = QSTR_INIT(4096), ev = QSTR_INIT(4096),
	    fix = QSTR_INIT(2048);
	const char *admin = c->m->doublebounceto;
	int ok;

	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_append(c, arr, o);
	cj_str(c, o, "role", role);
	cj_str(c, o, "domain", domain);
	cj_str(c, o, "address", addr);
	cj_str(c, o, "source", source);
	if (admin == NULL)
		admin = "ADMIN@DOMAIN";
	if (addr == NULL) {
		ok = 0;
		(void)qstr_cat(&how, "routed nowhere: it bounces");
	} else
		ok = reaches(c, addr, 0, &how);
	cj_bool(c, o, "reachable", ok);
	cj_str(c, o, "route", qstr_str(&how));
	(void)qstr_catf(&ev, "%s: %s (from %s)", role, qstr_str(&how),
	    source ? source : "migration.json");
	if (ok)
		goto out;
	if (strcmp(role, "postmaster") == 0) {
		(void)qstr_catf(&fix, "Add to OUT/postfix/virtual_alias, then "
		    "postmap it:\n  postmaster@%s  %s", domain, admin);
		cut_add(c, FIND_BLOCKER, "bounce", domain, "bounce.postmaster",
		    qstr_str(&ev), qstr_str(&fix), 0, "postmaster@%s does not "
		    "reach a mailbox (RFC 5321 4.5.1 requires it): complaints "
		    "and bounce reports are lost", domain);
		cut_vs_old(c, old, 0, old_ev);
	} else {
		(void)qstr_catf(&fix, "postconf -c OUT/postfix -e "
		    "'notify_classes = resource, software, 2bounce' "
		    "'2bounce_notice_recipient = %s'", addr != NULL &&
		    c->m->npostmasters > 0 ? "postmaster" : admin);
		cut_add(c, FIND_WARNING, "bounce", domain != NULL ? domain :
		    "-", "bounce.double", qstr_str(&ev), qstr_str(&fix), 0,
		    "Double bounces go to %s, which does not reach a mailbox: "
		    "they are lost", addr ? addr : "nobody");
	}
out:
	qstr_free(&how);
	qstr_free(&ev);
	qstr_free(&fix);
}

void
cut_check_bounces(struct cut_ctx *c)
{
	const struct cut_mig *m = c->m;
	json_t *arr = json_array();
	const char *set;
	size_t i, n;
	struct qstr ev = QSTR_INIT(4096);

	if (arr == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "bounces", arr);
	for (i = 0; i < m->npostmasters && c->err == 0; i++) {
		const struct cut_domain *d = cut_mig_domain(m,
		    m->postmasters[i].domain);

		/* local names (localhost) are not hosted mail domains */
		if (d != NULL && strcmp(d->kind, "local") == 0)
			continue;
		/* routes_to is where the old host delivered postmaster@:
		 * null means it bounced there too */
		bounce_row(c, arr, "postmaster", m->postmasters[i].domain,
		    m->postmasters[i].routes_to, m->postmasters[i].source,
		    m->postmasters[i].routes_to == NULL ? FIND_OLD_SAME :
		    FIND_OLD_DIFFERS, m->postmasters[i].routes_to == NULL ?
		    "routed nowhere (bounce_routing.postmaster routes_to "
		    "null): it bounced" : "delivered to the routes_to address "
		    "(bounce_routing.postmaster)");
	}
	/* a hosted domain without a postmaster entry at all */
	for (i = 0; i < m->ndomains && c->err == 0; i++) {
		const struct cut_domain *d = &m->domains[i];
		size_t k;
		int seen = 0;

		if (strcmp(d->kind, "mailbox") != 0 &&
		    strcmp(d->kind, "alias") != 0)
			continue;
		for (k = 0; k < m->npostmasters && !seen; k++)
			seen = strcasecmp(m->postmasters[k].domain, d->name) == 0;
		if (!seen) {
			char pm[QPM_MAX_ADDRESS + 1];

			(void)qpm_snprintf(pm, sizeof(pm), "postmaster@%s",
			    d->name);
			/* no entry: the old host routed it as migrated */
			bounce_row(c, arr, "postmaster", d->name, pm, NULL,
			    FIND_OLD_SAME, "no bounce_routing entry; its "
			    "routing of the address, as migrated, is the same");
		}
	}
	n = json_array_size(arr);
	bounce_row(c, arr, "double-bounce", NULL, m->doublebounceto != NULL ?
	    m->doublebounceto : NULL, m->doublebounce_source, FIND_OLD_NA,
	    NULL);
	set = cut_mig_setting(m, "2bounce_notice_recipient");
	if (m->doublebounceto != NULL && set != NULL &&
	    strcasecmp(set, m->doublebounceto) != 0 &&
	    strcmp(set, "postmaster") != 0) {
		(void)qstr_catf(&ev, "doublebounceto = %s; generated "
		    "2bounce_notice_recipient = %s", m->doublebounceto, set);
		cut_add(c, FIND_WARNING, "bounce", "-", "bounce.2bounce-setting",
		    qstr_str(&ev), NULL, 0, "The generated "
		    "2bounce_notice_recipient differs from the old "
		    "doublebounceto");
	}
	if (json_array_size(arr) > 0 && findings_worst(c->f, "bounce", NULL)
	    == 0)
		cut_add(c, FIND_INFO, "bounce", "-", "bounce.ok", NULL, NULL, 0,
		    "postmaster@ every hosted domain (%zu) and the double-bounce "
		    "recipient reach a mailbox", n);
	qstr_free(&ev);
}
