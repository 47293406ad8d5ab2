/*
 * NAME		lines - bounded line reader
 * DOES		reads up to a newline, never more than max bytes per line
 * NEVER	grows a buffer past max + 1
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/lines.h"

int
lines_open(struct lines *lr, const char *path, size_t max)
{
	memset(lr, 0, sizeof(*lr));
	lr->name = path;
	lr->max = max;
	if ((lr->fp = fopen(path, "re")) == NULL)
		return -errno;
	return 0;
}

void
lines_mem(struct lines *lr, const char *name, const char *mem, size_t len,
    size_t max)
{
	memset(lr, 0, sizeof(*lr));
	lr->name = name;
	lr->mem = mem;
	lr->memlen = len;
	lr->max = max;
}

static int
lines_getc(struct lines *lr)
{
	if (lr->fp != NULL)
		return getc(lr->fp);
	if (lr->mempos >= lr->memlen)
		return EOF;
	return (unsigned char)lr->mem[lr->mempos++];
}

static int
lines_put(struct lines *lr, size_t n, int c)
{
	size_t ncap;
	char *nb;

	if (n + 1 >= lr->cap) {
		ncap = lr->cap == 0 ? 256 : lr->cap * 2;
		if (ncap > lr->max + 2)
			ncap = lr->max + 2;
		if ((nb = realloc(lr->buf, ncap)) == NULL)
			return QPM_ENOMEM;
		lr->buf = nb;
		lr->cap = ncap;
	}
	lr->buf[n] = (char)c;
	return 0;
}

int
lines_next(struct lines *lr, const char **line, size_t *len)
{
	size_t n = 0;
	int c, toolong = 0, err;

	lr->had_nul = 0;
	lr->no_newline = 0;
	if (lr->buf == NULL && (err = lines_put(lr, 0, '\0')) < 0)
		return err;
	for (;;) {
		c = lines_getc(lr);
		if (c == EOF) {
			if (lr->fp != NULL && ferror(lr->fp))
				return QPM_EIO;
			if (n == 0 && !toolong)
				return 0;
			lr->no_newline = 1;
			break;
		}
		if (c == '\n')
			break;
		if (toolong)
			continue;
		if (n >= lr->max) {
			toolong = 1;
			continue;
		}
		if (c == '\0')
			lr->had_nul = 1;
		if ((err = lines_put(lr, n, c)) < 0)
			return err;
		n++;
	}
	lr->lineno++;
	if (toolong)
		return QPM_ERANGE;
	lr->buf[n] = '\0';
	*line = lr->buf;
	*len = n;
	return 1;
}

void
lines_close(struct lines *lr)
{
	if (lr->fp != NULL)
		fclose(lr->fp);
	free(lr->buf);
	memset(lr, 0, sizeof(*lr));
}
