/*
 * NAME		rh_run - the process runner and the servers of a rehearsal
 * DOES		runs postconf, postmap and postfix with their output in the
 *		command log (in a mount namespace when a pipe's sendmail must
 *		find the private main.cf), starts smtp-sink, srs-map,
 *		Postfix, Dovecot (and with --userdb sql a private MariaDB)
 *		and waits until each listens, stops each
 *		by its own pid; small file helpers for the other parts
 * NEVER	runs a command through a shell, stops a process it did not
 *		start, waits without a bound
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "migrate/rehearse/rh_int.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

int
rh_path_join(char *buf, size_t size, const char *a, const char *b)
{
	return qpm_snprintf(buf, size, "%s/%s", a, b);
}

/* Runs argv, output to the command log; its exit status or -1. With
 * bind (a main.cf), in a mount namespace of its own where bind is
 * /etc/postfix/main.cf (so a non-root sendmail run by a pipe reaches
 * the private instance; postfix-files and the rest stay the host's). */
int
rh_run_cmd_ns(struct rh_run *r, char *const argv[], struct qstr *output,
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

int
rh_run_cmd(struct rh_run *r, char *const argv[], struct qstr *output)
{
	return rh_run_cmd_ns(r, argv, output, NULL);
}

/* the last lines of the command log, for an error message */
const char *
rh_cmd_tail(struct rh_run *r, struct qstr *buf)
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

pid_t
rh_spawn(struct rh_run *r, char *const argv[], const char *logname)
{
	char log[700];
	pid_t pid;
	int fd;

	if (rh_path_join(log, sizeof(log), r->tmp, logname) < 0 ||
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
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? 0 : 0;
	return unlink(path) < 0 && errno != ENOENT ? 0 : 0;
}

void
rh_rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int
rh_mkdir_owned(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (file_mkdirs(path, mode) < 0 && errno != EEXIST)
		return -1;
	if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0)
		return -1;
	return 0;
}

/* reads a file into a qstr; the caller frees */
int
rh_slurp(const char *path, struct qstr *q)
{
	qstr_init(q, RH_MAX_FILE);
	return file_read_all(path, RH_MAX_FILE, FILE_READ_NOFOLLOW, q);
}

int
rh_spit(const char *path, const struct qstr *q, mode_t mode)
{
	int e;

	if ((e = file_write_atomic(path, q, mode)) < 0)
		msg_errorx("cannot write %s: %s", path, qpm_strerror(e));
	return e;
}

/* ------------------------------------------------------------- servers */

int
rh_start_all(struct rh_run *r)
{
	struct qstr tail = QSTR_INIT(1024 * 1024), pid = QSTR_INIT(64);
	char tmpl[700], hop[64], path[700], main_cf[700];
	struct timespec ts = { 0, 100000000 };
	int n, rc = -1;

	/* the capture sink: every transaction to its own file */
	if (rh_mkdir_owned(r->sink_dir, 0700, r->p.uid, r->p.gid) < 0 ||
	    rh_path_join(tmpl, sizeof(tmpl), r->sink_dir, "%Y%m%d%H%M%S.") < 0 ||
	    qpm_snprintf(hop, sizeof(hop), "127.0.0.1:%d", r->p.sink_port) < 0)
		goto out;
	{
		char *av[] = { "smtp-sink", "-u", (char *)r->p.user, "-d", tmpl,
		    hop, "256", NULL };

		r->sink_pid = rh_spawn(r, av, "smtp-sink.log");
	}
	if (r->sink_pid < 0 || wait_port(r->p.sink_port, 100) < 0) {
		msg_errorx("smtp-sink does not listen on %s", hop);
		goto out;
	}
	/* SRS: srs-map for recipient_canonical_maps, before Postfix */
	if (rh_path_join(main_cf, sizeof(main_cf), r->pf_conf, "main.cf") < 0)
		goto out;
	if (r->srs) {
		char spec[64];
		char *av[] = { r->srs_map, "-s", r->srs_secret, "-d",
		    r->srs_domain, "serve", "--socketmap", spec, "--user",
		    (char *)r->p.user, NULL };

		if (qpm_snprintf(spec, sizeof(spec), "inet:127.0.0.1:%d",
		    r->srs_port) < 0)
			goto out;
		r->srs_pid = rh_spawn(r, av, "srs-map.log");
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
		if (rh_run_cmd_ns(r, av, &tail, r->srs ? main_cf : NULL) != 0) {
			msg_errorx("postfix start: %s", rh_cmd_tail(r, &tail));
			goto out;
		}
	}
	if (rh_path_join(path, sizeof(path), r->pf_queue, "pid/master.pid") < 0)
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

		r->dc_pid = rh_spawn(r, av, "dovecot.out");
	}
	/* up to a minute: at load 50 on 2 CPUs Dovecot took over 15 s */
	if (r->dc_pid < 0 || wait_port(r->p.imap_port, 600) < 0 ||
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

/* wait until something accepts on the unix socket path; 0 or -1 */
static int
wait_unix(const char *path, int tenths)
{
	struct timespec ts = { 0, 100000000 };
	struct sockaddr_un sa;
	int fd, ok;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (qpm_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) < 0)
		return -1;
	while (tenths-- > 0 && !rh_interrupted) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

int
rh_db_start(struct rh_run *r)
{
	char data[700], o_data[800], o_sock[800], o_pid[800], o_user[64];
	char o_tmp[800];
	struct qstr tail = QSTR_INIT(1024 * 1024);
	struct passwd *my = getpwnam("mysql");
	int rc = -1;

	/* mariadbd runs as root only when told; Debian's mysql user if any.
	 * The socket's directory is open to Postfix and Dovecot; MariaDB's
	 * root is the system's root only (unix_socket), the tables' reader
	 * needs OUT's password.
	 * Its temporary files too in the private directory (not TMPDIR,
	 * which the mysql user may not write) */
	if (rh_path_join(r->db_dir, sizeof(r->db_dir), r->tmp, "mariadb") < 0 ||
	    rh_path_join(r->db_sock, sizeof(r->db_sock), r->db_dir,
	    "mariadb.sock") < 0 ||
	    rh_path_join(data, sizeof(data), r->db_dir, "data") < 0 ||
	    qpm_snprintf(o_data, sizeof(o_data), "--datadir=%s", data) < 0 ||
	    qpm_snprintf(o_sock, sizeof(o_sock), "--socket=%s", r->db_sock) < 0 ||
	    qpm_snprintf(o_tmp, sizeof(o_tmp), "--tmpdir=%s", r->db_dir) < 0 ||
	    qpm_snprintf(o_pid, sizeof(o_pid), "--pid-file=%s/mariadbd.pid",
	    r->db_dir) < 0 ||
	    qpm_snprintf(o_user, sizeof(o_user), "--user=%s", my != NULL ?
	    "mysql" : "root") < 0 ||
	    rh_mkdir_owned(r->db_dir, 0755, my != NULL ? my->pw_uid : 0,
	    my != NULL ? my->pw_gid : 0) < 0)
		goto out;
	{
		char *av[] = { "mariadb-install-db", "--no-defaults", o_data,
		    o_user, o_tmp, "--auth-root-authentication-method=socket",
		    "--skip-test-db", NULL };

		if (rh_run_cmd(r, av, &tail) != 0) {
			msg_errorx("mariadb-install-db: %s", rh_cmd_tail(r, &tail));
			goto out;
		}
	}
	{
		char *av[] = { "mariadbd", "--no-defaults", o_data, o_sock,
		    o_pid, o_user, o_tmp, "--skip-networking", "--skip-name-resolve",
		    "--innodb-buffer-pool-size=16M", NULL };

		r->db_pid = rh_spawn(r, av, "mariadbd.log");
	}
	if (r->db_pid < 0 || wait_unix(r->db_sock, 300) < 0) {
		msg_errorx("MariaDB does not answer on %s (--keep: mariadbd.log)",
		    r->db_sock);
		goto out;
	}
	rc = 0;
out:
	qstr_free(&tail);
	return rc;
}

void
rh_stop_all(struct rh_run *r)
{
	struct qstr tail = QSTR_INIT(1024 * 1024);

	if (r->pf_started) {
		char *av[] = { "postfix", "-c", r->pf_conf, "stop", NULL };

		rh_run_cmd(r, av, &tail);
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
	/* InnoDB may take a while to shut down cleanly */
	if (r->db_pid > 0) {
		stop_pid(r->db_pid, 300, 1);
		r->db_pid = 0;
	}
	if (r->srs_pid > 0 && !r->srs_hold) {
		stop_pid(r->srs_pid, 30, 1);
		r->srs_pid = 0;
	}
	qstr_free(&tail);
}
