#!/bin/bash
#
# NAME		sqlhost-realhost.sh - the SQL-backed recorded host (samples/
#		sqlhost, both table layouts) against what the real qmail and
#		vpopmail did, the new host's users in passwd-files
# DOES		realhost.sh samples/sqlhost per-domain one-table: each dump
#		loaded into a private MariaDB, read with --mysql, rehearsed
#		with every recorded address, program run and login
# NEVER		trusts rehearse's own "expected": the recording is the oracle
#
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
exec bash "$top_srcdir/tests/integration/realhost.sh" \
    "$top_srcdir/samples/sqlhost" per-domain one-table
