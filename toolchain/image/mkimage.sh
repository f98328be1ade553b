#!/usr/bin/env bash
# toolchain/image/mkimage.sh: a bootable Debian 12 arm64 kiosk image.
#
#   mkimage.sh --out DIR [--deb FILE] [--keyring PEM] [--version V]
#              [--key K --cert C] [--mirror URL] [--root-mib N] [--fresh]
#              [--reassemble]
#
# Builds, without loop mounts (mkfs.ext4 -d, mtools, sfdisk + dd; only the
# chroot that installs the kiosk layer mounts /proc, /sys and /dev):
#   DIR/base.tar            the Debian base (mmdebstrap, Debian's archive), reused
#   DIR/rootfs/             the root file system: base + the kiosk layer
#   DIR/rootfs.ext4         it as an ext4 image: slot A, and the bundle's image
#   DIR/hallkiosk-aarch64.img + .bmap
#       GPT: 1 esp (FAT, GRUB + grubenv), 2 rootfs-A, 3 rootfs-B (empty until
#       the first update), 4 hkdata (ext4, /var/lib/hallkiosk)
#   DIR/hallkiosk-aarch64-V.raucb   the signed bundle of the same root
#   DIR/summary.txt         sizes and times
# Downloaded .debs are kept in DIR/debs/ for the next build. --reassemble
# skips the root file system and makes the disk image and bundle again from
# DIR/rootfs and DIR/rootfs.ext4 (after a change to GRUB's files, say).
# --deb: the hallkiosk package (default: the newest
# build-pkg-arm64/hallkiosk_*_arm64.deb); without one the image is built
# without the kiosk and says so. --keyring: the CA the device trusts for
# bundles (default: DIR/keys/ca.pem, the development CA); --key/--cert sign the
# bundle (default: DIR/keys/signing.*).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
die() { printf 'image: error: %s\n' "$*" >&2; exit 1; }

fresh=0 reassemble=0 out="" deb="" keyring="" version="" key="" cert="" mirror="" root_mib=""
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --deb) deb="$2"; shift 2 ;;
        --keyring) keyring="$2"; shift 2 ;;
        --version) version="$2"; shift 2 ;;
        --key) key="$2"; shift 2 ;;
        --cert) cert="$2"; shift 2 ;;
        --mirror) mirror="$2"; shift 2 ;;
        --root-mib) root_mib="$2"; shift 2 ;;
        --fresh) fresh=1; shift ;;
        --reassemble) reassemble=1; shift ;;
        *) die "unknown argument '$1'" ;;
    esac
done
[ -n "$out" ] || die "--out DIR is required"
[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap --mode=root, file ownership in the images)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ -z "$deb" ]; then
    deb="$(ls -1 "$root"/build-pkg-arm64/hallkiosk_*_arm64.deb 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ -n "$deb" ]; then
    [ -f "$deb" ] || die "--deb $deb: no such file"
    deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
fi
"$here/keys.sh" "$out/keys" >/dev/null
[ -n "$keyring" ] || keyring="$out/keys/ca.pem"
[ -n "$key" ] || key="$out/keys/signing.key"
[ -n "$cert" ] || cert="$out/keys/signing.pem"
[ -n "$version" ] || version="$("$here/version.sh")"
if [ -z "$mirror" ]; then
    # the archive this machine's apt uses (deb.debian.org or a local mirror)
    mirror="$(grep -h -o -E 'https?://[^ ]+/debian/?$|https?://[^ ]+/debian/? ' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
        tr -d ' ' | head -n 1 || true)"
    mirror="${mirror%/}"
    [ -n "$mirror" ] || mirror="http://deb.debian.org/debian"
fi
security="${mirror%/debian}/debian-security"

T0=$(date +%s)
STEP=0
NSTEPS=9
TIMES=()
step() { STEP=$((STEP + 1)); STEP_T0=$(date +%s); printf '\033[1m==> [%d/%d] %s\033[0m\n' "$STEP" "$NSTEPS" "$*"; }
done_step() { local t=$(( $(date +%s) - STEP_T0 )); TIMES+=("$1|$t"); printf '    %s (%ss)\n' "$2" "$t"; }
mib() { echo $(( ($1 + 1048575) / 1048576 )); }

echo "image: version $version, mirror $mirror, output $out/"
if [ -n "$deb" ]; then
    echo "image: with the kiosk package $deb"
else
    echo "image: NOTE: no hallkiosk .deb (toolchain/dev package arm64 makes build-pkg-arm64/hallkiosk_*_arm64.deb,"
    echo "image:       or pass --deb FILE): building the image WITHOUT the kiosk. It boots to multi-user.target,"
    echo "image:       and with no first frame its slot is never marked good."
fi

if [ "$reassemble" = 1 ]; then
    [ -f "$out/rootfs.ext4" ] && [ -d "$out/rootfs" ] || die "--reassemble: no $out/rootfs.ext4 yet"
    rootfs_kib=$(du -sk "$out/rootfs" | cut -f1)
    fs_mib=$(( $(stat -c %s "$out/rootfs.ext4") / 1048576 ))
    STEP=3
else
# ---- 1. root file system ----------------------------------------------------------------
# Two layers: the Debian base (mmdebstrap, slow: every maintainer script runs
# under qemu-user) is kept as DIR/base.tar and reused while its package list
# is unchanged (--fresh rebuilds it, e.g. for security updates); the kiosk
# layer (RAUC's service, the hallkiosk package, our files) goes on a copy of it.
base_pkgs="systemd-sysv,udev,dbus,kmod,linux-image-arm64,initramfs-tools,rauc,grub-common"
base_pkgs="$base_pkgs,e2fsprogs,dosfstools,systemd-timesyncd,iproute2,ca-certificates"
kiosk_pkgs="rauc-service systemd-resolved"
base_key="$( (printf '%s %s %s\n' "$base_pkgs" "$mirror" bookworm; cat "$here"/initramfs/*/*) | sha256sum | cut -c1-16)"
step "Debian base: mmdebstrap bookworm arm64 (cached .debs in $out/debs)"
if [ "$fresh" = 0 ] && [ -s "$out/base.tar" ] && [ "$(cat "$out/base.key" 2>/dev/null)" = "$base_key" ]; then
    done_step base "reusing $out/base.tar ($(mib "$(stat -c %s "$out/base.tar")") MiB, $(date -r "$out/base.tar" -u +%Y-%m-%dT%H:%MZ); --fresh rebuilds it)"
else
    if ! arch-test arm64 >/dev/null 2>&1; then
        # foreign maintainer scripts run through qemu-user-static via binfmt_misc
        mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
        update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    fi
    mkdir -p "$out/debs"
    rm -f "$out/base.tar" "$out/base.key"
    nice -n 10 mmdebstrap --arch=arm64 --variant=minbase --mode=root --format=tar --include="$base_pkgs" \
        --aptopt='Acquire::Retries "3"' \
        --skip=download/empty \
        --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
        --setup-hook="sync-in '$out/debs' /var/cache/apt/archives/" \
        --essential-hook='mkdir -p "$1"/etc/initramfs-tools' \
        --essential-hook="sync-in '$here/initramfs' /etc/initramfs-tools" \
        --customize-hook="sync-out /var/cache/apt/archives '$out/debs'" \
        --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
        bookworm "$out/base.tar.new" \
        "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
        "deb $security bookworm-security main"
    mv "$out/base.tar.new" "$out/base.tar"
    echo "$base_key" > "$out/base.key"
    done_step base "$out/base.tar: $(mib "$(stat -c %s "$out/base.tar")") MiB ($(ls "$out/debs" | wc -l) cached .debs)"
fi

step "kiosk layer: $kiosk_pkgs${deb:+ $(basename "$deb")}, RAUC config, units (chroot)"
rm -rf "$out/rootfs"
mkdir -p "$out/rootfs"
tar -C "$out/rootfs" -xpf "$out/base.tar" --numeric-owner
chroot_mounts=()
unmount_chroot() {
    local m i
    for ((i = ${#chroot_mounts[@]} - 1; i >= 0; i--)); do
        m="${chroot_mounts[$i]}"
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    chroot_mounts=()
}
trap unmount_chroot EXIT
for m in proc sys dev dev/pts; do
    case "$m" in
        proc) mount -t proc proc "$out/rootfs/proc" ;;
        sys) mount -t sysfs sys "$out/rootfs/sys" ;;
        dev) mount --bind /dev "$out/rootfs/dev" ;;
        dev/pts) mount -t devpts devpts "$out/rootfs/dev/pts" ;;
    esac
    chroot_mounts+=("$out/rootfs/$m")
done
cp /etc/resolv.conf "$out/rootfs/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$out/rootfs/var/cache/apt/archives"
cp "$out"/debs/*.deb "$out/rootfs/var/cache/apt/archives/" 2>/dev/null || true
read -r -a extra <<<"$kiosk_pkgs"
if [ -n "$deb" ]; then
    cp "$deb" "$out/rootfs/tmp/"
    extra+=("/tmp/$(basename "$deb")")
fi
chroot "$out/rootfs" apt-get update -q
chroot "$out/rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${extra[@]}"
cp -n "$out"/rootfs/var/cache/apt/archives/*.deb "$out/debs/" 2>/dev/null || true
rm -f "$out"/rootfs/var/cache/apt/archives/*.deb "$out"/rootfs/tmp/*.deb
HK_IMAGE_DIR="$here" HK_DEB="$deb" HK_KEYRING="$keyring" HK_VERSION="$version" \
    "$here/customize.sh" "$out/rootfs"
unmount_chroot
rootfs_kib=$(du -sk "$out/rootfs" | cut -f1)
done_step rootfs "root file system: $((rootfs_kib / 1024)) MiB in $out/rootfs"

# ---- 2. root slot image ---------------------------------------------------------------
step "root file system image (mkfs.ext4 -d, read-only root of slot A)"
inodes=$(find "$out/rootfs" -xdev | wc -l)
fs_mib=$(( rootfs_kib * 5 / 4 / 1024 + 64 ))
rm -f "$out/rootfs.ext4"
mkfs.ext4 -q -F -L rootfs -N $((inodes + inodes / 2 + 4096)) -d "$out/rootfs" "$out/rootfs.ext4" "${fs_mib}M" >/dev/null
done_step rootfs_img "rootfs.ext4: $fs_mib MiB file system ($((rootfs_kib / 1024)) MiB used)"
fi
# a slot leaves room for later, bigger root file systems: twice this one,
# at least 1 GiB, in whole 256 MiB
if [ -z "$root_mib" ]; then
    root_mib=$(( fs_mib * 2 ))
    [ "$root_mib" -ge 1024 ] || root_mib=1024
    root_mib=$(( (root_mib + 255) / 256 * 256 ))
fi
[ "$root_mib" -ge "$fs_mib" ] || die "--root-mib $root_mib is smaller than the root file system ($fs_mib MiB)"

# ---- 3. EFI system partition ------------------------------------------------------------
step "EFI system partition: GRUB arm64-efi + grub.cfg + grubenv (mtools, no mount)"
esp_mib=64
data_mib=512
uuid_a="$(cat /proc/sys/kernel/random/uuid)"
uuid_b="$(cat /proc/sys/kernel/random/uuid)"
work="$out/parts"
rm -rf "$work"
mkdir -p "$work"
grub-mkimage -O arm64-efi -p /EFI/BOOT -o "$work/BOOTAA64.EFI" \
    part_gpt fat ext2 normal linux boot configfile loadenv test regexp echo \
    efi_gop all_video gzio search sleep reboot
cmdline="console=ttyAMA0,115200 loglevel=4 panic=10 vt.global_cursor_default=0"
sed -e "s/@PARTUUID_A@/$uuid_a/" -e "s/@PARTUUID_B@/$uuid_b/" -e "s/@CMDLINE@/$cmdline/" \
    "$here/grub/grub.cfg" > "$work/grub.cfg"
grub-editenv "$work/grubenv" create
# factory state: slot A holds the system, B is empty until the first update
grub-editenv "$work/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
rm -f "$work/esp.img"
mkfs.vfat -C -n ESP "$work/esp.img" $((esp_mib * 1024)) >/dev/null
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/esp.img" "$work/BOOTAA64.EFI" "$work/grub.cfg" "$work/grubenv" ::/EFI/BOOT/
done_step esp "esp: $esp_mib MiB, GRUB $(stat -c %s "$work/BOOTAA64.EFI") bytes"

# ---- 4. data partition -----------------------------------------------------------------
step "data partition (ext4, /var/lib/hallkiosk)"
mkfs.ext4 -q -F -L hkdata "$work/data.ext4" "${data_mib}M" >/dev/null
done_step data "hkdata: $data_mib MiB"

# ---- 5. disk image -----------------------------------------------------------------------
step "disk image: GPT (sfdisk) + partitions (dd, sparse)"
img="$out/hallkiosk-aarch64.img"
total_mib=$(( 1 + esp_mib + 2 * root_mib + data_mib + 1 ))
rm -f "$img"
truncate -s "${total_mib}M" "$img"
# 0FC63DAF…: Linux file system; B921B045…: Linux root (ARM-64)
sfdisk -q "$img" <<SFDISK
label: gpt
unit: sectors
start=2048, size=$((esp_mib * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
size=$((root_mib * 2048)), type=B921B045-1DF0-41C3-AF44-4C6F280D3FAE, uuid=$uuid_a, name="rootfs-A"
size=$((root_mib * 2048)), type=B921B045-1DF0-41C3-AF44-4C6F280D3FAE, uuid=$uuid_b, name="rootfs-B"
size=$((data_mib * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="hkdata"
SFDISK
put() {   # put FILE PARTITION-NUMBER
    local start
    start="$(sfdisk --dump "$img" | sed -n "s|^$img$2 *: *start= *\([0-9]*\),.*|\1|p")"
    [ -n "$start" ] || die "no partition $2 in $img"
    dd if="$1" of="$img" bs=1M seek=$((start / 2048)) conv=notrunc,sparse status=none
}
put "$work/esp.img" 1
put "$out/rootfs.ext4" 2
put "$work/data.ext4" 4
sfdisk -l "$img" | sed 's/^/    /'
done_step disk "$img: $total_mib MiB, $(( $(du -k "$img" | cut -f1) / 1024 )) MiB allocated"

# ---- 6. bmap -----------------------------------------------------------------------------
step "block map (bmaptool create)"
bmaptool create -o "$img.bmap" "$img"
mapped="$(sed -n 's/.*<MappedBlocksCount> *\([0-9]*\).*/\1/p' "$img.bmap")"
bsize="$(sed -n 's/.*<BlockSize> *\([0-9]*\).*/\1/p' "$img.bmap")"
done_step bmap "$img.bmap: $(( mapped * bsize / 1048576 )) MiB to write of $total_mib MiB"

# ---- 7. bundle ---------------------------------------------------------------------------
step "update bundle of the same root file system (signed)"
bundle="$out/hallkiosk-aarch64-$version.raucb"
"$here/bundle.sh" --rootfs "$out/rootfs.ext4" --version "$version" --key "$key" --cert "$cert" \
    --keyring "$keyring" --out "$bundle" | sed 's/^/    /'
done_step bundle "$bundle: $(mib "$(stat -c %s "$bundle")") MiB"

# ---- 8. summary --------------------------------------------------------------------------
step "summary"
T1=$(date +%s)
{
    echo "HallKiosk image $version ($(date -u +%Y-%m-%dT%H:%MZ)), kiosk package: ${deb:-none}"
    printf '%-34s %12s\n' "what" "size"
    printf '%-34s %9s MiB\n' "root file system (files)" $((rootfs_kib / 1024))
    printf '%-34s %9s MiB\n' "rootfs.ext4 (slot image)" "$fs_mib"
    printf '%-34s %9s MiB\n' "hallkiosk-aarch64.img (disk)" "$total_mib"
    printf '%-34s %9s MiB\n' "  written by bmaptool (mapped)" $(( mapped * bsize / 1048576 ))
    printf '%-34s %9s MiB\n' "bundle (.raucb)" "$(mib "$(stat -c %s "$bundle")")"
    printf '%-34s %10s\n' "step" "seconds"
    for t in "${TIMES[@]}"; do printf '%-34s %10s\n' "${t%%|*}" "${t#*|}"; done
    printf '%-34s %10s\n' "total" $((T1 - T0))
} | tee "$out/summary.txt"
