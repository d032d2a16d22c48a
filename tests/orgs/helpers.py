"""What the organization tests share: fresh management accounts, members, admins, clients."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from credmint.mfa import totp
from tests.conftest import Server
from tests.s3.helpers import new_account
from tests.sts.helpers import Creds, MfaDevice

ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def client(server: Server, service: str, creds: Creds, **kwargs: Any) -> Any:
    return server.client(service, **creds.kwargs(), **kwargs)


@dataclass
class Account:
    """A standalone account made with ``credmint account create`` (root credentials)."""

    account_id: str
    root: Creds

    @classmethod
    def create(cls, server: Server) -> Account:
        account_id, key, secret = new_account(server)
        return cls(account_id, Creds(key, secret))


@dataclass
class IamUser:
    name: str
    arn: str
    creds: Creds
    mfa: MfaDevice | None = None


def make_user(server: Server, owner: Creds, policy: str | None = ADMIN, *, with_mfa: bool = False) -> IamUser:
    """An IAM user (with an access key) in the account of ``owner``."""
    iam = client(server, "iam", owner)
    name = unique("u")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = IamUser(name, arn, Creds(key["AccessKeyId"], key["SecretAccessKey"]))
    if with_mfa:
        dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]
        seed = dev["Base32StringSeed"].decode("ascii")
        step = totp.time_step(int(time.time()))
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=dev["SerialNumber"],
            AuthenticationCode1=totp.code_at_step(seed, step - 2),
            AuthenticationCode2=totp.code_at_step(seed, step - 1),
        )
        user.mfa = MfaDevice(dev["SerialNumber"], seed, step - 1)
    return user


@dataclass
class Organization:
    """A fresh organization: its management account, an administrator there, its root."""

    server: Server
    management: Account
    admin: IamUser
    org_id: str
    root_id: str
    members: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, server: Server) -> Organization:
        management = Account.create(server)
        orgs = client(server, "organizations", management.root)
        org = orgs.create_organization(FeatureSet="ALL")["Organization"]
        root_id = orgs.list_roots()["Roots"][0]["Id"]
        admin = make_user(server, management.root)
        return cls(server, management, admin, org["Id"], root_id)

    @property
    def orgs(self) -> Any:
        return client(self.server, "organizations", self.management.root)

    def add_member(self, name: str | None = None) -> str:
        orgs = self.orgs
        status = orgs.create_account(Email=f"{unique('m')}@example.com", AccountName=name or unique("member"))
        request_id = status["CreateAccountStatus"]["Id"]
        done = orgs.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]
        assert done["State"] == "SUCCEEDED", done
        account_id: str = done["AccountId"]
        self.members.append(account_id)
        return account_id

    def enter(self, account_id: str, session_name: str = "admin") -> Creds:
        """The management administrator's session in ``account_id``'s OrganizationAccountAccessRole."""
        sts = client(self.server, "sts", self.admin.creds)
        out = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName=session_name
        )
        return Creds.of(out)

    def enable_root_sessions(self) -> None:
        self.orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
        iam = client(self.server, "iam", self.management.root)
        iam.enable_organizations_root_credentials_management()
        iam.enable_organizations_root_sessions()


def error_of(exc: Any) -> tuple[str, str, int]:
    err = exc.value.response["Error"]
    return err["Code"], err.get("Message", ""), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]
