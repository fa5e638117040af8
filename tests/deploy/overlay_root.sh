# Sourced by the package tests (deb_install_test.sh, site_bundles_test.sh): the iot-chain
# Debian package built by cpack and installed by the real dpkg into a throwaway root — this
# machine's /usr, /etc and /var as copy-on-write overlays in a private mount, network and
# PID namespace, so dpkg checks the package's dependencies against this system's package
# database and the machine itself is left untouched. Needs root (mounts, chroot, a user).

fail() { echo "FAIL: $*" >&2; exit 1; }

# build_deb BUILD_DIR WORK: runs cpack; sets $deb to the iot-chain_*.deb it wrote.
build_deb() {
  local build=$1 work=$2
  cpack --config "$build/CPackConfig.cmake" -D CPACK_OUTPUT_FILE_PREFIX="$work/out" \
    -B "$work/cpack" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
  local debs=("$work"/out/iot-chain_*.deb)
  [[ -f ${debs[0]} ]] || fail "cpack wrote no iot-chain_*.deb in $work/out"
  deb=${debs[0]}
  echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
}

# enter_namespaces SCRIPT WORK DEB: runs `SCRIPT --inside WORK DEB` in a private mount,
# network and PID namespace: the overlays, the nodes' ports and any process left behind all
# vanish with it. unshare makes the new namespace's mounts private, which needs / to be a
# mount point; in a chroot (a clean root made by fresh-debian.sh) it is not, and the mounts
# keep the propagation they have (every mount the tests make is below WORK).
enter_namespaces() {
  local propagation=private
  mountpoint -q / || propagation=unchanged
  unshare --mount --propagation "$propagation" --net --pid --fork "$1" --inside "$2" "$3"
}

# mount_root WORK: the overlay root $root = WORK/root, with /proc, /dev, a fresh /tmp and
# /run, and loopback up.
mount_root() {
  local work=$1 d link
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
}

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# install_deb DEB WORK: dpkg -i in the root; the package is listed as installed and its
# postinst created the system user itc with no login shell.
install_deb() {
  local deb=$1 work=$2 shell
  cp "$deb" "$root/tmp/iot-chain.deb"
  echo "dpkg -i"
  in_root dpkg -i /tmp/iot-chain.deb >"$work/dpkg-install.log" 2>&1 ||
    { cat "$work/dpkg-install.log"; fail "dpkg -i failed"; }
  in_root dpkg-query -W -f='${Status}\n' iot-chain | grep -qx "install ok installed" ||
    fail "dpkg does not list iot-chain as installed"
  shell=$(in_root getent passwd itc | cut -d: -f7) || fail "postinst created no user itc"
  [[ $shell == /usr/sbin/nologin ]] || fail "user itc has login shell '$shell', expected nologin"
}

unit_file=/lib/systemd/system/itc-node@.service

# unit_value KEY INSTANCE: the unit's KEY= line, with %i expanded to INSTANCE.
unit_value() {
  local v
  v=$(sed -n "s/^$1=//p" "$root$unit_file" | tail -1)
  echo "${v//%i/$2}"
}

# prepare_state INSTANCE: as systemd does before ExecStartPre, the StateDirectory owned by
# the unit's user; sets $state (its path in the root).
prepare_state() {
  state=/var/lib/$(unit_value StateDirectory "$1")
  install -d -m "$(unit_value StateDirectoryMode "$1")" "$root$state"
  in_root chown "$(unit_value User "$1"):$(unit_value Group "$1")" "$state"
}

# sandboxed INSTANCE COMMAND...: COMMAND as the unit runs it for INSTANCE — its User and
# Group, no new privileges, an empty capability bounding set, the whole root read-only but
# the StateDirectory (ProtectSystem=strict), a private /tmp — in a mount namespace of its
# own. It execs: call it in a subshell, `( sandboxed ... )`, or in the background, where $!
# is then the node's own PID.
sandboxed() {
  local instance=$1
  shift
  USER_=$(unit_value User "$instance")
  GROUP_=$(unit_value Group "$instance")
  export USER_ GROUP_
  exec unshare --mount --propagation unchanged bash -c '
    root=$1; state=$2; shift 2
    for d in usr etc var; do mount --bind "$root/$d" "$root/$d"; mount -o remount,bind,ro "$root/$d"; done
    mount --bind "$root$state" "$root$state"
    mount -o remount,bind,rw "$root$state"
    mount -t tmpfs tmpfs "$root/tmp"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      setpriv --reuid="$USER_" --regid="$GROUP_" --init-groups --no-new-privs \
      --bounding-set=-all --inh-caps=-all -- "$@"' sandbox "$root" \
    "/var/lib/$(unit_value StateDirectory "$instance")" "$@"
}
