#!/bin/bash
# Smoke test: mail through Postfix + the opendkim milter (all from the
# harness) leaves with a DKIM-Signature that Mail::DKIM verifies against the
# key NSD serves; a changed body fails; a foreign From: is not signed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init smoke-opendkim

keys=$H_DIR/keys
zones=$H_DIR/zones
mkdir -p "$zones"
if ! h_dkim_genkey "$keys" example.com q2p 2048; then
	tap_fail "opendkim-genkey makes a key"
	tap_done
fi
{
	cat <<'EOF'
$ORIGIN example.com.
$TTL 300
@	SOA	ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
@	NS	ns1
ns1	A	192.0.2.53
EOF
	# opendkim-genkey's record, minus its trailing comment
	sed 's/;[^"]*DKIM key.*$//' "$keys/q2p.txt"
} >"$zones/example.com.zone"

h_nsd_start "$zones" || { tap_fail "nsd starts"; tap_done; }
tap_check "NSD serves q2p._domainkey.example.com" \
    bash -c "drill -p $H_DNS_PORT @127.0.0.1 q2p._domainkey.example.com TXT | grep -q 'v=DKIM1'"
h_opendkim_start "$keys" example.com q2p ||
    { tap_fail "opendkim starts" "$(cat "$H_DKIM_DIR/opendkim.out" 2>/dev/null)"; tap_done; }
tap_ok "opendkim milter listens on 127.0.0.1:$H_DKIM_PORT"
h_postfix_setup "" \
    "virtual_mailbox_domains = example.net" \
    "virtual_mailbox_maps = inline:{ bob@example.net=example.net/bob/ }" \
    "smtpd_milters = $H_DKIM_MILTER" \
    "non_smtpd_milters = $H_DKIM_MILTER" \
    "milter_default_action = tempfail" &&
    h_postfix_start || { tap_fail "postfix starts"; tap_done; }
tap_ok "postfix with the milter starts"

mbox=$(h_postfix_mailbox bob@example.net)
send() {	# send FROM SUBJECT
	swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --helo client.example.com \
	    --from "$1" --to bob@example.net --header "Subject: $2" \
	    --body "body of $2" 2>&1
}
found() {	# found SUBJECT: print the delivered file
	local f
	f=$(grep -ls "^Subject: $1\$" "$mbox"/new/* 2>/dev/null | head -n 1)
	[ -n "$f" ] && echo "$f"
}

# dkim_verify FILE: Mail::DKIM against the test's NSD only (never the host's
# resolver); prints "RESULT DOMAIN SELECTOR DETAIL"
dkim_verify() {
	PORT=$H_DNS_PORT perl -MMail::DKIM::Verifier -MNet::DNS::Resolver -e '
	    my $r = Net::DNS::Resolver->new(nameservers => ["127.0.0.1"],
	        port => $ENV{PORT}, recurse => 0, retry => 1,
	        udp_timeout => 5, tcp_timeout => 5, searchlist => []);
	    Mail::DKIM::DNS::resolver($r);
	    my $v = Mail::DKIM::Verifier->new;
	    while (<STDIN>) { s/\r?\n\z/\r\n/; $v->PRINT($_); }
	    $v->CLOSE;
	    my $s = $v->signature;
	    printf "%s %s %s %s\n", $v->result, $s ? $s->domain : "-",
	        $s ? $s->selector : "-", $v->result_detail;' <"$1"
}

send alice@example.com dkim-1 >"$H_DIR/send1.out"
if h_wait 100 found dkim-1 >/dev/null; then
	f=$(found dkim-1)
	tap_ok "signed message delivered"
else
	tap_fail "signed message delivered" "$(cat "$H_DIR/send1.out")" \
	    "$(tail -n 5 "$(h_postfix_log)")"
	tap_done
fi
tap_check "DKIM-Signature with d=example.com s=q2p rsa-sha256" \
    bash -c "grep -A3 '^DKIM-Signature:' '$f' | tr -d '\n\t ' |
        grep -q 'a=rsa-sha256;c=relaxed/relaxed;d=example.com;s=q2p;'"
v=$(dkim_verify "$f")
if [[ $v == "pass example.com q2p "* ]]; then
	tap_ok "Mail::DKIM verifies it against NSD ($v)"
else
	tap_fail "Mail::DKIM verifies it against NSD" "got: $v"
fi
sed 's/^body of dkim-1/body of dkim-1, changed on the way/' "$f" >"$H_DIR/tampered.eml"
v=$(dkim_verify "$H_DIR/tampered.eml")
if [[ $v == "fail example.com q2p "*"body has been altered"* ]]; then
	tap_ok "a changed body fails verification ($v)"
else
	tap_fail "a changed body fails verification" "got: $v"
fi

send carol@sender.example dkim-2 >"$H_DIR/send2.out"
if h_wait 100 found dkim-2 >/dev/null; then
	f=$(found dkim-2)
	tap_check "mail From: another domain is not signed" \
	    bash -c "! grep -q '^DKIM-Signature:' '$f'"
else
	tap_fail "mail From: another domain is delivered" "$(cat "$H_DIR/send2.out")"
fi

h_postfix_stop
h_opendkim_stop
h_nsd_stop
h_assert_no_leftovers
tap_done
