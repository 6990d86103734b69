"""Reading Locust's growing stats history (qrlogin_desktop/load/history.py): only complete rows, a
bounded amount per read, QR-flow rows turned into samples."""

from __future__ import annotations

from qrlogin_desktop.load import history
from qrlogin_desktop.load.history import HistoryReader

HEADER = ("Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
          "Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,"
          "Total Min Response Time,Total Max Response Time,Total Average Content Size\n")


def second(at: int, rps: float, total: int) -> str:
    flow = f"{at},3,QRFLOW,simulated-login,{rps:f},0.000000,4,5,5,6,7,9,10,11,12,12,12,{total},0,4,4.5,1,12,0\n"
    step = f"{at},3,POST,QR-Auth/Scan,{3 * rps:f},0.000000,1,1,1,1,2,2,3,3,3,3,3,{3 * total},0,1,1.0,0,3,120\n"
    return flow + step + f"{at},3,,Aggregated,{4 * rps:f},0.000000,1,1,1,1,2,2,3,3,3,3,3,{4 * total},0,1,1.0,0,3,90\n"


def test_only_complete_rows_become_samples(tmp_path):
    path = tmp_path / "run_stats_history.csv"
    path.write_text(HEADER + second(100, 5.0, 5) + second(101, 6.0, 11)[:-30], encoding="utf-8")
    reader = HistoryReader(tmp_path / "run")
    first = reader.read()
    assert [s.at for s in first.samples] == [100]
    assert first.samples[0].flows_per_s == 5.0
    figures = first.samples[0].flows["simulated-login"]
    assert (figures.p50_ms, figures.p95_ms, figures.total) == (4.0, 9.0, 5)
    assert first.outcomes == {}  # no totals file yet
    path.write_text(HEADER + second(100, 5.0, 5) + second(101, 6.0, 11), encoding="utf-8")  # the row completes
    assert [s.at for s in reader.read().samples] == [101]
    assert reader.read().samples == []


def test_a_read_takes_at_most_its_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "MAX_READ_BYTES", 4096)
    (tmp_path / "run_stats_history.csv").write_text(HEADER + "".join(second(t, 1.0, t) for t in range(200)),
                                                   encoding="utf-8")
    reader = HistoryReader(tmp_path / "run")
    counts = []
    while samples := reader.read().samples:
        counts.append(len(samples))
    assert len(counts) > 1 and max(counts) < 200  # many bounded reads, not one
    assert sum(counts) == 200  # and nothing lost between them


def test_failed_flows_are_counted_by_outcome(tmp_path):
    (tmp_path / "run_failures.csv").write_text(
        "Method,Name,Error,Occurrences,First Seen,Last Seen\n"
        "POST,QR-Auth/Scan,already_used (code 409),4,1,2\n"
        "QRFLOW,simulated-login,already_used (code 409) at QR-Auth/Scan,4,1,2\n"
        "QRFLOW,polling-desktop,expired (no token within 120 s) at QR-Auth/Confirm-Login (poll),1,1,2\n",
        encoding="utf-8")
    assert HistoryReader(tmp_path / "run").read().outcomes == {"already_used": 4, "expired": 1}


def test_flows_that_got_their_token_are_counted_from_the_totals(tmp_path):
    (tmp_path / "run_stats.csv").write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time\n"
        "POST,QR-Auth/Scan,30,2,1\nQRFLOW,simulated-login,20,2,5\nQRFLOW,registration,7,0,6\n,Aggregated,57,4,2\n",
        encoding="utf-8")
    assert HistoryReader(tmp_path / "run").read().outcomes == {"authenticated": 25}
