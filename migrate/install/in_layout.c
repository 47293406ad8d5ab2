/*
 * NAME		in_layout - which parts of OUT go where on the target system
 * DOES		the part names of --only/--skip, the parts OUT holds, and
 *		the layout (Debian 12/13 or Rocky/Alma 9) from the target
 *		root's etc/os-release unless --layout names one
 * NEVER	guesses a layout it cannot tell: it asks for --layout
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/install/in_int.h"
#include "util/file.h"
#include "util/msg.h"
#include "util/qstr.h"

const char *const in_part_name[IP_NPARTS] = {
	"users", "postfix", "dovecot", "srs", "dkim", "nftables", "sysctl",
	"sql"
};

static const struct in_layout layouts[] = {
	{ "debian", "/etc/postfix", "/etc/dovecot", "/etc/opendkim.conf",
	    "/etc/opendkim", "/etc/nftables.d", "/etc/nftables.conf",
	    "/etc/systemd/system", "/etc/sysctl.d/60-qmail2postfix.conf" },
	{ "rhel", "/etc/postfix", "/etc/dovecot", "/etc/opendkim.conf",
	    "/etc/opendkim", "/etc/nftables", "/etc/sysconfig/nftables.conf",
	    "/etc/systemd/system", "/etc/sysctl.d/60-qmail2postfix.conf" },
};

/* "dkim,srs" into set[]; 0, or -1 for an unknown name */
int
in_parse_parts(const char *list, int *set)
{
	const char *p = list;
	size_t n;
	int i;

	while (*p != '\0') {
		n = strcspn(p, ",");
		for (i = 0; i < IP_NPARTS; i++)
			if (strlen(in_part_name[i]) == n &&
			    strncmp(in_part_name[i], p, n) == 0)
				break;
		if (i == IP_NPARTS) {
			msg_errorx("unknown part \"%.*s\" (parts: users, postfix, "
			    "dovecot, srs, dkim, nftables, sysctl, sql)", (int)n, p);
			return -1;
		}
		set[i] = 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* a word of os-release's ID or ID_LIKE line names a family */
static int
family_of(const char *ids)
{
	static const char *const rh[] = { "rhel", "fedora", "centos", "rocky",
	    "almalinux", NULL };
	const char *p = ids;
	size_t n, i;

	while (*p != '\0') {
		p += strspn(p, " \t\"'");
		n = strcspn(p, " \t\"'\n");
		if (n == 6 && strncmp(p, "debian", 6) == 0)
			return 0;
		if (n == 6 && strncmp(p, "ubuntu", 6) == 0)
			return 0;
		for (i = 0; rh[i] != NULL; i++)
			if (strlen(rh[i]) == n && strncmp(rh[i], p, n) == 0)
				return 1;
		if (n == 0)
			break;
		p += n;
	}
	return -1;
}

int
in_layout_choose(struct in_run *r, const char *forced)
{
	struct qstr os = QSTR_INIT(64 * 1024);
	char path[IN_PATH];
	const char *line;
	int fam = -1, rc = -1;

	if (forced != NULL) {
		fam = strcmp(forced, "debian") == 0 ? 0 :
		    strcmp(forced, "rhel") == 0 ? 1 : -1;
		if (fam < 0)
			msg_errorx("--layout %s: want debian or rhel", forced);
		goto out;
	}
	if (in_rootpath(r, path, sizeof(path), "/etc/os-release") < 0)
		goto out;
	if (file_read_all(path, 64 * 1024, 0, &os) < 0) {
		msg_warn("%s: cannot tell the layout: use --layout debian|rhel",
		    path);
		goto out;
	}
	/* ID first, then ID_LIKE (Rocky: ID=rocky, ID_LIKE="rhel centos fedora") */
	for (line = os.buf; line != NULL && fam < 0; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "ID=", 3) == 0)
			fam = family_of(line + 3);
	}
	for (line = os.buf; line != NULL && fam < 0; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "ID_LIKE=", 8) == 0)
			fam = family_of(line + 8);
	}
	if (fam < 0)
		msg_errorx("%s: neither Debian nor RHEL-like: use --layout "
		    "debian|rhel", path);
out:
	if (fam >= 0) {
		r->lay = layouts[fam];
		rc = 0;
	}
	qstr_free(&os);
	return rc;
}

/* want[] = what OUT holds, narrowed by --only and --skip */
void
in_parts_present(struct in_run *r, const int *only, const int *skip,
    int have_only)
{
	static const char *const dirs[IP_NPARTS] = {
		NULL, "postfix", "dovecot", "srs", "dkim", "nftables", "sysctl",
		"sql"
	};
	char path[IN_PATH];
	struct stat st;
	int i;

	for (i = 0; i < IP_NPARTS; i++) {
		if ((have_only && !only[i]) || skip[i])
			continue;
		if (dirs[i] == NULL) {
			r->want[i] = 1;
			continue;
		}
		if (qpm_snprintf(path, sizeof(path), "%s/%s", r->out,
		    dirs[i]) >= 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			r->want[i] = 1;
		else if (have_only)
			msg_warnx("--only %s: OUT has no %s/; nothing to install "
			    "for it", in_part_name[i], dirs[i]);
	}
}
