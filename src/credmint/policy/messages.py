"""Every text the policy engine puts in front of a client, in one place.

``VALIDATION`` holds the ``MalformedPolicyDocument`` messages. AWS does not
document them; each one is written as IAM sends it where we have seen it, and
marked ``(unconfirmed)`` where the wording is our best reconstruction.

:func:`access_denied_message` renders the ``AccessDenied`` text for a
:class:`~credmint.policy.evaluate.Decision`, in the forms listed at the end of
aws-behavior.md §7 (and AWS's "Access denied error messages" page).
"""

from __future__ import annotations

from typing import Final

VALIDATION: Final[dict[str, str]] = {
    "syntax": "Syntax errors in policy.",
    "principal_forbidden": "Policy document should not specify a principal.",
    "principal_missing": "Missing required field Principal",
    "effect_missing": "Missing required field Effect",  # (unconfirmed)
    "action_missing": "Policy statement must contain actions.",  # identity-side policies (unconfirmed)
    "action_missing_resource_policy": "Missing required field Action",  # trust / resource policies
    "resource_missing": "Policy statement must contain resources.",
    "resource_missing_resource_policy": "Missing required field Resource",
    "prohibited_field": "Has prohibited field {field}",
    "vendor": "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    "version_old": "Policy document must be version 2012-10-17 or greater.",
    "version_bad": "The policy failed legacy parsing",
    "sid_unique": "Statement IDs (SID) in a single policy must be unique.",
    "sid_alnum": (
        "Statement IDs (SID) must be alpha-numeric. "
        "Check that your input satisfies the regular expression [0-9A-Za-z]*"
    ),
    "condition_type": "Invalid Condition type : {operator}",  # (unconfirmed spacing, as IAM prints it)
    "trust_actions": "AssumeRole policy may only specify STS AssumeRole actions.",
    "principal_invalid": 'Invalid principal in policy: "{kind}":"{value}"',
    "resource_arn": 'Resource {resource} must be in ARN format or "*".',
}

_KIND_NAMES: Final[dict[str, tuple[str, str]]] = {
    # denied_by -> (explicit-deny phrase, implicit-deny phrase)
    "identity": ("an identity-based policy", "identity-based policy"),
    "resource": ("a resource-based policy", "resource-based policy"),
    "boundary": ("a permissions boundary", "permissions boundary"),
    "session": ("a session policy", "session policy"),
    "scp": ("a service control policy", "service control policy"),
    "rcp": ("a resource control policy", "resource control policy"),
    "endpoint": ("a VPC endpoint policy", "VPC endpoint policy"),
}


def access_denied_message(
    principal_arn: str,
    action: str,
    resource: str,
    denied_by: str | None,
    explicit: bool,
) -> str:
    """``User: <arn> is not authorized to perform: <action>[ on resource: <arn>] <reason>``.

    AWS says "User:" for every kind of caller (roles sessions included) and drops
    the ``on resource:`` part when the action takes no resource: ``*``, or an ARN with an
    empty resource part that stands for the whole service (S3's ``ListAllMyBuckets`` is
    evaluated on ``arn:aws:s3:::``, and AWS's message for it names no resource).
    """
    head = f"User: {principal_arn} is not authorized to perform: {action}"
    if resource and resource != "*" and not resource.endswith(":"):
        head += f" on resource: {resource}"
    kind = denied_by if denied_by in _KIND_NAMES else "identity"
    explicit_phrase, implicit_phrase = _KIND_NAMES[kind]
    if explicit:
        return f"{head} with an explicit deny in {explicit_phrase}"
    return f"{head} because no {implicit_phrase} allows the {action} action"
