/*
 * NAME		postfix_main - main.cf of the Postfix writer
 * DOES		the new host's name, the control files' settings, local
 *		and relay domains, the maps and transports of the other
 *		files, SRS and DKIM wiring, then the limits' lines
 * NEVER	writes a parameter twice (a control-file value the limits
 *		also set is left out, with a comment)
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "mail/esc_postfix.h"
#include "migrate/write/postfix_int.h"
#include "migrate/write/writers.h"
#include "util/limits.h"

static void
param(struct pf *p, const char *why, const char *name, const char *value)
{
	pf_cat(p, &p->main, "# %s\n%s = %s\n", why, name, value);
}

/* the lookup table NAME as main.cf names it: the hash: table of the
 * file output, or with --userdb sql its mysql: map when it went to
 * MariaDB (write_sql.c) */
static const char *
pf_map(struct pf *p, const char *name)
{
	if (p->o->sql != NULL && sql_has_map(name))
		return model_printf((struct model *)p->m,
		    "mysql:${config_directory}/mysql-%s.cf", name);
	return model_printf((struct model *)p->m,
	    "hash:${config_directory}/%s", name);
}

/* 1 when the limits' main.cf lines set param ("param = " at a line
 * start): the limits own it, the control file's value is not written */
static int
limits_sets(const struct pf *p, const char *param)
{
	const char *t = p->lmain.buf, *q;
	size_t n = strlen(param);

	for (q = t; q != NULL && *q != '\0'; q = strchr(q, '\n'), q = q ?
	    q + 1 : NULL)
		if (strncmp(q, param, n) == 0 && strncmp(q + n, " = ", 3) == 0)
			return 1;
	return 0;
}

/* what the file is, and the host's name */
static void
main_head(struct pf *p)
{
	const struct model *m = p->m;

	pf_esc(p, esc_comment(&p->main, "", "Postfix main.cf written by "
	    "qmail2postfix " PACKAGE_VERSION " from the qmail host %s.",
	    m->old_hostname ? m->old_hostname : "(no control/me)"), NULL,
	    no_src);
	pf_targets(p, &p->main);
	pf_cat(p, &p->main,
	    "# Dovecot does the LMTP delivery and SASL.\n"
	    "# Each parameter names the old file:line it came from, or why it\n"
	    "# is here. Lookup tables are sources: run postmap on each hash:\n"
	    "# table (qmail2postfix install does) before starting Postfix.\n\n");
	/* 3.6's defaults change nothing here (smtpd_relay_before_recipient_
	 * restrictions: the relay checks come first anyway); level 2 makes
	 * 3.6 and later log a compatibility notice on every run */
	if (writer_postfix_ver(p->o) >= 306)
		param(p, "Postfix 3.6 and later: level 3.6 (no compatibility "
		    "notice on each run)", "compatibility_level", "3.6");
	else
		param(p, "Postfix 3.5 knows level 2, not 3.6",
		    "compatibility_level", "2");
	if (m->new_hostname != NULL)
		param(p, "the new host's name (--hostname)", "myhostname",
		    m->new_hostname);
	else if (m->me != NULL) {
		pf_src_line(p, &p->main, "# from ", m->old_hostname_src);
		pf_cat(p, &p->main, "myhostname = ");
		pf_cat_domain(p, &p->main, m->me, m->old_hostname_src);
		pf_cat(p, &p->main, "\n");
	}
}

/* the control files' settings; those the limits set are left to them */
static void
main_settings(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_setting *st;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < m->settings.n; i++) {
		st = &((const struct m_setting *)m->settings.v)[i];
		if (strcmp(st->param, "myhostname") == 0)
			continue;
		if (limits_sets(p, st->param)) {
			/* the listener's own value (run script, envdir)
			 * beat the control file on the old host too */
			pf_esc(p, esc_comment(&p->main, "", st->src.line ?
			    "%s = %s from %s:%lu" : "%s = %s from %s",
			    st->param, st->value, st->src.file ? st->src.file :
			    "(unknown)", st->src.line), NULL, no_src);
			pf_cat(p, &p->main, "#   is set below, with the "
			    "connection limits\n");
			continue;
		}
		if (st->src.file == NULL)
			pf_cat_comment(p, &p->main, st->from);
		else
			pf_src_line(p, &p->main, "# from ", st->src);
		if (strcmp(st->param, "append_dot_mydomain") == 0)
			pf_cat(p, &p->main, "# only qmail-inject appended it, "
			    "never qmail-smtpd: user@localhost stays as it is\n");
		pf_esc(p, esc_pf_word(&p->main, st->param, &why), &why, st->src);
		pf_cat(p, &p->main, " = ");
		/* values are main.cf text already (host names, numbers,
		 * smtpd_banner with its old text's '$' doubled) */
		pf_esc(p, esc_pf_value(&p->main, st->value, &why), &why, st->src);
		pf_cat(p, &p->main, "\n");
	}
}

/* 1 when control/rcpthosts (or morercpthosts) lists d, ".dom" its
 * subdomains; *any: it lists something */
static int
in_rcpthosts(const struct model *m, const char *d, int *any)
{
	const struct m_entry *e;
	size_t i, kl, dl = strlen(d);

	for (i = 0; i < m->entries.n; i++) {
		e = M_ENTRY((struct model *)m, i);
		if (e->table != TBL_RCPTHOSTS)
			continue;
		*any = 1;
		kl = strlen(e->key);
		if (strcasecmp(e->key, d) == 0 || (e->key[0] == '.' &&
		    dl > kl && strcasecmp(d + dl - kl, e->key) == 0))
			return 1;
	}
	return 0;
}

static void
refuse_local(struct pf *p, struct qstr *s, const char *d, struct src src,
    int *n)
{
	int any = 0;

	if (d == NULL || in_rcpthosts(p->m, d, &any) || !any)
		return;
	pf_cat(p, s, "%s{", (*n)++ ? ", " : "check_recipient_access inline:{");
	pf_cat_domain(p, s, d, src);
	pf_cat(p, s, "=553 5.7.1 sorry, that domain isn't in my list of "
	    "allowed rcpthosts (#5.7.1)}");
}

/* qmail-smtpd refused mail for a domain control/rcpthosts does not
 * list (553) unless the client could relay; Postfix takes mail for
 * mydestination (localhost, myhostname, control/locals) from anyone:
 * those the old rcpthosts did not list are refused as qmail did, after
 * the clients that may relay are let through.  No rcpthosts: qmail
 * took everything, nothing is refused. */
static void
relay_restrictions(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_domain *d;
	const char *host = m->new_hostname != NULL ? m->new_hostname : m->me;
	struct qstr s = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	struct src no = { 0 };
	size_t i;
	int n = 0;

	refuse_local(p, &s, "localhost", no, &n);
	refuse_local(p, &s, host, m->old_hostname_src, &n);
	if (host != NULL && strchr(host, '.') != NULL)
		refuse_local(p, &s, model_printf((struct model *)m,
		    "localhost.%s", strchr(host, '.') + 1), no, &n);
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (d->kind == DOM_LOCAL && strcmp(d->name, "localhost") != 0 &&
		    (host == NULL || strcmp(d->name, host) != 0))
			refuse_local(p, &s, d->name, d->src, &n);
	}
	if (n > 0)
		pf_cat(p, &p->main, "# the mydestination domains control/"
		    "rcpthosts did not list: refused, as qmail-smtpd did\n");
	param(p, "qmail-smtpd refused relaying for good (553, not in "
	    "rcpthosts); Postfix's default\n# defer_unauth_destination "
	    "answers 454, a temporary error", "smtpd_relay_restrictions",
	    model_printf((struct model *)m, "permit_mynetworks, "
	    "permit_sasl_authenticated, %s%sreject_unauth_destination",
	    qstr_str(&s), n ? "}, " : ""));
	qstr_free(&s);
}

/* control/locals as mydestination, backup MX domains as relay_domains */
static void
main_domains(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_domain *d;
	size_t i;
	int any;

	/* control/locals: local delivery through local(8) */
	pf_cat(p, &p->main, "# control/locals (system users; ~alias files are "
	    "in virtual_alias)\nmydestination = $myhostname, "
	    "localhost.$mydomain, localhost");
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (d->kind == DOM_LOCAL && strcmp(d->name, "localhost") != 0 &&
		    (m->me == NULL || strcmp(d->name, m->me) != 0 ||
		    m->new_hostname != NULL)) {
			pf_cat(p, &p->main, ", ");
			pf_cat_domain(p, &p->main, d->name, d->src);
		}
	}
	pf_cat(p, &p->main, "\n");
	any = 0;
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (d->kind != DOM_RELAY)
			continue;
		if (!any)
			pf_cat(p, &p->main, "# control/rcpthosts entries that "
			    "are neither local nor virtual: backup MX\n"
			    "relay_domains =");
		pf_cat(p, &p->main, "%s ", any ? "," : "");
		pf_cat_domain(p, &p->main, d->name, d->src);
		any = 1;
	}
	if (any)
		pf_cat(p, &p->main, "\n");
	else
		param(p, "no backup MX domains in control/rcpthosts",
		    "relay_domains", "");
}

/* the maps, transports, SASL and TLS the other files are written for */
static void
main_maps(struct pf *p, const struct wopts *o)
{
	if (p->m->qmail_ext)
		param(p, "qmail's extension character; vpopmail with "
		    "--enable-qmail-ext strips at the first '-' as Postfix "
		    "does", "recipient_delimiter", "-");
	else
		param(p, "vpopmail without QMAIL_EXT: user-ext is an unknown "
		    "user, never delivered to user", "recipient_delimiter",
		    "");
	param(p, "owner-LIST and LIST-request are never split at '-'",
	    "owner_request_special", "yes");
	param(p, "forward targets get no extension appended (qmail added "
	    "none)", "propagate_unmatched_extensions", "canonical");
	param(p, "vpopmail domains (users/assign, virtualdomains)",
	    "virtual_mailbox_domains", pf_map(p, "virtual_mailbox_domains"));
	if (o->srs != NULL) {
		/* the SRS domain is ours: mail to it is accepted, never
		 * relayed, and each address must be listed, which
		 * recipient_canonical_maps (srs-map reverse) does for a
		 * good SRS address only; a forged one gets 550 at RCPT */
		pf_cat(p, &p->main, "# vpopmail alias domains, and the SRS domain "
		    "(bounces to forwarded mail:\n# an address there is "
		    "accepted only when srs-map reverses it)\n"
		    "virtual_alias_domains = %s, %s\n",
		    pf_map(p, "virtual_alias_domains"), o->srs->domain);
	} else
		param(p, "vpopmail alias domains", "virtual_alias_domains",
		    pf_map(p, "virtual_alias_domains"));
	param(p, "vpasswd entries; unknown users bounce as with "
	    "bounce-no-mailbox", "virtual_mailbox_maps",
	    pf_map(p, "virtual_mailbox"));
	param(p, ".qmail files: aliases, forwards, catch-alls; regexp for "
	    "-default prefixes", "virtual_alias_maps",
	    model_printf((struct model *)p->m, "%s, "
	    "regexp:${config_directory}/virtual_alias_regexp",
	    pf_map(p, "virtual_alias")));
	param(p, "mailboxes stay where they are; Dovecot delivers them",
	    "virtual_transport", "lmtp:unix:private/dovecot-lmtp");
	param(p, "control/smtproutes, pipes, discards and bounces",
	    "transport_maps", "hash:${config_directory}/transport");
	if (p->nfolders > 0) {
		/* LMTP delivers to INBOX only; virtual(8) writes the
		 * folder's Maildir itself, as qmail-local did */
		param(p, ".qmail lines to a Maildir folder (./Maildir/.Lists/): "
		    "virtual(8) delivers to\n# the folder's path in "
		    "virtual_mailbox (transport: virtual:); Dovecot's quota\n"
		    "# counts them when it next recalculates",
		    "virtual_mailbox_base", "/");
		pf_cat(p, &p->main, "# the Maildirs' owner (users/assign)\n"
		    "virtual_uid_maps = static:%ld\nvirtual_gid_maps = "
		    "static:%ld\nvirtual_minimum_uid = %ld\n", p->folder_uid,
		    p->folder_gid, p->folder_uid > 0 ? p->folder_uid : 1);
	}
	param(p, "control/badmailfrom", "smtpd_sender_restrictions",
	    "check_sender_access hash:${config_directory}/sender_access");
	param(p, "qmail-smtpd: @host in badmailfrom (badrcptto) matches that "
	    "host only; Postfix's default\n# also matches its subdomains in "
	    "access maps: the default list without smtpd_access_maps",
	    "parent_domain_matches_subdomains", "debug_peer_list,"
	    "fast_flush_domains,mynetworks,permit_mx_backup_networks,"
	    "qmqpd_authorized_clients,relay_domains");
	relay_restrictions(p);
	param(p, "qmail's code: 553 sorry, that domain isn't in my list of "
	    "allowed rcpthosts (#5.7.1)", "relay_domains_reject_code", "553");
	param(p, "control/badrcptto and vpopmail BOUNCE_MAIL users",
	    "smtpd_recipient_restrictions",
	    "check_recipient_access hash:${config_directory}/recipient_access");
	param(p, "SMTP AUTH through Dovecot (the old host used vchkpw); "
	    "enabled on submission and smtps in master.cf", "smtpd_sasl_type",
	    "dovecot");
	param(p, "Dovecot's auth socket (service auth in dovecot.conf)",
	    "smtpd_sasl_path", "private/auth");
	param(p, "install the new host's certificate here",
	    "smtpd_tls_cert_file", "/etc/postfix/tls/cert.pem");
	param(p, "and its key", "smtpd_tls_key_file",
	    "/etc/postfix/tls/key.pem");
	param(p, "STARTTLS offered on port 25", "smtpd_tls_security_level",
	    "may");
	param(p, "and used when the next hop offers it",
	    "smtp_tls_security_level", "may");
}

/* pipes' recipient limit, SRS and DKIM wiring, the limits' lines */
static void
main_wiring(struct pf *p, const struct wopts *o)
{
	size_t i;

	for (i = 0; i < p->npipes; i++)
		pf_cat(p, &p->main, "# pipe programs see one recipient at a time, "
		    "as under qmail-local\nq2p-pipe%zu_destination_recipient_"
		    "limit = 1\n", i + 1);
	if (o->srs != NULL)
		pf_cat(p, &p->main, "# --- SRS for forwarded mail only (qmail2postfix "
		    "srs/README.md, \"Postfix wiring\")\n"
		    "# Senders outside our domains going to a remote "
		    "destination: the srsfwd pipe\n# (srs-forward re-injects "
		    "with an SRS0 sender in %s). Our users'\n# own mail, "
		    "local deliveries and bounces (<>) keep their sender.\n"
		    "sender_dependent_default_transport_maps = "
		    "regexp:${config_directory}/srs_transport\n"
		    "# Bounces to SRS addresses: reversed to the original "
		    "sender by srs-map\n# (srs/srs-map.service); smtpd checks "
		    "canonical maps at RCPT, so a forged\n# or expired SRS "
		    "address is refused. srs_reverse passes only SRS0/SRS1\n"
		    "# addresses in %s on to srs-map: other mail never waits "
		    "for it\n# and does not defer when it is down.\n"
		    "recipient_canonical_maps = pipemap:{regexp:"
		    "${config_directory}/srs_reverse, socketmap:inet:"
		    "127.0.0.1:%d:reverse}\n"
		    "recipient_canonical_classes = envelope_recipient\n",
		    o->srs->domain, o->srs->domain, o->srs->port);
	else
		pf_cat(p, &p->main, "# forwards leave with the original envelope "
		    "sender (--no-srs): see the report\n");
	if (o->dkim != NULL)
		pf_cat(p, &p->main, "# --- DKIM: OpenDKIM signs mail from our "
		    "domains (dkim/ in OUT, see the report)\n"
		    "smtpd_milters = " Q2P_DKIM_MILTER "\n"
		    "# local programs (sendmail) and srs-forward's re-injection; "
		    "OpenDKIM signs only\n# From: domains of its "
		    "SigningTable: forwarded mail from others is not signed\n"
		    "non_smtpd_milters = $smtpd_milters\n"
		    "# OpenDKIM down: mail goes on unsigned (tempfail would "
		    "defer all mail,\n# incoming too)\n"
		    "milter_default_action = accept\n"
		    "milter_protocol = 6\n");
	else
		pf_cat(p, &p->main, "# no DKIM signing (%s): see the report\n",
		    o->dkim_off ? "--no-dkim" : "no domain to sign for");
	if (p->lmain.len > 0)
		pf_cat(p, &p->main, "\n%s", p->lmain.buf);
}

void
pf_write_main(struct pf *p, const struct wopts *o)
{
	main_head(p);
	main_settings(p);
	main_domains(p);
	main_maps(p, o);
	main_wiring(p, o);
}
