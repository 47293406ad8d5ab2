/*
 * NAME		scan_dotqmail - the .qmail files the tree walk finds: of the
 *		vpopmail domains, of their users, of ~alias and of the
 *		users/assign lines of local users
 * DOES		reads each file confined to --root, decides its address
 *		(domain, local part, extension, default) and hands its bytes
 *		to dotqmail_apply(); a file qmail never read, or whose name
 *		Postfix cannot look up, is listed line by line
 * NEVER	follows a symlink to a file, trusts a group- or
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

/* 1 the first time a (interned) file is seen: its lines are counted
 * once though it may stand for several addresses. */
static int
first_time(struct scan *s, const char *file)
{
	const char **n;
	size_t i;

	for (i = 0; i < s->ncounted; i++)
		if (s->counted[i] == file)
			return 0;
	if ((n = realloc(s->counted, (s->ncounted + 1) * sizeof(*n))) == NULL)
		return 1;
	s->counted = n;
	s->counted[s->ncounted++] = file;
	return 1;
}

/* --- .qmail files ---------------------------------------------------- */

/* A .qmail file into s->buf: READ_OK, else listed */
static int
read_dotqmail(struct scan *s, const char *rel, struct stat *st)
{
	int rc;

	rc = scan_read(s, rel, st, CAT_DOTQMAIL);
	if (rc == READ_MISSING) {
		struct src src = { model_file(s->m, rel), 0 };

		model_read(s->m, CAT_DOTQMAIL);
		model_list(s->m, CAT_DOTQMAIL, src, "file",
		    "vanished while read", "migrate again");
	}
	return rc;
}

/* A .qmail file that is not converted: each line that would deliver is
 * listed with file:line and why (a file of comments only, as a file). */
void
refuse_file(struct scan *s, const char *rel, const char *why,
    const char *todo)
{
	struct stat st;
	struct lines lr;
	struct src src = { NULL, 0 };
	const char *line;
	size_t n;
	int rc, any = 0;

	if (read_dotqmail(s, rel, &st) != READ_OK)
		return;
	src.file = model_file(s->m, rel);
	lines_mem(&lr, src.file, s->buf.buf ? s->buf.buf : "", s->buf.len,
	    QPM_MAX_CONFIG_LINE);
	while ((rc = lines_next(&lr, &line, &n)) != 0) {
		src.line = lr.lineno;
		model_read(s->m, CAT_DOTQMAIL);
		if (rc > 0 && (n == 0 || line[0] == '#')) {
			model_skipped(s->m, CAT_DOTQMAIL);
			continue;
		}
		model_list(s->m, CAT_DOTQMAIL, src, ".qmail line", why, todo);
		any = 1;
	}
	lines_close(&lr);
	if (!any) {
		src.line = 0;
		model_read(s->m, CAT_DOTQMAIL);
		model_list(s->m, CAT_DOTQMAIL, src, ".qmail file", why, todo);
	}
}

/* A .qmail file the old host never read: its lines are counted as
 * skipped, the file gets a note saying why */
static void
skip_file(struct scan *s, const char *rel, const char *why)
{
	struct stat st;
	struct lines lr;
	struct src src = { NULL, 0 };
	const char *line;
	size_t n;

	if (read_dotqmail(s, rel, &st) != READ_OK)
		return;
	src.file = model_file(s->m, rel);
	lines_mem(&lr, src.file, s->buf.buf ? s->buf.buf : "", s->buf.len,
	    QPM_MAX_CONFIG_LINE);
	while (lines_next(&lr, &line, &n) != 0) {
		model_read(s->m, CAT_DOTQMAIL);
		model_skipped(s->m, CAT_DOTQMAIL);
	}
	lines_close(&lr);
	model_note(s->m, src, ".qmail file", why, "nothing: mail for the "
	    "address goes where the old host sent it");
}

static void
apply_file(struct scan *s, struct dq_ctx *ctx, const char *rel)
{
	struct stat st;

	if (read_dotqmail(s, rel, &st) != READ_OK)
		return;
	ctx->world_writable = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
	ctx->executable = (st.st_mode & S_IXUSR) != 0;
	dotqmail_apply(s->m, ctx, model_file(s->m, rel),
	    s->buf.buf ? s->buf.buf : "", s->buf.len);
}

/* "foo:bar-default" of .qmail-foo:bar-default -> "foo.bar-default"
 * (lowercase) */
static const char *
ext_of(struct model *m, const char *raw)
{
	char *e;
	size_t i;

	if ((e = (char *)model_lower(m, raw, strlen(raw))) == NULL)
		return NULL;
	for (i = 0; e[i]; i++)
		if (e[i] == ':')
			e[i] = '.';
	return e;
}

/* The extension of a .qmail file name in dir (after its first skip
 * bytes, ".qmail-"), or NULL when the file is listed instead (count:
 * its lines are counted here): qmail-local lowercases the address
 * and turns '.' into ':' before it looks for the file, so a name with
 * upper case or '.' was never read; a name that is no plain local part cannot become a lookup key,
 * regexp or shell word.  "" for a bare ".qmail-". */
static const char *
dotqmail_ext(struct scan *s, const char *dir, const char *name, size_t skip,
    int count)
{
	const char *ext, *why = NULL, *todo = "route the address by hand";
	size_t i;

	for (i = skip; name[i] != '\0' && why == NULL; i++)
		if (isupper((unsigned char)name[i]) || name[i] == '.') {
			why = name[i] == '.' ? "'.' in the file name: "
			    "qmail-local turns each '.' of the address into "
			    "':' before it looks for .qmail-EXT, so qmail never "
			    "read this file" : "upper case in the file name: "
			    "qmail-local lowercases the address before it "
			    "looks for .qmail-EXT, so qmail never read this file";
			todo = "nothing: the old host never delivered through "
			    "it (rename it there, lower case and ':' for '.', "
			    "if it was meant)";
		}
	if (why == NULL) {
		if ((ext = ext_of(s->m, name + skip)) == NULL ||
		    ext[0] == '\0' ||
		    addr_local_ok(ext, strlen(ext), &why))
			return ext;
		why = model_printf(s->m, "the file name is no address "
		    "Postfix can look up: %s", why);
	}
	if (count)
		refuse_file(s, model_printf(s->m, "%s/%s", dir, name), why,
		    todo);
	return NULL;
}

static void
ctx_for_ext(struct dq_ctx *ctx, struct model *m, const char *base,
    const char *ext)
{
	size_t l = strlen(ext);

	/* base: "" for domain files, "user-" for user files */
	if (strcmp(ext, "default") == 0) {
		ctx->key = base[0] ? KEY_PREFIX : KEY_CATCHALL;
		ctx->local = base[0] ? base : "";
	} else if (l > 8 && strcmp(ext + l - 8, "-default") == 0) {
		ctx->key = KEY_PREFIX;
		ctx->local = model_printf(m, "%s%.*s", base, (int)(l - 7), ext);
	} else {
		ctx->key = KEY_ADDRESS;
		ctx->local = model_printf(m, "%s%s", base, ext);
	}
}

void
scan_domain_dotqmail(struct scan *s, struct m_domain *d)
{
	struct names nm;
	struct dq_ctx ctx;
	const char *rel, *ext;
	size_t i;

	if (scan_dir(s, d->dir, ".qmail-", &nm) != 0)
		return;
	for (i = 0; i < nm.n; i++) {
		if ((ext = dotqmail_ext(s, d->dir, nm.v[i], 7, 1)) == NULL ||
		    ext[0] == '\0')
			continue;
		memset(&ctx, 0, sizeof(ctx));
		ctx.domain = d->name;
		ctx.dir = d->dir;
		ctx.user = s->vpop_user;
		ctx.count = 1;
		ctx_for_ext(&ctx, s->m, "", ext);
		if (ctx.key == KEY_CATCHALL) {
			ctx.origin = ORIG_DEFAULT;
			ctx.dom = d;
		} else
			ctx.origin = ORIG_DOMAIN;
		{
			size_t l = strlen(ext);

			if (l > 6 && strcmp(ext + l - 6, "-owner") == 0)
				model_note(s->m, (struct src){ model_file(s->m,
				    model_printf(s->m, "%s/%s", d->dir,
				    nm.v[i])), 0 }, nm.v[i], "qmail used "
				    "this file to set the envelope sender of "
				    "list mail; Postfix does not",
				    "set owner_request_special or the list "
				    "manager's sender by hand");
		}
		rel = model_printf(s->m, "%s/%s", d->dir, nm.v[i]);
		apply_file(s, &ctx, rel);
	}
	names_free(&nm);
}

void
scan_user_dotqmail(struct scan *s, struct m_domain *d, struct m_mailbox *mb)
{
	struct names nm;
	struct dq_ctx ctx;
	const char *rel, *ext;
	size_t i;

	int rc;

	if ((rc = scan_dir(s, mb->home, ".qmail", &nm)) != 0) {
		if (rc != READ_MISSING) {
			model_read(s->m, CAT_VPASSWD);
			model_list(s->m, CAT_VPASSWD, mb->src, "home directory",
			    model_printf(s->m, "%s: %s", mb->home, rc == -ELOOP ||
			    rc == -ENOTDIR ? "symbolic link or loop (not "
			    "followed)" : strerror(-rc)), "fix pw_dir; the "
			    "mailbox is migrated "
			    "without its .qmail files");
		}
		return;
	}
	for (i = 0; i < nm.n; i++) {
		if (mb->valias) {
			/* vpopmail's MySQL backend: the user's valias
			 * rows (user and user-EXT) come first */
			skip_file(s, model_printf(s->m, "%s/%s", mb->home,
			    nm.v[i]), "a valias row of the user comes "
			    "first: vdelivermail never read this file");
			continue;
		}
		memset(&ctx, 0, sizeof(ctx));
		ctx.origin = ORIG_USER;
		ctx.domain = d->name;
		ctx.dir = mb->home;
		ctx.user = s->vpop_user;
		ctx.owner = mb;
		ctx.count = 1;
		if (strcmp(nm.v[i], ".qmail") == 0) {
			ctx.key = KEY_ADDRESS;
			ctx.local = mb->local;
		} else if (strncmp(nm.v[i], ".qmail-", 7) == 0 &&
		    !s->m->qmail_ext) {
			skip_file(s, model_printf(s->m, "%s/%s", mb->home,
			    nm.v[i]), "vpopmail built without QMAIL_EXT: "
			    "vdelivermail never read a user's .qmail-EXT, "
			    "user-EXT was an unknown user of the domain");
			continue;
		} else if (strncmp(nm.v[i], ".qmail-", 7) == 0 &&
		    (ext = dotqmail_ext(s, mb->home, nm.v[i], 7, 1)) != NULL &&
		    ext[0]) {
			ctx_for_ext(&ctx, s->m, model_printf(s->m, "%s-",
			    mb->local), ext);
			ctx.owner = NULL;	/* not the own .qmail */
		} else
			continue;
		rel = model_printf(s->m, "%s/%s", mb->home, nm.v[i]);
		if (ctx.owner == NULL) {
			/* .qmail-EXT of a user: the owner still decides
			 * what ./Maildir/ means */
			struct dq_ctx c2 = ctx;

			c2.owner = NULL;
			apply_file(s, &c2, rel);
		} else
			apply_file(s, &ctx, rel);
	}
	names_free(&nm);
}

void
scan_alias(struct scan *s)
{
	struct names nm;
	struct dq_ctx ctx;
	struct m_domain *d;
	const char *rel, *dir, *ext;
	size_t i, j;
	int first;

	dir = model_printf(s->m, "%s/alias", s->o->qmail_dir);
	if (scan_dir(s, dir, ".qmail-", &nm) != 0)
		return;
	for (i = 0; i < nm.n; i++) {
		if ((ext = dotqmail_ext(s, dir, nm.v[i], 7, 1)) == NULL ||
		    ext[0] == '\0')
			continue;
		rel = model_printf(s->m, "%s/%s", dir, nm.v[i]);
		if (strcmp(ext, "default") == 0)
			model_note(s->m, (struct src){ model_file(s->m, rel),
			    0 }, nm.v[i], "qmail-send gave ~alias/.qmail-default "
			    "the mail of every unknown user of the local domains "
			    "(control/locals): it is their catch-all now, and "
			    "catches system users (/etc/passwd) too",
			    "add NAME@DOMAIN NAME@DOMAIN to virtual_alias for "
			    "each system user who got mail");
		/* one pass per local domain; lines counted once */
		first = 1;
		for (j = 0; j < s->m->domains.n; j++) {
			d = M_DOMAIN(s->m, j);
			if (d->kind != DOM_LOCAL)
				continue;
			memset(&ctx, 0, sizeof(ctx));
			ctx.origin = ORIG_ALIAS;
			ctx.domain = d->name;
			ctx.dir = dir;
			ctx.user = s->alias_user;
			ctx.count = first_time(s, model_file(s->m, rel));
			ctx_for_ext(&ctx, s->m, "", ext);
			apply_file(s, &ctx, rel);
			(void)first;
		}
	}
	names_free(&nm);
}

/* users/assign lines that are not vpopmail domains: qmail-local for the
 * local domains (control/locals), in the user's home. */
void
scan_assign_local(struct scan *s)
{
	struct model *m = s->m;
	struct m_assign *a;
	struct m_domain *d;
	struct dq_ctx ctx;
	struct names nm;
	const char *rel, *pre, *rest, *why;
	size_t i, j, k, l, pl;

	for (i = 0; i < m->assigns.n; i++) {
		a = M_ASSIGN(m, i);
		if (a->local == NULL)
			continue;
		l = strlen(a->local);
		if (a->wild && l > 1 && a->local[l - 1] == '-' &&
		    model_domain(m, model_strndup(m, a->local, l - 1)) != NULL)
			continue;	/* a vpopmail domain line */
		if (l > 0 && !addr_local_ok(a->local, l, &why)) {
			/* its .qmail files cannot be keyed by this name */
			if (!a->wild)
				refuse_file(s, model_printf(m, "%s/.qmail%s%s",
				    a->home, a->ext[0] ? a->dash : "", a->ext),
				    model_printf(m, "users/assign name is no "
				    "address Postfix can look up: %s", why),
				    "route the address by hand");
			continue;
		}
		if (!a->wild) {
			rel = model_printf(m, "%s/.qmail%s%s", a->home,
			    a->ext[0] ? a->dash : "", a->ext);
			for (j = 0; j < m->domains.n; j++) {
				d = M_DOMAIN(m, j);
				if (d->kind != DOM_LOCAL)
					continue;
				memset(&ctx, 0, sizeof(ctx));
				ctx.origin = ORIG_ALIAS;
				ctx.key = KEY_ADDRESS;
				ctx.local = a->local;
				ctx.domain = d->name;
				ctx.dir = a->home;
				ctx.user = a->user;
				ctx.count = first_time(s, model_file(m, rel));
				apply_file(s, &ctx, rel);
			}
			continue;
		}
		/* wildcard: .qmail{dash}{pre}REST in home */
		pre = model_printf(m, ".qmail%s%s", a->dash, a->ext);
		pl = strlen(pre);
		if (scan_dir(s, a->home, pre, &nm) != 0)
			continue;
		for (k = 0; k < nm.n; k++) {
			if ((rest = dotqmail_ext(s, a->home, nm.v[k], pl,
			    1)) == NULL)
				continue;
			rel = model_printf(m, "%s/%s", a->home, nm.v[k]);
			for (j = 0; j < m->domains.n; j++) {
				d = M_DOMAIN(m, j);
				if (d->kind != DOM_LOCAL)
					continue;
				memset(&ctx, 0, sizeof(ctx));
				ctx.origin = ORIG_ALIAS;
				ctx.domain = d->name;
				ctx.dir = a->home;
				ctx.user = a->user;
				ctx_for_ext(&ctx, m, a->local, rest);
				if (ctx.key == KEY_CATCHALL) {
					ctx.key = KEY_PREFIX;
					ctx.local = a->local;
				}
				ctx.count = first_time(s, model_file(m, rel));
				apply_file(s, &ctx, rel);
			}
		}
		names_free(&nm);
	}
}
