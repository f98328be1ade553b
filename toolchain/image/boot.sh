#!/usr/bin/env bash
# toolchain/image/boot.sh: boot the kiosk image under qemu-system-aarch64
# (-M virt, TCG, UEFI from qemu-efi-aarch64, virtio disk/GPU/net) and time it
# from power-on (qemu's start) to the kiosk's first frame.
#
#   boot.sh [--timeout S] [--keep] [--rollback] [IMG]
#           (default build-image/hallkiosk-aarch64.img; --rollback: IMG is
#           rollback.sh's trial, which must boot slot B, roll back and reach
#           the first frame on slot A)
#
# The image is opened with -snapshot: the file is never written. The serial
# console (ttyAMA0) goes to build-image/boot-serial.log; milestones are taken
# from it: GRUB's "booting slot", the kernel's start, systemd's targets,
# "Started hallkiosk-kiosk.service" (Type=notify: READY=1 = the first presented
# frame) and hallkiosk-mark-good.service. An image without the kiosk package
# ends at multi-user.target and says so. Emulated on this machine's CPU: a
# ceiling, not a device figure.
# Exit: 0 the first frame (or, without the kiosk, multi-user.target) was
# reached; 1 timeout or qemu died.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
timeout=900 img="" keep=0 rollback=0
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --rollback) rollback=1; shift ;;
        -*) echo "image-boot: unknown option $1" >&2; exit 2 ;;
        *) img="$1"; shift ;;
    esac
done
[ -n "$img" ] || img="$root/build-image/hallkiosk-aarch64.img"
[ -f "$img" ] || { echo "image-boot: no $img: run 'toolchain/dev image' first" >&2; exit 1; }
fw=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
[ -f "$fw" ] || { echo "image-boot: no UEFI firmware $fw (apt-get install qemu-efi-aarch64)" >&2; exit 1; }
log="$(dirname "$img")/boot-serial.log"
shot="$(dirname "$img")/boot-screen"
: > "$log"
rm -f "$shot.ppm" "$shot.png"
# the QEMU monitor on a free loopback port: a screendump of what the panel shows
mon_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 45454)"

kiosk=$rollback # the rollback trial is made from a kiosk image
if [ -f "$(dirname "$img")/rootfs/etc/hallkiosk-image" ] &&
    ! grep -q '^HALLKIOSK_DEB=none' "$(dirname "$img")/rootfs/etc/hallkiosk-image"; then
    kiosk=1
fi

t0=$(date +%s.%N)
qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 1536 \
    -bios "$fw" -snapshot \
    -drive if=none,file="$img",format=raw,id=hd -device virtio-blk-pci,drive=hd \
    -device virtio-gpu-pci -display none \
    -netdev user,id=net -device virtio-net-pci,netdev=net,romfile= \
    -serial file:"$log" -monitor tcp:127.0.0.1:"$mon_port",server,nowait -nodefaults -vga none \
    >"$log.qemu" 2>&1 &
qpid=$!
stop() { kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null; return 0; }
trap stop EXIT

since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
declare -A seen=()
marks=("grub|HallKiosk: booting slot"
       "kernel|Booting Linux on physical CPU"
       "systemd|systemd\\[1\\]: systemd [0-9]+ running|Welcome to .*Debian"
       "basic.target|Reached target .*Basic System"
       "multi-user.target|Reached target .*Multi-User System"
       "slot B|HallKiosk: booting slot B"
       "rolled back|rolling back to slot A"
       "slot A again|HallKiosk: booting slot A"
       "first frame|HallKiosk: the kiosk showed its first frame|Started .*hallkiosk-kiosk.service"
       "mark-good|HallKiosk: slot marked good|Finished .*hallkiosk-mark-good")
if [ "$rollback" = 0 ]; then # the rollback's own milestones only in its trial
    kept=()
    for m in "${marks[@]}"; do
        case "${m%%|*}" in "slot B" | "rolled back" | "slot A again") ;; *) kept+=("$m") ;; esac
    done
    marks=("${kept[@]}")
fi
echo "image-boot: qemu-system-aarch64 -M virt -cpu cortex-a57 (TCG), serial log $log"
goal="first frame"
[ "$kiosk" = 1 ] || { goal="multi-user.target"; echo "image-boot: NOTE: this image has no kiosk package: waiting for multi-user.target, not a first frame"; }
rc=1
while :; do
    for m in "${marks[@]}"; do
        name="${m%%|*}"
        [ -n "${seen[$name]:-}" ] && continue
        if grep -aqE "${m#*|}" "$log"; then
            seen[$name]="$(since)"
            printf '  %-18s %7ss\n' "$name" "${seen[$name]}"
        fi
    done
    if [ -n "${seen[$goal]:-}" ]; then
        rc=0
        if [ "$rollback" = 1 ] && { [ -z "${seen[slot B]:-}" ] || [ -z "${seen[rolled back]:-}" ]; }; then
            echo "image-boot: --rollback: a first frame without slot B's trial and the rollback before it"
            rc=1
        fi
        break
    fi
    if ! kill -0 "$qpid" 2>/dev/null; then echo "image-boot: qemu exited: $(cat "$log.qemu")"; break; fi
    if awk -v s="$(since)" -v t="$timeout" 'BEGIN { exit !(s > t) }'; then
        echo "image-boot: TIMEOUT after ${timeout}s without '$goal'; last lines of the console:"
        tail -n 25 "$log" | sed 's/^/    /'
        break
    fi
    sleep 1
done
# what the panel shows now (the first frame, or why there is none), as
# build-image/boot-screen.png
screendump() {
    local i
    { exec 3<>"/dev/tcp/127.0.0.1/$mon_port"; } 2>/dev/null || return 0
    printf 'screendump %s\n' "$shot.ppm" >&3
    for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$shot.ppm" ] && break; sleep 1; done
    exec 3>&-
    [ -s "$shot.ppm" ] || return 0
    python3 "$here/ppm2png.py" "$shot.ppm" "$shot.png" 2>/dev/null &&
        echo "image-boot: the screen: $shot.png" || echo "image-boot: the screen: $shot.ppm"
}
[ "$rc" -eq 0 ] && sleep 3 # the frame after the first
screendump
if [ "$rc" -eq 0 ]; then
    [ "$goal" = "first frame" ] && [ -z "${seen[mark-good]:-}" ] && sleep 5 &&
        grep -aqE "HallKiosk: slot marked good|hallkiosk-mark-good" "$log" && printf '  %-18s %7ss\n' "mark-good" "$(since)"
    echo "image-boot: power-on to $goal: ${seen[$goal]} s (emulated, TCG)"
    grep -aE "FAILED|Failed to start" "$log" | sed 's/^/  failed unit: /' | head -n 10 || true
fi
if [ "$keep" = 1 ]; then
    echo "image-boot: --keep: qemu keeps running (pid $qpid); serial log $log"
    trap - EXIT
fi
exit "$rc"
