/*
 * NAME		write_dovecot - what the Dovecot 2.3 and 2.4 writers share
 * DOES		one passwd-file line per mailbox with the old crypt hash as
 *		it is ({CRYPT}), the full address as login, the old home and
 *		Maildir, the old quota in the fields of the version written;
 *		deny lists for NO_POP/NO_IMAP/NO_SMTP; the LMTP and auth
 *		sockets for Postfix; the limits' blocks merged with ours
 * NEVER	re-hashes or prints a hash
 */
#include <config.h>

#include <string.h>

#include "migrate/write/write_dovecot.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"

#define BIG	((size_t)1 << 32)

const char *const dc_svc[3] = { "pop3", "imap", "smtp" };

/* vpopmail's quota in the userdb fields of the version: 2.3 reads quota
 * rules; 2.4 ignores them without a word and reads these two (same
 * units).  Explicit units: bytes as vpopmail counted them. */
static int
quota_fields(struct qstr *s, const struct m_mailbox *mb, int ver)
{
	const char *size = ver == 24 ? "userdb_quota_storage_size=" :
	    "userdb_quota_rule=*:storage=";
	int n = 1, e = 0;

	if (mb->quota_bytes >= 0) {
		if (mb->quota_bytes % 1024 == 0)
			e = qstr_catf(s, "%s%lldK", size,
			    mb->quota_bytes / 1024);
		else
			e = qstr_catf(s, "%s%lldB", size, mb->quota_bytes);
		n++;
	}
	if (e == 0 && mb->quota_count >= 0) {
		if (ver == 24)
			e = qstr_catf(s, "%suserdb_quota_message_count=%lld",
			    n == 1 ? "" : " ", mb->quota_count);
		else if (n == 1)
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

/* courier-imap served IMAP when its settings (imapd, imapd-ssl) or a
 * couriertcpd run script started a listener on 143 or 993: the item of
 * the limits readers that says so, else NULL */
static const struct limits_item *
dc_courier_imap(const struct model *m)
{
	const struct limits *l = &m->climits;
	size_t i;

	for (i = 0; i < l->nitems; i++) {
		const struct limits_item *it = &l->items[i];

		if ((it->svc == LSVC_IMAP || it->svc == LSVC_IMAPS) &&
		    it->inert == NULL && it->source != NULL &&
		    strncmp(it->source, "courier", 7) == 0)
			return it;
	}
	return NULL;
}

int
dc_namespace(struct dc_out *d)
{
	const struct limits_item *it = dc_courier_imap(d->m);
	struct wtext t = { &d->conf, 0 };

	if (it == NULL)
		return 0;	/* Dovecot's default namespace, as before */
	/* the same lines in 2.3 and 2.4 */
	wt_cat(&t, "# courier-imap served IMAP here (");
	wt_vis(&t, it->file, 0);
	wt_catf(&t, ":%lu):\n# its namespace keeps the folder names clients "
	    "know (\"INBOX.Sent\", separator\n# \".\", the folders inside "
	    "INBOX); without it Dovecot shows \"Sent\", and clients\n# set to "
	    "INBOX.Sent lose it.\nnamespace inbox {\n  inbox = yes\n"
	    "  prefix = INBOX.\n  separator = .\n}\n\n", it->line);
	return t.e;
}

int
dc_namespace_report(const struct model *m, struct qstr *s)
{
	const struct limits_item *it = dc_courier_imap(m);
	struct wtext t = { s, 0 };

	if (it == NULL) {
		wt_cat(&t, "  IMAP namespace: Dovecot's default (no prefix): "
		    "courier-imap did not serve\n  IMAP on the old host.\n");
		return t.e;
	}
	wt_cat(&t, "  IMAP namespace: courier-imap's (\"INBOX.\" prefix, "
	    "separator \".\", INBOX\n  holds the folders), because courier-imap "
	    "served IMAP\n  (");
	wt_vis(&t, it->file, 0);
	wt_catf(&t, ":%lu): clients keep the folder names they know, such "
	    "as\n  INBOX.Sent.\n", it->line);
	return t.e;
}

/* uid and gid of the mailbox: users/assign's, as qmail-lspawn ran
 * vdelivermail with them; vpopmail's own 89 only when none was given */
const char *
dc_delimiter(const struct model *m)
{
	return m->qmail_ext ? "# qmail's extension character, as in Postfix\n"
	    "recipient_delimiter = -\n" : "# vpopmail without QMAIL_EXT: "
	    "user-ext is an unknown user, as in Postfix\nrecipient_delimiter "
	    "=\n";
}

long
dc_id(long id)
{
	return id >= 0 ? id : 89;
}

static void
dc_init(struct dc_out *d, const struct model *m, const struct wopts *o,
    int ver)
{
	int k;

	memset(d, 0, sizeof(*d));
	d->m = m;
	d->o = o;
	d->ver = ver;
	qstr_init(&d->conf, BIG);
	qstr_init(&d->users, BIG);
	qstr_init(&d->clear, BIG);
	qstr_init(&d->lim, BIG);
	qstr_init(&d->sql, BIG);
	for (k = 0; k < DC_DENY_N; k++)
		qstr_init(&d->deny[k], BIG);
	for (k = 0; k < DC_IN_N; k++)
		qstr_init(&d->in[k], BIG);
	d->min_uid = d->min_gid = -1;
}

/* vchkpw: a POP3 or IMAP login from 127.0.0.1 is webmail: NO_WEBMAIL
 * applies there and NO_POP/NO_IMAP do not (Dovecot 2.3's %{if}) */
#define WEBMAIL_KEY	"%{if;%r;eq;127.0.0.1;%s;-}/%u"
#define NOT_WEBMAIL_KEY	"%{if;%r;eq;127.0.0.1;webmail;%s}/%u"
/* 2.4 has no %{if}: its regexp filter turns the client address into a
 * part of the key ("pop3/webmail/LOGIN" from 127.0.0.1, "pop3/LOGIN"
 * otherwise; "pop3/LOGIN" from 127.0.0.1, "pop3/-/LOGIN" otherwise) */
#define RIP_IS_LOCAL	"%{remote_ip | regexp('^127[.]0[.]0[.]1$', "
#define NOT_WEBMAIL_KEY24 "%{protocol}" RIP_IS_LOCAL "'/webmail') | " \
	"regexp('^[^/].*$', '')}/%{user}"
#define WEBMAIL_KEY24	"%{protocol}" RIP_IS_LOCAL "'') | " \
	"regexp('^.+$', '/-')}/%{user}"

static int
dc_passwd_files(struct dc_out *d)
{
	static const char *const key[3] = { "pop3/", "imap/", "smtp/" };
	static const unsigned long bit[3] = { VP_NO_POP, VP_NO_IMAP,
	    VP_NO_SMTP };
	const struct m_mailbox *mb;
	const char *sch;
	size_t i;
	int k, e;

	if ((e = qstr_catf(&d->users, "# Dovecot passwd-file written by "
	    "qmail2postfix " PACKAGE_VERSION ": user:{CRYPT}hash:uid:gid::"
	    "home::extra.\n# The hashes are vpopmail's, unchanged. Never "
	    "readable by others:\n# 0600 here; qmail2postfix install gives "
	    "it 0640 and the group Dovecot's auth runs as.\n")) < 0)
		return e;
	for (k = 0; k < 3; k++)
		if ((e = qstr_catf(&d->deny[k], "# Dovecot passwd-file read "
		    "with deny = yes and %s:\n# vpopmail NO_%s users, refused "
		    "on %s only. Written by qmail2postfix.\n", d->ver == 24 ?
		    (k < 2 ? "auth_username_format = " NOT_WEBMAIL_KEY24 :
		    "auth_username_format = %{protocol}/%{user}") :
		    "username_format=%s/%u",
		    k == 0 ? "POP" : k == 1 ? "IMAP" : "SMTP", dc_svc[k])) < 0)
			return e;
	if ((e = qstr_catf(&d->deny[DC_DENY_WEBMAIL], "# Dovecot "
	    "passwd-file read with deny = yes and %s:\n# vpopmail NO_WEBMAIL "
	    "users, refused on POP3 and IMAP from 127.0.0.1 only\n# (vchkpw: "
	    "such a login is webmail). Written by qmail2postfix.\n",
	    d->ver == 24 ? "auth_username_format = " WEBMAIL_KEY24 :
	    "username_format=" WEBMAIL_KEY)) < 0)
		return e;
	for (i = 0; i < d->m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)d->m->mailboxes.v)[i];
		/* an empty vpopmail password refused every login: keep it so */
		if ((e = writer_src(&d->users, "# from ", mb->src)) < 0 ||
		    (e = pwf_login(&d->users, "", mb)) < 0 ||
		    (e = qstr_cat(&d->users, ":{CRYPT}")) < 0 ||
		    (e = pwf_field(&d->users, mb->hash[0] ? mb->hash : "!",
		    mb)) < 0 ||
		    (e = qstr_catf(&d->users, ":%ld:%ld::", dc_id(mb->uid),
		    dc_id(mb->gid))) < 0 ||
		    (e = pwf_field(&d->users, mb->home, mb)) < 0 ||
		    (e = qstr_cat(&d->users, "::")) < 0 ||
		    (e = quota_fields(&d->users, mb, d->ver)) < 0 ||
		    (e = qstr_catc(&d->users, '\n')) < 0)
			return e;
		if (d->o->sql != NULL && (e = sql_mailbox_row(d->o->sql, mb,
		    dc_id(mb->uid), dc_id(mb->gid))) < 0)
			return e;
		sch = write_hash_scheme(mb->hash);
		if (strcmp(sch, "des-crypt") == 0 ||
		    strcmp(sch, "md5-crypt") == 0)
			d->nweak++;
		if (d->min_uid < 0 || dc_id(mb->uid) < d->min_uid)
			d->min_uid = dc_id(mb->uid);
		if (d->min_gid < 0 || dc_id(mb->gid) < d->min_gid)
			d->min_gid = dc_id(mb->gid);
		for (k = 0; k < 3; k++) {
			if (!(mb->flags & bit[k]))
				continue;
			if ((e = writer_src(&d->deny[k], "# from ",
			    mb->src)) < 0 ||
			    (e = pwf_login(&d->deny[k], key[k], mb)) < 0 ||
			    (e = qstr_catc(&d->deny[k], '\n')) < 0)
				return e;
			d->ndeny[k]++;
		}
		for (k = 0; (mb->flags & VP_NO_WEBMAIL) && k < 2; k++) {
			if ((k == 0 && (e = writer_src(&d->deny[DC_DENY_WEBMAIL],
			    "# from ", mb->src)) < 0) ||
			    (e = pwf_login(&d->deny[DC_DENY_WEBMAIL], key[k],
			    mb)) < 0 ||
			    (e = qstr_catc(&d->deny[DC_DENY_WEBMAIL], '\n')) < 0)
				return e;
			d->ndeny[DC_DENY_WEBMAIL] += k;
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

/* --userdb sql: vchkpw's rules of the deny lists, as a condition on a
 * mailboxes row: NO_POP and NO_IMAP refuse their service except from
 * 127.0.0.1 (webmail), NO_SMTP refuses SMTP AUTH, NO_WEBMAIL POP3 and
 * IMAP from 127.0.0.1; svc and rip are the version's variables of the
 * service and the client address */
int
dc_sql_allowed(struct qstr *s, const char *svc, const char *rip)
{
	return qstr_catf(s, "NOT ((deny_pop3 AND '%s' = 'pop3' AND '%s' <> "
	    "'127.0.0.1') OR (deny_imap AND '%s' = 'imap' AND '%s' <> "
	    "'127.0.0.1') OR (deny_smtp AND '%s' = 'smtp') OR (deny_webmail "
	    "AND '%s' IN ('pop3', 'imap') AND '%s' = '127.0.0.1'))", svc, rip,
	    svc, rip, svc, svc, rip);
}

static int
dc_limits(struct dc_out *d)
{
	static const enum dc_block mine[DC_IN_N] = { DCB_PLUGIN,
	    DCB_PROTO_IMAP, DCB_LMTP, DCB_AUTH };
	int k, e;

	/* the inner lines of the blocks this writer writes itself, and the
	 * limits' other blocks: doveconf merges no duplicate block */
	if (!d->m->climits.recommended)
		return 0;
	for (k = 0; k < DC_IN_N; k++)
		if ((e = dovecot_limits_block(&d->m->climits, d->ver, mine[k],
		    &d->in[k])) < 0)
			return e;
	return dovecot_limits_conf(&d->m->climits, d->ver,
	    DCB_BIT(DCB_PLUGIN) | DCB_BIT(DCB_PROTO_IMAP) | DCB_BIT(DCB_LMTP) |
	    DCB_BIT(DCB_AUTH), &d->lim);
}

int
dc_intro(struct dc_out *d)
{
	int e;

	if ((e = qstr_cat(&d->conf, "# dovecot.conf written by qmail2postfix "
	    PACKAGE_VERSION " from the qmail host ")) < 0 ||
	    (e = d->m->old_hostname != NULL ? qstr_cat_vis(&d->conf,
	    d->m->old_hostname, strlen(d->m->old_hostname), 0) :
	    qstr_cat(&d->conf, "(no control/me)")) < 0)
		return e;
	return qstr_cat(&d->conf, ".\n");
}

static int
dc_deny_passdbs(struct dc_out *d)
{
	const char *dd = d->o->dovecot_dir;
	int k, e;

	/* --userdb sql: the SQL passdb's query holds the same rules */
	if (d->o->sql != NULL)
		return 0;
	for (k = 0; k < 3; k++) {
		if (d->ndeny[k] == 0)
			continue;
		/* The key is SERVICE/LOGIN (the service is "smtp" for
		 * Postfix's SASL), so each list denies its own service and
		 * no other.  Not "args = .../deny.%s" (qmail-formats.md):
		 * that needs a file for every service that ever
		 * authenticates (doveadm, submission, sieve), a missing one
		 * failing every login there, and a path that a copy of this
		 * file (the rehearsal) cannot rebase.  2.4 names each
		 * passdb and splits args into settings. */
		if ((e = qstr_catf(&d->conf, "# vpopmail NO_%s users may not "
		    "log in to %s (keys: %s/LOGIN)\n", k == 0 ? "POP" :
		    k == 1 ? "IMAP" : "SMTP", dc_svc[k], dc_svc[k])) < 0 ||
		    (e = d->ver == 24 ? qstr_catf(&d->conf, "%spassdb deny-%s {\n"
		    "  driver = passwd-file\n  deny = yes\n"
		    "  auth_username_format = %s\n"
		    "  passwd_file_path = %s/deny.%s\n}\n", k < 2 ?
		    "# (vchkpw: from 127.0.0.1 this is webmail, where "
		    "NO_POP/NO_IMAP do not apply)\n" : "", dc_svc[k], k < 2 ?
		    NOT_WEBMAIL_KEY24 : "%{protocol}/%{user}", dd, dc_svc[k]) : qstr_catf(&d->conf, "%spassdb {\n"
		    "  driver = passwd-file\n  deny = yes\n"
		    "  args = username_format=%s %s/deny.%s\n}\n", k < 2 ?
		    "# (vchkpw: from 127.0.0.1 this is webmail, where "
		    "NO_POP/NO_IMAP do not apply)\n" : "", k < 2 ?
		    NOT_WEBMAIL_KEY : "%s/%u", dd, dc_svc[k])) < 0)
			return e;
	}
	if (d->ndeny[DC_DENY_WEBMAIL] > 0 && (e = qstr_catf(&d->conf,
	    "# vpopmail NO_WEBMAIL users may not log in to pop3 or imap from "
	    "127.0.0.1\n# (vchkpw: webmail; keys: SERVICE/LOGIN from there, "
	    "%s otherwise)\n", d->ver == 24 ? "SERVICE/-/LOGIN" :
	    "-/LOGIN")) < 0)
		return e;
	if (d->ndeny[DC_DENY_WEBMAIL] > 0 && (e = d->ver == 24 ?
	    qstr_catf(&d->conf, "passdb deny-webmail {\n  driver = "
	    "passwd-file\n  deny = yes\n  auth_username_format = %s\n"
	    "  passwd_file_path = %s/deny.webmail\n}\n", WEBMAIL_KEY24, dd) :
	    qstr_catf(&d->conf, "passdb {\n  driver = passwd-file\n"
	    "  deny = yes\n  args = username_format=%s %s/deny.webmail\n}\n",
	    WEBMAIL_KEY, dd)) < 0)
		return e;
	return 0;
}

static int
dc_services(struct dc_out *d)
{
	int e;

	if ((e = qstr_catf(&d->conf,
	    "# Postfix's virtual_transport delivers here\n"
	    "service lmtp {\n"
	    "  unix_listener /var/spool/postfix/private/dovecot-lmtp {\n"
	    "    mode = 0600\n    user = postfix\n    group = postfix\n  }\n%s}\n\n"
	    "# Postfix's SMTP AUTH (smtpd_sasl_path = private/auth)\n"
	    "service auth {\n"
	    "  unix_listener /var/spool/postfix/private/auth {\n"
	    "    mode = 0660\n    user = postfix\n    group = postfix\n  }\n%s}\n",
	    qstr_str(&d->in[DC_IN_LMTP]), qstr_str(&d->in[DC_IN_AUTH]))) < 0)
		return e;
	if (d->lim.len > 0)
		return qstr_catf(&d->conf, "\n%s", d->lim.buf);
	return 0;
}

static int
dc_files(struct dc_out *d)
{
	static const char *const deny_file[DC_DENY_N] = { "dovecot/deny.pop3",
	    "dovecot/deny.imap", "dovecot/deny.smtp", "dovecot/deny.webmail" };
	int k, e;

	e = writer_file(d->o, "dovecot/dovecot.conf", &d->conf,
	    QPM_MODE_PUBLIC);
	/* --userdb sql: the users are in MariaDB, the connection in here */
	if (e == 0 && d->o->sql != NULL)
		e = writer_file(d->o, "dovecot/dovecot-sql.conf.ext", &d->sql,
		    QPM_MODE_SECRET);
	else if (e == 0)
		e = writer_file(d->o, "dovecot/users", &d->users,
		    QPM_MODE_SECRET);
	for (k = 0; k < DC_DENY_N && e == 0 && d->o->sql == NULL; k++)
		if (d->ndeny[k])
			e = writer_file(d->o, deny_file[k], &d->deny[k],
			    QPM_MODE_PUBLIC);
	if (e == 0 && d->nclear > 0)
		e = writer_file(d->o, "rehearse/cleartext-passwords",
		    &d->clear, QPM_MODE_SECRET);
	return e;
}

static void
dc_free(struct dc_out *d)
{
	int k;

	qstr_free(&d->conf);
	qstr_free(&d->users);
	qstr_free(&d->clear);
	qstr_free(&d->lim);
	if (d->sql.buf != NULL)
		explicit_bzero(d->sql.buf, d->sql.cap);
	qstr_free(&d->sql);
	for (k = 0; k < DC_DENY_N; k++)
		qstr_free(&d->deny[k]);
	for (k = 0; k < DC_IN_N; k++)
		qstr_free(&d->in[k]);
}

int
dc_write(const struct model *m, const struct wopts *o, int ver,
    int (*head)(struct dc_out *), int (*auth)(struct dc_out *),
    int (*quota)(struct dc_out *))
{
	struct dc_out d;
	int e;

	dc_init(&d, m, o, ver);
	if ((e = dc_limits(&d)) < 0 || (e = dc_passwd_files(&d)) < 0 ||
	    (e = head(&d)) < 0 || (e = dc_deny_passdbs(&d)) < 0 ||
	    (e = auth(&d)) < 0 || (e = quota(&d)) < 0 ||
	    (e = dc_services(&d)) < 0)
		goto out;
	e = dc_files(&d);
out:
	dc_free(&d);
	return e;
}
