/*
 * NAME		fuzz_rehearse_dsn - the recipient blocks of a DSN
 * DOES		feeds arbitrary bytes to rh_dsn_blocks (rehearse's reading
 *		of a DSN to a shared probe message's sender)
 * NEVER	reads past the input; a block without a final recipient, a
 *		diagnostic outside the input
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/rehearse/rehearse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *text;
static size_t text_len, seen;

static void
each(void *arg, const char *fin, const char *orig, const char *diag,
    size_t dlen)
{
	(void)arg;
	if (fin == NULL || *fin == '\0' || orig == NULL ||
	    (diag != NULL && (diag < text || diag + dlen > text + text_len)))
		abort();
	seen++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (t == NULL)
		return 0;
	memcpy(t, data, size);
	t[size] = '\0';
	text = t;
	text_len = strlen(t);
	seen = 0;
	if (rh_dsn_blocks(t, each, NULL) != seen)
		abort();
	free(t);
	return 0;
}
