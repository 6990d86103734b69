"""The load users' own command-line options, added to Locust's parser (``locust -f locustfile.py --help``).

Locust's master hands these to its workers with each spawn message, so a worker started with only
``--worker --master-host H`` runs with the master's values. The bearer credential is not one of
them: options travel to every worker and show in Locust's web UI, so each process reads it from
its own environment (:data:`TOKEN_ENV`).
"""

from __future__ import annotations

TOKEN_ENV = "QRLOGIN_TOKEN"  # the same variable `qrlogin-desktop login` reads
APP_KEY_ENV = "QRLOGIN_APP_KEY"
DEFAULT_CALL_TIMEOUT = 10.0  # s, the overall deadline of one exchange (the API client's default)
DEFAULT_THINK_TIME = 2.0  # s, the polling flow's phone scans after 0.5x..1.5x this
DEFAULT_SESSION_TTL = 120.0  # s, how long a polling desktop waits at most (the sandbox's QR lifetime)


def add_arguments(parser) -> None:
    group = parser.add_argument_group("qrlogin-desktop QR flows")
    group.add_argument("--app-key", env_var=APP_KEY_ENV, default="", help="the appKey of the server under load")
    group.add_argument("--qr-call-timeout", type=float, default=DEFAULT_CALL_TIMEOUT,
                       help="overall deadline of one HTTP exchange, s (default 10)")
    group.add_argument("--qr-think-time", type=float, default=DEFAULT_THINK_TIME,
                       help="polling flow: the phone scans after about this many s (default 2)")
    group.add_argument("--qr-session-ttl", type=float, default=DEFAULT_SESSION_TTL,
                       help="polling flow: give up polling a QR after this many s (default 120)")
    group.add_argument("--qr-pause", type=float, default=0.0,
                       help="pause of each user between two flows, s (default 0: closed loop)")
    group.add_argument("--qr-codes", default="",
                       help='code table overrides as JSON, e.g. {"401": "expired"} (a profile\'s code_table)')
    group.add_argument("--qr-insecure", action="store_true", help="do not verify TLS certificates")
