/*
 * NAME		msg - the one diagnostics API
 * DOES		"program: level: text" on stderr, and to syslog when asked
 * NEVER	prints control characters from input: every line is escaped
 *		(control, DEL, non-ASCII as \xNN) on its way out
 */
#ifndef QPM_MSG_H
#define QPM_MSG_H

#include <stddef.h>

#define MSG_STDERR	0x01
#define MSG_SYSLOG	0x02

extern int msg_verbose;		/* each -v adds one */
extern unsigned msg_count_warn, msg_count_error;

void	msg_init(const char *progname, int where);
const char *msg_progname(void);
void	msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_fatal(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
void	msg_fatalx(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* Copy src into dst (size dstlen) with control and non-ASCII bytes as \xNN;
 * always NUL-terminates; returns dst. */
char	*msg_escape(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
