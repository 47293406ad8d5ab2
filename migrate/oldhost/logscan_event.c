/*
 * NAME		logscan_event - what each logging program's lines mean to
 *		the log scanner: tcpserver, vchkpw, courier, xinetd, Dovecot
 *		and Postfix; the statistics they feed
 * DOES		peak concurrency per listener, per client IP and per user+IP,
 *		a per-hour peak series, login failures, limit errors seen
 * NEVER	keeps more of a line than a table key
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/logscan.h"
#include "migrate/oldhost/logscan_int.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

/* dotted quad -> host order; 0 when it is not one */
static int
ipv4(const char *p, size_t n, uint32_t *out)
{
	uint32_t v = 0, o = 0;
	size_t i, dots = 0, digits = 0;

	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			o = o * 10 + (uint32_t)(p[i] - '0');
			if (++digits > 3 || o > 255)
				return 0;
		} else if (p[i] == '.' && digits > 0 && dots < 3) {
			v = v << 8 | o;
			o = 0;
			digits = 0;
			dots++;
		} else
			return 0;
	}
	if (dots != 3 || digits == 0)
		return 0;
	*out = v << 8 | o;
	return 1;
}

/* the pid map's key: a set top bit (never 0), 9 bits of file number,
 * bit 53 for xinetd, 21 bits of the server's pid, 32 of the child's */
static uint64_t
pid4key(const struct logscan *s, long spid, long pid)
{
	return (1ULL << 63) | ((uint64_t)(s->fileno & 0x1ff) << 54) |
	    ((uint64_t)((unsigned long)spid & 0x1fffff) << 32) |
	    ((uint64_t)pid & 0xffffffffULL);
}

static void
ip4_text(uint32_t v, char *buf, size_t size)
{
	(void)qpm_snprintf(buf, size, "%u.%u.%u.%u", v >> 24, v >> 16 & 255,
	    v >> 8 & 255, v & 255);
}

/* ---- statistics ---- */

static int
series_grow(struct limits_series *se, size_t need)
{
	size_t cap = se->cap != 0 ? se->cap : 64;
	long *np;
	unsigned long *nc;

	if (need <= se->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((np = realloc(se->peak, cap * sizeof(long))) == NULL)
		return -1;
	se->peak = np;
	if ((nc = realloc(se->conns, cap * sizeof(unsigned long))) == NULL)
		return -1;
	se->conns = nc;
	memset(se->peak + se->cap, 0, (cap - se->cap) * sizeof(long));
	memset(se->conns + se->cap, 0, (cap - se->cap) * sizeof(unsigned long));
	se->cap = cap;
	return 0;
}

static int
hour_slot(struct limits_series *se, long hour, size_t *slot)
{
	size_t idx;

	if (se->n == 0) {
		if (series_grow(se, 64) < 0)
			return -1;
		se->first_hour = hour;
		se->n = 1;
	}
	if (hour < se->first_hour) {
		size_t shift = (size_t)(se->first_hour - hour);

		if (shift > LIMITS_MAX_HOURS || se->n + shift > LIMITS_MAX_HOURS ||
		    series_grow(se, se->n + shift) < 0)
			return -1;
		memmove(se->peak + shift, se->peak, se->n * sizeof(long));
		memmove(se->conns + shift, se->conns,
		    se->n * sizeof(unsigned long));
		memset(se->peak, 0, shift * sizeof(long));
		memset(se->conns, 0, shift * sizeof(unsigned long));
		se->n += shift;
		se->first_hour = hour;
	}
	idx = (size_t)(hour - se->first_hour);
	if (idx >= se->n) {
		if (idx >= LIMITS_MAX_HOURS || series_grow(se, idx + 1) < 0)
			return -1;
		se->n = idx + 1;
	}
	*slot = idx;
	return 0;
}

static void
note_level(struct logscan *s, enum limits_svc svc, time_t t, long level,
    int newconn)
{
	struct limits_svcstats *ss = &s->st->svc[svc];
	size_t slot;

	if (level > ss->peak) {
		ss->peak = level;
		ss->peak_at = t;
	}
	if (t > 0 && hour_slot(&ss->hours, (long)(t / 3600), &slot) == 0) {
		if (level > ss->hours.peak[slot])
			ss->hours.peak[slot] = level;
		if (newconn)
			ss->hours.conns[slot]++;
	}
	if (t > 0) {
		if (s->st->first == 0 || t < s->st->first)
			s->st->first = t;
		if (t > s->st->last)
			s->st->last = t;
	}
}

static int
logerr(struct logscan *s, enum limits_logerr_kind kind, enum limits_svc svc,
    long limit)
{
	struct limits_logstats *st = s->st;
	struct limits_logerr *ne;
	size_t i;

	for (i = 0; i < st->nerrs; i++)
		if (st->errs[i].kind == kind && st->errs[i].svc == svc &&
		    st->errs[i].limit == limit) {
			st->errs[i].count++;
			return 0;
		}
	if (st->nerrs >= 256)
		return 0;
	if ((ne = realloc(st->errs, (st->nerrs + 1) * sizeof(*ne))) == NULL)
		return QPM_ENOMEM;
	st->errs = ne;
	ne = &st->errs[st->nerrs];
	ne->kind = kind;
	ne->svc = svc;
	ne->limit = limit;
	ne->count = 1;
	ne->line = s->line;
	if ((ne->file = strdup(s->name)) == NULL)
		return QPM_ENOMEM;
	st->nerrs++;
	return 0;
}

static void
ip_add4(struct logscan *s, enum limits_svc svc, uint32_t v4, int d)
{
	struct limits_svcstats *ss = &s->st->svc[svc];
	struct ct_ent *c = ct_get(&s->ip4, ((uint64_t)svc + 1) << 32 | v4,
	    d > 0);

	if (c == NULL)
		return;
	c->cur += d;
	if (c->cur < 0)
		c->cur = 0;
	if (c->cur > c->peak)
		c->peak = c->cur;
	if (c->cur > ss->peak_ip) {
		ss->peak_ip = c->cur;
		ip4_text(v4, ss->peak_ip_addr, sizeof(ss->peak_ip_addr));
	}
}

static void
ip_add(struct logscan *s, enum limits_svc svc, const char *ip, size_t n,
    int d)
{
	char k[LH_KEY];
	struct lh_ent *e;
	struct limits_svcstats *ss = &s->st->svc[svc];

	uint32_t v4;

	if (ipv4(ip, n, &v4)) {
		ip_add4(s, svc, v4, d);
		return;
	}
	if (n + 1 > sizeof(k))
		return;
	k[0] = (char)('A' + svc);
	memcpy(k + 1, ip, n);
	if ((e = lh_get(&s->ip, k, n + 1, d > 0)) == NULL)
		return;
	e->cur += d;
	if (e->cur < 0)
		e->cur = 0;
	if (e->cur > e->peak)
		e->peak = e->cur;
	if (e->cur > ss->peak_ip) {
		ss->peak_ip = e->cur;
		(void)qpm_snprintf(ss->peak_ip_addr, sizeof(ss->peak_ip_addr),
		    "%.*s", (int)(n > 45 ? 45 : n), ip);
	}
}

static void
userip_add(struct logscan *s, enum limits_svc svc, const char *user,
    size_t un, const char *ip, size_t in, int d)
{
	char k[LH_KEY];
	struct lh_ent *last;
	struct ct_ent *e;
	struct limits_svcstats *ss = &s->st->svc[svc];

	if (un + 2 > sizeof(k))
		return;
	k[0] = (char)('A' + svc);
	memcpy(k + 1, user, un);
	k[un + 1] = '|';
	if (ip == NULL) {
		/* a logout without the IP: the user's last login IP */
		if ((last = lh_get(&s->userlast, k, un + 1, 0)) == NULL)
			return;
		ip = last->aux;
		in = strlen(last->aux);
	} else if (d > 0 && in < sizeof(last->aux) &&
	    (last = lh_get(&s->userlast, k, un + 1, 1)) != NULL) {
		memcpy(last->aux, ip, in);
		last->aux[in] = '\0';
	}
	if (un + 2 + in > sizeof(k))
		return;
	memcpy(k + un + 2, ip, in);
	/* 16-byte entries keyed by the 64-bit hash of the key: a user+IP
	 * table of random pairs outgrows every cache with the full keys
	 * (200 bytes an entry); two pairs share a count only when their
	 * hashes collide: for a full table (2^18 pairs) the chance that
	 * any two do is about 2^36 / 2^65, one in 500 million */
	if ((e = ct_get(&s->userip, khash(k, un + 2 + in), d > 0)) == NULL)
		return;
	e->cur += d;
	if (e->cur < 0)
		e->cur = 0;
	if (e->cur > e->peak)
		e->peak = e->cur;
	if (e->cur > ss->peak_userip) {
		ss->peak_userip = e->cur;
		(void)qpm_snprintf(ss->peak_user, sizeof(ss->peak_user),
		    "%.*s from %.*s", (int)(un > 60 ? 60 : un), user,
		    (int)(in > 30 ? 30 : in), ip);
	}
}

static struct stream *
stream_get(struct logscan *s, long spid)
{
	size_t i;

	for (i = 0; i < s->nstreams; i++)
		if (s->streams[i].file == s->fileno && s->streams[i].spid == spid)
			return &s->streams[i];
	if (s->nstreams == LS_MAX_STREAMS)
		return &s->streams[LS_MAX_STREAMS - 1];
	s->streams[s->nstreams].file = s->fileno;
	s->streams[s->nstreams].spid = spid;
	s->streams[s->nstreams].svc = s->hint;
	s->streams[s->nstreams].confirmed = 0;
	return &s->streams[s->nstreams++];
}

/* "status: 0/M": nothing of this file is open any more; drop the pids
 * whose end line was never logged (rotation, a crash). */
static void
pids_purge(struct logscan *s)
{
	struct lh nt;
	size_t i;
	char pre[16];
	size_t pl;

	memset(&nt, 0, sizeof(nt));
	pre[0] = 'T';
	memcpy(pre + 1, &s->fileno, sizeof(unsigned));
	pl = 1 + sizeof(unsigned);
	for (i = 0; i < s->pids.cap; i++) {
		struct lh_ent *o = &s->pids.e[i], *n;

		if (s->pids.hv[i] == 0 ||
		    (o->klen >= pl && memcmp(o->key, pre, pl) == 0))
			continue;
		if ((n = lh_get(&nt, o->key, o->klen, 1)) != NULL)
			memcpy(n->aux, o->aux, sizeof(n->aux));
	}
	nt.full += s->pids.full;
	lh_free(&s->pids);
	s->pids = nt;
	{
		struct ct n4;
		uint64_t fbits = (uint64_t)(s->fileno & 0x1ff) << 54;

		memset(&n4, 0, sizeof(n4));
		for (i = 0; i < s->pids4.cap; i++) {
			struct ct_ent *o = &s->pids4.e[i], *c;

			if (o->key == 0 || (o->key & (0x1ffULL << 54)) == fbits)
				continue;
			if ((c = ct_get(&n4, o->key, 1)) != NULL)
				c->cur = o->cur;
		}
		n4.full += s->pids4.full;
		free(s->pids4.e);
		s->pids4 = n4;
	}
}

/* tag, file number, server pid, child pid as fixed binary fields: this
 * runs for every connect and end line, so no printf */
static size_t
pidkey(char *k, size_t size, const struct logscan *s, long spid, long pid,
    char tag)
{
	if (size < 1 + sizeof(unsigned) + 2 * sizeof(long))
		return 0;
	k[0] = tag;
	memcpy(k + 1, &s->fileno, sizeof(unsigned));
	memcpy(k + 1 + sizeof(unsigned), &spid, sizeof(long));
	memcpy(k + 1 + sizeof(unsigned) + sizeof(long), &pid, sizeof(long));
	return 1 + sizeof(unsigned) + 2 * sizeof(long);
}

/* "tcpserver: status: 3/100", "pid P from IP", "ok P l:ip:port r:ip::p",
 * "end P status S", "deny P l:ip:port r:ip::p" */
int
logscan_tcpserver(struct logscan *s, time_t t, long spid, const char *p,
    const char *e)
{
	struct stream *str = stream_get(s, spid);
	char k[64];
	size_t kn, n;
	long a, b, pid;
	struct lh_ent *ent;
	uint32_t v4;
	int is4;

	if (starts(p, e, "status: ", 8)) {
		p += 8;
		if ((a = num(&p, e)) < 0 || p >= e || *p != '/' ||
		    (++p, b = num(&p, e)) < 0)
			return 0;
		s->st->svc[str->svc].status_max = b;
		s->cur[str->svc] = a;
		note_level(s, str->svc, t, a, 0);
		if (a >= b) {
			s->st->svc[str->svc].at_limit++;
			return logerr(s, LE_TCPSERVER_FULL, str->svc, b);
		}
		if (a == 0 && s->pids.n + s->pids4.n > 4096)
			pids_purge(s);
		return 0;
	}
	if (starts(p, e, "pid ", 4)) {
		p += 4;
		if ((pid = num(&p, e)) < 0 || !starts(p, e, " from ", 6))
			return 0;
		p += 6;
		ip_span(&p, e, &n);
		if ((is4 = ipv4(p, n, &v4))) {
			struct ct_ent *c = ct_get(&s->pids4,
			    pid4key(s, spid, pid), 1);

			if (c != NULL)
				c->cur = (int32_t)v4;
		} else {
			kn = pidkey(k, sizeof(k), s, spid, pid, 'T');
			if ((ent = lh_get(&s->pids, k, kn, 1)) != NULL &&
			    n < sizeof(ent->aux)) {
				memcpy(ent->aux, p, n);
				ent->aux[n] = '\0';
			}
		}
		s->st->svc[str->svc].connections++;
		if (is4)
			ip_add4(s, str->svc, v4, 1);
		else
			ip_add(s, str->svc, p, n, 1);
		note_level(s, str->svc, t, s->cur[str->svc], 1);
		return 0;
	}
	if (starts(p, e, "ok ", 3)) {
		/* the local port names the listener; one ok line says it */
		if (str->confirmed)
			return 0;
		const char *c1, *c2, *sp;
		char port[8];

		if ((sp = memchr(p + 3, ' ', (size_t)(e - p - 3))) == NULL ||
		    (c2 = memchr(p + 3, ':', (size_t)(sp - p - 3))) == NULL)
			return 0;
		c1 = c2;
		for (c2 = sp; c2 > c1 && c2[-1] != ':'; c2--)
			;
		if ((size_t)(sp - c2) >= sizeof(port))
			return 0;
		memcpy(port, c2, (size_t)(sp - c2));
		port[sp - c2] = '\0';
		{
			enum limits_svc sv = limits_svc_from_port(port);

			if (sv != LSVC_OTHER)
				str->svc = sv;	/* over the file name's hint */
			str->confirmed = 1;
		}
		return 0;
	}
	if (starts(p, e, "end ", 4)) {
		p += 4;
		if ((pid = num(&p, e)) < 0)
			return 0;
		{
			struct ct_ent *c = ct_get(&s->pids4,
			    pid4key(s, spid, pid), 0);

			if (c != NULL) {
				ip_add4(s, str->svc, (uint32_t)c->cur, -1);
				ct_del(&s->pids4, c);
				return 0;
			}
		}
		kn = pidkey(k, sizeof(k), s, spid, pid, 'T');
		if ((ent = lh_get(&s->pids, k, kn, 0)) != NULL) {
			ip_add(s, str->svc, ent->aux, strlen(ent->aux), -1);
			lh_del(&s->pids, ent);
		}
		return 0;
	}
	if (starts(p, e, "deny ", 5)) {
		s->st->svc[str->svc].denied++;
		return 0;
	}
	return 0;
}

static enum limits_svc
vchkpw_svc(const char *p, const char *e)
{
	char nm[16];
	size_t n = 0;

	while (p + n < e && p[n] != ':' && n < sizeof(nm) - 1) {
		nm[n] = p[n];
		n++;
	}
	nm[n] = '\0';
	if (strcmp(nm, "pop3") == 0) return LSVC_POP3;
	if (strcmp(nm, "pop3s") == 0) return LSVC_POP3S;
	if (strcmp(nm, "imap") == 0) return LSVC_IMAP;
	if (strcmp(nm, "imaps") == 0) return LSVC_IMAPS;
	if (strcmp(nm, "smtp") == 0) return LSVC_SMTP;
	if (strcmp(nm, "smtps") == 0) return LSVC_SMTPS;
	if (strcmp(nm, "submission") == 0) return LSVC_SUBMISSION;
	return LSVC_OTHER;
}

/* "vchkpw-pop3: (PLAIN) login success u@d:IP", "password fail ...",
 * "vpopmail user not found u@d:IP", "user has no password", "... access
 * denied" */
void
logscan_vchkpw(struct logscan *s, const char *p, const char *e)
{
	enum limits_svc svc = vchkpw_svc(p, e);
	const char *c = memchr(p, ':', (size_t)(e - p));

	if (c == NULL)
		return;
	if (find(c, e, "login success", 13) != NULL)
		s->st->svc[svc].login_ok++;
	else if (find(c, e, "fail", 4) != NULL ||
	    find(c, e, "not found", 9) != NULL ||
	    find(c, e, "no password", 11) != NULL ||
	    find(c, e, "denied", 6) != NULL)
		s->st->svc[svc].login_fail++;
}

/* courier: "Connection, ip=[..]", "LOGIN, user=U, ip=[..], ...",
 * "LOGOUT, user=U, ip=[..]", "DISCONNECTED, ...", "TIMEOUT, ...",
 * "LOGIN FAILED, user=U, ip=[..]", "Maximum connection limit reached
 * for IP" */
int
logscan_courier(struct logscan *s, enum limits_svc svc, time_t t,
    const char *p, const char *e)
{
	const char *u, *ip, *ue;
	size_t in;
	int d;

	if (starts(p, e, "Connection, ", 12)) {
		s->st->svc[svc].connections++;
		note_level(s, svc, t, s->cur[svc], 1);
		return 0;
	}
	if (starts(p, e, "Maximum connection limit reached", 32)) {
		return logerr(s, LE_PERIP, svc, 0);
	}
	if (starts(p, e, "LOGIN FAILED", 12)) {
		s->st->svc[svc].login_fail++;
		return 0;
	}
	if (starts(p, e, "LOGIN, ", 7))
		d = 1;
	else if (starts(p, e, "LOGOUT, ", 8) ||
	    starts(p, e, "DISCONNECTED, ", 14) || starts(p, e, "TIMEOUT, ", 9))
		d = -1;
	else
		return 0;
	if ((u = find(p, e, "user=", 5)) == NULL ||
	    (ip = find(p, e, "ip=", 3)) == NULL)
		return 0;
	u += 5;
	for (ue = u; ue < e && *ue != ','; ue++)
		;
	ip += 3;
	ip_span(&ip, e, &in);
	if (d > 0)
		s->st->svc[svc].login_ok++;
	s->cur[svc] += d;
	if (s->cur[svc] < 0)
		s->cur[svc] = 0;
	ip_add(s, svc, ip, in, d);
	userip_add(s, svc, u, (size_t)(ue - u), ip, in, d);
	note_level(s, svc, t, s->cur[svc], 0);
	return 0;
}

/* xinetd: "START: svc pid=P from=IP", "EXIT: svc status=S pid=P ...",
 * "FAIL: svc per_source_limit from=IP", "FAIL: svc service_limit ...",
 * "Deactivating service svc due to excessive incoming connections" */
int
logscan_xinetd(struct logscan *s, time_t t, long spid, const char *p,
    const char *e)
{
	const char *q, *nm;
	char name[32], k[64];
	size_t n, kn;
	enum limits_svc svc;
	long pid;
	struct lh_ent *ent;
	int start;
	uint32_t v4;

	if (starts(p, e, "Deactivating service ", 21)) {
		p += 21;
		for (n = 0; p + n < e && p[n] != ' ' && n < sizeof(name) - 1; n++)
			name[n] = p[n];
		name[n] = '\0';
		return logerr(s, LE_CPS, limits_svc_from_port(name), 0);
	}
	if (starts(p, e, "START: ", 7))
		start = 1;
	else if (starts(p, e, "EXIT: ", 6))
		start = 0;
	else if (starts(p, e, "FAIL: ", 6))
		start = -1;
	else
		return 0;
	nm = p + (start == 1 ? 7 : 6);
	for (n = 0; nm + n < e && nm[n] != ' ' && n < sizeof(name) - 1; n++)
		name[n] = nm[n];
	name[n] = '\0';
	svc = limits_svc_from_port(name);
	if (start < 0) {
		if (find(nm, e, "per_source_limit", 16) != NULL)
			return logerr(s, LE_PERIP, svc, 0);
		if (find(nm, e, "service_limit", 13) != NULL)
			return logerr(s, LE_INSTANCES, svc, 0);
		return 0;
	}
	if ((q = find(nm, e, "pid=", 4)) == NULL)
		return 0;
	q += 4;
	if ((pid = num(&q, e)) < 0)
		return 0;
	kn = pidkey(k, sizeof(k), s, spid, pid, 'X');
	if (start) {
		const char *ip = find(q, e, "from=", 5);

		if (ip == NULL)
			return 0;
		ip += 5;
		ip_span(&ip, e, &n);
		if (ipv4(ip, n, &v4)) {
			struct ct_ent *c = ct_get(&s->pids4,
			    pid4key(s, spid, pid) ^ (1ULL << 53), 1);

			if (c != NULL)
				c->cur = (int32_t)v4;
		} else if ((ent = lh_get(&s->pids, k, kn, 1)) != NULL &&
		    n < sizeof(ent->aux)) {
			memcpy(ent->aux, ip, n);
			ent->aux[n] = '\0';
		}
		s->st->svc[svc].connections++;
		s->cur[svc]++;
		ip_add(s, svc, ip, n, 1);
		note_level(s, svc, t, s->cur[svc], 1);
		return 0;
	}
	{
		/* bit 53 keeps xinetd's pids apart from tcpserver's */
		struct ct_ent *c = ct_get(&s->pids4,
		    pid4key(s, spid, pid) ^ (1ULL << 53), 0);

		if (c != NULL) {
			ip_add4(s, svc, (uint32_t)c->cur, -1);
			ct_del(&s->pids4, c);
			if (s->cur[svc] > 0)
				s->cur[svc]--;
			return 0;
		}
	}
	if ((ent = lh_get(&s->pids, k, kn, 0)) != NULL) {
		ip_add(s, svc, ent->aux, strlen(ent->aux), -1);
		lh_del(&s->pids, ent);
		if (s->cur[svc] > 0)
			s->cur[svc]--;
	}
	return 0;
}

/* dovecot: "imap-login: Login: user=<U>, ..., rip=IP, ...",
 * "imap(U): Disconnected...", "imap-login: Maximum number of connections
 * from user+IP exceeded (mail_max_userip_connections=10)", "imap-login:
 * Disconnected (auth failed, ...", "master: Warning: service(imap-login):
 * process_limit (100) reached" */
int
logscan_dovecot(struct logscan *s, time_t t, const char *p,
    const char *e)
{
	enum limits_svc svc;
	const char *q, *u, *ue, *ip;
	size_t in;
	long v;

	if (starts(p, e, "imap", 4))
		svc = LSVC_IMAP;
	else if (starts(p, e, "pop3", 4))
		svc = LSVC_POP3;
	else if (starts(p, e, "master: ", 8)) {
		if ((q = find(p, e, "process_limit (", 15)) == NULL)
			return 0;
		svc = find(p, e, "pop3", 4) != NULL ? LSVC_POP3 : LSVC_IMAP;
		q += 15;
		v = num(&q, e);
		return logerr(s, LE_PROCESS_LIMIT, svc, v < 0 ? 0 : v);
	} else
		return 0;
	if (starts(p + 4, e, "-login: ", 8)) {
		p += 12;
		if (starts(p, e, "Login: ", 7)) {
			if ((u = find(p, e, "user=<", 6)) == NULL ||
			    (ip = find(p, e, "rip=", 4)) == NULL)
				return 0;
			u += 6;
			if ((ue = memchr(u, '>', (size_t)(e - u))) == NULL)
				return 0;
			ip += 4;
			ip_span(&ip, e, &in);
			s->st->svc[svc].login_ok++;
			s->st->svc[svc].connections++;
			s->cur[svc]++;
			ip_add(s, svc, ip, in, 1);
			userip_add(s, svc, u, (size_t)(ue - u), ip, in, 1);
			note_level(s, svc, t, s->cur[svc], 1);
			return 0;
		}
		if ((q = find(p, e, "mail_max_userip_connections=", 28)) !=
		    NULL) {
			q += 28;
			v = num(&q, e);
			return logerr(s, LE_USERIP, svc, v < 0 ? 0 : v);
		}
		if (find(p, e, "auth failed", 11) != NULL)
			s->st->svc[svc].login_fail++;
		return 0;
	}
	if (p + 4 < e && p[4] == '(') {
		u = p + 5;
		if ((ue = memchr(u, ')', (size_t)(e - u))) == NULL)
			return 0;
		if (find(ue, e, "Disconnected", 12) == NULL)
			return 0;
		if (s->cur[svc] > 0)
			s->cur[svc]--;
		{
			/* 2.2/2.3 logouts name no IP: the user's last login */
			char k[LH_KEY];
			size_t un = (size_t)(ue - u);
			struct lh_ent *last;

			if (un + 2 > sizeof(k))
				return 0;
			k[0] = (char)('A' + svc);
			memcpy(k + 1, u, un);
			k[un + 1] = '|';
			if ((last = lh_get(&s->userlast, k, un + 1, 0)) != NULL)
				ip_add(s, svc, last->aux, strlen(last->aux), -1);
		}
		userip_add(s, svc, u, (size_t)(ue - u), NULL, 0, -1);
		return 0;
	}
	return 0;
}

/* Postfix (a host already half migrated): "warning: Connection
 * concurrency limit exceeded: N from H[IP] for service S" */
int
logscan_postfix(struct logscan *s, const char *p, const char *e)
{
	if (find(p, e, "Connection concurrency limit exceeded", 38) != NULL)
		return logerr(s, LE_SMTPD_COUNT, LSVC_SMTP, 0);
	return 0;
}
