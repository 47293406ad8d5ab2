#!/bin/bash
# make-lists.sh - the parameter names each Postfix release knows, as
# `postconf -d` lists them with an empty main.cf and the release's own
# master.cf.dist (no site services, whose per-transport names would join
# the list), one name a line, sorted.
#
#   make-lists.sh host           3.7 from this Debian 12 host's postfix
#   make-lists.sh root DIR       from a root made for it (chroot), e.g.
#                                the Debian 13 root of debian13.sh (3.10) or
#       mmdebstrap --variant=apt --include=postfix bullseye DIR \
#           "deb http://deb.debian.org/debian bullseye main"
#                                (3.5; archive.debian.org once it has moved)
#
# Writes MAJOR.MINOR.txt beside this script, named by the release's
# mail_version. The roots are not kept: only the lists are committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
case ${1:-} in
host)	run() { "$@"; }; base= ;;
root)	base=${2:?usage: make-lists.sh root DIR}
	run() { chroot "$base" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; } ;;
*)	echo "usage: make-lists.sh host | root DIR" >&2; exit 64 ;;
esac
tmp=$(mktemp -d "${base:-}/tmp/postconf-d.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "${base:-}/usr/share/postfix/master.cf.dist" "$tmp/master.cf"
: >"$tmp/main.cf"
dir=${tmp#"${base:-}"}
ver=$(run postconf -c "$dir" -d -h mail_version)
ver=$(echo "$ver" | cut -d. -f1,2)
run postconf -c "$dir" -d | sed 's/ = .*//; s/ =$//' | LC_ALL=C sort -u \
    >"$here/$ver.txt"
echo "$here/$ver.txt: $(wc -l <"$here/$ver.txt") parameters of Postfix $ver"
