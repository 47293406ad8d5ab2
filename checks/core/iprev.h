/*
 * NAME		iprev - forward-confirmed reverse DNS and the HELO identity
 * DOES		iprev as RFC 8601 2.7.3 defines it (PTR names, then their
 *		A/AAAA back to the IP); HELO checks receivers reject new
 *		servers for: FQDN or address literal (RFC 5321 4.1.4), the
 *		name's address records hold the IP, HELO and PTR agree
 * NEVER	follows more than QPM_IPREV_MAX_NAMES PTR names, calls a DNS
 *		error "fail"
 */
#ifndef QPM_IPREV_H
#define QPM_IPREV_H

#include <stddef.h>

#include "checks/core/dns.h"

/* RFC 8601 2.7.3; no member is 0. */
enum iprev_res {
	IPREV_PASS = 1,		/* a PTR name resolves back to the IP */
	IPREV_FAIL,		/* PTR names exist, none comes back */
	IPREV_TEMPERROR,	/* a DNS error decided it */
	IPREV_PERMERROR		/* no PTR record for the IP */
};

struct iprev_result {
	enum iprev_res	 result;
	char		*ip;		/* the IP as given (IPv4-mapped IPv6
					 * given as IPv4) */
	char		**names;	/* PTR names, lower case, no final dot */
	size_t		 nnames;
	char		*confirmed;	/* the first name that came back */
	char		*reason;	/* NULL on pass */
	unsigned	 queries;
};

/* Returns 0 with *out filled, QPM_EINVAL for an IP that does not parse,
 * QPM_ENOMEM. */
int	iprev_check(const struct dns_resolver *dns, const char *ip,
	    struct iprev_result *out);
void	iprev_result_free(struct iprev_result *r);
const char *iprev_res_str(enum iprev_res r);

/* Tri-state answers: 1 yes, 0 no, -1 could not tell (DNS error). */
struct helo_result {
	char		*helo;
	int		 literal;	/* "[192.0.2.1]" or "[IPv6:...]" */
	int		 literal_matches; /* the literal is the client IP */
	int		 fqdn;		/* syntactically a host name with a
					 * dot and a non-numeric top label */
	int		 resolves;	/* A/AAAA of the name holds the IP */
	int		 exists;	/* the name has A or AAAA at all */
	int		 matches_ptr;	/* equals a PTR name of the IP */
	int		 matches_confirmed; /* equals the iprev-confirmed name */
	int		 ok;		/* what a strict receiver wants: FQDN
					 * resolving to the IP, or the right
					 * literal */
	char		*problems;	/* "; "-separated, NULL when none */
	unsigned	 queries;
};

/* ipr may be NULL (then matches_* are -1). Returns 0, QPM_EINVAL (bad
 * ip), QPM_ENOMEM. */
int	helo_check(const struct dns_resolver *dns, const char *helo,
	    const char *ip, const struct iprev_result *ipr,
	    struct helo_result *out);
void	helo_result_free(struct helo_result *r);

/* 1 when name is a syntactically valid FQDN (LDH labels of 1..63, at
 * least two labels, top label not all digits, at most 253 bytes). */
int	helo_is_fqdn(const char *name);

#endif
