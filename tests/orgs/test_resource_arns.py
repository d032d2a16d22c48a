"""Organizations' calls are authorized on every resource they name, as the Service
Authorization Reference lists them: AttachPolicy and DetachPolicy on the policy and its
target, MoveAccount on the account and both parents, EnablePolicyType on the root,
CreateOrganizationalUnit on its parent, Register/DeregisterDelegatedAdministrator on the
account. A Deny written against any of those ARNs holds ("protect the guardrail SCP"),
for the management account's users and for a delegated administrator alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Organization, client, error_of, make_user

pytestmark = pytest.mark.e2e

SCP = "SERVICE_CONTROL_POLICY"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"}


@dataclass
class Tree:
    org: Organization
    guard: str
    guard_arn: str
    spare: str
    root_arn: str
    fenced: str
    fenced_arn: str
    open: str
    member: str
    member_arn: str
    #: A member left under the root.
    loose: str


@pytest.fixture
def tree(server: Server) -> Tree:
    org = Organization.create(server)
    o = org.orgs
    o.enable_policy_type(RootId=org.root_id, PolicyType=SCP)
    guard = o.create_policy(
        Content=_doc(ALLOW_ALL | {"Effect": "Deny", "Action": "s3:*"}), Description="g", Name="guard", Type=SCP
    )
    spare = o.create_policy(
        Content=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), Description="s", Name="spare", Type=SCP
    )
    guard_id = guard["Policy"]["PolicySummary"]["Id"]
    spare_id = spare["Policy"]["PolicySummary"]["Id"]
    o.attach_policy(PolicyId=guard_id, TargetId=org.root_id)
    o.attach_policy(PolicyId=spare_id, TargetId=org.root_id)
    fenced = o.create_organizational_unit(ParentId=org.root_id, Name="fenced")["OrganizationalUnit"]
    opened = o.create_organizational_unit(ParentId=org.root_id, Name="open")["OrganizationalUnit"]
    member = org.add_member()
    o.move_account(AccountId=member, SourceParentId=org.root_id, DestinationParentId=fenced["Id"])
    o.attach_policy(PolicyId=guard_id, TargetId=member)
    loose = org.add_member()
    mgmt = org.management.account_id
    return Tree(
        org,
        guard_id,
        guard["Policy"]["PolicySummary"]["Arn"],
        spare_id,
        f"arn:aws:organizations::{mgmt}:root/{org.org_id}/{org.root_id}",
        fenced["Id"],
        fenced["Arn"],
        opened["Id"],
        member,
        f"arn:aws:organizations::{mgmt}:account/{org.org_id}/{member}",
        loose,
    )


def _denied(call: Callable[[], Any]) -> None:
    with pytest.raises(ClientError) as exc:
        call()
    assert error_of(exc)[0] == "AccessDeniedException"


# (what the Deny names, the call it must refuse, a call on other resources it must not)
Case = tuple[Callable[[Tree], list[str]], str, Callable[[Any, Tree], Any], Callable[[Any, Tree], Any] | None]

CASES: dict[str, Case] = {
    "detach-guard-policy": (
        lambda t: [t.guard_arn],
        "DetachPolicy",
        lambda o, t: o.detach_policy(PolicyId=t.guard, TargetId=t.org.root_id),
        lambda o, t: o.detach_policy(PolicyId=t.spare, TargetId=t.org.root_id),
    ),
    "detach-from-root": (
        lambda t: [t.root_arn],
        "DetachPolicy",
        lambda o, t: o.detach_policy(PolicyId=t.spare, TargetId=t.org.root_id),
        lambda o, t: o.detach_policy(PolicyId=t.guard, TargetId=t.member),
    ),
    "attach-to-account": (
        lambda t: [t.member_arn],
        "AttachPolicy",
        lambda o, t: o.attach_policy(PolicyId=t.spare, TargetId=t.member),
        lambda o, t: o.attach_policy(PolicyId=t.spare, TargetId=t.open),
    ),
    "move-out-of-fenced": (
        lambda t: [t.fenced_arn],
        "MoveAccount",
        lambda o, t: o.move_account(AccountId=t.member, SourceParentId=t.fenced, DestinationParentId=t.open),
        lambda o, t: o.move_account(AccountId=t.loose, SourceParentId=t.org.root_id, DestinationParentId=t.open),
    ),
    "move-into-fenced": (
        lambda t: [t.fenced_arn],
        "MoveAccount",
        lambda o, t: o.move_account(AccountId=t.loose, SourceParentId=t.org.root_id, DestinationParentId=t.fenced),
        lambda o, t: o.move_account(AccountId=t.loose, SourceParentId=t.org.root_id, DestinationParentId=t.open),
    ),
    "move-the-account": (
        lambda t: [t.member_arn],
        "MoveAccount",
        lambda o, t: o.move_account(AccountId=t.member, SourceParentId=t.fenced, DestinationParentId=t.open),
        lambda o, t: o.move_account(AccountId=t.loose, SourceParentId=t.org.root_id, DestinationParentId=t.fenced),
    ),
    "enable-on-root": (
        lambda t: [t.root_arn],
        "EnablePolicyType",
        lambda o, t: o.enable_policy_type(RootId=t.org.root_id, PolicyType="TAG_POLICY"),
        None,
    ),
    "ou-under-fenced": (
        lambda t: [t.fenced_arn],
        "CreateOrganizationalUnit",
        lambda o, t: o.create_organizational_unit(ParentId=t.fenced, Name="inner"),
        lambda o, t: o.create_organizational_unit(ParentId=t.open, Name="inner"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_deny_on_any_named_resource_holds(server: Server, tree: Tree, case: str) -> None:
    names, action, refused, allowed = CASES[case]
    policy = _doc(ALLOW_ALL, {"Effect": "Deny", "Action": f"organizations:{action}", "Resource": names(tree)})
    user = make_user(server, tree.org.management.root, policy)
    orgs = client(server, "organizations", user.creds)
    _denied(lambda: refused(orgs, tree))
    if allowed is not None:
        allowed(orgs, tree)


def test_a_deny_on_the_delegated_account_register_holds(server: Server, tree: Tree) -> None:
    o = tree.org.orgs
    o.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    other = tree.org.add_member()
    deny = {"Effect": "Deny", "Action": "organizations:*DelegatedAdministrator", "Resource": tree.member_arn}
    orgs = client(server, "organizations", make_user(server, tree.org.management.root, _doc(ALLOW_ALL, deny)).creds)
    _denied(
        lambda: orgs.register_delegated_administrator(AccountId=tree.member, ServicePrincipal="config.amazonaws.com")
    )
    orgs.register_delegated_administrator(AccountId=other, ServicePrincipal="config.amazonaws.com")
    o.register_delegated_administrator(AccountId=tree.member, ServicePrincipal="config.amazonaws.com")
    _denied(
        lambda: orgs.deregister_delegated_administrator(AccountId=tree.member, ServicePrincipal="config.amazonaws.com")
    )


def test_a_delegated_administrator_cannot_lift_its_own_guardrail(server: Server, tree: Tree) -> None:
    """The delegation policy grants policy management on ``*`` but not on the delegate's own
    account: detaching the SCP attached to that account is refused."""
    o = tree.org.orgs
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{tree.member}:root"},
        "Action": ["organizations:AttachPolicy", "organizations:DetachPolicy", "organizations:List*"],
        "Resource": "*",
    }
    keep_out = grant | {"Effect": "Deny", "Resource": [tree.member_arn, tree.root_arn]}
    o.put_resource_policy(Content=_doc(grant, keep_out))
    delegate = client(server, "organizations", tree.org.enter(tree.member))
    o.attach_policy(PolicyId=tree.spare, TargetId=tree.member)
    _denied(lambda: delegate.detach_policy(PolicyId=tree.guard, TargetId=tree.member))
    _denied(lambda: delegate.detach_policy(PolicyId=tree.guard, TargetId=tree.org.root_id))
    attached = {p["Id"] for p in o.list_policies_for_target(TargetId=tree.member, Filter=SCP)["Policies"]}
    assert tree.guard in attached
    # Elsewhere the delegation holds.
    delegate.attach_policy(PolicyId=tree.spare, TargetId=tree.open)
