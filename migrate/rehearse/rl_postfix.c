/*
 * NAME		rl_postfix - the Postfix probes of "rehearse --limits"
 * DOES		the (N+1)th SMTP connection of one address gets 421 while
 *		another address gets in (count and rate), the (maxproc+1)th
 *		waits, a silent client is cut off after smtpd_timeout (on a
 *		shortened copy when the timeout is long)
 * NEVER	connects outside 127.0.0.0/8, opens more than RL_MAX_CONN
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate/rehearse/rl_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/qstr.h"

void
rl_probe_pf_count(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c[RL_MAX_CONN + 1], other;
	struct qstr v = QSTR_INIT(4096);
	char a[32], b[32];
	long n = pr->value, i, g = 0, mp;
	int bad;

	qstr_catf(&pr->what, "%s: connection %ld from one address "
	    "(smtpd_client_connection_count_limit %ld)", pr->service, n + 1, n);
	if (n <= 0) {
		rl_not_probed(pr, "no per-client limit here (0), as on the old "
		    "host");
		goto out;
	}
	if (rl_too_many(pr, n + 1, "connections"))
		goto out;
	rl_pf_value(env, port, "smtpd_client_connection_count_limit", &v);
	bad = rl_conf_differs(pr, n, rl_secs(qstr_str(&v)), qstr_str(&v));
	if ((mp = rl_pf_maxproc(env, port)) > 0 && mp < n + 1) {
		rl_not_probed(pr, "maxproc %ld makes connection %ld wait before "
		    "smtpd counts it", mp, mp + 1);
		goto out;
	}
	rl_src_addr(a, sizeof(a), l->blk, 0);
	rl_src_addr(b, sizeof(b), l->blk++, 1);
	qstr_catf(&pr->expected, "connections 1-%ld from %s get 220, "
	    "connection %ld gets 421, %s still gets 220", n, a, n + 1, b);
	pr->status = RL_FAIL;
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld)", n);
	for (i = 0; i < n; i++)
		rl_lc_open(&c[i], a, port);
	rl_lc_pump(c, (size_t)n, 0, W_LINE, RL_GREET_MS);
	for (i = 0; i < n; i++)
		g += rl_starts(c[i].first, "220");
	rl_lc_open(&c[n], a, port);
	rl_lc_pump(c, (size_t)n + 1, (size_t)n, W_LINE, RL_REPLY_MS);
	rl_lc_open(&other, b, port);
	rl_lc_pump(&other, 1, 0, W_LINE, RL_REPLY_MS);
	qstr_catf(&pr->observed, "%ld of %ld got 220; connection %ld: %s; "
	    "%s: %s", g, n, n + 1, rl_lc_what(&c[n]), b, rl_lc_what(&other));
	if (g == n && rl_starts(c[n].first, "421") && rl_starts(other.first, "220") &&
	    !bad)
		pr->status = RL_OK;
	rl_lc_close_all(c, (size_t)n + 1);
	rl_lc_close(&other);
out:
	qstr_free(&v);
}

void
rl_probe_pf_rate(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c, other;
	struct qstr v = QSTR_INIT(4096), u = QSTR_INIT(4096);
	char a[32], b[32];
	long n = pr->value, i, g = 0, unit;
	double t0;
	int bad;

	qstr_catf(&pr->what, "%s: connection %ld from one address within "
	    "the rate window (smtpd_client_connection_rate_limit %ld)",
	    pr->service, n + 1, n);
	if (n <= 0) {
		rl_not_probed(pr, "no rate limit here (0)");
		goto out;
	}
	if (rl_too_many(pr, n + 1, "connections"))
		goto out;
	rl_pf_value(env, port, "smtpd_client_connection_rate_limit", &v);
	rl_pf_value(env, port, "anvil_rate_time_unit", &u);
	unit = rl_secs(qstr_str(&u));
	bad = rl_conf_differs(pr, n, rl_secs(qstr_str(&v)), qstr_str(&v));
	qstr_catf(&pr->configured, "; anvil_rate_time_unit %s", qstr_str(&u));
	if (pr->per_seconds > 0 && unit != pr->per_seconds) {
		qstr_catf(&pr->configured, " - migration.json expects %lds",
		    pr->per_seconds);
		bad = 1;
	}
	rl_src_addr(a, sizeof(a), l->blk, 0);
	rl_src_addr(b, sizeof(b), l->blk++, 1);
	qstr_catf(&pr->expected, "connections 1-%ld from %s, one after the "
	    "other, get 220; connection %ld gets 421; %s gets 220", n, a,
	    n + 1, b);
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld per %s)", n, qstr_str(&u));
	pr->status = RL_FAIL;
	t0 = qpm_clock_mono();
	for (i = 0; i <= n; i++) {
		rl_lc_open(&c, a, port);
		rl_lc_pump(&c, 1, 0, W_LINE, RL_REPLY_MS);
		if (i < n && rl_starts(c.first, "220"))
			g++;
		if (i < n)
			rl_lc_close(&c);
	}
	rl_lc_open(&other, b, port);
	rl_lc_pump(&other, 1, 0, W_LINE, RL_REPLY_MS);
	qstr_catf(&pr->observed, "%ld of %ld got 220 (in %.1f s); connection "
	    "%ld: %s; %s: %s", g, n, qpm_clock_mono() - t0, n + 1, rl_lc_what(&c), b,
	    rl_lc_what(&other));
	if (g == n && rl_starts(c.first, "421") && rl_starts(other.first, "220") &&
	    !bad && (unit <= 0 || qpm_clock_mono() - t0 < (double)unit))
		pr->status = RL_OK;
	rl_lc_close(&c);
	rl_lc_close(&other);
out:
	qstr_free(&v);
	qstr_free(&u);
}

void
rl_probe_pf_maxproc(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c[RL_MAX_CONN + 1];
	char a[32];
	long n = pr->value, i, g = 0, mp;
	int waited;
	double t;

	qstr_catf(&pr->what, "%s: simultaneous connection %ld (maxproc %ld)",
	    pr->service, n + 1, n);
	if (n <= 0) {
		rl_not_probed(pr, "no process limit to probe (%ld)", n);
		return;
	}
	if (rl_too_many(pr, n + 1, "connections"))
		return;
	mp = rl_pf_maxproc(env, port);
	qstr_catf(&pr->configured, "%ld", mp);
	if (mp != n)
		qstr_catf(&pr->configured, " - migration.json expects %ld", n);
	qstr_catf(&pr->expected, "%ld connections from %ld addresses get 220; "
	    "connection %ld gets no banner for %d s (the accept waits) and "
	    "220 once one closes", n, n, n + 1, RL_WAIT_MS / 1000);
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld)", n);
	pr->status = RL_FAIL;
	for (i = 0; i <= n; i++) {
		rl_src_addr(a, sizeof(a), l->blk, (int)i);
		if (i < n)
			rl_lc_open(&c[i], a, port);
	}
	rl_lc_pump(c, (size_t)n, 0, W_LINE, RL_GREET_MS);
	for (i = 0; i < n; i++)
		g += rl_starts(c[i].first, "220");
	rl_lc_open(&c[n], a, port);
	rl_lc_pump(c, (size_t)n + 1, (size_t)n, W_LINE, RL_WAIT_MS);
	waited = c[n].lines == 0 && !rl_lc_final(&c[n]);
	rl_lc_close(&c[0]);
	c[0].state = C_CLOSED;
	t = qpm_clock_mono();
	rl_lc_pump(c, (size_t)n + 1, (size_t)n, W_LINE, RL_REPLY_MS * 2);
	l->blk++;
	qstr_catf(&pr->observed, "%ld of %ld got 220; connection %ld: %s; "
	    "after one closed: %s", g, n, n + 1, waited ? "no banner for 2 s" :
	    rl_lc_what(&c[n]), c[n].lines ? c[n].first : rl_lc_what(&c[n]));
	if (c[n].lines > 0 && waited)
		qstr_catf(&pr->observed, " (%.1f s later)", c[n].t_line - t);
	if (g == n && waited && rl_starts(c[n].first, "220") && mp == n)
		pr->status = RL_OK;
	rl_lc_close_all(c, (size_t)n + 1);
}

void
rl_probe_pf_timeout(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct qstr v = QSTR_INIT(4096);
	struct lc c;
	char a[32];
	long t = pr->value, probe_t = t;
	int probe_port = port, bad;
	double cut;
	size_t k;

	qstr_catf(&pr->what, "%s: a client that says nothing after the "
	    "banner (smtpd_timeout %ld s)", pr->service, t);
	rl_pf_value(env, port, "smtpd_timeout", &v);
	bad = rl_conf_differs(pr, t, rl_secs(qstr_str(&v)), qstr_str(&v));
	if (t <= 0) {
		rl_not_probed(pr, "no timeout (%ld)", t);
		goto out;
	}
	qstr_reset(&pr->how);
	if (t > RL_SHORT) {
		for (k = 0; k < l->ncopies && l->copies[k].port != port; k++)
			;
		if (k == l->ncopies) {
			rl_not_probed(pr, "%ld s", t);
			goto out;
		}
		probe_port = l->copies[k].copy_port;
		probe_t = RL_COPY_TIMEOUT;
		rl_pf_value(env, probe_port, "smtpd_timeout", &v);
		qstr_catf(&pr->configured, "; the copy on 127.0.0.1:%d has %s",
		    probe_port, qstr_str(&v));
		qstr_catf(&pr->how, "shortened copy: the configured %ld s is "
		    "not waited for; the mechanism is proven on the rehearsal's "
		    "copy of this service (127.0.0.1:%d, same options, "
		    "smtpd_timeout=%lds)", t, probe_port, probe_t);
	} else
		qstr_catf(&pr->how, "as configured (%ld s)", t);
	rl_src_addr(a, sizeof(a), l->blk++, 0);
	qstr_catf(&pr->expected, "cut off %ld s after the banner (421, then "
	    "closed)", probe_t);
	pr->status = RL_FAIL;
	rl_lc_open(&c, a, probe_port);
	rl_lc_pump(&c, 1, 0, W_LINE, RL_REPLY_MS);
	if (!rl_starts(c.first, "220")) {
		qstr_catf(&pr->observed, "no banner: %s", rl_lc_what(&c));
		rl_lc_close(&c);
		goto out;
	}
	rl_lc_pump(&c, 1, 0, W_END, (probe_t + 5) * 1000);
	if (c.state != C_CLOSED) {
		qstr_catf(&pr->observed, "still open after %ld s", probe_t + 5);
		rl_lc_close(&c);
		goto out;
	}
	cut = c.t_end - c.t_line;
	qstr_catf(&pr->observed, "cut off after %.1f s: %s", cut, c.last);
	if (cut >= (double)probe_t - 1 && cut <= (double)probe_t + 3 && !bad)
		pr->status = RL_OK;
out:
	qstr_free(&v);
}
