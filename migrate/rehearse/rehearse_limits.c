/*
 * NAME		rehearse_limits - "qmail2postfix rehearse OUT --limits": the
 *		connection limits of OUT, proven with real connections
 * DOES		reads the limits the migration wrote (migration.json
 *		"limits" settings) and probes each against the running
 *		rehearsal: the (N+1)th SMTP connection from one address
 *		gets 421 while another address gets in; the (N+1)th IMAP or
 *		POP3 login of one user from one address is refused with
 *		[LIMIT]/[IN-USE]; the (maxproc+1)th SMTP connection waits;
 *		the (process_limit+1)th client before login makes Dovecot
 *		drop the oldest; a silent client is cut off after
 *		smtpd_timeout (as configured when it is short, else on a
 *		shortened copy of the service, and the output says which);
 *		the nftables file, loaded into a network namespace made
 *		here, refuses the (N+1)th connection of one source while
 *		another source gets in. Each probe also reads the value the
 *		rehearsal's configuration really has (postconf, doveconf).
 *		This file reads the probes from the model, adds the
 *		shortened copies to master.cf and runs the probes, which
 *		are in rl_postfix.c, rl_dovecot.c and rl_nft.c (connections:
 *		rl_conn.c; report: rl_report.c; shared: rl_int.h)
 * NEVER	connects outside 127.0.0.0/8 or its own namespace, opens more
 *		than RL_MAX_CONN connections in one probe, waits without a
 *		deadline, prints a password, calls a probe that did not run
 *		a pass
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/doveconf.h"
#include "mail/json.h"
#include "migrate/rehearse/rehearse.h"
#include "migrate/rehearse/rl_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

/* ----------------------------------------------------------- utilities */

void
rl_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* one source address per (block, index): 127.B.x.y, never 127.0.0.1 */
void
rl_src_addr(char *buf, size_t size, int blk, int j)
{
	qpm_snprintf(buf, size, "127.%d.%d.%d", 10 + blk % 200, j / 250,
	    j % 250 + 1);
}

int
rl_starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* "300s", "5m", "300" -> seconds; -1 when unreadable */
long
rl_secs(const char *v)
{
	char *end;
	long n;

	while (*v == ' ')
		v++;
	n = strtol(v, &end, 10);
	if (end == v || n < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': case '\n': return n;
	case 'm': return n * 60;
	case 'h': return n * 3600;
	case 'd': return n * 86400;
	case 'w': return n * 604800;
	}
	return -1;
}

/* Runs argv (no shell), stdout (and stderr with with_err) into out
 * (all of it); the exit status, 127 when the program is missing, -1 on
 * a timeout. */
static int
cmd_all(char *const argv[], struct qstr *out, int with_err)
{
	int pp[2], st, rc = -1;
	double end = qpm_clock_mono() + RL_CMD_S;
	struct pollfd pfd;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	qstr_reset(out);
	if (pipe(pp) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(pp[0]);
		close(pp[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 2);
		}
		dup2(pp[1], 1);
		if (with_err)
			dup2(pp[1], 2);
		close(pp[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pp[1]);
	pfd.fd = pp[0];
	pfd.events = POLLIN;
	while (qpm_clock_mono() < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = read(pp[0], buf, sizeof(buf))) <= 0)
			break;
		qstr_catn(out, buf, (size_t)n);
	}
	close(pp[0]);
	if (qpm_clock_mono() >= end)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (qpm_clock_mono() < end)
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return rc;
}

/* cmd_all with out cut to its first line */
int
rl_cmd_run(char *const argv[], struct qstr *out, int with_err)
{
	int rc = cmd_all(argv, out, with_err);

	if (out->len > 0) {
		out->len = strcspn(out->buf, "\n");
		out->buf[out->len] = '\0';
	}
	return rc;
}

static int
cmd_line(char *const argv[], struct qstr *out)
{
	return rl_cmd_run(argv, out, 0);
}

/* the value of PARAM for the rehearsal's service on port (its -o
 * override, else main.cf); "" when postconf says nothing */
void
rl_pf_value(const struct rh_limits_env *env, int port, const char *param,
    struct qstr *out)
{
	char key[256];
	char *av[] = { "postconf", "-c", (char *)env->pf_conf, "-Ph", key,
	    NULL };
	char *am[] = { "postconf", "-c", (char *)env->pf_conf, "-xh",
	    (char *)param, NULL };

	if (qpm_snprintf(key, sizeof(key), "127.0.0.1:%d/inet/%s", port,
	    param) < 0 || cmd_line(av, out) != 0 || out->len == 0)
		cmd_line(am, out);
}

long
rl_pf_maxproc(const struct rh_limits_env *env, int port)
{
	struct qstr v = QSTR_INIT(4096);
	char key[256];
	char *av[] = { "postconf", "-c", (char *)env->pf_conf, "-Fh", key,
	    NULL };
	char *ad[] = { "postconf", "-c", (char *)env->pf_conf, "-h",
	    "default_process_limit", NULL };
	long n = -1;

	if (qpm_snprintf(key, sizeof(key), "127.0.0.1:%d/inet/process_limit",
	    port) >= 0 && cmd_line(av, &v) == 0) {
		if (strcmp(qstr_str(&v), "-") == 0)
			cmd_line(ad, &v);
		n = rl_secs(qstr_str(&v));
	}
	qstr_free(&v);
	return n;
}

/* KEY as "doveconf -h" prints it (with filter, e.g. protocol=imap);
 * service/S/KEY from the block doveconf prints for service S, as both
 * 2.3 and 2.4 print it (2.4's -h refuses such a path when several
 * settings end in KEY: "Multiple settings matched"); "" when unset */
void
rl_dc_value(const struct rh_limits_env *env, const char *filter,
    const char *key, struct qstr *out)
{
	char blk[256];
	char *av[] = { "doveconf", "-c", (char *)env->dc_conf, "-f",
	    (char *)filter, "-h", (char *)key, NULL };
	char *an[] = { "doveconf", "-c", (char *)env->dc_conf, "-h",
	    (char *)key, NULL };
	char *ab[] = { "doveconf", "-c", (char *)env->dc_conf, blk, NULL };
	const char *slash = strrchr(key, '/'), *v;
	struct qstr all = QSTR_INIT(1024 * 1024);
	size_t n;

	if (slash == NULL) {
		cmd_line(filter != NULL ? av : an, out);
		goto out;
	}
	qstr_reset(out);
	if (qpm_snprintf(blk, sizeof(blk), "%.*s", (int)(slash - key),
	    key) >= 0 && cmd_all(ab, &all, 0) == 0 &&
	    doveconf_value(&all, key, &v, &n) == 0)
		qstr_catn(out, v, n);
out:
	qstr_free(&all);
}

void
rl_not_probed(struct rl_probe *pr, const char *fmt, ...)
{
	va_list ap;

	pr->status = RL_NOT_PROBED;
	qstr_reset(&pr->how);
	qstr_cat(&pr->how, "not probed: ");
	va_start(ap, fmt);
	qstr_vcatf(&pr->how, fmt, ap);
	va_end(ap);
}

/* 1, with the probe marked "not probed", when it needs more than the
 * RL_MAX_CONN connections (WHAT: "connections", "logins") one probe opens */
int
rl_too_many(struct rl_probe *pr, long n, const char *what)
{
	if (n <= RL_MAX_CONN)
		return 0;
	rl_not_probed(pr, "%ld %s are more than the %d one probe opens", n,
	    what, RL_MAX_CONN);
	return 1;
}

/* the configured value; 1 when it differs from what OUT says */
int
rl_conf_differs(struct rl_probe *pr, long want, long got, const char *raw)
{
	qstr_reset(&pr->configured);
	qstr_catf(&pr->configured, "%s", *raw ? raw : "(unset)");
	if (got == want)
		return 0;
	qstr_catf(&pr->configured, " - migration.json expects %ld", want);
	return 1;
}

/* --------------------------------------------- the probes of the model */

static void
probe_free(struct rl_probe *p)
{
	free(p->target);
	free(p->service);
	qstr_free(&p->what);
	qstr_free(&p->expected);
	qstr_free(&p->observed);
	qstr_free(&p->how);
	qstr_free(&p->configured);
	qstr_free(&p->before);
}

struct rh_limits *
rh_limits_new(json_t *model)
{
	struct rh_limits *l;
	json_t *lim, *set, *items, *s, *src, *it;
	size_t i, j, nset;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	qstr_init(&l->none, 4096);
	/* the Dovecot OUT was written for: 2.4 names settings and words
	 * refusals otherwise */
	l->dc24 = strcmp(qpm_json_get_str(json_object_get(model, "targets"),
	    "dovecot"), "2.4") == 0;
	lim = json_object_get(model, "limits");
	set = json_object_get(lim, "settings");
	items = json_object_get(lim, "items");
	if (!json_is_array(set) || json_array_size(set) == 0) {
		qstr_cat(&l->none, "migration.json has no \"limits\" settings "
		    "(made by a qmail2postfix without the limits module?)");
		return l;
	}
	nset = json_array_size(set);
	if (nset > RL_MAX_SETTINGS)
		nset = RL_MAX_SETTINGS;
	if ((l->v = calloc(nset, sizeof(*l->v))) == NULL) {
		rh_limits_free(l);
		return NULL;
	}
	for (i = 0; i < nset; i++) {
		struct rl_probe *p = &l->v[l->n];

		s = json_array_get(set, i);
		if (!json_is_object(s))
			continue;
		l->n++;
		qstr_init(&p->what, 4096);
		qstr_init(&p->expected, 4096);
		qstr_init(&p->observed, 8192);
		qstr_init(&p->how, 4096);
		qstr_init(&p->configured, 4096);
		qstr_init(&p->before, 8192);
		p->target = strdup(qpm_json_get_str(s, "target"));
		p->service = strdup(qpm_json_get_str(s, "service"));
		if (p->target == NULL || p->service == NULL) {
			rh_limits_free(l);
			return NULL;
		}
		p->value = qpm_json_get_int(s, "value", -1);
		p->old = qpm_json_get_int(s, "old", -1);
		p->per_seconds = qpm_json_get_int(s, "per_seconds", 0);
		p->perf = json_is_true(json_object_get(s, "perf_mode"));
		p->status = RL_NOT_PROBED;
		p->port = -1;
		qstr_cat(&p->how, "not run");
		/* the old host's side: the items this setting came from */
		src = json_object_get(s, "source_items");
		if (json_array_size(src) == 0)
			qstr_cat(&p->before, "no old setting");
		json_array_foreach(src, j, it) {
			json_t *item;
			const char *detail;

			if (!json_is_integer(it) || (item = json_array_get(items,
			    (size_t)json_integer_value(it))) == NULL)
				continue;
			detail = qpm_json_get_str(item, "detail");
			qstr_catf(&p->before, "%s%s%s%s (%s:%lld)", j ? "; " : "",
			    qpm_json_get_str(item, "source"), *detail ? ": " :
			    "", detail, qpm_json_get_str(item, "file"),
			    qpm_json_get_int(item, "line", 0));
		}
	}
	return l;
}

void
rh_limits_free(struct rh_limits *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		probe_free(&l->v[i]);
	free(l->v);
	strlist_free(&l->notes);
	qstr_free(&l->none);
	free(l);
}

static int
service_port(const struct rh_paths *p, const char *svc)
{
	if (strcmp(svc, "smtp") == 0)
		return p->smtp_port;
	if (strcmp(svc, "submission") == 0)
		return p->submission_port;
	if (strcmp(svc, "imap") == 0)
		return p->imap_port;
	if (strcmp(svc, "pop3") == 0)
		return p->pop3_port;
	return -1;
}

static const char *
not_started(const struct rh_paths *p, const char *svc)
{
	if (strcmp(svc, "smtps") == 0 && p->smtps_port > 0)
		return "smtps speaks TLS from the first byte and these probes "
		    "speak plain text (its logins are rehearsed in TLS)";
	if (strcmp(svc, "smtps") == 0)
		return "smtps is not started in the rehearsal (TLS wrapper "
		    "mode; the rehearsal has no certificate)";
	if (strcmp(svc, "imaps") == 0 || strcmp(svc, "pop3s") == 0)
		return "the TLS ports are off in the rehearsal (ssl = no; no "
		    "certificate)";
	return "the rehearsal runs no such service";
}

int
rh_limits_master(struct rh_limits *l, const struct rh_paths *p,
    struct qstr *master)
{
	struct qstr add = QSTR_INIT(1024 * 1024);
	char head[64];
	const char *s, *e = NULL;
	size_t i;
	int port, e2 = 0;

	for (i = 0; i < l->n && l->ncopies < RL_MAX_COPIES; i++) {
		struct rl_probe *pr = &l->v[i];
		size_t k;

		if (strcmp(pr->target, "smtpd_timeout") != 0 ||
		    pr->value <= RL_SHORT ||
		    (port = service_port(p, pr->service)) < 0)
			continue;
		for (k = 0; k < l->ncopies && l->copies[k].port != port; k++)
			;
		if (k < l->ncopies)
			continue;
		if (qpm_snprintf(head, sizeof(head), "127.0.0.1:%d inet ",
		    port) < 0)
			continue;
		/* the service's logical line: its head and continuations */
		for (s = master->buf; s != NULL && *s != '\0'; s = e) {
			e = s + strcspn(s, "\n");
			if (*e == '\n')
				e++;
			if (rl_starts(s, head))
				break;
		}
		if (s == NULL || *s == '\0')
			continue;
		while (*e == ' ' || *e == '\t') {
			e += strcspn(e, "\n");
			if (*e == '\n')
				e++;
		}
		if ((l->copies[l->ncopies].copy_port = p->next_port ?
		    p->next_port() : -1) < 0)
			continue;
		l->copies[l->ncopies].port = port;
		qstr_reset(&add);
		if ((e2 = qstr_catf(&add, "# rehearsal --limits: a copy of "
		    "127.0.0.1:%d with a short smtpd_timeout, to prove the "
		    "timeout without waiting %ld s\n127.0.0.1:%d inet ", port,
		    pr->value, l->copies[l->ncopies].copy_port)) < 0 ||
		    (e2 = qstr_catn(&add, s + strlen(head),
		    (size_t)(e - s) - strlen(head))) < 0 ||
		    (add.len > 0 && add.buf[add.len - 1] != '\n' &&
		    (e2 = qstr_catc(&add, '\n')) < 0) ||
		    (e2 = qstr_catf(&add, "  -o smtpd_timeout=%ds\n",
		    RL_COPY_TIMEOUT)) < 0)
			break;
		if (master->len > 0 && master->buf[master->len - 1] != '\n' &&
		    (e2 = qstr_catc(master, '\n')) < 0)
			break;
		if ((e2 = qstr_catn(master, add.buf, add.len)) < 0)
			break;
		l->ncopies++;
	}
	qstr_free(&add);
	return e2 < 0 ? e2 : 0;
}

/* ----------------------------------------------------------------- run */

int
rh_limits_run(struct rh_limits *l, const struct rh_limits_env *env)
{
	size_t i;
	int port, rfd = -1;
	pid_t nft_pid;

	l->ran = 1;
	if (l->n > 0)
		strlist_add(&l->notes, "the rehearsal empties mynetworks and "
		    "sets smtpd_client_event_limit_exceptions to its own "
		    "127.0.0.1 only, so the probes' loopback addresses "
		    "count like any other; OUT's exceptions still apply on the "
		    "new host");
	for (i = 0; i < l->n; i++)
		if (rl_starts(l->v[i].target, "nftables "))
			rl_nft_prepare(&l->v[i]);
	nft_pid = rl_nft_start(l, env, &rfd);
	for (i = 0; i < l->n; i++) {
		struct rl_probe *pr = &l->v[i];
		const char *t = pr->target;

		if (rl_starts(t, "nftables "))
			continue;
		port = service_port(env->p, pr->service);
		if (strcmp(t, "smtpd_client_connection_count_limit") == 0 ||
		    strcmp(t, "smtpd_client_connection_rate_limit") == 0 ||
		    strcmp(t, "master.cf maxproc") == 0 ||
		    strcmp(t, "smtpd_timeout") == 0 ||
		    strcmp(t, "smtpd_starttls_timeout") == 0 ||
		    strcmp(t, "service *-login process_limit") == 0 ||
		    strcmp(t, "mail_max_userip_connections") == 0) {
			if (port < 0) {
				qstr_catf(&pr->what, "%s: %s %ld", pr->service, t,
				    pr->value);
				rl_not_probed(pr, "%s", not_started(env->p,
				    pr->service));
				continue;
			}
		}
		if (msg_verbose)
			msg_info("limits: %s %s %ld", pr->service, t, pr->value);
		if (strcmp(t, "smtpd_client_connection_count_limit") == 0)
			rl_probe_pf_count(l, pr, env, port);
		else if (strcmp(t, "smtpd_client_connection_rate_limit") == 0)
			rl_probe_pf_rate(l, pr, env, port);
		else if (strcmp(t, "master.cf maxproc") == 0)
			rl_probe_pf_maxproc(l, pr, env, port);
		else if (strcmp(t, "smtpd_timeout") == 0)
			rl_probe_pf_timeout(l, pr, env, port);
		else if (strcmp(t, "smtpd_starttls_timeout") == 0) {
			qstr_catf(&pr->what, "%s: a stalled TLS handshake "
			    "(smtpd_starttls_timeout %ld s)", pr->service,
			    pr->value);
			rl_not_probed(pr, "the rehearsal runs without a certificate "
			    "(TLS off), so no handshake can stall");
		} else if (strcmp(t, "service *-login process_limit") == 0)
			rl_probe_dc_login(l, pr, env, port);
		else if (strcmp(t, "mail_max_userip_connections") == 0)
			rl_probe_dc_userip(l, pr, env, port);
		else {
			qstr_catf(&pr->what, "%s: %s %ld", pr->service, t,
			    pr->value);
			if (strcmp(t, "auth_failure_delay") == 0)
				rl_not_probed(pr, "the rehearsal sets it to 0 so that "
				    "its own failed logins answer at once");
			else if (strstr(t, "vsz_limit") != NULL)
				rl_not_probed(pr, "a memory limit, not a connection "
				    "limit");
			else
				rl_not_probed(pr, "no live probe for this setting");
		}
	}
	if (nft_pid > 0)
		rl_nft_finish(l, nft_pid, rfd);
	return 0;
}
