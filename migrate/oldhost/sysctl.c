/*
 * NAME		sysctl - read sysctl.conf for the kernel settings that shape
 *		connection handling: keepalive, conntrack timeouts, backlogs
 * DOES		"key = value" and "key=value", keys with / or .
 * NEVER	reads keys it has no use for (they are not limits)
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/qstr.h"

static const char *const wanted[] = {
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_syncookies",
	"net.core.somaxconn", "net.netfilter.nf_conntrack_max",
	"net.nf_conntrack_max", "net.ipv4.netfilter.ip_conntrack_max",
	NULL
};

static int
is_wanted(const char *k)
{
	size_t i;

	for (i = 0; wanted[i] != NULL; i++)
		if (strcmp(wanted[i], k) == 0)
			return 1;
	return strncmp(k, "net.netfilter.nf_conntrack_tcp_timeout_", 39) == 0 ||
	    strncmp(k, "net.ipv4.netfilter.ip_conntrack_tcp_timeout_", 44) == 0;
}

int
sysctl_parse(struct limits *l, const char *name, const char *text,
    size_t len)
{
	size_t i = 0;
	unsigned long line = 0;
	int err = 0;

	while (i < len && err >= 0) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : len;
		const char *p = text + i, *end = text + e, *eq, *v, *ke;
		char key[128];
		size_t k;
		long val;

		line++;
		i = nl != NULL ? e + 1 : len;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '-'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r'))
			end--;
		if (p == end || *p == '#' || *p == ';')
			continue;
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL) {
			err = limits_diag(l, 0, name, line, "no '=': ignored");
			continue;
		}
		for (ke = eq; ke > p && (ke[-1] == ' ' || ke[-1] == '\t'); ke--)
			;
		if ((size_t)(ke - p) >= sizeof(key))
			continue;
		for (k = 0; p + k < ke; k++)
			key[k] = p[k] == '/' ? '.' : p[k];
		key[k] = '\0';
		if (!is_wanted(key))
			continue;
		for (v = eq + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		if ((val = limits_number(v, (size_t)(end - v))) < 0) {
			err = limits_diag(l, 1, name, line, "%s: \"%.*s\" is not "
			    "a number; not read", key, (int)(end - v > 40 ? 40 :
			    end - v), v);
			continue;
		}
		err = limits_add(l, LK_KERNEL, LSVC_HOST, val, 0, "sysctl", name,
		    line, "%s = %ld", key, val);
	}
	return err < 0 ? err : 0;
}
