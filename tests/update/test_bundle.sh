#!/usr/bin/env bash
# tests/update/test_bundle.sh: signed RAUC bundles and the five refusals,
# with the real rauc 1.8, openssl, mkfs.ext4 and a real `rauc install`.
#
# A small root file system image (mkfs.ext4 -d of a tiny tree) is bundled and
# signed with a development CA made here (toolchain/image/keys.sh). The
# device side is a real `rauc service` on a private D-Bus system bus
# (dbus-daemon with its own config, DBUS_SYSTEM_BUS_ADDRESS), with the
# image's system.conf where the two rootfs slots are regular files,
# the custom bootloader backend a small script that keeps the boot state in
# files, and the image's own pre-install handler
# (toolchain/image/overlay/usr/lib/hallkiosk-image/rauc-pre-install).
# What differs from a device: slots are files, not partitions; the bootloader
# is the custom backend, not GRUB's grubenv; the booted slot is given with
# `rauc service --override-boot-slot=A` rather than read from /proc/cmdline.
#
# Asserts: a good bundle verifies and installs into the other slot (bytes
# compared, the bootloader switched to it); then five bundles are refused,
# each with its own message, and leave the slot and the bootloader alone:
# (a) a bad signature, (b) a key the device does not trust, (c) a flipped
# byte, (d) the wrong compatible string, (e) an older version.
#
# Needs root (rauc mounts the bundle through a loop device). Exit 77 = skipped.
# Usage: test_bundle.sh [WORK-DIR]
set -uo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMG="$SRC/toolchain/image"

fail() { printf 'test_bundle: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'ok   %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "test_bundle: skipped: rauc install mounts the bundle through a loop device (needs root)"
    exit 77
fi
for tool in rauc openssl mkfs.ext4 mksquashfs dbus-daemon dpkg losetup; do
    command -v "$tool" >/dev/null || fail "$tool not found (toolchain/dev deps installs it)"
done
losetup -f >/dev/null 2>&1 || { echo "test_bundle: skipped: no free loop device"; exit 77; }

T="${1:-$(mktemp -d "${TMPDIR:-/tmp}/hk-update-test.XXXXXX")}"
rm -rf "$T"
mkdir -p "$T"
T="$(cd "$T" && pwd)"
SERVICE_PID="" BUS_PID=""
cleanup() {
    [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
    [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
    # a bundle rauc left mounted after a failure
    grep -q " $T/mnt/" /proc/mounts && umount -R "$T/mnt/"* 2>/dev/null
    return 0
}
trap cleanup EXIT

# ---- keys, root file system, bundles ----------------------------------------

"$IMG/keys.sh" "$T/trusted" "Test operator" >/dev/null || fail "keys.sh (trusted)"
"$IMG/keys.sh" "$T/stranger" "Someone else" >/dev/null || fail "keys.sh (stranger)"

mkdir -p "$T/tree/etc" "$T/tree/usr/bin"
printf 'VERSION=0.2.0+10\n' > "$T/tree/etc/hallkiosk-image"
printf 'root file system for the update test\n' > "$T/tree/etc/motd"
mkfs.ext4 -q -F -L rootfs -d "$T/tree" "$T/rootfs.ext4" 8M >/dev/null || fail "mkfs.ext4 -d"
printf 'another tree\n' > "$T/tree/etc/motd"
mkfs.ext4 -q -F -L rootfs -d "$T/tree" "$T/rootfs-other.ext4" 8M >/dev/null || fail "mkfs.ext4 -d"

bundle() {   # bundle OUT VERSION KEYDIR [bundle.sh args...]
    local out="$1" version="$2" keys="$3"
    shift 3
    "$IMG/bundle.sh" --rootfs "$T/rootfs.ext4" --version "$version" \
        --key "$keys/signing.key" --cert "$keys/signing.pem" --out "$T/$out" "$@" >/dev/null ||
        fail "bundle.sh $out"
}
bundle good.raucb 0.2.0+11 "$T/trusted" --keyring "$T/trusted/ca.pem"
bundle stranger.raucb 0.2.0+11 "$T/stranger"
bundle armhf.raucb 0.2.0+11 "$T/trusted" --compatible hallkiosk-armhf
bundle older.raucb 0.2.0+9 "$T/trusted"
"$IMG/bundle.sh" --rootfs "$T/rootfs-other.ext4" --version 0.2.0+11 \
    --key "$T/trusted/signing.key" --cert "$T/trusted/signing.pem" --out "$T/other.raucb" >/dev/null ||
    fail "bundle.sh other"

# (a) a bad signature: the other bundle's payload under good.raucb's (valid,
# trusted) signature. A plain bundle is [squashfs][CMS signature][u64 size].
sig_len() { od -An -tu8 --endian=big -j $(($(stat -c %s "$1") - 8)) -N 8 "$1" | tr -d ' '; }
good_size=$(stat -c %s "$T/good.raucb")
good_sig=$(sig_len "$T/good.raucb")
other_size=$(stat -c %s "$T/other.raucb")
other_sig=$(sig_len "$T/other.raucb")
{
    head -c $((other_size - 8 - other_sig)) "$T/other.raucb"
    tail -c $((good_sig + 8)) "$T/good.raucb"
} > "$T/badsig.raucb"

# (c) one flipped byte in the middle of the squashfs payload
cp "$T/good.raucb" "$T/flipped.raucb"
off=$(((good_size - 8 - good_sig) / 2))
byte=$(od -An -tu1 -j "$off" -N 1 "$T/good.raucb" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 0x01)))" |
    dd of="$T/flipped.raucb" bs=1 seek="$off" conv=notrunc status=none
cmp -s "$T/good.raucb" "$T/flipped.raucb" && fail "the byte did not flip"
[ "$(cmp -l "$T/good.raucb" "$T/flipped.raucb" | wc -l)" -eq 1 ] || fail "more than one byte differs"

# ---- the signature check: rauc info --keyring (what the engineer's laptop and
# the device run before anything is mounted) ----------------------------------

expect_refused() {   # expect_refused WHAT PATTERN CMD...: non-zero exit and PATTERN in the output
    local what="$1" pattern="$2" out rc=0
    shift 2
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -ne 0 ] || { printf '%s\n' "$out" >&2; fail "$what: accepted"; }
    grep -qiE "$pattern" <<<"$out" || { printf '%s\n' "$out" >&2; fail "$what: refused without '$pattern'"; }
    ok "$what: refused: $(grep -iE "$pattern" <<<"$out" | head -n 1 | sed 's/^.*rauc[^:]*: [0-9:.]*: //')"
}

out="$(rauc info --keyring "$T/trusted/ca.pem" "$T/good.raucb" 2>&1)" ||
    { printf '%s\n' "$out" >&2; fail "rauc info: the good bundle was refused"; }
grep -q "Verified detached signature by 'O = HallKiosk, CN = Test operator bundle signer'" <<<"$out" ||
    { printf '%s\n' "$out" >&2; fail "rauc info: no verified signature line"; }
grep -q "Compatible:[[:space:]]*'hallkiosk-aarch64'" <<<"$out" || fail "rauc info: compatible"
grep -q "Version:[[:space:]]*'0.2.0+11'" <<<"$out" || fail "rauc info: version"
# plain: the signature covers every byte, so (a)-(c) are refused before
# anything is mounted (a verity bundle's payload is checked by dm-verity as it
# is read, which this container's kernel lacks)
grep -q "Bundle Format:[[:space:]]*plain" <<<"$out" || fail "rauc info: not a plain bundle"
ok "rauc info: good bundle verified (compatible hallkiosk-aarch64, version 0.2.0+11)"

info() { rauc info --keyring "$T/trusted/ca.pem" "$1"; }
expect_refused "rauc info (a) bad signature" "signature verification failed|content does not match" info "$T/badsig.raucb"
expect_refused "rauc info (b) untrusted key" "unable to get local issuer certificate|self.signed certificate|verify error" info "$T/stranger.raucb"
expect_refused "rauc info (c) flipped byte" "signature verification failed|content does not match" info "$T/flipped.raucb"

# ---- the install path: rauc service on a private system bus -----------------

mkdir -p "$T/mnt" "$T/boot"
cat > "$T/dbus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$T/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
# the custom bootloader backend (rauc's bootloader-custom-backend protocol):
# the primary slot and each slot's good/bad state in files under $T/boot
cat > "$T/boot.sh" <<'SH'
#!/bin/sh
d="$(dirname "$0")/boot"
echo "$*" >> "$d/calls"
case "$1" in
    get-primary | get-current) cat "$d/primary" ;;
    set-primary) echo "$2" > "$d/primary" ;;
    get-state) cat "$d/state.$2" 2>/dev/null || echo good ;;
    set-state) echo "$3" > "$d/state.$2" ;;
    *) exit 1 ;;
esac
SH
chmod +x "$T/boot.sh"
echo A > "$T/boot/primary"
: > "$T/boot/calls"
truncate -s 16M "$T/slotA.img" "$T/slotB.img"
cp --sparse=always "$T/rootfs.ext4" "$T/slotA.img"
printf 'VERSION=0.2.0+10\n' > "$T/running-release"

# the device's own system.conf (toolchain/image/overlay/etc/rauc/system.conf)
# with the slots on files, the custom bootloader backend instead of GRUB's
# grubenv, the status file, mount prefix and keyring here
dev_conf="$IMG/overlay/etc/rauc/system.conf"
grep -q '^pre-install=/usr/lib/hallkiosk-image/rauc-pre-install$' "$dev_conf" ||
    fail "$dev_conf: no pre-install handler"
sed -e 's|^bootloader=grub$|bootloader=custom|' -e '/^grubenv=/d' \
    -e "s|^statusfile=.*|statusfile=$T/central.raucs\nmountprefix=$T/mnt|" \
    -e "s|^path=/etc/rauc/keyring.pem$|path=$T/trusted/ca.pem|" \
    -e "s|^pre-install=/usr/lib/hallkiosk-image/|bootloader-custom-backend=$T/boot.sh\npre-install=$IMG/overlay/usr/lib/hallkiosk-image/|" \
    -e "s|^device=/dev/disk/by-partlabel/rootfs-A$|device=$T/slotA.img|" \
    -e "s|^device=/dev/disk/by-partlabel/rootfs-B$|device=$T/slotB.img|" \
    "$dev_conf" > "$T/system.conf"
for want in "bootloader=custom" "device=$T/slotA.img" "device=$T/slotB.img" "path=$T/trusted/ca.pem" \
    "compatible=hallkiosk-aarch64" "bootloader-custom-backend=$T/boot.sh"; do
    grep -qxF "$want" "$T/system.conf" || fail "test system.conf: no '$want' (did $dev_conf change?)"
done

export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/bus"
dbus-daemon --config-file="$T/dbus.conf" --nofork --nopidfile >"$T/dbus.log" 2>&1 &
BUS_PID=$!
for _ in $(seq 50); do [ -S "$T/bus" ] && break; sleep 0.1; done
[ -S "$T/bus" ] || fail "dbus-daemon did not start: $(cat "$T/dbus.log")"
HK_IMAGE_RELEASE="$T/running-release" \
    rauc --conf="$T/system.conf" service --override-boot-slot=A >"$T/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 100); do rauc status >/dev/null 2>&1 && break; sleep 0.1; done
rauc status >"$T/status.txt" 2>&1 || fail "rauc service did not answer: $(cat "$T/service.log")"
grep -q "Booted from: rootfs.0 (A)" "$T/status.txt" || fail "rauc status: booted slot: $(cat "$T/status.txt")"

out="$(rauc install "$T/good.raucb" 2>&1)" ||
    { printf '%s\n' "$out" "--- service:" "$(cat "$T/service.log")" >&2; fail "install of the good bundle failed"; }
cmp -s -n "$(stat -c %s "$T/rootfs.ext4")" "$T/rootfs.ext4" "$T/slotB.img" ||
    fail "slot B does not hold the bundle's root file system"
[ "$(cat "$T/boot/primary")" = B ] || fail "the bootloader was not switched to B: $(cat "$T/boot/calls")"
grep -q "version 0.2.0+11 (running 0.2.0+10) accepted" "$T/service.log" ||
    fail "the pre-install handler did not run: $(cat "$T/service.log")"
ok "rauc install: good bundle written to slot B, bootloader primary B"

# every refusal below must leave slot B and the bootloader as they are
echo A > "$T/boot/primary"
slot_sum="$(sha256sum < "$T/slotB.img")"
calls_before="$(wc -l < "$T/boot/calls")"
install() { rauc install "$1"; }
unchanged() {
    [ "$(sha256sum < "$T/slotB.img")" = "$slot_sum" ] || fail "$1: slot B was written"
    [ "$(cat "$T/boot/primary")" = A ] || fail "$1: the bootloader was switched"
    if sed -n "$((calls_before + 1)),\$p" "$T/boot/calls" | grep -q '^set-'; then
        fail "$1: the bootloader was changed: $(cat "$T/boot/calls")"
    fi
}
expect_refused "rauc install (a) bad signature" "signature verification failed|content does not match" install "$T/badsig.raucb"
unchanged "(a)"
expect_refused "rauc install (b) untrusted key" "unable to get local issuer certificate|self.signed certificate|verify error" install "$T/stranger.raucb"
unchanged "(b)"
expect_refused "rauc install (c) flipped byte" "signature verification failed|content does not match" install "$T/flipped.raucb"
unchanged "(c)"
expect_refused "rauc install (d) wrong compatible" "compatible mismatch.*hallkiosk-aarch64.*hallkiosk-armhf" install "$T/armhf.raucb"
unchanged "(d)"
expect_refused "rauc install (e) older version" "handler" install "$T/older.raucb"
unchanged "(e)"
grep -q "hallkiosk update refused: bundle version 0.2.0+9 is older than the running version 0.2.0+10" "$T/service.log" ||
    fail "(e): the handler's reason is not in the service log: $(cat "$T/service.log")"
ok "(e): service log: hallkiosk update refused: bundle version 0.2.0+9 is older than the running version 0.2.0+10"

# ---- the USB stick path: hallkiosk-usb-update on a directory ----------------

usb_update() {   # usb_update DIR: the script as the udev-started unit runs it, without mount/reboot
    HK_RAUC_KEYRING="$T/trusted/ca.pem" "$IMG/overlay/usr/sbin/hallkiosk-usb-update" --dir "$1"
}
mkdir -p "$T/usb-stranger" "$T/usb-good" "$T/usb-empty"
cp "$T/stranger.raucb" "$T/usb-stranger/hallkiosk-aarch64-0.2.0+11.raucb"
expect_refused "hallkiosk-usb-update: untrusted bundle" "REFUSED .*unable to get local issuer" usb_update "$T/usb-stranger"
unchanged "usb (b)"
out="$(usb_update "$T/usb-empty" 2>&1)" || fail "hallkiosk-usb-update on an empty stick: $out"
grep -q "nothing to install" <<<"$out" || fail "hallkiosk-usb-update on an empty stick: $out"
bundle hallkiosk-aarch64-0.2.0+12.raucb 0.2.0+12 "$T/trusted"
cp "$T/good.raucb" "$T/usb-good/hallkiosk-aarch64-0.2.0+11.raucb"
mv "$T/hallkiosk-aarch64-0.2.0+12.raucb" "$T/usb-good/"
out="$(usb_update "$T/usb-good" 2>&1)" || { printf '%s\n' "$out" >&2; fail "hallkiosk-usb-update: the good bundle"; }
grep -q "installed version 0.2.0+12" <<<"$out" || { printf '%s\n' "$out" >&2; fail "hallkiosk-usb-update did not pick the newest bundle"; }
[ "$(cat "$T/boot/primary")" = B ] || fail "hallkiosk-usb-update: the bootloader was not switched to B"
ok "hallkiosk-usb-update: refuses an untrusted bundle, installs the newest trusted one (0.2.0+12) into slot B"

echo "test_bundle: all passed"
