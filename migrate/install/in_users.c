/*
 * NAME		in_users - the accounts the new host needs
 * DOES		the mail user and group with the uid and gid OUT's main.cf
 *		delivers as (virtual_uid_maps, virtual_gid_maps = static:N)
 *		when those ids are free; the srsfwd system user that runs
 *		srs-forward and srs-map. Looks accounts up in the target
 *		root's etc/passwd and etc/group; adds them with groupadd and
 *		useradd (--root when the target is not /), and removes what
 *		this run added when the install fails.
 * NEVER	changes an existing account, or gives the mail user an id
 *		other than the one OUT's files deliver as
 */
#include <config.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/install/in_int.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

#define IN_NOID	((unsigned)-1)

/* each entry of the target's etc/passwd until fn says stop (1) */
static int
each_pw(const struct in_run *r, int (*fn)(const struct passwd *, void *),
    void *arg)
{
	char path[IN_PATH];
	struct passwd *pw;
	FILE *fp;
	int rc = 0;

	if (in_rootpath(r, path, sizeof(path), "/etc/passwd") < 0 ||
	    (fp = fopen(path, "re")) == NULL)
		return -1;
	while (rc == 0 && (pw = fgetpwent(fp)) != NULL)
		rc = fn(pw, arg);
	fclose(fp);
	return rc;
}

static int
each_gr(const struct in_run *r, int (*fn)(const struct group *, void *),
    void *arg)
{
	char path[IN_PATH];
	struct group *gr;
	FILE *fp;
	int rc = 0;

	if (in_rootpath(r, path, sizeof(path), "/etc/group") < 0 ||
	    (fp = fopen(path, "re")) == NULL)
		return -1;
	while (rc == 0 && (gr = fgetgrent(fp)) != NULL)
		rc = fn(gr, arg);
	fclose(fp);
	return rc;
}

struct in_q {
	const char	*name;
	unsigned	 id, id2;
	char		*buf;
	size_t		 size;
};

static int
pw_by_name(const struct passwd *pw, void *arg)
{
	struct in_q *q = arg;

	if (strcmp(pw->pw_name, q->name) != 0)
		return 0;
	q->id = pw->pw_uid;
	q->id2 = pw->pw_gid;
	return 1;
}

static int
pw_by_id(const struct passwd *pw, void *arg)
{
	struct in_q *q = arg;

	if (pw->pw_uid != q->id)
		return 0;
	return qpm_snprintf(q->buf, q->size, "%s", pw->pw_name) < 0 ? -1 : 1;
}

static int
gr_by_name(const struct group *gr, void *arg)
{
	struct in_q *q = arg;

	if (strcmp(gr->gr_name, q->name) != 0)
		return 0;
	q->id = gr->gr_gid;
	return 1;
}

static int
gr_by_id(const struct group *gr, void *arg)
{
	struct in_q *q = arg;

	if (gr->gr_gid != q->id)
		return 0;
	return qpm_snprintf(q->buf, q->size, "%s", gr->gr_name) < 0 ? -1 : 1;
}

/* 1 found, 0 not there, -1 cannot read */
int
in_lookup_user(const struct in_run *r, const char *name, uid_t *uid,
    gid_t *gid)
{
	struct in_q q = { name, IN_NOID, IN_NOID, NULL, 0 };
	int rc = each_pw(r, pw_by_name, &q);

	if (rc == 1) {
		*uid = q.id;
		if (gid != NULL)
			*gid = q.id2;
	}
	return rc;
}

int
in_lookup_group(const struct in_run *r, const char *name, gid_t *gid)
{
	struct in_q q = { name, IN_NOID, IN_NOID, NULL, 0 };
	int rc = each_gr(r, gr_by_name, &q);

	if (rc == 1)
		*gid = q.id;
	return rc;
}

int
in_name_of_uid(const struct in_run *r, uid_t uid, char *buf, size_t size)
{
	struct in_q q = { NULL, uid, IN_NOID, buf, size };

	return each_pw(r, pw_by_id, &q);
}

int
in_name_of_gid(const struct in_run *r, gid_t gid, char *buf, size_t size)
{
	struct in_q q = { NULL, gid, IN_NOID, buf, size };

	return each_gr(r, gr_by_id, &q);
}

static int
gr_has_member(const struct group *gr, void *arg)
{
	struct in_q *q = arg;
	char **m;

	if (gr->gr_gid != q->id)
		return 0;
	for (m = gr->gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, q->name) == 0)
			return 1;
	return 0;
}

/* 1 when name is listed as a member of group gid, 0 not, -1 */
int
in_group_member(const struct in_run *r, gid_t gid, const char *name)
{
	struct in_q q = { name, gid, IN_NOID, NULL, 0 };

	return each_gr(r, gr_has_member, &q);
}

/* "virtual_uid_maps = static:89" of OUT's main.cf; IN_NOID if absent */
static unsigned
static_id(const struct qstr *maincf, const char *param)
{
	const char *p = maincf->buf;
	size_t n = strlen(param);
	char *end;
	unsigned long v;

	for (; p != NULL; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncmp(p, param, n) != 0)
			continue;
		p += n;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		p += 1 + strspn(p + 1, " \t");
		if (strncmp(p, "static:", 7) != 0)
			return IN_NOID;
		v = strtoul(p + 7, &end, 10);
		return end == p + 7 || v >= IN_NOID ? IN_NOID : (unsigned)v;
	}
	return IN_NOID;
}

static int
add_user(struct in_run *r, const char *name, const char *group,
    unsigned id, int is_group, int is_system)
{
	struct in_user *u;

	if (r->nu == sizeof(r->u) / sizeof(r->u[0]))
		return -1;
	u = &r->u[r->nu++];
	memset(u, 0, sizeof(*u));
	u->id = id;
	u->is_group = is_group;
	u->is_system = is_system;
	if (qpm_snprintf(u->name, sizeof(u->name), "%s", name) < 0 ||
	    qpm_snprintf(u->group, sizeof(u->group), "%s", group) < 0 ||
	    qpm_snprintf(u->home, sizeof(u->home), is_system ? "/" :
	    "/home/%s", name) < 0)
		return -1;
	printf("%s %s %s%s%s (%s)\n", r->dry_run ? "would add" : "to add",
	    is_group ? "group" : "user", name, is_group ? "" : ", group ",
	    is_group ? "" : group, id == IN_NOID ? "system id" : "id as OUT's "
	    "files say");
	return 0;
}

/* the mail group: gid from OUT; an existing group of that gid is used */
static int
plan_mail_group(struct in_run *r, unsigned gid, char *gname, size_t size)
{
	gid_t have;
	int rc;

	if ((rc = in_lookup_group(r, r->mail_group, &have)) < 0)
		return -1;
	if (rc == 1 && have != gid) {
		msg_errorx("group %s exists with gid %u, but OUT's main.cf "
		    "delivers as gid %u (virtual_gid_maps): --mail-group names "
		    "another group, or change the gid by hand", r->mail_group,
		    (unsigned)have, gid);
		return -1;
	}
	if (rc == 1)
		return qpm_snprintf(gname, size, "%s", r->mail_group) < 0 ? -1 : 0;
	if ((rc = in_name_of_gid(r, gid, gname, size)) < 0)
		return -1;
	if (rc == 1) {
		printf("users: gid %u is group %s here: the mail group is %s "
		    "(not %s)\n", gid, gname, gname, r->mail_group);
		return qstr_catf(&r->notes, "mail group: %s (gid %u, existed); ",
		    gname, gid) < 0 ? -1 : 0;
	}
	if (qpm_snprintf(gname, size, "%s", r->mail_group) < 0)
		return -1;
	return add_user(r, r->mail_group, "", gid, 1, 0);
}

static int
plan_mail_user(struct in_run *r, unsigned uid, const char *gname)
{
	char holder[IN_NAME];
	uid_t have;
	int rc;

	if ((rc = in_lookup_user(r, r->mail_user, &have, NULL)) < 0)
		return -1;
	if (rc == 1 && have != uid) {
		msg_errorx("user %s exists with uid %u, but OUT's main.cf and "
		    "Dovecot users file deliver as uid %u: choose --mail-user "
		    "with the account that should own the Maildirs",
		    r->mail_user, (unsigned)have, uid);
		return -1;
	}
	if (rc == 1)
		return qstr_catf(&r->notes, "mail user: %s (uid %u, existed); ",
		    r->mail_user, uid) < 0 ? -1 : 0;
	if ((rc = in_name_of_uid(r, uid, holder, sizeof(holder))) < 0)
		return -1;
	if (rc == 1) {
		msg_errorx("uid %u, which OUT's main.cf and Dovecot users file "
		    "deliver as, is %s's here: choose --mail-user %s to let "
		    "that account own the Maildirs, or free uid %u first; "
		    "nothing changed", uid, holder, holder, uid);
		return -1;
	}
	return add_user(r, r->mail_user, gname, uid, 0, 0);
}

int
in_users_plan(struct in_run *r)
{
	struct qstr maincf = QSTR_INIT(IN_MAX_FILE);
	char path[IN_PATH], gname[IN_NAME];
	unsigned uid, gid;
	uid_t u;
	gid_t g;
	int rc = -1, have;

	if (qpm_snprintf(path, sizeof(path), "%s/postfix/main.cf", r->out) < 0)
		goto out;
	if (file_read_all(path, IN_MAX_FILE, 0, &maincf) == 0 &&
	    (uid = static_id(&maincf, "virtual_uid_maps")) != IN_NOID &&
	    (gid = static_id(&maincf, "virtual_gid_maps")) != IN_NOID) {
		if (plan_mail_group(r, gid, gname, sizeof(gname)) < 0 ||
		    plan_mail_user(r, uid, gname) < 0)
			goto out;
	}
	if (r->want[IP_SRS]) {
		if ((have = in_lookup_group(r, "srsfwd", &g)) < 0)
			goto out;
		if (have == 0 && add_user(r, "srsfwd", "", IN_NOID, 1, 1) < 0)
			goto out;
		if ((have = in_lookup_user(r, "srsfwd", &u, NULL)) < 0)
			goto out;
		if (have == 0 && add_user(r, "srsfwd", "srsfwd", IN_NOID, 0, 1) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		msg_errorx("users: cannot plan the accounts; nothing changed");
	qstr_free(&maincf);
	return rc;
}

/* groupadd/useradd [--root R] ...: 0 or -1 */
int
in_users_add(struct in_run *r)
{
	struct qstr tail = QSTR_INIT(64 * 1024);
	char id[32];
	size_t i;
	int rc = -1;

	for (i = 0; i < r->nu; i++) {
		struct in_user *u = &r->u[i];
		char *av[20];
		int ac = 0;

		av[ac++] = u->is_group ? "groupadd" : "useradd";
		if (strcmp(r->root, "/") != 0) {
			av[ac++] = "--root";
			av[ac++] = (char *)r->root;
		}
		if (u->is_system)
			av[ac++] = "--system";
		if (u->id != IN_NOID) {
			qpm_snprintf(id, sizeof(id), "%u", u->id);
			av[ac++] = u->is_group ? "-g" : "-u";
			av[ac++] = id;
		}
		if (!u->is_group) {
			av[ac++] = "-g";
			av[ac++] = u->group;
			av[ac++] = "-M";
			av[ac++] = "-d";
			av[ac++] = u->home;
			av[ac++] = "-s";
			av[ac++] = "/usr/sbin/nologin";
		}
		av[ac++] = u->name;
		av[ac] = NULL;
		if (in_run_cmd(av, &tail) != 0) {
			msg_errorx("%s %s failed: %s", av[0], u->name,
			    qstr_str(&tail));
			goto out;
		}
		u->added = 1;
		printf("added %s %s\n", u->is_group ? "group" : "user", u->name);
	}
	rc = 0;
out:
	qstr_free(&tail);
	return rc;
}

/* userdel/groupdel of what this run added, last first; each one that
 * stays is named in left; returns how many */
size_t
in_users_remove(struct in_run *r, struct qstr *left)
{
	struct qstr tail = QSTR_INIT(64 * 1024);
	size_t i, nleft = 0;
	gid_t g;

	for (i = r->nu; i-- > 0;) {
		struct in_user *u = &r->u[i];
		char *av[] = { u->is_group ? "groupdel" : "userdel", "--root",
		    (char *)r->root, u->name, NULL };

		if (!u->added)
			continue;
		/* userdel may have taken the user's own group with it */
		if (u->is_group && in_lookup_group(r, u->name, &g) == 0) {
			u->added = 0;
			continue;
		}
		if (strcmp(r->root, "/") == 0) {
			av[1] = u->name;
			av[2] = NULL;
		}
		if (in_run_cmd(av, &tail) != 0) {
			msg_errorx("%s %s: %s", av[0], u->name, qstr_str(&tail));
			qstr_catf(left, "%s%s %s", nleft ? ", " : "",
			    u->is_group ? "group" : "user", u->name);
			nleft++;
			continue;
		}
		u->added = 0;
		printf("removed the added %s %s\n", u->is_group ? "group" :
		    "user", u->name);
	}
	qstr_free(&tail);
	return nleft;
}
