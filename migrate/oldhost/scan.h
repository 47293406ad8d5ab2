/*
 * NAME		scan - walk the old host's tree and feed the readers
 * DOES		opens every file confined to --root (lib/util/rootfs.h),
 *		a final symlink refused, checks its
 *		type and mode, hands the bytes to the pure readers, then
 *		resolves domains (assign, virtualdomains, rcpthosts, the
 *		vpopmail domains directory)
 * NEVER	writes under --root, follows a symlink to a file, stops at
 *		the first bad file
 */
#ifndef Q2P_SCAN_H
#define Q2P_SCAN_H

#include "migrate/model/model.h"
#include "migrate/oldhost/readers.h"

struct scan_opts {
	const char	*root;		/* the old host's / */
	const char	*qmail_dir;	/* relative to root: var/qmail */
	const char	*vpopmail_dir;	/* relative to root: home/vpopmail */
	/* --qmail-ext yes|no: 1 or -1, used when the old host has no
	 * vpopmail_config.h; 0: not given */
	int		 qmail_ext;
	/* vpopmail's MySQL backend: where to connect, whose credentials
	 * (readers.h); used when the old host's vpopmail is that build */
	const struct vmysql_opts *mysql;
};

/* 0, or a negative qpm_err when nothing could be read (no root). */
int	scan_run(struct model *m, const struct scan_opts *o);

#endif
