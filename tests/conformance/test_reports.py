"""The reports of a run with a failure and checks that do not apply: the table, JUnit XML (read back with
junitparser and checked against its structure) and the HTML page (opened in the real browser)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from junitparser import Failure, JUnitXml, Skipped
from support import TEST_TOKEN
from variants import loose_nickname, run_check, sandbox, served

from qrlogin_desktop.conformance import report_html, report_junit, report_terminal
from qrlogin_desktop.conformance.model import Options, Report, Verdict

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(120)]
FAILING = "rules.QRAuthConfirmRegister.nickName.33-characters-max-1"


class LinkFinder(HTMLParser):
    """Every attribute that would load something, and the text of every <style>."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        self.found += [(tag, f"{k}={v}") for k, v in attrs if k in ("src", "href", "srcset", "data") and v]
        if tag == "link":
            self.found.append((tag, "link"))

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
            self._in_style = False


@pytest.fixture(scope="module")
def report() -> Report:
    with served(loose_nickname(sandbox())) as url:
        return run_check(url, options=Options())


def test_the_terminal_table_has_a_row_per_check_and_the_failure_in_detail(report):
    text = report_terminal.render(report)
    lines = text.splitlines()
    assert sum(line.startswith(("PASS ", "FAIL ", "n/a ")) for line in lines) == len(report.results)
    fail_at = next(i for i, line in enumerate(lines) if line.startswith("FAIL "))
    assert "nickName: 33 characters (max + 1), refused" in lines[fail_at]
    assert "4 to 32 characters" in lines[fail_at + 1] and "accepted a value the rule refuses" in lines[fail_at + 2]
    assert lines[-1].startswith(f"{report.count(Verdict.PASS)} passed, 1 failed, {report.count(Verdict.NOT_APPLICABLE)}")
    assert "长度必须在 4 到 32 个字符之间" in report_terminal.render(report, lang="zh")


def test_junit_parses_with_junitparser_and_carries_every_result(report, tmp_path):
    path = tmp_path / "check.xml"
    path.write_bytes(report_junit.render(report))
    xml = JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == len(report.results) == xml.tests
    assert xml.failures == 1 and xml.skipped == report.count(Verdict.NOT_APPLICABLE) and xml.errors == 0
    failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
    assert [c.name for c in failed] == [f"{FAILING}: QRAuthConfirmRegister nickName: 33 characters (max + 1), refused"]
    failure = failed[0].result[0]
    assert "accepted a value the rule refuses" in failure.message and "长度必须在 4 到 32 个字符之间" in failure.text
    assert all(isinstance(c.result[0], Skipped) for c in cases if c.result and c not in failed)
    assert "Bearer ***" in failed[0].system_out and TEST_TOKEN not in path.read_text(encoding="utf-8")


def test_junit_structure_testsuites_of_testcases_with_consistent_counts(report):
    root = ET.fromstring(report_junit.render(report))
    assert root.tag == "testsuites"
    for suite in root:
        assert suite.tag == "testsuite" and set(suite.attrib) >= {"name", "tests", "failures", "errors", "skipped",
                                                                   "time", "timestamp"}
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in cases)
        assert all(set(c.attrib) == {"name", "classname", "time"} for c in cases)


def test_the_html_page_is_self_contained_and_bilingual(report):
    page = report_html.render(report)
    links = LinkFinder()
    links.feed(page)
    assert links.found == [] and links.styles and not any("url(" in s or "@import" in s for s in links.styles)
    assert "Field rules at their boundaries" in page and "字段规则边界" in page
    assert TEST_TOKEN not in page
    only_zh = report_html.render(report, lang="zh")
    assert "字段规则边界" in only_zh and "Field rules at their boundaries" not in only_zh
