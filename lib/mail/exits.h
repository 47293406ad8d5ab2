/*
 * NAME		exits - the exit-code contract of every program
 * DOES		admin tools: 0 done, 1 done with items not converted,
 *		2 nothing written; MTA-run programs: sysexits(3), and
 *		EX_TEMPFAIL on every unexpected internal error
 * NEVER	uses 111 or 100 for "retry"/"bounce" under Postfix:
 *		local(8) and pipe(8) defer only on 75 and 71
 */
#ifndef QPM_EXITS_H
#define QPM_EXITS_H

#include <sysexits.h>

/* Admin tools (qmail2postfix, cutover-report's input errors). */
#define QPM_EXIT_OK		0
#define QPM_EXIT_PARTIAL	1	/* written, with items listed as not converted */
#define QPM_EXIT_NOTHING	2	/* nothing written */

/* cutover-report */
#define QPM_EXIT_GO		0
#define QPM_EXIT_WARN		1
#define QPM_EXIT_NOGO		2

/* MTA-run programs (srs-forward): 75, not 111: Postfix bounces on 111. */
#define QPM_EXIT_TEMPFAIL	EX_TEMPFAIL	/* 75 */
#define QPM_EXIT_DATAERR	EX_DATAERR	/* 65: bad input, decided */
#define QPM_EXIT_NOUSER		EX_NOUSER	/* 67 */
#define QPM_EXIT_OSERR		EX_OSERR	/* 71: Postfix defers too */

/* qmail-local's view, for programs run from .qmail files. */
#define QMAIL_EXIT_SOFT		111
#define QMAIL_EXIT_HARD		100
#define QMAIL_EXIT_STOP		99

#endif
