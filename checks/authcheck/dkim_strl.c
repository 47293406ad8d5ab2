/*
 * NAME		dkim_strl - strlcpy(3) and strlcat(3) for a static libopendkim
 * DOES		the two BSD functions libopendkim.a calls, when the C library
 *		lacks them (glibc before 2.38); the shared libopendkim takes
 *		them from libbsd, which has no static archive on Debian
 * NEVER	is linked when authcheck uses the shared libopendkim
 */
#include <config.h>

#include <string.h>

size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);

#ifndef HAVE_STRLCPY
/* Copies at most size - 1 bytes and terminates; returns strlen(src). */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src), n;

	if (size > 0) {
		n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
#endif

#ifndef HAVE_STRLCAT
/* Appends within size bytes in all; returns the length it tried to make. */
size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size), slen = strlen(src), n;

	if (dlen == size)
		return size + slen;
	n = slen < size - dlen - 1 ? slen : size - dlen - 1;
	memcpy(dst + dlen, src, n);
	dst[dlen + n] = '\0';
	return dlen + slen;
}
#endif
