/*
 * NAME		fuzz_qqueue - qmail queue envelope parsers
 * DOES		feeds the same bytes to the info, recipient and todo parsers
 *		and to the virtualdomains un-rewriter
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/oldhost/qqueue.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct qq_vdomain vd[] = {
		{ "example.com", "example.com" }, { ".w.example", "w" },
		{ "", "catchall" },
	};
	struct qq_env e = { 0 };
	const char *why;
	char out[600];
	size_t i;

	qq_parse_info(&e, (const char *)data, size, &why);
	qq_env_free(&e);
	qq_parse_todo(&e, (const char *)data, size, &why);
	qq_env_free(&e);
	if (qq_parse_rcpts(&e, (const char *)data, size, 0, &why) == 0)
		for (i = 0; i < e.n; i++)
			qq_unrewrite(e.rcpt[i].addr, vd, 3, out, sizeof(out));
	qq_env_free(&e);
	return 0;
}
