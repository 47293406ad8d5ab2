/*
 * NAME		dns_fake - an in-memory resolver for tests
 * DOES		answers from a list of records; follows CNAME chains as a
 *		recursive server would; times out or SERVFAILs on request
 * NEVER	touches the network; a CNAME loop is an error, not a hang
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/lib/dns_fake.h"
#include "util/err.h"
#include "util/qstr.h"

#define DNS_FAKE_MAX_CHAIN	8	/* CNAME hops before we call it a loop */

struct fake_rr {
	char		*name;		/* lower case, no final dot */
	int		 type;		/* 0 with an error: every type */
	enum dns_status	 status;	/* DNS_OK for a record */
	char		*data;
	size_t		 len;
	char		*why;
};

struct dns_fake {
	struct fake_rr	*rr;
	size_t		 n, cap;
	unsigned long	 queries;
};

static const struct {
	const char	*name;
	int		 type;
} fake_types[] = {
	{ "A", DNS_T_A }, { "NS", DNS_T_NS }, { "CNAME", DNS_T_CNAME },
	{ "SOA", DNS_T_SOA }, { "PTR", DNS_T_PTR }, { "MX", DNS_T_MX },
	{ "TXT", DNS_T_TXT }, { "AAAA", DNS_T_AAAA }, { "SPF", DNS_T_SPF },
};

int
dns_type_from_str(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(fake_types) / sizeof(fake_types[0]); i++)
		if (strcasecmp(s, fake_types[i].name) == 0)
			return fake_types[i].type;
	return 0;
}

struct dns_fake *
dns_fake_new(void)
{
	return calloc(1, sizeof(struct dns_fake));
}

void
dns_fake_free(struct dns_fake *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->rr[i].name);
		free(f->rr[i].data);
		free(f->rr[i].why);
	}
	free(f->rr);
	free(f);
}

/* lower case, without the final dot; NULL when out of memory */
static char *
fake_name(const char *name)
{
	size_t len = strlen(name), i;
	char *p;

	if (len > 1 && name[len - 1] == '.')
		len--;
	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		p[i] = (char)tolower((unsigned char)name[i]);
	p[len] = '\0';
	return p;
}

static struct fake_rr *
fake_push(struct dns_fake *f, const char *name)
{
	struct fake_rr *nr;
	size_t ncap;

	if (f->n == f->cap) {
		ncap = f->cap ? f->cap * 2 : 16;
		if (ncap > SIZE_MAX / sizeof(*nr))
			return NULL;
		if ((nr = realloc(f->rr, ncap * sizeof(*nr))) == NULL)
			return NULL;
		f->rr = nr;
		f->cap = ncap;
	}
	nr = &f->rr[f->n];
	memset(nr, 0, sizeof(*nr));
	if ((nr->name = fake_name(name)) == NULL)
		return NULL;
	f->n++;
	return nr;
}

int
dns_fake_add(struct dns_fake *f, const char *name, int type,
    const char *data, size_t len)
{
	unsigned char buf[16];
	struct fake_rr *r;

	if (type == DNS_T_A && (len >= 64 || inet_pton(AF_INET,
	    data, buf) != 1))
		return QPM_EINVAL;
	if (type == DNS_T_AAAA && (len >= 64 || inet_pton(AF_INET6,
	    data, buf) != 1))
		return QPM_EINVAL;
	if (type == DNS_T_MX && !isdigit((unsigned char)data[0]))
		return QPM_EINVAL;
	if ((r = fake_push(f, name)) == NULL)
		return QPM_ENOMEM;
	r->type = type;
	r->status = DNS_OK;
	if ((r->data = malloc(len + 1)) == NULL)
		return QPM_ENOMEM;
	memcpy(r->data, data, len);
	r->data[len] = '\0';
	r->len = len;
	return 0;
}

int
dns_fake_add_error(struct dns_fake *f, const char *name, int type,
    enum dns_status status, const char *why)
{
	struct fake_rr *r;

	if ((r = fake_push(f, name)) == NULL)
		return QPM_ENOMEM;
	r->type = type;
	r->status = status;
	if (why != NULL && (r->why = strdup(why)) == NULL)
		return QPM_ENOMEM;
	return 0;
}

/* Fills one dns_rr from a record; 0 or QPM_ENOMEM. */
static int
fake_fill(struct dns_rr *out, const struct fake_rr *r)
{
	const char *p = r->data;
	size_t len = r->len;
	char *end;

	out->type = (uint16_t)r->type;
	out->ttl = 300;
	switch (r->type) {
	case DNS_T_A:
		inet_pton(AF_INET, r->data, out->addr);
		break;
	case DNS_T_AAAA:
		inet_pton(AF_INET6, r->data, out->addr);
		break;
	case DNS_T_MX:
		out->pref = (uint16_t)strtoul(p, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		len -= (size_t)(end - p);
		p = end;
		break;
	}
	if (r->type != DNS_T_TXT && len > 1 && p[len - 1] == '.')
		len--;
	if ((out->text = malloc(len + 1)) == NULL)
		return QPM_ENOMEM;
	memcpy(out->text, p, len);
	out->text[len] = '\0';
	out->textlen = len;
	if (r->type != DNS_T_TXT) {
		size_t i;

		for (i = 0; i < len; i++)
			out->text[i] = (char)tolower((unsigned char)out->text[i]);
	}
	return 0;
}

static int
fake_error(struct dns_answer *ans, const struct fake_rr *r)
{
	ans->status = r->status;
	if (r->why != NULL)
		ans->why = strdup(r->why);
	ans->rcode = r->status == DNS_TEMPFAIL && r->why != NULL &&
	    strcmp(r->why, "SERVFAIL") == 0 ? 2 : 0;
	return ans->status;
}

static int
fake_query(void *arg, const char *qname, int type, struct dns_answer *ans)
{
	struct dns_fake *f = arg;
	const struct fake_rr *err_type, *err_any, *cname;
	char *name, *next;
	size_t i, hops, n;
	int exists, st;

	f->queries++;
	if ((name = fake_name(qname)) == NULL) {
		ans->status = DNS_TEMPFAIL;
		return DNS_TEMPFAIL;
	}
	for (hops = 0;; hops++) {
		exists = 0;
		n = 0;
		err_type = err_any = cname = NULL;
		for (i = 0; i < f->n; i++) {
			const struct fake_rr *r = &f->rr[i];

			if (strcmp(r->name, name) != 0)
				continue;
			exists = 1;
			if (r->status != DNS_OK) {
				if (r->type == type)
					err_type = r;
				else if (r->type == 0)
					err_any = r;
			} else if (r->type == type)
				n++;
			else if (r->type == DNS_T_CNAME)
				cname = r;
		}
		if (err_type != NULL || (n == 0 && cname == NULL &&
		    err_any != NULL)) {
			st = fake_error(ans, err_type ? err_type : err_any);
			free(name);
			return st;
		}
		if (n > 0 || cname == NULL)
			break;
		if (hops >= DNS_FAKE_MAX_CHAIN) {
			free(name);
			ans->status = DNS_TEMPFAIL;
			ans->why = strdup("CNAME loop");
			ans->rcode = 2;
			return DNS_TEMPFAIL;
		}
		next = fake_name(cname->data);
		free(name);
		if ((name = next) == NULL) {
			ans->status = DNS_TEMPFAIL;
			return DNS_TEMPFAIL;
		}
	}
	if (n == 0) {
		free(name);
		ans->status = exists ? DNS_NODATA : DNS_NXDOMAIN;
		ans->rcode = exists ? 0 : 3;
		return ans->status;
	}
	if ((ans->rr = calloc(n, sizeof(*ans->rr))) == NULL) {
		free(name);
		ans->status = DNS_TEMPFAIL;
		return DNS_TEMPFAIL;
	}
	for (i = 0; i < f->n; i++) {
		const struct fake_rr *r = &f->rr[i];

		if (r->status != DNS_OK || r->type != type ||
		    strcmp(r->name, name) != 0)
			continue;
		if (fake_fill(&ans->rr[ans->n], r) < 0) {
			free(name);
			dns_answer_free(ans);
			ans->status = DNS_TEMPFAIL;
			return DNS_TEMPFAIL;
		}
		ans->n++;
	}
	free(name);
	ans->status = DNS_OK;
	return DNS_OK;
}

void
dns_fake_resolver(struct dns_fake *f, struct dns_resolver *r)
{
	r->query = fake_query;
	r->arg = f;
}

unsigned long
dns_fake_queries(const struct dns_fake *f)
{
	return f->queries;
}

/* One "string" with escapes into s; *pp moves past it. */
static int
fake_txt_string(const char **pp, const char *end, struct qstr *s)
{
	const char *p = *pp + 1;
	int v;

	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end) {
			p++;
			if (p + 2 < end && isdigit((unsigned char)p[0]) &&
			    isdigit((unsigned char)p[1]) &&
			    isdigit((unsigned char)p[2])) {
				v = (p[0] - '0') * 100 + (p[1] - '0') * 10 +
				    (p[2] - '0');
				if (v > 255)
					return QPM_ESYNTAX;
				if (qstr_catc(s, (char)v) < 0)
					return QPM_ENOMEM;
				p += 3;
				continue;
			}
		}
		if (qstr_catc(s, *p) < 0)
			return QPM_ENOMEM;
		p++;
	}
	if (p >= end)
		return QPM_ESYNTAX;
	*pp = p + 1;
	return 0;
}

/* p..end is exactly the word w, maybe with trailing blanks */
static int
fake_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - p) < n || strncmp(p, w, n) != 0)
		return 0;
	for (p += n; p < end; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

static int
fake_load_line(struct dns_fake *f, const char *p, const char *end,
    const char **problem)
{
	char name[300], tname[16], *t;
	struct qstr txt = QSTR_INIT(65536);
	size_t len;
	int type = 0, err;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return 0;
	for (len = 0; p < end && *p != ' ' && *p != '\t'; p++)
		if (len + 1 < sizeof(name))
			name[len++] = *p;
	name[len] = '\0';
	/* NAME [TYPE] TIMEOUT|SERVFAIL, or NAME TYPE DATA */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (len = 0; p < end && *p != ' ' && *p != '\t'; p++)
		if (len + 1 < sizeof(tname))
			tname[len++] = *p;
	tname[len] = '\0';
	if (strcmp(tname, "TIMEOUT") != 0 && strcmp(tname, "SERVFAIL") != 0) {
		if ((type = dns_type_from_str(tname)) == 0) {
			*problem = "unknown type";
			return QPM_ESYNTAX;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (fake_word(p, end, "TIMEOUT") || fake_word(p, end,
		    "SERVFAIL")) {
			tname[0] = *p;
			tname[1] = '\0';
		} else
			tname[0] = '\0';
	}
	if (tname[0] == 'T' || tname[0] == 'S')
		return dns_fake_add_error(f, name, type, DNS_TEMPFAIL,
		    tname[0] == 'T' ? "timeout" : "SERVFAIL");
	if (type == DNS_T_TXT) {
		int nstr = 0;

		while (p < end && *p == '"') {
			nstr++;
			if ((err = fake_txt_string(&p, end, &txt)) < 0) {
				qstr_free(&txt);
				*problem = "bad TXT string";
				return err;
			}
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
		}
		if (p != end || nstr == 0) {
			qstr_free(&txt);
			*problem = "TXT data must be quoted strings";
			return QPM_ESYNTAX;
		}
		err = dns_fake_add(f, name, type, txt.buf ? txt.buf : "",
		    txt.len);
		qstr_free(&txt);
		return err;
	}
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((t = strndup(p, (size_t)(end - p))) == NULL)
		return QPM_ENOMEM;
	if ((err = dns_fake_add(f, name, type, t, strlen(t))) == QPM_EINVAL)
		*problem = "bad record data";
	free(t);
	return err;
}

int
dns_fake_load(struct dns_fake *f, const char *text, size_t len, char *why,
    size_t whylen)
{
	const char *p = text, *end = text + len, *nl, *problem;
	unsigned long lineno = 0;
	int err;

	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		problem = "cannot parse";
		if ((err = fake_load_line(f, p, nl, &problem)) < 0) {
			if (why != NULL)
				qpm_snprintf(why, whylen, "line %lu: %s",
				    lineno, err == QPM_ENOMEM ?
				    "out of memory" : problem);
			return err == QPM_ENOMEM ? err : QPM_ESYNTAX;
		}
		p = nl < end ? nl + 1 : end;
	}
	return 0;
}
