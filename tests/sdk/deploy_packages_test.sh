#!/usr/bin/env bash
# deploy_packages: every program the tests and scripts run is installed by `deploy/itc`
# on a fresh Debian 12: its Debian package is in deploy/itc's PACKAGES, is one Debian
# always has (Essential or Priority required), or is Node.js (deploy/itc's
# ensure_test_peers). Programs a test starts through QProcess are found in the sources;
# the shell scripts' programs are listed below.
# Usage: deploy_packages_test.sh <source dir>
set -euo pipefail

die() {
  echo "FAIL: $*" >&2
  exit 1
}
[[ $# -eq 1 ]] || die "usage: $0 <source dir>"
src=$(cd "$1" && pwd)

# shellcheck source=/dev/null
source <(sed -n '/^PACKAGES=(/,/^)/p' "$src/deploy/itc")
((${#PACKAGES[@]} > 0)) || die "no PACKAGES=( ... ) list in deploy/itc"
test_peer_packages=(nodejs npm)

# What tests/**/*.sh, studio/screenshots.sh and deploy/itc run besides bash builtins.
script_programs=(curl cmake ctest find grep sed seq od tr awk runuser mktemp xvfb-run
  dpkg-query nproc)
mapfile -t started < <(grep -rhoE --include='*.cpp' --include='*.hpp' \
  '(\.start|\brun)\("[A-Za-z0-9_.+-]+"' "$src/tests" "$src/studio" | sed -E 's/.*\("(.*)"/\1/' | sort -u)
((${#started[@]} > 0)) || die "found no QProcess start(\"program\") in tests/"

in_list() {
  local x=$1
  shift
  local p
  for p in "$@"; do [[ $p == "$x" ]] && return 0; done
  return 1
}

# The Debian package that holds program $1 (usr-merged paths tried both ways).
package_of() {
  local path real
  path=$(command -v "$1") || return 1
  real=$(readlink -f "$path")
  local candidate
  for candidate in "$real" "$path" "${real#/usr}" "/usr$real"; do
    dpkg -S "$candidate" 2>/dev/null | head -n 1 | cut -d: -f1 && return 0
  done
  return 1
}

missing=()
for program in "${script_programs[@]}" "${started[@]}"; do
  pkg=$(package_of "$program") || die "'$program' is not installed here, so its package is unknown"
  [[ -n $pkg ]] || die "no Debian package owns '$program'"
  in_list "$pkg" "${PACKAGES[@]}" "${test_peer_packages[@]}" && continue
  read -r essential priority < <(dpkg-query -W -f='${Essential} ${Priority}\n' "$pkg")
  [[ $essential == yes || $priority == required ]] && continue
  missing+=("$program ($pkg)")
done
((${#missing[@]} == 0)) || die "deploy/itc does not install: ${missing[*]}"
echo "PASS: ${#script_programs[@]} script programs and ${#started[@]} test programs come from deploy/itc's packages or Debian's required set"
