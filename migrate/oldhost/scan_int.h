/*
 * NAME		scan_int - what the tree walk's two files share
 * DOES		scan.c: the walk (control/, users/assign, /etc, the domains
 *		and their vpasswd); scan_dotqmail.c: the .qmail files of
 *		domains, users, ~alias and users/assign lines
 * NEVER	used outside migrate/oldhost/scan*.c
 */
#ifndef Q2P_SCAN_INT_H
#define Q2P_SCAN_INT_H

#include <sys/stat.h>

#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/scan.h"
#include "util/qstr.h"
#include "util/rootfs.h"

struct scan {
	struct model		*m;
	const struct scan_opts	*o;
	struct rootfs		 root;		/* every open goes through it */
	struct qstr		 buf;
	const char		*vpop_user, *alias_user;
	unsigned long		 default_flags;	/* vlimits.default */
	int			 auth_mysql;	/* vpopmail_config.h: MySQL */
	const char		**counted;	/* files whose lines are counted */
	size_t			 ncounted;
};

enum { READ_OK = 0, READ_MISSING = 1, READ_FAILED = -1 };

struct names {
	char	**v;
	size_t	  n;
};

/* scan.c */
/* Read ROOT/rel into s->buf, resolved inside the root, a final
 * symlink refused.  A missing file is READ_MISSING (nothing listed);
 * any other failure is listed in cat as file: problem. */
int	scan_read(struct scan *s, const char *rel, struct stat *st,
	    enum m_cat cat);
/* The sorted names in ROOT/rel starting with prefix ("" for all but
 * dot files).  0, READ_MISSING, or a negative errno. */
int	scan_dir(struct scan *s, const char *rel, const char *prefix,
	    struct names *nm);
void	names_free(struct names *nm);

/* scan_dotqmail.c */
/* A .qmail file that is not converted: each line that would deliver is
 * listed with file:line and why (a file of comments only, as a file). */
void	refuse_file(struct scan *s, const char *rel, const char *why,
	    const char *todo);
void	scan_domain_dotqmail(struct scan *s, struct m_domain *d);
void	scan_user_dotqmail(struct scan *s, struct m_domain *d,
	    struct m_mailbox *mb);
/* users/assign lines that are not vpopmail domains */
void	scan_assign_local(struct scan *s);
/* ~alias/.qmail-* for each local domain */
void	scan_alias(struct scan *s);

#endif
