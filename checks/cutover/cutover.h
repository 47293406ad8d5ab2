/*
 * NAME		cutover - the pre-cutover checks behind cutover-report
 * DOES		given the migration model, the new host's IP and HELO name
 *		and one resolver: checks every hosted domain (MX and its
 *		addresses, SPF for the new IP with lookup and void counts, the
 *		DKIM keys the new host signs with, DMARC under RFC 9989 and RFC
 *		7489), the new host (PTR, FCrDNS, HELO), each forward (the
 *		prediction of core/forward.h for sample senders) and SRS,
 *		bounce routing, the connection limits (and live probes), the
 *		rehearsal result; every finding carries its evidence and fix
 * NEVER	calls a DNS error a pass: a temporary error on a check that
 *		decides go is at least a warning (a blocker for the new host's
 *		PTR and SPF), see cutover-report(1)
 */
#ifndef QPM_CUTOVER_H
#define QPM_CUTOVER_H

#include <stddef.h>

#include <jansson.h>

#include "checks/core/dns.h"
#include "checks/cutover/cutover_mig.h"
#include "checks/cutover/findings.h"
#include "util/clock.h"

#define CUT_MAX_SENDERS		32	/* --sample-sender values */
#define CUT_MAX_PROBE_PORTS	16
#define CUT_PROBE_MAX_CONN	32	/* connections held by one probe */
#define CUT_PROBE_TIMEOUT_MS	3000	/* connect and banner, each */
#define CUT_EVIDENCE_LINES	40	/* DNS lines kept per finding */
#define CUT_MAX_PASSES		64	/* cutover_run_dns's rounds */

struct cut_probe_port {
	const char	*service;	/* "smtp", "submission", "smtps",
					 * "imap", "imaps", "pop3", "pop3s" */
	unsigned	 port;
};

struct cut_opts {
	const char	*ip;		/* the new host's address */
	const char	*helo;		/* the new host's HELO name */
	const char *const *senders;	/* --sample-sender: DOMAIN or a
					 * message file */
	size_t		 nsenders;
	const char	*srs_domain;	/* overrides migration.json's */
	const char	*probe_host;	/* --probe-limits HOST or NULL */
	const struct cut_probe_port *ports;	/* --probe-port; none:
					 * the standard ports */
	size_t		 nports;
	const char	*rehearsal;	/* a rehearse --json result file */
	const struct qpm_clock *clock;	/* NULL: the system clock */
	const char	*dns_desc;	/* "127.0.0.1@5353" for the report */
};

struct cut_stats {
	unsigned long	 queries;	/* resolver calls made by the checks */
	unsigned long	 forwards;	/* forwards looked at */
	unsigned long	 predictions;	/* fwd_predict calls */
};

struct cut_result {
	struct findings	 findings;	/* sorted: blockers first */
	json_t		*doc;		/* the whole report, cutover-report(1)
					 * JSON schema, findings included */
	struct cut_stats stats;
};

/*
 * Runs every check. dns is borrowed. Returns 0 with *out filled (free
 * with cut_result_free) whatever the checks found; QPM_EINVAL for an IP
 * that does not parse, QPM_ENOMEM; other errors are findings.
 */
int	cutover_run(const struct cut_mig *m, const struct cut_opts *o,
	    const struct dns_resolver *dns, struct cut_result *out);
void	cut_result_free(struct cut_result *r);

struct dns_ldns;
/*
 * cutover_run on dl with its questions side by side, at most concurrency
 * (0: the default) in flight; 1 is cutover_run itself, each question
 * asked when a check comes to it. Otherwise the checks run dry (no
 * probes, no rehearsal) with dl collecting, the questions they noted are
 * asked side by side, and again until a run notes nothing: that run,
 * every answer from the cache, is the report (with probes or a
 * rehearsal, one more run makes it). The same answers in the same order
 * as one at a time: the same report. Each run gets at least one answer
 * further than the last; after CUT_MAX_PASSES rounds what is left is
 * asked as it comes. A dry run may note a question the report does not
 * ask (a check goes another way on "not asked yet"); none is asked
 * twice. *rounds: the rounds of questions asked. Returns as cutover_run,
 * or QPM_EIO.
 */
int	cutover_run_dns(const struct cut_mig *m, const struct cut_opts *o,
	    struct dns_ldns *dl, unsigned concurrency, struct cut_result *out,
	    int *rounds);

/* The standard ports of --probe-limits. */
extern const struct cut_probe_port cut_probe_default_ports[];
extern const size_t cut_probe_ndefault_ports;

#endif
