/*
 * NAME		fuzz_dmarc - the DMARC policy record parser
 * DOES		parses the input as one TXT record's text
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "checks/core/dmarc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record r;

	if (dmarc_record_parse((const char *)data, size, &r) == DMARC_REC_OK)
		(void)dmarc_record_p(&r);
	return 0;
}
