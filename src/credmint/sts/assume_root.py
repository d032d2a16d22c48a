"""STS AssumeRoot: a short root session in a member account, scoped to one privileged task.

Who may call: a principal of the organization's management account, or of the account
registered as IAM's delegated administrator, with centralized root sessions enabled
(``iam:EnableOrganizationsRootSessions``) and allowed ``sts:AssumeRoot`` on
``arn:aws:iam::<member>:root`` by its own policies (condition key
``sts:TaskPolicyArn``). Never the root user itself, and never on the global endpoint.

The session is the member account's root user (``arn:aws:iam::<member>:root``) bounded by
the task policy. The AWS managed root-task policies are deny-only ("deny everything but
these actions, and those only on the root user"), so the session's permissions are the
root user's full access minus the task policy's denies:
:func:`credmint.access.root_sessions.task_session_policies` gives the request path exactly
that as the session's policies.

The global endpoint: AWS's is the host ``sts.amazonaws.com`` (signed for ``us-east-1``).
A self-hosted node is reached under its own name, which makes it a Regional endpoint of
the region it serves; only a request whose ``Host`` is one of AWS's global STS host names
(a deployment that answers for them, e.g. through a private DNS zone) counts as global.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credmint import arns, errors
from credmint.access.root_sessions import ROOT_TASK_POLICIES
from credmint.access.tokens import IssuingCall, PrincipalKind
from credmint.api import Call, operation
from credmint.httpreq import HttpRequest
from credmint.ids import AccountId
from credmint.orgs import data, model
from credmint.sts import errors as sts_errors
from credmint.sts import sessions
from credmint.sts.service import OPERATIONS

DEFAULT_DURATION_SECONDS = 900
#: Host names of AWS's global STS endpoint.
GLOBAL_STS_HOSTS = frozenset({"sts.amazonaws.com", "sts.global.amazonaws.com"})

_TARGET = re.compile(r"\A(?:(\d{12})|arn:aws:iam::(\d{12}):root)\Z")


def is_global_endpoint(req: HttpRequest) -> bool:
    host = (req.header("host") or "").strip().lower()
    if not host.endswith("]"):
        name, sep, port = host.rpartition(":")
        if sep and port.isdigit():
            host = name
    return host.rstrip(".") in GLOBAL_STS_HOSTS


@operation(OPERATIONS, "AssumeRoot")
def assume_root(call: Call) -> Mapping[str, Any]:
    p = sessions.caller(call)
    if is_global_endpoint(call.request):
        raise sts_errors.ValidationError.assume_root_global_endpoint()
    if p.is_root:
        raise sts_errors.AccessDenied.root_credentials_assume_root()
    sessions.refuse_limited_session(p, "sts:AssumeRoot", call.params.get("TargetPrincipal", "*"))
    caller_session = p.session
    params = call.params
    target_value: str = params["TargetPrincipal"]
    m = _TARGET.match(target_value)
    if m is None:
        raise sts_errors.ValidationError.invalid(target_value)
    # The pattern admits only a 12-digit account id (or an account ARN holding one).
    target = AccountId(m.group(1) or m.group(2))
    task_arn = str((params.get("TaskPolicyArn") or {}).get("arn") or "")
    if task_arn not in ROOT_TASK_POLICIES:
        raise sts_errors.ValidationError.root_task_policy(task_arn)
    resource = arns.root(target)
    if caller_session is not None and caller_session.kind is IssuingCall.GET_FEDERATION_TOKEN:
        # Federated users may call no STS operation but GetCallerIdentity.
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:AssumeRoot", resource)
    try:
        # The caller's own policies decide (the member account has no say, as with AWS).
        call.authorize(
            "sts:AssumeRoot", resource, resource_account=p.account_id, extra_keys={"sts:TaskPolicyArn": task_arn}
        )
    except errors.AccessDenied:
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:AssumeRoot", resource) from None
    with call.store.read() as conn:
        access = data.root_access(conn, p.account_id)
        member = data.org_of_account(conn, target)
    org = access.org
    if (
        org is None
        or not access.administers
        or model.FEATURE_ROOT_SESSIONS not in access.enabled
        or member is None
        or member.org_id != org.org_id
        or target == org.management_account_id
    ):
        # One answer for every refusal: the caller learns nothing about the organization.
        raise sts_errors.AccessDenied.not_authorized(p.arn, "sts:AssumeRoot", resource)

    duration: int = params.get("DurationSeconds", DEFAULT_DURATION_SECONDS)
    source = caller_session.source_identity if caller_session is not None else None
    minted = sessions.mint(
        call,
        target,
        duration,
        kind=IssuingCall.ASSUME_ROOT,
        principal_kind=PrincipalKind.ROOT,
        principal_arn=resource,
        principal_id=target,
        assumed_by_arn=p.arn,
        policy_arns=(task_arn,),
        source_identity=source,
    )
    out: dict[str, Any] = {"Credentials": minted.credentials()}
    if source is not None:
        out["SourceIdentity"] = source
    return out
