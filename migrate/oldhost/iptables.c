/*
 * NAME		iptables - read iptables-save output and nftables rules for
 *		the limits they put on mail ports: connlimit, hashlimit,
 *		recent, limit; nft ct count and limit rate
 * DOES		one item per limit and mail port; a rule it cannot read
 *		but that holds a limit is a file:line diagnostic
 * NEVER	guesses what an unknown target or match does
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/qstr.h"

#define IPT_MAX_TOKENS	128

static const enum limits_svc mail_svcs[] = { LSVC_SMTP, LSVC_SUBMISSION,
    LSVC_SMTPS, LSVC_POP3, LSVC_POP3S, LSVC_IMAP, LSVC_IMAPS };
#define NMAIL	(sizeof(mail_svcs) / sizeof(mail_svcs[0]))

/* "5/min", "10/second", "2/h" -> count and window seconds */
static int
rate(const char *s, long *n, long *per)
{
	const char *slash = strchr(s, '/');
	const char *u;

	if (slash == NULL)
		return -1;
	if ((*n = limits_number(s, (size_t)(slash - s))) < 0)
		return -1;
	u = slash + 1;
	if (strncmp(u, "s", 1) == 0)
		*per = 1;
	else if (strncmp(u, "m", 1) == 0)
		*per = 60;
	else if (strncmp(u, "h", 1) == 0)
		*per = 3600;
	else if (strncmp(u, "d", 1) == 0)
		*per = 86400;
	else
		return -1;
	return 0;
}

/* Mark the mail services a port list ("25", "110,143", "1:1024",
 * "{ 25, 465 }" words) names; returns how many ports were read. */
static int
ports(const char *s, int *mask)
{
	int n = 0;

	while (*s != '\0') {
		long a, b;
		size_t k = strcspn(s, ",:- {}");
		size_t i;

		if (k == 0) {
			s++;
			continue;
		}
		a = limits_number(s, k);
		if (a < 0) {
			enum limits_svc sv;
			char nm[32];

			if (k >= sizeof(nm))
				return -1;
			memcpy(nm, s, k);
			nm[k] = '\0';
			if ((sv = limits_svc_from_port(nm)) == LSVC_OTHER)
				return -1;
			*mask |= 1 << sv;
			s += k;
			n++;
			continue;
		}
		b = a;
		s += k;
		if (*s == ':' || *s == '-') {
			size_t k2 = strcspn(s + 1, ", {}");

			if ((b = limits_number(s + 1, k2)) < 0)
				return -1;
			s += 1 + k2;
		}
		for (i = 0; i < NMAIL; i++) {
			long p = limits_svc_port(mail_svcs[i]);

			if (p >= a && p <= b)
				*mask |= 1 << mail_svcs[i];
		}
		n++;
	}
	return n;
}

static int
add_each(struct limits *l, int mask, enum limits_kind kind, long v, long per,
    const char *source, const char *name, unsigned long line,
    const char *detail)
{
	size_t i;
	int idx, err;

	for (i = 0; i < NMAIL; i++) {
		if (!(mask & (1 << mail_svcs[i])))
			continue;
		idx = limits_add(l, kind, mail_svcs[i], v, per, source, name,
		    line, "%s", detail);
		if (idx < 0)
			return idx;
		if (kind == LK_CONC_IP || kind == LK_CONC_NET24 ||
		    kind == LK_RATE_IP)
			if ((err = limits_set_addr(l, (size_t)idx, "")) < 0)
				return err;
	}
	return 0;
}

static int
is_drop(const char *j)
{
	return j != NULL && (strcmp(j, "DROP") == 0 ||
	    strcmp(j, "REJECT") == 0 || strcmp(j, "TARPIT") == 0 ||
	    strstr(j, "DROP") != NULL || strstr(j, "REJECT") != NULL);
}

static int
ipt_rule(struct limits *l, const char *name, unsigned long line, char **t,
    size_t n)
{
	const char *jump = NULL, *src = NULL, *proto = NULL, *cl_above = NULL, *cl_upto = NULL,
	    *cl_mask = NULL, *hl_above = NULL, *hl_upto = NULL,
	    *hl_mode = NULL, *hl_burst = NULL, *rc_seconds = NULL,
	    *rc_hit = NULL, *lim = NULL, *lim_burst = NULL;
	int mask = 0, haveports = 0, rc_check = 0, unknown_opt = 0;
	char det[512];
	size_t i;
	long v, per;

	for (i = 0; i < n; i++) {
		const char *o = t[i], *a = i + 1 < n ? t[i + 1] : NULL;

#define ARG(var) do { if (a == NULL) goto bad; var = a; i++; } while (0)
		if (strcmp(o, "-j") == 0 || strcmp(o, "--jump") == 0)
			ARG(jump);
		else if (strcmp(o, "-p") == 0 || strcmp(o, "--protocol") == 0)
			ARG(proto);
		else if (strcmp(o, "-s") == 0 || strcmp(o, "--source") == 0 ||
		    strcmp(o, "--src-range") == 0)
			ARG(src);
		else if (strcmp(o, "--dport") == 0 || strcmp(o, "--dports") == 0 ||
		    strcmp(o, "--destination-port") == 0 ||
		    strcmp(o, "--destination-ports") == 0) {
			if (a == NULL || ports(a, &mask) < 0)
				goto bad;
			haveports = 1;
			i++;
		} else if (strcmp(o, "--connlimit-above") == 0)
			ARG(cl_above);
		else if (strcmp(o, "--connlimit-upto") == 0)
			ARG(cl_upto);
		else if (strcmp(o, "--connlimit-mask") == 0)
			ARG(cl_mask);
		else if (strcmp(o, "--hashlimit-above") == 0)
			ARG(hl_above);
		else if (strcmp(o, "--hashlimit-upto") == 0 ||
		    strcmp(o, "--hashlimit") == 0)
			ARG(hl_upto);
		else if (strcmp(o, "--hashlimit-mode") == 0)
			ARG(hl_mode);
		else if (strcmp(o, "--hashlimit-burst") == 0)
			ARG(hl_burst);
		else if (strcmp(o, "--update") == 0 || strcmp(o, "--rcheck") == 0)
			rc_check = 1;
		else if (strcmp(o, "--seconds") == 0)
			ARG(rc_seconds);
		else if (strcmp(o, "--hitcount") == 0)
			ARG(rc_hit);
		else if (strcmp(o, "--limit") == 0)
			ARG(lim);
		else if (strcmp(o, "--limit-burst") == 0)
			ARG(lim_burst);
		else if (strcmp(o, "--hashlimit-srcmask") == 0 &&
		    a != NULL && strcmp(a, "32") != 0)
			unknown_opt = 1;
#undef ARG
	}
	if (cl_above == NULL && cl_upto == NULL && hl_above == NULL &&
	    hl_upto == NULL && !(rc_check && rc_hit != NULL) && lim == NULL)
		return 0;	/* no limit in this rule */
	if (jump != NULL && strcmp(jump, "LOG") == 0)
		return 0;	/* a rate-limited log line, not a limit */
	if (proto != NULL && strcmp(proto, "tcp") != 0 &&
	    strcmp(proto, "6") != 0)
		return 0;	/* icmp, udp: not a mail connection */
	if (src != NULL)
		return limits_diag(l, 0, name, line, "limit only for source "
		    "%s: not converted (add it to the nftables file by hand)",
		    src) < 0 ? QPM_ENOMEM : 0;
	if (unknown_opt)
		goto bad;
	if (!haveports) {
		size_t k;

		for (k = 0; k < NMAIL; k++)
			mask |= 1 << mail_svcs[k];
	}
	if (mask == 0)
		return 0;	/* no mail port */
	if (cl_above != NULL || cl_upto != NULL) {
		int net24 = cl_mask != NULL && strcmp(cl_mask, "24") == 0;

		if (cl_mask != NULL && !net24 && strcmp(cl_mask, "32") != 0)
			goto bad;
		v = limits_number(cl_above != NULL ? cl_above : cl_upto,
		    strlen(cl_above != NULL ? cl_above : cl_upto));
		if (v < 0 || (cl_above != NULL && !is_drop(jump)) ||
		    (cl_upto != NULL && (jump == NULL ||
		    strcmp(jump, "ACCEPT") != 0)))
			goto bad;
		(void)qpm_snprintf(det, sizeof(det), "iptables connlimit %s %ld "
		    "per %s -j %s%s", cl_above != NULL ? "above" : "up to", v,
		    net24 ? "/24" : "IP", jump, haveports ? "" :
		    " (no --dport: every port)");
		return add_each(l, mask, net24 ? LK_CONC_NET24 : LK_CONC_IP, v,
		    0, "iptables connlimit", name, line, det);
	}
	if (hl_above != NULL || hl_upto != NULL) {
		int perip = hl_mode != NULL && strstr(hl_mode, "srcip") != NULL;

		if (rate(hl_above != NULL ? hl_above : hl_upto, &v, &per) < 0 ||
		    (hl_above != NULL && !is_drop(jump)) ||
		    (hl_upto != NULL && (jump == NULL ||
		    strcmp(jump, "ACCEPT") != 0)))
			goto bad;
		(void)qpm_snprintf(det, sizeof(det), "iptables hashlimit %s "
		    "%s%s%s%s -j %s", hl_above != NULL ? "above" : "up to",
		    hl_above != NULL ? hl_above : hl_upto,
		    perip ? " per source IP" : " (all clients together)",
		    hl_burst != NULL ? ", burst " : "",
		    hl_burst != NULL ? hl_burst : "", jump);
		return add_each(l, mask, perip ? LK_RATE_IP : LK_RATE_SERVICE,
		    v, per, "iptables hashlimit", name, line, det);
	}
	if (rc_check && rc_hit != NULL) {
		long h = limits_number(rc_hit, strlen(rc_hit));

		per = rc_seconds != NULL ? limits_number(rc_seconds,
		    strlen(rc_seconds)) : -1;
		if (h < 1 || per <= 0 || !is_drop(jump))
			goto bad;
		(void)qpm_snprintf(det, sizeof(det), "iptables recent: the "
		    "%ldth new connection within %ld s from one IP is "
		    "dropped (%ld allowed)", h, per, h - 1);
		return add_each(l, mask, LK_RATE_IP, h - 1, per,
		    "iptables recent", name, line, det);
	}
	if (lim != NULL) {
		if (rate(lim, &v, &per) < 0 || jump == NULL ||
		    strcmp(jump, "ACCEPT") != 0)
			goto bad;
		(void)qpm_snprintf(det, sizeof(det), "iptables limit %s "
		    "(all clients together)%s%s -j ACCEPT", lim,
		    lim_burst != NULL ? ", burst " : "",
		    lim_burst != NULL ? lim_burst : "");
		return add_each(l, mask, LK_RATE_SERVICE, v, per,
		    "iptables limit", name, line, det);
	}
bad:
	return limits_diag(l, 1, name, line, "a limit this reader cannot "
	    "read with certainty (target, mask or argument); not converted") <
	    0 ? QPM_ENOMEM : 0;
}

/* Split on blanks; "quoted strings" stay one token. */
static size_t
split(char *s, char **t, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		if (*s == '"') {
			t[n++] = ++s;
			while (*s != '\0' && *s != '"')
				s++;
		} else {
			t[n++] = s;
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '\r')
				s++;
		}
		if (*s != '\0')
			*s++ = '\0';
	}
	return n;
}

int
iptables_parse(struct limits *l, const char *name, const char *text,
    size_t len)
{
	char *t[IPT_MAX_TOKENS];
	size_t i = 0, n;
	unsigned long line = 0;
	char *buf;
	int err = 0;

	while (i < len && err >= 0) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : len;

		line++;
		if (e - i >= 2 && (text[i] == '-') && (text[i + 1] == 'A' ||
		    text[i + 1] == 'I')) {
			if ((buf = strndup(text + i, e - i)) == NULL)
				return QPM_ENOMEM;
			n = split(buf, t, IPT_MAX_TOKENS);
			if (n == IPT_MAX_TOKENS)
				err = limits_diag(l, 1, name, line, "rule too "
				    "long; not read");
			else
				err = ipt_rule(l, name, line, t, n);
			free(buf);
		}
		i = nl != NULL ? e + 1 : len;
	}
	return err < 0 ? err : 0;
}

/* nftables: one rule per line. */
static int
nft_rule(struct limits *l, const char *name, unsigned long line, const char *p,
    size_t n)
{
	char *s, *q, det[512];
	int mask = 0, haveports = 0, keyed, net24, err = 0;
	long v = -1, per = 0;
	const char *cc, *lr;

	if ((s = strndup(p, n)) == NULL)
		return QPM_ENOMEM;
	cc = strstr(s, "ct count");
	lr = strstr(s, "limit rate");
	if (cc == NULL && lr == NULL)
		goto out;
	if (strstr(s, "saddr") != NULL && strstr(s, "ip saddr") == NULL &&
	    strstr(s, "ip6 saddr") == NULL)
		goto bad;
	if ((q = strstr(s, "dport")) != NULL) {
		char *e;

		q += 5;
		while (*q == ' ')
			q++;
		if (*q == '{') {
			if ((e = strchr(q, '}')) == NULL)
				goto bad;
			*e = '\0';
			if (ports(q + 1, &mask) < 0)
				goto bad;
			*e = '}';
		} else {
			size_t k = strcspn(q, " \t");
			char c = q[k];

			q[k] = '\0';
			if (ports(q, &mask) < 0)
				goto bad;
			q[k] = c;
		}
		haveports = 1;
	} else {
		size_t k;

		for (k = 0; k < NMAIL; k++)
			mask |= 1 << mail_svcs[k];
	}
	if (mask == 0)
		goto out;
	keyed = strstr(s, "saddr") != NULL;
	net24 = strstr(s, "255.255.255.0") != NULL || strstr(s, "/24") != NULL;
	if (cc != NULL) {
		const char *x = cc + 8;

		while (*x == ' ')
			x++;
		if (strncmp(x, "over", 4) == 0)
			x += 4;
		while (*x == ' ')
			x++;
		v = limits_number(x, strspn(x, "0123456789"));
		if (v < 0 || !keyed)
			goto bad;
		(void)qpm_snprintf(det, sizeof(det), "nftables ct count %ld per "
		    "%s%s", v, net24 ? "/24" : "IP", haveports ? "" :
		    " (no dport: every port)");
		err = add_each(l, mask, net24 ? LK_CONC_NET24 : LK_CONC_IP, v,
		    0, "nftables ct count", name, line, det);
		goto out;
	}
	{
		const char *x = lr + 10;
		char r[64];

		while (*x == ' ')
			x++;
		if (strncmp(x, "over", 4) == 0)
			x += 4;
		while (*x == ' ')
			x++;
		(void)qpm_snprintf(r, sizeof(r), "%.*s",
		    (int)strcspn(x, " \t}"), x);
		if (rate(r, &v, &per) < 0)
			goto bad;
		(void)qpm_snprintf(det, sizeof(det), "nftables limit rate %s %s",
		    r, keyed ? "per source IP" : "(all clients together)");
		err = add_each(l, mask, keyed ? LK_RATE_IP : LK_RATE_SERVICE, v,
		    per, "nftables limit rate", name, line, det);
		goto out;
	}
bad:
	err = limits_diag(l, 1, name, line, "a limit this reader cannot read "
	    "with certainty; not converted");
out:
	free(s);
	return err < 0 ? err : 0;
}

int
nftrules_parse(struct limits *l, const char *name, const char *text,
    size_t len)
{
	size_t i = 0;
	unsigned long line = 0;
	int err = 0;

	while (i < len && err >= 0) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : len;
		size_t k = i;

		line++;
		while (k < e && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k < e && text[k] != '#')
			err = nft_rule(l, name, line, text + k, e - k);
		i = nl != NULL ? e + 1 : len;
	}
	return err < 0 ? err : 0;
}
