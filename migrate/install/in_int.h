/*
 * NAME		in_int.h - what the files of migrate/install/ share
 * DOES		the run (options, layout, target root), the planned files,
 *		directories, links and users, and the helpers each part uses
 * NEVER	is included from outside migrate/install/
 */
#ifndef QPM_IN_INT_H
#define QPM_IN_INT_H

#include <sys/types.h>
#include <time.h>

#include "util/qstr.h"
#include "util/strlist.h"

#define IN_MAX_FILE	(64 * 1024 * 1024)	/* one configuration file */
#define IN_EXIT_REFUSED	2	/* nothing changed */
#define IN_EXIT_HALF	1	/* failed, and not every file was put back */
#define IN_MODE_AUTH	0640	/* root:GROUP of Dovecot's auth service */
#define IN_PATH		1024	/* one path of the target system */
#define IN_NAME		33	/* a user or group name (useradd: 32) */

/* the parts of OUT, in the order they are planned and written */
enum in_part {
	IP_USERS, IP_POSTFIX, IP_DOVECOT, IP_SRS, IP_DKIM, IP_NFTABLES,
	IP_SYSCTL, IP_SQL, IP_NPARTS
};
extern const char *const in_part_name[IP_NPARTS];

/* where each part goes on the target system (below the target root) */
struct in_layout {
	const char	*name;		/* "debian", "rhel" */
	const char	*postfix_dir, *dovecot_dir;
	const char	*dkim_conf, *dkim_dir;
	const char	*nft_dir, *nft_conf;	/* the file, the ruleset */
	const char	*unit_dir, *sysctl_file;
};

struct in_file {
	char	src[IN_PATH], dst[IN_PATH], bak[IN_PATH + 64];
	int	part;
	int	existed, changed, secret, backed_up, written;
	int	authread;	/* read by Dovecot's auth service */
	mode_t	mode;
	uid_t	uid;		/* (uid_t)-1: keep */
	gid_t	gid;		/* (gid_t)-1: keep */
	char	owner[IN_NAME], group[IN_NAME];	/* set at write time */
};

/* a directory that may have to be made, or a link for "enable" */
struct in_dir {
	char	path[IN_PATH];
	char	target[IN_PATH];	/* a link: what it points to */
	int	part, is_link, made;
	mode_t	mode;
	char	owner[IN_NAME], group[IN_NAME];
};

/* a user or group this run adds (and removes again on a failure) */
struct in_user {
	char	name[IN_NAME], group[IN_NAME], home[IN_PATH];
	unsigned id;		/* (unsigned)-1: the system picks */
	int	is_group, is_system, added;
};

struct in_run {
	const char	*out, *pf_dir, *dc_dir, *root;
	const char	*mail_user, *mail_group;
	struct in_layout lay;
	int		 dry_run, start, sql_load;
	int		 want[IP_NPARTS];	/* chosen and present in OUT */
	time_t		 now;
	char		 tmpdir[64];	/* generated files (nftables.conf) */
	struct in_file	*f;
	size_t		 n, cap;
	struct in_dir	*d;
	size_t		 nd, capd;
	struct in_user	 u[8];
	size_t		 nu;
	struct qstr	 notes;		/* what the last message adds */
};

/* install.c */
int	in_run_cmd(char *const argv[], struct qstr *out);

/* in_plan.c */
struct in_file *in_add_file(struct in_run *r, const char *src,
	    const char *dst, int part);
int	in_rootpath(const struct in_run *r, char *buf, size_t size,
	    const char *path);
int	in_want_dir(struct in_run *r, const char *path, int part, mode_t mode,
	    const char *owner, const char *group);
int	in_want_link(struct in_run *r, const char *path, const char *target,
	    int part);

/* in_dovecot.c: the group of the files Dovecot's auth reads */
int	in_dovecot_auth(struct in_run *r, struct qstr *auth_who);

/* in_layout.c: the options about parts and places */
int	in_parse_parts(const char *list, int *set);
int	in_layout_choose(struct in_run *r, const char *forced);
void	in_parts_present(struct in_run *r, const int *only, const int *skip,
	    int have_only);

/* in_users.c: accounts of the target system (its etc/passwd, etc/group) */
int	in_lookup_user(const struct in_run *r, const char *name, uid_t *uid,
	    gid_t *gid);
int	in_lookup_group(const struct in_run *r, const char *name, gid_t *gid);
int	in_name_of_uid(const struct in_run *r, uid_t uid, char *buf,
	    size_t size);
int	in_name_of_gid(const struct in_run *r, gid_t gid, char *buf,
	    size_t size);
int	in_group_member(const struct in_run *r, gid_t gid, const char *name);
int	in_users_plan(struct in_run *r);
int	in_users_add(struct in_run *r);
size_t	in_users_remove(struct in_run *r, struct qstr *left);

/* in_parts.c: srs, dkim, nftables, sysctl, sql */
int	in_parts_plan(struct in_run *r);
int	in_parts_validate(struct in_run *r, struct qstr *tail);
int	in_parts_after(struct in_run *r);

#endif
