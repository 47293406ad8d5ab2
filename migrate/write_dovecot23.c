/*
 * NAME		write_dovecot23 - dovecot.conf and passwd-file for Dovecot 2.3
 * DOES		one passwd-file line per mailbox with the old crypt hash as
 *		it is ({CRYPT}), the full address as login, the old home and
 *		Maildir, the old quota; deny lists for NO_POP/NO_IMAP/NO_SMTP;
 *		LMTP and auth sockets for Postfix; qmail-pop3d's UIDLs
 * NEVER	re-hashes or prints a hash; writes Dovecot 2.4 syntax (a 2.4
 *		writer goes beside this one)
 */
#include <config.h>

#include <string.h>

#include "migrate/writers.h"
#include "util/file.h"

#define BIG	((size_t)1 << 32)

static void
quota_rules(struct qstr *s, const struct m_mailbox *mb)
{
	int n = 1;

	/* explicit units: bytes as vpopmail counted them */
	if (mb->quota_bytes >= 0) {
		if (mb->quota_bytes % 1024 == 0)
			qstr_catf(s, "userdb_quota_rule=*:storage=%lldK",
			    mb->quota_bytes / 1024);
		else
			qstr_catf(s, "userdb_quota_rule=*:storage=%lldB",
			    mb->quota_bytes);
		n++;
	}
	if (mb->quota_count >= 0) {
		if (n == 1)
			qstr_catf(s, "userdb_quota_rule=*:messages=%lld",
			    mb->quota_count);
		else
			qstr_catf(s, " userdb_quota_rule%d=*:messages=%lld",
			    n, mb->quota_count);
	}
}

/* Cut the top-level block "head {" ... "}" out of t (Dovecot text from
 * limits_dovecot(): blocks open at column 0 and close with "}" there)
 * and append its inner lines to inner, so that one block of that name
 * holds both what this writer and what the limits put there. */
static int
take_block(struct qstr *t, const char *head, struct qstr *inner)
{
	size_t hl = strlen(head), end;
	char *p, *c;
	int e;

	for (p = t->buf; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, head, hl) == 0 && strncmp(p + hl, " {\n", 3) == 0)
			break;
	if (p == NULL)
		return 0;
	if ((c = strstr(p + hl + 2, "\n}\n")) == NULL)
		return 0;
	if (c > p + hl + 2 &&
	    (e = qstr_catn(inner, p + hl + 3, (size_t)(c + 1 - (p + hl + 3))))
	    < 0)
		return e;
	end = (size_t)(c + 3 - t->buf);
	memmove(p, c + 3, t->len - end + 1);
	t->len -= (size_t)(c + 3 - p);
	return 0;
}

/* passwd-file fields cannot hold ':' or a newline */
static int
field_ok(const char *s)
{
	return strpbrk(s, ":\n\r") == NULL;
}

int
write_dovecot23(const struct model *m, const struct wopts *o)
{
	struct qstr conf = QSTR_INIT(BIG), users = QSTR_INIT(BIG),
	    clear = QSTR_INIT(BIG), deny[3] = { QSTR_INIT(BIG),
	    QSTR_INIT(BIG), QSTR_INIT(BIG) }, lim = QSTR_INIT(BIG),
	    in_imap = QSTR_INIT(BIG), in_lmtp = QSTR_INIT(BIG),
	    in_auth = QSTR_INIT(BIG), in_plugin = QSTR_INIT(BIG);
	static const char *const svc[3] = { "pop3", "imap", "smtp" };
	static const unsigned long bit[3] = { VP_NO_POP, VP_NO_IMAP,
	    VP_NO_SMTP };
	const struct m_mailbox *mb;
	const char *dd = o->dovecot_dir;
	size_t i;
	int k, e = 0, ndeny[3] = { 0, 0, 0 }, nclear = 0;

	/* the limits' service and protocol blocks; those of a name this
	 * writer also uses are merged into its own block */
	if (o->limits != NULL &&
	    ((e = limits_dovecot(o->limits, &lim)) < 0 ||
	    (e = take_block(&lim, "protocol imap", &in_imap)) < 0 ||
	    (e = take_block(&lim, "service lmtp", &in_lmtp)) < 0 ||
	    (e = take_block(&lim, "service auth", &in_auth)) < 0 ||
	    (e = take_block(&lim, "plugin", &in_plugin)) < 0))
		goto out;
	qstr_catf(&users, "# Dovecot passwd-file written by qmail2postfix "
	    PACKAGE_VERSION ": user:{CRYPT}hash:uid:gid::home::extra.\n"
	    "# The hashes are vpopmail's, unchanged. Mode 0600.\n");
	for (k = 0; k < 3; k++)
		qstr_catf(&deny[k], "# Dovecot passwd-file read with deny = yes "
		    "and username_format=%%s/%%u:\n# vpopmail NO_%s users, "
		    "refused on %s only. Written by qmail2postfix.\n",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", svc[k]);
	for (i = 0; i < m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)m->mailboxes.v)[i];
		if (!field_ok(mb->hash) || !field_ok(mb->home)) {
			continue;	/* vpasswd's own split made that impossible */
		}
		writer_src(&users, "# from ", mb->src);
		/* an empty vpopmail password refused every login: keep it so */
		qstr_catf(&users, "%s@%s:{CRYPT}%s:89:89::%s::", mb->local,
		    mb->domain, mb->hash[0] ? mb->hash : "!", mb->home);
		quota_rules(&users, mb);
		qstr_catc(&users, '\n');
		for (k = 0; k < 3; k++) {
			if (!(mb->flags & bit[k]))
				continue;
			writer_src(&deny[k], "# from ", mb->src);
			qstr_catf(&deny[k], "%s/%s@%s\n", svc[k], mb->local,
			    mb->domain);
			ndeny[k]++;
		}
		if (mb->clear != NULL && field_ok(mb->clear)) {
			qstr_catf(&clear, "%s@%s:%s\n", mb->local, mb->domain,
			    mb->clear);
			nclear++;
		}
	}

	qstr_catf(&conf,
	    "# dovecot.conf written by qmail2postfix " PACKAGE_VERSION
	    " from the qmail host %s.\n"
	    "# For Dovecot 2.3 (Debian 12, Rocky/Alma 9) with Postfix 3.5 or "
	    "later.\n# Dovecot 2.4 reads another syntax: do not use this file "
	    "there.\n# Files it names live in %s once installed.\n\n",
	    m->old_hostname ? m->old_hostname : "(no control/me)", dd);
	qstr_catf(&conf,
	    "# the old host served POP3 and IMAP; Postfix delivers over LMTP\n"
	    "protocols = imap pop3 lmtp\n"
	    "# logins are full addresses, as vchkpw took them\n"
	    "auth_mechanisms = plain login\n"
	    "disable_plaintext_auth = yes\n"
	    "# the Maildirs stay where vpopmail kept them (pw_dir/Maildir)\n"
	    "mail_location = maildir:~/Maildir\n"
	    "# vpopmail's uid and gid\n"
	    "first_valid_uid = 89\n"
	    "first_valid_gid = 89\n"
	    "# qmail-pop3d's UIDL: the Maildir file name; POP clients do not "
	    "fetch everything again\n"
	    "pop3_uidl_format = %%f\n"
	    "# qmail's extension character, as in Postfix\n"
	    "recipient_delimiter = -\n"
	    "mail_plugins = $mail_plugins quota\n"
	    "ssl = yes\n"
	    "# install the new host's certificate here\n"
	    "ssl_cert = <%s/private/dovecot.pem\n"
	    "ssl_key = <%s/private/dovecot.key\n\n", dd, dd);
	for (k = 0; k < 3; k++) {
		if (ndeny[k] == 0)
			continue;
		/* The key is SERVICE/LOGIN (%s: the service, "smtp" for
		 * Postfix's SASL), so each list denies its own service and
		 * no other.  Not "args = .../deny.%s" (qmail-formats.md):
		 * that needs a file for every service that ever
		 * authenticates (doveadm, submission, sieve), a missing one
		 * failing every login there, and a path that a copy of this
		 * file (the rehearsal) cannot rebase. */
		qstr_catf(&conf, "# vpopmail NO_%s users may not log in to %s "
		    "(keys: %s/LOGIN)\n"
		    "passdb {\n  driver = passwd-file\n  deny = yes\n"
		    "  args = username_format=%%s/%%u %s/deny.%s\n}\n",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", svc[k], svc[k],
		    dd, svc[k]);
	}
	qstr_catf(&conf,
	    "# vpasswd: the old crypt hashes, unchanged\n"
	    "passdb {\n  driver = passwd-file\n"
	    "  args = scheme=CRYPT username_format=%%u %s/users\n}\n"
	    "userdb {\n  driver = passwd-file\n"
	    "  args = username_format=%%u %s/users\n}\n\n", dd, dd);
	qstr_catf(&conf,
	    "# vpopmail quotas (pw_shell), enforced on the same maildirsize\n"
	    "plugin {\n  quota = maildir:User quota\n%s}\n\n"
	    "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n%s}\n\n"
	    "# Postfix's virtual_transport delivers here\n"
	    "service lmtp {\n"
	    "  unix_listener /var/spool/postfix/private/dovecot-lmtp {\n"
	    "    mode = 0600\n    user = postfix\n    group = postfix\n  }\n%s}\n\n"
	    "# Postfix's SMTP AUTH (smtpd_sasl_path = private/auth)\n"
	    "service auth {\n"
	    "  unix_listener /var/spool/postfix/private/auth {\n"
	    "    mode = 0660\n    user = postfix\n    group = postfix\n  }\n%s}\n",
	    qstr_str(&in_plugin), qstr_str(&in_imap), qstr_str(&in_lmtp),
	    qstr_str(&in_auth));
	if (lim.len > 0)
		qstr_catf(&conf, "\n%s", lim.buf);

	e = writer_file(o, "dovecot/dovecot.conf", &conf, QPM_MODE_PUBLIC);
	if (e == 0)
		e = writer_file(o, "dovecot/users", &users, QPM_MODE_SECRET);
	for (k = 0; k < 3 && e == 0; k++)
		if (ndeny[k])
			e = writer_file(o, m == NULL ? "" : k == 0 ?
			    "dovecot/deny.pop3" : k == 1 ? "dovecot/deny.imap" :
			    "dovecot/deny.smtp", &deny[k], QPM_MODE_PUBLIC);
	if (e == 0 && nclear > 0)
		e = writer_file(o, "rehearse/cleartext-passwords", &clear,
		    QPM_MODE_SECRET);
out:
	qstr_free(&conf);
	qstr_free(&users);
	qstr_free(&clear);
	for (k = 0; k < 3; k++)
		qstr_free(&deny[k]);
	qstr_free(&lim);
	qstr_free(&in_imap);
	qstr_free(&in_lmtp);
	qstr_free(&in_auth);
	qstr_free(&in_plugin);
	return e;
}
