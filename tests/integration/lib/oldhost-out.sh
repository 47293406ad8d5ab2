#!/bin/bash
# oldhost-out.sh - the prelude of the tests that install or rehearse OUT of
# samples/oldhost.  Sourced after harness.sh and h_init:
#
#   h_oldhost_out [OPTION...]  sets Q (the qmail2postfix of this build) and
#                              S (samples/); $H_DIR/oldhost becomes a copy
#                              of samples/oldhost with make-oldhost.py's
#                              fix-ups, $H_DIR/OUT what "qmail2postfix -q
#                              OPTION..." makes of it (exit 0 or 1).  Bails
#                              out when a step fails.

h_oldhost_out() {
	: "${top_builddir:=$(pwd)}"
	Q=$top_builddir/qmail2postfix
	S=$top_srcdir/samples
	[ -x "$Q" ] || tap_bail "no $Q"
	cp -a "$S/oldhost" "$H_DIR/oldhost" &&
	    python3 "$S/tools/make-oldhost.py" --fixup "$H_DIR/oldhost" --tree oldhost ||
	    tap_bail "cannot prepare the old host copy"
	"$Q" --root "$H_DIR/oldhost" -o "$H_DIR/OUT" -q "$@"
	[ $? -le 1 ] || tap_bail "qmail2postfix run failed"
}
