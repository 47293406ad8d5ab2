/*
 * NAME		dns - the one resolver interface every check uses
 * DOES		answers A, AAAA, MX, TXT, PTR, CNAME queries as parsed records;
 *		the real implementation (dns_ldns.c) uses libldns and honours
 *		--dns-server; tests pass their own
 * NEVER	reads /etc/resolv.conf when a server was given
 */
#ifndef QPM_DNS_H
#define QPM_DNS_H

#include <stddef.h>
#include <stdint.h>

enum dns_status {
	DNS_OK = 1,		/* answers present (n >= 1) */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of this type */
	DNS_TEMPFAIL,		/* timeout, SERVFAIL, REFUSED, network */
	DNS_PERMFAIL		/* FORMERR, malformed answer: a decision */
};

/* Types as on the wire (RFC 1035 and successors). */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_SOA	6
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_SPF	99

struct dns_rr {
	uint16_t	 type;
	uint32_t	 ttl;
	uint16_t	 pref;		/* MX preference */
	char		*text;		/* A/AAAA: address text; MX/PTR/CNAME/NS:
					 * host name without the final dot,
					 * lower case; TXT: character-strings
					 * joined with nothing between them */
	size_t		 textlen;	/* TXT may hold NUL bytes */
	unsigned char	 addr[16];	/* A: 4 bytes, AAAA: 16 */
};

struct dns_answer {
	enum dns_status	 status;
	struct dns_rr	*rr;
	size_t		 n;
	char		*why;		/* for TEMPFAIL/PERMFAIL: "timeout",
					 * "SERVFAIL", ... (may be NULL) */
	uint16_t	 rcode;
};

struct dns_resolver {
	/* Fills *ans (caller zeroes it first, frees it with
	 * dns_answer_free). Returns ans->status. */
	int	(*query)(void *arg, const char *name, int type,
		    struct dns_answer *ans);
	void	*arg;
};

void	dns_answer_free(struct dns_answer *ans);
int	dns_query(const struct dns_resolver *r, const char *name, int type,
	    struct dns_answer *ans);
const char *dns_status_str(int status);
/* A lowercase (ASCII only) copy of a domain name without its trailing
 * dot ("." stays "."); NULL when out of memory. */
char	*dns_name_dup(const char *s);

#endif
