#!/bin/bash
# vpopmail's MySQL backend, read from a real MariaDB on loopback: the
# sample host of samples/realhost/ext moved into MySQL the way vpopmail
# stores it (users in one table per domain, or in the shared "vpopmail"
# table; .qmail-ALIAS files as valias rows; lastauth) migrates to what
# the same host in vpasswd files migrates to; an unreachable server, a
# wrong password, a missing table and bad rows are listed, never
# dropped, and the password is printed nowhere.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/integration/lib/harness.sh"
. "$top_srcdir/tests/integration/lib/sqlhost.sh"
h_init migrate-mysql
top_builddir=${top_builddir:-$PWD}
Q2P=$top_builddir/qmail2postfix
PW='Sq1-Pw-9fe27c'		# grepped for in every output below
NOW=1796083200			# 2026-12-01 00:00 UTC

# ---- a private MariaDB on loopback, stopped by its pid
h_mariadb_start || tap_bail "mariadb: $(tail -5 "$H_MDB_LOG" 2>/dev/null)"
DB_PORT=$H_MDB_PORT
DB_SOCK=$H_MDB_SOCK
sql() { h_mariadb "$@"; }

# ---- the old host twice: in files, and in MySQL
src=$top_srcdir/samples/realhost
cp -a "$src/ext/root" "$H_DIR/root-files"
python3 "$src/tools/fixup.py" --fixup "$H_DIR/root-files" --tree ext >/dev/null ||
    tap_bail "fixup"
cp -a "$H_DIR/root-files" "$H_DIR/root-sql"
# vpasswd lines -> rows, domain .qmail-ALIAS files and users' .qmail files
# -> valias rows (one per line, in file order, as valias -i inserts them);
# then the files go, as on a MySQL build. pw_passwd is char(128) here: vmysql.h's char(40)
# would cut the SHA-512 hashes of erin and paul, as on a real toaster.
python3 - "$H_DIR/root-sql" "$H_DIR/load" <<'EOF' || tap_bail "conversion"
import os, sys
root, out = sys.argv[1], sys.argv[2]
def q(s): return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
cols = ("pw_name char(32) not null, pw_passwd char(128), pw_uid int, "
        "pw_gid int, pw_gecos char(48), pw_dir char(160), pw_shell char(20), "
        "pw_clear_passwd char(16)")
per, shared, valias = [], [], []
ddir = os.path.join(root, "home/vpopmail/domains")
for dom in sorted(x for x in os.listdir(ddir) if not x.startswith(".")):
    d = os.path.join(ddir, dom)
    t = dom.replace(".", "_").replace("-", "_")
    per.append("CREATE TABLE %s (%s, primary key (pw_name));" % (t, cols))
    for line in open(os.path.join(d, "vpasswd"), encoding="latin-1"):
        f = line.rstrip("\n").split(":")
        f += [""] * (8 - len(f))
        row = (q(f[0]), q(f[1]), f[2], f[3], q(f[4]), q(f[5]), q(f[6]), q(f[7]))
        per.append("INSERT INTO %s VALUES (%s);" % (t, ",".join(row)))
        shared.append("INSERT INTO vpopmail VALUES (%s,%s,%s);" % (
            row[0], q(dom), ",".join(row[1:])))
    for n in ("vpasswd", "vpasswd.cdb"):
        if os.path.exists(os.path.join(d, n)):
            os.unlink(os.path.join(d, n))
    for n in sorted(os.listdir(d)):
        if not n.startswith(".qmail-") or n == ".qmail-default":
            continue
        alias = n[len(".qmail-"):].replace(":", ".")
        for line in open(os.path.join(d, n), encoding="latin-1"):
            valias.append("INSERT INTO valias VALUES (%s,%s,%s);" % (
                q(alias), q(dom), q(line.rstrip("\n"))))
        os.unlink(os.path.join(d, n))
    # a user's .qmail is what qmailadmin keeps as valias rows named like
    # the user, with the user's Maildir as an absolute path
    for u in sorted(os.listdir(d)):
        f = os.path.join(d, u, ".qmail")
        if u.startswith(".") or not os.path.isfile(f):
            continue
        home = "/home/vpopmail/domains/%s/%s/" % (dom, u)
        for line in open(f, encoding="latin-1"):
            line = line.rstrip("\n")
            if line.startswith("./"):
                line = home + line[2:]
            valias.append("INSERT INTO valias VALUES (%s,%s,%s);" % (
                q(u), q(dom), q(line)))
        os.unlink(f)
common = ["CREATE TABLE valias (alias char(32) not null, domain char(96) "
          "not null, valias_line text not null, index (alias, domain));"]
common += valias
common += ["CREATE TABLE lastauth (user char(32) not null, domain char(96) "
           "not null, remote_ip char(18) not null, timestamp bigint default 0 "
           "not null, primary key (user, domain));",
           # alice logged in last week; bob two years ago; carol never
           "INSERT INTO lastauth VALUES ('alice','example.com','192.0.2.7',1795478400);",
           "INSERT INTO lastauth VALUES ('bob','example.com','198.51.100.9',1733011200);",
           "INSERT INTO lastauth VALUES ('carol','example.com','0.0.0.0',1700000000);"]
open(out + ".per", "w").write("\n".join(per + common) + "\n")
open(out + ".shared", "w").write("\n".join(
    ["CREATE TABLE vpopmail (pw_name char(32) not null, pw_domain char(96) "
     "not null, pw_passwd char(128), pw_uid int, pw_gid int, pw_gecos char(48), "
     "pw_dir char(160), pw_shell char(20), pw_clear_passwd char(16), "
     "primary key (pw_name, pw_domain));"] + shared + common) + "\n")
EOF
printf 'localhost|0|vpopmail|%s|vpopmail\n' "$PW" \
    >"$H_DIR/root-sql/home/vpopmail/etc/vpopmail.mysql"
printf '%s\n' "$PW" >"$H_DIR/pw"
printf 'not-the-password\n' >"$H_DIR/wrong-pw"
h_mariadb_load vpopmail "$H_DIR/load.per" &&
    h_mariadb_load vpopshared "$H_DIR/load.shared" &&
    h_mariadb_user vpopmail "$PW" vpopmail ro &&
    h_mariadb_user vpopmail "$PW" vpopshared ro ||
    tap_bail "loading the dumps"

# run NAME ARGS...: qmail2postfix into $H_DIR/NAME, its output in NAME.log
run() {
	local name=$1
	shift
	"$Q2P" run -o "$H_DIR/$name" --no-logs --no-dkim --no-srs \
	    --postfix 3.7 --dovecot 2.3 --now "$NOW" "$@" \
	    >"$H_DIR/$name.log" 2>&1
	echo $? >"$H_DIR/$name.rc"
}
# same_as_files OUT: mailboxes, forwards and aliases as from files, without
# where each came from (vpasswd:LINE against mysql:TABLE[KEY]) and
# lastauth (files have none), and but for what vdelivermail's valias
# lookup does and a .qmail-ALIAS file does not: with QMAIL_EXT, mail for
# ALIAS-anything reaches the alias ALIAS (a name without '-') when no
# -default alias matched first. Those ALIAS-* routes, and only those,
# are left out of OUT before the comparison.
same_as_files() {
	python3 - "$H_DIR/files/migration.json" "$H_DIR/$1/migration.json" \
	    ${2:+"$2"} <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items()
                if k not in ("source", "sources", "last_login")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
have = {r["address"] for k in ("forwards", "aliases") for r in a[k]}
extra = []
for k in ("forwards", "aliases"):
    keep = []
    for r in b[k]:
        loc, _, dom = r["address"].rpartition("@")
        if (r["address"] not in have and r.get("match") == "prefix" and
                loc.endswith("-*") and "-" not in loc[:-2] and
                loc[:-2] + "@" + dom in have):
            extra.append(r["address"])
            continue
        keep.append(r)
    b[k] = keep
print("# valias ALIAS-* routes left out: " + " ".join(sorted(extra)))
# samples/sqlhost (README.md "What differs"): user01..user03 got valias
# rows there (a forward, a forward with a copy, a -default program) and
# are plain mailboxes in samples/realhost/ext
if len(sys.argv) > 3:
    own = ("user01@example.com", "user02@example.com", "user03@example.com",
           "user03-*@example.com")
    for o in (a, b):
        for k in ("mailboxes", "forwards", "aliases"):
            o[k] = [r for r in o[k] if r["address"] not in own]
# vmysql.h's pw_passwd char(40) cuts a SHA-512 hash: its cleartext no
# longer opens it and is not kept (vchkpw refused those logins too), and
# its scheme is "cut"
amb = {m["address"]: m for m in a["mailboxes"]}
for m in b["mailboxes"]:
    o = amb.get(m["address"])
    if (o is not None and o["hash_scheme"] == "sha512-crypt" and
            m["hash_scheme"] == "cut" and o["cleartext_kept"] and
            not m["cleartext_kept"] and len(sys.argv) > 3):
        print("# cut SHA-512 hash, cleartext not kept: " + m["address"])
        m["cleartext_kept"] = True
        m["hash_scheme"] = "sha512-crypt"
bad = 0
for k in ("mailboxes", "forwards", "aliases"):
    # in any order: valias rows are read after the domain's files
    xs = sorted(json.dumps(v, sort_keys=True) for v in strip(a[k]))
    ys = sorted(json.dumps(v, sort_keys=True) for v in strip(b[k]))
    if xs != ys:
        bad = 1
        for v in sorted(set(xs) - set(ys)): print("# files only: " + v)
        for v in sorted(set(ys) - set(xs)): print("# mysql only: " + v)
        if set(xs) == set(ys): print("# %s: counts differ" % k)
sys.exit(bad)
PY
}
# runsql NAME ARGS...: the same from the MySQL host, on the private server
runsql() {
	local name=$1
	shift
	run "$name" --root "$H_DIR/root-sql" --mysql "127.0.0.1:$DB_PORT" \
	    --mysql-password-file "$H_DIR/pw" "$@"
}
# no credential anywhere: stdout, stderr, every file of OUT
no_password() {
	! grep -rqF -- "$PW" "$H_DIR/$1.log" "$H_DIR/$1" 2>/dev/null
}

run files --root "$H_DIR/root-files"
runsql per
tap_check "one table per domain: migrated" \
    jq -e '.vpopmail_build.userdb.layout == "one table per domain"
	and (.mailboxes | length) > 60' "$H_DIR/per/migration.json"
tap_check "one table per domain: mailboxes, forwards, aliases as from files" \
    same_as_files per
sql -e "DROP DATABASE vpopmail; CREATE DATABASE vpopmail;" &&
    sql vpopmail <"$H_DIR/load.shared"
runsql shared
tap_check "shared vpopmail table: migrated" \
    jq -e '.vpopmail_build.userdb.layout == "one table (vpopmail, pw_domain)"' \
    "$H_DIR/shared/migration.json"
tap_check "shared vpopmail table: as from files" \
    same_as_files shared
run sock --root "$H_DIR/root-sql" --mysql "$DB_SOCK" --mysql-user vpopmail \
    --mysql-password-file "$H_DIR/pw"
tap_check "the socket form of --mysql" \
    jq -e '(.mailboxes | length) > 60' "$H_DIR/sock/migration.json"

# ---- the same host made by a real vpopmail MySQL build (samples/sqlhost):
# both layouts migrate to what samples/realhost/ext migrates to from files
for b in per-domain one-table; do
	cp -a "$top_srcdir/samples/sqlhost/$b/root" "$H_DIR/root-$b" &&
	    python3 "$src/tools/fixup.py" --fixup "$H_DIR/root-$b" \
	    --tree "$b" >/dev/null &&
	    h_mariadb -e "DROP DATABASE IF EXISTS vpopmail" &&
	    h_mariadb_load vpopmail "$top_srcdir/samples/sqlhost/$b/vpopmail.sql" ||
	    tap_bail "samples/sqlhost/$b"
	run "rec-$b" --root "$H_DIR/root-$b" --mysql "127.0.0.1:$DB_PORT" \
	    --mysql-password-file "$H_DIR/pw"
	tap_check "samples/sqlhost/$b: as samples/realhost/ext from files" \
	    same_as_files "rec-$b" sqlhost
	# erin's and paul's SHA-512 hashes, cut to pw_passwd's char(40)
	tap_check "samples/sqlhost/$b: the cut hashes named in the report" \
	    bash -c "grep -q '^  cut: 2 crypt hash' '$H_DIR/rec-$b/migration-report.txt' &&
		jq -e '[.mailboxes[] | select(.hash_scheme == \"cut\") |
		.address] | sort == [\"erin@example.com\", \"paul@example.com\"]' \
		'$H_DIR/rec-$b/migration.json' >/dev/null"
done
h_mariadb -e "DROP DATABASE vpopmail; CREATE DATABASE vpopmail;" &&
    h_mariadb vpopmail <"$H_DIR/load.per" || tap_bail "reloading"

# lastauth: the report lists each last login, and bob and carol (no login
# since 2025-12-01) as unused for a year; migration.json carries them
tap_check "lastauth: last logins in the report" \
    grep -q '^  alice@example.com  2026-11-24 00:00  from 192.0.2.7$' \
    "$H_DIR/per/migration-report.txt"
tap_check "lastauth: accounts unused for a year" \
    bash -c "sed -n '/^Accounts unused for a year/,/^\$/p' \
	$H_DIR/per/migration-report.txt | grep -c '@example.com' | grep -qx 2"
tap_check "lastauth: in migration.json" \
    jq -e '[.mailboxes[] | select(.last_login) | .last_login.from] ==
	["192.0.2.7", "198.51.100.9", "0.0.0.0"]' "$H_DIR/per/migration.json"

# ---- errors: each listed, the rest goes on, no credential printed
run localhost --root "$H_DIR/root-sql"
tap_check "the old host's localhost is not used" \
    grep -q 'on the old host itself' "$H_DIR/localhost/migration-report.txt"
port=$(h_free_port)
run unreach --root "$H_DIR/root-sql" --mysql "127.0.0.1:$port" \
    --mysql-password-file "$H_DIR/pw"
tap_check "unreachable server: listed, the domains listed" \
    bash -c "grep -q 'cannot reach the database server' \
	$H_DIR/unreach/migration-report.txt && [ \$(cat $H_DIR/unreach.rc) = 1 ] &&
	grep -q 'example.com: its users are in vpopmail' \
	$H_DIR/unreach/migration-report.txt"
runsql badpw --mysql-password-file "$H_DIR/wrong-pw"
tap_check "wrong password: listed" \
    grep -q 'access denied: wrong user or password' \
    "$H_DIR/badpw/migration-report.txt"
tap_check "wrong password: not printed" \
    bash -c "! grep -rqF not-the-password $H_DIR/badpw.log $H_DIR/badpw"
# a domain of users/assign without its table, and bad rows
sql -e "DROP DATABASE vpopmail; CREATE DATABASE vpopmail;" &&
    sql vpopmail <"$H_DIR/load.per" &&
    sql vpopmail -e "DROP TABLE shop_example;
	INSERT INTO example_net VALUES ('nul', CONCAT('x', CHAR(0), 'y'), 1, 0,
	    'nul', '/home/vpopmail/domains/example.net/nul', 'NOQUOTA', '');
	INSERT INTO example_net VALUES ('nl', 'x', 1, 0, 'two\nlines',
	    '/home/vpopmail/domains/example.net/nl', 'NOQUOTA', '');
	UPDATE example_com SET pw_clear_passwd = 'stale' WHERE pw_name = 'bob';
	CREATE TABLE a_b_test LIKE example_com;
	ALTER TABLE example_net MODIFY pw_gecos text;
	INSERT INTO example_net VALUES ('long', 'x', 1, 0, REPEAT('g', 300),
	    '/home/vpopmail/domains/example.net/long', 'NOQUOTA', '');"
# a-b.test and a.b.test: both in users/assign, one table a_b_test
cp -a "$H_DIR/root-sql" "$H_DIR/root-bad"
sed -i '/^\.$/i +a-b.test-:a-b.test:89:89:/home/vpopmail/domains/a-b.test:-::\
+a.b.test-:a.b.test:89:89:/home/vpopmail/domains/a.b.test:-::' \
    "$H_DIR/root-bad/var/qmail/users/assign"
run bad --root "$H_DIR/root-bad" --mysql "127.0.0.1:$DB_PORT" \
    --mysql-password-file "$H_DIR/pw"
r=$H_DIR/bad/migration-report.txt
tap_check "a-b.test and a.b.test share a table: both listed" \
    bash -c "grep -q 'a-b.test: shares table a_b_test with a.b.test' $r &&
	grep -q 'a.b.test: shares table a_b_test with a-b.test' $r"
tap_check "a cleartext that does not open its hash: dropped, counted" \
    bash -c "grep -q 'do not open their hash (not kept): 1\$' $r &&
	jq -e '.mailboxes[] | select(.address == \"bob@example.com\") |
	.cleartext_kept == false' $H_DIR/bad/migration.json"
tap_check "missing table: the domain listed with the table" \
    grep -q 'shop.example: no table shop_example in database vpopmail' "$r"
tap_check "a NUL in a row: listed with table and key" \
    grep -q 'mysql:vpopmail.example_net\[nul\]: vpasswd entry: pw_passwd holds a NUL' "$r"
tap_check "a newline in a row: listed with table and key" \
    grep -q 'mysql:vpopmail.example_net\[nl\]: vpasswd entry: pw_gecos holds a newline' "$r"
tap_check "an over-long field: listed with table and key" \
    grep -q 'mysql:vpopmail.example_net\[long\]: vpopmail row: pw_gecos is 300 bytes' "$r"
tap_check "the rest goes on" \
    jq -e '[.mailboxes[] | select(.address | endswith("@example.com"))] |
	length > 20' "$H_DIR/bad/migration.json"
for o in per shared sock localhost unreach badpw bad rec-per-domain \
    rec-one-table; do
	tap_check "$o: the password is printed nowhere" no_password "$o"
done

h_mariadb_stop
h_assert_no_leftovers
tap_done
