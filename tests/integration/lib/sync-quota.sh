#!/bin/bash
# Sourced by the sync tests (after harness.sh): the quota of a synced
# Maildir as Dovecot's maildir quota counts it, worked out from the files,
# and what Dovecot itself answers.
#
# usage MAILDIR         "COUNT BYTES" of its folders' cur/ and new/: the
#                       size in ",S=" of a name, else the file's size
#                       (quota-maildir.c's maildir_sum_dir)
# getquota USER PW [PORT]  "ROOT used limit" of IMAP GETQUOTAROOT INBOX
# mdsize MAILDIR        "COUNT BYTES" summed from Dovecot's maildirsize
# kb BYTES              IMAP's STORAGE unit: Dovecot's quota_get_resource
#                       rounds up (2.3 and 2.4)
usage() {	# usage MAILDIR: "COUNT BYTES" of its folders' cur/ and new/, as
	# Dovecot's maildir quota counts (",S=" of the name, else the size)
	python3 - "$1" <<'EOF'
import os, re, sys
n = b = 0
for root, dirs, files in os.walk(sys.argv[1]):
    if os.path.basename(root) not in ('cur', 'new'):
        continue
    for f in files:
        m = re.search(r',S=(\d+)(?=[:,]|$)', f)
        n += 1
        b += int(m.group(1)) if m else os.path.getsize(os.path.join(root, f))
print(n, b)
EOF
}
getquota() {	# getquota USER PASSWORD [PORT]: "ROOT used limit" of
	# GETQUOTAROOT INBOX
	Q2P_PW=$2 python3 - "${3:-$H_IMAP_PORT}" "$1" <<'EOF'
import imaplib, os, re, sys
im = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
im.login(sys.argv[2], os.environ['Q2P_PW'])
typ, d = im.getquotaroot('INBOX')
root = d[0][0].decode().split(' ', 1)[1].strip('"')
m = re.search(r'STORAGE (\d+) (\d+)', d[1][0].decode())
print(root, m.group(1), m.group(2))
im.logout()
EOF
}
mdsize() {	# mdsize MAILDIR: "COUNT BYTES" summed from Dovecot's maildirsize
	awk 'NR > 1 { b += $1; n += $2 } END { print n, b }' "$1/maildirsize"
}
kb() {
	echo $(( ($1 + 1023) / 1024 ))
}
