/*
 * NAME		forward - predict the final receiver's SPF, DKIM and DMARC
 *		for a message our new host forwards
 * DOES		evaluates the message as the old host received it, then,
 *		for three ways of forwarding (plain, qmail-inject -f style
 *		sender rewriting, SRS), the SPF result the next hop computes
 *		for the new host's IP and HELO, which DKIM signatures survive,
 *		and the DMARC outcome (RFC 9989, and RFC 7489 beside it);
 *		says what would break each signature (a footer, an 8BITMIME
 *		downgrade, a Subject rewrite, refolding under c=simple)
 * NEVER	sends mail, contacts the final receiver, uses an SRS secret
 *		for anything but computing the address (the secret does not
 *		change any result: SPF at the next hop looks at the domain)
 */
#ifndef QPM_FORWARD_H
#define QPM_FORWARD_H

#include <stddef.h>

#include <jansson.h>

#include "checks/core/ar.h"

enum fwd_mode {
	FWD_PLAIN = 1,		/* envelope sender kept (.qmail "&addr") */
	FWD_REWRITE,		/* qmail-inject -f: the forwarding user's own
				 * address in our domain */
	FWD_SRS			/* SRS0 address in the SRS domain */
};
#define FWD_NMODES	3

/* What would break a signature in transit (fwd_sig.breaks). */
#define FWD_BREAK_FOOTER	0x01	/* any body change: footer, disclaimer */
#define FWD_BREAK_8BIT		0x02	/* 8-bit body: an 8BITMIME downgrade to
					 * quoted-printable changes it */
#define FWD_BREAK_SUBJECT	0x04	/* Subject is signed: a "[list]" tag */
#define FWD_BREAK_REFOLD	0x08	/* c=simple header canonicalization:
					 * any refolding or case change */
#define FWD_BREAK_MIME_HDR	0x10	/* Content-Transfer-Encoding or
					 * Content-Type signed: a downgrade
					 * rewrites them too */
#define FWD_BREAK_LONG_LINE	0x20	/* body lines over 998 bytes get
					 * re-encoded or wrapped */

struct fwd_sig {
	char		*d, *s, *a;
	enum dkimcheck_res now;		/* at the old host */
	int		 survives;	/* still passes after plain relaying */
	int		 with_footer;	/* re-verified with a footer appended:
					 * 1 still passes, 0 breaks */
	int		 aligned;	/* d= aligns with the From: domain
					 * (relaxed, RFC 9989) */
	unsigned	 breaks;	/* FWD_BREAK_* */
	int		 l_used;	/* l= present: a footer stays unsigned */
};

struct fwd_outcome {
	enum fwd_mode	 mode;
	char		*mailfrom;	/* what the final receiver sees */
	char		*note;		/* how the address was made, or why
					 * the mode does not apply */
	struct spf_result spf;		/* via_ip/via_helo/mailfrom */
	enum dkimcheck_res dkim;	/* pass if a signature survives */
	struct dmarc_result dmarc;	/* RFC 9989 */
	struct dmarc_result dmarc7489;
	const char	*outcome;	/* "delivered", "quarantined",
					 * "rejected", "at risk" (SPF fail
					 * without DMARC), "temporary failure" */
};

struct fwd_input {
	const char	*msg;		/* the message as the old host got it */
	size_t		 len;
	const char	*ip, *helo;	/* the original client */
	const char	*mailfrom;	/* the original envelope sender */
	const char	*rcpt;		/* the forwarding user (for -f); NULL:
					 * the first Delivered-To: */
	const char	*via_ip, *via_helo;	/* the new host */
	const char	*srs_domain;
	const char	*srs_secret_file; /* NULL: a throwaway secret */
	const struct qpm_clock *clock;	/* SRS day stamp; NULL: system */
};

struct fwd_report {
	struct ar_report original;	/* at the old host */
	char		*from_domain;	/* the first author domain, or NULL */
	struct fwd_sig	*sig;
	size_t		 nsig;
	struct fwd_outcome out[FWD_NMODES];	/* FWD_PLAIN - 1, ... */
	char		**warnings;
	size_t		 nwarnings;
};

/*
 * Fills *out (free with fwd_report_free). ip, helo and mailfrom may be
 * NULL: they are then taken from the message (Return-Path: and the top
 * Received: field, see fwd_guess_origin). Returns 0, QPM_EINVAL (no
 * client IP known or an IP that does not parse; no via_ip or srs_domain),
 * QPM_ERANGE (header too big), QPM_ENOMEM, QPM_EIO.
 */
int	fwd_predict(struct ar_ctx *ctx, const struct fwd_input *in,
	    struct fwd_report *out);
void	fwd_report_free(struct fwd_report *r);

/* The original client from the header: the envelope sender from the
 * first Return-Path:, IP and HELO from the first Received: field in
 * qmail ("from HELO (HOST [IP])" or "(HELO x) (IP)") or Postfix form.
 * Each out string is malloc'ed or NULL when not found. */
int	fwd_guess_origin(const struct hdr_msg *m, char **ip, char **helo,
	    char **mailfrom);

int	fwd_format(const struct fwd_report *r, struct qstr *out);
json_t	*fwd_json(const struct fwd_report *r);
const char *fwd_mode_str(enum fwd_mode m);	/* "plain", "rewrite", "srs" */

#endif
