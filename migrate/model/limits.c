/*
 * NAME		limits - the limits model: items, diagnostics, file access
 *		inside the old host's root, and limits_read()
 * DOES		finds run scripts, tcprules, courier, xinetd, firewall and
 *		sysctl files under root and hands each to its reader
 * NEVER	follows a symlink out of root, guesses a value
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/limits_int.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

static const struct {
	const char *name;
	int port;
} svc_tab[LSVC_N] = {
	[LSVC_SMTP] = { "smtp", 25 },
	[LSVC_SUBMISSION] = { "submission", 587 },
	[LSVC_SMTPS] = { "smtps", 465 },
	[LSVC_POP3] = { "pop3", 110 },
	[LSVC_POP3S] = { "pop3s", 995 },
	[LSVC_IMAP] = { "imap", 143 },
	[LSVC_IMAPS] = { "imaps", 993 },
	[LSVC_OTHER] = { "other", 0 },
	[LSVC_HOST] = { "host", 0 },
};

/* /etc/services names seen in run scripts and xinetd files. */
static const struct {
	const char *name;
	enum limits_svc svc;
} port_names[] = {
	{ "smtp", LSVC_SMTP }, { "mail", LSVC_SMTP },
	{ "submission", LSVC_SUBMISSION }, { "msa", LSVC_SUBMISSION },
	{ "smtps", LSVC_SMTPS }, { "ssmtp", LSVC_SMTPS },
	{ "submissions", LSVC_SMTPS }, { "urd", LSVC_SMTPS },
	{ "pop3", LSVC_POP3 }, { "pop-3", LSVC_POP3 },
	{ "pop3s", LSVC_POP3S }, { "imap", LSVC_IMAP },
	{ "imap2", LSVC_IMAP }, { "imaps", LSVC_IMAPS },
};

const char *
limits_svc_name(enum limits_svc svc)
{
	if ((unsigned)svc >= LSVC_N)
		return "?";
	return svc_tab[svc].name;
}

int
limits_svc_port(enum limits_svc svc)
{
	if ((unsigned)svc >= LSVC_N)
		return 0;
	return svc_tab[svc].port;
}

enum limits_svc
limits_svc_from_port(const char *port)
{
	size_t i;
	long n;

	if (port == NULL)
		return LSVC_OTHER;
	n = limits_number(port, strlen(port));
	if (n >= 0) {
		for (i = 0; i < LSVC_OTHER; i++)
			if (svc_tab[i].port == n)
				return (enum limits_svc)i;
		return LSVC_OTHER;
	}
	for (i = 0; i < sizeof(port_names) / sizeof(port_names[0]); i++)
		if (strcmp(port_names[i].name, port) == 0)
			return port_names[i].svc;
	return LSVC_OTHER;
}

const char *
limits_kind_name(enum limits_kind kind)
{
	switch (kind) {
	case LK_CONC_SERVICE:	return "connections per listener";
	case LK_CONC_IP:	return "connections per client IP";
	case LK_CONC_NET24:	return "connections per client /24";
	case LK_RATE_IP:	return "new connections per IP per time";
	case LK_RATE_SERVICE:	return "new connections per listener per time";
	case LK_TIMEOUT_HANDSHAKE: return "TLS handshake timeout";
	case LK_TIMEOUT_IDLE:	return "idle (per read) timeout";
	case LK_TIMEOUT_DATA:	return "DATA timeout";
	case LK_TIMEOUT_IDENT:	return "ident lookup timeout";
	case LK_MEMORY:		return "memory per process";
	case LK_LOADAVG:	return "load average ceiling";
	case LK_KERNEL:		return "kernel setting";
	case LK_ACCESS_DENY:	return "access: deny";
	case LK_ACCESS_ALLOW:	return "access: allow";
	case LK_RELAY:		return "relay permission";
	case LK_CLIENT_ENV:	return "per-client variable";
	case LK_USERIP:		return "connections per user and IP";
	}
	return "?";
}

long
limits_number(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

void
limits_init(struct limits *l)
{
	memset(l, 0, sizeof(*l));
}

static void
series_free(struct limits_series *s)
{
	free(s->peak);
	free(s->conns);
	memset(s, 0, sizeof(*s));
}

void
limits_free(struct limits *l)
{
	size_t i;

	for (i = 0; i < l->nitems; i++) {
		free(l->items[i].source);
		free(l->items[i].detail);
		free(l->items[i].addr);
		free(l->items[i].file);
		free(l->items[i].inert);
	}
	free(l->items);
	for (i = 0; i < l->ndiags; i++) {
		free(l->diags[i].file);
		free(l->diags[i].text);
	}
	free(l->diags);
	free(l->conflicts);
	for (i = 0; i < l->nsettings; i++)
		free(l->settings[i].why);
	free(l->settings);
	for (i = 0; i < l->logs.nerrs; i++)
		free(l->logs.errs[i].file);
	free(l->logs.errs);
	for (i = 0; i < LSVC_N; i++)
		series_free(&l->logs.svc[i].hours);
	free(l->exempt);
	free(l->mynetworks);
	memset(l, 0, sizeof(*l));
}

static char *
vdupf(const char *fmt, va_list ap)
{
	struct qstr s = QSTR_INIT(64 * 1024);

	if (qstr_vcatf(&s, fmt, ap) < 0) {
		qstr_free(&s);
		return NULL;
	}
	if (s.buf == NULL)
		return strdup("");
	return s.buf;
}

int
limits_add(struct limits *l, enum limits_kind kind, enum limits_svc svc,
    long value, long per, const char *source, const char *file,
    unsigned long line, const char *detailfmt, ...)
{
	struct limits_item *it, *ni;
	va_list ap;
	size_t ncap;

	if (l->nitems == l->capitems) {
		if (l->capitems > 1000000)
			return QPM_ERANGE;
		ncap = l->capitems == 0 ? 32 : l->capitems * 2;
		if ((ni = realloc(l->items, ncap * sizeof(*ni))) == NULL)
			return QPM_ENOMEM;
		l->items = ni;
		l->capitems = ncap;
	}
	it = &l->items[l->nitems];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->svc = svc;
	it->value = value;
	it->per = per;
	it->line = line;
	it->source = strdup(source);
	it->file = strdup(file != NULL ? file : "");
	if (detailfmt != NULL) {
		va_start(ap, detailfmt);
		it->detail = vdupf(detailfmt, ap);
		va_end(ap);
	} else
		it->detail = strdup("");
	if (it->source == NULL || it->file == NULL || it->detail == NULL) {
		free(it->source);
		free(it->file);
		free(it->detail);
		return QPM_ENOMEM;
	}
	l->nitems++;
	return (int)(l->nitems - 1);
}

int
limits_set_inert(struct limits *l, size_t idx, const char *why)
{
	char *s;

	if (idx >= l->nitems)
		return QPM_EINVAL;
	if ((s = strdup(why)) == NULL)
		return QPM_ENOMEM;
	free(l->items[idx].inert);
	l->items[idx].inert = s;
	return 0;
}

int
limits_set_addr(struct limits *l, size_t idx, const char *addr)
{
	char *s;

	if (idx >= l->nitems)
		return QPM_EINVAL;
	if ((s = strdup(addr)) == NULL)
		return QPM_ENOMEM;
	free(l->items[idx].addr);
	l->items[idx].addr = s;
	return 0;
}

int
limits_diag(struct limits *l, int error, const char *file, unsigned long line,
    const char *fmt, ...)
{
	struct limits_diag *d, *nd;
	va_list ap;
	size_t ncap;

	if (l->ndiags == l->capdiags) {
		if (l->capdiags > 100000)
			return QPM_ERANGE;
		ncap = l->capdiags == 0 ? 16 : l->capdiags * 2;
		if ((nd = realloc(l->diags, ncap * sizeof(*nd))) == NULL)
			return QPM_ENOMEM;
		l->diags = nd;
		l->capdiags = ncap;
	}
	d = &l->diags[l->ndiags];
	va_start(ap, fmt);
	d->text = vdupf(fmt, ap);
	va_end(ap);
	if (d->text == NULL)
		return QPM_ENOMEM;
	{
		/* one file read for two listeners says it once */
		size_t i = l->ndiags > 64 ? l->ndiags - 64 : 0;

		for (; i < l->ndiags; i++)
			if (l->diags[i].line == line &&
			    strcmp(l->diags[i].text, d->text) == 0 &&
			    strcmp(l->diags[i].file, file != NULL ? file : "") ==
			    0) {
				free(d->text);
				return 0;
			}
	}
	d->error = error;
	d->line = line;
	d->file = strdup(file != NULL ? file : "");
	if (d->file == NULL) {
		free(d->file);
		free(d->text);
		return QPM_ENOMEM;
	}
	l->ndiags++;
	return 0;
}

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
