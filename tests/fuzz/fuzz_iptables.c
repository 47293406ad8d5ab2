/*
 * NAME		fuzz_iptables - the iptables reader of the limits module
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
	(void)iptables_parse(&l, "iptables", (const char *)data, size);
	(void)nftrules_parse(&l, "nftables.conf", (const char *)data, size);
	(void)sysctl_parse(&l, "sysctl.conf", (const char *)data, size);
	(void)limits_recommend(&l, NULL);
	limits_free(&l);
	return 0;
}
