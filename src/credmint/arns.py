"""Amazon Resource Names: the one place credmint builds and takes apart ARNs.

Pure: strings in, strings out. Every ARN credmint serves is in the ``aws`` partition;
the builders below are named for the resource they name, after the formats of the
Service Authorization Reference (IAM, STS, S3, Organizations) and the IAM User Guide's
"IAM identifiers" page:

    arn:aws:iam::123456789012:user/division/alice          user(account, path, name)
    arn:aws:sts::123456789012:assumed-role/R/session      assumed_role(account, role, session)
    arn:aws:s3:::bucket/key                                s3_object(bucket, key)
    arn:aws:organizations::111111111111:ou/o-x/ou-y        org_unit(mgmt, org, ou)

IAM paths are given as IAM stores them (``/`` or ``/a/b/``), so ``path + name`` is the
resource part after the type. :func:`parse` splits an ARN into its six fields and refuses
anything that is not one (never raises); callers decide which error a bad ARN gets.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTITION = "aws"
#: The account part of AWS managed policies' (and other AWS-owned resources') ARNs.
AWS_ACCOUNT = "aws"
AWS_MANAGED_POLICY_PREFIX = f"arn:{PARTITION}:iam::{AWS_ACCOUNT}:policy/"


def build(service: str, region: str, account_id: str, resource: str) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account_id}:{resource}"


# --- IAM -----------------------------------------------------------------------------------


def iam(account_id: str, kind: str, path: str, name: str) -> str:
    """An IAM resource with a path: ``arn:aws:iam::<account>:<kind><path><name>``."""
    return build("iam", "", account_id, f"{kind}{path}{name}")


def root(account_id: str) -> str:
    return build("iam", "", account_id, "root")


def user(account_id: str, path: str, name: str) -> str:
    return iam(account_id, "user", path, name)


def group(account_id: str, path: str, name: str) -> str:
    return iam(account_id, "group", path, name)


def role(account_id: str, path: str, name: str) -> str:
    return iam(account_id, "role", path, name)


def policy(account_id: str, path: str, name: str) -> str:
    return iam(account_id, "policy", path, name)


def instance_profile(account_id: str, path: str, name: str) -> str:
    return iam(account_id, "instance-profile", path, name)


def server_certificate(account_id: str, path: str, name: str) -> str:
    return iam(account_id, "server-certificate", path, name)


def virtual_mfa_device(account_id: str, path: str, name: str) -> str:
    """A virtual MFA device's ARN, which is also its serial number."""
    return iam(account_id, "mfa", path, name)


def aws_managed_policy(path: str, name: str) -> str:
    return iam(AWS_ACCOUNT, "policy", path, name)


def is_aws_managed_policy(value: str) -> bool:
    return value.startswith(AWS_MANAGED_POLICY_PREFIX)


def saml_provider(account_id: str, name: str) -> str:
    return build("iam", "", account_id, f"saml-provider/{name}")


def oidc_provider(account_id: str, url: str) -> str:
    """An OpenID Connect provider is named by its issuer URL without ``https://``."""
    host = url[len("https://") :] if url.lower().startswith("https://") else url
    return build("iam", "", account_id, f"oidc-provider/{host}")


def delegation_request(account_id: str, request_id: str) -> str:
    return build("iam", "", account_id, f"delegation-request/{request_id}")


def workload_identity_provider(owner: str, name: str) -> str:
    """``owner`` is the account id, or the organization segment of an organization-scoped one."""
    return build("iam", "", owner, f"workload-identity-provider/{name}")


def workload_identity_template(owner: str, name: str) -> str:
    return build("iam", "", owner, f"workload-identity-template/{name}")


def access_report(account_id: str, entity_path: str) -> str:
    return build("iam", "", account_id, f"access-report/{entity_path}")


# --- STS -----------------------------------------------------------------------------------


def assumed_role(account_id: str, role_name: str, session_name: str) -> str:
    return build("sts", "", account_id, f"assumed-role/{role_name}/{session_name}")


def federated_user(account_id: str, name: str) -> str:
    return build("sts", "", account_id, f"federated-user/{name}")


# --- S3 ------------------------------------------------------------------------------------

#: Every S3 resource: ``arn:aws:s3:::`` (buckets and objects carry no region or account).
S3_PREFIX = build("s3", "", "", "")


def bucket(name: str) -> str:
    return f"{S3_PREFIX}{name}"


def s3_object(bucket_name: str, key: str) -> str:
    return f"{S3_PREFIX}{bucket_name}/{key}"


# --- Organizations -------------------------------------------------------------------------


def _orgs(management_account_id: str, resource: str) -> str:
    return build("organizations", "", management_account_id, resource)


def organization(mgmt: str, org_id: str) -> str:
    return _orgs(mgmt, f"organization/{org_id}")


def org_root(mgmt: str, org_id: str, root_id: str) -> str:
    return _orgs(mgmt, f"root/{org_id}/{root_id}")


def org_unit(mgmt: str, org_id: str, ou_id: str) -> str:
    return _orgs(mgmt, f"ou/{org_id}/{ou_id}")


def org_account(mgmt: str, org_id: str, account_id: str) -> str:
    return _orgs(mgmt, f"account/{org_id}/{account_id}")


def org_policy(mgmt: str, org_id: str, policy_type: str, policy_id: str) -> str:
    return _orgs(mgmt, f"policy/{org_id}/{policy_type.lower()}/{policy_id}")


def org_aws_policy(policy_type: str, policy_id: str) -> str:
    """An AWS managed Organizations policy (e.g. FullAWSAccess), owned by the ``aws`` account."""
    return _orgs(AWS_ACCOUNT, f"policy/{policy_type.lower()}/{policy_id}")


def handshake(mgmt: str, org_id: str, action: str, handshake_id: str) -> str:
    return _orgs(mgmt, f"handshake/{org_id}/{action.lower()}/{handshake_id}")


def org_resource_policy(mgmt: str, org_id: str, policy_id: str) -> str:
    return _orgs(mgmt, f"resourcepolicy/{org_id}/{policy_id}")


# --- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account_id: str
    #: Everything after the fifth colon (it may itself hold colons and slashes).
    resource: str

    @property
    def resource_type(self) -> str:
        """The resource part up to its first ``/`` or ``:`` (``user``, ``assumed-role``...)."""
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[:i]
        return self.resource

    @property
    def resource_id(self) -> str:
        """The resource part after its type and separator (empty when there is none)."""
        kind = self.resource_type
        return self.resource[len(kind) + 1 :]

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account_id}:{self.resource}"


def parse(value: str) -> Arn | None:
    """The six fields of ``value``, or ``None`` unless it is ``arn:<partition>:<service>:
    <region>:<account>:<resource>`` with a partition, a service and a resource."""
    if not isinstance(value, str):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    _, partition, service, region, account_id, resource = parts
    if not partition or not service or not resource:
        return None
    return Arn(partition, service, region, account_id, resource)


def account_of(value: str) -> str | None:
    """The account field of an ARN, or ``None`` if ``value`` is no ARN or names none."""
    parsed = parse(value)
    return parsed.account_id if parsed is not None and parsed.account_id else None
