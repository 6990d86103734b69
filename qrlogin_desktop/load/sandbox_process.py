"""``qrlogin-desktop load --sandbox``: the shipped sandbox in a process of its own, as the load's target.

The load then never shares a process, and so a GIL, with the load generator or the app's window.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Sequence

from .run import child_environment_without_token, interrupt, reap


class SandboxProcess:
    """``qrlogin-desktop sandbox --port 0``; :attr:`url`, :attr:`app_key` and :attr:`token` once it listens."""

    LISTENING = re.compile(r"^Sandbox listening on (http://127\.0\.0\.1:\d+) \(appKey=(\S+), token=(\S+)\)$")
    START_WITHIN = 30.0  # s

    def __init__(self, extra_args: Sequence[str] = ()):
        # No --token: it makes a random one and prints it on its first line, so no credential is on a command line.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qrlogin_desktop", "sandbox", "--port", "0", *extra_args],
            env=child_environment_without_token(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, start_new_session=os.name == "posix")
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_drain, args=(self.process.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=self.START_WITHIN)
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"the sandbox did not start within {self.START_WITHIN:g} s") from None
        found = self.LISTENING.match(first.strip())
        if not found:
            self.stop()
            raise RuntimeError("the sandbox did not start (its first line was not the listening line)")
        self.url, self.app_key, self.token = found.groups()

    def stop(self) -> None:
        interrupt(self.process)
        reap(self.process)


def _drain(stream, first_line: queue.Queue[str]) -> None:
    """The first line to the queue; the rest read and dropped, so a full pipe never stalls the server."""
    for number, line in enumerate(stream):
        if number == 0:
            first_line.put(line)
