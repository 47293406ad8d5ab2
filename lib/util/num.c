/*
 * NAME		num - decimal numbers from option values and files
 * DOES		whole-string strtol with a range check
 * NEVER	accepts trailing bytes, an empty string or an overflow
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "util/err.h"
#include "util/num.h"

int
num_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0')
		return QPM_ESYNTAX;
	if (errno != 0 || v < min || v > max)
		return QPM_ERANGE;
	*out = v;
	return 0;
}
