/*
 * NAME		srs-bench - load generator for the SRS benchmarks
 * DOES		srs-bench socketmap|tcp PORT|/SOCKET CONNS N ADDRESS
 *		    CONNS connections to 127.0.0.1:PORT (or a unix socket)
 *		    at once, each sending
 *		    N forward lookups one after another (request, reply,
 *		    request...; one connection: blocking write and read,
 *		    more: epoll): Postfix's socketmap netstrings, or postsrsd's
 *		    tcp_table "get ADDRESS"; prints lookups per second and
 *		    fails on any reply that is not a rewrite
 *		srs-bench floor PORT
 *		    a socketmap server on 127.0.0.1:PORT that does no work:
 *		    every read gets one fixed reply (the transport's floor)
 *		srs-bench exec RUNS FILE -- COMMAND [ARGS...]
 *		    runs COMMAND RUNS times with stdin from FILE; prints the
 *		    mean, median and minimum wall time per run and the largest
 *		    ru_maxrss (of COMMAND and what it waited for)
 * NEVER	connects anywhere but 127.0.0.1 or a local socket
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct bconn {
	int	 fd;
	long	 left;		/* requests still to send */
	char	 in[4096];
	size_t	 inlen;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when buf holds one complete reply; *ok says whether it rewrote */
static int
reply_done(int sockmap, const char *buf, size_t len, size_t *used, int *ok)
{
	const char *colon, *nl;
	size_t n;

	if (sockmap) {
		if ((colon = memchr(buf, ':', len)) == NULL)
			return 0;
		n = strtoul(buf, NULL, 10);
		if ((size_t)(colon - buf) + 1 + n + 1 > len)
			return 0;
		*ok = n > 8 && memcmp(colon + 1, "OK SRS", 6) == 0;
		*used = (size_t)(colon - buf) + 1 + n + 1;
		return 1;
	}
	if ((nl = memchr(buf, '\n', len)) == NULL)
		return 0;
	*ok = len > 8 && memcmp(buf, "200 SRS", 7) == 0;
	*used = (size_t)(nl - buf) + 1;
	return 1;
}

/* Every connection with one request in flight; epoll says which have a
 * reply, each gets its next request at once.  0 or 1 (reported). */
static int
many(int sockmap, struct bconn *c, int conns, long n, const char *req,
    size_t reqlen, long *done)
{
	struct epoll_event ev, evs[64];
	long total = (long)conns * n;
	size_t used;
	ssize_t r;
	int ep, i, k, m, ok;

	if ((ep = epoll_create1(0)) < 0)
		return 1;
	for (i = 0; i < conns; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev) < 0 ||
		    write(c[i].fd, req, reqlen) != (ssize_t)reqlen)
			return 1;
		c[i].left = n - 1;
	}
	while (*done < total) {
		if ((m = epoll_wait(ep, evs, 64, 10000)) <= 0) {
			fprintf(stderr, "srs-bench: no reply for 10 s\n");
			return 1;
		}
		for (k = 0; k < m; k++) {
			i = (int)evs[k].data.u32;
			r = read(c[i].fd, c[i].in + c[i].inlen,
			    sizeof(c[i].in) - c[i].inlen);
			if (r <= 0) {
				fprintf(stderr, "srs-bench: connection %d "
				    "closed after %ld replies\n", i, *done);
				return 1;
			}
			c[i].inlen += (size_t)r;
			while (reply_done(sockmap, c[i].in, c[i].inlen, &used,
			    &ok)) {
				if (!ok) {
					fprintf(stderr, "srs-bench: bad reply: "
					    "%.*s\n", (int)used, c[i].in);
					return 1;
				}
				memmove(c[i].in, c[i].in + used,
				    c[i].inlen - used);
				c[i].inlen -= used;
				(*done)++;
				if (c[i].left > 0) {
					if (write(c[i].fd, req, reqlen) !=
					    (ssize_t)reqlen)
						return 1;
					c[i].left--;
				}
			}
		}
	}
	close(ep);
	return 0;
}

static int
lookups(int sockmap, const char *path, int port, int conns, long n,
    const char *addr)
{
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	struct bconn *c;
	char req[1100];
	size_t reqlen, used;
	long done = 0, total = (long)conns * n;
	double t0, t1;
	int i, one = 1, ok;
	ssize_t r;

	if (sockmap)
		reqlen = (size_t)snprintf(req, sizeof(req), "%zu:forward %s,",
		    strlen(addr) + 8, addr);
	else
		reqlen = (size_t)snprintf(req, sizeof(req), "get %s\n", addr);
	if (reqlen >= sizeof(req))
		return 2;
	c = calloc((size_t)conns, sizeof(*c));
	if (c == NULL)
		return 2;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path != NULL && strlen(path) >= sizeof(sun.sun_path))
		return 2;
	if (path != NULL)
		memcpy(sun.sun_path, path, strlen(path) + 1);
	for (i = 0; i < conns; i++) {
		if (path != NULL) {
			if ((c[i].fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
			    connect(c[i].fd, (struct sockaddr *)&sun,
			    sizeof(sun)) < 0) {
				perror("connect");
				return 2;
			}
		} else {
			if ((c[i].fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
			    connect(c[i].fd, (struct sockaddr *)&sin,
			    sizeof(sin)) < 0) {
				perror("connect");
				return 2;
			}
			setsockopt(c[i].fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		}
		c[i].left = n;
	}
	t0 = now_s();
	if (conns == 1) {
		/* one connection: a blocking write, then reads until the
		 * reply is complete; two system calls per lookup, the
		 * least any client (Postfix's included) can do */
		while (done < total) {
			if (write(c[0].fd, req, reqlen) != (ssize_t)reqlen)
				return 2;
			while (!reply_done(sockmap, c[0].in, c[0].inlen, &used,
			    &ok)) {
				r = read(c[0].fd, c[0].in + c[0].inlen,
				    sizeof(c[0].in) - c[0].inlen);
				if (r <= 0) {
					fprintf(stderr, "srs-bench: closed after "
					    "%ld replies\n", done);
					return 1;
				}
				c[0].inlen += (size_t)r;
			}
			if (!ok) {
				fprintf(stderr, "srs-bench: bad reply: %.*s\n",
				    (int)used, c[0].in);
				return 1;
			}
			memmove(c[0].in, c[0].in + used, c[0].inlen - used);
			c[0].inlen -= used;
			done++;
		}
	} else if (many(sockmap, c, conns, n, req, reqlen, &done) != 0)
		return 1;
	t1 = now_s();
	printf("%s conns=%d lookups=%ld seconds=%.3f lookups_per_s=%.0f\n",
	    sockmap ? "socketmap" : "tcp_table", conns, total, t1 - t0,
	    (double)total / (t1 - t0));
	for (i = 0; i < conns; i++)
		close(c[i].fd);
	free(c);
	return 0;
}

/* The floor: a server that does no work at all.  One process per
 * connection (as postsrsd 1.x), blocking; every read is answered with one
 * fixed socketmap reply of the usual size.  What a lookup costs here is
 * what the kernel, the transport and the client cost, for any server. */
static int
floor_server(int port)
{
	static const char rep[] =
	    "52:OK SRS0=rW9o=JM=sender.example=alice@srs.example.com,";
	struct sockaddr_in sin;
	char buf[4096];
	int l, c, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(l, 64) < 0) {
		perror("srs-bench floor");
		return 2;
	}
	while ((c = accept(l, NULL, NULL)) >= 0 || errno == EINTR) {
		if (c < 0)
			continue;
		if (fork() == 0) {
			close(l);
			while (read(c, buf, sizeof(buf)) > 0)
				if (write(c, rep, sizeof(rep) - 1) < 0)
					break;
			_exit(0);
		}
		close(c);
	}
	return 1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
run_exec(long runs, const char *file, char **argv)
{
	struct rusage ru;
	double t0, dt, sum = 0, min = 1e9, *all;
	long i, maxrss = 0;
	pid_t pid;
	int st, fd;

	if (runs < 1 || (all = calloc((size_t)runs, sizeof(*all))) == NULL)
		return 2;
	for (i = 0; i < runs; i++) {
		t0 = now_s();
		if ((pid = fork()) < 0)
			return 2;
		if (pid == 0) {
			if ((fd = open(file, O_RDONLY)) < 0 || dup2(fd, 0) < 0)
				_exit(127);
			close(fd);
			execv(argv[0], argv);
			_exit(127);
		}
		if (wait4(pid, &st, 0, &ru) < 0)
			return 2;
		dt = now_s() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "srs-bench: %s exited %d\n", argv[0],
			    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return 1;
		}
		sum += dt;
		all[i] = dt;
		if (dt < min)
			min = dt;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	qsort(all, (size_t)runs, sizeof(*all), cmp_double);
	printf("runs=%ld mean_ms=%.3f median_ms=%.3f min_ms=%.3f "
	    "max_rss_kib=%ld\n", runs, sum / (double)runs * 1e3,
	    all[runs / 2] * 1e3, min * 1e3, maxrss);
	free(all);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 6 && (strcmp(argv[1], "socketmap") == 0 ||
	    strcmp(argv[1], "tcp") == 0))
		return lookups(strcmp(argv[1], "socketmap") == 0,
		    argv[2][0] == '/' ? argv[2] : NULL, atoi(argv[2]),
		    atoi(argv[3]), atol(argv[4]), argv[5]);
	if (argc == 3 && strcmp(argv[1], "floor") == 0)
		return floor_server(atoi(argv[2]));
	if (argc >= 6 && strcmp(argv[1], "exec") == 0 &&
	    strcmp(argv[4], "--") == 0)
		return run_exec(atol(argv[2]), argv[3], argv + 5);
	fprintf(stderr, "usage: srs-bench socketmap|tcp PORT|/SOCKET CONNS N ADDRESS\n"
	    "       srs-bench floor PORT\n"
	    "       srs-bench exec RUNS FILE -- COMMAND [ARGS...]\n");
	return 2;
}
