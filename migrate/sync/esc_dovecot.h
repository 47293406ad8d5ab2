/*
 * NAME		esc_dovecot - old-host names and keywords into the files
 *		Dovecot reads in a Maildir: dovecot-uidlist, dovecot-keywords,
 *		subscriptions, the folder directories (and sync's own
 *		qmail2postfix-sync, which keeps the same names)
 * DOES		one function per file syntax: each appends the line (or
 *		name) whole, or refuses it with QPM_ESYNTAX and a reason,
 *		leaving the string unchanged, so that the caller lists the
 *		item with its file:line
 * NEVER	lets a byte of the old host end a line, split a field, climb
 *		out of the Maildir ('/', "..") or make an empty hierarchy
 *		level
 */
#ifndef Q2P_ESC_DOVECOT_H
#define Q2P_ESC_DOVECOT_H

#include <stddef.h>

#include "util/qstr.h"

/* A Maildir file name (n bytes) as dovecot-uidlist (":NAME" to the end
 * of the line) and qmail2postfix-sync ("BASE NAME") carry it: not empty,
 * not "." or "..", no '/', no byte below 0x21 and no 0x7f.  1 or 0. */
int	esc_dc_name_ok(const char *name, size_t n, const char **why);

/* An IMAP keyword (RFC 3501 9 flag-keyword: an atom, no '\\'): 1 or 0. */
int	esc_dc_keyword_ok(const char *kw, size_t n);

/* One dovecot-keywords line "IDX KEYWORD\n". */
int	esc_dc_keyword(struct qstr *s, size_t idx, const char *kw,
	    const char **why);

/* One dovecot-uidlist record "UID[ FIELDS] :NAME\n": fields (NULL or
 * "") are extension fields, each an upper-case letter and printable
 * ASCII (O12, PUID1-2), one space between them; name as esc_dc_name_ok. */
int	esc_dc_uidlist(struct qstr *s, unsigned long uid, const char *fields,
	    const char *name, const char **why);

/* One qmail2postfix-sync line "BASE cur/NAME\n" or "BASE new/NAME\n"
 * (base: blen bytes; both names as esc_dc_name_ok). */
int	esc_dc_state(struct qstr *s, const char *base, size_t blen,
	    const char *name, const char **why);

/* A folder's name (n bytes, courier's on-disk name without the leading
 * '.') as Dovecot's Maildir++ directory and subscriptions want it:
 * modified UTF-7 (courier 4 wrote that; courier 5's UTF-8 is encoded; a
 * name that is neither is taken as Latin-1), a control byte (a newline)
 * encoded with it.  Refused: empty, a '/', a '.' first or last or two
 * in a row (an empty level: Dovecot opens none of these).  0 kept, 1
 * converted from UTF-8, 2 ASCII but no modified UTF-7 (taken as UTF-8:
 * "&" becomes "&-"), 3 taken as Latin-1, QPM_ESYNTAX refused, or the
 * qstr error. */
int	esc_dc_folder(struct qstr *s, const char *name, size_t n,
	    const char **why);

/* One subscriptions line: the folder name as esc_dc_folder gives it
 * ("INBOX" as it is), then "\n".  esc_dc_folder's results. */
int	esc_dc_subscription(struct qstr *s, const char *name, size_t n,
	    const char **why);

#endif
