/*
 * NAME		dns_ldns - the real resolver, over libldns
 * DOES		asks the servers given with --dns-server ADDR[@PORT] (in
 *		order, each with a timeout, the whole round once more on
 *		silence), retries over TCP when an answer is truncated,
 *		follows CNAME chains in the answer, and keeps every answer
 *		(NXDOMAIN, NODATA and failures too) for the rest of the run;
 *		or notes the questions a run would ask and then asks them
 *		all at once, a bounded number in flight
 * NEVER	reads /etc/resolv.conf when a server was given
 */
#ifndef QPM_DNS_LDNS_H
#define QPM_DNS_LDNS_H

#include <stddef.h>
#include <stdint.h>

#include "checks/core/dns.h"

#define DNS_LDNS_TIMEOUT_MS	2000	/* per server and try */
#define DNS_LDNS_TRIES		2	/* the first try and one retry */
#define DNS_LDNS_MAX_SERVERS	8
#define DNS_LDNS_CONCURRENCY	64	/* questions in flight by default */
#define DNS_LDNS_MAX_CONCURRENCY 1024

struct dns_ldns;

struct dns_ldns_stats {
	unsigned long	 queries;	/* dns_query calls, collecting too */
	unsigned long	 cache_hits;
	unsigned long	 sent;		/* packets sent, UDP and TCP */
	unsigned long	 tcp;		/* truncated answers asked again */
	unsigned long	 timeouts;	/* tries that got no answer */
	unsigned long	 noted;		/* questions noted while collecting */
	unsigned long	 batched;	/* of them, asked side by side */
};

/* The DNS options authcheck and cutover-report share. */
struct dns_ldns_opts {
	const char	*servers[DNS_LDNS_MAX_SERVERS];	/* --dns-server */
	size_t		 nservers;
	long		 timeout_ms;	/* --dns-timeout; 0: the default */
	long		 concurrency;	/* --dns-concurrency; 0: the default */
};

/*
 * One value of --dns-server, --dns-timeout (1..60000) or
 * --dns-concurrency (1..DNS_LDNS_MAX_CONCURRENCY) into o: NULL, or what
 * is wrong with it (for the usage message).
 */
const char *dns_ldns_opt_server(struct dns_ldns_opts *o, const char *arg);
const char *dns_ldns_opt_timeout(struct dns_ldns_opts *o, const char *arg);
const char *dns_ldns_opt_concurrency(struct dns_ldns_opts *o,
	    const char *arg);

/*
 * Parses "ADDR", "ADDR@PORT" or "[ADDR]@PORT" (IPv4 or IPv6) into addr
 * (text) and port (53 when absent). Returns 0 or QPM_EINVAL.
 */
int	dns_server_parse(const char *spec, char *addr, size_t addrlen,
	    unsigned *port);
/*
 * servers: n specs as above, each may also be a comma-separated list;
 * n == 0 uses the system's resolv.conf. timeout_ms 0 means the default.
 * Returns 0 with *out, QPM_EINVAL (why says which spec), QPM_ENOMEM, or
 * QPM_EIO when resolv.conf cannot be used.
 */
int	dns_ldns_new(struct dns_ldns **out, const char *const *servers,
	    size_t n, unsigned timeout_ms, char *why, size_t whylen);
void	dns_ldns_free(struct dns_ldns *d);
void	dns_ldns_resolver(struct dns_ldns *d, struct dns_resolver *r);
void	dns_ldns_get_stats(const struct dns_ldns *d, struct dns_ldns_stats *s);
/* Forgets every cached answer (a new run in the same process). */
void	dns_ldns_cache_clear(struct dns_ldns *d);

/*
 * Collecting (on != 0): a question the cache cannot answer is noted (once
 * per name and type) and answered TEMPFAIL "not asked yet", which is not
 * kept; nothing is sent. Off: questions are asked as they come, and a
 * noted one still pending is asked then.
 */
void	dns_ldns_collect(struct dns_ldns *d, int on);
/* Questions noted and not asked yet. */
size_t	dns_ldns_noted(const struct dns_ldns *d);
/*
 * Asks every noted question, at most concurrency (0: the default) in
 * flight over UDP, each server tried in order with the timeout, the
 * whole round once more on silence, a truncated answer asked again over
 * TCP: the outcome ask() would have, kept in the cache. concurrency 1,
 * or servers ldns gives no address for: one at a time through ldns.
 * Returns the number of questions asked, or QPM_ENOMEM, QPM_EIO (the
 * questions not answered then are asked when a run asks them).
 */
long	dns_ldns_resolve_noted(struct dns_ldns *d, unsigned concurrency);
/*
 * Reads one UDP datagram (wire, len) for the question id, name, type:
 * -1 it is not a reply to it (dropped), 0 ask the next server (ans->why
 * says why), 1 the outcome is in ans, 2 truncated (ask over TCP).
 */
int	dns_ldns_take_reply(const uint8_t *wire, size_t len, uint16_t id,
	    const char *name, int type, struct dns_answer *ans);

#endif
