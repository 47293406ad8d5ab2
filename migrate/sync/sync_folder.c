/*
 * NAME		sync_folder - one Maildir folder from the old tree to the new
 *		side, and courier-imap's state of it into Dovecot's
 * DOES		copies each message the new side lacks (known by its base
 *		name, up to ':') through tmp/ and a rename that never
 *		replaces, keeping its name and mtime (IMAP's INTERNALDATE);
 *		carries an old-side flag change to a message the new side
 *		left as the last run wrote it (qmail2postfix-sync remembers);
 *		writes dovecot-uidlist from courierimapuiddb (same
 *		UIDVALIDITY and UIDs, unseen messages numbered from NEXTUID
 *		in courier's order) or appends what it copied to the one the
 *		new side has; dovecot-keywords and the keyword letters;
 *		courier pop3d's UIDLs as the uidlist's P field
 * NEVER	writes below the old root, deletes or overwrites a message,
 *		or gives a message a UID the new side already gave another
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/json.h"
#include "migrate/sync/courier_state.h"
#include "migrate/sync/esc_dovecot.h"
#include "migrate/sync/sync_int.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/lines.h"
#include "util/msg.h"

#define STATE_FILE	"qmail2postfix-sync"

/* one message of the old side */
struct msg {
	char		*name;		/* file name in cur/ or new/ */
	size_t		 blen;		/* its base: up to the ':' */
	int		 in_new;
	int		 listed;	/* in the new side's uidlist already */
	unsigned long	 uid;		/* courier's, trusted; 0: none */
	unsigned long	 order;		/* POP3 message order; 0: none */
	time_t		 mtime;		/* on the new side, for the order */
	char		*want;		/* "cur/NAME" or "new/NAME" on the new side */
	char		*st;		/* what the state file keeps, if not want */
};

struct folder {
	struct sync_run		*r;
	struct sync_mbox	*mb;
	const char		*src, *dst, *name;
	struct msg		*m;
	size_t			 n, cap;
	struct cs_uiddb		 uiddb;
	struct cs_keywords	 kw;
	struct cs_map		 pop3;
	struct cs_map		 have;	/* new side: base -> uidl "cur/NAME" */
	struct cs_map		 state;	/* last written: base -> uidl */
	struct qstr		 state_text;	/* the file, as read */
	struct strlist		 dkw;	/* new side's dovecot-keywords */
	struct strlist		 diag;
	int			 kw_changed, has_uiddb, old_dovecot;
	unsigned long		 copied, present, flags, gone;
	const char		*how;
	unsigned long		 uidvalidity, uidnext;
};

static void
folder_free(struct folder *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->m[i].name);
		free(f->m[i].want);
		free(f->m[i].st);
	}
	free(f->m);
	cs_uiddb_free(&f->uiddb);
	cs_keywords_free(&f->kw);
	cs_map_free(&f->pop3);
	cs_map_free(&f->have);
	cs_map_free(&f->state);
	qstr_free(&f->state_text);
	strlist_free(&f->dkw);
	strlist_free(&f->diag);
}

static int
path(struct qstr *s, const char *dir, const char *name)
{
	qstr_reset(s);
	return qstr_catf(s, "%s/%s", dir, name);
}

/* a small file of the old folder; QPM_ENOENT when absent */
static int
old_read(struct folder *f, const char *name, struct qstr *out,
    struct qstr *p)
{
	int e;

	qstr_reset(out);
	if ((e = path(p, f->src, name)) < 0)
		return e;
	e = rootfs_read(&f->r->root, p->buf, QPM_MAX_CONFIG_FILE,
	    ROOTFS_NOFOLLOW, out, NULL);
	if (e < 0 && e != QPM_ENOENT && e != QPM_ENOMEM)
		sync_problem(f->r, "%s: cannot read: %s", p->buf,
		    rootfs_strerror(e));
	return e;
}

/* courier's order: the time prefix of the name, then the bytes */
static int
courier_order(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	unsigned long tx = strtoul(x->name, NULL, 10),
	    ty = strtoul(y->name, NULL, 10);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* by base name (up to the ':'), for msg_find */
static int
by_base(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	size_t n = x->blen < y->blen ? x->blen : y->blen;
	int c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	return x->blen < y->blen ? -1 : x->blen > y->blen;
}

/* the message whose base is the start of name (up to ':' or the end),
 * in f->m sorted by_base, or NULL */
static struct msg *
msg_find(struct folder *f, const char *name)
{
	struct msg key;

	key.name = (char *)name;
	key.blen = strcspn(name, ":");
	return bsearch(&key, f->m, f->n, sizeof(*f->m), by_base);
}

static int
by_uid_then_order(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->uid != y->uid) {
		if (x->uid == 0 || y->uid == 0)
			return x->uid == 0 ? 1 : -1;
		return x->uid < y->uid ? -1 : 1;
	}
	return courier_order(a, b);
}

static int
list_old(struct folder *f, const char *sub, int in_new, struct qstr *p)
{
	struct dirent *de;
	DIR *d;
	int e = 0;

	if ((e = path(p, f->src, sub)) < 0)
		return e;
	if ((d = rootfs_opendir(&f->r->root, p->buf, ROOTFS_NOFOLLOW)) ==
	    NULL) {
		if (errno != ENOENT)
			sync_problem(f->r, "%s: cannot read: %s", p->buf,
			    strerror(errno));
		return errno == ENOENT ? 1 : 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct msg *m;
		const char *why;

		if (de->d_name[0] == '.' || (de->d_type != DT_REG &&
		    de->d_type != DT_UNKNOWN))
			continue;
		/* no qmail or courier name has them; the uidlist and the
		 * state file could not carry it */
		if (!esc_dc_name_ok(de->d_name, strlen(de->d_name), &why)) {
			struct qstr v = QSTR_INIT(1024);

			(void)qstr_cat_vis(&v, de->d_name, strlen(de->d_name),
			    QSTR_VIS_SPACE);
			sync_problem(f->r, "%s/%s: the name holds %s; not copied",
			    p->buf, qstr_str(&v), why);
			qstr_free(&v);
			continue;
		}
		if (f->n == f->cap) {
			size_t nc = f->cap ? f->cap * 2 : 256;

			if ((m = realloc(f->m, nc * sizeof(*f->m))) == NULL) {
				e = QPM_ENOMEM;
				break;
			}
			f->m = m;
			f->cap = nc;
		}
		m = &f->m[f->n];
		memset(m, 0, sizeof(*m));
		if ((m->name = strdup(de->d_name)) == NULL) {
			e = QPM_ENOMEM;
			break;
		}
		m->blen = strcspn(m->name, ":");
		m->in_new = in_new;
		f->n++;
	}
	closedir(d);
	return e;
}

/* the new side's messages: base -> "cur/NAME" */
static int
list_new_side(struct folder *f, struct qstr *p)
{
	static const char *const subs[2] = { "cur", "new" };
	struct dirent *de;
	struct cs_ent *ent;
	int k, e = 0;
	DIR *d;

	for (k = 0; k < 2 && e == 0; k++) {
		if ((e = path(p, f->dst, subs[k])) < 0)
			break;
		if ((d = opendir(p->buf)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if ((e = cs_map_add(&f->have, de->d_name,
			    strcspn(de->d_name, ":"), 0, &ent)) < 0)
				break;
			qstr_reset(p);
			if ((e = qstr_catf(p, "%s/%s", subs[k],
			    de->d_name)) < 0 ||
			    (ent->uidl = strdup(p->buf)) == NULL) {
				e = e < 0 ? e : QPM_ENOMEM;
				break;
			}
		}
		closedir(d);
	}
	cs_map_sort(&f->have);
	return e;
}

/* a file of the new folder into buf, and lr over it: 1, 0 when it is
 * absent, or a negative qpm_err */
static int
new_side_lines(struct folder *f, const char *name, struct qstr *p,
    struct qstr *buf, struct lines *lr)
{
	int e;

	qstr_reset(buf);
	if ((e = path(p, f->dst, name)) < 0)
		return e;
	if ((e = file_read_all(p->buf, QPM_MAX_CONFIG_FILE * 4,
	    FILE_READ_NOFOLLOW, buf)) < 0)
		return e == QPM_ENOENT ? 0 : e;
	lines_mem(lr, p->buf, qstr_str(buf), buf->len, QPM_MAX_CONFIG_LINE);
	return 1;
}

/* "BASE cur/NAME" lines: what the last run wrote */
static int
state_load(struct folder *f, struct qstr *p, struct qstr *buf)
{
	struct lines lr;
	const char *line;
	size_t n;
	int r, e;

	if ((e = new_side_lines(f, STATE_FILE, p, buf, &lr)) <= 0)
		return e;
	qstr_init(&f->state_text, QPM_MAX_STRING);
	if ((e = qstr_catn(&f->state_text, qstr_str(buf), buf->len)) < 0) {
		lines_close(&lr);
		return e;
	}
	while ((r = lines_next(&lr, &line, &n)) > 0) {
		const char *sp = memchr(line, ' ', n);
		struct cs_ent *ent;

		if (sp == NULL)
			continue;
		if ((e = cs_map_add(&f->state, line, (size_t)(sp - line), 0,
		    &ent)) < 0 || (ent->uidl = strdup(sp + 1)) == NULL) {
			e = e < 0 ? e : QPM_ENOMEM;
			break;
		}
	}
	lines_close(&lr);
	cs_map_sort(&f->state);
	return e < 0 ? e : 0;
}

static int
state_save(struct folder *f, struct qstr *p)
{
	struct qstr s = QSTR_INIT(QPM_MAX_STRING);
	const char *why;
	size_t i;
	int e = 0;

	for (i = 0; i < f->n && e == 0; i++)
		if (f->m[i].want != NULL && (e = esc_dc_state(&s, f->m[i].name,
		    f->m[i].blen, f->m[i].st != NULL ? f->m[i].st :
		    f->m[i].want, &why)) == QPM_ESYNTAX)
			e = 0;	/* list_old refused such names already */
	/* unchanged: not written again (a run with nothing new stays a
	 * walk) */
	if (e == 0 && (s.len != f->state_text.len || (s.len > 0 &&
	    memcmp(s.buf, f->state_text.buf, s.len) != 0)))
		e = sync_write(f->r, f->mb, f->dst, STATE_FILE, qstr_str(&s),
		    s.len);
	qstr_free(&s);
	return e;
}

/* courierimapkeywords: :list, then the update files (for each base the
 * plain name wins, else the highest counter) */
static int
keywords_load(struct folder *f, struct qstr *p, struct qstr *buf)
{
	struct cs_map upd = { NULL, 0, 0 };
	struct qstr dir = QSTR_INIT(PATH_MAX);
	struct dirent *de;
	size_t i;
	DIR *d;
	int e;

	if ((e = path(&dir, f->src, "courierimapkeywords")) < 0)
		goto out;
	if ((d = rootfs_opendir(&f->r->root, dir.buf, ROOTFS_NOFOLLOW)) ==
	    NULL)
		goto out;
	e = old_read(f, "courierimapkeywords/:list", buf, p);
	if (e == 0)
		e = cs_keywords_list(&f->kw, p->buf, qstr_str(buf), buf->len,
		    &f->diag);
	else if (e != QPM_ENOMEM)
		e = 0;
	while (e == 0 && (de = readdir(d)) != NULL) {
		const char *base;
		long ctr;
		struct cs_ent *ent;
		const struct cs_ent *old = NULL;

		if (cs_keywords_update_name(de->d_name, &base, &ctr) < 0)
			continue;
		for (i = 0; i < upd.n; i++)
			if (strcmp(upd.v[i].base, base) == 0) {
				old = &upd.v[i];
				break;
			}
		if (old != NULL) {
			long oc = (long)old->line - 1;

			if (oc == -1 || (ctr != -1 && ctr <= oc))
				continue;
			ent = &upd.v[i];
			free(ent->uidl);
			ent->uidl = NULL;
		} else if ((e = cs_map_add(&upd, base, strlen(base), 0,
		    &ent)) < 0)
			break;
		ent->line = (unsigned long)(ctr + 1);
		if ((ent->uidl = strdup(de->d_name)) == NULL)
			e = QPM_ENOMEM;
	}
	closedir(d);
	for (i = 0; i < upd.n && e == 0; i++) {
		qstr_reset(&dir);
		if ((e = qstr_catf(&dir, "courierimapkeywords/%s",
		    upd.v[i].uidl)) < 0)
			break;
		e = old_read(f, dir.buf, buf, p);
		if (e == 0)
			e = cs_keywords_update(&f->kw, upd.v[i].base, p->buf,
			    qstr_str(buf), buf->len, &f->diag);
		else if (e != QPM_ENOMEM)
			e = 0;
	}
	cs_map_sort(&f->kw.msgs);
out:
	cs_map_free(&upd);
	qstr_free(&dir);
	return e;
}

/* dovecot-keywords of the new side ("N name" lines) */
static int
dkw_load(struct folder *f, struct qstr *p, struct qstr *buf)
{
	struct lines lr;
	const char *line;
	size_t n;
	int r, e;

	if ((e = new_side_lines(f, "dovecot-keywords", p, buf, &lr)) <= 0)
		return e;
	e = 0;
	while ((r = lines_next(&lr, &line, &n)) > 0) {
		char *end;
		unsigned long i = strtoul(line, &end, 10);

		if (end == line || *end != ' ' || i >= CS_MAX_KEYWORDS)
			continue;
		while (f->dkw.n <= i && e == 0)
			e = strlist_add(&f->dkw, "");
		if (e < 0)
			break;
		free(f->dkw.v[i]);
		if ((f->dkw.v[i] = strdup(end + 1)) == NULL) {
			e = QPM_ENOMEM;
			break;
		}
	}
	lines_close(&lr);
	return e;
}

/* the keyword letters of a message on the new side, into s */
static int
kw_letters(struct folder *f, const struct msg *m, struct qstr *s)
{
	const struct cs_ent *ke;
	size_t i, j;
	char *base;
	int e = 0;

	if ((base = strndup(m->name, m->blen)) == NULL)
		return QPM_ENOMEM;
	ke = cs_map_find(&f->kw.msgs, base);
	free(base);
	if (ke == NULL)
		return 0;
	for (i = 0; i < CS_MAX_KEYWORDS && i < f->kw.names.n && e == 0;
	    i++) {
		const char *name = f->kw.names.v[i];

		if (!(ke->kw & ((uint32_t)1 << i)) || name[0] == '\0')
			continue;
		for (j = 0; j < f->dkw.n; j++)
			if (strcasecmp(f->dkw.v[j], name) == 0)
				break;
		if (j == f->dkw.n) {
			if (j >= CS_MAX_KEYWORDS) {
				sync_problem(f->r, "%s: keyword \"%s\": the "
				    "new side has 26 already; not carried",
				    f->dst, name);
				continue;
			}
			if ((e = strlist_add(&f->dkw, name)) < 0)
				break;
			f->kw_changed = 1;
		}
		/* ascending: the letters come out sorted */
	}
	for (j = 0; j < f->dkw.n && e == 0; j++) {
		for (i = 0; i < CS_MAX_KEYWORDS && i < f->kw.names.n; i++)
			if ((ke->kw & ((uint32_t)1 << i)) &&
			    strcasecmp(f->dkw.v[j], f->kw.names.v[i]) == 0)
				break;
		if (i < CS_MAX_KEYWORDS && i < f->kw.names.n)
			e = qstr_catc(s, (char)('a' + j));
	}
	return e;
}

/* "cur/BASE:2,FLAGS" (system flags as the old side has them, then the
 * keyword letters) or "new/NAME" */
static int
want_name(struct folder *f, struct msg *m, struct qstr *s)
{
	const char *info;
	size_t i;
	int e;

	qstr_reset(s);
	if (m->in_new)
		e = qstr_catf(s, "new/%s", m->name);
	else {
		if ((e = qstr_catf(s, "cur/%.*s:2,", (int)m->blen,
		    m->name)) < 0)
			return e;
		/* a Dovecot of the old host wrote its own keyword letters;
		 * courier writes none, its keywords come from kw_letters */
		info = strstr(m->name + m->blen, ":2,");
		for (i = 0; info != NULL && info[3 + i] != '\0' &&
		    info[3 + i] != ',' && e == 0; i++)
			if ((info[3 + i] >= 'A' && info[3 + i] <= 'Z') ||
			    (f->old_dovecot && !f->has_uiddb &&
			    info[3 + i] >= 'a' && info[3 + i] <= 'z'))
				e = qstr_catc(s, info[3 + i]);
		if (e == 0 && !(f->old_dovecot && !f->has_uiddb))
			e = kw_letters(f, m, s);
	}
	if (e == 0 && (m->want = strdup(s->buf)) == NULL)
		e = QPM_ENOMEM;
	return e;
}

/* rename within the new side, never over a file */
static int
mv_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* no RENAME_NOREPLACE here: link refuses an existing name too */
	if (link(from, to) < 0)
		return -errno;
	return unlink(from) < 0 ? -errno : 0;
}

static int
copy_msg(struct folder *f, struct msg *m, struct qstr *p, struct qstr *q)
{
	char buf[65536];
	struct stat st;
	struct timespec ts[2];
	int in, out = -1, e = 0;
	ssize_t k;

	if ((e = path(p, f->src, m->in_new ? "new" : "cur")) < 0 ||
	    (e = qstr_catf(p, "/%s", m->name)) < 0)
		return e;
	if ((in = rootfs_open_file(&f->r->root, p->buf, ROOTFS_NOFOLLOW,
	    &st)) < 0) {
		sync_problem(f->r, "%s: cannot read: %s; not copied", p->buf,
		    rootfs_strerror(in));
		return 0;
	}
	qstr_reset(q);
	if ((e = qstr_catf(q, "%s/tmp/%.*s.q2p%ld", f->dst, (int)m->blen,
	    m->name, (long)f->r->pid)) < 0)
		goto out;
	if ((out = open(q->buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0) {
		sync_problem(f->r, "%s: cannot create: %s", q->buf,
		    strerror(errno));
		goto out;
	}
	while ((k = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)k) != k) {
			k = -1;
			break;
		}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (k < 0 || futimens(out, ts) < 0 || (f->r->chown &&
	    fchown(out, f->mb->uid, f->mb->gid) < 0) || close(out) < 0) {
		sync_problem(f->r, "%s: cannot copy to %s: %s", p->buf, q->buf,
		    strerror(errno));
		out = -1;
		(void)unlink(q->buf);
		goto out;
	}
	out = -1;
	if ((e = path(p, f->dst, m->want)) < 0)
		goto out;
	if ((e = mv_noreplace(q->buf, p->buf)) < 0) {
		(void)unlink(q->buf);
		if (e != -EEXIST)
			sync_problem(f->r, "%s: cannot rename into place: %s",
			    p->buf, strerror(-e));
		e = 0;
		goto out;
	}
	f->copied++;
	f->mb->copied = 1;
	f->r->t.bytes += (unsigned long long)st.st_size;
out:
	if (out >= 0) {
		(void)close(out);
		(void)unlink(q->buf);
	}
	(void)close(in);
	return e;
}

/* 1 when the new side's names a and b say the same: equal, or
 * "new/NAME" and "cur/NAME:2," (an IMAP server's SELECT moves a message
 * from new/ to cur/ without a flag) */
static int
same_state(const char *a, const char *b)
{
	size_t n;

	if (strcmp(a, b) == 0)
		return 1;
	if (strncmp(a, "new/", 4) == 0) {
		const char *t = a;

		a = b;
		b = t;
	}
	if (strncmp(a, "cur/", 4) != 0 || strncmp(b, "new/", 4) != 0)
		return 0;
	n = strlen(b + 4);
	return strncmp(a + 4, b + 4, n) == 0 && strcmp(a + 4 + n, ":2,") == 0;
}

/* one old message against the new side */
static int
sync_msg(struct folder *f, struct msg *m, struct qstr *p, struct qstr *q)
{
	const struct cs_ent *have, *last;
	char *base;
	int e, unchanged;

	if ((e = want_name(f, m, p)) < 0)
		return e;
	if ((base = strndup(m->name, m->blen)) == NULL)
		return QPM_ENOMEM;
	have = cs_map_find(&f->have, base);
	last = cs_map_find(&f->state, base);
	free(base);
	if (have == NULL) {
		if (f->r->dry_run) {
			f->copied++;
			return 0;
		}
		return copy_msg(f, m, p, q);
	}
	f->present++;
	/* a flag change of the old side, onto a message the new side left
	 * as the last run wrote it; one the new side changed keeps the new
	 * side's flags for good (the state keeps what the last run wrote) */
	unchanged = last != NULL && same_state(have->uidl, last->uidl);
	if (!unchanged || same_state(have->uidl, m->want)) {
		free(m->want);
		if ((m->want = strdup(have->uidl)) == NULL)
			return QPM_ENOMEM;
		if (last != NULL && !unchanged &&
		    (m->st = strdup(last->uidl)) == NULL)
			return QPM_ENOMEM;
		return 0;
	}
	f->flags++;
	if (f->r->dry_run)
		return 0;
	if ((e = path(p, f->dst, have->uidl)) < 0 ||
	    (e = path(q, f->dst, m->want)) < 0)
		return e;
	if ((e = mv_noreplace(p->buf, q->buf)) < 0) {
		sync_problem(f->r, "%s: cannot rename to %s: %s", p->buf,
		    q->buf, strerror(-e));
		free(m->want);
		f->flags--;
		if ((m->want = strdup(have->uidl)) == NULL)
			return QPM_ENOMEM;
	}
	return 0;
}

/* the old host's mail of the mailbox, counted as Dovecot's maildir quota
 * counts it: the size in ",S=" of the name, else the file's */
static void
msg_usage(struct folder *f, const struct msg *m, struct qstr *p)
{
	const char *s = strstr(m->name, ",S=");
	unsigned long long size = 0;
	struct stat st;

	if (s != NULL && s < m->name + m->blen) {
		for (s += 3; *s >= '0' && *s <= '9' && size < (1ULL << 50); s++)
			size = size * 10 + (unsigned long long)(*s - '0');
		if (*s != ':' && *s != ',' && *s != '\0')
			s = NULL;
	}
	if (s == NULL) {
		size = 0;
		if (path(p, f->src, m->in_new ? "new" : "cur") == 0 &&
		    qstr_catf(p, "/%s", m->name) == 0 &&
		    rootfs_stat(&f->r->root, p->buf, ROOTFS_NOFOLLOW, &st) == 0)
			size = (unsigned long long)st.st_size;
	}
	f->mb->old_bytes += size;
	f->mb->old_messages++;
}

static int
by_mtime(const void *a, const void *b)
{
	const struct msg *x = *(const struct msg *const *)a,
	    *y = *(const struct msg *const *)b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* INBOX's POP3 message order, as the old host's POP3 server numbered
 * the messages: courier pop3d's list order where it kept one, else
 * qmail-pop3d's (by mtime: its priority queue of maildir_scan) */
static int
pop3_order(struct folder *f, struct qstr *p)
{
	struct msg **v;
	struct stat st;
	size_t i, k = 0;
	char *base;
	int e = 0;

	if ((v = calloc(f->n + 1, sizeof(*v))) == NULL)
		return QPM_ENOMEM;
	for (i = 0; i < f->n; i++) {
		struct msg *m = &f->m[i];
		const struct cs_ent *pe;

		if (m->want == NULL)
			continue;
		if (f->pop3.n > 0) {
			if ((base = strndup(m->name, m->blen)) == NULL) {
				e = QPM_ENOMEM;
				break;
			}
			pe = cs_map_find(&f->pop3, base);
			free(base);
			m->order = pe != NULL ? pe->line : 0;
			continue;
		}
		if ((e = path(p, f->dst, m->want)) < 0)
			break;
		m->mtime = stat(p->buf, &st) == 0 ? st.st_mtime : 0;
		v[k++] = m;
	}
	if (e == 0 && k > 1)
		qsort(v, k, sizeof(*v), by_mtime);
	for (i = 0; i < k; i++)
		v[i]->order = i + 1;
	free(v);
	return e;
}

/* one record of the new side's dovecot-uidlist; one it cannot carry is
 * listed, and Dovecot numbers that message itself */
static int
uidlist_rec(struct folder *f, struct qstr *s, unsigned long uid,
    const char *fields, const char *name)
{
	struct qstr v = QSTR_INIT(1024);
	const char *why;
	int e;

	if ((e = esc_dc_uidlist(s, uid, fields, name, &why)) != QPM_ESYNTAX)
		return e;
	(void)qstr_cat_vis(&v, name, strlen(name), QSTR_VIS_SPACE);
	sync_problem(f->r, "%s/dovecot-uidlist: UID %lu (%s) not written: "
	    "%s", f->dst, uid, qstr_str(&v), why);
	qstr_free(&v);
	return 0;
}

/* the dovecot-uidlist of a new side that has none: courier's numbers */
static int
uidlist_write(struct folder *f, struct qstr *p, struct qstr *s)
{
	const struct cs_ent *pe;
	unsigned long next;
	size_t i;
	int e = 0;
	char *base;

	if (f->has_uiddb && f->uiddb.valid) {
		f->uidvalidity = f->uiddb.uidvalidity;
		next = f->uiddb.nextuid;
		f->how = "courier";
	} else if (f->pop3.n > 0) {
		/* no IMAP state, but courier pop3d's UIDLs to keep */
		f->uidvalidity = (unsigned long)qpm_clock_now(&f->r->clock);
		next = 1;
		f->how = "new";
	} else {
		f->how = "new";
		return 0;
	}
	/* courier's numbers first, then the unseen in courier's order, from
	 * NEXTUID on (NEXTUID is above every number read) */
	if (f->n > 1)
		qsort(f->m, f->n, sizeof(*f->m), by_uid_then_order);
	for (i = 0; i < f->n; i++)
		if (f->m[i].uid == 0 && f->m[i].want != NULL)
			f->m[i].uid = next++;
	f->uidnext = next;
	if (strcmp(f->name, "INBOX") == 0 && (e = pop3_order(f, p)) < 0)
		return e;
	qstr_reset(s);
	if ((e = qstr_catf(s, "3 V%lu N%lu\n", f->uidvalidity, next)) < 0)
		return e;
	for (i = 0; i < f->n && e == 0; i++) {
		if (f->m[i].want == NULL)
			continue;
		if ((base = strndup(f->m[i].name, f->m[i].blen)) == NULL)
			return QPM_ENOMEM;
		pe = cs_map_find(&f->pop3, base);
		free(base);
		qstr_reset(p);
		if (f->m[i].order > 0)
			e = qstr_catf(p, "O%lu", f->m[i].order);
		if (e == 0 && pe != NULL)
			e = qstr_catf(p, "%sP%s", p->len > 0 ? " " : "",
			    pe->uidl);
		if (e == 0)
			e = uidlist_rec(f, s, f->m[i].uid, qstr_str(p),
			    f->m[i].want + 4);
	}
	if (e == 0)
		e = sync_write(f->r, f->mb, f->dst, "dovecot-uidlist",
		    qstr_str(s), s->len);
	return e;
}

/* The new side has a dovecot-uidlist: the messages this run copied are
 * appended, with courier's UID where it is still free and the same
 * UIDVALIDITY, else the next one. */
static int
uidlist_append(struct folder *f, struct qstr *p, struct qstr *s,
    struct qstr *buf)
{
	struct lines lr;
	const char *line, *nf;
	unsigned long v = 0, next = 0;
	size_t n, i, hdr;
	char *end;
	int r, e = 0, added = 0;

	f->how = "kept";
	if ((e = path(p, f->dst, "dovecot-uidlist")) < 0)
		return e;
	qstr_reset(buf);
	if ((e = file_read_all(p->buf, QPM_MAX_STRING, FILE_READ_NOFOLLOW,
	    buf)) < 0) {
		sync_problem(f->r, "%s: cannot read: %s", p->buf,
		    qpm_strerror(e));
		return e == QPM_ENOMEM ? e : 0;
	}
	hdr = strcspn(qstr_str(buf), "\n");
	if (buf->len < 2 || memcmp(buf->buf, "3 ", 2) != 0 || hdr ==
	    buf->len) {
		sync_problem(f->r, "%s:1: not a version 3 dovecot-uidlist; "
		    "new messages left for Dovecot to number", p->buf);
		return 0;
	}
	for (nf = buf->buf; nf < buf->buf + hdr; nf++) {
		if (nf[0] == ' ' && nf[1] == 'V')
			v = strtoul(nf + 2, NULL, 10);
		if (nf[0] == ' ' && nf[1] == 'N')
			next = strtoul(nf + 2, NULL, 10);
	}
	/* the messages it lists already (by base) are left alone */
	if (f->n > 1)
		qsort(f->m, f->n, sizeof(*f->m), by_base);
	lines_mem(&lr, p->buf, buf->buf + hdr + 1, buf->len - hdr - 1,
	    QPM_MAX_CONFIG_LINE);
	while ((r = lines_next(&lr, &line, &n)) > 0) {
		const char *c = strstr(line, " :");
		unsigned long u = strtoul(line, &end, 10);
		struct msg *m;

		if (u >= next)
			next = u + 1;
		if (c != NULL && (m = msg_find(f, c + 2)) != NULL)
			m->listed = 1;
	}
	lines_close(&lr);
	f->uidvalidity = v;
	if (f->uiddb.uidvalidity != v)
		for (i = 0; i < f->n; i++)
			f->m[i].uid = 0;
	if (f->n > 1)
		qsort(f->m, f->n, sizeof(*f->m), by_uid_then_order);
	qstr_reset(s);
	for (i = 0; i < f->n && e == 0; i++) {
		struct msg *m = &f->m[i];

		if (m->listed || m->want == NULL)
			continue;
		if (m->uid < next)
			m->uid = next;
		next = m->uid + 1;
		e = uidlist_rec(f, s, m->uid, NULL, m->want + 4);
		added++;
	}
	f->uidnext = next;
	if (e < 0 || added == 0 || f->r->dry_run)
		return e;
	/* the header with the new next UID, the old lines, the new ones */
	qstr_reset(p);
	if ((e = qstr_catf(p, "3 V%lu N%lu", v, next)) < 0)
		return e;
	for (nf = buf->buf + 1; nf < buf->buf + hdr && e == 0; nf++)
		if (nf[0] == ' ' && nf[1] != 'V' && nf[1] != 'N')
			e = qstr_catn(p, nf, strcspn(nf + 1, " \n") + 1);
	if (e < 0 || (e = qstr_catn(p, buf->buf + hdr, buf->len - hdr)) < 0 ||
	    (buf->len > 0 && buf->buf[buf->len - 1] != '\n' &&
	    (e = qstr_catc(p, '\n')) < 0) ||
	    (e = qstr_catn(p, qstr_str(s), s->len)) < 0)
		return e;
	return sync_write(f->r, f->mb, f->dst, "dovecot-uidlist",
	    qstr_str(p), p->len);
}

static int
dkw_save(struct folder *f, struct qstr *p, struct qstr *s)
{
	const char *why;
	size_t i;
	int e = 0;

	if (!f->kw_changed || f->r->dry_run)
		return 0;
	qstr_reset(s);
	for (i = 0; i < f->dkw.n && e == 0; i++)
		if (f->dkw.v[i][0] != '\0' && (e = esc_dc_keyword(s, i,
		    f->dkw.v[i], &why)) == QPM_ESYNTAX) {
			sync_problem(f->r, "%s/dovecot-keywords: keyword %zu "
			    "not written: %s", f->dst, i, why);
			e = 0;
		}
	if (e == 0)
		e = sync_write(f->r, f->mb, f->dst, "dovecot-keywords",
		    qstr_str(s), s->len);
	return e;
}

/* one line of an old Dovecot's dovecot-uidlist (k 0) or dovecot-keywords
 * (k 1) through the function of that syntax onto out; a line it refuses
 * is listed (the message gets a new UID, the keyword is not shown) */
static int
old_dovecot_line(struct folder *f, int k, struct lines *lr, const char *line,
    size_t n, struct qstr *out)
{
	struct qstr v = QSTR_INIT(1024), fl = QSTR_INIT(QPM_MAX_CONFIG_LINE),
	    nm = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	const char *why = "not \"UID [FIELDS] :NAME\"", *c;
	unsigned long u;
	size_t i;
	char *end;
	int e = QPM_ESYNTAX;

	if (lr->had_nul || lr->no_newline)
		why = lr->had_nul ? "a NUL byte" : "no newline (cut short?)";
	else if (k == 0 && lr->lineno == 1) {
		/* the header: "3 V... N..." of printable ASCII */
		for (i = 0; i < n && line[i] >= 0x20 && line[i] < 0x7f; i++)
			;
		why = "not a version 3 header";
		if (i == n && n > 2 && memcmp(line, "3 ", 2) == 0)
			e = qstr_catf(out, "%.*s\n", (int)n, line);
	} else if (line[0] >= '1' && line[0] <= '9' &&
	    (u = strtoul(line, &end, 10)) > 0 && end < line + n &&
	    *end == ' ' && (e = qstr_catn(&nm, end + 1, (size_t)(line + n -
	    end - 1))) == 0) {
		e = QPM_ESYNTAX;
		/* the name is the first word that starts with ':' */
		for (c = nm.buf; k == 0 && c != NULL && *c != ':';)
			if ((c = strchr(c, ' ')) != NULL)
				c++;
		if (k == 1)
			e = esc_dc_keyword(out, u, nm.buf, &why);
		else if (c != NULL &&
		    (e = qstr_catn(&fl, nm.buf, c == nm.buf ? 0 :
		    (size_t)(c - nm.buf - 1))) == 0)
			e = esc_dc_uidlist(out, u, fl.buf != NULL ? fl.buf :
			    "", c + 1, &why);
	} else if (k == 1 && line[0] == '0' && n > 2 && line[1] == ' ' &&
	    (e = qstr_catn(&nm, line + 2, n - 2)) == 0)
		e = esc_dc_keyword(out, 0, nm.buf, &why);
	if (e == QPM_ESYNTAX) {
		(void)qstr_cat_vis(&v, line, n > 80 ? 80 : n, QSTR_VIS_SPACE);
		sync_problem(f->r, "%s:%lu: \"%s\": %s; not carried over",
		    lr->name, lr->lineno, qstr_str(&v), why);
		e = 0;
	}
	qstr_free(&v);
	qstr_free(&fl);
	qstr_free(&nm);
	return e;
}

/* a Dovecot of the old host: its uidlist and keywords, line by line
 * (old-host bytes: each line through the function of its syntax) */
static int
old_dovecot_files(struct folder *f, struct qstr *p, struct qstr *buf)
{
	static const char *const files[2] = { "dovecot-uidlist",
	    "dovecot-keywords" };
	struct qstr out = QSTR_INIT(QPM_MAX_STRING);
	struct lines lr;
	const char *line;
	size_t n;
	int k, r, e = 0;

	for (k = 0; k < 2 && e == 0; k++) {
		if ((e = old_read(f, files[k], buf, p)) < 0) {
			e = e == QPM_ENOMEM ? e : 0;
			continue;
		}
		qstr_reset(&out);
		lines_mem(&lr, p->buf, qstr_str(buf), buf->len,
		    QPM_MAX_CONFIG_LINE);
		while (e == 0 && (r = lines_next(&lr, &line, &n)) != 0)
			if (r == QPM_ERANGE)
				sync_problem(f->r, "%s:%lu: line too long; not "
				    "carried over", p->buf, lr.lineno);
			else if (r < 0)
				e = r;
			else
				e = old_dovecot_line(f, k, &lr, line, n, &out);
		lines_close(&lr);
		if (e == 0 && !f->r->dry_run && (k == 1 || out.len > 0))
			e = sync_write(f->r, f->mb, f->dst, files[k],
			    qstr_str(&out), out.len);
	}
	qstr_free(&out);
	return e;
}

static int
folder_json(struct folder *f, json_t *jfolders)
{
	json_t *j, *u;
	size_t i;

	if (jfolders == NULL)
		return 0;
	if ((j = json_object()) == NULL || (u = json_array()) == NULL) {
		json_decref(j);
		return QPM_ENOMEM;
	}
	if (qpm_json_set(j, "untrusted", u) < 0 ||
	    qpm_json_set_str(j, "name", f->name) < 0 ||
	    qpm_json_set_str(j, "dir", f->dst) < 0 ||
	    qpm_json_set_int(j, "copied", (long long)f->copied) < 0 ||
	    qpm_json_set_int(j, "present", (long long)f->present) < 0 ||
	    qpm_json_set_int(j, "flags_updated", (long long)f->flags) < 0 ||
	    qpm_json_set_int(j, "uidvalidity", (long long)f->uidvalidity) < 0 ||
	    qpm_json_set_int(j, "uidnext", (long long)f->uidnext) < 0 ||
	    qpm_json_set_str(j, "state", f->how) < 0) {
		json_decref(j);
		return QPM_ENOMEM;
	}
	for (i = 0; i < f->diag.n; i++)
		if (qpm_json_append(u, qpm_json_string(f->diag.v[i])) < 0) {
			json_decref(j);
			return QPM_ENOMEM;
		}
	return qpm_json_append(jfolders, j);
}

int
sync_folder(struct sync_run *r, struct sync_mbox *mb, const char *src,
    const char *dst, const char *name, json_t *jfolders)
{
	static const char *const subs[3] = { "cur", "new", "tmp" };
	struct qstr p = QSTR_INIT(PATH_MAX * 2), q = QSTR_INIT(PATH_MAX * 2),
	    buf = QSTR_INIT(QPM_MAX_STRING);
	struct folder f;
	struct stat st;
	size_t i, found = 0;
	int e, k, missing;

	memset(&f, 0, sizeof(f));
	f.r = r;
	f.mb = mb;
	f.src = src;
	f.dst = dst;
	f.name = name;
	f.how = "new";
	if ((e = list_old(&f, "cur", 0, &p)) < 0)
		goto out;
	missing = e;
	if ((e = list_old(&f, "new", 1, &p)) < 0)
		goto out;
	if (missing && e == 1 && strcmp(name, "INBOX") != 0) {
		e = 0;	/* no cur/ and no new/: not a folder */
		goto out;
	}
	r->t.folders++;
	/* the old side's state */
	e = old_read(&f, "dovecot-uidlist", &buf, &p);
	f.old_dovecot = e == 0;
	if (e == QPM_ENOMEM)
		goto out;
	e = old_read(&f, "courierimapuiddb", &buf, &p);
	if (e == 0) {
		f.has_uiddb = 1;
		if ((e = cs_uiddb_parse(&f.uiddb, p.buf, qstr_str(&buf),
		    buf.len, &f.diag)) < 0)
			goto out;
	} else if (e == QPM_ENOMEM)
		goto out;
	if (strcmp(name, "INBOX") == 0) {
		e = old_read(&f, "courierpop3dsizelist", &buf, &p);
		if (e == 0 && (e = cs_pop3_parse(&f.pop3, p.buf,
		    qstr_str(&buf), buf.len, &f.diag)) < 0)
			goto out;
		if (e == QPM_ENOMEM)
			goto out;
	}
	if ((e = keywords_load(&f, &p, &buf)) < 0)
		goto out;
	/* courier's UIDs onto the messages there are; lines for files that
	 * are gone are normal (POP3 deleted them since courier wrote) */
	for (i = 0; i < f.n; i++) {
		char *base = strndup(f.m[i].name, f.m[i].blen);
		const struct cs_ent *u;

		if (base == NULL) {
			e = QPM_ENOMEM;
			goto out;
		}
		u = f.uiddb.valid ? cs_map_find(&f.uiddb.msgs, base) : NULL;
		free(base);
		if (u != NULL) {
			f.m[i].uid = u->uid;
			found++;
		}
	}
	f.gone = f.uiddb.msgs.n > found ? f.uiddb.msgs.n - found : 0;
	if (f.gone > 0 && msg_verbose)
		msg_info("%s/courierimapuiddb: %lu lines name files that are "
		    "gone; ignored", src, f.gone);
	/* the new side */
	if (!r->dry_run) {
		if ((e = sync_mkdir(r, mb, dst)) < 0) {
			sync_problem(r, "%s: cannot create: %s", dst,
			    strerror(-e));
			e = 0;
			goto out;
		}
		for (k = 0; k < 3; k++) {
			if ((e = path(&p, dst, subs[k])) < 0)
				goto out;
			if ((e = sync_mkdir(r, mb, p.buf)) < 0) {
				sync_problem(r, "%s: cannot create: %s", p.buf,
				    strerror(-e));
				e = 0;
				goto out;
			}
		}
		if (strcmp(name, "INBOX") != 0 &&
		    (e = path(&p, dst, "maildirfolder")) == 0 &&
		    lstat(p.buf, &st) < 0)
			e = sync_write(r, mb, dst, "maildirfolder", "", 0);
		if (e < 0)
			goto out;
	}
	if ((e = list_new_side(&f, &p)) < 0 ||
	    (e = state_load(&f, &p, &buf)) < 0 ||
	    (e = dkw_load(&f, &p, &buf)) < 0)
		goto out;
	if ((e = path(&p, dst, "dovecot-uidlist")) < 0)
		goto out;
	k = lstat(p.buf, &st) == 0;	/* the new side numbers already */
	if (!k && f.old_dovecot && !f.has_uiddb) {
		/* a Dovecot ran on the old host: its files, its letters */
		if ((e = old_dovecot_files(&f, &p, &buf)) < 0 ||
		    (e = dkw_load(&f, &p, &buf)) < 0)
			goto out;
		f.how = "dovecot";
	}
	if (f.n > 1)
		qsort(f.m, f.n, sizeof(*f.m), courier_order);
	for (i = 0; i < f.n; i++) {
		if ((e = sync_msg(&f, &f.m[i], &p, &q)) < 0)
			goto out;
		msg_usage(&f, &f.m[i], &p);
	}
	if ((e = dkw_save(&f, &p, &q)) < 0)
		goto out;
	if (strcmp(f.how, "dovecot") == 0)
		;
	else if (k)
		e = uidlist_append(&f, &p, &q, &buf);
	else if (!r->dry_run)
		e = uidlist_write(&f, &p, &q);
	if (e == 0 && !r->dry_run)
		e = state_save(&f, &p);
	if (e < 0)
		goto out;
	for (i = 0; i < f.diag.n; i++)
		sync_problem(r, "%s", f.diag.v[i]);
	r->t.copied += f.copied;
	r->t.present += f.present;
	r->t.flags += f.flags;
	e = folder_json(&f, jfolders);
out:
	folder_free(&f);
	qstr_free(&p);
	qstr_free(&q);
	qstr_free(&buf);
	return e;
}
