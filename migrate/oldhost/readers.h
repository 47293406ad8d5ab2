/*
 * NAME		readers - the readers of the old host's files
 * DOES		bytes in (with the file name for provenance); model items and
 *		file:line diagnostics out: domains, mailboxes and rules, and
 *		the connection limits (struct limits of the model)
 * NEVER	writes a file; the parsers open nothing (the scanner and the
 *		limits drivers hand the bytes in, from under the root only)
 */
#ifndef Q2P_READERS_H
#define Q2P_READERS_H

#include <stddef.h>

#include "migrate/model/limits.h"
#include "migrate/model/model.h"
#include "util/qstr.h"

/* control/NAME.  file is the interned path for provenance. */
int	control_known(const char *name);
void	control_parse(struct model *m, const char *name, const char *file,
	    const char *buf, size_t len);
/* After every control file: derived settings (defaults from "me"). */
void	control_finish(struct model *m);

/* users/assign text, or one users/cdb record (key, data as qmail-newu
 * wrote them; the "" key holds the wildcard characters and is skipped). */
void	assign_parse(struct model *m, const char *file, const char *buf,
	    size_t len);
int	assign_record(struct model *m, struct src src, const char *key,
	    size_t klen, const char *data, size_t dlen);
/* qmail-lspawn's rule: an exact line wins, then the longest wildcard
 * prefix; case-insensitive.  NULL when nothing matches. */
const struct m_assign *assign_lookup(const struct model *m, const char *local);

/* DOMDIR/vpasswd of domain d, or one line of it (vpasswd.cdb records
 * are rebuilt as "key:data" by the caller). */
void	vpasswd_parse(struct model *m, struct m_domain *d, const char *file,
	    const char *buf, size_t len);
int	vpasswd_line(struct model *m, struct m_domain *d, struct src src,
	    const char *line, size_t len);
/* The same from its fields f[0..k) (k 7 or 8, pw_name first), as the
 * MySQL backend's rows give them; 0 or -1 (listed). */
int	vpasswd_fields(struct model *m, struct m_domain *d, struct src src,
	    const char *const *f, const size_t *fl, size_t k);
/* vpopmail quota: NOQUOTA, "1000000", "1MB", "50000000S,1000C" and so on */
int	vpasswd_quota(const char *s, long long *bytes, long long *count);

/* vpopmail .qmailadmin-limits / vlimits.default: the disable_* keys as
 * pw_gid flag bits OR-ed into every mailbox of the domain. */
unsigned long vlimits_parse(struct model *m, const char *file,
	    const char *buf, size_t len);

/* dot-qmail lines */
enum dq_type {
	DQ_COMMENT = 1, DQ_BLANK, DQ_PIPE, DQ_FORWARD, DQ_MAILDIR, DQ_MBOX,
	DQ_BAD
};

/* Classify one line (no newline).  *arg and *arglen: the command, address
 * (without &) or path; *why: for DQ_BAD. */
enum dq_type dotqmail_classify(const char *line, size_t len,
	    const char **arg, size_t *arglen, const char **why);

/* The vdelivermail line of a domain .qmail-default: 1 with *what and the
 * argument, 0 when the command is not vdelivermail. */
int	vdelivermail_parse(const char *cmd, size_t len, enum m_catchall *what,
	    const char **arg, size_t *arglen);

/* What a .qmail file stands for. */
struct dq_ctx {
	enum m_origin	 origin;
	enum m_key	 key;
	const char	*local;		/* address local part or prefix */
	const char	*domain;
	const char	*dir;		/* old path of the file's directory */
	const char	*user;		/* the user programs ran as */
	struct m_mailbox *owner;	/* ORIG_USER: the mailbox */
	struct m_domain	*dom;		/* ORIG_DEFAULT: gets the catch-all */
	int		 world_writable;
	int		 executable;
	int		 count;		/* count lines (0: a repeat pass) */
};

void	dotqmail_apply(struct model *m, const struct dq_ctx *ctx,
	    const char *file, const char *buf, size_t len);

/* qmail-inject's completion of a forward target; NULL if unusable. */
const char *dotqmail_address(struct model *m, const char *a, size_t n);

/* ---- connection limits and timeouts: struct limits of the model ----
 * Each reader takes bytes and a display name and adds items and
 * diagnostics; the drivers below open files under the root only. */

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

/* The file helpers the limits readers share (limits_read.c). */
#define LIMITS_MAX_FILE		(4 * 1024 * 1024)	/* one config file */
#define LIMITS_MAX_WORDS	512	/* words in one run-script command */
#define LIMITS_MAX_VARS		256	/* shell variables in one run script */
#define LIMITS_MAX_DEPTH	4	/* envdir/`cat` chains in a run script */

/* Read root/path (path absolute or relative to root; symlinks resolved
 * inside root) into out; QPM_ENOENT when absent. */
int	limits_readfile(const char *root, const char *path, size_t max,
	    struct qstr *out);
/* Names in root/dir (sorted, no dot files), as a NUL-separated list. */
int	limits_listdir(const char *root, const char *dir, struct qstr *out);
/* Join a and b with one '/', into a fixed buffer. */
int	limits_join(char *buf, size_t size, const char *a, const char *b);

/* run scripts (runscript.c): text is the run file, dir its directory
 * relative to the root (envdir ./env and -x paths resolve from there). */
int	runscript_parse(struct limits *l, const char *root, const char *dir,
	    const char *name, const char *text, size_t len);

/* tcprules (tcprules.c): rules of one listener. */
int	tcprules_parse_text(struct limits *l, enum limits_svc svc,
	    const char *name, const char *text, size_t len);
int	tcprules_parse_cdb(struct limits *l, enum limits_svc svc,
	    const char *name, const void *data, size_t len);
/* Read the rules a listener's -x names: FILE.cdb and, when present, the
 * text FILE it was built from (the text gives line numbers). */
int	tcprules_read(struct limits *l, const char *root, enum limits_svc svc,
	    const char *cdbpath, const char *from, unsigned long fromline);

/* courier (courier.c): one of imapd, imapd-ssl, pop3d, pop3d-ssl. */
int	courier_parse(struct limits *l, const char *name, const char *text,
	    size_t len);
int	courier_read(struct limits *l, const char *root, const char *dir);

/* xinetd (xinetd.c): xinetd.conf with its includedir. */
int	xinetd_parse(struct limits *l, const char *name, const char *text,
	    size_t len);
int	xinetd_read(struct limits *l, const char *root, const char *conf);

/* iptables-save and nftables rules (iptables.c). */
int	iptables_parse(struct limits *l, const char *name, const char *text,
	    size_t len);
int	nftrules_parse(struct limits *l, const char *name, const char *text,
	    size_t len);

/* sysctl.conf (sysctl.c). */
int	sysctl_parse(struct limits *l, const char *name, const char *text,
	    size_t len);

/* qmail control files (limits_read.c). */
int	limits_read_control(struct limits *l, const char *root,
	    const char *qmail_dir);

/* ---- vpopmail's MySQL backend (vpop_mysql_conf.c, vpop_mysql.c) ----
 * QmailToaster's vpopmail keeps users, aliases and last logins in
 * MySQL, not in vpasswd and .qmail-ALIAS files. */
#define VMYSQL_MAX_LINE		1024	/* one vpopmail.mysql line */

/* One line of ~vpopmail/etc/vpopmail.mysql. */
struct vmysql_server {
	char		 host[256];
	char		 socket[256];	/* the port field was a path */
	unsigned	 port;		/* 0: the client's default */
	char		 user[256], password[256], database[256];
	unsigned long	 line;
};

/* The first settings line is the server vpopmail reads from, a second
 * one the server it writes to. */
struct vmysql_conf {
	struct vmysql_server	read, update;
	int			has_update;
};

/* 0, or QPM_ESYNTAX with *line and *why (never a field's text). */
int	vmysql_conf_parse(const char *buf, size_t len, struct vmysql_conf *c,
	    unsigned long *line, const char **why);
/* Overwrite the settings (the password among them). */
void	vmysql_conf_wipe(struct vmysql_conf *c);
/* vauth_munch_domain: the domain's table, '.' and '-' as '_'. */
int	vmysql_munch(const char *domain, char *out, size_t size);

/* The alias column of a valias row. */
enum valias_kind {
	VALIAS_EXACT = 1,	/* that local part */
	VALIAS_PREFIX,		/* "x-default": *plen covers "x-" */
	VALIAS_BAD
};
enum valias_kind valias_name(const char *alias, size_t n, size_t *plen);

/* Where and how to connect: --mysql HOST[:PORT] or /socket, --mysql-user,
 * --mysql-password-file; NULL: vpopmail.mysql's. */
struct vmysql_opts {
	const char	*server, *user, *password_file;
};

struct vmysql;

/* Connect read-only to the database vpopmail.mysql (text, file its
 * path under the root for provenance) names, o overriding; the layout
 * (one table per domain, or "vpopmail" with pw_domain) is learnt from
 * the tables.  NULL after listing why (no credential in the text). */
struct vmysql *vmysql_open(struct model *m, const char *file,
	    const char *conf, size_t len, const struct vmysql_opts *o);
void	vmysql_close(struct vmysql *db);
/* The users of domain d as vpasswd_line makes them; -1 when the domain
 * has no table (listed). */
int	vmysql_users(struct vmysql *db, struct m_domain *d);
/* The valias rows of d as vdelivermail looks them up: rules in SELECT
 * order, an alias named like a user as that user's .qmail; user: who
 * the programs ran as. */
void	vmysql_valias(struct vmysql *db, struct m_domain *d,
	    const char *user);
/* lastauth: each mailbox's last login, when the table exists. */
void	vmysql_lastauth(struct vmysql *db);

#endif
