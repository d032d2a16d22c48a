"""credmint.access.context.build_context: the global keys are present exactly when GLOBAL_KEYS says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credmint import ids
from credmint.access import condition_keys
from credmint.access.context import anonymous_context, build_context
from credmint.access.identity import Identity
from credmint.access.principal import Principal
from credmint.access.tokens import IssuingCall, PrincipalKind, SessionClaims
from credmint.httpreq import HttpRequest
from credmint.ids import AccessKeyId, AccountId, UniqueId
from credmint.policy.context import GLOBAL_KEYS

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACCOUNT = AccountId("111122223333")


def _request(*headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest("GET", "/", "", tuple(headers), client_ip="192.0.2.7", secure=True)


def _session(kind: IssuingCall, **extra: object) -> SessionClaims:
    base: dict[str, object] = {
        "kind": kind,
        "access_key_id": ids.new_access_key_id(ACCOUNT, temporary=True),
        "secret_access_key": "s",
        "account_id": ACCOUNT,
        "principal_kind": PrincipalKind.ASSUMED_ROLE,
        "principal_arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s",
        "principal_id": "AROAEXAMPLE:s",
        "issued_at": int(NOW.timestamp()) - 60,
        "expires_at": int(NOW.timestamp()) + 3600,
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/r",
    }
    base.update(extra)
    return SessionClaims(**base)  # type: ignore[arg-type]


USER = Principal(
    PrincipalKind.USER,
    ACCOUNT,
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    "AIDAEXAMPLE",
    "alice",
    AccessKeyId("AKIAEXAMPLE"),
    UniqueId("u1"),
)
ROLE_SESSION = Principal(
    PrincipalKind.ASSUMED_ROLE,
    ACCOUNT,
    f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s",
    "AROAEXAMPLE:s",
    "r",
    AccessKeyId("ASIAEXAMPLE"),
    UniqueId("r1"),
    _session(
        IssuingCall.ASSUME_ROLE,
        mfa_authenticated=True,
        mfa_auth_time=int(NOW.timestamp()) - 30,
        source_identity="alice",
        session_tags=(("team", "blue"),),
        federation=(("aws:FederatedProvider", f"arn:aws:iam::{ACCOUNT}:saml-provider/idp"),),
    ),
)
ROOT_SESSION = Principal(
    PrincipalKind.ROOT,
    ACCOUNT,
    f"arn:aws:iam::{ACCOUNT}:root",
    ACCOUNT,
    "",
    AccessKeyId("ASIAEXAMPLE"),
    None,
    _session(IssuingCall.ASSUME_ROOT, principal_kind=PrincipalKind.ROOT, principal_arn=f"arn:aws:iam::{ACCOUNT}:root"),
)


def _keys(p: Principal, request: HttpRequest, *, resource_account: str | None = None) -> dict[str, tuple[str, ...]]:
    identity = Identity(exists=True, tags=(("dept", "eng"),))
    ctx = build_context(
        p,
        identity,
        request,
        action="s3:GetObject",
        resource="arn:aws:s3:::b/k",
        resource_account=resource_account,
        region="us-east-1",
        now=NOW,
        extra_keys=None,
    )
    return dict(ctx.keys)


def test_referer_only_when_the_request_carries_one() -> None:
    assert "aws:referer" not in _keys(USER, _request())
    keys = _keys(USER, _request(("referer", "https://www.example.com/p")))
    assert keys["aws:referer"] == ("https://www.example.com/p",)


def test_anonymous_referer_and_region() -> None:
    ctx = anonymous_context(
        _request(("referer", "https://a.example/")),
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        ACCOUNT,
        NOW,
        None,
        region="eu-west-1",
    )
    assert ctx.keys["aws:referer"] == ("https://a.example/",)
    assert ctx.keys["aws:requestedregion"] == ("eu-west-1",)
    assert ctx.keys["aws:resourceaccount"] == (ACCOUNT,)
    assert "aws:principalisawsservice" not in ctx.keys


@pytest.mark.parametrize("p", [USER, ROLE_SESSION, ROOT_SESSION], ids=["user", "role-session", "assume-root"])
def test_keys_on_every_signed_request(p: Principal) -> None:
    keys = _keys(p, _request())
    assert keys["aws:principalisawsservice"] == ("false",)
    assert keys["aws:viaawsservice"] == ("false",)
    assert keys["aws:resourceaccount"] == (ACCOUNT,)


def test_resource_account_is_the_resources() -> None:
    assert _keys(USER, _request(), resource_account="444455556666")["aws:resourceaccount"] == ("444455556666",)


@pytest.mark.parametrize(("p", "present"), [(USER, False), (ROLE_SESSION, False), (ROOT_SESSION, True)])
def test_assumed_root_only_for_assume_root_sessions(p: Principal, present: bool) -> None:
    assert (_keys(p, _request()).get("aws:assumedroot") == ("true",)) is present


#: Global keys that depend on the call or the organization, set (and tested) elsewhere.
SET_PER_CALL = {
    "aws:PrincipalOrgID": "orgs.control.organization_keys (tests/orgs/test_org_condition_keys.py)",
    "aws:PrincipalOrgPaths": "orgs.control.organization_keys",
    "aws:ResourceOrgID": "orgs.control.organization_keys",
    "aws:ResourceOrgPaths": "orgs.control.organization_keys",
    "aws:ResourceTag/${TagKey}": "the service's resource (tests/e2e/test_condition_keys.py, tests/s3/test_actions.py)",
    "aws:RequestTag/${TagKey}": "the call's Tags",
    "aws:TagKeys": "the call's Tags",
    "aws:SourceAccount": "sts.contexts.source_of (tests/sts/test_workload_identity_source.py)",
    "aws:SourceArn": "sts.contexts.source_of",
    "aws:SourceOrgID": "access.authorize (the source account's organization)",
    "aws:SourceOrgPaths": "access.authorize (the source account's organization)",
}


def test_every_global_key_is_set_or_named_unsupplied() -> None:
    """The walk over GLOBAL_KEYS: each key is seen in some context, set per call, or unsupplied."""
    seen: set[str] = set()
    for p in (USER, ROLE_SESSION, ROOT_SESSION):
        keys = _keys(p, _request(("referer", "https://r.example/"), ("user-agent", "ua")))
        seen |= {k.split("/", 1)[0] for k in keys}
    missing = []
    for key in GLOBAL_KEYS:
        family = key.lower().split("/", 1)[0]
        if condition_keys.is_unsupplied(key):
            assert family not in seen, f"{key} is named unsupplied but set"
        elif family not in seen and key not in SET_PER_CALL:
            missing.append(key)
    assert missing == []
