/*
 * NAME		spf_parse - RFC 7208 record syntax, checked in full
 * DOES		splits one SPF record into terms, checks every term, CIDR
 *		and macro-string against the ABNF of RFC 7208 sections 4-7
 *		and 12; any error makes the whole record a permerror
 *		(RFC 7208 4.6)
 * NEVER	looks anything up or expands a macro
 */
#ifndef QPM_SPF_PARSE_H
#define QPM_SPF_PARSE_H

#include <stddef.h>

enum spf_mech {
	SPF_M_ALL = 1,
	SPF_M_INCLUDE,
	SPF_M_A,
	SPF_M_MX,
	SPF_M_PTR,
	SPF_M_IP4,
	SPF_M_IP6,
	SPF_M_EXISTS
};

struct spf_term {
	enum spf_mech	 mech;
	char		 qualifier;	/* '+', '-', '~', '?' */
	char		*domain_spec;	/* macro-string; NULL: <domain> */
	int		 cidr4, cidr6;	/* -1 when not given */
	unsigned char	 ip[16];	/* ip4: 4 bytes, ip6: 16 */
	char		*text;		/* the term as written */
};

struct spf_record {
	struct spf_term	*terms;
	size_t		 nterms;
	char		*redirect;	/* domain-spec or NULL */
	char		*exp;		/* domain-spec or NULL */
};

/* The n bytes at s as a string (malloc'ed), or NULL. */
char	*spf_dupn(const char *s, size_t n);

/*
 * Is this TXT string an SPF record? (RFC 7208 4.5: "v=spf1" exactly,
 * case-insensitive, followed by a space or the end.)
 */
int	spf_is_record(const char *txt, size_t len);
/*
 * Parses a record (which spf_is_record accepted). Returns 0 with *out
 * (free with spf_record_free), QPM_ESYNTAX with a reason in why, or
 * QPM_ENOMEM.
 */
int	spf_record_parse(const char *txt, size_t len, struct spf_record **out,
	    char *why, size_t whylen);
void	spf_record_free(struct spf_record *rec);
/*
 * Checks a macro-string (RFC 7208 7.1). exp_text allows spaces and the
 * c, r, t letters (explain-string); a domain-spec also needs a valid
 * domain-end. Returns 0 or QPM_ESYNTAX.
 */
int	spf_macro_check(const char *s, size_t len, int exp_text,
	    int domain_spec, const char **why);

#endif
