/*
 * NAME		dns_fake - an in-memory resolver for tests
 * DOES		answers from records added one by one or from zone-like
 *		text; names can be made to time out or SERVFAIL; counts
 *		the queries it answered
 * NEVER	touches the network
 */
#ifndef QPM_DNS_FAKE_H
#define QPM_DNS_FAKE_H

#include <stddef.h>

#include "checks/core/dns.h"

struct dns_fake;

struct dns_fake	*dns_fake_new(void);
void		 dns_fake_free(struct dns_fake *f);
/*
 * One record. data is the presentation form: A/AAAA address text,
 * "PREF HOST" for MX, the host for PTR/CNAME/NS, the raw bytes (len of
 * them, NULs allowed, strings already joined) for TXT.
 * Returns 0, QPM_EINVAL (bad address, bad MX) or QPM_ENOMEM.
 */
int		 dns_fake_add(struct dns_fake *f, const char *name, int type,
		    const char *data, size_t len);
/*
 * Makes queries for name fail with status (DNS_TEMPFAIL, DNS_PERMFAIL):
 * for one type, or with type 0 for every type that has no record there.
 * why is copied into the answer ("timeout", "SERVFAIL").
 */
int		 dns_fake_add_error(struct dns_fake *f, const char *name,
		    int type, enum dns_status status, const char *why);
/*
 * Zone-like text, one record a line, '#' starts a comment:
 *	NAME A|AAAA|MX|PTR|CNAME|NS DATA
 *	NAME TXT "string" ["string" ...]	(\" \\ \DDD escapes)
 *	NAME [TYPE] TIMEOUT|SERVFAIL		(no TYPE: every type)
 * Returns 0, or QPM_ESYNTAX with "line N: problem" in why.
 */
int		 dns_fake_load(struct dns_fake *f, const char *text,
		    size_t len, char *why, size_t whylen);
void		 dns_fake_resolver(struct dns_fake *f, struct dns_resolver *r);
unsigned long	 dns_fake_queries(const struct dns_fake *f);
/* Parses a type name ("TXT") or returns 0. */
int		 dns_type_from_str(const char *s);

#endif
