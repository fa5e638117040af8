#!/usr/bin/env bash
# sdk_out_of_tree_plugin: what a plugin vendor does, end to end, against the INSTALLED SDK.
#   1. install the build into a fresh prefix (cmake --install)
#   2. configure and build tests/vendor-sample (acme-lux-meter) out of tree against it
#   3. make a vendor key, pack, sign and verify the plugin with the installed `itc`
#   4. run the installed itc-node with the package (trusting the key): it must reach RUNNING
#   5. run it beside the in-tree sim-lighting and normalize packages: it must count real
#      readings (only its metric_filter's) and keep its count when hot-swapped to 1.1.0
#   6. itc-node --check-config must name file:line:column and the field of a bad value
# Usage: sdk_install_test.sh <build dir> <source dir>
set -euo pipefail

die() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

[[ $# -eq 2 ]] || die "usage: $0 <build dir> <source dir>"
build_dir=$(cd "$1" && pwd) || die "build dir $1 does not exist"
source_dir=$(cd "$2" && pwd) || die "source dir $2 does not exist"
sample_dir="$source_dir/tests/vendor-sample"
[[ -f "$sample_dir/CMakeLists.txt" ]] || die "no vendor sample at $sample_dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/itc-sdk-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

# Runs a command with its output in $tmp/<name>.log; on failure shows the log and stops.
run_logged() {
  local name=$1
  shift
  if ! "$@" >"$tmp/$name.log" 2>&1; then
    cat "$tmp/$name.log" >&2
    die "$name failed: $*"
  fi
}

step "install $build_dir into $prefix"
run_logged install cmake --install "$build_dir" --prefix "$prefix"
itc="$prefix/bin/itc"
node="$prefix/bin/itc-node"
for f in "$itc" "$node" "$prefix/include/itc/plugin.hpp" "$prefix/include/itc/v1/device.pb.h"; do
  [[ -e "$f" ]] || die "the install lacks $f"
done
[[ -n $(find "$prefix" -name ItcSdkConfig.cmake) ]] || die "the install lacks ItcSdkConfig.cmake"

step "configure and build the vendor sample against the installed SDK"
# The build must not see the source tree's SDK: only the prefix is on the search path.
run_logged vendor-configure cmake -S "$sample_dir" -B "$tmp/vendor-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_logged vendor-build cmake --build "$tmp/vendor-build"
lib="$tmp/vendor-build/libacme_lux_meter.so"
[[ -f "$lib" ]] || die "the vendor build did not produce $lib"
if grep -qF -- "$source_dir/core/include" "$tmp/vendor-build/build.ninja"; then
  die "the vendor build used the source tree's headers instead of the installed SDK"
fi

step "keygen, pack, sign, verify with the installed itc"
pubkey=$("$itc" plugin keygen --out "$tmp/acme-vendor.pem") || die "itc plugin keygen failed"
[[ $pubkey =~ ^[0-9a-f]{64}$ ]] || die "itc plugin keygen printed '$pubkey', not 64 hex digits"
run_logged pack "$itc" plugin pack "$lib" --out "$tmp/acme-lux-meter.unsigned.itcpkg" --vendor "Acme"
run_logged sign "$itc" plugin sign "$tmp/acme-lux-meter.unsigned.itcpkg" \
  --key "$tmp/acme-vendor.pem" --out "$tmp/acme-lux-meter.itcpkg"
pkg="$tmp/acme-lux-meter.itcpkg"
run_logged verify "$itc" plugin verify "$pkg" --trust "$tmp/acme-vendor.pem"
grep -q "^name: *acme-lux-meter$" "$tmp/verify.log" || die "verify shows no manifest name"
grep -q "^OK: signed by $pubkey, trusted$" "$tmp/verify.log" || {
  cat "$tmp/verify.log" >&2
  die "verify did not report the package as signed by $pubkey and trusted"
}
# The unsigned package and a stranger's key must be refused.
"$itc" plugin keygen --out "$tmp/stranger.pem" >/dev/null
if "$itc" plugin verify "$pkg" --trust "$tmp/stranger.pem" >"$tmp/verify-stranger.log" 2>&1; then
  die "verify accepted the package against a key that did not sign it"
fi
if "$itc" plugin verify "$tmp/acme-lux-meter.unsigned.itcpkg" --trust "$tmp/acme-vendor.pem" \
  >"$tmp/verify-unsigned.log" 2>&1; then
  die "verify accepted an unsigned package"
fi

step "run the installed itc-node with the signed package"
cat >"$tmp/node.yaml" <<EOF
node:
  name: acme-test
  data_dir: data
  admin: {listen: "off"}
  trusted_vendor_keys: ["$pubkey"]
plugins:
  - name: acme-lux-meter
    package: $pkg
    config: {metric_filter: lux}
EOF
if ! "$node" --config "$tmp/node.yaml" --run-for 2 >"$tmp/node.log" 2>&1; then
  cat "$tmp/node.log" >&2
  die "itc-node did not exit 0 running the vendor plugin"
fi
grep -q "plugin acme-lux-meter: RUNNING" "$tmp/node.log" || {
  cat "$tmp/node.log" >&2
  die "itc-node's log does not say acme-lux-meter reached RUNNING"
}
grep -q "acme-lux-meter: counting metric lux" "$tmp/node.log" || {
  cat "$tmp/node.log" >&2
  die "the plugin did not log its configured filter (config not applied?)"
}

step "the same package is refused when its key is not trusted"
stranger=$("$itc" key public "$tmp/stranger.pem")
sed "s/$pubkey/$stranger/" "$tmp/node.yaml" >"$tmp/untrusted.yaml"
if "$node" --config "$tmp/untrusted.yaml" --run-for 1 >"$tmp/untrusted.log" 2>&1; then
  cat "$tmp/untrusted.log" >&2
  die "itc-node exited 0 although the vendor key is not trusted"
fi
if grep -q "plugin acme-lux-meter: RUNNING" "$tmp/untrusted.log"; then
  die "itc-node ran a package signed by an untrusted key"
fi

step "count real readings from the in-tree sim-lighting and normalize, then hot-swap"
for p in sim-lighting normalize; do
  [[ -f "$build_dir/packages/$p.itcpkg" ]] ||
    die "$build_dir/packages/$p.itcpkg is missing: build the whole tree (ninja -C $build_dir)"
done
build_key=$("$itc" key public "$build_dir/keys/build-vendor.pem") ||
  die "cannot read the build's vendor key $build_dir/keys/build-vendor.pem"
# The next release, 1.1.0, built from the same sources and signed with the same key.
run_logged vendor-configure-next cmake -S "$sample_dir" -B "$tmp/vendor-build-next" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DACME_LUX_METER_VERSION=1.1.0
run_logged vendor-build-next cmake --build "$tmp/vendor-build-next"
run_logged pack-next "$itc" plugin pack "$tmp/vendor-build-next/libacme_lux_meter.so" \
  --out "$tmp/next.unsigned.itcpkg" --vendor "Acme"
run_logged sign-next "$itc" plugin sign "$tmp/next.unsigned.itcpkg" --key "$tmp/acme-vendor.pem" \
  --out "$tmp/acme-lux-meter-1.1.0.itcpkg"
cat >"$tmp/fleet.yaml" <<EOF
node:
  name: acme-fleet
  data_dir: fleet-data
  admin: {listen: "127.0.0.1:0"}
  trusted_vendor_keys: ["$pubkey", "$build_key"]
device_profiles: ["$source_dir/deploy/profiles"]
plugins:
  - name: normalize
    package: $build_dir/packages/normalize.itcpkg
  - name: acme-lux-meter
    package: $pkg
    config: {metric_filter: power}
  # Last: the host starts each plugin right after initialising it, so sim-lighting's
  # device registrations would reach no one if normalize subscribed after it started.
  - name: sim-lighting
    package: $build_dir/packages/sim-lighting.itcpkg
    config:
      lamps: 20
      report_interval_ms: 100
      owner_public_key: $stranger
      profile: dimmable-lamp
EOF
"$node" --config "$tmp/fleet.yaml" --run-for 8 >"$tmp/fleet.log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  grep -q "plugin acme-lux-meter: RUNNING" "$tmp/fleet.log" && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "plugin acme-lux-meter: RUNNING" "$tmp/fleet.log" || {
  cat "$tmp/fleet.log" >&2
  die "acme-lux-meter did not reach RUNNING beside sim-lighting and normalize"
}
admin=$(sed -n 's/.*admin API: \(http:[^ ]*\) .*/\1/p' "$tmp/fleet.log")
[[ -n $admin ]] || die "itc-node logged no admin API address"
sleep 1 # let readings flow into 1.0.0
if ! curl -sS -f -H "Authorization: Bearer $(cat "$tmp/fleet-data/admin.token")" \
  -X POST "$admin/v1/plugins/acme-lux-meter/swap" \
  -d "{\"package\": \"$tmp/acme-lux-meter-1.1.0.itcpkg\"}" >"$tmp/swap.json" 2>&1; then
  cat "$tmp/swap.json" "$tmp/fleet.log" >&2
  die "the admin API refused to hot-swap acme-lux-meter to 1.1.0"
fi
grep -Eq '"version": ?"1\.1\.0"' "$tmp/swap.json" || {
  cat "$tmp/swap.json" >&2
  die "after the swap the admin API does not report acme-lux-meter at version 1.1.0"
}
wait "$node_pid" || {
  cat "$tmp/fleet.log" >&2
  die "itc-node did not exit 0 after running the fleet and the hot swap"
}
trap 'rm -rf "$tmp"' EXIT
mapfile -t drained < <(sed -n 's/.*acme-lux-meter: drained; \([0-9]*\) readings seen.*/\1/p' \
  "$tmp/fleet.log")
imported=$(sed -n 's/.*acme-lux-meter: imported \([0-9]*\) readings seen.*/\1/p' "$tmp/fleet.log")
if [[ ${#drained[@]} -ne 2 || -z $imported ]]; then
  cat "$tmp/fleet.log" >&2
  die "expected 1.0.0 to drain and export, 1.1.0 to import and drain; see the log above"
fi
before=${drained[0]} after=${drained[1]}
if ((before == 0)); then
  cat "$tmp/fleet.log" >&2
  die "acme-lux-meter 1.0.0 saw no readings in 1 s of a 20-lamp fleet"
fi
((imported == before)) ||
  die "1.0.0 drained with $before readings but 1.1.0 imported $imported (state lost in the swap)"
((after > before)) || die "1.1.0 counted nothing after the swap ($before before, $after after)"
grep -q "acme-lux-meter: drained; $after readings seen (power: $after)$" "$tmp/fleet.log" || {
  cat "$tmp/fleet.log" >&2
  die "acme-lux-meter counted metrics other than its metric_filter 'power'"
}
grep -q "plugin acme-lux-meter swapped 1.0.0 → 1.1.0" "$tmp/fleet.log" ||
  die "itc-node's log does not record the swap 1.0.0 → 1.1.0"
echo "   1.0.0 counted $before power readings, handed them to 1.1.0, which ended at $after"

step "itc-node --check-config names file:line:column and field of bad plugin config"
long_filter=$(printf 'x%.0s' {1..65})
cat >"$tmp/bad.yaml" <<EOF
node:
  name: acme-test
  data_dir: data
  admin: {listen: "off"}
  trusted_vendor_keys: ["$pubkey"]
plugins:
  - name: acme-lux-meter
    package: $pkg
    config:
      metric_filter: $long_filter
EOF
if "$node" --check-config "$tmp/bad.yaml" >"$tmp/check-bad.log" 2>&1; then
  cat "$tmp/check-bad.log" >&2
  die "--check-config accepted a 65-character metric_filter"
fi
grep -Eq "bad\.yaml:10:[0-9]+: plugins\[0\]\.config\.metric_filter: at most 64 characters, got 65" \
  "$tmp/check-bad.log" || {
  cat "$tmp/check-bad.log" >&2
  die "--check-config did not report bad.yaml:10:<col>: plugins[0].config.metric_filter"
}
sed 's/metric_filter: .*/metric_filtre: lux/' "$tmp/bad.yaml" >"$tmp/typo.yaml"
if "$node" --check-config "$tmp/typo.yaml" >"$tmp/check-typo.log" 2>&1; then
  cat "$tmp/check-typo.log" >&2
  die "--check-config accepted an unknown field metric_filtre"
fi
grep -Eq "typo\.yaml:10:[0-9]+: plugins\[0\]\.config\.metric_filtre: .*metric_filter" \
  "$tmp/check-typo.log" || {
  cat "$tmp/check-typo.log" >&2
  die "--check-config did not report typo.yaml:10:<col>: plugins[0].config.metric_filtre"
}
"$node" --check-config "$tmp/node.yaml" >"$tmp/check-good.log" 2>&1 || {
  cat "$tmp/check-good.log" >&2
  die "--check-config rejected the good config"
}

echo "PASS: out-of-tree plugin built, signed, verified, loaded and validated with the installed SDK"
