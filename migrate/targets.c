/*
 * NAME		targets - which Postfix and Dovecot to write for
 * DOES		parses --postfix and --dovecot; asks the machine running the
 *		command (postconf -d -h mail_version, dovecot --version:
 *		execv of the found path, no shell, 5 s each); else Postfix
 *		3.5 and Dovecot 2.3, whose output the later releases read
 * NEVER	fails a run because a program is missing, hangs or says
 *		something else than a version
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "migrate/targets.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/feed.h"
#include "util/msg.h"
#include "util/qstr.h"

#define TARGET_TIMEOUT	5	/* seconds for one version query */

/* "MAJOR.MINOR" at s: both numbers (1 to 3 digits); *end after them */
static int
major_minor(const char *s, int *major, int *minor, const char **end)
{
	int v[2], i, k;

	for (i = 0; i < 2; i++) {
		if (i == 1 && *s++ != '.')
			return QPM_ESYNTAX;
		for (k = 0, v[i] = 0; k < 3 && s[k] >= '0' && s[k] <= '9'; k++)
			v[i] = v[i] * 10 + (s[k] - '0');
		if (k == 0 || (s[k] >= '0' && s[k] <= '9'))
			return QPM_ESYNTAX;
		s += k;
	}
	*major = v[0];
	*minor = v[1];
	*end = s;
	return 0;
}

int
target_postfix_parse(const char *s)
{
	const char *end;
	int major, minor;

	if (major_minor(s, &major, &minor, &end) < 0 || *end != '\0' ||
	    major != 3 || major * 100 + minor < Q2P_POSTFIX_DEFAULT ||
	    major * 100 + minor > Q2P_POSTFIX_NEWEST)
		return QPM_ESYNTAX;
	return major * 100 + minor;
}

int
target_dovecot_parse(const char *s)
{
	if (strcmp(s, "2.3") == 0)
		return 23;
	if (strcmp(s, "2.4") == 0)
		return 24;
	return QPM_ESYNTAX;
}

/* name in $PATH, then /usr/sbin and /sbin (where both programs live,
 * often outside a user's PATH); 0, or -1 when there is none */
static int
find_program(const char *name, struct qstr *path)
{
	const char *env = getenv("PATH");
	struct qstr dirs = QSTR_INIT(PATH_MAX * 8);
	char *dir, *next;
	int rc = -1;

	if (qstr_catf(&dirs, "%s:/usr/sbin:/sbin",
	    env != NULL ? env : "/usr/bin:/bin") < 0)
		goto out;
	for (dir = dirs.buf; dir != NULL && rc < 0; dir = next) {
		if ((next = strchr(dir, ':')) != NULL)
			*next++ = '\0';
		if (*dir != '/')	/* "" or relative: not the cwd */
			continue;
		qstr_reset(path);
		if (qstr_catf(path, "%s/%s", dir, name) == 0 &&
		    access(path->buf, X_OK) == 0)
			rc = 0;
	}
out:
	qstr_free(&dirs);
	return rc;
}

/* Runs argv[0] (found as above) and reads MAJOR.MINOR from the start of
 * a line of what it says; 0, or -1 (*why says why) */
static int
ask_version(char **argv, int *major, int *minor, const char **why)
{
	struct qstr path = QSTR_INIT(PATH_MAX);
	struct feed c;
	const char *line, *end;
	int err, status, unread, rc = -1;

	feed_init(&c);
	*why = "not installed";
	if (find_program(argv[0], &path) < 0)
		goto out;
	*why = "cannot be run";
	if (feed_start(&c, path.buf, argv, TARGET_TIMEOUT, &err) < 0)
		goto out;
	*why = "gave no answer in time";
	if (feed_finish(&c, &status, &unread) < 0)
		goto out;
	*why = "said no version";
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		goto out;
	c.cap[c.caplen] = '\0';	/* caplen < FEED_CAPTURE */
	for (line = c.cap; line != NULL && rc < 0;
	    line = (line = strchr(line, '\n')) ? line + 1 : NULL)
		if (major_minor(line, major, minor, &end) == 0)
			rc = 0;
out:
	feed_close(&c);
	qstr_free(&path);
	return rc;
}

void
target_choose(int *postfix, int *postfix_from, int *dovecot,
    int *dovecot_from, int quiet)
{
	char *pf[] = { "postconf", "-d", "-h", "mail_version", NULL };
	char *dc[] = { "dovecot", "--version", NULL };
	const char *why;
	int major, minor, v;

	*postfix_from = *dovecot_from = WTARGET_OPTION;
	if (*postfix == 0) {
		*postfix_from = WTARGET_DEFAULT;
		*postfix = Q2P_POSTFIX_DEFAULT;
		if (ask_version(pf, &major, &minor, &why) < 0) {
			if (!quiet)
				msg_info("postconf %s: writing for Postfix "
				    "3.5 (--postfix VERSION chooses)", why);
		} else if ((v = major * 100 + minor) < Q2P_POSTFIX_DEFAULT) {
			if (!quiet)
				msg_warnx("Postfix %d.%d here is older than "
				    "3.5: writing for 3.5", major, minor);
		} else {
			*postfix_from = WTARGET_DETECTED;
			*postfix = v > Q2P_POSTFIX_NEWEST ?
			    Q2P_POSTFIX_NEWEST : v;
		}
	}
	if (*dovecot == 0) {
		*dovecot_from = WTARGET_DEFAULT;
		*dovecot = Q2P_DOVECOT_DEFAULT;
		if (ask_version(dc, &major, &minor, &why) < 0) {
			if (!quiet)
				msg_info("dovecot --version %s: writing for "
				    "Dovecot 2.3 (--dovecot 2.3|2.4 chooses)",
				    why);
		} else if (major * 10 + minor < 23) {
			if (!quiet)
				msg_warnx("Dovecot %d.%d here is older than "
				    "2.3: writing for 2.3", major, minor);
		} else {
			*dovecot_from = WTARGET_DETECTED;
			*dovecot = major * 10 + minor >= 24 ? 24 : 23;
		}
	}
}
