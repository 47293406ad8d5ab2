/*
 * NAME		cutover-report - is it safe to switch the DNS to the new host?
 * DOES		reads OUT/migration.json, checks DNS (MX, SPF, DKIM, DMARC,
 *		PTR, HELO), forwards, SRS, bounce routing, limits (and live
 *		probes), a rehearsal result; writes text, JSON or HTML; exits
 *		0 go, 1 go with warnings, 2 no-go (cutover-report(1))
 * NEVER	reads /etc/resolv.conf when --dns-server is given, sends mail,
 *		connects anywhere but --probe-limits HOST
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checks/core/dns_ldns.h"
#include "checks/cutover/cutover.h"
#include "checks/cutover/cutover_mig.h"
#include "checks/cutover/report.h"
#include "mail/exits.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/qstr.h"
#include "util/version.h"

#define PROGRAM_NAME	"cutover-report"

static void
help(void)
{
	printf("usage: %s --migration OUT/migration.json --ip NEW_IP "
	    "--helo NEW_HELO [options]\n"
	    "\n"
	    "Checks, the night before the DNS switch, whether the new host is\n"
	    "ready: per domain MX, SPF for the new IP, DKIM keys, DMARC; PTR,\n"
	    "FCrDNS and HELO of the new host; forwarded mail (plain, rewritten\n"
	    "sender, SRS); bounce routing; connection limits.\n"
	    "\n"
	    "options:\n"
	    "  --format text|json|html   output format (default text)\n"
	    "  -o, --output FILE         write there instead of stdout\n"
	    "  --dns-server ADDR[@PORT]  DNS server (repeatable; default: the\n"
	    "                            system's resolv.conf)\n"
	    "  --dns-timeout MS          per server and try (default 2000)\n"
	    "  --dns-concurrency N       DNS questions in flight (default 64;\n"
	    "                            1: one at a time, as they come)\n"
	    "  --sample-sender D|FILE    a sender domain, or a message as the\n"
	    "                            old host received it (repeatable)\n"
	    "  --srs-domain D            SRS domain (default: migration.json)\n"
	    "  --probe-limits HOST       connect to HOST's SMTP/IMAP/POP3 ports\n"
	    "  --probe-port SERVICE=PORT probe this port for SERVICE (smtp,\n"
	    "                            submission, smtps, imap, imaps, pop3,\n"
	    "                            pop3s); repeatable; default: standard\n"
	    "  --rehearsal FILE          qmail2postfix rehearse --json result\n"
	    "  --now UNIXTIME            clock (DKIM t=/x=, SRS, the report date)\n"
	    "  --color | --no-color      ANSI colours (default: on a terminal)\n"
	    "  --stats                   DNS and time figures on stderr\n"
	    "  -v                        more diagnostics\n"
	    "  -h, --help                this text\n"
	    "  -V, --version             the version\n"
	    "\n"
	    "Exit: 0 go, 1 go with warnings, 2 no-go (any blocker); 64 usage,\n"
	    "65 unreadable migration.json, 70 internal error. See "
	    "cutover-report(1).\n", PROGRAM_NAME);
}

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
	fprintf(stderr, "usage: %s --migration OUT/migration.json --ip NEW_IP "
	    "--helo NEW_HELO [--format text|json|html] [-o FILE] "
	    "[--dns-server ADDR[@PORT]]... [--dns-concurrency N] "
	    "[--sample-sender DOMAIN|FILE]... "
	    "[--probe-limits HOST] [--rehearsal FILE] [--now UNIXTIME]\n",
	    PROGRAM_NAME);
	return EX_USAGE;
}

static int
parse_port(const char *arg, struct cut_probe_port *p)
{
	static const char *const svcs[] = { "smtp", "submission", "smtps",
	    "imap", "imaps", "pop3", "pop3s" };
	const char *eq = strchr(arg, '=');
	char *end;
	unsigned long v;
	size_t i;

	if (eq == NULL)
		return -1;
	for (i = 0; i < sizeof(svcs) / sizeof(svcs[0]); i++)
		if (strlen(svcs[i]) == (size_t)(eq - arg) &&
		    strncmp(svcs[i], arg, (size_t)(eq - arg)) == 0)
			break;
	if (i == sizeof(svcs) / sizeof(svcs[0]))
		return -1;
	v = strtoul(eq + 1, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return -1;
	p->service = svcs[i];
	p->port = (unsigned)v;
	return 0;
}

enum {
	O_MIGRATION = 256, O_IP, O_HELO, O_FORMAT, O_DNS, O_DNS_TIMEOUT,
	O_SENDER, O_SRS, O_PROBE, O_PORT, O_REHEARSAL, O_NOW, O_COLOR,
	O_NOCOLOR, O_STATS, O_DNS_CONC
};

/* The command line; o points into it. */
struct args {
	const char		*senders[CUT_MAX_SENDERS];
	struct cut_probe_port	 ports[CUT_MAX_PROBE_PORTS];
	size_t			 nsenders, nports;
	struct dns_ldns_opts	 dns;
	const char		*migration, *output, *format;
	struct cut_opts		 o;
	struct qpm_clock	 fixed;
	time_t			 now;
	int			 color, stats;
};

/* One option c (with optarg) into a: -1 to go on, else EX_USAGE. */
static int
option(int c, struct args *a)
{
	const char *why;
	char *end;

	switch (c) {
	case 'o': a->output = optarg; break;
	case O_MIGRATION: a->migration = optarg; break;
	case O_IP: a->o.ip = optarg; break;
	case O_HELO: a->o.helo = optarg; break;
	case O_SRS: a->o.srs_domain = optarg; break;
	case O_PROBE: a->o.probe_host = optarg; break;
	case O_REHEARSAL: a->o.rehearsal = optarg; break;
	case O_COLOR: a->color = 1; break;
	case O_NOCOLOR: a->color = 0; break;
	case O_STATS: a->stats = 1; break;
	case O_FORMAT:
		a->format = optarg;
		if (strcmp(a->format, "text") != 0 &&
		    strcmp(a->format, "json") != 0 &&
		    strcmp(a->format, "html") != 0)
			return usage("--format is text, json or html");
		break;
	case O_DNS:
	case O_DNS_TIMEOUT:
	case O_DNS_CONC:
		why = c == O_DNS ? dns_ldns_opt_server(&a->dns, optarg) :
		    c == O_DNS_TIMEOUT ? dns_ldns_opt_timeout(&a->dns, optarg) :
		    dns_ldns_opt_concurrency(&a->dns, optarg);
		if (why != NULL)
			return usage(why);
		break;
	case O_SENDER:
		if (a->nsenders == CUT_MAX_SENDERS)
			return usage("too many --sample-sender");
		a->senders[a->nsenders++] = optarg;
		break;
	case O_PORT:
		if (a->nports == CUT_MAX_PROBE_PORTS)
			return usage("too many --probe-port");
		if (parse_port(optarg, &a->ports[a->nports]) < 0)
			return usage("--probe-port wants SERVICE=PORT");
		a->nports++;
		break;
	case O_NOW:
		a->now = (time_t)strtoll(optarg, &end, 10);
		if (*end != '\0' || *optarg == '\0' || a->now < 0)
			return usage("--now wants a unix time");
		qpm_clock_fixed(&a->fixed, &a->now);
		a->o.clock = &a->fixed;
		break;
	default:
		return usage(NULL);
	}
	return -1;
}

/* argv into a; dnsdesc: the --dns-server list for the report.  -1 to
 * go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct args *a, struct qstr *dnsdesc)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "output", required_argument, NULL, 'o' },
		{ "migration", required_argument, NULL, O_MIGRATION },
		{ "ip", required_argument, NULL, O_IP },
		{ "helo", required_argument, NULL, O_HELO },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "dns-server", required_argument, NULL, O_DNS },
		{ "dns-timeout", required_argument, NULL, O_DNS_TIMEOUT },
		{ "dns-concurrency", required_argument, NULL, O_DNS_CONC },
		{ "sample-sender", required_argument, NULL, O_SENDER },
		{ "srs-domain", required_argument, NULL, O_SRS },
		{ "probe-limits", required_argument, NULL, O_PROBE },
		{ "probe-port", required_argument, NULL, O_PORT },
		{ "rehearsal", required_argument, NULL, O_REHEARSAL },
		{ "now", required_argument, NULL, O_NOW },
		{ "color", no_argument, NULL, O_COLOR },
		{ "no-color", no_argument, NULL, O_NOCOLOR },
		{ "stats", no_argument, NULL, O_STATS },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "hVvo:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case 'V':
			qpm_version(PROGRAM_NAME);
			return 0;
		case 'v':
			msg_verbose++;
			break;
		default:
			if ((rc = option(c, a)) >= 0)
				return rc;
		}
	}
	if (optind != argc)
		return usage("unexpected argument");
	if (a->migration == NULL || a->o.ip == NULL || a->o.helo == NULL)
		return usage("--migration, --ip and --helo are required");
	a->o.senders = a->senders;
	a->o.nsenders = a->nsenders;
	a->o.ports = a->ports;
	a->o.nports = a->nports;
	for (size_t i = 0; i < a->dns.nservers; i++)
		(void)qstr_catf(dnsdesc, "%s%s", i ? "," : "",
		    a->dns.servers[i]);
	a->o.dns_desc = a->dns.nservers > 0 ? qstr_str(dnsdesc) : NULL;
	if (a->color < 0)
		a->color = a->output == NULL && isatty(STDOUT_FILENO) &&
		    getenv("NO_COLOR") == NULL;
	return -1;
}

/* The report in a's format into out, then into --output or on stdout:
 * 0 or the exit status after a diagnostic. */
static int
write_report(const struct args *a, const struct cut_result *res,
    struct qstr *out)
{
	int rc;

	if (strcmp(a->format, "json") == 0)
		rc = report_json(res->doc, out);
	else if (strcmp(a->format, "html") == 0)
		rc = report_html(res->doc, out);
	else
		rc = report_text(res->doc, a->color, out);
	if (rc < 0) {
		msg_errorx("report: %s", qpm_strerror(rc));
		return EX_SOFTWARE;
	}
	if (a->output != NULL) {
		if ((rc = file_write_atomic(a->output, out,
		    QPM_MODE_PUBLIC)) < 0) {
			msg_errorx("%s: %s", a->output, qpm_strerror(rc));
			return EX_CANTCREAT;
		}
	} else if (fwrite(out->buf != NULL ? out->buf : "", 1, out->len,
	    stdout) != out->len || fflush(stdout) != 0) {
		msg_warn("stdout");
		return EX_IOERR;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct cut_mig m;
	struct cut_result res;
	struct dns_ldns *dl = NULL;
	struct dns_ldns_stats st;
	struct qstr out = QSTR_INIT(QPM_MAX_STRING), dnsdesc = QSTR_INIT(1024);
	int exit_code = EX_SOFTWARE, rc, have_m = 0, rounds = 0;
	char why[512];
	double t0, t1, t2;

	msg_init(PROGRAM_NAME, MSG_STDERR);
	memset(&a, 0, sizeof(a));
	a.format = "text";
	a.color = -1;
	memset(&res, 0, sizeof(res));
	if ((rc = parse_args(argc, argv, &a, &dnsdesc)) >= 0) {
		qstr_free(&dnsdesc);
		return rc;
	}

	t0 = qpm_clock_mono();
	if ((rc = cut_mig_load(a.migration, &m, why, sizeof(why))) < 0) {
		msg_errorx("%s: %s", a.migration, why);
		exit_code = EX_DATAERR;
		goto out;
	}
	have_m = 1;
	if (dns_ldns_new(&dl, a.dns.servers, a.dns.nservers,
	    (unsigned)a.dns.timeout_ms, why, sizeof(why)) < 0) {
		msg_errorx("DNS: %s", why);
		exit_code = EX_CONFIG;
		goto out;
	}
	t1 = qpm_clock_mono();
	rc = cutover_run_dns(&m, &a.o, dl, (unsigned)a.dns.concurrency, &res,
	    &rounds);
	t2 = qpm_clock_mono();
	if (rc == QPM_EINVAL) {
		exit_code = usage("--ip is not an IPv4 or IPv6 address");
		goto out;
	}
	if (rc < 0) {
		msg_errorx("checks: %s", qpm_strerror(rc));
		goto out;
	}
	if ((exit_code = write_report(&a, &res, &out)) != 0)
		goto out;
	if (a.stats) {
		dns_ldns_get_stats(dl, &st);
		fprintf(stderr, "%s: stats: domains %zu forwards %lu "
		    "predictions %lu; DNS: %lu queries asked, %lu answered "
		    "from the cache, %lu packets sent (%lu TCP), %lu timeouts, "
		    "%lu asked ahead in %d rounds (at most %ld in flight); "
		    "time: read %.3f s, checks %.3f s\n", PROGRAM_NAME,
		    m.ndomains, res.stats.forwards, res.stats.predictions,
		    st.queries, st.cache_hits, st.sent, st.tcp, st.timeouts,
		    st.noted, rounds, a.dns.concurrency ? a.dns.concurrency :
		    DNS_LDNS_CONCURRENCY, t1 - t0, t2 - t1);
	}
	exit_code = findings_exit(&res.findings);
out:
	cut_result_free(&res);
	if (have_m)
		cut_mig_free(&m);
	dns_ldns_free(dl);
	qstr_free(&out);
	qstr_free(&dnsdesc);
	return exit_code;
}
