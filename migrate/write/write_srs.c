/*
 * NAME		write_srs - OUT/srs: the SRS secret, the srs-map unit and
 *		what to install (srs/README.md, "Postfix wiring")
 * DOES		makes a fresh secret from the kernel's random source
 *		(getrandom, else /dev/urandom), writes it mode 0600 into
 *		OUT/srs/secret only; writes srs-map.service and a README
 *		whose install text the report repeats
 * NEVER	prints the secret, puts it in any other file, or reuses one
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/qstr.h"

/* 264 bits: base64 without padding, 44 characters (srs/README.md asks
 * for 32 or more random bytes) */
#define SRS_SECRET_BYTES	33

int
writer_random(unsigned char *b, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	while (got < n) {
		r = getrandom(b + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return 0;
	/* a kernel without getrandom(2) */
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
		return QPM_EPERM;
	while (got < n) {
		r = read(fd, b + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return got == n ? 0 : QPM_EPERM;
}

/* RFC 4648 section 4; n a multiple of 3, so no padding */
static int
base64(struct qstr *s, const unsigned char *b, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	size_t i;
	unsigned long v;
	int e = 0;

	for (i = 0; i + 2 < n && e == 0; i += 3) {
		v = (unsigned long)b[i] << 16 | (unsigned long)b[i + 1] << 8 |
		    b[i + 2];
		e = qstr_catf(s, "%c%c%c%c", a[v >> 18 & 63], a[v >> 12 & 63],
		    a[v >> 6 & 63], a[v & 63]);
	}
	return e;
}

static int
write_secret(const struct wopts *o)
{
	unsigned char b[SRS_SECRET_BYTES];
	struct qstr s = QSTR_INIT(128);
	int e;

	if ((e = writer_random(b, sizeof(b))) == 0 &&
	    (e = base64(&s, b, sizeof(b))) == 0 &&
	    (e = qstr_catc(&s, '\n')) == 0)
		e = writer_file(o, "srs/secret", &s, QPM_MODE_SECRET);
	explicit_bzero(b, sizeof(b));
	if (s.buf != NULL)
		explicit_bzero(s.buf, s.cap);
	qstr_free(&s);
	return e;
}

static void
dir_of(struct wtext *t, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		wt_cat(t, "/");
	else if (t->e == 0)
		t->e = qstr_catn(t->s, path, (size_t)(slash - path));
}

int
write_srs_text(const struct model *m, const struct wopts *o, struct qstr *s)
{
	const struct srs_wire *w = o->srs;
	const struct m_entry *en;
	const char *host = m->new_hostname ? m->new_hostname : m->me;
	size_t i, nroutes = 0;
	struct wtext t = { s, 0 };

	if (w == NULL) {
		if (o->srs_off)
			return qstr_cat(s, "SRS: off (--no-srs). Forwarded mail "
			    "leaves with the original envelope\nsender, as "
			    "qmail's forwards did: SPF fails at the next hop "
			    "and DMARC\npasses only where an aligned DKIM "
			    "signature survives. Run qmail2postfix\nagain "
			    "without --no-srs to wire srs-forward and "
			    "srs-map.\n");
		return qstr_cat(s, "SRS: NOT wired: the old host has no "
		    "mailbox domain to name the SRS\ndomain after; run "
		    "qmail2postfix again with --srs-domain DOMAIN. Until "
		    "then\nforwarded mail leaves with the original envelope "
		    "sender and fails SPF\nat the next hop.\n");
	}
	wt_catf(&t, "SRS: forwarded mail gets an SRS envelope sender in %s.\n"
	    "Mail from a sender outside this host's domains to another host "
	    "takes the\n%s pipe (master.cf): %s/srs-forward re-injects it "
	    "with an SRS0\nsender, so SPF at the next hop checks %s, which "
	    "is ours.\nBounces to SRS addresses are reversed to the original "
	    "sender by srs-map\n(socketmap on 127.0.0.1:%d); forged or "
	    "expired ones are refused at RCPT.\nOur users' own mail, local "
	    "copies and bounces keep their sender; mail that\nmynetworks "
	    "clients or SMTP AUTH users send with a foreign envelope "
	    "sender\ngets an SRS sender too.\n", w->domain,
	    Q2P_SRS_SERVICE, w->bindir, w->domain, w->port);
	for (i = 0; i < m->entries.n; i++) {
		en = &((const struct m_entry *)m->entries.v)[i];
		if (en->table != TBL_TRANSPORT)
			continue;
		if (nroutes++ == 0)
			wt_cat(&t, "Mail to domains with a transport of their "
			    "own (control/smtproutes) takes\nthat transport "
			    "and keeps its sender (transport_maps wins over "
			    "the\nsender-dependent map):");
		wt_cat(&t, " ");
		wt_vis(&t, en->key, 0);
	}
	if (nroutes > 0)
		wt_cat(&t, "\n");
	wt_cat(&t, "\nInstall, as root, before Postfix starts with this "
	    "configuration:\n");
	wt_catf(&t, "  1. srs-forward and srs-map in %s (make install of "
	    "qmail2postfix).\n", w->bindir);
	wt_catf(&t, "  2. The user that runs them:\n"
	    "       useradd --system --no-create-home --shell /usr/sbin/nologin "
	    "%s\n", Q2P_SRS_SERVICE);
	wt_cat(&t, "  3. The secret, made for this host in srs/secret (mode "
	    "0600, 44 characters,\n     never printed; keep it: the SRS "
	    "addresses it signed reverse for 21 days):\n       install -d "
	    "-m 0755 ");
	dir_of(&t, w->secret);
	wt_catf(&t, "\n       install -o %s -g %s -m 0600 srs/secret %s\n"
	    "     Moving from postsrsd: install /etc/postsrsd.secret there "
	    "instead, so the\n     SRS addresses of mail in flight keep "
	    "reversing.\n", Q2P_SRS_SERVICE, Q2P_SRS_SERVICE, w->secret);
	wt_catf(&t, "  4. srs-map, started before Postfix:\n"
	    "       install -m 0644 srs/srs-map.service /etc/systemd/system/\n"
	    "       systemctl daemon-reload && systemctl enable --now srs-map\n"
	    "     It runs: %s/srs-map -s %s -d %s serve --socketmap "
	    "inet:127.0.0.1:%d --user %s\n", w->bindir, w->secret, w->domain,
	    w->port, Q2P_SRS_SERVICE);
	wt_catf(&t, "  5. DNS for %s (receivers check its SPF; bounces go to "
	    "its MX):\n       %s.  MX   10 %s.\n       %s.  TXT  \"v=spf1 ",
	    w->domain, w->domain, host ? host : "NEW-HOST-NAME", w->domain);
	if (m->new_ip == NULL)
		wt_cat(&t, "ip4:NEW-HOST-ADDRESS");
	else
		wt_catf(&t, "%s:%s", strchr(m->new_ip, ':') ? "ip6" : "ip4",
		    m->new_ip);
	wt_cat(&t, " -all\"\n");
	if (m->new_hostname == NULL || m->new_ip == NULL)
		wt_cat(&t, "     (--hostname and --ip fill in the new host's "
		    "name and address.)\n");
	return t.e;
}

int
write_srs(const struct model *m, const struct wopts *o)
{
	struct qstr readme = QSTR_INIT((size_t)1 << 20),
	    unit = QSTR_INIT((size_t)1 << 16);
	const struct srs_wire *w = o->srs;
	struct wtext t = { &readme, 0 }, tu = { &unit, 0 };
	int e;

	wt_cat(&t, "SRS for forwarded mail (qmail2postfix "
	    PACKAGE_VERSION "; srs/README.md, \"Postfix wiring\")\n\n");
	if ((e = t.e) < 0 || (e = write_srs_text(m, o, &readme)) < 0)
		goto out;
	if (w != NULL) {
		wt_cat(&t, "\nFiles here: secret (the SRS secret, "
		    "0600), srs-map.service (systemd unit).\n"
		    "Postfix files: main.cf (sender_dependent_default_"
		    "transport_maps,\nrecipient_canonical_maps, "
		    "virtual_alias_domains), master.cf (" Q2P_SRS_SERVICE
		    "), srs_transport,\nsrs_reverse.\n");
		wt_catf(&tu, "# srs-map: the SRS socketmap of Postfix "
		    "(recipient_canonical_maps), written by\n# qmail2postfix "
		    PACKAGE_VERSION ". Install as /etc/systemd/system/"
		    "srs-map.service. It reads\n# the secret as root, then "
		    "runs as %s.\n[Unit]\nDescription=SRS socketmap for "
		    "Postfix (srs-map)\nBefore=postfix.service\n\n[Service]\n"
		    "ExecStart=%s/srs-map -s %s -d %s serve --socketmap "
		    "inet:127.0.0.1:%d --user %s\nRestart=always\n\n"
		    "[Install]\nWantedBy=multi-user.target\n", Q2P_SRS_SERVICE,
		    w->bindir, w->secret, w->domain, w->port, Q2P_SRS_SERVICE);
		if ((e = t.e) < 0 || (e = tu.e) < 0 ||
		    (e = write_secret(o)) < 0 ||
		    (e = writer_file(o, "srs/srs-map.service", &unit,
		    QPM_MODE_PUBLIC)) < 0)
			goto out;
	}
	e = writer_file(o, "srs/README", &readme, QPM_MODE_PUBLIC);
out:
	qstr_free(&readme);
	qstr_free(&unit);
	return e;
}
