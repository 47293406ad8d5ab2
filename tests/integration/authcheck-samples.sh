#!/bin/bash
# authcheck on the sample messages (signed by Mail::DKIM and by the opendkim
# milter on a real Postfix) with the sample zones served by a real NSD:
#  1. against the results written by hand in samples/messages/README.md;
#  2. DKIM, signature by signature, against Mail::DKIM (libmail-dkim-perl)
#     and, message by message, against opendkim-testmsg (run in a private
#     network namespace: it reads /etc/resolv.conf only);
#  3. our RFC 7489 DMARC against Mail::DMARC (libmail-dmarc-perl), at the
#     old host and after a plain forward.
# Where a peer differs on purpose, the case says why and which RFC text we
# follow, and asserts the peer's answer too, so a change on either side shows.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init authcheck-samples

ac=${top_builddir:-.}/authcheck
src=${top_srcdir:-.}
mdir=$src/samples/messages
verify=$src/samples/tools/msg-verify.pl
[ -x "$ac" ] || tap_bail "authcheck not built"
[ -f "$mdir/01-newsletter-rsa.eml" ] || tap_bail "samples/messages missing"
command -v jq >/dev/null || tap_bail "jq missing"
h_nsd_start "$src/samples/dns" || tap_bail "nsd does not start on samples/dns"
export RES_NAMESERVERS=127.0.0.1 RES_OPTIONS="port:$H_DNS_PORT"
dns=(--dns-server "127.0.0.1@$H_DNS_PORT")

envget() {	# envget FILE KEY
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# NAME | our dkim results in header order | dmarc (RFC 9989) | dmarc (RFC
# 7489) | plain forward dmarc | SRS dmarc      ("fail:POLICY" on fail)
# From samples/messages/README.md, "Expected outcomes", written by hand.
expect=$(cat <<'EOF_EXPECT'
01-newsletter-rsa|pass|pass|pass|pass|pass
02-newsletter-ed25519-rsa|pass pass|pass|pass|pass|pass
03-q2p-milter|pass|pass|pass|pass|pass
04-bank-strict|pass|pass|pass|pass|pass
05-news-unsigned||pass|pass|fail:none|fail:none
06a-8bit-body|pass|pass|pass|pass|pass
06b-footer-broken|fail|pass|pass|fail:reject|fail:reject
07a-no-from||permerror|permerror|permerror|permerror
07b-two-from|pass|fail:reject|fail:reject|fail:reject|fail:reject
08-bounce||pass|pass|fail:reject|fail:reject
09-body-length|pass|pass|pass|pass|pass
EOF_EXPECT
)

dm() {	# dm JSONPATH-to-dmarc-object: "result" or "result:policy"
	jq -r "$1 | if .result == \"fail\" then \"fail:\" + .policy else .result end"
}

while IFS='|' read -r n wdkim w9989 w7489 wplain wsrs; do
	[ -n "$n" ] || continue
	e=$mdir/$n.env
	ip=$(envget "$e" CLIENT_IP)
	helo=$(envget "$e" HELO)
	from=$(envget "$e" MAIL_FROM)
	j=$H_DIR/$n.json
	if ! "$ac" message "${dns[@]}" --authserv-id mail.example.com \
	    --ip "$ip" --helo "$helo" --mail-from "$from" --json \
	    "$mdir/$n.eml" >"$j" 2>"$H_DIR/$n.err"; then
		tap_fail "$n: authcheck message runs" "$(cat "$H_DIR/$n.err")"
		continue
	fi
	got=$(jq -r '[.dkim[].result] | join(" ")' "$j")
	if [ "$got" = "$wdkim" ]; then
		tap_ok "$n: dkim ${wdkim:-none}"
	else
		tap_fail "$n: dkim" "got '$got', want '$wdkim'"
	fi
	got="$(dm .dmarc.rfc9989 <"$j") $(dm .dmarc.rfc7489 <"$j")"
	if [ "$got" = "$w9989 $w7489" ]; then
		tap_ok "$n: dmarc rfc9989 $w9989, rfc7489 $w7489"
	else
		tap_fail "$n: dmarc" "got '$got', want '$w9989 $w7489'" \
		    "$(jq -c .dmarc "$j")"
	fi
	fj=$H_DIR/$n.fwd.json
	if ! "$ac" forward "${dns[@]}" --via-ip "$(envget "$e" FWD_IP)" \
	    --via-helo "$(envget "$e" FWD_HELO)" --srs-domain \
	    "$(envget "$e" SRS_DOMAIN)" --ip "$ip" --helo "$helo" \
	    --mail-from "$from" --json "$mdir/$n.eml" >"$fj" \
	    2>"$H_DIR/$n.ferr"; then
		tap_fail "$n: authcheck forward runs" "$(cat "$H_DIR/$n.ferr")"
		continue
	fi
	got="$(dm '.modes[0].dmarc' <"$fj") $(dm '.modes[2].dmarc' <"$fj")"
	if [ "$got" = "$wplain $wsrs" ]; then
		tap_ok "$n: forwarded plain $wplain, srs $wsrs"
	else
		tap_fail "$n: forward" "got '$got', want '$wplain $wsrs'"
	fi

	# Mail::DKIM, signature by signature: it must name the signatures we
	# found (d= s=, in header order), or say "none" when we found none,
	# then give a verdict on each; no answer is a failure, never a pass
	perl "$verify" "$mdir/$n.eml" "$e" >"$H_DIR/$n.perl" 2>&1
	theirs=$(sed -n -e 's/^mail-dkim: \(d=[^ ]* s=[^ ]*\) .*/\1/p' \
	    -e 's/^mail-dkim: none$/none/p' "$H_DIR/$n.perl" | paste -sd' ')
	mine=$(jq -r 'if (.dkim | length) == 0 then "none"
	    else .dkim[] | "d=\(.d) s=\(.s)" end' "$j" | paste -sd' ')
	if [ -n "$theirs" ] && [ "$theirs" = "$mine" ]; then
		tap_ok "$n: Mail::DKIM finds the same signatures ($mine)"
	else
		tap_fail "$n: Mail::DKIM finds the same signatures" \
		    "ours: $mine" "Mail::DKIM: ${theirs:-nothing}" \
		    "$(tail -n 5 "$H_DIR/$n.perl")"
	fi
	while read -r d s a ours; do
		r=$(sed -n "s/^mail-dkim: d=$d s=$s a=[^ ]* result=\([a-z]*\).*/\1/p" \
		    "$H_DIR/$n.perl" | head -n 1)
		case "$ours" in
		neutral|permerror) ours_m=invalid ;;
		*) ours_m=$ours ;;
		esac
		if [ -z "$r" ]; then
			tap_fail "$n: s=$s: Mail::DKIM gives no verdict, we say $ours"
		elif [ "$ours_m" = "$r" ]; then
			tap_ok "$n: s=$s agrees with Mail::DKIM ($r)"
		elif [ "$a" = ed25519-sha256 ] && [ "$ours" = pass ] &&
		    [ "$r" = invalid ] &&
		    grep -q "^mail-dkim: d=$d s=$s .*unsupported algorithm ed25519-sha256" \
		    "$H_DIR/$n.perl"; then
			tap_ok "$n: s=$s differs on purpose: Mail::DKIM 1.20230212 has no ed25519-sha256; we verify it (RFC 8463)"
		else
			tap_fail "$n: s=$s Mail::DKIM says $r, we say $ours"
		fi
	done < <(jq -r '.dkim[] | "\(.d) \(.s) \(.a) \(.result)"' "$j")

	# Mail::DMARC (RFC 7489) at the old host and after a plain forward
	for which in original plain-forward; do
		line=$(sed -n "s/^mail-dmarc $which: //p" "$H_DIR/$n.perl")
		if [ "$which" = original ]; then
			ours=$(jq -r .dmarc.rfc7489.result "$j")
			dom=$(jq -r '.dmarc.rfc7489.author_domain // ""' "$j")
		else
			ours=$(jq -r '.modes[0].dmarc_rfc7489.result' "$fj")
			dom=$(jq -r '.modes[0].dmarc_rfc7489.author_domain // ""' "$fj")
		fi
		case "$line" in
		"none (no From address)")
			if [ "$ours" = permerror ]; then
				tap_ok "$n $which: differs on purpose: Mail::DMARC says none, we say permerror (no author domain: RFC 7489 6.6.1 puts it outside DMARC; RFC 8601 2.7.1 permerror, never none)"
			else
				tap_fail "$n $which: Mail::DMARC none, we say $ours"
			fi
			continue ;;
		esac
		# one "DOMAIN: RESULT (...)" per author domain; ours keeps the
		# strictest (RFC 7489 6.6.1) and names its domain
		peer=$(printf '%s\n' "$line" | tr ';' '\n' |
		    sed -n "s/^ *$dom: \([a-z]*\).*/\1/p")
		if [ -n "$peer" ] && [ "$peer" = "$ours" ]; then
			tap_ok "$n $which: rfc7489 $ours for $dom agrees with Mail::DMARC"
		else
			tap_fail "$n $which: Mail::DMARC '$line', we say $ours for $dom"
		fi
	done
done <<<"$expect"

# opendkim-testmsg reads /etc/resolv.conf only: run it where that file points
# at a second NSD on 127.0.0.1:53, in a private network + mount namespace.
odk=$H_DIR/odkim
mkdir -p "$odk/nsd/xfr"
sed -e "s/@$H_DNS_PORT/@53/" -e "s/port: $H_DNS_PORT/port: 53/" \
    -e "s|$H_NSD_DIR|$odk/nsd|g" "$H_NSD_DIR/nsd.conf" >"$odk/nsd/nsd.conf"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$odk/resolv.conf"
names=$(printf '%s\n' "$expect" | cut -d'|' -f1 | tr '\n' ' ')
if unshare --net --mount --propagation private bash -c '
	d=$1 m=$2; shift 2
	ip link set lo up || exit 1
	mount --bind "$d/resolv.conf" /etc/resolv.conf || exit 1
	(cd "$d/nsd" && exec nsd -d -c "$d/nsd/nsd.conf") >"$d/nsd.out" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		drill @127.0.0.1 sender.example SOA 2>/dev/null | grep -q NOERROR && break
		sleep 0.1
	done
	for n in "$@"; do
		sed "s/\$/\r/" "$m/$n.eml" | opendkim-testmsg >"$d/$n.out" 2>&1
		echo "$n $?"
	done >"$d/rc"
	kill "$pid"; wait "$pid" 2>/dev/null
	exit 0' _ "$odk" "$mdir" $names; then
	# opendkim-testmsg's verdict, from what it prints (nothing and exit 0
	# when a signature verified); every message must have one
	for n in $names; do
		j=$H_DIR/$n.json
		ours=$(jq -r 'if (.dkim | length) == 0 then "none"
		    elif all(.dkim[]; .result == "pass") then "pass"
		    elif any(.dkim[]; .result == "fail") then "fail"
		    else "error" end' "$j")
		rc=$(sed -n "s/^$n \([0-9]*\)$/\1/p" "$odk/rc")
		out=$(cat "$odk/$n.out" 2>/dev/null)
		case "$rc:$out" in
		0:) peer=pass ;;
		[1-9]*:"opendkim-testmsg: dkim_chunk(): No signature") peer=none ;;
		[1-9]*:"opendkim-testmsg: dkim_eom(): Bad signature") peer=fail ;;
		[1-9]*:"opendkim-testmsg: dkim_chunk(): Syntax error") peer=syntax ;;
		*) peer="no verdict (exit ${rc:-none}: ${out:-no output})" ;;
		esac
		if [ "$peer" = "$ours" ]; then
			tap_ok "$n: opendkim-testmsg agrees ($ours)"
		elif [ "$peer" = syntax ] && [ "$ours" = none ] &&
		    ! grep -qi '^from:' "$mdir/$n.eml"; then
			tap_ok "$n: differs on purpose: opendkim-testmsg refuses a message without From: (syntax error) before any signature; we find no signature (dkim none; DMARC permerror above)"
		else
			tap_fail "$n: opendkim-testmsg says $peer, we say $ours"
		fi
	done
else
	tap_fail "opendkim-testmsg in a private network namespace" \
	    "$(cat "$odk/nsd.out" 2>/dev/null)"
fi

tap_done
