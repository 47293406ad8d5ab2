/*
 * NAME		fuzz_assign - the migrate reader for assign
 * DOES		feeds users/assign text, then a lookup
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
	assign_parse(m, "/var/qmail/users/assign", (const char *)data, size);
	(void)assign_lookup(m, "example.com-alice");
	if (!m->nomem && !model_counts_add_up(m))
		abort();
	model_free(m);
	return 0;
}
