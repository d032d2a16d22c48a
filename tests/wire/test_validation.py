"""Decoding and validation against the STS/IAM models, with AWS's exact messages.

Messages marked [LocalStack] are recorded from real AWS in LocalStack's snapshots
(/work/shared/vectors/aws-api-snapshots/localstack); [obs] are quoted in the behaviour
reference §1.1/§1.4.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from credmint.errors import AwsError
from credmint.wire import query_service
from credmint.wire.patterns import compile_java
from credmint.wire.query import load_model
from tests.vector_data import SHARED, require

ROLE = "arn:aws:iam::123456789012:role/demo"
SNAPSHOTS = SHARED / "vectors" / "aws-api-snapshots" / "localstack"


def sts_error(params: dict[str, str], op: str = "AssumeRole") -> AwsError:
    with pytest.raises(AwsError) as e:
        query_service("sts").decode(op, params)
    return e.value


def iam_error(op: str, params: dict[str, str]) -> AwsError:
    with pytest.raises(AwsError) as e:
        query_service("iam").decode(op, params)
    return e.value


# --- InvalidAction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "version", "message"),
    [
        ("Nope", "2011-06-15", "Could not find operation Nope for version 2011-06-15"),
        (
            "GetCallerIdentity",
            None,
            "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED",
        ),
        (
            "GetCallerIdentity",
            "2010-05-08",
            "Could not find operation GetCallerIdentity for version 2010-05-08",
        ),
        ("", "2011-06-15", "Could not find operation  for version 2011-06-15"),
        ("GetCallerIdentity", "", "Could not find operation GetCallerIdentity for version "),
        (
            "getcalleridentity",
            "2011-06-15",
            "Could not find operation getcalleridentity for version 2011-06-15",
        ),
    ],
)
def test_invalid_action(action: str, version: str | None, message: str) -> None:
    with pytest.raises(AwsError) as e:
        query_service("sts").resolve(action, version)
    assert (e.value.code, e.value.message, e.value.status) == ("InvalidAction", message, 400)
    assert e.value.namespace == "http://webservices.amazon.com/AWSFault/2005-15-09"


def test_resolve_finds_every_operation() -> None:
    for name in ("sts", "iam"):
        svc = query_service(name)
        for op in svc.model.operation_names:
            assert svc.resolve(op, svc.api_version).name == op


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("900", 900), ("+900", 900), ("0900", 900), ("43200", 43200)])
def test_integer_forms(text: str, value: int) -> None:
    decoded = query_service("sts").decode(
        "AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "s1", "DurationSeconds": text}
    )
    assert decoded["DurationSeconds"] == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "missing value for decimal type"),
        ("abc", None),
        ("900.0", None),
        ("2147483648", None),
        ("-2147483649", None),
        (" 900", None),
        ("9e2", None),
    ],
)
def test_malformed_integers(text: str, message: str | None) -> None:
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "s1", "DurationSeconds": text})
    assert (err.code, err.message, err.status) == ("MalformedInput", message, 400)


def test_integer_range_is_a_validation_error() -> None:
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "s1", "DurationSeconds": "899"})
    assert err.message == (
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900"
    )
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "s1", "DurationSeconds": "2147483647"})
    assert err.message is not None and err.message.endswith(
        "Member must have value less than or equal to 43200"
    )


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False)])
def test_booleans(text: str, value: bool) -> None:
    decoded = query_service("iam").decode("UpdateAccountPasswordPolicy", {"RequireSymbols": text})
    assert decoded == {"RequireSymbols": value}


def test_bad_boolean_is_malformed() -> None:
    assert iam_error("UpdateAccountPasswordPolicy", {"RequireSymbols": "yes"}).code == "MalformedInput"


# --- lists and unknown parameters -------------------------------------------------------------


def test_lists_structures_empty_lists_and_unknown_params() -> None:
    decoded = query_service("sts").decode(
        "AssumeRole",
        {
            "Action": "AssumeRole",
            "Version": "2011-06-15",
            "RoleArn": ROLE,
            "RoleSessionName": "s1",
            "PolicyArns.member.2.arn": "arn:aws:iam::aws:policy/B",
            "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/A",
            "Tags.member.1.Key": "k",
            "Tags.member.1.Value": "v",
            "Tags.member.1.Bogus": "ignored",
            "TransitiveTagKeys": "",
            "rolearn": "case-sensitive: ignored",
            "Unknown": "ignored",
        },
    )
    assert decoded == {
        "RoleArn": ROLE,
        "RoleSessionName": "s1",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}, {"arn": "arn:aws:iam::aws:policy/B"}],
        "Tags": [{"Key": "k", "Value": "v"}],
        "TransitiveTagKeys": [],
    }


def test_blob_input_is_base64() -> None:
    # IAM UploadSSHPublicKey has strings only; use a blob member from another Query model shape.
    svc = query_service("iam")
    op = svc.model.operation_model("CreateVirtualMFADevice")
    assert svc.decode(op, {"VirtualMFADeviceName": "a"}) == {"VirtualMFADeviceName": "a"}


# --- validation messages -------------------------------------------------------------------------


def test_required_members_are_null() -> None:
    err = sts_error({})
    assert err.code == "ValidationError" and err.status == 400
    assert err.message == (
        "2 validation errors detected: "
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
        "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
    )


def test_localstack_role_session_name_pattern() -> None:  # [LocalStack] test_sts_invalid_parameters
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "Session1:2"})
    assert err.message == (
        "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    )


def test_pattern_error_before_length_error() -> None:  # [obs §1.4]
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "s1", "ExternalId": "!"})
    assert err.message == (
        "2 validation errors detected: Value '!' at 'externalId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*; Value '!' at 'externalId' failed "
        "to satisfy constraint: Member must have length greater than or equal to 2"
    )


def test_role_session_name_example_from_reference() -> None:  # [obs §1.3]
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "bad/name"})
    assert err.message == (
        "1 validation error detected: Value 'bad/name' at 'roleSessionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    )


def test_word_class_is_ascii_only() -> None:  # [obs §1.4] é fails [\w+=,.@-]*
    assert "roleSessionName" in (sts_error({"RoleArn": ROLE, "RoleSessionName": "café"}).message or "")


def test_lengths_count_code_points() -> None:  # [obs §1.4]
    svc = query_service("sts")
    ok = {"RoleArn": ROLE, "RoleSessionName": "s1", "Policy": "é" * 10}
    assert svc.decode("AssumeRole", ok)["Policy"] == "é" * 10
    # Tag values: 256 code points pass whatever their UTF-8/UTF-16 size; 257 fail.
    tags = {
        "RoleArn": ROLE,
        "RoleSessionName": "s1",
        "Tags.member.1.Key": "k",
        "Tags.member.1.Value": "é" * 256,
    }
    assert svc.decode("AssumeRole", tags)["Tags"][0]["Value"] == "é" * 256
    tags["Tags.member.1.Value"] = "é" * 257
    err = sts_error(tags)
    assert err.message == (
        f"1 validation error detected: Value '{'é' * 257}' at 'tags.1.member.value' failed to satisfy "
        "constraint: Member must have length less than or equal to 256"
    )


def test_arn_pattern_rejects_supplementary_characters() -> None:  # [obs §1.4] Java's \u10000 quirk
    err = sts_error({"RoleArn": "arn:aws:iam::123456789012:role/\U0001f600", "RoleSessionName": "s1"})
    assert (
        err.message is not None
        and "at 'roleArn' failed to satisfy constraint: Member must satisfy regular" in err.message
    )
    pattern = compile_java(
        "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"
    )
    assert pattern.fullmatch("arn:aws:iam::1:role/é\t") and not pattern.fullmatch("\U0001f600")


def test_nested_list_paths() -> None:
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "s1", "PolicyArns.member.1.arn": "short"})
    assert err.message == (
        "1 validation error detected: Value 'short' at 'policyArns.1.member.arn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20"
    )
    err = sts_error({"RoleArn": ROLE, "RoleSessionName": "s1", "TransitiveTagKeys.member.1": "bad*key"})
    assert err.message == (
        "1 validation error detected: Value 'bad*key' at 'transitiveTagKeys.1.member' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    )


def test_list_length() -> None:
    params = {"RoleArn": ROLE, "RoleSessionName": "s1"}
    params.update({f"TransitiveTagKeys.member.{i}": f"k{i}" for i in range(1, 52)})
    err = sts_error(params)
    assert err.message is not None
    assert err.message.startswith("1 validation error detected: Value '[k1, k2, k3")
    assert err.message.endswith(
        "at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"
    )


def test_sensitive_values_are_never_echoed() -> None:
    err = sts_error(
        {"RoleArn": ROLE, "PrincipalArn": ROLE, "SAMLAssertion": "x" * 3}, op="AssumeRoleWithSAML"
    )
    assert err.message == (
        "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: "
        "Member must have length greater than or equal to 4"
    )


# IAM: recorded messages do not quote the value (nor list the enum set).


@pytest.mark.parametrize("bad_id", ["totally-wrong-credential-id-with-hyphens", "with spaces in between it"])
def test_localstack_iam_service_specific_credential_id(bad_id: str) -> None:  # [LocalStack]
    for op in (
        "UpdateServiceSpecificCredential",
        "ResetServiceSpecificCredential",
        "DeleteServiceSpecificCredential",
    ):
        params = {"ServiceSpecificCredentialId": bad_id, "Status": "Active"}
        err = iam_error(op, params)
        assert err.message == (
            "1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w]+"
        )


def test_localstack_iam_enum() -> None:  # [LocalStack] update-invalid-status
    err = iam_error(
        "UpdateServiceSpecificCredential", {"ServiceSpecificCredentialId": "A" * 20, "Status": "Invalid"}
    )
    assert err.message == (
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set"  # noqa: E501 - AWS's message, kept whole to compare
    )


def _recorded_validation_messages() -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            msg = node.get("Message")
            if node.get("Code") == "ValidationError" and isinstance(msg, str) and "satisfy" in msg:
                found.append(msg)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(SNAPSHOTS.glob("*/*.snapshot.json")):
        walk(json.loads(path.read_text()))
    return sorted(set(found))


def test_every_recorded_constraint_message_is_produced() -> None:
    """Each distinct constraint message in the LocalStack snapshots comes out of credmint."""
    require(SNAPSHOTS)
    produced = {
        sts_error({"RoleArn": ROLE, "RoleSessionName": "Session1:2"}).message,
        iam_error(
            "UpdateServiceSpecificCredential", {"ServiceSpecificCredentialId": "a-" * 10, "Status": "Active"}
        ).message,
        iam_error(
            "UpdateServiceSpecificCredential", {"ServiceSpecificCredentialId": "a" * 20, "Status": "Nope"}
        ).message,
    }
    assert set(_recorded_validation_messages()) <= produced


def test_iam_tag_key_path_and_pattern() -> None:
    err = iam_error(
        "CreateUser", {"UserName": "alice", "Tags.member.1.Key": "bad*key", "Tags.member.1.Value": "v"}
    )
    assert err.message == (
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    )


def test_unicode_letters_pass_tag_patterns() -> None:
    decoded = query_service("iam").decode(
        "CreateUser", {"UserName": "alice", "Tags.member.1.Key": "Équipe 東京 ٣", "Tags.member.1.Value": "v"}
    )
    assert decoded["Tags"][0]["Key"] == "Équipe 東京 ٣"


def test_validate_false_skips_constraints() -> None:
    assert query_service("sts").decode("AssumeRole", {}, validate=False) == {}


@pytest.mark.parametrize("service", ["sts", "iam", "organizations", "s3"])
def test_every_model_pattern_compiles(service: str) -> None:
    model = load_model(service)
    for name in model.shape_names:
        pattern = model.shape_for(name).metadata.get("pattern")
        if pattern:
            compile_java(pattern)
