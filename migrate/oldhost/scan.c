/*
 * NAME		scan - walk the old host's tree and feed the readers
 * DOES		control/, users/assign (or users/cdb), the vpopmail domains
 *		(hashed too), each vpasswd (or vpasswd.cdb), domain and user
 *		.qmail files, ~alias (those in scan_dotqmail.c); then
 *		resolves what each domain is
 * NEVER	leaves --root (every open goes through lib/util/rootfs: links
 *		and ".." resolve inside it), follows a symlink to a file or
 *		directory it reads, blocks on a FIFO, trusts a group- or
 *		world-writable .qmail, stops at a bad file
 */
#include <config.h>

#include <cdb.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/addr.h"
#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/scan.h"
#include "migrate/oldhost/scan_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/lines.h"
#include "util/qstr.h"
#include "util/rootfs.h"

/* Read ROOT/rel into s->buf, resolved inside the root, a final
 * symlink refused.  A missing file is READ_MISSING (nothing listed);
 * any other failure is listed in cat as file: problem. */
int
scan_read(struct scan *s, const char *rel, struct stat *st, enum m_cat cat)
{
	struct src src = { NULL, 0 };
	int rc;

	qstr_reset(&s->buf);
	rc = rootfs_read(&s->root, rel, QPM_MAX_CONFIG_FILE, ROOTFS_NOFOLLOW,
	    &s->buf, st);
	if (rc == 0)
		return READ_OK;
	if (rc == QPM_ENOENT || rc == -ENOTDIR)
		return READ_MISSING;
	src.file = model_file(s->m, rel);
	model_read(s->m, cat);
	model_list(s->m, cat, src, "file", rootfs_strerror(rc), "check the "
	    "file on the old host and migrate again");
	return READ_FAILED;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
names_free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	nm->v = NULL;
	nm->n = 0;
}

/* The sorted names in ROOT/rel starting with prefix ("" for all but
 * dot files).  0, READ_MISSING, or a negative errno. */
int
scan_dir(struct scan *s, const char *rel, const char *prefix,
    struct names *nm)
{
	struct dirent *de;
	size_t cap = 0, pl = strlen(prefix);
	char **nv;
	DIR *d;

	nm->v = NULL;
	nm->n = 0;
	if ((d = rootfs_opendir(&s->root, rel, ROOTFS_NOFOLLOW)) == NULL)
		return errno == ENOENT ? READ_MISSING : -errno;
	while ((de = readdir(d)) != NULL) {
		if (pl ? strncmp(de->d_name, prefix, pl) != 0 :
		    de->d_name[0] == '.')
			continue;
		if (nm->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(nm->v, cap * sizeof(*nv))) == NULL)
				break;
			nm->v = nv;
		}
		if ((nm->v[nm->n] = strdup(de->d_name)) == NULL)
			break;
		nm->n++;
	}
	closedir(d);
	if (nm->n > 1)
		qsort(nm->v, nm->n, sizeof(*nm->v), name_cmp);
	return 0;
}

/* --- control/ ----------------------------------------------------- */

/* Read first, in this order: defaults come from me. */
static const char *const control_order[] = {
	"me", "defaultdomain", "defaulthost", "plusdomain", "envnoathost",
	"idhost", "localiphost", "locals", "rcpthosts", "morercpthosts",
	"virtualdomains", "databytes", "doublebounceto", "doublebouncehost",
	"bouncefrom", "bouncehost", "helohost", "queuelifetime",
	"timeoutsmtpd", "timeoutremote", "timeoutconnect", "smtproutes",
	"badmailfrom", "badrcptto", "badmailto", "concurrencylocal",
	"concurrencyremote", "concurrencyincoming", "smtpgreeting", NULL
};

/* Files seen on qmail hosts that have no Postfix parameter. */
static const struct {
	const char *name, *reason, *todo;
} control_other[] = {
	{ "qmqpservers", "Postfix has no QMQP client",
	    "send through a relayhost instead" },
	{ "spfbehavior", "SPF checking is not part of Postfix",
	    "add postfix-policyd-spf-python if SPF was enforced" },
	{ "tarpitcount", "no tarpit in Postfix",
	    "use smtpd_error_sleep_time/smtpd_soft_error_limit" },
	{ "tarpitdelay", "no tarpit in Postfix",
	    "use smtpd_error_sleep_time" },
	{ "servercert.pem", "TLS keys are not copied",
	    "install the certificate and set smtpd_tls_chain_files" },
	{ "clientcert.pem", "TLS keys are not copied",
	    "set smtp_tls_chain_files if the client certificate mattered" },
	{ "rsa512.pem", "export-grade key, obsolete", "nothing" },
	{ "dh512.pem", "export-grade parameters, obsolete", "nothing" },
	{ "dh1024.pem", "DH parameters", "nothing: Postfix has its own" },
	{ "dh_key", "DH parameters", "nothing: Postfix has its own" },
	{ "badmimetypes", "attachment filter patch", "use mime_header_checks" },
	{ "badloadertypes", "attachment filter patch",
	    "use mime_header_checks" },
	{ "domainkeys", "DomainKeys/DKIM signing patch",
	    "sign with OpenDKIM (selector files are listed in the report)" },
	{ "tlsserverciphers", "TLS cipher list",
	    "set smtpd_tls_mandatory_ciphers if needed" },
	{ "tlsclientciphers", "TLS cipher list",
	    "set smtp_tls_mandatory_ciphers if needed" },
	{ "signatures", "virus signature patch", "use a content filter" },
	{ "defaultdelivery", "the own Maildir is the default on Dovecot",
	    "nothing" },
	{ "conf-common", "QMailToaster shell settings",
	    "see the limits section" },
	{ NULL, NULL, NULL }
};

/* "NAME.lock" of a control file: only ever a lock, never settings */
static int
is_lock_file(struct model *m, const char *base)
{
	size_t n = strlen(base);
	const char *name;

	return n > 5 && strcmp(base + n - 5, ".lock") == 0 &&
	    (name = model_strndup(m, base, n - 5)) != NULL &&
	    control_known(name);
}

static void
scan_control(struct scan *s)
{
	struct names nm;
	struct stat st;
	struct src src = { NULL, 0 };
	const char *rel, *base;
	size_t i, j;
	int rc, known;

	for (i = 0; control_order[i] != NULL; i++) {
		rel = model_printf(s->m, "%s/control/%s", s->o->qmail_dir,
		    control_order[i]);
		if (scan_read(s, rel, &st, CAT_CONTROL) != READ_OK)
			continue;
		control_parse(s->m, control_order[i], model_file(s->m, rel),
		    s->buf.buf ? s->buf.buf : "", s->buf.len);
	}
	rel = model_printf(s->m, "%s/control", s->o->qmail_dir);
	if ((rc = scan_dir(s, rel, "", &nm)) != 0) {
		src.file = model_file(s->m, rel);
		model_read(s->m, CAT_CONTROL);
		model_list(s->m, CAT_CONTROL, src, "control directory",
		    rc == READ_MISSING ? "missing" : "unreadable",
		    "check --root and --qmail-dir");
		return;
	}
	for (i = 0; i < nm.n; i++) {
		base = nm.v[i];
		if (control_known(base))
			continue;
		known = 0;
		src.file = model_file(s->m, model_printf(s->m, "%s/%s", rel,
		    base));
		src.line = 0;
		model_read(s->m, CAT_CONTROL);
		/* compiled companions of text files already read, and
		 * the lock files qmail and vpopmail (vadddomain leaves
		 * locals.lock and rcpthosts.lock) take beside them */
		if (strcmp(base, "morercpthosts.cdb") == 0 ||
		    is_lock_file(s->m, base)) {
			model_skipped(s->m, CAT_CONTROL);
			continue;
		}
		for (j = 0; control_other[j].name != NULL; j++) {
			if (strcmp(control_other[j].name, base) == 0) {
				model_list(s->m, CAT_CONTROL, src, base,
				    control_other[j].reason,
				    control_other[j].todo);
				known = 1;
				break;
			}
		}
		if (!known)
			model_list(s->m, CAT_CONTROL, src, base,
			    "not a qmail control file this tool converts",
			    "read it and carry over what it did by hand");
	}
	names_free(&nm);
}

/* --- users/assign, users/cdb ---------------------------------------- */

static void
scan_assign(struct scan *s)
{
	struct stat st;
	struct src src = { NULL, 0 };
	struct cdb c;
	const char *rel;
	unsigned pos;
	int fd, rc;

	rel = model_printf(s->m, "%s/users/assign", s->o->qmail_dir);
	rc = scan_read(s, rel, &st, CAT_ASSIGN);
	if (rc == READ_OK) {
		assign_parse(s->m, model_file(s->m, rel),
		    s->buf.buf ? s->buf.buf : "", s->buf.len);
		return;
	}
	if (rc == READ_FAILED)
		return;
	/* only the compiled form: read every record qmail-newu wrote */
	rel = model_printf(s->m, "%s/users/cdb", s->o->qmail_dir);
	src.file = model_file(s->m, rel);
	fd = rootfs_open_file(&s->root, rel, ROOTFS_NOFOLLOW, &st);
	if (fd < 0) {
		if (fd == QPM_ENOENT) {
			model_note(s->m, src, "users/assign",
			    "neither users/assign nor users/cdb: no virtual "
			    "domains", "check --qmail-dir");
			return;
		}
		model_read(s->m, CAT_ASSIGN);
		model_list(s->m, CAT_ASSIGN, src, "file", rootfs_strerror(fd),
		    "check the file");
		return;
	}
	if (cdb_init(&c, fd) < 0) {
		close(fd);
		model_read(s->m, CAT_ASSIGN);
		model_list(s->m, CAT_ASSIGN, src, "file", "not a cdb file",
		    "rebuild it with qmail-newu on the old host");
		return;
	}
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const char *k = cdb_getkey(&c), *d = cdb_getdata(&c);

		src.line++;	/* the record number */
		if (k == NULL || d == NULL)
			break;
		assign_record(s->m, src, k, cdb_keylen(&c), d,
		    cdb_datalen(&c));
	}
	cdb_free(&c);
	close(fd);
}

/* --- domains -------------------------------------------------------- */

/* A name vpopmail could have made a domain of: dotted, of letters,
 * digits, '-', '_' or non-ASCII bytes (addr_domain_ok decides whether
 * Postfix takes it as written). */
static int
looks_like_domain(const char *s)
{
	if (strchr(s, '.') == NULL || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' &&
		    *s != '_' && (unsigned char)*s < 0x80)
			return 0;
	return 1;
}


/* A users/assign domain Postfix cannot take as written: the domain, each
 * mailbox of its vpasswd and each .qmail file of its directory (its
 * aliases) are listed with file:line and the reason. */
static void
refuse_domain(struct scan *s, struct m_assign *a, const char *dom,
    const char *why, int real)
{
	struct model *m = s->m;
	const char *todo = "add the domain by hand under a name Postfix takes "
	    "(the A-label, xn--..., of an international name), with its "
	    "mailboxes and aliases", *rel, *line;
	struct src src = { NULL, 0 };
	struct names nm;
	struct lines lr;
	struct stat st;
	size_t i, n;
	int rc;

	model_read(m, CAT_DOMAIN);
	model_list(m, CAT_DOMAIN, a->src, dom, why, todo);
	a->local = NULL;	/* listed: no other reading of the line */
	if (!real)
		return;
	why = model_printf(m, "its domain is not converted: %s", why);
	rel = model_printf(m, "%s/vpasswd", a->home);
	if (scan_read(s, rel, &st, CAT_VPASSWD) == READ_OK) {
		src.file = model_file(m, rel);
		lines_mem(&lr, src.file, s->buf.buf ? s->buf.buf : "",
		    s->buf.len, QPM_MAX_CONFIG_LINE);
		while ((rc = lines_next(&lr, &line, &n)) != 0) {
			src.line = lr.lineno;
			if (rc > 0 && (n == 0 || line[0] == '#'))
				continue;
			model_read(m, CAT_VPASSWD);
			model_list(m, CAT_VPASSWD, src, rc > 0 ?
			    model_printf(m, "mailbox %.*s", (int)strcspn(line,
			    ":"), line) : "vpasswd line", why, todo);
		}
		lines_close(&lr);
	}
	if (scan_dir(s, a->home, ".qmail-", &nm) != 0)
		return;
	for (i = 0; i < nm.n; i++)
		refuse_file(s, model_printf(m, "%s/%s", a->home, nm.v[i]),
		    why, todo);
	names_free(&nm);
}

static void
resolve_assign_domains(struct scan *s)
{
	struct model *m = s->m;
	struct m_assign *a;
	struct m_domain *d;
	size_t i, l;
	const char *dom, *why;

	/* real domains first, so alias domains find their target */
	for (i = 0; i < m->assigns.n; i++) {
		a = M_ASSIGN(m, i);
		if (a->local == NULL || !a->wild)
			continue;
		l = strlen(a->local);
		if (l < 2 || a->local[l - 1] != '-')
			continue;
		dom = model_strndup(m, a->local, l - 1);
		if (!looks_like_domain(dom) || strcasecmp(dom, a->user) != 0)
			continue;
		if (!addr_domain_ok(dom, &why)) {
			refuse_domain(s, a, dom, why, 1);
			continue;
		}
		if ((d = model_domain(m, dom)) != NULL && d->kind == DOM_LOCAL) {
			model_note(m, a->src, dom, "in control/locals and "
			    "users/assign: qmail delivered it locally",
			    "check the domain's routing by hand");
			continue;
		}
		if ((d = model_domain_add(m, dom, DOM_MAILBOX, a->src)) == NULL)
			continue;
		d->kind = DOM_MAILBOX;
		d->dir = a->home;
		d->uid = a->uid;
		d->gid = a->gid;
	}
	for (i = 0; i < m->assigns.n; i++) {
		a = M_ASSIGN(m, i);
		if (a->local == NULL || !a->wild)
			continue;
		l = strlen(a->local);
		if (l < 2 || a->local[l - 1] != '-')
			continue;
		dom = model_strndup(m, a->local, l - 1);
		if (!looks_like_domain(dom) || strcasecmp(dom, a->user) == 0)
			continue;
		if (!addr_domain_ok(dom, &why)) {
			refuse_domain(s, a, dom, why, 0);
			continue;
		}
		if ((d = model_domain(m, a->user)) == NULL ||
		    d->kind != DOM_MAILBOX) {
			model_note(m, a->src, dom, "wildcard assign to a user "
			    "that is no vpopmail domain", "route it by hand");
			continue;
		}
		if ((d = model_domain_add(m, dom, DOM_ALIAS, a->src)) == NULL)
			continue;
		d->kind = DOM_ALIAS;
		d->real = model_domain(m, a->user)->name;
	}
}

static void
resolve_control_domains(struct scan *s)
{
	struct model *m = s->m;
	struct m_entry *e;
	struct m_domain *d;
	const struct m_assign *a;
	size_t i;
	const char *pre;

	for (i = 0; i < m->entries.n; i++) {
		e = M_ENTRY(m, i);
		if (e->table == TBL_VIRTUALDOMAINS) {
			if (strchr(e->key, '@') != NULL || e->key[0] == '.' ||
			    e->key[0] == '\0') {
				model_note(m, e->src, e->key[0] ? e->key :
				    "(catch-all)", "single-address, wildcard "
				    "or catch-all virtualdomains entry",
				    "route it by hand (virtual_alias_maps)");
				continue;
			}
			d = model_domain(m, e->key);
			if (d != NULL && (d->kind == DOM_MAILBOX ||
			    d->kind == DOM_ALIAS))
				continue;	/* as users/assign says */
			if (e->value[0] == '\0')
				continue;	/* an exception: stays local */
			pre = model_printf(m, "%s-", e->value);
			a = assign_lookup(m, pre);
			model_note(m, e->src, e->key, a != NULL ?
			    "routed to a users/assign entry that is no "
			    "vpopmail domain" : "routed to a system user or "
			    "~alias, not a vpopmail domain",
			    "route the domain by hand");
		}
	}
	for (i = 0; i < m->entries.n; i++) {
		e = M_ENTRY(m, i);
		if (e->table != TBL_RCPTHOSTS)
			continue;
		d = model_domain(m, e->key[0] == '.' ? e->key + 1 : e->key);
		if (d != NULL)
			continue;
		if (model_domain(m, e->key) == NULL)
			model_domain_add(m, e->key, DOM_RELAY, e->src);
	}
	/* qmail's locals default is me */
	for (i = 0; i < m->domains.n; i++)
		if (M_DOMAIN(m, i)->kind == DOM_LOCAL)
			return;
	if (m->me != NULL)
		model_domain_add(m, m->me, DOM_LOCAL, m->old_hostname_src);
}

/* 0, or -1 when the domain itself is missing (listed in CAT_DOMAIN,
 * whose read the caller counted). */
static int
scan_vpasswd(struct scan *s, struct m_domain *d)
{
	struct stat st;
	struct src src = { NULL, 0 };
	const char *rel;
	struct cdb c;
	unsigned pos;
	int rc, fd;

	rel = model_printf(s->m, "%s/vpasswd", d->dir);
	rc = scan_read(s, rel, &st, CAT_VPASSWD);
	if (rc == READ_OK) {
		vpasswd_parse(s->m, d, model_file(s->m, rel),
		    s->buf.buf ? s->buf.buf : "", s->buf.len);
		return 0;
	}
	if (rc == READ_FAILED)
		return 0;
	rel = model_printf(s->m, "%s/vpasswd.cdb", d->dir);
	src.file = model_file(s->m, rel);
	fd = rootfs_open_file(&s->root, rel, ROOTFS_NOFOLLOW, &st);
	if (fd < 0 && fd != QPM_ENOENT && fd != -ENOTDIR) {
		model_read(s->m, CAT_VPASSWD);
		model_list(s->m, CAT_VPASSWD, src, "file", rootfs_strerror(fd),
		    "check the file on the old host and migrate again");
		return 0;
	}
	if (fd < 0) {
		src = d->src;
		model_list(s->m, CAT_DOMAIN, src, d->name,
		    model_printf(s->m, "domain directory %s or its vpasswd "
		    "is missing", d->dir),
		    "restore the domain directory, or drop the domain from "
		    "users/assign");
		return -1;
	}
	if (cdb_init(&c, fd) < 0) {
		close(fd);
		model_read(s->m, CAT_VPASSWD);
		model_list(s->m, CAT_VPASSWD, src, "file", "not a cdb file",
		    "dump the users with vuserinfo on the old host");
		return 0;
	}
	/* vpopmail's vpasswd.cdb: key user, data the rest of the line */
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const char *k = cdb_getkey(&c), *v = cdb_getdata(&c);

		src.line++;
		model_read(s->m, CAT_VPASSWD);
		qstr_reset(&s->buf);
		if (k == NULL || v == NULL ||
		    qstr_catn(&s->buf, k, cdb_keylen(&c)) < 0 ||
		    qstr_catc(&s->buf, ':') < 0 ||
		    qstr_catn(&s->buf, v, cdb_datalen(&c)) < 0) {
			model_list(s->m, CAT_VPASSWD, src, "vpasswd.cdb record",
			    "unreadable", "dump the users on the old host");
			continue;
		}
		vpasswd_line(s->m, d, src, s->buf.buf, s->buf.len);
	}
	cdb_free(&c);
	close(fd);
	return 0;
}

/* .qmailadmin-limits of the domain, else vlimits.default (read once):
 * vpopmail ORs their disable_* into each mailbox's flags at run time. */
static void
scan_domain_limits(struct scan *s, struct m_domain *d, size_t first)
{
	struct stat st;
	const char *rel;
	unsigned long flags = s->default_flags;
	size_t j;
	int rc;

	rel = model_printf(s->m, "%s/.qmailadmin-limits", d->dir);
	rc = scan_read(s, rel, &st, CAT_VLIMITS);
	if (rc == READ_FAILED)
		return;
	if (rc == READ_OK)
		flags = vlimits_parse(s->m, model_file(s->m, rel),
		    s->buf.buf ? s->buf.buf : "", s->buf.len);
	for (j = first; j < s->m->mailboxes.n; j++)
		M_MAILBOX(s->m, j)->flags |= flags;
}

/* The vpopmail domains directory: every domain dir (one level of
 * hashing: a single-character directory holds domains too). */
static void
scan_domain_dirs(struct scan *s, const char *rel, int depth)
{
	struct names nm;
	struct m_domain *d;
	struct src src = { NULL, 0 };
	const char *sub, *why;
	size_t i;

	if (scan_dir(s, rel, "", &nm) != 0)
		return;
	for (i = 0; i < nm.n; i++) {
		sub = model_printf(s->m, "%s/%s", rel, nm.v[i]);
		if (strlen(nm.v[i]) == 1 && depth == 0) {
			scan_domain_dirs(s, sub, 1);
			continue;
		}
		if (!looks_like_domain(nm.v[i]) ||
		    !addr_domain_ok(nm.v[i], &why))
			continue;	/* users/assign's domains are listed */
		d = model_domain(s->m, nm.v[i]);
		if (d != NULL && (d->kind == DOM_MAILBOX ||
		    d->kind == DOM_ALIAS))
			continue;
		src.file = model_file(s->m, sub);
		model_read(s->m, CAT_DOMAIN);
		model_list(s->m, CAT_DOMAIN, src, nm.v[i],
		    "domain directory with no users/assign line: qmail "
		    "did not deliver to it", "add the domain by hand if it "
		    "is still wanted");
	}
	names_free(&nm);
}

/* vpopmail's build settings: include/vpopmail_config.h under its home,
 * else where QmailToaster's package puts it; "#define QMAIL_EXT" there
 * only for --enable-qmail-ext.  Neither: --qmail-ext, else assumed. */
static void
scan_vpopmail_build(struct scan *s)
{
	const char *where[2], *rel, *line, *p;
	struct src src = { NULL, 0 };
	struct lines lr;
	struct stat st;
	size_t i, n;
	int rc;

	where[0] = model_printf(s->m, "%s/include/vpopmail_config.h",
	    s->o->vpopmail_dir);
	where[1] = "usr/include/vpopmail/vpopmail_config.h";
	for (i = 0; i < 2; i++) {
		rel = where[i];
		if ((rc = scan_read(s, rel, &st, CAT_VLIMITS)) == READ_MISSING)
			continue;
		if (rc == READ_FAILED)
			break;	/* listed: the option or the assumption */
		src.file = model_file(s->m, rel);
		s->m->qmail_ext = 0;
		s->m->qmail_ext_from = BUILD_HEADER;
		s->m->qmail_ext_src = src;
		lines_mem(&lr, src.file, s->buf.buf ? s->buf.buf : "",
		    s->buf.len, QPM_MAX_CONFIG_LINE);
		while ((rc = lines_next(&lr, &line, &n)) != 0) {
			if (rc < 0 || n == 0 || line[0] != '#')
				continue;
			for (p = line + 1; p < line + n && (*p == ' ' ||
			    *p == '\t'); p++)
				;
			if ((size_t)(line + n - p) < 16 ||
			    strncmp(p, "define", 6) != 0 ||
			    (p[6] != ' ' && p[6] != '\t'))
				continue;
			for (p += 6; p < line + n && (*p == ' ' ||
			    *p == '\t'); p++)
				;
			/* --enable-auth-module=mysql */
			if (((size_t)(line + n - p) >= 9 &&
			    strncmp(p, "USE_MYSQL", 9) == 0) ||
			    ((size_t)(line + n - p) >= 10 &&
			    strncmp(p, "AUTH_MYSQL", 10) == 0))
				s->auth_mysql = 1;
			if ((size_t)(line + n - p) >= 9 &&
			    strncmp(p, "QMAIL_EXT", 9) == 0 &&
			    (p + 9 == line + n || p[9] == ' ' ||
			    p[9] == '\t')) {
				s->m->qmail_ext = 1;
				s->m->qmail_ext_src.line = lr.lineno;
			}
		}
		lines_close(&lr);
		if (s->o->qmail_ext != 0 &&
		    (s->o->qmail_ext > 0) != s->m->qmail_ext)
			model_note(s->m, s->m->qmail_ext_src, "--qmail-ext",
			    "the old host's vpopmail_config.h says otherwise "
			    "and wins", "drop the option, or fix the header");
		return;
	}
	if (s->o->qmail_ext != 0) {
		s->m->qmail_ext = s->o->qmail_ext > 0;
		s->m->qmail_ext_from = BUILD_OPTION;
	}
}

/* uid 89's name, and the old IP of me, from the old /etc */
static void
scan_etc(struct scan *s)
{
	struct stat st;
	const char *p, *end, *nl;
	char name[64];

	s->vpop_user = "vpopmail";
	s->alias_user = "alias";
	if (scan_read(s, "etc/passwd", &st, CAT_CONTROL) == READ_OK &&
	    s->buf.len > 0) {
		for (p = s->buf.buf, end = p + s->buf.len; p < end; p = nl + 1) {
			const char *c1, *c2, *c3;

			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			c1 = memchr(p, ':', (size_t)(nl - p));
			c2 = c1 ? memchr(c1 + 1, ':', (size_t)(nl - c1 - 1)) : NULL;
			c3 = c2 ? memchr(c2 + 1, ':', (size_t)(nl - c2 - 1)) : NULL;
			if (c3 != NULL && c3 - c2 == 3 &&
			    memcmp(c2 + 1, "89", 2) == 0 &&
			    (size_t)(c1 - p) < sizeof(name)) {
				memcpy(name, p, (size_t)(c1 - p));
				name[c1 - p] = '\0';
				s->vpop_user = model_strdup(s->m, name);
				break;
			}
		}
	}
	if (s->m->me == NULL ||
	    scan_read(s, "etc/hosts", &st, CAT_CONTROL) != READ_OK ||
	    s->buf.len == 0)
		return;
	{
		unsigned long lineno = 0;

		for (p = s->buf.buf, end = p + s->buf.len; p < end; p = nl + 1) {
			const char *w, *ip = NULL;
			size_t iplen = 0, wl, ml = strlen(s->m->me);

			lineno++;
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			for (w = p; w < nl;) {
				while (w < nl && (*w == ' ' || *w == '\t'))
					w++;
				if (w >= nl || *w == '#')
					break;
				for (wl = 0; w + wl < nl && w[wl] != ' ' &&
				    w[wl] != '\t'; wl++)
					;
				if (ip == NULL) {
					ip = w;
					iplen = wl;
				} else if (wl == ml &&
				    strncasecmp(w, s->m->me, ml) == 0 &&
				    strncmp(ip, "127.", 4) != 0 &&
				    iplen != 3) {
					s->m->old_ip = model_strndup(s->m, ip,
					    iplen);
					s->m->old_ip_src.file =
					    model_file(s->m, "etc/hosts");
					s->m->old_ip_src.line = lineno;
					return;
				}
				w += wl;
			}
		}
	}
}

/* vpopmail's MySQL build: its header says so, --mysql was given, or
 * vpopmail.mysql is there and no domain has a vpasswd.  NULL: the
 * vpasswd files (or the database could not be read: listed). */
static struct vmysql *
scan_mysql(struct scan *s, int *use)
{
	static const struct vmysql_opts none;
	const struct vmysql_opts *o = s->o->mysql ? s->o->mysql : &none;
	struct stat st;
	const char *rel;
	size_t i;
	int rc, files = 0;

	rel = model_printf(s->m, "%s/etc/vpopmail.mysql", s->o->vpopmail_dir);
	rc = scan_read(s, rel, &st, CAT_VPASSWD);
	for (i = 0; i < s->m->domains.n && !files; i++) {
		struct m_domain *d = M_DOMAIN(s->m, i);

		if (d->kind == DOM_MAILBOX && d->dir != NULL && (rootfs_stat(
		    &s->root, model_printf(s->m, "%s/vpasswd", d->dir), 0,
		    &st) == 0 || rootfs_stat(&s->root, model_printf(s->m,
		    "%s/vpasswd.cdb", d->dir), 0, &st) == 0))
			files = 1;
	}
	*use = s->auth_mysql || o->server != NULL ||
	    (rc == READ_OK && !files);
	if (!*use)
		return NULL;
	return vmysql_open(s->m, model_file(s->m, rel), rc == READ_OK ?
	    (s->buf.buf ? s->buf.buf : "") : NULL, s->buf.len, o);
}

int
scan_run(struct model *m, const struct scan_opts *o)
{
	struct vmysql *db = NULL;
	int use_mysql = 0;
	struct scan s;
	struct stat st;
	struct m_domain *d;
	size_t i, j, nd;

	memset(&s, 0, sizeof(s));
	s.m = m;
	s.o = o;
	qstr_init(&s.buf, QPM_MAX_CONFIG_FILE + 1);
	if (rootfs_init(&s.root, o->root, 0) < 0) {
		qstr_free(&s.buf);
		return QPM_ENOENT;
	}
	scan_control(&s);
	control_finish(m);
	scan_etc(&s);
	scan_vpopmail_build(&s);
	scan_assign(&s);
	{
		const char *rel = model_printf(m, "%s/etc/vlimits.default",
		    o->vpopmail_dir);

		if (scan_read(&s, rel, &st, CAT_VLIMITS) == READ_OK)
			s.default_flags = vlimits_parse(m, model_file(m, rel),
			    s.buf.buf ? s.buf.buf : "", s.buf.len);
	}
	resolve_assign_domains(&s);
	resolve_control_domains(&s);
	scan_domain_dirs(&s, model_printf(m, "%s/domains", o->vpopmail_dir),
	    0);
	db = scan_mysql(&s, &use_mysql);
	nd = m->domains.n;
	for (i = 0; i < nd; i++) {
		d = M_DOMAIN(m, i);
		if (d->kind == DOM_MAILBOX) {
			size_t first = m->mailboxes.n;

			model_read(m, CAT_DOMAIN);
			if (use_mysql && db == NULL) {
				model_list(m, CAT_DOMAIN, d->src, d->name,
				    "its users are in vpopmail's MySQL "
				    "database, which could not be read",
				    "see the database item, migrate again");
				continue;
			}
			if ((db != NULL ? vmysql_users(db, d) :
			    scan_vpasswd(&s, d)) < 0)
				continue;	/* listed; no mailboxes */
			d = M_DOMAIN(m, i);	/* arrays may have moved */
			model_converted(m, CAT_DOMAIN);
			scan_domain_limits(&s, d, first);
			scan_domain_dotqmail(&s, d);
			if (db != NULL)
				vmysql_valias(db, M_DOMAIN(m, i),
				    s.vpop_user);
			for (j = first; j < m->mailboxes.n; j++)
				scan_user_dotqmail(&s, M_DOMAIN(m, i),
				    M_MAILBOX(m, j));
		} else {
			model_read(m, CAT_DOMAIN);
			model_converted(m, CAT_DOMAIN);
		}
	}
	if (db != NULL)
		vmysql_lastauth(db);
	vmysql_close(db);
	scan_assign_local(&s);
	scan_alias(&s);
	free(s.counted);
	qstr_free(&s.buf);
	rootfs_free(&s.root);
	return 0;
}
