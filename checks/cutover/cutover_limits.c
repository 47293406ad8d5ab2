/*
 * NAME		cutover_limits - connection limits, live probes, rehearsal
 * DOES		the before/after limits table and the old logs' per-hour
 *		peaks from migration.json; warns where the logs show the new
 *		limit would refuse real clients; with --probe-limits connects
 *		to the new host's SMTP, IMAP and POP3 ports (banner, and for
 *		SMTP whether the per-client connection limit answers 421);
 *		summarizes a "qmail2postfix rehearse --json" result
 * NEVER	opens more than CUT_PROBE_MAX_CONN connections at once, waits
 *		longer than CUT_PROBE_TIMEOUT_MS per step, sends more than QUIT
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks/cutover/cutover_int.h"
#include "util/err.h"
#include "util/file.h"

#define CUT_REHEARSAL_MAX	(64 * 1024 * 1024)
#define CUT_LIST_SHOWN		10	/* addresses named in one finding */

/* ---- limits ---- */

static int
is_count(const char *setting)
{
	return strstr(setting, "timeout") == NULL &&
	    strstr(setting, "rate") == NULL && strstr(setting, "vsz") == NULL &&
	    strstr(setting, "delay") == NULL;
}

static const char *
master_service(const char *svc)
{
	if (strchr(svc, '/') != NULL)
		return svc;
	if (strcmp(svc, "smtp") == 0)
		return "smtp/inet";
	if (strcmp(svc, "submission") == 0)
		return "submission/inet";
	if (strcmp(svc, "smtps") == 0)
		return "smtps/inet";
	return svc;
}

static void
limit_fix(struct qstr *q, const struct cut_limit *l, long long v)
{
	const char *svc = l->service;

	if (strcmp(l->setting, "master.cf maxproc") == 0 ||
	    strcmp(l->setting, "process_limit") == 0) {
		if (strncmp(svc, "imap", 4) == 0 || strncmp(svc, "pop3", 4) == 0)
			(void)qstr_catf(q, "OUT/dovecot/dovecot.conf:\n  service "
			    "%.4s-login {\n    process_limit = %lld\n  }", svc, v);
		else
			(void)qstr_catf(q, "postconf -c OUT/postfix -Fe "
			    "'%s/maxproc = %lld'", master_service(svc), v);
	} else if (strcmp(l->setting, "service *-login process_limit") == 0)
		(void)qstr_catf(q, "OUT/dovecot/dovecot.conf:\n  service "
		    "%.4s-login {\n    process_limit = %lld\n  }", svc, v);
	else if (strcmp(l->setting, "mail_max_userip_connections") == 0)
		(void)qstr_catf(q, "OUT/dovecot/dovecot.conf:\n  protocol %.4s "
		    "{\n    mail_max_userip_connections = %lld\n  }", svc, v);
	else if (strncmp(l->setting, "smtpd_", 6) == 0)
		(void)qstr_catf(q, "postconf -c OUT/postfix -Pe "
		    "'%s/%s = %lld'", master_service(svc), l->setting, v);
	else if (strncmp(l->setting, "nftables", 8) == 0)
		(void)qstr_catf(q, "OUT/nftables/qmail2postfix.nft: %s %s: %lld",
		    svc, l->setting, v);
	else
		(void)qstr_catf(q, "%s for %s: %lld", l->setting, svc, v);
}

static void
limits_findings(struct cut_ctx *c, const struct cut_limit *l)
{
	struct qstr ev = QSTR_INIT(4096), fix = QSTR_INIT(1024);
	long long want;

	if (!is_count(l->setting) || l->value <= 0)
		goto out;
	(void)qstr_catf(&ev, "%s %s: old %lld, new %lld, log peak %lld, "
	    "limit errors in the logs %lld, recommended %lld", l->service,
	    l->setting, l->old, l->value, l->observed, l->errors,
	    l->recommended);
	if (l->why != NULL)
		(void)qstr_catf(&ev, "\n%s", l->why);
	if (l->errors > 0 && l->recommended > l->value) {
		limit_fix(&fix, l, l->recommended);
		(void)qstr_cat(&fix, "\n(or run qmail2postfix with "
		    "--size-from-logs)");
		cut_add(c, FIND_WARNING, "limits", l->service, "limits.too-low",
		    qstr_str(&ev), qstr_str(&fix), 0, "%s %s stays %lld, but the "
		    "old logs show %lld refusals at the old limit: the new host "
		    "refuses the same clients", l->service, l->setting,
		    l->value, l->errors);
	} else if (l->observed > l->value) {
		want = l->recommended > l->observed ? l->recommended :
		    l->observed + (l->observed + 1) / 2;
		limit_fix(&fix, l, want);
		cut_add(c, FIND_WARNING, "limits", l->service, "limits.peak",
		    qstr_str(&ev), qstr_str(&fix), 0, "%s %s is %lld, below the "
		    "old logs' peak of %lld", l->service, l->setting, l->value,
		    l->observed);
	}
out:
	qstr_free(&ev);
	qstr_free(&fix);
}

void
cut_check_limits(struct cut_ctx *c)
{
	const struct cut_mig *m = c->m;
	json_t *lo = json_object(), *rows = json_array(), *ser = json_array();
	size_t i, k;

	if (lo == NULL || rows == NULL || ser == NULL) {
		json_decref(lo);
		json_decref(rows);
		json_decref(ser);
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "limits", lo);
	cj_str(c, lo, "form", m->limits_detailed ? "detailed" : "list");
	cj_set(c, lo, "rows", rows);
	cj_set(c, lo, "series", ser);
	if (m->logs_first > 0) {
		cj_int(c, lo, "logs_first", m->logs_first);
		cj_int(c, lo, "logs_last", m->logs_last);
	}
	for (i = 0; i < m->nlimits && c->err == 0; i++) {
		const struct cut_limit *l = &m->limits[i];
		json_t *o = json_object();

		if (o == NULL) {
			c->err = QPM_ENOMEM;
			return;
		}
		cj_append(c, rows, o);
		cj_str(c, o, "service", l->service);
		cj_str(c, o, "setting", l->setting);
		if (l->old_text != NULL)
			cj_str(c, o, "old", l->old_text);
		else
			cj_int(c, o, "old", l->old);
		cj_int(c, o, "value", l->value);
		cj_int(c, o, "recommended", l->recommended);
		cj_int(c, o, "observed", l->observed);
		cj_int(c, o, "errors", l->errors);
		if (l->per_seconds > 0)
			cj_int(c, o, "per_seconds", l->per_seconds);
		cj_str(c, o, "why", l->why);
		cj_str(c, o, "source", l->source);
		if (m->limits_detailed)
			limits_findings(c, l);
	}
	for (i = 0; i < m->nseries && c->err == 0; i++) {
		const struct cut_series *s = &m->series[i];
		json_t *o = json_object(), *pk = json_array();
		long long peak = 0;

		if (o == NULL || pk == NULL) {
			json_decref(o);
			json_decref(pk);
			c->err = QPM_ENOMEM;
			return;
		}
		cj_append(c, ser, o);
		cj_str(c, o, "service", s->service);
		cj_int(c, o, "first", s->first);
		cj_int(c, o, "step_seconds", s->step);
		cj_int(c, o, "limit", s->limit);
		cj_int(c, o, "old_limit", s->old_limit);
		for (k = 0; k < s->n; k++) {
			cj_append(c, pk, json_integer(s->peak[k]));
			if (s->peak[k] > peak)
				peak = s->peak[k];
		}
		cj_set(c, o, "peak", pk);
		cj_int(c, o, "max_peak", peak);
	}
	if (m->nlimits == 0)
		cut_add(c, FIND_INFO, "limits", "-", "limits.none", NULL, NULL,
		    0, "migration.json has no connection limits");
	else if (findings_worst(c->f, "limits", NULL) == 0)
		cut_add(c, FIND_INFO, "limits", "-", "limits.ok", NULL, NULL, 0,
		    "%zu connection limits carried over%s", m->nlimits,
		    m->nseries > 0 ? "; none below what the old logs show" :
		    " (no log sizing in migration.json)");
}

/* ---- live probes ---- */

struct probe_conn {
	int	 fd;
	char	 line[256];
	int	 status;	/* 0 banner read, -1 refused, -2 timeout,
				 * -3 closed, -4 other error */
};

static int
wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { fd, ev, 0 };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r;
}

static void
probe_connect(const struct sockaddr_storage *ss, socklen_t sl, int banner,
    struct probe_conn *pc)
{
	int fd, err = 0, r;
	socklen_t el = sizeof(err);
	size_t n = 0;

	memset(pc, 0, sizeof(*pc));
	pc->fd = -1;
	pc->status = -4;
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)ss, sl) < 0) {
		if (errno != EINPROGRESS) {
			pc->status = errno == ECONNREFUSED ? -1 : -4;
			close(fd);
			return;
		}
		if (wait_fd(fd, POLLOUT, CUT_PROBE_TIMEOUT_MS) <= 0) {
			pc->status = -2;
			close(fd);
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 ||
		    err != 0) {
			pc->status = err == ECONNREFUSED ? -1 : -4;
			close(fd);
			return;
		}
	}
	pc->fd = fd;
	pc->status = 0;
	if (!banner)
		return;
	while (n < sizeof(pc->line) - 1) {
		if (wait_fd(fd, POLLIN, CUT_PROBE_TIMEOUT_MS) <= 0) {
			pc->status = n > 0 ? 0 : -2;
			break;
		}
		r = (int)read(fd, pc->line + n, sizeof(pc->line) - 1 - n);
		if (r <= 0) {
			pc->status = n > 0 ? 0 : -3;
			break;
		}
		n += (size_t)r;
		pc->line[n] = '\0';
		if (memchr(pc->line, '\n', n) != NULL)
			break;
	}
	pc->line[n] = '\0';
	pc->line[strcspn(pc->line, "\r\n")] = '\0';
}

static void
probe_close(struct probe_conn *pc, int smtp)
{
	if (pc->fd < 0)
		return;
	if (smtp && pc->status == 0 && strncmp(pc->line, "220", 3) == 0)
		(void)!write(pc->fd, "QUIT\r\n", 6);
	close(pc->fd);
	pc->fd = -1;
}

static const char *
probe_status(const struct probe_conn *pc)
{
	switch (pc->status) {
	case 0:		return "open";
	case -1:	return "refused";
	case -2:	return "timeout";
	case -3:	return "closed";
	default:	return "error";
	}
}

static int
tls_port(const char *svc)
{
	return strcmp(svc, "smtps") == 0 || strcmp(svc, "imaps") == 0 ||
	    strcmp(svc, "pop3s") == 0;
}

static int
banner_ok(const char *svc, const char *line)
{
	if (strncmp(svc, "smtp", 4) == 0 || strcmp(svc, "submission") == 0)
		return strncmp(line, "220", 3) == 0;
	if (strncmp(svc, "imap", 4) == 0)
		return strncmp(line, "* OK", 4) == 0;
	if (strncmp(svc, "pop3", 4) == 0)
		return strncmp(line, "+OK", 3) == 0;
	return 1;
}

static long long
smtp_count_limit(const struct cut_mig *m)
{
	size_t i;

	for (i = 0; i < m->nlimits; i++)
		if ((strcmp(m->limits[i].service, "smtp") == 0 ||
		    strcmp(m->limits[i].service, "smtp/inet") == 0) &&
		    strcmp(m->limits[i].setting,
		    "smtpd_client_connection_count_limit") == 0)
			return m->limits[i].value;
	return -1;
}

static void
probe_smtp_count(struct cut_ctx *c, json_t *pj,
    const struct sockaddr_storage *ss, socklen_t sl, const char *where)
{
	struct probe_conn pc[CUT_PROBE_MAX_CONN];
	long long lim = smtp_count_limit(c->m);
	json_t *o, *res;
	struct qstr ev = QSTR_INIT(8192);
	size_t i, n;
	int enforced;

	if (lim <= 0 || lim + 1 > CUT_PROBE_MAX_CONN)
		return;
	n = (size_t)lim + 1;
	if ((o = json_object()) == NULL || (res = json_array()) == NULL) {
		json_decref(o);
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, pj, "smtp_count", o);
	cj_int(c, o, "limit", lim);
	cj_set(c, o, "results", res);
	for (i = 0; i < n; i++) {
		probe_connect(ss, sl, 1, &pc[i]);
		(void)qstr_catf(&ev, "connection %zu to %s: %s%s%s\n", i + 1,
		    where, probe_status(&pc[i]), pc[i].line[0] ? " " : "",
		    pc[i].line);
		cj_append(c, res, json_string(pc[i].status == 0 ?
		    (pc[i].line[0] != '\0' ? pc[i].line : "open") :
		    probe_status(&pc[i])));
	}
	enforced = pc[n - 1].status != 0 || strncmp(pc[n - 1].line, "421",
	    3) == 0;
	for (i = 0; i < n; i++)
		probe_close(&pc[i], 1);
	cj_bool(c, o, "enforced", enforced);
	if (ev.len > 0)
		ev.buf[--ev.len] = '\0';
	if (enforced)
		cut_add(c, FIND_INFO, "probe", "smtp", "probe.smtp-count",
		    qstr_str(&ev), NULL, 0, "Connection %zu from one address "
		    "is refused: smtpd_client_connection_count_limit %lld is "
		    "in force", n, lim);
	else
		cut_add(c, FIND_WARNING, "probe", "smtp", "probe.smtp-count",
		    qstr_str(&ev), "Check smtpd_client_connection_count_limit "
		    "and smtpd_client_event_limit_exceptions (it exempts "
		    "$mynetworks, loopback included, by default):\n  postconf "
		    "-e 'smtpd_client_event_limit_exceptions ='", 0,
		    "Connection %zu from one address was accepted: the "
		    "per-client limit of %lld is not in force for this client",
		    n, lim);
	qstr_free(&ev);
}

/* HOST: an address, or a name asked through our resolver. */
static int
probe_address(struct cut_ctx *c, const char *host, char *addr,
    size_t len)
{
	unsigned char b[16];
	struct dns_answer a;
	int ok = -1;

	if (inet_pton(AF_INET, host, b) == 1 ||
	    inet_pton(AF_INET6, host, b) == 1)
		return qpm_snprintf(addr, len, "%s", host) < 0 ? -1 : 0;
	memset(&a, 0, sizeof(a));
	if (dns_query(&c->dns, host, DNS_T_A, &a) == DNS_OK && a.n > 0)
		ok = qpm_snprintf(addr, len, "%s", a.rr[0].text) < 0 ? -1 : 0;
	dns_answer_free(&a);
	return ok;
}

void
cut_check_probes(struct cut_ctx *c)
{
	const struct cut_probe_port *ports = c->o->ports;
	size_t nports = c->o->nports, i;
	struct sockaddr_storage ss;
	socklen_t sl;
	char addr[64], where[128];
	json_t *pj, *arr;

	if (c->o->probe_host == NULL)
		return;
	if (nports == 0) {
		ports = cut_probe_default_ports;
		nports = cut_probe_ndefault_ports;
	}
	if ((pj = json_object()) == NULL || (arr = json_array()) == NULL) {
		json_decref(pj);
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "probes", pj);
	cj_str(c, pj, "host", c->o->probe_host);
	cj_set(c, pj, "ports", arr);
	if (probe_address(c, c->o->probe_host, addr, sizeof(addr)) < 0) {
		cut_add(c, FIND_WARNING, "probe", c->o->probe_host,
		    "probe.host", NULL, "Give --probe-limits an address.", 0,
		    "Cannot find the address of %s to probe it",
		    c->o->probe_host);
		return;
	}
	cj_str(c, pj, "address", addr);
	for (i = 0; i < nports && c->err == 0; i++) {
		struct probe_conn pc;
		struct qstr ev = QSTR_INIT(1024);
		json_t *o = json_object();
		int tls = tls_port(ports[i].service), good;

		memset(&ss, 0, sizeof(ss));
		if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->
		    sin_addr) == 1) {
			((struct sockaddr_in *)&ss)->sin_family = AF_INET;
			((struct sockaddr_in *)&ss)->sin_port =
			    htons((uint16_t)ports[i].port);
			sl = sizeof(struct sockaddr_in);
			(void)qpm_snprintf(where, sizeof(where), "%s:%u", addr,
			    ports[i].port);
		} else {
			(void)inet_pton(AF_INET6, addr,
			    &((struct sockaddr_in6 *)&ss)->sin6_addr);
			((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)&ss)->sin6_port =
			    htons((uint16_t)ports[i].port);
			sl = sizeof(struct sockaddr_in6);
			(void)qpm_snprintf(where, sizeof(where), "[%s]:%u",
			    addr, ports[i].port);
		}
		if (o == NULL) {
			c->err = QPM_ENOMEM;
			return;
		}
		cj_append(c, arr, o);
		probe_connect(&ss, sl, !tls, &pc);
		good = pc.status == 0 && (tls || banner_ok(ports[i].service,
		    pc.line));
		cj_str(c, o, "service", ports[i].service);
		cj_int(c, o, "port", ports[i].port);
		cj_str(c, o, "status", probe_status(&pc));
		cj_str(c, o, "banner", tls ? NULL : pc.line);
		cj_bool(c, o, "tls", tls);
		(void)qstr_catf(&ev, "connect %s: %s%s%s", where,
		    probe_status(&pc), pc.line[0] ? ", banner: " : "",
		    pc.line);
		probe_close(&pc, strncmp(ports[i].service, "smtp", 4) == 0);
		if (good)
			cut_add(c, FIND_INFO, "probe", ports[i].service,
			    "probe.port", qstr_str(&ev), NULL, 0, "%s (%s) "
			    "answers%s", ports[i].service, where, tls ?
			    " (TLS port: connection accepted)" : "");
		else
			cut_add(c, strcmp(ports[i].service, "smtp") == 0 ?
			    FIND_BLOCKER : FIND_WARNING, "probe",
			    ports[i].service, "probe.port", qstr_str(&ev),
			    "Start the service (postfix start, systemctl start "
			    "dovecot) and open the port in the firewall.", 0,
			    "%s (%s) does not answer as it should: %s",
			    ports[i].service, where, pc.status == 0 ?
			    "unexpected banner" : probe_status(&pc));
		if (good && strcmp(ports[i].service, "smtp") == 0)
			probe_smtp_count(c, pj, &ss, sl, where);
		qstr_free(&ev);
	}
}

/* ---- rehearsal ---- */

static void
name_some(struct qstr *q, const char *addr, size_t *shown)
{
	if (*shown < CUT_LIST_SHOWN)
		(void)qstr_catf(q, "%s%s", *shown ? ", " : "", addr);
	else if (*shown == CUT_LIST_SHOWN)
		(void)qstr_cat(q, ", ...");
	(*shown)++;
}

void
cut_check_rehearsal(struct cut_ctx *c)
{
	struct qstr s = QSTR_INIT(CUT_REHEARSAL_MAX + 1);
	struct qstr lf = QSTR_INIT(4096), df = QSTR_INIT(4096),
	    bf = QSTR_INIT(4096), ev = QSTR_INIT(1024);
	json_t *root = NULL, *rj, *a, *x;
	json_error_t jerr;
	size_t i, nlf = 0, ndf = 0, nbf = 0, nmb = 0, nad = 0;
	size_t imap_ok = 0, pop_ok = 0, skipped = 0, delivered = 0;
	int err;

	if (c->o->rehearsal == NULL)
		return;
	if ((rj = json_object()) == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "rehearsal", rj);
	cj_str(c, rj, "file", c->o->rehearsal);
	err = file_read_all(c->o->rehearsal, CUT_REHEARSAL_MAX, 0, &s);
	if (err == 0 && (root = json_loadb(s.buf, s.len, 0, &jerr)) == NULL)
		err = QPM_ESYNTAX;
	if (err == 0 && (!json_is_object(root) ||
	    !json_is_array(json_object_get(root, "mailboxes")) ||
	    !json_is_array(json_object_get(root, "addresses"))))
		err = QPM_ESYNTAX;
	if (err < 0) {
		(void)qstr_catf(&ev, "%s: %s", c->o->rehearsal,
		    err == QPM_ESYNTAX ? "not the JSON of qmail2postfix "
		    "rehearse --json (mailboxes and addresses arrays)" :
		    qpm_strerror(err));
		cj_str(c, rj, "problem", qstr_str(&ev));
		cut_add(c, FIND_BLOCKER, "rehearsal", c->o->rehearsal,
		    "rehearsal.unreadable", qstr_str(&ev), "qmail2postfix "
		    "rehearse OUT --json > FILE, then give FILE again.", 0,
		    "The rehearsal result cannot be read: the dress rehearsal "
		    "is not verified");
		goto out;
	}
	a = json_object_get(root, "mailboxes");
	json_array_foreach(a, i, x) {
		static const char *const keys[] = { "imap_login",
		    "pop3_login" };
		const char *addr = json_string_value(json_object_get(x,
		    "address"));
		const json_t *want = json_object_get(x, "expected");
		size_t k;
		int failed = 0;

		if (addr == NULL)
			continue;
		nmb++;
		for (k = 0; k < 2; k++) {
			const char *got = json_string_value(json_object_get(x,
			    keys[k]));
			const char *exp = json_string_value(json_object_get(
			    want, keys[k]));

			if (got == NULL)
				continue;
			/* a failure the old host would have given too (no
			 * such login there) is no regression */
			if (strcmp(got, "fail") == 0 && (exp == NULL ||
			    strcmp(exp, "fail") != 0))
				failed = 1;
			if (strcmp(got, "ok") == 0)
				k == 0 ? imap_ok++ : pop_ok++;
			if (k == 0 && strcmp(got, "skipped") == 0)
				skipped++;
		}
		if (failed)
			name_some(&lf, addr, &nlf);
	}
	a = json_object_get(root, "addresses");
	json_array_foreach(a, i, x) {
		const char *addr = json_string_value(json_object_get(x,
		    "address"));
		const char *out = json_string_value(json_object_get(x,
		    "outcome"));
		const char *st = json_string_value(json_object_get(x,
		    "status"));
		const json_t *ej = json_object_get(x, "expected");
		const char *exp = json_is_string(ej) ? json_string_value(ej) :
		    json_string_value(json_object_get(ej, "outcome"));

		if (addr == NULL || out == NULL)
			continue;
		nad++;
		delivered += strcmp(out, "delivered") == 0;
		if (st != NULL) {
			/* rehearse compared it with the model itself */
			if (strcmp(st, "mismatch") == 0)
				name_some(&df, addr, &ndf);
			else if (strcmp(st, "not_converted") == 0)
				name_some(&bf, addr, &nbf);
			continue;
		}
		if (exp != NULL) {
			if (strcmp(exp, out) != 0)
				name_some(&df, addr, &ndf);
		} else if (strcmp(out, "deferred") == 0)
			name_some(&df, addr, &ndf);
		else if (strcmp(out, "bounced") == 0)
			name_some(&bf, addr, &nbf);
	}
	cj_int(c, rj, "mailboxes", (long long)nmb);
	cj_int(c, rj, "imap_ok", (long long)imap_ok);
	cj_int(c, rj, "pop3_ok", (long long)pop_ok);
	cj_int(c, rj, "logins_skipped", (long long)skipped);
	cj_int(c, rj, "login_failures", (long long)nlf);
	cj_int(c, rj, "addresses", (long long)nad);
	cj_int(c, rj, "delivered", (long long)delivered);
	cj_int(c, rj, "not_as_expected", (long long)ndf);
	cj_int(c, rj, "unconfirmed", (long long)nbf);
	if (nlf > 0)
		cut_add(c, FIND_BLOCKER, "rehearsal", "logins",
		    "rehearsal.login", qstr_str(&lf), "Check the hash schemes "
		    "in OUT/dovecot/users (doveadm pw -t) and "
		    "auth_username_format; users must log in with the full "
		    "address.", 0, "%zu mailbox(es) could not log in during the "
		    "rehearsal (IMAP or POP3)", nlf);
	if (ndf > 0)
		cut_add(c, FIND_BLOCKER, "rehearsal", "delivery",
		    "rehearsal.delivery", qstr_str(&df), "Read the rehearsal "
		    "log for these addresses (qmail2postfix rehearse OUT -v).",
		    0, "%zu address(es) were deferred or did not behave as on "
		    "the old host during the rehearsal", ndf);
	if (nbf > 0)
		cut_add(c, FIND_WARNING, "rehearsal", "delivery",
		    "rehearsal.unconfirmed", qstr_str(&bf), "Check these by "
		    "hand: the migration report lists what was not converted; "
		    "without an expected outcome a bounce may be a regression.",
		    0, "%zu address(es) bounced without an expected outcome, or "
		    "hold items that were not converted", nbf);
	if (nlf == 0 && ndf == 0 && nbf == 0)
		cut_add(c, FIND_INFO, "rehearsal", "-", "rehearsal.ok", NULL,
		    NULL, 0, "Rehearsal: %zu addresses behaved as on the old "
		    "host; %zu IMAP and %zu POP3 logins worked", nad, imap_ok,
		    pop_ok);
out:
	json_decref(root);
	qstr_free(&s);
	qstr_free(&lf);
	qstr_free(&df);
	qstr_free(&bf);
	qstr_free(&ev);
}
