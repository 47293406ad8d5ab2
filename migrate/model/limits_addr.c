/*
 * NAME		limits_addr - the client addresses of tcprules(1) keys
 * DOES		expands a key's numeric range the way tcprules does and
 *		turns a key into CIDR networks; what a limit item's addr
 *		means, for the readers that fill it and the writers that
 *		render it
 * NEVER	reads a file
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "util/err.h"
#include "util/qstr.h"

#define TCPRULES_MAX_RANGE	256	/* keys one "a-b" range expands to */

/* The canonical record tcprules writes for one rule: key "\n" data. */
int
limits_addr_record(struct qstr *recs, const char *key, size_t klen,
    const char *data, size_t dlen)
{
	int err;

	if ((err = qstr_catf(recs, "%zu,%zu:", klen, dlen)) < 0 ||
	    (err = qstr_catn(recs, key, klen)) < 0 ||
	    (err = qstr_catn(recs, "->", 2)) < 0 ||
	    (err = qstr_catn(recs, data, dlen)) < 0)
		return err;
	return qstr_catc(recs, '\n');
}

/* Expand the one numeric range of a key ("1.2.3.37-53", "10.2-3.") the
 * way tcprules does; calls limits_addr_record for each. */
int
limits_addr_expand(struct qstr *recs, const char *key, const char *data,
    size_t dlen)
{
	const char *dash = strchr(key, '-');
	const char *lo, *hi, *after;
	long a, b, v;
	char k[256];
	int err;

	if (dash == NULL || key[0] == '=' || strchr(key, '@') != NULL)
		return limits_addr_record(recs, key, strlen(key), data, dlen);
	for (lo = dash; lo > key && lo[-1] >= '0' && lo[-1] <= '9'; lo--)
		;
	for (after = dash + 1; *after >= '0' && *after <= '9'; after++)
		;
	hi = dash + 1;
	a = limits_number(lo, (size_t)(dash - lo));
	b = limits_number(hi, (size_t)(after - hi));
	if (a < 0 || b < 0 || b < a || b - a >= TCPRULES_MAX_RANGE)
		return limits_addr_record(recs, key, strlen(key), data, dlen);
	for (v = a; v <= b; v++) {
		if ((err = qpm_snprintf(k, sizeof(k), "%.*s%ld%s",
		    (int)(lo - key), key, v, after)) < 0)
			return err;
		if ((err = limits_addr_record(recs, k, strlen(k), data, dlen)) < 0)
			return err;
	}
	return 0;
}

static int
octets(const char *p, size_t n, long *o, size_t *no)
{
	size_t i = 0;

	*no = 0;
	while (i < n) {
		size_t j = i;

		while (j < n && p[j] != '.')
			j++;
		if (*no == 4 || (o[*no] = limits_number(p + i, j - i)) < 0 ||
		    o[*no] > 255)
			return -1;
		(*no)++;
		i = j + 1;
	}
	return 0;
}

int
limits_addr_cidrs(const char *addr, struct qstr *out)
{
	struct qstr recs = QSTR_INIT(64 * 1024);
	const char *p, *e;
	unsigned char b6[16];
	int err = 0;

	if (addr[0] == '\0')
		return qstr_cat(out, "0.0.0.0/0 ::/0");
	if (addr[0] == '=' || strchr(addr, '@') != NULL)
		return QPM_ESYNTAX;
	if (strchr(addr, ':') != NULL) {
		if (inet_pton(AF_INET6, addr, b6) != 1)
			return QPM_ESYNTAX;
		return qstr_catf(out, "%s[%s]/128", out->len ? " " : "", addr);
	}
	if ((err = limits_addr_expand(&recs, addr, "", 0)) < 0)
		goto out;
	for (p = recs.buf; p != NULL && p < recs.buf + recs.len; p = e + 1) {
		const char *key;
		char *endp;
		size_t klen, n;
		long o[4];
		int prefix;

		e = memchr(p, '\n', recs.len - (size_t)(p - recs.buf));
		klen = strtoul(p, &endp, 10);
		(void)strtoul(endp + 1, &endp, 10);
		key = endp + 1;
		prefix = klen > 0 && key[klen - 1] == '.';
		if (octets(key, klen - (size_t)prefix, o, &n) < 0 ||
		    (!prefix && n != 4)) {
			err = QPM_ESYNTAX;
			goto out;
		}
		while (n < 4)
			o[n++] = -1;
		if (prefix) {
			int bits = o[1] < 0 ? 8 : o[2] < 0 ? 16 : 24;

			err = qstr_catf(out, "%s%ld.%ld.%ld.0/%d",
			    out->len ? " " : "", o[0], o[1] < 0 ? 0 : o[1],
			    o[2] < 0 ? 0 : o[2], bits);
		} else
			err = qstr_catf(out, "%s%ld.%ld.%ld.%ld",
			    out->len ? " " : "", o[0], o[1], o[2], o[3]);
		if (err < 0)
			goto out;
	}
out:
	qstr_free(&recs);
	return err;
}
