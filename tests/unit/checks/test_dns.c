/*
 * NAME		test_dns - resolver interface, in-memory fake, libldns resolver
 * DOES		server spec parsing; the fake's NXDOMAIN/NODATA/TIMEOUT/
 *		SERVFAIL/CNAME behaviour; dns_query's guard against a broken
 *		resolver; the libldns resolver on a loopback port where nothing
 *		listens (timeout, one retry, failure cached for the run)
 * NEVER	uses the network beyond 127.0.0.1
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks/core/dns.h"
#include "checks/core/dns_ldns.h"
#include "tests/lib/dns_fake.h"
#include "util/err.h"

static void
test_server_parse(void **state)
{
	static const struct {
		const char	*spec, *addr;
		unsigned	 port;
		int		 ok;
	} t[] = {
		{ "127.0.0.1", "127.0.0.1", 53, 1 },
		{ "127.0.0.1@5353", "127.0.0.1", 5353, 1 },
		{ "::1", "::1", 53, 1 },
		{ "::1@5353", "::1", 5353, 1 },
		{ "[::1]@5300", "::1", 5300, 1 },
		{ "", NULL, 0, 0 },
		{ "localhost@53", NULL, 0, 0 },
		{ "127.0.0.1@", NULL, 0, 0 },
		{ "127.0.0.1@0", NULL, 0, 0 },
		{ "127.0.0.1@70000", NULL, 0, 0 },
		{ "127.0.0.1@53x", NULL, 0, 0 },
		{ "[::1@53", NULL, 0, 0 },
		{ "127.0.0.256", NULL, 0, 0 },
	};
	char addr[64];
	unsigned port;
	size_t i;
	int err;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err = dns_server_parse(t[i].spec, addr, sizeof(addr), &port);
		if (!t[i].ok) {
			if (err != QPM_EINVAL)
				fail_msg("%s: got %d, want QPM_EINVAL",
				    t[i].spec, err);
			continue;
		}
		if (err != 0 || strcmp(addr, t[i].addr) != 0 ||
		    port != t[i].port)
			fail_msg("%s: got %d %s %u, want %s %u", t[i].spec, err,
			    addr, port, t[i].addr, t[i].port);
	}
}

static const char zone[] =
    "# comment\n"
    "example.test TXT \"v=spf1 \" \"-all\"\n"
    "example.test MX 10 MX.Example.Test.\n"
    "mx.example.test A 192.0.2.1\n"
    "mx.example.test AAAA 2001:db8::1\n"
    "nul.example.test TXT \"a\\000b\"\n"
    "alias.example.test CNAME mx.example.test\n"
    "loop1.example.test CNAME loop2.example.test\n"
    "loop2.example.test CNAME loop1.example.test\n"
    "slow.example.test TIMEOUT\n"
    "half.example.test A 192.0.2.2\n"
    "half.example.test TXT TIMEOUT\n"
    "broken.example.test SERVFAIL\n";

static void
test_fake(void **state)
{
	struct dns_fake *f = dns_fake_new();
	struct dns_resolver r;
	struct dns_answer a;
	char why[128];

	(void)state;
	assert_non_null(f);
	assert_int_equal(dns_fake_load(f, zone, sizeof(zone) - 1, why,
	    sizeof(why)), 0);
	dns_fake_resolver(f, &r);

	assert_int_equal(dns_query(&r, "Example.Test.", DNS_T_TXT, &a), DNS_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rr[0].text, "v=spf1 -all");	/* joined */
	dns_answer_free(&a);

	assert_int_equal(dns_query(&r, "example.test", DNS_T_MX, &a), DNS_OK);
	assert_int_equal(a.rr[0].pref, 10);
	assert_string_equal(a.rr[0].text, "mx.example.test");	/* lower, no dot */
	dns_answer_free(&a);

	assert_int_equal(dns_query(&r, "nul.example.test", DNS_T_TXT, &a),
	    DNS_OK);
	assert_int_equal(a.rr[0].textlen, 3);
	assert_memory_equal(a.rr[0].text, "a\0b", 3);
	dns_answer_free(&a);

	assert_int_equal(dns_query(&r, "example.test", DNS_T_A, &a),
	    DNS_NODATA);
	dns_answer_free(&a);
	assert_int_equal(dns_query(&r, "nope.example.test", DNS_T_A, &a),
	    DNS_NXDOMAIN);
	dns_answer_free(&a);

	assert_int_equal(dns_query(&r, "alias.example.test", DNS_T_AAAA, &a),
	    DNS_OK);
	assert_int_equal(a.rr[0].addr[15], 1);
	dns_answer_free(&a);
	assert_int_equal(dns_query(&r, "loop1.example.test", DNS_T_A, &a),
	    DNS_TEMPFAIL);
	dns_answer_free(&a);

	assert_int_equal(dns_query(&r, "slow.example.test", DNS_T_A, &a),
	    DNS_TEMPFAIL);
	assert_string_equal(a.why, "timeout");
	dns_answer_free(&a);
	assert_int_equal(dns_query(&r, "half.example.test", DNS_T_A, &a),
	    DNS_OK);
	dns_answer_free(&a);
	assert_int_equal(dns_query(&r, "half.example.test", DNS_T_TXT, &a),
	    DNS_TEMPFAIL);
	dns_answer_free(&a);
	assert_int_equal(dns_query(&r, "broken.example.test", DNS_T_MX, &a),
	    DNS_TEMPFAIL);
	assert_string_equal(a.why, "SERVFAIL");
	assert_int_equal(a.rcode, 2);
	dns_answer_free(&a);
	assert_int_equal(dns_fake_queries(f), 11);
	dns_fake_free(f);
}

static void
test_fake_bad_zone(void **state)
{
	static const char *bad[] = {
		"x.test BOGUS 1\n",
		"x.test A 300.1.1.1\n",
		"x.test TXT \"unterminated\n",
		"x.test TXT unquoted\n",
		"x.test MX mx.test\n",
	};
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dns_fake *f = dns_fake_new();

		if (dns_fake_load(f, bad[i], strlen(bad[i]), why,
		    sizeof(why)) != QPM_ESYNTAX) {
			dns_fake_free(f);
			fail_msg("%s: accepted", bad[i]);
		}
		assert_non_null(strstr(why, "line 1"));
		dns_fake_free(f);
	}
}

static int
garbage_query(void *arg, const char *name, int type, struct dns_answer *a)
{
	(void)name;
	(void)type;
	return *(int *)arg;
}

static void
test_query_guard(void **state)
{
	struct dns_answer a;
	int ret = 42;
	struct dns_resolver r = { garbage_query, &ret };

	(void)state;
	/* an unknown status is a temporary failure, never an answer */
	assert_int_equal(dns_query(&r, "x.test", DNS_T_A, &a), DNS_TEMPFAIL);
	dns_answer_free(&a);
	ret = DNS_OK;		/* "OK" with no records is NODATA */
	assert_int_equal(dns_query(&r, "x.test", DNS_T_A, &a), DNS_NODATA);
	dns_answer_free(&a);
	assert_int_equal(dns_query(NULL, "x.test", DNS_T_A, &a), DNS_TEMPFAIL);
	dns_answer_free(&a);
	assert_string_equal(dns_status_str(DNS_NXDOMAIN), "NXDOMAIN");
}

/* a loopback UDP port that nothing will answer on: bound, never read */
static int
silent_port(int *fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	return ntohs(sa.sin_port);
}

static void
test_ldns_timeout(void **state)
{
	struct dns_ldns_stats st;
	struct dns_resolver r;
	struct dns_answer a;
	struct dns_ldns *d;
	char spec[64], why[128];
	const char *servers[1] = { spec };
	int fd = -1, port;

	(void)state;
	port = silent_port(&fd);
	assert_true(port > 0);
	snprintf(spec, sizeof(spec), "127.0.0.1@%d", port);
	assert_int_equal(dns_ldns_new(&d, servers, 1, 200, why, sizeof(why)),
	    0);
	dns_ldns_resolver(d, &r);
	assert_int_equal(dns_query(&r, "example.test", DNS_T_TXT, &a),
	    DNS_TEMPFAIL);
	assert_non_null(strstr(a.why, "timeout"));
	dns_answer_free(&a);
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, DNS_LDNS_TRIES);	/* one retry */
	assert_int_equal(st.timeouts, DNS_LDNS_TRIES);
	/* the run keeps the failure: no second wait */
	assert_int_equal(dns_query(&r, "EXAMPLE.test.", DNS_T_TXT, &a),
	    DNS_TEMPFAIL);
	dns_answer_free(&a);
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, DNS_LDNS_TRIES);
	assert_int_equal(st.cache_hits, 1);
	/* a name that cannot be encoded never leaves the process */
	assert_int_equal(dns_query(&r, "a..b.example.test", DNS_T_A, &a),
	    DNS_NXDOMAIN);
	dns_answer_free(&a);
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, DNS_LDNS_TRIES);
	dns_ldns_free(d);
	close(fd);
}

static void
test_ldns_bad_spec(void **state)
{
	const char *servers[] = { "127.0.0.1@53,nonsense" };
	struct dns_ldns *d = NULL;
	char why[128];

	(void)state;
	assert_int_equal(dns_ldns_new(&d, servers, 1, 0, why, sizeof(why)),
	    QPM_EINVAL);
	assert_null(d);
	assert_non_null(strstr(why, "nonsense"));
}

static void
test_name_dup(void **state)
{
	static const struct {
		const char *name, *in, *want;
	} cases[] = {
		{ "lowercased", "Mail.Example.COM", "mail.example.com" },
		{ "trailing dot dropped", "example.com.", "example.com" },
		{ "only one dot dropped", "example.com..", "example.com." },
		{ "root stays", ".", "." },
		{ "empty", "", "" },
		{ "non-ASCII kept", "\xc3\x89x.example", "\xc3\x89x.example" },
	};
	size_t i;
	char *d;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(d = dns_name_dup(cases[i].in));
		if (strcmp(d, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].name, d,
			    cases[i].want);
		free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_parse),
		cmocka_unit_test(test_fake),
		cmocka_unit_test(test_fake_bad_zone),
		cmocka_unit_test(test_query_guard),
		cmocka_unit_test(test_ldns_timeout),
		cmocka_unit_test(test_ldns_bad_spec),
		cmocka_unit_test(test_name_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
