/*
 * NAME		postfix_int - what the files of the Postfix writer share
 * DOES		the writer's state (struct pf) and its checked appends:
 *		an append failure or an esc_pf_* refusal is kept in p->err
 * NEVER	used outside write_postfix.c and postfix_main.c
 */
#ifndef Q2P_POSTFIX_INT_H
#define Q2P_POSTFIX_INT_H

#include "migrate/model/model.h"
#include "migrate/write/writers.h"
#include "util/qstr.h"

#define BIG	((size_t)1 << 32)

/* Each .qmail file's rules for one key (a group with a program line)
 * get one q2p-dotqmail service, which runs all of its lines. */
struct pipe_svc {
	const struct m_rule	*rule;
	size_t			 n;
};

struct pf {
	const struct model	*m;
	const struct wopts	*o;
	struct qstr		 lmain;	/* limits_postfix_main() lines */
	struct qstr		 cidr;	/* limits_postfix_client_access() */
	size_t			 ncidr;	/* its REJECT lines */
	size_t			 nshadow;
	struct qstr		 vshadow;
	struct qstr		 main, master, valias, vregexp, vmbox, vdoms,
				 adoms, transport, sender, rcpt,
				 srs_transport, srs_reverse;
	struct pipe_svc		*pipes;
	size_t			 npipes, nbounces;
	/* Maildir folders (.qmail lines ./Maildir/.Lists/): one rule of
	 * each, delivered by virtual(8) as the uid and gid of the first */
	const struct m_rule	**folders;
	size_t			 nfolders;
	long			 folder_uid, folder_gid;
	int			 err;
	/* the first string an esc_pf_* function refused: the readers
	 * list what Postfix cannot take, so this is an internal error */
	const char		*why;
	struct src		 why_src;
};


static const struct src no_src = { NULL, 0 };

void	pf_cat(struct pf *p, struct qstr *s, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The result of an esc_pf_* append: a refusal names its source. */
void	pf_esc(struct pf *p, int e, const char *const *why, struct src src);
/* "# from FILE:LINE", checked */
void	pf_src_line(struct pf *p, struct qstr *s, const char *prefix,
	    struct src src);
/* a '#' comment line of text */
void	pf_cat_comment(struct pf *p, struct qstr *s, const char *text);
/* a domain name in a table or a main.cf list */
void	pf_cat_domain(struct pf *p, struct qstr *s, const char *d,
	    struct src src);

/* "# Written for Postfix X and Dovecot Y (how each was chosen)." */
void	pf_targets(struct pf *p, struct qstr *s);
/* main.cf (postfix_main.c); p->lmain holds the limits' lines */
void	pf_write_main(struct pf *p, const struct wopts *o);

#endif
