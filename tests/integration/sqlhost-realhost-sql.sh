#!/bin/bash
#
# NAME		sqlhost-realhost-sql.sh - the SQL-backed recorded host
#		(samples/sqlhost, both table layouts) against what the real
#		qmail and vpopmail did, the new host's users in MariaDB
# DOES		realhost.sh --userdb sql samples/sqlhost per-domain one-table:
#		read from the old host's database, migrated to OUT/sql, and
#		rehearsed from rehearse's own MariaDB (Dovecot's sql passdb
#		and userdb, Postfix's mysql: maps) with every recorded
#		address, program run and login
# NEVER		trusts rehearse's own "expected": the recording is the oracle
#
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
exec bash "$top_srcdir/tests/integration/realhost.sh" --userdb sql \
    "$top_srcdir/samples/sqlhost" per-domain one-table
