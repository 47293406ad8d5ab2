/*
 * NAME		write_json - OUT/migration.json, the model with provenance
 * DOES		streams the model as JSON (schema: migration.json(5)) into
 *		one buffer, then one atomic write; keys in a fixed order so
 *		the file diffs cleanly
 * NEVER	writes a password hash or a cleartext password (only which
 *		scheme, and whether a cleartext was kept)
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/json.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"

#define BIG	((size_t)1 << 34)

struct js {
	struct qstr	s;
	int		err;
};

static void
put(struct js *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct js *j, const char *fmt, ...)
{
	va_list ap;
	int e;

	va_start(ap, fmt);
	e = qstr_vcatf(&j->s, fmt, ap);
	va_end(ap);
	if (e < 0)
		j->err = e;
}

static void
str(struct js *j, const char *t)
{
	const unsigned char *p;
	int e = 0;

	if (t == NULL) {
		put(j, "null");
		return;
	}
	for (p = (const unsigned char *)t; *p != '\0' && *p < 0x80; p++)
		;
	if (*p != '\0') {
		/* UTF-8 as \uXXXX; other bytes as qstr_cat_vis renders
		 * them (migration.json(5)): never a byte jansson, or a
		 * reader of the file, would refuse */
		json_t *v = qpm_json_string(t);
		char *d = v != NULL ? json_dumps(v, JSON_ENCODE_ANY |
		    JSON_ENSURE_ASCII) : NULL;

		e = d != NULL ? qstr_cat(&j->s, d) : QPM_ENOMEM;
		free(d);
		json_decref(v);
		if (e < 0)
			j->err = e;
		return;
	}
	e = qstr_catc(&j->s, '"');
	for (p = (const unsigned char *)t; *p && e == 0; p++) {
		if (*p == '"' || *p == '\\')
			e = qstr_catf(&j->s, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			e = qstr_catf(&j->s, "\\u%04x", *p);
		else
			e = qstr_catc(&j->s, (char)*p);
	}
	if (e == 0)
		e = qstr_catc(&j->s, '"');
	if (e < 0)
		j->err = e;
}

static void
key(struct js *j, const char *k, int first)
{
	put(j, "%s\"%s\": ", first ? "" : ", ", k);
}

static void
srcv(struct js *j, struct src src)
{
	if (src.file == NULL)
		put(j, "null");
	else if (src.line == 0)
		str(j, src.file);
	else {
		char buf[32];

		put(j, "\"");
		{
			/* the file name escaped, then :line */
			struct js t = { QSTR_INIT(BIG), 0 };

			str(&t, src.file);
			if (t.err < 0)
				j->err = t.err;
			else if (t.s.len >= 2 && (t.err = qstr_catn(&j->s,
			    t.s.buf + 1, t.s.len - 2)) < 0)
				j->err = t.err;
			qstr_free(&t.s);
		}
		snprintf(buf, sizeof(buf), ":%lu\"", src.line);
		put(j, "%s", buf);
	}
}

static const char *
kind_name(unsigned char k)
{
	switch ((enum m_dom_kind)k) {
	case DOM_MAILBOX: return "mailbox";
	case DOM_ALIAS: return "alias";
	case DOM_RELAY: return "relay";
	case DOM_LOCAL: return "local";
	}
	return "?";
}

static const char *
catch_name(unsigned char c)
{
	switch ((enum m_catchall)c) {
	case CATCH_NONE: return "bounce";
	case CATCH_BOUNCE: return "bounce";
	case CATCH_DELETE: return "delete";
	case CATCH_FORWARD: return "forward";
	case CATCH_MAILBOX: return "mailbox";
	case CATCH_RULES: return "rules";
	}
	return "?";
}

const char *
write_hash_scheme(const char *h)
{
	if (h[0] == '\0')
		return "none";
	if (strncmp(h, "$1$", 3) == 0)
		return "md5-crypt";
	if (strncmp(h, "$5$", 3) == 0)
		return "sha256-crypt";
	if (strncmp(h, "$6$", 3) == 0)
		return "sha512-crypt";
	if (strncmp(h, "$2", 2) == 0)
		return "bcrypt";
	if (strlen(h) == 13 && h[0] != '$')
		return "des-crypt";
	return "other";
}

static void
addr_of(struct js *j, const struct m_rule *r)
{
	char *a = NULL;
	size_t n;

	switch ((enum m_key)r->key) {
	case KEY_ADDRESS:
		n = strlen(r->local) + strlen(r->domain) + 2;
		if ((a = malloc(n)) != NULL)
			snprintf(a, n, "%s@%s", r->local, r->domain);
		break;
	case KEY_PREFIX:
		n = strlen(r->local) + strlen(r->domain) + 3;
		if ((a = malloc(n)) != NULL)
			snprintf(a, n, "%s*@%s", r->local, r->domain);
		break;
	case KEY_CATCHALL:
		n = strlen(r->domain) + 2;
		if ((a = malloc(n)) != NULL)
			snprintf(a, n, "@%s", r->domain);
		break;
	}
	str(j, a);
	free(a);
}

static const char *
match_name(unsigned char k)
{
	return k == KEY_ADDRESS ? "exact" : k == KEY_PREFIX ? "prefix" :
	    "catchall";
}

static const char *
origin_name(unsigned char o)
{
	switch ((enum m_origin)o) {
	case ORIG_DOMAIN: return "domain .qmail";
	case ORIG_USER: return "user .qmail";
	case ORIG_DEFAULT: return "domain .qmail-default";
	case ORIG_ALIAS: return "~alias";
	case ORIG_ALIASDOM: return "alias domain";
	}
	return "?";
}

static int
same_group(const struct m_rule *a, const struct m_rule *b)
{
	return a->key == b->key && a->origin == b->origin &&
	    strcmp(a->local, b->local) == 0 &&
	    strcmp(a->domain, b->domain) == 0 && a->src.file == b->src.file;
}

/* forwards (any remote target) and aliases (all targets here) */
static void
routes(struct js *j, const struct model *m, int want_forwards)
{
	const struct m_rule *r, *q;
	size_t i, k, n, nout = 0;
	int remote, deliv, first;

	for (i = 0; i < m->rules.n; i += n) {
		r = &((const struct m_rule *)m->rules.v)[i];
		for (n = 1; i + n < m->rules.n &&
		    same_group(r, &((const struct m_rule *)m->rules.v)[i + n]);
		    n++)
			;
		remote = deliv = 0;
		for (k = 0; k < n; k++) {
			q = r + k;
			if (q->dest == DEST_FORWARD || q->dest == DEST_MAILBOX)
				deliv++;
			if (q->dest == DEST_FORWARD &&
			    writer_is_remote(m, q->value))
				remote++;
		}
		if (deliv == 0 || (want_forwards ? remote == 0 : remote > 0))
			continue;
		put(j, "%s\n    {", nout++ ? "," : "");
		key(j, "address", 1);
		addr_of(j, r);
		key(j, "match", 0);
		str(j, match_name(r->key));
		key(j, "origin", 0);
		str(j, origin_name(r->origin));
		key(j, "targets", 0);
		put(j, "[");
		first = 1;
		for (k = 0; k < n; k++) {
			q = r + k;
			if (q->dest != DEST_FORWARD && q->dest != DEST_MAILBOX)
				continue;
			put(j, "%s", first ? "" : ", ");
			str(j, q->value);
			first = 0;
		}
		put(j, "]");
		if (want_forwards) {
			key(j, "remote_targets", 0);
			put(j, "[");
			first = 1;
			for (k = 0; k < n; k++) {
				q = r + k;
				if (q->dest != DEST_FORWARD ||
				    !writer_is_remote(m, q->value))
					continue;
				put(j, "%s", first ? "" : ", ");
				str(j, q->value);
				first = 0;
			}
			put(j, "]");
			/* keep a copy: a mailbox here among the targets */
			key(j, "keep_copy", 0);
			put(j, "%s", deliv > remote ? "true" : "false");
			key(j, "srs", 0);
			put(j, "%s", m->srs_domain ? "true" : "false");
		}
		key(j, "source", 0);
		srcv(j, r->src);
		key(j, "lines", 0);
		put(j, "[");
		for (k = 0; k < n; k++)
			put(j, "%s%lu", k ? ", " : "", r[k].src.line);
		put(j, "]}");
	}
	if (nout)
		put(j, "\n  ");
}

static size_t
by_dest(struct js *j, const struct model *m, enum m_dest dest)
{
	const struct m_rule *r;
	size_t i, nout = 0;

	for (i = 0; i < m->rules.n; i++) {
		r = &((const struct m_rule *)m->rules.v)[i];
		if (r->dest != dest)
			continue;
		put(j, "%s\n    {", nout++ ? "," : "");
		key(j, "address", 1);
		addr_of(j, r);
		key(j, "match", 0);
		str(j, match_name(r->key));
		if (dest == DEST_PIPE) {
			key(j, "command", 0);
			str(j, r->value);
			key(j, "user", 0);
			str(j, r->user);
		} else if (dest == DEST_BOUNCE) {
			key(j, "text", 0);
			str(j, r->value);
		}
		key(j, "source", 0);
		srcv(j, r->src);
		put(j, "}");
	}
	return nout;
}

/* control/badrcptto (and badmailto): refused at RCPT before any routing,
 * so they are bounces whatever a .qmail or catch-all would have done.
 * "@host" refuses every address at host: match "domain".  nout: the
 * bounces already written; returns the new total. */
static size_t
badrcptto(struct js *j, const struct model *m, size_t nout)
{
	const struct m_entry *e;
	struct qstr a;
	size_t i;

	for (i = 0; i < m->entries.n; i++) {
		e = &((const struct m_entry *)m->entries.v)[i];
		if (e->table != TBL_RCPT_ACCESS)
			continue;
		put(j, "%s\n    {", nout++ ? "," : "");
		key(j, "address", 1);
		qstr_init(&a, QPM_MAX_ADDRESS + 2);
		if (qstr_catf(&a, "%s%s", strchr(e->key, '@') ? "" : "@",
		    e->key) < 0)
			j->err = QPM_ERANGE;
		str(j, qstr_str(&a));
		qstr_free(&a);
		key(j, "match", 0);
		str(j, strchr(e->key, '@') ? "exact" : "domain");
		key(j, "text", 0);
		str(j, "refused at RCPT by badrcptto");
		key(j, "source", 0);
		srcv(j, e->src);
		put(j, "}");
	}
	return nout;
}

/* "srs": what forwards get and what must be installed; the secret's
 * installed path, never the secret */
static void
srs_object(struct js *j, const struct wopts *o)
{
	const struct srs_wire *w = o->srs;
	struct qstr t;
	char buf[64];

	put(j, "{");
	key(j, "wired", 1);
	put(j, "%s", w != NULL ? "true" : "false");
	key(j, "domain", 0);
	str(j, w != NULL ? w->domain : NULL);
	if (w == NULL) {
		put(j, "}");
		return;
	}
	key(j, "transport", 0);
	str(j, Q2P_SRS_SERVICE);
	key(j, "transport_map", 0);
	str(j, "regexp:${config_directory}/srs_transport");
	key(j, "forwarder", 0);
	qstr_init(&t, QPM_MAX_PATH * 16);
	if (qstr_catf(&t, "%s/srs-forward", w->bindir) < 0)
		j->err = QPM_ERANGE;
	str(j, qstr_str(&t));
	qstr_free(&t);
	key(j, "socket", 0);
	snprintf(buf, sizeof(buf), "inet:127.0.0.1:%d", w->port);
	str(j, buf);
	key(j, "reverse_map", 0);
	put(j, "\"pipemap:{regexp:${config_directory}/srs_reverse, "
	    "socketmap:%s:reverse}\"", buf);
	key(j, "service", 0);
	str(j, "srs/srs-map.service");
	key(j, "user", 0);
	str(j, Q2P_SRS_SERVICE);
	key(j, "secret_file", 0);
	str(j, w->secret);
	put(j, "}");
}

/* Where postmaster@domain goes on the new host, as the old one did. */
static void
postmasters(struct js *j, const struct model *m)
{
	const struct m_domain *d;
	const struct m_rule *r;
	const struct m_mailbox *mb;
	size_t i, k, nout = 0;
	int found;

	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (d->kind == DOM_RELAY)
			continue;
		put(j, "%s\n      {", nout++ ? "," : "");
		key(j, "domain", 1);
		str(j, d->name);
		found = 0;
		for (k = 0; k < m->rules.n && !found; k++) {
			r = &((const struct m_rule *)m->rules.v)[k];
			if (r->local[0] != 'p')
				continue;
			if (r->key == KEY_ADDRESS &&
			    strcmp(r->local, "postmaster") == 0 &&
			    strcmp(r->domain, d->name) == 0) {
				key(j, "routes_to", 0);
				str(j, r->dest == DEST_MAILBOX ||
				    r->dest == DEST_FORWARD ? r->value :
				    "(program or discard)");
				key(j, "source", 0);
				srcv(j, r->src);
				found = 1;
			}
		}
		if (!found && d->kind == DOM_ALIAS) {
			key(j, "routes_to", 0);
			put(j, "\"postmaster@%s\"", d->real);
			key(j, "source", 0);
			srcv(j, d->src);
			found = 1;
		}
		if (!found && (mb = model_mailbox((struct model *)m,
		    "postmaster", d->name)) != NULL) {
			key(j, "routes_to", 0);
			put(j, "\"postmaster@%s\"", d->name);
			key(j, "source", 0);
			srcv(j, mb->src);
			found = 1;
		}
		if (!found && d->catch_target != NULL) {
			key(j, "routes_to", 0);
			str(j, d->catch_target);
			key(j, "source", 0);
			srcv(j, d->catch_src);
			found = 1;
		}
		if (!found) {
			key(j, "routes_to", 0);
			put(j, "null");
			key(j, "source", 0);
			put(j, "null");
		}
		put(j, "}");
	}
	if (nout)
		put(j, "\n    ");
}

static json_t *
src_json(const struct model *m, struct src src)
{
	if (src.file == NULL)
		return json_null();
	if (src.line == 0)
		return qpm_json_string(src.file);
	return qpm_json_string(model_printf((struct model *)m, "%s:%lu",
	    src.file, src.line));
}

/* The "limits" object: limits_json() of the module (items, settings
 * with the before/after values, logs with the per-hour series, ...)
 * plus "process_limits", the control/concurrency* list of the model. */
static void
limits_object(struct js *j, const struct model *m, json_t *lj)
{
	const struct m_limit *l;
	json_t *a, *o;
	char *txt, *p;
	size_t i;

	if ((a = json_array()) == NULL) {
		j->err = QPM_ENOMEM;
		return;
	}
	for (i = 0; i < m->limits.n; i++) {
		l = &((const struct m_limit *)m->limits.v)[i];
		/* not json_pack's "s": it refuses what is not UTF-8 */
		if ((o = json_object()) == NULL ||
		    qpm_json_set_str(o, "service", l->service) < 0 ||
		    qpm_json_set_str(o, "setting", l->setting) < 0 ||
		    qpm_json_set_int(o, "value", l->value) < 0 ||
		    qpm_json_set_str(o, "old", l->old) < 0 ||
		    qpm_json_set(o, "source", src_json(m, l->src)) < 0) {
			json_decref(o);
			o = NULL;
		}
		if (qpm_json_append(a, o) < 0) {	/* NULL o too */
			json_decref(a);
			j->err = QPM_ENOMEM;
			return;
		}
	}
	if (json_object_set_new(lj, "process_limits", a) < 0 ||
	    (txt = json_dumps(lj, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII)) == NULL) {
		j->err = QPM_ENOMEM;
		return;
	}
	/* one level deeper than the top-level keys */
	for (p = txt; *p != '\0'; p++)
		put(j, *p == '\n' ? "\n  " : "%c", *p);
	free(txt);
}

/* "dkim": the selectors the new host signs with, one per mailbox and
 * alias domain; the public key only (the private one is in key_file) */
static void
dkim_object(struct js *j, const struct model *m, const struct wopts *o)
{
	const struct dkim_wire *w = o->dkim;
	const struct m_domain *d;
	size_t i, n = 0;

	put(j, "{");
	key(j, "signer", 1);
	str(j, w != NULL ? "opendkim" : NULL);
	key(j, "milter", 0);
	str(j, w != NULL ? Q2P_DKIM_MILTER : NULL);
	key(j, "key_origin", 0);
	str(j, w == NULL ? (o->dkim_off ? "--no-dkim" : NULL) :
	    w->generated ? "generated" : w->key_src);
	key(j, "selectors", 0);
	put(j, "[");
	for (i = 0; w != NULL && i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (!dkim_signs(d))
			continue;
		put(j, "%s\n    {", n++ ? "," : "");
		key(j, "domain", 1);
		str(j, d->name);
		key(j, "selector", 0);
		str(j, w->selector);
		key(j, "key_file", 0);
		/* selectors are letters, digits, '-' and '.' (run.c) */
		put(j, "\"dkim/keys/%s.private\"", w->selector);
		key(j, "public_key", 0);
		str(j, w->pubkey);
		key(j, "key_bits", 0);
		put(j, "%d", w->bits);
		key(j, "signing", 0);
		put(j, "true");
		key(j, "source", 0);
		put(j, "null}");
	}
	put(j, "%s]}", n ? "\n  " : "");
}

int
write_json(const struct model *m, const struct wopts *o)
{
	struct js j = { QSTR_INIT(BIG), 0 };
	const struct m_domain *d;
	const struct m_mailbox *mb;
	const struct m_setting *st;
	const struct m_limit *l;
	const struct m_listed *li;
	json_t *t;
	char *txt = NULL;
	size_t i;
	int c, e;

	put(&j, "{\n  \"schema\": \"qmail2postfix-migration\", \"version\": 1,"
	    "\n  \"generator\": \"qmail2postfix " PACKAGE_VERSION "\",\n  ");
	/* "targets": {"postfix": "3.10", "postfix_chosen": "option", ...} */
	key(&j, "targets", 1);
	if ((t = writer_targets_json(o)) == NULL ||
	    (txt = json_dumps(t, JSON_PRESERVE_ORDER)) == NULL)
		j.err = QPM_ENOMEM;
	else
		put(&j, "%s", txt);
	put(&j, ",\n  ");
	free(txt);
	json_decref(t);
	key(&j, "old_host", 1);
	put(&j, "{");
	key(&j, "hostname", 1);
	str(&j, m->old_hostname);
	key(&j, "hostname_source", 0);
	srcv(&j, m->old_hostname_src);
	key(&j, "ip", 0);
	str(&j, m->old_ip);
	key(&j, "ip_source", 0);
	srcv(&j, m->old_ip_src);
	put(&j, "},\n  ");
	key(&j, "new_host", 1);
	put(&j, "{");
	key(&j, "hostname", 1);
	str(&j, m->new_hostname);
	key(&j, "ip", 0);
	str(&j, m->new_ip);
	put(&j, "},\n  ");

	key(&j, "domains", 1);
	put(&j, "[");
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		put(&j, "%s\n    {", i ? "," : "");
		key(&j, "name", 1);
		str(&j, d->name);
		key(&j, "kind", 0);
		str(&j, kind_name(d->kind));
		key(&j, "alias_of", 0);
		str(&j, d->kind == DOM_ALIAS ? d->real : NULL);
		key(&j, "dir", 0);
		str(&j, d->dir);
		key(&j, "unknown_users", 0);
		str(&j, d->kind == DOM_MAILBOX ? catch_name(d->catchall) :
		    NULL);
		key(&j, "catchall_target", 0);
		str(&j, d->catch_target);
		key(&j, "catchall_source", 0);
		srcv(&j, d->catch_src);
		key(&j, "mailboxes", 0);
		put(&j, "%u", d->nmailboxes);
		key(&j, "source", 0);
		srcv(&j, d->src);
		put(&j, "}");
	}
	put(&j, "%s],\n  ", m->domains.n ? "\n  " : "");

	key(&j, "mailboxes", 1);
	put(&j, "[");
	for (i = 0; i < m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)m->mailboxes.v)[i];
		put(&j, "%s\n    {\"address\": \"", i ? "," : "");
		/* local and domain are checked ASCII without quotes */
		put(&j, "%s@%s\"", mb->local, mb->domain);
		key(&j, "home", 0);
		str(&j, mb->home);
		key(&j, "quota_bytes", 0);
		if (mb->quota_bytes >= 0)
			put(&j, "%lld", mb->quota_bytes);
		else
			put(&j, "null");
		key(&j, "quota_messages", 0);
		if (mb->quota_count >= 0)
			put(&j, "%lld", mb->quota_count);
		else
			put(&j, "null");
		key(&j, "flags", 0);
		put(&j, "%lu", mb->flags);
		key(&j, "pop3", 0);
		put(&j, "%s", mb->flags & VP_NO_POP ? "false" : "true");
		key(&j, "imap", 0);
		put(&j, "%s", mb->flags & VP_NO_IMAP ? "false" : "true");
		key(&j, "smtp_auth", 0);
		put(&j, "%s", mb->flags & VP_NO_SMTP ? "false" : "true");
		key(&j, "receives_mail", 0);
		put(&j, "%s", mb->flags & VP_BOUNCE_MAIL ? "false" : "true");
		key(&j, "own_delivery", 0);
		put(&j, "%s", mb->own_delivery ? "true" : "false");
		key(&j, "hash_scheme", 0);
		str(&j, write_hash_scheme(mb->hash));
		key(&j, "cleartext_kept", 0);
		put(&j, "%s", mb->clear ? "true" : "false");
		key(&j, "source", 0);
		srcv(&j, mb->src);
		put(&j, "}");
	}
	put(&j, "%s],\n  ", m->mailboxes.n ? "\n  " : "");

	key(&j, "forwards", 1);
	put(&j, "[");
	routes(&j, m, 1);
	put(&j, "],\n  ");
	key(&j, "aliases", 1);
	put(&j, "[");
	routes(&j, m, 0);
	put(&j, "],\n  ");
	key(&j, "pipes", 1);
	put(&j, "[");
	if (by_dest(&j, m, DEST_PIPE) > 0)
		put(&j, "\n  ");
	put(&j, "],\n  ");
	key(&j, "discards", 1);
	put(&j, "[");
	if (by_dest(&j, m, DEST_DISCARD) > 0)
		put(&j, "\n  ");
	put(&j, "],\n  ");
	key(&j, "bounces", 1);
	put(&j, "[");
	if (badrcptto(&j, m, by_dest(&j, m, DEST_BOUNCE)) > 0)
		put(&j, "\n  ");
	put(&j, "],\n  ");

	key(&j, "bounce_routing", 1);
	put(&j, "{");
	key(&j, "doublebounceto", 1);
	str(&j, m->doublebounceto);
	key(&j, "doublebounce_source", 0);
	srcv(&j, m->doublebounce_src);
	key(&j, "postmaster", 0);
	put(&j, "[");
	postmasters(&j, m);
	put(&j, "]},\n  ");

	key(&j, "limits", 1);
	if (o->limits_json != NULL) {
		limits_object(&j, m, o->limits_json);
		put(&j, ",\n  ");
	} else
		put(&j, "[");
	for (i = 0; o->limits_json == NULL && i < m->limits.n; i++) {
		l = &((const struct m_limit *)m->limits.v)[i];
		put(&j, "%s\n    {", i ? "," : "");
		key(&j, "service", 1);
		str(&j, l->service);
		key(&j, "setting", 0);
		str(&j, l->setting);
		key(&j, "value", 0);
		put(&j, "%lld", l->value);
		key(&j, "old", 0);
		str(&j, l->old);
		key(&j, "source", 0);
		srcv(&j, l->src);
		put(&j, "}");
	}
	if (o->limits_json == NULL)
		put(&j, "%s],\n  ", m->limits.n ? "\n  " : "");

	key(&j, "settings", 1);
	put(&j, "[");
	for (i = 0; i < m->settings.n; i++) {
		st = &((const struct m_setting *)m->settings.v)[i];
		put(&j, "%s\n    {", i ? "," : "");
		key(&j, "param", 1);
		str(&j, st->param);
		key(&j, "value", 0);
		str(&j, st->value);
		key(&j, "old", 0);
		str(&j, st->from);
		key(&j, "source", 0);
		srcv(&j, st->src);
		put(&j, "}");
	}
	put(&j, "%s],\n  ", m->settings.n ? "\n  " : "");

	key(&j, "dkim", 1);
	dkim_object(&j, m, o);
	put(&j, ",\n  ");
	key(&j, "srs", 1);
	srs_object(&j, o);
	put(&j, ",\n  ");

	key(&j, "counts", 1);
	put(&j, "{");
	for (c = 0; c < CAT_N; c++) {
		const struct m_count *k = &m->count[c];

		put(&j, "%s\n    ", c ? "," : "");
		str(&j, model_cat_names[c]);
		put(&j, ": {\"read\": %lu, \"converted\": %lu, \"listed\": %lu, "
		    "\"skipped\": %lu}", k->read, k->converted, k->listed,
		    k->skipped);
	}
	put(&j, "\n  },\n  ");

	for (c = 0; c < 2; c++) {
		const struct vec *v = c == 0 ? &m->listed : &m->notes;

		key(&j, c == 0 ? "listed" : "notes", 1);
		put(&j, "[");
		for (i = 0; i < v->n; i++) {
			li = &((const struct m_listed *)v->v)[i];
			put(&j, "%s\n    {", i ? "," : "");
			key(&j, "source", 1);
			srcv(&j, li->src);
			if (c == 0) {
				key(&j, "category", 0);
				str(&j, model_cat_names[li->cat]);
			}
			key(&j, "what", 0);
			str(&j, li->what);
			key(&j, "reason", 0);
			str(&j, li->reason);
			key(&j, "todo", 0);
			str(&j, li->todo);
			put(&j, "}");
		}
		put(&j, "%s]%s\n", v->n ? "\n  " : "", c == 0 ? ",\n " : "");
		if (c == 0)
			put(&j, " ");
	}
	put(&j, "}\n");
	e = j.err;
	if (e == 0)
		e = writer_file(o, "migration.json", &j.s, QPM_MODE_PUBLIC);
	qstr_free(&j.s);
	return e;
}
