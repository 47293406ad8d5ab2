/*
 * NAME		test_dns_batch - the resolver's question cache and its
 *		concurrent scheduler
 * DOES		collecting notes each (name, type) once and sends nothing;
 *		dns_ldns_resolve_noted against a real UDP+TCP responder on
 *		127.0.0.1 (a child process, ldns-built answers held 30 ms)
 *		keeps at most the bound in flight and more than one, asks
 *		each question once, drops a reply with the wrong ID, asks
 *		a truncated answer again over TCP, goes to the next server
 *		after an error, and leaves every answer equal to the one
 *		the sequential resolver gets
 * NEVER	uses the network beyond 127.0.0.1, asserts on time
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "checks/core/dns.h"
#include "checks/core/dns_ldns.h"
#include "util/clock.h"
#include "util/err.h"

#define HOLD_MS		30
#define MAX_NAMES	64
#define MAX_HELD	256

/* What the responder saw, shared with the test (MAP_SHARED). */
struct seen {
	int	 in_flight, max_in_flight;
	int	 udp, tcp;
	char	 name[MAX_NAMES][64];
	int	 type[MAX_NAMES];
	int	 count[MAX_NAMES];
	int	 nnames;
};

static struct seen *seen;
static pid_t child = -1;
static int udp_port, dead_port;

static int64_t
ms_now(void)
{
	return (int64_t)(qpm_clock_mono() * 1000);
}

static void
note(const char *name, int type)
{
	int i;

	for (i = 0; i < seen->nnames; i++)
		if (seen->type[i] == type && strcmp(seen->name[i], name) == 0)
			break;
	if (i == seen->nnames) {
		if (i == MAX_NAMES)
			return;
		snprintf(seen->name[i], sizeof(seen->name[i]), "%.63s", name);
		seen->type[i] = type;
		seen->nnames++;
	}
	seen->count[i]++;
}

static int
count_of(const char *name, int type)
{
	int i;

	for (i = 0; i < seen->nnames; i++)
		if (seen->type[i] == type && strcmp(seen->name[i], name) == 0)
			return seen->count[i];
	return 0;
}

/*
 * The reply to query: a<N>.test A 192.0.2.N; nx.test NXDOMAIN;
 * nodata.test no record; sf.test SERVFAIL; tc.test truncated over UDP,
 * a TXT over TCP; spoof.test (the wrong ID first: see respond); anything
 * else REFUSED. NULL when query does not parse.
 */
static ldns_pkt *
reply_to(const uint8_t *wire, size_t len, int tcp, char *name, size_t nlen,
    int *type)
{
	ldns_pkt *q = NULL, *r;
	ldns_rr *qrr, *rr = NULL;
	char *s;
	unsigned n;

	if (ldns_wire2pkt(&q, wire, len) != LDNS_STATUS_OK ||
	    ldns_pkt_qdcount(q) != 1) {
		ldns_pkt_free(q);
		return NULL;
	}
	qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	s = ldns_rdf2str(ldns_rr_owner(qrr));
	snprintf(name, nlen, "%s", s);
	free(s);
	*type = (int)ldns_rr_get_type(qrr);
	r = ldns_pkt_clone(q);
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_ra(r, true);
	if (sscanf(name, "a%u.test.", &n) == 1) {
		char text[128];

		snprintf(text, sizeof(text), "%s 60 IN A 192.0.2.%u", name,
		    n % 256);
		if (*type == DNS_T_A)	/* other types: no data */
			(void)ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL);
	} else if (strcmp(name, "nx.test.") == 0)
		ldns_pkt_set_rcode(r, LDNS_RCODE_NXDOMAIN);
	else if (strcmp(name, "sf.test.") == 0)
		ldns_pkt_set_rcode(r, LDNS_RCODE_SERVFAIL);
	else if (strcmp(name, "tc.test.") == 0 && !tcp)
		ldns_pkt_set_tc(r, true);
	else if (strcmp(name, "tc.test.") == 0 || strcmp(name, "spoof.test.")
	    == 0)
		(void)ldns_rr_new_frm_str(&rr, "tc.test. 60 IN TXT \"v=spf1 "
		    "-all\"", 0, NULL, NULL);
	else if (strcmp(name, "nodata.test.") != 0)
		ldns_pkt_set_rcode(r, LDNS_RCODE_REFUSED);
	if (rr != NULL) {
		ldns_rdf_deep_free(ldns_rr_owner(rr));
		ldns_rr_set_owner(rr, ldns_rdf_clone(ldns_rr_owner(qrr)));
		ldns_pkt_push_rr(r, LDNS_SECTION_ANSWER, rr);
	}
	ldns_pkt_free(q);
	return r;
}

struct held {
	uint8_t			 *wire;
	size_t			  len;
	struct sockaddr_storage	  from;
	socklen_t		  fromlen;
	int64_t			  due;
};

/* The child: answers on udp and tcp (same port) until killed. */
static void
respond(int udp, int tcp)
{
	static struct held h[MAX_HELD];
	uint8_t buf[65536], *w;
	struct pollfd p[2];
	size_t nheld = 0, i, wlen;
	char name[256];
	int64_t now, wait;
	ssize_t n;
	ldns_pkt *r;
	int type;

	p[0].fd = udp;
	p[1].fd = tcp;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		now = ms_now();
		wait = -1;
		for (i = 0; i < nheld; i++)
			if (wait < 0 || h[i].due - now < wait)
				wait = h[i].due - now > 0 ? h[i].due - now : 0;
		(void)poll(p, 2, (int)wait);
		now = ms_now();
		for (i = 0; i < nheld; ) {
			if (h[i].due > now) {
				i++;
				continue;
			}
			(void)sendto(udp, h[i].wire, h[i].len, 0,
			    (struct sockaddr *)&h[i].from, h[i].fromlen);
			free(h[i].wire);
			h[i] = h[--nheld];
			seen->in_flight--;
		}
		if (p[0].revents & POLLIN && nheld < MAX_HELD) {
			struct held *x = &h[nheld];

			x->fromlen = sizeof(x->from);
			n = recvfrom(udp, buf, sizeof(buf), 0,
			    (struct sockaddr *)&x->from, &x->fromlen);
			if (n > 0 && (r = reply_to(buf, (size_t)n, 0, name,
			    sizeof(name), &type)) != NULL) {
				seen->udp++;
				note(name, type);
				if (strcmp(name, "spoof.test.") == 0) {
					/* a reply with another ID first */
					ldns_pkt_set_id(r, ldns_pkt_id(r) ^ 1);
					if (ldns_pkt2wire(&w, r, &wlen) ==
					    LDNS_STATUS_OK)
						(void)sendto(udp, w, wlen, 0,
						    (struct sockaddr *)&x->from,
						    x->fromlen);
					free(w);
					ldns_pkt_set_id(r, ldns_pkt_id(r) ^ 1);
				}
				if (ldns_pkt2wire(&x->wire, r, &x->len) ==
				    LDNS_STATUS_OK) {
					x->due = now + HOLD_MS;
					nheld++;
					if (++seen->in_flight >
					    seen->max_in_flight)
						seen->max_in_flight =
						    seen->in_flight;
				}
				ldns_pkt_free(r);
			}
		}
		if (p[1].revents & POLLIN) {
			/* one query per connection, answered at once */
			int c = accept(tcp, NULL, NULL);
			uint8_t lenb[2];

			if (c < 0)
				continue;
			if (recv(c, lenb, 2, MSG_WAITALL) == 2 &&
			    (n = recv(c, buf, (size_t)(lenb[0] << 8 | lenb[1]),
			    MSG_WAITALL)) > 0 &&
			    (r = reply_to(buf, (size_t)n, 1, name,
			    sizeof(name), &type)) != NULL) {
				seen->tcp++;
				if (ldns_pkt2wire(&w, r, &wlen) ==
				    LDNS_STATUS_OK) {
					lenb[0] = (uint8_t)(wlen >> 8);
					lenb[1] = (uint8_t)wlen;
					(void)send(c, lenb, 2, 0);
					(void)send(c, w, wlen, 0);
					free(w);
				}
				ldns_pkt_free(r);
			}
			close(c);
		}
	}
}

/* A socket of type bound to 127.0.0.1:port (0: any); its port. */
static int
bound(int type, int port, int *fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if ((*fd = socket(AF_INET, type, 0)) < 0 ||
	    bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&sa, &len) < 0) {
		if (*fd >= 0)
			close(*fd);
		return -1;
	}
	return ntohs(sa.sin_port);
}

static int
setup(void **state)
{
	int u, t, d, tries;

	(void)state;
	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seen == MAP_FAILED)
		return -1;
	/* a UDP port whose TCP twin is free too */
	for (tries = 0; tries < 50; tries++) {
		if ((udp_port = bound(SOCK_DGRAM, 0, &u)) < 0)
			return -1;
		if (bound(SOCK_STREAM, udp_port, &t) == udp_port)
			break;
		close(u);
	}
	if (tries == 50 || listen(t, 16) < 0)
		return -1;
	/* a port where nothing listens: ICMP unreachable */
	if ((dead_port = bound(SOCK_DGRAM, 0, &d)) < 0)
		return -1;
	close(d);
	if ((child = fork()) < 0)
		return -1;
	if (child == 0) {
		signal(SIGSEGV, SIG_DFL);	/* not cmocka's handler */
		respond(u, t);
		_exit(0);
	}
	close(u);
	close(t);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (child > 0) {
		kill(child, SIGKILL);
		(void)waitpid(child, NULL, 0);
	}
	return 0;
}

static struct dns_ldns *
resolver(int dead_first, unsigned timeout_ms)
{
	char live[64], dead[64], why[128];
	const char *servers[2];
	struct dns_ldns *d = NULL;
	size_t n = 0;

	snprintf(live, sizeof(live), "127.0.0.1@%d", udp_port);
	snprintf(dead, sizeof(dead), "127.0.0.1@%d", dead_port);
	if (dead_first)
		servers[n++] = dead;
	servers[n++] = live;
	assert_int_equal(dns_ldns_new(&d, servers, n, timeout_ms, why,
	    sizeof(why)), 0);
	return d;
}

/* a question asked while collecting: noted, the answer thrown away */
static void
dry(const struct dns_resolver *r, const char *name, int type)
{
	struct dns_answer a;

	(void)dns_query(r, name, type, &a);
	dns_answer_free(&a);
}

static void
test_collect(void **state)
{
	struct dns_ldns *d = resolver(0, 0);
	struct dns_ldns_stats st;
	struct dns_resolver r;
	struct dns_answer a;

	(void)state;
	dns_ldns_resolver(d, &r);
	dns_ldns_collect(d, 1);
	assert_int_equal(dns_query(&r, "a1.test", DNS_T_A, &a), DNS_TEMPFAIL);
	assert_string_equal(a.why, "not asked yet");
	dns_answer_free(&a);
	/* the same question (case, final dot) is noted once; another
	 * type is another question */
	dry(&r, "A1.Test.", DNS_T_A);
	dry(&r, "a1.test", DNS_T_TXT);
	assert_int_equal(dns_ldns_noted(d), 2);
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.queries, 3);
	assert_int_equal(st.cache_hits, 0);
	/* not collecting: a noted question is asked when it comes */
	dns_ldns_collect(d, 0);
	assert_int_equal(dns_query(&r, "a1.test", DNS_T_A, &a), DNS_OK);
	assert_string_equal(a.rr[0].text, "192.0.2.1");
	dns_answer_free(&a);
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, 1);
	/* the other is asked by resolve_noted, the first not again */
	assert_int_equal(dns_ldns_resolve_noted(d, 4), 1);
	assert_int_equal(dns_ldns_noted(d), 0);
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, 2);
	assert_int_equal(count_of("a1.test.", DNS_T_A), 1);
	assert_int_equal(count_of("a1.test.", DNS_T_TXT), 1);
	dns_ldns_free(d);
}

static void
same_answer(const char *name, int type, const struct dns_answer *x,
    const struct dns_answer *y)
{
	size_t i;

	if (x->status != y->status || x->n != y->n || x->rcode != y->rcode ||
	    (x->why == NULL) != (y->why == NULL) ||
	    (x->why != NULL && strcmp(x->why, y->why) != 0))
		fail_msg("%s/%d: batch %d %zu %s, one at a time %d %zu %s",
		    name, type, x->status, x->n, x->why ? x->why : "-",
		    y->status, y->n, y->why ? y->why : "-");
	for (i = 0; i < x->n; i++)
		if (x->rr[i].textlen != y->rr[i].textlen ||
		    memcmp(x->rr[i].text, y->rr[i].text, x->rr[i].textlen))
			fail_msg("%s/%d: record %zu differs", name, type, i);
}

static void
test_schedule(void **state)
{
	static const struct {
		const char	*name;
		int		 type;
	} odd[] = {
		{ "nx.test", DNS_T_A }, { "nodata.test", DNS_T_MX },
		{ "sf.test", DNS_T_A }, { "tc.test", DNS_T_TXT },
		{ "spoof.test", DNS_T_TXT }, { "other.test", DNS_T_A },
		{ "a..b.test", DNS_T_A },
	};
	struct dns_ldns *batch = resolver(0, 0), *seq = resolver(0, 0);
	struct dns_ldns_stats st, st0;
	struct dns_resolver rb, rs;
	struct dns_answer x, y;
	char name[64];
	int i, tcp0;

	(void)state;
	dns_ldns_resolver(batch, &rb);
	dns_ldns_resolver(seq, &rs);
	dns_ldns_collect(batch, 1);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "a%d.test", 100 + i);
		dry(&rb, name, DNS_T_A);
		dry(&rb, name, DNS_T_A);	/* noted once */
	}
	for (i = 0; i < (int)(sizeof(odd) / sizeof(odd[0])); i++)
		dry(&rb, odd[i].name, odd[i].type);
	dns_ldns_collect(batch, 0);
	seen->max_in_flight = 0;
	tcp0 = seen->tcp;
	assert_int_equal(dns_ldns_resolve_noted(batch, 8), 47);
	/* the bound holds, and questions overlapped */
	assert_true(seen->max_in_flight > 1);
	assert_true(seen->max_in_flight <= 8);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "a%d.test.", 100 + i);
		assert_int_equal(count_of(name, DNS_T_A), 1);
	}
	/* truncated: asked again over TCP, once */
	assert_int_equal(seen->tcp - tcp0, 1);
	dns_ldns_get_stats(batch, &st);
	assert_int_equal(st.tcp, 1);
	/* SERVFAIL and REFUSED: the whole round once more, like ask() */
	assert_int_equal(count_of("sf.test.", DNS_T_A), DNS_LDNS_TRIES);
	/* every answer is the one the sequential resolver gets, and it
	 * now comes from the cache */
	dns_ldns_get_stats(batch, &st0);
	for (i = 0; i < 40 + (int)(sizeof(odd) / sizeof(odd[0])); i++) {
		const char *n = name;
		int t = DNS_T_A;

		if (i < 40)
			snprintf(name, sizeof(name), "a%d.test", 100 + i);
		else {
			n = odd[i - 40].name;
			t = odd[i - 40].type;
		}
		(void)dns_query(&rb, n, t, &x);
		(void)dns_query(&rs, n, t, &y);
		same_answer(n, t, &x, &y);
		dns_answer_free(&x);
		dns_answer_free(&y);
	}
	dns_ldns_get_stats(batch, &st);
	assert_int_equal(st.cache_hits - st0.cache_hits, 47);
	assert_int_equal(st.queries - st0.queries, 47);
	assert_int_equal(st.sent, st0.sent);
	dns_ldns_free(batch);
	dns_ldns_free(seq);
}

static void
test_next_server(void **state)
{
	struct dns_ldns *d = resolver(1, 300);
	struct dns_ldns_stats st;
	struct dns_resolver r;
	struct dns_answer a;

	(void)state;
	dns_ldns_resolver(d, &r);
	dns_ldns_collect(d, 1);
	dry(&r, "a7.test", DNS_T_A);
	dry(&r, "a8.test", DNS_T_A);
	dns_ldns_collect(d, 0);
	assert_int_equal(dns_ldns_resolve_noted(d, 2), 2);
	/* the dead server first (unreachable or silent), then the live */
	dns_ldns_get_stats(d, &st);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.timeouts, 2);
	assert_int_equal(dns_query(&r, "a7.test", DNS_T_A, &a), DNS_OK);
	assert_string_equal(a.rr[0].text, "192.0.2.7");
	dns_answer_free(&a);
	dns_ldns_free(d);
}

/* garbage and replies to other questions are dropped, never taken */
static void
test_take_reply(void **state)
{
	static const uint8_t junk[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0 };
	struct dns_answer a;
	ldns_pkt *q;
	uint8_t *w;
	size_t wlen;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(dns_ldns_take_reply(junk, sizeof(junk), 0x1234,
	    "x.test", DNS_T_A, &a), -1);
	assert_int_equal(ldns_pkt_query_new_frm_str(&q, "x.test.",
	    LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 7);
	assert_int_equal(ldns_pkt2wire(&w, q, &wlen), LDNS_STATUS_OK);
	/* a query is no reply */
	assert_int_equal(dns_ldns_take_reply(w, wlen, 7, "x.test", DNS_T_A,
	    &a), -1);
	free(w);
	ldns_pkt_set_qr(q, true);
	ldns_pkt_set_rcode(q, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt2wire(&w, q, &wlen), LDNS_STATUS_OK);
	assert_int_equal(dns_ldns_take_reply(w, wlen, 8, "x.test", DNS_T_A,
	    &a), -1);		/* another ID */
	assert_int_equal(dns_ldns_take_reply(w, wlen, 7, "y.test", DNS_T_A,
	    &a), -1);		/* another name */
	assert_int_equal(dns_ldns_take_reply(w, wlen, 7, "x.test", DNS_T_MX,
	    &a), -1);		/* another type */
	assert_int_equal(dns_ldns_take_reply(w, wlen, 7, "X.Test.", DNS_T_A,
	    &a), 1);
	assert_int_equal(a.status, DNS_NXDOMAIN);
	free(w);
	ldns_pkt_free(q);
	dns_answer_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_next_server),
		cmocka_unit_test(test_take_reply),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
