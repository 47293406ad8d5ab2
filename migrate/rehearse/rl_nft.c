/*
 * NAME		rl_nft - the nftables probes of "rehearse --limits"
 * DOES		loads OUT's nftables file into a network namespace made
 *		here and checks that the (N+1)th connection of one source is
 *		refused while another source gets in
 * NEVER	touches the host's ruleset or network namespace
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "migrate/rehearse/rl_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

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
			rl_lc_open(&c[i], a, pr->port);
			rl_lc_pump(c, (size_t)i + 1, (size_t)i, W_CONNECT,
			    RL_NFT_CONN_MS);
			if (i < n)
				g += connected(&c[i]);
		}
		rl_lc_open(&other, b, pr->port);
		rl_lc_pump(&other, 1, 0, W_CONNECT, RL_NFT_CONN_MS);
		qstr_catf(&obs, "%ld of %ld connections from %s got in; "
		    "connection %ld%s: %s; %s: %s", g, n,
		    pr->nft == NFT_COUNT_IP ? a : "one /24 (one address each)",
		    n + 1, pr->nft == NFT_COUNT_24 ? " (another address of the "
		    "/24)" : "", connected(&c[n]) ? "got in" : rl_lc_what(&c[n]), b,
		    connected(&other) ? "got in" : rl_lc_what(&other));
		ok = g == n && !connected(&c[n]) && connected(&other);
		rl_lc_close_all(c, (size_t)n + 1);
	} else {
		qpm_snprintf(a, sizeof(a), "127.%d.1.1", 100 + idx % 150);
		for (i = 0; i <= n; i++) {
			rl_lc_open(&c[0], a, pr->port);
			rl_lc_pump(c, 1, 0, W_CONNECT, RL_NFT_CONN_MS);
			if (i < n) {
				g += connected(&c[0]);
				rl_lc_close(&c[0]);
				drain(lfd);
			}
		}
		rl_lc_open(&other, b, pr->port);
		rl_lc_pump(&other, 1, 0, W_CONNECT, RL_NFT_CONN_MS);
		qstr_catf(&obs, "%ld of %ld connections from %s (one after the "
		    "other) got in; connection %ld: %s; %s: %s", g, n, a, n + 1,
		    connected(&c[0]) ? "got in" : rl_lc_what(&c[0]), b,
		    connected(&other) ? "got in" : rl_lc_what(&other));
		ok = g == n && !connected(&c[0]) && connected(&other);
		rl_lc_close(&c[0]);
	}
	rl_lc_close(&other);
	drain(lfd);
	close(lfd);
	qstr_catf(out, "R\t%d\t%d\t%s\n", idx, ok, qstr_str(&obs));
	qstr_free(&obs);
	rl_sleep_ms(100);
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
	if ((rc = rl_cmd_run(av, &tail, 1)) == 127) {
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
pid_t
rl_nft_start(struct rh_limits *l, const struct rh_limits_env *env, int *rfd)
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
			rl_not_probed(pr, "no port known for service %s", pr->service);
			continue;
		}
		if (pr->value <= 0 || pr->value > lim) {
			rl_not_probed(pr, "%ld is outside what one probe opens (1-%ld)",
			    pr->value, lim);
			continue;
		}
		if (pr->nft == NFT_COUNT_IP &&
		    (((x = nft_find(l, NFT_RATE, pr->port)) != NULL &&
		    x->value <= pr->value) || ((x = nft_find(l, NFT_COUNT_24,
		    pr->port)) != NULL && x->value <= pr->value))) {
			rl_not_probed(pr, "the %s of %ld on port %d stops the same "
			    "source first (connection %ld); that rule has its own "
			    "probe", x->nft == NFT_RATE ? "rate limit" :
			    "per-/24 count", x->value, pr->port, x->value + 1);
			continue;
		}
		if (pr->nft == NFT_RATE && pr->per_seconds > 0 &&
		    pr->per_seconds < 30) {
			rl_not_probed(pr, "a window of %ld s is too short to count "
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
				rl_not_probed(&l->v[i], "%s: %s", env->nft_file,
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
void
rl_nft_finish(struct rh_limits *l, pid_t pid, int rfd)
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
					rl_not_probed(&l->v[i], "%s", line + 2);
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

void
rl_nft_prepare(struct rl_probe *pr)
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
