/*
 * NAME		test_iptables - iptables-save and nftables rules: connlimit,
 *		hashlimit, recent, limit, ct count, limit rate; rules that
 *		cannot be read with certainty are listed
 * DOES		table-driven over single rules
 * NEVER	touches the host's firewall
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate/oldhost/readers.h"
#include "test_limits_util.h"

struct fw_case {
	const char	*name;
	int		 nft;
	const char	*rule;
	enum limits_kind kind;
	enum limits_svc	 svc;
	long		 value, per;	/* value -99: no item */
	size_t		 nitems;
	const char	*diag;
};

static const struct fw_case cases[] = {
	{ "connlimit per IP", 0, "-A INPUT -p tcp -m tcp --dport 465 "
	    "--tcp-flags FIN,SYN,RST,ACK SYN -m connlimit --connlimit-above 8 "
	    "--connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with "
	    "tcp-reset", LK_CONC_IP, LSVC_SMTPS, 8, 0, 1, NULL },
	{ "connlimit per /24 on two ports", 0, "-A INPUT -p tcp -m multiport "
	    "--dports 993,995 -m connlimit --connlimit-above 30 "
	    "--connlimit-mask 24 -j DROP", LK_CONC_NET24, LSVC_POP3S, 30, 0, 2,
	    NULL },
	{ "hashlimit per IP", 0, "-A INPUT -p tcp -m tcp --dport 25 -m state "
	    "--state NEW -m hashlimit --hashlimit-above 5/min --hashlimit-burst "
	    "5 --hashlimit-mode srcip --hashlimit-name smtp -j DROP",
	    LK_RATE_IP, LSVC_SMTP, 5, 60, 1, NULL },
	{ "hashlimit for all", 0, "-A INPUT -p tcp --dport 110 -m hashlimit "
	    "--hashlimit-upto 20/sec --hashlimit-name p -j ACCEPT",
	    LK_RATE_SERVICE, LSVC_POP3, 20, 1, 1, NULL },
	{ "recent", 0, "-A INPUT -p tcp -m tcp --dport 25 -m state --state NEW "
	    "-m recent --update --seconds 60 --hitcount 30 --name SMTP "
	    "--rsource -j DROP", LK_RATE_IP, LSVC_SMTP, 29, 60, 1, NULL },
	{ "recent --set alone is no limit", 0, "-A INPUT -p tcp --dport 25 -m "
	    "recent --set --name SMTP", LK_RATE_IP, LSVC_SMTP, -99, 0, 0, NULL },
	{ "limit -j ACCEPT", 0, "-A INPUT -p tcp --dport 143 -m limit --limit "
	    "10/minute --limit-burst 20 -j ACCEPT", LK_RATE_SERVICE, LSVC_IMAP,
	    10, 60, 1, NULL },
	{ "icmp rate is not mail", 0, "-A INPUT -p icmp -m limit --limit 10/sec "
	    "-j ACCEPT", LK_RATE_SERVICE, LSVC_SMTP, -99, 0, 0, NULL },
	{ "LOG rate is not a limit", 0, "-A INPUT -p tcp --dport 25 -m limit "
	    "--limit 1/min -j LOG", LK_RATE_SERVICE, LSVC_SMTP, -99, 0, 0, NULL },
	{ "source-restricted: a note", 0, "-A INPUT -s 10.0.0.0/8 -p tcp "
	    "--dport 25 -m connlimit --connlimit-above 3 -j DROP", LK_CONC_IP,
	    LSVC_SMTP, -99, 0, 0, "limit only for source" },
	{ "odd mask: listed", 0, "-A INPUT -p tcp --dport 25 -m connlimit "
	    "--connlimit-above 3 --connlimit-mask 16 -j DROP", LK_CONC_IP,
	    LSVC_SMTP, -99, 0, 0, "cannot read" },
	{ "connlimit with ACCEPT: listed", 0, "-A INPUT -p tcp --dport 25 -m "
	    "connlimit --connlimit-above 3 -j ACCEPT", LK_CONC_IP, LSVC_SMTP,
	    -99, 0, 0, "cannot read" },
	{ "no port: every mail port", 0, "-A INPUT -p tcp --syn -m connlimit "
	    "--connlimit-above 50 -j REJECT", LK_CONC_IP, LSVC_IMAPS, 50, 0, 7,
	    NULL },
	{ "nft ct count", 1, "tcp dport { 465, 587 } ct state new add "
	    "@smtps_conn4 { ip saddr ct count over 8 } reject with tcp reset",
	    LK_CONC_IP, LSVC_SUBMISSION, 8, 0, 2, NULL },
	{ "nft /24", 1, "tcp dport 25 ct state new add @c24 { ip saddr & "
	    "255.255.255.0 ct count over 15 } reject", LK_CONC_NET24, LSVC_SMTP,
	    15, 0, 1, NULL },
	{ "nft keyed rate", 1, "tcp dport 25 ct state new add @r { ip saddr "
	    "limit rate over 5/minute burst 5 packets } drop", LK_RATE_IP,
	    LSVC_SMTP, 5, 60, 1, NULL },
	{ "nft unkeyed ct count: listed", 1, "tcp dport 25 ct count over 5 drop",
	    LK_CONC_IP, LSVC_SMTP, -99, 0, 0, "cannot read" },
};

static void
test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fw_case *c = &cases[i];
		struct limits l;
		const struct limits_item *it;

		limits_init(&l);
		if (c->nft)
			assert_int_equal(nftrules_parse(&l, "nft", c->rule,
			    strlen(c->rule)), 0);
		else
			assert_int_equal(iptables_parse(&l, "ipt", c->rule,
			    strlen(c->rule)), 0);
		if (l.nitems != c->nitems)
			fail_msg("%s: %zu items, want %zu", c->name, l.nitems,
			    c->nitems);
		it = find_item(&l, c->kind, c->svc);
		if (c->value == -99 && it != NULL)
			fail_msg("%s: got an item", c->name);
		if (c->value != -99 && (it == NULL || it->value != c->value ||
		    it->per != c->per || it->line != 1))
			fail_msg("%s: got %ld per %ld, want %ld per %ld", c->name,
			    it != NULL ? it->value : -1, it != NULL ? it->per :
			    -1, c->value, c->per);
		if (c->diag != NULL && find_diag(&l, 1, c->diag) == NULL)
			fail_msg("%s: no diagnostic \"%s\"", c->name, c->diag);
		if (c->diag == NULL && l.ndiags != 0)
			fail_msg("%s: diagnostic %s", c->name, l.diags[0].text);
		limits_free(&l);
	}
}

static void
test_sysctl(void **state)
{
	static const char conf[] =
	    "# keepalive\n"
	    "net.ipv4.tcp_keepalive_time = 300\n"
	    "net/ipv4/tcp_keepalive_intvl=30\n"
	    "kernel.shmmax = 1\n"
	    "net.netfilter.nf_conntrack_tcp_timeout_established = 7200\n"
	    "net.ipv4.tcp_keepalive_probes = five\n";
	struct limits l;

	(void)state;
	limits_init(&l);
	assert_int_equal(sysctl_parse(&l, "etc/sysctl.conf", conf,
	    sizeof(conf) - 1), 0);
	assert_int_equal(count_items(&l, LK_KERNEL), 3);
	assert_string_equal(l.items[1].detail,
	    "net.ipv4.tcp_keepalive_intvl = 30");
	assert_int_equal(l.items[2].line, 5);
	assert_non_null(find_diag(&l, 6, "not a number"));
	limits_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_sysctl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
