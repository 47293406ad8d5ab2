/*
 * NAME		limits_target - what each limit of the old host became, in words
 * DOES		the "# from FILE:LINE" lines above a written value, the target
 *		text of each item (report and migration.json), and the
 *		accounting of every item in the model's counts
 * NEVER	writes a file; renders a target's own syntax
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "mail/json.h"
#include "migrate/model/limits.h"
#include "mail/esc_postfix.h"
#include "migrate/write/limits_text.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/qstr.h"

/* "# from FILE:LINE (source: detail)" for each source of a setting */
int
limits_prov(const struct limits *l, const struct limits_setting *s,
    const char *ind, struct qstr *out)
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
	    limits_addr_cidrs(addr, &c) < 0 || c.len == 0) {
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
 * limits_addr_cidrs() can write them (limits_rec.c, networks()); the
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
	bad = limits_addr_cidrs(it->addr, &c) < 0;
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

int
limits_item_target(const struct limits *l, const struct limits_item *it,
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
		if (limits_svc_is_smtp(it->svc))
			return qstr_catf(o, "master.cf %s maxproc", sv);
		if (limits_svc_is_dovecot(it->svc))
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
		if (limits_svc_is_smtp(it->svc))
			return qstr_catf(o, "smtpd_client_connection_count_limit"
			    " (%s)%s", sv, kernel ? " and nftables (the old "
			    "limit was in the kernel)" : "");
		if (limits_svc_is_dovecot(it->svc))
			return qstr_cat(o, "nftables ct count per IP: Dovecot "
			    "has no per-IP limit before login");
		return qstr_cat(o, "none: not a mail port");
	case LK_CONC_NET24:
		return qstr_cat(o, "nftables ct count per /24 (Postfix 3.7 "
		    "and Dovecot have none)");
	case LK_RATE_IP:
		if (limits_svc_is_smtp(it->svc))
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
		if (limits_svc_is_smtp(it->svc))
			return qstr_catf(o, "smtpd_starttls_timeout + "
			    "smtpd_per_request_deadline (%s)", sv);
		return qstr_cat(o, "none: Dovecot 2.3 waits a fixed 180 s "
		    "before login; the nftables per-IP count bounds what "
		    "stalled clients hold");
	case LK_TIMEOUT_IDLE:
		if (limits_svc_is_smtp(it->svc))
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
		if (limits_svc_is_dovecot(it->svc))
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
		return qstr_cat(o, limits_svc_is_smtp(it->svc) ? "client_access.cidr "
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

/* ---- every item in the model's counts ---- */

/* the target text of it as migration.json carries it (text that is
 * not UTF-8 in its visible form), in the model's pool; NULL: no memory */
static const char *
item_target(struct model *m, const struct limits *l,
    const struct limits_item *it)
{
	struct qstr t = QSTR_INIT(8192);
	const char *r = NULL;
	json_t *j = NULL;

	if (limits_item_target(l, it, &t) == 0 &&
	    (j = qpm_json_string(qstr_str(&t))) != NULL)
		r = model_strdup(m, json_string_value(j));
	json_decref(j);
	qstr_free(&t);
	return r;
}

/* control bytes of the old files never reach stderr or the report */
static const char *
clean(struct model *m, const char *t)
{
	struct qstr q = QSTR_INIT(65536);
	const char *r;

	for (; *t != '\0'; t++)
		if (qstr_catc(&q, (unsigned char)*t < ' ' ||
		    (unsigned char)*t == 0x7f ? '?' : *t) < 0)
			break;
	r = model_strdup(m, q.len ? q.buf : "");
	qstr_free(&q);
	return r;
}

static struct src
limits_src(struct model *m, const char *file, unsigned long line)
{
	struct src src;

	/* the module names files relative to the root; the model, as the
	 * old host's absolute paths */
	src.file = model_file(m, file[0] == '/' ? file :
	    model_printf(m, "/%s", file));
	src.line = line;
	return src;
}

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int
write_limits_account(struct model *m)
{
	const struct limits *l = &m->climits;
	const struct limits_item *it;
	const char *t, *reason, *todo, *cut;
	struct src src;
	size_t i;

	for (i = 0; i < l->nitems; i++) {
		it = &l->items[i];
		t = item_target(m, l, it);
		if (t == NULL)
			return QPM_ENOMEM;
		src = limits_src(m, it->file, it->line);
		model_read(m, CAT_LIMITS);
		/* an inert limit had no effect and gets none: equivalent.
		 * RELAYCLIENT="VALUE" did act (relaying, and a rewrite of
		 * every recipient): its target is a "none: ... Instead:"
		 * text, listed below */
		if (starts(t, "none: no effect on the old host") ||
		    starts(t, "none needed")) {
			model_converted(m, CAT_LIMITS);
			continue;
		}
		if (it->kind == LK_CLIENT_ENV &&
		    starts(t, "check_client_access REJECT")) {
			reason = "rblsmtpd's per-client block is not written";
			todo = t;
		} else if (starts(t, "none") || starts(t, "not converted")) {
			reason = strchr(t, ':') != NULL ? strchr(t, ':') + 1 : t;
			while (*reason == ' ')
				reason++;
			if (starts(t, "none per client"))
				reason = model_printf(m, "no per-client form: %s",
				    reason);
			todo = "see \"Connection limits and timeouts\" in "
			    "this report";
			if ((cut = strstr(reason, " Instead: ")) != NULL ||
			    (cut = strstr(reason, "; ")) != NULL) {
				todo = cut[0] == ';' ? cut + 2 : cut + 10;
				reason = model_strndup(m, reason,
				    (size_t)(cut - reason));
			}
		} else {
			model_converted(m, CAT_LIMITS);
			continue;
		}
		model_list(m, CAT_LIMITS, src, model_printf(m, "%s: %s (%s)",
		    it->source, clean(m, it->detail), limits_svc_name(it->svc)),
		    reason, todo);
	}
	for (i = 0; i < l->ndiags; i++) {
		const struct limits_diag *d = &l->diags[i];

		src = limits_src(m, d->file, d->line);
		if (d->error) {
			model_read(m, CAT_LIMITS);
			model_list(m, CAT_LIMITS, src, "limit",
			    clean(m, d->text), "read the line and set the "
			    "limit by hand (it was not guessed)");
		} else
			model_note(m, src, "limits", clean(m, d->text),
			    "nothing, unless the note says otherwise");
	}
	return m->nomem ? QPM_ENOMEM : 0;
}
