/*
 * NAME		addr - RFC 5321 mailbox splitting and local-part classes
 * DOES		scans once, tracking quoted strings and quoted-pairs
 * NEVER	reads past len, allocates
 */
#include <config.h>

#include <string.h>

#include "mail/addr.h"

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
