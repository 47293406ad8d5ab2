/*
 * NAME		write_dkim - OUT/dkim: OpenDKIM signing for the new host
 * DOES		makes a 2048-bit RSA key with libcrypto (or takes the one
 *		--dkim-key names), writes it mode 0600 into
 *		OUT/dkim/keys/SELECTOR.private; KeyTable and SigningTable
 *		(one selector per hosted domain, all with that key),
 *		TrustedHosts, opendkim.conf, the DNS TXT records to publish
 *		and a README whose install text the report repeats
 * NEVER	prints the private key or puts it in any other file; signs
 *		for a domain that is not hosted here
 */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

#define DKIM_BITS		2048
#define DKIM_MAX_KEYFILE	(64 * 1024)	/* a PEM private key */

/* The installed paths that opendkim.conf and KeyTable name (Debian's
 * opendkim reads /etc/opendkim.conf) */
#define DKIM_ETC		"/etc/opendkim"
#define DKIM_CONF		"/etc/opendkim.conf"

static void
wipe(struct qstr *s)
{
	if (s->buf != NULL)
		OPENSSL_cleanse(s->buf, s->cap);
	qstr_free(s);
}

/* The base64 SubjectPublicKeyInfo (the p= value) and the size of k */
static int
public_half(EVP_PKEY *k, struct dkim_wire *w)
{
	unsigned char *der = NULL, *b64;
	int n, e = QPM_ENOMEM;

	if ((n = i2d_PUBKEY(k, &der)) <= 0)
		return QPM_ESYNTAX;
	if ((b64 = malloc(4 * ((size_t)n + 2) / 3 + 1)) != NULL) {
		EVP_EncodeBlock(b64, der, n);
		w->pubkey = (char *)b64;
		w->bits = EVP_PKEY_get_bits(k);
		e = 0;
	}
	OPENSSL_free(der);
	return e;
}

int
dkim_key_generate(struct dkim_wire *w)
{
	EVP_PKEY *k;
	BIO *bio = NULL;
	char *p;
	long n;
	int e = QPM_ENOMEM;

	if ((k = EVP_RSA_gen(DKIM_BITS)) == NULL) {
		msg_errorx("cannot make a %d-bit RSA key (libcrypto)",
		    DKIM_BITS);
		return QPM_EPERM;
	}
	if ((bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (n = BIO_get_mem_data(bio, &p)) <= 0)
		goto out;
	qstr_init(&w->pem, DKIM_MAX_KEYFILE);
	if ((e = qstr_catn(&w->pem, p, (size_t)n)) < 0)
		goto out;
	e = public_half(k, w);
	w->generated = 1;
out:
	BIO_free(bio);	/* secure memory: cleansed when freed */
	EVP_PKEY_free(k);
	return e;
}

int
dkim_key_load(struct dkim_wire *w, const char *path)
{
	EVP_PKEY *k = NULL;
	BIO *bio = NULL;
	int e, asked = 0;

	qstr_init(&w->pem, DKIM_MAX_KEYFILE + 1);
	if ((e = file_read_all(path, DKIM_MAX_KEYFILE, 0, &w->pem)) < 0) {
		/* a FIFO or a device: refused, never waited on */
		msg_errorx("--dkim-key %s: %s", path, e == QPM_EINVAL ?
		    "not a regular file" : qpm_strerror(e));
		return e;
	}
	if ((bio = BIO_new_mem_buf(w->pem.buf, (int)w->pem.len)) == NULL ||
	    (k = PEM_read_bio_PrivateKey(bio, NULL, file_no_pass_phrase,
	    &asked)) == NULL) {
		if (asked)
			msg_errorx("--dkim-key %s: encrypted key: OpenDKIM "
			    "cannot use it; decrypt it first (openssl pkey -in "
			    "FILE -out PLAIN)", path);
		else
			msg_errorx("--dkim-key %s: not a PEM private key", path);
		e = QPM_ESYNTAX;
	} else if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		msg_errorx("--dkim-key %s: not an RSA key (OpenDKIM signs "
		    "with rsa-sha256 here)", path);
		e = QPM_ESYNTAX;
	} else if (EVP_PKEY_get_bits(k) < 1024) {
		msg_errorx("--dkim-key %s: %d bits; RFC 8301 receivers "
		    "ignore keys under 1024 bits", path, EVP_PKEY_get_bits(k));
		e = QPM_ESYNTAX;
	} else
		e = public_half(k, w);
	BIO_free(bio);
	EVP_PKEY_free(k);
	w->key_src = path;
	return e;
}

void
dkim_wire_free(struct dkim_wire *w)
{
	wipe(&w->pem);
	free(w->pubkey);
	w->pubkey = NULL;
}

int
dkim_signs(const struct m_domain *d)
{
	return d->kind == DOM_MAILBOX || d->kind == DOM_ALIAS;
}

/* OWNER. IN TXT "v=DKIM1; k=rsa; p=..." in strings of at most 255 */
static void
txt_record(struct wtext *t, const char *sel, const char *dom, const char *p)
{
	struct qstr rec = QSTR_INIT(8192);
	size_t off, n;
	int e;

	if ((e = qstr_catf(&rec, "v=DKIM1; k=rsa; p=%s", p)) < 0 && t->e == 0)
		t->e = e;
	wt_catf(t, "%s._domainkey.%s. IN TXT ", sel, dom);
	for (off = 0; off < rec.len; off += n) {
		n = rec.len - off > 255 ? 255 : rec.len - off;
		wt_catf(t, "%s\"%.*s\"", off > 0 ? " " : "", (int)n,
		    rec.buf + off);
	}
	wt_cat(t, "\n");
	qstr_free(&rec);
}

int
write_dkim_text(const struct model *m, const struct wopts *o, struct qstr *s)
{
	const struct dkim_wire *w = o->dkim;
	const struct m_domain *d;
	size_t i, n = 0;
	struct wtext t = { s, 0 };

	if (w == NULL) {
		if (o->dkim_off)
			return qstr_cat(s, "DKIM: off (--no-dkim). The new host "
			    "signs nothing: DMARC for mail from\nthese domains "
			    "rests on SPF alone, which forwarding breaks. Run "
			    "qmail2postfix\nagain without --no-dkim to get an "
			    "OpenDKIM set-up in dkim/.\n");
		return qstr_cat(s, "DKIM: no mailbox or alias domain to sign "
		    "for.\n");
	}
	wt_cat(&t, "DKIM: OpenDKIM signs mail whose From: domain is one of "
	    "these (SigningTable):\n ");
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (dkim_signs(d))
			wt_catf(&t, "%s %s", n++ ? "," : "", d->name);
	}
	wt_catf(&t, "\nwith selector %s and one %d-bit RSA key for all of "
	    "them\n(%s).\n", w->selector, w->bits, w->generated ?
	    "made for this host by this run" : "given with --dkim-key");
	wt_cat(&t, "It signs for SMTP AUTH users (submission, smtps), for "
	    "the clients in\nTrustedHosts (the loopback and the old "
	    "mynetworks) and for local programs\n(sendmail). Mail from "
	    "others is never signed: forwarded mail From: another\ndomain "
	    "(sender.example, say) is not in the SigningTable and keeps its "
	    "own\nsignature untouched (OpenDKIM runs in Mode s: it adds no "
	    "header to mail it\ndoes not sign).\n");
	wt_cat(&t, "Postfix reaches OpenDKIM on inet:127.0.0.1:8891 "
	    "(smtpd_milters,\nnon_smtpd_milters); milter_default_action = "
	    "accept: when OpenDKIM is down,\nmail still flows, unsigned, "
	    "instead of every message (incoming mail too)\nbeing deferred. "
	    "Watch the log for \"milter inet:127.0.0.1:8891:\ncan't "
	    "connect\".\n");
	wt_cat(&t, "\nInstall, as root (apt-get install opendkim), before "
	    "Postfix starts with this\nconfiguration:\n"
	    "  install -d -o opendkim -g opendkim -m 0750 " DKIM_ETC
	    "/keys\n");
	wt_catf(&t, "  install -o opendkim -g opendkim -m 0600 "
	    "dkim/keys/%s.private " DKIM_ETC "/keys/\n", w->selector);
	wt_cat(&t, "  install -m 0644 dkim/KeyTable dkim/SigningTable "
	    "dkim/TrustedHosts " DKIM_ETC "/\n"
	    "  install -m 0644 dkim/opendkim.conf " DKIM_CONF "\n"
	    "  systemctl restart opendkim\n"
	    "(qmail2postfix install copies neither dkim/ nor srs/.)\n");
	wt_catf(&t, "Publish in DNS (dkim/dns-records.txt; cutover-report "
	    "checks them):\n");
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (!dkim_signs(d))
			continue;
		wt_cat(&t, "  ");
		txt_record(&t, w->selector, d->name, w->pubkey);
	}
	if (w->generated)
		wt_cat(&t, "The key is new: publish these records before the "
		    "new host sends mail.\n");
	return t.e;
}

/* TrustedHosts: the loopback and the old host's mynetworks entries */
static void
trusted_hosts(struct wtext *t, const struct model *m)
{
	const char *p = m->climits.mynetworks;
	size_t n;

	wt_cat(t, "# Clients OpenDKIM signs for (InternalHosts), written "
	    "by qmail2postfix\n# " PACKAGE_VERSION ": the loopback (local "
	    "programs, srs-forward) and the old\n# host's relay clients "
	    "(tcprules RELAYCLIENT=\"\": mynetworks). SMTP AUTH\n# users "
	    "are signed for wherever they connect from.\n127.0.0.1\n::1\n"
	    "localhost\n");
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		for (n = 0; p[n] != '\0' && p[n] != ' ' && p[n] != ',' &&
		    p[n] != '\t'; n++)
			;
		if (n > 0 && !(n == 11 && strncmp(p, "127.0.0.0/8", n) == 0) &&
		    !(n == 9 && strncmp(p, "127.0.0.1", n) == 0))
			wt_catf(t, "%.*s\n", (int)n, p);
		p += n;
	}
}

int
write_dkim(const struct model *m, const struct wopts *o)
{
	const struct dkim_wire *w = o->dkim;
	const struct m_domain *d;
	struct qstr kt = QSTR_INIT((size_t)1 << 24),
	    st = QSTR_INIT((size_t)1 << 24), th = QSTR_INIT((size_t)1 << 20),
	    conf = QSTR_INIT((size_t)1 << 16),
	    dns = QSTR_INIT((size_t)1 << 26),
	    readme = QSTR_INIT((size_t)1 << 26), path = QSTR_INIT(4096);
	struct wtext tkt = { &kt, 0 }, tst = { &st, 0 }, tth = { &th, 0 },
	    tconf = { &conf, 0 }, tdns = { &dns, 0 }, tre = { &readme, 0 };
	size_t i;
	int e = 0;

	if (w == NULL)
		return 0;
	wt_cat(&tkt, "# KeyTable (qmail2postfix " PACKAGE_VERSION "): "
	    "SELECTOR._domainkey.DOMAIN DOMAIN:SELECTOR:KEY\n");
	wt_cat(&tst, "# SigningTable (qmail2postfix " PACKAGE_VERSION "), "
	    "refile: mail whose From: is in\n# one of these domains is "
	    "signed; anything else (forwarded mail) is not.\n");
	wt_cat(&tdns, "; DKIM keys of the new host, written by qmail2postfix "
	    PACKAGE_VERSION ".\n; Publish each record in its domain's zone "
	    "before the new host sends mail.\n");
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (!dkim_signs(d))
			continue;
		wt_catf(&tkt, "%s._domainkey.%s %s:%s:" DKIM_ETC
		    "/keys/%s.private\n", w->selector, d->name, d->name,
		    w->selector, w->selector);
		wt_catf(&tst, "*@%s %s._domainkey.%s\n", d->name, w->selector,
		    d->name);
		txt_record(&tdns, w->selector, d->name, w->pubkey);
	}
	trusted_hosts(&tth, m);
	wt_cat(&tconf, "# OpenDKIM for the new host, written by qmail2postfix "
	    PACKAGE_VERSION ".\n# Install as " DKIM_CONF " (Debian's "
	    "opendkim.service reads it); the tables\n# and the key go to "
	    DKIM_ETC " (see README here).\n"
	    "Syslog\t\t\tyes\nSyslogSuccess\t\tyes\n"
	    "# sign only: the old host verified nothing either, and a "
	    "verifier would\n# add headers to mail it does not sign\n"
	    "Mode\t\t\ts\n"
	    "Canonicalization\trelaxed/simple\n"
	    "SignatureAlgorithm\trsa-sha256\n"
	    "OversignHeaders\t\tFrom\n"
	    "# a message it signs loses the DKIM-Signatures it had: a forward "
	    "of our own\n# mail (srs-forward re-injects through sendmail: "
	    "non_smtpd_milters) leaves\n# with one signature of ours, not "
	    "smtpd's and a second one (OpenDKIM\n# has no option to skip mail "
	    "already signed for the domain)\n"
	    "RemoveOldSignatures\tyes\n"
	    "KeyTable\t\tfile:" DKIM_ETC "/KeyTable\n"
	    "SigningTable\t\trefile:" DKIM_ETC "/SigningTable\n"
	    "InternalHosts\t\trefile:" DKIM_ETC "/TrustedHosts\n"
	    "ExternalIgnoreList\trefile:" DKIM_ETC "/TrustedHosts\n"
	    "# Postfix: smtpd_milters = inet:127.0.0.1:8891\n"
	    "Socket\t\t\tinet:8891@127.0.0.1\n"
	    "PidFile\t\t\t/run/opendkim/opendkim.pid\n"
	    "UserID\t\t\topendkim\nUMask\t\t\t007\n");
	wt_cat(&tre, "DKIM signing for the new host (qmail2postfix "
	    PACKAGE_VERSION ")\n\n");
	if ((e = tre.e) < 0 || (e = write_dkim_text(m, o, &readme)) < 0)
		goto out;
	wt_catf(&tre, "\nFiles here: keys/%s.private (the private key, "
	    "0600), KeyTable,\nSigningTable, TrustedHosts, opendkim.conf, "
	    "dns-records.txt.\nPostfix files: main.cf (smtpd_milters, "
	    "non_smtpd_milters, milter_default_action,\nmilter_protocol).\n",
	    w->selector);
	if ((e = tkt.e) < 0 || (e = tst.e) < 0 || (e = tth.e) < 0 ||
	    (e = tconf.e) < 0 || (e = tdns.e) < 0 || (e = tre.e) < 0 ||
	    (e = qstr_catf(&path, "dkim/keys/%s.private", w->selector)) < 0 ||
	    (e = writer_file(o, qstr_str(&path), &w->pem,
	    QPM_MODE_SECRET)) < 0 ||
	    (e = writer_file(o, "dkim/KeyTable", &kt, QPM_MODE_PUBLIC)) < 0 ||
	    (e = writer_file(o, "dkim/SigningTable", &st,
	    QPM_MODE_PUBLIC)) < 0 ||
	    (e = writer_file(o, "dkim/TrustedHosts", &th,
	    QPM_MODE_PUBLIC)) < 0 ||
	    (e = writer_file(o, "dkim/opendkim.conf", &conf,
	    QPM_MODE_PUBLIC)) < 0 ||
	    (e = writer_file(o, "dkim/dns-records.txt", &dns,
	    QPM_MODE_PUBLIC)) < 0)
		goto out;
	e = writer_file(o, "dkim/README", &readme, QPM_MODE_PUBLIC);
out:
	qstr_free(&kt);
	qstr_free(&st);
	qstr_free(&th);
	qstr_free(&conf);
	qstr_free(&dns);
	qstr_free(&readme);
	qstr_free(&path);
	return e;
}
