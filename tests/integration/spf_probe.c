/*
 * NAME		spf_probe - one SPF check from the command line, for tests
 * DOES		spf_check() over the libldns resolver (--dns-server ADDR[@PORT],
 *		repeatable) and prints result, counts, explanation, problem
 *		and the Received-SPF field; --repeat N runs the same check N
 *		more times on the warm cache (--cold: emptied before each)
 *		and prints the time per check
 * NEVER	is installed: authcheck is the user's program
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/core/dns_ldns.h"
#include "checks/core/spf.h"
#include "util/err.h"

static int
usage(void)
{
	fprintf(stderr, "usage: spf_probe [--dns-server ADDR[@PORT]]... "
	    "[--timeout MS] [--receiver NAME] [--helo-identity] "
	    "[--repeat N [--cold]] IP HELO MAILFROM\n");
	return 64;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dns-server", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "receiver", required_argument, NULL, 'r' },
		{ "helo-identity", no_argument, NULL, 'H' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "cold", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *servers[DNS_LDNS_MAX_SERVERS], *receiver = NULL;
	enum spf_identity id = SPF_ID_MAILFROM;
	struct dns_ldns *d = NULL;
	struct dns_resolver r;
	struct spf_result res;
	struct spf_ctx *ctx = NULL;
	size_t ns = 0;
	unsigned timeout = 0;
	long repeat = 0, i;
	int cold = 0;
	char why[256];
	double t0;
	int c, err, rc = 70;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (ns == DNS_LDNS_MAX_SERVERS)
				return usage();
			servers[ns++] = optarg;
			break;
		case 't': timeout = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': receiver = optarg; break;
		case 'H': id = SPF_ID_HELO; break;
		case 'n': repeat = strtol(optarg, NULL, 10); break;
		case 'c': cold = 1; break;
		default: return usage();
		}
	}
	if (argc - optind != 3)
		return usage();
	if ((err = dns_ldns_new(&d, servers, ns, timeout, why,
	    sizeof(why))) < 0) {
		fprintf(stderr, "spf_probe: %s\n", why);
		return 64;
	}
	dns_ldns_resolver(d, &r);
	if ((ctx = spf_ctx_new(&r, receiver, NULL)) == NULL)
		goto out;
	if ((err = spf_check(ctx, argv[optind], argv[optind + 1],
	    argv[optind + 2], id, &res)) < 0) {
		fprintf(stderr, "spf_probe: %s\n", qpm_strerror(err));
		rc = err == QPM_EINVAL ? 64 : 70;
		goto out;
	}
	printf("result=%s\nlookups=%u void=%u\n", spf_res_str(res.result),
	    res.lookups, res.void_lookups);
	if (res.mechanism)
		printf("mechanism=%s\n", res.mechanism);
	if (res.explanation)
		printf("explanation=%s\n", res.explanation);
	if (res.problem)
		printf("problem=%s\n", res.problem);
	printf("%s\n", res.received_spf);
	spf_result_free(&res);
	if (repeat > 0) {
		t0 = now_us();
		for (i = 0; i < repeat; i++) {
			if (cold)
				dns_ldns_cache_clear(d);
			if (spf_check(ctx, argv[optind], argv[optind + 1],
			    argv[optind + 2], id, &res) < 0)
				goto out;
			spf_result_free(&res);
		}
		printf("repeat=%ld cache=%s us_per_check=%.2f\n", repeat,
		    cold ? "cold" : "warm",
		    (now_us() - t0) / (double)repeat);
	}
	rc = 0;
out:
	spf_ctx_free(ctx);
	dns_ldns_free(d);
	return rc;
}
