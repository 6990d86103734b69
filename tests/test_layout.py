"""The package's layout shows its architecture: one subpackage per layer, imports that only go one way.

Checked on the source (every ``import``, at module level or inside a function), so a lazy import
cannot slip a layer's dependency past the test.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qrlogin_desktop"
LAYERS = ("api", "flow", "storage", "sandbox", "conformance", "load", "cli", "ui")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def modules_of(layer: str) -> list[Path]:
    modules = sorted((PACKAGE / layer).rglob("*.py"))
    assert modules, f"no modules in {layer}/"
    return modules


def test_the_package_root_holds_only_its_entry_files_and_one_folder_per_layer():
    files = sorted(p.name for p in PACKAGE.iterdir() if p.is_file())
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert files == ["__init__.py", "__main__.py"]
    assert folders == sorted([*LAYERS, "resources"])
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file(), f"{layer}/ is not a package"


@pytest.mark.parametrize("layer", ["api", "flow", "storage", "sandbox", "conformance", "load"])
def test_lower_layers_import_neither_front_end_nor_qt(layer):
    offending = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules_of(layer)
        for name in imported_modules(path)
        if name.split(".")[0] == "PySide6" or name.startswith(("qrlogin_desktop.cli", "qrlogin_desktop.ui"))
    }
    assert not offending


def test_the_protocol_layer_imports_no_other_layer():
    offending = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules_of("api")
        for name in imported_modules(path)
        if name.startswith("qrlogin_desktop.")
        and not name.startswith(("qrlogin_desktop.api", "qrlogin_desktop.__", "qrlogin_desktop.APP_NAME"))
    }
    assert not offending


def test_the_qr_module_never_names_qt():
    """Not even lazily or for type checking: the QImage half lives in ui/qr_image.py."""
    source = (PACKAGE / "flow" / "qr.py").read_text(encoding="utf-8")
    assert "PySide6" not in source and "QImage" not in source


def test_the_gui_does_not_import_the_command_line():
    offending = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules_of("ui")
        for name in imported_modules(path)
        if name.startswith("qrlogin_desktop.cli")
    }
    assert not offending


def test_parsing_the_command_line_loads_no_qt_and_no_command():
    code = ("import sys; from qrlogin_desktop.cli import build_parser; build_parser().parse_args(['tokens', 'list']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6' or m.startswith('qrlogin_desktop.cli.')))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_main_module_runs_as_a_script_path():
    """``python qrlogin_desktop/__main__.py`` works: it imports absolutely, not relative to a package."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(PACKAGE / "__main__.py"), "--version"], capture_output=True,
                          text=True, env=env, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("qrlogin-desktop ")


def test_translation_sources_stay_out_of_the_package_and_the_wheel():
    sources = sorted((ROOT / "resources" / "translations").glob("*.ts"))
    assert sources, "no .ts sources in resources/translations"
    assert not list(PACKAGE.rglob("*.ts")), ".ts sources inside the package"
    for ts in sources:
        assert (PACKAGE / "resources" / "translations" / ts.with_suffix(".qm").name).is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["qrlogin_desktop"]
    shipped = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*") if p.is_file() and p.suffix != ".py"]
    matched = {name for name in shipped if any(fnmatch.fnmatch(name, glob) for glob in package_data)}
    assert not any(glob.endswith(".ts") for glob in package_data)
    assert "resources/translations/qrlogin_zh_CN.qm" in matched


def test_python_floor_agrees_with_the_code():
    """asyncio.Runner (sandbox/server.py, benchmarks) is Python 3.11."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert pyproject["tool"]["ruff"]["target-version"] == "py311"
    assert "qrcode>=7.4.2" in pyproject["project"]["dependencies"]


def test_the_command_line_starts_without_the_server_stack():
    """Every start (the desktop app's too) parses the arguments; the sandbox flags' defaults must not
    pull in Starlette, uvicorn or cryptography before a sandbox really runs."""
    probe = ("import sys; from qrlogin_desktop.cli import build_parser; build_parser().parse_args([]); "
             "print(sorted(m for m in ('starlette', 'uvicorn', 'cryptography') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
