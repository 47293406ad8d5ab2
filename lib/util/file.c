/*
 * NAME		file - atomic writes and bounded reads
 * DOES		temp file + fsync + rename; stat before reading
 * NEVER	follows a symlink when asked not to, reads past a limit
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
fsync_dir_of(const char *path)
{
	char *copy, *dir;
	int fd, rc = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		free(copy);
		return -1;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -1;
	close(fd);
	free(copy);
	return rc;
}

int
file_write_atomic_buf(const char *path, const void *buf, size_t len,
    mode_t mode)
{
	return file_write_atomic_owned(path, buf, len, mode, (uid_t)-1,
	    (gid_t)-1);
}

int
file_write_atomic_owned(const char *path, const void *buf, size_t len,
    mode_t mode, uid_t uid, gid_t gid)
{
	struct qstr tmp = QSTR_INIT(4096 + QPM_MAX_PATH * 16);
	int fd = -1, err = QPM_EIO, saved;

	if (qstr_catf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		err = QPM_ERANGE;
		goto out;
	}
	if ((fd = mkstemp(tmp.buf)) < 0) {
		err = -errno;
		qstr_reset(&tmp);
		goto out;
	}
	/* owner and mode before the rename: never a moment when the reader
	 * it is meant for (Dovecot's auth) is locked out */
	if (((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchown(fd, uid, gid) < 0) || fchmod(fd, mode) < 0 ||
	    write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		err = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		err = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0) {
		err = -errno;
		goto fail;
	}
	qstr_free(&tmp);
	(void)fsync_dir_of(path);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
	errno = saved;
out:
	qstr_free(&tmp);
	return err;
}

int
file_write_atomic(const char *path, const struct qstr *data, mode_t mode)
{
	return file_write_atomic_buf(path, data->buf != NULL ? data->buf : "",
	    data->len, mode);
}

int
file_read_fd(int fd, size_t max, struct qstr *out)
{
	char buf[65536];
	size_t total = 0;
	ssize_t r;
	int err = 0;

	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		if ((size_t)r > max - total) {	/* grew while we read */
			errno = EFBIG;
			err = QPM_ERANGE;
			break;
		}
		total += (size_t)r;
		if ((err = qstr_catn(out, buf, (size_t)r)) < 0)
			break;
	}
	explicit_bzero(buf, sizeof(buf));	/* it may have held a secret */
	return err;
}

int
file_check_regular(int fd, struct stat *st)
{
	int e;

	if (fstat(fd, st) < 0) {
		e = -errno;
		close(fd);
		errno = -e;
		return e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return QPM_EINVAL;
	}
	/* a regular file never blocks; clear it for the reader's sake */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int
file_read_regular(int fd, size_t max, struct qstr *out, struct stat *stp)
{
	struct stat st0, *st = stp != NULL ? stp : &st0;
	int err, saved;

	if ((fd = file_check_regular(fd, st)) < 0)
		return fd;
	if ((unsigned long long)st->st_size > max) {
		errno = EFBIG;
		err = QPM_ERANGE;
	} else
		err = file_read_fd(fd, max, out);
	saved = errno;
	close(fd);
	errno = saved;
	return err;
}

int
file_read_all(const char *path, size_t max, int flags, struct qstr *out)
{
	/* O_NONBLOCK: open(2) of a FIFO waits for a writer, for ever;
	 * anything but a regular file is refused by file_read_regular() */
	int fd, oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (flags & FILE_READ_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if ((fd = open(path, oflags)) < 0)
		return errno == ELOOP ? QPM_ELOOP : -errno;
	return file_read_regular(fd, max, out, NULL);
}

int
file_mkdirs(const char *path, mode_t mode)
{
	struct qstr p = QSTR_INIT(QPM_MAX_PATH * 16);
	size_t i;
	int err = 0;

	if ((err = qstr_cat(&p, path)) < 0)
		goto out;
	for (i = 1; i <= p.len; i++) {
		if (p.buf[i] != '/' && p.buf[i] != '\0')
			continue;
		p.buf[i] = '\0';
		if (mkdir(p.buf, mode) < 0 && errno != EEXIST) {
			err = -errno;
			goto out;
		}
		if (i < p.len)
			p.buf[i] = '/';
	}
out:
	qstr_free(&p);
	return err;
}

int
file_no_pass_phrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)asked = 1;
	return -1;
}
