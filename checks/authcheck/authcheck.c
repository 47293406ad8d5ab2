/*
 * NAME		authcheck - SPF, DKIM, DMARC, iprev and HELO as the receiver
 *		sees them; predictions for forwarded mail
 * DOES		"message": evaluates one message for a given client IP, HELO
 *		and MAIL FROM and prints an RFC 8601 Authentication-Results
 *		field (or JSON); "forward": predicts the final receiver's
 *		results for the message forwarded by the new host plainly,
 *		with qmail-inject -f rewriting, and with SRS
 * NEVER	sends mail, asks the servers of /etc/resolv.conf when
 *		--dns-server is given (libopendkim's dkim_init() reads the
 *		file for a resolver we replace)
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "checks/core/ar.h"
#include "checks/core/dns_ldns.h"
#include "checks/core/forward.h"
#include "mail/exits.h"
#include "mail/json.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/version.h"

#define PROGRAM_NAME	"authcheck"

static void
help(void)
{
	printf("usage: %s message --ip IP --helo NAME --mail-from ADDR "
	    "[options] [FILE]\n"
	    "       %s forward --via-ip IP --via-helo NAME --srs-domain D "
	    "[options] [FILE]\n"
	    "\n"
	    "message: evaluate FILE (or stdin) as a receiver would; print\n"
	    "  an RFC 8601 Authentication-Results header field.\n"
	    "forward: predict the final receiver's SPF/DKIM/DMARC for FILE\n"
	    "  forwarded by the new host: plain, qmail-inject -f, SRS.\n"
	    "\n"
	    "options:\n"
	    "  --ip IP, --helo NAME, --mail-from ADDR  the SMTP client (forward:\n"
	    "        the original client; default from Received:/Return-Path:)\n"
	    "  --via-ip IP, --via-helo NAME  the new host (forward)\n"
	    "  --srs-domain D         SRS domain (forward)\n"
	    "  --srs-secret FILE      SRS secrets (forward; default: throwaway)\n"
	    "  --rcpt ADDR            the forwarding user (forward; default:\n"
	    "                         Delivered-To:)\n"
	    "  --dns-server ADDR[@PORT]  DNS server (repeatable)\n"
	    "  --dns-timeout MS       per server and try (default 2000)\n"
	    "  --authserv-id ID       authserv-id of the A-R field\n"
	    "  --now UNIXTIME         clock for DKIM t=/x= and SPF %%{t}\n"
	    "  --json                 JSON instead of text (see authcheck(1))\n"
	    "  -v                     more diagnostics\n"
	    "  --help, --version\n", PROGRAM_NAME, PROGRAM_NAME);
}

static int
usage(const char *why)
{
	if (why != NULL)
		msg_errorx("%s", why);
	fprintf(stderr, "usage: %s message|forward [options] [FILE]; "
	    "%s --help for more\n", PROGRAM_NAME, PROGRAM_NAME);
	return EX_USAGE;
}

static int
read_input(const char *path, struct qstr *q)
{
	char buf[65536];
	size_t n;
	int rc;

	if (path != NULL && strcmp(path, "-") != 0)
		return file_read_all(path, QPM_MAX_MESSAGE, 0, q);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if ((rc = qstr_catn(q, buf, n)) < 0)
			return rc;
	return ferror(stdin) ? QPM_EIO : 0;
}

enum { O_IP = 256, O_HELO, O_MAILFROM, O_VIAIP, O_VIAHELO, O_SRSDOM,
	O_SRSSEC, O_RCPT, O_DNS, O_AUTHSERV, O_NOW, O_JSON, O_DNSTIMEOUT };

/* The command line. */
struct args {
	struct dns_ldns_opts dns;
	const char	*ip, *helo, *mailfrom, *via_ip, *via_helo;
	const char	*srs_domain, *srs_secret, *rcpt, *authserv;
	const char	*cmd, *file;
	int		 json, have_now;
	time_t		 now;
};

/* The options of argv into a: -1 to go on, else the exit status. */
static int
parse_options(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "ip", required_argument, NULL, O_IP },
		{ "helo", required_argument, NULL, O_HELO },
		{ "mail-from", required_argument, NULL, O_MAILFROM },
		{ "via-ip", required_argument, NULL, O_VIAIP },
		{ "via-helo", required_argument, NULL, O_VIAHELO },
		{ "srs-domain", required_argument, NULL, O_SRSDOM },
		{ "srs-secret", required_argument, NULL, O_SRSSEC },
		{ "rcpt", required_argument, NULL, O_RCPT },
		{ "dns-server", required_argument, NULL, O_DNS },
		{ "authserv-id", required_argument, NULL, O_AUTHSERV },
		{ "now", required_argument, NULL, O_NOW },
		{ "json", no_argument, NULL, O_JSON },
		{ "dns-timeout", required_argument, NULL, O_DNSTIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "hVv", opts, NULL)) != -1) {
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
		case O_IP: a->ip = optarg; break;
		case O_HELO: a->helo = optarg; break;
		case O_MAILFROM: a->mailfrom = optarg; break;
		case O_VIAIP: a->via_ip = optarg; break;
		case O_VIAHELO: a->via_helo = optarg; break;
		case O_SRSDOM: a->srs_domain = optarg; break;
		case O_SRSSEC: a->srs_secret = optarg; break;
		case O_RCPT: a->rcpt = optarg; break;
		case O_AUTHSERV: a->authserv = optarg; break;
		case O_JSON: a->json = 1; break;
		case O_DNS:
		case O_DNSTIMEOUT:
			why = c == O_DNS ? dns_ldns_opt_server(&a->dns,
			    optarg) : dns_ldns_opt_timeout(&a->dns, optarg);
			if (why != NULL)
				return usage(why);
			break;
		case O_NOW:
			errno = 0;
			a->now = (time_t)strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg)
				return usage("--now wants a unix time");
			a->have_now = 1;
			break;
		default:
			return usage(NULL);
		}
	}
	return -1;
}

/* The command and FILE after the options: -1 to go on, else EX_USAGE. */
static int
parse_command(int argc, char **argv, struct args *a)
{
	if (optind >= argc)
		return usage("no command: message or forward");
	a->cmd = argv[optind++];
	if (optind < argc)
		a->file = argv[optind++];
	if (optind < argc)
		return usage("one FILE at most");
	if (strcmp(a->cmd, "message") == 0) {
		if (a->ip == NULL)
			return usage("message needs --ip");
		if (a->mailfrom == NULL)
			return usage("message needs --mail-from (\"\" for <>)");
	} else if (strcmp(a->cmd, "forward") == 0) {
		if (a->via_ip == NULL || a->via_helo == NULL ||
		    a->srs_domain == NULL)
			return usage("forward needs --via-ip, --via-helo and "
			    "--srs-domain");
	} else {
		return usage("the command is message or forward");
	}
	return -1;
}

/* "message": the A-R field into out, or the JSON into *j.  0, or the
 * exit status after a diagnostic. */
static int
check_message(struct ar_ctx *ctx, const struct args *a,
    const struct qstr *msg, json_t **j, struct qstr *out)
{
	struct ar_input in = { a->ip, a->helo, a->mailfrom, msg->buf,
	    msg->len };
	struct ar_report r;
	int rc;

	if (in.msg == NULL)
		in.msg = "";
	if ((rc = ar_evaluate(ctx, &in, &r)) < 0) {
		msg_errorx("%s: %s", a->file ? a->file : "stdin",
		    rc == QPM_ERANGE ? "header block too large" :
		    rc == QPM_EINVAL ? "--ip is not an IP address" :
		    qpm_strerror(rc));
		return rc == QPM_ENOMEM ? EX_OSERR : EX_DATAERR;
	}
	if (a->json)
		*j = ar_json(&r, a->authserv);
	else
		rc = ar_format(&r, a->authserv, out);
	ar_report_free(&r);
	if (rc < 0) {
		msg_errorx("cannot write the result");
		return EX_IOERR;
	}
	return 0;
}

/* "forward": the predictions into out, or the JSON into *j.  0, or the
 * exit status after a diagnostic. */
static int
check_forward(struct ar_ctx *ctx, const struct args *a,
    const struct qstr *msg, const struct qpm_clock *clock, json_t **j,
    struct qstr *out)
{
	struct fwd_input in;
	struct fwd_report r;
	int rc;

	memset(&in, 0, sizeof(in));
	in.msg = msg->buf ? msg->buf : "";
	in.len = msg->len;
	in.ip = a->ip;
	in.helo = a->helo;
	in.mailfrom = a->mailfrom;
	in.rcpt = a->rcpt;
	in.via_ip = a->via_ip;
	in.via_helo = a->via_helo;
	in.srs_domain = a->srs_domain;
	in.srs_secret_file = a->srs_secret;
	in.clock = clock;
	if ((rc = fwd_predict(ctx, &in, &r)) < 0) {
		msg_errorx("%s: %s", a->file ? a->file : "stdin",
		    rc == QPM_EINVAL ? "no usable client IP (give "
		    "--ip, or a Received: field with one)" :
		    rc == QPM_ERANGE ? "header block too large" :
		    qpm_strerror(rc));
		return rc == QPM_ENOMEM ? EX_OSERR : EX_DATAERR;
	}
	if (a->json)
		*j = fwd_json(&r);
	else
		rc = fwd_format(&r, out);
	fwd_report_free(&r);
	if (rc < 0) {
		msg_errorx("cannot write the result");
		return EX_IOERR;
	}
	return 0;
}

/* The JSON j, or the text out with a final newline, on stdout: 0 or
 * the exit status after a diagnostic. */
static int
print_result(int json, const json_t *j, const struct qstr *out)
{
	if (json) {
		if (j == NULL || qpm_json_write_fp(stdout, j) < 0) {
			msg_errorx("cannot write JSON");
			return EX_IOERR;
		}
	} else if (fwrite(out->buf, 1, out->len, stdout) != out->len ||
	    (out->len > 0 && out->buf[out->len - 1] != '\n' &&
	    putchar('\n') == EOF)) {
		msg_errorx("cannot write the result");
		return EX_IOERR;
	}
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

int
main(int argc, char **argv)
{
	struct args a;
	char host[256], why[256];
	int exit_code = EX_SOFTWARE, rc;
	struct qpm_clock fixed, *clock = NULL;
	struct dns_ldns *dl = NULL;
	struct dns_resolver res;
	struct ar_ctx *ctx = NULL;
	struct qstr msgbuf = QSTR_INIT(QPM_MAX_MESSAGE + 1);
	struct qstr out = QSTR_INIT(QPM_MAX_STRING);
	json_t *j = NULL;

	/*
	 * One message per process, and OpenSSL is only asked to verify
	 * DKIM signatures (libopendkim: SHA-1/SHA-256, RSA, Ed25519). Before
	 * any other OpenSSL use: no clean-up at exit (it frees what exit
	 * frees anyway); no table of every cipher name (libopendkim's
	 * dkim_init() asks for it, nothing here uses a cipher); no error
	 * texts (loaded with the first error state; our output never shows
	 * an OpenSSL error string). 0.3 ms of a message's 3 ms. openssl.cnf
	 * is still read: a system's provider settings still apply.
	 */
	(void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT |
	    OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
	msg_init(PROGRAM_NAME, MSG_STDERR);
	memset(&a, 0, sizeof(a));
	if ((rc = parse_options(argc, argv, &a)) >= 0 ||
	    (rc = parse_command(argc, argv, &a)) >= 0)
		return rc;
	if (a.authserv == NULL) {
		if (gethostname(host, sizeof(host)) != 0)
			(void)qpm_snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		a.authserv = host;
	}
	if (a.have_now) {
		qpm_clock_fixed(&fixed, &a.now);
		clock = &fixed;
	}

	if ((rc = read_input(a.file, &msgbuf)) < 0) {
		msg_errorx("%s: %s", a.file ? a.file : "stdin",
		    qpm_strerror(rc));
		exit_code = rc == QPM_ERANGE ? EX_DATAERR : EX_NOINPUT;
		goto out;
	}
	if (dns_ldns_new(&dl, a.dns.servers, a.dns.nservers,
	    (unsigned)a.dns.timeout_ms, why, sizeof(why)) < 0) {
		msg_errorx("DNS: %s", why);
		exit_code = a.dns.nservers ? EX_USAGE : EX_OSERR;
		goto out;
	}
	dns_ldns_resolver(dl, &res);
	if ((ctx = ar_ctx_new(&res, a.authserv, clock)) == NULL) {
		msg_errorx("cannot set up the checks (libopendkim, libpsl, "
		    "libspf2, memory)");
		exit_code = EX_SOFTWARE;
		goto out;
	}
	if (strcmp(a.cmd, "message") == 0)
		exit_code = check_message(ctx, &a, &msgbuf, &j, &out);
	else
		exit_code = check_forward(ctx, &a, &msgbuf, clock, &j, &out);
	if (exit_code == 0)
		exit_code = print_result(a.json, j, &out);
out:
	json_decref(j);
	ar_ctx_free(ctx);
	dns_ldns_free(dl);
	qstr_free(&msgbuf);
	qstr_free(&out);
	return exit_code;
}
