/*
 * NAME		fuzz_qlocal - q2p-dotqmail's line arguments and qmail-local's
 *		environment from hostile addresses
 * DOES		each input line: parsed as a line argument; the first
 *		line's fields (split at TAB) as sender, recipient,
 *		virtualdomains prefix, assign key and ext, .qmail name
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mail/qlocal.h"
#include "util/lines.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines lr;
	struct qlocal_line ql;
	struct qlocal_env env;
	struct qlocal_in in;
	const char *line, *why, *f[6];
	char *copy, *p;
	size_t len, k;
	int rc, first = 1;

	lines_mem(&lr, "fuzz", (const char *)data, size, 4096);
	while ((rc = lines_next(&lr, &line, &len)) != 0) {
		if (rc < 0 || (copy = malloc(len + 1)) == NULL)
			continue;
		memcpy(copy, line, len);
		copy[len] = '\0';
		(void)qlocal_line_parse(copy, &ql, &why);
		if (first) {
			first = 0;
			for (k = 0, p = copy; k < 6; k++) {
				f[k] = p;
				p += strcspn(p, "\t");
				if (*p != '\0')
					*p++ = '\0';
			}
			memset(&in, 0, sizeof(in));
			in.sender = f[0];
			in.recipient = f[1];
			in.vprefix = f[2];
			in.user = "u";
			in.home = "/h";
			in.dash = "-";
			in.aprefix = f[3];
			in.aext = f[4];
			in.qme = f[5];
			(void)qlocal_env(&in, (time_t)0, &env);
			qlocal_env_free(&env);
		}
		free(copy);
	}
	lines_close(&lr);
	return 0;
}
