/*
 * NAME		dns_probe - one query through the libldns resolver, for tests
 * DOES		asks NAME TYPE (twice with --twice, to show the cache) and
 *		prints the status, the records and the resolver's counters
 * NEVER	is installed
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "checks/core/dns_ldns.h"
#include "tests/lib/dns_fake.h"

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dns-server", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "twice", no_argument, NULL, '2' },
		{ NULL, 0, NULL, 0 }
	};
	const char *servers[DNS_LDNS_MAX_SERVERS];
	struct dns_ldns_stats st;
	struct dns_answer ans;
	struct dns_resolver r;
	struct dns_ldns *d;
	size_t ns = 0, i;
	unsigned timeout = 0;
	int c, type, twice = 0, round;
	char why[256];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (ns == DNS_LDNS_MAX_SERVERS)
				return 64;
			servers[ns++] = optarg;
			break;
		case 't': timeout = (unsigned)strtoul(optarg, NULL, 10); break;
		case '2': twice = 1; break;
		default: return 64;
		}
	}
	if (argc - optind != 2 || (type = dns_type_from_str(argv[optind + 1]))
	    == 0) {
		fprintf(stderr, "usage: dns_probe [--dns-server S]... "
		    "[--timeout MS] [--twice] NAME TYPE\n");
		return 64;
	}
	if (dns_ldns_new(&d, servers, ns, timeout, why, sizeof(why)) < 0) {
		fprintf(stderr, "dns_probe: %s\n", why);
		return 64;
	}
	dns_ldns_resolver(d, &r);
	for (round = 0; round <= twice; round++) {
		dns_query(&r, argv[optind], type, &ans);
		printf("status=%s", dns_status_str(ans.status));
		if (ans.why)
			printf(" why=%s", ans.why);
		printf(" n=%zu\n", ans.n);
		for (i = 0; i < ans.n; i++) {
			if (type == DNS_T_MX)
				printf("rr %u %s\n", ans.rr[i].pref,
				    ans.rr[i].text);
			else
				printf("rr %s len=%zu\n", ans.rr[i].text,
				    ans.rr[i].textlen);
		}
		dns_answer_free(&ans);
	}
	dns_ldns_get_stats(d, &st);
	printf("stats queries=%lu cache_hits=%lu sent=%lu tcp=%lu "
	    "timeouts=%lu\n", st.queries, st.cache_hits, st.sent, st.tcp,
	    st.timeouts);
	dns_ldns_free(d);
	return 0;
}
