/*
 * NAME		rl_dovecot - the Dovecot probes of "rehearse --limits"
 * DOES		the (process_limit+1)th client before login makes Dovecot
 *		drop the oldest; the (N+1)th IMAP or POP3 login of one user
 *		from one address is refused with [LIMIT]/[IN-USE]; in the
 *		names and words of the Dovecot OUT was written for (2.4:
 *		restart_request_count, and POP3's refusal without a code)
 * NEVER	prints a password, connects outside 127.0.0.0/8
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "migrate/rehearse/rl_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/qstr.h"

/* Dovecot's log has "process_limit (n) reached": reported, not required */
static int
dc_logged(const struct rh_limits_env *env, long n)
{
	struct qstr log = QSTR_INIT(64 * 1024 * 1024);
	char path[1024], want[64];
	int tries, found = 0;

	if (qpm_snprintf(path, sizeof(path), "%s/dovecot.log",
	    env->p->dc_dir) < 0 || qpm_snprintf(want, sizeof(want),
	    "process_limit (%ld) reached", n) < 0)
		return 0;
	/* the master writes it when a connection finds every process busy,
	 * which may never happen (rl_probe_dc_login); a short look */
	for (tries = 0; tries < 30 && !found; tries++) {
		qstr_reset(&log);
		if (file_read_all(path, 64 * 1024 * 1024, 0, &log) == 0 &&
		    log.len > 0 && strstr(log.buf, want) != NULL)
			found = 1;
		else
			rl_sleep_ms(100);
	}
	qstr_free(&log);
	return found;
}

void
rl_probe_dc_login(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c[RL_MAX_CONN + 1];
	struct qstr v = QSTR_INIT(4096);
	const char *ok = strcmp(pr->service, "imap") == 0 ? "* OK" : "+OK";
	const char *sc_name = l->dc24 ? "restart_request_count" :
	    "service_count";
	char key[128], a[32];
	long n = pr->value, cap, sc, cl, i, g = 0, dropped = 0, first_drop = 0;
	int logged;
	double t;

	qstr_catf(&pr->what, "%s: client %ld before login (%s-login "
	    "process_limit %ld)", pr->service, n + 1, pr->service, n);
	if (qpm_snprintf(key, sizeof(key), "service/%s-login/process_limit",
	    pr->service) < 0)
		goto out;
	rl_dc_value(env, NULL, key, &v);
	rl_conf_differs(pr, n, rl_secs(qstr_str(&v)), qstr_str(&v));
	/* one client per process, as 2.3 and 2.4 name it */
	qpm_snprintf(key, sizeof(key), "service/%s-login/%s", pr->service,
	    sc_name);
	rl_dc_value(env, NULL, key, &v);
	sc = rl_secs(qstr_str(&v));
	qstr_catf(&pr->configured, "; %s %s", sc_name, qstr_str(&v));
	qpm_snprintf(key, sizeof(key), "service/%s-login/client_limit",
	    pr->service);
	rl_dc_value(env, NULL, key, &v);
	cl = rl_secs(qstr_str(&v));
	if (cl <= 0) {
		rl_dc_value(env, NULL, "default_client_limit", &v);
		cl = rl_secs(qstr_str(&v));
	}
	cap = sc == 1 ? n : n * (cl > 0 ? cl : 1);
	if (n <= 0) {
		rl_not_probed(pr, "no process limit (%ld)", n);
		goto out;
	}
	if (cap + 1 > RL_MAX_CONN) {
		rl_not_probed(pr, "%ld clients (process_limit %ld x client_limit "
		    "%ld) are more than the %d one probe opens", cap + 1, n, cl,
		    RL_MAX_CONN);
		goto out;
	}
	/* Dovecot's master tells its login processes to drop their oldest
	 * waiting clients as soon as every process is busy, and logs
	 * "process_limit (n) reached" only when a new connection finds no
	 * free process: once the drops have freed some, client n+1 may come
	 * in without the line. The greetings and the drops prove the limit;
	 * the line is reported, not required. */
	qstr_catf(&pr->expected, "%ld clients are greeted and wait before "
	    "login; client %ld is greeted too, waiting clients are dropped "
	    "(\"Connection queue full\") so that at most %ld stay; the log "
	    "may say \"process_limit (%ld) reached\"", cap, cap + 1, cap, n);
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld%s)", cap, sc == 1 ? "" :
	    " = process_limit x client_limit, high-performance mode");
	pr->status = RL_FAIL;
	for (i = 0; i < cap; i++) {
		rl_src_addr(a, sizeof(a), l->blk, (int)i);
		rl_lc_open(&c[i], a, port);
	}
	rl_lc_pump(c, (size_t)cap, 0, W_LINE, RL_GREET_MS);
	for (i = 0; i < cap; i++)
		g += rl_starts(c[i].first, ok) && !rl_lc_final(&c[i]);
	rl_src_addr(a, sizeof(a), l->blk++, (int)cap);
	rl_lc_open(&c[cap], a, port);
	rl_lc_pump(c, (size_t)cap + 1, (size_t)cap, W_LINE, RL_REPLY_MS * 2);
	/* until some waiting client is dropped, then a moment for the rest */
	for (t = qpm_clock_mono(); qpm_clock_mono() - t < (double)RL_DROP_MS / 1000; ) {
		for (i = 0; i < cap && !rl_lc_final(&c[i]) && c[i].lines < 2; i++)
			;
		if (i < cap)
			break;
		rl_lc_io(c, (size_t)cap, 50);
	}
	rl_lc_pump(c, (size_t)cap, (size_t)cap, W_END, 300);
	t = qpm_clock_mono() + 0.3;
	while (qpm_clock_mono() < t)
		rl_lc_io(c, (size_t)cap, 50);
	for (i = 0; i < cap; i++)
		if (rl_lc_final(&c[i]) || c[i].lines > 1) {
			if (dropped++ == 0)
				first_drop = i;
		}
	logged = dc_logged(env, n);
	qstr_catf(&pr->observed, "%ld of %ld greeted; client %ld: %s; "
	    "dropped before login: %ld, so %ld stay", g, cap, cap + 1,
	    c[cap].lines ? c[cap].first : rl_lc_what(&c[cap]), dropped,
	    cap + 1 - dropped);
	if (dropped > 0)
		qstr_catf(&pr->observed, " (client %ld: %s)", first_drop + 1,
		    c[first_drop].lines > 1 ? c[first_drop].last :
		    rl_lc_what(&c[first_drop]));
	qstr_catf(&pr->observed, "; log: %s", logged ? "process_limit "
	    "reached" : "no \"process_limit reached\" line");
	if (g == cap && rl_starts(c[cap].first, ok) && !rl_lc_final(&c[cap]) &&
	    dropped >= 1 &&
	    strstr(qstr_str(&pr->configured), "expects") == NULL)
		pr->status = RL_OK;
	rl_lc_close_all(c, (size_t)cap + 1);
out:
	qstr_free(&v);
}

static int
login_ok(const char *proto, const char *reply)
{
	return strcmp(proto, "imap") == 0 ? rl_starts(reply, "a OK") :
	    rl_starts(reply, "+OK");
}

/* one login on c from src; the reply line (never the command) in c->last */
static int
login(struct lc *c, const char *src, int port, const char *proto,
    const char *user, const char *pass)
{
	struct qstr cmd = QSTR_INIT(4096);
	const char *s;
	int mark, rc = -1;

	rl_lc_open(c, src, port);
	if (!rl_lc_reply(c, 0, NULL, RL_REPLY_MS))
		goto out;
	mark = c->lines;
	if (strcmp(proto, "imap") == 0) {
		qstr_cat(&cmd, "a LOGIN \"");
		for (s = user; *s; s++)
			qstr_catf(&cmd, "%s%c", *s == '"' || *s == '\\' ? "\\" :
			    "", *s);
		qstr_cat(&cmd, "\" \"");
		for (s = pass; *s; s++)
			qstr_catf(&cmd, "%s%c", *s == '"' || *s == '\\' ? "\\" :
			    "", *s);
		qstr_cat(&cmd, "\"\r\n");
		if (rl_lc_send(c, cmd.buf) < 0 || !rl_lc_reply(c, mark, "a ",
		    RL_REPLY_MS))
			goto out;
	} else {
		qstr_catf(&cmd, "USER %s\r\n", user);
		if (rl_lc_send(c, cmd.buf) < 0 || !rl_lc_reply(c, mark, NULL,
		    RL_REPLY_MS))
			goto out;
		if (!rl_starts(c->last, "+OK"))
			goto done;
		mark = c->lines;
		qstr_reset(&cmd);
		qstr_catf(&cmd, "PASS %s\r\n", pass);
		if (rl_lc_send(c, cmd.buf) < 0 || !rl_lc_reply(c, mark, NULL,
		    RL_REPLY_MS))
			goto out;
	}
done:
	rc = login_ok(proto, c->last);
out:
	if (cmd.buf != NULL)
		memset(cmd.buf, 0, cmd.len);
	qstr_free(&cmd);
	return rc;
}

static int
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

void
rl_probe_dc_userip(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c[RL_MAX_CONN + 1], other;
	struct qstr v = QSTR_INIT(4096);
	/* 2.3 answers POP3 with [IN-USE]; 2.4 with the words alone */
	const char *tag = strcmp(pr->service, "imap") == 0 ? "[LIMIT]" :
	    l->dc24 ? "Maximum number of connections from user+IP exceeded" :
	    "[IN-USE]";
	char a[32], b[32], filter[64];
	long n = pr->value, i, okn = 0, opened = 0;
	double end = qpm_clock_mono() + RL_LOGIN_S;
	int bad, r, ro;

	qstr_catf(&pr->what, "%s: login %ld of one user from one address "
	    "(mail_max_userip_connections %ld)", pr->service, n + 1, n);
	qpm_snprintf(filter, sizeof(filter), "protocol=%s", pr->service);
	rl_dc_value(env, filter, "mail_max_userip_connections", &v);
	bad = rl_conf_differs(pr, n, rl_secs(qstr_str(&v)), qstr_str(&v));
	if (n <= 0) {
		rl_not_probed(pr, "no limit (%ld)", n);
		goto out;
	}
	if (rl_too_many(pr, n + 1, "logins"))
		goto out;
	if (env->user == NULL || env->pass == NULL) {
		rl_not_probed(pr, "no mailbox allowed IMAP and POP3 with a "
		    "cleartext password (OUT/rehearse/cleartext-passwords, "
		    "--passwords)");
		goto out;
	}
	if (!printable(env->user) || !printable(env->pass)) {
		rl_not_probed(pr, "the password of %s has bytes a LOGIN line "
		    "cannot carry", env->user);
		goto out;
	}
	rl_src_addr(a, sizeof(a), l->blk, 0);
	rl_src_addr(b, sizeof(b), l->blk++, 1);
	qstr_catf(&pr->expected, "%ld logins of %s from %s work, login %ld "
	    "gets %s; from %s the same user still logs in", n, env->user, a,
	    n + 1, tag, b);
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld)", n);
	pr->status = RL_FAIL;
	for (i = 0; i <= n && qpm_clock_mono() < end; i++, opened++) {
		r = login(&c[i], a, port, pr->service, env->user, env->pass);
		if (i < n && r == 1)
			okn++;
	}
	ro = login(&other, b, port, pr->service, env->user, env->pass);
	if (opened <= n)
		qstr_catf(&pr->observed, "only %ld logins in %d s; ", opened,
		    RL_LOGIN_S);
	qstr_catf(&pr->observed, "%ld of %ld logins worked; login %ld: %s; "
	    "%s: %s", okn, n, n + 1, opened > n ? rl_lc_what(&c[n]) : "-", b,
	    rl_lc_what(&other));
	if (okn == n && opened > n && strstr(c[n].last, tag) != NULL &&
	    ro == 1 && !bad)
		pr->status = RL_OK;
	rl_lc_close_all(c, (size_t)opened);
	rl_lc_close(&other);
out:
	qstr_free(&v);
}
