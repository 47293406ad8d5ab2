/*
 * NAME		test_spf_rfc7208 - the OpenSPF RFC 7208 suite, case by case
 * DOES		reads the suite as converted by rfc7208-convert.py (zones and
 *		cases), serves each scenario's zone from dns_fake, runs
 *		spf_check for every case and prints one TAP line per case:
 *		the result must be one the suite allows, and the explanation
 *		must match where the suite names one ("DEFAULT" is the
 *		default explanation, as in the suite's own driver)
 * NEVER	skips a case or marks it as expected to fail
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/core/spf.h"
#include "tests/lib/dns_fake.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/lines.h"
#include "util/qstr.h"

#define SUITE_MAX	(4 * 1024 * 1024)

struct tcase {
	char	*id, *helo, *host, *mailfrom, *result, *explanation;
};

static char *
unescape(const char *s, size_t *outlen)
{
	size_t len = strlen(s), i, o = 0;
	char *p = malloc(len + 1);
	unsigned v;

	if (p == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && s[i + 1] == 'x') {
			if (i + 3 < len + 1 && sscanf(s + i + 2, "%2x", &v) == 1 &&
			    s[i + 2] != '\0' && s[i + 3] != '\0') {
				p[o++] = (char)v;
				i += 3;
			} else
				i += 1;	/* "\x" alone: the empty string */
			continue;
		}
		p[o++] = s[i];
	}
	p[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return p;
}

static void
tcase_free(struct tcase *t)
{
	free(t->id);
	free(t->helo);
	free(t->host);
	free(t->mailfrom);
	free(t->result);
	free(t->explanation);
	memset(t, 0, sizeof(*t));
}

static int
result_allowed(const char *list, const char *got)
{
	size_t n = strlen(got);
	const char *p = list;

	while ((p = strstr(p, got)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int ntest, nfail;
static char scenario[256];

static void
run_case(struct dns_fake *zone, const struct tcase *t)
{
	struct dns_resolver r;
	struct spf_result res;
	struct spf_ctx *ctx;
	struct qpm_clock clock;
	static time_t fixed = 1700000000;
	const char *got, *exp;
	int ok, err;

	dns_fake_resolver(zone, &r);
	qpm_clock_fixed(&clock, &fixed);
	ntest++;
	if ((ctx = spf_ctx_new(&r, "receiver.example.org", &clock)) == NULL ||
	    spf_ctx_set_default_exp(ctx, "DEFAULT") < 0) {
		printf("not ok %d - %s: out of memory\n", ntest, t->id);
		nfail++;
		spf_ctx_free(ctx);
		return;
	}
	err = spf_check(ctx, t->host, t->helo, t->mailfrom, SPF_ID_MAILFROM,
	    &res);
	if (err < 0) {
		printf("not ok %d - %s: %s: spf_check: %s\n", ntest, scenario,
		    t->id, qpm_strerror(err));
		nfail++;
		spf_ctx_free(ctx);
		return;
	}
	got = spf_res_str(res.result);
	exp = res.explanation ? res.explanation : "";
	ok = result_allowed(t->result, got) &&
	    (t->explanation == NULL || strcmp(t->explanation, exp) == 0);
	if (ok)
		printf("ok %d - %s: %s: %s\n", ntest, scenario, t->id, got);
	else {
		nfail++;
		printf("not ok %d - %s: %s: got %s, want %s\n", ntest,
		    scenario, t->id, got, t->result);
		if (t->explanation != NULL)
			printf("# explanation: got \"%s\", want \"%s\"\n", exp,
			    t->explanation);
		printf("# lookups %u, void %u, problem: %s\n", res.lookups,
		    res.void_lookups, res.problem ? res.problem : "-");
	}
	spf_result_free(&res);
	spf_ctx_free(ctx);
}

static int
zone_line(struct dns_fake *zone, char *rest)
{
	char *name, *type, *value, *n, *v;
	size_t vlen;
	int t, err;

	name = strtok(rest, " ");
	type = strtok(NULL, " ");
	value = strtok(NULL, " ");
	if (name == NULL || type == NULL || value == NULL)
		return QPM_ESYNTAX;
	if ((n = unescape(name, NULL)) == NULL)
		return QPM_ENOMEM;
	t = strcmp(type, "*") == 0 ? 0 : dns_type_from_str(type);
	if (strcmp(value, "TIMEOUT") == 0)
		err = dns_fake_add_error(zone, n, t, DNS_TEMPFAIL, "timeout");
	else if (t == 0)
		err = QPM_ESYNTAX;
	else if ((v = unescape(value, &vlen)) == NULL)
		err = QPM_ENOMEM;
	else {
		err = dns_fake_add(zone, n, t, v, vlen);
		free(v);
	}
	free(n);
	return err;
}

int
main(int argc, char **argv)
{
	struct qstr path = QSTR_INIT(4096);
	struct dns_fake *zone = NULL;
	struct tcase t;
	struct lines lr;
	const char *line, *bd;
	size_t len;
	char *buf = NULL, *rest, **slot;
	int n, planned = 0;

	memset(&t, 0, sizeof(t));
	if (argc > 1)
		qstr_cat(&path, argv[1]);
	else {
		bd = getenv("top_builddir");
		qstr_catf(&path, "%s/tests/data/rfc7208-tests.txt",
		    bd ? bd : ".");
	}
	/* count the cases first: the plan comes before the lines */
	if (lines_open(&lr, path.buf, 1 << 20) < 0) {
		printf("1..1\nnot ok 1 - cannot read %s\n", path.buf);
		return 1;
	}
	while ((n = lines_next(&lr, &line, &len)) > 0)
		planned += strncmp(line, "test ", 5) == 0;
	lines_close(&lr);
	printf("1..%d\n", planned);
	if (lines_open(&lr, path.buf, 1 << 20) < 0)
		return 1;
	while ((n = lines_next(&lr, &line, &len)) > 0) {
		free(buf);
		if ((buf = strdup(line)) == NULL)
			break;
		rest = strchr(buf, ' ');
		if (rest != NULL)
			*rest++ = '\0';
		else
			rest = buf + strlen(buf);
		slot = NULL;
		if (strcmp(buf, "scenario") == 0) {
			char *d = unescape(rest, NULL);

			snprintf(scenario, sizeof(scenario), "%s", d ? d : "");
			free(d);
			for (char *c = scenario; *c; c++)
				if ((unsigned char)*c < 0x20)
					*c = ' ';
			dns_fake_free(zone);
			if ((zone = dns_fake_new()) == NULL)
				break;
		} else if (strcmp(buf, "zone") == 0) {
			if (zone == NULL || zone_line(zone, rest) < 0) {
				printf("# %s:%lu: bad zone line\n", path.buf,
				    lr.lineno);
				nfail++;
			}
		} else if (strcmp(buf, "test") == 0) {
			tcase_free(&t);
			slot = &t.id;
		} else if (strcmp(buf, "helo") == 0)
			slot = &t.helo;
		else if (strcmp(buf, "host") == 0)
			slot = &t.host;
		else if (strcmp(buf, "mailfrom") == 0)
			slot = &t.mailfrom;
		else if (strcmp(buf, "result") == 0) {
			free(t.result);
			t.result = strdup(rest);
		} else if (strcmp(buf, "explanation") == 0)
			slot = &t.explanation;
		else if (strcmp(buf, "end") == 0 && zone != NULL)
			run_case(zone, &t);
		if (slot != NULL) {
			free(*slot);
			*slot = unescape(rest, NULL);
		}
	}
	free(buf);
	lines_close(&lr);
	tcase_free(&t);
	dns_fake_free(zone);
	qstr_free(&path);
	printf("# RFC 7208 suite: %d of %d cases pass\n", ntest - nfail,
	    planned);
	fprintf(stderr, "RFC 7208 suite: %d of %d cases pass\n",
	    ntest - nfail, planned);
	return 0;
}
