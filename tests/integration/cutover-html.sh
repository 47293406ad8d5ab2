#!/bin/bash
# cutover-report --format html in a real headless chromium: the page is one
# self-contained file (no script, no external reference), it parses (the DOM
# chromium dumps holds the summary, the tables and the chart), it renders
# without a console message, and a screenshot is kept as test output in
# $top_builddir/tests/cutover-html/ (good.png, no-go.png). A page with a
# script error is rendered too, to show that the console check can fail.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init cutover-html

BIN=${top_builddir:-.}/cutover-report
DATA=$top_srcdir/tests/data/cutover
SHOTS=${top_builddir:-.}/tests/cutover-html
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -x "$BIN" ] || tap_bail "no $BIN"
if [ -z "$CHROMIUM" ]; then
	tap_skip "headless chromium renders the report" \
	    "chromium is not installed (Debian package chromium)"
	tap_done
fi
mkdir -p "$SHOTS"

# render NAME FILE: --dump-dom and --screenshot, each with a new profile;
# flags for a machine without GPU, sandbox, bus or network
render() {
	local name=$1 file=$2 flags
	flags=(--headless --no-sandbox --disable-gpu --disable-quic
	    --no-first-run --disable-background-networking
	    --disable-component-update --disable-sync
	    --enable-logging=stderr --v=0 --window-size=1200,2000)
	timeout 60 "$CHROMIUM" "${flags[@]}" \
	    --user-data-dir="$(mktemp -d "$H_DIR/profile.XXXXXX")" \
	    --dump-dom "file://$file" >"$H_DIR/$name.dom" 2>"$H_DIR/$name.dom.err"
	timeout 60 "$CHROMIUM" "${flags[@]}" \
	    --user-data-dir="$(mktemp -d "$H_DIR/profile.XXXXXX")" \
	    --screenshot="$SHOTS/$name.png" "file://$file" \
	    >"$H_DIR/$name.shot.out" 2>"$H_DIR/$name.shot.err"
}

# console NAME: the console lines chromium logged for the page
console() {
	cat "$H_DIR/$1.dom.err" "$H_DIR/$1.shot.err" |
	    grep -E 'CONSOLE|Uncaught' || true
}

h_nsd_start "$DATA/good/zones" || tap_bail "nsd"
# no-go: forwards without SRS (as the old host did: warnings) and the old
# host's name as HELO (a blocker the switch makes)
for v in good no-go; do
	mig=$DATA/good/migration.json helo=mx1.example.com
	[ "$v" = no-go ] && mig=$DATA/no-srs/migration.json helo=mail.example.com
	"$BIN" --migration "$mig" --ip 198.51.100.25 --helo "$helo" \
	    --now 1795000000 --dns-server "127.0.0.1@$H_DNS_PORT" \
	    --sample-sender "$top_srcdir/samples/messages/01-newsletter-rsa.eml" \
	    --sample-sender news.example --format html -o "$H_DIR/$v.html" \
	    2>"$H_DIR/$v.err"
	echo "$?" >"$H_DIR/$v.rc"
done
h_nsd_stop
tap_check "good: exit 0 and a page" \
    bash -c "[ \"\$(cat '$H_DIR/good.rc')\" = 0 ] && [ -s '$H_DIR/good.html' ]"
tap_check "no-go: exit 2 and a page" \
    bash -c "[ \"\$(cat '$H_DIR/no-go.rc')\" = 2 ] && [ -s '$H_DIR/no-go.html' ]"

for v in good no-go; do
	H=$H_DIR/$v.html
	tap_check "$v: self-contained (no script, no external reference)" \
	    bash -c "! grep -Eiq '<script|<link|<img|<iframe|@import|url\\(|src=|href=\"(https?:|//)' '$H'"
	tap_check "$v: inline CSS and an inline SVG chart per service" \
	    bash -c "grep -q '<style>' '$H' && [ \"\$(grep -o '<svg ' '$H' | wc -l)\" = 3 ]"
	render "$v" "$H"
	tap_check "$v: chromium parsed the whole document" \
	    bash -c "grep -q '<footer>' '$H_DIR/$v.dom' && grep -q 'id=\"limits\"' '$H_DIR/$v.dom' && grep -q '<polyline' '$H_DIR/$v.dom'"
	tap_check "$v: no console message while rendering" \
	    bash -c "[ -z \"\$(cat '$H_DIR/$v.dom.err' '$H_DIR/$v.shot.err' | grep -E 'CONSOLE|Uncaught')\" ]"
	tap_check "$v: screenshot $SHOTS/$v.png" \
	    bash -c "head -c 8 '$SHOTS/$v.png' | od -An -tx1 | grep -q '89 50 4e 47' && [ \"\$(stat -c %s '$SHOTS/$v.png')\" -gt 20000 ]"
done
tap_check "good: the summary says GO" grep -q '<h1>Cutover: GO</h1>' \
    "$H_DIR/good.dom"
tap_check "no-go: the summary says NO-GO and shows the SRS warning as on the old host" \
    bash -c "grep -q '<h1>Cutover: NO-GO</h1>' '$H_DIR/no-go.dom' && grep -q 'SRS is not set up.*(as on the old host)' '$H_DIR/no-go.dom'"

# the console check itself can fail: a page with a script error
printf '<!DOCTYPE html><html><body><p>x</p><script>undefined_fn();</script></body></html>\n' \
    >"$H_DIR/control.html"
render control "$H_DIR/control.html"
rm -f "$SHOTS/control.png"
tap_check "control: a script error is seen in the console log" \
    bash -c "cat '$H_DIR/control.dom.err' '$H_DIR/control.shot.err' | grep -q 'Uncaught ReferenceError'"

tap_done
