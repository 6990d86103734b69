#!/usr/bin/env bash
# Runs a command with a desktop session's keyring when there is no desktop session (a server, a
# container, Xvfb): a D-Bus session bus and a Secret Service (gnome-keyring) whose "login" keyring
# persists across runs in the user's data directory, unlocked with a password generated on first
# run and kept 0600 beside it (docs/decisions.md, "A keyring without a desktop session").
# With a session bus already there (a desktop), the command runs as it is.
#
#     scripts/desktop-session.sh COMMAND [ARGS...]
set -euo pipefail

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
keyrings="$data_home/keyrings"                      # gnome-keyring's own location
password_file="$data_home/qrlogin-desktop/keyring-password"

if [ "${1:-}" = "--in-session" ]; then
    shift
    if [ ! -s "$password_file" ]; then
        if [ -e "$keyrings/login.keyring" ]; then
            # A login keyring made elsewhere (a desktop login): its password is not ours to know.
            echo "desktop-session: $keyrings/login.keyring exists and was not created here; it is" \
                 "opened with an empty password, or stays locked" >&2
            password=""
        else
            (umask 077 && mkdir -p "$(dirname "$password_file")" &&
             head -c 32 /dev/urandom | base64 | tr -d '\n=' >"$password_file")
            password="$(cat "$password_file")"
        fi
    else
        password="$(cat "$password_file")"
    fi
    mkdir -p "$keyrings" && chmod 700 "$keyrings"
    # Creates the login keyring with this password on first run, unlocks it on later ones.
    printf '%s' "$password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    unset password
    exec "$@"
fi

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    exec "$@"
fi
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null; then
        echo "desktop-session: no D-Bus session and no $tool: tokens cannot go to a keyring" \
             "(install dbus and gnome-keyring)" >&2
        exec "$@"
    fi
done
exec dbus-run-session -- bash "$0" --in-session "$@"
