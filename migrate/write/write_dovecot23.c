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

/* What write_dovecot23 writes: dovecot.conf, the passwd-files. */
struct dc23 {
	const struct model	*m;
	const struct wopts	*o;
	struct qstr		 conf, users, clear, deny[3];
	int			 ndeny[3], nclear;
	long			 min_uid, min_gid;
};

static const char *const dc_svc[3] = { "pop3", "imap", "smtp" };

/* dovecot/users, the deny lists and the cleartext list: one line per
 * mailbox (and per flag, per cleartext) */
static int
passwd_files(struct dc23 *d)
{
	static const char *const key[3] = { "pop3/", "imap/", "smtp/" };
	static const unsigned long bit[3] = { VP_NO_POP, VP_NO_IMAP,
	    VP_NO_SMTP };
	const struct m_mailbox *mb;
	size_t i;
	int k, e;

	if ((e = qstr_catf(&d->users, "# Dovecot passwd-file written by "
	    "qmail2postfix " PACKAGE_VERSION ": user:{CRYPT}hash:uid:gid::"
	    "home::extra.\n# The hashes are vpopmail's, unchanged. Never "
	    "readable by others:\n# 0600 here; qmail2postfix install gives "
	    "it 0640 and the group Dovecot's auth runs as.\n")) < 0)
		return e;
	for (k = 0; k < 3; k++)
		if ((e = qstr_catf(&d->deny[k], "# Dovecot passwd-file read with "
		    "deny = yes and username_format=%%s/%%u:\n# vpopmail NO_%s "
		    "users, refused on %s only. Written by qmail2postfix.\n",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", dc_svc[k])) < 0)
			return e;
	for (i = 0; i < d->m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)d->m->mailboxes.v)[i];
		/* an empty vpopmail password refused every login: keep it so */
		if ((e = writer_src(&d->users, "# from ", mb->src)) < 0 ||
		    (e = pwf_login(&d->users, "", mb)) < 0 ||
		    (e = qstr_cat(&d->users, ":{CRYPT}")) < 0 ||
		    (e = pwf_field(&d->users, mb->hash[0] ? mb->hash : "!",
		    mb)) < 0 ||
		    (e = qstr_catf(&d->users, ":%ld:%ld::", mb_id(mb->uid),
		    mb_id(mb->gid))) < 0 ||
		    (e = pwf_field(&d->users, mb->home, mb)) < 0 ||
		    (e = qstr_cat(&d->users, "::")) < 0 ||
		    (e = quota_rules(&d->users, mb)) < 0 ||
		    (e = qstr_catc(&d->users, '\n')) < 0)
			return e;
		if (d->min_uid < 0 || mb_id(mb->uid) < d->min_uid)
			d->min_uid = mb_id(mb->uid);
		if (d->min_gid < 0 || mb_id(mb->gid) < d->min_gid)
			d->min_gid = mb_id(mb->gid);
		for (k = 0; k < 3; k++) {
			if (!(mb->flags & bit[k]))
				continue;
			if ((e = writer_src(&d->deny[k], "# from ", mb->src)) < 0 ||
			    (e = pwf_login(&d->deny[k], key[k], mb)) < 0 ||
			    (e = qstr_catc(&d->deny[k], '\n')) < 0)
				return e;
			d->ndeny[k]++;
		}
		if (mb->clear != NULL) {
			if ((e = pwf_login(&d->clear, "", mb)) < 0 ||
			    (e = qstr_catc(&d->clear, ':')) < 0 ||
			    (e = pwf_field(&d->clear, mb->clear, mb)) < 0 ||
			    (e = qstr_catc(&d->clear, '\n')) < 0)
				return e;
			d->nclear++;
		}
	}
	return 0;
}

/* dovecot.conf up to the passdbs: protocols, auth, mail location, ids */
static int
conf_head(struct dc23 *d)
{
	const char *dd = d->o->dovecot_dir;
	int e;

	if ((e = qstr_catf(&d->conf, "# dovecot.conf written by qmail2postfix "
	    PACKAGE_VERSION " from the qmail host ")) < 0 ||
	    (e = d->m->old_hostname != NULL ? qstr_cat_vis(&d->conf,
	    d->m->old_hostname, strlen(d->m->old_hostname), 0) :
	    qstr_cat(&d->conf, "(no control/me)")) < 0 ||
	    (e = qstr_cat(&d->conf, ".\n")) < 0 ||
	    (e = writer_targets(&d->conf, "# ", d->o)) < 0 ||
	    (e = qstr_catf(&d->conf, "# Dovecot 2.4 reads another syntax: do "
	    "not use this file there.\n# Files it names live in %s once "
	    "installed.\n\n", dd)) < 0)
		return e;
	return qstr_catf(&d->conf,
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
	    "ssl_key = <%s/private/dovecot.key\n\n", mb_id(d->min_uid),
	    mb_id(d->min_gid), dd, dd);
}

/* the passdbs and the userdb: deny lists first, then vpasswd's hashes */
static int
conf_auth(struct dc23 *d)
{
	const char *dd = d->o->dovecot_dir;
	int k, e;

	for (k = 0; k < 3; k++) {
		if (d->ndeny[k] == 0)
			continue;
		/* The key is SERVICE/LOGIN (%s: the service, "smtp" for
		 * Postfix's SASL), so each list denies its own service and
		 * no other.  Not "args = .../deny.%s" (qmail-formats.md):
		 * that needs a file for every service that ever
		 * authenticates (doveadm, submission, sieve), a missing one
		 * failing every login there, and a path that a copy of this
		 * file (the rehearsal) cannot rebase. */
		if ((e = qstr_catf(&d->conf, "# vpopmail NO_%s users may not "
		    "log in to %s (keys: %s/LOGIN)\n"
		    "passdb {\n  driver = passwd-file\n  deny = yes\n"
		    "  args = username_format=%%s/%%u %s/deny.%s\n}\n",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", dc_svc[k],
		    dc_svc[k], dd, dc_svc[k])) < 0)
			return e;
	}
	return qstr_catf(&d->conf,
	    "# vpasswd: the old crypt hashes, unchanged\n"
	    "passdb {\n  driver = passwd-file\n"
	    "  args = scheme=CRYPT username_format=%%u %s/users\n}\n"
	    "userdb {\n  driver = passwd-file\n"
	    "  args = username_format=%%u %s/users\n}\n\n", dd, dd);
}

/* The inner lines the limits put in block b (none without limits). */
static int
lim(const struct dc23 *d, enum dc_block b, struct qstr *in)
{
	if (!d->m->climits.recommended)
		return 0;
	return dovecot_limits_block(&d->m->climits, 23, b, in);
}

/* The blocks this writer and the limits share, each once (doveconf
 * merges no duplicate), then the limits' other blocks. */
static int
conf_blocks(struct dc23 *d)
{
	struct qstr in[4] = { QSTR_INIT(BIG), QSTR_INIT(BIG), QSTR_INIT(BIG),
	    QSTR_INIT(BIG) };
	static const enum dc_block mine[4] = { DCB_PLUGIN, DCB_PROTO_IMAP,
	    DCB_LMTP, DCB_AUTH };
	int k, e = 0;

	for (k = 0; k < 4 && e == 0; k++)
		e = lim(d, mine[k], &in[k]);
	if (e == 0)
		e = qstr_catf(&d->conf,
		    "# vpopmail quotas (pw_shell), enforced on the same "
		    "maildirsize\n"
		    "plugin {\n  quota = maildir:User quota\n%s}\n\n"
		    "protocol imap {\n  mail_plugins = $mail_plugins "
		    "imap_quota\n%s}\n\n"
		    "# Postfix's virtual_transport delivers here\n"
		    "service lmtp {\n"
		    "  unix_listener /var/spool/postfix/private/dovecot-lmtp {\n"
		    "    mode = 0600\n    user = postfix\n    group = postfix\n"
		    "  }\n%s}\n\n"
		    "# Postfix's SMTP AUTH (smtpd_sasl_path = private/auth)\n"
		    "service auth {\n"
		    "  unix_listener /var/spool/postfix/private/auth {\n"
		    "    mode = 0660\n    user = postfix\n    group = postfix\n"
		    "  }\n%s}\n", qstr_str(&in[0]), qstr_str(&in[1]),
		    qstr_str(&in[2]), qstr_str(&in[3]));
	if (e == 0 && d->m->climits.recommended &&
	    (e = qstr_catc(&d->conf, '\n')) == 0)
		e = dovecot_limits_conf(&d->m->climits, 23, DCB_BIT(DCB_PLUGIN) |
		    DCB_BIT(DCB_PROTO_IMAP) | DCB_BIT(DCB_LMTP) |
		    DCB_BIT(DCB_AUTH), &d->conf);
	for (k = 0; k < 4; k++)
		qstr_free(&in[k]);
	return e;
}

int
write_dovecot23(const struct model *m, const struct wopts *o)
{
	struct dc23 d = { m, o, QSTR_INIT(BIG), QSTR_INIT(BIG),
	    QSTR_INIT(BIG), { QSTR_INIT(BIG), QSTR_INIT(BIG),
	    QSTR_INIT(BIG) }, { 0, 0, 0 }, 0, -1, -1 };
	static const char *const deny_file[3] = { "dovecot/deny.pop3",
	    "dovecot/deny.imap", "dovecot/deny.smtp" };
	int k, e;

	if ((e = passwd_files(&d)) < 0 || (e = conf_head(&d)) < 0 ||
	    (e = conf_auth(&d)) < 0 || (e = conf_blocks(&d)) < 0)
		goto out;
	e = writer_file(o, "dovecot/dovecot.conf", &d.conf, QPM_MODE_PUBLIC);
	if (e == 0)
		e = writer_file(o, "dovecot/users", &d.users, QPM_MODE_SECRET);
	for (k = 0; k < 3 && e == 0; k++)
		if (d.ndeny[k])
			e = writer_file(o, deny_file[k], &d.deny[k],
			    QPM_MODE_PUBLIC);
	if (e == 0 && d.nclear > 0)
		e = writer_file(o, "rehearse/cleartext-passwords", &d.clear,
		    QPM_MODE_SECRET);
out:
	qstr_free(&d.conf);
	qstr_free(&d.users);
	qstr_free(&d.clear);
	for (k = 0; k < 3; k++)
		qstr_free(&d.deny[k]);
	return e;
}
