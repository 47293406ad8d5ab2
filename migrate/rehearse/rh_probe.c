/*
 * NAME		rh_probe - the probes of a rehearsal, while the servers run
 * DOES		one probe message per address over SMTP to the private
 *		Postfix; every cleartext password tried over IMAP, POP3 and
 *		SMTP AUTH; both by a pool of --concurrency worker processes
 *		(one SMTP session each); with SRS, a bounce to an SRS
 *		address srs-map signs and one to a forged address
 * NEVER	sends to anything but 127.0.0.1, prints a password, sends to
 *		an address with white space, <, > or control bytes
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/rehearse/rh_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/strlist.h"

int
rh_probes_build(struct rh_run *r)
{
	struct strlist all = { 0 };
	time_t now = qpm_clock_now(&r->clock);
	struct rh_probe *pr;
	size_t i;
	int e;

	if ((e = rh_model_probes(r->m, &all)) < 0)
		goto out;
	/* --probe addresses; exact duplicates once (case matters here:
	 * John.Smith and john.smith are two probes) */
	for (i = 0; i < r->extra.n; i++) {
		size_t k;

		for (k = 0; k < all.n && strcmp(all.v[k], r->extra.v[i]) != 0; k++)
			;
		if (k == all.n && (e = strlist_add(&all, r->extra.v[i])) < 0)
			goto out;
	}
	if ((r->probes = calloc(all.n ? all.n : 1, sizeof(*r->probes))) == NULL) {
		e = QPM_ENOMEM;
		goto out;
	}
	if ((r->by_id = json_object()) == NULL) {
		e = QPM_ENOMEM;
		goto out;
	}
	for (i = 0; i < all.n; i++) {
		pr = &r->probes[i];
		pr->addr = all.v[i];
		all.v[i] = NULL;
		r->nprobes++;
		rh_result_init(&pr->got);
		rh_result_init(&pr->want);
		qstr_init(&pr->reply, RH_MAX_REPLY);
		qstr_init(&pr->why, 64 * 1024);
		if (qpm_snprintf(pr->id, sizeof(pr->id), "q2p-rehearse.%zu.%ld.%ld@%s",
		    i, (long)now, (long)getpid(), RH_SENDER_DOMAIN) < 0 ||
		    qpm_snprintf(pr->sender, sizeof(pr->sender),
		    "q2p-rehearse.%zu.%ld@%s", i, (long)getpid(),
		    RH_SENDER_DOMAIN) < 0) {
			e = QPM_ERANGE;
			goto out;
		}
		json_object_set_new(r->by_id, pr->id, json_integer((json_int_t)i));
		json_object_set_new(r->by_id, pr->sender, json_integer((json_int_t)i));
		if ((e = rh_model_expect(r->m, pr->addr, &pr->want)) < 0)
			goto out;
	}
	e = 0;
out:
	strlist_free(&all);
	return e;
}

int
rh_bad_address(const char *a)
{
	for (; *a != '\0'; a++)
		if ((unsigned char)*a <= ' ' || *a == '<' || *a == '>' ||
		    (unsigned char)*a >= 0x7f)
			return 1;
	return 0;
}

/* ------------------------------------------------------ the worker pool */

/* Tasks 0..ntask-1 done by nw forked workers.  Each takes the next task
 * from a counter they share (a slow task holds up no stripe of others)
 * and writes one line per task, "TASK TAB RESULT", into its own pipe;
 * the parent hands each line to take() as it arrives, so its memory does
 * not grow with the tasks in flight.  A worker whose work() fails for
 * good writes "E TAB WHY" and stops: the pool then fails with WHY. */
struct rh_pool {
	struct rh_run	*r;
	const char	*what;		/* "probes", "logins": the progress line */
	size_t		 ntask, nw;
	/* in a worker: task t's result into line (one line); 0, or -1
	 * when the worker cannot go on (line says why) */
	int		(*work)(struct rh_pool *pl, size_t t, void **state,
			    struct qstr *line);
	void		(*done)(void *state);	/* a worker's state, at its end */
	/* in the parent: task t's result line */
	void		(*take)(struct rh_pool *pl, size_t t, char *res);
	const size_t	*tasks;		/* logins: mailbox * RH_NPROTO + column
					 * of each task; probes: the probe of
					 * task nbatch + k */
	size_t		 nbatch;	/* probes: tasks 0 ... nbatch - 1 are
					 * the batches */
	struct qstr	 err;
	size_t		 ndone;
};

static void
pool_worker(struct rh_pool *pl, size_t *next, int fd)
{
	struct qstr line = QSTR_INIT(RH_MAX_REPLY + 64);
	void *state = NULL;
	size_t t;
	char *c;
	FILE *fp;

	if ((fp = fdopen(fd, "w")) == NULL)
		_exit(1);
	/* a line at a time: the parent's progress and nothing lost on exit */
	setvbuf(fp, NULL, _IOLBF, 0);
	while (!rh_interrupted) {
		t = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
		if (t >= pl->ntask)
			break;
		qstr_reset(&line);
		if (pl->work(pl, t, &state, &line) < 0) {
			fprintf(fp, "E\t%s\n", qstr_str(&line));
			break;
		}
		for (c = line.buf; c != NULL && *c != '\0'; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		fprintf(fp, "%zu\t%s\n", t, qstr_str(&line));
	}
	if (pl->done != NULL)
		pl->done(state);
	fclose(fp);
	qstr_free(&line);
	_exit(0);
}

/* the complete lines of acc to take(), the rest kept */
static void
pool_lines(struct rh_pool *pl, struct qstr *acc)
{
	char *line = acc->buf, *nl, *tab;
	size_t t, used;

	while ((nl = memchr(line, '\n', acc->len - (size_t)(line -
	    acc->buf))) != NULL) {
		*nl = '\0';
		if ((tab = strchr(line, '\t')) != NULL) {
			*tab++ = '\0';
			if (strcmp(line, "E") == 0) {
				if (pl->err.len == 0)
					qstr_cat(&pl->err, tab);
			} else if ((t = strtoul(line, NULL, 10)) < pl->ntask) {
				pl->take(pl, t, tab);
				pl->ndone++;
			}
		}
		line = nl + 1;
	}
	used = (size_t)(line - acc->buf);
	memmove(acc->buf, line, acc->len - used);
	acc->len -= used;
	acc->buf[acc->len] = '\0';
}

static int
pool_run(struct rh_pool *pl)
{
	struct pollfd *pfd = NULL;
	struct qstr *acc = NULL;
	pid_t *pids = NULL;
	size_t *next = MAP_FAILED, w, nopen = 0;
	double t0 = qpm_clock_mono();
	int rc = -1, st;

	qstr_init(&pl->err, RH_MAX_REPLY);
	if (pl->ntask == 0)
		return 0;
	if (pl->nw > pl->ntask)
		pl->nw = pl->ntask;
	if ((pfd = calloc(pl->nw, sizeof(*pfd))) == NULL ||
	    (acc = calloc(pl->nw, sizeof(*acc))) == NULL ||
	    (pids = calloc(pl->nw, sizeof(*pids))) == NULL ||
	    (next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		goto out;
	*next = 0;
	for (w = 0; w < pl->nw; w++) {
		qstr_init(&acc[w], 2 * RH_MAX_REPLY + 128);
		pfd[w].fd = -1;		/* poll() skips it */
	}
	fflush(NULL);
	for (w = 0; w < pl->nw; w++) {
		int pp[2];

		if (pipe(pp) < 0)
			break;
		if ((pids[w] = fork()) < 0) {
			msg_warn("%s: a worker", pl->what);
			pids[w] = 0;
			close(pp[0]);
			close(pp[1]);
			break;
		}
		if (pids[w] == 0) {
			close(pp[0]);
			for (st = 0; st < (int)w; st++)
				close(pfd[st].fd);
			pool_worker(pl, next, pp[1]);
		}
		close(pp[1]);
		pfd[w].fd = pp[0];
		pfd[w].events = POLLIN;
		nopen++;
	}
	if (nopen == 0)		/* not one worker: nothing would be done */
		goto out;
	while (nopen > 0) {
		if (poll(pfd, pl->nw, 1000) < 0) {
			if (errno == EINTR && !rh_interrupted)
				continue;
			break;
		}
		for (w = 0; w < pl->nw; w++) {
			char buf[8192];
			ssize_t n;

			if (pfd[w].fd < 0 || !(pfd[w].revents & (POLLIN | POLLHUP)))
				continue;
			if ((n = read(pfd[w].fd, buf, sizeof(buf))) <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(pfd[w].fd);
				pfd[w].fd = -1;
				nopen--;
				continue;
			}
			/* a line longer than any result is cut: never a
			 * buffer that grows without a bound */
			if (qstr_catn(&acc[w], buf, (size_t)n) < 0)
				qstr_reset(&acc[w]);
			pool_lines(pl, &acc[w]);
		}
		rh_progress(pl->r, pl->what, pl->ndone, pl->ntask, t0, 0);
		if (rh_interrupted)
			break;
	}
	rh_progress(pl->r, pl->what, pl->ndone, pl->ntask, t0, 1);
	rc = pl->err.len > 0 ? -1 : 0;
out:
	for (w = 0; pids != NULL && w < pl->nw; w++) {
		if (pfd[w].fd >= 0)
			close(pfd[w].fd);
		if (pids[w] <= 0)
			continue;
		if (rh_interrupted)
			kill(pids[w], SIGTERM);
		while (waitpid(pids[w], &st, 0) < 0 && errno == EINTR)
			;
	}
	for (w = 0; acc != NULL && w < pl->nw; w++)
		qstr_free(&acc[w]);
	if (next != MAP_FAILED)
		munmap(next, sizeof(*next));
	free(pfd);
	free(acc);
	free(pids);
	return rc;
}

/* ------------------------------------------------------------- probes */

/* One message per address, each with its own Message-ID and envelope
 * sender: whatever Postfix does with it (refused at RCPT, a bounce, a
 * copy anywhere) belongs to that address alone, exactly as in a run
 * that sends one at a time.  With --batch, addresses expected in
 * mailboxes only share messages (struct rh_batch); what a batch does
 * not show exactly is sent again this way.  Several workers, each with
 * a session. */

/* the worker's session: opened when it has none; a session that
 * cannot start (a greeting slower than RH_IO_TIMEOUT on a busy machine)
 * is tried three times; NULL (line says why) when none starts */
static struct rh_smtp *
probe_session(struct rh_run *r, void **state, struct qstr *line)
{
	struct qstr err = QSTR_INIT(RH_MAX_REPLY);
	struct rh_smtp *s = *state;
	int try;

	for (try = 0; s == NULL && try < 3; try++) {
		qstr_reset(&err);
		*state = s = rh_smtp_open(r->p.smtp_port, RH_SENDER_DOMAIN, &err);
	}
	if (s == NULL)
		qstr_catf(line, "SMTP to 127.0.0.1:%d: %s", r->p.smtp_port,
		    err.len > 0 ? qstr_str(&err) : "no greeting");
	qstr_free(&err);
	return s;
}

/* the message to n addresses; once more on a new session when the
 * session broke: as rh_smtp_send_rcpts, -1 when it broke again */
static int
probe_send(struct rh_run *r, void **state, const char *sender,
    const char *const *rcpt, size_t n, const char *msg, char *qid,
    size_t qidlen, char *acc, struct qstr *reply)
{
	struct rh_smtp *s = *state;
	int rc;

	if ((rc = rh_smtp_send_rcpts(s, sender, rcpt, n, msg, qid, qidlen,
	    acc, reply)) >= 0)
		return rc;
	rh_smtp_close(s);
	if ((*state = s = rh_smtp_open(r->p.smtp_port, RH_SENDER_DOMAIN,
	    reply)) == NULL)
		return -1;
	qstr_reset(reply);
	return rh_smtp_send_rcpts(s, sender, rcpt, n, msg, qid, qidlen, acc,
	    reply);
}

static void
probe_text(struct rh_run *r, struct qstr *msg, const char *sender,
    const char *to, const char *subject, const char *id, const char *body)
{
	char date[64];
	time_t now = qpm_clock_now(&r->clock);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	qstr_catf(msg, "From: qmail2postfix rehearsal <%s>\n"
	    "To: %s\nSubject: qmail2postfix rehearsal probe %s\n"
	    "Date: %s\nMessage-ID: <%s>\n\n"
	    "A probe of qmail2postfix rehearse for %s.\n", sender, to,
	    subject, date, id, body);
}

/* probe i alone: "SENT TAB QID TAB REPLY" */
static int
probe_one(struct rh_pool *pl, size_t i, void **state, struct qstr *line)
{
	struct rh_run *r = pl->r;
	struct rh_probe *pr = &r->probes[i];
	struct qstr msg = QSTR_INIT(64 * 1024), to = QSTR_INIT(1024);
	const char *rcpt = pr->addr;
	char qid[64], sub[32], acc;
	int rc;

	qstr_catf(&to, "<%s>", pr->addr);
	qpm_snprintf(sub, sizeof(sub), "%zu", i);
	probe_text(r, &msg, pr->sender, qstr_str(&to), sub, pr->id, pr->addr);
	rc = probe_send(r, state, pr->sender, &rcpt, 1, msg.buf, qid,
	    sizeof(qid), &acc, &pr->reply);
	if (rc < 0)
		qstr_catf(line, "3\t\t%s", qstr_str(&pr->reply));
	else
		qstr_catf(line, "%d\t%s\t%s", rc == 0 ? 1 : 2, qid,
		    qstr_str(&pr->reply));
	qstr_free(&msg);
	qstr_free(&to);
	return 0;
}

/* batch b: "SENT TAB QID TAB ACCEPTED TAB REPLY", ACCEPTED a 1 or a 0
 * for each of its addresses */
static int
probe_batch(struct rh_pool *pl, size_t b, void **state, struct qstr *line)
{
	struct rh_run *r = pl->r;
	struct rh_batch *bt = &r->batches[b];
	struct qstr msg = QSTR_INIT(64 * 1024), reply = QSTR_INIT(RH_MAX_REPLY);
	const char **rcpt;
	char qid[64], sub[32], body[64], *acc;
	size_t k;
	int rc = -1;

	rcpt = calloc(bt->n, sizeof(*rcpt));
	acc = calloc(bt->n + 1, 1);
	if (rcpt == NULL || acc == NULL) {
		qstr_cat(line, "out of memory");
		goto out;
	}
	for (k = 0; k < bt->n; k++)
		rcpt[k] = r->probes[r->bmembers[bt->first + k]].addr;
	qpm_snprintf(sub, sizeof(sub), "b%zu", b);
	qpm_snprintf(body, sizeof(body), "%zu addresses", bt->n);
	probe_text(r, &msg, bt->sender, "undisclosed-recipients:;", sub,
	    bt->id, body);
	rc = probe_send(r, state, bt->sender, rcpt, bt->n, msg.buf, qid,
	    sizeof(qid), acc, &reply);
	for (k = 0; k < bt->n; k++)
		acc[k] = rc == 0 && acc[k] ? '1' : '0';
	qstr_catf(line, "%d\t%s\t%s\t%s", rc == 0 ? 1 : rc == 1 ? 2 : 3,
	    rc == 0 ? qid : "", acc, qstr_str(&reply));
	rc = 0;
out:
	free(rcpt);
	free(acc);
	qstr_free(&msg);
	qstr_free(&reply);
	return rc;
}

static int
probe_work(struct rh_pool *pl, size_t t, void **state, struct qstr *line)
{
	size_t i = t < pl->nbatch ? 0 : pl->tasks[t - pl->nbatch];

	if (t >= pl->nbatch && rh_bad_address(pl->r->probes[i].addr)) {
		qstr_cat(line, "3\t\tnot an address the rehearsal can send to");
		return 0;
	}
	if (probe_session(pl->r, state, line) == NULL)
		return -1;
	return t < pl->nbatch ? probe_batch(pl, t, state, line) :
	    probe_one(pl, i, state, line);
}

static void
probe_done(void *state)
{
	rh_smtp_close(state);
}

/* a batch's line: its addresses refused at RCPT (or all, when the
 * message did not go) are probed again alone, where the reply is theirs */
static void
batch_take(struct rh_run *r, size_t b, char *sent, char *qid, char *res)
{
	struct rh_batch *bt = &r->batches[b];
	char *acc = res, *tab;
	size_t k;

	if ((tab = strchr(acc, '\t')) != NULL)
		*tab = '\0';
	bt->sent = atoi(sent);
	qpm_snprintf(bt->qid, sizeof(bt->qid), "%s", qid);
	for (k = 0; k < bt->n; k++)
		if (bt->sent != 1 || k >= strlen(acc) || acc[k] != '1')
			r->probes[r->bmembers[bt->first + k]].redo = 1;
}

/* "SENT TAB QID TAB REPLY" (a batch's: see probe_batch) */
static void
probe_take(struct rh_pool *pl, size_t t, char *res)
{
	struct rh_probe *pr;
	char *qid, *reply;

	if ((qid = strchr(res, '\t')) == NULL ||
	    (reply = strchr(qid + 1, '\t')) == NULL)
		return;
	*qid++ = '\0';
	*reply++ = '\0';
	if (t < pl->nbatch) {
		batch_take(pl->r, t, res, qid, reply);
		return;
	}
	pr = &pl->r->probes[pl->tasks[t - pl->nbatch]];
	pr->sent = atoi(res);
	qpm_snprintf(pr->qid, sizeof(pr->qid), "%s", qid);
	qstr_reset(&pr->reply);
	qstr_cat(&pr->reply, reply);
	if (msg_verbose > 1)
		msg_info("%s: %s", pr->addr, qstr_str(&pr->reply));
}

/* an address whose probe may share a message: none refused for its
 * address's bytes, listed as not converted, expected deferred or in a
 * local(8) mailbox (its record is not tied to one address); mailboxes,
 * forwards, programs, bounces and discards are */
static int
batchable(const struct rh_probe *pr)
{
	size_t k;

	if (rh_bad_address(pr->addr) || pr->want.outcome == RH_DEFERRED ||
	    pr->want.not_converted.n > 0)
		return 0;
	for (k = 0; k < pr->want.mailboxes.n; k++)
		if (strncmp(pr->want.mailboxes.v[k], "local:", 6) == 0)
			return 0;
	return 1;
}

/* batch index free[b] on that is not full (union-find, halving) */
static size_t
batch_free(size_t *free_of, size_t b)
{
	while (free_of[b] != b) {
		free_of[b] = free_of[free_of[b]];
		b = free_of[b];
	}
	return b;
}

/* the keys no two members of a message may share, as "m MAILBOX",
 * "f TARGET" and "p PROGRAM" (lower case: Postfix and the sink do not
 * keep case apart in a domain, and a target that differs only in case
 * is one address; a program run twice for one message may remember the
 * first run, as an autoresponder does its senders) */
static int
batch_keys(const struct rh_result *w, struct strlist *keys)
{
	struct qstr k = QSTR_INIT(QPM_MAX_CONFIG_LINE + 8);
	size_t i, nm = w->mailboxes.n, nf = w->forwards.n;
	char *c;
	int e = 0;

	for (i = 0; e == 0 && i < nm + nf + w->pipes.n; i++) {
		qstr_reset(&k);
		if (i < nm)
			qstr_catf(&k, "m %s", w->mailboxes.v[i]);
		else if (i < nm + nf)
			qstr_catf(&k, "f %s", w->forwards.v[i - nm]);
		else
			qstr_catf(&k, "p %s", w->pipes.v[i - nm - nf]);
		for (c = k.buf; c != NULL && *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		e = strlist_add(keys, qstr_str(&k));
	}
	qstr_free(&k);
	return e;
}

long
rh_batch_assign(const struct rh_result *const *want, size_t n, size_t max,
    size_t *batch_of)
{
	json_t *last = json_object();	/* key -> last message with it */
	size_t *free_of = calloc(n + 2, sizeof(*free_of));
	size_t *count = calloc(n + 2, sizeof(*count));
	size_t *renum = calloc(n + 2, sizeof(*renum));
	struct strlist keys = { 0 };
	size_t i, k, lo, b, nb = 0;
	long nshared = -1;
	json_t *v;

	if (last == NULL || free_of == NULL || count == NULL || renum == NULL)
		goto out;
	free_of[0] = 0;
	for (i = 0; i < n; i++) {
		batch_of[i] = 0;
		if (want[i] == NULL || max < 2)
			continue;
		strlist_free(&keys);
		if (batch_keys(want[i], &keys) < 0)
			goto out;
		/* the first message with room after every one that has
		 * one of its keys */
		for (lo = 0, k = 0; k < keys.n; k++)
			if ((v = json_object_get(last, keys.v[k])) != NULL &&
			    (size_t)json_integer_value(v) + 1 > lo)
				lo = (size_t)json_integer_value(v) + 1;
		b = batch_free(free_of, lo);
		if (b == nb) {			/* a new message */
			nb++;
			free_of[nb] = nb;
		}
		for (k = 0; k < keys.n; k++)
			if (json_object_set_new_nocheck(last, keys.v[k],
			    json_integer((json_int_t)b)) < 0)
				goto out;
		batch_of[i] = b + 1;
		if (++count[b] == max)
			free_of[b] = b + 1;
	}
	/* a message of one address is a message of its own */
	for (b = 0, nshared = 0; b < nb; b++)
		renum[b] = count[b] > 1 ? (size_t)++nshared : 0;
	for (i = 0; i < n; i++)
		if (batch_of[i] > 0)
			batch_of[i] = renum[batch_of[i] - 1];
out:
	strlist_free(&keys);
	json_decref(last);
	free(free_of);
	free(count);
	free(renum);
	return nshared;
}

static int
batch_open(struct rh_run *r, size_t b, size_t first)
{
	struct rh_batch *bt = &r->batches[b];

	memset(bt, 0, sizeof(*bt));
	bt->first = first;
	if (qpm_snprintf(bt->id, sizeof(bt->id), "q2p-rehearse.b%zu.%ld.%ld@%s",
	    b, (long)qpm_clock_now(&r->clock), (long)getpid(),
	    RH_SENDER_DOMAIN) < 0 || qpm_snprintf(bt->sender,
	    sizeof(bt->sender), "q2p-rehearse.b%zu.%ld@%s", b,
	    (long)getpid(), RH_SENDER_DOMAIN) < 0)
		return -1;
	return 0;
}

/* The batches: the batchable addresses in model order, at most
 * r->batch to a message, never two expected in the same mailbox or
 * forwarded to the same target (rh_batch_assign); each batch's members
 * one after another in bmembers.  Linear in the addresses. */
static int
batch_plan(struct rh_run *r)
{
	const struct rh_result **want = calloc(r->nprobes + 1, sizeof(*want));
	size_t *of = calloc(r->nprobes + 1, sizeof(*of)), *at = NULL;
	size_t i, b;
	long nb;
	int rc = -1;

	r->bmembers = calloc(r->nprobes + 1, sizeof(*r->bmembers));
	if (want == NULL || of == NULL || r->bmembers == NULL)
		goto out;
	for (i = 0; i < r->nprobes; i++)
		want[i] = batchable(&r->probes[i]) ? &r->probes[i].want : NULL;
	if ((nb = rh_batch_assign(want, r->nprobes, (size_t)r->batch, of)) < 0 ||
	    (r->batches = calloc((size_t)nb + 1, sizeof(*r->batches))) == NULL ||
	    (at = calloc((size_t)nb + 1, sizeof(*at))) == NULL)
		goto out;
	r->nbatches = (size_t)nb;
	for (i = 0; i < r->nprobes; i++)
		if ((r->probes[i].batch = of[i]) > 0)
			r->batches[of[i] - 1].n++;
	for (b = 0, i = 0; b < r->nbatches; i += r->batches[b++].n) {
		size_t n = r->batches[b].n;

		if (batch_open(r, b, i) < 0)
			goto out;
		r->batches[b].n = n;
		at[b] = i;
	}
	for (i = 0; i < r->nprobes; i++)
		if (of[i] > 0) {
			r->bmembers[at[of[i] - 1]++] = i;
			r->nbatched++;
		}
	for (i = 0; i < r->nbatches; i++) {
		json_object_set_new(r->by_id, r->batches[i].id,
		    json_integer(-1 - (json_int_t)i));
		json_object_set_new(r->by_id, r->batches[i].sender,
		    json_integer(-1 - (json_int_t)i));
	}
	rc = 0;
out:
	free(want);
	free(of);
	free(at);
	return rc;
}

/* the batches (those of more than one address) and the probes alone
 * (pass 0: every other; pass 1: those to do again) by the pool */
static int
probes_pool(struct rh_run *r, int again)
{
	struct rh_pool pl;
	size_t *alone, i, n = 0, nbt = again ? 0 : r->nbatches;
	int rc;

	if ((alone = calloc(r->nprobes + 1, sizeof(*alone))) == NULL)
		return -1;
	for (i = 0; i < r->nprobes; i++)
		if (again ? r->probes[i].redo : r->probes[i].batch == 0)
			alone[n++] = i;
	memset(&pl, 0, sizeof(pl));
	pl.r = r;
	pl.what = again ? "probes again, one at a time" : "probes";
	pl.nbatch = nbt;
	pl.ntask = nbt + n;
	pl.nw = (size_t)r->concurrency;
	pl.tasks = alone;
	pl.work = probe_work;
	pl.done = probe_done;
	pl.take = probe_take;
	if ((rc = pool_run(&pl)) < 0 && pl.err.len > 0)
		msg_errorx("%s", qstr_str(&pl.err));
	qstr_free(&pl.err);
	free(alone);
	return rc;
}

int
rh_probes_send(struct rh_run *r)
{
	if (r->batch > 1 && batch_plan(r) < 0) {
		msg_errorx("out of memory");
		return -1;
	}
	if (probes_pool(r, 0) < 0)
		return -1;
	if (r->nbatched == 0 || rh_interrupted)
		return 0;
	/* what each batch showed; the rest again, one at a time */
	rh_settle(r);
	rh_collect_batches(r);
	if (msg_verbose)
		msg_info("%zu addresses in %zu batches; %zu again alone",
		    r->nbatched, r->nbatches, r->nredo);
	return r->nredo > 0 ? probes_pool(r, 1) : 0;
}

/* -------------------------------------------------------------- logins */

static int
load_passwords(struct rh_run *r, const char *path, json_t *pw)
{
	struct qstr t;
	char *line, *next, *sep, *c;

	if (rh_slurp(path, &t) < 0) {
		qstr_free(&t);
		return -1;
	}
	for (line = t.buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		/* "address:password" (OUT) or "address TAB password" */
		if ((sep = strchr(line, '\t')) == NULL &&
		    (sep = strchr(line, ':')) == NULL)
			continue;
		*sep = '\0';
		/* vchkpw lower-cases the login: so does the key */
		for (c = line; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		if (sep[1] != '\0')
			json_object_set_new(pw, line, json_string(sep + 1));
	}
	memset(t.buf, 0, t.len);
	qstr_free(&t);
	(void)r;
	return 0;
}

int
rh_logins_build(struct rh_run *r)
{
	char path[1024], low[QPM_MAX_ADDRESS + 1], *c;
	json_t *pw, *mb;
	const char *a, *pass;
	size_t i;
	int rc = -1;

	if ((pw = json_object()) == NULL)
		return -1;
	if (rh_path_join(path, sizeof(path), r->out,
	    "rehearse/cleartext-passwords") < 0)
		goto out;
	if (access(path, F_OK) == 0 && load_passwords(r, path, pw) < 0) {
		msg_errorx("cannot read %s", path);
		goto out;
	}
	if (r->passwords != NULL && load_passwords(r, r->passwords, pw) < 0) {
		msg_errorx("cannot read %s", r->passwords);
		goto out;
	}
	mb = json_object_get(r->model_json, "mailboxes");
	if ((r->logins_v = calloc(json_array_size(mb) + 1,
	    sizeof(*r->logins_v))) == NULL)
		goto out;
	for (i = 0; i < json_array_size(mb); i++) {
		json_t *it = json_array_get(mb, i);

		if ((a = qpm_json_opt_str(it, "address")) == NULL)
			continue;
		if (qpm_snprintf(low, sizeof(low), "%s", a) < 0)
			low[0] = '\0';
		for (c = low; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		r->logins_v[r->nlogins].addr = strdup(a);
		pass = qpm_json_opt_str(pw, low);
		if (pass != NULL)
			r->logins_v[r->nlogins].pass = strdup(pass);
		r->nlogins++;
	}
	rc = 0;
out:
	json_decref(pw);
	return rc;
}

static enum rh_login
login_one(struct rh_run *r, size_t k, int proto, struct qstr *reply)
{
	struct rh_login_row *l = &r->logins_v[k];
	char own[32];
	const char *src = NULL;

	/* from 127.0.0.1, vchkpw's webmail address; the other columns
	 * from one source address per mailbox, as its users' own: not
	 * webmail, and OUT's per-client count and rate limits hold for
	 * each */
	if (proto >= RH_PROTO_REMOTE) {
		qpm_snprintf(own, sizeof(own), "127.%zu.%zu.%zu", 250 + k /
		    62500 % 4, k / 250 % 250, k % 250 + 1);
		src = own;
	}
	if (proto == RH_PROTO_SMTPS)
		return rh_login_smtps(src, r->p.smtps_port, l->addr, l->pass,
		    reply);
	switch (proto % RH_PROTO_REMOTE) {
	case 0: return rh_login_imap(src, r->p.imap_port, l->addr, l->pass,
	    reply);
	case 1: return rh_login_pop3(src, r->p.pop3_port, l->addr, l->pass,
	    reply);
	default: return rh_login_smtp(src, r->p.submission_port, l->addr,
	    l->pass, reply);
	}
}

/* Task t: mailbox tasks[t] / RH_NPROTO, column tasks[t] % RH_NPROTO */
static int
login_work(struct rh_pool *pl, size_t t, void **state, struct qstr *line)
{
	struct qstr reply = QSTR_INIT(RH_MAX_REPLY);
	enum rh_login res = RH_LOGIN_ERROR;
	int try, proto = (int)(pl->tasks[t] % RH_NPROTO);
	char *c;

	(void)state;
	/* no answer at all (a connection that broke or timed out while
	 * the machine was busy) says nothing about the login: again, as a
	 * run of one login at a time would have had an answer */
	for (try = 0; try < 3; try++)
		if ((res = login_one(pl->r, pl->tasks[t] / RH_NPROTO, proto,
		    &reply)) != RH_LOGIN_ERROR)
			break;
	/* a listener that accepted no connection in three tries is a
	 * server that stopped: the rehearsal ends instead of waiting that
	 * long for every login after it */
	if (res == RH_LOGIN_ERROR && strncmp(qstr_str(&reply),
	    RH_NO_CONNECTION, strlen(RH_NO_CONNECTION)) == 0) {
		qstr_catf(line, "%s: %s", rh_proto_keys[proto],
		    qstr_str(&reply));
		qstr_free(&reply);
		return -1;
	}
	for (c = reply.buf; c != NULL && *c != '\0'; c++)
		if (*c == '\t')
			*c = ' ';
	qstr_catf(line, "%d\t%s", (int)res, qstr_str(&reply));
	qstr_free(&reply);
	return 0;
}

/* "RESULT TAB REPLY" */
static void
login_take(struct rh_pool *pl, size_t t, char *res)
{
	struct rh_login_row *l = &pl->r->logins_v[pl->tasks[t] / RH_NPROTO];
	int proto = (int)(pl->tasks[t] % RH_NPROTO);
	char *reply;

	if ((reply = strchr(res, '\t')) == NULL)
		return;
	*reply++ = '\0';
	l->res[proto] = (enum rh_login)atoi(res);
	free(l->reply[proto]);
	l->reply[proto] = strdup(reply);
}

/* --login-columns distinct: the logins any of OUT's deny lists (the
 * private copies of its deny.* files) names with another service than
 * SMTP (a key "SERVICE/LOGIN" or "SERVICE/-/LOGIN"), lower case, into
 * named: their 127.0.0.1 IMAP and POP3 logins can answer otherwise than
 * vchkpw's flags say, so they are tried */
static int
deny_named(struct rh_run *r, json_t *named)
{
	char path[1024], *line, *next, *key, *c;
	struct qstr t;
	size_t i;

	for (i = 0; i < r->dc_files.n; i++) {
		if (strncmp(r->dc_files.v[i], "deny.", 5) != 0 ||
		    rh_path_join(path, sizeof(path), r->dc_dir,
		    r->dc_files.v[i]) < 0)
			continue;
		if (rh_slurp(path, &t) < 0) {
			msg_warnx("%s: cannot read it", path);
			qstr_free(&t);
			return -1;
		}
		for (line = t.buf; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			line[strcspn(line, ":")] = '\0';
			if (*line == '#' || strncmp(line, "smtp/", 5) == 0 ||
			    (key = strrchr(line, '/')) == NULL)
				continue;
			for (c = ++key; *c != '\0'; c++)
				*c = (char)tolower((unsigned char)*c);
			json_object_set_new(named, key, json_true());
		}
		qstr_free(&t);
	}
	return 0;
}

/* Whether mailbox k's column p is tried.  All: every column (SMTPS with
 * a wrapper-mode listener running).  Distinct: IMAP, POP3 and SMTP AUTH
 * from the mailbox's own address always; IMAP and POP3 from 127.0.0.1
 * (webmail) where vchkpw answered them otherwise than from elsewhere
 * (NO_POP, NO_IMAP, NO_WEBMAIL), where a deny list of OUT names the
 * mailbox (named), and always with --userdb sql (the lists are in its
 * password query); SMTP AUTH from 127.0.0.1 and SMTPS, whose answer
 * vchkpw gave per protocol, not per address or listener, for the first
 * mailbox of each domain (sample 1) */
static int
login_tried(struct rh_run *r, size_t k, int p, int sample, json_t *named)
{
	const char *a = r->logins_v[k].addr;
	char low[QPM_MAX_ADDRESS + 1], *c;

	if (p == RH_PROTO_SMTPS && r->p.smtps_port <= 0)
		return 0;
	if (r->login_cols == RH_COLS_ALL || sample || r->sql ||
	    (p >= RH_PROTO_REMOTE && p < RH_PROTO_SMTPS))
		return 1;
	if (p >= RH_PROTO_REMOTE - 1)	/* smtp from 127.0.0.1, smtps */
		return 0;
	if (qpm_snprintf(low, sizeof(low), "%s", a) < 0)
		return 1;
	for (c = low; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return json_object_get(named, low) != NULL ||
	    rh_model_login(r->m, a, rh_proto_names[p]) !=
	    rh_model_login(r->m, a, rh_proto_names[p + RH_PROTO_REMOTE]);
}

/* Each tried (mailbox, column) with a password, by the worker pool */
int
rh_logins_run(struct rh_run *r)
{
	struct rh_pool pl;
	json_t *domains, *named;
	const char *d;
	size_t *tasks = NULL, k, n = 0;
	int p, sample, rc = -1;

	domains = json_object();
	named = json_object();
	if (domains == NULL || named == NULL ||
	    (r->login_cols == RH_COLS_DISTINCT && deny_named(r, named) < 0) ||
	    (tasks = calloc(r->nlogins * RH_NPROTO + 1, sizeof(*tasks))) ==
	    NULL)
		goto out;
	for (k = 0; k < r->nlogins; k++) {
		if (r->logins_v[k].pass == NULL)
			continue;
		d = strrchr(r->logins_v[k].addr, '@');
		d = d != NULL ? d + 1 : "";
		if ((sample = json_object_get(domains, d) == NULL))
			json_object_set_new(domains, d, json_true());
		for (p = 0; p < RH_NPROTO; p++)
			if (login_tried(r, k, p, sample, named))
				tasks[n++] = k * RH_NPROTO + (size_t)p;
	}
	memset(&pl, 0, sizeof(pl));
	pl.r = r;
	pl.what = "logins";
	pl.ntask = n;
	pl.nw = (size_t)r->concurrency;
	pl.tasks = tasks;
	pl.work = login_work;
	pl.take = login_take;
	if ((rc = pool_run(&pl)) < 0 && pl.err.len > 0)
		msg_errorx("logins: %s", qstr_str(&pl.err));
	qstr_free(&pl.err);
out:
	free(tasks);
	json_decref(domains);
	json_decref(named);
	return rc;
}

/* ---------------------------------------------------------- SRS probes */

/* While the servers run: a bounce (<>) to an SRS0 address srs-map signs
 * with OUT's secret for a sender of ours, and the same address with a
 * forged hash; both as smtpd sees them from outside. */
int
rh_srs_probes_send(struct rh_run *r)
{
	struct qstr msg = QSTR_INIT(64 * 1024), err = QSTR_INIT(RH_MAX_REPLY);
	struct qstr val = QSTR_INIT(QPM_MAX_SMTP_LINE * 4);
	struct rh_smtp *s = NULL;
	char qid[64], *h;
	size_t k;
	int rc;

	if (!r->srs)
		return 0;
	if (qpm_snprintf(r->srs_bounce_from, sizeof(r->srs_bounce_from),
	    "q2p-rehearse.srs-bounce.%ld@%s", (long)getpid(),
	    RH_SENDER_DOMAIN) < 0)
		goto fail;
	if ((rc = rh_sockmap_query(r->srs_port, "forward", r->srs_bounce_from,
	    &val)) != 1 || rh_bad_address(qstr_str(&val)) ||
	    qpm_snprintf(r->srs_bounce_addr, sizeof(r->srs_bounce_addr), "%s",
	    qstr_str(&val)) < 0) {
		r->srs_bounce_sent = 3;
		qstr_catf(&r->srs_bounce_reply, "srs-map forward %s: %s",
		    r->srs_bounce_from, rc == 0 ? "not found" : qstr_str(&val));
		r->srs_bounce_addr[0] = '\0';
		qpm_snprintf(r->srs_forged, sizeof(r->srs_forged),
		    "SRS0=xxxx=AA=%s=forged@%s", RH_SENDER_DOMAIN, r->srs_domain);
	} else {
		/* SRS0=HHHH=...: the same address, another hash */
		memcpy(r->srs_forged, r->srs_bounce_addr,
		    strlen(r->srs_bounce_addr) + 1);
		for (h = r->srs_forged + 5, k = 0; k < 4 && h[k] != '\0' &&
		    h[k] != '='; k++)
			h[k] = h[k] == 'x' || h[k] == 'X' ? 'y' : 'x';
	}
	if ((s = rh_smtp_open(r->p.smtp_port, RH_SENDER_DOMAIN, &err)) == NULL) {
		msg_errorx("SMTP to 127.0.0.1:%d: %s", r->p.smtp_port,
		    qstr_str(&err));
		goto fail;
	}
	if (r->srs_bounce_addr[0] != '\0') {
		qstr_catf(&msg, "From: MAILER-DAEMON@%s\nTo: <%s>\n"
		    "Subject: qmail2postfix rehearsal: a bounce to an SRS "
		    "address\nMessage-ID: <q2p-rehearse.srs-bounce.%ld@%s>\n\n"
		    "It must reach %s.\n", RH_SENDER_DOMAIN, r->srs_bounce_addr,
		    (long)getpid(), RH_SENDER_DOMAIN, r->srs_bounce_from);
		rc = rh_smtp_send(s, "", r->srs_bounce_addr, msg.buf, qid,
		    sizeof(qid), &r->srs_bounce_reply);
		r->srs_bounce_sent = rc == 0 ? 1 : rc == 1 ? 2 : 3;
	}
	if (r->srs_bounce_sent != 3 || r->srs_bounce_addr[0] == '\0') {
		qstr_reset(&msg);
		qstr_catf(&msg, "From: MAILER-DAEMON@%s\nTo: <%s>\n"
		    "Subject: qmail2postfix rehearsal: a forged SRS address\n"
		    "Message-ID: <q2p-rehearse.srs-forged.%ld@%s>\n\n"
		    "It must be refused.\n", RH_SENDER_DOMAIN, r->srs_forged,
		    (long)getpid(), RH_SENDER_DOMAIN);
		if (rh_smtp_send(s, "", r->srs_forged, msg.buf, qid, sizeof(qid),
		    &r->srs_forged_reply) == 0)
			qstr_catf(&r->srs_forged_reply, " (accepted as %s)", qid);
	}
	rh_smtp_close(s);
	qstr_free(&msg);
	qstr_free(&err);
	qstr_free(&val);
	return 0;
fail:
	qstr_free(&msg);
	qstr_free(&err);
	qstr_free(&val);
	return -1;
}
