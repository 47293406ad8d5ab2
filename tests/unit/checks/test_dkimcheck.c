/*
 * NAME		test_dkimcheck - DKIM verification through our resolver
 * DOES		RFC 8463 Appendix A (ed25519-sha256 and rsa-sha256, both
 *		must pass); body and header tampering; revoked, missing and
 *		unreachable keys; a 512-bit key (RFC 8301); the l= trap;
 *		broken tag lists; signatures made by Mail::DKIM
 * NEVER	uses the network or the wall clock
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/core/dkimcheck.h"
#include "checks/core/header.h"
#include "util/clock.h"
#include "test_dmarc_zone.h"

/* RFC 8463 Appendix A.3, the signed message (CRLF line ends). */
#define RFC8463_SIGS \
	"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n" \
	" d=football.example.com; i=@football.example.com;\r\n" \
	" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n" \
	" subject : date : message-id : from : subject : date;\r\n" \
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" \
	" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n" \
	" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n" \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n" \
	" d=football.example.com; i=@football.example.com;\r\n" \
	" q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n" \
	" date : message-id : from : subject : date;\r\n" \
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" \
	" b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n" \
	" DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n" \
	" dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
#define RFC8463_HDRS \
	"From: Joe SixPack <joe@football.example.com>\r\n" \
	"To: Suzie Q <suzie@shopping.example.net>\r\n" \
	"Subject: Is dinner ready?\r\n" \
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n" \
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
#define RFC8463_BODY \
	"\r\nHi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n"

/* RFC 8463 Appendix A.2 keys */
#define KEY_ED "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define KEY_RSA "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQo" \
	"BTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3F" \
	"utACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2Ee" \
	"C3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

/* Signed by Mail::DKIM 1.20230212 (Mail::DKIM::Signer, relaxed/relaxed)
 * with a 512-bit key (s=small) and a 1024-bit key with l=34 (s=len). */
#define MDKIM_HDRS \
	"From: Alice <alice@sender.example>\r\n" \
	"To: Bob <bob@example.com>\r\n" \
	"Subject: fixture\r\n" \
	"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n" \
	"Message-ID: <fixture-1@sender.example>\r\n" \
	"\r\n" \
	"Hello Bob,\r\nthis body is signed.\r\n"
#define SIG_SMALL "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; " \
	"d=sender.example; h=from:to:subject:date:message-id; s=small; " \
	"bh=HeWrhOx471PnfXG/SdPTca2+ifV2iQt2sD9+NRwJb+4=; b=QGNIsN8i39HTg1cTBQu" \
	"NNi4aBgVaOVi8sXnSswYUEbrnCbhOumWqpeQkzzNq84Nvq1rEnALEBL+k9GgsbYhl9A==\r\n"
#define SIG_LEN "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; " \
	"d=sender.example; h=from:to:subject:date:message-id; s=len; l=34; " \
	"bh=HeWrhOx471PnfXG/SdPTca2+ifV2iQt2sD9+NRwJb+4=; b=Z8KD6JujTZ4bcJfenhRp" \
	"yvj5yeoUxVNMLVQPkIKlZNkVmnuVTrqqQJL5prWAwJdFl09i9ApgyOGcE4T4r213u+RKif" \
	"gr8weLr1plE01vaPvLsil2nDcmoo9uGhw7VqOuMmhsBjFVCIB1Etr6cL6MfJiwBkHPikp/" \
	"ojqSCZ7Z9V8=\r\n"
#define KEY_SMALL "v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMyoIPnX" \
	"mXAlUYPgWudxpPu14WdmYrtw+GbXxCNQMGH6/kApIgjudOqZUT70arncMA/Go8Mywnt4wr7" \
	"XQ7u2OlsCAwEAAQ=="
#define KEY_LEN "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCi4u3" \
	"u+yJ5jOTUpawDAqLiapQUDU4+YErfTCnZTOpz0vLUbJ/GVKYGk6xSzli9QHg4MOQjmZ0sep" \
	"zRRkL2yt05xe+T4JKeJ2xJcQrx79NPDaXS+G1RvEssngyLYyjTp7+RZKJjSwT6E2VB69FGp" \
	"wjoC3i/UpV/Ksxh5ZKq0s/eKwIDAQAB"

static const struct zrec good_zone[] = {
	{ "brisbane._domainkey.football.example.com", DNS_T_TXT, KEY_ED, 0 },
	{ "test._domainkey.football.example.com", DNS_T_TXT, KEY_RSA, 0 },
	{ "small._domainkey.sender.example", DNS_T_TXT, KEY_SMALL, 0 },
	{ "len._domainkey.sender.example", DNS_T_TXT, KEY_LEN, 0 },
	{ NULL, 0, NULL, 0 }
};

static const struct zrec bad_zone[] = {
	/* brisbane: SERVFAIL; test: revoked */
	{ "brisbane._domainkey.football.example.com", DNS_T_TXT, NULL,
	    DNS_TEMPFAIL },
	{ "test._domainkey.football.example.com", DNS_T_TXT,
	    "v=DKIM1; k=rsa; p=", 0 },
	{ NULL, 0, NULL, 0 }
};

struct want {
	const char	*s;
	enum dkimcheck_res res;
	const char	*reason;	/* substring; NULL: no reason */
};

static void
check(const struct zrec *zone, const char *msg, const struct want *w,
    size_t nw, struct dkimcheck_report *keep)
{
	struct zone z = { zone, 0, "" };
	struct dns_resolver r = { zone_query, &z };
	time_t t = 1528637909 + 60;
	struct qpm_clock clk;
	struct dkimcheck *dc;
	struct hdr_msg m;
	struct dkimcheck_report rep;
	size_t i;

	qpm_clock_fixed(&clk, &t);
	assert_int_equal(hdr_parse(msg, strlen(msg), &m), 0);
	dc = dkimcheck_new(&r, &clk);
	assert_non_null(dc);
	assert_int_equal(dkimcheck_verify(dc, &m, &rep), 0);
	if (rep.n != nw && !(w == NULL && keep != NULL))
		fail_msg("got %zu signatures, want %zu", rep.n, nw);
	for (i = 0; i < nw; i++) {
		const struct dkimcheck_sig *s = &rep.sig[i];

		if (strcmp(s->s, w[i].s) != 0)
			fail_msg("signature %zu: got s=%s, want s=%s", i, s->s,
			    w[i].s);
		if (s->result != w[i].res)
			fail_msg("s=%s: got %s (%s), want %s", s->s,
			    dkimcheck_res_str(s->result),
			    s->reason ? s->reason : "", dkimcheck_res_str(w[i].res));
		if (w[i].reason == NULL && s->reason != NULL)
			fail_msg("s=%s: unexpected reason %s", s->s, s->reason);
		if (w[i].reason != NULL && (s->reason == NULL ||
		    strstr(s->reason, w[i].reason) == NULL))
			fail_msg("s=%s: got reason %s, want %s", s->s,
			    s->reason ? s->reason : "(none)", w[i].reason);
	}
	if (keep != NULL)
		*keep = rep;
	else
		dkimcheck_report_free(&rep);
	dkimcheck_free(dc);
	hdr_free(&m);
}

static void
test_rfc8463_both_pass(void **state)
{
	static const struct want w[] = {
		{ "brisbane", DKIMCHECK_PASS, NULL },
		{ "test", DKIMCHECK_PASS, NULL },
	};
	struct dkimcheck_report rep;

	(void)state;
	check(good_zone, RFC8463_SIGS RFC8463_HDRS RFC8463_BODY, w, 2, &rep);
	assert_string_equal(rep.sig[0].a, "ed25519-sha256");
	assert_string_equal(rep.sig[0].d, "football.example.com");
	assert_string_equal(rep.sig[0].i, "@football.example.com");
	assert_memory_equal(rep.sig[0].b, "/gCrinpc", 8);
	assert_int_equal(rep.sig[1].keybits, 1024);
	assert_int_equal(rep.sig[1].l, -1);
	assert_int_equal(rep.sig[1].l_unsigned, 0);
	assert_true(dkimcheck_signs_header(&rep.sig[1], "Message-ID"));
	assert_false(dkimcheck_signs_header(&rep.sig[1], "Received"));
	assert_int_equal(rep.queries, 2);
	dkimcheck_report_free(&rep);
}

static void
test_lf_line_ends_still_pass(void **state)
{
	static const struct want w[] = {
		{ "brisbane", DKIMCHECK_PASS, NULL },
		{ "test", DKIMCHECK_PASS, NULL },
	};
	char *msg = strdup(RFC8463_SIGS RFC8463_HDRS RFC8463_BODY), *p, *q;

	(void)state;
	for (p = q = msg; *p != '\0'; p++)	/* CRLF -> LF, as in a file */
		if (*p != '\r')
			*q++ = *p;
	*q = '\0';
	check(good_zone, msg, w, 2, NULL);
	free(msg);
}

static void
test_body_changed(void **state)
{
	static const struct want w[] = {
		{ "brisbane", DKIMCHECK_FAIL, "body hash" },
		{ "test", DKIMCHECK_FAIL, "body hash" },
	};

	(void)state;
	check(good_zone, RFC8463_SIGS RFC8463_HDRS RFC8463_BODY
	    "--\r\nmailing list footer\r\n", w, 2, NULL);
}

static void
test_header_changed(void **state)
{
	static const struct want w[] = {
		{ "brisbane", DKIMCHECK_FAIL, "did not verify" },
		{ "test", DKIMCHECK_FAIL, "did not verify" },
	};
	char *msg = strdup(RFC8463_SIGS RFC8463_HDRS RFC8463_BODY);

	(void)state;
	memcpy(strstr(msg, "dinner"), "supper", 6);
	check(good_zone, msg, w, 2, NULL);
	free(msg);
}

static void
test_key_trouble(void **state)
{
	static const struct want w[] = {
		{ "brisbane", DKIMCHECK_TEMPERROR, "DNS" },
		{ "test", DKIMCHECK_PERMERROR, "revoked" },
	};
	static const struct zrec empty[] = { { NULL, 0, NULL, 0 } };
	static const struct want nokey[] = {
		{ "brisbane", DKIMCHECK_PERMERROR, "no key" },
		{ "test", DKIMCHECK_PERMERROR, "no key" },
	};

	(void)state;
	check(bad_zone, RFC8463_SIGS RFC8463_HDRS RFC8463_BODY, w, 2, NULL);
	check(empty, RFC8463_SIGS RFC8463_HDRS RFC8463_BODY, nokey, 2, NULL);
}

static void
test_small_key_fails(void **state)
{
	static const struct want w[] = {
		{ "small", DKIMCHECK_FAIL, "1024" },
	};

	(void)state;
	check(good_zone, SIG_SMALL MDKIM_HDRS, w, 1, NULL);
}

/* l=34 covers the body as signed; a footer appended later is not signed,
 * yet the signature still passes: report it. */
static void
test_body_length_trap(void **state)
{
	static const struct want w[] = { { "len", DKIMCHECK_PASS, NULL } };
	struct dkimcheck_report rep;

	(void)state;
	check(good_zone, SIG_LEN MDKIM_HDRS, w, 1, &rep);
	assert_int_equal(rep.sig[0].l, 34);
	assert_int_equal(rep.sig[0].l_unsigned, 0);
	dkimcheck_report_free(&rep);
	check(good_zone, SIG_LEN MDKIM_HDRS "Click here: http://evil.example/\r\n",
	    w, 1, &rep);
	assert_int_equal(rep.sig[0].l_unsigned, 1);
	assert_true(rep.sig[0].body_len > 34);
	dkimcheck_report_free(&rep);
}

static void
test_broken_tag_lists(void **state)
{
	struct dkimcheck_report rep;
	size_t i;

	(void)state;
	/* the broken ones are above the good RFC 8463 rsa signature */
	check(good_zone,
	    "DKIM-Signature: v=1; a=rsa-sha256; d=; s=; b=\r\n"
	    "DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; s=x; "
	    "h=from; bh=====; b=!!!; x=notanumber; ===\r\n"
	    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
	    " d=football.example.com; i=@football.example.com;\r\n"
	    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
	    " date : message-id : from : subject : date;\r\n"
	    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
	    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
	    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
	    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
	    RFC8463_HDRS RFC8463_BODY, NULL, 0, &rep);
	assert_int_equal(rep.n, 3);
	/* order of broken handles is libopendkim's: look them up by s= */
	for (i = 0; i < rep.n; i++) {
		if (strcmp(rep.sig[i].s, "test") == 0)
			assert_int_equal(rep.sig[i].result, DKIMCHECK_PASS);
		else if (rep.sig[i].result == DKIMCHECK_PASS)
			fail_msg("broken signature s=%s passed", rep.sig[i].s);
		else if (rep.sig[i].result == DKIMCHECK_NONE)
			fail_msg("broken signature s=%s reported as none",
			    rep.sig[i].s);
	}
	dkimcheck_report_free(&rep);
}

static void
test_unsigned(void **state)
{
	(void)state;
	check(good_zone, RFC8463_HDRS RFC8463_BODY, NULL, 0, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8463_both_pass),
		cmocka_unit_test(test_lf_line_ends_still_pass),
		cmocka_unit_test(test_body_changed),
		cmocka_unit_test(test_header_changed),
		cmocka_unit_test(test_key_trouble),
		cmocka_unit_test(test_small_key_fails),
		cmocka_unit_test(test_body_length_trap),
		cmocka_unit_test(test_broken_tag_lists),
		cmocka_unit_test(test_unsigned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
