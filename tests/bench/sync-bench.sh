#!/bin/bash
# Benchmark (make bench-sync; not part of make check): qmail2postfix sync of
# 100,000 messages in 1,000 folders (10 mailboxes of 100 folders, each with
# a courierimapuiddb and 100 messages of about 600 bytes), next to cp -a of
# the same tree in the same run; then a second sync with nothing changed,
# next to find over the old and the new tree (the walk it cannot avoid).
# The big host's mail (100,000 mailboxes) is bighost-bench.sh's
# (make bench-bighost).
# Prints wall time and peak RSS of each, and the load average; the page
# cache is warm for all.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/q2p-bench-sync}
boxes=${BENCH_BOXES:-10} folders=${BENCH_FOLDERS:-100} msgs=${BENCH_MSGS:-100}
q2p=${BENCH_Q2P:-$top_builddir/qmail2postfix}
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	echo "generating $dir ..."
	python3 - "$dir" "$boxes" "$folders" "$msgs" <<'EOF' || exit 1
import json, os, sys
d, nb, nf, nm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(d + '/out/dovecot')
open(d + '/out/dovecot/dovecot.conf', 'w').write(
    'mail_location = maildir:~/Maildir\n')
users, mbs, t = [], [], 1790000000
body = 'x' * 480 + '\n'
for b in range(nb):
    addr = 'user%d@bench.example' % b
    home = '/home/vpopmail/domains/bench.example/user%d' % b
    users.append('%s:{CRYPT}x:89:89::%s::\n' % (addr, home))
    mbs.append({'address': addr, 'home': home})
    for f in range(nf):
        fd = d + '/old' + home + '/Maildir' + ('' if f == 0 else '/.F%d' % f)
        for s in ('cur', 'new', 'tmp'):
            os.makedirs(fd + '/' + s)
        lines = ['1 %d %d\n' % (1700000000 + f, nm + 1)]
        for m in range(nm):
            t += 1
            name = '%d.%d.bench.example,S=%d' % (t, 1000 + m, 600)
            msg = 'From: a@example.org\nSubject: %d\nMessage-ID: <%d@b>\n\n%s' % (m, t, body)
            open(fd + '/cur/' + name + ':2,S', 'w').write(msg)
            lines.append('%d %s\n' % (m + 1, name))
        open(fd + '/courierimapuiddb', 'w').write(''.join(lines))
open(d + '/out/dovecot/users', 'w').write(''.join(users))
json.dump({'mailboxes': mbs}, open(d + '/out/migration.json', 'w'))
EOF
	touch "$dir/.done"
fi
measure() {	# measure NAME CMD...: wall seconds and peak RSS (KiB), once
	local name=$1 rss t; shift
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >"$dir/$name.out" \
	    2>"$dir/$name.err"
	read -r t rss <"$dir/time"
	printf '%-22s %8ss %10s KiB peak RSS  (load %s)\n' "$name" "$t" "$rss" \
	    "$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "$t" >"$dir/$name.t"
}
ratio() {
	awk -v a="$(cat "$dir/$1.t")" -v b="$(cat "$dir/$2.t")" -v n="$1/$2" \
	    'BEGIN { if (b > 0) printf "ratio %s: %.2f\n", n, a / b }'
}
# the four measures on OLD (the mail), OUT (its migration), NEW (scratch),
# ROOT (the old host's /, OLD's parent or OLD itself)
pair() {
	local old=$1 out=$2 new=$3 root=${4:-$1}
	echo "messages: $(find "$old" -path '*/cur/*' -type f | wc -l)," \
	    "folders: $(find "$old" -name cur -type d | wc -l)"
	rm -rf "$dir/cp" "$new"
	sync
	measure "cp -a" cp -a "$old" "$dir/cp"
	measure "sync (first run)" "$q2p" sync "$out" --root "$root" \
	    --dest-root "$new" -q
	ratio "sync (first run)" "cp -a"
	measure "find old and new" sh -c "find '$old' '$new' >/dev/null"
	measure "sync (nothing new)" "$q2p" sync "$out" --root "$root" \
	    --dest-root "$new" -q
	ratio "sync (nothing new)" "find old and new"
	head -n 1 "$dir/sync (first run).out" "$dir/sync (nothing new).out"
	rm -rf "$dir/cp" "$new"
}
echo "== $boxes mailboxes of $folders folders, $msgs messages each"
pair "$dir/old" "$dir/out" "$dir/new"
