/*
 * NAME		report_text - the cutover report for a terminal, and JSON
 * DOES		verdict and counts first, then each blocker and warning with
 *		its evidence and fix, the infos in one line each, then the
 *		tables (new host, domains, forwarding, bounces, limits, probes,
 *		rehearsal); every line fits 80 columns (long evidence and fix
 *		lines are folded); ANSI colour only when asked
 * NEVER	prints a byte the document did not make printable
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "checks/cutover/report.h"
#include "mail/json.h"
#include "util/err.h"

#define C_RED		"\033[1;31m"
#define C_YEL		"\033[1;33m"
#define C_DIM		"\033[2m"
#define C_BOLD		"\033[1m"
#define C_OFF		"\033[0m"

struct tx {
	struct qstr	*q;
	int		 color;
	int		 err;
};

static void
put(struct tx *t, const char *s)
{
	if (qstr_cat(t->q, s) < 0)
		t->err = QPM_ENOMEM;
}

static void
putf(struct tx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
putf(struct tx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (qstr_vcatf(t->q, fmt, ap) < 0)
		t->err = QPM_ENOMEM;
	va_end(ap);
}

static void
col(struct tx *t, const char *c)
{
	if (t->color)
		put(t, c);
}

int
report_wrap(struct qstr *out, const char *text, size_t width,
    const char *first, const char *indent)
{
	const char *p = text, *lead = first;
	size_t room, n, w;
	int err = 0;

	while (err == 0) {
		room = width > strlen(lead) ? width - strlen(lead) : 20;
		n = strlen(p);
		err = qstr_cat(out, lead);
		if (n <= room) {
			if (err == 0)
				err = qstr_catn(out, p, n);
			if (err == 0)
				err = qstr_catc(out, '\n');
			break;
		}
		/* the last space that fits, else a hard cut */
		for (w = room; w > 0 && p[w] != ' '; w--)
			;
		if (w == 0)
			w = room;
		if (err == 0)
			err = qstr_catn(out, p, w);
		if (err == 0)
			err = qstr_catc(out, '\n');
		p += w;
		while (*p == ' ')
			p++;
		lead = indent;
		if (*p == '\0')
			break;
	}
	return err;
}

/* One evidence or fix line: word-wrapped, continuation indented more. */
static void
fold(struct tx *t, const char *line, const char *indent)
{
	struct qstr cont = QSTR_INIT(64);

	(void)qstr_catf(&cont, "%s  ", indent);
	if (report_wrap(t->q, line, REPORT_WIDTH, indent, qstr_str(&cont)) < 0)
		t->err = QPM_ENOMEM;
	qstr_free(&cont);
}

static void
lines(struct tx *t, const json_t *arr, const char *indent)
{
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v)
		fold(t, json_string_value(v) ? json_string_value(v) : "",
		    indent);
}

static void
finding(struct tx *t, const json_t *f, size_t no, int full)
{
	const char *sev = qpm_json_get_str(f, "severity");
	struct qstr head = QSTR_INIT(4096), lead = QSTR_INIT(64);
	const json_t *ev = json_object_get(f, "evidence");
	const json_t *fx = json_object_get(f, "fix");

	(void)qstr_catf(&lead, "%c%-3zu ", sev[0] == 'b' ? 'B' :
	    sev[0] == 'w' ? 'W' : 'I', no);
	(void)qstr_catf(&head, "%s %s: %s%s", qpm_json_get_str(f, "section"),
	    qpm_json_get_str(f, "subject"), qpm_json_get_str(f, "title"),
	    json_is_true(json_object_get(f, "temporary")) ?
	    " [temporary error]" : "");
	col(t, sev[0] == 'b' ? C_RED : sev[0] == 'w' ? C_YEL : C_DIM);
	if (report_wrap(t->q, qstr_str(&head), REPORT_WIDTH,
	    qstr_str(&lead), "     ") < 0)
		t->err = QPM_ENOMEM;
	col(t, C_OFF);
	if (full && json_array_size(ev) > 0) {
		put(t, "     evidence:\n");
		lines(t, ev, "       ");
	}
	if (json_array_size(fx) > 0 && (full || sev[0] == 'i')) {
		put(t, "     fix:\n");
		lines(t, fx, "       ");
	}
	qstr_free(&head);
	qstr_free(&lead);
}

static void
rule(struct tx *t, const char *title)
{
	size_t n = strlen(title);

	put(t, "\n");
	col(t, C_BOLD);
	put(t, title);
	col(t, C_OFF);
	put(t, " ");
	while (++n < REPORT_WIDTH)
		put(t, "-");
	put(t, "\n");
}

static void
host_section(struct tx *t, const json_t *h)
{
	const json_t *r, *ptr = json_object_get(h, "ptr");
	size_t i;

	struct qstr l = QSTR_INIT(4096);

	rule(t, "NEW HOST");
	(void)qstr_catf(&l, "address %s, HELO %s, HELO in the generated "
	    "main.cf %s; PTR ", qpm_json_get_str(h, "ip"), qpm_json_get_str(h,
	    "helo"),
	    json_is_string(json_object_get(h, "config_helo")) ?
	    qpm_json_get_str(h, "config_helo") : "(default)");
	if (json_array_size(ptr) == 0)
		(void)qstr_cat(&l, "(none)");
	json_array_foreach(ptr, i, r)
		(void)qstr_catf(&l, "%s%s", i ? ", " : "", json_string_value(r));
	(void)qstr_catf(&l, ", iprev %s, HELO SPF %s", qpm_json_get_str(h,
	    "iprev"),
	    qpm_json_get_str(h, "helo_spf"));
	if (report_wrap(t->q, qstr_str(&l), REPORT_WIDTH, "  ", "  ") < 0)
		t->err = QPM_ENOMEM;
	qstr_free(&l);
	json_array_foreach(json_object_get(h, "receivers"), i, r) {
		struct qstr rl = QSTR_INIT(1024);

		(void)qstr_catf(&rl, "%s: %s - %s", qpm_json_get_str(r,
		    "receiver"),
		    qpm_json_get_str(r, "verdict"), qpm_json_get_str(r, "why"));
		if (report_wrap(t->q, qstr_str(&rl), REPORT_WIDTH, "  ",
		    "      ") < 0)
			t->err = QPM_ENOMEM;
		qstr_free(&rl);
	}
}

static void
domain_section(struct tx *t, const json_t *doms)
{
	const json_t *d;
	size_t i;

	rule(t, "DOMAINS");
	putf(t, "  %-22s %-8s %-9s %-7s %-8s %-11s %s\n", "domain", "MX",
	    "SPF", "lookups", "DKIM", "DMARC", "status");
	json_array_foreach(doms, i, d) {
		const json_t *spf = json_object_get(d, "spf");
		const json_t *mx = json_object_get(d, "mx");
		const json_t *dm = json_object_get(json_object_get(d, "dmarc"),
		    "rfc9989");
		const json_t *dk = json_object_get(d, "dkim"), *k;
		const char *dkim = "-", *mxs;
		char lk[16] = "-", dmarc[32] = "-";
		size_t j;

		json_array_foreach(dk, j, k) {
			if (!json_is_true(json_object_get(k, "signing")))
				continue;
			dkim = json_is_true(json_object_get(k, "matches")) ?
			    "ok" : strcmp(qpm_json_get_str(k, "dns"),
			    "published") == 0 ?
			    "differs" : "missing";
			if (strcmp(dkim, "ok") != 0)
				break;
		}
		mxs = json_is_true(json_object_get(mx, "points_to_new_host")) ?
		    "new" : strcmp(qpm_json_get_str(mx, "status"), "OK") == 0 ||
		    strcmp(qpm_json_get_str(mx, "status"), "ok") == 0 ? "old" :
		    qpm_json_get_str(mx, "status");
		if (spf != NULL)
			(void)qpm_snprintf(lk, sizeof(lk), "%lld/%lld",
			    qpm_json_get_int(spf, "lookups", -1),
			    qpm_json_get_int(spf, "lookup_limit", -1));
		if (dm != NULL)
			(void)qpm_snprintf(dmarc, sizeof(dmarc), "%.6s %.4s",
			    qpm_json_get_str(dm, "result"),
			    json_is_string(json_object_get(
			    dm, "published")) ? qpm_json_get_str(dm,
			    "published") : "");
		putf(t, "  %-22.22s %-8.8s %-9.9s %-7s %-8s %-11.11s %s\n",
		    qpm_json_get_str(d, "name"), mxs,
		    spf ? qpm_json_get_str(spf, "result") : "-", lk,
		    dkim, dmarc, qpm_json_get_str(d, "worst"));
	}
}

static void
forward_section(struct tx *t, const json_t *fw, const json_t *srs)
{
	const json_t *s, *o;
	size_t i, j, n;

	struct qstr ln = QSTR_INIT(4096);

	rule(t, "FORWARDING");
	(void)qstr_catf(&ln, "%lld forward(s) to other hosts; SRS %s (domain "
	    "%s); forwarding now: %s", qpm_json_get_int(fw, "count", -1),
	    json_is_true(json_object_get(srs, "set_up")) ? "set up" :
	    "NOT set up", qpm_json_get_str(srs, "domain"), qpm_json_get_str(fw,
	    "mode"));
	if (report_wrap(t->q, qstr_str(&ln), REPORT_WIDTH, "  ", "  ") < 0)
		t->err = QPM_ENOMEM;
	qstr_free(&ln);
	if (json_array_size(json_object_get(fw, "senders")) == 0)
		return;
	putf(t, "  %-26s %-7s %-12s %-12s %s\n", "sample sender (DMARC)",
	    "", "plain", "rewrite", "srs");
	json_array_foreach(json_object_get(fw, "senders"), i, s) {
		char name[64];
		const char *sn = qpm_json_get_str(s, "sender"),
		    *slash = strrchr(sn, '/');

		(void)qpm_snprintf(name, sizeof(name), "%.17s (%s)",
		    slash != NULL ? slash + 1 : sn,
		    json_is_string(json_object_get(s, "dmarc_policy")) ?
		    qpm_json_get_str(s, "dmarc_policy") : "none");
		putf(t, "  %-26.26s %-7s", name, "result");
		json_array_foreach(json_object_get(s, "outcomes"), j, o)
			putf(t, " %-*.12s", j + 1 < 3 ? 12 : 0,
			    qpm_json_get_str(o, "outcome"));
		if (json_object_get(s, "problem") != NULL)
			putf(t, " %s", qpm_json_get_str(s, "problem"));
		put(t, "\n");
		putf(t, "  %-26s %-7s", "", "spf");
		json_array_foreach(json_object_get(s, "outcomes"), j, o)
			putf(t, " %-*.12s", j + 1 < 3 ? 12 : 0,
			    qpm_json_get_str(o, "spf"));
		put(t, "\n");
		putf(t, "  %-26s %-7s", "", "dmarc");
		json_array_foreach(json_object_get(s, "outcomes"), j, o)
			putf(t, " %-*.12s", j + 1 < 3 ? 12 : 0,
			    qpm_json_get_str(o, "dmarc"));
		put(t, "\n");
	}
	n = json_array_size(json_object_get(fw, "list"));
	json_array_foreach(json_object_get(fw, "list"), i, o) {
		if (i == 10) {
			putf(t, "  ... %zu more (see --format json)\n", n - 10);
			break;
		}
		putf(t, "  %-30.30s -> %-28.28s %s\n", qpm_json_get_str(o,
		    "address"),
		    json_string_value(json_array_get(json_object_get(o,
		    "remote_targets"), 0)) ? json_string_value(json_array_get(
		    json_object_get(o, "remote_targets"), 0)) : "",
		    qpm_json_get_str(o, "mode"));
	}
}

static void
bounce_section(struct tx *t, const json_t *b)
{
	const json_t *r;
	size_t i;

	rule(t, "BOUNCES");
	json_array_foreach(b, i, r) {
		struct qstr l = QSTR_INIT(2048), lead = QSTR_INIT(64);

		(void)qstr_catf(&lead, "  %-3s ", json_is_true(json_object_get(
		    r, "reachable")) ? "ok" : "NO");
		(void)qstr_catf(&l, "%s %s: %s", qpm_json_get_str(r, "role"),
		    json_is_string(json_object_get(r, "domain")) ?
		    qpm_json_get_str(r, "domain") : "", qpm_json_get_str(r,
		    "route"));
		if (report_wrap(t->q, qstr_str(&l), REPORT_WIDTH,
		    qstr_str(&lead), "        ") < 0)
			t->err = QPM_ENOMEM;
		qstr_free(&l);
		qstr_free(&lead);
	}
}

static void
limits_section(struct tx *t, const json_t *l)
{
	const json_t *r;
	size_t i;
	char old[32], rec[32], obs[32];

	rule(t, "LIMITS (before / after)");
	if (strcmp(qpm_json_get_str(l, "form"), "list") == 0) {
		putf(t, "  %-11s %-16s %6s  %s\n", "service", "setting", "new",
		    "old host");
		json_array_foreach(json_object_get(l, "rows"), i, r)
			putf(t, "  %-11.11s %-16.16s %6lld  %.40s\n",
			    qpm_json_get_str(r, "service"), qpm_json_get_str(r,
			    "setting"),
			    qpm_json_get_int(r, "value", -1),
			    qpm_json_get_str(r, "old"));
		return;
	}
	putf(t, "  %-10s %-35s %6s %6s %6s %6s\n", "service", "setting", "old",
	    "new", "peak", "logs");
	json_array_foreach(json_object_get(l, "rows"), i, r) {
		const json_t *ov = json_object_get(r, "old");

		if (json_is_string(ov))
			(void)qpm_snprintf(old, sizeof(old), "%s",
			    json_string_value(ov));
		else if (qpm_json_get_int(r, "old", -1) >= 0)
			(void)qpm_snprintf(old, sizeof(old), "%lld",
			    qpm_json_get_int(r, "old", -1));
		else
			(void)qpm_snprintf(old, sizeof(old), "-");
		(void)qpm_snprintf(obs, sizeof(obs), "%lld", qpm_json_get_int(r,
		    "observed", -1));
		(void)qpm_snprintf(rec, sizeof(rec), "%lld", qpm_json_get_int(r,
		    "recommended", -1));
		putf(t, "  %-10.10s %-35.35s %6.6s %6lld %6s %6s\n",
		    qpm_json_get_str(r, "service"), qpm_json_get_str(r,
		    "setting"), old,
		    qpm_json_get_int(r, "value", -1), qpm_json_get_int(r,
		    "observed", -1) >= 0 ? obs : "-",
		    qpm_json_get_int(r, "recommended", -1) >= 0 ? rec : "-");
	}
	json_array_foreach(json_object_get(l, "series"), i, r)
		putf(t, "  logs: %-10s highest hourly peak %lld, new limit "
		    "%lld, old %lld\n", qpm_json_get_str(r, "service"),
		    qpm_json_get_int(r, "max_peak", -1),
		    qpm_json_get_int(r, "limit", -1), qpm_json_get_int(r,
		    "old_limit", -1));
}

static void
probe_section(struct tx *t, const json_t *p)
{
	const json_t *r;
	size_t i;

	rule(t, "LIVE PROBES");
	json_array_foreach(json_object_get(p, "ports"), i, r)
		putf(t, "  %-10s %5lld %-8s %.48s\n", qpm_json_get_str(r,
		    "service"),
		    qpm_json_get_int(r, "port", -1), qpm_json_get_str(r,
		    "status"), qpm_json_get_str(r, "banner"));
	r = json_object_get(p, "smtp_count");
	if (r != NULL)
		putf(t, "  smtp per-client limit %lld: %s\n",
		    qpm_json_get_int(r, "limit", -1),
		    json_is_true(json_object_get(r, "enforced")) ?
		    "enforced" : "NOT enforced");
}

static void
rehearsal_section(struct tx *t, const json_t *r)
{
	rule(t, "REHEARSAL");
	if (json_object_get(r, "problem") != NULL) {
		putf(t, "  %s\n", qpm_json_get_str(r, "problem"));
		return;
	}
	putf(t, "  %lld addresses: %lld delivered, %lld unconfirmed, %lld not as "
	    "expected\n  %lld mailboxes: %lld IMAP and %lld POP3 logins ok, "
	    "%lld failed, %lld skipped\n", qpm_json_get_int(r, "addresses", -1),
	    qpm_json_get_int(r, "delivered", -1), qpm_json_get_int(r,
	    "unconfirmed", -1), qpm_json_get_int(r, "not_as_expected", -1),
	    qpm_json_get_int(r, "mailboxes", -1), qpm_json_get_int(r, "imap_ok",
	    -1), qpm_json_get_int(r, "pop3_ok", -1),
	    qpm_json_get_int(r, "login_failures", -1), qpm_json_get_int(r,
	    "logins_skipped", -1));
}

int
report_text(const json_t *doc, int color, struct qstr *out)
{
	struct tx t = { out, color, 0 };
	const json_t *f, *cnt = json_object_get(doc, "counts"), *nh;
	const char *verdict = qpm_json_get_str(doc, "verdict");
	size_t i, nb = 0, nw = 0, ni = 0;

	nh = json_object_get(doc, "new_host");
	col(&t, C_BOLD);
	col(&t, strcmp(verdict, "no-go") == 0 ? C_RED : strcmp(verdict,
	    "go") == 0 ? "" : C_YEL);
	putf(&t, "CUTOVER: %s", strcmp(verdict, "no-go") == 0 ? "NO-GO" :
	    strcmp(verdict, "go") == 0 ? "GO" : "GO WITH WARNINGS");
	col(&t, C_OFF);
	putf(&t, "  (%lld blocker(s), %lld warning(s), %lld info)\n",
	    qpm_json_get_int(cnt, "blocker", -1), qpm_json_get_int(cnt,
	    "warning", -1), qpm_json_get_int(cnt, "info", -1));
	{
		struct qstr l = QSTR_INIT(4096);

		(void)qstr_catf(&l, "new host %s, HELO %s; migration %s; DNS "
		    "%s; %lld DNS queries", qpm_json_get_str(nh, "ip"),
		    qpm_json_get_str(nh, "helo"),
		    qpm_json_get_str(doc, "migration"),
		    json_is_string(json_object_get(doc,
		    "dns_server")) ? qpm_json_get_str(doc,
		    "dns_server") : "system",
		    qpm_json_get_int(json_object_get(doc, "dns"), "queries",
		    -1));
		if (report_wrap(out, qstr_str(&l), REPORT_WIDTH, "", "  ") < 0)
			t.err = QPM_ENOMEM;
		qstr_free(&l);
	}
	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		const char *s = qpm_json_get_str(f, "severity");

		if (strcmp(s, "blocker") == 0) {
			if (nb++ == 0)
				rule(&t, "BLOCKERS");
			finding(&t, f, nb, 1);
		} else if (strcmp(s, "warning") == 0) {
			if (nw++ == 0)
				rule(&t, "WARNINGS");
			finding(&t, f, nw, 1);
		} else {
			if (ni++ == 0)
				rule(&t, "INFO");
			finding(&t, f, ni, 0);
		}
	}
	host_section(&t, json_object_get(doc, "host"));
	domain_section(&t, json_object_get(doc, "domains"));
	forward_section(&t, json_object_get(doc, "forwards"),
	    json_object_get(doc, "srs"));
	bounce_section(&t, json_object_get(doc, "bounces"));
	limits_section(&t, json_object_get(doc, "limits"));
	if (json_object_get(doc, "probes") != NULL)
		probe_section(&t, json_object_get(doc, "probes"));
	if (json_object_get(doc, "rehearsal") != NULL)
		rehearsal_section(&t, json_object_get(doc, "rehearsal"));
	return t.err;
}

int
report_json(const json_t *doc, struct qstr *out)
{
	char *s = json_dumps(doc, QPM_JSON_FLAGS);
	int err;

	if (s == NULL)
		return QPM_ENOMEM;
	err = qstr_cat(out, s);
	if (err == 0)
		err = qstr_catc(out, '\n');
	free(s);
	return err;
}
