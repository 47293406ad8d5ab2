/*
 * NAME		report_html - the cutover report as one self-contained page
 * DOES		a summary at the top (verdict, counts, the new host), every
 *		blocker and warning with evidence and fix, the infos folded
 *		away, the new host, a table per domain, the forwarding matrix,
 *		SRS, bounce routing, the limits before/after table and an
 *		inline SVG chart of the old logs' peak concurrency per hour
 *		against the new limits; inline CSS only
 * NEVER	writes a script, an external reference (font, image, style
 *		sheet, link target off the page) or unescaped document text
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "checks/cutover/report.h"
#include "mail/json.h"
#include "util/err.h"

#define CHART_W		520
#define CHART_H		150
#define CHART_PAD_L	44
#define CHART_PAD_R	12
#define CHART_PAD_T	18
#define CHART_PAD_B	26

struct hx {
	struct qstr	*q;
	int		 err;
};

static void
raw(struct hx *h, const char *s)
{
	if (qstr_cat(h->q, s) < 0)
		h->err = QPM_ENOMEM;
}

static void
rawf(struct hx *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rawf(struct hx *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (qstr_vcatf(h->q, fmt, ap) < 0)
		h->err = QPM_ENOMEM;
	va_end(ap);
}

/* Text into element content or a quoted attribute. */
static void
esc(struct hx *h, const char *s)
{
	const char *p;

	for (p = s != NULL ? s : ""; *p != '\0'; p++) {
		switch (*p) {
		case '&':	raw(h, "&amp;"); break;
		case '<':	raw(h, "&lt;"); break;
		case '>':	raw(h, "&gt;"); break;
		case '"':	raw(h, "&quot;"); break;
		case '\'':	raw(h, "&#39;"); break;
		default:
			/* a probed banner's ESC or BEL: visible, not kept */
			if (((unsigned char)*p < 0x20 && *p != '\n' &&
			    *p != '\t') || *p == 0x7f) {
				if (qstr_cat_vis(h->q, p, 1, 0) < 0)
					h->err = QPM_ENOMEM;
			} else if (qstr_catc(h->q, *p) < 0)
				h->err = QPM_ENOMEM;
		}
	}
}

static void
td(struct hx *h, const char *cls, const char *text)
{
	if (cls != NULL && *cls != '\0')
		rawf(h, "<td class=\"%s\">", cls);
	else
		raw(h, "<td>");
	esc(h, text);
	raw(h, "</td>");
}

static void
tdi(struct hx *h, long long v)
{
	if (v < 0)
		raw(h, "<td class=\"num\">-</td>");
	else
		rawf(h, "<td class=\"num\">%lld</td>", v);
}

/* A class for a result word: good, bad, warn, or none. */
static const char *
cls_of(const char *w)
{
	static const char *const good[] = { "pass", "ok", "delivered",
	    "accept", "open", "published", "yes", "go", NULL };
	static const char *const bad[] = { "fail", "permerror", "rejected",
	    "reject", "blocker", "refused", "missing", "NXDOMAIN", "no",
	    "no-go", NULL };
	static const char *const warn[] = { "softfail", "neutral",
	    "temperror", "quarantined", "at risk", "warning", "timeout",
	    "temporary failure", "unknown", "differs", "none", NULL };
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		if (strcmp(w, good[i]) == 0)
			return "good";
	for (i = 0; bad[i] != NULL; i++)
		if (strcmp(w, bad[i]) == 0)
			return "bad";
	for (i = 0; warn[i] != NULL; i++)
		if (strcmp(w, warn[i]) == 0)
			return "warn";
	if (strncmp(w, "accept", 6) == 0)
		return "good";
	return "";
}

static void
tdr(struct hx *h, const char *word)
{
	td(h, cls_of(word), word);
}

static void
pre_lines(struct hx *h, const json_t *arr)
{
	const json_t *v;
	size_t i;

	raw(h, "<pre>");
	json_array_foreach(arr, i, v) {
		if (i > 0)
			raw(h, "\n");
		esc(h, json_string_value(v));
	}
	raw(h, "</pre>");
}

static const char css[] =
"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
"margin:0;color:#1b1f24;background:#f6f7f9}"
"main{max-width:1100px;margin:0 auto;padding:0 16px 32px}"
"header{padding:18px 16px;color:#fff}"
"header.nogo{background:#b3261e}header.warn{background:#9a6700}"
"header.go{background:#1a7f37}"
"header h1{margin:0 0 4px;font-size:26px}header p{margin:2px 0}"
"header .counts span{display:inline-block;margin-right:14px;"
"font-weight:600}"
"nav{background:#fff;border-bottom:1px solid #d0d7de;padding:6px 16px;"
"font-size:13px}nav a{margin-right:12px;color:#0969da}"
"h2{margin:26px 0 8px;font-size:19px;border-bottom:1px solid #d0d7de;"
"padding-bottom:4px}"
"h3{margin:14px 0 6px;font-size:15px}"
"article{background:#fff;border:1px solid #d0d7de;border-left:6px solid;"
"border-radius:4px;margin:8px 0;padding:6px 12px}"
"article.blocker{border-left-color:#b3261e}"
"article.warning{border-left-color:#bf8700}"
"article.info{border-left-color:#8c959f}"
"article h3{margin:4px 0}"
".sev{display:inline-block;min-width:64px;font-size:11px;"
"text-transform:uppercase;padding:1px 6px;border-radius:3px;color:#fff;"
"margin-right:6px;text-align:center}"
".sev.blocker{background:#b3261e}.sev.warning{background:#9a6700}"
".sev.info{background:#6e7781}"
".tmp{font-size:11px;color:#9a6700;margin-left:6px}"
"pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;"
"border:1px solid #eaeef2;padding:6px 8px;margin:4px 0;font:12px/1.35 "
"ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
".lbl{font-size:12px;font-weight:600;color:#57606a}"
"table{border-collapse:collapse;background:#fff;margin:6px 0 12px;"
"font-size:13px}"
"th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;"
"vertical-align:top}th{background:#eaeef2}"
"td.num{text-align:right;font-variant-numeric:tabular-nums}"
"td.good{background:#dafbe1}td.bad{background:#ffebe9;font-weight:600}"
"td.warn{background:#fff8c5}"
".domain{display:inline-block;vertical-align:top;margin-right:14px}"
".domain table{min-width:330px}"
"details{margin:8px 0}summary{cursor:pointer;font-weight:600}"
"svg{background:#fff;border:1px solid #d0d7de;margin:4px 14px 8px 0}"
"svg text{font:11px system-ui,sans-serif;fill:#57606a}"
".chart{display:inline-block}"
"footer{color:#57606a;font-size:12px;margin-top:28px}";

static void
finding(struct hx *h, const json_t *f)
{
	const char *sev = qpm_json_get_str(f, "severity");

	rawf(h, "<article class=\"%s\"><h3><span class=\"sev %s\">%s</span>",
	    sev, sev, sev);
	esc(h, qpm_json_get_str(f, "section"));
	raw(h, " <code>");
	esc(h, qpm_json_get_str(f, "subject"));
	raw(h, "</code>: ");
	esc(h, qpm_json_get_str(f, "title"));
	if (json_is_true(json_object_get(f, "temporary")))
		raw(h, "<span class=\"tmp\">temporary error</span>");
	raw(h, "</h3>");
	if (json_array_size(json_object_get(f, "evidence")) > 0) {
		raw(h, "<div class=\"lbl\">Evidence</div>");
		pre_lines(h, json_object_get(f, "evidence"));
	}
	if (json_array_size(json_object_get(f, "fix")) > 0) {
		raw(h, "<div class=\"lbl\">Fix</div>");
		pre_lines(h, json_object_get(f, "fix"));
	}
	raw(h, "</article>\n");
}

static void
summary(struct hx *h, const json_t *doc)
{
	const char *v = qpm_json_get_str(doc, "verdict");
	const json_t *cnt = json_object_get(doc, "counts");
	const json_t *nh = json_object_get(doc, "new_host");
	time_t t = (time_t)qpm_json_get_int(doc, "generated_at", -1);
	struct tm tm;
	char when[64] = "";

	if (gmtime_r(&t, &tm) != NULL)
		(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	rawf(h, "<header class=\"%s\"><h1>Cutover: %s</h1>",
	    strcmp(v, "no-go") == 0 ? "nogo" : strcmp(v, "go") == 0 ? "go" :
	    "warn", strcmp(v, "no-go") == 0 ? "NO-GO" : strcmp(v, "go") == 0 ?
	    "GO" : "GO WITH WARNINGS");
	rawf(h, "<p class=\"counts\"><span>%lld blocker(s)</span><span>%lld "
	    "warning(s)</span><span>%lld info</span><span>exit %lld</span>"
	    "</p><p>New host ", qpm_json_get_int(cnt, "blocker", -1),
	    qpm_json_get_int(cnt, "warning", -1),
	    qpm_json_get_int(cnt, "info", -1), qpm_json_get_int(doc,
	    "exit_code", -1));
	esc(h, qpm_json_get_str(nh, "ip"));
	raw(h, ", HELO ");
	esc(h, qpm_json_get_str(nh, "helo"));
	raw(h, " &middot; migration ");
	esc(h, qpm_json_get_str(doc, "migration"));
	raw(h, " &middot; DNS ");
	esc(h, json_is_string(json_object_get(doc, "dns_server")) ?
	    qpm_json_get_str(doc, "dns_server") : "system resolver");
	rawf(h, " (%lld queries) &middot; %s</p></header>\n",
	    qpm_json_get_int(json_object_get(doc, "dns"), "queries", -1), when);
	raw(h, "<nav><a href=\"#findings\">Findings</a><a href=\"#host\">New "
	    "host</a><a href=\"#domains\">Domains</a><a href=\"#forwarding\">"
	    "Forwarding</a><a href=\"#bounces\">Bounces</a><a href=\"#limits\">"
	    "Limits</a></nav>\n<main>\n");
}

static void
findings(struct hx *h, const json_t *doc)
{
	const json_t *f;
	size_t i, ninfo = 0, nbad = 0;

	raw(h, "<section id=\"findings\"><h2>Blockers and warnings</h2>\n");
	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		if (strcmp(qpm_json_get_str(f, "severity"), "info") == 0) {
			ninfo++;
			continue;
		}
		nbad++;
		finding(h, f);
	}
	if (nbad == 0)
		raw(h, "<p>None.</p>\n");
	rawf(h, "<details><summary>%zu informational finding(s)</summary>\n",
	    ninfo);
	json_array_foreach(json_object_get(doc, "findings"), i, f)
		if (strcmp(qpm_json_get_str(f, "severity"), "info") == 0)
			finding(h, f);
	raw(h, "</details></section>\n");
}

static void
host(struct hx *h, const json_t *hj)
{
	const json_t *r, *ptr = json_object_get(hj, "ptr");
	size_t i;
	struct qstr p = QSTR_INIT(4096);
	long long res;

	json_array_foreach(ptr, i, r)
		(void)qstr_catf(&p, "%s%s", i ? ", " : "",
		    json_string_value(r));
	raw(h, "<section id=\"host\"><h2>New host</h2><table>"
	    "<tr><th>check</th><th>result</th><th>detail</th></tr>\n<tr>");
	td(h, NULL, "PTR / FCrDNS (iprev)");
	tdr(h, qpm_json_get_str(hj, "iprev"));
	td(h, NULL, p.len ? qstr_str(&p) : "no PTR");
	raw(h, "</tr>\n<tr>");
	td(h, NULL, "HELO resolves to the IP");
	res = qpm_json_get_int(hj, "helo_resolves", -1);
	tdr(h, res == 1 ? "yes" : res == 0 ? "no" : "unknown");
	td(h, NULL, qpm_json_get_str(hj, "helo"));
	raw(h, "</tr>\n<tr>");
	td(h, NULL, "HELO of the generated main.cf");
	tdr(h, !json_is_string(json_object_get(hj, "config_helo")) ? "-" :
	    strcasecmp(qpm_json_get_str(hj, "config_helo"), qpm_json_get_str(hj,
	    "helo")) == 0 ?
	    "ok" : "differs");
	td(h, NULL, qpm_json_get_str(hj, "config_helo"));
	raw(h, "</tr>\n<tr>");
	td(h, NULL, "SPF of the HELO name");
	tdr(h, qpm_json_get_str(hj, "helo_spf"));
	td(h, NULL, "");
	raw(h, "</tr></table>\n<h3>What receivers would do</h3><table><tr>"
	    "<th>receiver</th><th>verdict</th><th>why</th></tr>\n");
	json_array_foreach(json_object_get(hj, "receivers"), i, r) {
		raw(h, "<tr>");
		td(h, NULL, qpm_json_get_str(r, "receiver"));
		tdr(h, qpm_json_get_str(r, "verdict"));
		td(h, NULL, qpm_json_get_str(r, "why"));
		raw(h, "</tr>\n");
	}
	raw(h, "</table></section>\n");
	qstr_free(&p);
}

static void
dmarc_row(struct hx *h, const char *label, const json_t *d)
{
	struct qstr t = QSTR_INIT(1024);

	if (d == NULL)
		return;
	(void)qstr_catf(&t, "%s=%s at %s", json_is_string(json_object_get(d,
	    "policy_tag")) ? qpm_json_get_str(d, "policy_tag") : "p",
	    json_is_string(json_object_get(d, "published")) ?
	    qpm_json_get_str(d, "published") : "-",
	    json_is_string(json_object_get(d,
	    "policy_domain")) ? qpm_json_get_str(d, "policy_domain") : "-");
	raw(h, "<tr>");
	td(h, NULL, label);
	tdr(h, qpm_json_get_str(d, "result"));
	td(h, NULL, qstr_str(&t));
	raw(h, "</tr>\n");
	qstr_free(&t);
}

static void
domains(struct hx *h, const json_t *arr)
{
	const json_t *d, *k, *r;
	size_t i, j;

	raw(h, "<section id=\"domains\"><h2>Domains</h2>\n");
	json_array_foreach(arr, i, d) {
		const json_t *mx = json_object_get(d, "mx");
		const json_t *spf = json_object_get(d, "spf");
		struct qstr t = QSTR_INIT(4096);

		raw(h, "<div class=\"domain\"><h3>");
		esc(h, qpm_json_get_str(d, "name"));
		raw(h, " <small>");
		esc(h, qpm_json_get_str(d, "kind"));
		if (json_is_string(json_object_get(d, "alias_of"))) {
			raw(h, " of ");
			esc(h, qpm_json_get_str(d, "alias_of"));
		}
		raw(h, "</small></h3><table><tr><th>check</th><th>result</th>"
		    "<th>detail</th></tr>\n<tr>");
		td(h, NULL, "status");
		tdr(h, qpm_json_get_str(d, "worst"));
		td(h, NULL, "worst finding");
		raw(h, "</tr>\n<tr>");
		json_array_foreach(json_object_get(mx, "records"), j, r) {
			const json_t *a;
			size_t n;

			(void)qstr_catf(&t, "%s%lld %s (", j ? "; " : "",
			    qpm_json_get_int(r, "preference", -1),
			    qpm_json_get_str(r, "host"));
			json_array_foreach(json_object_get(r, "addresses"), n, a)
				(void)qstr_catf(&t, "%s%s", n ? " " : "",
				    json_string_value(a));
			(void)qstr_cat(&t, ")");
		}
		td(h, NULL, "MX");
		tdr(h, json_is_true(json_object_get(mx, "points_to_new_host"))
		    ? "new host" : strcmp(qpm_json_get_str(mx, "status"),
		    "ok") == 0 ?
		    "old host" : qpm_json_get_str(mx, "status"));
		td(h, NULL, qstr_str(&t));
		raw(h, "</tr>\n");
		if (spf != NULL) {
			qstr_reset(&t);
			(void)qstr_catf(&t, "%lld/%lld lookups, %lld/%lld void; "
			    "%s", qpm_json_get_int(spf, "lookups", -1),
			    qpm_json_get_int(spf,
			    "lookup_limit", -1), qpm_json_get_int(spf,
			    "void_lookups", -1),
			    qpm_json_get_int(spf, "void_limit", -1),
			    json_is_string(
			    json_object_get(spf,
			    "record")) ? qpm_json_get_str(spf,
			    "record") : "no record");
			raw(h, "<tr>");
			td(h, NULL, "SPF for the new IP");
			tdr(h, qpm_json_get_str(spf, "result"));
			td(h, NULL, qstr_str(&t));
			raw(h, "</tr>\n");
		}
		json_array_foreach(json_object_get(d, "dkim"), j, k) {
			qstr_reset(&t);
			(void)qstr_catf(&t, "%s%s, %lld bits",
			    qpm_json_get_str(k, "record"),
			    json_is_true(json_object_get(k, "signing")) ? "" :
			    " (old)", qpm_json_get_int(k, "key_bits", -1));
			raw(h, "<tr>");
			td(h, NULL, "DKIM key");
			tdr(h, !json_is_true(json_object_get(k, "signing")) ?
			    qpm_json_get_str(k,
			    "dns") : json_is_true(json_object_get(k,
			    "matches")) ? "ok" : strcmp(qpm_json_get_str(k,
			    "dns"),
			    "published") == 0 ? "differs" : "missing");
			td(h, NULL, qstr_str(&t));
			raw(h, "</tr>\n");
		}
		dmarc_row(h, "DMARC (RFC 9989)", json_object_get(
		    json_object_get(d, "dmarc"), "rfc9989"));
		dmarc_row(h, "DMARC (RFC 7489)", json_object_get(
		    json_object_get(d, "dmarc"), "rfc7489"));
		raw(h, "</table></div>\n");
		qstr_free(&t);
	}
	raw(h, "</section>\n");
}

static void
forwarding(struct hx *h, const json_t *fw, const json_t *srs)
{
	const json_t *s, *o;
	size_t i, j, n;

	raw(h, "<section id=\"forwarding\"><h2>Forwarding</h2><p>");
	rawf(h, "%lld address(es) forward to other hosts. SRS: <b>%s</b> "
	    "(domain <code>", qpm_json_get_int(fw, "count", -1),
	    json_is_true(json_object_get(
	    srs, "set_up")) ? "set up" : "not set up");
	esc(h, qpm_json_get_str(srs, "domain"));
	raw(h, "</code>). Forwarding now: <b>");
	esc(h, qpm_json_get_str(fw, "mode"));
	raw(h, "</b>.</p>\n<h3>What the final receiver does with forwarded "
	    "mail</h3><table><tr><th>sample sender</th><th>DMARC</th>"
	    "<th>plain</th><th>rewritten sender</th><th>SRS</th>"
	    "<th>now</th></tr>\n");
	json_array_foreach(json_object_get(fw, "senders"), i, s) {
		raw(h, "<tr>");
		td(h, NULL, qpm_json_get_str(s, "sender"));
		td(h, NULL, json_is_string(json_object_get(s, "dmarc_policy")) ?
		    qpm_json_get_str(s, "dmarc_policy") : "none");
		if (json_object_get(s, "problem") != NULL) {
			raw(h, "<td colspan=\"4\">");
			esc(h, qpm_json_get_str(s, "problem"));
			raw(h, "</td></tr>\n");
			continue;
		}
		json_array_foreach(json_object_get(s, "outcomes"), j, o) {
			struct qstr t = QSTR_INIT(256);

			(void)qstr_catf(&t, "%s (spf %s, dkim %s, dmarc %s)",
			    qpm_json_get_str(o, "outcome"), qpm_json_get_str(o,
			    "spf"), qpm_json_get_str(o, "dkim"),
			    qpm_json_get_str(o, "dmarc"));
			td(h, cls_of(qpm_json_get_str(o, "outcome")),
			    qstr_str(&t));
			qstr_free(&t);
		}
		tdr(h, qpm_json_get_str(s, "current"));
		raw(h, "</tr>\n");
	}
	raw(h, "</table>\n<h3>Forwards</h3><table><tr><th>address</th>"
	    "<th>to</th><th>copy kept</th><th>mode</th><th>worst outcome</th>"
	    "</tr>\n");
	n = json_array_size(json_object_get(fw, "list"));
	json_array_foreach(json_object_get(fw, "list"), i, o) {
		struct qstr t = QSTR_INIT(1024);
		const json_t *x;

		if (i == REPORT_HTML_MAX_ROWS) {
			rawf(h, "<tr><td colspan=\"5\">%zu more in the JSON "
			    "report</td></tr>\n", n - i);
			break;
		}
		json_array_foreach(json_object_get(o, "remote_targets"), j, x)
			(void)qstr_catf(&t, "%s%s", j ? ", " : "",
			    json_string_value(x));
		raw(h, "<tr>");
		td(h, NULL, qpm_json_get_str(o, "address"));
		td(h, NULL, qstr_str(&t));
		td(h, NULL, json_is_true(json_object_get(o, "keep_copy")) ?
		    "yes" : "no");
		td(h, NULL, qpm_json_get_str(o, "mode"));
		tdr(h, qpm_json_get_str(o, "worst_outcome"));
		raw(h, "</tr>\n");
		qstr_free(&t);
	}
	raw(h, "</table></section>\n");
}

static void
bounces(struct hx *h, const json_t *arr)
{
	const json_t *r;
	size_t i;

	raw(h, "<section id=\"bounces\"><h2>Bounce routing</h2><table><tr>"
	    "<th>recipient</th><th>domain</th><th>reaches a mailbox</th>"
	    "<th>route</th></tr>\n");
	json_array_foreach(arr, i, r) {
		raw(h, "<tr>");
		td(h, NULL, qpm_json_get_str(r, "role"));
		td(h, NULL, qpm_json_get_str(r, "domain"));
		tdr(h, json_is_true(json_object_get(r, "reachable")) ? "yes" :
		    "no");
		td(h, NULL, qpm_json_get_str(r, "route"));
		raw(h, "</tr>\n");
	}
	raw(h, "</table></section>\n");
}

static void
chart(struct hx *h, const json_t *s)
{
	const json_t *pk = json_object_get(s, "peak"), *v;
	long long lim = qpm_json_get_int(s, "limit", -1),
	    old = qpm_json_get_int(s, "old_limit", -1);
	long long top = qpm_json_get_int(s, "max_peak", -1),
	    first = qpm_json_get_int(s, "first", -1);
	long long step = qpm_json_get_int(s, "step_seconds", -1);
	size_t n = json_array_size(pk), i;
	double pw = CHART_W - CHART_PAD_L - CHART_PAD_R;
	double ph = CHART_H - CHART_PAD_T - CHART_PAD_B, x, y;
	char d0[32] = "", d1[32] = "";
	time_t t;
	struct tm tm;

	if (lim > top)
		top = lim;
	if (old > top)
		top = old;
	if (top <= 0)
		top = 1;
	top += top / 10 + 1;
	t = (time_t)first;
	if (gmtime_r(&t, &tm) != NULL)
		(void)strftime(d0, sizeof(d0), "%m-%d %H:00", &tm);
	t = (time_t)(first + (long long)(n > 0 ? n - 1 : 0) * step);
	if (gmtime_r(&t, &tm) != NULL)
		(void)strftime(d1, sizeof(d1), "%m-%d %H:00 UTC", &tm);
	raw(h, "<div class=\"chart\">");
	rawf(h, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>", CHART_W,
	    CHART_H, CHART_W, CHART_H);
	esc(h, qpm_json_get_str(s, "service"));
	rawf(h, ": peak concurrent connections per hour (old logs) against "
	    "the new limit %lld</title>", lim);
	rawf(h, "<text x=\"%d\" y=\"13\" font-weight=\"600\">", CHART_PAD_L);
	esc(h, qpm_json_get_str(s, "service"));
	rawf(h, "</text><text x=\"%d\" y=\"13\" text-anchor=\"end\">"
	    "<tspan fill=\"#0969da\">&#9644; hourly peak</tspan>"
	    "<tspan fill=\"#b3261e\" dx=\"8\">&#9644; new limit %lld</tspan>",
	    CHART_W - CHART_PAD_R, lim);
	if (old >= 0)
		rawf(h, "<tspan fill=\"#6e7781\" dx=\"8\">- - old %lld</tspan>",
		    old);
	raw(h, "</text>");
	/* axes */
	rawf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#8c959f\"/>", CHART_PAD_L, CHART_PAD_T, CHART_PAD_L,
	    CHART_H - CHART_PAD_B);
	rawf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#8c959f\"/>", CHART_PAD_L, CHART_H - CHART_PAD_B,
	    CHART_W - CHART_PAD_R, CHART_H - CHART_PAD_B);
	rawf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>",
	    CHART_PAD_L - 4, CHART_PAD_T + 8, top);
	rawf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>",
	    CHART_PAD_L - 4, CHART_H - CHART_PAD_B);
	rawf(h, "<text x=\"%d\" y=\"%d\">%s</text>", CHART_PAD_L,
	    CHART_H - 8, d0);
	rawf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
	    CHART_W - CHART_PAD_R, CHART_H - 8, d1);
	/* the limits */
	if (lim >= 0) {
		y = CHART_PAD_T + ph * (1.0 - (double)lim / (double)top);
		rawf(h, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#b3261e\" stroke-width=\"1.5\"/>", CHART_PAD_L, y,
		    CHART_W - CHART_PAD_R, y);
	}
	if (old >= 0 && old != lim) {
		y = CHART_PAD_T + ph * (1.0 - (double)old / (double)top);
		rawf(h, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#6e7781\" stroke-dasharray=\"4 3\"/>",
		    CHART_PAD_L, y, CHART_W - CHART_PAD_R, y);
	}
	/* the hourly peaks */
	if (n > 0) {
		raw(h, "<polyline fill=\"none\" stroke=\"#0969da\" "
		    "stroke-width=\"1.5\" points=\"");
		json_array_foreach(pk, i, v) {
			x = CHART_PAD_L + (n > 1 ? pw * (double)i /
			    (double)(n - 1) : pw / 2);
			y = CHART_PAD_T + ph * (1.0 - (double)json_integer_value(
			    v) / (double)top);
			rawf(h, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		raw(h, "\"/>");
	}
	raw(h, "</svg></div>\n");
}

static void
limits(struct hx *h, const json_t *l)
{
	const json_t *r, *ov;
	size_t i;

	raw(h, "<section id=\"limits\"><h2>Connection limits: before and "
	    "after</h2><table><tr><th>service</th><th>setting</th>"
	    "<th>old host</th><th>new host</th><th>log peak</th>"
	    "<th>limit errors</th><th>from the logs</th><th>source</th></tr>\n");
	json_array_foreach(json_object_get(l, "rows"), i, r) {
		raw(h, "<tr>");
		td(h, NULL, qpm_json_get_str(r, "service"));
		td(h, NULL, qpm_json_get_str(r, "setting"));
		ov = json_object_get(r, "old");
		if (json_is_string(ov))
			td(h, NULL, json_string_value(ov));
		else
			tdi(h, qpm_json_get_int(r, "old", -1));
		tdi(h, qpm_json_get_int(r, "value", -1));
		tdi(h, qpm_json_get_int(r, "observed", -1));
		if (qpm_json_get_int(r, "errors", -1) > 0)
			rawf(h, "<td class=\"num bad\">%lld</td>",
			    qpm_json_get_int(r, "errors", -1));
		else
			tdi(h, qpm_json_get_int(r, "errors", -1));
		tdi(h, qpm_json_get_int(r, "recommended", -1));
		td(h, NULL, qpm_json_get_str(r, "source"));
		raw(h, "</tr>\n");
	}
	raw(h, "</table>\n");
	if (json_array_size(json_object_get(l, "series")) > 0) {
		raw(h, "<h3>Old logs: peak concurrent connections per hour "
		    "against the new limits</h3>\n");
		json_array_foreach(json_object_get(l, "series"), i, r)
			chart(h, r);
	} else
		raw(h, "<p>No per-hour figures: migration.json has no log "
		    "sizing (qmail2postfix --logs).</p>\n");
	raw(h, "</section>\n");
}

static void
probes(struct hx *h, const json_t *p)
{
	const json_t *r, *c;
	size_t i;

	raw(h, "<section id=\"probes\"><h2>Live probes of ");
	esc(h, qpm_json_get_str(p, "host"));
	raw(h, "</h2><table><tr><th>service</th><th>port</th><th>status</th>"
	    "<th>banner</th></tr>\n");
	json_array_foreach(json_object_get(p, "ports"), i, r) {
		raw(h, "<tr>");
		td(h, NULL, qpm_json_get_str(r, "service"));
		tdi(h, qpm_json_get_int(r, "port", -1));
		tdr(h, qpm_json_get_str(r, "status"));
		td(h, NULL, qpm_json_get_str(r, "banner"));
		raw(h, "</tr>\n");
	}
	raw(h, "</table>\n");
	if ((c = json_object_get(p, "smtp_count")) != NULL) {
		rawf(h, "<p>SMTP per-client limit %lld: <b>%s</b> (",
		    qpm_json_get_int(c,
		    "limit", -1), json_is_true(json_object_get(c, "enforced")) ?
		    "enforced" : "not enforced");
		json_array_foreach(json_object_get(c, "results"), i, r) {
			if (i > 0)
				raw(h, " | ");
			esc(h, json_string_value(r));
		}
		raw(h, ")</p>\n");
	}
	raw(h, "</section>\n");
}

static void
rehearsal(struct hx *h, const json_t *r)
{
	raw(h, "<section id=\"rehearsal\"><h2>Rehearsal</h2><p>");
	if (json_object_get(r, "problem") != NULL)
		esc(h, qpm_json_get_str(r, "problem"));
	else
		rawf(h, "%lld addresses: %lld delivered, %lld unconfirmed, %lld not "
		    "as expected. %lld mailboxes: %lld IMAP and %lld POP3 logins "
		    "ok, %lld failed, %lld skipped.", qpm_json_get_int(r,
		    "addresses", -1),
		    qpm_json_get_int(r, "delivered", -1), qpm_json_get_int(r,
		    "unconfirmed", -1),
		    qpm_json_get_int(r, "not_as_expected", -1),
		    qpm_json_get_int(r, "mailboxes", -1),
		    qpm_json_get_int(r, "imap_ok", -1), qpm_json_get_int(r,
		    "pop3_ok", -1),
		    qpm_json_get_int(r, "login_failures", -1),
		    qpm_json_get_int(r, "logins_skipped", -1));
	raw(h, "</p></section>\n");
}

int
report_html(const json_t *doc, struct qstr *out)
{
	struct hx h = { out, 0 };
	const char *v = qpm_json_get_str(doc, "verdict");

	raw(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width="
	    "device-width, initial-scale=1\">\n<title>Cutover report: ");
	esc(&h, strcmp(v, "no-go") == 0 ? "NO-GO" : strcmp(v, "go") == 0 ?
	    "GO" : "GO WITH WARNINGS");
	raw(&h, " - ");
	esc(&h, qpm_json_get_str(json_object_get(doc, "new_host"), "helo"));
	raw(&h, "</title>\n<style>");
	raw(&h, css);
	raw(&h, "</style></head><body>\n");
	summary(&h, doc);
	findings(&h, doc);
	host(&h, json_object_get(doc, "host"));
	domains(&h, json_object_get(doc, "domains"));
	forwarding(&h, json_object_get(doc, "forwards"),
	    json_object_get(doc, "srs"));
	bounces(&h, json_object_get(doc, "bounces"));
	limits(&h, json_object_get(doc, "limits"));
	if (json_object_get(doc, "probes") != NULL)
		probes(&h, json_object_get(doc, "probes"));
	if (json_object_get(doc, "rehearsal") != NULL)
		rehearsal(&h, json_object_get(doc, "rehearsal"));
	raw(&h, "<footer>Made by cutover-report (qmail2postfix). Exit status "
	    "0 go, 1 go with warnings, 2 no-go. The JSON form of this report "
	    "(--format json) holds every forward and every DNS answer "
	    "shown here.</footer>\n</main></body></html>\n");
	return h.err;
}
