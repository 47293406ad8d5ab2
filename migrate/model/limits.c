/*
 * NAME		limits - the limits model: items and diagnostics
 * DOES		holds what the limits readers found (items, each with its
 *		file and line) and the diagnostics they gave
 * NEVER	reads a file, guesses a value
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "util/err.h"
#include "util/qstr.h"

static const struct {
	const char *name;
	int port;
} svc_tab[LSVC_N] = {
	[LSVC_SMTP] = { "smtp", 25 },
	[LSVC_SUBMISSION] = { "submission", 587 },
	[LSVC_SMTPS] = { "smtps", 465 },
	[LSVC_POP3] = { "pop3", 110 },
	[LSVC_POP3S] = { "pop3s", 995 },
	[LSVC_IMAP] = { "imap", 143 },
	[LSVC_IMAPS] = { "imaps", 993 },
	[LSVC_OTHER] = { "other", 0 },
	[LSVC_HOST] = { "host", 0 },
};

/* /etc/services names seen in run scripts and xinetd files. */
static const struct {
	const char *name;
	enum limits_svc svc;
} port_names[] = {
	{ "smtp", LSVC_SMTP }, { "mail", LSVC_SMTP },
	{ "submission", LSVC_SUBMISSION }, { "msa", LSVC_SUBMISSION },
	{ "smtps", LSVC_SMTPS }, { "ssmtp", LSVC_SMTPS },
	{ "submissions", LSVC_SMTPS }, { "urd", LSVC_SMTPS },
	{ "pop3", LSVC_POP3 }, { "pop-3", LSVC_POP3 },
	{ "pop3s", LSVC_POP3S }, { "imap", LSVC_IMAP },
	{ "imap2", LSVC_IMAP }, { "imaps", LSVC_IMAPS },
};

const char *
limits_svc_name(enum limits_svc svc)
{
	if ((unsigned)svc >= LSVC_N)
		return "?";
	return svc_tab[svc].name;
}

int
limits_svc_port(enum limits_svc svc)
{
	if ((unsigned)svc >= LSVC_N)
		return 0;
	return svc_tab[svc].port;
}

enum limits_svc
limits_svc_from_port(const char *port)
{
	size_t i;
	long n;

	if (port == NULL)
		return LSVC_OTHER;
	n = limits_number(port, strlen(port));
	if (n >= 0) {
		for (i = 0; i < LSVC_OTHER; i++)
			if (svc_tab[i].port == n)
				return (enum limits_svc)i;
		return LSVC_OTHER;
	}
	for (i = 0; i < sizeof(port_names) / sizeof(port_names[0]); i++)
		if (strcmp(port_names[i].name, port) == 0)
			return port_names[i].svc;
	return LSVC_OTHER;
}

const char *
limits_kind_name(enum limits_kind kind)
{
	switch (kind) {
	case LK_CONC_SERVICE:	return "connections per listener";
	case LK_CONC_IP:	return "connections per client IP";
	case LK_CONC_NET24:	return "connections per client /24";
	case LK_RATE_IP:	return "new connections per IP per time";
	case LK_RATE_SERVICE:	return "new connections per listener per time";
	case LK_TIMEOUT_HANDSHAKE: return "TLS handshake timeout";
	case LK_TIMEOUT_IDLE:	return "idle (per read) timeout";
	case LK_TIMEOUT_DATA:	return "DATA timeout";
	case LK_TIMEOUT_IDENT:	return "ident lookup timeout";
	case LK_MEMORY:		return "memory per process";
	case LK_LOADAVG:	return "load average ceiling";
	case LK_KERNEL:		return "kernel setting";
	case LK_ACCESS_DENY:	return "access: deny";
	case LK_ACCESS_ALLOW:	return "access: allow";
	case LK_RELAY:		return "relay permission";
	case LK_CLIENT_ENV:	return "per-client variable";
	case LK_USERIP:		return "connections per user and IP";
	}
	return "?";
}

int
limits_svc_is_smtp(enum limits_svc s)
{
	return s == LSVC_SMTP || s == LSVC_SUBMISSION || s == LSVC_SMTPS;
}

int
limits_svc_is_dovecot(enum limits_svc s)
{
	return s == LSVC_POP3 || s == LSVC_POP3S || s == LSVC_IMAP ||
	    s == LSVC_IMAPS;
}

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

const char *
limits_logerr_name(enum limits_logerr_kind k)
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

const struct limits_setting *
limits_setting_find(const struct limits *l, enum limits_target t,
    enum limits_svc svc)
{
	size_t i;

	for (i = 0; i < l->nsettings; i++)
		if (l->settings[i].target == t && l->settings[i].svc == svc)
			return &l->settings[i];
	return NULL;
}

long
limits_number(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

void
limits_init(struct limits *l)
{
	memset(l, 0, sizeof(*l));
}

static void
series_free(struct limits_series *s)
{
	free(s->peak);
	free(s->conns);
	memset(s, 0, sizeof(*s));
}

void
limits_free(struct limits *l)
{
	size_t i;

	for (i = 0; i < l->nitems; i++) {
		free(l->items[i].source);
		free(l->items[i].detail);
		free(l->items[i].addr);
		free(l->items[i].file);
		free(l->items[i].inert);
	}
	free(l->items);
	for (i = 0; i < l->ndiags; i++) {
		free(l->diags[i].file);
		free(l->diags[i].text);
	}
	free(l->diags);
	free(l->conflicts);
	for (i = 0; i < l->nsettings; i++)
		free(l->settings[i].why);
	free(l->settings);
	for (i = 0; i < l->logs.nerrs; i++)
		free(l->logs.errs[i].file);
	free(l->logs.errs);
	for (i = 0; i < LSVC_N; i++)
		series_free(&l->logs.svc[i].hours);
	free(l->exempt);
	free(l->mynetworks);
	memset(l, 0, sizeof(*l));
}

static char *
vdupf(const char *fmt, va_list ap)
{
	struct qstr s = QSTR_INIT(64 * 1024);

	if (qstr_vcatf(&s, fmt, ap) < 0) {
		qstr_free(&s);
		return NULL;
	}
	if (s.buf == NULL)
		return strdup("");
	return s.buf;
}

int
limits_add(struct limits *l, enum limits_kind kind, enum limits_svc svc,
    long value, long per, const char *source, const char *file,
    unsigned long line, const char *detailfmt, ...)
{
	struct limits_item *it, *ni;
	va_list ap;
	size_t ncap;

	if (l->nitems == l->capitems) {
		if (l->capitems > 1000000)
			return QPM_ERANGE;
		ncap = l->capitems == 0 ? 32 : l->capitems * 2;
		if ((ni = realloc(l->items, ncap * sizeof(*ni))) == NULL)
			return QPM_ENOMEM;
		l->items = ni;
		l->capitems = ncap;
	}
	it = &l->items[l->nitems];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->svc = svc;
	it->value = value;
	it->per = per;
	it->line = line;
	it->source = strdup(source);
	it->file = strdup(file != NULL ? file : "");
	if (detailfmt != NULL) {
		va_start(ap, detailfmt);
		it->detail = vdupf(detailfmt, ap);
		va_end(ap);
	} else
		it->detail = strdup("");
	if (it->source == NULL || it->file == NULL || it->detail == NULL) {
		free(it->source);
		free(it->file);
		free(it->detail);
		return QPM_ENOMEM;
	}
	l->nitems++;
	return (int)(l->nitems - 1);
}

int
limits_set_inert(struct limits *l, size_t idx, const char *why)
{
	char *s;

	if (idx >= l->nitems)
		return QPM_EINVAL;
	if ((s = strdup(why)) == NULL)
		return QPM_ENOMEM;
	free(l->items[idx].inert);
	l->items[idx].inert = s;
	return 0;
}

int
limits_set_addr(struct limits *l, size_t idx, const char *addr)
{
	char *s;

	if (idx >= l->nitems)
		return QPM_EINVAL;
	if ((s = strdup(addr)) == NULL)
		return QPM_ENOMEM;
	free(l->items[idx].addr);
	l->items[idx].addr = s;
	return 0;
}

int
limits_diag(struct limits *l, int error, const char *file, unsigned long line,
    const char *fmt, ...)
{
	struct limits_diag *d, *nd;
	va_list ap;
	size_t ncap;

	if (l->ndiags == l->capdiags) {
		if (l->capdiags > 100000)
			return QPM_ERANGE;
		ncap = l->capdiags == 0 ? 16 : l->capdiags * 2;
		if ((nd = realloc(l->diags, ncap * sizeof(*nd))) == NULL)
			return QPM_ENOMEM;
		l->diags = nd;
		l->capdiags = ncap;
	}
	d = &l->diags[l->ndiags];
	va_start(ap, fmt);
	d->text = vdupf(fmt, ap);
	va_end(ap);
	if (d->text == NULL)
		return QPM_ENOMEM;
	{
		/* one file read for two listeners says it once */
		size_t i = l->ndiags > 64 ? l->ndiags - 64 : 0;

		for (; i < l->ndiags; i++)
			if (l->diags[i].line == line &&
			    strcmp(l->diags[i].text, d->text) == 0 &&
			    strcmp(l->diags[i].file, file != NULL ? file : "") ==
			    0) {
				free(d->text);
				return 0;
			}
	}
	d->error = error;
	d->line = line;
	d->file = strdup(file != NULL ? file : "");
	if (d->file == NULL) {
		free(d->file);
		free(d->text);
		return QPM_ENOMEM;
	}
	l->ndiags++;
	return 0;
}
