"""The least an app can do for a signed GetCallerIdentity, on the same uvicorn stack.

It verifies the SigV4 header signature inline (one pattern match, the canonical request,
two SHA-256, one HMAC) against one fixed secret and answers a fixed XML document: no
routing, form parsing, validation, key lookup, clock checks or rendering. What it reaches
against the bare hello bounds what any verifying app can reach on this stack; it is a
measuring stick for ``bench.get_caller_identity``, not a server.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Any

SECRET = os.environ.get("FLOOR_SECRET", "")
_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^,\s]+), ?SignedHeaders=([^,\s]+), ?Signature=([^,\s]+)")
_KEYS: dict[str, bytes] = {}
_ANSWER = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    b"<Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId><Account>123456789012</Account>"
    b"</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId>"
    b"</ResponseMetadata></GetCallerIdentityResponse>"
)


def _signing_key(scope: str) -> bytes:
    key = _KEYS.get(scope)
    if key is None:
        key = ("AWS4" + SECRET).encode()
        for part in scope.split("/"):
            key = hmac.digest(key, part.encode(), "sha256")
        _KEYS[scope] = key
    return key


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    message = await receive()
    body = message.get("body", b"")
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    m = _AUTH.fullmatch(headers.get("authorization", ""))
    ok = False
    if m is not None:
        credential, signed_headers, signature = m.groups()
        canonical_headers = "".join(f"{n}:{' '.join(headers.get(n, '').split())}\n" for n in signed_headers.split(";"))
        creq = f"{scope['method']}\n/\n\n{canonical_headers}\n{signed_headers}\n{hashlib.sha256(body).hexdigest()}"
        cred_scope = credential.partition("/")[2]
        sts = (
            f"AWS4-HMAC-SHA256\n{headers.get('x-amz-date', '')}\n{cred_scope}\n"
            f"{hashlib.sha256(creq.encode()).hexdigest()}"
        )
        expected = hmac.digest(_signing_key(cred_scope), sts.encode(), "sha256").hex()
        ok = hmac.compare_digest(expected, signature)
    answer = _ANSWER if ok else b"<Error/>"
    await send(
        {
            "type": "http.response.start",
            "status": 200 if ok else 403,
            "headers": [(b"content-type", b"text/xml"), (b"content-length", str(len(answer)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": answer})
