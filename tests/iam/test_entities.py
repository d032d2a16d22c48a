"""The preamble every operation on a named IAM entity shares (iam/entities.py): authorized
before existence, on the entity's own ARN when it exists and on the ARN its name would
have at ``/`` when it does not; then ``NoSuchEntity`` in the entity's own words."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.fixtures_a import Env, iam_env, unique, user_env

pytestmark = pytest.mark.e2e
__all__ = ["iam_env"]

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)

# (Get operation, its name parameter, ARN resource type, NoSuchEntity text for a name)
GETS: list[tuple[str, str, str, Callable[[str], str]]] = [
    ("get_user", "UserName", "user", lambda n: f"The user with name {n} cannot be found."),
    ("get_group", "GroupName", "group", lambda n: f"The group with name {n} cannot be found."),
    ("get_role", "RoleName", "role", lambda n: f"The role with name {n} cannot be found."),
    (
        "get_instance_profile",
        "InstanceProfileName",
        "instance-profile",
        lambda n: f"Instance Profile {n} cannot be found.",
    ),
    (
        "get_server_certificate",
        "ServerCertificateName",
        "server-certificate",
        lambda n: f"The Server Certificate with name {n} cannot be found.",
    ),
]

# How to create each (path-capable) entity, for the "exists" cases.
CREATE: dict[str, Callable[[Any, str, str], object]] = {
    "user": lambda iam, name, path: iam.create_user(UserName=name, Path=path),
    "group": lambda iam, name, path: iam.create_group(GroupName=name, Path=path),
    "role": lambda iam, name, path: iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=TRUST),
    "instance-profile": lambda iam, name, path: iam.create_instance_profile(InstanceProfileName=name, Path=path),
}


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err.get("Message", "")


@pytest.fixture(scope="module")
def nobody(iam_env: Env) -> Env:
    """An IAM user with no policy at all: every IAM call is denied."""
    env, _ = user_env(iam_env, unique("nobody"))
    return env


@pytest.mark.parametrize(("op", "param", "kind", "text"), GETS)
def test_missing_entity_is_denied_before_it_is_missing(
    iam_env: Env, nobody: Env, op: str, param: str, kind: str, text: Callable[[str], str]
) -> None:
    name = unique("absent")
    with pytest.raises(ClientError) as exc:
        getattr(nobody.client(), op)(**{param: name})
    code, message = _error(exc)
    assert code == "AccessDenied"
    assert f"on resource: arn:aws:iam::{iam_env.account_id}:{kind}/{name}" in message
    with pytest.raises(ClientError) as exc:
        getattr(iam_env.client(), op)(**{param: name})
    assert _error(exc) == ("NoSuchEntity", text(name))


@pytest.mark.parametrize(("op", "param", "kind", "text"), [g for g in GETS if g[2] in CREATE])
def test_existing_entity_is_authorized_on_its_own_arn(
    iam_env: Env, nobody: Env, op: str, param: str, kind: str, text: Callable[[str], str]
) -> None:
    name, path = unique("present"), "/team/a/"
    CREATE[kind](iam_env.client(), name, path)
    with pytest.raises(ClientError) as exc:
        getattr(nobody.client(), op)(**{param: name.upper()})  # names compare case-insensitively
    code, message = _error(exc)
    assert code == "AccessDenied"
    assert f"on resource: arn:aws:iam::{iam_env.account_id}:{kind}{path}{name} " in message


@pytest.mark.parametrize(
    ("op", "kind"),
    [
        ("list_users", "user"),
        ("list_groups", "group"),
        ("list_roles", "role"),
        ("list_instance_profiles", "instance-profile"),
    ],
)
def test_listing_is_authorized_on_the_listed_path(iam_env: Env, nobody: Env, op: str, kind: str) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(nobody.client(), op)(PathPrefix="/team/")
    code, message = _error(exc)
    assert code == "AccessDenied"
    assert f"on resource: arn:aws:iam::{iam_env.account_id}:{kind}/team/ " in message


@pytest.mark.parametrize(
    ("op", "kind", "key"),
    [
        ("list_users", "user", "Users"),
        ("list_groups", "group", "Groups"),
        ("list_roles", "role", "Roles"),
        ("list_instance_profiles", "instance-profile", "InstanceProfiles"),
    ],
)
def test_listing_under_a_path_pages_by_name(iam_env: Env, op: str, kind: str, key: str) -> None:
    iam = iam_env.client()
    path = f"/{unique('p')}/"
    names = sorted(unique(f"n{i}") for i in range(3))
    for n in reversed(names):
        CREATE[kind](iam, n, path)
    CREATE[kind](iam, unique("elsewhere"), f"{path[:-1]}x/")  # a sibling path, not under it
    first = getattr(iam, op)(PathPrefix=path, MaxItems=2)
    rest = getattr(iam, op)(PathPrefix=path, Marker=first["Marker"])
    name_key = {"user": "UserName", "group": "GroupName", "role": "RoleName", "instance-profile": "InstanceProfileName"}
    listed = [e[name_key[kind]] for e in first[key] + rest[key]]
    assert first["IsTruncated"] is True and rest["IsTruncated"] is False
    assert listed == names
