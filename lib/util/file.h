/*
 * NAME		file - safe file I/O: atomic writes, bounded reads
 * DOES		every output file goes through file_write_atomic()
 * NEVER	leaves a half-written file or a temporary file behind
 */
#ifndef QPM_FILE_H
#define QPM_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/qstr.h"

#define QPM_MODE_PUBLIC		0644
#define QPM_MODE_SECRET		0600	/* secrets and password hashes */

/* mkstemp() beside path, fchmod, write, fsync, close, rename, fsync the
 * directory; on any failure, unlink the temp file. */
int	file_write_atomic(const char *path, const struct qstr *data, mode_t mode);
int	file_write_atomic_buf(const char *path, const void *buf, size_t len,
	    mode_t mode);
/* The same with owner uid and group gid ((uid_t)-1, (gid_t)-1: keep). */
int	file_write_atomic_owned(const char *path, const void *buf, size_t len,
	    mode_t mode, uid_t uid, gid_t gid);

/* An atomic write made a piece at a time, for a file too big to hold
 * in memory whole: file_stream_open() makes path's temporary sibling
 * with mode, file_stream_write() appends to it, file_stream_commit()
 * fsyncs it, renames it into place and fsyncs the directory.
 * file_stream_abort() removes the temporary file (after a failed write;
 * commit cleans up itself, failed or not).  0 or a negative qpm_err,
 * errno kept; until the commit path keeps its old content. */
struct file_stream {
	int		 fd;
	struct qstr	 tmp, path;
};
int	file_stream_open(struct file_stream *f, const char *path,
	    mode_t mode);
int	file_stream_write(struct file_stream *f, const void *buf, size_t len);
int	file_stream_commit(struct file_stream *f);
void	file_stream_abort(struct file_stream *f);

/* A batch of atomic writes made durable together.  file_batch_write()
 * writes path's temporary sibling (owner, mode, data; no fsync) and keeps
 * it pending; file_batch_commit() flushes the filesystems they are on
 * with one syncfs(2) each, renames every one into place and flushes
 * again.  After a crash each path holds its old content or all of the
 * new, as with file_write_atomic(), for two flushes a batch instead of
 * two fsyncs a file (and everything else written to those filesystems
 * before the commit is on disk with them).  Until the commit the paths
 * keep their old content.  Not for files another writer may also
 * replace before the commit. */
struct file_pending {
	char	*tmp, *path;
	dev_t	 dev;
};
struct file_batch {
	struct file_pending	*v;
	size_t			 n, cap;
};
#define FILE_BATCH_INIT	{ NULL, 0, 0 }

/* 0 or a negative qpm_err (errno kept); nothing pending on failure */
int	file_batch_write(struct file_batch *b, const char *path,
	    const void *buf, size_t len, mode_t mode, uid_t uid, gid_t gid);
/* every pending file into place; failed(arg, path, errno) for each one
 * that could not be (its temporary file is removed).  The number that
 * failed, or QPM_ENOMEM (nothing done, all still pending). */
int	file_batch_commit(struct file_batch *b,
	    void (*failed)(void *arg, const char *path, int err), void *arg);
/* the pending files removed, never renamed; b empty */
void	file_batch_free(struct file_batch *b);

#define FILE_READ_NOFOLLOW	0x01	/* refuse a symlink as the last part */

/* Read a whole regular file into out (appended); at most max bytes, else
 * QPM_ERANGE; anything else (a FIFO, a device) is QPM_EINVAL at once,
 * never waited on.  Returns 0 or a negative qpm_err; errno is kept. */
int	file_read_all(const char *path, size_t max, int flags, struct qstr *out);

/* Read fd to its end into out (appended); more than max bytes is
 * QPM_ERANGE.  0 or a negative qpm_err. */
int	file_read_fd(int fd, size_t max, struct qstr *out);
/* fd, just opened with O_NONBLOCK so that a FIFO did not wait for a
 * writer: anything but a regular file (a FIFO, a device, a socket, a
 * directory) is QPM_EINVAL; O_NONBLOCK is cleared.  Returns fd, or
 * closes it and returns a negative qpm_err; *st is fstat(2)'s answer. */
int	file_check_regular(int fd, struct stat *st);
/* file_check_regular(), then the whole file into out (appended): over
 * max bytes is QPM_ERANGE before a byte is read.  fd is closed, errno
 * kept; st (NULL: not wanted) as above.  0 or a negative qpm_err. */
int	file_read_regular(int fd, size_t max, struct qstr *out,
	    struct stat *st);
/* OpenSSL's pem_password_cb for key files read from scripts: never a
 * prompt on the terminal; sets *(int *)asked and gives no pass phrase,
 * so an encrypted key fails at once and the caller can say why. */
int	file_no_pass_phrase(char *buf, int size, int rwflag, void *asked);

/* mkdir -p with mode for every created component. */
int	file_mkdirs(const char *path, mode_t mode);

#endif
