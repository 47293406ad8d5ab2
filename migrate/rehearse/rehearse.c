/*
 * NAME		rehearse - "qmail2postfix rehearse OUT": the dress rehearsal
 * DOES		copies OUT's Postfix and Dovecot configuration into a private
 *		directory, moves it onto loopback (rehearse_conf.c), starts
 *		Postfix, Dovecot and a capture sink (Postfix's smtp-sink),
 *		sends one probe per address, logs in with every cleartext
 *		password, waits for the queue to settle, stops everything and
 *		reports where each probe ended (seen on disk: the Maildir and
 *		its Dovecot users, the sink's files, the pipe's own record),
 *		against the migration model (the expectation only)
 * NEVER	writes below OUT or the old tree, creates a system user,
 *		runs a .qmail program, lets mail leave 127.0.0.1, prints a
 *		password
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/exits.h"
#include "mail/json.h"
#include "mail/pfmaps.h"
#include "migrate/rehearse/rehearse.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/version.h"

#define PROGRAM_NAME	"qmail2postfix rehearse"
#define RH_EXIT_MISMATCH	1	/* ran; something behaved differently */
#define RH_EXIT_NOTRUN		2	/* could not rehearse */
#define RH_MAX_FILE		(64 * 1024 * 1024)	/* a copied config file */
#define RH_MAX_SECRET		(64 * 1024)	/* OUT/srs/secret */
#define RH_SENDER_DOMAIN	"rehearse.invalid"	/* RFC 6761: never real */

struct rh_probe {
	char		*addr;
	char		 id[128];	/* Message-ID without <> */
	char		 sender[128];
	char		 qid[64];
	int		 sent;		/* 0 not tried, 1 queued, 2 refused, 3 error */
	int		 dsn, queued;
	struct qstr	 reply;
	struct rh_result got, want;
	int		 status;	/* 1 match, 0 mismatch, 2 not converted */
	struct qstr	 why;
};

struct rh_login_row {
	char		*addr;
	char		*pass;		/* NULL: no cleartext kept */
	enum rh_login	 res[3];	/* imap, pop3, smtp; 0 = skipped */
	char		*reply[3];
	int		 mismatch;
};

static const char *const proto_names[3] = { "imap", "pop3", "smtp" };
static const char *const proto_keys[3] = { "imap_login", "pop3_login",
    "smtp_auth" };

struct rh_run {
	/* options */
	const char	*out;
	const char	*user_opt;
	const char	*passwords;
	int		 json, keep, strict, timeout, logins, limits;
	struct rh_limits *lim;		/* --limits */
	struct strlist	 extra;
	struct qpm_clock clock;
	/* state */
	char		 tmp[512];
	struct rh_paths	 p;
	char		 pf_conf[600], pf_queue[600], dc_dir[600], dc_conf[700];
	char		 mail_root[600], sink_dir[600], pipe_dir[600];
	char		 recorder[600], cmdlog[600], old_queue[600];
	pid_t		 sink_pid, dc_pid, pf_pid;
	int		 pf_started;
	json_t		*model_json;
	struct rh_model	*m;
	struct strlist	 homes, notes, clients, dc_files;
	struct strlist	 home_users;	/* Dovecot's user of each of homes */
	struct rh_probe	*probes;
	size_t		 nprobes;
	struct rh_login_row *logins_v;
	size_t		 nlogins;
	json_t		*by_id;		/* Message-ID / sender -> probe index */
	/* SRS: migration.json "srs" when wired (rehearsed), else why not */
	int		 srs, srs_hold, srs_port, srs_bounce_sent;
	char		 srs_skip[256];
	char		 srs_domain[256], srs_socket[256], srs_transport[128];
	char		 srs_fwd[1024], srs_map[1024], srs_secret[600];
	char		 srs_bounce_from[256], srs_bounce_addr[1024];
	char		 srs_forged[1024];
	struct qstr	 srs_reverse, srs_bounce_reply, srs_forged_reply;
	pid_t		 srs_pid;
	json_t		*sink_recs;	/* [{probe, from, rcpt}] at the sink */
	json_t		*srs_report;
	size_t		 srs_failed, local_ok, local_bad;
	char		 local_bad_ex[700];
};

static volatile sig_atomic_t rh_interrupted;

static void
on_signal(int sig)
{
	rh_interrupted = sig;
}

static void
help(void)
{
	printf("usage: qmail2postfix rehearse OUT [--json] [--probe ADDRESS]... "
	    "[options]\n"
	    "\n"
	    "Starts private Postfix and Dovecot instances from OUT on loopback,\n"
	    "sends a probe to every address the migration knows, logs in with\n"
	    "every cleartext password the old host kept, stops everything and\n"
	    "reports where each probe ended, next to what the old host did.\n"
	    "With SRS wired in OUT, srs-map and the srsfwd pipe run for real:\n"
	    "forwards must carry SRS0 senders that reverse, a bounce to one\n"
	    "must come back, a forged one must be refused.\n"
	    "Must run as root; nothing outside a temporary directory changes.\n"
	    "\n"
	    "  --json               the report as JSON on stdout\n"
	    "  --probe ADDRESS      probe this address too (repeatable)\n"
	    "  --passwords FILE     more cleartext passwords (address TAB password)\n"
	    "  --user NAME          the unprivileged user for mail files and\n"
	    "                       recorded programs [vpopmail, else nobody]\n"
	    "  --timeout SECONDS    how long the queue may take to settle [120]\n"
	    "  --no-logins          probe addresses only\n"
	    "  --limits             also prove OUT's connection limits with\n"
	    "                       real connections (qmail2postfix(8))\n"
	    "  --strict             addresses the migration listed as not\n"
	    "                       converted count as differences too\n"
	    "  --keep               keep the temporary directory (logs, mail)\n"
	    "  -v, --verbose        progress on stderr\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "\n"
	    "Exit: 0 everything behaved as on the old host, 1 differences,\n"
	    "failed SRS checks or failed limit probes (listed), 2 the\n"
	    "rehearsal could not run.\n"
	    "See qmail2postfix(8).\n");
}

static int
usage(void)
{
	fprintf(stderr, "usage: qmail2postfix rehearse OUT [--json] "
	    "[--probe ADDRESS]... [--keep]\n");
	return RH_EXIT_NOTRUN;
}

/* ------------------------------------------------------------ helpers */

static int bad_address(const char *a);
static void angle(const char *v, char *out, size_t size);

static int
path_join(char *buf, size_t size, const char *a, const char *b)
{
	return qpm_snprintf(buf, size, "%s/%s", a, b);
}

/* Runs argv, output to the command log; its exit status or -1. With
 * bind (a main.cf), in a mount namespace of its own where bind is
 * /etc/postfix/main.cf (so a non-root sendmail run by a pipe reaches
 * the private instance; postfix-files and the rest stay the host's). */
static int
run_cmd_ns(struct rh_run *r, char *const argv[], struct qstr *output,
    const char *bind)
{
	pid_t pid;
	int st, fd;

	if (msg_verbose) {
		struct qstr s = QSTR_INIT(8192);
		size_t i;

		for (i = 0; argv[i] != NULL; i++)
			qstr_catf(&s, "%s%s", i ? " " : "", argv[i]);
		msg_info("running %s", qstr_str(&s));
		qstr_free(&s);
	}
	if ((fd = open(r->cmdlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (bind != NULL && (unshare(CLONE_NEWNS) < 0 ||
		    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount(bind, "/etc/postfix/main.cf", NULL, MS_BIND,
		    NULL) < 0)) {
			dprintf(2, "a mount namespace with %s on "
			    "/etc/postfix/main.cf: %s\n", bind, strerror(errno));
			_exit(126);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (output != NULL) {
		qstr_reset(output);
		file_read_all(r->cmdlog, 1024 * 1024, 0, output);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
run_cmd(struct rh_run *r, char *const argv[], struct qstr *output)
{
	return run_cmd_ns(r, argv, output, NULL);
}

/* the last lines of the command log, for an error message */
static const char *
cmd_tail(struct rh_run *r, struct qstr *buf)
{
	size_t i, n = 0;

	qstr_reset(buf);
	if (file_read_all(r->cmdlog, 1024 * 1024, 0, buf) < 0 || buf->len == 0)
		return "(no output)";
	for (i = buf->len; i > 0; i--)
		if (buf->buf[i - 1] == '\n' && ++n > 4)
			break;
	for (n = i; n < buf->len; n++)
		if (buf->buf[n] == '\n')
			buf->buf[n] = ' ';
	return buf->buf + i;
}

static pid_t
spawn(struct rh_run *r, char *const argv[], const char *logname)
{
	char log[700];
	pid_t pid;
	int fd;

	if (path_join(log, sizeof(log), r->tmp, logname) < 0 ||
	    (fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		setsid();
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd);
	return pid;
}

static int
alive(pid_t pid)
{
	return pid > 0 && kill(pid, 0) == 0;
}

/* SIGTERM, then up to tenths/10 s, then SIGKILL; reaps a child */
static void
stop_pid(pid_t pid, int tenths, int child)
{
	struct timespec ts = { 0, 100000000 };
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (tenths-- > 0) {
		if (child ? waitpid(pid, &st, WNOHANG) == pid : !alive(pid))
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	if (child)
		waitpid(pid, &st, 0);
}

/* wait until something accepts on 127.0.0.1:port; 0 or -1 */
static int
wait_port(int port, int tenths)
{
	struct timespec ts = { 0, 100000000 };

	while (tenths-- > 0 && !rh_interrupted) {
		if (rh_tcp_connects(port))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int
copy_dir(const char *src, const char *dst, struct strlist *names)
{
	char sp[1024], dp[1024];
	struct qstr data = QSTR_INIT(RH_MAX_FILE);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int e = 0;

	if ((d = opendir(src)) == NULL) {
		msg_warn("%s", src);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (path_join(sp, sizeof(sp), src, de->d_name) < 0 ||
		    path_join(dp, sizeof(dp), dst, de->d_name) < 0 ||
		    lstat(sp, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		qstr_reset(&data);
		if ((e = file_read_all(sp, RH_MAX_FILE, FILE_READ_NOFOLLOW,
		    &data)) < 0 || (e = file_write_atomic_buf(dp, data.buf,
		    data.len, (st.st_mode & 077) ? QPM_MODE_PUBLIC :
		    QPM_MODE_SECRET)) < 0) {
			msg_errorx("cannot copy %s: %s", sp, qpm_strerror(e));
			break;
		}
		if (names != NULL && (e = strlist_add(names, de->d_name)) < 0)
			break;
	}
	closedir(d);
	qstr_free(&data);
	return e < 0 ? -1 : 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? 0 : 0;
	return unlink(path) < 0 && errno != ENOENT ? 0 : 0;
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static int
mkdir_owned(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (file_mkdirs(path, mode) < 0 && errno != EEXIST)
		return -1;
	if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0)
		return -1;
	return 0;
}

/* reads a file into a qstr; the caller frees */
static int
slurp(const char *path, struct qstr *q)
{
	qstr_init(q, RH_MAX_FILE);
	return file_read_all(path, RH_MAX_FILE, FILE_READ_NOFOLLOW, q);
}

static int
spit(const char *path, const struct qstr *q, mode_t mode)
{
	int e;

	if ((e = file_write_atomic(path, q, mode)) < 0)
		msg_errorx("cannot write %s: %s", path, qpm_strerror(e));
	return e;
}

/* ------------------------------------------------------------- setup */

static const char recorder_sh[] =
    "#!/bin/sh\n"
    "# qmail2postfix rehearse: stands in for a pipe(8) program. Records\n"
    "# its arguments (hex), environment and message, then exits 0.\n"
    "LC_ALL=C\nexport LC_ALL\n"
    "umask 077\n"
    "d=$1\nshift\n"
    "f=\"$d/pipe.$$.$(date +%s%N)\"\n"
    "cat >\"$f.msg\" || exit 75\n"
    "env >\"$f.env\"\n"
    "for a in \"$@\"; do\n"
    "\tprintf 'arg %s\\n' \"$(printf '%s' \"$a\" | od -An -v -tx1 | tr -d ' \\n')\"\n"
    "done >\"$f.tmp\" && mv \"$f.tmp\" \"$f.rec\" || exit 75\n"
    "exit 0\n";

static int next_port_fn(void) { return rh_free_port(); }

static int
map_user(struct rh_run *r)
{
	struct passwd *pw = NULL;

	if (r->user_opt != NULL)
		pw = getpwnam(r->user_opt);
	else if ((pw = getpwnam("vpopmail")) == NULL)
		pw = getpwnam("nobody");
	if (pw == NULL || pw->pw_uid == 0) {
		msg_errorx("no unprivileged user %s for the mail files",
		    r->user_opt ? r->user_opt : "vpopmail or nobody");
		return -1;
	}
	if ((r->p.user = strdup(pw->pw_name)) == NULL)
		return -1;
	r->p.uid = pw->pw_uid;
	r->p.gid = pw->pw_gid;
	return 0;
}

/* ---------------------------------------------------------------- SRS */

/* name next to this qmail2postfix (the same build), else at the path
 * the migration wrote into master.cf, else in PATH */
static int
srs_find_prog(const char *name, const char *written, char *out, size_t size)
{
	char self[1024], *slash;
	const char *path = getenv("PATH"), *s, *e;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if (qpm_snprintf(out, size, "%s/%s", self, name) >= 0 &&
			    access(out, X_OK) == 0)
				return 0;
		}
	}
	if (written != NULL && *written == '/' &&
	    qpm_snprintf(out, size, "%s", written) >= 0 && access(out, X_OK) == 0)
		return 0;
	for (s = path; s != NULL && *s != '\0'; s = *e ? e + 1 : e) {
		e = s + strcspn(s, ":");
		if (e > s && *s == '/' && qpm_snprintf(out, size, "%.*s/%s",
		    (int)(e - s), s, name) >= 0 && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* migration.json "srs": the domain, srs-map's socket, the pipe; the
 * programs found; OUT/srs/secret copied for the mail user (0600) */
static int
srs_prepare(struct rh_run *r)
{
	json_t *o = json_object_get(r->model_json, "srs");
	const char *dom, *sock, *tr, *fwd;
	char src[1024], dir[700], written[1024], *slash;
	struct qstr sec = QSTR_INIT(RH_MAX_SECRET);
	int rc = -1;

	if (!json_is_object(o) || !json_is_true(json_object_get(o, "wired"))) {
		qpm_snprintf(r->srs_skip, sizeof(r->srs_skip), "OUT has no SRS "
		    "wiring (made with --no-srs): forwards keep their sender");
		return 0;
	}
	dom = json_string_value(json_object_get(o, "domain"));
	sock = json_string_value(json_object_get(o, "socket"));
	tr = json_string_value(json_object_get(o, "transport"));
	fwd = json_string_value(json_object_get(o, "forwarder"));
	if (dom == NULL || sock == NULL || tr == NULL || bad_address(dom) ||
	    qpm_snprintf(r->srs_domain, sizeof(r->srs_domain), "%s", dom) < 0 ||
	    qpm_snprintf(r->srs_socket, sizeof(r->srs_socket), "%s", sock) < 0 ||
	    qpm_snprintf(r->srs_transport, sizeof(r->srs_transport), "%s",
	    tr) < 0) {
		msg_errorx("%s/migration.json: srs without a usable domain, "
		    "socket or transport", r->out);
		goto out;
	}
	if (srs_find_prog("srs-forward", fwd, r->srs_fwd,
	    sizeof(r->srs_fwd)) < 0) {
		msg_errorx("srs-forward: not next to qmail2postfix, not at %s, "
		    "not in PATH", fwd ? fwd : "(none)");
		goto out;
	}
	written[0] = '\0';
	if (fwd != NULL && qpm_snprintf(written, sizeof(written), "%s", fwd) >= 0 &&
	    (slash = strrchr(written, '/')) != NULL)
		qpm_snprintf(slash + 1, sizeof(written) - (size_t)(slash + 1 -
		    written), "srs-map");
	if (srs_find_prog("srs-map", written, r->srs_map,
	    sizeof(r->srs_map)) < 0) {
		msg_errorx("srs-map: not next to qmail2postfix, not next to %s, "
		    "not in PATH", fwd ? fwd : "srs-forward");
		goto out;
	}
	if (path_join(src, sizeof(src), r->out, "srs/secret") < 0 ||
	    path_join(dir, sizeof(dir), r->tmp, "srs") < 0 ||
	    path_join(r->srs_secret, sizeof(r->srs_secret), dir, "secret") < 0)
		goto out;
	if (file_read_all(src, RH_MAX_SECRET, FILE_READ_NOFOLLOW,
	    &sec) < 0 || sec.len == 0) {
		msg_errorx("%s: no SRS secret", src);
		goto out;
	}
	if (mkdir_owned(dir, 0700, r->p.uid, r->p.gid) < 0 ||
	    file_write_atomic(r->srs_secret, &sec, 0600) < 0 ||
	    chown(r->srs_secret, r->p.uid, r->p.gid) < 0) {
		msg_warn("%s", r->srs_secret);
		goto out;
	}
	if ((r->srs_port = rh_free_port()) < 0)
		goto out;
	r->p.srs_transport = r->srs_transport;
	r->p.srs_forward = r->srs_fwd;
	r->p.srs_secret = r->srs_secret;
	if ((r->sink_recs = json_array()) == NULL)
		goto out;
	r->srs = 1;
	rc = 0;
out:
	if (sec.buf != NULL)
		memset(sec.buf, 0, sec.len);
	qstr_free(&sec);
	return rc;
}

static int
setup_postfix(struct rh_run *r)
{
	char src[1024], path[1024];
	struct qstr text = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	struct qstr tail = QSTR_INIT(1024 * 1024);
	struct strlist over = { 0 }, maps = { 0 };
	char **argv = NULL;
	const char *v;
	struct passwd *pf;
	size_t i, n;
	int rc = -1, st;

	if (path_join(src, sizeof(src), r->out, "postfix") < 0 ||
	    file_mkdirs(r->pf_conf, 0755) < 0 || copy_dir(src, r->pf_conf,
	    NULL) < 0)
		goto out;
	/* OUT's queue directory, to find it in dovecot.conf's listeners */
	{
		char *av[] = { "postconf", "-c", src, "-h", "queue_directory", NULL };

		if (run_cmd(r, av, &tail) != 0) {
			msg_errorx("postconf -c %s: %s", src, cmd_tail(r, &tail));
			goto out;
		}
		tail.len = strcspn(tail.buf, "\n");
		tail.buf[tail.len] = '\0';
		if (qpm_snprintf(r->old_queue, sizeof(r->old_queue), "%s",
		    tail.buf) < 0)
			goto out;
	}
	/* SRS: srs-map's socket in recipient_canonical_maps moved to the
	 * rehearsal's srs-map */
	if (r->srs) {
		char *av[] = { "postconf", "-c", r->pf_conf, "-h",
		    "recipient_canonical_maps", NULL };

		if (run_cmd(r, av, &tail) != 0) {
			msg_errorx("postconf -c %s: %s", r->pf_conf,
			    cmd_tail(r, &tail));
			goto out;
		}
		tail.len = strcspn(tail.buf, "\n");
		tail.buf[tail.len] = '\0';
		qstr_reset(&r->srs_reverse);
		if ((st = rh_srs_map_rewrite(tail.buf, r->srs_socket, r->srs_port,
		    &r->srs_reverse)) == QPM_ENOENT) {
			struct qstr note = QSTR_INIT(4096);

			qstr_catf(&note, "recipient_canonical_maps does not ask "
			    "srs-map at %s: bounces to SRS addresses are not "
			    "reversed", r->srs_socket);
			msg_warnx("%s", qstr_str(&note));
			strlist_add(&r->notes, qstr_str(&note));
			qstr_free(&note);
		} else if (st < 0)
			goto out;
		else
			r->p.srs_reverse_map = qstr_str(&r->srs_reverse);
	}
	/* master.cf */
	if (path_join(path, sizeof(path), r->pf_conf, "master.cf") < 0 ||
	    slurp(path, &text) < 0 || rh_master_rewrite(text.buf, &r->p, &out,
	    &r->notes, &r->clients) < 0 || (r->lim != NULL &&
	    rh_limits_master(r->lim, &r->p, &out) < 0) ||
	    spit(path, &out, 0644) < 0)
		goto out;
	for (i = 0; i < r->notes.n; i++)
		msg_info("not rehearsed: %s (TLS wrapper mode)", r->notes.v[i]);
	/* main.cf */
	if (rh_main_overrides(&r->p, &over) < 0 ||
	    (argv = calloc(over.n + 6, sizeof(*argv))) == NULL)
		goto out;
	n = 0;
	argv[n++] = "postconf";
	argv[n++] = "-c";
	argv[n++] = r->pf_conf;
	argv[n++] = "-e";
	for (i = 0; i < over.n; i++)
		argv[n++] = over.v[i];
	argv[n] = NULL;
	if ((st = run_cmd(r, argv, &tail)) != 0) {
		msg_errorx("postconf -e: %s", cmd_tail(r, &tail));
		goto out;
	}
	/* transport maps: remote next hops to the sink */
	{
		char *av[] = { "postconf", "-c", r->pf_conf, "-x", "-h",
		    "transport_maps", NULL };
		struct strlist tm = { 0 };
		struct qstr t2 = QSTR_INIT(1);

		if (run_cmd(r, av, &tail) != 0 || pfmaps_indexed(&tm,
		    tail.buf, r->pf_conf, 1024) < 0)
			goto out;
		for (i = 0; i < tm.n; i++) {
			v = strchr(tm.v[i], ':') + 1;
			qstr_reset(&out);
			if (slurp(v, &t2) < 0 || rh_transport_rewrite(t2.buf,
			    &r->clients, r->p.sink_port, &out, &r->notes) < 0 ||
			    spit(v, &out, 0644) < 0) {
				qstr_free(&t2);
				strlist_free(&tm);
				goto out;
			}
			qstr_free(&t2);
		}
		strlist_free(&tm);
	}
	/* postmap every indexed table below the private config dir */
	{
		char *av[] = { "postconf", "-c", r->pf_conf, "-x", "-n", NULL };

		if (run_cmd(r, av, &tail) != 0 || pfmaps_indexed(&maps,
		    tail.buf, r->pf_conf, 1024) < 0)
			goto out;
		/* an unknown parameter is a typo in OUT: say so, go on */
		for (v = strstr(tail.buf, "warning: "); v != NULL;
		    v = strstr(v + 1, "warning: "))
			msg_warnx("postconf: %.*s", (int)strcspn(v, "\n"), v);
	}
	for (i = 0; i < maps.n; i++) {
		char *av[] = { "postmap", "-c", r->pf_conf, maps.v[i], NULL };

		if (run_cmd(r, av, &tail) != 0) {
			msg_errorx("postmap %s: %s", maps.v[i], cmd_tail(r, &tail));
			goto out;
		}
	}
	/* queue and data directories; postfix check makes the rest */
	if (path_join(path, sizeof(path), r->tmp, "pf/data") < 0 ||
	    file_mkdirs(r->pf_queue, 0755) < 0 || file_mkdirs(path, 0700) < 0)
		goto out;
	if ((pf = getpwnam("postfix")) == NULL ||
	    chown(path, pf->pw_uid, pf->pw_gid) < 0) {
		msg_errorx("no postfix user to own %s", path);
		goto out;
	}
	{
		char *av[] = { "postfix", "-c", r->pf_conf, "check", NULL };

		if (run_cmd(r, av, &tail) != 0) {
			msg_errorx("postfix check: %s", cmd_tail(r, &tail));
			goto out;
		}
	}
	rc = 0;
out:
	free(argv);
	strlist_free(&over);
	strlist_free(&maps);
	qstr_free(&text);
	qstr_free(&out);
	qstr_free(&tail);
	return rc;
}

static int
setup_dovecot(struct rh_run *r)
{
	char src[1024], path[1024];
	struct qstr text = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	struct qstr tail = QSTR_INIT(1024 * 1024);
	struct passwd *dc;
	size_t i;
	int rc = -1;

	if (path_join(src, sizeof(src), r->out, "dovecot") < 0 ||
	    file_mkdirs(r->dc_dir, 0755) < 0 ||
	    copy_dir(src, r->dc_dir, &r->dc_files) < 0)
		goto out;
	if (path_join(path, sizeof(path), r->dc_dir, "run") < 0 ||
	    file_mkdirs(path, 0755) < 0 ||
	    path_join(path, sizeof(path), r->dc_dir, "state") < 0 ||
	    file_mkdirs(path, 0755) < 0)
		goto out;
	if (slurp(r->dc_conf, &text) < 0 || rh_dovecot_rewrite(text.buf, &r->p,
	    &out) < 0 || spit(r->dc_conf, &out, 0644) < 0)
		goto out;
	qstr_free(&text);
	qstr_reset(&out);
	if (path_join(path, sizeof(path), r->dc_dir, "users") < 0)
		goto out;
	if (slurp(path, &text) < 0) {
		msg_errorx("%s: no Dovecot users file in OUT", path);
		goto out;
	}
	if (rh_users_rewrite(text.buf, &r->p, &out, &r->homes,
	    &r->home_users) < 0 ||
	    spit(path, &out, 0600) < 0)
		goto out;
	/* the auth process reads them as dovecot */
	dc = getpwnam("dovecot");
	for (i = 0; dc != NULL && i < r->dc_files.n; i++) {
		if (path_join(path, sizeof(path), r->dc_dir, r->dc_files.v[i]) < 0)
			continue;
		if (strcmp(r->dc_files.v[i], "dovecot.conf") != 0 &&
		    chown(path, dc->pw_uid, dc->pw_gid) < 0)
			msg_warn("chown %s", path);
	}
	if (mkdir_owned(r->mail_root, 0755, r->p.uid, r->p.gid) < 0)
		goto out;
	/* parents 0755 root, each home 0700 for the mail user */
	for (i = 0; i < r->homes.n; i++)
		if (file_mkdirs(r->homes.v[i], 0755) < 0 ||
		    chown(r->homes.v[i], r->p.uid, r->p.gid) < 0 ||
		    chmod(r->homes.v[i], 0700) < 0) {
			msg_warn("mkdir %s", r->homes.v[i]);
			goto out;
		}
	{
		char *av[] = { "doveconf", "-c", r->dc_conf, "-n", NULL };

		if (run_cmd(r, av, &tail) != 0) {
			msg_errorx("doveconf -n: %s", cmd_tail(r, &tail));
			goto out;
		}
	}
	rc = 0;
out:
	qstr_free(&text);
	qstr_free(&out);
	qstr_free(&tail);
	return rc;
}

static int
start_all(struct rh_run *r)
{
	struct qstr tail = QSTR_INIT(1024 * 1024), pid = QSTR_INIT(64);
	char tmpl[700], hop[64], path[700], main_cf[700];
	struct timespec ts = { 0, 100000000 };
	int n, rc = -1;

	/* the capture sink: every transaction to its own file */
	if (mkdir_owned(r->sink_dir, 0700, r->p.uid, r->p.gid) < 0 ||
	    path_join(tmpl, sizeof(tmpl), r->sink_dir, "%Y%m%d%H%M%S.") < 0 ||
	    qpm_snprintf(hop, sizeof(hop), "127.0.0.1:%d", r->p.sink_port) < 0)
		goto out;
	{
		char *av[] = { "smtp-sink", "-u", (char *)r->p.user, "-d", tmpl,
		    hop, "256", NULL };

		r->sink_pid = spawn(r, av, "smtp-sink.log");
	}
	if (r->sink_pid < 0 || wait_port(r->p.sink_port, 100) < 0) {
		msg_errorx("smtp-sink does not listen on %s", hop);
		goto out;
	}
	/* SRS: srs-map for recipient_canonical_maps, before Postfix */
	if (path_join(main_cf, sizeof(main_cf), r->pf_conf, "main.cf") < 0)
		goto out;
	if (r->srs) {
		char spec[64];
		char *av[] = { r->srs_map, "-s", r->srs_secret, "-d",
		    r->srs_domain, "serve", "--socketmap", spec, "--user",
		    (char *)r->p.user, NULL };

		if (qpm_snprintf(spec, sizeof(spec), "inet:127.0.0.1:%d",
		    r->srs_port) < 0)
			goto out;
		r->srs_pid = spawn(r, av, "srs-map.log");
		if (r->srs_pid < 0 || wait_port(r->srs_port, 100) < 0) {
			msg_errorx("srs-map does not listen on %s (--keep: "
			    "srs-map.log)", spec);
			goto out;
		}
	}
	{
		char *av[] = { "postfix", "-c", r->pf_conf, "start", NULL };

		r->pf_started = 1;
		/* with SRS in a mount namespace: the srsfwd pipe's sendmail
		 * (not root) reads /etc/postfix/main.cf, which must list the
		 * private directory in alternate_config_directories */
		if (run_cmd_ns(r, av, &tail, r->srs ? main_cf : NULL) != 0) {
			msg_errorx("postfix start: %s", cmd_tail(r, &tail));
			goto out;
		}
	}
	if (path_join(path, sizeof(path), r->pf_queue, "pid/master.pid") < 0)
		goto out;
	for (n = 0; n < 100; n++) {
		qstr_reset(&pid);
		if (file_read_all(path, 64, 0, &pid) == 0 && atoi(qstr_str(&pid)) > 0)
			break;
		nanosleep(&ts, NULL);
	}
	r->pf_pid = atoi(qstr_str(&pid));
	qstr_free(&pid);
	if (r->pf_pid <= 0 || wait_port(r->p.smtp_port, 150) < 0) {
		msg_errorx("Postfix does not listen on 127.0.0.1:%d",
		    r->p.smtp_port);
		goto out;
	}
	{
		char *av[] = { "dovecot", "-F", "-c", r->dc_conf, NULL };

		r->dc_pid = spawn(r, av, "dovecot.out");
	}
	if (r->dc_pid < 0 || wait_port(r->p.imap_port, 150) < 0 ||
	    wait_port(r->p.pop3_port, 50) < 0) {
		msg_errorx("Dovecot does not listen on 127.0.0.1:%d",
		    r->p.imap_port);
		goto out;
	}
	rc = 0;
out:
	qstr_free(&tail);
	qstr_free(&pid);
	return rc;
}

static void
stop_all(struct rh_run *r)
{
	struct qstr tail = QSTR_INIT(1024 * 1024);

	if (r->pf_started) {
		char *av[] = { "postfix", "-c", r->pf_conf, "stop", NULL };

		run_cmd(r, av, &tail);
		if (r->pf_pid > 0 && alive(r->pf_pid))
			stop_pid(r->pf_pid, 100, 0);
		r->pf_started = 0;
		r->pf_pid = 0;
	}
	if (r->dc_pid > 0) {
		stop_pid(r->dc_pid, 100, 1);
		r->dc_pid = 0;
	}
	if (r->sink_pid > 0) {
		stop_pid(r->sink_pid, 30, 1);
		r->sink_pid = 0;
	}
	if (r->srs_pid > 0 && !r->srs_hold) {
		stop_pid(r->srs_pid, 30, 1);
		r->srs_pid = 0;
	}
	qstr_free(&tail);
}

/* ------------------------------------------------------------- probes */

static int
probes_build(struct rh_run *r)
{
	struct strlist all = { 0 };
	time_t now = qpm_clock_now(&r->clock);
	struct rh_probe *pr;
	size_t i;
	int e;

	if ((e = rh_model_probes(r->m, &all)) < 0)
		goto out;
	/* --probe addresses; exact duplicates once (case matters here:
	 * John.Smith and john.smith are two probes) */
	for (i = 0; i < r->extra.n; i++) {
		size_t k;

		for (k = 0; k < all.n && strcmp(all.v[k], r->extra.v[i]) != 0; k++)
			;
		if (k == all.n && (e = strlist_add(&all, r->extra.v[i])) < 0)
			goto out;
	}
	if ((r->probes = calloc(all.n ? all.n : 1, sizeof(*r->probes))) == NULL) {
		e = QPM_ENOMEM;
		goto out;
	}
	if ((r->by_id = json_object()) == NULL) {
		e = QPM_ENOMEM;
		goto out;
	}
	for (i = 0; i < all.n; i++) {
		pr = &r->probes[i];
		pr->addr = all.v[i];
		all.v[i] = NULL;
		r->nprobes++;
		rh_result_init(&pr->got);
		rh_result_init(&pr->want);
		qstr_init(&pr->reply, RH_MAX_REPLY);
		qstr_init(&pr->why, 64 * 1024);
		if (qpm_snprintf(pr->id, sizeof(pr->id), "q2p-rehearse.%zu.%ld.%ld@%s",
		    i, (long)now, (long)getpid(), RH_SENDER_DOMAIN) < 0 ||
		    qpm_snprintf(pr->sender, sizeof(pr->sender),
		    "q2p-rehearse.%zu.%ld@%s", i, (long)getpid(),
		    RH_SENDER_DOMAIN) < 0) {
			e = QPM_ERANGE;
			goto out;
		}
		json_object_set_new(r->by_id, pr->id, json_integer((json_int_t)i));
		json_object_set_new(r->by_id, pr->sender, json_integer((json_int_t)i));
		if ((e = rh_model_expect(r->m, pr->addr, &pr->want)) < 0)
			goto out;
	}
	e = 0;
out:
	strlist_free(&all);
	return e;
}

static int
bad_address(const char *a)
{
	for (; *a != '\0'; a++)
		if ((unsigned char)*a <= ' ' || *a == '<' || *a == '>' ||
		    (unsigned char)*a >= 0x7f)
			return 1;
	return 0;
}

static int
probes_send(struct rh_run *r)
{
	struct qstr msg = QSTR_INIT(64 * 1024), err = QSTR_INIT(RH_MAX_REPLY);
	struct rh_smtp *s = NULL;
	char date[64];
	time_t now = qpm_clock_now(&r->clock);
	struct tm tm;
	struct rh_probe *pr;
	size_t i;
	int rc;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	for (i = 0; i < r->nprobes && !rh_interrupted; i++) {
		pr = &r->probes[i];
		if (bad_address(pr->addr)) {
			pr->sent = 3;
			qstr_cat(&pr->reply, "not an address the rehearsal can send to");
			continue;
		}
		if (s == NULL && (s = rh_smtp_open(r->p.smtp_port,
		    RH_SENDER_DOMAIN, &err)) == NULL) {
			msg_errorx("SMTP to 127.0.0.1:%d: %s", r->p.smtp_port,
			    qstr_str(&err));
			rc = -1;
			goto out;
		}
		qstr_reset(&msg);
		qstr_catf(&msg, "From: qmail2postfix rehearsal <%s>\n"
		    "To: <%s>\nSubject: qmail2postfix rehearsal probe %zu\n"
		    "Date: %s\nMessage-ID: <%s>\n\n"
		    "A probe of qmail2postfix rehearse for %s.\n", pr->sender,
		    pr->addr, i, date, pr->id, pr->addr);
		rc = rh_smtp_send(s, pr->sender, pr->addr, msg.buf, pr->qid,
		    sizeof(pr->qid), &pr->reply);
		if (rc < 0) {	/* the session broke: once more on a new one */
			rh_smtp_close(s);
			s = NULL;
			if ((s = rh_smtp_open(r->p.smtp_port, RH_SENDER_DOMAIN,
			    &err)) == NULL ||
			    (rc = rh_smtp_send(s, pr->sender, pr->addr, msg.buf,
			    pr->qid, sizeof(pr->qid), &pr->reply)) < 0) {
				pr->sent = 3;
				continue;
			}
		}
		pr->sent = rc == 0 ? 1 : 2;
		if (msg_verbose > 1)
			msg_info("%s: %s", pr->addr, qstr_str(&pr->reply));
	}
	rc = 0;
out:
	rh_smtp_close(s);
	qstr_free(&msg);
	qstr_free(&err);
	return rc;
}

/* ------------------------------------------------------------- logins */

static int
load_passwords(struct rh_run *r, const char *path, json_t *pw)
{
	struct qstr t;
	char *line, *next, *sep;

	if (slurp(path, &t) < 0) {
		qstr_free(&t);
		return -1;
	}
	for (line = t.buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		/* "address:password" (OUT) or "address TAB password" */
		if ((sep = strchr(line, '\t')) == NULL &&
		    (sep = strchr(line, ':')) == NULL)
			continue;
		*sep = '\0';
		if (sep[1] != '\0')
			json_object_set_new(pw, line, json_string(sep + 1));
	}
	memset(t.buf, 0, t.len);
	qstr_free(&t);
	(void)r;
	return 0;
}

static int
logins_build(struct rh_run *r)
{
	char path[1024];
	json_t *pw, *mb;
	const char *a, *pass;
	size_t i;
	int rc = -1;

	if ((pw = json_object()) == NULL)
		return -1;
	if (path_join(path, sizeof(path), r->out,
	    "rehearse/cleartext-passwords") < 0)
		goto out;
	if (access(path, F_OK) == 0 && load_passwords(r, path, pw) < 0) {
		msg_errorx("cannot read %s", path);
		goto out;
	}
	if (r->passwords != NULL && load_passwords(r, r->passwords, pw) < 0) {
		msg_errorx("cannot read %s", r->passwords);
		goto out;
	}
	mb = json_object_get(r->model_json, "mailboxes");
	if ((r->logins_v = calloc(json_array_size(mb) + 1,
	    sizeof(*r->logins_v))) == NULL)
		goto out;
	for (i = 0; i < json_array_size(mb); i++) {
		json_t *it = json_array_get(mb, i);

		if ((a = json_string_value(json_object_get(it, "address"))) == NULL)
			continue;
		r->logins_v[r->nlogins].addr = strdup(a);
		pass = json_string_value(json_object_get(pw, a));
		if (pass != NULL)
			r->logins_v[r->nlogins].pass = strdup(pass);
		r->nlogins++;
	}
	rc = 0;
out:
	json_decref(pw);
	return rc;
}

static enum rh_login
login_one(struct rh_run *r, size_t k, int proto, struct qstr *reply)
{
	struct rh_login_row *l = &r->logins_v[k];

	switch (proto) {
	case 0: return rh_login_imap(r->p.imap_port, l->addr, l->pass, reply);
	case 1: return rh_login_pop3(r->p.pop3_port, l->addr, l->pass, reply);
	default: return rh_login_smtp(r->p.submission_port, l->addr, l->pass,
	    reply);
	}
}

/* Every (mailbox, protocol) with a password, spread over workers that
 * each write "TASK RESULT REPLY" lines to a pipe. */
static int
logins_run(struct rh_run *r)
{
	size_t ntask = 0, t, k, nw, w;
	int fds[RH_MAX_WORKERS], proto;
	pid_t pids[RH_MAX_WORKERS];
	struct pollfd pfd[RH_MAX_WORKERS];
	struct qstr acc[RH_MAX_WORKERS];
	int open_n, i;

	for (k = 0; k < r->nlogins; k++)
		if (r->logins_v[k].pass != NULL)
			ntask += 3;
	if (ntask == 0)
		return 0;
	nw = ntask < RH_MAX_WORKERS ? ntask : RH_MAX_WORKERS;
	for (w = 0; w < nw; w++) {
		int pp[2];

		qstr_init(&acc[w], 16 * 1024 * 1024);
		if (pipe(pp) < 0 || (pids[w] = fork()) < 0)
			return -1;
		if (pids[w] == 0) {
			struct qstr reply = QSTR_INIT(RH_MAX_REPLY), line = QSTR_INIT(RH_MAX_REPLY + 64);
			enum rh_login res;
			FILE *fp;
			char *c;

			close(pp[0]);
			if ((fp = fdopen(pp[1], "w")) == NULL)
				_exit(1);
			for (t = 0, k = 0; k < r->nlogins; k++) {
				if (r->logins_v[k].pass == NULL)
					continue;
				for (proto = 0; proto < 3; proto++, t++) {
					if (t % nw != w)
						continue;
					res = login_one(r, k, proto, &reply);
					for (c = reply.buf; c && *c; c++)
						if (*c == '\n' || *c == '\r' || *c == '\t')
							*c = ' ';
					fprintf(fp, "%zu\t%d\t%d\t%s\n", k, proto,
					    (int)res, qstr_str(&reply));
				}
			}
			fclose(fp);
			qstr_free(&reply);
			qstr_free(&line);
			_exit(0);
		}
		close(pp[1]);
		fds[w] = pp[0];
	}
	for (open_n = (int)nw; open_n > 0; ) {
		for (w = 0; w < nw; w++) {
			pfd[w].fd = fds[w];
			pfd[w].events = POLLIN;
		}
		if (poll(pfd, nw, 1000) < 0 && errno != EINTR)
			break;
		for (w = 0; w < nw; w++) {
			char buf[4096];
			ssize_t n;

			if (fds[w] < 0 || !(pfd[w].revents & (POLLIN | POLLHUP)))
				continue;
			if ((n = read(fds[w], buf, sizeof(buf))) <= 0) {
				close(fds[w]);
				fds[w] = -1;
				pfd[w].fd = -1;
				open_n--;
				continue;
			}
			qstr_catn(&acc[w], buf, (size_t)n);
		}
		if (rh_interrupted)
			break;
	}
	for (w = 0; w < nw; w++) {
		char *line, *next, *f2, *f3, *f4;
		int st;

		if (fds[w] >= 0)
			close(fds[w]);
		if (rh_interrupted)
			kill(pids[w], SIGTERM);
		waitpid(pids[w], &st, 0);
		for (line = acc[w].buf; line != NULL && *line; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if ((f2 = strchr(line, '\t')) == NULL ||
			    (f3 = strchr(f2 + 1, '\t')) == NULL ||
			    (f4 = strchr(f3 + 1, '\t')) == NULL)
				continue;
			k = strtoul(line, NULL, 10);
			i = atoi(f2 + 1);
			if (k >= r->nlogins || i < 0 || i > 2)
				continue;
			r->logins_v[k].res[i] = (enum rh_login)atoi(f3 + 1);
			r->logins_v[k].reply[i] = strdup(f4 + 1);
		}
		qstr_free(&acc[w]);
	}
	return 0;
}

/* ------------------------------------------------ settling, collecting */

static struct rh_run *walk_run;	/* nftw has no user pointer */
static size_t walk_count;
static struct strlist *walk_ids;

static int
count_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	if (flag == FTW_F) {
		walk_count++;
		if (walk_ids != NULL)
			strlist_add(walk_ids, path + f->base);
	}
	return 0;
}

/* files in the queues where mail is still moving (or, with ids, every
 * queue), for settling and for "deferred" */
static size_t
queue_files(struct rh_run *r, int all, struct strlist *ids)
{
	static const char *const moving[] = { "maildrop", "incoming", "active",
	    "hold", NULL };
	static const char *const every[] = { "maildrop", "incoming", "active",
	    "hold", "deferred", NULL };
	const char *const *q = all ? every : moving;
	char dir[1024];
	size_t i;

	walk_count = 0;
	walk_ids = ids;
	for (i = 0; q[i] != NULL; i++)
		if (path_join(dir, sizeof(dir), r->pf_queue, q[i]) >= 0)
			nftw(dir, count_entry, 16, FTW_PHYS);
	walk_ids = NULL;
	return walk_count;
}

static void
settle(struct rh_run *r)
{
	struct timespec ts = { 0, 100000000 };
	long tenths = (long)r->timeout * 10;
	int quiet = 0;

	while (tenths-- > 0 && !rh_interrupted) {
		if (queue_files(r, 0, NULL) == 0) {
			if (++quiet >= 3)
				return;
		} else
			quiet = 0;
		nanosleep(&ts, NULL);
	}
	if (!rh_interrupted)
		msg_warnx("the queue did not settle in %d s; what is left counts "
		    "as deferred", r->timeout);
}

static ssize_t
read_head(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	while ((size_t)got < size - 1 &&
	    (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

static struct rh_probe *
probe_by(struct rh_run *r, const char *key)
{
	json_t *v = json_object_get(r->by_id, key);

	if (!json_is_integer(v) || (size_t)json_integer_value(v) >= r->nprobes)
		return NULL;
	return &r->probes[json_integer_value(v)];
}

static int
maildir_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[RH_MAX_HEADER];
	struct qstr id = QSTR_INIT(1024), where = QSTR_INIT(4096);
	const char *dir;
	struct rh_probe *pr;
	size_t rl = strlen(r->mail_root), dl, i;
	int owned = 0;

	(void)st;
	if (flag != FTW_F || f->base < 5)
		goto out;
	dir = path + f->base - 4;	/* "new/" or "cur/" */
	if (strncmp(dir, "new/", 4) != 0 && strncmp(dir, "cur/", 4) != 0)
		goto out;
	if (read_head(path, buf, sizeof(buf)) < 0 ||
	    rh_header_value(buf, strlen(buf), "Message-ID", &id) != 1 ||
	    (pr = probe_by(r, qstr_str(&id))) == NULL)
		goto out;
	/* a local delivery keeps the probe's sender (no SRS) */
	qstr_reset(&id);
	if (rh_header_value(buf, strlen(buf), "Return-Path", &id) == 1 &&
	    strcasecmp(qstr_str(&id), pr->sender) == 0)
		r->local_ok++;
	else if (r->local_bad++ == 0)
		qpm_snprintf(r->local_bad_ex, sizeof(r->local_bad_ex),
		    "%s: Return-Path <%s>, not <%s>", path + rl, qstr_str(&id),
		    pr->sender);
	/* whose Maildir this is: every user of Dovecot's userdb (the
	 * users file the rehearsal's Dovecot serves) with this home, as
	 * IMAP would show it; else the path as the old host named it */
	dl = (size_t)(dir - path) - 1;		/* without "/new/..." */
	if (dl <= rl || strncmp(path, r->mail_root, rl) != 0)
		goto out;
	if (dl - rl > 8 && strncmp(path + dl - 8, "/Maildir", 8) == 0)
		for (i = 0; i < r->homes.n && i < r->home_users.n; i++)
			if (strlen(r->homes.v[i]) == dl - 8 &&
			    strncmp(r->homes.v[i], path, dl - 8) == 0) {
				strlist_add_unique(&pr->got.mailboxes,
				    r->home_users.v[i]);
				owned = 1;
			}
	if (!owned && qstr_catf(&where, "%.*s/", (int)(dl - rl),
	    path + rl) == 0)
		strlist_add_unique(&pr->got.mailboxes, where.buf);
out:
	qstr_free(&id);
	qstr_free(&where);
	return 0;
}

/* "<addr> ARGS" -> addr */
static void
angle(const char *v, char *out, size_t size)
{
	const char *e;

	out[0] = '\0';
	if (*v == '<')
		v++;
	e = v + strcspn(v, "> \t\r\n");
	if ((size_t)(e - v) < size) {
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
	}
}

static int
sink_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[4 * RH_MAX_HEADER];
	struct qstr id = QSTR_INIT(1024);
	char from[1024], rcpt[1024];
	const char *p, *eol, *dc;
	struct rh_probe *pr, *dsn_for;
	struct strlist rcpts = { 0 };
	size_t i;
	ssize_t n;

	(void)st;
	(void)f;
	if (flag != FTW_F || (n = read_head(path, buf, sizeof(buf))) < 0)
		return 0;
	from[0] = '\0';
	for (p = buf; *p != '\0' && *p != '\n'; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (strncmp(p, "X-Mail-Args: ", 13) == 0)
			angle(p + 13, from, sizeof(from));
		else if (strncmp(p, "X-Rcpt-Args: ", 13) == 0) {
			angle(p + 13, rcpt, sizeof(rcpt));
			strlist_add(&rcpts, rcpt);
		}
	}
	pr = rh_header_value(buf, (size_t)n, "Message-ID", &id) == 1 ?
	    probe_by(r, qstr_str(&id)) : NULL;
	/* envelopes as the sink saw them, for the SRS checks */
	for (i = 0; r->sink_recs != NULL && i < rcpts.n; i++) {
		json_t *o = json_object();

		qpm_json_set_int(o, "probe", pr ? (long long)(pr - r->probes) : -1);
		qpm_json_set_str(o, "from", from);
		qpm_json_set_str(o, "rcpt", rcpts.v[i]);
		qpm_json_append(r->sink_recs, o);
	}
	for (i = 0; i < rcpts.n; i++) {
		if (from[0] == '\0' && (dsn_for = probe_by(r, rcpts.v[i])) != NULL) {
			dsn_for->dsn = 1;
			if ((dc = strstr(buf, "Diagnostic-Code:")) != NULL) {
				if (dsn_for->got.detail.len > 0)
					qstr_cat(&dsn_for->got.detail, "; ");
				qstr_catf(&dsn_for->got.detail, "DSN: %.*s",
				    (int)strcspn(dc + 16, "\r\n"), dc + 16);
			}
			continue;
		}
		if (pr != NULL)
			strlist_add_unique(&pr->got.forwards, rcpts.v[i]);
	}
	strlist_free(&rcpts);
	qstr_free(&id);
	return 0;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

static int
pipe_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[RH_MAX_HEADER];
	struct qstr rec = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	struct qstr joined = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	struct qstr id = QSTR_INIT(1024), arg = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	struct strlist args = { 0 };
	char msgpath[1024];
	const char *p;
	struct rh_probe *pr;
	size_t n = strlen(path);

	(void)st;
	(void)f;
	if (flag != FTW_F || n < 4 || strcmp(path + n - 4, ".rec") != 0)
		goto out;
	if (file_read_all(path, QPM_MAX_CONFIG_LINE * 16, 0, &rec) < 0 ||
	    qpm_snprintf(msgpath, sizeof(msgpath), "%.*s.msg", (int)(n - 4),
	    path) < 0 || read_head(msgpath, buf, sizeof(buf)) < 0 ||
	    rh_header_value(buf, strlen(buf), "Message-ID", &id) != 1 ||
	    (pr = probe_by(r, qstr_str(&id))) == NULL)
		goto out;
	for (p = rec.buf; p != NULL && *p != '\0'; ) {
		if (strncmp(p, "arg ", 4) != 0)
			break;
		qstr_reset(&arg);
		for (p += 4; hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 2)
			qstr_catc(&arg, (char)(hexval(p[0]) << 4 | hexval(p[1])));
		strlist_add(&args, qstr_str(&arg));
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	/* SERVICE OLDUSER SENDER ORIG_RCPT RCPT ARGV... */
	if (args.n < 5)
		goto out;
	if (strcmp(args.v[0], "local") == 0) {
		qstr_catf(&joined, "local:%s", args.v[4]);
		strlist_add_unique(&pr->got.mailboxes, joined.buf);
		goto out;
	}
	/* the command as the pipe ran it, never the model's */
	if (rh_pipe_ran(&args, 5, &joined) == 0)
		strlist_add_unique(&pr->got.pipes, qstr_str(&joined));
out:
	strlist_free(&args);
	qstr_free(&rec);
	qstr_free(&joined);
	qstr_free(&id);
	qstr_free(&arg);
	return 0;
}

static void
collect(struct rh_run *r)
{
	struct strlist ids = { 0 };
	struct rh_probe *pr;
	size_t i;

	walk_run = r;
	nftw(r->mail_root, maildir_entry, 32, FTW_PHYS);
	nftw(r->sink_dir, sink_entry, 8, FTW_PHYS);
	nftw(r->pipe_dir, pipe_entry, 8, FTW_PHYS);
	queue_files(r, 1, &ids);
	walk_run = NULL;
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		if (pr->qid[0] != '\0' && strlist_has(&ids, pr->qid))
			pr->queued = 1;
		strlist_sort(&pr->got.mailboxes);
		strlist_sort(&pr->got.forwards);
		strlist_sort(&pr->got.pipes);
		if (pr->sent == 2) {
			pr->got.outcome = pr->reply.len > 0 && pr->reply.buf[0] == '4' ?
			    RH_DEFERRED : RH_BOUNCED;
			if (pr->got.detail.len > 0)
				qstr_cat(&pr->got.detail, "; ");
			qstr_catf(&pr->got.detail, "refused: %s", qstr_str(&pr->reply));
		} else if (pr->sent != 1) {
			pr->got.outcome = RH_DEFERRED;
			qstr_catf(&pr->got.detail, "not sent: %s",
			    pr->reply.len ? qstr_str(&pr->reply) : "no SMTP session");
		} else if (pr->queued) {
			pr->got.outcome = RH_DEFERRED;
			qstr_catf(&pr->got.detail, "%s still queued", pr->qid);
		} else if (pr->got.mailboxes.n + pr->got.forwards.n +
		    pr->got.pipes.n > 0)
			pr->got.outcome = RH_DELIVERED;
		else if (pr->dsn)
			pr->got.outcome = RH_BOUNCED;
		else {
			pr->got.outcome = RH_DISCARDED;
			if (pr->got.detail.len == 0)
				qstr_cat(&pr->got.detail, "accepted, then neither "
				    "delivered nor bounced");
		}
		if (pr->want.not_converted.n > 0) {
			pr->status = 2;
			rh_compare(&pr->want, &pr->got, &pr->why);
		} else
			pr->status = rh_compare(&pr->want, &pr->got, &pr->why);
	}
	for (i = 0; i < r->nlogins; i++) {
		struct rh_login_row *l = &r->logins_v[i];
		int p, want;

		for (p = 0; p < 3; p++) {
			if (l->res[p] == 0)
				continue;
			want = rh_model_login(r->m, l->addr, proto_names[p]);
			if (l->res[p] == RH_LOGIN_ERROR ||
			    (want == 1) != (l->res[p] == RH_LOGIN_OK))
				l->mismatch |= 1 << p;
		}
	}
	strlist_free(&ids);
}

/* ------------------------------------------------------------ SRS probes */

/* While the servers run: a bounce (<>) to an SRS0 address srs-map signs
 * with OUT's secret for a sender of ours, and the same address with a
 * forged hash; both as smtpd sees them from outside. */
static int
srs_probes_send(struct rh_run *r)
{
	struct qstr msg = QSTR_INIT(64 * 1024), err = QSTR_INIT(RH_MAX_REPLY);
	struct qstr val = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	struct rh_smtp *s = NULL;
	char qid[64], *h;
	size_t k;
	int rc;

	if (!r->srs)
		return 0;
	if (qpm_snprintf(r->srs_bounce_from, sizeof(r->srs_bounce_from),
	    "q2p-rehearse.srs-bounce.%ld@%s", (long)getpid(),
	    RH_SENDER_DOMAIN) < 0)
		goto fail;
	if ((rc = rh_sockmap_query(r->srs_port, "forward", r->srs_bounce_from,
	    &val)) != 1 || bad_address(qstr_str(&val)) ||
	    qpm_snprintf(r->srs_bounce_addr, sizeof(r->srs_bounce_addr), "%s",
	    qstr_str(&val)) < 0) {
		r->srs_bounce_sent = 3;
		qstr_catf(&r->srs_bounce_reply, "srs-map forward %s: %s",
		    r->srs_bounce_from, rc == 0 ? "not found" : qstr_str(&val));
		r->srs_bounce_addr[0] = '\0';
		qpm_snprintf(r->srs_forged, sizeof(r->srs_forged),
		    "SRS0=xxxx=AA=%s=forged@%s", RH_SENDER_DOMAIN, r->srs_domain);
	} else {
		/* SRS0=HHHH=...: the same address, another hash */
		memcpy(r->srs_forged, r->srs_bounce_addr,
		    strlen(r->srs_bounce_addr) + 1);
		for (h = r->srs_forged + 5, k = 0; k < 4 && h[k] != '\0' &&
		    h[k] != '='; k++)
			h[k] = h[k] == 'x' || h[k] == 'X' ? 'y' : 'x';
	}
	if ((s = rh_smtp_open(r->p.smtp_port, RH_SENDER_DOMAIN, &err)) == NULL) {
		msg_errorx("SMTP to 127.0.0.1:%d: %s", r->p.smtp_port,
		    qstr_str(&err));
		goto fail;
	}
	if (r->srs_bounce_addr[0] != '\0') {
		qstr_catf(&msg, "From: MAILER-DAEMON@%s\nTo: <%s>\n"
		    "Subject: qmail2postfix rehearsal: a bounce to an SRS "
		    "address\nMessage-ID: <q2p-rehearse.srs-bounce.%ld@%s>\n\n"
		    "It must reach %s.\n", RH_SENDER_DOMAIN, r->srs_bounce_addr,
		    (long)getpid(), RH_SENDER_DOMAIN, r->srs_bounce_from);
		rc = rh_smtp_send(s, "", r->srs_bounce_addr, msg.buf, qid,
		    sizeof(qid), &r->srs_bounce_reply);
		r->srs_bounce_sent = rc == 0 ? 1 : rc == 1 ? 2 : 3;
	}
	if (r->srs_bounce_sent != 3 || r->srs_bounce_addr[0] == '\0') {
		qstr_reset(&msg);
		qstr_catf(&msg, "From: MAILER-DAEMON@%s\nTo: <%s>\n"
		    "Subject: qmail2postfix rehearsal: a forged SRS address\n"
		    "Message-ID: <q2p-rehearse.srs-forged.%ld@%s>\n\n"
		    "It must be refused.\n", RH_SENDER_DOMAIN, r->srs_forged,
		    (long)getpid(), RH_SENDER_DOMAIN);
		if (rh_smtp_send(s, "", r->srs_forged, msg.buf, qid, sizeof(qid),
		    &r->srs_forged_reply) == 0)
			qstr_catf(&r->srs_forged_reply, " (accepted as %s)", qid);
	}
	rh_smtp_close(s);
	qstr_free(&msg);
	qstr_free(&err);
	qstr_free(&val);
	return 0;
fail:
	qstr_free(&msg);
	qstr_free(&err);
	qstr_free(&val);
	return -1;
}

/* a sink record of probe k (or of no probe: -1) for rcpt; its from */
static const char *
sink_from(struct rh_run *r, long long k, const char *rcpt, int null_only)
{
	json_t *o;
	size_t i;
	const char *from;

	json_array_foreach(r->sink_recs, i, o) {
		from = json_string_value(json_object_get(o, "from"));
		if (from == NULL || (null_only && *from != '\0'))
			continue;
		if ((k < 0 || json_integer_value(json_object_get(o, "probe")) == k)
		    && strcasecmp(json_string_value(json_object_get(o, "rcpt")),
		    rcpt) == 0)
			return from;
	}
	return NULL;
}

/* the bounce went through the srsfwd pipe (the maillog says so) */
static int
srs_bounce_piped(struct rh_run *r)
{
	struct qstr log = QSTR_INIT(RH_MAX_FILE), pat = QSTR_INIT(1024);
	char path[700];
	const char *p, *eol, *hit;
	int found = 0;

	if (path_join(path, sizeof(path), r->tmp, "pf/maillog") < 0 ||
	    file_read_all(path, RH_MAX_FILE, 0, &log) < 0 ||
	    qstr_catf(&pat, " relay=%s,", r->srs_transport) < 0)
		goto out;
	for (p = log.buf; p != NULL && *p != '\0' && !found; p = eol) {
		eol = strchr(p, '\n');
		hit = strstr(p, r->srs_bounce_from);
		if (hit != NULL && (eol == NULL || hit < eol) && hit > p + 4 &&
		    strncmp(hit - 4, "to=<", 4) == 0 &&
		    (hit = strstr(hit, qstr_str(&pat))) != NULL &&
		    (eol == NULL || hit < eol))
			found = 1;
		if (eol != NULL)
			eol++;
	}
out:
	qstr_free(&log);
	qstr_free(&pat);
	return found;
}

static int
srs_is_ours(const struct rh_run *r, const char *a)
{
	size_t al = strlen(a), dl = strlen(r->srs_domain);

	return strncasecmp(a, "SRS0", 4) == 0 && a[4] != '\0' &&
	    strchr("=+-", a[4]) != NULL && al > dl + 1 && a[al - dl - 1] == '@' &&
	    strcasecmp(a + al - dl, r->srs_domain) == 0;
}

static json_t *
srs_row(struct rh_run *r, int ok, const char *why)
{
	json_t *o = json_object();

	qpm_json_set_str(o, "status", ok ? "ok" : "fail");
	if (why != NULL && *why != '\0')
		qpm_json_set_str(o, "why", why);
	if (!ok)
		r->srs_failed++;
	return o;
}

/* After collect, srs-map still running: each forward the model expects
 * reached the sink with an SRS0 sender in our domain that srs-map
 * reverses to the probe's sender; the bounce came back; the forgery was
 * refused with 550; mailbox deliveries kept the sender. */
static void
srs_evaluate(struct rh_run *r)
{
	json_t *rep = json_object(), *fw = json_array(), *o;
	struct qstr val = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	struct qstr why = QSTR_INIT(4096);
	struct rh_probe *pr;
	const char *from, *target;
	size_t i, k, nrelay = 0;
	int ok, rc;

	r->srs_report = rep;
	qpm_json_set(rep, "rehearsed", json_boolean(r->srs));
	if (!r->srs) {
		qpm_json_set_str(rep, "reason", r->srs_skip);
		json_decref(fw);
		goto out;
	}
	qpm_json_set_str(rep, "domain", r->srs_domain);
	qpm_json_set_str(rep, "forwarder", r->srs_fwd);
	qpm_json_set_str(rep, "srs_map", r->srs_map);
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		if (pr->status == 2)	/* listed as not converted */
			continue;
		for (k = 0; k < pr->want.forwards.n; k++) {
			target = pr->want.forwards.v[k];
			/* relayed (a relay domain's own address), not a
			 * forward: it keeps its sender on purpose */
			if (strcasecmp(target, pr->addr) == 0) {
				nrelay++;
				continue;
			}
			from = sink_from(r, (long long)i, target, 0);
			qstr_reset(&why);
			qstr_reset(&val);
			ok = 0;
			if (from == NULL)
				qstr_catf(&why, "not at the sink%s", pr->queued ?
				    " (still queued)" : "");
			else if (!srs_is_ours(r, from))
				qstr_catf(&why, "envelope sender <%s> is not an SRS0 "
				    "address in %s", from, r->srs_domain);
			else if ((rc = rh_sockmap_query(r->srs_port, "reverse",
			    from, &val)) != 1)
				qstr_catf(&why, "srs-map does not reverse it: %s",
				    rc == 0 ? "not found (hash, age or domain)" :
				    qstr_str(&val));
			else if (strcasecmp(qstr_str(&val), pr->sender) != 0)
				qstr_catf(&why, "reverses to <%s>, not the probe's "
				    "sender <%s>", qstr_str(&val), pr->sender);
			else
				ok = 1;
			o = srs_row(r, ok, qstr_str(&why));
			qpm_json_set_str(o, "address", pr->addr);
			qpm_json_set_str(o, "target", target);
			qpm_json_set_str(o, "sender", pr->sender);
			qpm_json_set(o, "envelope_sender", from ? json_string(from) :
			    json_null());
			qpm_json_set(o, "reversed", val.len ?
			    json_string(qstr_str(&val)) : json_null());
			qpm_json_append(fw, o);
		}
	}
	qpm_json_set(rep, "forwards", fw);
	qpm_json_set_int(rep, "relayed_not_checked", (long long)nrelay);
	/* the bounce */
	qstr_reset(&why);
	from = r->srs_bounce_sent == 1 ? sink_from(r, -1, r->srs_bounce_from, 1) :
	    NULL;
	if (r->srs_bounce_sent == 2)
		qstr_catf(&why, "refused: %s", qstr_str(&r->srs_bounce_reply));
	else if (r->srs_bounce_sent != 1)
		qstr_catf(&why, "not sent: %s", qstr_str(&r->srs_bounce_reply));
	else if (from == NULL) {
		qstr_catf(&why, "accepted, but no <> message to <%s> at the sink",
		    r->srs_bounce_from);
		if (srs_bounce_piped(r))
			qstr_catf(&why, "; it went through the %s pipe: "
			    "sender_dependent_default_transport_maps takes the "
			    "null sender for forwarded mail (a loop)",
			    r->srs_transport);
	}
	o = srs_row(r, from != NULL, qstr_str(&why));
	qpm_json_set_str(o, "address", r->srs_bounce_addr);
	qpm_json_set_str(o, "original_sender", r->srs_bounce_from);
	qpm_json_set(o, "delivered_to", from ? json_string(r->srs_bounce_from) :
	    json_null());
	qpm_json_set(rep, "bounce", o);
	/* the forgery */
	ok = strncmp(qstr_str(&r->srs_forged_reply), "550", 3) == 0;
	o = srs_row(r, ok, ok ? NULL : "not refused with 550 at RCPT");
	qpm_json_set_str(o, "address", r->srs_forged);
	qpm_json_set_str(o, "reply", qstr_str(&r->srs_forged_reply));
	qpm_json_set(rep, "forged", o);
	/* local deliveries */
	o = r->local_bad > 0 ? srs_row(r, 0, r->local_bad_ex) : json_object();
	if (r->local_bad == 0)
		qpm_json_set_str(o, "status", r->local_ok > 0 ? "ok" : "none");
	qpm_json_set_int(o, "deliveries", (long long)(r->local_ok + r->local_bad));
	qpm_json_set_int(o, "kept_sender", (long long)r->local_ok);
	qpm_json_set(rep, "local", o);
	qpm_json_set_int(rep, "failed", (long long)r->srs_failed);
out:
	qstr_free(&val);
	qstr_free(&why);
}

static void
srs_text(struct rh_run *r)
{
	json_t *rep = r->srs_report, *o;
	size_t i, n = 0;
	const char *st, *why;

	if (rep == NULL)
		return;
	if (!r->srs) {
		printf("\nSRS: not rehearsed: %s\n", r->srs_skip);
		return;
	}
	printf("\nSRS (%s; %s, srs-map on 127.0.0.1:%d):\n", r->srs_domain,
	    r->srs_fwd, r->srs_port);
	json_array_foreach(json_object_get(rep, "forwards"), i, o) {
		st = json_string_value(json_object_get(o, "status"));
		why = json_string_value(json_object_get(o, "why"));
		printf("%-9s forward %s -> %s: %s%s%s\n", strcmp(st, "ok") == 0 ?
		    "ok" : "FAILED", json_string_value(json_object_get(o, "address")),
		    json_string_value(json_object_get(o, "target")),
		    json_is_string(json_object_get(o, "envelope_sender")) ?
		    json_string_value(json_object_get(o, "envelope_sender")) :
		    "-", why ? "; " : "", why ? why : "");
		n++;
	}
	o = json_object_get(rep, "bounce");
	why = json_string_value(json_object_get(o, "why"));
	printf("%-9s bounce <> -> %s: %s\n", strcmp(json_string_value(
	    json_object_get(o, "status")), "ok") == 0 ? "ok" : "FAILED",
	    r->srs_bounce_addr, why ? why : r->srs_bounce_from);
	o = json_object_get(rep, "forged");
	printf("%-9s forged %s: %s\n", strcmp(json_string_value(
	    json_object_get(o, "status")), "ok") == 0 ? "ok" : "FAILED",
	    r->srs_forged, qstr_str(&r->srs_forged_reply));
	o = json_object_get(rep, "local");
	st = json_string_value(json_object_get(o, "status"));
	printf("%-9s local: %zu of %zu mailbox deliveries kept the sender%s%s\n",
	    strcmp(st, "fail") == 0 ? "FAILED" : "ok", r->local_ok,
	    r->local_ok + r->local_bad, r->local_bad ? "; " : "",
	    r->local_bad ? r->local_bad_ex : "");
	printf("SRS: %zu forwards, bounce, forgery and local checked; %zu "
	    "failed\n", n, r->srs_failed);
}

/* ------------------------------------------------------------- report */

static json_t *
jlist(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static const char *
login_name(enum rh_login l)
{
	switch (l) {
	case RH_LOGIN_OK:	return "ok";
	case RH_LOGIN_FAIL:	return "fail";
	case RH_LOGIN_ERROR:	return "error";
	}
	return "skipped";
}

static const char *const status_names[] = { "mismatch", "match",
    "not_converted" };

static json_t *
report_json(struct rh_run *r, size_t *nmis, size_t *nnc, size_t *nlmis)
{
	json_t *root = json_object(), *mbs = json_array(), *ads = json_array();
	json_t *mis = json_array(), *exp = json_object(), *o, *w;
	struct rh_probe *pr;
	size_t i, checked = 0;
	int p, want;

	*nmis = *nnc = *nlmis = 0;
	for (i = 0; i < r->nlogins; i++) {
		struct rh_login_row *l = &r->logins_v[i];

		o = json_object();
		w = json_object();
		qpm_json_set_str(o, "address", l->addr);
		for (p = 0; p < 3; p++) {
			qpm_json_set_str(o, proto_keys[p], login_name(l->res[p]));
			want = rh_model_login(r->m, l->addr, proto_names[p]);
			qpm_json_set_str(w, proto_keys[p], want == 1 ? "ok" : "fail");
			if (l->res[p] != 0)
				checked++;
			if (l->mismatch & (1 << p)) {
				json_t *x = json_object();
				struct qstr why = QSTR_INIT(8192);

				qstr_catf(&why, "%s: want %s, got %s (%s)", proto_keys[p],
				    want == 1 ? "ok" : "fail", login_name(l->res[p]),
				    l->reply[p] ? l->reply[p] : "");
				qpm_json_set_str(x, "address", l->addr);
				qpm_json_set_str(x, "what", "login");
				qpm_json_set_str(x, "why", qstr_str(&why));
				qpm_json_append(mis, x);
				qstr_free(&why);
				(*nlmis)++;
			}
		}
		qpm_json_set(o, "expected", w);
		qpm_json_append(mbs, o);
	}
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		o = json_object();
		w = json_object();
		qpm_json_set_str(o, "address", pr->addr);
		qpm_json_set_str(o, "outcome", rh_outcome_name(pr->got.outcome));
		qpm_json_set(o, "mailboxes", jlist(&pr->got.mailboxes));
		qpm_json_set(o, "forwards", jlist(&pr->got.forwards));
		qpm_json_set(o, "pipes", jlist(&pr->got.pipes));
		if (pr->got.detail.len > 0)
			qpm_json_set_str(o, "detail", qstr_str(&pr->got.detail));
		qpm_json_set_str(w, "outcome", rh_outcome_name(pr->want.outcome));
		qpm_json_set(w, "mailboxes", jlist(&pr->want.mailboxes));
		qpm_json_set(w, "forwards", jlist(&pr->want.forwards));
		qpm_json_set(w, "pipes", jlist(&pr->want.pipes));
		if (pr->want.not_converted.n > 0)
			qpm_json_set(w, "not_converted", jlist(&pr->want.not_converted));
		if (pr->want.detail.len > 0)
			qpm_json_set_str(w, "detail", qstr_str(&pr->want.detail));
		qpm_json_set(o, "expected", w);
		qpm_json_set_str(o, "status", status_names[pr->status]);
		if (pr->why.len > 0)
			qpm_json_set_str(o, "why", qstr_str(&pr->why));
		qpm_json_append(ads, o);
		if (pr->status == 0 || (pr->status == 2 && r->strict)) {
			json_t *x = json_object();

			qpm_json_set_str(x, "address", pr->addr);
			qpm_json_set_str(x, "what", pr->status == 0 ? "route" :
			    "not converted");
			qpm_json_set_str(x, "why", pr->why.len ? qstr_str(&pr->why) :
			    pr->want.not_converted.v[0]);
			qpm_json_append(mis, x);
		}
		if (pr->status == 0)
			(*nmis)++;
		else if (pr->status == 2)
			(*nnc)++;
	}
	qpm_json_set_int(exp, "addresses", (long long)r->nprobes);
	qpm_json_set_int(exp, "matched", (long long)(r->nprobes - *nmis - *nnc));
	qpm_json_set_int(exp, "mismatched", (long long)*nmis);
	qpm_json_set_int(exp, "not_converted", (long long)*nnc);
	qpm_json_set_int(exp, "logins", (long long)checked);
	qpm_json_set_int(exp, "login_mismatches", (long long)*nlmis);
	qpm_json_set(exp, "mismatches", mis);
	qpm_json_set(root, "mailboxes", mbs);
	qpm_json_set(root, "addresses", ads);
	qpm_json_set(root, "expected", exp);
	qpm_json_set(root, "notes", jlist(&r->notes));
	return root;
}

static void
report_text(struct rh_run *r, size_t nmis, size_t nnc, size_t nlmis)
{
	struct qstr s = QSTR_INIT(1024 * 1024);
	struct rh_probe *pr;
	size_t i, nl = 0, ok[3] = { 0 }, fail[3] = { 0 }, skip = 0;
	int p;

	printf("qmail2postfix rehearse %s\n\n", r->out);
	printf("%-9s %-44s %-10s %s\n", "status", "address", "outcome",
	    "where");
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		qstr_reset(&s);
		if (pr->got.mailboxes.n) {
			qstr_cat(&s, "mailboxes=");
			strlist_join(&pr->got.mailboxes, ",", &s);
			qstr_cat(&s, " ");
		}
		if (pr->got.forwards.n) {
			qstr_cat(&s, "forwards=");
			strlist_join(&pr->got.forwards, ",", &s);
			qstr_cat(&s, " ");
		}
		if (pr->got.pipes.n) {
			qstr_cat(&s, "pipes=");
			strlist_join(&pr->got.pipes, ",", &s);
		}
		printf("%-9s %-44s %-10s %s\n", pr->status == 1 ? "ok" :
		    pr->status == 2 ? "listed" : "DIFFERS", pr->addr,
		    rh_outcome_name(pr->got.outcome), qstr_str(&s));
		if (pr->status == 0)
			printf("          %s\n", qstr_str(&pr->why));
		if (pr->status == 2)
			printf("          not converted: %s\n",
			    pr->want.not_converted.v[0]);
	}
	for (i = 0; i < r->nlogins; i++) {
		for (p = 0; p < 3; p++) {
			switch (r->logins_v[i].res[p]) {
			case RH_LOGIN_OK: ok[p]++; break;
			case RH_LOGIN_FAIL:
			case RH_LOGIN_ERROR: fail[p]++; break;
			default: skip += p == 0; break;
			}
			if (r->logins_v[i].mismatch & (1 << p)) {
				printf("DIFFERS   login %s %s: got %s (%s)\n",
				    r->logins_v[i].addr, proto_keys[p],
				    login_name(r->logins_v[i].res[p]),
				    r->logins_v[i].reply[p] ? r->logins_v[i].reply[p] : "");
				nl++;
			}
		}
	}
	printf("\nlogins: imap %zu ok %zu refused, pop3 %zu ok %zu refused, "
	    "smtp auth %zu ok %zu refused; %zu mailboxes without a cleartext "
	    "password skipped\n", ok[0], fail[0], ok[1], fail[1], ok[2],
	    fail[2], skip);
	for (i = 0; i < r->notes.n; i++)
		printf("note: %s\n", r->notes.v[i]);
	printf("%zu addresses: %zu as on the old host, %zu differ, %zu depend "
	    "on items listed as not converted; %zu login differences\n",
	    r->nprobes, r->nprobes - nmis - nnc, nmis, nnc, nlmis);
	qstr_free(&s);
}

/* ------------------------------------------------------------- limits */

/* --limits: a mailbox allowed IMAP and POP3 with a cleartext password
 * (one whose logins worked in this rehearsal first), then the probes */
static int
limits_run(struct rh_run *r)
{
	struct rh_limits_env env;
	char nft[1024];
	size_t i, pick = r->nlogins;
	int pass;

	for (pass = 0; pass < 2 && pick == r->nlogins; pass++)
		for (i = 0; i < r->nlogins && pick == r->nlogins; i++) {
			struct rh_login_row *l = &r->logins_v[i];

			if (l->pass == NULL ||
			    rh_model_login(r->m, l->addr, "imap") != 1 ||
			    rh_model_login(r->m, l->addr, "pop3") != 1)
				continue;
			if (pass == 0 && (l->res[0] != RH_LOGIN_OK ||
			    l->res[1] != RH_LOGIN_OK))
				continue;
			pick = i;
		}
	if (path_join(nft, sizeof(nft), r->out,
	    "nftables/qmail2postfix.nft") < 0)
		return -1;
	memset(&env, 0, sizeof(env));
	env.p = &r->p;
	env.pf_conf = r->pf_conf;
	env.dc_conf = r->dc_conf;
	env.nft_file = nft;
	if (pick < r->nlogins) {
		env.user = r->logins_v[pick].addr;
		env.pass = r->logins_v[pick].pass;
	}
	if (msg_verbose)
		msg_info("proving the connection limits");
	return rh_limits_run(r->lim, &env);
}

/* --------------------------------------------------------------- main */

static void
run_free(struct rh_run *r)
{
	size_t i;
	int p;

	for (i = 0; i < r->nprobes; i++) {
		free(r->probes[i].addr);
		rh_result_free(&r->probes[i].got);
		rh_result_free(&r->probes[i].want);
		qstr_free(&r->probes[i].reply);
		qstr_free(&r->probes[i].why);
	}
	free(r->probes);
	for (i = 0; i < r->nlogins; i++) {
		free(r->logins_v[i].addr);
		if (r->logins_v[i].pass != NULL) {
			memset(r->logins_v[i].pass, 0, strlen(r->logins_v[i].pass));
			free(r->logins_v[i].pass);
		}
		for (p = 0; p < 3; p++)
			free(r->logins_v[i].reply[p]);
	}
	free(r->logins_v);
	rh_model_free(r->m);
	json_decref(r->model_json);
	json_decref(r->by_id);
	strlist_free(&r->homes);
	strlist_free(&r->home_users);
	strlist_free(&r->notes);
	strlist_free(&r->clients);
	strlist_free(&r->dc_files);
	strlist_free(&r->extra);
	rh_limits_free(r->lim);
	free((char *)r->p.user);
	qstr_free(&r->srs_reverse);
	qstr_free(&r->srs_bounce_reply);
	qstr_free(&r->srs_forged_reply);
	json_decref(r->sink_recs);
	json_decref(r->srs_report);
}

static int
prepare_paths(struct rh_run *r)
{
	const char *td = getenv("TMPDIR");
	char tmpl[512];

	if (td == NULL || *td != '/')
		td = "/tmp";
	if (strpbrk(td, " \t\n") != NULL) {
		msg_errorx("TMPDIR holds white space: %s", td);
		return -1;
	}
	/* mkdtemp's six template characters */
	if (qpm_snprintf(tmpl, sizeof(tmpl), "%s/q2p-rehearse.%c%c%c%c%c%c", td,
	    'X', 'X', 'X', 'X', 'X', 'X') < 0 ||
	    mkdtemp(tmpl) == NULL || chmod(tmpl, 0755) < 0) {
		msg_warn("cannot make a directory in %s", td);
		return -1;
	}
	if (qpm_snprintf(r->tmp, sizeof(r->tmp), "%s", tmpl) < 0 ||
	    path_join(r->pf_conf, sizeof(r->pf_conf), r->tmp, "pf/etc") < 0 ||
	    path_join(r->pf_queue, sizeof(r->pf_queue), r->tmp, "pf/queue") < 0 ||
	    path_join(r->dc_dir, sizeof(r->dc_dir), r->tmp, "dovecot") < 0 ||
	    path_join(r->dc_conf, sizeof(r->dc_conf), r->dc_dir,
	    "dovecot.conf") < 0 ||
	    path_join(r->mail_root, sizeof(r->mail_root), r->tmp, "mail") < 0 ||
	    path_join(r->sink_dir, sizeof(r->sink_dir), r->tmp, "sink") < 0 ||
	    path_join(r->pipe_dir, sizeof(r->pipe_dir), r->tmp, "pipes") < 0 ||
	    path_join(r->recorder, sizeof(r->recorder), r->tmp,
	    "bin/record-pipe") < 0 ||
	    path_join(r->cmdlog, sizeof(r->cmdlog), r->tmp, "command.log") < 0)
		return -1;
	r->p.tmp = r->tmp;
	r->p.pf_conf = r->pf_conf;
	r->p.pf_queue = r->pf_queue;
	r->p.old_queue = r->old_queue;
	r->p.dc_dir = r->dc_dir;
	r->p.mail_root = r->mail_root;
	r->p.recorder = r->recorder;
	r->p.pipe_dir = r->pipe_dir;
	r->p.dc_files = &r->dc_files;
	r->p.next_port = next_port_fn;
	if ((r->p.smtp_port = rh_free_port()) < 0 ||
	    (r->p.submission_port = rh_free_port()) < 0 ||
	    (r->p.imap_port = rh_free_port()) < 0 ||
	    (r->p.pop3_port = rh_free_port()) < 0 ||
	    (r->p.sink_port = rh_free_port()) < 0)
		return -1;
	return 0;
}

static int
prepare_recorder(struct rh_run *r)
{
	char bin[700];

	if (path_join(bin, sizeof(bin), r->tmp, "bin") < 0 ||
	    file_mkdirs(bin, 0755) < 0 ||
	    file_write_atomic_buf(r->recorder, recorder_sh,
	    sizeof(recorder_sh) - 1, 0755) < 0 ||
	    mkdir_owned(r->pipe_dir, 0700, r->p.uid, r->p.gid) < 0) {
		msg_warn("cannot set up the pipe recorder in %s", r->tmp);
		return -1;
	}
	return 0;
}

static int
load_model(struct rh_run *r)
{
	char path[1024];
	json_error_t je;
	struct qstr err = QSTR_INIT(1024);

	if (path_join(path, sizeof(path), r->out, "migration.json") < 0)
		return -1;
	if ((r->model_json = json_load_file(path, 0, &je)) == NULL) {
		msg_errorx("%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if ((r->m = rh_model_new(r->model_json, &err)) == NULL) {
		msg_errorx("%s: %s", path, err.len ? err.buf : "out of memory");
		qstr_free(&err);
		return -1;
	}
	qstr_free(&err);
	return 0;
}

int
rehearse_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "probe", required_argument, NULL, 'p' },
		{ "passwords", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-logins", no_argument, NULL, 'L' },
		{ "limits", no_argument, NULL, 'l' },
		{ "strict", no_argument, NULL, 's' },
		{ "keep", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct rh_run r;
	struct sigaction sa, old_int, old_term, old_hup;
	size_t nmis = 0, nnc = 0, nlmis = 0;
	int exit_code = RH_EXIT_NOTRUN, c;
	json_t *rep = NULL;

	memset(&r, 0, sizeof(r));
	r.timeout = 120;
	r.logins = 1;
	r.clock = qpm_clock_system;
	qstr_init(&r.srs_reverse, 64 * 1024);
	qstr_init(&r.srs_bounce_reply, RH_MAX_REPLY);
	qstr_init(&r.srs_forged_reply, RH_MAX_REPLY);
	optind = 1;
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': r.json = 1; break;
		case 'p':
			if (bad_address(optarg) || strchr(optarg, '@') == NULL) {
				msg_errorx("--probe %s: not an address", optarg);
				goto out;
			}
			if (strlist_add(&r.extra, optarg) < 0)
				goto out;
			break;
		case 'P': r.passwords = optarg; break;
		case 'u': r.user_opt = optarg; break;
		case 't':
			if ((r.timeout = atoi(optarg)) <= 0 || r.timeout > 86400) {
				msg_errorx("--timeout %s: 1 to 86400 seconds", optarg);
				goto out;
			}
			break;
		case 'L': r.logins = 0; break;
		case 'l': r.limits = 1; break;
		case 's': r.strict = 1; break;
		case 'k': r.keep = 1; break;
		case 'v': msg_verbose++; break;
		case 'h': help(); exit_code = 0; goto out;
		case 'V': qpm_version("qmail2postfix"); exit_code = 0; goto out;
		default: exit_code = usage(); goto out;
		}
	}
	if (optind != argc - 1) {
		exit_code = usage();
		goto out;
	}
	r.out = argv[optind];
	if (geteuid() != 0) {
		msg_errorx("rehearse starts Postfix and Dovecot and must run as "
		    "root");
		goto out;
	}
	if (load_model(&r) < 0 || map_user(&r) < 0)
		goto out;
	if (r.limits && (r.lim = rh_limits_new(r.model_json)) == NULL)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	srandom((unsigned)getpid() ^ (unsigned)qpm_clock_now(&r.clock));
	if (prepare_paths(&r) < 0)
		goto restore;
	if (msg_verbose)
		msg_info("rehearsal in %s: smtp %d, submission %d, imap %d, "
		    "pop3 %d, sink %d, mail user %s", r.tmp, r.p.smtp_port,
		    r.p.submission_port, r.p.imap_port, r.p.pop3_port,
		    r.p.sink_port, r.p.user);
	if (prepare_recorder(&r) < 0 || srs_prepare(&r) < 0 ||
	    setup_postfix(&r) < 0 ||
	    setup_dovecot(&r) < 0 || probes_build(&r) < 0 ||
	    ((r.logins || r.limits) && logins_build(&r) < 0))
		goto stop;
	if (start_all(&r) < 0)
		goto stop;
	if (msg_verbose)
		msg_info("sending %zu probes", r.nprobes);
	if (probes_send(&r) < 0 || srs_probes_send(&r) < 0)
		goto stop;
	if (r.logins && !rh_interrupted) {
		if (msg_verbose)
			msg_info("logging in to %zu mailboxes", r.nlogins);
		if (logins_run(&r) < 0)
			goto stop;
	}
	settle(&r);
	if (rh_interrupted)
		goto stop;
	if (r.lim != NULL && limits_run(&r) < 0)
		goto stop;
	r.srs_hold = 1;		/* srs-map reverses what the sink got */
	stop_all(&r);
	collect(&r);
	srs_evaluate(&r);
	r.srs_hold = 0;
	stop_all(&r);
	rep = report_json(&r, &nmis, &nnc, &nlmis);
	qpm_json_set(rep, "srs", json_incref(r.srs_report));
	if (r.lim != NULL)
		qpm_json_set(rep, "limits", rh_limits_json(r.lim));
	if (r.json)
		qpm_json_write_fp(stdout, rep);
	else {
		report_text(&r, nmis, nnc, nlmis);
		srs_text(&r);
		if (r.lim != NULL)
			rh_limits_text(r.lim, stdout);
	}
	if (r.keep) {
		char path[700];

		if (path_join(path, sizeof(path), r.tmp, "report.json") >= 0)
			qpm_json_write_file(path, rep, 0600);
	}
	exit_code = nmis + nlmis + rh_limits_failed(r.lim) + r.srs_failed > 0 ||
	    (r.strict && nnc > 0) ? RH_EXIT_MISMATCH : 0;
stop:
	stop_all(&r);
	if (rh_interrupted)
		msg_errorx("interrupted (signal %d); everything stopped",
		    (int)rh_interrupted);
	if (r.tmp[0] != '\0') {
		if (r.keep)
			msg_info("kept %s", r.tmp);
		else {
			if (exit_code == RH_EXIT_NOTRUN)
				msg_info("--keep keeps the logs of a failed start");
			rm_tree(r.tmp);
		}
	}
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
out:
	json_decref(rep);
	run_free(&r);
	return exit_code;
}
