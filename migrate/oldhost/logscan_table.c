/*
 * NAME		logscan_table - the log scanner's hash tables: string keys
 *		(struct lh) and 64-bit keys with 16-byte entries (struct ct)
 * DOES		find, add and delete entries; count what a full table
 *		turned away
 * NEVER	grows a table past LH_MAX entries
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/logscan.h"
#include "migrate/oldhost/logscan_int.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

static int
lh_grow(struct lh *t, size_t ncap)
{
	uint64_t *nh;
	struct lh_ent *ne;
	size_t i, j;

	if ((nh = calloc(ncap, sizeof(*nh))) == NULL)
		return -1;
	if ((ne = malloc(ncap * sizeof(*ne))) == NULL) {
		free(nh);
		return -1;
	}
	for (i = 0; i < t->cap; i++) {
		if (t->hv[i] == 0)
			continue;
		for (j = t->hv[i] & (ncap - 1); nh[j] != 0; j = (j + 1) & (ncap - 1))
			;
		nh[j] = t->hv[i];
		ne[j] = t->e[i];
	}
	free(t->hv);
	free(t->e);
	t->hv = nh;
	t->e = ne;
	t->cap = ncap;
	return 0;
}

struct lh_ent *
lh_get(struct lh *t, const char *k, size_t n, int create)
{
	uint64_t h;
	size_t i;

	if (n > LH_KEY)
		n = LH_KEY;
	h = khash(k, n);
	if (t->cap == 0) {
		if (!create || lh_grow(t, 1024) < 0)
			goto full;
	} else if (create && (t->n + 1) * 4 > t->cap * 3 &&
	    t->cap < LH_MAX * 2 && lh_grow(t, t->cap * 2) < 0)
		goto full;
	for (i = h & (t->cap - 1); t->hv[i] != 0; i = (i + 1) & (t->cap - 1))
		if (t->hv[i] == h && t->e[i].klen == n &&
		    memcmp(t->e[i].key, k, n) == 0)
			return &t->e[i];
	if (!create)
		return NULL;
	if (t->n >= LH_MAX)
		goto full;
	t->hv[i] = h;
	t->e[i].klen = (uint16_t)n;
	memcpy(t->e[i].key, k, n);
	t->e[i].cur = t->e[i].peak = 0;
	t->e[i].aux[0] = '\0';
	t->n++;
	return &t->e[i];
full:
	if (create)
		t->full++;
	return NULL;
}

void
lh_del(struct lh *t, struct lh_ent *e)
{
	size_t i = (size_t)(e - t->e), j, k;

	/* backward-shift deletion keeps probe chains intact */
	t->hv[i] = 0;
	t->n--;
	for (j = (i + 1) & (t->cap - 1); t->hv[j] != 0;
	    j = (j + 1) & (t->cap - 1)) {
		k = t->hv[j] & (t->cap - 1);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->hv[i] = t->hv[j];
			t->e[i] = t->e[j];
			t->hv[j] = 0;
			i = j;
		}
	}
}

static uint64_t
cmix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

struct ct_ent *
ct_get(struct ct *t, uint64_t key, int create)
{
	size_t i;

	if (t->cap == 0 || (create && (t->n + 1) * 2 > t->cap)) {
		size_t ncap = t->cap == 0 ? 1024 : t->cap * 2, j;
		struct ct_ent *ne;

		if (!create)
			return NULL;
		if (t->n >= LH_MAX)
			goto full;
		if ((ne = calloc(ncap, sizeof(*ne))) == NULL)
			goto full;
		for (j = 0; j < t->cap; j++) {
			if (t->e[j].key == 0)
				continue;
			for (i = cmix(t->e[j].key) & (ncap - 1); ne[i].key != 0;
			    i = (i + 1) & (ncap - 1))
				;
			ne[i] = t->e[j];
		}
		free(t->e);
		t->e = ne;
		t->cap = ncap;
	}
	for (i = cmix(key) & (t->cap - 1); t->e[i].key != 0;
	    i = (i + 1) & (t->cap - 1))
		if (t->e[i].key == key)
			return &t->e[i];
	if (!create)
		return NULL;
	t->e[i].key = key;
	t->e[i].cur = t->e[i].peak = 0;
	t->n++;
	return &t->e[i];
full:
	t->full++;
	return NULL;
}

void
ct_del(struct ct *t, struct ct_ent *e)
{
	size_t i = (size_t)(e - t->e), j, k;

	t->e[i].key = 0;
	t->n--;
	for (j = (i + 1) & (t->cap - 1); t->e[j].key != 0;
	    j = (j + 1) & (t->cap - 1)) {
		k = cmix(t->e[j].key) & (t->cap - 1);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->e[i] = t->e[j];
			t->e[j].key = 0;
			i = j;
		}
	}
}

void
lh_free(struct lh *t)
{
	free(t->hv);
	free(t->e);
	memset(t, 0, sizeof(*t));
}
