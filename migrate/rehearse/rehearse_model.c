/*
 * NAME		rehearse_model - what the old host did, from migration.json
 * DOES		indexes the model's mailboxes, aliases, forwards, pipes,
 *		discards, bounces and domains, each line at its FILE:LINE;
 *		resolves one address the way qmail-local and vdelivermail did
 *		(the domain's .qmail-EXT, longest .qmail-PREFIX-default, the
 *		vpopmail user, with QMAIL_EXT the user before the first '-'
 *		and its directory's files, .qmail-default), one file's lines
 *		in file order with qmail's exit codes (99, 100, 111) as the
 *		programs gave them; lists the addresses worth a probe;
 *		compares an expectation with what the rehearsal saw
 * NEVER	reads a file, or guesses: an address whose route runs through
 *		a .qmail line the migration listed as not converted says so;
 *		a program's exit code is never made up (0 when it did not run)
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mail/addr.h"
#include "mail/json.h"
#include "migrate/rehearse/rehearse.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

const char *
rh_outcome_name(enum rh_outcome o)
{
	switch (o) {
	case RH_DELIVERED:	return "delivered";
	case RH_BOUNCED:	return "bounced";
	case RH_DEFERRED:	return "deferred";
	case RH_DISCARDED:	return "discarded";
	}
	return "unknown";
}

void
rh_result_init(struct rh_result *r)
{
	memset(r, 0, sizeof(*r));
	qstr_init(&r->detail, 64 * 1024);
}

void
rh_result_free(struct rh_result *r)
{
	strlist_free(&r->mailboxes);
	strlist_free(&r->forwards);
	strlist_free(&r->pipes);
	strlist_free(&r->not_converted);
	qstr_free(&r->detail);
}

/* ---------------------------------------------------------------- model */

enum rh_kind {
	K_TARGET = 1,		/* one alias or forward line: an address or path */
	K_PIPE,
	K_DISCARD,
	K_BOUNCE,
	K_LISTED		/* a .qmail line the migration did not convert */
};

struct rh_entry {
	enum rh_kind	 kind;
	int		 user_qmail;	/* from a file in a user's directory */
	const char	*prefix;	/* match "prefix": "support-" */
	const char	*domain;	/* lower case */
	const char	*file;		/* the .qmail file, NULL: not known */
	long		 line;		/* its line (file order) */
	const char	*text;		/* target, command, bounce text, reason */
};

struct rh_model {
	json_t		*root;
	json_t		*domains;	/* name -> domain object */
	json_t		*mailboxes;	/* address -> mailbox object */
	json_t		*homes;		/* home -> address string */
	json_t		*dirs;		/* domain dir -> name */
	json_t		*exact;		/* address -> [entry index] */
	json_t		*catchall;	/* domain -> [entry index] */
	json_t		*busy;		/* "file:line" of program, discard,
					 * bounce and listed lines */
	struct rh_entry	*ents;
	size_t		 nents, capents;
	struct strlist	 pool;		/* strings the entries point to */
	size_t		*prefixes;	/* entry indexes of prefix matches */
	size_t		 nprefixes;
	int		 qmail_ext;	/* vpopmail built with QMAIL_EXT */
};

static const char *
lower_dup(struct rh_model *m, const char *s)
{
	char *p;

	if (strlist_add(&m->pool, s) < 0)
		return NULL;
	for (p = m->pool.v[m->pool.n - 1]; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return m->pool.v[m->pool.n - 1];
}

static int
index_add(json_t *idx, const char *key, size_t n)
{
	json_t *a = json_object_get(idx, key);

	if (a == NULL) {
		if ((a = json_array()) == NULL || json_object_set_new(idx, key, a) < 0)
			return QPM_ENOMEM;
	}
	return json_array_append_new(a, json_integer((json_int_t)n)) < 0 ?
	    QPM_ENOMEM : 0;
}

/* "FILE:LINE" (dots in .qmail names are colons already): the file into
 * the pool, the line; 0, or -1 when src is no such thing */
static int
src_split(struct rh_model *m, const char *src, const char **file, long *line)
{
	const char *colon;

	*file = NULL;
	*line = 0;
	if (src == NULL || (colon = strrchr(src, ':')) == NULL ||
	    colon[1] == '\0' || strspn(colon + 1, "0123456789") !=
	    strlen(colon + 1) || strlen(colon + 1) > 9)
		return -1;
	if (strlist_add(&m->pool, src) < 0)
		return QPM_ENOMEM;
	m->pool.v[m->pool.n - 1][colon - src] = '\0';
	*file = m->pool.v[m->pool.n - 1];
	*line = atol(colon + 1);
	return 0;
}

/* 1 when file lies in a mailbox's home (vdelivermail reads it), else
 * origin decides (a model without sources) */
static int
in_home(const struct rh_model *m, const char *file, const char *origin)
{
	const char *slash;
	char dir[4096];

	if (file == NULL || (slash = strrchr(file, '/')) == NULL)
		return origin != NULL && strcmp(origin, "user .qmail") == 0;
	if (qpm_snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file),
	    file) < 0)
		return 0;
	return json_object_get(m->homes, dir) != NULL;
}

/* Adds one entry; address is "local@dom", "prefix*@dom" or "@dom". */
static int
entry_add(struct rh_model *m, enum rh_kind kind, const char *address,
    const char *match, const char *file, long line, int user_qmail,
    const char *text)
{
	struct rh_entry *e, *ne;
	const char *a, *at, *star;
	size_t ncap, *np;
	long split;
	char buf[QPM_MAX_ADDRESS + 16];

	if (address == NULL || (a = lower_dup(m, address)) == NULL)
		return address == NULL ? 0 : QPM_ENOMEM;
	if ((split = addr_split(a, strlen(a))) < 0)
		return 0;	/* not an address: nothing to route */
	at = a + split;
	if (m->nents == m->capents) {
		ncap = m->capents ? m->capents * 2 : 64;
		if ((ne = realloc(m->ents, ncap * sizeof(*ne))) == NULL)
			return QPM_ENOMEM;
		m->ents = ne;
		m->capents = ncap;
	}
	e = &m->ents[m->nents];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->user_qmail = user_qmail;
	e->file = file;
	e->line = line;
	e->text = text;
	e->domain = at + 1;
	if (match != NULL && strcmp(match, "catchall") == 0) {
		if (index_add(m->catchall, e->domain, m->nents) < 0)
			return QPM_ENOMEM;
	} else if (match != NULL && strcmp(match, "prefix") == 0) {
		if ((star = strchr(a, '*')) == NULL || star > at)
			return 0;
		if (qpm_snprintf(buf, sizeof(buf), "%.*s", (int)(star - a), a) < 0 ||
		    (e->prefix = lower_dup(m, buf)) == NULL)
			return QPM_ENOMEM;
		if ((np = realloc(m->prefixes, (m->nprefixes + 1) *
		    sizeof(*np))) == NULL)
			return QPM_ENOMEM;
		m->prefixes = np;
		m->prefixes[m->nprefixes++] = m->nents;
	} else if (index_add(m->exact, a, m->nents) < 0)
		return QPM_ENOMEM;
	m->nents++;
	return 0;
}

/* Marks FILE:LINE as a line that is no alias or forward target. */
static int
busy_add(struct rh_model *m, const char *file, long line)
{
	char key[4200];

	if (file == NULL || qpm_snprintf(key, sizeof(key), "%s:%ld", file,
	    line) < 0)
		return 0;
	return json_object_set_new(m->busy, key, json_true()) < 0 ?
	    QPM_ENOMEM : 0;
}

/* The line of each target of a forward or alias group: its "lines" in
 * order, less those that are programs, discards, bounces or listed
 * (added before); -1 when they do not add up (file order unknown). */
static long
target_line(const struct rh_model *m, json_t *it, const char *file,
    size_t want, size_t k)
{
	json_t *v;
	char key[4200];
	size_t i, n = 0;
	long line, found = -1;

	json_array_foreach(json_object_get(it, "lines"), i, v) {
		line = (long)json_integer_value(v);
		if (file != NULL && qpm_snprintf(key, sizeof(key), "%s:%ld",
		    file, line) >= 0 && json_object_get(m->busy, key) != NULL)
			continue;
		if (n++ == k)
			found = line;
	}
	return n == want ? found : -1;
}

/* aliases and forwards: one K_TARGET entry per target, at its line */
static int
add_targets(struct rh_model *m, const char *key)
{
	json_t *it, *t, *targets;
	const char *file, *origin;
	size_t i, k;
	long line, srcline;
	int e;

	json_array_foreach(json_object_get(m->root, key), i, it) {
		if ((e = src_split(m, qpm_json_opt_str(it, "source"), &file,
		    &srcline)) == QPM_ENOMEM)
			return e;
		origin = qpm_json_opt_str(it, "origin");
		targets = json_object_get(it, "targets");
		json_array_foreach(targets, k, t) {
			if (json_string_value(t) == NULL)
				continue;
			line = target_line(m, it, file, json_array_size(targets), k);
			if ((e = entry_add(m, K_TARGET, qpm_json_opt_str(it,
			    "address"), qpm_json_opt_str(it, "match"), file,
			    line < 0 ? srcline : line, in_home(m, file, origin),
			    json_string_value(t))) < 0)
				return e;
		}
	}
	return 0;
}

/* pipes, discards, bounces: one entry each, its line marked busy */
static int
add_list(struct rh_model *m, const char *key, enum rh_kind kind,
    const char *textkey)
{
	json_t *arr = json_object_get(m->root, key), *it;
	const char *file;
	size_t i;
	long line;
	int e;

	json_array_foreach(arr, i, it) {
		if ((e = src_split(m, qpm_json_opt_str(it, "source"), &file,
		    &line)) == QPM_ENOMEM || (e = busy_add(m, file, line)) < 0)
			return e;
		e = entry_add(m, kind, qpm_json_opt_str(it, "address"),
		    qpm_json_opt_str(it, "match"), file, line,
		    in_home(m, file, qpm_json_opt_str(it, "origin")),
		    textkey ? qpm_json_opt_str(it, textkey) : NULL);
		if (e < 0)
			return e;
	}
	return 0;
}

/* A listed .qmail line becomes an entry of kind K_LISTED at the address
 * its file served: DOMAINDIR/.qmail-EXT, HOME/.qmail[-EXT], ~alias. */
static int
listed_address(const struct rh_model *m, const char *src, char *addr,
    size_t addrlen, const char **match)
{
	char path[4096], ext[512];
	const char *slash, *dom, *owner, *at;
	char *p, *colon;
	size_t n;
	int own;

	if (qpm_snprintf(path, sizeof(path), "%s", src) < 0)
		return -1;
	/* "FILE:LINE"; dots in .qmail names are colons already */
	if ((colon = strrchr(path, ':')) != NULL && colon[1] != '\0' &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1))
		*colon = '\0';
	if ((slash = strrchr(path, '/')) == NULL ||
	    strncmp(slash + 1, ".qmail", 6) != 0)
		return -1;
	own = slash[7] == '\0';
	if (!own && slash[7] != '-')
		return -1;
	if (qpm_snprintf(ext, sizeof(ext), "%s", own ? "" : slash + 8) < 0)
		return -1;
	for (p = ext; *p != '\0'; p++)
		*p = *p == ':' ? '.' : (char)tolower((unsigned char)*p);
	path[slash - path] = '\0';
	n = strlen(ext);
	*match = "exact";
	if ((dom = json_string_value(json_object_get(m->dirs, path))) != NULL) {
		if (own)
			return -1;
		if (strcmp(ext, "default") == 0) {
			*match = "catchall";
			return qpm_snprintf(addr, addrlen, "@%s", dom);
		}
		if (n > 8 && strcmp(ext + n - 8, "-default") == 0) {
			*match = "prefix";
			return qpm_snprintf(addr, addrlen, "%.*s*@%s",
			    (int)(n - 7), ext, dom);
		}
		return qpm_snprintf(addr, addrlen, "%s@%s", ext, dom);
	}
	if ((owner = json_string_value(json_object_get(m->homes, path))) == NULL ||
	    (at = strrchr(owner, '@')) == NULL)
		return -1;
	if (own)
		return qpm_snprintf(addr, addrlen, "%s", owner);
	if (strcmp(ext, "default") == 0) {
		*match = "prefix";
		return qpm_snprintf(addr, addrlen, "%.*s-*%s", (int)(at - owner),
		    owner, at);
	}
	if (n > 8 && strcmp(ext + n - 8, "-default") == 0) {
		*match = "prefix";
		return qpm_snprintf(addr, addrlen, "%.*s-%.*s*%s",
		    (int)(at - owner), owner, (int)(n - 7), ext, at);
	}
	return qpm_snprintf(addr, addrlen, "%.*s-%s%s", (int)(at - owner), owner,
	    ext, at);
}

static int
add_listed(struct rh_model *m)
{
	json_t *arr = json_object_get(m->root, "listed"), *it;
	char addr[QPM_MAX_ADDRESS + 16], text[1024];
	const char *src, *cat, *why, *what, *match, *file;
	size_t i;
	long line;
	int e;

	json_array_foreach(arr, i, it) {
		cat = qpm_json_opt_str(it, "category");
		src = qpm_json_opt_str(it, "source");
		if (cat == NULL || strcmp(cat, ".qmail lines") != 0 || src == NULL ||
		    listed_address(m, src, addr, sizeof(addr), &match) < 0)
			continue;
		why = qpm_json_opt_str(it, "reason");
		what = qpm_json_opt_str(it, "what");
		if (qpm_snprintf(text, sizeof(text), "%s: %s: %s", src,
		    what ? what : "line", why ? why : "not converted") < 0)
			continue;
		if ((why = lower_dup(m, text)) == NULL)
			return QPM_ENOMEM;
		if ((e = src_split(m, src, &file, &line)) == QPM_ENOMEM ||
		    (e = busy_add(m, file, line)) < 0 ||
		    (e = entry_add(m, K_LISTED, addr, match, file, line,
		    in_home(m, file, NULL), why)) < 0)
			return e;
	}
	return 0;
}

struct rh_model *
rh_model_new(json_t *root, struct qstr *err)
{
	struct rh_model *m;
	json_t *it;
	const char *name, *a, *home;
	size_t i;

	if (!json_is_object(root) || !json_is_array(json_object_get(root,
	    "mailboxes")) || !json_is_array(json_object_get(root, "domains"))) {
		qstr_cat(err, "not a qmail2postfix migration model "
		    "(no mailboxes or domains)");
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->root = json_incref(root);
	/* a model without the key was written when qmail-ext was assumed */
	m->qmail_ext = !json_is_false(json_object_get(json_object_get(root,
	    "vpopmail_build"), "qmail_ext"));
	m->domains = json_object();
	m->mailboxes = json_object();
	m->homes = json_object();
	m->dirs = json_object();
	m->exact = json_object();
	m->catchall = json_object();
	m->busy = json_object();
	if (!m->domains || !m->mailboxes || !m->homes || !m->dirs ||
	    !m->exact || !m->catchall || !m->busy)
		goto fail;
	json_array_foreach(json_object_get(root, "domains"), i, it) {
		if ((name = qpm_json_opt_str(it, "name")) == NULL ||
		    (name = lower_dup(m, name)) == NULL)
			continue;
		json_object_set(m->domains, name, it);
		if ((a = qpm_json_opt_str(it, "dir")) != NULL)
			json_object_set_new(m->dirs, a, json_string(name));
	}
	json_array_foreach(json_object_get(root, "mailboxes"), i, it) {
		if ((a = qpm_json_opt_str(it, "address")) == NULL ||
		    (a = lower_dup(m, a)) == NULL)
			continue;
		json_object_set(m->mailboxes, a, it);
		if ((home = qpm_json_opt_str(it, "home")) != NULL)
			json_object_set_new(m->homes, home, json_string(a));
	}
	/* the other lines first: the targets' lines are what is left */
	if (add_list(m, "pipes", K_PIPE, "command") < 0 ||
	    add_list(m, "discards", K_DISCARD, NULL) < 0 ||
	    add_list(m, "bounces", K_BOUNCE, "text") < 0 ||
	    add_listed(m) < 0 ||
	    add_targets(m, "aliases") < 0 ||
	    add_targets(m, "forwards") < 0)
		goto fail;
	return m;
fail:
	qstr_cat(err, "out of memory");
	rh_model_free(m);
	return NULL;
}

void
rh_model_free(struct rh_model *m)
{
	if (m == NULL)
		return;
	json_decref(m->domains);
	json_decref(m->mailboxes);
	json_decref(m->homes);
	json_decref(m->dirs);
	json_decref(m->exact);
	json_decref(m->catchall);
	json_decref(m->busy);
	json_decref(m->root);
	strlist_free(&m->pool);
	free(m->ents);
	free(m->prefixes);
	free(m);
}

/* ----------------------------------------------------------- resolving */

struct rh_acc {
	int		 bounced, deferred, discarded;
	struct strlist	 seen;
	const json_t	*runs;		/* the programs' runs, with exit codes */
	struct rh_result *r;
};

static int resolve(const struct rh_model *, const char *, int, struct rh_acc *);

static void
note(struct rh_acc *acc, const char *who, const char *what)
{
	if (acc->r->detail.len > 0)
		qstr_cat(&acc->r->detail, "; ");
	qstr_catf(&acc->r->detail, "%s: %s", who, what);
}

static int
deliver_mailbox(const struct rh_model *m, const char *key, struct rh_acc *acc)
{
	json_t *mb = json_object_get(m->mailboxes, key);

	if (json_is_false(json_object_get(mb, "receives_mail"))) {
		acc->bounced = 1;
		note(acc, key, "vpopmail BOUNCE_MAIL");
		return 0;
	}
	return strlist_add_unique(&acc->r->mailboxes, key);
}

/* The exit code the program of FILE:LINE gave in this rehearsal (the
 * program, or its --programs stand-in, decides it as it did on the old
 * host); 0 when it did not run, as the recorder alone exits. */
static int
program_exit(const struct rh_acc *acc, const struct rh_entry *e)
{
	const json_t *run;
	const char *f;
	size_t i;

	json_array_foreach(acc->runs, i, run) {
		f = json_string_value(json_object_get(run, "file"));
		if (f != NULL && e->file != NULL && strcmp(f, e->file) == 0 &&
		    json_integer_value(json_object_get(run, "line")) == e->line)
			return (int)json_integer_value(json_object_get(run,
			    "exit"));
	}
	return 0;
}

/* qmail-local's (and vdelivermail's) reading of a program's exit code:
 * 0 next line, 99 stop here, 100 and 64/65/70/76/77/78/112 bounce,
 * anything else defer (qmail-command(8)) */
enum rh_line { L_NEXT, L_STOP, L_BOUNCE, L_DEFER };

static enum rh_line
program_line(const struct rh_entry *e, struct rh_acc *acc, const char *self)
{
	char what[64];
	int x = program_exit(acc, e);

	if (x == 0)
		return L_NEXT;
	qpm_snprintf(what, sizeof(what), "a program exited %d", x);
	note(acc, self, what);
	switch (x) {
	case 99:
		return L_STOP;
	case 64: case 65: case 70: case 76: case 77: case 78: case 100:
	case 112:
		acc->bounced = 1;
		return L_BOUNCE;
	}
	acc->deferred = 1;
	return L_DEFER;
}

/* One target line: a path (a Maildir or folder), the address's own
 * mailbox, else another address: resolved at once, or (qmail-local)
 * kept in fwd for the end of the file */
static int
target(const struct rh_model *m, const char *s, const char *self,
    int depth, struct strlist *fwd, struct rh_acc *acc)
{
	if (strchr(s, '@') == NULL)
		return strlist_add_unique(&acc->r->mailboxes, s);
	if (strcasecmp(s, self) == 0 && json_object_get(m->mailboxes,
	    self) != NULL)
		return deliver_mailbox(m, self, acc);
	if (fwd != NULL)
		return strlist_add(fwd, s);
	return resolve(m, s, depth + 1, acc);
}

/* The lines v[0..n) of one .qmail file, in file order, as qmail-local
 * ran them: forwards go out once after the last line, and not at all
 * when a line bounced or deferred; vdelivermail (a file in the user's
 * directory) forwards each at once. */
static int
run_file(const struct rh_model *m, const size_t *v, size_t n,
    const char *self, int depth, struct rh_acc *acc)
{
	struct strlist fwd = { 0 };
	const struct rh_entry *e;
	enum rh_line end = L_NEXT;
	size_t k;
	int err = 0;

	for (k = 0; k < n && end == L_NEXT && err >= 0; k++) {
		e = &m->ents[v[k]];
		switch (e->kind) {
		case K_TARGET:
			err = target(m, e->text, self, depth, e->user_qmail ?
			    NULL : &fwd, acc);
			break;
		case K_PIPE:
			if ((err = strlist_add_unique(&acc->r->pipes, e->text ?
			    e->text : "?")) >= 0)
				end = program_line(e, acc, self);
			break;
		case K_DISCARD:
			acc->discarded = 1;
			note(acc, self, "deleted");
			break;
		case K_BOUNCE:
			acc->bounced = 1;
			note(acc, self, "bounced");
			end = L_BOUNCE;
			break;
		case K_LISTED:
			err = strlist_add_unique(&acc->r->not_converted, e->text);
			break;
		}
	}
	for (k = 0; err >= 0 && (end == L_NEXT || end == L_STOP) &&
	    k < fwd.n; k++)
		err = resolve(m, fwd.v[k], depth + 1, acc);
	strlist_free(&fwd);
	return err;
}

/* The entries of idx from one file (the first one's; qmail-local reads
 * one file per address), in line order; user: only files in a user's
 * directory, else only the others.  The number of lines run, or a
 * negative qpm_err. */
static int
run_index(const struct rh_model *m, json_t *idx, const char *self,
    int user, int depth, struct rh_acc *acc)
{
	const struct rh_entry *e, *first = NULL;
	size_t i, k, n = 0, *v, t;
	json_t *x;
	int err;

	if ((v = calloc(json_array_size(idx) + 1, sizeof(*v))) == NULL)
		return QPM_ENOMEM;
	json_array_foreach(idx, i, x) {
		k = (size_t)json_integer_value(x);
		if (k >= m->nents || m->ents[k].user_qmail != user)
			continue;
		e = &m->ents[k];
		if (first == NULL)
			first = e;
		else if ((e->file == NULL) != (first->file == NULL) ||
		    (e->file != NULL && strcmp(e->file, first->file) != 0))
			continue;
		/* insertion by line, stable */
		for (t = n++; t > 0 && m->ents[v[t - 1]].line > e->line; t--)
			v[t] = v[t - 1];
		v[t] = k;
	}
	err = n > 0 ? run_file(m, v, n, self, depth, acc) : 0;
	free(v);
	return err < 0 ? err : (int)n;
}

/* The longest .qmail-PREFIX-default of dom matching local (user: in a
 * user's directory): its lines, as run_index */
static int
run_prefix(const struct rh_model *m, const char *local, const char *dom,
    const char *self, int user, int depth, struct rh_acc *acc)
{
	const struct rh_entry *e;
	const char *best = NULL;
	json_t *idx;
	size_t i, n, bestlen = 0, llen = strlen(local);
	int err;

	for (i = 0; i < m->nprefixes; i++) {
		e = &m->ents[m->prefixes[i]];
		n = strlen(e->prefix);
		if (e->user_qmail != user || strcmp(e->domain, dom) != 0 ||
		    n >= llen || strncmp(local, e->prefix, n) != 0 ||
		    n < bestlen)
			continue;
		best = e->prefix;
		bestlen = n;
	}
	if (best == NULL || (idx = json_array()) == NULL)
		return best == NULL ? 0 : QPM_ENOMEM;
	for (i = 0; i < m->nprefixes; i++) {
		e = &m->ents[m->prefixes[i]];
		if (e->user_qmail == user && strcmp(e->domain, dom) == 0 &&
		    strcmp(e->prefix, best) == 0 &&
		    json_array_append_new(idx, json_integer((json_int_t)
		    m->prefixes[i])) < 0)
			break;
	}
	err = run_index(m, idx, self, user, depth, acc);
	json_decref(idx);
	return err;
}

/* vdelivermail's valias rows (vpopmail's MySQL backend) for user, whose
 * lookup (QMAIL_EXT) stripped key's extension: process_valias() runs
 * before the user's own files.  As run_index; 0 when user has none. */
static int
run_valias(const struct rh_model *m, const char *user, const char *key,
    int depth, struct rh_acc *acc)
{
	json_t *idx = json_object_get(m->exact, user), *rows, *x;
	const struct rh_entry *e;
	size_t i, k;
	int err;

	if (idx == NULL || (rows = json_array()) == NULL)
		return idx == NULL ? 0 : QPM_ENOMEM;
	json_array_foreach(idx, i, x) {
		k = (size_t)json_integer_value(x);
		e = k < m->nents ? &m->ents[k] : NULL;
		if (e != NULL && !e->user_qmail && e->file != NULL &&
		    strstr(e->file, ".valias[") != NULL &&
		    json_array_append(rows, x) < 0) {
			json_decref(rows);
			return QPM_ENOMEM;
		}
	}
	err = run_index(m, rows, key, 0, depth, acc);
	json_decref(rows);
	return err;
}

/* vdelivermail for the vpopmail user (user@dom) of key: its valias rows
 * when key had an extension, BOUNCE_MAIL, then in the user's directory (QMAIL_EXT and an extension: key's
 * .qmail-EXT, the longest .qmail-PREFIX-default) .qmail, else the
 * Maildir */
static int
vdeliver(const struct rh_model *m, const char *user, const char *key,
    const char *local, const char *dom, int depth, struct rh_acc *acc)
{
	json_t *mb = json_object_get(m->mailboxes, user), *idx;
	int err;

	if (strcmp(user, key) != 0 &&
	    (err = run_valias(m, user, key, depth, acc)) != 0)
		return err < 0 ? err : 0;
	if (json_is_false(json_object_get(mb, "receives_mail")))
		return deliver_mailbox(m, user, acc);
	if (strcmp(user, key) != 0) {
		if ((idx = json_object_get(m->exact, key)) != NULL &&
		    (err = run_index(m, idx, key, 1, depth, acc)) != 0)
			return err < 0 ? err : 0;
		if ((err = run_prefix(m, local, dom, key, 1, depth, acc)) != 0)
			return err < 0 ? err : 0;
	}
	if ((idx = json_object_get(m->exact, user)) != NULL &&
	    (err = run_index(m, idx, user, 1, depth, acc)) != 0)
		return err < 0 ? err : 0;
	return deliver_mailbox(m, user, acc);
}

static int
resolve(const struct rh_model *m, const char *addr, int depth,
    struct rh_acc *acc)
{
	char low[QPM_MAX_ADDRESS + 1], key[QPM_MAX_ADDRESS + 1],
	    base[QPM_MAX_ADDRESS + 1];
	const char *local, *dom, *kind, *target;
	json_t *d, *idx;
	size_t n;
	long split;
	char *p;
	int err;

	if (depth > RH_MAX_DEPTH) {
		acc->bounced = 1;
		note(acc, addr, "alias chain too deep (a loop)");
		return 0;
	}
	if ((n = strlen(addr)) >= sizeof(low))
		return QPM_ERANGE;
	memcpy(low, addr, n + 1);
	for (p = low; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((split = addr_split(low, n)) < 0) {
		acc->bounced = 1;
		note(acc, addr, "not an address");
		return 0;
	}
	low[split] = '\0';
	local = low;
	dom = low + split + 1;
	d = json_object_get(m->domains, dom);
	kind = qpm_json_opt_str(d, "kind");
	if (d == NULL || kind == NULL) {
		if (depth == 0) {
			acc->bounced = 1;
			note(acc, dom, "not a domain of the old host");
			return 0;
		}
		return strlist_add_unique(&acc->r->forwards, addr);
	}
	if (strcmp(kind, "relay") == 0)
		return strlist_add_unique(&acc->r->forwards, addr);
	if (strcmp(kind, "alias") == 0 &&
	    qpm_json_opt_str(d, "alias_of") != NULL) {
		dom = qpm_json_opt_str(d, "alias_of");
		d = json_object_get(m->domains, dom);
	}
	if (qpm_snprintf(key, sizeof(key), "%s@%s", local, dom) < 0)
		return QPM_ERANGE;
	if (strlist_has(&acc->seen, key)) {
		if (json_object_get(m->mailboxes, key) != NULL)
			return deliver_mailbox(m, key, acc);
		acc->bounced = 1;
		note(acc, key, "alias loop");
		return 0;
	}
	if ((err = strlist_add(&acc->seen, key)) < 0)
		return err;
	/* qmail-local: the domain's (or ~alias's) .qmail-EXT, then the
	 * longest .qmail-PREFIX-default */
	if ((idx = json_object_get(m->exact, key)) != NULL &&
	    (err = run_index(m, idx, key, 0, depth, acc)) != 0)
		return err < 0 ? err : 0;
	if ((err = run_prefix(m, local, dom, key, 0, depth, acc)) != 0)
		return err < 0 ? err : 0;
	/* .qmail-default, vdelivermail: the user, then (QMAIL_EXT) the
	 * user before the first '-' */
	if (json_object_get(m->mailboxes, key) != NULL)
		return vdeliver(m, key, key, local, dom, depth, acc);
	if (m->qmail_ext && (p = strchr(local, '-')) != NULL && p > local &&
	    qpm_snprintf(base, sizeof(base), "%.*s@%s", (int)(p - local), local,
	    dom) >= 0 && json_object_get(m->mailboxes, base) != NULL)
		return vdeliver(m, base, key, local, dom, depth, acc);
	/* .qmail-default's lines, else vdelivermail's last argument */
	if ((idx = json_object_get(m->catchall, dom)) != NULL &&
	    (err = run_index(m, idx, key, 0, depth, acc)) != 0)
		return err < 0 ? err : 0;
	kind = qpm_json_opt_str(d, "unknown_users");
	target = qpm_json_opt_str(d, "catchall_target");
	if (kind != NULL && strcmp(kind, "delete") == 0) {
		acc->discarded = 1;
		note(acc, key, "unknown user, deleted (.qmail-default)");
		return 0;
	}
	if (kind != NULL && (strcmp(kind, "forward") == 0 ||
	    strcmp(kind, "mailbox") == 0) && target != NULL)
		return resolve(m, target, depth + 1, acc);
	acc->bounced = 1;
	kind = qpm_json_opt_str(d, "kind");
	note(acc, key, kind != NULL && strcmp(kind, "local") == 0 ?
	    "no such user (qmail-local: no ~alias/.qmail-EXT or "
	    ".qmail-default)" : "no such user");
	return 0;
}

int
rh_model_expect_runs(const struct rh_model *m, const char *addr,
    const json_t *runs, struct rh_result *out)
{
	struct rh_acc acc;
	size_t got;
	int e;

	memset(&acc, 0, sizeof(acc));
	acc.r = out;
	acc.runs = runs;
	e = resolve(m, addr, 0, &acc);
	strlist_free(&acc.seen);
	if (e < 0)
		return e;
	strlist_sort(&out->mailboxes, 1);
	strlist_sort(&out->forwards, 1);
	strlist_sort(&out->pipes, 0);
	got = out->mailboxes.n + out->forwards.n;
	/* as the rehearsal tells them: still queued, a bounce and nothing
	 * kept, something got it, dropped on purpose */
	if (acc.deferred)
		out->outcome = RH_DEFERRED;
	else if (acc.bounced && got == 0)
		out->outcome = RH_BOUNCED;
	else if (got + out->pipes.n > 0)
		out->outcome = RH_DELIVERED;
	else if (acc.bounced || out->not_converted.n > 0)
		out->outcome = RH_BOUNCED;
	else if (acc.discarded)
		out->outcome = RH_DISCARDED;
	else
		out->outcome = RH_BOUNCED;
	return 0;
}

int
rh_model_expect(const struct rh_model *m, const char *addr,
    struct rh_result *out)
{
	return rh_model_expect_runs(m, addr, NULL, out);
}

/* ------------------------------------------------------------- probes */

static int
probe_add(struct strlist *out, json_t *seen, const char *a)
{
	if (a == NULL || json_object_get(seen, a) != NULL)
		return 0;
	if (out->n >= RH_MAX_PROBES)
		return QPM_ERANGE;
	if (json_object_set_new(seen, a, json_true()) < 0)
		return QPM_ENOMEM;
	return strlist_add(out, a);
}

int
rh_model_probes(const struct rh_model *m, struct strlist *out)
{
	static const char *const lists[] = { "aliases", "forwards", "pipes",
	    "discards", "bounces" };
	char buf[QPM_MAX_ADDRESS + 32];
	json_t *seen, *firsts, *it, *d, *mb;
	const char *a, *name, *kind, *match, *star, *at, *real, *origin;
	const char *fa;
	size_t i, j, k;
	int e = 0;

	seen = json_object();
	firsts = json_object();
	if (seen == NULL || firsts == NULL) {
		json_decref(seen);
		json_decref(firsts);
		return QPM_ENOMEM;
	}
	json_array_foreach(json_object_get(m->root, "mailboxes"), i, it)
		if ((e = probe_add(out, seen, qpm_json_opt_str(it,
		    "address"))) < 0)
			goto out;
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		json_array_foreach(json_object_get(m->root, lists[k]), i, it) {
			a = qpm_json_opt_str(it, "address");
			match = qpm_json_opt_str(it, "match");
			if (a == NULL || match == NULL)
				continue;
			if (strcmp(match, "exact") == 0)
				e = probe_add(out, seen, a);
			else if (strcmp(match, "prefix") == 0 &&
			    (star = strchr(a, '*')) != NULL) {
				if (qpm_snprintf(buf, sizeof(buf), "%.*sq2p.probe%s",
				    (int)(star - a), a, star + 1) < 0)
					continue;
				e = probe_add(out, seen, buf);
			}
			if (e < 0)
				goto out;
		}
	}
	/* the user before the first '-': users with a .qmail of their own,
	 * and the first mailbox of each domain */
	json_array_foreach(json_object_get(m->root, "mailboxes"), i, mb) {
		a = qpm_json_opt_str(mb, "address");
		if (a == NULL || (at = strrchr(a, '@')) == NULL ||
		    strchr(a, '-') != NULL)
			continue;
		origin = "";
		json_array_foreach(json_object_get(m->root, "forwards"), j, it)
			if ((fa = qpm_json_opt_str(it, "address")) != NULL &&
			    strcasecmp(fa, a) == 0 &&
			    qpm_json_opt_str(it, "origin") != NULL)
				origin = qpm_json_opt_str(it, "origin");
		if (strcmp(origin, "user .qmail") != 0) {
			if (json_object_get(firsts, at + 1) != NULL)
				continue;
			json_object_set_new(firsts, at + 1, json_true());
		}
		if (qpm_snprintf(buf, sizeof(buf), "%.*s-q2p.probe%s",
		    (int)(at - a), a, at) < 0)
			continue;
		if ((e = probe_add(out, seen, buf)) < 0)
			goto out;
	}
	/* postmaster and an unknown user of every domain; alias domains
	 * get the real domain's .qmail addresses too */
	json_array_foreach(json_object_get(m->root, "domains"), i, d) {
		name = qpm_json_opt_str(d, "name");
		kind = qpm_json_opt_str(d, "kind");
		if (name == NULL || kind == NULL)
			continue;
		if (strcmp(kind, "relay") == 0) {
			if (qpm_snprintf(buf, sizeof(buf), "q2p.probe@%s", name) >= 0 &&
			    (e = probe_add(out, seen, buf)) < 0)
				goto out;
			continue;
		}
		if ((qpm_snprintf(buf, sizeof(buf), "postmaster@%s", name) >= 0 &&
		    (e = probe_add(out, seen, buf)) < 0) ||
		    (qpm_snprintf(buf, sizeof(buf), "q2p.nosuchuser@%s", name) >= 0 &&
		    (e = probe_add(out, seen, buf)) < 0))
			goto out;
		if (strcmp(kind, "alias") != 0 ||
		    (real = qpm_json_opt_str(d, "alias_of")) == NULL)
			continue;
		for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
			json_array_foreach(json_object_get(m->root, lists[k]), j, it) {
				a = qpm_json_opt_str(it, "address");
				match = qpm_json_opt_str(it, "match");
				if (a == NULL || match == NULL ||
				    strcmp(match, "exact") != 0 ||
				    (at = strrchr(a, '@')) == NULL ||
				    strcasecmp(at + 1, real) != 0)
					continue;
				if (qpm_snprintf(buf, sizeof(buf), "%.*s@%s",
				    (int)(at - a), a, name) >= 0 &&
				    (e = probe_add(out, seen, buf)) < 0)
					goto out;
			}
		}
	}
out:
	json_decref(seen);
	json_decref(firsts);
	return e < 0 ? e : 0;
}

int
rh_model_login(const struct rh_model *m, const char *addr, const char *proto)
{
	char low[QPM_MAX_ADDRESS + 1];
	json_t *mb, *v;
	size_t n;
	int remote;

	if ((n = strlen(addr)) >= sizeof(low))
		return -1;
	for (n = 0; addr[n] != '\0'; n++)
		low[n] = (char)tolower((unsigned char)addr[n]);
	low[n] = '\0';
	if ((mb = json_object_get(m->mailboxes, low)) == NULL)
		return -1;
	/* a crypt hash cut short matches no password: vchkpw refused them */
	if ((v = json_object_get(mb, "hash_scheme")) != NULL &&
	    json_is_string(v) && strcmp(json_string_value(v), "cut") == 0)
		return 0;
	n = strlen(proto);
	remote = n > 7 && strcmp(proto + n - 7, "_remote") == 0;
	if (strncmp(proto, "smtp", 4) == 0)
		v = json_object_get(mb, "smtp_auth");
	/* from 127.0.0.1 vchkpw classed POP3 and IMAP as webmail, where
	 * NO_WEBMAIL applies and NO_POP and NO_IMAP do not (a model
	 * without "webmail": the protocol's); from any other address the
	 * protocol's own flag */
	else if (remote || (v = json_object_get(mb, "webmail")) == NULL)
		v = json_object_get(mb, strncmp(proto, "imap", 4) == 0 ?
		    "imap" : "pop3");
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

/* ---------------------------------------------------------- comparing */

static void
diff_list(const char *field, const struct strlist *want,
    const struct strlist *got, struct qstr *why)
{
	if (strlist_equal(want, got))
		return;
	qstr_catf(why, "%s: want ", field);
	strlist_join(want, ",", why);
	qstr_cat(why, ", got ");
	strlist_join(got, ",", why);
	qstr_cat(why, "; ");
}

int
rh_compare(const struct rh_result *want, const struct rh_result *got,
    struct qstr *why)
{
	size_t before = why->len;

	if (want->outcome != got->outcome)
		qstr_catf(why, "outcome: want %s, got %s; ",
		    rh_outcome_name(want->outcome), rh_outcome_name(got->outcome));
	diff_list("mailboxes", &want->mailboxes, &got->mailboxes, why);
	diff_list("forwards", &want->forwards, &got->forwards, why);
	diff_list("pipes", &want->pipes, &got->pipes, why);
	if (why->len >= before + 2 && why->len > before) {
		why->len -= 2;		/* the last "; " */
		why->buf[why->len] = '\0';
	}
	return why->len == before;
}
