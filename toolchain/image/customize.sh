#!/usr/bin/env bash
# toolchain/image/customize.sh ROOT: the last step of the root file system
# (mkimage.sh, after the kiosk packages are installed in ROOT): turns a
# minimal Debian 12 into the kiosk's read-only root. Reads from the
# environment: HK_IMAGE_DIR (toolchain/image), HK_DEB (the hallkiosk .deb installed,
# or empty), HK_KEYRING (the CA the device trusts for bundles), HK_VERSION.
set -euo pipefail
r="$1"
here="$HK_IMAGE_DIR"

echo "I: hallkiosk: overlay (RAUC system.conf, handlers, units, USB update)"
cp -a "$here/overlay/." "$r/"
install -m 0644 "$HK_KEYRING" "$r/etc/rauc/keyring.pem"
cat > "$r/etc/hallkiosk-image" <<REL
VERSION=$HK_VERSION
COMPATIBLE=hallkiosk-aarch64
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
HALLKIOSK_DEB=$(basename "${HK_DEB:-none}")
REL

echo "I: hallkiosk: read-only root, mounts, services"
mkdir -p "$r/boot/efi" "$r/var/lib/hallkiosk" "$r/media/usb"
cat > "$r/etc/fstab" <<'FSTAB'
# HallKiosk: the root slot (A or B, the kernel's root=) stays read-only;
# what must be written lives in RAM or on the data partition.
/dev/root             /                    ext4   ro,noatime                          0 0
PARTLABEL=hkdata      /var/lib/hallkiosk   ext4   noatime,nosuid,nodev                0 2
PARTLABEL=esp         /boot/efi            vfat   umask=0077,noatime,nosuid,nodev     0 2
tmpfs                 /tmp                 tmpfs  mode=1777,nosuid,nodev,size=64M     0 0
tmpfs                 /var/tmp             tmpfs  mode=1777,nosuid,nodev,size=16M     0 0
tmpfs                 /var/log             tmpfs  mode=0755,nosuid,nodev,size=16M     0 0
tmpfs                 /var/lib/systemd     tmpfs  mode=0755,nosuid,nodev,size=4M      0 0
FSTAB
echo hallkiosk > "$r/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\thallkiosk\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$r/etc/resolv.conf"
# an empty machine-id: systemd makes one per boot on a read-only root
: > "$r/etc/machine-id"
rm -f "$r/var/lib/dbus/machine-id"
# GRUB loads /boot/vmlinuz and /boot/initrd.img of the slot it boots
kernel="$(cd "$r/boot" && ls vmlinuz-* | sort -V | tail -n 1)"
ln -sf "$kernel" "$r/boot/vmlinuz"
ln -sf "initrd.img-${kernel#vmlinuz-}" "$r/boot/initrd.img"
[ -e "$r/boot/initrd.img" ] || { echo "E: no initrd for $kernel" >&2; exit 1; }

# no shell on the screen, no key combination that reboots or switches away
systemctl --root="$r" mask getty@tty1.service autovt@.service ctrl-alt-del.target
# timers that write to the read-only root (and fail there every day) or
# reach for the internet: updates come as RAUC bundles
systemctl --root="$r" mask dpkg-db-backup.timer dpkg-db-backup.service apt-daily.timer \
    apt-daily-upgrade.timer e2scrub_all.timer 2>/dev/null || true
mkdir -p "$r/etc/systemd/logind.conf.d"
printf '[Login]\nNAutoVTs=0\nReserveVT=0\n' > "$r/etc/systemd/logind.conf.d/hallkiosk-image.conf"
systemctl --root="$r" enable systemd-networkd.service systemd-resolved.service \
    systemd-timesyncd.service hallkiosk-boot-check.timer
if [ -e "$r/usr/lib/systemd/system/hallkiosk-kiosk.service" ] || [ -e "$r/lib/systemd/system/hallkiosk-kiosk.service" ]; then
    systemctl --root="$r" enable hallkiosk-kiosk.service hallkiosk-mark-good.service
    systemctl --root="$r" set-default graphical.target 2>/dev/null || true
else
    echo "I: hallkiosk: no hallkiosk-kiosk.service in this root (no .deb): kiosk and mark-good not enabled"
fi

# nothing the device will not use: package lists, apt's caches, docs
rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin \
    "$r"/usr/share/doc/*/changelog* "$r"/usr/share/man/* "$r"/usr/share/info/*
