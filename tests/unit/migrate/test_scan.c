/*
 * NAME		test_scan - the tree walk on small old hosts built per case
 * DOES		writes a qmail + vpopmail tree under a temporary directory,
 *		runs scan_run() on it and checks what the model holds: lock
 *		files, vpopmail's limits files and their counts, vpopmail's
 *		build (QMAIL_EXT), Maildir folders, ~alias/.qmail-default
 * NEVER	reads anything outside its own temporary tree
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "migrate/model/model.h"
#include "migrate/oldhost/scan.h"

#define DOM	"home/vpopmail/domains/example.com"
#define DOM_ABS	"/" DOM

struct tree {
	char	root[64];
};

/* ROOT/rel with text, its directories made on the way */
static void
put(const struct tree *t, const char *rel, const char *text)
{
	char path[1024], *p;
	FILE *f;

	assert_true(snprintf(path, sizeof(path), "%s/%s", t->root, rel) <
	    (int)sizeof(path));
	for (p = path + strlen(t->root) + 1; (p = strchr(p, '/')) != NULL;
	    p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
}

/* one vpopmail domain, example.com, with alice and bob */
static void
base_host(struct tree *t)
{
	memcpy(t->root, "/tmp/q2p-scan-XXXXXX", 21);
	assert_non_null(mkdtemp(t->root));
	put(t, "var/qmail/control/me", "mail.example.com\n");
	put(t, "var/qmail/control/rcpthosts", "example.com\n");
	put(t, "var/qmail/users/assign", "+example.com-:example.com:89:89:"
	    "/home/vpopmail/domains/example.com:-::\n.\n");
	put(t, DOM "/vpasswd",
	    "alice:$1$ab$cd:1:0:Alice:/home/vpopmail/domains/example.com/"
	    "alice:NOQUOTA:pw1\n"
	    "bob:$1$ab$cd:1:0:Bob:/home/vpopmail/domains/example.com/"
	    "bob:NOQUOTA:pw2\n");
	put(t, DOM "/.qmail-default", "| /home/vpopmail/bin/vdelivermail '' "
	    "bounce-no-mailbox\n");
	put(t, DOM "/alice/Maildir/cur/.keep", "");
	put(t, DOM "/bob/Maildir/cur/.keep", "");
}

static struct model *
scan(const struct tree *t)
{
	struct scan_opts o = { t->root, "var/qmail", "home/vpopmail", 0 };
	struct model *m = model_new();

	assert_non_null(m);
	m->quiet = 1;
	assert_int_equal(scan_run(m, &o), 0);
	return m;
}

static void
rm_tree(const struct tree *t)
{
	char cmd[128];

	assert_true(snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root) <
	    (int)sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

static size_t
nlisted(const struct model *m, const char *file_suffix)
{
	size_t i, n = 0, l = strlen(file_suffix), fl;
	const char *f;

	for (i = 0; i < m->listed.n; i++) {
		f = M_LISTED((struct model *)m, i)->src.file;
		if (f != NULL && (fl = strlen(f)) >= l &&
		    strcmp(f + fl - l, file_suffix) == 0)
			n++;
	}
	return n;
}

/* vadddomain leaves locals.lock and rcpthosts.lock: locks, not items
 * left unconverted (no exit 1) */
static void
test_lock_files(void **state)
{
	struct tree t;
	struct model *m;

	(void)state;
	base_host(&t);
	put(&t, "var/qmail/control/locals.lock", "");
	put(&t, "var/qmail/control/rcpthosts.lock", "");
	put(&t, "var/qmail/control/virtualdomains.lock", "");
	put(&t, "var/qmail/control/junk.lock", "");
	m = scan(&t);
	assert_int_equal(nlisted(m, "/locals.lock"), 0);
	assert_int_equal(nlisted(m, "/rcpthosts.lock"), 0);
	assert_int_equal(nlisted(m, "/virtualdomains.lock"), 0);
	/* a lock of no control file is still looked at by hand */
	assert_int_equal(nlisted(m, "/junk.lock"), 1);
	assert_int_equal(m->count[CAT_CONTROL].listed, 1);
	assert_true(model_counts_add_up(m));
	model_free(m);
	rm_tree(&t);
}

/* vlimits.default lines are vpopmail limits, not vpasswd entries */
static void
test_vlimits_counted_apart(void **state)
{
	struct tree t;
	struct model *m;

	(void)state;
	base_host(&t);
	put(&t, "home/vpopmail/etc/vlimits.default", "maxpopaccounts -1\n"
	    "maxaliases -1\ndisable_webmail 1\n");
	put(&t, DOM "/.qmailadmin-limits", "maxforwards 10\n");
	m = scan(&t);
	assert_int_equal(m->count[CAT_VPASSWD].read, 2);
	assert_int_equal(m->count[CAT_VPASSWD].converted, 2);
	assert_int_equal(m->count[CAT_VPASSWD].skipped, 0);
	assert_int_equal(m->count[CAT_VLIMITS].read, 4);
	assert_int_equal(m->count[CAT_VLIMITS].converted, 1);
	assert_int_equal(m->count[CAT_VLIMITS].skipped, 3);
	assert_true(model_counts_add_up(m));
	model_free(m);
	rm_tree(&t);
}

static size_t
nrules(const struct model *m, const char *local)
{
	size_t i, n = 0;

	for (i = 0; i < m->rules.n; i++)
		if (strcmp(M_RULE((struct model *)m, i)->local, local) == 0)
			n++;
	return n;
}

/* vpopmail_config.h decides; --qmail-ext only when it is missing */
static void
test_vpopmail_build(void **state)
{
	static const struct {
		const char *name, *rel, *header;
		int option, want;
		enum m_build_from from;
		unsigned long line;
	} t[] = {
		{ "header with QMAIL_EXT", "home/vpopmail/include/"
		    "vpopmail_config.h", "/* x */\n#define CLEAR_PASS 1\n"
		    "#define QMAIL_EXT 1\n", -1, 1, BUILD_HEADER, 3 },
		{ "header without QMAIL_EXT", "home/vpopmail/include/"
		    "vpopmail_config.h", "#define CLEAR_PASS 1\n"
		    "/* #define QMAIL_EXT 1 */\n#define QMAIL_EXTRA 1\n", 1, 0,
		    BUILD_HEADER, 0 },
		{ "QmailToaster's place", "usr/include/vpopmail/"
		    "vpopmail_config.h", "#  define\tQMAIL_EXT 1\n", 0, 1,
		    BUILD_HEADER, 1 },
		{ "no header: --qmail-ext no", NULL, NULL, -1, 0,
		    BUILD_OPTION, 0 },
		{ "no header: --qmail-ext yes", NULL, NULL, 1, 1,
		    BUILD_OPTION, 0 },
		{ "no header, no option: assumed", NULL, NULL, 0, 1,
		    BUILD_ASSUMED, 0 },
	};
	struct scan_opts o = { NULL, "var/qmail", "home/vpopmail", 0 };
	struct tree tr;
	struct model *m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		base_host(&tr);
		put(&tr, DOM "/alice/.qmail-news", "&news@far.example\n");
		if (t[i].rel != NULL)
			put(&tr, t[i].rel, t[i].header);
		o.root = tr.root;
		o.qmail_ext = t[i].option;
		assert_non_null(m = model_new());
		m->quiet = 1;
		assert_int_equal(scan_run(m, &o), 0);
		if (m->qmail_ext != t[i].want || m->qmail_ext_from != t[i].from ||
		    m->qmail_ext_src.line != t[i].line)
			fail_msg("%s: got qmail_ext %d from %d line %lu, want %d "
			    "from %d line %lu", t[i].name, m->qmail_ext,
			    (int)m->qmail_ext_from, m->qmail_ext_src.line,
			    t[i].want, (int)t[i].from, t[i].line);
		/* without QMAIL_EXT vdelivermail never read .qmail-news */
		if (nrules(m, "alice-news") != (size_t)t[i].want)
			fail_msg("%s: %zu rules for alice-news", t[i].name,
			    nrules(m, "alice-news"));
		assert_true(model_counts_add_up(m));
		assert_int_equal(m->count[CAT_DOTQMAIL].listed, 0);
		model_free(m);
		rm_tree(&tr);
	}
}

static const struct m_rule *
rule_for(const struct model *m, const char *local, const char *domain)
{
	const struct m_rule *r;
	size_t i;

	for (i = 0; i < m->rules.n; i++) {
		r = M_RULE((struct model *)m, i);
		if (strcmp(r->local, local) == 0 && strcmp(r->domain, domain) == 0)
			return r;
	}
	return NULL;
}

/* ./Maildir/.Lists/ in a user's .qmail-EXT: vdelivermail chdirs to the
 * user's home, so it is the Lists folder of that user's Maildir */
static void
test_maildir_folder(void **state)
{
	struct tree t;
	struct model *m;
	const struct m_rule *r;

	(void)state;
	base_host(&t);
	put(&t, DOM "/alice/.qmail-lists", "./Maildir/.Lists/\n");
	put(&t, DOM "/alice/.qmail-work", DOM_ABS "/bob/Maildir/.Work.Q1/\n");
	put(&t, DOM "/alice/.qmail-bad", "./Maildir/.Bad Name/\n");
	m = scan(&t);
	assert_non_null(r = rule_for(m, "alice-lists", "example.com"));
	assert_int_equal(r->dest, DEST_MAILBOX);
	assert_string_equal(r->value, "alice@example.com");
	assert_non_null(r->folder);
	assert_string_equal(r->folder, ".Lists");
	assert_non_null(r = rule_for(m, "alice-work", "example.com"));
	assert_string_equal(r->value, "bob@example.com");
	assert_string_equal(r->folder, ".Work.Q1");
	/* a name Postfix's tables cannot hold as written: listed */
	assert_null(rule_for(m, "alice-bad", "example.com"));
	assert_int_equal(nlisted(m, "/alice/.qmail-bad"), 1);
	assert_int_equal(m->count[CAT_DOTQMAIL].listed, 1);
	assert_true(model_counts_add_up(m));
	model_free(m);
	rm_tree(&t);
}

/* control/locals: qmail-send gives an unknown local user to
 * ~alias/.qmail-default; ~alias/.qmail-USER first */
static void
test_locals_alias_default(void **state)
{
	struct tree t;
	struct model *m;
	const struct m_rule *r;

	(void)state;
	base_host(&t);
	put(&t, "var/qmail/control/locals", "mail.example.com\n");
	put(&t, "var/qmail/alias/.qmail-root", "&alice@example.com\n");
	put(&t, "var/qmail/alias/.qmail-default", "&bob@example.com\n");
	m = scan(&t);
	assert_non_null(r = rule_for(m, "root", "mail.example.com"));
	assert_int_equal(r->key, KEY_ADDRESS);
	assert_non_null(r = rule_for(m, "", "mail.example.com"));
	assert_int_equal(r->key, KEY_CATCHALL);
	assert_int_equal(r->dest, DEST_FORWARD);
	assert_string_equal(r->value, "bob@example.com");
	assert_int_equal(r->origin, ORIG_ALIAS);
	assert_int_equal(nlisted(m, "/.qmail-default"), 0);
	assert_true(model_counts_add_up(m));
	model_free(m);
	rm_tree(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_files),
		cmocka_unit_test(test_vlimits_counted_apart),
		cmocka_unit_test(test_vpopmail_build),
		cmocka_unit_test(test_maildir_folder),
		cmocka_unit_test(test_locals_alias_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
