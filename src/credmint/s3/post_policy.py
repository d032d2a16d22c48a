"""Browser POST uploads: the form's credential, its signature over the policy document, and
the policy's conditions.

Theory of operation. An HTML form posts to the bucket's URL; the page's server signed a
policy document (base64 JSON: an ``expiration`` and a list of ``conditions``) with the
caller's secret, and the form carries the policy, the signature and the credential:

- Signature Version 4: ``x-amz-algorithm=AWS4-HMAC-SHA256``, ``x-amz-credential``
  (``AKID/date/region/s3/aws4_request``), ``x-amz-date``, ``x-amz-signature`` = hex
  HMAC-SHA256 of the base64 policy under the date-region-service signing key; temporary
  credentials add ``x-amz-security-token``;
- Signature Version 2: ``AWSAccessKeyId``, ``signature`` = base64 HMAC-SHA1 of the policy;
- neither: an anonymous upload, which only a bucket policy can admit.

The credential is looked up like any other (by the server, at the edge); :func:`verify`
checks the signature and :func:`check_policy` the document, purely, at a given ``now``:

- the document must be JSON with exactly the members ``expiration`` (ISO 8601, UTC) and
  ``conditions`` (a list), and not be expired;
- every condition must hold (the table ``OPERATORS``: exact ``eq`` or ``{field: value}``,
  ``starts-with`` (an empty prefix admits any value), ``content-length-range`` on the file
  size), field names compared without case, values with it;
- every form field must be named by some condition, except the ones S3 exempts
  (``EXEMPT``, and any ``x-ignore-*``); the bucket counts as a field.

Refusals use S3's codes and texts: ``InvalidPolicyDocument`` (400) for a document that
cannot be read, ``AccessDenied`` (403) "Invalid according to Policy: ..." for a failed
condition, ``EntityTooLarge``/``EntityTooSmall`` (400) for the length range.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credmint.errors import AwsError
from credmint.s3 import errors as s3_errors
from credmint.sigv4.keys import signing_key

#: Longest policy document read (S3 documents 20 KB; base64 is a third larger).
MAX_POLICY = 64 * 1024
MAX_CONDITIONS = 1000
#: Fields no condition needs to name (lower-case).
EXEMPT = frozenset({"awsaccesskeyid", "signature", "file", "policy", "x-amz-signature"})
ALGORITHM = "AWS4-HMAC-SHA256"
_EXPIRATION = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")


@dataclass(frozen=True)
class PostCredential:
    version: int  # 2 or 4
    access_key_id: str
    signature: str
    policy: str
    security_token: str | None = None
    #: Signature Version 4 only: the credential scope's date and region, and x-amz-date.
    scope_date: str = ""
    region: str = ""
    amz_date: str = ""

    @property
    def signed_at(self) -> datetime | None:
        """SigV4's ``x-amz-date`` as a time; None for Signature Version 2 (which carries no
        signing time) or a date that does not parse (:func:`verify` refuses that form)."""
        if self.version != 4:
            return None
        try:
            return datetime.strptime(self.amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None


def _bad_policy(message: str) -> AwsError:
    return s3_errors.InvalidPolicyDocument(message)


def _denied(message: str) -> AwsError:
    return s3_errors.AccessDenied.post_policy(message)


def _missing(name: str) -> AwsError:
    return s3_errors.InvalidArgument.post_field_missing(name)


def lower_fields(fields: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Field name (lower-cased) -> value; the first of a repeated name wins."""
    out: dict[str, str] = {}
    for name, value in fields:
        out.setdefault(name.lower(), value)
    return out


def credential(fields: dict[str, str]) -> PostCredential | None:
    """The form's credential and signature; None for an anonymous upload."""
    if "x-amz-algorithm" in fields or "x-amz-credential" in fields or "x-amz-signature" in fields:
        if fields.get("x-amz-algorithm") != ALGORITHM:
            raise s3_errors.InvalidArgument.post_algorithm(fields.get("x-amz-algorithm", ""))
        for name in ("x-amz-credential", "x-amz-date", "x-amz-signature", "policy"):
            if name not in fields:
                raise _missing(name)
        parts = fields["x-amz-credential"].split("/")
        if len(parts) != 5 or parts[3] != "s3" or parts[4] != "aws4_request" or not parts[0]:
            raise s3_errors.InvalidArgument.post_credential(fields["x-amz-credential"])
        return PostCredential(
            4,
            parts[0],
            fields["x-amz-signature"],
            fields["policy"],
            fields.get("x-amz-security-token"),
            scope_date=parts[1],
            region=parts[2],
            amz_date=fields["x-amz-date"],
        )
    if "awsaccesskeyid" in fields:
        for name in ("signature", "policy"):
            if name not in fields:
                raise _missing(name)
        return PostCredential(
            2, fields["awsaccesskeyid"], fields["signature"], fields["policy"], fields.get("x-amz-security-token")
        )
    if "signature" in fields or "policy" in fields:
        raise _missing("AWSAccessKeyId")
    return None


def verify(cred: PostCredential, secret: str) -> None:
    """The form's signature over its policy, by ``secret`` (SignatureDoesNotMatch if not)."""
    policy = cred.policy.encode("utf-8")
    if cred.version == 4:
        if not cred.amz_date.startswith(cred.scope_date) or len(cred.scope_date) != 8 or cred.signed_at is None:
            raise s3_errors.InvalidArgument.post_date()
        expected = hmac.new(signing_key(secret, cred.scope_date, cred.region, "s3"), policy, hashlib.sha256).hexdigest()
        good = hmac.compare_digest(expected, cred.signature.strip().lower())
    else:
        expected = base64.b64encode(hmac.new(secret.encode(), policy, hashlib.sha1).digest()).decode()
        good = hmac.compare_digest(expected, cred.signature.strip())
    if not good:
        raise s3_errors.SignatureDoesNotMatch.post_form(cred.access_key_id)


def decode_policy(policy_b64: str) -> dict[str, Any]:
    if len(policy_b64) > MAX_POLICY:
        raise _bad_policy("Policy document too large")
    try:
        raw = base64.b64decode(policy_b64.strip(), validate=True)
        document = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise _bad_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise _bad_policy("Invalid JSON.")
    for name in document:
        if name not in ("expiration", "conditions"):
            raise _bad_policy(f'Unexpected field: "{name}"')
    if "expiration" not in document:
        raise _bad_policy("Policy missing expiration.")
    if "conditions" not in document:
        raise _bad_policy("Policy missing conditions.")
    if not isinstance(document["conditions"], list) or len(document["conditions"]) > MAX_CONDITIONS:
        raise _bad_policy("Invalid conditions.")
    return document


def _expiration(value: Any) -> datetime:
    if not isinstance(value, str) or _EXPIRATION.fullmatch(value) is None:
        raise _bad_policy(f"Invalid 'expiration' value: '{value}'")
    whole = value[:19]
    return datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _field_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.startswith("$") or len(raw) < 2:
        raise _bad_policy("Invalid condition: field names start with '$'")
    return raw[1:].lower()


def _condition_text(condition: Any) -> str:
    return json.dumps(condition, separators=(", ", ": "))


def check_policy(
    document: dict[str, Any], fields: dict[str, str], bucket: str, file_size: int, now: datetime
) -> None:
    """Every condition of ``document`` holds for the form (``fields`` lower-cased, the
    bucket, the file's size) at ``now``, and every field is named by one."""
    if now >= _expiration(document["expiration"]):
        raise _denied("Policy expired.")
    values = {**fields, "bucket": bucket}
    named: set[str] = set()
    #: Every content-length-range holds (the safer reading of several: not just the last).
    length_ranges: list[tuple[int, int]] = []
    for condition in document["conditions"]:
        if isinstance(condition, dict):
            if len(condition) != 1:
                raise _bad_policy("Invalid condition: an object condition names one field")
            ((name, expected),) = condition.items()
            text = _as_text(expected)
            if text is None:
                raise _bad_policy(f"Invalid condition value for {name}")
            field = name.lower()
            named.add(field)
            if values.get(field) != text:
                raise _denied(f'Policy Condition failed: ["eq", "${name}", {json.dumps(text)}]')
            continue
        if not isinstance(condition, list) or not condition or not isinstance(condition[0], str):
            raise _bad_policy("Invalid condition")
        operator = condition[0].lower()
        if operator == "content-length-range":
            if len(condition) != 3 or not all(isinstance(x, int) and not isinstance(x, bool) for x in condition[1:]):
                raise _bad_policy("Invalid content-length-range: it takes two integers")
            low, high = condition[1], condition[2]
            if low < 0 or high < low:
                raise _bad_policy("Invalid content-length-range")
            length_ranges.append((low, high))
            continue
        if operator not in OPERATORS or len(condition) != 3:
            raise _bad_policy(f"Invalid condition: {_condition_text(condition)}")
        field = _field_name(condition[1])
        text = _as_text(condition[2])
        if text is None:
            raise _bad_policy(f"Invalid condition: {_condition_text(condition)}")
        named.add(field)
        if not OPERATORS[operator](values.get(field, ""), text):
            raise _denied(f"Policy Condition failed: {_condition_text(condition)}")
    extra = [name for name in values if name not in named and name not in EXEMPT and not name.startswith("x-ignore-")]
    if extra:
        raise _denied("Extra input fields: " + ", ".join(sorted(extra)))
    for low, high in length_ranges:
        if file_size > high:
            raise s3_errors.EntityTooLarge.upload(file_size, high)
        if file_size < low:
            raise s3_errors.EntityTooSmall.post(file_size, low)


def _eq(value: str, expected: str) -> bool:
    return value == expected


def _starts_with(value: str, prefix: str) -> bool:
    return value.startswith(prefix)


#: The policy's condition operators (``content-length-range`` is checked on the file).
OPERATORS = {"eq": _eq, "starts-with": _starts_with}
