/*
 * NAME		forward - what the final receiver sees when we forward
 * DOES		ar_evaluate at the old host; per signature, what survives
 *		(and a re-verification with a footer appended); per mode
 *		the envelope sender (SRS through srs/srs.h), SPF for the new
 *		host, DMARC from the surviving identifiers
 * NEVER	assumes a body change keeps DKIM valid, hides a mode that
 *		does not apply (it says why)
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/core/forward.h"
#include "mail/addr.h"
#include "mail/json.h"
#include "srs/srs.h"
#include "util/err.h"
#include "util/limits.h"

#define FWD_FOOTER	"\r\n-- \r\nForwarded by the new mail host.\r\n"

const char *
fwd_mode_str(enum fwd_mode m)
{
	switch (m) {
	case FWD_PLAIN:
		return "plain";
	case FWD_REWRITE:
		return "rewrite";
	case FWD_SRS:
		return "srs";
	}
	return "unknown";
}

static char *
trimmed_dup(const char *p, size_t n)
{
	char *d;

	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		p++;
		n -= 2;
	}
	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static int
is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* The first IP in "[...]" or "(...)" groups of v; NULL when none. */
static char *
find_ip(const char *v, size_t n)
{
	char buf[64];
	size_t i, j, len;

	for (i = 0; i < n; i++) {
		if (v[i] != '[' && v[i] != '(')
			continue;
		for (j = i + 1; j < n && v[j] != ']' && v[j] != ')' &&
		    v[j] != '[' && v[j] != '(' && j - i < sizeof(buf); j++)
			;
		if (j >= n || (v[j] != ']' && v[j] != ')'))
			continue;
		len = j - i - 1;
		if (len >= sizeof(buf))
			continue;
		memcpy(buf, v + i + 1, len);
		buf[len] = '\0';
		if (strncasecmp(buf, "IPv6:", 5) == 0)
			memmove(buf, buf + 5, strlen(buf + 5) + 1);
		if (is_ip(buf))
			return strdup(buf);
	}
	return NULL;
}

static char *
word_after(const char *v, size_t n, const char *key)
{
	size_t k = strlen(key), i, j;

	for (i = 0; i + k <= n; i++) {
		if (strncasecmp(v + i, key, k) != 0)
			continue;
		i += k;
		while (i < n && isspace((unsigned char)v[i]))
			i++;
		for (j = i; j < n && !isspace((unsigned char)v[j]) &&
		    v[j] != ')' && v[j] != '(' && v[j] != ';'; j++)
			;
		if (j > i)
			return trimmed_dup(v + i, j - i);
		return NULL;
	}
	return NULL;
}

int
fwd_guess_origin(const struct hdr_msg *m, char **ip, char **helo,
    char **mailfrom)
{
	const struct hdr_field *f;
	size_t i;

	*ip = *helo = *mailfrom = NULL;
	if ((f = hdr_get(m, "Return-Path", 0)) != NULL &&
	    (*mailfrom = trimmed_dup(f->value, f->valuelen)) == NULL)
		return QPM_ENOMEM;
	for (i = 0; (f = hdr_get(m, "Received", i)) != NULL; i++) {
		char *name;

		/* "(qmail 123 invoked from network)" names no client */
		if ((name = word_after(f->value, f->valuelen, "from ")) ==
		    NULL || strstr(name, "network") != NULL) {
			free(name);
			continue;
		}
		if (f->valuelen > 7 && strncmp(f->value, " (qmail", 7) == 0) {
			free(name);
			continue;
		}
		*ip = find_ip(f->value, f->valuelen);
		*helo = word_after(f->value, f->valuelen, "(HELO ");
		if (*helo == NULL && strcmp(name, "unknown") != 0) {
			*helo = name;		/* Postfix: "from HELO (...)" */
			name = NULL;
		}
		free(name);
		break;
	}
	return 0;
}

static int
srs_address(const struct fwd_input *in, const char *sender, char **out,
    char **note)
{
	struct srs *srs;
	char buf[SRS_OUT_MAX];
	enum srs_reason why = SRS_WHY_NONE;
	static const char throwaway[] = "prediction only: any secret gives "
	    "the same SPF result";
	int rc = 0;

	*out = *note = NULL;
	if (*sender == '\0') {
		*out = strdup("");
		*note = strdup("null sender stays null");
		return *out && *note ? 0 : QPM_ENOMEM;
	}
	if ((srs = srs_new()) == NULL)
		return QPM_ENOMEM;
	if (in->clock != NULL)
		srs->clock = *in->clock;
	if (in->srs_secret_file != NULL)
		rc = srs_load_secrets(srs, in->srs_secret_file);
	else
		rc = srs_add_secret(srs, throwaway, sizeof(throwaway) - 1);
	if (rc >= 0)
		rc = srs_add_domain(srs, in->srs_domain);
	if (rc < 0)
		goto out;
	switch (srs_forward(srs, sender, strlen(sender), buf, sizeof(buf),
	    &why)) {
	case SRS_REWRITTEN:
		*out = strdup(buf);
		*note = strdup(in->srs_secret_file ? "SRS0 address (srs "
		    "codec, real secret)" : "SRS0 address (srs codec; the hash "
		    "is from a throwaway secret, the domain is what SPF uses)");
		break;
	case SRS_NOT_APPLICABLE:
		*out = strdup(sender);
		*note = strdup(srs_reason_text(why));
		break;
	case SRS_ERROR:
		rc = QPM_EIO;
		goto out;
	}
	if (*out == NULL || *note == NULL)
		rc = QPM_ENOMEM;
out:
	srs_free(srs);
	return rc;
}

static const char *
outcome(const struct fwd_outcome *o)
{
	switch (o->dmarc.result) {
	case DMARC_R_PASS:
		return "delivered";
	case DMARC_R_FAIL:
		switch (o->dmarc.policy) {
		case DMARC_P_REJECT:
			return "rejected";
		case DMARC_P_QUARANTINE:
			return "quarantined";
		case DMARC_P_NONE:
			break;
		}
		break;
	case DMARC_R_TEMPERROR:
		return "temporary failure";
	case DMARC_R_NONE:
	case DMARC_R_PERMERROR:
		break;
	}
	if (o->spf.result == SPF_R_FAIL && o->dkim != DKIMCHECK_PASS)
		return "at risk";	/* many receivers reject SPF -all fails */
	return "delivered";
}

static int
sig_analysis(struct ar_ctx *ctx, const struct fwd_input *in,
    struct fwd_report *r, const struct hdr_msg *m)
{
	const struct ar_report *o = &r->original;
	struct qstr withf = QSTR_INIT(QPM_MAX_MESSAGE + 256);
	struct hdr_msg mf;
	struct dkimcheck_report rf;
	unsigned q = 0;
	size_t i, j;
	int rc, temp;
	char *org_from = NULL, *org_d;

	memset(&rf, 0, sizeof(rf));
	if (o->dkim.n == 0)
		return 0;
	if ((r->sig = calloc(o->dkim.n, sizeof(*r->sig))) == NULL)
		return QPM_ENOMEM;
	/* the same message with a footer, verified again */
	if ((rc = qstr_catn(&withf, in->msg, in->len)) < 0 ||
	    (rc = qstr_cat(&withf, FWD_FOOTER)) < 0 ||
	    (rc = hdr_parse(withf.buf, withf.len, &mf)) < 0)
		goto out;
	rc = dkimcheck_verify(ar_ctx_dkim(ctx), &mf, &rf);
	hdr_free(&mf);
	if (rc < 0)
		goto out;
	if (r->from_domain != NULL)
		org_from = dmarc_org_domain(ar_ctx_dmarc(ctx), DMARC_RFC9989,
		    r->from_domain, &q, &temp);
	for (i = 0; i < o->dkim.n; i++) {
		const struct dkimcheck_sig *s = &o->dkim.sig[i];
		struct fwd_sig *fs = &r->sig[r->nsig];

		if ((fs->d = strdup(s->d)) == NULL ||
		    (fs->s = strdup(s->s)) == NULL ||
		    (fs->a = strdup(s->a ? s->a : "")) == NULL) {
			free(fs->d);
			free(fs->s);
			rc = QPM_ENOMEM;
			goto out;
		}
		r->nsig++;
		fs->now = s->result;
		fs->survives = s->result == DKIMCHECK_PASS;
		fs->l_used = s->l >= 0;
		fs->with_footer = 0;
		for (j = 0; j < rf.n; j++)
			if (rf.sig[j].b != NULL && s->b != NULL &&
			    strcmp(rf.sig[j].b, s->b) == 0)
				fs->with_footer = rf.sig[j].result ==
				    DKIMCHECK_PASS;
		if (!fs->l_used)
			fs->breaks |= FWD_BREAK_FOOTER;
		if ((m->flags & HDR_F_BODY_8BIT) && !(fs->l_used && s->l == 0))
			fs->breaks |= FWD_BREAK_8BIT;
		if (m->flags & HDR_F_BODY_LONG_LINE)
			fs->breaks |= FWD_BREAK_LONG_LINE;
		if (dkimcheck_signs_header(s, "Subject"))
			fs->breaks |= FWD_BREAK_SUBJECT;
		if (dkimcheck_signs_header(s, "Content-Transfer-Encoding") ||
		    dkimcheck_signs_header(s, "Content-Type"))
			fs->breaks |= FWD_BREAK_MIME_HDR;
		if (s->c == NULL || strncmp(s->c, "simple", 6) == 0)
			fs->breaks |= FWD_BREAK_REFOLD;
		if (r->from_domain != NULL) {
			if (strcasecmp(s->d, r->from_domain) == 0)
				fs->aligned = 1;
			else if (org_from != NULL && (org_d = dmarc_org_domain(
			    ar_ctx_dmarc(ctx), DMARC_RFC9989, s->d, &q,
			    &temp)) != NULL) {
				fs->aligned = strcmp(org_d, org_from) == 0;
				free(org_d);
			}
		}
	}
	rc = 0;
out:
	free(org_from);
	dkimcheck_report_free(&rf);
	qstr_free(&withf);
	return rc;
}

static int
predict_mode(struct ar_ctx *ctx, const struct fwd_input *in,
    struct fwd_report *r, enum fwd_mode mode, const char *rcpt)
{
	struct fwd_outcome *o = &r->out[mode - 1];
	const char *orig = r->original.mailfrom;
	struct dmarc_ident *idents = NULL;
	struct dmarc_in din;
	int *pass = NULL, rc = 0;
	size_t i;

	o->mode = mode;
	switch (mode) {
	case FWD_PLAIN:
		o->mailfrom = strdup(orig);
		o->note = strdup("envelope sender kept (.qmail \"&address\")");
		break;
	case FWD_REWRITE:
		if (*orig == '\0') {
			o->mailfrom = strdup("");
			o->note = strdup("null sender stays null");
		} else if (rcpt != NULL) {
			o->mailfrom = strdup(rcpt);
			o->note = strdup("sender rewritten to the forwarding "
			    "user (qmail-inject -f); bounces go to that user");
		} else {
			o->mailfrom = strdup(orig);
			o->note = strdup("no forwarding user known (--rcpt, "
			    "Delivered-To:): sender kept");
		}
		break;
	case FWD_SRS:
		rc = srs_address(in, orig, &o->mailfrom, &o->note);
		break;
	}
	if (rc < 0)
		return rc;
	if (o->mailfrom == NULL || o->note == NULL)
		return QPM_ENOMEM;
	if ((rc = spf_check(ar_ctx_spf(ctx), in->via_ip, in->via_helo,
	    o->mailfrom, SPF_ID_MAILFROM, &o->spf)) < 0)
		return rc;
	o->dkim = DKIMCHECK_NONE;
	if (r->nsig > 0) {
		o->dkim = DKIMCHECK_FAIL;
		for (i = 0; i < r->nsig; i++)
			if (r->sig[i].survives)
				o->dkim = DKIMCHECK_PASS;
	}
	if ((idents = calloc(r->original.dkim.n + 1, sizeof(*idents))) ==
	    NULL || (pass = calloc(r->original.dkim.n + 1, sizeof(int))) ==
	    NULL) {
		rc = QPM_ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nsig; i++)
		pass[i] = r->sig[i].survives;
	ar_dmarc_input(&r->original, &o->spf, idents, pass, &din);
	if ((rc = dmarc_eval(ar_ctx_dmarc(ctx), DMARC_RFC9989, &din,
	    &o->dmarc)) < 0 || (rc = dmarc_eval(ar_ctx_dmarc(ctx),
	    DMARC_RFC7489, &din, &o->dmarc7489)) < 0)
		goto out;
	o->outcome = outcome(o);
out:
	free(idents);
	free(pass);
	return rc;
}

int
fwd_predict(struct ar_ctx *ctx, const struct fwd_input *in,
    struct fwd_report *out)
{
	struct hdr_msg m;
	struct ar_input ai;
	const struct hdr_field *f;
	char *gip = NULL, *ghelo = NULL, *gfrom = NULL, *rcpt = NULL;
	char line[256];
	size_t i;
	int rc, any_aligned = 0;

	memset(out, 0, sizeof(*out));
	if (in->via_ip == NULL || in->srs_domain == NULL)
		return QPM_EINVAL;
	if ((rc = hdr_parse(in->msg, in->len, &m)) < 0)
		return rc;
	if ((rc = fwd_guess_origin(&m, &gip, &ghelo, &gfrom)) < 0)
		goto out;
	memset(&ai, 0, sizeof(ai));
	ai.ip = in->ip ? in->ip : gip;
	ai.helo = in->helo ? in->helo : ghelo;
	ai.mailfrom = in->mailfrom ? in->mailfrom : gfrom ? gfrom : "";
	ai.msg = in->msg;
	ai.len = in->len;
	if (ai.ip == NULL) {
		rc = QPM_EINVAL;
		goto out;
	}
	if ((rc = ar_evaluate(ctx, &ai, &out->original)) < 0)
		goto out;
	if (out->original.nauthor > 0 &&
	    (out->from_domain = strdup(out->original.author[0])) == NULL) {
		rc = QPM_ENOMEM;
		goto out;
	}
	if (in->rcpt != NULL)
		rcpt = strdup(in->rcpt);
	else if ((f = hdr_get(&m, "Delivered-To", 0)) != NULL)
		rcpt = trimmed_dup(f->value, f->valuelen);
	if ((rc = sig_analysis(ctx, in, out, &m)) < 0)
		goto out;
	for (i = FWD_PLAIN; i <= FWD_SRS; i++)
		if ((rc = predict_mode(ctx, in, out, (enum fwd_mode)i, rcpt)) <
		    0)
			goto out;

	/* what to tell the admin */
	for (i = 0; i < out->nsig; i++) {
		const struct fwd_sig *s = &out->sig[i];

		if (s->survives && s->aligned)
			any_aligned = 1;
		if (!s->survives)
			continue;
		if ((s->breaks & FWD_BREAK_FOOTER) && !s->with_footer) {
			(void)qpm_snprintf(line, sizeof(line), "d=%s s=%s "
			    "breaks if the forwarder adds a footer or "
			    "disclaimer (body hash)", s->d, s->s);
			if ((rc = ar_warn(&out->warnings,
			    &out->nwarnings, line)) < 0)
				goto out;
		}
		if (s->l_used && s->with_footer) {
			(void)qpm_snprintf(line, sizeof(line), "d=%s s=%s "
			    "uses l=: a footer keeps it valid but is unsigned "
			    "content", s->d, s->s);
			if ((rc = ar_warn(&out->warnings,
			    &out->nwarnings, line)) < 0)
				goto out;
		}
		if (s->breaks & FWD_BREAK_8BIT) {
			(void)qpm_snprintf(line, sizeof(line), "d=%s s=%s: "
			    "8-bit body; a hop without 8BITMIME makes Postfix "
			    "convert it to quoted-printable, which breaks the "
			    "signature", s->d, s->s);
			if ((rc = ar_warn(&out->warnings,
			    &out->nwarnings, line)) < 0)
				goto out;
		}
		if (s->breaks & FWD_BREAK_SUBJECT) {
			(void)qpm_snprintf(line, sizeof(line), "d=%s s=%s "
			    "signs Subject: do not tag forwarded subjects",
			    s->d, s->s);
			if ((rc = ar_warn(&out->warnings,
			    &out->nwarnings, line)) < 0)
				goto out;
		}
		if (s->breaks & FWD_BREAK_REFOLD) {
			(void)qpm_snprintf(line, sizeof(line), "d=%s s=%s uses "
			    "simple header canonicalization: any header "
			    "refolding breaks it", s->d, s->s);
			if ((rc = ar_warn(&out->warnings,
			    &out->nwarnings, line)) < 0)
				goto out;
		}
	}
	if (out->from_domain != NULL && !any_aligned &&
	    out->original.dmarc.result != DMARC_R_NONE &&
	    (rc = ar_warn(&out->warnings, &out->nwarnings, "no surviving "
	    "DKIM signature aligns with From:; after forwarding DMARC can "
	    "pass only through SPF of the envelope sender, which rewriting "
	    "takes away")) < 0)
		goto out;
	if (out->out[FWD_PLAIN - 1].spf.result != SPF_R_PASS &&
	    *out->original.mailfrom != '\0' &&
	    (rc = ar_warn(&out->warnings, &out->nwarnings, "plain "
	    "forwarding: the sender's SPF does not authorize the new host; "
	    "use SRS")) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fwd_report_free(out);
	free(gip);
	free(ghelo);
	free(gfrom);
	free(rcpt);
	hdr_free(&m);
	return rc;
}

void
fwd_report_free(struct fwd_report *r)
{
	size_t i;

	ar_report_free(&r->original);
	free(r->from_domain);
	for (i = 0; i < r->nsig; i++) {
		free(r->sig[i].d);
		free(r->sig[i].s);
		free(r->sig[i].a);
	}
	free(r->sig);
	for (i = 0; i < FWD_NMODES; i++) {
		free(r->out[i].mailfrom);
		free(r->out[i].note);
		spf_result_free(&r->out[i].spf);
		dmarc_result_free(&r->out[i].dmarc);
		dmarc_result_free(&r->out[i].dmarc7489);
	}
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

static int
cat_breaks(struct qstr *q, unsigned b)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ FWD_BREAK_FOOTER, "footer" },
		{ FWD_BREAK_8BIT, "8bitmime-downgrade" },
		{ FWD_BREAK_SUBJECT, "subject-rewrite" },
		{ FWD_BREAK_REFOLD, "header-refold" },
		{ FWD_BREAK_MIME_HDR, "mime-header-rewrite" },
		{ FWD_BREAK_LONG_LINE, "long-line-reencode" },
	};
	size_t i;
	int rc = 0, first = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && rc == 0; i++)
		if (b & names[i].bit) {
			rc = qstr_catf(q, "%s%s", first ? "" : ",",
			    names[i].name);
			first = 0;
		}
	if (rc == 0 && first)
		rc = qstr_cat(q, "nothing known");
	return rc;
}

int
fwd_format(const struct fwd_report *r, struct qstr *q)
{
	const struct ar_report *o = &r->original;
	size_t i;
	int rc;

#define CK(x)	do { if ((rc = (x)) < 0) return rc; } while (0)
	CK(qstr_catf(q, "At the old host (client %s, HELO %s, MAIL FROM <%s>):"
	    "\n  spf=%s dkim=%s dmarc=%s (rfc7489=%s) header.from=%s\n",
	    o->ip, *o->helo ? o->helo : "-", o->mailfrom,
	    spf_res_str(o->spf_mailfrom.result),
	    o->dkim.n == 0 ? "none" : dkimcheck_res_str(o->dkim.sig[0].result),
	    dmarc_res_str(o->dmarc.result), dmarc_res_str(o->dmarc7489.result),
	    r->from_domain ? r->from_domain : "-"));
	CK(qstr_cat(q, "DKIM signatures:\n"));
	if (r->nsig == 0)
		CK(qstr_cat(q, "  none\n"));
	for (i = 0; i < r->nsig; i++) {
		const struct fwd_sig *s = &r->sig[i];

		CK(qstr_catf(q, "  d=%s s=%s %s: %s now, %s plain forwarding, "
		    "%s a footer, %saligned with From:; breaks with: ", s->d,
		    s->s, s->a, dkimcheck_res_str(s->now), s->survives ?
		    "survives" : "does not survive", s->with_footer ?
		    "survives" : "broken by", s->aligned ? "" : "not "));
		CK(cat_breaks(q, s->breaks));
		CK(qstr_catc(q, '\n'));
	}
	CK(qstr_cat(q, "At the final receiver:\n"));
	CK(qstr_catf(q, "  %-8s %-6s %-9s %-6s %-9s %-10s %-9s %s\n", "mode",
	    "spf", "dkim", "dmarc", "policy", "rfc7489", "outcome",
	    "envelope sender"));
	for (i = 0; i < FWD_NMODES; i++) {
		const struct fwd_outcome *m = &r->out[i];

		CK(qstr_catf(q, "  %-8s %-6s %-9s %-6s %-9s %-10s %-9s <%s>\n",
		    fwd_mode_str(m->mode), spf_res_str(m->spf.result),
		    dkimcheck_res_str(m->dkim), dmarc_res_str(m->dmarc.result),
		    (m->dmarc.result == DMARC_R_FAIL ||
		    m->dmarc.result == DMARC_R_PASS) ?
		    dmarc_policy_str(m->dmarc.policy) : "-",
		    dmarc_res_str(m->dmarc7489.result), m->outcome,
		    m->mailfrom));
		CK(qstr_catf(q, "           %s\n", m->note));
	}
	if (r->nwarnings > 0)
		CK(qstr_cat(q, "Warnings:\n"));
	for (i = 0; i < r->nwarnings; i++)
		CK(qstr_catf(q, "  - %s\n", r->warnings[i]));
	for (i = 0; i < o->nwarnings; i++)
		CK(qstr_catf(q, "  - message: %s\n", o->warnings[i]));
#undef CK
	return 0;
}

json_t *
fwd_json(const struct fwd_report *r)
{
	json_t *o = json_object(), *a, *x, *b;
	size_t i;

	if (o == NULL)
		return NULL;
	qpm_json_set(o, "original", ar_json(&r->original, NULL));
	qpm_json_set_str(o, "from_domain", r->from_domain);
	a = json_array();
	for (i = 0; i < r->nsig; i++) {
		const struct fwd_sig *s = &r->sig[i];
		struct qstr q = QSTR_INIT(256);

		x = json_object();
		qpm_json_set_str(x, "d", s->d);
		qpm_json_set_str(x, "s", s->s);
		qpm_json_set_str(x, "a", s->a);
		qpm_json_set_str(x, "now", dkimcheck_res_str(s->now));
		qpm_json_set_bool(x, "survives", s->survives);
		qpm_json_set_bool(x, "survives_footer", s->with_footer);
		qpm_json_set_bool(x, "aligned", s->aligned);
		qpm_json_set_bool(x, "l_used", s->l_used);
		b = json_array();
		if (cat_breaks(&q, s->breaks) == 0 && s->breaks != 0) {
			char *p = q.buf, *e;

			for (; p != NULL && *p != '\0'; p = e ? e + 1 : NULL) {
				e = strchr(p, ',');
				if (e != NULL)
					*e = '\0';
				qpm_json_append(b, json_string(p));
			}
		}
		qstr_free(&q);
		qpm_json_set(x, "breaks_with", b);
		qpm_json_append(a, x);
	}
	qpm_json_set(o, "signatures", a);
	a = json_array();
	for (i = 0; i < FWD_NMODES; i++) {
		const struct fwd_outcome *m = &r->out[i];

		x = json_object();
		qpm_json_set_str(x, "mode", fwd_mode_str(m->mode));
		qpm_json_set_str(x, "mail_from", m->mailfrom);
		qpm_json_set_str(x, "note", m->note);
		qpm_json_set(x, "spf", ar_json_spf(&m->spf));
		qpm_json_set_str(x, "dkim", dkimcheck_res_str(m->dkim));
		qpm_json_set(x, "dmarc", ar_json_dmarc(&m->dmarc));
		qpm_json_set(x, "dmarc_rfc7489", ar_json_dmarc(&m->dmarc7489));
		qpm_json_set_str(x, "outcome", m->outcome);
		qpm_json_append(a, x);
	}
	qpm_json_set(o, "modes", a);
	a = json_array();
	for (i = 0; i < r->nwarnings; i++)
		qpm_json_append(a, json_string(r->warnings[i]));
	qpm_json_set(o, "warnings", a);
	return o;
}
