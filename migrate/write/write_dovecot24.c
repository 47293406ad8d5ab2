/*
 * NAME		write_dovecot24 - dovecot.conf for Dovecot 2.4
 * DOES		the 2.4 syntax of what write_dovecot.c shares: the version
 *		lines first, named passdbs and userdb on the passwd-files,
 *		quota in 2.4's userdb fields, qmail-pop3d's UIDLs
 *		(%{filename}); weak hash schemes allowed only when a
 *		mailbox still has a DES or MD5-crypt hash; with --userdb
 *		sql the SQL passdb and userdb, their connection in
 *		dovecot-sql.conf.ext
 * NEVER	writes a setting 2.4 only tolerates, or 2.3 syntax
 */
#include <config.h>

#include "migrate/write/write_dovecot.h"

/* dovecot.conf up to the passdbs */
static int
conf_head(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;
	int e;

	/* 2.4 refuses a file whose first setting is another one */
	if ((e = qstr_cat(&d->conf, "dovecot_config_version = 2.4.0\n")) < 0 ||
	    (e = dc_intro(d)) < 0 ||
	    (e = writer_targets(&d->conf, "# ", d->o)) < 0)
		return e;
	e = qstr_catf(&d->conf,
	    "# Dovecot 2.3 reads another syntax: do not use this file there.\n"
	    "# The two version lines stay first. 2.4.0: the oldest 2.4 syntax "
	    "and defaults,\n# read by every 2.4.x. dovecot_storage_version: "
	    "the oldest Dovecot that must\n# read the indexes and uidlists "
	    "this one writes.\n"
	    "dovecot_storage_version = 2.4.0\n"
	    "# Files it names live in %s once installed.\n\n"
	    "# the old host served POP3 and IMAP; Postfix delivers over LMTP\n"
	    "# (the whole list, as 2.3 had it; a protocols { } block would add "
	    "to the default)\n"
	    "protocols = imap pop3 lmtp\n"
	    "# logins are full addresses, as vchkpw took them\n"
	    "auth_mechanisms = plain login\n"
	    "auth_allow_cleartext = no\n"
	    "# the Maildirs stay where vpopmail kept them (pw_dir/Maildir)\n"
	    "mail_driver = maildir\n"
	    "mail_path = ~/Maildir\n"
	    "# vpopmail's uid and gid\n"
	    "first_valid_uid = %ld\n"
	    "first_valid_gid = %ld\n"
	    "# qmail-pop3d's UIDL: the Maildir file name without its flags; "
	    "POP clients do\n# not fetch everything again\n"
	    "pop3_uidl_format = %%{filename}\n"
	    "%s"
	    "mail_plugins {\n  quota = yes\n}\n"
	    "ssl = yes\n"
	    "# install the new host's certificate here\n"
	    "ssl_server_cert_file = %s/private/dovecot.pem\n"
	    "ssl_server_key_file = %s/private/dovecot.key\n\n", dd,
	    dc_id(d->min_uid), dc_id(d->min_gid), dc_delimiter(d->m), dd, dd);
	if (e < 0)
		return e;
	return dc_namespace(d);
}

/* --userdb sql: dovecot-sql.conf.ext (sql_driver and the mysql block,
 * with the password) included here, and the passdb and userdb on it */
static int
conf_auth_sql(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;
	int e;

	if ((e = qstr_cat(&d->sql, "# Dovecot 2.4's connection to MariaDB "
	    "for the SQL passdb and userdb,\n# written by qmail2postfix "
	    PACKAGE_VERSION "; dovecot.conf includes it.\n# It holds the "
	    "database password: 0600, read as root.\nsql_driver = mysql\n")) < 0 ||
	    (e = sql_dovecot24_mysql(&d->sql, d->o)) < 0)
		return e;
	/* _try: doveconf run by another user (dovecot-lda from a .qmail
	 * program) skips the file it may not read; "!include" would fail
	 * that whole run, and the mail with it */
	if ((e = qstr_catf(&d->conf, "# the connection to MariaDB, with its "
	    "password (0600): read as root; other\n# users' doveconf and "
	    "dovecot-lda skip it (they ask the auth service)\n"
	    "!include_try %s/dovecot-sql.conf.ext\n", dd)) < 0 ||
	    (e = qstr_cat(&d->conf, "# vchkpw's rules of the file output's "
	    "deny lists: NO_POP and NO_IMAP refuse\n# their service except "
	    "from 127.0.0.1 (webmail), NO_SMTP SMTP AUTH, NO_WEBMAIL\n# POP3 "
	    "and IMAP from 127.0.0.1\npassdb sql {\n"
	    "  default_password_scheme = CRYPT\n"
	    "  query = SELECT address AS user, password FROM mailboxes WHERE "
	    "address = '%{user}' AND ")) < 0 ||
	    (e = dc_sql_allowed(&d->conf, "%{protocol}", "%{remote_ip}")) < 0)
		return e;
	/* NULL (no quota) is no field: the user has none, as NOQUOTA had */
	return qstr_cat(&d->conf, "\n}\n# vpopmail's quota in 2.4's userdb "
	    "fields (a NULL column is no field)\nuserdb sql {\n"
	    "  query = SELECT home, uid, gid, CONCAT(quota_bytes, 'B') AS "
	    "quota_storage_size, quota_count AS quota_message_count FROM "
	    "mailboxes WHERE address = '%{user}'\n"
	    "  iterate_query = SELECT address AS user FROM mailboxes\n}\n\n");
}

/* vpasswd's hashes, after the deny passdbs */
static int
conf_auth(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;
	int e;

	if ((e = qstr_cat(&d->conf, d->o->sql != NULL ? "# vpasswd in MariaDB "
	    "(--userdb sql): the old crypt hashes, unchanged\n" :
	    "# vpasswd: the old crypt hashes, unchanged\n")) < 0)
		return e;
	/* 2.4 refuses these schemes by default, and the client sees a
	 * temporary failure, not a wrong password: allowed only while a
	 * mailbox still needs it */
	if (d->nweak > 0 && (e = qstr_catf(&d->conf, "# %lu mailbox%s still "
	    "%s a DES or MD5-crypt hash: Dovecot 2.4 refuses these\n# weak "
	    "schemes unless allowed (a temporary failure at every login of "
	    "those\n# users). Re-hash them when the users next log in; then "
	    "remove this line.\nauth_allow_weak_schemes = yes\n", d->nweak,
	    d->nweak == 1 ? "" : "es", d->nweak == 1 ? "has" : "have")) < 0)
		return e;
	if (d->o->sql != NULL)
		return conf_auth_sql(d);
	return qstr_catf(&d->conf,
	    "passdb users {\n  driver = passwd-file\n"
	    "  default_password_scheme = CRYPT\n"
	    "  auth_username_format = %%{user}\n"
	    "  passwd_file_path = %s/users\n}\n"
	    "userdb users {\n  driver = passwd-file\n"
	    "  auth_username_format = %%{user}\n"
	    "  passwd_file_path = %s/users\n}\n\n", dd, dd);
}

/* 2.4 has no plugin block: the quota is a named block of its own */
static int
conf_quota(struct dc_out *d)
{
	return qstr_catf(&d->conf,
	    "# vpopmail quotas (pw_shell), enforced on the same maildirsize.\n"
	    "# The limits are the %s quota_storage_size and\n"
	    "# quota_message_count: 2.4 no longer reads them from "
	    "maildirsize;\n# a user without them has none, as NOQUOTA had.\n"
	    "quota \"User quota\" {\n  driver = maildir\n}\n%s\n"
	    "protocol imap {\n  mail_plugins {\n    imap_quota = yes\n  }\n%s}\n\n",
	    d->o->sql != NULL ? "SQL userdb's fields" :
	    "users file's userdb fields", qstr_str(&d->in[DC_IN_PLUGIN]),
	    qstr_str(&d->in[DC_IN_IMAP]));
}

int
write_dovecot24(const struct model *m, const struct wopts *o)
{
	return dc_write(m, o, 24, conf_head, conf_auth, conf_quota);
}
