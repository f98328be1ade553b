#!/usr/bin/env bash
# toolchain/image/version.sh: the image and bundle version, printed on one
# line: the project version (project(HallKiosk VERSION x.y.z) in
# CMakeLists.txt) plus a build number, "x.y.z+N". N is $HK_BUILD_NUMBER or
# else the number of commits on HEAD, so builds from later commits compare
# newer (the device's pre-install handler compares with dpkg --compare-versions).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
v="$(sed -n 's/^project(HallKiosk VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt" | head -n 1)"
[ -n "$v" ] || { echo "version.sh: no project(HallKiosk VERSION ...) in CMakeLists.txt" >&2; exit 1; }
n="${HK_BUILD_NUMBER:-$(git -C "$root" rev-list --count HEAD 2>/dev/null || echo 0)}"
echo "$v+$n"
