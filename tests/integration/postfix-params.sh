#!/bin/bash
# Every parameter qmail2postfix writes exists in the Postfix release it
# writes for: each name of main.cf and each "-o name=" of master.cf is in
# that release's `postconf -d` list (tests/data/postconf-d/VERSION.txt,
# made by make-lists.sh from Debian 11, 12 and 13's postfix), for
# --postfix 3.5, 3.7 and 3.10 on samples/oldhost (as it is, with the
# limits sized from its logs, with --hostname) and samples/badhost; and
# compatibility_level is 2 for 3.5, 3.6 from 3.6 on.
# A per-transport name (q2p-pipe1_destination_recipient_limit) counts when
# its service is in the written master.cf and default_REST is in the list.
# Needs no Postfix: the lists are the releases' own answers.
# Needs no root: the harness only for TAP and the removal of $H_DIR.
. "${top_srcdir:?}/tests/integration/lib/harness.sh"
prog=${top_builddir:?}/qmail2postfix
lists=$top_srcdir/tests/data/postconf-d
H_DIR=$(mktemp -d) || tap_bail "mktemp"
tmp=$H_DIR

# unknown OUT LIST: the names of OUT/postfix not in LIST, one a line
unknown() {
	local pf=$1/postfix list=$2 name svc
	{
		sed -n 's/^\([A-Za-z0-9_-]\+\)[[:space:]]*=.*/\1/p' "$pf/main.cf"
		grep -o -- '-o [A-Za-z0-9_-]\+=' "$pf/master.cf" | sed 's/^-o //; s/=$//'
	} | sort -u | while read -r name; do
		grep -qxF -- "$name" "$list" && continue
		# SERVICE_REST: a transport of this master.cf, REST a default_ one
		for svc in $(sed -n 's/^\([A-Za-z0-9_.-]\+\)[[:space:]]\+unix[[:space:]].*/\1/p' "$pf/master.cf"); do
			case $name in
			"${svc}_"*) grep -qxF -- "default_${name#"${svc}_"}" "$list" && continue 2 ;;
			esac
		done
		echo "$name"
	done
}

tap_plan 13
for v in 3.5 3.7 3.10; do
	[ "$(grep -c . "$lists/$v.txt" 2>/dev/null)" -gt 900 ] ||
	    tap_bail "$lists/$v.txt: missing or short"
done
for h in oldhost badhost; do
	cp -a "$top_srcdir/samples/$h" "$tmp/$h" &&
	python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$tmp/$h" \
	    --tree "$h" >/dev/null || tap_bail "cannot prepare samples/$h"
done
for v in 3.5 3.7 3.10; do
	for run in "oldhost" "oldhost --size-from-logs" \
	    "oldhost --hostname mx1.example.com --no-logs" "badhost"; do
		o=$tmp/out-$v-$(echo "$run" | tr -c 'a-z0-9' _)
		# shellcheck disable=SC2086
		"$prog" --root "$tmp/${run%% *}" -o "$o" -q --postfix "$v" \
		    --dovecot 2.3 ${run#"${run%% *}"} 2>"$tmp/err"
		rc=$?
		bad=$(unknown "$o" "$lists/$v.txt")
		[ "$rc" = 1 ] && [ -s "$o/postfix/main.cf" ] && [ -z "$bad" ] &&
		    tap_ok "--postfix $v, $run: every main.cf name and master.cf -o is in $v's postconf -d" ||
		    tap_fail "--postfix $v, $run: every main.cf name and master.cf -o is in $v's postconf -d" \
			"rc=$rc, not in Postfix $v: $(echo $bad)" "$(head -3 "$tmp/err")"
	done
done
got=""
for v in 3.5 3.7 3.10; do
	got="$got$(sed -n 's/^compatibility_level = //p' "$tmp/out-$v-oldhost_/postfix/main.cf")|"
done
[ "$got" = "2|3.6|3.6|" ] &&
    tap_ok "compatibility_level: 2 for 3.5, 3.6 for 3.7 and 3.10" ||
    tap_fail "compatibility_level: 2 for 3.5, 3.6 for 3.7 and 3.10" "got $got"
tap_done
