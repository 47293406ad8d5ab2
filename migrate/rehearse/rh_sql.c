/*
 * NAME		rh_sql - the rehearsal of OUT written with --userdb sql
 * DOES		loads OUT/sql (schema.sql, grant.sql, data.sql) into the
 *		private MariaDB (rh_run.c starts it), points the copies of
 *		Postfix's mysql: maps and Dovecot's dovecot-sql.conf.ext at
 *		its socket, and moves the mailboxes' homes under the mail
 *		root and their ids to the mail user, as rh_users_rewrite
 *		does with the users file
 * NEVER	connects to a database OUT names; loads anything but OUT/sql
 */
#include <config.h>

#include <dirent.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/rehearse/rh_int.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

/* the files of OUT/sql, in the order they load (sql/README) */
static const char *const sql_files[] = { "schema.sql", "grant.sql",
    "data.sql", NULL };

int
rh_sql_detect(struct rh_run *r)
{
	char path[1024];
	struct stat st;

	if (rh_path_join(path, sizeof(path), r->out, "sql/data.sql") < 0)
		return -1;
	r->sql = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	return 0;
}

/* one statement (or "source FILE") as MariaDB's root, over the socket;
 * out (may be NULL) gets the rows, raw, tab-separated */
static int
db_run(struct rh_run *r, const char *stmt, struct qstr *out)
{
	char sock[800];
	struct qstr tail = QSTR_INIT(1024 * 1024);
	int rc;

	if (qpm_snprintf(sock, sizeof(sock), "--socket=%s", r->db_sock) < 0)
		return -1;
	{
		char *av[] = { "mariadb", "--no-defaults", sock, "--user=root",
		    "--batch", "--raw", "--skip-column-names", "-e",
		    (char *)stmt, NULL };

		rc = rh_run_cmd(r, av, out != NULL ? out : &tail);
	}
	if (rc != 0)
		msg_errorx("mariadb: %.*s: %s", (int)strcspn(stmt, "\n"), stmt,
		    rh_cmd_tail(r, out != NULL ? out : &tail));
	qstr_free(&tail);
	return rc == 0 ? 0 : -1;
}

int
rh_sql_load(struct rh_run *r)
{
	char path[1024], stmt[1100];
	size_t i;

	if (rh_db_start(r) < 0)
		return -1;
	for (i = 0; sql_files[i] != NULL; i++) {
		if (qpm_snprintf(path, sizeof(path), "%s/sql/%s", r->out,
		    sql_files[i]) < 0)
			return -1;
		/* the client's "source" reads the rest of the line as the
		 * name: a newline there would end it early */
		if (strchr(path, '\n') != NULL) {
			msg_errorx("%s: a newline in the path", r->out);
			return -1;
		}
		if (qpm_snprintf(stmt, sizeof(stmt), "source %s", path) < 0 ||
		    db_run(r, stmt, NULL) < 0)
			return -1;
	}
	return 0;
}

/* each OUT/postfix/mysql-*.cf copy onto the socket; 0640 root:postfix,
 * as install leaves it (it holds the password) */
int
rh_sql_postfix(struct rh_run *r)
{
	char path[1024];
	struct qstr text = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	struct passwd *pf = getpwnam("postfix");
	struct dirent *de;
	DIR *d;
	int rc = -1, n = 0;

	if ((d = opendir(r->pf_conf)) == NULL) {
		msg_warn("%s", r->pf_conf);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (strncmp(de->d_name, "mysql-", 6) != 0 || l < 9 ||
		    strcmp(de->d_name + l - 3, ".cf") != 0)
			continue;
		qstr_free(&text);
		qstr_reset(&out);
		if (rh_path_join(path, sizeof(path), r->pf_conf,
		    de->d_name) < 0 || rh_slurp(path, &text) < 0)
			goto out;
		if (rh_mysql_cf_rewrite(text.buf, r->db_sock, &out) < 0) {
			msg_errorx("%s: no hosts line to point at the private "
			    "MariaDB", de->d_name);
			goto out;
		}
		if (rh_spit(path, &out, 0640) < 0 || (pf != NULL &&
		    chown(path, 0, pf->pw_gid) < 0))
			goto out;
		n++;
	}
	if (n == 0) {
		msg_errorx("%s/sql without a Postfix mysql: map", r->out);
		goto out;
	}
	rc = 0;
out:
	closedir(d);
	qstr_free(&text);
	qstr_free(&out);
	return rc;
}

int
rh_sql_users(struct rh_run *r)
{
	char path[1024], stmt[2048];
	struct qstr text = QSTR_INIT(1), out = QSTR_INIT(RH_MAX_FILE);
	struct qstr rows = QSTR_INIT(RH_MAX_FILE);
	int rc = -1;

	if (rh_path_join(path, sizeof(path), r->dc_dir,
	    "dovecot-sql.conf.ext") < 0 || rh_slurp(path, &text) < 0) {
		msg_errorx("%s: no dovecot-sql.conf.ext in OUT", r->dc_dir);
		goto out;
	}
	if (rh_dovecot_sql_rewrite(text.buf, r->db_sock, &out, r->db_name,
	    sizeof(r->db_name)) < 0 || strpbrk(r->db_name, "`\\'") != NULL) {
		msg_errorx("%s: no connect line with a dbname", path);
		goto out;
	}
	if (rh_spit(path, &out, 0600) < 0)
		goto out;
	/* the rows as users file lines (no ':' or newline in an address
	 * or home: the writer refuses them), rewritten the same way */
	if (qpm_snprintf(stmt, sizeof(stmt), "SELECT CONCAT(address, "
	    "':x:0:0::', home) FROM `%s`.mailboxes ORDER BY address",
	    r->db_name) < 0 || db_run(r, stmt, &rows) < 0)
		goto out;
	qstr_reset(&out);
	if (rh_users_rewrite(rows.buf != NULL ? rows.buf : "", &r->p, &out,
	    &r->homes, &r->home_users) < 0)
		goto out;
	if (strpbrk(r->mail_root, "'\\") != NULL) {
		msg_errorx("%s: a quote or backslash in the path", r->mail_root);
		goto out;
	}
	if (qpm_snprintf(stmt, sizeof(stmt), "UPDATE `%s`.mailboxes SET "
	    "uid = %u, gid = %u, home = CONCAT('%s', home) WHERE home LIKE "
	    "'/%%'", r->db_name, (unsigned)r->p.uid, (unsigned)r->p.gid,
	    r->mail_root) < 0 || db_run(r, stmt, NULL) < 0)
		goto out;
	rc = 0;
out:
	qstr_free(&text);
	qstr_free(&out);
	qstr_free(&rows);
	return rc;
}
