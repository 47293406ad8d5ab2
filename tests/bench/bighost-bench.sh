#!/bin/bash
# Benchmark (make bench-bighost; not part of make check): the long runs of
# a switch on the benchmark host of migrate-gen.py (1,000 domains x 100
# mailboxes, 50,000 .qmail files) carrying mail (--mail=3: 3 messages and
# a courierimapuiddb in each Maildir), each next to its floor in the same
# run:
#   migrate         qmail2postfix --root OLD -o OUT   vs cat of the files it
#                   reads, and vs that cat plus ls -f (readdir, no stat)
#                   of the directories it lists: the domains' and every
#                   mailbox's own, where vdelivermail's .qmail-EXT files
#                   are found; never a Maildir (best of BENCH_REPEAT runs,
#                   and the worst)
#   sync, 1st run   copies all the mail               vs cp -a of the same
#                   tree (OLD's /home), and cp -a with its flush (sync(1)
#                   after it: sync's own runs flush what they wrote with
#                   syncfs, and cp's dirty pages would otherwise be
#                   flushed inside sync's first run)
#   sync, 2nd run   nothing new                       vs find over old and
#                   new, and cp -an (no clobber) onto the earlier copy
#   sync, 3rd run   a new message in every 10th mailbox's new/
#                                                     vs the same two
# Wall time, CPU time, peak RSS and the load average of each.
#
# The generated host is kept in BENCH_CACHE [/var/cache/qmail2postfix/bench]
# under a name made of the generator's checksum and the sizes, so it is
# made once and again only when migrate-gen.py changes; the messages the
# third run adds are removed again (a list of them is kept until then).
# The copies go to BENCH_DIR [$TMPDIR/q2p-bench-bighost].  Sizes:
# BENCH_DOMAINS [1000], BENCH_USERS [100], BENCH_QMAIL [50000],
# BENCH_MAIL [3]; BENCH_REPEAT [3] runs of migrate and cat.
# BENCH_PARTS ["migrate sync"]: "sync" alone runs migrate once, untimed,
# for the OUT that sync reads.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
q2p=${BENCH_Q2P:-$top_builddir/qmail2postfix}
gen=$top_srcdir/tests/bench/migrate-gen.py
doms=${BENCH_DOMAINS:-1000} users=${BENCH_USERS:-100}
qfiles=${BENCH_QMAIL:-50000} per=${BENCH_MAIL:-3}
cache=${BENCH_CACHE:-/var/cache/qmail2postfix/bench}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/q2p-bench-bighost}
sum=$(sha256sum "$gen" | cut -c1-12) || exit 1
host=$cache/host-$sum-${doms}x$users-q$qfiles-m$per
root=$host/root

load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- the host, made once per generator
if [ ! -f "$host/.done" ]; then
	mkdir -p "$cache" || exit 1
	# an older generator's host of the same sizes is stale
	for old in "$cache"/host-*-${doms}x$users-q$qfiles-m$per; do
		[ "$old" != "$host" ] && [ -d "$old" ] && rm -rf "$old"
	done
	rm -rf "$host"
	echo "generating $host (load $(load)) ..."
	/usr/bin/time -f '%e s' python3 "$gen" "$root" "$doms" "$users" \
	    "$qfiles" --mail="$per" || exit 1
	touch "$host/.done"
fi
# messages a stopped run added: gone again
if [ -f "$host/added" ]; then
	xargs -d '\n' rm -f <"$host/added" && rm -f "$host/added"
fi
rm -rf "$dir"
mkdir -p "$dir" || exit 1

# measure NAME CMD...: one run: wall seconds, peak RSS (KiB) and CPU
# seconds (user + system) into $dir/NAME.t, .rss and .cpu; prints a line
# with the load average (at load 40 on 2 CPUs the wall time is mostly
# waiting for a CPU: the CPU seconds say what the run itself cost)
measure() {
	local name=$1 t rss u s; shift
	/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$@" \
	    >"$dir/$name.out" 2>"$dir/$name.err"
	read -r t rss u s <"$dir/time"
	printf '%-24s %8s s %9s KiB peak RSS %7.2f s CPU  (load %s)\n' \
	    "$name" "$t" "$rss" "$(awk "BEGIN{print $u + $s}")" "$(load)"
	echo "$t" >"$dir/$name.t"
	echo "$rss" >"$dir/$name.rss"
	awk "BEGIN{print $u + $s}" >"$dir/$name.cpu"
}
# best NAME CMD...: BENCH_REPEAT runs; NAME.t the best, and the spread
best() {
	local name=$1 i b="" w="" t; shift
	for i in $(seq "${BENCH_REPEAT:-3}"); do
		measure "$name" "$@" >/dev/null
		t=$(cat "$dir/$name.t")
		if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then
			b=$t
			cp "$dir/$name.cpu" "$dir/$name.bestcpu"
		fi
		if [ -z "$w" ] || awk "BEGIN{exit !($t > $w)}"; then w=$t; fi
	done
	echo "$b" >"$dir/$name.t"
	mv "$dir/$name.bestcpu" "$dir/$name.cpu"
	printf '%-24s %8s s %9s KiB peak RSS %7.2f s CPU  (best of %s, worst %s s; load %s)\n' \
	    "$name" "$b" "$(cat "$dir/$name.rss")" "$(cat "$dir/$name.cpu")" \
	    "${BENCH_REPEAT:-3}" "$w" "$(load)"
}
ratio() {	# of the wall times, and of the CPU seconds
	awk -v a="$(cat "$dir/$1.t")" -v b="$(cat "$dir/$2.t")" \
	    -v c="$(cat "$dir/$1.cpu")" -v d="$(cat "$dir/$2.cpu")" \
	    -v n="$1 / $2" 'BEGIN { if (b > 0 && d > 0)
	    printf "  ratio %s: %.2f wall, %.2f CPU\n", n, a / b, c / d }'
}

echo "== the host: $doms domains x $users mailboxes, $per messages each" \
    "(load $(load))"
# ---- migrate, next to cat of what it reads
(cd "$root" && find var/qmail/control var/qmail/users home -type f \
    \( -name vpasswd -o -name '.qmail*' -o -path '*control*' -o \
    -name assign \) -print) >"$dir/files"
(cd "$root" && find home/vpopmail/domains -maxdepth 2 -type d -print) \
    >"$dir/dirs"
echo "files migrate reads: $(wc -l <"$dir/files"), directories it lists:" \
    "$(wc -l <"$dir/dirs")"
parts=" ${BENCH_PARTS:-migrate sync} "
case $parts in
*" migrate "*)
	best "cat" sh -c "cd '$root' && xargs -d '\n' cat <'$dir/files'"
	best "cat + ls -f" sh -c "cd '$root' && \
	    xargs -d '\n' cat <'$dir/files' && \
	    xargs -d '\n' ls -f <'$dir/dirs'"
	best "migrate" "$q2p" --root "$root" -o "$dir/out" --force -q \
	    --postfix 3.7 --dovecot 2.3
	ratio "migrate" "cat"
	ratio "migrate" "cat + ls -f" ;;
*)	"$q2p" --root "$root" -o "$dir/out" --force -q --postfix 3.7 \
	    --dovecot 2.3 || exit 1 ;;
esac
case $parts in *" sync "*) ;; *) rm -rf "$dir"; exit 0 ;; esac

# ---- sync, next to cp -a and find
echo "messages: $(find "$root/home" -path '*/cur/*' -type f | wc -l)"
measure "cp -a" cp -a "$root/home" "$dir/cp"
measure "sync(1) after cp -a" sync
for x in t cpu; do	# the two together, as "cp -a + flush"
	awk -v a="$(cat "$dir/cp -a.$x")" \
	    -v b="$(cat "$dir/sync(1) after cp -a.$x")" \
	    'BEGIN { print a + b }' >"$dir/cp -a + flush.$x"
done
measure "sync (first run)" "$q2p" sync "$dir/out" --root "$root" \
    --dest-root "$dir/new" -q
ratio "sync (first run)" "cp -a"
ratio "sync (first run)" "cp -a + flush"
measure "find old and new" find "$root/home" "$dir/new" -fprint /dev/null
measure "cp -an (nothing new)" cp -an "$root/home/." "$dir/cp"
measure "sync (nothing new)" "$q2p" sync "$dir/out" --root "$root" \
    --dest-root "$dir/new" -q
ratio "sync (nothing new)" "find old and new"
ratio "sync (nothing new)" "cp -an (nothing new)"
# one new message in new/ of every 10th mailbox, as qmail-local delivers
python3 - "$root" "$doms" "$users" "$host/added" <<'EOF' || exit 1
import sys
root, nd, nu, lst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
paths = []
with open(lst, "w") as f:
    for d in range(nd):
        for u in range(0, nu, 10):
            p = ("%s/home/vpopmail/domains/d%04d.example/user%03d/Maildir/"
                 "new/1800000000.%d_%d.bench.example" % (root, d, u, d, u))
            f.write(p + "\n")
            paths.append(p)
for p in paths:
    with open(p, "w") as m:
        m.write("From: b@example.org\nSubject: new\n\n" + "y" * 480 + "\n")
print("added: %d messages" % len(paths))
EOF
measure "find (one new in 10%)" find "$root/home" "$dir/new" -fprint /dev/null
measure "cp -an (one new in 10%)" cp -an "$root/home/." "$dir/cp"
measure "sync (one new in 10%)" "$q2p" sync "$dir/out" --root "$root" \
    --dest-root "$dir/new" -q
ratio "sync (one new in 10%)" "find (one new in 10%)"
ratio "sync (one new in 10%)" "cp -an (one new in 10%)"
xargs -d '\n' rm -f <"$host/added" && rm -f "$host/added"
for n in "sync (first run)" "sync (nothing new)" "sync (one new in 10%)"; do
	head -n 1 "$dir/$n.out"
done
rm -rf "$dir"
