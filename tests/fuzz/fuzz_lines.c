/*
 * NAME		fuzz_lines - the bounded line reader and address splitter
 * DOES		reads every line with a small limit; splits each at its @
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "mail/addr.h"
#include "util/lines.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines lr;
	const char *line;
	size_t len;
	long at;
	int rc;

	lines_mem(&lr, "fuzz", (const char *)data, size, 64);
	while ((rc = lines_next(&lr, &line, &len)) != 0) {
		if (rc < 0)
			continue;
		at = addr_split(line, len);
		if (at >= 0) {
			(void)addr_local_is_dot_string(line, (size_t)at);
			(void)addr_local_is_quoted(line, (size_t)at);
		}
	}
	lines_close(&lr);
	return 0;
}
