/*
 * NAME		esc_dovecot - old-host names and keywords into Dovecot's
 *		Maildir files; see esc_dovecot.h
 * DOES		checks each name or keyword against the syntax of the file
 *		it goes to and appends the whole line, or refuses it
 * NEVER	appends part of a line, or anything on a refusal
 */
#include <config.h>

#include <string.h>

#include "migrate/sync/courier_state.h"
#include "migrate/sync/esc_dovecot.h"
#include "util/err.h"
#include "util/limits.h"

int
esc_dc_name_ok(const char *name, size_t n, const char **why)
{
	size_t i;

	if (n == 0 || (n == 1 && name[0] == '.') || (n == 2 &&
	    name[0] == '.' && name[1] == '.')) {
		*why = "empty, \".\" or \"..\"";
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x21 || c == 0x7f) {
			*why = "a space or a control byte";
			return 0;
		}
		if (c == '/') {
			*why = "a '/'";
			return 0;
		}
	}
	return 1;
}

int
esc_dc_keyword_ok(const char *kw, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)kw[i];

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return 0;
	}
	return 1;
}

int
esc_dc_keyword(struct qstr *s, size_t idx, const char *kw, const char **why)
{
	if (!esc_dc_keyword_ok(kw, strlen(kw))) {
		*why = "not an IMAP keyword (a space, a control byte, 8-bit "
		    "or one of (){%*\"\\])";
		return QPM_ESYNTAX;
	}
	return qstr_catf(s, "%zu %s\n", idx, kw);
}

/* extension fields: "X..." words of printable ASCII, one space apart */
static int
fields_ok(const char *f)
{
	int word = 0;

	for (; *f != '\0'; f++) {
		unsigned char c = (unsigned char)*f;

		if (c == ' ') {
			if (!word)
				return 0;
			word = 0;
			continue;
		}
		if (c < 0x21 || c > 0x7e || (!word && (c < 'A' || c > 'Z')))
			return 0;
		word = 1;
	}
	return 1;
}

int
esc_dc_uidlist(struct qstr *s, unsigned long uid, const char *fields,
    const char *name, const char **why)
{
	if (uid == 0 || uid > 0xffffffffUL) {
		*why = "a UID outside 1..4294967295";
		return QPM_ESYNTAX;
	}
	if (fields != NULL && fields[0] != '\0' && (!fields_ok(fields) ||
	    fields[strlen(fields) - 1] == ' ')) {
		*why = "an extension field with a space or a control byte";
		return QPM_ESYNTAX;
	}
	if (!esc_dc_name_ok(name, strlen(name), why))
		return QPM_ESYNTAX;
	return qstr_catf(s, "%lu %s%s:%s\n", uid, fields != NULL ? fields :
	    "", fields != NULL && fields[0] != '\0' ? " " : "", name);
}

int
esc_dc_state(struct qstr *s, const char *base, size_t blen,
    const char *name, const char **why)
{
	if (strncmp(name, "cur/", 4) != 0 && strncmp(name, "new/", 4) != 0) {
		*why = "not in cur/ or new/";
		return QPM_ESYNTAX;
	}
	if (!esc_dc_name_ok(base, blen, why) ||
	    !esc_dc_name_ok(name + 4, strlen(name + 4), why))
		return QPM_ESYNTAX;
	return qstr_catf(s, "%.*s %s\n", (int)blen, base, name);
}

/* Latin-1 bytes as UTF-8, then modified UTF-7 */
static int
latin1_folder(struct qstr *s, const char *name, size_t n)
{
	struct qstr u = QSTR_INIT(QPM_MAX_CONFIG_LINE * 2);
	size_t i;
	int e = 0;

	for (i = 0; i < n && e == 0; i++) {
		unsigned char c = (unsigned char)name[i];

		e = c < 0x80 ? qstr_catc(&u, (char)c) : qstr_catf(&u, "%c%c",
		    0xc0 | (c >> 6), 0x80 | (c & 0x3f));
	}
	if (e == 0)
		e = cs_utf8_to_mutf7(s, u.buf != NULL ? u.buf : "", u.len);
	qstr_free(&u);
	return e;
}

int
esc_dc_folder(struct qstr *s, const char *name, size_t n, const char **why)
{
	size_t i;
	int r;

	if (n == 0 || name[0] == '.' || name[n - 1] == '.') {
		*why = "an empty hierarchy level (empty, or a '.' first or "
		    "last)";
		return QPM_ESYNTAX;
	}
	for (i = 0; i < n; i++) {
		if (name[i] == '.' && i + 1 < n && name[i + 1] == '.') {
			*why = "an empty hierarchy level (\"..\")";
			return QPM_ESYNTAX;
		}
		if (name[i] == '/' || name[i] == '\0') {
			*why = "a '/' or a NUL byte";
			return QPM_ESYNTAX;
		}
	}
	if ((r = cs_folder_name(s, name, n)) != QPM_ESYNTAX)
		return r;
	if ((r = latin1_folder(s, name, n)) < 0)
		return r;
	return 3;
}

int
esc_dc_subscription(struct qstr *s, const char *name, size_t n,
    const char **why)
{
	size_t len = s->len;
	int r, e;

	if (n == 5 && memcmp(name, "INBOX", 5) == 0)
		return qstr_cat(s, "INBOX\n");
	if ((r = esc_dc_folder(s, name, n, why)) < 0)
		return r;
	if ((e = qstr_catc(s, '\n')) < 0) {
		s->len = len;
		s->buf[len] = '\0';
		return e;
	}
	return r;
}
