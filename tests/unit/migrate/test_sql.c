/*
 * NAME		test_sql - the --userdb sql writer's pieces
 * DOES		sql_literal on hostile bytes (quote, backslash, NUL, CR,
 *		newline, ^Z, non-ASCII) and its size ceiling; the rows
 *		read from a Postfix table source; --sql-dsn parsing; the
 *		rehearsal's rewrites of the mysql: maps and of Dovecot's
 *		connect string onto its private socket
 * NEVER	depends on the host or a database
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/rehearse/rehearse.h"
#include "migrate/write/writers.h"
#include "util/err.h"

static const struct {
	const char	*name;
	const char	*in;
	size_t		 n;
	const char	*want;
} lit[] = {
	{ "plain", "alice@example.com", 17, "'alice@example.com'" },
	{ "empty", "", 0, "''" },
	{ "quote doubled", "it's", 4, "'it''s'" },
	{ "quote ends the literal", "x'); DROP TABLE mailboxes; --", 29,
	    "'x''); DROP TABLE mailboxes; --'" },
	{ "backslash: hex, whatever sql_mode", "a\\'b", 4, "X'615C2762'" },
	{ "backslash at the end", "a\\", 2, "X'615C'" },
	{ "NUL inside", "a\0b", 3, "X'610062'" },
	{ "newline", "a\nb", 3, "X'610A62'" },
	{ "CR", "a\rb", 3, "X'610D62'" },
	{ "ctrl-Z", "\x1a", 1, "X'1A'" },
	{ "DEL", "\x7f", 1, "X'7F'" },
	{ "non-ASCII", "j\xc3\xb6rg", 5, "X'6AC3B67267'" },
	{ "crypt hash kept", "{CRYPT}$1$ab$Zx./9", 18,
	    "'{CRYPT}$1$ab$Zx./9'" },
	{ "double quote and backquote", "\"`", 2, "'\"`'" },
};

static void
test_literal(void **state)
{
	struct qstr s = QSTR_INIT(4096);
	size_t i;
	int e;

	(void)state;
	for (i = 0; i < sizeof(lit) / sizeof(lit[0]); i++) {
		qstr_reset(&s);
		qstr_cat(&s, "<");
		e = sql_literal(&s, lit[i].in, lit[i].n);
		if (e != 0 || strcmp(s.buf + 1, lit[i].want) != 0)
			fail_msg("%s: got %d \"%s\", want \"%s\"", lit[i].name,
			    e, s.buf + 1, lit[i].want);
	}
	qstr_free(&s);
}

/* the ceiling: the string is unchanged, never a cut literal */
static void
test_literal_ceiling(void **state)
{
	struct qstr s = QSTR_INIT(8);

	(void)state;
	assert_int_equal(qstr_cat(&s, "ab"), 0);
	assert_int_equal(sql_literal(&s, "0123456789", 10), QPM_ERANGE);
	assert_string_equal(s.buf, "ab");
	assert_int_equal(sql_literal(&s, "\\\\\\", 3), QPM_ERANGE);
	assert_string_equal(s.buf, "ab");
	qstr_free(&s);
}

static void
test_map_rows(void **state)
{
	struct sql_out q;
	struct qstr body = QSTR_INIT(4096);

	(void)state;
	memset(&q, 0, sizeof(q));
	qstr_init(&q.maps, 1 << 20);
	qstr_cat(&body, "# from x:1\nSales@Example.COM\tbob@example.com, "
	    "carol@example.net  \n\n#c\n@example.org  a\\b@example.net\n");
	assert_int_equal(sql_map_rows(&q, "virtual_alias", &body), 0);
	assert_string_equal(q.maps.buf, "-- virtual_alias\n"
	    "INSERT INTO aliases VALUES ('sales@example.com', "
	    "'bob@example.com, carol@example.net');\n"
	    "INSERT INTO aliases VALUES ('@example.org', "
	    "X'615C62406578616D706C652E6E6574');\n");
	qstr_reset(&q.maps);
	qstr_reset(&body);
	qstr_cat(&body, "example.com\tOK\n");
	assert_int_equal(sql_map_rows(&q, "virtual_alias_domains", &body), 0);
	assert_string_equal(q.maps.buf, "-- virtual_alias_domains\n"
	    "INSERT INTO domains VALUES ('example.com', 'OK', 'alias');\n");
	/* a continuation line is refused, never dropped */
	qstr_reset(&body);
	qstr_cat(&body, "a@b\tc@d\n  e@f\n");
	assert_int_equal(sql_map_rows(&q, "virtual_alias", &body),
	    QPM_ESYNTAX);
	/* transport stays a hash: table */
	assert_int_equal(sql_has_map("transport"), 0);
	assert_int_equal(sql_has_map("virtual_mailbox"), 1);
	qstr_free(&body);
	qstr_free(&q.maps);
}

static void
test_dsn(void **state)
{
	struct sql_dsn d;
	const char *why;
	char a[] = "host=db.example.net,port=3307,dbname=mx,user=pf";
	char b[] = "";
	char c[] = "host=db example";
	char e[] = "socket=relative/sock";
	char f[] = "user=a'b";
	char g[] = "password=x";

	(void)state;
	assert_int_equal(sql_dsn_parse(&d, a, &why), 0);
	assert_string_equal(d.host, "db.example.net");
	assert_null(d.socket);
	assert_int_equal(d.port, 3307);
	assert_string_equal(d.dbname, "mx");
	assert_string_equal(d.user, "pf");
	assert_int_equal(sql_dsn_parse(&d, b, &why), 0);
	assert_null(d.host);
	assert_string_equal(d.socket, Q2P_SQL_SOCKET);
	assert_string_equal(d.dbname, "mail");
	assert_int_equal(sql_dsn_parse(&d, c, &why), QPM_ESYNTAX);
	assert_int_equal(sql_dsn_parse(&d, e, &why), QPM_ESYNTAX);
	assert_int_equal(sql_dsn_parse(&d, f, &why), QPM_ESYNTAX);
	/* the password is made by the run, never given */
	assert_int_equal(sql_dsn_parse(&d, g, &why), QPM_ESYNTAX);
}

static void
test_rehearse_rewrites(void **state)
{
	struct qstr out = QSTR_INIT(1 << 20);
	char db[64] = "";

	(void)state;
	assert_int_equal(rh_mysql_cf_rewrite("# x\nhosts = inet:db.example:3306\n"
	    "dbname = mail\nquery = SELECT 1\n", "/tmp/r/db.sock", &out), 0);
	assert_string_equal(out.buf, "# x\n# rehearsal: hosts = "
	    "inet:db.example:3306\nhosts = unix:/tmp/r/db.sock\n"
	    "dbname = mail\nquery = SELECT 1\n");
	qstr_reset(&out);
	assert_int_equal(rh_mysql_cf_rewrite("dbname = mail\n", "/s", &out),
	    QPM_ENOENT);
	qstr_reset(&out);
	assert_int_equal(rh_dovecot_sql_rewrite("driver = mysql\nconnect = "
	    "host=db.example port=3307 dbname=mx user=u password=p\n"
	    "password_query = SELECT 1\n", "/tmp/r/db.sock", &out, db,
	    sizeof(db)), 0);
	assert_string_equal(out.buf, "driver = mysql\n# rehearsal: the "
	    "private MariaDB\nconnect = host=/tmp/r/db.sock dbname=mx user=u "
	    "password=p\npassword_query = SELECT 1\n");
	assert_string_equal(db, "mx");
	qstr_reset(&out);
	db[0] = '\0';
	assert_int_equal(rh_dovecot_sql_rewrite("connect = host=h user=u\n",
	    "/s", &out, db, sizeof(db)), QPM_ENOENT);
	qstr_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_literal_ceiling),
		cmocka_unit_test(test_map_rows),
		cmocka_unit_test(test_dsn),
		cmocka_unit_test(test_rehearse_rewrites),
	};

	return cmocka_run_group_tests_name("sql", tests, NULL, NULL);
}
