/*
 * NAME		cutover_int - what the cutover check files share
 * DOES		the run context: the traced resolver (every answer a check
 *		saw becomes its evidence), the checkers, the findings and the
 *		JSON document being built
 * NEVER	is included outside checks/cutover*.c
 */
#ifndef QPM_CUTOVER_INT_H
#define QPM_CUTOVER_INT_H

#include <stddef.h>

#include <jansson.h>

#include "checks/core/ar.h"
#include "checks/cutover/cutover.h"
#include "util/qstr.h"

struct cut_trace {
	const struct dns_resolver *inner;
	struct qstr	 log;		/* "name TYPE: answer" lines */
	size_t		 lines;
	size_t		 dropped;	/* lines past CUT_EVIDENCE_LINES */
	unsigned long	 queries;	/* every query, traced or not */
};

/* What later checks need from earlier ones. */
struct cut_domain_state {
	const struct cut_domain *d;
	int		 spf_pass;	/* SPF passes for the new IP */
	int		 spf_none;	/* no SPF record */
	int		 spf_temp;
	int		 receive_only;	/* "v=spf1 -all": sends no mail */
	int		 no_mail;	/* receive_only, and the new host sends
					 * nothing as it (not the SRS domain,
					 * not myorigin) */
	int		 old_spf;	/* SPF result for the old host, or 0 */
	int		 dkim_pass;	/* a signing key is published right */
	int		 dkim_keys;	/* signing selectors known */
	int		 dmarc_pass;	/* passes DMARC when the new host sends */
	int		 dmarc_fail;	/* fails DMARC when the new host sends */
	json_t		*json;		/* borrowed: inside doc.domains */
};

struct cut_ctx {
	const struct cut_mig	*m;
	const struct cut_opts	*o;
	struct cut_trace	 trace;
	struct dns_resolver	 dns;	/* the traced resolver */
	struct ar_ctx		*ar;
	struct findings		*f;
	json_t			*doc;
	struct cut_stats	*stats;
	int			 err;	/* QPM_ENOMEM once out of memory */
	int			 v6;	/* the new IP is IPv6 */
	/* the old host: control/me and the address migration.json or DNS
	 * gives it (NULL when unknown: every comparison is then unknown) */
	char			*old_helo;
	char			*old_ip;
	char			*old_ip_src;	/* where old_ip came from */
	/* the new host */
	int			 iprev_pass, iprev_temp, helo_ok;
	char			*ptr_name;	/* the confirmed PTR name */
	struct cut_domain_state	*ds;
	size_t			 nds;
	const char		*srs_domain;	/* in effect (never NULL) */
	int			 srs_set_up;
	/* the DKIM key decoded last (cutover_dkim.c) */
	char			*key_memo;
	int			 key_memo_ed, key_memo_bits;
};

/* Evidence: what the resolver answered since trace_begin. */
void	trace_begin(struct cut_ctx *c);
/* A malloc'ed copy of the lines since trace_begin ("" when none). */
char	*trace_take(struct cut_ctx *c);

/* Adds a finding whose title is formatted; errors make c->err sticky. */
void	cut_add(struct cut_ctx *c, enum finding_sev sev, const char *section,
	    const char *subject, const char *check, const char *evidence,
	    const char *fix, int temporary, const char *fmt, ...)
	    __attribute__((format(printf, 9, 10)));
/*
 * Classifies the finding cut_add added last against the old host
 * (findings_vs_old: a problem the old host had too, not required by the
 * switch, is at most a warning "as on the old host").
 */
void	cut_vs_old(struct cut_ctx *c, enum finding_old old, int required,
	    const char *old_ev);
/* FIND_OLD_UNKNOWN when !known, else FIND_OLD_SAME or FIND_OLD_DIFFERS. */
enum finding_old cut_old_cmp(int known, int same);
/* "none (no SPF record: receivers treat the message as unauthenticated
 * by SPF)": the RFC 7208 result word and what receivers do with it. */
const char *cut_spf_words(enum spf_res r);
/* JSON setters that make c->err sticky instead of returning. */
void	cj_str(struct cut_ctx *c, json_t *o, const char *key, const char *v);
void	cj_int(struct cut_ctx *c, json_t *o, const char *key, long long v);
void	cj_bool(struct cut_ctx *c, json_t *o, const char *key, int v);
void	cj_set(struct cut_ctx *c, json_t *o, const char *key, json_t *v);
void	cj_append(struct cut_ctx *c, json_t *a, json_t *v);

/* 'domain. IN TXT "..."' with strings split at 255 octets. */
int	cut_txt_record(struct qstr *q, const char *owner, const char *text);
/* The reverse name of ip (in-addr.arpa or ip6.arpa), or -1. */
int	cut_reverse_name(const char *ip, char *buf, size_t len);
/* Two addresses of one family, equal as bytes. */
int	cut_same_ip(const char *a, const char *b);
/* "192.0.2.10 (DNS: address of mail.example.com)": the old host's IP
 * and where it came from */
void	cut_old_who(struct cut_ctx *c, struct qstr *q);

/* The parts, in the order cutover_run calls them. */
void	cut_check_host(struct cut_ctx *c);
void	cut_check_domains(struct cut_ctx *c);
void	cut_check_dkim(struct cut_ctx *c, struct cut_domain_state *s,
	    json_t *dj);
void	cut_check_receivers(struct cut_ctx *c);
void	cut_check_srs(struct cut_ctx *c);
void	cut_check_forwards(struct cut_ctx *c);
void	cut_check_bounces(struct cut_ctx *c);
void	cut_check_limits(struct cut_ctx *c);
void	cut_check_probes(struct cut_ctx *c);
void	cut_check_rehearsal(struct cut_ctx *c);

#endif
