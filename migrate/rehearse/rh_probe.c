/*
 * NAME		rh_probe - the probes of a rehearsal, while the servers run
 * DOES		one probe message per address over SMTP to the private
 *		Postfix; every cleartext password tried over IMAP, POP3 and
 *		SMTP AUTH by a few worker processes; with SRS, a bounce to an
 *		SRS address srs-map signs and one to a forged address
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

int
rh_probes_send(struct rh_run *r)
{
	struct qstr msg = QSTR_INIT(64 * 1024), err = QSTR_INIT(RH_MAX_REPLY);
	struct rh_smtp *s = NULL;
	char date[64];
	time_t now = qpm_clock_now(&r->clock);
	struct tm tm;
	struct rh_probe *pr;
	size_t i;
	int rc;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	for (i = 0; i < r->nprobes && !rh_interrupted; i++) {
		pr = &r->probes[i];
		if (rh_bad_address(pr->addr)) {
			pr->sent = 3;
			qstr_cat(&pr->reply, "not an address the rehearsal can send to");
			continue;
		}
		if (s == NULL && (s = rh_smtp_open(r->p.smtp_port,
		    RH_SENDER_DOMAIN, &err)) == NULL) {
			msg_errorx("SMTP to 127.0.0.1:%d: %s", r->p.smtp_port,
			    qstr_str(&err));
			rc = -1;
			goto out;
		}
		qstr_reset(&msg);
		qstr_catf(&msg, "From: qmail2postfix rehearsal <%s>\n"
		    "To: <%s>\nSubject: qmail2postfix rehearsal probe %zu\n"
		    "Date: %s\nMessage-ID: <%s>\n\n"
		    "A probe of qmail2postfix rehearse for %s.\n", pr->sender,
		    pr->addr, i, date, pr->id, pr->addr);
		rc = rh_smtp_send(s, pr->sender, pr->addr, msg.buf, pr->qid,
		    sizeof(pr->qid), &pr->reply);
		if (rc < 0) {	/* the session broke: once more on a new one */
			rh_smtp_close(s);
			s = NULL;
			if ((s = rh_smtp_open(r->p.smtp_port, RH_SENDER_DOMAIN,
			    &err)) == NULL ||
			    (rc = rh_smtp_send(s, pr->sender, pr->addr, msg.buf,
			    pr->qid, sizeof(pr->qid), &pr->reply)) < 0) {
				pr->sent = 3;
				continue;
			}
		}
		pr->sent = rc == 0 ? 1 : 2;
		if (msg_verbose > 1)
			msg_info("%s: %s", pr->addr, qstr_str(&pr->reply));
	}
	rc = 0;
out:
	rh_smtp_close(s);
	qstr_free(&msg);
	qstr_free(&err);
	return rc;
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

/* Every (mailbox, protocol) with a password, spread over workers that
 * each write "TASK RESULT REPLY" lines to a pipe. */
int
rh_logins_run(struct rh_run *r)
{
	size_t ntask = 0, t, k, nw, w;
	/* the smtps column only with a wrapper-mode listener running */
	int nproto = r->p.smtps_port > 0 ? RH_NPROTO : RH_PROTO_SMTPS;
	int fds[RH_MAX_WORKERS], proto;
	pid_t pids[RH_MAX_WORKERS];
	struct pollfd pfd[RH_MAX_WORKERS];
	struct qstr acc[RH_MAX_WORKERS];
	int open_n, i;

	for (k = 0; k < r->nlogins; k++)
		if (r->logins_v[k].pass != NULL)
			ntask += nproto;
	if (ntask == 0)
		return 0;
	nw = ntask < RH_MAX_WORKERS ? ntask : RH_MAX_WORKERS;
	for (w = 0; w < nw; w++) {
		int pp[2];

		qstr_init(&acc[w], 16 * 1024 * 1024);
		if (pipe(pp) < 0 || (pids[w] = fork()) < 0)
			return -1;
		if (pids[w] == 0) {
			struct qstr reply = QSTR_INIT(RH_MAX_REPLY), line = QSTR_INIT(RH_MAX_REPLY + 64);
			enum rh_login res;
			FILE *fp;
			char *c;

			close(pp[0]);
			if ((fp = fdopen(pp[1], "w")) == NULL)
				_exit(1);
			for (t = 0, k = 0; k < r->nlogins; k++) {
				if (r->logins_v[k].pass == NULL)
					continue;
				for (proto = 0; proto < nproto; proto++, t++) {
					if (t % nw != w)
						continue;
					res = login_one(r, k, proto, &reply);
					for (c = reply.buf; c && *c; c++)
						if (*c == '\n' || *c == '\r' || *c == '\t')
							*c = ' ';
					fprintf(fp, "%zu\t%d\t%d\t%s\n", k, proto,
					    (int)res, qstr_str(&reply));
				}
			}
			fclose(fp);
			qstr_free(&reply);
			qstr_free(&line);
			_exit(0);
		}
		close(pp[1]);
		fds[w] = pp[0];
	}
	for (open_n = (int)nw; open_n > 0; ) {
		for (w = 0; w < nw; w++) {
			pfd[w].fd = fds[w];
			pfd[w].events = POLLIN;
		}
		if (poll(pfd, nw, 1000) < 0 && errno != EINTR)
			break;
		for (w = 0; w < nw; w++) {
			char buf[4096];
			ssize_t n;

			if (fds[w] < 0 || !(pfd[w].revents & (POLLIN | POLLHUP)))
				continue;
			if ((n = read(fds[w], buf, sizeof(buf))) <= 0) {
				close(fds[w]);
				fds[w] = -1;
				pfd[w].fd = -1;
				open_n--;
				continue;
			}
			qstr_catn(&acc[w], buf, (size_t)n);
		}
		if (rh_interrupted)
			break;
	}
	for (w = 0; w < nw; w++) {
		char *line, *next, *f2, *f3, *f4;
		int st;

		if (fds[w] >= 0)
			close(fds[w]);
		if (rh_interrupted)
			kill(pids[w], SIGTERM);
		waitpid(pids[w], &st, 0);
		for (line = acc[w].buf; line != NULL && *line; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if ((f2 = strchr(line, '\t')) == NULL ||
			    (f3 = strchr(f2 + 1, '\t')) == NULL ||
			    (f4 = strchr(f3 + 1, '\t')) == NULL)
				continue;
			k = strtoul(line, NULL, 10);
			i = atoi(f2 + 1);
			if (k >= r->nlogins || i < 0 || i >= nproto)
				continue;
			r->logins_v[k].res[i] = (enum rh_login)atoi(f3 + 1);
			r->logins_v[k].reply[i] = strdup(f4 + 1);
		}
		qstr_free(&acc[w]);
	}
	return 0;
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
