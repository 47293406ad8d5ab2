/*
 * NAME		install - copy OUT's Postfix and Dovecot files into place
 * DOES		for each file of OUT/postfix and OUT/dovecot: shows the diff
 *		against the installed one, keeps the installed one as
 *		NAME.YYYYMMDD-HHMMSS, writes the new one; then postmaps the
 *		indexed tables and validates (postfix check, postconf -n
 *		without warnings, postconf -M, doveconf -n). The files
 *		Dovecot's auth service reads (every Dovecot file but *.conf:
 *		the passwd-file users and deny files) get the group of the
 *		user that service runs as, from doveconf of the configuration
 *		being installed, and mode 0640. On any failure every file is
 *		put back as it was; a file that cannot be put back is named
 *		and the exit is 1, never "nothing changed".
 * NEVER	prints a file of mode 0600 (password hashes), overwrites an
 *		existing backup, changes anything with --dry-run, makes a
 *		password file world-readable
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/doveconf.h"
#include "mail/exits.h"
#include "mail/pfmaps.h"
#include "migrate/install/install.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/strlist.h"
#include "util/version.h"

#define IN_MAX_FILE	(64 * 1024 * 1024)	/* one configuration file */
#define IN_EXIT_REFUSED	2	/* nothing changed */
#define IN_EXIT_HALF	1	/* failed, and not every file was put back */
#define IN_MODE_AUTH	0640	/* root:GROUP of Dovecot's auth service */

struct in_file {
	char	src[1024], dst[1024], bak[1100];
	int	existed, changed, secret, backed_up, written;
	int	authread;	/* read by Dovecot's auth service */
	mode_t	mode;
	gid_t	gid;		/* (gid_t)-1: keep */
};

struct in_run {
	const char	*out, *pf_dir, *dc_dir;
	int		 dry_run;
	time_t		 now;
	struct in_file	*f;
	size_t		 n, cap;
};

int
install_backup_name(char *buf, size_t size, const char *path, time_t t)
{
	struct tm tm;
	char stamp[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		return QPM_ERANGE;
	return qpm_snprintf(buf, size, "%s.%s", path, stamp) < 0 ? QPM_ERANGE : 0;
}

int
install_parse_now(const char *s, time_t *t)
{
	struct tm tm;
	char *end;
	long long v;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y%m%d-%H%M%S", &tm);
	if (end != NULL && *end == '\0') {
		*t = timegm(&tm);
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 0)
		return -1;
	*t = (time_t)v;
	return 0;
}

static void
help(void)
{
	printf("usage: qmail2postfix install OUT --postfix-dir D --dovecot-dir D "
	    "[--dry-run]\n"
	    "\n"
	    "Copies OUT/postfix and OUT/dovecot into place. Each installed file\n"
	    "that changes is kept as NAME.YYYYMMDD-HHMMSS (UTC) first; the diff\n"
	    "is shown (files of mode 0600 only by name); postmap builds the\n"
	    "indexed tables; postfix check, postconf -n (no warnings), postconf\n"
	    "-M and doveconf -n validate. The files Dovecot's auth service reads\n"
	    "(users, deny.*) get mode 0640 and the group of the user it runs as\n"
	    "(doveconf: service auth user, default_internal_user). On a failure\n"
	    "everything is put back.\n"
	    "\n"
	    "  --postfix-dir D      Postfix's configuration directory\n"
	    "  --dovecot-dir D      Dovecot's configuration directory\n"
	    "  --dry-run            show the diff only; change nothing\n"
	    "  --now STAMP          time for the backup names (YYYYMMDD-HHMMSS\n"
	    "                       or seconds since 1970) [now]\n"
	    "  -v, --verbose        more output\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "\n"
	    "Exit: 0 installed (or nothing to do), 2 nothing changed (refused,\n"
	    "or put back after a failed validation), 1 failed and some files\n"
	    "could not be put back (each is named). See qmail2postfix(8).\n");
}

static int
usage(void)
{
	fprintf(stderr, "usage: qmail2postfix install OUT --postfix-dir D "
	    "--dovecot-dir D [--dry-run] [--now STAMP]\n");
	return IN_EXIT_REFUSED;
}

/* runs argv with stdout and stderr to the caller's (or into out) */
static int
run(char *const argv[], struct qstr *out)
{
	char tmpl[64];
	int st, fd = -1;
	pid_t pid;

	/* mkstemp's six template characters */
	if (out != NULL && (qpm_snprintf(tmpl, sizeof(tmpl),
	    "/tmp/q2p-install.%c%c%c%c%c%c", 'X', 'X', 'X', 'X', 'X', 'X') < 0 ||
	    (fd = mkstemp(tmpl)) < 0))
		return -1;
	if (fd >= 0)
		unlink(tmpl);
	if ((pid = fork()) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (pid == 0) {
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	if (fd >= 0) {
		char buf[4096];
		ssize_t n;

		lseek(fd, 0, SEEK_SET);
		qstr_reset(out);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			qstr_catn(out, buf, (size_t)n);
		close(fd);
	}
	fflush(stdout);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int
is_conf(const char *name)
{
	size_t n = strlen(name);

	return n >= 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int
add_dir(struct in_run *r, const char *src, const char *dst, int dovecot)
{
	struct dirent *de;
	struct stat st, ds;
	struct in_file *f, *nf;
	DIR *d;

	if ((d = opendir(src)) == NULL) {
		msg_warn("%s", src);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 32;
			if ((nf = realloc(r->f, r->cap * sizeof(*nf))) == NULL) {
				closedir(d);
				return -1;
			}
			r->f = nf;
		}
		f = &r->f[r->n];
		memset(f, 0, sizeof(*f));
		if (qpm_snprintf(f->src, sizeof(f->src), "%s/%s", src,
		    de->d_name) < 0 || qpm_snprintf(f->dst, sizeof(f->dst),
		    "%s/%s", dst, de->d_name) < 0 ||
		    lstat(f->src, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		f->mode = (st.st_mode & 077) ? 0644 : 0600;
		f->secret = f->mode == 0600;
		f->gid = (gid_t)-1;
		/* Dovecot reads its passwd-files (users, deny.*) in the
		 * auth process; dovecot.conf is read as root */
		f->authread = dovecot && !is_conf(de->d_name);
		if (lstat(f->dst, &ds) == 0) {
			if (!S_ISREG(ds.st_mode)) {
				msg_errorx("%s: exists and is not a regular file", f->dst);
				closedir(d);
				return -1;
			}
			f->existed = 1;
		}
		if (install_backup_name(f->bak, sizeof(f->bak), f->dst, r->now) < 0) {
			closedir(d);
			return -1;
		}
		r->n++;
	}
	closedir(d);
	return 0;
}

static int
same_content(const char *a, const char *b)
{
	struct qstr x = QSTR_INIT(IN_MAX_FILE), y = QSTR_INIT(IN_MAX_FILE);
	int same;

	same = file_read_all(a, IN_MAX_FILE, 0, &x) == 0 &&
	    file_read_all(b, IN_MAX_FILE, 0, &y) == 0 && x.len == y.len &&
	    (x.len == 0 || memcmp(x.buf, y.buf, x.len) == 0);
	qstr_free(&x);
	qstr_free(&y);
	return same;
}

static void
show_diff(struct in_file *f)
{
	if (f->secret) {
		printf("%s: %s (mode 0600: contents not shown)\n", f->dst,
		    f->existed ? "changed" : "new");
		return;
	}
	{
		char *av[] = { "diff", "-u", "--label", f->existed ? f->dst :
		    "/dev/null", "--label", f->dst, f->existed ? f->dst :
		    "/dev/null", f->src, NULL };

		fflush(stdout);
		run(av, NULL);
	}
}

/* a copy beside path with the same mode and owner (postmap rewrites
 * its .db files in place, so a hard link would change with them) */
static int
copy_file(const char *from, const char *to)
{
	struct qstr q = QSTR_INIT(IN_MAX_FILE * 4);
	struct stat st;
	int fd = -1, e = -1;

	if (stat(from, &st) < 0 || file_read_all(from, IN_MAX_FILE * 4, 0, &q) < 0)
		goto out;
	if ((fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    st.st_mode & 07777)) < 0)
		goto out;
	if ((q.len > 0 && write(fd, q.buf, q.len) != (ssize_t)q.len) ||
	    fchown(fd, st.st_uid, st.st_gid) < 0 ||
	    fchmod(fd, st.st_mode & 07777) < 0 || fsync(fd) < 0)
		goto out;
	e = 0;
out:
	if (fd >= 0 && close(fd) < 0)
		e = -1;
	if (e < 0 && fd >= 0)
		unlink(to);
	qstr_free(&q);
	return e;
}

/* the indexed tables main.cf names below dir: "hash:/dir/name" */
static int
postfix_maps(const char *dir, struct strlist *maps, struct qstr *tail)
{
	char *av[] = { "postconf", "-c", (char *)dir, "-x", "-n", NULL };

	if (run(av, tail) != 0)
		return -1;
	return pfmaps_indexed(maps, tail->buf, dir, PF_MAX_MAP_NAME);
}

static const char *
map_suffix(const char *map)
{
	if (strncmp(map, "cdb:", 4) == 0)
		return ".cdb";
	if (strncmp(map, "lmdb:", 5) == 0)
		return ".lmdb";
	return ".db";
}

/* one more file that stays changed, for the last line (each is also named
 * on its own line by the caller, so a full list only shortens the last) */
static void
left_add(struct qstr *left, size_t *nleft, const char *path)
{
	if (qstr_catf(left, "%s%s", *nleft ? ", " : "", path) < 0)
		(void)qstr_cat(left, " ...");
	(*nleft)++;
}

/* put everything back: new files away, backups renamed over; each file
 * that stays changed is named in *left; returns how many */
static size_t
restore(struct in_run *r, struct strlist *dbs, struct qstr *left)
{
	size_t i, nleft = 0;
	char bak[1300];
	const char *p;

	for (i = 0; i < r->n; i++) {
		struct in_file *f = &r->f[i];

		p = NULL;
		if (f->backed_up) {
			if (rename(f->bak, f->dst) < 0) {
				msg_warn("cannot put back %s from %s", f->dst,
				    f->bak);
				p = f->dst;
			}
		} else if (f->written && !f->existed && unlink(f->dst) < 0 &&
		    errno != ENOENT) {
			msg_warn("cannot remove the new %s", f->dst);
			p = f->dst;
		}
		if (p != NULL)
			left_add(left, &nleft, p);
	}
	/* dbs: "PATH" (restore from PATH.STAMP) or "-PATH" (remove) */
	for (i = 0; i < dbs->n; i++) {
		p = NULL;
		if (dbs->v[i][0] == '-') {
			if (unlink(dbs->v[i] + 1) < 0 && errno != ENOENT) {
				msg_warn("cannot remove the new %s",
				    dbs->v[i] + 1);
				p = dbs->v[i] + 1;
			}
		} else if (install_backup_name(bak, sizeof(bak), dbs->v[i],
		    r->now) < 0 || rename(bak, dbs->v[i]) < 0) {
			msg_warn("cannot put back %s from %s", dbs->v[i], bak);
			p = dbs->v[i];
		}
		if (p != NULL)
			left_add(left, &nleft, p);
	}
	return nleft;
}

/* One setting of a Dovecot configuration as doveconf prints it (name,
 * or service/S/KEY: KEY in the block of service S); a value "$NAME"
 * (2.3: service auth's user is "$default_internal_user", 2.4:
 * "$SET:default_internal_user") is looked up once more. */
static int
dovecot_setting(const char *conf, const char *name, struct qstr *val)
{
	struct qstr out = QSTR_INIT(64 * 1024);
	char ref[256], blk[256];
	const char *v = "", *slash;
	size_t n = 0;
	int depth, rc = -1;

	for (depth = 0; depth < 2; depth++) {
		char *av[] = { "doveconf", "-c", (char *)conf, "-h", (char *)name,
		    NULL };
		char *ab[] = { "doveconf", "-c", (char *)conf, blk, NULL };

		slash = strrchr(name, '/');
		if (slash != NULL && qpm_snprintf(blk, sizeof(blk), "%.*s",
		    (int)(slash - name), name) < 0)
			goto out;
		if (run(slash != NULL ? ab : av, &out) != 0 ||
		    doveconf_value(&out, name, &v, &n) < 0) {
			msg_errorx("doveconf -c %s %s%s: %s", conf, slash ?
			    "" : "-h ", slash ? blk : name, qstr_str(&out));
			goto out;
		}
		if (n == 0 || v[0] != '$' || depth == 1)
			break;
		if (n > 5 && strncmp(v, "$SET:", 5) == 0) {
			v += 4;
			n -= 4;
		}
		if (qpm_snprintf(ref, sizeof(ref), "%.*s", (int)(n - 1),
		    v + 1) < 0)
			goto out;
		name = ref;
	}
	qstr_reset(val);
	rc = n > 0 && v[0] == '$' ? -1 : qstr_catn(val, n > 0 ? v : "", n);
	if (rc < 0)
		msg_errorx("doveconf -c %s: %s: cannot tell its value", conf,
		    name);
out:
	qstr_free(&out);
	return rc;
}

/* The group whose members Dovecot's auth processes run as: the primary
 * group of service auth's user, which service auth-worker's user (when
 * not root) must share.  (gid_t)-1 when auth runs as root. */
static int
auth_group(const char *conf, gid_t *gid, struct qstr *desc)
{
	struct qstr user = QSTR_INIT(256), worker = QSTR_INIT(256);
	struct passwd *pw;
	gid_t groups[256];
	int ng = 256, i, rc = -1;
	char gname[64];
	struct group *gr;

	*gid = (gid_t)-1;
	if (dovecot_setting(conf, "service/auth/user", &user) < 0 ||
	    dovecot_setting(conf, "service/auth-worker/user", &worker) < 0)
		goto out;
	if (user.len == 0 || strcmp(user.buf, "root") == 0) {
		rc = qstr_cat(desc, "root");
		goto out;
	}
	if ((pw = getpwnam(user.buf)) == NULL) {
		msg_errorx("%s: Dovecot's auth service runs as %s, who does "
		    "not exist here", conf, user.buf);
		goto out;
	}
	*gid = pw->pw_gid;
	if (worker.len > 0 && strcmp(worker.buf, "root") != 0 &&
	    strcmp(worker.buf, user.buf) != 0) {
		struct passwd *wp = getpwnam(worker.buf);

		if (wp == NULL || getgrouplist(worker.buf, wp->pw_gid, groups,
		    &ng) < 0) {
			msg_errorx("%s: service auth-worker runs as %s: no such "
			    "user, or in too many groups", conf, worker.buf);
			goto out;
		}
		for (i = 0; i < ng && groups[i] != *gid; i++)
			;
		if (i == ng) {
			msg_errorx("%s: service auth-worker runs as %s, who is "
			    "not in group %u of service auth's user %s: one of "
			    "them could not read the password files", conf,
			    worker.buf, (unsigned)*gid, user.buf);
			goto out;
		}
	}
	if ((gr = getgrgid(*gid)) != NULL)
		qpm_snprintf(gname, sizeof(gname), "%s", gr->gr_name);
	else
		qpm_snprintf(gname, sizeof(gname), "%u", (unsigned)*gid);
	rc = qstr_catf(desc, "%s (group %s)", user.buf, gname);
out:
	qstr_free(&user);
	qstr_free(&worker);
	return rc;
}

/* Mode and group the installed file must have: 0640 with the auth
 * group for what Dovecot's auth reads (0600 when it runs as root). */
static void
auth_mode(struct in_file *f, gid_t gid)
{
	if (!f->authread)
		return;
	f->gid = gid;
	f->mode = gid == (gid_t)-1 ? 0600 : IN_MODE_AUTH;
}

/* the installed file has the content but not the mode or group */
static int
meta_differs(const struct in_file *f)
{
	struct stat st;

	if (lstat(f->dst, &st) < 0)
		return 1;
	return (st.st_mode & 07777) != f->mode ||
	    (f->gid != (gid_t)-1 && st.st_gid != f->gid);
}

static int
validate(struct in_run *r, struct qstr *tail)
{
	char dcconf[1100];
	const char *w;
	int ok = 1;

	{
		char *av[] = { "postfix", "-c", (char *)r->pf_dir, "check", NULL };

		if (run(av, tail) != 0) {
			msg_errorx("postfix -c %s check failed: %s", r->pf_dir,
			    qstr_str(tail));
			ok = 0;
		}
	}
	{
		char *av[] = { "postconf", "-c", (char *)r->pf_dir, "-n", NULL };

		if (run(av, tail) != 0)
			ok = 0;
		/* an unknown parameter is a typo that Postfix ignores */
		for (w = strstr(qstr_str(tail), "warning:"); w != NULL;
		    w = strstr(w + 1, "warning:")) {
			msg_errorx("postconf -n: %.*s", (int)strcspn(w, "\n"), w);
			ok = 0;
		}
	}
	{
		char *av[] = { "postconf", "-c", (char *)r->pf_dir, "-M", NULL };

		if (run(av, tail) != 0) {
			msg_errorx("postconf -M: %s", qstr_str(tail));
			ok = 0;
		}
	}
	if (qpm_snprintf(dcconf, sizeof(dcconf), "%s/dovecot.conf",
	    r->dc_dir) < 0)
		return 0;
	if (access(dcconf, F_OK) == 0) {
		char *av[] = { "doveconf", "-c", dcconf, "-n", NULL };

		if (run(av, tail) != 0) {
			/* 2.3 refuses 2.4's first line, and 2.4 2.3's */
			msg_errorx("doveconf -c %s -n failed (is it written for "
			    "this host's Dovecot version? see its first "
			    "lines): %s", dcconf, qstr_str(tail));
			ok = 0;
		}
		/* a deprecated setting: gone in the next version */
		for (w = strstr(qstr_str(tail), "Warning:"); w != NULL;
		    w = strstr(w + 1, "Warning:")) {
			msg_errorx("doveconf -n: %.*s", (int)strcspn(w, "\n"), w);
			ok = 0;
		}
	}
	return ok;
}

/* The options into r: -1 to go on, else the exit code (after --help,
 * --version or a usage error). */
static int
options(struct in_run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "postfix-dir", required_argument, NULL, 'p' },
		{ "dovecot-dir", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c, have_time = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': r->pf_dir = optarg; break;
		case 'd': r->dc_dir = optarg; break;
		case 'n': r->dry_run = 1; break;
		case 't':
			if (install_parse_now(optarg, &r->now) < 0) {
				msg_errorx("--now %s: want YYYYMMDD-HHMMSS or seconds",
				    optarg);
				return IN_EXIT_REFUSED;
			}
			have_time = 1;
			break;
		case 'v': msg_verbose++; break;
		case 'h': help(); return 0;
		case 'V': qpm_version("qmail2postfix"); return 0;
		default: return usage();
		}
	}
	if (optind != argc - 1 || r->pf_dir == NULL || r->dc_dir == NULL)
		return usage();
	r->out = argv[optind];
	if (!have_time)
		r->now = qpm_clock_now(&qpm_clock_system);
	return -1;
}

/* OUT's files against the ones in place: who reads the password files
 * (auth_who), what changes (shown as a diff); 0, or -1 with nothing
 * changed */
static int
plan(struct in_run *r, struct qstr *auth_who, size_t *nchanged)
{
	char src[1100], dcconf[1100];
	const char *path;
	gid_t auth_gid = (gid_t)-1;
	struct stat st;
	size_t i;

	if (qpm_snprintf(src, sizeof(src), "%s/postfix", r->out) < 0 ||
	    add_dir(r, src, r->pf_dir, 0) < 0 ||
	    qpm_snprintf(src, sizeof(src), "%s/dovecot", r->out) < 0 ||
	    add_dir(r, src, r->dc_dir, 1) < 0)
		return -1;
	/* who reads the password files: the configuration being installed
	 * says (OUT's dovecot.conf, else the one in place) */
	if (qpm_snprintf(dcconf, sizeof(dcconf), "%s/dovecot.conf",
	    r->dc_dir) < 0)
		return -1;
	for (i = 0, path = NULL; i < r->n; i++)
		if (strcmp(r->f[i].dst, dcconf) == 0)
			path = r->f[i].src;
	if (path == NULL && access(dcconf, F_OK) == 0)
		path = dcconf;
	if (path != NULL && auth_group(path, &auth_gid, auth_who) < 0) {
		msg_errorx("cannot tell which user Dovecot's auth service runs "
		    "as: nothing changed");
		return -1;
	}
	if (path == NULL && qstr_cat(auth_who, "root (no dovecot.conf)") < 0)
		return -1;
	/* what changes, and the diff */
	for (i = 0; i < r->n; i++) {
		struct in_file *f = &r->f[i];

		auth_mode(f, auth_gid);
		f->changed = !f->existed || !same_content(f->src, f->dst) ||
		    (f->authread && meta_differs(f));
		if (!f->changed)
			continue;
		(*nchanged)++;
		show_diff(f);
		if (f->existed && lstat(f->bak, &st) == 0) {
			msg_errorx("%s: the backup exists already; nothing changed",
			    f->bak);
			return -1;
		}
	}
	return 0;
}

/* backups (a hard link keeps mode, owner and content) and copies; 0,
 * or -1 for the caller to put everything back */
static int
copy_in(struct in_run *r, const struct qstr *auth_who)
{
	struct qstr data = QSTR_INIT(IN_MAX_FILE);
	size_t i;
	int rc = -1;

	for (i = 0; i < r->n; i++) {
		struct in_file *f = &r->f[i];

		if (!f->changed)
			continue;
		if (f->existed) {
			if (link(f->dst, f->bak) < 0 && copy_file(f->dst, f->bak) < 0) {
				msg_warn("cannot back up %s as %s", f->dst, f->bak);
				goto out;
			}
			f->backed_up = 1;
			printf("backup: %s\n", f->bak);
		}
		qstr_reset(&data);
		if (file_read_all(f->src, IN_MAX_FILE, FILE_READ_NOFOLLOW,
		    &data) < 0 || file_write_atomic_owned(f->dst, data.buf,
		    data.len, f->mode, (uid_t)-1, f->gid) < 0) {
			msg_warn("cannot write %s", f->dst);
			goto out;
		}
		f->written = 1;
		if (f->authread)
			printf("installed: %s (mode %04o: read by Dovecot's auth "
			    "service as %s)\n", f->dst, (unsigned)f->mode,
			    qstr_str(auth_who));
		else
			printf("installed: %s\n", f->dst);
	}
	rc = 0;
out:
	qstr_free(&data);
	return rc;
}

/* postmap, with the old indexed files kept for a restore (in dbs: the
 * index file, or "-" and its name when there was none); 0 or -1 */
static int
build_maps(struct in_run *r, struct strlist *maps, struct strlist *dbs,
    struct qstr *tail)
{
	char db[1300], dbbak[1400];
	const char *path;
	struct stat st;
	size_t i;

	if (postfix_maps(r->pf_dir, maps, tail) < 0) {
		msg_errorx("postconf -c %s -n: %s", r->pf_dir, qstr_str(tail));
		return -1;
	}
	for (i = 0; i < maps->n; i++) {
		path = strchr(maps->v[i], ':') + 1;
		if (qpm_snprintf(db, sizeof(db), "%s%s", path,
		    map_suffix(maps->v[i])) < 0 ||
		    install_backup_name(dbbak, sizeof(dbbak), db, r->now) < 0)
			return -1;
		if (lstat(db, &st) == 0) {
			if (copy_file(db, dbbak) < 0) {
				msg_warn("cannot back up %s", db);
				return -1;
			}
			strlist_add(dbs, db);
		} else {
			char gone[1310];

			if (qpm_snprintf(gone, sizeof(gone), "-%s", db) >= 0)
				strlist_add(dbs, gone);
		}
		{
			char *av[] = { "postmap", "-c", (char *)r->pf_dir,
			    maps->v[i], NULL };

			if (run(av, tail) != 0) {
				msg_errorx("postmap %s: %s", maps->v[i],
				    qstr_str(tail));
				return -1;
			}
		}
	}
	return 0;
}

int
install_main(int argc, char **argv)
{
	struct in_run r;
	struct strlist maps = { 0 }, dbs = { 0 };
	struct qstr tail = QSTR_INIT(4 * 1024 * 1024);
	char dbbak[1400];
	char *pf_abs = NULL, *dc_abs = NULL;
	int exit_code;
	size_t i, nchanged = 0, nleft;
	struct stat st;
	struct qstr auth_who = QSTR_INIT(1024), left = QSTR_INIT(64 * 1024);

	memset(&r, 0, sizeof(r));
	if ((exit_code = options(&r, argc, argv)) >= 0)
		goto out;
	exit_code = IN_EXIT_REFUSED;
	/* postfix -c wants an absolute path */
	if ((pf_abs = realpath(r.pf_dir, NULL)) == NULL ||
	    (dc_abs = realpath(r.dc_dir, NULL)) == NULL ||
	    stat(pf_abs, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    stat(dc_abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		msg_errorx("%s and %s must be existing directories", r.pf_dir,
		    r.dc_dir);
		goto out;
	}
	r.pf_dir = pf_abs;
	r.dc_dir = dc_abs;
	if (plan(&r, &auth_who, &nchanged) < 0)
		goto out;
	fflush(stdout);
	if (r.dry_run) {
		printf("dry run: %zu of %zu files would change; nothing written\n",
		    nchanged, r.n);
		exit_code = 0;
		goto out;
	}
	if (copy_in(&r, &auth_who) < 0 || build_maps(&r, &maps, &dbs,
	    &tail) < 0)
		goto fail;
	if (!validate(&r, &tail))
		goto fail;
	/* the old indexed files are not needed any more */
	for (i = 0; i < dbs.n; i++)
		if (dbs.v[i][0] != '-' && install_backup_name(dbbak, sizeof(dbbak),
		    dbs.v[i], r.now) == 0)
			unlink(dbbak);
	printf("%zu of %zu files changed; %zu tables built; postfix check and "
	    "doveconf -n passed\n", nchanged, r.n, maps.n);
	exit_code = 0;
	goto out;
fail:
	fflush(stdout);
	if ((nleft = restore(&r, &dbs, &left)) > 0) {
		msg_errorx("NOT everything was put back: %zu file%s still "
		    "changed: %s; the old contents are in the dated backups "
		    "of this run", nleft, nleft == 1 ? " is" : "s are",
		    qstr_str(&left));
		exit_code = IN_EXIT_HALF;
	} else
		msg_errorx("nothing changed: every file was put back as it was");
out:
	fflush(stdout);
	free(r.f);
	free(pf_abs);
	free(dc_abs);
	strlist_free(&maps);
	strlist_free(&dbs);
	qstr_free(&tail);
	qstr_free(&auth_who);
	qstr_free(&left);
	return exit_code;
}
