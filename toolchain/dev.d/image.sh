# shellcheck shell=bash
# toolchain/dev.d/image.sh (IMAGE, issue 9.3): the flashable kiosk image, its
# signed RAUC update bundles and the update test. Sourced by toolchain/dev.
#
#   toolchain/dev bundle [--rootfs DIR|IMG] [--version V] [--key K --cert C]
#                        [--format plain|verity] [--out FILE]
#   toolchain/dev image [--deb FILE] [--keyring PEM] [--version V]
#   toolchain/dev image-boot [--timeout S] [IMG]
#   toolchain/dev image-rollback       a bad update in slot B rolls back to A (qemu)
#   toolchain/dev update-test          tests/update/test_bundle.sh alone
#
# Build directory: build-image/ (keys/ the development PKI, debs/ the cached
# Debian packages, rootfs/ + rootfs.ext4 the last root file system, the
# image, its .bmap and the bundles).

# bundle + update test: rauc, mksquashfs, openssl, a private D-Bus; the image:
# mmdebstrap (arm64 through qemu-user-static + binfmt), GRUB's arm64 EFI
# modules, FAT tools, sfdisk, bmaptool; image-boot: qemu-system-aarch64 + UEFI
# The test command needs only the first line; the rest are installed by the
# image commands themselves (grub-efi-arm64-bin exists for arm64 only: dpkg
# must know that architecture first, as the device build's deps_cross does).
PKGS+=(rauc squashfs-tools openssl dbus e2fsprogs)
IMAGE_PKGS=(mmdebstrap arch-test qemu-user-static binfmt-support grub-efi-arm64-bin:arm64 grub-common
            mtools dosfstools fdisk bmap-tools qemu-system-arm qemu-efi-aarch64)

# image_deps: the test's packages, then the image's (adding arm64 to dpkg)
image_deps() {
    local missing=() p st
    cmd_deps
    [ "${HK_DEV_SKIP_DEPS:-0}" = 1 ] && return 0
    for p in "${IMAGE_PKGS[@]}"; do
        st="$(dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null || true)"
        grep -qx installed <<<"$st" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "run as root to install ${missing[*]}"
    say "missing packages for the image: ${missing[*]}"
    dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
        --no-install-recommends "${missing[@]}"
}

EXTRA_CMDS+=(bundle image image-boot image-rollback update-test)
EXTRA_HELP+=("image [--deb F] [--keyring PEM]  bootable Debian 12 arm64 image, A/B root + RAUC (build-image/)"
             "bundle [--rootfs DIR|IMG] [--version V] [--key K --cert C]  signed RAUC update bundle"
             "image-boot [--timeout S] [IMG]     boot the image under qemu-system-aarch64, time to first frame"
             "image-rollback                     boot a trial with a bad slot B: it must roll back to A (qemu)"
             "update-test                        bundle signing and the five refusals (tests/update)")
EXTRA_STEPS+=("update bundles: signing + five refusals (tests/update)|image_update_test")

IMAGE_DIR="$ROOT/build-image"

# image_dev_keys: the development CA + signing key under build-image/keys
image_dev_keys() {
    "$ROOT/toolchain/image/keys.sh" "$IMAGE_DIR/keys" >/dev/null
}

cmd_bundle() {
    local rootfs="" version="" key="" cert="" out="" format="plain"
    while [ $# -gt 0 ]; do
        case "$1" in
            --rootfs) rootfs="$2"; shift 2 ;;
            --version) version="$2"; shift 2 ;;
            --key) key="$2"; shift 2 ;;
            --cert) cert="$2"; shift 2 ;;
            --format) format="$2"; shift 2 ;;
            --out) out="$2"; shift 2 ;;
            *) die "bundle: unknown argument '$1'" ;;
        esac
    done
    cmd_deps
    if [ -z "$rootfs" ]; then
        rootfs="$IMAGE_DIR/rootfs.ext4"
        [ -f "$rootfs" ] || die "bundle: no $rootfs yet: run 'toolchain/dev image' or pass --rootfs DIR|IMG"
    fi
    [ -n "$version" ] || version="$("$ROOT/toolchain/image/version.sh")"
    local keyring=()
    if [ -z "$key" ] && [ -z "$cert" ]; then
        image_dev_keys
        key="$IMAGE_DIR/keys/signing.key"
        cert="$IMAGE_DIR/keys/signing.pem"
        keyring=(--keyring "$IMAGE_DIR/keys/ca.pem")
        say "signing with the development key ($IMAGE_DIR/keys/): devices flashed from this machine's images trust it"
    fi
    [ -n "$key" ] && [ -n "$cert" ] || die "bundle: --key and --cert go together"
    [ -n "$out" ] || out="$IMAGE_DIR/hallkiosk-aarch64-$version.raucb"
    "$ROOT/toolchain/image/bundle.sh" --rootfs "$rootfs" --version "$version" \
        --key "$key" --cert "$cert" --format "$format" --out "$out" "${keyring[@]}"
}

cmd_image() {
    image_deps
    image_dev_keys
    "$ROOT/toolchain/image/mkimage.sh" --out "$IMAGE_DIR" "$@"
}

cmd_image_boot() {
    image_deps
    "$ROOT/toolchain/image/boot.sh" "$@"
}

cmd_image_rollback() {
    image_deps
    "$ROOT/toolchain/image/rollback.sh" "$@"
}

# image_update_test: the test step; a skip (exit 77: not root, no loop
# device) is reported, not failed
image_update_test() {
    local rc=0
    "$ROOT/tests/update/test_bundle.sh" "$ROOT/build/update-test" || rc=$?
    if [ "$rc" -eq 77 ]; then
        echo "update test SKIPPED (see above)"
        return 0
    fi
    return "$rc"
}

cmd_update_test() {
    cmd_deps
    image_update_test
}
