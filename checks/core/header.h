/*
 * NAME		header - RFC 5322 header block and address-list parser
 * DOES		splits a message into header fields (folding kept, 8-bit
 *		bytes kept) and a body; extracts the addresses of From:
 * NEVER	copies the message, reads past its length, cuts silently:
 *		a limit hit is an error the caller reports
 */
#ifndef QPM_HEADER_H
#define QPM_HEADER_H

#include <stddef.h>

struct hdr_field {
	const char	*name;		/* into the message; not NUL-terminated */
	size_t		 namelen;
	const char	*raw;		/* "Name: value" with folding, without
					 * the final line ending */
	size_t		 rawlen;
	const char	*value;		/* after the colon */
	size_t		 valuelen;
	size_t		 line;		/* 1-based line of the field name */
};

/* hdr_msg.flags */
#define HDR_F_8BIT		0x001	/* a header byte >= 0x80 */
#define HDR_F_BODY_8BIT		0x002	/* a body byte >= 0x80 */
#define HDR_F_BARE_LF		0x004	/* lines end in LF, not CRLF */
#define HDR_F_MBOX_FROM		0x008	/* a leading "From " line was skipped */
#define HDR_F_NO_BODY		0x010	/* no empty line: all header, no body */
#define HDR_F_GARBAGE		0x020	/* a line that is not a field ended
					 * the header (see bad_line) */
#define HDR_F_LONG_LINE		0x040	/* a header line over 998 bytes */
#define HDR_F_NUL		0x080	/* a NUL byte in the header */
#define HDR_F_BODY_LONG_LINE	0x100	/* a body line over 998 bytes */

struct hdr_msg {
	struct hdr_field *f;
	size_t		 n, cap;
	const char	*body;		/* after the empty line */
	size_t		 bodylen;
	size_t		 hdrlen;	/* header bytes before the body */
	unsigned	 flags;
	size_t		 bad_line;	/* HDR_F_GARBAGE: its line number */
};

/*
 * Parses msg[0..len). The message must outlive m. Returns 0, QPM_ERANGE
 * when the header block exceeds QPM_MAX_HEADER_BLOCK bytes or
 * QPM_MAX_HEADER_FIELDS fields, QPM_ENOMEM. On error m is empty.
 */
int	hdr_parse(const char *msg, size_t len, struct hdr_msg *m);
void	hdr_free(struct hdr_msg *m);

/* Fields named name (case-insensitive), counted / the i-th (0-based)
 * or NULL. */
size_t	hdr_count(const struct hdr_msg *m, const char *name);
const struct hdr_field *hdr_get(const struct hdr_msg *m, const char *name,
	    size_t i);
int	hdr_name_is(const struct hdr_field *f, const char *name);

/* One mailbox of an address list: local part as written (quoted-string
 * kept with its quotes, comments and folding removed) and domain in
 * lower case. */
struct hdr_mailbox {
	char	*local;
	char	*domain;	/* NULL for a mailbox without "@domain" */
};

struct hdr_addrs {
	struct hdr_mailbox *mb;
	size_t		 n, cap;
};

/*
 * Parses an RFC 5322 3.4 address-list (mailboxes, groups, display names,
 * comments, quoted strings, domain literals, obsolete routes) from a
 * field value. Returns 0, QPM_ESYNTAX (unbalanced quote, comment or
 * angle bracket; a mailbox that is not one; *why says what),
 * QPM_ERANGE (over QPM_MAX_HEADER_ADDRS), QPM_ENOMEM. out is appended to.
 */
int	hdr_parse_addrs(const char *value, size_t len, struct hdr_addrs *out,
	    const char **why);
void	hdr_addrs_free(struct hdr_addrs *a);

/*
 * Every mailbox of every From: field (the author, RFC 5322 3.6.2);
 * *nfields is the number of From: fields. Returns 0 or a negative error
 * as hdr_parse_addrs; a From: that does not parse is QPM_ESYNTAX.
 */
int	hdr_from_addrs(const struct hdr_msg *m, struct hdr_addrs *out,
	    size_t *nfields, const char **why);

#endif
