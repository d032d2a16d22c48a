"""Handshakes: inviting accounts into an organization, and the all-features migration.

A handshake is a request from an organization to an account (or to all its invited
members) that the other side answers. Its life, as AWS runs it:

=========================  ==========================  ======================================
action                     who answers                 what accepting does
=========================  ==========================  ======================================
``INVITE``                 the invited account         the account joins the organization
``ENABLE_ALL_FEATURES``    the management account      the feature set becomes ``ALL`` (once
                                                       every ``APPROVE_ALL_FEATURES`` child
                                                       was accepted)
``APPROVE_ALL_FEATURES``   each member that joined     records that member's approval
                           by invitation
=========================  ==========================  ======================================

States: ``OPEN`` (``REQUESTED`` for the all-features parent) until it is ``ACCEPTED``,
``DECLINED`` (by the recipient), ``CANCELED`` (by the organization) or ``EXPIRED`` (15
days for an invitation, 90 for the all-features migration; computed from the clock at
every read, so no sweeper is needed). Answering a handshake in the state it is already
in is ``HandshakeAlreadyInStateException``; any other move out of a finished state is
``InvalidHandshakeTransitionException``. A handshake is visible only to its parties:
to anyone else it does not exist (``HandshakeNotFoundException``), so ids cannot be
probed. Finished handshakes are listed for 30 days and then dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from credmint import arns
from credmint.api import Call, operation
from credmint.orgs import data, model
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, authorized, caller, entity_arn, management, paginate, unique
from credmint.orgs.data import Org
from credmint.orgs.lookups import attach_defaults
from credmint.orgs.ops import OPERATIONS
from credmint.orgs.tags import put_tags
from credmint.orgs.views import email_of
from credmint.store import schema

h = schema.org_handshakes


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive UTC times.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def state_of(row: Any, now: datetime) -> str:
    """The handshake's state at ``now``: a waiting handshake past its expiry is EXPIRED."""
    if row.state in model.WAITING and now >= _utc(row.expires_at):
        return model.EXPIRED
    return str(row.state)


def _finished_at(row: Any, now: datetime) -> datetime | None:
    state = state_of(row, now)
    if state in model.WAITING:
        return None
    return _utc(row.expires_at) if state == model.EXPIRED else _utc(row.updated_at)


def _listed(row: Any, now: datetime) -> bool:
    done = _finished_at(row, now)
    return done is None or now - done < timedelta(days=model.FINISHED_LISTED_DAYS)


# --- errors -----------------------------------------------------------------------------------


# --- views ------------------------------------------------------------------------------------


def handshake_view(conn: Connection, org: Org, row: Any, now: datetime) -> dict[str, Any]:
    parties: list[dict[str, str]] = [{"Id": org.org_id, "Type": "ORGANIZATION"}]
    resources: list[dict[str, Any]] = []
    if row.action == model.INVITE:
        mgmt = conn.execute(
            select(schema.accounts.c.name, schema.accounts.c.email).where(
                schema.accounts.c.account_id == org.management_account_id
            )
        ).first()
        parties.append({"Id": row.target, "Type": row.target_type})
        resources.append(
            {
                "Type": "ORGANIZATION",
                "Value": org.org_id,
                "Resources": [
                    {
                        "Type": "MASTER_EMAIL",
                        "Value": email_of(org.management_account_id, mgmt.email if mgmt else None),
                    },
                    {"Type": "MASTER_NAME", "Value": mgmt.name if mgmt else org.management_account_id},
                    {"Type": "ORGANIZATION_FEATURE_SET", "Value": org.feature_set},
                ],
            }
        )
        resources.append({"Type": row.target_type, "Value": row.target})
        if row.notes:
            resources.append({"Type": "NOTES", "Value": row.notes})
    else:
        resources.append({"Type": "ORGANIZATION", "Value": org.org_id})
        if row.action == model.APPROVE_ALL_FEATURES:
            parties.append({"Id": row.target, "Type": "ACCOUNT"})
            resources.append({"Type": "PARENT_HANDSHAKE", "Value": row.parent_id})
    return {
        "Id": row.handshake_id,
        "Arn": arns.handshake(org.management_account_id, org.org_id, row.action, row.handshake_id),
        "Parties": parties,
        "State": state_of(row, now),
        "RequestedTimestamp": row.requested_at,
        "ExpirationTimestamp": row.expires_at,
        "Action": row.action,
        "Resources": resources,
    }


# --- finding ----------------------------------------------------------------------------------


def _recipient_keys(conn: Connection, account_id: str) -> list[str]:
    """The target keys that address ``account_id``: its id and its email address."""
    email = conn.execute(
        select(schema.accounts.c.email).where(schema.accounts.c.account_id == account_id)
    ).scalar_one_or_none()
    return [account_id, *([email.lower()] if email else [])]


def _is_recipient(conn: Connection, row: Any, account_id: str) -> bool:
    if row.action == model.ENABLE_ALL_FEATURES:
        return _org_of(conn, row).management_account_id == account_id
    return row.target_key in _recipient_keys(conn, account_id)


def _org_of(conn: Connection, row: Any) -> Org:
    o = schema.organizations
    found = conn.execute(select(o).where(o.c.org_id == row.org_id)).one()
    return Org(found.org_id, found.management_account_id, found.feature_set, found.root_id, found.created_at)


def _visible(conn: Connection, call: Call, handshake_id: str) -> tuple[Any, Org]:
    """The handshake and its organization, if the caller is one of its parties (the
    organization's management account, or the recipient); otherwise not found."""
    account = caller(call).account_id
    row = conn.execute(select(h).where(h.c.handshake_id == handshake_id)).first()
    if row is None:
        raise orgs_errors.HandshakeNotFound()
    org = _org_of(conn, row)
    if org.management_account_id != account and not _is_recipient(conn, row, account):
        raise orgs_errors.HandshakeNotFound()
    return row, org


def _filtered(call: Call, query: Any) -> Any:
    flt: Mapping[str, Any] = call.params.get("Filter") or {}
    if flt.get("ActionType") and flt.get("ParentHandshakeId"):
        raise orgs_errors.InvalidInput.one_filter()
    if flt.get("ActionType"):
        query = query.where(h.c.action == flt["ActionType"])
    if flt.get("ParentHandshakeId"):
        query = query.where(h.c.parent_id == flt["ParentHandshakeId"])
    return query.order_by(h.c.requested_at, h.c.handshake_id)


def set_state(conn: Connection, row: Any, state: str, now: datetime) -> None:
    """Move ``row`` to ``state`` if it is still in the state it was read in: a conditional
    write, so two nodes answering one handshake at once cannot both succeed."""
    moved = conn.execute(
        update(h)
        .where(h.c.handshake_id == row.handshake_id, h.c.state == row.state)
        .values(state=state, updated_at=now)
    )
    if moved.rowcount != 1:
        raise orgs_errors.ConcurrentModification()


def _answerable(row: Any, now: datetime, wanted: str) -> None:
    """Refuse to move a handshake to ``wanted`` unless it is waiting."""
    state = state_of(row, now)
    if state == wanted:
        raise orgs_errors.HandshakeAlreadyInState(state)
    if state not in model.WAITING:
        raise orgs_errors.InvalidHandshakeTransition()


# --- invitations ------------------------------------------------------------------------------


def _prune(conn: Connection, org: Org, now: datetime) -> None:
    """Drop the organization's handshakes finished more than 30 days ago (AWS no longer
    lists them), so the table does not grow with every invitation ever sent."""
    rows = conn.execute(
        select(h.c.handshake_id, h.c.state, h.c.expires_at, h.c.updated_at).where(h.c.org_id == org.org_id)
    ).all()
    old = [r.handshake_id for r in rows if not _listed(r, now)]
    if old:
        conn.execute(delete(h).where(h.c.handshake_id.in_(old)))


def _target(call: Call) -> tuple[str, str, str]:
    """``(type, id as given, key)`` of the invitation's target, checked as AWS checks it."""
    target: Mapping[str, str] = call.params["Target"]
    kind, value = target["Type"], target["Id"]
    if kind == "ACCOUNT":
        if not (len(value) == 12 and value.isdigit()):
            raise orgs_errors.InvalidInput.target_account_id()
        return kind, value, value
    if kind == "EMAIL":
        local, at, domain = value.partition("@")
        if not (local and at and "." in domain) or any(c.isspace() for c in value):
            raise orgs_errors.InvalidInput.target_email()
        return kind, value, value.lower()
    raise orgs_errors.InvalidInput.target_organization()


def _resolve(conn: Connection, kind: str, key: str) -> str | None:
    """The credmint account an invitation reaches, if it exists."""
    a = schema.accounts
    if kind == "ACCOUNT":
        found: str | None = conn.execute(select(a.c.account_id).where(a.c.account_id == key)).scalar_one_or_none()
        return found
    row = conn.execute(select(a.c.account_id).where(func.lower(a.c.email) == key).limit(1)).first()
    return row.account_id if row is not None else None


@operation(OPERATIONS, "InviteAccountToOrganization")
def invite_account_to_organization(call: Call) -> Mapping[str, Any]:
    kind, target, key = _target(call)
    notes: str | None = call.params.get("Notes")
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in call.params.get("Tags") or []]
    # An invitation by account id names the account (its ARN in this organization); one by
    # e-mail names no resource.
    authorized(
        call,
        "InviteAccountToOrganization",
        management,
        lambda org: entity_arn(org, key) if kind == "ACCOUNT" else "*",
    )
    with call.store.write() as conn:
        org = management(call, conn)
        now = call.now
        _prune(conn, org, now)
        waiting = [
            r
            for r in conn.execute(select(h).where(h.c.org_id == org.org_id, h.c.action != model.INVITE)).all()
            if state_of(r, now) in model.WAITING
        ]
        if waiting:
            raise orgs_errors.HandshakeConstraintViolation.invite_during_migration()
        account = _resolve(conn, kind, key)
        if account is not None and data.org_of_account(conn, account) is not None:
            raise orgs_errors.HandshakeConstraintViolation.already_in_organization()
        invites = conn.execute(
            select(h).where(h.c.org_id == org.org_id, h.c.action == model.INVITE).order_by(h.c.requested_at.desc())
        ).all()
        if any(r.target_key == key and state_of(r, now) == model.OPEN for r in invites):
            raise orgs_errors.DuplicateHandshake()
        recent = [r for r in invites if now - _utc(r.requested_at) < timedelta(days=1)]
        if len(recent) >= model.MAX_INVITES_PER_DAY:
            raise orgs_errors.HandshakeConstraintViolation.rate_limit()
        handshake_id = model.new_handshake_id()
        conn.execute(
            insert(h).values(
                handshake_id=handshake_id,
                org_id=org.org_id,
                action=model.INVITE,
                state=model.OPEN,
                target_type=kind,
                target=target,
                target_key=key,
                target_account_id=account,
                notes=notes,
                tags=json.dumps(tags) if tags else None,
                requested_at=now,
                expires_at=now + timedelta(days=model.HANDSHAKE_DAYS[model.INVITE]),
                updated_at=now,
            )
        )
        row = conn.execute(select(h).where(h.c.handshake_id == handshake_id)).one()
        return {"Handshake": handshake_view(conn, org, row, now)}


def _join(conn: Connection, org: Org, account_id: str, row: Any, now: datetime) -> None:
    """The invited account joins ``org`` at its root, as AWS places it, with the invitation's tags."""
    conn.execute(
        insert(schema.org_accounts).values(
            account_id=account_id, org_id=org.org_id, parent_id=org.root_id, joined_method="INVITED", joined_at=now
        )
    )
    conn.execute(
        update(schema.accounts).where(schema.accounts.c.account_id == account_id).values(organization_id=org.org_id)
    )
    attach_defaults(conn, org, account_id, data.enabled_policy_types(conn, org.org_id))
    if row.tags:
        put_tags(conn, arns.org_account(org.management_account_id, org.org_id, account_id), json.loads(row.tags))


def _approved(children: Any, now: datetime) -> bool:
    """Every member asked has approved (a request canceled because its member left counts as done)."""
    return all(state_of(c, now) in (model.ACCEPTED, model.CANCELED) for c in children)


def _open_when_approved(conn: Connection, parent_id: str, now: datetime) -> None:
    """AWS moves the all-features request from REQUESTED to OPEN once every member approved."""
    siblings = conn.execute(select(h).where(h.c.parent_id == parent_id)).all()
    if _approved(siblings, now):
        conn.execute(
            update(h)
            .where(h.c.handshake_id == parent_id, h.c.state == model.REQUESTED)
            .values(state=model.OPEN, updated_at=now)
        )


def _finish_all_features(conn: Connection, org: Org, row: Any, now: datetime) -> None:
    """Accepting the ENABLE_ALL_FEATURES handshake: every member invited before must have approved."""
    children = conn.execute(select(h).where(h.c.parent_id == row.handshake_id)).all()
    if not _approved(children, now):
        # AWS finalizes only once every invited member approved (the remedy is to remove
        # the others); the exact error AWS gives an early finalization is unconfirmed.
        raise orgs_errors.InvalidHandshakeTransition()
    conn.execute(
        update(schema.organizations)
        .where(schema.organizations.c.org_id == org.org_id)
        .values(feature_set=model.FEATURE_ALL)
    )


@operation(OPERATIONS, "AcceptHandshake")
def accept_handshake(call: Call) -> Mapping[str, Any]:
    handshake_id: str = call.params["HandshakeId"]
    account = caller(call).account_id
    with call.store.read() as conn:
        row, org = _visible(conn, call, handshake_id)
    authorize(
        call, "AcceptHandshake", arns.handshake(org.management_account_id, org.org_id, row.action, handshake_id)
    )
    now = call.now
    with call.store.write() as conn:
        row, org = _visible(conn, call, handshake_id)
        if not _is_recipient(conn, row, account):
            # The organization's own side cannot accept its invitation.
            raise orgs_errors.AccessDenied.own_handshake()
        _answerable(row, now, model.ACCEPTED)
        set_state(conn, row, model.ACCEPTED, now)
        if row.action == model.INVITE:
            if data.org_of_account(conn, account) is not None:
                raise orgs_errors.HandshakeConstraintViolation.already_in_organization()
            # A second invitation accepted at the same moment on another node joins first.
            with unique(orgs_errors.HandshakeConstraintViolation.already_in_organization):
                _join(conn, org, account, row, now)
        elif row.action == model.ENABLE_ALL_FEATURES:
            _finish_all_features(conn, org, row, now)
        if row.action == model.APPROVE_ALL_FEATURES and row.parent_id:
            _open_when_approved(conn, row.parent_id, now)
        org = _org_of(conn, row)
        row = conn.execute(select(h).where(h.c.handshake_id == handshake_id)).one()
        return {"Handshake": handshake_view(conn, org, row, now)}


@operation(OPERATIONS, "DeclineHandshake")
def decline_handshake(call: Call) -> Mapping[str, Any]:
    handshake_id: str = call.params["HandshakeId"]
    account = caller(call).account_id
    with call.store.read() as conn:
        row, org = _visible(conn, call, handshake_id)
    authorize(
        call, "DeclineHandshake", arns.handshake(org.management_account_id, org.org_id, row.action, handshake_id)
    )
    with call.store.write() as conn:
        row, org = _visible(conn, call, handshake_id)
        if not _is_recipient(conn, row, account) or row.action == model.ENABLE_ALL_FEATURES:
            # The sender withdraws with CancelHandshake, not DeclineHandshake.
            raise orgs_errors.AccessDenied.decline_not_recipient()
        _answerable(row, call.now, model.DECLINED)
        set_state(conn, row, model.DECLINED, call.now)
        row = conn.execute(select(h).where(h.c.handshake_id == handshake_id)).one()
        return {"Handshake": handshake_view(conn, org, row, call.now)}


@operation(OPERATIONS, "CancelHandshake")
def cancel_handshake(call: Call) -> Mapping[str, Any]:
    handshake_id: str = call.params["HandshakeId"]
    account = caller(call).account_id
    with call.store.read() as conn:
        row, org = _visible(conn, call, handshake_id)
    authorize(
        call, "CancelHandshake", arns.handshake(org.management_account_id, org.org_id, row.action, handshake_id)
    )
    with call.store.write() as conn:
        row, org = _visible(conn, call, handshake_id)
        if org.management_account_id != account:
            raise orgs_errors.AccessDenied.cancel_not_sender()
        _answerable(row, call.now, model.CANCELED)
        set_state(conn, row, model.CANCELED, call.now)
        # Canceling the all-features request withdraws every member's approval request.
        for child in conn.execute(select(h).where(h.c.parent_id == handshake_id)).all():
            if state_of(child, call.now) in model.WAITING:
                set_state(conn, child, model.CANCELED, call.now)
        row = conn.execute(select(h).where(h.c.handshake_id == handshake_id)).one()
        return {"Handshake": handshake_view(conn, org, row, call.now)}


@operation(OPERATIONS, "DescribeHandshake")
def describe_handshake(call: Call) -> Mapping[str, Any]:
    handshake_id: str = call.params["HandshakeId"]
    with call.store.read() as conn:
        row, org = _visible(conn, call, handshake_id)
        authorize(
            call,
            "DescribeHandshake",
            arns.handshake(org.management_account_id, org.org_id, row.action, handshake_id),
        )
        return {"Handshake": handshake_view(conn, org, row, call.now)}


@operation(OPERATIONS, "ListHandshakesForAccount")
def list_handshakes_for_account(call: Call) -> Mapping[str, Any]:
    """The handshakes the caller's account is asked to answer; callable outside any organization."""
    account = caller(call).account_id
    authorize(call, "ListHandshakesForAccount")
    with call.store.read() as conn:
        keys = _recipient_keys(conn, account)
        rows = [
            r
            for r in conn.execute(_filtered(call, select(h).where(h.c.target_key.in_(keys)))).all()
            if r.action != model.ENABLE_ALL_FEATURES and _listed(r, call.now)
        ]
        own = data.org_of_account(conn, account)
        if own is not None and own.management_account_id == account:
            # The management account answers its organization's all-features request.
            query = select(h).where(h.c.org_id == own.org_id, h.c.action == model.ENABLE_ALL_FEATURES)
            rows.extend(r for r in conn.execute(_filtered(call, query)).all() if _listed(r, call.now))
        rows.sort(key=lambda r: (_utc(r.requested_at), r.handshake_id))
        page, more = paginate(rows, call.params)
        return {"Handshakes": [handshake_view(conn, _org_of(conn, r), r, call.now) for r in page], **more}


@operation(OPERATIONS, "ListHandshakesForOrganization")
def list_handshakes_for_organization(call: Call) -> Mapping[str, Any]:
    authorize(call, "ListHandshakesForOrganization")
    with call.store.read() as conn:
        org = administrator(call, conn)
        query = _filtered(call, select(h).where(h.c.org_id == org.org_id))
        rows = [r for r in conn.execute(query).all() if _listed(r, call.now)]
        page, more = paginate(rows, call.params)
        return {"Handshakes": [handshake_view(conn, org, r, call.now) for r in page], **more}


# --- all features -----------------------------------------------------------------------------


@operation(OPERATIONS, "EnableAllFeatures")
def enable_all_features(call: Call) -> Mapping[str, Any]:
    authorize(call, "EnableAllFeatures")
    now = call.now
    with call.store.write() as conn:
        org = management(call, conn)
        if org.all_features:
            raise orgs_errors.HandshakeConstraintViolation.already_all_features()
        pending = conn.execute(select(h).where(h.c.org_id == org.org_id, h.c.action == model.ENABLE_ALL_FEATURES)).all()
        if any(state_of(r, now) in model.WAITING for r in pending):
            raise orgs_errors.HandshakeConstraintViolation.already_migrating()
        oa = schema.org_accounts
        invited = [
            a
            for (a,) in conn.execute(
                select(oa.c.account_id).where(
                    oa.c.org_id == org.org_id,
                    oa.c.joined_method == "INVITED",
                    oa.c.account_id != org.management_account_id,
                )
            ).all()
        ]
        expires = now + timedelta(days=model.HANDSHAKE_DAYS[model.ENABLE_ALL_FEATURES])
        parent_id = model.new_handshake_id()
        common = {"org_id": org.org_id, "requested_at": now, "expires_at": expires, "updated_at": now}
        conn.execute(
            insert(h).values(
                handshake_id=parent_id,
                action=model.ENABLE_ALL_FEATURES,
                # REQUESTED while members still have to approve; OPEN when only the management account must accept.
                state=model.REQUESTED if invited else model.OPEN,
                target_type="ORGANIZATION",
                target=org.org_id,
                target_key=org.org_id,
                **common,
            )
        )
        for account in invited:
            conn.execute(
                insert(h).values(
                    handshake_id=model.new_handshake_id(),
                    action=model.APPROVE_ALL_FEATURES,
                    state=model.OPEN,
                    parent_id=parent_id,
                    target_type="ACCOUNT",
                    target=account,
                    target_key=account,
                    target_account_id=account,
                    **common,
                )
            )
        row = conn.execute(select(h).where(h.c.handshake_id == parent_id)).one()
        return {"Handshake": handshake_view(conn, org, row, now)}


def drop_for_account(conn: Connection, org: Org, account_id: str, now: datetime) -> None:
    """An account leaving ``org`` no longer has approvals to give: its waiting
    APPROVE_ALL_FEATURES handshakes are canceled."""
    for row in conn.execute(
        select(h).where(
            h.c.org_id == org.org_id, h.c.action == model.APPROVE_ALL_FEATURES, h.c.target_key == account_id
        )
    ).all():
        if state_of(row, now) in model.WAITING:
            set_state(conn, row, model.CANCELED, now)
            if row.parent_id:
                _open_when_approved(conn, row.parent_id, now)
