#!/bin/bash
# courier-sample.sh CACHE QMAIL_POP3D [SAMPLES_DIR]
#
# Regenerates samples/courierhost: a small vpopmail host whose Maildir state
# was made through Debian 12's courier-imap (unpacked in CACHE, see
# courier.sh; "courier.sh cache" makes it), and what courier and qmail-pop3d
# (QMAIL_POP3D: the program built from notqmail's source) answer on it.
#
#   root/                   the old host's / (first state)
#   second/                 the same host later: new deliveries, flag and
#                           keyword changes made through courier
#   root.fixup, second.fixup
#                           what git cannot keep (empty dirs, message mtimes)
#   recording.json, recording-second.json
#                           courier's IMAP answers and qmail-pop3d's POP3
#                           answers on a copy of each tree
#
# Runs as root (courier in a private mount namespace, files owned by 89).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../../.." && pwd)}
. "$top_srcdir/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/courier.sh"
CACHE=${1:?usage: courier-sample.sh CACHE QMAIL_POP3D [SAMPLES_DIR]}
POP3D=$(realpath "${2:?usage: courier-sample.sh CACHE QMAIL_POP3D [SAMPLES_DIR]}")
OUT=${3:-$top_srcdir/samples/courierhost}
CLIENT=$top_srcdir/tests/integration/lib/courier-client.py
D=home/vpopmail/domains/example.com
h_init courier-sample

die() { echo "courier-sample: $*" >&2; exit 1; }

# vpasswd as vpopmail 5.4 writes it, hashes made with the tools a real host
# used: MD5-crypt (openssl passwd -1), SHA-512-crypt (openssl passwd -6),
# DES (perl crypt); field 8 is the cleartext (--enable-clear-passwd)
skeleton() {
	local r=$1 u
	mkdir -p "$r/var/qmail/control" "$r/var/qmail/users" "$r/home/vpopmail/etc" \
	    "$r/etc/courier-imap" "$r/service/qmail-pop3d/log" "$r/$D" || return 1
	echo mail.example.com >"$r/var/qmail/control/me"
	printf 'localhost\nmail.example.com\n' >"$r/var/qmail/control/locals"
	echo example.com >"$r/var/qmail/control/rcpthosts"
	echo example.com:example.com >"$r/var/qmail/control/virtualdomains"
	echo example.com >"$r/var/qmail/control/defaultdomain"
	echo example.com >"$r/var/qmail/control/defaulthost"
	printf '+example.com-:example.com:89:89:/%s:-::\n.\n' "$D" >"$r/var/qmail/users/assign"
	echo example.com >"$r/home/vpopmail/etc/defaultdomain"
	cp "$top_srcdir/samples/oldhost/etc/courier-imap/imapd" \
	    "$top_srcdir/samples/oldhost/etc/courier-imap/authdaemonrc" "$r/etc/courier-imap/"
	cp "$top_srcdir/samples/oldhost/service/qmail-pop3d/run" "$r/service/qmail-pop3d/"
	cp "$top_srcdir/samples/oldhost/service/qmail-pop3d/log/run" "$r/service/qmail-pop3d/log/"
	echo "| /home/vpopmail/bin/vdelivermail '' bounce-no-mailbox" >"$r/$D/.qmail-default"
	{
		printf 'alice:%s:1:0:Alice Liddell:/%s/alice:50000000S:Tea4Two-alice\n' \
		    "$(openssl passwd -1 -salt Qv3aL1ce Tea4Two-alice)" "$D"
		printf 'bob:%s:1:0:Bob Marley:/%s/bob:NOQUOTA:Bob-Secret-42\n' \
		    "$(openssl passwd -6 -salt bobSalt16chars.. Bob-Secret-42)" "$D"
		printf 'carol:%s:1:0:Carol Danvers:/%s/carol:NOQUOTA:carol123\n' \
		    "$(perl -e 'print crypt("carol123", "c4")')" "$D"
	} >"$r/$D/vpasswd"
	chmod 0600 "$r/$D/vpasswd"
	for u in alice bob carol; do
		mkdir -p "$r/$D/$u/Maildir/cur" "$r/$D/$u/Maildir/new" "$r/$D/$u/Maildir/tmp"
	done
}

# userdb for courier's authuserdb: the vpasswd hashes as systempw, the
# Maildirs of tree $1
userdb() {
	local r=$1 name hash rest
	while IFS=: read -r name hash _ _ _ rest; do
		printf '%s@example.com\tuid=89|gid=89|home=%s/%s/%s|mail=%s/%s/%s/Maildir|systempw=%s\n' \
		    "$name" "$r" "$D" "$name" "$r" "$D" "$name" "$hash"
	done <"$r/$D/vpasswd"
}

# courier_on TREE CMD...: courier serving TREE while CMD runs (@PORT@ in CMD is its port)
courier_on() {
	local r=$1 rc
	shift
	userdb "$r" >"$H_DIR/userdb" || return 1
	chown -R 89:89 "$r/home/vpopmail" && chmod 0755 "$r"
	courier_start "$CACHE" "$H_DIR/userdb" || return 1
	"${@//@PORT@/$H_COURIER_PORT}"
	rc=$?
	courier_stop
	return $rc
}

# copy_fixed SRC MANIFEST DST: a checked-out tree completed as a test does
copy_fixed() {
	rm -rf "$3" && cp -a "$1" "$3" && python3 "$CLIENT" fixup "$3" "$2" &&
	    chown -R 89:89 "$3/home/vpopmail"
}

# record TREE FILE: qmail-pop3d first (it changes nothing without QUIT),
# then courier's answers (its SELECTs move new/ to cur/)
record() {
	local r=$1 imap pop
	pop=$(python3 "$CLIENT" qmail-pop3d "$POP3D" "$r") || return 1
	imap=$(courier_on "$r" python3 "$CLIENT" dump @PORT@) || return 1
	printf '{"imap": %s, "pop3": %s}' "$imap" "$pop" |
	    python3 -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1, sort_keys=True); print()' >"$2"
}

# commit_tree SRC NAME: SRC as OUT/NAME (files 0644/0755 as git keeps them) + its manifest
commit_tree() {
	rm -rf "${OUT:?}/$2"
	cp -a "$1" "$OUT/$2" || return 1
	python3 "$CLIENT" manifest "$OUT/$2" >"$OUT/$2.fixup" || return 1
	chown -R root:root "$OUT/$2"
	find "$OUT/$2" -type d -empty -delete
}

S1=$H_DIR/state1
S2=$H_DIR/state2
mkdir -p "$OUT"
skeleton "$S1" || die "skeleton"
courier_on "$S1" python3 "$CLIENT" state1 @PORT@ || die "state 1 through courier"
python3 "$CLIENT" deliver "$S1" 1 || die "deliveries 1"
commit_tree "$S1" root || die "commit root"

copy_fixed "$OUT/root" "$OUT/root.fixup" "$H_DIR/rec1" && record "$H_DIR/rec1" "$OUT/recording.json" ||
    die "recording 1"

copy_fixed "$OUT/root" "$OUT/root.fixup" "$S2" || die "copy for state 2"
courier_on "$S2" python3 "$CLIENT" state2 @PORT@ || die "state 2 through courier"
python3 "$CLIENT" deliver "$S2" 2 || die "deliveries 2"
commit_tree "$S2" second || die "commit second"

copy_fixed "$OUT/second" "$OUT/second.fixup" "$H_DIR/rec2" &&
    record "$H_DIR/rec2" "$OUT/recording-second.json" || die "recording 2"
h_stop_all
echo "courier-sample: wrote $OUT" >&2
