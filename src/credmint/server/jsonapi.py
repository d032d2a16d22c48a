"""AWS JSON 1.1 protocol services (``X-Amz-Target``), such as Organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credmint.httpreq import HttpRequest

if TYPE_CHECKING:
    from credmint.server.app import CredmintApp, Response


async def handle_json(app: CredmintApp, req: HttpRequest, service: str, request_id: str) -> Response:
    """No JSON-protocol service is served yet: every call is an unknown operation."""
    body = b'{"__type":"UnknownOperationException","message":"The requested operation is not supported"}'
    headers = [(b"content-type", b"application/x-amz-json-1.1"), (b"x-amzn-requestid", request_id.encode())]
    return 400, headers, body
