/*
 * NAME		fuzz_xinetd - the xinetd reader of the limits module
 * DOES		feeds arbitrary bytes; every item and diagnostic is freed
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/logscan.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct limits l;

	limits_init(&l);
	(void)xinetd_parse(&l, "xinetd.conf", (const char *)data, size);
	limits_free(&l);
	return 0;
}
