/*
 * NAME		qstr - growable string with overflow checks and a ceiling
 * DOES		appends; on failure the string is unchanged
 * NEVER	wraps a size, grows past max
 */
#ifndef QPM_QSTR_H
#define QPM_QSTR_H

#include <stdarg.h>
#include <stddef.h>

struct qstr {
	char	*buf;
	size_t	 len, cap;	/* len excludes the NUL */
	size_t	 max;		/* hard ceiling, set at init */
};

#define QSTR_INIT(m)	{ NULL, 0, 0, (m) }

void	qstr_init(struct qstr *s, size_t max);
void	qstr_free(struct qstr *s);
void	qstr_reset(struct qstr *s);
int	qstr_catn(struct qstr *s, const char *p, size_t n);
int	qstr_cat(struct qstr *s, const char *p);
int	qstr_catc(struct qstr *s, char c);
int	qstr_catf(struct qstr *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	qstr_vcatf(struct qstr *s, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
const char *qstr_str(const struct qstr *s);	/* "" when empty */

/* Append p[0..n) in a visible rendering that is safe in any line-oriented
 * file, comment or terminal: printable ASCII as is, a backslash doubled,
 * every other byte (control, DEL, non-ASCII) as backslash-x-NN (hex);
 * with QSTR_VIS_SPACE a space too.  On failure the string is unchanged. */
#define QSTR_VIS_SPACE	0x01
int	qstr_cat_vis(struct qstr *s, const char *p, size_t n, int flags);
int	qpm_snprintf(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
