/*
 * NAME		assign - users/assign and users/cdb (qmail-users(5))
 * DOES		reads exact (=) and wildcard (+) lines, or the records
 *		qmail-newu compiled; looks a local part up the way
 *		qmail-lspawn does: exact first, then the longest prefix
 * NEVER	accepts a line qmail-newu would have refused without listing it
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/oldhost/readers.h"
#include "util/lines.h"
#include "util/limits.h"

/* fields: user uid gid home dash ext, separated by sep */
static int
assign_fields(struct model *m, struct m_assign *a, const char *p, size_t n,
    char sep)
{
	const char *f[6];
	size_t fl[6], i, k = 0, start = 0;
	char *end;

	for (i = 0; i <= n && k < 6; i++) {
		if (i == n || p[i] == sep) {
			f[k] = p + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	if (k < 6)
		return -1;
	a->user = model_strndup(m, f[0], fl[0]);
	{
		char num[24];

		for (i = 1; i <= 2; i++) {
			if (fl[i] == 0 || fl[i] >= sizeof(num))
				return -1;
			memcpy(num, f[i], fl[i]);
			num[fl[i]] = '\0';
			if (i == 1)
				a->uid = strtol(num, &end, 10);
			else
				a->gid = strtol(num, &end, 10);
			if (*end != '\0')
				return -1;
		}
	}
	a->home = model_strndup(m, f[3], fl[3]);
	a->dash = model_strndup(m, f[4], fl[4]);
	a->ext = model_strndup(m, f[5], fl[5]);
	if (fl[3] == 0 || f[3][0] != '/')
		return -2;
	return 0;
}

void
assign_parse(struct model *m, const char *file, const char *buf, size_t len)
{
	struct lines lr;
	struct src src = { file, 0 };
	struct m_assign *a;
	const char *line, *colon;
	size_t n;
	int rc, done = 0, err;

	lines_mem(&lr, file, buf, len, QPM_MAX_CONFIG_LINE);
	while ((rc = lines_next(&lr, &line, &n)) != 0) {
		src.line = lr.lineno;
		model_read(m, CAT_ASSIGN);
		if (rc < 0) {
			model_list(m, CAT_ASSIGN, src, "users/assign line",
			    "line too long", "check the file");
			continue;
		}
		if (done) {
			model_list(m, CAT_ASSIGN, src, "users/assign line",
			    "after the final '.': qmail-newu ignores it",
			    "move it above the '.' line if it was meant");
			continue;
		}
		if (n > 0 && line[0] == '.') {
			done = 1;
			model_skipped(m, CAT_ASSIGN);
			continue;
		}
		if (lr.had_nul || lr.no_newline || n < 2 ||
		    (line[0] != '=' && line[0] != '+') ||
		    (colon = memchr(line, ':', n)) == NULL || colon == line + 1) {
			model_list(m, CAT_ASSIGN, src, "users/assign line",
			    lr.had_nul ? "binary junk (NUL byte)" :
			    "not =local:... or +prefix:... (qmail-newu "
			    "refuses the whole file)",
			    "fix the line, run qmail-newu on the old host, "
			    "migrate again");
			continue;
		}
		if ((a = model_assign_add(m)) == NULL)
			break;
		a->wild = line[0] == '+';
		a->local = model_lower(m, line + 1, (size_t)(colon - line - 1));
		a->src = src;
		err = assign_fields(m, a, colon + 1,
		    n - (size_t)(colon - line) - 1, ':');
		if (err < 0) {
			a->local = NULL;	/* never matches */
			model_list(m, CAT_ASSIGN, src, "users/assign line",
			    err == -2 ? "no home directory" :
			    "fewer than 7 fields or a bad uid/gid",
			    "fix the line by hand");
			continue;
		}
		model_converted(m, CAT_ASSIGN);
	}
	if (!done && lr.lineno > 0)
		model_note(m, src, "users/assign",
		    "no final '.' line: qmail-newu refuses such a file, so "
		    "users/cdb may be older than this text",
		    "compare with users/cdb");
	lines_close(&lr);
}

int
assign_record(struct model *m, struct src src, const char *key, size_t klen,
    const char *data, size_t dlen)
{
	struct m_assign *a;
	int err;

	if (klen == 0)
		return 0;	/* the wildcard-characters record */
	model_read(m, CAT_ASSIGN);
	if (key[0] != '!' || klen < 2) {
		model_list(m, CAT_ASSIGN, src, "users/cdb record",
		    "key does not start with '!'", "rebuild users/cdb");
		return -1;
	}
	if ((a = model_assign_add(m)) == NULL)
		return -1;
	/* exact keys end in NUL, wildcard keys do not */
	a->wild = key[klen - 1] != '\0';
	a->local = model_lower(m, key + 1, a->wild ? klen - 1 : klen - 2);
	a->src = src;
	if ((err = assign_fields(m, a, data, dlen, '\0')) < 0) {
		a->local = NULL;
		model_list(m, CAT_ASSIGN, src, "users/cdb record",
		    "unreadable data", "rebuild users/cdb from users/assign");
		return -1;
	}
	model_converted(m, CAT_ASSIGN);
	return 0;
}

const struct m_assign *
assign_lookup(const struct model *m, const char *local)
{
	return model_assign_lookup(m, local);
}
