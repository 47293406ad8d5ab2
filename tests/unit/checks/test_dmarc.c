/*
 * NAME		test_dmarc - DMARC records, RFC 9989 tree walk, RFC 7489 PSL
 * DOES		record syntax; policy discovery with psd=y/n, np, sp, t;
 *		the 8-query walk limit; strict/relaxed alignment; From:
 *		problems; the cases where the two RFCs disagree. Expected
 *		values are worked out by hand from the RFC text.
 * NEVER	uses the network (a static zone answers)
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "checks/core/dmarc.h"
#include "test_dmarc_zone.h"

static const struct zrec zone[] = {
	{ "_dmarc.sender.example", DNS_T_TXT,
	    "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example", 0 },
	{ "_dmarc.bank.example", DNS_T_TXT,
	    "v=DMARC1; p=reject; adkim=s; aspf=s", 0 },
	{ "_dmarc.news.example", DNS_T_TXT, "v=DMARC1; p=none", 0 },
	{ "_dmarc.org.example", DNS_T_TXT,
	    "v=DMARC1; p=quarantine; sp=none; np=reject", 0 },
	{ "sub.org.example", DNS_T_A, "192.0.2.1", 0 },
	{ "_dmarc.test.example", DNS_T_TXT, "v=DMARC1; p=reject; t=y", 0 },
	{ "_dmarc.psd.example", DNS_T_TXT, "v=DMARC1; p=reject; psd=y", 0 },
	{ "_dmarc.dept.corp.example", DNS_T_TXT,
	    "v=DMARC1; p=reject; psd=n", 0 },
	{ "_dmarc.corp.example", DNS_T_TXT, "v=DMARC1; p=none", 0 },
	{ "_dmarc.multi.example", DNS_T_TXT, "v=DMARC1; p=reject", 0 },
	{ "_dmarc.multi.example", DNS_T_TXT, "v=DMARC1; p=none", 0 },
	{ "_dmarc.temp.example", DNS_T_TXT, NULL, DNS_TEMPFAIL },
	{ "_dmarc.rua.example", DNS_T_TXT,
	    "v=DMARC1; p=bogus; rua=mailto:x@rua.example", 0 },
	{ "_dmarc.norua.example", DNS_T_TXT, "v=DMARC1; p=bogus", 0 },
	{ "_dmarc.vlate.example", DNS_T_TXT, "p=reject; v=DMARC1", 0 },
	{ "_dmarc.spf.vlate.example", DNS_T_TXT, "v=spf1 -all", 0 },
	{ "_dmarc.stop.test", DNS_T_TXT, "v=DMARC1; p=reject", 0 },
	{ "_dmarc.test", DNS_T_TXT, NULL, DNS_TEMPFAIL },
	{ NULL, 0, NULL, 0 }
};

struct rec_case {
	const char	*name;
	const char	*txt;
	int		 status;
	enum dmarc_policy p, sp, np;
	char		 adkim, aspf, psd, t;
	unsigned	 ignored;
};

static const struct rec_case rec_cases[] = {
	{ "minimal", "v=DMARC1; p=none", DMARC_REC_OK, DMARC_P_NONE, 0, 0,
	    'r', 'r', 'u', 'n', 0 },
	{ "all tags", "v=DMARC1;p=reject;sp=quarantine;np=none;adkim=s;"
	    "aspf=s;psd=n;t=y;pct=50;rua=mailto:a@b.example;fo=1",
	    DMARC_REC_OK, DMARC_P_REJECT, DMARC_P_QUARANTINE, DMARC_P_NONE,
	    's', 's', 'n', 'y', 0 },
	{ "spaces and case", "  v = DMARC1 ;  P = Reject ; ADKIM=S ;",
	    DMARC_REC_OK, DMARC_P_REJECT, 0, 0, 's', 'r', 'u', 'n', 0 },
	{ "v lower case value", "v=dmarc1; p=reject", DMARC_REC_NOT_DMARC,
	    0, 0, 0, 0, 0, 0, 0, 0 },
	{ "v not first", "p=reject; v=DMARC1", DMARC_REC_NOT_DMARC,
	    0, 0, 0, 0, 0, 0, 0, 0 },
	{ "spf record", "v=spf1 -all", DMARC_REC_NOT_DMARC,
	    0, 0, 0, 0, 0, 0, 0, 0 },
	{ "empty", "", DMARC_REC_NOT_DMARC, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "bad values fall back", "v=DMARC1; p=block; adkim=x; psd=maybe; "
	    "t=yes; pct=101", DMARC_REC_OK, 0, 0, 0, 'r', 'r', 'u', 'n', 5 },
	{ "unknown tag ignored", "v=DMARC1; p=none; zz=top", DMARC_REC_OK,
	    DMARC_P_NONE, 0, 0, 'r', 'r', 'u', 'n', 0 },
	{ "repeated tag keeps first", "v=DMARC1; p=none; p=reject",
	    DMARC_REC_OK, DMARC_P_NONE, 0, 0, 'r', 'r', 'u', 'n', 1 },
	{ "tag without =", "v=DMARC1; p=none; junk", DMARC_REC_OK,
	    DMARC_P_NONE, 0, 0, 'r', 'r', 'u', 'n', 1 },
};

static void
test_record_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *c = &rec_cases[i];
		struct dmarc_record r;
		int st = dmarc_record_parse(c->txt, strlen(c->txt), &r);

		if (st != c->status)
			fail_msg("%s: got status %d, want %d", c->name, st,
			    c->status);
		if (st != DMARC_REC_OK)
			continue;
		if (r.p != c->p || r.sp != c->sp || r.np != c->np)
			fail_msg("%s: got p/sp/np %d/%d/%d, want %d/%d/%d",
			    c->name, r.p, r.sp, r.np, c->p, c->sp, c->np);
		if (r.adkim != c->adkim || r.aspf != c->aspf ||
		    r.psd != c->psd || r.t != c->t)
			fail_msg("%s: got adkim/aspf/psd/t %c%c%c%c, want "
			    "%c%c%c%c", c->name, r.adkim, r.aspf, r.psd, r.t,
			    c->adkim, c->aspf, c->psd, c->t);
		if (r.ignored != c->ignored)
			fail_msg("%s: got %u ignored, want %u (%s)", c->name,
			    r.ignored, c->ignored, r.why);
	}
}

static void
test_record_p_fallback(void **state)
{
	struct dmarc_record r;
	static const char a[] = "v=DMARC1; p=x; rua=mailto:a@b.example";
	static const char b[] = "v=DMARC1; p=x; rua=nonsense";

	(void)state;
	dmarc_record_parse(a, sizeof(a) - 1, &r);
	assert_int_equal(dmarc_record_p(&r), DMARC_P_NONE);
	dmarc_record_parse(b, sizeof(b) - 1, &r);
	assert_int_equal(dmarc_record_p(&r), 0);
}

struct eval_case {
	const char	*name;
	enum dmarc_method m;
	const char	*author[3];
	size_t		 from_fields;
	const char	*spf_domain;
	int		 spf_pass;
	const char	*dkim_d;		/* one passing signature */
	enum dmarc_res	 want;
	enum dmarc_policy want_policy;		/* on fail; 0: not checked */
	const char	*want_tag;		/* NULL: not checked */
	const char	*want_org;		/* NULL: not checked */
	const char	*want_pdom;		/* NULL: not checked */
};

static const struct eval_case eval_cases[] = {
	{ "relaxed spf pass", DMARC_RFC9989, { "sender.example" }, 1,
	    "out.sender.example", 1, NULL, DMARC_R_PASS, 0, "p",
	    "sender.example", "sender.example" },
	{ "relaxed spf pass 7489", DMARC_RFC7489, { "sender.example" }, 1,
	    "out.sender.example", 1, NULL, DMARC_R_PASS, 0, "p",
	    "sender.example", "sender.example" },
	{ "forwarded: spf fails, no dkim", DMARC_RFC9989, { "sender.example" },
	    1, "sender.example", 0, NULL, DMARC_R_FAIL, DMARC_P_REJECT, "p",
	    NULL, NULL },
	{ "unrelated dkim does not align", DMARC_RFC9989, { "sender.example" },
	    1, NULL, 0, "webmail.example", DMARC_R_FAIL, DMARC_P_REJECT, NULL,
	    NULL, NULL },
	{ "strict spf subdomain fails", DMARC_RFC9989, { "bank.example" }, 1,
	    "mta.bank.example", 1, NULL, DMARC_R_FAIL, DMARC_P_REJECT, NULL,
	    NULL, NULL },
	{ "strict dkim exact passes", DMARC_RFC7489, { "bank.example" }, 1,
	    "mta.bank.example", 1, "bank.example", DMARC_R_PASS, 0, NULL,
	    NULL, NULL },
	{ "subdomain uses sp", DMARC_RFC9989, { "sub.org.example" }, 1,
	    NULL, 0, NULL, DMARC_R_FAIL, DMARC_P_NONE, "sp", "org.example",
	    "org.example" },
	{ "non-existent subdomain uses np", DMARC_RFC9989,
	    { "nosuch.org.example" }, 1, NULL, 0, NULL, DMARC_R_FAIL,
	    DMARC_P_REJECT, "np", "org.example", "org.example" },
	{ "7489 has no np: sp", DMARC_RFC7489, { "nosuch.org.example" }, 1,
	    NULL, 0, NULL, DMARC_R_FAIL, DMARC_P_NONE, "sp", "org.example",
	    "org.example" },
	{ "t=y steps reject down", DMARC_RFC9989, { "test.example" }, 1,
	    NULL, 0, NULL, DMARC_R_FAIL, DMARC_P_QUARANTINE, "p", NULL, NULL },
	{ "7489 ignores t=y", DMARC_RFC7489, { "test.example" }, 1,
	    NULL, 0, NULL, DMARC_R_FAIL, DMARC_P_REJECT, "p", NULL, NULL },
	/* psd=y at psd.example: org of a.b.psd.example is b.psd.example */
	{ "psd=y org one below", DMARC_RFC9989, { "a.b.psd.example" }, 1,
	    NULL, 0, "x.b.psd.example", DMARC_R_PASS, 0, NULL,
	    "b.psd.example", "psd.example" },
	{ "psd=y sibling not aligned", DMARC_RFC9989, { "a.b.psd.example" }, 1,
	    NULL, 0, "c.psd.example", DMARC_R_FAIL, DMARC_P_REJECT, "p",
	    "b.psd.example", "psd.example" },
	{ "7489: same PSL org aligns", DMARC_RFC7489, { "a.b.psd.example" }, 1,
	    NULL, 0, "c.psd.example", DMARC_R_PASS, 0, NULL, "psd.example",
	    "psd.example" },
	/* psd=n at dept.corp.example: its own organizational domain */
	{ "psd=n stops the walk", DMARC_RFC9989, { "x.dept.corp.example" }, 1,
	    NULL, 0, "corp.example", DMARC_R_FAIL, DMARC_P_REJECT, "p",
	    "dept.corp.example", "dept.corp.example" },
	{ "7489: PSL org corp.example", DMARC_RFC7489,
	    { "x.dept.corp.example" }, 1, NULL, 0, "corp.example",
	    DMARC_R_PASS, 0, NULL, "corp.example", "corp.example" },
	{ "no record", DMARC_RFC9989, { "nodmarc.example" }, 1, NULL, 0, NULL,
	    DMARC_R_NONE, 0, NULL, NULL, NULL },
	{ "several records discarded", DMARC_RFC9989, { "multi.example" }, 1,
	    NULL, 0, NULL, DMARC_R_NONE, 0, NULL, NULL, NULL },
	{ "several records discarded 7489", DMARC_RFC7489, { "multi.example" },
	    1, NULL, 0, NULL, DMARC_R_NONE, 0, NULL, NULL, NULL },
	{ "SERVFAIL is temperror", DMARC_RFC9989, { "temp.example" }, 1,
	    "temp.example", 1, NULL, DMARC_R_TEMPERROR, 0, NULL, NULL, NULL },
	{ "SERVFAIL is temperror 7489", DMARC_RFC7489, { "temp.example" }, 1,
	    NULL, 0, NULL, DMARC_R_TEMPERROR, 0, NULL, NULL, NULL },
	{ "bad p with rua acts as none", DMARC_RFC9989, { "rua.example" }, 1,
	    NULL, 0, NULL, DMARC_R_FAIL, DMARC_P_NONE, "p", NULL, NULL },
	{ "bad p without rua: no DMARC", DMARC_RFC9989, { "norua.example" }, 1,
	    NULL, 0, NULL, DMARC_R_NONE, 0, NULL, NULL, NULL },
	{ "v= not first: no record", DMARC_RFC9989, { "spf.vlate.example" }, 1,
	    NULL, 0, NULL, DMARC_R_NONE, 0, NULL, NULL, NULL },
	/* a SERVFAIL above a found record ends the walk there */
	{ "walk stops at a DNS error above a record", DMARC_RFC9989,
	    { "stop.test" }, 1, "mail.stop.test", 1, NULL, DMARC_R_PASS, 0,
	    "p", "stop.test", "stop.test" },
	{ "DNS error before any record", DMARC_RFC9989, { "x.test" }, 1,
	    "x.test", 1, NULL, DMARC_R_TEMPERROR, 0, NULL, NULL, NULL },
	{ "no From", DMARC_RFC9989, { NULL }, 0, "sender.example", 1, NULL,
	    DMARC_R_PERMERROR, 0, NULL, NULL, NULL },
	{ "two From fields", DMARC_RFC9989, { "sender.example" }, 2,
	    "sender.example", 1, NULL, DMARC_R_PERMERROR, 0, NULL, NULL, NULL },
	{ "two author domains: strictest", DMARC_RFC9989,
	    { "news.example", "sender.example" }, 1, NULL, 0, NULL,
	    DMARC_R_FAIL, DMARC_P_REJECT, NULL, NULL, "sender.example" },
	{ "two author domains, one fails", DMARC_RFC7489,
	    { "sender.example", "news.example" }, 1, "sender.example", 1,
	    NULL, DMARC_R_FAIL, DMARC_P_NONE, NULL, NULL, "news.example" },
};

static void
test_eval(void **state)
{
	struct zone z = { zone, 0, "" };
	struct dns_resolver r = { zone_query, &z };
	struct dmarc_ctx *ctx;
	size_t i, n;

	(void)state;
	ctx = dmarc_ctx_new(&r);
	assert_non_null(ctx);
	for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		const struct eval_case *c = &eval_cases[i];
		struct dmarc_ident dk = { c->dkim_d, 1, 0 };
		struct dmarc_in in;
		struct dmarc_result out;

		memset(&in, 0, sizeof(in));
		for (n = 0; n < 3 && c->author[n] != NULL; n++)
			;
		in.author = c->author;
		in.nauthor = n;
		in.from_fields = c->from_fields;
		in.spf.domain = c->spf_domain;
		in.spf.pass = c->spf_pass;
		in.dkim = c->dkim_d ? &dk : NULL;
		in.ndkim = c->dkim_d ? 1 : 0;
		assert_int_equal(dmarc_eval(ctx, c->m, &in, &out), 0);
		if (out.result != c->want)
			fail_msg("%s: got %s, want %s (%s)", c->name,
			    dmarc_res_str(out.result), dmarc_res_str(c->want),
			    out.reason ? out.reason : "");
		if (c->want == DMARC_R_FAIL && c->want_policy != 0 &&
		    out.policy != c->want_policy)
			fail_msg("%s: got policy %s, want %s", c->name,
			    dmarc_policy_str(out.policy),
			    dmarc_policy_str(c->want_policy));
		if (c->want_tag != NULL && (out.policy_tag == NULL ||
		    strcmp(out.policy_tag, c->want_tag) != 0))
			fail_msg("%s: got tag %s, want %s", c->name,
			    out.policy_tag ? out.policy_tag : "(null)",
			    c->want_tag);
		if (c->want_org != NULL && (out.org_domain == NULL ||
		    strcmp(out.org_domain, c->want_org) != 0))
			fail_msg("%s: got org %s, want %s", c->name,
			    out.org_domain ? out.org_domain : "(null)",
			    c->want_org);
		if (c->want_pdom != NULL && (out.policy_domain == NULL ||
		    strcmp(out.policy_domain, c->want_pdom) != 0) &&
		    (out.author == NULL || strcmp(out.author, c->want_pdom)))
			fail_msg("%s: got policy domain %s, want %s", c->name,
			    out.policy_domain ? out.policy_domain : "(null)",
			    c->want_pdom);
		dmarc_result_free(&out);
	}
	dmarc_ctx_free(ctx);
}

/* RFC 9989 4.10's example: 13 labels, exactly these 8 queries. */
static void
test_walk_limit(void **state)
{
	struct zone z = { zone, 0, "" };
	struct dns_resolver r = { zone_query, &z };
	struct dmarc_ctx *ctx;
	const char *author[] = { "a.b.c.d.e.f.g.h.i.j.mail.example.com" };
	struct dmarc_in in;
	struct dmarc_result out;

	(void)state;
	ctx = dmarc_ctx_new(&r);
	assert_non_null(ctx);
	memset(&in, 0, sizeof(in));
	in.author = author;
	in.nauthor = 1;
	in.from_fields = 1;
	assert_int_equal(dmarc_eval(ctx, DMARC_RFC9989, &in, &out), 0);
	assert_int_equal(out.result, DMARC_R_NONE);
	assert_int_equal(z.queries, 8);
	assert_int_equal(out.queries, 8);
	assert_string_equal(z.last, "_dmarc.com");
	dmarc_result_free(&out);
	dmarc_ctx_free(ctx);
}

static void
test_org_domain(void **state)
{
	struct zone z = { zone, 0, "" };
	struct dns_resolver r = { zone_query, &z };
	struct dmarc_ctx *ctx;
	unsigned q = 0;
	int temp;
	char *o;

	(void)state;
	ctx = dmarc_ctx_new(&r);
	assert_non_null(ctx);
	o = dmarc_org_domain(ctx, DMARC_RFC7489, "Mail.Example.CO.UK.", &q,
	    &temp);
	assert_string_equal(o, "example.co.uk");
	free(o);
	assert_int_equal(q, 0);
	o = dmarc_org_domain(ctx, DMARC_RFC9989, "x.temp.example", &q, &temp);
	assert_null(o);
	assert_int_equal(temp, 1);
	dmarc_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_parse),
		cmocka_unit_test(test_record_p_fallback),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_walk_limit),
		cmocka_unit_test(test_org_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
