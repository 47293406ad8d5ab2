#!/usr/bin/env python3
# Converts the OpenSPF RFC 7208 suite (YAML) into the line format that
# test_spf_rfc7208 reads, applying the suite driver's zone conventions
# (pyspf test/testspf.py): SPF records are served as TXT unless the name
# lists TXT itself, "TXT: NONE" publishes nothing, a bare TIMEOUT makes
# every type without records time out, "TYPE: TIMEOUT" only that type.
#
# Output, one item a line, every field escaped (no spaces inside):
#   scenario DESC
#   zone NAME TYPE VALUE | zone NAME TYPE TIMEOUT | zone NAME * TIMEOUT
#   test ID / helo H / host IP / mailfrom M / result R [R...] /
#   explanation TEXT / end
import sys
import yaml


def esc(v):
    if isinstance(v, bytes):
        b = v
    else:
        b = str(v).encode('utf-8')
    out = []
    for c in b:
        if c <= 0x20 or c >= 0x7f or c == 0x5c:
            out.append('\\x%02x' % c)
        else:
            out.append(chr(c))
    return ''.join(out) if out else '\\x'


def records(name, entries, emit):
    gen = not any(isinstance(e, dict) and 'TXT' in e for e in entries)
    spf = []
    for e in entries:
        if e == 'TIMEOUT':
            continue
        for t, v in e.items():
            if v == 'NONE':
                continue
            if v == 'TIMEOUT':
                emit('zone %s %s TIMEOUT' % (esc(name), t))
                continue
            if t in ('TXT', 'SPF'):
                parts = v if isinstance(v, list) else [v]
                value = ''.join(parts)
                if t == 'SPF':
                    spf.append(value)
                    continue
                emit('zone %s TXT %s' % (esc(name), esc(value)))
            elif t == 'MX':
                emit('zone %s MX %s' % (esc(name),
                                        esc('%d %s' % (v[0], v[1]))))
            else:
                emit('zone %s %s %s' % (esc(name), t, esc(v)))
    if gen:
        for value in spf:
            emit('zone %s TXT %s' % (esc(name), esc(value)))
    if 'TIMEOUT' in entries:
        emit('zone %s * TIMEOUT' % esc(name))


def main():
    src, dst = sys.argv[1], sys.argv[2]
    lines = []
    emit = lines.append
    with open(src, 'rb') as fp:
        for doc in yaml.safe_load_all(fp):
            if not doc:
                continue
            emit('scenario %s' % esc(doc.get('description', '')))
            for name, entries in (doc.get('zonedata') or {}).items():
                records(str(name).lower(), entries or [], emit)
            for tid, t in doc['tests'].items():
                emit('test %s' % esc(tid))
                emit('helo %s' % esc(t.get('helo', '')))
                emit('host %s' % esc(t['host']))
                emit('mailfrom %s' % esc(t.get('mailfrom', '')))
                res = t['result']
                res = res if isinstance(res, list) else [res]
                emit('result %s' % ' '.join(res))
                if 'explanation' in t:
                    emit('explanation %s' % esc(t['explanation']))
                emit('end')
    with open(dst + '.tmp', 'w') as out:
        out.write('\n'.join(lines) + '\n')
    import os
    os.replace(dst + '.tmp', dst)


main()
