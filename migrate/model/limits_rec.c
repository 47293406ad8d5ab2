/*
 * NAME		limits_rec - one value per target from the old host's limits
 *		and, when asked, from what its logs show
 * DOES		finds conflicts (tighter kept unless told), picks Postfix,
 *		Dovecot and nftables values, sizes them from log peaks with a
 *		stated headroom, so that the limit errors the logs show go away
 * NEVER	invents an old value: a target without a source says so
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "util/err.h"
#include "util/qstr.h"

#define DOVECOT_DEFAULT_USERIP	10	/* Dovecot 2.3 default */
#define DOVECOT_DEFAULT_VSZ	(256L * 1024 * 1024)	/* default_vsz_limit */
#define IMAP_USERIP_FLOOR	20	/* several devices behind one NAT */
#define LOGIN_PERF_PROCS	4	/* process_min_avail: about the cores */

/* the old host's own firewall: its limits stay in the kernel (nftables)
 * even where Postfix has a setting of its own */
static int
is_kernel(const struct limits_item *it)
{
	return strncmp(it->source, "iptables", 8) == 0 ||
	    strncmp(it->source, "nftables", 8) == 0;
}

static int
active(const struct limits_item *it)
{
	return it->inert == NULL;
}

/* rate comparison: v1/p1 < v2/p2 */
static int
tighter(const struct limits_item *a, const struct limits_item *b)
{
	if (a->per > 0 && b->per > 0)
		return a->value * b->per < b->value * a->per;
	return a->value < b->value;
}

/* The effective item of (kind, svc): the tighter (or looser) of the
 * active ones that apply to every client; -1 when none. Conflicts go to
 * l->conflicts. */
static long
effective(struct limits *l, enum limits_kind kind, enum limits_svc svc,
    int (*filter)(const struct limits_item *))
{
	long best = -1;
	size_t i;

	for (i = 0; i < l->nitems; i++) {
		struct limits_item *it = &l->items[i];

		if (it->kind != kind || it->svc != svc || !active(it) ||
		    it->value < 0)
			continue;
		if (it->addr != NULL && it->addr[0] != '\0')
			continue;	/* a per-client rule, not the limit */
		if (filter != NULL && !filter(it))
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		if (l->items[best].is_default && !it->is_default) {
			best = (long)i;
			continue;
		}
		if (it->is_default)
			continue;
		if (it->value == l->items[best].value &&
		    it->per == l->items[best].per)
			continue;
		{
			struct limits_conflict *nc;
			int t = tighter(it, &l->items[best]);
			size_t keep = (t != l->keep_looser) ? i : (size_t)best;
			size_t other = keep == i ? (size_t)best : i, c;

			for (c = 0; c < l->nconflicts; c++)
				if (l->conflicts[c].kept == keep &&
				    l->conflicts[c].other == other)
					break;
			if (c < l->nconflicts) {
				best = (long)keep;
				continue;
			}
			nc = realloc(l->conflicts, (l->nconflicts + 1) *
			    sizeof(*nc));
			if (nc != NULL) {
				l->conflicts = nc;
				nc[l->nconflicts].kind = kind;
				nc[l->nconflicts].svc = svc;
				nc[l->nconflicts].kept = keep;
				nc[l->nconflicts].other = other;
				l->nconflicts++;
			}
			best = (long)keep;
		}
	}
	return best;
}

static unsigned long
errs(const struct limits *l, enum limits_logerr_kind kind, enum limits_svc svc,
    long *limit)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < l->logs.nerrs; i++)
		if (l->logs.errs[i].kind == kind && l->logs.errs[i].svc == svc) {
			n += l->logs.errs[i].count;
			if (limit != NULL && l->logs.errs[i].limit > *limit)
				*limit = l->logs.errs[i].limit;
		}
	return n;
}

static long
ceil_head(long v, unsigned pct)
{
	return (v * (100 + (long)pct) + 99) / 100;
}

static struct limits_setting *
setting_new(struct limits *l, enum limits_target t, enum limits_svc svc)
{
	struct limits_setting *ns, *s;

	if ((ns = realloc(l->settings, (l->nsettings + 1) * sizeof(*ns))) ==
	    NULL)
		return NULL;
	l->settings = ns;
	s = &ns[l->nsettings++];
	memset(s, 0, sizeof(*s));
	s->target = t;
	s->svc = svc;
	s->old = s->observed = s->recommended = s->value = -1;
	return s;
}

static void
src_add(struct limits_setting *s, long idx)
{
	if (idx >= 0 && s->nsrc < sizeof(s->src) / sizeof(s->src[0]))
		s->src[s->nsrc++] = (size_t)idx;
}

static int
why(struct limits_setting *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
why(struct limits_setting *s, const char *fmt, ...)
{
	struct qstr q = QSTR_INIT(8192);
	va_list ap;
	int err;

	if (s->why != NULL && (err = qstr_cat(&q, s->why)) < 0)
		return err;
	if (q.len > 0 && (err = qstr_cat(&q, " ")) < 0)
		return err;
	va_start(ap, fmt);
	err = qstr_vcatf(&q, fmt, ap);
	va_end(ap);
	if (err < 0) {
		qstr_free(&q);
		return err;
	}
	free(s->why);
	s->why = q.buf;
	return 0;
}

static void
finish(struct limits *l, struct limits_setting *s)
{
	if (l->size_from_logs && s->recommended >= 0) {
		s->value = s->recommended;
		s->from_logs = 1;
	} else
		s->value = s->old;
}

/* Size a count from a log peak and the errors seen; returns -1 when the
 * logs say nothing about it. */
static long
size_count(struct limits *l, struct limits_setting *s, long old, long peak,
    unsigned long nerr, long errlimit, long floor)
{
	unsigned pct = l->headroom_pct;
	long rec;

	if (!l->have_logs || (peak <= 0 && nerr == 0))
		return -1;
	rec = ceil_head(peak > 0 ? peak : 0, pct);
	if (nerr > 0) {
		long lim = errlimit > 0 ? errlimit : old;
		long twice = lim > 0 ? 2 * lim : rec;

		/* the logs hit the limit: demand is at least the limit and
		 * unknown above it, so a peak+headroom figure would repeat
		 * the errors; at least double the limit that was hit */
		if (twice >= rec) {
			rec = twice;
			(void)why(s, "The logs show %lu limit error%s (limit "
			    "%ld): the real demand is above what was allowed "
			    "and cannot be measured, so the limit that was hit "
			    "is doubled (%ld).", nerr, nerr == 1 ? "" : "s",
			    lim, rec);
		} else
			(void)why(s, "The logs show %lu limit error%s (limit "
			    "%ld); log peak %ld + %u%% headroom = %ld, more "
			    "than twice the limit.", nerr, nerr == 1 ? "" : "s",
			    lim, peak, pct, rec);
	} else
		(void)why(s, "Log peak %ld + %u%% headroom = %ld.", peak, pct,
		    rec);
	if (rec < floor) {
		(void)why(s, "Raised to the floor of %ld.", floor);
		rec = floor;
	}
	return rec;
}

/* master.cf maxproc of one smtpd listener; 0 when the port has none
 * (then it gets no other setting either), 1 when set */
static int
smtpd_maxproc(struct limits *l, enum limits_svc sv)
{
	struct limits_svcstats *ss = &l->logs.svc[sv];
	struct limits_setting *s;
	long e, lim = 0;
	unsigned long n;

	if ((e = effective(l, LK_CONC_SERVICE, sv, NULL)) < 0)
		return 0;	/* no listener on this port */
	if ((s = setting_new(l, LT_PF_MAXPROC, sv)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	s->old = l->items[e].value;
	s->observed = l->have_logs ? ss->peak : -1;
	s->errors = n = errs(l, LE_TCPSERVER_FULL, sv, &lim);
	s->recommended = size_count(l, s, s->old, ss->peak, n, lim, 10);
	(void)why(s, "Postfix defers the accept at maxproc as tcpserver -c "
	    "did.");
	finish(l, s);
	return 1;
}

/* smtpd_client_connection_count_limit and _rate_limit of a listener */
static int
smtpd_per_ip(struct limits *l, enum limits_svc sv)
{
	struct limits_svcstats *ss = &l->logs.svc[sv];
	struct limits_setting *s;
	long e, lim = 0;
	unsigned long n;

	e = effective(l, LK_CONC_IP, sv, NULL);
	if ((s = setting_new(l, LT_PF_CONN_COUNT, sv)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	s->old = e >= 0 ? l->items[e].value : -1;
	s->observed = l->have_logs ? ss->peak_ip : -1;
	s->errors = n = errs(l, LE_SMTPD_COUNT, sv, &lim);
	if (e >= 0)
		s->recommended = size_count(l, s, s->old, ss->peak_ip, n, lim,
		    2);
	if (e < 0)
		(void)why(s, "The old host had no per-IP limit here: 0 (none) "
		    "keeps it so.");
	else
		(void)why(s, "Postfix answers 421 after the accept where the "
		    "old host dropped the connection.");
	finish(l, s);
	if (s->value < 0)
		s->value = 0;
	if ((e = effective(l, LK_RATE_IP, sv, NULL)) < 0)
		return 0;
	if ((s = setting_new(l, LT_PF_CONN_RATE, sv)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	s->old = l->items[e].value;
	s->per = l->items[e].per;
	(void)why(s, "anvil counts per fixed window of anvil_rate_time_unit "
	    "and answers 421.");
	finish(l, s);
	return 0;
}

/* smtpd_starttls_timeout: the listener's handshake limit; smtps gets
 * one even when its limit was inert or missing */
static int
smtpd_tls(struct limits *l, enum limits_svc sv)
{
	struct limits_setting *s;
	long e, v;
	size_t j;

	e = effective(l, LK_TIMEOUT_HANDSHAKE, sv, NULL);
	if (e < 0 && !(sv == LSVC_SMTPS && l->items != NULL))
		return 0;
	for (j = 0; e < 0 && j < l->nitems; j++)
		if (l->items[j].kind == LK_TIMEOUT_HANDSHAKE &&
		    l->items[j].svc == sv && active(&l->items[j]))
			e = (long)j;
	if (e < 0)
		return 0;
	if ((s = setting_new(l, LT_PF_STARTTLS_TIMEOUT, sv)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	v = l->items[e].value;
	s->old = v;
	if (v <= 0) {
		s->value = 30;
		(void)why(s, "The old TLS listener had no handshake timeout: "
		    "stalled handshakes held its slots for days. 30 s with "
		    "smtpd_per_request_deadline = yes bounds the whole "
		    "handshake.");
	} else {
		s->value = v;
		(void)why(s, "smtpd_per_request_deadline = yes makes it a "
		    "deadline for the whole handshake, as the old option was.");
	}
	return 0;
}

/* smtpd_timeout: the listener's own environment, else
 * control/timeoutsmtpd, else sslserver -w */
static int
smtpd_idle(struct limits *l, enum limits_svc sv)
{
	struct limits_setting *s;
	long env = -1, ctl = -1, w = -1, e;
	size_t j;

	for (j = 0; j < l->nitems; j++) {
		struct limits_item *it = &l->items[j];

		if (it->kind != LK_TIMEOUT_IDLE || !active(it))
			continue;
		if (it->svc == sv && strncmp(it->source, "QMAIL_", 6) == 0)
			env = (long)j;
		else if (strcmp(it->source, "control/timeoutsmtpd") == 0)
			ctl = (long)j;
		else if (it->svc == sv)
			w = (long)j;
	}
	if ((e = env >= 0 ? env : ctl >= 0 ? ctl : w) < 0)
		return 0;
	if ((s = setting_new(l, LT_PF_TIMEOUT, sv)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	if (env >= 0 && ctl >= 0 && env != e)
		src_add(s, ctl);
	s->old = l->items[e].value;
	if (env >= 0 && ctl >= 0)
		(void)why(s, "The listener's %s overrides control/timeoutsmtpd "
		    "(%ld s).", l->items[env].source, l->items[ctl].value);
	finish(l, s);
	return 0;
}

/* Every Postfix setting of one smtpd listener. */
static int
smtpd(struct limits *l, enum limits_svc sv)
{
	int e;

	if ((e = smtpd_maxproc(l, sv)) <= 0)
		return e;
	if ((e = smtpd_per_ip(l, sv)) < 0 || (e = smtpd_tls(l, sv)) < 0)
		return e;
	return smtpd_idle(l, sv);
}

/* service PROTO-login process_limit: one login service serves the plain
 * and the TLS port, so it gets the sum of the two old limits */
static int
dovecot_login(struct limits *l, enum limits_svc plain, enum limits_svc tls)
{
	const char *proto = plain == LSVC_POP3 ? "pop3" : "imap";
	struct limits_setting *s;
	long e, e2, sum, peak, plim = 0;
	unsigned long nerr;

	e = effective(l, LK_CONC_SERVICE, plain, NULL);
	e2 = effective(l, LK_CONC_SERVICE, tls, NULL);
	if (e < 0 && e2 < 0)
		return 0;
	if ((s = setting_new(l, LT_DC_LOGIN_PROCESSES, plain)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	src_add(s, e2);
	sum = (e >= 0 ? l->items[e].value : 0) +
	    (e2 >= 0 ? l->items[e2].value : 0);
	s->old = sum;
	peak = l->logs.svc[plain].peak + l->logs.svc[tls].peak;
	s->observed = l->have_logs ? peak : -1;
	nerr = errs(l, LE_PROCESS_LIMIT, plain, &plim) +
	    errs(l, LE_TCPSERVER_FULL, plain, NULL) +
	    errs(l, LE_TCPSERVER_FULL, tls, NULL) +
	    errs(l, LE_INSTANCES, plain, NULL) +
	    errs(l, LE_INSTANCES, tls, NULL);
	s->errors = nerr;
	(void)why(s, "One %s-login service serves port %d and port %d, so it "
	    "gets the sum of the two old limits.", proto,
	    limits_svc_port(plain), limits_svc_port(tls));
	s->recommended = size_count(l, s, sum, peak, nerr,
	    plim > sum ? plim : sum, 10);
	if (errs(l, LE_PROCESS_LIMIT, plain, NULL) > 0) {
		s->perf_mode = 1;
		(void)why(s, "Dovecot's own process_limit (%ld) was reached: in "
		    "high-security mode every TLS session keeps its login "
		    "process as a proxy after login, so switching to "
		    "high-performance mode (service_count = 0, "
		    "process_min_avail = %d) is recommended.", plim,
		    LOGIN_PERF_PROCS);
	}
	finish(l, s);
	if (!s->from_logs)
		s->perf_mode = 0;
	return 0;
}

/* mail_max_userip_connections: no old limit counted per user and IP */
static int
dovecot_userip(struct limits *l, enum limits_svc plain, enum limits_svc tls)
{
	const struct limits_svcstats *a = &l->logs.svc[plain],
	    *b = &l->logs.svc[tls];
	long floor = plain == LSVC_IMAP ? IMAP_USERIP_FLOOR :
	    DOVECOT_DEFAULT_USERIP, uiplim = 0;
	struct limits_setting *s;

	if ((s = setting_new(l, LT_DC_USERIP, plain)) == NULL)
		return QPM_ENOMEM;
	s->observed = l->have_logs ? (a->peak_userip > b->peak_userip ?
	    a->peak_userip : b->peak_userip) : -1;
	s->errors = errs(l, LE_USERIP, plain, &uiplim) +
	    errs(l, LE_USERIP, tls, &uiplim);
	s->recommended = size_count(l, s, DOVECOT_DEFAULT_USERIP, s->observed,
	    s->errors, uiplim, floor);
	s->value = floor;
	(void)why(s, "No old limit counts per user and IP (the old per-IP "
	    "limits go to nftables); %ld is %s.", floor, plain == LSVC_IMAP ?
	    "the floor for several devices behind one NAT address" :
	    "Dovecot's default");
	if (l->size_from_logs && s->recommended > floor) {
		s->value = s->recommended;
		s->from_logs = 1;
	}
	return 0;
}

/* service PROTO vsz_limit: the old memory limit, at least Dovecot's */
static int
dovecot_vsz(struct limits *l, enum limits_svc plain, enum limits_svc tls)
{
	struct limits_setting *s;
	long e;

	if ((e = effective(l, LK_MEMORY, plain, NULL)) < 0)
		e = effective(l, LK_MEMORY, tls, NULL);
	if (e < 0)
		return 0;
	if ((s = setting_new(l, LT_DC_VSZ, plain)) == NULL)
		return QPM_ENOMEM;
	src_add(s, e);
	s->old = l->items[e].value;
	s->value = s->old > DOVECOT_DEFAULT_VSZ ? s->old : DOVECOT_DEFAULT_VSZ;
	(void)why(s, "The old limit was for a different program (%s); "
	    "Dovecot's %s processes map index files and need at least its "
	    "default of 256 MB.", l->items[e].detail, plain == LSVC_POP3 ?
	    "pop3" : "imap");
	return 0;
}

/* auth_failure_delay: Dovecot's default, written so that it shows */
static int
auth_delay(struct limits *l)
{
	struct limits_setting *s;
	unsigned long n = 0;
	size_t i;

	if ((s = setting_new(l, LT_DC_AUTH_DELAY, LSVC_HOST)) == NULL)
		return QPM_ENOMEM;
	s->value = 2;
	for (i = 0; i < LSVC_N; i++)
		n += l->logs.svc[i].login_fail;
	s->observed = l->have_logs ? (long)n : -1;
	(void)why(s, "Every failed login waits 2 s (Dovecot's default, written "
	    "so that it shows); vchkpw had no delay.");
	return 0;
}

/* nftables: per-IP and per-/24 counts and rates the servers cannot
 * express (Dovecot has no per-IP pre-login limit), and every limit the
 * old host's own firewall enforced */
static int
nft(struct limits *l, enum limits_svc sv)
{
	int dovecot = limits_svc_is_dovecot(sv);
	struct limits_setting *s;
	long e;

	if (!dovecot && !limits_svc_is_smtp(sv))
		return 0;
	e = effective(l, LK_CONC_IP, sv, dovecot ? NULL : is_kernel);
	if (e >= 0) {
		if ((s = setting_new(l, LT_NFT_CONN_IP, sv)) == NULL)
			return QPM_ENOMEM;
		src_add(s, e);
		s->old = l->items[e].value;
		s->observed = l->have_logs ? l->logs.svc[sv].peak_ip : -1;
		s->errors = errs(l, LE_PERIP, sv, NULL);
		s->recommended = size_count(l, s, s->old, s->observed,
		    s->errors, s->old, 2);
		finish(l, s);
	}
	if ((e = effective(l, LK_CONC_NET24, sv, NULL)) >= 0) {
		if ((s = setting_new(l, LT_NFT_CONN_NET24, sv)) == NULL)
			return QPM_ENOMEM;
		src_add(s, e);
		s->old = s->value = l->items[e].value;
		(void)why(s, "Neither Postfix 3.7 nor Dovecot counts per /24.");
	}
	e = effective(l, LK_RATE_IP, sv, dovecot ? NULL : is_kernel);
	if (e >= 0) {
		if ((s = setting_new(l, LT_NFT_RATE_IP, sv)) == NULL)
			return QPM_ENOMEM;
		src_add(s, e);
		s->old = s->value = l->items[e].value;
		s->per = l->items[e].per;
	}
	return 0;
}

/* Every setting, in the order the report and migration.json list them:
 * the smtpd listeners, the Dovecot protocols, auth, nftables. */
static int
build(struct limits *l)
{
	static const enum limits_svc smtps[] = { LSVC_SMTP, LSVC_SUBMISSION,
	    LSVC_SMTPS };
	static const enum limits_svc plain[] = { LSVC_POP3, LSVC_IMAP },
	    tls[] = { LSVC_POP3S, LSVC_IMAPS };
	size_t i;
	int e = 0;

	for (i = 0; i < 3 && e >= 0; i++)
		e = smtpd(l, smtps[i]);
	for (i = 0; i < 2 && e >= 0; i++)
		if ((e = dovecot_login(l, plain[i], tls[i])) >= 0 &&
		    (e = dovecot_userip(l, plain[i], tls[i])) >= 0)
			e = dovecot_vsz(l, plain[i], tls[i]);
	if (e >= 0)
		e = auth_delay(l);
	for (i = 0; i < LSVC_N && e >= 0; i++)
		e = nft(l, (enum limits_svc)i);
	return e < 0 ? e : 0;
}

/* tcprules: mynetworks from RELAYCLIENT="", exceptions from rules that
 * drop the default rule's MAXCONNIP */
static int
networks(struct limits *l)
{
	struct qstr my = QSTR_INIT(1 << 20), ex = QSTR_INIT(1 << 20);
	int has_default_ip = 0, err = 0;
	size_t i, j;

	for (i = 0; i < l->nitems; i++) {
		struct limits_item *it = &l->items[i];

		if (it->svc == LSVC_SMTP && it->kind == LK_CONC_IP &&
		    it->addr != NULL && it->addr[0] == '\0' &&
		    strcmp(it->source, "tcprules") == 0)
			has_default_ip = 1;
	}
	for (i = 0; i < l->nitems && err == 0; i++) {
		struct limits_item *it = &l->items[i];
		struct qstr c = QSTR_INIT(64 * 1024);

		if (it->svc != LSVC_SMTP || it->addr == NULL ||
		    it->addr[0] == '\0')
			continue;
		if (it->kind == LK_RELAY && it->value == 0 && active(it)) {
			if (limits_addr_cidrs(it->addr, &c) == 0)
				err = qstr_catf(&my, "%s%s", my.len ? " " : "",
				    qstr_str(&c));
		} else if (it->kind == LK_ACCESS_ALLOW && has_default_ip) {
			int limited = 0;

			for (j = 0; j < l->nitems; j++)
				if (l->items[j].kind == LK_CONC_IP &&
				    l->items[j].svc == LSVC_SMTP &&
				    l->items[j].addr != NULL &&
				    strcmp(l->items[j].addr, it->addr) == 0 &&
				    strcmp(l->items[j].file, it->file) == 0 &&
				    l->items[j].line == it->line)
					limited = 1;
			for (j = 0; j < l->nitems && !limited; j++)
				if (l->items[j].kind == LK_RELAY &&
				    l->items[j].value == 0 &&
				    l->items[j].svc == LSVC_SMTP &&
				    l->items[j].addr != NULL &&
				    strcmp(l->items[j].addr, it->addr) == 0)
					limited = 1;	/* in mynetworks */
			if (!limited && limits_addr_cidrs(it->addr, &c) == 0)
				err = qstr_catf(&ex, "%s%s", ex.len ? " " : "",
				    qstr_str(&c));
		}
		qstr_free(&c);
	}
	if (err == 0 && my.len > 0)
		l->mynetworks = strdup(my.buf);
	if (err == 0 && ex.len > 0)
		l->exempt = strdup(ex.buf);
	qstr_free(&my);
	qstr_free(&ex);
	return err;
}

/* control files that the run scripts made irrelevant */
static int
control_inert(struct limits *l)
{
	size_t i, j;
	int err;

	for (i = 0; i < l->nitems; i++) {
		struct limits_item *c = &l->items[i];
		int script = 0, reads = 0;

		if (strcmp(c->source, "control/concurrencyincoming") != 0)
			continue;
		for (j = 0; j < l->nitems; j++) {
			struct limits_item *it = &l->items[j];

			if (it->kind != LK_CONC_SERVICE || it->svc != LSVC_SMTP ||
			    j == i || strstr(it->source, "-c") == NULL)
				continue;
			script = 1;
			if (strstr(it->detail, "concurrencyincoming") != NULL)
				reads = 1;
		}
		if (script && (err = limits_set_inert(l, i, reads ?
		    "the smtp run script reads it into tcpserver -c (counted "
		    "there)" : "no run script reads it: the tcpserver -c of "
		    "the smtp run script is what applied")) < 0)
			return err;
	}
	return 0;
}

int
limits_recommend(struct limits *l, const struct limits_policy *pol)
{
	size_t i;
	int err;

	for (i = 0; i < l->nsettings; i++)
		free(l->settings[i].why);
	free(l->settings);
	l->settings = NULL;
	l->nsettings = 0;
	free(l->conflicts);
	l->conflicts = NULL;
	l->nconflicts = 0;
	free(l->mynetworks);
	free(l->exempt);
	l->mynetworks = l->exempt = NULL;
	l->size_from_logs = pol != NULL ? pol->size_from_logs : 0;
	l->keep_looser = pol != NULL ? pol->keep_looser : 0;
	l->headroom_pct = pol != NULL && pol->headroom_pct > 0 ?
	    pol->headroom_pct : 50;
	if ((err = control_inert(l)) < 0 || (err = networks(l)) < 0 ||
	    (err = build(l)) < 0)
		return err;
	l->recommended = 1;
	return 0;
}
