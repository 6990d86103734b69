"""The whole suite, derived from the catalogue, the rules, the lifecycle table and the contract's codes.

* rules: every field of every endpoint at its boundaries (:mod:`.boundaries`). The QR-Auth endpoints get
  both sides of each edge; the endpoints that forward to WeChat only the refused side, since an accepted
  value would go on to WeChat (a message sent, a link made) and a fake openid fails there anyway;
* auth: every endpoint without a bearer and with a wrong one (401);
* lifecycle and expiry: each cell of the contract's table (:mod:`.lifecycle`);
* images: the content type of the mini-program codes (JPEG, PNG when transparent) against their bytes;
* wechat: JSConfig's signature recomputed with the operator's jsapi_ticket;
* envelope: the shape of every JSON answer the run received, per endpoint (run last).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from ..api import catalogue
from ..api.catalogue import BodyKind, Endpoint
from ..api.catalogue import Group as EndpointGroup
from ..api.jssdk import jsconfig_signature
from ..api.models import Field, ImageResult, WechatJSConfigResult, sniff_image
from ..api.outcomes import Outcome
from ..api.rules import Kind
from .boundaries import OMITTED, Case, cases
from .lifecycle import lifecycle_checks
from .model import Check, Finding, Group, Needs, Text, failed, not_applicable, passed
from .probe import Answer, Probe, unknown_sign_in_key

# A field whose accepted value must be new on every run (a registered unionID stays taken): long values
# get a random prefix; a short one that is taken already ("409 unionID exists") was accepted by the rules.
UNIQUE_FIELDS = frozenset({"unionID"})
# What a field without an example gets while another field is varied: base64 of 16 zero bytes
# (Decrypt's encryptedData, iv and sessionKey have the shape WeChat sends).
PLACEHOLDER = "AAAAAAAAAAAAAAAAAAAAAA=="
SIGNED_URL = "https://example.com/qrcheck/page?x=1"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _valid_query(ep: Endpoint) -> dict[str, Any]:
    return {f.name: f.example if f.example is not None else PLACEHOLDER for f in ep.query}


def _valid_body(ep: Endpoint, key: int | None = None) -> Any:
    if ep.body_kind is BodyKind.JTOKEN:
        return dict(ep.example_body)
    if ep.body_kind is BodyKind.MODEL:
        body = dict(ep.example_body or {})
        if "signInKey" in body:
            body["signInKey"] = key if key is not None else unknown_sign_in_key()
        return body
    return None


# --- rules at their boundaries --------------------------------------------------------------------------


def _with(values: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    out = dict(values)
    if value is OMITTED:
        out.pop(name, None)
    else:
        out[name] = value
    return out


async def _case_request(probe: Probe, ep: Endpoint, case: Case) -> tuple[dict[str, Any] | None, Any]:
    """(query, body) of the case: the endpoint's valid request with the case's field set (or left out).
    A session is prepared only where an accepted value would act on one."""
    name, value = case.field.name, case.value
    if ep.query:
        return _with(_valid_query(ep), name, value), None
    if ep.body_kind is BodyKind.JTOKEN:
        return None, _with(_valid_body(ep), name, value)
    if ep.id == "QRAuthInitiate":
        return None, _with({}, name, value)
    key = unknown_sign_in_key()
    if case.accepted or name != "signInKey":
        key = await (probe.waiting() if ep.id == "QRAuthScan" else probe.scanned())
    body: dict[str, Any] = {"signInKey": key}
    if ep.id == "QRAuthConfirmRegister":
        body.update(unionID=probe.new_union_id(), nickName="qrcheck")
    if name in UNIQUE_FIELDS and case.accepted and isinstance(value, str) and len(value) >= 24:
        value = (probe.new_union_id() + value)[:len(value)]
    return None, _with(body, name, value)


def _judge_case(probe: Probe, ep: Endpoint, case: Case, answer: Answer) -> Finding:
    said = probe.describe(answer)
    name = case.field.name
    if case.accepted:
        if answer.ok:
            return passed(f"accepted: {said.en}", f"已接受：{said.zh}")
        if ep.id == "QRAuthConfirmLogin" and probe.meaning.means(answer.code, Outcome.SCANNED):
            return passed(f"accepted (a registration comes first): {said.en}", f"已接受（需先注册）：{said.zh}")
        if name in UNIQUE_FIELDS and probe.meaning.means(answer.code, Outcome.ALREADY_USED):
            return passed(f"accepted by the rules (the value is registered already): {said.en}",
                          f"规则已接受（该值已被注册）：{said.zh}")
        return failed(f"refused a value the rule allows: {said.en}", f"拒绝了规则允许的值：{said.zh}")
    if answer.ok:
        return failed(f"accepted a value the rule refuses ({name}: {case.rule_text.en}): {said.en}",
                      f"接受了规则不允许的值（{name}: {case.rule_text.zh}）：{said.zh}")
    if not probe.meaning.means(answer.code, Outcome.INPUT_REFUSED):
        wanted = probe.meaning.expected(Outcome.INPUT_REFUSED)
        return failed(f"answered {said.en}; expected {wanted} naming {name}",
                      f"返回 {said.zh}；应为 {wanted} 并指出字段 {name}")
    if not answer.names_field(name):
        return failed(f"refused, but the error does not name the field {name}: {said.en}",
                      f"已拒绝，但错误信息没有指出字段 {name}：{said.zh}")
    return passed(f"refused, naming {name}: {said.en}", f"已拒绝并指出 {name}：{said.zh}")


def _case_runner(ep: Endpoint, case: Case) -> Callable[[Probe], Awaitable[Finding]]:
    async def run(probe: Probe) -> Finding:
        query, body = await _case_request(probe, ep, case)
        return _judge_case(probe, ep, case, await probe.call(ep.id, query=query, body=body))

    return run


def _key_as_string_runner(ep: Endpoint) -> Callable[[Probe], Awaitable[Finding]]:
    """The contract: a server should take an int64 as a decimal string too (a JavaScript phone sends one)."""

    async def run(probe: Probe) -> Finding:
        key = await (probe.waiting() if ep.id == "QRAuthScan" else probe.scanned())
        body: dict[str, Any] = {"signInKey": str(key)}
        if ep.id == "QRAuthConfirmRegister":
            body.update(unionID=probe.new_union_id(), nickName="qrcheck")
        case = Case(ep.field("signInKey"), None, Text("a decimal string", "十进制字符串"), str(key), True)
        return _judge_case(probe, ep, case, await probe.call(ep.id, body=body))

    return run


def _fields(ep: Endpoint) -> tuple[Field, ...]:
    return ep.query + (ep.body.fields if ep.body is not None else ())


def rule_checks() -> list[Check]:
    out = []
    for ep in catalogue.ENDPOINTS:
        forwards = ep.group is not EndpointGroup.QR_AUTH
        needs = frozenset({Needs.REGISTER}) if ep.id == "QRAuthConfirmRegister" else frozenset()
        for f in _fields(ep):
            tests = Text(f"{ep.id}.{f.name}", f"{ep.id}.{f.name}（{f.zh}）")
            for case in cases(f):
                if forwards and case.accepted:
                    continue
                side = Text("accepted", "应接受") if case.accepted else Text("refused", "应拒绝")
                rule = case.rule_text
                out.append(Check(
                    id=f"rules.{ep.id}.{f.name}.{_slug(case.label.en)}",
                    group=Group.RULES,
                    title=Text(f"{ep.id} {f.name}: {case.label.en}, {side.en}",
                               f"{ep.id} {f.name}：{case.label.zh}，{side.zh}"),
                    tests=Text(f"{tests.en}: {rule.en}", f"{tests.zh}：{rule.zh}"),
                    run=_case_runner(ep, case), needs=needs))
            if f.kind is Kind.INT64 and ep.body_kind is BodyKind.MODEL:
                out.append(Check(
                    id=f"rules.{ep.id}.{f.name}.decimal-string",
                    group=Group.RULES,
                    title=Text(f"{ep.id} {f.name}: a decimal string, accepted", f"{ep.id} {f.name}：十进制字符串，应接受"),
                    tests=Text(f"{tests.en}: int64, a JSON number or its decimal string",
                               f"{tests.zh}：int64，JSON 数字或其十进制字符串"),
                    run=_key_as_string_runner(ep), needs=needs))
    return out


# --- auth -------------------------------------------------------------------------------------------------

_AUTH = {"none": Text("no bearer", "不带访问凭证"), "wrong": Text("a wrong bearer", "错误的访问凭证")}


def _auth_runner(ep: Endpoint, auth: str) -> Callable[[Probe], Awaitable[Finding]]:
    async def run(probe: Probe) -> Finding:
        # A valid request on a session nobody has: even a server that skips the check acts on nothing.
        answer = await probe.call(ep.id, query=_valid_query(ep) or None, body=_valid_body(ep), auth=auth)
        said = probe.describe(answer)
        if probe.meaning.means(answer.code, Outcome.CREDENTIALS_REFUSED):
            return passed(f"refused: {said.en}", f"已拒绝：{said.zh}")
        wanted = probe.meaning.expected(Outcome.CREDENTIALS_REFUSED)
        return failed(f"answered {said.en}; expected {wanted}", f"返回 {said.zh}；应为 {wanted}")

    return run


def auth_checks() -> list[Check]:
    return [Check(id=f"auth.{ep.id}.{auth}-bearer", group=Group.AUTH,
                  title=Text(f"{ep.id} with {label.en}", f"{ep.id}：{label.zh}"),
                  tests=Text("Authorization: Bearer <token> on every call; 401 without a valid one",
                             "每个调用都需 Authorization: Bearer <令牌>；无有效凭证时返回 401"),
                  run=_auth_runner(ep, auth))
            for ep in catalogue.ENDPOINTS for auth, label in _AUTH.items()]


# --- images -----------------------------------------------------------------------------------------------


def _image_runner(ep: Endpoint, transparent: bool) -> Callable[[Probe], Awaitable[Finding]]:
    wanted = "image/png" if transparent else "image/jpeg"

    async def run(probe: Probe) -> Finding:
        body = _valid_body(ep)
        body["is_hyaline"] = transparent
        answer = await probe.call(ep.id, body=body)
        if not isinstance(answer.value, ImageResult):
            said = probe.describe(answer)
            return failed(f"no image: {said.en}", f"没有返回图片：{said.zh}")
        image = answer.value
        sniffed = sniff_image(image.data)
        if sniffed != image.content_type:
            return failed(f"Content-Type {image.content_type}, but the bytes are {sniffed or 'no known image'}",
                          f"Content-Type 为 {image.content_type}，但内容是 {sniffed or '未知格式'}")
        if image.content_type != wanted:
            return failed(f"{image.content_type}; WeChat answers {wanted} here", f"{image.content_type}；微信此处返回 {wanted}")
        return passed(f"{image.content_type}, {len(image.data)} bytes", f"{image.content_type},{len(image.data)} 字节")

    return run


def image_checks() -> list[Check]:
    out = []
    for ep in catalogue.ENDPOINTS:
        if ep.result is not catalogue.ResultKind.IMAGE:
            continue
        for transparent in (False, True):
            kind = Text("PNG (is_hyaline)", "PNG(is_hyaline)") if transparent else Text("JPEG", "JPEG")
            out.append(Check(
                id=f"images.{ep.id}.{'png' if transparent else 'jpeg'}", group=Group.IMAGES,
                title=Text(f"{ep.id}: a {kind.en} image", f"{ep.id}：{kind.zh} 图片"),
                tests=Text("the image's Content-Type and bytes: JPEG unless is_hyaline is true (PNG)",
                           "图片的 Content-Type 与内容一致：JPEG，is_hyaline 为 true 时为 PNG"),
                run=_image_runner(ep, transparent)))
    return out


# --- WeChat's JS-SDK signature ----------------------------------------------------------------------------


def _jsconfig_runner(url: str) -> Callable[[Probe], Awaitable[Finding]]:
    async def run(probe: Probe) -> Finding:
        ticket = probe.options.jsapi_ticket
        assert ticket is not None  # the runner leaves the check out without one
        answer = await probe.call("JSConfig", query={"url": url})
        config = answer.value
        if not isinstance(config, WechatJSConfigResult):
            said = probe.describe(answer)
            return failed(f"no JS-SDK config: {said.en}", f"没有返回 JS-SDK 配置：{said.zh}")
        expected = jsconfig_signature(ticket, config.noncestr, config.timestamp, url)
        if config.signature.lower() != expected:
            return failed(f"signature {config.signature[:40]!r} is not SHA-1 of jsapi_ticket=***&noncestr="
                          f"{config.noncestr}&timestamp={config.timestamp}&url=<the page without #fragment>",
                          f"签名 {config.signature[:40]!r} 与按 jsapi_ticket、noncestr、timestamp、url 计算的 SHA-1 不符")
        return passed(f"signature {expected} recomputed", f"签名 {expected} 与重新计算的一致")

    return run


def wechat_checks() -> list[Check]:
    tests = Text("JSConfig signature: SHA-1 of jsapi_ticket=T&noncestr=N&timestamp=S&url=U, url without #fragment",
                 "JSConfig 签名：jsapi_ticket=T&noncestr=N&timestamp=S&url=U 的 SHA-1，url 不含 #片段")
    return [Check(id=f"wechat.JSConfig.{slug}", group=Group.WECHAT, title=title, tests=tests,
                  run=_jsconfig_runner(url), needs=frozenset({Needs.JSAPI_TICKET}))
            for slug, url, title in (
                ("signature", SIGNED_URL, Text("JSConfig: the signature", "JSConfig：签名")),
                ("signature-fragment", SIGNED_URL + "#section",
                 Text("JSConfig: the signature of a URL with a #fragment", "JSConfig：带 #片段 的网址的签名")))]


# --- the envelope of every answer -------------------------------------------------------------------------


def _envelope_runner(ep: Endpoint) -> Callable[[Probe], Awaitable[Finding]]:
    async def run(probe: Probe) -> Finding:
        tally = probe.shapes.get(ep.id)
        if tally is None or not tally.answers:
            return not_applicable("no JSON answer from this endpoint in this run", "本次运行没有收到此接口的 JSON 响应")
        if tally.problems:
            problem, quoted = tally.problems[0]
            return failed(f"{len(tally.problems)} of {tally.answers} answers are not the envelope; first: {problem.en}"
                          f"\n{quoted}", f"{tally.answers} 个响应中有 {len(tally.problems)} 个不符合响应结构；"
                          f"第一个：{problem.zh}\n{quoted}")
        return passed(f"all {tally.answers} JSON answers are the envelope", f"全部 {tally.answers} 个 JSON 响应符合响应结构")

    return run


def envelope_checks() -> list[Check]:
    return [Check(id=f"envelope.{ep.id}", group=Group.ENVELOPE,
                  title=Text(f"{ep.id}: the envelope of every answer", f"{ep.id}：每个响应都符合响应结构"),
                  tests=Text('every JSON answer is {"code": int, "data": ..., "error": str}; an error carries data: null',
                             '每个 JSON 响应都是 {"code": int, "data": ..., "error": str}；错误响应的 data 为 null'),
                  run=_envelope_runner(ep))
            for ep in catalogue.ENDPOINTS]


def build_suite() -> list[Check]:
    """Every check, in run order: the envelope checks last, since they read every answer before them."""
    lifecycle = lifecycle_checks()
    suite = [*rule_checks(), *auth_checks(), *[c for c in lifecycle if c.group is Group.LIFECYCLE],
             *image_checks(), *wechat_checks(), *[c for c in lifecycle if c.group is Group.EXPIRY],
             *envelope_checks()]
    ids = [c.id for c in suite]
    assert len(ids) == len(set(ids)), "check ids must be unique"
    return suite
