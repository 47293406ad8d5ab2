/*
 * NAME		logscan_int - what the log scanner's files share: its tables,
 *		its state and the small helpers every line goes through
 * DOES		logscan_table.c: the hash tables; logscan_event.c: the
 *		statistics and one handler per logging program; logscan.c:
 *		time stamps, line formats and the files
 * NEVER	used outside migrate/oldhost/logscan*.c
 */
#ifndef QPM_MIGRATE_LOGSCAN_INT_H
#define QPM_MIGRATE_LOGSCAN_INT_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/logscan.h"

#define LH_KEY		128		/* bytes of a table key */
#define LH_MAX		(1u << 18)	/* entries of one table */
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

static inline uint64_t
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

/* ---- line helpers ---- */

static inline int
starts(const char *p, const char *e, const char *lit, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

static inline const char *
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

static inline long
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
static inline void
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

/* ---- tables (logscan_table.c) ---- */

struct lh_ent	*lh_get(struct lh *t, const char *k, size_t n, int create);
void		 lh_del(struct lh *t, struct lh_ent *e);
void		 lh_free(struct lh *t);
struct ct_ent	*ct_get(struct ct *t, uint64_t key, int create);
void		 ct_del(struct ct *t, struct ct_ent *e);

/* ---- one handler per program (logscan_event.c): p..e is the message
 * after the tag; t the line's time (0: none), spid the syslog pid of the
 * server (-1: none); 0 or a negative qpm_err ---- */

int	logscan_tcpserver(struct logscan *s, time_t t, long spid,
	    const char *p, const char *e);
void	logscan_vchkpw(struct logscan *s, const char *p, const char *e);
int	logscan_courier(struct logscan *s, enum limits_svc svc, time_t t,
	    const char *p, const char *e);
int	logscan_xinetd(struct logscan *s, time_t t, long spid, const char *p,
	    const char *e);
int	logscan_dovecot(struct logscan *s, time_t t, const char *p,
	    const char *e);
int	logscan_postfix(struct logscan *s, const char *p, const char *e);

#endif
