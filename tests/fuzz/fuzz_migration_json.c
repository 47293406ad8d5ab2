/*
 * NAME		fuzz_migration_json - the migration.json reader of cutover-report
 * DOES		parses the input as OUT/migration.json, then asks the parsed
 *		model what the checks ask (mailboxes, domains, settings)
 * NEVER	reads past the input, touches the file system or DNS
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "checks/cutover/cutover_mig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cut_mig m;
	char why[256];
	size_t i;

	if (cut_mig_parse((const char *)data, size, "OUT/migration.json", &m,
	    why, sizeof(why)) == 0) {
		for (i = 0; i < m.nforwards; i++)
			(void)cut_mig_is_mailbox(&m, m.forwards[i].address);
		for (i = 0; i < m.npostmasters; i++)
			(void)cut_mig_domain(&m, m.postmasters[i].domain);
		(void)cut_mig_setting(&m, "smtp_helo_name");
	}
	cut_mig_free(&m);
	return 0;
}
