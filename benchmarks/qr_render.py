#!/usr/bin/env python
"""How long rendering one sign-in QR takes, against plain ``qrcode.make`` + Pillow PNG as baseline.

Payload: the default template (``qrlogin://signin?appKey={appKey}&signInKey={signInKey}``) with
appKey ``demo`` and a random signed int64 key, a new key per iteration (same keys for every
variant). Variants, timed with ``time.perf_counter`` one call at a time, round-robin per payload
(so drift hits all of them alike), after ``--warmup`` untimed rounds:

  baseline   qrcode.make(payload) saved as PNG by Pillow (qrcode's defaults: ECC M, box 10, border 4)
  to_png     qrlogin_desktop.flow.qr.to_png(payload)     (ECC M, 8 px per module, 1-bit, optimize=True)
  to_svg     qrlogin_desktop.flow.qr.to_svg(payload)
  to_qimage  qrlogin_desktop.ui.qr_image.to_qimage(payload)  (offscreen Qt, Grayscale8)
  qr_matrix  qrlogin_desktop.flow.qr.qr_matrix(payload)  (encoding only: the part every variant shares)

Prints median and p95 (ms) of ``-n`` (500) calls each and the ratio to the baseline's median/p95.
No asserts, always exits 0.

    python benchmarks/qr_render.py [-n 500] [--seed 1]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PIL
import qrcode

from qrlogin_desktop.flow.qr import (
    DEFAULT_PAYLOAD_TEMPLATE,
    _cached_matrix,
    qr_matrix,
    render_payload,
    to_png,
    to_svg,
)
from qrlogin_desktop.ui.qr_image import to_qimage


def baseline_png(payload: str) -> bytes:
    buf = io.BytesIO()
    qrcode.make(payload).save(buf, format="PNG")
    return buf.getvalue()


def qimage(payload: str) -> object:
    image = to_qimage(payload)
    if image.isNull():
        raise RuntimeError("to_qimage returned a null QImage")
    return image


VARIANTS: list[tuple[str, Callable[[str], object]]] = [
    ("baseline qrcode.make+PNG", baseline_png),
    ("qr.to_png", to_png),
    ("qr.to_svg", to_svg),
    ("qr.to_qimage (offscreen)", qimage),
    ("qr.qr_matrix (encode only)", qr_matrix),
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def payloads(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [render_payload(DEFAULT_PAYLOAD_TEMPLATE, sign_in_key=rng.randint(-(2**63), 2**63 - 1), app_key="demo")
            for _ in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=500, help="timed calls per variant (500)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random signInKeys (1)")
    args = parser.parse_args(argv)

    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - keep Qt alive for the run

    for payload in payloads(args.warmup, args.seed + 1):
        for _, fn in VARIANTS:
            fn(payload)

    samples: dict[str, list[float]] = {name: [] for name, _ in VARIANTS}
    sizes: dict[str, list[int]] = {name: [] for name, _ in VARIANTS}
    clock = time.perf_counter
    work = payloads(args.n, args.seed)
    for payload in work:
        for name, fn in VARIANTS:
            # Cold every time: qr.py caches the matrix per payload (the GUI re-renders one QR on
            # every resize), which would otherwise make all but the first variant look free.
            _cached_matrix.cache_clear()
            started = clock()
            out = fn(payload)
            samples[name].append((clock() - started) * 1000)
            if isinstance(out, (bytes, str)):
                sizes[name].append(len(out))

    lengths = sorted({len(p) for p in work})
    print(f"python {platform.python_version()}, qrcode {importlib.metadata.version('qrcode')}, "
          f"Pillow {PIL.__version__}, PySide6 {pyside_version} (QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']})")
    print(f"payload: {DEFAULT_PAYLOAD_TEMPLATE} with appKey=demo and a random int64 signInKey, "
          f"{lengths[0]}-{lengths[-1]} chars, e.g. {work[0]}")
    print(f"N={args.n} per variant, time.perf_counter, round-robin, {args.warmup} warm-up rounds\n")

    base = samples[VARIANTS[0][0]]
    base_med, base_p95 = statistics.median(base), percentile(base, 95)
    header = f"{'variant':<28} {'median ms':>9} {'p95 ms':>8} {'x base (med)':>12} {'x base (p95)':>12}  output"
    print(header)
    print("-" * len(header))
    for name, _ in VARIANTS:
        values = samples[name]
        med, p95 = statistics.median(values), percentile(values, 95)
        size = f"{statistics.fmean(sizes[name]):.0f} B/chars avg" if sizes[name] else ""
        print(f"{name:<28} {med:9.3f} {p95:8.3f} {med / base_med:12.2f} {p95 / base_p95:12.2f}  {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
