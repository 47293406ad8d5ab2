/*
 * NAME		run - one migration run, all or nothing
 * DOES		scans the old tree into the model, writes every output file
 *		into a temporary OUT.tmp directory beside OUT, renames it to
 *		OUT at the end
 * NEVER	leaves OUT half written: on failure the temporary directory
 *		is removed and OUT is as it was
 */
#include <config.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/exits.h"
#include "migrate/model.h"
#include "migrate/run.h"
#include "migrate/scan.h"
#include "migrate/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

int
migrate_remove_tree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
srs_placeholder(const struct wopts *w)
{
	struct qstr s = QSTR_INIT(4096);
	int e;

	qstr_cat(&s, "Forwarded mail leaves this host with the original "
	    "envelope sender, as\nqmail's .qmail forwards did. Receivers "
	    "that check SPF will fail it.\n\nNo SRS wiring was generated: "
	    "this release of qmail2postfix has no\nsrs-map lines to add. "
	    "When srs-map is installed, add its lines to main.cf\n(see "
	    "srs-map(1), \"Postfix wiring\") with a secret made on the new "
	    "host.\nNo secret is written here.\n");
	e = writer_file(w, "srs/README", &s, QPM_MODE_PUBLIC);
	qstr_free(&s);
	return e;
}

/* OUT.tmp + six template characters for mkdtemp() */
static int
template(struct qstr *s, const char *out, const char *tag)
{
	int i, e;

	if ((e = qstr_catf(s, "%s%s", out, tag)) < 0)
		return e;
	for (i = 0; i < 6; i++)
		if ((e = qstr_catc(s, 'X')) < 0)
			return e;
	return 0;
}

int
migrate_run(const struct run_opts *o)
{
	struct scan_opts so;
	struct wopts w;
	struct model *m = NULL;
	struct qstr tmp = QSTR_INIT(QPM_MAX_PATH * 16),
	    old = QSTR_INIT(QPM_MAX_PATH * 16), report = QSTR_INIT((size_t)1 << 32);
	struct stat st;
	int exit_code = QPM_EXIT_NOTHING, e, have_out;

	have_out = lstat(o->out, &st) == 0;
	if (have_out && !o->force) {
		msg_errorx("%s exists; use --force to replace it", o->out);
		goto out;
	}
	if (have_out && !S_ISDIR(st.st_mode)) {
		msg_errorx("%s exists and is not a directory", o->out);
		goto out;
	}
	if ((m = model_new()) == NULL) {
		msg_errorx("out of memory");
		goto out;
	}
	m->quiet = o->quiet;
	m->new_hostname = o->hostname;
	m->new_ip = o->ip;
	so.root = o->root;
	so.qmail_dir = o->qmail_dir;
	so.vpopmail_dir = o->vpopmail_dir;
	if ((e = scan_run(m, &so)) < 0) {
		msg_errorx("%s: not a directory: nothing read", o->root);
		goto out;
	}
	if (m->nomem) {
		msg_errorx("out of memory while reading %s", o->root);
		goto out;
	}
	if (template(&tmp, o->out, ".tmp") < 0 || mkdtemp(tmp.buf) == NULL) {
		msg_error("cannot create a temporary directory beside %s",
		    o->out);
		goto out;
	}
	chmod(tmp.buf, 0755);
	w.outdir = tmp.buf;
	w.root = o->root;
	w.dovecot_dir = o->dovecot_dir;
	if ((e = write_postfix(m, &w)) < 0 ||
	    (e = write_dovecot23(m, &w)) < 0 ||
	    (e = (m->srs_wiring == NULL ? srs_placeholder(&w) : 0)) < 0 ||
	    (e = write_json(m, &w)) < 0 ||
	    (e = write_report(m, &w, &report)) < 0 || m->nomem) {
		msg_errorx("cannot write the output: %s",
		    m->nomem ? "out of memory" : qpm_strerror(e));
		migrate_remove_tree(tmp.buf);
		goto out;
	}
	if (have_out) {
		/* move the old OUT aside, put the new one in, drop the old */
		if (template(&old, o->out, ".old") < 0 ||
		    mkdtemp(old.buf) == NULL || rmdir(old.buf) < 0 ||
		    rename(o->out, old.buf) < 0) {
			msg_error("cannot move %s aside", o->out);
			migrate_remove_tree(tmp.buf);
			goto out;
		}
	}
	if (rename(tmp.buf, o->out) < 0) {
		msg_error("cannot rename %s to %s", tmp.buf, o->out);
		if (have_out)
			rename(old.buf, o->out);
		migrate_remove_tree(tmp.buf);
		goto out;
	}
	if (have_out)
		migrate_remove_tree(old.buf);
	if (!model_counts_add_up(m))
		msg_errorx("internal error: the counts do not add up");
	exit_code = m->listed.n > 0 ? QPM_EXIT_PARTIAL : QPM_EXIT_OK;
	if (!o->quiet)
		msg_info("%zu domains, %zu mailboxes, %zu rules; %zu items "
		    "not converted; report: %s/migration-report.txt",
		    m->domains.n, m->mailboxes.n, m->rules.n, m->listed.n,
		    o->out);
out:
	model_free(m);
	qstr_free(&tmp);
	qstr_free(&old);
	qstr_free(&report);
	return exit_code;
}
