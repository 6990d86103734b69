#!/usr/bin/env python3
"""Build the installers: ``python packaging/build.py linux|windows|macos``.

    linux    PyInstaller one-folder bundle, then dist/qrlogin-desktop_<version>_<arch>.deb (dpkg-deb)
    windows  the bundle, then dist/qrlogin-desktop-<version>-setup.exe (NSIS makensis)
    macos    the bundle as dist/qrlogin-desktop.app, then dist/qrlogin-desktop-<version>.dmg (hdiutil)

Options: ``--skip-bundle`` reuses dist/qrlogin-desktop from an earlier run; ``windows --stand-in``
compiles the NSIS script against a placeholder payload (any system with makensis, e.g. Linux CI).
Signing is optional and driven by the environment (see packaging/README.md): WINDOWS_SIGN_PFX +
WINDOWS_SIGN_PASSWORD; MACOS_SIGN_IDENTITY, then notarisation with MACOS_NOTARY_PROFILE or
MACOS_NOTARY_APPLE_ID + MACOS_NOTARY_TEAM_ID + MACOS_NOTARY_PASSWORD.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import project  # noqa: E402 - packaging/project.py, next to this file
from linux import deb  # noqa: E402

SPEC = project.PACKAGING / "qrlogin-desktop.spec"
NSIS_SCRIPT = project.PACKAGING / "windows" / "installer.nsi"


def run(*command: str | Path, **options) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=True, **options)


def bundle_dir() -> Path:
    return project.DIST / project.NAME


def build_bundle() -> Path:
    """The PyInstaller one-folder bundle in dist/qrlogin-desktop (and the .app on macOS)."""
    run(sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", project.DIST, "--workpath", project.BUILD / "pyinstaller", SPEC)
    return bundle_dir()


def source_date() -> int:
    """Reproducible timestamps: SOURCE_DATE_EPOCH, else the last commit's time, else now."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        done = subprocess.run(["git", "-C", str(project.ROOT), "log", "-1", "--format=%ct"],
                              capture_output=True, text=True, check=True)
        return int(done.stdout.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return int(time.time())


# --- Linux ----------------------------------------------------------------------------------------------


def linux(args: argparse.Namespace) -> Path:
    bundle = bundle_dir() if args.skip_bundle else build_bundle()
    if not (bundle / project.NAME).is_file():
        raise SystemExit(f"no bundle at {bundle} (run without --skip-bundle)")
    package = deb.build(bundle, project.DIST, source_date())
    print(f"built {package.relative_to(project.ROOT)} ({package.stat().st_size / 1e6:.1f} MB)")
    return package


# --- Windows --------------------------------------------------------------------------------------------


def stand_in_payload() -> Path:
    """A folder shaped like the bundle, with placeholder executables: enough for makensis to compile."""
    payload = project.BUILD / "stand-in" / project.NAME
    shutil.rmtree(payload, ignore_errors=True)
    (payload / "_internal").mkdir(parents=True)
    for exe in (f"{project.NAME}.exe", f"{project.NAME}-cli.exe"):
        (payload / exe).write_bytes(b"MZ placeholder: not a real program\n")
    (payload / "_internal" / "README.txt").write_text("stand-in payload for compiling the installer\n")
    return payload


def sign_windows(*files: Path) -> None:
    pfx, password = os.environ.get("WINDOWS_SIGN_PFX"), os.environ.get("WINDOWS_SIGN_PASSWORD")
    if not pfx:
        return
    for file in files:
        run("signtool", "sign", "/f", pfx, *(["/p", password] if password else []), "/fd", "sha256",
            "/tr", os.environ.get("WINDOWS_SIGN_TIMESTAMP_URL", "http://timestamp.digicert.com"), "/td", "sha256",
            file)


def windows(args: argparse.Namespace) -> Path:
    if args.stand_in:
        payload, out_dir = stand_in_payload(), project.BUILD / "stand-in"
    else:
        payload = bundle_dir() if args.skip_bundle else build_bundle()
        out_dir = project.DIST
        sign_windows(payload / f"{project.NAME}.exe", payload / f"{project.NAME}-cli.exe")
    makensis = shutil.which("makensis") or shutil.which("makensis.exe")
    if makensis is None:
        raise SystemExit("makensis not found: apt-get install nsis (Linux) or choco install nsis (Windows)")
    setup = out_dir / f"{project.NAME}-{project.version()}-setup.exe"
    # makensis on Linux takes -D too; /D is Windows-only spelling.
    run(makensis, "-V2", "-WX", "-NOCD",  # -WX: a warning fails the build
        f"-DAPP_NAME={project.NAME}", f"-DDISPLAY_NAME={project.DISPLAY_NAME}",
        f"-DVERSION={project.version()}", f"-DNUMERIC_VERSION={project.numeric_version()}",
        f"-DPUBLISHER={project.PUBLISHER}", f"-DHOMEPAGE={project.HOMEPAGE}",
        f"-DBUNDLE_DIR={payload}", f"-DICON={project.ICON_ICO}", f"-DOUTFILE={setup}",
        NSIS_SCRIPT)
    if not args.stand_in:
        sign_windows(setup)
    print(f"built {setup} ({setup.stat().st_size / 1e6:.1f} MB)")
    return setup


# --- macOS ----------------------------------------------------------------------------------------------


def notarise(dmg: Path) -> None:
    profile = os.environ.get("MACOS_NOTARY_PROFILE")
    apple_id = os.environ.get("MACOS_NOTARY_APPLE_ID")
    if profile:
        credentials = ["--keychain-profile", profile]
    elif apple_id:
        credentials = ["--apple-id", apple_id, "--team-id", os.environ["MACOS_NOTARY_TEAM_ID"],
                       "--password", os.environ["MACOS_NOTARY_PASSWORD"]]
    else:
        return
    run("xcrun", "notarytool", "submit", dmg, *credentials, "--wait")
    run("xcrun", "stapler", "staple", dmg)


def macos(args: argparse.Namespace) -> Path:
    if not args.skip_bundle:
        build_bundle()
    app = project.DIST / f"{project.DISPLAY_NAME}.app"
    if not app.is_dir():
        raise SystemExit(f"no {app} (PyInstaller's BUNDLE step runs on macOS only)")
    identity = os.environ.get("MACOS_SIGN_IDENTITY")
    if identity:
        run("codesign", "--force", "--deep", "--options", "runtime", "--timestamp", "--sign", identity, app)
    dmg = project.DIST / f"{project.NAME}-{project.version()}.dmg"
    dmg.unlink(missing_ok=True)
    run("hdiutil", "create", "-volname", f"{project.DISPLAY_NAME} {project.version()}", "-srcfolder", app,
        "-ov", "-format", "UDZO", dmg)
    if identity:
        run("codesign", "--force", "--timestamp", "--sign", identity, dmg)
        notarise(dmg)
    print(f"built {dmg} ({dmg.stat().st_size / 1e6:.1f} MB)")
    return dmg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=("linux", "windows", "macos"))
    parser.add_argument("--skip-bundle", action="store_true", help="reuse dist/qrlogin-desktop from an earlier run")
    parser.add_argument("--stand-in", action="store_true",
                        help="windows: compile the installer around a placeholder payload (no PyInstaller)")
    args = parser.parse_args(argv)
    if args.stand_in and args.target != "windows":
        parser.error("--stand-in only goes with windows")
    {"linux": linux, "windows": windows, "macos": macos}[args.target](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
