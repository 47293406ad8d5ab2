#!/bin/bash
# srs-postfix.sh - SRS with a real Postfix 3.7 on loopback, wired as
# srs/README.md ("Postfix wiring") says:
#  - only forwarded mail gets an SRS sender: a message to one local mailbox
#    and one forward keeps its sender locally and carries SRS0 outside;
#    mail of our own users is not rewritten; virtual-alias, .forward address
#    and .forward pipe forwards all get SRS
#  - a bounce to the SRS address reaches the original sender through the
#    srs-map socketmap; a forged SRS address is refused at RCPT (550)
#  - a DKIM signature still verifies after the forward
#  - the .forward pipe failure matrix: sendmail missing, not executable,
#    exit 75, exit 1, killed, hanging past --timeout, stopping to read, the
#    queue's disk full: every message is deferred, then delivered exactly
#    once after the fix, never lost, never twice
# "Remote" domains are delivered by virtual(8) as the default transport,
# so what would leave the machine lands in capture mailboxes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init srs-postfix

SRSD=srs.example.com
U=q2psrs			# local user with a .forward
# the user's home is this run's: two runs at once (two checkouts on one
# machine) would move it under each other, so they take turns
exec 8>"$H_PORT_LOCKS.$U.lock" && flock -w 900 8 || tap_bail "cannot lock $U"
BIN=$H_DIR/bin
mkdir -p "$BIN" "$H_DIR/home/$U"
cp "$top_builddir/srs-forward" "$BIN/srs-forward"
chmod 755 "$BIN" "$BIN/srs-forward"
id "$U" >/dev/null 2>&1 ||
    useradd -M -d "$H_DIR/home/$U" -s /bin/sh -c "qmail2postfix srs test" "$U" ||
    tap_bail "cannot create user $U"
usermod -d "$H_DIR/home/$U" "$U" 2>/dev/null
chown "$U:" "$H_DIR/home/$U"
# one secret; a copy owned by each user that signs (0600 each)
openssl rand -hex 24 >"$H_DIR/secret"
cp "$H_DIR/secret" "$H_DIR/secret.$U"
cp "$H_DIR/secret" "$H_DIR/secret.nobody"
chown "$U" "$H_DIR/secret.$U"
chown nobody "$H_DIR/secret.nobody"
chmod 600 "$H_DIR"/secret*

h_nsd_start || tap_bail "nsd starts"

SM_PORT=$(h_free_port)
"$top_builddir/srs-map" -s "$H_DIR/secret" -d $SRSD serve \
    --socketmap "inet:127.0.0.1:$SM_PORT" --user nobody 2>"$H_DIR/srs-map.log" &
SM_PID=$!
H_PIDS+=("$SM_PID")
h_wait_tcp "$SM_PORT" || tap_bail "srs-map serve listens: $(cat "$H_DIR/srs-map.log")"
tap_ok "srs-map serves socketmap on 127.0.0.1:$SM_PORT as nobody"

E=$H_DIR/postfix/etc
mkdir -p "$E"
cat >"$E/vmailbox" <<EOF
carol@example.net	example.net/carol/
bob@sender.example	sender.example/bob/
remote@remote.example	remote.example/remote/
EOF
cat >"$E/valias" <<EOF
split@example.com	carol@example.net, remote@remote.example
fwd@example.com	remote@remote.example
EOF
# The wiring of srs/README.md: senders outside our domains going to a
# remote destination take the srsfwd pipe; our own mail and bounces do not.
cat >"$E/srs_transport" <<EOF
!/(^"?<>"?\$|@(example\\.com|example\\.net|srs\\.example\\.com)\$)/	srsfwd:
EOF
h_postfix_setup "" \
    "mydestination = example.com, mx1.example.com" \
    "home_mailbox = Maildir/" \
    "allow_mail_to_commands = alias, forward" \
    "virtual_mailbox_domains = example.net sender.example" \
    "virtual_mailbox_maps = texthash:$E/vmailbox" \
    "virtual_alias_domains = $SRSD" \
    "virtual_alias_maps = texthash:$E/valias" \
    "default_transport = virtual" \
    "sender_dependent_default_transport_maps = regexp:$E/srs_transport" \
    "recipient_canonical_maps = socketmap:inet:127.0.0.1:$SM_PORT:reverse" \
    "recipient_canonical_classes = envelope_recipient" \
    "command_time_limit = 60s" ||
    tap_bail "postfix setup"
cat >>"$E/master.cf" <<EOF
srsfwd unix - n n - - pipe
  flags=FRq user=nobody argv=$BIN/srs-forward -d $SRSD -s $H_DIR/secret.nobody --sendmail /usr/sbin/sendmail -- \${recipient}
EOF
postfix -c "$E" check >"$H_DIR/check.out" 2>&1 || tap_bail "postfix check: $(cat "$H_DIR/check.out")"
h_postfix_start || tap_bail "postfix starts"
tap_ok "postfix with the SRS wiring starts"
Q=$H_PF_QUEUE
LOG=$(h_postfix_log)
REMOTE=$(h_postfix_mailbox remote@remote.example)
CAROL=$(h_postfix_mailbox carol@example.net)
BOB=$(h_postfix_mailbox bob@sender.example)

# send FROM TO SUBJECT [file]: SMTP; prints the queue id
send() {
	local extra=()
	[ -n "${4:-}" ] && extra=(--data "$4")
	swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --helo client.example.net \
	    --from "$1" --to "$2" --header "Subject: $3" --body "body of $3" \
	    "${extra[@]}" 2>&1 | sed -n 's/.*queued as \([0-9A-F]*\).*/\1/p'
}
# copies SUBJECT DIR: how many messages with that subject are in Maildir DIR
copies() { grep -ls "^Subject: $1\$" "$2"/new/* 2>/dev/null | wc -l; }
file_of() { grep -ls "^Subject: $1\$" "$2"/new/* 2>/dev/null | head -n 1; }
rpath() { sed -n 's/^Return-Path: <\(.*\)>$/\1/p' "$1" | head -n 1; }
has_copy() { [ "$(copies "$1" "$2")" -ge 1 ]; }
wait_copy() { h_wait "${3:-150}" has_copy "$1" "$2"; }
# the last "dsn=..., status=..." for queue id $1 (Postfix moves the DSN
# code that starts the command's output into dsn=)
status_of() { grep " $1: to=" "$LOG" | grep -o 'dsn=.*' | tail -n 1; }
wait_status() { h_wait "${2:-150}" eval "grep -q ' $1: to=.*status=' '$LOG'"; }
set_forward() {	# set_forward LINE: the user's .forward, replaced in one
	# rename: local(8) retries the deferred messages every few seconds, and
	# one that read a half-written (empty) .forward would go to the
	# user's own mailbox instead
	printf '%s\n' "$1" >"$H_DIR/home/$U/.forward.tmp"
	chown "$U:" "$H_DIR/home/$U/.forward.tmp"
	chmod 644 "$H_DIR/home/$U/.forward.tmp"
	mv -f "$H_DIR/home/$U/.forward.tmp" "$H_DIR/home/$U/.forward"
}
FWDCMD="$BIN/srs-forward -d $SRSD -s $H_DIR/secret.$U"

# ---- 1. only forwarded mail gets SRS -------------------------------------
send bob@sender.example split@example.com split-1 >/dev/null
wait_copy split-1 "$REMOTE" && wait_copy split-1 "$CAROL"
rp_local=$(rpath "$(file_of split-1 "$CAROL")")
rp_fwd=$(rpath "$(file_of split-1 "$REMOTE")")
if [ "$rp_local" = bob@sender.example ]; then
	tap_ok "one message, local mailbox: sender kept ($rp_local)"
else
	tap_fail "one message, local mailbox: sender kept" "got: $rp_local" "$(tail -n 8 "$LOG")"
fi
if [[ $rp_fwd =~ ^SRS0=....=..=sender\.example=bob@srs\.example\.com$ ]]; then
	tap_ok "same message, forward: Return-Path <$rp_fwd>"
else
	tap_fail "same message, forward: Return-Path <SRS0=...@$SRSD>" "got: $rp_fwd" "$(tail -n 8 "$LOG")"
fi
tap_check "the forward decodes to the original sender" \
    test "$("$top_builddir/srs-map" -s "$H_DIR/secret" -d $SRSD reverse "$rp_fwd")" = bob@sender.example
send carol@example.net remote@remote.example own-1 >/dev/null
wait_copy own-1 "$REMOTE"
tap_check "mail of our own user to a remote address keeps its sender" \
    test "$(rpath "$(file_of own-1 "$REMOTE")")" = carol@example.net
send bob@sender.example carol@example.net local-1 >/dev/null
wait_copy local-1 "$CAROL"
tap_check "mail to a local mailbox keeps its sender" \
    test "$(rpath "$(file_of local-1 "$CAROL")")" = bob@sender.example
send '<>' fwd@example.com bounce-fwd-1 >/dev/null
wait_copy bounce-fwd-1 "$REMOTE"
tap_check "a forwarded bounce keeps its null sender" \
    test "$(rpath "$(file_of bounce-fwd-1 "$REMOTE")")" = ""
set_forward "remote@remote.example"
send bob@sender.example "$U@example.com" dotfwd-addr-1 >/dev/null
wait_copy dotfwd-addr-1 "$REMOTE"
tap_check ".forward with an address: forwarded with SRS" \
    bash -c "[[ '$(rpath "$(file_of dotfwd-addr-1 "$REMOTE")")' == SRS0=*=sender.example=bob@$SRSD ]]"

# ---- 2. bounces come back; forgeries are refused at RCPT -----------------
send '<>' "$rp_fwd" bounce-1 >"$H_DIR/bounce.id"
if wait_copy bounce-1 "$BOB"; then
	tap_ok "a bounce to <$rp_fwd> reaches bob@sender.example"
else
	tap_fail "a bounce to the SRS address reaches the original sender" "$(tail -n 8 "$LOG")"
fi
forged="SRS0=AAAA=${rp_fwd:10}"
out=$(swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --from '<>' --to "$forged" --quit-after RCPT 2>&1)
if grep -q '<\*\* *550' <<<"$out"; then
	tap_ok "a forged SRS address is refused at RCPT with 550"
else
	tap_fail "a forged SRS address is refused at RCPT with 550" "$(grep -E '^(<-|<\*\*)' <<<"$out" | tail -n 3)"
fi
tap_check "the socketmap never answered PERM (no 'table lookup problem' deferral)" \
    bash -c "! grep -q 'socketmap.*\\(PERM\\|lookup error\\)' '$LOG'"

# ---- 3. DKIM survives the forward ----------------------------------------
{
	printf 'From: Bob <bob@sender.example>\nTo: fwd@example.com\nSubject: dkim-1\n'
	printf 'Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <dkim-1@sender.example>\n'
	printf 'Content-Type: text/plain; charset=utf-8\n\n'
	printf 'Gr\xc3\xbc\xc3\x9fe,\nFrom the body: a line that mbox would quote.\n\ttab and trailing space \n.\n..\nend\n'
} | perl "$top_srcdir/tests/integration/srs/dkim.pl" sign \
    "$top_srcdir/samples/dns/keys/s1.private" sender.example s1 >"$H_DIR/dkim-1.eml"
send bob@sender.example fwd@example.com dkim-1 "$H_DIR/dkim-1.eml" >/dev/null
wait_copy dkim-1 "$REMOTE"
f=$(file_of dkim-1 "$REMOTE")
v=$(perl "$top_srcdir/tests/integration/srs/dkim.pl" verify "$H_DNS_PORT" <"${f:-/dev/null}")
if [[ $v == "pass sender.example s1 "* ]]; then
	tap_ok "DKIM (d=sender.example, body c=simple) verifies after the forward"
else
	tap_fail "DKIM verifies after the forward" "got: $v"
fi
sed 's/^end$/end!/' "${f:-/dev/null}" >"$H_DIR/dkim-tampered.eml"
tap_check "...and a changed body fails (the check can fail)" \
    bash -c "perl '$top_srcdir/tests/integration/srs/dkim.pl' verify $H_DNS_PORT <'$H_DIR/dkim-tampered.eml' | grep -q '^fail'"

# ---- 4. the .forward pipe ------------------------------------------------
# a copy in the user's own Maildir too, to compare the forwarded bytes with
set_forward "\\$U, \"|$FWDCMD --sendmail /usr/sbin/sendmail remote@remote.example\""
{
	printf 'From: Bob <bob@sender.example>\nTo: %s@example.com\nSubject: pipe-1\n' "$U"
	printf 'Content-Type: text/plain; charset=iso-8859-1\n\n'
	printf 'Gr\xfc\xdfe \xff\nFrom the body\n>From quoted\r\nCRLF line\r\n\nlast\n'
} >"$H_DIR/pipe-1.eml"
send "o'brien&co@sender.example" "$U@example.com" pipe-1 "$H_DIR/pipe-1.eml" >/dev/null
if wait_copy pipe-1 "$REMOTE"; then
	f=$(file_of pipe-1 "$REMOTE")
	tap_ok ".forward pipe: forwarded"
else
	f=/dev/null
	tap_fail ".forward pipe: forwarded" "$(tail -n 8 "$LOG")"
fi
rp=$(rpath "$f")
tap_check ".forward pipe: the true sender o'brien&co (not \$SENDER's o_brien_co) in SRS0: <$rp>" \
    bash -c "[[ \"\$1\" == SRS0=*=sender.example=o\\'brien\\&co@$SRSD ]]" _ "$rp"
tap_check ".forward pipe: Delivered-To of the local user kept" \
    grep -q "^Delivered-To: $U@example.com" "$f"
# everything from the user's Delivered-To: on, 8-bit and CR bytes
# included, is what local(8) delivered to the user's own mailbox
wait_copy pipe-1 "$H_DIR/home/$U/Maildir"
own=$(file_of pipe-1 "$H_DIR/home/$U/Maildir")
tap_check ".forward pipe: 8-bit/CR message byte for byte as in the local copy" \
    cmp <(sed -n '/^Delivered-To: '$U'@/,$p' "${own:-/dev/null}") \
	<(sed -n '/^Delivered-To: '$U'@/,$p' "$f")
tap_check ".forward pipe: the body holds the 8-bit octets" grep -q $'Gr\xfc\xdfe' "$f"

# the failure matrix: each message is deferred with 4.x.x, none delivered
mk() {	# mk NAME BODY: a fake sendmail
	printf '#!/bin/sh\n%s\n' "$2" >"$BIN/$1"
	chmod 755 "$BIN/$1"
}
mk sm-75 'cat >/dev/null; echo "sm-75: try later" >&2; exit 75'
mk sm-1 'cat >/dev/null; echo "sm-1: failed" >&2; exit 1'
mk sm-kill 'cat >/dev/null; kill -KILL $$'
mk sm-hang 'exec sleep 600'
mk sm-early 'head -c 10 >/dev/null; exit 0'
printf 'not a program\n' >"$BIN/sm-noexec"
chmod 644 "$BIN/sm-noexec"
big=$(head -c 20000 /dev/zero | tr '\0' x | fold -w 76)
cases="missing noexec 75 1 kill hang early disk"
declare -A QID
for c in $cases; do
	case $c in
	missing) sm=$BIN/sm-missing ;;
	noexec) sm=$BIN/sm-noexec ;;
	disk) sm=/usr/sbin/sendmail ;;
	*) sm=$BIN/sm-$c ;;
	esac
	if [ $c = disk ]; then
		# the queue's maildrop on a one-page tmpfs, inside Postfix's own
		# mount namespace: postdrop finds no room for the message.  Full
		# before the .forward names the real sendmail: a retry of an
		# earlier case in between would go out for real
		nsenter -t "$H_POSTFIX_PID" -m mount -t tmpfs \
		    -o size=4k,mode=1730,uid="$(id -u postfix)",gid="$(getent group postdrop | cut -d: -f3)" \
		    q2p-full "$Q/maildrop" || tap_fail "tmpfs on maildrop"
	fi
	set_forward "\"|$FWDCMD --timeout 2 --sendmail $sm remote@remote.example\""
	printf 'Subject: case-%s\n\n%s\n' "$c" "$big" >"$H_DIR/case.eml"
	QID[$c]=$(send bob@sender.example "$U@example.com" "case-$c" "$H_DIR/case.eml")
	if wait_status "${QID[$c]:-none}" 100; then
		st=$(status_of "${QID[$c]}")
	else
		st="no status: $(tail -n 3 "$LOG")"
	fi
	if [[ $st == "dsn=4."[0-9]"."[0-9]", status=deferred (srs-forward: "* ]]; then
		tap_ok "case $c: deferred with a 4.x.x reason"
	else
		tap_fail "case $c: deferred with a 4.x.x reason" "got: $st"
	fi
	if [ $c = disk ]; then
		# the disk case's .forward works once the disk has room:
		# keep failing (a sendmail that exits 75) until the fix below,
		# or the retries of every message deferred so far go out now
		set_forward "\"|$FWDCMD --timeout 2 --sendmail $BIN/sm-75 remote@remote.example\""
		# and only once a retry has read the new .forward: a retry
		# that read the old one before, and reaches postdrop after
		# the unmount, would forward it for real
		h_wait 1200 eval "status_of '${QID[$c]:-none}' | grep -q sm-75" ||
		    tap_fail "the disk case retried with sm-75" "$(status_of "${QID[$c]:-none}")"
		nsenter -t "$H_POSTFIX_PID" -m umount "$Q/maildrop"
	fi
done
# each message is retried every few seconds and sits in "active" while it
# is: wait (bounded) for a moment when every one of them is queued and
# none is being delivered, i.e. all are back in "deferred"
all_deferred() {	# all_deferred QUEUEID...: prints what is not
	postqueue -c "$E" -j | python3 -c '
import json, sys
want = set(sys.argv[1:])
state = {}
for l in sys.stdin:
    m = json.loads(l)
    state[m["queue_id"]] = m["queue_name"]
bad = ["%s: %s" % (q, state.get(q, "not in the queue")) for q in sorted(want)
       if state.get(q) != "deferred"]
if bad:
    print("; ".join(bad))
    print("queue: " + (" ".join("%s=%s" % x for x in sorted(state.items())) or "empty"))
sys.exit(1 if bad else 0)' "$@"
}
qids=
for c in $cases; do
	qids="$qids ${QID[$c]:-none-$c}"
done
stable=yes
h_wait 300 all_deferred $qids >/dev/null || stable=$(all_deferred $qids)
n=0
for c in $cases; do
	n=$((n + $(copies "case-$c" "$REMOTE")))
done
tap_check "while failing: not one copy forwarded" test "$n" = 0
if [ "$stable" = yes ]; then
	tap_ok "while failing: all $(echo $cases | wc -w) messages are in the queue, deferred"
else
	tap_fail "while failing: all $(echo $cases | wc -w) messages are in the queue, deferred" \
	    "not within 30 s: $stable"
fi
postqueue -c "$E" -p >"$H_DIR/queue.txt"
# fix the .forward, flush: each delivered exactly once
set_forward "\"|$FWDCMD --sendmail /usr/sbin/sendmail remote@remote.example\""
postqueue -c "$E" -f
h_postfix_wait_queue_empty 300
tap_check "after the fix and a flush the queue is empty" _h_postfix_queue_empty
for c in $cases; do
	is_n=$(copies "case-$c" "$REMOTE")
	if [ "$is_n" = 1 ]; then
		tap_ok "case $c: delivered exactly once after the fix"
	else
		tap_fail "case $c: delivered exactly once after the fix" "copies: $is_n" \
		    "in $U's own mailbox: $(copies "case-$c" "$H_DIR/home/$U/Maildir")" \
		    "$(grep "${QID[$c]:-none}" "$LOG" | tail -n 4)"
	fi
done
tap_check "no hung sendmail left behind" bash -c "! pgrep -f '^sleep 600' -u $U"

h_postfix_stop
_h_kill_wait "$SM_PID"
h_nsd_stop
h_assert_no_leftovers
tap_done
