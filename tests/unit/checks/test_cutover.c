/*
 * NAME		test_cutover - the cutover checks on an in-memory DNS
 * DOES		table of cases, each a change to a good zone or migration:
 *		the findings (check, severity, temporary) and the fix text a
 *		user would copy; the migration.json reader's errors; the exit
 *		code mapping
 * NEVER	uses the network
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

#include "checks/cutover/cutover.h"
#include "mail/exits.h"
#include "tests/lib/dns_fake.h"
#include "util/err.h"
#include "util/qstr.h"

/* A good world: the new host 198.51.100.25 / mx1.example.com is ready. */
static const char *const base_zone[] = {
	"25.100.51.198.in-addr.arpa PTR mx1.example.com",
	"mx1.example.com A 198.51.100.25",
	"mx1.example.com TXT \"v=spf1 a -all\"",
	"mail.example.com A 192.0.2.10",
	"example.com MX 10 mail.example.com",
	"example.com TXT \"v=spf1 ip4:192.0.2.10 ip4:198.51.100.25 -all\"",
	"_dmarc.example.com TXT \"v=DMARC1; p=reject\"",
	"s1._domainkey.example.com TXT \"v=DKIM1; k=rsa; p=KEYA\"",
	"quiet.example MX 10 mail.example.com",
	"quiet.example TXT \"v=spf1 -all\"",
	"_dmarc.quiet.example TXT \"v=DMARC1; p=reject\"",
	"srs.example.com A 198.51.100.25",
	"srs.example.com TXT \"v=spf1 a:mx1.example.com -all\"",
	"remote.example MX 10 mx.remote.example",
	"mx.remote.example A 203.0.113.40",
	"remote.example TXT \"v=spf1 ip4:203.0.113.40 -all\"",
	"_dmarc.remote.example TXT \"v=DMARC1; p=reject\"",
	"example TXT SERVFAIL",
	NULL
};

static const char base_mig[] =
    "{\"schema\": \"qmail2postfix-migration\", \"version\": 1,"
    " \"old_host\": {\"hostname\": \"mail.example.com\", \"ip\": null},"
    " \"new_host\": {\"hostname\": \"mx1.example.com\","
    "  \"ip\": \"198.51.100.25\"},"
    " \"domains\": [{\"name\": \"example.com\", \"kind\": \"mailbox\"},"
    "  {\"name\": \"quiet.example\", \"kind\": \"mailbox\"}],"
    " \"mailboxes\": [{\"address\": \"postmaster@example.com\","
    "  \"receives_mail\": true},"
    "  {\"address\": \"alice@example.com\", \"receives_mail\": true}],"
    " \"forwards\": [{\"address\": \"alice@example.com\", \"match\":"
    "  \"exact\", \"targets\": [\"alice@remote.example\"],"
    "  \"remote_targets\": [\"alice@remote.example\"], \"keep_copy\": false,"
    "  \"srs\": true}],"
    " \"aliases\": [{\"address\": \"postmaster@quiet.example\","
    "  \"targets\": [\"postmaster@example.com\"]}],"
    " \"bounce_routing\": {\"doublebounceto\": \"postmaster@example.com\","
    "  \"postmaster\": [{\"domain\": \"example.com\", \"routes_to\":"
    "  \"postmaster@example.com\"}, {\"domain\": \"quiet.example\","
    "  \"routes_to\": \"postmaster@example.com\"}]},"
    " \"settings\": [],"
    " \"dkim\": {\"selectors\": [{\"domain\": \"example.com\","
    "  \"selector\": \"s1\", \"public_key\": \"KEYA\"}]},"
    " \"srs\": {\"wired\": true, \"domain\": \"srs.example.com\"},"
    " \"limits\": []}";

struct edit {
	const char	*drop;	/* zone lines starting with one of these
				 * '|'-separated prefixes go */
	const char	*add;	/* zone text added */
	const char	*from, *to;	/* one replacement in the migration */
};

struct want {
	const char	*check;
	enum finding_sev sev;
	int		 temporary;
	const char	*fix;	/* a substring of the fix, or NULL */
	const char	*title;	/* a substring of the title, or NULL */
	const char	*old;	/* old_host ("same", ...), or NULL */
	int		 introduced;	/* checked when old is given */
};

struct tcase {
	const char	*name;
	struct edit	 e;
	const char	*sender;	/* --sample-sender; NULL: example.com */
	int		 exit_code;
	struct want	 w[3];
};

static const struct tcase cases[] = {
	{ "good", { NULL, NULL, NULL, NULL }, NULL, QPM_EXIT_GO,
	    { { "ptr.ok", FIND_INFO, 0, NULL },
	      { "spf.no-mail", FIND_INFO, 0, NULL },
	      { "dkim.ok", FIND_INFO, 0, NULL } } },
	{ "no PTR", { "25.100.51.198.in-addr.arpa PTR", NULL, NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "ptr.missing", FIND_BLOCKER, 0,
	        "25.100.51.198.in-addr.arpa. IN PTR mx1.example.com." } } },
	{ "PTR not confirmed", { "25.100.51.198.in-addr.arpa PTR",
	    "25.100.51.198.in-addr.arpa PTR host.isp.example\n"
	    "host.isp.example A 203.0.113.250\n", NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "ptr.no-fcrdns", FIND_BLOCKER, 0,
	        "host.isp.example. IN A 198.51.100.25" } } },
	{ "PTR timeout", { "25.100.51.198.in-addr.arpa PTR",
	    "25.100.51.198.in-addr.arpa PTR TIMEOUT\n", NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "ptr.temperror", FIND_BLOCKER, 1, NULL } } },
	{ "HELO has no address", { "mx1.example.com A", NULL, NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "helo.mismatch", FIND_BLOCKER, 0,
	        "mx1.example.com. IN A 198.51.100.25" } } },
	{ "SPF without the new IP", { "example.com TXT",
	    "example.com TXT \"v=spf1 ip4:192.0.2.10 ~all\"\n", NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "spf.new-ip", FIND_BLOCKER, 0, "example.com. IN TXT "
	        "\"v=spf1 ip4:198.51.100.25 ip4:192.0.2.10 ~all\"" } } },
	{ "SPF SERVFAIL", { "example.com TXT", "example.com TXT SERVFAIL\n",
	    NULL, NULL }, NULL, QPM_EXIT_NOGO,
	    { { "spf.temperror", FIND_BLOCKER, 1, NULL } } },
	/* the old address matches before the void lookups, the new one
	 * after them: the switch breaks it */
	{ "SPF three void lookups", { "example.com TXT",
	    "example.com TXT \"v=spf1 ip4:192.0.2.10 a:n1.example.com "
	    "a:n2.example.com a:n3.example.com ip4:198.51.100.25 -all\"\n",
	    NULL, NULL }, NULL, QPM_EXIT_NOGO,
	    { { "spf.limits", FIND_BLOCKER, 0, "at most 10 DNS lookups", NULL,
	        "differs", 1 } } },
	/* both addresses after them: the old host had it too */
	{ "SPF three void lookups, old host too", { "example.com TXT",
	    "example.com TXT \"v=spf1 a:n1.example.com a:n2.example.com "
	    "a:n3.example.com ip4:198.51.100.25 ip4:192.0.2.10 -all\"\n",
	    NULL, NULL }, NULL, QPM_EXIT_WARN,
	    { { "spf.limits", FIND_WARNING, 0, "at most 10 DNS lookups",
	        "(as on the old host)", "same", 0 } } },
	{ "DKIM key differs", { "s1._domainkey", "s1._domainkey.example.com "
	    "TXT \"v=DKIM1; k=rsa; p=KEYB\"\n", NULL, NULL }, NULL, QPM_EXIT_NOGO,
	    { { "dkim.mismatch", FIND_BLOCKER, 0,
	        "s1._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; "
	        "p=KEYA\"" } } },
	{ "DKIM key revoked", { "s1._domainkey", "s1._domainkey.example.com "
	    "TXT \"v=DKIM1; p=\"\n", NULL, NULL }, NULL, QPM_EXIT_NOGO,
	    { { "dkim.revoked", FIND_BLOCKER, 0, NULL } } },
	{ "DMARC p=none, SPF and DKIM broken", { "s1._domainkey|_dmarc.example"
	    "|example.com TXT", "s1._domainkey.example.com TXT \"v=DKIM1; "
	    "k=rsa; p=KEYB\"\n_dmarc.example.com TXT \"v=DMARC1; p=none\"\n"
	    "example.com TXT \"v=spf1 ip4:192.0.2.10 -all\"\n", NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "dmarc.fail", FIND_WARNING, 0, NULL },
	      { "spf.new-ip", FIND_BLOCKER, 0, NULL },
	      { "dkim.mismatch", FIND_BLOCKER, 0, NULL } } },
	/* routes_to null: the old host bounced postmaster@ too */
	{ "postmaster routed nowhere on the old host", { NULL, NULL,
	    "\"quiet.example\",  \"routes_to\": \"postmaster@example.com\"",
	    "\"quiet.example\",  \"routes_to\": null" }, NULL, QPM_EXIT_WARN,
	    { { "bounce.postmaster", FIND_WARNING, 0,
	        "postmaster@quiet.example  postmaster@example.com",
	        "postmaster@quiet.example does not reach a mailbox (RFC 5321 "
	        "4.5.1 requires it): complaints and bounce reports are lost "
	        "(as on the old host)", "same", 0 } } },
	/* the old host delivered it to pm@quiet.example, a mailbox the
	 * migration does not have */
	{ "postmaster lost by the migration", { NULL, NULL,
	    "\"quiet.example\",  \"routes_to\": \"postmaster@example.com\"",
	    "\"quiet.example\",  \"routes_to\": \"pm@quiet.example\"" },
	    NULL, QPM_EXIT_NOGO,
	    { { "bounce.postmaster", FIND_BLOCKER, 0,
	        "postmaster@quiet.example  postmaster@example.com", NULL,
	        "differs", 1 } } },
	{ "double bounces to nobody", { NULL, NULL,
	    "\"doublebounceto\": \"postmaster@example.com\"",
	    "\"doublebounceto\": \"gone@example.com\"" }, NULL, QPM_EXIT_WARN,
	    { { "bounce.double", FIND_WARNING, 0, "2bounce_notice_recipient" } } },
	{ "generated HELO is the old host's", { NULL, NULL,
	    "\"settings\": []", "\"settings\": [{\"param\": "
	    "\"smtp_helo_name\", \"value\": \"mail.example.com\"}]" },
	    NULL, QPM_EXIT_NOGO,
	    { { "helo.config", FIND_BLOCKER, 0,
	        "smtp_helo_name = mx1.example.com" } } },
	{ "SRS domain does not allow us", { "srs.example.com TXT",
	    "srs.example.com TXT \"v=spf1 -all\"\n", NULL, NULL },
	    NULL, QPM_EXIT_NOGO,
	    { { "srs.spf", FIND_BLOCKER, 0, "srs.example.com. IN TXT "
	        "\"v=spf1 ip4:198.51.100.25 -all\"", "gives fail (not "
	        "authorized: receivers may reject the message" } } },
	/* the SRS domain's MX (or address) is a record the migration asks
	 * for: bounces to SRS addresses must come back */
	{ "SRS domain not routed here", { "srs.example.com A", NULL, NULL,
	    NULL }, NULL, QPM_EXIT_NOGO,
	    { { "srs.bounces", FIND_BLOCKER, 0, "srs.example.com. IN MX 10 "
	        "mx1.example.com.", NULL, "n/a", 1 } } },
	/* none is not fail: say what receivers do with none */
	{ "SRS domain without SPF", { "srs.example.com TXT", NULL, NULL,
	    NULL }, NULL, QPM_EXIT_NOGO,
	    { { "srs.spf", FIND_BLOCKER, 0, "srs.example.com. IN TXT "
	        "\"v=spf1 ip4:198.51.100.25 -all\"", "gives none (no SPF "
	        "record: receivers treat the message as unauthenticated by "
	        "SPF)", "n/a", 1 } } },
	/* v=spf1 -all: quiet.example sends no mail, its key blocks nothing */
	{ "unpublished key of a domain that sends no mail", { NULL, NULL,
	    "\"public_key\": \"KEYA\"}", "\"public_key\": \"KEYA\"}, "
	    "{\"domain\": \"quiet.example\", \"selector\": \"s1\", "
	    "\"public_key\": \"KEYA\", \"signing\": true}" }, NULL,
	    QPM_EXIT_GO,
	    { { "dkim.missing", FIND_INFO, 0, "s1._domainkey.quiet.example. "
	        "IN TXT", "the domain sends no mail" },
	      { "dkim.ok", FIND_INFO, 0, NULL } } },
	{ "unpublished key of a sending domain", { "s1._domainkey", NULL,
	    NULL, NULL }, NULL, QPM_EXIT_NOGO,
	    { { "dkim.missing", FIND_BLOCKER, 0, "s1._domainkey.example.com. "
	        "IN TXT", NULL, "n/a", 1 } } },
	{ "forward target gone", { "remote.example MX", NULL, NULL, NULL },
	    NULL, QPM_EXIT_WARN,
	    { { "forward.target-missing", FIND_WARNING, 0, NULL } } },
	{ "no SRS, p=reject sender", { NULL, NULL,
	    "\"wired\": true", "\"wired\": false" }, "remote.example",
	    QPM_EXIT_WARN,
	    { { "forward.dmarc", FIND_WARNING, 0, "srs-forward" } } },
};

/* The text with the first occurrence of from replaced by to. */
static char *
replaced(const char *text, const char *from, const char *to)
{
	struct qstr q = QSTR_INIT(1 << 20);
	const char *p = from != NULL ? strstr(text, from) : NULL;
	char *s;

	if (p == NULL) {
		assert_null(from);
		return strdup(text);
	}
	assert_int_equal(qstr_catn(&q, text, (size_t)(p - text)), 0);
	assert_int_equal(qstr_cat(&q, to), 0);
	assert_int_equal(qstr_cat(&q, p + strlen(from)), 0);
	s = strdup(qstr_str(&q));
	qstr_free(&q);
	return s;
}

static int
run_case(const struct tcase *tc, struct cut_result *res)
{
	struct qstr z = QSTR_INIT(1 << 20);
	struct dns_fake *f = dns_fake_new();
	struct dns_resolver r;
	struct cut_mig m;
	struct cut_opts o;
	const char *senders[1];
	char why[256], *mig;
	time_t now = 1795000000;
	struct qpm_clock clk;
	size_t i;
	int rc;

	assert_non_null(f);
	for (i = 0; base_zone[i] != NULL; i++) {
		const char *d = tc->e.drop, *bar;
		int drop = 0;

		while (d != NULL && !drop) {
			bar = strchr(d, '|');
			drop = strncmp(base_zone[i], d, bar != NULL ?
			    (size_t)(bar - d) : strlen(d)) == 0;
			d = bar != NULL ? bar + 1 : NULL;
		}
		if (!drop)
			(void)qstr_catf(&z, "%s\n", base_zone[i]);
	}
	if (tc->e.add != NULL)
		(void)qstr_cat(&z, tc->e.add);
	assert_int_equal(dns_fake_load(f, qstr_str(&z), z.len, why,
	    sizeof(why)), 0);
	dns_fake_resolver(f, &r);
	mig = replaced(base_mig, tc->e.from, tc->e.to);
	assert_int_equal(cut_mig_parse(mig, strlen(mig), "OUT/migration.json",
	    &m, why, sizeof(why)), 0);
	memset(&o, 0, sizeof(o));
	o.ip = "198.51.100.25";
	o.helo = "mx1.example.com";
	senders[0] = tc->sender != NULL ? tc->sender : "example.com";
	o.senders = senders;
	o.nsenders = 1;
	qpm_clock_fixed(&clk, &now);
	o.clock = &clk;
	rc = cutover_run(&m, &o, &r, res);
	cut_mig_free(&m);
	free(mig);
	qstr_free(&z);
	dns_fake_free(f);
	return rc;
}

static void
test_cases(void **state)
{
	size_t i, k, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *tc = &cases[i];
		struct cut_result res;

		assert_int_equal(run_case(tc, &res), 0);
		if (findings_exit(&res.findings) != tc->exit_code) {
			for (j = 0; j < res.findings.n; j++)
				if (res.findings.v[j].sev != FIND_INFO)
					print_message("# %s: %s %s\n", tc->name,
					    finding_sev_str(res.findings.v[j].sev),
					    res.findings.v[j].check);
			fail_msg("%s: exit got %d, want %d", tc->name,
			    findings_exit(&res.findings), tc->exit_code);
		}
		for (k = 0; k < 3 && tc->w[k].check != NULL; k++) {
			const struct want *w = &tc->w[k];
			int found = 0;

			for (j = 0; j < res.findings.n && !found; j++) {
				const struct finding *x = &res.findings.v[j];

				if (strcmp(x->check, w->check) != 0 ||
				    x->sev != w->sev ||
				    x->temporary != w->temporary)
					continue;
				if (w->title != NULL &&
				    strstr(x->title, w->title) == NULL)
					fail_msg("%s: %s title got \"%s\", "
					    "want \"%s\"", tc->name,
					    w->check, x->title, w->title);
				if (w->old != NULL && (strcmp(finding_old_str(
				    x->old), w->old) != 0 ||
				    x->introduced != w->introduced))
					fail_msg("%s: %s old_host %s "
					    "introduced %d, want %s %d",
					    tc->name, w->check,
					    finding_old_str(x->old),
					    x->introduced, w->old,
					    w->introduced);
				if (w->fix != NULL && (x->fix == NULL ||
				    strstr(x->fix, w->fix) == NULL))
					fail_msg("%s: %s fix got \"%s\", want "
					    "\"%s\"", tc->name, w->check,
					    x->fix ? x->fix : "(none)", w->fix);
				found = 1;
			}
			if (!found)
				fail_msg("%s: no %s %s%s", tc->name,
				    finding_sev_str(w->sev), w->check,
				    w->temporary ? " (temporary)" : "");
		}
		/* the document agrees with the findings */
		assert_int_equal(json_integer_value(json_object_get(res.doc,
		    "exit_code")), tc->exit_code);
		cut_result_free(&res);
	}
}

static void
test_bad_ip(void **state)
{
	struct cut_mig m;
	struct cut_opts o;
	struct cut_result res;
	struct dns_fake *f = dns_fake_new();
	struct dns_resolver r;
	char why[256];

	(void)state;
	dns_fake_resolver(f, &r);
	assert_int_equal(cut_mig_parse(base_mig, strlen(base_mig), NULL, &m,
	    why, sizeof(why)), 0);
	memset(&o, 0, sizeof(o));
	o.ip = "198.51.100.256";
	o.helo = "mx1.example.com";
	assert_int_equal(cutover_run(&m, &o, &r, &res), QPM_EINVAL);
	cut_mig_free(&m);
	dns_fake_free(f);
}

struct mcase {
	const char	*name;
	const char	*from, *to;
	int		 err;
	const char	*why;
};

static const struct mcase mcases[] = {
	{ "version 2", "\"version\": 1", "\"version\": 2", QPM_ESYNTAX,
	    "version" },
	{ "other schema", "qmail2postfix-migration", "other", QPM_ESYNTAX,
	    "schema" },
	{ "domain name not a string", "\"name\": \"quiet.example\"",
	    "\"name\": 7", QPM_ESYNTAX, "domains[1].name: not a string" },
	{ "remote_targets not an array", "\"remote_targets\": "
	    "[\"alice@remote.example\"]", "\"remote_targets\": \"x\"",
	    QPM_ESYNTAX, "forwards[0].remote_targets: not an array" },
	{ "srs.wired a string", "\"wired\": true", "\"wired\": \"yes\"",
	    QPM_ESYNTAX, "srs.wired: not true or false" },
	{ "limits a number", "\"limits\": []", "\"limits\": 3", QPM_ESYNTAX,
	    "limits: neither" },
	{ "duplicate key", "\"settings\": []",
	    "\"settings\": [], \"settings\": []", QPM_ESYNTAX, "duplicate" },
	{ "unknown keys are ignored", "\"settings\": []",
	    "\"settings\": [], \"future\": {\"x\": [1]}", 0, "" },
};

static void
test_reader_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		struct cut_mig m;
		char why[256] = "", *t;
		int err;

		t = replaced(base_mig, mcases[i].from, mcases[i].to);
		err = cut_mig_parse(t, strlen(t), "x/migration.json", &m, why,
		    sizeof(why));
		if (err != mcases[i].err || strstr(why, mcases[i].why) == NULL)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"",
			    mcases[i].name, err, why, mcases[i].err,
			    mcases[i].why);
		if (err == 0)
			assert_string_equal(m.dir, "x");
		cut_mig_free(&m);
		free(t);
	}
}

static void
test_reader_model(void **state)
{
	struct cut_mig m;
	char why[256];

	(void)state;
	assert_int_equal(cut_mig_parse(base_mig, strlen(base_mig),
	    "OUT/migration.json", &m, why, sizeof(why)), 0);
	assert_int_equal(m.ndomains, 2);
	assert_int_equal(m.nforwards, 1);
	assert_int_equal(m.forwards[0].nremote, 1);
	assert_true(cut_mig_is_mailbox(&m, "alice@example.com"));
	assert_false(cut_mig_is_mailbox(&m, "bob@example.com"));
	assert_true(m.srs_wired);
	assert_string_equal(m.srs_domain, "srs.example.com");
	assert_true(m.dkim[0].signing);
	cut_mig_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_bad_ip),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
