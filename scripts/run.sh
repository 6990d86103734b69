#!/usr/bin/env bash
# Installs qrlogin-desktop and starts it on the embedded sandbox (README's run command).
# On Debian/Ubuntu as root it first installs the system libraries Qt's xcb platform needs.
# With no display (a server, a container) it runs the app on a virtual X display (Xvfb); with no
# desktop session it gives the app a session bus and a keyring that persists (desktop-session.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
                 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
                 libxcb-xinerama0 libxcb-xkb1 fonts-wqy-microhei gnome-keyring dbus-x11 xvfb xauth)
if command -v dpkg-query >/dev/null; then
    missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

python -m pip install -q --disable-pip-version-check .

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "no display: running on a virtual X display (Xvfb); Ctrl-C stops it" >&2
    exec scripts/desktop-session.sh xvfb-run -a -s "-screen 0 1440x900x24" qrlogin-desktop "$@"
fi
exec scripts/desktop-session.sh qrlogin-desktop "$@"
