/*
 * NAME		run - one migration run, all or nothing
 * DOES		scans the old tree into the model, reads its connection
 *		limits and logs (migrate/model/limits.h), writes every output file
 *		into a temporary OUT.tmpXXXXXX directory beside OUT (locked
 *		while the run lives), checks the counts add up, then swaps it
 *		with OUT in one rename; removes what killed runs left
 * NEVER	leaves OUT half written or missing: on failure the temporary
 *		directory is removed and OUT is as it was; follows a link
 *		while removing; reads a log outside the root unless --logs
 *		names it
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/exits.h"
#include "migrate/model/limits.h"
#include "migrate/model/model.h"
#include "migrate/run.h"
#include "migrate/oldhost/readers.h"
#include "migrate/targets.h"
#include "migrate/oldhost/scan.h"
#include "migrate/write/writers.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/rootfs.h"

#define RUN_MAX_DEPTH	64	/* levels of an OUT tree we remove */

static int	template(struct qstr *s, const char *out, const char *tag);

/* rm -r of name in dirfd: every directory is opened from its parent
 * with O_NOFOLLOW, so a link inside (or swapped in) is removed, never
 * followed.  0 or -1. */
static int
remove_at(int dirfd, const char *name, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0;

	if (depth > RUN_MAX_DEPTH || (fd = openat(dirfd, name, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -1;
		else if (S_ISDIR(st.st_mode)) {
			if (remove_at(fd, de->d_name, depth + 1) < 0)
				rc = -1;
		} else if (unlinkat(fd, de->d_name, 0) < 0)
			rc = -1;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		rc = -1;
	return rc;
}

int
migrate_remove_tree(const char *dir)
{
	return remove_at(AT_FDCWD, dir, 0);
}

/* "OUT" + tag + the six characters mkdtemp() puts in */
static int
temp_name_of(const char *name, const char *base, const char *tag)
{
	size_t bl = strlen(base), tl = strlen(tag), i;

	if (strlen(name) != bl + tl + 6 || strncmp(name, base, bl) != 0 ||
	    strncmp(name + bl, tag, tl) != 0)
		return 0;
	for (i = bl + tl; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

/* A run killed before the end leaves OUT.tmpXXXXXX (0600 secrets
 * inside) or, with --force, OUT.oldXXXXXX.  Remove those of this OUT:
 * only that naming pattern, only directories (not links) owned by us,
 * only when no live run holds its lock on it (flock, taken right after
 * mkdtemp and released by the kernel when a run dies), and only when it
 * is older than STALE_AGE seconds: a live run's directory is not yet
 * locked in the instant between its mkdtemp and its flock. */
#define STALE_AGE	10
static void
remove_stale(const char *out, int quiet)
{
	struct qstr dir = QSTR_INIT(QPM_MAX_PATH * 16);
	const char *slash, *base;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int dfd = -1, fd;

	if ((slash = strrchr(out, '/')) != NULL && slash[1] == '\0')
		goto out;	/* "OUT/": no name to match */
	base = slash != NULL ? slash + 1 : out;
	if ((slash != NULL ? qstr_catn(&dir, out, slash == out ? 1 :
	    (size_t)(slash - out)) : qstr_cat(&dir, ".")) < 0 ||
	    (dfd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (fd = dup(dfd)) < 0)
		goto out;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!temp_name_of(de->d_name, base, ".tmp") &&
		    !temp_name_of(de->d_name, base, ".old"))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    st.st_mtime > time(NULL) - STALE_AGE)
			continue;
		if ((fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (remove_at(dfd, de->d_name, 0) < 0)
				msg_warn("%s/%s: cannot remove what an earlier "
				    "run left", dir.buf, de->d_name);
			else if (!quiet)
				msg_info("removed %s/%s, left by an earlier "
				    "run that did not finish", dir.buf,
				    de->d_name);
		}
		close(fd);
	}
out:
	if (d != NULL)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	qstr_free(&dir);
}

/* Put the finished tmp in place of out.  With an old OUT the two are
 * swapped in one step (RENAME_EXCHANGE), so a kill at any moment leaves
 * an OUT, old or new; then the old one, now under tmp's name, goes.
 * 0 or -1 (said on stderr; OUT as it was). */
static int
put_in_place(const char *tmp, const char *out, int have_out, struct qstr *old)
{
	if (!have_out) {
		if (rename(tmp, out) == 0)
			return 0;
		msg_error("cannot rename %s to %s", tmp, out);
		return -1;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
		if (migrate_remove_tree(tmp) < 0)
			msg_warn("%s: cannot remove the previous output", tmp);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		msg_error("cannot swap %s and %s", tmp, out);
		return -1;
	}
	/* a file system without RENAME_EXCHANGE: two renames */
	if (template(old, out, ".old") < 0 || mkdtemp(old->buf) == NULL ||
	    rmdir(old->buf) < 0 || rename(out, old->buf) < 0) {
		msg_error("cannot move %s aside", out);
		return -1;
	}
	if (rename(tmp, out) < 0) {
		msg_error("cannot rename %s to %s", tmp, out);
		rename(old->buf, out);
		return -1;
	}
	migrate_remove_tree(old->buf);
	return 0;
}

/* The domain the SRS domain is named after: control/defaultdomain when
 * it is hosted here, else the vpopmail domain with most mailboxes (the
 * first of equals); NULL when the host has no mailbox domain. */
static const char *
primary_domain(const struct model *m)
{
	const struct m_domain *d, *best = NULL;
	size_t i;

	if (m->defaultdomain != NULL && (d = model_domain((struct model *)m,
	    m->defaultdomain)) != NULL &&
	    (d->kind == DOM_MAILBOX || d->kind == DOM_ALIAS))
		return d->name;
	for (i = 0; i < m->domains.n; i++) {
		d = M_DOMAIN(m, i);
		if (d->kind == DOM_MAILBOX &&
		    (best == NULL || d->nmailboxes > best->nmailboxes))
			best = d;
	}
	return best != NULL ? best->name : NULL;
}

/* A host name Postfix and DNS take: labels of letters, digits and '-'
 * (not at either end), at most 63 octets each, 253 in all, two labels. */
static int
srs_domain_ok(const char *s)
{
	size_t n = strlen(s), lab = 0, dots = 0, i;

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			dots++;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] == '-' && lab > 0)) || ++lab > 63)
			return 0;
	}
	return dots > 0 && s[n - 1] != '-';
}

/* Fill sw from the options; 1 wired, 0 not (--no-srs, or no domain:
 * said on stderr), -1 a bad --srs-domain. */
static int
srs_setup(struct model *m, const struct run_opts *o, struct srs_wire *sw)
{
	const char *prim;

	if (o->no_srs)
		return 0;
	memset(sw, 0, sizeof(*sw));
	if (o->srs_domain != NULL) {
		if (!srs_domain_ok(o->srs_domain)) {
			msg_errorx("--srs-domain %s: not a domain name",
			    o->srs_domain);
			return -1;
		}
		sw->domain = model_lower(m, o->srs_domain,
		    strlen(o->srs_domain));
	} else if ((prim = primary_domain(m)) != NULL)
		sw->domain = model_printf(m, "srs.%s", prim);
	if (sw->domain == NULL || !srs_domain_ok(sw->domain)) {
		if (!o->quiet)
			msg_warnx("no mailbox domain to name the SRS domain "
			    "after: forwards are not wired for SRS (give "
			    "--srs-domain)");
		return 0;
	}
	sw->bindir = o->bindir != NULL ? o->bindir : BINDIR;
	sw->secret = o->srs_secret != NULL ? o->srs_secret :
	    SYSCONFDIR "/qmail2postfix/srs-secret";
	sw->port = o->srs_port > 0 ? o->srs_port : Q2P_SRS_PORT;
	m->srs_domain = sw->domain;
	return 1;
}

/* smtp_helo_name: the new host says HELO with its own name.  A HELO
 * name that does not resolve to the sending address gets mail refused
 * ("my name was rejected": reject_unknown_helo_hostname, Gmail's and
 * Outlook's checks), so control/helohost (the old host's name) is not
 * carried over once --hostname names the new host; --helo sets it. */
static int
run_helo(struct model *m, const struct run_opts *o)
{
	struct m_setting *st = NULL;
	struct src none = { NULL, 0 };
	const char *old = NULL;
	size_t i;

	for (i = 0; i < m->settings.n && st == NULL; i++)
		if (strcmp(M_SETTING(m, i)->param, "smtp_helo_name") == 0)
			st = M_SETTING(m, i);
	if (st != NULL)
		old = st->value;
	if (o->helo != NULL) {
		if (!srs_domain_ok(o->helo)) {
			msg_errorx("--helo %s: not a host name", o->helo);
			return -1;
		}
		if (st == NULL)
			return model_setting(m, "smtp_helo_name", model_lower(m,
			    o->helo, strlen(o->helo)), "--helo", none) < 0 ?
			    -1 : 0;
		st->value = model_lower(m, o->helo, strlen(o->helo));
		st->from = model_printf(m, "--helo; control/helohost was %s",
		    old);
		model_note(m, st->src, "helohost", model_printf(m, "%s "
		    "replaced by --helo %s", old, st->value), "make sure "
		    "the HELO name resolves to the new host's address");
		st->src = none;	/* main.cf says "--helo", not helohost */
		return 0;
	}
	if (st == NULL)
		return 0;
	if (o->hostname == NULL) {
		model_note(m, st->src, "helohost", model_printf(m,
		    "smtp_helo_name = %s is the OLD host's HELO, kept because "
		    "--hostname does not name the new host", old),
		    "run again with --hostname NEW-NAME (and --helo NAME if "
		    "the HELO must differ): receivers reject a HELO that does "
		    "not resolve to the sending address");
		return 0;
	}
	model_note(m, st->src, "helohost", model_printf(m, "%s (the old "
	    "host's HELO) not carried over: the new host says HELO %s "
	    "(myhostname); a HELO name that does not resolve to the new "
	    "address gets mail rejected (\"my name was rejected\")", old,
	    o->hostname), "nothing; --helo NAME sets another HELO name");
	i = (size_t)(st - M_SETTING(m, 0));
	memmove(st, st + 1, (m->settings.n - i - 1) * sizeof(*st));
	m->settings.n--;
	return 0;
}

/* A DKIM selector: labels of letters, digits and '-', dots between */
static int
selector_ok(const char *s)
{
	size_t n = strlen(s), lab = 0, i;

	if (n == 0 || n > 63 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && lab > 0) {
			lab = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-'))
			return 0;
		lab++;
	}
	return 1;
}

/* Fill dw: 1 signing, 0 not (--no-dkim, no domain), -1 an error (said
 * on stderr: a bad selector or key) */
static int
dkim_setup(struct model *m, const struct run_opts *o, struct dkim_wire *dw)
{
	const char *sel = o->dkim_selector, *file = NULL, *colon;
	size_t i;
	int any = 0;

	memset(dw, 0, sizeof(*dw));
	if (o->no_dkim)
		return 0;
	if (o->dkim_key != NULL) {
		if ((colon = strchr(o->dkim_key, ':')) == NULL ||
		    colon == o->dkim_key || colon[1] == '\0') {
			msg_errorx("--dkim-key %s: not SELECTOR:FILE",
			    o->dkim_key);
			return -1;
		}
		file = colon + 1;
		sel = model_strndup(m, o->dkim_key, (size_t)(colon -
		    o->dkim_key));
		if (sel != NULL && o->dkim_selector != NULL &&
		    strcmp(sel, o->dkim_selector) != 0) {
			msg_errorx("--dkim-key names selector %s, "
			    "--dkim-selector %s", sel, o->dkim_selector);
			return -1;
		}
	}
	if (sel == NULL)
		sel = "q2p";
	if (!selector_ok(sel)) {
		msg_errorx("DKIM selector %s: not a DNS label", sel);
		return -1;
	}
	for (i = 0; i < m->domains.n; i++)
		any |= dkim_signs(M_DOMAIN(m, i));
	if (!any)
		return 0;
	dw->selector = sel;
	if ((file != NULL ? dkim_key_load(dw, file) :
	    dkim_key_generate(dw)) < 0)
		return -1;
	return 1;
}

/* control/defaultdomain: qmail-inject appended it to dotless host names
 * in locally injected mail; qmail-smtpd never did (qmail-formats.md,
 * qmail-inject(8), qmail-control(5)).  Postfix's append_dot_mydomain
 * applies to every envelope address, SMTP included (trivial-rewrite's
 * "local" context), and would turn user@localhost into
 * user@localhost.$mydomain, which no longer matches ~alias or
 * mydestination: "no", the Postfix 3.0 default.  Only local
 * injection to a dotless host differs, and the report says so. */
static void
run_append_dot(struct model *m)
{
	struct m_setting *st;
	size_t i;

	for (i = 0; i < m->settings.n; i++) {
		st = M_SETTING(m, i);
		if (strcmp(st->param, "append_dot_mydomain") != 0)
			continue;
		st->value = "no";
		st->from = "qmail-inject appended defaultdomain to dotless "
		    "hosts; qmail-smtpd did not";
		model_note(m, st->src, "defaultdomain", "append_dot_mydomain "
		    "= no: Postfix would append it to every envelope address "
		    "(user@localhost became user@localhost.$mydomain); "
		    "qmail-smtpd never appended it",
		    "local programs that send to user@host without a dot "
		    "must write the full domain");
	}
}

/* The old host's own logs, read when no --logs is given. */
#define RUN_MAX_LOGS	4096	/* files; a busy host keeps ~20 per service */

struct loglist {
	char	**v;
	size_t	  n;
};

static int
log_add(struct loglist *ll, const struct rootfs *r, const char *dir,
    const char *name)
{
	struct qstr p = QSTR_INIT(QPM_MAX_PATH * 16);
	struct stat st;
	char **nv;
	int e;

	if ((e = qstr_catf(&p, "%s/%s", dir, name)) < 0)
		goto out;
	/* regular files only: a FIFO would block the scan */
	if (rootfs_stat(r, p.buf, ROOTFS_NOFOLLOW, &st) < 0 ||
	    !S_ISREG(st.st_mode) || ll->n >= RUN_MAX_LOGS)
		goto out;
	if ((nv = realloc(ll->v, (ll->n + 1) * sizeof(*nv))) == NULL) {
		e = QPM_ENOMEM;
		goto out;
	}
	ll->v = nv;
	ll->v[ll->n++] = p.buf;
	p.buf = NULL;
out:
	qstr_free(&p);
	return e;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
compressed(const char *n)
{
	static const char *const ext[] = { ".gz", ".bz2", ".xz", ".zst",
	    ".Z", NULL };
	size_t i, l = strlen(n), k;

	for (i = 0; ext[i] != NULL; i++) {
		k = strlen(ext[i]);
		if (l > k && strcmp(n + l - k, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* dir's entries whose name starts with one of pre (sorted) */
static int
log_dir(struct loglist *ll, const struct rootfs *r, const char *dir,
    const char *const *pre)
{
	DIR *d;
	struct dirent *de;
	size_t i, first = ll->n;
	int e = 0;

	if ((d = rootfs_opendir(r, dir, 0)) == NULL)
		return 0;
	while (e >= 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || compressed(de->d_name))
			continue;
		for (i = 0; pre[i] != NULL; i++)
			if (strncmp(de->d_name, pre[i], strlen(pre[i])) == 0)
				break;
		if (pre[i] != NULL)
			e = log_add(ll, r, dir, de->d_name);
	}
	closedir(d);
	if (ll->n - first > 1)
		qsort(ll->v + first, ll->n - first, sizeof(*ll->v), name_cmp);
	return e;
}

/* ROOT/var/log/{maillog,mail.log,mail.info,messages,syslog}* and the
 * multilog directories ROOT/var/log/qmail/NAME/{current,@*.s}, named
 * relative to the root and resolved inside it: a var/log that is a
 * link (to /data/log, or to this machine's /var/log) stays in the tree */
static int
default_logs(struct loglist *ll, const char *root)
{
	static const char *const sys[] = { "maillog", "mail.log", "mail.info",
	    "messages", "syslog", NULL };
	static const char *const ml[] = { "current", "@", NULL };
	struct qstr dir = QSTR_INIT(QPM_MAX_PATH * 16),
	    sub = QSTR_INIT(QPM_MAX_PATH * 16);
	struct loglist names = { NULL, 0 };
	struct rootfs r;
	DIR *d;
	struct dirent *de;
	struct stat st;
	size_t i;
	int e;

	if ((e = rootfs_init(&r, root, 0)) < 0)
		return e;
	if ((e = qstr_cat(&dir, "var/log")) < 0 ||
	    (e = log_dir(ll, &r, dir.buf, sys)) < 0 ||
	    (e = qstr_cat(&dir, "/qmail")) < 0)
		goto out;
	if ((d = rootfs_opendir(&r, dir.buf, 0)) != NULL) {
		while ((de = readdir(d)) != NULL && names.n < RUN_MAX_LOGS) {
			char **nv;

			if (de->d_name[0] == '.')
				continue;
			if ((nv = realloc(names.v, (names.n + 1) *
			    sizeof(*nv))) == NULL) {
				e = QPM_ENOMEM;
				break;
			}
			names.v = nv;
			if ((names.v[names.n] = strdup(de->d_name)) == NULL) {
				e = QPM_ENOMEM;
				break;
			}
			names.n++;
		}
		closedir(d);
	}
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	for (i = 0; i < names.n && e >= 0; i++) {
		qstr_free(&sub);
		qstr_init(&sub, QPM_MAX_PATH * 16);
		if ((e = qstr_catf(&sub, "%s/%s", dir.buf, names.v[i])) < 0)
			break;
		if (rootfs_stat(&r, sub.buf, ROOTFS_NOFOLLOW, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			e = log_dir(ll, &r, sub.buf, ml);
	}
out:
	rootfs_free(&r);
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	qstr_free(&dir);
	qstr_free(&sub);
	return e;
}

/* "ROOT/var/log/maillog" -> "var/log/maillog": the report names the old
 * host's files, not where its copy was mounted */
static void
strip_root(char *f, const char *root)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (f != NULL && strncmp(f, root, n) == 0 && f[n] == '/')
		memmove(f, f + n + 1, strlen(f + n + 1) + 1);
}

/* Read the limits and the logs, recommend; 0 or a negative qpm_err. */
static int
run_limits(struct limits *l, const struct run_opts *o)
{
	struct limits_policy pol;
	struct limits_paths paths;
	struct loglist ll = { NULL, 0 };
	struct qstr qd = QSTR_INIT(QPM_MAX_PATH * 16);
	size_t i;
	int e;

	memset(&paths, 0, sizeof(paths));
	if ((e = qstr_catf(&qd, "/%s", o->qmail_dir)) < 0)
		goto out;
	paths.qmail_dir = qd.buf;
	if ((e = limits_read(l, o->root, &paths)) < 0)
		goto out;
	if (o->nlogs > 0)
		e = limits_read_logs(l, o->logs, o->nlogs);
	else if (!o->no_logs && (e = default_logs(&ll, o->root)) >= 0 &&
	    ll.n > 0)
		e = limits_read_root_logs(l, o->root,
		    (const char *const *)ll.v, ll.n);
	if (e < 0)
		goto out;
	for (i = 0; i < l->ndiags; i++)
		strip_root(l->diags[i].file, o->root);
	for (i = 0; i < l->logs.nerrs; i++)
		strip_root(l->logs.errs[i].file, o->root);
	memset(&pol, 0, sizeof(pol));
	pol.size_from_logs = o->size_from_logs;
	pol.keep_looser = o->keep_looser;
	pol.headroom_pct = 50;
	e = limits_recommend(l, &pol);
out:
	for (i = 0; i < ll.n; i++)
		free(ll.v[i]);
	free(ll.v);
	qstr_free(&qd);
	return e;
}

/* OUT.tmp + six template characters for mkdtemp() */
static int
template(struct qstr *s, const char *out, const char *tag)
{
	int i, e;

	if ((e = qstr_catf(s, "%s%s", out, tag)) < 0)
		return e;
	for (i = 0; i < 6; i++)
		if ((e = qstr_catc(s, 'X')) < 0)
			return e;
	return 0;
}

int
migrate_run(const struct run_opts *o)
{
	struct scan_opts so;
	struct wopts w;
	struct srs_wire sw;
	struct dkim_wire dw;
	struct sql_out sq;
	char *dsn = NULL;
	const char *why = NULL;
	struct model *m = NULL;
	struct qstr tmp = QSTR_INIT(QPM_MAX_PATH * 16),
	    old = QSTR_INIT(QPM_MAX_PATH * 16), report = QSTR_INIT((size_t)1 << 32);
	struct stat st;
	int exit_code = QPM_EXIT_NOTHING, e, have_out, wired, signing = 0;
	int lock = -1;

	memset(&dw, 0, sizeof(dw));
	memset(&sq, 0, sizeof(sq));
	if (o->userdb_sql && ((dsn = strdup(o->sql_dsn != NULL ? o->sql_dsn :
	    "")) == NULL || sql_dsn_parse(&sq.dsn, dsn, &why) < 0)) {
		msg_errorx("--sql-dsn: %s", why != NULL ? why : "out of memory");
		goto out;
	}
	if (o->userdb_sql && sql_out_init(&sq) < 0) {
		msg_errorx("--userdb sql: no random bytes for the password");
		goto out;
	}
	remove_stale(o->out, o->quiet);
	have_out = lstat(o->out, &st) == 0;
	if (have_out && !o->force) {
		msg_errorx("%s exists; use --force to replace it", o->out);
		goto out;
	}
	if (have_out && !S_ISDIR(st.st_mode)) {
		msg_errorx("%s exists and is not a directory", o->out);
		goto out;
	}
	if ((m = model_new()) == NULL) {
		msg_errorx("out of memory");
		goto out;
	}
	m->quiet = o->quiet;
	m->new_hostname = o->hostname;
	m->new_ip = o->ip;
	so.root = o->root;
	so.qmail_dir = o->qmail_dir;
	so.vpopmail_dir = o->vpopmail_dir;
	so.qmail_ext = o->qmail_ext;
	so.mysql = &o->mysql;
	m->now = o->now > 0 ? o->now : (long long)qpm_clock_now(
	    &qpm_clock_system);
	if ((e = scan_run(m, &so)) < 0) {
		msg_errorx("%s: not a directory: nothing read", o->root);
		goto out;
	}
	if (m->nomem) {
		msg_errorx("out of memory while reading %s", o->root);
		goto out;
	}
	run_append_dot(m);
	if ((wired = srs_setup(m, o, &sw)) < 0 || run_helo(m, o) < 0 ||
	    (signing = dkim_setup(m, o, &dw)) < 0)
		goto out;
	if ((e = run_limits(&m->climits, o)) < 0 ||
	    (e = write_limits_account(m)) < 0) {
		msg_errorx("cannot read the connection limits of %s: %s",
		    o->root, qpm_strerror(e));
		goto out;
	}
	if (template(&tmp, o->out, ".tmp") < 0 || mkdtemp(tmp.buf) == NULL) {
		msg_error("cannot create a temporary directory beside %s",
		    o->out);
		goto out;
	}
	/* held until the end: a later run leaves a live run's tmp alone */
	if ((lock = open(tmp.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		msg_error("%s: cannot lock", tmp.buf);
		migrate_remove_tree(tmp.buf);
		goto out;
	}
	chmod(tmp.buf, 0755);
	w.outdir = tmp.buf;
	w.root = o->root;
	w.dovecot_dir = o->dovecot_dir;
	w.postfix_ver = o->postfix_ver;
	w.dovecot_ver = o->dovecot_ver;
	target_choose(&w.postfix_ver, &w.postfix_from, &w.dovecot_ver,
	    &w.dovecot_from, o->quiet);
	w.srs = wired > 0 ? &sw : NULL;
	w.srs_off = o->no_srs;
	w.dkim = signing > 0 ? &dw : NULL;
	w.dkim_off = o->no_dkim;
	w.sql = o->userdb_sql ? &sq : NULL;
	if ((e = write_postfix(m, &w)) < 0 ||
	    (e = (w.dovecot_ver == 24 ? write_dovecot24(m, &w) :
	    write_dovecot23(m, &w))) < 0 ||
	    (e = write_sql(m, &w)) < 0 ||
	    (e = write_nftables(m, &w)) < 0 ||
	    (e = write_sysctl(m, &w)) < 0 ||
	    (e = write_srs(m, &w)) < 0 ||
	    (e = write_dkim(m, &w)) < 0 ||
	    (e = write_json(m, &w)) < 0 ||
	    (e = write_report(m, &w, &report)) < 0 || m->nomem) {
		msg_errorx("cannot write the output: %s",
		    m->nomem ? "out of memory" : qpm_strerror(e));
		migrate_remove_tree(tmp.buf);
		goto out;
	}
	/* checked before OUT is touched: a report that does not add up
	 * never replaces the previous one */
	if (!model_counts_add_up(m)) {
		msg_errorx("internal error: the counts do not add up; %s is "
		    "left as it was", o->out);
		migrate_remove_tree(tmp.buf);
		goto out;
	}
	if (put_in_place(tmp.buf, o->out, have_out, &old) < 0) {
		migrate_remove_tree(tmp.buf);
		goto out;
	}
	exit_code = m->listed.n > 0 ? QPM_EXIT_PARTIAL : QPM_EXIT_OK;
	if (!o->quiet)
		msg_info("%zu domains, %zu mailboxes, %zu rules; %zu items "
		    "not converted; report: %s/migration-report.txt",
		    m->domains.n, m->mailboxes.n, m->rules.n, m->listed.n,
		    o->out);
out:
	if (lock >= 0)
		close(lock);
	dkim_wire_free(&dw);
	if (o->userdb_sql)
		sql_out_free(&sq);
	free(dsn);
	model_free(m);
	qstr_free(&tmp);
	qstr_free(&old);
	qstr_free(&report);
	return exit_code;
}
