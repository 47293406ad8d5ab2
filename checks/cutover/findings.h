/*
 * NAME		findings - what the cutover report found: severity, evidence,
 *		fix
 * DOES		collects findings (blocker, warning, info), each with the
 *		section and subject it is about, a stable check name, a one-line
 *		title, the evidence it rests on (DNS answers, probe output) and
 *		the exact fix (the record to publish, the postconf or doveconf
 *		line); turns them into JSON and into the go/no-go exit code
 * NEVER	decides a severity itself: the checks do
 */
#ifndef QPM_FINDINGS_H
#define QPM_FINDINGS_H

#include <stddef.h>

#include <jansson.h>

/* What the old host had: the rule of cutover-report(1) OLD HOST. */
enum finding_old {
	FIND_OLD_NA = 1,	/* no old-host counterpart (the new config) */
	FIND_OLD_UNKNOWN,	/* the old host's state could not be told */
	FIND_OLD_DIFFERS,	/* the old host did not have this problem */
	FIND_OLD_SAME		/* the old host had the same problem */
};

/* Ordered: a larger value is worse. No member is 0. */
enum finding_sev {
	FIND_INFO = 1,
	FIND_WARNING,
	FIND_BLOCKER
};

struct finding {
	enum finding_sev sev;
	char	*section;	/* "host", "domain", "forward", "srs",
				 * "bounce", "limits", "probe", "rehearsal" */
	char	*subject;	/* the domain, address, IP or service */
	char	*check;		/* stable name: "spf.new-ip", "ptr.missing" */
	char	*title;		/* one line */
	char	*evidence;	/* lines; may be NULL */
	char	*fix;		/* lines; NULL when there is nothing to do */
	int	 temporary;	/* rests on a temporary DNS error */
	enum finding_old old;	/* FIND_OLD_NA unless findings_vs_old */
	int	 introduced;	/* a problem the switch breaks or requires */
};

struct findings {
	struct finding	*v;
	size_t		 n, cap;
};

void	findings_init(struct findings *f);
void	findings_free(struct findings *f);
/* Copies every string. Returns 0 or QPM_ENOMEM. */
int	findings_add(struct findings *f, enum finding_sev sev,
	    const char *section, const char *subject, const char *check,
	    const char *title, const char *evidence, const char *fix,
	    int temporary);
/*
 * Classifies finding i against the old host. A problem the old host had
 * too (FIND_OLD_SAME) that the switch does not itself require becomes at
 * most a warning, "(as on the old host)" is added to its title and it is
 * not introduced; otherwise a warning or blocker is introduced. old_ev,
 * when given, is added to the evidence as "old host: OLD_EV". Returns 0 or
 * QPM_ENOMEM (the finding is then unchanged).
 */
int	findings_vs_old(struct findings *f, size_t i, enum finding_old old,
	    int required, const char *old_ev);
const char *finding_old_str(enum finding_old o);	/* "same", ... */
/* Counts per severity; any pointer may be NULL. */
void	findings_count(const struct findings *f, size_t *blockers,
	    size_t *warnings, size_t *infos);
/* The worst severity about (section, subject); 0 when there is none. */
int	findings_worst(const struct findings *f, const char *section,
	    const char *subject);
/* QPM_EXIT_GO (0), QPM_EXIT_WARN (1) or QPM_EXIT_NOGO (2). */
int	findings_exit(const struct findings *f);
/* "go", "go with warnings", "no-go" */
const char *findings_verdict(const struct findings *f);
/* A malloc'ed copy with bytes outside printable ASCII as \xNN (newlines
 * kept when lines is set): safe on a terminal, in JSON and in HTML text
 * once escaped. NULL when out of memory. */
char	*findings_safe(const char *s, int lines);
const char *finding_sev_str(enum finding_sev s);	/* "blocker", ... */
/* Blockers first, then warnings, then infos; stable within a severity. */
void	findings_sort(struct findings *f);
/* [{severity, section, subject, check, title, evidence, fix, temporary,
 * old_host, introduced}]
 * (evidence and fix as arrays of lines). NULL when out of memory. */
json_t	*findings_json(const struct findings *f);

#endif
