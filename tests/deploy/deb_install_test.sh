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

fail() { echo "FAIL: $*" >&2; exit 1; }

if [[ ${1:-} != --inside ]]; then
  build=${1:?usage: deb_install_test.sh BUILD_DIR}
  [[ $(id -u) -eq 0 ]] || fail "needs root (overlay mounts, chroot, a system user); run as CI does"
  work=$(mktemp -d /tmp/itc-deb-test.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  cpack --config "$build/CPackConfig.cmake" -D CPACK_OUTPUT_FILE_PREFIX="$work/out" \
    -B "$work/cpack" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
  debs=("$work"/out/iot-chain_*.deb)
  [[ -f ${debs[0]} ]] || fail "cpack wrote no iot-chain_*.deb in $work/out"
  echo "built $(basename "${debs[0]}") ($(du -h "${debs[0]}" | cut -f1))"
  # A private mount, network and PID namespace: the overlays, the node's loopback port and
  # any process left behind all vanish with it. unshare makes the new namespace's mounts
  # private, which needs / to be a mount point; in a chroot (a clean root made by
  # fresh-debian.sh) it is not, and the mounts keep the propagation they have (every mount
  # the test makes is below $work).
  propagation=private
  mountpoint -q / || propagation=unchanged
  unshare --mount --propagation "$propagation" --net --pid --fork "$0" --inside "$work" "${debs[0]}"
  echo "PASS"
  exit 0
fi

work=$2
deb=$3
root=$work/root
mkdir -p "$root"
for d in usr etc var; do
  mkdir -p "$work/upper/$d" "$work/overlay-work/$d" "$root/$d"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/upper/$d,workdir=$work/overlay-work/$d" \
    "$root/$d"
done
for link in bin sbin lib lib32 lib64 libx32; do
  [[ -L /$link ]] && ln -s "$(readlink "/$link")" "$root/$link"
done
mkdir -p "$root/proc" "$root/dev" "$root/tmp" "$root/run" "$root/root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
mount -t tmpfs tmpfs "$root/run"
ip link set lo up
cp "$deb" "$root/tmp/iot-chain.deb"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

echo "dpkg -i"
in_root dpkg -i /tmp/iot-chain.deb >"$work/dpkg-install.log" 2>&1 ||
  { cat "$work/dpkg-install.log"; fail "dpkg -i failed"; }
in_root dpkg-query -W -f='${Status}\n' iot-chain | grep -qx "install ok installed" ||
  fail "dpkg does not list iot-chain as installed"
shell=$(in_root getent passwd itc | cut -d: -f7) || fail "postinst created no user itc"
[[ $shell == /usr/sbin/nologin ]] || fail "user itc has login shell '$shell', expected nologin"

unit_file=/lib/systemd/system/itc-node@.service
instance=main
# systemd-analyze verify needs the instance's unit file by name; the template is read as is.
ln -s "$unit_file" "$root/tmp/itc-node@$instance.service"
in_root systemd-analyze verify "/tmp/itc-node@$instance.service" >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log"; fail "systemd-analyze verify itc-node@$instance.service"; }
[[ ! -s $work/verify.log ]] || { cat "$work/verify.log"; fail "systemd-analyze verify warned"; }
echo "systemd-analyze verify: clean"

# What the unit says, with %i expanded: the test starts the node from these lines only.
unit_value() {
  local v
  v=$(sed -n "s/^$1=//p" "$root$unit_file" | tail -1)
  echo "${v//%i/$instance}"
}
user=$(unit_value User)
group=$(unit_value Group)
pre=$(unit_value ExecStartPre)
start=$(unit_value ExecStart)
state=/var/lib/$(unit_value StateDirectory)
state_mode=$(unit_value StateDirectoryMode)
[[ $(unit_value ProtectSystem) == strict && $(unit_value NoNewPrivileges) == yes ]] ||
  fail "the unit lost ProtectSystem=strict or NoNewPrivileges=yes"
grep -qx 'CapabilityBoundingSet=' "$root$unit_file" || fail "the unit keeps capabilities"
echo "unit: User=$user ExecStart=$start StateDirectory=$state"

# As systemd does before ExecStartPre: the StateDirectory, owned by the unit's user.
install -d -m "$state_mode" "$root$state"
in_root chown "$user:$group" "$state"

# The unit's sandbox, in a mount namespace of its own: read-only binds over the whole
# root but the StateDirectory, and a fresh /tmp.
sandboxed() {
  exec unshare --mount --propagation unchanged bash -c '
    root=$1; state=$2; shift 2
    for d in usr etc var; do mount --bind "$root/$d" "$root/$d"; mount -o remount,bind,ro "$root/$d"; done
    mount --bind "$root$state" "$root$state"
    mount -o remount,bind,rw "$root$state"
    mount -t tmpfs tmpfs "$root/tmp"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      setpriv --reuid="$USER_" --regid="$GROUP_" --init-groups --no-new-privs \
      --bounding-set=-all --inh-caps=-all -- "$@"' sandbox "$root" "$state" "$@"
}
export USER_=$user GROUP_=$group

# shellcheck disable=SC2086  # the unit's command line, split as systemd splits it (no quotes)
(sandboxed $pre) || fail "ExecStartPre ($pre) refused the shipped config"

listen=$(sed -n 's/^ *listen: *//p' "$root/etc/itc/$instance.yaml" | head -1)
# shellcheck disable=SC2086
sandboxed $start >"$work/node.log" 2>&1 &
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
