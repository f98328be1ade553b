# toolchain/dev.d/package.sh: PKG (issue 9.2), the Debian package and its
# services. Sourced by toolchain/dev.
#
#   toolchain/dev package [amd64|arm64]   release build + hallkiosk_VERSION-1_ARCH.deb
#                                         in build-pkg-ARCH/ (CPack, cmake/package.cmake)
# Test step "package: contents, lintian, systemd-analyze verify": packs the
# release build the test command already made (build-release/) and checks it
# with tests/package/check_deb.sh. The watchdog test (tests/package/
# test_service.c: readiness, the watchdog, lockdown) runs in ctest with the rest.

# sd_notify (platform/watchdog); lintian for the check; systemd for
# systemd-analyze, -sysusers and -tmpfiles in the check
PKGS+=(libsystemd-dev lintian systemd)
EXTRA_CMDS+=(package)
EXTRA_HELP+=("package [amd64|arm64]    Debian package in build-pkg-ARCH/ (arm64: cross-built full app)")
EXTRA_STEPS+=("package: contents, lintian, systemd-analyze verify|pkg_test_step")

# What the package installs; built on their own (not the tests).
PKG_TARGETS=(hallkiosk hallctl hall-central hk_voice_pack hk_pkg_doc)

# pkg_cross_deps ARCH: the target's -dev packages of the whole app (Debian
# multiarch). Not installable beside the build machine's: librime-dev:ARCH
# (librime1 is not Multi-Arch: same; the header is shared, cmake uses the
# build machine's) and libpq-dev:ARCH (same; hall-central is then built
# without its PostgreSQL backend).
pkg_cross_deps() {
    local arch="$1" missing=() p st
    [ "${HK_DEV_SKIP_DEPS:-0}" = 1 ] && return 0
    local pkgs=("crossbuild-essential-$arch" qemu-user espeak-ng librime-dev
                "libsqlite3-dev:$arch" "libcjson-dev:$arch" "libsodium-dev:$arch"
                "libcurl4-gnutls-dev:$arch" "libmicrohttpd-dev:$arch" "libgnutls28-dev:$arch"
                "libsdl2-dev:$arch" "libsdl2-ttf-dev:$arch" "libsdl2-image-dev:$arch"
                "libqrencode-dev:$arch" "libsystemd-dev:$arch")
    for p in "${pkgs[@]}"; do
        st="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
        [ "$st" = "installed" ] || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || { echo "dev: run as root to install ${missing[*]}" >&2; return 1; }
    say "missing packages for the $arch package: ${missing[*]}"
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        dpkg --add-architecture "$arch" || return 1
    fi
    apt-get update || return 1
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
        --no-install-recommends "${missing[@]}"
}

# pkg_cpack DIR [ARCH]: the .deb of DIR's install rules into DIR; prints its path
pkg_cpack() {
    local dir="$1" arch="${2:-}" env=() deb
    rm -f "$dir"/hallkiosk_*.deb
    if [ -n "$arch" ]; then
        # dpkg-shlibdeps looks for the target's libraries in its multiarch dirs
        env=(DEB_HOST_ARCH="$arch" DEB_HOST_MULTIARCH="$(dpkg-architecture -a"$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)")
    fi
    (cd "$dir" && env "${env[@]}" cpack -G DEB --config CPackConfig.cmake >cpack.log 2>&1) || {
        tail -n 40 "$dir/cpack.log" >&2
        return 1
    }
    deb="$(ls "$dir"/hallkiosk_*.deb 2>/dev/null | head -n1)"
    [ -n "$deb" ] || { echo "dev: cpack made no .deb (see $dir/cpack.log)" >&2; return 1; }
    printf '%s\n' "$deb"
}

cmd_package() {
    local arch="${1:-amd64}" dir args deb
    case "$arch" in
        amd64 | x86_64) arch=amd64 ;;
        arm64 | aarch64) arch=arm64 ;;
        *) die "package: unknown architecture '$arch' (amd64|arm64)" ;;
    esac
    dir="build-pkg-$arch"
    args=(-S . -B "$dir" -DHK_WERROR=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr)
    cmd_deps
    if [ "$arch" = arm64 ] && [ "$(dpkg --print-architecture)" != arm64 ]; then
        pkg_cross_deps arm64 || die "cannot install the arm64 build dependencies"
        args+=(-DCMAKE_TOOLCHAIN_FILE=toolchain/aarch64-linux-gnu.cmake -DHK_PKG_ARCH=arm64)
    fi
    say "configure $dir/ (release, $arch)"
    cmake "${args[@]}" >/dev/null || die "configure failed"
    unset HK_PKG_VOICE_DIR # this build's own voice pack
    say "build ${PKG_TARGETS[*]}"
    nice -n 10 cmake --build "$dir" -j"$JOBS" --target "${PKG_TARGETS[@]}" || die "build failed"
    say "cpack (DEB)"
    deb="$(pkg_cpack "$dir" "$([ "$arch" = arm64 ] && echo arm64)")" || die "cpack failed"
    echo
    dpkg-deb -f "$deb" Package Version Architecture Installed-Size Depends
    echo
    echo "package: $deb ($(du -k "$deb" | cut -f1) KB, $(dpkg-deb -c "$deb" | wc -l) entries)"
    echo "check it: tests/package/check_deb.sh $deb"
}

# The test step: the release build's package, checked. The test command
# built build-release's hallkiosk already; the voice pack is the debug
# build's (build/voice, the same clips) when it made one, since speaking
# ~100 clips again would take longer than everything else here.
pkg_test_step() {
    local dir=build-release deb targets=(hallkiosk hallctl hall-central hk_pkg_doc)
    do_configure release || return 1
    if [ -f build/voice/.stamp ]; then
        export HK_PKG_VOICE_DIR="$ROOT/build/voice"
    else
        unset HK_PKG_VOICE_DIR
        targets+=(hk_voice_pack)
    fi
    nice -n 10 cmake --build "$dir" -j"$JOBS" --target "${targets[@]}" || return 1
    deb="$(pkg_cpack "$dir")" || return 1
    tests/package/check_deb.sh "$deb"
}
