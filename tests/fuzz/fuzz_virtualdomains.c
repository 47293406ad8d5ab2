/*
 * NAME		fuzz_virtualdomains - the migrate reader for virtualdomains
 * DOES		feeds control/virtualdomains, rcpthosts and locals
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
	control_parse(m, "virtualdomains", "/virtualdomains",
	    (const char *)data, size);
	control_parse(m, "rcpthosts", "/rcpthosts", (const char *)data, size);
	control_parse(m, "locals", "/locals", (const char *)data, size);
	if (!m->nomem && !model_counts_add_up(m))
		abort();
	model_free(m);
	return 0;
}
