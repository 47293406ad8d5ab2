/*
 * NAME		write_json - OUT/migration.json, the model with provenance
 * DOES		renders the model (schema: migration.json(5)), keys in a
 *		fixed order so the file diffs cleanly, one jansson tree per
 *		top-level key or array item at a time, into the file as it
 *		goes (the whole tree of a 100,000-mailbox host and its text
 *		were 450 MB), put in place atomically;
 *		every string of the old host goes through qpm_json_string()
 * NEVER	writes a password hash or a cleartext password (only which
 *		scheme, and whether a cleartext was kept)
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/addr.h"
#include "mail/json.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"

#define BIG	((size_t)1 << 34)

/* two spaces a level, the keys in the order they are set, ASCII only
 * (UTF-8 as \uXXXX) */
#define MIG_JSON_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | \
			 JSON_ENSURE_ASCII)

/* o, or NULL (o freed) when one of the steps that built it failed */
static json_t *
built(json_t *o, int failed)
{
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* a string of the old host, or null */
static json_t *
jstr(const char *s)
{
	return s != NULL ? qpm_json_string(s) : json_null();
}

/* a string printed from fmt; the arguments may be bytes of the old host */
static json_t *
jfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
jfmt(const char *fmt, ...)
{
	struct qstr s = QSTR_INIT(BIG);
	json_t *j = NULL;
	va_list ap;
	int e;

	va_start(ap, fmt);
	e = qstr_vcatf(&s, fmt, ap);
	va_end(ap);
	if (e == 0)
		j = qpm_json_string(qstr_str(&s));
	qstr_free(&s);
	return j;
}

/* "FILE:LINE", "FILE" or null */
static json_t *
src_json(struct src src)
{
	if (src.file == NULL)
		return json_null();
	if (src.line == 0)
		return qpm_json_string(src.file);
	return jfmt("%s:%lu", src.file, src.line);
}

/*
 * The file as jansson's JSON_INDENT(2) dump of the whole tree would be,
 * written a piece at a time: the top-level object key by key, the large
 * arrays item by item, each piece dumped alone and indented to its depth,
 * the text handed to the file every JW_CHUNK bytes.
 */
#define JW_CHUNK	((size_t)1 << 16)

struct jw {
	struct qstr		*s;
	struct file_stream	*f;
	size_t			 keys, items;	/* so far: top level, array */
	int			 err;
};

struct jw_dump {
	struct qstr	*s;
	size_t		 indent;	/* spaces after each newline */
};

/* jansson's output, a newline at a time indented further: with
 * JSON_ENSURE_ASCII a string holds no newline, so each one is
 * jansson's own indentation */
static int
jw_cb(const char *buf, size_t n, void *arg)
{
	static const char sp[] = "        ";
	struct jw_dump *d = arg;
	const char *nl;
	size_t k;

	while ((nl = memchr(buf, '\n', n)) != NULL) {
		k = (size_t)(nl - buf) + 1;
		if (qstr_catn(d->s, buf, k) < 0 ||
		    qstr_catn(d->s, sp, d->indent) < 0)
			return -1;
		buf += k;
		n -= k;
	}
	return n > 0 && qstr_catn(d->s, buf, n) < 0 ? -1 : 0;
}

/* the text so far into the file, once there is at least min of it */
static void
jw_flush(struct jw *w, size_t min)
{
	if (w->err == 0 && w->s->len > 0 && w->s->len >= min) {
		w->err = file_stream_write(w->f, w->s->buf, w->s->len);
		qstr_reset(w->s);
	}
}

/* v (taken; NULL: out of memory) at depth 1 or 2 */
static void
jw_dump(struct jw *w, json_t *v, size_t depth)
{
	struct jw_dump d = { w->s, 2 * depth };

	if (v == NULL && w->err == 0)
		w->err = QPM_ENOMEM;
	if (w->err == 0 && json_dump_callback(v, jw_cb, &d,
	    MIG_JSON_FLAGS | JSON_ENCODE_ANY) < 0)
		w->err = QPM_ENOMEM;
	json_decref(v);
	jw_flush(w, JW_CHUNK);
}

static void
jw_cat(struct jw *w, const char *text)
{
	if (w->err == 0)
		w->err = qstr_cat(w->s, text);
}

/* "key": (key a literal of ours) */
static void
jw_key(struct jw *w, const char *key)
{
	jw_cat(w, w->keys++ > 0 ? ",\n  \"" : "{\n  \"");
	jw_cat(w, key);
	jw_cat(w, "\": ");
}

/* "key": v (taken) */
static void
jw_set(struct jw *w, const char *key, json_t *v)
{
	jw_key(w, key);
	jw_dump(w, v, 1);
}

/* "key": [ ... the items jw_item() adds ... ] (jw_close()) */
static void
jw_open(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_cat(w, "[");
	w->items = 0;
}

/* one item (taken) of the open array */
static void
jw_item(struct jw *w, json_t *v)
{
	jw_cat(w, w->items++ > 0 ? ",\n    " : "\n    ");
	jw_dump(w, v, 2);
}

static void
jw_close(struct jw *w)
{
	jw_cat(w, w->items > 0 ? "\n  ]" : "]");
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

/* a $N$ crypt hash shorter than its scheme writes: the column that held
 * it was too narrow (QmailToaster's char(40) pw_passwd), so no password
 * matches it, on the old host either */
static int
crypt_cut(const char *h, size_t len)
{
	const char *d = strrchr(h + 3, '$');

	return d == NULL || strlen(d + 1) != len;
}

const char *
write_hash_scheme(const char *h)
{
	if (h[0] == '\0')
		return "none";
	if (strncmp(h, "$1$", 3) == 0)
		return crypt_cut(h, 22) ? "cut" : "md5-crypt";
	if (strncmp(h, "$5$", 3) == 0)
		return crypt_cut(h, 43) ? "cut" : "sha256-crypt";
	if (strncmp(h, "$6$", 3) == 0)
		return crypt_cut(h, 86) ? "cut" : "sha512-crypt";
	if (strncmp(h, "$2", 2) == 0)
		return "bcrypt";
	if (strlen(h) == 13 && h[0] != '$')
		return "des-crypt";
	return "other";
}

/* the rule's address: local@domain, local*@domain or @domain */
static json_t *
addr_json(const struct m_rule *r)
{
	switch ((enum m_key)r->key) {
	case KEY_ADDRESS: return jfmt("%s@%s", r->local, r->domain);
	case KEY_PREFIX: return jfmt("%s*@%s", r->local, r->domain);
	case KEY_CATCHALL: return jfmt("@%s", r->domain);
	}
	return json_null();
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

/* A Maildir folder target: its path, as the old host named it */
static json_t *
folder_path(const struct model *m, const struct m_rule *r)
{
	struct model *mm = (struct model *)m;
	const struct m_mailbox *mb;
	long split;

	if ((split = addr_split(r->value, strlen(r->value))) < 0 ||
	    (mb = model_mailbox(mm, model_strndup(mm, r->value,
	    (size_t)split), r->value + split + 1)) == NULL)
		return jstr(r->value);
	return jfmt("%s/Maildir/%s/", mb->home, r->folder);
}

/* the targets of a group of n rules: those delivered (a mailbox or a
 * forward), or only the remote forwards */
static json_t *
route_targets(const struct model *m, const struct m_rule *r, size_t n,
    int remote_only)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; k < n; k++) {
		if (remote_only ? r[k].dest != DEST_FORWARD ||
		    !writer_is_remote(m, r[k].value) :
		    r[k].dest != DEST_FORWARD && r[k].dest != DEST_MAILBOX)
			continue;
		if (qpm_json_append(a, r[k].folder != NULL ?
		    folder_path(m, &r[k]) : jstr(r[k].value)) < 0)
			return built(a, 1);
	}
	return a;
}

static json_t *
rule_lines(const struct m_rule *r, size_t n)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; k < n; k++)
		if (qpm_json_append(a, json_integer(r[k].src.line)) < 0)
			return built(a, 1);
	return a;
}

/* one forward or alias: the n rules of a group; remote of its deliv
 * delivered targets are remote forwards */
static json_t *
route_json(const struct model *m, const struct m_rule *r, size_t n,
    int deliv, int remote, int want_forwards)
{
	json_t *o = json_object();
	int bad;

	bad = qpm_json_set(o, "address", addr_json(r)) < 0 ||
	    qpm_json_set_str(o, "match", match_name(r->key)) < 0 ||
	    qpm_json_set_str(o, "origin", origin_name(r->origin)) < 0 ||
	    qpm_json_set(o, "targets", route_targets(m, r, n, 0)) < 0;
	/* keep a copy: a mailbox here among the targets */
	if (!bad && want_forwards)
		bad = qpm_json_set(o, "remote_targets",
		    route_targets(m, r, n, 1)) < 0 ||
		    qpm_json_set_bool(o, "keep_copy", deliv > remote) < 0 ||
		    qpm_json_set_bool(o, "srs", m->srs_domain != NULL) < 0;
	if (!bad)
		bad = qpm_json_set(o, "source", src_json(r->src)) < 0 ||
		    qpm_json_set(o, "lines", rule_lines(r, n)) < 0;
	return built(o, bad);
}

/* forwards (any remote target) and aliases (all targets here), as items
 * of w's open array */
static void
routes(struct jw *w, const struct model *m, int want_forwards)
{
	const struct m_rule *rules = m->rules.v, *r;
	size_t i, k, n;
	int remote, deliv;

	for (i = 0; i < m->rules.n && w->err == 0; i += n) {
		r = &rules[i];
		for (n = 1; i + n < m->rules.n && same_group(r, &rules[i + n]);
		    n++)
			;
		remote = deliv = 0;
		for (k = 0; k < n; k++) {
			if (r[k].dest == DEST_FORWARD ||
			    r[k].dest == DEST_MAILBOX)
				deliv++;
			if (r[k].dest == DEST_FORWARD &&
			    writer_is_remote(m, r[k].value))
				remote++;
		}
		if (deliv == 0 || (want_forwards ? remote == 0 : remote > 0))
			continue;
		jw_item(w, route_json(m, r, n, deliv, remote, want_forwards));
	}
}

/* pipes, discards or bounces, as items of w's open array */
static void
by_dest(struct jw *w, const struct model *m, enum m_dest dest)
{
	const struct m_rule *r;
	json_t *o;
	size_t i;
	int bad;

	for (i = 0; i < m->rules.n && w->err == 0; i++) {
		r = &((const struct m_rule *)m->rules.v)[i];
		if (r->dest != dest)
			continue;
		o = json_object();
		bad = qpm_json_set(o, "address", addr_json(r)) < 0 ||
		    qpm_json_set_str(o, "match", match_name(r->key)) < 0;
		if (!bad && dest == DEST_PIPE)
			bad = qpm_json_set_str(o, "command", r->value) < 0 ||
			    qpm_json_set_str(o, "user", r->user) < 0;
		else if (!bad && dest == DEST_BOUNCE)
			bad = qpm_json_set_str(o, "text", r->value) < 0;
		if (!bad)
			bad = qpm_json_set(o, "source", src_json(r->src)) < 0;
		jw_item(w, built(o, bad));
	}
}

/* control/badrcptto (and badmailto): refused at RCPT before any routing,
 * so they are bounces whatever a .qmail or catch-all would have done.
 * "@host" refuses every address at host: match "domain".  Items of w's
 * open array, after the other bounces. */
static void
badrcptto(struct jw *w, const struct model *m)
{
	const struct m_entry *e;
	json_t *o;
	size_t i;
	int bad, at;

	for (i = 0; i < m->entries.n && w->err == 0; i++) {
		e = &((const struct m_entry *)m->entries.v)[i];
		if (e->table != TBL_RCPT_ACCESS)
			continue;
		at = strchr(e->key, '@') != NULL;
		o = json_object();
		bad = qpm_json_set(o, "address", jfmt("%s%s", at ? "" : "@",
		    e->key)) < 0 ||
		    qpm_json_set_str(o, "match", at ? "exact" : "domain") < 0 ||
		    qpm_json_set_str(o, "text",
		    "refused at RCPT by badrcptto") < 0 ||
		    qpm_json_set(o, "source", src_json(e->src)) < 0;
		jw_item(w, built(o, bad));
	}
}

/* "srs": what forwards get and what must be installed; the secret's
 * installed path, never the secret */
static json_t *
srs_object(const struct wopts *opt)
{
	const struct srs_wire *w = opt->srs;
	json_t *o = json_object();
	int bad;

	bad = qpm_json_set_bool(o, "wired", w != NULL) < 0 ||
	    qpm_json_set_str(o, "domain", w != NULL ? w->domain : NULL) < 0;
	if (bad || w == NULL)
		return built(o, bad);
	bad = qpm_json_set_str(o, "transport", Q2P_SRS_SERVICE) < 0 ||
	    qpm_json_set_str(o, "transport_map",
	    "regexp:${config_directory}/srs_transport") < 0 ||
	    qpm_json_set(o, "forwarder", jfmt("%s/srs-forward",
	    w->bindir)) < 0 ||
	    qpm_json_set(o, "socket", jfmt("inet:127.0.0.1:%d",
	    w->port)) < 0 ||
	    qpm_json_set(o, "reverse_map", jfmt("pipemap:{regexp:"
	    "${config_directory}/srs_reverse, socketmap:inet:127.0.0.1:%d:"
	    "reverse}", w->port)) < 0 ||
	    qpm_json_set_str(o, "service", "srs/srs-map.service") < 0 ||
	    qpm_json_set_str(o, "user", Q2P_SRS_SERVICE) < 0 ||
	    qpm_json_set_str(o, "secret_file", w->secret) < 0;
	return built(o, bad);
}

/* Where postmaster@domain goes on the new host, as the old one did:
 * its own rule, the real domain of an alias domain, its mailbox, the
 * catch-all, or nowhere (null) */
static json_t *
postmaster(const struct model *m, const struct m_domain *d)
{
	const struct m_rule *r;
	const struct m_mailbox *mb;
	json_t *o = json_object(), *to = NULL, *src = NULL;
	size_t k;
	int found = 0;

	for (k = 0; k < m->rules.n && !found; k++) {
		r = &((const struct m_rule *)m->rules.v)[k];
		if (r->key == KEY_ADDRESS &&
		    strcmp(r->local, "postmaster") == 0 &&
		    strcmp(r->domain, d->name) == 0) {
			to = jstr(r->dest == DEST_MAILBOX ||
			    r->dest == DEST_FORWARD ? r->value :
			    "(program or discard)");
			src = src_json(r->src);
			found = 1;
		}
	}
	if (!found && d->kind == DOM_ALIAS) {
		to = jfmt("postmaster@%s", d->real);
		src = src_json(d->src);
		found = 1;
	}
	if (!found && (mb = model_mailbox((struct model *)m,
	    "postmaster", d->name)) != NULL) {
		to = jfmt("postmaster@%s", d->name);
		src = src_json(mb->src);
		found = 1;
	}
	if (!found && d->catch_target != NULL) {
		to = jstr(d->catch_target);
		src = src_json(d->catch_src);
		found = 1;
	}
	if (!found) {
		to = json_null();
		src = json_null();
	}
	/* qpm_json_set takes (and on failure frees) to and src */
	return built(o, qpm_json_set_str(o, "domain", d->name) < 0 ||
	    qpm_json_set(o, "routes_to", to) < 0 ||
	    qpm_json_set(o, "source", src) < 0);
}

static json_t *
bounce_routing(const struct model *m)
{
	const struct m_domain *d;
	json_t *o = json_object(), *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (d->kind != DOM_RELAY &&
		    qpm_json_append(a, postmaster(m, d)) < 0)
			a = built(a, 1);
	}
	return built(o, qpm_json_set_str(o, "doublebounceto",
	    m->doublebounceto) < 0 ||
	    qpm_json_set(o, "doublebounce_source",
	    src_json(m->doublebounce_src)) < 0 ||
	    qpm_json_set(o, "postmaster", a) < 0);
}

/* control/concurrency*: the model's process limits */
static json_t *
process_limits(const struct model *m)
{
	const struct m_limit *l;
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < m->limits.n; i++) {
		l = &((const struct m_limit *)m->limits.v)[i];
		o = json_object();
		o = built(o, qpm_json_set_str(o, "service", l->service) < 0 ||
		    qpm_json_set_str(o, "setting", l->setting) < 0 ||
		    qpm_json_set_int(o, "value", l->value) < 0 ||
		    qpm_json_set_str(o, "old", l->old) < 0 ||
		    qpm_json_set(o, "source", src_json(l->src)) < 0);
		if (qpm_json_append(a, o) < 0)
			return built(a, 1);
	}
	return a;
}

/* The "limits" object: limits_json() of the module (items, settings
 * with the before/after values, logs with the per-hour series, ...)
 * plus "process_limits"; without the module, the process limits alone */
static json_t *
limits_object(const struct model *m)
{
	json_t *lj;

	if (!m->climits.recommended)
		return process_limits(m);
	if ((lj = limits_json(&m->climits)) == NULL)
		return NULL;
	return built(lj, qpm_json_set(lj, "process_limits",
	    process_limits(m)) < 0);
}

/* "dkim": the selectors the new host signs with, one per mailbox and
 * alias domain; the public key only (the private one is in key_file) */
static json_t *
dkim_selector(const struct dkim_wire *w, const struct m_domain *d)
{
	json_t *o = json_object();

	/* selectors are letters, digits, '-' and '.' (run.c) */
	return built(o, qpm_json_set_str(o, "domain", d->name) < 0 ||
	    qpm_json_set_str(o, "selector", w->selector) < 0 ||
	    qpm_json_set(o, "key_file", jfmt("dkim/keys/%s.private",
	    w->selector)) < 0 ||
	    qpm_json_set_str(o, "public_key", w->pubkey) < 0 ||
	    qpm_json_set_int(o, "key_bits", w->bits) < 0 ||
	    qpm_json_set_bool(o, "signing", 1) < 0 ||
	    qpm_json_set(o, "source", json_null()) < 0);
}

static json_t *
dkim_object(const struct model *m, const struct wopts *opt)
{
	const struct dkim_wire *w = opt->dkim;
	const struct m_domain *d;
	json_t *o = json_object(), *a = json_array();
	size_t i;

	for (i = 0; a != NULL && w != NULL && i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (dkim_signs(d) && qpm_json_append(a,
		    dkim_selector(w, d)) < 0)
			a = built(a, 1);
	}
	return built(o, qpm_json_set_str(o, "signer",
	    w != NULL ? "opendkim" : NULL) < 0 ||
	    qpm_json_set_str(o, "milter", w != NULL ? Q2P_DKIM_MILTER :
	    NULL) < 0 ||
	    qpm_json_set_str(o, "key_origin", w == NULL ? (opt->dkim_off ?
	    "--no-dkim" : NULL) : w->generated ? "generated" :
	    w->key_src) < 0 ||
	    qpm_json_set(o, "selectors", a) < 0);
}

static json_t *
host_object(const struct model *m, int old)
{
	json_t *o = json_object();

	if (!old)
		return built(o, qpm_json_set_str(o, "hostname",
		    m->new_hostname) < 0 ||
		    qpm_json_set_str(o, "ip", m->new_ip) < 0);
	return built(o, qpm_json_set_str(o, "hostname", m->old_hostname) < 0 ||
	    qpm_json_set(o, "hostname_source",
	    src_json(m->old_hostname_src)) < 0 ||
	    qpm_json_set_str(o, "ip", m->old_ip) < 0 ||
	    qpm_json_set(o, "ip_source", src_json(m->old_ip_src)) < 0);
}

static json_t *
domain_json(const void *p, int unused)
{
	const struct m_domain *d = p;
	json_t *o = json_object();

	return built(o, qpm_json_set_str(o, "name", d->name) < 0 ||
	    qpm_json_set_str(o, "kind", kind_name(d->kind)) < 0 ||
	    qpm_json_set_str(o, "alias_of", d->kind == DOM_ALIAS ? d->real :
	    NULL) < 0 ||
	    qpm_json_set_str(o, "dir", d->dir) < 0 ||
	    qpm_json_set_str(o, "unknown_users", d->kind == DOM_MAILBOX ?
	    catch_name(d->catchall) : NULL) < 0 ||
	    qpm_json_set_str(o, "catchall_target", d->catch_target) < 0 ||
	    qpm_json_set(o, "catchall_source", src_json(d->catch_src)) < 0 ||
	    qpm_json_set_int(o, "mailboxes", d->nmailboxes) < 0 ||
	    qpm_json_set(o, "source", src_json(d->src)) < 0);
}

/* a quota, or null when there is none */
static json_t *
quota_json(long long q)
{
	return q >= 0 ? json_integer(q) : json_null();
}

static json_t *
mailbox_json(const void *p, int unused)
{
	const struct m_mailbox *mb = p;
	json_t *o = json_object(), *l;

	/* vpopmail's lastauth (MySQL backend): only where it was read */
	if (o != NULL && mb->last_from != NULL) {
		l = json_object();
		if (l == NULL || qpm_json_set_int(l, "time", mb->last_login) < 0 ||
		    qpm_json_set_str(l, "from", mb->last_from) < 0 ||
		    qpm_json_set(o, "last_login", l) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return built(o, qpm_json_set(o, "address", jfmt("%s@%s", mb->local,
	    mb->domain)) < 0 ||
	    qpm_json_set_str(o, "home", mb->home) < 0 ||
	    qpm_json_set(o, "quota_bytes", quota_json(mb->quota_bytes)) < 0 ||
	    qpm_json_set(o, "quota_messages",
	    quota_json(mb->quota_count)) < 0 ||
	    qpm_json_set_int(o, "flags", (long long)mb->flags) < 0 ||
	    qpm_json_set_bool(o, "pop3", !(mb->flags & VP_NO_POP)) < 0 ||
	    qpm_json_set_bool(o, "imap", !(mb->flags & VP_NO_IMAP)) < 0 ||
	    qpm_json_set_bool(o, "smtp_auth", !(mb->flags & VP_NO_SMTP)) < 0 ||
	    qpm_json_set_bool(o, "webmail", !(mb->flags & VP_NO_WEBMAIL)) < 0 ||
	    qpm_json_set_bool(o, "receives_mail",
	    !(mb->flags & VP_BOUNCE_MAIL)) < 0 ||
	    qpm_json_set_bool(o, "own_delivery", mb->own_delivery) < 0 ||
	    qpm_json_set_str(o, "hash_scheme",
	    write_hash_scheme(mb->hash)) < 0 ||
	    qpm_json_set_bool(o, "cleartext_kept", mb->clear != NULL) < 0 ||
	    qpm_json_set(o, "source", src_json(mb->src)) < 0);
}

static json_t *
setting_json(const void *p, int unused)
{
	const struct m_setting *st = p;
	json_t *o = json_object();

	return built(o, qpm_json_set_str(o, "param", st->param) < 0 ||
	    qpm_json_set_str(o, "value", st->value) < 0 ||
	    qpm_json_set_str(o, "old", st->from) < 0 ||
	    qpm_json_set(o, "source", src_json(st->src)) < 0);
}

/* an item of "listed" (with its category) or of "notes" */
static json_t *
listed_json(const void *p, int with_cat)
{
	const struct m_listed *li = p;
	json_t *o = json_object();
	int bad;

	bad = qpm_json_set(o, "source", src_json(li->src)) < 0;
	if (!bad && with_cat)
		bad = qpm_json_set_str(o, "category",
		    model_cat_names[li->cat]) < 0;
	return built(o, bad || qpm_json_set_str(o, "what", li->what) < 0 ||
	    qpm_json_set_str(o, "reason", li->reason) < 0 ||
	    qpm_json_set_str(o, "todo", li->todo) < 0);
}

/* "key": an array of one(item, arg) for each item of the model's
 * vector v */
static void
each(struct jw *w, const char *key, const struct vec *v,
    json_t *(*one)(const void *, int), int arg)
{
	size_t i;

	jw_open(w, key);
	for (i = 0; i < v->n && w->err == 0; i++)
		jw_item(w, one((const char *)v->v + i * v->size, arg));
	jw_close(w);
}

static json_t *
counts_object(const struct model *m)
{
	const struct m_count *k;
	json_t *o = json_object(), *c;
	int i;

	for (i = 0; i < CAT_N; i++) {
		k = &m->count[i];
		c = json_object();
		c = built(c, qpm_json_set_int(c, "read", k->read) < 0 ||
		    qpm_json_set_int(c, "converted", k->converted) < 0 ||
		    qpm_json_set_int(c, "listed", k->listed) < 0 ||
		    qpm_json_set_int(c, "skipped", k->skipped) < 0);
		if (qpm_json_set(o, model_cat_names[i], c) < 0)
			return built(o, 1);
	}
	return o;
}

static const char *
build_from_name(enum m_build_from f)
{
	switch (f) {
	case BUILD_HEADER:	return "header";
	case BUILD_OPTION:	return "option";
	case BUILD_ASSUMED:	return "assumed";
	}
	return "assumed";
}

/* vpopmail's build: QMAIL_EXT or not, and how that was learnt */
static json_t *
vpopmail_build(const struct model *m)
{
	json_t *o = json_object(), *u;

	/* vpopmail's MySQL backend: where the users came from (never a
	 * credential), what could not be trusted, lastauth's reach */
	if (o != NULL && m->userdb != NULL) {
		u = json_object();
		if (built(u, qpm_json_set_str(u, "backend", m->userdb) < 0 ||
		    qpm_json_set_str(u, "layout", m->userdb_layout) < 0 ||
		    qpm_json_set_str(u, "server", m->userdb_where) < 0 ||
		    qpm_json_set(u, "source", src_json(m->userdb_src)) < 0 ||
		    qpm_json_set_int(u, "cleartext_unverified",
		    (long long)m->clear_unverified) < 0 ||
		    qpm_json_set_int(u, "last_logins",
		    (long long)m->nlastauth) < 0 ||
		    qpm_json_set_int(u, "unused_since",
		    m->now - 365LL * 24 * 3600) < 0) == NULL ||
		    qpm_json_set(o, "userdb", u) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return built(o, qpm_json_set(o, "qmail_ext",
	    json_boolean(m->qmail_ext)) < 0 ||
	    qpm_json_set_str(o, "from", build_from_name(m->qmail_ext_from)) < 0 ||
	    qpm_json_set(o, "source", src_json(m->qmail_ext_src)) < 0);
}

/* The whole file, its keys in the order of migration.json(5) */
static void
migration_json(struct jw *w, const struct model *m, const struct wopts *o)
{
	jw_set(w, "schema", json_string("qmail2postfix-migration"));
	jw_set(w, "version", json_integer(1));
	jw_set(w, "generator", json_string("qmail2postfix " PACKAGE_VERSION));
	jw_set(w, "targets", writer_targets_json(o));
	jw_set(w, "old_host", host_object(m, 1));
	jw_set(w, "new_host", host_object(m, 0));
	jw_set(w, "vpopmail_build", vpopmail_build(m));
	each(w, "domains", &m->domains, domain_json, 0);
	each(w, "mailboxes", &m->mailboxes, mailbox_json, 0);
	jw_open(w, "forwards");
	routes(w, m, 1);
	jw_close(w);
	jw_open(w, "aliases");
	routes(w, m, 0);
	jw_close(w);
	jw_open(w, "pipes");
	by_dest(w, m, DEST_PIPE);
	jw_close(w);
	jw_open(w, "discards");
	by_dest(w, m, DEST_DISCARD);
	jw_close(w);
	jw_open(w, "bounces");
	by_dest(w, m, DEST_BOUNCE);
	badrcptto(w, m);
	jw_close(w);
	jw_set(w, "bounce_routing", bounce_routing(m));
	jw_set(w, "limits", limits_object(m));
	each(w, "settings", &m->settings, setting_json, 0);
	jw_set(w, "dkim", dkim_object(m, o));
	jw_set(w, "srs", srs_object(o));
	jw_set(w, "counts", counts_object(m));
	each(w, "listed", &m->listed, listed_json, 1);
	each(w, "notes", &m->notes, listed_json, 0);
	jw_cat(w, "\n}\n");
}

int
write_json(const struct model *m, const struct wopts *o)
{
	struct qstr s = QSTR_INIT(BIG);
	struct file_stream f;
	struct jw w = { &s, &f, 0, 0, 0 };

	if ((w.err = writer_stream(o, "migration.json", QPM_MODE_PUBLIC,
	    &f)) < 0)
		goto out;
	migration_json(&w, m, o);
	jw_flush(&w, 0);
	if (w.err == 0)
		w.err = file_stream_commit(&f);
	else
		file_stream_abort(&f);
out:
	qstr_free(&s);
	return w.err;
}
