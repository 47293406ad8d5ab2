/*
 * NAME		writers - the model out as Postfix, Dovecot, JSON and a report
 * DOES		each writer fills files under one output directory through
 *		file_write_atomic(); every generated line names its source
 * NEVER	prints a password hash or a cleartext password; runs postmap
 */
#ifndef Q2P_WRITERS_H
#define Q2P_WRITERS_H

#include <sys/types.h>

#include <jansson.h>

#include "migrate/limits.h"
#include "migrate/model.h"
#include "util/qstr.h"

/* SRS for forwarded mail (srs/README.md, "Postfix wiring"): the
 * installed paths and the socketmap port that the files name. */
struct srs_wire {
	const char	*domain;	/* the SRS domain */
	const char	*bindir;	/* srs-forward and srs-map, installed */
	const char	*secret;	/* the secret file, installed */
	int		 port;		/* srs-map's socketmap on 127.0.0.1 */
};

/* The master.cf service and system user of the SRS forwarder. */
#define Q2P_SRS_SERVICE	"srsfwd"
/* srs-map's socketmap port on 127.0.0.1 (srs/README.md) */
#define Q2P_SRS_PORT	10003

struct wopts {
	const char	*outdir;	/* where the files go (the temp dir) */
	const char	*root;		/* --root, for the header comments */
	const char	*dovecot_dir;	/* installed Dovecot dir: /etc/dovecot */
	/* connection limits (migrate/limits.h), recommended; NULL: none.
	 * The writers place the module's text: main.cf and master.cf
	 * lines, client_access.cidr, Dovecot blocks merged with their own,
	 * the nftables and sysctl files, the report section and the
	 * "limits" object of migration.json (limits_json, owned by run) */
	const struct limits *limits;
	json_t		*limits_json;
	/* SRS wiring; NULL: none (--no-srs, or no domain to name it) */
	const struct srs_wire *srs;
	int		 srs_off;	/* srs NULL because of --no-srs */
};

/* Write dir/rel (mkdir -p its directory).  0 or a negative qpm_err. */
int	writer_file(const struct wopts *o, const char *rel,
	    const struct qstr *s, mode_t mode);
/* "# from FILE:LINE" (or "# from FILE") */
int	writer_src(struct qstr *s, const char *prefix, struct src src);

/* Pseudo-domain of the addresses that pipes, discards and bounces are
 * routed through (transport_maps key on the full address). */
#define Q2P_PSEUDO_DOMAIN	"qmail2postfix.invalid"

int	write_postfix(const struct model *m, const struct wopts *o);
int	write_dovecot23(const struct model *m, const struct wopts *o);
int	write_json(const struct model *m, const struct wopts *o);
/* OUT/srs: the secret (0600, fresh random bytes, never printed),
 * srs-map.service and README; with o->srs NULL only the README. */
int	write_srs(const struct model *m, const struct wopts *o);
/* What forwards get, and with SRS what to install (report, README). */
int	write_srs_text(const struct model *m, const struct wopts *o,
	    struct qstr *s);
int	write_report(const struct model *m, const struct wopts *o,
	    struct qstr *out);
/* OUT/nftables/qmail2postfix.nft and OUT/sysctl/qmail2postfix.conf */
int	write_limits_files(const struct model *m, const struct wopts *o);
/* Account for every limit item in CAT_LIMITS: converted, or listed
 * with file:line and the reason it has no equivalent (from lj, the
 * module's JSON); unreadable limit lines are listed, notes noted. */
int	write_limits_account(struct model *m, const struct limits *l,
	    json_t *lj);

/* "des-crypt", "md5-crypt", "sha512-crypt", ... for a vpasswd hash */
const char *write_hash_scheme(const char *hash);

/* Address classes of one rule group, shared by JSON and report. */
int	writer_is_remote(const struct model *m, const char *addr);

#endif
