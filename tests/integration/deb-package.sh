#!/bin/bash
#
# NAME		deb-package.sh - the Debian package, end to end in Debian 12
# DOES		builds the .deb with dpkg-buildpackage from a copy of the source
#		tree (once per build directory, again when a source file is
#		newer), checks it with lintian, installs it with dpkg -i in a
#		clean Debian 12 root (mmdebstrap, cached like the Debian 13 root
#		of lib/debian13.sh) and proves there that dpkg -i started no
#		daemon and left the srs-map unit disabled; runs the README's
#		night of the switch on samples/oldhost (run, rehearse, install
#		of every part, sync),
#		boots the installed Postfix, Dovecot, OpenDKIM and srs-map in a
#		network namespace of its own (loopback only), then: an IMAP
#		login with an old password, a local delivery into its Maildir,
#		a forward leaving with an SRS envelope sender and a DKIM
#		signature that verifies with the key OUT/dkim publishes; and
#		requeue re-injects the old queue there
# NEVER		starts anything outside its own PID and network namespaces;
#		everything there dies with the namespace's first process
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/debian13.sh"
h_init deb-package
: "${top_builddir:=$(pwd)}"

# Debian 12 with the servers only: the project comes in as the package
D13_NAME=debian12
D13_SUITE=bookworm
D13_VARIANT=minbase
D13_PKGS="postfix,dovecot-core,dovecot-imapd,dovecot-pop3d,dovecot-lmtpd,\
opendkim,opendkim-tools,nftables,libspf2-2,libldns3,libpsl5,libjansson4,\
libcdb1,libssl3,libopendkim11,libmariadb3"
# built when missing (CI's first run); SKIP where it cannot be (Bail under CI)
d13_available >/dev/null || d13_build >"$H_DIR/root-build.log" 2>&1
d13_require
for c in dpkg-buildpackage lintian fakeroot nsenter smtp-sink swaks; do
	command -v "$c" >/dev/null || tap_bail "$c missing (setup.sh PKGS_TEST)"
done

# the .deb, built once per build directory from a copy of the tree
deb_build() {
	local base=$top_builddir/tests/deb-package
	mkdir -p "$base" || return 1
	(
		flock 8 || exit 1
		[ -e "$base/ready" ] && ! d13_src_newer "$base/ready" && exit 0
		rm -rf "$base/src" "$base/ready" "$base"/*.deb "$base"/*.changes \
		    "$base"/*.buildinfo
		d13_copy_src "$base/src" || exit 1
		(cd "$base/src" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" \
		    dpkg-buildpackage -us -uc -b) >"$base/build.log" 2>&1 ||
		    exit 1
		touch "$base/ready"
	) 8>"$base/.lock" || return 1
	echo "$base"
}
B=$(deb_build) ||
    tap_bail "dpkg-buildpackage failed: $(tail -5 "$top_builddir/tests/deb-package/build.log")"
DEB=$(ls "$B"/qmail2postfix_*.deb)
tap_ok "dpkg-buildpackage -us -uc -b builds $(basename "$DEB")"
tap_check "lintian: no error, no warning" \
    lintian --fail-on error,warning "$B"/qmail2postfix_*.changes
tap_check "the package holds the six programs, their man pages and the srs-map unit" \
    bash -c "dpkg -c '$DEB' | awk '{print \$6}' | grep -c -x -E \
    '\./usr/bin/(qmail2postfix|q2p-dotqmail|srs-forward|srs-map|authcheck|cutover-report)|\./usr/share/man/man[158]/(qmail2postfix\.8|q2p-dotqmail\.1|srs-forward\.1|srs-map\.1|authcheck\.1|cutover-report\.1|migration\.json\.5)\.gz|\./lib/systemd/system/srs-map\.service' |
    grep -x 14"

R=$H_DIR/root
d13_unpack "$R" || tap_bail "cannot unpack the Debian 12 root"
in_root_pids() {	# processes whose root directory is the Debian 12 root
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
	done
}
# README: apt-get install ./qmail2postfix_*.deb (its dependencies are
# in the root already: apt downloads nothing, dpkg -i does the install)
cp "$DEB" "$R/tmp/" && d13 "$R" sh -c "cd /tmp &&
    apt-get install ./$(basename "$DEB")" >"$H_DIR/dpkg.out" 2>&1
tap_check "apt-get install ./$(basename "$DEB") in Debian 12" \
    bash -c "d=\$(chroot '$R' dpkg-query -W -f='\${Status}' qmail2postfix); \
    test \"\$d\" = 'install ok installed' || { cat '$H_DIR/dpkg.out'; exit 1; }"
tap_check "the install started no daemon" test -z "$(in_root_pids)"
tap_check "srs-map.service shipped, not enabled" \
    bash -c "test -f '$R/lib/systemd/system/srs-map.service' &&
    test -z \"\$(find '$R/etc/systemd' -name srs-map.service)\""

# the old host as other tests make it, inside the root
cp -a "$top_srcdir/samples/oldhost" "$R/mnt/old" &&
    python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$R/mnt/old" \
    --tree oldhost >/dev/null || tap_bail "cannot prepare the old host copy"

# README, the night of the switch: run (for the Postfix and Dovecot of the
# machine it runs on), rehearse, report, install, sync
d13 "$R" qmail2postfix --root /mnt/old -o /root/q2p \
    --hostname mx1.example.com --ip 198.51.100.25 >"$H_DIR/run.out" 2>&1
rc=$?
tap_check "qmail2postfix --root /mnt/old -o /root/q2p (exit $rc): written for Postfix 3.7, Dovecot 2.3" \
    bash -c "[ $rc -le 1 ] && head -3 '$R/root/q2p/postfix/main.cf' | grep -q 3.7 &&
    head -3 '$R/root/q2p/dovecot/dovecot.conf' | grep -q 2.3"

# dovecot.conf names the new host's certificate: the admin's part
key=$(sed -n 's/^ *ssl_key *= *<//p' "$R/root/q2p/dovecot/dovecot.conf" | head -1)
crt=$(sed -n 's/^ *ssl_cert *= *<//p' "$R/root/q2p/dovecot/dovecot.conf" | head -1)
[ -z "$key" ] || { mkdir -p "$R$(dirname "$key")" "$R$(dirname "$crt")" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mail.example.com \
	-keyout "$R$key" -out "$R$crt" >/dev/null 2>&1; } ||
    tap_bail "cannot make a certificate"

# (--limits, minutes of connection probes, is rehearse-limits.sh's part)
d13_ns "$R" qmail2postfix rehearse /root/q2p >"$H_DIR/rehearse.out" 2>&1
rc=$?
tap_check "qmail2postfix rehearse /root/q2p (exit $rc)" \
    bash -c "[ $rc -eq 0 ] || { tail -5 '$H_DIR/rehearse.out'; exit 1; }"

# every part: Postfix, Dovecot, the mail user, srsfwd, the SRS secret and
# unit, OpenDKIM, nftables, sysctl
d13 "$R" qmail2postfix install /root/q2p >"$H_DIR/install.out" 2>&1
rc=$?
tap_check "qmail2postfix install /root/q2p (exit $rc)" \
    bash -c "[ $rc -eq 0 ] || { tail -5 '$H_DIR/install.out'; exit 1; }"
tap_check "installed: secret 0600 srsfwd, DKIM key 0600 opendkim, mail user 89" \
    bash -c "test \"\$(chroot '$R' stat -c '%a %U' /etc/qmail2postfix/srs-secret)\" = '600 srsfwd' &&
    test \"\$(chroot '$R' stat -c '%a %U' /etc/opendkim/keys/q2p.private)\" = '600 opendkim' &&
    chroot '$R' id -u vpopmail | grep -qx 89"
d13 "$R" qmail2postfix sync /root/q2p --root /mnt/old -q >"$H_DIR/sync.out" 2>&1
rc=$?
tap_check "qmail2postfix sync /root/q2p --root /mnt/old (exit $rc)" \
    bash -c "[ $rc -eq 0 ] || { tail -5 '$H_DIR/sync.out'; exit 1; }"
d13 "$R" qmail2postfix sync /root/q2p --root /mnt/old --final -q \
    >"$H_DIR/sync2.out" 2>&1
rc=$?
tap_check "qmail2postfix sync /root/q2p --root /mnt/old --final (exit $rc)" \
    bash -c "[ $rc -eq 0 ] || { tail -5 '$H_DIR/sync2.out'; exit 1; }"

# outgoing mail leaves for a capture sink on loopback (the relayhost), not
# for the Internet; nothing else of the installed configuration changes
d13 "$R" postconf -e 'relayhost = [127.0.0.1]:2525' ||
    tap_bail "cannot set the relayhost"

# Boot: a PID and network namespace (loopback only) around the chroot;
# its first process starts the servers as installed, then waits. Killing
# it ends every process inside.
srs_exec=$(sed -n 's/^ExecStart=//p' "$R/etc/systemd/system/srs-map.service")
mkdir -p "$R/tmp/sink" && chmod 0777 "$R/tmp/sink"
cat >"$R/tmp/boot.sh" <<EOF
#!/bin/sh
$srs_exec &
mkdir -p /run/opendkim && chown opendkim:opendkim /run/opendkim
opendkim -f -x /etc/opendkim.conf &
dovecot -F &
smtp-sink -u nobody -d /tmp/sink/%M. 127.0.0.1:2525 64 &
postfix start-fg &
echo booted >/tmp/booted
wait
EOF
chmod 0755 "$R/tmp/boot.sh"
unshare --net --mount --pid --fork --kill-child --propagation private \
    /bin/sh -c '
	ip link set lo up || exit 1
	mount --bind "$1" "$1" && mount -t proc proc "$1/proc" || exit 1
	exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    LANG=C.UTF-8 /tmp/boot.sh' _ "$R" >"$H_DIR/boot.out" 2>&1 &
U=$!
deb_root_stop() { kill -KILL "$U" 2>/dev/null; wait "$U" 2>/dev/null; }
_h_register deb_root_stop
h_wait 100 test -e "$R/tmp/booted" || tap_bail "the root did not boot: $(cat "$H_DIR/boot.out")"
P=$(cat "/proc/$U/task/$U/children" 2>/dev/null | awk '{print $1}')
[ -n "$P" ] || tap_bail "no first process in the namespace"
inns() { nsenter -t "$P" -n "$@"; }
port_up() { inns bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
for p in 25 143 8891 10003 2525; do
	h_wait 300 port_up "$p" || tap_bail "nothing listens on $p in the root: $(cat "$H_DIR/boot.out")"
done
tap_ok "the installed Postfix, Dovecot, OpenDKIM and srs-map run on loopback"

vp=$R/mnt/old/home/vpopmail/domains/example.com/vpasswd
pw_of() { awk -F: -v u="$1" '$1 == u { print $8 }' "$vp"; }
tap_check "IMAP login with the old password (alice@example.com)" \
    inns bash -c "$(declare -f h_imap_login); h_imap_login alice@example.com '$(pw_of alice)' 143"

# local delivery, and the forward of billing@ (kim's Maildir and
# accounting@remote.example): one message, From: our domain, envelope from
# a foreign sender, sent from loopback (TrustedHosts: OpenDKIM signs it)
inns swaks --server 127.0.0.1 --port 25 --from news@sender.example \
    --to billing@example.com --header 'From: carol@example.com' \
    --header 'Subject: deb-package' --body 'the night of the switch' \
    >"$H_DIR/swaks.out" 2>&1
kim=$R/home/vpopmail/domains/example.com/kim/Maildir
tap_check "local delivery: the message lands in kim's Maildir" \
    h_wait 300 bash -c "grep -l -r -q 'Subject: deb-package' '$kim/new' '$kim/cur'"
h_wait 300 bash -c "ls '$R'/tmp/sink/* >/dev/null 2>&1" 
m=$(ls "$R"/tmp/sink/* 2>/dev/null | head -1)
tap_check "the forward leaves with an SRS envelope sender" \
    bash -c "grep -q '^X-Mail-Args: <SRS0=[^>]*=sender.example=news@srs.example.com>' '$m' &&
    grep -q '^X-Rcpt-Args: <accounting@remote.example>' '$m'"

# the signature verifies with the key OUT/dkim publishes, served by NSD
mkdir -p "$H_DIR/zones" && {
	printf '$ORIGIN example.com.\n$TTL 300\n'
	printf '@ IN SOA ns.example.com. h.example.com. 1 3600 600 86400 300\n'
	printf '@ IN NS ns.example.com.\nns IN A 127.0.0.1\n'
	grep '^q2p._domainkey.example.com. ' "$R/root/q2p/dkim/dns-records.txt"
} >"$H_DIR/zones/example.com.zone"
h_nsd_start "$H_DIR/zones" || tap_bail "nsd"
sed '/^X-[A-Za-z-]*-Args:\|^X-Client-[A-Za-z]*:/d' "$m" >"$H_DIR/forward.eml"
v=$(perl "$top_srcdir/tests/integration/srs/dkim.pl" verify "$H_DNS_PORT" \
    <"$H_DIR/forward.eml")
tap_check "the forward carries a DKIM signature of example.com that verifies ($v)" \
    bash -c "case '$v' in 'pass example.com q2p'*) exit 0;; esac; exit 1"

# README: requeue, from the old host's queue into the installed Postfix
d13_in() { nsenter -t "$P" -n -m -p -r -w "$@"; }
d13_in qmail2postfix requeue --root /mnt/old --dry-run \
    >"$H_DIR/requeue0.out" 2>&1
rc=$?
tap_check "qmail2postfix requeue --root /mnt/old --dry-run (exit $rc)" \
    bash -c "[ $rc -eq 0 ] || { tail -5 '$H_DIR/requeue0.out'; exit 1; }"
d13_in qmail2postfix requeue --root /mnt/old >"$H_DIR/requeue.out" 2>&1
rc=$?
tap_check "qmail2postfix requeue --root /mnt/old (exit $rc)" \
    bash -c "[ $rc -eq 0 ] || { tail -5 '$H_DIR/requeue.out'; exit 1; }"

deb_root_stop
h_nsd_stop
tap_check "nothing left running in the root" test -z "$(in_root_pids)"
h_assert_no_leftovers
tap_done
