#!/bin/bash
# debian13.sh - a Debian 13 ("trixie") root with Postfix 3.10 and Dovecot 2.4,
# built once with mmdebstrap and kept as a tarball outside the repository.
#
#   debian13.sh build     build the tarball when it is missing (or reuse it),
#                         print the versions it holds; exit 0 when present
#   debian13.sh path      print the tarball's path (it may not exist yet)
#
# Sourced by tests (after harness.sh):
#   d13_unpack DIR        unpack the root into DIR (about a second)
#   d13 DIR CMD...        run CMD inside the root (chroot)
#   d13_available         0 when the tarball exists; otherwise prints why
#   d13_project           the root of this make check run with the project
#                         built and installed inside (made once, shared)
#   d13_workdir ROOT      D13_W: a private directory inside ROOT, removed
#                         at exit (call it in the test's shell, not in $(...))
#   d13_ns ROOT CMD...    CMD inside ROOT with its own /proc (servers)
#   d13_require           for a TAP test: skip the whole test when there is
#                         no root (a failure under CI=true)
#   d13_tap_project       for a TAP test: D13_R=$(d13_project), or a failure
#   d13_tap_workdir       for a TAP test: D13_W, a d13_workdir removed at exit
#   d13_tap_samples_out   for a TAP test: both, and the samples migrated
#                         for Debian 13 in $D13_W/OUT
#
# The cache key is the suite plus the package list, so a changed list builds
# a new tarball. QPM_D13_CACHE overrides the cache directory. A machine that
# cannot reach a Debian mirror has no tarball: the tests that need one SKIP
# (never pass) there; under CI (CI=true) a missing tarball is a failure.
#
# Another root: set D13_NAME, D13_SUITE, D13_VARIANT and D13_PKGS after
# sourcing (deb-package.sh: a Debian 12 root with the servers only); the
# functions below then build, cache and unpack that one.

D13_NAME=debian13
D13_SUITE=trixie
D13_VARIANT=apt
# the servers, and what the project needs to build and run inside the root
D13_PKGS="postfix,dovecot-core,dovecot-imapd,dovecot-pop3d,dovecot-lmtpd,\
gcc,make,autoconf,automake,pkgconf,libc6-dev,libspf2-dev,libopendkim-dev,\
libldns-dev,libpsl-dev,libjansson-dev,libssl-dev,libcdb-dev,libcmocka-dev,\
libmariadb-dev,\
dovecot-mysql,postfix-mysql,mariadb-server,mariadb-client,\
python3,tinycdb"
D13_MIRROR=${QPM_D13_MIRROR:-http://deb.debian.org/debian}
D13_SECURITY=${QPM_D13_SECURITY:-http://deb.debian.org/debian-security}
D13_CACHE=${QPM_D13_CACHE:-/var/cache/qmail2postfix}

d13_key() {
	printf '%s %s\n' "$D13_SUITE" "$D13_PKGS" | sha256sum | cut -c1-12
}

d13_tarball() {
	printf '%s/%s-%s.tar.zst\n' "$D13_CACHE" "$D13_NAME" "$(d13_key)"
}

d13_available() {
	local t
	t=$(d13_tarball)
	if [ -s "$t" ]; then
		return 0
	fi
	echo "no $D13_NAME root at $t (run tests/integration/lib/debian13.sh build)"
	return 1
}

d13_require() {
	local why
	why=$(d13_available) && return 0
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	_tap_finished=skipped	# harness.sh: not "ended before tap_done"
	exit 0
}

# Build the tarball under a lock, so parallel tests never build it twice.
d13_build() {
	local t tmp rc
	t=$(d13_tarball)
	mkdir -p "$D13_CACHE" || return 1
	exec 9>"$D13_CACHE/.$D13_NAME.lock" || return 1
	flock 9 || return 1
	if [ -s "$t" ]; then
		exec 9>&-
		return 0
	fi
	command -v mmdebstrap >/dev/null || {
		echo "debian13.sh: mmdebstrap is not installed" >&2
		exec 9>&-
		return 1
	}
	command -v zstd >/dev/null || {
		echo "debian13.sh: zstd is not installed" >&2
		exec 9>&-
		return 1
	}
	tmp=$(mktemp -d "$D13_CACHE/.build.XXXXXX") || return 1
	echo "debian13.sh: building the $D13_SUITE root ($D13_PKGS) into $t" >&2
	mmdebstrap --quiet --mode=root --variant="$D13_VARIANT" --include="$D13_PKGS" \
	    "$D13_SUITE" "$tmp/root" \
	    "deb $D13_MIRROR $D13_SUITE main" \
	    "deb $D13_MIRROR $D13_SUITE-updates main" \
	    "deb $D13_SECURITY $D13_SUITE-security main" >"$tmp/log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		# apt's lists and cache are a third of the size and unused
		rm -rf "$tmp/root/var/lib/apt/lists/"* \
		    "$tmp/root/var/cache/apt/"*.bin
		tar --numeric-owner -C "$tmp/root" -cf - . |
		    zstd -q -3 -T0 >"$tmp/root.tar.zst" &&
		    mv "$tmp/root.tar.zst" "$t"
		rc=$?
	else
		tail -n 20 "$tmp/log" >&2
	fi
	rm -rf "$tmp"
	exec 9>&-
	return $rc
}

d13_unpack() {
	local dir=$1
	mkdir -p "$dir" || return 1
	zstd -q -d -c "$(d13_tarball)" | tar --numeric-owner -C "$dir" -xf -
}

d13_cleanup() {
	local m
	for m in $D13_WORKDIRS; do
		rm -rf -- "$m"
	done
	D13_WORKDIRS=""
}

d13() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i \
	    PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
	    LANG=C.UTF-8 "$@"
}

# d13_src_newer STAMP: 0 when a file of $top_srcdir (build directories,
# .git and autom4te.cache aside) is newer than STAMP
d13_src_newer() {
	[ -n "$(find "${top_srcdir:?}" \
	    \( -name '_build*' -o -name .git -o -name autom4te.cache \) \
	    -prune -o -type f -newer "$1" -print -quit)" ]
}

# d13_copy_src DEST: a copy of $top_srcdir in DEST, without build
# directories, .git and autom4te.cache
d13_copy_src() {
	mkdir -p "$1" &&
	    tar -C "${top_srcdir:?}" --exclude='./_build*' --exclude=./.git \
	    --exclude=./autom4te.cache -cf - . | tar -C "$1" -xf -
}

# d13_project: the Debian 13 root of this make check run, with the project
# built from $top_srcdir and installed inside it (/usr/local), made once per
# build directory under a lock and shared by the tests (made again when a
# source file is newer than it); prints its path.
# Each test works in its own directory under it (d13_workdir) and starts
# its servers with d13_ns, so tests can share it at the same time.
d13_project() {
	local base=${top_builddir:?top_builddir}/tests/debian13 rc
	mkdir -p "$base" || return 1
	(
		flock 8 || exit 1
		# made before, from these sources: reuse it
		[ -e "$base/ready" ] && ! d13_src_newer "$base/ready" && exit 0
		rm -rf "$base/root" "$base/ready"
		d13_unpack "$base/root" || exit 1
		d13_copy_src "$base/root/usr/src/qmail2postfix" || exit 1
		d13 "$base/root" /bin/sh -c '
		    cd /usr/src/qmail2postfix &&
		    { [ ! -x autogen.sh ] || ./autogen.sh; } &&
		    { [ ! -f Makefile ] || make distclean; } &&
		    ./configure -q --prefix=/usr/local &&
		    make -s -j2 && make -s install' >"$base/build.log" 2>&1 ||
		    exit 1
		touch "$base/ready"
	) 8>"$base/.lock"
	rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 20 "$base/build.log" >&2
		return 1
	fi
	echo "$base/root"
}

# d13_tap_project: for a TAP test after d13_require: sets D13_R to
# d13_project's root, or fails the test there with the build's log
d13_tap_project() {
	D13_R=$(d13_project) && return 0
	tap_fail "the project builds and installs in the Debian 13 root" \
	    "$(tail -n 20 "$top_builddir/tests/debian13/build.log" 2>/dev/null)"
	tap_done
}

# d13_tap_workdir: d13_workdir "$D13_R", or the test bails out
d13_tap_workdir() {
	d13_workdir "$D13_R" || tap_bail "no work directory in the root"
}

# d13_tap_samples_out: for a TAP test after d13_require: D13_R and D13_W
# (d13_tap_project, d13_tap_workdir), a fixed-up copy of samples/oldhost
# in $D13_W/old and its migration for Debian 13 (--dovecot 2.4 --postfix
# 3.10) in $D13_W/OUT, made by the root's qmail2postfix; bails out when
# the run does not exit 0 or 1
d13_tap_samples_out() {
	local s=/usr/src/qmail2postfix/samples rc
	d13_tap_project
	d13_tap_workdir
	d13 "$D13_R" sh -c "cp -a $s/oldhost $D13_W/old &&
	    python3 $s/tools/make-oldhost.py --fixup $D13_W/old --tree oldhost \
	    >/dev/null" || tap_bail "cannot prepare the old host copy"
	d13 "$D13_R" qmail2postfix --root "$D13_W/old" -o "$D13_W/OUT" -q \
	    --dovecot 2.4 --postfix 3.10 >"$D13_R$D13_W/run.out" 2>&1
	rc=$?
	[ "$rc" -le 1 ] || tap_bail "qmail2postfix run exited $rc: $(tail -5 \
	    "$D13_R$D13_W/run.out")"
}

# d13_workdir ROOT: sets D13_W to a private directory inside ROOT, as
# programs inside see it (relative to ROOT); harness.sh's exit trap
# removes it (d13_cleanup). Runs in the test's own shell: in $(...) the
# removal would be registered in a subshell and lost.
D13_WORKDIRS=""
d13_workdir() {
	local d
	d=$(mktemp -d "$1/tmp/q2p.XXXXXX") || return 1
	chmod 0755 "$d"
	D13_WORKDIRS="$d $D13_WORKDIRS"
	H_OWN_DIRS+=("$d")
	! declare -F _h_register >/dev/null || _h_register d13_cleanup
	D13_W=${d#"$1"}
}

# d13_ns ROOT CMD...: CMD inside ROOT in a private mount namespace with its
# own /proc (gone when CMD ends, nothing to unmount); loopback is shared.
# ROOT is bound onto itself first, so that "/" inside is a mount point
# (rehearse makes its own mounts private from "/": EINVAL otherwise).
# CMD's real pid goes to the harness's H_PIDFILE: whatever outlives the
# test is reported by h_leftovers and stopped by pid at exit.  Run in a
# subshell of its own ("d13_ns ... &", $(d13_ns ...)) it execs, so that
# $! is CMD itself; nothing may follow it in that subshell.
d13_ns() {
	local dir=$1
	set -- unshare --mount --propagation private /bin/sh -c '
	    d=$1; f=$2; shift 2
	    [ -z "$f" ] || echo "$$ $(sed "s/^.*) //" /proc/$$/stat |
		cut -d" " -f20)" >>"$f" || exit 1
	    mount --bind "$d" "$d" || exit 1
	    mount -t proc proc "$d/proc" || exit 1
	    exec chroot "$d" /usr/bin/env -i \
		PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 "$@"' _ "$dir" "${H_PIDFILE:-}" "${@:2}"
	if [ "$BASHPID" != "$$" ]; then
		exec "$@"
	fi
	"$@"
}

d13_versions() {
	local dir=$1
	d13 "$dir" dpkg-query -W -f='${Package} ${Version}\n' \
	    postfix dovecot-core base-files
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-}" in
	build)
		d13_build || exit 1
		tmp=$(mktemp -d) || exit 1
		trap 'rm -rf "$tmp"' EXIT
		d13_unpack "$tmp" && d13_versions "$tmp"
		;;
	path)
		d13_tarball
		;;
	*)
		echo "usage: debian13.sh build | path" >&2
		exit 64
		;;
	esac
fi
