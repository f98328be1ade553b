#!/usr/bin/env bash
# tests/package/check_deb.sh DEB: what an engineer relies on in the hallkiosk
# package (PKG, issue 9.2). Fails loudly, naming what is wrong.
#   - contents: the three binaries, the assets the app reads (FAQ, the voice
#     pack), the sample config as a conffile, the five units, sysusers.d and
#     tmpfiles.d, the copyright file; the library dependencies dpkg-shlibdeps
#     found plus the named ones
#   - the maintainer scripts parse; sysusers/tmpfiles make the hallkiosk user
#     and /var/lib/hallkiosk 0700 in a scratch root
#   - the installed binaries run and find their assets under
#     /usr/share/hallkiosk (not the build tree's); the sample config is valid
#   - lintian: no errors (warnings printed)
#   - systemd-analyze verify on every unit, against the extracted package
set -uo pipefail

deb="${1:?usage: check_deb.sh DEB}"
[ -f "$deb" ] || { echo "check_deb: no such file $deb" >&2; exit 1; }
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
fails=0
ok() { printf '  ok    %s\n' "$*"; }
bad() { printf '  FAIL  %s\n' "$*" >&2; fails=$((fails + 1)); }
check() { # check DESCRIPTION CMD...
    local what="$1"
    shift
    if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

work="$(mktemp -d "${TMPDIR:-/tmp}/hk-deb.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"

echo "== $deb ($(du -k "$deb" | cut -f1) KB)"

# ---- contents -------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $1, $6}' | sed 's#\./#/#' >"$work/list"
has() { grep -q " $1\$" "$work/list"; }
for f in /usr/bin/hallkiosk /usr/bin/hallctl /usr/bin/hall-central \
    /usr/share/hallkiosk/faq/faq.json /usr/share/hallkiosk/faq/triage.json \
    /usr/share/hallkiosk/voice/chime.wav /etc/hallkiosk/hallkiosk.json \
    /lib/systemd/system/hallkiosk-kiosk.service /lib/systemd/system/hallkiosk-counter.service \
    /lib/systemd/system/hallkiosk-display.service /lib/systemd/system/hallkiosk-hub.service \
    /lib/systemd/system/hall-central.service /usr/lib/sysusers.d/hallkiosk.conf \
    /usr/lib/tmpfiles.d/hallkiosk.conf /usr/share/doc/hallkiosk/copyright \
    /usr/share/doc/hallkiosk/changelog.Debian.gz; do
    check "contains $f" has "$f"
done
n_wav="$(grep -c '/usr/share/hallkiosk/voice/.*\.wav$' "$work/list")"
if [ "$n_wav" -ge 90 ]; then ok "voice pack: $n_wav clips"; else bad "voice pack: $n_wav clips (want >= 90)"; fi
check "binaries are executable (-rwxr-xr-x)" grep -q '^-rwxr-xr-x /usr/bin/hallkiosk$' "$work/list"

dpkg-deb -e "$deb" "$work/ctl"
check "conffile: /etc/hallkiosk/hallkiosk.json" grep -qx /etc/hallkiosk/hallkiosk.json "$work/ctl/conffiles"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "  Depends: $depends"
for d in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsystemd0 libmicrohttpd12 libsqlite3-0 librime1 \
    rime-data-pinyin-simp rime-prelude libegl1 libgles2 libgl1-mesa-dri \
    "fonts-noto-cjk | fonts-wqy-microhei"; do
    check "depends on $d" grep -qF "$d" <<<"$depends"
done
for s in postinst prerm postrm; do
    check "$s parses (sh -n)" sh -n "$work/ctl/$s"
done

# ---- the user and the data directory, in a scratch root --------------------
dpkg-deb -x "$deb" "$root"
mkdir -p "$root/etc" "$root/var/lib"
touch "$root/etc/passwd" "$root/etc/group"
systemd-sysusers --root="$root" "$root/usr/lib/sysusers.d/hallkiosk.conf" >/dev/null 2>&1
check "sysusers.d makes the hallkiosk system user" grep -q '^hallkiosk:x:[0-9]*:[0-9]*:.*:/var/lib/hallkiosk:/usr/sbin/nologin$' "$root/etc/passwd"
systemd-tmpfiles --root="$root" --create "$root/usr/lib/tmpfiles.d/hallkiosk.conf" >/dev/null 2>&1
mode="$(stat -c '%a' "$root/var/lib/hallkiosk" 2>/dev/null)"
if [ "$mode" = 700 ]; then ok "tmpfiles.d makes /var/lib/hallkiosk 0700"; else bad "/var/lib/hallkiosk mode '$mode' (want 700)"; fi

# ---- the installed binaries run and find their assets ------------------------
# another architecture's package (arm64) runs under qemu-user, its libraries
# from the multiarch directories (toolchain/dev package arm64 installed them)
run=()
arch="$(dpkg-deb -f "$deb" Architecture)"
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    case "$arch" in
        arm64) run=(qemu-aarch64) ;;
        armhf) run=(qemu-arm) ;;
        *) run=(false) ;;
    esac
    command -v "${run[0]}" >/dev/null || run=()
fi
if [ "$arch" = "$(dpkg --print-architecture)" ] || [ "${#run[@]}" -gt 0 ]; then
    [ "${#run[@]}" -gt 0 ] && echo "  (running the $arch binaries under ${run[0]})"
    check "hallkiosk --version" "${run[@]}" "$root/usr/bin/hallkiosk" --version
    check "hall-central --version" "${run[@]}" "$root/usr/bin/hall-central" --version
    out="$("${run[@]}" "$root/usr/bin/hallkiosk" --check-config "$root/etc/hallkiosk/hallkiosk.json" 2>&1)"
    if grep -q ': ok$' <<<"$out"; then ok "the sample config is valid"; else bad "sample config: $out"; fi
    # the installed hallctl reads the installed FAQ: break that copy and
    # it must say so (the build tree's copy is fine, so it was not read)
    echo '{ broken' >"$root/usr/share/hallkiosk/faq/faq.json"
    out="$(env -u HK_FAQ_FILE "${run[@]}" "$root/usr/bin/hallctl" faq search 宽带 2>&1)"
    if grep -qF "$root/usr/share/hallkiosk/faq/faq.json" <<<"$out"; then
        ok "installed hallctl reads /usr/share/hallkiosk/faq"
    else
        bad "installed hallctl did not read the installed FAQ: $out"
    fi
    dpkg-deb -x "$deb" "$root" # the good copy back for the checks below
else
    echo "  skip  running the binaries ($arch package, no qemu-user)"
fi

# ---- lintian -------------------------------------------------------------
if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges' >"$work/lintian"
    errors="$(grep -c '^E: ' "$work/lintian")"
    warnings="$(grep -c '^W: ' "$work/lintian")"
    sed 's/^/    /' "$work/lintian"
    if [ "$errors" -eq 0 ]; then ok "lintian: 0 errors, $warnings warnings"; else bad "lintian: $errors errors"; fi
else
    bad "lintian not installed (apt-get install lintian)"
fi

# ---- systemd-analyze verify ---------------------------------------------------
# The units name /usr/bin/... : verified with the package's tree as root, so
# ExecStart's binaries are the packaged ones, and this machine's own units
# (sysinit.target, getty@.service ...) copied beside them, as on a device.
# Without systemd as PID 1 it still parses and checks every unit and its
# dependencies.
units="$(sed -n 's#^[^ ]* /lib/systemd/system/\(.*\.service\)$#\1#p' "$work/list")"
[ -n "$units" ] || bad "no units in the package"
cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
for name in $units; do
    out="$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --root="$root" \
        "/lib/systemd/system/$name" 2>&1)"
    rc=$?
    out="$(grep -v '^$' <<<"$out")"
    if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
        ok "systemd-analyze verify $name"
    else
        bad "systemd-analyze verify $name (rc $rc): $out"
    fi
done

if [ "$fails" -ne 0 ]; then
    echo "check_deb: $fails check(s) failed" >&2
    exit 1
fi
echo "check_deb: all checks passed"
