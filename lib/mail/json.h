/*
 * NAME		json - JSON output through jansson
 * DOES		stable, sorted, indented output to a file (atomically) or stdout
 * NEVER	writes a half file
 */
#ifndef QPM_JSON_H
#define QPM_JSON_H

#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#define QPM_JSON_FLAGS	(JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

int	qpm_json_write_file(const char *path, const json_t *j, mode_t mode);
int	qpm_json_write_fp(FILE *fp, const json_t *j);
/* A JSON string of bytes from the old host: as they are when they are
 * UTF-8, else (jansson refuses other bytes) their qstr_cat_vis()
 * rendering: every byte outside printable ASCII as \xNN, a backslash
 * doubled.  NULL only when out of memory. */
json_t	*qpm_json_string(const char *s);
/* Helpers that never fail silently: they return 0 or QPM_ENOMEM.
 * qpm_json_set_str takes val through qpm_json_string(). */
int	qpm_json_set_str(json_t *obj, const char *key, const char *val);
int	qpm_json_set_int(json_t *obj, const char *key, long long val);
int	qpm_json_set_bool(json_t *obj, const char *key, int val);
int	qpm_json_set(json_t *obj, const char *key, json_t *val);	/* steals */
int	qpm_json_append(json_t *arr, json_t *val);			/* steals */
/* Readers of JSON someone else wrote: the string at key, or "" when it is
 * absent or not a string; the integer at key, or dflt. */
const char *qpm_json_get_str(const json_t *obj, const char *key);
long long qpm_json_get_int(const json_t *obj, const char *key, long long dflt);
/* the string at key, or NULL when it is absent or not a string (where
 * "absent" and "" mean different things) */
const char *qpm_json_opt_str(const json_t *obj, const char *key);

#endif
