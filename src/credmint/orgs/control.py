"""Service and resource control policies on the request path.

For an account, the SCPs (or RCPs) that apply are one list of compiled policies per level
of the organization tree — root, each OU down to the account, the account itself — and
every level must allow (the engine's ``scps``/``rcps`` arguments). ``None`` means the
policy type does not apply at all:

* the account is in no organization, or the type is not enabled on its root;
* the account is the management account (AWS: SCPs and RCPs never restrict it);
* for RCPs, the action's service is not one RCPs support.

A closed member account (CloseAccount) gets one empty level of each: it is refused
every action, and every action on its resources, as AWS suspends a closed account.

The levels are read once per account and kept until the store's change signal, like
the other caches of the request path; the compiled documents are kept by text.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from credmint import errors
from credmint.access.guardrails import Levels
from credmint.orgs import data, model
from credmint.policy import CompiledPolicy, compile_policy
from credmint.store.changes import EVERYTHING, ORGS, Changes
from credmint.store.db import Store

#: Services whose resources RCPs protect (AWS's list; credmint serves s3 and sts of them).
RCP_SERVICES = frozenset(
    {"s3", "sts", "sqs", "kms", "secretsmanager", "cognito-identity", "logs", "dynamodb", "ecr", "aoss"}
)


@dataclass(frozen=True, slots=True)
class Guardrails:
    scps: Levels | None
    rcps: Levels | None
    #: The account's organization id and its path (``o-.../r-.../ou-.../``), for the
    #: ``aws:PrincipalOrgID`` / ``aws:ResourceOrgID`` families of condition keys.
    org_id: str | None = None
    org_path: str | None = None


_NONE = Guardrails(None, None)
#: One level with no policy: it allows nothing.
_CLOSED: Levels = ((),)


class ControlPolicies:
    """Account id -> the SCP and RCP levels that apply to it."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._accounts: dict[str, Guardrails] = {}
        #: Whether any organization exists: with none, no account needs a read at all.
        self._any: bool | None = None
        self._compiled: dict[str, CompiledPolicy | None] = {}
        self._lock = threading.Lock()
        store.on_change(self.invalidate)

    def invalidate(self, changes: Changes) -> None:
        """Organizations writes (and account changes, which name ``orgs`` too) empty it."""
        if EVERYTHING in changes or ORGS in changes:
            self.clear()

    def clear(self) -> None:
        with self._lock:
            self._accounts = {}
            self._any = None

    def lookup(
        self, principal_account: str | None, resource_account: str | None, action: str
    ) -> tuple[Levels | None, Levels | None]:
        """``(scps, rcps)`` for a request of ``principal_account`` on a resource of
        ``resource_account`` (either may be ``None``: anonymous caller, no resource)."""
        scps = self.guardrails(principal_account).scps if principal_account else None
        rcps: Levels | None = None
        if resource_account and action.partition(":")[0].lower() in RCP_SERVICES:
            rcps = self.guardrails(resource_account).rcps
        return scps, rcps

    def guardrails(self, account_id: str) -> Guardrails:
        accounts = self._accounts
        trusted = self._store.caches_trusted()
        found = accounts.get(account_id) if trusted else None
        if found is not None:
            return found
        if self._any is False and trusted:
            return _NONE
        with self._store.read() as conn:
            any_org = data.any_organization(conn)
            loaded = self._load(conn, account_id) if any_org else _NONE
        with self._lock:
            # A clear() during the read must not be undone by stale results.
            if accounts is self._accounts and trusted:
                self._any = any_org
                if len(accounts) < 100_000:
                    accounts[account_id] = loaded
        return loaded

    # --- loading ------------------------------------------------------------------------------

    def _load(self, conn: Connection, account_id: str) -> Guardrails:
        org = data.org_of_account(conn, account_id)
        if org is None:
            return _NONE
        parent = data.account_parent(conn, account_id)
        chain = [*data.ancestors(conn, org, parent), account_id] if parent else [org.root_id, account_id]
        # AWS's org path: the organization, then root and OUs down to the account's parent.
        path = "/".join([org.org_id, *chain[:-1]]) + "/"
        membership = Guardrails(None, None, org.org_id, path)
        if org.management_account_id != account_id and data.account_closed(conn, account_id):
            return Guardrails(_CLOSED, _CLOSED, org.org_id, path)
        if org.management_account_id == account_id or not org.all_features:
            return membership
        types = data.enabled_policy_types(conn, org.org_id)
        if not types & set(model.CONTROL_TYPES):
            return membership
        rows = data.attached(conn, chain)
        contents = data.policy_content(conn, sorted({pid for _, pid, _ in rows}))
        return Guardrails(
            self._levels(chain, rows, contents, model.SCP) if model.SCP in types else None,
            self._levels(chain, rows, contents, model.RCP) if model.RCP in types else None,
            org.org_id,
            path,
        )

    def _levels(
        self,
        chain: Sequence[str],
        rows: Sequence[tuple[str, str, str]],
        contents: dict[str, str],
        policy_type: str,
    ) -> Levels:
        levels: list[tuple[CompiledPolicy, ...]] = []
        for target in chain:
            compiled: list[CompiledPolicy] = []
            for t, pid, ptype in rows:
                if t != target or ptype != policy_type or pid not in contents:
                    continue
                c = self._compile(pid, contents[pid])
                if c is not None:
                    compiled.append(c)
            # A level with no policy allows nothing, as AWS evaluates it.
            levels.append(tuple(compiled))
        return tuple(levels)

    def _compile(self, policy_id: str, content: str) -> CompiledPolicy | None:
        key = f"{policy_id}\n{content}"
        if key in self._compiled:
            return self._compiled[key]
        try:
            compiled: CompiledPolicy | None = compile_policy(content, policy_id=policy_id)
        except errors.AwsError:
            # Stored documents were validated on the way in; one that no longer compiles
            # grants nothing (so its level denies unless another policy there allows).
            compiled = None
        with self._lock:
            if len(self._compiled) > 10_000:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled


def control_policies(
    cache: ControlPolicies, principal_account: str | None, resource_account: str | None, action: str
) -> tuple[Levels | None, Levels | None]:
    """``(scps, rcps)`` for the engine, from the node's :class:`ControlPolicies`."""
    return cache.lookup(principal_account, resource_account, action)


def organization_keys(
    cache: ControlPolicies, principal_account: str | None, resource_account: str | None
) -> dict[str, str | list[str]]:
    """``aws:PrincipalOrgID``/``PrincipalOrgPaths`` and ``aws:ResourceOrgID``/``ResourceOrgPaths``
    for accounts that belong to an organization (none when no organization exists)."""
    keys: dict[str, str | list[str]] = {}
    if principal_account:
        g = cache.guardrails(principal_account)
        if g.org_id is not None and g.org_path is not None:
            keys["aws:PrincipalOrgID"] = g.org_id
            keys["aws:PrincipalOrgPaths"] = [g.org_path]
    if resource_account:
        g = cache.guardrails(resource_account)
        if g.org_id is not None and g.org_path is not None:
            keys["aws:ResourceOrgID"] = g.org_id
            keys["aws:ResourceOrgPaths"] = [g.org_path]
    return keys
