/*
 * NAME		mbox_json - the "mailboxes" of OUT/migration.json, one at a
 *		time
 * DOES		a first pass checks that the top-level object's brackets and
 *		strings close; a second finds the key "mailboxes" and decodes
 *		each item of its array alone (jansson), skipping the other
 *		values by their brackets and strings
 * NEVER	holds the tree of the whole file (300 MB at 100,000
 *		mailboxes, for the three fields of each that sync reads),
 *		reads past the buffer
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "migrate/sync/mbox_json.h"
#include "util/err.h"

struct mj_scan {
	const char	*p, *end;
};

static void
mj_space(struct mj_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

/* at '"': past the closing '"'; -1 when it never closes */
static int
mj_string(struct mj_scan *s)
{
	for (s->p++; s->p < s->end; s->p++) {
		if (*s->p == '\\') {
			if (++s->p == s->end)
				break;
		} else if (*s->p == '"') {
			s->p++;
			return 0;
		}
	}
	return -1;
}

/* past one value: a string, an object or array (to its closing
 * bracket, strings skipped whole), or a scalar (to the next ',', '}',
 * ']' or space); -1 when there is none or it does not close */
static int
mj_value(struct mj_scan *s)
{
	const char *start;
	size_t depth = 0;

	mj_space(s);
	if (s->p == s->end)
		return -1;
	if (*s->p == '"')
		return mj_string(s);
	if (*s->p != '{' && *s->p != '[') {
		for (start = s->p; s->p < s->end && strchr(",}] \t\r\n",
		    *s->p) == NULL; s->p++)
			;
		return s->p > start ? 0 : -1;
	}
	while (s->p < s->end) {
		switch (*s->p) {
		case '"':
			if (mj_string(s) < 0)
				return -1;
			continue;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (--depth == 0) {
				s->p++;
				return 0;
			}
			break;
		}
		s->p++;
	}
	return -1;
}

static int
mj_fail(const char *buf, const char *at, size_t *line, char *why,
    size_t whylen, const char *what)
{
	const char *q;

	*line = 1;
	for (q = buf; q < at; q++)
		if (*q == '\n')
			(*line)++;
	(void)snprintf(why, whylen, "%s", what);
	return QPM_ESYNTAX;
}

/* at an item of the array: decode it alone and hand it to each */
static int
mj_item(struct mj_scan *s, const char *buf, int (*each)(void *, json_t *),
    void *arg, size_t *line, char *why, size_t whylen)
{
	const char *start = s->p;
	json_error_t je;
	json_t *item;
	int e;

	if (mj_value(s) < 0)
		return mj_fail(buf, start, line, why, whylen,
		    "a mailbox that does not end");
	if ((item = json_loadb(start, (size_t)(s->p - start), 0, &je)) ==
	    NULL) {
		e = mj_fail(buf, start, line, why, whylen, je.text);
		*line += je.line > 0 ? (size_t)je.line - 1 : 0;
		return e;
	}
	e = each(arg, item);
	json_decref(item);
	return e;
}

/* at '[' of "mailboxes": each item, to past the ']' */
static int
mj_array(struct mj_scan *s, const char *buf, int (*each)(void *, json_t *),
    void *arg, size_t *line, char *why, size_t whylen)
{
	int e;

	s->p++;
	mj_space(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		mj_space(s);
		if ((e = mj_item(s, buf, each, arg, line, why, whylen)) < 0)
			return e;
		mj_space(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		if (s->p == s->end || *s->p != ',')
			return mj_fail(buf, s->p, line, why, whylen,
			    "',' or ']' expected after a mailbox");
		s->p++;
	}
}

int
mbox_json_each(const char *buf, size_t len,
    int (*each)(void *arg, json_t *item), void *arg, size_t *line,
    char *why, size_t whylen)
{
	struct mj_scan s = { buf, buf + len };
	const char *key;
	int is_mbs;

	/* the whole file closes before a mailbox is copied */
	mj_space(&s);
	if (s.p == s.end || *s.p != '{')
		return mj_fail(buf, s.p, line, why, whylen,
		    "'{' expected: not a migration.json");
	if (mj_value(&s) < 0)
		return mj_fail(buf, s.end, line, why, whylen,
		    "the file ends inside a string or before a '}'");
	mj_space(&s);
	if (s.p != s.end)
		return mj_fail(buf, s.p, line, why, whylen,
		    "text after the top-level object");
	s.p = buf;
	mj_space(&s);
	s.p++;
	for (;;) {
		mj_space(&s);
		if (s.p < s.end && *s.p == '}')
			return 0;	/* no "mailboxes": none */
		key = s.p;
		if (s.p == s.end || *s.p != '"' || mj_string(&s) < 0)
			return mj_fail(buf, key, line, why, whylen,
			    "a key expected");
		is_mbs = s.p - key == 11 && memcmp(key, "\"mailboxes\"", 11) == 0;
		mj_space(&s);
		if (s.p == s.end || *s.p != ':')
			return mj_fail(buf, s.p, line, why, whylen,
			    "':' expected after a key");
		s.p++;
		mj_space(&s);
		if (is_mbs) {
			if (s.p == s.end || *s.p != '[')
				return mj_fail(buf, s.p, line, why, whylen,
				    "\"mailboxes\" is not an array");
			/* the first "mailboxes" only */
			return mj_array(&s, buf, each, arg, line, why, whylen);
		}
		if (mj_value(&s) < 0)
			return mj_fail(buf, s.p, line, why, whylen,
			    "a value expected");
		mj_space(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
		else if (s.p == s.end || *s.p != '}')
			return mj_fail(buf, s.p, line, why, whylen,
			    "',' or '}' expected");
	}
}
