/*
 * NAME		sockmap - Postfix socketmap requests and replies
 * DOES		netstring framing ("LEN:DATA,") with a size ceiling checked
 *		before the data is read; one codec call per request
 * NEVER	answers PERM for a key (only for an unknown map name, which
 *		is a configuration error), trusts a length it has not bounded
 */
#include <config.h>

#include <string.h>

#include "srs/sockmap.h"
#include "util/err.h"

int
sockmap_parse(const char *buf, size_t len, size_t max, const char **data,
    size_t *dlen, size_t *used)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] == ':')
			break;
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		if (i == 1 && buf[0] == '0')
			return -1;	/* no leading zeros */
		n = n * 10 + (size_t)(buf[i] - '0');
		if (n > max || i >= 10)
			return -1;
	}
	if (i == len)
		return 0;
	if (i == 0)
		return -1;
	/* i is at ':'; data follows, then ',' */
	if (len - i - 1 < n + 1)
		return 0;
	if (buf[i + 1 + n] != ',')
		return -1;
	*data = buf + i + 1;
	*dlen = n;
	*used = i + 1 + n + 1;
	return 1;
}

static int
reply_put(struct qstr *reply, const char *status, const char *val,
    size_t vn)
{
	char len[24];
	size_t before = reply->len, sn = strlen(status), n = sn + vn, i;
	int err;

	/* the length in decimal, then ':' (no printf: this is per lookup) */
	i = sizeof(len);
	len[--i] = ':';
	do {
		len[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	if ((err = qstr_catn(reply, len + i, sizeof(len) - i)) < 0 ||
	    (err = qstr_catn(reply, status, sn)) < 0 ||
	    (vn > 0 && (err = qstr_catn(reply, val, vn)) < 0) ||
	    (err = qstr_catc(reply, ',')) < 0) {
		reply->len = before;
		if (reply->buf != NULL)
			reply->buf[before] = '\0';
		return err;
	}
	return 0;
}

int
sockmap_answer(const struct srs *srs, enum srs_long_policy policy,
    const char *req, size_t n, struct qstr *reply, enum srs_reason *why_out)
{
	char out[SRS_OUT_MAX];
	const char *sp, *key, *text;
	size_t kn, mn;
	enum srs_reason why = SRS_WHY_NONE;
	enum srs_result r;
	int fwd, err;

	if (why_out != NULL)
		*why_out = SRS_WHY_NONE;
	if ((sp = memchr(req, ' ', n)) == NULL)
		return reply_put(reply, "PERM ", "no map name", 11);
	mn = (size_t)(sp - req);
	key = sp + 1;
	kn = n - mn - 1;
	if (mn == 7 && memcmp(req, "forward", 7) == 0)
		fwd = 1;
	else if (mn == 7 && memcmp(req, "reverse", 7) == 0)
		fwd = 0;
	else
		return reply_put(reply, "PERM ", "unknown map name", 16);
	r = fwd ? srs_forward(srs, key, kn, out, sizeof(out), &why) :
	    srs_reverse(srs, key, kn, out, sizeof(out), &why);
	if (why_out != NULL)
		*why_out = why;
	switch (r) {
	case SRS_REWRITTEN:
		return reply_put(reply, "OK ", out, strlen(out));
	case SRS_NOT_APPLICABLE:
		if (fwd && why == SRS_WHY_TOO_LONG &&
		    policy == SRS_LONG_TEMPFAIL) {
			text = srs_reason_text(why);
			return reply_put(reply, "TEMP ", text, strlen(text));
		}
		return reply_put(reply, "NOTFOUND ", NULL, 0);
	case SRS_ERROR:
		text = srs_reason_text(why);
		err = reply_put(reply, "TEMP ", text, strlen(text));
		return err;
	}
	return QPM_EINVAL;
}
