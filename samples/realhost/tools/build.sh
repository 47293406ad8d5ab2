#!/bin/sh
# build.sh ext|noext|per-domain|one-table - build and install notqmail and
# vpopmail 5.4.33 inside the build root (see record.sh), from /src/notqmail
# and /src/vpopmail, the way their INSTALL files say.  "ext" configures
# vpopmail with --enable-qmail-ext, "noext" with its defaults; "per-domain"
# and "one-table" with the MySQL module, per-domain with QmailToaster's
# configure line (vpopmail.spec: a table per domain), one-table the same
# with --enable-many-domains (vpopmail's default: one table "vpopmail").
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
# QmailToaster's vpopmail.spec, with Debian 12's libmariadb-dev-compat;
# -fcommon: vmysql.h defines its globals in a header (gcc 10+ refuses them)
toaster="--prefix=/home/vpopmail --enable-vpopuser=vpopmail --enable-vpopgroup=vchkpw
--enable-libdir=/usr/lib/x86_64-linux-gnu --enable-incdir=/usr/include/mysql
--disable-roaming-users --enable-make-seekable --enable-clear-passwd
--disable-users-big-dir --enable-qmail-ext --disable-ip-alias-domains
--enable-auth-module=mysql --disable-passwd --enable-logging=v
--disable-mysql-limits --enable-valias"
cflags=
case $build in
ext) opt=--enable-qmail-ext ;;
noext) opt= ;;
per-domain) opt="$toaster --disable-many-domains" cflags="-g -O2 -fcommon" ;;
one-table) opt="$toaster --enable-many-domains" cflags="-g -O2 -fcommon" ;;
*) echo "build.sh: ext, noext, per-domain or one-table" >&2; exit 64 ;;
esac
# shellcheck disable=SC2086
if [ -n "$cflags" ]; then
	CFLAGS=$cflags ./configure --enable-qmaildir=/var/qmail $opt >>"$log" 2>&1
else
	./configure --enable-qmaildir=/var/qmail $opt >>"$log" 2>&1
fi
make >>"$log" 2>&1
make install-strip >>"$log" 2>&1
if [ -n "$cflags" ]; then
	# QmailToaster installs its own vpopmail.mysql over vpopmail's
	echo 'localhost|0|vpopmail|SsEeCcRrEeTt|vpopmail' \
	    >/home/vpopmail/etc/vpopmail.mysql
fi
