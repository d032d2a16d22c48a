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

import json
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}")


#: The general categories AWS's models use in ``\\p{..}`` (IAM, STS, S3, Organizations,
#: CloudTrail: ``L``, ``N`` and ``Z``), and ``scripts/generate_unicode_categories.py``
#: tabulates.
CATEGORIES = ("L", "N", "Z")

_TABLE = Path(__file__).resolve().parent.parent / "data" / "unicode_categories.json"


@cache
def _tabulated() -> dict[str, list[list[int]]]:
    """The generated ranges, if they are for this Python's Unicode version."""
    try:
        data = json.loads(_TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if data.get("unidata_version") != unicodedata.unidata_version:
        return {}
    categories: dict[str, list[list[int]]] = data["categories"]
    return categories


def scan_category_ranges(category: str) -> list[list[int]]:
    """The code points of a Unicode general category (``L`` or ``Lu``), as ``[lo, hi]``
    ranges, by asking ``unicodedata`` about every code point (about 0.3 s)."""
    exact = len(category) != 1
    ranges: list[list[int]] = []
    start = -1
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        if cat == category if exact else cat[0] == category:
            if start < 0:
                start = cp
        elif start >= 0:
            ranges.append([start, cp - 1])
            start = -1
    if start >= 0:
        ranges.append([start, sys.maxunicode])
    return ranges


@cache
def _category_ranges(category: str) -> str:
    """The code points of a Unicode general category as ``re`` class ranges: from the
    generated table when it matches this Python's Unicode version (the first IAM request
    used to spend a second scanning), else scanned."""
    ranges = _tabulated().get(category)
    if ranges is None:
        ranges = scan_category_ranges(category)
    return "".join(_range(lo, hi) for lo, hi in ranges)


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
