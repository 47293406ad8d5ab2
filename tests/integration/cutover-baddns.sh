#!/bin/bash
# cutover-report when DNS fails: a dead server and zones that SERVFAIL give
# temporary-error findings (blockers for the new host's PTR and SPF, never a
# crash, never a go); live probes of a real Postfix on loopback (the per-client
# connection limit answers 421) next to a banner server and a closed port; the
# rehearsal summary from a result file (all well, and logins/routes broken).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init cutover-baddns

BIN=${top_builddir:-.}/cutover-report
DATA=$top_srcdir/tests/data/cutover
MIG=$DATA/good/migration.json
MSG=$top_srcdir/samples/messages/01-newsletter-rsa.eml
command -v jq >/dev/null || tap_bail "jq is needed"
[ -x "$BIN" ] || tap_bail "no $BIN"

run() {	# NAME DNS [options]: JSON report into $H_DIR/NAME.json, sets RC
	local name=$1 dns=$2
	shift 2
	"$BIN" --migration "$MIG" --ip 198.51.100.25 --helo mx1.example.com \
	    --now 1795000000 --dns-server "$dns" --dns-timeout 300 \
	    --format json -o "$H_DIR/$name.json" --sample-sender "$MSG" "$@" \
	    2>"$H_DIR/$name.err"
	RC=$?
}
sev() {	# NAME CHECK: severities of that check, sorted, one line
	jq -r --arg c "$2" '[.findings[] | select(.check == $c) |
	    .severity + (if .temporary then "/temporary" else "" end)] |
	    unique | join(",")' "$H_DIR/$1.json"
}
is() {	# DESC GOT WANT
	if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1" \
	    "got '$2', want '$3'"; fi
}

# --- a dead server: nothing answers
dead=$(h_free_port) || tap_bail "no free port"
start=$(date +%s)
run dead "127.0.0.1@$dead"
took=$(( $(date +%s) - start ))
is "dead server: exit 2 (no-go), not a crash" "$RC" 2
is "dead server: PTR cannot be verified: blocker" "$(sev dead ptr.temperror)" \
    "blocker/temporary"
is "dead server: SPF cannot be verified: blocker" "$(sev dead spf.temperror)" \
    "blocker/temporary"
is "dead server: HELO cannot be verified: warning" "$(sev dead helo.temperror)" \
    "warning/temporary"
is "dead server: DKIM keys cannot be verified: warning" \
    "$(sev dead dkim.temperror)" "warning/temporary"
is "dead server: no DNS check claims a pass" "$(jq '[.findings[] |
    select(.section | test("host|domain|srs|forward")) |
    select(.check | test("ok$|pass$"))] | length' "$H_DIR/dead.json")" 0
is "dead server: each question asked once, finished in time" \
    "$([ "$took" -lt 40 ] && echo yes)" yes

# --- SERVFAIL: the reverse zone and example.net cannot be loaded
Z=$H_DIR/zones
cp -r "$DATA/good/zones" "$Z"
rm "$Z/100.51.198.in-addr.arpa.zone" "$Z/example.net.zone"
h_nsd_start "$Z" || tap_bail "nsd"
h_nsd_stop
for zn in 100.51.198.in-addr.arpa example.net; do
	printf 'zone:\n    name: "%s"\n    zonefile: "%s/missing-%s.zone"\n' \
	    "$zn" "$H_DIR" "$zn" >>"$H_NSD_DIR/nsd.conf"
done
(cd "$H_NSD_DIR" && exec nsd -d -c "$H_NSD_DIR/nsd.conf") \
    >"$H_NSD_DIR/nsd2.out" 2>&1 &
H_NSD_PID=$!
H_PIDS+=("$H_NSD_PID")
_h_register h_nsd_stop
h_wait 100 _h_nsd_answers example.com || tap_bail "nsd does not come back"
tap_check "SERVFAIL set-up: NSD answers SERVFAIL for the unloaded zone" \
    bash -c "drill -p $H_DNS_PORT @127.0.0.1 example.net TXT | grep -q SERVFAIL"
run servfail "127.0.0.1@$H_DNS_PORT"
is "SERVFAIL: exit 2" "$RC" 2
is "SERVFAIL: PTR of the new IP: temporary blocker" \
    "$(sev servfail ptr.temperror)" "blocker/temporary"
is "SERVFAIL: SPF of example.net: temporary blocker" \
    "$(jq -r '.findings[] | select(.check == "spf.temperror") | .subject' \
    "$H_DIR/servfail.json")" "example.net"
tap_check "SERVFAIL: the evidence names the DNS answer" \
    jq -e '.findings[] | select(.check == "ptr.temperror") |
    .evidence | join(" ") | test("SERVFAIL")' "$H_DIR/servfail.json"
is "SERVFAIL: example.com is still checked and passes" \
    "$(jq -r '.domains[] | select(.name == "example.com") | .spf.result' \
    "$H_DIR/servfail.json")" pass

# --- live probes and the rehearsal, good DNS
h_nsd_stop
h_nsd_start "$DATA/good/zones" || tap_bail "nsd"
h_postfix_setup "" "smtpd_client_connection_count_limit = 20" ||
    tap_bail "postfix setup"
h_postfix_start || tap_bail "postfix"
h_tcpserver_start -- sh -c 'echo "* OK [CAPABILITY IMAP4rev1] ready"; sleep 2' ||
    tap_bail "tcpserver"
closed=$(h_free_port) || tap_bail "no free port"
run probe "127.0.0.1@$H_DNS_PORT" --probe-limits 127.0.0.1 \
    --probe-port "smtp=$H_SMTP_PORT" --probe-port "imap=$H_TCP_PORT" \
    --probe-port "pop3=$closed" --rehearsal "$DATA/rehearsal/ok.json"
is "probes: exit 1 (a warning: POP3 does not answer)" "$RC" 1
is "probes: SMTP and IMAP answer, POP3 refused" "$(jq -r '[.probes.ports[] |
    .service + "=" + .status] | join(" ")' "$H_DIR/probe.json")" \
    "smtp=open imap=open pop3=refused"
is "probes: the 21st SMTP connection from one address gets 421" \
    "$(jq -r '.probes.smtp_count | (.results | length | tostring) + " " +
    (.results[-1][0:3]) + " " + (.enforced | tostring)' "$H_DIR/probe.json")" \
    "21 421 true"
is "probes: closed POP3 port is a warning" "$(sev probe probe.port)" \
    "info,warning"
is "rehearsal ok: summarized, no finding above info" \
    "$(jq -r '.rehearsal.addresses, ([.findings[] | select(.section ==
    "rehearsal") | .severity] | unique | join(","))' "$H_DIR/probe.json" |
    tr '\n' ' ')" "2 info "
run rehearsal-fail "127.0.0.1@$H_DNS_PORT" \
    --rehearsal "$DATA/rehearsal/fail.json"
is "rehearsal fail: exit 2" "$RC" 2
is "rehearsal fail: login and delivery blockers" "$(jq -r '[.findings[] |
    select(.severity == "blocker") | .check] | sort | join(" ")' \
    "$H_DIR/rehearsal-fail.json")" "rehearsal.delivery rehearsal.login"
tap_check "rehearsal fail: the evidence names the addresses" \
    jq -e '.findings[] | select(.check == "rehearsal.delivery") |
    .evidence[0] == "alice@example.com, sales@example.com"' \
    "$H_DIR/rehearsal-fail.json"
run rehearsal-bad "127.0.0.1@$H_DNS_PORT" --rehearsal "$MIG"
is "rehearsal unreadable: blocker, exit 2" \
    "$RC $(sev rehearsal-bad rehearsal.unreadable)" "2 blocker"

h_stop_all
h_assert_no_leftovers
tap_done
