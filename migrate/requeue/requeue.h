/*
 * NAME		requeue - move mail still queued on the old qmail host into Postfix
 * DOES		qmail2postfix requeue --root OLD_ROOT [options]
 * NEVER	sends a message twice, or removes one from the old queue
 */
#ifndef QPM_REQUEUE_H
#define QPM_REQUEUE_H

/* argv[0] is "requeue"; returns the exit status (0, 1 or 2). */
int	requeue_main(int argc, char **argv);

#endif
