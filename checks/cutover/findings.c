/*
 * NAME		findings - the list of what the cutover report found
 * DOES		keeps findings with their severity, evidence and fix; counts,
 *		sorts, writes JSON, maps to the go/no-go exit code
 * NEVER	changes a severity
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/cutover/findings.h"
#include "mail/exits.h"
#include "mail/json.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

void
findings_init(struct findings *f)
{
	memset(f, 0, sizeof(*f));
}

static void
finding_clear(struct finding *x)
{
	free(x->section);
	free(x->subject);
	free(x->check);
	free(x->title);
	free(x->evidence);
	free(x->fix);
}

void
findings_free(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		finding_clear(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/*
 * A copy that is safe on a terminal and in JSON: bytes outside printable
 * ASCII become \xNN (DNS text and file names are input, and a TXT record
 * may hold escape sequences or bytes that are not UTF-8). Newlines are
 * kept where lines are allowed.
 */
static int
dup(char **dst, const char *s, int lines)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t n = 0;
	char *d;

	*dst = NULL;
	if (s == NULL)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		n += (*p >= 0x20 && *p < 0x7f) || (lines && *p == '\n') ?
		    1 : 4;
	if ((*dst = d = malloc(n + 1)) == NULL)
		return QPM_ENOMEM;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 0x20 && *p < 0x7f) || (lines && *p == '\n')) {
			*d++ = (char)*p;
			continue;
		}
		*d++ = '\\';
		*d++ = 'x';
		*d++ = hex[*p >> 4];
		*d++ = hex[*p & 15];
	}
	*d = '\0';
	return 0;
}

int
findings_add(struct findings *f, enum finding_sev sev, const char *section,
    const char *subject, const char *check, const char *title,
    const char *evidence, const char *fix, int temporary)
{
	struct finding *x, *nv;
	size_t ncap;

	if (f->n == f->cap) {
		ncap = f->cap ? f->cap * 2 : 16;
		if (ncap > SIZE_MAX / sizeof(*nv))
			return QPM_ENOMEM;
		if ((nv = realloc(f->v, ncap * sizeof(*nv))) == NULL)
			return QPM_ENOMEM;
		f->v = nv;
		f->cap = ncap;
	}
	x = &f->v[f->n];
	memset(x, 0, sizeof(*x));
	x->sev = sev;
	x->temporary = temporary != 0;
	x->old = FIND_OLD_NA;
	x->introduced = sev != FIND_INFO;
	if (dup(&x->section, section, 0) < 0 ||
	    dup(&x->subject, subject, 0) < 0 ||
	    dup(&x->check, check, 0) < 0 || dup(&x->title, title, 0) < 0 ||
	    dup(&x->evidence, evidence, 1) < 0 || dup(&x->fix, fix, 1) < 0) {
		finding_clear(x);
		return QPM_ENOMEM;
	}
	/* an empty evidence or fix is the same as none */
	if (x->evidence != NULL && x->evidence[0] == '\0') {
		free(x->evidence);
		x->evidence = NULL;
	}
	if (x->fix != NULL && x->fix[0] == '\0') {
		free(x->fix);
		x->fix = NULL;
	}
	f->n++;
	return 0;
}

#define AS_ON_OLD	" (as on the old host)"

int
findings_vs_old(struct findings *f, size_t i, enum finding_old old,
    int required, const char *old_ev)
{
	struct finding *x = &f->v[i];
	struct qstr t = QSTR_INIT(QPM_MAX_STRING);
	struct qstr e = QSTR_INIT(QPM_MAX_STRING);
	char *title = NULL, *ev = NULL, *safe = NULL;
	int pre = old == FIND_OLD_SAME && !required && x->sev != FIND_INFO;
	int err = 0;

	if (old_ev != NULL) {
		if ((safe = findings_safe(old_ev, 0)) == NULL ||
		    qstr_cat(&e, x->evidence != NULL ? x->evidence : "") < 0 ||
		    qstr_catf(&e, "%sold host: %s", e.len > 0 ? "\n" : "",
		    safe) < 0 || (ev = strdup(qstr_str(&e))) == NULL)
			err = QPM_ENOMEM;
	}
	if (pre && err == 0 && (qstr_catf(&t, "%s (as on the old host)",
	    x->title) < 0 || (title = strdup(qstr_str(&t))) == NULL))
		err = QPM_ENOMEM;
	free(safe);
	qstr_free(&t);
	qstr_free(&e);
	if (err != 0) {
		free(ev);
		free(title);
		return err;
	}
	if (ev != NULL) {
		free(x->evidence);
		x->evidence = ev;
	}
	if (title != NULL) {
		free(x->title);
		x->title = title;
	}
	if (pre && x->sev == FIND_BLOCKER)
		x->sev = FIND_WARNING;
	x->old = old;
	x->introduced = x->sev != FIND_INFO && !pre;
	return 0;
}

const char *
finding_old_str(enum finding_old o)
{
	switch (o) {
	case FIND_OLD_NA:
		return "n/a";
	case FIND_OLD_UNKNOWN:
		return "unknown";
	case FIND_OLD_DIFFERS:
		return "differs";
	case FIND_OLD_SAME:
		return "same";
	}
	return "unknown";
}

void
findings_count(const struct findings *f, size_t *blockers, size_t *warnings,
    size_t *infos)
{
	size_t i, b = 0, w = 0, n = 0;

	for (i = 0; i < f->n; i++) {
		switch (f->v[i].sev) {
		case FIND_BLOCKER:
			b++;
			break;
		case FIND_WARNING:
			w++;
			break;
		case FIND_INFO:
			n++;
			break;
		}
	}
	if (blockers != NULL)
		*blockers = b;
	if (warnings != NULL)
		*warnings = w;
	if (infos != NULL)
		*infos = n;
}

int
findings_worst(const struct findings *f, const char *section,
    const char *subject)
{
	size_t i;
	int worst = 0;

	for (i = 0; i < f->n; i++) {
		if (section != NULL && strcmp(f->v[i].section, section) != 0)
			continue;
		if (subject != NULL && (f->v[i].subject == NULL ||
		    strcmp(f->v[i].subject, subject) != 0))
			continue;
		if ((int)f->v[i].sev > worst)
			worst = (int)f->v[i].sev;
	}
	return worst;
}

int
findings_exit(const struct findings *f)
{
	size_t b, w;

	findings_count(f, &b, &w, NULL);
	if (b > 0)
		return QPM_EXIT_NOGO;
	if (w > 0)
		return QPM_EXIT_WARN;
	return QPM_EXIT_GO;
}

const char *
findings_verdict(const struct findings *f)
{
	switch (findings_exit(f)) {
	case QPM_EXIT_NOGO:
		return "no-go";
	case QPM_EXIT_WARN:
		return "go with warnings";
	default:
		return "go";
	}
}

char *
findings_safe(const char *s, int lines)
{
	char *d;

	return dup(&d, s != NULL ? s : "", lines) < 0 ? NULL : d;
}

const char *
finding_sev_str(enum finding_sev s)
{
	switch (s) {
	case FIND_BLOCKER:
		return "blocker";
	case FIND_WARNING:
		return "warning";
	case FIND_INFO:
		return "info";
	}
	return "unknown";
}

void
findings_sort(struct findings *f)
{
	struct finding *tmp;
	size_t i, k = 0;
	int sev;

	/* a stable three-way bucket pass: qsort is not stable */
	if (f->n < 2)
		return;
	if ((tmp = malloc(f->n * sizeof(*tmp))) == NULL)
		return;		/* order only; the content is unchanged */
	for (sev = FIND_BLOCKER; sev >= FIND_INFO; sev--)
		for (i = 0; i < f->n; i++)
			if ((int)f->v[i].sev == sev)
				tmp[k++] = f->v[i];
	memcpy(f->v, tmp, f->n * sizeof(*tmp));
	free(tmp);
}

static json_t *
lines_json(const char *s)
{
	json_t *a = json_array();
	const char *p, *nl;

	if (a == NULL || s == NULL)
		return a;
	for (p = s; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (qpm_json_append(a, json_stringn(p, (size_t)(nl - p))) < 0) {
			json_decref(a);
			return NULL;
		}
		if (*nl == '\0')
			break;
	}
	return a;
}

json_t *
findings_json(const struct findings *f)
{
	json_t *a = json_array(), *o;
	size_t i;
	int err = 0;

	if (a == NULL)
		return NULL;
	for (i = 0; i < f->n && !err; i++) {
		const struct finding *x = &f->v[i];

		if ((o = json_object()) == NULL) {
			err = 1;
			break;
		}
		err |= qpm_json_set_str(o, "severity", finding_sev_str(x->sev));
		err |= qpm_json_set_str(o, "section", x->section);
		err |= qpm_json_set_str(o, "subject", x->subject);
		err |= qpm_json_set_str(o, "check", x->check);
		err |= qpm_json_set_str(o, "title", x->title);
		err |= qpm_json_set(o, "evidence", lines_json(x->evidence));
		err |= qpm_json_set(o, "fix", lines_json(x->fix));
		err |= qpm_json_set_bool(o, "temporary", x->temporary);
		err |= qpm_json_set_str(o, "old_host", finding_old_str(x->old));
		err |= qpm_json_set_bool(o, "introduced", x->introduced);
		err |= qpm_json_append(a, o);
	}
	if (err) {
		json_decref(a);
		return NULL;
	}
	return a;
}
