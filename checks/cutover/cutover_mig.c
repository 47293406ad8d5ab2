/*
 * NAME		cutover_mig - read OUT/migration.json (migration.json(5))
 * DOES		jansson parse, then a typed walk over the keys the cutover
 *		report uses; unknown keys are ignored, a known key of the wrong
 *		type is an error naming its path
 * NEVER	links migrate/ code, follows a symlink to the file, trusts a
 *		count from the file
 */
#include <config.h>

#include <ctype.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "checks/cutover/cutover_mig.h"
#include "util/err.h"
#include "util/file.h"
#include "util/qstr.h"

struct walk {
	char	*why;
	size_t	 whylen;
	int	 err;
};

static int
fail(struct walk *w, int err, const char *path, const char *problem)
{
	if (w->err == 0) {
		w->err = err;
		if (w->why != NULL && w->whylen > 0)
			(void)qpm_snprintf(w->why, w->whylen, "%s: %s", path,
			    problem);
	}
	return err;
}

static char *
lower_dup(const char *s)
{
	char *d = strdup(s), *p;

	if (d != NULL)
		for (p = d; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	return d;
}

/* A string member: absent and null leave *dst NULL; another type fails. */
static int
get_str(struct walk *w, const json_t *o, const char *key, const char *path,
    char **dst)
{
	const json_t *v = json_object_get(o, key);
	char p[256];

	*dst = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		(void)qpm_snprintf(p, sizeof(p), "%s.%s", path, key);
		return fail(w, QPM_ESYNTAX, p, "not a string");
	}
	if ((*dst = strdup(json_string_value(v))) == NULL)
		return fail(w, QPM_ENOMEM, path, "out of memory");
	return 0;
}

static int
get_req_str(struct walk *w, const json_t *o, const char *key,
    const char *path, char **dst)
{
	char p[256];

	if (get_str(w, o, key, path, dst) < 0)
		return w->err;
	if (*dst == NULL || **dst == '\0') {
		free(*dst);	/* "": the caller keeps no string */
		*dst = NULL;
		(void)qpm_snprintf(p, sizeof(p), "%s.%s", path, key);
		return fail(w, QPM_ESYNTAX, p, "missing or empty");
	}
	return 0;
}

static int
get_int(struct walk *w, const json_t *o, const char *key, const char *path,
    long long def, long long *dst)
{
	const json_t *v = json_object_get(o, key);
	char p[256];

	*dst = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		(void)qpm_snprintf(p, sizeof(p), "%s.%s", path, key);
		return fail(w, QPM_ESYNTAX, p, "not an integer");
	}
	*dst = (long long)json_integer_value(v);
	return 0;
}

static int
get_bool(struct walk *w, const json_t *o, const char *key, const char *path,
    int *dst)
{
	const json_t *v = json_object_get(o, key);
	char p[256];

	*dst = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		(void)qpm_snprintf(p, sizeof(p), "%s.%s", path, key);
		return fail(w, QPM_ESYNTAX, p, "not true or false");
	}
	*dst = json_is_true(v);
	return 0;
}

/* An array member (absent or null: n = 0); *arr is borrowed. */
static int
get_array(struct walk *w, const json_t *o, const char *key,
    const char *path, json_t **arr, size_t *n)
{
	json_t *v = json_object_get(o, key);
	char p[256];

	*arr = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	(void)qpm_snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "",
	    key);
	if (!json_is_array(v))
		return fail(w, QPM_ESYNTAX, p, "not an array");
	if (json_array_size(v) > CUT_MIG_MAX_ITEMS)
		return fail(w, QPM_ERANGE, p, "more entries than allowed");
	*arr = v;
	*n = json_array_size(v);
	return 0;
}

static int
str_array(struct walk *w, const json_t *o, const char *key,
    const char *path, char ***dst, size_t *n)
{
	json_t *a;
	size_t i, k;
	char p[256];

	*dst = NULL;
	*n = 0;
	if (get_array(w, o, key, path, &a, &k) < 0)
		return w->err;
	if (k == 0)
		return 0;
	if ((*dst = calloc(k, sizeof(**dst))) == NULL)
		return fail(w, QPM_ENOMEM, path, "out of memory");
	for (i = 0; i < k; i++) {
		json_t *v = json_array_get(a, i);

		if (!json_is_string(v)) {
			(void)qpm_snprintf(p, sizeof(p), "%s.%s[%zu]", path,
			    key, i);
			return fail(w, QPM_ESYNTAX, p, "not a string");
		}
		if (((*dst)[i] = lower_dup(json_string_value(v))) == NULL)
			return fail(w, QPM_ENOMEM, path, "out of memory");
		(*n)++;
	}
	return 0;
}

static int
obj_at(struct walk *w, json_t *a, size_t i, const char *key, char *p,
    size_t plen, json_t **o)
{
	(void)qpm_snprintf(p, plen, "%s[%zu]", key, i);
	*o = json_array_get(a, i);
	if (!json_is_object(*o))
		return fail(w, QPM_ESYNTAX, p, "not an object");
	return 0;
}

static int
read_domains(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *a, *o;
	size_t i, n;
	char p[64];

	if (get_array(w, root, "domains", "", &a, &n) < 0 || n == 0)
		return w->err;
	if ((m->domains = calloc(n, sizeof(*m->domains))) == NULL)
		return fail(w, QPM_ENOMEM, "domains", "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_domain *d = &m->domains[i];
		char *name = NULL;

		if (obj_at(w, a, i, "domains", p, sizeof(p), &o) < 0)
			return w->err;
		m->ndomains++;
		if (get_req_str(w, o, "name", p, &name) < 0)
			return w->err;
		d->name = lower_dup(name);
		free(name);
		if (d->name == NULL)
			return fail(w, QPM_ENOMEM, p, "out of memory");
		if (get_req_str(w, o, "kind", p, &d->kind) < 0 ||
		    get_str(w, o, "alias_of", p, &d->alias_of) < 0 ||
		    get_str(w, o, "unknown_users", p, &d->unknown_users) < 0 ||
		    get_str(w, o, "catchall_target", p,
		    &d->catchall_target) < 0 ||
		    get_str(w, o, "source", p, &d->source) < 0)
			return w->err;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_mailboxes(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *a, *o;
	size_t i, n;
	char p[64];

	if (get_array(w, root, "mailboxes", "", &a, &n) < 0 || n == 0)
		return w->err;
	if ((m->mailboxes = calloc(n, sizeof(*m->mailboxes))) == NULL)
		return fail(w, QPM_ENOMEM, "mailboxes", "out of memory");
	for (i = 0; i < n; i++) {
		char *addr = NULL;
		int recv;
		const json_t *rv;

		if (obj_at(w, a, i, "mailboxes", p, sizeof(p), &o) < 0 ||
		    get_req_str(w, o, "address", p, &addr) < 0 ||
		    get_bool(w, o, "receives_mail", p, &recv) < 0) {
			free(addr);
			return w->err;
		}
		/* receives_mail absent: an older writer; it receives */
		rv = json_object_get(o, "receives_mail");
		if (rv == NULL || json_is_null(rv))
			recv = 1;
		if (recv) {
			m->mailboxes[m->nmailboxes] = lower_dup(addr);
			if (m->mailboxes[m->nmailboxes] == NULL) {
				free(addr);
				return fail(w, QPM_ENOMEM, p, "out of memory");
			}
			m->nmailboxes++;
		}
		free(addr);
	}
	qsort(m->mailboxes, m->nmailboxes, sizeof(*m->mailboxes), cmp_str);
	return 0;
}

static int
read_rules(struct walk *w, const json_t *root, const char *key,
    struct cut_forward **dst, size_t *ndst, int remote)
{
	json_t *a, *o;
	size_t i, n;
	char p[64];

	if (get_array(w, root, key, "", &a, &n) < 0 || n == 0)
		return w->err;
	if ((*dst = calloc(n, sizeof(**dst))) == NULL)
		return fail(w, QPM_ENOMEM, key, "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_forward *f = &(*dst)[i];
		char *addr = NULL;

		if (obj_at(w, a, i, key, p, sizeof(p), &o) < 0)
			return w->err;
		(*ndst)++;
		if (get_req_str(w, o, "address", p, &addr) < 0)
			return w->err;
		f->address = lower_dup(addr);
		free(addr);
		if (f->address == NULL)
			return fail(w, QPM_ENOMEM, p, "out of memory");
		if (get_str(w, o, "match", p, &f->match) < 0 ||
		    str_array(w, o, "targets", p, &f->targets,
		    &f->ntargets) < 0 ||
		    get_str(w, o, "source", p, &f->source) < 0)
			return w->err;
		if (remote && (str_array(w, o, "remote_targets", p, &f->remote,
		    &f->nremote) < 0 ||
		    get_bool(w, o, "keep_copy", p, &f->keep_copy) < 0 ||
		    get_bool(w, o, "srs", p, &f->srs) < 0))
			return w->err;
	}
	return 0;
}

static int
read_bounces(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *br = json_object_get(root, "bounce_routing"), *a, *o;
	size_t i, n;
	char p[64];

	if (br == NULL || json_is_null(br))
		return 0;
	if (!json_is_object(br))
		return fail(w, QPM_ESYNTAX, "bounce_routing", "not an object");
	if (get_str(w, br, "doublebounceto", "bounce_routing",
	    &m->doublebounceto) < 0 ||
	    get_str(w, br, "doublebounce_source", "bounce_routing",
	    &m->doublebounce_source) < 0 ||
	    get_array(w, br, "postmaster", "bounce_routing", &a, &n) < 0)
		return w->err;
	if (n == 0)
		return 0;
	if ((m->postmasters = calloc(n, sizeof(*m->postmasters))) == NULL)
		return fail(w, QPM_ENOMEM, "bounce_routing", "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_postmaster *pm = &m->postmasters[i];

		if (obj_at(w, a, i, "bounce_routing.postmaster", p, sizeof(p),
		    &o) < 0)
			return w->err;
		m->npostmasters++;
		if (get_req_str(w, o, "domain", p, &pm->domain) < 0 ||
		    get_str(w, o, "routes_to", p, &pm->routes_to) < 0 ||
		    get_str(w, o, "source", p, &pm->source) < 0)
			return w->err;
	}
	return 0;
}

static int
read_settings(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *a, *o;
	size_t i, n;
	char p[64];

	if (get_array(w, root, "settings", "", &a, &n) < 0 || n == 0)
		return w->err;
	if ((m->settings = calloc(n, sizeof(*m->settings))) == NULL)
		return fail(w, QPM_ENOMEM, "settings", "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_setting *s = &m->settings[i];

		if (obj_at(w, a, i, "settings", p, sizeof(p), &o) < 0)
			return w->err;
		m->nsettings++;
		if (get_req_str(w, o, "param", p, &s->param) < 0 ||
		    get_str(w, o, "value", p, &s->value) < 0 ||
		    get_str(w, o, "source", p, &s->source) < 0)
			return w->err;
	}
	return 0;
}

static int
read_dkim(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *dk = json_object_get(root, "dkim"), *a, *o;
	size_t i, n;
	char p[64];

	if (dk == NULL || json_is_null(dk))
		return 0;
	if (!json_is_object(dk))
		return fail(w, QPM_ESYNTAX, "dkim", "not an object");
	if (get_array(w, dk, "selectors", "dkim", &a, &n) < 0 || n == 0)
		return w->err;
	if ((m->dkim = calloc(n, sizeof(*m->dkim))) == NULL)
		return fail(w, QPM_ENOMEM, "dkim", "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_dkimsel *s = &m->dkim[i];
		char *dom = NULL;
		const json_t *sv;

		if (obj_at(w, a, i, "dkim.selectors", p, sizeof(p), &o) < 0)
			return w->err;
		m->ndkim++;
		if (get_req_str(w, o, "domain", p, &dom) < 0)
			return w->err;
		s->domain = lower_dup(dom);
		free(dom);
		if (s->domain == NULL)
			return fail(w, QPM_ENOMEM, p, "out of memory");
		if (get_req_str(w, o, "selector", p, &s->selector) < 0 ||
		    get_str(w, o, "public_key", p, &s->public_key) < 0 ||
		    get_str(w, o, "key_file", p, &s->key_file) < 0 ||
		    get_bool(w, o, "signing", p, &s->signing) < 0 ||
		    get_str(w, o, "source", p, &s->source) < 0)
			return w->err;
		/* signing absent: a selector with a key is the new host's */
		sv = json_object_get(o, "signing");
		if (sv == NULL || json_is_null(sv))
			s->signing = s->public_key != NULL ||
			    s->key_file != NULL;
	}
	return 0;
}

static int
read_srs(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *s = json_object_get(root, "srs");
	char *dom = NULL;

	if (s == NULL || json_is_null(s))
		return 0;
	if (!json_is_object(s))
		return fail(w, QPM_ESYNTAX, "srs", "not an object");
	if (get_bool(w, s, "wired", "srs", &m->srs_wired) < 0 ||
	    get_str(w, s, "domain", "srs", &dom) < 0 ||
	    get_str(w, s, "secret_file", "srs", &m->srs_secret_file) < 0)
		return w->err;
	if (dom != NULL) {
		m->srs_domain = lower_dup(dom);
		free(dom);
		if (m->srs_domain == NULL)
			return fail(w, QPM_ENOMEM, "srs", "out of memory");
	}
	return 0;
}

/* The list form of migration.json(5): [{service, setting, value, old,
 * source}] */
static int
read_limits_list(struct walk *w, json_t *a, struct cut_mig *m)
{
	size_t i, n = json_array_size(a);
	json_t *o;
	char p[64];

	if (n > CUT_MIG_MAX_ITEMS)
		return fail(w, QPM_ERANGE, "limits", "more entries than allowed");
	if (n == 0)
		return 0;
	if ((m->limits = calloc(n, sizeof(*m->limits))) == NULL)
		return fail(w, QPM_ENOMEM, "limits", "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_limit *l = &m->limits[i];

		if (obj_at(w, a, i, "limits", p, sizeof(p), &o) < 0)
			return w->err;
		m->nlimits++;
		l->old = l->recommended = l->observed = -1;
		if (get_req_str(w, o, "service", p, &l->service) < 0 ||
		    get_req_str(w, o, "setting", p, &l->setting) < 0 ||
		    get_int(w, o, "value", p, -1, &l->value) < 0 ||
		    get_str(w, o, "old", p, &l->old_text) < 0 ||
		    get_str(w, o, "source", p, &l->source) < 0)
			return w->err;
	}
	return 0;
}

static int
is_concurrency(const char *setting)
{
	return strcmp(setting, "master.cf maxproc") == 0 ||
	    strcmp(setting, "service *-login process_limit") == 0 ||
	    strcmp(setting, "process_limit") == 0;
}

static const struct cut_limit *
concurrency_limit(const struct cut_mig *m, const char *svc)
{
	size_t i;

	for (i = 0; i < m->nlimits; i++)
		if (strcmp(m->limits[i].service, svc) == 0 &&
		    is_concurrency(m->limits[i].setting))
			return &m->limits[i];
	return NULL;
}

static int
read_series(struct walk *w, json_t *logs, struct cut_mig *m)
{
	json_t *sv, *v, *h, *pk;
	const char *name;
	size_t n, i, k;
	char p[128];

	if (get_int(w, logs, "first", "limits.logs", 0, &m->logs_first) < 0 ||
	    get_int(w, logs, "last", "limits.logs", 0, &m->logs_last) < 0)
		return w->err;
	sv = json_object_get(logs, "services");
	if (sv == NULL || json_is_null(sv))
		return 0;
	if (!json_is_object(sv))
		return fail(w, QPM_ESYNTAX, "limits.logs.services",
		    "not an object");
	n = json_object_size(sv);
	if (n == 0)
		return 0;
	if (n > 64)
		return fail(w, QPM_ERANGE, "limits.logs.services",
		    "more services than allowed");
	if ((m->series = calloc(n, sizeof(*m->series))) == NULL)
		return fail(w, QPM_ENOMEM, "limits", "out of memory");
	json_object_foreach(sv, name, v) {
		struct cut_series *s = &m->series[m->nseries];
		const struct cut_limit *l;
		char base[16];

		(void)qpm_snprintf(p, sizeof(p), "limits.logs.services.%.40s",
		    name);
		if (!json_is_object(v))
			return fail(w, QPM_ESYNTAX, p, "not an object");
		h = json_object_get(v, "hours");
		if (h == NULL || json_is_null(h))
			continue;
		if (!json_is_object(h))
			return fail(w, QPM_ESYNTAX, p, "hours: not an object");
		m->nseries++;
		if ((s->service = strdup(name)) == NULL)
			return fail(w, QPM_ENOMEM, p, "out of memory");
		if (get_int(w, h, "first", p, 0, &s->first) < 0 ||
		    get_int(w, h, "step_seconds", p, 3600, &s->step) < 0 ||
		    get_array(w, h, "peak", p, &pk, &k) < 0)
			return w->err;
		if (s->step <= 0)
			return fail(w, QPM_ESYNTAX, p, "step_seconds <= 0");
		if (k > 0 && (s->peak = calloc(k, sizeof(*s->peak))) == NULL)
			return fail(w, QPM_ENOMEM, p, "out of memory");
		for (i = 0; i < k; i++) {
			json_t *x = json_array_get(pk, i);

			if (!json_is_integer(x))
				return fail(w, QPM_ESYNTAX, p,
				    "hours.peak: not an integer");
			s->peak[i] = (long long)json_integer_value(x);
		}
		s->n = k;
		/* imaps and pop3s share the login service of imap, pop3 */
		l = concurrency_limit(m, name);
		if (l == NULL && strlen(name) > 1 && strlen(name) < sizeof(base)
		    && name[strlen(name) - 1] == 's') {
			memcpy(base, name, strlen(name) - 1);
			base[strlen(name) - 1] = '\0';
			l = concurrency_limit(m, base);
		}
		s->limit = l != NULL ? l->value : -1;
		s->old_limit = l != NULL ? l->old : -1;
	}
	return 0;
}

/* The limits module's object: {settings: [...], logs: {...}, ...} */
static int
read_limits_object(struct walk *w, json_t *lo, struct cut_mig *m)
{
	json_t *a, *o, *logs;
	size_t i, n;
	char p[64];

	m->limits_detailed = 1;
	if (get_array(w, lo, "settings", "limits", &a, &n) < 0)
		return w->err;
	if (n > 0 && (m->limits = calloc(n, sizeof(*m->limits))) == NULL)
		return fail(w, QPM_ENOMEM, "limits", "out of memory");
	for (i = 0; i < n; i++) {
		struct cut_limit *l = &m->limits[i];

		if (obj_at(w, a, i, "limits.settings", p, sizeof(p), &o) < 0)
			return w->err;
		m->nlimits++;
		if (get_req_str(w, o, "service", p, &l->service) < 0 ||
		    get_req_str(w, o, "target", p, &l->setting) < 0 ||
		    get_int(w, o, "old", p, -1, &l->old) < 0 ||
		    get_int(w, o, "value", p, -1, &l->value) < 0 ||
		    get_int(w, o, "recommended", p, -1, &l->recommended) < 0 ||
		    get_int(w, o, "observed", p, -1, &l->observed) < 0 ||
		    get_int(w, o, "errors", p, 0, &l->errors) < 0 ||
		    get_int(w, o, "per_seconds", p, 0, &l->per_seconds) < 0 ||
		    get_str(w, o, "why", p, &l->why) < 0 ||
		    get_str(w, o, "source", p, &l->source) < 0)
			return w->err;
	}
	logs = json_object_get(lo, "logs");
	if (logs != NULL && !json_is_null(logs)) {
		if (!json_is_object(logs))
			return fail(w, QPM_ESYNTAX, "limits.logs",
			    "not an object");
		return read_series(w, logs, m);
	}
	return 0;
}

static int
read_limits(struct walk *w, const json_t *root, struct cut_mig *m)
{
	json_t *l = json_object_get(root, "limits");

	if (l == NULL || json_is_null(l))
		return 0;
	if (json_is_array(l))
		return read_limits_list(w, l, m);
	if (json_is_object(l))
		return read_limits_object(w, l, m);
	return fail(w, QPM_ESYNTAX, "limits", "neither an array nor an object");
}

static int
read_hosts(struct walk *w, const json_t *root, struct cut_mig *m)
{
	const json_t *o;

	o = json_object_get(root, "old_host");
	if (o != NULL && !json_is_null(o)) {
		if (!json_is_object(o))
			return fail(w, QPM_ESYNTAX, "old_host", "not an object");
		if (get_str(w, o, "hostname", "old_host", &m->old_hostname) < 0
		    || get_str(w, o, "ip", "old_host", &m->old_ip) < 0)
			return w->err;
	}
	o = json_object_get(root, "new_host");
	if (o != NULL && !json_is_null(o)) {
		if (!json_is_object(o))
			return fail(w, QPM_ESYNTAX, "new_host", "not an object");
		if (get_str(w, o, "hostname", "new_host", &m->new_hostname) < 0
		    || get_str(w, o, "ip", "new_host", &m->new_ip) < 0)
			return w->err;
	}
	return 0;
}

int
cut_mig_parse(const char *buf, size_t len, const char *path,
    struct cut_mig *m, char *why, size_t whylen)
{
	struct walk w = { why, whylen, 0 };
	json_error_t jerr;
	json_t *root;
	const char *schema;
	long long version;
	char *copy;

	memset(m, 0, sizeof(*m));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (path != NULL) {
		if ((m->path = strdup(path)) == NULL ||
		    (copy = strdup(path)) == NULL)
			return QPM_ENOMEM;
		m->dir = strdup(dirname(copy));
		free(copy);
	} else
		m->dir = strdup(".");
	if (m->dir == NULL)
		return QPM_ENOMEM;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		char where[64];

		(void)qpm_snprintf(where, sizeof(where), "line %d column %d",
		    jerr.line, jerr.column);
		return fail(&w, QPM_ESYNTAX, where, jerr.text);
	}
	if (!json_is_object(root)) {
		fail(&w, QPM_ESYNTAX, "top level", "not an object");
		goto out;
	}
	schema = json_string_value(json_object_get(root, "schema"));
	if (schema == NULL || strcmp(schema, CUT_MIG_SCHEMA) != 0) {
		fail(&w, QPM_ESYNTAX, "schema", "not \"" CUT_MIG_SCHEMA "\"");
		goto out;
	}
	if (get_int(&w, root, "version", "", -1, &version) < 0)
		goto out;
	if (version != CUT_MIG_VERSION) {
		fail(&w, QPM_ESYNTAX, "version", "not 1 (this report reads "
		    "version 1 of migration.json(5))");
		goto out;
	}
	if (get_str(&w, root, "generator", "", &m->generator) < 0 ||
	    read_hosts(&w, root, m) < 0 || read_domains(&w, root, m) < 0 ||
	    read_mailboxes(&w, root, m) < 0 ||
	    read_rules(&w, root, "forwards", &m->forwards, &m->nforwards,
	    1) < 0 ||
	    read_rules(&w, root, "aliases", &m->aliases, &m->naliases, 0) < 0
	    || read_bounces(&w, root, m) < 0 ||
	    read_settings(&w, root, m) < 0 || read_dkim(&w, root, m) < 0 ||
	    read_srs(&w, root, m) < 0 || read_limits(&w, root, m) < 0)
		goto out;
out:
	json_decref(root);
	return w.err;
}

int
cut_mig_load(const char *path, struct cut_mig *m, char *why, size_t whylen)
{
	struct qstr s = QSTR_INIT(CUT_MIG_MAX_FILE + 1);
	int err;

	memset(m, 0, sizeof(*m));
	err = file_read_all(path, CUT_MIG_MAX_FILE, FILE_READ_NOFOLLOW, &s);
	if (err < 0) {
		if (why != NULL && whylen > 0)
			(void)qpm_snprintf(why, whylen, "%s", qpm_strerror(err));
		qstr_free(&s);
		return err;
	}
	err = cut_mig_parse(qstr_str(&s), s.len, path, m, why, whylen);
	qstr_free(&s);
	return err;
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_rules(struct cut_forward *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].address);
		free(f[i].match);
		free_strv(f[i].targets, f[i].ntargets);
		free_strv(f[i].remote, f[i].nremote);
		free(f[i].source);
	}
	free(f);
}

void
cut_mig_free(struct cut_mig *m)
{
	size_t i;

	free(m->path);
	free(m->dir);
	free(m->generator);
	free(m->old_hostname);
	free(m->old_ip);
	free(m->new_hostname);
	free(m->new_ip);
	for (i = 0; i < m->ndomains; i++) {
		free(m->domains[i].name);
		free(m->domains[i].kind);
		free(m->domains[i].alias_of);
		free(m->domains[i].unknown_users);
		free(m->domains[i].catchall_target);
		free(m->domains[i].source);
	}
	free(m->domains);
	free_strv(m->mailboxes, m->nmailboxes);
	free_rules(m->forwards, m->nforwards);
	free_rules(m->aliases, m->naliases);
	free(m->doublebounceto);
	free(m->doublebounce_source);
	for (i = 0; i < m->npostmasters; i++) {
		free(m->postmasters[i].domain);
		free(m->postmasters[i].routes_to);
		free(m->postmasters[i].source);
	}
	free(m->postmasters);
	for (i = 0; i < m->nsettings; i++) {
		free(m->settings[i].param);
		free(m->settings[i].value);
		free(m->settings[i].source);
	}
	free(m->settings);
	for (i = 0; i < m->ndkim; i++) {
		free(m->dkim[i].domain);
		free(m->dkim[i].selector);
		free(m->dkim[i].public_key);
		free(m->dkim[i].key_file);
		free(m->dkim[i].source);
	}
	free(m->dkim);
	free(m->srs_domain);
	free(m->srs_secret_file);
	for (i = 0; i < m->nlimits; i++) {
		free(m->limits[i].service);
		free(m->limits[i].setting);
		free(m->limits[i].old_text);
		free(m->limits[i].why);
		free(m->limits[i].source);
	}
	free(m->limits);
	for (i = 0; i < m->nseries; i++) {
		free(m->series[i].service);
		free(m->series[i].peak);
	}
	free(m->series);
	memset(m, 0, sizeof(*m));
}

int
cut_mig_is_mailbox(const struct cut_mig *m, const char *addr)
{
	return m->nmailboxes > 0 && bsearch(&addr, m->mailboxes,
	    m->nmailboxes, sizeof(*m->mailboxes), cmp_str) != NULL;
}

const struct cut_domain *
cut_mig_domain(const struct cut_mig *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->ndomains; i++)
		if (strcasecmp(m->domains[i].name, name) == 0)
			return &m->domains[i];
	return NULL;
}

const char *
cut_mig_setting(const struct cut_mig *m, const char *param)
{
	size_t i;
	const char *v = NULL;

	/* the last one wins, as in main.cf */
	for (i = 0; i < m->nsettings; i++)
		if (strcmp(m->settings[i].param, param) == 0)
			v = m->settings[i].value;
	return v;
}
