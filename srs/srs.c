/*
 * NAME		srs - Sender Rewriting Scheme codec
 * DOES		SRS0 = "SRS0" sep HASH "=" TT "=" domain "=" local "@" ours
 *		SRS1 = "SRS1" sep HASH "=" hop1 "=" opaque "@" ours
 *		HASH = base64(HMAC-SHA1(secret, lc(fields...)))[:4], as
 *		libsrs2's srs_compile_guarded() and srs_parse_guarded();
 *		verifies in constant time, case-insensitively, with either
 *		base64 alphabet; splits at the last unquoted @; writes a
 *		quoted local part when the result is not a dot-string
 * NEVER	reads the clock except through struct qpm_clock, prints,
 *		returns a local part over 64 octets, loops on input length
 *		beyond SRS_MAX_INPUT
 */
#include <config.h>

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

/* SHA1_Init() and friends, not EVP: the first EVP/HMAC() call of
 * OpenSSL 3 loads the provider and fetches the method, 0.7 ms of the
 * 1 ms a forwarded message may cost; the low-level SHA-1 needs 0.01 ms.
 * HMAC (RFC 2104) on top of it is a few lines, and the key part is done
 * once per secret, so a lookup costs the SHA-1 blocks of its own fields
 * only.  No other libcrypto entry point is used: a static link stays
 * small (sha1dgst, cpuid) and needs no OpenSSL initialisation. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "mail/addr.h"
#include "srs/srs.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/qstr.h"

#define SRS_DAY			86400
#define SRS_SLOTS		1024	/* 10 bits of day stamp */
#define SRS_SECRET_FILE_MAX	(64 * 1024)

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* HMAC-SHA1 key schedule of one secret */
struct hmac_state {
	SHA_CTX		 inner, outer;
};

/* A piece of an address: pointer and length, never NUL-terminated. */
struct span {
	const char	*p;
	size_t		 n;
};

struct srs *
srs_new(void)
{
	struct srs *srs;

	if ((srs = calloc(1, sizeof(*srs))) == NULL)
		return NULL;
	srs->sep = '=';
	srs->alphabet = SRS_ALPHA_BASE64;
	srs->hash_len = SRS_HASH_LEN;
	srs->hash_min = SRS_HASH_LEN;
	srs->max_age = QPM_SRS_MAX_AGE;
	srs->clock = qpm_clock_system;
	return srs;
}

void
srs_free(struct srs *srs)
{
	size_t i;

	if (srs == NULL)
		return;
	for (i = 0; i < srs->nsecrets; i++) {
		OPENSSL_cleanse(srs->secrets[i].key, srs->secrets[i].len);
		free(srs->secrets[i].key);
		if (srs->secrets[i].hmac != NULL)
			OPENSSL_cleanse(srs->secrets[i].hmac,
			    sizeof(struct hmac_state));
		free(srs->secrets[i].hmac);
	}
	for (i = 0; i < srs->ndomains; i++)
		free(srs->domains[i]);
	OPENSSL_cleanse(srs, sizeof(*srs));
	free(srs);
}

/* RFC 2104 HMAC with SHA-1 (block 64, digest 20), the key part done
 * once per secret: the states after hashing key^ipad and key^opad. */
static void
hmac_sha1_key(struct hmac_state *h, const unsigned char *key, size_t klen)
{
	unsigned char k[SHA_CBLOCK], pad[SHA_CBLOCK];
	SHA_CTX c;
	size_t i;

	memset(k, 0, sizeof(k));
	if (klen > SHA_CBLOCK) {
		/* not SHA1(): that one-shot goes through EVP and would
		 * pull the provider machinery into a static link */
		SHA1_Init(&c);
		SHA1_Update(&c, key, klen);
		SHA1_Final(k, &c);
	} else
		memcpy(k, key, klen);
	for (i = 0; i < SHA_CBLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	SHA1_Init(&h->inner);
	SHA1_Update(&h->inner, pad, sizeof(pad));
	for (i = 0; i < SHA_CBLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA1_Init(&h->outer);
	SHA1_Update(&h->outer, pad, sizeof(pad));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(&c, sizeof(c));
}

static void
hmac_sha1(const struct hmac_state *h, const unsigned char *data, size_t n,
    unsigned char md[SHA_DIGEST_LENGTH])
{
	unsigned char ih[SHA_DIGEST_LENGTH];
	SHA_CTX c;

	c = h->inner;
	SHA1_Update(&c, data, n);
	SHA1_Final(ih, &c);
	c = h->outer;
	SHA1_Update(&c, ih, sizeof(ih));
	SHA1_Final(md, &c);
	OPENSSL_cleanse(ih, sizeof(ih));
	OPENSSL_cleanse(&c, sizeof(c));
}

int
srs_add_secret(struct srs *srs, const void *key, size_t len)
{
	struct hmac_state *h;
	unsigned char *k;

	if (len == 0 || len > SRS_MAX_SECRET_LEN)
		return QPM_EINVAL;
	if (srs->nsecrets >= SRS_MAX_SECRETS)
		return QPM_ERANGE;
	if ((k = malloc(len)) == NULL)
		return QPM_ENOMEM;
	if ((h = malloc(sizeof(*h))) == NULL) {
		free(k);
		return QPM_ENOMEM;
	}
	memcpy(k, key, len);
	hmac_sha1_key(h, k, len);
	srs->secrets[srs->nsecrets].key = k;
	srs->secrets[srs->nsecrets].len = len;
	srs->secrets[srs->nsecrets].hmac = h;
	srs->nsecrets++;
	return 0;
}

int
srs_load_secrets(struct srs *srs, const char *path)
{
	struct qstr s = QSTR_INIT(SRS_SECRET_FILE_MAX + 1);
	size_t pos, end, n;
	struct stat st;
	int err, added = 0;

	/* anyone who reads the secret can forge bounces through us, and
	 * anyone who writes it can break every SRS address in flight */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP)) != 0)
		return QPM_EPERM;
	if ((err = file_read_all(path, SRS_SECRET_FILE_MAX, 0, &s)) < 0)
		goto out;
	for (pos = 0; pos < s.len; pos = end + 1) {
		const char *nl = memchr(s.buf + pos, '\n', s.len - pos);

		end = nl != NULL ? (size_t)(nl - s.buf) : s.len;
		n = end - pos;
		while (n > 0 && s.buf[pos + n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if ((err = srs_add_secret(srs, s.buf + pos, n)) < 0)
			goto out;
		added++;
	}
	err = added > 0 ? added : QPM_EINVAL;
out:
	if (s.buf != NULL)
		OPENSSL_cleanse(s.buf, s.cap);
	qstr_free(&s);
	return err;
}

static int
domain_char_ok(unsigned char c)
{
	return c > 0x20 && c != 0x7f && c != '=' && c != '@' && c != '"' &&
	    c != '\\' && c != '<' && c != '>' && c != ',';
}

static int
domain_ok(const char *d, size_t n)
{
	size_t i;

	if (n == 0 || n > QPM_MAX_DOMAIN)
		return 0;
	for (i = 0; i < n; i++)
		if (!domain_char_ok((unsigned char)d[i]))
			return 0;
	return 1;
}

int
srs_add_domain(struct srs *srs, const char *domain)
{
	size_t n = strlen(domain);
	char *d;

	if (!domain_ok(domain, n))
		return QPM_EINVAL;
	if (srs->ndomains >= SRS_MAX_DOMAINS)
		return QPM_ERANGE;
	if ((d = strdup(domain)) == NULL)
		return QPM_ENOMEM;
	srs->domains[srs->ndomains++] = d;
	return 0;
}

static unsigned char
lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int
span_eq_ci(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
	return 1;
}

int
srs_is_our_domain(const struct srs *srs, const char *domain, size_t len)
{
	size_t i;

	for (i = 0; i < srs->ndomains; i++)
		if (span_eq_ci(srs->domains[i], strlen(srs->domains[i]),
		    domain, len))
			return 1;
	return 0;
}

void
srs_stamp(time_t t, char tt[3])
{
	unsigned long d = (unsigned long)((t < 0 ? 0 : t) / SRS_DAY) % SRS_SLOTS;

	tt[0] = b32[(d >> 5) & 31];
	tt[1] = b32[d & 31];
	tt[2] = '\0';
}

/* Base64 of the HMAC-SHA1 over the lower-cased fields, with secret k, in
 * the standard alphabet: SRS_HASH_MAX characters into out. */
static int
srs_digest(const struct srs_secret *k, const struct span *f, size_t nf,
    char out[SRS_HASH_MAX])
{
	unsigned char data[3 * SRS_MAX_INPUT], md[SHA_DIGEST_LENGTH];
	size_t i, j, n = 0;
	unsigned long v;

	for (i = 0; i < nf; i++) {
		if (f[i].n > sizeof(data) - n)
			return QPM_ERANGE;
		for (j = 0; j < f[i].n; j++)
			data[n++] = lc((unsigned char)f[i].p[j]);
	}
	hmac_sha1(k->hmac, data, n, md);
	/* 20 octets: 6 full groups of 3, then 2 octets -> 3 characters */
	for (i = 0, j = 0; i + 3 <= 18; i += 3) {
		v = (unsigned long)md[i] << 16 | (unsigned long)md[i + 1] << 8 |
		    md[i + 2];
		out[j++] = b64std[(v >> 18) & 63];
		out[j++] = b64std[(v >> 12) & 63];
		out[j++] = b64std[(v >> 6) & 63];
		out[j++] = b64std[v & 63];
	}
	v = (unsigned long)md[18] << 16 | (unsigned long)md[19] << 8;
	out[j++] = b64std[(v >> 18) & 63];
	out[j++] = b64std[(v >> 12) & 63];
	out[j++] = b64std[(v >> 6) & 63];
	OPENSSL_cleanse(data, n);
	return 0;
}

/* Both alphabets, either case: "-" is "+", "_" is "/". */
static unsigned char
hash_fold(unsigned char c)
{
	c = lc(c);
	if (c == '-')
		return '+';
	if (c == '_')
		return '/';
	return c;
}

/* 1 when some secret produces hash h over the fields; every secret and
 * every character is compared, whatever matched earlier. */
static int
srs_hash_ok(const struct srs *srs, const char *h, size_t hn,
    const struct span *f, size_t nf, enum srs_reason *why)
{
	char d[SRS_HASH_MAX];
	unsigned diff, ok = 0;
	size_t i, s;

	if (hn < srs->hash_min || hn < 1) {
		*why = SRS_WHY_HASH_SHORT;
		return 0;
	}
	if (hn > SRS_HASH_MAX) {
		*why = SRS_WHY_BAD_HASH;
		return 0;
	}
	for (s = 0; s < srs->nsecrets; s++) {
		if (srs_digest(&srs->secrets[s], f, nf, d) < 0)
			continue;
		diff = 0;
		for (i = 0; i < hn; i++)
			diff |= hash_fold((unsigned char)h[i]) ^
			    hash_fold((unsigned char)d[i]);
		ok |= (diff == 0);
	}
	OPENSSL_cleanse(d, sizeof(d));
	if (!ok)
		*why = SRS_WHY_BAD_HASH;
	return ok != 0;
}

static int
srs_hash_make(const struct srs *srs, const struct span *f, size_t nf,
    char *h)
{
	char d[SRS_HASH_MAX];
	const char *alpha;
	unsigned i;
	int err;

	if ((err = srs_digest(&srs->secrets[0], f, nf, d)) < 0)
		return err;
	alpha = srs->alphabet == SRS_ALPHA_BASE64URL ? b64url : b64std;
	for (i = 0; i < srs->hash_len && i < SRS_HASH_MAX; i++)
		h[i] = alpha[strchr(b64std, d[i]) - b64std];
	h[i] = '\0';
	return 0;
}

/* RFC 5321 atext, plus RFC 6531 UTF-8 octets. */
static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
is_dot_string(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i + 1 < n && s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* The mailbox text of a local part: quoted-pairs resolved when quoted.
 * Control characters are refused: RFC 5321 allows none, quoted or not. */
static int
local_decode(const char *l, size_t n, char *out, size_t outlen,
    size_t *outn)
{
	size_t i, o = 0;
	unsigned char c;

	if (addr_local_is_quoted(l, n)) {
		l++;
		n -= 2;
		for (i = 0; i < n; i++) {
			if (l[i] == '\\') {
				if (++i >= n)
					return -1;
			} else if (l[i] == '"')
				return -1;	/* "a"b"@x */
			if (o >= outlen)
				return -1;
			out[o++] = l[i];
		}
	} else {
		if (n > outlen)
			return -1;
		memcpy(out, l, n);
		o = n;
	}
	for (i = 0; i < o; i++) {
		c = (unsigned char)out[i];
		if (c < 0x20 || c == 0x7f)
			return -1;
	}
	if (o == 0)
		return -1;
	*outn = o;
	return 0;
}

/* Local part text -> external form: bare when a dot-string, else quoted
 * with " and \ escaped.  Returns the length written or -1. */
static long
local_encode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (is_dot_string(s, n)) {
		if (n >= outlen)
			return -1;
		memcpy(out, s, n);
		return (long)n;
	}
	if (outlen < 3)
		return -1;
	out[o++] = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '\\';
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = s[i];
	}
	if (o + 1 >= outlen)
		return -1;
	out[o++] = '"';
	return (long)o;
}

/* Checks shared by forward and reverse; fills local text and domain. */
static enum srs_result
srs_split(const char *addr, size_t len, char *text, size_t textlen,
    size_t *textn, struct span *dom, enum srs_reason *why)
{
	long at;

	if (len == 0) {
		*why = SRS_WHY_EMPTY;
		return SRS_NOT_APPLICABLE;
	}
	if (len > SRS_MAX_INPUT) {
		*why = SRS_WHY_INPUT_LONG;
		return SRS_NOT_APPLICABLE;
	}
	if (memchr(addr, '\0', len) != NULL) {
		*why = SRS_WHY_NUL;
		return SRS_NOT_APPLICABLE;
	}
	if ((at = addr_split(addr, len)) < 0) {
		*why = SRS_WHY_NO_AT;
		return SRS_NOT_APPLICABLE;
	}
	dom->p = addr + at + 1;
	dom->n = len - (size_t)at - 1;
	if (!domain_ok(dom->p, dom->n)) {
		*why = SRS_WHY_BAD_DOMAIN;
		return SRS_NOT_APPLICABLE;
	}
	if (local_decode(addr, (size_t)at, text, textlen, textn) < 0) {
		*why = SRS_WHY_BAD_LOCAL;
		return SRS_NOT_APPLICABLE;
	}
	return SRS_REWRITTEN;
}

/* "SRS0" or "SRS1" (any case) followed by a separator: returns 0 or 1,
 * or -1 when s is no SRS local part. */
static int
srs_tag(const char *s, size_t n)
{
	if (n < 5 || lc((unsigned char)s[0]) != 's' ||
	    lc((unsigned char)s[1]) != 'r' || lc((unsigned char)s[2]) != 's' ||
	    (s[3] != '0' && s[3] != '1') ||
	    (s[4] != '=' && s[4] != '+' && s[4] != '-'))
		return -1;
	return s[3] - '0';
}

/* Split s at the first '=' into head and tail; both must be non-empty
 * (libsrs2's STRINGP checks). */
static int
field_next(struct span *s, struct span *head)
{
	const char *eq = memchr(s->p, '=', s->n);

	if (eq == NULL || eq == s->p || (size_t)(eq - s->p) + 1 >= s->n)
		return -1;
	head->p = s->p;
	head->n = (size_t)(eq - s->p);
	s->n -= head->n + 1;
	s->p = eq + 1;
	return 0;
}

/* Assemble local "@" domain into out; with limit, a local part over 64
 * octets is refused (forward), without it kept as it was (reverse). */
static enum srs_result
srs_emit(const char *text, size_t tn, const char *dom, size_t dn, int limit,
    char *out, size_t outlen, enum srs_reason *why)
{
	char local[2 * SRS_MAX_INPUT + 3];
	long ln;

	if (limit && tn > QPM_MAX_LOCAL_PART) {
		*why = SRS_WHY_TOO_LONG;
		return SRS_NOT_APPLICABLE;
	}
	if ((ln = local_encode(text, tn, local, sizeof(local))) < 0) {
		*why = limit ? SRS_WHY_TOO_LONG : SRS_WHY_BUFFER;
		return limit ? SRS_NOT_APPLICABLE : SRS_ERROR;
	}
	if (limit && (size_t)ln > QPM_MAX_LOCAL_PART) {
		*why = SRS_WHY_TOO_LONG;
		return SRS_NOT_APPLICABLE;
	}
	if ((size_t)ln + 1 + dn + 1 > outlen) {
		*why = SRS_WHY_BUFFER;
		return SRS_ERROR;
	}
	memcpy(out, local, (size_t)ln);
	out[ln] = '@';
	memcpy(out + ln + 1, dom, dn);
	out[ln + 1 + dn] = '\0';
	*why = SRS_WHY_NONE;
	return SRS_REWRITTEN;
}

enum srs_result
srs_forward(const struct srs *srs, const char *sender, size_t len, char *out,
    size_t outlen, enum srs_reason *why)
{
	char text[SRS_MAX_INPUT], res[SRS_OUT_MAX + SRS_MAX_INPUT];
	char hash[SRS_HASH_MAX + 1], tt[3];
	struct span dom, rest, h, host, f[3];
	size_t tn, rn;
	enum srs_result r;
	int tag, err;

	*why = SRS_WHY_NONE;
	if (srs->nsecrets == 0) {
		*why = SRS_WHY_NO_SECRET;
		return SRS_ERROR;
	}
	if (srs->ndomains == 0) {
		*why = SRS_WHY_NO_DOMAIN;
		return SRS_ERROR;
	}
	if ((r = srs_split(sender, len, text, sizeof(text), &tn, &dom,
	    why)) != SRS_REWRITTEN)
		return r;
	if (srs_is_our_domain(srs, dom.p, dom.n)) {
		*why = SRS_WHY_OURS;
		return SRS_NOT_APPLICABLE;
	}
	tag = srs_tag(text, tn);
	rest.p = text + 5;
	rest.n = tn - 5;
	if (tag == 1 && field_next(&rest, &h) == 0 &&
	    field_next(&rest, &host) == 0) {
		/* SRS1 from elsewhere: re-sign, keep hop1 and the opaque part */
		f[0] = host;
		f[1] = rest;
	} else if (tag == 0) {
		/* SRS0 from elsewhere: the sender's domain becomes hop1 */
		host = dom;
		rest.p = text + 4;
		rest.n = tn - 4;
		f[0] = host;
		f[1] = rest;
	} else
		tag = -1;
	if (tag >= 0) {
		if ((err = srs_hash_make(srs, f, 2, hash)) < 0)
			goto crypto;
		if (host.n + rest.n + strlen(hash) + 8 > sizeof(res)) {
			*why = SRS_WHY_TOO_LONG;
			return SRS_NOT_APPLICABLE;
		}
		memcpy(res, "SRS1", 4);
		res[4] = srs->sep;
		rn = 5;
		memcpy(res + rn, hash, strlen(hash));
		rn += strlen(hash);
		res[rn++] = '=';
		memcpy(res + rn, host.p, host.n);
		rn += host.n;
		res[rn++] = '=';
		memcpy(res + rn, rest.p, rest.n);
		rn += rest.n;
	} else {
		srs_stamp(qpm_clock_now(&srs->clock), tt);
		f[0].p = tt;
		f[0].n = 2;
		f[1] = dom;
		f[2].p = text;
		f[2].n = tn;
		if ((err = srs_hash_make(srs, f, 3, hash)) < 0)
			goto crypto;
		if (dom.n + tn + strlen(hash) + 12 > sizeof(res)) {
			*why = SRS_WHY_TOO_LONG;
			return SRS_NOT_APPLICABLE;
		}
		memcpy(res, "SRS0", 4);
		res[4] = srs->sep;
		rn = 5;
		memcpy(res + rn, hash, strlen(hash));
		rn += strlen(hash);
		res[rn++] = '=';
		res[rn++] = tt[0];
		res[rn++] = tt[1];
		res[rn++] = '=';
		memcpy(res + rn, dom.p, dom.n);
		rn += dom.n;
		res[rn++] = '=';
		memcpy(res + rn, text, tn);
		rn += tn;
	}
	return srs_emit(res, rn, srs->domains[0], strlen(srs->domains[0]), 1,
	    out, outlen, why);
crypto:
	*why = err == QPM_ERANGE ? SRS_WHY_INPUT_LONG : SRS_WHY_CRYPTO;
	return SRS_ERROR;
}

static int
b32_value(unsigned char c)
{
	c = (unsigned char)(c >= 'a' && c <= 'z' ? c - 32 : c);
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

enum srs_result
srs_reverse(const struct srs *srs, const char *addr, size_t len, char *out,
    size_t outlen, enum srs_reason *why)
{
	char text[SRS_MAX_INPUT], res[SRS_MAX_INPUT + 8];
	struct span dom, rest, h, stamp, host, f[3];
	unsigned long now, then, delta;
	size_t tn, rn;
	enum srs_result r;
	int tag, a, b;

	*why = SRS_WHY_NONE;
	if (srs->nsecrets == 0) {
		*why = SRS_WHY_NO_SECRET;
		return SRS_ERROR;
	}
	if ((r = srs_split(addr, len, text, sizeof(text), &tn, &dom,
	    why)) != SRS_REWRITTEN)
		return r;
	if (srs->ndomains > 0 && !srs_is_our_domain(srs, dom.p, dom.n)) {
		*why = SRS_WHY_FOREIGN;
		return SRS_NOT_APPLICABLE;
	}
	if ((tag = srs_tag(text, tn)) < 0) {
		*why = SRS_WHY_NOT_SRS;
		return SRS_NOT_APPLICABLE;
	}
	rest.p = text + 5;
	rest.n = tn - 5;
	*why = SRS_WHY_FORMAT;
	if (field_next(&rest, &h) < 0)
		return SRS_NOT_APPLICABLE;
	if (tag == 1) {
		if (field_next(&rest, &host) < 0)
			return SRS_NOT_APPLICABLE;
		f[0] = host;
		f[1] = rest;
		if (!srs_hash_ok(srs, h.p, h.n, f, 2, why))
			return SRS_NOT_APPLICABLE;
		/* "SRS0" + opaque (which starts with its separator) @ hop1 */
		memcpy(res, "SRS0", 4);
		memcpy(res + 4, rest.p, rest.n);
		rn = 4 + rest.n;
		return srs_emit(res, rn, host.p, host.n, 0, out, outlen, why);
	}
	if (field_next(&rest, &stamp) < 0 || field_next(&rest, &host) < 0)
		return SRS_NOT_APPLICABLE;
	/* exactly two characters: the loop of CVE-2020-35573 never exists */
	if (stamp.n != QPM_SRS_TS_LEN ||
	    (a = b32_value((unsigned char)stamp.p[0])) < 0 ||
	    (b = b32_value((unsigned char)stamp.p[1])) < 0) {
		*why = SRS_WHY_BAD_STAMP;
		return SRS_NOT_APPLICABLE;
	}
	f[0] = stamp;
	f[1] = host;
	f[2] = rest;
	if (!srs_hash_ok(srs, h.p, h.n, f, 3, why))
		return SRS_NOT_APPLICABLE;
	then = (unsigned long)(a << 5 | b);
	now = (unsigned long)(qpm_clock_now(&srs->clock) / SRS_DAY) % SRS_SLOTS;
	delta = (now + SRS_SLOTS - then) % SRS_SLOTS;
	if (delta > srs->max_age) {
		*why = SRS_WHY_EXPIRED;
		return SRS_NOT_APPLICABLE;
	}
	return srs_emit(rest.p, rest.n, host.p, host.n, 0, out, outlen, why);
}

const char *
srs_reason_text(enum srs_reason why)
{
	switch (why) {
	case SRS_WHY_NONE:	return "ok";
	case SRS_WHY_EMPTY:	return "empty address";
	case SRS_WHY_INPUT_LONG: return "address too long";
	case SRS_WHY_NUL:	return "NUL byte in address";
	case SRS_WHY_NO_AT:	return "no domain (no unquoted @)";
	case SRS_WHY_BAD_LOCAL:	return "bad local part";
	case SRS_WHY_BAD_DOMAIN: return "bad domain";
	case SRS_WHY_OURS:	return "already in our SRS domain";
	case SRS_WHY_TOO_LONG:	return "SRS local part would exceed 64 octets";
	case SRS_WHY_FOREIGN:	return "not our SRS domain";
	case SRS_WHY_NOT_SRS:	return "not an SRS address";
	case SRS_WHY_FORMAT:	return "malformed SRS address";
	case SRS_WHY_BAD_STAMP:	return "bad timestamp";
	case SRS_WHY_EXPIRED:	return "timestamp out of date";
	case SRS_WHY_HASH_SHORT: return "hash too short";
	case SRS_WHY_BAD_HASH:	return "hash invalid";
	case SRS_WHY_NO_SECRET:	return "no secret";
	case SRS_WHY_NO_DOMAIN:	return "no SRS domain";
	case SRS_WHY_BUFFER:	return "result too long";
	case SRS_WHY_CRYPTO:	return "HMAC failed";
	}
	return "unknown";
}

int
srs_long_policy_parse(const char *s, enum srs_long_policy *p)
{
	if (strcmp(s, "tempfail") == 0)
		*p = SRS_LONG_TEMPFAIL;
	else if (strcmp(s, "plain") == 0)
		*p = SRS_LONG_PLAIN;
	else
		return QPM_EINVAL;
	return 0;
}
