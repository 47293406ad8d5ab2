/*
 * NAME		esc_postfix - old-host strings into Postfix, nftables and
 *		sysctl syntax
 * DOES		appends a string escaped or quoted for one target syntax,
 *		or refuses it (QPM_ESYNTAX and a reason) for the caller to
 *		list; the string is unchanged on refusal
 * NEVER	lets a byte of the old host end a line, start a comment or
 *		split a key, value or argument
 */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "mail/esc_postfix.h"
#include "util/err.h"
#include "util/limits.h"

/* byte classes a syntax refuses */
#define C_CTRL	0x01	/* control bytes, DEL: would end or bend a line */
#define C_SPACE	0x02	/* space: splits a key, list or argument */
#define C_HIGH	0x04	/* non-ASCII */
#define C_BRACE	0x08	/* '{' '}': master.cf argument grouping */
#define C_COMMA	0x10	/* ',': splits an address list */

static int
refused(const char *t, int classes, const char **why)
{
	const unsigned char *p;

	for (p = (const unsigned char *)t; *p != '\0'; p++) {
		if ((classes & C_CTRL) && (*p < ' ' || *p == 0x7f) &&
		    !((classes & C_SPACE) == 0 && *p == '\t')) {
			*why = *p == '\n' ? "newline in the name or text" :
			    *p == '\r' ? "carriage return in the name or text" :
			    "control byte in the name or text";
			return 1;
		}
		if ((classes & C_SPACE) && (*p == ' ' || *p == '\t')) {
			*why = "white space in the name or text";
			return 1;
		}
		if ((classes & C_HIGH) && *p >= 0x80) {
			*why = "non-ASCII byte in the name or text";
			return 1;
		}
		if ((classes & C_BRACE) && (*p == '{' || *p == '}')) {
			*why = "'{' or '}' cannot pass through master.cf";
			return 1;
		}
		if ((classes & C_COMMA) && *p == ',') {
			*why = "',' would split the address list";
			return 1;
		}
	}
	return 0;
}

/* on failure the string is as it was */
static void
undo(struct qstr *s, size_t len0, int e)
{
	if (e < 0 && s->len > len0) {
		s->len = len0;
		s->buf[len0] = '\0';
	}
}

/* t with each '$' doubled (Postfix expands "$name"; "$$" is one '$') */
static int
cat_dollar(struct qstr *s, const char *t)
{
	size_t len0 = s->len;
	int e = 0;

	for (; *t != '\0' && e == 0; t++)
		e = *t == '$' ? qstr_catn(s, "$$", 2) : qstr_catc(s, *t);
	undo(s, len0, e);
	return e;
}

int
esc_comment(struct qstr *s, const char *ind, const char *fmt, ...)
{
	struct qstr t = QSTR_INIT(QPM_MAX_CONFIG_LINE * 4);
	size_t len0 = s->len;
	va_list ap;
	int e;

	va_start(ap, fmt);
	e = qstr_vcatf(&t, fmt, ap);
	va_end(ap);
	if (e == 0)
		e = qstr_catf(s, "%s# ", ind);
	if (e == 0)
		e = qstr_cat_vis(s, t.buf != NULL ? t.buf : "", t.len, 0);
	if (e == 0)
		e = qstr_catc(s, '\n');
	qstr_free(&t);
	undo(s, len0, e);
	return e;
}

int
esc_pf_key(struct qstr *s, const char *key, const char **why)
{
	if (key[0] == '\0' || key[0] == '#') {
		*why = key[0] ? "'#' at the start would make the key a comment"
		    : "empty key";
		return QPM_ESYNTAX;
	}
	if (refused(key, C_CTRL | C_SPACE | C_HIGH, why))
		return QPM_ESYNTAX;
	return qstr_cat(s, key);
}

int
esc_pf_value(struct qstr *s, const char *v, const char **why)
{
	if (refused(v, C_CTRL, why))
		return QPM_ESYNTAX;
	return qstr_cat(s, v);
}

int
esc_pf_addr(struct qstr *s, const char *addr, int dollar, const char **why)
{
	if (addr[0] == '\0') {
		*why = "empty address";
		return QPM_ESYNTAX;
	}
	if (refused(addr, C_CTRL | C_SPACE | C_COMMA, why))
		return QPM_ESYNTAX;
	return dollar ? cat_dollar(s, addr) : qstr_cat(s, addr);
}

int
esc_pf_regexp(struct qstr *s, const char *t, const char **why)
{
	size_t len0 = s->len;
	int e = 0;

	if (refused(t, C_CTRL, why))
		return QPM_ESYNTAX;
	for (; *t != '\0' && e == 0; t++) {
		if (strchr("\\^$.|?*+()[]{}/", *t) != NULL)
			e = qstr_catc(s, '\\');
		if (e == 0)
			e = qstr_catc(s, *t);
	}
	undo(s, len0, e);
	return e;
}

int
esc_pf_param(struct qstr *s, const char *v, const char **why)
{
	if (refused(v, C_CTRL, why))
		return QPM_ESYNTAX;
	return cat_dollar(s, v);
}

int
esc_pf_word(struct qstr *s, const char *w, const char **why)
{
	if (w[0] == '\0') {
		*why = "empty name";
		return QPM_ESYNTAX;
	}
	if (refused(w, C_CTRL | C_SPACE | C_HIGH | C_BRACE, why))
		return QPM_ESYNTAX;
	if (strpbrk(w, "$=") != NULL) {
		*why = "'$' or '=' in a master.cf name";
		return QPM_ESYNTAX;
	}
	return qstr_cat(s, w);
}

int
esc_pf_sh_quote(struct qstr *s, const char *t, const char **why)
{
	size_t len0 = s->len;
	int e;

	if (refused(t, C_CTRL | C_BRACE, why))
		return QPM_ESYNTAX;
	e = qstr_catc(s, '\'');
	for (; *t != '\0' && e == 0; t++) {
		if (*t == '\'')
			e = qstr_catn(s, "'\\''", 4);
		else if (*t == '$')
			e = qstr_catn(s, "$$", 2);
		else
			e = qstr_catc(s, *t);
	}
	if (e == 0)
		e = qstr_catc(s, '\'');
	undo(s, len0, e);
	return e;
}

int
esc_pf_sh_cmd(struct qstr *s, const char *t, const char **why)
{
	if (refused(t, C_CTRL | C_BRACE, why))
		return QPM_ESYNTAX;
	return cat_dollar(s, t);
}
