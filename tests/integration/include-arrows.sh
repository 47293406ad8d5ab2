#!/bin/bash
# Includes point one way (docs/DESIGN.md, "Layout and data flow"):
# programs (migrate/*.c) -> migrate/{oldhost,write,rehearse,install,requeue,sync}
# -> migrate/model -> lib/; checks/{authcheck,cutover} -> checks/core ->
# srs/ and lib/ (requeue/ also uses the queue reader of oldhost/). A
# folder includes its own headers, the folders below it
# and lib/ (util/, mail/); never a sibling, a folder above it or a program.
# Reads the #include lines of every .c and .h under migrate/ and checks/;
# needs no server and no root.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"

src=${top_srcdir:-$(dirname "$0")/../..}

# allowed FOLDER: the folders (of included headers) it may use
allowed() {
	case $1 in
	migrate)	echo "migrate migrate/oldhost migrate/write"\
			    "migrate/rehearse migrate/install migrate/requeue"\
			    "migrate/sync migrate/model util mail" ;;
	# sync reads OUT's files and the old tree; lib/ only
	migrate/sync)	echo "$1 util mail" ;;
	migrate/model)	echo "migrate/model util mail" ;;
	migrate/oldhost|migrate/write|migrate/rehearse|migrate/install)
			echo "$1 migrate/model util mail" ;;
	# requeue drives a reader, as run.c does: the queue records of
	# oldhost/qqueue.h into Postfix's sendmail
	migrate/requeue) echo "$1 migrate/oldhost migrate/model util mail" ;;
	checks/core)	echo "checks/core srs util mail" ;;
	checks/authcheck|checks/cutover)
			echo "$1 checks/core srs util mail" ;;
	*)		echo "?" ;;
	esac
}

# Wrong arrows not undone yet, each "FILE -> HEADER" (none today; one
# put here must still be there: an arrow undone is taken out of the list).
known="
"

# arrows: "FILE -> HEADER" for every quoted include of the two trees
arrows() {
	(cd "$src" && find migrate checks -name '*.[ch]' | LC_ALL=C sort |
	    while read -r f; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
		    "$f" | while read -r h; do echo "$f -> $h"; done
	    done)
}

list=$(arrows)
[ -n "$list" ] || tap_bail "no #include line found under $src"

bad=
while read -r f _ h; do
	[ -n "$f" ] || continue
	from=${f%/*}
	to=${h%/*}
	[ "$to" = "$h" ] && to=$from	# "x.h": beside the file
	case " $(allowed "$from") " in
	*" $to "*) continue ;;
	esac
	case $known in
	*"
$f -> $h
"*) continue ;;
	esac
	bad="$bad$f -> $h
"
done <<EOF
$list
EOF

if [ -z "$bad" ]; then
	tap_ok "every include of migrate/ and checks/ points down"
else
	tap_fail "every include of migrate/ and checks/ points down" \
	    "$(printf '%s' "$bad")"
fi

# the known ones are still there (else: drop them from the list)
while read -r k; do
	[ -n "$k" ] || continue
	case "
$list
" in
	*"
$k
"*) tap_ok "still to undo: $k" ;;
	*) tap_fail "still to undo: $k" "gone: take it out of the list" ;;
	esac
done <<EOF
$known
EOF

# the control: a wrong arrow of each kind is found
probe() {	# probe FILE HEADER: 0 when the rule refuses FILE -> HEADER
	local from=${1%/*} to=${2%/*}
	case " $(allowed "$from") " in
	*" $to "*) return 1 ;;
	esac
	return 0
}
for a in "migrate/model/x.c migrate/oldhost/readers.h" \
    "migrate/oldhost/x.c migrate/write/writers.h" \
    "migrate/write/x.c migrate/oldhost/readers.h" \
    "migrate/model/x.c migrate/run.h" \
    "checks/core/x.c checks/cutover/cutover.h" \
    "checks/cutover/x.c migrate/model/model.h"; do
	set -- $a
	tap_check "refused: $1 -> $2" probe "$1" "$2"
done
tap_done
