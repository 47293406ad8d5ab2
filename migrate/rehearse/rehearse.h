/*
 * NAME		rehearse.h - the dress rehearsal of a migration output
 * DOES		"qmail2postfix rehearse OUT": boots Postfix and Dovecot from
 *		OUT on loopback, probes every address and login the model
 *		knows, compares with what the old host did
 * NEVER	writes below OUT or the old tree, binds anything but
 *		127.0.0.1, sends mail anywhere but its own capture sink
 */
#ifndef QPM_REHEARSE_H
#define QPM_REHEARSE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "util/qstr.h"
#include "util/strlist.h"

/* Limits of the rehearsal; each is checked before the work it bounds. */
#define RH_MAX_PROBES		200000	/* addresses in one rehearsal */
#define RH_MAX_DEPTH		20	/* alias chain; Postfix stops at
					   virtual_alias_recursion_limit 1000,
					   qmail forwards at 100 Delivered-To */
#define RH_MAX_HEADER		(64 * 1024)	/* header block read per file */
#define RH_MAX_REPLY		(64 * 1024)	/* one server reply, all lines */
#define RH_IO_TIMEOUT		20	/* seconds for one protocol read */
#define RH_CONCURRENCY		16	/* SMTP sessions, logins in flight */
#define RH_MAX_WORKERS		256	/* --concurrency at most */
#define RH_BATCH		50	/* addresses per probe message */
#define RH_MAX_BATCH		1000	/* --batch at most (smtpd_recipient_limit) */

/* What happened, or would have happened, to mail for one address. */
enum rh_outcome {
	RH_DELIVERED = 1,	/* a mailbox, forward target or program got it */
	RH_BOUNCED,		/* refused at RCPT, or a DSN to the sender */
	RH_DEFERRED,		/* still queued when the queue settled */
	RH_DISCARDED		/* accepted, then dropped on purpose */
};

const char *rh_outcome_name(enum rh_outcome o);

struct rh_result {
	enum rh_outcome	 outcome;
	struct strlist	 mailboxes;	/* address of an INBOX, else a path */
	struct strlist	 forwards;	/* addresses on other hosts */
	struct strlist	 pipes;		/* program command lines */
	struct strlist	 not_converted;	/* "file:line: reason" (expected) */
	struct qstr	 detail;	/* why, in words */
};

void	rh_result_init(struct rh_result *r);
void	rh_result_free(struct rh_result *r);

/* The migration model (OUT/migration.json) as the expectation. */
struct rh_model;

struct rh_model *rh_model_new(json_t *root, struct qstr *err);
void	rh_model_free(struct rh_model *m);
/* what the old host did with mail to addr; 0 or a negative qpm_err */
int	rh_model_expect(const struct rh_model *m, const char *addr,
	    struct rh_result *out);
/* the same, with the exit code each program line gave: runs as the
 * report's "pipe_runs" (file, line, exit); a program not in runs
 * exits 0 */
int	rh_model_expect_runs(const struct rh_model *m, const char *addr,
	    const json_t *runs, struct rh_result *out);
/* every address worth a probe, in model order (no duplicates) */
int	rh_model_probes(const struct rh_model *m, struct strlist *out);
/* login expectation: 1 allowed, 0 denied, -1 unknown mailbox; proto
 * "imap", "pop3", "smtp" from 127.0.0.1 (vchkpw's webmail address),
 * "imap_remote", "pop3_remote", "smtp_remote" from any other */
int	rh_model_login(const struct rh_model *m, const char *addr,
	    const char *proto);

/* The shared probe messages (--batch, rh_probe.c): want[i] the
 * expectation of address i, NULL when it goes alone; batch_of[i] gets 1
 * + the index of its message, or 0 (a message of its own).  At most max
 * addresses to a message, in order; never two in one message expected
 * in the same mailbox, forwarded to the same target or running the same
 * program (case aside): each copy, forward, program run and DSN then
 * stays one address's.  A message that would
 * have one address is none.  The number of messages, or -1 (memory). */
long	rh_batch_assign(const struct rh_result *const *want, size_t n,
	    size_t max, size_t *batch_of);

/* The recipient blocks of a DSN (text: the whole message): each(arg,
 * FINAL, ORIGINAL or "", the Diagnostic-Code's first line or NULL, its
 * length) for each block with a Final-Recipient: (rh_collect.c); the
 * number of blocks */
size_t	rh_dsn_blocks(const char *text, void (*each)(void *arg,
	    const char *fin, const char *orig, const char *diag, size_t dlen),
	    void *arg);

/* Comparison of an expectation with what the rehearsal saw: 1 same,
 * 0 different (each difference appended to why as "field: want X, got Y;") */
int	rh_compare(const struct rh_result *want, const struct rh_result *got,
	    struct qstr *why);

/* Configuration rewriting (text in, text out; rehearse_conf.c) */
struct rh_paths {
	const char	*tmp;		/* the rehearsal's private directory */
	const char	*pf_conf;	/* its Postfix configuration dir */
	const char	*pf_queue;	/* its Postfix queue_directory */
	const char	*old_queue;	/* OUT's queue_directory */
	const char	*dc_dir;	/* its Dovecot dir (dovecot.conf, users) */
	const char	*mail_root;	/* prefix for every mailbox home */
	const char	*recorder;	/* the pipe recorder program */
	const char	*pipe_dir;	/* where the recorder writes */
	const char	*user;		/* the unprivileged user for mail */
	unsigned	 uid, gid;
	int		 smtp_port, submission_port, imap_port, pop3_port;
	/* the first TLS wrapper-mode listener (465), 0 when not started;
	 * it runs with this certificate and key (OUT's, or throw-away) */
	int		 smtps_port;
	const char	*tls_cert, *tls_key;
	int		 sink_port;
	int		 (*next_port)(void);	/* for any other inet service */
	const struct strlist *dc_files;	/* basenames of OUT/dovecot files */
	/* SRS (NULL when OUT has none or it is not rehearsed): the srsfwd
	 * pipe runs srs-forward for real, as user, with the private copy of
	 * OUT's secret; recipient_canonical_maps with srs-map's port */
	const char	*srs_transport;	/* master.cf service name */
	const char	*srs_forward;	/* the srs-forward program */
	const char	*srs_secret;	/* the private copy of the secret */
	const char	*srs_reverse_map;	/* rewritten recipient_canonical_maps */
	/* q2p-dotqmail (NULL: not found, its services are recorded whole):
	 * run for real, with the recorder in front of each program line,
	 * dovecot-lda with the private dovecot.conf for mailbox lines */
	const char	*dotqmail;
	const char	*dc_conf;
	const char	*standins;	/* --programs: stand-in programs */
};

int	rh_master_rewrite(const char *text, const struct rh_paths *p,
	    struct qstr *out, struct strlist *notes,
	    struct strlist *client_transports);
int	rh_transport_rewrite(const char *text,
	    const struct strlist *client_transports, int sink_port,
	    struct qstr *out, struct strlist *notes);
int	rh_dovecot_rewrite(const char *text, const struct rh_paths *p,
	    struct qstr *out);
/* appends to out (the rewritten text) IMAP and POP3 processes that serve
 * many logins each, in the syntax of text's Dovecot version */
int	rh_dovecot_reuse(const char *text, struct qstr *out);
/* homes: each rewritten absolute home; users (may be NULL): the user
 * of each, in the same order (whose Maildir a delivery landed in) */
int	rh_users_rewrite(const char *text, const struct rh_paths *p,
	    struct qstr *out, struct strlist *homes, struct strlist *users);
/* --userdb sql: a Postfix mysql: map file with its hosts on the private
 * MariaDB's socket; Dovecot's dovecot-sql.conf.ext with its connect
 * string's host and port (2.3), or its "mysql HOST {" block's host and
 * port (2.4), so, and its dbname into db.  QPM_ENOENT when the file
 * names no connection. */
int	rh_mysql_cf_rewrite(const char *text, const char *sock,
	    struct qstr *out);
int	rh_dovecot_sql_rewrite(const char *text, const char *sock,
	    struct qstr *out, char *db, size_t dbsize);
/* The command a recorded pipe ran, from its argv as executed (args from
 * index first on): the command inside the "/bin/sh -c" wrapper OUT's
 * master.cf puts around a .qmail program, else the argv joined by
 * spaces.  Never from the migration model. */
int	rh_pipe_ran(const struct strlist *args, size_t first,
	    struct qstr *out);
int	rh_main_overrides(const struct rh_paths *p, struct strlist *out);
/* value with every "socket" (e.g. inet:127.0.0.1:10003) replaced by
 * inet:127.0.0.1:port; QPM_ENOENT when socket does not occur */
int	rh_srs_map_rewrite(const char *value, const char *socket, int port,
	    struct qstr *out);

/* Protocol helpers (rehearse_net.c) */
int	rh_base64(const void *in, size_t len, struct qstr *out);
int	rh_free_port(void);
int	rh_tcp_connects(int port);	/* 1 when 127.0.0.1:port accepts */
/* a socketmap request to 127.0.0.1:port: 1 OK (value in out),
 * 0 NOTFOUND, -1 error or another reply (in out) */
int	rh_sockmap_query(int port, const char *map, const char *key,
	    struct qstr *out);

/* the start of a login's reply when the server did not accept its
 * connection within RH_IO_TIMEOUT */
#define RH_NO_CONNECTION	"no connection"

enum rh_login {
	RH_LOGIN_OK = 1,
	RH_LOGIN_FAIL,
	RH_LOGIN_ERROR		/* no answer, broken connection */
};

/* A login from the loopback address src (NULL: 127.0.0.1) to port. */
enum rh_login rh_login_imap(const char *src, int port, const char *user,
	    const char *pass, struct qstr *reply);
enum rh_login rh_login_pop3(const char *src, int port, const char *user,
	    const char *pass, struct qstr *reply);
enum rh_login rh_login_smtp(const char *src, int port, const char *user,
	    const char *pass, struct qstr *reply);
/* SMTP AUTH in TLS from the first byte (smtpd_tls_wrappermode); the
 * certificate is not checked */
enum rh_login rh_login_smtps(const char *src, int port, const char *user,
	    const char *pass, struct qstr *reply);

/* One SMTP session that sends probe messages one after another. */
struct rh_smtp;

struct rh_smtp *rh_smtp_open(int port, const char *helo, struct qstr *err);
/* 0 accepted (queue id in qid), 1 refused (reply in reply), <0 error */
int	rh_smtp_send(struct rh_smtp *s, const char *from, const char *rcpt,
	    const char *msg, char *qid, size_t qidlen, struct qstr *reply);
/* one message to n recipients: acc[i] 1 when RCPT i was accepted;
 * 0 queued for those, 1 refused (none accepted, or MAIL or DATA
 * refused: reply), <0 error */
int	rh_smtp_send_rcpts(struct rh_smtp *s, const char *from,
	    const char *const *rcpt, size_t n, const char *msg, char *qid,
	    size_t qidlen, char *acc, struct qstr *reply);
void	rh_smtp_close(struct rh_smtp *s);

/* Header scan: the Message-ID of the top header block (without <>) */
int	rh_header_value(const char *text, size_t len, const char *name,
	    struct qstr *out);

/* --limits: the connection limits of OUT proven live (rehearse_limits.c).
 * Expectations come from migration.json's "limits" settings; every
 * probe touches only loopback or a network namespace it makes itself. */
struct rh_limits;

struct rh_limits_env {
	const struct rh_paths *p;
	const char	*pf_conf;	/* the rehearsal's Postfix config dir */
	const char	*dc_conf;	/* the rehearsal's dovecot.conf */
	const char	*nft_file;	/* OUT/nftables/qmail2postfix.nft */
	const char	*user, *pass;	/* a mailbox allowed IMAP and POP3
					   with its cleartext password, or NULL */
};

struct rh_limits *rh_limits_new(json_t *model);
/* appends shortened copies of long-timeout smtpd listeners to the
 * rehearsal's (already rewritten) master.cf text */
int	rh_limits_master(struct rh_limits *l, const struct rh_paths *p,
	    struct qstr *master);
int	rh_limits_run(struct rh_limits *l, const struct rh_limits_env *env);
json_t	*rh_limits_json(const struct rh_limits *l);
void	rh_limits_text(const struct rh_limits *l, FILE *fp);
size_t	rh_limits_failed(const struct rh_limits *l);
void	rh_limits_free(struct rh_limits *l);

int	rehearse_main(int argc, char **argv);

#endif
