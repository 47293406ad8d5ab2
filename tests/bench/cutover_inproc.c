/*
 * NAME		cutover_inproc - cutover checks twice in one process
 * DOES		loads migration.json, runs every check against the DNS server
 *		given (cold: every question goes to the server once), then
 *		again on the same resolver (warm: every answer from the per-run
 *		cache), and prints both times, the resolver's counters and the
 *		JSON rendering time: the second run is our code without DNS
 *		round trips
 * NEVER	prints the report
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/core/dns_ldns.h"
#include "checks/cutover/cutover.h"
#include "checks/cutover/report.h"
#include "util/err.h"
#include "util/limits.h"

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct cut_mig m;
	struct cut_opts o;
	struct cut_result r1, r2;
	struct dns_ldns *dl;
	struct dns_resolver r;
	struct dns_ldns_stats s1, s2;
	struct qstr js = QSTR_INIT(QPM_MAX_STRING);
	const char *servers[1], *senders[1] = { "sender.remote.test" };
	char why[256];
	double t0, t1, t2, t3, t4;
	time_t now = 1795000000;
	struct qpm_clock clk;

	if (argc != 3) {
		fprintf(stderr, "usage: cutover_inproc MIGRATION ADDR@PORT\n");
		return 64;
	}
	servers[0] = argv[2];
	t0 = mono();
	if (cut_mig_load(argv[1], &m, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], why);
		return 65;
	}
	if (dns_ldns_new(&dl, servers, 1, 0, why, sizeof(why)) < 0) {
		fprintf(stderr, "dns: %s\n", why);
		return 78;
	}
	dns_ldns_resolver(dl, &r);
	memset(&o, 0, sizeof(o));
	o.ip = "198.51.100.25";
	o.helo = "mx1.bench.test";
	o.senders = senders;
	o.nsenders = 1;
	qpm_clock_fixed(&clk, &now);
	o.clock = &clk;
	t1 = mono();
	if (cutover_run(&m, &o, &r, &r1) < 0)
		return 70;
	t2 = mono();
	dns_ldns_get_stats(dl, &s1);
	if (cutover_run(&m, &o, &r, &r2) < 0)
		return 70;
	t3 = mono();
	dns_ldns_get_stats(dl, &s2);
	if (report_json(r2.doc, &js) < 0)
		return 70;
	t4 = mono();
	printf("domains=%zu forwards=%lu exit=%d\n", m.ndomains,
	    r1.stats.forwards, findings_exit(&r1.findings));
	printf("read_s=%.3f\n", t1 - t0);
	printf("cold_s=%.3f cold_queries=%lu cold_cache_hits=%lu "
	    "cold_sent=%lu cold_tcp=%lu cold_timeouts=%lu\n", t2 - t1,
	    s1.queries, s1.cache_hits, s1.sent, s1.tcp, s1.timeouts);
	printf("warm_s=%.3f warm_queries=%lu warm_sent=%lu\n", t3 - t2,
	    s2.queries - s1.queries, s2.sent - s1.sent);
	printf("json_s=%.3f json_bytes=%zu\n", t4 - t3, js.len);
	cut_result_free(&r1);
	cut_result_free(&r2);
	cut_mig_free(&m);
	dns_ldns_free(dl);
	qstr_free(&js);
	return 0;
}
