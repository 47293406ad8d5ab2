/*
 * NAME		run - one migration run: scan, write into a temporary
 *		sibling of OUT, rename it into place
 * DOES		the work behind "qmail2postfix [run] --root DIR -o OUT"
 * NEVER	leaves a half-written OUT; replaces an existing OUT without
 *		--force
 */
#ifndef Q2P_RUN_H
#define Q2P_RUN_H

#include "migrate/oldhost/readers.h"

struct run_opts {
	const char	*root, *out;
	const char	*qmail_dir, *vpopmail_dir, *dovecot_dir;
	/* --qmail-ext yes|no: 1, -1; 0 not given (scan.h) */
	int		 qmail_ext;
	const char	*hostname, *ip;
	/* --postfix, --dovecot (targets.h: 310, 24); 0: the machine's */
	int		 postfix_ver, dovecot_ver;
	int		 force, quiet;
	/* connection limits: --logs FILE... (none given: the old host's
	 * own logs under ROOT/var/log, unless no_logs), --size-from-logs,
	 * --keep-looser-limits */
	const char *const *logs;
	size_t		 nlogs;
	int		 no_logs, size_from_logs, keep_looser;
	/* SRS for forwarded mail: --no-srs, --srs-domain (default
	 * srs.PRIMARY), --srs-port, --bindir (default: configure's),
	 * --srs-secret (the installed path; default SYSCONFDIR/
	 * qmail2postfix/srs-secret) */
	int		 no_srs, srs_port;
	const char	*srs_domain, *bindir, *srs_secret;
	/* --helo NAME: smtp_helo_name (default: myhostname, the new
	 * host's name; control/helohost is dropped when --hostname is
	 * given) */
	const char	*helo;
	/* DKIM: --no-dkim, --dkim-selector NAME [q2p], --dkim-key
	 * SELECTOR:FILE (an existing PEM key; default: a new one) */
	int		 no_dkim;
	const char	*dkim_selector, *dkim_key;
	/* --userdb sql: users and routes for MariaDB (OUT/sql), read
	 * through --sql-dsn (NULL: write_sql.c's defaults) */
	int		 userdb_sql;
	const char	*sql_dsn;
	/* vpopmail's MySQL backend: --mysql, --mysql-user,
	 * --mysql-password-file (readers.h) */
	struct vmysql_opts mysql;
	/* --now: "unused for a year" counts from it; 0: the run's start */
	long		 now;
};

/* QPM_EXIT_OK, QPM_EXIT_PARTIAL or QPM_EXIT_NOTHING */
int	migrate_run(const struct run_opts *o);

/* rm -r of a directory tree this program made (no symlinks followed) */
int	migrate_remove_tree(const char *dir);

#endif
