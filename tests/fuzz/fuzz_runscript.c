/*
 * NAME		fuzz_runscript - the runscript reader of the limits module
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
	/* the root does not exist: file reads fail, parsing goes on */
	(void)runscript_parse(&l, "/nonexistent-fuzz-root", "service/x", "run",
	    (const char *)data, size);
	(void)limits_recommend(&l, NULL);
	limits_free(&l);
	return 0;
}
