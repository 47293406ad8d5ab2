/*
 * NAME		pfmaps - the indexed Postfix tables a configuration names
 * DOES		finds "hash:/dir/name" (and btree:, cdb:, lmdb:) in postconf
 *		output, for the postmap runs of rehearse and install
 * NEVER	runs postconf or postmap itself, reads a table
 */
#ifndef QPM_PFMAPS_H
#define QPM_PFMAPS_H

#include <stddef.h>

#include "util/strlist.h"

#define PF_MAX_MAP_NAME		1200	/* "hash:/dir/name" from postconf */

/* Adds each indexed table (hash:, btree:, cdb:, lmdb:) that text (postconf
 * output) names below dir, as "hash:/dir/name", once; a name of max bytes
 * or more (at most PF_MAX_MAP_NAME) is skipped. Returns 0 or -1. */
int	pfmaps_indexed(struct strlist *maps, const char *text, const char *dir,
	    size_t max);

#endif
