/*
 * NAME		fuzz_dotqmail - the migrate reader for dotqmail
 * DOES		feeds a domain .qmail-default (vdelivermail and every line kind)
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
	d = model_domain_add(m, "example.com", DOM_MAILBOX, src);
	if (d != NULL) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.origin = ORIG_DEFAULT;
		ctx.key = KEY_CATCHALL;
		ctx.local = "";
		ctx.domain = d->name;
		ctx.dir = "/home/vpopmail/domains/example.com";
		ctx.user = "vpopmail";
		ctx.dom = d;
		ctx.count = 1;
		dotqmail_apply(m, &ctx, "/.qmail-default", (const char *)data,
		    size);
	}
	if (!m->nomem && !model_counts_add_up(m))
		abort();
	model_free(m);
	return 0;
}
