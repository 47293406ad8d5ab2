/*
 * NAME		spf - RFC 7208 SPF check of one identity (MAIL FROM or HELO)
 * DOES		fetches and evaluates the sender's SPF record through the
 *		given dns_resolver (libspf2 behind our own parser and limit
 *		counter, see checks/README.md); reports the result, the
 *		lookup and void-lookup counts, the expanded explanation and
 *		a Received-SPF header field
 * NEVER	queries a resolver other than the one it was given, treats a
 *		loopback client as authorized without evaluating, folds
 *		temperror or permerror into none
 */
#ifndef QPM_SPF_H
#define QPM_SPF_H

#include <stddef.h>

#include "checks/core/dns.h"
#include "util/clock.h"

/* RFC 7208 2.6; no member is 0, so a stray 0 is never a result. */
enum spf_res {
	SPF_R_NONE = 1,
	SPF_R_NEUTRAL,
	SPF_R_PASS,
	SPF_R_FAIL,
	SPF_R_SOFTFAIL,
	SPF_R_TEMPERROR,
	SPF_R_PERMERROR
};

/* RFC 7208 2.3 and 2.4: which identity is checked. */
enum spf_identity {
	SPF_ID_MAILFROM = 1,	/* MAIL FROM; an empty one falls back to
				 * postmaster@HELO (RFC 7208 2.4) */
	SPF_ID_HELO		/* the HELO/EHLO name (RFC 7208 2.3) */
};

struct spf_ctx;

struct spf_result {
	enum spf_res	 result;
	enum spf_identity identity;	/* as checked (MAIL FROM <> -> HELO
					 * domain, identity stays MAILFROM) */
	char		*domain;	/* the domain whose policy was checked */
	char		*sender;	/* <sender> used for macros: local@domain */
	char		*mechanism;	/* the term that decided ("ip4:192.0.2.0/24",
					 * "default" when none matched); NULL
					 * for none/temperror/permerror */
	char		*explanation;	/* fail only: expanded exp= text, or the
					 * default explanation; else NULL */
	char		*problem;	/* temperror/permerror/none: why, in
					 * words (may name the record text) */
	unsigned	 lookups;	/* DNS-querying terms counted toward the
					 * limit of 10 (RFC 7208 4.6.4) */
	unsigned	 void_lookups;	/* NXDOMAIN/empty answers, limit 2 */
	char		*received_spf;	/* "Received-SPF: pass (...) client-ip=...;
					 * envelope-from=...; helo=...;
					 * receiver=...; identity=mailfrom"
					 * (RFC 7208 9.1), one line, no CRLF */
};

/*
 * A context holds the resolver (borrowed: it must outlive the context),
 * the receiver's host name (for receiver= and the %{r} macro; NULL means
 * "unknown", as RFC 7208 7.3 allows) and a clock for %{t} (NULL: system).
 * Returns NULL when out of memory.
 */
struct spf_ctx	*spf_ctx_new(const struct dns_resolver *dns,
		    const char *receiver, const struct qpm_clock *clock);
void		 spf_ctx_free(struct spf_ctx *ctx);
/* Explanation used on fail when the record has no usable exp= (RFC 7208
 * 6.2); macros are expanded. NULL restores the built-in text. */
int		 spf_ctx_set_default_exp(struct spf_ctx *ctx, const char *text);

/*
 * Checks one identity of one SMTP client. ip is IPv4 or IPv6 text (an
 * IPv4-mapped IPv6 address is checked as IPv4, RFC 7208 5); helo may be
 * NULL or "" (then %{h} expands to "unknown" and a MAIL FROM <> check
 * has no domain: result none). mailfrom is the envelope sender without
 * angle brackets ("" for the null sender).
 * Returns 0 with *out filled (free with spf_result_free), QPM_EINVAL for
 * an unparsable ip or a missing identity, QPM_ENOMEM. DNS trouble is
 * never an error here: it is the result temperror.
 */
int		 spf_check(struct spf_ctx *ctx, const char *ip,
		    const char *helo, const char *mailfrom,
		    enum spf_identity identity, struct spf_result *out);
void		 spf_result_free(struct spf_result *r);

/* "pass", "fail", ... as in RFC 7208 2.6 and RFC 8601. */
const char	*spf_res_str(enum spf_res r);
/* "mailfrom" or "helo", as Received-SPF identity= (RFC 7208 9.1). */
const char	*spf_identity_str(enum spf_identity id);

#endif
