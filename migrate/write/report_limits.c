/*
 * NAME		report_limits - the report's section "Connection limits and timeouts"
 * DOES		every item with its new place, what was not read, the
 *		conflicts, what the logs show, the before and after table
 * NEVER	writes a file (write_report.c places the section)
 */
#include <config.h>

#include <time.h>

#include "migrate/model/limits.h"
#include "migrate/write/limits_text.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/qstr.h"

static int
fmt_time(char *buf, size_t n, time_t t)
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return qpm_snprintf(buf, n, "-");
	if (strftime(buf, n, "%Y-%m-%d %H:%M", &tm) == 0)
		return qpm_snprintf(buf, n, "-");
	return 0;
}

static int
num_or_dash(char *b, size_t n, long v)
{
	if (v < 0)
		return qpm_snprintf(b, n, "-");
	return qpm_snprintf(b, n, "%ld", v);
}

/* What the logs show: per listener, the busiest hours, the errors. */
static int
report_logs(const struct limits *l, struct qstr *out)
{
	const struct limits_logstats *ls = &l->logs;
	size_t i, k;
	int err;
	char b1[32], b2[32];

	(void)fmt_time(b1, sizeof(b1), ls->first);
	(void)fmt_time(b2, sizeof(b2), ls->last);
	if ((err = qstr_catf(out, "\nWhat the logs show (%lu files, %lu "
	    "lines, %lu read, %s .. %s UTC):\n", ls->files, ls->lines,
	    ls->lines_used, b1, b2)) < 0)
		return err;
	for (i = 0; i < LSVC_N; i++) {
		const struct limits_svcstats *ss = &ls->svc[i];
		size_t h;

		if (ss->connections == 0 && ss->peak == 0 &&
		    ss->login_ok == 0 && ss->login_fail == 0)
			continue;
		(void)fmt_time(b1, sizeof(b1), ss->peak_at);
		if ((err = qstr_catf(out, "  %-10s connections %lu, peak "
		    "%ld at %s", limits_svc_name((enum limits_svc)i),
		    ss->connections, ss->peak, b1)) < 0)
			return err;
		if (ss->status_max > 0 && (err = qstr_catf(out, " (limit "
		    "%ld, at the limit in %lu status lines)",
		    ss->status_max, ss->at_limit)) < 0)
			return err;
		if ((err = qstr_catf(out, "\n             per IP peak %ld"
		    "%s%s%s, per user+IP peak %ld%s%s, logins %lu ok / "
		    "%lu failed, denied %lu\n", ss->peak_ip,
		    ss->peak_ip > 0 ? " (" : "", ss->peak_ip > 0 ?
		    ss->peak_ip_addr : "", ss->peak_ip > 0 ? ")" : "",
		    ss->peak_userip, ss->peak_userip > 0 ? ": " : "",
		    ss->peak_userip > 0 ? ss->peak_user : "",
		    ss->login_ok, ss->login_fail, ss->denied)) < 0)
			return err;
		/* the busiest hours: the three highest peaks */
		{
			size_t chosen[3];

			for (k = 0; k < 3; k++) {
				long bv = 0;
				size_t bi = 0, c;

				for (h = 0; h < ss->hours.n; h++) {
					for (c = 0; c < k; c++)
						if (chosen[c] == h)
							break;
					if (c == k && ss->hours.peak[h] > bv) {
						bv = ss->hours.peak[h];
						bi = h;
					}
				}
				if (bv <= 0)
					break;
				chosen[k] = bi;
				(void)fmt_time(b1, sizeof(b1), (time_t)
				    (ss->hours.first_hour + (long)bi) *
				    3600);
				if ((err = qstr_catf(out, "%s%s peak %ld",
				    k == 0 ? "             busiest hours: " :
				    ", ", b1, bv)) < 0)
					return err;
			}
		}
		if (k > 0 && (err = qstr_cat(out, "\n")) < 0)
			return err;
	}
	if (ls->nerrs > 0 && (err = qstr_cat(out, "  limit errors:\n")) <
	    0)
		return err;
	for (i = 0; i < ls->nerrs; i++)
		if ((err = qstr_catf(out, "    %s on %s%s%s: %lu times "
		    "(first %s:%lu)\n", limits_logerr_name(ls->errs[i].kind),
		    limits_svc_name(ls->errs[i].svc),
		    ls->errs[i].limit > 0 ? ", limit " : "",
		    ls->errs[i].limit > 0 ? (num_or_dash(b1, sizeof(b1),
		    ls->errs[i].limit), b1) : "", ls->errs[i].count,
		    ls->errs[i].file, ls->errs[i].line)) < 0)
			return err;
	if (ls->table_full > 0 && (err = qstr_catf(out, "  %lu events "
	    "not counted: a table reached its size limit\n",
	    ls->table_full)) < 0)
		return err;
	return 0;
}

int
limits_report(const struct limits *l, struct qstr *out)
{
	size_t i;
	int err;
	char b1[32], b2[32], b3[32], b4[32];

	if ((err = qstr_cat(out, "== Connection limits and timeouts ==\n\n"
	    "Every limit of the old host, with its new place or why it has "
	    "none:\n")) < 0)
		return err;
	for (i = 0; i < l->nitems; i++) {
		const struct limits_item *it = &l->items[i];
		struct qstr t = QSTR_INIT(8192);

		if ((err = limits_item_target(l, it, &t)) < 0 ||
		    (err = qstr_catf(out, "  %s:%lu: %s [%s, %s] = %ld%s%s%s\n"
		    "      %s\n      -> %s\n", it->file, it->line, it->source,
		    limits_kind_name(it->kind), limits_svc_name(it->svc),
		    it->value, it->per > 0 ? " per " : "",
		    it->per > 0 ? (it->per == 60 ? "minute" : it->per == 1 ?
		    "second" : it->per == 3600 ? "hour" : "window") : "",
		    it->is_default ? " (program default)" : "",
		    it->detail, qstr_str(&t))) < 0) {
			qstr_free(&t);
			return err;
		}
		qstr_free(&t);
	}
	if (l->ndiags > 0 && (err = qstr_cat(out, "\nNot read (never guessed) "
	    "and notes:\n")) < 0)
		return err;
	for (i = 0; i < l->ndiags; i++)
		if ((err = qstr_catf(out, "  %s:%lu: %s%s\n", l->diags[i].file,
		    l->diags[i].line, l->diags[i].error ? "" : "note: ",
		    l->diags[i].text)) < 0)
			return err;
	if (l->nconflicts > 0 && (err = qstr_catf(out, "\nConflicting limits "
	    "(the %s one is kept%s):\n", l->keep_looser ? "looser" : "tighter",
	    l->keep_looser ? ", as asked" : "; ask for the looser with the "
	    "policy flag")) < 0)
		return err;
	for (i = 0; i < l->nconflicts; i++) {
		const struct limits_item *a = &l->items[l->conflicts[i].kept];
		const struct limits_item *b = &l->items[l->conflicts[i].other];

		if ((err = qstr_catf(out, "  %s on %s: kept %ld (%s:%lu %s), not "
		    "%ld (%s:%lu %s)\n", limits_kind_name(l->conflicts[i].kind),
		    limits_svc_name(l->conflicts[i].svc), a->value, a->file,
		    a->line, a->source, b->value, b->file, b->line,
		    b->source)) < 0)
			return err;
	}
	if (l->have_logs && (err = report_logs(l, out)) < 0)
		return err;
	if ((err = qstr_catf(out, "\nBefore and after (%s; headroom %u%%):\n"
	    "  %-38s %-10s %6s %8s %6s %11s %7s\n", l->size_from_logs ?
	    "sized from the logs" : "equivalent to the old host; the "
	    "recommendations apply with --size-from-logs", l->headroom_pct,
	    "target", "service", "old", "log peak", "errors", "recommended",
	    "written")) < 0)
		return err;
	for (i = 0; i < l->nsettings; i++) {
		const struct limits_setting *s = &l->settings[i];

		(void)num_or_dash(b1, sizeof(b1), s->old);
		(void)num_or_dash(b2, sizeof(b2), s->observed);
		(void)num_or_dash(b3, sizeof(b3), s->recommended);
		(void)num_or_dash(b4, sizeof(b4), s->value);
		if ((err = qstr_catf(out, "  %-38s %-10s %6s %8s %6lu %11s "
		    "%7s%s\n", limits_target_name(s->target),
		    s->svc == LSVC_HOST ? "all" : limits_svc_name(s->svc),
		    b1, b2, s->errors, b3, b4, s->perf_mode ? " (perf mode)" :
		    "")) < 0)
			return err;
		if (s->why != NULL && (err = qstr_catf(out, "      %s\n",
		    s->why)) < 0)
			return err;
	}
	return 0;
}
