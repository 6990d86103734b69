"""The Debian package: the one-folder bundle under /usr/lib/qrlogin-desktop, laid out the Debian way.

    /usr/lib/qrlogin-desktop/       the PyInstaller bundle (private libraries, not on the linker path)
    /usr/bin/qrlogin-desktop        symlink to the bundle's executable
    /usr/share/applications/        the .desktop entry
    /usr/share/icons/hicolor/       the icon at every size, and the SVG
    /usr/share/metainfo/            AppStream metadata (software centres)
    /usr/share/man/man1/            the manual page
    /usr/share/doc/qrlogin-desktop/ copyright, changelog.gz

``Depends`` is worked out from the bundle itself: every ELF file's libraries that the bundle does not
carry (Qt's xcb, GL, fontconfig, D-Bus, ... libraries, found the way the loader finds them) mapped to
their Debian packages by dpkg-shlibdeps, so the list follows what PyInstaller actually collected.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import project

HERE = Path(__file__).resolve().parent
COPYRIGHT = HERE / "copyright"
LINTIAN_OVERRIDES = HERE / "lintian-overrides"
MAN_PAGE = project.ASSETS / "linux" / "qrlogin-desktop.1"
INSTALL_DIR = Path("usr/lib") / project.NAME  # inside the package root
MAINTAINER = f"{project.PUBLISHER} <qrlogin-desktop@users.noreply.github.com>"
SECTION = "net"
RECOMMENDS = "gnome-keyring | kwalletmanager"  # a Secret Service provider for the tokens
DESCRIPTION = """\
 A desktop console for the QR-code login provider API: start a login, show the
 QR code, poll or simulate the phone, keep tokens in the system keyring (Secret
 Service) and call every endpoint of the API. An embedded sandbox server answers
 like the real one, so everything works without an account.
 .
 The program is a self-contained bundle (Python and Qt included) under
 /usr/lib/qrlogin-desktop; "qrlogin-desktop --self-test" checks an installation."""


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def package_path(dist: Path, version: str | None = None) -> Path:
    return dist / f"{project.NAME}_{version or project.version()}_{architecture()}.deb"


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _elf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p))


def scrub_runpaths(folder: Path) -> int:
    """Drop RUNPATH/RPATH entries outside the bundle (the build machine's own Python installation).

    Only ``$ORIGIN``-relative entries point into the bundle; anything else is a path of the machine
    that built it, which on a user's machine is at best dead and at worst writable by someone else.
    """
    changed = 0
    for elf in _elf_files(folder):
        current = subprocess.run(["patchelf", "--print-rpath", str(elf)], capture_output=True, text=True,
                                 check=True).stdout.strip()
        if not current:
            continue
        kept = [entry for entry in current.split(":") if entry.startswith("$ORIGIN")]
        if kept != current.split(":"):
            args = ["--set-rpath", ":".join(kept)] if kept else ["--remove-rpath"]
            subprocess.run(["patchelf", *args, str(elf)], check=True)
            changed += 1
    return changed


def _normalise_modes(root: Path) -> None:
    """Debian's modes: 0755 folders and programs, 0644 everything else (shared libraries included)."""
    for path in root.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path.name.endswith(".so") or ".so." in path.name or not os.access(path, os.X_OK):
            path.chmod(0o644)
        else:
            path.chmod(0o755)


def _gzip_to(source: bytes, target: Path) -> None:
    """gzip -9n: no name, no timestamp in the header (lintian checks both)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9,
                                                   mtime=0) as out:
        out.write(source)


def changelog(version: str, when: int) -> str:
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when))
    return (f"{project.NAME} ({version}) unstable; urgency=medium\n\n"
            f"  * Release {version}: see the project's README for what is in it.\n\n"
            f" -- {MAINTAINER}  {date}\n")


def stage(bundle: Path, root: Path, version: str, when: int) -> None:
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True)
    scrub_runpaths(root / INSTALL_DIR)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin" / project.NAME).symlink_to(Path("..") / "lib" / project.NAME / project.NAME)
    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy2(project.DESKTOP_FILE, apps / project.DESKTOP_FILE.name)
    for png in sorted(project.PACKAGE_ICONS.glob(f"{project.NAME}-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        target = root / f"usr/share/icons/hicolor/{size}x{size}/apps/{project.NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target)
    scalable = root / f"usr/share/icons/hicolor/scalable/apps/{project.NAME}.svg"
    scalable.parent.mkdir(parents=True)
    shutil.copy2(project.ICON_SVG, scalable)
    metainfo = root / "usr/share/metainfo"
    metainfo.mkdir(parents=True)
    shutil.copy2(project.METAINFO_FILE, metainfo / project.METAINFO_FILE.name)
    _gzip_to(MAN_PAGE.read_bytes(), root / f"usr/share/man/man1/{project.NAME}.1.gz")
    doc = root / "usr/share/doc" / project.NAME
    doc.mkdir(parents=True)
    shutil.copy2(COPYRIGHT, doc / "copyright")
    _gzip_to(changelog(version, when).encode(), doc / "changelog.gz")  # a native package: changelog.gz
    overrides = root / "usr/share/lintian/overrides"
    overrides.mkdir(parents=True)
    shutil.copy2(LINTIAN_OVERRIDES, overrides / project.NAME)
    _normalise_modes(root)


def shared_library_depends(root: Path) -> list[str]:
    """dpkg-shlibdeps over every ELF file of the bundle, its own folders searched first (-l)."""
    elves = [str(p) for p in _elf_files(root / INSTALL_DIR)]
    lib_dirs = sorted({str(Path(p).parent) for p in elves})
    with tempfile.TemporaryDirectory() as work:
        # dpkg-shlibdeps reads debian/control for the package's name; give it a minimal one.
        (Path(work) / "debian").mkdir()
        (Path(work) / "debian" / "control").write_text(
            f"Source: {project.NAME}\n\nPackage: {project.NAME}\nArchitecture: any\n")
        done = subprocess.run(
            ["dpkg-shlibdeps", "-O", "--ignore-missing-info", "--warnings=0", *(f"-l{d}" for d in lib_dirs),
             *(f"-e{e}" for e in elves)],
            cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dpkg-shlibdeps failed (a library the bundle needs is not installed here?):\n"
                         f"{done.stderr[-3000:]}")
    line = next((line for line in done.stdout.splitlines() if line.startswith("shlibs:Depends=")), "")
    return [dep.strip() for dep in line.removeprefix("shlibs:Depends=").split(",") if dep.strip()]


def installed_size_kib(root: Path) -> int:
    return sum((p.lstat().st_size + 1023) // 1024 for p in root.rglob("*") if not p.is_dir()) + \
        sum(1 for p in root.rglob("*") if p.is_dir())


def control(root: Path, version: str) -> str:
    depends = ", ".join(shared_library_depends(root))
    return (f"Package: {project.NAME}\n"
            f"Version: {version}\n"
            f"Architecture: {architecture()}\n"
            f"Maintainer: {MAINTAINER}\n"
            f"Installed-Size: {installed_size_kib(root)}\n"
            f"Depends: {depends}\n"
            f"Recommends: {RECOMMENDS}\n"
            f"Section: {SECTION}\n"
            f"Priority: optional\n"
            f"Homepage: {project.HOMEPAGE}\n"
            f"Description: {project.SUMMARY}\n{DESCRIPTION}\n")


def build(bundle: Path, dist: Path, when: int) -> Path:
    version = project.version()
    with tempfile.TemporaryDirectory(prefix="qrlogin-deb-") as work:
        root = Path(work) / "root"
        root.mkdir()
        stage(bundle, root, version, when)
        (root / "DEBIAN").mkdir(mode=0o755)
        (root / "DEBIAN" / "control").write_text(control(root, version), encoding="utf-8")
        (root / "DEBIAN" / "control").chmod(0o644)
        out = package_path(dist, version)
        dist.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(when))
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", f"--threads-max={os.cpu_count() or 1}", "--build", str(root), str(out)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    return out
