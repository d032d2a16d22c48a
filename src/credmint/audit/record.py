"""One CloudTrail record from the facts of one request (pure: time and ids are passed in).

The server fills a :class:`RequestFacts` as the request goes (who signed it, which
operation, the decoded parameters, the result or the error) and hands it over once the
response is known. :func:`build_record` turns it into the record CloudTrail would write
("CloudTrail record contents", event version 1.09):

* ``userIdentity`` from the verified principal; for a request whose key was not
  recognised, type ``Unknown`` with the presented access key id and no account.
* ``requestParameters`` / ``responseElements``: the operation's members with CloudTrail's
  lower-camel names. **Secrets never appear**: every member named in
  ``redaction.SECRET_MEMBERS`` is dropped wherever it occurs, so issued credentials show as
  their access key id and expiration only, as in CloudTrail's AssumeRole and
  GetSessionToken examples (which omit the secret; credmint also omits the session token,
  the safer choice: it is a bearer credential half). Read-only calls record no response
  (CloudTrail: "for read-only APIs, this field is null"), except the STS calls that issue
  credentials, whose response CloudTrail keeps.
* The parameters of a request are bounded (:data:`MAX_PARAMETER_CHARS`): past the bound
  they are left out and ``additionalEventData`` says so, so that no request can make a
  record (and the store behind LookupEvents) grow without bound. AWS's own behaviour for
  oversized events is not documented precisely; leaving the parameters out is the safer
  reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from credmint import arns
from credmint.access.principal import Principal
from credmint.httpreq import HttpRequest
from credmint.ids import AccountId
from credmint.redaction import SECRET_MEMBERS, is_secret_name

EVENT_VERSION = "1.09"

EVENT_SOURCES = {
    "sts": "sts.amazonaws.com",
    "iam": "iam.amazonaws.com",
    "s3": "s3.amazonaws.com",
    "organizations": "organizations.amazonaws.com",
    "cloudtrail": "cloudtrail.amazonaws.com",
}

#: Members the service models mark ``sensitive`` that CloudTrail records all the same:
#: they identify, they do not authenticate. Every other sensitive member of the services
#: credmint serves must be in ``redaction.SECRET_MEMBERS`` (a test walks the models), so a member
#: added to a model later is dropped until someone decides otherwise.
SENSITIVE_BUT_RECORDED = {
    "Issuer": "the identity provider of a federated session (CloudTrail's webIdFederationData)",
    "Subject": "the federated subject (CloudTrail records it for AssumeRoleWithSAML)",
    "SubjectType": "the SAML NameID format",
    "AccountName": "an account's name (Organizations)",
    "Email": "an account's e-mail address (Organizations)",
    "ManagementAccountEmail": "the management account's e-mail address (Organizations)",
    "MasterAccountEmail": "the management account's e-mail address (Organizations)",
    "Name": "a resource name (Organizations)",
    "Id": "a resource id (Organizations)",
    "Notes": "a handshake's note (Organizations)",
    "SourceName": "a responsibility transfer's source name (Organizations)",
    "Value": "a tag value (Organizations)",
    "KMSKeyArn": "a KMS key's ARN, not key material",
    "KMSKeyId": "a KMS key's id, not key material",
    "KMSMasterKeyID": "a KMS key's id, not key material",
    "KeyId": "a KMS key's id, not key material",
    "SSEKMSKeyId": "a KMS key's id, not key material",
    "SSEKMSEncryptionContext": "a KMS encryption context (CloudTrail records it)",
}

#: Operation name prefixes of read-only calls (CloudTrail's ``readOnly``).
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Simulate", "Decode")

#: STS calls whose response CloudTrail keeps although it marks them read-only: they
#: issue credentials (shown as access key id and expiration).
STS_KEPT_RESPONSES = frozenset(
    {
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "AssumeRoot",
        "GetSessionToken",
        "GetFederationToken",
        "GetScopedCredentials",
    }
)

#: S3 operations on objects: data events, recorded only when data events are enabled.
#: (CloudTrail counts object listing among S3 data events as well.)
S3_DATA_EVENTS = frozenset(
    {
        "PutObject",
        "GetObject",
        "HeadObject",
        "DeleteObject",
        "DeleteObjects",
        "CopyObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
        "ListParts",
        "ListMultipartUploads",
        "ListObjects",
        "ListObjectsV2",
        "GetObjectTagging",
        "PutObjectTagging",
        "RestoreObject",
        "DeleteObjectTagging",
        "GetObjectAcl",
        "PutObjectAcl",
    }
)

#: Parameter members that name a resource, for LookupEvents' ResourceType/ResourceName.
RESOURCE_MEMBERS = (
    ("UserName", "AWS::IAM::User"),
    ("RoleName", "AWS::IAM::Role"),
    ("RoleArn", "AWS::IAM::Role"),
    ("GroupName", "AWS::IAM::Group"),
    ("PolicyArn", "AWS::IAM::Policy"),
    ("AccessKeyId", "AWS::IAM::AccessKey"),
    ("InstanceProfileName", "AWS::IAM::InstanceProfile"),
    ("SerialNumber", "AWS::IAM::MFADevice"),
    ("VirtualMFADeviceName", "AWS::IAM::MFADevice"),
    ("SAMLProviderArn", "AWS::IAM::SAMLProvider"),
    ("OpenIDConnectProviderArn", "AWS::IAM::OIDCProvider"),
    ("AccountId", "AWS::Organizations::Account"),
    ("PolicyId", "AWS::Organizations::Policy"),
)

_RESOURCE_TYPES = dict(RESOURCE_MEMBERS)

#: Bound on the characters of strings (and names) written as request parameters.
MAX_PARAMETER_CHARS = 64 * 1024
#: Bound on the characters of a recorded user agent and error message.
MAX_TEXT_CHARS = 1024

#: S3 query parameters of a presigned URL that are not recorded beside its secrets
#: (``redaction``) and its ``x-amz-*`` parameters.
_S3_AUTH_PARAMS = frozenset({"expires"})

_PRINCIPAL_TYPES = {"root": "Root", "user": "IAMUser", "assumed-role": "AssumedRole", "federated-user": "FederatedUser"}


@dataclass(slots=True)
class RequestFacts:
    """What the request path learnt about one request; filled as it goes."""

    request: HttpRequest
    request_id: str
    service: str
    operation: str | None = None
    params: Mapping[str, Any] | None = None
    principal: Principal | None = None
    #: The access key id the request was signed with, known or not.
    access_key_id: str | None = None
    result: Mapping[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    status: int = 200
    #: S3 only: the bucket and key addressed.
    bucket: str | None = None
    key: str | None = None
    #: The connection's TLS protocol version and cipher suite (OpenSSL's names, as
    #: CloudTrail writes them), when the server hands them over (server/protocol.py).
    tls: tuple[str, str] | None = None


class Summary(NamedTuple):
    """The indexed fields of a record (LookupEvents' lookup attributes). A tuple: one is
    built per recorded request, and a frozen dataclass's field-by-field setting costs
    several times a tuple's construction."""

    event_id: str
    event_time: datetime
    account_id: str | None
    event_name: str
    event_source: str
    read_only: bool
    username: str | None
    access_key_id: str | None
    resources: tuple[tuple[str, str], ...]


class _TooLarge(Exception):
    pass


@lru_cache(maxsize=8)
def iso_seconds(epoch: int) -> str:
    """``2026-01-02T03:04:05Z`` (formatted once per second: every record of that second shares it)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_event_id(bits: int) -> str:
    """A version-4 UUID from 128 random bits, formatted without building a ``uuid.UUID``."""
    h = "%032x" % (bits & _UUID_CLEAR | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# Version 4 in bits 76-79, variant 10 in bits 62-63.
_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_UUID_SET = (0x4 << 76) | (0x2 << 62)


#: Calls on a resource of another account whose record that account's trail gets too (the
#: parameter naming the resource): CloudTrail delivers a cross-account AssumeRole to the
#: caller's account and to the role's, both copies sharing a ``sharedEventID``, so that a
#: role's owner sees who assumed it, or tried to (the ExternalIds guessed).
SHARED_CALLS = {("sts", "AssumeRole"): "RoleArn"}

#: Failures a shared copy is made for: the caller was authenticated and then refused. A
#: request whose signature failed, or that was never authorized, writes nothing into
#: another account's trail.
_SHARED_FAILURES = frozenset({"AccessDenied"})


def shared_account(facts: RequestFacts, account: str | None) -> AccountId | None:
    """The other account whose trail gets a copy of this call's record, if any."""
    member = SHARED_CALLS.get((facts.service, facts.operation or ""))
    if member is None or facts.principal is None or account is None:
        return None
    if facts.error_code is not None and facts.error_code not in _SHARED_FAILURES:
        return None
    other = _arn_account(str((facts.params or {}).get(member, "")))
    return other if other is not None and other != account else None


def shared_copy(
    record: dict[str, Any], summary: Summary, *, account: AccountId, event_id: str
) -> tuple[dict[str, Any], Summary]:
    """The copy of a record (already given its ``sharedEventID``) for ``account``'s trail."""
    copy = {**record, "eventID": event_id, "recipientAccountId": account}
    return copy, summary._replace(event_id=event_id, account_id=account)


def is_data_event(facts: RequestFacts) -> bool:
    return facts.service == "s3" and facts.operation in S3_DATA_EVENTS


def build_record(facts: RequestFacts, *, event_id: str, now: datetime, region: str) -> tuple[dict[str, Any], Summary]:
    """The CloudTrail record of one request, and its summary for the store."""
    service = facts.service
    name = facts.operation or "UnknownOperation"
    source = EVENT_SOURCES.get(service, f"{service}.amazonaws.com")
    read_only = service == "sts" or name.startswith(READ_ONLY_PREFIXES)
    p = facts.principal
    account = p.account_id if p is not None else None
    identity = user_identity(p, facts.access_key_id)
    data_event = is_data_event(facts)
    req = facts.request
    extra: dict[str, Any] = {}
    if service == "s3":
        params: dict[str, Any] | None = _s3_parameters(facts)
        extra.update(_s3_auth(req))
    else:
        try:
            params = _camel(facts.params, [MAX_PARAMETER_CHARS]) if facts.params else None
        except _TooLarge:
            params = None
            extra["requestParametersOmitted"] = "too large"
    keep_response = facts.error_code is None and (not read_only or (service == "sts" and name in STS_KEPT_RESPONSES))
    response = None
    if keep_response and facts.result:
        try:
            response = _camel(facts.result, [MAX_PARAMETER_CHARS])
        except _TooLarge:
            extra["responseElementsOmitted"] = "too large"
    username = _username(p)
    if service == "sts" and p is None and facts.result and facts.error_code is None:
        federated = _federated_identity(name, facts.result)
        if federated is not None:
            identity, username = federated, federated["userName"] or None
            # The event belongs to the role's account, as in CloudTrail; only once the call
            # succeeded (the trust policy allowed it), so that unsigned calls naming any
            # role cannot write into that account's trail.
            account = _arn_account(str((facts.params or {}).get("RoleArn", ""))) or account
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": iso_seconds(int(now.timestamp())),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": req.client_ip,
        "userAgent": _bounded(req.header("user-agent") or ""),
    }
    if facts.error_code is not None:
        record["errorCode"] = facts.error_code
        if facts.error_message:
            record["errorMessage"] = _bounded(facts.error_message)
    record["requestParameters"] = params
    record["responseElements"] = response
    if extra:
        record["additionalEventData"] = extra
    record["requestID"] = facts.request_id
    record["eventID"] = event_id
    record["readOnly"] = read_only
    resources = _resources(facts)
    if resources:
        # CloudTrail's ``resources`` names resources by ARN; those named otherwise are in the summary only.
        listed = [{"accountId": account, "type": t, "ARN": n} for t, n in resources if n.startswith("arn:")]
        if listed:
            record["resources"] = listed
    record["eventType"] = "AwsApiCall"
    record["managementEvent"] = not data_event
    if account is not None:
        record["recipientAccountId"] = account
    record["eventCategory"] = "Data" if data_event else "Management"
    if req.secure:
        tls: dict[str, str] = {}
        if facts.tls is not None:
            tls["tlsVersion"], tls["cipherSuite"] = facts.tls
        tls["clientProvidedHostHeader"] = _bounded(req.header("host") or "")
        record["tlsDetails"] = tls
    summary = Summary(
        event_id=event_id,
        event_time=now,
        account_id=account,
        event_name=name,
        event_source=source,
        read_only=read_only,
        username=username,
        access_key_id=(p.access_key_id if p is not None else facts.access_key_id) or None,
        resources=resources,
    )
    return record, summary


# --- identity --------------------------------------------------------------------------


def user_identity(p: Principal | None, access_key_id: str | None) -> dict[str, Any]:
    """CloudTrail's ``userIdentity`` for a verified principal (or an unrecognised key)."""
    if p is None:
        if access_key_id:
            # The key was not recognised (or its token did not open): nothing is known
            # about the caller beyond the key id it presented.
            return {"type": "Unknown", "principalId": "", "accessKeyId": access_key_id}
        # S3 documents anonymous callers this way.
        return {"type": "AWSAccount", "principalId": "", "accountId": "anonymous"}
    out: dict[str, Any] = {
        "type": _PRINCIPAL_TYPES[p.kind],
        "principalId": p.user_id,
        "arn": p.arn,
        "accountId": p.account_id,
        "accessKeyId": p.access_key_id,
    }
    if p.kind == "user":
        out["userName"] = p.name
    s = p.session
    if s is None:
        return out
    context: dict[str, Any] = {}
    issuer = _session_issuer(p)
    if issuer is not None:
        context["sessionIssuer"] = issuer
    if s.kind.value == "AssumeRoleWithWebIdentity" and s.assumed_by_arn:
        # For web identity sessions the token names the IAM OIDC provider as the assumer.
        context["webIdFederationData"] = {"federatedProvider": s.assumed_by_arn, "attributes": {}}
    context["attributes"] = {
        "creationDate": iso_seconds(s.issued_at),
        "mfaAuthenticated": "true" if s.mfa_authenticated else "false",
    }
    if s.source_identity:
        context["sourceIdentity"] = s.source_identity
        out["sourceIdentity"] = s.source_identity
    out["sessionContext"] = context
    return out


def _session_issuer(p: Principal) -> dict[str, Any] | None:
    s = p.session
    assert s is not None
    if p.kind == "assumed-role" and s.role_arn:
        role_name = s.role_arn.rsplit("/", 1)[-1]
        return {
            "type": "Role",
            "principalId": p.user_id.split(":", 1)[0],
            "arn": s.role_arn,
            "accountId": p.account_id,
            "userName": role_name,
        }
    if p.kind == "federated-user" and s.assumed_by_arn:
        by = s.assumed_by_arn
        root = by.endswith(":root")
        return {
            "type": "Root" if root else "IAMUser",
            "principalId": p.account_id if root else (p.entity_id or ""),
            "arn": by,
            "accountId": p.account_id,
            "userName": "" if root else by.rsplit("/", 1)[-1],
        }
    return None


def _federated_identity(operation: str, result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The caller of an unsigned federation call, as the verified assertion or token names it."""
    if operation == "AssumeRoleWithSAML":
        qualifier = str(result.get("NameQualifier", ""))
        subject = str(result.get("Subject", ""))
        return {
            "type": "SAMLUser",
            "principalId": f"{qualifier}:{subject}",
            "userName": subject,
            "identityProvider": qualifier,
        }
    if operation == "AssumeRoleWithWebIdentity":
        provider = str(result.get("Provider", ""))
        subject = str(result.get("SubjectFromWebIdentityToken", ""))
        audience = str(result.get("Audience", ""))
        return {
            "type": "WebIdentityUser",
            "principalId": f"{provider}:{audience}:{subject}",
            "userName": subject,
            "identityProvider": provider,
        }
    return None


def _arn_account(arn: str) -> AccountId | None:
    parts = arn.split(":", 5)
    return AccountId(parts[4]) if len(parts) == 6 and parts[0] == "arn" and len(parts[4]) == 12 else None


def _username(p: Principal | None) -> str | None:
    """LookupEvents' ``Username``: the user, the role session or federated user name, or root."""
    if p is None:
        return None
    if p.kind == "root":
        return "root"
    return p.name or None


# --- parameters --------------------------------------------------------------------------


def _camel(value: Any, budget: list[int]) -> Any:
    """``value`` with CloudTrail's member names (lower camel), secrets dropped, bounded."""
    # Exact type checks first: an ``isinstance`` against the ``Mapping`` ABC for every
    # leaf would cost more than the rest of the walk.
    kind = type(value)
    if kind is str:
        budget[0] -= len(value)
        if budget[0] < 0:
            raise _TooLarge
        return value
    if kind is bool or kind is int or kind is float:
        return value
    if kind is dict or isinstance(value, Mapping):
        out: dict[str, Any] = {}
        names = _CAMEL_NAMES
        for k, v in value.items():
            if v is None or k in SECRET_MEMBERS:
                continue
            name = names.get(k)
            if name is None:
                key = str(k)
                budget[0] -= len(key)
                name = key[:1].lower() + key[1:]
                if type(k) is str and len(names) < _CAMEL_NAMES_MAX:
                    names[k] = name
            else:
                budget[0] -= len(k)
            # Strings, most members, without a call each (the same budget as below).
            if type(v) is str:
                budget[0] -= len(v)
                if budget[0] < 0:
                    raise _TooLarge
                out[name] = v
            else:
                out[name] = _camel(v, budget)
        return out
    if kind is list or kind is tuple:
        return [_camel(v, budget) for v in value]
    if isinstance(value, datetime):
        return cloudtrail_time(value)
    if isinstance(value, (bytes, bytearray)):
        # Blobs (policy-less binary data) are not written, only their size.
        return f"<{len(value)} bytes>"
    if isinstance(value, str):  # a str subclass (an enum member)
        return _camel(str(value), budget)
    budget[0] -= 32
    return str(value)[:32]


#: Member names already lower-cameled: the models' names, a bounded set (the bound keeps
#: names that are data, such as a map's keys, from growing it).
_CAMEL_NAMES: dict[str, str] = {}
_CAMEL_NAMES_MAX = 4096


@lru_cache(maxsize=64)
def cloudtrail_time(value: datetime) -> str:
    """Timestamps inside parameters and responses, as CloudTrail writes them: ``Jul 5, 2023, 1:05:09 AM``.

    Formatted by hand: ``strftime`` is locale-dependent (``%b``) and several times slower.
    Cached: the credentials issued in one second share their expiration.
    """
    v = value.astimezone(UTC) if value.tzinfo is not None else value
    hour = v.hour % 12 or 12
    half = "AM" if v.hour < 12 else "PM"
    return f"{_MONTHS[v.month - 1]} {v.day}, {v.year}, {hour}:{v.minute:02d}:{v.second:02d} {half}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _s3_parameters(facts: RequestFacts) -> dict[str, Any]:
    req = facts.request
    out: dict[str, Any] = {}
    if facts.bucket is not None:
        out["bucketName"] = _bounded(facts.bucket)
    out["Host"] = _bounded(req.header("host") or "")
    if facts.key is not None:
        out["key"] = _bounded(facts.key)
    budget = MAX_TEXT_CHARS * 4
    for part in req.query_string.split("&"):
        name, _, value = part.partition("=")
        # Told by the name the server acts on, decoded: ``%58-Amz-Signature`` is a signature.
        lower = unquote_plus(name).strip().lower()
        if not lower or lower in _S3_AUTH_PARAMS or lower.startswith("x-amz-") or is_secret_name(lower):
            continue
        budget -= len(name) + len(value)
        if budget < 0:
            break
        out.setdefault(name, value)
    return out


def _s3_auth(req: HttpRequest) -> dict[str, str]:
    auth = req.header("authorization")
    if auth is not None:
        version = "SigV4" if auth.startswith("AWS4-") else "SigV2"
        return {"SignatureVersion": version, "AuthenticationMethod": "AuthHeader"}
    qs = req.query_string
    if "X-Amz-Signature=" in qs:
        return {"SignatureVersion": "SigV4", "AuthenticationMethod": "QueryString"}
    if "Signature=" in qs:
        return {"SignatureVersion": "SigV2", "AuthenticationMethod": "QueryString"}
    return {}


def _resources(facts: RequestFacts) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    if facts.service == "s3":
        if facts.bucket is not None:
            found.append(("AWS::S3::Bucket", arns.bucket(facts.bucket)[:MAX_TEXT_CHARS]))
            if facts.key is not None:
                found.append(("AWS::S3::Object", arns.s3_object(facts.bucket, facts.key)[:MAX_TEXT_CHARS]))
        return tuple(found)
    sources = [facts.params or {}]
    if facts.result is not None and facts.error_code is None:
        # A created access key is named by the response only.
        created = facts.result.get("AccessKey")
        if isinstance(created, Mapping):
            sources.append(created)
    for source in sources:
        for member, value in source.items():
            rtype = _RESOURCE_TYPES.get(member)
            if rtype is not None and isinstance(value, str) and value and (rtype, value) not in found:
                found.append((rtype, value[:MAX_TEXT_CHARS]))
    return tuple(found)


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS]
