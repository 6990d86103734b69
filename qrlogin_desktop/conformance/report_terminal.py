"""The report as a table in the terminal: one row per check, a failure's details under its row."""

from __future__ import annotations

from .model import Report, Result, Text, Verdict

_MARK = {Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.NOT_APPLICABLE: "n/a"}
DETAIL_LINES = 12  # lines of each request / answer a failure shows (the HTML report has them whole)


def _text(text: Text, lang: str) -> str:
    return text.both() if lang == "both" else text.pick(lang)


def _indented(label: str, text: str) -> list[str]:
    lines = text.splitlines() or [""]
    if len(lines) > DETAIL_LINES:
        lines = lines[:DETAIL_LINES] + [f"… ({len(lines) - DETAIL_LINES} more lines)"]
    return [f"        {label}: {lines[0]}", *(f"          {line}" for line in lines[1:])]


def _row(result: Result, lang: str, width: int) -> list[str]:
    title = _text(result.check.title, lang)
    lines = [f"{_MARK[result.verdict]:<5} {result.check.group.value:<10} {title}"[:width]]
    if result.verdict is Verdict.FAIL:
        lines += _indented("tests", _text(result.check.tests, lang))
        lines += _indented("found", _text(result.reason, lang))
        for sent, received in zip(result.sent[-2:], result.received[-2:], strict=True):  # the last calls tell most
            lines += _indented("sent", sent) + _indented("got", received)
    elif result.verdict is Verdict.NOT_APPLICABLE:
        lines.append(f"        {_text(result.reason, lang)}"[:width])
    return lines


def summary(report: Report) -> str:
    text = (f"{report.count(Verdict.PASS)} passed, {report.count(Verdict.FAIL)} failed, "
            f"{report.count(Verdict.NOT_APPLICABLE)} not applicable in {report.seconds:.1f} s "
            f"({report.server}, appKey={report.app_key})")
    if report.stopped is not None:
        text += f"; stopped: {report.stopped.en}"
    return text


def render(report: Report, *, lang: str = "en", width: int = 160) -> str:
    lines = [f"{'RESULT':<5} {'GROUP':<10} CHECK"]
    for result in report.results:
        lines += _row(result, lang, width)
    lines += ["", summary(report)]
    return "\n".join(lines) + "\n"
