/*
 * NAME		in_dovecot - who reads the Dovecot files install writes
 * DOES		asks doveconf which user Dovecot's auth service (and its
 *		auth-worker) runs as for the configuration being installed,
 *		and gives the passwd-files that service reads (users,
 *		deny.*) mode 0640 and that user's group
 * NEVER	makes a password file readable by anyone but root and that
 *		group
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/doveconf.h"
#include "migrate/install/in_int.h"
#include "util/msg.h"
#include "util/qstr.h"

/* One setting of a Dovecot configuration as doveconf prints it (name,
 * or service/S/KEY: KEY in the block of service S); a value "$NAME"
 * (2.3: service auth's user is "$default_internal_user", 2.4:
 * "$SET:default_internal_user") is looked up once more. */
static int
dovecot_setting(const char *conf, const char *name, struct qstr *val)
{
	struct qstr out = QSTR_INIT(64 * 1024);
	char ref[256], blk[256];
	const char *v = "", *slash;
	size_t n = 0;
	int depth, rc = -1;

	for (depth = 0; depth < 2; depth++) {
		char *av[] = { "doveconf", "-c", (char *)conf, "-h", (char *)name,
		    NULL };
		char *ab[] = { "doveconf", "-c", (char *)conf, blk, NULL };

		slash = strrchr(name, '/');
		if (slash != NULL && qpm_snprintf(blk, sizeof(blk), "%.*s",
		    (int)(slash - name), name) < 0)
			goto out;
		if (in_run_cmd(slash != NULL ? ab : av, &out) != 0 ||
		    doveconf_value(&out, name, &v, &n) < 0) {
			msg_errorx("doveconf -c %s %s%s: %s", conf, slash ?
			    "" : "-h ", slash ? blk : name, qstr_str(&out));
			goto out;
		}
		if (n == 0 || v[0] != '$' || depth == 1)
			break;
		if (n > 5 && strncmp(v, "$SET:", 5) == 0) {
			v += 4;
			n -= 4;
		}
		if (qpm_snprintf(ref, sizeof(ref), "%.*s", (int)(n - 1),
		    v + 1) < 0)
			goto out;
		name = ref;
	}
	qstr_reset(val);
	rc = n > 0 && v[0] == '$' ? -1 : qstr_catn(val, n > 0 ? v : "", n);
	if (rc < 0)
		msg_errorx("doveconf -c %s: %s: cannot tell its value", conf,
		    name);
out:
	qstr_free(&out);
	return rc;
}

/* The group whose members Dovecot's auth processes run as: the primary
 * group of service auth's user, which service auth-worker's user (when
 * not root) must share.  (gid_t)-1 when auth runs as root. */
static int
auth_group(const struct in_run *r, const char *conf, gid_t *gid,
    struct qstr *desc)
{
	struct qstr user = QSTR_INIT(256), worker = QSTR_INIT(256);
	uid_t uid;
	gid_t wgid;
	int rc = -1;
	char gname[64];

	*gid = (gid_t)-1;
	if (dovecot_setting(conf, "service/auth/user", &user) < 0 ||
	    dovecot_setting(conf, "service/auth-worker/user", &worker) < 0)
		goto out;
	if (user.len == 0 || strcmp(user.buf, "root") == 0) {
		rc = qstr_cat(desc, "root");
		goto out;
	}
	/* the accounts of the system being installed, not this one's */
	if (in_lookup_user(r, user.buf, &uid, gid) != 1) {
		msg_errorx("%s: Dovecot's auth service runs as %s, who does "
		    "not exist on the target system", conf, user.buf);
		*gid = (gid_t)-1;
		goto out;
	}
	if (worker.len > 0 && strcmp(worker.buf, "root") != 0 &&
	    strcmp(worker.buf, user.buf) != 0) {
		if (in_lookup_user(r, worker.buf, &uid, &wgid) != 1) {
			msg_errorx("%s: service auth-worker runs as %s: no such "
			    "user on the target system", conf, worker.buf);
			goto out;
		}
		if (wgid != *gid && in_group_member(r, *gid, worker.buf) != 1) {
			msg_errorx("%s: service auth-worker runs as %s, who is "
			    "not in group %u of service auth's user %s: one of "
			    "them could not read the password files", conf,
			    worker.buf, (unsigned)*gid, user.buf);
			goto out;
		}
	}
	if (in_name_of_gid(r, *gid, gname, sizeof(gname)) != 1)
		qpm_snprintf(gname, sizeof(gname), "%u", (unsigned)*gid);
	rc = qstr_catf(desc, "%s (group %s)", user.buf, gname);
out:
	qstr_free(&user);
	qstr_free(&worker);
	return rc;
}

/* Mode and group the installed file must have: 0640 with the auth
 * group for what Dovecot's auth reads (0600 when it runs as root). */
static void
auth_mode(struct in_file *f, gid_t gid)
{
	if (!f->authread)
		return;
	f->gid = gid;
	f->mode = gid == (gid_t)-1 ? 0600 : IN_MODE_AUTH;
}

/* who reads Dovecot's password files: the configuration being
 * installed says (OUT's dovecot.conf, else the one in place) */
int
in_dovecot_auth(struct in_run *r, struct qstr *auth_who)
{
	char dcconf[1100];
	const char *path;
	gid_t auth_gid = (gid_t)-1;
	size_t i;

	if (qpm_snprintf(dcconf, sizeof(dcconf), "%s/dovecot.conf",
	    r->dc_dir) < 0)
		return -1;
	for (i = 0, path = NULL; i < r->n; i++)
		if (strcmp(r->f[i].dst, dcconf) == 0)
			path = r->f[i].src;
	if (path == NULL && access(dcconf, F_OK) == 0)
		path = dcconf;
	if (path != NULL && auth_group(r, path, &auth_gid, auth_who) < 0) {
		msg_errorx("cannot tell which user Dovecot's auth service runs "
		    "as: nothing changed");
		return -1;
	}
	if (path == NULL && qstr_cat(auth_who, "root (no dovecot.conf)") < 0)
		return -1;
	for (i = 0; i < r->n; i++)
		auth_mode(&r->f[i], auth_gid);
	return 0;
}
