"""credmint.policy.matching: wildcard, ARN, variable and pattern-overlap matching."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credmint.policy import compile_policy, names_within
from credmint.policy.matching import (
    ArnPattern,
    Glob,
    Literal,
    Variable,
    glob_matcher,
    glob_tokens,
    parse_template,
    tokens_cover,
    tokens_overlap,
)


@pytest.mark.parametrize(
    ("pattern", "value", "ok"),
    [
        ("*", "", True),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("ab*", "abxyz", True),
        ("ab*", "a", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("*b*", "xbx", True),
        ("a.c", "abc", False),
        ("a*c*e", "abcde", True),
        ("x\ny*", "x\nyz", True),
    ],
)
def test_glob(pattern: str, value: str, ok: bool) -> None:
    assert glob_matcher(pattern)(value) is ok


def test_template_parsing() -> None:
    t = parse_template("a/${aws:UserName}/${*}/${aws:PrincipalTag/t, 'd x'}/${bad key}", True)
    assert t.parts == (
        "a/",
        Variable("aws:username", None),
        "/",
        Literal("*"),
        "/",
        Variable("aws:principaltag/t", "d x"),
        "/${bad key}",
    )
    assert parse_template("${aws:username}", False).parts == ("${aws:username}",)


def test_arn_pattern_with_variable_containing_colon_in_key() -> None:
    p = ArnPattern("arn:aws:s3:::b/${aws:username}/*", True)
    value = "arn:aws:s3:::b/alice/x"
    assert p.matches(value, {"aws:username": ("alice",)})
    assert not p.matches(value, {"aws:username": ("bob",)})
    assert not p.matches(value, {})
    # Wildcards in the first five fields never span a colon; the resource field's do.
    assert not ArnPattern("arn:aws:sqs:*:queue", True).matches("arn:aws:sqs:us-east-1:1:queue", {})
    assert ArnPattern("arn:aws:sqs:*:*:q*", True).matches("arn:aws:sqs:us-east-1:1:q:x", {})
    assert not ArnPattern("arn:aws:sqs:*:*:q*", True).matches("arn:aws:sqs:us:east:1:q", {})
    assert not ArnPattern("arn:aws:s3:::b/*", True).matches("*", {})


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("*/AWSLogs/*", "example-bucket/*", True),
        ("other/*", "example/*", False),
        ("a?c", "a*", True),
        ("abc", "abd", False),
        ("*.iso", "b/*", True),
        ("", "*", True),
        ("a", "", False),
    ],
)
def test_tokens_overlap(a: str, b: str, overlap: bool) -> None:
    assert tokens_overlap(glob_tokens((a,)), glob_tokens((b,))) is overlap


@pytest.mark.parametrize(
    ("outer", "inner", "cover"),
    [
        ("*", "anything*", True),
        ("b/*", "b/private/*", True),
        ("b/private/*", "b/*", False),
        ("b/?", "b/x", True),
        ("b/?", "b/*", False),
        ("abc", "abc", True),
        ("*/AWSLogs/*", "example-bucket/*", False),
    ],
)
def test_tokens_cover(outer: str, inner: str, cover: bool) -> None:
    assert tokens_cover(glob_tokens((outer,)), glob_tokens((inner,))) is cover


# --- linear-time globs --------------------------------------------------------------------


def _reference_glob(pattern: str, value: str, no_colon: bool = False) -> bool:
    """Textbook dynamic programme: ``ok[j]`` = pattern so far matches ``value[:j]``."""
    ok = [True] + [False] * len(value)
    for ch in pattern:
        if ch == "*":
            nxt = [False] * (len(value) + 1)
            for j in range(len(value) + 1):
                nxt[j] = ok[j] or (j > 0 and nxt[j - 1] and not (no_colon and value[j - 1] == ":"))
        else:
            nxt = [False] + [
                ok[j] and (value[j] == ch or (ch == "?" and not (no_colon and value[j] == ":")))
                for j in range(len(value))
            ]
        ok = nxt
    return ok[-1]


def _reference_arn(pattern: str, value: str) -> bool:
    fields = pattern.split(":", 5)
    if len(fields) < 6:
        return _reference_glob(pattern, value) if fields[0] != "arn" else False
    got = value.split(":", 5)
    return len(got) == 6 and all(
        _reference_glob(f, v, no_colon=n < 5) for n, (f, v) in enumerate(zip(fields, got))
    )


_small = st.text(alphabet="ab?*", max_size=8)
_values = st.text(alphabet="ab", max_size=10)


@settings(max_examples=600, deadline=None)
@given(pattern=_small, value=_values)
def test_glob_agrees_with_reference(pattern: str, value: str) -> None:
    assert glob_matcher(pattern)(value) is _reference_glob(pattern, value)
    assert Glob(glob_tokens((pattern,)))(value) is _reference_glob(pattern, value)


@settings(max_examples=600, deadline=None)
@given(
    pattern=st.lists(st.text(alphabet="ab?*:", max_size=4), min_size=1, max_size=7),
    value=st.lists(st.text(alphabet="ab:", max_size=4), min_size=1, max_size=7),
)
def test_arn_pattern_agrees_with_reference(pattern: list[str], value: list[str]) -> None:
    p = ":".join(["arn", *pattern])
    v = ":".join(["arn", *value])
    assert ArnPattern(p, False).matches(v, {}) is _reference_arn(p, v)


@pytest.mark.parametrize(
    ("pattern", "name", "value", "ok"),
    [
        # A substituted value's ``*`` is a character, and a ``:`` in it must line up.
        ("arn:aws:s3:::b/${aws:username}/*", "a*b", "arn:aws:s3:::b/aXb/x", False),
        ("arn:aws:s3:::b/${aws:username}/*", "a*b", "arn:aws:s3:::b/a*b/x", True),
        ("arn:aws:s3:::b/${aws:username}/*", "a:b", "arn:aws:s3:::b/a:b/x", True),
        ("arn:aws:${aws:username}:::b", "x:y", "arn:aws:x:y:::b", True),
        ("arn:aws:${aws:username}:::b", "x:y", "arn:aws:x:y::b", False),
        ("arn:aws:${aws:username}:::b", "x?", "arn:aws:xy:::b", False),
    ],
)
def test_arn_literals(pattern: str, name: str, value: str, ok: bool) -> None:
    assert ArnPattern(pattern, True).matches(value, {"aws:username": (name,)}) is ok


class _CountingStr(str):
    """A value that counts the string searches made on it."""

    calls = 0

    def find(self, *args: Any) -> int:
        _CountingStr.calls += 1
        return super().find(*args)

    def startswith(self, *args: Any) -> bool:
        _CountingStr.calls += 1
        return super().startswith(*args)


_PATHOLOGICAL = [
    # Each of these held a backtracking regex for minutes (or longer).
    ("*a" * 5 + "*x", "a" * 200),
    ("*a" * 12 + "*x", "a" * 3000),
    ("*a?" * 12 + "*x", "a" * 3000),
    ("*?a" * 12 + "?", "ab" * 1500),
]


@pytest.mark.parametrize(("pattern", "value"), _PATHOLOGICAL)
def test_pathological_globs_cost_a_bounded_number_of_searches(pattern: str, value: str) -> None:
    _CountingStr.calls = 0
    assert glob_matcher(pattern)(_CountingStr(value)) is _reference_glob(pattern, value)
    # Every search is one C-level scan of the value; O(len(pattern) × len(value)) overall.
    assert 0 < _CountingStr.calls <= len(pattern) * len(value)


@pytest.mark.parametrize(("pattern", "value"), _PATHOLOGICAL)
def test_pathological_patterns_everywhere_a_glob_is_matched(pattern: str, value: str) -> None:
    expected = _reference_glob(pattern, value)
    arn = ArnPattern("arn:aws:s3:::" + pattern, False)
    assert arn.matches("arn:aws:s3:::" + value, {}) is expected
    policy = compile_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:" + pattern,
                    "Resource": "arn:aws:s3:::" + pattern,
                    "Condition": {"StringLike": {"s3:prefix": pattern}, "ArnLike": {"aws:SourceArn": pattern}},
                }
            ],
        }
    )
    keys = {"s3:prefix": (value,), "aws:sourcearn": (value,)}
    st0 = policy.statements[0]
    assert st0.action(("s3:" + value).lower()) is _reference_glob(pattern.lower(), value.lower())
    assert st0.resource_test is not None
    assert st0.resource_test("arn:aws:s3:::" + value, keys) is expected
    assert all(c.evaluate(keys, None) for c in st0.conditions) is expected


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("arn:aws:s3:::b", True),
        ("arn:aws:s3:::b/*", True),
        ("arn:aws:s3:::b/secret/*", True),
        ("arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/a?c*", True),
        ("arn:aws:s3:::b*", True),
        ("arn:aws:s3:::*", True),
        ("arn:aws:s3:::?", True),
        ("*", True),
        ("arn:aws:s3:::*/k", True),
        ("arn:aws:s3:::bb", False),
        ("arn:aws:s3:::bb/*", False),
        ("arn:aws:s3:::other/*", False),
        ("arn:aws:s3:::b?/x", True),  # b//x: the key "/x"
        ("arn:aws:s3:::c?", False),
        ("arn:aws:s3:us-east-1::b/*", False),
        ("arn:aws:iam:::b/*", False),
        ("arn:aws:s3:::" + "*a" * 40 + "*x", True),
        ("arn:aws:s3:::" + "a*" * 40 + "x", False),
    ],
)
def test_names_within_bucket(pattern: str, ok: bool) -> None:
    assert names_within(pattern, "arn:aws:s3:::b") is ok


@settings(max_examples=400, deadline=None)
@given(pattern=st.text(alphabet="b/x?*", max_size=8), key=st.text(alphabet="bx/", max_size=6))
def test_names_within_is_sound(pattern: str, key: str) -> None:
    # Any pattern that matches the bucket or one of its keys is accepted.
    p = "arn:aws:s3:::" + pattern
    if _reference_glob(pattern, "b") or _reference_glob(pattern, "b/" + key):
        assert names_within(p, "arn:aws:s3:::b")


# --- pattern against pattern, in bounded time ---------------------------------------------


def _reference_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Search over the product automaton (exponential-free but O(len(a) × len(b)) states)."""
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        ta = a[i] if i < len(a) else None
        tb = b[j] if j < len(b) else None
        if ta == "**":
            stack.append((i + 1, j))
        if tb == "**":
            stack.append((i, j + 1))
        if ta is None or tb is None or (len(ta) == 1 and len(tb) == 1 and ta != tb):
            continue
        stack.append((i if ta == "**" else i + 1, j if tb == "**" else j + 1))
    return False


def _reference_cover(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    def go(i: int, j: int) -> bool:
        if i == len(outer):
            return j == len(inner)
        if outer[i] == "**":
            return go(i + 1, j) or (j < len(inner) and go(i, j + 1))
        if j == len(inner):
            return False
        if outer[i] == "??":
            return inner[j] != "**" and go(i + 1, j + 1)
        return inner[j] == outer[i] and go(i + 1, j + 1)

    return go(0, 0)


_globs = st.text(alphabet="ab?*", max_size=7).map(lambda s: glob_tokens((s,)))


@settings(max_examples=800, deadline=None)
@given(a=_globs, b=_globs)
def test_overlap_and_cover_agree_with_reference(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    assert tokens_overlap(a, b) is _reference_overlap(a, b)
    assert tokens_cover(a, b) is _reference_cover(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Long patterns: no recursion limit, no quadratic search in Python.
        ("a" * 5000, "a" * 5000),
        ("*a" * 3000 + "*b", "a" * 6000),
        ("a*" * 3000, "*" + "a" * 6000),
        ("?" * 4000 + "*", "a" * 4000 + "*"),
    ],
)
def test_overlap_and_cover_of_long_patterns(a: str, b: str) -> None:
    ta, tb = glob_tokens((a,)), glob_tokens((b,))
    assert isinstance(tokens_overlap(ta, tb), bool)
    assert isinstance(tokens_cover(ta, tb), bool)
    assert tokens_cover(ta, ta) and tokens_overlap(ta, ta)
