/*
 * NAME		q2p-dotqmail - one old .qmail file, run as qmail-local ran it
 * DOES		called by a Postfix pipe(8) service once per message and
 *		recipient: keeps the message in an unlinked file, computes
 *		qmail-local's environment (lib/mail/qlocal.c) from what the
 *		migration decided, then runs the file's lines in order:
 *		programs through /bin/sh -c in the file's directory,
 *		mailboxes through dovecot-lda (Return-Path and Delivered-To
 *		in front), forwards through sendmail (Delivered-To in front,
 *		qmail-local's envelope sender); exit 99 skips the remaining
 *		lines, 100 and 64/65/70/76/77/78/112 bounce, anything else
 *		defers
 * NEVER	exits with anything but 0, 69 (a bounce qmail would have
 *		made) or 75 (Postfix defers only on 75 and 71), runs as root
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/exits.h"
#include "mail/qlocal.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/strlist.h"
#include "util/version.h"

#define PROGRAM_NAME	"q2p-dotqmail"
#define DEF_SENDMAIL	"/usr/sbin/sendmail"
#define DEF_LDA		"/usr/lib/dovecot/dovecot-lda"
/* qmail-local's programs inherit qmail-start's environment, which
 * qmail's rc makes with env - PATH="/var/qmail/bin:$PATH" from the boot
 * PATH: the recorded programs saw exactly this */
#define QMAIL_PATH	"/var/qmail/bin:/usr/local/bin:/usr/bin:/bin"
#define DQ_MAX_ARGS	64		/* -p and -w options */
#define DQ_HEADER_MAX	(256 * 1024)	/* header scanned for the loop */
#define FWD_AV_MAX	(QPM_MAX_QMAIL_LINES + 16)	/* sendmail's argv */

/* what qmail-local's run of the file ends in */
enum dq_end { DQ_OK = 1, DQ_BOUNCE, DQ_DEFER };

struct dq {
	const char	*file, *dir, *sendmail, *lda, *lda_conf, *pf_conf;
	const char	*vp[DQ_MAX_ARGS];	/* -p host:prefix */
	size_t		 nvp;
	const char	*wrap[DQ_MAX_ARGS];	/* -w: the rehearsal's recorder */
	size_t		 nwrap;
	const char	*ldaopt[DQ_MAX_ARGS];	/* -O: dovecot-lda -o */
	size_t		 nldaopt;
	int		 vdeliver;		/* -V: a file vdelivermail read */
	int		 msg;			/* the message, seekable */
	struct qlocal_in in;
	struct qlocal_env env;
	struct strlist	 envp;			/* the programs' environment */
	struct strlist	 fwd;			/* qmail-local: sent at the end */
	struct qstr	 vpbuf;			/* the host's prefix */
};

static void
help(void)
{
	printf("usage: %s [options] -- SENDER RECIPIENT LINE...\n"
	    "Run the lines of one old .qmail file for the message on stdin, as\n"
	    "qmail-local (and, with -V, vdelivermail) ran them. qmail2postfix\n"
	    "writes the call into master.cf; each LINE is NK TEXT with N the\n"
	    "line number and K one of | (program), & (forward), > (mailbox\n"
	    "user@domain[/folder]), ! (bounce with TEXT).\n"
	    "\n"
	    "  -f FILE     the old .qmail file (messages only)\n"
	    "  -c DIR      the directory programs run in (the file's)\n"
	    "  -u USER -h HOME -d DASH   users/assign's user, home and dash\n"
	    "  -a KEY -x EXT             users/assign's key (stripped from LOCAL\n"
	    "                            for EXT) and ext field\n"
	    "  -e          EXT is all of LOCAL (qmail-lspawn's ~alias)\n"
	    "  -q NAME     the .qmail file qmail-local read, after \".qmail\"\n"
	    "              and DASH (\"default\", \"orders\"): DEFAULT\n"
	    "  -p HOST:PREFIX:KEY  control/virtualdomains' PREFIX for HOST and\n"
	    "              the users/assign KEY there (repeat; replaces -a)\n"
	    "  -V          the lines were read by vdelivermail (a user's .qmail\n"
	    "              or a valias row); -q naming the whole local part of\n"
	    "              the recipient then counts as \"default\"\n"
	    "  -s PATH     sendmail (default %s), -S DIR its -C\n"
	    "  -l PATH     dovecot-lda (default %s), -L FILE its -c,\n"
	    "              -O NAME=VALUE its -o (repeat)\n"
	    "  -w ARG      run ARG... FILE:LINE DIR before /bin/sh -c (repeat;\n"
	    "              the rehearsal records programs this way)\n"
	    "Exit: 0 delivered, 69 bounced, 75 deferred.\n",
	    PROGRAM_NAME, DEF_SENDMAIL, DEF_LDA);
}

static int
usage(void)
{
	fprintf(stderr, "usage: %s [options] -- SENDER RECIPIENT LINE...\n",
	    PROGRAM_NAME);
	return QPM_EXIT_TEMPFAIL;
}

/* the message from stdin into an unlinked file: programs each read it
 * from the start, as qmail-local's seekable descriptor 0 */
static int
keep_message(void)
{
	char path[] = "/tmp/q2p-dotqmail.XXXXXX", buf[65536];
	ssize_t n, w, off;
	int fd;

	if ((fd = mkstemp(path)) < 0)
		return -1;
	(void)unlink(path);
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(fd, buf + off, (size_t)(n - off))) < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				goto fail;
			}
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* 1 when the header already holds line (qmail-local's bouncexf) */
static int
has_header_line(int fd, const char *line)
{
	static char buf[DQ_HEADER_MAX + 1];
	size_t len = 0, n = strlen(line);
	ssize_t r;
	char *p, *e;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while (len < DQ_HEADER_MAX &&
	    (r = read(fd, buf + len, DQ_HEADER_MAX - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	for (p = buf; p < buf + len && *p != '\n'; p = e + 1) {
		if ((e = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			break;
		if ((size_t)(e + 1 - p) == n && memcmp(p, line, n) == 0)
			return 1;
	}
	return 0;
}

/* a child's end as qmail-local reads it */
static enum qlocal_exit
child_end(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return QLOCAL_DEFER;
	if (!WIFEXITED(st))
		return QLOCAL_DEFER;	/* "Aack, child crashed" */
	return qlocal_exit_class(WEXITSTATUS(st));
}

static enum qlocal_exit
run_program(struct dq *d, const struct qlocal_line *l)
{
	char *av[DQ_MAX_ARGS + 6], where[QPM_MAX_PATH * 8];
	size_t i, k = 0;
	pid_t pid;

	if (qpm_snprintf(where, sizeof(where), "%s:%lu", d->file,
	    l->lineno) < 0)
		return QLOCAL_DEFER;
	for (i = 0; i < d->nwrap; i++)
		av[k++] = (char *)d->wrap[i];
	if (d->nwrap > 0) {
		av[k++] = where;
		av[k++] = (char *)d->dir;
	}
	av[k++] = "/bin/sh";
	av[k++] = "-c";
	av[k++] = (char *)l->text;
	av[k] = NULL;
	if (lseek(d->msg, 0, SEEK_SET) < 0 || (pid = fork()) < 0) {
		msg_warn("%s: cannot run the program", where);
		return QLOCAL_DEFER;
	}
	if (pid == 0) {
		/* the rehearsal records the directory; the old one is not
		 * on its host */
		if (dup2(d->msg, 0) < 0 ||
		    (d->nwrap == 0 && chdir(d->dir) < 0)) {
			fprintf(stdout, "Unable to switch to %s. (#4.3.0)\n",
			    d->dir);
			_exit(QMAIL_EXIT_SOFT);
		}
		signal(SIGPIPE, SIG_DFL);
		execve(av[0], av, d->envp.v);
		fprintf(stdout, "Unable to run %s. (#4.3.0)\n", av[0]);
		_exit(QMAIL_EXIT_SOFT);
	}
	return child_end(pid);
}

/* head, then the message, into av's stdin; the command's end */
static enum qlocal_exit
feed_command(struct dq *d, char *const av[], const char *head)
{
	char buf[65536];
	ssize_t n, w, off;
	int pp[2], bad = 0;
	size_t hl = strlen(head);
	pid_t pid;

	if (lseek(d->msg, 0, SEEK_SET) < 0 || pipe(pp) < 0)
		return QLOCAL_DEFER;
	if ((pid = fork()) < 0) {
		close(pp[0]);
		close(pp[1]);
		return QLOCAL_DEFER;
	}
	if (pid == 0) {
		close(pp[1]);
		if (dup2(pp[0], 0) < 0)
			_exit(EX_TEMPFAIL);
		signal(SIGPIPE, SIG_DFL);
		execve(av[0], av, d->envp.v);
		fprintf(stdout, "Unable to run %s. (#4.3.0)\n", av[0]);
		_exit(EX_TEMPFAIL);
	}
	close(pp[0]);
	signal(SIGPIPE, SIG_IGN);
	if (write(pp[1], head, hl) != (ssize_t)hl)
		bad = 1;
	while (!bad && (n = read(d->msg, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			bad = 1;
			break;
		}
		for (off = 0; off < n && !bad; off += w)
			if ((w = write(pp[1], buf + off, (size_t)(n - off))) < 0)
				bad = 1;
	}
	if (bad)	/* a cut message must not be queued */
		kill(pid, SIGKILL);
	close(pp[1]);
	if (child_end(pid) != QLOCAL_DONE || bad)
		return QLOCAL_DEFER;
	return QLOCAL_DONE;
}

/* av = PATH [FLAG CONF]: sendmail -C, dovecot-lda -c; the count */
static size_t
cmd_start(char **av, const char *path, const char *flag, const char *conf)
{
	size_t k = 0;

	av[k++] = (char *)path;
	if (conf != NULL) {
		av[k++] = (char *)flag;
		av[k++] = (char *)conf;
	}
	return k;
}

/* sendmail -i -f SENDER -- RCPT..., Delivered-To in front */
static enum qlocal_exit
forward(struct dq *d, const struct strlist *rcpt, const char *sender,
    const char *head)
{
	char *av[FWD_AV_MAX];
	size_t i, k = 0;

	if (rcpt->n + 8 > FWD_AV_MAX)
		return QLOCAL_DEFER;
	k = cmd_start(av, d->sendmail, "-C", d->pf_conf);
	av[k++] = "-i";
	av[k++] = "-f";
	av[k++] = (char *)sender;
	av[k++] = "--";
	for (i = 0; i < rcpt->n; i++)
		av[k++] = rcpt->v[i];
	av[k] = NULL;
	return feed_command(d, av, head);
}

/* dovecot-lda -d USER@DOMAIN [-m FOLDER] -f SENDER, Return-Path and
 * Delivered-To in front (qmail-local's maildir delivery) */
static enum qlocal_exit
mailbox(struct dq *d, const struct qlocal_line *l)
{
	struct qstr user = QSTR_INIT(QPM_MAX_CONFIG_LINE), head =
	    QSTR_INIT(QPM_MAX_CONFIG_LINE * 2);
	const char *slash = memchr(l->text, '/', l->len);
	char *av[2 * DQ_MAX_ARGS + 16];
	size_t k = 0, i;
	enum qlocal_exit x = QLOCAL_DEFER;

	if (qstr_catn(&user, l->text, slash != NULL ?
	    (size_t)(slash - l->text) : l->len) < 0 ||
	    qstr_cat(&head, qstr_str(&d->env.rpline)) < 0)
		goto out;
	/* vdelivermail names the mailbox's address; qmail-local its own */
	if (d->vdeliver ? qstr_catf(&head, "Delivered-To: %s\n",
	    qstr_str(&user)) < 0 : qstr_cat(&head,
	    qstr_str(&d->env.dtline)) < 0)
		goto out;
	k = cmd_start(av, d->lda, "-c", d->lda_conf);
	for (i = 0; i < d->nldaopt; i++) {
		av[k++] = "-o";
		av[k++] = (char *)d->ldaopt[i];
	}
	av[k++] = "-d";
	av[k++] = (char *)qstr_str(&user);
	av[k++] = "-f";
	av[k++] = (char *)d->in.sender;
	if (slash != NULL && slash[1] != '\0') {
		av[k++] = "-m";
		av[k++] = (char *)slash + 1;
	}
	av[k] = NULL;
	x = feed_command(d, av, qstr_str(&head));
out:
	qstr_free(&user);
	qstr_free(&head);
	return x;
}

/* vdelivermail's forward: one at a time, Delivered-To without the
 * virtualdomains prefix */
static enum qlocal_exit
vd_forward(struct dq *d, const char *addr)
{
	struct strlist one = { 0 };
	struct qstr head = QSTR_INIT(QPM_MAX_CONFIG_LINE * 2);
	const char *r = qstr_str(&d->env.recipient), *at = strrchr(r, '@');
	size_t skip = at != NULL ? strlen(at + 1) + 1 : 0;
	enum qlocal_exit x = QLOCAL_DEFER;

	if (skip > strlen(r))
		skip = 0;
	if (strlist_add(&one, addr) == 0 &&
	    qstr_catf(&head, "Delivered-To: %s\n", r + skip) == 0)
		x = forward(d, &one, d->in.sender, qstr_str(&head));
	strlist_free(&one);
	qstr_free(&head);
	return x;
}

static enum dq_end
end_of(enum qlocal_exit x)
{
	switch (x) {
	case QLOCAL_DONE:
	case QLOCAL_STOP:
		return DQ_OK;
	case QLOCAL_BOUNCE:
		return DQ_BOUNCE;
	case QLOCAL_DEFER:
		return DQ_DEFER;
	}
	return DQ_DEFER;
}

/* the lines in file order, as qmail-local's main loop */
static enum dq_end
run_lines(struct dq *d, char **lines, int n)
{
	struct qlocal_line l;
	const char *why;
	enum qlocal_exit x = QLOCAL_DONE;
	int i;

	for (i = 0; i < n; i++) {
		if (qlocal_line_parse(lines[i], &l, &why) < 0) {
			msg_warnx("line argument %d: %s", i + 1, why);
			return DQ_DEFER;
		}
		switch (l.kind) {
		case QL_PROGRAM:
			x = run_program(d, &l);
			break;
		case QL_MAILBOX:
			x = mailbox(d, &l);
			break;
		case QL_FORWARD:
			if (d->vdeliver)
				x = vd_forward(d, l.text);
			else
				x = strlist_add(&d->fwd, l.text) == 0 ?
				    QLOCAL_DONE : QLOCAL_DEFER;
			break;
		case QL_BOUNCE:
			printf("%.*s\n", (int)l.len, l.text);
			x = QLOCAL_BOUNCE;
			break;
		}
		if (x != QLOCAL_DONE) {
			if (x != QLOCAL_STOP)
				msg_warnx("%s:%lu: %s", d->file, l.lineno,
				    x == QLOCAL_BOUNCE ? "permanent failure" :
				    "temporary failure");
			if (x != QLOCAL_STOP)
				return end_of(x);
			break;
		}
	}
	/* qmail-local forwards once, after the loop, with NEWSENDER */
	if (d->fwd.n > 0)
		return end_of(forward(d, &d->fwd,
		    qstr_str(&d->env.newsender), qstr_str(&d->env.dtline)));
	return DQ_OK;
}

/* the programs' environment: qmail-start's PATH, TZ kept, pipe(8)'s
 * own variables dropped, qmail-local's set (vdelivermail adds SHELL) */
static int
make_envp(struct dq *d)
{
	const char *tz = getenv("TZ");
	struct qstr s = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	size_t i;
	int e;

	if ((e = strlist_add(&d->envp, "PATH=" QMAIL_PATH)) < 0)
		goto out;
	if (tz != NULL && ((e = qstr_catf(&s, "TZ=%s", tz)) < 0 ||
	    (e = strlist_add(&d->envp, qstr_str(&s))) < 0))
		goto out;
	if (d->vdeliver && (e = strlist_add(&d->envp, "SHELL=/bin/sh")) < 0)
		goto out;
	for (i = 0; i < d->env.env.n; i++)
		if ((e = strlist_add(&d->envp, d->env.env.v[i])) < 0)
			goto out;
	/* execve wants the NULL end: strlist keeps room for it */
	if ((e = strlist_add(&d->envp, "")) < 0)
		goto out;
	free(d->envp.v[--d->envp.n]);
	d->envp.v[d->envp.n] = NULL;
out:
	qstr_free(&s);
	return e;
}

/* qlocal's question, as qmail-local asks it in its home directory:
 * is the owner file name there (ENOENT, ENOTDIR: no; else defer) */
static int
home_has(const char *name, void *arg)
{
	struct qstr path = QSTR_INIT(QPM_MAX_PATH);
	struct stat st;
	int e;

	if ((e = qstr_catf(&path, "%s/%s", (const char *)arg, name)) == 0 &&
	    stat(qstr_str(&path), &st) < 0)
		e = errno == ENOENT || errno == ENOTDIR ? 0 : QPM_ETEMP;
	else if (e == 0)
		e = 1;
	qstr_free(&path);
	return e;
}

/* vdelivermail's valias lookup takes the row named by the whole
 * address before any "x-default" row, and sets DEFAULT only for the
 * latter: a -default file named by the address itself leaves
 * qmail-local's DEFAULT of .qmail-default (all of EXT) */
static void
vd_exact(struct dq *d)
{
	const char *at = strrchr(d->in.recipient, '@');

	if (d->vdeliver && at != NULL &&
	    strlen(d->in.qme) == (size_t)(at - d->in.recipient) &&
	    strncasecmp(d->in.recipient, d->in.qme, strlen(d->in.qme)) == 0)
		d->in.qme = "default";
}

/* -p HOST:PREFIX:KEY for the recipient's host: the virtualdomains
 * prefix (in d->vpbuf) and the users/assign key there; 0 when the host
 * has none (a local domain) */
static int
vprefix(struct dq *d, const char *recipient)
{
	const char *at = strrchr(recipient, '@'), *c, *k;
	size_t i, hl;

	if (at == NULL)
		return 0;
	hl = strlen(at + 1);
	for (i = 0; i < d->nvp; i++) {
		if ((c = strchr(d->vp[i], ':')) == NULL ||
		    (size_t)(c - d->vp[i]) != hl ||
		    strncasecmp(d->vp[i], at + 1, hl) != 0)
			continue;
		if ((k = strchr(c + 1, ':')) == NULL ||
		    qstr_catn(&d->vpbuf, c + 1, (size_t)(k - c - 1)) < 0)
			return -1;
		d->in.vprefix = qstr_str(&d->vpbuf);
		d->in.aprefix = k + 1;
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'v' + 256 },
		{ NULL, 0, NULL, 0 }
	};
	struct dq d;
	int c, exit_code = QPM_EXIT_TEMPFAIL;

	msg_init(PROGRAM_NAME, MSG_STDERR);
	memset(&d, 0, sizeof(d));
	qstr_init(&d.vpbuf, QPM_MAX_CONFIG_LINE);
	d.msg = -1;
	d.file = ".qmail";
	d.sendmail = DEF_SENDMAIL;
	d.lda = DEF_LDA;
	d.in.dash = "";
	d.in.aext = "";
	d.in.qme = "";
	while ((c = getopt_long(argc, argv, "a:c:d:ef:h:l:L:O:p:q:s:S:u:Vw:x:",
	    opts, NULL)) != -1) {
		switch (c) {
		case 'H': help(); return 0;
		case 'v' + 256: qpm_version(PROGRAM_NAME); return 0;
		case 'a': d.in.aprefix = optarg; break;
		case 'c': d.dir = optarg; break;
		case 'd': d.in.dash = optarg; break;
		case 'e': d.in.aprefix = ""; break;
		case 'f': d.file = optarg; break;
		case 'h': d.in.home = optarg; break;
		case 'l': d.lda = optarg; break;
		case 'L': d.lda_conf = optarg; break;
		case 'q': d.in.qme = optarg; break;
		case 's': d.sendmail = optarg; break;
		case 'S': d.pf_conf = optarg; break;
		case 'u': d.in.user = optarg; break;
		case 'V': d.vdeliver = 1; break;
		case 'x': d.in.aext = optarg; break;
		case 'O':
		case 'p':
		case 'w':
			if (c == 'p' && d.nvp < DQ_MAX_ARGS)
				d.vp[d.nvp++] = optarg;
			else if (c == 'w' && d.nwrap < DQ_MAX_ARGS)
				d.wrap[d.nwrap++] = optarg;
			else if (c == 'O' && d.nldaopt < DQ_MAX_ARGS)
				d.ldaopt[d.nldaopt++] = optarg;
			else
				return usage();
			break;
		default: return usage();
		}
	}
	if (argc - optind < 3 || d.in.user == NULL || d.in.home == NULL ||
	    d.dir == NULL)
		return usage();
	if (geteuid() == 0) {
		msg_warnx("refusing to run as root");
		return QPM_EXIT_TEMPFAIL;
	}
	d.in.sender = argv[optind];
	d.in.recipient = argv[optind + 1];
	d.in.exists = home_has;
	d.in.exists_arg = (void *)d.in.home;
	vd_exact(&d);
	if (vprefix(&d, d.in.recipient) < 0 ||
	    qlocal_env(&d.in, time(NULL), &d.env) < 0 || make_envp(&d) < 0) {
		msg_warnx("cannot compute the environment for %s",
		    d.in.recipient);
		goto out;
	}
	if ((d.msg = keep_message()) < 0) {
		msg_warn("cannot keep the message");
		goto out;
	}
	switch (has_header_line(d.msg, qstr_str(&d.env.dtline))) {
	case 1:
		printf("This message is looping: it already has my "
		    "Delivered-To line. (#5.4.6)\n");
		exit_code = EX_UNAVAILABLE;
		goto out;
	case 0:
		break;
	default:
		goto out;
	}
	switch (run_lines(&d, argv + optind + 2, argc - optind - 2)) {
	case DQ_OK: exit_code = 0; break;
	case DQ_BOUNCE: exit_code = EX_UNAVAILABLE; break;
	case DQ_DEFER: exit_code = QPM_EXIT_TEMPFAIL; break;
	}
out:
	fflush(stdout);
	if (d.msg >= 0)
		close(d.msg);
	qlocal_env_free(&d.env);
	strlist_free(&d.envp);
	strlist_free(&d.fwd);
	qstr_free(&d.vpbuf);
	return exit_code;
}
