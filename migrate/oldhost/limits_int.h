/*
 * NAME		limits_int - the readers behind limits_read() and the helpers
 *		they share; not part of the interface the migration core uses
 * DOES		each reader takes bytes and a display name, adds items and
 *		diagnostics to struct limits
 * NEVER	opens a file outside the root it was given
 */
#ifndef QPM_MIGRATE_LIMITS_INT_H
#define QPM_MIGRATE_LIMITS_INT_H

#include <stddef.h>

#include "migrate/model/limits.h"
#include "util/qstr.h"

#define LIMITS_MAX_FILE		(4 * 1024 * 1024)	/* one config file */
#define LIMITS_MAX_WORDS	512	/* words in one run-script command */
#define LIMITS_MAX_VARS		256	/* shell variables in one run script */
#define LIMITS_MAX_DEPTH	4	/* envdir/`cat` chains in a run script */

/* Read root/path (path absolute or relative to root; symlinks resolved
 * inside root) into out; QPM_ENOENT when absent. */
int	limits_readfile(const char *root, const char *path, size_t max,
	    struct qstr *out);
/* Names in root/dir (sorted, no dot files), as a NUL-separated list. */
int	limits_listdir(const char *root, const char *dir, struct qstr *out);
/* Join a and b with one '/', into a fixed buffer. */
int	limits_join(char *buf, size_t size, const char *a, const char *b);
/* Parse a non-negative decimal that fills [p, p+n); -1 otherwise. */
long	limits_number(const char *p, size_t n);

/* run scripts (runscript.c): text is the run file, dir its directory
 * relative to the root (envdir ./env and -x paths resolve from there). */
int	runscript_parse(struct limits *l, const char *root, const char *dir,
	    const char *name, const char *text, size_t len);

/* tcprules (tcprules.c): rules of one listener. */
int	tcprules_parse_text(struct limits *l, enum limits_svc svc,
	    const char *name, const char *text, size_t len);
int	tcprules_parse_cdb(struct limits *l, enum limits_svc svc,
	    const char *name, const void *data, size_t len);
/* Read the rules a listener's -x names: FILE.cdb and, when present, the
 * text FILE it was built from (the text gives line numbers). */
int	tcprules_read(struct limits *l, const char *root, enum limits_svc svc,
	    const char *cdbpath, const char *from, unsigned long fromline);
/* The CIDR networks of a tcprules address, space separated; 0 on
 * success, QPM_ESYNTAX when it is no address (=host, info@ip). */
int	tcprules_cidrs(const char *addr, struct qstr *out);

/* courier (courier.c): one of imapd, imapd-ssl, pop3d, pop3d-ssl. */
int	courier_parse(struct limits *l, const char *name, const char *text,
	    size_t len);
int	courier_read(struct limits *l, const char *root, const char *dir);

/* xinetd (xinetd.c): xinetd.conf with its includedir. */
int	xinetd_parse(struct limits *l, const char *name, const char *text,
	    size_t len);
int	xinetd_read(struct limits *l, const char *root, const char *conf);

/* iptables-save and nftables rules (iptables.c). */
int	iptables_parse(struct limits *l, const char *name, const char *text,
	    size_t len);
int	nftrules_parse(struct limits *l, const char *name, const char *text,
	    size_t len);

/* sysctl.conf (sysctl.c). */
int	sysctl_parse(struct limits *l, const char *name, const char *text,
	    size_t len);

/* qmail control files (limits_read.c). */
int	limits_read_control(struct limits *l, const char *root,
	    const char *qmail_dir);

#endif
