"""Explicit consent: the desktop's Confirm-Login polls held while the phone decides (a bounded long poll).

While a session waits for the phone page's decision, a poll is not answered 202 at once but held up to
``hold`` seconds and answered the moment the phone confirms or declines - as WeChat's own web login holds
its status polls. So the desktop learns the decision within a round trip while polling about once per
hold, not once per poll interval (benchmarks/consent_latency.py). A poller cannot tell a held 202 from a
slow one; a client whose timeout is below the hold sees timeouts, so the hold is a sandbox option (0: off).

Bounded: at most ``limit`` polls are held at once (each is a suspended request); past it a poll is
answered at once, as without a hold. Lives on the server's event loop: the phone routes that decide
and the polls that wait run there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

DEFAULT_CONSENT_HOLD = 2.0  # s: well below the client's default 10 s timeout (benchmarks/consent_latency.py)
MAX_HELD_POLLS = 1000


class DecisionWaiters:
    def __init__(self, hold: float = DEFAULT_CONSENT_HOLD, limit: int = MAX_HELD_POLLS):
        if hold < 0 or limit < 0:
            raise ValueError("consent hold: hold >= 0 s and limit >= 0")
        self.hold = hold
        self.limit = limit
        self._events: dict[int, tuple[asyncio.Event, int]] = {}  # key -> (its decision, polls waiting on it)
        self.held = 0

    async def wait(self, key: int, receive) -> bool:
        """Wait until the phone decided on ``key`` or ``hold`` s passed (at once when full or off).

        False when the poller hung up meanwhile (ASGI ``http.disconnect`` on ``receive``): then nothing
        may be answered - a token handed to a closed connection would be lost for good.
        """
        if self.hold <= 0 or self.held >= self.limit:
            return True
        # Here, on the server's loop: the command line reads DEFAULT_CONSENT_HOLD from this module on
        # every start, the desktop app's too, which must not load asyncio (30+ ms) before its window.
        import asyncio

        event, waiting = self._events.get(key) or (asyncio.Event(), 0)
        self._events[key] = (event, waiting + 1)
        self.held += 1
        decision = asyncio.ensure_future(event.wait())
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            done, _ = await asyncio.wait({decision, gone}, timeout=self.hold, return_when=asyncio.FIRST_COMPLETED)
            return gone not in done
        finally:
            decision.cancel()
            gone.cancel()
            self.held -= 1
            current = self._events.get(key)
            if current is not None and current[0] is event:
                if current[1] <= 1:
                    del self._events[key]
                else:
                    self._events[key] = (event, current[1] - 1)

    def decided(self, key: int) -> None:
        """The phone confirmed or declined ``key``: answer its held polls now."""
        entry = self._events.pop(key, None)
        if entry is not None:
            entry[0].set()


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
