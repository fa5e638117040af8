#!/usr/bin/env bash
# Takes the README's screenshots of itc-studio: starts one local itc-node (PBFT validator
# of a one-validator network, simulated fleet, signed packages from the build), runs
# itc-studio under Xvfb with --screenshot-dir so it connects, visits each view and saves a
# PNG of it, then stops the node.
#   studio/screenshots.sh [BUILD_DIR] [OUT_DIR]
# Default BUILD_DIR: build; OUT_DIR: studio/screenshots. Needs xvfb-run, and the build's
# itc-node, itc, itc-studio and packages (cmake --build BUILD_DIR --target itc-studio
# itc-node itc itc_pbft_package itc_store_sqlite_package itc_sim_lighting_package
# itc_normalize_package itc_control_package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
out=$(mkdir -p "${2:-$here/screenshots}" && cd "${2:-$here/screenshots}" && pwd)
work=$(mktemp -d)
node_pid=
cleanup() {
  if [[ -n "$node_pid" ]]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

itc="$build/core/itc"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
peer=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# A one-validator network: its key, an owner account for the lamps, the genesis file.
validator_key=$("$itc" plugin keygen --out "$work/validator.pem" | grep -oE '[0-9a-f]{64}' | head -1)
owner_key=$("$itc" plugin keygen --out "$work/owner.pem" | grep -oE '[0-9a-f]{64}' | head -1)
b64() { python3 -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$1"; }
cat > "$work/genesis.json" <<JSON
{"chainId": "studio-screenshots", "timestampUs": "1700000000000000",
 "validators": [{"name": "validator-0", "publicKey": "$(b64 "$validator_key")", "address": "127.0.0.1:$peer"}],
 "allocations": [{"account": "$(b64 "$owner_key")", "balance": "1000000"}], "minFee": "1"}
JSON
cat > "$work/node.yaml" <<YAML
node:
  name: validator-0
  data_dir: data
  admin: {listen: 127.0.0.1:$port}
  trusted_vendor_keys: [$build/keys/build-vendor.pem]
device_profiles: [$repo/deploy/profiles]
plugins:
  - name: store-sqlite
    package: $build/packages/store-sqlite.itcpkg
  - name: pbft
    package: $build/packages/pbft.itcpkg
    config: {genesis_file: $work/genesis.json, identity_key_file: $work/validator.pem}
  - name: sim-lighting
    package: $build/packages/sim-lighting.itcpkg
    config: {lamps: 500, report_interval_ms: 1000, fleet_seed: screenshots, owner_public_key: $owner_key}
  - name: normalize
    package: $build/packages/normalize.itcpkg
  - name: control
    package: $build/packages/control.itcpkg
YAML
"$build/core/itc-node" --config "$work/node.yaml" >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 100); do [[ -s "$work/data/admin.token" ]] && break; sleep 0.2; done
[[ -s "$work/data/admin.token" ]] || { echo "itc-node did not start:"; cat "$work/node.log"; exit 1; }

# Studio's settings and token files go to a throw-away home.
HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
  xvfb-run -a -s "-screen 0 1280x800x24" "$build/studio/itc-studio" \
  --url "http://127.0.0.1:$port" --token-file "$work/data/admin.token" \
  --genesis "$work/genesis.json" --owner-key "$work/owner.pem" --screenshot-dir "$out"
ls -l "$out"/*.png
