#!/bin/bash
# authcheck on bad input and bad DNS, with a real NSD: malformed, folded and
# 8-bit headers, a 1 MB header block, a 5 MB one (refused, not cut), broken
# DKIM tag lists, names the server refuses (SERVFAIL/REFUSED class), and a
# server that does not answer at all. Never a crash, never a pass that the
# input does not earn: DNS trouble is temperror.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init authcheck-badinput

ac=${top_builddir:-.}/authcheck
src=${top_srcdir:-.}
[ -x "$ac" ] || tap_bail "authcheck not built"
command -v jq >/dev/null || tap_bail "jq missing"
h_nsd_start "$src/samples/dns" || tap_bail "nsd does not start on samples/dns"
dns=(--dns-server "127.0.0.1@$H_DNS_PORT")
ok=$src/samples/messages/01-newsletter-rsa.eml
d=$H_DIR

run() {	# run NAME FILE ARGS...: JSON into $d/NAME.json, exit code in $rc
	local n=$1 f=$2
	shift 2
	"$ac" message "$@" --json "$f" >"$d/$n.json" 2>"$d/$n.err"
	rc=$?
}

jqv() {	# jqv NAME FILTER
	jq -r "$2" "$d/$n.json" 2>/dev/null
}

base=(--ip 203.0.113.5 --helo out.sender.example --mail-from bounce@sender.example)

# 1. folded, 8-bit, garbage line, bare LF: parsed, warned about, no pass
n=malformed
printf 'From: Alice\n <alice@sender.example>\nSubject: caf\xc3\xa9\n\tfolded\nthis line is no header\nTo: x@example.com\n\nbody\n' >"$d/$n.eml"
run $n "$d/$n.eml" "${dns[@]}" "${base[@]}"
if [ "$rc" = 0 ] && [ "$(jqv $n '.message.header_8bit')" = true ] &&
    jqv $n '.message.warnings[]' | grep -q 'line 5 is not a header field' &&
    [ "$(jqv $n '.message.author_domains[0]')" = sender.example ]; then
	tap_ok "$n: 8-bit and folded header parsed, garbage line reported"
else
	tap_fail "$n: parsed with warnings" "rc=$rc $(cat "$d/$n.err")"
fi
[ "$(jqv $n '.dkim | length')" = 0 ] && tap_ok "$n: no signature, dkim none" ||
    tap_fail "$n: dkim" "$(jqv $n .dkim)"

# 2. a 1 MB header block in front of a signed message: handled in full
n=megabyte
{ awk 'BEGIN { for (i = 0; i < 20000; i++) printf "X-Filler-%05d: %s\n", i, "0123456789abcdefghijklmnopqrstuvwxyz" }'
  cat "$ok"; } >"$d/$n.eml"
[ "$(wc -c <"$d/$n.eml")" -gt 1048576 ] || tap_fail "$n: fixture is over 1 MB"
run $n "$d/$n.eml" "${dns[@]}" "${base[@]}"
if [ "$rc" = 0 ] && [ "$(jqv $n '.dkim[0].result')" = pass ] &&
    [ "$(jqv $n '.dmarc.rfc9989.result')" = pass ]; then
	tap_ok "$n: 1 MB header block, signature still verifies"
else
	tap_fail "$n: 1 MB header block" "rc=$rc $(head -c 300 "$d/$n.err")"
fi

# 3. 5 MB of header: refused with EX_DATAERR, not cut
n=toobig
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "X-Filler-%06d: %s\n", i, "0123456789abcdefghijklmnopqrstuvwxyz0123456789" }
     END { printf "From: a@sender.example\n\nbody\n" }' </dev/null >"$d/$n.eml"
run $n "$d/$n.eml" "${dns[@]}" "${base[@]}"
if [ "$rc" = 65 ] && grep -q 'header block too large' "$d/$n.err"; then
	tap_ok "$n: 5 MB header block refused (exit 65)"
else
	tap_fail "$n: 5 MB header block" "rc=$rc $(cat "$d/$n.err")"
fi

# 4. broken DKIM tag lists above a good signature: neutral, never pass
n=brokentags
{ printf 'DKIM-Signature: v=1; a=rsa-sha256; d=; s=; b=\n'
  printf 'DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=s1; h=from; bh=%%%%; b=!!!; l=-5; x=soon; ===\n'
  printf 'DKIM-Signature: garbage without tags\n'
  cat "$ok"; } >"$d/$n.eml"
run $n "$d/$n.eml" "${dns[@]}" "${base[@]}"
res=$(jqv $n '[.dkim[].result] | join(" ")')
npass=$(jqv $n '[.dkim[] | select(.result == "pass")] | length')
if [ "$rc" = 0 ] && [ "$npass" = 1 ] &&
    [ "$(jqv $n '[.dkim[] | select(.s == "s1" and .result == "pass")] | length')" = 1 ]; then
	tap_ok "$n: only the real signature passes ($res)"
else
	tap_fail "$n: broken tag lists" "rc=$rc results: $res"
fi

# 5. names outside the served zones: the server refuses them -> temperror
n=refused
sed 's/^From: .*/From: Someone <someone@unserved.test>/' "$ok" >"$d/$n.eml"
run $n "$d/$n.eml" "${dns[@]}" --ip 203.0.113.5 --helo out.unserved.test \
    --mail-from bounce@unserved.test
got="$(jqv $n .spf.mailfrom.result) $(jqv $n .dmarc.rfc9989.result) $(jqv $n .dmarc.rfc7489.result)"
if [ "$rc" = 0 ] && [ "$got" = "temperror temperror temperror" ]; then
	tap_ok "$n: refused names give spf/dmarc temperror"
else
	tap_fail "$n: refused names" "rc=$rc got $got"
fi

# 6. a server that never answers: everything temperror, nothing passes
n=silent
port=$(h_free_port) || tap_bail "no free port"
start=$(date +%s)
run $n "$ok" --dns-server "127.0.0.1@$port" --dns-timeout 100 "${base[@]}"
secs=$(( $(date +%s) - start ))
got="$(jqv $n .spf.mailfrom.result) $(jqv $n '.dkim[0].result') $(jqv $n .dmarc.rfc9989.result) $(jqv $n .iprev.result)"
if [ "$rc" = 0 ] && [ "$got" = "temperror temperror temperror temperror" ]; then
	tap_ok "$n: no DNS answers: spf, dkim, dmarc, iprev temperror (${secs}s)"
else
	tap_fail "$n: silent DNS" "rc=$rc got $got $(cat "$d/$n.err")"
fi

# 7. arguments: a bad IP and a missing file are usage/data errors
"$ac" message --ip 300.1.1.1 --mail-from a@b.example "${dns[@]}" "$ok" \
    >/dev/null 2>"$d/badip.err"
rc=$?
[ "$rc" = 65 ] && tap_ok "bad --ip: exit 65" ||
    tap_fail "bad --ip: exit $rc" "$(cat "$d/badip.err")"
"$ac" message --ip 192.0.2.1 --mail-from a@b.example "$d/nonexistent" \
    >/dev/null 2>&1
rc=$?
[ "$rc" = 66 ] && tap_ok "missing file: exit 66" || tap_fail "missing file: exit $rc"
"$ac" frobnicate >/dev/null 2>&1
rc=$?
[ "$rc" = 64 ] && tap_ok "unknown command: exit 64" ||
    tap_fail "unknown command: exit $rc"

# 8. the text output is one syntactically sound A-R field
n=text
"$ac" message "${dns[@]}" --authserv-id mx.example.net "${base[@]}" "$ok" \
    >"$d/$n.txt" 2>"$d/$n.err"
if head -n 1 "$d/$n.txt" | grep -q '^Authentication-Results: mx.example.net;$' &&
    ! grep -vq '^\(Authentication-Results: \|	[a-z]*=\)' "$d/$n.txt" &&
    grep -q '^	dkim=pass .*header.d=sender.example header.i=@sender.example header.s=s1 header.a=rsa-sha256 header.b=' "$d/$n.txt" &&
    grep -q '^	iprev=pass (out.sender.example.*) policy.iprev=203.0.113.5$' "$d/$n.txt"; then
	tap_ok "$n: Authentication-Results field, one method a line"
else
	tap_fail "$n: A-R text" "$(cat "$d/$n.txt" "$d/$n.err")"
fi

tap_done
