#!/bin/bash
#
# NAME		limits-samples - the limits of samples/oldhost and its logs
# DOES		runs limits-tool on a fixed-up copy of the sample host, checks
#		the values samples/README.md says the migration must produce,
#		and validates the output with postconf, doveconf and nft -c
# NEVER		starts a server or touches the host's firewall (nft -c runs
#		in a private network namespace)

. "${top_srcdir:?}/tests/integration/lib/harness.sh"
h_init limits-samples
TOOL=${top_builddir:?}/migrate/limits-tool
tap_plan 23

cp -a "$top_srcdir/samples/oldhost" "$H_DIR/oldhost"
python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" \
    --tree oldhost >/dev/null || tap_bail "fixup failed"
root=$H_DIR/oldhost
out=$H_DIR/out
logs=()
for f in "$root"/var/log/maillog "$root"/var/log/messages \
    "$root"/var/log/qmail/*/current; do
	logs+=(--logs "$f")
done
"$TOOL" --root "$root" -o "$out" "${logs[@]}" 2>"$H_DIR/tool.err"
rc=$?
tap_check "limits-tool: exit 1 (items listed as not read)" test "$rc" = 1
tap_check "the tcprules line without a colon is listed with file:line" \
    grep -q 'etc/tcp.smtp:13: no .:. in this rule' "$H_DIR/tool.err"

main=$out/main.cf.limits
master=$out/master.cf.limits
dc=$out/dovecot.limits
nft=$out/qmail2postfix.nft
rep=$out/report.txt
has() { grep -qF -- "$2" "$1"; }
tap_check "smtpd maxproc 100 from concurrencyincoming via the run script" \
    has "$master" $'(value from var/qmail/control/concurrencyincoming:1))\nsmtp 100'
tap_check "submission maxproc 30 (\$MAXSUB), smtpd_timeout 900 from its export" \
    bash -c "grep -qx 'submission 30' '$master' && grep -qx '  -o smtpd_timeout=900s' '$master'"
tap_check "port 25: envdir QMAIL_SMTPD_TIMEOUT 300 overrides timeoutsmtpd 600" \
    has "$main" $'service/qmail-smtpd/env/QMAIL_SMTPD_TIMEOUT:1'
tap_check "port 25: smtpd_timeout = 300s" grep -qx 'smtpd_timeout = 300s' "$main"
tap_check "tcpserver-ssl without -t: 30 s handshake deadline on smtps" \
    bash -c "grep -qx '  -o smtpd_starttls_timeout=30s' '$master' && grep -qx '  -o smtpd_per_request_deadline=yes' '$master'"
tap_check "MAXCONNIP 20 -> smtpd_client_connection_count_limit = 20" \
    grep -qx 'smtpd_client_connection_count_limit = 20' "$main"
tap_check "smtps: iptables connlimit 8 beats MAXCONNIP 20 (tighter kept)" \
    bash -c "grep -qx '  -o smtpd_client_connection_count_limit=8' '$master' && grep -q 'kept 8 (etc/sysconfig/iptables:13' '$rep'"
tap_check "mynetworks from RELAYCLIENT=\"\" rules, not 192.0.2.50 (RELAYCLIENT=\"@fax\")" \
    grep -qx 'mynetworks = 127.0.0.0/8 192.0.2.0/24 203.0.113.10' "$main"
tap_check "RELAYCLIENT with a value: reported as inexpressible" \
    has "$rep" "RELAYCLIENT with a value appends it to every recipient"
tap_check "deny range 198.51.100.200-209 in the client access table; 198.51.100.99 not" \
    bash -c "grep -q '^198.51.100.209 *REJECT' '$out/client_access.cidr' && ! grep -q '198.51.100.99' '$out/client_access.cidr'"
tap_check "courier POP3DSTART=NO: not applied" \
    has "$rep" "POP3DSTART=NO: courier does not start this listener"
tap_check "xinetd imap disable = yes: not applied" \
    has "$rep" "disable = yes: xinetd does not run this service"
tap_check "xinetd cps: no equivalent, with what to do instead" \
    has "$rep" "xinetd cps switches the whole service off"
tap_check "MAXPERIP 4 on 143/993 and per_source/connlimit on 995 in nftables" \
    bash -c "grep -q 'tcp dport { 143, 993 } ct state new add @conn[0-9]*_4 { ip saddr ct count over 4 }' '$nft' && grep -q 'tcp dport 995 ct state new add @conn[0-9]*_4 { ip saddr ct count over 8 }' '$nft'"
tap_check "MAXCONNC 40 per /24 in nftables" \
    grep -q 'ip saddr & 255.255.255.0 ct count over 40' "$nft"
tap_check "logs: peak 100 of 100 on port 25 with 134 status lines at the limit" \
    has "$rep" "peak 100 at 2026-11-18 14:06 (limit 100, at the limit in 134 status lines)"
tap_check "logs: Dovecot user+IP errors give mail_max_userip_connections 20" \
    bash -c "grep -q 'Dovecot mail_max_userip_connections reached on imap, limit 10: 40 times' '$rep' && grep -q 'mail_max_userip_connections = 20' '$dc'"
tap_check "logs: process_limit (100) reached -> 200 and high-performance mode recommended" \
    grep -q 'service \*-login process_limit .* imap .* 6 *200 .*(perf mode)\|high-performance mode' "$rep"

# the output must be accepted by the real tools
pf=$H_DIR/pf
mkdir -p "$pf"
: >"$pf/master.cf"
grep -v '^#' "$main" | grep . >"$pf/main.cf"
cp "$out/client_access.cidr" "$pf/"
tap_check "postconf -n: no warning for the main.cf lines" \
    bash -c "! postconf -c '$pf' -n 2>&1 | grep -q 'postconf: warning'"
printf 'ssl = no\nprotocols = imap pop3\n' >"$H_DIR/dc.conf"
cat "$dc" >>"$H_DIR/dc.conf"
tap_check "doveconf -n accepts the Dovecot lines" doveconf -c "$H_DIR/dc.conf" -n
tap_check "nft -c accepts the nftables file" unshare -n nft -c -f "$nft"
tap_done
