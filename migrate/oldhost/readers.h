/*
 * NAME		readers - pure readers of the old host's files
 * DOES		bytes in (with the file name for provenance); model items and
 *		file:line diagnostics out
 * NEVER	opens, follows or writes a file: the scanner hands the bytes in
 */
#ifndef Q2P_READERS_H
#define Q2P_READERS_H

#include <stddef.h>

#include "migrate/model/model.h"

/* control/NAME.  file is the interned path for provenance. */
int	control_known(const char *name);
void	control_parse(struct model *m, const char *name, const char *file,
	    const char *buf, size_t len);
/* After every control file: derived settings (defaults from "me"). */
void	control_finish(struct model *m);

/* users/assign text, or one users/cdb record (key, data as qmail-newu
 * wrote them; the "" key holds the wildcard characters and is skipped). */
void	assign_parse(struct model *m, const char *file, const char *buf,
	    size_t len);
int	assign_record(struct model *m, struct src src, const char *key,
	    size_t klen, const char *data, size_t dlen);
/* qmail-lspawn's rule: an exact line wins, then the longest wildcard
 * prefix; case-insensitive.  NULL when nothing matches. */
const struct m_assign *assign_lookup(const struct model *m, const char *local);

/* DOMDIR/vpasswd of domain d, or one line of it (vpasswd.cdb records
 * are rebuilt as "key:data" by the caller). */
void	vpasswd_parse(struct model *m, struct m_domain *d, const char *file,
	    const char *buf, size_t len);
int	vpasswd_line(struct model *m, struct m_domain *d, struct src src,
	    const char *line, size_t len);
/* vpopmail quota: NOQUOTA, "1000000", "1MB", "50000000S,1000C" and so on */
int	vpasswd_quota(const char *s, long long *bytes, long long *count);

/* vpopmail .qmailadmin-limits / vlimits.default: the disable_* keys as
 * pw_gid flag bits OR-ed into every mailbox of the domain. */
unsigned long vlimits_parse(struct model *m, const char *file,
	    const char *buf, size_t len);

/* dot-qmail lines */
enum dq_type {
	DQ_COMMENT = 1, DQ_BLANK, DQ_PIPE, DQ_FORWARD, DQ_MAILDIR, DQ_MBOX,
	DQ_BAD
};

/* Classify one line (no newline).  *arg and *arglen: the command, address
 * (without &) or path; *why: for DQ_BAD. */
enum dq_type dotqmail_classify(const char *line, size_t len,
	    const char **arg, size_t *arglen, const char **why);

/* The vdelivermail line of a domain .qmail-default: 1 with *what and the
 * argument, 0 when the command is not vdelivermail. */
int	vdelivermail_parse(const char *cmd, size_t len, enum m_catchall *what,
	    const char **arg, size_t *arglen);

/* What a .qmail file stands for. */
struct dq_ctx {
	enum m_origin	 origin;
	enum m_key	 key;
	const char	*local;		/* address local part or prefix */
	const char	*domain;
	const char	*dir;		/* old path of the file's directory */
	const char	*user;		/* the user programs ran as */
	struct m_mailbox *owner;	/* ORIG_USER: the mailbox */
	struct m_domain	*dom;		/* ORIG_DEFAULT: gets the catch-all */
	int		 world_writable;
	int		 executable;
	int		 count;		/* count lines (0: a repeat pass) */
};

void	dotqmail_apply(struct model *m, const struct dq_ctx *ctx,
	    const char *file, const char *buf, size_t len);

/* qmail-inject's completion of a forward target; NULL if unusable. */
const char *dotqmail_address(struct model *m, const char *a, size_t n);

#endif
