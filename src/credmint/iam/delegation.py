"""IAM delegation requests: CreateDelegationRequest, Get/List, Associate, Update, Accept,
Reject, SendDelegationToken, and GetHumanReadableSummary. The lifecycle, the token and its
delivery are described in :mod:`credmint.store.delegation_requests`.

Permissions. ``Permissions.PolicyTemplateArn`` names a customer managed policy of the
partner's account (AWS: "pre-registered policy content for this partner"); its default
version, with each ``"{{Name}}"`` string replaced by the JSON of that parameter's values
(a string, or a list for ``stringList``), is the request's ``PermissionPolicy``: the
session policy of the delegated credentials, which can only narrow what the accepting
identity may do.

Who may act, as the model documents: a request with no owner account can be read and
associated by any account; with an owner account, only by that account's identities; once
owned, its owner may read and update it without a policy granting it. Accepting,
rejecting and sending the token need the action's permission. Every operation is
authorized with its IAM action on the request's ARN, with ``iam:DelegationRequestOwner``
(the owner's ARN) in the context once there is one.

GetHumanReadableSummary answers a deterministic, template-based English summary built from
the request's fields and its permission policy. AWS generates the summary with a large
language model; credmint does not, and says so in the summary's first line. Other locales
answer ``NOT_SUPPORTED``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from credmint import errors, settings
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, caller, paginate
from credmint.iam.ops import OPERATIONS
from credmint.policy import validate_policy
from credmint.store import delegation_requests as delegation
from credmint.store import schema
from credmint.store.delegation_requests import Request
from credmint.store.managed_policies import default_document

#: Open requests a partner account may have at once (unpublished AWS quota).
MAX_OPEN_REQUESTS = 1000
SUMMARY_LOCALES = frozenset({"en", "en-US", "en_US", "en-GB", "en_GB"})


def _owner_keys(request: Request) -> dict[str, str | list[str]]:
    return {"iam:DelegationRequestOwner": request.row.owner_id} if request.row.owner_id else {}


def _visible(call: Call, request: Request) -> bool:
    """Who may see the request at all (the model's three cases), or the partner who made it."""
    account_id = account_of(call)
    row = request.row
    if row.requestor_account_id == account_id:
        return True
    return row.owner_account_id is None or row.owner_account_id == account_id


def _is_owner(call: Call, request: Request) -> bool:
    return request.row.owner_id is not None and request.row.owner_id == caller(call).arn


def _find(call: Call, conn: Connection, action: str, *, owner_default: bool = False) -> Request:
    request_id: str = call.params["DelegationRequestId"]
    request = delegation.load(conn, request_id)
    if request is None or not _visible(call, request):
        # Authorized on the would-be ARN first, so an unknown id and a forbidden one look alike.
        authorize(call, action, delegation.request_arn(account_of(call), request_id))
        raise iam_errors.NoSuchEntity.delegation_request(request_id)
    if not (owner_default and _is_owner(call, request)):
        authorize(call, action, request.arn, stored=_owner_keys(request))
    return request


def _render_policy(conn: Connection, requestor: str, permissions: Mapping[str, Any]) -> str:
    arn = permissions.get("PolicyTemplateArn")
    if not arn:
        raise iam_errors.InvalidInput.policy_template_missing()
    mp = schema.managed_policies
    found = conn.execute(select(mp.c.arn).where(mp.c.arn == arn, mp.c.account_id == requestor)).first()
    text: str | None = default_document(conn, arn) if found is not None else None
    if text is None:
        raise iam_errors.InvalidInput.policy_template_not_managed(arn)
    for param in permissions.get("Parameters") or []:
        values = list(param.get("Values") or [])
        value: Any = values if param.get("Type") == "stringList" else (values[0] if len(values) == 1 else None)
        if value is None:
            raise iam_errors.InvalidInput.string_parameter_values(param.get("Name"))
        text = text.replace(json.dumps("{{" + str(param.get("Name")) + "}}"), json.dumps(value))
    if "{{" in text:
        raise iam_errors.InvalidInput.policy_template_parameters()
    validate_policy(text, "session")
    return text


def _view(request: Request, now: datetime) -> dict[str, Any]:
    row = request.row
    out: dict[str, Any] = {
        "DelegationRequestId": row.request_id,
        "Description": row.description,
        "Permissions": json.loads(row.permissions),
        "PermissionPolicy": row.permission_policy,
        "State": request.state(now),
        "ExpirationTime": row.expires_at,
        "RequestorId": row.requestor_account_id,
        "CreateDate": row.created_at,
        "SessionDuration": row.session_duration,
        "OnlySendByOwner": bool(row.only_send_by_owner),
        "UpdatedTime": row.updated_at,
    }
    optional = {
        "OwnerAccountId": row.owner_account_id,
        "OwnerId": row.owner_id,
        "ApproverId": row.approver_id,
        "RequestMessage": row.request_message,
        "RedirectUrl": row.redirect_url,
        "Notes": row.notes,
        "RejectionReason": row.rejection_reason,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


@operation(OPERATIONS, "CreateDelegationRequest")
def create_delegation_request(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    if not settings.delegation_partner(call.settings, account_id):
        # AWS: available only to onboarded partners (wording unconfirmed).
        raise iam_errors.AccessDenied.delegation_not_enabled(account_id)
    request_id = delegation.new_request_id()
    arn = delegation.request_arn(account_id, request_id)
    permissions = p["Permissions"]
    authorize(
        call,
        "iam:CreateDelegationRequest",
        arn,
        stored={
            "iam:DelegationDuration": str(p["SessionDuration"]),
            "iam:NotificationChannel": p["NotificationChannel"],
            **({"iam:TemplateArn": permissions["PolicyTemplateArn"]} if permissions.get("PolicyTemplateArn") else {}),
        },
    )
    t = schema.delegation_requests
    now = call.now
    with call.store.write() as conn:
        policy = _render_policy(conn, account_id, permissions)
        clash = conn.execute(
            select(t.c.request_id).where(
                t.c.requestor_account_id == account_id, t.c.workflow_id == p["RequestorWorkflowId"]
            )
        ).first()
        if clash is not None:
            raise iam_errors.EntityAlreadyExists.delegation_workflow()
        open_count = conn.execute(
            select(t.c.request_id)
            .where(t.c.requestor_account_id == account_id, t.c.state.in_(delegation.EXPIRING), t.c.expires_at > now)
            .limit(MAX_OPEN_REQUESTS)
        ).all()
        if len(open_count) >= MAX_OPEN_REQUESTS:
            raise iam_errors.LimitExceeded.quota("open delegation requests", MAX_OPEN_REQUESTS)
        conn.execute(
            insert(t).values(
                request_id=request_id,
                requestor_account_id=account_id,
                workflow_id=p["RequestorWorkflowId"],
                owner_account_id=p.get("OwnerAccountId"),
                owner_id=None,
                approver_id=None,
                description=p["Description"],
                request_message=p.get("RequestMessage"),
                permissions=json.dumps(permissions, separators=(",", ":")),
                permission_policy=policy,
                redirect_url=p.get("RedirectUrl"),
                notification_channel=p["NotificationChannel"],
                session_duration=p["SessionDuration"],
                only_send_by_owner=bool(p.get("OnlySendByOwner")),
                state="UNASSIGNED",
                expires_at=now + delegation.REQUEST_TTL,
                created_at=now,
                updated_at=now,
            )
        )
    return {"DelegationRequestId": request_id}


@operation(OPERATIONS, "GetDelegationRequest")
def get_delegation_request(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        request = _find(call, conn, "iam:GetDelegationRequest", owner_default=True)
    out: dict[str, Any] = {"DelegationRequest": _view(request, call.now)}
    if call.params.get("DelegationPermissionCheck"):
        # "Whether the caller has sufficient permissions to cover the asks from this
        # delegation request": the caller is who would accept it, and its permissions are
        # those a delegated credential of it would carry (Authorizer.permission_check).
        # AWS runs the check asynchronously; credmint decides at once, so it is COMPLETE.
        out["PermissionCheckStatus"] = "COMPLETE"
        out["PermissionCheckResult"] = call.authorizer.permission_check(
            caller(call), request.row.permission_policy, call.now
        )
    return out


@operation(OPERATIONS, "ListDelegationRequests")
def list_delegation_requests(call: Call) -> Mapping[str, Any] | None:
    me = caller(call)
    owner: str = call.params.get("OwnerId") or me.arn
    authorize(call, "iam:ListDelegationRequests", "*", stored={"iam:DelegationRequestOwner": owner})
    t = schema.delegation_requests
    with call.store.read() as conn:
        rows = conn.execute(
            select(t)
            .where(t.c.owner_account_id == me.account_id, t.c.owner_id == owner)
            .order_by(t.c.created_at, t.c.request_id)
        ).all()
    page, more = paginate([_view(Request(r), call.now) for r in rows], call.params)
    out: dict[str, Any] = {"DelegationRequests": page, "isTruncated": more["IsTruncated"]}
    if "Marker" in more:
        out["Marker"] = more["Marker"]
    return out


def _wrong_state(request: Request, now: datetime, op: str, *, concurrent: bool = False) -> errors.AwsError:
    state = request.state(now)
    if concurrent:
        return iam_errors.ConcurrentModification.delegation_state(state, op)
    return iam_errors.InvalidInput.delegation_state(state, op)


@operation(OPERATIONS, "AssociateDelegationRequest")
def associate_delegation_request(call: Call) -> Mapping[str, Any] | None:
    me = caller(call)
    with call.store.write() as conn:
        request = _find(call, conn, "iam:AssociateDelegationRequest")
        if request.row.owner_account_id not in (None, me.account_id):
            raise iam_errors.NoSuchEntity.delegation_request(request.request_id)
        if not delegation.transition(
            conn, request, "AssociateDelegationRequest", call.now, owner_account_id=me.account_id, owner_id=me.arn
        ):
            raise _wrong_state(request, call.now, "AssociateDelegationRequest")
    return None


def _owner_account_only(call: Call, request: Request) -> None:
    if request.row.owner_account_id != account_of(call):
        raise iam_errors.NoSuchEntity.delegation_request(request.request_id)


@operation(OPERATIONS, "UpdateDelegationRequest")
def update_delegation_request(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        request = _find(call, conn, "iam:UpdateDelegationRequest", owner_default=True)
        _owner_account_only(call, request)
        values = {"notes": call.params["Notes"]} if "Notes" in call.params else {}
        if not delegation.transition(conn, request, "UpdateDelegationRequest", call.now, **values):
            raise _wrong_state(request, call.now, "UpdateDelegationRequest")
    return None


@operation(OPERATIONS, "AcceptDelegationRequest")
def accept_delegation_request(call: Call) -> Mapping[str, Any] | None:
    me = caller(call)
    with call.store.write() as conn:
        request = _find(call, conn, "iam:AcceptDelegationRequest")
        _owner_account_only(call, request)
        if me.kind == "assumed-role" and me.session is not None and me.session.role_arn:
            mapped = {"kind": "role", "arn": me.session.role_arn, "id": me.entity_id, "account": me.account_id}
        elif me.kind == "user":
            mapped = {"kind": "user", "arn": me.arn, "id": me.entity_id, "account": me.account_id}
        else:
            # The root user and federated users are not mapped to delegated credentials
            # (AWS's rule unpublished; an IAM user or role is the safe side).
            raise iam_errors.ConcurrentModification.delegation_acceptor()
        if not delegation.transition(
            conn,
            request,
            "AcceptDelegationRequest",
            call.now,
            approver_id=me.arn,
            accepted_principal=json.dumps(mapped, separators=(",", ":")),
        ):
            # The model lists no InvalidInput for AcceptDelegationRequest.
            raise _wrong_state(request, call.now, "AcceptDelegationRequest", concurrent=True)
    return None


@operation(OPERATIONS, "RejectDelegationRequest")
def reject_delegation_request(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        request = _find(call, conn, "iam:RejectDelegationRequest")
        if request.row.owner_account_id is not None:
            _owner_account_only(call, request)
        if not delegation.transition(
            conn,
            request,
            "RejectDelegationRequest",
            call.now,
            rejection_reason=call.params.get("Notes"),
            expires_at=call.now + delegation.REJECTED_TTL,
        ):
            raise _wrong_state(request, call.now, "RejectDelegationRequest")
    return None


@operation(OPERATIONS, "SendDelegationToken")
def send_delegation_token(call: Call) -> Mapping[str, Any] | None:
    token = delegation.new_token()
    with call.store.write() as conn:
        request = _find(call, conn, "iam:SendDelegationToken")
        _owner_account_only(call, request)
        if request.row.only_send_by_owner and not _is_owner(call, request):
            raise iam_errors.AccessDenied.not_request_owner()
        if not delegation.transition(
            conn,
            request,
            "SendDelegationToken",
            call.now,
            token_sha256=delegation.token_hash(token),
            token_expires_at=call.now + delegation.TOKEN_TTL,
        ):
            raise _wrong_state(request, call.now, "SendDelegationToken")
        channel = str(request.row.notification_channel)
    delegation.deliver(
        call.settings.data_dir,
        channel,
        {
            "DelegationRequestId": request.request_id,
            "RequestorWorkflowId": request.row.workflow_id,
            "TradeInToken": token,
            "ExpirationTime": (call.now + delegation.TOKEN_TTL).isoformat(),
        },
    )
    return None


# --- GetHumanReadableSummary ---------------------------------------------------------------


def summary(request: Request, now: datetime) -> str:
    """The template-based summary of a request (deterministic: the same request and state
    give the same text)."""
    row = request.row
    lines = [
        "Summary generated from a fixed template by credmint (not by a language model).",
        f"Account {row.requestor_account_id} requests temporary access"
        + (f" to account {row.owner_account_id}" if row.owner_account_id else "")
        + f" for {_duration(int(row.session_duration))}.",
        f"Description: {row.description}",
    ]
    if row.request_message:
        lines.append(f"Message from the requester: {row.request_message}")
    try:
        doc = json.loads(row.permission_policy)
    except ValueError:
        doc = {}
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    for st in statements if isinstance(statements, list) else [statements] if statements else []:
        if not isinstance(st, dict):
            continue
        verb = "Allows" if st.get("Effect") == "Allow" else "Denies"
        actions = _listing(st.get("Action") or st.get("NotAction"))
        resources = _listing(st.get("Resource") or st.get("NotResource") or "*")
        cond = " under conditions" if st.get("Condition") else ""
        lines.append(f"{verb} {actions} on {resources}{cond}.")
    lines.append(f"State: {request.state(now)}.")
    return "\n".join(lines)


def _listing(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    return ", ".join(str(i) for i in items)


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    parts = ([f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []) + (
        [f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes else []
    )
    return " ".join(parts) or f"{seconds} seconds"


@operation(OPERATIONS, "GetHumanReadableSummary")
def get_human_readable_summary(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["EntityArn"]
    locale: str = call.params.get("Locale") or "en-US"
    kind, _, request_id = arn.rpartition(":")[2].partition("/")
    if kind != "delegation-request" or not arn.startswith("arn:aws:iam::"):
        raise iam_errors.InvalidInput.delegation_entity_type()
    with call.store.read() as conn:
        request = delegation.load(conn, request_id)
        if request is None or request.arn != arn or not _visible(call, request):
            authorize(call, "iam:GetHumanReadableSummary", arn)
            raise iam_errors.NoSuchEntity.delegation_request(request_id)
        if not _is_owner(call, request):
            authorize(call, "iam:GetHumanReadableSummary", arn, stored=_owner_keys(request))
    if locale not in SUMMARY_LOCALES:
        return {"SummaryContent": "", "Locale": locale, "SummaryState": "NOT_SUPPORTED"}
    return {"SummaryContent": summary(request, call.now), "Locale": locale, "SummaryState": "AVAILABLE"}
