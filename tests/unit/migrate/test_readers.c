/*
 * NAME		test_readers - the pure readers of migrate/, case by case
 * DOES		quota formats, dot-qmail line kinds, vdelivermail's four
 *		behaviours, assign lookup order, control files, vpasswd lines,
 *		and what a .qmail file becomes; every item counted once
 * NEVER	touches a file: bytes in, model out
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

static struct model *
new_model(void)
{
	struct model *m = model_new();

	assert_non_null(m);
	m->quiet = 1;
	return m;
}

static void
test_quota_formats(void **state)
{
	static const struct {
		const char *in;
		long long bytes, count;
		int rc;
	} t[] = {
		{ "NOQUOTA", -1, -1, 0 },
		{ "", -1, -1, 0 },
		{ "1000000", 1000000, -1, 0 },
		{ "1MB", 1048576, -1, 0 },
		{ "1024KB", 1048576, -1, 0 },
		{ "1M", 1048576, -1, 0 },
		{ "5MB", 5242880, -1, 0 },
		{ "50000000S", 50000000, -1, 0 },
		{ "50000000S,1000C", 50000000, 1000, 0 },
		{ "1000C,10MBS", 10485760, 1000, 0 },
		{ "abc", -1, -1, -1 },
		{ "10X", -1, -1, -1 },
		{ "1C,2C", -1, -1, -1 },
		/* more bytes than a long long holds: no quota, no overflow */
		{ "9999999999999999G", -1, -1, -1 },
		{ "9999999999999999999", -1, -1, -1 },
	};
	size_t i;
	long long b, c;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = vpasswd_quota(t[i].in, &b, &c);
		if (rc != t[i].rc)
			fail_msg("%s: got rc %d, want %d", t[i].in, rc, t[i].rc);
		if (rc == 0 && (b != t[i].bytes || c != t[i].count))
			fail_msg("%s: got %lld/%lld, want %lld/%lld", t[i].in,
			    b, c, t[i].bytes, t[i].count);
	}
}

static void
test_dotqmail_classify(void **state)
{
	static const struct {
		const char *line;
		enum dq_type want;
		const char *arg;
	} t[] = {
		{ "# comment", DQ_COMMENT, NULL },
		{ "", DQ_BLANK, NULL },
		{ "|  /usr/bin/prog -x", DQ_PIPE, "/usr/bin/prog -x" },
		{ "&alice@example.com", DQ_FORWARD, "alice@example.com" },
		{ "bob@example.com  ", DQ_FORWARD, "bob@example.com" },
		{ "./Maildir/", DQ_MAILDIR, "./Maildir/" },
		{ "/home/u/Maildir/", DQ_MAILDIR, "/home/u/Maildir/" },
		{ "./Mailbox", DQ_MBOX, "./Mailbox" },
		{ "&a b@example.com", DQ_BAD, NULL },
		{ "<x@example.com>", DQ_BAD, NULL },
		{ "&alice@example.com\r", DQ_BAD, NULL },
		{ "|", DQ_BAD, NULL },
	};
	const char *arg, *why;
	size_t i, al;
	enum dq_type got;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = dotqmail_classify(t[i].line, strlen(t[i].line), &arg,
		    &al, &why);
		if (got != t[i].want)
			fail_msg("%s: got type %d, want %d", t[i].line, got,
			    t[i].want);
		if (t[i].arg != NULL && (al != strlen(t[i].arg) ||
		    memcmp(arg, t[i].arg, al) != 0))
			fail_msg("%s: got arg %.*s, want %s", t[i].line,
			    (int)al, arg, t[i].arg);
	}
}

static void
test_vdelivermail(void **state)
{
	static const struct {
		const char *cmd;
		int rc;
		enum m_catchall what;
		const char *arg;
	} t[] = {
		{ "/home/vpopmail/bin/vdelivermail '' bounce-no-mailbox", 1,
		    CATCH_BOUNCE, "bounce-no-mailbox" },
		{ "/home/vpopmail/bin/vdelivermail '' delete", 1, CATCH_DELETE,
		    "delete" },
		{ "/home/vpopmail/bin/vdelivermail '' sales@example.com", 1,
		    CATCH_FORWARD, "sales@example.com" },
		{ "vdelivermail \"\" /home/vpopmail/domains/example.net/info", 1,
		    CATCH_MAILBOX, "/home/vpopmail/domains/example.net/info" },
		{ "/usr/bin/other '' delete", 0, CATCH_NONE, NULL },
		{ "/home/vpopmail/bin/vdelivermail '' nonsense", -1, CATCH_NONE,
		    NULL },
		{ "/home/vpopmail/bin/vdelivermail ''", -1, CATCH_NONE, NULL },
	};
	enum m_catchall what;
	const char *arg;
	size_t i, al;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		what = CATCH_NONE;
		rc = vdelivermail_parse(t[i].cmd, strlen(t[i].cmd), &what, &arg,
		    &al);
		if (rc != t[i].rc)
			fail_msg("%s: got rc %d, want %d", t[i].cmd, rc, t[i].rc);
		if (rc == 1 && (what != t[i].what || al != strlen(t[i].arg) ||
		    memcmp(arg, t[i].arg, al) != 0))
			fail_msg("%s: got %d %.*s, want %d %s", t[i].cmd, what,
			    (int)al, arg, t[i].what, t[i].arg);
	}
}

static const char assign_text[] =
    "+example.com-:example.com:89:89:/home/vpopmail/domains/example.com:-::\n"
    "+ex-:other:1:1:/home/other:-::\n"
    "=logwatch:alias:7790:2108:/var/qmail/alias:-:root:\n"
    "+broken-:x:1\n"
    ".\n"
    "+after-:x:1:1:/x:-::\n";

static void
test_assign(void **state)
{
	struct model *m = new_model();
	const struct m_assign *a;

	(void)state;
	assign_parse(m, "/var/qmail/users/assign", assign_text,
	    sizeof(assign_text) - 1);
	/* longest prefix wins, exact beats wildcard, case-insensitive */
	a = assign_lookup(m, "example.com-alice");
	assert_non_null(a);
	assert_string_equal(a->user, "example.com");
	assert_string_equal(a->home, "/home/vpopmail/domains/example.com");
	a = assign_lookup(m, "ex-bob");
	assert_non_null(a);
	assert_string_equal(a->user, "other");
	a = assign_lookup(m, "LogWatch");
	assert_non_null(a);
	assert_string_equal(a->ext, "root");
	assert_null(assign_lookup(m, "broken-x"));
	assert_null(assign_lookup(m, "after-x"));
	assert_int_equal(m->count[CAT_ASSIGN].read, 6);
	assert_int_equal(m->count[CAT_ASSIGN].converted, 3);
	assert_int_equal(m->count[CAT_ASSIGN].listed, 2);
	assert_int_equal(m->count[CAT_ASSIGN].skipped, 1);
	assert_true(model_counts_add_up(m));
	model_free(m);
}

static void
test_assign_cdb_record(void **state)
{
	struct model *m = new_model();
	struct src src = { "/var/qmail/users/cdb", 1 };
	static const char data[] = "example.com\00089\00089\000/d\000-\000";
	const struct m_assign *a;

	(void)state;
	/* wildcard key: no NUL at the end; exact key: NUL-terminated */
	assert_int_equal(assign_record(m, src, "!example.com-", 13, data,
	    sizeof(data) - 1), 0);
	assert_int_equal(assign_record(m, src, "!joe", 5, data,
	    sizeof(data) - 1), 0);
	a = assign_lookup(m, "example.com-x");
	assert_non_null(a);
	assert_true(a->wild);
	assert_string_equal(a->home, "/d");
	a = assign_lookup(m, "joe");
	assert_non_null(a);
	assert_false(a->wild);
	model_free(m);
}

static void
test_vpasswd(void **state)
{
	static const char text[] =
	    "alice:abcdefghijklm:1:0:Alice:/home/vpopmail/domains/d/alice:50000000S:pw1\n"
	    "bob:$1$salt$hash:1:10:Bob:/home/vpopmail/domains/d/0/bob:NOQUOTA\n"
	    "short:xx:1:0:Too few\n"
	    "gid:xx:1:zero:G:/x:NOQUOTA\n"
	    "alice:dup:1:0:A:/y:NOQUOTA\n"
	    "# comment\n";
	struct model *m = new_model();
	struct m_domain *d;
	struct m_mailbox *mb;
	struct src src = { "/var/qmail/users/assign", 1 };

	(void)state;
	d = model_domain_add(m, "d", DOM_MAILBOX, src);
	vpasswd_parse(m, d, "/home/vpopmail/domains/d/vpasswd", text,
	    sizeof(text) - 1);
	mb = model_mailbox(m, "alice", "d");
	assert_non_null(mb);
	assert_string_equal(mb->clear, "pw1");
	assert_int_equal(mb->quota_bytes, 50000000);
	assert_int_equal(mb->src.line, 1);
	mb = model_mailbox(m, "bob", "d");
	assert_non_null(mb);
	assert_null(mb->clear);
	assert_int_equal(mb->flags, VP_NO_POP | VP_NO_IMAP);
	/* pw_dir is taken as written, hashed dir included */
	assert_ptr_equal(model_mailbox_by_home(m,
	    "/home/vpopmail/domains/d/0/bob/Maildir/"), mb);
	assert_int_equal(m->count[CAT_VPASSWD].converted, 2);
	assert_int_equal(m->count[CAT_VPASSWD].listed, 3);
	assert_true(model_counts_add_up(m));
	model_free(m);
}

/* fields no passwd-file line can carry, and a domain that users/assign
 * gives uid 0: listed, never a mailbox */
static void
test_vpasswd_refused(void **state)
{
	static const char text[] =
	    "cr:$1$s$h\r:1:0:C:/home/d/cr:NOQUOTA\n"
	    "home:x:1:0:H:/home/d/ho\rme:NOQUOTA\n"
	    "nul:x:1:0:N:/home/d/n\0ul:NOQUOTA\n"
	    "ok:x:1:0:O:/home/d/ok:NOQUOTA\n";
	static const char cdb[] = "nl:x:1:0:N:/home/d/nl\nevil:NOQUOTA";
	struct model *m = new_model();
	struct m_domain *d, *root;
	struct src src = { "/var/qmail/users/assign", 1 };
	struct m_mailbox *mb;

	(void)state;
	d = model_domain_add(m, "d.example", DOM_MAILBOX, src);
	d->uid = 89;
	d->gid = 89;
	vpasswd_parse(m, d, "/home/d/vpasswd", text, sizeof(text) - 1);
	model_read(m, CAT_VPASSWD);
	vpasswd_line(m, d, src, cdb, sizeof(cdb) - 1);
	assert_null(model_mailbox(m, "cr", "d.example"));
	assert_null(model_mailbox(m, "home", "d.example"));
	assert_null(model_mailbox(m, "nul", "d.example"));
	assert_null(model_mailbox(m, "nl", "d.example"));
	mb = model_mailbox(m, "ok", "d.example");
	assert_non_null(mb);
	assert_int_equal(mb->uid, 89);
	assert_int_equal(m->count[CAT_VPASSWD].listed, 4);
	root = model_domain_add(m, "root.example", DOM_MAILBOX, src);
	root->uid = 0;
	root->gid = 0;
	model_read(m, CAT_VPASSWD);
	vpasswd_line(m, root, src, "r:x:1:0:R:/home/r/r:NOQUOTA",
	    strlen("r:x:1:0:R:/home/r/r:NOQUOTA"));
	assert_null(model_mailbox(m, "r", "root.example"));
	assert_int_equal(m->count[CAT_VPASSWD].listed, 5);
	assert_true(model_counts_add_up(m));
	model_free(m);
}

static void
test_control(void **state)
{
	static const char routes[] =
	    "backupmx.example:[192.0.2.30]:25\n"
	    ".internal.example:gw.remote.example:2525\n"
	    ":smarthost.example\n"
	    "nocolon\n";
	static const char conc[] = "100\n";
	struct model *m = new_model();
	const struct m_entry *e;
	long long v;

	(void)state;
	control_parse(m, "smtproutes", "/c/smtproutes", routes,
	    sizeof(routes) - 1);
	assert_int_equal(m->entries.n, 2);
	e = M_ENTRY(m, 0);
	assert_string_equal(e->key, "backupmx.example");
	assert_string_equal(e->value, "smtp:[192.0.2.30]:25");
	e = M_ENTRY(m, 1);
	assert_string_equal(e->key, ".internal.example");
	assert_string_equal(e->value, "smtp:[gw.remote.example]:2525");
	assert_string_equal(M_SETTING(m, 0)->param, "relayhost");
	assert_string_equal(M_SETTING(m, 0)->value, "[smarthost.example]");
	assert_int_equal(m->count[CAT_CONTROL].listed, 1);
	control_parse(m, "concurrencyincoming", "/c/ci", conc, 4);
	v = model_limit_get(m, "smtp/inet", "process_limit", -1, NULL);
	assert_int_equal(v, 100);
	assert_true(model_counts_add_up(m));
	model_free(m);
}

/* A domain .qmail file: forward, keep a copy in another mailbox, pipe. */
static void
test_dotqmail_apply(void **state)
{
	static const char text[] =
	    "# sales team\n"
	    "&alice@example.com\n"
	    "/home/vpopmail/domains/example.com/kim/Maildir/\n"
	    "|/usr/bin/autorespond x\n"
	    "./mbox\n";
	static const char only_comment[] = "# nothing\n";
	struct model *m = new_model();
	struct m_domain *d;
	struct m_mailbox *mb;
	struct dq_ctx ctx;
	struct src src = { "/a", 1 };

	(void)state;
	d = model_domain_add(m, "example.com", DOM_MAILBOX, src);
	mb = model_mailbox_add(m, "kim", d, src);
	mb->home = "/home/vpopmail/domains/example.com/kim";
	model_mailbox_index_home(m, mb);
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = ORIG_DOMAIN;
	ctx.key = KEY_ADDRESS;
	ctx.local = "sales";
	ctx.domain = "example.com";
	ctx.dir = "/home/vpopmail/domains/example.com";
	ctx.user = "vpopmail";
	ctx.count = 1;
	dotqmail_apply(m, &ctx, "/f", text, sizeof(text) - 1);
	assert_int_equal(m->rules.n, 3);
	assert_int_equal(M_RULE(m, 0)->dest, DEST_FORWARD);
	assert_string_equal(M_RULE(m, 1)->value, "kim@example.com");
	assert_int_equal(M_RULE(m, 2)->dest, DEST_PIPE);
	assert_string_equal(M_RULE(m, 2)->user, "vpopmail");
	assert_int_equal(m->count[CAT_DOTQMAIL].read, 5);
	assert_int_equal(m->count[CAT_DOTQMAIL].listed, 1);	/* mbox */
	assert_int_equal(m->count[CAT_DOTQMAIL].skipped, 1);
	/* a file with only comments delivers nowhere */
	ctx.local = "noreply";
	dotqmail_apply(m, &ctx, "/g", only_comment, sizeof(only_comment) - 1);
	assert_int_equal(M_RULE(m, 3)->dest, DEST_DISCARD);
	/* world-writable: every line listed, nothing converted */
	ctx.local = "open";
	ctx.world_writable = 1;
	dotqmail_apply(m, &ctx, "/h", text, sizeof(text) - 1);
	assert_int_equal(m->rules.n, 4);
	assert_true(model_counts_add_up(m));
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quota_formats),
		cmocka_unit_test(test_dotqmail_classify),
		cmocka_unit_test(test_vdelivermail),
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_assign_cdb_record),
		cmocka_unit_test(test_vpasswd),
		cmocka_unit_test(test_vpasswd_refused),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_dotqmail_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
