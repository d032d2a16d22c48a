"""CORS as S3 applies a bucket's rules: preflight ``OPTIONS`` and the ``Access-Control-*``
headers of actual requests.

Theory of operation. A bucket's CORS configuration (``PutBucketCors``, stored as the list
of rules GetBucketCors returns) is read for two kinds of request:

- a preflight, ``OPTIONS`` on the bucket or an object, sent by a browser before a
  cross-origin request and never signed (a presigned URL's signature is not checked: the
  browser sends the URL's query as is, for another method). It needs ``Origin`` and
  ``Access-Control-Request-Method``; the first rule whose origins, methods and headers all
  allow the request answers 200 with its headers, and no rule (or no configuration) 403;
- an actual request carrying ``Origin``: whatever its outcome (an error answer included, as
  S3 does), the first matching rule adds its headers. The method tested is the request's,
  or its ``Access-Control-Request-Method`` when it sends one, as S3 does.

A rule matches when the origin matches one of its ``AllowedOrigin`` patterns (case
sensitive, ``*`` matching any run of characters), the method is one of its
``AllowedMethod`` values, and every header named in ``Access-Control-Request-Headers``
matches one of its ``AllowedHeader`` patterns (case insensitive). The rule set is bounded
by PutBucketCors (100 rules), so evaluating it costs at most rules x patterns linear scans.

:func:`match` and :func:`rule_headers` are pure; :func:`preflight` and
:func:`actual_headers` read the bucket's rules from the store (on a worker thread).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import select

from credmint.httpreq import HttpRequest
from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody
from credmint.s3.bucket_configs import configuration_root, load_config, no_content, remove_config, save_config
from credmint.s3.buckets import xml_response
from credmint.s3.context import S3Context, S3Response
from credmint.store import schema
from credmint.store.db import Store
from credmint.wire import s3 as ws3

Rule = Mapping[str, Any]
Headers = list[tuple[str, str]]

#: The methods a CORS rule may allow (PutBucketCors refuses others).
METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
#: Longest header values read: anything longer matches no rule (browsers send short ones).
MAX_ORIGIN = 4096
MAX_REQUEST_HEADERS = 8192
#: Rules in one configuration (S3's limit).
MAX_CORS_RULES = 100


def wildcard_match(pattern: str, value: str) -> bool:
    """``*`` in ``pattern`` matches any run of characters; in linear time (each fixed piece
    found at its leftmost place after the previous one)."""
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return pattern == value
    first, last = pieces[0], pieces[-1]
    if len(first) + len(last) > len(value) or not value.startswith(first) or not value.endswith(last):
        return False
    at, end = len(first), len(value) - len(last)
    for piece in pieces[1:-1]:
        found = value.find(piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def requested_headers(value: str | None) -> list[str]:
    """The header names of ``Access-Control-Request-Headers``, lower-cased."""
    if not value:
        return []
    return [h.strip().lower() for h in value.split(",") if h.strip()]


def match(rules: Sequence[Rule], origin: str, method: str, headers: Sequence[str]) -> Rule | None:
    """The first rule that allows ``origin`` to use ``method`` with ``headers``."""
    for rule in rules:
        if method not in rule.get("AllowedMethods", ()):
            continue
        if not any(wildcard_match(p, origin) for p in rule.get("AllowedOrigins", ())):
            continue
        allowed = [p.lower() for p in rule.get("AllowedHeaders", ())]
        if all(any(wildcard_match(p, h) for p in allowed) for h in headers):
            return rule
    return None


def rule_headers(rule: Rule, origin: str, *, request_headers: str | None = None) -> Headers:
    """The ``Access-Control-*`` headers a matching rule adds (S3's set and order)."""
    wildcard = "*" in rule.get("AllowedOrigins", ())
    out: Headers = [("Access-Control-Allow-Origin", "*" if wildcard else origin)]
    out.append(("Access-Control-Allow-Methods", ", ".join(rule["AllowedMethods"])))
    if request_headers:
        out.append(("Access-Control-Allow-Headers", ", ".join(requested_headers(request_headers))))
    if rule.get("ExposeHeaders"):
        out.append(("Access-Control-Expose-Headers", ", ".join(rule["ExposeHeaders"])))
    if rule.get("MaxAgeSeconds") is not None:
        out.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    if not wildcard:
        # A rule naming origins admits credentialed requests from them; "*" cannot (Fetch).
        out.append(("Access-Control-Allow-Credentials", "true"))
    out.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
    return out


def bucket_rules(store: Store, bucket: str) -> list[Rule] | None:
    """The bucket's CORS rules; None when it has none (or does not exist)."""
    c = schema.bucket_configs
    with store.read() as conn:
        found = conn.execute(select(c.c.document).where(c.c.bucket == bucket, c.c.name == "cors")).scalar()
    if found is None:
        return None
    rules = json.loads(found)
    return rules if isinstance(rules, list) and rules else None


def preflight(store: Store, req: HttpRequest) -> Headers:
    """Answer a preflight ``OPTIONS``: the headers of a 200, or the AwsError S3 answers."""
    origin = req.header("origin")
    if origin is None:
        raise s3_errors.BadRequest.origin_missing()
    method = req.header("access-control-request-method")
    if method is None or method not in METHODS:
        raise s3_errors.BadRequest.request_method(method)
    bucket, _ = ws3.s3_target(req.header("host"), req.raw_path)
    # A missing bucket answers like a bucket without CORS: a preflight is anonymous, and
    # telling it which buckets exist serves no browser (AWS's answer here is not
    # documented; this is the one that tells least).
    rules = bucket_rules(store, bucket) if bucket is not None else None
    if rules is None:
        raise s3_errors.CORSResponse.not_enabled()
    request_headers = req.header("access-control-request-headers")
    if len(origin) > MAX_ORIGIN or len(request_headers or "") > MAX_REQUEST_HEADERS:
        raise s3_errors.CORSResponse.not_allowed()
    rule = match(rules, origin, method, requested_headers(request_headers))
    if rule is None:
        raise s3_errors.CORSResponse.not_allowed()
    return rule_headers(rule, origin, request_headers=request_headers)


def actual_headers(store: Store, req: HttpRequest, bucket: str) -> Headers:
    """The ``Access-Control-*`` headers of an actual request from ``Origin`` (none when no
    rule allows it)."""
    origin = req.header("origin")
    if origin is None or len(origin) > MAX_ORIGIN:
        return []
    rules = bucket_rules(store, bucket)
    if rules is None:
        return []
    method = req.header("access-control-request-method") or req.method
    request_headers = req.header("access-control-request-headers")
    if len(request_headers or "") > MAX_REQUEST_HEADERS:
        return []
    rule = match(rules, origin, method, requested_headers(request_headers))
    return [] if rule is None else rule_headers(rule, origin)


# --- the configuration: Get/Put/DeleteBucketCors ------------------------------------------


def _texts(element: Element, name: str) -> list[str]:
    return [c.text or "" for c in xmlbody.children(element, name)]


def _cors_rule(rule: Element) -> dict[str, Any]:
    methods = _texts(rule, "AllowedMethod")
    origins = _texts(rule, "AllowedOrigin")
    if not methods or not origins:
        raise s3_errors.MalformedXML()
    for method in methods:
        if method not in METHODS:
            raise s3_errors.InvalidRequest.cors_method(method)
    out: dict[str, Any] = {"AllowedMethods": methods, "AllowedOrigins": origins}
    rule_id = xmlbody.child_text(rule, "ID")
    if rule_id is not None:
        out["ID"] = rule_id
    headers = _texts(rule, "AllowedHeader")
    if headers:
        out["AllowedHeaders"] = headers
    expose = _texts(rule, "ExposeHeader")
    if expose:
        out["ExposeHeaders"] = expose
    max_age = xmlbody.child_text(rule, "MaxAgeSeconds")
    if max_age is not None:
        try:
            out["MaxAgeSeconds"] = int(max_age)
        except ValueError:
            raise s3_errors.MalformedXML() from None
    return out


def get_bucket_cors(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    rules = load_config(ctx, row.name, "cors")
    if not isinstance(rules, list):
        raise s3_errors.NoSuchCORSConfiguration(row.name)
    return xml_response("GetBucketCors", {"CORSRules": rules})


def put_bucket_cors(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    root = configuration_root(ctx, "CORSConfiguration")
    rules = [_cors_rule(r) for r in xmlbody.children(root, "CORSRule")]
    if not rules or len(rules) > MAX_CORS_RULES:
        raise s3_errors.MalformedXML()
    save_config(ctx, row.name, "cors", rules)
    return S3Response()


def delete_bucket_cors(ctx: S3Context) -> S3Response:
    row = ctx.bucket_or_404()
    remove_config(ctx, row.name, "cors")
    return no_content()
