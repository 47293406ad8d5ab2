/*
 * NAME		sockmap - Postfix socketmap protocol over the SRS codec
 * DOES		netstrings in ("NAME KEY"), netstrings out ("OK VALUE",
 *		"NOTFOUND ", "TEMP reason", "PERM reason"); maps "forward"
 *		and "reverse"
 * NEVER	answers PERM to untrusted input (forged, expired, foreign or
 *		malformed keys are NOTFOUND), does I/O
 */
#ifndef QPM_SOCKMAP_H
#define QPM_SOCKMAP_H

#include <stddef.h>

#include "srs/srs.h"
#include "util/qstr.h"

/* Postfix's socketmap client refuses replies over 100000 octets and
 * sends requests no longer than that (dict_sockmap.c). */
#define SOCKMAP_MAX_REQUEST	100000

/* Parse one netstring at buf[0..len): 1 with *data, *dlen and *used set;
 * 0 when more input is needed; -1 on a protocol error (bad length, over
 * max, missing ','). */
int	sockmap_parse(const char *buf, size_t len, size_t max,
	    const char **data, size_t *dlen, size_t *used);

/* Answer one request (the netstring payload) as a netstring appended to
 * reply; *why_out, when not NULL, gets the codec's reason (for logs).
 * Returns 0 or a negative qpm_err (reply unchanged). */
int	sockmap_answer(const struct srs *srs, enum srs_long_policy policy,
	    const char *req, size_t n, struct qstr *reply,
	    enum srs_reason *why_out);

#endif
