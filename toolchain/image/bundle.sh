#!/usr/bin/env bash
# toolchain/image/bundle.sh: a signed RAUC bundle of one root file system.
#
#   bundle.sh --rootfs DIR|IMG --version V --key K --cert C --out FILE.raucb
#             [--compatible S] [--format plain|verity] [--keyring PEM]
#             [--description TEXT]
#
# --rootfs DIR is made into an ext4 image (mkfs.ext4 -d, no mount needed);
# an IMG (*.ext4) is taken as it is. The bundle holds one image for the
# `rootfs` slot class. --keyring checks the signature right after signing
# (rauc bundle --signing-keyring). Prints one line: the bundle's path, size
# and seconds taken.
set -euo pipefail

die() { printf 'bundle: %s\n' "$*" >&2; exit 1; }

rootfs="" version="" key="" cert="" out="" keyring=""
compatible="hallkiosk-aarch64" format="plain" description="HallKiosk root file system"
while [ $# -gt 0 ]; do
    case "$1" in
        --rootfs) rootfs="$2"; shift 2 ;;
        --version) version="$2"; shift 2 ;;
        --key) key="$2"; shift 2 ;;
        --cert) cert="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --compatible) compatible="$2"; shift 2 ;;
        --format) format="$2"; shift 2 ;;
        --keyring) keyring="$2"; shift 2 ;;
        --description) description="$2"; shift 2 ;;
        *) die "unknown argument '$1'" ;;
    esac
done
[ -n "$rootfs" ] || die "--rootfs DIR|IMG is required"
[ -e "$rootfs" ] || die "--rootfs $rootfs: no such file or directory"
[ -n "$version" ] || die "--version is required"
[ -n "$out" ] || die "--out is required"
[ -r "$key" ] || die "--key $key: not readable"
[ -r "$cert" ] || die "--cert $cert: not readable"
case "$format" in plain | verity) ;; *) die "--format must be plain or verity" ;; esac
command -v rauc >/dev/null || die "rauc not found (apt-get install rauc squashfs-tools)"

t0=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/hk-bundle.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/content"

if [ -d "$rootfs" ]; then
    # size: what the tree holds plus a fifth and 16 MiB for ext4's own tables
    kib=$(du -sk --apparent-size "$rootfs" | cut -f1)
    inodes=$(find "$rootfs" -xdev | wc -l)
    size_mib=$(( (kib * 6 / 5) / 1024 + 16 + inodes / 4096 ))
    mkfs.ext4 -q -F -L rootfs -d "$rootfs" -N $((inodes + inodes / 4 + 1024)) \
        "$work/content/rootfs.ext4" "${size_mib}M" || die "mkfs.ext4 -d $rootfs failed"
else
    cp --sparse=always "$rootfs" "$work/content/rootfs.ext4"
fi

cat > "$work/content/manifest.raucm" <<MF
[update]
compatible=$compatible
version=$version
description=$description
build=$(date -u +%Y%m%d%H%M%S)

[bundle]
format=$format

[image.rootfs]
filename=rootfs.ext4
MF

mkdir -p "$(dirname "$out")"
rm -f "$out"
args=(--cert="$cert" --key="$key")
[ -n "$keyring" ] && args+=(--signing-keyring="$keyring")
rauc "${args[@]}" bundle "$work/content" "$out" >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; die "rauc bundle failed"; }
t1=$(date +%s)
printf 'bundle: %s  %s  %s bytes  %ss\n' "$out" "$version" "$(stat -c %s "$out")" $((t1 - t0))
