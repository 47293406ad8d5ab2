/*
 * NAME		addr - RFC 5321 mailbox splitting and local-part classes
 * DOES		scans once, tracking quoted strings and quoted-pairs; says
 *		whether a local part or domain is plain enough to be taken
 *		into every generated file
 * NEVER	reads past len, allocates
 */
#include <config.h>

#include <string.h>

#include "mail/addr.h"
#include "util/limits.h"

long
addr_split(const char *addr, size_t len)
{
	long at = -1;
	int inq = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (inq && addr[i] == '\\') {
			i++;			/* quoted-pair */
			continue;
		}
		if (addr[i] == '"')
			inq = !inq;
		else if (!inq && addr[i] == '@')
			at = (long)i;
	}
	return inq ? -1 : at;
}

int
addr_local_is_quoted(const char *local, size_t len)
{
	return len >= 2 && local[0] == '"' && local[len - 1] == '"';
}

/* RFC 5321 4.1.2 atext */
static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

int
addr_local_is_dot_string(const char *local, size_t len)
{
	size_t i;

	if (len == 0 || local[0] == '.' || local[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (local[i] == '.') {
			if (local[i + 1] == '.')
				return 0;
			continue;
		}
		if (!is_atext((unsigned char)local[i]))
			return 0;
	}
	return 1;
}

int
addr_local_ok(const char *s, size_t n, const char **why)
{
	size_t i;

	if (n == 0) {
		*why = "empty local part";
		return 0;
	}
	if (n > QPM_MAX_LOCAL_PART * 4) {
		*why = "local part longer than the limit";
		return 0;
	}
	if (s[0] == '#') {
		*why = "'#' at the start would make a lookup key a comment";
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < ' ' || c == 0x7f) {
			*why = c == '\n' ? "newline in the name" :
			    "control byte in the name";
			return 0;
		}
		if (c == ' ') {
			*why = "space in the name: it would split a lookup key";
			return 0;
		}
		if (c >= 0x80) {
			*why = "non-ASCII byte in the name";
			return 0;
		}
		if (strchr("\"(),:;<>@[\\]", c) != NULL) {
			*why = "a character no plain address local part has";
			return 0;
		}
	}
	return 1;
}

int
addr_domain_ok(const char *d, const char **why)
{
	size_t n = strlen(d), lab = 0, i;

	if (n == 0 || n > QPM_MAX_DOMAIN || d[0] == '.' || d[n - 1] == '.') {
		*why = "empty, over-long or dot-edged domain name";
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c >= 0x80) {
			*why = "non-ASCII domain name: Postfix needs its "
			    "A-label (xn--...)";
			return 0;
		}
		if (c == '.') {
			if (lab == 0 || d[i - 1] == '-') {
				*why = "empty label or misplaced '-' in the "
				    "domain name";
				return 0;
			}
			lab = 0;
			continue;
		}
		if (c == '-' && (lab == 0 || i + 1 == n)) {
			*why = "misplaced '-' in the domain name";
			return 0;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			*why = "a byte no domain name has";
			return 0;
		}
		if (++lab > 63) {
			*why = "domain label longer than 63";
			return 0;
		}
	}
	return 1;
}
