/*
 * NAME		limits - connection limits and timeouts of the old host, the
 *		evidence in its logs, and their Postfix/Dovecot/nftables form
 * DOES		readers fill struct limits (every item with file:line);
 *		limits_recommend() picks one value per target; the writers
 *		return text (main.cf lines, master.cf overrides, Dovecot
 *		blocks, the nftables file, the report) and a JSON object
 * NEVER	writes a file, contacts a server, guesses an unparseable line
 */
#ifndef QPM_MIGRATE_LIMITS_H
#define QPM_MIGRATE_LIMITS_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

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

/* Paths on the old host, relative to root; NULL: the usual places. */
struct limits_paths {
	const char	*qmail_dir;	/* /var/qmail */
	const char	*service_dir;	/* /service (and the other usual dirs) */
	const char	*courier_dir;	/* /etc/courier, /usr/lib/courier-imap/etc */
	const char	*xinetd_conf;	/* /etc/xinetd.conf (+ includedir) */
	const char	*iptables;	/* /etc/sysconfig/iptables, rules.v4 */
	const char	*nftables;	/* /etc/nftables.conf */
	const char	*sysctl;	/* /etc/sysctl.conf (+ /etc/sysctl.d) */
};

struct limits_policy {
	int		 size_from_logs;	/* write the log-based values */
	int		 keep_looser;		/* on conflict keep the looser */
	unsigned	 headroom_pct;		/* 0: 50 (%) */
};

void	limits_init(struct limits *l);
void	limits_free(struct limits *l);

/* Read everything under root; returns the number of unparseable limit
 * lines (listed in l->diags) or a negative qpm_err. */
int	limits_read(struct limits *l, const char *root,
	    const struct limits_paths *paths);
/* Scan logs (multilog @tai64n or syslog lines, any mix); returns 0 or a
 * negative qpm_err (an unreadable file is a diag, not an error). */
int	limits_read_logs(struct limits *l, const char *const *files, size_t n);
/* The same for the old host's own logs: files relative to root, each
 * opened inside it (lib/util/rootfs.h), a regular file, no final link. */
int	limits_read_root_logs(struct limits *l, const char *root,
	    const char *const *files, size_t n);
/* Resolve conflicts, size from the logs; fills l->settings. */
int	limits_recommend(struct limits *l, const struct limits_policy *pol);

/* Writers: append text, return 0 or a negative qpm_err. */
int	limits_postfix_main(const struct limits *l, struct qstr *out);
/* The master.cf part of one smtpd service ("smtp", "submission",
 * "smtps" or a port): maxproc (-1: leave "-"), the comment lines to put
 * above the service line, and "  -o name=value" lines (each after a
 * "  # from FILE:LINE" line) to append below it. */
struct limits_master {
	long		 maxproc;
	struct qstr	 comment;
	struct qstr	 options;
};
void	limits_master_init(struct limits_master *m);
void	limits_master_free(struct limits_master *m);
int	limits_postfix_master(const struct limits *l, const char *service,
	    struct limits_master *m);
/* check_client_access table (cidr) for tcprules allow/deny; empty when
 * the rules deny nobody. main.cf names it client_access.cidr. */
int	limits_postfix_client_access(const struct limits *l, struct qstr *out);
int	limits_dovecot(const struct limits *l, struct qstr *out);
/* The same in the syntax of Dovecot 2.3 (version 23) or 2.4 (24:
 * restart_request_count for service_count). */
int	limits_dovecot_ver(const struct limits *l, int version,
	    struct qstr *out);
int	limits_nftables(const struct limits *l, struct qstr *out);
/* sysctl lines to keep (an /etc/sysctl.d file); empty when none. */
int	limits_sysctl(const struct limits *l, struct qstr *out);
int	limits_report(const struct limits *l, struct qstr *out);
json_t	*limits_json(const struct limits *l);

/* Helpers shared by the readers (limits.c). */
const char *limits_svc_name(enum limits_svc svc);
int	limits_svc_port(enum limits_svc svc);
enum limits_svc limits_svc_from_port(const char *port);
const char *limits_kind_name(enum limits_kind kind);
int	limits_add(struct limits *l, enum limits_kind kind, enum limits_svc svc,
	    long value, long per, const char *source, const char *file,
	    unsigned long line, const char *detailfmt, ...)
	    __attribute__((format(printf, 9, 10)));
int	limits_diag(struct limits *l, int error, const char *file,
	    unsigned long line, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
int	limits_set_inert(struct limits *l, size_t idx, const char *why);
int	limits_set_addr(struct limits *l, size_t idx, const char *addr);

#endif
