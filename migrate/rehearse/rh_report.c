/*
 * NAME		rh_report - the SRS checks and the report of a rehearsal
 * DOES		checks what the sink got against SRS (each forward with an
 *		SRS0 sender that srs-map reverses, the bounce back, the
 *		forgery refused, local mail with its sender), then writes
 *		the report: JSON (the rehearsal's "--json") or text
 * NEVER	prints a password, changes a probe's result
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/rehearse/rh_int.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/qstr.h"
#include "util/strlist.h"

/* "PROBE TAB rcpt" (rcpt in lower case) of a sink record, in key */
static int
sink_key(struct qstr *key, long long k, const char *rcpt)
{
	size_t i;

	qstr_reset(key);
	if (qstr_catf(key, "%lld\t%s", k, rcpt) < 0)
		return -1;
	for (i = 0; i < key->len; i++)
		key->buf[i] = (char)tolower((unsigned char)key->buf[i]);
	return 0;
}

/* the sink records by probe and recipient: the first one's sender, for
 * a look-up per forward (not a walk of every record) */
static json_t *
sink_index(struct rh_run *r)
{
	json_t *idx = json_object(), *o;
	struct qstr key = QSTR_INIT(4096);
	const char *from, *rcpt;
	size_t i;

	json_array_foreach(r->sink_recs, i, o) {
		from = qpm_json_opt_str(o, "from");
		rcpt = qpm_json_opt_str(o, "rcpt");
		if (idx == NULL || from == NULL || rcpt == NULL || sink_key(&key,
		    json_integer_value(json_object_get(o, "probe")), rcpt) < 0 ||
		    json_object_get(idx, key.buf) != NULL)
			continue;
		/* old-host bytes: the key unchecked */
		json_object_set_new_nocheck(idx, key.buf, json_string_nocheck(from));
	}
	qstr_free(&key);
	return idx;
}

/* a sink record of probe k (or of no probe: -1) for rcpt; its from; by
 * idx when there is one (k >= 0, any sender) */
static const char *
sink_from(struct rh_run *r, json_t *idx, long long k, const char *rcpt,
    int null_only)
{
	json_t *o;
	size_t i;
	const char *from;

	if (idx != NULL && k >= 0 && !null_only) {
		struct qstr key = QSTR_INIT(4096);

		from = sink_key(&key, k, rcpt) == 0 ?
		    qpm_json_opt_str(idx, key.buf) : NULL;
		qstr_free(&key);
		return from;
	}
	json_array_foreach(r->sink_recs, i, o) {
		from = qpm_json_opt_str(o, "from");
		if (from == NULL || (null_only && *from != '\0'))
			continue;
		if ((k < 0 || json_integer_value(json_object_get(o, "probe")) == k)
		    && strcasecmp(qpm_json_opt_str(o, "rcpt"),
		    rcpt) == 0)
			return from;
	}
	return NULL;
}

/* the bounce went through the srsfwd pipe (the maillog says so) */
static int
srs_bounce_piped(struct rh_run *r)
{
	struct qstr log = QSTR_INIT(RH_MAX_FILE), pat = QSTR_INIT(1024);
	char path[700];
	const char *p, *eol, *hit;
	int found = 0;

	if (rh_path_join(path, sizeof(path), r->tmp, "pf/maillog") < 0 ||
	    file_read_all(path, RH_MAX_FILE, 0, &log) < 0 ||
	    qstr_catf(&pat, " relay=%s,", r->srs_transport) < 0)
		goto out;
	for (p = log.buf; p != NULL && *p != '\0' && !found; p = eol) {
		eol = strchr(p, '\n');
		hit = strstr(p, r->srs_bounce_from);
		if (hit != NULL && (eol == NULL || hit < eol) && hit > p + 4 &&
		    strncmp(hit - 4, "to=<", 4) == 0 &&
		    (hit = strstr(hit, qstr_str(&pat))) != NULL &&
		    (eol == NULL || hit < eol))
			found = 1;
		if (eol != NULL)
			eol++;
	}
out:
	qstr_free(&log);
	qstr_free(&pat);
	return found;
}

static int
srs_is_ours(const struct rh_run *r, const char *a)
{
	size_t al = strlen(a), dl = strlen(r->srs_domain);

	return strncasecmp(a, "SRS0", 4) == 0 && a[4] != '\0' &&
	    strchr("=+-", a[4]) != NULL && al > dl + 1 && a[al - dl - 1] == '@' &&
	    strcasecmp(a + al - dl, r->srs_domain) == 0;
}

static json_t *
srs_row(struct rh_run *r, int ok, const char *why)
{
	json_t *o = json_object();

	qpm_json_set_str(o, "status", ok ? "ok" : "fail");
	if (why != NULL && *why != '\0')
		qpm_json_set_str(o, "why", why);
	if (!ok)
		r->srs_failed++;
	return o;
}

/* the envelope sender of the message that showed pr's result: its
 * batch's when a shared message did, else its own */
static const char *
probe_sender(const struct rh_run *r, const struct rh_probe *pr)
{
	return pr->batch > 0 && !pr->redo && pr->batch <= r->nbatches ?
	    r->batches[pr->batch - 1].sender : pr->sender;
}

/* After rh_collect(), srs-map still running: each forward the model expects
 * reached the sink with an SRS0 sender in our domain that srs-map
 * reverses to the probe's sender; the bounce came back; the forgery was
 * refused with 550; mailbox deliveries kept the sender. */
void
rh_srs_evaluate(struct rh_run *r)
{
	json_t *rep = json_object(), *fw = json_array(), *o, *idx = NULL;
	struct qstr val = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	struct qstr why = QSTR_INIT(4096);
	struct rh_probe *pr;
	const char *from, *target;
	size_t i, k, nrelay = 0;
	int ok, rc;

	r->srs_report = rep;
	qpm_json_set(rep, "rehearsed", json_boolean(r->srs));
	if (!r->srs) {
		qpm_json_set_str(rep, "reason", r->srs_skip);
		json_decref(fw);
		goto out;
	}
	qpm_json_set_str(rep, "domain", r->srs_domain);
	qpm_json_set_str(rep, "forwarder", r->srs_fwd);
	qpm_json_set_str(rep, "srs_map", r->srs_map);
	idx = sink_index(r);
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		if (pr->status == 2)	/* listed as not converted */
			continue;
		for (k = 0; k < pr->want.forwards.n; k++) {
			target = pr->want.forwards.v[k];
			/* relayed (a relay domain's own address), not a
			 * forward: it keeps its sender on purpose */
			if (strcasecmp(target, pr->addr) == 0) {
				nrelay++;
				continue;
			}
			from = sink_from(r, idx, (long long)i, target, 0);
			qstr_reset(&why);
			qstr_reset(&val);
			ok = 0;
			if (from == NULL)
				qstr_catf(&why, "not at the sink%s", pr->queued ?
				    " (still queued)" : "");
			else if (!srs_is_ours(r, from))
				qstr_catf(&why, "envelope sender <%s> is not an SRS0 "
				    "address in %s", from, r->srs_domain);
			else if ((rc = rh_sockmap_query(r->srs_port, "reverse",
			    from, &val)) != 1)
				qstr_catf(&why, "srs-map does not reverse it: %s",
				    rc == 0 ? "not found (hash, age or domain)" :
				    qstr_str(&val));
			else if (strcasecmp(qstr_str(&val), probe_sender(r,
			    pr)) != 0)
				qstr_catf(&why, "reverses to <%s>, not the probe's "
				    "sender <%s>", qstr_str(&val), probe_sender(r,
				    pr));
			else
				ok = 1;
			o = srs_row(r, ok, qstr_str(&why));
			qpm_json_set_str(o, "address", pr->addr);
			qpm_json_set_str(o, "target", target);
			qpm_json_set_str(o, "sender", probe_sender(r, pr));
			qpm_json_set(o, "envelope_sender", from ? json_string(from) :
			    json_null());
			qpm_json_set(o, "reversed", val.len ?
			    json_string(qstr_str(&val)) : json_null());
			qpm_json_append(fw, o);
		}
	}
	qpm_json_set(rep, "forwards", fw);
	qpm_json_set_int(rep, "relayed_not_checked", (long long)nrelay);
	/* the bounce */
	qstr_reset(&why);
	from = r->srs_bounce_sent == 1 ? sink_from(r, NULL, -1,
	    r->srs_bounce_from, 1) : NULL;
	if (r->srs_bounce_sent == 2)
		qstr_catf(&why, "refused: %s", qstr_str(&r->srs_bounce_reply));
	else if (r->srs_bounce_sent != 1)
		qstr_catf(&why, "not sent: %s", qstr_str(&r->srs_bounce_reply));
	else if (from == NULL) {
		qstr_catf(&why, "accepted, but no <> message to <%s> at the sink",
		    r->srs_bounce_from);
		if (srs_bounce_piped(r))
			qstr_catf(&why, "; it went through the %s pipe: "
			    "sender_dependent_default_transport_maps takes the "
			    "null sender for forwarded mail (a loop)",
			    r->srs_transport);
	}
	o = srs_row(r, from != NULL, qstr_str(&why));
	qpm_json_set_str(o, "address", r->srs_bounce_addr);
	qpm_json_set_str(o, "original_sender", r->srs_bounce_from);
	qpm_json_set(o, "delivered_to", from ? json_string(r->srs_bounce_from) :
	    json_null());
	qpm_json_set(rep, "bounce", o);
	/* the forgery */
	ok = strncmp(qstr_str(&r->srs_forged_reply), "550", 3) == 0;
	o = srs_row(r, ok, ok ? NULL : "not refused with 550 at RCPT");
	qpm_json_set_str(o, "address", r->srs_forged);
	qpm_json_set_str(o, "reply", qstr_str(&r->srs_forged_reply));
	qpm_json_set(rep, "forged", o);
	/* local deliveries */
	o = r->local_bad > 0 ? srs_row(r, 0, r->local_bad_ex) : json_object();
	if (r->local_bad == 0)
		qpm_json_set_str(o, "status", r->local_ok > 0 ? "ok" : "none");
	qpm_json_set_int(o, "deliveries", (long long)(r->local_ok + r->local_bad));
	qpm_json_set_int(o, "kept_sender", (long long)r->local_ok);
	qpm_json_set(rep, "local", o);
	qpm_json_set_int(rep, "failed", (long long)r->srs_failed);
out:
	json_decref(idx);
	qstr_free(&val);
	qstr_free(&why);
}

void
rh_srs_text(struct rh_run *r)
{
	json_t *rep = r->srs_report, *o;
	size_t i, n = 0;
	const char *st, *why;

	if (rep == NULL)
		return;
	if (!r->srs) {
		printf("\nSRS: not rehearsed: %s\n", r->srs_skip);
		return;
	}
	printf("\nSRS (%s; %s, srs-map on 127.0.0.1:%d):\n", r->srs_domain,
	    r->srs_fwd, r->srs_port);
	json_array_foreach(json_object_get(rep, "forwards"), i, o) {
		st = qpm_json_opt_str(o, "status");
		why = qpm_json_opt_str(o, "why");
		printf("%-9s forward %s -> %s: %s%s%s\n", strcmp(st, "ok") == 0 ?
		    "ok" : "FAILED", qpm_json_opt_str(o, "address"),
		    qpm_json_opt_str(o, "target"),
		    json_is_string(json_object_get(o, "envelope_sender")) ?
		    qpm_json_opt_str(o, "envelope_sender") :
		    "-", why ? "; " : "", why ? why : "");
		n++;
	}
	o = json_object_get(rep, "bounce");
	why = qpm_json_opt_str(o, "why");
	printf("%-9s bounce <> -> %s: %s\n", strcmp(qpm_json_opt_str(o,
	    "status"), "ok") == 0 ? "ok" : "FAILED",
	    r->srs_bounce_addr, why ? why : r->srs_bounce_from);
	o = json_object_get(rep, "forged");
	printf("%-9s forged %s: %s\n", strcmp(qpm_json_opt_str(o,
	    "status"), "ok") == 0 ? "ok" : "FAILED",
	    r->srs_forged, qstr_str(&r->srs_forged_reply));
	o = json_object_get(rep, "local");
	st = qpm_json_opt_str(o, "status");
	printf("%-9s local: %zu of %zu mailbox deliveries kept the sender%s%s\n",
	    strcmp(st, "fail") == 0 ? "FAILED" : "ok", r->local_ok,
	    r->local_ok + r->local_bad, r->local_bad ? "; " : "",
	    r->local_bad ? r->local_bad_ex : "");
	printf("SRS: %zu forwards, bounce, forgery and local checked; %zu "
	    "failed\n", n, r->srs_failed);
}

/* -------------------------------------------------------------- report */

static json_t *
jlist(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static const char *
login_name(enum rh_login l)
{
	switch (l) {
	case RH_LOGIN_OK:	return "ok";
	case RH_LOGIN_FAIL:	return "fail";
	case RH_LOGIN_ERROR:	return "error";
	}
	return "skipped";
}

static const char *const status_names[] = { "mismatch", "match",
    "not_converted" };

json_t *
rh_report_json(struct rh_run *r, size_t *nmis, size_t *nnc, size_t *nlmis)
{
	json_t *root = json_object(), *mbs = json_array(), *ads = json_array();
	json_t *mis = json_array(), *exp = json_object(), *o, *w;
	struct rh_probe *pr;
	size_t i, checked = 0;
	int p, want;

	*nmis = *nnc = *nlmis = 0;
	for (i = 0; i < r->nlogins; i++) {
		struct rh_login_row *l = &r->logins_v[i];

		o = json_object();
		w = json_object();
		qpm_json_set_str(o, "address", l->addr);
		for (p = 0; p < RH_NPROTO; p++) {
			qpm_json_set_str(o, rh_proto_keys[p], login_name(l->res[p]));
			want = rh_model_login(r->m, l->addr, rh_proto_names[p]);
			qpm_json_set_str(w, rh_proto_keys[p], want == 1 ? "ok" : "fail");
			if (l->res[p] != 0)
				checked++;
			if (l->mismatch & (1 << p)) {
				json_t *x = json_object();
				struct qstr why = QSTR_INIT(8192);

				qstr_catf(&why, "%s: want %s, got %s (%s)", rh_proto_keys[p],
				    want == 1 ? "ok" : "fail", login_name(l->res[p]),
				    l->reply[p] ? l->reply[p] : "");
				qpm_json_set_str(x, "address", l->addr);
				qpm_json_set_str(x, "what", "login");
				qpm_json_set_str(x, "why", qstr_str(&why));
				qpm_json_append(mis, x);
				qstr_free(&why);
				(*nlmis)++;
			}
		}
		qpm_json_set(o, "expected", w);
		qpm_json_append(mbs, o);
	}
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		o = json_object();
		w = json_object();
		qpm_json_set_str(o, "address", pr->addr);
		qpm_json_set_str(o, "outcome", rh_outcome_name(pr->got.outcome));
		qpm_json_set(o, "mailboxes", jlist(&pr->got.mailboxes));
		qpm_json_set(o, "forwards", jlist(&pr->got.forwards));
		qpm_json_set(o, "pipes", jlist(&pr->got.pipes));
		qpm_json_set(o, "pipe_runs", pr->pipe_runs != NULL ?
		    json_incref(pr->pipe_runs) : json_array());
		if (pr->got.detail.len > 0)
			qpm_json_set_str(o, "detail", qstr_str(&pr->got.detail));
		qpm_json_set_str(w, "outcome", rh_outcome_name(pr->want.outcome));
		qpm_json_set(w, "mailboxes", jlist(&pr->want.mailboxes));
		qpm_json_set(w, "forwards", jlist(&pr->want.forwards));
		qpm_json_set(w, "pipes", jlist(&pr->want.pipes));
		if (pr->want.not_converted.n > 0)
			qpm_json_set(w, "not_converted", jlist(&pr->want.not_converted));
		if (pr->want.detail.len > 0)
			qpm_json_set_str(w, "detail", qstr_str(&pr->want.detail));
		qpm_json_set(o, "expected", w);
		qpm_json_set_str(o, "status", status_names[pr->status]);
		if (pr->why.len > 0)
			qpm_json_set_str(o, "why", qstr_str(&pr->why));
		qpm_json_append(ads, o);
		if (pr->status == 0 || (pr->status == 2 && r->strict)) {
			json_t *x = json_object();

			qpm_json_set_str(x, "address", pr->addr);
			qpm_json_set_str(x, "what", pr->status == 0 ? "route" :
			    "not converted");
			qpm_json_set_str(x, "why", pr->why.len ? qstr_str(&pr->why) :
			    pr->want.not_converted.v[0]);
			qpm_json_append(mis, x);
		}
		if (pr->status == 0)
			(*nmis)++;
		else if (pr->status == 2)
			(*nnc)++;
	}
	qpm_json_set_int(exp, "addresses", (long long)r->nprobes);
	qpm_json_set_int(exp, "matched", (long long)(r->nprobes - *nmis - *nnc));
	qpm_json_set_int(exp, "mismatched", (long long)*nmis);
	qpm_json_set_int(exp, "not_converted", (long long)*nnc);
	qpm_json_set_int(exp, "logins", (long long)checked);
	qpm_json_set_int(exp, "login_mismatches", (long long)*nlmis);
	qpm_json_set(exp, "mismatches", mis);
	qpm_json_set(root, "mailboxes", mbs);
	qpm_json_set(root, "addresses", ads);
	qpm_json_set(root, "expected", exp);
	qpm_json_set(root, "notes", jlist(&r->notes));
	return root;
}

/* old-host bytes, control characters escaped */
static void
vis(struct qstr *s, const char *t)
{
	if (t != NULL)
		qstr_cat_vis(s, t, strlen(t), 0);
}

/* Each program q2p-dotqmail ran for the probe: the file and line, the
 * variables qmail-local sets that decide where a program goes (LOCAL,
 * EXT, DEFAULT, USER, HOME) and those of qmail-command(8) the program
 * did not get. */
static void
pipe_runs_text(const struct rh_probe *pr)
{
	static const char *const shown[] = { "RECIPIENT", "LOCAL", "EXT",
	    "DEFAULT", "USER", "HOME" };
	static const char *const all[] = { "SENDER", "NEWSENDER", "RECIPIENT",
	    "USER", "HOME", "HOST", "HOST2", "HOST3", "HOST4", "LOCAL", "EXT",
	    "EXT2", "EXT3", "EXT4", "DTLINE", "RPLINE", "UFLINE" };
	struct qstr s = QSTR_INIT(64 * 1024);
	const json_t *run, *env, *v;
	size_t i, k;

	json_array_foreach(pr->pipe_runs, i, run) {
		env = json_object_get(run, "env");
		qstr_reset(&s);
		qstr_cat(&s, "          pipe ");
		vis(&s, qpm_json_get_str(run, "file"));
		qstr_catf(&s, ":%lld ran with", qpm_json_get_int(run, "line", 0));
		for (k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
			if ((v = json_object_get(env, shown[k])) != NULL) {
				qstr_catf(&s, " %s=", shown[k]);
				vis(&s, json_string_value(v));
			}
		qstr_cat(&s, "; unset:");
		for (k = 0; k < sizeof(all) / sizeof(all[0]); k++)
			if (json_object_get(env, all[k]) == NULL)
				qstr_catf(&s, " %s", all[k]);
		if (s.len > 0 && s.buf[s.len - 1] == ':')
			qstr_cat(&s, " none of qmail-command(8)'s");
		printf("%s\n", qstr_str(&s));
	}
	qstr_free(&s);
}

void
rh_report_text(struct rh_run *r, size_t nmis, size_t nnc, size_t nlmis)
{
	struct qstr s = QSTR_INIT(1024 * 1024);
	struct rh_probe *pr;
	size_t i, nl = 0, ok[RH_NPROTO] = { 0 }, fail[RH_NPROTO] = { 0 };
	size_t skip = 0;
	int p;

	printf("qmail2postfix rehearse %s\n\n", r->out);
	printf("%-9s %-44s %-10s %s\n", "status", "address", "outcome",
	    "where");
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		qstr_reset(&s);
		if (pr->got.mailboxes.n) {
			qstr_cat(&s, "mailboxes=");
			strlist_join(&pr->got.mailboxes, ",", &s);
			qstr_cat(&s, " ");
		}
		if (pr->got.forwards.n) {
			qstr_cat(&s, "forwards=");
			strlist_join(&pr->got.forwards, ",", &s);
			qstr_cat(&s, " ");
		}
		if (pr->got.pipes.n) {
			qstr_cat(&s, "pipes=");
			strlist_join(&pr->got.pipes, ",", &s);
		}
		printf("%-9s %-44s %-10s %s\n", pr->status == 1 ? "ok" :
		    pr->status == 2 ? "listed" : "DIFFERS", pr->addr,
		    rh_outcome_name(pr->got.outcome), qstr_str(&s));
		pipe_runs_text(pr);
		if (pr->status == 0)
			printf("          %s\n", qstr_str(&pr->why));
		if (pr->status == 2)
			printf("          not converted: %s\n",
			    pr->want.not_converted.v[0]);
	}
	for (i = 0; i < r->nlogins; i++) {
		for (p = 0; p < RH_NPROTO; p++) {
			switch (r->logins_v[i].res[p]) {
			case RH_LOGIN_OK: ok[p]++; break;
			case RH_LOGIN_FAIL:
			case RH_LOGIN_ERROR: fail[p]++; break;
			default: skip += p == 0; break;
			}
			if (r->logins_v[i].mismatch & (1 << p)) {
				printf("DIFFERS   login %s %s: got %s (%s)\n",
				    r->logins_v[i].addr, rh_proto_keys[p],
				    login_name(r->logins_v[i].res[p]),
				    r->logins_v[i].reply[p] ? r->logins_v[i].reply[p] : "");
				nl++;
			}
		}
	}
	printf("\nlogins from 127.0.0.1 (webmail): imap %zu ok %zu refused, "
	    "pop3 %zu ok %zu refused, smtp auth %zu ok %zu refused; from "
	    "another address: imap %zu ok %zu refused, pop3 %zu ok %zu "
	    "refused, smtp auth %zu ok %zu refused (smtps %zu ok %zu refused); "
	    "%zu mailboxes without a cleartext password skipped\n", ok[0],
	    fail[0], ok[1], fail[1], ok[2], fail[2], ok[3], fail[3], ok[4],
	    fail[4], ok[5], fail[5], ok[RH_PROTO_SMTPS], fail[RH_PROTO_SMTPS],
	    skip);
	for (i = 0; i < r->notes.n; i++)
		printf("note: %s\n", r->notes.v[i]);
	printf("%zu addresses: %zu as on the old host, %zu differ, %zu depend "
	    "on items listed as not converted; %zu login differences\n",
	    r->nprobes, r->nprobes - nmis - nnc, nmis, nnc, nlmis);
	qstr_free(&s);
}
