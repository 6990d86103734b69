#!/usr/bin/env bash
# Packaging check on a clean clone (Debian/Ubuntu, run by CI as root):
#   1. installs what it needs: nsis, lintian, dpkg-dev, patchelf, Qt's xcb libraries (apt-get);
#      PyInstaller and the runtime requirements from pyproject.toml (pip; the project itself is
#      not installed, PyInstaller reads it from this checkout);
#   2. builds the Linux bundle and the .deb (python packaging/build.py linux);
#   3. unpacks the .deb into a throw-away root (dpkg-deb -x) and, as root, installs it on this
#      machine with apt-get (then removes it again); runs each copy's `qrlogin-desktop --self-test
#      --require-keyring` with no display, under a private D-Bus session with gnome-keyring;
#   4. the tests of the built artefacts (tests/test_packaging.py; none may skip); lintian: no errors
#      (warnings are printed; overrides carry their reasons);
#   5. compiles the NSIS installer against a stand-in payload (makensis).
# Prints the bundle and .deb sizes and the time taken. Exit status 0 only if every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n== [%3ds] %s\n' "$((SECONDS - started))" "$*"; }

SYSTEM_PACKAGES=(nsis lintian dpkg-dev patchelf binutils file gnome-keyring dbus
                 libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
                 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
                 libxcb-render-util0 libxcb-shape0 libxcb-xkb1)

step "system packages"
missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing system packages (run as root, or install them): ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi

step "python packages (runtime requirements + the packaging extra)"
mapfile -t requirements < <(python - <<'EOF'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["packaging"]))
EOF
)
python -m pip install -q --disable-pip-version-check "${requirements[@]}"

step "bundle and .deb (python packaging/build.py linux)"
python packaging/build.py linux
version=$(python -c 'import sys; sys.path.insert(0, "packaging"); import project; print(project.version())')
deb=$(ls dist/qrlogin-desktop_"${version}"_*.deb)
bundle_mb=$(du -sm dist/qrlogin-desktop | cut -f1)
deb_mb=$(du -m "$deb" | cut -f1)

work=$(mktemp -d)
cleanup() {
    rm -rf "$work"
    if [ "${installed_here:-0}" = 1 ]; then apt-get purge -y -q qrlogin-desktop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# The bundle's self-test with no display (it picks Qt's offscreen platform itself), in a private
# D-Bus session with a fresh, unlocked gnome-keyring: the keyring part must use the Secret Service.
self_test() {
    local program=$1 home
    home=$(mktemp -d -p "$work")
    env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM -u PYTHONPATH HOME="$home" XDG_DATA_HOME="$home/data" \
        XDG_CONFIG_HOME="$home/config" timeout 120 dbus-run-session -- sh -c '
            echo -n "qrlogin-check" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
            cd "$HOME" && exec "$0" --self-test --require-keyring' "$program" 2> "$home/stderr" || {
        echo "self-test of $program failed; its stderr:" >&2
        cat "$home/stderr" >&2
        return 1
    }
}

step "self-test of the .deb unpacked into a throw-away root"
dpkg-deb -x "$deb" "$work/root"
self_test "$work/root/usr/bin/qrlogin-desktop"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "apt-get install ./$deb, self-test of /usr/bin/qrlogin-desktop, remove"
    if dpkg-query -W -f='${Status}' qrlogin-desktop 2>/dev/null | grep -q "ok installed"; then
        echo "qrlogin-desktop is already installed here: not touching it" >&2
    else
        installed_here=1
        apt-get install -y -q "./$deb" >/dev/null
        self_test /usr/bin/qrlogin-desktop
        [ "$(/usr/bin/qrlogin-desktop --version)" = "qrlogin-desktop $version" ]
        apt-get purge -y -q qrlogin-desktop >/dev/null
        installed_here=0
    fi
fi

step "tests of the built bundle and .deb (tests/test_packaging.py, none may skip)"
XDG_DATA_HOME="$work/test-keyring" QRLOGIN_REQUIRE_BUNDLE=1 QT_QPA_PLATFORM=offscreen dbus-run-session -- sh -c '
    echo -n "qrlogin-check" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec python -m pytest -q -p no:cacheprovider -k "bundle or deb" tests/test_packaging.py'

step "lintian (no errors allowed)"
lintian --fail-on error --tag-display-limit 0 "$deb" || { echo "lintian found errors" >&2; exit 1; }

step "NSIS installer against a stand-in payload"
python packaging/build.py windows --stand-in

step "done"
echo "bundle dist/qrlogin-desktop: ${bundle_mb} MB on disk; $(basename "$deb"): ${deb_mb} MB"
echo "packaging check passed in $((SECONDS - started)) s"
