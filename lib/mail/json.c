/*
 * NAME		json - JSON output through jansson
 * DOES		dumps with sorted keys so output diffs cleanly against .ref
 * NEVER	leaks a reference on an error path
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "mail/json.h"
#include "util/err.h"
#include "util/file.h"
#include "util/qstr.h"

int
qpm_json_write_fp(FILE *fp, const json_t *j)
{
	if (json_dumpf(j, fp, QPM_JSON_FLAGS) < 0 || fputc('\n', fp) == EOF)
		return QPM_EIO;
	return 0;
}

int
qpm_json_write_file(const char *path, const json_t *j, mode_t mode)
{
	char *text;
	size_t len;
	int err;

	if ((text = json_dumps(j, QPM_JSON_FLAGS)) == NULL)
		return QPM_ENOMEM;
	len = strlen(text);
	{
		struct qstr s = QSTR_INIT((size_t)1 << 34);

		if ((err = qstr_catn(&s, text, len)) == 0 &&
		    (err = qstr_catc(&s, '\n')) == 0)
			err = file_write_atomic(path, &s, mode);
		qstr_free(&s);
	}
	free(text);
	return err;
}

int
qpm_json_set(json_t *obj, const char *key, json_t *val)
{
	if (val == NULL)
		return QPM_ENOMEM;
	if (json_object_set_new(obj, key, val) < 0)
		return QPM_ENOMEM;
	return 0;
}

json_t *
qpm_json_string(const char *s)
{
	struct qstr v = QSTR_INIT((size_t)1 << 34);
	json_t *j;

	if ((j = json_string(s)) != NULL)
		return j;
	/* not UTF-8 (jansson refuses it), or no memory: the visible
	 * rendering is ASCII, so only the latter fails again */
	if (qstr_cat_vis(&v, s, strlen(s), 0) == 0)
		j = json_string(qstr_str(&v));
	qstr_free(&v);
	return j;
}

int
qpm_json_set_str(json_t *obj, const char *key, const char *val)
{
	return qpm_json_set(obj, key, val != NULL ? qpm_json_string(val) :
	    json_null());
}

int
qpm_json_set_int(json_t *obj, const char *key, long long val)
{
	return qpm_json_set(obj, key, json_integer(val));
}

int
qpm_json_set_bool(json_t *obj, const char *key, int val)
{
	return qpm_json_set(obj, key, json_boolean(val));
}

int
qpm_json_append(json_t *arr, json_t *val)
{
	if (val == NULL)
		return QPM_ENOMEM;
	if (json_array_append_new(arr, val) < 0)
		return QPM_ENOMEM;
	return 0;
}

const char *
qpm_json_opt_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

const char *
qpm_json_get_str(const json_t *obj, const char *key)
{
	const char *s = qpm_json_opt_str(obj, key);

	return s != NULL ? s : "";
}

long long
qpm_json_get_int(const json_t *obj, const char *key, long long dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}
