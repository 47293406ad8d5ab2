/*
 * NAME		cutover_fwd - forwards, SRS and bounce routing
 * DOES		predicts, per sample sender, what the final receiver makes
 *		of mail the new host forwards (core/forward.h: plain, sender
 *		rewriting, SRS) and judges it against the way this migration
 *		forwards (SRS set up or not); checks the SRS domain (SPF for
 *		the new IP, where its bounces go); checks that forward
 *		targets' domains exist (bounce routing: cutover_bounce.c)
 * NEVER	sends mail; prints an SRS address (the hash would come from a
 *		throwaway secret and change every run)
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "checks/core/forward.h"
#include "checks/cutover/cutover_int.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"

#define CUT_DEFAULT_SENDERS	3	/* hosted domains used without
					 * --sample-sender */

struct sender {
	const char	*name;		/* --sample-sender: domain or file */
	const char	*label;		/* the sender's domain: never a path */
	int		 is_file;
	struct fwd_report rep;
	int		 ok;		/* rep is filled */
	struct fwd_report old;		/* the old host forwarding plainly */
	int		 old_ok;	/* old is filled */
	char		*problem;	/* why there is no prediction */
};

static const char *
last_at(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : NULL;
}

/* ---- SRS ---- */

/* 'SRSDOMAIN. IN TXT "v=spf1 ip4:IP -all"' */
static void
srs_spf_record(struct cut_ctx *c, struct qstr *q)
{
	struct qstr r = QSTR_INIT(512);

	(void)qstr_catf(&r, "v=spf1 %s:%s -all", c->v6 ? "ip6" : "ip4",
	    c->o->ip);
	(void)cut_txt_record(q, c->srs_domain, qstr_str(&r));
	qstr_free(&r);
}

static const char *
srs_fix(struct cut_ctx *c, struct qstr *q)
{
	qstr_reset(q);
	(void)qstr_catf(q, "Set up SRS (srs-map(1), srs-forward(1), "
	    "srs/README.md):\n"
	    "  postconf -e 'recipient_canonical_maps = "
	    "socketmap:inet:127.0.0.1:10003:reverse'\n"
	    "  postconf -e 'recipient_canonical_classes = "
	    "envelope_recipient'\n"
	    "  postconf -e 'sender_dependent_default_transport_maps = "
	    "regexp:${config_directory}/srs_transport'\n"
	    "  master.cf: srsfwd unix - n n - - pipe flags=FRq user=nobody "
	    "argv=/usr/bin/srs-forward -d %s -- ${recipient}\n"
	    "  and publish: ", c->srs_domain);
	srs_spf_record(c, q);
	return qstr_str(q);
}

/* The migration writes the secret into OUT/srs/secret and names where it
 * will be installed; before the install only the first exists. 1 when the
 * OUT copy is there (path and st then describe it). */
static int
srs_secret_in_out(struct cut_ctx *c, struct qstr *path, struct stat *st)
{
	qstr_reset(path);
	if (qstr_catf(path, "%s/srs/secret", c->m->dir) < 0)
		return 0;
	return lstat(qstr_str(path), st) == 0 && S_ISREG(st->st_mode) &&
	    st->st_size > 0;
}

void
cut_check_srs(struct cut_ctx *c)
{
	json_t *o = json_object();
	struct spf_result r;
	struct dns_answer a;
	struct qstr from = QSTR_INIT(512), fix = QSTR_INIT(4096),
	    path = QSTR_INIT(4096);
	char *ev = NULL;
	size_t i, k;
	int to_new = 0, temp = 0;
	struct stat st;

	memset(&r, 0, sizeof(r));
	memset(&a, 0, sizeof(a));
	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "srs", o);
	cj_bool(c, o, "set_up", c->srs_set_up);
	cj_str(c, o, "domain", c->srs_domain);
	cj_str(c, o, "secret_file", c->m->srs_secret_file);
	if (!c->srs_set_up) {
		cut_add(c, FIND_INFO, "srs", c->srs_domain, "srs.off", NULL,
		    NULL, 0, "SRS is not set up (migration.json srs.wired is "
		    "false): forwarded mail keeps the original envelope "
		    "sender; see the forwarding findings");
		goto out;
	}
	/* SRS addresses are in the SRS domain: its SPF must allow us */
	(void)qstr_catf(&from, "postmaster@%s", c->srs_domain);
	trace_begin(c);
	if (spf_check(ar_ctx_spf(c->ar), c->o->ip, c->o->helo,
	    qstr_str(&from), SPF_ID_MAILFROM, &r) < 0) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	/* bounces to SRS addresses must come back here */
	(void)dns_query(&c->dns, c->srs_domain, DNS_T_MX, &a);
	if (a.status == DNS_TEMPFAIL || a.status == DNS_PERMFAIL)
		temp = 1;
	for (i = 0; a.status == DNS_OK && i < a.n; i++) {
		struct dns_answer h;

		if (a.rr[i].type != DNS_T_MX)
			continue;
		memset(&h, 0, sizeof(h));
		(void)dns_query(&c->dns, a.rr[i].text, c->v6 ? DNS_T_AAAA :
		    DNS_T_A, &h);
		if (h.status == DNS_TEMPFAIL)
			temp = 1;
		for (k = 0; h.status == DNS_OK && k < h.n; k++)
			if (strcmp(h.rr[k].text, c->o->ip) == 0)
				to_new = 1;
		dns_answer_free(&h);
	}
	if (a.status == DNS_NODATA) {
		struct dns_answer h;

		memset(&h, 0, sizeof(h));
		(void)dns_query(&c->dns, c->srs_domain, c->v6 ? DNS_T_AAAA :
		    DNS_T_A, &h);
		for (k = 0; h.status == DNS_OK && k < h.n; k++)
			if (strcmp(h.rr[k].text, c->o->ip) == 0)
				to_new = 1;
		if (h.status == DNS_TEMPFAIL)
			temp = 1;
		dns_answer_free(&h);
	}
	ev = trace_take(c);
	cj_str(c, o, "spf", spf_res_str(r.result));
	cj_bool(c, o, "bounces_reach_new_host", to_new);
	if (r.result == SPF_R_PASS)
		cut_add(c, FIND_INFO, "srs", c->srs_domain, "srs.spf", ev, NULL,
		    0, "SRS domain %s authorizes %s in SPF", c->srs_domain,
		    c->o->ip);
	else if (r.result == SPF_R_TEMPERROR)
		cut_add(c, FIND_BLOCKER, "srs", c->srs_domain, "srs.spf", ev,
		    "Make the DNS answer, then run the report again.", 1,
		    "Cannot verify SPF of the SRS domain %s: SPF temperror "
		    "(temporary DNS error)", c->srs_domain);
	else {
		qstr_reset(&fix);
		(void)qstr_cat(&fix, "Publish:\n  ");
		srs_spf_record(c, &fix);
		cut_add(c, FIND_BLOCKER, "srs", c->srs_domain, "srs.spf", ev,
		    qstr_str(&fix), 0, "SPF of the SRS domain %s gives %s for "
		    "%s: every SRS-forwarded message gets that result at the "
		    "next hop", c->srs_domain, cut_spf_words(r.result),
		    c->o->ip);
	}
	if (!to_new) {
		qstr_reset(&fix);
		(void)qstr_catf(&fix, "Publish:\n  %s. IN MX 10 %s.",
		    c->srs_domain, c->o->helo);
		/* a record the migration asks for, like the SPF above */
		cut_add(c, FIND_BLOCKER, "srs", c->srs_domain, "srs.bounces",
		    ev, qstr_str(&fix), temp, "%s: bounces to SRS addresses "
		    "in %s do not reach the new host, so senders never learn "
		    "that a forward failed", temp ? "Cannot verify (temporary "
		    "DNS error)" : "Not routed here", c->srs_domain);
	}
	if (c->m->srs_secret_file != NULL) {
		if (c->m->srs_secret_file[0] == '/')
			(void)qstr_cat(&path, c->m->srs_secret_file);
		else
			(void)qstr_catf(&path, "%s/%s", c->m->dir,
			    c->m->srs_secret_file);
		if ((lstat(qstr_str(&path), &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_size == 0) && srs_secret_in_out(c, &path, &st))
			cut_add(c, FIND_WARNING, "srs", c->srs_domain,
			    "srs.secret-install", qstr_str(&path), "install -m "
			    "600 -o srsfwd OUT/srs/secret SECRET_FILE (the path "
			    "in migration.json's srs.secret_file)", 0, "The SRS "
			    "secret was generated in OUT/srs/secret but is not "
			    "installed at %s yet: srs-forward defers every "
			    "forward until it is", c->m->srs_secret_file);
		else if (lstat(qstr_str(&path), &st) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_size == 0)
			cut_add(c, FIND_BLOCKER, "srs", c->srs_domain,
			    "srs.secret", qstr_str(&path), "Make a secret: "
			    "head -c 18 /dev/urandom | base64 > FILE; chmod "
			    "600 FILE (see srs-map(1))", 0, "The SRS secret "
			    "file is missing or empty: srs-forward defers "
			    "every forward");
		else if ((st.st_mode & 077) != 0)
			cut_add(c, FIND_WARNING, "srs", c->srs_domain,
			    "srs.secret-mode", qstr_str(&path), "chmod 600 "
			    "FILE", 0, "The SRS secret file is readable by "
			    "others (mode %03o): anyone who reads it can forge "
			    "SRS addresses", (unsigned)(st.st_mode & 0777));
	}
out:
	free(ev);
	spf_result_free(&r);
	dns_answer_free(&a);
	qstr_free(&from);
	qstr_free(&fix);
	qstr_free(&path);
}

/* ---- forwards ---- */

static int
read_message(const char *path, struct qstr *q)
{
	return file_read_all(path, QPM_MAX_MESSAGE, 0, q);
}

static void
synth_message(struct qstr *q, const char *dom, const char *rcpt)
{
	(void)qstr_catf(q, "Return-Path: <news@%s>\n"
	    "Delivered-To: %s\n"
	    "From: News <news@%s>\n"
	    "To: %s\n"
	    "Subject: sample message\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 +0000\n"
	    "Message-ID: <sample@%s>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=us-ascii\n"
	    "\n"
	    "A message as this sender's mail arrives, unsigned.\n",
	    dom, rcpt, dom, rcpt, dom);
}

static int
is_file(const char *s)
{
	struct stat st;

	return strchr(s, '/') != NULL || (stat(s, &st) == 0 &&
	    S_ISREG(st.st_mode));
}

static int
bad_outcome(const char *o)
{
	return o != NULL && strcmp(o, "delivered") != 0;
}

static json_t *
outcome_json(struct cut_ctx *c, const struct fwd_outcome *x)
{
	json_t *o = json_object();
	const char *md = x->mailfrom != NULL ? last_at(x->mailfrom) : NULL;

	if (o == NULL) {
		c->err = QPM_ENOMEM;
		return NULL;
	}
	cj_str(c, o, "mode", fwd_mode_str(x->mode));
	cj_str(c, o, "mailfrom_domain", md);
	cj_str(c, o, "spf", spf_res_str(x->spf.result));
	cj_str(c, o, "dkim", dkimcheck_res_str(x->dkim));
	cj_str(c, o, "dmarc", dmarc_res_str(x->dmarc.result));
	cj_str(c, o, "policy", x->dmarc.policy ?
	    dmarc_policy_str(x->dmarc.policy) : NULL);
	cj_str(c, o, "dmarc_rfc7489", dmarc_res_str(x->dmarc7489.result));
	cj_str(c, o, "outcome", x->outcome);
	return o;
}

/* "192.0.2.10 (mail.example.com)" */
static void
old_who_fwd(struct cut_ctx *c, struct qstr *q)
{
	(void)qstr_catf(q, "the old host %s (%s)", c->old_ip,
	    c->old_helo != NULL ? c->old_helo : "?");
}

/* The evidence of one prediction: what the final receiver would see. */
static void
sender_evidence(struct qstr *q, const struct sender *s)
{
	size_t i;

	if (s->is_file)
		(void)qstr_catf(q, "sample message %s, From: domain %s\n",
		    s->name, s->rep.from_domain ? s->rep.from_domain : "-");
	else
		(void)qstr_catf(q, "sample sender %s (unsigned message made "
		    "for this domain), From: domain %s\n", s->name,
		    s->rep.from_domain ? s->rep.from_domain : "-");
	for (i = 0; i < FWD_NMODES; i++) {
		const struct fwd_outcome *x = &s->rep.out[i];

		(void)qstr_catf(q, "%-7s spf=%s dkim=%s dmarc=%s policy=%s -> "
		    "%s\n", fwd_mode_str(x->mode), spf_res_str(x->spf.result),
		    dkimcheck_res_str(x->dkim), dmarc_res_str(x->dmarc.result),
		    x->dmarc.policy ? dmarc_policy_str(x->dmarc.policy) :
		    "-", x->outcome ? x->outcome : "?");
	}
	for (i = 0; i < s->rep.nwarnings; i++)
		(void)qstr_catf(q, "note: %s\n", s->rep.warnings[i]);
	if (q->len > 0 && q->buf[q->len - 1] == '\n')
		q->buf[--q->len] = '\0';
}

/* A prediction a temporary DNS error stopped: a warning and 1; else 0 */
static int
temp_outcome(struct cut_ctx *c, const char *who, const char *ev,
    const char *outcome)
{
	if (outcome == NULL || strcmp(outcome, "temporary failure") != 0)
		return 0;
	cut_add(c, FIND_WARNING, "forward", who, "forward.temperror", ev,
	    "Make the DNS answer, then run the report again.", 1, "Cannot "
	    "predict forwarded mail from %s: temporary DNS error", who);
	return 1;
}

static void
judge_sender(struct cut_ctx *c, const struct sender *s, size_t nremote,
    const char *example)
{
	const struct fwd_outcome *plain = &s->rep.out[FWD_PLAIN - 1];
	const struct fwd_outcome *srs = &s->rep.out[FWD_SRS - 1];
	const struct dmarc_result *orig = &s->rep.original.dmarc;
	enum dmarc_policy pub = orig->result != DMARC_R_NONE ?
	    orig->published : 0;
	const struct fwd_outcome *oldp = &s->old.out[FWD_PLAIN - 1];
	const struct fwd_outcome *cur = c->srs_set_up ? srs : plain;
	struct qstr ev = QSTR_INIT(16384), fix = QSTR_INIT(4096),
	    oev = QSTR_INIT(4096);
	int strict = pub == DMARC_P_REJECT || pub == DMARC_P_QUARANTINE;
	const char *who = s->label;
	int known = 0, same_out = 0, same_spf = 0;

	sender_evidence(&ev, s);
	/* qmail forwarded with the original sender: the old host's view is
	 * its plain forward from its own address */
	if (s->old_ok) {
		(void)qstr_cat(&oev, "forwarding plainly from ");
		old_who_fwd(c, &oev);
		(void)qstr_catf(&oev, ": spf=%s dkim=%s dmarc=%s -> %s",
		    spf_res_str(oldp->spf.result),
		    dkimcheck_res_str(oldp->dkim),
		    dmarc_res_str(oldp->dmarc.result), oldp->outcome ?
		    oldp->outcome : "?");
		known = oldp->outcome != NULL &&
		    strcmp(oldp->outcome, "temporary failure") != 0;
		same_out = known && cur->outcome != NULL &&
		    strcmp(oldp->outcome, cur->outcome) == 0;
		same_spf = oldp->spf.result == cur->spf.result;
	} else
		(void)qstr_cat(&oev, "address unknown");
	if (temp_outcome(c, who, qstr_str(&ev), c->srs_set_up ?
	    srs->outcome : plain->outcome)) {
		/* that warning is the finding for this sender */
	} else if (!c->srs_set_up) {
		if (plain->spf.result == SPF_R_FAIL && (strict ||
		    bad_outcome(plain->outcome)) && !bad_outcome(srs->outcome))
			cut_add(c, FIND_BLOCKER, "forward", who,
			    "forward.no-srs", qstr_str(&ev), srs_fix(c, &fix),
			    0, "Forwarded mail from %s (DMARC %s) gets SPF %s "
			    "at the next hop and SRS is not set up: %s (%zu "
			    "forward(s), e.g. %s)", who, pub ?
			    dmarc_policy_str(pub) : "none",
			    cut_spf_words(plain->spf.result),
			    bad_outcome(plain->outcome) ? plain->outcome :
			    "delivered only while its DKIM signature survives, "
			    "refused by receivers that reject SPF fail",
			    nremote, example);
		else if (bad_outcome(plain->outcome) &&
		    bad_outcome(srs->outcome))
			cut_add(c, FIND_WARNING, "forward", who,
			    "forward.dmarc", qstr_str(&ev), srs_fix(c, &fix),
			    0, "Forwarded mail from %s is %s, and would be %s "
			    "with SRS too: no DKIM signature aligned with From: "
			    "survives (%zu forward(s)); with SRS the next "
			    "hop's SPF result is %s (plain: %s)", who,
			    plain->outcome, srs->outcome, nremote,
			    spf_res_str(srs->spf.result),
			    spf_res_str(plain->spf.result));
		else if (plain->spf.result != SPF_R_PASS ||
		    bad_outcome(plain->outcome))
			cut_add(c, FIND_WARNING, "forward", who,
			    "forward.no-srs", qstr_str(&ev), srs_fix(c, &fix),
			    0, "Forwarded mail from %s gets SPF %s at the next "
			    "hop (SRS is not set up): %s (%zu forward(s))",
			    who, cut_spf_words(plain->spf.result),
			    plain->outcome ? plain->outcome : "?", nremote);
		else
			cut_add(c, FIND_INFO, "forward", who, "forward.ok",
			    qstr_str(&ev), NULL, 0, "Forwarded mail from %s "
			    "passes at the next hop even without SRS (%s "
			    "authorizes the new host)", who, who);
	} else {
		if (bad_outcome(srs->outcome))
			cut_add(c, FIND_WARNING, "forward", who,
			    "forward.dmarc", qstr_str(&ev), "Nothing on the "
			    "new host fixes this: SRS cannot align SPF with "
			    "From:. Forward unchanged (no footer, no subject "
			    "tag) so that DKIM survives, or deliver here "
			    "instead of forwarding.", 0, "Forwarded mail from "
			    "%s is %s even with SRS: no DKIM signature aligned "
			    "with From: survives (%zu forward(s))", who,
			    srs->outcome, nremote);
		else
			cut_add(c, FIND_INFO, "forward", who, "forward.ok",
			    qstr_str(&ev), NULL, 0, "Forwarded mail from %s is "
			    "delivered with SRS (spf=%s, dmarc=%s)", who,
			    spf_res_str(srs->spf.result),
			    dmarc_res_str(srs->dmarc.result));
	}
	/* forward.no-srs is about the SPF result, the others about the
	 * outcome alone */
	if (c->f->n > 0)
		cut_vs_old(c, cut_old_cmp(known, same_out && (same_spf ||
		    strcmp(c->f->v[c->f->n - 1].check, "forward.no-srs") !=
		    0)), 0, qstr_str(&oev));
	qstr_free(&ev);
	qstr_free(&fix);
	qstr_free(&oev);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each remote target domain once: does it exist? */
static void
check_targets(struct cut_ctx *c, json_t *fj)
{
	const char **doms = NULL;
	size_t n = 0, cap = 0, i, k, bad = 0;
	json_t *arr = json_array();

	if (arr == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, fj, "target_domains", arr);
	for (i = 0; i < c->m->nforwards; i++)
		for (k = 0; k < c->m->forwards[i].nremote; k++) {
			const char *d = last_at(c->m->forwards[i].remote[k]);

			if (d == NULL || *d == '\0')
				continue;
			if (n == cap) {
				const char **nd;

				cap = cap ? cap * 2 : 64;
				nd = realloc(doms, cap * sizeof(*doms));
				if (nd == NULL) {
					free(doms);
					c->err = QPM_ENOMEM;
					return;
				}
				doms = nd;
			}
			doms[n++] = d;
		}
	if (n > 0)
		qsort(doms, n, sizeof(*doms), cmp_str);
	for (i = 0; i < n && c->err == 0; i++) {
		struct dns_answer a;
		json_t *o;
		char *ev;

		if (i > 0 && strcmp(doms[i], doms[i - 1]) == 0)
			continue;
		memset(&a, 0, sizeof(a));
		trace_begin(c);
		(void)dns_query(&c->dns, doms[i], DNS_T_MX, &a);
		if (a.status == DNS_NODATA) {
			dns_answer_free(&a);
			memset(&a, 0, sizeof(a));
			(void)dns_query(&c->dns, doms[i], DNS_T_A, &a);
		}
		ev = trace_take(c);
		if ((o = json_object()) == NULL) {
			c->err = QPM_ENOMEM;
			free(ev);
			dns_answer_free(&a);
			break;
		}
		cj_str(c, o, "domain", doms[i]);
		cj_str(c, o, "dns", dns_status_str(a.status));
		cj_append(c, arr, o);
		if (a.status == DNS_NXDOMAIN || a.status == DNS_NODATA) {
			bad++;
			cut_add(c, FIND_WARNING, "forward", doms[i],
			    "forward.target-missing", ev, "Ask the users who "
			    "forward there for a current address, or remove the "
			    "forward.", 0, "Forward target domain %s %s: "
			    "mail forwarded there bounces", doms[i],
			    a.status == DNS_NXDOMAIN ? "does not exist" :
			    "has no MX or address record");
			/* the old host forwarded there through the same DNS */
			cut_vs_old(c, FIND_OLD_SAME, 0, "the same DNS: its "
			    "forwards there bounce today");
		} else if (a.status != DNS_OK)
			cut_add(c, FIND_WARNING, "forward", doms[i],
			    "forward.target-temperror", ev, "Make the DNS "
			    "answer, then run the report again.", 1, "Cannot "
			    "verify forward target domain %s: temporary DNS "
			    "error", doms[i]);
		free(ev);
		dns_answer_free(&a);
	}
	free(doms);
	(void)bad;
}

static void
forward_list(struct cut_ctx *c, json_t *fj, const struct sender *snd,
    size_t ns)
{
	json_t *arr = json_array();
	size_t i, k;
	const char *worst_srs = "delivered", *worst_plain = "delivered";

	if (arr == NULL) {
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, fj, "list", arr);
	/* the outcome depends on the sender and the mode only */
	for (k = 0; k < ns; k++) {
		if (!snd[k].ok)
			continue;
		if (bad_outcome(snd[k].rep.out[FWD_PLAIN - 1].outcome))
			worst_plain = snd[k].rep.out[FWD_PLAIN - 1].outcome;
		if (bad_outcome(snd[k].rep.out[FWD_SRS - 1].outcome))
			worst_srs = snd[k].rep.out[FWD_SRS - 1].outcome;
	}
	for (i = 0; i < c->m->nforwards && c->err == 0; i++) {
		const struct cut_forward *f = &c->m->forwards[i];
		json_t *o;
		int srs = c->srs_set_up || f->srs;

		if (f->nremote == 0)
			continue;
		if ((o = json_object()) == NULL) {
			c->err = QPM_ENOMEM;
			return;
		}
		cj_append(c, arr, o);
		cj_str(c, o, "address", f->address);
		cj_set(c, o, "remote_targets", json_array());
		for (k = 0; k < f->nremote; k++)
			cj_append(c, json_object_get(o, "remote_targets"),
			    json_string(f->remote[k]));
		cj_bool(c, o, "keep_copy", f->keep_copy);
		cj_str(c, o, "mode", srs ? "srs" : "plain");
		cj_str(c, o, "worst_outcome", srs ? worst_srs : worst_plain);
		cj_str(c, o, "source", f->source);
	}
}

/* The forwarding user, for qmail-inject -f style rewriting: the first
 * exact address that forwards, else postmaster of the first mailbox
 * domain (or of the HELO name). */
static void
forward_rcpt(struct cut_ctx *c, struct qstr *rcpt)
{
	const struct cut_mig *m = c->m;
	const char *rcpt_dom = NULL;
	size_t i;

	for (i = 0; i < m->nforwards && rcpt->len == 0; i++)
		if (m->forwards[i].nremote > 0 && m->forwards[i].match != NULL
		    && strcmp(m->forwards[i].match, "exact") == 0)
			(void)qstr_cat(rcpt, m->forwards[i].address);
	for (i = 0; i < m->ndomains && rcpt_dom == NULL; i++)
		if (strcmp(m->domains[i].kind, "mailbox") == 0)
			rcpt_dom = m->domains[i].name;
	if (rcpt->len == 0)
		(void)qstr_catf(rcpt, "postmaster@%s", rcpt_dom ? rcpt_dom :
		    c->o->helo);
}

/* The predictions for one sample sender (a domain or a message file):
 * s->rep from the new host, s->old from the old one when it is known;
 * s->ok, or s->problem. */
static void
predict_sender(struct cut_ctx *c, struct sender *s, const char *name,
    const char *rcpt, struct qstr *helo)
{
	struct qstr msg = QSTR_INIT(QPM_MAX_MESSAGE + 1);
	struct fwd_input in;
	int rc;

	s->name = name;
	s->is_file = is_file(name);
	memset(&in, 0, sizeof(in));
	if (s->is_file) {
		rc = read_message(name, &msg);
		if (rc < 0) {
			s->problem = strdup(qpm_strerror(rc));
			qstr_free(&msg);
			return;
		}
	} else {
		synth_message(&msg, name, rcpt);
		/* the original client: a documentation address named in
		 * the sender's domain; only the next hop's view is judged */
		qstr_reset(helo);
		(void)qstr_catf(helo, "out.%s", name);
		in.ip = "192.0.2.1";
		in.helo = qstr_str(helo);
	}
	in.msg = msg.buf;
	in.len = msg.len;
	in.rcpt = rcpt;
	in.via_ip = c->o->ip;
	in.via_helo = c->o->helo;
	in.srs_domain = c->srs_domain;
	in.clock = c->o->clock;
	trace_begin(c);
	rc = fwd_predict(c->ar, &in, &s->rep);
	c->stats->predictions++;
	if (rc == 0 && c->old_ip != NULL) {
		in.via_ip = c->old_ip;
		in.via_helo = c->old_helo != NULL ? c->old_helo : c->old_ip;
		if (fwd_predict(c->ar, &in, &s->old) == 0)
			s->old_ok = 1;
		else {
			fwd_report_free(&s->old);
			memset(&s->old, 0, sizeof(s->old));
		}
		c->stats->predictions++;
	}
	qstr_free(&msg);
	if (rc == 0)
		s->ok = 1;
	else {
		s->problem = strdup(rc == QPM_EINVAL ? "no client IP in the "
		    "message's Received: fields" : qpm_strerror(rc));
		fwd_report_free(&s->rep);
		memset(&s->rep, 0, sizeof(s->rep));
	}
}

/* One sample sender in the report: its entry in sa, a warning when
 * there is no prediction, else the outcomes and judge_sender's
 * findings.  -1 when out of memory. */
static int
sender_json(struct cut_ctx *c, json_t *sa, struct sender *s, size_t nremote,
    const char *example)
{
	json_t *so, *oa;
	size_t k;

	/* a message file is named by its From: domain; the path goes to
	 * the evidence only */
	s->label = !s->is_file ? s->name : s->ok &&
	    s->rep.from_domain != NULL ? s->rep.from_domain :
	    "a sample message";
	if ((so = json_object()) == NULL) {
		c->err = QPM_ENOMEM;
		return -1;
	}
	cj_append(c, sa, so);
	cj_str(c, so, "sender", s->label);
	cj_str(c, so, "kind", s->is_file ? "message" : "domain");
	if (s->is_file)
		cj_str(c, so, "message", s->name);
	if (!s->ok) {
		struct qstr sev = QSTR_INIT(4096);

		cj_str(c, so, "problem", s->problem);
		(void)qstr_catf(&sev, "sample %s %s", s->is_file ?
		    "message" : "sender", s->name);
		cut_add(c, FIND_WARNING, "forward", s->is_file ? "-" :
		    s->name, "forward.sample", qstr_str(&sev), "Give a "
		    "domain or a message file with a Received: field "
		    "naming the client.", 0, "No prediction for %s: %s",
		    s->label, s->problem ? s->problem : "?");
		qstr_free(&sev);
		return 0;
	}
	cj_str(c, so, "from_domain", s->rep.from_domain);
	cj_str(c, so, "dmarc_policy",
	    s->rep.original.dmarc.result != DMARC_R_NONE &&
	    s->rep.original.dmarc.published ?
	    dmarc_policy_str(s->rep.original.dmarc.published) : NULL);
	cj_int(c, so, "dkim_signatures", (long long)s->rep.nsig);
	if ((oa = json_array()) == NULL) {
		c->err = QPM_ENOMEM;
		return -1;
	}
	cj_set(c, so, "outcomes", oa);
	for (k = 0; k < FWD_NMODES; k++)
		cj_append(c, oa, outcome_json(c, &s->rep.out[k]));
	cj_str(c, so, "current", (c->srs_set_up ?
	    &s->rep.out[FWD_SRS - 1] : &s->rep.out[FWD_PLAIN - 1])->outcome);
	judge_sender(c, s, nremote, example);
	return 0;
}

void
cut_check_forwards(struct cut_ctx *c)
{
	const struct cut_mig *m = c->m;
	json_t *fj = json_object(), *sa = json_array();
	struct sender *snd = NULL;
	const char *defaults[CUT_DEFAULT_SENDERS];
	const char *const *names = c->o->senders;
	size_t ns = c->o->nsenders, i, nremote = 0;
	const char *example = NULL;
	struct qstr rcpt = QSTR_INIT(512), helo = QSTR_INIT(512);

	if (fj == NULL || sa == NULL) {
		json_decref(fj);
		json_decref(sa);
		c->err = QPM_ENOMEM;
		return;
	}
	cj_set(c, c->doc, "forwards", fj);
	for (i = 0; i < m->nforwards; i++)
		if (m->forwards[i].nremote > 0) {
			nremote++;
			if (example == NULL)
				example = m->forwards[i].address;
		}
	c->stats->forwards = nremote;
	cj_int(c, fj, "count", (long long)nremote);
	cj_bool(c, fj, "srs_set_up", c->srs_set_up);
	cj_str(c, fj, "mode", c->srs_set_up ? "srs" : "plain");
	cj_set(c, fj, "senders", sa);
	if (nremote == 0) {
		cut_add(c, FIND_INFO, "forward", "-", "forward.none", NULL, NULL,
		    0, "No address forwards mail to another host");
		goto out;
	}
	forward_rcpt(c, &rcpt);
	if (ns == 0) {
		for (i = 0; i < m->ndomains && ns < CUT_DEFAULT_SENDERS; i++)
			if (strcmp(m->domains[i].kind, "mailbox") == 0)
				defaults[ns++] = m->domains[i].name;
		names = defaults;
		cut_add(c, FIND_INFO, "forward", "-", "forward.default-senders",
		    NULL, "cutover-report ... --sample-sender DOMAIN (or a "
		    "message file as received) for each sender your users "
		    "forward mail from, e.g. their bank (DMARC p=reject)", 0,
		    "No --sample-sender given: forwarding predicted for mail "
		    "from the hosted domains only");
	}
	if (ns > 0 && (snd = calloc(ns, sizeof(*snd))) == NULL) {
		c->err = QPM_ENOMEM;
		goto out;
	}
	for (i = 0; i < ns && c->err == 0; i++) {
		predict_sender(c, &snd[i], names[i], qstr_str(&rcpt), &helo);
		if (sender_json(c, sa, &snd[i], nremote, example) < 0)
			break;
	}
	if (c->err == 0)
		forward_list(c, fj, snd, ns);
	if (c->err == 0)
		check_targets(c, fj);
out:
	for (i = 0; snd != NULL && i < ns; i++) {
		if (snd[i].ok)
			fwd_report_free(&snd[i].rep);
		if (snd[i].old_ok)
			fwd_report_free(&snd[i].old);
		free(snd[i].problem);
	}
	free(snd);
	qstr_free(&rcpt);
	qstr_free(&helo);
}
