/*
 * NAME		qlocal - what qmail-local gives a .qmail file's programs
 * DOES		the environment (SENDER ... UFLINE), the Delivered-To and
 *		Return-Path lines, the meaning of a program's exit code,
 *		and the line arguments of q2p-dotqmail
 * NEVER	runs anything, reads a file or looks at the clock (the
 *		delivery time is passed in)
 */
#ifndef QPM_QLOCAL_H
#define QPM_QLOCAL_H

#include <stddef.h>
#include <time.h>

#include "util/qstr.h"
#include "util/strlist.h"

/* What the old host decided before qmail-local ran: the address as
 * qmail-send handed it over, and users/assign's line for it. */
struct qlocal_in {
	const char	*sender;	/* envelope sender, "" for <> */
	const char	*recipient;	/* local@host as received */
	const char	*vprefix;	/* control/virtualdomains prefix of
					 * host, NULL: none (a local domain) */
	const char	*user, *home, *dash;	/* users/assign fields */
	const char	*aprefix;	/* the assign key: stripped from the
					 * front of LOCAL to give the rest of
					 * EXT (NULL for an exact line; "" for
					 * ~alias, whose EXT is all of LOCAL) */
	const char	*aext;		/* users/assign's ext field */
	const char	*qme;		/* the .qmail file qmail-local read,
					 * after ".qmail" and dash: "default",
					 * "support-default", "orders" */
	/* whether HOME holds the file NAME (".qmail-sales-owner"): 1
	 * yes, 0 no, or a negative qpm_err; NULL: no such file */
	int		(*exists)(const char *name, void *arg);
	void		*exists_arg;
};

/* The environment qmail-local sets, as "NAME=value" strings in its
 * order (HOST HOME USER LOCAL RECIPIENT DTLINE SENDER RPLINE UFLINE
 * EXT EXT2-4 HOST2-4 [DEFAULT] NEWSENDER), and the header lines it
 * puts in front of a Maildir delivery (rp, dt) or a forward (dt).
 * DEFAULT is there only when qme ends in "default" (qmesearch).
 * NEWSENDER is the sender unless HOME has .qmail DASH EXT "-owner"
 * (EXT lower-cased, dots as ':'; not for <> or #@[]): then
 * LOCAL-owner@HOST, or the VERP LOCAL-owner-@HOST-@[] when
 * "-owner-default" is there too (qmail-local).
 * 0, QPM_ENOMEM/QPM_ERANGE, QPM_ESYNTAX for a recipient without '@' or
 * a field missing, or what exists returned. */
struct qlocal_env {
	struct strlist	 env;
	struct qstr	 local, recipient, dtline, rpline, newsender;
};

int	qlocal_env(const struct qlocal_in *in, time_t now,
	    struct qlocal_env *out);
void	qlocal_env_free(struct qlocal_env *e);
/* The value of NAME in e->env, or NULL. */
const char *qlocal_getenv(const struct qlocal_env *e, const char *name);

/* A program's exit code as qmail-local reads it (qmail-command(8)). */
enum qlocal_exit {
	QLOCAL_DONE = 1,	/* 0 */
	QLOCAL_STOP,		/* 99: delivered, skip the remaining lines */
	QLOCAL_BOUNCE,		/* 100, 64, 65, 70, 76, 77, 78, 112 */
	QLOCAL_DEFER		/* anything else */
};
enum qlocal_exit qlocal_exit_class(int code);

/* One line argument of q2p-dotqmail: "NKtext" with N the line number
 * in the old .qmail file and K its kind. */
enum qlocal_kind {
	QL_PROGRAM = 1,		/* '|': run with /bin/sh -c text */
	QL_FORWARD,		/* '&': forward to the address text */
	QL_MAILBOX,		/* '>': deliver into the mailbox text
				 * (user@domain, then "/folder" or none) */
	QL_BOUNCE		/* '!': bounce with the text */
};
struct qlocal_line {
	unsigned long	 lineno;
	enum qlocal_kind kind;
	const char	*text;		/* points into the argument */
	size_t		 len;
};
/* 0, or QPM_ESYNTAX with *why. */
int	qlocal_line_parse(const char *arg, struct qlocal_line *l,
	    const char **why);

#endif
