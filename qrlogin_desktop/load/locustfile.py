"""The locustfile an operator runs: ``locust -f "$(qrlogin-desktop load --locustfile)" --host URL --app-key K``.

Locust loads it by path, so its imports are absolute. It also flushes Locust's CSV files every
second (Locust's default is every 10 s), so the app's Load page draws its charts live.
"""

from locust import events, stats

from qrlogin_desktop.load.options import add_arguments
from qrlogin_desktop.load.users import QrFlowUser

__all__ = ["QrFlowUser"]

stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1
events.init_command_line_parser.add_listener(add_arguments)
