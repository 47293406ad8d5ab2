/*
 * NAME		courier_state - courier-imap's and courier pop3d's per-folder
 *		state files, read into what Dovecot keeps
 * DOES		courierimapuiddb (UIDVALIDITY, NEXTUID, UID per message),
 *		courierimapkeywords (:list and the pending update files,
 *		keywords folded as courier folds them), courierimapsubscribed,
 *		courierpop3dsizelist (the UIDLs courier's pop3d showed), and
 *		folder names in modified UTF-7 (RFC 3501 5.1.3)
 * NEVER	opens a file: bytes in, entries and "file:line: problem"
 *		diagnostics out; a line it cannot trust is dropped and listed,
 *		never guessed
 */
#ifndef Q2P_COURIER_STATE_H
#define Q2P_COURIER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/qstr.h"
#include "util/strlist.h"

/* keyword letters of a Maildir file name: 'a' + index, at most 26 */
#define CS_MAX_KEYWORDS	26

/* one message of a folder, known by its base name (up to the ':') */
struct cs_ent {
	char		*base;
	unsigned long	 uid;	/* uiddb: its UID */
	uint32_t	 kw;	/* keywords: bit i is keyword i */
	char		*uidl;	/* pop3: the UIDL courier's pop3d showed */
	unsigned long	 line;	/* where it was read */
};

struct cs_map {
	struct cs_ent	*v;
	size_t		 n, cap;
};

struct cs_uiddb {
	int		 valid;		/* the header was read */
	unsigned long	 uidvalidity, nextuid;
	struct cs_map	 msgs;		/* sorted by base after parsing */
};

struct cs_keywords {
	struct strlist	 names;		/* index i: keyword i as courier shows it */
	struct cs_map	 msgs;
};

/* All: 0 or QPM_ENOMEM / QPM_ERANGE; input problems are not errors,
 * they go to diag as "file:line: problem" (file as given). */

/* "1 UIDVALIDITY NEXTUID" then "UID BASE" lines.  Lines that are not
 * trusted (no number, a UID seen before, a base seen before, the last
 * line of a file cut short) are dropped and listed: those messages get
 * new UIDs.  A bad header: valid stays 0, nothing is trusted. */
int	cs_uiddb_parse(struct cs_uiddb *u, const char *file, const char *text,
	    size_t len, struct strlist *diag);
void	cs_uiddb_free(struct cs_uiddb *u);

/* A new entry for the first n bytes of base: 0 or QPM_ENOMEM. */
int	cs_map_add(struct cs_map *m, const char *base, size_t n,
	    unsigned long line, struct cs_ent **out);
/* Sort by base (then line); call before cs_map_find. */
void	cs_map_sort(struct cs_map *m);
/* The entry of base (up to a ':' of its own) in a sorted map, or NULL. */
const struct cs_ent *cs_map_find(const struct cs_map *m, const char *base);
void	cs_map_free(struct cs_map *m);

/* courierimapkeywords/:list: keyword names, an empty line, then
 * "BASE:N N ..." lines. */
int	cs_keywords_list(struct cs_keywords *k, const char *file,
	    const char *text, size_t len, struct strlist *diag);
/* A pending update file of base: one keyword a line, replacing what
 * :list says of that message (an empty file: no keywords).  Keywords
 * are matched ignoring ASCII case, as courier folds them: the first
 * spelling met is the one kept. */
int	cs_keywords_update(struct cs_keywords *k, const char *base,
	    const char *file, const char *text, size_t len,
	    struct strlist *diag);
/* The name of an update file in courierimapkeywords/: its base and its
 * counter (".N.BASE"; -1 for "BASE", which wins over any counter).
 * 0, or -1 for ":list" and names that are not update files. */
int	cs_keywords_update_name(const char *fname, const char **base,
	    long *counter);
void	cs_keywords_free(struct cs_keywords *k);

/* courierimapsubscribed -> Dovecot's subscriptions file for the
 * namespace "INBOX." with separator ".": one name a line without the
 * prefix ("INBOX" stays), folder names as on Dovecot's disk (modified
 * UTF-7).  Lines that name nothing in that namespace are listed. */
int	cs_subscriptions(const char *file, const char *text, size_t len,
	    struct qstr *out, struct strlist *diag);

/* courierpop3dsizelist: the UIDL of each message courier's pop3d
 * showed ("/2 NEXT UIDV" header; v0 lines carry the file name). */
int	cs_pop3_parse(struct cs_map *m, const char *file, const char *text,
	    size_t len, struct strlist *diag);

/* 1 when s (n bytes) is valid modified UTF-7, else 0. */
int	cs_mutf7_valid(const char *s, size_t n);
/* The UTF-8 name s into modified UTF-7 appended to out: 0, QPM_ESYNTAX
 * when s is no UTF-8, or the qstr error. */
int	cs_utf8_to_mutf7(struct qstr *out, const char *s, size_t n);
/* A folder's name on the old disk as Dovecot's disk wants it (modified
 * UTF-7): courier 4 wrote that already; courier 5 wrote UTF-8.  Appended
 * to out; 0 when kept, 1 when converted from UTF-8, 2 when it is ASCII
 * but no valid modified UTF-7 (taken as UTF-8: "&" becomes "&-"),
 * QPM_ESYNTAX when it is neither (nothing appended), or the qstr error. */
int	cs_folder_name(struct qstr *out, const char *s, size_t n);

#endif
