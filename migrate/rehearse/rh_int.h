/*
 * NAME		rh_int.h - what the files of "qmail2postfix rehearse" share
 * DOES		one run's state (struct rh_run) and the functions each part
 *		of the rehearsal offers the others: the process runner and
 *		the servers (rh_run.c), the private configuration and SRS
 *		set-up (rh_setup.c), the probes and logins (rh_probe.c), the
 *		collection of what arrived (rh_collect.c), the evaluation
 *		and the reports (rh_report.c); main is rehearse.c
 * NEVER	seen outside migrate/rehearse/ (rehearse.h is the interface)
 */
#ifndef QPM_RH_INT_H
#define QPM_RH_INT_H

#include <signal.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "migrate/rehearse/rehearse.h"
#include "util/clock.h"
#include "util/qstr.h"
#include "util/strlist.h"

#define RH_EXIT_MISMATCH	1	/* ran; something behaved differently */
#define RH_EXIT_NOTRUN		2	/* could not rehearse */
#define RH_MAX_FILE		(64 * 1024 * 1024)	/* a copied config file */
#define RH_MAX_SECRET		(64 * 1024)	/* OUT/srs/secret */
#define RH_SENDER_DOMAIN	"rehearse.invalid"	/* RFC 6761: never real */

struct rh_probe {
	char		*addr;
	char		 id[128];	/* Message-ID without <> */
	char		 sender[128];
	char		 qid[64];
	int		 sent;		/* 0 not tried, 1 queued, 2 refused, 3 error */
	int		 dsn, queued;
	struct qstr	 reply;
	struct rh_result got, want;
	json_t		*pipe_runs;	/* [{file, line, command, argv, cwd,
					 * env, head}], q2p-dotqmail's programs */
	int		 status;	/* 1 match, 0 mismatch, 2 not converted */
	struct qstr	 why;
	size_t		 batch;		/* 1 + its message's index in batches;
					 * 0: a message of its own */
	int		 redo;		/* its batch did not show its result:
					 * sent again in a message of its own */
};

/* One probe message to several addresses (--batch): no two of them
 * expected in the same mailbox, forwarded to the same target or running
 * the same program; each copy, forward, program run and DSN block is
 * tied to one address (rh_collect.c); anything else (an outcome nobody's
 * or two members', still queued, a refusal, a difference) and those
 * addresses are probed again one at a time (rh_probe.c, rh_collect.c) */
struct rh_batch {
	char		 id[128];	/* Message-ID without <> */
	char		 sender[128];
	char		 qid[64];
	size_t		 first, n;	/* its probes: bmembers[first ...] */
	int		 sent;		/* as a probe's */
	int		 redo;		/* no copy of it counts */
};

/* the login columns in the order of rh_login_row's arrays: IMAP, POP3
 * and SMTP AUTH on submission from 127.0.0.1 (vchkpw's webmail
 * address), the same three from a non-webmail address (RH_PROTO_REMOTE
 * on), SMTP AUTH on the TLS wrapper-mode listener (last: skipped
 * without one); names as rh_model_login knows them */
#define RH_NPROTO	7
#define RH_PROTO_REMOTE	3
#define RH_PROTO_SMTPS	6

/* --login-columns: all 7 for every mailbox, or (distinct) each
 * protocol from the mailbox's own address and the 127.0.0.1 variant and
 * SMTPS where they can answer differently (rh_probe.c, login_tried) */
#define RH_COLS_ALL		0
#define RH_COLS_DISTINCT	1

struct rh_login_row {
	char		*addr;
	char		*pass;		/* NULL: no cleartext kept */
	enum rh_login	 res[RH_NPROTO];	/* 0 = skipped */
	char		*reply[RH_NPROTO];
	int		 mismatch;
};

extern const char *const rh_proto_names[RH_NPROTO];	/* imap ... smtp */
extern const char *const rh_proto_keys[RH_NPROTO];	/* their report keys */

struct rh_run {
	/* options */
	const char	*out;
	const char	*user_opt;
	const char	*passwords;
	int		 json, keep, strict, timeout, logins, limits;
	int		 concurrency;	/* SMTP sessions, logins in flight */
	int		 batch;		/* addresses per probe message (1: one) */
	int		 login_cols;	/* RH_COLS_ALL, RH_COLS_DISTINCT */
	struct rh_limits *lim;		/* --limits */
	struct strlist	 extra;
	struct qpm_clock clock;
	/* state */
	char		 tmp[512];
	struct rh_paths	 p;
	char		 pf_conf[600], pf_queue[600], dc_dir[600], dc_conf[700];
	char		 mail_root[600], sink_dir[600], pipe_dir[600];
	char		 dotqmail[1024];
	char		 recorder[600], cmdlog[600], old_queue[600];
	char		 tls_cert[1024], tls_key[1024];	/* p.tls_cert, p.tls_key */
	pid_t		 sink_pid, dc_pid, pf_pid;
	/* --userdb sql (OUT/sql): the private MariaDB, its socket and the
	 * database OUT's files name */
	int		 sql;
	pid_t		 db_pid;
	char		 db_dir[600], db_sock[700], db_name[128];
	int		 pf_started;
	json_t		*model_json;
	struct rh_model	*m;
	struct strlist	 homes, notes, clients, dc_files;
	struct strlist	 home_users;	/* Dovecot's user of each of homes */
	struct rh_probe	*probes;
	size_t		 nprobes;
	struct rh_login_row *logins_v;
	size_t		 nlogins;
	json_t		*by_id;		/* Message-ID / sender -> probe index,
					 * or -1 - batch index */
	struct rh_batch	*batches;
	size_t		 nbatches, nbatched, nredo;
	size_t		*bmembers;	/* probe indexes, batch after batch */
	/* SRS: migration.json "srs" when wired (rehearsed), else why not */
	int		 srs, srs_hold, srs_port, srs_bounce_sent;
	char		 srs_skip[256];
	char		 srs_domain[256], srs_socket[256], srs_transport[128];
	char		 srs_fwd[1024], srs_map[1024], srs_secret[600];
	char		 srs_bounce_from[256], srs_bounce_addr[1024];
	char		 srs_forged[1024];
	struct qstr	 srs_reverse, srs_bounce_reply, srs_forged_reply;
	pid_t		 srs_pid;
	json_t		*sink_recs;	/* [{probe, from, rcpt}] at the sink */
	json_t		*srs_report;
	/* the progress line (only on a terminal) and the run's figures */
	int		 progress;
	double		 progress_at;
	double		 t_probes, t_logins, t_settle;	/* seconds */
	size_t		 srs_failed, local_ok, local_bad;
	char		 local_bad_ex[700];
};

/* the signal that interrupts the rehearsal, or 0 */
extern volatile sig_atomic_t rh_interrupted;

/* rehearse.c: "WHAT done/total, rate, time left" on stderr when it is
 * a terminal (at most a few times a second; last: the final line) */
void	rh_progress(struct rh_run *r, const char *what, size_t done,
	    size_t total, double t0, int last);

/* rh_run.c: commands, servers, files */
int	rh_path_join(char *buf, size_t size, const char *a, const char *b);
/* runs argv with its output to the command log (output, when not NULL,
 * gets it); with bind, in a mount namespace where bind is
 * /etc/postfix/main.cf; the exit status or -1 */
int	rh_run_cmd_ns(struct rh_run *r, char *const argv[], struct qstr *output,
	    const char *bind);
int	rh_run_cmd(struct rh_run *r, char *const argv[], struct qstr *output);
/* the last lines of the command log, in buf, for an error message */
const char *rh_cmd_tail(struct rh_run *r, struct qstr *buf);
/* argv in the background, output appended to logname in the run's dir */
pid_t	rh_spawn(struct rh_run *r, char *const argv[], const char *logname);
void	rh_rm_tree(const char *dir);
int	rh_mkdir_owned(const char *path, mode_t mode, uid_t uid, gid_t gid);
/* reads a file (at most RH_MAX_FILE) into q, which it initialises */
int	rh_slurp(const char *path, struct qstr *q);
int	rh_spit(const char *path, const struct qstr *q, mode_t mode);
/* the sink, srs-map, Postfix and Dovecot; 0 when all listen, else -1 */
int	rh_start_all(struct rh_run *r);
/* stops what runs (srs-map only without srs_hold) */
void	rh_stop_all(struct rh_run *r);
/* --userdb sql: a private MariaDB (mariadb-install-db, mariadbd on a
 * socket in the run's directory, no network); 0 when it answers */
int	rh_db_start(struct rh_run *r);

/* rh_sql.c: --userdb sql: r->sql when OUT has OUT/sql; OUT/sql loaded
 * into the private MariaDB; the copies of Postfix's mysql: maps and
 * Dovecot's SQL connection pointed at it; the mailboxes' homes and ids
 * moved as the users file's are (homes, home_users) */
int	rh_sql_detect(struct rh_run *r);
int	rh_sql_load(struct rh_run *r);
int	rh_sql_postfix(struct rh_run *r);
int	rh_sql_users(struct rh_run *r);

/* rh_setup.c: the private directory, its configuration, SRS */
int	rh_load_model(struct rh_run *r);
int	rh_map_user(struct rh_run *r);
int	rh_prepare_paths(struct rh_run *r);
int	rh_prepare_recorder(struct rh_run *r);
int	rh_srs_prepare(struct rh_run *r);
int	rh_setup_postfix(struct rh_run *r);
int	rh_setup_dovecot(struct rh_run *r);

/* rh_probe.c: probe messages and logins while the servers run */
/* 1 when a holds white space, <, >, a control or a non-ASCII byte */
int	rh_bad_address(const char *a);
int	rh_probes_build(struct rh_run *r);
int	rh_probes_send(struct rh_run *r);
int	rh_logins_build(struct rh_run *r);
int	rh_logins_run(struct rh_run *r);
int	rh_srs_probes_send(struct rh_run *r);

/* rh_collect.c: what the queue, the Maildirs, the sink and the pipe
 * recorder hold, into each probe's result */
void	rh_settle(struct rh_run *r);
/* after rh_settle: each batch's copies to its probes; a batch or probe
 * whose result is not shown exactly gets redo */
void	rh_collect_batches(struct rh_run *r);
void	rh_collect(struct rh_run *r);

/* rh_report.c: the SRS checks and the reports */
void	rh_srs_evaluate(struct rh_run *r);
void	rh_srs_text(struct rh_run *r);
json_t	*rh_report_json(struct rh_run *r, size_t *nmis, size_t *nnc,
	    size_t *nlmis);
void	rh_report_text(struct rh_run *r, size_t nmis, size_t nnc, size_t nlmis);

#endif
