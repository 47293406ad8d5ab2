/*
 * NAME		srs-map - SRS forward/reverse on the command line, and a
 *		Postfix socketmap server
 * DOES		srs-map forward|reverse ADDRESS... (or one per stdin line);
 *		srs-map serve --socketmap unix:PATH|inet:HOST:PORT: one
 *		process, an epoll loop over many connections, idle and
 *		request timeouts, a request size ceiling, privileges dropped
 *		after bind, clean exit on SIGTERM
 * NEVER	answers PERM for a key, listens on a non-loopback address
 *		unless told to, serves as root
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mail/exits.h"
#include "srs/sockmap.h"
#include "srs/srs.h"
#include "util/err.h"
#include "util/lines.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/qstr.h"
#include "util/version.h"

#define PROGRAM_NAME	"srs-map"
#define DEFAULT_SECRET	SYSCONFDIR "/qmail2postfix/srs-secret"

#define SERVE_READ_CHUNK	(64 * 1024)
#define SERVE_MAX_OUT		(4 * 1024 * 1024)	/* unread replies */
#define SERVE_DEF_CONNS		1000
#define SERVE_DEF_IDLE		60	/* s; Postfix drops idle ones after 10 */
#define SERVE_DEF_REQUEST	10	/* s to finish a started request */
#define SERVE_EVENTS		256	/* ready connections taken per wait */
#define SERVE_LISTENER		UINT64_MAX	/* epoll tag of the listener */

enum {
	OPT_NOW = 256, OPT_ALPHABET, OPT_SEPARATOR, OPT_LONG, OPT_SOCKETMAP,
	OPT_USER, OPT_NONLOCAL, OPT_IDLE, OPT_REQ, OPT_CONNS, OPT_MODE
};

struct serve_opts {
	const char	*spec;
	const char	*user;
	int		 allow_nonlocal;
	int		 idle, request;
	long		 max_conns;
	mode_t		 mode;
};

struct conn {
	int		 fd;
	struct qstr	 in, out;
	size_t		 out_off;
	struct timespec	 last;		/* last byte in or out */
	struct timespec	 started;	/* first byte of a pending request */
	int		 partial;
	int		 want_out;	/* watched for EPOLLOUT, not EPOLLIN */
};

static volatile sig_atomic_t stop_signal;

static void
help(void)
{
	printf("usage: %s [options] forward|reverse [ADDRESS...]\n"
	    "       %s [options] serve --socketmap unix:PATH|inet:HOST:PORT\n"
	    "Forward or reverse SRS addresses (one result per line, empty when\n"
	    "it failed, with the reason on stderr; without\n"
	    "ADDRESS, one address per line of stdin), or serve the maps\n"
	    "\"forward\" and \"reverse\" to Postfix over the socketmap protocol.\n"
	    "\n"
	    "  -s, --secret FILE        secrets, one per line, the first signs\n"
	    "                           (default %s)\n"
	    "  -d, --domain DOMAIN      SRS domain; repeat for more, the first\n"
	    "                           is written, all are reversed\n"
	    "      --now UNIXTIME       use this time instead of the clock\n"
	    "      --hash-alphabet base64|base64url   hashes written (default\n"
	    "                           base64, as postsrsd 1.x and Mail::SRS);\n"
	    "                           both are accepted on reverse\n"
	    "      --separator =|+|-    separator after SRS0/SRS1 (default =)\n"
	    "      --long-local tempfail|plain  when the SRS local part would\n"
	    "                           pass 64 octets: fail temporarily\n"
	    "                           (default) or keep the sender\n"
	    "  -v, --verbose            log every request\n"
	    "serve:\n"
	    "      --socketmap SPEC     unix:PATH or inet:127.0.0.1:PORT\n"
	    "      --user USER          drop privileges to USER after bind\n"
	    "      --allow-nonlocal     allow a non-loopback inet address\n"
	    "      --idle-timeout S     close idle connections (default %d)\n"
	    "      --request-timeout S  close a connection whose request is\n"
	    "                           not complete after S seconds (default %d)\n"
	    "      --max-connections N  (default %d)\n"
	    "      --socket-mode MODE   of a unix socket (default 0666)\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            version\n"
	    "Exit: 0 done, 65 a reverse failed (reason on stderr), 75 a\n"
	    "temporary failure, 64 usage.\n",
	    PROGRAM_NAME, PROGRAM_NAME, DEFAULT_SECRET, SERVE_DEF_IDLE,
	    SERVE_DEF_REQUEST, SERVE_DEF_CONNS);
}

static int
usage(void)
{
	fprintf(stderr, "usage: %s [-s FILE] [-d DOMAIN]... [--now T] "
	    "forward|reverse [ADDRESS...]\n"
	    "       %s [-s FILE] [-d DOMAIN]... serve --socketmap SPEC "
	    "[--user USER]\n"
	    "Try '%s --help'.\n", PROGRAM_NAME, PROGRAM_NAME, PROGRAM_NAME);
	return EX_USAGE;
}

/* ---- CLI ---- */

static int
cli_one(struct srs *srs, enum srs_long_policy policy, int fwd,
    const char *addr, size_t len, int *rc)
{
	char out[SRS_OUT_MAX], esc[256];
	enum srs_reason why;
	enum srs_result r;

	r = fwd ? srs_forward(srs, addr, len, out, sizeof(out), &why) :
	    srs_reverse(srs, addr, len, out, sizeof(out), &why);
	msg_escape(esc, sizeof(esc), addr, len);
	switch (r) {
	case SRS_REWRITTEN:
		puts(out);
		break;
	case SRS_NOT_APPLICABLE:
		if (!fwd) {
			/* an empty line keeps one result per input line */
			putchar('\n');
			msg_errorx("%s: %s", esc, srs_reason_text(why));
			if (*rc == 0)
				*rc = QPM_EXIT_DATAERR;
			break;
		}
		if (why == SRS_WHY_TOO_LONG && policy == SRS_LONG_TEMPFAIL) {
			putchar('\n');
			msg_errorx("%s: %s (--long-local=tempfail)", esc,
			    srs_reason_text(why));
			*rc = QPM_EXIT_TEMPFAIL;
			break;
		}
		if (why == SRS_WHY_TOO_LONG)
			msg_warnx("%s: %s: sender kept (--long-local=plain)",
			    esc, srs_reason_text(why));
		else
			msg_debug("%s: sender kept: %s", esc,
			    srs_reason_text(why));
		fwrite(addr, 1, len, stdout);
		putchar('\n');
		break;
	case SRS_ERROR:
		putchar('\n');
		msg_errorx("%s: %s", esc, srs_reason_text(why));
		*rc = QPM_EXIT_TEMPFAIL;
		break;
	}
	return 0;
}

static int
cli_run(struct srs *srs, enum srs_long_policy policy, int fwd, int argc,
    char **argv)
{
	struct lines lr;
	const char *line;
	size_t len;
	int i, rc = 0, n;

	if (argc > 0) {
		for (i = 0; i < argc; i++)
			cli_one(srs, policy, fwd, argv[i], strlen(argv[i]), &rc);
	} else {
		if (lines_open(&lr, "/dev/stdin", SRS_MAX_INPUT) < 0) {
			msg_error("cannot read stdin");
			return QPM_EXIT_TEMPFAIL;
		}
		while ((n = lines_next(&lr, &line, &len)) != 0) {
			if (n == QPM_ERANGE) {
				msg_errorx("stdin:%lu: address too long",
				    lr.lineno);
				if (rc == 0)
					rc = QPM_EXIT_DATAERR;
				continue;
			}
			if (n < 0) {
				msg_error("stdin");
				rc = QPM_EXIT_TEMPFAIL;
				break;
			}
			if (len > 0 && line[len - 1] == '\r')
				len--;
			cli_one(srs, policy, fwd, line, len, &rc);
		}
		lines_close(&lr);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_error("stdout");
		return QPM_EXIT_TEMPFAIL;
	}
	return rc;
}

/* ---- socketmap server ---- */

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static double
ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) +
	    (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static int
addr_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)sa;
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return 0;
}

/* Bind and listen; returns the fd or -1 (reason logged). */
static int
serve_listen(const struct serve_opts *o, char **unix_path)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_un sun;
	struct stat st;
	char host[256];
	const char *hp, *pp, *close_br;
	int fd = -1, one = 1, err;
	mode_t old;

	*unix_path = NULL;
	if (strncmp(o->spec, "unix:", 5) == 0) {
		const char *path = o->spec + 5;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (*path == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
			msg_errorx("%s: bad socket path", o->spec);
			return -1;
		}
		memcpy(sun.sun_path, path, strlen(path) + 1);
		/* replace a stale socket, never any other file */
		if (lstat(path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode)) {
				msg_errorx("%s: exists and is not a socket",
				    path);
				return -1;
			}
			(void)unlink(path);
		}
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) < 0) {
			msg_error("socket");
			return -1;
		}
		old = umask(0177);
		err = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
		if (err < 0 || chmod(path, o->mode) < 0) {
			msg_error("%s: bind", path);
			close(fd);
			return -1;
		}
		if ((*unix_path = strdup(path)) == NULL) {
			close(fd);
			return -1;
		}
	} else if (strncmp(o->spec, "inet:", 5) == 0) {
		hp = o->spec + 5;
		if (*hp == '[') {
			if ((close_br = strchr(hp, ']')) == NULL ||
			    close_br[1] != ':')
				goto bad_spec;
			if ((size_t)(close_br - hp - 1) >= sizeof(host))
				goto bad_spec;
			memcpy(host, hp + 1, (size_t)(close_br - hp - 1));
			host[close_br - hp - 1] = '\0';
			pp = close_br + 2;
		} else {
			if ((pp = strrchr(hp, ':')) == NULL ||
			    (size_t)(pp - hp) >= sizeof(host))
				goto bad_spec;
			memcpy(host, hp, (size_t)(pp - hp));
			host[pp - hp] = '\0';
			pp++;
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
		if ((err = getaddrinfo(host, pp, &hints, &ai)) != 0) {
			msg_errorx("%s: %s (a numeric address and port are "
			    "needed)", o->spec, gai_strerror(err));
			return -1;
		}
		if (!addr_is_loopback(ai->ai_addr) && !o->allow_nonlocal) {
			msg_errorx("%s: not a loopback address; the maps sign "
			    "and reverse for anyone who can connect "
			    "(--allow-nonlocal to insist)", o->spec);
			freeaddrinfo(ai);
			return -1;
		}
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
			msg_error("socket");
			freeaddrinfo(ai);
			return -1;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			msg_error("%s: bind", o->spec);
			freeaddrinfo(ai);
			close(fd);
			return -1;
		}
		freeaddrinfo(ai);
	} else
		goto bad_spec;
	if (listen(fd, 511) < 0) {
		msg_error("listen");
		close(fd);
		return -1;
	}
	return fd;
bad_spec:
	msg_errorx("%s: want unix:PATH or inet:HOST:PORT", o->spec);
	return -1;
}

static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		msg_errorx("unknown user %s", user);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid,
	    pw->pw_gid) < 0 || setresuid(pw->pw_uid, pw->pw_uid,
	    pw->pw_uid) < 0) {
		msg_error("cannot drop privileges to %s", user);
		return -1;
	}
	if (pw->pw_uid != 0 && (getuid() == 0 || geteuid() == 0)) {
		msg_errorx("cannot drop privileges to %s", user);
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	close(c->fd);		/* leaves the epoll set with it */
	qstr_free(&c->in);
	qstr_free(&c->out);
	c->fd = -1;
}

/* Send what is pending; -1 on a dead peer. */
static int
conn_flush(struct conn *c, const struct timespec *now)
{
	ssize_t got;

	while (c->out_off < c->out.len) {
		got = send(c->fd, c->out.buf + c->out_off,
		    c->out.len - c->out_off, MSG_NOSIGNAL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->out_off += (size_t)got;
		c->last = *now;
	}
	qstr_reset(&c->out);
	c->out_off = 0;
	return 0;
}

/* Answer every complete request in p[0..len) into c->out; *used gets
 * the octets consumed (a partial request is left).  -1 closes. */
static int
conn_answer(struct conn *c, const char *p, size_t len, size_t *used,
    const struct srs *srs, enum srs_long_policy policy)
{
	const char *data;
	char esc[256];
	size_t dlen, n, off = 0;
	enum srs_reason why;
	int r;

	while ((r = sockmap_parse(p + off, len - off, SOCKMAP_MAX_REQUEST,
	    &data, &dlen, &n)) == 1) {
		if (sockmap_answer(srs, policy, data, dlen, &c->out,
		    &why) < 0)
			return -1;
		if (msg_verbose > 0)
			msg_debug("%s -> %s", msg_escape(esc, sizeof(esc),
			    data, dlen), srs_reason_text(why));
		off += n;
	}
	if (r < 0) {
		msg_warnx("fd %d: bad netstring: closing", c->fd);
		return -1;
	}
	*used = off;
	return 0;
}

/* What recv() brought: complete requests straight from buf when nothing
 * was pending (no copy), the rest kept in c->in.  -1 closes. */
static int
conn_input(struct conn *c, const char *buf, size_t got,
    const struct srs *srs, enum srs_long_policy policy,
    const struct timespec *now)
{
	size_t used;

	if (!c->partial)
		c->started = *now;
	c->last = *now;
	if (c->in.len == 0) {
		if (conn_answer(c, buf, got, &used, srs, policy) < 0)
			return -1;
		if (used < got && qstr_catn(&c->in, buf + used,
		    got - used) < 0)
			return -1;
	} else {
		if (qstr_catn(&c->in, buf, got) < 0 ||
		    conn_answer(c, c->in.buf, c->in.len, &used, srs,
		    policy) < 0)
			return -1;
		if (used > 0) {
			memmove(c->in.buf, c->in.buf + used,
			    c->in.len - used);
			c->in.len -= used;
			c->in.buf[c->in.len] = '\0';
		}
	}
	if (used > 0 && c->in.len > 0)
		c->started = *now;	/* the next request began now */
	c->partial = c->in.len > 0;
	return c->out.len > SERVE_MAX_OUT ? -1 : 0;
}

/* Wait for input, or for room to send when replies are pending (and
 * read nothing more meanwhile: a client that does not read stalls). */
static int
conn_watch(int ep, struct conn *c, long slot)
{
	struct epoll_event ev;
	int want_out = c->out.len > c->out_off;

	if (want_out == c->want_out)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = want_out ? EPOLLOUT : EPOLLIN;
	ev.data.u64 = (uint64_t)slot;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -1;
	c->want_out = want_out;
	return 0;
}

/* Timeouts, once a second over every connection. */
static void
conn_sweep(struct conn *conns, long max, long *nconns, long *freel,
    long *nfree, const struct serve_opts *o, const struct timespec *now)
{
	struct conn *c;
	double idle;
	long i;

	for (i = 0; i < max; i++) {
		c = &conns[i];
		if (c->fd < 0)
			continue;
		idle = ts_diff(now, &c->last);
		if (c->partial && ts_diff(now, &c->started) > o->request) {
			msg_warnx("fd %d: request not complete after %d s: "
			    "closing", c->fd, o->request);
		} else if (idle > o->idle && c->out.len == 0) {
			msg_debug("fd %d: idle: closing", c->fd);
		} else if (!(idle > o->idle + o->request)) {
			continue;	/* else: the peer does not read */
		}
		conn_close(c);
		freel[(*nfree)++] = i;
		(*nconns)--;
	}
}

/* SIGTERM and SIGINT stop the server; they are blocked except inside
 * the wait (empty: the mask to wait with); SIGPIPE is ignored. */
static void
serve_signals(sigset_t *empty)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(empty);
}

/* What epoll reported (re) for one connection: send what is pending, or
 * read and answer.  0, or -1 when the connection is to be dropped. */
static int
conn_event(int ep, struct conn *c, long slot, uint32_t re, char *buf,
    size_t bufsize, struct srs *srs, enum srs_long_policy policy,
    const struct timespec *now)
{
	size_t room;
	ssize_t got;

	if (re & EPOLLERR)
		return -1;
	if (c->want_out) {
		if ((re & (EPOLLOUT | EPOLLHUP)) && conn_flush(c, now) < 0)
			return -1;
	} else if (re & (EPOLLIN | EPOLLHUP)) {
		/* never more than the buffer holds: a partial request is
		 * below the ceiling, so room is left */
		room = c->in.max - 1 - c->in.len;
		got = recv(c->fd, buf, room < bufsize ? room : bufsize, 0);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		/* answer at once: the socket almost always has room, so no
		 * wait for EPOLLOUT */
		if (got > 0 && (conn_input(c, buf, (size_t)got, srs, policy,
		    now) < 0 || conn_flush(c, now) < 0))
			return -1;
	}
	if (conn_watch(ep, c, slot) < 0)
		return -1;
	return 0;
}

/* New connections while a slot is free. */
static void
serve_accept(int lfd, int ep, struct conn *conns, long max, long *nconns,
    long *freel, long *nfree, const struct timespec *now)
{
	struct epoll_event ev;
	struct conn *c;
	long slot;
	int fd;

	while (*nconns < max) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				msg_warn("accept");
			break;
		}
		slot = freel[--(*nfree)];
		c = &conns[slot];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		qstr_init(&c->in, SOCKMAP_MAX_REQUEST + 32);
		qstr_init(&c->out, SERVE_MAX_OUT + SOCKMAP_MAX_REQUEST);
		c->last = *now;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)slot;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			msg_warn("epoll_ctl");
			conn_close(c);
			freel[(*nfree)++] = slot;
			continue;
		}
		(*nconns)++;
	}
}

/*
 * One process, epoll: a lookup costs one epoll_wait (shared by every
 * connection that is ready), one recv and one send; replies are built in
 * a per-connection buffer that is reused, requests are answered from the
 * receive buffer without a copy when none was pending.
 */
static int
serve(struct srs *srs, enum srs_long_policy policy,
    const struct serve_opts *o)
{
	struct conn *conns = NULL, *c;
	struct epoll_event evs[SERVE_EVENTS], ev;
	struct timespec now, swept;
	sigset_t empty;
	char *unix_path = NULL, buf[SERVE_READ_CHUNK];
	long i, nconns = 0, nfree = 0, *freel = NULL, slot;
	int lfd, ep = -1, rc = QPM_EXIT_TEMPFAIL, n, k, listening = 0;
	int accept_ready;

	if ((geteuid() == 0 || getuid() == 0) && o->user == NULL) {
		msg_errorx("refusing to serve as root: use --user USER");
		return EX_CONFIG;
	}
	if ((lfd = serve_listen(o, &unix_path)) < 0)
		return EX_CONFIG;
	if (o->user != NULL && drop_privileges(o->user) < 0)
		goto out;
	conns = calloc((size_t)o->max_conns, sizeof(*conns));
	freel = calloc((size_t)o->max_conns, sizeof(*freel));
	if (conns == NULL || freel == NULL) {
		msg_errorx("out of memory");
		goto out;
	}
	for (i = o->max_conns - 1; i >= 0; i--) {
		conns[i].fd = -1;
		freel[nfree++] = i;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		msg_error("epoll_create1");
		goto out;
	}
	serve_signals(&empty);
	msg_info("serving %s for %s (%zu secret%s)", o->spec, srs->domains[0],
	    srs->nsecrets, srs->nsecrets == 1 ? "" : "s");
	clock_gettime(CLOCK_MONOTONIC, &swept);

	while (!stop_signal) {
		/* the listener is watched only while a slot is free */
		if (listening != (nconns < o->max_conns)) {
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN;
			ev.data.u64 = SERVE_LISTENER;
			if (epoll_ctl(ep, listening ? EPOLL_CTL_DEL :
			    EPOLL_CTL_ADD, lfd, &ev) < 0) {
				msg_error("epoll_ctl");
				goto out;
			}
			listening = !listening;
		}
		/* signals are unblocked only inside the wait: no lost
		 * wakeup */
		n = epoll_pwait(ep, evs, SERVE_EVENTS, 1000, &empty);
		if (n < 0 && errno != EINTR) {
			msg_error("epoll_wait");
			goto out;
		}
		if (stop_signal)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		accept_ready = 0;
		for (k = 0; k < n; k++) {
			if (evs[k].data.u64 == SERVE_LISTENER) {
				accept_ready = 1;
				continue;
			}
			slot = (long)evs[k].data.u64;
			c = &conns[slot];
			if (c->fd < 0)
				continue;
			if (conn_event(ep, c, slot, evs[k].events, buf,
			    sizeof(buf), srs, policy, &now) == 0)
				continue;
			conn_close(c);
			freel[nfree++] = slot;
			nconns--;
		}
		if (ts_diff(&now, &swept) >= 1.0 || n == 0) {
			conn_sweep(conns, o->max_conns, &nconns, freel, &nfree,
			    o, &now);
			swept = now;
		}
		if (accept_ready)
			serve_accept(lfd, ep, conns, o->max_conns, &nconns,
			    freel, &nfree, &now);
	}
	msg_info("signal %d: stopping", (int)stop_signal);
	rc = 0;
out:
	if (conns != NULL)
		for (i = 0; i < o->max_conns; i++)
			if (conns[i].fd >= 0)
				conn_close(&conns[i]);
	free(conns);
	free(freel);
	if (ep >= 0)
		close(ep);
	close(lfd);
	if (unix_path != NULL) {
		/* after dropping privileges this may fail: harmless, the
		 * next start replaces a stale socket */
		(void)unlink(unix_path);
		free(unix_path);
	}
	return rc;
}

/* What the command line says besides the command. */
struct map_opts {
	struct serve_opts	 so;
	enum srs_long_policy	 policy;
	enum srs_alphabet	 alphabet;
	const char		*secret, *domains[SRS_MAX_DOMAINS];
	size_t			 ndomains;
	time_t			 now_t;
	int			 have_now;
	char			 sep;
};

/* The options into mo: 0, 1 after --help or --version, -1 for usage. */
static int
parse_args(struct map_opts *mo, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "secret", required_argument, NULL, 's' },
		{ "domain", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "hash-alphabet", required_argument, NULL, OPT_ALPHABET },
		{ "separator", required_argument, NULL, OPT_SEPARATOR },
		{ "long-local", required_argument, NULL, OPT_LONG },
		{ "socketmap", required_argument, NULL, OPT_SOCKETMAP },
		{ "user", required_argument, NULL, OPT_USER },
		{ "allow-nonlocal", no_argument, NULL, OPT_NONLOCAL },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "request-timeout", required_argument, NULL, OPT_REQ },
		{ "max-connections", required_argument, NULL, OPT_CONNS },
		{ "socket-mode", required_argument, NULL, OPT_MODE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;
	long v;

	while ((c = getopt_long(argc, argv, "s:d:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			mo->secret = optarg;
			break;
		case 'd':
			if (mo->ndomains >= SRS_MAX_DOMAINS)
				return -1;
			mo->domains[mo->ndomains++] = optarg;
			break;
		case OPT_NOW:
			if (num_parse_long(optarg, 0, 0x7fffffffL * 64, &v) < 0) {
				msg_errorx("--now: not a unix time: %s",
				    optarg);
				return -1;
			}
			mo->now_t = (time_t)v;
			mo->have_now = 1;
			break;
		case OPT_ALPHABET:
			if (strcmp(optarg, "base64") == 0)
				mo->alphabet = SRS_ALPHA_BASE64;
			else if (strcmp(optarg, "base64url") == 0)
				mo->alphabet = SRS_ALPHA_BASE64URL;
			else
				return -1;
			break;
		case OPT_SEPARATOR:
			if (strlen(optarg) != 1 || strchr("=+-", *optarg) ==
			    NULL)
				return -1;
			mo->sep = *optarg;
			break;
		case OPT_LONG:
			if (srs_long_policy_parse(optarg, &mo->policy) < 0)
				return -1;
			break;
		case OPT_SOCKETMAP:
			mo->so.spec = optarg;
			break;
		case OPT_USER:
			mo->so.user = optarg;
			break;
		case OPT_NONLOCAL:
			mo->so.allow_nonlocal = 1;
			break;
		case OPT_IDLE:
		case OPT_REQ:
			if (num_parse_long(optarg, 1, 86400, &v) < 0)
				return -1;
			if (c == OPT_IDLE)
				mo->so.idle = (int)v;
			else
				mo->so.request = (int)v;
			break;
		case OPT_CONNS:
			if (num_parse_long(optarg, 1, 100000, &v) < 0)
				return -1;
			mo->so.max_conns = v;
			break;
		case OPT_MODE:
			v = strtol(optarg, &end, 8);
			if (*end != '\0' || v < 0 || v > 0777)
				return -1;
			mo->so.mode = (mode_t)v;
			break;
		case 'v':
			msg_verbose++;
			break;
		case 'h':
			help();
			return 1;
		case 'V':
			qpm_version(PROGRAM_NAME);
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

/* The codec with the options, the domains and the secrets (*srsp, to be
 * freed by the caller even on failure).  0, or the exit code. */
static int
load_srs(struct map_opts *mo, struct srs **srsp)
{
	struct srs *srs;
	size_t k;
	int err;

	if ((srs = *srsp = srs_new()) == NULL) {
		msg_errorx("out of memory");
		return QPM_EXIT_TEMPFAIL;
	}
	srs->alphabet = mo->alphabet;
	srs->sep = mo->sep;
	if (mo->have_now)
		qpm_clock_fixed(&srs->clock, &mo->now_t);
	for (k = 0; k < mo->ndomains; k++)
		if ((err = srs_add_domain(srs, mo->domains[k])) < 0) {
			msg_errorx("-d %s: %s", mo->domains[k],
			    err == QPM_EINVAL ? "not a domain" :
			    qpm_strerror(err));
			return EX_USAGE;
		}
	if ((err = srs_load_secrets(srs, mo->secret)) < 0) {
		if (err == QPM_EPERM)
			msg_errorx("%s: may be read or changed by others: "
			    SRS_SECRET_CHMOD " %s", mo->secret, mo->secret);
		else
			msg_errorx("%s: %s", mo->secret, err == QPM_EINVAL ?
			    "no secret in the file" : qpm_strerror(err));
		return EX_CONFIG;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct map_opts mo = { { NULL, NULL, 0, SERVE_DEF_IDLE,
	    SERVE_DEF_REQUEST, SERVE_DEF_CONNS, 0666 }, SRS_LONG_TEMPFAIL,
	    SRS_ALPHA_BASE64, DEFAULT_SECRET, { NULL }, 0, 0, 0, '=' };
	const char *cmd;
	struct srs *srs = NULL;
	int rc, exit_code = EX_USAGE;

	msg_init(PROGRAM_NAME, MSG_STDERR);
	if ((rc = parse_args(&mo, argc, argv)) != 0)
		return rc > 0 ? 0 : usage();
	if (optind >= argc)
		return usage();
	cmd = argv[optind++];
	if (strcmp(cmd, "forward") != 0 && strcmp(cmd, "reverse") != 0 &&
	    strcmp(cmd, "serve") != 0)
		return usage();
	if (strcmp(cmd, "serve") == 0 && (mo.so.spec == NULL || optind < argc))
		return usage();
	if (mo.ndomains == 0) {
		msg_errorx("no SRS domain: use -d DOMAIN");
		return usage();
	}
	if ((exit_code = load_srs(&mo, &srs)) != 0)
		goto out;
	if (strcmp(cmd, "serve") == 0)
		exit_code = serve(srs, mo.policy, &mo.so);
	else
		exit_code = cli_run(srs, mo.policy, strcmp(cmd, "forward") == 0,
		    argc - optind, argv + optind);
out:
	srs_free(srs);
	return exit_code;
}
