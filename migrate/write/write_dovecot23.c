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

#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"

#define BIG	((size_t)1 << 32)

static int
quota_rules(struct qstr *s, const struct m_mailbox *mb)
{
	int n = 1, e = 0;

	/* explicit units: bytes as vpopmail counted them */
	if (mb->quota_bytes >= 0) {
		if (mb->quota_bytes % 1024 == 0)
			e = qstr_catf(s, "userdb_quota_rule=*:storage=%lldK",
			    mb->quota_bytes / 1024);
		else
			e = qstr_catf(s, "userdb_quota_rule=*:storage=%lldB",
			    mb->quota_bytes);
		n++;
	}
	if (e == 0 && mb->quota_count >= 0) {
		if (n == 1)
			e = qstr_catf(s, "userdb_quota_rule=*:messages=%lld",
			    mb->quota_count);
		else
			e = qstr_catf(s, " userdb_quota_rule%d=*:messages=%lld",
			    n, mb->quota_count);
	}
	return e;
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

/*
 * Dovecot's passwd-file: every old-host string reaches dovecot/users, the
 * deny files and the cleartext list through these two.  A field ends at
 * ':' and a line at a newline; a CR would stay in the value (a hash that
 * never matches, a home that does not exist).  The readers refuse such
 * mailboxes and list them (vpasswd.c), so a refusal here means a reader
 * let one through: the run stops rather than drop a mailbox unlisted.
 */
static int
pwf_field(struct qstr *s, const char *v, const struct m_mailbox *mb)
{
	struct qstr w = QSTR_INIT(QPM_MAX_PATH * 16);

	if (strpbrk(v, ":\n\r") == NULL)
		return qstr_cat(s, v);
	if (writer_src(&w, "", mb->src) == 0)
		msg_errorx("%.*s: a field of %s@%s holds ':', a newline or a "
		    "CR: no passwd-file line can carry it", (int)(w.len - 1),
		    w.buf, mb->local, mb->domain);
	qstr_free(&w);
	return QPM_ESYNTAX;
}

/* "PREFIXlocal@domain" as the first field of a passwd-file line */
static int
pwf_login(struct qstr *s, const char *prefix, const struct m_mailbox *mb)
{
	int e;

	if ((e = qstr_cat(s, prefix)) < 0 ||
	    (e = pwf_field(s, mb->local, mb)) < 0 ||
	    (e = qstr_catc(s, '@')) < 0)
		return e;
	return pwf_field(s, mb->domain, mb);
}

/* uid and gid of the mailbox: users/assign's, as qmail-lspawn ran
 * vdelivermail with them; vpopmail's own 89 only when none was given */
static long
mb_id(long id)
{
	return id >= 0 ? id : 89;
}

int
write_dovecot23(const struct model *m, const struct wopts *o)
{
	struct qstr conf = QSTR_INIT(BIG), users = QSTR_INIT(BIG),
	    clear = QSTR_INIT(BIG), deny[3] = { QSTR_INIT(BIG),
	    QSTR_INIT(BIG), QSTR_INIT(BIG) }, lim = QSTR_INIT(BIG),
	    in_imap = QSTR_INIT(BIG), in_lmtp = QSTR_INIT(BIG),
	    in_auth = QSTR_INIT(BIG), in_plugin = QSTR_INIT(BIG);
	static const char *const svc[3] = { "pop3", "imap", "smtp" },
	    *const key[3] = { "pop3/", "imap/", "smtp/" };
	static const unsigned long bit[3] = { VP_NO_POP, VP_NO_IMAP,
	    VP_NO_SMTP };
	const struct m_mailbox *mb;
	const char *dd = o->dovecot_dir;
	size_t i;
	long min_uid = -1, min_gid = -1;
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
	if ((e = qstr_catf(&users, "# Dovecot passwd-file written by "
	    "qmail2postfix " PACKAGE_VERSION ": user:{CRYPT}hash:uid:gid::"
	    "home::extra.\n# The hashes are vpopmail's, unchanged. Never "
	    "readable by others:\n# 0600 here; qmail2postfix install gives "
	    "it 0640 and the group Dovecot's auth runs as.\n")) < 0)
		goto out;
	for (k = 0; k < 3; k++)
		if ((e = qstr_catf(&deny[k], "# Dovecot passwd-file read with "
		    "deny = yes and username_format=%%s/%%u:\n# vpopmail NO_%s "
		    "users, refused on %s only. Written by qmail2postfix.\n",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", svc[k])) < 0)
			goto out;
	for (i = 0; i < m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)m->mailboxes.v)[i];
		/* an empty vpopmail password refused every login: keep it so */
		if ((e = writer_src(&users, "# from ", mb->src)) < 0 ||
		    (e = pwf_login(&users, "", mb)) < 0 ||
		    (e = qstr_cat(&users, ":{CRYPT}")) < 0 ||
		    (e = pwf_field(&users, mb->hash[0] ? mb->hash : "!",
		    mb)) < 0 ||
		    (e = qstr_catf(&users, ":%ld:%ld::", mb_id(mb->uid),
		    mb_id(mb->gid))) < 0 ||
		    (e = pwf_field(&users, mb->home, mb)) < 0 ||
		    (e = qstr_cat(&users, "::")) < 0 ||
		    (e = quota_rules(&users, mb)) < 0 ||
		    (e = qstr_catc(&users, '\n')) < 0)
			goto out;
		if (min_uid < 0 || mb_id(mb->uid) < min_uid)
			min_uid = mb_id(mb->uid);
		if (min_gid < 0 || mb_id(mb->gid) < min_gid)
			min_gid = mb_id(mb->gid);
		for (k = 0; k < 3; k++) {
			if (!(mb->flags & bit[k]))
				continue;
			if ((e = writer_src(&deny[k], "# from ", mb->src)) < 0 ||
			    (e = pwf_login(&deny[k], key[k], mb)) < 0 ||
			    (e = qstr_catc(&deny[k], '\n')) < 0)
				goto out;
			ndeny[k]++;
		}
		if (mb->clear != NULL) {
			if ((e = pwf_login(&clear, "", mb)) < 0 ||
			    (e = qstr_catc(&clear, ':')) < 0 ||
			    (e = pwf_field(&clear, mb->clear, mb)) < 0 ||
			    (e = qstr_catc(&clear, '\n')) < 0)
				goto out;
			nclear++;
		}
	}

	if ((e = qstr_catf(&conf, "# dovecot.conf written by qmail2postfix "
	    PACKAGE_VERSION " from the qmail host ")) < 0 ||
	    (e = m->old_hostname != NULL ? qstr_cat_vis(&conf,
	    m->old_hostname, strlen(m->old_hostname), 0) :
	    qstr_cat(&conf, "(no control/me)")) < 0 ||
	    (e = qstr_cat(&conf, ".\n")) < 0 ||
	    (e = writer_targets(&conf, "# ", o)) < 0 ||
	    (e = qstr_catf(&conf, "# Dovecot 2.4 reads another syntax: do not "
	    "use this file there.\n# Files it names live in %s once "
	    "installed.\n\n", dd)) < 0)
		goto out;
	if ((e = qstr_catf(&conf,
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
	    "# qmail's extension character, as in Postfix\n"
	    "recipient_delimiter = -\n"
	    "mail_plugins = $mail_plugins quota\n"
	    "ssl = yes\n"
	    "# install the new host's certificate here\n"
	    "ssl_cert = <%s/private/dovecot.pem\n"
	    "ssl_key = <%s/private/dovecot.key\n\n", mb_id(min_uid),
	    mb_id(min_gid), dd, dd)) < 0)
		goto out;
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
		if ((e = qstr_catf(&conf, "# vpopmail NO_%s users may not log "
		    "in to %s (keys: %s/LOGIN)\n"
		    "passdb {\n  driver = passwd-file\n  deny = yes\n"
		    "  args = username_format=%%s/%%u %s/deny.%s\n}\n",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", svc[k], svc[k],
		    dd, svc[k])) < 0)
			goto out;
	}
	if ((e = qstr_catf(&conf,
	    "# vpasswd: the old crypt hashes, unchanged\n"
	    "passdb {\n  driver = passwd-file\n"
	    "  args = scheme=CRYPT username_format=%%u %s/users\n}\n"
	    "userdb {\n  driver = passwd-file\n"
	    "  args = username_format=%%u %s/users\n}\n\n", dd, dd)) < 0 ||
	    (e = qstr_catf(&conf,
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
	    qstr_str(&in_auth))) < 0 ||
	    (lim.len > 0 && (e = qstr_catf(&conf, "\n%s", lim.buf)) < 0))
		goto out;

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
