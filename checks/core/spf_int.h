/*
 * NAME		spf_int - what spf.c and spf_expand.c share
 * DOES		the context, the state of one check_host() evaluation, and
 *		the macro, explanation and Received-SPF functions
 * NEVER	is included outside checks/core/spf*.c
 */
#ifndef QPM_SPF_INT_H
#define QPM_SPF_INT_H

#include <netinet/in.h>
#include <arpa/inet.h>

#include <spf2/spf.h>

#include "checks/core/spf.h"
#include "checks/core/spf_parse.h"
#include "util/qstr.h"


#define SPF_MAX_DEPTH		(QPM_SPF_MAX_LOOKUPS + 2)	/* every level
						 * costs a counted lookup */
#define SPF_MAX_PTR_NAMES	10	/* RFC 7208 4.6.4: names looked at */
#define SPF_MAX_MX_NAMES	10	/* RFC 7208 4.6.4: more is permerror */
#define SPF_MAX_EXPANSION	4096	/* one expanded macro-string */
#define SPF_MAX_HEADER		8192	/* one Received-SPF field */
#define QSPF_DEFAULT_EXP		"%{o} does not designate %{c} as a " \
				"permitted sender"

struct spf_ctx {
	const struct dns_resolver *dns;
	char			*receiver;
	const struct qpm_clock	*clock;
	char			*default_exp;
	SPF_server_t		*spf2;
	SPF_dns_server_t	 layer;
	struct spf_eval		*cur;	/* the check the layer works for */
};

struct spf_eval {
	struct spf_ctx	*ctx;
	SPF_request_t	*req;
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 ip[16];
	char		 ipstr[INET6_ADDRSTRLEN];
	int		 upper_hex;	/* the client address was given in
					 * upper case: %{i} nibbles follow */
	const char	*helo;		/* "" when unknown */
	char		*sender;	/* local@domain */
	char		*local;
	char		*odomain;
	unsigned	 lookups, voids;
	/* what the libspf2 layer saw during one mechanism */
	int		 l_first;	/* status of the first query, 0: none */
	int		 l_tempfail, l_mx_over;
	struct qstr	 problem;
	struct qstr	 mechanism;
	char		*explanation;
	int		 oom;
};


/* RFC 7208 4.3: a multi-label name, labels of 1..63 octets, 253 in all */
int	spf_domain_ok(const char *d);
/* An A or AAAA record holding the client address. */
int	spf_addr_matches(const struct spf_eval *ev, const struct dns_rr *rr);
/* name is domain or a name under it (case-insensitive). */
int	spf_name_under(const char *name, const char *domain);
/* Validated names of the client (RFC 7208 5.5), each passed to found()
 * until it returns non-zero: 1 stopped, 0 not, -1 the PTR query failed,
 * QPM_ENOMEM. */
int	spf_validated_names(struct spf_eval *ev, int *ptr_status,
	    int (*found)(void *, const char *), void *arg);
/* A macro-string (checked by spf_macro_check) expanded into out; a
 * domain-spec over 253 octets loses labels on the left (RFC 7208 7.3). */
int	spf_macro_expand(struct spf_eval *ev, const char *domain,
	    const char *s, size_t len, int domain_spec, struct qstr *out);
/* exp= (RFC 7208 6.2) into ev->explanation; any trouble: the default. */
void	spf_explain(struct spf_eval *ev, const struct spf_record *rec,
	    const char *domain);
/* The Received-SPF field (RFC 7208 9.1) of the result r into h. */
int	spf_received_spf(const struct spf_eval *ev, enum spf_res r,
	    enum spf_identity id, struct qstr *h);

#endif
