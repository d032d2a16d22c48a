"""Which IAM actions each IAM and STS operation is authorized with.

The Service Authorization Reference (``condition_keys``) is the table: an IAM or STS
operation is authorized with the action of the same name (``iam:CreateUser`` for
CreateUser), and the reference says which resource types and condition keys that action
has. Two small tables hold what the reference cannot say:

* :data:`NO_ACTION`: operations that need no permission. AWS lets any caller ask who it
  is (GetCallerIdentity) or get a session token (GetSessionToken), and the federation
  calls are authorized by the role's trust policy alone;
* :data:`ADDITIONAL`: actions an operation needs besides its own, only when the call asks
  for more (``sts:TagSession`` when tags are passed, ``sts:SetSourceIdentity`` with a
  source identity) or on a second resource (``iam:PassRole`` on the role
  AddRoleToInstanceProfile puts in a profile).

S3's table is ``credmint.s3.actions.ACTIONS`` (S3 operations and actions are not named
alike). :meth:`credmint.access.authorize.Authorizer.authorize` refuses, as an internal
failure, an IAM or STS operation authorized with an action not allowed for it here, so the
handlers cannot drift from the reference.
"""

from __future__ import annotations

from collections.abc import Mapping

from credmint.access import condition_keys

NO_ACTION: frozenset[tuple[str, str]] = frozenset(
    {
        ("sts", "AssumeRoleWithSAML"),
        ("sts", "AssumeRoleWithWebIdentity"),
        ("sts", "GetCallerIdentity"),
        ("sts", "GetSessionToken"),
    }
)

ADDITIONAL: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("iam", "AddRoleToInstanceProfile"): ("iam:PassRole",),
    # IAM API reference, Put/DeleteWorkloadIdentityProviderResourcePolicy: binding a template
    # to a provider needs iam:AssociateWorkloadIdentityTemplate on the provider, unbinding it
    # (deleting the template) iam:DisassociateWorkloadIdentityTemplate, decided together with
    # the provider's resource policy.
    ("iam", "CreateWorkloadIdentityTemplate"): ("iam:AssociateWorkloadIdentityTemplate",),
    ("iam", "DeleteWorkloadIdentityTemplate"): ("iam:DisassociateWorkloadIdentityTemplate",),
    ("sts", "AssumeRole"): ("sts:SetSourceIdentity", "sts:TagSession"),
    ("sts", "GetFederationToken"): ("sts:TagSession",),
    ("sts", "GetWebIdentityToken"): ("sts:TagGetWebIdentityToken",),
}


#: Operations with no action of their own in the reference, authorized by the actions their
#: effect amounts to. AcquireRole creates a role from a template: the IAM API reference names
#: no ``iam:AcquireRole`` action, while ``iam:RoleTemplateARN`` is listed on exactly these
#: actions, so the caller needs each of them (requiring them all is the safe reading).
COMPOSITE: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("iam", "AcquireRole"): (
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:TagRole",
    ),
}


def allowed_actions(service: str, operation: str) -> tuple[str, ...] | None:
    """The actions ``operation`` may be authorized with; ``None`` if the reference does not
    list an action for it (and it is not one of :data:`NO_ACTION` or :data:`COMPOSITE`)."""
    if (service, operation) in NO_ACTION:
        return ()
    if (service, operation) in COMPOSITE:
        return COMPOSITE[(service, operation)]
    own = f"{service}:{operation}"
    if condition_keys.action(own) is None:
        return None
    return (own, *ADDITIONAL.get((service, operation), ()))
