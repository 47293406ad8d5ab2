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
 * NEVER	connects outside 127.0.0.0/8 or its own namespace, opens more
 *		than RL_MAX_CONN connections in one probe, waits without a
 *		deadline, prints a password, calls a probe that did not run
 *		a pass
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/rehearse/rehearse.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

#define RL_MAX_CONN	256	/* connections one probe opens at most */
#define RL_MAX_SETTINGS	256	/* settings read from migration.json */
#define RL_SHORT	10	/* a timeout up to this many seconds is
				   probed as configured */
#define RL_COPY_TIMEOUT	3	/* smtpd_timeout of the shortened copy */
#define RL_MAX_COPIES	4	/* shortened copies in master.cf */
#define RL_GREET_MS	30000	/* every greeting of one batch */
#define RL_REPLY_MS	5000	/* one reply */
#define RL_WAIT_MS	2000	/* a connection that must wait stays
				   unanswered this long */
#define RL_DROP_MS	3000	/* Dovecot drops the oldest client within */
#define RL_LOGIN_S	60	/* one login series, all of it */
#define RL_NFT_CONN_MS	1000	/* one connect in the namespace (a SYN
				   is sent again after 1 s) */
#define RL_NFT_TOTAL_S	120	/* the whole namespace run */
#define RL_CMD_S	20	/* one postconf, doveconf or nft */
#define RL_TEXT		200	/* kept of one server line */

enum rl_status { RL_OK, RL_FAIL, RL_NOT_PROBED };
static const char *const status_names[] = { "ok", "fail", "not-probed" };

enum rl_nft { NFT_NONE, NFT_COUNT_IP, NFT_COUNT_24, NFT_RATE };

struct rl_probe {
	char		*target, *service;
	long		 value, old, per_seconds;
	int		 perf;
	int		 status;
	int		 nft, port;	/* nftables probes: kind, real port */
	struct qstr	 what, expected, observed, how, configured, before;
};

struct rl_copy {
	int		 port;		/* the service's rehearsal port */
	int		 copy_port;	/* its shortened copy */
};

struct rh_limits {
	struct rl_probe	*v;
	size_t		 n;
	struct rl_copy	 copies[RL_MAX_COPIES];
	size_t		 ncopies;
	int		 blk;		/* next block of source addresses */
	int		 ran;
	struct strlist	 notes;
	struct qstr	 none;		/* why there is nothing to probe */
};

/* ---------------------------------------------------------- utilities */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* one source address per (block, index): 127.B.x.y, never 127.0.0.1 */
static void
src_addr(char *buf, size_t size, int blk, int j)
{
	qpm_snprintf(buf, size, "127.%d.%d.%d", 10 + blk % 200, j / 250,
	    j % 250 + 1);
}

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* "300s", "5m", "300" -> seconds; -1 when unreadable */
static long
secs(const char *v)
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
 * (first line, trimmed); the exit status, 127 when the program is
 * missing, -1 on a timeout. */
static int
cmd_run(char *const argv[], struct qstr *out, int with_err)
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
	if (out->len > 0) {
		out->len = strcspn(out->buf, "\n");
		out->buf[out->len] = '\0';
	}
	return rc;
}

static int
cmd_line(char *const argv[], struct qstr *out)
{
	return cmd_run(argv, out, 0);
}

/* the value of PARAM for the rehearsal's service on port (its -o
 * override, else main.cf); "" when postconf says nothing */
static void
pf_value(const struct rh_limits_env *env, int port, const char *param,
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

static long
pf_maxproc(const struct rh_limits_env *env, int port)
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
		n = secs(qstr_str(&v));
	}
	qstr_free(&v);
	return n;
}

static void
dc_value(const struct rh_limits_env *env, const char *filter,
    const char *key, struct qstr *out)
{
	char *av[] = { "doveconf", "-c", (char *)env->dc_conf, "-f",
	    (char *)filter, "-h", (char *)key, NULL };
	char *an[] = { "doveconf", "-c", (char *)env->dc_conf, "-h",
	    (char *)key, NULL };

	cmd_line(filter != NULL ? av : an, out);
}

/* ------------------------------------------------------- connections */

enum { C_UNUSED, C_CONNECTING, C_OPEN, C_REFUSED, C_CLOSED, C_TIMEOUT };

struct lc {
	int	 fd, state, lines, reset;
	char	 first[RL_TEXT], last[RL_TEXT];
	char	 buf[1024];
	size_t	 blen;
	double	 t_open, t_line, t_end;
};

static void
lc_close(struct lc *c)
{
	struct linger lg = { 1, 0 };	/* RST: no TIME_WAIT, no conntrack */

	if (c->fd >= 0) {
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->fd);
	}
	c->fd = -1;
}

static void
lc_close_all(struct lc *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		lc_close(&c[i]);
}

/* a non-blocking connection from src to 127.0.0.1:port */
static void
lc_open(struct lc *c, const char *src, int port)
{
	struct sockaddr_in sa;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->t_open = qpm_clock_mono();
	c->state = C_REFUSED;
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sa.sin_addr) != 1 ||
	    bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		lc_close(c);
		return;
	}
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		c->state = C_OPEN;
	else if (errno == EINPROGRESS)
		c->state = C_CONNECTING;
	else {
		c->reset = errno == ECONNREFUSED;
		lc_close(c);
	}
}

static int
lc_final(const struct lc *c)
{
	return c->state == C_REFUSED || c->state == C_CLOSED ||
	    c->state == C_TIMEOUT || c->state == C_UNUSED;
}

static void
lc_lines(struct lc *c)
{
	char *nl;
	size_t n;

	while ((nl = memchr(c->buf, '\n', c->blen)) != NULL) {
		n = (size_t)(nl - c->buf);
		if (n > 0 && c->buf[n - 1] == '\r')
			n--;
		if (n >= RL_TEXT)
			n = RL_TEXT - 1;
		memcpy(c->last, c->buf, n);
		c->last[n] = '\0';
		if (c->lines++ == 0) {
			memcpy(c->first, c->last, n + 1);
			c->t_line = qpm_clock_mono();
		}
		n = (size_t)(nl - c->buf) + 1;
		memmove(c->buf, c->buf + n, c->blen - n);
		c->blen -= n;
	}
	if (c->blen == sizeof(c->buf))	/* a line longer than the buffer */
		c->blen = 0;
}

/* one round of I/O on every connection */
static void
lc_io(struct lc *c, size_t n, int ms)
{
	struct pollfd pfd[RL_MAX_CONN + 1];
	size_t i, k = 0, map[RL_MAX_CONN + 1];
	ssize_t r;
	int err;
	socklen_t el;

	for (i = 0; i < n && k < RL_MAX_CONN + 1; i++) {
		if (c[i].fd < 0 || lc_final(&c[i]))
			continue;
		pfd[k].fd = c[i].fd;
		pfd[k].events = c[i].state == C_CONNECTING ? POLLOUT : POLLIN;
		map[k++] = i;
	}
	if (k == 0) {
		sleep_ms(ms);
		return;
	}
	if (poll(pfd, k, ms) <= 0)
		return;
	for (i = 0; i < k; i++) {
		struct lc *x = &c[map[i]];

		if (pfd[i].revents == 0)
			continue;
		if (x->state == C_CONNECTING) {
			el = sizeof(err);
			if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
			if (err == 0)
				x->state = C_OPEN;
			else {
				x->state = C_REFUSED;
				x->reset = err == ECONNREFUSED;
				x->t_end = qpm_clock_mono();
				lc_close(x);
			}
			continue;
		}
		r = read(x->fd, x->buf + x->blen, sizeof(x->buf) - x->blen);
		if (r > 0) {
			x->blen += (size_t)r;
			lc_lines(x);
		} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			x->reset = r < 0 && errno == ECONNRESET;
			x->state = C_CLOSED;
			x->t_end = qpm_clock_mono();
			lc_close(x);
		}
	}
}

enum { W_LINE, W_CONNECT, W_END };

static int
lc_done(const struct lc *c, int want)
{
	switch (want) {
	case W_LINE: return c->lines > 0 || lc_final(c);
	case W_CONNECT: return c->state != C_CONNECTING;
	default: return lc_final(c);
	}
}

/* I/O until every connection in [from, n) is done (want) or ms passed;
 * 1 when all are done */
static int
lc_pump(struct lc *c, size_t n, size_t from, int want, long ms)
{
	double end = qpm_clock_mono() + (double)ms / 1000;
	size_t i;

	for (;;) {
		for (i = from; i < n && lc_done(&c[i], want); i++)
			;
		if (i == n)
			return 1;
		if (qpm_clock_mono() >= end)
			break;
		lc_io(c, n, 50);
	}
	for (i = from; i < n; i++)
		if (want == W_CONNECT && c[i].state == C_CONNECTING)
			c[i].state = C_TIMEOUT;
	return 0;
}

static int
lc_send(struct lc *c, const char *s)
{
	size_t len = strlen(s), off = 0;
	struct pollfd pfd;
	ssize_t w;
	int tries = 50;

	if (c->fd < 0)
		return -1;
	while (off < len && tries-- > 0) {
		if ((w = write(c->fd, s + off, len - off)) > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		pfd.fd = c->fd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, 100);
	}
	return off == len ? 0 : -1;
}

/* waits for a line after the first `mark` lines (starting with tag, or
 * any line when tag is NULL); 1 when one came */
static int
lc_reply(struct lc *c, int mark, const char *tag, long ms)
{
	double end = qpm_clock_mono() + (double)ms / 1000;

	while (qpm_clock_mono() < end) {
		if (c->lines > mark && (tag == NULL || starts(c->last, tag) ||
		    starts(c->last, "* BYE")))
			return 1;
		if (lc_final(c))
			return 0;
		lc_io(c, 1, 50);
	}
	return 0;
}

static const char *
lc_what(const struct lc *c)
{
	if (c->lines > 0)
		return c->last;
	switch (c->state) {
	case C_CONNECTING:
	case C_OPEN: return "(no answer yet)";
	case C_REFUSED: return c->reset ? "(refused: reset)" : "(refused)";
	case C_TIMEOUT: return "(no answer: dropped)";
	case C_CLOSED: return c->reset ? "(reset)" : "(closed)";
	}
	return "(not opened)";
}

/* ------------------------------------------------------------ setup */

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
not_started(const char *svc)
{
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
			if (starts(s, head))
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

/* ------------------------------------------------------------ probes */

static void
not_probed(struct rl_probe *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
not_probed(struct rl_probe *pr, const char *fmt, ...)
{
	va_list ap;

	pr->status = RL_NOT_PROBED;
	qstr_reset(&pr->how);
	qstr_cat(&pr->how, "not probed: ");
	va_start(ap, fmt);
	qstr_vcatf(&pr->how, fmt, ap);
	va_end(ap);
}

/* the configured value; 1 when it differs from what OUT says */
static int
conf_differs(struct rl_probe *pr, long want, long got, const char *raw)
{
	qstr_reset(&pr->configured);
	qstr_catf(&pr->configured, "%s", *raw ? raw : "(unset)");
	if (got == want)
		return 0;
	qstr_catf(&pr->configured, " - migration.json expects %ld", want);
	return 1;
}

static void
probe_pf_count(struct rh_limits *l, struct rl_probe *pr,
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
		not_probed(pr, "no per-client limit here (0), as on the old "
		    "host");
		goto out;
	}
	if (n + 1 > RL_MAX_CONN) {
		not_probed(pr, "%ld connections are more than the %d one probe "
		    "opens", n + 1, RL_MAX_CONN);
		goto out;
	}
	pf_value(env, port, "smtpd_client_connection_count_limit", &v);
	bad = conf_differs(pr, n, secs(qstr_str(&v)), qstr_str(&v));
	if ((mp = pf_maxproc(env, port)) > 0 && mp < n + 1) {
		not_probed(pr, "maxproc %ld makes connection %ld wait before "
		    "smtpd counts it", mp, mp + 1);
		goto out;
	}
	src_addr(a, sizeof(a), l->blk, 0);
	src_addr(b, sizeof(b), l->blk++, 1);
	qstr_catf(&pr->expected, "connections 1-%ld from %s get 220, "
	    "connection %ld gets 421, %s still gets 220", n, a, n + 1, b);
	pr->status = RL_FAIL;
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld)", n);
	for (i = 0; i < n; i++)
		lc_open(&c[i], a, port);
	lc_pump(c, (size_t)n, 0, W_LINE, RL_GREET_MS);
	for (i = 0; i < n; i++)
		g += starts(c[i].first, "220");
	lc_open(&c[n], a, port);
	lc_pump(c, (size_t)n + 1, (size_t)n, W_LINE, RL_REPLY_MS);
	lc_open(&other, b, port);
	lc_pump(&other, 1, 0, W_LINE, RL_REPLY_MS);
	qstr_catf(&pr->observed, "%ld of %ld got 220; connection %ld: %s; "
	    "%s: %s", g, n, n + 1, lc_what(&c[n]), b, lc_what(&other));
	if (g == n && starts(c[n].first, "421") && starts(other.first, "220") &&
	    !bad)
		pr->status = RL_OK;
	lc_close_all(c, (size_t)n + 1);
	lc_close(&other);
out:
	qstr_free(&v);
}

static void
probe_pf_rate(struct rh_limits *l, struct rl_probe *pr,
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
		not_probed(pr, "no rate limit here (0)");
		goto out;
	}
	if (n + 1 > RL_MAX_CONN) {
		not_probed(pr, "%ld connections are more than the %d one probe "
		    "opens", n + 1, RL_MAX_CONN);
		goto out;
	}
	pf_value(env, port, "smtpd_client_connection_rate_limit", &v);
	pf_value(env, port, "anvil_rate_time_unit", &u);
	unit = secs(qstr_str(&u));
	bad = conf_differs(pr, n, secs(qstr_str(&v)), qstr_str(&v));
	qstr_catf(&pr->configured, "; anvil_rate_time_unit %s", qstr_str(&u));
	if (pr->per_seconds > 0 && unit != pr->per_seconds) {
		qstr_catf(&pr->configured, " - migration.json expects %lds",
		    pr->per_seconds);
		bad = 1;
	}
	src_addr(a, sizeof(a), l->blk, 0);
	src_addr(b, sizeof(b), l->blk++, 1);
	qstr_catf(&pr->expected, "connections 1-%ld from %s, one after the "
	    "other, get 220; connection %ld gets 421; %s gets 220", n, a,
	    n + 1, b);
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld per %s)", n, qstr_str(&u));
	pr->status = RL_FAIL;
	t0 = qpm_clock_mono();
	for (i = 0; i <= n; i++) {
		lc_open(&c, a, port);
		lc_pump(&c, 1, 0, W_LINE, RL_REPLY_MS);
		if (i < n && starts(c.first, "220"))
			g++;
		if (i < n)
			lc_close(&c);
	}
	lc_open(&other, b, port);
	lc_pump(&other, 1, 0, W_LINE, RL_REPLY_MS);
	qstr_catf(&pr->observed, "%ld of %ld got 220 (in %.1f s); connection "
	    "%ld: %s; %s: %s", g, n, qpm_clock_mono() - t0, n + 1, lc_what(&c), b,
	    lc_what(&other));
	if (g == n && starts(c.first, "421") && starts(other.first, "220") &&
	    !bad && (unit <= 0 || qpm_clock_mono() - t0 < (double)unit))
		pr->status = RL_OK;
	lc_close(&c);
	lc_close(&other);
out:
	qstr_free(&v);
	qstr_free(&u);
}

static void
probe_pf_maxproc(struct rh_limits *l, struct rl_probe *pr,
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
		not_probed(pr, "no process limit to probe (%ld)", n);
		return;
	}
	if (n + 1 > RL_MAX_CONN) {
		not_probed(pr, "%ld connections are more than the %d one probe "
		    "opens", n + 1, RL_MAX_CONN);
		return;
	}
	mp = pf_maxproc(env, port);
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
		src_addr(a, sizeof(a), l->blk, (int)i);
		if (i < n)
			lc_open(&c[i], a, port);
	}
	lc_pump(c, (size_t)n, 0, W_LINE, RL_GREET_MS);
	for (i = 0; i < n; i++)
		g += starts(c[i].first, "220");
	lc_open(&c[n], a, port);
	lc_pump(c, (size_t)n + 1, (size_t)n, W_LINE, RL_WAIT_MS);
	waited = c[n].lines == 0 && !lc_final(&c[n]);
	lc_close(&c[0]);
	c[0].state = C_CLOSED;
	t = qpm_clock_mono();
	lc_pump(c, (size_t)n + 1, (size_t)n, W_LINE, RL_REPLY_MS * 2);
	l->blk++;
	qstr_catf(&pr->observed, "%ld of %ld got 220; connection %ld: %s; "
	    "after one closed: %s", g, n, n + 1, waited ? "no banner for 2 s" :
	    lc_what(&c[n]), c[n].lines ? c[n].first : lc_what(&c[n]));
	if (c[n].lines > 0 && waited)
		qstr_catf(&pr->observed, " (%.1f s later)", c[n].t_line - t);
	if (g == n && waited && starts(c[n].first, "220") && mp == n)
		pr->status = RL_OK;
	lc_close_all(c, (size_t)n + 1);
}

static void
probe_pf_timeout(struct rh_limits *l, struct rl_probe *pr,
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
	pf_value(env, port, "smtpd_timeout", &v);
	bad = conf_differs(pr, t, secs(qstr_str(&v)), qstr_str(&v));
	if (t <= 0) {
		not_probed(pr, "no timeout (%ld)", t);
		goto out;
	}
	qstr_reset(&pr->how);
	if (t > RL_SHORT) {
		for (k = 0; k < l->ncopies && l->copies[k].port != port; k++)
			;
		if (k == l->ncopies) {
			not_probed(pr, "%ld s", t);
			goto out;
		}
		probe_port = l->copies[k].copy_port;
		probe_t = RL_COPY_TIMEOUT;
		pf_value(env, probe_port, "smtpd_timeout", &v);
		qstr_catf(&pr->configured, "; the copy on 127.0.0.1:%d has %s",
		    probe_port, qstr_str(&v));
		qstr_catf(&pr->how, "shortened copy: the configured %ld s is "
		    "not waited for; the mechanism is proven on the rehearsal's "
		    "copy of this service (127.0.0.1:%d, same options, "
		    "smtpd_timeout=%lds)", t, probe_port, probe_t);
	} else
		qstr_catf(&pr->how, "as configured (%ld s)", t);
	src_addr(a, sizeof(a), l->blk++, 0);
	qstr_catf(&pr->expected, "cut off %ld s after the banner (421, then "
	    "closed)", probe_t);
	pr->status = RL_FAIL;
	lc_open(&c, a, probe_port);
	lc_pump(&c, 1, 0, W_LINE, RL_REPLY_MS);
	if (!starts(c.first, "220")) {
		qstr_catf(&pr->observed, "no banner: %s", lc_what(&c));
		lc_close(&c);
		goto out;
	}
	lc_pump(&c, 1, 0, W_END, (probe_t + 5) * 1000);
	if (c.state != C_CLOSED) {
		qstr_catf(&pr->observed, "still open after %ld s", probe_t + 5);
		lc_close(&c);
		goto out;
	}
	cut = c.t_end - c.t_line;
	qstr_catf(&pr->observed, "cut off after %.1f s: %s", cut, c.last);
	if (cut >= (double)probe_t - 1 && cut <= (double)probe_t + 3 && !bad)
		pr->status = RL_OK;
out:
	qstr_free(&v);
}

/* Dovecot's log has "process_limit (n) reached" (within 2 s) */
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
	for (tries = 0; tries < 20 && !found; tries++) {
		qstr_reset(&log);
		if (file_read_all(path, 64 * 1024 * 1024, 0, &log) == 0 &&
		    log.len > 0 && strstr(log.buf, want) != NULL)
			found = 1;
		else
			sleep_ms(100);
	}
	qstr_free(&log);
	return found;
}

static void
probe_dc_login(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c[RL_MAX_CONN + 1];
	struct qstr v = QSTR_INIT(4096);
	const char *ok = strcmp(pr->service, "imap") == 0 ? "* OK" : "+OK";
	char key[128], a[32];
	long n = pr->value, cap, sc, cl, i, g = 0, dropped = 0, first_drop = 0;
	int logged;
	double t;

	qstr_catf(&pr->what, "%s: client %ld before login (%s-login "
	    "process_limit %ld)", pr->service, n + 1, pr->service, n);
	if (qpm_snprintf(key, sizeof(key), "service/%s-login/process_limit",
	    pr->service) < 0)
		goto out;
	dc_value(env, NULL, key, &v);
	conf_differs(pr, n, secs(qstr_str(&v)), qstr_str(&v));
	qpm_snprintf(key, sizeof(key), "service/%s-login/service_count",
	    pr->service);
	dc_value(env, NULL, key, &v);
	sc = secs(qstr_str(&v));
	qstr_catf(&pr->configured, "; service_count %s", qstr_str(&v));
	qpm_snprintf(key, sizeof(key), "service/%s-login/client_limit",
	    pr->service);
	dc_value(env, NULL, key, &v);
	cl = secs(qstr_str(&v));
	if (cl <= 0) {
		dc_value(env, NULL, "default_client_limit", &v);
		cl = secs(qstr_str(&v));
	}
	cap = sc == 1 ? n : n * (cl > 0 ? cl : 1);
	if (n <= 0) {
		not_probed(pr, "no process limit (%ld)", n);
		goto out;
	}
	if (cap + 1 > RL_MAX_CONN) {
		not_probed(pr, "%ld clients (process_limit %ld x client_limit "
		    "%ld) are more than the %d one probe opens", cap + 1, n, cl,
		    RL_MAX_CONN);
		goto out;
	}
	qstr_catf(&pr->expected, "%ld clients are greeted and wait before "
	    "login; client %ld is greeted too, waiting clients are dropped "
	    "(\"Connection queue full\") so that at most %ld stay, and the "
	    "log says \"process_limit (%ld) reached\"", cap, cap + 1, cap, n);
	qstr_reset(&pr->how);
	qstr_catf(&pr->how, "as configured (%ld%s)", cap, sc == 1 ? "" :
	    " = process_limit x client_limit, high-performance mode");
	pr->status = RL_FAIL;
	for (i = 0; i < cap; i++) {
		src_addr(a, sizeof(a), l->blk, (int)i);
		lc_open(&c[i], a, port);
	}
	lc_pump(c, (size_t)cap, 0, W_LINE, RL_GREET_MS);
	for (i = 0; i < cap; i++)
		g += starts(c[i].first, ok) && !lc_final(&c[i]);
	src_addr(a, sizeof(a), l->blk++, (int)cap);
	lc_open(&c[cap], a, port);
	lc_pump(c, (size_t)cap + 1, (size_t)cap, W_LINE, RL_REPLY_MS * 2);
	/* until some waiting client is dropped, then a moment for the rest */
	for (t = qpm_clock_mono(); qpm_clock_mono() - t < (double)RL_DROP_MS / 1000; ) {
		for (i = 0; i < cap && !lc_final(&c[i]) && c[i].lines < 2; i++)
			;
		if (i < cap)
			break;
		lc_io(c, (size_t)cap, 50);
	}
	lc_pump(c, (size_t)cap, (size_t)cap, W_END, 300);
	t = qpm_clock_mono() + 0.3;
	while (qpm_clock_mono() < t)
		lc_io(c, (size_t)cap, 50);
	for (i = 0; i < cap; i++)
		if (lc_final(&c[i]) || c[i].lines > 1) {
			if (dropped++ == 0)
				first_drop = i;
		}
	logged = dc_logged(env, n);
	qstr_catf(&pr->observed, "%ld of %ld greeted; client %ld: %s; "
	    "dropped before login: %ld, so %ld stay", g, cap, cap + 1,
	    c[cap].lines ? c[cap].first : lc_what(&c[cap]), dropped,
	    cap + 1 - dropped);
	if (dropped > 0)
		qstr_catf(&pr->observed, " (client %ld: %s)", first_drop + 1,
		    c[first_drop].lines > 1 ? c[first_drop].last :
		    lc_what(&c[first_drop]));
	qstr_catf(&pr->observed, "; log: %s", logged ? "process_limit "
	    "reached" : "no \"process_limit reached\" line");
	if (g == cap && starts(c[cap].first, ok) && !lc_final(&c[cap]) &&
	    dropped >= 1 && logged &&
	    strstr(qstr_str(&pr->configured), "expects") == NULL)
		pr->status = RL_OK;
	lc_close_all(c, (size_t)cap + 1);
out:
	qstr_free(&v);
}

static int
login_ok(const char *proto, const char *reply)
{
	return strcmp(proto, "imap") == 0 ? starts(reply, "a OK") :
	    starts(reply, "+OK");
}

/* one login on c from src; the reply line (never the command) in c->last */
static int
login(struct lc *c, const char *src, int port, const char *proto,
    const char *user, const char *pass)
{
	struct qstr cmd = QSTR_INIT(4096);
	const char *s;
	int mark, rc = -1;

	lc_open(c, src, port);
	if (!lc_reply(c, 0, NULL, RL_REPLY_MS))
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
		if (lc_send(c, cmd.buf) < 0 || !lc_reply(c, mark, "a ",
		    RL_REPLY_MS))
			goto out;
	} else {
		qstr_catf(&cmd, "USER %s\r\n", user);
		if (lc_send(c, cmd.buf) < 0 || !lc_reply(c, mark, NULL,
		    RL_REPLY_MS))
			goto out;
		if (!starts(c->last, "+OK"))
			goto done;
		mark = c->lines;
		qstr_reset(&cmd);
		qstr_catf(&cmd, "PASS %s\r\n", pass);
		if (lc_send(c, cmd.buf) < 0 || !lc_reply(c, mark, NULL,
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

static void
probe_dc_userip(struct rh_limits *l, struct rl_probe *pr,
    const struct rh_limits_env *env, int port)
{
	struct lc c[RL_MAX_CONN + 1], other;
	struct qstr v = QSTR_INIT(4096);
	const char *tag = strcmp(pr->service, "imap") == 0 ? "[LIMIT]" :
	    "[IN-USE]";
	char a[32], b[32], filter[64];
	long n = pr->value, i, okn = 0, opened = 0;
	double end = qpm_clock_mono() + RL_LOGIN_S;
	int bad, r, ro;

	qstr_catf(&pr->what, "%s: login %ld of one user from one address "
	    "(mail_max_userip_connections %ld)", pr->service, n + 1, n);
	qpm_snprintf(filter, sizeof(filter), "protocol=%s", pr->service);
	dc_value(env, filter, "mail_max_userip_connections", &v);
	bad = conf_differs(pr, n, secs(qstr_str(&v)), qstr_str(&v));
	if (n <= 0) {
		not_probed(pr, "no limit (%ld)", n);
		goto out;
	}
	if (n + 1 > RL_MAX_CONN) {
		not_probed(pr, "%ld logins are more than the %d one probe opens",
		    n + 1, RL_MAX_CONN);
		goto out;
	}
	if (env->user == NULL || env->pass == NULL) {
		not_probed(pr, "no mailbox allowed IMAP and POP3 with a "
		    "cleartext password (OUT/rehearse/cleartext-passwords, "
		    "--passwords)");
		goto out;
	}
	if (!printable(env->user) || !printable(env->pass)) {
		not_probed(pr, "the password of %s has bytes a LOGIN line "
		    "cannot carry", env->user);
		goto out;
	}
	src_addr(a, sizeof(a), l->blk, 0);
	src_addr(b, sizeof(b), l->blk++, 1);
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
	    "%s: %s", okn, n, n + 1, opened > n ? lc_what(&c[n]) : "-", b,
	    lc_what(&other));
	if (okn == n && opened > n && strstr(c[n].last, tag) != NULL &&
	    ro == 1 && !bad)
		pr->status = RL_OK;
	lc_close_all(c, (size_t)opened);
	lc_close(&other);
out:
	qstr_free(&v);
}

/* ---------------------------------------------------------- nftables */

static int
nft_port(const char *svc)
{
	static const struct { const char *s; int p; } map[] = {
		{ "smtp", 25 }, { "submission", 587 }, { "smtps", 465 },
		{ "pop3", 110 }, { "pop3s", 995 }, { "imap", 143 },
		{ "imaps", 993 }, { NULL, 0 }
	};
	int i;

	for (i = 0; map[i].s != NULL; i++)
		if (strcmp(map[i].s, svc) == 0)
			return map[i].p;
	return -1;
}

static struct rl_probe *
nft_find(struct rh_limits *l, int kind, int port)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].nft == kind && l->v[i].port == port)
			return &l->v[i];
	return NULL;
}

/* lo up in the current (new) namespace */
static int
lo_up(void)
{
	struct ifreq ifr;
	int fd, rc = -1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

static int
listen_on(int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1024) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* accepts and closes whatever waits on fd (the kernel completed them) */
static void
drain(int fd)
{
	int c, n = 0;

	while (n++ < 4 * RL_MAX_CONN && (c = accept4(fd, NULL, NULL,
	    SOCK_CLOEXEC)) >= 0) {
		struct linger lg = { 1, 0 };

		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
	}
}

static int
connected(const struct lc *c)
{
	return c->state == C_OPEN;
}

/* one probe inside the namespace; its line for the parent in out */
static void
nft_one(const struct rl_probe *pr, int idx, struct qstr *out)
{
	struct lc c[RL_MAX_CONN + 1], other;
	struct qstr obs = QSTR_INIT(8192);
	char a[32], b[32];
	long n = pr->value, i, g = 0;
	int lfd, ok = 0;

	if ((lfd = listen_on(pr->port)) < 0) {
		qstr_catf(out, "R\t%d\t0\tcannot listen on port %d in the "
		    "namespace: %s\n", idx, pr->port, strerror(errno));
		return;
	}
	memset(&other, 0, sizeof(other));
	other.fd = -1;
	qpm_snprintf(b, sizeof(b), "127.%d.2.1", 100 + idx % 150);
	if (pr->nft == NFT_COUNT_IP || pr->nft == NFT_COUNT_24) {
		for (i = 0; i <= n; i++) {
			if (pr->nft == NFT_COUNT_IP)
				qpm_snprintf(a, sizeof(a), "127.%d.1.1",
				    100 + idx % 150);
			else
				qpm_snprintf(a, sizeof(a), "127.%d.1.%ld",
				    100 + idx % 150, i + 1);
			lc_open(&c[i], a, pr->port);
			lc_pump(c, (size_t)i + 1, (size_t)i, W_CONNECT,
			    RL_NFT_CONN_MS);
			if (i < n)
				g += connected(&c[i]);
		}
		lc_open(&other, b, pr->port);
		lc_pump(&other, 1, 0, W_CONNECT, RL_NFT_CONN_MS);
		qstr_catf(&obs, "%ld of %ld connections from %s got in; "
		    "connection %ld%s: %s; %s: %s", g, n,
		    pr->nft == NFT_COUNT_IP ? a : "one /24 (one address each)",
		    n + 1, pr->nft == NFT_COUNT_24 ? " (another address of the "
		    "/24)" : "", connected(&c[n]) ? "got in" : lc_what(&c[n]), b,
		    connected(&other) ? "got in" : lc_what(&other));
		ok = g == n && !connected(&c[n]) && connected(&other);
		lc_close_all(c, (size_t)n + 1);
	} else {
		qpm_snprintf(a, sizeof(a), "127.%d.1.1", 100 + idx % 150);
		for (i = 0; i <= n; i++) {
			lc_open(&c[0], a, pr->port);
			lc_pump(c, 1, 0, W_CONNECT, RL_NFT_CONN_MS);
			if (i < n) {
				g += connected(&c[0]);
				lc_close(&c[0]);
				drain(lfd);
			}
		}
		lc_open(&other, b, pr->port);
		lc_pump(&other, 1, 0, W_CONNECT, RL_NFT_CONN_MS);
		qstr_catf(&obs, "%ld of %ld connections from %s (one after the "
		    "other) got in; connection %ld: %s; %s: %s", g, n, a, n + 1,
		    connected(&c[0]) ? "got in" : lc_what(&c[0]), b,
		    connected(&other) ? "got in" : lc_what(&other));
		ok = g == n && !connected(&c[0]) && connected(&other);
		lc_close(&c[0]);
	}
	lc_close(&other);
	drain(lfd);
	close(lfd);
	qstr_catf(out, "R\t%d\t%d\t%s\n", idx, ok, qstr_str(&obs));
	qstr_free(&obs);
	sleep_ms(100);
}

/* the child: a new network namespace, lo up, the file loaded, probes */
static void
nft_child(struct rh_limits *l, const char *file, int wfd)
{
	struct qstr out = QSTR_INIT(1024 * 1024), tail = QSTR_INIT(64 * 1024);
	char *av[] = { "nft", "-f", (char *)file, NULL };
	size_t i;
	int rc;

	alarm(RL_NFT_TOTAL_S);
	if (unshare(CLONE_NEWNET) < 0) {
		qstr_catf(&out, "E\tno private network namespace: "
		    "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		goto done;
	}
	if (lo_up() < 0) {
		qstr_catf(&out, "E\tcannot bring lo up in the namespace: %s\n",
		    strerror(errno));
		goto done;
	}
	if ((rc = cmd_run(av, &tail, 1)) == 127) {
		qstr_catf(&out, "E\tnft is not installed (Debian package "
		    "nftables)\n");
		goto done;
	}
	if (rc != 0) {
		/* our own file does not load: every nftables probe fails */
		qstr_catf(&out, "F\tnft -f failed (exit %d): ", rc);
		qstr_cat_vis(&out, qstr_str(&tail), tail.len, 0);
		qstr_catc(&out, '\n');
		goto done;
	}
	for (i = 0; i < l->n; i++)
		if (l->v[i].nft != NFT_NONE && l->v[i].status == RL_FAIL)
			nft_one(&l->v[i], (int)i, &out);
done:
	if (write(wfd, out.buf, out.len) < 0)
		_exit(1);
	_exit(0);
}

/* prepares the nftables probes and starts the namespace child, which
 * runs while the servers are probed; 0 when nothing was started */
static pid_t
nft_start(struct rh_limits *l, const struct rh_limits_env *env, int *rfd)
{
	size_t i, want = 0;
	int pp[2];
	pid_t pid = 0;

	for (i = 0; i < l->n; i++) {
		struct rl_probe *pr = &l->v[i], *x;
		long lim = pr->nft == NFT_COUNT_24 ? 253 : RL_MAX_CONN - 1;

		if (pr->nft == NFT_NONE)
			continue;
		qstr_reset(&pr->configured);
		qstr_catf(&pr->configured, "%s", env->nft_file);
		if (pr->port < 0) {
			not_probed(pr, "no port known for service %s", pr->service);
			continue;
		}
		if (pr->value <= 0 || pr->value > lim) {
			not_probed(pr, "%ld is outside what one probe opens (1-%ld)",
			    pr->value, lim);
			continue;
		}
		if (pr->nft == NFT_COUNT_IP &&
		    (((x = nft_find(l, NFT_RATE, pr->port)) != NULL &&
		    x->value <= pr->value) || ((x = nft_find(l, NFT_COUNT_24,
		    pr->port)) != NULL && x->value <= pr->value))) {
			not_probed(pr, "the %s of %ld on port %d stops the same "
			    "source first (connection %ld); that rule has its own "
			    "probe", x->nft == NFT_RATE ? "rate limit" :
			    "per-/24 count", x->value, pr->port, x->value + 1);
			continue;
		}
		if (pr->nft == NFT_RATE && pr->per_seconds > 0 &&
		    pr->per_seconds < 30) {
			not_probed(pr, "a window of %ld s is too short to count "
			    "connections in reliably", pr->per_seconds);
			continue;
		}
		pr->status = RL_FAIL;	/* until the namespace says otherwise */
		qstr_reset(&pr->how);
		qstr_catf(&pr->how, "as configured, in a private network "
		    "namespace (IPv4 rule; its ip6 twin is not probed)");
		want++;
	}
	if (want == 0)
		return 0;
	if (access(env->nft_file, R_OK) < 0) {
		for (i = 0; i < l->n; i++)
			if (l->v[i].nft != NFT_NONE && l->v[i].status == RL_FAIL)
				not_probed(&l->v[i], "%s: %s", env->nft_file,
				    strerror(errno));
		return 0;
	}
	if (pipe(pp) < 0)
		return 0;
	if ((pid = fork()) < 0) {
		close(pp[0]);
		close(pp[1]);
		return 0;
	}
	if (pid == 0) {
		close(pp[0]);
		nft_child(l, env->nft_file, pp[1]);
	}
	close(pp[1]);
	*rfd = pp[0];
	return pid;
}

/* the namespace child's results into the probes */
static void
nft_finish(struct rh_limits *l, pid_t pid, int rfd)
{
	struct qstr got = QSTR_INIT(4 * 1024 * 1024);
	double end = qpm_clock_mono() + RL_NFT_TOTAL_S + 5;
	struct pollfd pfd;
	char buf[4096], *line, *next, *f;
	size_t i;
	ssize_t n;
	int st;

	pfd.fd = rfd;
	pfd.events = POLLIN;
	while (qpm_clock_mono() < end) {
		if (poll(&pfd, 1, 500) <= 0)
			continue;
		if ((n = read(rfd, buf, sizeof(buf))) <= 0)
			break;
		qstr_catn(&got, buf, (size_t)n);
	}
	close(rfd);
	if (qpm_clock_mono() >= end)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (line = got.buf; line != NULL && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((line[0] == 'E' || line[0] == 'F') && line[1] == '\t') {
			for (i = 0; i < l->n; i++) {
				if (l->v[i].nft == NFT_NONE ||
				    l->v[i].status != RL_FAIL ||
				    l->v[i].observed.len != 0)
					continue;
				if (line[0] == 'E')
					not_probed(&l->v[i], "%s", line + 2);
				else
					qstr_cat(&l->v[i].observed, line + 2);
			}
			continue;
		}
		if (line[0] != 'R' || (f = strchr(line + 2, '\t')) == NULL)
			continue;
		i = strtoul(line + 2, NULL, 10);
		if (i >= l->n || f[1] == '\0' || f[2] != '\t')
			continue;
		l->v[i].status = f[1] == '1' ? RL_OK : RL_FAIL;
		qstr_cat(&l->v[i].observed, f + 3);
	}
	for (i = 0; i < l->n; i++)
		if (l->v[i].nft != NFT_NONE && l->v[i].status == RL_FAIL &&
		    l->v[i].observed.len == 0)
			qstr_cat(&l->v[i].observed, "no result from the namespace "
			    "(timed out)");
	qstr_free(&got);
}

static void
nft_prepare(struct rl_probe *pr)
{
	const char *t = pr->target;
	const char *unit = pr->per_seconds == 1 ? "second" :
	    pr->per_seconds == 3600 ? "hour" : "minute";

	pr->port = nft_port(pr->service);
	if (strcmp(t, "nftables ct count per IP") == 0) {
		pr->nft = NFT_COUNT_IP;
		qstr_catf(&pr->what, "nftables, port %d: connection %ld from one "
		    "source (ct count over %ld per IP)", pr->port, pr->value + 1,
		    pr->value);
		qstr_catf(&pr->expected, "%ld connections from one address get "
		    "in, connection %ld is refused, another /24 gets in",
		    pr->value, pr->value + 1);
	} else if (strcmp(t, "nftables ct count per /24") == 0) {
		pr->nft = NFT_COUNT_24;
		qstr_catf(&pr->what, "nftables, port %d: connection %ld from one "
		    "/24 (ct count over %ld per /24)", pr->port, pr->value + 1,
		    pr->value);
		qstr_catf(&pr->expected, "%ld connections from %ld addresses of "
		    "one /24 get in, connection %ld (another address of that "
		    "/24) is refused, another /24 gets in", pr->value, pr->value,
		    pr->value + 1);
	} else {
		pr->nft = NFT_RATE;
		qstr_catf(&pr->what, "nftables, port %d: new connection %ld "
		    "from one source (limit rate over %ld/%s)", pr->port,
		    pr->value + 1, pr->value, unit);
		qstr_catf(&pr->expected, "%ld connections, one after the "
		    "other, get in, connection %ld is dropped, another source "
		    "gets in", pr->value, pr->value + 1);
	}
}

/* -------------------------------------------------------------- run */

int
rh_limits_run(struct rh_limits *l, const struct rh_limits_env *env)
{
	size_t i;
	int port, rfd = -1;
	pid_t nft_pid;

	l->ran = 1;
	if (l->n > 0)
		strlist_add(&l->notes, "the rehearsal empties mynetworks and "
		    "smtpd_client_event_limit_exceptions, so loopback clients "
		    "count like any other; OUT's exceptions still apply on the "
		    "new host");
	for (i = 0; i < l->n; i++)
		if (starts(l->v[i].target, "nftables "))
			nft_prepare(&l->v[i]);
	nft_pid = nft_start(l, env, &rfd);
	for (i = 0; i < l->n; i++) {
		struct rl_probe *pr = &l->v[i];
		const char *t = pr->target;

		if (starts(t, "nftables "))
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
				not_probed(pr, "%s", not_started(pr->service));
				continue;
			}
		}
		if (msg_verbose)
			msg_info("limits: %s %s %ld", pr->service, t, pr->value);
		if (strcmp(t, "smtpd_client_connection_count_limit") == 0)
			probe_pf_count(l, pr, env, port);
		else if (strcmp(t, "smtpd_client_connection_rate_limit") == 0)
			probe_pf_rate(l, pr, env, port);
		else if (strcmp(t, "master.cf maxproc") == 0)
			probe_pf_maxproc(l, pr, env, port);
		else if (strcmp(t, "smtpd_timeout") == 0)
			probe_pf_timeout(l, pr, env, port);
		else if (strcmp(t, "smtpd_starttls_timeout") == 0) {
			qstr_catf(&pr->what, "%s: a stalled TLS handshake "
			    "(smtpd_starttls_timeout %ld s)", pr->service,
			    pr->value);
			not_probed(pr, "the rehearsal runs without a certificate "
			    "(TLS off), so no handshake can stall");
		} else if (strcmp(t, "service *-login process_limit") == 0)
			probe_dc_login(l, pr, env, port);
		else if (strcmp(t, "mail_max_userip_connections") == 0)
			probe_dc_userip(l, pr, env, port);
		else {
			qstr_catf(&pr->what, "%s: %s %ld", pr->service, t,
			    pr->value);
			if (strcmp(t, "auth_failure_delay") == 0)
				not_probed(pr, "the rehearsal sets it to 0 so that "
				    "its own failed logins answer at once");
			else if (strstr(t, "vsz_limit") != NULL)
				not_probed(pr, "a memory limit, not a connection "
				    "limit");
			else
				not_probed(pr, "no live probe for this setting");
		}
	}
	if (nft_pid > 0)
		nft_finish(l, nft_pid, rfd);
	return 0;
}

/* ----------------------------------------------------------- output */

size_t
rh_limits_failed(const struct rh_limits *l)
{
	size_t i, n = 0;

	for (i = 0; l != NULL && i < l->n; i++)
		n += l->v[i].status == RL_FAIL;
	return n;
}

static void
counts(const struct rh_limits *l, size_t c[3])
{
	size_t i;

	c[0] = c[1] = c[2] = 0;
	for (i = 0; i < l->n; i++)
		c[l->v[i].status]++;
}

json_t *
rh_limits_json(const struct rh_limits *l)
{
	json_t *root = json_object(), *a = json_array(), *o, *x;
	size_t i, c[3];

	counts(l, c);
	for (i = 0; i < l->n; i++) {
		const struct rl_probe *pr = &l->v[i];

		o = json_object();
		qpm_json_set_str(o, "what", qstr_str(&pr->what));
		qpm_json_set_str(o, "setting", pr->target);
		qpm_json_set_str(o, "service", pr->service);
		qpm_json_set_str(o, "status", status_names[pr->status]);
		qpm_json_set_str(o, "how", qstr_str(&pr->how));
		qpm_json_set_str(o, "expected", qstr_str(&pr->expected));
		qpm_json_set_str(o, "observed", qstr_str(&pr->observed));
		qpm_json_set_str(o, "configured", qstr_str(&pr->configured));
		x = json_object();
		if (pr->old >= 0)
			qpm_json_set_int(x, "value", pr->old);
		else
			qpm_json_set(x, "value", json_null());
		qpm_json_set_str(x, "source", qstr_str(&pr->before));
		qpm_json_set(o, "before", x);
		x = json_object();
		qpm_json_set_int(x, "value", pr->value);
		qpm_json_set_str(x, "behaviour", pr->status == RL_NOT_PROBED ?
		    qstr_str(&pr->how) : qstr_str(&pr->observed));
		qpm_json_set(o, "after", x);
		qpm_json_append(a, o);
	}
	qpm_json_set_int(root, "probes", (long long)l->n);
	qpm_json_set_int(root, "ok", (long long)c[RL_OK]);
	qpm_json_set_int(root, "failed", (long long)c[RL_FAIL]);
	qpm_json_set_int(root, "not_probed", (long long)c[RL_NOT_PROBED]);
	if (l->none.len > 0)
		qpm_json_set_str(root, "none", qstr_str(&l->none));
	x = json_array();
	for (i = 0; i < l->notes.n; i++)
		json_array_append_new(x, json_string(l->notes.v[i]));
	qpm_json_set(root, "notes", x);
	qpm_json_set(root, "results", a);
	return root;
}

void
rh_limits_text(const struct rh_limits *l, FILE *fp)
{
	size_t i, c[3];

	counts(l, c);
	fprintf(fp, "\nconnection limits (--limits)\n");
	if (l->none.len > 0)
		fprintf(fp, "nothing to probe: %s\n", qstr_str(&l->none));
	for (i = 0; i < l->n; i++) {
		const struct rl_probe *pr = &l->v[i];

		fprintf(fp, "%-10s %s\n", pr->status == RL_OK ? "ok" :
		    pr->status == RL_FAIL ? "FAIL" : "not-probed",
		    qstr_str(&pr->what));
		if (pr->status == RL_NOT_PROBED) {
			fprintf(fp, "           %s\n", qstr_str(&pr->how));
			continue;
		}
		fprintf(fp, "           how:        %s\n", qstr_str(&pr->how));
		fprintf(fp, "           expected:   %s\n",
		    qstr_str(&pr->expected));
		fprintf(fp, "           observed:   %s\n",
		    qstr_str(&pr->observed));
		if (pr->configured.len > 0)
			fprintf(fp, "           configured: %s\n",
			    qstr_str(&pr->configured));
	}
	for (i = 0; i < l->notes.n; i++)
		fprintf(fp, "note: %s\n", l->notes.v[i]);
	if (l->n > 0) {
		fprintf(fp, "\nbefore/after\n%-38s %-11s %-34s %s\n", "setting",
		    "service", "old host", "new host");
		for (i = 0; i < l->n; i++) {
			const struct rl_probe *pr = &l->v[i];
			char old[64];

			if (pr->old >= 0)
				qpm_snprintf(old, sizeof(old), "%ld", pr->old);
			else
				qpm_snprintf(old, sizeof(old), "none");
			fprintf(fp, "%-38s %-11s %-34.34s %ld: %s\n", pr->target,
			    pr->service, old, pr->value,
			    pr->status == RL_OK ? "proven" :
			    pr->status == RL_FAIL ? "FAILED" : "not probed");
			fprintf(fp, "%-38s %-11s   from %s\n", "", "",
			    qstr_str(&pr->before));
		}
	}
	fprintf(fp, "limits: %zu probes, %zu ok, %zu failed, %zu not probed\n",
	    l->n, c[RL_OK], c[RL_FAIL], c[RL_NOT_PROBED]);
}
