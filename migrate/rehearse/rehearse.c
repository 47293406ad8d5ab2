/*
 * NAME		rehearse - "qmail2postfix rehearse OUT": the dress rehearsal
 * DOES		copies OUT's Postfix and Dovecot configuration into a private
 *		directory, moves it onto loopback (rehearse_conf.c), starts
 *		Postfix, Dovecot and a capture sink (Postfix's smtp-sink),
 *		sends one probe per address, logs in with every cleartext
 *		password, waits for the queue to settle, stops everything and
 *		reports where each probe ended (seen on disk: the Maildir and
 *		its Dovecot users, the sink's files, the pipe's own record),
 *		against the migration model (the expectation only).
 *		This file holds main, the options and the order of the
 *		steps; the steps are in rh_setup.c, rh_run.c, rh_probe.c,
 *		rh_collect.c and rh_report.c (rh_int.h)
 * NEVER	writes below OUT or the old tree, creates a system user,
 *		runs a .qmail program, lets mail leave 127.0.0.1, prints a
 *		password
 */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/rehearse/rh_int.h"
#include "util/clock.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/version.h"

#define PROGRAM_NAME	"qmail2postfix rehearse"

const char *const rh_proto_names[RH_NPROTO] = { "imap", "pop3", "smtp",
    "imap_remote", "pop3_remote", "smtp_remote", "smtp" };
const char *const rh_proto_keys[RH_NPROTO] = { "imap_login", "pop3_login",
    "smtp_auth", "imap_login_remote", "pop3_login_remote",
    "smtp_auth_remote", "smtps_auth" };

volatile sig_atomic_t rh_interrupted;

static void
on_signal(int sig)
{
	rh_interrupted = sig;
}

static void
help(void)
{
	printf("usage: qmail2postfix rehearse OUT [--json] [--probe ADDRESS]... "
	    "[options]\n"
	    "\n"
	    "Starts private Postfix and Dovecot instances from OUT on loopback,\n"
	    "sends a probe to every address the migration knows, logs in with\n"
	    "every cleartext password the old host kept, stops everything and\n"
	    "reports where each probe ended, next to what the old host did.\n"
	    "With SRS wired in OUT, srs-map and the srsfwd pipe run for real:\n"
	    "forwards must carry SRS0 senders that reverse, a bounce to one\n"
	    "must come back, a forged one must be refused.\n"
	    "Must run as root; nothing outside a temporary directory changes.\n"
	    "\n"
	    "  --json               the report as JSON on stdout\n"
	    "  --probe ADDRESS      probe this address too (repeatable)\n"
	    "  --passwords FILE     more cleartext passwords (address TAB password)\n"
	    "  --user NAME          the unprivileged user for mail files and\n"
	    "                       recorded programs [vpopmail, else nobody]\n"
	    "  --programs DIR       a .qmail program whose name DIR has runs as\n"
	    "                       DIR/NAME after it is recorded (a stand-in:\n"
	    "                       its exit code counts, 99 and 100 too);\n"
	    "                       others are recorded and exit 0\n"
	    "  --timeout SECONDS    how long the queue may take to settle [120]\n"
	    "  --no-logins          probe addresses only\n"
	    "  --concurrency N      SMTP sessions and logins at a time [16];\n"
	    "                       1 sends and logs in one at a time\n"
	    "  --batch N            addresses per probe message [50]; 1 sends\n"
	    "                       each its own message\n"
	    "  --login-columns all|distinct\n"
	    "                       all 7 logins of every mailbox [all], or\n"
	    "                       IMAP, POP3 and SMTP AUTH from its own\n"
	    "                       address and the others only where they\n"
	    "                       can answer differently (qmail2postfix(8))\n"
	    "  --limits             also prove OUT's connection limits with\n"
	    "                       real connections (qmail2postfix(8))\n"
	    "  --strict             addresses the migration listed as not\n"
	    "                       converted count as differences too\n"
	    "  --keep               keep the temporary directory (logs, mail)\n"
	    "  -v, --verbose        progress on stderr\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "\n"
	    "Exit: 0 everything behaved as on the old host, 1 differences,\n"
	    "failed SRS checks or failed limit probes (listed), 2 the\n"
	    "rehearsal could not run.\n"
	    "See qmail2postfix(8).\n");
}

static int
usage(void)
{
	fprintf(stderr, "usage: qmail2postfix rehearse OUT [--json] "
	    "[--probe ADDRESS]... [--keep]\n");
	return RH_EXIT_NOTRUN;
}

/* ------------------------------------------------------------ progress */

void
rh_progress(struct rh_run *r, const char *what, size_t done, size_t total,
    double t0, int last)
{
	double now = qpm_clock_mono(), el = now - t0, rate;
	long left;

	if (!r->progress || (!last && now - r->progress_at < 0.5))
		return;
	r->progress_at = now;
	rate = el > 0 ? (double)done / el : 0;
	left = rate > 0 ? (long)((double)(total - done) / rate) : -1;
	if (last)
		fprintf(stderr, "\r%s: %zu/%zu in %.1f s, %.0f/s\033[K\n", what,
		    done, total, el, rate);
	else if (left >= 0)
		fprintf(stderr, "\r%s: %zu/%zu, %.0f/s, %ld:%02ld left\033[K",
		    what, done, total, rate, left / 60, left % 60);
	else
		fprintf(stderr, "\r%s: %zu/%zu\033[K", what, done, total);
}

/* The run's figures: the seconds of each step, the peak RSS of this
 * process and of the largest child it waited for (the workers, the
 * servers), and how many at a time */
static json_t *
run_figures(struct rh_run *r, double t_all)
{
	struct rusage self, kids;
	json_t *o = json_object();

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	qpm_json_set_int(o, "concurrency", r->concurrency);
	qpm_json_set_int(o, "batch", r->batch);
	qpm_json_set(o, "login_columns", json_string(r->login_cols ==
	    RH_COLS_DISTINCT ? "distinct" : "all"));
	/* addresses that shared messages, and those probed again alone */
	qpm_json_set_int(o, "batches", (long long)r->nbatches);
	qpm_json_set_int(o, "batched_addresses", (long long)r->nbatched);
	qpm_json_set_int(o, "probed_again", (long long)r->nredo);
	qpm_json_set(o, "seconds", json_real(t_all));
	qpm_json_set(o, "probes_seconds", json_real(r->t_probes));
	qpm_json_set(o, "logins_seconds", json_real(r->t_logins));
	qpm_json_set(o, "settle_seconds", json_real(r->t_settle));
	/* CPU of this process, its workers and Dovecot (Postfix's master
	 * is not a child: it runs on its own after "postfix start") */
	qpm_json_set(o, "cpu_seconds", json_real((double)(self.ru_utime.tv_sec +
	    self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	    (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
	    kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6));
	qpm_json_set_int(o, "peak_rss_kb", self.ru_maxrss);
	qpm_json_set_int(o, "children_peak_rss_kb", kids.ru_maxrss);
	return o;
}

static void
run_text(const json_t *o)
{
	printf("run: %.1f s (probes %.1f s, logins %.1f s, queue settled in "
	    "%.1f s; CPU %.1f s), %lld at a time, peak RSS %lld kB (largest "
	    "child %lld kB)\n", json_real_value(json_object_get(o, "seconds")),
	    json_real_value(json_object_get(o, "probes_seconds")),
	    json_real_value(json_object_get(o, "logins_seconds")),
	    json_real_value(json_object_get(o, "settle_seconds")),
	    json_real_value(json_object_get(o, "cpu_seconds")),
	    qpm_json_get_int(o, "concurrency", 0),
	    qpm_json_get_int(o, "peak_rss_kb", 0),
	    qpm_json_get_int(o, "children_peak_rss_kb", 0));
}

/* -------------------------------------------------------------- limits */

/* --limits: a mailbox allowed IMAP and POP3 with a cleartext password
 * (one whose logins worked in this rehearsal first), then the probes */
static int
limits_run(struct rh_run *r)
{
	struct rh_limits_env env;
	char nft[1024];
	size_t i, pick = r->nlogins;
	int pass;

	for (pass = 0; pass < 2 && pick == r->nlogins; pass++)
		for (i = 0; i < r->nlogins && pick == r->nlogins; i++) {
			struct rh_login_row *l = &r->logins_v[i];

			if (l->pass == NULL ||
			    rh_model_login(r->m, l->addr, "imap") != 1 ||
			    rh_model_login(r->m, l->addr, "pop3") != 1)
				continue;
			if (pass == 0 && (l->res[0] != RH_LOGIN_OK ||
			    l->res[1] != RH_LOGIN_OK))
				continue;
			pick = i;
		}
	if (rh_path_join(nft, sizeof(nft), r->out,
	    "nftables/qmail2postfix.nft") < 0)
		return -1;
	memset(&env, 0, sizeof(env));
	env.p = &r->p;
	env.pf_conf = r->pf_conf;
	env.dc_conf = r->dc_conf;
	env.nft_file = nft;
	if (pick < r->nlogins) {
		env.user = r->logins_v[pick].addr;
		env.pass = r->logins_v[pick].pass;
	}
	if (msg_verbose)
		msg_info("proving the connection limits");
	return rh_limits_run(r->lim, &env);
}

/* ---------------------------------------------------------------- main */

static void
run_free(struct rh_run *r)
{
	size_t i;
	int p;

	for (i = 0; i < r->nprobes; i++) {
		free(r->probes[i].addr);
		rh_result_free(&r->probes[i].got);
		rh_result_free(&r->probes[i].want);
		qstr_free(&r->probes[i].reply);
		qstr_free(&r->probes[i].why);
		if (r->probes[i].pipe_runs != NULL)
			json_decref(r->probes[i].pipe_runs);
	}
	free(r->probes);
	free(r->batches);
	free(r->bmembers);
	for (i = 0; i < r->nlogins; i++) {
		free(r->logins_v[i].addr);
		if (r->logins_v[i].pass != NULL) {
			memset(r->logins_v[i].pass, 0, strlen(r->logins_v[i].pass));
			free(r->logins_v[i].pass);
		}
		for (p = 0; p < RH_NPROTO; p++)
			free(r->logins_v[i].reply[p]);
	}
	free(r->logins_v);
	rh_model_free(r->m);
	json_decref(r->model_json);
	json_decref(r->by_id);
	strlist_free(&r->homes);
	strlist_free(&r->home_users);
	strlist_free(&r->notes);
	strlist_free(&r->clients);
	strlist_free(&r->dc_files);
	strlist_free(&r->extra);
	rh_limits_free(r->lim);
	free((char *)r->p.user);
	qstr_free(&r->srs_reverse);
	qstr_free(&r->srs_bounce_reply);
	qstr_free(&r->srs_forged_reply);
	json_decref(r->sink_recs);
	json_decref(r->srs_report);
}

/* The options into r: -1 to go on, else the exit code (after --help,
 * --version or a usage error). */
static int
options(struct rh_run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "probe", required_argument, NULL, 'p' },
		{ "passwords", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "programs", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-logins", no_argument, NULL, 'L' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "login-columns", required_argument, NULL, 'C' },
		{ "limits", no_argument, NULL, 'l' },
		{ "strict", no_argument, NULL, 's' },
		{ "keep", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': r->json = 1; break;
		case 'p':
			if (rh_bad_address(optarg) || strchr(optarg, '@') == NULL) {
				msg_errorx("--probe %s: not an address", optarg);
				return RH_EXIT_NOTRUN;
			}
			if (strlist_add(&r->extra, optarg) < 0)
				return RH_EXIT_NOTRUN;
			break;
		case 'P': r->passwords = optarg; break;
		case 'u': r->user_opt = optarg; break;
		case 'g':
			if (optarg[0] != '/' || strpbrk(optarg, " \t\n'\"{}$")) {
				msg_errorx("--programs %s: an absolute path without "
				    "blanks, quotes, braces or '$'", optarg);
				return RH_EXIT_NOTRUN;
			}
			r->p.standins = optarg;
			break;
		case 't':
			if ((r->timeout = atoi(optarg)) <= 0 || r->timeout > 86400) {
				msg_errorx("--timeout %s: 1 to 86400 seconds", optarg);
				return RH_EXIT_NOTRUN;
			}
			break;
		case 'L': r->logins = 0; break;
		case 'C':
			if (strcmp(optarg, "all") == 0)
				r->login_cols = RH_COLS_ALL;
			else if (strcmp(optarg, "distinct") == 0)
				r->login_cols = RH_COLS_DISTINCT;
			else {
				msg_errorx("--login-columns %s: all or distinct",
				    optarg);
				return RH_EXIT_NOTRUN;
			}
			break;
		case 'c':
			if ((r->concurrency = atoi(optarg)) <= 0 ||
			    r->concurrency > RH_MAX_WORKERS) {
				msg_errorx("--concurrency %s: 1 to %d", optarg,
				    RH_MAX_WORKERS);
				return RH_EXIT_NOTRUN;
			}
			break;
		case 'b':
			if ((r->batch = atoi(optarg)) <= 0 ||
			    r->batch > RH_MAX_BATCH) {
				msg_errorx("--batch %s: 1 to %d", optarg,
				    RH_MAX_BATCH);
				return RH_EXIT_NOTRUN;
			}
			break;
		case 'l': r->limits = 1; break;
		case 's': r->strict = 1; break;
		case 'k': r->keep = 1; break;
		case 'v': msg_verbose++; break;
		case 'h': help(); return 0;
		case 'V': qpm_version("qmail2postfix"); return 0;
		default: return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	r->out = argv[optind];
	return -1;
}

/* The rehearsal itself, in the private directory, and its report; the
 * exit code. Whatever it started is stopped by the caller. */
static int
rehearse(struct rh_run *r)
{
	size_t nmis = 0, nnc = 0, nlmis = 0;
	double t_all = qpm_clock_mono(), t;
	json_t *rep;
	int exit_code;

	if (msg_verbose)
		msg_info("rehearsal in %s: smtp %d, submission %d, imap %d, "
		    "pop3 %d, sink %d, mail user %s", r->tmp, r->p.smtp_port,
		    r->p.submission_port, r->p.imap_port, r->p.pop3_port,
		    r->p.sink_port, r->p.user);
	if (rh_prepare_recorder(r) < 0 || rh_srs_prepare(r) < 0 ||
	    rh_sql_detect(r) < 0 || (r->sql && rh_sql_load(r) < 0) ||
	    rh_setup_postfix(r) < 0 || (r->sql && rh_sql_postfix(r) < 0) ||
	    rh_setup_dovecot(r) < 0 || rh_probes_build(r) < 0 ||
	    ((r->logins || r->limits) && rh_logins_build(r) < 0))
		return RH_EXIT_NOTRUN;
	if (rh_start_all(r) < 0)
		return RH_EXIT_NOTRUN;
	if (msg_verbose)
		msg_info("sending %zu probes, %d at a time", r->nprobes,
		    r->concurrency);
	t = qpm_clock_mono();
	if (rh_probes_send(r) < 0 || rh_srs_probes_send(r) < 0)
		return RH_EXIT_NOTRUN;
	r->t_probes = qpm_clock_mono() - t;
	if (r->logins && !rh_interrupted) {
		if (msg_verbose)
			msg_info("logging in to %zu mailboxes", r->nlogins);
		t = qpm_clock_mono();
		if (rh_logins_run(r) < 0)
			return RH_EXIT_NOTRUN;
		r->t_logins = qpm_clock_mono() - t;
		if (msg_verbose)
			msg_info("logins done in %.1f s", r->t_logins);
	}
	t = qpm_clock_mono();
	rh_settle(r);
	r->t_settle = qpm_clock_mono() - t;
	if (rh_interrupted)
		return RH_EXIT_NOTRUN;
	if (r->lim != NULL && limits_run(r) < 0)
		return RH_EXIT_NOTRUN;
	r->srs_hold = 1;	/* srs-map reverses what the sink got */
	rh_stop_all(r);
	rh_collect(r);
	rh_srs_evaluate(r);
	r->srs_hold = 0;
	rh_stop_all(r);
	rep = rh_report_json(r, &nmis, &nnc, &nlmis);
	qpm_json_set(rep, "srs", json_incref(r->srs_report));
	if (r->lim != NULL)
		qpm_json_set(rep, "limits", rh_limits_json(r->lim));
	qpm_json_set(rep, "run", run_figures(r, qpm_clock_mono() - t_all));
	if (r->json)
		qpm_json_write_fp(stdout, rep);
	else {
		rh_report_text(r, nmis, nnc, nlmis);
		rh_srs_text(r);
		if (r->lim != NULL)
			rh_limits_text(r->lim, stdout);
		run_text(json_object_get(rep, "run"));
	}
	if (r->keep) {
		char path[700];

		if (rh_path_join(path, sizeof(path), r->tmp, "report.json") >= 0)
			qpm_json_write_file(path, rep, 0600);
	}
	exit_code = nmis + nlmis + rh_limits_failed(r->lim) + r->srs_failed >
	    0 || (r->strict && nnc > 0) ? RH_EXIT_MISMATCH : 0;
	json_decref(rep);
	return exit_code;
}

int
rehearse_main(int argc, char **argv)
{
	struct rh_run r;
	struct sigaction sa, old_int, old_term, old_hup;
	int exit_code;

	memset(&r, 0, sizeof(r));
	r.timeout = 120;
	r.logins = 1;
	r.concurrency = RH_CONCURRENCY;
	r.batch = RH_BATCH;
	r.progress = isatty(STDERR_FILENO);
	r.clock = qpm_clock_system;
	qstr_init(&r.srs_reverse, 64 * 1024);
	qstr_init(&r.srs_bounce_reply, RH_MAX_REPLY);
	qstr_init(&r.srs_forged_reply, RH_MAX_REPLY);
	if ((exit_code = options(&r, argc, argv)) >= 0)
		goto out;
	exit_code = RH_EXIT_NOTRUN;
	if (geteuid() != 0) {
		msg_errorx("rehearse starts Postfix and Dovecot and must run as "
		    "root");
		goto out;
	}
	if (rh_load_model(&r) < 0 || rh_map_user(&r) < 0)
		goto out;
	if (r.limits && (r.lim = rh_limits_new(r.model_json)) == NULL)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	srandom((unsigned)getpid() ^ (unsigned)qpm_clock_now(&r.clock));
	if (rh_prepare_paths(&r) < 0)
		goto restore;
	exit_code = rehearse(&r);
	rh_stop_all(&r);
	if (rh_interrupted)
		msg_errorx("interrupted (signal %d); everything stopped",
		    (int)rh_interrupted);
	if (r.tmp[0] != '\0') {
		if (r.keep)
			msg_info("kept %s", r.tmp);
		else {
			if (exit_code == RH_EXIT_NOTRUN)
				msg_info("--keep keeps the logs of a failed start");
			rh_rm_tree(r.tmp);
		}
	}
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
out:
	run_free(&r);
	return exit_code;
}
