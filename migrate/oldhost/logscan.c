/*
 * NAME		logscan - size limits from the old host's logs: tcpserver,
 *		qmail-smtpd/rblsmtpd, vchkpw, courier, xinetd and Dovecot
 *		lines, in multilog (@tai64n) or syslog form, any mix
 * DOES		peak concurrency per listener, per client IP and per user+IP,
 *		a per-hour peak series, login failures, limit errors seen
 * NEVER	holds more than one read buffer of a file, grows a table past
 *		its limit (events past it are counted, not guessed)
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
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

#define LH_KEY		128		/* bytes of a table key */
#define LH_MAX		(1u << 18)	/* entries of one table */
#define LS_MAX_LINE	(64 * 1024)	/* longer log lines are skipped */
#define LS_READ		(1u << 20)	/* read buffer */
#define LS_MAX_STREAMS	256		/* tcpserver/xinetd instances */

struct lh_ent {
	long		 cur, peak;
	uint16_t	 klen;
	char		 key[LH_KEY];
	char		 aux[48];	/* pid map: the client IP */
};

/* Open addressing; probing reads only the compact hash array, so a miss
 * costs one cache line, not one 200-byte entry per step. */
struct lh {
	uint64_t	*hv;		/* 0: empty slot */
	struct lh_ent	*e;
	size_t		 n, cap;
	unsigned long	 full;
};

/* The hot path (every connect and end line) with IPv4 clients: 16-byte
 * entries keyed by an integer, so that the tables stay in the cache. */
struct ct_ent {
	uint64_t	 key;		/* 0: empty */
	int32_t		 cur, peak;	/* pid map: cur holds the IPv4 */
};

struct ct {
	struct ct_ent	*e;
	size_t		 n, cap;
	unsigned long	 full;
};

struct stream {
	unsigned	 file;
	long		 spid;		/* syslog pid of the server, or -1 */
	enum limits_svc	 svc;
	int		 confirmed;	/* svc from an ok line's port */
};

struct logscan {
	struct limits	*l;
	struct limits_logstats *st;
	struct lh	 ip;		/* svc|ip -> cur, peak */
	struct ct	 userip;	/* hash of svc|user|ip -> cur, peak */
	struct lh	 userlast;	/* svc|user -> last ip (aux) */
	struct lh	 pids;		/* stream|pid -> ip (aux) */
	struct ct	 ip4;		/* svc|IPv4 -> cur, peak */
	struct ct	 pids4;		/* file|server pid|pid -> IPv4 */
	struct stream	 streams[LS_MAX_STREAMS];
	size_t		 nstreams;
	long		 cur[LSVC_N];
	unsigned	 fileno;
	const char	*name;
	unsigned long	 line;
	enum limits_svc	 hint;		/* of the file name */
	int		 year;
	int		 ref_mon;	/* month of the reference time, 0-11 */
	char		 tsc[16];	/* syslog stamp cache */
	char		 taic[17];	/* multilog stamp cache (seconds) */
	time_t		 taic_t;
	time_t		 tsc_t;
	long		 tai_max;
};

static uint64_t
khash(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h | 1;
}

static int
lh_grow(struct lh *t, size_t ncap)
{
	uint64_t *nh;
	struct lh_ent *ne;
	size_t i, j;

	if ((nh = calloc(ncap, sizeof(*nh))) == NULL)
		return -1;
	if ((ne = malloc(ncap * sizeof(*ne))) == NULL) {
		free(nh);
		return -1;
	}
	for (i = 0; i < t->cap; i++) {
		if (t->hv[i] == 0)
			continue;
		for (j = t->hv[i] & (ncap - 1); nh[j] != 0; j = (j + 1) & (ncap - 1))
			;
		nh[j] = t->hv[i];
		ne[j] = t->e[i];
	}
	free(t->hv);
	free(t->e);
	t->hv = nh;
	t->e = ne;
	t->cap = ncap;
	return 0;
}

static struct lh_ent *
lh_get(struct lh *t, const char *k, size_t n, int create)
{
	uint64_t h;
	size_t i;

	if (n > LH_KEY)
		n = LH_KEY;
	h = khash(k, n);
	if (t->cap == 0) {
		if (!create || lh_grow(t, 1024) < 0)
			goto full;
	} else if (create && (t->n + 1) * 4 > t->cap * 3 &&
	    t->cap < LH_MAX * 2 && lh_grow(t, t->cap * 2) < 0)
		goto full;
	for (i = h & (t->cap - 1); t->hv[i] != 0; i = (i + 1) & (t->cap - 1))
		if (t->hv[i] == h && t->e[i].klen == n &&
		    memcmp(t->e[i].key, k, n) == 0)
			return &t->e[i];
	if (!create)
		return NULL;
	if (t->n >= LH_MAX)
		goto full;
	t->hv[i] = h;
	t->e[i].klen = (uint16_t)n;
	memcpy(t->e[i].key, k, n);
	t->e[i].cur = t->e[i].peak = 0;
	t->e[i].aux[0] = '\0';
	t->n++;
	return &t->e[i];
full:
	if (create)
		t->full++;
	return NULL;
}

static void
lh_del(struct lh *t, struct lh_ent *e)
{
	size_t i = (size_t)(e - t->e), j, k;

	/* backward-shift deletion keeps probe chains intact */
	t->hv[i] = 0;
	t->n--;
	for (j = (i + 1) & (t->cap - 1); t->hv[j] != 0;
	    j = (j + 1) & (t->cap - 1)) {
		k = t->hv[j] & (t->cap - 1);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->hv[i] = t->hv[j];
			t->e[i] = t->e[j];
			t->hv[j] = 0;
			i = j;
		}
	}
}

static uint64_t
cmix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static struct ct_ent *
ct_get(struct ct *t, uint64_t key, int create)
{
	size_t i;

	if (t->cap == 0 || (create && (t->n + 1) * 2 > t->cap)) {
		size_t ncap = t->cap == 0 ? 1024 : t->cap * 2, j;
		struct ct_ent *ne;

		if (!create)
			return NULL;
		if (t->n >= LH_MAX)
			goto full;
		if ((ne = calloc(ncap, sizeof(*ne))) == NULL)
			goto full;
		for (j = 0; j < t->cap; j++) {
			if (t->e[j].key == 0)
				continue;
			for (i = cmix(t->e[j].key) & (ncap - 1); ne[i].key != 0;
			    i = (i + 1) & (ncap - 1))
				;
			ne[i] = t->e[j];
		}
		free(t->e);
		t->e = ne;
		t->cap = ncap;
	}
	for (i = cmix(key) & (t->cap - 1); t->e[i].key != 0;
	    i = (i + 1) & (t->cap - 1))
		if (t->e[i].key == key)
			return &t->e[i];
	if (!create)
		return NULL;
	t->e[i].key = key;
	t->e[i].cur = t->e[i].peak = 0;
	t->n++;
	return &t->e[i];
full:
	t->full++;
	return NULL;
}

static void
ct_del(struct ct *t, struct ct_ent *e)
{
	size_t i = (size_t)(e - t->e), j, k;

	t->e[i].key = 0;
	t->n--;
	for (j = (i + 1) & (t->cap - 1); t->e[j].key != 0;
	    j = (j + 1) & (t->cap - 1)) {
		k = cmix(t->e[j].key) & (t->cap - 1);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->e[i] = t->e[j];
			t->e[j].key = 0;
			i = j;
		}
	}
}

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

static void
lh_free(struct lh *t)
{
	free(t->hv);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

struct logscan *
logscan_new(struct limits *l)
{
	struct logscan *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->l = l;
	s->st = &l->logs;
	l->have_logs = 1;
	s->year = l->log_year;
	return s;
}

void
logscan_free(struct logscan *s)
{
	if (s == NULL)
		return;
	s->st->table_full += s->ip.full + s->userip.full + s->pids.full +
	    s->userlast.full;
	lh_free(&s->ip);
	free(s->userip.e);
	lh_free(&s->userlast);
	lh_free(&s->pids);
	s->st->table_full += s->ip4.full + s->pids4.full;
	free(s->ip4.e);
	free(s->pids4.e);
	free(s);
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

/* ---- line helpers ---- */

static int
starts(const char *p, const char *e, const char *lit, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

static const char *
find(const char *p, const char *e, const char *lit, size_t n)
{
	const char *q;

	while ((size_t)(e - p) >= n) {
		if ((q = memchr(p, lit[0], (size_t)(e - p) - n + 1)) == NULL)
			return NULL;
		if (memcmp(q, lit, n) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static long
num(const char **pp, const char *e)
{
	const char *p = *pp;
	long v = 0;

	if (p >= e || *p < '0' || *p > '9')
		return -1;
	while (p < e && *p >= '0' && *p <= '9' && v < 100000000000L)
		v = v * 10 + (*p++ - '0');
	*pp = p;
	return v;
}

/* the address in "::ffff:1.2.3.4" or "[::ffff:1.2.3.4]", mapped part only */
static void
ip_span(const char **pp, const char *e, size_t *n)
{
	const char *p = *pp, *q;

	if (p < e && *p == '[')
		p++;
	if (starts(p, e, "::ffff:", 7))
		p += 7;
	for (q = p; q < e && *q != ']' && *q != ',' && *q != ' ' &&
	    *q != '\n'; q++)
		;
	*pp = p;
	*n = (size_t)(q - p);
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
static int
tcpserver(struct logscan *s, time_t t, long spid, const char *p, const char *e)
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
static void
vchkpw(struct logscan *s, const char *p, const char *e)
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
static int
courier(struct logscan *s, enum limits_svc svc, time_t t, const char *p,
    const char *e)
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
static int
xinetd(struct logscan *s, time_t t, long spid, const char *p, const char *e)
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
static int
dovecot(struct logscan *s, time_t t, const char *p, const char *e)
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
static int
postfix(struct logscan *s, const char *p, const char *e)
{
	if (find(p, e, "Connection concurrency limit exceeded", 38) != NULL)
		return logerr(s, LE_SMTPD_COUNT, LSVC_SMTP, 0);
	return 0;
}

/* ---- time stamps ---- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static time_t
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (time_t)(era * 146097 + (long)doe - 719468);
}

static int
month(const char *p)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(m + i * 3, p, 3) == 0)
			return i;
	return -1;
}

static int
two(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "Nov 16 00:15:52 " -> time; 0 when not a syslog stamp */
static time_t
syslog_time(struct logscan *s, const char *p, size_t n)
{
	int mon, day, hh, mm, ss;
	long year;

	if (n < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' ||
	    p[12] != ':' || p[15] != ' ')
		return 0;
	if (memcmp(p, s->tsc, 15) == 0)
		return s->tsc_t;
	if ((mon = month(p)) < 0)
		return 0;
	day = p[4] == ' ' ? two((char[]){ '0', p[5] }) : two(p + 4);
	hh = two(p + 7);
	mm = two(p + 10);
	ss = two(p + 13);
	if (day < 1 || hh < 0 || mm < 0 || ss < 0)
		return 0;
	year = s->year;
	/* a December line in a file that ends in January: last year */
	if (mon > s->ref_mon)
		year--;
	memcpy(s->tsc, p, 15);
	s->tsc_t = days_from_civil(year, (unsigned)mon + 1, (unsigned)day) *
	    86400 + hh * 3600 + mm * 60 + ss;
	return s->tsc_t;
}

/* "2026-11-16T00:15:52(.frac)(Z|+hh:mm) " */
static time_t
iso_time(const char *p, size_t n, size_t *used)
{
	long y;
	int mo, d, hh, mm, ss;
	size_t i = 19;

	if (n < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' ||
	    p[13] != ':' || p[16] != ':')
		return 0;
	y = two(p) * 100 + two(p + 2);
	mo = two(p + 5);
	d = two(p + 8);
	hh = two(p + 11);
	mm = two(p + 14);
	ss = two(p + 17);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || hh < 0 || mm < 0 || ss < 0)
		return 0;
	while (i < n && p[i] != ' ')
		i++;
	*used = i + 1;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    hh * 3600 + mm * 60 + ss;
}

/* hexval() + 1 as a table (0: not a digit): 16 digits on every
 * multilog line */
static const unsigned char hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16
};

/* ---- one line ---- */

static int
line(struct logscan *s, const char *p, size_t n)
{
	const char *e = p + n, *tag, *msg, *colon;
	time_t t = 0;
	long spid = -1;
	size_t used;

	s->line++;
	s->st->lines++;
	if (n > 26 && p[0] == '@' && p[25] == ' ') {
		/* multilog: @ + 16 hex seconds (TAI64, 2^62 + 10 offset) +
		 * 8 hex nanoseconds */
		uint64_t v = 0;
		int i, h;

		msg = p + 26;
		/* tcpserver's ok, end and deny lines change no level: half
		 * of a busy log needs no time stamp at all */
		if (starts(msg, e, "tcpserver: ", 11) && n > 37 &&
		    (msg[11] == 'o' || msg[11] == 'e' || msg[11] == 'd')) {
			s->st->lines_used++;
			return tcpserver(s, 0, -1, msg + 11, e);
		}
		if (memcmp(p, s->taic, 17) == 0)
			t = s->taic_t;	/* the same second as the last line */
		else {
			for (i = 1; i <= 16; i++) {
				if ((h = hex_tab[(unsigned char)p[i]] - 1) < 0)
					return 0;
				v = v << 4 | (uint64_t)h;
			}
			if (v < 4611686018427387914ULL)
				return 0;
			t = (time_t)(v - 4611686018427387914ULL);
			memcpy(s->taic, p, 17);
			s->taic_t = t;
		}
		msg = p + 26;
	} else if ((t = syslog_time(s, p, n)) != 0) {
		/* "Mmm dd hh:mm:ss host tag[pid]: msg" */
		const char *h = p + 16, *sp;

		if ((sp = memchr(h, ' ', (size_t)(e - h))) == NULL)
			return 0;
		tag = sp + 1;
		goto tagged;
	} else if ((t = iso_time(p, n, &used)) != 0) {
		const char *h = p + used, *sp;

		if (h >= e || (sp = memchr(h, ' ', (size_t)(e - h))) == NULL)
			return 0;
		tag = sp + 1;
		goto tagged;
	} else
		return 0;
	/* multilog: "prog: msg" without a pid */
	if (starts(msg, e, "tcpserver: ", 11)) {
		s->st->lines_used++;
		return tcpserver(s, t, -1, msg + 11, e);
	}
	if (starts(msg, e, "vchkpw-", 7)) {
		s->st->lines_used++;
		vchkpw(s, msg + 7, e);
		return 0;
	}
	return 0;
tagged:
	if ((colon = memchr(tag, ':', (size_t)(e - tag))) == NULL)
		return 0;
	msg = colon + 1;
	if (msg < e && *msg == ' ')
		msg++;
	{
		const char *br = memchr(tag, '[', (size_t)(colon - tag));
		size_t tl = (size_t)((br != NULL ? br : colon) - tag);

		if (br != NULL) {
			const char *q = br + 1;

			spid = num(&q, colon);
		}
		s->st->lines_used++;
		if (tl == 9 && memcmp(tag, "tcpserver", 9) == 0)
			return tcpserver(s, t, spid, msg, e);
		if (tl == 5 && memcmp(tag, "imapd", 5) == 0)
			return courier(s, LSVC_IMAP, t, msg, e);
		if (tl == 9 && memcmp(tag, "imapd-ssl", 9) == 0)
			return courier(s, LSVC_IMAPS, t, msg, e);
		if (tl == 5 && memcmp(tag, "pop3d", 5) == 0)
			return courier(s, LSVC_POP3, t, msg, e);
		if (tl == 9 && memcmp(tag, "pop3d-ssl", 9) == 0)
			return courier(s, LSVC_POP3S, t, msg, e);
		if (tl == 7 && memcmp(tag, "dovecot", 7) == 0)
			return dovecot(s, t, msg, e);
		if (tl == 6 && memcmp(tag, "xinetd", 6) == 0)
			return xinetd(s, t, spid, msg, e);
		if ((tl == 8 && memcmp(tag, "vpopmail", 8) == 0) ||
		    (tl >= 6 && memcmp(tag, "vchkpw", 6) == 0)) {
			if (starts(msg, e, "vchkpw-", 7))
				vchkpw(s, msg + 7, e);
			return 0;
		}
		if (tl > 8 && memcmp(tag, "postfix/", 8) == 0)
			return postfix(s, msg, e);
		if (starts(msg, e, "tcpserver: ", 11))
			return tcpserver(s, t, spid, msg + 11, e);
		s->st->lines_used--;
	}
	return 0;
}

static enum limits_svc
hint_of(const char *name)
{
	static const struct {
		const char *word;
		enum limits_svc svc;
	} h[] = {
		{ "smtps", LSVC_SMTPS }, { "submission", LSVC_SUBMISSION },
		{ "pop3s", LSVC_POP3S }, { "pop3", LSVC_POP3 },
		{ "imaps", LSVC_IMAPS }, { "imap", LSVC_IMAP },
		{ "smtp", LSVC_SMTP },
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strstr(name, h[i].word) != NULL)
			return h[i].svc;
	return LSVC_OTHER;
}

static void
begin(struct logscan *s, const char *name, time_t ref)
{
	struct tm tm;

	s->fileno++;
	s->name = name;
	s->line = 0;
	s->hint = hint_of(name);
	s->st->files++;
	memset(s->tsc, 0, sizeof(s->tsc));
	memset(s->taic, 0, sizeof(s->taic));
	if (s->l->log_year != 0) {
		s->year = s->l->log_year;
		s->ref_mon = 11;
	} else if (gmtime_r(&ref, &tm) != NULL) {
		s->year = tm.tm_year + 1900;
		s->ref_mon = tm.tm_mon;
	}
}

int
logscan_buf(struct logscan *s, const char *name, const char *buf, size_t len,
    time_t ref)
{
	size_t i = 0;
	int err;

	begin(s, name, ref);
	s->st->bytes += len;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - buf) : len;

		if (e - i <= LS_MAX_LINE && (err = line(s, buf + i, e - i)) < 0)
			return err;
		i = e + 1;
	}
	return 0;
}

/* fd: a log opened by the caller; name: how diagnostics call it */
static int
logscan_fd(struct logscan *s, const char *name, int fd, time_t ref)
{
	char *buf;
	size_t have = 0, skip = 0;
	ssize_t n;
	int err = 0;
	struct stat st;

	if (ref == 0 && fstat(fd, &st) == 0)
		ref = st.st_mtime;
	if ((buf = malloc(LS_READ + LS_MAX_LINE)) == NULL)
		return QPM_ENOMEM;
	begin(s, name, ref);
	for (;;) {
		size_t i = 0;

		n = read(fd, buf + have, LS_READ + LS_MAX_LINE - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = limits_diag(s->l, 0, name, s->line, "read error: "
			    "%s", strerror(errno));
			break;
		}
		s->st->bytes += (unsigned long long)n;
		have += (size_t)n;
		while (i < have) {
			const char *nl = memchr(buf + i, '\n', have - i);
			size_t e;

			if (nl == NULL) {
				if (n == 0)
					e = have;	/* last line, no \n */
				else
					break;
			} else
				e = (size_t)(nl - buf);
			if (skip) {
				skip = 0;	/* tail of an over-long line */
			} else if ((err = line(s, buf + i, e - i)) < 0)
				goto out;
			i = e + 1;
		}
		if (n == 0)
			break;
		if (i < have) {
			memmove(buf, buf + i, have - i);
			have -= i;
			if (have >= LS_MAX_LINE) {
				/* over-long line: drop what we have */
				have = 0;
				skip = 1;
				s->line++;
			}
		} else
			have = 0;
	}
out:
	free(buf);
	return err < 0 ? err : 0;
}

/* First bytes of an open log (read in place: the scan starts at 0):
 * '@' for multilog. */
static int
sniff_fd(int fd, time_t *first)
{
	char b[32];
	ssize_t n;

	*first = 0;
	n = pread(fd, b, sizeof(b), 0);
	if (n >= 17 && b[0] == '@') {
		uint64_t v = 0;
		int i, h;

		for (i = 1; i <= 16; i++) {
			if ((h = hexval(b[i])) < 0)
				return 1;
			v = v << 4 | (uint64_t)h;
		}
		if (v >= 4611686018427387914ULL)
			*first = (time_t)(v - 4611686018427387914ULL);
		return 1;
	}
	return 0;
}

/* A log under root is opened inside it (lib/util/rootfs.h) and must be
 * a regular file; one named on the command line is the admin's choice
 * and is opened as given. */
static int
open_log(const struct rootfs *root, const char *file, struct stat *st)
{
	int fd;

	if (root != NULL)
		return rootfs_open_file(root, file, ROOTFS_NOFOLLOW, st);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		memset(st, 0, sizeof(*st));
	return fd;
}

static int
read_logs(struct limits *l, const struct rootfs *root,
    const char *const *files, size_t n)
{
	struct logscan *s;
	time_t ref = 0, t;
	size_t i, pass;
	int err = 0, fd, ml;
	struct stat st;

	if ((s = logscan_new(l)) == NULL)
		return QPM_ENOMEM;
	/* multilog files first: their stamps carry the year the syslog
	 * files lack */
	for (pass = 0; pass < 2 && err >= 0; pass++)
		for (i = 0; i < n && err >= 0; i++) {
			if ((fd = open_log(root, files[i], &st)) < 0) {
				if (pass == 1 && limits_diag(l, 0, files[i], 0,
				    "cannot read log: %s",
				    rootfs_strerror(fd)) < 0)
					err = QPM_ENOMEM;
				continue;
			}
			ml = sniff_fd(fd, &t);
			if ((pass == 0) != (ml != 0)) {
				close(fd);
				continue;
			}
			err = logscan_fd(s, files[i], fd, pass == 1 &&
			    ref == 0 ? st.st_mtime : ref);
			close(fd);
			if (pass == 0 && l->logs.last > ref)
				ref = l->logs.last;
		}
	logscan_free(s);
	return err;
}

int
limits_read_logs(struct limits *l, const char *const *files, size_t n)
{
	return read_logs(l, NULL, files, n);
}

int
limits_read_root_logs(struct limits *l, const char *root,
    const char *const *files, size_t n)
{
	struct rootfs r;
	int err;

	if ((err = rootfs_init(&r, root, 0)) < 0)
		return err;
	err = read_logs(l, &r, files, n);
	rootfs_free(&r);
	return err;
}
