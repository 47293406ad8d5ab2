/*
 * NAME		write_postfix - main.cf, master.cf and lookup-table sources
 * DOES		virtual mailbox and alias domains delivering to Dovecot over
 *		LMTP; aliases, forwards, catch-alls and -default prefixes as
 *		virtual_alias_maps (hash: and regexp:); pipes through one pipe
 *		service per command, run as the old user; discards and bounces
 *		through transport_maps; control settings as parameters
 * NEVER	runs postmap or postconf (install and rehearse do), writes a
 *		map without its source comment
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "mail/esc_postfix.h"
#include "migrate/write/postfix_int.h"
#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/msg.h"
#include "util/qstr.h"

void
pf_cat(struct pf *p, struct qstr *s, const char *fmt, ...)
{
	va_list ap;
	int e;

	va_start(ap, fmt);
	e = qstr_vcatf(s, fmt, ap);
	va_end(ap);
	if (e < 0)
		p->err = e;
}

/* The result of an esc_pf_* append: a refusal names its source. */
void
pf_esc(struct pf *p, int e, const char *const *why, struct src src)
{
	if (e >= 0 || p->err < 0)
		return;
	p->err = e;
	if (e == QPM_ESYNTAX) {
		p->why = why != NULL ? *why : NULL;
		p->why_src = src;
	}
}

/* "# from FILE:LINE", checked */
void
pf_src_line(struct pf *p, struct qstr *s, const char *prefix, struct src src)
{
	int e;

	if ((e = writer_src(s, prefix, src)) < 0 && p->err == 0)
		p->err = e;
}

/* a file name as messages show it */
static const char *
vis_name(struct model *m, const char *name)
{
	struct qstr q = QSTR_INIT(QPM_MAX_PATH * 16);
	const char *r;

	r = qstr_cat_vis(&q, name, strlen(name), 0) < 0 ? "(unprintable)" :
	    model_strdup(m, qstr_str(&q));
	qstr_free(&q);
	return r;
}

/* regexp special characters escaped */
static void
cat_re(struct pf *p, struct qstr *s, const char *t, struct src src)
{
	const char *why = NULL;

	pf_esc(p, esc_pf_regexp(s, t, &why), &why, src);
}

/* "local@domain" (or "@domain" for a catch-all) as a lookup key */
static void
cat_key(struct pf *p, struct qstr *s, const char *local, const char *domain,
    struct src src)
{
	const char *why = NULL, *k;

	k = model_printf((struct model *)p->m, "%s@%s", local, domain);
	if (k == NULL) {
		p->err = QPM_ENOMEM;
		return;
	}
	pf_esc(p, esc_pf_key(s, k, &why), &why, src);
}

/* one address of an alias result; '$' doubled in a regexp: result */
static void
cat_addr(struct pf *p, struct qstr *s, const char *a, int re,
    struct src src)
{
	const char *why = NULL;

	pf_esc(p, esc_pf_addr(s, a, re, &why), &why, src);
}

void
pf_cat_comment(struct pf *p, struct qstr *s, const char *text)
{
	pf_esc(p, esc_comment(s, "", "%s", text), NULL, no_src);
}

static int
same_group(const struct m_rule *a, const struct m_rule *b)
{
	return a->key == b->key && a->origin == b->origin &&
	    strcmp(a->local, b->local) == 0 &&
	    strcmp(a->domain, b->domain) == 0 && a->src.file == b->src.file;
}

/* control/virtualdomains' prefix for host, or NULL (a local domain) */
static const char *
vd_prefix(const struct model *m, const char *host)
{
	const struct m_entry *e;
	size_t i;

	for (i = 0; i < m->entries.n; i++) {
		e = &((const struct m_entry *)m->entries.v)[i];
		if (e->table == TBL_VIRTUALDOMAINS &&
		    strcasecmp(e->key, host) == 0)
			return e->value;
	}
	return NULL;
}

/* The service of the group r[0..n), made on first use. */
static size_t
pipe_index(struct pf *p, const struct m_rule *r, size_t n)
{
	const struct m_rule *q;
	size_t i;
	struct pipe_svc *v;

	for (i = 0; i < p->npipes; i++) {
		q = p->pipes[i].rule;
		/* one file for several local domains (no virtualdomains
		 * prefix): the same service */
		if (q == r || (q->src.file == r->src.file && q->key == r->key &&
		    p->pipes[i].n == n && strcmp(q->local, r->local) == 0 &&
		    vd_prefix(p->m, q->domain) == NULL &&
		    vd_prefix(p->m, r->domain) == NULL))
			return i + 1;
	}
	if ((v = realloc(p->pipes, (p->npipes + 1) * sizeof(*v))) == NULL) {
		p->err = QPM_ENOMEM;
		return 0;
	}
	p->pipes = v;
	p->pipes[p->npipes].rule = r;
	p->pipes[p->npipes].n = n;
	p->npipes++;
	return p->npipes;
}

/* The index (from 1) of a Maildir folder target; the first time, its
 * transport (virtual(8)) and virtual_mailbox lines: the folder's path */
static size_t
folder_index(struct pf *p, const struct m_rule *r)
{
	const struct m_mailbox *mb;
	const struct m_rule **n;
	long split;
	size_t i;

	for (i = 0; i < p->nfolders; i++)
		if (strcmp(p->folders[i]->value, r->value) == 0 &&
		    strcmp(p->folders[i]->folder, r->folder) == 0)
			return i + 1;
	if ((split = addr_split(r->value, strlen(r->value))) < 0 ||
	    (mb = model_mailbox((struct model *)p->m, model_strndup(
	    (struct model *)p->m, r->value, (size_t)split),
	    r->value + split + 1)) == NULL ||
	    (n = realloc(p->folders, (p->nfolders + 1) * sizeof(*n))) == NULL) {
		p->err = QPM_ENOMEM;
		return 0;
	}
	p->folders = n;
	p->folders[p->nfolders++] = r;
	if (p->nfolders == 1) {
		p->folder_uid = mb->uid >= 0 ? mb->uid : 89;
		p->folder_gid = mb->gid >= 0 ? mb->gid : 89;
	}
	pf_src_line(p, &p->transport, "# from ", r->src);
	pf_cat(p, &p->transport, "folder%zu@%s\tvirtual:\n", p->nfolders,
	    Q2P_PSEUDO_DOMAIN);
	pf_src_line(p, &p->vmbox, "# from ", r->src);
	pf_cat(p, &p->vmbox, "folder%zu@%s\t", p->nfolders, Q2P_PSEUDO_DOMAIN);
	if (qstr_cat_vis(&p->vmbox, mb->home, strlen(mb->home), 0) < 0)
		p->err = QPM_ENOMEM;
	pf_cat(p, &p->vmbox, "/Maildir/%s/\n", r->folder);
	return p->nfolders;
}

/* One target of a rule, as a virtual_alias_maps result; re: in a
 * regexp: table, where '$' in a result is a substitution. */
static void
target(struct pf *p, struct qstr *s, const struct m_rule *r, int re)
{
	const char *why = NULL;
	struct qstr text = QSTR_INIT(QPM_MAX_CONFIG_LINE * 4);
	const char *t;
	size_t k;

	switch ((enum m_dest)r->dest) {
	case DEST_MAILBOX:
		if (r->folder != NULL) {
			k = folder_index(p, r);
			pf_cat(p, s, "folder%zu@%s", k, Q2P_PSEUDO_DOMAIN);
			break;
		}
		/* FALLTHROUGH */
	case DEST_FORWARD:
		cat_addr(p, s, r->value, re, r->src);
		break;
	case DEST_PIPE:
		k = pipe_index(p, r, 1);
		pf_cat(p, s, "pipe%zu@%s", k, Q2P_PSEUDO_DOMAIN);
		break;
	case DEST_DISCARD:
		pf_cat(p, s, "discard@%s", Q2P_PSEUDO_DOMAIN);
		break;
	case DEST_BOUNCE:
		k = ++p->nbounces;
		pf_cat(p, s, "bounce%zu@%s", k, Q2P_PSEUDO_DOMAIN);
		pf_src_line(p, &p->transport, "# from ", r->src);
		pf_cat(p, &p->transport, "bounce%zu@%s\terror:5.1.1 ", k,
		    Q2P_PSEUDO_DOMAIN);
		/* the text as one line: control bytes become spaces */
		for (t = r->value; *t && p->err == 0; t++)
			if (qstr_catc(&text, (unsigned char)*t < ' ' ||
			    *t == 0x7f ? ' ' : *t) < 0)
				p->err = QPM_ENOMEM;
		pf_esc(p, esc_pf_value(&p->transport, qstr_str(&text), &why), &why,
		    r->src);
		pf_cat(p, &p->transport, "\n");
		break;
	}
	qstr_free(&text);
}

/* The targets of one .qmail file's rules r[0..n): with a program line,
 * all of them are its q2p-dotqmail service, which runs them in order
 * (exit 99 skips the rest); else one target each. */
static void
group_targets(struct pf *p, struct qstr *s, const struct m_rule *r,
    size_t n, int re)
{
	size_t k;

	for (k = 0; k < n && r[k].dest != DEST_PIPE; k++)
		;
	if (k < n) {
		pf_cat(p, s, "pipe%zu@%s", pipe_index(p, r, n),
		    Q2P_PSEUDO_DOMAIN);
		return;
	}
	for (k = 0; k < n; k++) {
		if (k)
			pf_cat(p, s, ", ");
		target(p, s, r + k, re);
	}
}

static void
group_comment(struct pf *p, struct qstr *s, const struct m_rule *r, size_t n)
{
	struct src src = r[0].src;
	size_t i, len0;

	/* "# from FILE:L1,L2": writer_src renders the name; the other
	 * lines go before its newline */
	src.line = 0;
	pf_src_line(p, s, "# from ", src);
	if (s->len == 0 || s->buf[s->len - 1] != '\n')
		return;
	len0 = --s->len;
	s->buf[len0] = '\0';
	for (i = 0; i < n; i++)
		pf_cat(p, s, "%s%lu", i ? "," : ":", r[i].src.line);
	pf_cat(p, s, "\n");
}

struct prefix_group {
	const struct m_rule	*r;
	size_t			 n;
};

static int
prefix_cmp(const void *a, const void *b)
{
	const struct prefix_group *x = a, *y = b;
	size_t lx = strlen(x->r->local), ly = strlen(y->r->local);
	int c;

	/* longest prefix first: qmail tries .qmail-a-b-default first */
	if (lx != ly)
		return lx > ly ? -1 : 1;
	if ((c = strcmp(x->r->domain, y->r->domain)) != 0)
		return c;
	return strcmp(x->r->local, y->r->local);
}

/* Postfix strips "-ext" and finds the alias X@ for X-ext@; qmail looked
 * for .qmail-X-ext, .qmail-X-default, then .qmail-default (vdelivermail:
 * user X-ext, user X, then the catch-all).  So for a domain alias X with
 * no X-default and no mailbox X, X-anything goes where the domain's
 * unknown users go; mailboxes named X-something keep a self entry. */
/* a domain name in a table or a main.cf list */
void
pf_cat_domain(struct pf *p, struct qstr *s, const char *d, struct src src)
{
	const char *why = NULL;

	pf_esc(p, esc_pf_word(s, d, &why), &why, src);
}

/* "local@domain local@domain": a mailbox keeps its own mail */
static void
self_entry(struct pf *p, const struct m_mailbox *mb)
{
	pf_src_line(p, &p->valias, "# from ", mb->src);
	cat_key(p, &p->valias, mb->local, mb->domain, mb->src);
	pf_cat(p, &p->valias, "\t");
	cat_addr(p, &p->valias, model_printf((struct model *)p->m, "%s@%s",
	    mb->local, mb->domain), 0, mb->src);
	pf_cat(p, &p->valias, "\n");
}

static void
shadow_prefixes(struct pf *p, const struct prefix_group *pg, size_t npg)
{
	const struct model *m = p->m;
	const struct m_rule *r, *c;
	const struct m_mailbox *mb;
	const struct m_domain *d;
	size_t i, k, l, ncatch;

	for (i = 0; i < m->rules.n; i++) {
		r = &((const struct m_rule *)m->rules.v)[i];
		if (r->key != KEY_ADDRESS || r->origin != ORIG_DOMAIN ||
		    (i > 0 && same_group(r - 1, r)))
			continue;
		if ((d = model_domain((struct model *)m, r->domain)) == NULL ||
		    d->kind != DOM_MAILBOX ||
		    model_mailbox((struct model *)m, r->local, r->domain))
			continue;
		l = strlen(r->local);
		for (k = 0; k < npg; k++)
			if (strcmp(pg[k].r->domain, r->domain) == 0 &&
			    strlen(pg[k].r->local) == l + 1 &&
			    strncmp(pg[k].r->local, r->local, l) == 0)
				break;
		if (k < npg)
			continue;
		/* the catch-all group of the domain, if any */
		c = NULL;
		ncatch = 0;
		if (d->catchall != CATCH_NONE && d->catchall != CATCH_BOUNCE) {
			for (k = 0; k < m->rules.n; k++) {
				const struct m_rule *q =
				    &((const struct m_rule *)m->rules.v)[k];

				if (q->key == KEY_CATCHALL &&
				    strcmp(q->domain, r->domain) == 0) {
					if (c == NULL)
						c = q;
					ncatch++;
				} else if (c != NULL)
					break;
			}
		}
		pf_cat_comment(p, &p->vshadow, model_printf((struct model *)m,
		    "%s-EXT: no .qmail-%s-default, so qmail went on to "
		    ".qmail-default", r->local, r->local));
		pf_src_line(p, &p->vshadow, "# from ", c != NULL ? c->src : r->src);
		pf_cat(p, &p->vshadow, "/^");
		cat_re(p, &p->vshadow, r->local, r->src);
		pf_cat(p, &p->vshadow, "-.+@");
		cat_re(p, &p->vshadow, r->domain, r->src);
		pf_cat(p, &p->vshadow, "$/\t");
		if (c == NULL)
			pf_cat(p, &p->vshadow, "nouser@%s", Q2P_PSEUDO_DOMAIN);
		if (c != NULL)
			group_targets(p, &p->vshadow, c, ncatch, 1);
		pf_cat(p, &p->vshadow, "\n");
		p->nshadow++;
		/* a domain's mailboxes are consecutive */
		for (k = d->mb_first; k < d->mb_first + d->nmailboxes &&
		    k < m->mailboxes.n; k++) {
			mb = &((const struct m_mailbox *)m->mailboxes.v)[k];
			if (mb->domain != d->name || mb->has_dotqmail ||
			    d->catchall == CATCH_MAILBOX ||
			    d->catchall == CATCH_FORWARD ||
			    d->catchall == CATCH_DELETE ||
			    strncmp(mb->local, r->local, l) != 0 ||
			    mb->local[l] != '-')
				continue;
			self_entry(p, mb);
		}
	}
}

static void
write_rules(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_rule *r;
	struct prefix_group *pg = NULL, *npg;
	size_t i, j, n, npg_n = 0;

	for (i = 0; i < m->rules.n; i = j) {
		r = &((const struct m_rule *)m->rules.v)[i];
		for (j = i + 1; j < m->rules.n &&
		    same_group(r, &((const struct m_rule *)m->rules.v)[j]); j++)
			;
		n = j - i;
		if (r->key == KEY_PREFIX) {
			npg = realloc(pg, (npg_n + 1) * sizeof(*pg));
			if (npg == NULL) {
				p->err = QPM_ENOMEM;
				break;
			}
			pg = npg;
			pg[npg_n].r = r;
			pg[npg_n].n = n;
			npg_n++;
			continue;
		}
		group_comment(p, &p->valias, r, n);
		cat_key(p, &p->valias, r->key == KEY_CATCHALL ? "" : r->local,
		    r->domain, r->src);
		pf_cat(p, &p->valias, "\t");
		group_targets(p, &p->valias, r, n, 0);
		pf_cat(p, &p->valias, "\n");
	}
	if (npg_n > 1)
		qsort(pg, npg_n, sizeof(*pg), prefix_cmp);
	shadow_prefixes(p, pg, npg_n);
	for (i = 0; i < npg_n; i++) {
		r = pg[i].r;
		group_comment(p, &p->vregexp, r, pg[i].n);
		pf_cat(p, &p->vregexp, "/^");
		cat_re(p, &p->vregexp, r->local, r->src);
		pf_cat(p, &p->vregexp, ".+@");
		cat_re(p, &p->vregexp, r->domain, r->src);
		pf_cat(p, &p->vregexp, "$/\t");
		group_targets(p, &p->vregexp, r, pg[i].n, 1);
		pf_cat(p, &p->vregexp, "\n");
	}
	free(pg);
	if (p->vshadow.len)
		pf_cat(p, &p->vregexp, "%s", p->vshadow.buf);
}

/* recipient_access: a BOUNCE_MAIL user's address in domain dn */
static void
bounce_mail_entry(struct pf *p, const struct m_mailbox *mb, const char *dn)
{
	pf_src_line(p, &p->rcpt, "# from ", mb->src);
	cat_key(p, &p->rcpt, mb->local, dn, mb->src);
	pf_cat(p, &p->rcpt, "\tREJECT 5.2.1 mailbox disabled (vpopmail "
	    "BOUNCE_MAIL)\n");
}

/* Mailboxes; in a catch-all domain each gets a self entry so that the
 * @domain line does not take its mail (virtual(5)). */
static void
write_mailboxes(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_mailbox *mb;
	const struct m_domain *d;
	const struct m_rule *r;
	char *catchdom;
	size_t i, nd = m->domains.n;

	if ((catchdom = calloc(nd ? nd : 1, 1)) == NULL) {
		p->err = QPM_ENOMEM;
		return;
	}
	for (i = 0; i < m->rules.n; i++) {
		r = &((const struct m_rule *)m->rules.v)[i];
		if (r->key == KEY_CATCHALL &&
		    (d = model_domain((struct model *)m, r->domain)) != NULL)
			catchdom[d - (const struct m_domain *)m->domains.v] = 1;
	}
	for (i = 0; i < nd; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		switch ((enum m_dom_kind)d->kind) {
		case DOM_MAILBOX:
			pf_src_line(p, &p->vdoms, "# from ", d->src);
			pf_cat_domain(p, &p->vdoms, d->name, d->src);
			pf_cat(p, &p->vdoms, "\tOK\n");
			break;
		case DOM_ALIAS:
			pf_src_line(p, &p->adoms, "# from ", d->src);
			pf_cat_domain(p, &p->adoms, d->name, d->src);
			pf_cat(p, &p->adoms, "\tOK\n");
			pf_src_line(p, &p->valias, "# from ", d->src);
			cat_key(p, &p->valias, "", d->name, d->src);
			pf_cat(p, &p->valias, "\t");
			cat_addr(p, &p->valias, model_printf((struct model *)m,
			    "@%s", d->real), 0, d->src);
			pf_cat(p, &p->valias, "\n");
			break;
		case DOM_RELAY:
		case DOM_LOCAL:
			break;
		}
	}
	for (i = 0; i < m->mailboxes.n; i++) {
		mb = &((const struct m_mailbox *)m->mailboxes.v)[i];
		if (mb->flags & VP_BOUNCE_MAIL) {
			/* its address in each alias domain too: vdelivermail
			 * bounced it there as well */
			bounce_mail_entry(p, mb, mb->domain);
			for (size_t k = 0; k < nd; k++) {
				d = &((const struct m_domain *)m->domains.v)[k];
				if (d->kind == DOM_ALIAS && d->real != NULL &&
				    strcmp(d->real, mb->domain) == 0)
					bounce_mail_entry(p, mb, d->name);
			}
			continue;
		}
		pf_src_line(p, &p->vmbox, "# from ", mb->src);
		cat_key(p, &p->vmbox, mb->local, mb->domain, mb->src);
		/* the value only says "a mailbox" (LMTP delivers): the old
		 * path, rendered visibly */
		pf_cat(p, &p->vmbox, "\t");
		if (qstr_cat_vis(&p->vmbox, mb->home, strlen(mb->home), 0) < 0)
			p->err = QPM_ENOMEM;
		pf_cat(p, &p->vmbox, "/Maildir/\n");
		{
			size_t k = nd;

			if ((d = model_domain((struct model *)m,
			    mb->domain)) != NULL)
				k = (size_t)(d - (const struct m_domain *)
				    m->domains.v);
			if (k < nd && catchdom[k] && !mb->has_dotqmail)
				self_entry(p, mb);
		}
	}
	free(catchdom);
}

static void
write_entries(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_entry *e;
	struct qstr *s;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < m->entries.n; i++) {
		e = &((const struct m_entry *)m->entries.v)[i];
		switch ((enum m_table)e->table) {
		case TBL_TRANSPORT:
			s = &p->transport;
			break;
		case TBL_SENDER_ACCESS:
			s = &p->sender;
			break;
		case TBL_RCPT_ACCESS:
			s = &p->rcpt;
			break;
		case TBL_RCPTHOSTS:
		case TBL_VIRTUALDOMAINS:
		default:
			continue;
		}
		pf_src_line(p, s, "# from ", e->src);
		pf_esc(p, esc_pf_key(s, e->key, &why), &why, e->src);
		pf_cat(p, s, "\t");
		pf_esc(p, esc_pf_value(s, e->value, &why), &why, e->src);
		pf_cat(p, s, "\n");
	}
}

/* Parameters the output names by their current name, and the name an
 * older target release knows (the same setting, renamed). */
static const struct {
	const char	*name, *old;
	int		 since;		/* the first release with name */
} renamed[] = {
	/* 3.7 renamed it; the deadline then covers a whole request */
	{ "smtpd_per_request_deadline", "smtpd_per_record_deadline", 307 },
	{ NULL, NULL, 0 }
};

static int
name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Each renamed parameter in s (a whole name, in a parameter line, an
 * "-o name=" or a comment) under the name the target release knows. */
static void
release_names(struct pf *p, struct qstr *s)
{
	struct qstr t;
	const char *q, *hit;
	size_t i, n;
	int e = 0;

	for (i = 0; renamed[i].name != NULL; i++) {
		if (writer_postfix_ver(p->o) >= renamed[i].since ||
		    s->len == 0 || strstr(s->buf, renamed[i].name) == NULL)
			continue;
		qstr_init(&t, s->max);
		n = strlen(renamed[i].name);
		for (q = s->buf; e == 0 && (hit = strstr(q, renamed[i].name));
		    q = hit + n) {
			e = qstr_catn(&t, q, (size_t)(hit - q));
			if (e == 0)
				e = (hit > s->buf && name_byte(hit[-1])) ||
				    name_byte(hit[n]) ?
				    qstr_catn(&t, hit, n) :
				    qstr_cat(&t, renamed[i].old);
		}
		if (e == 0)
			e = qstr_cat(&t, q);
		if (e < 0) {
			qstr_free(&t);
			if (p->err == 0)
				p->err = e;
			return;
		}
		qstr_free(s);
		*s = t;
	}
}

/* "# Written for Postfix 3.7 (...) and Dovecot 2.3 (...)." */
void
pf_targets(struct pf *p, struct qstr *s)
{
	int e;

	if ((e = writer_targets(s, "# ", p->o)) < 0 && p->err == 0)
		p->err = e;
}

/* 1 when name is already in the alternation being built (a few
 * dozen domains at most: the model's hosted ones) */
static int
seen(const char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* srs_transport: every sender outside our domains (mailbox, alias and
 * local domains, $myhostname, the SRS domain) and not null takes the
 * srsfwd pipe; srs_reverse: which recipients srs-map is asked about */
static void
write_srs_maps(struct pf *p, const struct wopts *o)
{
	const struct model *m = p->m;
	const struct m_domain *d;
	const char **v;
	const char *host = m->new_hostname ? m->new_hostname : m->me;
	size_t i, n = 0;

	if ((v = calloc(m->domains.n + 2, sizeof(*v))) == NULL) {
		p->err = QPM_ENOMEM;
		return;
	}
	for (i = 0; i < m->domains.n; i++) {
		d = &((const struct m_domain *)m->domains.v)[i];
		if (d->kind != DOM_RELAY && !seen(v, n, d->name))
			v[n++] = d->name;
	}
	if (host != NULL && !seen(v, n, host))
		v[n++] = host;
	if (!seen(v, n, o->srs->domain))
		v[n++] = o->srs->domain;
	pf_cat(p, &p->srs_transport, "# srs_transport: written by qmail2postfix "
	    PACKAGE_VERSION " (regexp:, no postmap).\n"
	    "# sender_dependent_default_transport_maps: senders outside\n# these domains (our mailbox, alias "
	    "and local domains, myhostname and\n# the SRS domain) going to "
	    "another host are forwarded mail: srs-forward\n# gives them an "
	    "SRS sender. \"<>\" is the null sender (bounces: left alone);\n"
	    "# Postfix looks it up quoted, as \"<>\" with the quotes.\n"
	    "!/(^\"?<>\"?$|@(");
	for (i = 0; i < n; i++) {
		if (i > 0)
			pf_cat(p, &p->srs_transport, "|");
		cat_re(p, &p->srs_transport, v[i], no_src);
	}
	pf_cat(p, &p->srs_transport, ")$)/\t%s:\n", Q2P_SRS_SERVICE);
	free(v);
	pf_cat(p, &p->srs_reverse, "# srs_reverse: written by qmail2postfix "
	    PACKAGE_VERSION " (regexp:, no postmap).\n"
	    "# recipient_canonical_maps = pipemap:{this "
	    "table, srs-map reverse}:\n# only SRS0/SRS1 addresses in the "
	    "SRS domain go on to srs-map, which\n# answers the original "
	    "sender or not found (forged, expired: 550 at RCPT).\n"
	    "/^(\"?SRS[01][-+=].*@");
	cat_re(p, &p->srs_reverse, o->srs->domain, no_src);
	pf_cat(p, &p->srs_reverse, ")$/\t${1}\n");
}

static void
svc(struct pf *p, const char *name, const char *type, const char *priv,
    const char *unpriv, const char *wake, const char *proc, const char *cmd)
{
	pf_cat(p, &p->master, "%-10s %-5s %-7s %-7s %-7s %-7s %-7s %s\n", name,
	    type, priv, unpriv, "n", wake, proc, cmd);
}

static const char *
proc(struct pf *p, const char *service, const char *dflt)
{
	const struct m_limit *l;
	long long v;

	v = model_limit_get(p->m, service, "process_limit", -1, &l);
	if (l == NULL)
		return dflt;
	pf_src_line(p, &p->master, "# process limit from ", l->src);
	return model_printf((struct model *)p->m, "%lld", v);
}

/* An smtpd listener: the limits' comment lines and maxproc (the old
 * listener's own -c beats control/concurrencyincoming, which only its
 * run script read); lm->options go below the service line. */
static const char *
listener(struct pf *p, const char *name, const char *service,
    struct limits_master *lm)
{
	int e;

	limits_master_init(lm);
	if (p->m->climits.recommended &&
	    (e = limits_postfix_master(&p->m->climits, name, lm)) < 0) {
		p->err = e;
		return "-";
	}
	if (lm->comment.len > 0)
		pf_cat(p, &p->master, "%s", lm->comment.buf);
	if (lm->maxproc >= 0)
		return model_printf((struct model *)p->m, "%ld", lm->maxproc);
	return proc(p, service, "-");
}

/* tcprules deny rules of this port (its tcpserver -x file) */
static int
denies(const struct pf *p, enum limits_svc svc)
{
	const struct limits *l = &p->m->climits;
	size_t i;

	for (i = 0; i < l->nitems; i++)
		if (l->items[i].kind == LK_ACCESS_DENY &&
		    l->items[i].svc == svc && l->items[i].inert == NULL)
			return 1;
	return 0;
}

/* The -o lines of submission and smtps: AUTH required; the tcprules
 * deny rules of the port first, as tcpserver refused before anything */
static void
auth_listener(struct pf *p, const char *name, enum limits_svc svc,
    struct limits_master *lm, int starttls)
{
	pf_cat(p, &p->master, "  -o syslog_name=postfix/%s\n", name);
	if (starttls)
		pf_cat(p, &p->master, "  -o smtpd_tls_security_level=encrypt\n");
	else
		pf_cat(p, &p->master, "  -o smtpd_tls_wrappermode=yes\n");
	pf_cat(p, &p->master, "  -o smtpd_sasl_auth_enable=yes\n");
	if (starttls)
		pf_cat(p, &p->master, "  -o smtpd_tls_auth_only=yes\n");
	if (p->ncidr > 0 && denies(p, svc))
		pf_cat(p, &p->master, "  # the tcprules deny rules of port %d "
		    "(client_access.cidr), before AUTH\n  -o smtpd_client_"
		    "restrictions=check_client_access,cidr:${config_directory}/"
		    "client_access.cidr,permit_sasl_authenticated,reject\n",
		    limits_svc_port(svc));
	else
		pf_cat(p, &p->master, "  -o smtpd_client_restrictions="
		    "permit_sasl_authenticated,reject\n");
	pf_cat(p, &p->master, "  -o smtpd_relay_restrictions="
	    "permit_sasl_authenticated,reject\n");
	if (lm->options.len > 0)
		pf_cat(p, &p->master, "%s", lm->options.buf);
	limits_master_free(lm);
}

/* one pipe(8) argv word: "{ text }" when it holds a blank ('$'
 * doubled, no brace or control byte either way) */
static void
pipe_word(struct pf *p, const char *opt, const char *t, struct src src)
{
	const char *why = NULL;
	int brace = strpbrk(t, " \t") != NULL;

	pf_cat(p, &p->master, " %s%s", opt, brace ? "{ " : "");
	pf_esc(p, esc_pf_sh_cmd(&p->master, t, &why), &why, src);
	if (brace)
		pf_cat(p, &p->master, " }");
}

/* -p HOST:PREFIX:KEY for a host with a virtualdomains prefix: KEY is
 * the users/assign key qmail-lspawn took for PREFIX-local there */
static void
pipe_vd(struct pf *p, const char *host, const char *local, struct src src)
{
	struct model *m = (struct model *)p->m;
	const char *v = vd_prefix(p->m, host);
	const struct m_assign *a;

	if (v == NULL)
		return;
	a = model_assign_lookup(m, model_printf(m, "%s%s%s", v, *v ? "-" : "",
	    local));
	pipe_word(p, "-p ", model_printf(m, "%s:%s:%s", host, v,
	    a != NULL && a->wild ? a->local : ""), src);
}

/* One line argument of q2p-dotqmail: "N|command", "N&address",
 * "N>mailbox", "N!bounce text"; a discard is no line. */
static void
pipe_line(struct pf *p, const struct m_rule *r)
{
	static const char kind[] = { 0, '>', '&', '|', 0, '!' };
	struct qstr t = QSTR_INIT(QPM_MAX_CONFIG_LINE * 4);
	const char *v;

	if (r->dest >= sizeof(kind) || kind[r->dest] == 0)
		return;
	if (qstr_catf(&t, "%lu%c", r->src.line, kind[r->dest]) < 0)
		p->err = QPM_ENOMEM;
	/* a bounce text as one line without braces, as in transport */
	for (v = r->value; *v != '\0' && p->err == 0; v++)
		if (qstr_catc(&t, r->dest == DEST_BOUNCE &&
		    ((unsigned char)*v < ' ' || *v == 0x7f || *v == '{' ||
		    *v == '}') ? ' ' : *v) < 0)
			p->err = QPM_ENOMEM;
	pipe_word(p, "", qstr_str(&t), r->src);
	qstr_free(&t);
}

/* A valias row's group (vpop_mysql.c names its lines
 * DOMDIR/mysql:DB.valias[ALIAS@DOMAIN]): what -q says to q2p-dotqmail,
 * which runs it as vdelivermail's process_valias did (-V); NULL for
 * any other group.  A "-default" row, matched for a longer address,
 * sets DEFAULT to the part after its prefix, as .qmail-ALIAS would;
 * every other row leaves qmail-local's DEFAULT of the domain's
 * .qmail-default (all of EXT). */
static const char *
valias_qme(const struct model *m, const char *base)
{
	static const char tag[] = ".valias[", dflt[] = "-default";
	const char *a = strstr(base, tag), *at;
	size_t n = strlen(base), dl = sizeof(dflt) - 1;

	if (strncmp(base, "mysql:", 6) != 0 || a == NULL ||
	    base[n - 1] != ']' || (at = strrchr(a, '@')) == NULL)
		return NULL;
	a += sizeof(tag) - 1;
	/* "x-default", as vpopmail's valias_name: mail for x-ANYTHING */
	if ((size_t)(at - a) > dl && memcmp(at - dl, dflt, dl) == 0)
		return model_strndup((struct model *)m, a, (size_t)(at - a));
	return "default";
}

/* Each group with a program line: a q2p-dotqmail service running the
 * whole file as qmail-local did.  What qmail-send and qmail-lspawn
 * decided (virtualdomains prefix, the users/assign line) and which
 * file qmail-local read (DEFAULT) are decided here, from the model. */
static void
write_pipes(struct pf *p)
{
	const struct model *m = p->m;
	const struct m_rule *r, *g;
	const struct m_assign *a;
	const struct m_domain *d;
	const char *dir, *slash, *base, *user = NULL, *vp, *qme, *why = NULL;
	size_t i, k, len0;
	int err0;

	for (i = 0; i < p->npipes; i++) {
		g = p->pipes[i].rule;
		user = NULL;
		len0 = p->master.len;
		err0 = p->err;
		for (k = 0; k < p->pipes[i].n; k++)
			if (g[k].dest == DEST_PIPE)
				user = g[k].user;
		group_comment(p, &p->master, g, p->pipes[i].n);
		for (k = 0; k < p->pipes[i].n; k++) {
			r = g + k;
			pf_esc(p, esc_comment(&p->master, "", "%lu: %s%s",
			    r->src.line, r->dest == DEST_PIPE ? "|" :
			    r->dest == DEST_FORWARD ? "&" : r->dest ==
			    DEST_MAILBOX ? "mailbox " : r->dest == DEST_BOUNCE ?
			    "bounce " : "discard ", r->value), NULL, r->src);
		}
		pf_esc(p, esc_comment(&p->master, "", "ran as %s, in file "
		    "order, by q2p-dotqmail", user), NULL, g->src);
		pf_cat(p, &p->master, "q2p-pipe%zu unix  -       n       n       "
		    "-       -       pipe\n  user=", i + 1);
		pf_esc(p, esc_pf_word(&p->master, user, &why), &why, g->src);
		pf_cat(p, &p->master, " argv=%s/q2p-dotqmail", p->o->srs != NULL ?
		    p->o->srs->bindir : BINDIR);
		dir = g->src.file;
		slash = strrchr(dir, '/');
		base = slash != NULL ? slash + 1 : dir;
		pipe_word(p, "-f ", dir, g->src);
		if (slash != NULL)
			pipe_word(p, "-c ", model_strndup((struct model *)m, dir,
			    (size_t)(slash - dir)), g->src);
		/* the users/assign line qmail-lspawn took for the file's
		 * addresses: vprefix-local, or the prefix of a -default */
		vp = vd_prefix(m, g->domain);
		a = model_assign_lookup(m, model_printf((struct model *)m,
		    "%s%s%s", vp != NULL && *vp ? vp : "", vp != NULL && *vp ?
		    "-" : "", g->local));
		if (a != NULL) {
			pipe_word(p, "-u ", a->user, g->src);
			pipe_word(p, "-h ", a->home, g->src);
			if (*a->dash)
				pipe_word(p, "-d ", a->dash, g->src);
			if (a->wild && *a->local)
				pipe_word(p, "-a ", a->local, g->src);
			if (a->ext != NULL && *a->ext)
				pipe_word(p, "-x ", a->ext, g->src);
		} else {
			/* qmail-getpw: USER-ext of a system user, else all of
			 * LOCAL is ~alias's ext */
			pipe_word(p, "-u ", user, g->src);
			if (slash != NULL)
				pipe_word(p, "-h ", model_strndup((struct model *)m,
				    dir, (size_t)(slash - dir)), g->src);
			pf_cat(p, &p->master, " -d -");
			if (g->origin == ORIG_ALIAS)
				pf_cat(p, &p->master, " -e");
			else
				pipe_word(p, "-a ", model_printf((struct model *)m,
				    "%s-", user), g->src);
		}
		/* the file qmail-local read: vdelivermail reads a user's
		 * .qmail under the domain's .qmail-default */
		if (g->origin == ORIG_USER) {
			qme = "default";
			pf_cat(p, &p->master, " -V");
		} else if ((qme = valias_qme(m, base)) != NULL)
			pf_cat(p, &p->master, " -V");
		else if (a != NULL && strncmp(base, ".qmail", 6) == 0 &&
		    strncmp(base + 6, a->dash, strlen(a->dash)) == 0)
			qme = base + 6 + strlen(a->dash);
		else
			qme = strncmp(base, ".qmail-", 7) == 0 ? base + 7 : "";
		if (*qme)
			pipe_word(p, "-q ", qme, g->src);
		pipe_vd(p, g->domain, g->local, g->src);
		for (k = 0; k < m->domains.n; k++) {
			d = &((const struct m_domain *)m->domains.v)[k];
			if (d->kind == DOM_ALIAS && d->real != NULL &&
			    strcasecmp(d->real, g->domain) == 0)
				pipe_vd(p, d->name, g->local, d->src);
		}
		pf_cat(p, &p->master, " -- ${sender} ${original_recipient}");
		for (k = 0; k < p->pipes[i].n; k++)
			pipe_line(p, g + k);
		pf_cat(p, &p->master, "\n");
		pf_src_line(p, &p->transport, "# from ", g->src);
		if (err0 == 0 && p->err == QPM_ESYNTAX) {
			/* a users/assign or virtualdomains value master.cf
			 * cannot hold (the reader checked the file's own):
			 * the mail waits in the queue, never bounces */
			p->master.len = len0;
			p->master.buf[len0] = '\0';
			p->err = 0;
			pf_esc(p, esc_comment(&p->master, "", "q2p-pipe%zu not "
			    "written: %s", i + 1, p->why != NULL ? p->why : "?"),
			    NULL, g->src);
			p->why = NULL;
			pf_cat(p, &p->transport, "pipe%zu@%s\tretry:4.3.5 the "
			    ".qmail file's service could not be written\n", i + 1,
			    Q2P_PSEUDO_DOMAIN);
			continue;
		}
		pf_cat(p, &p->transport, "pipe%zu@%s\tq2p-pipe%zu:\n", i + 1,
		    Q2P_PSEUDO_DOMAIN, i + 1);
	}
}

static void
write_master(struct pf *p)
{
	struct limits_master lm;
	const char *v;

	pf_cat(p, &p->master,
	    "# Postfix master.cf written by qmail2postfix " PACKAGE_VERSION ".\n");
	pf_targets(p, &p->master);
	pf_cat(p, &p->master, "# Process limits come from the old host where "
	    "it set one\n# (control/concurrency*, tcpserver -c); the comment "
	    "above a service\n# names the source.\n"
	    "# service  type  private unpriv  chroot  wakeup  maxproc command\n");
	v = listener(p, "smtp", "smtp/inet", &lm);
	svc(p, "smtp", "inet", "n", "-", "-", v, "smtpd");
	if (lm.options.len > 0)
		pf_cat(p, &p->master, "%s", lm.options.buf);
	limits_master_free(&lm);
	pf_cat(p, &p->master, "# SMTP AUTH for mail clients, as qmail-smtpd with "
	    "vchkpw did\n");
	v = listener(p, "submission", "submission/inet", &lm);
	svc(p, "submission", "inet", "n", "-", "-", v, "smtpd");
	auth_listener(p, "submission", LSVC_SUBMISSION, &lm, 1);
	v = listener(p, "smtps", "smtps/inet", &lm);
	svc(p, "smtps", "inet", "n", "-", "-", v, "smtpd");
	auth_listener(p, "smtps", LSVC_SMTPS, &lm, 0);
	svc(p, "pickup", "unix", "n", "-", "60", "1", "pickup");
	svc(p, "cleanup", "unix", "n", "-", "-", "0", "cleanup");
	svc(p, "qmgr", "unix", "n", "-", "300", "1", "qmgr");
	svc(p, "tlsmgr", "unix", "-", "-", "1000?", "1", "tlsmgr");
	svc(p, "rewrite", "unix", "-", "-", "-", "-", "trivial-rewrite");
	svc(p, "bounce", "unix", "-", "-", "-", "0", "bounce");
	svc(p, "defer", "unix", "-", "-", "-", "0", "bounce");
	svc(p, "trace", "unix", "-", "-", "-", "0", "bounce");
	svc(p, "verify", "unix", "-", "-", "-", "1", "verify");
	svc(p, "flush", "unix", "n", "-", "1000?", "0", "flush");
	svc(p, "proxymap", "unix", "-", "-", "-", "-", "proxymap");
	svc(p, "proxywrite", "unix", "-", "-", "-", "1", "proxymap");
	v = proc(p, "smtp/unix", "-");
	svc(p, "smtp", "unix", "-", "-", "-", v, "smtp");
	svc(p, "relay", "unix", "-", "-", "-", "-", "smtp");
	svc(p, "showq", "unix", "n", "-", "-", "-", "showq");
	svc(p, "error", "unix", "-", "-", "-", "-", "error");
	svc(p, "retry", "unix", "-", "-", "-", "-", "error");
	svc(p, "discard", "unix", "-", "-", "-", "-", "discard");
	svc(p, "local", "unix", "-", "n", "-", "-", "local");
	svc(p, "virtual", "unix", "-", "n", "-", "-", "virtual");
	v = proc(p, "lmtp/unix", "-");
	svc(p, "lmtp", "unix", "-", "-", "-", v, "lmtp");
	svc(p, "anvil", "unix", "-", "-", "-", "1", "anvil");
	svc(p, "scache", "unix", "-", "-", "-", "1", "scache");
	svc(p, "postlog", "unix-dgram", "n", "-", "-", "1", "postlogd");
	if (p->o->srs != NULL) {
		/* F and R: the sender srs-forward rewrites comes from the
		 * From_ line or Return-Path (never $SENDER, which local(8)
		 * would have mangled); q quotes the recipient */
		pf_cat(p, &p->master, "# SRS for forwarded mail "
		    "(sender_dependent_default_transport_maps): srs-forward\n"
		    "# re-injects it through sendmail with an SRS sender in "
		    "%s;\n# runs as the system user %s, which must be able to "
		    "read the secret\n", p->o->srs->domain, Q2P_SRS_SERVICE);
		pf_cat(p, &p->master, "%-10s unix  -       n       n       -       "
		    "-       pipe\n  flags=FRq user=%s argv=%s/srs-forward -d %s "
		    "-s %s -- ${recipient}\n", Q2P_SRS_SERVICE, Q2P_SRS_SERVICE,
		    p->o->srs->bindir, p->o->srs->domain, p->o->srs->secret);
	}
	write_pipes(p);
}

static int
table_file(struct pf *p, const struct wopts *o, const char *name,
    const char *what, struct qstr *body)
{
	struct qstr s = QSTR_INIT(BIG);
	int e;

	/* --userdb sql: the rows go to data.sql, Postfix reads MariaDB */
	if (o->sql != NULL && sql_has_map(name)) {
		if ((e = sql_map_rows(o->sql, name, body)) == 0)
			e = sql_postfix_cf(o, name);
		return e;
	}
	if ((e = qstr_catf(&s, "# %s: lookup table source written by "
	    "qmail2postfix " PACKAGE_VERSION ".\n# %s\n# The comment above "
	    "each entry names the old file:line.\n", name, what)) < 0 ||
	    (body->len && (e = qstr_catn(&s, body->buf, body->len)) < 0)) {
		qstr_free(&s);
		return e;
	}
	e = writer_file(o, model_printf((struct model *)p->m, "postfix/%s",
	    name), &s, QPM_MODE_PUBLIC);
	qstr_free(&s);
	return e;
}

int
write_postfix(const struct model *m, const struct wopts *o)
{
	struct pf p;
	int e = 0;

	memset(&p, 0, sizeof(p));
	p.m = m;
	p.o = o;
	qstr_init(&p.lmain, BIG);
	qstr_init(&p.cidr, BIG);
	if (m->climits.recommended &&
	    ((e = limits_postfix_main(&m->climits, &p.lmain)) < 0 ||
	    (e = limits_postfix_client_access(&m->climits, &p.cidr)) < 0)) {
		qstr_free(&p.lmain);
		qstr_free(&p.cidr);
		return e;
	}
	{
		const char *q;

		for (q = p.cidr.buf; q != NULL && *q != '\0';
		    q = strchr(q, '\n'), q = q ? q + 1 : NULL)
			if (*q != '#' && *q != '\n')
				p.ncidr++;
	}
	qstr_init(&p.main, BIG);
	qstr_init(&p.master, BIG);
	qstr_init(&p.valias, BIG);
	qstr_init(&p.vregexp, BIG);
	qstr_init(&p.vshadow, BIG);
	qstr_init(&p.vmbox, BIG);
	qstr_init(&p.vdoms, BIG);
	qstr_init(&p.adoms, BIG);
	qstr_init(&p.transport, BIG);
	qstr_init(&p.sender, BIG);
	qstr_init(&p.rcpt, BIG);
	qstr_init(&p.srs_transport, BIG);
	qstr_init(&p.srs_reverse, BIG);
	if (o->srs != NULL && !addr_domain_ok(o->srs->domain, &p.why)) {
		p.err = QPM_ESYNTAX;
		p.why_src.file = "--srs-domain";
	}
	write_rules(&p);
	if (o->srs != NULL)
		write_srs_maps(&p, o);
	write_mailboxes(&p);
	write_entries(&p);
	if (p.nshadow)
		pf_cat(&p, &p.transport, "# qmail2postfix: unknown users the old "
		    "host bounced (see virtual_alias_regexp)\nnouser@%s\t"
		    "error:5.1.1 mailbox unavailable\n", Q2P_PSEUDO_DOMAIN);
	pf_cat(&p, &p.transport, "# qmail2postfix: mail the old host deleted "
	    "(vdelivermail delete, .qmail)\ndiscard@%s\tdiscard:deleted as on "
	    "the old host\n", Q2P_PSEUDO_DOMAIN);
	write_master(&p);
	pf_write_main(&p, o);
	release_names(&p, &p.main);
	release_names(&p, &p.master);
	if (p.err == QPM_ESYNTAX)
		msg_errorx("%s:%lu: cannot be written to Postfix: %s",
		    p.why_src.file ? vis_name((struct model *)m,
		    p.why_src.file) : "(unknown)", p.why_src.line,
		    p.why ? p.why : "unsafe text");
	if (p.err < 0)
		e = p.err;
	if (e == 0)
		e = writer_file(o, "postfix/main.cf", &p.main, QPM_MODE_PUBLIC);
	if (e == 0)
		e = writer_file(o, "postfix/master.cf", &p.master,
		    QPM_MODE_PUBLIC);
	if (e == 0)
		e = table_file(&p, o, "virtual_alias", "virtual_alias_maps "
		    "(hash:): aliases, forwards, catch-alls, alias domains",
		    &p.valias);
	if (e == 0)
		e = table_file(&p, o, "virtual_alias_regexp",
		    "virtual_alias_maps (regexp:): .qmail-PREFIX-default files,"
		    " longest prefix first", &p.vregexp);
	if (e == 0)
		e = table_file(&p, o, "virtual_mailbox", "virtual_mailbox_maps "
		    "(hash:): every vpasswd mailbox", &p.vmbox);
	if (e == 0)
		e = table_file(&p, o, "virtual_mailbox_domains",
		    "virtual_mailbox_domains (hash:)", &p.vdoms);
	if (e == 0)
		e = table_file(&p, o, "virtual_alias_domains",
		    "virtual_alias_domains (hash:)", &p.adoms);
	if (e == 0)
		e = table_file(&p, o, "transport", "transport_maps (hash:)",
		    &p.transport);
	if (e == 0)
		e = table_file(&p, o, "sender_access", "check_sender_access "
		    "(hash:): control/badmailfrom", &p.sender);
	if (e == 0)
		e = table_file(&p, o, "recipient_access", "check_recipient_"
		    "access (hash:): control/badrcptto, BOUNCE_MAIL", &p.rcpt);
	/* regexp: need no postmap */
	if (e == 0 && o->srs != NULL)
		e = writer_file(o, "postfix/srs_transport", &p.srs_transport,
		    QPM_MODE_PUBLIC);
	if (e == 0 && o->srs != NULL)
		e = writer_file(o, "postfix/srs_reverse", &p.srs_reverse,
		    QPM_MODE_PUBLIC);
	/* cidr: needs no postmap; main.cf names it only when it denies */
	if (e == 0 && p.cidr.len > 0)
		e = writer_file(o, "postfix/client_access.cidr", &p.cidr,
		    QPM_MODE_PUBLIC);
	qstr_free(&p.lmain);
	qstr_free(&p.cidr);
	qstr_free(&p.main);
	qstr_free(&p.master);
	qstr_free(&p.valias);
	qstr_free(&p.vregexp);
	qstr_free(&p.vshadow);
	qstr_free(&p.vmbox);
	qstr_free(&p.vdoms);
	qstr_free(&p.adoms);
	qstr_free(&p.transport);
	qstr_free(&p.sender);
	qstr_free(&p.rcpt);
	qstr_free(&p.srs_transport);
	qstr_free(&p.srs_reverse);
	free(p.pipes);
	free(p.folders);
	return e;
}
