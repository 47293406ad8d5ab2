/*
 * NAME		test_rehearse - the pure parts of rehearse and install
 * DOES		base64 and SASL PLAIN (RFC 4648, RFC 4616 vectors), header
 *		scanning, the model's expectation for each qmail routing rule
 *		(on a hand-written model), the configuration rewrites, and
 *		install's backup names and --now parsing; a login to a
 *		loopback listener that accepts nothing
 * NEVER	starts a server or touches a file
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "migrate/install/install.h"
#include "migrate/rehearse/rehearse.h"
#include "util/err.h"
#include "util/qstr.h"

static void
test_base64(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} t[] = {	/* RFC 4648 section 10; RFC 4616 section 4 */
		{ "", 0, "" },
		{ "f", 1, "Zg==" },
		{ "fo", 2, "Zm8=" },
		{ "foo", 3, "Zm9v" },
		{ "foob", 4, "Zm9vYg==" },
		{ "fooba", 5, "Zm9vYmE=" },
		{ "foobar", 6, "Zm9vYmFy" },
		{ "\0tim\0tanstaaftanstaaf", 21, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct qstr q = QSTR_INIT(1024);

		assert_int_equal(rh_base64(t[i].in, t[i].len, &q), 0);
		if (strcmp(qstr_str(&q), t[i].want) != 0)
			fail_msg("%zu: got %s, want %s", i, qstr_str(&q), t[i].want);
		qstr_free(&q);
	}
}

static void
test_header_value(void **state)
{
	static const char msg[] =
	    "Received: from a\n\tby b\nmessage-id:\n <x.1@rehearse.invalid>\n"
	    "Subject: s\n\nMessage-ID: <body@no>\n";
	static const char body_only[] = "Subject: s\n\nMessage-ID: <no@no>\n";
	struct qstr q = QSTR_INIT(1024);

	(void)state;
	assert_int_equal(rh_header_value(msg, sizeof(msg) - 1, "Message-ID", &q), 1);
	assert_string_equal(qstr_str(&q), "x.1@rehearse.invalid");
	/* a Message-ID in the body (a DSN's attachment) is not the message's */
	assert_int_equal(rh_header_value(body_only, sizeof(body_only) - 1,
	    "Message-ID", &q), 0);
	qstr_free(&q);
}

/* A small model, written by hand after migration.json(5). */
static const char model_text[] = "{"
"\"domains\": ["
" {\"name\":\"ex.com\",\"kind\":\"mailbox\",\"dir\":\"/v/ex.com\","
"  \"unknown_users\":\"bounce\"},"
" {\"name\":\"ex.net\",\"kind\":\"mailbox\",\"dir\":\"/v/ex.net\","
"  \"unknown_users\":\"mailbox\",\"catchall_target\":\"info@ex.net\"},"
" {\"name\":\"old.ex\",\"kind\":\"mailbox\",\"dir\":\"/v/old.ex\","
"  \"unknown_users\":\"delete\"},"
" {\"name\":\"ex.org\",\"kind\":\"alias\",\"alias_of\":\"ex.com\"},"
" {\"name\":\"relay.ex\",\"kind\":\"relay\"}],"
"\"mailboxes\": ["
" {\"address\":\"alice@ex.com\",\"home\":\"/v/ex.com/alice\",\"pop3\":true,"
"  \"imap\":false,\"smtp_auth\":true,\"receives_mail\":true},"
" {\"address\":\"bob@ex.com\",\"home\":\"/v/ex.com/bob\",\"receives_mail\":true},"
" {\"address\":\"frank@ex.com\",\"home\":\"/v/ex.com/frank\",\"receives_mail\":false},"
" {\"address\":\"heidi@ex.com\",\"home\":\"/v/ex.com/heidi\",\"receives_mail\":true},"
" {\"address\":\"info@ex.net\",\"home\":\"/v/ex.net/info\",\"receives_mail\":true}],"
"\"forwards\": ["
" {\"address\":\"alice@ex.com\",\"match\":\"exact\",\"origin\":\"user .qmail\","
"  \"targets\":[\"alice@far.example\",\"alice@ex.com\"]}],"
"\"aliases\": ["
" {\"address\":\"sales@ex.com\",\"match\":\"exact\",\"origin\":\"domain .qmail\","
"  \"targets\":[\"alice@ex.com\",\"bob@ex.com\"]},"
" {\"address\":\"loop1@ex.com\",\"match\":\"exact\",\"targets\":[\"loop2@ex.com\"]},"
" {\"address\":\"loop2@ex.com\",\"match\":\"exact\",\"targets\":[\"loop1@ex.com\"]}],"
"\"pipes\": ["
" {\"address\":\"sup-*@ex.com\",\"match\":\"prefix\",\"command\":\"/bin/short\"},"
" {\"address\":\"sup-x-*@ex.com\",\"match\":\"prefix\",\"command\":\"/bin/long\"}],"
"\"discards\": [{\"address\":\"noreply@ex.com\",\"match\":\"exact\"}],"
"\"bounces\": [],"
"\"listed\": ["
" {\"source\":\"/v/ex.com/.qmail-list:1\",\"category\":\".qmail lines\","
"  \"what\":\"ezmlm list\",\"reason\":\"not converted\"},"
" {\"source\":\"/v/ex.com/heidi/.qmail-lists:2\",\"category\":\".qmail lines\","
"  \"what\":\"maildir line\",\"reason\":\"folder\"}]"
"}";

static void
test_model_expect(void **state)
{
	static const struct {
		const char *addr, *outcome, *mailboxes, *forwards, *pipes;
		int not_converted;
		const char *name;
	} t[] = {
		{ "alice@ex.com", "delivered", "alice@ex.com", "alice@far.example",
		    "-", 0, "forward and keep (user .qmail)" },
		{ "ALICE@EX.COM", "delivered", "alice@ex.com", "alice@far.example",
		    "-", 0, "case does not matter" },
		{ "alice-news@ex.com", "delivered", "alice@ex.com",
		    "alice@far.example", "-", 0, "extension: the user's .qmail" },
		{ "bob-x@ex.com", "delivered", "bob@ex.com", "-", "-", 0,
		    "extension: plain user" },
		{ "sales@ex.com", "delivered", "alice@ex.com,bob@ex.com",
		    "alice@far.example", "-", 0, "alias follows alice's forward" },
		{ "sales-x@ex.com", "bounced", "-", "-", "-", 0,
		    "a domain .qmail is no user: extension bounces" },
		{ "sales@ex.org", "delivered", "alice@ex.com,bob@ex.com",
		    "alice@far.example", "-", 0, "alias domain" },
		{ "frank@ex.com", "bounced", "-", "-", "-", 0, "BOUNCE_MAIL" },
		{ "nobody@ex.com", "bounced", "-", "-", "-", 0, "bounce-no-mailbox" },
		{ "nobody@ex.net", "delivered", "info@ex.net", "-", "-", 0,
		    "catch-all to a mailbox" },
		{ "nobody@old.ex", "discarded", "-", "-", "-", 0, "delete" },
		{ "noreply@ex.com", "discarded", "-", "-", "-", 0, "comment-only" },
		{ "sup-a@ex.com", "delivered", "-", "-", "/bin/short", 0, "prefix" },
		{ "sup-x-a@ex.com", "delivered", "-", "-", "/bin/long", 0,
		    "longest prefix wins" },
		{ "any@relay.ex", "delivered", "-", "any@relay.ex", "-", 0,
		    "relay domain: passed on" },
		{ "x@nowhere.example", "bounced", "-", "-", "-", 0,
		    "not a domain of the old host" },
		{ "loop1@ex.com", "bounced", "-", "-", "-", 0, "alias loop" },
		{ "list@ex.com", "bounced", "-", "-", "-", 1,
		    "listed .qmail-list: not converted" },
		{ "heidi-lists@ex.com", "bounced", "-", "-", "-", 1,
		    "listed per-user .qmail-lists: not converted" },
		{ "heidi@ex.com", "delivered", "heidi@ex.com", "-", "-", 0,
		    "heidi's own mailbox is not affected" },
	};
	json_error_t je;
	json_t *root = json_loads(model_text, 0, &je);
	struct qstr err = QSTR_INIT(1024), s = QSTR_INIT(4096);
	struct rh_model *m;
	size_t i;

	(void)state;
	assert_non_null(root);
	m = rh_model_new(root, &err);
	assert_non_null(m);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rh_result r;

		rh_result_init(&r);
		assert_int_equal(rh_model_expect(m, t[i].addr, &r), 0);
		qstr_reset(&s);
		qstr_catf(&s, "%s ", rh_outcome_name(r.outcome));
		strlist_join(&r.mailboxes, ",", &s);
		qstr_cat(&s, " ");
		strlist_join(&r.forwards, ",", &s);
		qstr_cat(&s, " ");
		strlist_join(&r.pipes, ",", &s);
		{
			char want[1024];

			snprintf(want, sizeof(want), "%s %s %s %s", t[i].outcome,
			    t[i].mailboxes, t[i].forwards, t[i].pipes);
			if (strcmp(want, qstr_str(&s)) != 0 ||
			    (r.not_converted.n > 0) != t[i].not_converted)
				fail_msg("%s (%s): got %s (not converted %zu), want %s",
				    t[i].name, t[i].addr, qstr_str(&s),
				    r.not_converted.n, want);
		}
		rh_result_free(&r);
	}
	assert_int_equal(rh_model_login(m, "alice@ex.com", "imap"), 0);
	assert_int_equal(rh_model_login(m, "Alice@ex.com", "pop3"), 1);
	assert_int_equal(rh_model_login(m, "nobody@ex.com", "pop3"), -1);
	{
		struct strlist p = { 0 };

		assert_int_equal(rh_model_probes(m, &p), 0);
		/* mailboxes, exact entries, prefix samples, postmaster and an
		 * unknown user per domain, alias-domain copies, extensions */
		assert_true(strlist_has(&p, "sales@ex.com"));
		assert_true(strlist_has(&p, "sup-x-q2p.probe@ex.com"));
		assert_true(strlist_has(&p, "q2p.nosuchuser@old.ex"));
		assert_true(strlist_has(&p, "sales@ex.org"));
		assert_true(strlist_has(&p, "alice-q2p.probe@ex.com"));
		assert_true(strlist_has(&p, "q2p.probe@relay.ex"));
		strlist_free(&p);
	}
	rh_model_free(m);
	json_decref(root);
	qstr_free(&err);
	qstr_free(&s);
}

/* vpopmail built without QMAIL_EXT: user-ext is an unknown user, left to
 * the domain's .qmail-default (vdelivermail's own argument) */
static void
test_model_no_qmail_ext(void **state)
{
	static const struct {
		const char *addr, *want;
	} t[] = {
		{ "alice-news@ex.com", "bounced" },	/* bounce-no-mailbox */
		{ "bob-x@ex.com", "bounced" },
		{ "bob@ex.com", "delivered bob@ex.com" },
		{ "info-x@ex.net", "delivered info@ex.net" },	/* catch-all */
		{ "sup-a@ex.com", "delivered /bin/short" },	/* domain file */
	};
	struct qstr text = QSTR_INIT(8192), err = QSTR_INIT(1024),
	    s = QSTR_INIT(4096);
	struct rh_model *m;
	json_error_t je;
	json_t *root;
	size_t i;

	(void)state;
	qstr_cat(&text, "{\"vpopmail_build\":{\"qmail_ext\":false},");
	qstr_cat(&text, model_text + 1);
	assert_non_null(root = json_loads(qstr_str(&text), 0, &je));
	assert_non_null(m = rh_model_new(root, &err));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rh_result r;

		rh_result_init(&r);
		assert_int_equal(rh_model_expect(m, t[i].addr, &r), 0);
		qstr_reset(&s);
		qstr_cat(&s, rh_outcome_name(r.outcome));
		if (r.mailboxes.n > 0) {
			qstr_cat(&s, " ");
			strlist_join(&r.mailboxes, ",", &s);
		}
		if (r.pipes.n > 0) {
			qstr_cat(&s, " ");
			strlist_join(&r.pipes, ",", &s);
		}
		if (strcmp(qstr_str(&s), t[i].want) != 0)
			fail_msg("%s: got %s, want %s", t[i].addr, qstr_str(&s),
			    t[i].want);
		rh_result_free(&r);
	}
	rh_model_free(m);
	json_decref(root);
	qstr_free(&text);
	qstr_free(&err);
	qstr_free(&s);
}

/* .qmail files with programs, as migration.json(5) lists them: each
 * line at its FILE:LINE (a forward group's "lines" less its programs) */
static const char order_text[] = "{"
"\"domains\": [{\"name\":\"ex.com\",\"kind\":\"mailbox\",\"dir\":\"/v/ex.com\","
"  \"unknown_users\":\"bounce\"}],"
"\"mailboxes\": ["
" {\"address\":\"nick@ex.com\",\"home\":\"/v/ex.com/nick\",\"receives_mail\":true},"
" {\"address\":\"oscar@ex.com\",\"home\":\"/v/ex.com/oscar\",\"receives_mail\":true},"
" {\"address\":\"mia@ex.com\",\"home\":\"/v/ex.com/mia\",\"receives_mail\":true},"
" {\"address\":\"grace@ex.com\",\"home\":\"/v/ex.com/grace\",\"receives_mail\":true}],"
"\"forwards\": ["
" {\"address\":\"nick@ex.com\",\"match\":\"exact\",\"origin\":\"user .qmail\","
"  \"targets\":[\"nick@ex.com\",\"far@remote.example\"],"
"  \"source\":\"/v/ex.com/nick/.qmail:1\",\"lines\":[1,2,3]},"
" {\"address\":\"stop@ex.com\",\"match\":\"exact\",\"origin\":\"domain .qmail\","
"  \"targets\":[\"after@remote.example\"],"
"  \"source\":\"/v/ex.com/.qmail-stop:1\",\"lines\":[1,2]},"
" {\"address\":\"late@ex.com\",\"match\":\"exact\",\"origin\":\"domain .qmail\","
"  \"targets\":[\"late@remote.example\"],"
"  \"source\":\"/v/ex.com/.qmail-late:1\",\"lines\":[1,2]}],"
"\"aliases\": ["
" {\"address\":\"grace-lists@ex.com\",\"match\":\"exact\",\"origin\":\"user .qmail\","
"  \"targets\":[\"/v/ex.com/grace/Maildir/.Lists/\"],"
"  \"source\":\"/v/ex.com/grace/.qmail-lists:2\",\"lines\":[2]}],"
"\"pipes\": ["
" {\"address\":\"nick@ex.com\",\"match\":\"exact\",\"command\":\"nick 99\","
"  \"source\":\"/v/ex.com/nick/.qmail:1\"},"
" {\"address\":\"oscar@ex.com\",\"match\":\"exact\",\"command\":\"oscar 100\","
"  \"source\":\"/v/ex.com/oscar/.qmail:1\"},"
" {\"address\":\"stop@ex.com\",\"match\":\"exact\",\"command\":\"stop 99\","
"  \"source\":\"/v/ex.com/.qmail-stop:1\"},"
" {\"address\":\"late@ex.com\",\"match\":\"exact\",\"command\":\"late 100\","
"  \"source\":\"/v/ex.com/.qmail-late:2\"},"
" {\"address\":\"tf@ex.com\",\"match\":\"exact\",\"command\":\"tf 111\","
"  \"source\":\"/v/ex.com/.qmail-tf:1\"}],"
"\"discards\": [{\"address\":\"mia@ex.com\",\"match\":\"exact\","
"  \"source\":\"/v/ex.com/mia/.qmail:1\"}]"
"}";

/* what the programs exited with (the report's pipe_runs) */
static const char order_runs[] = "["
"{\"file\":\"/v/ex.com/nick/.qmail\",\"line\":1,\"exit\":99},"
"{\"file\":\"/v/ex.com/oscar/.qmail\",\"line\":1,\"exit\":100},"
"{\"file\":\"/v/ex.com/.qmail-stop\",\"line\":1,\"exit\":99},"
"{\"file\":\"/v/ex.com/.qmail-late\",\"line\":2,\"exit\":100},"
"{\"file\":\"/v/ex.com/.qmail-tf\",\"line\":1,\"exit\":111}]";

static void
expect_str(const struct rh_model *m, const char *addr, const json_t *runs,
    struct qstr *s)
{
	struct rh_result r;

	rh_result_init(&r);
	assert_int_equal(rh_model_expect_runs(m, addr, runs, &r), 0);
	qstr_reset(s);
	qstr_catf(s, "%s ", rh_outcome_name(r.outcome));
	strlist_join(&r.mailboxes, ",", s);
	qstr_cat(s, " ");
	strlist_join(&r.forwards, ",", s);
	qstr_cat(s, " ");
	strlist_join(&r.pipes, ",", s);
	rh_result_free(&r);
}

/* samples/realhost's cases: a program's exit code decides the rest of
 * its file (99 skip, 100 bounce, 111 defer); qmail-local forwards after
 * the last line only; user-ext takes the user's .qmail (QMAIL_EXT); a
 * comment-only .qmail delivers nowhere; a relative folder line */
static void
test_model_file_order(void **state)
{
	static const struct {
		int ext, runs;
		const char *addr, *want;
	} t[] = {
		{ 1, 1, "nick@ex.com", "delivered - - nick 99" },
		{ 1, 0, "nick@ex.com",
		    "delivered nick@ex.com far@remote.example nick 99" },
		{ 1, 1, "nick-x@ex.com", "delivered - - nick 99" },
		{ 0, 1, "nick-x@ex.com", "bounced - - -" },
		{ 1, 1, "oscar@ex.com", "bounced - - oscar 100" },
		{ 1, 1, "oscar-x@ex.com", "bounced - - oscar 100" },
		{ 1, 1, "mia@ex.com", "discarded - - -" },
		{ 1, 1, "mia-x@ex.com", "discarded - - -" },
		{ 0, 1, "mia-x@ex.com", "bounced - - -" },
		{ 1, 1, "stop@ex.com", "delivered - - stop 99" },
		{ 1, 0, "stop@ex.com", "delivered - after@remote.example stop 99" },
		{ 1, 1, "late@ex.com", "bounced - - late 100" },
		{ 1, 0, "late@ex.com", "delivered - late@remote.example late 100" },
		{ 1, 1, "tf@ex.com", "deferred - - tf 111" },
		{ 1, 1, "grace-lists@ex.com",
		    "delivered /v/ex.com/grace/Maildir/.Lists/ - -" },
		{ 0, 1, "grace-lists@ex.com", "bounced - - -" },
		{ 1, 1, "grace-other@ex.com", "delivered grace@ex.com - -" },
	};
	struct qstr text = QSTR_INIT(8192), err = QSTR_INIT(1024),
	    s = QSTR_INIT(4096);
	struct rh_model *m[2];
	json_error_t je;
	json_t *root[2], *runs;
	size_t i;

	(void)state;
	qstr_cat(&text, "{\"vpopmail_build\":{\"qmail_ext\":false},");
	qstr_cat(&text, order_text + 1);
	assert_non_null(root[0] = json_loads(qstr_str(&text), 0, &je));
	assert_non_null(root[1] = json_loads(order_text, 0, &je));
	assert_non_null(runs = json_loads(order_runs, 0, &je));
	assert_non_null(m[0] = rh_model_new(root[0], &err));
	assert_non_null(m[1] = rh_model_new(root[1], &err));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		expect_str(m[t[i].ext], t[i].addr, t[i].runs ? runs : NULL, &s);
		if (strcmp(qstr_str(&s), t[i].want) != 0)
			fail_msg("%s (%s, %s): got \"%s\", want \"%s\"",
			    t[i].addr, t[i].ext ? "QMAIL_EXT" : "no QMAIL_EXT",
			    t[i].runs ? "with exit codes" : "every exit 0",
			    qstr_str(&s), t[i].want);
	}
	for (i = 0; i < 2; i++) {
		rh_model_free(m[i]);
		json_decref(root[i]);
	}
	json_decref(runs);
	qstr_free(&text);
	qstr_free(&err);
	qstr_free(&s);
}

/* From 127.0.0.1, vchkpw's webmail, NO_WEBMAIL applies to POP3 and IMAP
 * and NO_POP/NO_IMAP do not; from a non-webmail address (_remote) the
 * other way round (samples/realhost/ext/logins.tsv); SMTP AUTH never is
 * webmail */
static void
test_model_login_webmail(void **state)
{
	static const struct {
		const char *addr, *proto;
		int want;
	} t[] = {
		{ "dave@ex.com", "pop3", 1 }, { "dave@ex.com", "imap", 1 },
		{ "dave@ex.com", "smtp", 1 }, { "kim@ex.com", "pop3", 0 },
		{ "KIM@ex.com", "imap", 0 }, { "kim@ex.com", "smtp", 0 },
		{ "dave@ex.com", "pop3_remote", 0 },
		{ "dave@ex.com", "imap_remote", 1 },
		{ "dave@ex.com", "smtp_remote", 1 },
		{ "kim@ex.com", "pop3_remote", 1 },
		{ "KIM@ex.com", "imap_remote", 1 },
		{ "kim@ex.com", "smtp_remote", 0 },
	};
	static const char text[] = "{\"domains\":[{\"name\":\"ex.com\","
	    "\"kind\":\"mailbox\"}],\"mailboxes\":["
	    "{\"address\":\"dave@ex.com\",\"pop3\":false,\"imap\":true,"
	    "\"smtp_auth\":true,\"webmail\":true},"
	    "{\"address\":\"kim@ex.com\",\"pop3\":true,\"imap\":true,"
	    "\"smtp_auth\":false,\"webmail\":false}]}";
	struct qstr err = QSTR_INIT(1024);
	struct rh_model *m;
	json_error_t je;
	json_t *root;
	size_t i;

	(void)state;
	assert_non_null(root = json_loads(text, 0, &je));
	assert_non_null(m = rh_model_new(root, &err));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (rh_model_login(m, t[i].addr, t[i].proto) != t[i].want)
			fail_msg("%s %s: got %d, want %d", t[i].addr, t[i].proto,
			    rh_model_login(m, t[i].addr, t[i].proto), t[i].want);
	rh_model_free(m);
	json_decref(root);
	qstr_free(&err);
}

/* --userdb sql: Dovecot's connection moved onto the private socket, the
 * database kept; 2.3's connect string and 2.4's mysql block */
static void
test_dovecot_sql_rewrite(void **state)
{
	static const char v23[] =
	    "driver = mysql\n"
	    "connect = host=db.example port=3307 dbname=mailq user=r password=p\n"
	    "password_query = SELECT 1\n";
	static const char v24[] =
	    "# c\nsql_driver = mysql\n"
	    "mysql 192.0.2.7 {\n  port = 3307\n  dbname = mail24\n"
	    "  user = r\n  password = p\n}\n";
	static const char none[] = "sql_driver = mysql\n";
	char db[64];
	struct qstr out = QSTR_INIT(1 << 20);
	const char *o;

	(void)state;
	db[0] = '\0';
	assert_int_equal(rh_dovecot_sql_rewrite(v23, "/t/db.sock", &out, db,
	    sizeof(db)), 0);
	assert_string_equal(db, "mailq");
	assert_non_null(strstr(qstr_str(&out), "\nconnect = host=/t/db.sock "
	    "dbname=mailq user=r password=p\n"));
	assert_null(strstr(qstr_str(&out), "3307"));
	qstr_reset(&out);
	db[0] = '\0';
	assert_int_equal(rh_dovecot_sql_rewrite(v24, "/t/db.sock", &out, db,
	    sizeof(db)), 0);
	o = qstr_str(&out);
	assert_string_equal(db, "mail24");
	assert_non_null(strstr(o, "\nmysql /t/db.sock {\n"));
	assert_null(strstr(o, "\nmysql 192.0.2.7 {"));
	assert_null(strstr(o, "\n  port = 3307"));
	assert_non_null(strstr(o, "\n  dbname = mail24\n  user = r\n"
	    "  password = p\n}\n"));
	qstr_reset(&out);
	db[0] = '\0';
	assert_int_equal(rh_dovecot_sql_rewrite(none, "/t/db.sock", &out, db,
	    sizeof(db)), QPM_ENOENT);
	qstr_free(&out);
}

static int fake_port_n = 40000;
static int fake_port(void) { return fake_port_n++; }

static void
test_rewrites(void **state)
{
	static const char master[] =
	    "# comment\n"
	    "smtp inet n - y - 100 smtpd\n"
	    "submission inet n - n - - smtpd\n"
	    "  -o smtpd_tls_security_level=encrypt\n"
	    "smtps inet n - n - - smtpd\n"
	    "  -o smtpd_tls_wrappermode=yes\n"
	    "smtp unix - - n - 60 smtp\n"
	    "q2p-pipe1 unix - n n - - pipe\n"
	    "  flags=DR user=webapp directory=/home/webapp argv=/bin/sh -c\n"
	    "  { /x/handler --verp; } q2p ${sender}\n";
	static const char transport[] =
	    "# c\nbackupmx.example\tsmtp:[192.0.2.30]:25\n"
	    "nouser@q.invalid\terror:5.1.1 nope\nloc.example\tsmtp:[127.0.0.1]:25\n"
	    "pipe1@q.invalid\tq2p-pipe1:\n";
	static const char users[] =
	    "# c\na@ex.com:{CRYPT}x:89:89::/v/ex.com/a::userdb_quota_rule=*:storage=1K\n";
	struct rh_paths p;
	struct strlist notes = { 0 }, clients = { 0 }, homes = { 0 };
	struct strlist users_of = { 0 };
	struct qstr out = QSTR_INIT(1 << 20);

	(void)state;
	memset(&p, 0, sizeof(p));
	p.tmp = "/t";
	p.pf_queue = "/t/pf/queue";
	p.old_queue = "/var/spool/postfix";
	p.dc_dir = "/t/dc";
	p.mail_root = "/t/mail";
	p.recorder = "/t/bin/record-pipe";
	p.pipe_dir = "/t/pipes";
	p.user = "nobody";
	p.uid = 65534;
	p.gid = 65534;
	p.smtp_port = 30025;
	p.submission_port = 30587;
	p.sink_port = 30099;
	p.next_port = fake_port;
	assert_int_equal(rh_master_rewrite(master, &p, &out, &notes, &clients), 0);
	assert_non_null(strstr(qstr_str(&out), "127.0.0.1:30025 inet n - n - 100 smtpd"));
	assert_non_null(strstr(qstr_str(&out), "127.0.0.1:30587 inet"));
	assert_non_null(strstr(qstr_str(&out), "-o smtpd_tls_security_level=none"));
	/* smtpd processes reused on the logins' listener only */
	assert_non_null(strstr(qstr_str(&out), "-o smtpd_sasl_auth_enable=yes\n"
	    "  -o max_use=1000\n"));
	assert_null(strstr(strstr(qstr_str(&out), "max_use") + 1, "max_use"));
	assert_null(strstr(qstr_str(&out), "smtps inet"));
	assert_non_null(strstr(qstr_str(&out), "user=nobody argv=/t/bin/record-pipe "
	    "/t/pipes q2p-pipe1 webapp ${sender} ${original_recipient} ${recipient} "
	    "/bin/sh -c { /x/handler --verp; } q2p ${sender}"));
	assert_null(strstr(qstr_str(&out), "directory="));
	assert_true(strlist_has(&clients, "smtp"));
	assert_true(strlist_has(&notes,
	    "smtps: not started (TLS wrapper mode, no certificate)"));

	/* with a certificate: the wrapper-mode listener on its port, TLS on */
	p.smtps_port = 30465;
	p.tls_cert = "/t/tls/cert.pem";
	p.tls_key = "/t/tls/key.pem";
	qstr_reset(&out);
	assert_int_equal(rh_master_rewrite(master, &p, &out, &notes, &clients), 0);
	assert_non_null(strstr(qstr_str(&out), "127.0.0.1:30465 inet n - n - - "
	    "smtpd -o smtpd_tls_wrappermode=yes\n"
	    "  -o smtpd_tls_security_level=encrypt\n"
	    "  -o smtpd_tls_cert_file=/t/tls/cert.pem\n"
	    "  -o smtpd_tls_key_file=/t/tls/key.pem\n"
	    "  -o max_use=1000\n"));
	assert_true(strlist_has(&notes, "smtps: TLS wrapper mode on "
	    "127.0.0.1:30465, certificate /t/tls/cert.pem"));

	qstr_reset(&out);
	assert_int_equal(rh_transport_rewrite(transport, &clients, 30099, &out,
	    &notes), 0);
	assert_non_null(strstr(qstr_str(&out), "backupmx.example\tsmtp:[127.0.0.1]:30099"));
	assert_non_null(strstr(qstr_str(&out), "nouser@q.invalid\terror:5.1.1 nope"));
	assert_non_null(strstr(qstr_str(&out), "loc.example\tsmtp:[127.0.0.1]:25"));
	assert_non_null(strstr(qstr_str(&out), "pipe1@q.invalid\tq2p-pipe1:"));
	assert_null(strstr(qstr_str(&out), "\nbackupmx.example\tsmtp:[192.0.2.30]"));

	qstr_reset(&out);
	assert_int_equal(rh_users_rewrite(users, &p, &out, &homes, &users_of), 0);
	assert_string_equal(qstr_str(&out), "# c\na@ex.com:{CRYPT}x:65534:65534::"
	    "/t/mail/v/ex.com/a::userdb_quota_rule=*:storage=1K\n");
	assert_int_equal(homes.n, 1);
	assert_string_equal(homes.v[0], "/t/mail/v/ex.com/a");
	assert_int_equal(users_of.n, 1);
	assert_string_equal(users_of.v[0], "a@ex.com");

	strlist_free(&notes);
	strlist_free(&clients);
	strlist_free(&homes);
	strlist_free(&users_of);
	qstr_free(&out);
}

/* the command a recorded pipe ran comes from its argv alone */
static void
test_pipe_ran(void **state)
{
	static const char *const wrapped[] = { "q2p-pipe1", "vpopmail", "s@x",
	    "a@ex.com", "a@ex.com", "/bin/sh", "-c",
	    " cd '/v/ex.com' || exit 75; SENDER=$1; RECIPIENT=$2; "
	    "export SENDER RECIPIENT LOCAL HOST EXT; /bin/long --x a; b; "
	    "rc=$?; case $rc in 0|99) exit 0;; esac; exit 75 ", "q2p", "s@x",
	    "a@ex.com" };
	static const char *const plain[] = { "q2p-pipe2", "-", "s@x", "a@ex.com",
	    "a@ex.com", "/bin/short", "one two" };
	struct strlist a = { 0 }, b = { 0 };
	struct qstr out = QSTR_INIT(4096);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++)
		assert_int_equal(strlist_add(&a, wrapped[i]), 0);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_int_equal(strlist_add(&b, plain[i]), 0);
	assert_int_equal(rh_pipe_ran(&a, 5, &out), 0);
	assert_string_equal(qstr_str(&out), "/bin/long --x a; b");
	/* a command that differs from the model's only by a suffix differs */
	qstr_reset(&out);
	free(a.v[7]);
	a.v[7] = strdup(" cd /v || exit 75; export SENDER RECIPIENT; "
	    "/bin/long --x a; b --evil; rc=$?; case $rc in esac ");
	assert_non_null(a.v[7]);
	assert_int_equal(rh_pipe_ran(&a, 5, &out), 0);
	assert_string_equal(qstr_str(&out), "/bin/long --x a; b --evil");
	/* no wrapper: the argv as executed */
	qstr_reset(&out);
	assert_int_equal(rh_pipe_ran(&b, 5, &out), 0);
	assert_string_equal(qstr_str(&out), "/bin/short one two");
	strlist_free(&a);
	strlist_free(&b);
	qstr_free(&out);
}

/* an expectation: mailboxes "m1 m2 ...", forwards "f1 ..." (or NULL) */
static void
batch_want(struct rh_result *w, const char *mb, const char *fw)
{
	char buf[256], *t, *save;

	rh_result_init(w);
	w->outcome = RH_DELIVERED;
	snprintf(buf, sizeof(buf), "%s", mb != NULL ? mb : "");
	for (t = strtok_r(buf, " ", &save); t != NULL; t = strtok_r(NULL, " ",
	    &save))
		assert_int_equal(strlist_add(&w->mailboxes, t), 0);
	snprintf(buf, sizeof(buf), "%s", fw != NULL ? fw : "");
	for (t = strtok_r(buf, " ", &save); t != NULL; t = strtok_r(NULL, " ",
	    &save))
		assert_int_equal(strlist_add(&w->forwards, t), 0);
}

static void
test_batch_assign(void **state)
{
	static const size_t apart[][2] = { { 0, 2 }, { 0, 7 }, { 2, 7 },
	    { 1, 3 }, { 1, 6 }, { 3, 6 } };
	struct rh_result w[9];
	const struct rh_result *want[9];
	size_t of[9], i, k, n;
	long nb;

	(void)state;
	/* 0-1 share nothing; 2 the mailbox of 0 (in another case); 3 a forward target of 1
	 * (in another case); 4 alone by its own choice (NULL); 5 a bounce
	 * (nothing expected anywhere); 6 and 7 the target of 3 and the
	 * mailbox of 2; 8 a mailbox and a target nobody else has */
	batch_want(&w[0], "a@x", NULL);
	batch_want(&w[1], "b@x", "t@remote.example");
	batch_want(&w[2], "A@X", NULL);
	batch_want(&w[3], "c@x", "T@Remote.Example");
	batch_want(&w[4], "d@x", NULL);
	batch_want(&w[5], NULL, NULL);
	w[5].outcome = RH_BOUNCED;
	batch_want(&w[6], "e@x", "t@remote.example");
	batch_want(&w[7], "a@x", NULL);
	batch_want(&w[8], "f@x", "u@remote.example");
	for (i = 0; i < 9; i++)
		want[i] = &w[i];
	want[4] = NULL;
	nb = rh_batch_assign(want, 9, 50, of);
	assert_int_equal(nb, 3);
	assert_int_equal(of[4], 0);
	/* no two members of one message share a mailbox or a target */
	for (i = 0; i < sizeof(apart) / sizeof(apart[0]); i++)
		assert_true(of[apart[i][0]] != of[apart[i][1]]);
	/* the first message with room after the last that has a key */
	assert_int_equal(of[0], 1);
	assert_int_equal(of[1], 1);
	assert_int_equal(of[2], 2);
	assert_int_equal(of[3], 2);
	assert_int_equal(of[5], 1);
	assert_int_equal(of[6], 3);
	assert_int_equal(of[7], 3);
	assert_int_equal(of[8], 1);
	/* at most max to a message; a message of one address is none */
	nb = rh_batch_assign(want, 9, 2, of);
	for (i = 1; i <= (size_t)nb; i++) {
		for (k = 0, n = 0; k < 9; k++)
			n += of[k] == i;
		assert_int_equal(n, 2);
	}
	rh_result_free(&w[4]);
	batch_want(&w[4], "a@x", "t@remote.example");
	want[4] = &w[4];
	for (i = 0; i < 3; i++)
		want[i] = i == 1 ? &w[4] : &w[i == 0 ? 0 : 7];
	/* a@x, a@x+t, a@x: three messages of one: none */
	assert_int_equal(rh_batch_assign(want, 3, 50, of), 0);
	assert_int_equal(of[0] + of[1] + of[2], 0);
	/* --batch 1: none */
	for (i = 0; i < 9; i++)
		want[i] = &w[i];
	assert_int_equal(rh_batch_assign(want, 9, 1, of), 0);
	/* the same program (and only it) keeps two apart */
	for (i = 0; i < 3; i++) {
		rh_result_free(&w[i]);
		batch_want(&w[i], NULL, NULL);
		assert_int_equal(strlist_add(&w[i].pipes, i == 1 ?
		    "/bin/other" : "/usr/bin/autorespond 86400 3 m"), 0);
	}
	assert_int_equal(rh_batch_assign(want, 3, 50, of), 1);
	assert_int_equal(of[0], 1);
	assert_int_equal(of[1], 1);
	assert_int_equal(of[2], 0);
	for (i = 0; i < 9; i++)
		rh_result_free(&w[i]);
}

static void
test_install_names(void **state)
{
	char buf[256];
	time_t t;

	(void)state;
	assert_int_equal(install_parse_now("20261118-235959", &t), 0);
	assert_int_equal((long long)t, 1795046399LL);
	assert_int_equal(install_backup_name(buf, sizeof(buf), "/e/main.cf", t), 0);
	assert_string_equal(buf, "/e/main.cf.20261118-235959");
	assert_int_equal(install_parse_now("0", &t), 0);
	assert_int_equal(install_backup_name(buf, sizeof(buf), "m", t), 0);
	assert_string_equal(buf, "m.19700101-000000");
	assert_int_equal(install_parse_now("yesterday", &t), -1);
	assert_int_equal(install_parse_now("-5", &t), -1);
	assert_true(install_backup_name(buf, 8, "/e/main.cf", t) < 0);
}

/* A loopback listener that accepts nothing, its backlog full: a login
 * gives up within RH_IO_TIMEOUT, and says the server took no connection
 * (a blocking connect() waited for the kernel's SYN retries, minutes) */
static void
test_login_no_accept(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct pollfd pfd;
	struct qstr reply = QSTR_INIT(RH_MAX_REPLY);
	int lfd, fds[64], n, full = 0;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((lfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	/* connections nobody accepts until one no longer completes */
	for (n = 0; n < 64 && !full; n++) {
		fds[n] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fds[n] >= 0);
		if (connect(fds[n], (struct sockaddr *)&sa, sizeof(sa)) == 0)
			continue;
		assert_int_equal(errno, EINPROGRESS);
		pfd.fd = fds[n];
		pfd.events = POLLOUT;
		full = poll(&pfd, 1, 2000) == 0;
	}
	assert_true(full);
	assert_int_equal(rh_login_imap(NULL, ntohs(sa.sin_port), "a@example.com",
	    "x", &reply), RH_LOGIN_ERROR);
	assert_int_equal(strncmp(qstr_str(&reply), RH_NO_CONNECTION,
	    strlen(RH_NO_CONNECTION)), 0);
	while (n-- > 0)
		close(fds[n]);
	close(lfd);
	qstr_free(&reply);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_header_value),
		cmocka_unit_test(test_model_expect),
		cmocka_unit_test(test_model_no_qmail_ext),
		cmocka_unit_test(test_model_file_order),
		cmocka_unit_test(test_model_login_webmail),
		cmocka_unit_test(test_rewrites),
		cmocka_unit_test(test_dovecot_sql_rewrite),
		cmocka_unit_test(test_pipe_ran),
		cmocka_unit_test(test_batch_assign),
		cmocka_unit_test(test_install_names),
		cmocka_unit_test(test_login_no_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
