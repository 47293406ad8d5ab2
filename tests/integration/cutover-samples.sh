#!/bin/bash
# cutover-report against a real NSD: the "good" new host (samples/dns with the
# sample world's blockers fixed, tests/data/cutover/good) goes, and each broken
# variant (missing PTR, HELO mismatch, SPF without the new IP, SPF over 10
# lookups for the new IP only, DKIM key missing) gives its blocker with its
# fix. Problems the old host had too (SPF over 10 lookups for both addresses,
# postmaster@ bouncing on the old host, forwarding without SRS as qmail did)
# are warnings "as on the old host" (exit 1); the same postmaster@ that the
# old host delivered and the migration lost is a blocker. Golden JSON per
# case (Q2P_REGEN=1 rewrites them; read every changed line). The real
# migration of samples/oldhost is checked too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init cutover-samples

BIN=${top_builddir:-.}/cutover-report
DATA=$top_srcdir/tests/data/cutover
GOOD=$DATA/good
GOLD=$DATA/golden
MSG=$top_srcdir/samples/messages/01-newsletter-rsa.eml
NOW=1795000000
IP=198.51.100.25
HELO=mx1.example.com
command -v jq >/dev/null || tap_bail "jq is needed"
[ -x "$BIN" ] || tap_bail "no $BIN"

# zones NAME: the good zones with the variant's files laid over them
zones() {
	local z=$H_DIR/zones-$1
	rm -rf "$z"
	cp -r "$GOOD/zones" "$z"
	[ -d "$DATA/broken/$1" ] && cp "$DATA/broken/$1"/*.zone "$z/"
	echo "$z"
}

# norm: the report without what changes between runs (port, paths)
norm() {
	jq -S 'del(.dns_server, .migration)' "$1" |
	    sed -e "s|$DATA|DATA|g" -e "s|$top_srcdir|SRCDIR|g"
}

# report NAME ZONEDIR MIGRATION [options]: runs the report as JSON into
# $H_DIR/NAME.json, sets RC; compares with the golden file
report() {
	local name=$1 zdir=$2 mig=$3
	shift 3
	h_nsd_start "$zdir" || tap_bail "nsd for $name"
	"$BIN" --migration "$mig" --ip "$IP" --helo "$HELO" --now "$NOW" \
	    --dns-server "127.0.0.1@$H_DNS_PORT" --format json \
	    -o "$H_DIR/$name.json" "$@" 2>"$H_DIR/$name.err"
	RC=$?
	h_nsd_stop
	[ -s "$H_DIR/$name.json" ] || { tap_fail "$name: report written" \
	    "$(cat "$H_DIR/$name.err")"; return; }
	norm "$H_DIR/$name.json" >"$H_DIR/$name.norm"
	if [ "${Q2P_REGEN:-0}" = 1 ]; then
		mkdir -p "$GOLD" && cp "$H_DIR/$name.norm" "$GOLD/$name.json"
	fi
	tap_check "$name: JSON equals the reviewed golden file" \
	    diff -u "$GOLD/$name.json" "$H_DIR/$name.norm"
}

# has NAME SEVERITY CHECK FIX-SUBSTRING: a finding with that check and
# severity whose fix holds the text
has() {
	local n
	n=$(jq --arg s "$2" --arg c "$3" --arg f "$4" '[.findings[] |
	    select(.severity == $s and .check == $c) |
	    select((.fix | join("\n")) | contains($f))] | length' \
	    "$H_DIR/$1.json")
	if [ "${n:-0}" -ge 1 ]; then
		tap_ok "$1: $2 $3 with fix '$4'"
	else
		tap_fail "$1: $2 $3 with fix '$4'" \
		    "$(jq -c '.findings[] | select(.severity != "info") |
		    [.severity, .check, .title]' "$H_DIR/$1.json")"
	fi
}

exit_is() {
	if [ "$RC" = "$2" ]; then tap_ok "$1: exit $2"
	else tap_fail "$1: exit $2" "got $RC" "$(cat "$H_DIR/$1.err")"; fi
}

blockers_are() {	# NAME [CHECK...]: exactly these kinds of blocker
	local want got
	want=$(printf '%s\n' "${@:2}" | sed '/^$/d' | sort -u | tr '\n' ' ')
	got=$(jq -r '.findings[] | select(.severity == "blocker") | .check' \
	    "$H_DIR/$1.json" | sort -u | tr '\n' ' ')
	if [ "$want" = "$got" ]; then tap_ok "$1: blockers are: $want"
	else tap_fail "$1: blockers are: $want" "got: $got"; fi
}

SENDERS=(--sample-sender "$MSG" --sample-sender news.example)

# --- the good new host: go, nothing to fix
report good "$GOOD/zones" "$GOOD/migration.json" "${SENDERS[@]}"
exit_is good 0
tap_check "good: verdict go, no blocker, no warning" \
    jq -e '.verdict == "go" and .counts.blocker == 0 and .counts.warning == 0' \
    "$H_DIR/good.json"
tap_check "good: every domain's DKIM key matches (public_key and key_file)" \
    jq -e '[.domains[] | select(.kind != "relay") | .dkim[] |
    select(.signing) | .matches] | all and length == 4' "$H_DIR/good.json"
tap_check "good: SPF of example.com passes with counts in range" \
    jq -e '.domains[] | select(.name == "example.com") |
    .spf.result == "pass" and .spf.lookups <= 10 and .spf.void_lookups <= 2' \
    "$H_DIR/good.json"
tap_check "good: the chart series carry the new limits" \
    jq -e '[.limits.series[] | .limit] == [100, 80, 40]' "$H_DIR/good.json"

# --- missing PTR
report missing-ptr "$(zones missing-ptr)" "$GOOD/migration.json" "${SENDERS[@]}"
exit_is missing-ptr 2
blockers_are missing-ptr ptr.missing
has missing-ptr blocker ptr.missing \
    "25.100.51.198.in-addr.arpa. IN PTR mx1.example.com."
tap_check "missing-ptr: Gmail's verdict is reject (5.7.25)" \
    jq -e '.host.receivers[] | select(.receiver == "Gmail") |
    .verdict == "reject" and (.why | contains("5.7.25"))' \
    "$H_DIR/missing-ptr.json"

# --- HELO mismatch: the HELO name is the old host's
HELO=mail.example.com
report helo-mismatch "$GOOD/zones" "$GOOD/migration.json" "${SENDERS[@]}"
HELO=mx1.example.com
exit_is helo-mismatch 2
has helo-mismatch blocker helo.mismatch "mail.example.com. IN A 198.51.100.25"
has helo-mismatch blocker helo.mismatch "smtp_helo_name = mx1.example.com"

# --- SPF without the new IP (example.net as in samples/dns)
report spf-no-ip "$(zones spf-no-ip)" "$GOOD/migration.json" "${SENDERS[@]}"
exit_is spf-no-ip 2
blockers_are spf-no-ip spf.new-ip
has spf-no-ip blocker spf.new-ip \
    'example.net. IN TXT "v=spf1 ip4:198.51.100.25 ip4:192.0.2.10 -all"'
tap_check "spf-no-ip: DMARC of example.net still passes through DKIM" \
    jq -e '.domains[] | select(.name == "example.net") |
    .dmarc.rfc9989.result == "pass" and .dmarc.rfc9989.dkim_aligned' \
    "$H_DIR/spf-no-ip.json"

# --- SPF over 10 lookups
report spf-limits "$(zones spf-limits)" "$GOOD/migration.json" "${SENDERS[@]}"
exit_is spf-limits 2
blockers_are spf-limits spf.limits
has spf-limits blocker spf.limits \
    "ip4:198.51.100.25 ip4:192.0.2.10 include:_s1.example.com"
tap_check "spf-limits: the old address passes, so the switch breaks it" \
    jq -e '[.findings[] | select(.check == "spf.limits")] | length == 3
    and all(.old_host == "differs" and .introduced and (.subject as $s |
    .evidence | any(. == "old host: SPF of " + $s + " for 192.0.2.10 " +
    "(DNS: address of mail.example.com): pass")))' \
    "$H_DIR/spf-limits.json"
tap_check "spf-limits: example.org (redirect=) and partner.example (include:) inherit it" \
    jq -e '[.findings[] | select(.check == "spf.limits") | .subject] | sort ==
    ["example.com", "example.org", "partner.example"]' "$H_DIR/spf-limits.json"
tap_check "spf-limits: lookup count above 10 is reported" \
    jq -e '.domains[] | select(.name == "example.com") |
    .spf.result == "permerror" and .spf.lookups > 10' "$H_DIR/spf-limits.json"

# --- DKIM key missing
report dkim-missing "$(zones dkim-missing)" "$GOOD/migration.json" "${SENDERS[@]}"
exit_is dkim-missing 2
blockers_are dkim-missing dkim.missing
has dkim-missing blocker dkim.missing \
    'q2p._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1xL3X4rVFYw'

# --- DMARC p=reject senders, forwards, no SRS: qmail forwarded the same way,
# so the old host's forwards got SPF fail too: warnings, not blockers
report no-srs "$GOOD/zones" "$DATA/no-srs/migration.json" "${SENDERS[@]}"
exit_is no-srs 1
blockers_are no-srs
has no-srs warning forward.no-srs "srs-forward -d srs.example.com"
tap_check "no-srs: the p=reject sender is delivered with SRS, at risk without" \
    jq -e '.forwards.senders[0] | .dmarc_policy == "reject" and
    .outcomes[0].spf == "fail" and .outcomes[2].outcome == "delivered"' \
    "$H_DIR/no-srs.json"
tap_check "no-srs: forward findings are as on the old host, named by domain" \
    jq -e '[.findings[] | select(.check == "forward.no-srs")] |
    length == 2 and all(.old_host == "same" and (.introduced | not) and
    (.title | endswith("(as on the old host)")) and
    (.subject == "sender.example" or .subject == "news.example"))' \
    "$H_DIR/no-srs.json"
tap_check "no-srs: the sample message's path is evidence, never a title" \
    jq -e --arg m "$MSG" '([.findings[] | select((.title + .subject) |
    contains(".eml"))] | length == 0) and ([.findings[] |
    select(.subject == "sender.example") | .evidence[] |
    select(. == "sample message " + $m + ", From: domain sender.example")]
    | length >= 1)' "$H_DIR/no-srs.json"

# mig NAME JQ-FILTER: the good migration changed by the filter, its key
# files made absolute (the copy lives elsewhere)
mig() {
	jq --arg k "$top_srcdir/samples/dns/keys/q2p.private" "$2 |
	    .dkim.selectors |= map(if .key_file then .key_file = \$k else . end)" \
	    "$GOOD/migration.json" >"$H_DIR/$1.migration.json" ||
	    tap_bail "jq for $1"
	echo "$H_DIR/$1.migration.json"
}
NO_PM='.mailboxes |= map(select(.address != "postmaster@oldbrand.example"))'

# --- only problems the old host had too: SPF of example.com over 10
# lookups for the old address as for the new one, postmaster@oldbrand.example
# bounced on the old host (no mailbox, unknown users bounce): exit 1, never 2
report preexisting "$(zones preexisting)" "$(mig preexisting "$NO_PM |
    (.domains[] | select(.name == \"oldbrand.example\") | .unknown_users) =
    \"bounce\" | (.bounce_routing.postmaster[] |
    select(.domain == \"oldbrand.example\") | .routes_to) = null")" \
    "${SENDERS[@]}"
exit_is preexisting 1
blockers_are preexisting
tap_check "preexisting: each warning is marked as on the old host" \
    jq -e '[.findings[] | select(.severity == "warning") |
    [.check, .subject, .old_host, .introduced,
    (.title | endswith(" (as on the old host)"))]] | sort ==
    [["bounce.postmaster", "oldbrand.example", "same", false, true],
    ["spf.limits", "example.com", "same", false, true],
    ["spf.limits", "example.org", "same", false, true]]' \
    "$H_DIR/preexisting.json"
has preexisting warning bounce.postmaster \
    "postmaster@oldbrand.example  postmaster@example.com"
tap_check "preexisting: the old host's address comes from DNS" \
    jq -e '.old_host == {"hostname": "mail.example.com", "ip": "192.0.2.10",
    "ip_source": "DNS: address of mail.example.com"}' \
    "$H_DIR/preexisting.json"

# --- the same postmaster@ introduced by the switch: the old host delivered it
# to the mailbox postmaster@oldbrand.example, which the migration lost
report postmaster-lost "$GOOD/zones" "$(mig postmaster-lost "$NO_PM")" \
    "${SENDERS[@]}"
exit_is postmaster-lost 2
blockers_are postmaster-lost bounce.postmaster
tap_check "postmaster-lost: the blocker is introduced, the old host differs" \
    jq -e '[.findings[] | select(.severity == "blocker")] | length == 1 and
    .[0].subject == "oldbrand.example" and .[0].old_host == "differs" and
    .[0].introduced and (.[0].title | contains("old host") | not)' \
    "$H_DIR/postmaster-lost.json"

# --- the real migration of samples/oldhost against samples/dns
OUT=$H_DIR/out
# signing with the q2p key that samples/dns publishes for example.com
if qmail2postfix --root "$top_srcdir/samples/oldhost" -o "$OUT" -q \
    --hostname mx1.example.com --ip "$IP" \
    --dkim-key "q2p:$top_srcdir/samples/dns/keys/q2p.private" \
    >"$H_DIR/q2p.out" 2>&1 ||
    [ -s "$OUT/migration.json" ]; then
	h_nsd_start "$top_srcdir/samples/dns" || tap_bail "nsd"
	"$BIN" --migration "$OUT/migration.json" --ip "$IP" --helo "$HELO" \
	    --now "$NOW" --dns-server "127.0.0.1@$H_DNS_PORT" --format json \
	    -o "$H_DIR/real.json" "${SENDERS[@]}" 2>"$H_DIR/real.err"
	RC=$?
	h_nsd_stop
	exit_is real 2
	has real blocker spf.new-ip 'example.net. IN TXT "v=spf1 ip4:198.51.100.25'
	tap_check "real: every hosted domain is in the report" \
	    jq -e '[.domains[].name] | contains(["example.com", "example.net",
	    "example.org", "oldbrand.example", "partner.example"])' \
	    "$H_DIR/real.json"
	# the new host signs for every mailbox domain; samples/dns publishes
	# q2p for example.com only, so the others' key is what to publish
	tap_check "real: oldbrand.example (v=spf1 -all) sends no mail: no blocker, not even DKIM" \
	    jq -e '([.findings[] | select(.subject == "oldbrand.example" and
	    .severity == "blocker")] | length == 0) and ([.findings[] |
	    select(.subject == "oldbrand.example" and .check == "dkim.missing"
	    and .severity == "info")] | length == 1)' "$H_DIR/real.json"
	tap_check "real: HELO is the new host's name (control/helohost not carried over)" \
	    jq -e '([.findings[] | select(.check == "helo.config")] | length == 0)
	    and ([.findings[] | select(.check == "helo.ok")] | length == 1)' \
	    "$H_DIR/real.json"
	tap_check "real: example.com signs with the q2p key samples/dns publishes" \
	    jq -e '.domains[] | select(.name == "example.com") | .dkim |
	    map(select(.selector == "q2p" and .signing and .matches and
	    .key_bits == 2048)) | length == 1' "$H_DIR/real.json"
	has real blocker dkim.missing \
	    'q2p._domainkey.example.net. IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1xL3X4rVFYw'
	tap_check "real: dkim.missing blocks exactly the sending domains without q2p in samples/dns" \
	    jq -e '[.findings[] | select(.check == "dkim.missing" and
	    .severity == "blocker") | .subject] | sort == ["example.net",
	    "example.org", "partner.example"]' "$H_DIR/real.json"
	# the secret is in OUT/srs/secret until install puts it in place: a
	# warning saying how, not the blocker of a missing secret
	tap_check "real: SRS secret generated but not installed is a warning" \
	    jq -e '([.findings[] | select(.check == "srs.secret")] | length == 0)
	    and ([.findings[] | select(.check == "srs.secret-install" and
	    .severity == "warning")] | length == 1)' "$H_DIR/real.json"
	rm -f "$OUT/srs/secret"
	"$BIN" --migration "$OUT/migration.json" --ip "$IP" --helo "$HELO" \
	    --now "$NOW" --dns-server "127.0.0.1@1" --dns-timeout 200 \
	    --format json -o "$H_DIR/real2.json" "${SENDERS[@]}" 2>/dev/null
	tap_check "real: no secret anywhere is the srs.secret blocker" \
	    jq -e '[.findings[] | select(.check == "srs.secret" and
	    .severity == "blocker")] | length == 1' "$H_DIR/real2.json"
else
	tap_fail "real: qmail2postfix on samples/oldhost" "$(cat "$H_DIR/q2p.out")"
fi

# --- text: 80 columns, no colour when not a terminal, same exit code
h_nsd_start "$(zones spf-no-ip)" || tap_bail "nsd"
"$BIN" --migration "$GOOD/migration.json" --ip "$IP" --helo "$HELO" \
    --now "$NOW" --dns-server "127.0.0.1@$H_DNS_PORT" "${SENDERS[@]}" \
    >"$H_DIR/text.out" 2>"$H_DIR/text.err"
RC=$?
"$BIN" --migration "$GOOD/migration.json" --ip "$IP" --helo "$HELO" \
    --now "$NOW" --dns-server "127.0.0.1@$H_DNS_PORT" "${SENDERS[@]}" \
    --color >"$H_DIR/color.out" 2>&1
h_nsd_stop
exit_is text 2
tap_check "text: no line over 80 columns" \
    bash -c "! awk 'length > 80' '$H_DIR/text.out' | grep -q ."
tap_check "text: no escape sequence when stdout is not a terminal" \
    bash -c "! grep -q \$'\\033' '$H_DIR/text.out'"
tap_check "text: --color colours the verdict" \
    grep -q $'\033\\[1;31mCUTOVER: NO-GO' "$H_DIR/color.out"
tap_check "text: verdict, blocker with evidence and fix" \
    bash -c "grep -q '^CUTOVER: NO-GO' '$H_DIR/text.out' &&
    grep -q 'example.net TXT: \"v=spf1 ip4:192.0.2.10 -all\"' '$H_DIR/text.out' &&
    grep -q 'example.net. IN TXT \"v=spf1 ip4:198.51.100.25' '$H_DIR/text.out'"

tap_done
