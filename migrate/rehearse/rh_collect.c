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

static struct rh_run *walk_run;	/* nftw has no user pointer */
static size_t walk_count;
static struct strlist *walk_ids;
static json_t *walk_homes;	/* home -> [index of each of its users] */

static int
count_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	if (flag == FTW_F) {
		walk_count++;
		if (walk_ids != NULL)
			strlist_add(walk_ids, path + f->base);
	}
	return 0;
}

/* files in the queues where mail is still moving (or, with ids, every
 * queue), for settling and for "deferred" */
static size_t
queue_files(struct rh_run *r, int all, struct strlist *ids)
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

static struct rh_probe *
probe_by(struct rh_run *r, const char *key)
{
	json_t *v = json_object_get(r->by_id, key);

	if (!json_is_integer(v) || (size_t)json_integer_value(v) >= r->nprobes)
		return NULL;
	return &r->probes[json_integer_value(v)];
}

static int
maildir_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct rh_run *r = walk_run;
	static char buf[RH_MAX_HEADER];
	struct qstr id = QSTR_INIT(1024), where = QSTR_INIT(4096);
	const char *dir;
	struct rh_probe *pr;
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
	    rh_header_value(buf, strlen(buf), "Message-ID", &id) != 1 ||
	    (pr = probe_by(r, qstr_str(&id))) == NULL)
		goto out;
	/* a local delivery keeps the probe's sender (no SRS) */
	qstr_reset(&id);
	if (rh_header_value(buf, strlen(buf), "Return-Path", &id) == 1 &&
	    strcasecmp(qstr_str(&id), pr->sender) == 0)
		r->local_ok++;
	else if (r->local_bad++ == 0)
		qpm_snprintf(r->local_bad_ex, sizeof(r->local_bad_ex),
		    "%s: Return-Path <%s>, not <%s>", path + rl, qstr_str(&id),
		    pr->sender);
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
	    rh_header_value(buf, strlen(buf), "Message-ID", &id) != 1 ||
	    (pr = probe_by(r, qstr_str(&id))) == NULL)
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

void
rh_collect(struct rh_run *r)
{
	struct strlist ids = { 0 };
	struct rh_probe *pr;
	size_t i;

	/* the users of each home, looked up once per delivered file */
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
	queue_files(r, 1, &ids);
	walk_run = NULL;
	for (i = 0; i < r->nprobes; i++) {
		pr = &r->probes[i];
		if (pr->qid[0] != '\0' && strlist_has(&ids, pr->qid))
			pr->queued = 1;
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
		} else if (pr->dsn && pr->got.mailboxes.n +
		    pr->got.forwards.n == 0)
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
			rh_model_expect_runs(r->m, pr->addr, pr->pipe_runs,
			    &pr->want);
		}
		if (pr->want.not_converted.n > 0) {
			pr->status = 2;
			rh_compare(&pr->want, &pr->got, &pr->why);
		} else
			pr->status = rh_compare(&pr->want, &pr->got, &pr->why);
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
	strlist_free(&ids);
}
