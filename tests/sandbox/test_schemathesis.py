"""schemathesis holds the sandbox to its own OpenAPI document, over a real loopback socket, every check on.

The document (``/openapi.json``) must tell the truth: every status, every error envelope, every body the
sandbox accepts. Faults are off, so a 5xx is always a failure.

The contract answers a refused request with HTTP 200 and envelope code 400 (docs/decisions.md "OpenAPI and
schemathesis"), where schemathesis' data checks judge the HTTP status alone. So its negative-data check is
told that HTTP 200 is an expected answer to invalid data, and ``envelope_code_conformance`` runs the same
two data checks again on the envelope's code in place of the HTTP status, with schemathesis' own default
expectations: invalid data must get a 4xx code, valid data no 400.
"""

from __future__ import annotations

import copy
from collections import Counter

import pytest
import schemathesis
from schemathesis.config import ChecksConfig, PositiveDataAcceptanceConfig, SchemathesisConfig

# Not exported by schemathesis (pinned in pyproject.toml): the two built-in data checks, to run on envelope codes.
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from support import APP_KEY, TEST_TOKEN

from qrlogin_desktop.api import catalogue
from qrlogin_desktop.sandbox import Sandbox, SandboxConfig
from qrlogin_desktop.sandbox.server import SandboxThread

pytestmark = pytest.mark.loopback

MAX_EXAMPLES = 5  # per operation and phase; the coverage phase adds most of the ~4,400 cases (~65 s, busy machine)
# The negative-data check, told what the contract answers: HTTP 200 (with envelope code 400) besides its defaults.
DEFAULT_CHECKS = ChecksConfig()
NEGATIVE_DATA_HTTP_STATUSES = ["200", *DEFAULT_CHECKS.negative_data_rejection.expected_statuses]
# Envelope codes a valid request may get besides schemathesis' defaults: a QR session that is still waiting
# (408) or has expired (410). Not 400: that is the sandbox calling valid data invalid.
POSITIVE_DATA_ENVELOPE_CODES = ["2xx", "401", "403", "404", "408", "409", "410", "429", "5xx"]

# Operations that refuse well-formed input for what it means, which no schema can state: a sessionKey and iv
# that do not decrypt the data, a login code already spent (WeChat's errcode 40163). Their envelope code 400
# on schema-valid data is not held against the document.
REFUSE_BY_MEANING = {"GET /Wechat/{appKey}/Decrypt", "GET /Wechat/{appKey}/JSCode2Session"}

CONFIG = f"""
[generation]
mode = "all"
max-examples = {MAX_EXAMPLES}
deterministic = true

[checks]
enabled = true

[checks.negative_data_rejection]
expected-statuses = {NEGATIVE_DATA_HTTP_STATUSES!r}

[auth.openapi.bearer]
bearer = "{TEST_TOKEN}"
"""

CASES: Counter[str] = Counter()


def envelope_code_conformance(ctx, response, case):
    """Judge an HTTP 200 envelope's code as the HTTP status schemathesis' data checks expect."""
    if response.status_code != 200 or not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return None
    envelope = response.json()
    code = envelope.get("code") if isinstance(envelope, dict) else None
    if isinstance(code, bool) or not isinstance(code, int):
        return None  # response_schema_conformance already fails a body without an integer code
    as_http = copy.copy(response)
    as_http.status_code = code
    strict = copy.copy(ctx)
    strict.config = copy.copy(ctx.config)
    strict.config.negative_data_rejection = DEFAULT_CHECKS.negative_data_rejection  # 4xx, as over HTTP
    strict.config.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=POSITIVE_DATA_ENVELOPE_CODES)
    negative_data_rejection(strict, as_http, case)
    if case.operation.label not in REFUSE_BY_MEANING:
        positive_data_acceptance(strict, as_http, case)
    return None


@pytest.fixture(scope="module")
def running():
    with SandboxThread(Sandbox(SandboxConfig(app_key=APP_KEY, token=TEST_TOKEN))) as sandbox:
        yield sandbox
    print(f"\nschemathesis: {len(CASES)} operations, {sum(CASES.values())} cases: {dict(CASES)}")


@pytest.fixture
def api_schema(running: SandboxThread):
    return schemathesis.openapi.from_url(running.url + "/openapi.json", config=SchemathesisConfig.from_str(CONFIG))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_the_sandbox_keeps_its_openapi_document(case):
    CASES[case.operation.label] += 1
    case.call_and_validate(additional_checks=[envelope_code_conformance])


def test_every_operation_was_exercised():
    """After the schemathesis test (same module, file order): every operation of the catalogue got cases."""
    if not CASES:
        pytest.skip("runs after test_the_sandbox_keeps_its_openapi_document")
    assert len(CASES) == len(catalogue.ENDPOINTS), sorted(CASES)
