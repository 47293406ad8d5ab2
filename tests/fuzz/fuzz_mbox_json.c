/*
 * NAME		fuzz_mbox_json - sync's reader of migration.json's mailboxes
 * DOES		walks the input as OUT/migration.json, asking each mailbox
 *		item for what sync asks (address, quotas)
 * NEVER	reads past the input, touches the file system
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "mail/json.h"
#include "migrate/sync/mbox_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
each(void *arg, json_t *item)
{
	size_t *n = arg;

	(void)qpm_json_get_str(item, "address");
	(void)qpm_json_get_int(item, "quota_bytes", -1);
	/* a callback's error stops the walk: stop at the third */
	return ++*n == 3 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0, line;
	char why[128];

	(void)mbox_json_each((const char *)data, size, each, &n, &line, why,
	    sizeof(why));
	return 0;
}
