#!/bin/bash
# Benchmark (make bench-migrate; not part of make check): qmail2postfix on a
# generated host of 100,000 mailboxes in 1,000 domains with 50,000 .qmail
# files, next to cat of the same files (the I/O floor), in the same run.
# Prints wall time and peak RSS of each.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/q2p-bench-host}
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	echo "generating $dir ..."
	python3 "$top_srcdir/tests/bench/migrate-gen.py" "$dir/root" \
	    "${BENCH_DOMAINS:-1000}" "${BENCH_USERS:-100}" \
	    "${BENCH_QMAIL:-50000}" || exit 1
	touch "$dir/.done"
fi
list=$dir/files
(cd "$dir/root" && find var/qmail/control var/qmail/users home -type f \
    \( -name 'vpasswd' -o -name '.qmail*' -o -path '*control*' -o \
    -name assign \) -print) >"$list"
echo "files read: $(wc -l <"$list")"
sync
measure() {	# measure NAME CMD...: best of 3 wall seconds, peak RSS (KiB)
	local name=$1 best="" rss t; shift
	for i in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >/dev/null 2>&1
		read -r t rss <"$dir/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
			best=$t
		fi
	done
	printf '%-14s %8ss %10s KiB peak RSS\n' "$name" "$best" "$rss"
	echo "$best" >"$dir/$name.t"
}
measure cat sh -c "cd '$dir/root' && xargs cat <'$list'"
measure qmail2postfix "$top_builddir/qmail2postfix" --root "$dir/root" \
    -o "$dir/OUT" --force -q
awk -v a="$(cat "$dir/qmail2postfix.t")" -v b="$(cat "$dir/cat.t")" \
    'BEGIN { if (b > 0) printf "ratio qmail2postfix/cat: %.2f\n", a / b }'
