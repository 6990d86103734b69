"""Headless Chromium driven by Selenium, for the tests that open a page in a real browser.

``require_browser()`` skips the calling test module (with the reason) without Debian's ``chromium`` and
``chromium-driver`` or the ``selenium`` package, unless QRLOGIN_REQUIRE_BROWSER=1 (CI), which turns the skip
into a failure. Selenium is given /usr/bin/chromedriver so Selenium Manager never tries to download a driver;
the network is loopback only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install 'qrlogin-desktop[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.exists(path) and shutil.which(path)):
            return f"{path} not found (apt-get install {package})"
    return None


def require_browser() -> None:
    """Call at module level, before importing selenium."""
    why = _missing()
    if why is not None:
        if os.environ.get("QRLOGIN_REQUIRE_BROWSER") == "1":
            raise RuntimeError(f"QRLOGIN_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why, allow_module_level=True)


@contextmanager
def chromium(profile_dir: Path, page_load_timeout: float, *, extra_flags: tuple[str, ...] = (),
             prefs: Mapping[str, object] | None = None) -> Iterator:
    """A headless Chromium with a throw-away profile, quit on the way out."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    if prefs is not None:
        options.add_experimental_option("prefs", dict(prefs))
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(page_load_timeout)
    try:
        yield driver
    finally:
        driver.quit()
