#!/bin/bash
# qmail2postfix requeue counts a message as sent only when sendmail read all
# of it and exited 0 within --timeout: a sendmail that reads nothing, reads
# 20 bytes of a 1 MB message, or hangs (before or after reading) leaves the
# message in the old queue, never journaled as done, listed with the reason,
# and the run ends within the timeout.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init migrate-requeue-feed

: "${top_builddir:=$(pwd)}"
q2p=$top_builddir/qmail2postfix
[ -x "$q2p" ] || tap_bail "no $q2p"

# one queued message of 1 MB (split folder 7, inode 1007), one remote
# recipient, built here: nothing of it is committed
root=$H_DIR/oldhost
queue=$root/var/qmail/queue
mkdir -p "$queue"/mess/7 "$queue"/info/7 "$queue"/remote/7 "$queue"/local/7 \
    "$queue"/todo "$queue"/intd || tap_bail "cannot build the queue"
{
	printf 'From: sam@sender.example\nTo: bob@remote.example\n'
	printf 'Subject: one megabyte\n\n'
	head -c 786432 /dev/urandom | base64 -w 76
} >"$queue/mess/7/1007"
printf 'Fsam@sender.example\0' >"$queue/info/7/1007"
printf 'Tbob@remote.example\0' >"$queue/remote/7/1007"
size=$(stat -c %s "$queue/mess/7/1007")
[ "$size" -gt 1000000 ] || tap_bail "message of $size bytes"
tree_sum() {
	(cd "$queue" && find . -type f ! -name '*.journal' -print0 | sort -z |
	    xargs -0 sha256sum)
}
before=$(tree_sum)

fake() {	# fake NAME BODY: a sendmail script
	printf '#!/bin/sh\n%s\n' "$2" >"$H_DIR/$1"
	chmod 755 "$H_DIR/$1"
}
fake good "cat >\"$H_DIR/got\"; exit 0"
fake none 'exit 0'
fake twenty 'dd bs=20 count=1 of=/dev/null status=none; exit 0'
fake hang 'sleep 600; exit 0'
fake hangafter 'cat >/dev/null; sleep 600; exit 0'
fake refuse 'cat >/dev/null; echo "postdrop: refused" >&2; exit 75'

# run NAME [OPTION...]: requeue through fake NAME; sets $out, $rc and
# $secs (outer limit 60 s, so that a hang fails instead of blocking)
run() {
	local t0 f=$1
	shift
	t0=$(date +%s)
	out=$(timeout 60 "$q2p" requeue --root "$root" --journal "$H_DIR/$f.journal" \
	    --sendmail "$H_DIR/$f" "$@" 2>&1)
	rc=$?
	secs=$(($(date +%s) - t0))
}

# the control: a sendmail that reads everything gets it byte for byte
run good
tap_check "sendmail that reads all and exits 0: sent, exit 0" \
    test "$rc" = 0 -a "$(grep -cE '^1007 +sent ' <<<"$out")" = 1
tap_check "... it read the whole message" cmp -s "$H_DIR/got" "$queue/mess/7/1007"
tap_check "... journaled as done" grep -q '^done 1007-' "$H_DIR/good.journal"

for f in none twenty hang hangafter; do
	case $f in
	none)		what="reads nothing and exits 0"; why='without reading the whole message\|stopped reading'; t= ;;
	twenty)		what="reads 20 bytes and exits 0"; why='without reading the whole message\|stopped reading'; t= ;;
	hang)		what="hangs without reading"; why='made no progress for 2 s'; t=2 ;;
	hangafter)	what="reads all, then hangs"; why='made no progress for 2 s'; t=2 ;;
	esac
	run "$f" ${t:+--timeout "$t"}
	if [ "$rc" = 1 ] && grep -qE '^1007 +interrupted ' <<<"$out" &&
	    grep -q "$why" <<<"$out" &&
	    grep -q 'requeue: 0 sent, .* 1 interrupted' <<<"$out"; then
		tap_ok "sendmail that $what: listed as interrupted with the reason, exit 1"
	else
		tap_fail "sendmail that $what: listed as interrupted with the reason, exit 1" \
		    "exit $rc" "$out"
	fi
	if [ -f "$H_DIR/$f.journal" ] && ! grep -q '^done ' "$H_DIR/$f.journal"; then
		tap_ok "sendmail that $what: not journaled as sent"
	else
		tap_fail "sendmail that $what: not journaled as sent" \
		    "$(cat "$H_DIR/$f.journal" 2>&1)"
	fi
	tap_check "sendmail that $what: the run ends within the timeout ($secs s)" \
	    test "$secs" -le 10
	# the next run does not re-send a message that may have been queued
	run "$f" ${t:+--timeout "$t"}
	tap_check "sendmail that $what: the next run still lists it, sends nothing" \
	    test "$rc" = 1 -a "$(grep -cE '^1007 +interrupted ' <<<"$out")" = 1
done
tap_check "no fake sendmail is left running" \
    bash -c "! pgrep -f '^/bin/sh $H_DIR/hang' >/dev/null"

# a refusal (exit 75) is "failed", with sendmail's words, and the next
# run may send it
run refuse
tap_check "sendmail that refuses: listed as failed with its output, exit 1" \
    test "$rc" = 1 -a "$(grep -cE '^1007 +failed .*exited 75 \(postdrop: refused\)' <<<"$out")" = 1
tap_check "the old queue is unchanged" test "$(tree_sum)" = "$before"

tap_check "--timeout 0 is refused" \
    bash -c "! '$q2p' requeue --root '$root' --journal '$H_DIR/x' --timeout 0 2>/dev/null"

h_assert_no_leftovers
tap_done
