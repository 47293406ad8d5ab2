/*
 * NAME		spf - RFC 7208 check_host() over our resolver
 * DOES		fetches and selects the record, parses it with spf_parse,
 *		walks the terms, recurses into include: and redirect=,
 *		counts DNS-querying terms and void lookups across the whole
 *		evaluation; macros, exp= and Received-SPF are spf_expand.c's.
 *		The a, mx and exists mechanisms are matched by libspf2
 *		(SPF_record_interpret on a one-term record, with an
 *		SPF_dns_server_t layer that asks our resolver)
 * NEVER	lets libspf2 fetch or select a record, apply its "localhost
 *		is always allowed" rule, or see a macro; folds a temperror
 *		or permerror into none
 */
#include <config.h>

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spf2/spf.h>

#include "checks/core/spf.h"
#include "checks/core/spf_parse.h"
#include "mail/addr.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"
#include "checks/core/spf_int.h"
static const char *const spf_res_names[] = {
	"(invalid)", "none", "neutral", "pass", "fail", "softfail",
	"temperror", "permerror"
};

const char *
spf_res_str(enum spf_res r)
{
	if ((int)r < 1 || (size_t)r >= sizeof(spf_res_names) /
	    sizeof(spf_res_names[0]))
		return spf_res_names[0];
	return spf_res_names[r];
}

const char *
spf_identity_str(enum spf_identity id)
{
	switch (id) {
	case SPF_ID_MAILFROM:	return "mailfrom";
	case SPF_ID_HELO:	return "helo";
	}
	return "unknown";
}

static void
set_problem(struct spf_eval *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_problem(struct spf_eval *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->problem.len > 0)	/* the first, innermost reason wins */
		return;
	va_start(ap, fmt);
	if (qstr_vcatf(&ev->problem, fmt, ap) == QPM_ENOMEM)
		ev->oom = 1;
	va_end(ap);
}

/*
 * The libspf2 DNS layer: every query libspf2 makes while matching a
 * mechanism goes to our resolver; what it sees is noted for the limits.
 */
static SPF_dns_rr_t *
layer_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type,
    int should_cache)
{
	struct spf_ctx *ctx = srv->hook;
	struct spf_eval *ev = ctx->cur;
	struct dns_answer ans;
	SPF_dns_rr_t *rr;
	int st, herrno, i;
	size_t k, len;

	(void)should_cache;
	if (ev == NULL)
		return SPF_dns_rr_new_init(srv, domain, type, 0, TRY_AGAIN);
	st = dns_query(ctx->dns, domain, type, &ans);
	if (ev->l_first == 0)
		ev->l_first = st;
	switch (st) {
	case DNS_OK:		herrno = NETDB_SUCCESS; break;
	case DNS_NXDOMAIN:	herrno = HOST_NOT_FOUND; break;
	case DNS_NODATA:	herrno = NO_DATA; break;
	default:
		herrno = TRY_AGAIN;
		ev->l_tempfail = 1;
		set_problem(ev, "DNS %s for %s: %s", type == ns_t_mx ? "MX" :
		    type == ns_t_aaaa ? "AAAA" : type == ns_t_ptr ? "PTR" : "A",
		    domain, ans.why ? ans.why : dns_status_str(st));
		break;
	}
	if (type == ns_t_mx && st == DNS_OK && ans.n > SPF_MAX_MX_NAMES)
		ev->l_mx_over = 1;
	rr = SPF_dns_rr_new_init(srv, domain, type, 300, herrno);
	if (rr == NULL) {
		dns_answer_free(&ans);
		return NULL;
	}
	for (k = 0, i = 0; st == DNS_OK && k < ans.n; k++) {
		const struct dns_rr *a = &ans.rr[k];

		if (a->type != (uint16_t)type)
			continue;
		switch (type) {
		case ns_t_a:
			if (SPF_dns_rr_buf_realloc(rr, i,
			    sizeof(struct in_addr)) != SPF_E_SUCCESS)
				goto oom;
			memcpy(&rr->rr[i]->a, a->addr, 4);
			break;
		case ns_t_aaaa:
			if (SPF_dns_rr_buf_realloc(rr, i,
			    sizeof(struct in6_addr)) != SPF_E_SUCCESS)
				goto oom;
			memcpy(&rr->rr[i]->aaaa, a->addr, 16);
			break;
		case ns_t_mx:
		case ns_t_ptr:
			len = strlen(a->text);
			if (SPF_dns_rr_buf_realloc(rr, i, len + 1) !=
			    SPF_E_SUCCESS)
				goto oom;
			memcpy(rr->rr[i]->mx, a->text, len + 1);
			break;
		default:
			continue;
		}
		i++;
	}
	rr->num_rr = i;
	if (st == DNS_OK && i == 0)
		rr->herrno = NO_DATA;
	dns_answer_free(&ans);
	return rr;
oom:
	ev->oom = 1;
	rr->num_rr = i;
	dns_answer_free(&ans);
	return rr;
}

struct spf_ctx *
spf_ctx_new(const struct dns_resolver *dns, const char *receiver,
    const struct qpm_clock *clock)
{
	struct spf_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	ctx->dns = dns;
	ctx->clock = clock;
	if (receiver != NULL && *receiver != '\0' &&
	    (ctx->receiver = strdup(receiver)) == NULL)
		goto fail;
	ctx->layer.lookup = layer_lookup;
	ctx->layer.name = "qpm";
	ctx->layer.hook = ctx;
	if ((ctx->spf2 = SPF_server_new_dns(&ctx->layer, 0)) == NULL)
		goto fail;
	return ctx;
fail:
	spf_ctx_free(ctx);
	return NULL;
}

void
spf_ctx_free(struct spf_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->spf2 != NULL) {
		ctx->spf2->resolver = NULL;	/* ours, not libspf2's */
		SPF_server_free(ctx->spf2);
	}
	free(ctx->receiver);
	free(ctx->default_exp);
	free(ctx);
}

int
spf_ctx_set_default_exp(struct spf_ctx *ctx, const char *text)
{
	char *p = NULL;

	if (text != NULL && (p = strdup(text)) == NULL)
		return QPM_ENOMEM;
	free(ctx->default_exp);
	ctx->default_exp = p;
	return 0;
}

/* RFC 7208 4.3: a multi-label name, labels of 1..63 octets, 253 in all */
int
spf_domain_ok(const char *d)
{
	size_t len = strlen(d), label = 0, labels = 0, i;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || d[i] == '.') {
			if (label == 0 || label > 63)
				return 0;
			labels++;
			label = 0;
		} else
			label++;
	}
	return labels >= 2;
}

static int
cidr_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (full > 0 && memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

int
spf_addr_matches(const struct spf_eval *ev, const struct dns_rr *rr)
{
	if (ev->family == AF_INET)
		return rr->type == DNS_T_A && memcmp(rr->addr, ev->ip, 4) == 0;
	return rr->type == DNS_T_AAAA && memcmp(rr->addr, ev->ip, 16) == 0;
}

static enum spf_res check_host(struct spf_eval *, const char *, int, int);

/* counts one DNS-querying term; permerror past the limit */
static int
count_lookup(struct spf_eval *ev, const char *term)
{
	if (++ev->lookups > QPM_SPF_MAX_LOOKUPS) {
		set_problem(ev, "more than %d DNS-querying terms (at '%s'; "
		    "RFC 7208 4.6.4)", QPM_SPF_MAX_LOOKUPS, term);
		return -1;
	}
	return 0;
}

static int
count_void(struct spf_eval *ev, int status, const char *term)
{
	if (status != DNS_NXDOMAIN && status != DNS_NODATA)
		return 0;
	if (++ev->voids > QPM_SPF_MAX_VOID) {
		set_problem(ev, "more than %d void lookups (at '%s'; RFC 7208 "
		    "4.6.4)", QPM_SPF_MAX_VOID, term);
		return -1;
	}
	return 0;
}

/*
 * a, mx, exists with a literal target: libspf2 matches them. The target
 * is re-escaped so libspf2's own macro pass gives it back unchanged.
 * Returns 1 match, 0 no match, or SPF_R_TEMPERROR / SPF_R_PERMERROR
 * negated.
 */
static int
spf2_match(struct spf_eval *ev, const struct spf_term *t, const char *target)
{
	struct qstr rec = QSTR_INIT(2048);
	SPF_response_t *resp = NULL;
	SPF_record_t *r = NULL;
	SPF_errcode_t e;
	const char *p;
	int ret = -SPF_R_PERMERROR, c4, c6;

	c4 = ev->family == AF_INET ? t->cidr4 : -1;
	c6 = ev->family == AF_INET6 ? t->cidr6 : -1;
	if (qstr_cat(&rec, t->mech == SPF_M_A ? "v=spf1 a:" :
	    t->mech == SPF_M_MX ? "v=spf1 mx:" : "v=spf1 exists:") < 0)
		goto oom;
	for (p = target; *p; p++) {
		int err;

		if (*p == '%')
			err = qstr_cat(&rec, "%%");
		else if (*p == ' ')
			err = qstr_cat(&rec, "%_");
		else if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e) {
			/* no such name can be published: no match */
			qstr_free(&rec);
			return 0;
		} else
			err = qstr_catc(&rec, *p);
		if (err < 0)
			goto oom;
	}
	if (c4 >= 0 && qstr_catf(&rec, "/%d", c4) < 0)
		goto oom;
	if (c6 >= 0 && qstr_catf(&rec, "//%d", c6) < 0)
		goto oom;
	if ((resp = SPF_response_new(ev->req)) == NULL)
		goto oom;
	e = SPF_record_compile(ev->ctx->spf2, resp, &r, rec.buf);
	if (e != SPF_E_SUCCESS || r == NULL) {
		set_problem(ev, "libspf2 cannot compile '%s': %s", t->text,
		    SPF_strerror(e));
		goto out;
	}
	ev->l_first = ev->l_tempfail = ev->l_mx_over = 0;
	ev->ctx->cur = ev;
	ev->req->cur_dom = target;
	resp->spf_record_exp = r;
	SPF_record_interpret(r, ev->req, resp, 0);
	ev->ctx->cur = NULL;
	ev->req->cur_dom = NULL;
	if (ev->oom)
		goto oom;
	if (ev->l_mx_over) {
		set_problem(ev, "'%s': more than %d MX records (RFC 7208 "
		    "4.6.4)", t->text, SPF_MAX_MX_NAMES);
		goto out;
	}
	if (count_void(ev, ev->l_first, t->text) < 0)
		goto out;
	if (ev->l_tempfail) {
		ret = -SPF_R_TEMPERROR;
		goto out;
	}
	switch (SPF_response_result(resp)) {
	case SPF_RESULT_PASS:
		ret = 1;
		break;
	case SPF_RESULT_NEUTRAL:
		ret = 0;
		break;
	default:
		set_problem(ev, "libspf2 could not evaluate '%s': %s",
		    t->text, SPF_strerror(SPF_response_errcode(resp)));
		break;
	}
	goto out;
oom:
	ev->oom = 1;
out:
	if (r != NULL)
		SPF_record_free(r);
	if (resp != NULL)
		SPF_response_free(resp);
	qstr_free(&rec);
	return ret;
}

/* a or mx with a zero prefix for the client's family, which libspf2
 * refuses to compile: matches when any address record exists. */
static int
zero_cidr_match(struct spf_eval *ev, const struct spf_term *t,
    const char *target)
{
	struct dns_answer ans, mx;
	int type = ev->family == AF_INET ? DNS_T_A : DNS_T_AAAA, st, hit = 0;
	size_t i;

	if (t->mech == SPF_M_A) {
		st = dns_query(ev->ctx->dns, target, type, &ans);
		dns_answer_free(&ans);
		if (count_void(ev, st, t->text) < 0)
			return -SPF_R_PERMERROR;
		if (st == DNS_TEMPFAIL || st == DNS_PERMFAIL)
			return -SPF_R_TEMPERROR;
		return st == DNS_OK;
	}
	st = dns_query(ev->ctx->dns, target, DNS_T_MX, &mx);
	if (count_void(ev, st, t->text) < 0 || (st == DNS_OK &&
	    mx.n > SPF_MAX_MX_NAMES)) {
		set_problem(ev, "'%s': too many MX records", t->text);
		dns_answer_free(&mx);
		return -SPF_R_PERMERROR;
	}
	if (st == DNS_TEMPFAIL || st == DNS_PERMFAIL) {
		dns_answer_free(&mx);
		return -SPF_R_TEMPERROR;
	}
	for (i = 0; st == DNS_OK && i < mx.n && !hit; i++) {
		int ast = dns_query(ev->ctx->dns, mx.rr[i].text, type, &ans);

		if (ast == DNS_OK)
			hit = 1;
		dns_answer_free(&ans);
		if (ast == DNS_TEMPFAIL) {
			dns_answer_free(&mx);
			return -SPF_R_TEMPERROR;
		}
	}
	dns_answer_free(&mx);
	return hit;
}

static int
ptr_found(void *arg, const char *name)
{
	return spf_name_under(name, arg);
}

/*
 * One mechanism. Returns 1 match, 0 no match, or a negated
 * SPF_R_TEMPERROR / SPF_R_PERMERROR.
 */
static int
eval_mech(struct spf_eval *ev, const struct spf_term *t, const char *domain,
    int depth)
{
	struct qstr target = QSTR_INIT(SPF_MAX_EXPANSION);
	enum spf_res r;
	int ret = 0, st, cidr;

	switch (t->mech) {
	case SPF_M_ALL:
		return 1;
	case SPF_M_IP4:
		return ev->family == AF_INET &&
		    cidr_match(ev->ip, t->ip, t->cidr4);
	case SPF_M_IP6:
		return ev->family == AF_INET6 &&
		    cidr_match(ev->ip, t->ip, t->cidr6);
	case SPF_M_INCLUDE:
	case SPF_M_A:
	case SPF_M_MX:
	case SPF_M_PTR:
	case SPF_M_EXISTS:
		break;
	}
	if (count_lookup(ev, t->text) < 0)
		return -SPF_R_PERMERROR;
	if (t->domain_spec == NULL)
		ret = qstr_cat(&target, domain);
	else
		ret = spf_macro_expand(ev, domain, t->domain_spec,
		    strlen(t->domain_spec), 1, &target);
	if (ret < 0) {
		qstr_free(&target);
		ev->oom = ret == QPM_ENOMEM;
		set_problem(ev, "cannot expand '%s'", t->text);
		return -SPF_R_PERMERROR;
	}
	ret = 0;
	switch (t->mech) {
	case SPF_M_INCLUDE:
		r = check_host(ev, target.buf, depth + 1, 0);
		switch (r) {
		case SPF_R_PASS:
			ret = 1;
			break;
		case SPF_R_FAIL:
		case SPF_R_SOFTFAIL:
		case SPF_R_NEUTRAL:
			ret = 0;
			break;
		case SPF_R_TEMPERROR:
			ret = -SPF_R_TEMPERROR;
			break;
		case SPF_R_NONE:
			set_problem(ev, "'%s': no SPF record at %s (RFC 7208 "
			    "5.2)", t->text, target.buf);
			ret = -SPF_R_PERMERROR;
			break;
		case SPF_R_PERMERROR:
			ret = -SPF_R_PERMERROR;
			break;
		}
		break;
	case SPF_M_PTR: {
		int hit = spf_validated_names(ev, &st, ptr_found, target.buf);

		if (hit == QPM_ENOMEM)
			ev->oom = 1;
		if (count_void(ev, st, t->text) < 0)
			ret = -SPF_R_PERMERROR;
		else	/* a PTR error is no match (RFC 7208 5.5) */
			ret = hit == 1;
		break;
	}
	case SPF_M_A:
	case SPF_M_MX:
		cidr = ev->family == AF_INET ? t->cidr4 : t->cidr6;
		ret = cidr == 0 ? zero_cidr_match(ev, t, target.buf) :
		    spf2_match(ev, t, target.buf);
		break;
	case SPF_M_EXISTS:
		ret = spf2_match(ev, t, target.buf);
		break;
	default:
		break;
	}
	qstr_free(&target);
	return ret;
}

static enum spf_res
qualifier_result(char q)
{
	switch (q) {
	case '-': return SPF_R_FAIL;
	case '~': return SPF_R_SOFTFAIL;
	case '?': return SPF_R_NEUTRAL;
	}
	return SPF_R_PASS;
}

/* RFC 7208 4.4 and 4.5: the one record of domain, or a result */
static enum spf_res
fetch_record(struct spf_eval *ev, const char *domain, struct spf_record **rec)
{
	struct dns_answer ans;
	char why[256];
	size_t i, found = 0, at = 0;
	int st, err;

	*rec = NULL;
	st = dns_query(ev->ctx->dns, domain, DNS_T_TXT, &ans);
	switch (st) {
	case DNS_OK:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		dns_answer_free(&ans);
		set_problem(ev, "no SPF record at %s (%s)", domain,
		    dns_status_str(st));
		return SPF_R_NONE;
	default:
		set_problem(ev, "DNS TXT lookup of %s: %s", domain,
		    ans.why ? ans.why : dns_status_str(st));
		dns_answer_free(&ans);
		return SPF_R_TEMPERROR;
	}
	for (i = 0; i < ans.n; i++) {
		if (ans.rr[i].type == DNS_T_TXT && spf_is_record(
		    ans.rr[i].text, ans.rr[i].textlen)) {
			found++;
			at = i;
		}
	}
	if (found == 0) {
		dns_answer_free(&ans);
		set_problem(ev, "no SPF record at %s", domain);
		return SPF_R_NONE;
	}
	if (found > 1) {
		dns_answer_free(&ans);
		set_problem(ev, "%s has %zu SPF records (RFC 7208 4.5)",
		    domain, found);
		return SPF_R_PERMERROR;
	}
	err = spf_record_parse(ans.rr[at].text, ans.rr[at].textlen, rec,
	    why, sizeof(why));
	dns_answer_free(&ans);
	if (err == QPM_ENOMEM) {
		ev->oom = 1;
		return SPF_R_TEMPERROR;
	}
	if (err < 0) {
		set_problem(ev, "syntax error in the SPF record of %s: %s",
		    domain, why);
		return SPF_R_PERMERROR;
	}
	return 0;
}

static void
set_mechanism(struct spf_eval *ev, const char *text)
{
	qstr_reset(&ev->mechanism);
	if (qstr_cat(&ev->mechanism, text) < 0)
		ev->oom = 1;
}

/*
 * check_host() of RFC 7208 4. want_exp: this level's fail gets an
 * explanation (top level and redirect targets, never include targets).
 */
static enum spf_res
check_host(struct spf_eval *ev, const char *domain, int depth, int want_exp)
{
	struct qstr target = QSTR_INIT(SPF_MAX_EXPANSION);
	struct spf_record *rec;
	enum spf_res r;
	size_t i;
	int m;

	if (depth > SPF_MAX_DEPTH) {
		set_problem(ev, "nested too deep at %s", domain);
		return SPF_R_PERMERROR;
	}
	if (!spf_domain_ok(domain)) {
		set_problem(ev, "'%s' is not a valid domain name (RFC 7208 "
		    "4.3)", domain);
		return SPF_R_NONE;
	}
	if ((r = fetch_record(ev, domain, &rec)) != 0)
		return r;
	for (i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];

		m = eval_mech(ev, t, domain, depth);
		if (ev->oom) {
			r = SPF_R_TEMPERROR;
			goto out;
		}
		if (m < 0) {
			r = (enum spf_res)-m;
			goto out;
		}
		if (m == 1) {
			r = qualifier_result(t->qualifier);
			set_mechanism(ev, t->text);
			if (r == SPF_R_FAIL && want_exp)
				spf_explain(ev, rec, domain);
			goto out;
		}
	}
	if (rec->redirect != NULL) {
		if (count_lookup(ev, "redirect") < 0) {
			r = SPF_R_PERMERROR;
			goto out;
		}
		if (spf_macro_expand(ev, domain, rec->redirect,
		    strlen(rec->redirect), 1, &target) < 0) {
			ev->oom = 1;
			r = SPF_R_TEMPERROR;
			goto out;
		}
		r = check_host(ev, target.buf, depth + 1, want_exp);
		if (r == SPF_R_NONE) {
			set_problem(ev, "redirect=%s: no SPF record there "
			    "(RFC 7208 6.1)", target.buf);
			r = SPF_R_PERMERROR;
		}
		goto out;
	}
	set_mechanism(ev, "default");
	r = SPF_R_NEUTRAL;
out:
	qstr_free(&target);
	spf_record_free(rec);
	return r;
}

static int
parse_ip(struct spf_eval *ev, const char *ip)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1) {
		ev->family = AF_INET;
		memcpy(ev->ip, b, 4);
	} else if (inet_pton(AF_INET6, ip, b) == 1) {
		/* RFC 7208 5: an IPv4-mapped client is an IPv4 client */
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)b)) {
			ev->family = AF_INET;
			memcpy(ev->ip, b + 12, 4);
		} else {
			ev->family = AF_INET6;
			memcpy(ev->ip, b, 16);
		}
	} else
		return QPM_EINVAL;
	/* RFC 7208 is silent on the case of %{i} nibbles; like the
	 * suite's reference (pyspf) they keep the case the client
	 * address was written in. DNS does not care either way. */
	ev->upper_hex = strpbrk(ip, "ABCDEF") != NULL;
	inet_ntop(ev->family, ev->ip, ev->ipstr, sizeof(ev->ipstr));
	return 0;
}

int
spf_check(struct spf_ctx *ctx, const char *ip, const char *helo,
    const char *mailfrom, enum spf_identity identity, struct spf_result *out)
{
	struct spf_eval ev;
	struct qstr hdr = QSTR_INIT(SPF_MAX_HEADER);
	const char *domain;
	enum spf_res r;
	long at;
	int err = 0;

	memset(out, 0, sizeof(*out));
	memset(&ev, 0, sizeof(ev));
	qstr_init(&ev.problem, 1024);
	qstr_init(&ev.mechanism, 1024);
	ev.ctx = ctx;
	ev.helo = helo ? helo : "";
	if (ip == NULL || parse_ip(&ev, ip) < 0)
		return QPM_EINVAL;
	if (identity == SPF_ID_HELO || mailfrom == NULL || *mailfrom == '\0') {
		if (identity != SPF_ID_HELO && identity != SPF_ID_MAILFROM)
			return QPM_EINVAL;
		ev.local = strdup("postmaster");
		ev.odomain = strdup(ev.helo);
	} else {
		size_t len = strlen(mailfrom);

		if ((at = addr_split(mailfrom, len)) < 0) {
			const char *last = strrchr(mailfrom, '@');

			at = last ? (long)(last - mailfrom) : -1;
		}
		if (at < 0) {
			ev.local = strdup("postmaster");
			ev.odomain = strdup(mailfrom);
		} else {
			/* RFC 7208 4.3: no local-part means postmaster */
			ev.local = at == 0 ? strdup("postmaster") :
			    spf_dupn(mailfrom, (size_t)at);
			ev.odomain = strdup(mailfrom + at + 1);
		}
	}
	if (ev.local == NULL || ev.odomain == NULL)
		goto oom;
	if (qstr_catf(&hdr, "%s@%s", ev.local, ev.odomain) < 0)
		goto oom;
	ev.sender = hdr.buf;
	qstr_init(&hdr, SPF_MAX_HEADER);
	domain = ev.odomain;
	if ((ev.req = SPF_request_new(ctx->spf2)) == NULL)
		goto oom;
	if (ev.family == AF_INET)
		SPF_request_set_ipv4(ev.req, *(struct in_addr *)ev.ip);
	else
		SPF_request_set_ipv6(ev.req, *(struct in6_addr *)ev.ip);

	if (*domain == '\0') {
		set_problem(&ev, "no domain to check (empty %s)",
		    identity == SPF_ID_HELO ? "HELO" : "MAIL FROM and HELO");
		r = SPF_R_NONE;
	} else
		r = check_host(&ev, domain, 0, 1);
	if (ev.oom)
		goto oom;

	out->result = r;
	out->identity = identity;
	out->lookups = ev.lookups > QPM_SPF_MAX_LOOKUPS ?
	    QPM_SPF_MAX_LOOKUPS + 1 : ev.lookups;
	out->void_lookups = ev.voids;
	if (spf_received_spf(&ev, r, identity, &hdr) < 0)
		goto oom;
	out->received_spf = hdr.buf;
	hdr.buf = NULL;
	if ((out->domain = strdup(domain)) == NULL ||
	    (out->sender = strdup(ev.sender)) == NULL)
		goto oom;
	if (r == SPF_R_PASS || r == SPF_R_FAIL || r == SPF_R_SOFTFAIL ||
	    r == SPF_R_NEUTRAL) {
		if ((out->mechanism = strdup(ev.mechanism.len ?
		    ev.mechanism.buf : "default")) == NULL)
			goto oom;
	}
	if (r == SPF_R_FAIL) {
		if (ev.explanation == NULL)
			spf_explain(&ev, &(struct spf_record){ 0 }, domain);
		out->explanation = ev.explanation;
		ev.explanation = NULL;
		if (out->explanation == NULL)
			goto oom;
	}
	if (ev.problem.len > 0 && (r == SPF_R_NONE || r == SPF_R_TEMPERROR ||
	    r == SPF_R_PERMERROR) && (out->problem =
	    strdup(ev.problem.buf)) == NULL)
		goto oom;
	goto out;
oom:
	spf_result_free(out);
	err = QPM_ENOMEM;
out:
	if (ev.req != NULL)
		SPF_request_free(ev.req);
	free(ev.sender);
	free(ev.local);
	free(ev.odomain);
	free(ev.explanation);
	qstr_free(&ev.problem);
	qstr_free(&ev.mechanism);
	qstr_free(&hdr);
	return err;
}

void
spf_result_free(struct spf_result *r)
{
	if (r == NULL)
		return;
	free(r->domain);
	free(r->sender);
	free(r->mechanism);
	free(r->explanation);
	free(r->problem);
	free(r->received_spf);
	memset(r, 0, sizeof(*r));
}
