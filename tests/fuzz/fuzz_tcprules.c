/*
 * NAME		fuzz_tcprules - the tcprules reader of the limits module
 * DOES		feeds arbitrary bytes; every item and diagnostic is freed
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "migrate/limits_int.h"
#include "migrate/logscan.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct limits l;

	limits_init(&l);
	(void)tcprules_parse_text(&l, LSVC_SMTP, "fuzz", (const char *)data,
	    size);
	(void)tcprules_parse_cdb(&l, LSVC_SMTP, "fuzz", data, size);
	(void)limits_recommend(&l, NULL);
	limits_free(&l);
	return 0;
}
