#!/bin/bash
# srs-diff.sh - compatibility proven, not claimed: our codec next to Debian's
# postsrsd 1.10 (tcp_table, under faketime) and Mail::SRS 0.31 on thousands
# of generated addresses: the same forward output, each decodes the others',
# all three refuse tampered and expired addresses; base64url hashes are what
# postsrsd 1.x refuses (the documented break), and we accept both.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init srs-diff
set -u
is() {		# is "what" got want
	if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1" "got:  $2" "want: $3"; fi
}
# peer OUT IN CMD...: runs CMD (a peer, or ours) on the lines of IN into
# OUT and prints "exit E, A of N answered, R refused": a peer that died or
# printed nothing never looks like agreement, each check compares all three
peer() {
	local out=$1 in=$2 rc
	shift 2
	"$@" <"$in" >"$out" 2>"$out.err"
	rc=$?
	printf 'exit %d, %d of %d answered, %d refused\n' "$rc" \
	    "$(wc -l <"$out")" "$(wc -l <"$in")" "$(grep -c '^ERR' "$out")"
}
lines() { wc -l <"$1"; }
N=${SRS_DIFF_N:-3000}
W=$H_DIR
PEERS="perl $top_srcdir/tests/integration/srs/peers.pl"
MAP="$top_builddir/srs-map"
DAY_S="2026-11-22 12:00:00"
T=$(date -u -d "$DAY_S UTC" +%s)
DAY=86400
printf 'diff-secret-%s\n' 4711 > "$W/secret"
chmod 600 "$W/secret"
D=fwd.test

$PEERS gen "$N" 20261122 > "$W/in"
# postsrsd 1.10 with its clock at DAY_S (libfaketime, from the harness)
if H_FAKETIME="$DAY_S UTC" h_postsrsd_start "$W/secret" $D; then
	tap_ok "postsrsd 1.10 listens on 127.0.0.1:$H_SRS_FPORT/$H_SRS_RPORT"
else
	tap_bail "postsrsd 1.10 does not start"
fi
FP=$H_SRS_FPORT
RP=$H_SRS_RPORT

"$MAP" -s "$W/secret" -d $D --now "$T" forward < "$W/in" > "$W/ours.fwd" 2>"$W/ours.err"
is "forward: postsrsd answers every address" \
    "$(peer "$W/psd.fwd" "$W/in" $PEERS tcp "$FP")" "exit 0, $N of $N answered, 0 refused"
is "forward: Mail::SRS answers every address" \
    "$(peer "$W/msrs.fwd" "$W/in" env TZ=UTC faketime -f "@$DAY_S" \
    $PEERS mailsrs forward "$W/secret" $D)" "exit 0, $N of $N answered, 0 refused"
nsrs=$(grep -c '^SRS[01]' "$W/ours.fwd")
is "forward: $N addresses, one line each" "$(wc -l < "$W/ours.fwd")" "$N"
is "forward: most become SRS0/SRS1 ($nsrs)" "$([ "$nsrs" -gt $((N * 8 / 10)) ] && echo yes)" yes
# Compare line by line. Where a peer writes a local part over 64 octets
# (RFC 5321 4.5.3.1.1) we refuse instead (--long-local=tempfail: an empty
# line): that is the one intended difference; everything else is equal.
cmp_fwd() {	# cmp_fwd OURS PEER -> "differing over-long"
	if [ "$(lines "$1")" != "$(lines "$2")" ]; then
		# a line missing on either side: no comparison, and no
		# count that could equal another peer's
		echo "$N no-comparison-${2##*/}"
		return
	fi
	paste "$1" "$2" | perl -F'\t' -lane '
		my ($o, $p) = ($F[0] // "", $F[1] // "");
		my $l = $p =~ /^(.*)\@/ ? length($1) : 0;
		if ($l > 64) { $long++; $bad++ if $o ne "" }
		else { $bad++ if $o ne $p }
		END { printf "%d %d\n", $bad // 0, $long // 0 }'
}
read -r bad long <<<"$(cmp_fwd "$W/ours.fwd" "$W/psd.fwd")"
is "forward: identical to postsrsd 1.10 (lines differing)" "$bad" 0
is "forward: the $long postsrsd results over 64 octets are refused" \
    "$(grep -c 'would exceed 64 octets' "$W/ours.err")" "$long"
is "forward: some over-long cases exist in the sample" "$([ "$long" -gt 10 ] && echo yes)" yes
read -r bad long2 <<<"$(cmp_fwd "$W/ours.fwd" "$W/msrs.fwd")"
is "forward: identical to Mail::SRS (lines differing)" "$bad" 0
is "forward: Mail::SRS writes the same $long over-long results" "$long2" "$long"
"$MAP" -s "$W/secret" -d $D --now "$T" --long-local=plain forward < "$W/in" > "$W/plain.fwd" 2>/dev/null
is "forward --long-local=plain: over-long ones keep the sender" \
    "$(paste "$W/in" "$W/plain.fwd" "$W/ours.fwd" | awk -F'\t' '$3 == "" && $1 != $2' | wc -l):$(grep -c . "$W/plain.fwd")" "0:$N"
is "forward: SRS1 made from every SRS0 and SRS1 input that fits" \
    "$(paste "$W/in" "$W/ours.fwd" | grep -P '^SRS[01]=' | grep -vP '\t$' | grep -vcP '\tSRS1=')" 0

# reverse: everyone decodes everyone's forward output (they are equal, so
# decode ours with each peer, and the peers' with ours)
grep '^SRS' "$W/ours.fwd" > "$W/srs"
paste "$W/in" "$W/ours.fwd" | grep -P '\tSRS' | cut -f1 > "$W/srs.orig"
ns=$(lines "$W/srs")
all="exit 0, $ns of $ns answered, 0 refused"
is "reverse: we decode all of ours" \
    "$(peer "$W/ours.rev" "$W/srs" "$MAP" -s "$W/secret" -d $D --now "$T" reverse)" "$all"
is "reverse: postsrsd decodes all of ours" \
    "$(peer "$W/psd.rev" "$W/srs" $PEERS tcp "$RP")" "$all"
is "reverse: Mail::SRS decodes all of ours" \
    "$(peer "$W/msrs.rev" "$W/srs" env TZ=UTC faketime -f "@$DAY_S" \
    $PEERS mailsrs reverse "$W/secret" $D)" "$all"
paste "$W/ours.fwd" "$W/psd.fwd" | awk -F'\t' '$1 ~ /^SRS/ {print $2}' > "$W/psd.srs"
is "reverse: we decode all of postsrsd's output" \
    "$(peer "$W/ours-of-psd.rev" "$W/psd.srs" "$MAP" -s "$W/secret" -d $D --now "$T" reverse)" "$all"
is "reverse: postsrsd decodes ours exactly like we do" "$(cmp "$W/ours.rev" "$W/psd.rev" >/dev/null && echo same)" same
is "reverse: Mail::SRS decodes ours exactly like we do" "$(cmp "$W/ours.rev" "$W/msrs.rev" >/dev/null && echo same)" same
is "reverse: postsrsd's output decodes as ours does" "$(cmp "$W/ours.rev" "$W/ours-of-psd.rev" >/dev/null && echo same)" same
# plain inputs come back as they were; SRS0 inputs (-> SRS1) too
is "reverse: every plain/SRS0 input comes back" \
    "$(lines "$W/srs.orig"):$(paste "$W/srs.orig" "$W/ours.rev" | grep -v '^SRS1' | awk -F'\t' '$1 != $2' | wc -l)" "$ns:0"

# tampered: one hash character changed (not just its case)
perl -pe 's/^(SRS[01][=+-])(.)/$1 . ($2 =~ m{[aA]} ? "Q" : "a")/e' "$W/srs" > "$W/tampered"
is "tampered: we refuse all (exit 65, an empty line each)" \
    "$(peer "$W/t.ours" "$W/tampered" "$MAP" -s "$W/secret" -d $D --now "$T" reverse):$(grep -c . "$W/t.ours")" \
    "exit 65, $ns of $ns answered, 0 refused:0"
nall="exit 0, $ns of $ns answered, $ns refused"
is "tampered: postsrsd refuses all" "$(peer "$W/t.psd" "$W/tampered" $PEERS tcp "$RP")" "$nall"
is "tampered: Mail::SRS refuses all" \
    "$(peer "$W/t.msrs" "$W/tampered" env TZ=UTC faketime -f "@$DAY_S" \
    $PEERS mailsrs reverse "$W/secret" $D)" "$nall"

# case munged by a relay: everyone still decodes
tr 'a-z' 'A-Z' < "$W/srs" > "$W/upper"
is "upper-cased: postsrsd decodes all" "$(peer "$W/u.psd" "$W/upper" $PEERS tcp "$RP")" "$all"
is "upper-cased: we decode all" \
    "$(peer "$W/u.ours" "$W/upper" "$MAP" -s "$W/secret" -d $D --now "$T" reverse)" "$all"

# age: 21 days valid, 22 days expired, the same for us and Mail::SRS
grep '^SRS0' "$W/srs" > "$W/srs0"
d21=$(date -u -d "@$((T + 21 * DAY))" '+%F %T'); d22=$(date -u -d "@$((T + 22 * DAY))" '+%F %T')
n0=$(lines "$W/srs0")
is "21 days: we accept all SRS0" \
    "$(peer "$W/a21.ours" "$W/srs0" "$MAP" -s "$W/secret" -d $D --now $((T + 21 * DAY)) reverse)" \
    "exit 0, $n0 of $n0 answered, 0 refused"
is "21 days: Mail::SRS accepts all SRS0" \
    "$(peer "$W/a21.msrs" "$W/srs0" env TZ=UTC faketime -f "@$d21" \
    $PEERS mailsrs reverse "$W/secret" $D)" "exit 0, $n0 of $n0 answered, 0 refused"
is "22 days: we refuse all SRS0 (exit 65, an empty line each)" \
    "$(peer "$W/a22.ours" "$W/srs0" "$MAP" -s "$W/secret" -d $D --now $((T + 22 * DAY)) reverse):$(grep -c . "$W/a22.ours")" \
    "exit 65, $n0 of $n0 answered, 0 refused:0"
is "22 days: Mail::SRS refuses all SRS0" \
    "$(peer "$W/a22.msrs" "$W/srs0" env TZ=UTC faketime -f "@$d22" \
    $PEERS mailsrs reverse "$W/secret" $D)" "exit 0, $n0 of $n0 answered, $n0 refused"

# base64url: postsrsd 1.x refuses exactly the hashes holding - or _
"$MAP" -s "$W/secret" -d $D --now "$T" --hash-alphabet base64url forward < "$W/in" 2>/dev/null | grep '^SRS0' > "$W/url"
nurl=$(grep -cP '^SRS0=[^=]*[-_]' "$W/url")
nu=$(lines "$W/url")
is "base64url: we decode all" \
    "$(peer "$W/url.ours" "$W/url" "$MAP" -s "$W/secret" -d $D --now "$T" reverse)" \
    "exit 0, $nu of $nu answered, 0 refused"
is "base64url: postsrsd 1.10 refuses exactly the $nurl with - or _" \
    "$(peer "$W/url.psd" "$W/url" $PEERS tcp "$RP"):$(paste "$W/url" "$W/url.psd" |
    awk -F'\t' '($1 ~ /^SRS0=[^=]*[-_]/) != ($2 ~ /^ERR/)' | wc -l)" \
    "exit 0, $nu of $nu answered, $nurl refused:0"

h_postsrsd_stop
h_assert_no_leftovers
tap_done
