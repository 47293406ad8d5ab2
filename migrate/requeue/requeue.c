/*
 * NAME		requeue - re-inject the old qmail queue into Postfix
 * DOES		for every message in queue/mess: reads its envelope (todo/ when
 *		qmail-send had not processed it yet, else info/ + local/ +
 *		remote/), keeps only recipients not marked done, undoes
 *		qmail-send's virtualdomains rewriting, and pipes the message
 *		file unchanged into `sendmail -i -f SENDER -- RCPT...`.
 *		A journal beside the queue ("begin" before, "done" after,
 *		each fsync'ed) makes a second run skip what was sent and
 *		refuse to guess about a run that was cut off mid-message.
 * NEVER	deletes or edits a queue file, sends a "D" recipient,
 *		re-sends a message the journal shows as begun, reads a file
 *		outside --root (lib/util/rootfs.h), or reads or writes the
 *		journal through a symlink
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/exits.h"
#include "mail/json.h"
#include "migrate/oldhost/qqueue.h"
#include "migrate/requeue/requeue.h"
#include "util/err.h"
#include "util/feed.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/lines.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/qstr.h"
#include "util/rootfs.h"

#define RQ_MAX_ENVELOPE	(16 * 1024 * 1024)	/* one info/local/remote file */
#define RQ_MAX_VDOMAINS	100000
#define RQ_DEF_TIMEOUT	300	/* s, as srs-forward */

enum rq_state {
	RQ_SENT = 1,		/* re-injected by this run */
	RQ_WOULD_SEND,		/* --dry-run */
	RQ_ALREADY_SENT,	/* the journal says an earlier run did */
	RQ_NOTHING_LEFT,	/* every recipient was delivered by qmail */
	RQ_FAILED,		/* sendmail refused: still in the old queue */
	RQ_INTERRUPTED,		/* begun by an earlier run, never confirmed */
	RQ_UNCOMMITTED,		/* intd/ only: qmail-queue never finished */
	RQ_BROKEN		/* envelope missing or unreadable */
};

struct rq_opts {
	const char	*root;
	const char	*qmaildir;
	const char	*sendmail;
	const char	*config_dir;
	const char	*journal;
	int		 dry_run;
	int		 json;
	int		 retry_interrupted;
	int		 timeout;	/* s without progress from sendmail */
};

struct rq_journal {
	char	**begun, **done;
	size_t	  nbegun, ndone;
	FILE	 *fp;
	const struct rootfs *root;	/* the default journal is opened
					 * inside it; --journal as given */
};

struct rq_run {
	struct rq_opts		 o;
	struct rootfs		 root;		/* every queue file: inside it */
	struct qstr		 qdir;		/* var/qmail/queue, in root */
	struct qq_vdomain	*vd;
	size_t			 nvd;
	char			*vdtext;
	struct rq_journal	 j;
	json_t			*items;
	unsigned		 count[RQ_BROKEN + 1];
};

static const char *
state_name(enum rq_state s)
{
	switch (s) {
	case RQ_SENT:		return "sent";
	case RQ_WOULD_SEND:	return "would-send";
	case RQ_ALREADY_SENT:	return "already-sent";
	case RQ_NOTHING_LEFT:	return "nothing-left";
	case RQ_FAILED:		return "failed";
	case RQ_INTERRUPTED:	return "interrupted";
	case RQ_UNCOMMITTED:	return "uncommitted";
	case RQ_BROKEN:		return "broken";
	}
	return "?";
}

/* 64-bit FNV-1a over the message: with the inode it names one message of
 * a frozen queue, so the journal survives a re-mount of the old disk. */
static int
mess_key(const struct rootfs *root, const char *path, const char *inode,
    char *key, size_t keylen)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	struct stat st;
	ssize_t r, i;
	int fd;

	if ((fd = rootfs_open_file(root, path, ROOTFS_NOFOLLOW, &st)) < 0)
		return fd;
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return QPM_EIO;
		}
		for (i = 0; i < r; i++) {
			h ^= buf[i];
			h *= 0x100000001b3ULL;
		}
	}
	close(fd);
	return qpm_snprintf(key, keylen, "%s-%016llx", inode,
	    (unsigned long long)h) < 0 ? QPM_ERANGE : 0;
}

static int
list_has(char **list, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return 1;
	return 0;
}

static int
list_add(char ***list, size_t *n, const char *key)
{
	char **nl;

	if ((nl = realloc(*list, (*n + 1) * sizeof(*nl))) == NULL)
		return QPM_ENOMEM;
	*list = nl;
	if ((nl[*n] = strdup(key)) == NULL)
		return QPM_ENOMEM;
	(*n)++;
	return 0;
}

static void
list_remove(char **list, size_t *n, const char *key)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(list[i], key) == 0) {
			free(list[i]);
			list[i] = list[--*n];
			return;
		}
}

static void
journal_free(struct rq_journal *j)
{
	size_t i;

	for (i = 0; i < j->nbegun; i++)
		free(j->begun[i]);
	for (i = 0; i < j->ndone; i++)
		free(j->done[i]);
	free(j->begun);
	free(j->done);
	if (j->fp != NULL)
		fclose(j->fp);
	memset(j, 0, sizeof(*j));
}

/* The journal is never read or written through a symlink. */
static int
journal_load(struct rq_journal *j, const char *path)
{
	struct qstr text = QSTR_INIT(QPM_MAX_CONFIG_FILE + 1);
	struct lines lr;
	const char *line;
	size_t len;
	int rc;

	rc = j->root != NULL ? rootfs_read(j->root, path, QPM_MAX_CONFIG_FILE,
	    ROOTFS_NOFOLLOW, &text, NULL) : file_read_all(path,
	    QPM_MAX_CONFIG_FILE, FILE_READ_NOFOLLOW, &text);
	if (rc < 0) {
		qstr_free(&text);
		return rc == QPM_ENOENT ? 0 : rc;
	}
	lines_mem(&lr, path, qstr_str(&text), text.len, 4096);
	while ((rc = lines_next(&lr, &line, &len)) != 0) {
		if (rc < 0) {
			msg_warnx("%s:%lu: line too long, ignored", path,
			    lr.lineno);
			continue;
		}
		if (strncmp(line, "begin ", 6) == 0) {
			const char *sp = strchr(line + 6, ' ');
			char key[128];

			len = sp ? (size_t)(sp - line - 6) : strlen(line + 6);
			if (len >= sizeof(key))
				continue;
			memcpy(key, line + 6, len);
			key[len] = '\0';
			if ((rc = list_add(&j->begun, &j->nbegun, key)) < 0)
				break;
		} else if (strncmp(line, "failed ", 7) == 0) {
			/* sendmail refused it: nothing reached Postfix */
			list_remove(j->begun, &j->nbegun, line + 7);
		} else if (strncmp(line, "done ", 5) == 0) {
			if ((rc = list_add(&j->done, &j->ndone, line + 5)) < 0)
				break;
		} else if (line[0] != '#' && len > 0) {
			msg_warnx("%s:%lu: unknown journal line, ignored",
			    path, lr.lineno);
		}
	}
	lines_close(&lr);
	qstr_free(&text);
	return rc < 0 ? rc : 0;
}

static int
journal_write(struct rq_journal *j, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
journal_write(struct rq_journal *j, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc, fd;

	if (j->fp == NULL) {
		fd = j->root != NULL ? rootfs_open(j->root, path, O_WRONLY |
		    O_APPEND | O_CREAT, ROOTFS_NOFOLLOW) : open(path, O_WRONLY |
		    O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    0600);
		if (fd < 0)
			return errno == ELOOP ? QPM_ELOOP : -errno;
		if ((j->fp = fdopen(fd, "a")) == NULL) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	va_start(ap, fmt);
	rc = vfprintf(j->fp, fmt, ap);
	va_end(ap);
	/* on disk before sendmail runs (begin) or before we go on (done) */
	if (rc < 0 || fflush(j->fp) == EOF || fsync(fileno(j->fp)) < 0)
		return QPM_EIO;
	return 0;
}

static int
read_vdomains(struct rq_run *r)
{
	struct qstr path = QSTR_INIT(QPM_MAX_PATH * 16);
	struct qstr text = QSTR_INIT(QPM_MAX_CONFIG_FILE + 1);
	char *p, *nl, *colon;
	int rc;

	if ((rc = qstr_catf(&path, "%s/control/virtualdomains",
	    r->o.qmaildir)) < 0)
		goto out;
	rc = rootfs_read(&r->root, path.buf, QPM_MAX_CONFIG_FILE,
	    ROOTFS_NOFOLLOW, &text, NULL);
	if (rc == QPM_ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		msg_warnx("%s: cannot read (%s): virtual-domain recipients "
		    "are re-injected as qmail stored them", path.buf,
		    qpm_strerror(rc));
		rc = 0;
		goto out;
	}
	r->vdtext = text.buf;
	text.buf = NULL;
	for (p = r->vdtext; p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if ((colon = strrchr(p, ':')) == NULL || r->nvd >= RQ_MAX_VDOMAINS)
			continue;
		*colon = '\0';
		{
			struct qq_vdomain *nv = realloc(r->vd,
			    (r->nvd + 1) * sizeof(*nv));

			if (nv == NULL) {
				rc = QPM_ENOMEM;
				goto out;
			}
			r->vd = nv;
		}
		r->vd[r->nvd].domain = p;
		r->vd[r->nvd].prepend = colon + 1;
		r->nvd++;
	}
out:
	qstr_free(&path);
	qstr_free(&text);
	return rc;
}

/* Find NAME/[SPLIT/]INODE; split is the mess/ subdirectory. */
static int
queue_file(const struct rq_run *r, const char *name, const char *split,
    const char *inode, struct qstr *out)
{
	struct stat st;

	qstr_reset(out);
	if (split != NULL &&
	    qstr_catf(out, "%s/%s/%s/%s", r->qdir.buf, name, split, inode) == 0 &&
	    rootfs_stat(&r->root, out->buf, ROOTFS_NOFOLLOW, &st) == 0)
		return 1;
	qstr_reset(out);
	if (qstr_catf(out, "%s/%s/%s", r->qdir.buf, name, inode) == 0 &&
	    rootfs_stat(&r->root, out->buf, ROOTFS_NOFOLLOW, &st) == 0)
		return 1;
	return 0;
}

static int
parse_file(const struct rq_run *r, const char *path, struct qq_env *e,
    int kind, const char **why)
{
	struct qstr text = QSTR_INIT(RQ_MAX_ENVELOPE + 1);
	int rc;

	if ((rc = rootfs_read(&r->root, path, RQ_MAX_ENVELOPE, ROOTFS_NOFOLLOW,
	    &text, NULL)) < 0) {
		*why = rootfs_strerror(rc);
		qstr_free(&text);
		return rc;
	}
	switch (kind) {
	case 'i':
		rc = qq_parse_info(e, text.buf ? text.buf : "", text.len, why);
		break;
	case 't':
		rc = qq_parse_todo(e, text.buf ? text.buf : "", text.len, why);
		break;
	default:
		rc = qq_parse_rcpts(e, text.buf ? text.buf : "", text.len,
		    kind == 'r', why);
		break;
	}
	qstr_free(&text);
	return rc;
}

/* 0 only when sendmail read the whole message and exited 0 within the
 * time limit; QPM_ETEMP when it refused (exit non-zero: Postfix's
 * sendmail queued nothing); QPM_EIO when nobody can tell whether a copy
 * was queued (killed, timed out, stopped reading, exit 0 with bytes
 * unread). */
static int
inject(const struct rq_run *r, const char *mess, const struct qq_env *e,
    char **rcpts, size_t n, struct qstr *why)
{
	const char **argv;
	char said[FEED_CAPTURE * 4];
	struct feed ch;
	size_t a = 0, i;
	int fd, status, unread, err, rc = QPM_EIO;
	const char *sender = e->sender;
	struct stat st;

	/* qmail writes a double bounce's sender as #@[]: Postfix's is <> */
	if (strcmp(sender, "#@[]") == 0)
		sender = "";
	if ((argv = calloc(n + 9, sizeof(*argv))) == NULL)
		return QPM_ENOMEM;
	argv[a++] = r->o.sendmail;
	if (r->o.config_dir != NULL) {
		argv[a++] = "-C";
		argv[a++] = r->o.config_dir;
	}
	argv[a++] = "-i";
	argv[a++] = "-f";
	argv[a++] = sender;
	argv[a++] = "--";
	for (i = 0; i < n; i++)
		argv[a++] = rcpts[i];
	argv[a] = NULL;
	if ((fd = rootfs_open_file(&r->root, mess, ROOTFS_NOFOLLOW, &st)) < 0) {
		qstr_catf(why, "cannot open message: %s", rootfs_strerror(fd));
		free(argv);
		return QPM_EIO;
	}
	fflush(NULL);
	feed_init(&ch);
	if (feed_start(&ch, r->o.sendmail, (char **)argv, r->o.timeout,
	    &err) < 0) {
		qstr_catf(why, "cannot run %s: %s", r->o.sendmail,
		    strerror(err != 0 ? err : errno));
		rc = QPM_ETEMP;
		goto out;
	}
	if ((err = feed_copy(&ch, fd)) == -1)
		goto timeout;
	if (err < 0) {
		qstr_catf(why, "cannot read the message (%s): %s killed "
		    "before the end of it; it may or may not have queued a "
		    "cut copy", strerror(errno), r->o.sendmail);
		goto out;
	}
	if (ch.in_broken) {
		feed_kill(&ch);
		(void)feed_finish(&ch, &status, &unread);
		qstr_catf(why, "%s stopped reading the message (%s): it "
		    "may or may not have queued a cut copy", r->o.sendmail,
		    feed_said(&ch, said, sizeof(said)));
		goto out;
	}
	if (feed_finish(&ch, &status, &unread) < 0)
		goto timeout;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !unread) {
		rc = 0;
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		qstr_catf(why, "%s exited 0 without reading the whole "
		    "message (%s): it may or may not have queued a cut copy",
		    r->o.sendmail, feed_said(&ch, said, sizeof(said)));
		goto out;
	}
	if (WIFEXITED(status)) {
		/* Postfix's sendmail exits non-zero only after postdrop
		 * removed its queue file: nothing was accepted */
		qstr_catf(why, "%s exited %d (%s)", r->o.sendmail,
		    WEXITSTATUS(status), feed_said(&ch, said, sizeof(said)));
		rc = QPM_ETEMP;
		goto out;
	}
	qstr_catf(why, "%s killed by signal %d: it may or may not have "
	    "queued the message", r->o.sendmail,
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	goto out;
timeout:
	qstr_catf(why, "%s made no progress for %d s: killed; it may or may "
	    "not have queued the message", r->o.sendmail, r->o.timeout);
out:
	feed_close(&ch);
	close(fd);
	free(argv);
	return rc;
}

static void
record(struct rq_run *r, const char *inode, const struct qq_env *e,
    char **rcpts, size_t n, enum rq_state s, const char *why)
{
	json_t *it = json_object(), *arr = json_array();
	size_t i;

	r->count[s]++;
	qpm_json_set_str(it, "queue_id", inode);
	qpm_json_set_str(it, "state", state_name(s));
	if (e != NULL && e->have_sender)
		qpm_json_set_str(it, "sender", e->sender);
	for (i = 0; i < n; i++)
		qpm_json_append(arr, json_string(rcpts[i]));
	qpm_json_set(it, "recipients", arr);
	if (why != NULL)
		qpm_json_set_str(it, "reason", why);
	qpm_json_append(r->items, it);
	if (r->o.json)
		return;
	printf("%-12s %-13s <%s> %zu recipient%s%s%s\n", inode,
	    state_name(s), e != NULL && e->have_sender ? e->sender : "?", n,
	    n == 1 ? "" : "s", why ? ": " : "", why ? why : "");
}

static void
do_message(struct rq_run *r, const char *split, const char *inode,
    const char *mess)
{
	struct qstr path = QSTR_INIT(QPM_MAX_PATH * 16), why = QSTR_INIT(4096);
	struct qq_env e = { 0 };
	const char *w = NULL;
	char key[128], addr[QPM_MAX_ADDRESS * 2 + 2];
	char **rcpts = NULL;
	size_t i, n = 0;
	int rc;

	if (queue_file(r, "todo", split, inode, &path)) {
		if (parse_file(r, path.buf, &e, 't', &w) < 0) {
			qstr_catf(&why, "%s: %s", path.buf, w);
			goto broken;
		}
	} else if (queue_file(r, "info", split, inode, &path)) {
		if (parse_file(r, path.buf, &e, 'i', &w) < 0) {
			qstr_catf(&why, "%s: %s", path.buf, w);
			goto broken;
		}
		if (queue_file(r, "local", split, inode, &path) &&
		    parse_file(r, path.buf, &e, 'l', &w) < 0) {
			qstr_catf(&why, "%s: %s", path.buf, w);
			goto broken;
		}
		if (queue_file(r, "remote", split, inode, &path) &&
		    parse_file(r, path.buf, &e, 'r', &w) < 0) {
			qstr_catf(&why, "%s: %s", path.buf, w);
			goto broken;
		}
	} else if (queue_file(r, "intd", split, inode, &path)) {
		record(r, inode, NULL, NULL, 0, RQ_UNCOMMITTED,
		    "qmail-queue never finished this message (intd/ only): "
		    "the sender was not told it was accepted");
		goto out;
	} else {
		qstr_cat(&why, "no envelope (neither todo/ nor info/): qmail "
		    "itself would not deliver it; inspect the file by hand");
		goto broken;
	}
	if ((rcpts = calloc(e.n ? e.n : 1, sizeof(*rcpts))) == NULL)
		goto out;
	for (i = 0; i < e.n; i++) {
		if (e.rcpt[i].done)
			continue;
		rc = e.rcpt[i].remote ? (int)qpm_snprintf(addr, sizeof(addr),
		    "%s", e.rcpt[i].addr) : qq_unrewrite(e.rcpt[i].addr, r->vd,
		    r->nvd, addr, sizeof(addr));
		if (rc < 0 || (rcpts[n] = strdup(addr)) == NULL) {
			qstr_catf(&why, "recipient too long: %s",
			    e.rcpt[i].addr);
			goto broken;
		}
		n++;
	}
	if (n == 0) {
		record(r, inode, &e, NULL, 0, RQ_NOTHING_LEFT,
		    "every recipient was already delivered by qmail");
		goto out;
	}
	if ((rc = mess_key(&r->root, mess, inode, key, sizeof(key))) < 0) {
		qstr_catf(&why, "%s: %s", mess, rootfs_strerror(rc));
		goto broken;
	}
	if (list_has(r->j.done, r->j.ndone, key)) {
		record(r, inode, &e, rcpts, n, RQ_ALREADY_SENT,
		    "re-injected by an earlier run");
		goto out;
	}
	if (list_has(r->j.begun, r->j.nbegun, key) && !r->o.retry_interrupted) {
		record(r, inode, &e, rcpts, n, RQ_INTERRUPTED,
		    "an earlier run started sending it and was cut off; look "
		    "for it in Postfix's log, then re-run with "
		    "--retry-interrupted if it is not there");
		goto out;
	}
	if (r->o.dry_run) {
		record(r, inode, &e, rcpts, n, RQ_WOULD_SEND, NULL);
		goto out;
	}
	if ((rc = journal_write(&r->j, r->o.journal, "begin %s %zu\n", key,
	    n)) < 0) {
		qstr_catf(&why, "%s: cannot write the journal (%s): not sent",
		    r->o.journal, qpm_strerror(rc));
		record(r, inode, &e, rcpts, n, RQ_FAILED, why.buf);
		goto out;
	}
	if ((rc = inject(r, mess, &e, rcpts, n, &why)) < 0) {
		/* sendmail said no: nothing reached Postfix, so the next run
		 * may send it. Killed half-way: leave it begun, so nobody
		 * sends it twice without looking. */
		if (rc == QPM_ETEMP)
			journal_write(&r->j, r->o.journal, "failed %s\n", key);
		record(r, inode, &e, rcpts, n, rc == QPM_ETEMP ? RQ_FAILED :
		    RQ_INTERRUPTED, why.buf);
		goto out;
	}
	if ((rc = journal_write(&r->j, r->o.journal, "done %s\n", key)) < 0)
		msg_warnx("%s: sent %s but cannot record it (%s): do not run "
		    "requeue again before fixing the journal", r->o.journal,
		    inode, qpm_strerror(rc));
	record(r, inode, &e, rcpts, n, RQ_SENT, NULL);
	goto out;
broken:
	record(r, inode, e.have_sender ? &e : NULL, NULL, 0, RQ_BROKEN,
	    why.buf);
out:
	for (i = 0; i < n; i++)
		free(rcpts[i]);
	free(rcpts);
	qq_env_free(&e);
	qstr_free(&path);
	qstr_free(&why);
}

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
cmp_str(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	/* numeric order of inode names, so runs list in a stable order */
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* Messages of one mess/ folder (split is NULL for an unsplit queue). */
static int
scan_dir(struct rq_run *r, const char *dir, const char *split)
{
	struct qstr p = QSTR_INIT(QPM_MAX_PATH * 16);
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;
	DIR *d;

	if ((d = rootfs_opendir(&r->root, dir, ROOTFS_NOFOLLOW)) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (!is_number(de->d_name))
			continue;
		if (list_add(&names, &n, de->d_name) < 0)
			break;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		qstr_reset(&p);
		if (qstr_catf(&p, "%s/%s", dir, names[i]) < 0 ||
		    rootfs_stat(&r->root, p.buf, ROOTFS_NOFOLLOW, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && split == NULL)
			scan_dir(r, p.buf, names[i]);
		else if (S_ISREG(st.st_mode))
			do_message(r, split, names[i], p.buf);
		else
			msg_warnx("%s: neither a message nor a split folder",
			    p.buf);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	qstr_free(&p);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: qmail2postfix requeue --root OLD_ROOT "
	    "[--qmail-dir P] [--sendmail PATH] [-C POSTFIX_CONFIG_DIR]\n"
	    "       [--journal FILE] [--timeout S] [--dry-run] "
	    "[--retry-interrupted] [--json]\n");
	return QPM_EXIT_NOTHING;
}

int
requeue_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "qmail-dir", required_argument, NULL, 'q' },
		{ "sendmail", required_argument, NULL, 's' },
		{ "config-dir", required_argument, NULL, 'C' },
		{ "journal", required_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "retry-interrupted", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'J' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rq_run r;
	struct qstr qmaildir = QSTR_INIT(QPM_MAX_PATH * 16);
	struct qstr journal = QSTR_INIT(QPM_MAX_PATH * 16);
	struct qstr mess = QSTR_INIT(QPM_MAX_PATH * 16);
	const char *qd = "/var/qmail";
	int c, rc, exit_code = QPM_EXIT_NOTHING;
	long lv;
	unsigned bad;

	memset(&r, 0, sizeof(r));
	r.root.fd = -1;
	qstr_init(&r.qdir, QPM_MAX_PATH * 16);
	r.o.sendmail = QPM_SENDMAIL;
	r.o.timeout = RQ_DEF_TIMEOUT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "C:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': r.o.root = optarg; break;
		case 'q': qd = optarg; break;
		case 's': r.o.sendmail = optarg; break;
		case 'C': r.o.config_dir = optarg; break;
		case 'j': r.o.journal = optarg; break;
		case 'n': r.o.dry_run = 1; break;
		case 'R': r.o.retry_interrupted = 1; break;
		case 'J': r.o.json = 1; break;
		case 'T':
			if (num_parse_long(optarg, 1, 86400, &lv) < 0) {
				msg_errorx("--timeout %s: want 1 to 86400 "
				    "seconds", optarg);
				return usage();
			}
			r.o.timeout = (int)lv;
			break;
		case 'h':
			printf("qmail2postfix requeue: re-inject mail still "
			    "queued on the old host into Postfix\n");
			return 0;
		default:
			return usage();
		}
	}
	if (r.o.root == NULL || optind != argc)
		return usage();
	/* paths below are the old host's, resolved inside --root */
	if (qstr_cat(&qmaildir, qd) < 0 ||
	    qstr_catf(&r.qdir, "%s/queue", qmaildir.buf) < 0 ||
	    qstr_catf(&mess, "%s/mess", r.qdir.buf) < 0)
		goto out;
	if ((rc = rootfs_init(&r.root, r.o.root, 0)) < 0) {
		msg_errorx("%s/%s: cannot read the queue: %s", r.o.root,
		    mess.buf, qpm_strerror(rc));
		goto out;
	}
	r.o.qmaildir = qmaildir.buf;
	if (r.o.journal == NULL) {
		if (qstr_catf(&journal, "%s/qmail2postfix-requeue.journal",
		    r.qdir.buf) < 0)
			goto out;
		r.o.journal = journal.buf;
		r.j.root = &r.root;
	}
	if (read_vdomains(&r) < 0)
		goto out;
	if ((rc = journal_load(&r.j, r.o.journal)) < 0) {
		msg_errorx("%s: cannot read the journal: %s", r.o.journal,
		    qpm_strerror(rc));
		goto out;
	}
	if ((r.items = json_array()) == NULL)
		goto out;
	if ((rc = scan_dir(&r, mess.buf, NULL)) < 0) {
		msg_errorx("%s: cannot read the queue: %s", mess.buf,
		    qpm_strerror(rc));
		goto out;
	}
	if (r.o.json) {
		json_t *top = json_object();

		qpm_json_set(top, "messages", json_incref(r.items));
		qpm_json_set_bool(top, "dry_run", r.o.dry_run);
		qpm_json_write_fp(stdout, top);
		json_decref(top);
	} else {
		printf("requeue: %u sent, %u would be sent, %u sent earlier, "
		    "%u fully delivered by qmail, %u failed, %u interrupted, "
		    "%u uncommitted, %u broken\n", r.count[RQ_SENT],
		    r.count[RQ_WOULD_SEND], r.count[RQ_ALREADY_SENT],
		    r.count[RQ_NOTHING_LEFT], r.count[RQ_FAILED],
		    r.count[RQ_INTERRUPTED], r.count[RQ_UNCOMMITTED],
		    r.count[RQ_BROKEN]);
	}
	bad = r.count[RQ_FAILED] + r.count[RQ_INTERRUPTED] +
	    r.count[RQ_UNCOMMITTED] + r.count[RQ_BROKEN];
	exit_code = bad ? QPM_EXIT_PARTIAL : QPM_EXIT_OK;
out:
	json_decref(r.items);
	journal_free(&r.j);
	rootfs_free(&r.root);
	free(r.vd);
	free(r.vdtext);
	qstr_free(&r.qdir);
	qstr_free(&qmaildir);
	qstr_free(&journal);
	qstr_free(&mess);
	return exit_code;
}
