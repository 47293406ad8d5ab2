/*
 * NAME		rootfs - open files of a tree as if it were the root
 * DOES		openat2(2) RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; on a
 *		kernel without it, a walk from the root fd, one component
 *		at a time with O_NOFOLLOW, that reads each symlink and
 *		resolves it inside the root ("/" and ".." stop at the root)
 * NEVER	resolves a path against this machine's "/", blocks on a
 *		FIFO, or follows a final symlink under ROOTFS_NOFOLLOW
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/rootfs.h"

#define ROOTFS_MAX_PATH	(PATH_MAX * 4)	/* a path after links are spliced */
#define ROOTFS_MODE	0600		/* files made with O_CREAT */
#define ROOTFS_RETRIES	8		/* openat2 EAGAIN: a rename raced */

int
rootfs_init(struct rootfs *r, const char *dir, int flags)
{
	r->walk = (flags & ROOTFS_WALK) != 0;
	if ((r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	return 0;
}

void
rootfs_free(struct rootfs *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* The next component of p at *i: its start and length; *i moves past
 * it and the slashes after it.  0 when none is left. */
static size_t
next_comp(const char *p, size_t *i, size_t *start)
{
	size_t n;

	while (p[*i] == '/')
		(*i)++;
	*start = *i;
	for (n = 0; p[*i] != '\0' && p[*i] != '/'; n++)
		(*i)++;
	while (p[*i] == '/')
		(*i)++;
	return n;
}

struct walk {
	int	*fd;		/* directories below the root, innermost last */
	size_t	 n, cap;
};

static int
walk_cur(const struct rootfs *r, const struct walk *w)
{
	return w->n > 0 ? w->fd[w->n - 1] : r->fd;
}

static void
walk_pop(struct walk *w, size_t keep)
{
	while (w->n > keep)
		close(w->fd[--w->n]);
}

static int
walk_push(struct walk *w, int fd)
{
	int *nf;

	if (w->n == w->cap) {
		if (w->cap >= ROOTFS_MAX_PATH / 2) {
			close(fd);
			return -ENAMETOOLONG;
		}
		w->cap = w->cap ? w->cap * 2 : 16;
		if ((nf = realloc(w->fd, w->cap * sizeof(*nf))) == NULL) {
			close(fd);
			return QPM_ENOMEM;
		}
		w->fd = nf;
	}
	w->fd[w->n++] = fd;
	return 0;
}

/* The link name in dirfd, spliced in front of what is left of the
 * path: the new path to walk (root-relative when the target is
 * absolute, which *abs says). */
static int
splice_link(int dirfd, const char *name, const char *rest, struct qstr *np,
    int *abs)
{
	char target[PATH_MAX];
	ssize_t n;
	int e;

	if ((n = readlinkat(dirfd, name, target, sizeof(target))) < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	*abs = n > 0 && target[0] == '/';
	if ((e = qstr_catn(np, target, (size_t)n)) < 0 ||
	    (*rest != '\0' && ((e = qstr_catc(np, '/')) < 0 ||
	    (e = qstr_cat(np, rest)) < 0)))
		return e == QPM_ERANGE ? -ENAMETOOLONG : e;
	return 0;
}

/* RESOLVE_IN_ROOT by hand: no component is opened without O_NOFOLLOW;
 * each symlink met is read and resolved from the root or its directory. */
static int
walk_open(const struct rootfs *r, const char *path, int oflags, int nofollow)
{
	struct walk w = { NULL, 0, 0 };
	struct qstr p = QSTR_INIT(ROOTFS_MAX_PATH),
	    np = QSTR_INIT(ROOTFS_MAX_PATH);
	struct stat st;
	size_t i = 0, start, len, links = 0;
	char name[NAME_MAX + 1];
	int fd = -1, e, abs = 0, last, cur;

	if ((e = qstr_cat(&p, path)) < 0) {
		fd = e == QPM_ERANGE ? -ENAMETOOLONG : e;
		goto out;
	}
	for (;;) {
		cur = walk_cur(r, &w);
		if ((len = next_comp(p.buf, &i, &start)) == 0) {
			/* the path names a directory reached already */
			if ((fd = openat(cur, ".", oflags, ROOTFS_MODE)) < 0)
				fd = -errno;
			goto out;
		}
		if (len > NAME_MAX) {
			fd = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, p.buf + start, len);
		name[len] = '\0';
		last = p.buf[i] == '\0';
		if (strcmp(name, ".") == 0 && !last)
			continue;
		if (strcmp(name, "..") == 0 && !last) {
			if (w.n > 0)	/* ".." of the root is the root */
				walk_pop(&w, w.n - 1);
			continue;
		}
		if (strcmp(name, "..") == 0) {
			if (w.n > 0)
				walk_pop(&w, w.n - 1);
			if ((fd = openat(walk_cur(r, &w), ".", oflags,
			    ROOTFS_MODE)) < 0)
				fd = -errno;
			goto out;
		}
		if (!last) {
			fd = openat(cur, name, O_PATH | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				if ((e = walk_push(&w, fd)) < 0) {
					fd = e;
					goto out;
				}
				fd = -1;
				continue;
			}
		} else {
			fd = openat(cur, name, oflags | O_NOFOLLOW,
			    ROOTFS_MODE);
			if (fd >= 0 && (oflags & O_PATH) && !nofollow &&
			    fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
				close(fd);	/* O_PATH gave the link itself */
				fd = -ELOOP;
				errno = ELOOP;
			}
			if (fd >= 0)
				goto out;
		}
		e = errno;
		if ((e != ELOOP && e != ENOTDIR && e != EMLINK) ||
		    fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode)) {
			fd = -e;
			goto out;
		}
		if ((last && nofollow) || ++links > QPM_MAX_SYMLINKS) {
			fd = -ELOOP;
			goto out;
		}
		qstr_reset(&np);
		if ((e = splice_link(cur, name, p.buf + i, &np, &abs)) < 0) {
			fd = e;
			goto out;
		}
		if (abs)
			walk_pop(&w, 0);
		qstr_reset(&p);
		if ((e = qstr_catn(&p, np.buf, np.len)) < 0) {
			fd = e;
			goto out;
		}
		i = 0;
	}
out:
	walk_pop(&w, 0);
	free(w.fd);
	qstr_free(&p);
	qstr_free(&np);
	return fd;
}

/* path: no leading or trailing slash, never empty */
static int
open_norm(const struct rootfs *r, const char *path, int oflags, int nofollow)
{
	int fd = -ENOSYS;

#ifdef SYS_openat2
	if (!r->walk) {
		struct open_how how;
		int tries;

		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long long)(oflags |
		    (nofollow ? O_NOFOLLOW : 0));
		if (oflags & O_CREAT)
			how.mode = ROOTFS_MODE;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		for (tries = 0; tries < ROOTFS_RETRIES; tries++) {
			fd = (int)syscall(SYS_openat2, r->fd, path, &how,
			    sizeof(how));
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		if (fd < 0)
			fd = -errno;
	}
#endif
	if (fd == -ENOSYS)
		fd = walk_open(r, path, oflags, nofollow);
	return fd;
}

int
rootfs_open(const struct rootfs *r, const char *path, int oflags, int flags)
{
	struct qstr p = QSTR_INIT(ROOTFS_MAX_PATH);
	struct stat st;
	int fd, lfd, e, nofollow = (flags & ROOTFS_NOFOLLOW) != 0;
	size_t n;

	/* "a/b/" names a directory, and b is checked as b: a trailing
	 * slash must not make the kernel follow a final link */
	while (*path == '/')
		path++;
	n = strlen(path);
	if (n > 0 && path[n - 1] == '/') {
		while (n > 0 && path[n - 1] == '/')
			n--;
		if (!(oflags & O_CREAT))
			oflags |= O_DIRECTORY;
	}
	if (n == 0)
		e = qstr_cat(&p, ".");
	else
		e = qstr_catn(&p, path, n);
	if (e < 0) {
		fd = e == QPM_ERANGE ? -ENAMETOOLONG : e;
		goto out;
	}
	oflags |= O_CLOEXEC;
	if (!(oflags & O_PATH))
		oflags |= O_NOCTTY;
	fd = open_norm(r, p.buf, oflags, nofollow);
	/* O_DIRECTORY | O_NOFOLLOW on a link says ENOTDIR: say ELOOP */
	if (fd == -ENOTDIR && nofollow && (oflags & O_DIRECTORY) &&
	    (lfd = open_norm(r, p.buf, O_PATH | O_CLOEXEC, 1)) >= 0) {
		if (fstat(lfd, &st) == 0 && S_ISLNK(st.st_mode))
			fd = -ELOOP;
		close(lfd);
	}
out:
	qstr_free(&p);
	if (fd < 0)
		errno = -fd;
	return fd;
}

int
rootfs_open_file(const struct rootfs *r, const char *path, int flags,
    struct stat *st)
{
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = rootfs_open(r, path, O_RDONLY | O_NONBLOCK, flags)) < 0)
		return fd;
	return file_check_regular(fd, st);
}

int
rootfs_read(const struct rootfs *r, const char *path, size_t max, int flags,
    struct qstr *out, struct stat *stp)
{
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = rootfs_open(r, path, O_RDONLY | O_NONBLOCK, flags)) < 0)
		return fd;
	return file_read_regular(fd, max, out, stp);
}

DIR *
rootfs_opendir(const struct rootfs *r, const char *path, int flags)
{
	DIR *d;
	int fd, e;

	if ((fd = rootfs_open(r, path, O_RDONLY | O_DIRECTORY, flags)) < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

int
rootfs_stat(const struct rootfs *r, const char *path, int flags,
    struct stat *st)
{
	int fd, e = 0;

	if ((fd = rootfs_open(r, path, O_PATH, flags)) < 0)
		return fd;
	if (fstat(fd, st) < 0)
		e = -errno;
	close(fd);
	return e;
}

int
rootfs_readlink(const struct rootfs *r, const char *path, struct qstr *out)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, e = 0;

	if ((fd = rootfs_open(r, path, O_PATH, ROOTFS_NOFOLLOW)) < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		e = -errno;
	else if (!S_ISLNK(st.st_mode))
		e = QPM_EINVAL;
	else if ((n = readlinkat(fd, "", target, sizeof(target))) < 0)
		e = -errno;
	else if ((size_t)n >= sizeof(target))
		e = -ENAMETOOLONG;
	else
		e = qstr_catn(out, target, (size_t)n);
	close(fd);
	return e;
}

const char *
rootfs_strerror(int err)
{
	switch (err) {
	case QPM_ELOOP:
		return "symbolic link (not followed)";
	case QPM_EINVAL:
		return "not a regular file";
	case QPM_ERANGE:
		return "larger than the size limit";
	case QPM_ENOENT:
		return "missing";
	case -ENOTDIR:
		return "a part of the path is not a directory";
	case -EACCES:
		return "unreadable (permission denied)";
	default:
		return qpm_strerror(err);
	}
}
