/*
 * NAME		vpasswd - vpopmail's per-domain password file
 * DOES		name:passwd:uid:gid:gecos:dir:shell[:clearpass] -> mailboxes;
 *		pw_dir is taken as written (hashed dirs included), pw_gid as
 *		flag bits, pw_shell as the quota in every vpopmail format
 * NEVER	prints a hash or a cleartext password, computes a home path
 */
#include <config.h>

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mail/addr.h"
#include "migrate/oldhost/readers.h"
#include "util/lines.h"
#include "util/limits.h"

/* One number with an optional unit: k/K/KB, m/M/MB, g/G/GB, b/B, S. */
static int
quota_number(const char *s, size_t n, long long *out)
{
	long long v = 0, mul = 1;
	size_t i = 0;

	if (n == 0 || !isdigit((unsigned char)s[0]))
		return -1;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (v > (1LL << 50))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i < n) {
		switch (s[i]) {
		case 'k': case 'K': mul = 1024; break;
		case 'm': case 'M': mul = 1024 * 1024; break;
		case 'g': case 'G': mul = 1024LL * 1024 * 1024; break;
		case 'b': case 'B': case 'S': mul = 1; break;
		default: return -1;
		}
		i++;
		/* "MB", "KB", "MBS": B and S are only unit letters */
		while (i < n && (s[i] == 'B' || s[i] == 'b' || s[i] == 'S'))
			i++;
	}
	if (i != n || v > LLONG_MAX / mul)
		return -1;	/* 9999999999999999G: no such quota */
	*out = v * mul;
	return 0;
}

int
vpasswd_quota(const char *s, long long *bytes, long long *count)
{
	const char *p = s, *comma;
	size_t n;
	long long v;

	*bytes = -1;
	*count = -1;
	if (*s == '\0' || strcmp(s, "NOQUOTA") == 0)
		return 0;
	while (*p) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n > 0 && (p[n - 1] == 'C' || p[n - 1] == 'c')) {
			if (quota_number(p, n - 1, &v) < 0 || *count >= 0)
				return -1;
			*count = v;
		} else {
			if (quota_number(p, n, &v) < 0 || *bytes >= 0)
				return -1;
			*bytes = v;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
valid_user(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > QPM_MAX_LOCAL_PART)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127 ||
		    s[i] == '@' || s[i] == ':' || s[i] == '/')
			return 0;
	return 1;
}

/* The byte that Dovecot's passwd-file, Postfix's tables and the line
 * files of OUT cannot carry in a field, or NULL: a newline or CR ends a
 * line there, NUL ends a string (vpasswd.cdb data may hold all three). */
static const char *
field_bad(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		switch (s[i]) {
		case '\n': return "a newline";
		case '\r': return "a carriage return";
		case '\0': return "a NUL byte";
		}
	return NULL;
}

int
vpasswd_line(struct model *m, struct m_domain *d, struct src src,
    const char *line, size_t len)
{
	const char *f[9];
	size_t fl[9], i, k = 0, start = 0;

	for (i = 0; i <= len && k < 9; i++) {
		if (i == len || line[i] == ':') {
			f[k] = line + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	if (k < 7 || k > 8) {
		model_list(m, CAT_VPASSWD, src, "vpasswd entry",
		    "not name:passwd:uid:gid:gecos:dir:shell[:clear]",
		    "recreate the mailbox by hand");
		return -1;
	}
	return vpasswd_fields(m, d, src, f, fl, k);
}

int
vpasswd_fields(struct model *m, struct m_domain *d, struct src src,
    const char *const *f, const size_t *fl, size_t k)
{
	struct m_mailbox *mb;
	const char *why;
	char tmp[64];
	char *end;
	size_t i;
	long gid;

	/* the name becomes a Postfix lookup key and alias result */
	if (!valid_user(f[0], fl[0]) ||
	    !addr_local_ok(f[0], fl[0], &why)) {
		model_list(m, CAT_VPASSWD, src, "vpasswd entry",
		    "bad user name", "recreate the mailbox by hand");
		return -1;
	}
	if (fl[5] == 0 || f[5][0] != '/') {
		model_list(m, CAT_VPASSWD, src, "vpasswd entry",
		    "no absolute home directory (pw_dir)",
		    "recreate the mailbox by hand");
		return -1;
	}
	for (i = 1; i < k; i++) {
		static const char *const name[8] = { "pw_name", "pw_passwd",
		    "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell",
		    "cleartext password" };
		const char *bad = field_bad(f[i], fl[i]);

		/* never the field itself: it may be a hash or a password */
		if (bad != NULL) {
			model_list(m, CAT_VPASSWD, src, "vpasswd entry",
			    model_printf(m, "%s holds %s: no passwd-file or "
			    "table line can carry it", name[i], bad),
			    "fix the entry on the old host (vpasswd), "
			    "migrate again");
			return -1;
		}
	}
	if (d->uid == 0 || d->gid == 0) {
		/* qmail-lspawn never delivered as root; Dovecot would need
		 * first_valid_uid (or _gid) 0 and then run mail as root */
		model_list(m, CAT_VPASSWD, src, "vpasswd entry",
		    model_printf(m, "users/assign gives %s uid %ld, gid %ld: "
		    "no mail as root", d->name, d->uid, d->gid),
		    "give the domain vpopmail's uid and gid in users/assign, "
		    "migrate again");
		return -1;
	}
	gid = 0;
	if (fl[3] > 0) {
		if (fl[3] >= sizeof(tmp))
			goto badgid;
		memcpy(tmp, f[3], fl[3]);
		tmp[fl[3]] = '\0';
		gid = strtol(tmp, &end, 10);
		if (*end != '\0' || gid < 0)
			goto badgid;
	}
	{
		const char *local = model_lower(m, f[0], fl[0]);

		if (local == NULL)
			return -1;
		if ((mb = model_mailbox_add(m, local, d, src)) == NULL) {
			model_list(m, CAT_VPASSWD, src, "vpasswd entry",
			    "duplicate user: vpopmail uses the first",
			    "remove the duplicate");
			return -1;
		}
	}
	mb->hash = model_strndup(m, f[1], fl[1]);
	mb->flags = (unsigned long)gid;
	mb->home = model_strndup(m, f[5], fl[5]);
	if (k == 8 && fl[7] > 0)
		mb->clear = model_strndup(m, f[7], fl[7]);
	{
		const char *q = model_strndup(m, f[6], fl[6]);

		if (q == NULL || vpasswd_quota(q, &mb->quota_bytes,
		    &mb->quota_count) < 0) {
			mb->quota_bytes = mb->quota_count = -1;
			model_note(m, src, "vpasswd quota",
			    "unreadable quota field: no quota set",
			    "set userdb_quota_rule by hand");
		}
	}
	if (fl[1] == 0)
		model_note(m, src, model_printf(m, "%s@%s", mb->local,
		    d->name), "empty password: vpopmail refused logins",
		    "set a password before the users need to log in");
	model_mailbox_index_home(m, mb);
	model_converted(m, CAT_VPASSWD);
	return 0;
badgid:
	model_list(m, CAT_VPASSWD, src, "vpasswd entry",
	    "pw_gid is not a number", "recreate the mailbox by hand");
	return -1;
}

void
vpasswd_parse(struct model *m, struct m_domain *d, const char *file,
    const char *buf, size_t len)
{
	struct lines lr;
	struct src src = { file, 0 };
	const char *line;
	size_t n;
	int rc;

	lines_mem(&lr, file, buf, len, QPM_MAX_CONFIG_LINE);
	while ((rc = lines_next(&lr, &line, &n)) != 0) {
		src.line = lr.lineno;
		model_read(m, CAT_VPASSWD);
		if (rc < 0) {
			model_list(m, CAT_VPASSWD, src, "vpasswd entry",
			    "line too long", "check the file");
			continue;
		}
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0 || line[0] == '#') {
			model_skipped(m, CAT_VPASSWD);
			continue;
		}
		if (lr.had_nul) {
			model_list(m, CAT_VPASSWD, src, "vpasswd entry",
			    "binary junk (NUL byte)", "check the file");
			continue;
		}
		vpasswd_line(m, d, src, line, n);
	}
	lines_close(&lr);
}

unsigned long
vlimits_parse(struct model *m, const char *file, const char *buf, size_t len)
{
	static const struct {
		const char	*key;
		unsigned long	 bit;
	} keys[] = {
		{ "disable_pop", VP_NO_POP }, { "disable_imap", VP_NO_IMAP },
		{ "disable_smtp", VP_NO_SMTP }, { "disable_webmail", VP_NO_WEBMAIL },
		{ "disable_passwordchanging", VP_NO_PASSWD_CHNG },
		{ "disable_relay", VP_NO_RELAY }, { "disable_dialup", VP_NO_DIALUP },
		{ NULL, 0 }
	};
	struct lines lr;
	struct src src = { file, 0 };
	const char *line;
	size_t n, i, kl;
	unsigned long flags = 0;
	int rc, hit;

	lines_mem(&lr, file, buf, len, QPM_MAX_CONFIG_LINE);
	while ((rc = lines_next(&lr, &line, &n)) != 0) {
		src.line = lr.lineno;
		model_read(m, CAT_VLIMITS);
		if (rc < 0 || lr.had_nul) {
			model_list(m, CAT_VLIMITS, src, "limits line",
			    "unreadable", "check the file");
			continue;
		}
		hit = 0;
		for (i = 0; keys[i].key != NULL; i++) {
			kl = strlen(keys[i].key);
			if (n >= kl && memcmp(line, keys[i].key, kl) == 0 &&
			    (n == kl || line[kl] == ' ' || line[kl] == '\t')) {
				/* "disable_imap" or "disable_imap 1" */
				const char *v = line + kl;

				while (*v == ' ' || *v == '\t')
					v++;
				if (*v == '\0' || *v == '1')
					flags |= keys[i].bit;
				hit = 1;
				break;
			}
		}
		if (hit)
			model_converted(m, CAT_VLIMITS);
		else
			model_skipped(m, CAT_VLIMITS);	/* qmailadmin quotas */
	}
	lines_close(&lr);
	return flags;
}
