/*
 * NAME		fuzz_tcprules - the tcprules reader of the limits module
 * DOES		feeds arbitrary bytes; every item's target is rendered (the
 *		JSON), every item and diagnostic freed
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include <jansson.h>

#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/logscan.h"
#include "migrate/write/writers.h"

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
	/* every item's target (mynetworks, or why not) */
	json_decref(limits_json(&l));
	limits_free(&l);
	return 0;
}
