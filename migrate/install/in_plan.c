/*
 * NAME		in_plan - what install will write, and where
 * DOES		paths of the target system below --target-root; the list of
 *		files (each with its backup name), the directories to make
 *		(with mode and owner) and the links to add (systemctl
 *		enable's WantedBy link)
 * NEVER	changes anything: copy_in() in install.c writes the plan
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migrate/install/in_int.h"
#include "migrate/install/install.h"
#include "util/msg.h"
#include "util/qstr.h"

/* path of the target system as seen from here: ROOT/path */
int
in_rootpath(const struct in_run *r, char *buf, size_t size, const char *path)
{
	if (strcmp(r->root, "/") == 0)
		return qpm_snprintf(buf, size, "%s", path) < 0 ? -1 : 0;
	return qpm_snprintf(buf, size, "%s%s", r->root, path) < 0 ? -1 : 0;
}

/* one more file to install: src (a regular file of OUT) to dst (a path
 * as seen from here); NULL when it is not a regular file or on error */
struct in_file *
in_add_file(struct in_run *r, const char *src, const char *dst, int part)
{
	struct stat st, ds;
	struct in_file *f, *nf;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		if ((nf = realloc(r->f, r->cap * sizeof(*nf))) == NULL)
			return NULL;
		r->f = nf;
	}
	f = &r->f[r->n];
	memset(f, 0, sizeof(*f));
	if (qpm_snprintf(f->src, sizeof(f->src), "%s", src) < 0 ||
	    qpm_snprintf(f->dst, sizeof(f->dst), "%s", dst) < 0)
		return NULL;
	if (lstat(f->src, &st) < 0 || !S_ISREG(st.st_mode)) {
		msg_warnx("%s: not a regular file", f->src);
		return NULL;
	}
	f->part = part;
	f->mode = (st.st_mode & 077) ? 0644 : 0600;
	f->secret = f->mode == 0600;
	f->uid = (uid_t)-1;
	f->gid = (gid_t)-1;
	if (lstat(f->dst, &ds) == 0) {
		if (!S_ISREG(ds.st_mode)) {
			msg_errorx("%s: exists and is not a regular file", f->dst);
			return NULL;
		}
		f->existed = 1;
	}
	if (install_backup_name(f->bak, sizeof(f->bak), f->dst, r->now) < 0)
		return NULL;
	r->n++;
	return f;
}

static struct in_dir *
want_entry(struct in_run *r, const char *path, int part)
{
	struct in_dir *d, *nd;
	size_t i;

	for (i = 0; i < r->nd; i++)
		if (strcmp(r->d[i].path, path) == 0)
			return &r->d[i];
	if (r->nd == r->capd) {
		r->capd = r->capd ? r->capd * 2 : 16;
		if ((nd = realloc(r->d, r->capd * sizeof(*nd))) == NULL)
			return NULL;
		r->d = nd;
	}
	d = &r->d[r->nd++];
	memset(d, 0, sizeof(*d));
	d->part = part;
	if (qpm_snprintf(d->path, sizeof(d->path), "%s", path) < 0)
		return NULL;
	return d;
}

/* the directory path of the target system (and each missing one above
 * it) made with mode and owner unless it is there; 0 or -1 */
int
in_want_dir(struct in_run *r, const char *path, int part, mode_t mode,
    const char *owner, const char *group)
{
	char here[IN_PATH], up[IN_PATH];
	const char *slash = strrchr(path, '/');
	struct in_dir *d;
	struct stat st;

	if (in_rootpath(r, here, sizeof(here), path) < 0)
		return -1;
	if (stat(here, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -1;
	if (slash != NULL && slash != path && (qpm_snprintf(up, sizeof(up),
	    "%.*s", (int)(slash - path), path) < 0 ||
	    in_want_dir(r, up, part, 0755, "", "") < 0))
		return -1;
	if ((d = want_entry(r, here, part)) == NULL)
		return -1;
	if (d->mode != 0)	/* planned already, by its own part */
		return 0;
	d->mode = mode;
	return qpm_snprintf(d->owner, sizeof(d->owner), "%s", owner) < 0 ||
	    qpm_snprintf(d->group, sizeof(d->group), "%s", group) < 0 ? -1 : 0;
}

/* a symbolic link path -> target (systemctl enable's), unless one is
 * there already; 0 or -1 */
int
in_want_link(struct in_run *r, const char *path, const char *target,
    int part)
{
	char here[IN_PATH];
	struct in_dir *d;
	struct stat st;

	if (in_rootpath(r, here, sizeof(here), path) < 0)
		return -1;
	if (lstat(here, &st) == 0)
		return 0;
	if ((d = want_entry(r, here, part)) == NULL ||
	    qpm_snprintf(d->target, sizeof(d->target), "%s", target) < 0)
		return -1;
	d->is_link = 1;
	return 0;
}
