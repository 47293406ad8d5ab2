/*
 * NAME		limits_read - file access inside the old host's root for the
 *		limits readers, and limits_read()
 * DOES		finds run scripts, tcprules, courier, xinetd, firewall and
 *		sysctl files under root and hands each to its reader
 * NEVER	follows a symlink out of root, guesses a value
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

int
limits_join(char *buf, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (la == 0)
		return qpm_snprintf(buf, size, "%s", b);
	if (*b == '\0')
		return qpm_snprintf(buf, size, "%.*s", (int)la, a);
	if (la == 1 && a[0] == '/')
		return qpm_snprintf(buf, size, "/%s", b);
	return qpm_snprintf(buf, size, "%.*s/%s", (int)la, a, b);
}

/* root/path read with every symlink resolved inside root (an old
 * host's /service -> /var/qmail/supervise link must land in the old
 * tree, never on this machine's /var); a FIFO or device is refused,
 * never opened for a blocking read.  QPM_ENOENT when absent. */
int
limits_readfile(const char *root, const char *path, size_t max,
    struct qstr *out)
{
	struct rootfs r;
	int err;

	if (rootfs_init(&r, root, 0) < 0)
		return QPM_ENOENT;
	err = rootfs_read(&r, path, max, 0, out, NULL);
	rootfs_free(&r);
	if (err == -ENOTDIR)
		return QPM_ENOENT;
	return err;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
limits_listdir(const char *root, const char *dir, struct qstr *out)
{
	struct rootfs r;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i;
	DIR *d;
	int err = 0;

	if (rootfs_init(&r, root, 0) < 0)
		return QPM_ENOENT;
	d = rootfs_opendir(&r, dir, 0);
	rootfs_free(&r);
	if (d == NULL)
		return QPM_ENOENT;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			if (cap >= 100000) {
				err = QPM_ERANGE;
				break;
			}
			cap = cap == 0 ? 16 : cap * 2;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL) {
				err = QPM_ENOMEM;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			err = QPM_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (err == 0 && n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (err == 0)
			err = qstr_catn(out, names[i], strlen(names[i]) + 1);
		free(names[i]);
	}
	free(names);
	return err;
}

/* A control file holding one number; returns the item index, -1 when
 * absent, or a negative qpm_err below -1. */
static int
read_control_number(struct limits *l, const char *root, const char *qdir,
    const char *name, enum limits_kind kind, enum limits_svc svc,
    const char *source)
{
	struct qstr s = QSTR_INIT(LIMITS_MAX_FILE + 1);
	char path[PATH_MAX], shown[PATH_MAX];
	size_t len;
	long v;
	int err;

	if (limits_join(shown, sizeof(shown), qdir, "control") < 0 ||
	    limits_join(path, sizeof(path), shown, name) < 0)
		return QPM_ERANGE;
	if ((err = limits_readfile(root, path, 4096, &s)) < 0) {
		qstr_free(&s);
		if (err == QPM_ENOENT)
			return -1;
		return limits_diag(l, 1, path + (path[0] == '/'), 0,
		    "cannot read: %s", rootfs_strerror(err)) < 0 ? QPM_ENOMEM : -1;
	}
	len = 0;
	while (len < s.len && s.buf[len] != '\n')
		len++;
	while (len > 0 && (s.buf[len - 1] == ' ' || s.buf[len - 1] == '\t' ||
	    s.buf[len - 1] == '\r'))
		len--;
	v = limits_number(qstr_str(&s), len);
	if (v < 0) {
		err = limits_diag(l, 1, path + (path[0] == '/'), 1,
		    "not a number: \"%.*s\"", (int)(len > 40 ? 40 : len),
		    qstr_str(&s));
		qstr_free(&s);
		return err < 0 ? err : -1;
	}
	qstr_free(&s);
	return limits_add(l, kind, svc, v, 0, source, path + (path[0] == '/'),
	    1, NULL);
}

int
limits_read_control(struct limits *l, const char *root, const char *qdir)
{
	int rc;

	rc = read_control_number(l, root, qdir, "concurrencyincoming",
	    LK_CONC_SERVICE, LSVC_SMTP, "control/concurrencyincoming");
	if (rc < -1)
		return rc;
	rc = read_control_number(l, root, qdir, "timeoutsmtpd",
	    LK_TIMEOUT_IDLE, LSVC_SMTP, "control/timeoutsmtpd");
	if (rc < -1)
		return rc;
	return 0;
}

/* Each directory under a service dir that holds a run file. */
static int
read_service_dir(struct limits *l, const char *root, const char *sdir)
{
	struct qstr names = QSTR_INIT(1 << 20);
	struct qstr text = QSTR_INIT(LIMITS_MAX_FILE + 1);
	char dir[PATH_MAX], run[PATH_MAX];
	const char *p;
	int err;

	if ((err = limits_listdir(root, sdir, &names)) < 0) {
		qstr_free(&names);
		return err == QPM_ENOENT ? 0 : err;
	}
	for (p = names.buf; p != NULL && p < names.buf + names.len;
	    p += strlen(p) + 1) {
		if (limits_join(dir, sizeof(dir), sdir, p) < 0 ||
		    limits_join(run, sizeof(run), dir, "run") < 0)
			continue;
		qstr_reset(&text);
		err = limits_readfile(root, run, LIMITS_MAX_FILE, &text);
		if (err == QPM_ENOENT)
			continue;
		if (err < 0) {
			if ((err = limits_diag(l, 1, run + (run[0] == '/'), 0,
			    "cannot read: %s", rootfs_strerror(err))) < 0)
				break;
			continue;
		}
		err = runscript_parse(l, root, dir, run + (run[0] == '/'),
		    qstr_str(&text), text.len);
		if (err < 0)
			break;
		err = 0;
	}
	qstr_free(&names);
	qstr_free(&text);
	return err;
}

static int
read_text(struct limits *l, const char *root, const char *path,
    int (*parse)(struct limits *, const char *, const char *, size_t))
{
	struct qstr text = QSTR_INIT(LIMITS_MAX_FILE + 1);
	int err;

	err = limits_readfile(root, path, LIMITS_MAX_FILE, &text);
	if (err == 0)
		err = parse(l, path + (path[0] == '/'), qstr_str(&text),
		    text.len);
	else if (err != QPM_ENOENT)
		err = limits_diag(l, 1, path + (path[0] == '/'), 0,
		    "cannot read: %s", rootfs_strerror(err));
	else
		err = 0;
	qstr_free(&text);
	return err < 0 ? err : 0;
}

int
limits_read(struct limits *l, const char *root, const struct limits_paths *pp)
{
	static const char *const service_dirs[] = { "/service",
	    "/etc/service", "/var/service", "/var/qmail/supervise", NULL };
	static const char *const courier_dirs[] = { "/etc/courier",
	    "/etc/courier-imap", "/usr/lib/courier-imap/etc",
	    "/usr/local/etc/courier-imap", NULL };
	static const char *const iptables_files[] = {
	    "/etc/sysconfig/iptables", "/etc/iptables/rules.v4",
	    "/etc/iptables.rules", "/etc/sysconfig/ip6tables",
	    "/etc/iptables/rules.v6", NULL };
	struct limits_paths none;
	const char *qdir;
	size_t i, before;
	int err, nerr = 0;

	if (pp == NULL) {
		memset(&none, 0, sizeof(none));
		pp = &none;
	}
	qdir = pp->qmail_dir != NULL ? pp->qmail_dir : "/var/qmail";
	if ((err = limits_read_control(l, root, qdir)) < 0)
		return err;
	before = l->nitems;
	if (pp->service_dir != NULL)
		err = read_service_dir(l, root, pp->service_dir);
	else {
		/* The first dir holding run scripts wins: /service usually
		 * links into /var/qmail/supervise, so reading both would
		 * count every listener twice. */
		for (i = 0; service_dirs[i] != NULL; i++) {
			if ((err = read_service_dir(l, root,
			    service_dirs[i])) < 0)
				return err;
			if (l->nitems > before)
				break;
		}
	}
	if (err < 0)
		return err;
	if (pp->courier_dir != NULL)
		err = courier_read(l, root, pp->courier_dir);
	else
		for (i = 0; courier_dirs[i] != NULL && err >= 0; i++)
			err = courier_read(l, root, courier_dirs[i]);
	if (err < 0)
		return err;
	if ((err = xinetd_read(l, root, pp->xinetd_conf != NULL ?
	    pp->xinetd_conf : "/etc/xinetd.conf")) < 0)
		return err;
	if (pp->iptables != NULL)
		err = read_text(l, root, pp->iptables, iptables_parse);
	else
		for (i = 0; iptables_files[i] != NULL && err >= 0; i++)
			err = read_text(l, root, iptables_files[i],
			    iptables_parse);
	if (err < 0)
		return err;
	if ((err = read_text(l, root, pp->nftables != NULL ? pp->nftables :
	    "/etc/nftables.conf", nftrules_parse)) < 0)
		return err;
	if ((err = read_text(l, root, pp->sysctl != NULL ? pp->sysctl :
	    "/etc/sysctl.conf", sysctl_parse)) < 0)
		return err;
	if (pp->sysctl == NULL) {
		struct qstr names = QSTR_INIT(1 << 20);
		char path[PATH_MAX];
		const char *p;

		if (limits_listdir(root, "/etc/sysctl.d", &names) == 0)
			for (p = names.buf; p != NULL &&
			    p < names.buf + names.len; p += strlen(p) + 1) {
				if (strlen(p) < 5 ||
				    strcmp(p + strlen(p) - 5, ".conf") != 0)
					continue;
				if (limits_join(path, sizeof(path),
				    "/etc/sysctl.d", p) < 0)
					continue;
				if ((err = read_text(l, root, path,
				    sysctl_parse)) < 0)
					break;
			}
		qstr_free(&names);
		if (err < 0)
			return err;
	}
	for (i = 0; i < l->ndiags; i++)
		if (l->diags[i].error)
			nerr++;
	return nerr;
}
