/*
 * NAME		fuzz_control - the migrate reader for control
 * DOES		feeds the same bytes as several control files
 * NEVER	reads past the input; every item read is accounted for
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/model.h"
#include "migrate/oldhost/readers.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = model_new();
	struct src src = { "/fuzz", 1 };
	struct m_domain *d;
	struct dq_ctx ctx;

	if (m == NULL)
		return 0;
	m->quiet = 1;
	(void)src;
	(void)d;
	(void)ctx;
	control_parse(m, "me", "/me", (const char *)data, size);
	control_parse(m, "smtproutes", "/smtproutes", (const char *)data, size);
	control_parse(m, "badmailfrom", "/badmailfrom", (const char *)data,
	    size);
	control_parse(m, "timeoutremote", "/t", (const char *)data, size);
	control_parse(m, "concurrencyremote", "/c", (const char *)data, size);
	control_parse(m, "smtpgreeting", "/g", (const char *)data, size);
	control_finish(m);
	if (!m->nomem && !model_counts_add_up(m))
		abort();
	model_free(m);
	return 0;
}
