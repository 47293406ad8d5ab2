/*
 * NAME		limits_text - what the limits renderers of write/ share
 * DOES		the "# from FILE:LINE" lines above a value and each item's
 *		target text (limits_target.c)
 * NEVER	used outside migrate/write/
 */
#ifndef Q2P_LIMITS_TEXT_H
#define Q2P_LIMITS_TEXT_H

#include "migrate/model/limits.h"
#include "util/qstr.h"

/* "IND# from FILE:LINE (source: detail)" for each source of s, or why
 * it has none, and the log sizing; 0 or a negative qpm_err. */
int	limits_prov(const struct limits *l, const struct limits_setting *s,
	    const char *ind, struct qstr *out);
/* Where item it went on the new host, or "none: ..."/"not converted:
 * ..." with the reason and what to do instead. */
int	limits_item_target(const struct limits *l,
	    const struct limits_item *it, struct qstr *o);

#endif
