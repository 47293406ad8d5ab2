/*
 * NAME		ar - evaluate a message as a receiving MTA would, and write
 *		the RFC 8601 Authentication-Results header field and JSON
 * DOES		parses the message once; SPF (MAIL FROM and HELO), DKIM,
 *		DMARC (RFC 9989 and RFC 7489), iprev and HELO checks, all
 *		through one resolver; formats the results
 * NEVER	folds temperror or permerror into none, prints a value that
 *		breaks the header syntax (values are quoted, comments escaped)
 */
#ifndef QPM_AR_H
#define QPM_AR_H

#include <stddef.h>

#include <jansson.h>

#include "checks/core/dkimcheck.h"
#include "checks/core/dmarc.h"
#include "checks/core/dns.h"
#include "checks/core/header.h"
#include "checks/core/iprev.h"
#include "checks/core/spf.h"
#include "util/clock.h"
#include "util/qstr.h"

struct ar_ctx;

/* What one SMTP transaction gave the receiver. */
struct ar_input {
	const char	*ip;		/* client IP */
	const char	*helo;		/* HELO/EHLO name; NULL or "" if none */
	const char	*mailfrom;	/* envelope sender, "" for <> */
	const char	*msg;		/* the message, header and body */
	size_t		 len;
};

struct ar_report {
	char		*ip, *helo, *mailfrom;
	struct spf_result spf_mailfrom;	/* identity MAIL FROM (RFC 7208 2.4) */
	struct spf_result spf_helo;	/* identity HELO (RFC 7208 2.3) */
	struct dkimcheck_report dkim;
	struct dmarc_result dmarc;	/* RFC 9989: what A-R shows */
	struct dmarc_result dmarc7489;	/* RFC 7489, shown beside it */
	struct iprev_result iprev;
	struct helo_result helo_chk;
	/* the message */
	unsigned	 hdr_flags;	/* HDR_F_* */
	size_t		 bad_line;
	size_t		 from_fields;
	char		**author;	/* distinct author domains */
	size_t		 nauthor;
	char		*from_problem;
	char		**warnings;
	size_t		 nwarnings;
};

/* The resolver and clock are borrowed (clock NULL: system). receiver is
 * the host name for SPF's receiver= (may be NULL). NULL when out of
 * memory or a library cannot be set up. */
struct ar_ctx	*ar_ctx_new(const struct dns_resolver *dns,
		    const char *receiver, const struct qpm_clock *clock);
void		 ar_ctx_free(struct ar_ctx *ctx);

/*
 * Returns 0 with *out filled (free with ar_report_free); QPM_EINVAL for
 * an IP that does not parse; QPM_ERANGE when the header block is over
 * QPM_MAX_HEADER_BLOCK; QPM_ENOMEM; QPM_EIO when a library failed.
 */
int	ar_evaluate(struct ar_ctx *ctx, const struct ar_input *in,
	    struct ar_report *out);
void	ar_report_free(struct ar_report *r);

/* "Authentication-Results: ID;\n\tspf=...;\n\tdkim=..." without a final
 * newline, appended to out. Returns 0 or a qstr error. */
int	ar_format(const struct ar_report *r, const char *authserv_id,
	    struct qstr *out);
/* The JSON shape documented in authcheck(1). NULL when out of memory. */
json_t	*ar_json(const struct ar_report *r, const char *authserv_id);

/* Appends a copy of text to the warnings of a report (ar_report or
 * fwd_report): 0, or QPM_ENOMEM with the list unchanged. */
int	ar_warn(char ***warnings, size_t *n, const char *text);

/* Shared with forward: the DMARC input of a report (author domains,
 * SPF identifier, passing DKIM signatures); idents must hold r->dkim.n
 * entries. */
void	ar_dmarc_input(const struct ar_report *r, const struct spf_result *spf,
	    struct dmarc_ident *idents, const int *dkim_pass,
	    struct dmarc_in *in);

/* Context pieces, for forward prediction. */
struct spf_ctx	*ar_ctx_spf(struct ar_ctx *ctx);
struct dmarc_ctx *ar_ctx_dmarc(struct ar_ctx *ctx);
struct dkimcheck *ar_ctx_dkim(struct ar_ctx *ctx);
const struct dns_resolver *ar_ctx_dns(struct ar_ctx *ctx);

/* JSON pieces reused by forward. */
json_t	*ar_json_spf(const struct spf_result *s);
json_t	*ar_json_dmarc(const struct dmarc_result *d);
json_t	*ar_json_dkim_sig(const struct dkimcheck_sig *s);
/* An RFC 8601 value: as is when it is a token or dot-atom address,
 * else a quoted-string. */
int	ar_cat_value(struct qstr *q, const char *v);

#endif
