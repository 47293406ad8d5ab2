/*
 * NAME		rootfs - open files of a tree as if it were the root
 * DOES		every path is resolved inside the root: "..", absolute
 *		paths and absolute symlinks (an old host's /service ->
 *		/var/qmail/supervise) stay in the tree; openat2(2) with
 *		RESOLVE_IN_ROOT, else a walk with O_NOFOLLOW at every
 *		component that resolves each link by hand, inside the root
 * NEVER	leaves the root, follows a magic link, hangs on a FIFO, or
 *		takes a symlink as the last component when told not to
 *		(trailing slashes included)
 */
#ifndef QPM_ROOTFS_H
#define QPM_ROOTFS_H

#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>

#include "util/qstr.h"

struct rootfs {
	int	fd;		/* the root directory (O_PATH) */
	int	walk;		/* 1: no openat2, walk by hand */
};

/* rootfs_init flags */
#define ROOTFS_WALK	0x01	/* never use openat2 (old kernels; tests) */

/* flags of the calls below */
#define ROOTFS_NOFOLLOW	0x01	/* the last component may not be a symlink,
				 * even when the path ends in '/' */

/* Open dir as the root; 0 or a negative qpm_err (errno kept). */
int	rootfs_init(struct rootfs *r, const char *dir, int flags);
void	rootfs_free(struct rootfs *r);

/* open(2) of path below the root: a new fd or -errno.  O_CLOEXEC and
 * O_NOCTTY are always added.  ELOOP: a symlink refused by
 * ROOTFS_NOFOLLOW, or too many links. */
int	rootfs_open(const struct rootfs *r, const char *path, int oflags,
	    int flags);

/* A regular file opened for reading, never blocking on a FIFO: an fd
 * or -errno; QPM_EINVAL when it is no regular file.  st is filled. */
int	rootfs_open_file(const struct rootfs *r, const char *path, int flags,
	    struct stat *st);

/* The whole regular file appended to out: 0, QPM_ERANGE above max,
 * QPM_EINVAL when it is no regular file (FIFO, device, socket,
 * directory), else -errno.  st may be NULL. */
int	rootfs_read(const struct rootfs *r, const char *path, size_t max,
	    int flags, struct qstr *out, struct stat *st);

/* A directory stream, or NULL with errno set. */
DIR	*rootfs_opendir(const struct rootfs *r, const char *path, int flags);

/* stat(2) (lstat(2) of the last component with ROOTFS_NOFOLLOW):
 * 0 or -errno. */
int	rootfs_stat(const struct rootfs *r, const char *path, int flags,
	    struct stat *st);

/* The target of the symlink path (its last component is not
 * followed), appended to out: 0 or -errno. */
int	rootfs_readlink(const struct rootfs *r, const char *path,
	    struct qstr *out);

/* Why an open failed, for "file: why" lines. */
const char *rootfs_strerror(int err);

#endif
