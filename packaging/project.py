"""What the packaging recipes need to know about the project: where things are, its name and version.

Imported by build.py and by the PyInstaller spec. The paths are the only place the recipes name the
source layout: a restructure of the package moves these lines, not the recipes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
PACKAGE = ROOT / "qrlogin_desktop"  # the Python package
VERSION_FILE = PACKAGE / "__init__.py"  # holds __version__, the one place the version is written
TRANSLATIONS = PACKAGE / "resources" / "translations"  # compiled .qm catalogues (the .ts sources stay out)
PACKAGE_ICONS = PACKAGE / "resources" / "icons"  # qrlogin-desktop-<size>.png, loaded by the running app
ASSETS = ROOT / "resources"  # non-code assets: icon sources, .ico/.icns, .desktop, AppStream metainfo
ICON_SVG = ASSETS / "icons" / "qrlogin-desktop.svg"
ICON_ICO = ASSETS / "icons" / "qrlogin-desktop.ico"
ICON_ICNS = ASSETS / "icons" / "qrlogin-desktop.icns"
DESKTOP_FILE = ASSETS / "linux" / "qrlogin-desktop.desktop"
METAINFO_FILE = ASSETS / "linux" / "io.github.qrlogin_desktop.metainfo.xml"
DIST = ROOT / "dist"  # what the build produces (git-ignored)
BUILD = ROOT / "build"  # PyInstaller's work directory (git-ignored)

NAME = "qrlogin-desktop"  # the executable, the .deb, the install folder, the icon name
DISPLAY_NAME = "qrlogin-desktop"
SUMMARY = "Desktop console for QR-code login against the 服务商-微信 provider API"
BUNDLE_ID = "io.github.qrlogin-desktop"  # macOS CFBundleIdentifier (reverse DNS)
PUBLISHER = "qrlogin-desktop contributors"
HOMEPAGE = "https://github.com/qrlogin-desktop/qrlogin-desktop"
LICENCE = "MIT"


def version() -> str:
    """``__version__`` from the package source, read without importing the package (no Qt needed)."""
    tree = ast.parse(VERSION_FILE.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{VERSION_FILE}: no __version__ = '...'")


def numeric_version(text: str | None = None) -> str:
    """A dotted four-number version, as Windows' VIProductVersion and macOS' CFBundleVersion want."""
    numbers = [str(int(re.match(r"\d*", part).group() or 0)) for part in (text or version()).split(".")]
    return ".".join((numbers + ["0"] * 4)[:4])  # "0.10.0rc1" -> "0.10.0.0": leading digits of each part


def windows_version_file() -> str:
    """The version resource of the Windows executables (Explorer's Properties → Details), written to BUILD."""
    numbers = tuple(int(n) for n in numeric_version().split("."))
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', {PUBLISHER!r}),
      StringStruct('FileDescription', {DISPLAY_NAME!r}),
      StringStruct('FileVersion', {version()!r}),
      StringStruct('InternalName', {NAME!r}),
      StringStruct('LegalCopyright', {f"{PUBLISHER}, {LICENCE} licence"!r}),
      StringStruct('OriginalFilename', {NAME + '.exe'!r}),
      StringStruct('ProductName', {DISPLAY_NAME!r}),
      StringStruct('ProductVersion', {version()!r})])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / "windows_version_info.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)
