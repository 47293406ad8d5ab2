#!/bin/bash
# Smoke test: NSD from the harness answers authoritatively over UDP and TCP,
# on 127.0.0.1 and ::1, from zones this test writes; then samples/dns loads.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init smoke-nsd

z=$H_DIR/zones
mkdir -p "$z"
cat >"$z/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 300
@	SOA	ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300
@	NS	ns1
ns1	A	192.0.2.53
@	MX	10 mx1
mx1	A	198.51.100.25
mail	A	192.0.2.10
mail	AAAA	2001:db8::10
@	TXT	"v=spf1 ip4:198.51.100.25 -all"
EOF
# a file name that is not the zone name: the $ORIGIN line decides
cat >"$z/reverse-v4.zone" <<'EOF'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@	SOA	ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
@	NS	ns1.example.com.
10	PTR	mail.example.com.
EOF

# answers PATTERN DRILL-ARGS...: drill's output matches the extended regex
answers() {
	local pat=$1
	shift
	h_drill "$@" 2>&1 | grep -Eq -- "$pat" || { h_drill "$@" 2>&1; return 1; }
}

if ! h_nsd_start "$z"; then
	tap_fail "nsd starts with a generated zone dir"
	tap_done
fi
tap_ok "nsd starts on 127.0.0.1@$H_DNS_PORT with zones: $H_NSD_ZONES"
tap_check "UDP 127.0.0.1: MX answer" \
    answers 'MX[[:space:]]+10 mx1\.example\.com\.' example.com MX
tap_check "UDP 127.0.0.1: authoritative (aa flag)" \
    answers 'flags: qr aa' example.com SOA
tap_check "TCP 127.0.0.1: SPF TXT" \
    answers '"v=spf1 ip4:198\.51\.100\.25 -all"' -t example.com TXT
tap_check "UDP ::1: A record" \
    answers 'A[[:space:]]+192\.0\.2\.10' @::1 mail.example.com A
tap_check "TCP ::1: AAAA record" \
    answers 'AAAA[[:space:]]+2001:db8::10' -t @::1 mail.example.com AAAA
tap_check "PTR from a zone named by \$ORIGIN" \
    answers 'PTR[[:space:]]+mail\.example\.com\.' -x 192.0.2.10
tap_check "NXDOMAIN for an absent name" \
    answers 'rcode: NXDOMAIN' nope.example.com A
tap_check "REFUSED outside its zones (no recursion)" \
    answers 'rcode: REFUSED' example.org A
listen=$(ss -Hlntu "sport = :$H_DNS_PORT")
if [ -n "$listen" ] && ! printf '%s\n' "$listen" |
    awk '{print $5}' | grep -vqE '^(127\.0\.0\.1|\[::1\]):'; then
	tap_ok "listens on loopback only"
else
	tap_fail "listens on loopback only" "$listen"
fi
h_nsd_stop
tap_check "port $H_DNS_PORT closed after h_nsd_stop" \
    test -z "$(ss -Hlntu "sport = :$H_DNS_PORT")"

# The shared sample zones (samples/dns), when that tree has them: every zone
# must load and answer its SOA authoritatively.
sdir=${top_srcdir:-$(dirname "$0")/../..}/samples/dns
if [ -n "$(find "$sdir" -name '*.zone' 2>/dev/null | head -n 1)" ]; then
	if h_nsd_start "$sdir"; then
		tap_ok "nsd loads samples/dns ($H_NSD_ZONES)"
		bad=""
		for zone in $H_NSD_ZONES; do
			h_drill "$zone" SOA 2>/dev/null | grep -q 'flags: qr aa' ||
			    bad="$bad $zone"
		done
		if [ -z "$bad" ]; then
			tap_ok "every samples/dns zone answers its SOA"
		else
			tap_fail "every samples/dns zone answers its SOA" "no SOA for:$bad"
		fi
		h_nsd_stop
	else
		tap_fail "nsd loads samples/dns" "$(tail -n 5 "$H_NSD_LOG" 2>/dev/null)"
	fi
fi

h_assert_no_leftovers
tap_done
