/*
 * NAME		fuzz_spf_parse - libFuzzer target for the SPF record pre-parser
 * DOES		feeds the bytes to spf_is_record/spf_record_parse and to
 *		spf_macro_check in each of its modes; checks that a parsed
 *		record is self-consistent
 * NEVER	looks anything up
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/core/spf_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record *rec = NULL;
	const char *why;
	char buf[256];
	size_t i;

	if (spf_is_record((const char *)data, size) &&
	    spf_record_parse((const char *)data, size, &rec, buf,
	    sizeof(buf)) == 0) {
		for (i = 0; i < rec->nterms; i++) {
			const struct spf_term *t = &rec->terms[i];

			if (t->text == NULL || t->mech < SPF_M_ALL ||
			    t->mech > SPF_M_EXISTS || t->cidr4 > 32 ||
			    t->cidr6 > 128 || strchr("+-~?", t->qualifier) ==
			    NULL)
				abort();
			if (t->domain_spec != NULL && spf_macro_check(
			    t->domain_spec, strlen(t->domain_spec), 0, 1,
			    &why) != 0)
				abort();
		}
		spf_record_free(rec);
	}
	(void)spf_macro_check((const char *)data, size, 1, 0, &why);
	(void)spf_macro_check((const char *)data, size, 0, 1, &why);
	return 0;
}
