/*
 * NAME		targets - which Postfix and Dovecot to write for
 * DOES		parses --postfix and --dovecot; finds the versions installed
 *		on this machine (postconf -d -h mail_version, dovecot
 *		--version: no shell, a time limit); else the safest default
 * NEVER	fails a run because a program is missing or says nothing
 */
#ifndef Q2P_TARGETS_H
#define Q2P_TARGETS_H

/* --postfix 3.5 .. 3.10: 305 .. 310; --dovecot 2.3 or 2.4: 23 or 24.
 * QPM_ESYNTAX for anything else. */
int	target_postfix_parse(const char *s);
int	target_dovecot_parse(const char *s);

/* For each of *postfix and *dovecot that is 0 (no option): the version
 * found on this machine, else the default; *..._from says which
 * (enum wtarget_from).  Warnings on stderr unless quiet. */
void	target_choose(int *postfix, int *postfix_from, int *dovecot,
	    int *dovecot_from, int quiet);

#endif
