/*
 * NAME		dmarc - DMARC policy records, discovery and evaluation
 * DOES		parses DMARC policy records; finds the policy and the
 *		organizational domains twice: by the RFC 9989 DNS tree walk
 *		(at most 8 queries, psd=, np=, t=) and by RFC 7489 (public
 *		suffix list through libpsl); aligns SPF and DKIM identifiers
 *		with the author domain, strict or relaxed
 * NEVER	folds a DNS error into "none", sends or samples reports,
 *		applies pct= (RFC 9989 made it historic; it is shown only)
 */
#ifndef QPM_DMARC_H
#define QPM_DMARC_H

#include <stddef.h>

#include "checks/core/dns.h"

/* RFC 9989 11.x result names; no member is 0. */
enum dmarc_res {
	DMARC_R_NONE = 1,	/* no policy record: DMARC does not apply */
	DMARC_R_PASS,
	DMARC_R_FAIL,
	DMARC_R_TEMPERROR,
	DMARC_R_PERMERROR
};

enum dmarc_policy {
	DMARC_P_NONE = 1,
	DMARC_P_QUARANTINE,
	DMARC_P_REJECT
};

enum dmarc_method {
	DMARC_RFC9989 = 1,	/* DNS tree walk */
	DMARC_RFC7489		/* public suffix list */
};

/* dmarc_record_parse() */
enum dmarc_rec_status {
	DMARC_REC_OK = 1,	/* a DMARC record (maybe with ignored tags) */
	DMARC_REC_NOT_DMARC	/* does not start with v=DMARC1: discard */
};

struct dmarc_record {
	enum dmarc_policy p, sp, np;	/* 0: absent or not valid */
	char		 adkim, aspf;	/* 'r' (default) or 's' */
	char		 psd;		/* 'y', 'n', 'u' (default) */
	char		 t;		/* 'y' or 'n' (default) */
	int		 pct;		/* RFC 7489, historic: -1 absent */
	int		 rua_valid;	/* at least one valid reporting URI */
	unsigned	 ignored;	/* tags with values that do not parse */
	char		 why[96];	/* the first ignored tag, in words */
};

/* Parses a TXT record's text. Syntax errors after v=DMARC1 fall back to
 * defaults (RFC 9989 4.7) and are counted in ignored. */
enum dmarc_rec_status dmarc_record_parse(const char *txt, size_t len,
	    struct dmarc_record *r);

/* The policy a record gives when p= is missing or invalid: p=none when a
 * valid rua= is present, else 0 (no DMARC processing) -- RFC 9989 4.10.1,
 * RFC 7489 6.6.3. */
enum dmarc_policy dmarc_record_p(const struct dmarc_record *r);

/* An authenticated identifier: the SPF domain (MAIL FROM, or HELO for
 * the null sender) or a DKIM d=, and whether its check passed. */
struct dmarc_ident {
	const char	*domain;
	int		 pass;
	int		 temperror;	/* its check had a temporary error */
};

struct dmarc_in {
	size_t		 from_fields;	/* number of From: header fields */
	const char	*from_problem;	/* From: did not parse: why */
	const char *const *author;	/* distinct author domains, lower case */
	size_t		 nauthor;
	struct dmarc_ident spf;		/* domain NULL: no SPF identifier */
	const struct dmarc_ident *dkim;
	size_t		 ndkim;
};

struct dmarc_result {
	enum dmarc_method method;
	enum dmarc_res	 result;
	char		*author;	/* the author domain evaluated; with
					 * several, the one that decided */
	char		*policy_domain;	/* where the applied record was found */
	char		*org_domain;	/* the author's organizational domain */
	struct dmarc_record rec;	/* the applied record */
	const char	*policy_tag;	/* "p", "sp" or "np" */
	enum dmarc_policy published;	/* that tag's value (p=none fallback) */
	enum dmarc_policy policy;	/* what a receiver applies: none on
					 * pass; on fail the published policy,
					 * one step down with t=y */
	int		 spf_aligned;	/* SPF passed and aligned */
	int		 dkim_aligned;	/* a DKIM signature passed and aligned */
	char		*dkim_domain;	/* the first aligned passing d= */
	int		 author_exists;	/* 0: NXDOMAIN (np= applies) */
	unsigned	 queries;	/* DNS queries for this evaluation */
	unsigned	 nauthor;	/* author domains seen */
	char		*reason;	/* in words; NULL when nothing to say */
};

struct dmarc_ctx;

/* The resolver is borrowed. Returns NULL when out of memory or when no
 * public suffix list can be loaded (RFC 7489 needs one). */
struct dmarc_ctx *dmarc_ctx_new(const struct dns_resolver *dns);
void	dmarc_ctx_free(struct dmarc_ctx *ctx);

/* Returns 0 with *out filled (free with dmarc_result_free), QPM_ENOMEM.
 * DNS trouble is the result temperror, never an error here. */
int	dmarc_eval(struct dmarc_ctx *ctx, enum dmarc_method method,
	    const struct dmarc_in *in, struct dmarc_result *out);
void	dmarc_result_free(struct dmarc_result *r);

/* The organizational domain of name (lower case, no final dot) by either
 * method; *queries is increased by the DNS queries made. Returns a new
 * string, or NULL (out of memory, or a DNS temporary error: *temp = 1). */
char	*dmarc_org_domain(struct dmarc_ctx *ctx, enum dmarc_method method,
	    const char *name, unsigned *queries, int *temp);

const char *dmarc_res_str(enum dmarc_res r);
const char *dmarc_policy_str(enum dmarc_policy p);	/* 0: "unset" */
const char *dmarc_method_str(enum dmarc_method m);	/* "rfc9989" */

#endif
