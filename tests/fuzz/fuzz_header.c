/*
 * NAME		fuzz_header - the RFC 5322 header parser and address lists
 * DOES		splits the input into fields and body, parses every From:,
 *		To: and Cc: value as an address list, and the whole input too
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>

#include "checks/core/header.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "From", "To", "Cc", NULL };
	struct hdr_msg m;
	struct hdr_addrs a = { NULL, 0, 0 };
	const struct hdr_field *f;
	const char *why;
	size_t i, k, nf;

	if (hdr_parse((const char *)data, size, &m) == 0) {
		for (k = 0; names[k] != NULL; k++)
			for (i = 0; (f = hdr_get(&m, names[k], i)) != NULL;
			    i++) {
				(void)hdr_parse_addrs(f->value, f->valuelen,
				    &a, &why);
				hdr_addrs_free(&a);
			}
		(void)hdr_from_addrs(&m, &a, &nf, &why);
		hdr_addrs_free(&a);
		hdr_free(&m);
	}
	(void)hdr_parse_addrs((const char *)data, size, &a, &why);
	hdr_addrs_free(&a);
	return 0;
}
