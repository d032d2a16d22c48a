"""Time and credential-scope checks on a parsed signature (aws-behavior.md §2.4 steps 8 and 10)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from credmint.sigv4 import errors as sigv4_errors
from credmint.sigv4.signed import SignedRequest

Dialect = Literal["query", "s3"]

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

#: The allowed difference between the request's time and the server's, both ways.
MAX_SKEW = timedelta(minutes=15)
#: S3 presigned URLs live at most a week.
MAX_PRESIGNED_EXPIRES = 604800

# Partition-agnostic region shape: us-east-1, us-gov-west-1, cn-northwest-1, eu-isoe-west-1 ...
_REGION_RE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")


# Few distinct regions arrive; remembering the verdict saves a regex match per request.
@lru_cache(maxsize=256)
def is_region_name(name: str) -> bool:
    return _REGION_RE.fullmatch(name) is not None


def check_request_time(signed: SignedRequest, now: datetime, dialect: Dialect) -> None:
    """The 15-minute skew window; for presigned S3 URLs, X-Amz-Expires instead.

    Presigned Query requests (STS GetCallerIdentity URLs used by EKS tokens) get the
    same 15-minute window from X-Amz-Date: AWS ignores their X-Amz-Expires.
    """
    request_time = signed.request_time
    if dialect == "s3":
        if signed.presigned:
            _check_presigned_s3(signed, now)
            return
        if abs(request_time - now) > MAX_SKEW:
            raise sigv4_errors.RequestTimeTooSkewed(signed.amz_date, now.strftime(_ISO_FORMAT))
        return
    if abs(request_time - now) <= MAX_SKEW:  # the usual case, in one comparison
        return
    earliest = now - MAX_SKEW
    if request_time < earliest:
        raise sigv4_errors.SignatureDoesNotMatch.expired(
            signed.amz_date, earliest.strftime(AMZ_DATE_FORMAT), now.strftime(AMZ_DATE_FORMAT)
        )
    latest = now + MAX_SKEW
    if request_time > latest:
        raise sigv4_errors.SignatureDoesNotMatch.not_yet_current(
            signed.amz_date, latest.strftime(AMZ_DATE_FORMAT), now.strftime(AMZ_DATE_FORMAT)
        )


def _check_presigned_s3(signed: SignedRequest, now: datetime) -> None:
    expires = signed.expires
    if expires is None:  # parse_auth refuses this for S3; kept for hand-built values
        raise sigv4_errors.AuthorizationQueryParametersError.expires_not_number()
    if expires > MAX_PRESIGNED_EXPIRES:
        raise sigv4_errors.AuthorizationQueryParametersError.expires_too_long()
    # A URL signed with a clock ahead of ours is tolerated within the usual skew.
    if signed.request_time - now > MAX_SKEW:
        raise sigv4_errors.AccessDenied.not_yet_valid()
    expires_at = signed.request_time + timedelta(seconds=expires)
    if now > expires_at:
        raise sigv4_errors.AccessDenied.expired(
            str(expires), expires_at.strftime(_ISO_FORMAT), now.strftime(_ISO_FORMAT)
        )


def check_scope(signed: SignedRequest, service: str, dialect: Dialect, *, region: str | None = None) -> None:
    """The credential scope names this request's date, a region, the routed service and ``aws4_request``.

    ``region``, when given, is the only region this endpoint accepts; otherwise any
    syntactically valid region passes.
    """
    region_ok = signed.region == region if region is not None else is_region_name(signed.region)
    service_ok = signed.service == service
    terminator_ok = signed.terminator == "aws4_request"
    date_ok = signed.scope_date == signed.amz_date[:8]
    if region_ok and service_ok and terminator_ok and date_ok:
        return
    if dialect == "s3":
        _raise_s3_scope(signed, service, region, region_ok, service_ok, terminator_ok)
    raise sigv4_errors.SignatureDoesNotMatch.scope(
        service,
        signed.terminator,
        signed.scope_date,
        signed.amz_date,
        region_ok=region_ok,
        service_ok=service_ok,
        terminator_ok=terminator_ok,
        date_ok=date_ok,
    )


def _raise_s3_scope(
    signed: SignedRequest,
    service: str,
    region: str | None,
    region_ok: bool,
    service_ok: bool,
    terminator_ok: bool,
) -> None:
    # S3 reports the first fault only; the order among them is unconfirmed.
    fault: type[sigv4_errors.AuthorizationHeaderMalformed | sigv4_errors.AuthorizationQueryParametersError] = (
        sigv4_errors.AuthorizationQueryParametersError
        if signed.presigned
        else sigv4_errors.AuthorizationHeaderMalformed
    )
    if not region_ok:
        raise fault.wrong_region(signed.region, region if region is not None else "us-east-1")
    if not service_ok:
        raise fault.wrong_service(signed.service, service)
    if not terminator_ok:
        raise fault.wrong_terminal(signed.terminator)
    raise fault.wrong_date()
