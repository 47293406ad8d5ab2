#!/bin/bash
# srs-secret-mode.sh - srs-forward and srs-map refuse an SRS secret that
# others may read, or group or others may write, naming the chmod that
# fixes it; srs-forward exits 75 (the mail is deferred, never bounced).
# A 0600 or 0640 secret still works.
. "$top_srcdir/tests/integration/srs/lib.sh"
set -u
W=$(mktemp -d)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
MAP="$top_builddir/srs-map"
cp "$top_builddir/srs-forward" "$W/srs-forward"
cp "$top_srcdir/tests/integration/srs/fake-sendmail" "$W/sendmail"
chmod 755 "$W/srs-forward" "$W/sendmail"
mkdir "$W/q"
chown nobody "$W/q"
export FAKE_DIR="$W/q"
ASNOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
LAB_T=$((20779 * 86400 + 3600))
printf 'lab-srs-secret-0123456789\n' >"$W/secret"
chown nobody "$W/secret"

for mode in 0644 0604 0620 0602 0666; do
	chmod "$mode" "$W/secret"
	"$MAP" -s "$W/secret" -d fwd.test --now "$LAB_T" forward a@b.test \
	    >"$W/out" 2>"$W/err"
	rc=$?
	is "srs-map, secret mode $mode: refused (exit 78), nothing printed" \
	    "$rc:$(cat "$W/out")" "78:"
	check "srs-map, secret mode $mode: the error gives the chmod line" \
	    grep -q "chmod o-rwx,g-w $W/secret" "$W/err"
	printf 'From a@b.test  Mon Nov 23 10:00:00 2026\n\nhi\n' | $ASNOBODY "$W/srs-forward" \
	    -d fwd.test -s "$W/secret" --now "$LAB_T" \
	    --sendmail "$W/sendmail" r@other.test 2>"$W/err"
	rc=$?
	is "srs-forward, secret mode $mode: exit 75" "$rc" 75
	check "srs-forward, secret mode $mode: the error gives the chmod line" \
	    grep -q "chmod o-rwx,g-w $W/secret" "$W/err"
done
for mode in 0600 0640; do
	chmod "$mode" "$W/secret"
	out=$("$MAP" -s "$W/secret" -d fwd.test --now "$LAB_T" forward a@b.test 2>&1)
	is "srs-map, secret mode $mode: works (exit 0, an SRS0 address)" \
	    "$?:${out%%=*}" "0:SRS0"
	rm -f "$W/q/msg"
	printf 'From a@b.test  Mon Nov 23 10:00:00 2026\n\nhi\n' | $ASNOBODY \
	    "$W/srs-forward" -d fwd.test -s "$W/secret" --now "$LAB_T" \
	    --sendmail "$W/sendmail" r@other.test 2>"$W/err"
	is "srs-forward, secret mode $mode: exit 0" "$?" 0
done
done_testing
