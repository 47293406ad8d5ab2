/*
 * NAME		num - decimal numbers from option values and files
 * DOES		whole-string strtol with a range check
 * NEVER	accepts trailing bytes, an empty string or an overflow
 */
#ifndef QPM_NUM_H
#define QPM_NUM_H

/* Parses all of s as a base-10 long in min..max and stores it in *out.
 * Returns 0, QPM_ESYNTAX (empty, not a number, trailing bytes) or
 * QPM_ERANGE (overflow or outside min..max); *out is unchanged then. */
int	num_parse_long(const char *s, long min, long max, long *out);

#endif
