/*
 * NAME		sync_int - what sync.c (the command, OUT, the summary) and
 *		sync_folder.c (one Maildir folder) share
 * DOES		the run's options and totals, one mailbox's paths and ids
 * NEVER	is included outside migrate/sync/
 */
#ifndef Q2P_SYNC_INT_H
#define Q2P_SYNC_INT_H

#include <sys/types.h>

#include <jansson.h>

#include "util/clock.h"
#include "util/file.h"
#include "util/qstr.h"
#include "util/rootfs.h"
#include "util/strlist.h"

struct sync_totals {
	unsigned long		 mailboxes, folders, copied, present, flags;
	unsigned long		 problems;
	unsigned long long	 bytes;
};

struct sync_run {
	struct rootfs		 root;		/* the old host, read only */
	const char		*dest_root;	/* "" for / */
	int			 dry_run, final, json, quiet;
	int			 chown;		/* root: files get the user's ids */
	struct qpm_clock	 clock;
	struct sync_totals	 t;
	struct strlist		 problems;	/* --json: each problem line */
	struct file_batch	 batch;		/* small files, not yet in place */
	struct qstr		 made;		/* the last home's parent made */
	pid_t			 pid;		/* in copy_msg's temp names */
};

/* The small files a run writes (uidlist, keywords, state, subscriptions)
 * are made durable and renamed into place a batch at a time: one syncfs
 * per batch, where an fsync per file and per directory cost 7 ms a file
 * (10,000 mailboxes of 3 messages: 269 s, now 36 s; cp -a 15-28 s) */
#define SYNC_BATCH	1024

struct sync_mbox {
	const char	*address;
	const char	*src;		/* Maildir below the old root, no '/' first */
	const char	*dst;		/* Maildir on the new side */
	uid_t		 uid;
	gid_t		 gid;
	int		 copied;	/* a message was copied: maildirsize is stale */
	/* the old host's mail, as Dovecot's maildir quota counts it, and
	 * the quota of migration.json (-1: none) */
	unsigned long long old_bytes;
	unsigned long	 old_messages;
	long long	 quota_bytes, quota_messages;
};

/* One folder: src and dst are the folder's directories (the Maildir
 * itself for INBOX), name its IMAP name in courier's namespace.  Adds
 * to r->t and to jfolders (an array; NULL without --json); every
 * problem is printed and counted.  0, or a negative qpm_err when the run
 * must stop (no memory). */
int	sync_folder(struct sync_run *r, struct sync_mbox *mb, const char *src,
	    const char *dst, const char *name, json_t *jfolders);

/* "what: problem" on stderr (unless quiet), counted, and kept for
 * --json's "problems" */
void	sync_problem(struct sync_run *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* mkdir dir (mode 0700) unless it exists, owned by the mailbox's ids
 * when run as root: 0 or -errno */
int	sync_mkdir(const struct sync_run *r, const struct sync_mbox *mb,
	    const char *dir);

/* dir/name written atomically (0600, the mailbox's ids when run as
 * root), in place at the next sync_commit() at the latest (within
 * SYNC_BATCH files); a failure is a listed problem.  0, or the qstr
 * error of the path, or QPM_ENOMEM. */
int	sync_write(struct sync_run *r, const struct sync_mbox *mb,
	    const char *dir, const char *name, const char *data, size_t len);

/* the pending small files durable and in place; a failure is a listed
 * problem.  0 or QPM_ENOMEM. */
int	sync_commit(struct sync_run *r);

#endif
