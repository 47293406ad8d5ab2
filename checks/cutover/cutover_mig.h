/*
 * NAME		cutover_mig - read OUT/migration.json for the cutover report
 * DOES		parses the migration model that qmail2postfix writes (the
 *		contract is migration.json(5)) into the few things the checks
 *		need: hosted domains, mailboxes, aliases and forwards, bounce
 *		routing, main.cf settings, DKIM selectors, SRS wiring and the
 *		connection limits (the plain list or the limits module's object
 *		with its per-hour peaks)
 * NEVER	links migrate/ code (DESIGN.md), trusts a length or a count
 *		from the file, accepts a schema version it does not know
 */
#ifndef QPM_CUTOVER_MIG_H
#define QPM_CUTOVER_MIG_H

#include <stddef.h>

#define CUT_MIG_MAX_FILE	(256 * 1024 * 1024)	/* 100,000 mailboxes
					 * make 126 MB (migrate/README.md) */
#define CUT_MIG_MAX_ITEMS	1000000	/* entries in one array */
#define CUT_MIG_SCHEMA		"qmail2postfix-migration"
#define CUT_MIG_VERSION		1

struct cut_domain {
	char	*name;
	char	*kind;		/* "mailbox", "alias", "relay", "local" */
	char	*alias_of;
	char	*unknown_users;	/* "bounce", "delete", "forward", "mailbox",
				 * "rules" or NULL */
	char	*catchall_target;
	char	*source;
};

struct cut_forward {
	char	*address;	/* "local@domain", "prefix*@domain", "@domain" */
	char	*match;		/* "exact", "prefix", "catchall" */
	char	**targets;
	size_t	 ntargets;
	char	**remote;	/* remote_targets */
	size_t	 nremote;
	int	 keep_copy;
	int	 srs;		/* leaves with an SRS sender */
	char	*source;
};

struct cut_postmaster {
	char	*domain;
	char	*routes_to;	/* NULL: nowhere, it bounces */
	char	*source;
};

struct cut_setting {
	char	*param, *value, *source;
};

struct cut_dkimsel {
	char	*domain;
	char	*selector;
	char	*public_key;	/* p= value (base64), or NULL */
	char	*key_file;	/* private key (PEM), relative to OUT */
	int	 signing;	/* the new host signs with it */
	char	*source;
};

struct cut_limit {
	char		*service;	/* "smtp/inet", "imap", ... */
	char		*setting;	/* "process_limit", "master.cf maxproc" */
	char		*old_text;	/* "concurrencyincoming 100" or NULL */
	long long	 old;		/* -1 when unknown */
	long long	 value;		/* the new host's value */
	long long	 recommended;	/* from the logs; -1 when none */
	long long	 observed;	/* log peak; -1 when none */
	long long	 errors;	/* limit errors in the logs */
	long long	 per_seconds;	/* rates: the window; 0 otherwise */
	char		*why;
	char		*source;
};

/* The old logs' peak concurrency per hour of one service. */
struct cut_series {
	char		*service;
	long long	 first;		/* unix time of the first hour */
	long long	 step;		/* seconds, 3600 */
	long long	*peak;
	size_t		 n;
	long long	 limit;		/* the new host's concurrency limit for
					 * this service; -1 when unknown */
	long long	 old_limit;	/* -1 when unknown */
};

struct cut_mig {
	char	*path;		/* as given */
	char	*dir;		/* OUT: the directory holding it */
	char	*generator;
	char	*old_hostname, *old_ip;
	char	*new_hostname, *new_ip;

	struct cut_domain	*domains;
	size_t			 ndomains;
	char			**mailboxes;	/* addresses that receive mail,
						 * sorted, lower case */
	size_t			 nmailboxes;
	struct cut_forward	*forwards;	/* forwards with remote targets */
	size_t			 nforwards;
	struct cut_forward	*aliases;	/* local-only targets */
	size_t			 naliases;

	char			*doublebounceto;
	char			*doublebounce_source;
	struct cut_postmaster	*postmasters;
	size_t			 npostmasters;

	struct cut_setting	*settings;
	size_t			 nsettings;

	struct cut_dkimsel	*dkim;
	size_t			 ndkim;

	int			 srs_wired;
	char			*srs_domain;
	char			*srs_secret_file;	/* relative to OUT */

	int			 limits_detailed;	/* the limits module's
							 * object form */
	struct cut_limit	*limits;
	size_t			 nlimits;
	struct cut_series	*series;
	size_t			 nseries;
	long long		 logs_first, logs_last;	/* 0: no logs */
};

/*
 * Parses len bytes of migration.json. path names it in messages and sets
 * dir (may be NULL: dir "."). Returns 0, QPM_ESYNTAX with
 * "KEY[INDEX].KEY: problem" in why, QPM_ENOMEM, QPM_ERANGE (an array
 * over CUT_MIG_MAX_ITEMS).
 */
int	cut_mig_parse(const char *buf, size_t len, const char *path,
	    struct cut_mig *m, char *why, size_t whylen);
/* Reads and parses path (at most CUT_MIG_MAX_FILE bytes). */
int	cut_mig_load(const char *path, struct cut_mig *m, char *why,
	    size_t whylen);
void	cut_mig_free(struct cut_mig *m);

/* 1 when addr (lower case) is a mailbox that receives mail. */
int	cut_mig_is_mailbox(const struct cut_mig *m, const char *addr);
const struct cut_domain *cut_mig_domain(const struct cut_mig *m,
	    const char *name);
const char *cut_mig_setting(const struct cut_mig *m, const char *param);

#endif
