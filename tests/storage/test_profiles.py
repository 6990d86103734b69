"""profiles.json: a damaged file never stops the app; a copy is kept; what is valid is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qrlogin_desktop import cli
from qrlogin_desktop.storage.profiles import SANDBOX_PROFILE_ID, Profile, ProfileStore

GOOD = {"name": "Staging", "base_url": "https://staging.example.com", "app_key": "staging-app", "id": "stag1"}


def _write(path: Path, content: object) -> bytes:
    raw = content if isinstance(content, bytes) else json.dumps(content).encode()
    path.write_bytes(raw)
    return raw


def _copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "profiles.json"


def test_a_good_file_loads_without_warnings_or_copies(path: Path):
    _write(path, {"version": 1, "active": "stag1", "profiles": [GOOD], "settings": {"language": "zh_CN"}})
    store = ProfileStore(path).load()
    assert store.load_warnings == []
    assert _copies(path) == []
    assert [p.id for p in store.profiles] == [SANDBOX_PROFILE_ID, "stag1"]
    assert store.active_id == "stag1" and store.settings == {"language": "zh_CN"}


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe garbage", b"[1, 2]", b'"a string"'])
def test_a_file_that_is_not_a_json_object_is_kept_aside(path: Path, raw: bytes):
    _write(path, raw)
    store = ProfileStore(path).load()
    [copy] = _copies(path)
    assert copy.read_bytes() == raw  # the user's bytes, exactly
    assert path.read_bytes() == raw  # load() itself writes nothing
    assert [p.id for p in store.profiles] == [SANDBOX_PROFILE_ID] and store.active_id == SANDBOX_PROFILE_ID
    assert str(copy) in store.load_warnings[0]
    assert "the whole file" in store.load_warnings[1]


def test_wrong_types_fall_back_to_defaults_with_the_reason(path: Path):
    raw = _write(path, {"profiles": [{**GOOD, "timeout": "10", "verify_tls": "yes", "auto_refresh": 1.5,
                                      "code_table": {"401": 3}, "session_ttl": 30}]})
    store = ProfileStore(path).load()
    profile = store.get("stag1")
    assert profile is not None
    assert (profile.timeout, profile.verify_tls, profile.auto_refresh, profile.code_table) == (10.0, True, 2, {})
    assert profile.session_ttl == 30  # the valid field is kept
    text = "\n".join(store.load_warnings)
    assert 'profile "Staging": timeout: must be a number, got "10"' in text
    assert "verify_tls: must be true or false" in text and "auto_refresh: must be a whole number" in text
    assert "code_table: must be an object of strings" in text
    assert _copies(path)[0].read_bytes() == raw
    profile.validate()  # the kept profile is usable (today: TypeError comparing "10" <= 0)


def test_invalid_profiles_are_dropped_and_valid_ones_kept(path: Path):
    _write(path, {"active": 7, "settings": [], "profiles": [
        GOOD,
        {"name": "No URL", "app_key": "k"},
        {"name": "FTP", "base_url": "ftp://x", "app_key": "k"},
        "not an object",
        {**GOOD, "name": "Same id"},
        {**GOOD, "id": "other", "name": "Intervals", "poll_min_interval": 5, "poll_idle_interval": 1},
        {**GOOD, "id": "tok", "name": "Pasted", "bearer_token": "abc-secret-value"},
    ]})
    store = ProfileStore(path).load()
    assert [p.name for p in store.profiles] == ["Sandbox / 沙盒", "Staging", "Intervals", "Pasted"]
    text = "\n".join(store.load_warnings)
    for expected in ('profile "No URL" dropped: base_url: missing',
                     'profile "FTP" dropped: base_url: an http:// or https:// URL',
                     "a profile must be an object, got str",
                     'profile "Same id" dropped: its id stag1 is used twice',
                     'profile "Intervals": poll_idle_interval: must not be below poll_min_interval',
                     'profile "Pasted": bearer_token: looks like a secret and was dropped',
                     "active: must be a profile id", "settings: must be an object"):
        assert expected in text, text
    assert "abc-secret-value" not in text
    intervals = store.get("other")
    assert intervals is not None and intervals.poll_min_interval <= intervals.poll_idle_interval
    assert store.active_id == SANDBOX_PROFILE_ID and store.settings == {}


def test_a_broken_sandbox_entry_still_leaves_a_sandbox_profile(path: Path):
    _write(path, {"profiles": [{"id": SANDBOX_PROFILE_ID, "embedded_sandbox": True, "name": 5}, GOOD]})
    store = ProfileStore(path).load()
    assert sum(p.embedded_sandbox for p in store.profiles) == 1
    assert store.get("stag1") is not None


def test_copies_never_overwrite_each_other_and_saving_keeps_them(path: Path):
    first = _write(path, b"{broken one")
    ProfileStore(path).load()
    second = _write(path, b"{broken two")
    store = ProfileStore(path).load()
    assert sorted(c.read_bytes() for c in _copies(path)) == sorted([first, second])
    store.save()
    assert json.loads(path.read_text(encoding="utf-8"))["profiles"][0]["id"] == SANDBOX_PROFILE_ID
    assert len(_copies(path)) == 2
    assert ProfileStore(path).load().load_warnings == []  # the saved file is clean again


def test_import_stays_strict_and_names_the_field(path: Path, tmp_path: Path):
    exported = tmp_path / "export.json"
    _write(exported, {"profiles": [{**GOOD, "timeout": "10"}]})
    store = ProfileStore(path).load()
    with pytest.raises(ValueError, match=r"timeout: must be a number"):
        store.import_file(exported)
    with pytest.raises(ValueError, match="looks like a secret"):
        Profile.from_json({**GOOD, "api_token": "x"})


def test_the_sample_profiles_import_clean_and_hold_no_secret(path: Path):
    """resources/samples/profiles.json: what Settings -> Import reads, for a first look at a real server."""
    sample = Path(__file__).resolve().parents[2] / "resources" / "samples" / "profiles.json"
    store = ProfileStore(path).load()
    imported = store.import_file(sample)
    assert [p.name for p in imported] == ["Staging", "Local server"]
    assert all(p.violations() == [] for p in imported)
    assert store.get(SANDBOX_PROFILE_ID) is not None  # the built-in sandbox stays
    assert imported[1].plain_http_warning is None  # plain http, but to this machine
    assert "secret" not in sample.read_text(encoding="utf-8").lower()


def test_the_cli_prints_the_warning_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("QRLOGIN_CONFIG_DIR", str(tmp_path))
    _write(tmp_path / "profiles.json", {"profiles": [{**GOOD, "timeout": "10"}]})
    assert cli.main(["login", "--profile", "nobody"]) == 2  # no network: the profile does not exist
    err = capsys.readouterr().err
    assert "warning: " in err and ".corrupt-" in err
    assert 'profile "Staging": timeout: must be a number' in err
    assert "error: no profile named 'nobody'" in err


def test_a_profile_raises_the_answer_caps_its_client_enforces(path: Path):
    from qrlogin_desktop.flow.session import MIB, connect

    _write(path, {"version": 1, "profiles": [dict(GOOD, max_answer_mib=64, max_image_mib=32)]})
    profile = ProfileStore(path).load().find("stag1")
    client = connect(profile, "credential").client()
    assert (client.max_answer_bytes, client.max_image_bytes) == (64 * MIB, 32 * MIB)


@pytest.mark.parametrize("mib", [0, 1025])
def test_an_answer_cap_stays_bounded(mib: int):
    problems = Profile("S", "https://s.example.com", "k", max_answer_mib=mib).violations()
    assert [v.field for v in problems] == ["max_answer_mib"]
    assert "between 1 and 1024 MiB" in problems[0].message()
