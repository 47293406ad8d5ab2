#!/bin/bash
# Benchmark (make bench-sync; not part of make check): qmail2postfix sync of
# 100,000 messages in 1,000 folders (10 mailboxes of 100 folders, each with
# a courierimapuiddb and 100 messages of about 600 bytes), next to cp -a of
# the same tree in the same run; then a second sync with nothing changed,
# next to find over the old and the new tree (the walk it cannot avoid).
# Prints wall time and peak RSS of each; the page cache is warm for all.
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
echo "messages: $(find "$dir/old" -path '*/cur/*' -type f | wc -l)," \
    "folders: $(find "$dir/old" -name cur -type d | wc -l)"
sync
measure() {	# measure NAME CMD...: wall seconds and peak RSS (KiB), once
	local name=$1 rss t; shift
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >"$dir/$name.out" \
	    2>"$dir/$name.err"
	read -r t rss <"$dir/time"
	printf '%-22s %8ss %10s KiB peak RSS\n' "$name" "$t" "$rss"
	echo "$t" >"$dir/$name.t"
}
ratio() {
	awk -v a="$(cat "$dir/$1.t")" -v b="$(cat "$dir/$2.t")" -v n="$1/$2" \
	    'BEGIN { if (b > 0) printf "ratio %s: %.2f\n", n, a / b }'
}
rm -rf "$dir/cp" "$dir/new"
measure "cp -a" cp -a "$dir/old" "$dir/cp"
measure "sync (first run)" "$q2p" sync "$dir/out" --root "$dir/old" \
    --dest-root "$dir/new" -q
ratio "sync (first run)" "cp -a"
measure "find old and new" sh -c "find '$dir/old' '$dir/new' >/dev/null"
measure "sync (nothing new)" "$q2p" sync "$dir/out" --root "$dir/old" \
    --dest-root "$dir/new" -q
ratio "sync (nothing new)" "find old and new"
head -n 1 "$dir/sync (first run).out" "$dir/sync (nothing new).out"
rm -rf "$dir/cp" "$dir/new"
