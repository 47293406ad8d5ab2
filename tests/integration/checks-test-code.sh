#!/bin/bash
# Code only tests need stays out of what is built for production: the
# in-memory resolver (tests/lib/dns_fake.c) is in none of the checks/
# libraries and programs, only in tests/lib/libdnsfake.a.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"

b=${top_builddir:-.}
command -v nm >/dev/null || tap_bail "nm missing (binutils)"
fake_re=' [A-Za-z] (dns_fake_|dns_type_from_str$)'	# dns_fake.c's functions

fake_syms() {	# fake_syms FILE: the dns_fake.c functions FILE defines
	nm --defined-only "$1" 2>/dev/null | grep -E "$fake_re"
}

for f in checks/libchecks.a checks/libcutover.a authcheck cutover-report; do
	[ -e "$b/$f" ] || tap_bail "$f not built"
	if fake_syms "$b/$f" >/dev/null; then
		tap_fail "$f holds no dns_fake code" \
		    "$(fake_syms "$b/$f" | head -n 5)"
	else
		tap_ok "$f holds no dns_fake code"
	fi
done

# the control: the symbols looked for are there where they belong
[ -f "$b/tests/lib/libdnsfake.a" ] ||
    tap_bail "tests/lib/libdnsfake.a not built"
tap_check "tests/lib/libdnsfake.a defines the dns_fake functions" \
    fake_syms "$b/tests/lib/libdnsfake.a"
tap_done
