/*
 * NAME		addr - RFC 5321 mailbox splitting
 * DOES		finds the @ that separates local part and domain: the last
 *		one outside a quoted string
 * NEVER	uses strchr(addr, '@')
 */
#ifndef QPM_ADDR_H
#define QPM_ADDR_H

#include <stddef.h>

/* Returns the offset of the separating '@' in addr[0..len), or -1 when
 * there is none (or the quotes do not balance). */
long	addr_split(const char *addr, size_t len);

/* 1 when the local part (len bytes) is a quoted string "..." */
int	addr_local_is_quoted(const char *local, size_t len);

/* 1 when the local part is a valid RFC 5321 Dot-string. */
int	addr_local_is_dot_string(const char *local, size_t len);

/* 1 when s[0..n) can be an address local part in every generated file
 * (a lookup key, a regexp, a pipe's shell word): printable ASCII without
 * space, '"', '(', ')', ',', ':', ';', '<', '>', '@', '[', '\', ']', not
 * empty, not starting with '#'; 0 with *why otherwise. */
int	addr_local_ok(const char *s, size_t n, const char **why);
/* 1 when d is a domain name Postfix takes as written: letters, digits,
 * '-' (not first or last in a label) and '_', in '.'-separated labels
 * of at most 63, at most 255 in all; 0 with *why otherwise (a non-ASCII
 * name needs its A-label). */
int	addr_domain_ok(const char *d, const char **why);

#endif
