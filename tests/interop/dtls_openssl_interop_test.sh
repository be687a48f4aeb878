#!/usr/bin/env bash
# sfud's DTLS 1.2 engine against OpenSSL 3's command-line peers over real UDP on 127.0.0.1.
#
#   dtls_openssl_interop_test.sh PATH/TO/dtls_udp_peer [CASE...]
#
# Cases (all by default):
#   client_vs_s_server   our client, `openssl s_server -Verify 1` (client certificate required)
#   server_vs_s_client   our server, `openssl s_client -verify_return_error`
#   fragmented_hello     our server, s_client -mtu 256 with inflated offer lists: the ClientHello
#                        arrives in several fragments (like Chromium's) and must be reassembled
#   server_mtu_256       our server at MTU 256 (every flight fragmented), s_client
#   no_common_profile    s_client offers only SRTP_AES128_CM_SHA1_32: our server must fail the
#                        handshake with an alert instead of completing without SRTP keys
#   wrong_fingerprint    our server expects another client certificate: bad_certificate alert
# In every successful case both certificates are checked (ours against the SHA-256 fingerprint
# `openssl x509 -fingerprint` prints, OpenSSL's against the other side's certificate) and the
# DTLS-SRTP keying material our side exports must equal the bytes OpenSSL prints.
#
# Certificates are generated like /work/shared/peers/openssl/gen_certs.sh, into a temp dir.
# Every wait is bounded; only processes this script started are killed, by PID.
set -uo pipefail

peer=${1:?usage: $0 PATH/TO/dtls_udp_peer [CASE...]}
shift
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(client_vs_s_server server_vs_s_client fragmented_hello
  server_mtu_256 no_common_profile wrong_fingerprint)

work=$(mktemp -d /tmp/sfud-dtls-interop.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "${keep_work:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL [$case]: $*"
  for f in "$dir"/*.out; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
  done
  failures=$((failures + 1))
  keep_work=1
  return 1
}

# ---- certificates (gen_certs.sh logic) ----
for who in server client; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/$who.key" \
    -out "$work/$who.crt" -days 30 -subj "/CN=sfu-$who" 2>/dev/null || {
    echo "openssl req failed"
    exit 1
  }
done
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//'; }
server_fp=$(fingerprint "$work/server.crt")
client_fp=$(fingerprint "$work/client.crt")

# ---- helpers ----
# wait_for FILE REGEX SECONDS: true once FILE has a line matching REGEX.
wait_for() {
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt "$deadline" ]; do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# wait_pid PID SECONDS: waits for our own child, killing it after SECONDS; sets $rc.
wait_pid() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && [ $SECONDS -lt "$deadline" ]; do sleep 0.05; done
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  rc=$?
}

# An stdin for OpenSSL's tools that stays open for SECONDS (EOF on stdin ends a session early).
# Sets $stdin_fifo; the writer's PID is remembered for cleanup.
open_stdin() {
  stdin_fifo="$dir/stdin.$RANDOM"
  mkfifo "$stdin_fifo"
  sleep "$1" >"$stdin_fifo" &
  pids+=($!)
}

# Uppercase hex after OpenSSL's "Keying material:" and after our "keying_material=".
openssl_keys() { sed -nE 's/^ *Keying material: *([0-9A-Fa-f]+).*/\1/p' "$1" | head -n 1 | tr a-f A-F; }
our_keys() { sed -nE 's/^keying_material=([0-9A-F]+)$/\1/p' "$1" | head -n 1; }

# start_our_server OUT ARGS...: runs our server on a kernel-chosen port; sets $our_pid, $port.
start_our_server() {
  local out=$1
  shift
  "$peer" --role=server --port=0 --cert="$work/server.crt" --key="$work/server.key" \
    --expect-fingerprint="$client_fp" --timeout-ms=20000 --linger-ms=1500 "$@" >"$out" 2>&1 &
  our_pid=$!
  pids+=("$our_pid")
  wait_for "$out" '^listening [0-9]+' 10 || return 1
  port=$(sed -nE 's/^listening ([0-9]+)/\1/p' "$out")
}

# run_s_client OUT ARGS...: s_client against $port, bounded; sets $rc.
run_s_client() {
  local out=$1
  shift
  open_stdin 6
  timeout 20 openssl s_client -dtls1_2 -connect "127.0.0.1:$port" -cert "$work/client.crt" \
    -key "$work/client.key" -CAfile "$work/server.crt" -verify 1 -verify_return_error \
    -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 56 "$@" <"$stdin_fifo" >"$out" 2>&1 &
  local cpid=$!
  pids+=("$cpid")
  wait_pid "$cpid" 25
}

# expect_connected_and_equal_keys OUR_OUT OPENSSL_OUT
expect_connected_and_equal_keys() {
  grep -q '^connected profile=SRTP_AEAD_AES_128_GCM suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' \
    "$1" || { fail "our side did not connect with AES_128_GCM / ECDHE_ECDSA_AES_128_GCM"; return 1; }
  local ours theirs
  ours=$(our_keys "$1")
  theirs=$(openssl_keys "$2")
  [ ${#ours} -eq 112 ] || { fail "our keying material is not 56 bytes: '$ours'"; return 1; }
  [ "$ours" = "$theirs" ] || { fail "keying material differs: ours $ours, openssl $theirs"; return 1; }
  echo "  keys match: $ours"
}

# ---- cases ----
case_client_vs_s_server() {
  port=$("$peer" --free-port) || { fail "no free port"; return 1; }
  open_stdin 15
  openssl s_server -dtls1_2 -accept "127.0.0.1:$port" -cert "$work/server.crt" \
    -key "$work/server.key" -Verify 1 -CAfile "$work/client.crt" -verify_return_error \
    -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519:P-256 \
    -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80 \
    -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 56 -naccept 1 -mtu 1200 \
    <"$stdin_fifo" >"$dir/s_server.out" 2>&1 &
  local spid=$!
  pids+=("$spid")
  wait_for "$dir/s_server.out" '^ACCEPT' 10 || { fail "s_server did not start"; return 1; }
  timeout 20 "$peer" --role=client --connect="$port" --cert="$work/client.crt" \
    --key="$work/client.key" --expect-fingerprint="$server_fp" --timeout-ms=15000 \
    >"$dir/ours.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || { fail "our client exited $rc"; return 1; }
  wait_for "$dir/s_server.out" 'Keying material:' 10 || { fail "s_server printed no keys"; return 1; }
  wait_pid "$spid" 5
  expect_connected_and_equal_keys "$dir/ours.out" "$dir/s_server.out"
}

case_server_vs_s_client() {
  start_our_server "$dir/ours.out" || { fail "our server did not start"; return 1; }
  run_s_client "$dir/s_client.out" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519:P-256 \
    -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80 -mtu 1200
  wait_pid "$our_pid" 25
  [ $rc -eq 0 ] || { fail "our server exited $rc"; return 1; }
  grep -q ' client_hello_datagrams=1 ' "$dir/ours.out" ||
    { fail "expected an unfragmented ClientHello at MTU 1200"; return 1; }
  grep -q 'Verify return code: 0 (ok)' "$dir/s_client.out" ||
    { fail "s_client did not verify our certificate"; return 1; }
  expect_connected_and_equal_keys "$dir/ours.out" "$dir/s_client.out"
}

case_fragmented_hello() {
  start_our_server "$dir/ours.out" || { fail "our server did not start"; return 1; }
  # frag_clienthello.sh's offer: long enough that at MTU 256 the ClientHello needs fragments.
  run_s_client "$dir/s_client.out" -mtu 256 \
    -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:ALL:@SECLEVEL=0' \
    -groups X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096 \
    -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32
  wait_pid "$our_pid" 25
  [ $rc -eq 0 ] || { fail "our server exited $rc"; return 1; }
  local hello
  hello=$(sed -nE 's/.* client_hello_datagrams=([0-9]+).*/\1/p' "$dir/ours.out")
  [ "${hello:-0}" -ge 2 ] || { fail "the ClientHello was not fragmented (datagrams: $hello)"; return 1; }
  echo "  ClientHello reassembled from $hello datagrams"
  expect_connected_and_equal_keys "$dir/ours.out" "$dir/s_client.out"
}

case_server_mtu_256() {
  start_our_server "$dir/ours.out" --mtu=256 || { fail "our server did not start"; return 1; }
  run_s_client "$dir/s_client.out" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519:P-256 \
    -use_srtp SRTP_AEAD_AES_128_GCM -mtu 1200
  wait_pid "$our_pid" 25
  [ $rc -eq 0 ] || { fail "our server exited $rc"; return 1; }
  local largest
  largest=$(sed -nE 's/.* max_datagram_sent=([0-9]+).*/\1/p' "$dir/ours.out")
  [ -n "$largest" ] && [ "$largest" -le 256 ] ||
    { fail "a datagram exceeded MTU 256 (largest $largest)"; return 1; }
  echo "  largest datagram sent: $largest bytes"
  expect_connected_and_equal_keys "$dir/ours.out" "$dir/s_client.out"
}

case_no_common_profile() {
  start_our_server "$dir/ours.out" || { fail "our server did not start"; return 1; }
  run_s_client "$dir/s_client.out" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519:P-256 \
    -use_srtp SRTP_AES128_CM_SHA1_32 -mtu 1200 -state
  wait_pid "$our_pid" 25
  [ $rc -eq 1 ] || { fail "our server exited $rc, expected 1 (handshake failed)"; return 1; }
  grep -qE '^failed .*alert_sent=[0-9]+' "$dir/ours.out" ||
    { fail "our server failed without sending an alert"; return 1; }
  grep -q 'Keying material:' "$dir/s_client.out" &&
    { fail "s_client got keying material without a common SRTP profile"; return 1; }
  echo "  $(grep -E '^failed' "$dir/ours.out")"
  # RFC 5764 §4.1.3: no shared profile -> handshake_failure (40); -state shows what s_client read.
  grep -q 'SSL3 alert read:fatal:handshake failure' "$dir/s_client.out" ||
    { fail "s_client did not receive a handshake_failure alert"; return 1; }
}

case_wrong_fingerprint() {
  # Our server expects another certificate than the one s_client presents (the SDP would say so).
  start_our_server "$dir/ours.out" --expect-fingerprint="$server_fp" ||
    { fail "our server did not start"; return 1; }
  run_s_client "$dir/s_client.out" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519:P-256 \
    -use_srtp SRTP_AEAD_AES_128_GCM -mtu 1200 -state
  wait_pid "$our_pid" 25
  [ $rc -eq 1 ] || { fail "our server exited $rc, expected 1 (handshake failed)"; return 1; }
  grep -qE '^failed .*alert_sent=42 ' "$dir/ours.out" ||
    { fail "our server did not fail with bad_certificate (42)"; return 1; }
  grep -q '^keying_material=' "$dir/ours.out" &&
    { fail "our server exported keys for a rejected certificate"; return 1; }
  # (s_client derives its own keys before our verdict arrives and prints them anyway; what
  # matters is that its handshake ends in our alert.)
  grep -q 'SSL3 alert read:fatal:bad certificate' "$dir/s_client.out" ||
    { fail "s_client did not receive the bad_certificate alert"; return 1; }
  echo "  $(grep -E '^failed' "$dir/ours.out")"
}

failures=0
for case in "${cases[@]}"; do
  dir="$work/$case"
  mkdir -p "$dir"
  echo "== $case"
  if "case_$case"; then echo "ok $case"; fi
done
echo "$(( ${#cases[@]} - failures )) of ${#cases[@]} cases passed"
[ "$failures" -eq 0 ]
