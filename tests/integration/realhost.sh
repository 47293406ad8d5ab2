#!/bin/bash
#
# NAME		realhost.sh - the new host against what the real qmail and
#		vpopmail did (samples/realhost, both vpopmail builds)
# DOES		for each build (ext: vpopmail --enable-qmail-ext, noext: its
#		default): migrates a fixed-up copy of samples/realhost/BUILD/root,
#		runs qmail2postfix rehearse OUT --json (real Postfix, Dovecot and
#		smtp-sink on loopback) with every recorded address as --probe,
#		and compares with the recording (tests/integration/lib/
#		realhost-compare.py): one TAP line per recorded address (outcome,
#		mailboxes, forwards, programs; a refusal with the same class of
#		SMTP code), per program run (argv, working directory, the whole
#		environment, the lines in front of the message) and per login
#		(POP3, IMAP, SMTP AUTH, from vchkpw's webmail address 127.0.0.1
#		and from another); rehearse's own verdict: its exit code and,
#		per recorded address, its "expected" against the recording
#		(the model of qmail's rules must predict what qmail did);
#		the recorded probes from other senders
#		(control/badmailfrom) through a private Postfix with OUT's
#		sender restrictions; then that nothing is left running
# NEVER		trusts rehearse's own "expected": the recording is the oracle,
#		for what the new host did and for what rehearse expected
# USE		realhost.sh [--userdb sql] [SAMPLES [BUILD...]]: --userdb sql
#		migrates to MariaDB tables (rehearse loads them into its own
#		MariaDB) instead of passwd-files and hash maps; SAMPLES:
#		another recorded host laid
#		out the same way, whose builds samples/realhost/tools/fixup.py
#		knows (default samples/realhost ext noext; samples/sqlhost
#		per-domain one-table); a
#		BUILD with a vpopmail.sql (vpopmail's MySQL backend) has it
#		loaded into a private MariaDB (lib/sqlhost.sh), read with
#		--mysql
#
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/sqlhost.sh"
h_init realhost

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
userdb=()
[ "${1:-}" = --userdb ] && userdb=(--userdb "$2") && shift 2
R=${1:-$top_srcdir/samples/realhost}
[ $# -gt 1 ] && shift && BUILDS=$* || BUILDS="ext noext"
[ -x "$Q" ] || tap_bail "no $Q"
command -v smtp-sink >/dev/null || tap_bail "smtp-sink (package postfix) missing"

# Rehearsal temp dirs under $H_DIR: the harness's leftover check sees them.
export TMPDIR=$H_DIR
for b in $BUILDS; do
	cp -a "$R/$b/root" "$H_DIR/$b" &&
	    python3 "$top_srcdir/samples/realhost/tools/fixup.py" \
	    --fixup "$H_DIR/$b" --tree "$b" ||
	    tap_bail "cannot prepare the $b copy"
	sql=() owners=()
	if [ -r "$R/$b/vpopmail.sql" ]; then
		{ [ -n "${H_MDB_PID:-}" ] || h_mariadb_start; } &&
		    h_mariadb -e "DROP DATABASE IF EXISTS vpopmail" &&
		    h_mariadb_load vpopmail "$R/$b/vpopmail.sql" &&
		    h_mariadb_user vpopmail "$H_MDB_SQLHOST_PW" vpopmail ro &&
		    printf '%s\n' "$H_MDB_SQLHOST_PW" >"$H_DIR/mysql-pw" ||
		    tap_bail "$b: cannot load $R/$b/vpopmail.sql"
		sql=(--mysql "127.0.0.1:$H_MDB_PORT" --mysql-password-file
		    "$H_DIR/mysql-pw")
		# who owns each Maildir, as the database says (no vpasswd):
		# the shared table, else each users/assign domain's table
		if h_mariadb -N vpopmail -e "SHOW TABLES LIKE 'vpopmail'" |
		    grep -qx vpopmail; then
			h_mariadb -N vpopmail -e "SELECT CONCAT(pw_name, '@',
			    pw_domain), pw_dir FROM vpopmail"
		else
			sed -n 's/^+\([^:]*\)-:\1:.*/\1/p' \
			    "$H_DIR/$b/var/qmail/users/assign" | while read -r d; do
				h_mariadb -N vpopmail -e "SELECT CONCAT(pw_name,
				    '@$d'), pw_dir FROM $(echo "$d" | tr .- __)"
			done
		fi >"$H_DIR/owners-$b" || tap_bail "$b: cannot read the owners"
		owners=("$H_DIR/owners-$b")
	fi
	"$Q" --root "$H_DIR/$b" -o "$H_DIR/OUT-$b" -q "${sql[@]}" "${userdb[@]}"
	rc=$?
	[ "$rc" -le 1 ] || tap_bail "qmail2postfix --root ($b) exited $rc"

	# every recorded address sent by the default client and sender
	probes=()
	while IFS=$'\t' read -r _ addr client sender _; do
		[ "$client $sender" = "127.0.0.2 probe-sender@sink.test" ] &&
		    probes+=(--probe "$addr")
	done <"$R/$b/routes.tsv"
	t0=$(date +%s)
	# the recorded programs (dumpenv) run as themselves, so their exit
	# codes (99, 100, 111) decide as they did on the old host
	"$Q" rehearse "$H_DIR/OUT-$b" --json "${probes[@]}" \
	    --passwords "$R/$b/passwords.tsv" \
	    --programs "$top_srcdir/samples/realhost/tools" \
	    >"$H_DIR/report-$b.json" 2>"$H_DIR/rehearse-$b.err"
	rc=$?
	tap_diag "$b: rehearse exited $rc after $(($(date +%s) - t0)) s"
	# its own verdict: every address and login as its model predicts
	# (the "expected route" lines below check that prediction against
	# the recording)
	if [ "$rc" -eq 0 ]; then
		tap_ok "$b: rehearse exits 0 (what it expected is what happened)"
	else
		tap_fail "$b: rehearse exits 0 (what it expected is what happened)" \
		    "exit $rc: $(tail -3 "$H_DIR/rehearse-$b.err")" \
		    "$(python3 -c 'import json, sys
for m in json.load(open(sys.argv[1]))["expected"]["mismatches"]:
    print(m["address"], m["what"], m["why"])' "$H_DIR/report-$b.json" 2>&1 |
		    head -40)"
	fi
	python3 "$top_srcdir/tests/integration/lib/realhost-compare.py" \
	    "$H_DIR/report-$b.json" "$R/$b" "$H_DIR/$b" "${owners[@]}" \
	    >"$H_DIR/compare-$b.out" ||
	    tap_bail "$b: cannot compare: $(tail -5 "$H_DIR/rehearse-$b.err")"
	notes=0
	while IFS=$'\t' read -r res what why; do
		case $res in
		PASS) tap_ok "$b: $what" ;;
		FAIL) tap_fail "$b: $what" "$why" ;;
		NOTE) notes=$((notes + 1)) ;;
		esac
	done <"$H_DIR/compare-$b.out"
	tap_diag "$b: $notes recorded rows the rehearsal cannot try (other senders:" \
	    "below; the relaying client; wrong passwords, login names that are no" \
	    "mailbox)"
done

# --- senders: control/badmailfrom as the new host's smtpd applies it --------
# rehearse sends every probe from its own sender, so the recorded probes with
# other senders go to a private Postfix with OUT's sender restrictions, their
# maps and the parameters that decide how they match; the RCPT reply's class
# must be qmail-smtpd's
for b in $BUILDS; do
	O=$H_DIR/OUT-$b/postfix
	# its error transports would refuse kim@example.com at RCPT: discard
	h_postfix_setup "$H_DIR/pf-$b" "default_transport = discard:sender probe" \
	    "relay_transport = discard:sender probe" ||
	    tap_bail "$b: no private Postfix"
	set_pf() { postconf -c "$H_PF_CONF" -e "$1 = $(postconf -c "$O" -h "$1")"; }
	for p in smtpd_sender_restrictions parent_domain_matches_subdomains \
	    smtpd_delay_reject; do
		set_pf "$p" || tap_bail "$b: cannot copy $p"
	done
	for m in $(postconf -c "$O" -h smtpd_sender_restrictions |
	    grep -o 'hash:[^ ,]*' | sed 's|.*/||'); do
		cp "$O/$m" "$H_PF_CONF/$m" && postmap "hash:$H_PF_CONF/$m" ||
		    tap_bail "$b: cannot copy the map $m"
	done
	h_postfix_start || tap_bail "$b: the private Postfix does not start"
	while IFS=$'\t' read -r n addr client sender _ rcpt _; do
		[ "$n" = n ] || [ "$sender" = probe-sender@sink.test ] && continue
		got=$(python3 - "$H_SMTP_PORT" "$sender" "$addr" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("probe.test")
code, _ = s.mail(sys.argv[2])
if code == 250:
    code, text = s.rcpt(sys.argv[3])
print(code, text.decode(errors="replace"))
s.quit()
PY
)
		what="$b: sender $n $sender to $addr: qmail-smtpd $rcpt, new host ${got%% *}"
		if [ "${got:0:1}" = "${rcpt:0:1}" ]; then
			tap_ok "$what"
		else
			tap_fail "$what" "new host: ${got:-no answer}" \
			    "control/badmailfrom: $(tr '\n' ' ' <"$H_DIR/$b/var/qmail/control/badmailfrom")"
		fi
	done <"$R/$b/routes.tsv"
	h_postfix_stop
done

h_mariadb_stop	# an SQL-backed build's database: not a leftover
out=$(h_leftovers)
if [ -z "$out" ] && ! ls -d "$H_DIR"/q2p-rehearse.* >/dev/null 2>&1; then
	tap_ok "rehearse stopped its servers and removed its directory"
else
	tap_fail "rehearse stopped its servers and removed its directory" "$out"
fi
tap_done
