#!/bin/bash
# make-messages.sh -- regenerate samples/messages with real signers and a real Postfix.
#
#   bash samples/tools/make-messages.sh            # as root; about 30 s
#   bash samples/tools/make-messages.sh --verify   # only verify the committed messages
#
# 1. Writes the source messages (fixed headers and dates).
# 2. Signs some with Mail::DKIM (msg-sign.pl: rsa-sha256, keys s1 and b1).
# 3. Starts a private Postfix + opendkim milter on loopback (msg-lab.sh):
#      out.sender.example  milter signs ed25519-sha256 with ed1 (message 02, second signature)
#      mx1.example.com     milter signs rsa-sha256 with q2p, using keys/KeyTable (message 03)
#      mx.remote.example   Postfix itself bounces an unknown recipient (message 08)
# 4. Delivers every message to mail.example.com through SMTP, with XCLIENT giving the
#    original client IP and HELO, to an alias pipe: NAME.mbox is exactly what local(8)
#    handed to the pipe, NAME.eml is the same without the "From " line.
# 5. Verifies every message with Mail::DKIM / Mail::SPF / Mail::DMARC (msg-verify.pl) and
#    with opendkim-testmsg, against the sample zones served by NSD (dns-serve.sh), and
#    prints the results next to the expected ones in samples/messages/README.md.
# Uses the keys in samples/dns/keys; never generates keys (make-dns.sh does).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLES=$(cd "$HERE/.." && pwd)
KEYS=$SAMPLES/dns/keys
OUT=$SAMPLES/messages
export DNS_SAMPLES=$SAMPLES/dns
MODE=${1:-all}

[ "$(id -u)" = 0 ] || { echo "make-messages.sh: must run as root (postfix start, unshare)" >&2; exit 1; }
for k in s1 b1 q2p ed1 old2019; do
  [ -s "$KEYS/$k.private" ] || { echo "make-messages.sh: missing key $KEYS/$k.private (run make-dns.sh)" >&2; exit 1; }
done

W=$(mktemp -d)
chmod 755 "$W"     # postfix and the pipe (nobody) must reach their directories below
. "$HERE/msg-lab.sh"
. "$HERE/dns-serve.sh"
cleanup() {
  lab_milter_stop 2>/dev/null || true
  [ -n "${LAB_E:-}" ] && [ -f "$LAB_E/main.cf" ] && lab_postfix_stop 2>/dev/null || true
  dns_stop "$W/nsd" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

SIGN="perl $HERE/msg-sign.pl"
epoch() { date -u -d "$1" +%s; }

# ------------------------------------------------------------------ contexts
# env NAME CLIENT_IP CLIENT_NAME HELO MAIL_FROM RCPT_TO
FWD_IP=198.51.100.25 FWD_HELO=mx1.example.com FWD_TO=alice.home@remote.example
write_env() {
  cat > "$OUT/$1.env" <<EOF
# SMTP context of the original delivery to the forwarding host (mail.example.com)
CLIENT_IP=$2
CLIENT_NAME=$3
HELO=$4
MAIL_FROM=$5
RCPT_TO=$6
# the new host that forwards it, and where to
FWD_IP=$FWD_IP
FWD_HELO=$FWD_HELO
FWD_TO=$FWD_TO
SRS_DOMAIN=srs.example.com
EOF
}

make_all() {
  mkdir -p "$W/src" "$W/sent" "$OUT"
  rm -f "$OUT"/*.mbox "$OUT"/*.eml "$OUT"/*.env

  # ---------------------------------------------------------------- sources
  cat > "$W/src/01-newsletter-rsa" <<'EOF'
From: Sender Example News <news@sender.example>
To: alice@example.com
Subject: Your November newsletter
Date: Mon, 23 Nov 2026 08:15:00 +0000
Message-ID: <20261123081500.1001@out.sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
List-Unsubscribe: <mailto:unsubscribe@sender.example?subject=alice%40example.com>
List-Unsubscribe-Post: List-Unsubscribe=One-Click

Hello Alice,

this is the November newsletter of Sender Example.

  * New opening hours from 1 December.
  * Our winter catalogue is out.

Regards,
The Sender Example team
EOF

  sed -e 's/^Subject: .*/Subject: Your November newsletter (dual-signed edition)/' \
      -e 's/081500.1001@out/082000.1002@out/' -e 's/08:15:00/08:20:00/' \
      "$W/src/01-newsletter-rsa" > "$W/src/02-newsletter-ed25519-rsa"

  cat > "$W/src/03-q2p-milter" <<'EOF'
From: Carol Jones <carol@example.com>
To: Alice <alice@example.com>
Subject: Minutes of Monday's meeting
Date: Mon, 23 Nov 2026 09:02:11 +0000
Message-ID: <20261123090211.3003@mx1.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hi Alice,

the minutes are below. Sent through the new server (mx1).

1. Mail migration: cutover planned for Thursday night.
2. Everybody checks their forwarding addresses before then.

Carol
EOF

  cat > "$W/src/04-bank-strict" <<'EOF'
From: Bank Example <alerts@bank.example>
To: alice@example.com
Subject: Your statement is ready
Date: Mon, 23 Nov 2026 06:00:00 +0000
Message-ID: <stmt-20261123-0600-4004@bank.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Dear customer,

your November statement is ready in online banking.
We never ask for your password by e-mail.

Bank Example
EOF

  cat > "$W/src/05-news-unsigned" <<'EOF'
From: News Example Weekly <weekly@news.example>
To: alice@example.com
Subject: This week at News Example
Date: Mon, 23 Nov 2026 07:30:00 +0000
Message-ID: <weekly.2026-48.5005@news.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
List-Id: News Example Weekly <weekly.news.example>

This week: three stories, no signature, SPF only.
EOF

  cat > "$W/src/06a-8bit-body" <<'EOF'
From: Jürgen's shop <shop@sender.example>
To: alice@example.com
Subject: =?UTF-8?Q?Best=C3=A4tigung_Ihrer_Bestellung?=
Date: Mon, 23 Nov 2026 10:00:00 +0100
Message-ID: <order-6006@out.sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Grüß Gott Alice,

vielen Dank für Ihre Bestellung Nr. 6006 über 42,00 €.
Die Lieferung erfolgt in drei Werktagen.

Mit freundlichen Grüßen
EOF
  # the display name above must be plain ASCII in a real header: encode it
  sed -i '1s/.*/From: =?UTF-8?Q?J=C3=BCrgen=27s_shop?= <shop@sender.example>/' "$W/src/06a-8bit-body"

  cat > "$W/src/07a-no-from" <<'EOF'
To: alice@example.com
Subject: Status report without an author
Date: Mon, 23 Nov 2026 11:00:00 +0000
Message-ID: <nofrom-7001@out.sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This message has no From: header field (RFC 5322 requires one).
EOF

  cat > "$W/src/07b-two-from" <<'EOF'
From: Alerts <alerts@sender.example>, Treasurer <treasurer@bank.example>
Sender: Alerts <alerts@sender.example>
To: alice@example.com
Subject: Joint announcement
Date: Mon, 23 Nov 2026 11:05:00 +0000
Message-ID: <twofrom-7002@out.sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This message names two authors in From: (RFC 5322 then requires Sender:).
EOF

  cat > "$W/src/08-bounce-original" <<'EOF'
From: Alice <alice@example.com>
To: nosuch@remote.example
Subject: Lunch on Friday?
Date: Mon, 23 Nov 2026 12:00:00 +0000
Message-ID: <lunch-8008@mail.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Are you free for lunch on Friday?
EOF

  cat > "$W/src/09-body-length" <<'EOF'
From: Sender Example Announce <announce@sender.example>
To: alice@example.com
Subject: Service window on Saturday
Date: Mon, 23 Nov 2026 13:00:00 +0000
Message-ID: <announce-9009@out.sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Our service window is on Saturday from 02:00 to 04:00 UTC.
EOF

  # ---------------------------------------------------------------- Mail::DKIM
  local t
  t=$(epoch "2026-11-23 08:15:00Z")
  $SIGN --key "$KEYS/s1.private" --domain sender.example --selector s1 --time "$t" \
    < "$W/src/01-newsletter-rsa" > "$W/sent/01-newsletter-rsa"
  t=$(epoch "2026-11-23 08:20:00Z")
  $SIGN --key "$KEYS/s1.private" --domain sender.example --selector s1 --time "$t" \
    < "$W/src/02-newsletter-ed25519-rsa" > "$W/sent/02-rsa-only"
  t=$(epoch "2026-11-23 06:00:00Z")
  $SIGN --key "$KEYS/b1.private" --domain bank.example --selector b1 --canon relaxed/simple --time "$t" \
    < "$W/src/04-bank-strict" > "$W/sent/04-bank-strict"
  cp "$W/src/05-news-unsigned" "$W/sent/05-news-unsigned"
  t=$(epoch "2026-11-23 09:00:00Z")
  $SIGN --key "$KEYS/s1.private" --domain sender.example --selector s1 --time "$t" \
    < "$W/src/06a-8bit-body" > "$W/sent/06a-8bit-body"
  # a gateway on the way appends a footer after signing: body hash no longer matches
  sed 's/order-6006@/order-6007@/' "$W/sent/06a-8bit-body" > "$W/sent/06b-footer-broken"
  printf '\n-- \nScanned for viruses by the gateway of Sender Example.\n' >> "$W/sent/06b-footer-broken"
  cp "$W/src/07a-no-from" "$W/sent/07a-no-from"
  t=$(epoch "2026-11-23 11:05:00Z")
  $SIGN --key "$KEYS/s1.private" --domain sender.example --selector s1 --time "$t" \
    < "$W/src/07b-two-from" > "$W/sent/07b-two-from"
  t=$(epoch "2026-11-23 12:00:00Z")
  $SIGN --key "$KEYS/old2019.private" --domain example.com --selector old2019 --time "$t" \
    < "$W/src/08-bounce-original" > "$W/src/08-bounce-original.signed"
  t=$(epoch "2026-11-23 13:00:00Z")
  $SIGN --key "$KEYS/s1.private" --domain sender.example --selector s1 --time "$t" --body-length \
    < "$W/src/09-body-length" > "$W/sent/09-body-length"
  # a list appends a footer after signing: outside l=, so the signature still verifies
  printf '\n_______________________________________________\nannounce mailing list -- unsubscribe: announce-leave@sender.example\n' \
    >> "$W/sent/09-body-length"

  # ---------------------------------------------------------------- real Postfix + milter
  lab_init "$W/lab"
  local mport n f
  mport=$(lab_free_port)

  echo "== out.sender.example: opendkim milter adds the ed25519-sha256 signature (ed1)"
  install -m 600 "$KEYS/ed1.private" "$W/lab/odk/ed1.private"
  printf 'ed1 sender.example:ed1:%s\n' "$W/lab/odk/ed1.private" > "$W/lab/odk/KeyTable.ed"
  printf '*@sender.example ed1\n' > "$W/lab/odk/SigningTable.ed"
  lab_milter_start "$mport" ed25519-sha256 "$W/lab/odk/KeyTable.ed" "$W/lab/odk/SigningTable.ed"
  lab_postfix_start out.sender.example "$mport"
  n=0
  /usr/sbin/sendmail -C "$LAB_E" -i -f bounce@sender.example alice@example.com < "$W/sent/02-rsa-only"
  n=$((n + 1)); lab_capture_wait $n
  lab_strip_delivery "$(lab_capture_last)" > "$W/sent/02-newsletter-ed25519-rsa"
  lab_postfix_stop; lab_milter_stop

  echo "== mx1.example.com: opendkim milter signs rsa-sha256 with q2p (samples/dns/keys/KeyTable)"
  install -m 600 "$KEYS/q2p.private" "$W/lab/odk/q2p.private"
  sed "s|:keys/|:$W/lab/odk/|" "$KEYS/KeyTable" > "$W/lab/odk/KeyTable"
  cp "$KEYS/SigningTable" "$W/lab/odk/SigningTable"
  lab_milter_start "$mport" rsa-sha256 "$W/lab/odk/KeyTable" "$W/lab/odk/SigningTable"
  lab_postfix_start mx1.example.com "$mport"
  /usr/sbin/sendmail -C "$LAB_E" -i -f carol@example.com alice@example.com < "$W/src/03-q2p-milter"
  n=$((n + 1)); lab_capture_wait $n
  lab_strip_delivery "$(lab_capture_last)" > "$W/sent/03-q2p-milter"
  lab_postfix_stop; lab_milter_stop

  echo "== mx.remote.example: Postfix bounces an unknown recipient back to alice@example.com"
  lab_postfix_start mx.remote.example
  /usr/sbin/sendmail -C "$LAB_E" -i -f alice@example.com nosuch@remote.example < "$W/src/08-bounce-original.signed"
  n=$((n + 1)); lab_capture_wait $n
  lab_strip_delivery "$(lab_capture_last)" > "$W/sent/08-bounce"
  lab_postfix_stop

  # ---------------------------------------------------------------- delivery to the forwarder
  echo "== mail.example.com: SMTP delivery with XCLIENT, captured from the local(8) pipe"
  write_env 01-newsletter-rsa          203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com
  write_env 02-newsletter-ed25519-rsa  203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com
  write_env 03-q2p-milter              198.51.100.25 mx1.example.com  mx1.example.com    carol@example.com     alice@example.com
  write_env 04-bank-strict             203.0.113.30 mta.bank.example   mta.bank.example   bounce@mta.bank.example alice@example.com
  write_env 05-news-unsigned           203.0.113.20 out.news.example   out.news.example   list-bounces@news.example alice@example.com
  write_env 06a-8bit-body              203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com
  write_env 06b-footer-broken          203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com
  write_env 07a-no-from                203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com
  write_env 07b-two-from               203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com
  write_env 08-bounce                  203.0.113.40 mx.remote.example  mx.remote.example  ''                    alice@example.com
  write_env 09-body-length             203.0.113.5  out.sender.example out.sender.example bounce@sender.example alice@example.com

  lab_postfix_start mail.example.com
  local name ip cname helo from rcpt
  for f in "$W"/sent/*; do
    name=$(basename "$f")
    [ -f "$OUT/$name.env" ] || continue
    ip=$(sed -n 's/^CLIENT_IP=//p' "$OUT/$name.env")
    cname=$(sed -n 's/^CLIENT_NAME=//p' "$OUT/$name.env")
    helo=$(sed -n 's/^HELO=//p' "$OUT/$name.env")
    from=$(sed -n 's/^MAIL_FROM=//p' "$OUT/$name.env")
    rcpt=$(sed -n 's/^RCPT_TO=//p' "$OUT/$name.env")
    swaks --server 127.0.0.1 --port "$LAB_PORT" \
          --xclient-addr "$ip" --xclient-name "$cname" --xclient-helo "$helo" --helo "$helo" \
          --from "${from:-<>}" --to "$rcpt" --data "$f" > "$W/swaks.$name" 2>&1 \
      || { echo "swaks failed for $name:"; tail -n 5 "$W/swaks.$name"; return 1; }
    n=$((n + 1)); lab_capture_wait $n
    f=$(lab_capture_last)
    cp "$f" "$OUT/$name.mbox"
    tail -n +2 "$f" > "$OUT/$name.eml"
    # the pipe's own view of the envelope, for comparison with NAME.env
    grep -E '^(SENDER|RECIPIENT|CLIENT_ADDRESS|CLIENT_HELO|CLIENT_HOSTNAME)=' "${f%.msg}.env" \
      | sed 's/^/  pipe env: /' | tr '\n' ' ' | sed "s/^/$name: /"; echo
  done
  lab_postfix_stop
}

# ------------------------------------------------------------------ verification
verify_all() {
  local port f name
  port=$(lab_free_port)
  dns_start "$W/nsd" "$port"
  echo "== Mail::DKIM / Mail::SPF / Mail::DMARC against NSD on 127.0.0.1@$port"
  for f in "$OUT"/*.eml; do
    name=$(basename "$f" .eml)
    echo "-- $name"
    RES_NAMESERVERS=127.0.0.1 RES_OPTIONS="port:$port" perl "$HERE/msg-verify.pl" "$f" "$OUT/$name.env" \
      | sed 's/^/   /'
  done
  dns_stop "$W/nsd"

  echo "== opendkim-testmsg (glibc resolver) in a private network namespace, NSD on 127.0.0.1:53"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$W/resolv.conf"
  # libopendkim reports one status for all signatures: also check each ed25519-signed
  # message with its other signatures removed
  mkdir -p "$W/ed-only"
  for f in "$OUT"/*.eml; do
    sed '/^$/q' "$f" | grep -q '^DKIM-Signature:.*a=ed25519-sha256' || continue
    perl -0777 -pe 's/^(DKIM-Signature:[^\n]*\n(?:[ \t][^\n]*\n)*)/ my $h = $1; $h =~ m{a=ed25519-sha256} ? $h : "" /mge' \
      "$f" > "$W/ed-only/$(basename "$f" .eml)+ed25519-only.eml"
  done
  unshare --net --mount --propagation private env W="$W" OUT="$OUT" HERE="$HERE" \
      DNS_SAMPLES="$DNS_SAMPLES" bash -c '
    ip link set lo up
    mount --bind "$W/resolv.conf" /etc/resolv.conf
    . "$HERE/dns-serve.sh"
    dns_start "$W/nsd53" 53 || exit 1
    for f in "$OUT"/*.eml "$W"/ed-only/*.eml; do
      [ -f "$f" ] || continue
      n=$(basename "$f" .eml)
      if sed "/^\$/q" "$f" | grep -qi "^DKIM-Signature:"; then
        out=$(opendkim-testmsg < "$f" 2>&1); rc=$?
        printf "   %-40s rc=%s %s\n" "$n" "$rc" "$(echo "$out" | tr "\n" " ")"
      else
        printf "   %-40s (no DKIM-Signature)\n" "$n"
      fi
    done
    dns_stop "$W/nsd53"'
}

case "$MODE" in
  all) make_all; verify_all ;;
  --verify) verify_all ;;
  *) echo "usage: make-messages.sh [--verify]" >&2; exit 2 ;;
esac
