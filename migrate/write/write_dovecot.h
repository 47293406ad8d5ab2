/*
 * NAME		write_dovecot - what the Dovecot 2.3 and 2.4 writers share
 * DOES		the passwd-files (users, deny lists, the rehearsal's
 *		cleartext list), the deny passdbs, the limits' blocks split
 *		from the rest, the LMTP and auth listeners for Postfix, and
 *		the files out; each writer gives the lines of its syntax
 * NEVER	writes a setting whose name differs between the versions
 *		without asking which version it writes
 */
#ifndef Q2P_WRITE_DOVECOT_H
#define Q2P_WRITE_DOVECOT_H

#include "migrate/write/writers.h"

/* The blocks of dovecot.conf that a writer and the limits both fill. */
enum { DC_IN_PLUGIN, DC_IN_IMAP, DC_IN_LMTP, DC_IN_AUTH, DC_IN_N };

/* The deny lists: one per service of dc_svc, then vchkpw's webmail
 * (POP3 and IMAP from 127.0.0.1) */
enum { DC_DENY_WEBMAIL = 3, DC_DENY_N };

/* One run of a Dovecot writer: ver is 23 or 24, the syntax written. */
struct dc_out {
	const struct model	*m;
	const struct wopts	*o;
	int			 ver;
	/* deny lists: NO_POP, NO_IMAP, NO_SMTP (dc_svc), NO_WEBMAIL */
	struct qstr		 conf, users, clear, deny[DC_DENY_N];
	struct qstr		 lim, in[DC_IN_N];	/* the limits' text */
	struct qstr		 sql;	/* --userdb sql: dovecot-sql.conf.ext */
	int			 ndeny[DC_DENY_N], nclear;
	long			 min_uid, min_gid;
	unsigned long		 nweak;	/* DES or MD5-crypt hashes */
};

/* "pop3", "imap", "smtp": the services of the deny lists, in order */
extern const char *const dc_svc[3];

/* "# dovecot.conf written by ... from the qmail host H.\n" */
int	dc_intro(struct dc_out *d);
/* courier-imap's namespace ("INBOX.", ".", inbox inside) when courier
 * served IMAP on the old host, with the reason; nothing otherwise */
int	dc_namespace(struct dc_out *d);
/* what the report says of the namespace chosen, and why */
int	dc_namespace_report(const struct model *m, struct qstr *s);
/* dovecot.conf's recipient_delimiter line and its comment: '-' as in
 * Postfix with vpopmail's QMAIL_EXT, else none (user-ext is no user) */
const char *dc_delimiter(const struct model *m);
/* --userdb sql: the condition under which a mailboxes row may log in
 * (the deny lists' rules), svc and rip the version's variables of the
 * service and the client address, quoted by Dovecot */
int	dc_sql_allowed(struct qstr *s, const char *svc, const char *rip);
/* uid or gid of a mailbox: users/assign's, else vpopmail's 89 */
long	dc_id(long id);
/* dovecot.conf and the passwd-files of version ver (23 or 24) into OUT:
 * head writes what comes before the deny passdbs, auth the passdb and
 * userdb of vpasswd after them, quota the quota and protocol imap
 * blocks (d->in[] holds the limits' lines for those); the services
 * for Postfix and the other limits follow.  0 or a negative qpm_err. */
int	dc_write(const struct model *m, const struct wopts *o, int ver,
	    int (*head)(struct dc_out *), int (*auth)(struct dc_out *),
	    int (*quota)(struct dc_out *));

#endif
