/*
 * NAME		dns_ldns - the real resolver, over libldns
 * DOES		one ldns_resolver per --dns-server (ldns has one port per
 *		resolver); tries them in order, twice; a truncated UDP answer
 *		is asked again over TCP; the answer section is read along
 *		the CNAME chain; every outcome is cached for the run
 * NEVER	reads /etc/resolv.conf when a server was given, trusts an
 *		answer for another name or type
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "checks/core/dns_ldns.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/num.h"
#include "util/qstr.h"

#define CACHE_BUCKETS	1024
#define MAX_CHAIN	8		/* CNAME hops read from one answer */
#define MAX_ADDRS	(DNS_LDNS_MAX_SERVERS * 3)	/* resolv.conf: 3 */

/* One question of the run (class IN: the only class we ask), keyed by
 * name and type; pending while noted and not yet asked. */
struct cache_ent {
	struct cache_ent	*next;
	struct cache_ent	*qnext;		/* the noted questions */
	char			*name;		/* lower case, no final dot */
	int			 type;
	int			 pending;
	struct dns_answer	 ans;
};

struct dns_ldns {
	ldns_resolver		*res[DNS_LDNS_MAX_SERVERS];
	size_t			 nres;
	unsigned		 timeout_ms;
	int			 collect;	/* note misses, ask nothing */
	struct dns_ldns_stats	 st;
	struct cache_ent	*cache[CACHE_BUCKETS];
	struct cache_ent	*qhead, **qtail;	/* noted, in order */
	size_t			 nnoted;
};

int
dns_server_parse(const char *spec, char *addr, size_t addrlen,
    unsigned *port)
{
	const char *at, *end;
	unsigned char buf[16];
	char *e;
	unsigned long p = 53;
	size_t len;

	if (spec == NULL || *spec == '\0')
		return QPM_EINVAL;
	at = strrchr(spec, '@');
	end = at ? at : spec + strlen(spec);
	if (at != NULL) {
		if (at[1] == '\0' || !isdigit((unsigned char)at[1]))
			return QPM_EINVAL;
		p = strtoul(at + 1, &e, 10);
		if (*e != '\0' || p == 0 || p > 65535)
			return QPM_EINVAL;
	}
	if (spec[0] == '[') {
		if (end - spec < 3 || end[-1] != ']')
			return QPM_EINVAL;
		spec++;
		end--;
	}
	len = (size_t)(end - spec);
	if (len == 0 || len >= addrlen)
		return QPM_EINVAL;
	memcpy(addr, spec, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, buf) != 1 &&
	    inet_pton(AF_INET6, addr, buf) != 1)
		return QPM_EINVAL;
	*port = (unsigned)p;
	return 0;
}

const char *
dns_ldns_opt_server(struct dns_ldns_opts *o, const char *arg)
{
	if (o->nservers == DNS_LDNS_MAX_SERVERS)
		return "too many --dns-server";
	o->servers[o->nservers++] = arg;
	return NULL;
}

const char *
dns_ldns_opt_timeout(struct dns_ldns_opts *o, const char *arg)
{
	if (num_parse_long(arg, 1, 60000, &o->timeout_ms) < 0)
		return "--dns-timeout wants 1..60000 ms";
	return NULL;
}

const char *
dns_ldns_opt_concurrency(struct dns_ldns_opts *o, const char *arg)
{
	if (num_parse_long(arg, 1, DNS_LDNS_MAX_CONCURRENCY,
	    &o->concurrency) < 0)
		return "--dns-concurrency wants 1..1024";
	return NULL;
}

static void
tune(ldns_resolver *r, unsigned timeout_ms)
{
	struct timeval tv;

	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 1);		/* our loop retries */
	ldns_resolver_set_retrans(r, 0);
	ldns_resolver_set_recursive(r, true);
	ldns_resolver_set_dnssec(r, false);
	ldns_resolver_set_fallback(r, false);	/* we retry TC over TCP */
	ldns_resolver_set_random(r, false);
	ldns_resolver_set_defnames(r, false);
	ldns_resolver_set_dnsrch(r, false);
	ldns_resolver_set_usevc(r, false);
}

static int
add_server(struct dns_ldns *d, const char *spec, unsigned timeout_ms)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned port;
	ldns_rdf *ns;
	ldns_resolver *r;
	unsigned char buf[16];

	if (dns_server_parse(spec, addr, sizeof(addr), &port) < 0)
		return QPM_EINVAL;
	if (d->nres >= DNS_LDNS_MAX_SERVERS)
		return QPM_ERANGE;
	ns = ldns_rdf_new_frm_str(inet_pton(AF_INET, addr, buf) == 1 ?
	    LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA, addr);
	if (ns == NULL)
		return QPM_EINVAL;
	if ((r = ldns_resolver_new()) == NULL) {
		ldns_rdf_deep_free(ns);
		return QPM_ENOMEM;
	}
	if (ldns_resolver_push_nameserver(r, ns) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		ldns_resolver_deep_free(r);
		return QPM_ENOMEM;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(r, (uint16_t)port);
	tune(r, timeout_ms);
	d->res[d->nres++] = r;
	return 0;
}

int
dns_ldns_new(struct dns_ldns **out, const char *const *servers, size_t n,
    unsigned timeout_ms, char *why, size_t whylen)
{
	struct dns_ldns *d;
	char one[128];
	const char *p, *comma;
	size_t i, len;
	int err;

	*out = NULL;
	if (timeout_ms == 0)
		timeout_ms = DNS_LDNS_TIMEOUT_MS;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return QPM_ENOMEM;
	d->timeout_ms = timeout_ms;
	d->qtail = &d->qhead;
	for (i = 0; i < n; i++) {
		for (p = servers[i]; ; p = comma + 1) {
			comma = strchr(p, ',');
			len = comma ? (size_t)(comma - p) : strlen(p);
			err = len < sizeof(one) ? 0 : QPM_EINVAL;
			if (err == 0) {
				memcpy(one, p, len);
				one[len] = '\0';
				err = add_server(d, one, timeout_ms);
			}
			if (err < 0) {
				if (why != NULL)
					qpm_snprintf(why, whylen, "%s: %.*s",
					    err == QPM_ERANGE ?
					    "too many DNS servers" :
					    "not ADDR[@PORT]",
					    (int)(len > 100 ? 100 : len), p);
				dns_ldns_free(d);
				return err == QPM_ERANGE ? QPM_EINVAL : err;
			}
			if (comma == NULL)
				break;
		}
	}
	if (n == 0) {
		/* no --dns-server: the system's resolver configuration */
		if (ldns_resolver_new_frm_file(&d->res[0], NULL) !=
		    LDNS_STATUS_OK) {
			if (why != NULL)
				qpm_snprintf(why, whylen, "cannot read the "
				    "system resolver configuration");
			dns_ldns_free(d);
			return QPM_EIO;
		}
		tune(d->res[0], timeout_ms);
		d->nres = 1;
	}
	*out = d;
	return 0;
}

void
dns_ldns_cache_clear(struct dns_ldns *d)
{
	struct cache_ent *e, *next;
	size_t i;

	for (i = 0; i < CACHE_BUCKETS; i++) {
		for (e = d->cache[i]; e != NULL; e = next) {
			next = e->next;
			dns_answer_free(&e->ans);
			free(e->name);
			free(e);
		}
		d->cache[i] = NULL;
	}
	d->qhead = NULL;
	d->qtail = &d->qhead;
	d->nnoted = 0;
}

void
dns_ldns_free(struct dns_ldns *d)
{
	size_t i;

	if (d == NULL)
		return;
	dns_ldns_cache_clear(d);
	for (i = 0; i < d->nres; i++)
		ldns_resolver_deep_free(d->res[i]);
	free(d);
}

void
dns_ldns_get_stats(const struct dns_ldns *d, struct dns_ldns_stats *s)
{
	*s = d->st;
}

/* lower case, without the final dot */
static char *
norm_name(const char *name)
{
	size_t len = strlen(name), i;
	char *p;

	if (len > 1 && name[len - 1] == '.')
		len--;
	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		p[i] = (char)tolower((unsigned char)name[i]);
	p[len] = '\0';
	return p;
}

static size_t
bucket(const char *name, int type)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	h = (h ^ (uint32_t)type) * 16777619u;
	return h % CACHE_BUCKETS;
}

static int
answer_copy(struct dns_answer *dst, const struct dns_answer *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->status = src->status;
	dst->rcode = src->rcode;
	if (src->why != NULL && (dst->why = strdup(src->why)) == NULL)
		return QPM_ENOMEM;
	if (src->n == 0)
		return 0;
	if ((dst->rr = calloc(src->n, sizeof(*dst->rr))) == NULL)
		return QPM_ENOMEM;
	for (i = 0; i < src->n; i++) {
		dst->rr[i] = src->rr[i];
		if ((dst->rr[i].text = malloc(src->rr[i].textlen + 1)) == NULL)
			return QPM_ENOMEM;
		memcpy(dst->rr[i].text, src->rr[i].text,
		    src->rr[i].textlen + 1);
		dst->n++;
	}
	return 0;
}

/* A name as wire labels; NULL when it cannot be a DNS name. */
static ldns_rdf *
wire_name(const char *name)
{
	uint8_t buf[LDNS_MAX_DOMAINLEN + 1];
	size_t pos = 0, len = strlen(name), start = 0, i, l;

	if (len > 0 && name[len - 1] == '.')
		len--;
	for (i = 0; i <= len && len > 0; i++) {
		if (i < len && name[i] != '.')
			continue;
		l = i - start;
		if (l == 0 || l > LDNS_MAX_LABELLEN ||
		    pos + 1 + l + 1 > LDNS_MAX_DOMAINLEN)
			return NULL;
		buf[pos++] = (uint8_t)l;
		memcpy(buf + pos, name + start, l);
		pos += l;
		start = i + 1;
	}
	buf[pos++] = 0;
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, pos, buf);
}

/* a dname rdf as dotted text, raw label bytes, lower case, no final dot */
static char *
dname_text(const ldns_rdf *rdf)
{
	const uint8_t *p;
	size_t size, pos = 0, l, out = 0;
	char *s;

	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return NULL;
	p = ldns_rdf_data(rdf);
	size = ldns_rdf_size(rdf);
	if ((s = malloc(size + 1)) == NULL)
		return NULL;
	while (pos < size && (l = p[pos]) != 0) {
		if (l > LDNS_MAX_LABELLEN || pos + 1 + l > size) {
			free(s);
			return NULL;
		}
		if (out > 0)
			s[out++] = '.';
		for (size_t i = 0; i < l; i++)
			s[out++] = (char)tolower(p[pos + 1 + i]);
		pos += 1 + l;
	}
	if (out == 0)
		s[out++] = '.';	/* the root */
	s[out] = '\0';
	return s;
}

static int
fill_rr(struct dns_rr *out, const ldns_rr *rr, int type)
{
	const ldns_rdf *rdf;
	char buf[INET6_ADDRSTRLEN];
	size_t i, n;
	struct qstr txt = QSTR_INIT(65536);

	memset(out, 0, sizeof(*out));
	out->type = (uint16_t)type;
	out->ttl = ldns_rr_ttl(rr);
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		rdf = ldns_rr_rdf(rr, 0);
		n = type == DNS_T_A ? 4 : 16;
		if (rdf == NULL || ldns_rdf_size(rdf) != n)
			return QPM_ESYNTAX;
		memcpy(out->addr, ldns_rdf_data(rdf), n);
		inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, out->addr,
		    buf, sizeof(buf));
		out->text = strdup(buf);
		break;
	case DNS_T_MX:
		if ((rdf = ldns_rr_rdf(rr, 0)) == NULL)
			return QPM_ESYNTAX;
		out->pref = ldns_rdf2native_int16(rdf);
		out->text = dname_text(ldns_rr_rdf(rr, 1));
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		/* character-strings joined with nothing between them */
		for (i = 0; i < ldns_rr_rd_count(rr); i++) {
			rdf = ldns_rr_rdf(rr, i);
			n = ldns_rdf_size(rdf);
			if (n < 1 || qstr_catn(&txt, (const char *)
			    ldns_rdf_data(rdf) + 1, n - 1) < 0) {
				qstr_free(&txt);
				return n < 1 ? QPM_ESYNTAX : QPM_ENOMEM;
			}
		}
		out->textlen = txt.len;
		out->text = txt.buf ? txt.buf : strdup("");
		if (out->text == NULL)
			return QPM_ENOMEM;
		return 0;
	default:
		out->text = dname_text(ldns_rr_rdf(rr, 0));
		break;
	}
	if (out->text == NULL)
		return QPM_ENOMEM;
	out->textlen = strlen(out->text);
	return 0;
}

/* Reads the answer section along the CNAME chain from qname. */
static void
read_answer(const ldns_pkt *pkt, const char *qname, int type,
    struct dns_answer *ans)
{
	const ldns_rr_list *list = ldns_pkt_answer(pkt);
	char *cur, *owner, *next;
	size_t i, n, hops;

	if ((cur = norm_name(qname)) == NULL)
		goto oom;
	for (hops = 0; hops <= MAX_CHAIN; hops++) {
		n = 0;
		next = NULL;
		for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(list, i);
			int t = (int)ldns_rr_get_type(rr);

			if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
			    (t != type && t != DNS_T_CNAME))
				continue;
			if ((owner = dname_text(ldns_rr_owner(rr))) == NULL)
				goto oom;
			if (strcmp(owner, cur) == 0) {
				if (t == type)
					n++;
				else if (next == NULL)
					next = dname_text(ldns_rr_rdf(rr, 0));
			}
			free(owner);
		}
		if (n > 0 || next == NULL || type == DNS_T_CNAME) {
			free(next);
			break;
		}
		free(cur);
		cur = next;
	}
	if (n == 0) {
		free(cur);
		ans->status = DNS_NODATA;
		return;
	}
	if ((ans->rr = calloc(n, sizeof(*ans->rr))) == NULL)
		goto oom;
	for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);

		if ((int)ldns_rr_get_type(rr) != type ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
			continue;
		if ((owner = dname_text(ldns_rr_owner(rr))) == NULL)
			goto oom;
		if (strcmp(owner, cur) == 0 && ans->n < n) {
			int err = fill_rr(&ans->rr[ans->n], rr, type);

			if (err == QPM_ENOMEM) {
				free(owner);
				goto oom;
			}
			if (err == 0)
				ans->n++;
		}
		free(owner);
	}
	free(cur);
	ans->status = ans->n > 0 ? DNS_OK : DNS_PERMFAIL;
	if (ans->n == 0)
		ans->why = strdup("malformed answer records");
	return;
oom:
	dns_answer_free(ans);
	ans->status = DNS_TEMPFAIL;
	ans->why = strdup("out of memory");
}

static void
set_why(struct dns_answer *ans, const char *why)
{
	free(ans->why);
	ans->why = strdup(why);
}

/*
 * The query packet. ldns_resolver_send() would take the query ID from
 * OpenSSL's RAND_bytes(), and the first RAND call sets up OpenSSL's DRBG,
 * 0.8 ms per process, more than all the queries of a message; the ID
 * comes from getrandom(2) instead (ldns's way if that fails). The packet
 * is otherwise the one ldns_resolver_send() builds for our settings: RD,
 * no EDNS, no DO bit, no TSIG.
 */
static ldns_pkt *
new_query(const ldns_rdf *qname, int type)
{
	ldns_rdf *owner;
	ldns_pkt *q;
	uint16_t id;

	if ((owner = ldns_rdf_clone(qname)) == NULL)
		return NULL;
	if ((q = ldns_pkt_query_new(owner, (ldns_rr_type)type,
	    LDNS_RR_CLASS_IN, LDNS_RD)) == NULL) {
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == (ssize_t)sizeof(id))
		ldns_pkt_set_id(q, id);
	else
		ldns_pkt_set_random_id(q);
	return q;
}

/* One query to one server, through ldns. */
static ldns_status
send_query(ldns_resolver *r, const ldns_rdf *qname, int type,
    ldns_pkt **answer)
{
	ldns_pkt *q;
	ldns_status s;

	if ((q = new_query(qname, type)) == NULL)
		return LDNS_STATUS_MEM_ERR;
	s = ldns_resolver_send_pkt(answer, r, q);
	ldns_pkt_free(q);
	return s;
}

/* The question over TCP (after a truncated answer), through ldns. */
static ldns_status
send_tcp(struct dns_ldns *d, ldns_resolver *r, const ldns_rdf *qname,
    int type, ldns_pkt **answer)
{
	ldns_status s;

	d->st.tcp++;
	d->st.sent++;
	ldns_resolver_set_usevc(r, true);
	s = send_query(r, qname, type, answer);
	ldns_resolver_set_usevc(r, false);
	return s;
}

/* What a reply means for the question: 1 the outcome is in ans, 0 ask
 * the next server (ans->why says why not this one). */
static int
take_pkt(const ldns_pkt *pkt, const char *name, int type,
    struct dns_answer *ans)
{
	switch (ldns_pkt_get_rcode(pkt)) {
	case LDNS_RCODE_NOERROR:
		free(ans->why);
		ans->why = NULL;
		read_answer(pkt, name, type, ans);
		ans->rcode = 0;
		return 1;
	case LDNS_RCODE_NXDOMAIN:
		free(ans->why);
		ans->why = NULL;
		ans->status = DNS_NXDOMAIN;
		ans->rcode = 3;
		return 1;
	default:
		/* SERVFAIL, REFUSED, ...: the next server */
		ans->rcode = (uint16_t)ldns_pkt_get_rcode(pkt);
		set_why(ans, ans->rcode == 2 ? "SERVFAIL" :
		    ans->rcode == 5 ? "REFUSED" :
		    ans->rcode == 1 ? "FORMERR" : "server error");
		return 0;
	}
}

/* The state every question starts from: NULL when name cannot be a DNS
 * name (then ans says so and is final). */
static ldns_rdf *
ask_begin(const char *name, struct dns_answer *ans)
{
	ldns_rdf *qname;

	ans->status = DNS_TEMPFAIL;
	if ((qname = wire_name(name)) == NULL) {
		/* no such name can exist in the DNS */
		ans->status = DNS_NXDOMAIN;
		set_why(ans, "not a valid DNS name");
		return NULL;
	}
	set_why(ans, "timeout");
	return qname;
}

/* Asks the servers one at a time; fills ans (never from the cache). */
static void
ask(struct dns_ldns *d, const char *name, int type, struct dns_answer *ans)
{
	ldns_rdf *qname;
	ldns_pkt *pkt;
	ldns_status s;
	size_t i;
	int try, done = 0;

	if ((qname = ask_begin(name, ans)) == NULL)
		return;
	for (try = 0; try < DNS_LDNS_TRIES && !done; try++) {
		for (i = 0; i < d->nres && !done; i++) {
			pkt = NULL;
			d->st.sent++;
			/* ldns marks a silent server unreachable for good;
			 * our retry wants it asked again */
			ldns_resolver_set_nameserver_rtt(d->res[i], 0,
			    LDNS_RESOLV_RTT_MIN);
			s = send_query(d->res[i], qname, type, &pkt);
			if (s == LDNS_STATUS_OK && pkt != NULL &&
			    ldns_pkt_tc(pkt)) {
				ldns_pkt_free(pkt);
				pkt = NULL;
				s = send_tcp(d, d->res[i], qname, type, &pkt);
			}
			if (s != LDNS_STATUS_OK || pkt == NULL) {
				d->st.timeouts++;
				set_why(ans, "timeout or network error");
			} else
				done = take_pkt(pkt, name, type, ans);
			ldns_pkt_free(pkt);
		}
	}
	ldns_rdf_deep_free(qname);
}

static struct cache_ent *
cache_find(const struct dns_ldns *d, const char *key, int type, size_t b)
{
	struct cache_ent *e;

	for (e = d->cache[b]; e != NULL; e = e->next)
		if (e->type == type && strcmp(e->name, key) == 0)
			return e;
	return NULL;
}

static int
ldns_query(void *arg, const char *name, int type, struct dns_answer *ans)
{
	struct dns_ldns *d = arg;
	struct cache_ent *e;
	char *key;
	size_t b;

	d->st.queries++;
	if ((key = norm_name(name)) == NULL) {
		ans->status = DNS_TEMPFAIL;
		return DNS_TEMPFAIL;
	}
	b = bucket(key, type);
	e = cache_find(d, key, type, b);
	if (e != NULL && !e->pending) {
		free(key);
		d->st.cache_hits++;
		if (answer_copy(ans, &e->ans) < 0) {
			dns_answer_free(ans);
			ans->status = DNS_TEMPFAIL;
		}
		return ans->status;
	}
	if (d->collect) {
		/* noted once, asked later with the others */
		if (e == NULL && (e = calloc(1, sizeof(*e))) != NULL) {
			e->name = key;
			key = NULL;
			e->type = type;
			e->pending = 1;
			e->next = d->cache[b];
			d->cache[b] = e;
			*d->qtail = e;
			d->qtail = &e->qnext;
			d->nnoted++;
			d->st.noted++;
		}
		free(key);
		ans->status = DNS_TEMPFAIL;
		ans->why = strdup("not asked yet");
		return DNS_TEMPFAIL;
	}
	if (e != NULL) {
		/* noted and not asked since: ask it now */
		free(key);
		ask(d, e->name, type, &e->ans);
		e->pending = 0;
		if (answer_copy(ans, &e->ans) < 0) {
			dns_answer_free(ans);
			ans->status = DNS_TEMPFAIL;
		}
		return ans->status;
	}
	ask(d, key, type, ans);
	/* the run sees one answer per (name, type), failures included */
	if ((e = calloc(1, sizeof(*e))) != NULL) {
		if (answer_copy(&e->ans, ans) == 0) {
			e->name = key;
			key = NULL;
			e->type = type;
			e->next = d->cache[b];
			d->cache[b] = e;
		} else {
			dns_answer_free(&e->ans);
			free(e);
		}
	}
	free(key);
	return ans->status;
}

/* ---- many questions at once ---- */

void
dns_ldns_collect(struct dns_ldns *d, int on)
{
	d->collect = on;
}

size_t
dns_ldns_noted(const struct dns_ldns *d)
{
	return d->nnoted;
}

struct nsaddr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	ldns_resolver		*res;	/* for TCP */
};

/* One question in flight. */
struct flight {
	struct cache_ent	*e;	/* NULL: the slot is free */
	ldns_rdf		*qname;
	int			 fd;
	uint16_t		 id;
	size_t			 attempt;	/* try * naddrs + server */
	int64_t			 deadline;	/* ms, CLOCK_MONOTONIC */
};

static int64_t
now_ms(void)
{
	return (int64_t)(qpm_clock_mono() * 1000);
}

/* Every server address, in the order ask() tries them. */
static size_t
list_addrs(const struct dns_ldns *d, struct nsaddr *out, size_t max)
{
	struct sockaddr_storage *sa;
	ldns_rdf **ns;
	size_t i, j, n = 0, size;

	for (i = 0; i < d->nres; i++) {
		ns = ldns_resolver_nameservers(d->res[i]);
		for (j = 0; j < ldns_resolver_nameserver_count(d->res[i]) &&
		    n < max; j++) {
			sa = ldns_rdf2native_sockaddr_storage(ns[j],
			    ldns_resolver_port(d->res[i]), &size);
			if (sa == NULL)
				continue;
			memcpy(&out[n].ss, sa, size);
			out[n].len = (socklen_t)size;
			out[n].res = d->res[i];
			n++;
			free(sa);
		}
	}
	return n;
}

/* Sends f's question to the server of its attempt; on failure the
 * deadline is now (the next server then). */
static void
flight_send(struct dns_ldns *d, struct flight *f, const struct nsaddr *a,
    int64_t now)
{
	ldns_pkt *q;
	uint8_t *wire = NULL;
	size_t size = 0;
	int ok = 0;

	if (f->fd >= 0)
		close(f->fd);
	d->st.sent++;
	f->deadline = now + d->timeout_ms;
	f->fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if ((q = new_query(f->qname, f->e->type)) != NULL) {
		f->id = ldns_pkt_id(q);
		if (ldns_pkt2wire(&wire, q, &size) == LDNS_STATUS_OK &&
		    f->fd >= 0 &&
		    connect(f->fd, (const struct sockaddr *)&a->ss, a->len) ==
		    0 && send(f->fd, wire, size, 0) == (ssize_t)size)
			ok = 1;
		ldns_pkt_free(q);
		free(wire);
	}
	if (!ok) {
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		f->deadline = now;
	}
}

static void
flight_end(struct flight *f)
{
	if (f->fd >= 0)
		close(f->fd);
	ldns_rdf_deep_free(f->qname);
	f->e->pending = 0;
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* The attempt failed (timeout, network): the next server, or the end. */
static void
flight_next(struct dns_ldns *d, struct flight *f, const struct nsaddr *a,
    size_t naddrs, int64_t now, int timed_out)
{
	if (timed_out) {
		d->st.timeouts++;
		set_why(&f->e->ans, "timeout or network error");
	}
	if (++f->attempt >= DNS_LDNS_TRIES * naddrs)
		flight_end(f);
	else
		flight_send(d, f, &a[f->attempt % naddrs], now);
}

static int
reply_is_for(const ldns_pkt *pkt, uint16_t id, const ldns_rdf *qname,
    int type)
{
	const ldns_rr_list *q = ldns_pkt_question(pkt);
	const ldns_rr *rr;

	if (ldns_pkt_id(pkt) != id || !ldns_pkt_qr(pkt))
		return 0;
	if (q == NULL || ldns_rr_list_rr_count(q) == 0)
		/* FORMERR and the like may come without the question */
		return ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR &&
		    ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NXDOMAIN;
	if (ldns_rr_list_rr_count(q) != 1)
		return 0;
	rr = ldns_rr_list_rr(q, 0);
	return (int)ldns_rr_get_type(rr) == type &&
	    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	    ldns_dname_compare(ldns_rr_owner(rr), qname) == 0;
}

int
dns_ldns_take_reply(const uint8_t *wire, size_t len, uint16_t id,
    const char *name, int type, struct dns_answer *ans)
{
	ldns_pkt *pkt = NULL;
	ldns_rdf *qname;
	int rc = -1;

	if ((qname = wire_name(name)) == NULL)
		return -1;
	if (ldns_wire2pkt(&pkt, wire, len) == LDNS_STATUS_OK &&
	    reply_is_for(pkt, id, qname, type))
		rc = ldns_pkt_tc(pkt) ? 2 : take_pkt(pkt, name, type, ans);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(qname);
	return rc;
}

/* What came on f's socket: replies to its question end it or move it
 * on; anything else is dropped. */
static void
flight_read(struct dns_ldns *d, struct flight *f, const struct nsaddr *a,
    size_t naddrs, int64_t now, uint8_t *buf, size_t bufsize)
{
	const struct nsaddr *srv;
	ldns_pkt *pkt;
	ssize_t n;
	int rc;

	while (f->e != NULL && f->fd >= 0) {
		n = recv(f->fd, buf, bufsize, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		if (n < 0) {
			/* ICMP unreachable and the like */
			flight_next(d, f, a, naddrs, now, 1);
			return;
		}
		rc = dns_ldns_take_reply(buf, (size_t)n, f->id, f->e->name,
		    f->e->type, &f->e->ans);
		if (rc < 0)
			continue;
		if (rc == 1) {
			flight_end(f);
			return;
		}
		if (rc == 2) {
			/* truncated: ask this server again over TCP */
			srv = &a[f->attempt % naddrs];
			pkt = NULL;
			if (send_tcp(d, srv->res, f->qname, f->e->type,
			    &pkt) != LDNS_STATUS_OK || pkt == NULL) {
				ldns_pkt_free(pkt);
				flight_next(d, f, a, naddrs, now, 1);
				return;
			}
			rc = take_pkt(pkt, f->e->name, f->e->type, &f->e->ans);
			ldns_pkt_free(pkt);
			if (rc == 1) {
				flight_end(f);
				return;
			}
		}
		flight_next(d, f, a, naddrs, now, 0);
		return;
	}
}

/* The next noted question still pending, taken off the list. */
static struct cache_ent *
next_noted(struct dns_ldns *d)
{
	struct cache_ent *e;

	while ((e = d->qhead) != NULL) {
		d->qhead = e->qnext;
		e->qnext = NULL;
		if (d->qhead == NULL)
			d->qtail = &d->qhead;
		d->nnoted--;
		if (e->pending)
			return e;
	}
	return NULL;
}

/* Starts questions in the free slots; returns the slots in use. */
static size_t
fill_slots(struct dns_ldns *d, struct flight *fl, size_t nfl,
    const struct nsaddr *a, int64_t now, long *asked)
{
	struct cache_ent *e;
	size_t i, used = 0;

	for (i = 0; i < nfl; i++) {
		while (fl[i].e == NULL && (e = next_noted(d)) != NULL) {
			d->st.batched++;
			(*asked)++;
			fl[i].qname = ask_begin(e->name, &e->ans);
			if (fl[i].qname == NULL) {
				e->pending = 0;		/* final */
				continue;
			}
			fl[i].e = e;
			fl[i].attempt = 0;
			flight_send(d, &fl[i], &a[0], now);
		}
		if (fl[i].e != NULL)
			used++;
	}
	return used;
}

long
dns_ldns_resolve_noted(struct dns_ldns *d, unsigned concurrency)
{
	struct nsaddr a[MAX_ADDRS];
	struct flight *fl = NULL;
	struct pollfd *pfd = NULL;
	struct cache_ent *e;
	size_t naddrs, nfl, i, np, *slot = NULL;
	uint8_t *buf = NULL;
	int64_t now, wait;
	long asked = 0, rc = QPM_ENOMEM;

	nfl = concurrency > 0 ? concurrency : DNS_LDNS_CONCURRENCY;
	if (nfl > DNS_LDNS_MAX_CONCURRENCY)
		nfl = DNS_LDNS_MAX_CONCURRENCY;
	naddrs = list_addrs(d, a, MAX_ADDRS);
	if (naddrs == 0 || nfl == 1) {
		/* one at a time, as ldns knows the servers */
		while ((e = next_noted(d)) != NULL) {
			ask(d, e->name, e->type, &e->ans);
			e->pending = 0;
			asked++;
		}
		return asked;
	}
	if ((fl = calloc(nfl, sizeof(*fl))) == NULL ||
	    (pfd = calloc(nfl, sizeof(*pfd))) == NULL ||
	    (slot = calloc(nfl, sizeof(*slot))) == NULL ||
	    (buf = malloc(65536)) == NULL)
		goto out;
	for (i = 0; i < nfl; i++)
		fl[i].fd = -1;
	for (;;) {
		now = now_ms();
		if (fill_slots(d, fl, nfl, a, now, &asked) == 0)
			break;
		wait = -1;
		for (i = np = 0; i < nfl; i++) {
			if (fl[i].e == NULL)
				continue;
			if (wait < 0 || fl[i].deadline - now < wait)
				wait = fl[i].deadline - now;
			if (fl[i].fd < 0)
				continue;
			pfd[np].fd = fl[i].fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			slot[np++] = i;
		}
		if (wait < 0)
			wait = 0;
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR) {
			rc = QPM_EIO;
			goto out;
		}
		now = now_ms();
		for (i = 0; i < np; i++)
			if (pfd[i].revents != 0)
				flight_read(d, &fl[slot[i]], a, naddrs, now,
				    buf, 65536);
		for (i = 0; i < nfl; i++)
			if (fl[i].e != NULL && now >= fl[i].deadline)
				flight_next(d, &fl[i], a, naddrs, now, 1);
	}
	rc = asked;
out:
	for (i = 0; fl != NULL && i < nfl; i++) {
		if ((e = fl[i].e) == NULL)
			continue;
		/* not finished: still pending, asked when a run asks it */
		flight_end(&fl[i]);
		e->pending = 1;
		dns_answer_free(&e->ans);
	}
	free(fl);
	free(pfd);
	free(slot);
	free(buf);
	return rc;
}

void
dns_ldns_resolver(struct dns_ldns *d, struct dns_resolver *r)
{
	r->query = ldns_query;
	r->arg = d;
}
