#!/bin/bash
# setup.sh - the two set-up commands of the README.
#   ./setup.sh demo   install what is needed, build, migrate samples/oldhost,
#                     print the migration report
#   ./setup.sh test   install what is needed, build with ASan+UBSan, run every
#                     test (unit, integration, fuzz replay); the last line is
#                     "N passed, N failed"
# Run as root on Debian 12. No packaged daemon is started: policy-rc.d says no.
set -u
cd "$(dirname "$0")" || exit 2
SRC=$PWD

# Debian packages, by name. Build: compiler, autotools and the libraries.
PKGS_BUILD="gcc make autoconf automake pkg-config libc6-dev
	libspf2-dev libopendkim-dev libldns-dev libpsl-dev libjansson-dev libssl-dev
	libcdb-dev libcmocka-dev libmariadb-dev python3"
# Tests: the real servers and peers they run against.
PKGS_TEST="clang ldnsutils nsd postfix dovecot-core dovecot-imapd dovecot-pop3d
	dovecot-lmtpd opendkim opendkim-tools postsrsd ucspi-tcp tinycdb
	spf-tools-perl libmail-dkim-perl libmail-srs-perl libmail-dmarc-perl opendmarc
	spfquery faketime nftables iproute2 procps python3 python3-yaml strace whois
	swaks valgrind jq hyperfine chromium fonts-dejavu-core mmdebstrap zstd openssl
	mariadb-server mariadb-client postfix-mysql dovecot-mysql
	debhelper lintian fakeroot dpkg-dev"

die() { echo "setup.sh: $*" >&2; exit 2; }

install_packages() {
	local missing="" p
	[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		# keep Debian from starting the packaged daemons on install
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
	fi
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "setup.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	    die "apt-get install failed"
}

build() {	# build DIR [configure options]
	local dir=$1; shift
	[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || die "autogen.sh failed"
	mkdir -p "$dir" || die "cannot create $dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$SRC/configure" -q "$@") || die "configure failed"
	fi
	make -C "$dir" -s -j"$(nproc)" >/dev/null || die "build failed"
}

# Count every test case from the automake .trs files: one line per case.
count_results() {
	local dir=$1
	find "$dir/tests" -name '*.trs' -exec cat {} + 2>/dev/null | awk '
		/^:test-result: (PASS|XFAIL)/ { p++ }
		/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
		/^:test-result: SKIP/ { s++ }
		END { printf "%d passed, %d failed", p, f;
		      if (s) printf ", %d skipped", s; printf "\n";
		      exit (f > 0) }'
}

case "${1:-}" in
demo)
	install_packages $PKGS_BUILD tinycdb
	build _build
	exec "$SRC/tests/demo.sh" "$SRC/_build"
	;;
test)
	install_packages $PKGS_BUILD $PKGS_TEST
	build _build-san --enable-sanitizers
	# The Debian 13 root (Postfix 3.10, Dovecot 2.4) the debian13-* tests
	# run in: built once, cached under /var/cache/qmail2postfix. Without it
	# those tests skip; under CI (CI=true) the run fails here.
	if ! tests/integration/lib/debian13.sh build; then
		[ "${CI:-}" != true ] ||
		    die "no Debian 13 root under CI: the debian13-* tests cannot run"
		echo "setup.sh: no Debian 13 root: the debian13-* tests will skip" >&2
	fi
	make -C _build-san -k -j"$(nproc)" check
	rc=$?
	# each failed test's log, so the reason is in the output
	grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' \
	    $(find _build-san/tests -name '*.trs') 2>/dev/null |
	while read -r t; do
		echo "==== ${t%.trs}.log"
		tail -n 40 "${t%.trs}.log"
	done
	count_results _build-san || rc=1
	exit $rc
	;;
*)
	echo "usage: ./setup.sh demo | test" >&2
	exit 64
	;;
esac
