#!/usr/bin/env bash
# README screenshots with a throw-away Secret Service (so the login shows "stored in the keyring").
set -euo pipefail
cd "$(dirname "$0")/.."
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c '
    echo -n "screenshots" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec python scripts/screenshots.py "$@"' sh "$@"
