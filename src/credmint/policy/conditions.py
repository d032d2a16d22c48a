"""The condition operator table and compiled conditions.

Each operator is described once in :data:`OPERATORS`: how a policy value is
prepared at compile time, how one request value is tested against it, whether
the operator is negated, and whether policy variables are allowed in its values.
The AWS rules for missing keys, ``...IfExists``, ``ForAnyValue:`` and
``ForAllValues:`` live in :meth:`CompiledCondition.evaluate`, in one place.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .matching import ArnPattern, KeyValues, Matcher, Template, parse_template, parts_matcher

#: Set-operator prefixes (case-insensitive in the policy text).
SET_NONE, SET_ANY, SET_ALL = 0, 1, 2

#: A prepared policy value: turns one request value into a yes/no.
ValueTest = Callable[[str], bool]


class ConditionValueError(ValueError):
    """A policy value the operator cannot use (bad number, date, CIDR, base64)."""


# --- value parsing ---------------------------------------------------------------------


def _number(text: str) -> Decimal | None:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


@lru_cache(maxsize=2048)
def parse_date(text: str) -> float | None:
    """Seconds since the epoch from W3C ISO 8601 (date, date-time, zone) or epoch seconds."""
    t = text.strip()
    if not t:
        return None
    n = _number(t)
    if n is not None and ("-" not in t[1:]):
        return float(n)
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return None
    if dt.tzinfo is None:
        # AWS dates without an offset are UTC.
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def policy_value_text(value: Any) -> str:
    """A Condition value as text: JSON booleans are ``true``/``false``, numbers as written."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    raise ConditionValueError(f"unsupported condition value {value!r}")


# --- per-operator preparation: policy text -> ValueTest -------------------------------


def _string_equals(text: str) -> ValueTest:
    return text.__eq__


def _string_equals_ic(text: str) -> ValueTest:
    low = text.lower()

    def test(v: str) -> bool:
        return v.lower() == low

    return test


def _numeric(cmp: Callable[[Decimal, Decimal], bool]) -> Callable[[str], ValueTest]:
    def prepare(text: str) -> ValueTest:
        want = _number(text)
        if want is None:
            raise ConditionValueError(text)

        def test(v: str) -> bool:
            got = _number(v)
            return got is not None and cmp(got, want)

        return test

    return prepare


def _date(cmp: Callable[[float, float], bool]) -> Callable[[str], ValueTest]:
    def prepare(text: str) -> ValueTest:
        want = parse_date(text)
        if want is None:
            raise ConditionValueError(text)

        def test(v: str) -> bool:
            got = parse_date(v)
            return got is not None and cmp(got, want)

        return test

    return prepare


def _bool(text: str) -> ValueTest:
    low = text.lower()

    def test(v: str) -> bool:
        return v.lower() == low

    return test


def _binary(text: str) -> ValueTest:
    want = _b64(text)
    if want is None:
        raise ConditionValueError(text)

    def test(v: str) -> bool:
        # Request values for binary keys travel base64-encoded like the policy's;
        # a value that is not base64 is compared as its UTF-8 bytes.
        got = _b64(v)
        return (got if got is not None else v.encode()) == want

    return test


@lru_cache(maxsize=4096)
def _ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    # Parsed once per distinct source address: every IpAddress test of a request reuses it.
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _ip(text: str) -> ValueTest:
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as exc:
        raise ConditionValueError(text) from exc

    def test(v: str) -> bool:
        addr = _ip_address(v)
        return addr is not None and addr.version == net.version and addr in net

    return test


def _eq(a: Any, b: Any) -> bool:
    return bool(a == b)


def _lt(a: Any, b: Any) -> bool:
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    return bool(a <= b)


def _gt(a: Any, b: Any) -> bool:
    return bool(a > b)


def _ge(a: Any, b: Any) -> bool:
    return bool(a >= b)


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    name: str
    #: ``string`` (prepare from text), ``like`` (glob), ``arn`` (ARN glob), ``null``, or a value kind.
    kind: str
    negated: bool
    variables: bool
    prepare: Callable[[str], ValueTest] | None = None


def _spec(
    name: str, kind: str, negated: bool, variables: bool, prepare: Callable[[str], ValueTest] | None = None
) -> OperatorSpec:
    return OperatorSpec(name, kind, negated, variables, prepare)


#: Every base operator AWS documents, keyed by lower-cased name.
OPERATORS: dict[str, OperatorSpec] = {
    s.name.lower(): s
    for s in (
        _spec("StringEquals", "string", False, True, _string_equals),
        _spec("StringNotEquals", "string", True, True, _string_equals),
        _spec("StringEqualsIgnoreCase", "string", False, True, _string_equals_ic),
        _spec("StringNotEqualsIgnoreCase", "string", True, True, _string_equals_ic),
        _spec("StringLike", "like", False, True),
        _spec("StringNotLike", "like", True, True),
        _spec("NumericEquals", "value", False, False, _numeric(_eq)),
        _spec("NumericNotEquals", "value", True, False, _numeric(_eq)),
        _spec("NumericLessThan", "value", False, False, _numeric(_lt)),
        _spec("NumericLessThanEquals", "value", False, False, _numeric(_le)),
        _spec("NumericGreaterThan", "value", False, False, _numeric(_gt)),
        _spec("NumericGreaterThanEquals", "value", False, False, _numeric(_ge)),
        _spec("DateEquals", "value", False, False, _date(_eq)),
        _spec("DateNotEquals", "value", True, False, _date(_eq)),
        _spec("DateLessThan", "value", False, False, _date(_lt)),
        _spec("DateLessThanEquals", "value", False, False, _date(_le)),
        _spec("DateGreaterThan", "value", False, False, _date(_gt)),
        _spec("DateGreaterThanEquals", "value", False, False, _date(_ge)),
        _spec("Bool", "string", False, True, _bool),
        _spec("BinaryEquals", "value", False, False, _binary),
        _spec("IpAddress", "value", False, False, _ip),
        _spec("NotIpAddress", "value", True, False, _ip),
        _spec("ArnEquals", "arn", False, True),
        _spec("ArnLike", "arn", False, True),
        _spec("ArnNotEquals", "arn", True, True),
        _spec("ArnNotLike", "arn", True, True),
        _spec("Null", "null", False, False),
    )
}


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    text: str
    spec: OperatorSpec
    set_mode: int
    if_exists: bool


def parse_operator(text: str) -> ParsedOperator | None:
    """``[ForAnyValue:|ForAllValues:]<Op>[IfExists]`` or ``None`` when AWS would not know it."""
    rest = text
    set_mode = SET_NONE
    low = rest.lower()
    if low.startswith("foranyvalue:"):
        set_mode, rest = SET_ANY, rest[len("ForAnyValue:") :]
    elif low.startswith("forallvalues:"):
        set_mode, rest = SET_ALL, rest[len("ForAllValues:") :]
    low = rest.lower()
    if_exists = False
    spec = OPERATORS.get(low)
    if spec is None and low.endswith("ifexists"):
        spec = OPERATORS.get(low[: -len("ifexists")])
        if_exists = True
    if spec is None:
        return None
    if spec.kind == "null" and (if_exists or set_mode != SET_NONE):
        # AWS: Null has no IfExists form and is not a set operator.
        return None
    return ParsedOperator(text, spec, set_mode, if_exists)


# --- compiled condition ----------------------------------------------------------------


_NO_KEYS: KeyValues = {}


class _Value:
    """One policy value of one condition, prepared; with variables, resolved per request."""

    __slots__ = ("_arn", "_template", "has_variables", "kind", "prepare", "test", "text")

    def __init__(self, spec: OperatorSpec, text: str, variables: bool) -> None:
        self.text = text
        self.kind = spec.kind
        self.prepare = spec.prepare
        self._arn: ArnPattern | None = None
        self._template: Template | None = None
        self.test: ValueTest | None = None
        use_vars = variables and spec.variables
        if spec.kind == "arn":
            arn = ArnPattern(text, use_vars)
            self._arn = arn
            self.has_variables = arn.has_variables
            if not arn.has_variables:
                self.test = arn.matcher(_NO_KEYS)
            return
        template = parse_template(text, use_vars)
        self.has_variables = template.has_variables
        if self.has_variables:
            self._template = template
            return
        self.test = self._build(template.parts)

    def _build(self, parts: tuple[Any, ...]) -> ValueTest:
        if self.kind == "like":
            m: Matcher = parts_matcher(parts)
            return m
        # Exact operators: escapes and substituted values are just their characters.
        text = "".join(p if isinstance(p, str) else p.text for p in parts)
        assert self.prepare is not None
        return self.prepare(text)

    def resolve(self, keys: KeyValues) -> ValueTest | None:
        if self.test is not None:
            return self.test
        if self._arn is not None:
            return self._arn.matcher(keys)
        assert self._template is not None
        parts = self._template.resolve(keys)
        if parts is None:
            return None
        return self._build(parts)


class CompiledCondition:
    """One ``operator → key → values`` triple, ready to evaluate against a request."""

    __slots__ = (
        "_static",
        "_values",
        "if_exists",
        "key",
        "key_text",
        "negated",
        "null",
        "null_wants",
        "operator",
        "set_mode",
    )

    def __init__(self, op: ParsedOperator, key: str, values: tuple[str, ...], variables: bool) -> None:
        self.operator = op.text
        self.key_text = key
        self.key = key.lower()
        self.set_mode = op.set_mode
        self.if_exists = op.if_exists
        self.negated = op.spec.negated
        self.null = op.spec.kind == "null"
        #: Null: "true" asks for absence, "false" for presence; several values OR.
        self.null_wants = frozenset(v.lower() == "true" for v in values) if self.null else frozenset()
        self._values: tuple[_Value, ...] = ()
        self._static: tuple[ValueTest, ...] | None = ()
        if self.null:
            return
        self._values = tuple(_Value(op.spec, v, variables) for v in values)
        static = [v.test for v in self._values if not v.has_variables]
        self._static = tuple(t for t in static if t is not None) if len(static) == len(self._values) else None

    def _tests(self, keys: KeyValues) -> tuple[ValueTest, ...]:
        if self._static is not None:
            return self._static
        # A value whose variable cannot be resolved never matches (positive ops fail,
        # negated ops succeed), exactly as AWS documents for unresolved variables.
        out = []
        for v in self._values:
            t = v.resolve(keys)
            if t is not None:
                out.append(t)
        return tuple(out)

    def evaluate(self, keys: KeyValues, missing: list[str] | None) -> bool:
        values = keys.get(self.key)
        if self.null:
            return (not values) in self.null_wants
        if not values:
            # Missing (or empty) key.
            if missing is not None:
                missing.append(self.key_text)
            if self.if_exists:
                return True
            if self.set_mode == SET_ALL:
                return True
            if self.set_mode == SET_ANY:
                return False
            return self.negated
        tests = self._tests(keys)
        if self.set_mode == SET_NONE:
            # Several policy values OR; for a negated operator the result is the
            # negation, so several values behave as AND ("matches none of them").
            hit = any(t(v) for v in values for t in tests)
            return not hit if self.negated else hit
        if self.negated:
            per = [not any(t(v) for t in tests) for v in values]
        else:
            per = [any(t(v) for t in tests) for v in values]
        return any(per) if self.set_mode == SET_ANY else all(per)
