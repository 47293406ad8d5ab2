#!/bin/bash
# Smoke test: a private Postfix from the harness greets on 127.0.0.1 and ::1,
# delivers to a virtual mailbox (owned by the vpopmail uid), rejects unknown
# users, sends nothing off the machine, and accepts a non-root sendmail
# inside h_in_postfix_ns.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init smoke-postfix

if ! h_postfix_setup "" \
    "virtual_mailbox_domains = example.com" \
    "virtual_mailbox_maps = inline:{ bob@example.com=example.com/bob/ }"; then
	tap_fail "postfix setup"
	tap_done
fi
tap_ok "private config passes postfix check"
if ! h_postfix_start; then
	tap_fail "postfix starts" "$(tail -n 5 "$(h_postfix_log)" 2>/dev/null)"
	tap_done
fi
tap_ok "postfix starts (master pid $H_POSTFIX_PID)"

banner() {	# banner HOST: the first line smtpd sends
	local line
	exec 3<>"/dev/tcp/$1/$H_SMTP_PORT" || return 1
	IFS= read -r -t 10 line <&3
	printf 'QUIT\r\n' >&3
	exec 3<&-
	printf '%s\n' "${line%$'\r'}"
}
b=$(banner 127.0.0.1)
if [[ $b == "220 mx1.example.com ESMTP"* ]]; then
	tap_ok "SMTP banner on 127.0.0.1:$H_SMTP_PORT"
else
	tap_fail "SMTP banner on 127.0.0.1:$H_SMTP_PORT" "got: $b"
fi
b=$(banner ::1)
if [[ $b == "220 mx1.example.com ESMTP"* ]]; then
	tap_ok "SMTP banner on [::1]:$H_SMTP_PORT"
else
	tap_fail "SMTP banner on [::1]:$H_SMTP_PORT" "got: $b"
fi
listen=$(ss -Hlnt "sport = :$H_SMTP_PORT" | awk '{print $4}')
if [ -n "$listen" ] && ! grep -vqE '^(127\.0\.0\.1|\[::1\]):' <<<"$listen"; then
	tap_ok "smtpd listens on loopback only"
else
	tap_fail "smtpd listens on loopback only" "$listen"
fi

send() {	# send TO SUBJECT [swaks options]
	local to=$1 subj=$2
	shift 2
	swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --helo client.example.com \
	    --from alice@sender.example --to "$to" --header "Subject: $subj" \
	    --body "body of $subj" "$@" 2>&1
}
mbox=$(h_postfix_mailbox bob@example.com)
delivered() {	# delivered SUBJECT: a file in bob's Maildir/new has it
	grep -lqs "Subject: $1" "$mbox"/new/* 2>/dev/null
}

out=$(send bob@example.com smoke-1)
if grep -q '^<-  250 2.0.0 Ok: queued' <<<"$out"; then
	tap_ok "message to bob@example.com accepted"
else
	tap_fail "message to bob@example.com accepted" "$out"
fi
if h_wait 100 delivered smoke-1; then
	tap_ok "delivered to bob's virtual Maildir"
else
	tap_fail "delivered to bob's virtual Maildir" "$(tail -n 5 "$(h_postfix_log)")"
fi
f=$(grep -ls "Subject: smoke-1" "$mbox"/new/* 2>/dev/null | head -n 1)
tap_check "delivered file belongs to uid $H_VUID" test "$(stat -c %u "$f" 2>/dev/null)" = "$H_VUID"
tap_check "maillog records status=sent via virtual" \
    grep -q 'to=<bob@example.com>, relay=virtual, .*status=sent' "$(h_postfix_log)"

out=$(send nobody@example.com smoke-2)
if grep -q '^<\*\* 550 5.1.1 <nobody@example.com>' <<<"$out"; then
	tap_ok "unknown virtual user rejected with 550 5.1.1"
else
	tap_fail "unknown virtual user rejected with 550 5.1.1" "$out"
fi

# Mail for a remote domain meets the error transport: smtpd refuses it at
# RCPT time, and no smtp client ever runs.
out=$(send someone@remote.example smoke-3)
if grep -q '^<\*\* 550 .*<someone@remote.example>: Recipient address rejected: test instance: external delivery disabled' <<<"$out"; then
	tap_ok "remote recipient refused (default_transport is error:)"
else
	tap_fail "remote recipient refused (default_transport is error:)" "$out"
fi
tap_check "no smtp client delivery was attempted" \
    bash -c "! grep -q 'postfix/smtp\[' '$(h_postfix_log)'"
tap_check "queue empties" h_postfix_wait_queue_empty

# The non-root sendmail trap: outside the namespace a user's "sendmail -C"
# is refused; inside h_in_postfix_ns it reaches the test instance.
msg=$'Subject: smoke-4\n\nfrom a user pipe\n'
out=$(runuser -u nobody -- /usr/sbin/sendmail -C "$H_PF_CONF" -f nobody@example.com bob@example.com <<<"$msg" 2>&1)
if [ $? -ne 0 ]; then
	tap_ok "non-root sendmail -C fails outside the namespace"
	tap_diag "$out"
else
	tap_fail "non-root sendmail -C fails outside the namespace" \
	    "the host's default main.cf allows $H_PF_CONF"
fi
out=$(h_in_postfix_ns runuser -u nobody -- /usr/sbin/sendmail -f nobody@example.com bob@example.com <<<"$msg" 2>&1)
tap_check "non-root sendmail inside h_in_postfix_ns exits 0" test -z "$out"
tap_check "its message is delivered" h_wait 100 delivered smoke-4

h_postfix_stop
h_assert_no_leftovers
tap_done
