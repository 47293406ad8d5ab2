/*
 * NAME		feed - hand a message to a program (sendmail) and know that
 *		it took all of it
 * DOES		socketpair for its stdin, pipe for its output, vfork+execv,
 *		poll with a deadline that moves on every byte of progress
 * NEVER	counts an exit 0 as success by itself: a child that exits 0
 *		with input unread is reported (*unread); a pipe would hide
 *		that, a socket tells (ECONNRESET)
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/err.h"
#include "util/feed.h"
#include "util/msg.h"

#define FEED_CHUNK	(64 * 1024)

void
feed_init(struct feed *c)
{
	memset(c, 0, sizeof(*c));
	c->in = c->out = c->pidfd = -1;
}

static void
feed_drain(struct feed *c)
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
		c->deadline = qpm_clock_mono() + c->timeout;
	}
}

int
feed_write(struct feed *c, const char *p, size_t n)
{
	struct pollfd pfd[2];
	ssize_t w;
	double left;

	while (n > 0 && !c->in_broken) {
		/* MSG_NOSIGNAL: a child that stopped reading is an EPIPE
		 * here, never a SIGPIPE that kills the caller */
		w = send(c->in, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			c->deadline = qpm_clock_mono() + c->timeout;
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
		left = c->deadline - qpm_clock_mono();
		if (left <= 0)
			return -1;
		pfd[0].fd = c->in;
		pfd[0].events = POLLOUT;
		pfd[1].fd = c->out_eof ? -1 : c->out;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, (int)(left * 1000) + 1) > 0 &&
		    (pfd[1].revents & (POLLIN | POLLHUP)))
			feed_drain(c);
	}
	return 0;
}

int
feed_copy(struct feed *c, int fd)
{
	char buf[FEED_CHUNK];
	ssize_t r;

	while (!c->in_broken) {
		do
			r = read(fd, buf, sizeof(buf));
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return QPM_EIO;
		if (r == 0)
			break;
		if (feed_write(c, buf, (size_t)r) < 0)
			return -1;
	}
	return 0;
}

/* Its stdin is one end of a socketpair: shutdown() gives it the EOF
 * while we keep our end, and when it exits with bytes unread the kernel
 * marks our end ECONNRESET.  A pipe would hide that: a sendmail that
 * stopped reading after 10 octets and exited 0 would pass. */
int
feed_finish(struct feed *c, int *status, int *unread)
{
	struct pollfd pfd, pfd2[2];
	double left;
	socklen_t sl = sizeof(int);
	int soerr = 0, step;
	pid_t r;

	*unread = 0;
	(void)shutdown(c->in, SHUT_WR);
	c->deadline = qpm_clock_mono() + c->timeout;
	/* a pidfd becomes readable when it exits (Linux >= 5.3) */
	while (c->pidfd >= 0) {
		if ((left = c->deadline - qpm_clock_mono()) <= 0)
			return -1;
		pfd2[0].fd = c->out_eof ? -1 : c->out;
		pfd2[0].events = POLLIN;
		pfd2[1].fd = c->pidfd;
		pfd2[1].events = POLLIN;
		if (poll(pfd2, 2, (int)(left * 1000) + 1) <= 0)
			continue;
		if (pfd2[0].revents & (POLLIN | POLLHUP))
			feed_drain(c);
		if (pfd2[1].revents & POLLIN)
			break;
	}
	/* without one: its output closes when it exits, then the status is
	 * there within a moment: re-check after 1, 2, 4 ... 32 ms */
	while (c->pidfd < 0 && !c->out_eof) {
		if ((left = c->deadline - qpm_clock_mono()) <= 0)
			return -1;
		pfd.fd = c->out;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0)
			feed_drain(c);
	}
	for (step = 1;; step = step < 32 ? step * 2 : 32) {
		r = waitpid(c->pid, status, WNOHANG);
		if (r == c->pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if ((left = c->deadline - qpm_clock_mono()) <= 0)
			return -1;
		(void)poll(NULL, 0, step);
	}
	c->pid = 0;
	c->pgid = 0;
	feed_drain(c);
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

void
feed_kill(const struct feed *c)
{
	pid_t g = (pid_t)c->pgid;

	if (g > 0)
		(void)kill(-g, SIGKILL);
}

/* Written by the vfork()ed child when execv() fails: the parent sleeps
 * until the child has exec'd or exited, so it reads the value after. */
static volatile int exec_errno;

/* The child side of vfork(): system calls only, no stores into the
 * parent's frame.  Caught signals go back to their defaults before the
 * mask opens, so none of the caller's handlers runs in the child. */
static void __attribute__((noinline, noreturn))
child_exec(const char *path, char **argv, int in, int out,
    const sigset_t *mask)
{
	struct sigaction sa;

	(void)setpgid(0, 0);
	/* if the caller dies (even by SIGKILL), the child dies too
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

/* vfork(): no page tables copied for a process that execs at once
 * (0.1 ms of the time a forward adds). */
int
feed_start(struct feed *c, const char *path, char **argv, int timeout,
    int *err)
{
	sigset_t all, old;
	int in[2], out[2], e;

	*err = 0;
	c->timeout = timeout;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		e = errno;
		close(in[0]);
		close(in[1]);
		errno = e;
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
		c->pgid = c->pid;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	if (c->pid < 0) {
		c->pid = 0;
		close(c->in);
		close(c->out);
		c->in = c->out = -1;
		errno = e;
		return -1;
	}
	/* the child is in its own group already: it ran setpgid() before
	 * vfork() returned here */
	if (exec_errno != 0) {
		*err = exec_errno;
		c->pidfd = -1;
		(void)waitpid(c->pid, NULL, 0);
		c->pid = 0;
		c->pgid = 0;
		close(c->in);
		close(c->out);
		c->in = c->out = -1;
		errno = *err;
		return -1;
	}
#ifdef SYS_pidfd_open
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
#else
	c->pidfd = -1;
#endif
	/* ours only: the child's ends stay blocking (separate files) */
	(void)fcntl(c->in, F_SETFL, O_NONBLOCK);
	(void)fcntl(c->out, F_SETFL, O_NONBLOCK);
	c->deadline = qpm_clock_mono() + c->timeout;
	return 0;
}

const char *
feed_said(struct feed *c, char *buf, size_t len)
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

void
feed_close(struct feed *c)
{
	if (c->pid > 0) {
		feed_kill(c);
		(void)waitpid(c->pid, NULL, 0);
		c->pid = 0;
		c->pgid = 0;
	}
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->in = c->out = c->pidfd = -1;
}
