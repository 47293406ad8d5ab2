/*
 * NAME		sync - "qmail2postfix sync OUT --root OLD [--dest-root DIR]
 *		[--final] [--dry-run] [--json]"
 * DOES		reads the mailboxes of OUT (migration.json, dovecot/users,
 *		the Maildir that dovecot.conf names), walks each old Maildir
 *		and its Maildir++ folders through rootfs and hands every
 *		folder to sync_folder.c; the subscriptions and maildirsize
 *		of each mailbox; the summary (text or JSON)
 * NEVER	writes below --root, deletes a message, or replaces a file
 *		of the new side that Dovecot may have changed
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/exits.h"
#include "mail/json.h"
#include "migrate/sync/courier_state.h"
#include "migrate/sync/esc_dovecot.h"
#include "migrate/sync/mbox_json.h"
#include "migrate/sync/sync.h"
#include "migrate/sync/sync_int.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/lines.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/version.h"

#define PROGRAM_NAME	"qmail2postfix"

static void
help(void)
{
	printf("usage: %s sync OUT --root OLD [--dest-root DIR] [--final]\n"
	    "       [--dry-run] [--json] [-q] [-v]\n"
	    "\n"
	    "Copies every mailbox OUT knows (OUT/migration.json, OUT/dovecot/"
	    "users)\nfrom the old host's tree to the Maildir OUT's dovecot.conf"
	    " names, below\n--dest-root, owned by the mail user; courier-imap's"
	    " UIDs, keywords and\nsubscriptions become Dovecot's. Run it as "
	    "often as you like: each run\ncopies what changed, never deletes or"
	    " overwrites a message on the new side,\nand never writes to OLD.\n"
	    "\n"
	    "  --root OLD        the old host's / (required)\n"
	    "  --dest-root DIR   the new side's / [/]\n"
	    "  --final           the last run, after qmail stopped accepting "
	    "mail\n"
	    "  --dry-run         count what would be copied; write nothing\n"
	    "  --json            the summary as JSON\n"
	    "  -q, --quiet       no file:line diagnostics on stderr\n"
	    "\n"
	    "Order of the switch: sync (as often as needed), stop qmail, sync "
	    "--final,\nrequeue, switch DNS.\n"
	    "Exit: 0 all copied, 1 copied with problems listed, 2 nothing "
	    "done.\n", PROGRAM_NAME);
}

static int
usage(void)
{
	fprintf(stderr, "usage: %s sync OUT --root OLD [--dest-root DIR] "
	    "[--final] [--dry-run]\n       [--json] [-q] [-v]\n",
	    PROGRAM_NAME);
	return QPM_EXIT_NOTHING;
}

void
sync_problem(struct sync_run *r, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	r->t.problems++;
	if (r->quiet && !r->json)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* no memory for the list: the count and stderr still say it */
	if (r->json)
		(void)strlist_add(&r->problems, buf);
	if (!r->quiet)
		msg_warnx("%s", buf);
}

int
sync_mkdir(const struct sync_run *r, const struct sync_mbox *mb,
    const char *dir)
{
	if (mkdir(dir, 0700) < 0) {
		struct stat st;

		if (errno != EEXIST)
			return -errno;
		if (lstat(dir, &st) < 0)
			return -errno;
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	}
	if (r->chown && chown(dir, mb->uid, mb->gid) < 0)
		return -errno;
	return 0;
}

int
sync_write(struct sync_run *r, const struct sync_mbox *mb, const char *dir,
    const char *name, const char *data, size_t len)
{
	struct qstr p = QSTR_INIT(PATH_MAX * 2);
	int e;

	if ((e = qstr_catf(&p, "%s/%s", dir, name)) == 0 &&
	    (e = file_batch_write(&r->batch, p.buf, data, len, 0600,
	    r->chown ? mb->uid : (uid_t)-1, r->chown ? mb->gid : (gid_t)-1)) <
	    0 && e != QPM_ENOMEM) {
		sync_problem(r, "%s: cannot write: %s", p.buf,
		    strerror(errno));
		e = 0;
	}
	qstr_free(&p);
	if (e == 0 && r->batch.n >= SYNC_BATCH)
		e = sync_commit(r);
	return e;
}

static void
commit_failed(void *arg, const char *path, int err)
{
	sync_problem(arg, "%s: cannot write: %s", path, strerror(err));
}

int
sync_commit(struct sync_run *r)
{
	int e = file_batch_commit(&r->batch, commit_failed, r);

	return e < 0 ? e : 0;
}

/* the Maildir below a home from dovecot.conf: "~/Maildir" -> "Maildir" */
static int
maildir_of(const char *out, struct qstr *sub)
{
	struct qstr conf = QSTR_INIT(QPM_MAX_CONFIG_FILE);
	struct lines lr;
	const char *line, *v = NULL;
	char path[PATH_MAX];
	size_t n;
	int r, e = QPM_ESYNTAX;

	if (qpm_snprintf(path, sizeof(path), "%s/dovecot/dovecot.conf",
	    out) < 0 || (e = file_read_all(path, QPM_MAX_CONFIG_FILE, 0,
	    &conf)) < 0) {
		msg_errorx("%s/dovecot/dovecot.conf: cannot read: %s", out,
		    qpm_strerror(e));
		qstr_free(&conf);
		return e;
	}
	e = QPM_ESYNTAX;
	lines_mem(&lr, path, qstr_str(&conf), conf.len, QPM_MAX_CONFIG_LINE);
	while ((r = lines_next(&lr, &line, &n)) > 0) {
		if (strncmp(line, "mail_location = maildir:", 24) == 0)
			v = line + 24;
		else if (strncmp(line, "mail_path = ", 12) == 0)
			v = line + 12;
		else
			continue;
		if (strncmp(v, "~/", 2) != 0 || strpbrk(v + 2, ":%$") != NULL ||
		    strstr(v, "..") != NULL) {
			msg_errorx("%s:%lu: the Maildir is not below the home "
			    "(~/...): not written by qmail2postfix", path,
			    lr.lineno);
			e = QPM_ESYNTAX;
			break;
		}
		qstr_reset(sub);
		e = qstr_cat(sub, v + 2);
		break;
	}
	lines_close(&lr);
	if (v == NULL)
		msg_errorx("%s: no mail_location or mail_path", path);
	qstr_free(&conf);
	return e;
}

/* the users line of address: uid, gid and home (fields 3, 4, 6) */
struct user {
	char	*login, *home;
	long	 uid, gid;
};

static int
by_login(const void *a, const void *b)
{
	return strcmp(((const struct user *)a)->login,
	    ((const struct user *)b)->login);
}

/* the users file's line of login, in users sorted by_login, or NULL (a
 * search, not a scan: 100,000 mailboxes would make a scan quadratic) */
static const struct user *
user_find(const struct user *users, size_t nusers, const char *login)
{
	struct user key;

	key.login = (char *)login;
	return bsearch(&key, users, nusers, sizeof(*users), by_login);
}

static int
users_load(const char *out, struct user **users, size_t *nusers)
{
	char path[PATH_MAX];
	struct lines lr;
	const char *line;
	size_t n, cap = 0;
	int r, e = 0;

	if (qpm_snprintf(path, sizeof(path), "%s/dovecot/users", out) < 0)
		return QPM_ERANGE;
	if ((e = lines_open(&lr, path, QPM_MAX_CONFIG_LINE)) < 0) {
		msg_errorx("%s: cannot read: %s", path, qpm_strerror(e));
		return e;
	}
	while ((r = lines_next(&lr, &line, &n)) != 0) {
		const char *f[8];
		struct user *u;
		long id[2];
		size_t k;
		char tmp[32];

		if (r < 0) {
			e = r;
			break;
		}
		if (n == 0 || line[0] == '#')
			continue;
		f[0] = line;
		for (k = 1; k < 8; k++) {
			const char *c = strchr(f[k - 1], ':');

			if (c == NULL)
				break;
			f[k] = c + 1;
		}
		if (k < 7)
			continue;
		for (k = 0; k < 2; k++) {
			size_t l = strcspn(f[2 + k], ":");

			if (l >= sizeof(tmp))
				break;
			memcpy(tmp, f[2 + k], l);
			tmp[l] = '\0';
			if (num_parse_long(tmp, 0, 0x7fffffffL, &id[k]) < 0)
				break;
		}
		if (k < 2)
			continue;
		if (*nusers == cap) {
			size_t nc = cap ? cap * 2 : 64;

			if ((u = realloc(*users, nc * sizeof(**users))) ==
			    NULL) {
				e = QPM_ENOMEM;
				break;
			}
			*users = u;
			cap = nc;
		}
		u = &(*users)[*nusers];
		u->login = strndup(f[0], (size_t)(f[1] - f[0] - 1));
		u->home = strndup(f[5], (size_t)(f[6] - f[5] - 1));
		u->uid = id[0];
		u->gid = id[1];
		(*nusers)++;
		if (u->login == NULL || u->home == NULL) {
			e = QPM_ENOMEM;
			break;
		}
	}
	lines_close(&lr);
	return e;
}

/* The folders of one Maildir: INBOX, then every ".NAME" directory. */
static int
sync_mailbox(struct sync_run *r, struct sync_mbox *mb, json_t *jmbs)
{
	struct qstr s = QSTR_INIT(PATH_MAX), d = QSTR_INIT(PATH_MAX),
	    nm = QSTR_INIT(PATH_MAX);
	json_t *jm = NULL, *jf = NULL;
	struct dirent *de;
	DIR *dir;
	int e = 0;

	r->t.mailboxes++;
	if (jmbs != NULL) {
		if ((jm = json_object()) == NULL || (jf = json_array()) ==
		    NULL || qpm_json_set_str(jm, "address", mb->address) < 0 ||
		    (e = qstr_catf(&s, "/%s", mb->src)) < 0 ||
		    qpm_json_set_str(jm, "source", s.buf) < 0 ||
		    qpm_json_set_str(jm, "dest", mb->dst) < 0 ||
		    qpm_json_set(jm, "folders", jf) < 0 ||
		    qpm_json_append(jmbs, jm) < 0)
			return QPM_ENOMEM;
	}
	if ((dir = rootfs_opendir(&r->root, mb->src, ROOTFS_NOFOLLOW)) ==
	    NULL) {
		if (errno == ENOENT)
			msg_info("%s: %s: no Maildir on the old side yet",
			    mb->address, mb->src);
		else
			sync_problem(r, "%s: cannot read: %s", mb->src,
			    strerror(errno));
		return 0;
	}
	if (!r->dry_run) {
		/* the home too (Dovecot's chdir), the user's; the folders
		 * above it as /home is: root's, 0755 */
		char *slash;

		if ((e = qstr_cat(&d, mb->dst)) < 0)
			goto out;
		if ((slash = strrchr(d.buf, '/')) != NULL && slash != d.buf) {
			*slash = '\0';
			if ((slash = strrchr(d.buf, '/')) != NULL &&
			    slash != d.buf) {
				*slash = '\0';
				/* once per domain, not once per mailbox */
				if (strcmp(d.buf, qstr_str(&r->made)) != 0) {
					if (file_mkdirs(d.buf, 0755) < 0 &&
					    errno != EEXIST)
						sync_problem(r, "%s: cannot "
						    "create: %s", d.buf,
						    strerror(errno));
					else {
						qstr_reset(&r->made);
						(void)qstr_cat(&r->made,
						    d.buf);
					}
				}
				*slash = '/';
			}
			if ((e = sync_mkdir(r, mb, d.buf)) < 0)
				sync_problem(r, "%s: cannot create: %s", d.buf,
				    strerror(-e));
			e = 0;
		}
		qstr_reset(&d);
		if ((e = sync_mkdir(r, mb, mb->dst)) < 0) {
			sync_problem(r, "%s: cannot create: %s", mb->dst,
			    strerror(-e));
			e = 0;
			goto out;
		}
	}
	if ((e = sync_folder(r, mb, mb->src, mb->dst, "INBOX", jf)) < 0)
		goto out;
	while ((de = readdir(dir)) != NULL) {
		const char *n = de->d_name, *why;
		struct stat st;
		int c;

		if (n[0] != '.' || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		qstr_reset(&s);
		if ((e = qstr_catf(&s, "%s/%s", mb->src, n)) < 0)
			goto out;
		if (rootfs_stat(&r->root, s.buf, ROOTFS_NOFOLLOW, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		/* courier 4 wrote modified UTF-7, courier 5 UTF-8; Dovecot
		 * keeps modified UTF-7 on disk */
		qstr_reset(&nm);
		c = esc_dc_folder(&nm, n + 1, strlen(n + 1), &why);
		if (c < 0 && c != QPM_ESYNTAX) {
			e = c;
			goto out;
		}
		if (c == QPM_ESYNTAX || c >= 2) {
			struct qstr v = QSTR_INIT(1024);

			(void)qstr_cat_vis(&v, n, strlen(n), QSTR_VIS_SPACE);
			if (c == QPM_ESYNTAX)
				sync_problem(r, "%s/%s: folder name has %s; not "
				    "copied (move its mail by hand)", mb->src,
				    qstr_str(&v), why);
			else
				sync_problem(r, "%s/%s: folder name is not valid "
				    "modified UTF-7%s; copied as \".%s\"",
				    mb->src, qstr_str(&v), c == 3 ? " nor UTF-8 "
				    "(taken as Latin-1)" : " (taken as UTF-8)",
				    nm.buf);
			qstr_free(&v);
			if (c == QPM_ESYNTAX)
				continue;
		}
		qstr_reset(&d);
		qstr_reset(&s);
		if ((e = qstr_catf(&d, "%s/.%s", mb->dst, nm.buf)) < 0 ||
		    (e = qstr_catf(&s, "%s/%s", mb->src, n)) < 0)
			goto out;
		qstr_reset(&nm);
		if ((e = qstr_cat(&nm, "INBOX")) < 0 ||
		    (e = qstr_cat(&nm, strrchr(d.buf, '/') + 1)) < 0)
			goto out;
		if ((e = sync_folder(r, mb, s.buf, d.buf, nm.buf, jf)) < 0)
			goto out;
	}
out:
	closedir(dir);
	qstr_free(&s);
	qstr_free(&d);
	qstr_free(&nm);
	return e;
}

/* A mailbox whose old mail is over its vpopmail quota keeps all of it
 * (sync never drops mail); Dovecot then answers as vdelivermail did: new
 * mail is refused, IMAP APPEND and COPY fail, reading and deleting work.
 * Said on stderr (not a problem of the copy: the exit status stays) and
 * in --json's mailbox (messages, bytes, over_quota). */
static int
over_quota(struct sync_run *r, const struct sync_mbox *mb, json_t *jmbs)
{
	json_t *jm;
	int over;

	over = (mb->quota_bytes >= 0 && mb->old_bytes >
	    (unsigned long long)mb->quota_bytes) || (mb->quota_messages >= 0 &&
	    mb->old_messages > (unsigned long)mb->quota_messages);
	if (over && !r->quiet)
		msg_warnx("%s: over its quota on the old host: %lu messages, "
		    "%llu bytes (quota: %lld bytes, %lld messages; -1: none); "
		    "all copied. Dovecot refuses new mail for it (LMTP 552 "
		    "5.2.2, as vdelivermail bounced it) and IMAP APPEND, until "
		    "the user deletes mail", mb->address, mb->old_messages,
		    mb->old_bytes, mb->quota_bytes, mb->quota_messages);
	if (jmbs == NULL || (jm = json_array_get(jmbs,
	    json_array_size(jmbs) - 1)) == NULL)
		return 0;
	if (qpm_json_set_int(jm, "messages", (long long)mb->old_messages) < 0 ||
	    qpm_json_set_int(jm, "bytes", (long long)mb->old_bytes) < 0 ||
	    qpm_json_set_bool(jm, "over_quota", over) < 0)
		return QPM_ENOMEM;
	return 0;
}

/* courierimapsubscribed -> Maildir/subscriptions, once: Dovecot owns
 * the file from then on.  A Dovecot of the old host keeps its own. */
static int
sync_subscriptions(struct sync_run *r, struct sync_mbox *mb)
{
	struct qstr in = QSTR_INIT(QPM_MAX_CONFIG_FILE),
	    out = QSTR_INIT(QPM_MAX_CONFIG_FILE), p = QSTR_INIT(PATH_MAX);
	struct strlist diag = { NULL, 0, 0 };
	struct stat st;
	size_t i;
	int e;

	if ((e = qstr_catf(&p, "%s/subscriptions", mb->dst)) < 0)
		goto out;
	if (lstat(p.buf, &st) == 0 || r->dry_run)
		goto out;
	qstr_reset(&p);
	if ((e = qstr_catf(&p, "%s/subscriptions", mb->src)) < 0)
		goto out;
	e = rootfs_read(&r->root, p.buf, QPM_MAX_CONFIG_FILE, ROOTFS_NOFOLLOW,
	    &in, NULL);
	if (e == 0) {
		/* Dovecot ran on the old host: its file, as it was */
		out = in;
		memset(&in, 0, sizeof(in));
	} else {
		qstr_reset(&p);
		if ((e = qstr_catf(&p, "%s/courierimapsubscribed",
		    mb->src)) < 0)
			goto out;
		qstr_reset(&in);
		e = rootfs_read(&r->root, p.buf, QPM_MAX_CONFIG_FILE,
		    ROOTFS_NOFOLLOW, &in, NULL);
		if (e == QPM_ENOENT) {
			e = 0;
			goto out;
		}
		if (e < 0) {
			sync_problem(r, "%s: cannot read: %s", p.buf,
			    rootfs_strerror(e));
			e = 0;
			goto out;
		}
		if ((e = cs_subscriptions(p.buf, qstr_str(&in), in.len, &out,
		    &diag)) < 0)
			goto out;
		for (i = 0; i < diag.n; i++)
			sync_problem(r, "%s", diag.v[i]);
	}
	e = sync_write(r, mb, mb->dst, "subscriptions", qstr_str(&out),
	    out.len);
out:
	strlist_free(&diag);
	qstr_free(&in);
	qstr_free(&out);
	qstr_free(&p);
	return e;
}

static int
summary(struct sync_run *r, json_t *jmbs)
{
	json_t *top, *t, *jp;
	size_t i;
	int e;

	if (!r->json) {
		printf("sync%s%s: %lu mailboxes, %lu folders: %lu messages "
		    "copied (%llu bytes), %lu already there, %lu flag changes "
		    "carried over; %lu problems%s\n", r->final ? " --final" :
		    "", r->dry_run ? " (dry run: nothing written)" : "",
		    r->t.mailboxes, r->t.folders, r->t.copied, r->t.bytes,
		    r->t.present, r->t.flags, r->t.problems,
		    r->t.problems ? " listed on stderr" : "");
		if (!r->final)
			printf("next: sync again until the switch; then stop "
			    "qmail, sync --final, requeue,\nswitch DNS\n");
		return 0;
	}
	if ((top = json_object()) == NULL || (t = json_object()) == NULL) {
		json_decref(top);
		json_decref(jmbs);
		return QPM_ENOMEM;
	}
	if ((jp = json_array()) == NULL ||
	    (e = qpm_json_set(top, "problems", jp)) < 0) {
		json_decref(top);
		json_decref(t);
		json_decref(jmbs);
		return QPM_ENOMEM;
	}
	for (i = 0; i < r->problems.n; i++)
		if ((e = qpm_json_append(jp,
		    qpm_json_string(r->problems.v[i]))) < 0) {
			json_decref(top);
			json_decref(t);
			json_decref(jmbs);
			return e;
		}
	if ((e = qpm_json_set_bool(top, "final", r->final)) < 0 ||
	    (e = qpm_json_set_bool(top, "dry_run", r->dry_run)) < 0 ||
	    (e = qpm_json_set(top, "mailboxes", jmbs)) < 0 ||
	    (e = qpm_json_set_int(t, "mailboxes", (long long)r->t.mailboxes)) <
	    0 || (e = qpm_json_set_int(t, "folders",
	    (long long)r->t.folders)) < 0 ||
	    (e = qpm_json_set_int(t, "copied", (long long)r->t.copied)) < 0 ||
	    (e = qpm_json_set_int(t, "present", (long long)r->t.present)) <
	    0 || (e = qpm_json_set_int(t, "flags_updated",
	    (long long)r->t.flags)) < 0 ||
	    (e = qpm_json_set_int(t, "bytes", (long long)r->t.bytes)) < 0 ||
	    (e = qpm_json_set_int(t, "problems", (long long)r->t.problems)) <
	    0 || (e = qpm_json_set(top, "totals", t)) < 0) {
		json_decref(top);
		return e;
	}
	e = qpm_json_write_fp(stdout, top);
	json_decref(top);
	return e;
}

/* what each mailbox of migration.json needs besides its own item */
struct sync_each {
	struct sync_run		*r;
	const struct user	*users;
	size_t			 nusers;
	const char		*sub;	/* the Maildir below the home */
	struct qstr		*src, *dst;
	json_t			*jmbs;
};

/* one item of migration.json's "mailboxes" (mbox_json_each()) */
static int
sync_each(void *arg, json_t *jm)
{
	struct sync_each *x = arg;
	struct sync_run *r = x->r;
	const char *addr = qpm_json_get_str(jm, "address");
	const struct user *u;
	struct sync_mbox mb;
	int e;

	if ((u = user_find(x->users, x->nusers, addr)) == NULL) {
		sync_problem(r, "%s: in migration.json but not in "
		    "dovecot/users; not copied", addr);
		return 0;
	}
	qstr_reset(x->src);
	qstr_reset(x->dst);
	if ((e = qstr_cat(x->src, u->home + (u->home[0] == '/'))) < 0 ||
	    (e = qstr_catf(x->src, "/%s", x->sub)) < 0 ||
	    (e = qstr_catf(x->dst, "%s%s%s/%s", r->dest_root,
	    u->home[0] == '/' ? "" : "/", u->home, x->sub)) < 0)
		return e;
	memset(&mb, 0, sizeof(mb));
	mb.address = addr;
	mb.src = x->src->buf;
	mb.dst = x->dst->buf;
	mb.uid = (uid_t)u->uid;
	mb.gid = (gid_t)u->gid;
	mb.quota_bytes = qpm_json_get_int(jm, "quota_bytes", -1);
	mb.quota_messages = qpm_json_get_int(jm, "quota_messages", -1);
	if ((e = sync_mailbox(r, &mb, x->jmbs)) < 0 ||
	    (e = sync_subscriptions(r, &mb)) < 0)
		return e;
	/* new messages outdate maildirsize: Dovecot's maildir
	 * quota rebuilds a missing one from the users file's limit */
	if (mb.copied && !r->dry_run) {
		qstr_reset(x->src);
		if ((e = qstr_catf(x->src, "%s/maildirsize", mb.dst)) < 0)
			return e;
		if (unlink(x->src->buf) < 0 && errno != ENOENT)
			sync_problem(r, "%s: cannot remove: %s",
			    x->src->buf, strerror(errno));
	}
	return over_quota(r, &mb, x->jmbs);
}

int
sync_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "dest-root", required_argument, NULL, 'd' },
		{ "final", no_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_run r;
	struct qstr sub = QSTR_INIT(PATH_MAX), src = QSTR_INIT(PATH_MAX),
	    dst = QSTR_INIT(PATH_MAX), model = QSTR_INIT(QPM_MAX_STRING);
	struct user *users = NULL;
	struct sync_each x;
	size_t nusers = 0, i, line;
	json_t *jmbs = NULL;
	const char *rootdir = NULL, *out;
	char path[PATH_MAX], why[256];
	int c, e, rc = QPM_EXIT_NOTHING;

	memset(&r, 0, sizeof(r));
	r.root.fd = -1;
	r.dest_root = "";
	r.clock = qpm_clock_system;
	qstr_init(&r.made, PATH_MAX);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rootdir = optarg; break;
		case 'd': r.dest_root = optarg; break;
		case 'F': r.final = 1; break;
		case 'n': r.dry_run = 1; break;
		case 'j': r.json = 1; break;
		case 'q': r.quiet = 1; break;
		case 'v': msg_verbose++; break;
		case 'h': help(); return 0;
		case 'V': qpm_version(PROGRAM_NAME); return 0;
		default: return usage();
		}
	}
	if (optind + 1 != argc || rootdir == NULL)
		return usage();
	out = argv[optind];
	while (strcmp(r.dest_root, "/") == 0)
		r.dest_root = "";
	r.chown = geteuid() == 0;
	r.pid = getpid();
	if ((e = maildir_of(out, &sub)) < 0 ||
	    (e = users_load(out, &users, &nusers)) < 0)
		goto out;
	if (nusers > 1)
		qsort(users, nusers, sizeof(*users), by_login);
	/* the text, not its tree: the items one at a time below */
	if ((e = qpm_snprintf(path, sizeof(path), "%s/migration.json",
	    out)) < 0 || (e = file_read_all(path, QPM_MAX_STRING, 0,
	    &model)) < 0) {
		msg_errorx("%s: cannot read: %s", path, qpm_strerror(e));
		goto out;
	}
	if ((e = rootfs_init(&r.root, rootdir, 0)) < 0) {
		msg_errorx("%s: cannot open the old root: %s", rootdir,
		    qpm_strerror(e));
		goto out;
	}
	if (!r.chown && !r.quiet)
		msg_info("not root: the copies keep this user's ids, not the "
		    "mail user's");
	if (r.json && (jmbs = json_array()) == NULL)
		goto out;
	x.r = &r;
	x.users = users;
	x.nusers = nusers;
	x.sub = sub.buf;
	x.src = &src;
	x.dst = &dst;
	x.jmbs = jmbs;
	e = mbox_json_each(model.buf, model.len, sync_each, &x, &line, why,
	    sizeof(why));
	qstr_free(&model);
	if (e == QPM_ESYNTAX && r.t.mailboxes == 0) {
		msg_errorx("%s:%zu: %s", path, line, why);
		e = 0;
		goto out;	/* nothing done: exit 2 */
	}
	if (e == QPM_ESYNTAX) {	/* stopped at a bad item: exit 1 */
		sync_problem(&r, "%s:%zu: %s; the mailboxes after it not "
		    "copied", path, line, why);
		e = 0;
	} else if (e < 0)
		goto out;
	if ((e = sync_commit(&r)) < 0)
		goto out;
	e = summary(&r, jmbs);
	jmbs = NULL;
	if (e < 0)
		goto out;
	rc = r.t.problems ? QPM_EXIT_PARTIAL : QPM_EXIT_OK;
out:
	/* stopped early: what is written whole still goes into place */
	if (r.batch.n > 0 && sync_commit(&r) < 0)
		msg_errorx("sync: %zu small files not written: %s", r.batch.n,
		    qpm_strerror(QPM_ENOMEM));
	file_batch_free(&r.batch);
	qstr_free(&r.made);
	if (e < 0 && rc == QPM_EXIT_NOTHING)
		msg_errorx("sync stopped: %s", qpm_strerror(e));
	else if (e < 0) {
		msg_errorx("sync stopped: %s", qpm_strerror(e));
		rc = QPM_EXIT_PARTIAL;
	}
	json_decref(jmbs);
	qstr_free(&model);
	strlist_free(&r.problems);
	for (i = 0; i < nusers; i++) {
		free(users[i].login);
		free(users[i].home);
	}
	free(users);
	if (r.root.fd >= 0)
		rootfs_free(&r.root);
	qstr_free(&sub);
	qstr_free(&src);
	qstr_free(&dst);
	return rc;
}
