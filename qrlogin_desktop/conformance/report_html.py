"""The report as one self-contained HTML page (no external assets): a summary, filters by result, the checks
grouped by what they test, colours per result, each check's request and answer folded under its row.
Both languages side by side, or one (``lang``)."""

from __future__ import annotations

import html
import time

from .model import GROUP_TITLES, Report, Result, Text, Verdict

_LABEL = {Verdict.PASS: Text("pass", "通过"), Verdict.FAIL: Text("fail", "失败"),
          Verdict.NOT_APPLICABLE: Text("n/a", "不适用")}
_CLASS = {Verdict.PASS: "pass", Verdict.FAIL: "fail", Verdict.NOT_APPLICABLE: "na"}

_CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#202124;
background:#f6f7f9}
header{background:#fff;border-bottom:1px solid #dadce0;padding:16px 24px;position:sticky;top:0;z-index:1}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#5f6368;font-size:13px}
.counts{display:flex;gap:12px;margin-top:10px;flex-wrap:wrap;align-items:center}
.count{border-radius:14px;padding:3px 12px;font-weight:600}
.count.pass,.badge.pass{background:#e6f4ea;color:#137333}
.count.fail,.badge.fail{background:#fce8e6;color:#a50e0e}
.count.na,.badge.na{background:#f1f3f4;color:#5f6368}
.stopped{background:#fef7e0;color:#8a5300;padding:8px 24px;border-bottom:1px solid #f9e2a2}
label.filter{cursor:pointer;user-select:none}
main{padding:8px 24px 40px}
section{background:#fff;border:1px solid #dadce0;border-radius:8px;margin:16px 0;overflow:hidden}
section h2{font-size:16px;margin:0;padding:10px 14px;background:#f8f9fa;border-bottom:1px solid #dadce0}
section h2 .sub{color:#5f6368;font-weight:400;font-size:13px;margin-left:8px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
col.result{width:90px}col.check{width:27%}col.tests{width:27%}
td,th{padding:6px 10px;border-bottom:1px solid #eceff1;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{font-size:12px;color:#5f6368;font-weight:600}
tr.fail td{background:#fff8f7}
tr.more td{padding-top:0;border-bottom:1px solid #dadce0}
tr[data-verdict]:not(.more) td{border-bottom:none}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
.zh{color:#5f6368;display:block}
.id{font:12px ui-monospace,Menlo,Consolas,monospace;color:#80868b}
details{margin-top:4px}
summary{cursor:pointer;color:#1a73e8;font-size:12px}
pre{background:#f8f9fa;border:1px solid #eceff1;border-radius:4px;padding:8px;white-space:pre-wrap;
word-break:break-all;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:240px;overflow:auto;margin:4px 0}
.exchange{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.hidden{display:none}
"""

# Filters: hide the rows of the unticked results; a group with nothing left to show folds away.
_JS = """
function applyFilters(){
  var shown={};
  document.querySelectorAll('input[data-filter]').forEach(function(box){shown[box.dataset.filter]=box.checked;});
  document.querySelectorAll('tr[data-verdict]').forEach(function(row){
    row.classList.toggle('hidden',!shown[row.dataset.verdict]);});
  document.querySelectorAll('section[data-group]').forEach(function(sec){
    sec.classList.toggle('hidden',!sec.querySelector('tr[data-verdict]:not(.hidden)'));});
}
document.querySelectorAll('input[data-filter]').forEach(function(box){box.addEventListener('change',applyFilters);});
applyFilters();
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _bi(text: Text, lang: str) -> str:
    if lang == "both":
        zh = f'<span class="zh" lang="zh-CN">{_e(text.zh)}</span>' if text.zh != text.en else ""
        return f"{_e(text.en)}{zh}"
    return _e(text.pick(lang))


def _exchanges(result: Result, lang: str) -> str:
    if not result.sent:
        return ""
    label = {"en": "requests and answers", "zh": "请求与响应"}.get(lang, "requests and answers / 请求与响应")
    blocks = []
    for sent, received in zip(result.sent, result.received, strict=True):
        blocks.append(f'<div class="exchange"><pre>{_e(sent)}</pre><pre>{_e(received)}</pre></div>')
    opened = " open" if result.verdict is Verdict.FAIL else ""
    return f'<details{opened}><summary>{_e(label)} ({len(result.sent)})</summary>{"".join(blocks)}</details>'


def _row(result: Result, lang: str) -> str:
    css = _CLASS[result.verdict]
    return (f'<tr class="{css}" data-verdict="{css}" id="{_e(result.check.id)}">'
            f'<td><span class="badge {css}">{_bi(_LABEL[result.verdict], lang)}</span></td>'
            f'<td>{_bi(result.check.title, lang)}<div class="id">{_e(result.check.id)}</div></td>'
            f"<td>{_bi(result.check.tests, lang)}</td>"
            f"<td>{_bi(result.reason, lang)}</td></tr>"
            + (f'<tr class="more {css}" data-verdict="{css}"><td></td><td colspan="3">{_exchanges(result, lang)}</td></tr>'
               if result.sent else ""))


def _heads(lang: str) -> str:
    names = [Text("Result", "结果"), Text("Check", "检查项"), Text("Tests (rule or table cell)", "测试的规则或表格单元"),
             Text("Found", "发现")]
    return "".join(f"<th>{_bi(n, lang)}</th>" for n in names)


def title(report: Report) -> str:
    return (f"Conformance check: {report.count(Verdict.FAIL)} failed, {report.count(Verdict.PASS)} passed, "
            f"{report.count(Verdict.NOT_APPLICABLE)} n/a — {report.server}")


def render(report: Report, *, lang: str = "both") -> str:
    counts = "".join(
        f'<label class="filter count {_CLASS[v]}"><input type="checkbox" data-filter="{_CLASS[v]}" checked> '
        f'<span class="n" id="count-{_CLASS[v]}">{report.count(v)}</span> {_bi(_LABEL[v], lang)}</label>'
        for v in (Verdict.FAIL, Verdict.PASS, Verdict.NOT_APPLICABLE))
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(report.started_at))
    stopped = f'<div class="stopped">{_bi(report.stopped, lang)}</div>' if report.stopped is not None else ""
    sections = []
    for group, results in report.groups():
        rows = "".join(_row(r, lang) for r in results)
        fails = sum(r.verdict is Verdict.FAIL for r in results)
        sub = f"{len(results)} checks" + (f", {fails} failed" if fails else "")
        sections.append(f'<section data-group="{group.value}"><h2>{_bi(GROUP_TITLES[group], lang)}'
                        f'<span class="sub">{_e(sub)}</span></h2><table><colgroup><col class="result"><col class="check">'
                        f'<col class="tests"><col></colgroup><thead><tr>{_heads(lang)}</tr></thead>'
                        f"<tbody>{rows}</tbody></table></section>")
    heading = {"en": "Conformance check", "zh": "一致性检查"}.get(lang, "Conformance check · 一致性检查")
    html_lang = "zh-CN" if lang.startswith("zh") else "en"
    return (f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{_e(title(report))}</title>'
            f"<style>{_CSS}</style></head><body><header><h1>{_e(heading)}</h1>"
            f'<div class="meta">{_e(report.server)} · appKey {_e(report.app_key)} · {_e(when)} · '
            f"{report.seconds:.1f} s · {len(report.results)}/{report.planned}</div>"
            f'<div class="counts">{counts}</div></header>{stopped}<main>{"".join(sections)}</main>'
            f"<script>{_JS}</script></body></html>")
