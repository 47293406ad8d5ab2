/*
 * NAME		srs-forward - the .forward / .qmail / pipe(8) forwarder
 * DOES		takes the true envelope sender from the "From " line or the
 *		leading Return-Path: header (qmail without preline: $NEWSENDER
 *		or $SENDER), rewrites it with SRS, and streams the message
 *		unchanged to "sendmail -i -f SRS -- RECIPIENT..." in constant
 *		memory; keeps Delivered-To:, stops loops; exits 0 only when
 *		sendmail took the whole message and exited 0
 * NEVER	runs as root, trusts Postfix's filtered $SENDER, exits with
 *		anything but 75 on a failure that may pass (Postfix's local(8)
 *		and pipe(8) defer only on 75 and 71 and bounce on 1, 100 and
 *		111), prints a "5." line unless the failure is a loop, closes
 *		sendmail's stdin before killing it on an abort (an EOF would
 *		queue a cut message)
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/exits.h"
#include "srs/srs.h"
#include "util/err.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/version.h"

#define PROGRAM_NAME	"srs-forward"
#define DEFAULT_SECRET	SYSCONFDIR "/qmail2postfix/srs-secret"

#define FWD_HEADER_MAX	(256 * 1024)	/* header scanned for loops */
#define FWD_BODY_CHUNK	(64 * 1024)
#define FWD_CAPTURE	512		/* sendmail output kept for the log */
#define FWD_DEF_TIMEOUT	300		/* s without progress */
#define FWD_DEF_HOPS	20		/* Delivered-To: lines */
#define FWD_MAX_RCPTS	1000

enum {
	OPT_SENDMAIL = 256, OPT_TIMEOUT, OPT_LONG, OPT_HOPS, OPT_NOW,
	OPT_ALPHABET, OPT_SEPARATOR
};

static char hbuf[FWD_HEADER_MAX];
static char bbuf[FWD_BODY_CHUNK];
static volatile sig_atomic_t child_pgid;

static void
help(void)
{
	printf("usage: %s [options] [--] RECIPIENT...\n"
	    "Forward the message on stdin to RECIPIENT(s) through sendmail with\n"
	    "an SRS envelope sender. For .forward (Postfix), .qmail (qmail) and\n"
	    "a Postfix pipe(8) transport (flags=FRq).\n"
	    "\n"
	    "  -d, --domain DOMAIN      SRS domain (repeat: the first is written,\n"
	    "                           all count as ours)\n"
	    "  -s, --secret FILE        secrets, one per line, the first signs\n"
	    "                           (default %s)\n"
	    "      --sendmail PATH      (default %s)\n"
	    "      --timeout S          give up when sendmail makes no progress\n"
	    "                           for S seconds (default %d): kill it, exit 75\n"
	    "      --long-local tempfail|plain  SRS local part over 64 octets:\n"
	    "                           exit 75 (default) or forward with the\n"
	    "                           original sender and a warning\n"
	    "      --hop-limit N        loop: N or more Delivered-To: lines\n"
	    "                           (default %d); a Delivered-To: naming a\n"
	    "                           RECIPIENT is a loop too\n"
	    "      --hash-alphabet base64|base64url, --separator =|+|-\n"
	    "      --now UNIXTIME       use this time instead of the clock\n"
	    "  -v, --verbose            also log to stderr\n"
	    "  -h, --help, -V, --version\n"
	    "Exit: 0 forwarded; 75 (with a 4.x.x line) on anything that may\n"
	    "pass later; 65 (with 5.4.6) on a mail loop.\n",
	    PROGRAM_NAME, DEFAULT_SECRET, QPM_SENDMAIL, FWD_DEF_TIMEOUT,
	    FWD_DEF_HOPS);
}

/* The one status line: a DSN code first, so that Postfix takes it. */
static int
fail(int code, const char *dsn, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", dsn, PROGRAM_NAME, text);
	fflush(stderr);
	msg_errorx("%s %s", dsn, text);
	return code;
}

static void
kill_child(void)
{
	pid_t g = (pid_t)child_pgid;

	if (g > 0)
		(void)kill(-g, SIGKILL);
}

/* Killed from outside (local(8)'s time limit): take sendmail down with
 * us, or its EOF would queue what it has read so far. */
static void
on_fatal_signal(int sig)
{
	static const char m[] = "4.3.0 " PROGRAM_NAME ": terminated by signal\n";

	kill_child();
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(QPM_EXIT_TEMPFAIL);
	_exit(QPM_EXIT_TEMPFAIL);
}

static int
starts_ci(const char *p, size_t n, const char *pfx)
{
	size_t i, m = strlen(pfx);
	unsigned char a, b;

	if (n < m)
		return 0;
	for (i = 0; i < m; i++) {
		a = (unsigned char)p[i];
		b = (unsigned char)pfx[i];
		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return 0;
	}
	return 1;
}

/* The sender of a "From SENDER  DATE" line (Postfix quotes a local part
 * with spaces).  Returns 0 and sets *s, *n, or -1. */
static int
from_line_sender(const char *line, size_t len, const char **s, size_t *n)
{
	size_t i = 5;
	int inq = 0;

	for (; i < len; i++) {
		if (inq && line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] == '"')
			inq = !inq;
		else if (!inq && line[i] == ' ')
			break;
	}
	if (inq || i == 5)
		return -1;
	*s = line + 5;
	*n = i - 5;
	return 0;
}

/* "Return-Path: <ADDR>" -> ADDR. */
static int
return_path_sender(const char *line, size_t len, const char **s, size_t *n)
{
	const char *lt, *gt;

	if ((lt = memchr(line, '<', len)) == NULL)
		return -1;
	for (gt = line + len; gt > lt && gt[-1] != '>'; gt--)
		;
	if (gt <= lt + 0 || gt[-1] != '>' || gt - 1 <= lt)
		return -1;
	*s = lt + 1;
	*n = (size_t)(gt - 1 - lt - 1);
	return 0;
}

static int
header_end(const char *p, size_t n)
{
	size_t i;

	if (n >= 1 && p[0] == '\n')
		return 1;
	for (i = 0; i + 1 < n; i++)
		if (p[i] == '\n' && (p[i + 1] == '\n' ||
		    (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')))
			return 1;
	return 0;
}

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
	    (*p)[*n - 1] == '\r'))
		(*n)--;
	if (*n >= 2 && (*p)[0] == '<' && (*p)[*n - 1] == '>') {
		(*p)++;
		*n -= 2;
	}
}

static int
eq_ci(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && starts_ci(a, an, b);
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct child {
	pid_t	 pid;
	int	 in;		/* its stdin (a socket), non-blocking */
	int	 out;		/* its stdout+stderr */
	int	 pidfd;		/* -1 when the kernel has none */
	char	 cap[FWD_CAPTURE];
	size_t	 caplen;
	int	 out_eof;
	int	 in_broken;	/* EPIPE: it stopped reading */
	double	 deadline;
	int	 timeout;
};

static void
child_drain(struct child *c)
{
	char tmp[4096];
	ssize_t r;

	while (!c->out_eof) {
		r = read(c->out, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				c->out_eof = 1;
			return;
		}
		if (c->caplen < sizeof(c->cap) - 1) {
			size_t k = (size_t)r;

			if (k > sizeof(c->cap) - 1 - c->caplen)
				k = sizeof(c->cap) - 1 - c->caplen;
			memcpy(c->cap + c->caplen, tmp, k);
			c->caplen += k;
		}
		c->deadline = now_mono() + c->timeout;
	}
}

/* Write all of p to the child; -1 on timeout, 0 otherwise (a broken
 * pipe sets in_broken and returns 0: the caller decides). */
static int
child_write(struct child *c, const char *p, size_t n)
{
	struct pollfd pfd[2];
	ssize_t w;
	double left;

	while (n > 0 && !c->in_broken) {
		w = write(c->in, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			c->deadline = now_mono() + c->timeout;
			continue;
		}
		if (w < 0 && errno == EPIPE) {
			c->in_broken = 1;
			break;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			c->in_broken = 1;
			break;
		}
		left = c->deadline - now_mono();
		if (left <= 0)
			return -1;
		pfd[0].fd = c->in;
		pfd[0].events = POLLOUT;
		pfd[1].fd = c->out_eof ? -1 : c->out;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, (int)(left * 1000) + 1) > 0 &&
		    (pfd[1].revents & (POLLIN | POLLHUP)))
			child_drain(c);
	}
	return 0;
}

/* End its input, collect its output and status; -1 on timeout.  Its
 * stdin is one end of a socketpair: shutdown() gives it the EOF while we
 * keep our end, and when it exits with bytes unread the kernel marks our
 * end ECONNRESET; *unread tells.  A pipe would hide that: a sendmail that
 * stopped reading after 10 octets and exited 0 would pass. */
static int
child_finish(struct child *c, int *status, int *unread)
{
	struct pollfd pfd, pfd2[2];
	double left;
	socklen_t sl = sizeof(int);
	int soerr = 0, step;
	pid_t r;

	*unread = 0;
	(void)shutdown(c->in, SHUT_WR);
	c->deadline = now_mono() + c->timeout;
	/* a pidfd becomes readable when it exits (Linux >= 5.3) */
	while (c->pidfd >= 0) {
		if ((left = c->deadline - now_mono()) <= 0)
			return -1;
		pfd2[0].fd = c->out_eof ? -1 : c->out;
		pfd2[0].events = POLLIN;
		pfd2[1].fd = c->pidfd;
		pfd2[1].events = POLLIN;
		if (poll(pfd2, 2, (int)(left * 1000) + 1) <= 0)
			continue;
		if (pfd2[0].revents & (POLLIN | POLLHUP))
			child_drain(c);
		if (pfd2[1].revents & POLLIN)
			break;
	}
	/* without one: its output closes when it exits, then the status is
	 * there within a moment: re-check after 1, 2, 4 ... 32 ms */
	while (c->pidfd < 0 && !c->out_eof) {
		if ((left = c->deadline - now_mono()) <= 0)
			return -1;
		pfd.fd = c->out;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0)
			child_drain(c);
	}
	for (step = 1;; step = step < 32 ? step * 2 : 32) {
		r = waitpid(c->pid, status, WNOHANG);
		if (r == c->pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if ((left = c->deadline - now_mono()) <= 0)
			return -1;
		(void)poll(NULL, 0, step);
	}
	child_drain(c);
	if (c->pidfd >= 0) {
		close(c->pidfd);
		c->pidfd = -1;
	}
	if (getsockopt(c->in, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
	    soerr == ECONNRESET)
		*unread = 1;
	close(c->in);
	c->in = -1;
	return 0;
}

/* Written by the vfork()ed child when execv() fails: the parent sleeps
 * until the child has exec'd or exited, so it reads the value after. */
static volatile int exec_errno;

/* The child side of vfork(): system calls only, no stores into the
 * parent's frame.  Caught signals go back to their defaults before the
 * mask opens, so none of our handlers runs in the child. */
static void __attribute__((noinline, noreturn))
child_exec(const char *path, char **argv, int in, int out,
    const sigset_t *mask)
{
	struct sigaction sa;

	(void)setpgid(0, 0);
	/* if srs-forward dies (even by SIGKILL), sendmail dies too
	 * before it sees an EOF that would end the message early */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigprocmask(SIG_SETMASK, mask, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
		exec_errno = errno;
		_exit(127);
	}
	execv(path, argv);
	exec_errno = errno;
	_exit(127);
}

/* Start sendmail with vfork(): no page tables copied for a process that
 * execs at once (0.1 ms of the time a forward adds). */
static int
child_start(struct child *c, const char *path, char **argv, int *err)
{
	sigset_t all, old;
	int in[2], out[2], e;

	*err = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	exec_errno = 0;
	sigfillset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, &old);
	c->pid = vfork();
	if (c->pid == 0)
		child_exec(path, argv, in[0], out[1], &old);
	e = errno;
	if (c->pid > 0)
		child_pgid = c->pid;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	if (c->pid < 0) {
		close(c->in);
		close(c->out);
		errno = e;
		return -1;
	}
	/* the child is in its own group already: it ran setpgid() before
	 * vfork() returned here */
	if (exec_errno != 0) {
		*err = exec_errno;
		c->pidfd = -1;
		(void)waitpid(c->pid, NULL, 0);
		child_pgid = 0;
		close(c->in);
		close(c->out);
		return -1;
	}
#ifdef SYS_pidfd_open
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
#else
	c->pidfd = -1;
#endif
	/* ours only: sendmail's ends stay blocking (separate files) */
	(void)fcntl(c->in, F_SETFL, O_NONBLOCK);
	(void)fcntl(c->out, F_SETFL, O_NONBLOCK);
	c->deadline = now_mono() + c->timeout;
	return 0;
}

/* sendmail's output as one escaped line for the status text */
static const char *
child_said(struct child *c, char *buf, size_t len)
{
	size_t i;

	if (c->caplen == 0)
		return "no output";
	for (i = 0; i < c->caplen; i++)
		if (c->cap[i] == '\n')
			c->cap[i] = ' ';
	while (c->caplen > 0 && c->cap[c->caplen - 1] == ' ')
		c->caplen--;
	return msg_escape(buf, len, c->cap, c->caplen);
}

static ssize_t
read_some(int fd, char *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "secret", required_argument, NULL, 's' },
		{ "sendmail", required_argument, NULL, OPT_SENDMAIL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "long-local", required_argument, NULL, OPT_LONG },
		{ "hop-limit", required_argument, NULL, OPT_HOPS },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "hash-alphabet", required_argument, NULL, OPT_ALPHABET },
		{ "separator", required_argument, NULL, OPT_SEPARATOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *secret = DEFAULT_SECRET, *sendmail = QPM_SENDMAIL;
	const char *domains[SRS_MAX_DOMAINS], *snd = NULL, *line, *v, *dtline;
	char sender[SRS_OUT_MAX], srsaddr[SRS_OUT_MAX], said[FWD_CAPTURE * 4];
	char esc[256], **cargv = NULL;
	enum srs_long_policy policy = SRS_LONG_TEMPFAIL;
	struct child ch;
	struct srs *srs = NULL;
	struct sigaction sa;
	enum srs_reason why;
	size_t ndomains = 0, hlen = 0, pos = 0, sn = 0, ln, vn, k, nrcpt;
	long lv, hop_limit = FWD_DEF_HOPS, timeout = FWD_DEF_TIMEOUT;
	time_t now_t = 0;
	ssize_t r;
	int c, err, have_now = 0, eof = 0, from_line = 0, null_sender = 0;
	int hops = 0, status, i, where = MSG_SYSLOG, warn_long = 0, unread;
	int exit_code = QPM_EXIT_TEMPFAIL;

	memset(&ch, 0, sizeof(ch));
	ch.in = ch.out = ch.pidfd = -1;
	msg_init(PROGRAM_NAME, MSG_SYSLOG);
	srs = srs_new();
	while ((c = getopt_long(argc, argv, "d:s:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (ndomains >= SRS_MAX_DOMAINS)
				goto usage;
			domains[ndomains++] = optarg;
			break;
		case 's':
			secret = optarg;
			break;
		case OPT_SENDMAIL:
			sendmail = optarg;
			break;
		case OPT_TIMEOUT:
			if (num_parse_long(optarg, 1, 86400, &timeout) < 0)
				goto usage;
			break;
		case OPT_LONG:
			if (srs_long_policy_parse(optarg, &policy) < 0)
				goto usage;
			break;
		case OPT_HOPS:
			if (num_parse_long(optarg, 1, 1000, &hop_limit) < 0)
				goto usage;
			break;
		case OPT_NOW:
			if (num_parse_long(optarg, 0, 0x7fffffffL * 64, &lv) < 0)
				goto usage;
			now_t = (time_t)lv;
			have_now = 1;
			break;
		case OPT_ALPHABET:
			if (srs == NULL)
				break;
			if (strcmp(optarg, "base64") == 0)
				srs->alphabet = SRS_ALPHA_BASE64;
			else if (strcmp(optarg, "base64url") == 0)
				srs->alphabet = SRS_ALPHA_BASE64URL;
			else
				goto usage;
			break;
		case OPT_SEPARATOR:
			if (strlen(optarg) != 1 || strchr("=+-", *optarg) ==
			    NULL)
				goto usage;
			if (srs != NULL)
				srs->sep = *optarg;
			break;
		case 'v':
			msg_verbose++;
			where |= MSG_STDERR;
			break;
		case 'h':
			help();
			srs_free(srs);
			return 0;
		case 'V':
			qpm_version(PROGRAM_NAME);
			srs_free(srs);
			return 0;
		default:
			goto usage;
		}
	}
	/* from here on, every line of ours on stderr starts with a DSN code
	 * unless -v asked for more */
	msg_init(PROGRAM_NAME, where);
	nrcpt = (size_t)(argc - optind);
	if (nrcpt == 0 || nrcpt > FWD_MAX_RCPTS)
		goto usage;
	if (getuid() == 0 || geteuid() == 0) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "refusing to run "
		    "as root (run from a user's .forward or a pipe(8) "
		    "transport with user=)");
		goto out;
	}
	if (srs == NULL) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "out of memory");
		goto out;
	}
	if (ndomains == 0) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.5", "no SRS domain "
		    "(-d DOMAIN)");
		goto out;
	}
	for (k = 0; k < ndomains; k++)
		if (srs_add_domain(srs, domains[k]) < 0) {
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.5",
			    "-d %s: not a domain", domains[k]);
			goto out;
		}
	if ((err = srs_load_secrets(srs, secret)) < 0) {
		exit_code = err == QPM_EPERM ? fail(QPM_EXIT_TEMPFAIL, "4.3.5",
		    "secret file %s may be read or changed by others: "
		    SRS_SECRET_CHMOD " %s", secret, secret) :
		    fail(QPM_EXIT_TEMPFAIL, "4.3.5", "cannot read "
		    "secret file %s: %s", secret, err == QPM_EINVAL ?
		    "no secret in it" : qpm_strerror(err));
		goto out;
	}
	if (have_now)
		qpm_clock_fixed(&srs->clock, &now_t);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* 1. the envelope line(s) and the header, up to FWD_HEADER_MAX */
	while (hlen < sizeof(hbuf) && !header_end(hbuf, hlen)) {
		if ((r = read_some(0, hbuf + hlen, sizeof(hbuf) - hlen)) < 0) {
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0",
			    "cannot read the message: %s", strerror(errno));
			goto out;
		}
		if (r == 0) {
			eof = 1;
			break;
		}
		hlen += (size_t)r;
	}
	if (hlen >= 5 && memcmp(hbuf, "From ", 5) == 0) {
		const char *nl = memchr(hbuf, '\n', hlen);

		if (nl == NULL || from_line_sender(hbuf, (size_t)(nl - hbuf),
		    &snd, &sn) < 0) {
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.6.0",
			    "cannot parse the \"From \" line");
			goto out;
		}
		from_line = 1;
		if (sn == 13 && memcmp(snd, "MAILER-DAEMON", 13) == 0)
			null_sender = 1;
		pos = (size_t)(nl - hbuf) + 1;
	}
	if (starts_ci(hbuf + pos, hlen - pos, "Return-Path:")) {
		const char *nl = memchr(hbuf + pos, '\n', hlen - pos);

		ln = nl != NULL ? (size_t)(nl - hbuf - pos) : hlen - pos;
		if (return_path_sender(hbuf + pos, ln, &snd, &sn) < 0) {
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.6.0",
			    "cannot parse the Return-Path: header");
			goto out;
		}
		null_sender = sn == 0;
		pos += ln + (nl != NULL);
	} else if (!from_line) {
		/* qmail without preline: NEWSENDER is what qmail's own
		 * forward uses; SENDER is exact under qmail, but Postfix
		 * filters it, so it counts only beside qmail's DTLINE */
		if ((v = getenv("NEWSENDER")) == NULL &&
		    (getenv("DTLINE") == NULL || (v = getenv("SENDER")) == NULL)) {
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0",
			    "cannot tell the envelope sender: no \"From \" "
			    "line, no Return-Path: header, no qmail "
			    "$NEWSENDER/$SENDER");
			goto out;
		}
		snd = v;
		sn = strlen(v);
		null_sender = sn == 0 || strcmp(v, "<>") == 0;
	}

	/* 2. loops: Delivered-To: lines in the header we hold */
	for (line = hbuf + pos; line < hbuf + hlen; ) {
		const char *nl = memchr(line, '\n', (size_t)(hbuf + hlen - line));
		size_t len = nl != NULL ? (size_t)(nl - line) :
		    (size_t)(hbuf + hlen - line);

		if (len == 0 || (len == 1 && line[0] == '\r'))
			break;		/* end of header */
		if (starts_ci(line, len, "Delivered-To:")) {
			v = line + 13;
			vn = len - 13;
			trim(&v, &vn);
			hops++;
			for (i = optind; i < argc; i++)
				if (eq_ci(v, vn, argv[i])) {
					exit_code = fail(QPM_EXIT_DATAERR,
					    "5.4.6", "mail forwarding loop: "
					    "already delivered to %s",
					    msg_escape(esc, sizeof(esc), v,
					    vn));
					goto out;
				}
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	if (hops >= hop_limit) {
		exit_code = fail(QPM_EXIT_DATAERR, "5.4.6", "mail forwarding "
		    "loop: %d Delivered-To: lines (--hop-limit %ld)", hops,
		    hop_limit);
		goto out;
	}

	/* 3. the new envelope sender */
	if (null_sender)
		sender[0] = '\0';
	else {
		if (sn >= sizeof(sender)) {
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.1.7",
			    "envelope sender too long");
			goto out;
		}
		memcpy(sender, snd, sn);
		sender[sn] = '\0';
		switch (srs_forward(srs, sender, sn, srsaddr, sizeof(srsaddr),
		    &why)) {
		case SRS_REWRITTEN:
			memcpy(sender, srsaddr, strlen(srsaddr) + 1);
			break;
		case SRS_NOT_APPLICABLE:
			msg_escape(esc, sizeof(esc), snd, sn);
			if (why == SRS_WHY_TOO_LONG &&
			    policy == SRS_LONG_TEMPFAIL) {
				exit_code = fail(QPM_EXIT_TEMPFAIL, "4.1.7",
				    "sender %s: %s (--long-local=tempfail)",
				    esc, srs_reason_text(why));
				goto out;
			}
			if (why == SRS_WHY_TOO_LONG)
				warn_long = 1;
			msg_info("sender %s kept: %s", esc,
			    srs_reason_text(why));
			break;
		case SRS_ERROR:
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0",
			    "cannot rewrite the sender: %s",
			    srs_reason_text(why));
			goto out;
		}
	}

	/* 4. sendmail -i -f SENDER -- RECIPIENT... */
	if ((cargv = calloc(nrcpt + 6, sizeof(*cargv))) == NULL) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "out of memory");
		goto out;
	}
	cargv[0] = (char *)sendmail;
	cargv[1] = (char *)"-i";
	cargv[2] = (char *)"-f";
	cargv[3] = sender;
	cargv[4] = (char *)"--";
	for (k = 0; k < nrcpt; k++)
		cargv[5 + k] = argv[optind + (int)k];
	ch.timeout = (int)timeout;
	if (sendmail[0] != '/') {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.5", "--sendmail %s: "
		    "an absolute path is needed", sendmail);
		goto out;
	}
	if (child_start(&ch, sendmail, cargv, &err) < 0) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "cannot run %s: "
		    "%s", sendmail, strerror(err != 0 ? err : errno));
		ch.pid = 0;
		goto out;
	}

	/* 5. stream: (qmail: its Delivered-To line,) the header, the body */
	dtline = from_line ? NULL : getenv("DTLINE");
	if (dtline != NULL && getenv("NEWSENDER") != NULL &&
	    child_write(&ch, dtline, strlen(dtline)) < 0)
		goto timeout;
	if (child_write(&ch, hbuf + pos, hlen - pos) < 0)
		goto timeout;
	while (!eof && !ch.in_broken) {
		if ((r = read_some(0, bbuf, sizeof(bbuf))) < 0) {
			kill_child();
			exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0",
			    "cannot read the message: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (child_write(&ch, bbuf, (size_t)r) < 0)
			goto timeout;
	}
	if (ch.in_broken) {
		/* it stopped reading: whatever it says, the copy is cut */
		kill_child();
		(void)child_finish(&ch, &status, &unread);
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s stopped "
		    "reading the message: %s", sendmail,
		    child_said(&ch, said, sizeof(said)));
		goto out;
	}
	if (child_finish(&ch, &status, &unread) < 0)
		goto timeout;
	child_pgid = 0;
	ch.pid = 0;
	if (unread && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s exited 0 "
		    "without reading the whole message: %s", sendmail,
		    child_said(&ch, said, sizeof(said)));
		goto out;
	}
	if (WIFSIGNALED(status)) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s killed by "
		    "signal %d: %s", sendmail, WTERMSIG(status),
		    child_said(&ch, said, sizeof(said)));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		exit_code = fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s exited with "
		    "status %d: %s", sendmail, WEXITSTATUS(status),
		    child_said(&ch, said, sizeof(said)));
		goto out;
	}
	if (warn_long) {
		msg_escape(esc, sizeof(esc), snd, sn);
		fprintf(stderr, "%s: warning: forwarded with the original "
		    "sender %s: %s (--long-local=plain)\n", PROGRAM_NAME, esc,
		    srs_reason_text(SRS_WHY_TOO_LONG));
	}
	msg_debug("forwarded from <%s>", sender);
	exit_code = 0;
	goto out;
timeout:
	kill_child();
	exit_code = fail(QPM_EXIT_TEMPFAIL, "4.4.7", "%s made no progress for "
	    "%ld s: killed", sendmail, timeout);
	goto out;
usage:
	fprintf(stderr, "4.3.5 %s: usage: %s [-d DOMAIN] [-s SECRET_FILE] "
	    "[--sendmail PATH] [--timeout S] [--] RECIPIENT...\n",
	    PROGRAM_NAME, PROGRAM_NAME);
	exit_code = QPM_EXIT_TEMPFAIL;
out:
	if (ch.pid > 0) {
		kill_child();
		(void)waitpid(ch.pid, NULL, 0);
	}
	if (ch.in >= 0)
		close(ch.in);
	if (ch.out >= 0)
		close(ch.out);
	if (ch.pidfd >= 0)
		close(ch.pidfd);
	free(cargv);
	srs_free(srs);
	return exit_code;
}
