/*
 * NAME		sync - "qmail2postfix sync OUT --root OLD": the mail itself
 * DOES		copies every mailbox OUT knows from the old tree to where
 *		OUT's Dovecot reads it, incrementally, with courier-imap's
 *		state turned into Dovecot's
 * NEVER	writes to the old tree, deletes or overwrites a message on
 *		the new side
 */
#ifndef Q2P_SYNC_H
#define Q2P_SYNC_H

/* argv[0] is "sync"; returns the exit code (0, 1 or 2) */
int	sync_main(int argc, char **argv);

#endif
