"""AssumeRole end to end: trust evaluation, MFA, durations and chaining, tags, source
identity, session policies and the output shapes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import Creds, User, allow, doc, error_of, make_role, make_user, sts_as, trust, unique

MFA_BAD_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
MAX_MSG = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
CHAIN_MSG = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."


def denied(caller: str, role_arn: str, action: str = "sts:AssumeRole") -> tuple[str, str, int]:
    return ("AccessDenied", f"User: {caller} is not authorized to perform: {action} on resource: {role_arn}", 403)


def assume(server: Server, creds: Creds, role: dict[str, Any], name: str = "s1", **kwargs: Any) -> dict[str, Any]:
    r: dict[str, Any] = sts_as(server, creds, validate=False).assume_role(
        RoleArn=role["Arn"], RoleSessionName=name, **kwargs
    )
    return r


def refused(server: Server, creds: Creds, role: dict[str, Any], **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        assume(server, creds, role, **kwargs)
    return error_of(exc)


def user_trusted(server: Server, **role_kwargs: Any) -> tuple[User, dict[str, Any]]:
    """A user and a role whose trust policy names the user's ARN (same account: enough)."""
    user = make_user(server, with_mfa=True)
    role = make_role(server, doc(trust(user.arn)), **role_kwargs)
    return user, role


# --- the seed's scenario (001): a role that demands MFA ---------------------------------------


def mfa_role(server: Server, user: User) -> dict[str, Any]:
    return make_role(
        server,
        doc(trust(user.arn, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        path="/team/",
    )


def test_seed_assume_role_with_mfa(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    role = mfa_role(server, user)
    assert refused(server, user.creds, role) == denied(user.arn, role["Arn"])
    r = assume(server, user.creds, role, "seed-session", SerialNumber=user.mfa.serial, TokenCode=user.mfa.code())
    arn = f"arn:aws:sts::{server.account_id}:assumed-role/{role['RoleName']}/seed-session"
    assert r["AssumedRoleUser"] == {"AssumedRoleId": f"{role['RoleId']}:seed-session", "Arn": arn}
    assert "PackedPolicySize" not in r and "SourceIdentity" not in r
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", r["Credentials"]["AccessKeyId"])
    ident = sts_as(server, Creds.of(r)).get_caller_identity()
    assert ident == {**ident, "Arn": arn, "UserId": f"{role['RoleId']}:seed-session", "Account": server.account_id}


def test_mfa_code_reused_is_refused(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    role = mfa_role(server, user)
    code = user.mfa.code()
    assume(server, user.creds, role, SerialNumber=user.mfa.serial, TokenCode=code)
    assert refused(server, user.creds, role, SerialNumber=user.mfa.serial, TokenCode=code) == (
        "AccessDenied",
        MFA_BAD_CODE,
        403,
    )


def test_get_session_token_mfa_carries_into_assume_role(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    role = mfa_role(server, user)
    sts = sts_as(server, user.creds)
    with_mfa = Creds.of(sts.get_session_token(SerialNumber=user.mfa.serial, TokenCode=user.mfa.code()))
    without = Creds.of(sts.get_session_token())
    assert assume(server, with_mfa, role)["AssumedRoleUser"]["Arn"].endswith("/s1")
    assert refused(server, without, role) == denied(user.arn, role["Arn"])


def test_mfa_age_condition(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    role = make_role(server, doc(trust(user.arn, Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}})))
    assert refused(server, user.creds, role) == denied(user.arn, role["Arn"])
    assume(server, user.creds, role, SerialNumber=user.mfa.serial, TokenCode=user.mfa.code())


def test_role_session_does_not_carry_mfa_into_chaining(server: Server) -> None:
    user = make_user(server, with_mfa=True)
    assert user.mfa is not None
    first = mfa_role(server, user)
    s1 = Creds.of(assume(server, user.creds, first, SerialNumber=user.mfa.serial, TokenCode=user.mfa.code()))
    second = make_role(server, doc(trust(first["Arn"], Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    session_arn = f"arn:aws:sts::{server.account_id}:assumed-role/{first['RoleName']}/s1"
    assert refused(server, s1, second) == denied(session_arn, second["Arn"])


# --- who may assume ---------------------------------------------------------------------------


def test_root_cannot_assume_roles(server: Server) -> None:
    role = make_role(server, doc(trust(f"arn:aws:iam::{server.account_id}:root")))
    root = Creds(server.access_key_id, server.secret_access_key)
    assert refused(server, root, role) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)


def test_missing_role_and_untrusted_caller_get_the_same_answer(server: Server) -> None:
    user = make_user(server)
    other = make_user(server)
    role = make_role(server, doc(trust(other.arn)))
    assert refused(server, user.creds, role) == denied(user.arn, role["Arn"])
    ghost = {"Arn": f"arn:aws:iam::{server.account_id}:role/{unique('ghost')}"}
    assert refused(server, user.creds, ghost) == denied(user.arn, ghost["Arn"])
    # The right name under another path is another role.
    moved = {"Arn": role["Arn"].replace(":role/", ":role/elsewhere/")}
    assert refused(server, other.creds, moved) == denied(other.arn, moved["Arn"])


def test_invalid_role_arn(server: Server) -> None:
    user = make_user(server)
    bad = {"Arn": f"arn:aws:iam::{server.account_id}:user/not-a-role"}
    assert refused(server, user.creds, bad) == ("ValidationError", f"{bad['Arn']} is invalid", 400)


def test_account_trust_needs_an_identity_policy(server: Server) -> None:
    role = make_role(server, doc(trust(f"arn:aws:iam::{server.account_id}:root")))
    plain = make_user(server)
    assert refused(server, plain.creds, role) == denied(plain.arn, role["Arn"])
    allowed = make_user(server, policy=doc(allow("sts:AssumeRole", role["Arn"])))
    assume(server, allowed.creds, role)


def test_federated_user_cannot_assume_roles(server: Server) -> None:
    user = make_user(server, policy=doc(allow(["sts:GetFederationToken", "sts:AssumeRole"])))
    role = make_role(server, doc(trust(f"arn:aws:iam::{server.account_id}:root")))
    fed = sts_as(server, user.creds).get_federation_token(Name="fed", Policy=doc(allow("sts:*")))
    arn = f"arn:aws:sts::{server.account_id}:federated-user/fed"
    assert refused(server, Creds.of(fed), role) == denied(arn, role["Arn"])


def test_external_id(server: Server) -> None:
    user = make_user(server)
    role = make_role(server, doc(trust(user.arn, Condition={"StringEquals": {"sts:ExternalId": "ext-123"}})))
    assert refused(server, user.creds, role) == denied(user.arn, role["Arn"])
    assert refused(server, user.creds, role, ExternalId="ext-999") == denied(user.arn, role["Arn"])
    assume(server, user.creds, role, ExternalId="ext-123")


def test_role_session_name_condition_and_pattern(server: Server) -> None:
    user = make_user(server)
    role = make_role(server, doc(trust(user.arn, Condition={"StringLike": {"sts:RoleSessionName": "${aws:username}"}})))
    assert refused(server, user.creds, role, name="someone-else") == denied(user.arn, role["Arn"])
    assume(server, user.creds, role, name=user.name)
    code, message, _ = refused(server, user.creds, role, name="bad name")
    assert code == "ValidationError" and "'roleSessionName' failed to satisfy constraint" in message


def test_role_last_used_is_recorded(server: Server) -> None:
    user, role = user_trusted(server)
    assume(server, user.creds, role)
    # Recorded off the request path, so it may take a moment (as on AWS).
    import time

    deadline = time.monotonic() + 5
    while True:
        last = server.client("iam").get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
        if last or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert last["Region"] == "us-east-1" and "LastUsedDate" in last


# --- durations and chaining -------------------------------------------------------------------


def test_default_duration_is_one_hour(server: Server) -> None:
    user, role = user_trusted(server)
    r = assume(server, user.creds, role)
    date = r["ResponseMetadata"]["HTTPHeaders"]["date"]
    from email.utils import parsedate_to_datetime

    assert abs((r["Credentials"]["Expiration"] - parsedate_to_datetime(date)).total_seconds() - 3600) <= 3


def test_duration_against_role_maximum(server: Server) -> None:
    user, role = user_trusted(server, max_session=7200)
    assume(server, user.creds, role, DurationSeconds=7200)
    assume(server, user.creds, role, DurationSeconds=900)
    assert refused(server, user.creds, role, DurationSeconds=7201) == ("ValidationError", MAX_MSG, 400)
    code, message, _ = refused(server, user.creds, role, DurationSeconds=43201)
    assert code == "ValidationError" and "Member must have value less than or equal to 43200" in message
    code, message, _ = refused(server, user.creds, role, DurationSeconds=899)
    assert code == "ValidationError" and "Member must have value greater than or equal to 900" in message


def test_chaining_is_capped_at_one_hour(server: Server) -> None:
    user, first = user_trusted(server)
    s1 = Creds.of(assume(server, user.creds, first))
    second = make_role(server, doc(trust(first["Arn"])), max_session=43200)
    big = make_role(server, doc(trust(first["Arn"])), max_session=7200)
    assume(server, s1, second, DurationSeconds=3600)
    assert refused(server, s1, second, DurationSeconds=3601) == ("ValidationError", CHAIN_MSG, 400)
    # Beyond both the role's maximum and the chaining limit: the MaxSessionDuration message wins.
    assert refused(server, s1, big, DurationSeconds=7201) == ("ValidationError", MAX_MSG, 400)
    chained = sts_as(server, Creds.of(assume(server, s1, second, "s2"))).get_caller_identity()
    assert chained["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{second['RoleName']}/s2"


def test_role_session_cannot_call_session_token_operations(server: Server) -> None:
    user, role = user_trusted(server)
    s = sts_as(server, Creds.of(assume(server, user.creds, role)))
    for call, name in (
        (s.get_session_token, "GetSessionToken"),
        (lambda: s.get_federation_token(Name="x1"), "GetFederationToken"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("AccessDenied", f"Cannot call {name} with session credentials", 403)


# --- session tags -----------------------------------------------------------------------------


def tagging_role(server: Server, principal: str, **cond: Any) -> dict[str, Any]:
    return make_role(server, doc(trust(principal, ["sts:AssumeRole", "sts:TagSession"], **cond)))


def test_tags_need_tag_session(server: Server) -> None:
    user, role = user_trusted(server)
    tags = [{"Key": "Project", "Value": "blue"}]
    assert refused(server, user.creds, role, Tags=tags) == denied(user.arn, role["Arn"], "sts:TagSession")
    tagged = tagging_role(server, user.arn)
    r = assume(server, user.creds, tagged, Tags=tags)
    assert 0 < r["PackedPolicySize"] <= 100


def test_request_tag_conditions(server: Server) -> None:
    user = make_user(server)
    role = tagging_role(server, user.arn, Condition={"StringEquals": {"aws:RequestTag/Project": "blue"}})
    assert refused(server, user.creds, role, Tags=[{"Key": "Project", "Value": "red"}]) == denied(user.arn, role["Arn"])
    assume(server, user.creds, role, Tags=[{"Key": "Project", "Value": "blue"}])


def test_tag_validation(server: Server) -> None:
    user = make_user(server)
    role = tagging_role(server, user.arn)
    dup = [{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    assert refused(server, user.creds, role, Tags=dup) == (
        "InvalidParameterValue",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400,
    )
    assert refused(server, user.creds, role, Tags=[{"Key": "A", "Value": "1"}], TransitiveTagKeys=["B"]) == (
        "InvalidParameterValue",
        "The specified transitive tag key must be included in the requested tags.",
        400,
    )
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    code, message, _ = refused(server, user.creds, role, Tags=many)
    assert code == "ValidationError" and "'tags' failed to satisfy constraint" in message


def test_transitive_tags_propagate_and_cannot_be_overridden(server: Server) -> None:
    user = make_user(server)
    first = tagging_role(server, user.arn)
    s1 = Creds.of(
        assume(
            server,
            user.creds,
            first,
            Tags=[{"Key": "Project", "Value": "blue"}, {"Key": "Cost", "Value": "9"}],
            TransitiveTagKeys=["Project"],
        )
    )
    # The next role trusts only sessions whose (transitive) Project tag is blue.
    second = tagging_role(server, first["Arn"], Condition={"StringEquals": {"aws:PrincipalTag/Project": "blue"}})
    r = assume(server, s1, second, "s2")
    assert r["PackedPolicySize"] > 0
    assert refused(server, s1, second, name="s4", Tags=[{"Key": "project", "Value": "red"}]) == (
        "InvalidParameterValue",
        "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key "
        "from the calling session.",
        400,
    )
    # Two hops on, the transitive tag is still there and the other one is not.
    s2 = Creds.of(r)
    fourth = tagging_role(server, second["Arn"], Condition={"StringEquals": {"aws:PrincipalTag/Project": "blue"}})
    assume(server, s2, fourth, "s5")
    fifth = tagging_role(server, second["Arn"], Condition={"StringEquals": {"aws:PrincipalTag/Cost": "9"}})
    s2_arn = f"arn:aws:sts::{server.account_id}:assumed-role/{second['RoleName']}/s2"
    assert refused(server, s2, fifth, name="s6") == denied(s2_arn, fifth["Arn"])


# --- source identity --------------------------------------------------------------------------


def test_source_identity(server: Server) -> None:
    user = make_user(server)
    plain = make_role(server, doc(trust(user.arn)))
    assert refused(server, user.creds, plain, SourceIdentity="alice") == denied(
        user.arn, plain["Arn"], "sts:SetSourceIdentity"
    )
    first = make_role(server, doc(trust(user.arn, ["sts:AssumeRole", "sts:SetSourceIdentity"])))
    r = assume(server, user.creds, first, SourceIdentity="alice")
    assert r["SourceIdentity"] == "alice"
    s1 = Creds.of(r)
    session_arn = f"arn:aws:sts::{server.account_id}:assumed-role/{first['RoleName']}/s1"
    second = make_role(
        server,
        doc(
            trust(
                first["Arn"],
                ["sts:AssumeRole", "sts:SetSourceIdentity"],
                Condition={"StringEquals": {"sts:SourceIdentity": "alice"}},
            )
        ),
    )
    # Inherited without being passed again; the same value may be passed again.
    assert assume(server, s1, second, "s2")["SourceIdentity"] == "alice"
    assert assume(server, s1, second, "s3", SourceIdentity="alice")["SourceIdentity"] == "alice"
    assert refused(server, s1, second, name="s4", SourceIdentity="mallory") == (
        "ValidationError",
        "The source identity is already set for this assume role session",
        400,
    )
    # A chained role must allow sts:SetSourceIdentity even when the identity is only inherited.
    no_set = make_role(server, doc(trust(first["Arn"])))
    assert refused(server, s1, no_set, name="s5") == denied(session_arn, no_set["Arn"], "sts:SetSourceIdentity")
    code, message, _ = refused(server, user.creds, first, SourceIdentity="aws:me")
    assert code == "ValidationError" and "'sourceIdentity' failed to satisfy constraint" in message


# --- session policies -------------------------------------------------------------------------


def test_session_policies_and_packed_size(server: Server) -> None:
    user, role = user_trusted(server)
    small = doc(allow("s3:ListAllMyBuckets"))
    r = assume(
        server,
        user.creds,
        role,
        Policy=small,
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}],
    )
    assert 0 < r["PackedPolicySize"] < 50
    code, _, status = refused(server, user.creds, role, Policy="{not json")
    assert (code, status) == ("MalformedPolicyDocument", 400)
    code, _, status = refused(server, user.creds, role, Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    assert (code, status) == ("MalformedPolicyDocument", 400)


def test_packed_policy_too_large(server: Server) -> None:
    user, role = user_trusted(server)
    actions = [f"service{i}:Action{i * 7919 % 10007}Describe" for i in range(80)]
    big = doc(allow(actions, "arn:aws:s3:::bucket-with-a-long-name/*"))
    code, message, status = refused(server, user.creds, role, Policy=big)
    assert (code, status) == ("PackedPolicyTooLarge", 400)
    assert re.fullmatch(r"Packed policy consumes \d+% of allotted space", message)
    assert int(message.split()[3].rstrip("%")) > 100


def test_policy_arns_limit_and_existence(server: Server) -> None:
    user, role = user_trusted(server)
    arns = [{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}] * 11
    code, message, _ = refused(server, user.creds, role, PolicyArns=arns)
    assert code == "ValidationError" and "less than or equal to 10" in message
    missing = f"arn:aws:iam::{server.account_id}:policy/{unique('none')}"
    code, message, _ = refused(server, user.creds, role, PolicyArns=[{"arn": missing}])
    assert code == "InvalidParameterValue" and missing in message
