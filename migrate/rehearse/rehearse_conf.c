/*
 * NAME		rehearse_conf - OUT's configuration, moved onto loopback
 * DOES		rewrites copies of main.cf (as postconf -e overrides),
 *		master.cf (listeners on free loopback ports, pipes replaced
 *		by the recorder, a TLS wrapper-mode listener with the
 *		rehearsal's certificate, or left out without one), the transport
 *		map (remote next hops to the capture sink), dovecot.conf
 *		(private paths and listeners, in the syntax of the Dovecot
 *		version it was written for: 2.3 or 2.4), Dovecot's users file
 *		(homes under the rehearsal's mail root, the mail user mapped)
 *		and, for --userdb sql, Postfix's mysql: map files and Dovecot's
 *		SQL connect string (onto the private MariaDB's socket)
 * NEVER	reads or writes a file itself: text in, text out
 */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "migrate/rehearse/rehearse.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/qstr.h"

#define CHECK(x)	do { if ((e = (x)) < 0) goto out; } while (0)

static int
add_kv(struct strlist *out, const char *k, const char *v)
{
	struct qstr s = QSTR_INIT(8192);
	int e;

	if ((e = qstr_catf(&s, "%s=%s", k, v)) == 0)
		e = strlist_add(out, s.buf);
	qstr_free(&s);
	return e;
}

/* main.cf: what makes OUT's instance private, local and quiet. Applied
 * with one "postconf -c DIR -e" after the copy. */
int
rh_main_overrides(const struct rh_paths *p, struct strlist *out)
{
	char sink[64], buf[4096];
	int e;

	if ((e = qpm_snprintf(sink, sizeof(sink), "smtp:[127.0.0.1]:%d",
	    p->sink_port)) < 0)
		return e;
	/* named, not left to "-c DIR": right after main.cf changed, Postfix
	 * 3.10's first postconf -c DIR expands ${config_directory} to
	 * /etc/postfix, and the transport map OUT's next hops are moved out
	 * of would be missed (a remote hop then really dialled) */
	CHECK(add_kv(out, "config_directory", p->pf_conf));
	CHECK(add_kv(out, "queue_directory", p->pf_queue));
	CHECK(qpm_snprintf(buf, sizeof(buf), "%s/pf/data", p->tmp));
	CHECK(add_kv(out, "data_directory", buf));
	CHECK(qpm_snprintf(buf, sizeof(buf), "%s/pf/maillog", p->tmp));
	CHECK(add_kv(out, "maillog_file", buf));
	CHECK(add_kv(out, "maillog_file_prefixes", p->tmp));
	CHECK(add_kv(out, "inet_interfaces", "127.0.0.1"));
	CHECK(add_kv(out, "inet_protocols", "ipv4"));
	/* the probes come from outside: 127.0.0.1 must not be trusted, or
	 * mail to a foreign domain would be relayed instead of refused */
	CHECK(add_kv(out, "mynetworks", ""));
	/* the address probes and the 127.0.0.1 logins are one client that
	 * opens many sessions: OUT's per-client count and rate limits
	 * (anvil) would answer them 421 at random, so they do not count
	 * it; --limits proves those limits from other 127/8 addresses,
	 * never 127.0.0.1 (rehearse_limits.c), which still count */
	CHECK(add_kv(out, "smtpd_client_event_limit_exceptions",
	    "127.0.0.1/32"));
	CHECK(add_kv(out, "smtpd_peername_lookup", "no"));
	CHECK(add_kv(out, "smtp_dns_support_level", "disabled"));
	CHECK(add_kv(out, "smtp_bind_address", "127.0.0.1"));
	CHECK(add_kv(out, "lmtp_bind_address", "127.0.0.1"));
	/* everything that would leave lands in the capture sink */
	CHECK(add_kv(out, "relayhost", sink + 5));
	CHECK(add_kv(out, "default_transport", sink));
	CHECK(add_kv(out, "relay_transport", sink));
	CHECK(add_kv(out, "smtp_fallback_relay", ""));
	CHECK(add_kv(out, "sender_dependent_relayhost_maps", ""));
	if (p->srs_transport == NULL)
		CHECK(add_kv(out, "sender_dependent_default_transport_maps", ""));
	else {
		/* OUT's own map (${config_directory} is the private copy);
		 * srs-forward's sendmail runs as the mail user and reaches
		 * this instance only when the default main.cf (bound over
		 * /etc/postfix in Postfix's mount namespace: this one)
		 * lists it */
		CHECK(add_kv(out, "alternate_config_directories", p->pf_conf));
		if (p->srs_reverse_map != NULL)
			CHECK(add_kv(out, "recipient_canonical_maps",
			    p->srs_reverse_map));
	}
	/* Maildir folders (virtual(8)): their old paths under the copy */
	CHECK(add_kv(out, "virtual_mailbox_base", p->mail_root));
	CHECK(qpm_snprintf(buf, sizeof(buf), "static:%ld", (long)p->uid));
	CHECK(add_kv(out, "virtual_uid_maps", buf));
	CHECK(add_kv(out, "virtual_minimum_uid", p->uid > 0 ? buf + 7 : "1"));
	CHECK(qpm_snprintf(buf, sizeof(buf), "static:%ld", (long)p->gid));
	CHECK(add_kv(out, "virtual_gid_maps", buf));
	CHECK(add_kv(out, "local_transport", "q2p-rehearse-local:"));
	CHECK(add_kv(out, "alias_maps", ""));
	CHECK(add_kv(out, "alias_database", ""));
	CHECK(add_kv(out, "content_filter", ""));
	CHECK(add_kv(out, "smtpd_milters", ""));
	CHECK(add_kv(out, "non_smtpd_milters", ""));
	/* no certificate here: plaintext on loopback */
	CHECK(add_kv(out, "smtpd_tls_security_level", "none"));
	CHECK(add_kv(out, "smtp_tls_security_level", "none"));
	CHECK(add_kv(out, "lmtp_tls_security_level", "none"));
	CHECK(add_kv(out, "smtpd_tls_cert_file", ""));
	CHECK(add_kv(out, "smtpd_tls_key_file", ""));
	CHECK(add_kv(out, "smtpd_tls_chain_files", ""));
	CHECK(add_kv(out, "smtpd_tls_auth_only", "no"));
	/* many refused recipients in one session are the point here */
	CHECK(add_kv(out, "smtpd_soft_error_limit", "100000"));
	CHECK(add_kv(out, "smtpd_hard_error_limit", "100000"));
	CHECK(add_kv(out, "smtpd_error_sleep_time", "0"));
	CHECK(add_kv(out, "smtpd_junk_command_limit", "100000"));
	/* one recipient per LMTP transaction: Dovecot's Received: field
	 * then names a transaction of one copy, which the maillog ties to
	 * the address that came in (a probe message to several addresses,
	 * rh_collect.c); each copy is delivered as before */
	CHECK(add_kv(out, "lmtp_destination_recipient_limit", "1"));
	/* a deferred probe stays deferred; no delay warnings */
	CHECK(add_kv(out, "queue_run_delay", "3600s"));
	CHECK(add_kv(out, "minimal_backoff_time", "3600s"));
	CHECK(add_kv(out, "maximal_backoff_time", "3600s"));
	CHECK(add_kv(out, "delay_warning_time", "0"));
out:
	return e;
}

int
rh_srs_map_rewrite(const char *value, const char *socket, int port,
    struct qstr *out)
{
	const char *s, *hit;
	size_t sl = strlen(socket);
	int e = QPM_ENOENT, r;

	if (sl == 0)
		return QPM_EINVAL;
	for (s = value; (hit = strstr(s, socket)) != NULL; s = hit + sl) {
		/* whole spec only: 10003 must not match 100031 */
		if (isalnum((unsigned char)hit[sl]) || hit[sl] == '.' ||
		    hit[sl] == '/')
			continue;
		if ((r = qstr_catn(out, s, (size_t)(hit - s))) < 0 ||
		    (r = qstr_catf(out, "inet:127.0.0.1:%d", port)) < 0)
			return r;
		e = 0;
	}
	if ((r = qstr_cat(out, s)) < 0)
		return r;
	return e;
}

/* --------------------------------------------------------- master.cf */

/* the srsfwd pipe, run for real: OUT's argv with the rehearsal's
 * srs-forward and secret, as the mail user */
static int
srs_pipe_rewrite(const char *name, size_t nl, const char *argv,
    const char *keep, const struct rh_paths *p, struct qstr *out)
{
	const char *t;
	size_t n;
	int e = 0, first = 1, secret = 0;

	CHECK(qstr_catf(out, "%.*s unix - n n - - pipe\n  %suser=%s argv=",
	    (int)nl, name, keep, p->user));
	for (t = argv; *t != '\0'; t += n) {
		while (*t == ' ' || *t == '\t' || *t == '\n')
			t++;
		if (*t == '\0')
			break;
		n = strcspn(t, " \t\n");
		if (first) {
			CHECK(qstr_cat(out, p->srs_forward));
			if (!(strstr(argv, " -s ") || strstr(argv, " --secret")))
				CHECK(qstr_catf(out, " -s %s", p->srs_secret));
			first = 0;
			continue;
		}
		CHECK(qstr_catc(out, ' '));
		if (secret) {
			CHECK(qstr_cat(out, p->srs_secret));
			secret = 0;
		} else if ((n == 2 && strncmp(t, "-s", 2) == 0) ||
		    (n == 8 && strncmp(t, "--secret", 8) == 0)) {
			CHECK(qstr_catn(out, t, n));
			secret = 1;
		} else if (n > 9 && strncmp(t, "--secret=", 9) == 0) {
			CHECK(qstr_catf(out, "--secret=%s", p->srs_secret));
		} else
			CHECK(qstr_catn(out, t, n));
	}
	CHECK(qstr_catc(out, '\n'));
out:
	return e;
}

static int
is_loopback_hop(const char *hop)
{
	if (strncmp(hop, "inet:", 5) == 0)
		hop += 5;
	if (*hop == '[')
		hop++;
	return strncmp(hop, "unix:", 5) == 0 || strncmp(hop, "127.", 4) == 0 ||
	    strncmp(hop, "private/", 8) == 0 || strncmp(hop, "public/", 7) == 0;
}

/* split a logical master.cf line into its 8 fields and the rest */
static int
fields(const char *s, const char **f, size_t *fl, const char **rest)
{
	int n = 0;

	while (n < 8) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		f[n] = s;
		s += strcspn(s, " \t\n");
		fl[n] = (size_t)(s - f[n]);
		n++;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	*rest = s;
	return n;
}

/* text with master.cf's continuation lines joined, then a newline */
static int
cat_joined(struct qstr *out, const char *text)
{
	const char *t;
	int e = 0;

	for (t = text; *t != '\0'; t++) {
		if (*t == '\n') {
			CHECK(qstr_catc(out, ' '));
			while (t[1] == ' ' || t[1] == '\t')
				t++;
		} else
			CHECK(qstr_catc(out, *t));
	}
	CHECK(qstr_catc(out, '\n'));
out:
	return e;
}

/* 1 when argv's program is q2p-dotqmail */
static int
is_dotqmail(const char *argv)
{
	size_t n = strcspn(argv, " \t\n");
	static const char base[] = "/q2p-dotqmail";

	return n >= sizeof(base) - 1 &&
	    strncmp(argv + n - (sizeof(base) - 1), base, sizeof(base) - 1) == 0;
}

/* q2p-dotqmail, run for real: the recorder in front of each program
 * line (-w: it records the argv, the environment and the message),
 * dovecot-lda with the private dovecot.conf, sendmail with the private
 * Postfix; OUT's arguments after the program, continuation lines
 * joined */
static int
dotqmail_rewrite(const char *name, size_t nl, const char *argv,
    const char *keep, const struct rh_paths *p, struct qstr *out)
{
	int e = 0;

	CHECK(qstr_catf(out, "%.*s unix - n n - - pipe\n  %suser=%s argv=%s "
	    "-w %s -w %s -w %.*s -w q2p-dotqmail -w %s -L %s "
	    "-O log_path=/dev/stderr -O info_log_path=/dev/stderr -S %s", (int)nl,
	    name, keep, p->user, p->dotqmail, p->recorder, p->pipe_dir, (int)nl,
	    name, p->standins != NULL ? p->standins : "-", p->dc_conf,
	    p->pf_conf));
	CHECK(cat_joined(out, argv + strcspn(argv, " \t\n")));
out:
	return e;
}

static int
pipe_rewrite(const char *name, size_t nl, const char *rest,
    const struct rh_paths *p, struct qstr *out)
{
	const char *t, *argv = NULL, *olduser = "-";
	struct qstr keep = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	char user[256];
	size_t n;
	int e;

	user[0] = '\0';
	for (t = rest; *t != '\0'; ) {
		while (*t == ' ' || *t == '\t' || *t == '\n')
			t++;
		if (*t == '\0')
			break;
		n = strcspn(t, " \t\n");
		if (strncmp(t, "argv=", 5) == 0) {
			argv = t + 5;
			break;
		}
		if (strncmp(t, "user=", 5) == 0) {
			if (n - 5 < sizeof(user)) {
				memcpy(user, t + 5, n - 5);
				user[n - 5] = '\0';
				olduser = user;
			}
		} else if (strncmp(t, "directory=", 10) != 0) {
			/* the old host's directories are not here */
			CHECK(qstr_catn(&keep, t, n));
			CHECK(qstr_catc(&keep, ' '));
		}
		t += n;
	}
	if (argv == NULL) {
		e = QPM_ESYNTAX;
		goto out;
	}
	if (p->srs_transport != NULL && strlen(p->srs_transport) == nl &&
	    strncmp(name, p->srs_transport, nl) == 0) {
		e = srs_pipe_rewrite(name, nl, argv, qstr_str(&keep), p, out);
		goto out;
	}
	if (p->dotqmail != NULL && is_dotqmail(argv)) {
		e = dotqmail_rewrite(name, nl, argv, qstr_str(&keep), p, out);
		goto out;
	}
	CHECK(qstr_catf(out, "%.*s unix - n n - - pipe\n  %suser=%s argv=%s %s "
	    "%.*s %s ${sender} ${original_recipient} ${recipient} ", (int)nl,
	    name, qstr_str(&keep), p->user, p->recorder, p->pipe_dir, (int)nl,
	    name, olduser));
	/* the old argv, continuation lines joined */
	CHECK(cat_joined(out, argv));
out:
	qstr_free(&keep);
	return e;
}

/* SMTP AUTH sessions an smtpd process of a login listener serves */
#define RH_SMTPD_USE	"1000"

/* *smtps_taken: the rehearsal's smtps port is given (to the first
 * wrapper-mode listener named smtps, submissions or 465) */
static int
entry_rewrite(const char *ent, const struct rh_paths *p, struct qstr *out,
    struct strlist *notes, struct strlist *clients, int *smtps_taken)
{
	const char *f[8], *rest, *svc, *colon;
	struct qstr note = QSTR_INIT(4096);
	size_t fl[8], sl;
	char name[256];
	int n, e = 0, port, wrapper;

	n = fields(ent, f, fl, &rest);
	if (n < 8) {	/* not a service line: keep it, postfix check decides */
		CHECK(qstr_catf(out, "%s\n", ent));
		return 0;
	}
	if (fl[0] >= sizeof(name))
		return QPM_ERANGE;
	memcpy(name, f[0], fl[0]);
	name[fl[0]] = '\0';
	if (fl[1] == 4 && strncmp(f[1], "unix", 4) == 0 && fl[7] == 4 &&
	    strncmp(f[7], "pipe", 4) == 0) {
		if (p->srs_transport != NULL &&
		    strcmp(name, p->srs_transport) == 0)
			CHECK(qstr_catf(out, "# rehearsal: %s runs srs-forward "
			    "for real\n", name));
		else
			CHECK(qstr_catf(out, "# rehearsal: %s records instead "
			    "of running its program\n", name));
		return pipe_rewrite(name, fl[0], rest, p, out);
	}
	if (fl[1] == 4 && strncmp(f[1], "unix", 4) == 0 &&
	    ((fl[7] == 4 && strncmp(f[7], "smtp", 4) == 0) ||
	    (fl[7] == 4 && strncmp(f[7], "lmtp", 4) == 0)))
		CHECK(strlist_add(clients, name));
	if (fl[1] == 4 && strncmp(f[1], "inet", 4) == 0) {
		wrapper = strstr(rest, "smtpd_tls_wrappermode=yes") != NULL;
		if (wrapper && p->tls_cert == NULL) {
			CHECK(qstr_catf(out, "# rehearsal: not started (TLS "
			    "wrapper mode, no certificate here): %s\n", name));
			CHECK(qstr_catf(&note, "%s: not started (TLS wrapper "
			    "mode, no certificate)", name));
			CHECK(strlist_add(notes, qstr_str(&note)));
			goto out;
		}
		colon = strrchr(name, ':');
		svc = colon ? colon + 1 : name;
		sl = strlen(svc);
		if ((sl == 4 && strcmp(svc, "smtp") == 0) || strcmp(svc, "25") == 0)
			port = p->smtp_port;
		else if (strcmp(svc, "submission") == 0 || strcmp(svc, "587") == 0)
			port = p->submission_port;
		else if (wrapper && p->smtps_port > 0 && !*smtps_taken &&
		    (strcmp(svc, "smtps") == 0 || strcmp(svc, "465") == 0 ||
		    strcmp(svc, "submissions") == 0)) {
			port = p->smtps_port;
			*smtps_taken = 1;
		} else if ((port = p->next_port ? p->next_port() : -1) < 0)
			return QPM_ERANGE;
		CHECK(qstr_catf(out, "127.0.0.1:%d inet %.*s %.*s n %.*s %.*s %.*s",
		    port, (int)fl[2], f[2], (int)fl[3], f[3], (int)fl[5], f[5],
		    (int)fl[6], f[6], (int)fl[7], f[7]));
		if (*rest != '\0')
			CHECK(qstr_catf(out, " %s", rest));
		if (port == p->submission_port)
			CHECK(qstr_cat(out, "\n  -o smtpd_tls_security_level=none"
			    "\n  -o smtpd_tls_auth_only=no"
			    "\n  -o smtpd_sasl_auth_enable=yes"));
		/* main.cf has TLS off and no certificate: this one has both */
		if (wrapper) {
			CHECK(qstr_catf(out, "\n  -o smtpd_tls_security_level="
			    "encrypt\n  -o smtpd_tls_cert_file=%s\n  -o "
			    "smtpd_tls_key_file=%s", p->tls_cert, p->tls_key));
			CHECK(qstr_catf(&note, "%s: TLS wrapper mode on 127.0.0.1:%d, "
			    "certificate %s", name, port, p->tls_cert));
			CHECK(strlist_add(notes, qstr_str(&note)));
		}
		/* the logins' listeners: one smtpd process serves many
		 * SMTP AUTH sessions (its start, TLS set-up included, costs
		 * more than a session); each session is still a new
		 * connection through the same restrictions and SASL */
		if (port == p->submission_port || wrapper)
			CHECK(qstr_cat(out, "\n  -o max_use=" RH_SMTPD_USE));
		CHECK(qstr_catc(out, '\n'));
		goto out;
	}
	/* every other service as it is, without a chroot */
	CHECK(qstr_catf(out, "%.*s %.*s %.*s %.*s n %.*s %.*s %.*s", (int)fl[0],
	    f[0], (int)fl[1], f[1], (int)fl[2], f[2], (int)fl[3], f[3],
	    (int)fl[5], f[5], (int)fl[6], f[6], (int)fl[7], f[7]));
	if (*rest != '\0')
		CHECK(qstr_catf(out, " %s", rest));
	CHECK(qstr_catc(out, '\n'));
out:
	qstr_free(&note);
	return e;
}

int
rh_master_rewrite(const char *text, const struct rh_paths *p,
    struct qstr *out, struct strlist *notes, struct strlist *clients)
{
	struct qstr ent = QSTR_INIT(QPM_MAX_CONFIG_FILE);
	const char *s = text, *eol;
	size_t n;
	int e = 0, smtps_taken = 0;

	CHECK(qstr_cat(out, "# master.cf of a qmail2postfix rehearsal: OUT's, "
	    "on loopback ports\n"));
	for (;;) {
		eol = s + strcspn(s, "\n");
		n = (size_t)(eol - s);
		if (*s == '\0' || (*s != ' ' && *s != '\t' && *s != '#' && n > 0)) {
			/* a new logical line: finish the previous one */
			if (ent.len > 0) {
				CHECK(entry_rewrite(ent.buf, p, out, notes, clients,
				    &smtps_taken));
				qstr_reset(&ent);
			}
			if (*s == '\0')
				break;
			CHECK(qstr_catn(&ent, s, n));
		} else if (*s == '#' || n == 0) {
			if (ent.len == 0)
				CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
		} else if (ent.len > 0) {
			CHECK(qstr_catc(&ent, '\n'));
			CHECK(qstr_catn(&ent, s, n));
		}
		s = *eol ? eol + 1 : eol;
	}
	CHECK(qstr_catf(out, "# rehearsal: local(8) deliveries are recorded, "
	    "not made\nq2p-rehearse-local unix - n n - - pipe\n  flags=R "
	    "user=%s argv=%s %s local - ${sender} ${original_recipient} "
	    "${recipient}\n", p->user, p->recorder, p->pipe_dir));
out:
	qstr_free(&ent);
	return e;
}

/* ------------------------------------------------------- transport map */

int
rh_transport_rewrite(const char *text, const struct strlist *clients,
    int sink_port, struct qstr *out, struct strlist *notes)
{
	const char *s = text, *eol, *k, *v, *colon, *hop;
	size_t n, kl, vl, tl;
	char tr[128], note[1024];
	int e = 0, client;

	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		n = (size_t)(eol - s);
		k = s;
		while (k < eol && (*k == ' ' || *k == '\t'))
			k++;
		if (k == eol || *k == '#' || k != s) {
			CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
			continue;
		}
		kl = strcspn(k, " \t\n");
		v = k + kl;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		vl = (size_t)(eol - v);
		colon = memchr(v, ':', vl);
		tl = colon ? (size_t)(colon - v) : vl;
		hop = colon ? colon + 1 : "";
		if (tl >= sizeof(tr)) {
			CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
			continue;
		}
		memcpy(tr, v, tl);
		tr[tl] = '\0';
		client = tl == 0 || strcmp(tr, "smtp") == 0 ||
		    strcmp(tr, "relay") == 0 || strcmp(tr, "lmtp") == 0 ||
		    strlist_has(clients, tr);
		if (!client || *hop == '\0' || *hop == '\n' ||
		    is_loopback_hop(hop)) {
			CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
			continue;
		}
		CHECK(qstr_catf(out, "# rehearsal: was %.*s\n%.*s\tsmtp:[127.0.0.1]:%d\n",
		    (int)n, s, (int)kl, k, sink_port));
		if (qpm_snprintf(note, sizeof(note), "%.*s: %.*s goes to the "
		    "capture sink", (int)kl, k, (int)vl, v) >= 0)
			CHECK(strlist_add(notes, note));
	}
out:
	return e;
}

/* ------------------------------------------------------------ Dovecot */

static const char *const dc_override[] = {
	"base_dir", "state_dir", "log_path", "info_log_path", "debug_log_path",
	"listen", "ssl", "ssl_cert", "ssl_key", "ssl_ca", "ssl_dh",
	"ssl_client_ca_dir", "ssl_client_ca_file", "disable_plaintext_auth",
	/* 2.4's names; the version line is written first */
	"dovecot_config_version", "auth_allow_cleartext",
	"ssl_server_cert_file", "ssl_server_key_file", "ssl_server_ca_file",
	"ssl_server_dh_file",
	"first_valid_uid", "first_valid_gid", "last_valid_uid",
	"last_valid_gid", "instance_name", "auth_failure_delay", "mail_uid",
	"mail_gid", "login_trusted_networks", "syslog_facility", NULL
};

static int
rebase_token(const char *tok, size_t n, const struct rh_paths *p,
    struct qstr *out)
{
	const char *base;
	size_t ql = strlen(p->old_queue), i;

	if (n > ql && strncmp(tok, p->old_queue, ql) == 0 && tok[ql] == '/')
		return qstr_catf(out, "%s%.*s", p->pf_queue, (int)(n - ql),
		    tok + ql);
	if (n > 0 && tok[0] == '/') {
		for (base = tok + n; base > tok && base[-1] != '/'; base--)
			;
		for (i = 0; p->dc_files != NULL && i < p->dc_files->n; i++)
			if (strlen(p->dc_files->v[i]) == (size_t)(tok + n - base) &&
			    strncmp(p->dc_files->v[i], base, (size_t)(tok + n -
			    base)) == 0)
				return qstr_catf(out, "%s/%.*s", p->dc_dir,
				    (int)(tok + n - base), base);
	}
	return qstr_catn(out, tok, n);
}

/* Dovecot 2.4's file starts with its dovecot_config_version setting
 * (2.4 refuses any other first setting, 2.3 that one): the line, or
 * NULL for a 2.3 file.  *n is its length. */
static const char *
dc_version_line(const char *text, size_t *n)
{
	const char *s = text, *k;

	for (; *s != '\0'; s += *n + (s[*n] == '\n')) {
		*n = strcspn(s, "\n");
		for (k = s; k < s + *n && (*k == ' ' || *k == '\t'); k++)
			;
		if (k == s + *n || *k == '#')
			continue;
		return strncmp(k, "dovecot_config_version", 22) == 0 &&
		    strchr(" \t=", k[22]) != NULL ? s : NULL;
	}
	return NULL;
}

int
rh_dovecot_rewrite(const char *text, const struct rh_paths *p,
    struct qstr *out)
{
	const char *s = text, *eol, *t, *k, *v24;
	size_t n, kl, i, tl, vl = 0;
	int depth = 0, e = 0, drop;

	if ((v24 = dc_version_line(text, &vl)) != NULL)
		CHECK(qstr_catf(out, "%.*s\n", (int)vl, v24));
	CHECK(qstr_catf(out,
	    "# dovecot.conf of a qmail2postfix rehearsal: private paths and\n"
	    "# loopback listeners first, then OUT's settings with their paths\n"
	    "# moved into the rehearsal directory\n"
	    "instance_name = q2p-rehearse\n"
	    "base_dir = %s/run\nstate_dir = %s/state\n"
	    "log_path = %s/dovecot.log\ninfo_log_path = %s/dovecot.log\n"
	    "listen = 127.0.0.1\nssl = no\n%s\n"
	    "first_valid_uid = %u\nfirst_valid_gid = %u\n"
	    "auth_failure_delay = 0\n\n", p->dc_dir, p->dc_dir, p->dc_dir,
	    p->dc_dir, v24 != NULL ? "auth_allow_cleartext = yes" :
	    "disable_plaintext_auth = no", p->uid, p->gid));
	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		n = (size_t)(eol - s);
		k = s;
		while (k < eol && (*k == ' ' || *k == '\t'))
			k++;
		kl = strcspn(k, " \t=\n");
		drop = 0;
		if (depth == 0 && k < eol && *k != '#')
			for (i = 0; dc_override[i] != NULL; i++)
				if (strlen(dc_override[i]) == kl &&
				    strncmp(k, dc_override[i], kl) == 0)
					drop = 1;
		if (drop) {
			CHECK(qstr_catf(out, "# rehearsal: %.*s\n", (int)n, s));
			continue;
		}
		if (k < eol && *k != '#') {
			if (memchr(k, '{', (size_t)(eol - k)) != NULL)
				depth++;
			if (*k == '}' && depth > 0)
				depth--;
		}
		if (k < eol && *k == '#') {
			CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
			continue;
		}
		/* paths: token by token, '<' (file contents) kept */
		for (t = s; t < eol; ) {
			if (*t == ' ' || *t == '\t' || *t == '<' || *t == '=') {
				CHECK(qstr_catc(out, *t));
				t++;
				continue;
			}
			tl = strcspn(t, " \t\n");
			if ((size_t)(eol - t) < tl)
				tl = (size_t)(eol - t);
			if (depth == 0 && kl == 13 && strncmp(k, "mail_location",
			    13) == 0 && tl > 8 && strncmp(t, "maildir:/", 9) == 0)
				CHECK(qstr_catf(out, "maildir:%s%.*s", p->mail_root,
				    (int)(tl - 8), t + 8));
			else if (depth == 0 && kl == 9 && strncmp(k, "mail_path",
			    9) == 0 && *t == '/')
				CHECK(qstr_catf(out, "%s%.*s", p->mail_root,
				    (int)tl, t));
			else
				CHECK(rebase_token(t, tl, p, out));
			t += tl;
		}
		CHECK(qstr_catc(out, '\n'));
	}
	/* 2.4 calls a listener's address "listen" */
	CHECK(qstr_catf(out,
	    "\n# rehearsal: listeners on loopback, TLS-only ones off\n"
	    "service imap-login {\n  inet_listener imap {\n"
	    "    %s = 127.0.0.1\n    port = %d\n  }\n"
	    "  inet_listener imaps {\n    port = 0\n  }\n}\n"
	    "service pop3-login {\n  inet_listener pop3 {\n"
	    "    %s = 127.0.0.1\n    port = %d\n  }\n"
	    "  inet_listener pop3s {\n    port = 0\n  }\n}\n"
	    "service submission-login {\n  inet_listener submission {\n"
	    "    port = 0\n  }\n  inet_listener submissions {\n    port = 0\n"
	    "  }\n}\n"
	    "# failed logins are answered at once (no anvil auth penalty)\n"
	    "service anvil {\n  unix_listener anvil-auth-penalty {\n"
	    "    mode = 0\n  }\n}\n", v24 != NULL ? "listen" : "address",
	    p->imap_port, v24 != NULL ? "listen" : "address", p->pop3_port));
out:
	return e;
}

int
rh_dovecot_reuse(const char *text, struct qstr *out)
{
	size_t vl;
	int v24 = dc_version_line(text, &vl) != NULL;
	const char *count = v24 ? "restart_request_count" : "service_count";
	const char *many = v24 ? "unlimited" : "0";

	/* every user of the rehearsal has the one mail user's uid, so an
	 * IMAP or POP3 process may serve one login after another instead
	 * of a new process for each; the login processes run in Dovecot's
	 * high-performance mode (each serves many connections instead of
	 * a fork and exec per connection).  Only the processes' lifetime
	 * changes: each login is still a whole login, from the greeting
	 * through the same passdbs (deny lists, webmail rule) and userdb
	 * to the user's mail storage and the tagged OK.  --limits proves
	 * the processes and their limits as OUT has them (not called).
	 * No fsync of mail and index files: a rehearsal that crashes is
	 * run again, and no answer depends on it. */
	return qstr_catf(out,
	    "# rehearsal: processes reused (one uid for all), no fsync\n"
	    "mail_fsync = never\n"
	    "service imap-login {\n  %s = %s\n  process_min_avail = 2\n"
	    "  client_limit = 1000\n}\n"
	    "service pop3-login {\n  %s = %s\n  process_min_avail = 2\n"
	    "  client_limit = 1000\n}\n"
	    "service imap {\n  %s = 1000\n  process_min_avail = 4\n}\n"
	    "service pop3 {\n  %s = 1000\n  process_min_avail = 4\n}\n"
	    "service auth {\n  client_limit = 4096\n}\n",
	    count, many, count, many, count, count);
}

/* passwd-file: user:pass:uid:gid:gecos:home:shell:extra */
int
rh_users_rewrite(const char *text, const struct rh_paths *p,
    struct qstr *out, struct strlist *homes, struct strlist *users)
{
	const char *s = text, *eol, *f[8];
	size_t n, fl[8];
	struct qstr home = QSTR_INIT(8192);
	int e = 0, nf, i;

	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		n = (size_t)(eol - s);
		if (n == 0 || *s == '#') {
			CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
			continue;
		}
		f[0] = s;
		for (nf = 1; nf < 8; nf++) {
			const char *c = memchr(f[nf - 1], ':', (size_t)(eol - f[nf - 1]));

			if (c == NULL)
				break;
			fl[nf - 1] = (size_t)(c - f[nf - 1]);
			f[nf] = c + 1;
		}
		fl[nf - 1] = (size_t)(eol - f[nf - 1]);
		if (nf < 6) {
			CHECK(qstr_catf(out, "%.*s\n", (int)n, s));
			continue;
		}
		qstr_reset(&home);
		if (fl[5] > 0 && f[5][0] == '/')
			CHECK(qstr_catf(&home, "%s%.*s", p->mail_root, (int)fl[5],
			    f[5]));
		else
			CHECK(qstr_catn(&home, f[5], fl[5]));
		CHECK(qstr_catf(out, "%.*s:%.*s:%u:%u:%.*s:%s", (int)fl[0], f[0],
		    (int)fl[1], f[1], p->uid, p->gid, (int)fl[4], f[4],
		    qstr_str(&home)));
		for (i = 6; i < nf; i++)
			CHECK(qstr_catf(out, ":%.*s", (int)fl[i], f[i]));
		CHECK(qstr_catc(out, '\n'));
		if (home.len > 0 && home.buf[0] == '/') {
			CHECK(strlist_add(homes, home.buf));
			if (users != NULL) {
				qstr_reset(&home);
				CHECK(qstr_catn(&home, f[0], fl[0]));
				CHECK(strlist_add(users, home.buf));
			}
		}
	}
out:
	qstr_free(&home);
	return e;
}

/* the last occurrence of needle in hay, or NULL */
static const char *
last_of(const char *hay, const char *needle)
{
	const char *s, *last = NULL;

	for (s = hay; (s = strstr(s, needle)) != NULL; s++)
		last = s;
	return last;
}

int
rh_pipe_ran(const struct strlist *args, size_t first, struct qstr *out)
{
	/* OUT's wrapper, as pipe(8) ran it ($$ already $):
	 * { cd DIR || exit 75; SENDER=$1; ...; export SENDER RECIPIENT ...;
	 *   COMMAND; rc=$?; case $rc in ... esac; exit 75 } */
	const char *sh, *script, *b, *e0;
	size_t i;
	int e = 0;

	if (args->n >= first + 3) {
		sh = args->v[first];
		script = args->v[first + 2];
		if ((strcmp(sh, "/bin/sh") == 0 || strcmp(sh, "sh") == 0) &&
		    strcmp(args->v[first + 1], "-c") == 0 &&
		    (b = strstr(script, "; export SENDER RECIPIENT")) != NULL &&
		    (b = strchr(b + 2, ';')) != NULL &&
		    (e0 = last_of(b, "; rc=$?; case $rc in")) != NULL) {
			for (b++; b < e0 && (*b == ' ' || *b == '\t'); b++)
				;
			while (e0 > b && (e0[-1] == ' ' || e0[-1] == '\t'))
				e0--;
			return qstr_catn(out, b, (size_t)(e0 - b));
		}
	}
	for (i = first; i < args->n; i++)
		CHECK(qstr_catf(out, "%s%s", i > first ? " " : "", args->v[i]));
out:
	return e;
}

/* ------------------------------------------------------ --userdb sql */

/* "key = value" at the top of a map or Dovecot file: the value, or NULL */
static const char *
conf_value(const char *line, const char *eol, const char *key)
{
	size_t kl = strlen(key);
	const char *v;

	if ((size_t)(eol - line) <= kl || strncmp(line, key, kl) != 0 ||
	    strchr(" \t=", line[kl]) == NULL)
		return NULL;
	for (v = line + kl; v < eol && (*v == ' ' || *v == '\t'); v++)
		;
	if (v == eol || *v != '=')
		return NULL;
	for (v++; v < eol && (*v == ' ' || *v == '\t'); v++)
		;
	return v;
}

int
rh_mysql_cf_rewrite(const char *text, const char *sock, struct qstr *out)
{
	const char *s = text, *eol;
	int e = 0, seen = 0;

	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		if (conf_value(s, eol, "hosts") != NULL) {
			CHECK(qstr_catf(out, "# rehearsal: %.*s\nhosts = unix:%s\n",
			    (int)(eol - s), s, sock));
			seen = 1;
		} else
			CHECK(qstr_catf(out, "%.*s\n", (int)(eol - s), s));
	}
	if (!seen)
		e = QPM_ENOENT;
out:
	return e;
}

/* Dovecot 2.4: "mysql HOST {" onto the socket, its "port =" dropped,
 * its "dbname =" into db; one line at a time, *in: inside that block.
 * 1 when the line was written here, 0 when it is to be copied, or a
 * negative qpm_err. */
static int
dc24_sql_line(const char *s, const char *eol, const char *sock, int *in,
    struct qstr *out, char *db, size_t dbsize)
{
	const char *k = s, *v;
	int e = 0;

	while (k < eol && (*k == ' ' || *k == '\t'))
		k++;
	if (!*in && k == s && (size_t)(eol - k) > 6 &&
	    strncmp(k, "mysql ", 6) == 0 && eol[-1] == '{') {
		*in = 1;
		e = qstr_catf(out, "# rehearsal: the private MariaDB, was "
		    "%.*s\nmysql %s {\n", (int)(eol - s), s, sock);
		return e < 0 ? e : 1;
	}
	if (!*in)
		return 0;
	if (k < eol && *k == '}') {
		*in = 0;
		return 0;
	}
	if (conf_value(k, eol, "port") != NULL) {
		e = qstr_catf(out, "# rehearsal: %.*s\n", (int)(eol - s), s);
		return e < 0 ? e : 1;
	}
	if ((v = conf_value(k, eol, "dbname")) != NULL &&
	    (e = qpm_snprintf(db, dbsize, "%.*s", (int)(eol - v), v)) < 0)
		return e;
	return 0;
}

int
rh_dovecot_sql_rewrite(const char *text, const char *sock, struct qstr *out,
    char *db, size_t dbsize)
{
	const char *s = text, *eol, *v, *t;
	size_t tl;
	int e = 0, seen = 0, in24 = 0, r;

	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		if ((r = dc24_sql_line(s, eol, sock, &in24, out, db,
		    dbsize)) != 0) {
			if (r < 0) {
				e = r;
				goto out;
			}
			seen = 1;
			continue;
		}
		if ((v = conf_value(s, eol, "connect")) == NULL) {
			CHECK(qstr_catf(out, "%.*s\n", (int)(eol - s), s));
			continue;
		}
		/* host= and port= onto the socket; the rest kept */
		CHECK(qstr_catf(out, "# rehearsal: the private MariaDB\n"
		    "connect = host=%s", sock));
		for (t = v; t < eol; t += tl) {
			while (t < eol && (*t == ' ' || *t == '\t'))
				t++;
			tl = strcspn(t, " \t\n");
			if ((size_t)(eol - t) < tl)
				tl = (size_t)(eol - t);
			if (tl == 0 || (tl > 5 && strncmp(t, "host=", 5) == 0) ||
			    (tl > 5 && strncmp(t, "port=", 5) == 0))
				continue;
			if (tl > 7 && strncmp(t, "dbname=", 7) == 0 &&
			    qpm_snprintf(db, dbsize, "%.*s", (int)(tl - 7),
			    t + 7) < 0) {
				e = QPM_ERANGE;
				goto out;
			}
			CHECK(qstr_catf(out, " %.*s", (int)tl, t));
		}
		CHECK(qstr_catc(out, '\n'));
		seen = 1;
	}
	if (!seen || *db == '\0')
		e = QPM_ENOENT;
out:
	return e;
}
