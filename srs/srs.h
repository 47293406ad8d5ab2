/*
 * NAME		srs - Sender Rewriting Scheme codec (SRS0/SRS1, "guarded")
 * DOES		forward and reverse addresses bit-compatibly with postsrsd
 *		1.x, libsrs2 and Mail::SRS: HMAC-SHA1 over the lower-cased
 *		fields, base64, a base32 day stamp modulo 1024
 * NEVER	reads the clock directly, prints, exits, emits a local part
 *		longer than 64 octets
 */
#ifndef QPM_SRS_H
#define QPM_SRS_H

#include <stddef.h>
#include <time.h>

#include "util/clock.h"

/* No member is 0: a stray "return 0" is never success. */
enum srs_result { SRS_REWRITTEN = 1, SRS_NOT_APPLICABLE, SRS_ERROR };

/* Why a call was not applicable or failed; srs_reason_text() names it. */
enum srs_reason {
	SRS_WHY_NONE = 0,
	SRS_WHY_EMPTY,		/* empty address */
	SRS_WHY_INPUT_LONG,	/* input longer than SRS_MAX_INPUT */
	SRS_WHY_NUL,		/* a NUL byte inside the address */
	SRS_WHY_NO_AT,		/* no unquoted @, or unbalanced quotes */
	SRS_WHY_BAD_LOCAL,	/* empty or undecodable local part */
	SRS_WHY_BAD_DOMAIN,	/* empty domain or one with = " @ or controls */
	SRS_WHY_OURS,		/* sender already in one of our SRS domains */
	SRS_WHY_TOO_LONG,	/* the SRS local part would pass 64 octets */
	SRS_WHY_FOREIGN,	/* reverse: not one of our SRS domains */
	SRS_WHY_NOT_SRS,	/* reverse: no SRS0/SRS1 tag */
	SRS_WHY_FORMAT,		/* reverse: fields missing */
	SRS_WHY_BAD_STAMP,	/* reverse: timestamp not 2 base32 characters */
	SRS_WHY_EXPIRED,	/* reverse: outside the day window */
	SRS_WHY_HASH_SHORT,	/* reverse: hash shorter than hash_min */
	SRS_WHY_BAD_HASH,	/* reverse: no secret produces this hash */
	SRS_WHY_NO_SECRET,	/* configuration: no secret loaded */
	SRS_WHY_NO_DOMAIN,	/* configuration: no SRS domain */
	SRS_WHY_BUFFER,		/* the output buffer is too small */
	SRS_WHY_CRYPTO		/* HMAC failed */
};

enum srs_alphabet {
	SRS_ALPHA_BASE64 = 1,	/* "+/": postsrsd 1.x, libsrs2, Mail::SRS */
	SRS_ALPHA_BASE64URL	/* "-_": postsrsd >= 2.2.6 */
};

/* What a caller does when the SRS local part would pass 64 octets
 * (RFC 5321 4.5.3.1.1); the codec itself only reports SRS_WHY_TOO_LONG. */
enum srs_long_policy {
	SRS_LONG_TEMPFAIL = 1,	/* refuse for now: the message waits, a log
				 * line says why */
	SRS_LONG_PLAIN		/* forward with the original sender, warn */
};

#define SRS_MAX_INPUT		1000	/* octets of one address (CVE-2021-35525) */
#define SRS_MAX_SECRETS		64
#define SRS_MAX_SECRET_LEN	1023	/* postsrsd 1.x reads lines into 1024 */
#define SRS_MAX_DOMAINS		16
#define SRS_HASH_LEN		4	/* what every peer writes */
#define SRS_HASH_MAX		27	/* base64 of 20 octets, without padding */
#define SRS_OUT_MAX		(SRS_MAX_INPUT + 64)	/* ample for any result */

struct srs_secret {
	unsigned char	*key;
	size_t		 len;
	void		*hmac;	/* SHA-1 states after the padded key (srs.c):
				 * a lookup hashes only its own fields */
};

struct srs {
	struct srs_secret secrets[SRS_MAX_SECRETS];	/* [0] signs */
	size_t		 nsecrets;
	char		*domains[SRS_MAX_DOMAINS];	/* [0] signs */
	size_t		 ndomains;
	char		 sep;		/* '=', '+' or '-' after SRS0/SRS1 */
	enum srs_alphabet alphabet;	/* of the hashes we write */
	unsigned	 hash_len;	/* characters written */
	unsigned	 hash_min;	/* fewest characters accepted */
	unsigned	 max_age;	/* days */
	struct qpm_clock clock;
};

/* Defaults: sep '=', base64, hash 4/4, 21 days, the system clock. */
struct srs *srs_new(void);
/* Zeroes the secrets before freeing them. */
void	srs_free(struct srs *srs);

/* Add one secret (raw bytes); the first added signs. 0 or a qpm_err. */
int	srs_add_secret(struct srs *srs, const void *key, size_t len);
/* postsrsd's format: one secret per line, \r\n stripped, empty lines
 * skipped. Returns the number of secrets added or a negative qpm_err
 * (QPM_EINVAL when the file holds none; QPM_EPERM, nothing read, when
 * others may read it or group or others may write it: SRS_SECRET_CHMOD
 * is the fix to print). */
#define SRS_SECRET_CHMOD	"chmod o-rwx,g-w"
int	srs_load_secrets(struct srs *srs, const char *path);
/* Add one SRS domain; the first added is written into forwards. */
int	srs_add_domain(struct srs *srs, const char *domain);
/* 1 when domain (len octets) is one of ours, ignoring case. */
int	srs_is_our_domain(const struct srs *srs, const char *domain,
	    size_t len);

/* The two-character day stamp of unix time t ("2W" for 2020-01-01). */
void	srs_stamp(time_t t, char tt[3]);

/* Forward sender (len octets, need not be NUL-terminated) into out.
 * SRS_REWRITTEN: out holds SRS0 (or SRS1 for an SRS input) in external
 * form, quoted when the local part is not a dot-string.
 * SRS_NOT_APPLICABLE: *why says why (SRS_WHY_OURS: keep the sender;
 * SRS_WHY_TOO_LONG: the caller applies its policy).
 * SRS_ERROR: configuration or internal failure. */
enum srs_result srs_forward(const struct srs *srs, const char *sender,
	    size_t len, char *out, size_t outlen, enum srs_reason *why);

/* Reverse an address in one of our SRS domains: SRS0 gives the original
 * address, SRS1 gives "SRS0...@hop1" (one step, as every peer does).
 * Forged, expired, foreign or malformed input: SRS_NOT_APPLICABLE. */
enum srs_result srs_reverse(const struct srs *srs, const char *addr,
	    size_t len, char *out, size_t outlen, enum srs_reason *why);

const char *srs_reason_text(enum srs_reason why);
/* "tempfail" or "plain"; 0 or QPM_EINVAL. */
int	srs_long_policy_parse(const char *s, enum srs_long_policy *p);

#endif
