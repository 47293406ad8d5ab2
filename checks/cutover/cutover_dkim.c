/*
 * NAME		cutover_dkim - are the DKIM keys the new host signs with
 *		published?
 * DOES		for each selector the migration names for a domain: fetches
 *		SELECTOR._domainkey.DOMAIN, parses the key record (RFC 6376
 *		3.6.1), compares its p= with the new host's key (the public
 *		key given, or the one derived from the private key file) and
 *		measures the key (RFC 8301: under 1024 bits is ignored)
 * NEVER	prints or copies a private key: only its public half is used
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "checks/cutover/cutover_int.h"
#include "util/err.h"
#include "util/file.h"

#define CUT_DKIM_MAX_KEYFILE	(64 * 1024)	/* a PEM private key */

/* p= with whitespace removed, from a "tag=value; ..." key record. */
static int
dkim_tag(const char *rec, size_t len, const char *tag, struct qstr *out)
{
	size_t i = 0, tl = strlen(tag), s, e;

	while (i < len) {
		while (i < len && (rec[i] == ' ' || rec[i] == '\t' ||
		    rec[i] == ';'))
			i++;
		s = i;
		while (i < len && rec[i] != ';')
			i++;
		e = i;
		/* name [FWS] "=" */
		if (e - s > tl && strncasecmp(rec + s, tag, tl) == 0) {
			size_t k = s + tl;

			while (k < e && (rec[k] == ' ' || rec[k] == '\t'))
				k++;
			if (k < e && rec[k] == '=') {
				for (k++; k < e; k++)
					if (!isspace((unsigned char)rec[k]))
						(void)qstr_catc(out, rec[k]);
				return 1;
			}
		}
	}
	return 0;
}

/* Bits of a base64 SubjectPublicKeyInfo (RSA) or raw ed25519 key. */
static int
key_bits(const char *b64, int ed25519)
{
	size_t len = strlen(b64);
	unsigned char *der;
	const unsigned char *p;
	EVP_PKEY *k;
	int n, bits = -1;

	if (len == 0 || len > 16384)
		return -1;
	if ((der = malloc(len)) == NULL)
		return -1;
	n = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)len);
	if (n > 0) {
		/* EVP_DecodeBlock counts the '=' padding as bytes */
		if (len >= 1 && b64[len - 1] == '=')
			n--;
		if (len >= 2 && b64[len - 2] == '=')
			n--;
		if (ed25519)
			bits = n == 32 ? 256 : -1;
		else {
			p = der;
			if ((k = d2i_PUBKEY(NULL, &p, n)) != NULL) {
				bits = EVP_PKEY_get_bits(k);
				EVP_PKEY_free(k);
			}
		}
	}
	free(der);
	return bits;
}

/* key_bits of the key decoded last in this run: a migration signs every
 * domain with one new key, and OpenSSL's decoders cost 0.1 ms a key */
static int
key_bits_memo(struct cut_ctx *c, const char *b64, int ed25519)
{
	if (c->key_memo == NULL || c->key_memo_ed != ed25519 ||
	    strcmp(c->key_memo, b64) != 0) {
		free(c->key_memo);
		c->key_memo = strdup(b64);	/* NULL: no memo, no harm */
		c->key_memo_ed = ed25519;
		c->key_memo_bits = key_bits(b64, ed25519);
	}
	return c->key_memo_bits;
}

/* The base64 public half of a PEM private key file (RSA: the
 * SubjectPublicKeyInfo as DKIM publishes it; ed25519: the raw key). */
static int
public_from_file(const char *path, struct qstr *out, int *ed25519,
    char *why, size_t whylen)
{
	struct qstr pem = QSTR_INIT(CUT_DKIM_MAX_KEYFILE + 1);
	unsigned char *der = NULL, raw[64], *b64 = NULL;
	size_t rawlen = sizeof(raw);
	EVP_PKEY *k = NULL;
	BIO *bio = NULL;
	int n, err, asked = 0;

	/* a FIFO or a device is refused (QPM_EINVAL), never waited on */
	err = file_read_all(path, CUT_DKIM_MAX_KEYFILE, FILE_READ_NOFOLLOW,
	    &pem);
	if (err < 0) {
		(void)qpm_snprintf(why, whylen, "%s: %s", path,
		    err == QPM_EINVAL ? "not a regular file" :
		    qpm_strerror(err));
		goto out;
	}
	err = QPM_ESYNTAX;
	if ((bio = BIO_new_mem_buf(pem.buf, (int)pem.len)) == NULL ||
	    (k = PEM_read_bio_PrivateKey(bio, NULL, file_no_pass_phrase,
	    &asked)) == NULL) {
		(void)qpm_snprintf(why, whylen, asked ? "%s: encrypted key: "
		    "a pass phrase is needed; the check reads only "
		    "unencrypted keys" : "%s: not a PEM private key", path);
		goto out;
	}
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519) {
		*ed25519 = 1;
		if (EVP_PKEY_get_raw_public_key(k, raw, &rawlen) != 1)
			goto out;
		der = NULL;
		n = (int)rawlen;
		if ((b64 = malloc(4 * ((size_t)n + 2) / 3 + 4)) == NULL)
			goto nomem;
		EVP_EncodeBlock(b64, raw, n);
	} else {
		if ((n = i2d_PUBKEY(k, &der)) <= 0)
			goto out;
		if ((b64 = malloc(4 * ((size_t)n + 2) / 3 + 4)) == NULL)
			goto nomem;
		EVP_EncodeBlock(b64, der, n);
	}
	err = qstr_cat(out, (char *)b64);
	goto out;
nomem:
	err = QPM_ENOMEM;
out:
	/* the private key's text is wiped before it is freed */
	if (pem.buf != NULL)
		OPENSSL_cleanse(pem.buf, pem.cap);
	qstr_free(&pem);
	BIO_free(bio);
	EVP_PKEY_free(k);
	OPENSSL_free(der);
	free(b64);
	return err;
}

static void
dkim_record(struct qstr *fix, const char *owner, int ed25519,
    const char *p)
{
	struct qstr rec = QSTR_INIT(8192);

	(void)qstr_catf(&rec, "v=DKIM1; k=%s; p=%s", ed25519 ? "ed25519" :
	    "rsa", p);
	(void)qstr_cat(fix, "  ");
	(void)cut_txt_record(fix, owner, qstr_str(&rec));
	qstr_free(&rec);
}

static void
one_selector(struct cut_ctx *c, struct cut_domain_state *s,
    const struct cut_dkimsel *sel, json_t *arr)
{
	const char *d = s->d->name;
	struct qstr owner = QSTR_INIT(512), want = QSTR_INIT(16384),
	    got = QSTR_INIT(16384), k = QSTR_INIT(64), fix = QSTR_INIT(16384);
	struct dns_answer a;
	json_t *o = json_object();
	const struct dns_rr *rr = NULL;
	char why[512] = "", path[4096];
	char *ev = NULL;
	int bits = -1, ed = 0, have_want = 0;
	/* a domain that sends no mail signs nothing: no blocker */
	enum finding_sev bad = s->no_mail ? FIND_INFO : FIND_BLOCKER;
	const char *nm = s->no_mail ? "; the domain sends no mail (SPF "
	    "\"v=spf1 -all\"), so nothing is signed with it yet" : "";
	size_t i;

	memset(&a, 0, sizeof(a));
	if (o == NULL) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	cj_append(c, arr, o);
	(void)qstr_catf(&owner, "%s._domainkey.%s", sel->selector, d);
	cj_str(c, o, "selector", sel->selector);
	cj_bool(c, o, "signing", sel->signing);
	cj_str(c, o, "record", qstr_str(&owner));
	/* the key the new host signs with */
	if (sel->public_key != NULL) {
		for (i = 0; sel->public_key[i] != '\0'; i++)
			if (!isspace((unsigned char)sel->public_key[i]))
				(void)qstr_catc(&want, sel->public_key[i]);
		have_want = want.len > 0;
	} else if (sel->key_file != NULL) {
		if (sel->key_file[0] == '/')
			(void)qpm_snprintf(path, sizeof(path), "%s",
			    sel->key_file);
		else
			(void)qpm_snprintf(path, sizeof(path), "%s/%s",
			    c->m->dir, sel->key_file);
		if (public_from_file(path, &want, &ed, why, sizeof(why)) == 0)
			have_want = want.len > 0;
	}
	trace_begin(c);
	(void)dns_query(&c->dns, qstr_str(&owner), DNS_T_TXT, &a);
	ev = trace_take(c);
	for (i = 0; a.status == DNS_OK && i < a.n && rr == NULL; i++)
		if (a.rr[i].type == DNS_T_TXT &&
		    memchr(a.rr[i].text, '\0', a.rr[i].textlen) == NULL)
			rr = &a.rr[i];
	if (rr != NULL) {
		(void)dkim_tag(rr->text, rr->textlen, "p", &got);
		if (dkim_tag(rr->text, rr->textlen, "k", &k) &&
		    strcasecmp(qstr_str(&k), "ed25519") == 0)
			ed = 1;
		bits = key_bits_memo(c, qstr_str(&got), ed);
	}
	cj_str(c, o, "dns", rr != NULL ? "published" :
	    dns_status_str(a.status));
	cj_int(c, o, "key_bits", bits);
	cj_bool(c, o, "matches", have_want && rr != NULL &&
	    strcmp(qstr_str(&want), qstr_str(&got)) == 0);
	if (have_want)
		dkim_record(&fix, qstr_str(&owner), ed, qstr_str(&want));
	if (!sel->signing) {
		cut_add(c, FIND_INFO, "domain", d, "dkim.old-selector", ev,
		    NULL, a.status == DNS_TEMPFAIL, "Selector %s of %s is not "
		    "the new host's (%s): keep it published until mail the "
		    "old host signed has been delivered", sel->selector, d,
		    rr != NULL ? "published" : dns_status_str(a.status));
		goto out;
	}
	s->dkim_keys++;
	if (a.status == DNS_TEMPFAIL || a.status == DNS_PERMFAIL) {
		cut_add(c, FIND_WARNING, "domain", d, "dkim.temperror", ev,
		    "Make the DNS answer, then run the report again.", 1,
		    "Cannot verify the DKIM key %s: temporary DNS error",
		    qstr_str(&owner));
	} else if (rr == NULL) {
		if (!have_want)
			(void)qstr_catf(&fix, "Publish the public half of the "
			    "key for selector %s as %s (opendkim-genkey writes "
			    "it to %s.txt)", sel->selector, qstr_str(&owner),
			    sel->selector);
		else {
			qstr_reset(&fix);
			(void)qstr_cat(&fix, "Publish:\n");
			dkim_record(&fix, qstr_str(&owner), ed,
			    qstr_str(&want));
		}
		cut_add(c, bad, "domain", d, "dkim.missing", ev,
		    qstr_str(&fix), 0, "DKIM key %s is not published (%s): "
		    "every signature the new host makes for %s fails "
		    "(dkim=permerror, no key)%s", qstr_str(&owner),
		    dns_status_str(a.status), d, nm);
	} else if (got.len == 0) {
		cut_add(c, bad, "domain", d, "dkim.revoked", ev,
		    qstr_str(&fix), 0, "DKIM key %s is revoked (empty p=): "
		    "signatures of the new host fail%s", qstr_str(&owner), nm);
	} else if (!have_want) {
		cut_add(c, FIND_WARNING, "domain", d, "dkim.unverified", ev,
		    "Give the selector's public_key or key_file in "
		    "migration.json (dkim.selectors).", 0, "DKIM key %s is "
		    "published, but the new host's key is unknown%s%s: cannot "
		    "tell whether they match", qstr_str(&owner),
		    why[0] ? " - " : "", why);
	} else if (strcmp(qstr_str(&want), qstr_str(&got)) != 0) {
		struct qstr f2 = QSTR_INIT(16384);

		(void)qstr_cat(&f2, "Replace the record with the new host's "
		    "key:\n");
		dkim_record(&f2, qstr_str(&owner), ed, qstr_str(&want));
		cut_add(c, bad, "domain", d, "dkim.mismatch", ev,
		    qstr_str(&f2), 0, "DKIM key %s does not match the key the "
		    "new host signs with: its signatures fail (body hash ok, "
		    "signature does not verify)%s", qstr_str(&owner), nm);
		qstr_free(&f2);
	} else if (bits >= 0 && bits < 1024) {
		cut_add(c, bad, "domain", d, "dkim.weak", ev,
		    "Make a 2048-bit key: opendkim-genkey -b 2048 -h sha256 "
		    "-d DOMAIN -s SELECTOR, and publish it.", 0, "DKIM key %s "
		    "has %d bits: RFC 8301 receivers ignore keys under 1024 "
		    "bits%s", qstr_str(&owner), bits, nm);
	} else {
		s->dkim_pass = 1;
		cut_add(c, FIND_INFO, "domain", d, "dkim.ok", ev, NULL, 0,
		    "DKIM key %s is published and matches the new host's key "
		    "(%s, %d bits)", qstr_str(&owner), ed ? "ed25519" : "rsa",
		    bits);
	}
out:
	free(ev);
	dns_answer_free(&a);
	qstr_free(&owner);
	qstr_free(&want);
	qstr_free(&got);
	qstr_free(&k);
	qstr_free(&fix);
}

void
cut_check_dkim(struct cut_ctx *c, struct cut_domain_state *s, json_t *dj)
{
	json_t *arr = json_array();
	struct qstr fix = QSTR_INIT(2048);
	size_t i;

	if (arr == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, dj, "dkim", arr);
	for (i = 0; i < c->m->ndkim && c->err == 0; i++)
		if (strcmp(c->m->dkim[i].domain, s->d->name) == 0)
			one_selector(c, s, &c->m->dkim[i], arr);
	if (s->dkim_keys > 0 || s->receive_only)
		return;
	(void)qstr_catf(&fix, "opendkim-genkey -b 2048 -h sha256 -d %s -s "
	    "SELECTOR\nthen publish SELECTOR._domainkey.%s from SELECTOR.txt, "
	    "add the key to OpenDKIM's KeyTable and SigningTable and list it "
	    "in migration.json dkim.selectors", s->d->name, s->d->name);
	cut_add(c, FIND_WARNING, "domain", s->d->name, "dkim.no-key", NULL,
	    qstr_str(&fix), 0, "The new host has no DKIM key for %s "
	    "(migration.json names none): its mail is unsigned, and DMARC "
	    "rests on SPF alone, which forwarding breaks", s->d->name);
	qstr_free(&fix);
}
