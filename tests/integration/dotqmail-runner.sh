#!/bin/bash
# q2p-dotqmail under a real Postfix pipe(8) service and a real Dovecot: the
# .qmail file "|prog1", "&bob", "./Maildir/", "|prog2" of a vpopmail user
# runs in file order with qmail-local's environment (the values recorded
# from the real qmail in shared/reference/real-qmail.md); prog1 exiting 99
# skips the rest, 100 bounces, 111 defers and the retry delivers.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init dotqmail-runner

runner=${top_builddir:-.}/q2p-dotqmail
lda=/usr/lib/dovecot/dovecot-lda
[ -x "$runner" ] || tap_bail "no q2p-dotqmail in ${top_builddir:-.}"
[ -x "$lda" ] || tap_bail "no dovecot-lda"

h_vmail_user || tap_bail "vpopmail user"
# the old user's directory, where qmail-local (vdelivermail) ran programs
old=$H_DIR/old/domains/example.com
mkdir -p "$old/frank" && chown -R "$H_VUID:$H_VGID" "$H_DIR/old"
chmod 0755 "$H_DIR" "$H_DIR/old" "$H_DIR/old/domains"
for p in prog1 prog2; do
	cat >"$old/$p" <<EOF
#!/bin/sh
# records its environment (NUL-separated), directory and stdin, in order
d=$old
echo $p >>"\$d/order"
cat /proc/\$\$/environ >"\$d/$p.env"
pwd >"\$d/$p.cwd"
cat >"\$d/$p.msg"
[ $p = prog1 ] && [ -s "\$d/mode" ] && exit "\$(cat "\$d/mode")"
exit 0
EOF
	chmod 0755 "$old/$p"
done
chown -R "$H_VUID:$H_VGID" "$old"

h_dovecot_setup || tap_bail "dovecot setup"
h_dovecot_adduser frank@example.com "$(h_crypt sha512 secret)"
h_dovecot_adduser bob@example.com "$(h_crypt sha512 secret)"
h_dovecot_adduser sender@example.com "$(h_crypt sha512 secret)"
h_dovecot_start || tap_bail "dovecot"

h_postfix_setup "" \
    "virtual_mailbox_domains = example.com" \
    "virtual_mailbox_maps = inline:{ frank@example.com=x, bob@example.com=x, sender@example.com=x }" \
    "virtual_transport = lmtp:inet:127.0.0.1:$H_LMTP_PORT" \
    "transport_maps = inline:{ frank@example.com=q2p-pipe1: }" \
    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s" \
    "queue_run_delay = 1s" || tap_bail "postfix setup"
# the service qmail2postfix writes for ~frank/.qmail (vdelivermail read
# it: -V), with the dovecot-lda and sendmail of this test
postconf -c "$H_PF_CONF" -Me "q2p-pipe1/unix=q2p-pipe1 unix - n n - - pipe \
user=vpopmail argv=$runner -f $old/frank/.qmail -c $old/frank \
-u example.com -h $old -d - -a example.com- -q default -V \
-p example.com:example.com:example.com- -l $lda -L $H_DC_CONF \
-O log_path=/dev/stderr -O info_log_path=/dev/stderr \
-S $H_PF_CONF -- \${sender} \${original_recipient} \
{ 1|$old/prog1 } 2&bob@example.com 3>frank@example.com { 4|$old/prog2 }" ||
    tap_bail "master.cf"
postconf -c "$H_PF_CONF" -e "q2p-pipe1_destination_recipient_limit = 1" ||
    tap_bail "main.cf"
h_postfix_start || tap_bail "postfix"

maildir=$H_DC_DIR/home/example.com
count() {	# count USER: messages in USER's Maildir
	ls "$maildir/$1/Maildir/new" 2>/dev/null | wc -l
}
send() {	# send ID: one message to frank, from sender@example.com
	swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --to frank@example.com \
	    --from sender@example.com --header "Message-ID: <$1@test>" \
	    --header "Subject: $1" >/dev/null 2>&1
}
envval() {	# envval PROG NAME: NAME's value as PROG saw it
	tr '\0' '\n' <"$old/$1.env" | sed -n "s/^$2=//p" | head -1
}
logged() {	# logged ID STATUS: the maillog says STATUS for message ID
	local q
	q=$(grep -F "message-id=<$1@test>" "$(h_postfix_log)" |
	    sed -n 's/.*: \([0-9A-F]*\): message-id.*/\1/p' | head -1)
	[ -n "$q" ] && grep -q "$q: to=<frank@example.com>.*status=$2" \
	    "$(h_postfix_log)"
}

# 1. prog1 exits 0: every line, in file order
: >"$old/mode"
send all
tap_check "exit 0: prog1, prog2 ran in file order" h_wait 150 \
    eval '[ "$(cat "$old/order" 2>/dev/null | tr "\n" " ")" = "prog1 prog2 " ]'
tap_check "exit 0: the forward reached bob, the Maildir line frank" h_wait 100 \
    eval '[ "$(count bob)" = 1 ] && [ "$(count frank)" = 1 ]'
# the values the real qmail-local gave |prog in ~frank/.qmail (real-qmail.md)
want="SENDER=sender@example.com
RECIPIENT=example.com-frank@example.com
LOCAL=example.com-frank
HOST=example.com
EXT=frank
DEFAULT=frank
USER=example.com
HOME=$old
NEWSENDER=sender@example.com
HOST2=example
HOST3=example
HOST4=example
EXT2=
EXT3=
EXT4=
RPLINE=Return-Path: <sender@example.com>
DTLINE=Delivered-To: example.com-frank@example.com"
got=$(for v in SENDER RECIPIENT LOCAL HOST EXT DEFAULT USER HOME NEWSENDER \
    HOST2 HOST3 HOST4 EXT2 EXT3 EXT4 RPLINE DTLINE; do
	echo "$v=$(envval prog1 $v)"; done)
tap_check "environment as the real qmail-local's" [ "$got" = "$want" ] ||
    tap_diag "$(diff <(echo "$want") <(echo "$got"))"
tap_check "UFLINE: From sender and a date" \
    eval 'envval prog1 UFLINE | grep -Eq "^From sender@example.com [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4}$"'
tap_check "no pipe(8) variable leaks (ORIGINAL_RECIPIENT, DOMAIN, EXTENSION)" \
    eval '! tr "\0" "\n" <"$old/prog1.env" | grep -Eq "^(ORIGINAL_RECIPIENT|DOMAIN|EXTENSION|LOGNAME)="'
tap_check "programs run in the file's directory" \
    [ "$(cat "$old/prog1.cwd")" = "$old/frank" ]
tap_check "a program's message has no Delivered-To/Return-Path in front" \
    eval '! head -2 "$old/prog1.msg" | grep -Eq "^(Delivered-To|Return-Path):"'
tap_check "the Maildir line: Return-Path and Delivered-To in front" \
    eval 'f=$(ls "$maildir/frank/Maildir/new/"*); head -1 "$f" | grep -q "^Return-Path: <sender@example.com>" && grep -q "^Delivered-To: frank@example.com" "$f"'
tap_check "the forward: Delivered-To without the prefix (vdelivermail)" \
    eval 'grep -q "^Delivered-To: frank@example.com" "$maildir/bob/Maildir/new/"*'

# 2. exit 99: delivered, the remaining lines skipped
rm -f "$old/order"
echo 99 >"$old/mode"
send stop
tap_check "exit 99: delivered, prog2, the forward and the Maildir skipped" \
    h_wait 150 eval 'logged stop sent'
sleep 1
tap_check "exit 99: only prog1 ran, nothing more delivered" \
    eval '[ "$(cat "$old/order")" = prog1 ] && [ "$(count bob)" = 1 ] && [ "$(count frank)" = 1 ]'

# 3. exit 100: a bounce
rm -f "$old/order"
echo 100 >"$old/mode"
send hard
tap_check "exit 100: bounced" h_wait 150 eval 'logged hard bounced'
tap_check "exit 100: the bounce reached the sender" h_wait 100 \
    eval '[ "$(count sender)" = 1 ]'
tap_check "exit 100: prog2 did not run" [ "$(cat "$old/order")" = prog1 ]

# 4. exit 111: deferred, then delivered when it passes
rm -f "$old/order"
echo 111 >"$old/mode"
send soft
tap_check "exit 111: deferred, not bounced" h_wait 150 eval 'logged soft deferred'
: >"$old/mode"
postqueue -c "$H_PF_CONF" -f >/dev/null 2>&1
tap_check "exit 111: the retry delivers, every line" h_wait 200 \
    eval 'logged soft sent && [ "$(count bob)" = 2 ]'

h_stop_all
h_assert_no_leftovers
tap_done
