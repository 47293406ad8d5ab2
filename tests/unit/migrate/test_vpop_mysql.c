/*
 * NAME		test_vpop_mysql - the pure parts of the MySQL backend reader
 * DOES		vpopmail.mysql lines (comments, the update server, sockets,
 *		the errors), vauth_munch_domain, valias alias names, valias
 *		lines as vdelivermail classifies them, and a row's fields
 *		making the mailbox its vpasswd line makes
 * NEVER	connects to a database: bytes in, results out
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/model/model.h"
#include "migrate/oldhost/readers.h"
#include "util/err.h"

static void
test_conf(void **state)
{
	static const struct {
		const char	*name, *in;
		int		 rc;
		const char	*host, *sock;
		unsigned	 port;
		const char	*user, *pw, *db;
		int		 update;
		unsigned long	 line;	/* of the read line, or the error */
	} t[] = {
		{ "toaster", "localhost|0|vpopmail|SsEeCcRrEeTt|vpopmail\n", 0,
		    "localhost", "", 0, "vpopmail", "SsEeCcRrEeTt", "vpopmail",
		    0, 1 },
		{ "comments and blanks skipped", "# vpopmail\n\n#x|1|2|3|4\n"
		    "db.example|3306|u|p|d", 0, "db.example", "", 3306, "u",
		    "p", "d", 0, 4 },
		{ "second line: update server", "r.example|0|u|p|d\r\n"
		    "w.example|0|u2|p2|d\n", 0, "r.example", "", 0, "u", "p",
		    "d", 1, 1 },
		{ "a socket", "localhost|/var/lib/mysql/mysql.sock|u|p|d\n",
		    0, "localhost", "/var/lib/mysql/mysql.sock", 0, "u", "p",
		    "d", 0, 1 },
		{ "empty field", "localhost|0|u||d\n", QPM_ESYNTAX, NULL,
		    NULL, 0, NULL, NULL, NULL, 0, 1 },
		{ "four fields", "localhost|0|u|p\n", QPM_ESYNTAX, NULL, NULL,
		    0, NULL, NULL, NULL, 0, 1 },
		{ "six fields", "h|0|u|p|d|x\n", QPM_ESYNTAX, NULL, NULL, 0,
		    NULL, NULL, NULL, 0, 1 },
		{ "port too big", "# c\nh|65536|u|p|d\n", QPM_ESYNTAX, NULL,
		    NULL, 0, NULL, NULL, NULL, 0, 2 },
		{ "port not a number", "h|33o6|u|p|d\n", QPM_ESYNTAX, NULL,
		    NULL, 0, NULL, NULL, NULL, 0, 1 },
		{ "bad update line", "h|0|u|p|d\nh2|0|u\n", QPM_ESYNTAX, NULL,
		    NULL, 0, NULL, NULL, NULL, 0, 2 },
		{ "nothing", "# only a comment\n\n", QPM_ESYNTAX, NULL, NULL,
		    0, NULL, NULL, NULL, 0, 2 },
	};
	struct vmysql_conf c;
	unsigned long line;
	const char *why;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = vmysql_conf_parse(t[i].in, strlen(t[i].in), &c, &line,
		    &why);
		if (rc != t[i].rc)
			fail_msg("%s: got %d, want %d", t[i].name, rc, t[i].rc);
		if (rc < 0) {
			if (why == NULL || line != t[i].line)
				fail_msg("%s: got line %lu (%s), want %lu",
				    t[i].name, line, why ? why : "no reason",
				    t[i].line);
			/* nothing of a refused file is kept */
			if (c.read.password[0] != '\0' || c.read.host[0] != '\0')
				fail_msg("%s: settings left behind", t[i].name);
			continue;
		}
		if (strcmp(c.read.host, t[i].host) != 0 ||
		    strcmp(c.read.socket, t[i].sock) != 0 ||
		    c.read.port != t[i].port ||
		    strcmp(c.read.user, t[i].user) != 0 ||
		    strcmp(c.read.password, t[i].pw) != 0 ||
		    strcmp(c.read.database, t[i].db) != 0 ||
		    c.has_update != t[i].update || c.read.line != t[i].line)
			fail_msg("%s: got %s %s %u %s %s %d line %lu", t[i].name,
			    c.read.host, c.read.socket, c.read.port,
			    c.read.user, c.read.database, c.has_update,
			    c.read.line);
		vmysql_conf_wipe(&c);
		if (c.read.password[0] != '\0')
			fail_msg("%s: password not wiped", t[i].name);
	}
}

static void
test_munch(void **state)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "example.com", "example_com" },
		{ "a-b.test", "a_b_test" },
		{ "a.b.test", "a_b_test" },	/* the collision */
		{ "shop.example", "shop_example" },
		{ "Mixed.Case", "Mixed_Case" },	/* no case folding */
	};
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(vmysql_munch(t[i].in, out, sizeof(out)), 0);
		if (strcmp(out, t[i].want) != 0)
			fail_msg("%s: got %s, want %s", t[i].in, out, t[i].want);
	}
	assert_int_equal(vmysql_munch("", out, sizeof(out)), QPM_ERANGE);
	assert_int_equal(vmysql_munch("abcd.e", out, 6), QPM_ERANGE);
}

static void
test_valias_name(void **state)
{
	static const struct {
		const char	*in;
		enum valias_kind want;
		size_t		 plen;
	} t[] = {
		{ "sales", VALIAS_EXACT, 5 },
		{ "support-default", VALIAS_PREFIX, 8 },	/* "support-" */
		{ "a-b-default", VALIAS_PREFIX, 4 },
		{ "default", VALIAS_EXACT, 7 },	/* no prefix: an address */
		{ "-default", VALIAS_EXACT, 8 },
		{ "sales-owner", VALIAS_EXACT, 11 },
		{ "", VALIAS_BAD, 0 },
	};
	size_t i, plen;
	enum valias_kind k;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = valias_name(t[i].in, strlen(t[i].in), &plen);
		if (k != t[i].want || (k != VALIAS_BAD && plen != t[i].plen))
			fail_msg("%s: got %d/%zu, want %d/%zu", t[i].in, k, plen,
			    t[i].want, t[i].plen);
	}
}

/* valias lines as valias -i stores them, classified as vdelivermail
 * delivers them (the .qmail classifier is the one used) */
static void
test_valias_lines(void **state)
{
	static const struct {
		const char	*in;
		enum dq_type	 want;
		const char	*arg;
	} t[] = {
		{ "&bob@example.net", DQ_FORWARD, "bob@example.net" },
		{ "bob@example.net", DQ_FORWARD, "bob@example.net" },
		{ "|/usr/bin/autorespond 3600 5 msg .", DQ_PIPE,
		    "/usr/bin/autorespond 3600 5 msg ." },
		{ "/home/vpopmail/domains/example.com/alice/Maildir/",
		    DQ_MAILDIR, "/home/vpopmail/domains/example.com/alice/"
		    "Maildir/" },
		{ "./Maildir/", DQ_MAILDIR, "./Maildir/" },
		{ "/var/spool/mail/alice", DQ_MBOX, "/var/spool/mail/alice" },
		{ "# forwarded by qmailadmin", DQ_COMMENT, NULL },
	};
	const char *arg, *why;
	size_t i, n;
	enum dq_type k;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = dotqmail_classify(t[i].in, strlen(t[i].in), &arg, &n, &why);
		if (k != t[i].want || (t[i].arg != NULL &&
		    (n != strlen(t[i].arg) || memcmp(arg, t[i].arg, n) != 0)))
			fail_msg("%s: got %d %.*s, want %d %s", t[i].in, k,
			    (int)n, arg, t[i].want, t[i].arg ? t[i].arg : "");
	}
}

/* a row's columns make the mailbox its vpasswd line makes */
static void
test_row_fields(void **state)
{
	static const char line[] = "judy:$1$Wnyouj0c$gavYqIKik4adZPUVsa1vP0:"
	    "1:10:Judy:/home/vpopmail/domains/example.com/judy:52428800S:pw";
	const char *f[8] = { "judy", "$1$Wnyouj0c$gavYqIKik4adZPUVsa1vP0", "1",
	    "10", "Judy", "/home/vpopmail/domains/example.com/judy",
	    "52428800S", "pw" };
	size_t fl[8], i;
	struct model *a = model_new(), *b = model_new();
	struct src src = { "x", 1 };
	struct m_domain *da, *db;
	const struct m_mailbox *ma, *mb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	a->quiet = b->quiet = 1;
	for (i = 0; i < 8; i++)
		fl[i] = strlen(f[i]);
	da = model_domain_add(a, "example.com", DOM_MAILBOX, src);
	db = model_domain_add(b, "example.com", DOM_MAILBOX, src);
	da->uid = da->gid = db->uid = db->gid = 89;
	assert_int_equal(vpasswd_line(a, da, src, line, strlen(line)), 0);
	assert_int_equal(vpasswd_fields(b, db, src, f, fl, 8), 0);
	ma = M_MAILBOX(a, 0);
	mb = M_MAILBOX(b, 0);
	assert_string_equal(ma->local, mb->local);
	assert_string_equal(ma->hash, mb->hash);
	assert_string_equal(ma->home, mb->home);
	assert_string_equal(ma->clear, mb->clear);
	assert_int_equal(ma->flags, mb->flags);
	assert_int_equal(mb->flags, VP_NO_IMAP | VP_NO_POP);	/* 10 */
	assert_int_equal(ma->quota_bytes, mb->quota_bytes);
	assert_int_equal(mb->quota_bytes, 52428800);
	/* a newline in a column is refused, as in a vpasswd.cdb record */
	f[4] = "two\nlines";
	fl[4] = strlen(f[4]);
	f[0] = "kim";
	fl[0] = 3;
	assert_int_equal(vpasswd_fields(b, db, src, f, fl, 8), -1);
	assert_null(model_mailbox(b, "kim", "example.com"));
	model_free(a);
	model_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_munch),
		cmocka_unit_test(test_valias_name),
		cmocka_unit_test(test_valias_lines),
		cmocka_unit_test(test_row_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
