/*
 * NAME		in_parts - the parts of OUT beside Postfix and Dovecot
 * DOES		srs (the secret where srs-map.service's ExecStart reads it,
 *		0600 srsfwd; the unit, enabled by its WantedBy link), dkim
 *		(opendkim.conf, the tables, the keys 0600 opendkim), nftables
 *		(the file, and one include line in the system's ruleset),
 *		sysctl (a sysctl.d file), sql (the load commands, or the load
 *		after a mariadb-dump backup with --sql-load); the checkers
 *		(systemd-analyze verify, opendkim -n, nft -c)
 * NEVER	starts a service without --start, or applies kernel settings
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "migrate/install/in_int.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

#define IN_UNIT		"srs-map.service"

/* OUT/DIR/NAME, dst below the target root; owner and mode */
static struct in_file *
add(struct in_run *r, int part, const char *dir, const char *name,
    const char *dst, mode_t mode, const char *owner)
{
	char src[IN_PATH], rdst[IN_PATH];
	struct in_file *f;
	const char *slash;

	if (qpm_snprintf(src, sizeof(src), "%s/%s/%s", r->out, dir, name) < 0 ||
	    in_rootpath(r, rdst, sizeof(rdst), dst) < 0)
		return NULL;
	slash = strrchr(dst, '/');
	{
		char parent[IN_PATH];

		if (qpm_snprintf(parent, sizeof(parent), "%.*s",
		    (int)(slash - dst), dst) < 0 ||
		    in_want_dir(r, parent, part, 0755, "", "") < 0)
			return NULL;
	}
	if ((f = in_add_file(r, src, rdst, part)) == NULL)
		return NULL;
	f->mode = mode;
	f->secret = mode == 0600;
	if (owner != NULL && (qpm_snprintf(f->owner, sizeof(f->owner), "%s",
	    owner) < 0 || qpm_snprintf(f->group, sizeof(f->group), "%s",
	    owner) < 0))
		return NULL;
	return f;
}

/* the value of "KEY=" in the unit text, or of the option after "-s" in
 * its ExecStart; into buf; 0 or -1 */
static int
unit_value(const char *text, const char *key, const char *opt, char *buf,
    size_t size)
{
	const char *p = text, *v;
	size_t n = strlen(key);

	for (; p != NULL; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncmp(p, key, n) != 0)
			continue;
		v = p + n;
		if (opt != NULL) {
			v = strstr(v, opt);
			if (v == NULL || v > p + strcspn(p, "\n"))
				return -1;
			v += strlen(opt);
		}
		return qpm_snprintf(buf, size, "%.*s", (int)strcspn(v, " \t\n"),
		    v) < 0 ? -1 : 0;
	}
	return -1;
}

static int
plan_srs(struct in_run *r)
{
	struct qstr unit = QSTR_INIT(64 * 1024);
	char path[IN_PATH], secret[IN_PATH], wanted[256], link[IN_PATH];
	char target[IN_PATH];
	int rc = -1;

	if (qpm_snprintf(path, sizeof(path), "%s/srs/%s", r->out, IN_UNIT) < 0 ||
	    file_read_all(path, 64 * 1024, 0, &unit) < 0) {
		msg_warn("%s", path);
		goto out;
	}
	if (unit_value(unit.buf, "ExecStart=", " -s ", secret,
	    sizeof(secret)) < 0 || secret[0] != '/') {
		msg_errorx("%s: ExecStart has no \"-s /PATH\": cannot tell where "
		    "srs-map reads its secret", path);
		goto out;
	}
	if (unit_value(unit.buf, "WantedBy=", NULL, wanted, sizeof(wanted)) < 0)
		qpm_snprintf(wanted, sizeof(wanted), "multi-user.target");
	if (add(r, IP_SRS, "srs", "secret", secret, 0600, "srsfwd") == NULL ||
	    qpm_snprintf(target, sizeof(target), "%s/%s", r->lay.unit_dir,
	    IN_UNIT) < 0 || add(r, IP_SRS, "srs", IN_UNIT, target, 0644,
	    NULL) == NULL)
		goto out;
	/* enabled as systemctl enable does it: WantedBy's .wants link */
	if (qpm_snprintf(link, sizeof(link), "%s/%s.wants", r->lay.unit_dir,
	    wanted) < 0 || in_want_dir(r, link, IP_SRS, 0755, "", "") < 0 ||
	    qpm_snprintf(link, sizeof(link), "%s/%s.wants/%s", r->lay.unit_dir,
	    wanted, IN_UNIT) < 0)
		goto out;
	rc = in_want_link(r, link, target, IP_SRS);
out:
	qstr_free(&unit);
	return rc;
}

static int
plan_dkim(struct in_run *r)
{
	static const char *const tables[] = { "KeyTable", "SigningTable",
	    "TrustedHosts", NULL };
	char dst[IN_PATH], keys[IN_PATH];
	struct dirent *de;
	uid_t uid;
	size_t i;
	DIR *d;
	int rc = -1;

	if (in_lookup_user(r, "opendkim", &uid, NULL) != 1) {
		msg_errorx("dkim: there is no user opendkim on the target "
		    "system: install the opendkim package first (or --skip "
		    "dkim); nothing changed");
		return -1;
	}
	if (add(r, IP_DKIM, "dkim", "opendkim.conf", r->lay.dkim_conf, 0644,
	    NULL) == NULL)
		return -1;
	for (i = 0; tables[i] != NULL; i++)
		if (qpm_snprintf(dst, sizeof(dst), "%s/%s", r->lay.dkim_dir,
		    tables[i]) < 0 || add(r, IP_DKIM, "dkim", tables[i], dst,
		    0644, NULL) == NULL)
			return -1;
	if (qpm_snprintf(dst, sizeof(dst), "%s/keys", r->lay.dkim_dir) < 0 ||
	    in_want_dir(r, dst, IP_DKIM, 0750, "opendkim", "opendkim") < 0 ||
	    qpm_snprintf(keys, sizeof(keys), "%s/dkim/keys", r->out) < 0)
		return -1;
	if ((d = opendir(keys)) == NULL) {
		msg_warn("%s", keys);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 9 ||
		    strcmp(de->d_name + n - 8, ".private") != 0)
			continue;
		if (qpm_snprintf(dst, sizeof(dst), "%s/keys/%s", r->lay.dkim_dir,
		    de->d_name) < 0 || add(r, IP_DKIM, "dkim/keys", de->d_name,
		    dst, 0600, "opendkim") == NULL)
			goto out;
	}
	rc = 0;
out:
	closedir(d);
	return rc;
}

/* the system ruleset with one more line: include "FILE" (once) */
static int
plan_nft_include(struct in_run *r, const char *file)
{
	struct qstr text = QSTR_INIT(IN_MAX_FILE);
	char conf[IN_PATH], gen[IN_PATH], line[IN_PATH + 16];
	struct in_file *f;
	struct stat st;
	int rc = -1, have;

	if (in_rootpath(r, conf, sizeof(conf), r->lay.nft_conf) < 0 ||
	    qpm_snprintf(line, sizeof(line), "include \"%s\"", file) < 0)
		goto out;
	have = stat(conf, &st) == 0;
	if (have && file_read_all(conf, IN_MAX_FILE, 0, &text) < 0) {
		msg_warn("%s", conf);
		goto out;
	}
	if (have && strstr(text.buf, line) != NULL) {
		rc = 0;		/* included already */
		goto out;
	}
	if (!have && qstr_cat(&text, "#!/usr/sbin/nft -f\n") < 0)
		goto out;
	if (text.len > 0 && text.buf[text.len - 1] != '\n' &&
	    qstr_cat(&text, "\n") < 0)
		goto out;
	if (qstr_catf(&text, "# the old host's per-client connection limits "
	    "(qmail2postfix install)\n%s\n", line) < 0 ||
	    qpm_snprintf(gen, sizeof(gen), "%s/nftables.conf", r->tmpdir) < 0 ||
	    file_write_atomic(gen, &text, 0600) < 0)
		goto out;
	{
		const char *slash = strrchr(r->lay.nft_conf, '/');
		char dir[IN_PATH];

		if (qpm_snprintf(dir, sizeof(dir), "%.*s",
		    (int)(slash - r->lay.nft_conf), r->lay.nft_conf) < 0 ||
		    in_want_dir(r, dir, IP_NFTABLES, 0755, "", "") < 0 ||
		    (f = in_add_file(r, gen, conf, IP_NFTABLES)) == NULL)
			goto out;
	}
	/* Debian's is an nft script (0755); keep the mode there is */
	f->mode = have ? (st.st_mode & 07777) : 0755;
	f->secret = 0;
	rc = 0;
out:
	qstr_free(&text);
	return rc;
}

static int
plan_nftables(struct in_run *r)
{
	char dst[IN_PATH];

	if (qpm_snprintf(dst, sizeof(dst), "%s/qmail2postfix.nft",
	    r->lay.nft_dir) < 0 || add(r, IP_NFTABLES, "nftables",
	    "qmail2postfix.nft", dst, 0644, NULL) == NULL)
		return -1;
	return plan_nft_include(r, dst);
}

/* OUT/dir/name is there (the limits writers write nothing when the
 * old host had nothing to say); else the part is left out, and said */
static int
holds(struct in_run *r, int part, const char *dir, const char *name)
{
	char path[IN_PATH];

	if (qpm_snprintf(path, sizeof(path), "%s/%s/%s", r->out, dir,
	    name) < 0 || access(path, F_OK) == 0)
		return 1;
	r->want[part] = 0;
	printf("%s: OUT has no %s/%s; nothing to install\n", in_part_name[part],
	    dir, name);
	return 0;
}

int
in_parts_plan(struct in_run *r)
{
	if (r->want[IP_SRS] && plan_srs(r) < 0)
		return -1;
	if (r->want[IP_DKIM] && plan_dkim(r) < 0)
		return -1;
	if (r->want[IP_NFTABLES] && holds(r, IP_NFTABLES, "nftables",
	    "qmail2postfix.nft") && plan_nftables(r) < 0)
		return -1;
	if (r->want[IP_SYSCTL] && holds(r, IP_SYSCTL, "sysctl",
	    "qmail2postfix.conf") && add(r, IP_SYSCTL, "sysctl",
	    "qmail2postfix.conf", r->lay.sysctl_file, 0644, NULL) == NULL)
		return -1;
	return 0;
}

/* the installed file of part whose name ends in suffix */
static const char *
installed(const struct in_run *r, int part, const char *suffix)
{
	size_t i, n = strlen(suffix), m;

	for (i = 0; i < r->n; i++) {
		m = strlen(r->f[i].dst);
		if (r->f[i].part == part && m >= n &&
		    strcmp(r->f[i].dst + m - n, suffix) == 0)
			return r->f[i].dst;
	}
	return NULL;
}

/* systemd-analyze verify: "Unit X not found" alone means this system
 * has no systemd units to check against (a container): said, not failed */
static int
verify_unit(struct in_run *r, const char *unit, struct qstr *tail)
{
	const char *p;
	int rc, other = 0;
	char *av[] = { "systemd-analyze", "verify", (char *)unit, NULL };

	if ((rc = in_run_cmd(av, tail)) == 0)
		return 1;
	if (rc == 127) {
		(void)qstr_cat(&r->notes, "systemd-analyze: not here, the unit "
		    "is not verified; ");
		return 1;
	}
	for (p = tail->buf; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (*p != '\0' && strstr(p, "not found.") == NULL &&
		    strncmp(p, "\n", 1) != 0) {
			msg_errorx("systemd-analyze verify %s: %.*s", unit,
			    (int)strcspn(p, "\n"), p);
			other = 1;
		}
	}
	if (!other)
		(void)qstr_cat(&r->notes, "systemd-analyze verify: this system "
		    "has no systemd units to check against; ");
	return !other;
}

/* opendkim -n -x CONF; below a target root the conf's absolute paths
 * of the layout's directory point into that root (a copy is checked) */
static int
verify_dkim(struct in_run *r, const char *conf, struct qstr *tail)
{
	struct qstr text = QSTR_INIT(IN_MAX_FILE), copy = QSTR_INIT(IN_MAX_FILE);
	char path[IN_PATH], rdir[IN_PATH];
	const char *p, *hit;
	size_t n = strlen(r->lay.dkim_dir);
	int ok = 0;

	if (qpm_snprintf(path, sizeof(path), "%s", conf) < 0)
		goto out;
	if (strcmp(r->root, "/") != 0) {
		if (file_read_all(conf, IN_MAX_FILE, 0, &text) < 0 ||
		    in_rootpath(r, rdir, sizeof(rdir), r->lay.dkim_dir) < 0)
			goto out;
		for (p = text.buf; (hit = strstr(p, r->lay.dkim_dir)) != NULL;
		    p = hit + n)
			if (qstr_catn(&copy, p, (size_t)(hit - p)) < 0 ||
			    qstr_cat(&copy, rdir) < 0)
				goto out;
		if (qstr_cat(&copy, p) < 0 || qpm_snprintf(path, sizeof(path),
		    "%s/opendkim.conf", r->tmpdir) < 0 ||
		    file_write_atomic(path, &copy, 0600) < 0)
			goto out;
	}
	{
		char *av[] = { "opendkim", "-n", "-x", path, NULL };
		int rc = in_run_cmd(av, tail);

		if (rc == 127)
			ok = qstr_cat(&r->notes, "opendkim: not here, its "
			    "configuration is not checked; ") == 0;
		else if (rc != 0)
			msg_errorx("opendkim -n -x %s failed: %s", conf,
			    qstr_str(tail));
		else
			ok = 1;
	}
out:
	qstr_free(&text);
	qstr_free(&copy);
	return ok;
}

static int
verify_nft(const char *file, struct qstr *tail)
{
	char *av[] = { "nft", "-c", "-f", (char *)file, NULL };

	if (in_run_cmd(av, tail) == 0)
		return 1;
	msg_errorx("nft -c -f %s failed: %s", file, qstr_str(tail));
	return 0;
}

/* each part's own checker; 1 all passed, 0 not */
int
in_parts_validate(struct in_run *r, struct qstr *tail)
{
	const char *p;
	char conf[IN_PATH];
	int ok = 1;

	if (r->want[IP_SRS] && (p = installed(r, IP_SRS, "/" IN_UNIT)) != NULL &&
	    !verify_unit(r, p, tail))
		ok = 0;
	if (r->want[IP_DKIM] && (p = installed(r, IP_DKIM,
	    "/opendkim.conf")) != NULL && !verify_dkim(r, p, tail))
		ok = 0;
	if (r->want[IP_NFTABLES]) {
		if ((p = installed(r, IP_NFTABLES, ".nft")) != NULL &&
		    !verify_nft(p, tail))
			ok = 0;
		/* the ruleset's include names a path of the target system:
		 * checked as a whole only when that is this one */
		if (ok && strcmp(r->root, "/") == 0 &&
		    in_rootpath(r, conf, sizeof(conf), r->lay.nft_conf) == 0 &&
		    !verify_nft(conf, tail))
			ok = 0;
	}
	return ok;
}

/* stdin from file: mariadb < FILE; the exit code, or -1 */
static int
run_stdin(char *const argv[], const char *file, const char *outfile)
{
	int st, in, fd = -1;
	pid_t pid;

	if ((in = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (outfile != NULL && (fd = open(outfile, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) < 0) {
		close(in);
		return -1;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(in, 0);
		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in);
	if (fd >= 0)
		close(fd);
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* OUT/sql: the backup and load commands, or with --sql-load the backup
 * (a dump of every database, under the target's /var/backups, never
 * over an older one) and the load itself; 0 or -1.  Loading again is
 * harmless: schema.sql and grant.sql create only what is missing, and
 * data.sql replaces every row in one transaction. */
static int
sql_part(struct in_run *r)
{
	static const char *const files[] = { "schema.sql", "grant.sql",
	    "data.sql", NULL };
	char path[IN_PATH], dump[IN_PATH], dir[IN_PATH];
	struct stat st;
	size_t i;

	if (in_rootpath(r, dir, sizeof(dir), "/var/backups") < 0 ||
	    qpm_snprintf(dump, sizeof(dump), "%s/qmail2postfix-sql.%lld.sql",
	    dir, (long long)r->now) < 0)
		return -1;
	printf("sql: as MariaDB's root, back up every database, then load "
	    "OUT/sql, in this order:\n  mariadb-dump --all-databases > %s\n",
	    dump);
	for (i = 0; files[i] != NULL; i++)
		printf("  mariadb < %s/sql/%s\n", r->out, files[i]);
	if (!r->sql_load || r->dry_run) {
		(void)qstr_cat(&r->notes, "sql: not loaded (the commands are "
		    "above; --sql-load runs them); ");
		return 0;
	}
	if (lstat(dump, &st) == 0) {
		msg_errorx("%s exists (a load at the same --now): kept; the "
		    "database is not loaded", dump);
		return -1;
	}
	if (file_mkdirs(dir, 0700) < 0) {
		msg_error("%s", dir);
		return -1;
	}
	{
		char *av[] = { "mariadb-dump", "--all-databases", NULL };

		if (run_stdin(av, "/dev/null", dump) != 0) {
			msg_errorx("mariadb-dump --all-databases > %s failed: the "
			    "database is not loaded", dump);
			return -1;
		}
		printf("sql: backup %s\n", dump);
	}
	for (i = 0; files[i] != NULL; i++) {
		char *av[] = { "mariadb", NULL };

		if (qpm_snprintf(path, sizeof(path), "%s/sql/%s", r->out,
		    files[i]) < 0 || run_stdin(av, path, NULL) != 0) {
			msg_errorx("mariadb < %s failed; the database as it was "
			    "is in %s (mariadb < %s puts it back)", path, dump,
			    dump);
			return -1;
		}
	}
	return qstr_catf(&r->notes, "sql: loaded (backup %s); ", dump) < 0 ?
	    -1 : 0;
}

/* after validation: systemd told of the unit, --start, the sql load */
int
in_parts_after(struct in_run *r)
{
	struct qstr tail = QSTR_INIT(64 * 1024);
	struct stat st;
	int live = strcmp(r->root, "/") == 0 &&
	    stat("/run/systemd/system", &st) == 0, rc = 0;

	if (r->want[IP_SRS] && !r->dry_run) {
		char *reload[] = { "systemctl", "daemon-reload", NULL };
		char *start[] = { "systemctl", "start", IN_UNIT, NULL };

		if (live)
			(void)in_run_cmd(reload, &tail);
		if (r->start && live && in_run_cmd(start, &tail) != 0) {
			msg_errorx("systemctl start %s: %s", IN_UNIT,
			    qstr_str(&tail));
			rc = -1;
		} else if (r->start && live)
			(void)qstr_cat(&r->notes, "srs-map: started; ");
		else
			(void)qstr_catf(&r->notes, "srs-map: enabled, not "
			    "started (%s); ", r->start ? "no running systemd "
			    "here" : "--start starts it");
	}
	if (r->want[IP_SQL] && sql_part(r) < 0)
		rc = -1;
	qstr_free(&tail);
	return rc;
}
