/*
 * NAME		control - read qmail's control/ files into settings
 * DOES		maps each known file to Postfix parameters, tables or limits
 *		(the table in qmail-control(5) terms); every other file is
 *		listed with the reason it has no equivalent
 * NEVER	guesses: a value it cannot read is listed with file:line
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mail/addr.h"
#include "mail/esc_postfix.h"
#include "migrate/oldhost/readers.h"
#include "util/lines.h"
#include "util/limits.h"

enum ctl_kind {
	CTL_ME = 1, CTL_DEFAULTDOMAIN, CTL_DEFAULTHOST, CTL_PLUSDOMAIN,
	CTL_LOCALS, CTL_RCPTHOSTS, CTL_VIRTUALDOMAINS, CTL_DATABYTES,
	CTL_DOUBLEBOUNCETO, CTL_DOUBLEBOUNCEHOST, CTL_BOUNCEFROM,
	CTL_BOUNCEHOST, CTL_HELOHOST, CTL_SECONDS, CTL_SMTPROUTES,
	CTL_BADMAILFROM, CTL_BADRCPTTO, CTL_CONCURRENCY, CTL_ENVNOATHOST,
	CTL_IDHOST, CTL_LOCALIPHOST, CTL_SMTPGREETING
};

struct ctl {
	const char	*name;
	enum ctl_kind	 kind;
	const char	*param;		/* CTL_SECONDS: parameters; CTL_CONCURRENCY: service */
};

static const struct ctl ctls[] = {
	{ "me", CTL_ME, "myhostname" },
	{ "defaultdomain", CTL_DEFAULTDOMAIN, "mydomain" },
	{ "defaulthost", CTL_DEFAULTHOST, "myorigin" },
	{ "plusdomain", CTL_PLUSDOMAIN, NULL },
	{ "locals", CTL_LOCALS, "mydestination" },
	{ "rcpthosts", CTL_RCPTHOSTS, NULL },
	{ "morercpthosts", CTL_RCPTHOSTS, NULL },
	{ "virtualdomains", CTL_VIRTUALDOMAINS, NULL },
	{ "databytes", CTL_DATABYTES, "message_size_limit" },
	{ "doublebounceto", CTL_DOUBLEBOUNCETO, "2bounce_notice_recipient" },
	{ "doublebouncehost", CTL_DOUBLEBOUNCEHOST, "2bounce_notice_recipient" },
	{ "bouncefrom", CTL_BOUNCEFROM, NULL },
	{ "bouncehost", CTL_BOUNCEHOST, NULL },
	{ "helohost", CTL_HELOHOST, "smtp_helo_name" },
	{ "queuelifetime", CTL_SECONDS,
	    "maximal_queue_lifetime bounce_queue_lifetime" },
	{ "timeoutsmtpd", CTL_SECONDS, "smtpd_timeout" },
	{ "timeoutremote", CTL_SECONDS,
	    "smtp_helo_timeout smtp_mail_timeout smtp_rcpt_timeout "
	    "smtp_data_init_timeout smtp_data_xfer_timeout "
	    "smtp_data_done_timeout smtp_quit_timeout" },
	{ "timeoutconnect", CTL_SECONDS, "smtp_connect_timeout" },
	{ "smtproutes", CTL_SMTPROUTES, NULL },
	{ "badmailfrom", CTL_BADMAILFROM, NULL },
	{ "badrcptto", CTL_BADRCPTTO, NULL },
	{ "badmailto", CTL_BADRCPTTO, NULL },
	{ "concurrencylocal", CTL_CONCURRENCY, "lmtp/unix" },
	{ "concurrencyremote", CTL_CONCURRENCY, "smtp/unix" },
	{ "concurrencyincoming", CTL_CONCURRENCY, "smtp/inet" },
	{ "envnoathost", CTL_ENVNOATHOST, NULL },
	{ "idhost", CTL_IDHOST, NULL },
	{ "localiphost", CTL_LOCALIPHOST, NULL },
	{ "smtpgreeting", CTL_SMTPGREETING, "smtpd_banner" },
};

static const struct ctl *
ctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++)
		if (strcmp(ctls[i].name, name) == 0)
			return &ctls[i];
	return NULL;
}

int
control_known(const char *name)
{
	return ctl_find(name) != NULL;
}

/* Trim qmail's way: control files are read a line at a time, trailing
 * spaces and tabs dropped (control.c: control_readline). */
static size_t
trim(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	return n;
}

static int
is_hostname(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > QPM_MAX_DOMAIN)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_' && s[i] != '[' && s[i] != ']')
			return 0;
	return 1;
}

static int
parse_number(const char *s, size_t n, long long *out)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static void
set(struct model *m, const char *param, const char *value, const char *from,
    struct src src)
{
	model_setting(m, param, value, from, src);
}

/* A single-line file whose first line is a host name. */
static const char *
host_value(struct model *m, const struct ctl *c, struct src src,
    const char *line, size_t n)
{
	if (!is_hostname(line, n)) {
		model_list(m, CAT_CONTROL, src, c->name,
		    "not a host name", "set the Postfix equivalent by hand");
		return NULL;
	}
	model_converted(m, CAT_CONTROL);
	return model_lower(m, line, n);
}

static void
smtproutes_line(struct model *m, struct src src, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *relay, *port;
	size_t dlen, rlen, plen;
	const char *dom, *val;

	if (colon == NULL) {
		model_list(m, CAT_CONTROL, src, "smtproutes",
		    "no ':' (domain:relay[:port] expected)",
		    "add the route to transport_maps by hand");
		return;
	}
	dlen = (size_t)(colon - line);
	relay = colon + 1;
	rlen = n - dlen - 1;
	port = memchr(relay, ':', rlen);
	plen = 0;
	if (port != NULL) {
		plen = rlen - (size_t)(port - relay) - 1;
		rlen = (size_t)(port - relay);
		port++;
	}
	if ((dlen && !is_hostname(line, dlen)) ||
	    (rlen && !is_hostname(relay, rlen)) ||
	    (port != NULL && (plen == 0 || plen > 5 ||
	    strspn(port, "0123456789") < plen))) {
		model_list(m, CAT_CONTROL, src, "smtproutes",
		    "unreadable route", "add the route to transport_maps by hand");
		return;
	}
	/* qmail never looks up MX for a relay: [host] in Postfix;
	 * a relay already written as [ip] keeps its brackets */
	if (rlen > 1 && relay[0] == '[' && relay[rlen - 1] == ']') {
		relay++;
		rlen -= 2;
	}
	if (rlen == 0)
		val = "smtp:";	/* dom: with no relay: plain MX delivery */
	else if (port != NULL)
		val = model_printf(m, "smtp:[%.*s]:%.*s", (int)rlen, relay,
		    (int)plen, port);
	else
		val = model_printf(m, "smtp:[%.*s]", (int)rlen, relay);
	if (dlen == 0) {
		set(m, "relayhost", val + 5, model_strndup(m, line, n), src);
	} else {
		dom = model_lower(m, line, dlen);
		model_entry(m, TBL_TRANSPORT, dom, val, src);
	}
	model_converted(m, CAT_CONTROL);
}

static void
access_line(struct model *m, const struct ctl *c, struct src src,
    const char *line, size_t n)
{
	enum m_table t = c->kind == CTL_BADMAILFROM ? TBL_SENDER_ACCESS :
	    TBL_RCPT_ACCESS;
	const char *key, *why = "neither an address nor @host";
	long at;

	if (line[0] == '@' && n > 1 && is_hostname(line + 1, n - 1)) {
		/* qmail: @host matches that host only; so does Postfix's
		 * domain key, as main.cf takes smtpd_access_maps out of
		 * parent_domain_matches_subdomains */
		key = model_lower(m, line + 1, n - 1);
	} else if ((at = addr_split(line, n)) > 0 &&
	    is_hostname(line + at + 1, n - (size_t)at - 1) &&
	    addr_local_ok(line, (size_t)at, &why)) {
		/* a lookup key: addr_local_ok as for .qmail names */
		key = model_lower(m, line, n);
	} else {
		model_list(m, CAT_CONTROL, src, c->name, why,
		    "add a check_sender_access or check_recipient_access "
		    "entry by hand");
		return;
	}
	model_entry(m, t, key, "REJECT", src);
	model_converted(m, CAT_CONTROL);
}

static void
vdom_line(struct model *m, struct src src, const char *line, size_t n)
{
	const char *colon = NULL, *key, *val;
	size_t i;

	/* the last ':' separates: user@domain:prepend has none before */
	for (i = n; i > 0; i--)
		if (line[i - 1] == ':') {
			colon = line + i - 1;
			break;
		}
	if (colon == NULL) {
		model_list(m, CAT_CONTROL, src, "virtualdomains",
		    "no ':' (domain:prepend expected)",
		    "check the line; qmail-send ignored it");
		return;
	}
	key = model_lower(m, line, (size_t)(colon - line));
	val = model_strndup(m, colon + 1, n - (size_t)(colon - line) - 1);
	model_entry(m, TBL_VIRTUALDOMAINS, key, val, src);
	model_converted(m, CAT_CONTROL);
}

static void
seconds(struct model *m, const struct ctl *c, struct src src,
    const char *line, size_t n)
{
	const char *p = c->param, *sp, *val;
	long long v;

	if (parse_number(line, n, &v) < 0) {
		model_list(m, CAT_CONTROL, src, c->name, "not a number",
		    "set the Postfix timeout by hand");
		return;
	}
	val = model_printf(m, "%llds", v);
	while (*p) {
		sp = strchr(p, ' ');
		if (sp == NULL)
			sp = p + strlen(p);
		set(m, model_strndup(m, p, (size_t)(sp - p)), val,
		    model_printf(m, "%s %lld", c->name, v), src);
		p = *sp ? sp + 1 : sp;
	}
	model_converted(m, CAT_CONTROL);
}

/* one-line files of a host name: me, defaultdomain, defaulthost, ... */
static void
host_line(struct model *m, const struct ctl *c, struct src src,
    const char *line, size_t n, int first)
{
	const char *v;

	if (!first) {
		/* qmail reads the first line only */
		model_list(m, CAT_CONTROL, src, c->name,
		    "line after the first: qmail ignores it",
		    "nothing; check the file");
		return;
	}
	if ((v = host_value(m, c, src, line, n)) == NULL)
		return;
	switch (c->kind) {
	case CTL_ME:
		m->me = v;
		m->old_hostname = v;
		m->old_hostname_src = src;
		break;
	case CTL_DEFAULTDOMAIN:
		m->defaultdomain = v;
		set(m, "mydomain", v, v, src);
		set(m, "append_dot_mydomain", "yes",
		    "qmail-inject appends defaultdomain", src);
		break;
	case CTL_DEFAULTHOST:
		m->defaulthost = v;
		set(m, "myorigin", v, v, src);
		break;
	case CTL_PLUSDOMAIN:
		m->plusdomain = v;
		model_note(m, src, "plusdomain",
		    "Postfix has no host+ completion",
		    "nothing, unless users type host+");
		break;
	case CTL_DOUBLEBOUNCEHOST:
		m->doublebouncehost = v;
		if (m->doublebounce_src.file == NULL)
			m->doublebounce_src = src;
		break;
	case CTL_BOUNCEHOST:
		model_note(m, src, "bouncehost",
		    "Postfix bounces come from MAILER-DAEMON@"
		    "$myhostname",
		    "set myhostname or a bounce_template_file "
		    "if the host name matters");
		break;
	case CTL_HELOHOST:
		set(m, "smtp_helo_name", v, v, src);
		break;
	case CTL_ENVNOATHOST:
		m->envnoathost = v;
		if (m->defaulthost != NULL &&
		    strcmp(v, m->defaulthost) != 0)
			model_note(m, src, "envnoathost",
			    "differs from defaulthost; Postfix "
			    "has one myorigin for both",
			    "check myorigin");
		break;
	case CTL_IDHOST:
		model_note(m, src, "idhost",
		    "Postfix uses $myhostname in Message-IDs",
		    "nothing");
		break;
	case CTL_LOCALIPHOST:
		model_note(m, src, "localiphost",
		    "Postfix accepts user@[its own IP] by "
		    "itself", "nothing");
		break;
	default:
		break;
	}
}

static void
greeting_line(struct model *m, const struct ctl *c, struct src src,
    const char *line, size_t n, int first)
{
	if (!first) {
		model_list(m, CAT_CONTROL, src, c->name,
		    "line after the first: qmail ignores it",
		    "nothing");
		return;
	}
	{
		/* qmail sends "220 GREETING ESMTP"; Postfix's
		 * banner must start with the new host name;
		 * the old text in main.cf syntax ($ doubled) */
		size_t w = strcspn(line, " \t");
		const char *rest = w < n ? line + w : "";
		const char *why = "greeting text main.cf "
		    "cannot hold";
		struct qstr b = QSTR_INIT(QPM_MAX_CONFIG_LINE * 4);

		if (w > n)
			w = n;
		if (qstr_cat(&b, "$myhostname") < 0 ||
		    esc_pf_param(&b, model_strndup(m, rest,
		    n - w), &why) < 0 || qstr_cat(&b, " ESMTP") <
		    0) {
			qstr_free(&b);
			model_list(m, CAT_CONTROL, src, c->name,
			    why, "set smtpd_banner by hand");
			return;
		}
		set(m, "smtpd_banner", model_strdup(m, b.buf),
		    model_strndup(m, line, n), src);
		qstr_free(&b);
	}
	model_converted(m, CAT_CONTROL);
}

static void
databytes_line(struct model *m, const struct ctl *c, struct src src,
    const char *line, size_t n, int first)
{
	const char *v;
	long long num;

	if (!first || parse_number(line, n, &num) < 0) {
		model_list(m, CAT_CONTROL, src, c->name,
		    "not a number on the first line",
		    "set message_size_limit by hand");
		return;
	}
	v = model_printf(m, "%lld", num);
	if (num == 0) {
		model_note(m, src, "databytes 0",
		    "qmail had no size limit; Postfix keeps "
		    "its default of 10240000 bytes",
		    "set message_size_limit if larger mail "
		    "must pass");
	} else {
		set(m, "message_size_limit", v, v, src);
		/* must not exceed the delivery limits */
		if (num > 51200000) {
			set(m, "virtual_mailbox_limit", v, v,
			    src);
			set(m, "mailbox_size_limit", v, v, src);
		}
	}
	model_converted(m, CAT_CONTROL);
}

void
control_parse(struct model *m, const char *name, const char *file,
    const char *buf, size_t len)
{
	const struct ctl *c = ctl_find(name);
	struct lines lr;
	struct src src = { file, 0 };
	const char *line;
	size_t n;
	long long num;
	int rc, first = 1;

	if (c == NULL)
		return;
	lines_mem(&lr, file, buf, len, QPM_MAX_CONFIG_LINE);
	while ((rc = lines_next(&lr, &line, &n)) != 0) {
		src.line = lr.lineno;
		model_read(m, CAT_CONTROL);
		if (rc < 0) {
			model_list(m, CAT_CONTROL, src, c->name,
			    "line too long", "check the file");
			continue;
		}
		n = trim(line, n);
		if (lr.had_nul || memchr(line, '\0', n) != NULL) {
			model_list(m, CAT_CONTROL, src, c->name,
			    "binary junk (NUL byte)", "check the file");
			continue;
		}
		if (n == 0 || line[0] == '#') {
			model_skipped(m, CAT_CONTROL);
			continue;
		}
		switch (c->kind) {
		case CTL_ME:
		case CTL_DEFAULTDOMAIN:
		case CTL_DEFAULTHOST:
		case CTL_PLUSDOMAIN:
		case CTL_DOUBLEBOUNCEHOST:
		case CTL_BOUNCEHOST:
		case CTL_HELOHOST:
		case CTL_ENVNOATHOST:
		case CTL_IDHOST:
		case CTL_LOCALIPHOST:
			host_line(m, c, src, line, n, first);
			break;
		case CTL_SMTPGREETING:
			greeting_line(m, c, src, line, n, first);
			break;
		case CTL_LOCALS:
			if (!is_hostname(line, n)) {
				model_list(m, CAT_CONTROL, src, c->name,
				    "not a host name", "check the file");
				break;
			}
			model_domain_add(m, model_lower(m, line, n), DOM_LOCAL,
			    src);
			model_converted(m, CAT_CONTROL);
			break;
		case CTL_RCPTHOSTS:
			if (!is_hostname(line, n)) {
				model_list(m, CAT_CONTROL, src, c->name,
				    "not a host name", "check the file");
				break;
			}
			model_entry(m, TBL_RCPTHOSTS, model_lower(m, line, n),
			    "", src);
			model_converted(m, CAT_CONTROL);
			break;
		case CTL_VIRTUALDOMAINS:
			vdom_line(m, src, line, n);
			break;
		case CTL_DATABYTES:
			databytes_line(m, c, src, line, n, first);
			break;
		case CTL_DOUBLEBOUNCETO:
			if (!first) {
				model_list(m, CAT_CONTROL, src, c->name,
				    "line after the first: qmail ignores it",
				    "nothing");
				break;
			}
			m->doublebounceto = model_lower(m, line, n);
			m->doublebounce_src = src;
			model_converted(m, CAT_CONTROL);
			break;
		case CTL_BOUNCEFROM:
			if (!first) {
				model_list(m, CAT_CONTROL, src, c->name,
				    "line after the first: qmail ignores it",
				    "nothing");
				break;
			}
			if (n == 13 && strncasecmp(line, "MAILER-DAEMON",
			    13) == 0) {
				model_converted(m, CAT_CONTROL);
				break;
			}
			model_list(m, CAT_CONTROL, src, c->name,
			    "Postfix bounces always come from MAILER-DAEMON",
			    "edit the From: of a bounce_template_file");
			break;
		case CTL_SECONDS:
			if (!first) {
				model_list(m, CAT_CONTROL, src, c->name,
				    "line after the first: qmail ignores it",
				    "nothing");
				break;
			}
			seconds(m, c, src, line, n);
			break;
		case CTL_SMTPROUTES:
			smtproutes_line(m, src, line, n);
			break;
		case CTL_BADMAILFROM:
		case CTL_BADRCPTTO:
			access_line(m, c, src, line, n);
			break;
		case CTL_CONCURRENCY:
			if (!first || parse_number(line, n, &num) < 0 ||
			    num <= 0) {
				model_list(m, CAT_CONTROL, src, c->name,
				    "not a positive number on the first line",
				    "set the master.cf process limit by hand");
				break;
			}
			model_limit(m, c->param, "process_limit", num,
			    model_printf(m, "%s %lld", c->name, num), src);
			model_converted(m, CAT_CONTROL);
			break;
		}
		first = 0;
	}
	lines_close(&lr);
}

void
control_finish(struct model *m)
{
	struct src none = { "(qmail default)", 0 };
	const char *to, *host;

	host = m->doublebouncehost != NULL ? m->doublebouncehost : m->me;
	to = m->doublebounceto != NULL ? m->doublebounceto : "postmaster";
	if (m->doublebounceto != NULL && m->doublebounceto[0] == '\0') {
		model_note(m, m->doublebounce_src, "doublebounceto",
		    "empty: the old host discarded double bounces; Postfix "
		    "does not send them by default either", "nothing");
		return;
	}
	if (host == NULL)
		return;
	m->doublebounceto = model_printf(m, "%s@%s", to, host);
	if (m->doublebounce_src.file == NULL)
		m->doublebounce_src = none;
	/* Postfix does not send double bounces anywhere by default */
	model_setting(m, "notify_classes", "resource, software, 2bounce",
	    "qmail sends double bounces to doublebounceto",
	    m->doublebounce_src);
	model_setting(m, "2bounce_notice_recipient", m->doublebounceto,
	    m->doublebounceto, m->doublebounce_src);
}
