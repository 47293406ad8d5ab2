/*
 * NAME		dovecot_limits - the limits in dovecot.conf syntax
 * DOES		the inner lines of each block the limits put lines in, for a
 *		Dovecot version (2.3 or 2.4); the writer of that version places
 *		them in its own blocks
 * NEVER	writes a file or a block's head and braces for the writer
 */
#include <config.h>

#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/write/limits_text.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/qstr.h"

/* the rest of a comment line: text visible, then the newline */
static int
comment_text(struct qstr *out, const char *text)
{
	int err;

	if (text != NULL && (err = qstr_cat_vis(out, text, strlen(text),
	    0)) < 0)
		return err;
	return qstr_catc(out, '\n');
}

static int
fmt_size(char *buf, size_t n, long v)
{
	if (v % (1024L * 1024) == 0)
		return qpm_snprintf(buf, n, "%ldM", v / (1024L * 1024));
	return qpm_snprintf(buf, n, "%ldM", (v + 1024L * 1024 - 1) /
	    (1024L * 1024));
}

static const char *const heads[] = {
	[DCB_TOP] = "",
	[DCB_IMAP_LOGIN] = "service imap-login",
	[DCB_IMAP] = "service imap",
	[DCB_POP3_LOGIN] = "service pop3-login",
	[DCB_POP3] = "service pop3",
	[DCB_PROTO_IMAP] = "protocol imap",
	[DCB_PROTO_POP3] = "protocol pop3",
	[DCB_LMTP] = "service lmtp",
	[DCB_AUTH] = "service auth",
	[DCB_PLUGIN] = "plugin",
};

const char *
dovecot_limits_head(enum dc_block b)
{
	return (unsigned)b < DCB_N ? heads[b] : "";
}

/* The top level: what the section is, auth_failure_delay. */
static int
top(const struct limits *l, int version, struct qstr *out)
{
	const struct limits_setting *s;
	int err;

	if ((err = qstr_cat(out, version >= 24 ? "# connection limits of the "
	    "old host (Dovecot 2.4 syntax)\n" : "# connection limits of the "
	    "old host (Dovecot 2.3 syntax; 2.4 renames service_count to "
	    "restart_request_count)\n")) < 0)
		return err;
	if ((s = limits_setting_find(l, LT_DC_AUTH_DELAY, LSVC_HOST)) != NULL &&
	    ((err = qstr_cat(out, "# ")) < 0 ||
	    (err = comment_text(out, s->why)) < 0 ||
	    (err = qstr_catf(out, "auth_failure_delay = %lds\n", s->value)) < 0))
		return err;
	return 0;
}

/* service imap-login, pop3-login: the old count of connections.  2.3
 * says service_count = 1 (one process per connection) or 0 (processes
 * live on); 2.4 calls it restart_request_count = 1 or unlimited. */
static int
login(const struct limits *l, int version, enum limits_svc p,
    struct qstr *out)
{
	const struct limits_setting *s;
	const char *once = version >= 24 ? "restart_request_count = 1" :
	    "service_count = 1";
	const char *ever = version >= 24 ? "restart_request_count = "
	    "unlimited" : "service_count = 0";
	long per;
	int err;

	if ((s = limits_setting_find(l, LT_DC_LOGIN_PROCESSES, p)) == NULL ||
	    s->value < 0)
		return 0;
	if ((err = limits_prov(l, s, "  ", out)) < 0)
		return err;
	if (!s->perf_mode)
		return qstr_catf(out, "  # high-security mode: one process per "
		    "connection (TLS sessions keep theirs after login)\n"
		    "  %s\n  process_limit = %ld\n", once, s->value);
	per = (s->value + 3) / 4;
	return qstr_catf(out, "  # high-performance mode: 4 processes with up "
	    "to %ld clients each (%ld in all)\n  %s\n  process_min_avail = 4\n"
	    "  process_limit = 4\n  client_limit = %ld\n", per, per * 4, ever,
	    per);
}

/* service imap, pop3: the old count also held the logged-in sessions;
 * the old memory limit */
static int
mail(const struct limits *l, enum limits_svc p, struct qstr *out)
{
	const struct limits_setting *s, *vsz;
	char b[32];
	int err;

	s = limits_setting_find(l, LT_DC_LOGIN_PROCESSES, p);
	if (s != NULL && s->value >= 0 && ((err = qstr_catf(out, "  # the old "
	    "limit also counted logged-in sessions\n  process_limit = %ld\n",
	    s->value)) < 0))
		return err;
	if ((vsz = limits_setting_find(l, LT_DC_VSZ, p)) == NULL)
		return 0;
	(void)fmt_size(b, sizeof(b), vsz->value);
	if ((err = limits_prov(l, vsz, "  ", out)) < 0 ||
	    (err = qstr_cat(out, "  # ")) < 0 ||
	    (err = comment_text(out, vsz->why)) < 0)
		return err;
	return qstr_catf(out, "  vsz_limit = %s\n", b);
}

/* protocol imap, pop3: connections per user and address */
static int
userip(const struct limits *l, enum limits_svc p, struct qstr *out)
{
	const struct limits_setting *s;
	int err;

	if ((s = limits_setting_find(l, LT_DC_USERIP, p)) == NULL)
		return 0;
	if ((err = limits_prov(l, s, "  ", out)) < 0)
		return err;
	return qstr_catf(out, "  mail_max_userip_connections = %ld\n",
	    s->value);
}

int
dovecot_limits_block(const struct limits *l, int version, enum dc_block b,
    struct qstr *out)
{
	switch (b) {
	case DCB_TOP:		return top(l, version, out);
	case DCB_IMAP_LOGIN:	return login(l, version, LSVC_IMAP, out);
	case DCB_IMAP:		return mail(l, LSVC_IMAP, out);
	case DCB_POP3_LOGIN:	return login(l, version, LSVC_POP3, out);
	case DCB_POP3:		return mail(l, LSVC_POP3, out);
	case DCB_PROTO_IMAP:	return userip(l, LSVC_IMAP, out);
	case DCB_PROTO_POP3:	return userip(l, LSVC_POP3, out);
	/* the limits set nothing in these today; the writers ask all the
	 * same, so that a limit added there lands in their own block */
	case DCB_LMTP:
	case DCB_AUTH:
	case DCB_PLUGIN:
	case DCB_N:
		return 0;
	}
	return QPM_EINVAL;
}

int
dovecot_limits_conf(const struct limits *l, int version, unsigned skip,
    struct qstr *out)
{
	struct qstr in = QSTR_INIT((size_t)1 << 28);
	int b, err = 0;

	for (b = DCB_TOP; b < DCB_N && err == 0; b++) {
		if (skip & (1U << b))
			continue;
		qstr_reset(&in);
		if ((err = dovecot_limits_block(l, version, (enum dc_block)b,
		    &in)) < 0 || in.len == 0)
			continue;
		if (b == DCB_TOP)
			err = qstr_catn(out, in.buf, in.len);
		else if ((err = qstr_catf(out, "%s {\n", heads[b])) == 0 &&
		    (err = qstr_catn(out, in.buf, in.len)) == 0)
			err = qstr_cat(out, "}\n");
	}
	qstr_free(&in);
	return err;
}
