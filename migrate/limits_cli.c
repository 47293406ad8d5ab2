/*
 * NAME		limits-tool - the limits module on its own: read an old host
 *		and its logs, write what the migration core would place
 * DOES		writes DIR/main.cf.limits, DIR/master.cf.limits (the three
 *		smtpd services), DIR/client_access.cidr, DIR/dovecot.limits,
 *		DIR/qmail2postfix.nft, DIR/sysctl.conf, DIR/report.txt,
 *		DIR/limits.json; the integration tests build servers from them
 * NEVER	contacts a server
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/json.h"
#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"
#include "util/version.h"

#define PROGRAM_NAME	"limits-tool"

static int
usage(void)
{
	fprintf(stderr, "usage: %s --root DIR -o OUTDIR [--logs FILE]... "
	    "[--size-from-logs] [--keep-looser] [--headroom PCT] "
	    "[--log-year YEAR]\n", PROGRAM_NAME);
	return 64;
}

static int
put(const char *dir, const char *name, struct qstr *s)
{
	char path[4096];
	int err;

	if (qpm_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0)
		return QPM_ERANGE;
	if ((err = file_write_atomic(path, s, QPM_MODE_PUBLIC)) < 0)
		msg_errorx("%s: %s", path, qpm_strerror(err));
	return err;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "root", required_argument, NULL, 'r' },
		{ "logs", required_argument, NULL, 'L' },
		{ "size-from-logs", no_argument, NULL, 's' },
		{ "keep-looser", no_argument, NULL, 'k' },
		{ "headroom", required_argument, NULL, 'H' },
		{ "log-year", required_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const svcs[] = { "smtp", "submission", "smtps" };
	struct limits l;
	struct limits_policy pol;
	const char *root = NULL, *outdir = NULL, **logs = NULL;
	size_t nlogs = 0, i;
	struct qstr s = QSTR_INIT(QPM_MAX_STRING);
	json_t *j = NULL;
	int c, rc, exit_code = 2, year = 0;

	msg_init(PROGRAM_NAME, MSG_STDERR);
	memset(&pol, 0, sizeof(pol));
	limits_init(&l);
	if ((logs = calloc((size_t)argc + 1, sizeof(*logs))) == NULL)
		msg_fatalx(71, "out of memory");
	while ((c = getopt_long(argc, argv, "hVo:v", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: %s --root DIR -o OUTDIR [--logs FILE]... "
			    "[--size-from-logs] [--keep-looser] [--headroom PCT]"
			    "\n", PROGRAM_NAME);
			free(logs);
			return 0;
		case 'V': qpm_version(PROGRAM_NAME); free(logs); return 0;
		case 'r': root = optarg; break;
		case 'o': outdir = optarg; break;
		case 'L': logs[nlogs++] = optarg; break;
		case 's': pol.size_from_logs = 1; break;
		case 'k': pol.keep_looser = 1; break;
		case 'H': pol.headroom_pct = (unsigned)atoi(optarg); break;
		case 'Y': year = atoi(optarg); break;
		case 'v': msg_verbose++; break;
		default: free(logs); return usage();
		}
	}
	if (root == NULL || outdir == NULL) {
		free(logs);
		return usage();
	}
	l.log_year = year;
	if ((rc = limits_read(&l, root, NULL)) < 0) {
		msg_errorx("%s: %s", root, qpm_strerror(rc));
		goto out;
	}
	for (i = 0; i < l.ndiags; i++)
		if (l.diags[i].error)
			msg_warnx("%s:%lu: %s", l.diags[i].file, l.diags[i].line,
			    l.diags[i].text);
	if (nlogs > 0 && (rc = limits_read_logs(&l, logs, nlogs)) < 0) {
		msg_errorx("logs: %s", qpm_strerror(rc));
		goto out;
	}
	if ((rc = limits_recommend(&l, &pol)) < 0 ||
	    (rc = file_mkdirs(outdir, 0755)) < 0)
		goto out;
	if ((rc = limits_postfix_main(&l, &s)) < 0 ||
	    (rc = put(outdir, "main.cf.limits", &s)) < 0)
		goto out;
	qstr_reset(&s);
	for (i = 0; i < 3; i++) {
		struct limits_master m;

		limits_master_init(&m);
		if ((rc = limits_postfix_master(&l, svcs[i], &m)) == 0)
			rc = qstr_catf(&s, "%s%s %ld\n%s", qstr_str(&m.comment),
			    svcs[i], m.maxproc, qstr_str(&m.options));
		limits_master_free(&m);
		if (rc < 0)
			goto out;
	}
	if ((rc = put(outdir, "master.cf.limits", &s)) < 0)
		goto out;
	qstr_reset(&s);
	if ((rc = limits_postfix_client_access(&l, &s)) < 0 ||
	    (rc = put(outdir, "client_access.cidr", &s)) < 0)
		goto out;
	qstr_reset(&s);
	if ((rc = dovecot_limits_conf(&l, 23, 0, &s)) < 0 ||
	    (rc = put(outdir, "dovecot.limits", &s)) < 0)
		goto out;
	qstr_reset(&s);
	if ((rc = limits_nftables(&l, &s)) < 0 ||
	    (rc = put(outdir, "qmail2postfix.nft", &s)) < 0)
		goto out;
	qstr_reset(&s);
	if ((rc = limits_sysctl(&l, &s)) < 0 ||
	    (rc = put(outdir, "sysctl.conf", &s)) < 0)
		goto out;
	qstr_reset(&s);
	if ((rc = limits_report(&l, &s)) < 0 ||
	    (rc = put(outdir, "report.txt", &s)) < 0)
		goto out;
	if ((j = limits_json(&l)) == NULL) {
		rc = QPM_ENOMEM;
		goto out;
	}
	{
		char path[4096];

		(void)qpm_snprintf(path, sizeof(path), "%s/limits.json", outdir);
		if ((rc = qpm_json_write_file(path, j, QPM_MODE_PUBLIC)) < 0)
			goto out;
	}
	exit_code = 0;
	for (i = 0; i < l.ndiags; i++)
		if (l.diags[i].error)
			exit_code = 1;
out:
	if (rc < 0)
		msg_errorx("%s", qpm_strerror(rc));
	json_decref(j);
	qstr_free(&s);
	limits_free(&l);
	free(logs);
	return exit_code;
}
