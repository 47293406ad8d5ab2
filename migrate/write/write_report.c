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
#include <time.h>

#include "migrate/write/write_dovecot.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"

static void
src_text(struct wtext *r, struct src src)
{
	if (src.file == NULL) {
		wt_cat(r, "(unknown)");
		return;
	}
	wt_vis(r, src.file, 0);
	if (src.line != 0)
		wt_catf(r, ":%lu", src.line);
}

/* a section another writer filled (its text holds old-host bytes too):
 * each line visible, the newlines kept */
static void
rlines(struct wtext *r, const struct qstr *t)
{
	const char *p = qstr_str(t), *nl;

	for (; r->e == 0 && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		r->e = qstr_cat_vis(r->s, p, (size_t)(nl - p), 0);
		if (r->e == 0 && *nl == '\n')
			r->e = qstr_catc(r->s, '\n');
		if (*nl == '\0')
			break;
	}
}

/* "  FILE:LINE: what: reason\n      do: todo\n" */
static void
listed_text(struct wtext *r, const struct m_listed *li)
{
	wt_cat(r, "  ");
	src_text(r, li->src);
	wt_cat(r, ": ");
	wt_vis(r, li->what, 0);
	wt_cat(r, ": ");
	wt_vis(r, li->reason, 0);
	wt_cat(r, "\n      do: ");
	wt_vis(r, li->todo, 0);
	wt_cat(r, "\n");
}

/* the old and the new host */
static void
rep_hosts(struct wtext *r, const struct model *m,
    const struct wopts *o)
{
	wt_catf(r, "qmail2postfix migration report\n"
	    "==============================\n"
	    "Old host:  ");
	wt_vis(r, m->old_hostname ? m->old_hostname : "(no control/me)", 0);
	if (m->old_ip) {
		wt_cat(r, " ");
		wt_vis(r, m->old_ip, 0);
		wt_cat(r, " (");
		src_text(r, m->old_ip_src);
		wt_cat(r, ")");
	}
	wt_cat(r, "\nNew host:  ");
	wt_vis(r, m->new_hostname ? m->new_hostname : "(myhostname from "
	    "control/me; set --hostname)", 0);
	if (m->new_ip) {
		wt_cat(r, " ");
		wt_vis(r, m->new_ip, 0);
	}
	wt_catf(r, "\nvpopmail:  %s", m->qmail_ext ? "built with QMAIL_EXT "
	    "(--enable-qmail-ext): user-ext@dom went to user, through\n"
	    "           the user's .qmail-ext files" : "built without "
	    "QMAIL_EXT: user-ext@dom was an unknown user,\n"
	    "           left to the domain's .qmail-default");
	switch (m->qmail_ext_from) {
	case BUILD_HEADER:
		wt_cat(r, "\n           (");
		src_text(r, m->qmail_ext_src);
		wt_cat(r, m->qmail_ext ? ")" : ": no QMAIL_EXT)");
		break;
	case BUILD_OPTION:
		wt_cat(r, "\n           (--qmail-ext: the old host has no "
		    "vpopmail_config.h)");
		break;
	case BUILD_ASSUMED:
		wt_cat(r, "\n           (assumed: the old host has no "
		    "vpopmail_config.h and no --qmail-ext\n           was "
		    "given; check that user-ext routing is what it was)");
		break;
	}
	wt_cat(r, "\n");
	if (r->e == 0)
		r->e = writer_targets(r->s, "", o);
	wt_cat(r, "\n");
}

/* every item read: converted, listed or skipped, per category */
static void
rep_counts(struct wtext *r, const struct model *m)
{
	unsigned long tot[4] = { 0, 0, 0, 0 };
	int c;

	wt_catf(r, "Counts: every item read is converted, listed (not "
	    "converted, see below) or\nskipped (comments, blank lines).\n");
	if (m->climits.recommended)
		wt_catf(r, "A connection limit that had no effect on the old "
		    "host (a disabled service,\na value its run script read) "
		    "counts as converted: the new host has none either.\n");
	wt_catf(r, "  %-18s %8s %10s %8s %8s\n", "", "read", "converted",
	    "listed", "skipped");
	for (c = 0; c < CAT_N; c++) {
		const struct m_count *n = &m->count[c];

		wt_catf(r, "  %-18s %8lu %10lu %8lu %8lu\n",
		    model_cat_names[c], n->read, n->converted, n->listed,
		    n->skipped);
		tot[0] += n->read;
		tot[1] += n->converted;
		tot[2] += n->listed;
		tot[3] += n->skipped;
	}
	wt_catf(r, "  %-18s %8lu %10lu %8lu %8lu\n", "total", tot[0], tot[1],
	    tot[2], tot[3]);
	wt_catf(r, "  %s\n\n", model_counts_add_up(m) ?
	    "The counts add up." : "THE COUNTS DO NOT ADD UP: this is a bug "
	    "in qmail2postfix; do not use this output.");
}

/* the domains by kind, the first 200 with what unknown users get */
static void
rep_domains(struct wtext *r, const struct model *m)
{
	const struct m_domain *d;
	unsigned long nk[5] = { 0, 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < m->domains.n; i++)
		nk[((const struct m_domain *)m->domains.v)[i].kind]++;
	wt_catf(r, "Domains: %lu vpopmail, %lu alias, %lu backup MX (relay), "
	    "%lu local\n", nk[DOM_MAILBOX], nk[DOM_ALIAS], nk[DOM_RELAY],
	    nk[DOM_LOCAL]);
	for (i = 0; i < m->domains.n && i < 200; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		wt_cat(r, "  ");
		wt_vis(r, d->name, 28);
		wt_cat(r, " ");
		switch ((enum m_dom_kind)d->kind) {
		case DOM_MAILBOX:
			wt_catf(r, "%u mailboxes; unknown users: ",
			    d->nmailboxes);
			switch ((enum m_catchall)d->catchall) {
			case CATCH_NONE:
			case CATCH_BOUNCE:
				wt_cat(r, "bounced");
				break;
			case CATCH_DELETE:
				wt_cat(r, "deleted (discard)");
				break;
			case CATCH_FORWARD:
			case CATCH_MAILBOX:
				wt_cat(r, "go to ");
				wt_vis(r, d->catch_target, 0);
				break;
			case CATCH_RULES:
				wt_cat(r, "as the domain's .qmail-default");
				break;
			}
			break;
		case DOM_ALIAS:
			wt_cat(r, "alias of ");
			wt_vis(r, d->real, 0);
			break;
		case DOM_RELAY:
			wt_cat(r, "relayed (backup MX)");
			break;
		case DOM_LOCAL:
			wt_cat(r, "local (system users, ~alias)");
			break;
		}
		wt_cat(r, "\n");
	}
	if (m->domains.n > 200)
		wt_catf(r, "  ... and %zu more (migration.json lists all)\n",
		    m->domains.n - 200);
}

/* the mailboxes: hash schemes, quotas, vpopmail flags; returns how
 * many kept a cleartext password */
static unsigned long
rep_mailboxes(struct wtext *r, const struct model *m,
    const struct wopts *o)
{
	static const char *const schemes[] = { "des-crypt", "md5-crypt",
	    "sha256-crypt", "sha512-crypt", "bcrypt", "other", "none", "cut", NULL };
	const struct m_mailbox *mb;
	unsigned long nscheme[8] = { 0 }, nfl[5] = { 0, 0, 0, 0, 0 };
	unsigned long nclear = 0, nquota = 0;
	size_t i, k;

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
		if (mb->flags & VP_NO_WEBMAIL)
			nfl[4]++;
	}
	wt_catf(r, "\nMailboxes: %zu, Maildirs used in place; logins are "
	    "full addresses.\n  password hashes kept as they are:",
	    m->mailboxes.n);
	for (k = 0; schemes[k] != NULL; k++)
		if (nscheme[k])
			wt_catf(r, " %s %lu", schemes[k], nscheme[k]);
	if (nscheme[7])
		wt_catf(r, "\n  cut: %lu crypt hash(es) shorter than their scheme "
		    "writes (a pw_passwd column\n  too narrow for them): no "
		    "password matches them, on the old host either; set\n  "
		    "new passwords for these mailboxes (migration.json: "
		    "hash_scheme \"cut\")", nscheme[7]);
	wt_catf(r, "\n  quotas: %lu; NO_POP %lu, NO_IMAP %lu, NO_SMTP %lu "
	    "(Dovecot deny lists), BOUNCE_MAIL %lu (rejected)\n", nquota,
	    nfl[0], nfl[1], nfl[2], nfl[3]);
	if (o->sql != NULL)
		wt_catf(r, "  Users and routes in MariaDB (--userdb sql): database "
		    "%s as %s via %s %s%s%.0d;\n  load OUT/sql as its README "
		    "says (install loads nothing). The deny lists\n  and the "
		    "webmail rule are conditions of Dovecot's SQL password "
		    "query.\n", o->sql->dsn.dbname, o->sql->dsn.user,
		    o->sql->dsn.socket != NULL ? "socket" : "host",
		    o->sql->dsn.socket != NULL ? o->sql->dsn.socket :
		    o->sql->dsn.host, o->sql->dsn.socket != NULL ? "" : ":",
		    o->sql->dsn.socket != NULL ? 0 : o->sql->dsn.port);
	if (r->e == 0)
		r->e = dc_namespace_report(m, r->s);
	wt_cat(r, "  The mail: qmail2postfix sync OUT --root OLD copies the "
	    "Maildirs to the homes\n  in dovecot/users, owned by their uid "
	    "and gid, and keeps courier-imap's UIDs,\n  keywords and "
	    "subscriptions and the POP3 UIDLs clients saw. Order of the\n  "
	    "switch: sync (as often as needed), stop qmail, sync --final, "
	    "requeue,\n  switch DNS.\n");
	wt_catf(r, "  vchkpw's webmail rule kept: POP3 and IMAP logins "
	    "from 127.0.0.1 refuse the\n  %lu NO_WEBMAIL users and "
	    "admit NO_POP/NO_IMAP users (deny.webmail)\n", nfl[4]);
	if (nscheme[6])
		wt_catf(r, "  %lu mailboxes had no password: they still "
		    "cannot log in\n", nscheme[6]);
	if (o->dovecot_ver == 24 && nscheme[0] + nscheme[1] > 0)
		wt_catf(r, "  %lu users still have a DES or MD5-crypt hash. "
		    "Dovecot 2.4 refuses these weak\n  schemes unless "
		    "allowed: every login of those users fails, and the "
		    "client\n  sees a temporary failure, not a wrong "
		    "password. dovecot.conf allows them\n  "
		    "(auth_allow_weak_schemes = yes); re-hash each password "
		    "when its user next\n  logs in, then remove that line.\n",
		    nscheme[0] + nscheme[1]);
	return nclear;
}

/* a time stamp of the old host, UTC */
static void
rep_time(struct wtext *r, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[32];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) == 0)
		wt_catf(r, "@%lld", t);
	else
		wt_cat(r, buf);
}

/* vpopmail's MySQL backend: where the users came from; lastauth's last
 * logins, and the accounts nobody used for a year */
static void
rep_userdb(struct wtext *r, const struct model *m)
{
	const long long year = 365LL * 24 * 3600;
	const struct m_mailbox *mb;
	unsigned long unused = 0;
	size_t i;
	int pass;

	if (m->userdb == NULL)
		return;
	wt_catf(r, "\nOld user database: vpopmail's MySQL backend, %s\n  "
	    "server ", m->userdb_layout);
	wt_vis(r, m->userdb_where, 0);	/* vpopmail.mysql's host */
	wt_cat(r, " (");
	src_text(r, m->userdb_src);
	wt_catf(r, "); read only, SELECT only\n  cleartext passwords that "
	    "do not open their hash (not kept): %lu\n", m->clear_unverified);
	if (m->nlastauth == 0)
		return;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			wt_catf(r, "\nLast logins (vpopmail's lastauth), %lu "
			    "mailboxes: time (UTC), from\n", m->nlastauth);
		else {
			wt_catf(r, "\nAccounts unused for a year (no login "
			    "since ");
			rep_time(r, m->now - year);
			wt_catf(r, "): %lu\n", unused);
		}
		for (i = 0; i < m->mailboxes.n; i++) {
			mb = &((const struct m_mailbox *)m->mailboxes.v)[i];
			if (mb->last_from == NULL)
				continue;
			if (pass == 0 && mb->last_login < m->now - year)
				unused++;
			if (pass == 1 && mb->last_login >= m->now - year)
				continue;
			wt_cat(r, "  ");
			wt_vis(r, mb->local, 0);
			wt_cat(r, "@");
			wt_vis(r, mb->domain, 0);
			wt_cat(r, "  ");
			rep_time(r, mb->last_login);
			/* vadduser writes 0.0.0.0 and the creation time */
			if (strcmp(mb->last_from, "0.0.0.0") == 0)
				wt_cat(r, "  never logged in (created then)");
			else {
				wt_cat(r, "  from ");
				wt_vis(r, mb->last_from, 0);
			}
			wt_cat(r, "\n");
		}
	}
}

/* what the delivery rules do: forwards, programs, discards, bounces */
static void
rep_routing(struct wtext *r, const struct model *m, const struct wopts *o)
{
	const struct m_rule *ru;
	unsigned long nfwd = 0, nremote = 0, npipe = 0, ndiscard = 0,
	    nbounce = 0;
	size_t i;

	for (i = 0; i < m->rules.n; i++) {
		ru = &((const struct m_rule *)m->rules.v)[i];
		switch ((enum m_dest)ru->dest) {
		case DEST_FORWARD:
			nfwd++;
			if (writer_is_remote(m, ru->value))
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
	wt_catf(r, "\nRouting: %lu forward targets (%lu to other hosts), "
	    "%lu programs, %lu discards, %lu bounces\n", nfwd, nremote, npipe,
	    ndiscard, nbounce);
	if (nremote > 0)
		wt_catf(r, "  Forwards to other hosts: %s\n  (see "
		    "\"Forwarded mail and SRS\" below)\n",
		    o->srs != NULL ? "an SRS envelope sender" :
		    "the ORIGINAL envelope sender, no SRS");
	if (npipe > 0)
		wt_catf(r, "  A .qmail file with programs runs whole, in file "
		    "order, through q2p-dotqmail\n  (q2p-pipeN in master.cf) "
		    "as the old user, with qmail-local's environment;\n  exit "
		    "99 skips the remaining lines, 111 now defers (75).\n  "
		    "Create the user(s) and the files' directories on the new "
		    "host and check\n  each program exists there.\n");
	if (m->doublebounceto) {
		wt_cat(r, "  Double bounces go to ");
		wt_vis(r, m->doublebounceto, 0);
		wt_cat(r, " (notify_classes 2bounce)\n");
	}
}

/* the SRS and DKIM sections, as their READMEs say them */
static void
rep_srs_dkim(struct wtext *r, const struct model *m,
    const struct wopts *o, struct qstr *sec)
{
	wt_catf(r, "\nForwarded mail and SRS (srs/README in this directory "
	    "says the same):\n");
	if (r->e == 0 && (r->e = write_srs_text(m, o, sec)) == 0)
		rlines(r, sec);
	qstr_reset(sec);

	wt_catf(r, "\nDKIM signing (dkim/README in this directory says the "
	    "same):\n");
	if (r->e == 0 && (r->e = write_dkim_text(m, o, sec)) == 0)
		rlines(r, sec);
	qstr_reset(sec);
}

/* control/concurrency* and the main.cf settings of control files */
static void
rep_settings(struct wtext *r, const struct model *m)
{
	const struct m_setting *st;
	const struct m_limit *l;
	size_t i;

	wt_catf(r, "\nProcess limits from control/concurrency* (master.cf; "
	    "the listeners' own limits\nare under \"Connection limits and "
	    "timeouts\" below and win over\nconcurrencyincoming, which only "
	    "a run script read):\n");
	if (m->limits.n == 0)
		wt_cat(r, "  none set on the old host: Postfix defaults\n");
	for (i = 0; i < m->limits.n; i++) {
		l = &((const struct m_limit *)m->limits.v)[i];
		wt_catf(r, "  %-12s %-14s %6lld  (", l->service, l->setting,
		    l->value);
		wt_vis(r, l->old, 0);
		wt_cat(r, ", ");
		src_text(r, l->src);
		wt_cat(r, ")\n");
	}

	wt_cat(r, "\nSettings from control files (main.cf):\n");
	for (i = 0; i < m->settings.n; i++) {
		st = &((const struct m_setting *)m->settings.v)[i];
		wt_catf(r, "  %s = ", st->param);
		wt_vis(r, st->value, 0);
		wt_cat(r, "  (");
		if (st->src.file == NULL && st->from != NULL)
			wt_vis(r, st->from, 0);	/* an option: --helo */
		else
			src_text(r, st->src);
		wt_cat(r, ")\n");
	}
}

/* the items not converted, the notes, what to do next */
static void
rep_todo(struct wtext *r, const struct model *m, const struct wopts *o)
{
	size_t i;

	wt_catf(r, "\nNot converted (%zu): each needs a decision by hand.\n",
	    m->listed.n);
	for (i = 0; i < m->listed.n; i++) {
		listed_text(r, &((const struct m_listed *)m->listed.v)[i]);
	}
	wt_catf(r, "\nNotes (%zu): converted, but not exactly.\n",
	    m->notes.n);
	for (i = 0; i < m->notes.n; i++) {
		listed_text(r, &((const struct m_listed *)m->notes.v)[i]);
	}
	wt_catf(r, "\nNext: qmail2postfix install OUT (postmap, postfix "
	    "check, doveconf -n, dated\nbackups), or qmail2postfix rehearse "
	    "OUT first.\n");
	if (o->srs != NULL || o->dkim != NULL)
		wt_catf(r, "install copies postfix/ and dovecot/ only: "
		    "install %s%s%s by hand as the\nsections above say.\n",
		    o->srs != NULL ? "srs/" : "", o->srs != NULL &&
		    o->dkim != NULL ? " and " : "", o->dkim != NULL ? "dkim/" :
		    "");
}

int
write_report(const struct model *m, const struct wopts *o, struct qstr *s)
{
	struct wtext rr = { s, 0 }, *r = &rr;
	struct qstr sec = QSTR_INIT(s->max);
	unsigned long nclear;

	rep_hosts(r, m, o);
	rep_counts(r, m);
	rep_domains(r, m);
	nclear = rep_mailboxes(r, m, o);
	rep_userdb(r, m);
	rep_routing(r, m, o);
	rep_srs_dkim(r, m, o, &sec);
	wt_catf(r, "\nSMTP AUTH: the old host's qmail-smtpd with vchkpw "
	    "usually offered LOGIN, PLAIN\n  and CRAM-MD5; CRAM-MD5 needs the "
	    "cleartext, kept for %lu of %zu mailboxes.\n  The new host offers "
	    "PLAIN and LOGIN over TLS on submission (587, STARTTLS)\n  and "
	    "smtps (465, wrapper mode) through Dovecot SASL; no CRAM-MD5: the "
	    "crypt\n  hashes cannot answer it. Clients set to CRAM-MD5 must "
	    "switch to PLAIN over TLS.\n", nclear, m->mailboxes.n);
	rep_settings(r, m);
	if (m->climits.recommended) {
		wt_cat(r, "\n");
		if (r->e == 0 && (r->e = limits_report(&m->climits, &sec)) == 0)
			rlines(r, &sec);
		qstr_reset(&sec);
	}
	rep_todo(r, m, o);
	qstr_free(&sec);
	if (r->e < 0)
		return r->e;
	return writer_file(o, "migration-report.txt", s, QPM_MODE_PUBLIC);
}
