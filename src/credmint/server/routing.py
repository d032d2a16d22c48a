"""Which service a request is for, decided from the request alone (pure).

One endpoint serves everything, as AWS clients pointed at one ``--endpoint-url``
expect: the SigV4 credential scope names the service when the request is
signed; unsigned Query calls (``AssumeRoleWithSAML``/``...WebIdentity``) are
known by their ``Action``/``Version`` form; everything else is S3 REST.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import unquote

from credmint.httpreq import HttpRequest

HEALTH_PATH = "/_credmint/health"
#: Prometheus metrics. ``/metrics`` (Prometheus's default) is also served, but only to an
#: unsigned GET without a query string: a signed or parameterised request there is S3's
#: (a bucket may be named ``metrics``).
METRICS_PATH = "/_credmint/metrics"
METRICS_SHORT_PATH = "/metrics"
#: Readiness: 503 while the store is unreachable or the change channel is down.
READY_PATH = "/_credmint/ready"
INTERNAL_PREFIX = "/_credmint/"

QUERY_VERSIONS = {"2011-06-15": "sts", "2010-05-08": "iam"}
QUERY_SERVICES = frozenset(QUERY_VERSIONS.values())
JSON_SERVICES = frozenset({"organizations", "cloudtrail"})
#: ``X-Amz-Target`` prefixes of the JSON services, for requests that carry no signature.
JSON_TARGETS = {
    "AWSOrganizationsV20161128": "organizations",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail",
}


class Target(Enum):
    HEALTH = "health"
    METRICS = "metrics"
    INTERNAL = "internal"
    QUERY = "query"
    #: AWS JSON 1.1 protocol services (``X-Amz-Target``), e.g. Organizations.
    JSON = "json"
    S3 = "s3"

    #: Members are singletons compared by identity, so identity hashing agrees with
    #: equality; Enum's own ``__hash__`` is Python code run on every set lookup.
    __hash__ = object.__hash__


def scope_service(req: HttpRequest) -> str | None:
    """The service named by the SigV4 credential scope, if the request carries one."""
    auth = req.header("authorization")
    if auth is not None:
        at = auth.find("Credential=")
        if at < 0:
            return None
        cred = auth[at + 11 :].split(",", 1)[0].strip()
    else:
        at = req.query_string.find("X-Amz-Credential=")
        if at < 0:
            return None
        cred = unquote(req.query_string[at + 17 :].split("&", 1)[0])
    parts = cred.split("/")
    return parts[3] if len(parts) == 5 else None


def _looks_like_query(req: HttpRequest) -> bool:
    if req.raw_path not in ("/", ""):
        return False
    if req.method == "POST":
        ctype = (req.header("content-type") or "").lower()
        return ctype.startswith("application/x-www-form-urlencoded")
    qs = req.query_string
    return qs.startswith("Action=") or "&Action=" in qs


def classify(req: HttpRequest) -> tuple[Target, str]:
    """Return the target and the service name (``sts``, ``iam``, ``s3`` or ``""``)."""
    path = req.raw_path
    if path == METRICS_PATH or (
        path == METRICS_SHORT_PATH
        and req.method in ("GET", "HEAD")
        and not req.query_string
        and req.header("authorization") is None
    ):
        return Target.METRICS, ""
    if path.startswith(INTERNAL_PREFIX):
        if path == HEALTH_PATH:
            return Target.HEALTH, ""
        if path == READY_PATH:
            return Target.HEALTH, "ready"
        return Target.INTERNAL, ""
    service = scope_service(req)
    if service in QUERY_SERVICES:
        return Target.QUERY, service
    if service in JSON_SERVICES:
        return Target.JSON, service
    if service == "s3":
        return Target.S3, "s3"
    json_service = JSON_TARGETS.get((req.header("x-amz-target") or "").rpartition(".")[0])
    if service is None and json_service is not None and req.raw_path in ("/", ""):
        # An unsigned JSON-protocol call: its target header names the service.
        return Target.JSON, json_service
    if service is None and _looks_like_query(req):
        # Unsigned, or signed in a form we failed to read: the Query layer decides by Version.
        return Target.QUERY, ""
    return Target.S3, "s3"
