#!/usr/bin/env bash
# Installs what the tests need, then runs them with a real Secret Service keyring.
# Usage: scripts/test.sh [pytest args...]   (README's test command; .ci/run calls it too)
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: a Secret Service (gnome-keyring) on a private D-Bus, the libraries Qt's
# offscreen platform loads, a CJK font for the Chinese UI, Xvfb for real-window screenshots,
# Node.js for the JavaScript phone (tests/sandbox/js), Chromium and its driver for the phone page.
SYSTEM_PACKAGES=(gnome-keyring dbus libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3
                 fonts-wqy-microhei xvfb nodejs chromium chromium-driver)
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "warning: missing system packages (${missing[*]}); keyring tests will skip" >&2
    fi
fi

python -m pip install -q --disable-pip-version-check -e '.[test]'

export QT_QPA_PLATFORM=offscreen
if [ "${CI:-}" = "true" ]; then
    # In CI a missing keyring, browser or Node.js is a failure, not a skip.
    export QRLOGIN_REQUIRE_KEYRING=1 QRLOGIN_REQUIRE_BROWSER=1 QRLOGIN_REQUIRE_NODE=1
fi

if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    # A throw-away session bus and keyring (in its own data dir, so neither the user's real
    # keyring nor one left by an earlier run is touched), unlocked with a throw-away password.
    keyring_home=$(mktemp -d)
    trap 'rm -rf "$keyring_home"' EXIT
    XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c '
        echo -n "qrlogin-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        exec python -m pytest "$@"' sh "$@"
    exit $?
fi
exec python -m pytest "$@"
