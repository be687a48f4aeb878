#!/usr/bin/env bash
# Records the seed corpus of dtls_server_fuzz: real client datagrams as sfud's server received them
# over UDP on 127.0.0.1, written by `dtls_udp_peer --record` in the fuzzer's input format
# (dtls_fuzz_input.h). The recording server uses the fuzzer's SeededRandom, so each recorded second
# ClientHello carries a cookie the fuzzer's server accepts.
#
#   record_dtls_fuzz_corpus.sh PATH/TO/dtls_udp_peer OUT_DIR
#
# Re-run it when the engine's cookie derivation changes (the seeds still parse, but the cookie
# would no longer verify and the replays would stop at the HelloVerifyRequest).
set -uo pipefail
peer=${1:?usage: $0 PATH/TO/dtls_udp_peer OUT_DIR}
out=${2:?usage: $0 PATH/TO/dtls_udp_peer OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d /tmp/sfud-dtls-corpus.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

for who in server client; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/$who.key" \
    -out "$work/$who.crt" -days 30 -subj "/CN=sfu-$who" 2>/dev/null || exit 1
done

# record NAME CLIENT_KIND ARGS...: our server records what the client sends.
record() {
  local name=$1 kind=$2
  shift 2
  "$peer" --role=server --port=0 --cert="$work/server.crt" --key="$work/server.key" \
    --timeout-ms=15000 --linger-ms=1000 --record="$out/$name" >"$work/$name.server" 2>&1 &
  local spid=$!
  pids+=("$spid")
  local port="" i
  for i in $(seq 100); do
    port=$(sed -nE 's/^listening ([0-9]+)/\1/p' "$work/$name.server" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "$name: server did not start"; return 1; }
  if [ "$kind" = openssl ]; then
    mkfifo "$work/$name.stdin"
    sleep 4 >"$work/$name.stdin" &
    pids+=($!)
    timeout 15 openssl s_client -dtls1_2 -connect "127.0.0.1:$port" -cert "$work/client.crt" \
      -key "$work/client.key" -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 56 "$@" \
      <"$work/$name.stdin" >"$work/$name.client" 2>&1
  else
    timeout 15 "$peer" --role=client --connect="$port" --cert="$work/client.crt" \
      --key="$work/client.key" --timeout-ms=10000 "$@" >"$work/$name.client" 2>&1
  fi
  wait "$spid"
  echo "$name: $(grep -E '^(connected|failed)' "$work/$name.server" | head -n 1)" \
    "($(stat -c %s "$out/$name" 2>/dev/null || echo 0) bytes)"
}

record openssl_s_client_handshake openssl -cipher ECDHE-ECDSA-AES128-GCM-SHA256 \
  -groups X25519:P-256 -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80 -mtu 1200
record openssl_s_client_p256 openssl -cipher ECDHE-ECDSA-AES256-GCM-SHA384 -groups P-256 \
  -use_srtp SRTP_AEAD_AES_256_GCM -mtu 1200
record openssl_s_client_fragmented_hello openssl -mtu 256 \
  -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:ALL:@SECLEVEL=0' \
  -groups X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096 \
  -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32
record openssl_s_client_no_common_profile openssl -cipher ECDHE-ECDSA-AES128-GCM-SHA256 \
  -groups X25519:P-256 -use_srtp SRTP_AES128_CM_SHA1_32 -mtu 1200
record sfud_client_handshake sfud
record sfud_client_mtu_256 sfud --mtu=256 --profiles=cm80
