/*
 * NAME		rl_conn - many loopback connections at once, for the limits
 * DOES		opens non-blocking connections from chosen 127.x.y.z source
 *		addresses, reads their lines, sends, waits for replies, and
 *		says in words what became of each
 * NEVER	connects outside 127.0.0.0/8, waits without a deadline
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "migrate/rehearse/rl_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/qstr.h"

void
rl_lc_close(struct lc *c)
{
	struct linger lg = { 1, 0 };	/* RST: no TIME_WAIT, no conntrack */

	if (c->fd >= 0) {
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->fd);
	}
	c->fd = -1;
}

void
rl_lc_close_all(struct lc *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rl_lc_close(&c[i]);
}

/* a non-blocking connection from src to 127.0.0.1:port */
void
rl_lc_open(struct lc *c, const char *src, int port)
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
		rl_lc_close(c);
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
		rl_lc_close(c);
	}
}

int
rl_lc_final(const struct lc *c)
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
void
rl_lc_io(struct lc *c, size_t n, int ms)
{
	struct pollfd pfd[RL_MAX_CONN + 1];
	size_t i, k = 0, map[RL_MAX_CONN + 1];
	ssize_t r;
	int err;
	socklen_t el;

	for (i = 0; i < n && k < RL_MAX_CONN + 1; i++) {
		if (c[i].fd < 0 || rl_lc_final(&c[i]))
			continue;
		pfd[k].fd = c[i].fd;
		pfd[k].events = c[i].state == C_CONNECTING ? POLLOUT : POLLIN;
		map[k++] = i;
	}
	if (k == 0) {
		rl_sleep_ms(ms);
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
				rl_lc_close(x);
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
			rl_lc_close(x);
		}
	}
}

static int
lc_done(const struct lc *c, int want)
{
	switch (want) {
	case W_LINE: return c->lines > 0 || rl_lc_final(c);
	case W_CONNECT: return c->state != C_CONNECTING;
	default: return rl_lc_final(c);
	}
}

/* I/O until every connection in [from, n) is done (want) or ms passed;
 * 1 when all are done */
int
rl_lc_pump(struct lc *c, size_t n, size_t from, int want, long ms)
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
		rl_lc_io(c, n, 50);
	}
	for (i = from; i < n; i++)
		if (want == W_CONNECT && c[i].state == C_CONNECTING)
			c[i].state = C_TIMEOUT;
	return 0;
}

int
rl_lc_send(struct lc *c, const char *s)
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
int
rl_lc_reply(struct lc *c, int mark, const char *tag, long ms)
{
	double end = qpm_clock_mono() + (double)ms / 1000;

	while (qpm_clock_mono() < end) {
		if (c->lines > mark && (tag == NULL || rl_starts(c->last, tag) ||
		    rl_starts(c->last, "* BYE")))
			return 1;
		if (rl_lc_final(c))
			return 0;
		rl_lc_io(c, 1, 50);
	}
	return 0;
}

const char *
rl_lc_what(const struct lc *c)
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
