"""Java regular expressions (as written in the AWS models) compiled for Python's ``re``.

AWS validates ``pattern`` constraints with ``java.util.regex`` and ``Matcher.matches()``,
so the whole value must match and the character classes are Java's:

* ``\\w``, ``\\d``, ``\\s`` are ASCII-only in Java (no ``UNICODE_CHARACTER_CLASS``), so we
  compile with ``re.ASCII`` (``é`` fails ``[\\w+=,.@-]*``, as observed on AWS).
* ``\\uXXXX`` takes exactly four hex digits in both engines, so the model's
  ``\\u10000-\\u10FFFF`` reads as ``\\u1000``, ``0-\\u10FF``, ``F``, ``F`` in Python exactly as
  in Java: supplementary characters fail the ARN pattern, as AWS shows (§1.4).
* ``\\p{L}``/``\\p{Z}``/``\\p{N}`` (IAM/STS tag patterns) are unknown to ``re``; they are
  expanded into explicit code-point ranges from ``unicodedata`` once per process.

Python's ``.`` still matches ``\\r``/``\\u0085``/``\\u2028`` where Java's does not; no STS or
IAM pattern uses ``.`` outside a character class, so the difference is not observable there.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}")


@cache
def _category_ranges(category: str) -> str:
    """The code points of a Unicode general category (``L`` or ``Lu``) as class ranges."""
    exact = len(category) != 1
    parts: list[str] = []
    start = -1
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        if cat == category if exact else cat[0] == category:
            if start < 0:
                start = cp
        elif start >= 0:
            parts.append(_range(start, cp - 1))
            start = -1
    if start >= 0:
        parts.append(_range(start, sys.maxunicode))
    return "".join(parts)


def _esc(cp: int) -> str:
    return f"\\U{cp:08x}"


def _range(lo: int, hi: int) -> str:
    return _esc(lo) if lo == hi else f"{_esc(lo)}-{_esc(hi)}"


def translate(pattern: str) -> str:
    """Rewrite the Java-only constructs of ``pattern`` into ``re`` syntax."""
    if "\\p" not in pattern and "\\P" not in pattern:
        return pattern
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            m = _PROPERTY.match(pattern, i)
            if m:
                negate = m.group(1) == "P"
                ranges = _category_ranges(m.group(2))
                if in_class:
                    if negate:
                        # Not expressible inside a Python class; no AWS model uses it.
                        raise ValueError(f"unsupported \\P inside a class in {pattern!r}")
                    out.append(ranges)
                else:
                    out.append(f"[{'^' if negate else ''}{ranges}]")
                i = m.end()
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


@cache
def compile_java(pattern: str) -> re.Pattern[str]:
    """Compile a model ``pattern`` once; use ``.fullmatch`` (Java ``matches()``)."""
    return re.compile(translate(pattern), re.ASCII)
