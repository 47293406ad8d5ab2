/*
 * NAME		test_esc_postfix - old-host strings into Postfix, nftables
 *		and sysctl syntax: each function escapes or refuses
 * DOES		table-driven cases (named) per target syntax; a refusal
 *		leaves the string unchanged; writer_src renders a file name
 *		with newlines as one comment line
 * NEVER	depends on the host
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mail/addr.h"
#include "mail/esc_postfix.h"
#include "migrate/write/writers.h"
#include "util/err.h"

typedef int (*esc_fn)(struct qstr *, const char *, const char **);

struct esc_case {
	const char	*name;
	esc_fn		 fn;
	const char	*in;
	const char	*want;	/* NULL: refused */
};

static int
addr_hash(struct qstr *s, const char *t, const char **why)
{
	return esc_pf_addr(s, t, 0, why);
}

static int
addr_regexp(struct qstr *s, const char *t, const char **why)
{
	return esc_pf_addr(s, t, 1, why);
}

static const struct esc_case cases[] = {
	{ "key: plain address", esc_pf_key, "sales@example.com",
	    "sales@example.com" },
	{ "key: space splits it", esc_pf_key, "root attacker@evil.example,",
	    NULL },
	{ "key: newline adds a line", esc_pf_key,
	    "x\nalice@example.com evil@evil.example", NULL },
	{ "key: '#' first is a comment", esc_pf_key, "#x@example.com", NULL },
	{ "key: tab", esc_pf_key, "a\tb", NULL },
	{ "key: non-ASCII", esc_pf_key, "j\xc3\xb6rg@example.com", NULL },
	{ "value: error text with spaces", esc_pf_value,
	    "error:5.1.1 gone away", "error:5.1.1 gone away" },
	{ "value: CR", esc_pf_value, "OK\r", NULL },
	{ "value: newline", esc_pf_value, "OK\nsmtpd_relay_restrictions", NULL },
	{ "hash result: '$' kept", addr_hash, "a$b@example.net",
	    "a$b@example.net" },
	{ "regexp result: '$' doubled", addr_regexp, "a$b@example.net",
	    "a$$b@example.net" },
	{ "result: ',' splits the list", addr_hash, "a@b,evil@x", NULL },
	{ "result: space", addr_regexp, "a@b evil@x", NULL },
	{ "result: newline", addr_hash, "a@b\n/x/ y", NULL },
	{ "regexp: metacharacters and '/'", esc_pf_regexp, "a.b+c/d$",
	    "a\\.b\\+c\\/d\\$" },
	{ "regexp: newline", esc_pf_regexp, "a\n/^/ evil@x", NULL },
	{ "main.cf value: '$' doubled", esc_pf_param, " Mail $HOST",
	    " Mail $$HOST" },
	{ "main.cf value: newline", esc_pf_param,
	    "x\nsmtpd_relay_restrictions = permit", NULL },
	{ "master.cf word: user", esc_pf_word, "vpopmail", "vpopmail" },
	{ "master.cf word: space", esc_pf_word, "a b", NULL },
	{ "master.cf word: '='", esc_pf_word, "x=y", NULL },
	{ "master.cf word: '$'", esc_pf_word, "$x", NULL },
	{ "master.cf word: brace", esc_pf_word, "}", NULL },
	{ "sh quote: plain", esc_pf_sh_quote, "support-", "'support-'" },
	{ "sh quote: quote, '$' and backquote", esc_pf_sh_quote,
	    "it's $(x)`y`", "'it'\\''s $$(x)`y`'" },
	{ "sh quote: newline", esc_pf_sh_quote, "/home/a\nb", NULL },
	{ "sh quote: brace ends argv", esc_pf_sh_quote, "a}b", NULL },
	{ "sh cmd: '$' doubled", esc_pf_sh_cmd, "echo $HOME >x",
	    "echo $$HOME >x" },
	{ "sh cmd: newline", esc_pf_sh_cmd, "true\nq2p unix - n n - - pipe",
	    NULL },
	{ "sh cmd: brace", esc_pf_sh_cmd, "x } evil", NULL },
};

static void
test_cases(void **state)
{
	struct qstr s = QSTR_INIT(4096);
	const char *why;
	size_t i;
	int e;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qstr_reset(&s);
		qstr_cat(&s, "<");
		why = NULL;
		e = cases[i].fn(&s, cases[i].in, &why);
		if (cases[i].want == NULL) {
			if (e != QPM_ESYNTAX || why == NULL ||
			    strcmp(s.buf, "<") != 0)
				fail_msg("%s: got %d \"%s\", want a refusal",
				    cases[i].name, e, s.buf);
		} else if (e != 0 || strcmp(s.buf + 1, cases[i].want) != 0)
			fail_msg("%s: got %d \"%s\", want \"%s\"", cases[i].name,
			    e, s.buf + 1, cases[i].want);
	}
	qstr_free(&s);
}

static void
test_local_and_domain(void **state)
{
	static const struct {
		const char *in;
		int local_ok, domain_ok;
	} v[] = {
		{ "sales", 1, 1 },
		{ "support-", 1, 0 },
		{ "a.b_c", 1, 1 },
		{ "it's", 1, 0 },
		{ "root attacker@evil.example,", 0, 0 },
		{ "x\nalice", 0, 0 },
		{ "#x", 0, 0 },
		{ "a@b", 0, 0 },
		{ "j\xc3\xb6rg", 0, 0 },
		{ "example_foo.com", 1, 1 },
		{ "b\xc3\xbc" "cher.example", 0, 0 },
		{ ".example.com", 1, 0 },
		{ "a..b", 1, 0 },
		{ "", 0, 0 },
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		why = NULL;
		if (addr_local_ok(v[i].in, strlen(v[i].in), &why) !=
		    v[i].local_ok || (!v[i].local_ok && why == NULL))
			fail_msg("local %zu: got %d, want %d", i,
			    !v[i].local_ok, v[i].local_ok);
		why = NULL;
		if (addr_domain_ok(v[i].in, &why) != v[i].domain_ok ||
		    (!v[i].domain_ok && why == NULL))
			fail_msg("domain %zu: got %d, want %d", i,
			    !v[i].domain_ok, v[i].domain_ok);
	}
}

static void
test_comment_is_one_line(void **state)
{
	struct qstr s = QSTR_INIT(4096);

	(void)state;
	assert_int_equal(esc_comment(&s, "\t\t", "from %s:%d (%s)",
	    "service/x\nsmtpd_relay_restrictions = permit\n#", 3, "a\\b"), 0);
	assert_string_equal(s.buf, "\t\t# from service/x\\x0asmtpd_relay_"
	    "restrictions = permit\\x0a#:3 (a\\\\b)\n");
	qstr_free(&s);
}

static void
test_writer_src_is_one_line(void **state)
{
	struct qstr s = QSTR_INIT(4096);
	struct src src;

	(void)state;
	src.file = "/home/vpopmail/domains/example.com/.qmail-x\n"
	    "alice@example.com\tevil@evil.example\n#";
	src.line = 1;
	assert_int_equal(writer_src(&s, "# from ", src), 0);
	assert_string_equal(s.buf, "# from /home/vpopmail/domains/example.com/"
	    ".qmail-x\\x0aalice@example.com\\x09evil@evil.example\\x0a#:1\n");
	qstr_reset(&s);
	src.file = "etc/tcp.smtp";
	src.line = 0;
	assert_int_equal(writer_src(&s, "# from ", src), 0);
	assert_string_equal(s.buf, "# from etc/tcp.smtp\n");
	qstr_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_local_and_domain),
		cmocka_unit_test(test_comment_is_one_line),
		cmocka_unit_test(test_writer_src_is_one_line),
	};

	return cmocka_run_group_tests_name("esc_postfix", tests, NULL, NULL);
}
