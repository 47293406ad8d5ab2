/*
 * NAME		fuzz_logscan - the logscan reader of the limits module
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
	{
		struct logscan *s = logscan_new(&l);

		if (s != NULL) {
			(void)logscan_buf(s, "fuzz/smtpd/current",
			    (const char *)data, size, 1794808800);
			logscan_free(s);
		}
		(void)limits_recommend(&l, NULL);
	}
	limits_free(&l);
	return 0;
}
