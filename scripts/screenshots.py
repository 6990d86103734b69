#!/usr/bin/env python3
"""Regenerate the README screenshots: the real window, offscreen, after a login on the sandbox.

    python scripts/screenshots.py [OUT_DIR] [--all | --matrix]

Writes docs/screenshots/qr_login_en.png and qr_login_zh_CN.png (with --all: every page; with
--matrix: every page in both languages, light and dark, at 1024x640, 1440x900 and 1920x1080, named
<page>_<language>_<theme>_<w>x<h>.png, as the test suite writes them to test-output/screenshots/).
Run it where a Secret Service is available (scripts/screenshots.sh makes a throw-away one); the
token goes to a throw-away keyring service that is emptied afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--all", action="store_true", help="every page, not only QR Login")
    parser.add_argument("--matrix", action="store_true", help="every page, language, theme and size")
    args = parser.parse_args()

    import uuid

    from qrlogin_desktop.storage.keystore import TokenStore
    from qrlogin_desktop.storage.profiles import ProfileStore
    from qrlogin_desktop.ui.app import create_app
    from qrlogin_desktop.ui.context import AppContext
    from qrlogin_desktop.ui.main_window import MainWindow
    from qrlogin_desktop.ui.screenshots import capture, capture_matrix, prepare

    create_app([])
    with tempfile.TemporaryDirectory() as config:
        profiles = ProfileStore(Path(config) / "profiles.json").load()
        store = TokenStore(service=f"qrlogin-screenshots-{uuid.uuid4().hex}")
        ctx = AppContext(profiles, token_store=store)
        window = MainWindow(ctx)
        window.resize(1440, 900)
        window.show()
        ctx.activate(profiles.active)
        prepare(window)
        if args.matrix:
            written = list(capture_matrix(window, Path(args.out_dir)).values())
        else:
            written = capture(window, Path(args.out_dir), pages=None if args.all else ["qr_login"])
        for token in store.list():
            store.delete(token.key)
        ctx.shutdown()
    for path in written:
        print(path)
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown at interpreter exit


if __name__ == "__main__":
    sys.exit(main())
