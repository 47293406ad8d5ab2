/*
 * NAME		strlist - a growable list of owned string copies
 * DOES		add (plain or case-insensitively unique), look up, sort,
 *		compare and join; every growth checked
 * NEVER	keeps a pointer it was given (each entry is a copy)
 */
#ifndef QPM_STRLIST_H
#define QPM_STRLIST_H

#include <stddef.h>

#include "util/qstr.h"

struct strlist {
	char	**v;
	size_t	  n, cap;
};

/* 0, QPM_ENOMEM or QPM_ERANGE (the list is unchanged on failure) */
int	strlist_add(struct strlist *l, const char *s);
/* adds s unless an entry equals it ignoring case */
int	strlist_add_unique(struct strlist *l, const char *s);
/* 1 when an entry equals s ignoring case, else 0 */
int	strlist_has(const struct strlist *l, const char *s);
/* sorted, duplicates dropped; with fold, every address lower-cased first
 * (a path "/..." or a program "|..." keeps its case, as on disk) */
void	strlist_sort(struct strlist *l, int fold);
/* 1 when a and b hold the same entries in the same order, ignoring case */
int	strlist_equal(const struct strlist *a, const struct strlist *b);
/* the entries separated by sep, or "-" for an empty list, appended to
 * out; 0 or the qstr error */
int	strlist_join(const struct strlist *l, const char *sep, struct qstr *out);
void	strlist_free(struct strlist *l);

#endif
