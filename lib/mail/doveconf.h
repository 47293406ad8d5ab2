/*
 * NAME		doveconf - one setting in doveconf's output
 * DOES		text in (what "doveconf -h NAME" or "doveconf service/S"
 *		printed), the value of one setting out, for Dovecot 2.3 and
 *		2.4 alike; used by install and "rehearse --limits"
 * NEVER	runs doveconf itself
 */
#ifndef QPM_DOVECONF_H
#define QPM_DOVECONF_H

#include <stddef.h>

#include "util/qstr.h"

/* The value of key in doveconf's output out: the last line for a
 * top-level setting (warnings come first); for "service/S/KEY" the line
 * "  KEY = value" of the block "service S {" (2.4's -h refuses such a
 * path when several settings end in KEY: "Multiple settings matched").
 * *v and *n: the value, inside out; -1 when there is none. */
int	doveconf_value(const struct qstr *out, const char *key, const char **v,
	    size_t *n);

#endif
