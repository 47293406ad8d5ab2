# msg-lab.sh -- a private Postfix + OpenDKIM milter pair on loopback, used by
# make-messages.sh to have messages signed and delivered by the real programs.
# Source it (bash).  Needs root (postfix start), postfix, opendkim, swaks.
#
#   lab_init WORKDIR               private tree: WORKDIR/pf (instance), WORKDIR/odk (milter)
#   lab_postfix_start HOST [MILTER_PORT]   main.cf for myhostname HOST, start, wait for smtpd
#   lab_postfix_stop
#   lab_milter_start PORT ALG KEYTABLE SIGNINGTABLE   opendkim -f on 127.0.0.1:PORT
#   lab_milter_stop
#   lab_capture_wait N             wait until N messages sit in the capture directory
#
# Every local address (any local part listed in aliases, in every domain of mydestination)
# is an alias for a pipe that stores the message exactly as local(8) hands it to a
# .forward/alias pipe: "From " line, Return-Path, X-Original-To, Delivered-To, message.

lab_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

lab_init() {
  LAB_W=$1
  LAB_E=$LAB_W/pf/etc
  LAB_CAP=$LAB_W/capture
  mkdir -p "$LAB_E" "$LAB_W/pf/data" "$LAB_W/pf/spool" "$LAB_W/odk" "$LAB_CAP"
  chmod 755 "$LAB_W" "$LAB_W/pf"
  chmod 1777 "$LAB_CAP"          # the pipe runs as default_privs (nobody)
  chown postfix: "$LAB_W/pf/data"
  LAB_PORT=$(lab_free_port)
  cat > "$LAB_W/capture.sh" <<EOF
#!/bin/sh
# stores one message from a local(8) pipe, plus the pipe's environment
f=$LAB_CAP/\$(date +%s%N).\$\$
cat > "\$f.tmp" || exit 75
env | sort > "\$f.env"
mv "\$f.tmp" "\$f.msg"
EOF
  chmod 755 "$LAB_W/capture.sh"
  printf 'postmaster: root\nroot: alice\n' > "$LAB_E/aliases"
  for u in alice bob carol info sales capture; do
    printf '%s: "|%s"\n' "$u" "$LAB_W/capture.sh" >> "$LAB_E/aliases"
  done
  cat > "$LAB_E/master.cf" <<EOF
127.0.0.1:$LAB_PORT inet n  -      n      -      -       smtpd
pickup         unix n       -      n      60     1       pickup
cleanup        unix n       -      n      -      0       cleanup
qmgr           unix n       -      n      300    1       qmgr
rewrite        unix -       -      n      -      -       trivial-rewrite
bounce         unix -       -      n      -      0       bounce
defer          unix -       -      n      -      0       bounce
trace          unix -       -      n      -      0       bounce
verify         unix -       -      n      -      1       verify
flush          unix n       -      n      1000?  0       flush
proxymap       unix -       -      n      -      -       proxymap
proxywrite     unix -       -      n      -      1       proxymap
smtp           unix -       -      n      -      -       smtp
relay          unix -       -      n      -      -       smtp
showq          unix n       -      n      -      -       showq
error          unix -       -      n      -      -       error
retry          unix -       -      n      -      -       error
discard        unix -       -      n      -      -       discard
local          unix -       n      n      -      -       local
anvil          unix -       -      n      -      1       anvil
scache         unix -       -      n      -      1       scache
postlog        unix-dgram n -      n      -      1       postlogd
EOF
}

lab_postfix_start() {
  local host=$1 mport=${2:-}
  cat > "$LAB_E/main.cf" <<EOF
compatibility_level = 3.6
queue_directory   = $LAB_W/pf/spool
data_directory    = $LAB_W/pf/data
command_directory = /usr/sbin
daemon_directory  = /usr/lib/postfix/sbin
meta_directory    = /etc/postfix
shlib_directory   = /usr/lib/postfix
mail_owner        = postfix
setgid_group      = postdrop
maillog_file          = $LAB_W/pf/maillog
maillog_file_prefixes = $LAB_W
myhostname    = $host
myorigin      = \$myhostname
mydestination = \$myhostname, example.com, example.net, example.org, partner.example, oldbrand.example, remote.example
inet_interfaces = loopback-only
inet_protocols  = ipv4
mynetworks      = 127.0.0.0/8
smtpd_authorized_xclient_hosts = 127.0.0.0/8
# mail that arrives over SMTP is stored as sent: no From:/Date:/Message-ID: added,
# no address rewriting (otherwise a message without From: gets one from cleanup)
local_header_rewrite_clients =
always_add_missing_headers = no
smtpd_peername_lookup  = no
smtp_dns_support_level = disabled
default_transport = error:external delivery disabled
relay_transport   = error:external delivery disabled
alias_maps     = hash:$LAB_E/aliases
alias_database = hash:$LAB_E/aliases
local_recipient_maps = \$alias_maps
allow_mail_to_commands = alias, forward
biff = no
smtputf8_enable = no
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
delay_warning_time = 0
EOF
  if [ -n "$mport" ]; then
    printf 'smtpd_milters = inet:127.0.0.1:%s\nnon_smtpd_milters = inet:127.0.0.1:%s\nmilter_default_action = tempfail\n' \
      "$mport" "$mport" >> "$LAB_E/main.cf"
  fi
  postalias -c "$LAB_E" "$LAB_E/aliases" || return 1
  postfix -c "$LAB_E" check || return 1
  postfix -c "$LAB_E" start 2>/dev/null || { tail -5 "$LAB_W/pf/maillog" >&2; return 1; }
  local n=100
  until (exec 3<>"/dev/tcp/127.0.0.1/$LAB_PORT") 2>/dev/null; do
    n=$((n - 1)); [ $n -gt 0 ] || { echo "lab: smtpd not listening" >&2; return 1; }; sleep 0.1
  done
}

lab_postfix_stop() {
  local pid n=100
  pid=$(tr -dc 0-9 < "$LAB_W/pf/spool/pid/master.pid" 2>/dev/null)
  postfix -c "$LAB_E" stop 2>/dev/null
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
}

# lab_milter_start PORT ALG KEYTABLE SIGNINGTABLE  (tables already point at keys in odk/)
lab_milter_start() {
  local port=$1 alg=$2 kt=$3 st=$4
  cat > "$LAB_W/odk/opendkim.conf" <<EOF
Syslog                  no
Mode                    s
Socket                  inet:$port@127.0.0.1
PidFile                 $LAB_W/odk/opendkim.pid
Canonicalization        relaxed/relaxed
SignatureAlgorithm      $alg
KeyTable                file:$kt
SigningTable            refile:$st
InternalHosts           127.0.0.1
OversignHeaders         From
On-NoSignature          accept
RequireSafeKeys         no
EOF
  opendkim -n -x "$LAB_W/odk/opendkim.conf" || return 1
  opendkim -f -x "$LAB_W/odk/opendkim.conf" > "$LAB_W/odk/opendkim.out" 2>&1 &
  LAB_MILTER_PID=$!
  local n=100
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    n=$((n - 1))
    [ $n -gt 0 ] || { echo "lab: milter not listening: $(cat "$LAB_W/odk/opendkim.out")" >&2; return 1; }
    sleep 0.1
  done
}

lab_milter_stop() {
  [ -n "${LAB_MILTER_PID:-}" ] || return 0
  kill -TERM "$LAB_MILTER_PID" 2>/dev/null
  wait "$LAB_MILTER_PID" 2>/dev/null
  LAB_MILTER_PID=
  rm -f "$LAB_W/odk/opendkim.pid"
}

lab_capture_wait() {
  local want=$1 n=200
  while [ "$(find "$LAB_CAP" -name '*.msg' | wc -l)" -lt "$want" ]; do
    n=$((n - 1))
    [ $n -gt 0 ] || { echo "lab: no delivery; log:" >&2; tail -n 8 "$LAB_W/pf/maillog" >&2; return 1; }
    sleep 0.1
  done
}

# newest captured message
lab_capture_last() { ls -t "$LAB_CAP"/*.msg | head -n 1; }

# strip what local(8) prepended: From_ line, Return-Path, X-Original-To, Delivered-To
lab_strip_delivery() {
  awk 'NR == 1 && /^From / { next }
       !done && /^(Return-Path|X-Original-To|Delivered-To):/ { next }
       { done = 1; print }' "$1"
}
