/*
 * NAME		qstr - growable string with overflow checks and a ceiling
 * DOES		appends bytes or formatted text; keeps a NUL after len
 * NEVER	leaves the string changed when an append fails
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/qstr.h"

void
qstr_init(struct qstr *s, size_t max)
{
	s->buf = NULL;
	s->len = s->cap = 0;
	s->max = max < 2 ? 2 : max;
}

void
qstr_free(struct qstr *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

void
qstr_reset(struct qstr *s)
{
	s->len = 0;
	if (s->buf != NULL)
		s->buf[0] = '\0';
}

static int
qstr_reserve(struct qstr *s, size_t n)
{
	size_t need, ncap;
	char *nb;

	if (n >= s->max - s->len)	/* len < max: cannot wrap */
		return QPM_ERANGE;
	need = s->len + n + 1;
	if (need > s->cap) {
		ncap = need < s->max / 2 ? need * 2 : s->max;
		if (ncap < 16 && s->max >= 16)
			ncap = 16;
		if ((nb = realloc(s->buf, ncap)) == NULL)
			return QPM_ENOMEM;
		s->buf = nb;
		s->cap = ncap;
	}
	return 0;
}

int
qstr_catn(struct qstr *s, const char *p, size_t n)
{
	int err;

	if ((err = qstr_reserve(s, n)) < 0)
		return err;
	if (n > 0)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

int
qstr_cat(struct qstr *s, const char *p)
{
	return qstr_catn(s, p, strlen(p));
}

int
qstr_catc(struct qstr *s, char c)
{
	return qstr_catn(s, &c, 1);
}

int
qstr_cat_vis(struct qstr *s, const char *p, size_t n, int flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, len0 = s->len;
	unsigned char c;
	char esc[4];
	int e = 0;

	for (i = 0; i < n && e == 0; i++) {
		c = (unsigned char)p[i];
		if (c == '\\')
			e = qstr_catn(s, "\\\\", 2);
		else if ((c > 0x20 && c < 0x7f) ||
		    (c == ' ' && !(flags & QSTR_VIS_SPACE)))
			e = qstr_catc(s, (char)c);
		else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			e = qstr_catn(s, esc, 4);
		}
	}
	if (e < 0) {
		s->len = len0;
		if (s->buf != NULL)
			s->buf[len0] = '\0';
	}
	return e;
}

int
qstr_vcatf(struct qstr *s, const char *fmt, va_list ap)
{
	va_list aq;
	int n, err;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return QPM_EINVAL;
	if ((err = qstr_reserve(s, (size_t)n)) < 0)
		return err;
	if (vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap) != n) {
		s->buf[s->len] = '\0';
		return QPM_EINVAL;
	}
	s->len += (size_t)n;
	return 0;
}

int
qstr_catf(struct qstr *s, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = qstr_vcatf(s, fmt, ap);
	va_end(ap);
	return err;
}

const char *
qstr_str(const struct qstr *s)
{
	return s->buf != NULL ? s->buf : "";
}

int
qpm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return QPM_EINVAL;
	if ((size_t)n >= size)
		return QPM_ERANGE;
	return n;
}
