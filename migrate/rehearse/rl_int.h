/*
 * NAME		rl_int.h - what the files of "rehearse --limits" share
 * DOES		the probes read from migration.json (struct rl_probe,
 *		struct rh_limits), the connection batches (struct lc) and
 *		the functions each file offers the others
 * NEVER	seen outside migrate/rehearse/ (rehearse.h is the interface)
 */
#ifndef QPM_RL_INT_H
#define QPM_RL_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "migrate/rehearse/rehearse.h"
#include "util/qstr.h"
#include "util/strlist.h"

#define RL_MAX_CONN	256	/* connections one probe opens at most */
#define RL_MAX_SETTINGS	256	/* settings read from migration.json */
#define RL_SHORT	10	/* a timeout up to this many seconds is
				   probed as configured */
#define RL_COPY_TIMEOUT	3	/* smtpd_timeout of the shortened copy */
#define RL_MAX_COPIES	4	/* shortened copies in master.cf */
#define RL_GREET_MS	90000	/* every greeting of one batch (ends when all are in) */
#define RL_REPLY_MS	5000	/* one reply */
#define RL_WAIT_MS	2000	/* a connection that must wait stays
				   unanswered this long */
#define RL_DROP_MS	3000	/* Dovecot drops the oldest client within */
#define RL_LOGIN_S	60	/* one login series, all of it */
#define RL_NFT_CONN_MS	1000	/* one connect in the namespace (a SYN
				   is sent again after 1 s) */
#define RL_NFT_TOTAL_S	120	/* the whole namespace run */
#define RL_CMD_S	20	/* one postconf, doveconf or nft */
#define RL_TEXT		200	/* kept of one server line */

enum rl_status { RL_OK, RL_FAIL, RL_NOT_PROBED };	/* a probe's result */

enum rl_nft { NFT_NONE, NFT_COUNT_IP, NFT_COUNT_24, NFT_RATE };

struct rl_probe {
	char		*target, *service;
	long		 value, old, per_seconds;
	int		 perf;
	int		 status;
	int		 nft, port;	/* nftables probes: kind, real port */
	struct qstr	 what, expected, observed, how, configured, before;
};

struct rl_copy {
	int		 port;		/* the service's rehearsal port */
	int		 copy_port;	/* its shortened copy */
};

struct rh_limits {
	struct rl_probe	*v;
	size_t		 n;
	struct rl_copy	 copies[RL_MAX_COPIES];
	size_t		 ncopies;
	int		 blk;		/* next block of source addresses */
	int		 dc24;		/* Dovecot 2.4 (migration.json targets) */
	int		 ran;
	struct strlist	 notes;
	struct qstr	 none;		/* why there is nothing to probe */
};

/* one connection of a probe's batch (rl_conn.c) and its state */
enum { C_UNUSED, C_CONNECTING, C_OPEN, C_REFUSED, C_CLOSED, C_TIMEOUT };

struct lc {
	int	 fd, state, lines, reset;
	char	 first[RL_TEXT], last[RL_TEXT];
	char	 buf[1024];
	size_t	 blen;
	double	 t_open, t_line, t_end;
};

/* what rl_lc_pump() waits for on each connection */
enum { W_LINE, W_CONNECT, W_END };

/* rehearse_limits.c: utilities, the probes from the model, the run */
void	rl_sleep_ms(long ms);
void	rl_src_addr(char *buf, size_t size, int blk, int j);
int	rl_starts(const char *s, const char *p);
long	rl_secs(const char *v);
int	rl_cmd_run(char *const argv[], struct qstr *out, int with_err);
void	rl_pf_value(const struct rh_limits_env *env, int port,
	    const char *param, struct qstr *out);
long	rl_pf_maxproc(const struct rh_limits_env *env, int port);
void	rl_dc_value(const struct rh_limits_env *env, const char *filter,
	    const char *key, struct qstr *out);
void	rl_not_probed(struct rl_probe *pr, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	rl_too_many(struct rl_probe *pr, long n, const char *what);
int	rl_conf_differs(struct rl_probe *pr, long want, long got,
	    const char *raw);

/* rl_conn.c: many non-blocking loopback connections at once */
void	rl_lc_close(struct lc *c);
void	rl_lc_close_all(struct lc *c, size_t n);
void	rl_lc_open(struct lc *c, const char *src, int port);
int	rl_lc_final(const struct lc *c);
void	rl_lc_io(struct lc *c, size_t n, int ms);
int	rl_lc_pump(struct lc *c, size_t n, size_t from, int want, long ms);
int	rl_lc_send(struct lc *c, const char *s);
int	rl_lc_reply(struct lc *c, int mark, const char *tag, long ms);
const char *rl_lc_what(const struct lc *c);

/* rl_postfix.c: the Postfix probes */
void	rl_probe_pf_count(struct rh_limits *l, struct rl_probe *pr,
	    const struct rh_limits_env *env, int port);
void	rl_probe_pf_rate(struct rh_limits *l, struct rl_probe *pr,
	    const struct rh_limits_env *env, int port);
void	rl_probe_pf_maxproc(struct rh_limits *l, struct rl_probe *pr,
	    const struct rh_limits_env *env, int port);
void	rl_probe_pf_timeout(struct rh_limits *l, struct rl_probe *pr,
	    const struct rh_limits_env *env, int port);

/* rl_dovecot.c: the Dovecot probes */
void	rl_probe_dc_login(struct rh_limits *l, struct rl_probe *pr,
	    const struct rh_limits_env *env, int port);
void	rl_probe_dc_userip(struct rh_limits *l, struct rl_probe *pr,
	    const struct rh_limits_env *env, int port);

/* rl_nft.c: the nftables probes in a network namespace */
pid_t	rl_nft_start(struct rh_limits *l, const struct rh_limits_env *env,
	    int *rfd);
void	rl_nft_finish(struct rh_limits *l, pid_t pid, int rfd);
void	rl_nft_prepare(struct rl_probe *pr);

#endif
