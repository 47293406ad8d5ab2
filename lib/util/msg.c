/*
 * NAME		msg - diagnostics to stderr and, when asked, syslog
 * DOES		one line per call: "program: level: text[: strerror]"
 * NEVER	prints secrets (callers never pass them) or raw control bytes
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "util/msg.h"

int msg_verbose;
unsigned msg_count_warn, msg_count_error;

static const char *progname = "qmail2postfix";
static int msg_where = MSG_STDERR;

void
msg_init(const char *name, int where)
{
	const char *p;

	if (name != NULL) {
		p = strrchr(name, '/');
		progname = p != NULL ? p + 1 : name;
	}
	msg_where = where;
	if (where & MSG_SYSLOG)
		openlog(progname, LOG_PID, LOG_MAIL);
}

const char *
msg_progname(void)
{
	return progname;
}

/* control bytes, DEL and non-ASCII as \xNN; a backslash too unless
 * keep_bs */
static char *
escape(char *dst, size_t dstlen, const char *src, size_t srclen, int keep_bs)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	if (dstlen == 0)
		return dst;
	for (i = 0; i < srclen; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && (c != '\\' || keep_bs)) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}

static void
msg_vout(int prio, const char *level, int with_errno, const char *fmt,
    va_list ap)
{
	char raw[2048], text[sizeof(raw) * 4];
	int saved = errno;
	size_t n;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	if (with_errno) {
		n = strlen(raw);
		snprintf(raw + n, sizeof(raw) - n, ": %s", strerror(saved));
	}
	/* every line goes out through here: no byte of the input (a file
	 * name of the old host, a banner) reaches the terminal raw.  A
	 * backslash stays: what a caller passed through msg_escape() is
	 * not escaped twice */
	escape(text, sizeof(text), raw, strlen(raw), 1);
	if (msg_where & MSG_STDERR) {
		if (level != NULL)
			fprintf(stderr, "%s: %s: %s\n", progname, level, text);
		else
			fprintf(stderr, "%s: %s\n", progname, text);
		fflush(stderr);
	}
	if (msg_where & MSG_SYSLOG) {
		if (level != NULL)
			syslog(prio, "%s: %s", level, text);
		else
			syslog(prio, "%s", text);
	}
	errno = saved;
}

#define MSG_BODY(prio, level, with_errno) do {			\
	va_list ap;						\
	va_start(ap, fmt);					\
	msg_vout((prio), (level), (with_errno), fmt, ap);	\
	va_end(ap);						\
} while (0)

void
msg_info(const char *fmt, ...)
{
	MSG_BODY(LOG_INFO, NULL, 0);
}

void
msg_debug(const char *fmt, ...)
{
	if (msg_verbose > 0)
		MSG_BODY(LOG_DEBUG, "debug", 0);
}

void
msg_warn(const char *fmt, ...)
{
	msg_count_warn++;
	MSG_BODY(LOG_WARNING, "warning", 1);
}

void
msg_warnx(const char *fmt, ...)
{
	msg_count_warn++;
	MSG_BODY(LOG_WARNING, "warning", 0);
}

void
msg_error(const char *fmt, ...)
{
	msg_count_error++;
	MSG_BODY(LOG_ERR, "error", 1);
}

void
msg_errorx(const char *fmt, ...)
{
	msg_count_error++;
	MSG_BODY(LOG_ERR, "error", 0);
}

void
msg_fatal(int status, const char *fmt, ...)
{
	MSG_BODY(LOG_CRIT, "fatal", 1);
	exit(status);
}

void
msg_fatalx(int status, const char *fmt, ...)
{
	MSG_BODY(LOG_CRIT, "fatal", 0);
	exit(status);
}

char *
msg_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	return escape(dst, dstlen, src, srclen, 0);
}
