# samples/oldhost migrated for Postfix 3.10 INSIDE the Debian 13 root
# (tests/integration/lib/debian13.sh) by the root's own qmail2postfix, then
# read by the root's Postfix 3.10: postmap builds the maps, `postfix check`
# prints nothing (not the compatibility notice of level 2), postconf -n and
# -M warn about nothing; then that main.cf and master.cf run on loopback
# (a private queue, log and port inside the root) and a badrcptto reject
# logs no "backwards-compatible" line. Without options the root's own
# versions are detected. Skips without a root; fails under CI=true.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/debian13.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/pflive.sh"
h_init debian13-postfix
d13_require
tap_plan 11

R=$(d13_project) || tap_bail "the project does not build in the Debian 13 root: $(tail -n 5 "$top_builddir/tests/debian13/build.log" 2>/dev/null)"
d13_workdir "$R" || tap_bail "no work directory in the root"
W=$D13_W
d13 "$R" cp -a /usr/src/qmail2postfix/samples/oldhost "$W/old" &&
    d13 "$R" python3 /usr/src/qmail2postfix/samples/tools/make-oldhost.py \
    --fixup "$W/old" --tree oldhost >/dev/null ||
    tap_bail "cannot prepare samples/oldhost in the root"

d13 "$R" qmail2postfix --root "$W/old" -o "$W/out" -q --no-logs \
    --dovecot 2.4 --postfix 3.10 >"$H_DIR/run.out" 2>&1
rc=$?
tap_check "qmail2postfix --dovecot 2.4 --postfix 3.10 in the root (exit $rc: items listed)" \
    test "$rc" -eq 1 -a -s "$R$W/out/postfix/main.cf"
tap_check "main.cf: written for Postfix 3.10 and Dovecot 2.4, compatibility_level 3.6" \
    bash -c "sed -n 2p '$R$W/out/postfix/main.cf' | grep -qx '# Written for Postfix 3.10 (--postfix) and Dovecot 2.4 (--dovecot).' &&
	test \"\$(chroot '$R' postconf -c '$W/out/postfix' -h compatibility_level)\" = 3.6"

# no option: the root's Postfix 3.10 and Dovecot 2.4 are found
d13 "$R" qmail2postfix --root "$W/old" -o "$W/det" -q --no-logs >/dev/null 2>&1
tap_check "no --postfix/--dovecot: the root's Postfix 3.10 and Dovecot 2.4 found" \
    jq -e '.targets == {"postfix": "3.10", "postfix_chosen": "detected",
	"dovecot": "2.4", "dovecot_chosen": "detected"}' "$R$W/det/migration.json"

pf=$W/out/postfix
for t in virtual_alias virtual_mailbox virtual_mailbox_domains \
    virtual_alias_domains transport sender_access recipient_access; do
	d13 "$R" postmap -c "$pf" "hash:$pf/$t" || echo "postmap $t failed"
done >"$H_DIR/postmap.out" 2>&1
tap_check "postmap (3.10) builds every hash: table, no warning" \
    test ! -s "$H_DIR/postmap.out"
# Debian's postfix-script first copies /etc/hosts, resolv.conf ... into
# the queue's chroot ("updating /etc/hosts => ..."), whatever main.cf
# says: a first run does that, the second must print nothing
d13 "$R" postfix -c "$pf" check >/dev/null 2>&1
d13 "$R" postfix -c "$pf" check >"$H_DIR/check.out" 2>&1
rc=$?
tap_check "postfix check (3.10) prints nothing (exit $rc)" \
    bash -c "test $rc = 0 && ! grep . '$H_DIR/check.out'"
d13 "$R" postconf -c "$pf" -n >/dev/null 2>"$H_DIR/n.err"
tap_check "postconf -n (3.10): no warning" bash -c "! grep . '$H_DIR/n.err'"
d13 "$R" postconf -c "$pf" -M >/dev/null 2>"$H_DIR/m.err"
tap_check "postconf -M (3.10): no warning" bash -c "! grep . '$H_DIR/m.err'"

# the same files run from a private queue, log and port (pflive.sh)
p=$(h_free_port) || tap_bail "no free port"
run=$W/run
pflive_setup "$R" "$pf" "$run" "$p" d13 "$R" ||
    tap_bail "cannot make the private instance"
pf_stop() { pflive_stop "$R" "$run" d13_ns "$R"; }
_h_register pf_stop
d13_ns "$R" postfix -c "$run/etc" start >"$H_DIR/start.out" 2>&1
rc=$?
h_wait_tcp "$p"
up=$?
tap_check "Postfix 3.10 starts from main.cf and master.cf as written (exit $rc), no compatibility notice" \
    bash -c "test $rc = 0 -a $up = 0 && ! grep -i 'compatib' '$H_DIR/start.out'" ||
    tap_diag "$(cat "$H_DIR/start.out")" "$(tail -n 5 "$R$run/maillog" 2>/dev/null)"
pid=$(tr -dc 0-9 <"$R$run/queue/pid/master.pid" 2>/dev/null)
[ -z "$pid" ] || H_PIDS+=("$pid")
got=$(pflive_rcpt "$p" nobody@example.net)
tap_check "badrcptto nobody@example.net refused at RCPT (got $got)" \
    bash -c "case '$got' in 5*) exit 0;; esac; exit 1"
h_wait 100 grep -q 'reject: RCPT from .*nobody@example.net' "$R$run/maillog"
tap_check "the reject is logged, with no backwards-compatible line" \
    bash -c "grep -q 'reject: RCPT from .*nobody@example.net' '$R$run/maillog' &&
	! grep -i 'backwards-compatible' '$R$run/maillog'"
pf_stop
_h_unregister pf_stop
h_assert_no_leftovers
tap_done
