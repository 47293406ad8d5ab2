/*
 * NAME		postfix_limits - the limits in Postfix syntax
 * DOES		main.cf lines, the master.cf part of each smtpd listener and the
 *		client access table, each value after its "# from" lines
 * NEVER	writes a file (write_postfix.c places the text)
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "mail/esc_postfix.h"
#include "migrate/write/limits_text.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/qstr.h"

static long
anvil_unit(const struct limits *l)
{
	static const enum limits_svc order[] = { LSVC_SMTP, LSVC_SUBMISSION,
	    LSVC_SMTPS };
	const struct limits_setting *s;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((s = limits_setting_find(l, LT_PF_CONN_RATE, order[i])) != NULL &&
		    s->per > 0)
			return s->per;
	return 60;
}

static long
rate_in_unit(const struct limits_setting *s, long unit)
{
	if (s->per == unit || s->per <= 0)
		return s->value;
	return (s->value * unit + s->per - 1) / s->per;
}

static int
pf_line(struct qstr *out, int opt, const char *ind, const char *name,
    long v, const char *unit)
{
	if (opt)
		return qstr_catf(out, "%s-o %s=%ld%s\n", ind, name, v, unit);
	return qstr_catf(out, "%s%s = %ld%s\n", ind, name, v, unit);
}

/* one Postfix parameter of a setting, as "name = value" text */
static int
pf_param(const struct limits *l, const struct limits_setting *s, int opt,
    struct qstr *out, const char *ind)
{
	int err;

	switch (s->target) {
	case LT_PF_CONN_COUNT:
		return pf_line(out, opt, ind,
		    "smtpd_client_connection_count_limit", s->value, "");
	case LT_PF_CONN_RATE:
		return pf_line(out, opt, ind,
		    "smtpd_client_connection_rate_limit",
		    rate_in_unit(s, anvil_unit(l)), "");
	case LT_PF_STARTTLS_TIMEOUT:
		if ((err = pf_line(out, opt, ind, "smtpd_starttls_timeout",
		    s->value, "s")) < 0)
			return err;
		if (opt)
			return qstr_catf(out, "%s-o smtpd_per_request_deadline="
			    "yes\n", ind);
		return qstr_catf(out, "%ssmtpd_per_request_deadline = yes\n",
		    ind);
	case LT_PF_TIMEOUT:
		return pf_line(out, opt, ind, "smtpd_timeout", s->value, "s");
	default:
		return 0;
	}
}

int
limits_postfix_main(const struct limits *l, struct qstr *out)
{
	static const enum limits_target main_t[] = { LT_PF_CONN_COUNT,
	    LT_PF_CONN_RATE, LT_PF_STARTTLS_TIMEOUT, LT_PF_TIMEOUT };
	const struct limits_setting *s;
	size_t i;
	int err, rate = 0;
	struct qstr acc = QSTR_INIT(1 << 20);

	if ((err = qstr_cat(out, "# connection limits and timeouts of the old "
	    "host (Postfix 3.5 or later)\n")) < 0)
		return err;
	for (i = 0; i < sizeof(main_t) / sizeof(main_t[0]); i++) {
		if ((s = limits_setting_find(l, main_t[i], LSVC_SMTP)) == NULL ||
		    s->value < 0)
			continue;
		if (main_t[i] == LT_PF_CONN_RATE)
			rate = 1;
		if ((err = limits_prov(l, s, "", out)) < 0 ||
		    (err = pf_param(l, s, 0, out, "")) < 0)
			return err;
	}
	for (i = 0; i < l->nsettings && !rate; i++)
		if (l->settings[i].target == LT_PF_CONN_RATE)
			rate = 1;
	if (rate && (err = qstr_catf(out, "# the window of every "
	    "smtpd_client_*_rate_limit (anvil)\nanvil_rate_time_unit = %lds\n",
	    anvil_unit(l))) < 0)
		return err;
	if (l->mynetworks != NULL && (err = qstr_catf(out, "# from the "
	    "tcprules allow,RELAYCLIENT=\"\" rules of port 25\nmynetworks = %s\n",
	    l->mynetworks)) < 0)
		return err;
	if ((l->exempt != NULL || l->mynetworks != NULL) &&
	    (err = qstr_catf(out, "# clients the old per-IP limit did not "
	    "count (their tcprules rule sets no MAXCONNIP)\n"
	    "smtpd_client_event_limit_exceptions = $mynetworks%s%s\n",
	    l->exempt != NULL ? " " : "", l->exempt != NULL ? l->exempt :
	    "")) < 0)
		return err;
	if ((err = limits_postfix_client_access(l, &acc)) == 0 && acc.len > 0)
		err = qstr_cat(out, "# tcprules deny rules (table written as "
		    "client_access.cidr)\nsmtpd_client_restrictions = "
		    "check_client_access "
		    "cidr:${config_directory}/client_access.cidr\n");
	qstr_free(&acc);
	return err;
}

void
limits_master_init(struct limits_master *m)
{
	m->maxproc = -1;
	qstr_init(&m->comment, 1 << 20);
	qstr_init(&m->options, 1 << 20);
}

void
limits_master_free(struct limits_master *m)
{
	qstr_free(&m->comment);
	qstr_free(&m->options);
}

int
limits_postfix_master(const struct limits *l, const char *service,
    struct limits_master *m)
{
	static const enum limits_target opt_t[] = { LT_PF_CONN_COUNT,
	    LT_PF_CONN_RATE, LT_PF_STARTTLS_TIMEOUT, LT_PF_TIMEOUT };
	const struct limits_setting *s, *ms;
	enum limits_svc svc;
	size_t i;
	int err;

	svc = limits_svc_from_port(service);
	if (strcmp(service, "smtps") == 0)
		svc = LSVC_SMTPS;
	if (!limits_svc_is_smtp(svc))
		return QPM_EINVAL;
	if ((s = limits_setting_find(l, LT_PF_MAXPROC, svc)) != NULL &&
	    s->value >= 0) {
		m->maxproc = s->value;
		if ((err = limits_prov(l, s, "", &m->comment)) < 0)
			return err;
	}
	if (svc == LSVC_SMTP)
		return 0;	/* main.cf holds port 25's values */
	for (i = 0; i < sizeof(opt_t) / sizeof(opt_t[0]); i++) {
		s = limits_setting_find(l, opt_t[i], svc);
		ms = limits_setting_find(l, opt_t[i], LSVC_SMTP);
		if (s != NULL && s->value >= 0) {
			if (ms != NULL && ms->value == s->value &&
			    ms->per == s->per)
				continue;
			if ((err = limits_prov(l, s, "  ", &m->options)) < 0 ||
			    (err = pf_param(l, s, 1, &m->options, "  ")) < 0)
				return err;
		} else if (ms != NULL && ms->value > 0 &&
		    opt_t[i] == LT_PF_CONN_RATE) {
			if ((err = qstr_catf(&m->options, "  # the old host "
			    "had no rate limit on port %d\n  -o "
			    "smtpd_client_connection_rate_limit=0\n",
			    limits_svc_port(svc))) < 0)
				return err;
		}
	}
	return 0;
}

struct acc_ent {
	char	 cidr[64];
	int	 bits;
	int	 deny;
	const struct limits_item *it;
};

static int
cmp_acc(const void *a, const void *b)
{
	const struct acc_ent *x = a, *y = b;

	if (x->bits != y->bits)
		return y->bits - x->bits;
	return (x->it > y->it) - (x->it < y->it);
}

int
limits_postfix_client_access(const struct limits *l, struct qstr *out)
{
	struct acc_ent *e = NULL, *ne;
	size_t n = 0, i;
	int default_deny = 0, any_deny = 0, err = 0;

	for (i = 0; i < l->nitems; i++) {
		const struct limits_item *it = &l->items[i];

		if (it->svc == LSVC_SMTP && it->kind == LK_ACCESS_DENY &&
		    it->addr != NULL) {
			any_deny = 1;
			if (it->addr[0] == '\0')
				default_deny = 1;
		}
	}
	if (!any_deny)
		return 0;
	for (i = 0; i < l->nitems && err == 0; i++) {
		const struct limits_item *it = &l->items[i];
		struct qstr c = QSTR_INIT(64 * 1024);
		char *tok, *save = NULL;

		if (it->svc != LSVC_SMTP || it->addr == NULL ||
		    (it->kind != LK_ACCESS_DENY &&
		    !(default_deny && it->kind == LK_ACCESS_ALLOW)))
			continue;
		if (limits_addr_cidrs(it->addr, &c) < 0) {
			err = esc_comment(out, "", "from %s:%lu: \"%s\" is a "
			    "host name or ident rule: not in this table (it "
			    "needs a hash: map and reverse DNS)", it->file,
			    it->line, it->addr);
			qstr_free(&c);
			continue;
		}
		for (tok = strtok_r(c.buf, " ", &save); tok != NULL && err == 0;
		    tok = strtok_r(NULL, " ", &save)) {
			const char *sl = strchr(tok, '/');

			if (n % 64 == 0) {
				if (n > 1000000 || (ne = realloc(e, (n + 64) *
				    sizeof(*e))) == NULL) {
					err = QPM_ENOMEM;
					break;
				}
				e = ne;
			}
			(void)qpm_snprintf(e[n].cidr, sizeof(e[n].cidr), "%s",
			    tok);
			e[n].bits = sl != NULL ? atoi(sl + 1) :
			    strchr(tok, ':') != NULL ? 128 : 32;
			if (strchr(tok, ':') == NULL && e[n].bits <= 32)
				e[n].bits += 96;	/* compare with v6 */
			e[n].deny = it->kind == LK_ACCESS_DENY;
			e[n].it = it;
			n++;
		}
		qstr_free(&c);
	}
	if (err == 0 && n > 0) {
		/* tcprules picks the most specific rule; a cidr table the
		 * first match: longest prefix first */
		qsort(e, n, sizeof(*e), cmp_acc);
		err = qstr_cat(out, "# client access from tcprules (most "
		    "specific first; REJECT replies instead of tcpserver's "
		    "silent close)\n");
		/* the networks are limits_addr_cidrs() output: digits, dots,
		 * '/' and a bracketed inet_pton()-checked IPv6 address */
		for (i = 0; i < n && err == 0; i++)
			if ((err = esc_comment(out, "", "from %s:%lu",
			    e[i].it->file, e[i].it->line)) == 0)
				err = qstr_catf(out, "%-24s %s\n", e[i].cidr,
				    e[i].deny ? "REJECT" : "DUNNO");
	}
	free(e);
	return err;
}
