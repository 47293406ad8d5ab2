#!/bin/bash
# Smoke test: postsrsd 1.10 from the harness rewrites forward and back over
# Postfix's tcp_table protocol; its hash matches an independent HMAC-SHA1
# model; and under faketime it reproduces postsrsd's own documented vector
# (secret tops3cr3t, example.com, 2020-01-01 00:01:00 UTC).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib/harness.sh"
h_init smoke-postsrsd

secret=$H_DIR/srs.secret
(umask 077; openssl rand -hex 16 >"$secret")
if ! h_postsrsd_start "$secret" srs.example.com; then
	tap_fail "postsrsd starts"
	tap_done
fi
tap_ok "postsrsd listens on 127.0.0.1:$H_SRS_FPORT (forward) and :$H_SRS_RPORT (reverse)"

# TT: base32 of (unix day mod 1024), two characters
b32=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567
day=$(( $(date +%s) / 86400 % 1024 ))
tt=${b32:$((day >> 5 & 31)):1}${b32:$((day & 31)):1}

fwd=$(h_postsrsd_query forward alice@sender.example)
if [[ $fwd =~ ^200\ (SRS0=(....)=$tt=sender\.example=alice@srs\.example\.com)$ ]]; then
	srs=${BASH_REMATCH[1]}
	hash=${BASH_REMATCH[2]}
	tap_ok "forward: alice@sender.example -> $srs"
else
	tap_fail "forward: alice@sender.example -> SRS0=HHHH=$tt=sender.example=alice@srs.example.com" "got: $fwd"
	srs="" hash=""
fi
model=$(python3 - "$secret" "$tt" sender.example alice <<'EOF'
import base64, hashlib, hmac, sys
key = open(sys.argv[1], "rb").readline().rstrip(b"\n")
msg = "".join(sys.argv[2:]).lower().encode()
print(base64.b64encode(hmac.new(key, msg, hashlib.sha1).digest()).decode()[:4])
EOF
)
tap_check "hash equals HMAC-SHA1(secret, lc(TT domain local)) base64[:4]" \
    test -n "$hash" -a "$hash" = "$model"
tap_check "reverse: $srs -> alice@sender.example" \
    test "$(h_postsrsd_query reverse "$srs")" = "200 alice@sender.example"
wrong=ABCD
[ "${hash^^}" != ABCD ] || wrong=BCDE
bad=$(h_postsrsd_query reverse "SRS0=$wrong=$tt=sender.example=alice@srs.example.com")
tap_check "reverse with a wrong hash: 500" test "${bad%% *}" = 500
tap_check "an address in the SRS domain is left alone" \
    test "$(h_postsrsd_query forward bob@srs.example.com)" = "200 bob@srs.example.com"
h_postsrsd_stop

# The documented vector needs the clock of 2020-01-01.
printf 'tops3cr3t\n' >"$H_DIR/doc.secret"
if H_FAKETIME="2020-01-01 00:01:00 UTC" h_postsrsd_start "$H_DIR/doc.secret" example.com; then
	tap_check "faketime: test@otherdomain.com -> SRS0=vmyz=2W=otherdomain.com=test@example.com" \
	    test "$(h_postsrsd_query forward test@otherdomain.com)" = \
	    "200 SRS0=vmyz=2W=otherdomain.com=test@example.com"
	tap_check "faketime: and back" \
	    test "$(h_postsrsd_query reverse SRS0=vmyz=2W=otherdomain.com=test@example.com)" = \
	    "200 test@otherdomain.com"
	h_postsrsd_stop
else
	tap_fail "postsrsd starts under faketime"
fi

h_assert_no_leftovers
tap_done
