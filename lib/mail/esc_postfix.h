/*
 * NAME		esc_postfix - old-host strings into Postfix, nftables and
 *		sysctl syntax
 * DOES		one function per target syntax: each appends the string
 *		safely (escaped, quoted, '$' doubled where Postfix expands
 *		it) or refuses it with QPM_ESYNTAX and a reason, leaving the
 *		string unchanged, so that the caller lists the item
 * NEVER	lets a byte of the old host end a line, start a comment or
 *		split a key, value or argument
 */
#ifndef Q2P_ESC_POSTFIX_H
#define Q2P_ESC_POSTFIX_H

#include <stddef.h>

#include "util/qstr.h"

/* A '#' comment line of any line-oriented file (lookup tables, main.cf,
 * master.cf, nftables, sysctl): ind, "# ", the formatted text rendered
 * by qstr_cat_vis, "\n".  0 or a negative qpm_err. */
int	esc_comment(struct qstr *s, const char *ind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* A hash:/texthash: key: no whitespace, control byte, non-ASCII byte,
 * and no leading '#'. */
int	esc_pf_key(struct qstr *s, const char *key, const char **why);
/* A hash:/cidr: value (the rest of the line): no control byte. */
int	esc_pf_value(struct qstr *s, const char *v, const char **why);
/* One address of a virtual_alias_maps result list: no whitespace,
 * control byte or ','; with dollar (a regexp: result) each '$' doubled. */
int	esc_pf_addr(struct qstr *s, const char *addr, int dollar,
	    const char **why);
/* Literal text inside a regexp: pattern: metacharacters and the '/'
 * delimiter escaped; no control byte. */
int	esc_pf_regexp(struct qstr *s, const char *t, const char **why);
/* A main.cf parameter value: no control byte; '$' doubled. */
int	esc_pf_param(struct qstr *s, const char *v, const char **why);
/* A master.cf field or pipe(8) attribute value (service name, user=):
 * printable ASCII without whitespace, '{', '}', '$' or '='. */
int	esc_pf_word(struct qstr *s, const char *w, const char **why);
/* A shell word inside pipe(8) argv=/bin/sh -c { ... }: single-quoted
 * for sh ('\'' for a quote), '$' doubled for pipe(8); no control byte,
 * '{' or '}'. */
int	esc_pf_sh_quote(struct qstr *s, const char *t, const char **why);
/* A shell command inside the same { ... }: copied with '$' doubled; no
 * control byte, '{' or '}' (the braces would end the argument). */
int	esc_pf_sh_cmd(struct qstr *s, const char *t, const char **why);

#endif
