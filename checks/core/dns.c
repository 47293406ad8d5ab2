/*
 * NAME		dns - helpers every resolver implementation shares
 * DOES		frees answers, calls a resolver with a clean answer, names
 *		statuses
 * NEVER	talks to the network itself
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/core/dns.h"

void
dns_answer_free(struct dns_answer *ans)
{
	size_t i;

	if (ans == NULL)
		return;
	for (i = 0; i < ans->n; i++)
		free(ans->rr[i].text);
	free(ans->rr);
	free(ans->why);
	memset(ans, 0, sizeof(*ans));
}

int
dns_query(const struct dns_resolver *r, const char *name, int type,
    struct dns_answer *ans)
{
	int st;

	memset(ans, 0, sizeof(*ans));
	if (r == NULL || r->query == NULL || name == NULL) {
		ans->status = DNS_TEMPFAIL;
		return DNS_TEMPFAIL;
	}
	st = r->query(r->arg, name, type, ans);
	/* a resolver that returns garbage must not turn into a pass */
	switch (st) {
	case DNS_OK:
		if (ans->n == 0)
			st = DNS_NODATA;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
	case DNS_TEMPFAIL:
	case DNS_PERMFAIL:
		break;
	default:
		st = DNS_TEMPFAIL;
		break;
	}
	if (st != DNS_OK && ans->n > 0) {
		char *why = ans->why;

		ans->why = NULL;
		dns_answer_free(ans);
		ans->why = why;
	}
	ans->status = st;
	return st;
}

const char *
dns_status_str(int status)
{
	switch (status) {
	case DNS_OK:		return "ok";
	case DNS_NXDOMAIN:	return "NXDOMAIN";
	case DNS_NODATA:	return "NODATA";
	case DNS_TEMPFAIL:	return "temporary failure";
	case DNS_PERMFAIL:	return "permanent failure";
	}
	return "unknown status";
}

char *
dns_name_dup(const char *s)
{
	char *d = strdup(s), *p;
	size_t n;

	if (d == NULL)
		return NULL;
	for (p = d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	n = strlen(d);
	if (n > 1 && d[n - 1] == '.')
		d[n - 1] = '\0';
	return d;
}
