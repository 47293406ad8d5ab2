#!/bin/bash
# record.sh NOTQMAIL_SRC VPOPMAIL_SRC [ext|noext|per-domain|one-table ...]
#
# Re-records samples/realhost from the real programs: builds notqmail
# (NOTQMAIL_SRC, e.g. `git archive notqmail-1.08` of notqmail/notqmail) and
# vpopmail 5.4.33 (VPOPMAIL_SRC, `git archive v5_4_33` of DerDakon/vpopmail)
# inside a Debian 12 root made with mmdebstrap, once per build (ext:
# --enable-qmail-ext, noext: vpopmail's defaults), makes the sample host
# with vpopmail's tools (populate.sh), copies the tree to
# samples/realhost/BUILD/root before any mail arrives, then probes it
# (probe.py) and writes BUILD/routes.tsv, pipes.json, logins.tsv,
# passwords.tsv and BUILD.fixup.
#
# per-domain and one-table are the MySQL builds of samples/sqlhost (see its
# README.md): the root also has MariaDB (samples/sqlhost/tools/db.sh runs it
# while vpopmail's tools and the probes need it), the host gets
# samples/sqlhost/tools/populate.sh's rows after populate.sh's, the probes
# of samples/sqlhost/tools/probes.tsv after probes.tsv's, and the database
# is written to samples/sqlhost/BUILD/vpopmail.sql (mariadb-dump) before
# any mail arrives; the tree and recordings go to samples/sqlhost/BUILD.
#
# The machine is left as it was: users, /var/qmail and /home/vpopmail exist
# only inside the root, and everything runs in private mount, PID and
# network namespaces (the servers die with them).  The root tarball is
# cached under /var/cache/qmail2postfix (QPM_D13_CACHE), as
# tests/integration/lib/debian13.sh caches its own; it needs root,
# mmdebstrap and zstd.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: record.sh NOTQMAIL_SRC VPOPMAIL_SRC [ext|noext ...]" >&2; exit 64; }
nq=$(cd "$1" && pwd)
vp=$(cd "$2" && pwd)
shift 2
builds=${*:-ext noext}
tools=$(cd "$(dirname "$0")" && pwd)
realhost=$(dirname "$tools")
top=$(cd "$realhost/../.." && pwd)
sqltools=$top/samples/sqlhost/tools
[ -f "$nq/qmail-send.c" ] || { echo "record.sh: $nq is no notqmail source" >&2; exit 1; }
[ -f "$vp/vdelivermail.c" ] || { echo "record.sh: $vp is no vpopmail source" >&2; exit 1; }

# the root: debian13.sh's cached mmdebstrap tarball, for Debian 12
. "$top/tests/integration/lib/debian13.sh"
# shellcheck disable=SC2034	# read by debian13.sh's functions
D13_SUITE=bookworm
# shellcheck disable=SC2034
D13_PKGS="build-essential,ucspi-tcp,groff-base,python3,procps"

# inroot ROOT CMD...: CMD chrooted into ROOT with its own mount, PID and
# network namespaces (loopback up: 127.0.0.1 and 127.0.0.2 are its own,
# and the documentation addresses of the office client (192.0.2.10) and
# of the sinks smtproutes names)
inroot() {
	local dir=$1
	shift
	unshare --net --mount --pid --fork --propagation private /bin/sh -c '
	    d=$1; shift
	    ip link set lo up || exit 1
	    for a in 192.0.2.10 192.0.2.25 192.0.2.30; do
		ip addr add "$a/32" dev lo || exit 1
	    done
	    mount --bind "$d" "$d" || exit 1
	    mount -t proc proc "$d/proc" || exit 1
	    exec chroot "$d" /usr/bin/env -i \
		PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 HOME=/root "$@"' _ "$dir" "$@"
}

for b in $builds; do
	# sql: the MySQL builds (samples/sqlhost); db: run the steps that need
	# the database with MariaDB around them
	case $b in
	ext|noext) sql= base=$realhost ;;
	per-domain|one-table) sql=1 base=$top/samples/sqlhost ;;
	*) echo "record.sh: unknown build $b" >&2; exit 64 ;;
	esac
	# shellcheck disable=SC2034
	D13_PKGS="build-essential,ucspi-tcp,groff-base,python3,procps${sql:+,mariadb-server,libmariadb-dev-compat}"
	d13_build
	w=$(mktemp -d /var/tmp/realhost.XXXXXX)
	# QPM_RECORD_KEEP=1 keeps the root of a failed build for a look
	trap '[ "${QPM_RECORD_KEEP:-}" = 1 ] || rm -rf "$w"' EXIT
	r=$w/root
	echo "record.sh: $b: building in $r" >&2
	d13_unpack "$r"
	mkdir -p "$r/src" "$r/root/tools"
	cp -a "$nq" "$r/src/notqmail"
	cp -a "$vp" "$r/src/vpopmail"
	cp -a "$tools/." "$r/root/tools/"
	if [ -n "$sql" ]; then
		mkdir -p "$r/root/sqltools"
		cp -a "$sqltools/." "$r/root/sqltools/"
	fi
	install -m 0755 "$tools/dumpenv" "$r/usr/local/bin/dumpenv"
	mkdir -p "$r/var/tmp/pipes"
	chmod 1777 "$r/var/tmp/pipes"
	echo mail.example.com >"$r/etc/hostname"
	inroot "$r" sh /root/tools/build.sh "$b" ||
	    { tail -30 "$r/root/build.log" >&2; exit 1; }
	if [ -n "$sql" ]; then
		inroot "$r" sh -c 'sh /root/sqltools/db.sh start || exit 1
		    sh -x /root/tools/populate.sh && sh -x /root/sqltools/populate.sh &&
		    sh /root/sqltools/db.sh dump /root/vpopmail.sql
		    rc=$?; sh /root/sqltools/db.sh stop; exit $rc' \
		    >"$w/populate.log" 2>&1 ||
		    { cat "$w/populate.log" >&2; exit 1; }
	else
		inroot "$r" sh /root/tools/populate.sh >"$w/populate.log" 2>&1 ||
		    { cat "$w/populate.log" >&2; exit 1; }
	fi

	# the tree as qmail2postfix --root reads it: no programs, no manuals
	# (only vpopmail's build settings from its include/)
	out=$base/$b
	rm -rf "$out/root"
	mkdir -p "$out/root/etc" "$out/root/var" "$out/root/home" \
	    "$out/root/home/vpopmail/include"
	cp -a "$r/var/qmail" "$out/root/var/"
	rm -rf "$out/root/var/qmail/"{bin,man,doc,boot}
	for d in domains etc; do
		cp -a "$r/home/vpopmail/$d" "$out/root/home/vpopmail/"
	done
	cp -a "$r/home/vpopmail/include/vpopmail_config.h" "$out/root/home/vpopmail/include/"
	cp -a "$r/etc/"{passwd,group,hostname,tcp.smtp,tcp.smtp.cdb} "$out/root/etc/"
	python3 "$tools/fixup.py" manifest "$out/root" "$base/$b.fixup" "$b"

	if [ -n "$sql" ]; then
		cp "$r/root/vpopmail.sql" "$out/vpopmail.sql"
		inroot "$r" sh -c 'sh /root/sqltools/db.sh start || exit 1
		    python3 /root/tools/probe.py /root/out /root/sqltools/probes.tsv
		    rc=$?; sh /root/sqltools/db.sh stop; exit $rc'
	else
		inroot "$r" python3 /root/tools/probe.py /root/out
	fi
	cp "$r/root/out/"{routes.tsv,pipes.json,logins.tsv} "$out/"
	cp "$r/root/passwords.tsv" "$out/passwords.tsv"
	rm -rf "$w"
	trap - EXIT
	echo "record.sh: $b: recorded into $out" >&2
done
