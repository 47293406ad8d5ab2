/*
 * NAME		vpop_mysql_conf - the pure parts of vpopmail's MySQL backend
 * DOES		~vpopmail/etc/vpopmail.mysql (host|port|user|password|database,
 *		a second line the update server), vauth_munch_domain (the
 *		table of a domain with --disable-many-domains), the name of a
 *		valias alias (exact, prefix-default)
 * NEVER	opens a file or a connection, prints a field (the password
 *		is one of them)
 */
#include <config.h>

#include <string.h>

#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/lines.h"
#include "util/num.h"

/* one field of a line into a fixed buffer; 0, or -1 when too long */
static int
field_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* host|port|user|password|database: vmysql.c splits with strtok on
 * "|\n", so an empty field shifts the others; it is refused here */
static int
server_parse(struct vmysql_server *sv, const char *line, size_t n,
    const char **why)
{
	const char *f[5];
	size_t fl[5], i, k = 0, start = 0;
	long port;
	char num[8];

	for (i = 0; i <= n; i++) {
		if (i == n || line[i] == '|') {
			if (k == 5) {
				*why = "more than 5 fields (host|port|user|"
				    "password|database)";
				return QPM_ESYNTAX;
			}
			f[k] = line + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	if (k != 5) {
		*why = "not 5 fields (host|port|user|password|database)";
		return QPM_ESYNTAX;
	}
	for (i = 0; i < 5; i++) {
		if (fl[i] == 0) {
			*why = "an empty field (vpopmail's strtok would shift "
			    "the others)";
			return QPM_ESYNTAX;
		}
		if (memchr(f[i], '\0', fl[i]) != NULL) {
			*why = "a NUL byte in a field";
			return QPM_ESYNTAX;
		}
	}
	memset(sv, 0, sizeof(*sv));
	*why = "a field longer than the limit";
	if (field_copy(sv->host, sizeof(sv->host), f[0], fl[0]) < 0 ||
	    field_copy(sv->user, sizeof(sv->user), f[2], fl[2]) < 0 ||
	    field_copy(sv->password, sizeof(sv->password), f[3], fl[3]) < 0 ||
	    field_copy(sv->database, sizeof(sv->database), f[4], fl[4]) < 0)
		return QPM_ESYNTAX;
	if (f[1][0] == '/') {
		if (field_copy(sv->socket, sizeof(sv->socket), f[1],
		    fl[1]) < 0)
			return QPM_ESYNTAX;
		return 0;
	}
	if (field_copy(num, sizeof(num), f[1], fl[1]) < 0 ||
	    num_parse_long(num, 0, 65535, &port) < 0) {
		*why = "the port is neither a number (0 to 65535) nor a "
		    "socket path";
		return QPM_ESYNTAX;
	}
	sv->port = (unsigned)port;
	return 0;
}

int
vmysql_conf_parse(const char *buf, size_t len, struct vmysql_conf *c,
    unsigned long *lineno, const char **why)
{
	struct lines lr;
	const char *line;
	size_t n;
	int rc, e = 0, k = 0;

	memset(c, 0, sizeof(*c));
	*lineno = 0;
	*why = NULL;
	lines_mem(&lr, "vpopmail.mysql", buf, len, VMYSQL_MAX_LINE);
	while (k < 2 && (rc = lines_next(&lr, &line, &n)) != 0) {
		*lineno = lr.lineno;
		if (rc < 0) {
			*why = "line too long";
			e = QPM_ESYNTAX;
			break;
		}
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if ((e = server_parse(k == 0 ? &c->read : &c->update, line, n,
		    why)) < 0)
			break;
		(k == 0 ? &c->read : &c->update)->line = lr.lineno;
		k++;
	}
	lines_close(&lr);
	if (e == 0 && k == 0) {
		*why = "no settings line";
		e = QPM_ESYNTAX;
	}
	c->has_update = k == 2;
	if (e < 0)
		vmysql_conf_wipe(c);
	return e;
}

void
vmysql_conf_wipe(struct vmysql_conf *c)
{
	explicit_bzero(c, sizeof(*c));
}

int
vmysql_munch(const char *domain, char *out, size_t size)
{
	size_t i, n = strlen(domain);

	if (n == 0 || n >= size)
		return QPM_ERANGE;
	for (i = 0; i < n; i++)
		out[i] = domain[i] == '.' || domain[i] == '-' ? '_' : domain[i];
	out[n] = '\0';
	return 0;
}

enum valias_kind
valias_name(const char *alias, size_t n, size_t *plen)
{
	static const char dflt[] = "-default";
	const size_t dl = sizeof(dflt) - 1;

	*plen = n;
	if (n == 0)
		return VALIAS_BAD;
	/* "x-default": mail for x-ANYTHING (a bare x@ does not match) */
	if (n > dl && memcmp(alias + n - dl, dflt, dl) == 0) {
		*plen = n - dl + 1;	/* the prefix, its '-' kept */
		return VALIAS_PREFIX;
	}
	return VALIAS_EXACT;
}
