/*
 * NAME		nftables - OUT/nftables/qmail2postfix.nft
 * DOES		the per-client limits Postfix and Dovecot cannot express (count
 *		per IP and per /24, rate per IP) as one nftables table; the
 *		old host's global rates as rules commented out
 * NEVER	loads the rules
 */
#include <config.h>

#include <string.h>

#include "migrate/model/limits.h"
#include "mail/esc_postfix.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/qstr.h"

#define LIMITS_BIG	((size_t)1 << 28)	/* one generated file */

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

			if (s->target != LT_NFT_RATE_IP) {
				/* per address, or per /24 (/64) network */
				int net = s->target == LT_NFT_CONN_NET24;

				what = net ? "net" : "conn";
				err = qstr_catf(&sets, "\tset %s%zu_%d { type %s; "
				    "flags dynamic; size 65535; }\n", what, nset,
				    fam, ty);
				if (err == 0)
					err = qstr_catf(&rules, "\t\ttcp dport "
					    "%s%s%s ct state new add @%s%zu_%d { %s"
					    "%s%s ct count over %ld } reject with "
					    "tcp reset\n", p, ports.buf, pe, what,
					    nset, fam, sa, net ? " & " : "", !net ?
					    "" : fam == 4 ? "255.255.255.0" :
					    "ffff:ffff:ffff:ffff::", s->value);
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
		    (!limits_svc_is_dovecot(it->svc) && !limits_svc_is_smtp(it->svc)))
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
write_nftables(const struct model *m, const struct wopts *o)
{
	struct qstr s = QSTR_INIT(LIMITS_BIG);
	int e;

	if (!m->climits.recommended)
		return 0;
	/* always written: an empty ruleset still loads and says so */
	if ((e = limits_nftables(&m->climits, &s)) == 0)
		e = writer_file(o, "nftables/qmail2postfix.nft", &s,
		    QPM_MODE_PUBLIC);
	qstr_free(&s);
	return e;
}
