"""The locustfile an operator runs: ``locust -f "$(qrlogin-desktop load --locustfile)" --host URL --app-key K``.

Locust loads it by path, so its imports are absolute. Two changes to how Locust writes its CSV
files (``--csv``): they are flushed every second (Locust's default is every 10 s), so the app's
Load page draws its charts live; and the totals (``_stats.csv``, ``_failures.csv``) are written
once more as Locust quits, since its own writer only writes them each second while it runs, and a
run's last second would be missing from them.
"""

import csv

from locust import events, stats

from qrlogin_desktop.load.options import add_arguments
from qrlogin_desktop.load.users import QrFlowUser

__all__ = ["QrFlowUser"]

stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1
events.init_command_line_parser.add_listener(add_arguments)


@events.quitting.add_listener
def write_final_totals(environment, **_kwargs) -> None:
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix:
        return  # no --csv (a worker never has one: its master writes the files)
    totals = stats.StatsCSV(environment, stats.PERCENTILES_TO_REPORT)
    for suffix, write in (("_stats.csv", totals.requests_csv), ("_failures.csv", totals.failures_csv)):
        with open(f"{prefix}{suffix}", "w", newline="", encoding="utf-8") as f:
            write(csv.writer(f))
