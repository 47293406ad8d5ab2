/*
 * NAME		limits - the limits model: connection limits and timeouts of
 *		the old host and the evidence in its logs
 * DOES		holds what the readers (migrate/oldhost/readers.h) found:
 *		items with file:line, diagnostics, the log evidence;
 *		limits_recommend() picks one value per target (settings),
 *		which each writer renders in its own syntax
 * NEVER	reads or writes a file, renders target syntax, guesses an
 *		unparseable line
 */
#ifndef QPM_MIGRATE_LIMITS_H
#define QPM_MIGRATE_LIMITS_H

#include <stddef.h>
#include <time.h>

#include "util/qstr.h"

/* The listeners a limit can belong to; the order is the report's. */
enum limits_svc {
	LSVC_SMTP,		/* 25 */
	LSVC_SUBMISSION,	/* 587 */
	LSVC_SMTPS,		/* 465 */
	LSVC_POP3,		/* 110 */
	LSVC_POP3S,		/* 995 */
	LSVC_IMAP,		/* 143 */
	LSVC_IMAPS,		/* 993 */
	LSVC_OTHER,		/* a port none of the above */
	LSVC_HOST,		/* the whole host (sysctl) */
	LSVC_N
};

enum limits_kind {
	LK_CONC_SERVICE = 1,	/* simultaneous connections of a listener */
	LK_CONC_IP,		/* simultaneous connections per client IP */
	LK_CONC_NET24,		/* simultaneous connections per client /24 */
	LK_RATE_IP,		/* new connections per client IP per window */
	LK_RATE_SERVICE,	/* new connections per listener per window */
	LK_TIMEOUT_HANDSHAKE,	/* TLS handshake, seconds */
	LK_TIMEOUT_IDLE,	/* one read or write, seconds */
	LK_TIMEOUT_DATA,	/* qmail-smtpd DATA phase, seconds */
	LK_TIMEOUT_IDENT,	/* ident (TCPREMOTEINFO) lookup, seconds */
	LK_MEMORY,		/* per process, bytes */
	LK_LOADAVG,		/* refuse above this 1-minute load (x100) */
	LK_KERNEL,		/* a sysctl: keepalive, conntrack, backlog */
	LK_ACCESS_DENY,		/* tcprules deny for an address */
	LK_ACCESS_ALLOW,	/* tcprules allow (with or without env) */
	LK_RELAY,		/* tcprules allow,RELAYCLIENT */
	LK_CLIENT_ENV,		/* tcprules per-client variable */
	LK_USERIP		/* per user and IP after login */
};

/* One limit found on the old host. */
struct limits_item {
	enum limits_kind kind;
	enum limits_svc	 svc;
	long		 value;		/* count, seconds, bytes, load x100;
					 * -1: "none" (a listener without one) */
	long		 per;		/* rates: window in seconds */
	char		*source;	/* "tcpserver -c", "courier MAXPERIP" */
	char		*detail;	/* reading used, address, variable */
	char		*addr;		/* tcprules key ("" = default rule) */
	char		*file;		/* relative to the root */
	unsigned long	 line;
	char		*inert;		/* why it had no effect, or NULL */
	int		 is_default;	/* the program's default, not written */
};

/* A line that could not be read; never guessed. */
struct limits_diag {
	char		*file;
	unsigned long	 line;
	char		*text;
	int		 error;		/* 1: unparseable limit, 0: note */
};

/* What the logs show; per listener. */
#define LIMITS_MAX_HOURS	(24 * 400)	/* in limits_series */
struct limits_series {
	long		 first_hour;	/* unix time / 3600 of peak[0] */
	size_t		 n, cap;
	long		*peak;		/* peak concurrency in that hour */
	unsigned long	*conns;		/* new connections in that hour */
};

struct limits_svcstats {
	unsigned long	 connections;
	long		 peak;		/* simultaneous, any client */
	time_t		 peak_at;
	long		 status_max;	/* M of tcpserver "status: N/M" */
	unsigned long	 at_limit;	/* "status: M/M" lines */
	long		 peak_ip;	/* one client IP */
	char		 peak_ip_addr[48];
	long		 peak_userip;	/* one user from one IP, logged in */
	char		 peak_user[96];
	unsigned long	 login_ok, login_fail;
	unsigned long	 denied;	/* tcpserver deny lines */
	struct limits_series hours;
};

enum limits_logerr_kind {
	LE_TCPSERVER_FULL = 1,	/* status: M/M */
	LE_USERIP,		/* Dovecot mail_max_userip_connections */
	LE_PROCESS_LIMIT,	/* Dovecot service process_limit reached */
	LE_PERIP,		/* courier MAXPERIP / xinetd per_source */
	LE_INSTANCES,		/* xinetd instances / courier MAXDAEMONS */
	LE_CPS,			/* xinetd cps: service deactivated */
	LE_SMTPD_COUNT		/* Postfix connection count limit */
};

struct limits_logerr {
	enum limits_logerr_kind kind;
	enum limits_svc	 svc;
	long		 limit;		/* the limit the message names, or 0 */
	unsigned long	 count;
	char		*file;		/* first occurrence */
	unsigned long	 line;
};

struct limits_logstats {
	unsigned long	 files, lines, lines_used;
	unsigned long long bytes;
	time_t		 first, last;
	struct limits_svcstats svc[LSVC_N];
	struct limits_logerr *errs;
	size_t		 nerrs;
	unsigned long	 table_full;	/* events dropped: table limit */
};

/* Where each written value comes from. */
enum limits_target {
	LT_PF_MAXPROC = 1,	/* master.cf smtpd maxproc (per service) */
	LT_PF_CONN_COUNT,	/* smtpd_client_connection_count_limit */
	LT_PF_CONN_RATE,	/* smtpd_client_connection_rate_limit */
	LT_PF_STARTTLS_TIMEOUT,	/* smtpd_starttls_timeout + deadline */
	LT_PF_TIMEOUT,		/* smtpd_timeout */
	LT_DC_LOGIN_PROCESSES,	/* service {imap,pop3}-login process_limit */
	LT_DC_USERIP,		/* protocol {imap,pop3} mail_max_userip */
	LT_DC_VSZ,		/* service {imap,pop3} vsz_limit */
	LT_DC_AUTH_DELAY,	/* auth_failure_delay */
	LT_NFT_CONN_IP,		/* ct count per saddr */
	LT_NFT_CONN_NET24,	/* ct count per saddr /24 */
	LT_NFT_RATE_IP		/* limit rate per saddr */
};

struct limits_setting {
	enum limits_target target;
	enum limits_svc	 svc;		/* pop3/imap stand for the protocol */
	long		 old;		/* old host's value, -1 none */
	long		 per;		/* rates: window seconds */
	long		 observed;	/* log peak, -1 none */
	unsigned long	 errors;	/* limit errors the logs show */
	long		 recommended;	/* from the logs, -1 none */
	long		 value;		/* what is written */
	int		 from_logs;	/* value is the recommendation */
	int		 perf_mode;	/* Dovecot login: high-performance */
	size_t		 src[8];	/* item indexes */
	size_t		 nsrc;
	char		*why;		/* headroom and reasoning */
};

struct limits_conflict {
	enum limits_kind kind;
	enum limits_svc	 svc;
	size_t		 kept, other;	/* item indexes */
};

struct limits {
	struct limits_item *items;
	size_t		 nitems, capitems;
	struct limits_diag *diags;
	size_t		 ndiags, capdiags;
	struct limits_conflict *conflicts;
	size_t		 nconflicts;
	struct limits_setting *settings;
	size_t		 nsettings;
	struct limits_logstats logs;
	int		 have_logs;
	int		 log_year;	/* syslog lines carry none; 0 = from
					 * the file's mtime */
	char		*exempt;	/* networks exempt from per-IP limits */
	char		*mynetworks;	/* from RELAYCLIENT rules */
	int		 recommended;
	int		 size_from_logs, keep_looser;
	unsigned	 headroom_pct;
};

struct limits_policy {
	int		 size_from_logs;	/* write the log-based values */
	int		 keep_looser;		/* on conflict keep the looser */
	unsigned	 headroom_pct;		/* 0: 50 (%) */
};

void	limits_init(struct limits *l);
void	limits_free(struct limits *l);

/* Resolve conflicts, size from the logs; fills l->settings. */
int	limits_recommend(struct limits *l, const struct limits_policy *pol);

/* Names, ports and adders (limits.c), for the readers and writers. */
const char *limits_svc_name(enum limits_svc svc);
int	limits_svc_port(enum limits_svc svc);
enum limits_svc limits_svc_from_port(const char *port);
const char *limits_kind_name(enum limits_kind kind);
const char *limits_target_name(enum limits_target t);
const char *limits_logerr_name(enum limits_logerr_kind k);
int	limits_svc_is_smtp(enum limits_svc s);	/* 25, 587, 465 */
int	limits_svc_is_dovecot(enum limits_svc s);	/* 110, 995, 143, 993 */
/* The setting of target t for svc, or NULL (after limits_recommend). */
const struct limits_setting *limits_setting_find(const struct limits *l,
	    enum limits_target t, enum limits_svc svc);
int	limits_add(struct limits *l, enum limits_kind kind, enum limits_svc svc,
	    long value, long per, const char *source, const char *file,
	    unsigned long line, const char *detailfmt, ...)
	    __attribute__((format(printf, 9, 10)));
int	limits_diag(struct limits *l, int error, const char *file,
	    unsigned long line, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
int	limits_set_inert(struct limits *l, size_t idx, const char *why);
int	limits_set_addr(struct limits *l, size_t idx, const char *addr);
/* Parse a non-negative decimal that fills [p, p+n); -1 otherwise. */
long	limits_number(const char *p, size_t n);

/* The client address of an item (a tcprules key, limits_addr.c). */
/* One canonical tcprules record "KLEN,DLEN:key->data\n" onto recs. */
int	limits_addr_record(struct qstr *recs, const char *key, size_t klen,
	    const char *data, size_t dlen);
/* Expand the one numeric range of a key ("1.2.3.37-53", "10.2-3.") the
 * way tcprules does: one record per address. */
int	limits_addr_expand(struct qstr *recs, const char *key,
	    const char *data, size_t dlen);
/* The CIDR networks of a tcprules address, space separated; 0 on
 * success, QPM_ESYNTAX when it is no address (=host, info@ip). */
int	limits_addr_cidrs(const char *addr, struct qstr *out);

#endif
