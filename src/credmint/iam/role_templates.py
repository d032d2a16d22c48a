"""IAM role templates: GetRoleTemplateVersion and AcquireRole.

Theory of operation. A role template is a service-managed recipe for a role (name and
path patterns, trust policy, inline and managed policies, boundary, tags, maximum session
duration) with typed parameters. The catalogue is data (``data/role_templates.json``):
AWS publishes no machine-readable list of its templates, so credmint ships its own in
AWS's shape and ARN form (``arn:aws:iam::aws:role-template/<service>/<name>:<major>``).

AcquireRole fills the parameters in and creates the role in one transaction:

1. the template and its minor version (the default one unless asked), refused with
   RoleTemplateDisabled when the template or that version is disabled;
2. the replacement values, checked against the parameter definitions (:data:`VALUE_RULES`:
   unknown names, immutable parameters given a value, missing required ones, one value
   for single-valued types, numbers and ARNs well formed), defaults filling the rest;
3. substitution: ``{{Name}}`` inside the name, path and description patterns and tag
   values is replaced by the value's text; in the JSON documents it is replaced inside
   string values after parsing (a value can never change a document's structure), and a
   JSON string that is exactly ``{{ListParam}}`` becomes that list (spliced into an
   enclosing list);
4. the role is authorized as the calls it amounts to (``actions.COMPOSITE``), each with
   ``iam:RoleTemplateARN``, then created with everything the template gives it, and the
   template is recorded as the role's ``SourceRoleTemplate``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import insert, select

from credmint import arns, errors, ids
from credmint.api import Call, operation
from credmint.iam import documents
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, boundary_view, check_boundary, put_tags
from credmint.iam.entities import ROLE
from credmint.iam.ops import OPERATIONS
from credmint.iam.roles import role_view, validate_trust
from credmint.store import schema
from credmint.store.managed_policies import find_policy

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_PATH = re.compile(r"/(?:[\x21-\x7e]*/)?")

#: Parameter types that take one value; the others (``...List``) take one or more.
SINGLE = frozenset({"String", "Number", "Arn"})


@cache
def catalogue() -> Mapping[str, Mapping[str, Any]]:
    """Template ARN -> template (loaded once per process)."""
    text = resources.files("credmint.iam").joinpath("data/role_templates.json").read_text(encoding="utf-8")
    return {t["TemplateArn"]: t for t in json.loads(text)["templates"]}


def _version(arn: str, minor: int | None) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    template = catalogue().get(arn)
    if template is None:
        raise iam_errors.NoSuchEntity.role_template(arn)
    wanted = template["DefaultMinorVersion"] if minor is None else minor
    for v in template["versions"]:
        if v["MinorVersion"] == wanted:
            return template, v
    raise iam_errors.NoSuchEntity.role_template_version(arn, str(wanted))


def _view(template: Mapping[str, Any], version: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in template.items() if k != "versions" and not k.endswith("Timestamp")}
    out.update(
        CreateTimestamp=datetime.fromisoformat(template["CreateTimestamp"]),
        UpdateTimestamp=datetime.fromisoformat(template["UpdateTimestamp"]),
    )
    out.update(version)
    return out


@operation(OPERATIONS, "GetRoleTemplateVersion")
def get_role_template_version(call: Call) -> Mapping[str, Any] | None:
    arn: str = call.params["TemplateArn"]
    authorize(call, "iam:GetRoleTemplateVersion", arn)
    template, version = _version(arn, call.params.get("MinorVersion"))
    return {"RoleTemplateVersion": _view(template, version)}


# --- replacement values ------------------------------------------------------------------------


def _number(name: str, value: str) -> None:
    try:
        float(value)
    except ValueError:
        raise iam_errors.InvalidInput.not_a_number(name, value) from None


def _arn(name: str, value: str) -> None:
    if not value.startswith("arn:") or value.count(":") < 5:
        raise iam_errors.InvalidInput.not_an_arn(name, value)


#: The check each parameter type applies to every one of its values.
VALUE_RULES: Mapping[str, Callable[[str, str], None]] = {
    "String": lambda _n, _v: None,
    "StringList": lambda _n, _v: None,
    "Number": _number,
    "NumberList": _number,
    "Arn": _arn,
    "ArnList": _arn,
}


def resolve_values(
    definitions: Sequence[Mapping[str, Any]], given: Mapping[str, Mapping[str, Sequence[str]]]
) -> dict[str, list[str]]:
    """Each parameter's values: the caller's, else the default; checked in this order."""
    by_name = {d["Name"]: d for d in definitions}
    for name in given:
        if name not in by_name:
            raise iam_errors.InvalidInput.unknown_parameter(name)
    out: dict[str, list[str]] = {}
    for d in definitions:
        name, kind = d["Name"], d["Type"]
        values = list(given[name]["Values"]) if name in given else None
        if values is not None and d.get("Immutable"):
            raise iam_errors.InvalidInput.immutable_parameter(name)
        if values is None:
            if d.get("IsRequired"):
                raise iam_errors.InvalidInput.required_parameter(name)
            default = d.get("DefaultValue")
            values = [] if default is None else ([default] if kind in SINGLE else default.split(","))
        if kind in SINGLE and len(values) > 1:
            raise iam_errors.InvalidInput.single_value_parameter(name, kind)
        for v in values:
            VALUE_RULES[kind](name, v)
        out[name] = values
    return out


def _fill_text(text: str, values: Mapping[str, list[str]]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise errors.InternalFailure()  # the catalogue names a parameter it does not define
        vs = values[name]
        if len(vs) != 1:
            raise iam_errors.InvalidInput.one_value_in_text(name)
        return vs[0]

    return _PLACEHOLDER.sub(one, text)


def _fill_json(node: Any, values: Mapping[str, list[str]]) -> Any:
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole is not None and whole.group(1) in values and len(values[whole.group(1)]) != 1:
            return list(values[whole.group(1)])
        return _fill_text(node, values)
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            filled = _fill_json(item, values)
            if isinstance(item, str) and isinstance(filled, list):
                out.extend(filled)  # a list parameter spliced into the enclosing list
            else:
                out.append(filled)
        return out
    if isinstance(node, dict):
        return {k: _fill_json(v, values) for k, v in node.items()}
    return node


def fill_document(text: str, values: Mapping[str, list[str]]) -> str:
    return json.dumps(_fill_json(json.loads(text), values), separators=(",", ":"))


# --- AcquireRole -----------------------------------------------------------------------------------


@operation(OPERATIONS, "AcquireRole")
def acquire_role(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    arn: str = call.params["TemplateArn"]
    template, version = _version(arn, call.params.get("TemplateMinorVersion"))
    if not template["Enabled"] or not version["VersionEnabled"]:
        raise iam_errors.RoleTemplateDisabled(arn)
    values = resolve_values(version["ParametersDefinition"], call.params.get("ReplacementValues") or {})
    name = _fill_text(version["RoleNamePattern"], values)
    path = _fill_text(version["RolePathPattern"], values)
    if not _ROLE_NAME.fullmatch(name):
        raise iam_errors.InvalidInput.role_name(name)
    if not _PATH.fullmatch(path) or "//" in path or len(path) > 512:
        raise iam_errors.InvalidInput.path()
    description = (
        _fill_text(version["RoleDescriptionPattern"], values) if version.get("RoleDescriptionPattern") else None
    )
    if description is not None and len(description) > 1000:
        raise iam_errors.InvalidInput.role_description_too_long()
    trust = fill_document(version["AssumeRolePolicyDocumentTemplate"], values)
    inline = [(p["PolicyName"], fill_document(p["PolicyDocument"], values)) for p in version["InlinePolicyTemplates"]]
    managed: list[str] = list(version.get("ManagedPolicyArns") or [])
    boundary: str | None = version.get("PermissionBoundaryArn")
    tags = [
        {"Key": _fill_text(t["Key"], values), "Value": _fill_text(t["Value"], values)}
        for t in version["RoleTagsTemplate"]
    ]
    arn_of_role = arns.role(account_id, path, name)
    stored = {"iam:RoleTemplateARN": arn}
    # Authorized as the calls it amounts to, each seeing the request keys that call would carry.
    as_create = dataclasses.replace(
        call, params={"Tags": tags, **({"PermissionsBoundary": boundary} if boundary else {})}
    )
    authorize(as_create, "iam:CreateRole", arn_of_role, stored=stored)
    if inline:
        authorize(call, "iam:PutRolePolicy", arn_of_role, stored=stored)
    for policy_arn in managed:
        authorize(
            dataclasses.replace(call, params={"PolicyArn": policy_arn}),
            "iam:AttachRolePolicy",
            arn_of_role,
            stored=stored,
        )
    if boundary:
        authorize(
            dataclasses.replace(call, params={"PermissionsBoundary": boundary}),
            "iam:PutRolePermissionsBoundary",
            arn_of_role,
            stored=stored,
        )
    if tags:
        authorize(dataclasses.replace(call, params={"Tags": tags}), "iam:TagRole", arn_of_role, stored=stored)
    for _, text in inline:
        documents.validate_identity_policy(text)
    documents.check_inline_quota("role", name, [text for _, text in inline])
    r, ip, pa, src = schema.roles, schema.inline_policies, schema.policy_attachments, schema.role_template_sources
    with call.store.write() as conn:
        if ROLE.find(conn, account_id, name) is not None:
            raise iam_errors.NameConflict(name)
        stored_trust = validate_trust(conn, trust)
        if boundary:
            check_boundary(conn, account_id, boundary)
        for policy_arn in managed:
            if find_policy(conn, account_id, policy_arn) is None:
                raise errors.InternalFailure()  # the catalogue names a policy credmint does not have
        role_id = ids.new_unique_id("AROA")
        conn.execute(
            insert(r).values(
                role_id=role_id,
                account_id=account_id,
                name=name,
                name_key=name.lower(),
                path=path,
                arn=arn_of_role,
                trust_policy=stored_trust,
                description=description,
                max_session_duration=version.get("MaxSessionDuration") or 3600,
                permissions_boundary_arn=boundary,
                created_at=call.now,
            )
        )
        for policy_name, text in inline:
            conn.execute(
                insert(ip).values(
                    entity_id=role_id,
                    name_key=policy_name.lower(),
                    name=policy_name,
                    account_id=account_id,
                    entity_type="role",
                    document=text,
                )
            )
        for policy_arn in managed:
            conn.execute(
                insert(pa).values(policy_arn=policy_arn, entity_id=role_id, entity_type="role", account_id=account_id)
            )
        if tags:
            put_tags(conn, role_id, tags)
        conn.execute(insert(src).values(role_id=role_id, template_arn=arn, minor_version=version["MinorVersion"]))
        row = conn.execute(select(r).where(r.c.role_id == role_id)).one()
        out = role_view(conn, row, full=False)
    if boundary:
        out["PermissionsBoundary"] = boundary_view(boundary)
    if tags:
        out["Tags"] = tags
    out["SourceRoleTemplate"] = {"TemplateArn": arn, "TemplateMinorVersion": version["MinorVersion"]}
    return {"Role": out}
