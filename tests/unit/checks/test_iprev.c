/*
 * NAME		test_iprev - FCrDNS (RFC 8601 2.7.3) and HELO checks
 * DOES		pass, fail, permerror (no PTR), temperror (SERVFAIL on PTR
 *		or on the way back), IPv6 and IPv4-mapped clients; HELO
 *		FQDN/literal syntax, resolving, agreeing with the PTR
 * NEVER	uses the network
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "checks/core/iprev.h"
#include "util/err.h"
#include "test_dmarc_zone.h"

static const struct zrec zone[] = {
	{ "10.2.0.192.in-addr.arpa", DNS_T_PTR, "mail.example.com", 0 },
	{ "mail.example.com", DNS_T_A, "192.0.2.10", 0 },
	{ "25.100.51.198.in-addr.arpa", DNS_T_PTR, "mx1.example.com", 0 },
	{ "mx1.example.com", DNS_T_A, "198.51.100.25", 0 },
	{ "mx1.example.com", DNS_T_AAAA, "2001:db8::25", 0 },
	{ "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6.arpa", DNS_T_PTR, "mx1.example.com", 0 },
	/* PTR to a name that points elsewhere */
	{ "11.2.0.192.in-addr.arpa", DNS_T_PTR, "liar.example.com", 0 },
	{ "liar.example.com", DNS_T_A, "203.0.113.9", 0 },
	/* PTR to a name with a SERVFAIL */
	{ "12.2.0.192.in-addr.arpa", DNS_T_PTR, "broken.example.com", 0 },
	{ "broken.example.com", DNS_T_A, NULL, DNS_TEMPFAIL },
	{ "13.2.0.192.in-addr.arpa", DNS_T_PTR, NULL, DNS_TEMPFAIL },
	/* two PTR names, the second one confirms */
	{ "14.2.0.192.in-addr.arpa", DNS_T_PTR, "nx.example.com", 0 },
	{ "14.2.0.192.in-addr.arpa", DNS_T_PTR, "Second.Example.COM.", 0 },
	{ "second.example.com", DNS_T_A, "192.0.2.14", 0 },
	{ NULL, 0, NULL, 0 }
};

struct iprev_case {
	const char	*ip;
	enum iprev_res	 want;
	const char	*confirmed;
};

static const struct iprev_case cases[] = {
	{ "192.0.2.10", IPREV_PASS, "mail.example.com" },
	{ "198.51.100.25", IPREV_PASS, "mx1.example.com" },
	{ "2001:db8::25", IPREV_PASS, "mx1.example.com" },
	{ "2001:DB8:0:0::25", IPREV_PASS, "mx1.example.com" },
	{ "::ffff:192.0.2.10", IPREV_PASS, "mail.example.com" },
	{ "192.0.2.11", IPREV_FAIL, NULL },
	{ "192.0.2.12", IPREV_TEMPERROR, NULL },
	{ "192.0.2.13", IPREV_TEMPERROR, NULL },
	{ "192.0.2.99", IPREV_PERMERROR, NULL },
	{ "192.0.2.14", IPREV_PASS, "second.example.com" },
};

static void
test_iprev(void **state)
{
	struct zone z = { zone, 0, "" };
	struct dns_resolver r = { zone_query, &z };
	struct iprev_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(iprev_check(&r, cases[i].ip, &res), 0);
		if (res.result != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].ip,
			    iprev_res_str(res.result),
			    iprev_res_str(cases[i].want));
		if (cases[i].confirmed != NULL && (res.confirmed == NULL ||
		    strcmp(res.confirmed, cases[i].confirmed) != 0))
			fail_msg("%s: got confirmed %s, want %s", cases[i].ip,
			    res.confirmed ? res.confirmed : "(null)",
			    cases[i].confirmed);
		if (res.result != IPREV_PASS && res.reason == NULL)
			fail_msg("%s: no reason", cases[i].ip);
		iprev_result_free(&res);
	}
	assert_int_equal(iprev_check(&r, "192.0.2.300", &res), QPM_EINVAL);
}

struct helo_case {
	const char	*helo, *ip;
	int		 ok, fqdn, resolves, matches_ptr;
};

static const struct helo_case hcases[] = {
	{ "mx1.example.com", "198.51.100.25", 1, 1, 1, 1 },
	{ "MX1.EXAMPLE.COM.", "198.51.100.25", 1, 1, 1, 1 },
	{ "mail.example.com", "198.51.100.25", 0, 1, 0, 0 },
	{ "mx1", "198.51.100.25", 0, 0, 0, 0 },
	{ "localhost", "198.51.100.25", 0, 0, 0, 0 },
	{ "nohost.example.com", "198.51.100.25", 0, 1, 0, 0 },
	{ "[198.51.100.25]", "198.51.100.25", 1, 0, 0, -1 },
	{ "[198.51.100.26]", "198.51.100.25", 0, 0, 0, -1 },
	{ "[IPv6:2001:db8::25]", "2001:db8::25", 1, 0, 0, -1 },
	{ "broken.example.com", "198.51.100.25", 0, 1, -1, 0 },
	{ "1.2.3.4", "198.51.100.25", 0, 0, 0, 0 },
	{ "-bad-.example.com", "198.51.100.25", 0, 0, 0, 0 },
};

static void
test_helo(void **state)
{
	struct zone z = { zone, 0, "" };
	struct dns_resolver r = { zone_query, &z };
	struct iprev_result ipr;
	struct helo_result h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		const struct helo_case *c = &hcases[i];

		assert_int_equal(iprev_check(&r, c->ip, &ipr), 0);
		assert_int_equal(helo_check(&r, c->helo, c->ip, &ipr, &h), 0);
		if (h.ok != c->ok || h.fqdn != c->fqdn ||
		    h.resolves != c->resolves ||
		    (h.literal == 0 && h.matches_ptr != c->matches_ptr))
			fail_msg("%s/%s: got ok %d fqdn %d resolves %d ptr %d,"
			    " want %d %d %d %d", c->helo, c->ip, h.ok, h.fqdn,
			    h.resolves, h.matches_ptr, c->ok, c->fqdn,
			    c->resolves, c->matches_ptr);
		if (!h.ok && h.problems == NULL)
			fail_msg("%s: not ok without a problem", c->helo);
		helo_result_free(&h);
		iprev_result_free(&ipr);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iprev),
		cmocka_unit_test(test_helo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
