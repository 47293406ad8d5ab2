#!/bin/bash
#
# NAME		install-samples.sh - qmail2postfix install into private dirs
# DOES		installs OUT of samples/oldhost into empty temporary Postfix and
#		Dovecot directories; installs a changed OUT (the first install
#		is kept as dated backups, the diff names the change); checks
#		that --dry-run changes nothing, that a broken OUT (an unknown
#		parameter, a bad value) is refused with every file put back,
#		and that an existing backup is never overwritten
# NEVER		touches /etc/postfix or /etc/dovecot
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init install-samples

: "${top_builddir:=$(pwd)}"
Q=$top_builddir/qmail2postfix
S=$top_srcdir/samples
[ -x "$Q" ] || tap_bail "no $Q"

cp -a "$S/oldhost" "$H_DIR/oldhost" &&
    python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" --tree oldhost ||
    tap_bail "cannot prepare the old host copy"
"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT" -q
[ $? -le 1 ] || tap_bail "qmail2postfix run failed"
PF=$H_DIR/etc/postfix
DC=$H_DIR/etc/dovecot
mkdir -p "$PF" "$DC"

state() {	# every file below etc/ with checksum and mode
	(cd "$H_DIR/etc" && find . -type f -printf '%p %m\n' | sort &&
	    find . -type f -print0 | sort -z | xargs -0 -r md5sum)
}

# 1: first install into empty directories
"$Q" install "$H_DIR/OUT" --postfix-dir "$PF" --dovecot-dir "$DC" \
    --now 20261118-120000 >"$H_DIR/i1.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ -f "$PF/main.cf" ] && [ -f "$PF/virtual_alias.db" ] &&
    [ -f "$DC/dovecot.conf" ] && [ "$(stat -c %a "$DC/users")" = 600 ] &&
    postmap -c "$PF" -q sales@example.com "hash:$PF/virtual_alias" |
    grep -q 'alice@example.com'; then
	tap_ok "first install: files in place, tables built, users 0600"
else
	tap_fail "first install: files in place, tables built, users 0600" \
	    "exit $rc" "$(tail -5 "$H_DIR/i1.out")"
fi
if grep -q '\$1\$\|\$6\$' "$H_DIR/i1.out"; then
	tap_fail "the diff shows no password hash" "$(grep -m3 '\$1\$\|\$6\$' "$H_DIR/i1.out" | cut -c1-40)"
else
	tap_ok "the diff shows no password hash"
fi
ls "$PF" "$DC" | grep -q '\.2026' &&
    tap_fail "no backups when nothing existed before" "$(ls "$PF" "$DC" | grep 2026)" ||
    tap_ok "no backups when nothing existed before"

# 2: a changed OUT: the first install is kept as dated backups
cp -a "$H_DIR/OUT" "$H_DIR/OUT2"
sed -i 's/^message_size_limit = .*/message_size_limit = 31457280/' "$H_DIR/OUT2/postfix/main.cf"
printf 'extra.q2p@example.com\tpostmaster@example.com\n' >>"$H_DIR/OUT2/postfix/virtual_alias"
cp "$PF/main.cf" "$H_DIR/main.cf.first"
state >"$H_DIR/state1"

"$Q" install "$H_DIR/OUT2" --postfix-dir "$PF" --dovecot-dir "$DC" \
    --now 20261118-130000 >"$H_DIR/i2.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$PF/main.cf.20261118-130000" "$H_DIR/main.cf.first" &&
    [ -f "$PF/virtual_alias.20261118-130000" ] &&
    grep -q '^message_size_limit = 31457280' "$PF/main.cf" &&
    postmap -c "$PF" -q extra.q2p@example.com "hash:$PF/virtual_alias" >/dev/null; then
	tap_ok "second install: previous files kept as NAME.20261118-130000, new ones in place"
else
	tap_fail "second install: previous files kept as NAME.20261118-130000, new ones in place" \
	    "exit $rc" "$(tail -5 "$H_DIR/i2.out")" "$(ls "$PF")"
fi
if grep -q '^-message_size_limit = 20971520' "$H_DIR/i2.out" &&
    grep -q '^+message_size_limit = 31457280' "$H_DIR/i2.out"; then
	tap_ok "the diff shows the changed line"
else
	tap_fail "the diff shows the changed line" "$(head -20 "$H_DIR/i2.out")"
fi
[ ! -e "$PF/master.cf.20261118-130000" ] &&
    tap_ok "unchanged files get no backup" ||
    tap_fail "unchanged files get no backup"

# 3: --dry-run changes nothing
state >"$H_DIR/state2"
sed -i 's/^message_size_limit = .*/message_size_limit = 1000/' "$H_DIR/OUT/postfix/main.cf"
"$Q" install "$H_DIR/OUT" --postfix-dir "$PF" --dovecot-dir "$DC" --dry-run \
    --now 20261118-140000 >"$H_DIR/i3.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && state | cmp -s - "$H_DIR/state2" &&
    grep -q '^+message_size_limit = 1000' "$H_DIR/i3.out"; then
	tap_ok "--dry-run shows the diff and changes nothing (checksums)"
else
	tap_fail "--dry-run shows the diff and changes nothing (checksums)" \
	    "exit $rc" "$(state | diff "$H_DIR/state2" - | head)"
fi

# 4: broken OUTs are refused and everything is put back
for breakage in 'smtpd_bogus_limit = 3' 'message_size_limit = many'; do
	cp -a "$H_DIR/OUT2" "$H_DIR/OUT3"
	echo "$breakage" >>"$H_DIR/OUT3/postfix/main.cf"
	printf 'broken.q2p@example.com\tpostmaster@example.com\n' >>"$H_DIR/OUT3/postfix/virtual_alias"
	"$Q" install "$H_DIR/OUT3" --postfix-dir "$PF" --dovecot-dir "$DC" \
	    --now 20261118-150000 >"$H_DIR/i4.out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && state | cmp -s - "$H_DIR/state2" &&
	    ! postmap -c "$PF" -q broken.q2p@example.com "hash:$PF/virtual_alias" >/dev/null; then
		tap_ok "broken OUT ($breakage) refused, every file and table as before"
	else
		tap_fail "broken OUT ($breakage) refused, every file and table as before" \
		    "exit $rc" "$(tail -3 "$H_DIR/i4.out")" "$(state | diff "$H_DIR/state2" - | head)"
	fi
	rm -rf "$H_DIR/OUT3"
done

# 5: an existing backup is never overwritten
"$Q" install "$H_DIR/OUT" --postfix-dir "$PF" --dovecot-dir "$DC" \
    --now 20261118-130000 >"$H_DIR/i5.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && state | cmp -s - "$H_DIR/state2" &&
    grep -q 'backup exists' "$H_DIR/i5.out"; then
	tap_ok "a second install with the same time stamp is refused (backup exists)"
else
	tap_fail "a second install with the same time stamp is refused (backup exists)" \
	    "exit $rc" "$(tail -3 "$H_DIR/i5.out")"
fi

tap_done
