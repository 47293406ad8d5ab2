/*
 * NAME		dkimcheck - DKIM verification of a parsed message
 * DOES		verifies every DKIM-Signature through libopendkim with keys
 *		fetched through our dns_resolver (dkim_dns_set_query_*: the
 *		answers are turned back into DNS wire replies with libldns);
 *		rsa-sha256 and ed25519-sha256; reports each signature with
 *		an RFC 8601 result, a reason, the key size and the l= trap
 * NEVER	uses the system resolver or the wall clock (the clock given
 *		sets DKIM_OPTS_FIXEDTIME), accepts an RSA key under 1024 bits
 *		or rsa-sha1 (RFC 8301)
 */
#ifndef QPM_DKIMCHECK_H
#define QPM_DKIMCHECK_H

#include <stddef.h>

#include "checks/core/dns.h"
#include "checks/core/header.h"
#include "util/clock.h"

/* RFC 8601 2.7.1; no member is 0. */
enum dkimcheck_res {
	DKIMCHECK_NONE = 1,	/* no signature */
	DKIMCHECK_PASS,
	DKIMCHECK_FAIL,		/* signature or body hash does not verify,
				 * key too small */
	DKIMCHECK_POLICY,
	DKIMCHECK_NEUTRAL,	/* signature syntax error, expired, ignored */
	DKIMCHECK_TEMPERROR,	/* key lookup failed for now */
	DKIMCHECK_PERMERROR	/* no key, revoked key, bad key record */
};

struct dkimcheck_sig {
	enum dkimcheck_res result;
	char		*reason;	/* NULL on pass */
	char		*d, *s, *i;	/* i: "@d" when absent */
	char		*a;		/* "rsa-sha256", "ed25519-sha256" */
	char		*b;		/* the b= value, whitespace removed */
	char		*c;		/* "relaxed/simple" as written, or NULL */
	char		*h;		/* the h= list, lower case, ":"-separated */
	unsigned	 keybits;	/* 0 when unknown (and for ed25519) */
	long long	 l;		/* l= value; -1 when absent */
	long long	 body_len;	/* canonical body bytes (about) */
	int		 l_unsigned;	/* content beyond l= is not signed */
};

struct dkimcheck_report {
	struct dkimcheck_sig *sig;
	size_t		 n;
	size_t		 skipped;	/* signatures past QPM_DKIM_MAX_SIGS */
	unsigned	 queries;	/* key lookups made */
};

struct dkimcheck;

/* Resolver and clock are borrowed (clock NULL: system). NULL when
 * libopendkim cannot be set up or memory runs out. */
struct dkimcheck *dkimcheck_new(const struct dns_resolver *dns,
	    const struct qpm_clock *clock);
void	dkimcheck_free(struct dkimcheck *dc);

/*
 * Verifies the signatures of m (the message must still be in memory).
 * Returns 0 with *out filled (free with dkimcheck_report_free; n is 0
 * for an unsigned message), QPM_ENOMEM, QPM_EIO when libopendkim fails
 * in a way that is not about the message.
 */
int	dkimcheck_verify(struct dkimcheck *dc, const struct hdr_msg *m,
	    struct dkimcheck_report *out);
void	dkimcheck_report_free(struct dkimcheck_report *r);

/* 1 when header field name (case-insensitive) is in the sig's h= */
int	dkimcheck_signs_header(const struct dkimcheck_sig *s, const char *name);

const char *dkimcheck_res_str(enum dkimcheck_res r);

#endif
