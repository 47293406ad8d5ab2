#!/bin/bash
#
# NAME		migrate-smtp-rules.sh - qmail-smtpd's refusals, kept by Postfix
# DOES		migrates samples/oldhost, starts a real Postfix on loopback
#		with the relay and sender settings OUT/postfix/main.cf wrote
#		(and its sender_access table), and speaks SMTP to it:
#		relaying is refused for good with 553 as qmail-smtpd did
#		(not 454), "@bulk-mailer.example" of control/badmailfrom
#		refuses that domain's senders and not its subdomains';
#		a local domain (control/locals) rcpthosts does not list is
#		refused with 553 as qmail-smtpd did (on a copy without
#		localhost in rcpthosts)
# NEVER		sends mail anywhere but to its own Postfix on 127.0.0.1
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init migrate-smtp-rules

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
[ -x "$Q" ] || tap_bail "no $Q"

"$Q" --root "$top_srcdir/samples/oldhost" -o "$H_DIR/OUT" -q --postfix 3.7 \
    --dovecot 2.3 --no-logs >/dev/null 2>&1
[ -s "$H_DIR/OUT/postfix/main.cf" ] || tap_bail "qmail2postfix wrote no main.cf"
# OUT's own lines for these parameters, as written
mc() { sed -n "s/^$1 = //p" "$H_DIR/OUT/postfix/main.cf"; }
cp "$H_DIR/OUT/postfix/sender_access" "$H_DIR/sender_access" &&
    postmap "hash:$H_DIR/sender_access" || tap_bail "postmap sender_access"

# the client (127.0.0.1) is no trusted network: as a stranger on port 25;
# a parameter OUT does not set keeps Postfix's default
set_out=()
for p in smtpd_relay_restrictions relay_domains_reject_code \
    parent_domain_matches_subdomains; do
	v=$(mc $p)
	[ -n "$v" ] && set_out+=("$p = $v")
done
h_postfix_setup "" \
    "mynetworks = 192.0.2.1/32" \
    "smtpd_recipient_restrictions =" \
    "virtual_mailbox_domains = example.com" \
    "virtual_mailbox_maps = inline:{ bob@example.com=example.com/bob/ }" \
    "${set_out[@]}" \
    "smtpd_sender_restrictions = check_sender_access hash:$H_DIR/sender_access" &&
    h_postfix_start || tap_bail "postfix"

# rcpt FROM TO: the server's answer to RCPT TO (swaks stops there)
rcpt() {
	swaks --server 127.0.0.1 --port "$H_SMTP_PORT" --from "$1" --to "$2" \
	    --quit-after RCPT --timeout 10 2>&1 |
	    awk '/^ *-> RCPT TO/ { r = 1; next }
		r && /^<[-*~]* +[245][0-9][0-9] / { sub(/^<[-*~]* +/, ""); print; exit }'
}

got=$(rcpt someone@sender.example victim@elsewhere.example)
case $got in
553\ *) tap_ok "relaying refused with 553, permanent, as qmail-smtpd did" ;;
*)	tap_fail "relaying refused with 553, permanent, as qmail-smtpd did" "got: $got" ;;
esac
got=$(rcpt someone@sender.example bob@example.com)
case $got in
250\ *) tap_ok "mail for a hosted domain is still taken" ;;
*)	tap_fail "mail for a hosted domain is still taken" "got: $got" ;;
esac
got=$(rcpt spam@bulk-mailer.example bob@example.com)
case $got in
5[0-9][0-9]\ *) tap_ok "badmailfrom @bulk-mailer.example: its senders refused" ;;
*)	tap_fail "badmailfrom @bulk-mailer.example: its senders refused" "got: $got" ;;
esac
got=$(rcpt news@lists.bulk-mailer.example bob@example.com)
case $got in
250\ *) tap_ok "badmailfrom @bulk-mailer.example: a subdomain's senders taken (qmail-smtpd: exact host)" ;;
*)	tap_fail "badmailfrom @bulk-mailer.example: a subdomain's senders taken (qmail-smtpd: exact host)" "got: $got" ;;
esac

h_postfix_stop

# control/locals names localhost, control/rcpthosts does not: qmail-smtpd
# refused postmaster@localhost from a stranger (553: no postmaster
# exception); Postfix takes mydestination from anyone unless OUT says not
cp -a "$top_srcdir/samples/oldhost" "$H_DIR/norcpt" &&
    grep -vx 'localhost' "$top_srcdir/samples/oldhost/var/qmail/control/rcpthosts" \
    >"$H_DIR/norcpt/var/qmail/control/rcpthosts" || tap_bail "copy"
"$Q" --root "$H_DIR/norcpt" -o "$H_DIR/OUT2" -q --postfix 3.7 \
    --dovecot 2.3 --no-logs >/dev/null 2>&1
v=$(sed -n 's/^smtpd_relay_restrictions = //p' "$H_DIR/OUT2/postfix/main.cf")
[ -n "$v" ] || tap_bail "OUT2 has no smtpd_relay_restrictions"
h_postfix_setup "$H_DIR/pf2" \
    "mynetworks = 192.0.2.1/32" \
    "mydestination = localhost, mail.example.com" \
    "local_recipient_maps =" \
    "smtpd_recipient_restrictions =" \
    "smtpd_relay_restrictions = $v" &&
    h_postfix_start || tap_bail "postfix (localhost not in rcpthosts)"
got=$(rcpt someone@sender.example postmaster@localhost)
case $got in
553\ *rcpthosts*) tap_ok "a local domain rcpthosts did not list: refused with 553, as qmail-smtpd did" ;;
*)	tap_fail "a local domain rcpthosts did not list: refused with 553, as qmail-smtpd did" "got: $got" ;;
esac
got=$(rcpt someone@sender.example postmaster@mail.example.com)
case $got in
250\ *) tap_ok "a local domain rcpthosts lists (mail.example.com): taken" ;;
*)	tap_fail "a local domain rcpthosts lists (mail.example.com): taken" "got: $got" ;;
esac

h_stop_all
h_assert_no_leftovers
tap_done
