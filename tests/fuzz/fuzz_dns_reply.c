/*
 * NAME		fuzz_dns_reply - one UDP datagram read as the reply to a
 *		question the concurrent resolver has in flight
 * DOES		the first byte picks the question's type (A, MX, TXT, PTR,
 *		AAAA, CNAME), the rest is the datagram, for the question
 *		ID 0x1234, name example.test
 * NEVER	reads past the input
 */
#include <config.h>

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "checks/core/dns.h"
#include "checks/core/dns_ldns.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { DNS_T_A, DNS_T_MX, DNS_T_TXT, DNS_T_PTR,
	    DNS_T_AAAA, DNS_T_CNAME };
	struct dns_answer a;

	if (size < 1)
		return 0;
	memset(&a, 0, sizeof(a));
	(void)dns_ldns_take_reply(data + 1, size - 1, 0x1234, "example.test",
	    types[data[0] % (sizeof(types) / sizeof(types[0]))], &a);
	dns_answer_free(&a);
	return 0;
}
