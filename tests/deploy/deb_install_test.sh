#!/usr/bin/env bash
# deb_install (ctest label `package`): the iot-chain Debian package, as an operator meets it.
#   1. cpack builds the .deb from the build tree;
#   2. the real dpkg installs it (postinst creates the itc user) in a throwaway root: this
#      machine's /usr, /etc and /var as copy-on-write overlays in a private mount and network
#      namespace, so dpkg checks the package's dependencies against this system's package
#      database and the machine itself is left untouched;
#   3. systemd-analyze verify passes on itc-node@main.service as installed;
#   4. the unit's own ExecStartPre (itc-node --check-config) accepts /etc/itc/main.yaml;
#   5. the node starts as the unit starts it: the unit's User, ExecStart and StateDirectory,
#      no new privileges, an empty capability bounding set, the file system read-only but
#      for the StateDirectory (ProtectSystem=strict) and a private /tmp. /healthz answers,
#      /readyz reports every plugin running, and SIGTERM stops it with exit status 0 and
#      nothing lost;
#   6. dpkg --purge removes the programs and /etc/itc and keeps the node's data.
# Needs root (mounts, chroot), as `deploy/itc test` and CI run. Usage: deb_install_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source=overlay_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/overlay_root.sh"

if [[ ${1:-} != --inside ]]; then
  build=${1:?usage: deb_install_test.sh BUILD_DIR}
  [[ $(id -u) -eq 0 ]] || fail "needs root (overlay mounts, chroot, a system user); run as CI does"
  work=$(mktemp -d /tmp/itc-deb-test.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  build_deb "$build" "$work"
  enter_namespaces "$0" "$work" "$deb"
  echo "PASS"
  exit 0
fi

work=$2
mount_root "$work"
install_deb "$3" "$work"

instance=main
# systemd-analyze verify needs the instance's unit file by name; the template is read as is.
ln -s "$unit_file" "$root/tmp/itc-node@$instance.service"
in_root systemd-analyze verify "/tmp/itc-node@$instance.service" >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log"; fail "systemd-analyze verify itc-node@$instance.service"; }
[[ ! -s $work/verify.log ]] || { cat "$work/verify.log"; fail "systemd-analyze verify warned"; }
echo "systemd-analyze verify: clean"

# What the unit says, with %i expanded: the test starts the node from these lines only.
user=$(unit_value User $instance)
pre=$(unit_value ExecStartPre $instance)
start=$(unit_value ExecStart $instance)
[[ $(unit_value ProtectSystem $instance) == strict && $(unit_value NoNewPrivileges $instance) == yes ]] ||
  fail "the unit lost ProtectSystem=strict or NoNewPrivileges=yes"
grep -qx 'CapabilityBoundingSet=' "$root$unit_file" || fail "the unit keeps capabilities"
prepare_state $instance
echo "unit: User=$user ExecStart=$start StateDirectory=$state"

# shellcheck disable=SC2086  # the unit's command line, split as systemd splits it (no quotes)
(sandboxed $instance $pre) || fail "ExecStartPre ($pre) refused the shipped config"

listen=$(sed -n 's/^ *listen: *//p' "$root/etc/itc/$instance.yaml" | head -1)
# shellcheck disable=SC2086
sandboxed $instance $start >"$work/node.log" 2>&1 &
node=$!
probe() { curl -s -o "$work/probe.out" -w '%{http_code}' "http://$listen/$1" 2>/dev/null || true; }
code=
for _ in $(seq 1 300); do
  code=$(probe healthz)
  [[ $code == 200 ]] && break
  kill -0 "$node" 2>/dev/null || { cat "$work/node.log"; fail "the node exited before /healthz answered"; }
  sleep 0.1
done
[[ $code == 200 ]] || { cat "$work/node.log"; fail "/healthz never answered 200 (last: $code)"; }
echo "/healthz: 200 $(cat "$work/probe.out")"
for _ in $(seq 1 300); do
  code=$(probe readyz)
  [[ $code == 200 ]] && break
  sleep 0.1
done
[[ $code == 200 ]] || { cat "$work/node.log" "$work/probe.out"; fail "/readyz: $code"; }
echo "/readyz: 200"
token_owner=$(in_root stat -c "%U %a" "$state/admin.token")
[[ $token_owner == "$user 600" ]] || fail "admin.token is '$token_owner', expected '$user 600'"
ledgers=$(find "$root$state" -name '*.sqlite' | wc -l)
((ledgers > 0)) || fail "no SQLite ledger under $state"

kill -TERM "$node"
rc=0
wait "$node" || rc=$?
cat "$work/node.log"
[[ $rc == 0 ]] || fail "SIGTERM: exit status $rc, expected 0 (clean stop)"
grep -q "nothing lost" "$work/node.log" || fail "the clean stop did not report 'nothing lost'"
echo "SIGTERM: exit 0, nothing lost"

echo "dpkg --purge"
in_root dpkg --purge iot-chain >"$work/dpkg-purge.log" 2>&1 ||
  { cat "$work/dpkg-purge.log"; fail "dpkg --purge failed"; }
for gone in /usr/bin/itc-node /usr/bin/itc /usr/lib/itc/packages/solo.itcpkg "$unit_file" /etc/itc; do
  [[ ! -e $root$gone ]] || fail "$gone is still there after the purge"
done
[[ -f $root$state/admin.token ]] || fail "the purge removed the node's data in $state"
echo "purged: programs and /etc/itc gone, $state kept"
