#!/usr/bin/env python3
"""Translation workflow (Qt Linguist's): extract, check, compile.

    python scripts/i18n.py update    # pyside6-lupdate: new UI strings into the .ts sources
    python scripts/i18n.py check     # list strings that still lack a translation
    python scripts/i18n.py compile   # pyside6-lrelease: .ts -> .qm shipped in the package

The .ts files are the source of truth; translators edit them with Qt Linguist or any editor.
English is the source language: its catalogue holds the plural forms only (``-pluralonly``), so that
``tr("%n token(s)", "", n)`` reads "1 token" / "2 tokens".
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "qrlogin_desktop" / "ui"
SOURCES = ROOT / "resources" / "translations"  # the .ts sources: not shipped
TRANSLATIONS = ROOT / "qrlogin_desktop" / "resources" / "translations"  # the compiled .qm the app loads
LANGUAGES = ("zh_CN", "en")
PLURAL_ONLY = ("en",)  # the source language: only its numerus forms need a translation


def ts_path(language: str) -> Path:
    return SOURCES / f"qrlogin_{language}.ts"


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in UI.rglob("*.py"))


def lupdate_command(language: str, ts: Path) -> list[str]:
    """pyside6-lupdate extracting every tr() of the UI sources into ``ts`` (merged with what it holds)."""
    return ["pyside6-lupdate", *sources(), "-no-obsolete", "-locations", "none", "-target-language", language,
            *(["-pluralonly"] if language in PLURAL_ONLY else []), "-ts", str(ts)]


def update() -> None:
    for language in LANGUAGES:
        subprocess.run(lupdate_command(language, ts_path(language).relative_to(ROOT)), cwd=ROOT, check=True)


def unfinished(language: str) -> list[tuple[str, str]]:
    tree = ET.parse(ts_path(language))
    out = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            # A plural message (numerus="yes") keeps its text in <numerusform> children, one per form.
            forms = ([f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
                     if translation is not None else [""])
            if translation is None or translation.get("type") == "unfinished" or not all(f.strip() for f in forms):
                out.append((name, message.findtext("source", "")))
    return out


def compile_qm(out_dir: Path = TRANSLATIONS) -> list[Path]:
    made = []
    for language in LANGUAGES:
        qm = out_dir / f"qrlogin_{language}.qm"
        subprocess.run(["pyside6-lrelease", str(ts_path(language)), "-qm", str(qm)], check=True,
                       stdout=subprocess.DEVNULL)
        made.append(qm)
    return made


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_qm()
    elif command == "check":
        missing = [(lang, *m) for lang in LANGUAGES for m in unfinished(lang)]
        for lang, context, source in missing:
            print(f"{lang}\t{context}\t{source}")
        return 1 if missing else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
