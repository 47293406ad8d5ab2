#!/usr/bin/env python3
# NAME		cutover-gen - a big migration and its DNS for bench-cutover
# DOES		writes DIR/migration.json (NDOM mailbox domains, NFWD forwards
#		to 200 remote domains, postmaster per domain, a DKIM key per
#		domain, SRS wired) and DIR/zones/*.zone for NSD: every domain
#		ready for the new host 198.51.100.25 (MX, SPF with one shared
#		include, DKIM, DMARC), the PTR, the SRS domain, remote domains
# NEVER		writes outside DIR
import json, os, sys

out, ndom, nfwd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
zones = os.path.join(out, 'zones')
os.makedirs(zones, exist_ok=True)
KEY = ('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1xL3X4rVFYwVeBsw37xNO/W48XB'
       'oY6qX0cSKDfUeME2GznM5TKRhBak3TCsayMGhcVVNeM/ks+Kzehk/MGAdEAPS2deollGt'
       'H+7as84JvIh29qGeMjws3XuWWE7p9nnaPRcOVOSo5R0acGtrZIl42UXYpGcQVSp2z8yFb'
       'Zs9P346j3w5OwbI1GSijwJPYp8WbeRzkveT0rB26gWcHH7WnXq7wrK+1+KiT6efqrY1JLw'
       'hdcKMpio/dUEyfiHMivXdqrNP//b+IjRpx+Qz9DZ70AXBXRk0mnibxasDTpBk8mTTo3aX7'
       'CCd/eZnWh2CNUh53IPrI7LveTJA00RNhGoj8wIDAQAB')
NREMOTE = 200
SOA = '@ IN SOA ns1.bench.test. hostmaster.bench.test. ( 1 3600 900 1209600 300 )\n@ IN NS ns1.bench.test.\n'

def dom(i):
    return 'd%04d.bench.test' % i

with open(os.path.join(zones, 'bench.test.zone'), 'w') as z:
    z.write('$ORIGIN bench.test.\n$TTL 3600\n' + SOA)
    z.write('ns1 IN A 192.0.2.53\nmx1 IN A 198.51.100.25\n'
            'mx1 IN TXT "v=spf1 a -all"\nmail IN A 192.0.2.10\n'
            '_spf IN TXT "v=spf1 ip4:192.0.2.128/26 -all"\n'
            'srs IN A 198.51.100.25\nsrs IN MX 10 mx1.bench.test.\n'
            'srs IN TXT "v=spf1 a:mx1.bench.test -all"\n')
    for i in range(ndom):
        d = 'd%04d' % i
        z.write('%s IN MX 10 mail.bench.test.\n' % d)
        z.write('%s IN TXT "v=spf1 ip4:192.0.2.10 ip4:198.51.100.25 '
                'include:_spf.bench.test ~all"\n' % d)
        z.write('_dmarc.%s IN TXT "v=DMARC1; p=quarantine"\n' % d)
        z.write('q2p._domainkey.%s IN TXT ( "v=DKIM1; k=rsa; p=%s" "%s" )\n'
                % (d, KEY[:200], KEY[200:]))
with open(os.path.join(zones, 'remote.test.zone'), 'w') as z:
    z.write('$ORIGIN remote.test.\n$TTL 3600\n' + SOA.replace('bench.test.', 'remote.test.', 1))
    z.write('mx IN A 203.0.113.40\n')
    for j in range(NREMOTE):
        z.write('t%03d IN MX 10 mx.remote.test.\n' % j)
    z.write('sender IN TXT "v=spf1 ip4:192.0.2.1 -all"\n'
            'out.sender IN A 192.0.2.1\n'
            '_dmarc.sender IN TXT "v=DMARC1; p=reject"\n')
with open(os.path.join(zones, '100.51.198.in-addr.arpa.zone'), 'w') as z:
    z.write('$ORIGIN 100.51.198.in-addr.arpa.\n$TTL 3600\n' + SOA)
    z.write('25 IN PTR mx1.bench.test.\n')

m = {
    'schema': 'qmail2postfix-migration', 'version': 1,
    'generator': 'tests/bench/cutover-gen.py',
    'old_host': {'hostname': 'mail.bench.test', 'ip': '192.0.2.10'},
    'new_host': {'hostname': 'mx1.bench.test', 'ip': '198.51.100.25'},
    'domains': [{'name': dom(i), 'kind': 'mailbox'} for i in range(ndom)],
    'mailboxes': [{'address': 'postmaster@' + dom(i), 'receives_mail': True}
                  for i in range(ndom)],
    'forwards': [{'address': 'u%05d@%s' % (k, dom(k % ndom)), 'match': 'exact',
                  'targets': ['x%05d@t%03d.remote.test' % (k, k % NREMOTE)],
                  'remote_targets': ['x%05d@t%03d.remote.test' % (k, k % NREMOTE)],
                  'keep_copy': False, 'srs': True} for k in range(nfwd)],
    'aliases': [],
    'bounce_routing': {'doublebounceto': 'postmaster@' + dom(0),
                       'postmaster': [{'domain': dom(i), 'routes_to': 'postmaster@' + dom(i)}
                                      for i in range(ndom)]},
    'settings': [],
    'dkim': {'selectors': [{'domain': dom(i), 'selector': 'q2p', 'public_key': KEY}
                           for i in range(ndom)]},
    'srs': {'wired': True, 'domain': 'srs.bench.test'},
    'limits': [],
}
with open(os.path.join(out, 'migration.json'), 'w') as f:
    json.dump(m, f)
# the parent zone, so that walks up the tree (DMARC) get NXDOMAIN from the
# same server instead of REFUSED
with open(os.path.join(zones, 'test.zone'), 'w') as z:
    z.write('$ORIGIN test.\n$TTL 3600\n' + SOA.replace('bench.test.', 'test.', 1))
# the sample sender's client, so that its PTR is in a served zone too
with open(os.path.join(zones, '2.0.192.in-addr.arpa.zone'), 'w') as z:
    z.write('$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 3600\n' + SOA)
    z.write('1 IN PTR out.sender.remote.test.\n')
