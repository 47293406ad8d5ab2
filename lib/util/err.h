/*
 * NAME		err - error codes shared by all library code
 * DOES		library functions return 0 (or a count) or a negative enum qpm_err
 * NEVER	exits or prints: the caller picks the message and the exit code
 */
#ifndef QPM_ERR_H
#define QPM_ERR_H

#include <errno.h>

enum qpm_err {
	QPM_OK = 0,
	QPM_ENOMEM = -ENOMEM,
	QPM_EPERM = -EPERM,
	QPM_ENOENT = -ENOENT,
	QPM_EIO = -EIO,
	QPM_EINVAL = -EINVAL,
	QPM_ERANGE = -ERANGE,		/* a limit was hit */
	QPM_ELOOP = -ELOOP,		/* symlink where none is allowed */
	QPM_ESYNTAX = -1000,		/* input does not parse */
	QPM_ETEMP = -1001		/* may succeed later (DNS, I/O) */
};

const char *qpm_strerror(int err);

#endif
