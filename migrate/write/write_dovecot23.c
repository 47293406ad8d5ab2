/*
 * NAME		write_dovecot23 - dovecot.conf for Dovecot 2.3
 * DOES		the 2.3 syntax of what write_dovecot.c shares: the passdbs
 *		and userdb on the passwd-files, quota rules, qmail-pop3d's
 *		UIDLs (%f)
 * NEVER	writes Dovecot 2.4 syntax (write_dovecot24.c does)
 */
#include <config.h>

#include "migrate/write/write_dovecot.h"

/* dovecot.conf up to the passdbs: protocols, auth, mail location, ids */
static int
conf_head(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;
	int e;

	if ((e = dc_intro(d)) < 0 ||
	    (e = writer_targets(&d->conf, "# ", d->o)) < 0 ||
	    (e = qstr_catf(&d->conf, "# Dovecot 2.4 reads another syntax: do "
	    "not use this file there.\n# Files it names live in %s once "
	    "installed.\n\n", dd)) < 0)
		return e;
	e = qstr_catf(&d->conf,
	    "# the old host served POP3 and IMAP; Postfix delivers over LMTP\n"
	    "protocols = imap pop3 lmtp\n"
	    "# logins are full addresses, as vchkpw took them\n"
	    "auth_mechanisms = plain login\n"
	    "disable_plaintext_auth = yes\n"
	    "# the Maildirs stay where vpopmail kept them (pw_dir/Maildir)\n"
	    "mail_location = maildir:~/Maildir\n"
	    "# vpopmail's uid and gid\n"
	    "first_valid_uid = %ld\n"
	    "first_valid_gid = %ld\n"
	    "# qmail-pop3d's UIDL: the Maildir file name; POP clients do not "
	    "fetch everything again\n"
	    "pop3_uidl_format = %%f\n"
	    "%s"
	    "mail_plugins = $mail_plugins quota\n"
	    "ssl = yes\n"
	    "# install the new host's certificate here\n"
	    "ssl_cert = <%s/private/dovecot.pem\n"
	    "ssl_key = <%s/private/dovecot.key\n\n", dc_id(d->min_uid),
	    dc_id(d->min_gid), dc_delimiter(d->m), dd, dd);
	if (e < 0)
		return e;
	return dc_namespace(d);
}

/* --userdb sql: dovecot-sql.conf.ext, and the passdb and userdb on it */
static int
conf_auth_sql(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;
	int e;

	if ((e = qstr_cat(&d->sql, "# Dovecot 2.3's SQL passdb and userdb, "
	    "written by qmail2postfix " PACKAGE_VERSION ".\n# It holds the "
	    "database password: 0600, read as root.\ndriver = mysql\n"
	    "connect = ")) < 0 || (e = sql_dovecot_connect(&d->sql, d->o)) < 0 ||
	    (e = qstr_cat(&d->sql, "\n# the hashes as vpopmail kept them, "
	    "with their scheme\ndefault_pass_scheme = CRYPT\n# vchkpw's rules "
	    "of the file output's deny lists: NO_POP and NO_IMAP refuse\n# "
	    "their service except from 127.0.0.1 (webmail), NO_SMTP SMTP "
	    "AUTH, NO_WEBMAIL\n# POP3 and IMAP from 127.0.0.1\npassword_query "
	    "= SELECT address AS user, password FROM mailboxes WHERE address "
	    "= '%u' AND ")) < 0 || (e = dc_sql_allowed(&d->sql, "%s", "%r")) < 0 ||
	    (e = qstr_cat(&d->sql, "\n# vpopmail's quota as the quota rules of "
	    "the users file (storage first)\nuser_query = SELECT home, uid, "
	    "gid, CASE WHEN quota_bytes IS NOT NULL THEN CONCAT('*:storage=', "
	    "quota_bytes, 'B') WHEN quota_count IS NOT NULL THEN "
	    "CONCAT('*:messages=', quota_count) END AS quota_rule, CASE WHEN "
	    "quota_bytes IS NOT NULL AND quota_count IS NOT NULL THEN "
	    "CONCAT('*:messages=', quota_count) END AS quota_rule2 FROM "
	    "mailboxes WHERE address = '%u'\niterate_query = SELECT address "
	    "AS user FROM mailboxes\n")) < 0)
		return e;
	return qstr_catf(&d->conf,
	    "# vpasswd in MariaDB (--userdb sql): the old crypt hashes, "
	    "unchanged; the\n# rules of NO_POP, NO_IMAP, NO_SMTP and NO_WEBMAIL "
	    "in the password query\npassdb {\n  driver = sql\n"
	    "  args = %s/dovecot-sql.conf.ext\n}\n"
	    "userdb {\n  driver = sql\n"
	    "  args = %s/dovecot-sql.conf.ext\n}\n\n", dd, dd);
}

/* vpasswd's hashes, after the deny passdbs */
static int
conf_auth(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;

	if (d->o->sql != NULL)
		return conf_auth_sql(d);
	return qstr_catf(&d->conf,
	    "# vpasswd: the old crypt hashes, unchanged\n"
	    "passdb {\n  driver = passwd-file\n"
	    "  args = scheme=CRYPT username_format=%%u %s/users\n}\n"
	    "userdb {\n  driver = passwd-file\n"
	    "  args = username_format=%%u %s/users\n}\n\n", dd, dd);
}

static int
conf_quota(struct dc_out *d)
{
	return qstr_catf(&d->conf,
	    "# vpopmail quotas (pw_shell), enforced on the same maildirsize\n"
	    "plugin {\n  quota = maildir:User quota\n%s}\n\n"
	    "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n%s}\n\n",
	    qstr_str(&d->in[DC_IN_PLUGIN]), qstr_str(&d->in[DC_IN_IMAP]));
}

int
write_dovecot23(const struct model *m, const struct wopts *o)
{
	return dc_write(m, o, 23, conf_head, conf_auth, conf_quota);
}
