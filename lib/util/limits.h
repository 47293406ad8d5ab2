/*
 * NAME		limits - every hard limit, with where it comes from
 * DOES		names the numbers; a hit is a file:line error, never a silent cut
 * NEVER	changes at run time
 */
#ifndef QPM_LIMITS_H
#define QPM_LIMITS_H

#define QPM_MAX_LOCAL_PART	64	/* RFC 5321 4.5.3.1.1 */
#define QPM_MAX_DOMAIN		255	/* RFC 5321 4.5.3.1.2 */
#define QPM_MAX_PATH		256	/* RFC 5321 4.5.3.1.3 */
#define QPM_MAX_ADDRESS		(QPM_MAX_LOCAL_PART + 1 + QPM_MAX_DOMAIN)
#define QPM_MAX_SMTP_LINE	1000	/* RFC 5321 4.5.3.1.6, with CRLF */
#define QPM_SPF_MAX_LOOKUPS	10	/* RFC 7208 4.6.4 */
#define QPM_SPF_MAX_VOID	2	/* RFC 7208 4.6.4 */
#define QPM_SRS_TS_LEN		2	/* exactly, not "at most" */
#define QPM_SRS_MAX_AGE		21	/* days, as postsrsd and libsrs2 */
#define QPM_DMARC_MAX_WALK	8	/* RFC 9989 4.10 DNS tree walk */

#define QPM_MAX_CONFIG_LINE	(64 * 1024)	/* any one line of an old host file */
#define QPM_MAX_CONFIG_FILE	(64 * 1024 * 1024)	/* vpasswd of a huge domain */
#define QPM_MAX_STRING		(1024 * 1024 * 1024)	/* ceiling of any qstr */
#define QPM_MAX_QMAIL_LINES	10000	/* lines in one .qmail file */
#define QPM_MAX_SYMLINKS	40	/* links followed in one path: Linux
				 * MAXSYMLINKS, path_resolution(7) */

/* checks/: message parsing and authentication checks */
#define QPM_MAX_MESSAGE		(64 * 1024 * 1024)	/* authcheck input; Postfix
							 * message_size_limit is 10 MB */
#define QPM_MAX_HEADER_BLOCK	(4 * 1024 * 1024)	/* 4x a 1 MB header block;
							 * Postfix header_size_limit: 100 KB */
#define QPM_MAX_HEADER_FIELDS	100000	/* a 4 MB block of 40-byte fields */
#define QPM_MAX_HEADER_ADDRS	1000	/* mailboxes in one address list */
#define QPM_RFC5322_LINE	998	/* RFC 5322 2.1.1, without CRLF */
#define QPM_DKIM_MAX_SIGS	32	/* signatures evaluated per message */
#define QPM_IPREV_MAX_NAMES	10	/* PTR names followed, RFC 7208 4.6.4 */

#endif
