#!/usr/bin/env python3
# fixup.py - what git cannot keep of a samples/realhost (or samples/sqlhost)
# tree.
#
#   fixup.py manifest TREE FILE BUILD
#                                 write FILE: the empty directories, the
#                                 modes other than 0644/0755 and the FIFOs
#                                 of TREE (record.sh calls it)
#   fixup.py --fixup DIR --tree ext|noext|per-domain|one-table
#                                 complete a copy DIR of samples/realhost/
#                                 BUILD/root from samples/realhost/BUILD.fixup
#                                 (per-domain, one-table: samples/sqlhost)
#
# The lines and their meaning are those of samples/tools/*.fixup, and
# --fixup is samples/tools/make-oldhost.py's own (imported from there), so
# a copy of realhost is completed exactly as a copy of oldhost is.
import argparse
import importlib.util
import os
import stat
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REALHOST = os.path.dirname(HERE)
TOOLS = os.path.join(os.path.dirname(REALHOST), "tools")
SQLHOST = os.path.join(os.path.dirname(REALHOST), "sqlhost")
SQL_BUILDS = ("per-domain", "one-table")


def oldhost_tool():
    spec = importlib.util.spec_from_file_location(
        "make_oldhost", os.path.join(TOOLS, "make-oldhost.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def manifest(tree, out, build):
    lines = ["# %s %s: what git cannot keep; applied by "
             "samples/realhost/tools/fixup.py --fixup DIR --tree %s\n"
             % ("sqlhost" if build in SQL_BUILDS else "realhost", build, build)]
    empties, modes, fifos = [], [], []
    for d, dirs, files in os.walk(tree):
        dirs.sort()
        rel = os.path.relpath(d, tree)
        if not dirs and not files:
            empties.append(rel)
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            st = os.lstat(p)
            r = os.path.relpath(p, tree)
            if stat.S_ISFIFO(st.st_mode):
                fifos.append(r)
            elif stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
                m = stat.S_IMODE(st.st_mode)
                if m not in (0o644, 0o755):
                    modes.append((r, m))
    lines += ["dir\t%s\n" % e for e in sorted(empties)]
    lines += ["mode\t%04o\t%s\n" % (m, r) for r, m in sorted(modes)]
    lines += ["fifo\t%s\n" % f for f in sorted(fifos)]
    with open(out, "w") as f:
        f.write("".join(lines))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "manifest":
        manifest(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    ap = argparse.ArgumentParser(description="complete a copy of a samples/realhost tree")
    ap.add_argument("--fixup", metavar="DIR", required=True)
    ap.add_argument("--tree", choices=["ext", "noext"] + list(SQL_BUILDS), required=True)
    a = ap.parse_args()
    # make-oldhost.py's fixup() reads TOOLS/NAME.fixup: name ours relative to it
    top = SQLHOST if a.tree in SQL_BUILDS else REALHOST
    name = os.path.relpath(os.path.join(top, a.tree), TOOLS)
    oldhost_tool().fixup(a.fixup, name)


main()
