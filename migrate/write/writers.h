/*
 * NAME		writers - the model out as Postfix, Dovecot, JSON and a report
 * DOES		each writer fills files under one output directory through
 *		file_write_atomic(); every generated line names its source
 * NEVER	prints a password hash or a cleartext password; runs postmap
 */
#ifndef Q2P_WRITERS_H
#define Q2P_WRITERS_H

#include <sys/types.h>

#include <jansson.h>

#include "migrate/model/limits.h"
#include "migrate/model/model.h"
#include "util/qstr.h"

struct file_stream;

/* SRS for forwarded mail (srs/README.md, "Postfix wiring"): the
 * installed paths and the socketmap port that the files name. */
struct srs_wire {
	const char	*domain;	/* the SRS domain */
	const char	*bindir;	/* srs-forward and srs-map, installed */
	const char	*secret;	/* the secret file, installed */
	int		 port;		/* srs-map's socketmap on 127.0.0.1 */
};

/* The master.cf service and system user of the SRS forwarder. */
#define Q2P_SRS_SERVICE	"srsfwd"
/* srs-map's socketmap port on 127.0.0.1 (srs/README.md) */
#define Q2P_SRS_PORT	10003

/* DKIM signing by OpenDKIM (OUT/dkim): one key, one selector, for every
 * mailbox and alias domain.  pem holds the private key (wiped by
 * dkim_wire_free, written to OUT/dkim/keys/SELECTOR.private only). */
struct dkim_wire {
	const char	*selector;
	const char	*key_src;	/* --dkim-key FILE, or NULL */
	struct qstr	 pem;		/* the private key, PEM */
	char		*pubkey;	/* base64 SubjectPublicKeyInfo: p= */
	int		 bits;
	int		 generated;	/* made by this run */
};

/* OpenDKIM's milter socket, as Postfix names it */
#define Q2P_DKIM_MILTER	"inet:127.0.0.1:8891"

/* A fresh 2048-bit RSA key (libcrypto), or the PEM RSA key in path
 * (checked: RSA, 1024 bits or more); errors said on stderr, never the
 * key.  0 or a negative qpm_err. */
int	dkim_key_generate(struct dkim_wire *w);
int	dkim_key_load(struct dkim_wire *w, const char *path);
void	dkim_wire_free(struct dkim_wire *w);

/* The versions written for, and how each was chosen: --postfix or
 * --dovecot, found on the machine running qmail2postfix, or the safest
 * default (Postfix 3.5, Dovecot 2.3). */
enum wtarget_from { WTARGET_OPTION = 1, WTARGET_DETECTED, WTARGET_DEFAULT };
#define Q2P_POSTFIX_DEFAULT	305
#define Q2P_POSTFIX_NEWEST	310	/* the newest release written for */
#define Q2P_DOVECOT_DEFAULT	23

/* --userdb sql (write_sql.c): where the new host's users and routes
 * live; --sql-dsn "host=H,port=P" or "socket=S", "dbname=D,user=U" */
#define Q2P_SQL_SOCKET	"/run/mysqld/mysqld.sock"
struct sql_dsn {
	const char	*host;		/* NULL: the socket */
	const char	*socket;
	const char	*dbname, *user;
	int		 port;
};
/* One run's SQL output: the rows the writers add (data.sql) and the
 * password made for the reading user (hex; never printed). */
struct sql_out {
	struct sql_dsn	 dsn;
	char		 password[64];
	struct qstr	 boxes, maps;
};

struct wopts {
	const char	*outdir;	/* where the files go (the temp dir) */
	const char	*root;		/* --root, for the header comments */
	const char	*dovecot_dir;	/* installed Dovecot dir: /etc/dovecot */
	int		 dovecot_from, postfix_from;	/* enum wtarget_from */
	/* SRS wiring; NULL: none (--no-srs, or no domain to name it) */
	const struct srs_wire *srs;
	int		 srs_off;	/* srs NULL because of --no-srs */
	/* DKIM signing; NULL: none (--no-dkim, or no domain to sign) */
	const struct dkim_wire *dkim;
	int		 dkim_off;	/* dkim NULL because of --no-dkim */
	int		 dovecot_ver;	/* 23 or 24: the Dovecot syntax written */
	int		 postfix_ver;	/* major * 100 + minor: 305, 307, 310 */
	/* --userdb sql: the users and routes in MariaDB; NULL: files */
	struct sql_out	*sql;
};

/* The text of a generated file: appends stop at the first failure, kept
 * in e for the writer to return, so no line vanishes at the size
 * ceiling.  wt_vis takes bytes of the old host: qstr_cat_vis (no control
 * or non-ASCII byte raw), padded with spaces to width. */
struct wtext {
	struct qstr	*s;
	int		 e;
};
void	wt_cat(struct wtext *t, const char *p);
void	wt_catf(struct wtext *t, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	wt_vis(struct wtext *t, const char *p, size_t width);

/* The versions of o (0 in wopts: the default); writer_target_from:
 * "option", "detected" or "default"; writer_targets appends PREFIX
 * "Written for Postfix 3.7 (installed here) and Dovecot 2.3
 * (--dovecot).\n"; writer_targets_json: migration.json's "targets"
 * (NULL: out of memory). */
int	writer_postfix_ver(const struct wopts *o);
int	writer_dovecot_ver(const struct wopts *o);
const char *writer_target_from(int from);
int	writer_targets(struct qstr *s, const char *prefix,
	    const struct wopts *o);
json_t	*writer_targets_json(const struct wopts *o);

/* Write dir/rel (mkdir -p its directory).  0 or a negative qpm_err. */
int	writer_file(const struct wopts *o, const char *rel,
	    const struct qstr *s, mode_t mode);
/* The same for a file written a piece at a time (file_stream_write(),
 * then file_stream_commit() or file_stream_abort()). */
int	writer_stream(const struct wopts *o, const char *rel, mode_t mode,
	    struct file_stream *f);
/* "# from FILE:LINE" (or "# from FILE") */
int	writer_src(struct qstr *s, const char *prefix, struct src src);

/* Pseudo-domain of the addresses that pipes, discards and bounces are
 * routed through (transport_maps key on the full address). */
#define Q2P_PSEUDO_DOMAIN	"qmail2postfix.invalid"

/* --userdb sql (write_sql.c).  sql_literal: n bytes as one MariaDB
 * string literal, right under every sql_mode (0 or a negative qpm_err,
 * s unchanged then); sql_dsn_parse: --sql-dsn into d (spec is cut up
 * and pointed into; *why on QPM_ESYNTAX); sql_out_init: empty rows and
 * a fresh password; sql_mailbox_row: mb's mailboxes row; sql_has_map:
 * 1 when the Postfix table NAME goes to MariaDB; sql_map_rows: the rows
 * of the table source body; sql_postfix_cf: OUT/postfix/mysql-NAME.cf;
 * sql_dovecot_connect: Dovecot 2.3's connect string;
 * sql_dovecot24_mysql: Dovecot 2.4's "mysql HOST { ... }" block;
 * write_sql: OUT/sql. */
int	sql_literal(struct qstr *s, const char *p, size_t n);
int	sql_dsn_parse(struct sql_dsn *d, char *spec, const char **why);
int	sql_out_init(struct sql_out *q);
void	sql_out_free(struct sql_out *q);
int	sql_mailbox_row(struct sql_out *q, const struct m_mailbox *mb,
	    long uid, long gid);
int	sql_has_map(const char *name);
int	sql_map_rows(struct sql_out *q, const char *name,
	    const struct qstr *body);
int	sql_postfix_cf(const struct wopts *o, const char *name);
int	sql_dovecot_connect(struct qstr *s, const struct wopts *o);
int	sql_dovecot24_mysql(struct qstr *s, const struct wopts *o);
int	write_sql(const struct model *m, const struct wopts *o);
/* n random bytes (getrandom, else /dev/urandom); 0 or QPM_EPERM */
int	writer_random(unsigned char *b, size_t n);

int	write_postfix(const struct model *m, const struct wopts *o);
int	write_dovecot23(const struct model *m, const struct wopts *o);
int	write_dovecot24(const struct model *m, const struct wopts *o);
int	write_json(const struct model *m, const struct wopts *o);
/* OUT/srs: the secret (0600, fresh random bytes, never printed),
 * srs-map.service and README; with o->srs NULL only the README. */
int	write_srs(const struct model *m, const struct wopts *o);
/* What forwards get, and with SRS what to install (report, README). */
int	write_srs_text(const struct model *m, const struct wopts *o,
	    struct qstr *s);
/* OUT/dkim: the key (0600), KeyTable, SigningTable, TrustedHosts,
 * opendkim.conf, dns-records.txt, README; nothing with o->dkim NULL. */
int	write_dkim(const struct model *m, const struct wopts *o);
/* What is signed and what to install and publish (report, README). */
int	write_dkim_text(const struct model *m, const struct wopts *o,
	    struct qstr *s);
/* 1 when mail from d is signed: mailbox and alias domains */
int	dkim_signs(const struct m_domain *d);
int	write_report(const struct model *m, const struct wopts *o,
	    struct qstr *out);
/* "des-crypt", "md5-crypt", "sha512-crypt", ... for a vpasswd hash */
const char *write_hash_scheme(const char *hash);

/* Address classes of one rule group, shared by JSON and report. */
int	writer_is_remote(const struct model *m, const char *addr);

/* ---- the limits (m->climits) in each syntax: each renderer reads the
 * model's limits and appends text (0 or a negative qpm_err); the
 * writer of the target places it.  limits-tool calls them on a struct
 * limits of its own. ---- */

/* Postfix (postfix_limits.c): main.cf lines. */
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

/* Dovecot (dovecot_limits.c): the blocks of dovecot.conf the limits put
 * lines in.  A writer asks for the inner lines of each block it writes
 * itself and places them there (one block per name for doveconf), then
 * appends the rest with dovecot_limits_conf(). */
enum dc_block {
	DCB_TOP = 0,		/* top level: what follows, auth_failure_delay */
	DCB_IMAP_LOGIN,		/* service imap-login */
	DCB_IMAP,		/* service imap */
	DCB_POP3_LOGIN,		/* service pop3-login */
	DCB_POP3,		/* service pop3 */
	DCB_PROTO_IMAP,		/* protocol imap */
	DCB_PROTO_POP3,		/* protocol pop3 */
	DCB_LMTP,		/* service lmtp */
	DCB_AUTH,		/* service auth */
	DCB_PLUGIN,		/* plugin */
	DCB_N
};
#define DCB_BIT(b)	(1U << (b))
/* "service imap-login", ...; "" for DCB_TOP */
const char *dovecot_limits_head(enum dc_block b);
/* The inner lines of block b ("  " indented; DCB_TOP's not), nothing
 * when the limits set nothing there, as Dovecot version reads them:
 * 23 for 2.3, 24 for 2.4 (restart_request_count for service_count). */
int	dovecot_limits_block(const struct limits *l, int version,
	    enum dc_block b, struct qstr *out);
/* Every block but those in skip (DCB_BIT()s), in enum order, each with
 * its head and braces; the top-level lines first, without. */
int	dovecot_limits_conf(const struct limits *l, int version,
	    unsigned skip, struct qstr *out);

/* nftables (nftables.c): the table text, and OUT/nftables/qmail2postfix.nft
 * from m->climits (always written: an empty ruleset still loads). */
int	limits_nftables(const struct limits *l, struct qstr *out);
int	write_nftables(const struct model *m, const struct wopts *o);
/* sysctl (sysctl.c): the lines to keep, empty when none; and
 * OUT/sysctl/qmail2postfix.conf when there are any. */
int	limits_sysctl(const struct limits *l, struct qstr *out);
int	write_sysctl(const struct model *m, const struct wopts *o);
/* The report's section (report_limits.c). */
int	limits_report(const struct limits *l, struct qstr *out);
/* migration.json's "limits" object (json_limits.c); NULL: no memory. */
json_t	*limits_json(const struct limits *l);
/* Account for every item of m->climits in CAT_LIMITS (limits_target.c):
 * converted, or listed with file:line and the reason its target gives;
 * unreadable limit lines are listed, notes noted. */
int	write_limits_account(struct model *m);

#endif
