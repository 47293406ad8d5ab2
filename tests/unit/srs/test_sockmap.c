/*
 * NAME		test_sockmap - netstring framing and socketmap answers
 * DOES		table-driven framing cases; answers checked against the
 *		postsrsd 1.10 lab vectors (shared/reference/srs.md)
 * NEVER	answers PERM to a key: forged, expired, foreign and malformed
 *		keys must be NOTFOUND
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "srs/sockmap.h"
#include "util/qstr.h"

#define LAB_SECRET	"lab-srs-secret-0123456789"
#define LAB_T		(20779L * 86400 + 3600)

static time_t now_t = LAB_T;

static void
test_parse_framing(void **state)
{
	static const struct {
		const char	*name, *in;
		int		 want;
		const char	*data;
	} c[] = {
		{ "complete", "3:abc,", 1, "abc" },
		{ "empty payload", "0:,", 1, "" },
		{ "pipelined: first only", "1:a,1:b,", 1, "a" },
		{ "need length", "12", 0, NULL },
		{ "need data", "5:abc", 0, NULL },
		{ "need comma", "3:abc", 0, NULL },
		{ "no comma", "3:abcd", -1, NULL },
		{ "not a digit", "x:abc,", -1, NULL },
		{ "no length", ":abc,", -1, NULL },
		{ "leading zero", "03:abc,", -1, NULL },
		{ "over the limit", "100001:", -1, NULL },
		{ "huge length", "99999999999999999999:", -1, NULL },
	};
	const char *data;
	size_t dlen, used, i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		r = sockmap_parse(c[i].in, strlen(c[i].in), SOCKMAP_MAX_REQUEST,
		    &data, &dlen, &used);
		if (r != c[i].want)
			fail_msg("%s: got %d, want %d", c[i].name, r, c[i].want);
		if (r == 1 && (dlen != strlen(c[i].data) ||
		    memcmp(data, c[i].data, dlen) != 0))
			fail_msg("%s: got %.*s, want %s", c[i].name, (int)dlen,
			    data, c[i].data);
	}
	/* exactly at the limit is fine */
	assert_int_equal(sockmap_parse("100000:", 7, SOCKMAP_MAX_REQUEST,
	    &data, &dlen, &used), 0);
}

static void
test_answers(void **state)
{
	static const struct {
		const char	*name, *req, *want;
	} c[] = {
		{ "forward", "forward alice@example.test",
		  "43:OK SRS0=BDg3=JL=example.test=alice@fwd.test," },
		{ "reverse", "reverse SRS0=BDg3=JL=example.test=alice@fwd.test",
		  "21:OK alice@example.test," },
		{ "forward ours: not found", "forward bob@fwd.test",
		  "9:NOTFOUND ," },
		{ "forged: not found, never PERM",
		  "reverse SRS0=QQQQ=JL=example.test=alice@fwd.test",
		  "9:NOTFOUND ," },
		{ "expired: not found", "reverse SRS0=gARm=IV=example.test=alice@fwd.test",
		  "9:NOTFOUND ," },
		{ "foreign: not found",
		  "reverse SRS0=BDg3=JL=example.test=alice@other.test",
		  "9:NOTFOUND ," },
		{ "no @: not found", "reverse alice", "9:NOTFOUND ," },
		{ "empty key: not found", "reverse ", "9:NOTFOUND ," },
		{ "too long: temp by policy",
		  "forward aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org",
		  "42:TEMP SRS local part would exceed 64 octets," },
		{ "unknown map", "sideways alice@example.test",
		  "21:PERM unknown map name," },
		{ "no space", "forward", "16:PERM no map name," },
	};
	struct srs *srs = srs_new();
	struct qstr out = QSTR_INIT(1 << 20);
	size_t i;

	(void)state;
	assert_int_equal(srs_add_secret(srs, LAB_SECRET, strlen(LAB_SECRET)), 0);
	assert_int_equal(srs_add_domain(srs, "fwd.test"), 0);
	qpm_clock_fixed(&srs->clock, &now_t);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		qstr_reset(&out);
		assert_int_equal(sockmap_answer(srs, SRS_LONG_TEMPFAIL, c[i].req,
		    strlen(c[i].req), &out, NULL), 0);
		if (strcmp(qstr_str(&out), c[i].want) != 0)
			fail_msg("%s: got %s, want %s", c[i].name,
			    qstr_str(&out), c[i].want);
	}
	/* plain policy: the sender is kept, so NOTFOUND */
	qstr_reset(&out);
	assert_int_equal(sockmap_answer(srs, SRS_LONG_PLAIN, c[8].req,
	    strlen(c[8].req), &out, NULL), 0);
	assert_string_equal(qstr_str(&out), "9:NOTFOUND ,");
	/* a NUL inside the key */
	qstr_reset(&out);
	assert_int_equal(sockmap_answer(srs, SRS_LONG_TEMPFAIL,
	    "reverse a\0b@fwd.test", 20, &out, NULL), 0);
	assert_string_equal(qstr_str(&out), "9:NOTFOUND ,");
	qstr_free(&out);
	srs_free(srs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_framing),
		cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
