/*
 * NAME		dmarc - DMARC policy discovery and evaluation, two ways
 * DOES		RFC 9989: _dmarc lookups along the DNS tree walk (at most
 *		QPM_DMARC_MAX_WALK queries per walk), organizational domain
 *		from psd= or the shortest name with a record, p/sp/np and t=;
 *		RFC 7489: author then PSL organizational domain, p/sp
 * NEVER	queries more than the walk allows, treats a temporary DNS
 *		error as "no record"
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "checks/core/dmarc.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

/* One _dmarc.<name> lookup, kept for the context's lifetime. */
struct dmarc_look {
	char		*name;		/* the domain, without "_dmarc." */
	int		 status;	/* LOOK_* */
	struct dmarc_record rec;
};

enum { LOOK_NONE = 1, LOOK_RECORD, LOOK_TEMP, LOOK_PERM, LOOK_MULTI };

struct dmarc_ctx {
	const struct dns_resolver *dns;
	const psl_ctx_t	*psl;
	psl_ctx_t	*psl_own;
	struct dmarc_look **look;	/* each allocated alone: pointers
					 * stay valid while the array grows */
	size_t		 nlook, caplook;
};

struct dmarc_ctx *
dmarc_ctx_new(const struct dns_resolver *dns)
{
	struct dmarc_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	ctx->dns = dns;
	/* the newer of the built-in list and Debian's publicsuffix file */
	ctx->psl_own = psl_latest(NULL);
	ctx->psl = ctx->psl_own ? ctx->psl_own : psl_builtin();
	if (ctx->psl == NULL) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

void
dmarc_ctx_free(struct dmarc_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->nlook; i++) {
		free(ctx->look[i]->name);
		free(ctx->look[i]);
	}
	free(ctx->look);
	psl_free(ctx->psl_own);
	free(ctx);
}

static const struct dmarc_look *
lookup(struct dmarc_ctx *ctx, const char *name, unsigned *queries)
{
	struct dmarc_look *l, **nl;
	struct dns_answer ans;
	struct dmarc_record rec;
	struct qstr q = QSTR_INIT(QPM_MAX_DOMAIN + 16);
	size_t i, found = 0, ncap;

	for (i = 0; i < ctx->nlook; i++)
		if (strcmp(ctx->look[i]->name, name) == 0)
			return ctx->look[i];
	if (ctx->nlook == ctx->caplook) {
		ncap = ctx->caplook ? ctx->caplook * 2 : 8;
		if ((nl = realloc(ctx->look, ncap * sizeof(*nl))) == NULL)
			return NULL;
		ctx->look = nl;
		ctx->caplook = ncap;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->name = strdup(name)) == NULL) {
		free(l);
		return NULL;
	}
	ctx->look[ctx->nlook] = l;
	if (qstr_catf(&q, "_dmarc.%s", name) < 0) {
		l->status = LOOK_PERM;		/* name too long for DNS */
		ctx->nlook++;
		return l;
	}
	memset(&ans, 0, sizeof(ans));
	(*queries)++;
	switch (dns_query(ctx->dns, q.buf, DNS_T_TXT, &ans)) {
	case DNS_OK:
		for (i = 0; i < ans.n; i++) {
			if (ans.rr[i].type != DNS_T_TXT)
				continue;
			if (dmarc_record_parse(ans.rr[i].text,
			    ans.rr[i].textlen, &rec) != DMARC_REC_OK)
				continue;
			if (found++ == 0)
				l->rec = rec;
		}
		/* several records at one name: all discarded (RFC 9989 4.10) */
		l->status = found == 0 ? LOOK_NONE :
		    found == 1 ? LOOK_RECORD : LOOK_MULTI;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		l->status = LOOK_NONE;
		break;
	case DNS_PERMFAIL:
		l->status = LOOK_PERM;
		break;
	case DNS_TEMPFAIL:
	default:
		l->status = LOOK_TEMP;
		break;
	}
	dns_answer_free(&ans);
	qstr_free(&q);
	ctx->nlook++;
	return l;
}

static size_t
labels(const char *name)
{
	size_t n = 1;

	if (*name == '\0')
		return 0;
	for (; *name != '\0'; name++)
		if (*name == '.')
			n++;
	return n;
}

/* name with its leftmost labels removed so that keep labels remain */
static const char *
suffix(const char *name, size_t keep)
{
	size_t n = labels(name);

	while (n > keep && name != NULL) {
		name = strchr(name, '.');
		if (name != NULL)
			name++;
		n--;
	}
	return name;
}

/* RFC 9989 4.10: records found from start upwards, longest first. */
struct walk {
	const char	*name[QPM_DMARC_MAX_WALK];
	const struct dmarc_look *look[QPM_DMARC_MAX_WALK];
	size_t		 n;		/* records found */
	int		 temp, perm;
	const char	*stopped;	/* a DNS error above a found record
					 * ended the walk here */
};

static int
tree_walk(struct dmarc_ctx *ctx, const char *start, struct walk *w,
    unsigned *queries)
{
	const struct dmarc_look *l;
	const char *target = start;
	size_t x, asked = 0;

	memset(w, 0, sizeof(*w));
	while (target != NULL && *target != '\0' &&
	    asked < QPM_DMARC_MAX_WALK) {
		if ((l = lookup(ctx, target, queries)) == NULL)
			return QPM_ENOMEM;
		asked++;
		if (l->status == LOOK_TEMP) {
			/* above a record already found, the error can only
			 * hide a psd= tag: use what was found, say so */
			if (w->n > 0)
				w->stopped = target;
			else
				w->temp = 1;
			return 0;
		}
		if (l->status == LOOK_PERM)
			w->perm = 1;
		if (l->status == LOOK_RECORD) {
			w->name[w->n] = target;
			w->look[w->n++] = l;
			if (l->rec.psd == 'y' || l->rec.psd == 'n')
				return 0;
		}
		x = labels(target);
		if (target == start && x >= 8)
			target = suffix(target, 7);
		else
			target = suffix(target, x - 1);
	}
	return 0;
}

/* RFC 9989 4.10.2 organizational domain selection over a walk. */
static const char *
walk_org(const char *start, const struct walk *w, size_t *rec_idx)
{
	size_t i, below;

	*rec_idx = (size_t)-1;
	for (i = 0; i < w->n; i++) {
		if (w->look[i]->rec.psd == 'n') {
			*rec_idx = i;
			return w->name[i];
		}
		if (w->look[i]->rec.psd == 'y' && w->name[i] != start) {
			below = labels(w->name[i]) + 1;
			return suffix(start, below);
		}
	}
	if (w->n > 0) {
		*rec_idx = w->n - 1;
		return w->name[w->n - 1];
	}
	return start;
}

char *
dmarc_org_domain(struct dmarc_ctx *ctx, enum dmarc_method method,
    const char *name, unsigned *queries, int *temp)
{
	struct walk w;
	const char *org;
	char *lname, *res = NULL;
	size_t idx;

	*temp = 0;
	if ((lname = dns_name_dup(name)) == NULL)
		return NULL;
	switch (method) {
	case DMARC_RFC7489:
		org = psl_registrable_domain(ctx->psl, lname);
		res = strdup(org != NULL ? org : lname);
		break;
	case DMARC_RFC9989:
		if (tree_walk(ctx, lname, &w, queries) < 0)
			break;
		if (w.temp) {
			*temp = 1;
			break;
		}
		res = strdup(walk_org(lname, &w, &idx));
		break;
	}
	free(lname);
	return res;
}

static int
aligned(struct dmarc_ctx *ctx, enum dmarc_method m, char mode,
    const char *author, const char *author_org, const char *id,
    unsigned *queries, int *temp)
{
	char *org;
	int r;

	if (strcasecmp(author, id) == 0)
		return 1;
	if (mode == 's')
		return 0;
	if ((org = dmarc_org_domain(ctx, m, id, queries, temp)) == NULL)
		return 0;
	r = strcmp(org, author_org) == 0;
	free(org);
	return r;
}

static void set_reason(struct dmarc_result *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

static void
set_reason(struct dmarc_result *out, const char *fmt, ...)
{
	struct qstr q = QSTR_INIT(512);
	va_list ap;
	int rc;

	free(out->reason);
	out->reason = NULL;
	va_start(ap, fmt);
	rc = qstr_vcatf(&q, fmt, ap);
	va_end(ap);
	if (rc == 0)
		out->reason = q.buf;
	else
		qstr_free(&q);
}

static void
add_reason(struct dmarc_result *out, const char *text)
{
	struct qstr q = QSTR_INIT(1024);

	if (out->reason != NULL && qstr_catf(&q, "%s; ", out->reason) < 0)
		return;
	if (qstr_cat(&q, text) < 0) {
		qstr_free(&q);
		return;
	}
	free(out->reason);
	out->reason = q.buf;
}

static enum dmarc_policy
step_down(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_P_REJECT:
		return DMARC_P_QUARANTINE;
	case DMARC_P_QUARANTINE:
	case DMARC_P_NONE:
		return DMARC_P_NONE;
	}
	return DMARC_P_NONE;
}

/* Does name exist (RFC 9989 2.x, RFC 8020: NXDOMAIN means no)? */
static int
domain_exists(struct dmarc_ctx *ctx, const char *name, unsigned *queries)
{
	struct dns_answer ans;
	int st;

	memset(&ans, 0, sizeof(ans));
	(*queries)++;
	st = dns_query(ctx->dns, name, DNS_T_A, &ans);
	dns_answer_free(&ans);
	return st != DNS_NXDOMAIN;
}

/* The record that applies under RFC 9989: the tree walk from author.
 * 1 with *l, *org, *pdom set; 0 when out holds the result (none,
 * temperror, permerror); QPM_ENOMEM. */
static int
find_rfc9989(struct dmarc_ctx *ctx, const char *author,
    struct dmarc_result *out, const struct dmarc_look **l, const char **org,
    const char **pdom)
{
	struct walk w;
	size_t i, idx;
	int rc;

	if ((rc = tree_walk(ctx, author, &w, &out->queries)) < 0)
		return rc;
	if (w.temp) {
		out->result = DMARC_R_TEMPERROR;
		set_reason(out, "DNS error on the _dmarc tree walk from %s",
		    author);
		return 0;
	}
	if (w.n == 0) {
		out->result = w.perm ? DMARC_R_PERMERROR : DMARC_R_NONE;
		if (w.perm)
			set_reason(out, "malformed DNS answer for a DMARC "
			    "record of %s", author);
		else
			set_reason(out, "no DMARC record for %s or its "
			    "parents", author);
		return 0;
	}
	*org = walk_org(author, &w, &idx);
	if (w.stopped != NULL) {
		struct qstr q = QSTR_INIT(512);

		if (qstr_catf(&q, "DNS error at _dmarc.%s ended the tree "
		    "walk; records below it used", w.stopped) == 0)
			add_reason(out, q.buf);
		qstr_free(&q);
	}
	if (w.name[0] == author) {
		*l = w.look[0];		/* the author's own record */
		*pdom = author;
		return 1;
	}
	/* the organizational domain's record, else the public suffix
	 * domain's (RFC 9989 4.10.1) */
	for (i = 0; i < w.n; i++)
		if (strcmp(w.name[i], *org) == 0)
			break;
	if (i == w.n)
		i = w.n - 1;
	*l = w.look[i];
	*pdom = w.name[i];
	return 1;
}

/* The record that applies under RFC 7489: the author's, else its
 * organizational domain's by the public suffix list.  Returns as
 * find_rfc9989. */
static int
find_rfc7489(struct dmarc_ctx *ctx, const char *author,
    struct dmarc_result *out, const struct dmarc_look **l, const char **org,
    const char **pdom)
{
	if ((*l = lookup(ctx, author, &out->queries)) == NULL)
		return QPM_ENOMEM;
	*pdom = author;
	*org = psl_registrable_domain(ctx->psl, author);
	if (*org == NULL)
		*org = author;
	if ((*l)->status == LOOK_NONE || (*l)->status == LOOK_MULTI) {
		if ((*l)->status == LOOK_MULTI)
			add_reason(out, "several DMARC records at the author "
			    "domain: all discarded");
		if (strcmp(*org, author) != 0) {
			if ((*l = lookup(ctx, *org, &out->queries)) == NULL)
				return QPM_ENOMEM;
			*pdom = *org;
		}
	}
	if ((*l)->status == LOOK_TEMP) {
		out->result = DMARC_R_TEMPERROR;
		set_reason(out, "DNS error looking up _dmarc.%s", *pdom);
		return 0;
	}
	if ((*l)->status == LOOK_PERM) {
		out->result = DMARC_R_PERMERROR;
		set_reason(out, "malformed DNS answer for _dmarc.%s", *pdom);
		return 0;
	}
	if ((*l)->status != LOOK_RECORD) {
		out->result = DMARC_R_NONE;
		add_reason(out, "no DMARC record at the author domain or its "
		    "organizational domain (public suffix list)");
		return 0;
	}
	return 1;
}

/* Which policy tag of out->rec applies to author (p, np or sp); sets
 * out->policy_tag and returns the policy. */
static enum dmarc_policy
policy_for(struct dmarc_ctx *ctx, enum dmarc_method m, const char *author,
    const char *pdom, struct dmarc_result *out)
{
	enum dmarc_policy pol = 0;

	if (strcmp(pdom, author) == 0) {
		out->policy_tag = "p";
		return dmarc_record_p(&out->rec);
	}
	if (m == DMARC_RFC9989 && out->rec.np != 0 &&
	    !(out->author_exists = domain_exists(ctx, author,
	    &out->queries))) {
		out->policy_tag = "np";
		pol = out->rec.np;
	}
	if (pol == 0 && out->rec.sp != 0) {
		out->policy_tag = "sp";
		pol = out->rec.sp;
	}
	if (pol == 0) {
		out->policy_tag = "p";
		pol = dmarc_record_p(&out->rec);
	}
	return pol;
}

/* The result once the record and its policy pol are known: pass on an
 * aligned SPF or DKIM identifier, else fail (or temperror), with the
 * notes a receiver would weigh.  0 or QPM_ENOMEM. */
static int
judge(struct dmarc_ctx *ctx, enum dmarc_method m, const char *author,
    const char *org, const struct dmarc_in *in, enum dmarc_policy pol,
    struct dmarc_result *out)
{
	size_t i;
	int temp = 0;

	/* alignment: SPF, then every passing DKIM signature */
	if (in->spf.domain != NULL && in->spf.pass)
		out->spf_aligned = aligned(ctx, m, out->rec.aspf, author, org,
		    in->spf.domain, &out->queries, &temp);
	for (i = 0; i < in->ndkim; i++) {
		if (!in->dkim[i].pass || in->dkim[i].domain == NULL)
			continue;
		if (aligned(ctx, m, out->rec.adkim, author, org,
		    in->dkim[i].domain, &out->queries, &temp)) {
			out->dkim_aligned = 1;
			if ((out->dkim_domain =
			    dns_name_dup(in->dkim[i].domain)) == NULL)
				return QPM_ENOMEM;
			break;
		}
	}
	if (out->spf_aligned || out->dkim_aligned) {
		out->result = DMARC_R_PASS;
		out->policy = DMARC_P_NONE;
		return 0;
	}
	if (temp) {
		out->result = DMARC_R_TEMPERROR;
		add_reason(out, "DNS error finding an identifier's "
		    "organizational domain");
		return 0;
	}
	out->result = DMARC_R_FAIL;
	out->policy = pol;
	if (m == DMARC_RFC9989 && out->rec.t == 'y') {
		out->policy = step_down(pol);
		add_reason(out, "t=y: policy applied one step down");
	}
	if (m == DMARC_RFC7489 && out->rec.pct >= 0 && out->rec.pct < 100)
		add_reason(out, "pct below 100: RFC 7489 receivers sample");
	if (in->spf.temperror)
		add_reason(out, "SPF had a temporary error");
	for (i = 0; i < in->ndkim; i++)
		if (in->dkim[i].temperror) {
			add_reason(out, "a DKIM key lookup had a temporary "
			    "error");
			break;
		}
	return 0;
}

/* Evaluates one author domain. */
static int
eval_one(struct dmarc_ctx *ctx, enum dmarc_method m, const char *author,
    const struct dmarc_in *in, struct dmarc_result *out)
{
	const struct dmarc_look *l = NULL;
	const char *org = NULL, *pdom = NULL;
	enum dmarc_policy pol;
	int rc;

	out->method = m;
	if ((out->author = dns_name_dup(author)) == NULL)
		return QPM_ENOMEM;
	author = out->author;
	out->author_exists = 1;
	rc = m == DMARC_RFC9989 ?
	    find_rfc9989(ctx, author, out, &l, &org, &pdom) :
	    find_rfc7489(ctx, author, out, &l, &org, &pdom);
	if (rc <= 0)
		return rc;
	if ((out->org_domain = strdup(org)) == NULL ||
	    (out->policy_domain = strdup(pdom)) == NULL)
		return QPM_ENOMEM;
	out->rec = l->rec;
	l = NULL;	/* later lookups may add entries: use out->rec */
	if (dmarc_record_p(&out->rec) == 0) {
		out->result = DMARC_R_NONE;
		set_reason(out, "the record at _dmarc.%s has no valid p= and "
		    "no valid rua=: no DMARC processing", pdom);
		return 0;
	}
	pol = policy_for(ctx, m, author, pdom, out);
	out->published = pol;
	return judge(ctx, m, author, org, in, pol, out);
}

static int
rank(const struct dmarc_result *r)
{
	/* which of several author domains decides: the worst outcome,
	 * then the strictest policy (RFC 7489 6.6.1) */
	switch (r->result) {
	case DMARC_R_FAIL:
		return 10 + (int)r->policy;
	case DMARC_R_TEMPERROR:
		return 5;
	case DMARC_R_PERMERROR:
		return 4;
	case DMARC_R_PASS:
		return 2;
	case DMARC_R_NONE:
		return 1;
	}
	return 0;
}

int
dmarc_eval(struct dmarc_ctx *ctx, enum dmarc_method m,
    const struct dmarc_in *in, struct dmarc_result *out)
{
	struct dmarc_result one;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->method = m;
	out->nauthor = (unsigned)in->nauthor;
	if (in->from_problem != NULL) {
		out->result = DMARC_R_PERMERROR;
		set_reason(out, "From: header field does not parse: %s",
		    in->from_problem);
		return out->reason ? 0 : QPM_ENOMEM;
	}
	if (in->from_fields == 0 || in->nauthor == 0) {
		/* RFC 9989 4.x: no author domain, DMARC validation is not
		 * possible; RFC 5322 3.6 requires exactly one From: */
		out->result = DMARC_R_PERMERROR;
		set_reason(out, "%s", in->from_fields == 0 ? "no From: "
		    "header field" : "no domain in From:");
		return out->reason ? 0 : QPM_ENOMEM;
	}
	if (in->from_fields > 1) {
		out->result = DMARC_R_PERMERROR;
		set_reason(out, "several From: header fields (RFC 5322 3.6 "
		    "allows one)");
		return out->reason ? 0 : QPM_ENOMEM;
	}
	for (i = 0; i < in->nauthor; i++) {
		memset(&one, 0, sizeof(one));
		if ((rc = eval_one(ctx, m, in->author[i], in, &one)) < 0) {
			dmarc_result_free(&one);
			dmarc_result_free(out);
			return rc;
		}
		one.queries += out->queries;
		if (i == 0 || rank(&one) > rank(out)) {
			dmarc_result_free(out);
			*out = one;
		} else {
			out->queries = one.queries;
			dmarc_result_free(&one);
		}
	}
	out->nauthor = (unsigned)in->nauthor;
	if (in->nauthor > 1)
		add_reason(out, "several author domains in From: each "
		    "evaluated, the strictest outcome kept (RFC 7489 6.6.1; "
		    "RFC 9989 leaves such mail out of scope)");
	return 0;
}

void
dmarc_result_free(struct dmarc_result *r)
{
	free(r->author);
	free(r->policy_domain);
	free(r->org_domain);
	free(r->dkim_domain);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

const char *
dmarc_res_str(enum dmarc_res r)
{
	switch (r) {
	case DMARC_R_NONE:
		return "none";
	case DMARC_R_PASS:
		return "pass";
	case DMARC_R_FAIL:
		return "fail";
	case DMARC_R_TEMPERROR:
		return "temperror";
	case DMARC_R_PERMERROR:
		return "permerror";
	}
	return "permerror";
}

const char *
dmarc_policy_str(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_P_NONE:
		return "none";
	case DMARC_P_QUARANTINE:
		return "quarantine";
	case DMARC_P_REJECT:
		return "reject";
	}
	return "unset";
}

const char *
dmarc_method_str(enum dmarc_method m)
{
	switch (m) {
	case DMARC_RFC9989:
		return "rfc9989";
	case DMARC_RFC7489:
		return "rfc7489";
	}
	return "unknown";
}
