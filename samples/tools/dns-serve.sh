#!/bin/sh
# dns-serve.sh -- serve the sample zones (samples/dns) with a private NSD on loopback.
#
# Source it and call the functions:
#   . samples/tools/dns-serve.sh
#   dns_start DIR PORT     # instantiate nsd.conf.in into DIR, start NSD on
#                          # 127.0.0.1@PORT and ::1@PORT, wait until it answers
#   dns_stop DIR           # SIGTERM the pid in DIR/nsd.pid and wait for it to exit
# or run it:
#   sh samples/tools/dns-serve.sh start DIR PORT
#   sh samples/tools/dns-serve.sh stop DIR
#
# DIR is created if needed and must be private to the caller (config, pid, log, state).
# The zone files are read where they are: DNS_SAMPLES (default: ../dns beside this script)
# must hold nsd.conf.in and zones/.  Nothing listens on anything but loopback.
# Needs: nsd, drill (ldnsutils).  POSIX sh; no bashisms.

# Where the sample DNS tree is. When sourced from a shell that is not bash, $0 is the
# caller's name, so the caller may have to set DNS_SAMPLES itself.
if [ -z "${DNS_SAMPLES:-}" ]; then
  _dns_self=${BASH_SOURCE:-$0}
  DNS_SAMPLES=$(cd "$(dirname "$_dns_self")/../dns" 2>/dev/null && pwd) || DNS_SAMPLES=
fi

dns_start() {
  _d=${1:?usage: dns_start DIR PORT} _p=${2:?usage: dns_start DIR PORT}
  if [ -z "$DNS_SAMPLES" ] || [ ! -f "$DNS_SAMPLES/nsd.conf.in" ]; then
    echo "dns_start: set DNS_SAMPLES to the samples/dns directory" >&2; return 1
  fi
  mkdir -p "$_d" || return 1
  _d=$(cd "$_d" && pwd) || return 1
  _z=$(cd "$DNS_SAMPLES/zones" && pwd) || return 1
  if [ -s "$_d/nsd.pid" ] && kill -0 "$(cat "$_d/nsd.pid")" 2>/dev/null; then
    echo "dns_start: nsd already running in $_d (pid $(cat "$_d/nsd.pid"))" >&2; return 1
  fi
  sed -e "s|@PORT@|$_p|g" -e "s|@DIR@|$_d|g" -e "s|@ZONEDIR@|$_z|g" \
      "$DNS_SAMPLES/nsd.conf.in" > "$_d/nsd.conf" || return 1
  nsd-checkconf "$_d/nsd.conf" || return 1
  rm -f "$_d/nsd.pid" "$_d/nsd.log" "$_d/zone.list" "$_d/xfrd.state"
  # nsd daemonizes and writes its pidfile; it exits non-zero when it cannot bind
  if ! nsd -c "$_d/nsd.conf"; then
    echo "dns_start: nsd failed: $(tail -n 5 "$_d/nsd.log" 2>/dev/null)" >&2; return 1
  fi
  _n=100
  until drill -p "$_p" @127.0.0.1 example.com SOA 2>/dev/null | grep -q 'rcode: NOERROR'; do
    _n=$((_n - 1))
    if [ "$_n" -le 0 ]; then
      echo "dns_start: nsd on port $_p not answering: $(tail -n 5 "$_d/nsd.log" 2>/dev/null)" >&2
      dns_stop "$_d"; return 1
    fi
    sleep 0.1
  done
  return 0
}

dns_stop() {
  _d=${1:?usage: dns_stop DIR}
  [ -s "$_d/nsd.pid" ] || return 0
  _pid=$(tr -dc 0-9 < "$_d/nsd.pid")
  [ -n "$_pid" ] || return 0
  if kill -0 "$_pid" 2>/dev/null; then
    kill -TERM "$_pid"
    _n=100
    while kill -0 "$_pid" 2>/dev/null && [ "$_n" -gt 0 ]; do sleep 0.1; _n=$((_n - 1)); done
    if kill -0 "$_pid" 2>/dev/null; then kill -KILL "$_pid"; fi
  fi
  rm -f "$_d/nsd.pid"
  return 0
}

# run as a program: start|stop
case "${0##*/}" in
  dns-serve.sh)
    case "${1:-}" in
      start) shift; dns_start "$@" ;;
      stop)  shift; dns_stop "$@" ;;
      *) echo "usage: dns-serve.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
    esac ;;
esac
