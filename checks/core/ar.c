/*
 * NAME		ar - one message through every check; A-R header and JSON
 * DOES		hdr_parse once, then SPF (MAIL FROM, HELO), DKIM, DMARC
 *		twice (RFC 9989 shown, RFC 7489 beside it), iprev and HELO;
 *		RFC 8601 2.2 syntax: "method=result (comment) ptype.prop=value"
 * NEVER	keeps pointers into the message after ar_evaluate returns
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/core/ar.h"
#include "mail/json.h"
#include "util/err.h"
#include "util/limits.h"

struct ar_ctx {
	const struct dns_resolver *dns;
	struct spf_ctx	*spf;
	struct dkimcheck *dkim;
	struct dmarc_ctx *dmarc;
};

struct ar_ctx *
ar_ctx_new(const struct dns_resolver *dns, const char *receiver,
    const struct qpm_clock *clock)
{
	struct ar_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	ctx->dns = dns;
	if ((ctx->spf = spf_ctx_new(dns, receiver, clock)) == NULL ||
	    (ctx->dkim = dkimcheck_new(dns, clock)) == NULL ||
	    (ctx->dmarc = dmarc_ctx_new(dns)) == NULL) {
		ar_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void
ar_ctx_free(struct ar_ctx *ctx)
{
	if (ctx == NULL)
		return;
	spf_ctx_free(ctx->spf);
	dkimcheck_free(ctx->dkim);
	dmarc_ctx_free(ctx->dmarc);
	free(ctx);
}

struct spf_ctx *
ar_ctx_spf(struct ar_ctx *ctx)
{
	return ctx->spf;
}

struct dmarc_ctx *
ar_ctx_dmarc(struct ar_ctx *ctx)
{
	return ctx->dmarc;
}

struct dkimcheck *
ar_ctx_dkim(struct ar_ctx *ctx)
{
	return ctx->dkim;
}

const struct dns_resolver *
ar_ctx_dns(struct ar_ctx *ctx)
{
	return ctx->dns;
}

int
ar_warn(char ***warnings, size_t *n, const char *text)
{
	char **nw, *d;

	if ((d = strdup(text)) == NULL)
		return QPM_ENOMEM;
	if ((nw = realloc(*warnings, (*n + 1) * sizeof(*nw))) == NULL) {
		free(d);
		return QPM_ENOMEM;
	}
	*warnings = nw;
	(*warnings)[(*n)++] = d;
	return 0;
}

static int
authors(const struct hdr_msg *m, struct ar_report *r)
{
	struct hdr_addrs a = { NULL, 0, 0 };
	const char *why = NULL;
	size_t i, j;
	int rc;

	rc = hdr_from_addrs(m, &a, &r->from_fields, &why);
	if (rc == QPM_ESYNTAX) {
		r->from_problem = strdup(why ? why : "syntax");
		rc = r->from_problem ? 0 : QPM_ENOMEM;
		goto out;
	}
	if (rc < 0)
		goto out;
	if ((r->author = calloc(a.n + 1, sizeof(char *))) == NULL) {
		rc = QPM_ENOMEM;
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		if (a.mb[i].domain == NULL)
			continue;
		for (j = 0; j < r->nauthor; j++)
			if (strcmp(r->author[j], a.mb[i].domain) == 0)
				break;
		if (j < r->nauthor)
			continue;
		if ((r->author[r->nauthor] = strdup(a.mb[i].domain)) == NULL) {
			rc = QPM_ENOMEM;
			goto out;
		}
		r->nauthor++;
	}
out:
	hdr_addrs_free(&a);
	return rc;
}

void
ar_dmarc_input(const struct ar_report *r, const struct spf_result *spf,
    struct dmarc_ident *idents, const int *dkim_pass, struct dmarc_in *in)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	in->from_fields = r->from_fields;
	in->from_problem = r->from_problem;
	in->author = (const char *const *)r->author;
	in->nauthor = r->nauthor;
	in->spf.domain = spf->domain;
	in->spf.pass = spf->result == SPF_R_PASS;
	in->spf.temperror = spf->result == SPF_R_TEMPERROR;
	for (i = 0; i < r->dkim.n; i++) {
		idents[i].domain = r->dkim.sig[i].d;
		idents[i].pass = dkim_pass ? dkim_pass[i] :
		    r->dkim.sig[i].result == DKIMCHECK_PASS;
		idents[i].temperror = r->dkim.sig[i].result ==
		    DKIMCHECK_TEMPERROR;
	}
	in->dkim = idents;
	in->ndkim = r->dkim.n;
}

int
ar_evaluate(struct ar_ctx *ctx, const struct ar_input *in,
    struct ar_report *out)
{
	struct hdr_msg m;
	struct dmarc_in din;
	struct dmarc_ident *idents = NULL;
	const char *helo = in->helo ? in->helo : "";
	char line[160];
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	if ((out->ip = strdup(in->ip)) == NULL ||
	    (out->helo = strdup(helo)) == NULL ||
	    (out->mailfrom = strdup(in->mailfrom ? in->mailfrom : "")) ==
	    NULL) {
		rc = QPM_ENOMEM;
		goto fail;
	}
	if ((rc = hdr_parse(in->msg, in->len, &m)) < 0)
		goto fail;
	out->hdr_flags = m.flags;
	out->bad_line = m.bad_line;
	if ((rc = authors(&m, out)) < 0)
		goto fail;
	if ((rc = spf_check(ctx->spf, in->ip, helo, out->mailfrom,
	    SPF_ID_MAILFROM, &out->spf_mailfrom)) < 0)
		goto fail;
	if (*helo != '\0' && (rc = spf_check(ctx->spf, in->ip, helo,
	    out->mailfrom, SPF_ID_HELO, &out->spf_helo)) < 0)
		goto fail;
	if ((rc = dkimcheck_verify(ctx->dkim, &m, &out->dkim)) < 0)
		goto fail;
	if ((idents = calloc(out->dkim.n + 1, sizeof(*idents))) == NULL) {
		rc = QPM_ENOMEM;
		goto fail;
	}
	ar_dmarc_input(out, &out->spf_mailfrom, idents, NULL, &din);
	if ((rc = dmarc_eval(ctx->dmarc, DMARC_RFC9989, &din, &out->dmarc)) <
	    0 || (rc = dmarc_eval(ctx->dmarc, DMARC_RFC7489, &din,
	    &out->dmarc7489)) < 0)
		goto fail;
	if ((rc = iprev_check(ctx->dns, in->ip, &out->iprev)) < 0)
		goto fail;
	if (*helo != '\0' && (rc = helo_check(ctx->dns, helo, in->ip,
	    &out->iprev, &out->helo_chk)) < 0)
		goto fail;

	/* what a receiver would also hold against the message */
	if (m.flags & HDR_F_GARBAGE) {
		(void)qpm_snprintf(line, sizeof(line), "line %zu is not a "
		    "header field: the header ends there", m.bad_line);
		if ((rc = ar_warn(&out->warnings, &out->nwarnings,
		    line)) < 0)
			goto fail;
	}
	if ((m.flags & HDR_F_8BIT) && (rc = ar_warn(&out->warnings,
	    &out->nwarnings, "8-bit bytes in the header (RFC 6532 SMTPUTF8 "
	    "needed)")) < 0)
		goto fail;
	if ((m.flags & HDR_F_NUL) && (rc = ar_warn(&out->warnings,
	    &out->nwarnings, "NUL byte in the header")) < 0)
		goto fail;
	if ((m.flags & HDR_F_LONG_LINE) && (rc = ar_warn(&out->warnings,
	    &out->nwarnings, "header line over 998 bytes (RFC 5322 "
	    "2.1.1)")) < 0)
		goto fail;
	if (out->from_fields > 1 && (rc = ar_warn(&out->warnings,
	    &out->nwarnings, "several From: header fields")) < 0)
		goto fail;
	for (i = 0; i < out->dkim.n; i++) {
		const struct dkimcheck_sig *s = &out->dkim.sig[i];

		if (!s->l_unsigned)
			continue;
		(void)qpm_snprintf(line, sizeof(line), "DKIM d=%s s=%s signs "
		    "only the first %lld of about %lld body bytes (l=): the "
		    "rest is unsigned", s->d, s->s, s->l, s->body_len);
		if ((rc = ar_warn(&out->warnings, &out->nwarnings,
		    line)) < 0)
			goto fail;
	}
	if (out->dkim.skipped > 0 && (rc = ar_warn(&out->warnings,
	    &out->nwarnings, "more DKIM signatures than evaluated")) < 0)
		goto fail;
	free(idents);
	hdr_free(&m);
	return 0;
fail:
	free(idents);
	hdr_free(&m);
	ar_report_free(out);
	return rc;
}

void
ar_report_free(struct ar_report *r)
{
	size_t i;

	free(r->ip);
	free(r->helo);
	free(r->mailfrom);
	spf_result_free(&r->spf_mailfrom);
	spf_result_free(&r->spf_helo);
	dkimcheck_report_free(&r->dkim);
	dmarc_result_free(&r->dmarc);
	dmarc_result_free(&r->dmarc7489);
	iprev_result_free(&r->iprev);
	helo_result_free(&r->helo_chk);
	for (i = 0; i < r->nauthor; i++)
		free(r->author[i]);
	free(r->author);
	free(r->from_problem);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

/* RFC 2045 token characters, plus "@" and "." for addresses. */
static int
plain_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("()<>,;:\\\"/[]?=", c) == NULL;
}

int
ar_cat_value(struct qstr *q, const char *v)
{
	const char *p;
	int plain = *v != '\0', rc;

	for (p = v; *p != '\0'; p++)
		if (!plain_char((unsigned char)*p))
			plain = 0;
	if (plain)
		return qstr_cat(q, v);
	if ((rc = qstr_catc(q, '"')) < 0)
		return rc;
	for (p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			continue;		/* no controls in a header */
		if ((c == '"' || c == '\\') && (rc = qstr_catc(q, '\\')) < 0)
			return rc;
		if ((rc = qstr_catc(q, (char)c)) < 0)
			return rc;
	}
	return qstr_catc(q, '"');
}

/* A comment: parentheses and backslashes escaped (RFC 5322 3.2.2). */
static int
cat_comment(struct qstr *q, const char *text)
{
	const char *p;
	int rc;

	if ((rc = qstr_cat(q, " (")) < 0)
		return rc;
	for (p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c >= 0x7f)
			continue;
		if ((c == '(' || c == ')' || c == '\\') &&
		    (rc = qstr_catc(q, '\\')) < 0)
			return rc;
		if ((rc = qstr_catc(q, (char)c)) < 0)
			return rc;
	}
	return qstr_catc(q, ')');
}

static int
cat_prop(struct qstr *q, const char *prop, const char *v)
{
	int rc;

	if (v == NULL || *v == '\0')
		return 0;
	if ((rc = qstr_catf(q, " %s=", prop)) < 0)
		return rc;
	return ar_cat_value(q, v);
}

int
ar_format(const struct ar_report *r, const char *id, struct qstr *q)
{
	struct qstr c = QSTR_INIT(4096);
	const struct dmarc_result *d = &r->dmarc;
	char b8[9];
	size_t i;
	int rc;

#define CK(x)	do { if ((rc = (x)) < 0) goto out; } while (0)
	CK(qstr_cat(q, "Authentication-Results: "));
	CK(ar_cat_value(q, id && *id ? id : "localhost"));
	/* SPF: MAIL FROM, or the HELO identity for the null sender */
	if (*r->mailfrom != '\0') {
		CK(qstr_catf(q, ";\n\tspf=%s",
		    spf_res_str(r->spf_mailfrom.result)));
		if (r->spf_mailfrom.problem != NULL)
			CK(cat_comment(q, r->spf_mailfrom.problem));
		else if (r->spf_mailfrom.mechanism != NULL) {
			qstr_reset(&c);
			CK(qstr_catf(&c, "matched %s",
			    r->spf_mailfrom.mechanism));
			CK(cat_comment(q, c.buf));
		}
		CK(cat_prop(q, "smtp.mailfrom", r->mailfrom));
	} else if (*r->helo != '\0') {
		CK(qstr_catf(q, ";\n\tspf=%s", spf_res_str(r->spf_helo.result)));
		if (r->spf_helo.problem != NULL)
			CK(cat_comment(q, r->spf_helo.problem));
		CK(cat_prop(q, "smtp.helo", r->helo));
	} else {
		CK(qstr_cat(q, ";\n\tspf=none (no MAIL FROM and no HELO)"));
	}
	/* DKIM: one resinfo per signature (RFC 8601 2.7.1) */
	if (r->dkim.n == 0)
		CK(qstr_cat(q, ";\n\tdkim=none (no signature)"));
	for (i = 0; i < r->dkim.n; i++) {
		const struct dkimcheck_sig *s = &r->dkim.sig[i];

		CK(qstr_catf(q, ";\n\tdkim=%s", dkimcheck_res_str(s->result)));
		qstr_reset(&c);
		if (s->keybits > 0)
			CK(qstr_catf(&c, "%u-bit key", s->keybits));
		if (s->reason != NULL)
			CK(qstr_catf(&c, "%s%s", c.len ? "; " : "", s->reason));
		if (s->l_unsigned)
			CK(qstr_catf(&c, "%sl=%lld: later body content is "
			    "unsigned", c.len ? "; " : "", s->l));
		if (c.len > 0)
			CK(cat_comment(q, c.buf));
		CK(cat_prop(q, "header.d", s->d));
		CK(cat_prop(q, "header.i", s->i));
		CK(cat_prop(q, "header.s", s->s));
		CK(cat_prop(q, "header.a", s->a));
		if (s->b != NULL) {		/* RFC 6008: a prefix */
			(void)qpm_snprintf(b8, sizeof(b8), "%.8s", s->b);
			CK(cat_prop(q, "header.b", b8));
		}
	}
	/* DMARC: RFC 9989, with RFC 7489's answer in the comment */
	CK(qstr_catf(q, ";\n\tdmarc=%s", dmarc_res_str(d->result)));
	qstr_reset(&c);
	if (d->published != 0)
		CK(qstr_catf(&c, "%s=%s", d->policy_tag ? d->policy_tag : "p",
		    dmarc_policy_str(d->published)));
	if (d->rec.t == 'y')
		CK(qstr_catf(&c, "%st=y", c.len ? " " : ""));
	if (d->result == DMARC_R_PASS)
		CK(qstr_catf(&c, "%saligned %s", c.len ? "; " : "",
		    d->dkim_aligned ? "dkim" : "spf"));
	if (d->reason != NULL)
		CK(qstr_catf(&c, "%s%s", c.len ? "; " : "", d->reason));
	CK(qstr_catf(&c, "%srfc7489=%s", c.len ? "; " : "",
	    dmarc_res_str(r->dmarc7489.result)));
	if (r->dmarc7489.result == DMARC_R_FAIL)
		CK(qstr_catf(&c, " policy=%s",
		    dmarc_policy_str(r->dmarc7489.policy)));
	CK(cat_comment(q, c.buf));
	if (d->author != NULL)
		CK(cat_prop(q, "header.from", d->author));
	else if (r->nauthor > 0)
		CK(cat_prop(q, "header.from", r->author[0]));
	if (d->result == DMARC_R_PASS || d->result == DMARC_R_FAIL)
		CK(cat_prop(q, "policy.dmarc", dmarc_policy_str(d->policy)));
	/* iprev (RFC 8601 2.7.3), HELO findings in its comment */
	CK(qstr_catf(q, ";\n\tiprev=%s", iprev_res_str(r->iprev.result)));
	qstr_reset(&c);
	if (r->iprev.confirmed != NULL)
		CK(qstr_cat(&c, r->iprev.confirmed));
	else if (r->iprev.reason != NULL)
		CK(qstr_cat(&c, r->iprev.reason));
	if (r->helo_chk.helo != NULL)
		CK(qstr_catf(&c, "%shelo %s: %s", c.len ? "; " : "",
		    r->helo_chk.helo, r->helo_chk.problems ?
		    r->helo_chk.problems : "resolves to the IP"));
	if (c.len > 0)
		CK(cat_comment(q, c.buf));
	CK(cat_prop(q, "policy.iprev", r->iprev.ip ? r->iprev.ip : r->ip));
#undef CK
	rc = 0;
out:
	qstr_free(&c);
	return rc;
}

static json_t *
tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

json_t *
ar_json_spf(const struct spf_result *s)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (s->result == 0) {
		qpm_json_set_str(o, "result", "none");
		qpm_json_set_str(o, "problem", "not checked");
		return o;
	}
	qpm_json_set_str(o, "result", spf_res_str(s->result));
	qpm_json_set_str(o, "identity", spf_identity_str(s->identity));
	qpm_json_set_str(o, "domain", s->domain);
	qpm_json_set_str(o, "mechanism", s->mechanism);
	qpm_json_set_str(o, "explanation", s->explanation);
	qpm_json_set_str(o, "problem", s->problem);
	qpm_json_set_int(o, "lookups", s->lookups);
	qpm_json_set_int(o, "void_lookups", s->void_lookups);
	qpm_json_set_str(o, "received_spf", s->received_spf);
	return o;
}

json_t *
ar_json_dkim_sig(const struct dkimcheck_sig *s)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	qpm_json_set_str(o, "result", dkimcheck_res_str(s->result));
	qpm_json_set_str(o, "reason", s->reason);
	qpm_json_set_str(o, "d", s->d);
	qpm_json_set_str(o, "s", s->s);
	qpm_json_set_str(o, "i", s->i);
	qpm_json_set_str(o, "a", s->a);
	qpm_json_set_str(o, "b", s->b);
	qpm_json_set_str(o, "c", s->c);
	qpm_json_set_str(o, "h", s->h);
	qpm_json_set_int(o, "key_bits", s->keybits);
	if (s->l >= 0)
		qpm_json_set_int(o, "l", s->l);
	else
		qpm_json_set(o, "l", json_null());
	qpm_json_set_int(o, "body_length", s->body_len);
	qpm_json_set_bool(o, "l_unsigned_content", s->l_unsigned);
	return o;
}

json_t *
ar_json_dmarc(const struct dmarc_result *d)
{
	json_t *o = json_object();
	char c[2] = { 0, 0 };

	if (o == NULL)
		return NULL;
	qpm_json_set_str(o, "method", dmarc_method_str(d->method));
	qpm_json_set_str(o, "result", dmarc_res_str(d->result));
	qpm_json_set_str(o, "author_domain", d->author);
	qpm_json_set_str(o, "policy_domain", d->policy_domain);
	qpm_json_set_str(o, "org_domain", d->org_domain);
	qpm_json_set_str(o, "policy_tag", d->policy_tag);
	qpm_json_set_str(o, "published_policy", d->published ?
	    dmarc_policy_str(d->published) : NULL);
	qpm_json_set_str(o, "policy", (d->result == DMARC_R_PASS ||
	    d->result == DMARC_R_FAIL) ? dmarc_policy_str(d->policy) : NULL);
	if (d->policy_domain != NULL) {
		c[0] = d->rec.adkim;
		qpm_json_set_str(o, "adkim", c);
		c[0] = d->rec.aspf;
		qpm_json_set_str(o, "aspf", c);
		c[0] = d->rec.psd;
		qpm_json_set_str(o, "psd", c);
		c[0] = d->rec.t;
		qpm_json_set_str(o, "t", c);
		if (d->rec.pct >= 0)
			qpm_json_set_int(o, "pct", d->rec.pct);
	}
	qpm_json_set_bool(o, "spf_aligned", d->spf_aligned);
	qpm_json_set_bool(o, "dkim_aligned", d->dkim_aligned);
	qpm_json_set_str(o, "dkim_domain", d->dkim_domain);
	qpm_json_set_int(o, "dns_queries", d->queries);
	qpm_json_set_str(o, "reason", d->reason);
	return o;
}

json_t *
ar_json(const struct ar_report *r, const char *id)
{
	json_t *o = json_object(), *a, *x;
	struct qstr q = QSTR_INIT(QPM_MAX_HEADER_BLOCK);
	size_t i;

	if (o == NULL)
		return NULL;
	x = json_object();
	qpm_json_set_str(x, "ip", r->ip);
	qpm_json_set_str(x, "helo", r->helo);
	qpm_json_set_str(x, "mail_from", r->mailfrom);
	qpm_json_set(o, "client", x);

	x = json_object();
	qpm_json_set(x, "mailfrom", ar_json_spf(&r->spf_mailfrom));
	qpm_json_set(x, "helo", ar_json_spf(&r->spf_helo));
	qpm_json_set(o, "spf", x);

	a = json_array();
	for (i = 0; i < r->dkim.n; i++)
		qpm_json_append(a, ar_json_dkim_sig(&r->dkim.sig[i]));
	qpm_json_set(o, "dkim", a);

	x = json_object();
	qpm_json_set(x, "rfc9989", ar_json_dmarc(&r->dmarc));
	qpm_json_set(x, "rfc7489", ar_json_dmarc(&r->dmarc7489));
	qpm_json_set(o, "dmarc", x);

	x = json_object();
	qpm_json_set_str(x, "result", iprev_res_str(r->iprev.result));
	qpm_json_set_str(x, "ip", r->iprev.ip);
	a = json_array();
	for (i = 0; i < r->iprev.nnames; i++)
		qpm_json_append(a, json_string(r->iprev.names[i]));
	qpm_json_set(x, "ptr", a);
	qpm_json_set_str(x, "confirmed", r->iprev.confirmed);
	qpm_json_set_str(x, "reason", r->iprev.reason);
	qpm_json_set(o, "iprev", x);

	x = json_object();
	qpm_json_set_str(x, "name", r->helo);
	if (r->helo_chk.helo != NULL) {
		qpm_json_set_bool(x, "ok", r->helo_chk.ok);
		qpm_json_set_bool(x, "fqdn", r->helo_chk.fqdn);
		qpm_json_set_bool(x, "address_literal", r->helo_chk.literal);
		qpm_json_set(x, "resolves_to_ip", tri(r->helo_chk.resolves));
		qpm_json_set(x, "matches_ptr", tri(r->helo_chk.matches_ptr));
		qpm_json_set_str(x, "problems", r->helo_chk.problems);
	} else {
		qpm_json_set_bool(x, "ok", 0);
		qpm_json_set_str(x, "problems", "no HELO name given");
	}
	qpm_json_set(o, "helo", x);

	x = json_object();
	qpm_json_set_int(x, "from_fields", (long long)r->from_fields);
	a = json_array();
	for (i = 0; i < r->nauthor; i++)
		qpm_json_append(a, json_string(r->author[i]));
	qpm_json_set(x, "author_domains", a);
	qpm_json_set_str(x, "from_problem", r->from_problem);
	qpm_json_set_bool(x, "header_8bit", (r->hdr_flags & HDR_F_8BIT) != 0);
	qpm_json_set_bool(x, "body_8bit",
	    (r->hdr_flags & HDR_F_BODY_8BIT) != 0);
	qpm_json_set_bool(x, "bare_lf", (r->hdr_flags & HDR_F_BARE_LF) != 0);
	a = json_array();
	for (i = 0; i < r->nwarnings; i++)
		qpm_json_append(a, json_string(r->warnings[i]));
	qpm_json_set(x, "warnings", a);
	qpm_json_set(o, "message", x);

	qpm_json_set_str(o, "authserv_id", id);
	if (ar_format(r, id, &q) == 0)
		qpm_json_set_str(o, "authentication_results", q.buf);
	qstr_free(&q);
	return o;
}
