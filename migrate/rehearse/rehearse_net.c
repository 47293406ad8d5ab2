/*
 * NAME		rehearse_net - the rehearsal's clients: SMTP probes, IMAP,
 *		POP3 and SMTP AUTH logins, free loopback ports
 * DOES		speaks just enough of each protocol to send a message or
 *		learn whether a login was accepted (SASL PLAIN); SMTP AUTH
 *		also inside TLS from the first byte (a wrapper-mode
 *		listener, 465), without checking the certificate: the
 *		rehearsal's may be a throw-away one
 * NEVER	connects anywhere but 127.0.0.1, prints a password, waits
 *		longer than RH_IO_TIMEOUT for one reply
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "migrate/rehearse/rehearse.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

int
rh_base64(const void *in, size_t len, struct qstr *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	char q[4];
	unsigned long v;
	size_t i;
	int e;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		q[0] = tab[v >> 18 & 63];
		q[1] = tab[v >> 12 & 63];
		q[2] = tab[v >> 6 & 63];
		q[3] = tab[v & 63];
		if ((e = qstr_catn(out, q, 4)) < 0)
			return e;
	}
	if (i < len) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		q[0] = tab[v >> 18 & 63];
		q[1] = tab[v >> 12 & 63];
		q[2] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		q[3] = '=';
		if ((e = qstr_catn(out, q, 4)) < 0)
			return e;
	}
	return 0;
}

/* A port nobody listens on, from below the kernel's ephemeral range so
 * that no client socket holds it a moment later. */
int
rh_free_port(void)
{
	struct sockaddr_in sa;
	unsigned lo = 20000, hi = 32000, eph_lo = 0, eph_hi = 0, i, p;
	FILE *fp;
	int fd;

	if ((fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) != NULL) {
		if (fscanf(fp, "%u %u", &eph_lo, &eph_hi) == 2 && eph_lo > lo + 2000)
			hi = eph_lo - 1;
		fclose(fp);
	}
	for (i = 0; i < 1000; i++) {
		p = lo + (unsigned)(random() % (long)(hi - lo));
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((unsigned short)p);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return (int)p;
		}
		close(fd);
	}
	return -1;
}

/* ------------------------------------------------------- connections */

int
rh_tcp_connects(int port)
{
	struct sockaddr_in sa;
	int fd, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

struct rh_conn {
	int	fd;
	SSL	*ssl;		/* TLS from the first byte, else NULL */
	char	buf[4096];
	size_t	len, off;
};

/* connect() within RH_IO_TIMEOUT: a listener whose backlog is full (its
 * server stopped accepting) would hold a blocking connect for minutes;
 * 0, or -1 with errno (ETIMEDOUT when it did not complete in time) */
static int
connect_timed(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd pfd;
	double end = qpm_clock_mono() + RH_IO_TIMEOUT;
	socklen_t el = sizeof(int);
	int fl, err = 0, n;

	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl |
	    O_NONBLOCK) < 0)
		return -1;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			double left = end - qpm_clock_mono();

			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			if ((n = poll(&pfd, 1, (int)(left * 1000) + 1)) > 0)
				break;
			if (n < 0 && errno != EINTR)
				return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			return -1;
		if (err != 0) {
			errno = err;
			return -1;
		}
	}
	return fcntl(fd, F_SETFL, fl);
}

/* from 127.0.0.1, or from src (another 127/8 address) when not NULL */
static int
conn_open_from(struct rh_conn *c, const char *src, int port)
{
	struct sockaddr_in sa;
	struct timeval tv = { RH_IO_TIMEOUT, 0 };
	int e, one = 1;

	memset(c, 0, sizeof(*c));
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	/* the source port is chosen at connect(), by the whole address
	 * pair: bind() alone would search the port range for one no
	 * socket holds, and thousands of logins leave as many in
	 * TIME_WAIT */
	if (src != NULL)
		setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
	if (src != NULL && (inet_pton(AF_INET, src, &sa.sin_addr) != 1 ||
	    bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0))
		goto fail;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect_timed(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	close(c->fd);
	c->fd = -1;
	errno = e;
	return -1;
}

static void	tls_keep(struct rh_conn *c);

static int
conn_open(struct rh_conn *c, int port)
{
	return conn_open_from(c, NULL, port);
}

static void
conn_close(struct rh_conn *c)
{
	tls_keep(c);
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* A client's TLS context, made once per process (a new one per
 * connection costs more CPU than the handshake), and the session of its
 * last handshake: the next connection resumes it (the server still
 * runs its TLS wrapper and SMTP AUTH; no full key exchange each time). */
static SSL_CTX *tls_ctx;
static SSL_SESSION *tls_sess;

/* the TLS handshake on an open connection; -1 when it fails */
static int
conn_tls(struct rh_conn *c)
{
	if (tls_ctx == NULL && (tls_ctx = SSL_CTX_new(TLS_client_method())) ==
	    NULL)
		return -1;
	if ((c->ssl = SSL_new(tls_ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
	if (tls_sess != NULL)
		SSL_set_session(c->ssl, tls_sess);
	return SSL_connect(c->ssl) == 1 ? 0 : -1;
}

/* at the end of a connection: its session kept for the next one (with
 * TLS 1.3 the ticket arrives after the handshake, with the first reply) */
static void
tls_keep(struct rh_conn *c)
{
	SSL_SESSION *s;

	if (c->ssl == NULL || (s = SSL_get1_session(c->ssl)) == NULL)
		return;
	if (!SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(s);
		return;
	}
	SSL_SESSION_free(tls_sess);
	tls_sess = s;
}

static ssize_t
conn_io(struct rh_conn *c, char *p, size_t n, int out)
{
	int k, i = n > 65536 ? 65536 : (int)n;

	if (c->ssl == NULL)
		return out ? write(c->fd, p, n) : read(c->fd, p, n);
	k = out ? SSL_write(c->ssl, p, i) : SSL_read(c->ssl, p, i);
	if (k > 0)
		return k;
	errno = EIO;
	return SSL_get_error(c->ssl, k) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

static int
conn_write(struct rh_conn *c, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = conn_io(c, (char *)p, n, 1)) <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* one line without CRLF into line (replacing it); -1 on EOF or timeout */
static int
conn_line(struct rh_conn *c, struct qstr *line)
{
	ssize_t r;
	char ch;

	qstr_reset(line);
	for (;;) {
		if (c->off == c->len) {
			do
				r = conn_io(c, c->buf, sizeof(c->buf), 0);
			while (r < 0 && errno == EINTR);
			if (r <= 0)
				return -1;
			c->len = (size_t)r;
			c->off = 0;
		}
		ch = c->buf[c->off++];
		if (ch == '\n')
			break;
		if (ch != '\r' && qstr_catc(line, ch) < 0)
			return -1;
	}
	return 0;
}

/* SMTP reply: the code, every line appended to reply; -1 on error */
static int
smtp_reply(struct rh_conn *c, struct qstr *reply)
{
	struct qstr line = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	int code = -1;

	qstr_reset(reply);
	for (;;) {
		if (conn_line(c, &line) < 0 || line.len < 3) {
			code = -1;
			break;
		}
		if (reply->len > 0)
			qstr_cat(reply, " / ");
		qstr_cat(reply, qstr_str(&line));
		code = atoi(line.buf);
		if (line.len == 3 || line.buf[3] != '-')
			break;
		if (reply->len > RH_MAX_REPLY) {
			code = -1;
			break;
		}
	}
	qstr_free(&line);
	return code;
}

static int
sasl_plain(const char *user, const char *pass, struct qstr *out)
{
	struct qstr raw = QSTR_INIT(4096);
	int e;

	if ((e = qstr_catc(&raw, '\0')) < 0 || (e = qstr_cat(&raw, user)) < 0 ||
	    (e = qstr_catc(&raw, '\0')) < 0 || (e = qstr_cat(&raw, pass)) < 0 ||
	    (e = rh_base64(raw.buf, raw.len, out)) < 0) {
		qstr_free(&raw);
		return e;
	}
	memset(raw.buf, 0, raw.len);	/* the password */
	qstr_free(&raw);
	return 0;
}

/* PREFIX, the credentials, CRLF, then next (pipelined commands) */
static int
send_auth(struct rh_conn *c, const char *prefix, const char *user,
    const char *pass, const char *next)
{
	struct qstr cmd = QSTR_INIT(8192);
	int e;

	if (qstr_cat(&cmd, prefix) < 0 || sasl_plain(user, pass, &cmd) < 0 ||
	    qstr_cat(&cmd, "\r\n") < 0 || qstr_cat(&cmd, next) < 0)
		e = -1;
	else
		e = conn_write(c, cmd.buf, cmd.len);
	if (cmd.buf != NULL)
		memset(cmd.buf, 0, cmd.len);
	qstr_free(&cmd);
	return e;
}

/* The start every login probe shares, from src (NULL: 127.0.0.1):
 * reply says why it could not. */
static int
login_open(struct rh_conn *c, const char *src, int port, struct qstr *reply)
{
	qstr_reset(reply);
	if (conn_open_from(c, src, port) < 0) {
		if (errno == ETIMEDOUT)
			qstr_catf(reply, RH_NO_CONNECTION " to 127.0.0.1:%d "
			    "from %s within %d s", port, src != NULL ? src :
			    "127.0.0.1", RH_IO_TIMEOUT);
		else
			qstr_catf(reply, "cannot connect from %s to "
			    "127.0.0.1:%d", src != NULL ? src : "127.0.0.1",
			    port);
		return -1;
	}
	return 0;
}

/* the same, in TLS from the first byte */
static int
login_open_tls(struct rh_conn *c, const char *src, int port,
    struct qstr *reply)
{
	if (login_open(c, src, port, reply) < 0)
		return -1;
	if (conn_tls(c) < 0) {
		qstr_cat(reply, "no TLS handshake");
		conn_close(c);
		return -1;
	}
	return 0;
}

/* IMAP: with SASL-IR in the greeting's capabilities, the credentials
 * travel with the command (RFC 4959) and LOGOUT in the same write: one
 * round trip (Dovecot hands input read before a login to the IMAP
 * process; a failed login answers LOGOUT itself) */
enum rh_login
rh_login_imap(const char *src, int port, const char *user,
    const char *pass, struct qstr *reply)
{
	struct rh_conn c;
	enum rh_login r = RH_LOGIN_ERROR;
	int pipe;

	if (login_open(&c, src, port, reply) < 0)
		return RH_LOGIN_ERROR;
	if (conn_line(&c, reply) < 0 || strncmp(qstr_str(reply), "* OK", 4) != 0)
		goto out;
	pipe = strstr(reply->buf, " SASL-IR") != NULL;
	if (send_auth(&c, "a1 AUTHENTICATE PLAIN ", user, pass,
	    pipe ? "a2 LOGOUT\r\n" : "") < 0)
		goto out;
	for (;;) {
		if (conn_line(&c, reply) < 0)
			goto out;
		if (strncmp(qstr_str(reply), "a1 ", 3) == 0)
			break;
		if (reply->buf[0] == '+' && !pipe) {	/* give up cleanly */
			conn_write(&c, "*\r\n", 3);
			continue;
		}
	}
	r = strncmp(reply->buf, "a1 OK", 5) == 0 ? RH_LOGIN_OK : RH_LOGIN_FAIL;
	if (!pipe)
		conn_write(&c, "a2 LOGOUT\r\n", 11);
out:
	conn_close(&c);
	return r;
}

/* POP3: AUTH PLAIN with its initial response (RFC 5034) and QUIT in one
 * write, as Dovecot takes them */
enum rh_login
rh_login_pop3(const char *src, int port, const char *user,
    const char *pass, struct qstr *reply)
{
	struct rh_conn c;
	enum rh_login r = RH_LOGIN_ERROR;

	if (login_open(&c, src, port, reply) < 0)
		return RH_LOGIN_ERROR;
	if (conn_line(&c, reply) < 0 || strncmp(qstr_str(reply), "+OK", 3) != 0)
		goto out;
	if (send_auth(&c, "AUTH PLAIN ", user, pass, "QUIT\r\n") < 0 ||
	    conn_line(&c, reply) < 0)
		goto out;
	if (strncmp(reply->buf, "+OK", 3) == 0)
		r = RH_LOGIN_OK;
	else if (strncmp(reply->buf, "-ERR", 4) == 0)
		r = RH_LOGIN_FAIL;
out:
	conn_close(&c);
	return r;
}

/* SMTP AUTH on c, which login_open or login_open_tls opened */
static enum rh_login
smtp_login(struct rh_conn *c, const char *user, const char *pass,
    struct qstr *reply)
{
	enum rh_login r = RH_LOGIN_ERROR;
	int code;

	if (smtp_reply(c, reply) != 220 ||
	    conn_write(c, "EHLO rehearse.invalid\r\n", 23) < 0 ||
	    smtp_reply(c, reply) != 250 ||
	    send_auth(c, "AUTH PLAIN ", user, pass, "") < 0 ||
	    (code = smtp_reply(c, reply)) < 0)
		goto out;
	r = code == 235 ? RH_LOGIN_OK : RH_LOGIN_FAIL;
	conn_write(c, "QUIT\r\n", 6);
out:
	conn_close(c);
	return r;
}

enum rh_login
rh_login_smtp(const char *src, int port, const char *user,
    const char *pass, struct qstr *reply)
{
	struct rh_conn c;

	if (login_open(&c, src, port, reply) < 0)
		return RH_LOGIN_ERROR;
	return smtp_login(&c, user, pass, reply);
}

enum rh_login
rh_login_smtps(const char *src, int port, const char *user,
    const char *pass, struct qstr *reply)
{
	struct rh_conn c;

	if (login_open_tls(&c, src, port, reply) < 0)
		return RH_LOGIN_ERROR;
	return smtp_login(&c, user, pass, reply);
}

/* --------------------------------------------------------- SMTP probes */

struct rh_smtp {
	struct rh_conn	c;
	struct qstr	line;
};

struct rh_smtp *
rh_smtp_open(int port, const char *helo, struct qstr *err)
{
	struct rh_smtp *s;
	struct qstr cmd = QSTR_INIT(1024);

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	qstr_init(&s->line, RH_MAX_REPLY);
	if (conn_open(&s->c, port) < 0) {
		qstr_catf(err, "cannot connect to 127.0.0.1:%d", port);
		goto fail;
	}
	if (smtp_reply(&s->c, err) != 220)
		goto fail;
	if (qstr_catf(&cmd, "EHLO %s\r\n", helo) < 0 ||
	    conn_write(&s->c, cmd.buf, cmd.len) < 0 ||
	    smtp_reply(&s->c, err) != 250)
		goto fail;
	qstr_free(&cmd);
	qstr_reset(err);
	return s;
fail:
	qstr_free(&cmd);
	rh_smtp_close(s);
	return NULL;
}

void
rh_smtp_close(struct rh_smtp *s)
{
	if (s == NULL)
		return;
	if (s->c.fd >= 0 && s->c.len == s->c.off)
		conn_write(&s->c, "QUIT\r\n", 6);
	conn_close(&s->c);
	qstr_free(&s->line);
	free(s);
}

static int
cmd_reply(struct rh_smtp *s, struct qstr *cmd, struct qstr *reply)
{
	if (conn_write(&s->c, cmd->buf, cmd->len) < 0)
		return -1;
	return smtp_reply(&s->c, reply);
}

/* DATA, the message (CRLF, dot-stuffed) and its reply: 0 queued (queue
 * id in qid), 1 refused, -1 the session broke */
static int
smtp_data(struct rh_smtp *s, const char *msg, char *qid, size_t qidlen,
    struct qstr *reply)
{
	struct qstr cmd = QSTR_INIT(QPM_MAX_MESSAGE);
	const char *p, *q;
	int code, rc = -1;

	if (qstr_cat(&cmd, "DATA\r\n") < 0 || (code = cmd_reply(s, &cmd,
	    reply)) < 0)
		goto out;
	if (code != 354) {
		rc = 1;
		goto out;
	}
	qstr_reset(&cmd);
	for (p = msg; *p != '\0'; p = *q ? q + 1 : q) {
		q = p + strcspn(p, "\n");
		if ((*p == '.' && qstr_catc(&cmd, '.') < 0) ||
		    qstr_catn(&cmd, p, (size_t)(q - p)) < 0 ||
		    qstr_cat(&cmd, "\r\n") < 0)
			goto out;
	}
	if (qstr_cat(&cmd, ".\r\n") < 0 || (code = cmd_reply(s, &cmd, reply)) < 0)
		goto out;
	if (code != 250) {
		rc = 1;
		goto out;
	}
	/* "250 2.0.0 Ok: queued as 4Xyz..." */
	if ((p = strstr(qstr_str(reply), "queued as ")) != NULL) {
		p += 10;
		q = p + strcspn(p, " \t/");
		if ((size_t)(q - p) < qidlen) {
			memcpy(qid, p, (size_t)(q - p));
			qid[q - p] = '\0';
		}
	}
	rc = 0;
out:
	qstr_free(&cmd);
	return rc;
}

/* after a refusal: the transaction reset; 1 (refused) even when the
 * session broke here: the next send finds out and opens another */
static int
smtp_rset(struct rh_smtp *s)
{
	struct qstr cmd = QSTR_INIT(64), r2 = QSTR_INIT(RH_MAX_REPLY);

	if (qstr_cat(&cmd, "RSET\r\n") == 0)
		(void)cmd_reply(s, &cmd, &r2);
	qstr_free(&cmd);
	qstr_free(&r2);
	return 1;
}

int
rh_smtp_send(struct rh_smtp *s, const char *from, const char *rcpt,
    const char *msg, char *qid, size_t qidlen, struct qstr *reply)
{
	char acc = 0;

	return rh_smtp_send_rcpts(s, from, &rcpt, 1, msg, qid, qidlen, &acc,
	    reply);
}

int
rh_smtp_send_rcpts(struct rh_smtp *s, const char *from,
    const char *const *rcpt, size_t n, const char *msg, char *qid,
    size_t qidlen, char *acc, struct qstr *reply)
{
	struct qstr cmd = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	size_t i, nacc = 0;
	int code, rc = -1;

	qid[0] = '\0';
	memset(acc, 0, n);
	if (qstr_catf(&cmd, "MAIL FROM:<%s>\r\n", from) < 0 ||
	    (code = cmd_reply(s, &cmd, reply)) < 0)
		goto out;
	if (code != 250) {
		rc = smtp_rset(s);
		goto out;
	}
	/* each RCPT's own reply; the last refusal stays in reply */
	for (i = 0; i < n; i++) {
		qstr_reset(&cmd);
		if (n > 1)
			qstr_reset(reply);
		if (qstr_catf(&cmd, "RCPT TO:<%s>\r\n", rcpt[i]) < 0 ||
		    (code = cmd_reply(s, &cmd, reply)) < 0)
			goto out;
		if (code == 250 || code == 251) {
			acc[i] = 1;
			nacc++;
		}
	}
	if (nacc == 0) {
		rc = smtp_rset(s);
		goto out;
	}
	rc = smtp_data(s, msg, qid, qidlen, reply);
out:
	qstr_free(&cmd);
	return rc;
}

/* ------------------------------------------------------------ headers */

/* The value of the first header field called name in the top header
 * block (unfolded, trimmed; for Message-ID without the angle brackets). */
int
rh_header_value(const char *text, size_t len, const char *name,
    struct qstr *out)
{
	const char *p = text, *end = text + len, *eol, *v;
	size_t nl = strlen(name);

	qstr_reset(out);
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if (eol == p || (eol == p + 1 && *p == '\r'))
			return 0;	/* end of the header block */
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			for (v = p + nl + 1; v < eol; v++) {
				if (*v == '\r' || *v == '<' || *v == '>' ||
				    (*v == ' ' && out->len == 0) || *v == '\t')
					continue;
				if (qstr_catc(out, *v) < 0)
					return QPM_ERANGE;
			}
			/* folded continuation lines */
			while (eol < end && eol + 1 < end &&
			    (eol[1] == ' ' || eol[1] == '\t')) {
				p = eol + 1;
				eol = memchr(p, '\n', (size_t)(end - p));
				if (eol == NULL)
					eol = end;
				for (v = p; v < eol; v++)
					if (*v != '\r' && *v != '<' && *v != '>' &&
					    *v != ' ' && *v != '\t' &&
					    qstr_catc(out, *v) < 0)
						return QPM_ERANGE;
			}
			while (out->len > 0 && out->buf[out->len - 1] == ' ')
				out->buf[--out->len] = '\0';
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

/* ---------------------------------------------------------- socketmap */

/* One Postfix socketmap request ("NAME KEY" as a netstring) to
 * 127.0.0.1:port: 1 OK (the value in out), 0 NOTFOUND, -1 anything else
 * (the reply or the error in out). */
int
rh_sockmap_query(int port, const char *map, const char *key,
    struct qstr *out)
{
	struct rh_conn c;
	struct qstr req = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	char lenbuf[16];
	size_t len = 0, i, got = 0;
	ssize_t r;
	int rc = -1;

	qstr_reset(out);
	if (conn_open(&c, port) < 0) {
		qstr_catf(out, "no socketmap on 127.0.0.1:%d", port);
		qstr_free(&req);
		return -1;
	}
	if (qstr_catf(&req, "%zu:%s %s,", strlen(map) + 1 + strlen(key), map,
	    key) < 0 || conn_write(&c, req.buf, req.len) < 0)
		goto out;
	/* "LEN:" then LEN octets then "," */
	for (i = 0; i < sizeof(lenbuf) - 1; i++) {
		if (c.off == c.len) {
			do
				r = read(c.fd, c.buf, sizeof(c.buf));
			while (r < 0 && errno == EINTR);
			if (r <= 0)
				goto out;
			c.len = (size_t)r;
			c.off = 0;
		}
		lenbuf[i] = c.buf[c.off++];
		if (lenbuf[i] == ':')
			break;
		if (lenbuf[i] < '0' || lenbuf[i] > '9')
			goto out;
		len = len * 10 + (size_t)(lenbuf[i] - '0');
		if (len > QPM_MAX_SMTP_LINE * 4)
			goto out;
	}
	if (i == sizeof(lenbuf) - 1)
		goto out;
	qstr_reset(&req);
	while (got < len + 1) {
		if (c.off == c.len) {
			do
				r = read(c.fd, c.buf, sizeof(c.buf));
			while (r < 0 && errno == EINTR);
			if (r <= 0)
				goto out;
			c.len = (size_t)r;
			c.off = 0;
		}
		if (qstr_catc(&req, c.buf[c.off++]) < 0)
			goto out;
		got++;
	}
	if (req.buf[len] != ',')
		goto out;
	req.buf[len] = '\0';
	if (strncmp(req.buf, "OK ", 3) == 0) {
		qstr_cat(out, req.buf + 3);
		rc = 1;
	} else if (strncmp(req.buf, "NOTFOUND", 8) == 0)
		rc = 0;
	else
		qstr_cat(out, req.buf);
out:
	if (rc < 0 && out->len == 0)
		qstr_catf(out, "no socketmap reply from 127.0.0.1:%d", port);
	conn_close(&c);
	qstr_free(&req);
	return rc;
}
