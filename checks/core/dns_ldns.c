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
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <ldns/ldns.h>

#include "checks/core/dns_ldns.h"
#include "util/err.h"
#include "util/qstr.h"

#define CACHE_BUCKETS	1024
#define MAX_CHAIN	8		/* CNAME hops read from one answer */

struct cache_ent {
	struct cache_ent	*next;
	char			*name;		/* lower case, no final dot */
	int			 type;
	struct dns_answer	 ans;
};

struct dns_ldns {
	ldns_resolver		*res[DNS_LDNS_MAX_SERVERS];
	size_t			 nres;
	struct dns_ldns_stats	 st;
	struct cache_ent	*cache[CACHE_BUCKETS];
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
 * One query to one server. ldns_resolver_send() would take the query ID
 * from OpenSSL's RAND_bytes(), and the first RAND call sets up OpenSSL's
 * DRBG, 0.8 ms per process, more than all the queries of a message; the
 * ID comes from getrandom(2) instead (ldns's way if that fails). The
 * packet is otherwise the one ldns_resolver_send() builds for our
 * settings: RD, no EDNS, no DO bit, no TSIG.
 */
static ldns_status
send_query(ldns_resolver *r, const ldns_rdf *qname, int type,
    ldns_pkt **answer)
{
	ldns_rdf *owner;
	ldns_pkt *q;
	ldns_status s;
	uint16_t id;

	if ((owner = ldns_rdf_clone(qname)) == NULL)
		return LDNS_STATUS_MEM_ERR;
	if ((q = ldns_pkt_query_new(owner, (ldns_rr_type)type,
	    LDNS_RR_CLASS_IN, LDNS_RD)) == NULL) {
		ldns_rdf_deep_free(owner);
		return LDNS_STATUS_MEM_ERR;
	}
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == (ssize_t)sizeof(id))
		ldns_pkt_set_id(q, id);
	else
		ldns_pkt_set_random_id(q);
	s = ldns_resolver_send_pkt(answer, r, q);
	ldns_pkt_free(q);
	return s;
}

/* Asks the servers; fills ans (never from the cache). */
static void
ask(struct dns_ldns *d, const char *name, int type, struct dns_answer *ans)
{
	ldns_rdf *qname;
	ldns_pkt *pkt;
	ldns_status s;
	size_t i;
	int try;

	ans->status = DNS_TEMPFAIL;
	if ((qname = wire_name(name)) == NULL) {
		/* no such name can exist in the DNS */
		ans->status = DNS_NXDOMAIN;
		set_why(ans, "not a valid DNS name");
		return;
	}
	set_why(ans, "timeout");
	for (try = 0; try < DNS_LDNS_TRIES; try++) {
		for (i = 0; i < d->nres; i++) {
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
				d->st.tcp++;
				d->st.sent++;
				ldns_resolver_set_usevc(d->res[i], true);
				s = send_query(d->res[i], qname, type, &pkt);
				ldns_resolver_set_usevc(d->res[i], false);
			}
			if (s != LDNS_STATUS_OK || pkt == NULL) {
				d->st.timeouts++;
				set_why(ans, "timeout or network error");
				ldns_pkt_free(pkt);
				continue;
			}
			switch (ldns_pkt_get_rcode(pkt)) {
			case LDNS_RCODE_NOERROR:
				free(ans->why);
				ans->why = NULL;
				read_answer(pkt, name, type, ans);
				ans->rcode = 0;
				ldns_pkt_free(pkt);
				goto out;
			case LDNS_RCODE_NXDOMAIN:
				free(ans->why);
				ans->why = NULL;
				ans->status = DNS_NXDOMAIN;
				ans->rcode = 3;
				ldns_pkt_free(pkt);
				goto out;
			default:
				/* SERVFAIL, REFUSED, ...: the next server */
				ans->rcode = (uint16_t)ldns_pkt_get_rcode(pkt);
				set_why(ans, ans->rcode == 2 ? "SERVFAIL" :
				    ans->rcode == 5 ? "REFUSED" :
				    ans->rcode == 1 ? "FORMERR" : "server error");
				ldns_pkt_free(pkt);
				break;
			}
		}
	}
out:
	ldns_rdf_deep_free(qname);
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
	for (e = d->cache[b]; e != NULL; e = e->next) {
		if (e->type == type && strcmp(e->name, key) == 0) {
			free(key);
			d->st.cache_hits++;
			if (answer_copy(ans, &e->ans) < 0) {
				dns_answer_free(ans);
				ans->status = DNS_TEMPFAIL;
			}
			return ans->status;
		}
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

void
dns_ldns_resolver(struct dns_ldns *d, struct dns_resolver *r)
{
	r->query = ldns_query;
	r->arg = d;
}
