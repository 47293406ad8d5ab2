#!/bin/bash
# courier.sh - Debian 12's courier-imap (imapd + authdaemond with authuserdb)
# on loopback, run from an unpacked copy of its packages.
#
# courier-imap and dovecot-imapd conflict as Debian packages, and the tests
# need both: courier is never installed. Its .debs (and the courier
# libraries it needs that the machine lacks) are fetched with apt-get
# download and unpacked with dpkg-deb -x into a cache directory; the servers
# run in a private mount namespace where read-only overlays add the unpacked
# /usr and an /etc/courier mount point to the machine's, a private directory
# is bind-mounted on /etc/courier, and /run is a private tmpfs (courier has
# /usr/lib/courier-authlib, /etc/courier and /run/courier compiled in, and
# none of them exists on this machine to bind-mount over).
#
#   courier.sh cache [DIR]   make the cache when it is missing; print its path
#
# Sourced by tests (after harness.sh):
#   courier_cache [DIR]      the same; prints the path, 1 when it cannot be made
#   courier_start CACHE USERDB
#                            authdaemond + couriertcpd/imapd on 127.0.0.1;
#                            USERDB holds courier userdb lines
#                            ("user<TAB>uid=..|gid=..|home=..|mail=..|systempw=..");
#                            sets H_COURIER_PORT, H_COURIER_PID, H_COURIER_DIR
#   courier_stop             stops both by pid
#
# QPM_COURIER_CACHE overrides the cache directory. gamin is there because
# libgamin (courier's FAM) starts its gam_server and waits for it: without
# the program, imapd hangs now and then on SELECT or STATUS.

COURIER_PKGS="courier-imap courier-base courier-authlib courier-authdaemon \
courier-authlib-userdb libcourier-unicode4 libgamin0 gamin libidn12 libltdl7"
# named by the package list, so that a changed list makes a new cache
COURIER_CACHE=${QPM_COURIER_CACHE:-/var/cache/qmail2postfix/courier-imap-bookworm-$(
	echo "$COURIER_PKGS" | md5sum | cut -c1-8)}

courier_cache() {
	local dir=${1:-$COURIER_CACHE} tmp p
	if [ -f "$dir/complete" ]; then
		echo "$dir"
		return 0
	fi
	mkdir -p "$(dirname "$dir")" || return 1
	(
		exec 9>"$dir.lock"
		flock 9 || exit 1
		[ -f "$dir/complete" ] && exit 0
		tmp=$dir.tmp.$$
		rm -rf "$tmp" "$dir"
		mkdir -p "$tmp/debs" "$tmp/root" || exit 1
		# apt's _apt user must be able to write the download directory
		chmod 0777 "$tmp/debs"
		(cd "$tmp/debs" && apt-get download $COURIER_PKGS) >"$tmp/download.log" 2>&1 || {
			echo "courier.sh: apt-get download failed: $(tail -n 3 "$tmp/download.log")" >&2
			rm -rf "$tmp"
			exit 1
		}
		chmod 0755 "$tmp/debs"
		for p in "$tmp"/debs/*.deb; do
			dpkg-deb -x "$p" "$tmp/root" || { rm -rf "$tmp"; exit 1; }
		done
		(cd "$tmp/debs" && ls) >"$tmp/complete"
		mv -T "$tmp" "$dir"
	) || return 1
	[ -f "$dir/complete" ] && echo "$dir"
}

# _courier_ns CACHE ETC CMD...: CMD inside the private mount namespace
_courier_ns() {
	local cache=$1 etc=$2
	shift 2
	unshare --mount --propagation private bash -c '
	    mount -t overlay courier-usr -o "lowerdir=$1/root/usr:/usr" /usr &&
	    mount -t overlay courier-etc -o "lowerdir=$2:/etc" /etc &&
	    mount --bind "$2/courier" /etc/courier &&
	    mount -t tmpfs -o mode=0755 courier-run /run &&
	    mkdir -p /run/courier/authdaemon || exit 1
	    shift 2; exec "$@"' _ "$cache" "$etc" "$@"
}

courier_start() {
	local cache=${1:?courier_start CACHE USERDB} userdb=${2:?courier_start CACHE USERDB}
	local d
	_h_need_init
	h_vmail_user || return 1
	d=$H_DIR/courier
	H_COURIER_DIR=$d
	mkdir -p "$d/etc/courier" || return 1
	H_COURIER_PORT=$(h_free_port) || return 1
	cat >"$d/etc/courier/authdaemonrc" <<EOF
authmodulelist="authuserdb"
daemons=2
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
EOF
	# Debian's /etc/courier/imapd with the address and port of this test;
	# IMAP_EMPTYTRASH is off so that nothing is removed behind the client
	cat >"$d/etc/courier/imapd" <<EOF
ADDRESS=127.0.0.1
PORT=$H_COURIER_PORT
MAXDAEMONS=10
MAXPERIP=10
TCPDOPTS="-nodnslookup -noidentlookup"
IMAP_CAPABILITY="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE"
IMAP_KEYWORDS=1
IMAP_ACL=1
IMAP_PROXY=0
IMAP_IDLE_TIMEOUT=60
IMAP_MAILBOX_SANITY_CHECK=1
IMAP_DISABLETHREADSORT=0
IMAP_CHECK_ALL_FOLDERS=0
IMAP_OBSOLETE_CLIENT=0
IMAP_UMASK=022
IMAP_USELOCKS=1
IMAP_SHAREDINDEXFILE=/etc/courier/shared/index
IMAP_ENHANCEDIDLE=0
IMAP_TRASHFOLDERNAME=Trash
IMAP_EMPTYTRASH=
IMAP_MOVE_EXPUNGE_TO_TRASH=0
IMAP_TLS_REQUIRED=0
MAILDIRPATH=Maildir
EOF
	(umask 077; cp "$userdb" "$d/etc/courier/userdb") || return 1
	cp -a "$cache/root/etc/courier/imapd-ssl" "$d/etc/courier/" 2>/dev/null
	_courier_ns "$cache" "$d/etc" /usr/sbin/makeuserdb >"$d/makeuserdb.out" 2>&1 || {
		h_log "makeuserdb: $(cat "$d/makeuserdb.out")"
		return 1
	}
	# one namespace for both: authdaemond in the background, couriertcpd
	# (which replaces the shell, so $! of this job is its pid)
	_courier_ns "$cache" "$d/etc" bash -c '
	    /usr/lib/courier/courier-authlib/authdaemond >"$1/authdaemond.log" 2>&1 &
	    echo $! >"$1/authdaemond.pid"
	    # FAM for the mail user; otherwise imapd starts its own, which outlives the test
	    setpriv --reuid=89 --regid=89 --clear-groups /usr/libexec/gam_server --notimeout \
		>"$1/gam_server.log" 2>&1 &
	    echo $! >"$1/gam_server.pid"
	    set -a; . /etc/courier/imapd; set +a
	    for i in $(seq 50); do
		[ -S /run/courier/authdaemon/socket ] && break; sleep 0.1
	    done
	    exec /usr/sbin/couriertcpd -address=$ADDRESS -maxprocs=$MAXDAEMONS \
		-maxperip=$MAXPERIP $TCPDOPTS $PORT \
		/usr/lib/courier/courier/imaplogin /usr/bin/imapd $MAILDIRPATH' \
	    _ "$d" >"$d/couriertcpd.log" 2>&1 &
	H_COURIER_PID=$!
	H_PIDS+=("$H_COURIER_PID")
	_h_register courier_stop
	if ! h_wait_tcp "$H_COURIER_PORT"; then
		h_log "courier not listening: $(cat "$d/couriertcpd.log" "$d/authdaemond.log" 2>/dev/null)"
		return 1
	fi
	H_PIDS+=("$(cat "$d/authdaemond.pid")" "$(cat "$d/gam_server.pid")")
	h_log "courier-imap pid $H_COURIER_PID: imap $H_COURIER_PORT"
}

courier_stop() {
	[ -n "${H_COURIER_PID:-}" ] || return 0
	_h_kill_tree "$H_COURIER_PID"
	for p in authdaemond gam_server; do
		[ -f "$H_COURIER_DIR/$p.pid" ] && _h_kill_tree "$(cat "$H_COURIER_DIR/$p.pid")"
	done
	H_COURIER_PID=""
	_h_unregister courier_stop
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	cache) courier_cache "${2:-}" ;;
	*) echo "usage: courier.sh cache [DIR]" >&2; exit 2 ;;
	esac
fi
