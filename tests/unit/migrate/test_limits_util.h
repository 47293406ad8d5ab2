/*
 * NAME		test_limits_util - helpers shared by the limits unit tests
 * DOES		finds items and diagnostics, makes files in a private tree
 * NEVER	touches anything outside its mkdtemp directory
 */
#ifndef TEST_LIMITS_UTIL_H
#define TEST_LIMITS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/model/limits.h"
#include "util/file.h"

static inline const struct limits_item *
find_item(const struct limits *l, enum limits_kind kind, enum limits_svc svc)
{
	size_t i;

	for (i = 0; i < l->nitems; i++)
		if (l->items[i].kind == kind && l->items[i].svc == svc)
			return &l->items[i];
	return NULL;
}

static inline size_t
count_items(const struct limits *l, enum limits_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < l->nitems; i++)
		if (l->items[i].kind == kind)
			n++;
	return n;
}

/* the first error diagnostic holding text at line, or NULL */
static inline const struct limits_diag *
find_diag(const struct limits *l, unsigned long line, const char *text)
{
	size_t i;

	for (i = 0; i < l->ndiags; i++)
		if (l->diags[i].line == line &&
		    strstr(l->diags[i].text, text) != NULL)
			return &l->diags[i];
	return NULL;
}

static inline size_t
count_errors(const struct limits *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->ndiags; i++)
		n += l->diags[i].error != 0;
	return n;
}

/* root/rel := text (parents made) */
static inline int
put_file(const char *root, const char *rel, const char *text)
{
	char path[4096], dir[4096], *slash;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (file_mkdirs(dir, 0755) < 0)
			return -1;
	}
	return file_write_atomic_buf(path, text, strlen(text), 0644);
}

static inline char *
make_root(void)
{
	char tmpl[] = "/tmp/test-limits-123456";
	char *d;

	memset(tmpl + sizeof(tmpl) - 7, 'X', 6);	/* mkdtemp's template */
	d = mkdtemp(tmpl);

	return d != NULL ? strdup(d) : NULL;
}

static inline void
rm_root(char *root)
{
	char cmd[4200];

	if (root != NULL && strncmp(root, "/tmp/test-limits-", 17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", root);
	}
	free(root);
}

#endif
