/*
 * NAME		test_esc_dovecot - hostile names and keywords against the
 *		functions that write Dovecot's Maildir files
 * DOES		table cases worked out by hand from the file formats
 *		(Dovecot's maildir-uidlist.c and maildir-keywords.c readers,
 *		RFC 3501 9 for keywords, mailbox_verify_name for empty
 *		hierarchy levels): every refusal leaves the string as it was,
 *		every line written is whole and ends in exactly one newline
 * NEVER	opens a file
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/sync/courier_state.h"
#include "migrate/sync/esc_dovecot.h"
#include "util/err.h"

#define PREFIX	"kept\n"

/* a qstr holding PREFIX, to see that a refusal leaves it alone */
static void
start(struct qstr *s)
{
	qstr_init(s, 4096);
	assert_int_equal(qstr_cat(s, PREFIX), 0);
}

/* rc and what follows PREFIX: want NULL for a refusal */
static void
check(const char *name, int rc, const struct qstr *s, int want_rc,
    const char *want)
{
	const char *got = qstr_str(s);

	if (strncmp(got, PREFIX, strlen(PREFIX)) != 0)
		fail_msg("%s: the string before was changed", name);
	got += strlen(PREFIX);
	if (rc != want_rc || strcmp(got, want != NULL ? want : "") != 0)
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", name, rc, got,
		    want_rc, want != NULL ? want : "");
}

/* check, then a refusal must say why; the string is freed */
static void
done(const char *name, int rc, struct qstr *s, const char *want,
    const char *const *why)
{
	check(name, rc, s, want != NULL ? 0 : QPM_ESYNTAX, want);
	if (want == NULL && *why == NULL)
		fail_msg("%s: refused without a reason", name);
	qstr_free(s);
}

static void
test_keyword(void **state)
{
	static const struct {
		const char *name, *kw, *want;
	} c[] = {
		{ "plain", "$Label1", "3 $Label1\n" },
		{ "junk", "NonJunk", "3 NonJunk\n" },
		{ "space", "a b", NULL },
		{ "newline", "a\nb", NULL },
		{ "CR", "a\r", NULL },
		{ "tab", "\tx", NULL },
		{ "DEL", "x\x7f", NULL },
		{ "8-bit", "B\xc3\xbcro", NULL },
		{ "paren", "a(b", NULL },
		{ "brace", "a{5}", NULL },
		{ "wildcard", "a*", NULL },
		{ "percent", "a%", NULL },
		{ "quote", "a\"", NULL },
		{ "backslash", "\\Seen", NULL },
		{ "bracket", "a]", NULL },
		{ "empty", "", NULL },
	};
	struct qstr s;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		why = NULL;
		start(&s);
		done(c[i].name, esc_dc_keyword(&s, 3, c[i].kw, &why), &s,
		    c[i].want, &why);
	}
}

static void
test_uidlist(void **state)
{
	static const struct {
		const char *name, *fields, *file, *want;
		unsigned long uid;
	} c[] = {
		{ "plain", NULL, "1.2.host,S=5:2,S", "7 :1.2.host,S=5:2,S\n", 7 },
		{ "fields", "O3 PUID1-2", "1.2.h:2,", "7 O3 PUID1-2 :1.2.h:2,\n",
		  7 },
		{ "space in name", NULL, "1.2 h", NULL, 7 },
		{ "newline in name", NULL, "1.2\n8 :evil", NULL, 7 },
		{ "CR in name", NULL, "1.2\r", NULL, 7 },
		{ "slash", NULL, "../../etc/passwd", NULL, 7 },
		{ "dot dot", NULL, "..", NULL, 7 },
		{ "empty name", NULL, "", NULL, 7 },
		{ "uid 0", NULL, "a", NULL, 0 },
		{ "uid past 32 bits", NULL, "a", NULL, 4294967296UL },
		{ "field with newline", "O1\n9 :x", "a", NULL, 7 },
		{ "field with tab", "P\tx", "a", NULL, 7 },
		{ "field lower case", "o1", "a", NULL, 7 },
		{ "two spaces", "O1  P2", "a", NULL, 7 },
		{ "trailing space", "O1 ", "a", NULL, 7 },
	};
	struct qstr s;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		why = NULL;
		start(&s);
		done(c[i].name, esc_dc_uidlist(&s, c[i].uid, c[i].fields,
		    c[i].file, &why), &s, c[i].want, &why);
	}
}

static void
test_state(void **state)
{
	struct qstr s;
	const char *why;

	(void)state;
	start(&s);
	check("cur", esc_dc_state(&s, "1.2.h:2,S", 5, "cur/1.2.h:2,Sa",
	    &why), &s, 0, "1.2.h cur/1.2.h:2,Sa\n");
	qstr_free(&s);
	start(&s);
	check("space in base", esc_dc_state(&s, "1 2", 3, "new/1 2", &why),
	    &s, QPM_ESYNTAX, NULL);
	qstr_free(&s);
	start(&s);
	check("not cur/ or new/", esc_dc_state(&s, "a", 1, "tmp/a", &why), &s,
	    QPM_ESYNTAX, NULL);
	qstr_free(&s);
	start(&s);
	check("climbs", esc_dc_state(&s, "a", 1, "cur/../a", &why), &s,
	    QPM_ESYNTAX, NULL);
	qstr_free(&s);
}

static void
test_folder(void **state)
{
	static const struct {
		const char *name, *in, *want;
		int rc;
	} c[] = {
		{ "plain", "Sent", "Sent", 0 },
		{ "levels", "Archiv.2025", "Archiv.2025", 0 },
		{ "courier 4", "B&APw-ro", "B&APw-ro", 0 },
		{ "courier 5", "B\xc3\xbcro", "B&APw-ro", 1 },
		{ "ampersand", "R&D", "R&-D", 2 },
		{ "Latin-1", "caf\xe9", "caf&AOk-", 3 },
		/* a control byte is a character modified UTF-7 encodes */
		{ "newline", "a\nb", "a&AAo-b", 2 },
		{ "CR LF", "x\r\n", "x&AA0ACg-", 2 },
		{ "slash", "a/b", NULL, QPM_ESYNTAX },
		{ "climbs", "../../etc", NULL, QPM_ESYNTAX },
		{ "dot dot", "..", NULL, QPM_ESYNTAX },
		{ "empty level", "a..b", NULL, QPM_ESYNTAX },
		{ "dot first", ".a", NULL, QPM_ESYNTAX },
		{ "dot last", "a.", NULL, QPM_ESYNTAX },
		{ "empty", "", NULL, QPM_ESYNTAX },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct qstr s;
		const char *why = NULL;
		int rc;

		start(&s);
		rc = esc_dc_folder(&s, c[i].in, strlen(c[i].in), &why);
		check(c[i].name, rc, &s, c[i].rc, c[i].want);
		if (c[i].want != NULL && (!cs_mutf7_valid(s.buf + 5,
		    s.len - 5) || strpbrk(s.buf + 5, "\r\n/") != NULL))
			fail_msg("%s: output not a safe name", c[i].name);
		qstr_free(&s);
	}
}

static void
test_subscription(void **state)
{
	struct qstr s;
	const char *why;

	(void)state;
	start(&s);
	check("INBOX", esc_dc_subscription(&s, "INBOX", 5, &why), &s, 0,
	    "INBOX\n");
	qstr_free(&s);
	start(&s);
	check("folder", esc_dc_subscription(&s, "B\xc3\xbcro", 5, &why), &s,
	    1, "B&APw-ro\n");
	qstr_free(&s);
	start(&s);
	check("climbs", esc_dc_subscription(&s, "../x", 4, &why), &s,
	    QPM_ESYNTAX, NULL);
	qstr_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyword),
		cmocka_unit_test(test_uidlist),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_folder),
		cmocka_unit_test(test_subscription),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
