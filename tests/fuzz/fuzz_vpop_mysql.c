/*
 * NAME		fuzz_vpop_mysql - vpopmail.mysql, the MySQL backend's settings
 * DOES		feeds the bytes as vpopmail.mysql, as a domain for
 *		vauth_munch_domain and as a valias alias name
 * NEVER	reads past the input; a parsed server line is NUL-terminated
 *		in every field, and a failed parse leaves nothing behind
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/oldhost/readers.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_server(const struct vmysql_server *sv)
{
	if (memchr(sv->host, '\0', sizeof(sv->host)) == NULL ||
	    memchr(sv->socket, '\0', sizeof(sv->socket)) == NULL ||
	    memchr(sv->user, '\0', sizeof(sv->user)) == NULL ||
	    memchr(sv->password, '\0', sizeof(sv->password)) == NULL ||
	    memchr(sv->database, '\0', sizeof(sv->database)) == NULL ||
	    sv->port > 65535 || (sv->socket[0] != '\0' && sv->socket[0] != '/'))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmysql_conf c, zero;
	const char *why;
	unsigned long line;
	char *s, table[256];
	size_t plen;

	memset(&zero, 0, sizeof(zero));
	if (vmysql_conf_parse((const char *)data, size, &c, &line, &why) == 0) {
		check_server(&c.read);
		if (c.has_update)
			check_server(&c.update);
		if (c.read.host[0] == '\0' || c.read.user[0] == '\0' ||
		    c.read.database[0] == '\0')
			abort();
	} else if (why == NULL || memcmp(&c, &zero, sizeof(c)) != 0)
		abort();
	vmysql_conf_wipe(&c);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (vmysql_munch(s, table, sizeof(table)) == 0 &&
	    (strlen(table) != strlen(s) || strpbrk(table, ".-") != NULL))
		abort();
	switch (valias_name(s, strlen(s), &plen)) {
	case VALIAS_PREFIX:
		if (plen == 0 || plen > strlen(s) || s[plen - 1] != '-')
			abort();
		break;
	case VALIAS_EXACT:
	case VALIAS_BAD:
		break;
	}
	free(s);
	return 0;
}
