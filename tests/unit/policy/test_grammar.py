"""IAM's identity-policy grammar (credmint.policy.grammar): one test per rule of the table,
and the order of the passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.policy import compile_policy, grammar

OK: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17", **top: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"Statement": list(statements), **top}
    if version is not None:
        d["Version"] = version
    return d


def answer(body: Any, *, managed: bool = False) -> str | None:
    """What IAM answers for ``body`` as an identity policy (None: accepted), through
    compile_policy, so the grammar and the compiler agree."""
    try:
        compile_policy(json.dumps(body), kind="identity", managed=managed)
    except AwsError as err:
        assert err.code == "MalformedPolicyDocument" and err.status == 400
        return err.message
    return None


def test_the_table_is_in_iams_order() -> None:
    assert [name for name, _ in grammar.CHECKS] == [
        "syntax",
        "version",
        "principal",
        "legacy",
        "sid_unique",
        "sid_alnum",
        "actions",
        "resources",
        "resource_format",
        "action_prefix",
    ]


# --- syntax ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        doc(OK, Extra="x"),  # unknown top-level element
        doc(OK, Id=7),  # a non-string Id
        doc(),  # no statements
        doc({**OK, "Foo": 1}),  # unknown statement element
        doc({"Action": "s3:*", "Resource": "*"}),  # no Effect
        doc({**OK, "Effect": "Permit"}),
        doc({**OK, "NotAction": "s3:*"}),  # Action and NotAction
        doc({**OK, "Action": ["s3:GetObject", 3]}),
        doc({**OK, "Sid": 1}),
        doc({**OK, "Condition": {"StringEquals": "x"}}),
        doc({**OK, "Condition": {"StringEquals": {"aws:x": {"nested": 1}}}}),
    ],
)
def test_syntax(body: dict[str, Any]) -> None:
    assert answer(body) == grammar.SYNTAX


def test_an_unknown_condition_operator_is_a_syntax_error() -> None:
    assert answer(doc({**OK, "Condition": {"StringEqualz": {"aws:x": "y"}}})) == grammar.SYNTAX


def test_an_empty_operator_block_is_accepted_whatever_the_operator() -> None:
    assert answer(doc({**OK, "Condition": {"StringEqualz": {}}})) is None
    assert answer(doc({**OK, "Condition": {"StringEquals": {}}})) is None


def test_condition_keys_need_no_vendor_prefix() -> None:
    assert answer(doc({**OK, "Condition": {"StringEquals": {"SourceIp": "x"}}})) is None
    # ...and such a key is absent from every request: the statement never applies.
    policy = compile_policy(json.dumps(doc({**OK, "Condition": {"StringEquals": {"foo": "x"}}})), kind="identity")
    assert policy.statements[0].condition_keys == ("foo",)


# --- version, principal ----------------------------------------------------------------------


def test_managed_policies_need_2012_10_17() -> None:
    assert answer(doc(OK, version="2008-10-17"), managed=True) == grammar.VERSION_OLD
    assert answer(doc(OK, version=None), managed=True) == grammar.VERSION_OLD
    assert answer(doc(OK, version="2008-10-17")) is None  # inline policies may


def test_identity_policies_name_no_principal() -> None:
    assert answer(doc({**OK, "Principal": "*"})) == grammar.PRINCIPAL_FORBIDDEN


# --- legacy parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        doc(OK, version="2012-10-18"),  # a Version IAM does not know
        doc({**OK, "Effect": "allow"}),  # Effect in the wrong case
        doc({**OK, "Resource": "arn:aws:s3::bucket"}),  # a four-part ARN
        doc({**OK, "Resource": "arn:aws::x:y:z"}),  # an empty service
        doc({**OK, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "soon"}}}),
        doc({**OK, "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}}),
    ],
)
def test_legacy_parsing(body: dict[str, Any]) -> None:
    assert answer(body) == grammar.LEGACY


def test_condition_values_that_parse_are_accepted() -> None:
    assert answer(doc({**OK, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}})) is None
    assert answer(doc({**OK, "Condition": {"DateGreaterThan": {"aws:EpochTime": "1700000000"}}})) is None
    assert answer(doc({**OK, "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}})) is None


# --- Sids, actions and resources present ---------------------------------------------------------


def test_duplicate_sids() -> None:
    assert answer(doc({**OK, "Sid": "A"}, {**OK, "Sid": "A"})) == grammar.SID_UNIQUE


def test_sids_are_alphanumeric() -> None:
    assert answer(doc({**OK, "Sid": "a b"})) == grammar.SID_ALNUM


@pytest.mark.parametrize("body", [doc({"Effect": "Allow", "Resource": "*"}), doc({**OK, "Action": []})])
def test_statements_need_actions(body: dict[str, Any]) -> None:
    assert answer(body) == grammar.NO_ACTIONS


@pytest.mark.parametrize("body", [doc({"Effect": "Allow", "Action": "s3:*"}), doc({**OK, "Resource": []})])
def test_statements_need_resources(body: dict[str, Any]) -> None:
    assert answer(body) == grammar.NO_RESOURCES


# --- resource formats ------------------------------------------------------------------------------


def test_resource_not_an_arn() -> None:
    assert answer(doc({**OK, "Resource": "bucket"})) == 'Resource bucket must be in ARN format or "*".'


def test_bad_partition() -> None:
    assert answer(doc({**OK, "Resource": "arn:aws-nope:s3:::b"})) == (
        'Partition "aws-nope" is not valid for resource "arn:aws-nope:s3:::b".'
    )
    assert answer(doc({**OK, "Resource": "arn:aws-nope:s3"})) == (
        'Partition "aws-nope" is not valid for resource "arn:aws-nope:s3:*:*:*".'
    )


def test_partition_alone_is_not_a_qualified_vendor() -> None:
    assert answer(doc({**OK, "Resource": "arn:aws"})) == grammar.VENDOR_NOT_QUALIFIED


def test_three_part_arn_is_accepted() -> None:
    assert answer(doc({**OK, "Resource": "arn:aws:ec2"})) is None


def test_iam_and_s3_resources_carry_no_region() -> None:
    iam = "arn:aws:iam:us-east-1:123456789012:user/x"
    assert answer(doc({**OK, "Resource": iam})) == f"IAM resource {iam} cannot contain region information."
    s3 = "arn:aws:s3:us-east-1::bucket"
    assert answer(doc({**OK, "Resource": s3})) == f"Resource {s3} can not contain region information."


def test_iam_resource_paths_start_with_a_resource_type() -> None:
    assert answer(doc({**OK, "Resource": "arn:aws:iam::123456789012:usr/x"})) == grammar.IAM_RESOURCE_PATH
    for good in ("user/x", "role/*", "policy/p", "root"):
        assert answer(doc({**OK, "Resource": f"arn:aws:iam::123456789012:{good}"})) is None, good


# --- action prefixes ---------------------------------------------------------------------------------


def test_actions_need_a_vendor() -> None:
    assert answer(doc({**OK, "Action": "GetObject"})) == grammar.NO_VENDOR


def test_actions_have_one_colon() -> None:
    assert answer(doc({**OK, "Action": "s3:Get:Object"})) == grammar.ONE_COLON


def test_vendor_characters() -> None:
    assert answer(doc({**OK, "Action": "s_3:GetObject"})) == "Vendor s_3 is not valid"


# --- order ------------------------------------------------------------------------------------------


def test_duplicate_sids_are_reported_before_a_missing_action() -> None:
    assert answer(doc({"Effect": "Allow", "Resource": "*", "Sid": "A"}, {**OK, "Sid": "A"})) == grammar.SID_UNIQUE


def test_condition_syntax_is_reported_before_a_missing_action() -> None:
    body = doc({"Effect": "Allow", "Resource": "*", "Condition": {"Bogus": {"aws:x": "y"}}})
    assert answer(body) == grammar.SYNTAX


def test_resource_formats_come_before_action_prefixes() -> None:
    assert answer(doc({**OK, "Action": "GetObject", "Resource": "bucket"})) == (
        'Resource bucket must be in ARN format or "*".'
    )


def test_legacy_parsing_comes_before_missing_resources() -> None:
    assert answer(doc({"Effect": "allow", "Action": "s3:*"})) == grammar.LEGACY


def test_a_list_is_read_in_reverse_lexical_order() -> None:
    assert answer(doc({**OK, "Resource": ["arn:aws-a:s3:::x", "bucket"]})) == (
        'Resource bucket must be in ARN format or "*".'
    )
