#!/bin/bash
#
# NAME		install-all.sh - qmail2postfix install of every part of OUT
# DOES		makes a minimal system tree at run time (etc/passwd, group,
#		shadow, gshadow and os-release copied from this host, the
#		mail user and srsfwd taken out, Debian's nftables.conf) and
#		installs OUT of samples/oldhost into it with --target-root:
#		--dry-run first (diffs and accounts printed, not a byte
#		changed); then each file's place, owner and mode, the users
#		with OUT's uid/gid, the unit enabled and not started, the
#		nftables include (once, after a second run too); --only and
#		--skip; a broken nft file and a broken opendkim.conf put
#		every file back and remove the users added; the installed
#		OpenDKIM and srs-map (the unit's own ExecStart line) run
# NEVER		touches this host's /etc: the daemons see the tree's files
#		only through bind mounts inside a mount namespace
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/oldhost-out.sh"
h_init install-all

getent passwd opendkim >/dev/null || tap_bail "no user opendkim"
getent passwd dovecot >/dev/null || tap_bail "no user dovecot"
command -v nft >/dev/null || tap_bail "no nft"
# --bindir: the unit's ExecStart names the srs-map built here
h_oldhost_out --bindir "$(cd "${top_builddir:-.}" && pwd)"
uid=$(sed -n 's/^virtual_uid_maps = static://p' "$H_DIR/OUT/postfix/main.cf")
gid=$(sed -n 's/^virtual_gid_maps = static://p' "$H_DIR/OUT/postfix/main.cf")
[ -n "$uid" ] && [ -n "$gid" ] || tap_bail "no static uid/gid in OUT's main.cf"

# a fresh target system: this host's accounts without the mail user
# (uid $uid, gid $gid) and srsfwd; Debian's stock nftables.conf
mkroot() {	# mkroot DIR
	local t=$1 f
	mkdir -p "$t/etc/postfix" "$t/etc/dovecot" || return 1
	for f in passwd group shadow gshadow os-release; do
		cp /etc/$f "$t/etc/$f" || return 1
	done
	awk -F: -v u="$uid" '$3 != u && $1 != "srsfwd"' /etc/passwd >"$t/etc/passwd"
	awk -F: -v g="$gid" '$3 != g && $1 != "srsfwd"' /etc/group >"$t/etc/group"
	for f in shadow gshadow; do
		grep -v -e '^srsfwd:' -e '^vpopmail:' -e '^vchkpw:' /etc/$f >"$t/etc/$f"
	done
	printf '#!/usr/sbin/nft -f\n\nflush ruleset\n\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter;\n\t}\n}\n' \
	    >"$t/etc/nftables.conf" && chmod 0755 "$t/etc/nftables.conf"
}
state() {	# state DIR: every file and link with mode, owner, checksum
	(cd "$1" && find . \( -type f -o -type l -o -type d \) \
	    ! -name '*-' ! -name .pwd.lock -printf '%p %y %m %u:%g %l\n' | sort &&
	    find . -type f ! -name '*-' ! -name .pwd.lock -print0 | sort -z |
	    xargs -0 -r md5sum)
}
# (NAME- and .pwd.lock: useradd's own backup and lock files)
T=$H_DIR/root
mkroot "$T" || tap_bail "cannot make the target tree"
I=("$Q" install "$H_DIR/OUT" --target-root "$T")

# 1: --dry-run prints diffs and accounts, changes nothing
state "$T" >"$H_DIR/state0"
"${I[@]}" --dry-run --now 20261204-100000 >"$H_DIR/dry.out" 2>&1
rc=$?
tap_check "--dry-run exits 0 (exit $rc)" test "$rc" -eq 0
tap_check "--dry-run changes nothing in the target tree (modes, owners, checksums)" \
    diff "$H_DIR/state0" <(state "$T")
tap_check "--dry-run shows the nftables include as a diff of the ruleset" \
    grep -qx "+include \"/etc/nftables.d/qmail2postfix.nft\"" "$H_DIR/dry.out"
tap_check "--dry-run shows opendkim.conf's diff and names the key by mode only" \
    bash -c 'grep -q "^+KeyTable" "$1" && grep -q "keys/q2p.private: new (mode 0600, owner opendkim:opendkim: contents not shown)" "$1" &&
	! grep -q "BEGIN .*PRIVATE KEY" "$1"' _ "$H_DIR/dry.out"
tap_check "--dry-run names the accounts it would add" \
    bash -c 'grep -q "^would add user vpopmail, group vchkpw" "$1" && grep -q "^would add user srsfwd" "$1"' _ "$H_DIR/dry.out"

# 2: the install of every part
"${I[@]}" --now 20261204-110000 >"$H_DIR/i1.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^installed: users .*srs .*dkim .*nftables .*sysctl' "$H_DIR/i1.out"; then
	tap_ok "install of every part exits 0 and names each part"
else
	tap_fail "install of every part exits 0 and names each part" "exit $rc" "$(tail -8 "$H_DIR/i1.out")"
fi
pw() { awk -F: -v n="$1" '$1 == n { print $3 ":" $4 }' "$T/etc/passwd"; }
gr() { awk -F: -v n="$1" '$1 == n { print $3 }' "$T/etc/group"; }
tap_check "mail user vpopmail has OUT's uid:gid $uid:$gid, group vchkpw gid $gid" \
    test "$(pw vpopmail) $(gr vchkpw)" = "$uid:$gid $gid"
srs_ids=$(pw srsfwd)
tap_check "user srsfwd added with its own group ($srs_ids)" \
    test -n "$srs_ids" -a "${srs_ids#*:}" = "$(gr srsfwd)"
odk=$(id -u opendkim):$(id -g opendkim)
mode_of() { stat -c '%a %u:%g' "$T$1" 2>&1; }
check_file() {	# check_file PATH MODE UID:GID
	local m
	m=$(mode_of "$1")
	tap_check "$1: $2 $3 (got $m)" test "$m" = "$2 $3"
}
check_file /usr/local/etc/qmail2postfix/srs-secret 600 "$srs_ids"
check_file /etc/systemd/system/srs-map.service 644 0:0
check_file /etc/opendkim.conf 644 0:0
for f in KeyTable SigningTable TrustedHosts; do
	check_file /etc/opendkim/$f 644 0:0
done
check_file /etc/opendkim/keys 750 "$odk"
check_file /etc/opendkim/keys/q2p.private 600 "$odk"
check_file /etc/nftables.d/qmail2postfix.nft 644 0:0
check_file /etc/nftables.conf 755 0:0
check_file /etc/sysctl.d/60-qmail2postfix.conf 644 0:0
check_file /etc/postfix/main.cf 644 0:0
check_file /etc/dovecot/users 640 "0:$(id -g dovecot)"
tap_check "the installed files are OUT's (secret, key, unit, nft, sysctl)" \
    bash -c 'cmp "$1/srs/secret" "$2/usr/local/etc/qmail2postfix/srs-secret" &&
	cmp "$1/dkim/keys/q2p.private" "$2/etc/opendkim/keys/q2p.private" &&
	cmp "$1/srs/srs-map.service" "$2/etc/systemd/system/srs-map.service" &&
	cmp "$1/nftables/qmail2postfix.nft" "$2/etc/nftables.d/qmail2postfix.nft" &&
	cmp "$1/sysctl/qmail2postfix.conf" "$2/etc/sysctl.d/60-qmail2postfix.conf"' _ "$H_DIR/OUT" "$T"
tap_check "srs-map.service enabled: the multi-user.target.wants link" \
    test "$(readlink "$T/etc/systemd/system/multi-user.target.wants/srs-map.service")" = /etc/systemd/system/srs-map.service
tap_check "srs-map not started (no srs-map reads the installed secret; the output says so)" \
    bash -c '! ps -C srs-map -o args= | grep -q -- "-s /usr/local/etc/qmail2postfix/srs-secret" &&
	grep -q "srs-map: enabled, not started" "$1"' _ "$H_DIR/i1.out"
tap_check "the ruleset keeps its lines and includes the file once" \
    bash -c 'grep -q "^flush ruleset" "$1" && test "$(grep -c "^include \"/etc/nftables.d/qmail2postfix.nft\"" "$1")" = 1' _ "$T/etc/nftables.conf"

# 3: a second run: nothing changes, the include stays single (the
# tables are built again: Postfix's .db files differ byte for byte)
state "$T" | grep -v '\.db$' >"$H_DIR/state1"
"${I[@]}" --now 20261204-120000 >"$H_DIR/i2.out" 2>&1
rc=$?
state "$T" | grep -v '\.db$' >"$H_DIR/state1b"
tap_check "a second install changes nothing (exit $rc, no backup, same tree)" \
    bash -c '[ "$1" -eq 0 ] && grep -q " 0 of [0-9]* files changed" "$2" && diff "$3" "$4"' \
    _ "$rc" "$H_DIR/i2.out" "$H_DIR/state1" "$H_DIR/state1b"
# 4: --only dkim with a changed TrustedHosts: only that file, backed up
cp -a "$H_DIR/OUT" "$H_DIR/OUT2"
echo 192.0.2.0/24 >>"$H_DIR/OUT2/dkim/TrustedHosts"
echo 'net.ipv4.tcp_fin_timeout = 20' >>"$H_DIR/OUT2/sysctl/qmail2postfix.conf"
"$Q" install "$H_DIR/OUT2" --target-root "$T" --only dkim --now 20261204-130000 >"$H_DIR/i3.out" 2>&1
rc=$?
tap_check "--only dkim: TrustedHosts replaced, kept as TrustedHosts.20261204-130000 (exit $rc)" \
    bash -c '[ "$1" -eq 0 ] && cmp -s "$2/OUT2/dkim/TrustedHosts" "$3/etc/opendkim/TrustedHosts" &&
	cmp -s "$2/OUT/dkim/TrustedHosts" "$3/etc/opendkim/TrustedHosts.20261204-130000"' _ "$rc" "$H_DIR" "$T"
tap_check "--only dkim: the changed sysctl file is left alone" \
    cmp -s "$H_DIR/OUT/sysctl/qmail2postfix.conf" "$T/etc/sysctl.d/60-qmail2postfix.conf"
"$Q" install "$H_DIR/OUT2" --target-root "$T" --skip sysctl,dkim --now 20261204-140000 >"$H_DIR/i4.out" 2>&1
rc=$?
tap_check "--skip sysctl,dkim: the sysctl file is left alone (exit $rc)" \
    bash -c '[ "$1" -eq 0 ] && cmp -s "$2/OUT/sysctl/qmail2postfix.conf" "$3/etc/sysctl.d/60-qmail2postfix.conf" &&
	! grep -q "sysctl (" "$4"' _ "$rc" "$H_DIR" "$T" "$H_DIR/i4.out"

# 5: a failing part puts everything back, the users added included
for breakage in nftables dkim; do
	T2=$H_DIR/root-$breakage
	mkroot "$T2" || tap_bail "cannot make $T2"
	rm -rf "$H_DIR/OUT3" && cp -a "$H_DIR/OUT" "$H_DIR/OUT3"
	case $breakage in
	nftables) echo 'this is not nft' >>"$H_DIR/OUT3/nftables/qmail2postfix.nft" ;;
	dkim) echo 'Canonicalization no/such' >>"$H_DIR/OUT3/dkim/opendkim.conf" ;;
	esac
	state "$T2" >"$H_DIR/state2"
	"$Q" install "$H_DIR/OUT3" --target-root "$T2" --now 20261204-150000 >"$H_DIR/i5.out" 2>&1
	rc=$?
	if [ "$rc" -eq 2 ] && diff "$H_DIR/state2" <(state "$T2") >"$H_DIR/d5" &&
	    ! grep -q -e '^vpopmail:' -e '^srsfwd:' "$T2/etc/passwd" &&
	    ! grep -q -e '^vchkpw:' -e '^srsfwd:' "$T2/etc/group" &&
	    grep -q 'nothing changed: every file was put back as it was, every account added removed' "$H_DIR/i5.out"; then
		tap_ok "a broken $breakage part: exit 2, every file put back, the users added removed"
	else
		tap_fail "a broken $breakage part: exit 2, every file put back, the users added removed" \
		    "exit $rc" "$(head -5 "$H_DIR/d5")" "$(tail -4 "$H_DIR/i5.out")"
	fi
done

# 5b: the mail uid held by another account: refused, the choice named
T3=$H_DIR/root-taken
mkroot "$T3" || tap_bail "cannot make $T3"
echo "q2pother:x:$uid:$gid::/nonexistent:/usr/sbin/nologin" >>"$T3/etc/passwd"
echo "q2pother:x:$gid:" >>"$T3/etc/group"
state "$T3" >"$H_DIR/state3"
"$Q" install "$H_DIR/OUT" --target-root "$T3" --now 20261204-160000 >"$H_DIR/i6.out" 2>&1
rc=$?
state "$T3" >"$H_DIR/state3b"
tap_check "uid $uid held by another user: exit 2, nothing changed, the choice named (--mail-user q2pother)" \
    bash -c '[ "$1" -eq 2 ] && diff "$2" "$3" && grep -q "is q2pother.s here: choose --mail-user q2pother" "$4"' \
    _ "$rc" "$H_DIR/state3" "$H_DIR/state3b" "$H_DIR/i6.out"

# 5c: the RHEL layout (Rocky's os-release): its nftables places
T4=$H_DIR/root-rhel
mkroot "$T4" || tap_bail "cannot make $T4"
printf 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n' >"$T4/etc/os-release"
rm "$T4/etc/nftables.conf"
"$Q" install "$H_DIR/OUT" --target-root "$T4" --only nftables,sysctl --now 20261204-170000 >"$H_DIR/i7.out" 2>&1
rc=$?
tap_check "Rocky's os-release: layout rhel, /etc/nftables/qmail2postfix.nft included from /etc/sysconfig/nftables.conf (exit $rc)" \
    bash -c '[ "$1" -eq 0 ] && grep -q "^layout: rhel" "$2" && [ -f "$3/etc/nftables/qmail2postfix.nft" ] &&
	grep -qx "include \"/etc/nftables/qmail2postfix.nft\"" "$3/etc/sysconfig/nftables.conf" &&
	[ ! -e "$3/etc/nftables.d" ] && [ ! -e "$3/etc/opendkim" ]' _ "$rc" "$H_DIR/i7.out" "$T4"

# 5e: Dovecot's auth user as the target system has it (not this host's)
T5=$H_DIR/root-authgroup
mkroot "$T5" || tap_bail "cannot make $T5"
echo "q2pauth:x:4242:" >>"$T5/etc/group"
awk -F: 'BEGIN { OFS = ":" } $1 == "dovecot" { $4 = 4242 } { print }' "$T5/etc/passwd" >"$T5/etc/passwd.new" &&
    mv "$T5/etc/passwd.new" "$T5/etc/passwd"
"$Q" install "$H_DIR/OUT" --target-root "$T5" --only dovecot --now 20261204-170200 >"$H_DIR/i9.out" 2>&1
rc=$?
tap_check "the users file gets the group of the target's dovecot user (gid 4242 there; exit $rc)" \
    bash -c '[ "$1" -eq 0 ] && [ "$(stat -c "%a %g" "$2/etc/dovecot/users")" = "640 4242" ]' _ "$rc" "$T5"

# 5d: OUT/sql: the load commands are printed, nothing is loaded
cp -a "$H_DIR/OUT" "$H_DIR/OUT4" && mkdir -p "$H_DIR/OUT4/sql" &&
    touch "$H_DIR/OUT4/sql/schema.sql" "$H_DIR/OUT4/sql/grant.sql" "$H_DIR/OUT4/sql/data.sql"
"$Q" install "$H_DIR/OUT4" --target-root "$T4" --only sql --now 20261204-170100 >"$H_DIR/i8.out" 2>&1
rc=$?
tap_check "--only sql: the three mariadb commands in order, not loaded (exit $rc)" \
    bash -c '[ "$1" -eq 0 ] && grep "^  mariadb < " "$2" | sed "s|.*/sql/||" | tr "\n" " " | grep -qx "schema.sql grant.sql data.sql " &&
	grep -q "sql: not loaded" "$2"' _ "$rc" "$H_DIR/i8.out"

# 6: the installed OpenDKIM runs from the installed opendkim.conf: in a
# mount namespace the tree's etc/ lies over this host's /etc (overlayfs,
# read-only), so /etc/opendkim/... are the installed files; only the
# socket and the pid file move to this test's
in_tree() {	# in_tree CMD...: CMD with the tree's etc and usr/local/etc
	unshare --mount --propagation private bash -c '
	    mount -t overlay q2p-etc -o "lowerdir=$1/etc:/etc" /etc &&
	    mount --bind "$1/usr/local/etc" /usr/local/etc || exit 1
	    shift; exec "$@"' _ "$T" "$@"
}
port=$(h_free_port) || tap_bail "no free port"
in_tree opendkim -f -x /etc/opendkim.conf -p "inet:$port@127.0.0.1" \
    -P "$H_DIR/odk.pid" >"$H_DIR/opendkim.out" 2>&1 &
H_PIDS+=($!)
if h_wait_tcp "$port"; then
	tap_ok "OpenDKIM from the installed opendkim.conf, tables and key listens on 127.0.0.1:$port"
else
	tap_fail "OpenDKIM from the installed opendkim.conf, tables and key listens on 127.0.0.1:$port" \
	    "$(cat "$H_DIR/opendkim.out")"
fi

# 7: srs-map from the installed unit's ExecStart line (port moved), as
# srsfwd of the tree, reverses what the installed secret signs
port=$(h_free_port) || tap_bail "no free port"
exec_start=$(sed -n "s/^ExecStart=//; T; s/inet:127\.0\.0\.1:[0-9]*/inet:127.0.0.1:$port/p" \
    "$T/etc/systemd/system/srs-map.service")
read -r -a cmd <<<"$exec_start"
in_tree "${cmd[@]}" >"$H_DIR/srs-map.out" 2>&1 &
H_PIDS+=($!)
if h_wait_tcp "$port"; then
	dom=$(sed -n 's/.* -d \([^ ]*\) .*/\1/p' <<<"$exec_start")
	srs=$("$top_builddir/srs-map" -s "$T/usr/local/etc/qmail2postfix/srs-secret" \
	    -d "$dom" forward user@remote.example)
	got=$(python3 - "$port" "$srs" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
q = ("reverse " + sys.argv[2]).encode()
s.sendall(str(len(q)).encode() + b":" + q + b",")
print(s.recv(4096).decode(errors="replace"))
PY
)
	tap_check "srs-map from the unit's ExecStart reverses $srs ($got)" \
	    grep -q 'OK user@remote.example' <<<"$got"
	tap_check "... and runs as the tree's srsfwd (uid ${srs_ids%%:*})" \
	    bash -c 'ps -C srs-map -o uid=,args= | grep -q "^ *$1 .*inet:127.0.0.1:$2"' _ "${srs_ids%%:*}" "$port"
else
	tap_fail "srs-map from the unit's ExecStart listens" "$(cat "$H_DIR/srs-map.out")"
fi

tap_done
