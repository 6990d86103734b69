"""The installer recipes (packaging/): one version everywhere, the recipes' inputs exist and parse, and -
when packaging/check.sh (or build.py) has built them - the bundle and the .deb are what they claim.

Tests of built artefacts skip with the reason when dist/ has none; packaging/check.sh builds them.
"""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from qrlogin_desktop import __version__

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import project  # noqa: E402 - packaging/project.py
from linux import deb  # noqa: E402 - packaging/linux/deb.py

SPEC = ROOT / "packaging" / "qrlogin-desktop.spec"
NSIS = ROOT / "packaging" / "windows" / "installer.nsi"
BUNDLE = project.DIST / project.NAME
BUNDLE_EXE = BUNDLE / project.NAME
MAKENSIS = shutil.which("makensis")
SIZE_LIMIT_MB = 150


def _absent(reason: str) -> None:
    """Skip, unless packaging/check.sh (QRLOGIN_REQUIRE_BUNDLE=1) has just built the artefacts."""
    if os.environ.get("QRLOGIN_REQUIRE_BUNDLE") == "1":
        pytest.fail(f"QRLOGIN_REQUIRE_BUNDLE=1 but {reason}")
    pytest.skip(reason)


def _built_deb() -> Path:
    if shutil.which("dpkg-deb") is None:
        _absent("dpkg-deb is not installed")
    path = deb.package_path(project.DIST)
    if not path.is_file():
        _absent(f"no {path.name} in dist/: packaging/check.sh (or python packaging/build.py linux) builds it")
    return path


def _built_bundle() -> Path:
    if not BUNDLE_EXE.is_file():
        _absent(f"no bundle at {BUNDLE}: packaging/check.sh (or python packaging/build.py linux) builds it")
    return BUNDLE


# --- one version --------------------------------------------------------------------------------------


def test_the_version_is_written_once_and_read_by_every_recipe():
    assert project.version() == __version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]', pyproject, re.M)
    assert 'version = { attr = "qrlogin_desktop.__version__" }' in pyproject
    assert not re.search(r'^version = "', pyproject, re.M), "a second, literal version in pyproject.toml"


def test_installed_metadata_agrees_with_the_package():
    try:
        installed = importlib.metadata.version("qrlogin-desktop")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("qrlogin-desktop is not installed in this environment")
    assert installed == __version__


def test_numeric_version_for_windows_and_macos():
    assert project.numeric_version("1.2.3") == "1.2.3.0"
    assert project.numeric_version("0.10.0rc1") == "0.10.0.0"
    assert project.numeric_version("2.0.0.7.1") == "2.0.0.7"


def test_windows_version_resource_names_the_version():
    text = Path(project.windows_version_file()).read_text(encoding="utf-8")
    numbers = tuple(int(n) for n in project.numeric_version().split("."))
    assert f"filevers={numbers}" in text
    assert f"StringStruct('ProductVersion', '{__version__}')" in text


# --- the recipes' inputs ---------------------------------------------------------------------------------


def test_the_spec_parses_and_every_path_it_reads_exists():
    ast.parse(SPEC.read_text(encoding="utf-8"))
    assert list(project.TRANSLATIONS.glob("*.qm")), "no compiled translations to bundle"
    for path in (project.ICON_SVG, project.ICON_ICO, project.ICON_ICNS, project.DESKTOP_FILE,
                 project.METAINFO_FILE, project.VERSION_FILE):
        assert path.is_file(), path


def _spec_list(name: str) -> list[str]:
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {SPEC.name}")


# The Load page's charts: the optional 'load' extra (PySide6-Addons, Locust), which the bundle leaves out;
# there the page says what to install (tests/ui/test_load_panel.py).
OPTIONAL_QT = {"QtCharts": ("qrlogin_desktop/ui/widgets/load_charts.py", "qrlogin_desktop/ui/panels/load.py")}


def test_the_qt_modules_left_out_of_the_bundle_are_not_used_by_the_app():
    excluded = set(_spec_list("EXCLUDED_QT"))
    used = set()
    for source in project.PACKAGE.rglob("*.py"):
        found = set(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
        optional = {m for m, where in OPTIONAL_QT.items() if source.relative_to(ROOT).as_posix() in where}
        used.update(found - optional)
    assert used, "found no Qt imports at all"
    assert not used & excluded, f"the app imports Qt modules the spec leaves out: {sorted(used & excluded)}"


def test_raster_icons_have_the_sizes_they_claim():
    sys.path.insert(0, str(ROOT / "resources"))
    import make_icons

    for size in make_icons.PNG_SIZES:
        with Image.open(make_icons.png_path(size)) as png:
            assert png.size == (size, size)
    with Image.open(project.ICON_ICO) as ico:
        assert set(ico.info["sizes"]) == {(s, s) for s in make_icons.ICO_SIZES}
    with Image.open(project.ICON_ICNS) as icns:
        assert icns.format == "ICNS" and icns.size[0] >= 512


def test_desktop_entry_and_appstream_metadata():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(project.DESKTOP_FILE, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == project.NAME and desktop["Icon"] == project.NAME
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(project.DESKTOP_FILE)], check=True)
    component = ET.parse(project.METAINFO_FILE).getroot()
    assert component.findtext("launchable") == project.DESKTOP_FILE.name
    assert component.findtext("project_license") == "MIT"


def test_deb_changelog_is_debian_formatted():
    text = deb.changelog("1.2.3", 0)
    assert text.startswith(f"{project.NAME} (1.2.3) unstable; urgency=medium\n")
    assert re.search(r"\n -- .+ <[^@\s]+@[^>\s]+>  Thu, 01 Jan 1970 00:00:00 \+0000\n$", text)


@pytest.mark.skipif(MAKENSIS is None, reason="makensis is not installed (apt-get install nsis)")
def test_nsis_script_compiles_against_a_stand_in_payload():
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "windows", "--stand-in"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    setup = project.BUILD / "stand-in" / f"{project.NAME}-{__version__}-setup.exe"
    assert setup.is_file() and setup.read_bytes()[:2] == b"MZ"


@pytest.mark.skipif(MAKENSIS is None, reason="makensis is not installed (apt-get install nsis)")
def test_nsis_script_refuses_to_compile_without_the_version(tmp_path):
    done = subprocess.run([MAKENSIS, "-V1", f"-DOUTFILE={tmp_path / 'x.exe'}", str(NSIS)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "define APP_NAME with -DAPP_NAME=" in done.stdout + done.stderr


# --- built artefacts (packaging/check.sh) ------------------------------------------------------------------


def _size_mb(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*")) / 1e6


def test_bundle_is_small_and_carries_translations_and_icons_not_sources():
    bundle = _built_bundle()
    assert _size_mb(bundle) < SIZE_LIMIT_MB
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()]
    assert any(f.endswith("qrlogin_desktop/resources/translations/qrlogin_zh_CN.qm") for f in files)
    assert any(f.endswith("qrlogin_desktop/resources/icons/qrlogin-desktop-256.png") for f in files)
    assert not [f for f in files if f.endswith(".ts")]
    assert not [f for f in files if re.search(r"Qt6(WebEngine|Qml|Quick|Multimedia|3D)", f)]


def test_bundle_self_test_passes_offscreen_with_the_keyring():
    bundle = _built_bundle()
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
    done = subprocess.run([str(bundle / project.NAME), "--self-test", "--require-keyring"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test PASSED" in done.stdout and "the keyring (SecretService" in done.stdout


def test_deb_metadata_and_layout():
    package = _built_deb()
    fields = {name: subprocess.run(["dpkg-deb", "-f", str(package), name], capture_output=True, text=True,
                                   check=True).stdout.strip() for name in ("Package", "Version", "Depends",
                                                                            "Recommends")}
    assert fields["Package"] == project.NAME and fields["Version"] == __version__
    depends = {dep.split()[0] for dep in fields["Depends"].split(", ")}
    # What Qt's xcb platform plugin and fonts need at run time, found by dpkg-shlibdeps.
    assert {"libc6", "libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0", "libfontconfig1",
            "libdbus-1-3", "libegl1"} <= depends
    assert fields["Recommends"] == "gnome-keyring | kwalletmanager"
    listing = subprocess.run(["dpkg-deb", "-c", str(package)], capture_output=True, text=True, check=True).stdout
    assert f"./usr/bin/{project.NAME} -> ../lib/{project.NAME}/{project.NAME}" in listing
    for path in (f"./usr/lib/{project.NAME}/{project.NAME}", f"./usr/share/applications/{project.NAME}.desktop",
                 f"./usr/share/icons/hicolor/256x256/apps/{project.NAME}.png",
                 f"./usr/share/icons/hicolor/scalable/apps/{project.NAME}.svg",
                 f"./usr/share/doc/{project.NAME}/copyright", f"./usr/share/doc/{project.NAME}/changelog.gz"):
        assert path in listing
    assert "root/root" in listing and "/root/" not in listing.replace("root/root", "")


def test_startup_probe_reports_shown_then_ready(tmp_path):
    """benchmarks/gui_startup.py times `... gui --startup-probe` for the package and the bundle alike."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QRLOGIN_CONFIG_DIR=str(tmp_path / "config"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "qrlogin_desktop", "gui", "--startup-probe"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["shown", "ready"]
