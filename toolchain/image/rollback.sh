#!/usr/bin/env bash
# toolchain/image/rollback.sh: a rollback trial of the kiosk image under
# qemu-system-aarch64 (toolchain/dev image-rollback). From the built image
# (build-image/hallkiosk-aarch64.img and its rootfs.ext4) it makes
# build-image/rollback/trial.img, the state a device is in right after
# `rauc install` of a bad update: slot B holds a root whose kiosk never shows
# a frame (its unit's ExecStart is /bin/false), grubenv says ORDER="B A"
# B_OK=1 B_TRY=0 (what RAUC's grub backend writes), slot A is the good
# factory root. Then it boots the trial (boot.sh --rollback): GRUB tries B,
# the kiosk fails, hallkiosk-boot-check.timer (3 minutes after boot) marks B
# bad and reboots, GRUB skips B and boots A, whose kiosk shows its first
# frame and marks A good. Exit 0 when that sequence is seen on the console.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build-image"
img="$out/hallkiosk-aarch64.img"
die() { printf 'image-rollback: error: %s\n' "$*" >&2; exit 1; }
[ -f "$img" ] && [ -f "$out/rootfs.ext4" ] || die "no $img or rootfs.ext4: run 'toolchain/dev image' first"
work="$out/rollback"
rm -rf "$work"
mkdir -p "$work"

echo "image-rollback: slot B := the same root with a kiosk that never starts"
cp --sparse=always "$out/rootfs.ext4" "$work/bad.ext4"
mkdir -p "$work/dropin"
printf '[Service]\nExecStart=\nExecStart=/bin/false\n' > "$work/dropin/broken.conf"
printf 'VERSION=rollback-trial\nCOMPATIBLE=hallkiosk-aarch64\n' > "$work/hallkiosk-image"
debugfs -w "$work/bad.ext4" >/dev/null 2>&1 <<CMDS
mkdir /etc/systemd/system/hallkiosk-kiosk.service.d
write $work/dropin/broken.conf /etc/systemd/system/hallkiosk-kiosk.service.d/broken.conf
rm /etc/hallkiosk-image
write $work/hallkiosk-image /etc/hallkiosk-image
CMDS
debugfs -R "cat /etc/systemd/system/hallkiosk-kiosk.service.d/broken.conf" "$work/bad.ext4" 2>/dev/null |
    grep -q '/bin/false' || die "could not write the broken unit into slot B"

trial="$work/trial.img"
cp --sparse=always "$img" "$trial"
start_of() { sfdisk --dump "$trial" | sed -n "s|^$trial$1 *: *start= *\([0-9]*\),.*|\1|p"; }
size_of() { sfdisk --dump "$trial" | sed -n "s|^$trial$1 *:.*size= *\([0-9]*\),.*|\1|p"; }
dd if="$work/bad.ext4" of="$trial" bs=1M seek=$(( $(start_of 3) / 2048 )) conv=notrunc,sparse status=none

echo "image-rollback: grubenv := ORDER=\"B A\" B_OK=1 B_TRY=0 (as after rauc install)"
dd if="$trial" of="$work/esp.img" bs=1M skip=$(( $(start_of 1) / 2048 )) count=$(( $(size_of 1) / 2048 )) status=none
mcopy -o -i "$work/esp.img" ::/EFI/BOOT/grubenv "$work/grubenv"
grub-editenv "$work/grubenv" set ORDER="B A" A_OK=1 A_TRY=0 B_OK=1 B_TRY=0
mcopy -o -i "$work/esp.img" "$work/grubenv" ::/EFI/BOOT/grubenv
dd if="$work/esp.img" of="$trial" bs=1M seek=$(( $(start_of 1) / 2048 )) conv=notrunc status=none
grub-editenv "$work/grubenv" list | sed 's/^/    /'

exec "$here/boot.sh" --rollback --timeout "${HK_ROLLBACK_TIMEOUT:-1200}" "$trial"
