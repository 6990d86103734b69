"""What counts as ASCII punctuation in Chinese prose (tests/test_chinese_punctuation.py has the rule's why)."""

from __future__ import annotations

import re

CJK = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
HAS_CJK = re.compile(CJK)
ASCII_IN_CHINESE = (
    re.compile(CJK + r"[,:;?!]"),                # 服务器:  必填,不能为空  是否?
    re.compile(CJK + r" ?\((?!&\w\)|\*)"),      # 必填(当前值 …)  but not 帮助(&H) or 图片 (*.png)
    re.compile(r"\([^()]*" + CJK + r"[^()]*\)"),  # (可选) around Chinese, wherever it stands
)


def ascii_punctuation(text: str) -> list[str]:
    """The places in ``text`` where Chinese prose has ASCII punctuation, each with a little context."""
    return [text[max(0, m.start() - 6):m.end() + 6] for pattern in ASCII_IN_CHINESE for m in pattern.finditer(text)]
