#!/bin/bash
# make-dns.sh -- regenerate samples/dns: NSD zone files, nsd.conf.in and the DKIM test keys.
#
#   bash samples/tools/make-dns.sh              # rewrite zones from the keys already in keys/
#   bash samples/tools/make-dns.sh --new-keys   # also generate fresh keys (changes every
#                                               # signature in samples/messages: rerun
#                                               # make-messages.sh afterwards)
#
# The keys are committed fixtures: tests never regenerate them.  Zone serials are fixed so
# that the output only changes when the data does.  Every zone is checked with
# nsd-checkzone and the instantiated config with nsd-checkconf.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
DNS=$(cd "$HERE/../dns" 2>/dev/null && pwd || { mkdir -p "$HERE/../dns"; cd "$HERE/../dns" && pwd; })
KEYS=$DNS/keys
ZONES=$DNS/zones
SERIAL=2026112301
NEWKEYS=0
[ "${1:-}" = "--new-keys" ] && NEWKEYS=1

mkdir -p "$KEYS" "$ZONES"

# ---------------------------------------------------------------- keys
# rsa_key SELECTOR DOMAIN BITS  -> keys/SELECTOR.private (PEM) + keys/SELECTOR.txt (zone text)
rsa_key() {
  local sel=$1 dom=$2 bits=$3
  if [ "$NEWKEYS" = 1 ] || [ ! -s "$KEYS/$sel.private" ]; then
    rm -f "$KEYS/$sel.private" "$KEYS/$sel.txt"
    opendkim-genkey -b "$bits" -h sha256 -d "$dom" -s "$sel" -D "$KEYS"
  fi
}
# ed25519 key: PEM private key from openssl, TXT with the raw 32-byte public key (RFC 8463 s4.2)
ed_key() {
  local sel=$1 dom=$2
  if [ "$NEWKEYS" = 1 ] || [ ! -s "$KEYS/$sel.private" ]; then
    openssl genpkey -algorithm ed25519 -out "$KEYS/$sel.private"
  fi
  local pub
  pub=$(openssl pkey -in "$KEYS/$sel.private" -pubout -outform DER | tail -c 32 | base64 -w0)
  [ "${#pub}" = 44 ] || { echo "make-dns: ed25519 public key has wrong size" >&2; exit 1; }
  printf '%s._domainkey\tIN\tTXT\t( "v=DKIM1; k=ed25519; "\n\t  "p=%s" )  ; ----- DKIM key %s for %s\n' \
    "$sel" "$pub" "$sel" "$dom" > "$KEYS/$sel.txt"
}

rsa_key old2019 example.com 1024
rsa_key q2p     example.com 2048
rsa_key s1      sender.example 2048
rsa_key b1      bank.example 2048
ed_key  ed1     sender.example
chmod 0600 "$KEYS"/*.private; chmod 0644 "$KEYS"/*.txt

# opendkim KeyTable / SigningTable for the new host (q2p, example.com). Paths in the
# KeyTable are relative to samples/dns/keys: a test copies both tables and the key into a
# private directory (mode 0600, opendkim refuses readable keys) and rewrites the path, e.g.
#   sed "s|:keys/|:$TMP/|" samples/dns/keys/KeyTable > $TMP/KeyTable
printf 'q2p._domainkey.example.com example.com:q2p:keys/q2p.private\n' > "$KEYS/KeyTable"
printf '*@example.com q2p._domainkey.example.com\n*@example.org q2p._domainkey.example.com\n' \
  > "$KEYS/SigningTable"

# zone text of a key: the TXT lines from opendkim-genkey without its trailing comment
keytxt() { sed 's/ *; *----- DKIM key.*$//' "$KEYS/$1.txt"; }

# ---------------------------------------------------------------- zones
soa() {  # soa ZONE
  printf '$ORIGIN %s.\n$TTL 3600\n@\tIN\tSOA\tns1.example.com. hostmaster.example.com. ( %s 3600 900 1209600 300 )\n' "$1" "$SERIAL"
  printf '@\tIN\tNS\tns1.example.com.\n@\tIN\tNS\tns2.example.com.\n'
}

{
  soa example.com
  cat <<'EOF'
; main domain. The MX still points at the old host (mail.example.com, 192.0.2.10); the new
; host mx1.example.com (198.51.100.25) is already published, authorized by SPF and has its
; DKIM key (q2p) and PTR, so the cutover is a change of the MX record only.
ns1		IN	A	192.0.2.53
ns2		IN	A	198.51.100.53
@		IN	MX	10 mail.example.com.
@		IN	A	192.0.2.10
mail		IN	A	192.0.2.10
mx1		IN	A	198.51.100.25
mx1		IN	AAAA	2001:db8::25
; SPF for the HELO identities (RFC 7208 s2.3): used when MAIL FROM is empty (bounces)
mail		IN	TXT	"v=spf1 a -all"
mx1		IN	TXT	"v=spf1 a -all"
imap		IN	CNAME	mail
pop		IN	CNAME	mail
@		IN	TXT	"v=spf1 ip4:192.0.2.10 ip4:198.51.100.25 include:_spf.example.com ~all"
_spf		IN	TXT	"v=spf1 ip4:192.0.2.128/26 ip4:203.0.113.64/28 -all"
_dmarc		IN	TXT	"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; adkim=r; aspf=r"
; SRS domain of the new host: envelope senders SRS0=...@srs.example.com come from mx1 only
srs		IN	A	198.51.100.25
srs		IN	MX	10 mx1.example.com.
srs		IN	TXT	"v=spf1 a:mx1.example.com -all"
; DKIM: old2019 = old host's key (1024-bit RSA), q2p = new host's key (2048-bit RSA)
EOF
  keytxt old2019
  keytxt q2p
} > "$ZONES/example.com.zone"

{
  soa example.net
  cat <<'EOF'
; small hosted domain. SPF names only the old host's address, and DMARC is p=reject:
; after the cutover mail from mx1 fails SPF here until the record is changed.
@		IN	MX	10 mail.example.com.
@		IN	A	192.0.2.10
@		IN	TXT	"v=spf1 ip4:192.0.2.10 -all"
_dmarc		IN	TXT	"v=DMARC1; p=reject; rua=mailto:postmaster@example.net"
EOF
} > "$ZONES/example.net.zone"

{
  soa example.org
  cat <<'EOF'
; alias domain of example.com: same MX, SPF through redirect, monitoring-only DMARC
@		IN	MX	10 mail.example.com.
@		IN	A	192.0.2.10
@		IN	TXT	"v=spf1 redirect=example.com"
_dmarc		IN	TXT	"v=DMARC1; p=none; rua=mailto:dmarc@example.com"
EOF
} > "$ZONES/example.org.zone"

{
  soa oldbrand.example
  cat <<'EOF'
; retired brand: receives mail (unknown users deleted), never sends
@		IN	MX	10 mail.example.com.
@		IN	TXT	"v=spf1 -all"
_dmarc		IN	TXT	"v=DMARC1; p=reject; adkim=s; aspf=s"
EOF
} > "$ZONES/oldbrand.example.zone"

{
  soa partner.example
  cat <<'EOF'
; partner domain hosted on the old host; legacy pct= tag (historic in RFC 9989)
@		IN	MX	10 mail.example.com.
@		IN	A	192.0.2.10
@		IN	TXT	"v=spf1 a mx include:example.com ~all"
_dmarc		IN	TXT	"v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@partner.example"
EOF
} > "$ZONES/partner.example.zone"

{
  soa remote.example
  cat <<'EOF'
; big mail provider: forward target (alice.home@remote.example ...), strict policy
@		IN	MX	10 mx.remote.example.
@		IN	MX	20 mx2.remote.example.
mx		IN	A	203.0.113.40
mx2		IN	A	203.0.113.41
mx		IN	TXT	"v=spf1 a -all"
mx2		IN	TXT	"v=spf1 a -all"
smtp		IN	A	198.51.100.70
smtp		IN	TXT	"v=spf1 a -all"
@		IN	TXT	"v=spf1 ip4:203.0.113.32/27 ip4:198.51.100.70 -all"
_dmarc		IN	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc-rua@remote.example"
EOF
} > "$ZONES/remote.example.zone"

{
  soa webmail.example
  cat <<'EOF'
; second forward target: a webmail service
@		IN	MX	10 mx.webmail.example.
mx		IN	A	198.51.100.80
@		IN	A	198.51.100.80
@		IN	TXT	"v=spf1 ip4:198.51.100.80 ~all"
_dmarc		IN	TXT	"v=DMARC1; p=none"
EOF
} > "$ZONES/webmail.example.zone"

{
  soa sender.example
  cat <<'EOF'
; typical external sender: DKIM signed (rsa s1 and ed25519 ed1), SPF -all, DMARC p=reject
@		IN	MX	10 mx.sender.example.
mx		IN	A	203.0.113.6
out		IN	A	203.0.113.5
@		IN	TXT	"v=spf1 ip4:203.0.113.5 -all"
out		IN	TXT	"v=spf1 a -all"
_dmarc		IN	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@sender.example"
EOF
  keytxt s1
  keytxt ed1
} > "$ZONES/sender.example.zone"

{
  soa news.example
  cat <<'EOF'
; newsletter sender with SPF only (no DKIM), DMARC monitoring only
@		IN	MX	10 mx.news.example.
mx		IN	A	203.0.113.21
out		IN	A	203.0.113.20
@		IN	TXT	"v=spf1 ip4:203.0.113.20 -all"
_dmarc		IN	TXT	"v=DMARC1; p=none; rua=mailto:dmarc@news.example"
EOF
} > "$ZONES/news.example.zone"

{
  soa bank.example
  cat <<'EOF'
; strict sender: p=reject with strict alignment. Its envelope domain is the subdomain
; mta.bank.example, so SPF passes but is not strictly aligned: only DKIM (d=bank.example)
; can make DMARC pass.
@		IN	MX	10 mx.bank.example.
mx		IN	A	203.0.113.31
mta		IN	A	203.0.113.30
@		IN	TXT	"v=spf1 ip4:203.0.113.30 -all"
mta		IN	TXT	"v=spf1 ip4:203.0.113.30 -all"
_dmarc		IN	TXT	"v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:dmarc@bank.example"
EOF
  keytxt b1
} > "$ZONES/bank.example.zone"

{
  soa 2.0.192.in-addr.arpa
  cat <<'EOF'
10		IN	PTR	mail.example.com.
53		IN	PTR	ns1.example.com.
EOF
} > "$ZONES/2.0.192.in-addr.arpa.zone"

{
  soa 100.51.198.in-addr.arpa
  cat <<'EOF'
25		IN	PTR	mx1.example.com.
53		IN	PTR	ns2.example.com.
70		IN	PTR	smtp.remote.example.
80		IN	PTR	mx.webmail.example.
EOF
} > "$ZONES/100.51.198.in-addr.arpa.zone"

{
  soa 113.0.203.in-addr.arpa
  cat <<'EOF'
5		IN	PTR	out.sender.example.
6		IN	PTR	mx.sender.example.
20		IN	PTR	out.news.example.
21		IN	PTR	mx.news.example.
30		IN	PTR	mta.bank.example.
31		IN	PTR	mx.bank.example.
40		IN	PTR	mx.remote.example.
41		IN	PTR	mx2.remote.example.
EOF
} > "$ZONES/113.0.203.in-addr.arpa.zone"

# 2001:db8::/32 -> 8.b.d.0.1.0.0.2.ip6.arpa
{
  soa 8.b.d.0.1.0.0.2.ip6.arpa
  printf '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\tIN\tPTR\tmx1.example.com.\n'
} > "$ZONES/8.b.d.0.1.0.0.2.ip6.arpa.zone"

# ---------------------------------------------------------------- nsd.conf.in
{
  cat <<'EOF'
# NSD configuration template for the sample zones. Instantiate with
#   sed -e "s|@PORT@|$PORT|g" -e "s|@DIR@|$DIR|g" -e "s|@ZONEDIR@|$ZONEDIR|g" \
#       samples/dns/nsd.conf.in > "$DIR/nsd.conf"
# DIR: a private, absolute run directory; ZONEDIR: absolute path of samples/dns/zones.
# Listens on loopback only; no privilege drop, no chroot, no database, no remote control.
server:
    ip-address: 127.0.0.1@@PORT@
    ip-address: ::1@@PORT@
    port: @PORT@
    do-ip4: yes
    do-ip6: yes
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "@DIR@/zone.list"
    xfrdfile: "@DIR@/xfrd.state"
    xfrdir: "@DIR@"
    pidfile: "@DIR@/nsd.pid"
    logfile: "@DIR@/nsd.log"
    verbosity: 1
    hide-version: yes
    reuseport: no
    refuse-any: no
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
EOF
  for f in "$ZONES"/*.zone; do
    z=$(basename "$f" .zone)
    printf 'zone:\n    name: "%s"\n    zonefile: "@ZONEDIR@/%s.zone"\n' "$z" "$z"
  done
} > "$DNS/nsd.conf.in"

# ---------------------------------------------------------------- validate
rc=0
for f in "$ZONES"/*.zone; do
  z=$(basename "$f" .zone)
  if out=$(nsd-checkzone "$z" "$f" 2>&1); then echo "ok   $out"; else echo "FAIL $z: $out"; rc=1; fi
done
T=$(mktemp -d)
sed -e "s|@PORT@|5353|g" -e "s|@DIR@|$T|g" -e "s|@ZONEDIR@|$ZONES|g" "$DNS/nsd.conf.in" > "$T/nsd.conf"
if nsd-checkconf "$T/nsd.conf"; then echo "ok   nsd-checkconf nsd.conf.in"; else echo "FAIL nsd-checkconf"; rc=1; fi
rm -rf "$T"
exit $rc
