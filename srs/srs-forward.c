/*
 * NAME		srs-forward - the .forward / .qmail / pipe(8) forwarder
 * DOES		takes the true envelope sender from the "From " line or the
 *		leading Return-Path: header (qmail without preline: $NEWSENDER
 *		or $SENDER), rewrites it with SRS, and streams the message
 *		unchanged to "sendmail -i -f SRS -- RECIPIENT..." in constant
 *		memory; keeps Delivered-To:, stops loops; exits 0 only when
 *		sendmail took the whole message and exited 0
 * NEVER	runs as root, trusts Postfix's filtered $SENDER, exits with
 *		anything but 75 on a failure that may pass (Postfix's local(8)
 *		and pipe(8) defer only on 75 and 71 and bounce on 1, 100 and
 *		111), prints a "5." line unless the failure is a loop, closes
 *		sendmail's stdin before killing it on an abort (an EOF would
 *		queue a cut message)
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/exits.h"
#include "srs/srs.h"
#include "util/err.h"
#include "util/feed.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/version.h"

#define PROGRAM_NAME	"srs-forward"
#define DEFAULT_SECRET	SYSCONFDIR "/qmail2postfix/srs-secret"

#define FWD_HEADER_MAX	(256 * 1024)	/* header scanned for loops */
#define FWD_DEF_TIMEOUT	300		/* s without progress */
#define FWD_DEF_HOPS	20		/* Delivered-To: lines */
#define FWD_MAX_RCPTS	1000

enum {
	OPT_SENDMAIL = 256, OPT_TIMEOUT, OPT_LONG, OPT_HOPS, OPT_NOW,
	OPT_ALPHABET, OPT_SEPARATOR
};

static char hbuf[FWD_HEADER_MAX];
/* file-wide: the fatal-signal handler kills it */
static struct feed ch;

static void
help(void)
{
	printf("usage: %s [options] [--] RECIPIENT...\n"
	    "Forward the message on stdin to RECIPIENT(s) through sendmail with\n"
	    "an SRS envelope sender. For .forward (Postfix), .qmail (qmail) and\n"
	    "a Postfix pipe(8) transport (flags=FRq).\n"
	    "\n"
	    "  -d, --domain DOMAIN      SRS domain (repeat: the first is written,\n"
	    "                           all count as ours)\n"
	    "  -s, --secret FILE        secrets, one per line, the first signs\n"
	    "                           (default %s)\n"
	    "      --sendmail PATH      (default %s)\n"
	    "      --timeout S          give up when sendmail makes no progress\n"
	    "                           for S seconds (default %d): kill it, exit 75\n"
	    "      --long-local tempfail|plain  SRS local part over 64 octets:\n"
	    "                           exit 75 (default) or forward with the\n"
	    "                           original sender and a warning\n"
	    "      --hop-limit N        loop: N or more Delivered-To: lines\n"
	    "                           (default %d); a Delivered-To: naming a\n"
	    "                           RECIPIENT is a loop too\n"
	    "      --hash-alphabet base64|base64url, --separator =|+|-\n"
	    "      --now UNIXTIME       use this time instead of the clock\n"
	    "  -v, --verbose            also log to stderr\n"
	    "  -h, --help, -V, --version\n"
	    "Exit: 0 forwarded; 75 (with a 4.x.x line) on anything that may\n"
	    "pass later; 65 (with 5.4.6) on a mail loop.\n",
	    PROGRAM_NAME, DEFAULT_SECRET, QPM_SENDMAIL, FWD_DEF_TIMEOUT,
	    FWD_DEF_HOPS);
}

/* The one status line: a DSN code first, so that Postfix takes it. */
static int
fail(int code, const char *dsn, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", dsn, PROGRAM_NAME, text);
	fflush(stderr);
	msg_errorx("%s %s", dsn, text);
	return code;
}

/* Killed from outside (local(8)'s time limit): take sendmail down with
 * us, or its EOF would queue what it has read so far. */
static void
on_fatal_signal(int sig)
{
	static const char m[] = "4.3.0 " PROGRAM_NAME ": terminated by signal\n";

	feed_kill(&ch);
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(QPM_EXIT_TEMPFAIL);
	_exit(QPM_EXIT_TEMPFAIL);
}

static int
starts_ci(const char *p, size_t n, const char *pfx)
{
	size_t i, m = strlen(pfx);
	unsigned char a, b;

	if (n < m)
		return 0;
	for (i = 0; i < m; i++) {
		a = (unsigned char)p[i];
		b = (unsigned char)pfx[i];
		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return 0;
	}
	return 1;
}

/* The sender of a "From SENDER  DATE" line (Postfix quotes a local part
 * with spaces).  Returns 0 and sets *s, *n, or -1. */
static int
from_line_sender(const char *line, size_t len, const char **s, size_t *n)
{
	size_t i = 5;
	int inq = 0;

	for (; i < len; i++) {
		if (inq && line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] == '"')
			inq = !inq;
		else if (!inq && line[i] == ' ')
			break;
	}
	if (inq || i == 5)
		return -1;
	*s = line + 5;
	*n = i - 5;
	return 0;
}

/* "Return-Path: <ADDR>" -> ADDR. */
static int
return_path_sender(const char *line, size_t len, const char **s, size_t *n)
{
	const char *lt, *gt;

	if ((lt = memchr(line, '<', len)) == NULL)
		return -1;
	for (gt = line + len; gt > lt && gt[-1] != '>'; gt--)
		;
	if (gt <= lt + 0 || gt[-1] != '>' || gt - 1 <= lt)
		return -1;
	*s = lt + 1;
	*n = (size_t)(gt - 1 - lt - 1);
	return 0;
}

static int
header_end(const char *p, size_t n)
{
	size_t i;

	if (n >= 1 && p[0] == '\n')
		return 1;
	for (i = 0; i + 1 < n; i++)
		if (p[i] == '\n' && (p[i + 1] == '\n' ||
		    (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')))
			return 1;
	return 0;
}

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
	    (*p)[*n - 1] == '\r'))
		(*n)--;
	if (*n >= 2 && (*p)[0] == '<' && (*p)[*n - 1] == '>') {
		(*p)++;
		*n -= 2;
	}
}

static int
eq_ci(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && starts_ci(a, an, b);
}

static ssize_t
read_some(int fd, char *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* What one run knows: the options, then what the message said. */
struct fwd {
	const char		*secret, *sendmail;
	const char		*domains[SRS_MAX_DOMAINS];
	size_t			 ndomains;
	enum srs_long_policy	 policy;
	long			 hop_limit, timeout;
	time_t			 now_t;
	int			 have_now, where;
	struct srs		*srs;
	char			**rcpt;		/* argv's recipients */
	size_t			 nrcpt;
	char			**cargv;	/* sendmail's */
	/* the held header: hbuf[pos..hlen) goes to sendmail */
	size_t			 hlen, pos;
	int			 eof, from_line, null_sender, warn_long;
	const char		*snd;		/* the sender, sn octets */
	size_t			 sn;
	char			 sender[SRS_OUT_MAX];	/* the new one */
};

/* The options into f: 0, 1 after --help or --version, -1 for usage. */
static int
parse_args(struct fwd *f, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "secret", required_argument, NULL, 's' },
		{ "sendmail", required_argument, NULL, OPT_SENDMAIL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "long-local", required_argument, NULL, OPT_LONG },
		{ "hop-limit", required_argument, NULL, OPT_HOPS },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "hash-alphabet", required_argument, NULL, OPT_ALPHABET },
		{ "separator", required_argument, NULL, OPT_SEPARATOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long lv;
	int c;

	while ((c = getopt_long(argc, argv, "d:s:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (f->ndomains >= SRS_MAX_DOMAINS)
				return -1;
			f->domains[f->ndomains++] = optarg;
			break;
		case 's':
			f->secret = optarg;
			break;
		case OPT_SENDMAIL:
			f->sendmail = optarg;
			break;
		case OPT_TIMEOUT:
			if (num_parse_long(optarg, 1, 86400, &f->timeout) < 0)
				return -1;
			break;
		case OPT_LONG:
			if (srs_long_policy_parse(optarg, &f->policy) < 0)
				return -1;
			break;
		case OPT_HOPS:
			if (num_parse_long(optarg, 1, 1000, &f->hop_limit) < 0)
				return -1;
			break;
		case OPT_NOW:
			if (num_parse_long(optarg, 0, 0x7fffffffL * 64, &lv) < 0)
				return -1;
			f->now_t = (time_t)lv;
			f->have_now = 1;
			break;
		case OPT_ALPHABET:
			if (f->srs == NULL)
				break;
			if (strcmp(optarg, "base64") == 0)
				f->srs->alphabet = SRS_ALPHA_BASE64;
			else if (strcmp(optarg, "base64url") == 0)
				f->srs->alphabet = SRS_ALPHA_BASE64URL;
			else
				return -1;
			break;
		case OPT_SEPARATOR:
			if (strlen(optarg) != 1 || strchr("=+-", *optarg) ==
			    NULL)
				return -1;
			if (f->srs != NULL)
				f->srs->sep = *optarg;
			break;
		case 'v':
			msg_verbose++;
			f->where |= MSG_STDERR;
			break;
		case 'h':
			help();
			return 1;
		case 'V':
			qpm_version(PROGRAM_NAME);
			return 1;
		default:
			return -1;
		}
	}
	f->rcpt = argv + optind;
	f->nrcpt = (size_t)(argc - optind);
	return 0;
}

/* Not as root; the SRS domains and the secrets into f->srs.  0, or the
 * exit code (75) after the status line. */
static int
load_secrets(struct fwd *f)
{
	size_t k;
	int err;

	if (getuid() == 0 || geteuid() == 0)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "refusing to run "
		    "as root (run from a user's .forward or a pipe(8) "
		    "transport with user=)");
	if (f->srs == NULL)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "out of memory");
	if (f->ndomains == 0)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.5", "no SRS domain "
		    "(-d DOMAIN)");
	for (k = 0; k < f->ndomains; k++)
		if (srs_add_domain(f->srs, f->domains[k]) < 0)
			return fail(QPM_EXIT_TEMPFAIL, "4.3.5",
			    "-d %s: not a domain", f->domains[k]);
	if ((err = srs_load_secrets(f->srs, f->secret)) < 0)
		return err == QPM_EPERM ? fail(QPM_EXIT_TEMPFAIL, "4.3.5",
		    "secret file %s may be read or changed by others: "
		    SRS_SECRET_CHMOD " %s", f->secret, f->secret) :
		    fail(QPM_EXIT_TEMPFAIL, "4.3.5", "cannot read "
		    "secret file %s: %s", f->secret, err == QPM_EINVAL ?
		    "no secret in it" : qpm_strerror(err));
	if (f->have_now)
		qpm_clock_fixed(&f->srs->clock, &f->now_t);
	return 0;
}

/* 1. The envelope line(s) and the header, up to FWD_HEADER_MAX, into
 * hbuf; the sender from them or from qmail's environment.  0, or the
 * exit code (75) after the status line. */
static int
read_envelope(struct fwd *f)
{
	const char *v;
	size_t ln;
	ssize_t r;

	while (f->hlen < sizeof(hbuf) && !header_end(hbuf, f->hlen)) {
		if ((r = read_some(0, hbuf + f->hlen,
		    sizeof(hbuf) - f->hlen)) < 0)
			return fail(QPM_EXIT_TEMPFAIL, "4.3.0",
			    "cannot read the message: %s", strerror(errno));
		if (r == 0) {
			f->eof = 1;
			break;
		}
		f->hlen += (size_t)r;
	}
	if (f->hlen >= 5 && memcmp(hbuf, "From ", 5) == 0) {
		const char *nl = memchr(hbuf, '\n', f->hlen);

		if (nl == NULL || from_line_sender(hbuf, (size_t)(nl - hbuf),
		    &f->snd, &f->sn) < 0)
			return fail(QPM_EXIT_TEMPFAIL, "4.6.0",
			    "cannot parse the \"From \" line");
		f->from_line = 1;
		if (f->sn == 13 && memcmp(f->snd, "MAILER-DAEMON", 13) == 0)
			f->null_sender = 1;
		f->pos = (size_t)(nl - hbuf) + 1;
	}
	if (starts_ci(hbuf + f->pos, f->hlen - f->pos, "Return-Path:")) {
		const char *nl = memchr(hbuf + f->pos, '\n', f->hlen - f->pos);

		ln = nl != NULL ? (size_t)(nl - hbuf - f->pos) :
		    f->hlen - f->pos;
		if (return_path_sender(hbuf + f->pos, ln, &f->snd,
		    &f->sn) < 0)
			return fail(QPM_EXIT_TEMPFAIL, "4.6.0",
			    "cannot parse the Return-Path: header");
		f->null_sender = f->sn == 0;
		f->pos += ln + (nl != NULL);
	} else if (!f->from_line) {
		/* qmail without preline: NEWSENDER is what qmail's own
		 * forward uses; SENDER is exact under qmail, but Postfix
		 * filters it, so it counts only beside qmail's DTLINE */
		if ((v = getenv("NEWSENDER")) == NULL &&
		    (getenv("DTLINE") == NULL || (v = getenv("SENDER")) == NULL))
			return fail(QPM_EXIT_TEMPFAIL, "4.3.0",
			    "cannot tell the envelope sender: no \"From \" "
			    "line, no Return-Path: header, no qmail "
			    "$NEWSENDER/$SENDER");
		f->snd = v;
		f->sn = strlen(v);
		f->null_sender = f->sn == 0 || strcmp(v, "<>") == 0;
	}
	return 0;
}

/* 2. Loops: Delivered-To: lines in the header we hold.  0, or 65 (5.4.6)
 * after the status line. */
static int
check_loops(const struct fwd *f)
{
	const char *line, *v;
	char esc[256];
	size_t k, vn;
	int hops = 0;

	for (line = hbuf + f->pos; line < hbuf + f->hlen; ) {
		const char *nl = memchr(line, '\n',
		    (size_t)(hbuf + f->hlen - line));
		size_t len = nl != NULL ? (size_t)(nl - line) :
		    (size_t)(hbuf + f->hlen - line);

		if (len == 0 || (len == 1 && line[0] == '\r'))
			break;		/* end of header */
		if (starts_ci(line, len, "Delivered-To:")) {
			v = line + 13;
			vn = len - 13;
			trim(&v, &vn);
			hops++;
			for (k = 0; k < f->nrcpt; k++)
				if (eq_ci(v, vn, f->rcpt[k]))
					return fail(QPM_EXIT_DATAERR,
					    "5.4.6", "mail forwarding loop: "
					    "already delivered to %s",
					    msg_escape(esc, sizeof(esc), v,
					    vn));
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	if (hops >= f->hop_limit)
		return fail(QPM_EXIT_DATAERR, "5.4.6", "mail forwarding "
		    "loop: %d Delivered-To: lines (--hop-limit %ld)", hops,
		    f->hop_limit);
	return 0;
}

/* 3. The new envelope sender into f->sender.  0, or the exit code (75)
 * after the status line. */
static int
new_sender(struct fwd *f)
{
	char srsaddr[SRS_OUT_MAX], esc[256];
	enum srs_reason why;

	if (f->null_sender) {
		f->sender[0] = '\0';
		return 0;
	}
	if (f->sn >= sizeof(f->sender))
		return fail(QPM_EXIT_TEMPFAIL, "4.1.7",
		    "envelope sender too long");
	memcpy(f->sender, f->snd, f->sn);
	f->sender[f->sn] = '\0';
	switch (srs_forward(f->srs, f->sender, f->sn, srsaddr,
	    sizeof(srsaddr), &why)) {
	case SRS_REWRITTEN:
		memcpy(f->sender, srsaddr, strlen(srsaddr) + 1);
		break;
	case SRS_NOT_APPLICABLE:
		msg_escape(esc, sizeof(esc), f->snd, f->sn);
		if (why == SRS_WHY_TOO_LONG &&
		    f->policy == SRS_LONG_TEMPFAIL)
			return fail(QPM_EXIT_TEMPFAIL, "4.1.7",
			    "sender %s: %s (--long-local=tempfail)",
			    esc, srs_reason_text(why));
		if (why == SRS_WHY_TOO_LONG)
			f->warn_long = 1;
		msg_info("sender %s kept: %s", esc,
		    srs_reason_text(why));
		break;
	case SRS_ERROR:
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0",
		    "cannot rewrite the sender: %s",
		    srs_reason_text(why));
	}
	return 0;
}

/* How sendmail ended: 0 when it read all of the message and exited 0,
 * else 75 after the status line (1 included: local(8) bounces on it). */
static int
sendmail_exit(const struct fwd *f, int status, int unread)
{
	char said[FEED_CAPTURE * 4];

	if (unread && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s exited 0 "
		    "without reading the whole message: %s", f->sendmail,
		    feed_said(&ch, said, sizeof(said)));
	if (WIFSIGNALED(status))
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s killed by "
		    "signal %d: %s", f->sendmail, WTERMSIG(status),
		    feed_said(&ch, said, sizeof(said)));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s exited with "
		    "status %d: %s", f->sendmail, WEXITSTATUS(status),
		    feed_said(&ch, said, sizeof(said)));
	return 0;
}

/* 4. sendmail -i -f SENDER -- RECIPIENT..., and 5. the stream: (qmail:
 * its Delivered-To line,) the header, the body.  0, or the exit code
 * (75) after the status line. */
static int
reinject(struct fwd *f)
{
	char said[FEED_CAPTURE * 4];
	const char *dtline;
	size_t k;
	int err, status, unread;

	if ((f->cargv = calloc(f->nrcpt + 6, sizeof(*f->cargv))) == NULL)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "out of memory");
	f->cargv[0] = (char *)f->sendmail;
	f->cargv[1] = (char *)"-i";
	f->cargv[2] = (char *)"-f";
	f->cargv[3] = f->sender;
	f->cargv[4] = (char *)"--";
	for (k = 0; k < f->nrcpt; k++)
		f->cargv[5 + k] = f->rcpt[k];
	if (f->sendmail[0] != '/')
		return fail(QPM_EXIT_TEMPFAIL, "4.3.5", "--sendmail %s: "
		    "an absolute path is needed", f->sendmail);
	if (feed_start(&ch, f->sendmail, f->cargv, (int)f->timeout,
	    &err) < 0)
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "cannot run %s: "
		    "%s", f->sendmail, strerror(err != 0 ? err : errno));

	dtline = f->from_line ? NULL : getenv("DTLINE");
	if (dtline != NULL && getenv("NEWSENDER") != NULL &&
	    feed_write(&ch, dtline, strlen(dtline)) < 0)
		goto timeout;
	if (feed_write(&ch, hbuf + f->pos, f->hlen - f->pos) < 0)
		goto timeout;
	if (!f->eof && (err = feed_copy(&ch, 0)) != 0) {
		if (err == -1)
			goto timeout;
		feed_kill(&ch);
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0",
		    "cannot read the message: %s", strerror(errno));
	}
	if (ch.in_broken) {
		/* it stopped reading: whatever it says, the copy is cut */
		feed_kill(&ch);
		(void)feed_finish(&ch, &status, &unread);
		return fail(QPM_EXIT_TEMPFAIL, "4.3.0", "%s stopped "
		    "reading the message: %s", f->sendmail,
		    feed_said(&ch, said, sizeof(said)));
	}
	if (feed_finish(&ch, &status, &unread) < 0)
		goto timeout;
	return sendmail_exit(f, status, unread);
timeout:
	feed_kill(&ch);
	return fail(QPM_EXIT_TEMPFAIL, "4.4.7", "%s made no progress for "
	    "%ld s: killed", f->sendmail, f->timeout);
}

int
main(int argc, char **argv)
{
	struct fwd f;
	struct sigaction sa;
	char esc[256];
	int rc, exit_code = QPM_EXIT_TEMPFAIL;

	memset(&f, 0, sizeof(f));
	f.secret = DEFAULT_SECRET;
	f.sendmail = QPM_SENDMAIL;
	f.policy = SRS_LONG_TEMPFAIL;
	f.hop_limit = FWD_DEF_HOPS;
	f.timeout = FWD_DEF_TIMEOUT;
	f.where = MSG_SYSLOG;
	feed_init(&ch);
	msg_init(PROGRAM_NAME, MSG_SYSLOG);
	f.srs = srs_new();
	if ((rc = parse_args(&f, argc, argv)) > 0) {
		srs_free(f.srs);
		return 0;
	}
	if (rc < 0)
		goto usage;
	/* from here on, every line of ours on stderr starts with a DSN code
	 * unless -v asked for more */
	msg_init(PROGRAM_NAME, f.where);
	if (f.nrcpt == 0 || f.nrcpt > FWD_MAX_RCPTS)
		goto usage;
	if ((rc = load_secrets(&f)) != 0) {
		exit_code = rc;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if ((rc = read_envelope(&f)) != 0 || (rc = check_loops(&f)) != 0 ||
	    (rc = new_sender(&f)) != 0 || (rc = reinject(&f)) != 0) {
		exit_code = rc;
		goto out;
	}
	if (f.warn_long) {
		msg_escape(esc, sizeof(esc), f.snd, f.sn);
		fprintf(stderr, "%s: warning: forwarded with the original "
		    "sender %s: %s (--long-local=plain)\n", PROGRAM_NAME, esc,
		    srs_reason_text(SRS_WHY_TOO_LONG));
	}
	msg_debug("forwarded from <%s>", f.sender);
	exit_code = 0;
	goto out;
usage:
	fprintf(stderr, "4.3.5 %s: usage: %s [-d DOMAIN] [-s SECRET_FILE] "
	    "[--sendmail PATH] [--timeout S] [--] RECIPIENT...\n",
	    PROGRAM_NAME, PROGRAM_NAME);
	exit_code = QPM_EXIT_TEMPFAIL;
out:
	feed_close(&ch);
	free(f.cargv);
	srs_free(f.srs);
	return exit_code;
}
