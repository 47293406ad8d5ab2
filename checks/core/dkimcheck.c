/*
 * NAME		dkimcheck - DKIM verification through libopendkim
 * DOES		feeds the parsed header fields and body to a libopendkim
 *		verify handle; answers its key queries synchronously from
 *		our resolver as DNS wire replies built with libldns; maps
 *		each signature's state to an RFC 8601 result
 * NEVER	lets libopendkim run res_ninit (dkim_dns_set_init(lib, NULL)
 *		before the query service is set: its lazy default init would
 *		replace our handle), passes a TEMPFAIL off as "no key"
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <dkim.h>
#include <ldns/ldns.h>

#include "checks/core/dkimcheck.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

struct dkimcheck {
	DKIM_LIB	*lib;
	const struct dns_resolver *dns;
	const struct qpm_clock *clock;
	unsigned	 queries;
};

/* One synchronous query: done when query_start returns. */
struct dkq {
	size_t		 len;
	int		 error;		/* DNS_TEMPFAIL: report DKIM_DNS_ERROR */
};

/* Wire reply for qname from our parsed answer (RFC 1035 4.1). */
static int
wire_reply(const char *qname, const struct dns_answer *ans,
    unsigned char *buf, size_t buflen, size_t *outlen)
{
	ldns_pkt *p = NULL;
	ldns_rr *rr;
	ldns_rdf *owner, *rdf;
	uint8_t *wire = NULL, chunk[256];
	size_t i, off, n, wlen = 0;
	int rc = QPM_ENOMEM;

	if ((owner = ldns_dname_new_frm_str(qname)) == NULL)
		return QPM_EINVAL;
	if ((p = ldns_pkt_new()) == NULL)
		goto out;
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_pkt_set_rcode(p, ans->status == DNS_NXDOMAIN ?
	    LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR);
	if ((rr = ldns_rr_new()) == NULL)
		goto out;
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(rr, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, rr);
	for (i = 0; ans->status == DNS_OK && i < ans->n; i++) {
		if (ans->rr[i].type != DNS_T_TXT)
			continue;
		if ((rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_TXT)) == NULL)
			goto out;
		/* ldns_rr_new_frm_type made empty rdf slots: start over */
		while (ldns_rr_rd_count(rr) > 0)
			ldns_rdf_deep_free(ldns_rr_pop_rdf(rr));
		ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
		ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
		ldns_rr_set_ttl(rr, ans->rr[i].ttl);
		off = 0;
		do {	/* character-strings of at most 255 bytes */
			n = ans->rr[i].textlen - off;
			if (n > 255)
				n = 255;
			chunk[0] = (uint8_t)n;
			if (n > 0)
				memcpy(chunk + 1, ans->rr[i].text + off, n);
			if ((rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR,
			    n + 1, chunk)) == NULL) {
				ldns_rr_free(rr);
				goto out;
			}
			ldns_rr_push_rdf(rr, rdf);
			off += n;
		} while (off < ans->rr[i].textlen);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	if (ldns_pkt2wire(&wire, p, &wlen) != LDNS_STATUS_OK) {
		rc = QPM_EIO;
		goto out;
	}
	if (wlen > buflen) {
		rc = QPM_ERANGE;
		goto out;
	}
	memcpy(buf, wire, wlen);
	*outlen = wlen;
	rc = 0;
out:
	free(wire);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(owner);
	return rc;
}

static int
dkq_start(void *srv, int type, unsigned char *query, unsigned char *buf,
    size_t buflen, void **qh)
{
	struct dkimcheck *dc = srv;
	struct dns_answer ans;
	struct dkq *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	memset(&ans, 0, sizeof(ans));
	dc->queries++;
	switch (dns_query(dc->dns, (const char *)query, type, &ans)) {
	case DNS_OK:
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		if (wire_reply((const char *)query, &ans, buf, buflen,
		    &q->len) < 0)
			q->error = DNS_TEMPFAIL;
		break;
	case DNS_PERMFAIL:
		/* an empty NOERROR reply: libopendkim says "no key" */
		ans.status = DNS_NODATA;
		if (wire_reply((const char *)query, &ans, buf, buflen,
		    &q->len) < 0)
			q->error = DNS_TEMPFAIL;
		break;
	case DNS_TEMPFAIL:
	default:
		q->error = DNS_TEMPFAIL;
		break;
	}
	dns_answer_free(&ans);
	*qh = q;
	return 0;
}

static int
dkq_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
    int *dnssec)
{
	struct dkq *q = qh;

	(void)srv;
	(void)to;
	if (dnssec != NULL)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (error != NULL)
		*error = 0;
	if (q->error != 0)
		return DKIM_DNS_ERROR;
	*bytes = q->len;
	return DKIM_DNS_SUCCESS;
}

static int
dkq_cancel(void *srv, void *qh)
{
	(void)srv;
	free(qh);
	return 0;
}

struct dkimcheck *
dkimcheck_new(const struct dns_resolver *dns, const struct qpm_clock *clock)
{
	struct dkimcheck *dc;
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES;
	unsigned int minbits = 1024;	/* RFC 8301 3.2 */

	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		return NULL;
	dc->dns = dns;
	dc->clock = clock ? clock : &qpm_clock_system;
	if ((dc->lib = dkim_init(NULL, NULL)) == NULL) {
		free(dc);
		return NULL;
	}
	dkim_dns_set_init(dc->lib, NULL);
	dkim_dns_set_close(dc->lib, NULL);
	(void)dkim_dns_set_query_service(dc->lib, dc);
	dkim_dns_set_query_start(dc->lib, dkq_start);
	dkim_dns_set_query_waitreply(dc->lib, dkq_wait);
	dkim_dns_set_query_cancel(dc->lib, dkq_cancel);
	if (dkim_options(dc->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags)) != DKIM_STAT_OK ||
	    dkim_options(dc->lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS,
	    &minbits, sizeof(minbits)) != DKIM_STAT_OK) {
		dkimcheck_free(dc);
		return NULL;
	}
	return dc;
}

void
dkimcheck_free(struct dkimcheck *dc)
{
	if (dc == NULL)
		return;
	if (dc->lib != NULL)
		dkim_close(dc->lib);
	free(dc);
}

static char *
tag_dup(DKIM_SIGINFO *sig, const char *tag, int strip_ws, int lower)
{
	u_char *v = dkim_sig_gettagvalue(sig, 0, (u_char *)tag);
	char *d, *w;
	const char *r;

	if (v == NULL)
		return NULL;
	if ((d = malloc(strlen((char *)v) + 1)) == NULL)
		return NULL;
	for (r = (const char *)v, w = d; *r != '\0'; r++) {
		char c = *r;

		if (strip_ws && (c == ' ' || c == '\t' || c == '\r' ||
		    c == '\n'))
			continue;
		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		*w++ = c;
	}
	*w = '\0';
	return d;
}

/* Canonical body length (RFC 6376 3.4.3 and 3.4.4), CRLF line ends. */
static long long
canon_body_len(const char *b, size_t len, int relaxed)
{
	long long total = 0, pending = 0, line;
	size_t i = 0, j, e;
	int sp;

	while (i < len) {
		const char *nl = memchr(b + i, '\n', len - i);

		e = nl ? (size_t)(nl - b) : len;
		j = (e > i && b[e - 1] == '\r') ? e - 1 : e;
		line = 0;
		if (relaxed) {
			size_t k, end = j;

			while (end > i && (b[end - 1] == ' ' ||
			    b[end - 1] == '\t'))
				end--;
			for (k = i, sp = 0; k < end; k++) {
				if (b[k] == ' ' || b[k] == '\t') {
					sp = 1;
					continue;
				}
				line += sp + 1;
				sp = 0;
			}
		} else {
			line = (long long)(j - i);
		}
		if (line == 0) {
			pending += 2;		/* maybe a trailing empty line */
		} else {
			total += pending + line + 2;
			pending = 0;
		}
		i = nl ? e + 1 : len;
	}
	if (total == 0 && !relaxed)
		return 2;			/* simple: an empty body is CRLF */
	return total;
}

static const char *
map_error(int err, enum dkimcheck_res *res)
{
	switch (err) {
	case DKIM_SIGERROR_KEYFAIL:
		*res = DKIMCHECK_TEMPERROR;
		return "key lookup failed (DNS error)";
	case DKIM_SIGERROR_NOKEY:
		*res = DKIMCHECK_PERMERROR;
		return "no key published for the selector";
	case DKIM_SIGERROR_KEYREVOKED:
		*res = DKIMCHECK_PERMERROR;
		return "key revoked (empty p=)";
	case DKIM_SIGERROR_KEYTOOSMALL:
		*res = DKIMCHECK_FAIL;
		return "RSA key under 1024 bits (RFC 8301)";
	case DKIM_SIGERROR_BADSIG:
		*res = DKIMCHECK_FAIL;
		return "signature did not verify (header changed?)";
	case DKIM_SIGERROR_TOOLARGE_L:
		*res = DKIMCHECK_FAIL;
		return "l= longer than the body (body cut)";
	case DKIM_SIGERROR_EXPIRED:
		*res = DKIMCHECK_NEUTRAL;
		return "signature expired (x=)";
	case DKIM_SIGERROR_FUTURE:
		*res = DKIMCHECK_NEUTRAL;
		return "signature timestamp in the future";
	case DKIM_SIGERROR_MULTIREPLY:
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
	case DKIM_SIGERROR_NOTEMAILKEY:
	case DKIM_SIGERROR_KEYTYPEMISSING:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYDECODE:
		*res = DKIMCHECK_PERMERROR;
		return NULL;			/* libopendkim's words */
	default:
		*res = DKIMCHECK_NEUTRAL;	/* RFC 8601: syntax errors */
		return NULL;
	}
}

static int
fill_sig(DKIM *dkim, DKIM_SIGINFO *sig, const struct hdr_msg *m,
    struct dkimcheck_sig *o)
{
	unsigned int flags = dkim_sig_getflags(sig), bits = 0;
	int bh = dkim_sig_getbh(sig), err = dkim_sig_geterror(sig);
	const char *why = NULL;
	u_char *v;
	char *bc;
	struct qstr q = QSTR_INIT(512);

	memset(o, 0, sizeof(*o));
	o->l = -1;
	o->d = tag_dup(sig, "d", 1, 1);
	o->s = tag_dup(sig, "s", 1, 0);
	o->a = tag_dup(sig, "a", 1, 1);
	o->b = tag_dup(sig, "b", 1, 0);
	o->c = tag_dup(sig, "c", 1, 1);
	o->h = tag_dup(sig, "h", 1, 1);
	if ((o->i = tag_dup(sig, "i", 1, 0)) == NULL && o->d != NULL &&
	    qstr_catf(&q, "@%s", o->d) == 0) {
		o->i = q.buf;
		q.buf = NULL;
	}
	qstr_free(&q);
	if ((v = dkim_sig_gettagvalue(sig, 0, (u_char *)"l")) != NULL)
		o->l = strtoll((char *)v, NULL, 10);
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		o->keybits = bits;
	bc = o->c ? strchr(o->c, '/') : NULL;
	o->body_len = canon_body_len(m->body, m->bodylen,
	    bc != NULL && strcmp(bc + 1, "relaxed") == 0);
	if (o->l >= 0 && o->l < o->body_len)
		o->l_unsigned = 1;

	if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH) {
		o->result = DKIMCHECK_PASS;
		if (o->a != NULL && strcmp(o->a, "rsa-sha1") == 0) {
			o->result = DKIMCHECK_FAIL;
			why = "rsa-sha1 is not accepted (RFC 8301 3.1)";
		}
	} else if ((flags & DKIM_SIGFLAG_PROCESSED) &&
	    bh == DKIM_SIGBH_MISMATCH && err == DKIM_SIGERROR_OK) {
		o->result = DKIMCHECK_FAIL;
		why = "body hash mismatch (body changed)";
	} else if (err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN) {
		if (flags & DKIM_SIGFLAG_IGNORE) {
			o->result = DKIMCHECK_NEUTRAL;
			why = "signature ignored";
		} else if (bh == DKIM_SIGBH_MISMATCH) {
			o->result = DKIMCHECK_FAIL;
			why = "body hash mismatch (body changed)";
		} else {
			o->result = DKIMCHECK_FAIL;
			why = "signature did not verify";
		}
	} else {
		why = map_error(err, &o->result);
		if (why == NULL)
			why = dkim_sig_geterrorstr(err);
		if (err == DKIM_SIGERROR_BADSIG && bh == DKIM_SIGBH_MISMATCH)
			why = "body hash mismatch (body changed)";
	}
	(void)dkim;
	if (why != NULL && (o->reason = strdup(why)) == NULL)
		return QPM_ENOMEM;
	if (o->d == NULL && (o->d = strdup("")) == NULL)
		return QPM_ENOMEM;
	if (o->s == NULL && (o->s = strdup("")) == NULL)
		return QPM_ENOMEM;
	return 0;
}

static int
crlf_copy(const char *p, size_t n, struct qstr *q)
{
	size_t i;
	int rc;

	qstr_reset(q);
	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r') &&
		    (rc = qstr_catc(q, '\r')) < 0)
			return rc;
		if ((rc = qstr_catc(q, p[i])) < 0)
			return rc;
	}
	return 0;
}

int
dkimcheck_verify(struct dkimcheck *dc, const struct hdr_msg *m,
    struct dkimcheck_report *out)
{
	DKIM *dkim;
	DKIM_STAT st;
	DKIM_SIGINFO **sigs = NULL;
	uint64_t now = (uint64_t)qpm_clock_now(dc->clock);
	int nsigs = 0, rc = 0, i;
	size_t k;
	struct qstr fix = QSTR_INIT(QPM_MAX_HEADER_BLOCK * 2);

	memset(out, 0, sizeof(*out));
	if (dkim_options(dc->lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &now,
	    sizeof(now)) != DKIM_STAT_OK)
		return QPM_EIO;
	dc->queries = 0;
	if ((dkim = dkim_verify(dc->lib, (const u_char *)"authcheck", NULL,
	    &st)) == NULL)
		return st == DKIM_STAT_NORESOURCE ? QPM_ENOMEM : QPM_EIO;
	for (k = 0; k < m->n; k++) {
		const char *raw = m->f[k].raw;
		size_t rawlen = m->f[k].rawlen;

		/* DKIM_LIBFLAGS_FIXCRLF mends the body only: give folded
		 * fields of an LF file their CRLF back (RFC 6376 3.4.2) */
		if ((m->flags & HDR_F_BARE_LF) && memchr(raw, '\n', rawlen)) {
			if ((rc = crlf_copy(raw, rawlen, &fix)) < 0)
				goto out;
			raw = fix.buf;
			rawlen = fix.len;
		}
		st = dkim_header(dkim, (u_char *)raw, rawlen);
		if (st != DKIM_STAT_OK && st != DKIM_STAT_SYNTAX)
			break;
	}
	st = dkim_eoh(dkim);
	if (st == DKIM_STAT_NOSIG)
		goto done;
	if (m->bodylen > 0)
		(void)dkim_body(dkim, (u_char *)m->body, m->bodylen);
	(void)dkim_eom(dkim, NULL);
done:
	if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK)
		nsigs = 0;
	if (nsigs > 0) {
		size_t n = (size_t)nsigs;

		if (n > QPM_DKIM_MAX_SIGS) {
			out->skipped = n - QPM_DKIM_MAX_SIGS;
			n = QPM_DKIM_MAX_SIGS;
		}
		if ((out->sig = calloc(n, sizeof(*out->sig))) == NULL) {
			rc = QPM_ENOMEM;
			goto out;
		}
		for (i = 0; i < (int)n; i++) {
			out->n++;
			if ((rc = fill_sig(dkim, sigs[i], m, &out->sig[i])) < 0)
				goto out;
		}
	}
out:
	qstr_free(&fix);
	out->queries = dc->queries;
	dkim_free(dkim);
	if (rc < 0)
		dkimcheck_report_free(out);
	return rc;
}

void
dkimcheck_report_free(struct dkimcheck_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct dkimcheck_sig *s = &r->sig[i];

		free(s->reason);
		free(s->d);
		free(s->s);
		free(s->i);
		free(s->a);
		free(s->b);
		free(s->c);
		free(s->h);
	}
	free(r->sig);
	memset(r, 0, sizeof(*r));
}

int
dkimcheck_signs_header(const struct dkimcheck_sig *s, const char *name)
{
	const char *p, *e;
	size_t n = strlen(name);

	if (s->h == NULL)
		return 0;
	for (p = s->h; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && strncasecmp(p, name, n) == 0)
			return 1;
	}
	return 0;
}

const char *
dkimcheck_res_str(enum dkimcheck_res r)
{
	switch (r) {
	case DKIMCHECK_NONE:
		return "none";
	case DKIMCHECK_PASS:
		return "pass";
	case DKIMCHECK_FAIL:
		return "fail";
	case DKIMCHECK_POLICY:
		return "policy";
	case DKIMCHECK_NEUTRAL:
		return "neutral";
	case DKIMCHECK_TEMPERROR:
		return "temperror";
	case DKIMCHECK_PERMERROR:
		return "permerror";
	}
	return "permerror";
}
