/*
 * NAME		test_dmarc_zone - a table-driven DNS resolver for unit tests
 * DOES		answers from a static zone: records by name and type;
 *		NXDOMAIN for unknown names, NODATA for other types, and a
 *		status override (TEMPFAIL, PERMFAIL) per name and type;
 *		counts queries
 * NEVER	touches the network
 */
#ifndef TEST_DMARC_ZONE_H
#define TEST_DMARC_ZONE_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/core/dns.h"

struct zrec {
	const char	*name;
	int		 type;
	const char	*text;		/* NULL with status: an override */
	int		 status;	/* 0, or DNS_TEMPFAIL / DNS_PERMFAIL */
};

struct zone {
	const struct zrec *rec;
	unsigned	 queries;
	char		 last[300];	/* last name asked */
};

static int
zone_query(void *arg, const char *name, int type, struct dns_answer *ans)
{
	struct zone *z = arg;
	const struct zrec *r;
	size_t n = 0, i = 0;
	int exists = 0;

	z->queries++;
	strncpy(z->last, name, sizeof(z->last) - 1);
	for (r = z->rec; r->name != NULL; r++) {
		if (strcasecmp(r->name, name) != 0)
			continue;
		exists = 1;
		if (r->type == type && r->status != 0) {
			ans->status = r->status;
			ans->why = strdup(r->status == DNS_TEMPFAIL ?
			    "SERVFAIL" : "FORMERR");
			return ans->status;
		}
		if (r->type == type)
			n++;
	}
	if (n == 0) {
		ans->status = exists ? DNS_NODATA : DNS_NXDOMAIN;
		return ans->status;
	}
	ans->rr = calloc(n, sizeof(*ans->rr));
	for (r = z->rec; r->name != NULL; r++) {
		if (strcasecmp(r->name, name) != 0 || r->type != type)
			continue;
		ans->rr[i].type = (uint16_t)type;
		ans->rr[i].ttl = 300;
		ans->rr[i].text = strdup(r->text);
		ans->rr[i].textlen = strlen(r->text);
		if (type == DNS_T_A)
			inet_pton(AF_INET, r->text, ans->rr[i].addr);
		else if (type == DNS_T_AAAA)
			inet_pton(AF_INET6, r->text, ans->rr[i].addr);
		i++;
	}
	ans->n = n;
	ans->status = DNS_OK;
	return DNS_OK;
}

#endif
