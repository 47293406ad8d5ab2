/*
 * NAME		authcheck_inproc - in-process throughput of ar_evaluate
 * DOES		evaluates one message N times through one context and one
 *		libldns resolver (warm cache after the first run, or emptied
 *		before each with --cold); prints microseconds per message
 * NEVER	runs in make check (make bench builds and runs it)
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/core/ar.h"
#include "checks/core/dns_ldns.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/qstr.h"

int
main(int argc, char **argv)
{
	struct qstr msg = QSTR_INIT(QPM_MAX_MESSAGE);
	const char *server[1];
	struct dns_ldns *dl;
	struct dns_resolver r;
	struct ar_ctx *ctx;
	struct ar_report rep;
	struct ar_input in;
	struct timespec t0, t1;
	char why[256];
	long i, n;
	int cold;
	double us;

	if (argc != 8) {
		fprintf(stderr, "usage: authcheck_inproc SERVER N warm|cold IP "
		    "HELO MAILFROM FILE\n");
		return 64;
	}
	server[0] = argv[1];
	n = strtol(argv[2], NULL, 10);
	cold = strcmp(argv[3], "cold") == 0;
	if (file_read_all(argv[7], QPM_MAX_MESSAGE, 0, &msg) < 0 ||
	    dns_ldns_new(&dl, server, 1, 0, why, sizeof(why)) < 0) {
		fprintf(stderr, "authcheck_inproc: setup failed\n");
		return 1;
	}
	dns_ldns_resolver(dl, &r);
	if ((ctx = ar_ctx_new(&r, "bench.example", NULL)) == NULL)
		return 1;
	in.ip = argv[4];
	in.helo = argv[5];
	in.mailfrom = argv[6];
	in.msg = msg.buf;
	in.len = msg.len;
	if (ar_evaluate(ctx, &in, &rep) < 0)	/* warms the cache */
		return 1;
	ar_report_free(&rep);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if (cold)
			dns_ldns_cache_clear(dl);
		if (ar_evaluate(ctx, &in, &rep) < 0)
			return 1;
		ar_report_free(&rep);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / (double)n;
	printf("repeat=%ld cache=%s us_per_message=%.1f\n", n,
	    cold ? "cold" : "warm", us);
	ar_ctx_free(ctx);
	dns_ldns_free(dl);
	qstr_free(&msg);
	return 0;
}
