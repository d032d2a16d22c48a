"""What a test holds: an account with its root credentials, and helpers that set up
the principals auth tests need (a user with keys and policies, a role, a virtual MFA
device that yields codes at once) through the real IAM and STS APIs.

Every helper call is an ordinary signed request to the server, so the setup is
checked as a client's would be: a helper that creates a user with too few
permissions makes the test fail exactly where production would.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credmint.clock import DevClock
from credmint.mfa import totp
from credmint.testing.signing import ServerTimeSession, shared_loader

#: A policy for the helpers: a JSON document as text, or as a dict to be dumped.
PolicyDocument = str | Mapping[str, Any]


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def boto3_kwargs(self) -> dict[str, str | None]:
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }


def _text(doc: PolicyDocument) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc)


def _name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


class Endpoint:
    """Where one server is, and its clock: what every helper needs."""

    def __init__(self, url: str, region: str, clock: DevClock) -> None:
        self.url = url
        self.region = region
        self.clock = clock
        self._loader = shared_loader()

    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, seconds: float) -> datetime:
        """Move the server's clock forward by ``seconds``; the new server time."""
        return self.clock.advance(seconds)

    def offset(self) -> float:
        return self.clock.offset

    def session(self, credentials: Credentials) -> ServerTimeSession:
        return ServerTimeSession(self.url, self.region, self.offset, self._loader, credentials.boto3_kwargs())


class Principal:
    """Credentials on one server, with boto3 helpers that sign at the server's time."""

    def __init__(self, endpoint: Endpoint, credentials: Credentials) -> None:
        self.endpoint = endpoint
        self.credentials = credentials
        self._session: ServerTimeSession | None = None
        self._clients: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return self.endpoint.url

    def boto3_session(self) -> ServerTimeSession:
        if self._session is None:
            self._session = self.endpoint.session(self.credentials)
        return self._session

    def client(self, service: str, **kwargs: Any) -> Any:
        """A client for ``service`` as this principal; without ``kwargs``, the same one
        each time (clients are cheap to reuse and costly to make)."""
        if kwargs:
            return self.boto3_session().client(service, **kwargs)
        client = self._clients.get(service)
        if client is None:
            client = self._clients[service] = self.boto3_session().client(service)
        return client

    def assume_role(self, role_arn: str, session_name: str = "credmint-test", **kwargs: Any) -> Principal:
        """Assume ``role_arn`` as this principal; the role session, ready for ``client()``.
        Extra keyword arguments go to AssumeRole as they are (``SerialNumber``,
        ``TokenCode``, ``ExternalId``, ``DurationSeconds``, ...)."""
        out = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name, **kwargs)
        c = out["Credentials"]
        return Principal(self.endpoint, Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))


class User(Principal):
    def __init__(self, endpoint: Endpoint, credentials: Credentials, name: str, arn: str) -> None:
        super().__init__(endpoint, credentials)
        self.name = name
        self.arn = arn


@dataclass
class MfaDevice:
    """A virtual MFA device, enabled for a user, that yields valid codes without waiting.

    The server accepts each 30-second step's code once (its replay guard is untouched).
    When the current step's code was already handed out, :meth:`code` moves the server's
    clock to the start of the next step, as a person would wait for it.
    """

    endpoint: Endpoint
    serial_number: str
    seed: str
    last_step: int = field(default=-1)

    def code(self) -> str:
        now = self.endpoint.now().timestamp()
        step = int(now) // totp.STEP_SECONDS
        if step <= self.last_step:
            step = self.last_step + 1
            self.endpoint.advance(step * totp.STEP_SECONDS - now)
        self.last_step = step
        return totp.code_at_step(self.seed, step)


class Account(Principal):
    """An account's root credentials, and helpers that act as its root user."""

    def __init__(self, endpoint: Endpoint, account_id: str, credentials: Credentials) -> None:
        super().__init__(endpoint, credentials)
        self.account_id = account_id

    @property
    def root(self) -> Credentials:
        return self.credentials

    def advance(self, seconds: float) -> datetime:
        """Move the server's clock forward (it is shared by every account on the server)."""
        return self.endpoint.advance(seconds)

    def create_user(
        self,
        name: str | None = None,
        *,
        policies: Mapping[str, PolicyDocument] | Iterable[PolicyDocument] = (),
        managed_policy_arns: Iterable[str] = (),
        access_key: bool = True,
    ) -> User:
        """A user with inline ``policies`` (named, or numbered), attached managed policies
        and (unless ``access_key=False``) an access key, in one call."""
        iam = self.client("iam")
        name = name or _name("user")
        created = iam.create_user(UserName=name)["User"]
        named = policies.items() if isinstance(policies, Mapping) else enumerate(policies)
        for policy_name, doc in named:
            iam.put_user_policy(UserName=name, PolicyName=str(policy_name), PolicyDocument=_text(doc))
        for arn in managed_policy_arns:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        creds = Credentials("", "")
        if access_key:
            key = iam.create_access_key(UserName=name)["AccessKey"]
            creds = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        return User(self.endpoint, creds, name, created["Arn"])

    def create_role(
        self,
        name: str | None = None,
        *,
        trust_policy: PolicyDocument,
        policies: Mapping[str, PolicyDocument] | Iterable[PolicyDocument] = (),
        managed_policy_arns: Iterable[str] = (),
        max_session_duration: int = 3600,
    ) -> str:
        """A role with ``trust_policy`` and its permissions; its ARN."""
        iam = self.client("iam")
        name = name or _name("role")
        arn: str = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=_text(trust_policy), MaxSessionDuration=max_session_duration
        )["Role"]["Arn"]
        named = policies.items() if isinstance(policies, Mapping) else enumerate(policies)
        for policy_name, doc in named:
            iam.put_role_policy(RoleName=name, PolicyName=str(policy_name), PolicyDocument=_text(doc))
        for policy_arn in managed_policy_arns:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return arn

    def enable_mfa(self, user: User | str) -> MfaDevice:
        """Create a virtual MFA device, enable it for ``user`` with two consecutive codes
        at the server's time, and return it."""
        user_name = user if isinstance(user, str) else user.name
        iam = self.client("iam")
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=_name("mfa"))["VirtualMFADevice"]
        seed = device["Base32StringSeed"]
        seed_text = seed.decode("ascii") if isinstance(seed, bytes) else str(seed)
        mfa = MfaDevice(self.endpoint, device["SerialNumber"], seed_text)
        step = int(self.endpoint.now().timestamp()) // totp.STEP_SECONDS
        iam.enable_mfa_device(
            UserName=user_name,
            SerialNumber=mfa.serial_number,
            AuthenticationCode1=totp.code_at_step(seed_text, step - 1),
            AuthenticationCode2=totp.code_at_step(seed_text, step),
        )
        mfa.last_step = step  # the server's replay guard now stands at this step
        return mfa
