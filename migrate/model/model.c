/*
 * NAME		model - pool strings, flat item arrays, indexes by name
 * DOES		keeps 100,000 mailboxes in a few tens of MB: one pool for
 *		all strings, one array per item kind, open-addressing indexes
 * NEVER	prints a password hash or a cleartext password
 */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migrate/model/model.h"
#include "util/msg.h"
#include "util/qstr.h"

#define POOL_CHUNK	(1024 * 1024)

struct pool_chunk {
	struct pool_chunk	*next;
	size_t			 used, cap;
	char			 data[];
};

const char *const model_cat_names[CAT_N] = {
	"control files", "users/assign", "vpasswd entries", ".qmail lines",
	"domains", "vpopmail limits", "connection limits"
};

static void *
pool_alloc(struct model *m, size_t n)
{
	struct pool_chunk *c = m->pool;
	size_t cap;

	if (c == NULL || c->cap - c->used < n) {
		cap = n > POOL_CHUNK / 4 ? n : POOL_CHUNK;
		if (cap > SIZE_MAX - sizeof(*c) ||
		    (c = malloc(sizeof(*c) + cap)) == NULL) {
			m->nomem = 1;
			return NULL;
		}
		c->used = 0;
		c->cap = cap;
		if (cap == n && m->pool != NULL) {
			/* a big string: keep the current chunk on top */
			c->next = m->pool->next;
			m->pool->next = c;
		} else {
			c->next = m->pool;
			m->pool = c;
		}
	}
	c->used += n;
	return c->data + c->used - n;
}

const char *
model_strndup(struct model *m, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || (p = pool_alloc(m, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

const char *
model_strdup(struct model *m, const char *s)
{
	return s == NULL ? NULL : model_strndup(m, s, strlen(s));
}

const char *
model_lower(struct model *m, const char *s, size_t n)
{
	char *p;
	size_t i;

	if ((p = (char *)model_strndup(m, s, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	return p;
}

const char *
model_printf(struct model *m, const char *fmt, ...)
{
	va_list ap;
	char small[512], *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(small))
		return model_strndup(m, small, (size_t)n);
	if ((p = pool_alloc(m, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void *
vec_add(struct model *m, struct vec *v, size_t size)
{
	size_t ncap;
	void *nv;

	if (v->n == v->cap) {
		ncap = v->cap ? v->cap * 2 : 16;
		if (ncap > SIZE_MAX / size ||
		    (nv = realloc(v->v, ncap * size)) == NULL) {
			m->nomem = 1;
			return NULL;
		}
		v->v = nv;
		v->cap = ncap;
	}
	v->size = size;
	nv = (char *)v->v + v->n++ * size;
	memset(nv, 0, size);
	return nv;
}

/* --- string -> index maps (open addressing, FNV-1a) ---------------- */

static size_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static int
strmap_grow(struct strmap *sm)
{
	struct strmap n;
	size_t i, j;

	n.cap = sm->cap ? sm->cap * 2 : 64;
	n.n = sm->n;
	if (n.cap > SIZE_MAX / sizeof(size_t) ||
	    (n.keys = calloc(n.cap, sizeof(*n.keys))) == NULL)
		return -1;
	if ((n.vals = calloc(n.cap, sizeof(*n.vals))) == NULL) {
		free(n.keys);
		return -1;
	}
	for (i = 0; i < sm->cap; i++) {
		if (sm->keys[i] == NULL)
			continue;
		for (j = str_hash(sm->keys[i]) & (n.cap - 1); n.keys[j];
		    j = (j + 1) & (n.cap - 1))
			;
		n.keys[j] = sm->keys[i];
		n.vals[j] = sm->vals[i];
	}
	free(sm->keys);
	free(sm->vals);
	*sm = n;
	return 0;
}

/* Returns 1 and *val when found. */
static int
strmap_get(const struct strmap *sm, const char *key, size_t *val)
{
	size_t j;

	if (sm->cap == 0)
		return 0;
	for (j = str_hash(key) & (sm->cap - 1); sm->keys[j];
	    j = (j + 1) & (sm->cap - 1)) {
		if (strcmp(sm->keys[j], key) == 0) {
			*val = sm->vals[j];
			return 1;
		}
	}
	return 0;
}

/* key must live in the pool; the first value put for a key stays. */
static int
strmap_put(struct model *m, struct strmap *sm, const char *key, size_t val)
{
	size_t j;

	if (key == NULL)
		return -1;
	if ((sm->n + 1) * 2 > sm->cap && strmap_grow(sm) < 0) {
		m->nomem = 1;
		return -1;
	}
	for (j = str_hash(key) & (sm->cap - 1); sm->keys[j];
	    j = (j + 1) & (sm->cap - 1))
		if (strcmp(sm->keys[j], key) == 0)
			return 0;
	sm->keys[j] = key;
	sm->vals[j] = val;
	sm->n++;
	return 0;
}

static void
strmap_free(struct strmap *sm)
{
	free(sm->keys);
	free(sm->vals);
	memset(sm, 0, sizeof(*sm));
}

/* --- model ---------------------------------------------------------- */

struct model *
model_new(void)
{
	struct model *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	limits_init(&m->climits);
	/* what this tool always assumed, until the old host says */
	m->qmail_ext = 1;
	m->qmail_ext_from = BUILD_ASSUMED;
	return m;
}

void
model_free(struct model *m)
{
	struct pool_chunk *c, *n;

	if (m == NULL)
		return;
	for (c = m->pool; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	free(m->domains.v);
	free(m->mailboxes.v);
	free(m->rules.v);
	free(m->settings.v);
	free(m->entries.v);
	free(m->limits.v);
	free(m->listed.v);
	free(m->notes.v);
	free(m->files.v);
	free(m->assigns.v);
	strmap_free(&m->dom_idx);
	strmap_free(&m->mbox_idx);
	strmap_free(&m->home_idx);
	strmap_free(&m->file_idx);
	limits_free(&m->climits);
	free(m);
}

const char *
model_file(struct model *m, const char *name)
{
	const char *p;
	size_t i;

	/* names are the old host's absolute paths */
	if (name[0] != '/' && (name = model_printf(m, "/%s", name)) == NULL)
		return NULL;
	if (strmap_get(&m->file_idx, name, &i))
		return ((const char **)m->files.v)[i];
	if ((p = model_strdup(m, name)) == NULL)
		return NULL;
	{
		const char **slot = vec_add(m, &m->files, sizeof(*slot));

		if (slot == NULL)
			return NULL;
		*slot = p;
		strmap_put(m, &m->file_idx, p, m->files.n - 1);
	}
	return p;
}

struct m_domain *
model_domain(struct model *m, const char *name)
{
	size_t i;

	if (!strmap_get(&m->dom_idx, name, &i))
		return NULL;
	return M_DOMAIN(m, i);
}

struct m_domain *
model_domain_add(struct model *m, const char *name, enum m_dom_kind kind,
    struct src src)
{
	struct m_domain *d;
	const char *n;

	if ((d = model_domain(m, name)) != NULL)
		return d;
	if ((n = model_lower(m, name, strlen(name))) == NULL ||
	    (d = vec_add(m, &m->domains, sizeof(*d))) == NULL)
		return NULL;
	d->name = n;
	d->real = n;
	d->kind = (unsigned char)kind;
	d->catchall = CATCH_NONE;
	d->uid = d->gid = -1;
	d->src = src;
	strmap_put(m, &m->dom_idx, n, m->domains.n - 1);
	return d;
}

static const char *
address_key(struct model *m, const char *local, const char *domain)
{
	return model_printf(m, "%s@%s", local, domain);
}

struct m_mailbox *
model_mailbox(struct model *m, const char *local, const char *domain)
{
	char key[1024];
	size_t i;

	if (qpm_snprintf(key, sizeof(key), "%s@%s", local, domain) < 0 ||
	    !strmap_get(&m->mbox_idx, key, &i))
		return NULL;
	return M_MAILBOX(m, i);
}

struct m_mailbox *
model_mailbox_by_home(struct model *m, const char *path)
{
	char key[4096];
	size_t n = strlen(path), i;

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= sizeof(key))
		return NULL;
	memcpy(key, path, n);
	key[n] = '\0';
	/* "home/Maildir" names the same mailbox as "home" */
	if (!strmap_get(&m->home_idx, key, &i)) {
		if (n > 8 && strcmp(key + n - 8, "/Maildir") == 0) {
			key[n - 8] = '\0';
			if (!strmap_get(&m->home_idx, key, &i))
				return NULL;
		} else
			return NULL;
	}
	return M_MAILBOX(m, i);
}

struct m_mailbox *
model_mailbox_add(struct model *m, const char *local, struct m_domain *d,
    struct src src)
{
	struct m_mailbox *mb;
	const char *l, *key;
	size_t i;

	if ((l = model_lower(m, local, strlen(local))) == NULL ||
	    (key = address_key(m, l, d->name)) == NULL)
		return NULL;
	if (strmap_get(&m->mbox_idx, key, &i))
		return NULL;	/* the caller lists the duplicate */
	if ((mb = vec_add(m, &m->mailboxes, sizeof(*mb))) == NULL)
		return NULL;
	mb->local = l;
	mb->domain = d->name;
	mb->hash = "";
	mb->home = "";
	mb->quota_bytes = -1;
	mb->quota_count = -1;
	mb->uid = d->uid;
	mb->gid = d->gid;
	mb->own_delivery = 1;
	mb->src = src;
	strmap_put(m, &m->mbox_idx, key, m->mailboxes.n - 1);
	if (d->nmailboxes++ == 0)
		d->mb_first = m->mailboxes.n - 1;
	return mb;
}

int
model_mailbox_index_home(struct model *m, struct m_mailbox *mb)
{
	char key[4096];
	size_t n = strlen(mb->home);

	while (n > 1 && mb->home[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof(key))
		return -1;
	memcpy(key, mb->home, n);
	key[n] = '\0';
	return strmap_put(m, &m->home_idx, model_strdup(m, key),
	    (size_t)(mb - M_MAILBOX(m, 0)));
}

struct m_rule *
model_rule_add(struct model *m, enum m_key key, const char *local,
    const char *domain, enum m_dest dest, const char *value,
    enum m_origin origin, struct src src)
{
	struct m_rule *r;

	if ((r = vec_add(m, &m->rules, sizeof(*r))) == NULL)
		return NULL;
	r->key = (unsigned char)key;
	r->local = local;
	r->domain = domain;
	r->dest = (unsigned char)dest;
	r->value = value;
	r->origin = (unsigned char)origin;
	r->src = src;
	return r;
}

struct m_assign *
model_assign_add(struct model *m)
{
	return vec_add(m, &m->assigns, sizeof(struct m_assign));
}

/* qmail-lspawn's choice: the first exact line, else the longest
 * wildcard prefix */
const struct m_assign *
model_assign_lookup(const struct model *m, const char *local)
{
	const struct m_assign *a, *best = NULL;
	size_t i, n = strlen(local), l, bestlen = 0;

	for (i = 0; i < m->assigns.n; i++) {
		a = &((const struct m_assign *)m->assigns.v)[i];
		if (a->local == NULL || a->wild)
			continue;
		if (strcasecmp(a->local, local) == 0)
			return a;	/* first exact line wins */
	}
	for (i = 0; i < m->assigns.n; i++) {
		a = &((const struct m_assign *)m->assigns.v)[i];
		if (a->local == NULL || !a->wild)
			continue;
		l = strlen(a->local);
		if (l <= n && strncasecmp(a->local, local, l) == 0 &&
		    (best == NULL || l > bestlen)) {
			best = a;
			bestlen = l;
		}
	}
	return best;
}

int
model_setting(struct model *m, const char *param, const char *value,
    const char *from, struct src src)
{
	struct m_setting *s;
	size_t i;

	/* a later file naming the same parameter wins, as in main.cf */
	for (i = 0; i < m->settings.n; i++) {
		s = M_SETTING(m, i);
		if (strcmp(s->param, param) == 0) {
			s->value = value;
			s->from = from;
			s->src = src;
			return 0;
		}
	}
	if ((s = vec_add(m, &m->settings, sizeof(*s))) == NULL)
		return -1;
	s->param = param;
	s->value = value;
	s->from = from;
	s->src = src;
	return 0;
}

int
model_entry(struct model *m, enum m_table t, const char *key,
    const char *value, struct src src)
{
	struct m_entry *e;

	if ((e = vec_add(m, &m->entries, sizeof(*e))) == NULL)
		return -1;
	e->table = (unsigned char)t;
	e->key = key;
	e->value = value;
	e->src = src;
	return 0;
}

int
model_limit(struct model *m, const char *service, const char *setting,
    long long value, const char *old, struct src src)
{
	struct m_limit *l;
	size_t i;

	/* the tightest old limit wins where several apply */
	for (i = 0; i < m->limits.n; i++) {
		l = M_LIMIT(m, i);
		if (strcmp(l->service, service) == 0 &&
		    strcmp(l->setting, setting) == 0) {
			if (value < l->value) {
				l->value = value;
				l->old = old;
				l->src = src;
			}
			return 0;
		}
	}
	if ((l = vec_add(m, &m->limits, sizeof(*l))) == NULL)
		return -1;
	l->service = service;
	l->setting = setting;
	l->value = value;
	l->old = old;
	l->src = src;
	return 0;
}

long long
model_limit_get(const struct model *m, const char *service,
    const char *setting, long long dflt, const struct m_limit **from)
{
	const struct m_limit *l;
	size_t i;

	if (from != NULL)
		*from = NULL;
	for (i = 0; i < m->limits.n; i++) {
		l = &((const struct m_limit *)m->limits.v)[i];
		if (strcmp(l->service, service) == 0 &&
		    strcmp(l->setting, setting) == 0) {
			if (from != NULL)
				*from = l;
			return l->value;
		}
	}
	return dflt;
}

static void
listed_add(struct model *m, struct vec *v, enum m_cat cat, struct src src,
    const char *what, const char *reason, const char *todo)
{
	struct m_listed *l;

	if ((l = vec_add(m, v, sizeof(*l))) == NULL)
		return;
	l->what = model_strdup(m, what);
	l->reason = model_strdup(m, reason);
	l->todo = model_strdup(m, todo);
	l->src = src;
	l->cat = (unsigned char)cat;
}

void
model_list(struct model *m, enum m_cat cat, struct src src, const char *what,
    const char *reason, const char *todo)
{
	listed_add(m, &m->listed, cat, src, what, reason, todo);
	m->count[cat].listed++;
	if (m->quiet)
		return;
	if (src.line)
		msg_warnx("%s:%lu: %s: %s", src.file, src.line, what, reason);
	else
		msg_warnx("%s: %s: %s", src.file, what, reason);
}

void
model_note(struct model *m, struct src src, const char *what,
    const char *reason, const char *todo)
{
	listed_add(m, &m->notes, CAT_N, src, what, reason, todo);
}

void
model_read(struct model *m, enum m_cat cat)
{
	m->count[cat].read++;
}

void
model_converted(struct model *m, enum m_cat cat)
{
	m->count[cat].converted++;
}

void
model_skipped(struct model *m, enum m_cat cat)
{
	m->count[cat].skipped++;
}

int
model_domain_is_local(const struct model *m, const char *dom)
{
	size_t i;

	if (!strmap_get(&m->dom_idx, dom, &i))
		return 0;
	return ((const struct m_domain *)m->domains.v)[i].kind != DOM_RELAY;
}

int
model_counts_add_up(const struct model *m)
{
	int c;

	for (c = 0; c < CAT_N; c++) {
		const struct m_count *k = &m->count[c];

		if (k->read != k->converted + k->listed + k->skipped)
			return 0;
	}
	return 1;
}
