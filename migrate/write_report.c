/*
 * NAME		write_report - OUT/migration-report.txt for the admin
 * DOES		counts that add up (read = converted + listed + skipped),
 *		domains, mailboxes, forwards, SMTP AUTH, process limits,
 *		settings, the connection limits section (limits_report),
 *		then every listed item with file:line, reason and what to do
 * NEVER	prints a hash or a cleartext password
 */
#include <config.h>

#include <string.h>

#include "migrate/writers.h"
#include "util/err.h"
#include "util/file.h"

static void
src_text(struct qstr *s, struct src src)
{
	if (src.file == NULL)
		qstr_cat(s, "(unknown)");
	else if (src.line == 0)
		qstr_cat(s, src.file);
	else
		qstr_catf(s, "%s:%lu", src.file, src.line);
}

int
write_report(const struct model *m, const struct wopts *o, struct qstr *s)
{
	const struct m_domain *d;
	const struct m_mailbox *mb;
	const struct m_rule *r;
	const struct m_setting *st;
	const struct m_limit *l;
	const struct m_listed *li;
	unsigned long tot[4] = { 0, 0, 0, 0 };
	unsigned long nk[5] = { 0, 0, 0, 0, 0 }, nfl[4] = { 0, 0, 0, 0 };
	unsigned long nclear = 0, nquota = 0, nfwd = 0, nremote = 0,
	    npipe = 0, ndiscard = 0, nbounce = 0;
	static const char *const schemes[] = { "des-crypt", "md5-crypt",
	    "sha256-crypt", "sha512-crypt", "bcrypt", "other", "none", NULL };
	unsigned long nscheme[7] = { 0 };
	size_t i, k;
	int c;

	qstr_catf(s, "qmail2postfix migration report\n"
	    "==============================\n"
	    "Old host:  %s", m->old_hostname ? m->old_hostname :
	    "(no control/me)");
	if (m->old_ip) {
		qstr_catf(s, " %s (", m->old_ip);
		src_text(s, m->old_ip_src);
		qstr_cat(s, ")");
	}
	qstr_catf(s, "\nNew host:  %s%s%s\n\n",
	    m->new_hostname ? m->new_hostname : "(myhostname from control/me; "
	    "set --hostname)", m->new_ip ? " " : "", m->new_ip ? m->new_ip : "");

	qstr_cat(s, "Counts: every item read is converted, listed (not "
	    "converted, see below) or\nskipped (comments, blank lines).\n");
	if (o->limits != NULL)
		qstr_cat(s, "A connection limit that had no effect on the old "
		    "host (a disabled service,\na value its run script read) "
		    "counts as converted: the new host has none either.\n");
	qstr_catf(s, "  %-18s %8s %10s %8s %8s\n", "", "read", "converted",
	    "listed", "skipped");
	for (c = 0; c < CAT_N; c++) {
		const struct m_count *n = &m->count[c];

		qstr_catf(s, "  %-18s %8lu %10lu %8lu %8lu\n",
		    model_cat_names[c], n->read, n->converted, n->listed,
		    n->skipped);
		tot[0] += n->read;
		tot[1] += n->converted;
		tot[2] += n->listed;
		tot[3] += n->skipped;
	}
	qstr_catf(s, "  %-18s %8lu %10lu %8lu %8lu\n", "total", tot[0], tot[1],
	    tot[2], tot[3]);
	qstr_catf(s, "  %s\n\n", model_counts_add_up(m) ?
	    "The counts add up." : "THE COUNTS DO NOT ADD UP: this is a bug "
	    "in qmail2postfix; do not use this output.");

	for (i = 0; i < m->domains.n; i++)
		nk[((const struct m_domain *)m->domains.v)[i].kind]++;
	qstr_catf(s, "Domains: %lu vpopmail, %lu alias, %lu backup MX (relay), "
	    "%lu local\n", nk[DOM_MAILBOX], nk[DOM_ALIAS], nk[DOM_RELAY],
	    nk[DOM_LOCAL]);
	for (i = 0; i < m->domains.n && i < 200; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		qstr_catf(s, "  %-28s ", d->name);
		switch ((enum m_dom_kind)d->kind) {
		case DOM_MAILBOX:
			qstr_catf(s, "%u mailboxes; unknown users: ",
			    d->nmailboxes);
			switch ((enum m_catchall)d->catchall) {
			case CATCH_NONE:
			case CATCH_BOUNCE:
				qstr_cat(s, "bounced");
				break;
			case CATCH_DELETE:
				qstr_cat(s, "deleted (discard)");
				break;
			case CATCH_FORWARD:
			case CATCH_MAILBOX:
				qstr_catf(s, "go to %s", d->catch_target);
				break;
			case CATCH_RULES:
				qstr_cat(s, "as the domain's .qmail-default");
				break;
			}
			break;
		case DOM_ALIAS:
			qstr_catf(s, "alias of %s", d->real);
			break;
		case DOM_RELAY:
			qstr_cat(s, "relayed (backup MX)");
			break;
		case DOM_LOCAL:
			qstr_cat(s, "local (system users, ~alias)");
			break;
		}
		qstr_cat(s, "\n");
	}
	if (m->domains.n > 200)
		qstr_catf(s, "  ... and %zu more (migration.json lists all)\n",
		    m->domains.n - 200);

	for (i = 0; i < m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)m->mailboxes.v)[i];
		for (k = 0; schemes[k] != NULL; k++)
			if (strcmp(schemes[k], write_hash_scheme(mb->hash)) == 0)
				nscheme[k]++;
		if (mb->clear)
			nclear++;
		if (mb->quota_bytes >= 0 || mb->quota_count >= 0)
			nquota++;
		if (mb->flags & VP_NO_POP)
			nfl[0]++;
		if (mb->flags & VP_NO_IMAP)
			nfl[1]++;
		if (mb->flags & VP_NO_SMTP)
			nfl[2]++;
		if (mb->flags & VP_BOUNCE_MAIL)
			nfl[3]++;
	}
	qstr_catf(s, "\nMailboxes: %zu, Maildirs used in place; logins are "
	    "full addresses.\n  password hashes kept as they are:",
	    m->mailboxes.n);
	for (k = 0; schemes[k] != NULL; k++)
		if (nscheme[k])
			qstr_catf(s, " %s %lu", schemes[k], nscheme[k]);
	qstr_catf(s, "\n  quotas: %lu; NO_POP %lu, NO_IMAP %lu, NO_SMTP %lu "
	    "(Dovecot deny lists), BOUNCE_MAIL %lu (rejected)\n", nquota,
	    nfl[0], nfl[1], nfl[2], nfl[3]);
	if (nscheme[6])
		qstr_catf(s, "  %lu mailboxes had no password: they still "
		    "cannot log in\n", nscheme[6]);

	for (i = 0; i < m->rules.n; i++) {
		r = &((const struct m_rule *)m->rules.v)[i];
		switch ((enum m_dest)r->dest) {
		case DEST_FORWARD:
			nfwd++;
			if (writer_is_remote(m, r->value))
				nremote++;
			break;
		case DEST_PIPE:
			npipe++;
			break;
		case DEST_DISCARD:
			ndiscard++;
			break;
		case DEST_BOUNCE:
			nbounce++;
			break;
		case DEST_MAILBOX:
			break;
		}
	}
	qstr_catf(s, "\nRouting: %lu forward targets (%lu to other hosts), "
	    "%lu programs, %lu discards, %lu bounces\n", nfwd, nremote, npipe,
	    ndiscard, nbounce);
	if (nremote > 0)
		qstr_catf(s, "  Forwards to other hosts: %s\n  (see "
		    "\"Forwarded mail and SRS\" below)\n",
		    o->srs != NULL ? "an SRS envelope sender" :
		    "the ORIGINAL envelope sender, no SRS");
	if (npipe > 0)
		qstr_cat(s, "  Programs run through pipe(8) services "
		    "(q2p-pipeN in master.cf) as the old user,\n  with "
		    "qmail's SENDER, RECIPIENT, LOCAL, HOST, EXT, DEFAULT; exit "
		    "111 now defers (75).\n  Create the user(s) on the new "
		    "host and check each program exists there.\n");
	if (m->doublebounceto)
		qstr_catf(s, "  Double bounces go to %s (notify_classes 2bounce)"
		    "\n", m->doublebounceto);

	qstr_cat(s, "\nForwarded mail and SRS (srs/README in this directory "
	    "says the same):\n");
	if (write_srs_text(m, o, s) < 0)
		return QPM_ENOMEM;

	qstr_cat(s, "\nDKIM signing (dkim/README in this directory says the "
	    "same):\n");
	if (write_dkim_text(m, o, s) < 0)
		return QPM_ENOMEM;

	qstr_catf(s, "\nSMTP AUTH: the old host's qmail-smtpd with vchkpw "
	    "usually offered LOGIN, PLAIN\n  and CRAM-MD5; CRAM-MD5 needs the "
	    "cleartext, kept for %lu of %zu mailboxes.\n  The new host offers "
	    "PLAIN and LOGIN over TLS on submission (587, STARTTLS)\n  and "
	    "smtps (465, wrapper mode) through Dovecot SASL; no CRAM-MD5: the "
	    "crypt\n  hashes cannot answer it. Clients set to CRAM-MD5 must "
	    "switch to PLAIN over TLS.\n", nclear, m->mailboxes.n);

	qstr_cat(s, "\nProcess limits from control/concurrency* (master.cf; "
	    "the listeners' own limits\nare under \"Connection limits and "
	    "timeouts\" below and win over\nconcurrencyincoming, which only "
	    "a run script read):\n");
	if (m->limits.n == 0)
		qstr_cat(s, "  none set on the old host: Postfix defaults\n");
	for (i = 0; i < m->limits.n; i++) {
		l = &((const struct m_limit *)m->limits.v)[i];
		qstr_catf(s, "  %-12s %-14s %6lld  (%s, ", l->service,
		    l->setting, l->value, l->old ? l->old : "");
		src_text(s, l->src);
		qstr_cat(s, ")\n");
	}

	qstr_cat(s, "\nSettings from control files (main.cf):\n");
	for (i = 0; i < m->settings.n; i++) {
		st = &((const struct m_setting *)m->settings.v)[i];
		qstr_catf(s, "  %s = %s  (", st->param, st->value);
		if (st->src.file == NULL && st->from != NULL)
			qstr_cat(s, st->from);	/* an option: --helo */
		else
			src_text(s, st->src);
		qstr_cat(s, ")\n");
	}

	if (o->limits != NULL) {
		qstr_cat(s, "\n");
		if (limits_report(o->limits, s) < 0)
			return QPM_ENOMEM;
	}

	qstr_catf(s, "\nNot converted (%zu): each needs a decision by hand.\n",
	    m->listed.n);
	for (i = 0; i < m->listed.n; i++) {
		li = &((const struct m_listed *)m->listed.v)[i];
		qstr_cat(s, "  ");
		src_text(s, li->src);
		qstr_catf(s, ": %s: %s\n      do: %s\n", li->what, li->reason,
		    li->todo);
	}
	qstr_catf(s, "\nNotes (%zu): converted, but not exactly.\n",
	    m->notes.n);
	for (i = 0; i < m->notes.n; i++) {
		li = &((const struct m_listed *)m->notes.v)[i];
		qstr_cat(s, "  ");
		src_text(s, li->src);
		qstr_catf(s, ": %s: %s\n      do: %s\n", li->what, li->reason,
		    li->todo);
	}
	qstr_cat(s, "\nNext: qmail2postfix install OUT (postmap, postfix "
	    "check, doveconf -n, dated\nbackups), or qmail2postfix rehearse "
	    "OUT first.\n");
	if (o->srs != NULL || o->dkim != NULL)
		qstr_catf(s, "install copies postfix/ and dovecot/ only: "
		    "install %s%s%s by hand as the\nsections above say.\n",
		    o->srs != NULL ? "srs/" : "", o->srs != NULL &&
		    o->dkim != NULL ? " and " : "", o->dkim != NULL ? "dkim/" :
		    "");
	return writer_file(o, "migration-report.txt", s, QPM_MODE_PUBLIC);
}
