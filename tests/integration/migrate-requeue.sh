#!/bin/bash
# qmail2postfix requeue: the messages left in samples/oldhost's qmail queue
# reach a real Postfix once each, with their original envelope sender, only
# to the recipients qmail had not delivered yet, byte for byte; a second
# run sends nothing; a refusing or dying sendmail leaves the message listed
# and never sends it twice; the old queue is never changed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init migrate-requeue

tree=$H_DIR/oldhost
cp -a "$top_srcdir/samples/oldhost" "$tree"
python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$tree" \
    --tree oldhost >/dev/null || tap_bail "samples fix-up failed"
queue=$tree/var/qmail/queue
journal=$H_DIR/requeue.journal
q2p=$top_builddir/qmail2postfix

# Every address the queue names gets a mailbox, the delivered ones too, so
# a recipient sent by mistake would show up.
boxes="erin@example.com judy@example.com client@remote.example
    orders@shop.remote.example bob@example.com carol@example.com
    root@mail.example.com partner@webmail.example friend@remote.example"
map=""
for a in $boxes; do
	map="$map $a=${a#*@}/${a%@*}/,"
done
h_postfix_setup "" \
    "virtual_mailbox_domains = example.com mail.example.com remote.example shop.remote.example webmail.example" \
    "virtual_mailbox_maps = inline:{${map%,} }" ||
    tap_bail "postfix setup failed"
h_postfix_start || tap_bail "postfix did not start"

count() {	# count ADDRESS: messages in its Maildir
	find "$(h_postfix_mailbox "$1")/new" -type f 2>/dev/null | wc -l
}
tree_sum() {
	(cd "$queue" && find . -type f ! -name '*.journal' -print0 | sort -z |
	    xargs -0 sha256sum)
}
before=$(tree_sum)

# 1. --dry-run lists the five messages and sends nothing
out=$("$q2p" requeue --root "$tree" --journal "$journal" --dry-run 2>&1)
rc=$?
tap_check "dry run exits 0" test "$rc" = 0
tap_check "dry run lists the 5 queued messages" \
    test "$(grep -cE '^[0-9]+ +would-send ' <<<"$out")" = 5
tap_check "dry run writes no journal" test ! -e "$journal"
sleep 1
tap_check "dry run injects nothing" test "$(count bob@example.com)" = 0

# 2. the real run
out=$("$q2p" requeue --root "$tree" --journal "$journal" \
    --config-dir "$H_PF_CONF" --json 2>&1)
rc=$?
tap_check "requeue exits 0" test "$rc" = 0
tap_check "requeue reports 5 messages sent" \
    test "$(jq '[.messages[] | select(.state == "sent")] | length' <<<"$out")" = 5
h_postfix_wait_queue_empty || tap_diag "$(postqueue -c "$H_PF_CONF" -p)"

for a in erin@example.com client@remote.example orders@shop.remote.example \
    bob@example.com carol@example.com root@mail.example.com \
    partner@webmail.example; do
	h_wait 100 test "$(count "$a")" -ge 1
	tap_check "$a got the queued message exactly once" test "$(count "$a")" = 1
done
tap_check "judy@example.com (marked done by qmail) got nothing" \
    test "$(count judy@example.com)" = 0
tap_check "friend@remote.example (marked done by qmail) got nothing" \
    test "$(count friend@remote.example)" = 0

delivered() {	# delivered ADDRESS: its one message file
	find "$(h_postfix_mailbox "$1")/new" -type f | head -n 1
}
rp() { grep -m1 '^Return-Path:' "$(delivered "$1")"; }
tap_check "envelope sender kept (info/ file)" \
    test "$(rp erin@example.com)" = "Return-Path: <sam@sender.example>"
tap_check "null sender stays null" \
    test "$(rp orders@shop.remote.example)" = "Return-Path: <>"
tap_check "envelope sender from todo/ for the unprocessed message" \
    test "$(rp carol@example.com)" = "Return-Path: <news@news.example>"

# byte for byte: the delivered file ends with the whole queued message
same_tail() {	# same_tail DELIVERED MESS
	local n
	n=$(stat -c %s "$2")
	tail -c "$n" "$1" | cmp -s - "$2"
}
tap_check "message body unchanged (mess/13/2148650)" \
    same_tail "$(delivered client@remote.example)" "$queue/mess/13/2148650"
tap_check "message body unchanged (mess/2/2148731, from todo/)" \
    same_tail "$(delivered bob@example.com)" "$queue/mess/2/2148731"

# 3. a second run sends nothing
out=$("$q2p" requeue --root "$tree" --journal "$journal" \
    --config-dir "$H_PF_CONF" 2>&1)
rc=$?
tap_check "second run exits 0" test "$rc" = 0
tap_check "second run: all 5 already sent" \
    test "$(grep -cE '^[0-9]+ +already-sent ' <<<"$out")" = 5
sleep 2
tap_check "second run delivers nothing more" test "$(count bob@example.com)" = 1
tap_check "the old queue is unchanged" test "$(tree_sum)" = "$before"

# 4. sendmail refuses (exit 75): listed, not sent, sent by the next run
fake=$H_DIR/fake-sendmail
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$fake"
chmod 755 "$fake"
j2=$H_DIR/j2.journal
out=$("$q2p" requeue --root "$tree" --journal "$j2" --sendmail "$fake" 2>&1)
rc=$?
tap_check "refusing sendmail: exit 1" test "$rc" = 1
tap_check "refusing sendmail: 5 listed as failed" \
    test "$(grep -cE '^[0-9]+ +failed ' <<<"$out")" = 5
out=$("$q2p" requeue --root "$tree" --journal "$j2" \
    --config-dir "$H_PF_CONF" 2>&1)
tap_check "after a refusal the next run sends them" \
    test "$(grep -cE '^[0-9]+ +sent ' <<<"$out")" = 5
h_postfix_wait_queue_empty
h_wait 100 test "$(count bob@example.com)" = 2
tap_check "... once more each (a new journal means a new migration)" \
    test "$(count bob@example.com)" = 2

# 5. sendmail dies by a signal: it may have queued the message, so the
# next run refuses to guess until told
printf '#!/bin/sh\nkill -9 $$\n' >"$fake"
j3=$H_DIR/j3.journal
out=$("$q2p" requeue --root "$tree" --journal "$j3" --sendmail "$fake" 2>&1)
tap_check "sendmail killed: listed as interrupted" \
    test "$(grep -cE '^[0-9]+ +interrupted ' <<<"$out")" = 5
out=$("$q2p" requeue --root "$tree" --journal "$j3" \
    --config-dir "$H_PF_CONF" 2>&1)
rc=$?
tap_check "next run does not re-send an interrupted message" \
    test "$(grep -cE '^[0-9]+ +interrupted ' <<<"$out")" = 5
tap_check "... and exits 1" test "$rc" = 1
out=$("$q2p" requeue --root "$tree" --journal "$j3" --retry-interrupted \
    --config-dir "$H_PF_CONF" 2>&1)
tap_check "--retry-interrupted sends them" \
    test "$(grep -cE '^[0-9]+ +sent ' <<<"$out")" = 5

# 6. a queue that cannot be read: nothing written, exit 2
out=$("$q2p" requeue --root "$H_DIR/no-such-root" --journal "$H_DIR/j4" 2>&1)
rc=$?
tap_check "missing queue: exit 2" test "$rc" = 2
tap_check "missing queue: the error names the path" \
    grep -q 'no-such-root.*queue/mess' <<<"$out"

h_postfix_stop
h_assert_no_leftovers
tap_done
