#!/bin/sh
# populate.sh - make the sample host with vpopmail's own tools.
# Runs inside the build root (see record.sh), as root, after notqmail and
# vpopmail are installed.  Writes /root/passwords.tsv (address, password).
# Every step that is not a vpopmail command is marked HAND below and listed
# in samples/realhost/README.md.
set -eu
V=/home/vpopmail/bin
D=/home/vpopmail/domains
Q=/var/qmail
DUMP=/usr/local/bin/dumpenv
PW=/root/passwords.tsv
: >"$PW"

pw() {	# pw ADDRESS PASSWORD: remember the cleartext for the login probes
	printf '%s\t%s\n' "$1" "$2" >>"$PW"
}
add() {	# add ADDRESS PASSWORD [vmoduser flags...]
	a=$1 p=$2
	shift 2
	"$V/vadduser" "$a" "$p"
	pw "$a" "$p"
	if [ $# -gt 0 ]; then
		"$V/vmoduser" "$@" "$a"
	fi
}
hash() {	# hash SCHEME SALT PASSWORD: crypt(3) with a fixed salt
	python3 -W ignore -c 'import crypt, sys
s = {"des": sys.argv[2], "sha512": "$6$" + sys.argv[2] + "$"}[sys.argv[1]]
print(crypt.crypt(sys.argv[3], s))' "$1" "$2" "$3"
}
home() {	# home ADDRESS: the user's directory, as vpopmail says
	"$V/vuserinfo" -d "$1"
}
own() {	# own PATH...: what vpopmail's tools would leave (89:89)
	chown -R vpopmail:vchkpw "$@"
}

# --- domains --------------------------------------------------------------
"$V/vadddomain" example.com Postmaster-1
pw postmaster@example.com Postmaster-1
"$V/vaddaliasdomain" example.com example.org
# catch-all to a mailbox (vadddomain -e NAME: vdelivermail '' DOMDIR/NAME)
"$V/vadddomain" -e info example.net Postmaster-2
pw postmaster@example.net Postmaster-2
# catch-all forward (vadddomain -e ADDRESS)
"$V/vadddomain" -e sales@example.com partner.example Postmaster-3
pw postmaster@partner.example Postmaster-3
"$V/vadddomain" shop.example Postmaster-4
pw postmaster@shop.example Postmaster-4
# HAND: unknown users of shop.example are deleted (qmailadmin's "delete";
# vpopmail 5.4 has no command for it)
printf '| %s/vdelivermail %s delete\n' "$V" "''" >"$D/shop.example/.qmail-default"
own "$D/shop.example/.qmail-default"

# --- example.com users ----------------------------------------------------
add alice@example.com Alice-Pass-1
add bob@example.com Bob-Pass-2
add carol@example.com Carol-Pass-3
# DES hash (vmoduser -e), NO_POP
add dave@example.com Dave2pwX -p
"$V/vmoduser" -e "$(hash des dv Dave2pwX)" dave@example.com
# SHA-512-crypt hash (vmoduser -e), NO_IMAP
add erin@example.com Erin-Pass-5 -i
"$V/vmoduser" -e "$(hash sha512 erinsalt0 Erin-Pass-5)" erin@example.com
add frank@example.com Frank-Pass-6 -b
add grace@example.com Grace-Pass-7 -s
add heidi@example.com Heidi-Pass-8 -w
add ivan@example.com Ivan-Pass-9 -p -i
add judy@example.com Judy-Pass-10
"$V/vsetuserquota" judy@example.com 50M
add kim@example.com Kim-Pass-11
add leo@example.com Leo-Pass-12
add mia@example.com Mia-Pass-13
add nick@example.com Nick-Pass-14
add oscar@example.com Oscar-Pass-15
add paul@example.com Paul-Pass-16 -w -p
"$V/vmoduser" -e "$(hash sha512 paulsalt1 Paul-Pass-16)" paul@example.com
add quinn@example.com Quinn17 -w -i
"$V/vmoduser" -e "$(hash des qn Quinn17)" quinn@example.com
add rita@example.com Rita-Pass-18 -s -w
"$V/vsetuserquota" rita@example.com 20M
add john@example.com John-Pass-19
i=1
while [ $i -le 40 ]; do
	n=$(printf 'user%02d' $i)
	add "$n@example.com" "Bulk-$n-pw"
	i=$((i + 1))
done

# HAND (vpopmail has no command for user .qmail files; qmailadmin writes
# them): user-directory .qmail, .qmail-EXT, .qmail-PREFIX-default
h=$(home alice@example.com)
printf '# forward and keep\n&alice.home@remote.example\n%s/Maildir/\n' "$h" >"$h/.qmail"
h=$(home bob@example.com)
printf '&bob@webmail.example\n' >"$h/.qmail"
h=$(home carol@example.com)
printf '|%s carol\n./Maildir/\n' "$DUMP" >"$h/.qmail"
h=$(home grace@example.com)
printf '# lists go to a folder\n./Maildir/.Lists/\n' >"$h/.qmail-lists"
mkdir -p "$h/Maildir/.Lists/cur" "$h/Maildir/.Lists/new" "$h/Maildir/.Lists/tmp"
h=$(home kim@example.com)
printf '&news-reader@remote.example\n' >"$h/.qmail-news"
printf '|%s kim-list-default\n' "$DUMP" >"$h/.qmail-list-default"
printf './Maildir/.Lists/\n' >"$h/.qmail-list-archive"
mkdir -p "$h/Maildir/.Lists/cur" "$h/Maildir/.Lists/new" "$h/Maildir/.Lists/tmp"
h=$(home leo@example.com)
printf './Maildir/.Catch/\n' >"$h/.qmail-default"
mkdir -p "$h/Maildir/.Catch/cur" "$h/Maildir/.Catch/new" "$h/Maildir/.Catch/tmp"
h=$(home mia@example.com)
printf '# mia reads no mail here\n' >"$h/.qmail"
h=$(home nick@example.com)
printf '|%s nick 99\n./Maildir/\n&nick.after99@remote.example\n' "$DUMP" >"$h/.qmail"
h=$(home oscar@example.com)
printf '|%s oscar 100\n' "$DUMP" >"$h/.qmail"
h=$(home john@example.com)
printf '|%s john-default\n./Maildir/\n' "$DUMP" >"$h/.qmail-default"
own "$D/example.com"

# --- domain aliases with valias (.qmail-ALIAS in the domain directory) ----
"$V/valias" -i '&alice@example.com' sales@example.com
"$V/valias" -i '&judy@example.com' sales@example.com
"$V/valias" -i '&postmaster@example.com' sales-owner@example.com
"$V/valias" -i '&postmaster@example.com' abuse@example.com
"$V/valias" -i "$D/example.com/kim/Maildir/" billing@example.com
"$V/valias" -i '&accounting@remote.example' billing@example.com
"$V/valias" -i "|$DUMP orders" orders@example.com
"$V/valias" -i "|$DUMP orders-stop 99" stop@example.com
"$V/valias" -i '&after99@remote.example' stop@example.com
"$V/valias" -i "|$DUMP fail100 100" fail@example.com
"$V/valias" -i "|$DUMP tempfail 111" tempfail@example.com
"$V/valias" -i '# nothing is delivered' noreply@example.com
"$V/valias" -i "|$DUMP support-default" support-default@example.com
"$V/valias" -i '&kim@example.com' support@example.com
"$V/valias" -i '&john@example.com' john.smith@example.com
"$V/valias" -i "$D/example.com/grace/Maildir/.Lists/" lists@example.com
"$V/valias" -i '&alice@example.com' webmaster@example.net

# --- other domains --------------------------------------------------------
add info@example.net Info-Pass-20
add mike@example.net Mike21 -p
"$V/vmoduser" -e "$(hash des mk Mike21)" mike@example.net
"$V/vsetuserquota" mike@example.net 5M
add nina@example.net Nina-Pass-22
add tom@shop.example Tom-Pass-23 -i
add liaison@partner.example Liaison-Pass-24
"$V/vsetuserquota" liaison@partner.example 20M

# --- qmail itself (HAND: qmail has no commands for these) ------------------
# the local domain's aliases, with a catch-all ~alias/.qmail-default
printf '&postmaster@example.com\n' >"$Q/alias/.qmail-postmaster"
printf 'postmaster@example.com\n' >"$Q/alias/.qmail-root"
printf '&postmaster@example.com\n' >"$Q/alias/.qmail-mailer-daemon"
printf '|%s alias-pipe\n' "$DUMP" >"$Q/alias/.qmail-pipe"
printf '&localcatch@example.net\n' >"$Q/alias/.qmail-default"
# a relay domain: accepted (rcpthosts), not local, sent on by smtproutes
echo backupmx.example >>"$Q/control/rcpthosts"
# the backup MX's primary, and a smarthost for everything else (probe.py
# listens on both addresses)
printf 'backupmx.example:[192.0.2.30]:25\n:[192.0.2.25]:25\n' >"$Q/control/smtproutes"
printf 'spammer@bad.example\n@junk.example\n' >"$Q/control/badmailfrom"
# relaying: the office network 192.0.2. may relay, everybody else only to
# rcpthosts
printf '192.0.2.:allow,RELAYCLIENT=""\n:allow\n' >/etc/tcp.smtp
tcprules /etc/tcp.smtp.cdb /etc/tcp.smtp.tmp </etc/tcp.smtp
