"""Get/PutAccountProperties end to end: Namespace/PropertyName keys, one namespace per call,
iam:AccountPropertyNamespaces, the per-account bound, accounts kept apart."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.iam.account import MAX_ACCOUNT_PROPERTIES
from tests.conftest import Server
from tests.s3.helpers import new_account
from tests.sts.helpers import allow, doc, error_of, make_user

pytestmark = pytest.mark.e2e


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def fresh(server: Server) -> Any:
    _, key, secret = new_account(server)
    return server.client("iam", aws_access_key_id=key, aws_secret_access_key=secret)


def test_put_and_get(server: Server) -> None:
    iam = fresh(server)
    assert iam.get_account_properties()["Properties"] == {}
    iam.put_account_properties(Properties={"RoleManager/Enabled": "true", "RoleManager/Mode": "strict"})
    iam.put_account_properties(Properties={"RoleManager/Mode": "relaxed"})
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "true", "RoleManager/Mode": "relaxed"}
    # Another account sees none of them.
    assert fresh(server).get_account_properties()["Properties"] == {}


@pytest.mark.parametrize(
    ("properties", "code"),
    [
        ({"RoleManager/Enabled": "true", "Other/Enabled": "true"}, "InvalidInput"),  # two namespaces
        ({"NoSlash": "x"}, "InvalidInput"),
        ({"Trailing/": "x"}, "InvalidInput"),
        ({}, "ValidationError"),  # an empty map is sent as no Properties at all
    ],
)
def test_refused(server: Server, properties: dict[str, str], code: str) -> None:
    assert refused(fresh(server).put_account_properties, Properties=properties) == (code, 400)


def test_the_model_checks_keys_and_values(server: Server) -> None:
    iam = server.client("iam", config={"parameter_validation": False})
    assert refused(iam.put_account_properties, Properties={"1bad/key": "x"}) == ("ValidationError", 400)
    assert refused(iam.put_account_properties, Properties={"Ns/" + "k" * 60: "x"}) == ("ValidationError", 400)
    assert refused(iam.put_account_properties, Properties={"Ns/key": ""}) == ("ValidationError", 400)


def test_properties_per_account_are_bounded(server: Server) -> None:
    """The guardrail: one account cannot fill the store with properties."""
    iam = fresh(server)
    iam.put_account_properties(Properties={f"Ns/p{i}": "v" for i in range(MAX_ACCOUNT_PROPERTIES)})
    assert refused(iam.put_account_properties, Properties={"Ns/onemore": "v"}) == ("LimitExceeded", 409)
    iam.put_account_properties(Properties={"Ns/p0": "changed"})  # replacing one still works


def test_namespace_condition_key(server: Server) -> None:
    cond = {"ForAllValues:StringEquals": {"iam:AccountPropertyNamespaces": ["RoleManager"]}}
    user = make_user(server, policy=doc(allow(["iam:PutAccountProperties"], Condition=cond)))
    iam = server.client("iam", **user.creds.kwargs())
    iam.put_account_properties(Properties={"RoleManager/Enabled": "true"})
    assert refused(iam.put_account_properties, Properties={"Other/Enabled": "true"})[0] == "AccessDenied"
