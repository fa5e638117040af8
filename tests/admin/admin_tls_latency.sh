#!/bin/sh
# What HTTPS costs a client of the admin API: the median time of N GET /v1/node requests,
# each on a fresh connection (curl), to a node serving plain HTTP on loopback and to one
# serving HTTPS (TLS 1.3, a P-256 certificate made here), and their ratio. A client that
# keeps its connection open (Studio, Prometheus) pays the handshake once.
#   tests/admin/admin_tls_latency.sh BUILD_DIR [N]     (needs curl and openssl)
set -eu
BUILD=$(cd "${1:?usage: $0 BUILD_DIR [N]}" && pwd)
N=${2:-200}
D=$(mktemp -d)
trap 'kill $P1 $P2 2>/dev/null; wait 2>/dev/null; rm -rf "$D"' EXIT
cd "$D"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
  -out cert.pem -days 30 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
# A loopback port nothing listens on (bash's /dev/tcp: no python3 on a fresh Debian 12).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
PP=$(free_port); PT=$(free_port)
echo "node: {name: plain, data_dir: dp, admin: {listen: \"127.0.0.1:$PP\"}}" > plain.yaml
echo "node: {name: tls, data_dir: dt, admin: {listen: \"127.0.0.1:$PT\", tls: {cert_file: cert.pem, key_file: key.pem}}}" > tls.yaml
"$BUILD/core/itc-node" --config plain.yaml --log-level warn >/dev/null 2>plain.log & P1=$!
"$BUILD/core/itc-node" --config tls.yaml --log-level warn >/dev/null 2>tls.log & P2=$!
for i in $(seq 100); do
  [ -s dp/admin.token ] && [ -s dt/admin.token ] && curl -sf -o /dev/null --cacert cert.pem https://127.0.0.1:$PT/healthz && break
  sleep 0.1
done
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)] * 1000}'; }
run() {  # URL TOKEN [curl options]: N fresh-connection requests, one time_total a line
  url=$1; token=$2; shift 2
  for i in $(seq "$N"); do
    curl -s -o /dev/null "$@" -H "Authorization: Bearer $token" -w '%{time_total}\n' "$url/v1/node"
  done
}
plain=$(run "http://127.0.0.1:$PP" "$(cat dp/admin.token)" | median)
tls=$(run "https://127.0.0.1:$PT" "$(cat dt/admin.token)" --cacert cert.pem | median)
echo "GET /v1/node, fresh connection each, median of $N: plain HTTP $plain ms, HTTPS (TLS 1.3) $tls ms, ratio $(echo "$tls $plain" | awk '{printf "%.1f", $1 / $2}')"
