/*
 * NAME		test_spf - spf_check through a fake zone
 * DOES		results for both identities, Received-SPF keys, counts,
 *		the traps libspf2 alone falls into (loopback free pass,
 *		void and global lookup limits, IPv4-mapped clients, exp=),
 *		DNS trouble as temperror, the a/mx/exists path (libspf2)
 * NEVER	uses the network
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "checks/core/spf.h"
#include "tests/lib/dns_fake.h"
#include "util/err.h"

static const char zone[] =
    "t.example TXT \"v=spf1 ip4:192.0.2.0/24 a:host.t.example mx "
	"exists:%{i}.ok.t.example -all exp=why.t.example\"\n"
    "t.example MX 10 mx.t.example\n"
    "why.t.example TXT \"%{i} may not send for %{d} (%{s}, %{h})\"\n"
    "host.t.example A 198.51.100.7\n"
    "host.t.example AAAA 2001:db8::7\n"
    "mx.t.example A 198.51.100.9\n"
    "203.0.113.4.ok.t.example A 127.0.0.2\n"
    "loop.t.example TXT \"v=spf1 -all\"\n"
    "helo.t.example TXT \"v=spf1 a -all\"\n"
    "helo.t.example A 198.51.100.25\n"
    "soft.t.example TXT \"v=spf1 include:t.example ~all\"\n"
    "void.t.example TXT \"v=spf1 a:n1.t.example a:n2.t.example "
	"a:n3.t.example +all\"\n"
    "many.t.example TXT \"v=spf1 include:l1.t.example include:l2.t.example "
	"-all\"\n"
    "l1.t.example TXT \"v=spf1 a:x1.t.example a:x2.t.example "
	"a:x3.t.example a:x4.t.example a:x5.t.example ?all\"\n"
    "l2.t.example TXT \"v=spf1 a:host.t.example a:host.t.example "
	"a:host.t.example a:host.t.example +all\"\n"
    "x1.t.example A 192.0.2.250\n"
    "x2.t.example A 192.0.2.250\n"
    "x3.t.example A 192.0.2.250\n"
    "x4.t.example A 192.0.2.250\n"
    "x5.t.example A 192.0.2.250\n"
    "slow.t.example TXT TIMEOUT\n"
    "slowa.t.example TXT \"v=spf1 a:s.t.example -all\"\n"
    "s.t.example SERVFAIL\n"
    "syn.t.example TXT \"v=spf1 ip4:192.0.2.1/33 -all\"\n"
    "inc-exp.t.example TXT \"v=spf1 -include:loop2.t.example ~all\"\n"
    "loop2.t.example TXT \"v=spf1 +all exp=why.t.example\"\n";

struct fix {
	struct dns_fake		*f;
	struct dns_resolver	 r;
	struct spf_ctx		*ctx;
	struct qpm_clock	 clock;
	time_t			 t;
};

static int
setup(void **state)
{
	static struct fix x;
	char why[128];

	x.f = dns_fake_new();
	if (x.f == NULL || dns_fake_load(x.f, zone, sizeof(zone) - 1, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "zone: %s\n", why);
		return -1;
	}
	dns_fake_resolver(x.f, &x.r);
	x.t = 1700000000;
	qpm_clock_fixed(&x.clock, &x.t);
	if ((x.ctx = spf_ctx_new(&x.r, "mx1.example.com", &x.clock)) == NULL)
		return -1;
	*state = &x;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *x = *state;

	spf_ctx_free(x->ctx);
	dns_fake_free(x->f);
	return 0;
}

struct want {
	const char	*name, *ip, *helo, *from;
	enum spf_identity id;
	enum spf_res	 res;
	int		 lookups, voids;	/* -1: do not check */
	const char	*mechanism;
};

static void
test_table(void **state)
{
	static const struct want w[] = {
		{ "ip4 range", "192.0.2.77", "h.t.example", "a@t.example",
		    SPF_ID_MAILFROM, SPF_R_PASS, 0, 0, "ip4:192.0.2.0/24" },
		{ "a via libspf2", "198.51.100.7", "h", "a@t.example",
		    SPF_ID_MAILFROM, SPF_R_PASS, 1, 0, "a:host.t.example" },
		{ "a, IPv6 client", "2001:db8::7", "h", "a@t.example",
		    SPF_ID_MAILFROM, SPF_R_PASS, 1, 0, "a:host.t.example" },
		{ "mx via libspf2", "198.51.100.9", "h", "a@t.example",
		    SPF_ID_MAILFROM, SPF_R_PASS, 2, 0, "mx" },
		{ "exists with %{i}", "203.0.113.4", "h", "a@t.example",
		    SPF_ID_MAILFROM, SPF_R_PASS, 3, 0,
		    "exists:%{i}.ok.t.example" },
		{ "-all", "203.0.113.5", "h", "a@t.example",
		    SPF_ID_MAILFROM, SPF_R_FAIL, 3, 1, "-all" },
		{ "IPv4-mapped client is IPv4", "::ffff:192.0.2.77", "h",
		    "a@t.example", SPF_ID_MAILFROM, SPF_R_PASS, 0, 0, NULL },
		{ "loopback gets no free pass", "127.0.0.1", "h",
		    "a@loop.t.example", SPF_ID_MAILFROM, SPF_R_FAIL, 0, 0,
		    "-all" },
		{ "::1 gets no free pass", "::1", "h", "a@loop.t.example",
		    SPF_ID_MAILFROM, SPF_R_FAIL, 0, 0, NULL },
		{ "HELO identity", "198.51.100.25", "helo.t.example", "x@y",
		    SPF_ID_HELO, SPF_R_PASS, 1, 0, "a" },
		{ "HELO identity, wrong ip", "198.51.100.26", "helo.t.example",
		    "", SPF_ID_HELO, SPF_R_FAIL, 1, 0, NULL },
		{ "null sender uses HELO", "198.51.100.25", "helo.t.example",
		    "", SPF_ID_MAILFROM, SPF_R_PASS, 1, 0, NULL },
		{ "null sender, no HELO", "198.51.100.25", "", "",
		    SPF_ID_MAILFROM, SPF_R_NONE, 0, 0, NULL },
		{ "include keeps outer ~all", "203.0.113.5", "h",
		    "a@soft.t.example", SPF_ID_MAILFROM, SPF_R_SOFTFAIL, 4, 1,
		    "~all" },
		{ "third void lookup", "192.0.2.1", "h", "a@void.t.example",
		    SPF_ID_MAILFROM, SPF_R_PERMERROR, 3, 3, NULL },
		{ "11 lookups across include", "203.0.113.9", "h",
		    "a@many.t.example", SPF_ID_MAILFROM, SPF_R_PERMERROR, 11,
		    0, NULL },
		{ "TXT timeout", "192.0.2.1", "h", "a@slow.t.example",
		    SPF_ID_MAILFROM, SPF_R_TEMPERROR, 0, 0, NULL },
		{ "SERVFAIL on a:", "192.0.2.1", "h", "a@slowa.t.example",
		    SPF_ID_MAILFROM, SPF_R_TEMPERROR, 1, 0, NULL },
		{ "syntax error", "192.0.2.1", "h", "a@syn.t.example",
		    SPF_ID_MAILFROM, SPF_R_PERMERROR, 0, 0, NULL },
		{ "no record", "192.0.2.1", "h", "a@nothing.t.example",
		    SPF_ID_MAILFROM, SPF_R_NONE, 0, 0, NULL },
		{ "not a domain", "192.0.2.1", "h", "a@[192.0.2.1]",
		    SPF_ID_MAILFROM, SPF_R_NONE, 0, 0, NULL },
	};
	struct fix *x = *state;
	struct spf_result r;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		assert_int_equal(spf_check(x->ctx, w[i].ip, w[i].helo,
		    w[i].from, w[i].id, &r), 0);
		if (r.result != w[i].res || (w[i].lookups >= 0 &&
		    r.lookups != (unsigned)w[i].lookups) || (w[i].voids >= 0 &&
		    r.void_lookups != (unsigned)w[i].voids) ||
		    (w[i].mechanism != NULL && (r.mechanism == NULL ||
		    strcmp(r.mechanism, w[i].mechanism) != 0))) {
			print_error("%s: got %s lookups %u void %u mech %s "
			    "(%s), want %s %d %d %s\n", w[i].name,
			    spf_res_str(r.result), r.lookups, r.void_lookups,
			    r.mechanism ? r.mechanism : "-",
			    r.problem ? r.problem : "-", spf_res_str(w[i].res),
			    w[i].lookups, w[i].voids,
			    w[i].mechanism ? w[i].mechanism : "-");
			bad++;
		}
		/* errors and none always say why */
		if ((r.result == SPF_R_PERMERROR || r.result ==
		    SPF_R_TEMPERROR || r.result == SPF_R_NONE) &&
		    r.problem == NULL) {
			print_error("%s: no problem text\n", w[i].name);
			bad++;
		}
		spf_result_free(&r);
	}
	assert_int_equal(bad, 0);
}

static void
test_received_spf(void **state)
{
	struct fix *x = *state;
	struct spf_result r;

	assert_int_equal(spf_check(x->ctx, "192.0.2.77", "h.t.example",
	    "a@t.example", SPF_ID_MAILFROM, &r), 0);
	assert_string_equal(r.received_spf,
	    "Received-SPF: pass (mx1.example.com: domain of a@t.example "
	    "designates 192.0.2.77 as permitted sender) client-ip=192.0.2.77; "
	    "envelope-from=\"a@t.example\"; helo=h.t.example; "
	    "receiver=mx1.example.com; identity=mailfrom; "
	    "mechanism=\"ip4:192.0.2.0/24\"");
	spf_result_free(&r);
	assert_int_equal(spf_check(x->ctx, "198.51.100.26", "helo.t.example",
	    NULL, SPF_ID_HELO, &r), 0);
	assert_non_null(strstr(r.received_spf, "Received-SPF: fail ("));
	assert_non_null(strstr(r.received_spf, "; identity=helo"));
	assert_non_null(strstr(r.received_spf,
	    "envelope-from=\"postmaster@helo.t.example\""));
	spf_result_free(&r);
	/* a problem is quoted, and a hostile sender cannot break out */
	assert_int_equal(spf_check(x->ctx, "192.0.2.1", "h",
	    "\"a\\\" x=(y)\"@syn.t.example", SPF_ID_MAILFROM, &r), 0);
	assert_int_equal(r.result, SPF_R_PERMERROR);
	assert_non_null(strstr(r.received_spf, "problem=\"syntax error"));
	assert_non_null(strstr(r.received_spf, "\\(y\\)"));
	assert_non_null(strstr(r.received_spf, "x=(y)\\\"@syn.t.example\""));
	spf_result_free(&r);
}

static void
test_explanation(void **state)
{
	struct fix *x = *state;
	struct spf_result r;

	assert_int_equal(spf_check(x->ctx, "203.0.113.5", "h.t.example",
	    "a@t.example", SPF_ID_MAILFROM, &r), 0);
	assert_int_equal(r.result, SPF_R_FAIL);
	assert_string_equal(r.explanation,
	    "203.0.113.5 may not send for t.example (a@t.example, h.t.example)");
	spf_result_free(&r);
	/* the exp= of an include target is never used (RFC 7208 6.2) */
	assert_int_equal(spf_check(x->ctx, "203.0.113.5", "h",
	    "a@inc-exp.t.example", SPF_ID_MAILFROM, &r), 0);
	assert_int_equal(r.result, SPF_R_FAIL);
	assert_string_equal(r.explanation,
	    "inc-exp.t.example does not designate 203.0.113.5 as a permitted "
	    "sender");
	spf_result_free(&r);
	assert_int_equal(spf_ctx_set_default_exp(x->ctx, "no: %{i} %{t}"), 0);
	assert_int_equal(spf_check(x->ctx, "203.0.113.5", "h",
	    "a@inc-exp.t.example", SPF_ID_MAILFROM, &r), 0);
	assert_string_equal(r.explanation, "no: 203.0.113.5 1700000000");
	spf_result_free(&r);
	assert_int_equal(spf_ctx_set_default_exp(x->ctx, NULL), 0);
	/* no explanation on anything but fail */
	assert_int_equal(spf_check(x->ctx, "192.0.2.77", "h", "a@t.example",
	    SPF_ID_MAILFROM, &r), 0);
	assert_null(r.explanation);
	spf_result_free(&r);
}

static void
test_bad_args(void **state)
{
	struct fix *x = *state;
	struct spf_result r;

	assert_int_equal(spf_check(x->ctx, "192.0.2.300", "h", "a@t.example",
	    SPF_ID_MAILFROM, &r), QPM_EINVAL);
	assert_int_equal(spf_check(x->ctx, NULL, "h", "a@t.example",
	    SPF_ID_MAILFROM, &r), QPM_EINVAL);
	assert_int_equal(spf_check(x->ctx, "192.0.2.1", "h", "",
	    (enum spf_identity)7, &r), QPM_EINVAL);
	assert_string_equal(spf_res_str(SPF_R_PERMERROR), "permerror");
	assert_string_equal(spf_res_str(SPF_R_NONE), "none");
	assert_string_equal(spf_identity_str(SPF_ID_HELO), "helo");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_received_spf),
		cmocka_unit_test(test_explanation),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
