/*
 * NAME		fuzz_srs_sockmap - socketmap netstring stream
 * DOES		parses the input as a stream of netstring requests and
 *		answers each, as srs-map serve does
 * NEVER	answers a request it did not frame completely
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srs/sockmap.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static time_t fixed = 20779L * 86400 + 3600;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct srs *srs;
	struct qstr out = QSTR_INIT(1 << 22);
	const char *p = (const char *)data, *req;
	size_t left = size, rn, used;

	if (srs == NULL) {
		if ((srs = srs_new()) == NULL ||
		    srs_add_secret(srs, "fuzz-secret", 11) < 0 ||
		    srs_add_domain(srs, "fwd.test") < 0)
			abort();
		qpm_clock_fixed(&srs->clock, &fixed);
	}
	while (sockmap_parse(p, left, SOCKMAP_MAX_REQUEST, &req, &rn,
	    &used) == 1) {
		if (used > left || req + rn > p + left)
			abort();
		(void)sockmap_answer(srs, SRS_LONG_TEMPFAIL, req, rn, &out,
		    NULL);
		p += used;
		left -= used;
	}
	qstr_free(&out);
	return 0;
}
