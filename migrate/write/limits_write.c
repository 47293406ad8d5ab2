/*
 * NAME		limits_write - the text and JSON of the limits: main.cf lines,
 *		master.cf overrides, the client access table, Dovecot blocks,
 *		the nftables file, sysctl lines, the report, migration.json
 * DOES		every written line is preceded by "# from FILE:LINE"
 * NEVER	writes a file (the caller places the text)
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/json.h"
#include "migrate/write/esc_postfix.h"
#include "migrate/model/limits.h"
#include "migrate/oldhost/limits_int.h"
#include "util/err.h"
#include "util/qstr.h"

static int
is_smtp(enum limits_svc s)
{
	return s == LSVC_SMTP || s == LSVC_SUBMISSION || s == LSVC_SMTPS;
}

static int
is_dovecot(enum limits_svc s)
{
	return s == LSVC_POP3 || s == LSVC_POP3S || s == LSVC_IMAP ||
	    s == LSVC_IMAPS;
}

const char *limits_target_name(enum limits_target t);

const char *
limits_target_name(enum limits_target t)
{
	switch (t) {
	case LT_PF_MAXPROC:	return "master.cf maxproc";
	case LT_PF_CONN_COUNT:	return "smtpd_client_connection_count_limit";
	case LT_PF_CONN_RATE:	return "smtpd_client_connection_rate_limit";
	case LT_PF_STARTTLS_TIMEOUT: return "smtpd_starttls_timeout";
	case LT_PF_TIMEOUT:	return "smtpd_timeout";
	case LT_DC_LOGIN_PROCESSES: return "service *-login process_limit";
	case LT_DC_USERIP:	return "mail_max_userip_connections";
	case LT_DC_VSZ:		return "service vsz_limit";
	case LT_DC_AUTH_DELAY:	return "auth_failure_delay";
	case LT_NFT_CONN_IP:	return "nftables ct count per IP";
	case LT_NFT_CONN_NET24:	return "nftables ct count per /24";
	case LT_NFT_RATE_IP:	return "nftables limit rate per IP";
	}
	return "?";
}

static const struct limits_setting *
find_setting(const struct limits *l, enum limits_target t, enum limits_svc svc)
{
	size_t i;

	for (i = 0; i < l->nsettings; i++)
		if (l->settings[i].target == t && l->settings[i].svc == svc)
			return &l->settings[i];
	return NULL;
}

/* the rest of a comment line: text visible, then the newline */
static int
comment_text(struct qstr *out, const char *text)
{
	int err;

	if (text != NULL && (err = qstr_cat_vis(out, text, strlen(text),
	    0)) < 0)
		return err;
	return qstr_catc(out, '\n');
}

/* "# from FILE:LINE (source: detail)" for each source of a setting */
static int
prov(const struct limits *l, const struct limits_setting *s, const char *ind,
    struct qstr *out)
{
	size_t i;
	int err = 0;

	/* the file name and the old line's text as qstr_cat_vis renders
	 * them: a newline there must not end the comment */
	for (i = 0; i < s->nsrc && err == 0; i++) {
		const struct limits_item *it = &l->items[s->src[i]];

		int dup = strncmp(it->detail, it->source,
		    strlen(it->source)) == 0;

		err = esc_comment(out, ind, "from %s:%lu (%s%s%s)", it->file,
		    it->line, dup ? "" : it->source, it->detail[0] != '\0' &&
		    !dup ? ": " : "", it->detail);
	}
	if (err == 0 && s->nsrc == 0)
		err = esc_comment(out, ind, "no old setting: %s",
		    s->why != NULL ? s->why : "");
	else if (err == 0 && s->from_logs)
		err = esc_comment(out, ind, "sized from the logs (old value "
		    "%ld): %s", s->old, s->why != NULL ? s->why : "");
	return err;
}

static long
anvil_unit(const struct limits *l)
{
	static const enum limits_svc order[] = { LSVC_SMTP, LSVC_SUBMISSION,
	    LSVC_SMTPS };
	const struct limits_setting *s;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((s = find_setting(l, LT_PF_CONN_RATE, order[i])) != NULL &&
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
		if ((s = find_setting(l, main_t[i], LSVC_SMTP)) == NULL ||
		    s->value < 0)
			continue;
		if (main_t[i] == LT_PF_CONN_RATE)
			rate = 1;
		if ((err = prov(l, s, "", out)) < 0 ||
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
	if (!is_smtp(svc))
		return QPM_EINVAL;
	if ((s = find_setting(l, LT_PF_MAXPROC, svc)) != NULL && s->value >= 0) {
		m->maxproc = s->value;
		if ((err = prov(l, s, "", &m->comment)) < 0)
			return err;
	}
	if (svc == LSVC_SMTP)
		return 0;	/* main.cf holds port 25's values */
	for (i = 0; i < sizeof(opt_t) / sizeof(opt_t[0]); i++) {
		s = find_setting(l, opt_t[i], svc);
		ms = find_setting(l, opt_t[i], LSVC_SMTP);
		if (s != NULL && s->value >= 0) {
			if (ms != NULL && ms->value == s->value &&
			    ms->per == s->per)
				continue;
			if ((err = prov(l, s, "  ", &m->options)) < 0 ||
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
		if (tcprules_cidrs(it->addr, &c) < 0) {
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
		/* the networks are tcprules_cidrs() output: digits, dots,
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

static int
fmt_size(char *buf, size_t n, long v)
{
	if (v % (1024L * 1024) == 0)
		return qpm_snprintf(buf, n, "%ldM", v / (1024L * 1024));
	return qpm_snprintf(buf, n, "%ldM", (v + 1024L * 1024 - 1) /
	    (1024L * 1024));
}

int
limits_dovecot(const struct limits *l, struct qstr *out)
{
	return limits_dovecot_ver(l, 23, out);
}

int
limits_dovecot_ver(const struct limits *l, int version, struct qstr *out)
{
	const struct limits_setting *s;
	const char *sc = version == 24 ? "restart_request_count" :
	    "service_count";
	size_t k;
	int err;

	if ((err = qstr_cat(out, version == 24 ? "# connection limits of the "
	    "old host (Dovecot 2.4 syntax)\n" : "# connection limits of the "
	    "old host (Dovecot 2.3 syntax; 2.4 renames service_count to "
	    "restart_request_count)\n")) < 0)
		return err;
	if ((s = find_setting(l, LT_DC_AUTH_DELAY, LSVC_HOST)) != NULL &&
	    ((err = qstr_cat(out, "# ")) < 0 ||
	    (err = comment_text(out, s->why)) < 0 ||
	    (err = qstr_catf(out, "auth_failure_delay = %lds\n", s->value)) < 0))
		return err;
	for (k = 0; k < 2; k++) {
		enum limits_svc p = k == 0 ? LSVC_IMAP : LSVC_POP3;
		const char *proto = k == 0 ? "imap" : "pop3";
		const struct limits_setting *vsz = find_setting(l, LT_DC_VSZ, p);

		s = find_setting(l, LT_DC_LOGIN_PROCESSES, p);
		if (s != NULL && s->value >= 0) {
			if ((err = qstr_catf(out, "service %s-login {\n",
			    proto)) < 0 || (err = prov(l, s, "  ", out)) < 0)
				return err;
			if (s->perf_mode) {
				long per = (s->value + 3) / 4;

				err = qstr_catf(out, "  # high-performance mode: "
				    "4 processes with up to %ld clients each "
				    "(%ld in all)\n  %s = %s\n"
				    "  process_min_avail = 4\n  process_limit = 4\n"
				    "  client_limit = %ld\n", per, per * 4, sc,
				    version == 24 ? "unlimited" : "0", per);
			} else
				err = qstr_catf(out, "  # high-security mode: one "
				    "process per connection (TLS sessions keep "
				    "theirs after login)\n  %s = 1\n"
				    "  process_limit = %ld\n", sc, s->value);
			if (err < 0 || (err = qstr_cat(out, "}\n")) < 0)
				return err;
		}
		if ((s != NULL && s->value >= 0) || vsz != NULL) {
			if ((err = qstr_catf(out, "service %s {\n", proto)) < 0)
				return err;
			if (s != NULL && s->value >= 0 && ((err = qstr_catf(out,
			    "  # the old limit also counted logged-in "
			    "sessions\n  process_limit = %ld\n", s->value)) < 0))
				return err;
			if (vsz != NULL) {
				char b[32];

				(void)fmt_size(b, sizeof(b), vsz->value);
				if ((err = prov(l, vsz, "  ", out)) < 0 ||
				    (err = qstr_cat(out, "  # ")) < 0 ||
				    (err = comment_text(out, vsz->why)) < 0 ||
				    (err = qstr_catf(out, "  vsz_limit = "
				    "%s\n", b)) < 0)
					return err;
			}
			if ((err = qstr_cat(out, "}\n")) < 0)
				return err;
		}
	}
	for (k = 0; k < 2; k++) {
		enum limits_svc p = k == 0 ? LSVC_IMAP : LSVC_POP3;

		if ((s = find_setting(l, LT_DC_USERIP, p)) == NULL)
			continue;
		if ((err = qstr_catf(out, "protocol %s {\n", k == 0 ? "imap" :
		    "pop3")) < 0 || (err = prov(l, s, "  ", out)) < 0 ||
		    (err = qstr_catf(out, "  mail_max_userip_connections = "
		    "%ld\n}\n", s->value)) < 0)
			return err;
	}
	return 0;
}

static const char *
nft_unit(long per, long v, long *rv)
{
	*rv = v;
	switch (per) {
	case 1: return "second";
	case 60: return "minute";
	case 3600: return "hour";
	case 86400: return "day";
	default:
		*rv = (v * 60 + per - 1) / per;
		return "minute";
	}
}

int
limits_nftables(const struct limits *l, struct qstr *out)
{
	struct qstr sets = QSTR_INIT(1 << 20), rules = QSTR_INIT(1 << 20);
	unsigned char done[512];
	size_t i, j, nset = 0;
	int err = 0;

	memset(done, 0, sizeof(done));
	for (i = 0; i < l->nsettings && i < sizeof(done) && err == 0; i++) {
		const struct limits_setting *s = &l->settings[i];
		const struct limits_item *src;
		struct qstr ports = QSTR_INIT(4096);
		const char *what;
		int fam;

		if (done[i] || s->nsrc == 0 || s->value <= 0 ||
		    (s->target != LT_NFT_CONN_IP &&
		    s->target != LT_NFT_CONN_NET24 &&
		    s->target != LT_NFT_RATE_IP))
			continue;
		src = &l->items[s->src[0]];
		/* one set for every port the same old rule covered */
		for (j = i; j < l->nsettings && j < sizeof(done); j++) {
			const struct limits_setting *t = &l->settings[j];

			if (t->target != s->target || t->value != s->value ||
			    t->per != s->per || t->nsrc == 0 ||
			    strcmp(l->items[t->src[0]].file, src->file) != 0 ||
			    l->items[t->src[0]].line != src->line)
				continue;
			done[j] = 1;
			err = qstr_catf(&ports, "%s%d", ports.len ? ", " : "",
			    limits_svc_port(t->svc));
		}
		if (err < 0) {
			qstr_free(&ports);
			break;
		}
		nset++;
		err = esc_comment(&rules, "\t\t", "from %s:%lu (%s: %s)",
		    src->file, src->line, src->source, src->detail);
		if (s->from_logs && err == 0)
			err = esc_comment(&rules, "\t\t", "sized from the logs "
			    "(old %ld): %s", s->old, s->why);
		for (fam = 4; fam <= 6 && err == 0; fam += 2) {
			const char *ty = fam == 4 ? "ipv4_addr" : "ipv6_addr";
			const char *sa = fam == 4 ? "ip saddr" : "ip6 saddr";
			const char *p = ports.len > 0 && strchr(ports.buf, ',') ?
			    "{ " : "";
			const char *pe = *p ? " }" : "";

			if (s->target == LT_NFT_CONN_IP) {
				what = "conn";
				err = qstr_catf(&sets, "\tset %s%zu_%d { type %s; "
				    "flags dynamic; size 65535; }\n", what, nset,
				    fam, ty);
				if (err == 0)
					err = qstr_catf(&rules, "\t\ttcp dport "
					    "%s%s%s ct state new add @%s%zu_%d { %s "
					    "ct count over %ld } reject with tcp "
					    "reset\n", p, ports.buf, pe, what,
					    nset, fam, sa, s->value);
			} else if (s->target == LT_NFT_CONN_NET24) {
				what = "net";
				err = qstr_catf(&sets, "\tset %s%zu_%d { type %s; "
				    "flags dynamic; size 65535; }\n", what, nset,
				    fam, ty);
				if (err == 0)
					err = qstr_catf(&rules, "\t\ttcp dport "
					    "%s%s%s ct state new add @%s%zu_%d { %s "
					    "& %s ct count over %ld } reject with "
					    "tcp reset\n", p, ports.buf, pe, what,
					    nset, fam, sa, fam == 4 ?
					    "255.255.255.0" : "ffff:ffff:ffff:ffff::",
					    s->value);
			} else {
				long rv;
				const char *u = nft_unit(s->per, s->value, &rv);
				long tmo = s->per > 60 ? s->per : 60;

				what = "rate";
				err = qstr_catf(&sets, "\tset %s%zu_%d { type %s; "
				    "flags dynamic, timeout; timeout %lds; size "
				    "65535; }\n", what, nset, fam, ty, tmo);
				if (err == 0)
					err = qstr_catf(&rules, "\t\ttcp dport "
					    "%s%s%s ct state new add @%s%zu_%d { %s "
					    "limit rate over %ld/%s burst %ld "
					    "packets } drop\n", p, ports.buf, pe,
					    what, nset, fam, sa, rv, u, rv);
			}
		}
		qstr_free(&ports);
	}
	/* global rates (xinetd cps, iptables limit): shown, not enabled */
	for (i = 0; i < l->nitems && err == 0; i++) {
		const struct limits_item *it = &l->items[i];
		long rv;
		const char *u;

		if (it->kind != LK_RATE_SERVICE || it->inert != NULL ||
		    (!is_dovecot(it->svc) && !is_smtp(it->svc)))
			continue;
		u = nft_unit(it->per, it->value, &rv);
		err = esc_comment(&rules, "\t\t", "from %s:%lu (%s: %s): no "
		    "equivalent; this caps the rate without disabling the "
		    "service; enable it by removing the #", it->file, it->line,
		    it->source, it->detail);
		if (err == 0)
			err = qstr_catf(&rules, "\t\t# tcp dport %d ct state new "
			    "limit rate over %ld/%s drop\n",
			    limits_svc_port(it->svc), rv, u);
	}
	if (err == 0)
		err = qstr_catf(out, "#!/usr/sbin/nft -f\n"
		    "# qmail2postfix: per-client connection limits of the old "
		    "host that\n# Postfix and Dovecot cannot express. Load with "
		    "nft -f FILE; reloading\n# replaces the table.\n"
		    "table inet qmail2postfix\n"
		    "delete table inet qmail2postfix\n"
		    "table inet qmail2postfix {\n%s"
		    "\tchain input {\n"
		    "\t\ttype filter hook input priority filter - 1; "
		    "policy accept;\n%s\t}\n}\n", qstr_str(&sets),
		    qstr_str(&rules));
	qstr_free(&sets);
	qstr_free(&rules);
	return err;
}

int
limits_sysctl(const struct limits *l, struct qstr *out)
{
	size_t i;
	int err = 0, any = 0;

	for (i = 0; i < l->nitems && err == 0; i++) {
		const struct limits_item *it = &l->items[i];

		if (it->kind != LK_KERNEL)
			continue;
		if (!any)
			err = qstr_cat(out, "# kernel settings of the old host "
			    "(keep them: /etc/sysctl.d/)\n");
		any = 1;
		/* detail is "KEY = NUMBER" for a key sysctl.c knows */
		if (err == 0)
			err = esc_comment(out, "", "from %s:%lu", it->file,
			    it->line);
		if (err == 0)
			err = qstr_catf(out, "%s\n", it->detail);
	}
	return err;
}

/* ---- report ---- */

/* IPv4 "a.b.c.d/n" into address and mask; 0, or -1 for anything else */
static int
cidr4(const char *s, size_t n, unsigned long *a, unsigned long *mask)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	struct in_addr in;
	long bits = 32;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || bits < 0 || bits > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*mask = bits == 0 ? 0 : (0xffffffffUL << (32 - bits)) & 0xffffffffUL;
	*a = (unsigned long)ntohl(in.s_addr) & *mask;
	return 0;
}

/* The mynetworks entry (tcprules RELAYCLIENT="" rules) that holds every
 * address of the tcprules key addr, copied to net; 0 when found, -1
 * when none does (or addr is no IPv4 rule). */
static int
relay_cover(const struct limits *l, const char *addr, char *net,
    size_t netlen)
{
	struct qstr c = QSTR_INIT(64 * 1024);
	const char *p, *q, *m, *mq;
	unsigned long a, am, b, bm;
	int found = 0, all = 1;

	if (l->mynetworks == NULL || addr == NULL ||
	    tcprules_cidrs(addr, &c) < 0 || c.len == 0) {
		qstr_free(&c);
		return -1;
	}
	for (p = c.buf; *p != '\0' && all; p = *q ? q + 1 : q) {
		q = p + strcspn(p, " ");
		found = 0;
		if (cidr4(p, (size_t)(q - p), &a, &am) < 0)
			break;
		for (m = l->mynetworks; *m != '\0' && !found;
		    m = *mq ? mq + 1 : mq) {
			mq = m + strcspn(m, " ");
			/* b/bm holds a/am: b's prefix is no longer, same bits */
			if (cidr4(m, (size_t)(mq - m), &b, &bm) == 0 &&
			    (am & bm) == bm && (a & bm) == b) {
				found = 1;
				if (qpm_snprintf(net, netlen, "%.*s",
				    (int)(mq - m), m) < 0)
					found = 0;
			}
		}
		all = found;
	}
	qstr_free(&c);
	return found && all ? 0 : -1;
}

/* tcprules RELAYCLIENT="VALUE": qmail-smtpd let the client relay and
 * appended VALUE to every recipient address.  Postfix has no rewrite
 * per client; relaying is kept only where a RELAYCLIENT="" rule's
 * network (mynetworks) already holds the client. */
static int
relay_value_target(const struct limits *l, const struct limits_item *it,
    struct qstr *o)
{
	const char *v = strchr(it->detail, '"'), *who;
	char net[128];
	int vl = 0;

	if (v != NULL) {
		v++;
		vl = (int)strcspn(v, "\"");
	} else
		v = "";
	who = it->addr != NULL && it->addr[0] != '\0' ? it->addr :
	    "every client";
	if (relay_cover(l, it->addr, net, sizeof(net)) == 0)
		return qstr_catf(o, "none: RELAYCLIENT with a value appends it "
		    "to every recipient address: on the old host %s could "
		    "relay, and \"%.*s\" was appended to each of its "
		    "recipients (<a@b> became <a@b%.*s>). Relaying stays "
		    "allowed: mynetworks holds %s (a RELAYCLIENT=\"\" rule), "
		    "which covers %s. The recipient rewrite is not "
		    "reproduced: Postfix has no per-client recipient "
		    "rewrite, so its mail now goes to the recipients as "
		    "written. Instead: if this client still needs it, send "
		    "all its mail where the \"%.*s\" addresses went with a "
		    "check_client_access entry \"%s FILTER "
		    "TRANSPORT:[NEXTHOP]\" (the recipients keep their own "
		    "domain), or give it an smtpd listener of its own (an "
		    "address or port it is pointed at) whose cleanup service "
		    "(-o cleanup_service_name) has a "
		    "recipient_canonical_maps regexp appending \"%.*s\"",
		    who, vl, v, vl, v, net, who, vl, v, who, vl, v);
	return qstr_catf(o, "none: RELAYCLIENT with a value appends it to "
	    "every recipient address: on the old host %s could relay, and "
	    "\"%.*s\" was appended to each of its recipients. Neither is "
	    "reproduced: no RELAYCLIENT=\"\" network covers it, and it is "
	    "not added to mynetworks, because its mail would go to the "
	    "recipients as written. Instead: add it to mynetworks if it "
	    "may relay unchanged; for the rewrite, a check_client_access "
	    "entry \"%s FILTER TRANSPORT:[NEXTHOP]\" or an smtpd listener "
	    "of its own with a cleanup service whose "
	    "recipient_canonical_maps appends \"%.*s\"", who, vl, v, who,
	    vl, v);
}

/* tcprules RELAYCLIENT="": mynetworks holds the rule's networks when
 * tcprules_cidrs() can write them (limits_rec.c, networks()); the
 * catch-all rule, host name rules and keys no client matches are
 * listed, the catch-all loudly: it made the old host an open relay. */
static int
relay_target(const struct limits_item *it, struct qstr *o)
{
	struct qstr c = QSTR_INIT(64 * 1024);
	int bad;

	if (it->addr == NULL || it->addr[0] == '\0')
		return qstr_cat(o, "not converted: OPEN RELAY on the old host: "
		    "the catch-all rule (\":allow,RELAYCLIENT=\"\"\") let every "
		    "client relay. Postfix relays only for mynetworks and "
		    "SMTP AUTH users, so every other client now gets \"Relay "
		    "access denied\". Instead: put the networks that must "
		    "relay in mynetworks or have them use SMTP AUTH, never "
		    "0.0.0.0/0");
	bad = tcprules_cidrs(it->addr, &c) < 0;
	qstr_free(&c);
	if (bad)
		return qstr_catf(o, "not converted: \"%s\" is %s, so it is not "
		    "in mynetworks (Postfix matches clients there by "
		    "address). Instead: add the client's addresses to "
		    "mynetworks by hand", it->addr, it->addr[0] == '=' ||
		    strchr(it->addr, '@') != NULL ? "a host name or ident rule" :
		    "not an address or prefix tcprules could match");
	return qstr_cat(o, "mynetworks");
}

static int
item_target(const struct limits *l, const struct limits_item *it,
    struct qstr *o)
{
	const char *sv = limits_svc_name(it->svc);
	int kernel = strncmp(it->source, "iptables", 8) == 0 ||
	    strncmp(it->source, "nftables", 8) == 0;

	if (it->kind == LK_RELAY && it->value != 0)
		return relay_value_target(l, it, o);
	if (it->inert != NULL)
		return qstr_catf(o, "none: no effect on the old host: %s",
		    it->inert);
	switch (it->kind) {
	case LK_CONC_SERVICE:
		if (is_smtp(it->svc))
			return qstr_catf(o, "master.cf %s maxproc", sv);
		if (is_dovecot(it->svc))
			return qstr_catf(o, "Dovecot service %s-login "
			    "process_limit (with the other %s port)",
			    (it->svc == LSVC_IMAP || it->svc == LSVC_IMAPS) ?
			    "imap" : "pop3", (it->svc == LSVC_IMAP ||
			    it->svc == LSVC_IMAPS) ? "IMAP" : "POP3");
		return qstr_cat(o, "none: not a mail port");
	case LK_CONC_IP:
		if (it->addr != NULL && it->addr[0] != '\0')
			return qstr_cat(o, "none per client: Postfix cannot vary "
			    "the per-IP limit by client; exempt the client with "
			    "smtpd_client_event_limit_exceptions if its limit "
			    "was larger");
		if (is_smtp(it->svc))
			return qstr_catf(o, "smtpd_client_connection_count_limit"
			    " (%s)%s", sv, kernel ? " and nftables (the old "
			    "limit was in the kernel)" : "");
		if (is_dovecot(it->svc))
			return qstr_cat(o, "nftables ct count per IP: Dovecot "
			    "has no per-IP limit before login");
		return qstr_cat(o, "none: not a mail port");
	case LK_CONC_NET24:
		return qstr_cat(o, "nftables ct count per /24 (Postfix 3.7 "
		    "and Dovecot have none)");
	case LK_RATE_IP:
		if (is_smtp(it->svc))
			return qstr_catf(o, "smtpd_client_connection_rate_limit"
			    " + anvil_rate_time_unit (%s)%s", sv, kernel ?
			    " and nftables" : "");
		return qstr_cat(o, "nftables limit rate per IP (Dovecot has "
		    "none)");
	case LK_RATE_SERVICE:
		if (strncmp(it->source, "xinetd", 6) == 0)
			return qstr_cat(o, "none: xinetd cps switches the whole "
			    "service off for some seconds; Postfix and Dovecot "
			    "have no such switch. Instead: the per-IP count in "
			    "nftables; a global nftables rate is in the file, "
			    "commented out");
		return qstr_cat(o, "none: a rate for all clients together "
		    "starves good clients when one floods; a commented-out "
		    "nftables rule is in the file");
	case LK_TIMEOUT_HANDSHAKE:
		if (is_smtp(it->svc))
			return qstr_catf(o, "smtpd_starttls_timeout + "
			    "smtpd_per_request_deadline (%s)", sv);
		return qstr_cat(o, "none: Dovecot 2.3 waits a fixed 180 s "
		    "before login; the nftables per-IP count bounds what "
		    "stalled clients hold");
	case LK_TIMEOUT_IDLE:
		if (is_smtp(it->svc))
			return qstr_catf(o, "smtpd_timeout (%s)", sv);
		return qstr_cat(o, "none: Dovecot's idle timeouts are fixed "
		    "(180 s before login, 30 min IMAP autologout)");
	case LK_TIMEOUT_DATA:
		return qstr_cat(o, "none: smtpd_timeout covers every read, "
		    "DATA included");
	case LK_TIMEOUT_IDENT:
		return qstr_cat(o, "none: Postfix and Dovecot make no ident "
		    "lookups");
	case LK_MEMORY:
		if (is_dovecot(it->svc))
			return qstr_cat(o, "Dovecot service vsz_limit (at least "
			    "256 MB)");
		return qstr_cat(o, "none needed: Postfix limits its own "
		    "processes");
	case LK_LOADAVG:
		return qstr_cat(o, "none: neither Postfix nor Dovecot refuses "
		    "by load average; watch the load instead");
	case LK_KERNEL:
		return qstr_cat(o, "keep as it is (the sysctl lines)");
	case LK_ACCESS_DENY:
		if (it->addr != NULL && (it->addr[0] == '=' ||
		    strchr(it->addr, '@') != NULL))
			return qstr_cat(o, "not converted: a host name rule "
			    "needs reverse DNS: check_client_access hash: with "
			    "the name");
		return qstr_cat(o, is_smtp(it->svc) ? "client_access.cidr "
		    "REJECT (a reply instead of a silent close; an exact "
		    "drop needs nftables)" : "not converted: add an nftables "
		    "drop for this address");
	case LK_ACCESS_ALLOW:
		return qstr_cat(o, "nothing to write: Postfix allows by "
		    "default");
	case LK_RELAY:
		return relay_target(it, o);
	case LK_CLIENT_ENV:
		if (strncmp(it->detail, "DATABYTES", 9) == 0)
			return qstr_cat(o, "none per client: message_size_limit "
			    "is global; raise it for all or run a separate "
			    "smtpd for this client");
		if (strncmp(it->detail, "QMAILQUEUE", 10) == 0)
			return qstr_cat(o, "none per client: the filter becomes "
			    "a content_filter or milter; per client with "
			    "check_client_access FILTER");
		if (strncmp(it->detail, "RBLSMTPD=\"\"", 11) == 0)
			return qstr_cat(o, "permit_mynetworks (or a "
			    "check_client_access OK) before reject_rbl_client");
		if (strncmp(it->detail, "RBLSMTPD", 8) == 0)
			return qstr_cat(o, "check_client_access REJECT with this "
			    "text (rblsmtpd's per-client block)");
		if (strncmp(it->detail, "SMTPAUTH", 8) == 0)
			return qstr_cat(o, "smtpd_sasl_auth_enable / "
			    "smtpd_tls_auth_only in master.cf");
		return qstr_cat(o, "none: a variable of a qmail patch; check "
		    "what it did on the old host");
	case LK_USERIP:
		return qstr_cat(o, "mail_max_userip_connections");
	}
	(void)l;
	return 0;
}

static int
fmt_time(char *buf, size_t n, time_t t)
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return qpm_snprintf(buf, n, "-");
	if (strftime(buf, n, "%Y-%m-%d %H:%M", &tm) == 0)
		return qpm_snprintf(buf, n, "-");
	return 0;
}

static const char *
logerr_name(enum limits_logerr_kind k)
{
	switch (k) {
	case LE_TCPSERVER_FULL: return "tcpserver at its -c limit";
	case LE_USERIP: return "Dovecot mail_max_userip_connections reached";
	case LE_PROCESS_LIMIT: return "Dovecot login process_limit reached";
	case LE_PERIP: return "per-IP limit reached (courier/xinetd)";
	case LE_INSTANCES: return "xinetd instances reached";
	case LE_CPS: return "xinetd cps: service switched off";
	case LE_SMTPD_COUNT: return "Postfix per-IP count reached";
	}
	return "?";
}

static int
num_or_dash(char *b, size_t n, long v)
{
	if (v < 0)
		return qpm_snprintf(b, n, "-");
	return qpm_snprintf(b, n, "%ld", v);
}

int
limits_report(const struct limits *l, struct qstr *out)
{
	size_t i, k;
	int err;
	char b1[32], b2[32], b3[32], b4[32];

	if ((err = qstr_cat(out, "== Connection limits and timeouts ==\n\n"
	    "Every limit of the old host, with its new place or why it has "
	    "none:\n")) < 0)
		return err;
	for (i = 0; i < l->nitems; i++) {
		const struct limits_item *it = &l->items[i];
		struct qstr t = QSTR_INIT(8192);

		if ((err = item_target(l, it, &t)) < 0 ||
		    (err = qstr_catf(out, "  %s:%lu: %s [%s, %s] = %ld%s%s%s\n"
		    "      %s\n      -> %s\n", it->file, it->line, it->source,
		    limits_kind_name(it->kind), limits_svc_name(it->svc),
		    it->value, it->per > 0 ? " per " : "",
		    it->per > 0 ? (it->per == 60 ? "minute" : it->per == 1 ?
		    "second" : it->per == 3600 ? "hour" : "window") : "",
		    it->is_default ? " (program default)" : "",
		    it->detail, qstr_str(&t))) < 0) {
			qstr_free(&t);
			return err;
		}
		qstr_free(&t);
	}
	if (l->ndiags > 0 && (err = qstr_cat(out, "\nNot read (never guessed) "
	    "and notes:\n")) < 0)
		return err;
	for (i = 0; i < l->ndiags; i++)
		if ((err = qstr_catf(out, "  %s:%lu: %s%s\n", l->diags[i].file,
		    l->diags[i].line, l->diags[i].error ? "" : "note: ",
		    l->diags[i].text)) < 0)
			return err;
	if (l->nconflicts > 0 && (err = qstr_catf(out, "\nConflicting limits "
	    "(the %s one is kept%s):\n", l->keep_looser ? "looser" : "tighter",
	    l->keep_looser ? ", as asked" : "; ask for the looser with the "
	    "policy flag")) < 0)
		return err;
	for (i = 0; i < l->nconflicts; i++) {
		const struct limits_item *a = &l->items[l->conflicts[i].kept];
		const struct limits_item *b = &l->items[l->conflicts[i].other];

		if ((err = qstr_catf(out, "  %s on %s: kept %ld (%s:%lu %s), not "
		    "%ld (%s:%lu %s)\n", limits_kind_name(l->conflicts[i].kind),
		    limits_svc_name(l->conflicts[i].svc), a->value, a->file,
		    a->line, a->source, b->value, b->file, b->line,
		    b->source)) < 0)
			return err;
	}
	if (l->have_logs) {
		const struct limits_logstats *ls = &l->logs;

		(void)fmt_time(b1, sizeof(b1), ls->first);
		(void)fmt_time(b2, sizeof(b2), ls->last);
		if ((err = qstr_catf(out, "\nWhat the logs show (%lu files, %lu "
		    "lines, %lu read, %s .. %s UTC):\n", ls->files, ls->lines,
		    ls->lines_used, b1, b2)) < 0)
			return err;
		for (i = 0; i < LSVC_N; i++) {
			const struct limits_svcstats *ss = &ls->svc[i];
			size_t h;

			if (ss->connections == 0 && ss->peak == 0 &&
			    ss->login_ok == 0 && ss->login_fail == 0)
				continue;
			(void)fmt_time(b1, sizeof(b1), ss->peak_at);
			if ((err = qstr_catf(out, "  %-10s connections %lu, peak "
			    "%ld at %s", limits_svc_name((enum limits_svc)i),
			    ss->connections, ss->peak, b1)) < 0)
				return err;
			if (ss->status_max > 0 && (err = qstr_catf(out, " (limit "
			    "%ld, at the limit in %lu status lines)",
			    ss->status_max, ss->at_limit)) < 0)
				return err;
			if ((err = qstr_catf(out, "\n             per IP peak %ld"
			    "%s%s%s, per user+IP peak %ld%s%s, logins %lu ok / "
			    "%lu failed, denied %lu\n", ss->peak_ip,
			    ss->peak_ip > 0 ? " (" : "", ss->peak_ip > 0 ?
			    ss->peak_ip_addr : "", ss->peak_ip > 0 ? ")" : "",
			    ss->peak_userip, ss->peak_userip > 0 ? ": " : "",
			    ss->peak_userip > 0 ? ss->peak_user : "",
			    ss->login_ok, ss->login_fail, ss->denied)) < 0)
				return err;
			/* the busiest hours: the three highest peaks */
			{
				size_t chosen[3];

				for (k = 0; k < 3; k++) {
					long bv = 0;
					size_t bi = 0, c;

					for (h = 0; h < ss->hours.n; h++) {
						for (c = 0; c < k; c++)
							if (chosen[c] == h)
								break;
						if (c == k && ss->hours.peak[h] > bv) {
							bv = ss->hours.peak[h];
							bi = h;
						}
					}
					if (bv <= 0)
						break;
					chosen[k] = bi;
					(void)fmt_time(b1, sizeof(b1), (time_t)
					    (ss->hours.first_hour + (long)bi) *
					    3600);
					if ((err = qstr_catf(out, "%s%s peak %ld",
					    k == 0 ? "             busiest hours: " :
					    ", ", b1, bv)) < 0)
						return err;
				}
			}
			if (k > 0 && (err = qstr_cat(out, "\n")) < 0)
				return err;
		}
		if (ls->nerrs > 0 && (err = qstr_cat(out, "  limit errors:\n")) <
		    0)
			return err;
		for (i = 0; i < ls->nerrs; i++)
			if ((err = qstr_catf(out, "    %s on %s%s%s: %lu times "
			    "(first %s:%lu)\n", logerr_name(ls->errs[i].kind),
			    limits_svc_name(ls->errs[i].svc),
			    ls->errs[i].limit > 0 ? ", limit " : "",
			    ls->errs[i].limit > 0 ? (num_or_dash(b1, sizeof(b1),
			    ls->errs[i].limit), b1) : "", ls->errs[i].count,
			    ls->errs[i].file, ls->errs[i].line)) < 0)
				return err;
		if (ls->table_full > 0 && (err = qstr_catf(out, "  %lu events "
		    "not counted: a table reached its size limit\n",
		    ls->table_full)) < 0)
			return err;
	}
	if ((err = qstr_catf(out, "\nBefore and after (%s; headroom %u%%):\n"
	    "  %-38s %-10s %6s %8s %6s %11s %7s\n", l->size_from_logs ?
	    "sized from the logs" : "equivalent to the old host; the "
	    "recommendations apply with --size-from-logs", l->headroom_pct,
	    "target", "service", "old", "log peak", "errors", "recommended",
	    "written")) < 0)
		return err;
	for (i = 0; i < l->nsettings; i++) {
		const struct limits_setting *s = &l->settings[i];

		(void)num_or_dash(b1, sizeof(b1), s->old);
		(void)num_or_dash(b2, sizeof(b2), s->observed);
		(void)num_or_dash(b3, sizeof(b3), s->recommended);
		(void)num_or_dash(b4, sizeof(b4), s->value);
		if ((err = qstr_catf(out, "  %-38s %-10s %6s %8s %6lu %11s "
		    "%7s%s\n", limits_target_name(s->target),
		    s->svc == LSVC_HOST ? "all" : limits_svc_name(s->svc),
		    b1, b2, s->errors, b3, b4, s->perf_mode ? " (perf mode)" :
		    "")) < 0)
			return err;
		if (s->why != NULL && (err = qstr_catf(out, "      %s\n",
		    s->why)) < 0)
			return err;
	}
	return 0;
}

/* ---- JSON ---- */

static json_t *
item_json(const struct limits *l, const struct limits_item *it)
{
	json_t *o = json_object();
	struct qstr t = QSTR_INIT(8192);
	int err = 0;

	if (o == NULL)
		return NULL;
	err |= qpm_json_set_str(o, "file", it->file);
	err |= qpm_json_set_int(o, "line", (long long)it->line);
	err |= qpm_json_set_str(o, "source", it->source);
	err |= qpm_json_set_str(o, "kind", limits_kind_name(it->kind));
	err |= qpm_json_set_str(o, "service", limits_svc_name(it->svc));
	err |= qpm_json_set_int(o, "port", limits_svc_port(it->svc));
	err |= qpm_json_set_int(o, "value", it->value);
	if (it->per > 0)
		err |= qpm_json_set_int(o, "per_seconds", it->per);
	err |= qpm_json_set_str(o, "detail", it->detail);
	if (it->addr != NULL)
		err |= qpm_json_set_str(o, "address", it->addr);
	/* RELAYCLIENT="VALUE" did act on the old host (it let the client
	 * relay and rewrote recipients): not inert; target says why */
	err |= qpm_json_set_str(o, "inert", it->kind == LK_RELAY &&
	    it->value != 0 ? NULL : it->inert);
	err |= qpm_json_set_bool(o, "program_default", it->is_default);
	if (item_target(l, it, &t) < 0)
		err = 1;
	err |= qpm_json_set_str(o, "target", qstr_str(&t));
	qstr_free(&t);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
svc_json(const struct limits_svcstats *ss)
{
	json_t *o = json_object(), *h = json_object(), *pk = json_array(),
	    *cn = json_array();
	size_t i;
	int err = 0;

	if (o == NULL || h == NULL || pk == NULL || cn == NULL) {
		json_decref(o); json_decref(h); json_decref(pk); json_decref(cn);
		return NULL;
	}
	err |= qpm_json_set_int(o, "connections", (long long)ss->connections);
	err |= qpm_json_set_int(o, "peak", ss->peak);
	err |= qpm_json_set_int(o, "peak_at", (long long)ss->peak_at);
	err |= qpm_json_set_int(o, "status_limit", ss->status_max);
	err |= qpm_json_set_int(o, "at_limit", (long long)ss->at_limit);
	err |= qpm_json_set_int(o, "peak_per_ip", ss->peak_ip);
	err |= qpm_json_set_str(o, "peak_ip", ss->peak_ip_addr);
	err |= qpm_json_set_int(o, "peak_per_user_ip", ss->peak_userip);
	err |= qpm_json_set_str(o, "peak_user_ip", ss->peak_user);
	err |= qpm_json_set_int(o, "logins_ok", (long long)ss->login_ok);
	err |= qpm_json_set_int(o, "logins_failed", (long long)ss->login_fail);
	err |= qpm_json_set_int(o, "denied", (long long)ss->denied);
	for (i = 0; i < ss->hours.n; i++) {
		err |= qpm_json_append(pk, json_integer(ss->hours.peak[i]));
		err |= qpm_json_append(cn, json_integer((json_int_t)
		    ss->hours.conns[i]));
	}
	err |= qpm_json_set_int(h, "first", (long long)ss->hours.first_hour *
	    3600);
	err |= qpm_json_set_int(h, "step_seconds", 3600);
	err |= qpm_json_set(h, "peak", pk);
	err |= qpm_json_set(h, "connections", cn);
	err |= qpm_json_set(o, "hours", h);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
limits_json(const struct limits *l)
{
	json_t *o = json_object(), *a;
	size_t i, k;
	int err = 0;

	if (o == NULL)
		return NULL;
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->nitems; i++)
		err |= qpm_json_append(a, item_json(l, &l->items[i]));
	err |= qpm_json_set(o, "items", a);
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->ndiags; i++) {
		json_t *d = json_object();

		if (d == NULL) {
			err = 1;
			break;
		}
		err |= qpm_json_set_str(d, "file", l->diags[i].file);
		err |= qpm_json_set_int(d, "line", (long long)l->diags[i].line);
		err |= qpm_json_set_bool(d, "error", l->diags[i].error);
		err |= qpm_json_set_str(d, "text", l->diags[i].text);
		err |= qpm_json_append(a, d);
	}
	err |= qpm_json_set(o, "diagnostics", a);
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->nconflicts; i++) {
		json_t *c = json_object();

		if (c == NULL) {
			err = 1;
			break;
		}
		err |= qpm_json_set_str(c, "kind",
		    limits_kind_name(l->conflicts[i].kind));
		err |= qpm_json_set_str(c, "service",
		    limits_svc_name(l->conflicts[i].svc));
		err |= qpm_json_set_int(c, "kept_item",
		    (long long)l->conflicts[i].kept);
		err |= qpm_json_set_int(c, "other_item",
		    (long long)l->conflicts[i].other);
		err |= qpm_json_append(a, c);
	}
	err |= qpm_json_set(o, "conflicts", a);
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->nsettings; i++) {
		const struct limits_setting *s = &l->settings[i];
		json_t *so = json_object(), *src = json_array();

		if (so == NULL || src == NULL) {
			json_decref(so);
			json_decref(src);
			err = 1;
			break;
		}
		err |= qpm_json_set_str(so, "target",
		    limits_target_name(s->target));
		err |= qpm_json_set_str(so, "service", s->svc == LSVC_HOST ?
		    "all" : limits_svc_name(s->svc));
		err |= qpm_json_set_int(so, "old", s->old);
		if (s->per > 0)
			err |= qpm_json_set_int(so, "per_seconds", s->per);
		err |= qpm_json_set_int(so, "observed", s->observed);
		err |= qpm_json_set_int(so, "errors", (long long)s->errors);
		err |= qpm_json_set_int(so, "recommended", s->recommended);
		err |= qpm_json_set_int(so, "value", s->value);
		err |= qpm_json_set_bool(so, "from_logs", s->from_logs);
		err |= qpm_json_set_bool(so, "perf_mode", s->perf_mode);
		err |= qpm_json_set_str(so, "why", s->why != NULL ? s->why : "");
		for (k = 0; k < s->nsrc; k++)
			err |= qpm_json_append(src, json_integer((json_int_t)
			    s->src[k]));
		err |= qpm_json_set(so, "source_items", src);
		err |= qpm_json_append(a, so);
	}
	err |= qpm_json_set(o, "settings", a);
	if (l->have_logs) {
		json_t *lo = json_object(), *sv = json_object(), *ea;

		if (lo == NULL || sv == NULL || (ea = json_array()) == NULL) {
			json_decref(lo);
			json_decref(sv);
			goto fail;
		}
		err |= qpm_json_set_int(lo, "files", (long long)l->logs.files);
		err |= qpm_json_set_int(lo, "lines", (long long)l->logs.lines);
		err |= qpm_json_set_int(lo, "lines_used",
		    (long long)l->logs.lines_used);
		err |= qpm_json_set_int(lo, "bytes", (long long)l->logs.bytes);
		err |= qpm_json_set_int(lo, "first", (long long)l->logs.first);
		err |= qpm_json_set_int(lo, "last", (long long)l->logs.last);
		err |= qpm_json_set_int(lo, "not_counted",
		    (long long)l->logs.table_full);
		for (i = 0; i < LSVC_N; i++) {
			const struct limits_svcstats *ss = &l->logs.svc[i];

			if (ss->connections == 0 && ss->peak == 0 &&
			    ss->login_ok == 0 && ss->login_fail == 0)
				continue;
			err |= qpm_json_set(sv, limits_svc_name(
			    (enum limits_svc)i), svc_json(ss));
		}
		err |= qpm_json_set(lo, "services", sv);
		for (i = 0; i < l->logs.nerrs; i++) {
			const struct limits_logerr *le = &l->logs.errs[i];
			json_t *e = json_object();

			if (e == NULL) {
				err = 1;
				break;
			}
			err |= qpm_json_set_str(e, "kind", logerr_name(le->kind));
			err |= qpm_json_set_str(e, "service",
			    limits_svc_name(le->svc));
			err |= qpm_json_set_int(e, "limit", le->limit);
			err |= qpm_json_set_int(e, "count", (long long)le->count);
			err |= qpm_json_set_str(e, "file", le->file);
			err |= qpm_json_set_int(e, "line", (long long)le->line);
			err |= qpm_json_append(ea, e);
		}
		err |= qpm_json_set(lo, "errors", ea);
		err |= qpm_json_set(o, "logs", lo);
	}
	err |= qpm_json_set_str(o, "mynetworks", l->mynetworks);
	err |= qpm_json_set_str(o, "limit_exceptions", l->exempt);
	{
		json_t *p = json_object();

		if (p == NULL)
			goto fail;
		err |= qpm_json_set_bool(p, "size_from_logs", l->size_from_logs);
		err |= qpm_json_set_bool(p, "keep_looser", l->keep_looser);
		err |= qpm_json_set_int(p, "headroom_percent", l->headroom_pct);
		err |= qpm_json_set(o, "policy", p);
	}
	if (err)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}
