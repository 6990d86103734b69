"""The conformance check against the sandbox over real loopback: every check passes; against a sandbox
broken on purpose (built from its own parts) the check fails and names the broken rule; a profile's code
table lets a server use its own codes."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest
from chinese_text import ascii_punctuation
from support import TEST_TOKEN
from variants import (
    TTL,
    expired_after_delivery,
    loose_nickname,
    renamed_error_member,
    run_check,
    sandbox,
    served,
    unknown_key_401,
)

from qrlogin_desktop.api.outcomes import Action, CodeTable
from qrlogin_desktop.conformance import report_junit
from qrlogin_desktop.conformance.model import Group, Options, Report, Verdict
from qrlogin_desktop.conformance.probe import TEXT_CAP, Meaning
from qrlogin_desktop.conformance.suite import build_suite
from qrlogin_desktop.sandbox import Faults, Sandbox

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(120)]


def failures(report: Report) -> dict[str, str]:
    return {r.check.id: f"{r.check.tests.en} | {r.reason.en}" for r in report.results if r.verdict is Verdict.FAIL}


def the_only_failure(box: Sandbox, check_id: str) -> tuple[Report, str]:
    """The check of ``box`` over loopback, which fails ``check_id`` and nothing else; that failure's text."""
    with served(box) as url:
        report = run_check(url)
    failed = failures(report)
    assert set(failed) == {check_id}
    return report, failed[check_id]


def test_every_check_passes_against_the_sandbox_expiry_and_signature_included():
    box = sandbox()
    with served(box) as url:
        report = run_check(url, options=Options(expiry=True, jsapi_ticket=box.config.jsapi_ticket))
    assert failures(report) == {}
    assert report.count(Verdict.NOT_APPLICABLE) == 0
    assert len(report.results) == len(build_suite()) and report.ok
    groups = {r.check.group for r in report.results}
    assert groups == set(Group)
    every = [r for r in report.results if r.check.group is not Group.ENVELOPE]
    assert all(r.sent and len(r.sent) == len(r.received) for r in every)  # each says what it sent and got


def test_a_rule_not_enforced_is_named():
    report, text = the_only_failure(loose_nickname(sandbox()), "rules.QRAuthConfirmRegister.nickName.33-characters-max-1")
    assert "QRAuthConfirmRegister.nickName: 4 to 32 characters" in text
    assert "accepted a value the rule refuses" in text
    assert not report.ok


def test_every_result_reads_in_chinese_punctuation():
    """The Test bench shows each result's reason: assembled at run time from the answer and the rule."""
    report, _ = the_only_failure(loose_nickname(sandbox()), "rules.QRAuthConfirmRegister.nickName.33-characters-max-1")
    texts = [(r.check.id, text) for r in report.results for text in (r.check.title.zh, r.check.tests.zh, r.reason.zh)]
    wrong = [f"{check}: {text!r}" for check, text in texts if ascii_punctuation(text)]
    assert not wrong, "\n".join(wrong)


def test_a_lifecycle_cell_answering_the_wrong_code_is_named():
    _, text = the_only_failure(expired_after_delivery(sandbox()), "lifecycle.QRAuthConfirmLogin.delivered")
    assert "row QRAuthConfirmLogin, column delivered" in text
    assert "answered code 410" in text and "expected 409 (already_used)" in text


def test_a_wrong_envelope_shape_is_named_for_every_endpoint():
    with served(renamed_error_member(sandbox())) as url:
        report = run_check(url)
    failed = failures(report)
    assert set(failed) == {f"envelope.{ep}" for ep in
                           {r.check.id.split(".")[1] for r in report.results if r.check.group is Group.ENVELOPE}}
    assert all("the envelope lacks its member(s) error" in text for text in failed.values())


def test_a_server_with_its_own_code_passes_when_its_profile_documents_it():
    box = unknown_key_401(sandbox())
    with served(box) as url:
        plain = run_check(url)
        documented = run_check(url, meaning=Meaning(CodeTable().with_codes({401: Action.STOP}), documented={401}))
        other_meaning = run_check(url, meaning=Meaning(CodeTable().with_codes({401: Action.RETRY}), documented={401}))
    unknown = {f"lifecycle.{call}.unknown" for call in ("QRAuthScan", "QRAuthConfirmLogin", "QRAuthConfirmRegister")}
    assert set(failures(plain)) == unknown
    assert "expected 404 (not_found)" in failures(plain)["lifecycle.QRAuthScan.unknown"]
    assert failures(documented) == {} and documented.ok
    # A profile that gives 401 another meaning (retry) does not make it "not found" (nor "credentials refused").
    assert unknown <= set(failures(other_meaning))


def test_no_register_leaves_out_every_check_that_registers_and_registers_nobody():
    box = sandbox()
    users_before = len(box.users)
    with served(box) as url:
        report = run_check(url, options=Options(register=False))
    assert failures(report) == {}
    left_out = [r for r in report.results if r.verdict is Verdict.NOT_APPLICABLE]
    assert {r.check.id for r in left_out} >= {"lifecycle.QRAuthConfirmRegister.scanned",
                                             "rules.QRAuthConfirmRegister.nickName.33-characters-max-1"}
    assert all("--no-register" in r.reason.en or "--expiry" in r.reason.en or "jsapi" in r.reason.en
               for r in left_out)
    assert len(box.users) == users_before


def test_without_a_ticket_or_expiry_those_checks_do_not_apply():
    with served(sandbox()) as url:
        report = run_check(url, options=Options())
    na = {r.check.id for r in report.results if r.verdict is Verdict.NOT_APPLICABLE}
    assert na == {r.check.id for r in report.results if r.check.group in (Group.EXPIRY, Group.WECHAT)} and na
    assert report.ok


def test_a_wrong_ticket_fails_the_signature_checks():
    with served(sandbox()) as url:
        report = run_check(url, options=Options(jsapi_ticket="not-the-servers-ticket"))
    assert set(failures(report)) == {"wechat.JSConfig.signature", "wechat.JSConfig.signature-fragment"}
    assert all("not-the-servers-ticket" not in text for r in report.results for text in (*r.sent, *r.received,
                                                                                         r.reason.en, r.reason.zh))


def test_each_call_is_bounded_by_the_client_deadline_and_the_run_by_its_own():
    with served(sandbox(faults=Faults(latency_ms=2000))) as url:
        t0 = time.monotonic()
        report = run_check(url, timeout=0.3, deadline=1.5)
        took = time.monotonic() - t0
    assert took < 1.5 + 0.3 + 2.0  # the run's deadline, one call's, and slack for a busy machine
    assert report.stopped is not None and "deadline of 1.5 s" in report.stopped.en
    assert not report.ok and 0 < len(report.results) < report.planned
    assert all(r.verdict is Verdict.FAIL for r in report.results)
    assert "overall deadline of 0.3 s" in report.results[0].reason.en
    # An unfinished run is a failure in the operator's CI too.
    junit = ET.fromstring(report_junit.render(report))
    assert int(junit.get("tests")) == len(report.results) + 1 == int(junit.get("failures"))
    assert junit.find("testsuite[@name='run']/testcase/failure").get("type") == "incomplete"


def test_the_credential_never_reaches_a_result():
    with served(sandbox()) as url:
        report = run_check(url, options=Options(expiry=False))
    texts = [t for r in report.results for t in (*r.sent, *r.received, r.reason.en, r.reason.zh)]
    assert texts and not any(TEST_TOKEN in t for t in texts)
    assert any("Bearer ***" in t for t in texts)  # the header was sent, masked in the record


def test_the_expiry_run_waits_one_lifetime_not_one_per_check():
    with served(sandbox()) as url:
        t0 = time.monotonic()
        report = run_check(url, options=Options(expiry=True))
        took = time.monotonic() - t0
    expiry = [r for r in report.results if r.check.group is Group.EXPIRY]
    assert len(expiry) == 3 and all(r.verdict is Verdict.PASS for r in expiry)
    assert sum(r.seconds for r in expiry) < 2 * (TTL + 1.5)  # waited once (TTL + margin), not three times
    assert took >= TTL


def test_each_request_and_answer_a_result_keeps_is_capped():
    with served(sandbox()) as url:
        report = run_check(url, options=Options())
    texts = [t for r in report.results for t in (*r.sent, *r.received)]
    assert max(map(len, texts)) <= TEXT_CAP + 40
    cut = [t for t in texts if t.endswith("more characters]")]
    assert cut  # the 10,000-character data and avatar cases were sent, and kept cut
