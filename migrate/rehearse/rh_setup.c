/*
 * NAME		rh_setup - the private directory of a rehearsal
 * DOES		reads OUT/migration.json, picks the mail user and the
 *		loopback ports, copies OUT's Postfix and Dovecot files into
 *		the private directory and has rehearse_conf.c move them onto
 *		loopback, finds the certificate of the TLS wrapper-mode
 *		listener (OUT's, else a throw-away one made with openssl),
 *		runs postmap and "postfix check", writes the pipe
 *		recorder, prepares srs-forward, srs-map and a copy of OUT's
 *		SRS secret
 * NEVER	writes below OUT, creates a system user, starts a server
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "mail/json.h"
#include "mail/pfmaps.h"
#include "migrate/rehearse/rh_int.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/strlist.h"

static int
copy_dir(const char *src, const char *dst, struct strlist *names)
{
	char sp[1024], dp[1024];
	struct qstr data = QSTR_INIT(RH_MAX_FILE);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int e = 0;

	if ((d = opendir(src)) == NULL) {
		msg_warn("%s", src);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (rh_path_join(sp, sizeof(sp), src, de->d_name) < 0 ||
		    rh_path_join(dp, sizeof(dp), dst, de->d_name) < 0 ||
		    lstat(sp, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		qstr_reset(&data);
		if ((e = file_read_all(sp, RH_MAX_FILE, FILE_READ_NOFOLLOW,
		    &data)) < 0 || (e = file_write_atomic_buf(dp, data.buf,
		    data.len, (st.st_mode & 077) ? QPM_MODE_PUBLIC :
		    QPM_MODE_SECRET)) < 0) {
			msg_errorx("cannot copy %s: %s", sp, qpm_strerror(e));
			break;
		}
		if (names != NULL && (e = strlist_add(names, de->d_name)) < 0)
			break;
	}
	closedir(d);
	qstr_free(&data);
	return e < 0 ? -1 : 0;
}

static const char recorder_sh[] =
    "#!/bin/sh\n"
    "# qmail2postfix rehearse: stands in for a pipe(8) program. Records\n"
    "# its arguments (hex), environment and message, then exits 0 (or\n"
    "# as the stand-in of --programs below).\n"
    "LC_ALL=C\nexport LC_ALL\n"
    "umask 077\n"
    "d=$1\nshift\n"
    "f=\"$d/pipe.$$.$(date +%s%N)\"\n"
    "cat >\"$f.msg\" || exit 75\n"
    "env >\"$f.env\"\n"
    "cat /proc/$$/environ >\"$f.environ\" 2>/dev/null\n"
    "for a in \"$@\"; do\n"
    "\tprintf 'arg %s\\n' \"$(printf '%s' \"$a\" | od -An -v -tx1 | tr -d ' \\n')\"\n"
    "done >\"$f.tmp\" && mv \"$f.tmp\" \"$f.rec\" || exit 75\n"
    "# q2p-dotqmail's program line: NAME q2p-dotqmail STANDINS FILE:LINE DIR\n"
    "# /bin/sh -c COMMAND; a stand-in of the command's name runs on the\n"
    "# recorded message with the same environment, its exit code counts\n"
    "# and is kept (.exit) for the expectation\n"
    "if [ \"$2\" = q2p-dotqmail ] && [ \"$3\" != - ]; then\n"
    "\tw=${8%%[ \t]*}\n"
    "\tp=\"$3/${w##*/}\"\n"
    "\tif [ -x \"$p\" ]; then\n"
    "\t\t/bin/sh -c \"\\\"\\$0\\\"${8#\"$w\"}\" \"$p\" <\"$f.msg\"\n"
    "\t\trc=$?\n"
    "\t\techo \"$rc\" >\"$f.exit\"\n"
    "\t\texit \"$rc\"\n"
    "\tfi\n"
    "fi\n"
    "exit 0\n";

static int next_port_fn(void) { return rh_free_port(); }

int
rh_map_user(struct rh_run *r)
{
	struct passwd *pw = NULL;

	if (r->user_opt != NULL)
		pw = getpwnam(r->user_opt);
	else if ((pw = getpwnam("vpopmail")) == NULL)
		pw = getpwnam("nobody");
	if (pw == NULL || pw->pw_uid == 0) {
		msg_errorx("no unprivileged user %s for the mail files",
		    r->user_opt ? r->user_opt : "vpopmail or nobody");
		return -1;
	}
	if ((r->p.user = strdup(pw->pw_name)) == NULL)
		return -1;
	r->p.uid = pw->pw_uid;
	r->p.gid = pw->pw_gid;
	return 0;
}

/* ----------------------------------------------------------------- SRS */

/* name next to this qmail2postfix (the same build), else at the path
 * the migration wrote into master.cf, else in PATH */
static int
srs_find_prog(const char *name, const char *written, char *out, size_t size)
{
	char self[1024], *slash;
	const char *path = getenv("PATH"), *s, *e;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if (qpm_snprintf(out, size, "%s/%s", self, name) >= 0 &&
			    access(out, X_OK) == 0)
				return 0;
		}
	}
	if (written != NULL && *written == '/' &&
	    qpm_snprintf(out, size, "%s", written) >= 0 && access(out, X_OK) == 0)
		return 0;
	for (s = path; s != NULL && *s != '\0'; s = *e ? e + 1 : e) {
		e = s + strcspn(s, ":");
		if (e > s && *s == '/' && qpm_snprintf(out, size, "%.*s/%s",
		    (int)(e - s), s, name) >= 0 && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* migration.json "srs": the domain, srs-map's socket, the pipe; the
 * programs found; OUT/srs/secret copied for the mail user (0600) */
int
rh_srs_prepare(struct rh_run *r)
{
	json_t *o = json_object_get(r->model_json, "srs");
	const char *dom, *sock, *tr, *fwd;
	char src[1024], dir[700], written[1024], *slash;
	struct qstr sec = QSTR_INIT(RH_MAX_SECRET);
	int rc = -1;

	if (!json_is_object(o) || !json_is_true(json_object_get(o, "wired"))) {
		qpm_snprintf(r->srs_skip, sizeof(r->srs_skip), "OUT has no SRS "
		    "wiring (made with --no-srs): forwards keep their sender");
		return 0;
	}
	dom = qpm_json_opt_str(o, "domain");
	sock = qpm_json_opt_str(o, "socket");
	tr = qpm_json_opt_str(o, "transport");
	fwd = qpm_json_opt_str(o, "forwarder");
	if (dom == NULL || sock == NULL || tr == NULL || rh_bad_address(dom) ||
	    qpm_snprintf(r->srs_domain, sizeof(r->srs_domain), "%s", dom) < 0 ||
	    qpm_snprintf(r->srs_socket, sizeof(r->srs_socket), "%s", sock) < 0 ||
	    qpm_snprintf(r->srs_transport, sizeof(r->srs_transport), "%s",
	    tr) < 0) {
		msg_errorx("%s/migration.json: srs without a usable domain, "
		    "socket or transport", r->out);
		goto out;
	}
	if (srs_find_prog("srs-forward", fwd, r->srs_fwd,
	    sizeof(r->srs_fwd)) < 0) {
		msg_errorx("srs-forward: not next to qmail2postfix, not at %s, "
		    "not in PATH", fwd ? fwd : "(none)");
		goto out;
	}
	written[0] = '\0';
	if (fwd != NULL && qpm_snprintf(written, sizeof(written), "%s", fwd) >= 0 &&
	    (slash = strrchr(written, '/')) != NULL)
		qpm_snprintf(slash + 1, sizeof(written) - (size_t)(slash + 1 -
		    written), "srs-map");
	if (srs_find_prog("srs-map", written, r->srs_map,
	    sizeof(r->srs_map)) < 0) {
		msg_errorx("srs-map: not next to qmail2postfix, not next to %s, "
		    "not in PATH", fwd ? fwd : "srs-forward");
		goto out;
	}
	if (rh_path_join(src, sizeof(src), r->out, "srs/secret") < 0 ||
	    rh_path_join(dir, sizeof(dir), r->tmp, "srs") < 0 ||
	    rh_path_join(r->srs_secret, sizeof(r->srs_secret), dir, "secret") < 0)
		goto out;
	if (file_read_all(src, RH_MAX_SECRET, FILE_READ_NOFOLLOW,
	    &sec) < 0 || sec.len == 0) {
		msg_errorx("%s: no SRS secret", src);
		goto out;
	}
	if (rh_mkdir_owned(dir, 0700, r->p.uid, r->p.gid) < 0 ||
	    file_write_atomic(r->srs_secret, &sec, 0600) < 0 ||
	    chown(r->srs_secret, r->p.uid, r->p.gid) < 0) {
		msg_warn("%s", r->srs_secret);
		goto out;
	}
	if ((r->srs_port = rh_free_port()) < 0)
		goto out;
	r->p.srs_transport = r->srs_transport;
	r->p.srs_forward = r->srs_fwd;
	r->p.srs_secret = r->srs_secret;
	if ((r->sink_recs = json_array()) == NULL)
		goto out;
	r->srs = 1;
	rc = 0;
out:
	if (sec.buf != NULL)
		memset(sec.buf, 0, sec.len);
	qstr_free(&sec);
	return rc;
}

/* ------------------------------------------------- Postfix and Dovecot */

/* SRS: srs-map's socket in recipient_canonical_maps moved to the
 * rehearsal's srs-map (r->p.srs_reverse_map), or a note that bounces to
 * SRS addresses are not reversed */
static int
setup_srs_reverse(struct rh_run *r, struct qstr *tail)
{
	char *av[] = { "postconf", "-c", r->pf_conf, "-h",
	    "recipient_canonical_maps", NULL };
	char *v;
	int st;

	if (rh_run_cmd(r, av, tail) != 0) {
		msg_errorx("postconf -c %s: %s", r->pf_conf, rh_cmd_tail(r, tail));
		return -1;
	}
	/* the value, after any "postconf: warning:" lines (Postfix 3.10
	 * warns of mysql: map files it looks for under /etc/postfix on its
	 * first run after main.cf changed) */
	for (v = tail->buf; strncmp(v, "postconf: ", 10) == 0 &&
	    strchr(v, '\n') != NULL; v = strchr(v, '\n') + 1)
		;
	v[strcspn(v, "\n")] = '\0';
	qstr_reset(&r->srs_reverse);
	if ((st = rh_srs_map_rewrite(v, r->srs_socket, r->srs_port,
	    &r->srs_reverse)) == QPM_ENOENT) {
		struct qstr note = QSTR_INIT(4096);

		qstr_catf(&note, "recipient_canonical_maps does not ask "
		    "srs-map at %s: bounces to SRS addresses are not "
		    "reversed", r->srs_socket);
		msg_warnx("%s", qstr_str(&note));
		strlist_add(&r->notes, qstr_str(&note));
		qstr_free(&note);
	} else if (st < 0)
		return -1;
	else
		r->p.srs_reverse_map = qstr_str(&r->srs_reverse);
	return 0;
}

/* transport maps: remote next hops to the sink */
static int
setup_transports(struct rh_run *r, struct qstr *tail)
{
	char *av[] = { "postconf", "-c", r->pf_conf, "-x", "-h",
	    "transport_maps", NULL };
	struct strlist tm = { 0 };
	struct qstr t2 = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	const char *v;
	size_t i;
	int rc = -1;

	if (rh_run_cmd(r, av, tail) != 0 || pfmaps_indexed(&tm,
	    tail->buf, r->pf_conf, 1024) < 0)
		goto out;
	for (i = 0; i < tm.n; i++) {
		v = strchr(tm.v[i], ':') + 1;
		qstr_reset(&out);
		if (rh_slurp(v, &t2) < 0 || rh_transport_rewrite(t2.buf,
		    &r->clients, r->p.sink_port, &out, &r->notes) < 0 ||
		    rh_spit(v, &out, 0644) < 0)
			goto out;
		qstr_free(&t2);
	}
	rc = 0;
out:
	qstr_free(&t2);
	qstr_free(&out);
	strlist_free(&tm);
	return rc;
}

/* The certificate and key of the TLS wrapper-mode listener (465): OUT's
 * (main.cf) when both are readable here, else a throw-away self-signed
 * pair made with openssl in the private directory, and the output says
 * so; without either the listener is left out (rehearse_conf.c). */
static int
setup_tls(struct rh_run *r, const char *src, struct qstr *tail)
{
	char *av[] = { "postconf", "-c", (char *)src, "-x", "-h",
	    "smtpd_tls_cert_file", "smtpd_tls_key_file", NULL };
	char dir[700], subj[] = "/CN=" RH_SENDER_DOMAIN;
	char *ssl[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
	    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
	    subj, "-keyout", r->tls_key, "-out", r->tls_cert, NULL };
	struct qstr note = QSTR_INIT(4096);
	char cert[1024], key[1024], *nl;

	/* two lines: the certificate's path, the key's */
	cert[0] = key[0] = '\0';
	if (rh_run_cmd(r, av, tail) == 0 && (nl = strchr(tail->buf,
	    '\n')) != NULL && qpm_snprintf(cert, sizeof(cert), "%.*s",
	    (int)(nl - tail->buf), tail->buf) >= 0)
		qpm_snprintf(key, sizeof(key), "%.*s", (int)strcspn(nl + 1,
		    "\n"), nl + 1);
	/* a path that fits an "-o name=value" of master.cf, readable */
	if (*cert == '/' && *key == '/' && strpbrk(cert, " \t,{}$") == NULL &&
	    strpbrk(key, " \t,{}$") == NULL && access(cert, R_OK) == 0 &&
	    access(key, R_OK) == 0 &&
	    qpm_snprintf(r->tls_cert, sizeof(r->tls_cert), "%s", cert) >= 0 &&
	    qpm_snprintf(r->tls_key, sizeof(r->tls_key), "%s", key) >= 0)
		qstr_catf(&note, "smtps: OUT's certificate %s", cert);
	else if (rh_path_join(dir, sizeof(dir), r->tmp, "tls") < 0 ||
	    rh_path_join(r->tls_cert, sizeof(r->tls_cert), dir, "cert.pem") < 0 ||
	    rh_path_join(r->tls_key, sizeof(r->tls_key), dir, "key.pem") < 0 ||
	    file_mkdirs(dir, 0700) < 0 || rh_run_cmd(r, ssl, tail) != 0) {
		msg_warnx("openssl req (a throw-away certificate): %s",
		    rh_cmd_tail(r, tail));
		qstr_catf(&note, "smtps: OUT's certificate %s is not readable "
		    "here and openssl made none: TLS wrapper mode is not "
		    "rehearsed", *cert ? cert : "(none)");
		r->tls_cert[0] = '\0';
	} else
		qstr_catf(&note, "smtps: OUT's certificate %s is not readable "
		    "here: a throw-away self-signed one, made with openssl in "
		    "%s", *cert ? cert : "(none)", dir);
	msg_info("%s", qstr_str(&note));
	if (strlist_add(&r->notes, qstr_str(&note)) < 0 ||
	    (r->tls_cert[0] != '\0' && (r->p.smtps_port = rh_free_port()) < 0)) {
		qstr_free(&note);
		return -1;
	}
	if (r->tls_cert[0] != '\0') {
		r->p.tls_cert = r->tls_cert;
		r->p.tls_key = r->tls_key;
	}
	qstr_free(&note);
	return 0;
}

/* postmap every indexed table below the private config dir */
static int
setup_postmap(struct rh_run *r, struct qstr *tail)
{
	char *av[] = { "postconf", "-c", r->pf_conf, "-x", "-n", NULL };
	struct strlist maps = { 0 };
	const char *v;
	size_t i;
	int rc = -1;

	if (rh_run_cmd(r, av, tail) != 0 || pfmaps_indexed(&maps,
	    tail->buf, r->pf_conf, 1024) < 0)
		goto out;
	/* an unknown parameter is a typo in OUT: say so, go on */
	for (v = strstr(tail->buf, "warning: "); v != NULL;
	    v = strstr(v + 1, "warning: "))
		msg_warnx("postconf: %.*s", (int)strcspn(v, "\n"), v);
	for (i = 0; i < maps.n; i++) {
		char *pm[] = { "postmap", "-c", r->pf_conf, maps.v[i], NULL };

		if (rh_run_cmd(r, pm, tail) != 0) {
			msg_errorx("postmap %s: %s", maps.v[i],
			    rh_cmd_tail(r, tail));
			goto out;
		}
	}
	rc = 0;
out:
	strlist_free(&maps);
	return rc;
}

int
rh_setup_postfix(struct rh_run *r)
{
	char src[1024], path[1024];
	struct qstr text = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	struct qstr tail = QSTR_INIT(1024 * 1024);
	struct strlist over = { 0 };
	char **argv = NULL;
	struct passwd *pf;
	size_t i, n, n0;
	int rc = -1;

	if (rh_path_join(src, sizeof(src), r->out, "postfix") < 0 ||
	    file_mkdirs(r->pf_conf, 0755) < 0 || copy_dir(src, r->pf_conf,
	    NULL) < 0)
		goto out;
	/* OUT's queue directory, to find it in dovecot.conf's listeners */
	{
		char *av[] = { "postconf", "-c", src, "-h", "queue_directory", NULL };

		if (rh_run_cmd(r, av, &tail) != 0) {
			msg_errorx("postconf -c %s: %s", src, rh_cmd_tail(r, &tail));
			goto out;
		}
		tail.len = strcspn(tail.buf, "\n");
		tail.buf[tail.len] = '\0';
		if (qpm_snprintf(r->old_queue, sizeof(r->old_queue), "%s",
		    tail.buf) < 0)
			goto out;
	}
	if (r->srs && setup_srs_reverse(r, &tail) < 0)
		goto out;
	/* master.cf; a certificate only for a wrapper-mode listener */
	if (rh_path_join(path, sizeof(path), r->pf_conf, "master.cf") < 0 ||
	    rh_slurp(path, &text) < 0 ||
	    (strstr(text.buf, "smtpd_tls_wrappermode=yes") != NULL &&
	    setup_tls(r, src, &tail) < 0))
		goto out;
	n0 = r->notes.n;
	if (rh_master_rewrite(text.buf, &r->p, &out,
	    &r->notes, &r->clients) < 0 || (r->lim != NULL &&
	    rh_limits_master(r->lim, &r->p, &out) < 0) ||
	    rh_spit(path, &out, 0644) < 0)
		goto out;
	for (i = n0; i < r->notes.n; i++)
		msg_info("%s", r->notes.v[i]);
	/* main.cf */
	if (rh_main_overrides(&r->p, &over) < 0 ||
	    (argv = calloc(over.n + 6, sizeof(*argv))) == NULL)
		goto out;
	n = 0;
	argv[n++] = "postconf";
	argv[n++] = "-c";
	argv[n++] = r->pf_conf;
	argv[n++] = "-e";
	for (i = 0; i < over.n; i++)
		argv[n++] = over.v[i];
	argv[n] = NULL;
	if (rh_run_cmd(r, argv, &tail) != 0) {
		msg_errorx("postconf -e: %s", rh_cmd_tail(r, &tail));
		goto out;
	}
	if (setup_transports(r, &tail) < 0 || setup_postmap(r, &tail) < 0)
		goto out;
	/* queue and data directories; postfix check makes the rest */
	if (rh_path_join(path, sizeof(path), r->tmp, "pf/data") < 0 ||
	    file_mkdirs(r->pf_queue, 0755) < 0 || file_mkdirs(path, 0700) < 0)
		goto out;
	if ((pf = getpwnam("postfix")) == NULL ||
	    chown(path, pf->pw_uid, pf->pw_gid) < 0) {
		msg_errorx("no postfix user to own %s", path);
		goto out;
	}
	{
		char *av[] = { "postfix", "-c", r->pf_conf, "check", NULL };

		if (rh_run_cmd(r, av, &tail) != 0) {
			msg_errorx("postfix check: %s", rh_cmd_tail(r, &tail));
			goto out;
		}
	}
	rc = 0;
out:
	free(argv);
	strlist_free(&over);
	qstr_free(&text);
	qstr_free(&out);
	qstr_free(&tail);
	return rc;
}

int
rh_setup_dovecot(struct rh_run *r)
{
	char src[1024], path[1024];
	struct qstr text = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	struct qstr tail = QSTR_INIT(1024 * 1024);
	struct passwd *dc;
	size_t i;
	int rc = -1;

	if (rh_path_join(src, sizeof(src), r->out, "dovecot") < 0 ||
	    file_mkdirs(r->dc_dir, 0755) < 0 ||
	    copy_dir(src, r->dc_dir, &r->dc_files) < 0)
		goto out;
	if (rh_path_join(path, sizeof(path), r->dc_dir, "run") < 0 ||
	    file_mkdirs(path, 0755) < 0 ||
	    rh_path_join(path, sizeof(path), r->dc_dir, "state") < 0 ||
	    file_mkdirs(path, 0755) < 0)
		goto out;
	/* --limits proves the login and mail processes as OUT has them;
	 * without it they serve many logins each */
	if (rh_slurp(r->dc_conf, &text) < 0 || rh_dovecot_rewrite(text.buf, &r->p,
	    &out) < 0 || (r->lim == NULL && rh_dovecot_reuse(text.buf,
	    &out) < 0) || rh_spit(r->dc_conf, &out, 0644) < 0)
		goto out;
	qstr_free(&text);
	qstr_reset(&out);
	/* --userdb sql: the users are in the private MariaDB */
	if (r->sql) {
		if (rh_sql_users(r) < 0)
			goto out;
	} else if (rh_path_join(path, sizeof(path), r->dc_dir, "users") < 0)
		goto out;
	else if (rh_slurp(path, &text) < 0) {
		msg_errorx("%s: no Dovecot users file in OUT", path);
		goto out;
	} else if (rh_users_rewrite(text.buf, &r->p, &out, &r->homes,
	    &r->home_users) < 0 ||
	    rh_spit(path, &out, 0600) < 0)
		goto out;
	/* the auth process reads them as dovecot */
	dc = getpwnam("dovecot");
	for (i = 0; dc != NULL && i < r->dc_files.n; i++) {
		if (rh_path_join(path, sizeof(path), r->dc_dir, r->dc_files.v[i]) < 0)
			continue;
		if (strcmp(r->dc_files.v[i], "dovecot.conf") != 0 &&
		    chown(path, dc->pw_uid, dc->pw_gid) < 0)
			msg_warn("chown %s", path);
	}
	if (rh_mkdir_owned(r->mail_root, 0755, r->p.uid, r->p.gid) < 0)
		goto out;
	/* parents 0755 root, each home 0700 for the mail user */
	for (i = 0; i < r->homes.n; i++)
		if (file_mkdirs(r->homes.v[i], 0755) < 0 ||
		    chown(r->homes.v[i], r->p.uid, r->p.gid) < 0 ||
		    chmod(r->homes.v[i], 0700) < 0) {
			msg_warn("mkdir %s", r->homes.v[i]);
			goto out;
		}
	{
		char *av[] = { "doveconf", "-c", r->dc_conf, "-n", NULL };

		if (rh_run_cmd(r, av, &tail) != 0) {
			msg_errorx("doveconf -n: %s", rh_cmd_tail(r, &tail));
			goto out;
		}
	}
	rc = 0;
out:
	qstr_free(&text);
	qstr_free(&out);
	qstr_free(&tail);
	return rc;
}

/* ------------------------------------------------------------- the run */

int
rh_prepare_paths(struct rh_run *r)
{
	const char *td = getenv("TMPDIR");
	char tmpl[512];

	if (td == NULL || *td != '/')
		td = "/tmp";
	if (strpbrk(td, " \t\n") != NULL) {
		msg_errorx("TMPDIR holds white space: %s", td);
		return -1;
	}
	/* mkdtemp's six template characters */
	if (qpm_snprintf(tmpl, sizeof(tmpl), "%s/q2p-rehearse.%c%c%c%c%c%c", td,
	    'X', 'X', 'X', 'X', 'X', 'X') < 0 ||
	    mkdtemp(tmpl) == NULL || chmod(tmpl, 0755) < 0) {
		msg_warn("cannot make a directory in %s", td);
		return -1;
	}
	if (qpm_snprintf(r->tmp, sizeof(r->tmp), "%s", tmpl) < 0 ||
	    rh_path_join(r->pf_conf, sizeof(r->pf_conf), r->tmp, "pf/etc") < 0 ||
	    rh_path_join(r->pf_queue, sizeof(r->pf_queue), r->tmp, "pf/queue") < 0 ||
	    rh_path_join(r->dc_dir, sizeof(r->dc_dir), r->tmp, "dovecot") < 0 ||
	    rh_path_join(r->dc_conf, sizeof(r->dc_conf), r->dc_dir,
	    "dovecot.conf") < 0 ||
	    rh_path_join(r->mail_root, sizeof(r->mail_root), r->tmp, "mail") < 0 ||
	    rh_path_join(r->sink_dir, sizeof(r->sink_dir), r->tmp, "sink") < 0 ||
	    rh_path_join(r->pipe_dir, sizeof(r->pipe_dir), r->tmp, "pipes") < 0 ||
	    rh_path_join(r->recorder, sizeof(r->recorder), r->tmp,
	    "bin/record-pipe") < 0 ||
	    rh_path_join(r->cmdlog, sizeof(r->cmdlog), r->tmp, "command.log") < 0)
		return -1;
	r->p.tmp = r->tmp;
	r->p.pf_conf = r->pf_conf;
	r->p.pf_queue = r->pf_queue;
	r->p.old_queue = r->old_queue;
	r->p.dc_dir = r->dc_dir;
	r->p.mail_root = r->mail_root;
	r->p.recorder = r->recorder;
	r->p.pipe_dir = r->pipe_dir;
	r->p.dc_files = &r->dc_files;
	r->p.next_port = next_port_fn;
	if ((r->p.smtp_port = rh_free_port()) < 0 ||
	    (r->p.submission_port = rh_free_port()) < 0 ||
	    (r->p.imap_port = rh_free_port()) < 0 ||
	    (r->p.pop3_port = rh_free_port()) < 0 ||
	    (r->p.sink_port = rh_free_port()) < 0)
		return -1;
	return 0;
}

int
rh_prepare_recorder(struct rh_run *r)
{
	char bin[700];

	if (rh_path_join(bin, sizeof(bin), r->tmp, "bin") < 0 ||
	    file_mkdirs(bin, 0755) < 0 ||
	    file_write_atomic_buf(r->recorder, recorder_sh,
	    sizeof(recorder_sh) - 1, 0755) < 0 ||
	    rh_mkdir_owned(r->pipe_dir, 0700, r->p.uid, r->p.gid) < 0) {
		msg_warn("cannot set up the pipe recorder in %s", r->tmp);
		return -1;
	}
	if (srs_find_prog("q2p-dotqmail", NULL, r->dotqmail,
	    sizeof(r->dotqmail)) == 0)
		r->p.dotqmail = r->dotqmail;
	r->p.dc_conf = r->dc_conf;
	return 0;
}

int
rh_load_model(struct rh_run *r)
{
	char path[1024];
	json_error_t je;
	struct qstr err = QSTR_INIT(1024);

	if (rh_path_join(path, sizeof(path), r->out, "migration.json") < 0)
		return -1;
	if ((r->model_json = json_load_file(path, 0, &je)) == NULL) {
		msg_errorx("%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if ((r->m = rh_model_new(r->model_json, &err)) == NULL) {
		msg_errorx("%s: %s", path, err.len ? err.buf : "out of memory");
		qstr_free(&err);
		return -1;
	}
	qstr_free(&err);
	return 0;
}
