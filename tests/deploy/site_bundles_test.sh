#!/usr/bin/env bash
# site_bundles (ctest label `package`): a network of four machines set up the way
# deploy/README.md ("A network of machines") tells an operator to.
#   1. the iot-chain package is installed by the real dpkg in a throwaway root (as in
#      deb_install_test.sh, overlay_root.sh);
#   2. four "machines": network namespaces of their own, 10.77.0.1-4 on one bridge, each
#      with its own loopback (so every node's admin API is 127.0.0.1:8740, as on a machine);
#   3. the installed `itc network init --bundles --hosts 10.77.0.1:7100,...` writes one
#      bundle per validator; each is copied into /etc/itc, its key given to the user itc;
#   4. each node starts as its unit itc-node@validator-i runs it (ExecStartPre, then
#      ExecStart, as user itc, sandboxed), on its machine;
#   5. a transfer signed with the installed `itc` commits, and all four hold the same block;
#   6. SIGTERM stops each with exit status 0 and nothing lost.
# Needs root (mounts, chroot, network namespaces). Usage: site_bundles_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source=overlay_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/overlay_root.sh"

if [[ ${1:-} != --inside ]]; then
  build=${1:?usage: site_bundles_test.sh BUILD_DIR}
  [[ $(id -u) -eq 0 ]] || fail "needs root (overlay mounts, network namespaces); run as CI does"
  work=$(mktemp -d /tmp/itc-site-test.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  build_deb "$build" "$work"
  cp "$(dirname "$0")/../../deploy/compose/gateway.yaml" "$work/"
  enter_namespaces "$0" "$work" "$deb"
  echo "PASS"
  exit 0
fi

work=$2
mount_root "$work"
install_deb "$3" "$work"
n=4

# The machines. /run/netns is a tmpfs of this mount namespace: nothing leaks to the host.
mkdir -p /run/netns
mount -t tmpfs tmpfs /run/netns
ip link add site type bridge
ip link set site up
hosts=()
for ((i = 0; i < n; i++)); do
  ip netns add "machine-$i"
  ip link add "host-$i" type veth peer name eth0 netns "machine-$i"
  ip link set "host-$i" master site up
  nsenter --net="/run/netns/machine-$i" ip addr add "10.77.0.$((i + 1))/24" dev eth0
  nsenter --net="/run/netns/machine-$i" ip link set eth0 up
  nsenter --net="/run/netns/machine-$i" ip link set lo up
  hosts+=("10.77.0.$((i + 1)):7100")
done
# nsenter, not `ip netns exec` (nor `ip -n`): those also remount / as a slave and /sys, which fails where /
# is not a mount point (a chroot, as in ../shared/tools/fresh-debian.sh), and the nodes need
# only the machine's network.
on() { local m=$1; shift; nsenter --net="/run/netns/machine-$m" "$@"; }

# The operator's step: bundles from the installed tool, copied to each machine's /etc/itc.
(IFS=,; in_root itc network init --validators $n --accounts 2 --bundles --out /root/site \
  --hosts "${hosts[*]}") >"$work/init.log" || { cat "$work/init.log"; fail "itc network init"; }
cat "$work/init.log"
nodes=()
for ((i = 0; i < n; i++)); do
  name=validator-$i
  cp -r "$root/root/site/$name-bundle/." "$root/etc/itc/"
  in_root chown -R itc:itc "/etc/itc/$name"
  [[ $(in_root stat -c "%U %a" "/etc/itc/$name/identity.pem") == "itc 600" ]] ||
    fail "$name's key is not mode 600 owned by itc after the copy"
  prepare_state "$name"
  # shellcheck disable=SC2046  # the unit's command lines, split as systemd splits them
  (exec nsenter --net="/run/netns/machine-$i" bash -c "$(declare -f sandboxed unit_value); \
    root=$root unit_file=$unit_file; sandboxed $name $(unit_value ExecStartPre "$name")") \
    >"$work/$name-check.log" 2>&1 || { cat "$work/$name-check.log"; fail "$name: ExecStartPre refused its bundle"; }
  (exec nsenter --net="/run/netns/machine-$i" bash -c "$(declare -f sandboxed unit_value); \
    root=$root unit_file=$unit_file; sandboxed $name $(unit_value ExecStart "$name")") \
    >"$work/$name.log" 2>&1 &
  nodes+=($!)
done

token() { cat "$root/var/lib/itc/validator-$1/admin.token" 2>/dev/null; }
api() {
  local m=$1 path=$2
  on "$m" curl -s -H "Authorization: Bearer $(token "$m")" "http://127.0.0.1:8740$path"
}
for ((i = 0; i < n; i++)); do
  code=
  for _ in $(seq 1 300); do
    code=$(on "$i" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8740/readyz || true)
    [[ $code == 200 ]] && break
    kill -0 "${nodes[$i]}" 2>/dev/null || { cat "$work/validator-$i.log"; fail "validator-$i exited"; }
    sleep 0.1
  done
  [[ $code == 200 ]] || { cat "$work/validator-$i.log"; fail "validator-$i: /readyz $code"; }
done
echo "4 validators ready, each on its own machine"

# A transfer from machine 2, by the installed CLI, to that machine's node.
cp "$root/var/lib/itc/validator-2/admin.token" "$root/root/token-2"
on 2 chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin itc tx transfer \
  --genesis /root/site/genesis.json --key /root/site/account-0.pem --to /root/site/account-1.pem \
  --amount 250 --node http://127.0.0.1:8740 --token-file /root/token-2 >"$work/tx.log" 2>&1 ||
  { cat "$work/tx.log" "$work"/validator-*.log; fail "the transfer did not commit"; }
cat "$work/tx.log"
height=$(sed -n 's/.*committed in block \([0-9]*\).*/\1/p' "$work/tx.log")
[[ -n $height ]] || fail "no 'committed in block H' in the CLI's answer"
hashes=()
for ((i = 0; i < n; i++)); do
  hash=
  for _ in $(seq 1 100); do
    hash=$(api "$i" "/v1/ledger/blocks/$height" | grep -o '"hash": *"[^"]*"' | tail -1 || true)
    [[ -n $hash ]] && break
    sleep 0.1
  done
  [[ -n $hash ]] || fail "validator-$i has no block $height"
  hashes+=("$hash")
done
[[ $(printf '%s\n' "${hashes[@]}" | sort -u | wc -l) == 1 ]] ||
  fail "the validators hold different blocks at $height: ${hashes[*]}"
echo "block $height is the same on all four (${hashes[0]})"

# The gateway node of deploy/compose passes the installed node's check as well.
if [[ -f $work/gateway.yaml ]]; then
  cp "$work/gateway.yaml" "$root/etc/itc/gateway.yaml"
  in_root itc-node --check-config /etc/itc/gateway.yaml >"$work/gateway-check.log" 2>&1 ||
    { cat "$work/gateway-check.log"; fail "deploy/compose/gateway.yaml: itc-node --check-config"; }
  echo "deploy/compose/gateway.yaml: accepted by the installed itc-node --check-config"
fi

for ((i = 0; i < n; i++)); do
  kill -TERM "${nodes[$i]}"
  rc=0
  wait "${nodes[$i]}" || rc=$?
  [[ $rc == 0 ]] || { cat "$work/validator-$i.log"; fail "validator-$i: SIGTERM exit $rc"; }
  grep -q "nothing lost" "$work/validator-$i.log" || fail "validator-$i's stop did not say 'nothing lost'"
done
echo "SIGTERM: all four exit 0, nothing lost"
