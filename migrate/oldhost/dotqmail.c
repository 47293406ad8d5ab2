/*
 * NAME		dotqmail - one .qmail file into delivery rules
 * DOES		classifies each line as dot-qmail(5) does (comment, |program,
 *		&address, /mbox, /maildir/) and turns it into a rule for the
 *		address the file stands for; recognises vdelivermail,
 *		ezmlm, bouncesaying and the usual Dovecot/maildrop LDA lines
 * NEVER	runs a |command line, follows a symlink, writes a file; every
 *		line ends converted, listed with file:line, or skipped
 */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "mail/addr.h"
#include "mail/esc_postfix.h"
#include "migrate/oldhost/readers.h"
#include "util/lines.h"
#include "util/limits.h"
#include "util/qstr.h"

enum dq_type
dotqmail_classify(const char *line, size_t len, const char **arg,
    size_t *arglen, const char **why)
{
	size_t i;

	*arg = line;
	*arglen = len;
	*why = NULL;
	if (len == 0)
		return DQ_BLANK;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\0' || (c < ' ' && c != '\t') || c == 127) {
			*why = c == '\r' ? "carriage return in the line" :
			    "binary junk (control byte)";
			return DQ_BAD;
		}
	}
	switch (line[0]) {
	case '#':
		return DQ_COMMENT;
	case '|':
		*arg = line + 1;
		*arglen = len - 1;
		while (*arglen > 0 && (**arg == ' ' || **arg == '\t')) {
			(*arg)++;
			(*arglen)--;
		}
		if (*arglen == 0) {
			*why = "empty program";
			return DQ_BAD;
		}
		return DQ_PIPE;
	case '/':
	case '.':
		/* qmail-local drops trailing spaces of file lines too */
		while (*arglen > 0 && ((*arg)[*arglen - 1] == ' ' ||
		    (*arg)[*arglen - 1] == '\t'))
			(*arglen)--;
		return (*arg)[*arglen - 1] == '/' ? DQ_MAILDIR : DQ_MBOX;
	case '&':
		(*arg)++;
		(*arglen)--;
		break;
	default:
		if (!isalnum((unsigned char)line[0])) {
			*why = "neither a comment, program, file nor address "
			    "(qmail would forward to it as an address)";
			return DQ_BAD;
		}
		break;
	}
	while (*arglen > 0 && ((*arg)[*arglen - 1] == ' ' ||
	    (*arg)[*arglen - 1] == '\t'))
		(*arglen)--;
	if (*arglen == 0) {
		*why = "empty address";
		return DQ_BAD;
	}
	for (i = 0; i < *arglen; i++) {
		if ((*arg)[i] == ' ' || (*arg)[i] == '\t' || (*arg)[i] == '<' ||
		    (*arg)[i] == '>' || (*arg)[i] == '(' || (*arg)[i] == ',') {
			*why = "address with spaces, <>, () or ',': qmail "
			    "forwards to it literally";
			return DQ_BAD;
		}
	}
	return DQ_FORWARD;
}

/* the next shell word of cmd; quotes '' and "" removed */
static int
shell_word(const char **p, const char *end, char *out, size_t outlen,
    size_t *wlen)
{
	size_t n = 0;
	char q = 0;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (*p >= end)
		return 0;
	while (*p < end) {
		char c = **p;

		if (q) {
			if (c == q)
				q = 0;
			else if (n + 1 < outlen)
				out[n++] = c;
			else
				return -1;
		} else if (c == '\'' || c == '"') {
			q = c;
		} else if (c == ' ' || c == '\t') {
			break;
		} else if (n + 1 < outlen) {
			out[n++] = c;
		} else
			return -1;
		(*p)++;
	}
	if (q)
		return -1;
	out[n] = '\0';
	*wlen = n;
	return 1;
}

static const char *
base_name(const char *s)
{
	const char *p = strrchr(s, '/');

	return p != NULL ? p + 1 : s;
}

int
vdelivermail_parse(const char *cmd, size_t len, enum m_catchall *what,
    const char **arg, size_t *arglen)
{
	const char *p = cmd, *end = cmd + len, *a;
	char w[QPM_MAX_PATH * 4];
	size_t wl;
	int rc;

	if (shell_word(&p, end, w, sizeof(w), &wl) != 1 ||
	    strcmp(base_name(w), "vdelivermail") != 0)
		return 0;
	/* first argument: always '' (unused) */
	if (shell_word(&p, end, w, sizeof(w), &wl) != 1)
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	a = p;
	if ((rc = shell_word(&p, end, w, sizeof(w), &wl)) != 1)
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end)
		return -1;
	/* the argument without quotes: point into cmd when unquoted */
	if ((size_t)(p - a) == wl || (size_t)(end - a) == wl) {
		*arg = a;
	} else {
		*arg = a + 1;	/* 'quoted' */
	}
	*arglen = wl;
	if (wl == 17 && memcmp(*arg, "bounce-no-mailbox", 17) == 0)
		*what = CATCH_BOUNCE;
	else if (wl == 6 && memcmp(*arg, "delete", 6) == 0)
		*what = CATCH_DELETE;
	else if (wl > 0 && (*arg)[0] == '/')
		*what = CATCH_MAILBOX;
	else if (addr_split(*arg, wl) > 0)
		*what = CATCH_FORWARD;
	else
		return -1;
	return 1;
}

const char *
dotqmail_address(struct model *m, const char *a, size_t n)
{
	long at;
	const char *dom;
	size_t dl;

	if (n == 0 || n > QPM_MAX_ADDRESS)
		return NULL;
	at = addr_split(a, n);
	if (at < 0) {
		/* qmail-inject: no host, defaulthost (or me) is appended */
		dom = m->defaulthost != NULL ? m->defaulthost : m->me;
		if (dom == NULL || addr_local_is_dot_string(a, n) != 1)
			return NULL;
		return model_printf(m, "%.*s@%s", (int)n, a, dom);
	}
	if (at == 0 || (size_t)at + 1 >= n)
		return NULL;
	dom = a + at + 1;
	dl = n - (size_t)at - 1;
	if (dom[dl - 1] == '+') {
		if (m->plusdomain == NULL)
			return NULL;
		return model_printf(m, "%.*s@%.*s.%s", (int)at, a,
		    (int)(dl - 1), dom, m->plusdomain);
	}
	if (memchr(dom, '.', dl) == NULL && m->defaultdomain != NULL)
		return model_printf(m, "%.*s@%.*s.%s", (int)at, a, (int)dl,
		    dom, m->defaultdomain);
	{
		const char *d = model_lower(m, dom, dl);

		return d == NULL ? NULL :
		    model_printf(m, "%.*s@%s", (int)at, a, d);
	}
}

static int
contains_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= n; i++)
		if (memcmp(s + i, w, wl) == 0)
			return 1;
	return 0;
}

/* Delivery to the own mailbox through an LDA: Dovecot's deliver or
 * dovecot-lda, maildrop, or vpopmail's own vdelivermail. */
static int
is_lda(const char *cmd, size_t n)
{
	return contains_word(cmd, n, "dovecot/deliver") ||
	    contains_word(cmd, n, "dovecot-lda") ||
	    contains_word(cmd, n, "bin/maildrop") ||
	    (n >= 8 && memcmp(cmd, "maildrop", 8) == 0) ||
	    contains_word(cmd, n, "vdelivermail");
}

/* |bouncesaying 'text' [program]: a bounce with that text */
static const char *
bouncesaying(struct model *m, const char *cmd, size_t n)
{
	const char *p = cmd, *end = cmd + n;
	char w[1024];
	size_t wl;

	if (shell_word(&p, end, w, sizeof(w), &wl) != 1 ||
	    strcmp(base_name(w), "bouncesaying") != 0)
		return NULL;
	if (shell_word(&p, end, w, sizeof(w), &wl) != 1)
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end)
		return NULL;	/* conditional bounce: a real program */
	return model_strndup(m, w, wl);
}

static void
add(struct model *m, const struct dq_ctx *ctx, enum m_dest dest,
    const char *value, struct src src)
{
	struct m_rule *r;

	r = model_rule_add(m, ctx->key, ctx->local, ctx->domain, dest, value,
	    ctx->origin, src);
	if (r != NULL && dest == DEST_PIPE)
		r->user = ctx->user;
}

static void
list(struct model *m, const struct dq_ctx *ctx, struct src src,
    const char *what, const char *why, const char *todo)
{
	if (ctx->count)
		model_list(m, CAT_DOTQMAIL, src, what, why, todo);
}

static void
converted(struct model *m, const struct dq_ctx *ctx)
{
	if (ctx->count)
		model_converted(m, CAT_DOTQMAIL);
}

/* HOME/Maildir/.FOLDER/ of a known mailbox: the mailbox, *folder the
 * ".FOLDER" (a name Postfix's tables and the Maildir++ layout take as
 * written); NULL when path is none */
static struct m_mailbox *
maildir_folder(struct model *m, char *path, const char **folder)
{
	struct m_mailbox *mb;
	size_t n = strlen(path), i;
	char *slash;

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL || slash[1] != '.' ||
	    slash[2] == '\0' || slash[2] == '.' || slash - path < 8 ||
	    strncmp(slash - 8, "/Maildir", 8) != 0)
		return NULL;
	for (i = 1; slash[i] != '\0'; i++)
		if (!isalnum((unsigned char)slash[i]) &&
		    strchr("._-&+,", slash[i]) == NULL)
			return NULL;
	*slash = '\0';
	mb = model_mailbox_by_home(m, path);
	*slash = '/';
	if (mb != NULL && (*folder = model_strdup(m, slash + 1)) == NULL)
		return NULL;
	return mb;
}

static void
maildir_line(struct model *m, const struct dq_ctx *ctx, struct src src,
    const char *arg, size_t n, int *own)
{
	struct m_mailbox *mb;
	struct m_rule *r;
	const char *folder = NULL;
	char path[QPM_MAX_PATH * 8];

	if (arg[0] == '.') {
		/* ./Maildir/ is relative to the file's directory */
		if (ctx->dir == NULL || qpm_snprintf(path, sizeof(path),
		    "%s/%.*s", ctx->dir, (int)(n - 2), arg + 2) < 0) {
			list(m, ctx, src, "maildir line", "unresolvable path",
			    "deliver to the right mailbox by hand");
			return;
		}
	} else if (n >= sizeof(path)) {
		list(m, ctx, src, "maildir line", "path too long",
		    "deliver to the right mailbox by hand");
		return;
	} else {
		memcpy(path, arg, n);
		path[n] = '\0';
	}
	/* ./Maildir/.Lists/: qmail-local (vdelivermail chdirs to the
	 * user's home first) delivers into that folder of the mailbox */
	if ((mb = model_mailbox_by_home(m, path)) == NULL &&
	    (mb = maildir_folder(m, path, &folder)) == NULL) {
		list(m, ctx, src, "maildir line",
		    "Maildir of no known mailbox (system user or old path)",
		    "create a mailbox for it or change the route by hand");
		return;
	}
	if (mb == ctx->owner && folder == NULL)
		*own = 1;
	r = model_rule_add(m, ctx->key, ctx->local, ctx->domain, DEST_MAILBOX,
	    model_printf(m, "%s@%s", mb->local, mb->domain), ctx->origin, src);
	if (r != NULL)
		r->folder = folder;
	converted(m, ctx);
}

/* 1 when write_postfix can render the pipe's master.cf service (its
 * own esc_pf_* renderings of the user, the file's directory, the
 * -default prefix and the command); 0 with *why otherwise. */
static int
pipe_fits(struct model *m, const struct dq_ctx *ctx, struct src src,
    const char *cmd, const char **why)
{
	struct qstr t = QSTR_INIT(QPM_MAX_CONFIG_LINE * 8);
	const char *slash = strrchr(src.file, '/'), *dir = NULL;
	int ok;

	*why = "longer than the limit";
	if (slash != NULL && (dir = model_strndup(m, src.file,
	    (size_t)(slash - src.file))) == NULL)
		return 0;
	ok = esc_pf_word(&t, ctx->user != NULL ? ctx->user : "", why) == 0 &&
	    esc_pf_sh_cmd(&t, cmd, why) == 0 &&
	    (dir == NULL || esc_pf_sh_quote(&t, dir, why) == 0) &&
	    (ctx->key != KEY_PREFIX || esc_pf_sh_quote(&t, ctx->local,
	    why) == 0);
	qstr_free(&t);
	return ok;
}

static void
pipe_line(struct model *m, const struct dq_ctx *ctx, struct src src,
    const char *cmd, size_t n, int *own)
{
	const char *text, *arg, *why = NULL;
	size_t alen;
	enum m_catchall what;
	struct m_mailbox *mb;
	int rc;

	if (ctx->origin == ORIG_DEFAULT && ctx->dom != NULL &&
	    (rc = vdelivermail_parse(cmd, n, &what, &arg, &alen)) != 0) {
		if (rc < 0) {
			list(m, ctx, src, "vdelivermail line",
			    "unreadable vdelivermail arguments",
			    "decide what unknown users get by hand");
			return;
		}
		ctx->dom->catch_src = src;
		switch (what) {
		case CATCH_BOUNCE:
			break;
		case CATCH_DELETE:
			add(m, ctx, DEST_DISCARD, "vdelivermail delete", src);
			break;
		case CATCH_FORWARD:
			if ((text = dotqmail_address(m, arg, alen)) == NULL) {
				list(m, ctx, src, "vdelivermail forward",
				    "not a usable address",
				    "fix the catch-all by hand");
				return;
			}
			ctx->dom->catch_target = text;
			add(m, ctx, DEST_FORWARD, text, src);
			break;
		case CATCH_MAILBOX:
			text = model_strndup(m, arg, alen);
			if (text == NULL ||
			    (mb = model_mailbox_by_home(m, text)) == NULL) {
				list(m, ctx, src, "vdelivermail path",
				    "path is no known mailbox's home or Maildir",
				    "point the catch-all at a mailbox by hand");
				return;
			}
			ctx->dom->catch_target = model_printf(m, "%s@%s",
			    mb->local, mb->domain);
			add(m, ctx, DEST_MAILBOX, ctx->dom->catch_target, src);
			break;
		case CATCH_NONE:
		case CATCH_RULES:
			break;
		}
		ctx->dom->catchall = (unsigned char)what;
		converted(m, ctx);
		return;
	}
	if (ctx->origin == ORIG_DEFAULT && ctx->dom != NULL)
		ctx->dom->catchall = CATCH_RULES;
	if (contains_word(cmd, n, "ezmlm")) {
		list(m, ctx, src, "ezmlm list",
		    "mailing lists are not converted",
		    "recreate the list (ezmlm-idx on Postfix, or Mailman) and "
		    "point the address at it");
		return;
	}
	if ((text = bouncesaying(m, cmd, n)) != NULL) {
		add(m, ctx, DEST_BOUNCE, text, src);
		converted(m, ctx);
		return;
	}
	if (ctx->origin == ORIG_USER && is_lda(cmd, n) &&
	    !contains_word(cmd, n, "vdelivermail")) {
		/* LDA into the own Maildir: LMTP does that now */
		*own = 1;
		add(m, ctx, DEST_MAILBOX, model_printf(m, "%s@%s",
		    ctx->owner->local, ctx->owner->domain), src);
		if (ctx->count)
			model_note(m, src, "LDA line",
			    "delivered to the own mailbox over LMTP; "
			    "filters (sieve, maildrop) are not converted",
			    "enable Pigeonhole sieve if the user had filters");
		converted(m, ctx);
		return;
	}
	if (memchr(cmd, '{', n) != NULL || memchr(cmd, '}', n) != NULL) {
		list(m, ctx, src, "program line",
		    "braces cannot be passed through master.cf",
		    "write a wrapper script and a pipe transport by hand");
		return;
	}
	if (ctx->executable) {
		list(m, ctx, src, "program line",
		    "file has the execute bit: qmail defers program lines",
		    "nothing: the old host deferred this mail");
		return;
	}
	text = model_strndup(m, cmd, n);
	if (text == NULL || !pipe_fits(m, ctx, src, text, &why)) {
		list(m, ctx, src, "program line", model_printf(m, "master.cf "
		    "cannot hold it: %s", text == NULL ? "no memory" : why),
		    "write a wrapper script and a pipe transport by hand");
		return;
	}
	add(m, ctx, DEST_PIPE, text, src);
	converted(m, ctx);
}

void
dotqmail_apply(struct model *m, const struct dq_ctx *ctx, const char *file,
    const char *buf, size_t len)
{
	struct lines lr;
	struct src src = { file, 0 };
	const char *line, *arg, *why, *a;
	size_t n, alen;
	int rc, own = 0, delivering = 0, listed = 0;
	enum dq_type t;

	lines_mem(&lr, file, buf, len, QPM_MAX_CONFIG_LINE);
	while ((rc = lines_next(&lr, &line, &n)) != 0) {
		src.line = lr.lineno;
		if (ctx->count)
			model_read(m, CAT_DOTQMAIL);
		if (rc < 0) {
			list(m, ctx, src, ".qmail line", "line too long",
			    "check the file");
			continue;
		}
		if (lr.lineno > QPM_MAX_QMAIL_LINES) {
			list(m, ctx, src, ".qmail line",
			    "more lines than the limit", "check the file");
			continue;
		}
		t = dotqmail_classify(line, n, &arg, &alen, &why);
		if (lr.had_nul) {
			t = DQ_BAD;
			why = "binary junk (NUL byte)";
		}
		if (ctx->world_writable && t != DQ_COMMENT && t != DQ_BLANK) {
			list(m, ctx, src, ".qmail line",
			    "file is group- or world-writable: qmail defers "
			    "all mail for it", "fix the mode on the old host "
			    "or decide the route by hand");
			continue;
		}
		switch (t) {
		case DQ_BLANK:
			if (lr.lineno == 1) {
				list(m, ctx, src, ".qmail line",
				    "blank first line (dot-qmail(5) forbids "
				    "it)", "remove the blank line");
				listed++;
				break;
			}
			if (ctx->count)
				model_skipped(m, CAT_DOTQMAIL);
			break;
		case DQ_COMMENT:
			if (ctx->count)
				model_skipped(m, CAT_DOTQMAIL);
			break;
		case DQ_BAD:
			list(m, ctx, src, ".qmail line", why,
			    "fix the line and migrate again");
			listed++;
			break;
		case DQ_PIPE:
			delivering++;
			pipe_line(m, ctx, src, arg, alen, &own);
			break;
		case DQ_FORWARD:
			delivering++;
			if (ctx->origin == ORIG_DEFAULT && ctx->dom != NULL)
				ctx->dom->catchall = CATCH_RULES;
			if ((a = dotqmail_address(m, arg, alen)) == NULL) {
				list(m, ctx, src, "forward",
				    "not a usable address",
				    "fix the address by hand");
				break;
			}
			add(m, ctx, DEST_FORWARD, a, src);
			converted(m, ctx);
			break;
		case DQ_MAILDIR:
			delivering++;
			if (ctx->executable) {
				list(m, ctx, src, "maildir line",
				    "file has the execute bit: qmail defers "
				    "file lines", "nothing");
				break;
			}
			maildir_line(m, ctx, src, arg, alen, &own);
			break;
		case DQ_MBOX:
			delivering++;
			list(m, ctx, src, "mbox line",
			    ctx->origin == ORIG_USER ?
			    "vdelivermail defers mbox deliveries" :
			    "mbox files are not converted",
			    "move the mail into a Maildir by hand");
			break;
		}
	}
	lines_close(&lr);
	/* a .qmail that exists and holds only comments delivers nowhere
	 * (an empty one means defaultdelivery: not for vpopmail dirs) */
	if (delivering == 0 && listed == 0 && len > 0 &&
	    !ctx->world_writable) {
		src.line = 1;
		add(m, ctx, DEST_DISCARD, "only comments: delivered nowhere",
		    src);
		if (ctx->origin == ORIG_USER && ctx->owner != NULL &&
		    ctx->count) {
			ctx->owner->own_delivery = 0;
			ctx->owner->has_dotqmail = 1;
		}
	}
	/* vdelivermail: a .qmail with any delivery line means the own
	 * Maildir gets mail only when one of them names it */
	if (ctx->origin == ORIG_USER && ctx->owner != NULL && ctx->count) {
		if (delivering > 0 && !ctx->world_writable) {
			ctx->owner->own_delivery = (unsigned char)own;
			ctx->owner->has_dotqmail = 1;
		}
	}
}
