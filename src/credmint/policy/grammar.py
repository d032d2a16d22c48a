"""IAM's identity-policy grammar: which malformation IAM reports, and in which order.

Theory of operation. IAM's validator (PutUserPolicy, CreatePolicy, ...) does not report
the first problem it meets in the document: it runs a fixed sequence of passes over the
whole policy and answers with the first pass that fails. A policy with a duplicate Sid
and no Action is refused for the Sid; one with an unknown condition operator and a bad
resource, for the operator. :data:`CHECKS` is that sequence, in order; each entry names
its pass, the text IAM answers, and (in a comment) where the rule comes from. AWS does not
document the validator: the sources are the IAM User Guide's grammar page ("IAM JSON
policy grammar") and error pages, and the public reproduction of IAM's validator whose
texts and order were recorded from AWS's answers (moto, ``moto/iam/policy_validation.py``,
"IAMPolicyDocumentValidator"), which the issue's peer test suite also follows.

:func:`check` runs the passes over a parsed document and raises the first failure as
``MalformedPolicyDocument``; :func:`credmint.policy.document.compile_policy` runs it for
identity policies before compiling. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credmint.errors import MalformedPolicyDocument

from .conditions import parse_operator

VALID_VERSIONS = ("2008-10-17", "2012-10-17")
TOP_ELEMENTS = frozenset({"Version", "Id", "Statement"})
STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

#: The texts, one per failure (all recorded from AWS by the sources above unless marked).
SYNTAX = "Syntax errors in policy."
VERSION_OLD = "Policy document must be version 2012-10-17 or greater."
LEGACY = "The policy failed legacy parsing"
SID_UNIQUE = "Statement IDs (SID) in a single policy must be unique."
SID_ALNUM = (
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
PRINCIPAL_FORBIDDEN = "Policy document should not specify a principal."
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
NOT_ARN = 'Resource {resource} must be in ARN format or "*".'
BAD_PARTITION = 'Partition "{partition}" is not valid for resource "{arn}".'
VENDOR_NOT_QUALIFIED = "Resource vendor must be fully qualified and cannot contain regexes."
REGION_IN_RESOURCE: Mapping[str, str] = {
    "iam": "IAM resource {resource} cannot contain region information.",
    "s3": "Resource {resource} can not contain region information.",
}
IAM_RESOURCE_TYPES = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
IAM_RESOURCE_PATH = 'IAM resource path must either be "*" or start with {values}.'.format(
    values=", ".join(IAM_RESOURCE_TYPES)
)
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
BAD_VENDOR = "Vendor {vendor} is not valid"

_SID_ALNUM = re.compile(r"[0-9A-Za-z]*")
_VENDOR_CHARS = re.compile(r"[^a-zA-Z0-9\-.]")


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed policy, its statements as a list (a lone statement object counts as one)."""

    body: Mapping[str, Any]
    statements: Sequence[Mapping[str, Any]]
    managed: bool


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- pass 1: syntax -----------------------------------------------------------------------------


def _string_or_strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _condition_syntax(block: Any) -> bool:
    """A Condition is an object of operator blocks, each an object of key -> string or
    list; an operator IAM does not know is a syntax error unless its block is empty (then
    it is accepted and means nothing). Keys need no vendor prefix."""
    if not isinstance(block, dict):
        return False
    for operator, body in block.items():
        if not isinstance(body, dict):
            return False
        for value in body.values():
            if not isinstance(value, (str, list, bool, int, float)) or (
                isinstance(value, list) and not all(isinstance(v, (str, bool, int, float)) for v in value)
            ):
                return False
        if body and parse_operator(operator) is None:
            return False
    return True


def _statement_syntax(st: Any) -> bool:
    if not isinstance(st, dict) or any(k not in STATEMENT_ELEMENTS for k in st):
        return False
    if ("Resource" in st and "NotResource" in st) or ("Action" in st and "NotAction" in st):
        return False
    if "Principal" in st and "NotPrincipal" in st:
        return False
    effect = st.get("Effect")
    # Effect's case is checked later (legacy parsing): "allow" passes this pass.
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        return False
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in st and not _string_or_strings(st[key]):
            return False
    if "Condition" in st and not _condition_syntax(st["Condition"]):
        return False
    return "Sid" not in st or isinstance(st["Sid"], str)


def syntax(doc: Document) -> str | None:
    body = doc.body
    if any(k not in TOP_ELEMENTS for k in body):
        return SYNTAX
    if "Id" in body and not isinstance(body["Id"], str):
        return SYNTAX
    raw = body.get("Statement")
    if not isinstance(raw, (dict, list)) or not doc.statements:
        return SYNTAX
    return None if all(_statement_syntax(st) for st in doc.statements) else SYNTAX


# --- passes 2-3: version, principal --------------------------------------------------------------


def version_for_managed(doc: Document) -> str | None:
    if doc.managed and doc.body.get("Version") != "2012-10-17":
        return VERSION_OLD
    return None


def no_principal(doc: Document) -> str | None:
    # Place in the order unconfirmed: no source reports a principal together with another fault.
    if any("Principal" in st or "NotPrincipal" in st for st in doc.statements):
        return PRINCIPAL_FORBIDDEN
    return None


# --- pass 4: legacy parsing -------------------------------------------------------------------


def _iso_or_epoch(value: Any) -> bool:
    text = str(value)
    if "t" in text.lower() or "-" in text:
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return False
        return True
    try:
        return 0 <= int(text) <= 9223372036854775807
    except ValueError:
        return False


def _number(value: Any) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


#: Condition values the legacy parser reads per operator family (by operator prefix):
#: dates as ISO 8601 or epoch seconds (moto's recording); numbers as numbers (the issue's
#: peer suite, "dates and numbers for their operators"; the text for numbers unconfirmed).
_VALUE_RULES: tuple[tuple[str, Callable[[Any], bool]], ...] = (("Date", _iso_or_epoch), ("Numeric", _number))


def _strip_operator(operator: str) -> str:
    name = operator.split(":", 1)[1] if operator.startswith(("ForAnyValue:", "ForAllValues:")) else operator
    return name.removesuffix("IfExists")


def _legacy_resource(resource: str) -> bool:
    if resource == "*":
        return True
    parts = resource.split(":")
    # Four-part ARNs ("arn:aws:s3::bucket") and an empty service fail here.
    return (resource.count(":") >= 5 or "::" not in resource) and (len(parts) < 3 or parts[2] != "")


def legacy(doc: Document) -> str | None:
    if "Version" in doc.body and doc.body["Version"] not in VALID_VERSIONS:
        return LEGACY
    for st in doc.statements:
        if st["Effect"] not in ("Allow", "Deny"):  # case-sensitive here
            return LEGACY
        for operator, body in (st.get("Condition") or {}).items():
            stripped = _strip_operator(operator)
            for prefix, rule in _VALUE_RULES:
                if stripped.startswith(prefix):
                    for value in body.values():
                        if not all(rule(v) for v in _as_list(value)):
                            return LEGACY
    if _resource_error(doc) is None:
        for st in doc.statements:
            for key in ("Resource", "NotResource"):
                if key in st and not all(_legacy_resource(r) for r in _as_list(st[key])):
                    return LEGACY
    return None


# --- passes 5-8: Sids, presence of actions and resources -------------------------------------


def sid_unique(doc: Document) -> str | None:
    sids = [st["Sid"] for st in doc.statements if st.get("Sid")]
    return SID_UNIQUE if len(sids) != len(set(sids)) else None


def sid_alnum(doc: Document) -> str | None:
    # Place in the order unconfirmed (after uniqueness, as IAM documents the two together).
    return SID_ALNUM if any(not _SID_ALNUM.fullmatch(st.get("Sid") or "") for st in doc.statements) else None


def _present(st: Mapping[str, Any], key: str, not_key: str) -> bool:
    value = st.get(key, st.get(not_key))
    return value is not None and value != []


def actions_present(doc: Document) -> str | None:
    return None if all(_present(st, "Action", "NotAction") for st in doc.statements) else NO_ACTIONS


def resources_present(doc: Document) -> str | None:
    return None if all(_present(st, "Resource", "NotResource") for st in doc.statements) else NO_RESOURCES


# --- pass 9: resource formats -----------------------------------------------------------------


def _resource_format(resource: str) -> str | None:
    if resource == "*":
        return None
    _, sep, rest = resource.partition(":")
    if not sep:
        return NOT_ARN.format(resource=resource)
    partition, sep, rest = rest.partition(":")
    if partition not in ("aws", "*"):
        parts = rest.split(":")
        fill = [
            parts[0] if parts[0] != "" or len(parts) > 1 else "*",
            parts[1] if len(parts) > 1 else "*",
            parts[2] if len(parts) > 2 else "*",
            ":".join(parts[3:]) if len(parts) > 3 else "*",
        ]
        return BAD_PARTITION.format(partition=partition, arn=f"arn:{partition}:" + ":".join(fill))
    if sep != ":":
        return VENDOR_NOT_QUALIFIED
    service, _, rest = rest.partition(":")
    if service in REGION_IN_RESOURCE and not rest.startswith(":"):
        return REGION_IN_RESOURCE[service].format(resource=resource)
    _, _, rest = rest.partition(":")  # region
    _, _, path = rest.partition(":")  # account
    # "root" is not among the types the recorded text lists, but AWS's own managed policies
    # (IAMDeleteRootUserCredentials & co.) name arn:aws:iam::*:root, so IAM takes it.
    if service == "iam" and not path.startswith(IAM_RESOURCE_TYPES) and path != "root":
        return IAM_RESOURCE_PATH
    return None


def _resource_error(doc: Document) -> str | None:
    for st in doc.statements:
        for key in ("Resource", "NotResource"):
            if key not in st:
                continue
            # IAM meets a list's entries in reverse lexical order (recorded by the source).
            for resource in sorted(_as_list(st[key]), reverse=True):
                found = _resource_format(resource)
                if found is not None:
                    return found
    return None


def resource_formats(doc: Document) -> str | None:
    return _resource_error(doc)


# --- pass 10: action prefixes -----------------------------------------------------------------


def _action_format(action: str) -> str | None:
    parts = action.split(":")
    if len(parts) == 1 and parts[0] != "*":
        return NO_VENDOR
    if len(parts) > 2:
        return ONE_COLON
    if parts[0] != "*" and _VENDOR_CHARS.search(parts[0]):
        return BAD_VENDOR.format(vendor=parts[0])
    return None


def action_prefixes(doc: Document) -> str | None:
    for key in ("Action", "NotAction"):
        for st in doc.statements:
            for action in _as_list(st.get(key, [])):
                found = _action_format(action)
                if found is not None:
                    return found
    return None


#: The passes, in the order IAM runs them; the first to fail answers.
#: Sources: [G] IAM User Guide, "IAM JSON policy grammar" and "Troubleshoot IAM policies";
#: [M] moto's IAMPolicyDocumentValidator (texts and order recorded from AWS);
#: [P] the issue's peer suite (AWS's answers for condition keys without a vendor,
#: unknown operators, empty operator blocks, Version and Effect case as legacy parsing).
CHECKS: tuple[tuple[str, Callable[[Document], str | None]], ...] = (
    ("syntax", syntax),  # [M] _validate_syntax (incl. Id type, condition syntax); [P] operators
    ("version", version_for_managed),  # [M] _validate_version; [G] CreatePolicy needs 2012-10-17
    ("principal", no_principal),  # [G] identity policies name no principal
    ("legacy", legacy),  # [M] _perform_first_legacy_parsing + legacy resource parsing; [P] Version
    ("sid_unique", sid_unique),  # [M] _validate_sid_uniqueness
    ("sid_alnum", sid_alnum),  # [G] "Sid" element: alphanumeric in IAM policies
    ("actions", actions_present),  # [M] _validate_action_like_exist (empty lists too)
    ("resources", resources_present),  # [M] _validate_resource_exist (empty lists too)
    ("resource_format", resource_formats),  # [M] _validate_resource_format (partition, vendor, region, path)
    ("action_prefix", action_prefixes),  # [M] _validate_action_prefix (vendor, one colon, vendor chars)
)


def failure(body: Mapping[str, Any], *, managed: bool = False) -> str | None:
    """IAM's answer for ``body`` as an identity policy, or ``None`` if the grammar accepts it."""
    raw = body.get("Statement")
    statements: list[Any] = [raw] if isinstance(raw, dict) else list(raw) if isinstance(raw, list) else []
    doc = Document(body, statements, managed)
    for _, run in CHECKS:
        found = run(doc)
        if found is not None:
            return found
    return None


def check(body: Mapping[str, Any], *, managed: bool = False) -> None:
    """Raise ``MalformedPolicyDocument`` with IAM's answer if the grammar refuses ``body``."""
    found = failure(body, managed=managed)
    if found is not None:
        raise MalformedPolicyDocument(found)
