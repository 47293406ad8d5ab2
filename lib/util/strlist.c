/*
 * NAME		strlist - a growable list of owned string copies
 * DOES		add, look up, sort, compare and join strings
 * NEVER	grows without an overflow check, keeps a caller's pointer
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/qstr.h"
#include "util/strlist.h"

int
strlist_add(struct strlist *l, const char *s)
{
	char **nv, *c;
	size_t ncap;

	if (l->n == l->cap) {
		if (l->cap > SIZE_MAX / 2 / sizeof(*nv))
			return QPM_ERANGE;
		ncap = l->cap ? l->cap * 2 : 8;
		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return QPM_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	if ((c = strdup(s)) == NULL)
		return QPM_ENOMEM;
	l->v[l->n++] = c;
	return 0;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int
strlist_add_unique(struct strlist *l, const char *s)
{
	return strlist_has(l, s) ? 0 : strlist_add(l, s);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strlist_sort(struct strlist *l, int fold)
{
	size_t i, j;
	char *p;

	for (i = 0; fold && i < l->n; i++)
		if (l->v[i][0] != '/' && l->v[i][0] != '|')
			for (p = l->v[i]; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = j = 0; i < l->n; i++) {
		if (j > 0 && strcmp(l->v[j - 1], l->v[i]) == 0) {
			free(l->v[i]);
			continue;
		}
		l->v[j++] = l->v[i];
	}
	l->n = j;
}

int
strlist_equal(const struct strlist *a, const struct strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcasecmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int
strlist_join(const struct strlist *l, const char *sep, struct qstr *out)
{
	size_t i;
	int e;

	for (i = 0; i < l->n; i++)
		if ((i > 0 && (e = qstr_cat(out, sep)) < 0) ||
		    (e = qstr_cat(out, l->v[i])) < 0)
			return e;
	if (l->n == 0)
		return qstr_cat(out, "-");
	return 0;
}
