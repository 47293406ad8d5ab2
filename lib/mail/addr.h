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

#endif
