/*
 * NAME		fuzz_srs - SRS address parsing: forward, reverse, and the
 *		reverse of every forward
 * DOES		feeds the input as one address to srs_forward() and
 *		srs_reverse() with a fixed secret and clock; a forward that
 *		succeeds must reverse to a valid address again
 * NEVER	reads past the input (the replay driver hands an exact copy)
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srs/srs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static time_t fixed = 20779L * 86400 + 3600;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct srs *srs;
	char out[SRS_OUT_MAX], back[SRS_OUT_MAX];
	enum srs_reason why;

	if (srs == NULL) {
		if ((srs = srs_new()) == NULL ||
		    srs_add_secret(srs, "fuzz-secret", 11) < 0 ||
		    srs_add_secret(srs, "second", 6) < 0 ||
		    srs_add_domain(srs, "fwd.test") < 0)
			abort();
		qpm_clock_fixed(&srs->clock, &fixed);
	}
	(void)srs_reverse(srs, (const char *)data, size, out, sizeof(out),
	    &why);
	if (srs_forward(srs, (const char *)data, size, out, sizeof(out),
	    &why) == SRS_REWRITTEN) {
		if (strlen(out) >= sizeof(out) || strchr(out, '@') == NULL ||
		    (size_t)(strrchr(out, '@') - out) > 64)
			abort();
		/* what we write, we read back */
		if (srs_reverse(srs, out, strlen(out), back, sizeof(back),
		    &why) != SRS_REWRITTEN)
			abort();
	}
	return 0;
}
