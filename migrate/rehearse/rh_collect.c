/*
 * NAME		rh_collect - where each probe of a rehearsal ended
 * DOES		waits for the queue to settle, then reads what is on disk:
 *		the Maildirs (whose, by Dovecot's users file), the sink's
 *		files (forwards, DSNs, the envelopes for the SRS checks),
 *		the pipe recorder's records (the command as it ran) and
 *		what is still queued; compares each probe with the model
 * NEVER	takes a result from the migration model, follows a symlink
 */
#include <config.h>

#include <ctype.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/rehearse/rh_int.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/strlist.h"

#define RH_MAX_DSN	(4 * 1024 * 1024)	/* a DSN read whole */

static struct rh_run *walk_run;	/* nftw has no user pointer */
static size_t walk_count;
static json_t *walk_ids;	/* queue file names (a set) */
static json_t *walk_homes;	/* home -> [index of each of its users] */
static int walk_batches;	/* the batches' messages, not the probes' */
static json_t *walk_lmtp;	/* LMTP transaction id -> address (batches) */
static json_t *walk_fwd;	/* "BATCH TAB target" -> address (batches) */
static json_t *walk_recs;	/* [{probe, from, rcpt}] of the batches */

static int
count_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	if (flag == FTW_F) {
		walk_count++;
		if (walk_ids != NULL)
			json_object_set_new_nocheck(walk_ids, path + f->base,
			    json_true());
	}
	return 0;
}

/* files in the queues where mail is still moving (or, with ids, every
 * queue), for settling and for "deferred" */
static size_t
queue_files(struct rh_run *r, int all, json_t *ids)
{
	static const char *const moving[] = { "maildrop", "incoming", "active",
	    "hold", NULL };
	static const char *const every[] = { "maildrop", "incoming", "active",
	    "hold", "deferred", NULL };
	const char *const *q = all ? every : moving;
	char dir[1024];
	size_t i;

	walk_count = 0;
	walk_ids = ids;
	for (i = 0; q[i] != NULL; i++)
		if (rh_path_join(dir, sizeof(dir), r->pf_queue, q[i]) >= 0)
			nftw(dir, count_entry, 16, FTW_PHYS);
	walk_ids = NULL;
	return walk_count;
}

void
rh_settle(struct rh_run *r)
{
	struct timespec ts = { 0, 100000000 };
	long tenths = (long)r->timeout * 10;
	int quiet = 0;

	while (tenths-- > 0 && !rh_interrupted) {
		if (queue_files(r, 0, NULL) == 0) {
			if (++quiet >= 3)
				return;
		} else
			quiet = 0;
		nanosleep(&ts, NULL);
	}
	if (!rh_interrupted)
		msg_warnx("the queue did not settle in %d s; what is left counts "
		    "as deferred", r->timeout);
}

/* --------------------------------------------------- the files on disk */

static ssize_t
read_head(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	while ((size_t)got < size - 1 &&
	    (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* the probe whose Message-ID or sender key is, in the walk for the
 * probes (a batch's: NULL) */
static struct rh_probe *
probe_by(struct rh_run *r, const char *key)
{
	json_t *v = json_object_get(r->by_id, key);

	if (walk_batches || !json_is_integer(v) || json_integer_value(v) < 0 ||
	    (size_t)json_integer_value(v) >= r->nprobes)
		return NULL;
	return &r->probes[json_integer_value(v)];
}

/* the batch whose Message-ID or sender key is, in the walk for the
 * batches (a probe's: NULL) */
static struct rh_batch *
batch_by(struct rh_run *r, const char *key)
{
	json_t *v = json_object_get(r->by_id, key);
	json_int_t b = json_is_integer(v) ? -1 - json_integer_value(v) : -1;

	if (!walk_batches || b < 0 || (size_t)b >= r->nbatches)
		return NULL;
	return &r->batches[b];
}

/* the id in the first Received: field of head, folded or not, when it
 * is Dovecot's LMTP's ("by HOST with LMTP id ID (envelope-from ...)") */
static int
lmtp_id(const char *head, char *id, size_t size)
{
	const char *p = head, *end, *w;
	size_t n;

	while (strncasecmp(p, "Received:", 9) != 0) {
		if (*p == '\n' || *p == '\r' || (p = strchr(p, '\n')) == NULL)
			return -1;
		p++;
	}
	for (end = strchr(p, '\n'); end != NULL && (end[1] == ' ' ||
	    end[1] == '\t'); end = strchr(end + 1, '\n'))
		;
	if (end == NULL)
		end = p + strlen(p);
	if ((w = memmem(p, (size_t)(end - p), "with LMTP", 9)) == NULL)
		return -1;
	for (w += 9; w < end && strchr(" \t\r\n", *w) != NULL; w++)
		;
	if (end - w < 3 || strncmp(w, "id", 2) != 0 ||
	    strchr(" \t\r\n", w[2]) == NULL)
		return -1;
	for (w += 2; w < end && strchr(" \t\r\n", *w) != NULL; w++)
		;
	if ((n = strcspn(w, " \t\r\n;(")) == 0 || n >= size ||
	    w + n > end)
		return -1;
	memcpy(id, w, n);
	id[n] = '\0';
	return 0;
}

static struct rh_probe *batch_member_as(struct rh_run *, struct rh_batch *,
    const char *, int);

/* the member of batch bt whose address is a (case aside), not already
 * to be probed again; else NULL and bt is probed again */
static struct rh_probe *
batch_member(struct rh_run *r, struct rh_batch *bt, const char *a)
{
	return batch_member_as(r, bt, a, 0);
}

/* 1 when a names address addr: the same (case aside), or, with qmail,
 * as qmail-local's RECIPIENT does: PREFIX-LOCAL@HOST (virtualdomains) */
static int
names(const char *a, const char *addr, int qmail)
{
	size_t al = strlen(a), l = strlen(addr);

	return strcasecmp(a, addr) == 0 || (qmail && al > l + 1 &&
	    a[al - l - 1] == '-' && strcasecmp(a + al - l, addr) == 0);
}

static struct rh_probe *
batch_member_as(struct rh_run *r, struct rh_batch *bt, const char *a,
    int qmail)
{
	struct rh_probe *pr, *hit = NULL;
	size_t k, n = 0;

	for (k = 0; a != NULL && k < bt->n; k++) {
		pr = &r->probes[r->bmembers[bt->first + k]];
		if (!pr->redo && names(a, pr->addr, qmail)) {
			hit = pr;
			n++;
		}
	}
	if (n != 1) {
		bt->redo = 1;
		hit = NULL;
	}
	return hit;
}

/* The address of batch bt a copy of it was for: Dovecot's LMTP names
 * the transaction in its Received: field, Postfix's maillog the address
 * that came in for it (walk_lmtp); one address of the batch it
 * accepted, else NULL and the batch shows nothing */
static struct rh_probe *
batch_copy(struct rh_run *r, struct rh_batch *bt, const char *head)
{
	char id[256];

	return batch_member(r, bt, lmtp_id(head, id, sizeof(id)) == 0 ?
	    qpm_json_opt_str(walk_lmtp, id) : NULL);
}

/* key ("BATCH TAB address", lower case) -> v in walk_fwd; a key seen
 * twice -> null: nobody's */
static void
fwd_note(size_t b, const char *to, const char *orig)
{
	char key[QPM_MAX_ADDRESS + 32], *c;

	if (qpm_snprintf(key, sizeof(key), "%zu\t%s", b, to) < 0)
		return;
	for (c = key; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	if (json_object_get(walk_fwd, key) != NULL)
		json_object_set_new_nocheck(walk_fwd, key, json_null());
	else
		json_object_set_new_nocheck(walk_fwd, key,
		    json_string_nocheck(orig));
}

/* One maillog line: "... QID: removed" counts for a batch's message;
 * "... QID: to=<TO>, orig_to=<ORIG>, ... status=sent (250 2.0.0 <TO>
 * ID Saved)" (Dovecot's LMTP) maps ID to ORIG (or TO); any other
 * "status=sent" (a forward: the srsfwd pipe, the sink) maps TO to ORIG
 * (fwd_note).  An ID of an LMTP transaction with several recipients
 * (ID:Rn), or seen twice, attributes nothing: its batch is probed
 * again. */
static void
log_line(struct rh_run *r, json_t *qids, char *line, size_t *removed)
{
	char *q, *e, *to, *orig, *sent, *id;
	json_t *v;
	struct rh_batch *bt;

	if ((q = strstr(line, "]: ")) == NULL)
		return;
	q += 3;
	if ((e = strstr(q, ": ")) == NULL)
		return;
	*e = '\0';
	if ((v = json_object_get(qids, q)) == NULL)
		return;
	bt = &r->batches[json_integer_value(v)];
	e += 2;
	if (strncmp(e, "removed", 7) == 0) {
		(*removed)++;
		return;
	}
	if (strncmp(e, "to=<", 4) != 0 ||
	    (sent = strstr(e, ", status=sent (")) == NULL)
		return;
	to = e + 4;
	to[strcspn(to, ">")] = '\0';
	if ((orig = strstr(to + strlen(to) + 1, "orig_to=<")) != NULL &&
	    orig < sent) {
		orig += 9;
		orig[strcspn(orig, ">")] = '\0';
	} else
		orig = to;
	sent += 15;
	if (strncmp(sent, "250 ", 4) != 0 || (id = strstr(sent, "> ")) == NULL ||
	    strstr(id, " Saved)") == NULL) {
		fwd_note((size_t)json_integer_value(v), to, orig);
		return;
	}
	id += 2;
	id[strcspn(id, " ")] = '\0';
	if (strstr(id, ":R") != NULL || json_object_get(walk_lmtp, id) != NULL) {
		bt->redo = 1;
		json_object_set_new(walk_lmtp, id, json_null());
	} else
		json_object_set_new_nocheck(walk_lmtp, id, json_string_nocheck(orig));
}

/* Postfix's maillog (postlogd writes it a little after the deliveries)
 * until it says "removed" of each batch's message that left the queue
 * (ids: what is still queued), or the timeout; read as it grows */
static void
batch_log(struct rh_run *r, json_t *ids)
{
	struct qstr acc = QSTR_INIT(1024 * 1024);
	struct timespec ts = { 0, 100000000 };
	json_t *qids = json_object();
	char path[700], buf[65536], *line, *nl;
	size_t b, want = 0, removed = 0;
	double end = qpm_clock_mono() + r->timeout;
	ssize_t n;
	int fd;

	for (b = 0; b < r->nbatches; b++) {
		if (r->batches[b].qid[0] == '\0')
			continue;
		if (json_object_get(ids, r->batches[b].qid) != NULL) {
			r->batches[b].redo = 1;		/* still queued */
			continue;
		}
		json_object_set_new(qids, r->batches[b].qid,
		    json_integer((json_int_t)b));
		want++;
	}
	if (rh_path_join(path, sizeof(path), r->tmp, "pf/maillog") < 0 ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		for (b = 0; b < r->nbatches; b++)
			r->batches[b].redo = 1;
		goto out;
	}
	while (removed < want && !rh_interrupted) {
		if ((n = read(fd, buf, sizeof(buf))) > 0) {
			/* a line longer than 1 MB is no delivery line */
			if (qstr_catn(&acc, buf, (size_t)n) < 0)
				qstr_reset(&acc);
			for (line = acc.buf; (nl = memchr(line, '\n', acc.len -
			    (size_t)(line - acc.buf))) != NULL; line = nl + 1) {
				*nl = '\0';
				log_line(r, qids, line, &removed);
			}
			n = (ssize_t)(line - acc.buf);
			memmove(acc.buf, line, acc.len - (size_t)n);
			acc.len -= (size_t)n;
			continue;
		}
		if (qpm_clock_mono() > end)
			break;
		nanosleep(&ts, NULL);
	}
	close(fd);
out:
	json_decref(qids);
	qstr_free(&acc);
}

static int
maildir_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[RH_MAX_HEADER];
	struct qstr id = QSTR_INIT(1024), where = QSTR_INIT(4096);
	const char *dir, *sender;
	struct rh_probe *pr;
	struct rh_batch *bt = NULL;
	size_t rl = strlen(r->mail_root), dl, i;
	json_t *u;
	int owned = 0;

	(void)st;
	if (flag != FTW_F || f->base < 5)
		goto out;
	dir = path + f->base - 4;	/* "new/" or "cur/" */
	if (strncmp(dir, "new/", 4) != 0 && strncmp(dir, "cur/", 4) != 0)
		goto out;
	if (read_head(path, buf, sizeof(buf)) < 0 ||
	    rh_header_value(buf, strlen(buf), "Message-ID", &id) != 1)
		goto out;
	if ((pr = probe_by(r, qstr_str(&id))) == NULL &&
	    ((bt = batch_by(r, qstr_str(&id))) == NULL ||
	    (pr = batch_copy(r, bt, buf)) == NULL))
		goto out;
	sender = bt != NULL ? bt->sender : pr->sender;
	/* a local delivery keeps the probe's sender (no SRS) */
	qstr_reset(&id);
	if (rh_header_value(buf, strlen(buf), "Return-Path", &id) == 1 &&
	    strcasecmp(qstr_str(&id), sender) == 0)
		r->local_ok++;
	else if (r->local_bad++ == 0)
		qpm_snprintf(r->local_bad_ex, sizeof(r->local_bad_ex),
		    "%s: Return-Path <%s>, not <%s>", path + rl, qstr_str(&id),
		    sender);
	/* whose Maildir this is: every user of Dovecot's userdb (the
	 * users file the rehearsal's Dovecot serves) with this home, as
	 * IMAP would show it; else the path as the old host named it */
	dl = (size_t)(dir - path) - 1;		/* without "/new/..." */
	if (dl <= rl || strncmp(path, r->mail_root, rl) != 0)
		goto out;
	if (dl - rl > 8 && strncmp(path + dl - 8, "/Maildir", 8) == 0 &&
	    qstr_catn(&where, path, dl - 8) == 0) {
		json_array_foreach(json_object_get(walk_homes, qstr_str(&where)),
		    i, u) {
			strlist_add_unique(&pr->got.mailboxes,
			    r->home_users.v[json_integer_value(u)]);
			owned = 1;
		}
		qstr_reset(&where);
	}
	if (!owned && qstr_catf(&where, "%.*s/", (int)(dl - rl),
	    path + rl) == 0)
		strlist_add_unique(&pr->got.mailboxes, where.buf);
out:
	qstr_free(&id);
	qstr_free(&where);
	return 0;
}

/* "<addr> ARGS" -> addr */
static void
angle(const char *v, char *out, size_t size)
{
	const char *e;

	out[0] = '\0';
	if (*v == '<')
		v++;
	e = v + strcspn(v, "> \t\r\n");
	if ((size_t)(e - v) < size) {
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
	}
}

/* a copy of batch bt at the sink for rcpt, sent from <from>: the
 * address the maillog says it came in for (relay=srsfwd or the sink,
 * orig_to), when that is one member's; the envelope kept for the SRS
 * checks (walk_recs) */
static void
batch_forward(struct rh_run *r, struct rh_batch *bt, const char *from,
    const char *rcpt)
{
	char key[QPM_MAX_ADDRESS + 32], *c;
	struct rh_probe *pr;
	json_t *o;

	if (from[0] == '\0' || qpm_snprintf(key, sizeof(key), "%zu\t%s",
	    (size_t)(bt - r->batches), rcpt) < 0) {
		bt->redo = 1;
		return;
	}
	for (c = key; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	if ((pr = batch_member(r, bt, qpm_json_opt_str(walk_fwd, key))) == NULL)
		return;
	strlist_add_unique(&pr->got.forwards, rcpt);
	if (walk_recs != NULL && (o = json_object()) != NULL) {
		qpm_json_set_int(o, "probe", (long long)(pr - r->probes));
		qpm_json_set_str(o, "from", from);
		qpm_json_set_str(o, "rcpt", rcpt);
		qpm_json_append(walk_recs, o);
	}
}

/* "rfc822; a" or "rfc822;a" -> a */
static void
dsn_addr(const char *v, char *out, size_t size)
{
	const char *semi = strchr(v, ';');

	v = semi != NULL ? semi + 1 : v;
	v += strspn(v, " \t");
	out[0] = '\0';
	if (strcspn(v, " \t\r\n") < size)
		qpm_snprintf(out, size, "%.*s", (int)strcspn(v, " \t\r\n"), v);
}

size_t
rh_dsn_blocks(const char *text, void (*each)(void *arg, const char *fin,
    const char *orig, const char *diag, size_t dlen), void *arg)
{
	char fin[QPM_MAX_ADDRESS + 1], orig[QPM_MAX_ADDRESS + 1];
	const char *p, *diag = NULL, *eol;
	size_t nblocks = 0;
	int end;

	fin[0] = orig[0] = '\0';
	/* the blocks: a Final-Recipient: line on, to an empty line */
	for (p = text; p != NULL && *p != '\0'; p = *eol ? eol + 1 : NULL) {
		eol = p + strcspn(p, "\n");
		end = *eol == '\0';
		if (strncasecmp(p, "Final-Recipient:", 16) == 0)
			dsn_addr(p + 16, fin, sizeof(fin));
		else if (fin[0] != '\0' && strncasecmp(p, "Original-Recipient:",
		    19) == 0)
			dsn_addr(p + 19, orig, sizeof(orig));
		else if (fin[0] != '\0' && strncasecmp(p, "Diagnostic-Code:",
		    16) == 0)
			diag = p + 16;
		else if (*p == '\n' || *p == '\r')
			end = 1;
		if (end && fin[0] != '\0') {
			nblocks++;
			each(arg, fin, orig, diag, diag != NULL ?
			    strcspn(diag, "\r\n") : 0);
			fin[0] = orig[0] = '\0';
			diag = NULL;
		}
	}
	return nblocks;
}

struct dsn_for {
	struct rh_run	*r;
	struct rh_batch	*bt;
};

/* one recipient block of a batch's DSN to its member, as a DSN of its
 * own would give it */
static void
dsn_block(void *arg, const char *fin, const char *orig, const char *diag,
    size_t dlen)
{
	struct dsn_for *d = arg;
	struct rh_probe *pr;

	if ((pr = batch_member(d->r, d->bt, orig[0] ? orig : fin)) == NULL)
		return;
	pr->dsn = 1;
	if (diag != NULL) {
		if (pr->got.detail.len > 0)
			qstr_cat(&pr->got.detail, "; ");
		qstr_catf(&pr->got.detail, "DSN: %.*s", (int)dlen, diag);
	}
}

/* A DSN to batch bt's sender: each recipient block (Final-Recipient,
 * Original-Recipient when Postfix names the address that came in,
 * Diagnostic-Code) to its member; a block that is no one member's, or a
 * DSN without one, and bt is probed again */
static void
batch_dsn(struct rh_run *r, struct rh_batch *bt, const char *path)
{
	struct qstr t = QSTR_INIT(RH_MAX_DSN);
	struct dsn_for d = { r, bt };

	if (file_read_all(path, RH_MAX_DSN, FILE_READ_NOFOLLOW, &t) < 0 ||
	    rh_dsn_blocks(qstr_str(&t), dsn_block, &d) == 0)
		bt->redo = 1;
	qstr_free(&t);
}

static int
sink_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[4 * RH_MAX_HEADER];
	struct qstr id = QSTR_INIT(1024);
	char from[1024], rcpt[1024];
	const char *p, *eol, *dc;
	struct rh_probe *pr, *dsn_for;
	struct strlist rcpts = { 0 };
	size_t i;
	ssize_t n;

	(void)st;
	(void)f;
	if (flag != FTW_F || (n = read_head(path, buf, sizeof(buf))) < 0)
		return 0;
	from[0] = '\0';
	for (p = buf; *p != '\0' && *p != '\n'; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (strncmp(p, "X-Mail-Args: ", 13) == 0)
			angle(p + 13, from, sizeof(from));
		else if (strncmp(p, "X-Rcpt-Args: ", 13) == 0) {
			angle(p + 13, rcpt, sizeof(rcpt));
			strlist_add(&rcpts, rcpt);
		}
	}
	pr = rh_header_value(buf, (size_t)n, "Message-ID", &id) == 1 ?
	    probe_by(r, qstr_str(&id)) : NULL;
	/* a batch's forward (each target one address's, by the maillog) or
	 * DSN (each failed recipient named) */
	if (walk_batches) {
		struct rh_batch *bt = id.len > 0 ? batch_by(r, qstr_str(&id)) : NULL;

		for (i = 0; bt != NULL && i < rcpts.n; i++)
			batch_forward(r, bt, from, rcpts.v[i]);
		for (i = 0; i < rcpts.n; i++)
			if (from[0] == '\0' && (bt = batch_by(r, rcpts.v[i])) != NULL)
				batch_dsn(r, bt, path);
		goto out;
	}
	/* envelopes as the sink saw them, for the SRS checks */
	for (i = 0; r->sink_recs != NULL && i < rcpts.n; i++) {
		json_t *o = json_object();

		qpm_json_set_int(o, "probe", pr ? (long long)(pr - r->probes) : -1);
		qpm_json_set_str(o, "from", from);
		qpm_json_set_str(o, "rcpt", rcpts.v[i]);
		qpm_json_append(r->sink_recs, o);
	}
	for (i = 0; i < rcpts.n; i++) {
		if (from[0] == '\0' && (dsn_for = probe_by(r, rcpts.v[i])) != NULL) {
			dsn_for->dsn = 1;
			if ((dc = strstr(buf, "Diagnostic-Code:")) != NULL) {
				if (dsn_for->got.detail.len > 0)
					qstr_cat(&dsn_for->got.detail, "; ");
				qstr_catf(&dsn_for->got.detail, "DSN: %.*s",
				    (int)strcspn(dc + 16, "\r\n"), dc + 16);
			}
			continue;
		}
		if (pr != NULL)
			strlist_add_unique(&pr->got.forwards, rcpts.v[i]);
	}
out:
	strlist_free(&rcpts);
	qstr_free(&id);
	return 0;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* One program q2p-dotqmail ran (through the recorder): where it came
 * from, its argv and directory, the environment execve gave it (the
 * recorder's .environ, NUL-separated: DTLINE ends in a newline) and the
 * Delivered-To:, Return-Path: and "From " lines in front of the
 * message it read. */
static void
dotqmail_run(struct rh_probe *pr, const struct strlist *args,
    const char *recpath, const char *msg)
{
	struct qstr env = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	struct qstr t = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	char epath[1024], *p, *e, *eq;
	const char *colon = strrchr(args->v[3], ':'), *m;
	json_t *o, *av, *jenv, *head;
	size_t i, n = strlen(recpath);

	if ((pr->pipe_runs == NULL && (pr->pipe_runs = json_array()) == NULL) ||
	    (o = json_object()) == NULL)
		return;
	av = json_array();
	jenv = json_object();
	head = json_array();
	qstr_catn(&t, args->v[3], colon ? (size_t)(colon - args->v[3]) :
	    strlen(args->v[3]));
	qpm_json_set_str(o, "file", qstr_str(&t));
	qpm_json_set_int(o, "line", colon ? atol(colon + 1) : 0);
	qpm_json_set_str(o, "command", args->v[7]);
	for (i = 5; i < args->n; i++)
		qpm_json_append(av, qpm_json_string(args->v[i]));
	qpm_json_set(o, "argv", av);
	qpm_json_set_str(o, "cwd", args->v[4]);
	if (qpm_snprintf(epath, sizeof(epath), "%.*s.environ", (int)(n - 4),
	    recpath) >= 0 && file_read_all(epath, QPM_MAX_CONFIG_LINE * 16, 0,
	    &env) >= 0 && env.len > 0) {
		for (p = env.buf; p < env.buf + env.len; p = e + 1) {
			e = p + strlen(p);	/* the NUL after the entry */
			if ((eq = strchr(p, '=')) == NULL)
				continue;
			*eq = '\0';
			qpm_json_set_str(jenv, p, eq + 1);
		}
	}
	qpm_json_set(o, "env", jenv);
	/* the stand-in's exit code (the recorder alone exits 0) */
	qstr_reset(&env);
	qpm_json_set_int(o, "exit", qpm_snprintf(epath, sizeof(epath),
	    "%.*s.exit", (int)(n - 4), recpath) >= 0 && file_read_all(epath,
	    64, 0, &env) >= 0 ? atol(qstr_str(&env)) : 0);
	for (m = msg; *m != '\0'; m += strcspn(m, "\n") + (m[strcspn(m,
	    "\n")] != '\0')) {
		if (strncasecmp(m, "Delivered-To:", 13) != 0 &&
		    strncasecmp(m, "Return-Path:", 12) != 0 &&
		    strncmp(m, "From ", 5) != 0)
			break;
		qstr_reset(&t);
		qstr_catn(&t, m, strcspn(m, "\n"));
		qpm_json_append(head, qpm_json_string(qstr_str(&t)));
	}
	qpm_json_set(o, "head", head);
	qpm_json_append(pr->pipe_runs, o);
	qstr_free(&env);
	qstr_free(&t);
}

/* the environment variable name= of a recorder's .environ (NUL-separated
 * entries) next to record recpath, into out; 0 or -1 */
static int
run_env(const char *recpath, const char *name, struct qstr *out)
{
	struct qstr env = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	char epath[1024];
	const char *p;
	size_t n = strlen(recpath), nl = strlen(name);
	int rc = -1;

	if (qpm_snprintf(epath, sizeof(epath), "%.*s.environ", (int)(n - 4),
	    recpath) < 0 || file_read_all(epath, QPM_MAX_CONFIG_LINE * 16, 0,
	    &env) < 0)
		goto out;
	for (p = env.buf; p != NULL && p < env.buf + env.len; p += strlen(p) + 1)
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			rc = qstr_cat(out, p + nl + 1) < 0 ? -1 : 0;
			break;
		}
out:
	qstr_free(&env);
	return rc;
}

/* the member of the batch with Message-ID id that a program run
 * (record args, at recpath) was for, or NULL (and the batch is probed
 * again when it is one) */
static struct rh_probe *
batch_run(struct rh_run *r, const char *id, const struct strlist *args,
    const char *recpath)
{
	struct rh_batch *bt = batch_by(r, id);
	struct qstr rcpt = QSTR_INIT(QPM_MAX_ADDRESS + 256);
	struct rh_probe *pr = NULL;

	if (bt == NULL)
		goto out;
	if (args->n != 8 || strcmp(args->v[1], "q2p-dotqmail") != 0 ||
	    run_env(recpath, "RECIPIENT", &rcpt) < 0)
		bt->redo = 1;
	else
		pr = batch_member_as(r, bt, qstr_str(&rcpt), 1);
out:
	qstr_free(&rcpt);
	return pr;
}

static int
pipe_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[RH_MAX_HEADER];
	struct qstr rec = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	struct qstr joined = QSTR_INIT(QPM_MAX_CONFIG_LINE * 16);
	struct qstr id = QSTR_INIT(1024), arg = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	struct strlist args = { 0 };
	char msgpath[1024];
	const char *p;
	struct rh_probe *pr;
	size_t n = strlen(path);

	(void)st;
	(void)f;
	if (flag != FTW_F || n < 4 || strcmp(path + n - 4, ".rec") != 0)
		goto out;
	if (file_read_all(path, QPM_MAX_CONFIG_LINE * 16, 0, &rec) < 0 ||
	    qpm_snprintf(msgpath, sizeof(msgpath), "%.*s.msg", (int)(n - 4),
	    path) < 0 || read_head(msgpath, buf, sizeof(buf)) < 0 ||
	    rh_header_value(buf, strlen(buf), "Message-ID", &id) != 1)
		goto out;
	if (walk_batches)
		pr = NULL;
	else if ((pr = probe_by(r, qstr_str(&id))) == NULL)
		goto out;
	for (p = rec.buf; p != NULL && *p != '\0'; ) {
		if (strncmp(p, "arg ", 4) != 0)
			break;
		qstr_reset(&arg);
		for (p += 4; hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 2)
			qstr_catc(&arg, (char)(hexval(p[0]) << 4 | hexval(p[1])));
		strlist_add(&args, qstr_str(&arg));
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	/* a batch's message through a program: one member's when it is
	 * q2p-dotqmail's (one recipient a run) and its RECIPIENT names one
	 * member; any other (a pipe that may take several recipients, a
	 * local(8) delivery): not one address's for sure */
	if (walk_batches && (pr = batch_run(r, qstr_str(&id), &args,
	    path)) == NULL)
		goto out;
	/* SERVICE q2p-dotqmail STANDINS FILE:LINE DIR /bin/sh -c COMMAND */
	if (args.n == 8 && strcmp(args.v[1], "q2p-dotqmail") == 0) {
		strlist_add_unique(&pr->got.pipes, args.v[7]);
		dotqmail_run(pr, &args, path, buf);
		goto out;
	}
	/* SERVICE OLDUSER SENDER ORIG_RCPT RCPT ARGV... */
	if (args.n < 5)
		goto out;
	if (strcmp(args.v[0], "local") == 0) {
		qstr_catf(&joined, "local:%s", args.v[4]);
		strlist_add_unique(&pr->got.mailboxes, joined.buf);
		goto out;
	}
	/* the command as the pipe ran it, never the model's */
	if (rh_pipe_ran(&args, 5, &joined) == 0)
		strlist_add_unique(&pr->got.pipes, qstr_str(&joined));
out:
	strlist_free(&args);
	qstr_free(&rec);
	qstr_free(&joined);
	qstr_free(&id);
	qstr_free(&arg);
	return 0;
}

/* what probe pr's message did, from what the walks found */
static void
probe_outcome(struct rh_run *r, struct rh_probe *pr, int queued)
{
	pr->queued = queued;
	strlist_sort(&pr->got.mailboxes, 1);
	strlist_sort(&pr->got.forwards, 1);
	strlist_sort(&pr->got.pipes, 0);
	if (pr->sent == 2) {
		pr->got.outcome = pr->reply.len > 0 && pr->reply.buf[0] == '4' ?
		    RH_DEFERRED : RH_BOUNCED;
		if (pr->got.detail.len > 0)
			qstr_cat(&pr->got.detail, "; ");
		qstr_catf(&pr->got.detail, "refused: %s", qstr_str(&pr->reply));
	} else if (pr->sent != 1) {
		pr->got.outcome = RH_DEFERRED;
		qstr_catf(&pr->got.detail, "not sent: %s",
		    pr->reply.len ? qstr_str(&pr->reply) : "no SMTP session");
	} else if (pr->queued) {
		pr->got.outcome = RH_DEFERRED;
		qstr_catf(&pr->got.detail, "%s still queued", pr->qid);
	} else if (pr->dsn && pr->got.mailboxes.n + pr->got.forwards.n == 0)
		/* bounced, maybe by a program (exit 100) */
		pr->got.outcome = RH_BOUNCED;
	else if (pr->got.mailboxes.n + pr->got.forwards.n +
	    pr->got.pipes.n > 0)
		pr->got.outcome = RH_DELIVERED;
	else {
		pr->got.outcome = RH_DISCARDED;
		if (pr->got.detail.len == 0)
			qstr_cat(&pr->got.detail, "accepted, then neither "
			    "delivered nor bounced");
	}
	/* what qmail did with the exit codes the programs gave */
	if (json_array_size(pr->pipe_runs) > 0) {
		rh_result_free(&pr->want);
		rh_result_init(&pr->want);
		rh_model_expect_runs(r->m, pr->addr, pr->pipe_runs, &pr->want);
	}
	if (pr->want.not_converted.n > 0) {
		pr->status = 2;
		rh_compare(&pr->want, &pr->got, &pr->why);
	} else
		pr->status = rh_compare(&pr->want, &pr->got, &pr->why);
}

/* every file: the Maildirs (the users of each home, looked up once per
 * delivered file), the sink, the pipe recorder, the queue file names */
static void
collect_walk(struct rh_run *r, json_t *ids)
{
	size_t i;

	walk_run = r;
	walk_homes = json_object();
	for (i = 0; walk_homes != NULL && i < r->homes.n &&
	    i < r->home_users.n; i++) {
		json_t *a = json_object_get(walk_homes, r->homes.v[i]);

		/* old-host bytes: a key unchecked, the user by its index */
		if (a == NULL && json_object_set_new_nocheck(walk_homes,
		    r->homes.v[i], a = json_array()) < 0)
			break;
		json_array_append_new(a, json_integer((json_int_t)i));
	}
	nftw(r->mail_root, maildir_entry, 32, FTW_PHYS);
	json_decref(walk_homes);
	walk_homes = NULL;
	nftw(r->sink_dir, sink_entry, 8, FTW_PHYS);
	nftw(r->pipe_dir, pipe_entry, 8, FTW_PHYS);
	if (ids != NULL)
		queue_files(r, 1, ids);
	walk_run = NULL;
}

static void
probe_reset(struct rh_probe *pr)
{
	rh_result_free(&pr->got);
	rh_result_init(&pr->got);
	qstr_reset(&pr->why);
	qstr_reset(&pr->reply);
	json_decref(pr->pipe_runs);
	pr->pipe_runs = NULL;
	pr->sent = pr->dsn = pr->queued = pr->status = 0;
	pr->qid[0] = '\0';
}

void
rh_collect_batches(struct rh_run *r)
{
	json_t *ids = json_object(), *o;
	struct rh_batch *bt;
	struct rh_probe *pr;
	size_t b, k;

	/* still queued: a bounce or a copy may follow (batch_log) */
	queue_files(r, 1, ids);
	walk_lmtp = json_object();
	walk_fwd = json_object();
	walk_recs = json_array();
	batch_log(r, ids);
	walk_batches = 1;
	collect_walk(r, NULL);
	walk_batches = 0;
	json_decref(walk_lmtp);
	json_decref(walk_fwd);
	walk_lmtp = walk_fwd = NULL;
	for (b = 0; b < r->nbatches; b++) {
		bt = &r->batches[b];
		for (k = 0; k < bt->n; k++) {
			pr = &r->probes[r->bmembers[bt->first + k]];
			if (pr->redo)
				continue;
			pr->sent = bt->sent;
			probe_outcome(r, pr, 0);
			/* a difference is confirmed alone: the report says
			 * what the address's own message did */
			if (bt->redo || pr->status != 1)
				pr->redo = 1;
		}
		for (k = 0; k < bt->n; k++) {
			pr = &r->probes[r->bmembers[bt->first + k]];
			if (pr->redo) {
				probe_reset(pr);
				r->nredo++;
			}
		}
	}
	/* the envelopes of the forwards that count, for the SRS checks */
	json_array_foreach(walk_recs, b, o) {
		pr = &r->probes[json_integer_value(json_object_get(o, "probe"))];
		if (!pr->redo && r->sink_recs != NULL)
			json_array_append(r->sink_recs, o);
	}
	json_decref(walk_recs);
	walk_recs = NULL;
	json_decref(ids);
}

void
rh_collect(struct rh_run *r)
{
	json_t *ids = json_object();
	struct rh_probe *pr;
	size_t i;

	collect_walk(r, ids);
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		if (pr->batch > 0 && !pr->redo)	/* rh_collect_batches did */
			continue;
		probe_outcome(r, pr, pr->qid[0] != '\0' &&
		    json_object_get(ids, pr->qid) != NULL);
	}
	for (i = 0; i < r->nlogins; i++) {
		struct rh_login_row *l = &r->logins_v[i];
		int p, want;

		for (p = 0; p < RH_NPROTO; p++) {
			if (l->res[p] == 0)
				continue;
			want = rh_model_login(r->m, l->addr, rh_proto_names[p]);
			if (l->res[p] == RH_LOGIN_ERROR ||
			    (want == 1) != (l->res[p] == RH_LOGIN_OK))
				l->mismatch |= 1 << p;
		}
	}
	json_decref(ids);
}
