/*
 * NAME		install - put everything OUT holds into place, all or nothing
 * DOES		plans each part (in_layout.c: which, and where; in_users.c:
 *		the accounts; in_parts.c: srs, dkim, nftables, sysctl, sql);
 *		for each file of OUT/postfix and OUT/dovecot: shows the diff
 *		against the installed one, keeps the installed one as
 *		NAME.YYYYMMDD-HHMMSS, writes the new one; then postmaps the
 *		indexed tables and validates (postfix check, postconf -n
 *		without warnings, postconf -M, doveconf -n). The files
 *		Dovecot's auth service reads (every Dovecot file but *.conf:
 *		the passwd-file users and deny files) get the group of the
 *		user that service runs as, from doveconf of the configuration
 *		being installed, and mode 0640. On any failure every file is
 *		put back as it was; a file that cannot be put back is named
 *		and the exit is 1, never "nothing changed". Every other
 *		part's files go the same way (backup, write, its checker,
 *		put back), and so do the directories, links and users made.
 * NEVER	prints a file of mode 0600 (password hashes), overwrites an
 *		existing backup, changes anything with --dry-run, makes a
 *		password file world-readable
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/exits.h"
#include "mail/pfmaps.h"
#include "migrate/install/in_int.h"
#include "migrate/install/install.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/strlist.h"
#include "util/version.h"

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
	printf("usage: qmail2postfix install OUT [--target-root DIR] "
	    "[--layout debian|rhel]\n"
	    "    [--only PART[,PART]] [--skip PART[,PART]] [--postfix-dir D] "
	    "[--dovecot-dir D]\n"
	    "    [--mail-user NAME] [--mail-group NAME] [--start] [--sql-load] "
	    "[--dry-run] [--now STAMP]\n"
	    "\n"
	    "Puts everything OUT holds into place, all or nothing. PARTs: users\n"
	    "(the mail user and group with the uid/gid OUT's main.cf delivers\n"
	    "as, when free; srsfwd), postfix, dovecot, srs (the secret 0600\n"
	    "srsfwd where srs-map.service reads it; the unit, enabled, started\n"
	    "only with --start), dkim (opendkim.conf, the tables, the keys 0600\n"
	    "opendkim), nftables (the file, included from the system's ruleset),\n"
	    "sysctl (a sysctl.d file, not applied), sql (the load commands;\n"
	    "--sql-load loads after a mariadb-dump backup). Each installed file\n"
	    "that changes is kept as NAME.YYYYMMDD-HHMMSS (UTC) first; the diff\n"
	    "is shown (files of mode 0600 only by name); postmap builds the\n"
	    "indexed tables; postfix check, postconf -n (no warnings), postconf\n"
	    "-M, doveconf -n, systemd-analyze verify, opendkim -n and nft -c\n"
	    "validate. The files Dovecot's auth service reads (users, deny.*)\n"
	    "get mode 0640 and the group of the user it runs as. On a failure\n"
	    "every file is put back and every user added removed.\n"
	    "\n"
	    "  --target-root DIR    the system to install into [/]\n"
	    "  --layout L           debian or rhel [from DIR/etc/os-release]\n"
	    "  --only P,P / --skip P,P  choose parts [all OUT holds]\n"
	    "  --postfix-dir D      Postfix's configuration directory "
	    "[DIR/etc/postfix]\n"
	    "  --dovecot-dir D      Dovecot's configuration directory "
	    "[DIR/etc/dovecot]\n"
	    "  --mail-user NAME     the mail user [vpopmail]\n"
	    "  --mail-group NAME    the mail group [vchkpw]\n"
	    "  --start              start srs-map after the install\n"
	    "  --sql-load           load OUT/sql into MariaDB (after a dump)\n"
	    "  --dry-run            show the diffs and accounts; change nothing\n"
	    "  --now STAMP          time for the backup names (YYYYMMDD-HHMMSS\n"
	    "                       or seconds since 1970) [now]\n"
	    "  -v, --verbose        more output\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "\n"
	    "Exit: 0 installed (or nothing to do), 2 nothing changed (refused,\n"
	    "or put back after a failed validation), 1 failed and some files\n"
	    "or users could not be put back (each is named). See "
	    "qmail2postfix(8).\n");
}

static int
usage(void)
{
	fprintf(stderr, "usage: qmail2postfix install OUT [--target-root DIR] "
	    "[--layout debian|rhel] [--only PARTS] [--skip PARTS] "
	    "[--postfix-dir D] [--dovecot-dir D] [--mail-user NAME] "
	    "[--mail-group NAME] [--start] [--sql-load] [--dry-run] "
	    "[--now STAMP]\n");
	return IN_EXIT_REFUSED;
}

/* runs argv with stdout and stderr to the caller's (or into out) */
int
in_run_cmd(char *const argv[], struct qstr *out)
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
	char sp[IN_PATH], dp[IN_PATH];
	struct dirent *de;
	struct in_file *f;
	struct stat st;
	DIR *d;
	int rc = -1;

	if ((d = opendir(src)) == NULL) {
		msg_warn("%s", src);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (qpm_snprintf(sp, sizeof(sp), "%s/%s", src, de->d_name) < 0 ||
		    qpm_snprintf(dp, sizeof(dp), "%s/%s", dst, de->d_name) < 0)
			goto out;
		if (lstat(sp, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((f = in_add_file(r, sp, dp, dovecot ? IP_DOVECOT :
		    IP_POSTFIX)) == NULL)
			goto out;
		/* Dovecot reads its passwd-files (users, deny.*) in the
		 * auth process; dovecot.conf is read as root */
		f->authread = dovecot && !is_conf(de->d_name);
		/* Postfix's mysql-*.cf hold a password: 0640 root:postfix */
		if (!dovecot && (st.st_mode & 077) == 040) {
			f->mode = 0640;
			f->secret = 1;
			qpm_snprintf(f->group, sizeof(f->group), "postfix");
		}
	}
	rc = 0;
out:
	closedir(d);
	return rc;
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
		printf("%s: %s (mode %04o, owner %s:%s: contents not shown)\n",
		    f->dst, f->existed ? "changed" : "new", (unsigned)f->mode,
		    f->owner[0] ? f->owner : "root", f->group[0] ? f->group :
		    "root");
		return;
	}
	if (f->owner[0] != '\0' || f->group[0] != '\0')
		printf("%s: owner %s:%s, mode %04o\n", f->dst, f->owner[0] ?
		    f->owner : "root", f->group[0] ? f->group : "root",
		    (unsigned)f->mode);
	{
		char *av[] = { "diff", "-u", "--label", f->existed ? f->dst :
		    "/dev/null", "--label", f->dst, f->existed ? f->dst :
		    "/dev/null", f->src, NULL };

		fflush(stdout);
		in_run_cmd(av, NULL);
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

	if (in_run_cmd(av, tail) != 0)
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
	/* links and directories this run made, last first */
	for (i = r->nd; i-- > 0;) {
		struct in_dir *d = &r->d[i];

		if (!d->made)
			continue;
		if ((d->is_link ? unlink(d->path) : rmdir(d->path)) < 0) {
			msg_warn("cannot remove the new %s", d->path);
			left_add(left, &nleft, d->path);
		} else
			d->made = 0;
	}
	return nleft;
}

/* the installed file has the content but not the mode or owner */
static int
meta_differs(const struct in_file *f)
{
	struct stat st;

	if (lstat(f->dst, &st) < 0)
		return 1;
	return (st.st_mode & 07777) != f->mode ||
	    (f->uid != (uid_t)-1 && st.st_uid != f->uid) ||
	    (f->gid != (gid_t)-1 && st.st_gid != f->gid);
}

/* owner and group names to ids of the target system: 1 done, 0 one of
 * them is not there (yet), -1 cannot read its accounts */
static int
resolve_owner(const struct in_run *r, struct in_file *f)
{
	int rc = 1, got;

	if (f->owner[0] != '\0') {
		if ((got = in_lookup_user(r, f->owner, &f->uid, NULL)) < 0)
			return -1;
		rc = got;
	}
	if (f->group[0] != '\0') {
		if ((got = in_lookup_group(r, f->group, &f->gid)) < 0)
			return -1;
		rc = rc && got;
	}
	return rc;
}

/* is name one of the users or groups this run adds? */
static int
planned_user(const struct in_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nu; i++)
		if (strcmp(r->u[i].name, name) == 0)
			return 1;
	return 0;
}

static int
validate(struct in_run *r, struct qstr *tail)
{
	char dcconf[1100];
	const char *w;
	int ok = 1;

	if (r->want[IP_POSTFIX]) {
		char *av[] = { "postfix", "-c", (char *)r->pf_dir, "check", NULL };
		char *an[] = { "postconf", "-c", (char *)r->pf_dir, "-n", NULL };
		char *am[] = { "postconf", "-c", (char *)r->pf_dir, "-M", NULL };

		if (in_run_cmd(av, tail) != 0) {
			msg_errorx("postfix -c %s check failed: %s", r->pf_dir,
			    qstr_str(tail));
			ok = 0;
		}
		if (in_run_cmd(an, tail) != 0)
			ok = 0;
		/* an unknown parameter is a typo that Postfix ignores */
		for (w = strstr(qstr_str(tail), "warning:"); w != NULL;
		    w = strstr(w + 1, "warning:")) {
			msg_errorx("postconf -n: %.*s", (int)strcspn(w, "\n"), w);
			ok = 0;
		}
		if (in_run_cmd(am, tail) != 0) {
			msg_errorx("postconf -M: %s", qstr_str(tail));
			ok = 0;
		}
	}
	if (qpm_snprintf(dcconf, sizeof(dcconf), "%s/dovecot.conf",
	    r->dc_dir) < 0)
		return 0;
	if (r->want[IP_DOVECOT] && access(dcconf, F_OK) == 0) {
		char *av[] = { "doveconf", "-c", dcconf, "-n", NULL };

		if (in_run_cmd(av, tail) != 0) {
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
	return in_parts_validate(r, tail) && ok;
}

/* The options into r: -1 to go on, else the exit code (after --help,
 * --version or a usage error). */
static int
options(struct in_run *r, int argc, char **argv, const char **layout)
{
	static const struct option opts[] = {
		{ "postfix-dir", required_argument, NULL, 'p' },
		{ "dovecot-dir", required_argument, NULL, 'd' },
		{ "target-root", required_argument, NULL, 'R' },
		{ "layout", required_argument, NULL, 'L' },
		{ "only", required_argument, NULL, 'O' },
		{ "skip", required_argument, NULL, 'S' },
		{ "mail-user", required_argument, NULL, 'U' },
		{ "mail-group", required_argument, NULL, 'G' },
		{ "start", no_argument, NULL, 's' },
		{ "sql-load", no_argument, NULL, 'Q' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int only[IP_NPARTS] = { 0 }, skip[IP_NPARTS] = { 0 };
	int c, have_time = 0, have_only = 0;

	r->root = "/";
	r->mail_user = "vpopmail";
	r->mail_group = "vchkpw";
	optind = 1;
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': r->pf_dir = optarg; break;
		case 'd': r->dc_dir = optarg; break;
		case 'R': r->root = optarg; break;
		case 'L': *layout = optarg; break;
		case 'O':
			have_only = 1;
			if (in_parse_parts(optarg, only) < 0)
				return usage();
			break;
		case 'S':
			if (in_parse_parts(optarg, skip) < 0)
				return usage();
			break;
		case 'U': r->mail_user = optarg; break;
		case 'G': r->mail_group = optarg; break;
		case 's': r->start = 1; break;
		case 'Q': r->sql_load = 1; break;
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
	if (optind != argc - 1 || r->root[0] != '/')
		return usage();
	r->out = argv[optind];
	if (!have_time)
		r->now = qpm_clock_now(&qpm_clock_system);
	in_parts_present(r, only, skip, have_only);
	return -1;
}

/* OUT's files against the ones in place: the accounts, who reads the
 * password files (auth_who), what changes (shown as a diff); 0, or -1
 * with nothing changed */
static int
plan(struct in_run *r, struct qstr *auth_who, size_t *nchanged)
{
	char src[1100];
	struct stat st;
	size_t i;
	int got;

	if (r->want[IP_USERS] && in_users_plan(r) < 0)
		return -1;
	if (r->want[IP_POSTFIX] && (qpm_snprintf(src, sizeof(src), "%s/postfix",
	    r->out) < 0 || add_dir(r, src, r->pf_dir, 0) < 0))
		return -1;
	if (r->want[IP_DOVECOT] && (qpm_snprintf(src, sizeof(src), "%s/dovecot",
	    r->out) < 0 || add_dir(r, src, r->dc_dir, 1) < 0 ||
	    in_dovecot_auth(r, auth_who) < 0))
		return -1;
	if (in_parts_plan(r) < 0)
		return -1;
	/* what changes, and the diff */
	for (i = 0; i < r->n; i++) {
		struct in_file *f = &r->f[i];

		if ((got = resolve_owner(r, f)) < 0)
			return -1;
		if (got == 0 && !planned_user(r, f->owner[0] ? f->owner :
		    f->group)) {
			msg_errorx("%s: its owner %s does not exist on the target "
			    "system (--skip users?); nothing changed", f->dst,
			    f->owner[0] ? f->owner : f->group);
			return -1;
		}
		f->changed = !f->existed || !same_content(f->src, f->dst) ||
		    got == 0 || meta_differs(f);
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
	for (i = 0; i < r->nd; i++)
		if (r->d[i].is_link)
			printf("%s: %s -> %s (enabled)\n", r->dry_run ?
			    "would link" : "to link", r->d[i].path,
			    r->d[i].target);
		else
			printf("%s: %s/ (mode %04o)\n", r->dry_run ?
			    "would make" : "to make", r->d[i].path,
			    (unsigned)r->d[i].mode);
	return 0;
}

/* the new directories and links; 0 or -1 */
static int
make_dirs(struct in_run *r)
{
	struct in_file probe;
	size_t i;

	for (i = 0; i < r->nd; i++) {
		struct in_dir *d = &r->d[i];

		if (d->is_link ? symlink(d->target, d->path) < 0 :
		    mkdir(d->path, d->mode) < 0) {
			msg_warn("cannot make %s", d->path);
			return -1;
		}
		d->made = 1;
		memset(&probe, 0, sizeof(probe));
		probe.uid = (uid_t)-1;
		probe.gid = (gid_t)-1;
		memcpy(probe.owner, d->owner, sizeof(probe.owner));
		memcpy(probe.group, d->group, sizeof(probe.group));
		if (!d->is_link && (resolve_owner(r, &probe) != 1 ||
		    chown(d->path, probe.uid, probe.gid) < 0 ||
		    chmod(d->path, d->mode) < 0)) {
			msg_warn("cannot give %s its owner and mode", d->path);
			return -1;
		}
	}
	return 0;
}

/* the accounts, directories, backups (a hard link keeps mode, owner and
 * content) and copies; 0, or -1 for the caller to put everything back */
static int
copy_in(struct in_run *r, const struct qstr *auth_who)
{
	struct qstr data = QSTR_INIT(IN_MAX_FILE);
	size_t i;
	int rc = -1;

	if (in_users_add(r) < 0 || make_dirs(r) < 0)
		goto out;
	for (i = 0; i < r->n; i++) {
		struct in_file *f = &r->f[i];

		if (!f->changed)
			continue;
		if (resolve_owner(r, f) != 1) {
			msg_errorx("%s: no user or group %s%s%s on the target "
			    "system", f->dst, f->owner, f->owner[0] &&
			    f->group[0] ? ":" : "", f->group);
			goto out;
		}
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
		    data.len, f->mode, f->uid, f->gid) < 0) {
			msg_warn("cannot write %s", f->dst);
			goto out;
		}
		f->written = 1;
		if (f->authread)
			printf("installed: %s (mode %04o: read by Dovecot's auth "
			    "service as %s)\n", f->dst, (unsigned)f->mode,
			    qstr_str(auth_who));
		else if (f->owner[0] != '\0' || f->group[0] != '\0')
			printf("installed: %s (mode %04o, owner %s:%s)\n", f->dst,
			    (unsigned)f->mode, f->owner[0] ? f->owner : "root",
			    f->group[0] ? f->group : "root");
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

			if (in_run_cmd(av, tail) != 0) {
				msg_errorx("postmap %s: %s", maps->v[i],
				    qstr_str(tail));
				return -1;
			}
		}
	}
	return 0;
}

/* "postfix (3 of 40 files), srs (2 of 2 files)" and the accounts added */
static void
summary(const struct in_run *r, size_t ntables, struct qstr *out)
{
	size_t i, n, nch;
	int p;

	for (p = 0; p < IP_NPARTS; p++) {
		if (!r->want[p])
			continue;
		for (i = n = nch = 0; i < r->n; i++)
			if (r->f[i].part == p) {
				n++;
				nch += r->f[i].changed;
			}
		if (p == IP_USERS) {
			(void)qstr_cat(out, "users (added:");
			for (i = n = 0; i < r->nu; i++, n++)
				(void)qstr_catf(out, "%s %s %s", n ? "," : "",
				    r->u[i].is_group ? "group" : "user",
				    r->u[i].name);
			(void)qstr_cat(out, n ? "), " : " none), ");
		} else if (p == IP_SQL)
			(void)qstr_cat(out, "sql (see above), ");
		else
			(void)qstr_catf(out, "%s (%zu of %zu files changed%s), ",
			    in_part_name[p], nch, n, p == IP_POSTFIX && ntables ?
			    ", tables built" : "");
	}
	if (out->len >= 2)
		out->buf[out->len -= 2] = '\0';
}

/* the Postfix and Dovecot directories (absolute: postfix -c wants one),
 * given or the layout's under the target root; 0 or -1 */
static int
config_dirs(struct in_run *r, char **pf_abs, char **dc_abs)
{
	char pf[IN_PATH], dc[IN_PATH];
	struct stat st;

	if ((r->pf_dir == NULL && (in_rootpath(r, pf, sizeof(pf),
	    r->lay.postfix_dir) < 0 || (r->pf_dir = pf, 0))) ||
	    (r->dc_dir == NULL && (in_rootpath(r, dc, sizeof(dc),
	    r->lay.dovecot_dir) < 0 || (r->dc_dir = dc, 0))))
		return -1;
	if (r->want[IP_POSTFIX] && ((*pf_abs = realpath(r->pf_dir, NULL)) ==
	    NULL || stat(*pf_abs, &st) < 0 || !S_ISDIR(st.st_mode))) {
		msg_errorx("%s must be an existing directory (is Postfix "
		    "installed?)", r->pf_dir);
		return -1;
	}
	if (r->want[IP_DOVECOT] && ((*dc_abs = realpath(r->dc_dir, NULL)) ==
	    NULL || stat(*dc_abs, &st) < 0 || !S_ISDIR(st.st_mode))) {
		msg_errorx("%s must be an existing directory (is Dovecot "
		    "installed?)", r->dc_dir);
		return -1;
	}
	r->pf_dir = *pf_abs != NULL ? *pf_abs : "";
	r->dc_dir = *dc_abs != NULL ? *dc_abs : "";
	return 0;
}

static void
tmp_remove(const struct in_run *r)
{
	static const char *const names[] = { "nftables.conf", "opendkim.conf",
	    NULL };
	char path[IN_PATH];
	size_t i;

	if (r->tmpdir[0] == '\0')
		return;
	for (i = 0; names[i] != NULL; i++)
		if (qpm_snprintf(path, sizeof(path), "%s/%s", r->tmpdir,
		    names[i]) == 0)
			unlink(path);
	rmdir(r->tmpdir);
}

int
install_main(int argc, char **argv)
{
	struct in_run r;
	struct strlist maps = { 0 }, dbs = { 0 };
	struct qstr tail = QSTR_INIT(4 * 1024 * 1024);
	char dbbak[1400];
	char *pf_abs = NULL, *dc_abs = NULL;
	const char *layout = NULL;
	int exit_code;
	size_t i, nchanged = 0, nleft;
	struct qstr auth_who = QSTR_INIT(1024), left = QSTR_INIT(64 * 1024);
	struct qstr done = QSTR_INIT(64 * 1024);

	memset(&r, 0, sizeof(r));
	r.notes = (struct qstr)QSTR_INIT(64 * 1024);
	if ((exit_code = options(&r, argc, argv, &layout)) >= 0)
		goto out;
	exit_code = IN_EXIT_REFUSED;
	if (in_layout_choose(&r, layout) < 0 ||
	    config_dirs(&r, &pf_abs, &dc_abs) < 0)
		goto out;
	/* mkdtemp's six template characters */
	if (qpm_snprintf(r.tmpdir, sizeof(r.tmpdir),
	    "/tmp/q2p-install.%c%c%c%c%c%c", 'X', 'X', 'X', 'X', 'X',
	    'X') < 0 || mkdtemp(r.tmpdir) == NULL) {
		r.tmpdir[0] = '\0';
		msg_warn("mkdtemp");
		goto out;
	}
	printf("layout: %s; target root: %s\n", r.lay.name, r.root);
	if (plan(&r, &auth_who, &nchanged) < 0)
		goto out;
	fflush(stdout);
	if (r.dry_run) {
		(void)in_parts_after(&r);
		printf("dry run: %zu of %zu files would change, %zu accounts "
		    "would be added; nothing written\n", nchanged, r.n, r.nu);
		exit_code = 0;
		goto out;
	}
	if (copy_in(&r, &auth_who) < 0 || (r.want[IP_POSTFIX] &&
	    build_maps(&r, &maps, &dbs, &tail) < 0))
		goto fail;
	if (!validate(&r, &tail) || in_parts_after(&r) < 0)
		goto fail;
	/* the old indexed files are not needed any more */
	for (i = 0; i < dbs.n; i++)
		if (dbs.v[i][0] != '-' && install_backup_name(dbbak, sizeof(dbbak),
		    dbs.v[i], r.now) == 0)
			unlink(dbbak);
	summary(&r, maps.n, &done);
	printf("installed: %s; every checker passed; %s%zu of %zu files "
	    "changed\n", qstr_str(&done), qstr_str(&r.notes), nchanged, r.n);
	exit_code = 0;
	goto out;
fail:
	fflush(stdout);
	nleft = restore(&r, &dbs, &left);
	nleft += in_users_remove(&r, &left);
	if (nleft > 0) {
		msg_errorx("NOT everything was put back: %zu file%s still "
		    "changed: %s; the old contents are in the dated backups "
		    "of this run", nleft, nleft == 1 ? " is" : "s are",
		    qstr_str(&left));
		exit_code = IN_EXIT_HALF;
	} else
		msg_errorx("nothing changed: every file was put back as it was%s",
		    r.nu > 0 ? ", every account added removed" : "");
out:
	fflush(stdout);
	tmp_remove(&r);
	free(r.f);
	free(r.d);
	free(pf_abs);
	free(dc_abs);
	strlist_free(&maps);
	strlist_free(&dbs);
	qstr_free(&tail);
	qstr_free(&auth_who);
	qstr_free(&left);
	qstr_free(&done);
	qstr_free(&r.notes);
	return exit_code;
}
