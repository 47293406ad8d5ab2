/*
 * NAME		mbox_json - the "mailboxes" of OUT/migration.json, one at a
 *		time
 * DOES		checks the file's brackets and strings, then hands each item
 *		of the top-level "mailboxes" array, decoded alone, to a
 *		callback
 * NEVER	holds the tree of the whole file, reads past the buffer
 */
#ifndef Q2P_MBOX_JSON_H
#define Q2P_MBOX_JSON_H

#include <stddef.h>

#include <jansson.h>

/* each(arg, item) for each item of the "mailboxes" array of buf's
 * top-level object (none when there is no such key), in order; item is
 * freed after the call, which returns 0 or a negative qpm_err that stops
 * the walk.  A file whose brackets or strings do not close, or an item
 * jansson refuses, is QPM_ESYNTAX before any item of a file that does not
 * close reaches each: *line (1 for the first) and why say where and what.
 * 0, QPM_ESYNTAX or each's error. */
int	mbox_json_each(const char *buf, size_t len,
	    int (*each)(void *arg, json_t *item), void *arg, size_t *line,
	    char *why, size_t whylen);

#endif
