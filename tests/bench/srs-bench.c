/*
 * NAME		srs-bench - load generator for the SRS benchmarks
 * DOES		srs-bench socketmap|tcp PORT|/SOCKET CONNS N ADDRESS
 *		    CONNS connections to 127.0.0.1:PORT (or a unix socket)
 *		    at once, each sending
 *		    N forward lookups one after another (request, reply,
 *		    request...): Postfix's socketmap netstrings, or postsrsd's
 *		    tcp_table "get ADDRESS"; prints lookups per second and
 *		    fails on any reply that is not a rewrite
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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int
lookups(int sockmap, const char *path, int port, int conns, long n,
    const char *addr)
{
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	struct bconn *c;
	struct pollfd *pfd;
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
	pfd = calloc((size_t)conns, sizeof(*pfd));
	if (c == NULL || pfd == NULL)
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
	for (i = 0; i < conns; i++) {
		if (write(c[i].fd, req, reqlen) != (ssize_t)reqlen)
			return 2;
		c[i].left--;
	}
	while (done < total) {
		for (i = 0; i < conns; i++) {
			pfd[i].fd = c[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)conns, 10000) <= 0) {
			fprintf(stderr, "srs-bench: no reply for 10 s\n");
			return 1;
		}
		for (i = 0; i < conns; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(c[i].fd, c[i].in + c[i].inlen,
			    sizeof(c[i].in) - c[i].inlen);
			if (r <= 0) {
				fprintf(stderr, "srs-bench: connection %d "
				    "closed after %ld replies\n", i, done);
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
				done++;
				if (c[i].left > 0) {
					if (write(c[i].fd, req, reqlen) !=
					    (ssize_t)reqlen)
						return 2;
					c[i].left--;
				}
			}
		}
	}
	t1 = now_s();
	printf("%s conns=%d lookups=%ld seconds=%.3f lookups_per_s=%.0f\n",
	    sockmap ? "socketmap" : "tcp_table", conns, total, t1 - t0,
	    (double)total / (t1 - t0));
	for (i = 0; i < conns; i++)
		close(c[i].fd);
	free(c);
	free(pfd);
	return 0;
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
	if (argc >= 6 && strcmp(argv[1], "exec") == 0 &&
	    strcmp(argv[4], "--") == 0)
		return run_exec(atol(argv[2]), argv[3], argv + 5);
	fprintf(stderr, "usage: srs-bench socketmap|tcp PORT|/SOCKET CONNS N ADDRESS\n"
	    "       srs-bench exec RUNS FILE -- COMMAND [ARGS...]\n");
	return 2;
}
