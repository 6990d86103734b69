"""qrlogin_desktop.storage.atomic_file: the old file or the new one, never half of one, never readable by others."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from qrlogin_desktop.storage.atomic_file import write_json_atomically


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_json_as_utf8_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "profiles.json"
    write_json_atomically(target, {"name": "沙盒", "n": [1, 2]})
    text = target.read_text(encoding="utf-8")
    assert json.loads(text) == {"name": "沙盒", "n": [1, 2]}
    assert "沙盒" in text  # written as UTF-8, not \\u escapes
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_the_file_is_private_even_when_it_replaces_a_readable_one(tmp_path: Path) -> None:
    target = tmp_path / "tokens.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o644)
    write_json_atomically(target, {"token": "x"})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8")) == {"token": "x"}


def test_a_failed_write_keeps_the_old_file_whole_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "profiles.json"
    write_json_atomically(target, {"version": 1})
    before = target.read_bytes()
    with pytest.raises(TypeError):
        write_json_atomically(target, {"version": 2, "bad": object()})  # fails halfway through the dump
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_parents_are_made_unless_the_place_was_picked(tmp_path: Path) -> None:
    made = tmp_path / "config" / "deeper" / "profiles.json"
    write_json_atomically(made, [])
    assert json.loads(made.read_text(encoding="utf-8")) == []

    picked = tmp_path / "missing" / "export.har"
    with pytest.raises(FileNotFoundError):
        write_json_atomically(picked, {}, make_parents=False)
    assert not picked.parent.exists()
