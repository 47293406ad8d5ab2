/*
 * NAME		model - the migration model: what the old host did, with provenance
 * DOES		holds domains, mailboxes, delivery rules, settings, limits and
 *		listed (not converted) items, each with the file:line it came
 *		from; strings live in one pool, items in flat arrays
 * NEVER	reads or writes files; prints only through model_list()
 */
#ifndef Q2P_MODEL_H
#define Q2P_MODEL_H

#include <stddef.h>

#include "migrate/model/limits.h"

/* Where an item came from: an interned file name (relative to --root,
 * e.g. "var/qmail/control/me") and a line (0: the file as a whole). */
struct src {
	const char	*file;
	unsigned long	 line;
};

enum m_dom_kind {
	DOM_MAILBOX = 1,	/* vpopmail domain: real mailboxes */
	DOM_ALIAS,		/* alias of another domain */
	DOM_RELAY,		/* rcpthosts only: backup MX, relayed */
	DOM_LOCAL		/* control/locals: system users, ~alias */
};

/* What the domain does with mail for an unknown local part. */
enum m_catchall {
	CATCH_NONE = 1,		/* no .qmail-default: bounce */
	CATCH_BOUNCE,		/* vdelivermail bounce-no-mailbox */
	CATCH_DELETE,		/* vdelivermail delete */
	CATCH_FORWARD,		/* vdelivermail user@remote */
	CATCH_MAILBOX,		/* vdelivermail /path -> a mailbox */
	CATCH_RULES		/* other .qmail-default lines: see rules */
};

struct m_domain {
	const char	*name;
	const char	*real;		/* DOM_ALIAS: the target domain */
	const char	*dir;		/* old path of the domain dir, or NULL */
	const char	*catch_target;	/* CATCH_FORWARD/CATCH_MAILBOX */
	struct src	 src, catch_src;
	long		 uid, gid;	/* users/assign's; -1: not given */
	unsigned	 nmailboxes;
	size_t		 mb_first;	/* index of its first mailbox */
	unsigned char	 kind, catchall;
};

/* vpopmail pw_gid flag bits (vpopmail.h) */
#define VP_NO_PASSWD_CHNG	0x01
#define VP_NO_POP		0x02
#define VP_NO_WEBMAIL		0x04
#define VP_NO_IMAP		0x08
#define VP_BOUNCE_MAIL		0x10
#define VP_NO_RELAY		0x20
#define VP_NO_DIALUP		0x40
#define VP_NO_SMTP		0x800

struct m_mailbox {
	const char	*local, *domain;	/* domain: the m_domain name */
	const char	*hash;		/* crypt(3) hash as stored; "" = none */
	const char	*clear;		/* vpasswd field 8, or NULL */
	const char	*home;		/* pw_dir, the old path */
	long long	 quota_bytes;	/* -1: none */
	long long	 quota_count;	/* -1: none */
	unsigned long	 flags;		/* pw_gid */
	long		 uid, gid;	/* the domain's (users/assign); -1: none */
	struct src	 src;
	unsigned char	 own_delivery;	/* the own Maildir gets mail */
	unsigned char	 has_dotqmail;	/* USERDIR/.qmail had lines */
	unsigned char	 valias;	/* a valias row named like it */
	/* vpopmail's lastauth (MySQL backend): time, 0 none; address */
	long long	 last_login;
	const char	*last_from;
};

/* A delivery rule: mail for key goes to dest.  Rules for one key are
 * consecutive, in file order. */
enum m_key {
	KEY_ADDRESS = 1,	/* local@domain */
	KEY_PREFIX,		/* local is a prefix ending in '-': -default */
	KEY_CATCHALL		/* @domain */
};

enum m_dest {
	DEST_MAILBOX = 1,	/* value: address of a mailbox here */
	DEST_FORWARD,		/* value: an address (here or remote) */
	DEST_PIPE,		/* value: command; user: who ran it */
	DEST_DISCARD,		/* deleted silently */
	DEST_BOUNCE		/* value: why */
};

enum m_origin {
	ORIG_DOMAIN = 1,	/* DOMDIR/.qmail-EXT */
	ORIG_USER,		/* USERDIR/.qmail[-EXT] (vdelivermail) */
	ORIG_DEFAULT,		/* DOMDIR/.qmail-default (vdelivermail) */
	ORIG_ALIAS,		/* ~alias/.qmail-EXT */
	ORIG_ALIASDOM		/* alias domain */
};

struct m_rule {
	const char	*local;		/* KEY_CATCHALL: "" */
	const char	*domain;
	const char	*value;
	const char	*user;		/* DEST_PIPE */
	/* DEST_MAILBOX: a Maildir++ folder of it (".Lists"), or NULL for
	 * its INBOX; the Maildir's own name for it, dot included */
	const char	*folder;
	struct src	 src;
	unsigned char	 key, dest, origin;
};

/* How the vpopmail build was learnt */
enum m_build_from {
	BUILD_ASSUMED = 1,	/* no header, no option: qmail-ext assumed */
	BUILD_HEADER,		/* include/vpopmail_config.h of the old host */
	BUILD_OPTION		/* --qmail-ext, the header being missing */
};

/* One control-file setting that became a Postfix parameter. */
struct m_setting {
	const char	*param;		/* Postfix main.cf parameter */
	const char	*value;
	const char	*from;		/* what the old host said */
	struct src	 src;
};

/* Lookup-table lines: transport, sender and recipient access; and the
 * raw control lists the scanner resolves into domains. */
enum m_table {
	TBL_TRANSPORT = 1, TBL_SENDER_ACCESS, TBL_RCPT_ACCESS,
	TBL_RCPTHOSTS,		/* key: domain (".dom" wildcard) */
	TBL_VIRTUALDOMAINS	/* key: domain or user@domain; value: prepend */
};

/* One users/assign line (or users/cdb record). */
struct m_assign {
	const char	*local;		/* lowercased; wildcard: the prefix */
	const char	*user, *home, *dash, *ext;
	long		 uid, gid;
	struct src	 src;
	unsigned char	 wild;
};

struct m_entry {
	const char	*key, *value;
	struct src	 src;
	unsigned char	 table;
};

/* A limit: process counts, per-IP limits, timeouts.  service names a
 * master.cf service "name/type" (smtp/inet, smtp/unix, lmtp/unix) or a
 * Dovecot one (imap-login, pop3-login); setting names the target knob. */
struct m_limit {
	const char	*service;
	const char	*setting;	/* "process_limit", ... */
	const char	*old;		/* the old host's wording */
	long long	 value;
	struct src	 src;
};

/* An item not converted: what, why, what to do by hand. */
struct m_listed {
	const char	*what;
	const char	*reason;
	const char	*todo;
	struct src	 src;
	unsigned char	 cat;
};

/* Accounting: every item read is converted, listed or skipped. */
enum m_cat {
	CAT_CONTROL = 0, CAT_ASSIGN, CAT_VPASSWD, CAT_DOTQMAIL, CAT_DOMAIN,
	CAT_VLIMITS,		/* vlimits.default, .qmailadmin-limits lines */
	CAT_LIMITS,		/* connection limits (climits.items) */
	CAT_N
};

struct m_count {
	unsigned long	read, converted, listed, skipped;
};

struct vec {
	void	*v;
	size_t	 n, cap, size;
};

struct pool_chunk;

struct strmap {
	const char	**keys;
	size_t		 *vals;
	size_t		  n, cap;
};

struct model {
	struct pool_chunk	*pool;
	struct vec		 domains, mailboxes, rules, settings, entries,
				 limits, listed, notes, files,
				 assigns;
	struct strmap		 dom_idx, mbox_idx, home_idx, file_idx;
	struct m_count		 count[CAT_N];
	const char		*old_hostname, *old_ip;
	struct src		 old_hostname_src, old_ip_src;
	const char		*new_hostname, *new_ip;
	const char		*me, *defaulthost, *defaultdomain, *plusdomain;
	const char		*envnoathost;
	const char		*doublebounceto, *doublebouncehost;
	/* vpopmail's build: QMAIL_EXT (--enable-qmail-ext) makes
	 * vdelivermail deliver user-ext to user through the user's
	 * .qmail-ext files; without it user-ext is an unknown user */
	int			 qmail_ext;
	enum m_build_from	 qmail_ext_from;
	struct src		 qmail_ext_src;	/* BUILD_HEADER: the header */
	struct src		 doublebounce_src;
	/* SRS domain of forwarded mail (srs/README.md "Postfix wiring");
	 * NULL: forwards go out with the original sender (--no-srs) */
	const char		*srs_domain;
	const char		*dkim_selectors;	/* comma list, or NULL */
	/* connection limits and timeouts (limits.h): the limits readers
	 * fill it, limits_recommend() its settings; the writers render
	 * it only when climits.recommended */
	struct limits		 climits;
	/* the old user database: NULL vpasswd files, "mysql" vpopmail's
	 * MySQL backend (its layout and server, never a credential) */
	const char		*userdb, *userdb_layout, *userdb_where;
	struct src		 userdb_src;
	unsigned long		 clear_unverified;	/* cleartexts dropped */
	unsigned long		 nlastauth;	/* mailboxes with last_login */
	long long		 now;	/* --now, else the run's start */
	int			 quiet;		/* no stderr (fuzzing) */
	int			 nomem;		/* an allocation failed */
};

struct model	*model_new(void);
void		 model_free(struct model *m);

/* Pool strings: live as long as the model. */
const char	*model_strndup(struct model *m, const char *s, size_t n);
const char	*model_strdup(struct model *m, const char *s);
const char	*model_lower(struct model *m, const char *s, size_t n);
const char	*model_printf(struct model *m, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
const char	*model_file(struct model *m, const char *name);

/* Adders return the new item (zeroed but for what is passed) or NULL. */
struct m_domain	*model_domain(struct model *m, const char *name);
struct m_domain	*model_domain_add(struct model *m, const char *name,
		    enum m_dom_kind kind, struct src src);
struct m_mailbox *model_mailbox(struct model *m, const char *local,
		    const char *domain);
struct m_mailbox *model_mailbox_by_home(struct model *m, const char *path);
struct m_mailbox *model_mailbox_add(struct model *m, const char *local,
		    struct m_domain *d, struct src src);
/* Index mb by its home so that paths in .qmail files find it. */
int		 model_mailbox_index_home(struct model *m, struct m_mailbox *mb);
struct m_rule	*model_rule_add(struct model *m, enum m_key key,
		    const char *local, const char *domain, enum m_dest dest,
		    const char *value, enum m_origin origin, struct src src);
int		 model_setting(struct model *m, const char *param,
		    const char *value, const char *from, struct src src);
int		 model_entry(struct model *m, enum m_table t, const char *key,
		    const char *value, struct src src);
struct m_assign	*model_assign_add(struct model *m);
/* The users/assign line for a qmail local part (as qmail-lspawn picks
 * it: an exact line first, else the longest wildcard), or NULL. */
const struct m_assign *model_assign_lookup(const struct model *m,
		    const char *local);
int		 model_limit(struct model *m, const char *service,
		    const char *setting, long long value, const char *old,
		    struct src src);
/* The value for service/setting, or dflt when the old host set none. */
long long	 model_limit_get(const struct model *m, const char *service,
		    const char *setting, long long dflt,
		    const struct m_limit **from);

/* List an item as not converted (counted in cat) and say so on stderr
 * as "file:line: what: reason". */
void		 model_list(struct model *m, enum m_cat cat, struct src src,
		    const char *what, const char *reason, const char *todo);
/* A note: something converted approximately; not counted. */
void		 model_note(struct model *m, struct src src, const char *what,
		    const char *reason, const char *todo);
void		 model_read(struct model *m, enum m_cat cat);
void		 model_converted(struct model *m, enum m_cat cat);
void		 model_skipped(struct model *m, enum m_cat cat);

/* 1 when domain is hosted here (mailbox, alias or local domain). */
int		 model_domain_is_local(const struct model *m, const char *dom);
/* Every read item is converted, listed or skipped. */
int		 model_counts_add_up(const struct model *m);

#define M_DOMAIN(m, i)	(&((struct m_domain *)(m)->domains.v)[i])
#define M_MAILBOX(m, i)	(&((struct m_mailbox *)(m)->mailboxes.v)[i])
#define M_RULE(m, i)	(&((struct m_rule *)(m)->rules.v)[i])
#define M_SETTING(m, i)	(&((struct m_setting *)(m)->settings.v)[i])
#define M_ENTRY(m, i)	(&((struct m_entry *)(m)->entries.v)[i])
#define M_LIMIT(m, i)	(&((struct m_limit *)(m)->limits.v)[i])
#define M_ASSIGN(m, i)	(&((struct m_assign *)(m)->assigns.v)[i])
#define M_LISTED(m, i)	(&((struct m_listed *)(m)->listed.v)[i])
#define M_NOTE(m, i)	(&((struct m_listed *)(m)->notes.v)[i])

extern const char *const model_cat_names[CAT_N];

#endif
