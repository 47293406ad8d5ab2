#!/bin/bash
#
# NAME		limits-live - the generated limits, proven with real connections
# DOES		builds a small old host (tcpserver run scripts, tcprules with
#		MAXCONNIP/MAXCONNC, tcpserver-ssl with -t, courier, iptables
#		connlimit), runs limits-tool on it, starts Postfix and Dovecot
#		from the generated settings and tcpserver with the old ones,
#		loads the nftables file in a private network namespace, probes
#		all of them and prints the before/after table
# NEVER		connects outside 127.0.0.0/8 or the namespace it made; opens
#		more than 64 connections per probe

. "${top_srcdir:?}/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/limits-probe.sh"
h_init limits-live
TOOL=${top_builddir:?}/migrate/limits-tool
tap_plan 18

old=$H_DIR/old
out=$H_DIR/out
put() { mkdir -p "$(dirname "$old/$1")"; printf '%b' "$2" >"$old/$1"; }
put service/qmail-smtpd/run 'exec tcpserver -v -R -x /etc/tcp.smtp.cdb -c 3 0 smtp qmail-smtpd\n'
put service/qmail-smtps/run 'exec tcpserver-ssl -t 3 -c 3 0 465 qmail-smtpd\n'
put service/qmail-pop3d/run 'exec tcpserver -v -R -c 20 0 pop3 qmail-popup h vchkpw qmail-pop3d Maildir\n'
put etc/tcp.smtp '127.0.0.3:allow,RELAYCLIENT=""\n:allow,MAXCONNIP="2",MAXCONNC="3"\n'
tcprules "$old/etc/tcp.smtp.cdb" "$old/etc/tcp.smtp.tmp" <"$old/etc/tcp.smtp"
put var/qmail/control/timeoutsmtpd '3\n'
put etc/courier-imap/imapd 'MAXDAEMONS=30\nMAXPERIP=25\nIMAPDSTART=YES\n'
put etc/sysconfig/iptables '-A INPUT -p tcp -m tcp --dport 25 -m connlimit --connlimit-above 2 --connlimit-mask 32 -j REJECT --reject-with tcp-reset\n'

tap_check "limits-tool reads the old host" "$TOOL" --root "$old" -o "$out"
tap_diag "$(cat "$out/main.cf.limits" "$out/master.cf.limits")"

# ---- Postfix from the generated settings
params=()
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	params+=("${line%% = *}=${line#* = }")
done <"$out/main.cf.limits"
mkdir -p "$H_DIR/postfix/etc"
cp "$out/client_access.cidr" "$H_DIR/postfix/etc/"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx1.example.com \
    -keyout "$H_DIR/key.pem" -out "$H_DIR/cert.pem" >/dev/null 2>&1
chmod 0600 "$H_DIR/key.pem"
h_postfix_setup "$H_DIR/postfix" "${params[@]}" ||
    tap_bail "postfix setup failed with the generated main.cf lines"
# maxproc and -o lines of each service from master.cf.limits
maxproc() { awk -v s="$1" '$1 == s { print $2 }' "$out/master.cf.limits"; }
options() {
	awk -v s="$1" '/^[^ #]/ { on = ($1 == s); next } on && /^  -o/ { print }' \
	    "$out/master.cf.limits"
}
SMTPS_PORT=$(h_free_port)
sed -i "s/^\(127.0.0.1:$H_SMTP_PORT inet n - n -\) - smtpd/\1 $(maxproc smtp) smtpd/;
    s/^\(\[::1\]:$H_SMTP_PORT inet n - n -\) - smtpd/\1 $(maxproc smtp) smtpd/" \
    "$H_PF_CONF/master.cf"
{
	echo "tlsmgr unix - - n 1000? 1 tlsmgr"
	echo "127.0.0.1:$SMTPS_PORT inet n - n - $(maxproc smtps) smtpd"
	echo "  -o smtpd_tls_wrappermode=yes"
	echo "  -o smtpd_tls_security_level=encrypt"
	echo "  -o smtpd_tls_cert_file=$H_DIR/cert.pem"
	echo "  -o smtpd_tls_key_file=$H_DIR/key.pem"
	options smtps
} >>"$H_PF_CONF/master.cf"
tap_check "postconf accepts the generated master.cf lines" \
    bash -c "postconf -c '$H_PF_CONF' -M >/dev/null && ! postconf -c '$H_PF_CONF' -n 2>&1 | grep -q 'postconf: warning'"
h_postfix_start || tap_bail "postfix did not start"

r=$(lp_count "$H_SMTP_PORT" 2 127.0.0.1 127.0.0.2)
tap_diag "per-IP count: $r"
tap_check "3rd SMTP connection from 127.0.0.1 gets 421, 127.0.0.2 gets in" \
    test "$r" = "conn1=220 conn2=220 conn3=421 other=220"
lp_record "SMTP 3rd conn from one IP (limit 2)" after "${r#*conn3=}"
r=$(lp_defer "$H_SMTP_PORT" 3)
tap_diag "maxproc: $r"
tap_check "4th simultaneous SMTP connection waits for a free smtpd (maxproc 3)" \
    test "$r" = "first=220 last=none after_close=220"
lp_record "SMTP 4th simultaneous conn (limit 3)" after "waits, banner when one closes"
r=$(lp_idle "$H_SMTP_PORT" 10)
tap_diag "silent SMTP client: $r"
tap_check "a silent SMTP client is cut off after smtpd_timeout (3 s)" \
    awk -v c="${r#cut=}" 'BEGIN { exit !(c != "none" && c >= 2.5 && c <= 6) }'
lp_record "silent client on port 25 (timeout 3 s)" after "cut after ${r#cut=} s"
r=$(timeout 10 openssl s_client -connect "127.0.0.1:$SMTPS_PORT" -quiet \
    </dev/null 2>/dev/null | head -n 1)
tap_check "smtps answers a real TLS client (the port the stall probe uses works)" \
    test "${r:0:4}" = "220 "
r=$(lp_idle "$SMTPS_PORT" 10 tls)
tap_diag "stalled TLS handshake: $r"
tap_check "a stalled TLS handshake on smtps is cut off after 3 s" \
    awk -v c="${r#cut=}" 'BEGIN { exit !(c != "none" && c >= 2.5 && c <= 6) }'
lp_record "stalled TLS handshake on 465 (-t 3)" after "cut after ${r#cut=} s"
h_postfix_stop

# ---- the same probes against tcpserver with the old settings
h_tcpserver_start -c 3 -x "$old/etc/tcp.smtp.cdb" -- sh -c 'echo "220 old"; exec cat >/dev/null'
r=$(lp_defer "$H_TCP_PORT" 3)
tap_check "old: 4th connection to tcpserver -c 3 waits" \
    test "$r" = "first=220 last=none after_close=220"
lp_record "SMTP 4th simultaneous conn (limit 3)" before "waits, banner when one closes"
r=$(lp_count "$H_TCP_PORT" 2 127.0.0.1 127.0.0.2)
# (the 4th, from 127.0.0.2, waits: -c 3 is full)
tap_check "old: stock tcpserver lets a 3rd connection from one IP in (MAXCONNIP needs the limits patch)" \
    test "$r" = "conn1=220 conn2=220 conn3=220 other=none"
lp_record "SMTP 3rd conn from one IP (limit 2)" before "220 (stock tcpserver; patch: drop)"
r=$(lp_idle "$H_TCP_PORT" 5)
tap_check "old: a silent client stays connected (no timeout in tcpserver)" test "$r" = "cut=none"
lp_record "silent client on port 25 (timeout 3 s)" before "still open after 5 s"
lp_record "stalled TLS handshake on 465 (-t 3)" before "held (no -t: for days)"
h_tcpserver_stop

# ---- Dovecot from the generated settings
mapfile -t dlines <"$out/dovecot.limits"
h_dovecot_setup "$H_DIR/dovecot" "" "${dlines[@]}" ||
    tap_bail "doveconf refused the generated lines"
tap_check "doveconf accepts the generated lines" doveconf -c "$H_DC_CONF" -n
h_dovecot_adduser "u@example.com" "{PLAIN}pw-of-u"
h_dovecot_start || tap_bail "dovecot did not start"
n=$(doveconf -c "$H_DC_CONF" -f protocol=imap -h mail_max_userip_connections)
r=$(lp_imap_userip "$H_IMAP_PORT" u@example.com pw-of-u "$n")
tap_diag "IMAP $((n + 1)) logins: $r"
tap_check "IMAP: $n logins of one user from one IP, the next gets [LIMIT]" \
    bash -c "[[ '$r' == ok=$n\ last=a_NO_\[LIMIT\]* ]]"
lp_record "IMAP login $((n + 1)) of one user+IP" before "no such limit (courier)"
lp_record "IMAP login $((n + 1)) of one user+IP" after "NO [LIMIT]"
n=$(doveconf -c "$H_DC_CONF" -f protocol=pop3 -h mail_max_userip_connections)
r=$(lp_pop3_userip "$H_POP3_PORT" u@example.com pw-of-u "$n")
tap_diag "POP3 $((n + 1)) logins: $r"
tap_check "POP3: $n logins of one user from one IP, the next gets [IN-USE]" \
    bash -c "[[ '$r' == ok=$n\ last=-ERR_\[IN-USE\]* ]]"
lp_record "POP3 login $((n + 1)) of one user+IP" before "no such limit (qmail-pop3d)"
lp_record "POP3 login $((n + 1)) of one user+IP" after "-ERR [IN-USE]"
h_dovecot_stop

# ---- a process-limited login service: courier MAXDAEMONS=2
put etc/courier-imap/imapd 'MAXDAEMONS=2\nIMAPDSTART=YES\n'
"$TOOL" --root "$old" -o "$out" 2>/dev/null
mapfile -t dlines <"$out/dovecot.limits"
h_dovecot_setup "$H_DIR/dovecot2" "" "${dlines[@]}" || tap_bail "doveconf (2)"
h_dovecot_start || tap_bail "dovecot (2) did not start"
r=$(lp_login_drop "$H_IMAP_PORT" 2)
tap_diag "imap-login process_limit 2, 3 clients before login: $r"
# Dovecot drops waiting pre-login clients to make room; which ones depends on
# timing (not always the oldest), so the check is: the newest is served and
# an earlier one got "* BYE".
tap_check "imap-login process_limit 2: a 3rd client is greeted, an earlier one gets * BYE" \
    bash -c "[[ '$r' == 'greetings=* OK,* OK,* OK states='*bye*',open' ]]"
lp_record "3rd client before login (limit 2)" after "greeted; a waiting client gets * BYE"
h_dovecot_stop
h_tcpserver_start -c 2 -- sh -c 'echo "* OK old"; exec cat >/dev/null'
r=$(lp_defer "$H_TCP_PORT" 2)
tap_check "old: tcpserver -c 2 makes the 3rd client wait" \
    test "$r" = "first=* OK old last=none after_close=* OK old"
lp_record "3rd client before login (limit 2)" before "waits (accept deferred)"
h_tcpserver_stop

# ---- the nftables file in a private network namespace
tap_check "nft -c accepts the generated file" \
    unshare -n nft -c -f "$out/qmail2postfix.nft"
r=$(unshare -n bash -c '
	ip link set lo up || exit 3
	nft -f "$1" || exit 4
	. "$2"
	lp_serve 25 8 &
	srv=$!
	for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/25) 2>/dev/null && break; sleep 0.1; done
	# the probe above left no connection open (closed at once)
	sleep 0.3
	lp_multi 25 127.0.0.1 127.0.0.1 127.0.0.1 127.0.0.2 127.0.0.2 127.0.1.1
	kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
' _ "$out/qmail2postfix.nft" "$top_srcdir/tests/integration/lib/limits-probe.sh")
tap_diag "namespace: $r"
tap_check "nftables: 3rd from one IP refused, 4th in the /24 refused, another /24 gets in" \
    test "$r" = "127.0.0.1=220 127.0.0.1=220 127.0.0.1=refused 127.0.0.2=220 127.0.0.2=refused 127.0.1.1=220"
lp_record "nft: 3rd conn from one IP (limit 2)" after "refused (reset)"
lp_record "nft: 4th conn from one /24 (MAXCONNC 3)" after "refused (reset)"

tap_diag "before/after:" "$(lp_table)"
lp_table >"$H_DIR/before-after.txt"
tap_check "before/after table has every probe" test "$(wc -l <"$H_DIR/before-after.txt")" -ge 8
tap_done
