/*
 * NAME		qqueue - qmail 1.03 queue envelope files
 * DOES		parses the NUL-separated records qmail-queue and qmail-send
 *		write (qmail-queue(8), qmail-send.c todo_do/rewrite)
 * NEVER	guesses: a record it does not know is a syntax error
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migrate/oldhost/qqueue.h"
#include "util/err.h"
#include "util/limits.h"

void
qq_env_free(struct qq_env *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->rcpt[i].addr);
	free(e->rcpt);
	free(e->sender);
	memset(e, 0, sizeof(*e));
}

static int
env_add(struct qq_env *e, const char *addr, size_t len, int done, int remote)
{
	struct qq_rcpt *nr;
	size_t ncap;
	char *copy;

	if (e->n == e->cap) {
		ncap = e->cap ? e->cap * 2 : 4;
		if (ncap > SIZE_MAX / sizeof(*nr))
			return QPM_ENOMEM;
		if ((nr = realloc(e->rcpt, ncap * sizeof(*nr))) == NULL)
			return QPM_ENOMEM;
		e->rcpt = nr;
		e->cap = ncap;
	}
	if ((copy = strndup(addr, len)) == NULL)
		return QPM_ENOMEM;
	e->rcpt[e->n].addr = copy;
	e->rcpt[e->n].done = done;
	e->rcpt[e->n].remote = remote;
	e->n++;
	return 0;
}

static int
set_sender(struct qq_env *e, const char *s, size_t len, const char **why)
{
	if (e->have_sender) {
		*why = "two sender records";
		return QPM_ESYNTAX;
	}
	if (len > QPM_MAX_PATH) {
		*why = "sender longer than RFC 5321 allows";
		return QPM_ESYNTAX;
	}
	if ((e->sender = strndup(s, len)) == NULL)
		return QPM_ENOMEM;
	e->have_sender = 1;
	return 0;
}

/* Walk NUL-terminated records; call back with (tag, value, len). */
typedef int (*record_fn)(struct qq_env *, char, const char *, size_t, int,
    const char **);

static int
walk(struct qq_env *e, const char *buf, size_t len, int arg, record_fn fn,
    const char **why)
{
	size_t pos = 0, end;
	const char *nul;
	int err;

	while (pos < len) {
		nul = memchr(buf + pos, '\0', len - pos);
		if (nul == NULL) {
			*why = "last record is not NUL-terminated (file cut short?)";
			return QPM_ESYNTAX;
		}
		end = (size_t)(nul - buf);
		if (end == pos) {
			*why = "empty record";
			return QPM_ESYNTAX;
		}
		if ((err = fn(e, buf[pos], buf + pos + 1, end - pos - 1, arg,
		    why)) < 0)
			return err;
		pos = end + 1;
	}
	return 0;
}

static int
rec_info(struct qq_env *e, char tag, const char *v, size_t n, int arg,
    const char **why)
{
	(void)arg;
	if (tag != 'F') {
		*why = "info record is not F (sender)";
		return QPM_ESYNTAX;
	}
	return set_sender(e, v, n, why);
}

int
qq_parse_info(struct qq_env *e, const char *buf, size_t len, const char **why)
{
	int err;

	if ((err = walk(e, buf, len, 0, rec_info, why)) < 0)
		return err;
	if (!e->have_sender) {
		*why = "info file has no sender";
		return QPM_ESYNTAX;
	}
	return 0;
}

static int
check_addr(const char *v, size_t n, const char **why)
{
	if (n == 0) {
		*why = "empty recipient";
		return QPM_ESYNTAX;
	}
	if (n > QPM_MAX_ADDRESS + QPM_MAX_DOMAIN + 1) {	/* prepend-user@dom */
		*why = "recipient too long";
		return QPM_ESYNTAX;
	}
	return 0;
}

static int
rec_rcpt(struct qq_env *e, char tag, const char *v, size_t n, int remote,
    const char **why)
{
	int err;

	if (tag != 'T' && tag != 'D') {
		*why = "recipient record is neither T (to do) nor D (done)";
		return QPM_ESYNTAX;
	}
	if ((err = check_addr(v, n, why)) < 0)
		return err;
	return env_add(e, v, n, tag == 'D', remote);
}

int
qq_parse_rcpts(struct qq_env *e, const char *buf, size_t len, int remote,
    const char **why)
{
	return walk(e, buf, len, remote, rec_rcpt, why);
}

static int
rec_todo(struct qq_env *e, char tag, const char *v, size_t n, int arg,
    const char **why)
{
	int err;

	(void)arg;
	switch (tag) {
	case 'u':			/* uid of the injecting process */
	case 'p':			/* its pid */
	case 'h':			/* qmail-queue -h host, some patches */
		return 0;
	case 'F':
		return set_sender(e, v, n, why);
	case 'T':
		if (!e->have_sender) {
			*why = "recipient before sender in todo file";
			return QPM_ESYNTAX;
		}
		if ((err = check_addr(v, n, why)) < 0)
			return err;
		return env_add(e, v, n, 0, 0);
	default:
		*why = "unknown record in todo file";
		return QPM_ESYNTAX;
	}
}

int
qq_parse_todo(struct qq_env *e, const char *buf, size_t len, const char **why)
{
	int err;

	if ((err = walk(e, buf, len, 0, rec_todo, why)) < 0)
		return err;
	if (!e->have_sender) {
		*why = "todo file has no sender";
		return QPM_ESYNTAX;
	}
	if (e->n == 0) {
		*why = "todo file has no recipient";
		return QPM_ESYNTAX;
	}
	return 0;
}

size_t
qq_pending(const struct qq_env *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->n; i++)
		n += !e->rcpt[i].done;
	return n;
}

/* qmail-send's lookup order: the whole address, the domain, each
 * ".suffix" of the domain from the longest, then "" (catch-all). The
 * first hit decides; an empty prepend is an exception (no rewrite). */
static const char *
vd_lookup(const char *addr, const struct qq_vdomain *vd, size_t nvd)
{
	const char *at = strrchr(addr, '@'), *p;
	size_t i, len = strlen(addr), k;

	if (at == NULL)
		return NULL;
	for (i = 0; i <= len; i++) {
		p = addr + i;
		if (!(i == 0 || p == at + 1 || i == len || (p > at && *p == '.')))
			continue;
		for (k = 0; k < nvd; k++)
			if (strcasecmp(vd[k].domain, p) == 0)
				return vd[k].prepend;
	}
	return NULL;
}

int
qq_unrewrite(const char *addr, const struct qq_vdomain *vd, size_t nvd,
    char *out, size_t outlen)
{
	const char *rest, *hit;
	size_t k, plen, alen = strlen(addr);

	for (k = 0; k < nvd; k++) {
		plen = strlen(vd[k].prepend);
		if (plen == 0 || plen + 1 >= alen)
			continue;
		if (strncasecmp(addr, vd[k].prepend, plen) != 0 ||
		    addr[plen] != '-')
			continue;
		rest = addr + plen + 1;
		hit = vd_lookup(rest, vd, nvd);
		if (hit == NULL || strcasecmp(hit, vd[k].prepend) != 0)
			continue;
		if (strlen(rest) >= outlen)
			return QPM_ERANGE;
		memcpy(out, rest, strlen(rest) + 1);
		return 1;
	}
	if (alen >= outlen)
		return QPM_ERANGE;
	memcpy(out, addr, alen + 1);
	return 0;
}
