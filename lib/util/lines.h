/*
 * NAME		lines - bounded line reader over a file or a memory buffer
 * DOES		hands out one line at a time with its number; counts on
 * NEVER	returns a line longer than the limit (QPM_ERANGE instead,
 *		and the rest of that line is skipped)
 */
#ifndef QPM_LINES_H
#define QPM_LINES_H

#include <stddef.h>
#include <stdio.h>

struct lines {
	const char	*name;		/* for diagnostics: "file" */
	FILE		*fp;		/* NULL when reading memory */
	const char	*mem;
	size_t		 memlen, mempos;
	char		*buf;
	size_t		 cap, max;	/* max line length without newline */
	unsigned long	 lineno;	/* of the line just returned */
	int		 had_nul;	/* the last line held a NUL byte */
	int		 no_newline;	/* the last line had no final \n */
};

int	lines_open(struct lines *lr, const char *path, size_t max);
void	lines_mem(struct lines *lr, const char *name, const char *mem,
	    size_t len, size_t max);
/* 1 with *line (NUL-terminated, no \n) and *len; 0 at EOF; QPM_ERANGE for
 * an over-long line (lineno is set, reading may go on); other negatives
 * for I/O errors. A trailing \r is kept: callers decide. */
int	lines_next(struct lines *lr, const char **line, size_t *len);
void	lines_close(struct lines *lr);

#endif
