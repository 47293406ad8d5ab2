#!/bin/bash
# Hostile old-host trees, built here from a copy of samples/oldhost: links
# and ".." that lead out of --root, FIFOs where files are expected, a
# requeue journal planted as a link, leftovers of killed runs.  Each time
# nothing outside the root is read (marker files with a unique string, a
# fake hash and a fake cleartext password sit outside; no file under OUT
# may hold them), nothing outside it is written, the item is listed with
# file:line and a reason, and no run hangs.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init hostile-confine

q2p=$top_builddir/qmail2postfix
marker=q2p-outside-marker-$$
fakehash='$6$outside$FAKEHASHq2poutsideQ9zz'
fakeclear=Outside-Cleartext-$$

cp -a "$top_srcdir/samples/oldhost" "$H_DIR/base" &&
    python3 "$top_srcdir/samples/tools/make-oldhost.py" --fixup "$H_DIR/base" \
    --tree oldhost >/dev/null || tap_bail "samples fix-up failed"

# tree NAME: $H_DIR/NAME/root (a completed sample host) and
# $H_DIR/NAME/outside (marker files, beside the root, never under it)
tree() {
	local d=$H_DIR/$1
	mkdir -p "$d/outside" && cp -a "$H_DIR/base" "$d/root" || return 1
	printf '%s %s %s\n' "$marker" "$fakehash" "$fakeclear" >"$d/outside/marker"
}

# vpasswd_out DIR DOMAIN: a vpasswd outside the root, markers in it
vpasswd_out() {
	mkdir -p "$1" &&
	printf 'eve:%s:1:0:%s:/home/vpopmail/domains/%s/eve:NOQUOTA:%s\n' \
	    "$fakehash" "$marker" "$2" "$fakeclear" >"$1/vpasswd" &&
	printf '&%s@evil.example\n' "$marker" >"$1/.qmail-default"
}

# assign_add ROOT LINE: a users/assign line before the final "."; prints
# its line number
assign_add() {
	local f=$1/var/qmail/users/assign n
	n=$(grep -n '^\.$' "$f" | cut -d: -f1)
	sed -i "${n}i\\$2" "$f" && echo "$n"
}

# no_leak OUT: no file under OUT holds a marker
no_leak() {
	local s
	for s in "$marker" "$fakehash" "$fakeclear"; do
		if grep -rlaF -- "$s" "$1" 2>/dev/null; then
			echo "found: $s"
			return 1
		fi
	done
	test -d "$1"
}

migrate() {	# migrate NAME: runs on $H_DIR/NAME/root; sets rc, err, out
	out=$H_DIR/$1/OUT
	err=$H_DIR/$1/err
	timeout 60 "$q2p" --root "$H_DIR/$1/root" -o "$out" \
	    --hostname mx.example.net >/dev/null 2>"$err"
	rc=$?
}

# 1. a users/assign home with ".." that climbs out of the root
tree dotdot || tap_bail "cannot build the tree"
vpasswd_out "$H_DIR/dotdot/outside/evil1.example" evil1.example
line=$(assign_add "$H_DIR/dotdot/root" \
    "+evil1.example-:evil1.example:89:89:/home/vpopmail/domains/../../../../outside/evil1.example:-::")
migrate dotdot
tap_check "assign home with ..: run ends (exit 1)" test "$rc" = 1
tap_check "assign home with ..: nothing from outside the root in OUT" \
    no_leak "$out"
tap_check "assign home with ..: listed as users/assign:$line" \
    grep -qE "users/assign:$line: evil1\.example: .*missing" "$err"

# 2. a vpopmail domain directory that is a link out of the root
tree domlink || tap_bail "cannot build the tree"
vpasswd_out "$H_DIR/domlink/outside/evil2.example" evil2.example
line=$(assign_add "$H_DIR/domlink/root" \
    "+evil2.example-:evil2.example:89:89:/home/vpopmail/domains/evil2.example:-::")
ln -s "$H_DIR/domlink/outside/evil2.example" \
    "$H_DIR/domlink/root/home/vpopmail/domains/evil2.example"
migrate domlink
tap_check "domain dir linked outside: run ends (exit 1)" test "$rc" = 1
tap_check "domain dir linked outside: nothing from outside the root in OUT" \
    no_leak "$out"
tap_check "domain dir linked outside: listed as users/assign:$line" \
    grep -qE "users/assign:$line: evil2\.example: .*missing" "$err"

# 3. a pw_dir ending in '/' whose last component links out of the root
tree pwdir || tap_bail "cannot build the tree"
d=$H_DIR/pwdir/root/home/vpopmail/domains/example.com
mkdir -p "$H_DIR/pwdir/outside/hostileuser"
printf '&%s@evil.example\n' "$marker" >"$H_DIR/pwdir/outside/hostileuser/.qmail"
printf '&%s@evil.example\n' "$fakeclear" >"$H_DIR/pwdir/outside/hostileuser/.qmail-x"
ln -s "$H_DIR/pwdir/outside/hostileuser" "$d/hostileuser"
echo 'hostileuser:$1$ZR/5VlG6$Dxt62dlfOXImW.RJAKTVt0:1:0:Hostile User:/home/vpopmail/domains/example.com/hostileuser/:NOQUOTA:inside-pw' >>"$d/vpasswd"
line=$(wc -l <"$d/vpasswd")
migrate pwdir
tap_check "pw_dir/ linked outside: run ends (exit 1)" test "$rc" = 1
tap_check "pw_dir/ linked outside: nothing from outside the root in OUT" \
    no_leak "$out"
tap_check "pw_dir/ linked outside: listed as vpasswd:$line, home directory" \
    grep -qE "example\.com/vpasswd:$line: home directory: .*symbolic link" "$err"
tap_check "pw_dir/ linked outside: the mailbox itself is still migrated" \
    grep -q '^hostileuser@example.com:' "$out/dovecot/users"

# 4. ROOT/var/log a link out of the root; then a link that stays inside
tree varlog || tap_bail "cannot build the tree"
mkdir -p "$H_DIR/varlog/outside/log"
cp "$H_DIR/varlog/root/var/log/maillog" "$H_DIR/varlog/outside/log/maillog"
printf 'Dec  1 10:00:00 mail vpopmail[1]: %s %s %s\n' "$marker" "$fakehash" \
    "$fakeclear" >>"$H_DIR/varlog/outside/log/maillog"
mv "$H_DIR/varlog/root/var/log" "$H_DIR/varlog/root/data-log"
ln -s "$H_DIR/varlog/outside/log" "$H_DIR/varlog/root/var/log"
migrate varlog
logfiles() {	# logfiles OUT: how many log files the run read
	jq '[.. | objects | select(has("lines_used")) | .files] | first // 0' \
	    "$1/migration.json"
}
tap_check "var/log linked outside: run ends (exit 1)" test "$rc" = 1
tap_check "var/log linked outside: nothing from outside the root in OUT" \
    no_leak "$out"
tap_check "var/log linked outside: no log read" test "$(logfiles "$out")" = 0
rm -rf "$out" "$H_DIR/varlog/root/var/log"
ln -s /data-log "$H_DIR/varlog/root/var/log"	# absolute, resolved in the root
migrate varlog
tap_check "var/log -> /data-log: the old host's own logs are read" \
    test "$(logfiles "$out")" -ge 1

# 5. FIFOs where a control file, a .qmail file and a run file are expected
tree fifo || tap_bail "cannot build the tree"
r=$H_DIR/fifo/root
rm -f "$r/var/qmail/control/concurrencyincoming"
mkfifo "$r/var/qmail/control/concurrencyincoming" \
    "$r/home/vpopmail/domains/example.com/.qmail-fifo"
migrate fifo
tap_check "FIFOs: the run does not hang and ends (exit 1)" test "$rc" = 1
tap_check "FIFOs: control/concurrencyincoming listed as not a regular file" \
    grep -qE "control/concurrencyincoming: limit: cannot read: not a regular file" \
    "$err"
tap_check "FIFOs: .qmail-fifo listed as not a regular file" \
    grep -qE "example\.com/\.qmail-fifo: file: not a regular file" "$err"

# ... a FIFO as vpasswd.cdb of a domain without vpasswd, and as users/cdb
# of a host without users/assign (each opened only in that case)
tree fifocdb || tap_bail "cannot build the tree"
r=$H_DIR/fifocdb/root
rm -f "$r/home/vpopmail/domains/example.net/vpasswd" \
    "$r/home/vpopmail/domains/example.net/vpasswd.cdb"
mkfifo "$r/home/vpopmail/domains/example.net/vpasswd.cdb"
migrate fifocdb
tap_check "FIFO as vpasswd.cdb: the run does not hang and ends (exit 1)" \
    test "$rc" = 1
tap_check "FIFO as vpasswd.cdb: listed as not a regular file" \
    grep -qE "example\.net/vpasswd\.cdb: file: not a regular file" "$err"
tree fifoucdb || tap_bail "cannot build the tree"
r=$H_DIR/fifoucdb/root
rm -f "$r/var/qmail/users/assign" "$r/var/qmail/users/cdb"
mkfifo "$r/var/qmail/users/cdb"
migrate fifoucdb
tap_check "FIFO as users/cdb: the run does not hang and ends (exit 1)" \
    test "$rc" = 1
tap_check "FIFO as users/cdb: listed as not a regular file" \
    grep -qE "users/cdb: file: not a regular file" "$err"

# 6. requeue: a journal planted as a link to a file outside the root
tree journal || tap_bail "cannot build the tree"
victim=$H_DIR/journal/outside/victim
printf '# %s\n' "$marker" >"$victim"
cp "$victim" "$victim.orig"
ln -s "$victim" "$H_DIR/journal/root/var/qmail/queue/qmail2postfix-requeue.journal"
fake=$H_DIR/journal/sendmail
printf '#!/bin/sh\ncat >/dev/null\nexit 0\n' >"$fake"
chmod 755 "$fake"
timeout 60 "$q2p" requeue --root "$H_DIR/journal/root" --sendmail "$fake" \
    >"$H_DIR/journal/out" 2>"$H_DIR/journal/err"
rc=$?
tap_check "journal link: requeue refuses (exit 2)" test "$rc" = 2
tap_check "journal link: the file outside the root is not written" \
    cmp "$victim" "$victim.orig"
tap_check "journal link: the error names the journal" \
    grep -q 'qmail2postfix-requeue.journal.*symbolic link' "$H_DIR/journal/err"

# 7. leftovers of killed runs: removed, and only they
tree stale || tap_bail "cannot build the tree"
s=$H_DIR/stale
mkdir -m 700 "$s/OUT.tmpAbC123" "$s/OUT.oldXy9876" "$s/OUT.tmpnotmine" \
    "$s/OUT.tmpLive12"
printf '%s\n' "$fakehash" >"$s/OUT.tmpAbC123/users"
chmod 600 "$s/OUT.tmpAbC123/users"
mkdir "$s/outside/keep"
ln -s "$s/outside/keep" "$s/OUT.tmpLink99"
ln -s "$s/outside/marker" "$s/OUT.tmpAbC123/link"
# killed runs are in the past: their directories are older than the 10 s
# in which a live run may not yet hold its lock (OUT.tmpFresh1 is not)
touch -d '1 minute ago' "$s/OUT.tmpAbC123" "$s/OUT.oldXy9876" \
    "$s/OUT.tmpnotmine" "$s/OUT.tmpLive12"
mkdir -m 700 "$s/OUT.tmpFresh1"
exec 7<"$s/OUT.tmpLive12"	# a live run holds its lock: so does this shell
flock -n 7 || tap_bail "cannot lock"
migrate stale
exec 7<&-
tap_check "stale: the run ends (exit 1)" test "$rc" = 1
tap_check "stale: OUT.tmpXXXXXX and OUT.oldXXXXXX of killed runs removed" \
    test ! -e "$s/OUT.tmpAbC123" -a ! -e "$s/OUT.oldXy9876"
tap_check "stale: the file a link inside pointed to is still there" \
    test -f "$s/outside/marker"
tap_check "stale: a link named like a leftover is not followed" \
    test -L "$s/OUT.tmpLink99" -a -d "$s/outside/keep"
tap_check "stale: other names and a live run's directory are left alone" \
    test -d "$s/OUT.tmpnotmine" -a -d "$s/OUT.tmpLive12"
tap_check "stale: a directory made in the last seconds (not yet locked) is left alone" \
    test -d "$s/OUT.tmpFresh1"
rmdir "$s/OUT.tmpFresh1"

# 8. --force killed at the moment the new OUT is put in place: an OUT is
# always there.  strace kills the run when it enters the last rename-type
# system call that names OUT.
if ! command -v strace >/dev/null; then
	tap_skip "--force killed while putting OUT in place" "no strace"
else
	f=$H_DIR/stale
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	strace -f -qq -o "$f/trace" -e trace=rename,renameat,renameat2 \
	    "$q2p" --root "$f/root" -o "$f/OUT" --force -q 2>/dev/null
	call=$(grep -E "\"$f/OUT\"" "$f/trace" | tail -1 |
	    sed -E 's/^[0-9]+ +([a-z0-9]+)\(.*/\1/')
	nth=$(grep -E "^[0-9]+ +$call\(" "$f/trace" |
	    grep -nE "\"$f/OUT\"" | tail -1 | cut -d: -f1)
	(strace -f -qq -o /dev/null -e trace="$call" \
	    -e inject="$call":signal=KILL:when="$nth" \
	    "$q2p" --root "$f/root" -o "$f/OUT" --force -q; true) 2>/dev/null
	tap_check "--force killed at $call #$nth: OUT is still there, whole" \
	    test -s "$f/OUT/migration.json" -a -s "$f/OUT/dovecot/users"
	# the killed run's leftovers, as they are 10 s later
	for d in "$f"/OUT.tmp?????? "$f"/OUT.old??????; do
		[ -d "$d" ] && ! [ -L "$d" ] && touch -d '1 minute ago' "$d"
	done
	"$q2p" --root "$f/root" -o "$f/OUT" --force -q 2>/dev/null
	tap_check "--force: the next run leaves no OUT.tmp* or OUT.old*" \
	    bash -c "! ls -d '$f'/OUT.tmp?????? '$f'/OUT.old?????? 2>/dev/null | grep -v -e Live12 -e Link99"
fi

tap_done
