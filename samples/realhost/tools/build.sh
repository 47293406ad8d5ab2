#!/bin/sh
# build.sh ext|noext - build and install notqmail and vpopmail 5.4.33 inside
# the build root (see record.sh), from /src/notqmail and /src/vpopmail, the
# way their INSTALL files say.  "ext" configures vpopmail with
# --enable-qmail-ext, "noext" with its defaults.
set -eu
build=$1
log=/root/build.log
: >"$log"
# qmail's users and groups (notqmail INSTALL.ids), vpopmail's (89:89)
groupadd nofiles
groupadd qmail
useradd -g nofiles -d /var/qmail/alias -M alias
useradd -g nofiles -d /var/qmail -M qmaild
useradd -g nofiles -d /var/qmail -M qmaill
useradd -g nofiles -d /var/qmail -M qmailp
useradd -g qmail -d /var/qmail -M qmailq
useradd -g qmail -d /var/qmail -M qmailr
useradd -g qmail -d /var/qmail -M qmails
groupadd -g 89 vchkpw
useradd -u 89 -g vchkpw -d /home/vpopmail -m vpopmail

cp -a /src/notqmail /root/notqmail
cd /root/notqmail
make setup check >>"$log" 2>&1
./config-fast mail.example.com >>"$log" 2>&1

cp -a /src/vpopmail /root/vpopmail
cd /root/vpopmail
case $build in
ext) opt=--enable-qmail-ext ;;
noext) opt= ;;
*) echo "build.sh: ext or noext" >&2; exit 64 ;;
esac
# shellcheck disable=SC2086
./configure --enable-qmaildir=/var/qmail $opt >>"$log" 2>&1
make >>"$log" 2>&1
make install-strip >>"$log" 2>&1
