"""credmint.policy.conditions: the operator table, operator names as IAM reads them, value
preparation (hostile values refused at compile time) and AWS's rules for missing keys, IfExists
and the set operators."""

from __future__ import annotations

from typing import Any

import pytest

from credmint.policy import OPERATORS, parse_date
from credmint.policy.conditions import (
    SET_ALL,
    SET_ANY,
    SET_NONE,
    CompiledCondition,
    ConditionValueError,
    parse_operator,
    policy_value_text,
)


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2024-05-01T12:00:00Z", 1714564800.0),
        ("2024-05-01T12:00:00.500Z", 1714564800.5),
        ("2024-05-01", 1714521600.0),
        ("1714564800", 1714564800.0),
        ("2024-05-01T14:00:00+02:00", 1714564800.0),
        ("nope", None),
        ("", None),
    ],
)
def test_parse_date(text: str, epoch: float | None) -> None:
    assert parse_date(text) == epoch


def condition(operator: str, *values: str, key: str = "k", variables: bool = False) -> CompiledCondition:
    op = parse_operator(operator)
    assert op is not None, operator
    return CompiledCondition(op, key, values, variables)


def holds(cond: CompiledCondition, *values: str, key: str = "k") -> bool:
    return cond.evaluate({key.lower(): values} if values else {}, None)


def test_every_documented_operator_is_in_the_table() -> None:
    assert len(OPERATORS) == 27
    assert all(name == spec.name.lower() for name, spec in OPERATORS.items())
    negated = {spec.name for spec in OPERATORS.values() if spec.negated}
    assert negated == {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }


@pytest.mark.parametrize(
    ("text", "name", "set_mode", "if_exists"),
    [
        ("StringEquals", "StringEquals", SET_NONE, False),
        ("stringequals", "StringEquals", SET_NONE, False),
        ("StringLikeIfExists", "StringLike", SET_NONE, True),
        ("ForAnyValue:StringLike", "StringLike", SET_ANY, False),
        ("forallvalues:ArnEqualsIfExists", "ArnEquals", SET_ALL, True),
    ],
)
def test_operator_names(text: str, name: str, set_mode: int, if_exists: bool) -> None:
    op = parse_operator(text)
    assert op is not None
    assert (op.spec.name, op.set_mode, op.if_exists, op.text) == (name, set_mode, if_exists, text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "IfExists",
        "StringEqualz",
        "ForAnyValue:",
        "ForSomeValues:StringEquals",
        "StringEqualsIfExistsIfExists",
        "ForAnyValue:ForAllValues:StringEquals",
        "NullIfExists",  # Null has no IfExists form ...
        "ForAnyValue:Null",  # ... and is no set operator
        "StringEquals\x00",
    ],
)
def test_unknown_operators_are_none(text: str) -> None:
    assert parse_operator(text) is None


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("NumericEquals", "ten"),
        ("NumericLessThan", "NaN"),
        ("NumericGreaterThan", "Infinity"),
        ("NumericEquals", ""),
        ("DateGreaterThan", "yesterday"),
        ("DateLessThan", "2024-13-45T99:00:00Z"),
        ("BinaryEquals", "not base64!"),
        ("IpAddress", "10.0.0.0/33"),
        ("NotIpAddress", "256.1.1.1"),
        ("IpAddress", "::1/129"),
    ],
)
def test_values_an_operator_cannot_use_are_refused_at_compile_time(operator: str, value: str) -> None:
    with pytest.raises(ConditionValueError):
        condition(operator, value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "true"), (False, "false"), (10, "10"), (1.5, "1.5"), ("s", "s")],
)
def test_policy_values_as_text(value: Any, text: str) -> None:
    assert policy_value_text(value) == text


@pytest.mark.parametrize("value", [None, [], {}, b"bytes"])
def test_policy_values_of_other_types_are_refused(value: Any) -> None:
    with pytest.raises(ConditionValueError):
        policy_value_text(value)


def test_request_values_that_do_not_parse_never_match() -> None:
    assert holds(condition("NumericLessThan", "10"), "9")
    assert not holds(condition("NumericLessThan", "10"), "nine")
    assert not holds(condition("DateLessThan", "2024-05-01"), "not a date")
    assert holds(condition("IpAddress", "10.0.0.0/8"), "10.1.2.3")
    assert not holds(condition("IpAddress", "10.0.0.0/8"), "10.1.2.3.4")
    # An IPv4 network never holds an IPv6 address (nor the reverse).
    assert not holds(condition("IpAddress", "0.0.0.0/0"), "::ffff:10.1.2.3")
    assert holds(condition("NotIpAddress", "0.0.0.0/0"), "::1")


def test_binary_values_compare_decoded() -> None:
    cond = condition("BinaryEquals", "QmluYXJ5")  # "Binary"
    assert holds(cond, "QmluYXJ5")
    assert holds(cond, "Binary")  # not base64: compared as its bytes
    assert not holds(cond, "QmluYXJz")


def test_several_values_or_and_a_negated_operator_matches_none() -> None:
    assert holds(condition("StringEquals", "a", "b"), "b")
    assert not holds(condition("StringEquals", "a", "b"), "c")
    assert not holds(condition("StringNotEquals", "a", "b"), "b")
    assert holds(condition("StringNotEquals", "a", "b"), "c")
    assert holds(condition("StringEqualsIgnoreCase", "Alice"), "aLICE")
    assert holds(condition("Bool", "true"), "TRUE")


@pytest.mark.parametrize(
    ("operator", "result"),
    [
        ("StringEquals", False),
        ("StringNotEquals", True),
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAllValues:StringEquals", True),
    ],
)
def test_a_missing_key(operator: str, result: bool) -> None:
    cond = condition(operator, "a", key="Some:Key")
    missing: list[str] = []
    assert cond.evaluate({}, missing) is result
    assert missing == ["Some:Key"]  # reported as written in the policy
    assert cond.evaluate({"some:key": ()}, None) is result  # an empty value is a missing one


def test_set_operators() -> None:
    any_ = condition("ForAnyValue:StringEquals", "a", "b")
    all_ = condition("ForAllValues:StringEquals", "a", "b")
    assert holds(any_, "x", "b") and not holds(any_, "x", "y")
    assert holds(all_, "a", "b") and not holds(all_, "a", "x")
    none_of = condition("ForAllValues:StringNotEquals", "a")
    assert holds(none_of, "x", "y") and not holds(none_of, "x", "a")


def test_null_asks_for_absence_or_presence() -> None:
    absent, present = condition("Null", "true"), condition("Null", "false")
    assert holds(absent) and not holds(absent, "v")
    assert holds(present, "v") and not holds(present)
    assert holds(condition("Null", "true", "false"))  # several values OR


def test_variables_resolve_per_request_and_an_unresolved_one_never_matches() -> None:
    cond = condition("StringEquals", "${aws:username}", variables=True)
    assert cond.evaluate({"k": ("alice",), "aws:username": ("alice",)}, None)
    assert not cond.evaluate({"k": ("alice",), "aws:username": ("bob",)}, None)
    assert not cond.evaluate({"k": ("alice",)}, None)
    negated = condition("StringNotEquals", "${aws:username}", variables=True)
    assert negated.evaluate({"k": ("alice",)}, None)
    # Without variables (policy version 2008-10-17) the text is taken literally.
    literal = condition("StringEquals", "${aws:username}")
    assert holds(literal, "${aws:username}")


def test_like_and_arn_operators_match_globs() -> None:
    assert holds(condition("StringLike", "a*c?"), "abbbcd")
    assert not holds(condition("StringLike", "a*c?"), "abbbc")
    arn = condition("ArnLike", "arn:aws:s3:::bucket/*")
    assert holds(arn, "arn:aws:s3:::bucket/key") and not holds(arn, "arn:aws:s3:::other/key")
    assert not holds(arn, "not an arn")
