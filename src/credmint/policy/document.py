"""Parse, validate and compile policy documents.

``compile_policy`` is the one entry point the rest of credmint needs: it
parses JSON (rejecting duplicate keys, as AWS does), validates the grammar and
the rules of the policy's kind with AWS's ``MalformedPolicyDocument`` messages,
and returns a :class:`CompiledPolicy` whose statements are indexed by service
prefix, whose wildcards are precompiled matchers and whose conditions are bound
to their operator functions. Compile once, evaluate many times.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from credmint.errors import MalformedPolicyDocument

from . import grammar
from .conditions import CompiledCondition, ConditionValueError, parse_operator, policy_value_text
from .context import PrincipalInfo
from .matching import ArnPattern, KeyValues, Matcher, action_service, actions_matcher, resources_matcher
from .messages import VALIDATION

PolicyKind = Literal["identity", "resource", "trust", "boundary", "session", "scp", "rcp", "endpoint"]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"

#: Kinds that attach to an identity (or an org unit) and so name no principal.
_IDENTITY_SIDE = frozenset({"identity", "boundary", "session", "scp"})
#: Kinds that sit on a resource and must name who they apply to.
_PRINCIPAL_REQUIRED = frozenset({"resource", "trust", "rcp"})

_TOP_FIELDS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_FIELDS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_SID_ALNUM = re.compile(r"^[0-9A-Za-z]*$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{15,}$")
_AWS_PRINCIPAL_ARN = re.compile(
    r"^arn:aws[a-z-]*:(iam::\d{12}:(root|user/.+|role/.+)|sts::\d{12}:(assumed-role/[^/]+/.+|federated-user/.+))$"
)

# Principal match strengths, weakest first (see PrincipalSpec.level).
NO_MATCH, ACCOUNT_MATCH, SOURCE_MATCH, EXACT_MATCH = 0, 1, 2, 3


def _fail(key: str, **fmt: str) -> MalformedPolicyDocument:
    return MalformedPolicyDocument(VALIDATION[key].format(**fmt))


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            # AWS: duplicate keys in one JSON object are a syntax error.
            raise _fail("syntax")
        out[k] = v
    return out


def parse_policy(text: str | bytes) -> dict[str, Any]:
    """JSON text → dict, with AWS's "Syntax errors in policy." for anything unparsable."""
    try:
        doc = json.loads(text, object_pairs_hook=_reject_duplicates)
    except (ValueError, RecursionError) as exc:
        raise _fail("syntax") from exc
    if not isinstance(doc, dict):
        raise _fail("syntax")
    return doc


def policy_size(text: str) -> int:
    """Size as IAM counts it for the quotas in aws-behavior.md §7.5: characters, whitespace excluded."""
    return sum(1 for ch in text if not ch.isspace())


def _strings(value: Any) -> tuple[str, ...]:
    """A string-or-list element as a tuple; anything else is a syntax error."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail("syntax")


# --- principals --------------------------------------------------------------------------


class PrincipalSpec:
    """A compiled Principal/NotPrincipal element."""

    __slots__ = ("accounts", "any", "aws", "canonical", "federated", "service")

    def __init__(self, element: Any, *, strict: bool) -> None:
        self.any = False
        aws: set[str] = set()
        accounts: set[str] = set()
        service: set[str] = set()
        federated: set[str] = set()
        canonical: set[str] = set()
        if element == "*":
            self.any = True
        elif isinstance(element, str) and not strict:
            # Not AWS grammar, but simulators (and iam-simulate's data) write a bare
            # principal string; read it as {"AWS": ...} when only the grammar is checked.
            self._add_aws(element, aws, accounts, strict)
        elif isinstance(element, dict) and element:
            for kind, raw in element.items():
                if kind not in _PRINCIPAL_TYPES:
                    raise _fail("syntax")
                for value in _strings(raw):
                    if kind == "AWS":
                        self._add_aws(value, aws, accounts, strict)
                    elif kind == "Service":
                        service.add(value.lower())
                    elif kind == "Federated":
                        federated.add(value)
                    else:
                        canonical.add(value)
        else:
            raise _fail("syntax")
        self.aws = frozenset(aws)
        self.accounts = frozenset(accounts)
        self.service = frozenset(service)
        self.federated = frozenset(federated)
        self.canonical = frozenset(canonical)

    def _add_aws(self, value: str, aws: set[str], accounts: set[str], strict: bool) -> None:
        if value == "*":
            # {"AWS": "*"} and "*" are the same principal (AWS documents them as equivalent).
            self.any = True
        elif _ACCOUNT_ID.match(value):
            accounts.add(value)
        elif value.endswith(":root") and value.startswith("arn:"):
            if strict and _AWS_PRINCIPAL_ARN.match(value) is None:
                # "arn:aws:iam::s3tenant1:root": no account has that id.
                raise _fail("principal_invalid", kind="AWS", value=value)
            accounts.add(value.split(":")[4])
        else:
            if (strict and not (_AWS_PRINCIPAL_ARN.match(value) or _UNIQUE_ID.match(value))) or (
                strict and ("*" in value or "?" in value)
            ):
                # Wildcards inside a principal ARN are not allowed.
                raise _fail("principal_invalid", kind="AWS", value=value)
            aws.add(value)

    def level(self, p: PrincipalInfo) -> int:
        """How strongly this element names ``p``.

        ``EXACT_MATCH``: the caller's own identity (user, role session, federated
        session, service, IdP, ``*``). ``SOURCE_MATCH``: the role behind a role
        session, or the IAM user behind a federated session — AWS still applies
        the session policy and boundary to those. ``ACCOUNT_MATCH``: the caller's
        account (account id or ``:root``), which delegates to the account's own
        IAM policies.
        """
        if self.any:
            return EXACT_MATCH
        t = p.type
        if t == "Anonymous":
            return NO_MATCH
        if t == "Service":
            return EXACT_MATCH if p.arn.lower() in self.service else NO_MATCH
        if t in ("WebIdentityUser", "SAMLUser"):
            return EXACT_MATCH if p.arn in self.federated else NO_MATCH
        aws = self.aws
        if aws:
            if p.arn in aws or (p.unique_id is not None and p.unique_id in aws):
                # A role ARN stands for its sessions; naming it is the weaker, "role ARN"
                # match that boundaries and session policies still limit.
                return SOURCE_MATCH if t == "Role" else EXACT_MATCH
            if t == "AssumedRole":
                role = p.role_arn
                if (
                    (role is not None and role in aws)
                    or (p.unique_id is not None and p.unique_id.partition(":")[0] in aws)
                    or (p.source_id is not None and p.source_id in aws)
                ):
                    return SOURCE_MATCH
            elif t == "FederatedUser":
                user = p.federating_user_arn
                if (user is not None and user in aws) or (p.source_id is not None and p.source_id in aws):
                    return SOURCE_MATCH
        if p.canonical_user is not None and p.canonical_user in self.canonical:
            return EXACT_MATCH
        if p.account is not None and p.account in self.accounts:
            return ACCOUNT_MATCH
        return NO_MATCH

    def names_every_identity(self, p: PrincipalInfo) -> bool:
        """Whether the element names every identity the caller acts as: what exempts it from
        a Deny with ``NotPrincipal``.

        AWS (IAM User Guide, "NotPrincipal"): with Deny, the element must name the account
        beside the user ("otherwise the policy might deny access to the entire account"), and
        a role session by its session ARN beside the role and the account; naming the role
        or the account alone exempts no one. So a user is exempt only with its ARN and its
        account named, a role session with its session ARN, its role and its account, a
        federated user with its ARN and its account, the root user with its account.
        """
        if self.any:
            return True
        t = p.type
        if t == "Anonymous":
            return False
        if t in ("Service", "WebIdentityUser", "SAMLUser"):
            return self.level(p) == EXACT_MATCH
        account = p.account is not None and p.account in self.accounts
        if t == "Account":
            return account
        aws = self.aws
        own = p.arn in aws or (p.unique_id is not None and p.unique_id in aws)
        if not own and p.canonical_user is not None:
            own = p.canonical_user in self.canonical
        if t == "AssumedRole":
            role = p.role_arn
            role_named = (role is not None and role in aws) or (p.source_id is not None and p.source_id in aws)
            return own and role_named and account
        return own and account


# --- statements and policies -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    index: int
    sid: str | None
    allow: bool
    action: Matcher
    not_action: bool
    #: ``None`` when the statement has no Resource/NotResource (trust policies): matches any resource.
    resources: tuple[ArnPattern, ...] | None
    #: All of ``resources`` as one test (value, request keys) -> matched.
    resource_test: Callable[[str, KeyValues], bool] | None
    not_resource: bool
    #: ``None`` when the statement has no Principal/NotPrincipal.
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[CompiledCondition, ...]
    #: Condition key names as written, for the simulator's "missing context" report.
    condition_keys: tuple[str, ...]
    #: Action/NotAction and Resource/NotResource entries as written: an encoded
    #: authorization message lists them for every matched statement.
    action_texts: tuple[str, ...] = ()
    resource_texts: tuple[str, ...] = ()

    @property
    def effect(self) -> str:
        return "Allow" if self.allow else "Deny"


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A policy ready to evaluate; build it with :func:`compile_policy`."""

    policy_id: str
    kind: PolicyKind | None
    version: str
    statements: tuple[CompiledStatement, ...]
    by_service: Mapping[str, tuple[CompiledStatement, ...]]
    any_service: tuple[CompiledStatement, ...]

    def for_service(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements that can apply to an action of ``service`` (lower-case), in document order."""
        return self.by_service.get(service, self.any_service)


def validate_policy(doc: str | bytes | Mapping[str, Any], kind: PolicyKind, *, managed: bool = False) -> None:
    """Raise ``MalformedPolicyDocument`` if IAM would reject ``doc`` as a policy of ``kind``.

    ``managed``: CreatePolicy / CreatePolicyVersion, which refuse Version 2008-10-17.
    """
    compile_policy(doc, kind=kind, managed=managed)


def compile_policy(
    doc: str | bytes | Mapping[str, Any],
    *,
    kind: PolicyKind | None = None,
    policy_id: str = "",
    managed: bool = False,
) -> CompiledPolicy:
    """Validate and compile. ``kind=None`` checks the grammar only (simulators, stored data)."""
    if isinstance(doc, (str, bytes)):
        doc = parse_policy(doc)
    if not isinstance(doc, Mapping) or any(k not in _TOP_FIELDS for k in doc):
        raise _fail("syntax")
    if kind == "identity":
        # IAM's own passes, in IAM's order, decide which fault an identity policy is refused for.
        grammar.check(doc, managed=managed)
    version = doc.get("Version", VERSION_2008)
    if version not in (VERSION_2008, VERSION_2012):
        raise _fail("version_bad")
    if managed and version != VERSION_2012:
        raise _fail("version_old")
    raw = doc.get("Statement")
    if isinstance(raw, dict):
        raw_statements: Sequence[Any] = [raw]
    elif isinstance(raw, list) and (raw or kind is None):
        # An empty Statement list is a syntax error for IAM; stored data (SCP
        # fixtures) may still hold one, which simply allows nothing.
        raw_statements = raw
    else:
        raise _fail("syntax")
    variables = version == VERSION_2012
    statements = tuple(_compile_statement(i, st, kind, variables) for i, st in enumerate(raw_statements))
    sids = [s.sid for s in statements if s.sid]
    if len(sids) != len(set(sids)):
        raise _fail("sid_unique")
    return _index(str(policy_id), kind, version, statements, raw_statements)


def _index(
    policy_id: str,
    kind: PolicyKind | None,
    version: str,
    statements: tuple[CompiledStatement, ...],
    raw_statements: Sequence[Any],
) -> CompiledPolicy:
    """Bucket statements by the service prefixes their actions name; wildcard/NotAction go everywhere."""
    services: list[frozenset[str] | None] = []
    for st, raw in zip(statements, raw_statements):
        if st.not_action:
            services.append(None)
            continue
        names: set[str] = set()
        wildcard = False
        for a in _strings(raw["Action"]):
            svc = action_service(a)
            if svc is None:
                wildcard = True
                break
            names.add(svc)
        services.append(None if wildcard else frozenset(names))
    known = {s for group in services if group for s in group}
    by_service = {
        svc: tuple(st for st, group in zip(statements, services) if group is None or svc in group)
        for svc in known
    }
    any_service = tuple(st for st, group in zip(statements, services) if group is None)
    return CompiledPolicy(policy_id, kind, version, statements, by_service, any_service)


def _compile_statement(index: int, st: Any, kind: PolicyKind | None, variables: bool) -> CompiledStatement:
    if not isinstance(st, dict) or any(k not in _STATEMENT_FIELDS for k in st):
        raise _fail("syntax")
    resource_side = kind in _PRINCIPAL_REQUIRED
    sid = st.get("Sid")
    if sid is not None:
        if not isinstance(sid, str):
            raise _fail("syntax")
        if kind in _IDENTITY_SIDE and not _SID_ALNUM.match(sid):
            raise _fail("sid_alnum")
    if "Effect" not in st:
        raise _fail("effect_missing")
    effect = st["Effect"]
    if effect not in ("Allow", "Deny"):
        raise _fail("syntax")

    # Principal / NotPrincipal
    if "Principal" in st and "NotPrincipal" in st:
        raise _fail("syntax")
    has_principal = "Principal" in st or "NotPrincipal" in st
    if kind in _IDENTITY_SIDE and has_principal:
        raise _fail("principal_forbidden")
    if kind in _PRINCIPAL_REQUIRED and "Principal" not in st:
        if kind == "trust" and "NotPrincipal" in st:
            raise _fail("prohibited_field", field="NotPrincipal")
        if "NotPrincipal" not in st:
            raise _fail("principal_missing")
    principal: PrincipalSpec | None = None
    if has_principal:
        element = st.get("Principal", st.get("NotPrincipal"))
        principal = PrincipalSpec(element, strict=kind is not None)

    # Action / NotAction
    if "Action" in st and "NotAction" in st:
        raise _fail("syntax")
    if "Action" not in st and "NotAction" not in st:
        raise _fail("action_missing_resource_policy" if resource_side else "action_missing")
    not_action = "NotAction" in st
    actions = _strings(st["NotAction" if not_action else "Action"])
    for a in actions:
        if (a != "*" and not a.partition(":")[0]) or (":" not in a and a != "*"):
            raise _fail("vendor")
        if kind == "trust" and a != "*" and a.partition(":")[0].lower() != "sts":
            raise _fail("trust_actions")

    # Resource / NotResource
    if "Resource" in st and "NotResource" in st:
        raise _fail("syntax")
    has_resource = "Resource" in st or "NotResource" in st
    if kind == "trust" and has_resource:
        raise _fail("prohibited_field", field="Resource" if "Resource" in st else "NotResource")
    if not has_resource and kind is not None and kind != "trust":
        raise _fail("resource_missing_resource_policy" if resource_side else "resource_missing")
    not_resource = "NotResource" in st
    resources: tuple[ArnPattern, ...] | None = None
    if has_resource:
        texts = _strings(st["NotResource" if not_resource else "Resource"])
        if kind in _IDENTITY_SIDE and kind != "identity":  # identity policies: grammar.resource_formats
            for r in texts:
                if r != "*" and (not r.startswith("arn:") or r.count(":") < 5):
                    raise _fail("resource_arn", resource=r)
        resources = tuple(ArnPattern(r, variables) for r in texts)

    conditions, keys = _compile_conditions(st.get("Condition"), variables)
    return CompiledStatement(
        index=index,
        sid=sid,
        allow=effect == "Allow",
        action=actions_matcher(actions),
        not_action=not_action,
        resources=resources,
        resource_test=(
            resources_matcher(resources, unresolved_matches=not_resource and effect == "Allow")
            if resources is not None
            else None
        ),
        not_resource=not_resource,
        principal=principal,
        not_principal="NotPrincipal" in st,
        conditions=conditions,
        condition_keys=keys,
        action_texts=tuple(actions),
        resource_texts=tuple(r.text for r in resources) if resources is not None else (),
    )


def _compile_conditions(block: Any, variables: bool) -> tuple[tuple[CompiledCondition, ...], tuple[str, ...]]:
    if block is None:
        return (), ()
    if not isinstance(block, dict):
        raise _fail("syntax")
    out: list[CompiledCondition] = []
    for operator, body in block.items():
        if body == {}:
            continue  # an empty operator block is accepted, whatever the operator, and tests nothing
        op = parse_operator(operator)
        if op is None:
            raise _fail("condition_type", operator=operator)
        if not isinstance(body, dict):
            raise _fail("syntax")
        # Keys need no vendor prefix (IAM accepts "Condition": {"StringEquals": {"foo": "x"}};
        # such a key is simply absent from every request).
        for key, raw in body.items():
            raw_values = raw if isinstance(raw, list) else [raw]
            try:
                values = tuple(policy_value_text(v) for v in raw_values)
                out.append(CompiledCondition(op, key, values, variables))
            except ConditionValueError as exc:
                raise _fail("syntax") from exc
    return tuple(out), tuple(dict.fromkeys(c.key_text for c in out))
