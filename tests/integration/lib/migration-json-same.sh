#!/bin/bash
#
# NAME		migration-json-same.sh - two builds of qmail2postfix write
#		the same migration.json
# DOES		runs the qmail2postfix of this build and OLD (another
#		build's qmail2postfix) on samples/oldhost and
#		samples/badhost, and on every tree the hostile tests build
#		at run time (names with non-UTF-8 bytes, newlines, CRs):
#		those tests run with a qmail2postfix that runs this build
#		as asked, then OLD on the same arguments into another OUT.
#		Each pair must be equal under `jq -S .` (the same parsed
#		JSON, whatever the layout and the escapes).  A generated
#		DKIM key differs from run to run: its public key is left
#		out of the comparison when key_origin is "generated".
# USE		from the build directory, after make:
#		top_srcdir=.. bash ../tests/integration/lib/migration-json-same.sh OLD
#		Not in make check: it needs a second build.
#
set -u
old=${1:?usage: migration-json-same.sh OLD_QMAIL2POSTFIX [HOSTILE_TEST...]}
shift
: "${top_srcdir:?}"
top_builddir=${top_builddir:-$PWD}
old=$(realpath "$old")
new=$(realpath "$top_builddir/qmail2postfix")
[ -x "$old" ] && [ -x "$new" ] || { echo "no $old or $new" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 2; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log
: >"$log"

# same NEW_OUT OLD_OUT: one line in the log, "same" or "DIFFER"
same() {
	local f='if .dkim.key_origin == "generated" then
	    .dkim.selectors[].public_key = "(generated)" else . end'
	if cmp -s <(jq -S "$f" "$1/migration.json") \
	    <(jq -S "$f" "$2/migration.json"); then
		echo "same $1" >>"$log"
	else
		echo "DIFFER $1 (old: $2)" >>"$log"
		diff <(jq -S "$f" "$1/migration.json") \
		    <(jq -S "$f" "$2/migration.json") | head -20 >>"$log"
	fi
}

# the samples, as migrate-samples.sh prepares them
for t in oldhost badhost; do
	cp -a "$top_srcdir/samples/$t" "$tmp/$t" &&
	python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$tmp/$t" \
	    --tree "$t" >/dev/null || exit 2
	for b in new old; do
		"${!b}" --root "$tmp/$t" -o "$tmp/$t.$b" --bindir /usr/local/bin \
		    --srs-secret /usr/local/etc/qmail2postfix/srs-secret \
		    --dkim-key "q2p:$top_srcdir/samples/dns/keys/q2p.private" \
		    2>/dev/null
	done
	same "$tmp/$t.new" "$tmp/$t.old"
done

# the hostile trees: a build directory whose qmail2postfix runs both
w=$tmp/build
mkdir "$w"
for e in "$top_builddir"/*; do
	[ "${e##*/}" = qmail2postfix ] || ln -s "$(realpath "$e")" "$w/"
done
cat >"$w/qmail2postfix" <<EOF
#!/bin/bash
"$new" "\$@"
rc=\$?
out= prev= args=() n=0
for a in "\$@"; do
	case \$prev in -o|--output) out=\$a; a=$tmp/old.\$\$/OUT ;; esac
	case \$a in --output=*) out=\${a#--output=}; a=--output=$tmp/old.\$\$/OUT ;; esac
	args+=("\$a")
	prev=\$a
done
if [ -n "\$out" ] && [ -s "\$out/migration.json" ]; then
	mkdir -p "$tmp/old.\$\$"
	"$old" "\${args[@]}" >/dev/null 2>&1 </dev/null
	if [ -s "$tmp/old.\$\$/OUT/migration.json" ]; then
		. "$tmp/same.sh"
		same "\$out" "$tmp/old.\$\$/OUT"
	else
		echo "DIFFER \$out: no migration.json from $old" >>"$log"
	fi
fi
exit \$rc
EOF
chmod +x "$w/qmail2postfix"
{ declare -p log; declare -f same; } >"$tmp/same.sh"
tests=("$@")
[ ${#tests[@]} -gt 0 ] ||
    tests=("$top_srcdir"/tests/integration/hostile-*.sh)
for t in "${tests[@]}"; do
	top_builddir=$w bash "$t" >"$tmp/tap" 2>&1 ||
	    echo "# ${t##*/} did not pass: $(grep -c '^not ok' "$tmp/tap") not ok" >>"$log"
done

cat "$log"
n=$(grep -c '^same ' "$log")
if grep -q '^DIFFER' "$log" || [ "$n" -lt 3 ]; then
	echo "FAIL: $n the same, $(grep -c '^DIFFER' "$log") differ"
	exit 1
fi
echo "PASS: $n runs, the same migration.json"
