#!/usr/bin/env bash
# Takes the README's screenshots of itc-studio against the 4-validator demo network: writes
# the network (itc network init, deploy/demo/validator.yaml.in, 100 lamps per validator)
# on free ports in a temporary directory, starts the four validators, sends a few token
# transfers and an owner-signed command, then runs itc-studio under Xvfb at 1280×800 with
# --screenshot-dir: it connects to all four, waits a minute for history to build up, visits
# each view and saves a PNG of it; then the validators are stopped.
#   studio/screenshots.sh [BUILD_DIR] [OUT_DIR]
# Default BUILD_DIR: build; OUT_DIR: studio/screenshots. Needs xvfb-run, curl and the
# build's itc-node, itc, itc-studio and packages (cmake --build BUILD_DIR --target
# itc-studio itc-node itc itc_pbft_package itc_store_sqlite_package
# itc_sim_lighting_package itc_normalize_package itc_control_package).
# ITC_SCREENSHOT_SETTLE_S (default 60): seconds of history before the first shot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
out=$(mkdir -p "${2:-$here/screenshots}" && cd "${2:-$here/screenshots}" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  if ((${#pids[@]})); then kill -TERM "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

itc="$build/core/itc"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
net="$work/network"
# Peer ports: four in a row from a free one (validator-i gets base + i).
base=$(free_port)
"$itc" network init --validators 4 --accounts 2 --out "$net" --base-port "$base" >/dev/null
"$itc" plugin keygen --out "$work/owner.pem" >/dev/null
vendor=$("$itc" key public "$build/keys/build-vendor.pem")
owner=$("$itc" key public "$work/owner.pem")
admin=()
for i in 0 1 2 3; do
  admin+=("$(free_port)")
  sed -e "s|@NAME@|validator-$i|g" -e "s|@DATA@|$work/data/validator-$i|g" \
      -e "s|@ADMIN_PORT@|${admin[$i]}|g" -e "s|@PREFIX@|v$i-lamp-|g" \
      -e "s|@PACKAGES@|$build/packages|g" -e "s|@VENDOR_KEY@|$vendor|g" \
      -e "s|@OWNER_KEY@|$owner|g" -e "s|@LAMPS@|100|g" -e "s|@NETWORK@|$net|g" \
      -e "s|@PROFILES@|$repo/deploy/profiles|g" \
      "$repo/deploy/demo/validator.yaml.in" > "$work/validator-$i.yaml"
  "$build/core/itc-node" --config "$work/validator-$i.yaml" >"$work/validator-$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1 2 3; do
  token="$work/data/validator-$i/admin.token"
  for _ in $(seq 150); do [[ -s "$token" ]] && break; sleep 0.2; done
  [[ -s "$token" ]] || { echo "validator-$i did not start:"; cat "$work/validator-$i.log"; exit 1; }
done

# Some transfers and a command, so the ledger and the devices view have something to show.
export ITC_NODE="http://127.0.0.1:${admin[1]}" ITC_TOKEN_FILE="$work/data/validator-1/admin.token"
sleep 3
for amount in 25 40 15; do
  "$itc" tx transfer --key "$net/account-0.pem" --to "$net/account-1.pem" --amount "$amount" \
    --genesis "$net/genesis.json" >/dev/null || echo "a transfer was refused (see above)"
done
"$itc" command sign --key "$work/owner.pem" --device v0-lamp-000001 --action dim --level 40 |
  curl -s -H "Authorization: Bearer $(cat "$work/data/validator-0/admin.token")" \
    --data-binary @- "http://127.0.0.1:${admin[0]}/v1/commands" >/dev/null

args=()
for i in 0 1 2 3; do
  args+=(--url "http://127.0.0.1:${admin[$i]}" --token-file "$work/data/validator-$i/admin.token")
done
# Studio's settings and token files go to a throw-away home.
HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
  xvfb-run -a -s "-screen 0 1280x800x24" "$build/studio/itc-studio" "${args[@]}" \
  --genesis "$net/genesis.json" --owner-key "$work/owner.pem" \
  --screenshot-settle "${ITC_SCREENSHOT_SETTLE_S:-60}" --screenshot-dir "$out"
ls -l "$out"/*.png
