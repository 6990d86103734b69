"""The report as JUnit XML for the operator's CI: one testsuite per group, one testcase per check; a
failing check is a <failure>, one that does not apply <skipped>; what was sent and received goes to the
testcase's <system-out>, the Chinese texts beside the English ones."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from .model import GROUP_TITLES, Report, Result, Verdict

_XML_ILLEGAL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    """XML 1.0 has no form for most control characters: they are dropped (an answer may hold them)."""
    return text.translate(_XML_ILLEGAL)


def _details(result: Result) -> str:
    check = result.check
    parts = [f"tests: {check.tests.en}", f"测试：{check.tests.zh}", f"found: {result.reason.en}",
             f"结果：{result.reason.zh}"]
    return _clean("\n".join(parts))


def _exchanges(result: Result) -> str:
    parts = []
    for n, (sent, received) in enumerate(zip(result.sent, result.received, strict=True), 1):
        parts += [f"--- request {n} ---", sent, f"--- answer {n} ---", received]
    return _clean("\n".join(parts))


def _testcase(suite: ET.Element, result: Result) -> None:
    case = ET.SubElement(suite, "testcase", name=_clean(f"{result.check.id}: {result.check.title.en}"),
                         classname=f"qrlogin_desktop.check.{result.check.group.value}", time=f"{result.seconds:.3f}")
    if result.verdict is Verdict.FAIL:
        failure = ET.SubElement(case, "failure", message=_clean(result.reason.en.splitlines()[0][:500]),
                                type="nonconformance")
        failure.text = _details(result)
    elif result.verdict is Verdict.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", message=_clean(result.reason.en))
    if result.sent:
        ET.SubElement(case, "system-out").text = _exchanges(result)


def render(report: Report) -> bytes:
    incomplete = int(report.stopped is not None)  # an unfinished run is one more failing testcase
    root = ET.Element("testsuites", name="qrlogin-desktop check", tests=str(len(report.results) + incomplete),
                      failures=str(report.count(Verdict.FAIL) + incomplete), errors="0",
                      skipped=str(report.count(Verdict.NOT_APPLICABLE)), time=f"{report.seconds:.3f}")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(report.started_at))
    for group, results in report.groups():
        suite = ET.SubElement(root, "testsuite", name=f"{group.value}: {GROUP_TITLES[group].en}",
                              tests=str(len(results)), failures=str(sum(r.verdict is Verdict.FAIL for r in results)),
                              errors="0", skipped=str(sum(r.verdict is Verdict.NOT_APPLICABLE for r in results)),
                              time=f"{sum(r.seconds for r in results):.3f}", timestamp=stamp,
                              hostname=_clean(report.server))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="server", value=_clean(report.server))
        ET.SubElement(properties, "property", name="appKey", value=_clean(report.app_key))
        for result in results:
            _testcase(suite, result)
    if report.stopped is not None:
        suite = ET.SubElement(root, "testsuite", name="run", tests="1", failures="1", errors="0", skipped="0")
        case = ET.SubElement(suite, "testcase", name="the whole suite ran", classname="qrlogin_desktop.check.run")
        ET.SubElement(case, "failure", message=_clean(report.stopped.en), type="incomplete").text = \
            _clean(report.stopped.zh)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
