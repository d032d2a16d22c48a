"""The S3 REST endpoint: one request's path, top to bottom.

1. **Decode** what the request addresses from its head (:func:`s3_routes.address`): the
   bucket, the key and the operation. A CORS preflight (``OPTIONS``) is answered from the
   bucket's CORS rules, unsigned.
2. **Authenticate** from the head, before a byte of the body is read: SigV2 (botocore
   still presigns S3 URLs with it for custom endpoints) or SigV4, with the one lookup at
   the edge. An S3 signature covers the payload hash ``x-amz-content-sha256`` names, so a
   wrongly signed upload is refused unread, and an unsigned one is read only up to
   ``max_anonymous_body``. A browser form upload carries its credential in its body
   (``s3/post_policy.py``): its signer is known once the body is read.
3. **Read the body.** Object data (PutObject, UploadPart) is streamed to disk in batches
   (decoded, hashed, sealed: ``s3/upload.py``), after the operation has refused what it
   can from the head; any other body is read into memory, bounded, and its aws-chunked
   framing decoded (its chunk signatures checked) on the worker thread that runs it.
4. **Run** the operation on a worker thread, at the request's one time, ``now``: read once,
   when the request arrives, for the signature checks and the operation alike (an
   object's Last-Modified is the time its PUT arrived).
5. **Render** the answer, or the error. Every error of this path is rendered by
   :func:`render_error`, and an exception nothing caught by :func:`render_unexpected`
   (S3's ``InternalError``, or ``ServiceUnavailable`` while the store is down). An answer
   to a request from an ``Origin`` carries the bucket's CORS headers, errors included.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from credmint.access.principal import Principal
from credmint.audit.recorder import current_facts
from credmint.errors import AwsError
from credmint.httpreq import BodyStream, HttpRequest
from credmint.s3 import cors, multipart, object_headers, objects, post_policy
from credmint.s3 import errors as s3_errors
from credmint.s3.context import S3Context, S3Response, blob_store
from credmint.s3.post_object import is_form_upload, read_form
from credmint.s3.upload import MAX_CHUNKED_RAW, MAX_UPLOAD_SIZE, Upload, UploadSpool, check_declared_size
from credmint.server import accesslog
from credmint.server.bodies import BodyReader, BodyRefused
from credmint.server.edge import Edge, note_error
from credmint.server.node import Node
from credmint.server.registry import S3_OPERATIONS
from credmint.server.s3_routes import S3Address, address
from credmint.sigv2 import SignedV2, parse_v2, verify_v2
from credmint.sigv4 import (
    SignedRequest,
    check_payload_hash,
    check_scope,
    decode_aws_chunked,
    is_streaming,
    parse_auth,
    verify_signature,
)
from credmint.sigv4.verify import is_hex_sha256
from credmint.store.db import Store
from credmint.wire import s3 as ws3

#: An S3 answer: an object's data is streamed from disk.
S3Answer = tuple[int, list[tuple[bytes, bytes]], bytes | BodyStream]

#: S3 bodies other than object data (configuration documents, DeleteObjects, Complete)
#: are read into memory, bounded by this. Object data is streamed to disk, up to S3's 5 GiB.
MAX_S3_BODY = 64 * 1024**2
#: Body bytes of an upload gathered in memory before they are handed to a worker thread
#: (decoded, hashed, sealed, written): a request's share of the body budget.
UPLOAD_BATCH = 1024**2

#: Operations whose body is object data, streamed to disk, each with what it refuses from
#: the request's head alone (not allowed, no such bucket or upload, a bad key or part
#: number), so that a refused upload's body is never read.
STREAMED_UPLOADS: dict[str, Callable[[S3Context], Any]] = {
    "PutObject": objects.put_object_preflight,
    "UploadPart": multipart.upload_part_preflight,
}


@dataclass(frozen=True, slots=True)
class _Caller:
    """Who signed the request, and how: the verified signature of either version (none for
    an anonymous request), and the secret that checks aws-chunked chunk signatures."""

    principal: Principal | None = None
    signed: SignedRequest | None = None
    signed_v2: SignedV2 | None = None
    secret: str | None = None
    #: A browser-based POST upload's signed policy (the request itself is unsigned).
    form: post_policy.PostCredential | None = None

    @property
    def authenticated(self) -> bool:
        return self.signed is not None or self.signed_v2 is not None


async def handle_s3(
    edge: Edge, node: Node, req: HttpRequest, request_id: str, reader: BodyReader | None = None
) -> S3Answer:
    """Answer one S3 request; never raises. With ``reader``, ``req`` is the head alone and
    the body is read once the request is authenticated; without, ``req`` carries it."""
    try:
        if req.method == "OPTIONS":
            return await edge.blocking(partial(_cors_preflight, node.store, req, request_id))
        where = address(req)
        exchange = accesslog.current()
        exchange.operation = where.operation or "-"  # from the fixed table of S3 routes
        exchange.bucket, exchange.key = where.bucket, where.key
        facts = current_facts.get()
        if facts is not None:
            facts.operation, facts.bucket, facts.key = where.operation, where.bucket, where.key
        response = await _request(edge, node, req, where, request_id, reader, node.now())
        if req.header("origin") is not None and where.bucket is not None:
            response = await edge.blocking(partial(_with_cors, node.store, req, where.bucket, response))
        return response
    except AwsError as err:  # raised outside the operation: its CORS headers, or the store down
        return render_error(err, request_id)
    except BodyRefused as refused:
        return render_error(refused.s3_error, request_id)
    except Exception as err:  # never a traceback to the client
        return render_unexpected(edge, err, req, request_id)


async def _request(
    edge: Edge,
    node: Node,
    req: HttpRequest,
    where: S3Address,
    request_id: str,
    reader: BodyReader | None,
    now: datetime,
) -> S3Answer:
    """Authenticate, read the body, run: every AwsError on the way is rendered here, so
    that :func:`handle_s3` adds the bucket's CORS headers to it as to a success."""
    try:
        caller = await _authenticate(edge, node, req, now, body_read=reader is None)
        if reader is not None and where.operation in STREAMED_UPLOADS:
            return render(await _upload(edge, node, req, where, caller, request_id, reader, now), request_id)
        form_upload = not caller.authenticated and is_form_upload(req)
        if reader is not None:
            limit = MAX_S3_BODY if caller.authenticated or form_upload else node.settings.max_anonymous_body
            req = await _read_body(reader, req, caller, limit)
        if form_upload:
            caller = await _form_signer(edge, node, req, now)
            if caller.principal is not None:
                accesslog.current().principal_arn = caller.principal.arn
        operation = where.checked()
        run = partial(_run, node, req, where, operation, caller, request_id, now)
        return render(await edge.blocking(run), request_id)
    except AwsError as err:
        return render_error(err, request_id)


async def _authenticate(edge: Edge, node: Node, req: HttpRequest, now: datetime, *, body_read: bool) -> _Caller:
    """The verified signer of a request, from its head (an anonymous caller when unsigned).
    SigV4's payload hash is checked here only when the body is read already."""
    exchange = accesslog.current()
    facts = current_facts.get()
    signed_v2 = parse_v2(req)
    signed = parse_auth(req, "s3", now=now) if signed_v2 is None else None
    presented = signed_v2 or signed
    if presented is None:
        return _Caller()
    exchange.access_key_id = presented.access_key_id
    exchange.signature_version = "SigV2" if signed_v2 is not None else "SigV4"
    exchange.auth_type = "AuthHeader" if req.header("authorization") is not None else "QueryString"
    if facts is not None:
        facts.access_key_id = presented.access_key_id[:128]
    if signed_v2 is not None:
        # SigV2 names no region; its use is recorded under this endpoint's.
        entry = await edge.s3_key(signed_v2.access_key_id, signed_v2.security_token, node.settings.region, now)
        if facts is not None:
            facts.principal = entry.principal
        verify_v2(req, signed_v2, entry.secret, now, ws3.virtual_host_bucket(req.header("host")))
        caller = _Caller(entry.principal, signed_v2=signed_v2)
    else:
        assert signed is not None
        check_scope(signed, "s3", "s3")
        entry = await edge.s3_key(signed.access_key_id, signed.security_token, signed.region, now)
        if facts is not None:
            facts.principal = entry.principal
        verify_signature(req, signed, entry.secret, "s3", body_read=body_read)
        caller = _Caller(entry.principal, signed=signed, secret=entry.secret)
    exchange.principal_arn = entry.principal.arn
    return caller


async def _read_body(reader: BodyReader, req: HttpRequest, caller: _Caller, limit: int) -> HttpRequest:
    """``req`` with its body, read within ``limit`` and checked against the payload hash
    SigV4 signed."""
    signed = caller.signed
    check = signed is not None and is_hex_sha256(signed.content_sha256 or "")
    data = await reader.read(limit, hash_body=check)
    if check and signed is not None:
        check_payload_hash(signed, reader.sha256)
    return req._replace(body=data) if data else req


async def _form_signer(edge: Edge, node: Node, req: HttpRequest, now: datetime) -> _Caller:
    """The principal whose credential signed a POST form's policy, and that credential; an
    anonymous caller for an unsigned form. The policy's conditions are checked by the
    operation (s3/post_object.py)."""
    form = await edge.blocking(partial(read_form, req))
    cred = post_policy.credential(post_policy.lower_fields(form.fields))
    if cred is None:
        return _Caller()
    facts = current_facts.get()
    if facts is not None:
        facts.access_key_id = cred.access_key_id[:128]
    accesslog.current().access_key_id = cred.access_key_id
    region = cred.region or node.settings.region
    entry = await edge.s3_key(cred.access_key_id, cred.security_token, region, now)
    if facts is not None:
        facts.principal = entry.principal
    post_policy.verify(cred, entry.secret)
    return _Caller(entry.principal, form=cred)


async def _upload(
    edge: Edge,
    node: Node,
    req: HttpRequest,
    where: S3Address,
    caller: _Caller,
    request_id: str,
    reader: BodyReader,
    now: datetime,
) -> S3Response:
    """PutObject or UploadPart: refused from the head if it can be, then the body streamed
    to disk (decoded, hashed, sealed) in batches on worker threads, then the operation."""
    operation = where.checked()
    chunked = caller.signed is not None and is_streaming(caller.signed)
    if caller.authenticated:
        limit = MAX_CHUNKED_RAW if chunked else MAX_UPLOAD_SIZE
    else:
        limit = min(node.settings.max_anonymous_body, MAX_UPLOAD_SIZE)
    # Cheapest first: a declared length past the limit needs no store read.
    declared = reader.check_declared(limit)
    check_declared_size(req, caller.signed)

    def start() -> UploadSpool:
        """The upload refused from its head, or the spool that receives its body."""
        STREAMED_UPLOADS[operation](_context(node, req, where, operation, caller, request_id, now))
        return UploadSpool(
            req,
            caller.signed,
            caller.secret,
            blob_store(node.settings.data_dir.resolve()),
            node.master,
            allow_sse_c_over_http=node.settings.sse_c_allow_http,
        )

    serve = partial(_run, node, req, where, operation, caller, request_id, now)
    # A client that sent ``Expect: 100-continue`` waits for ``100 Continue`` before it sends
    # the body, and S3 answers a refused upload (AccessDenied, NoSuchBucket) instead: such an
    # upload is refused from its head (start) before its body is first read, which is when
    # the server sends ``100 Continue``.
    expects_continue = (req.header("expect") or "").lower() == "100-continue"
    if declared is not None and declared <= UPLOAD_BATCH and not expects_continue:
        # A small body fits in one batch: read first, then everything in one trip to a
        # worker thread (each trip costs about as much as the work for a small object).
        data = await reader.read(limit)
        return await edge.blocking(partial(_small_upload, start, serve, data))
    spool = await edge.blocking(start)
    upload: Upload | None = None
    try:
        await reader.stream(limit, UPLOAD_BATCH, lambda batch: edge.blocking(partial(spool.feed, batch)))
        upload = await edge.blocking(spool.finish)
        return await edge.blocking(partial(serve, upload=upload))
    finally:
        if upload is None:
            await edge.blocking(spool.discard)


def _small_upload(start: Callable[[], UploadSpool], serve: Callable[..., S3Response], data: bytes) -> S3Response:
    """A small upload from start to answer on one worker thread."""
    spool = start()
    try:
        spool.feed([data] if data else [])
        upload = spool.finish()
    except BaseException:
        spool.discard()
        raise
    return serve(upload=upload)


def _run(
    node: Node,
    req: HttpRequest,
    where: S3Address,
    operation: str,
    caller: _Caller,
    request_id: str,
    now: datetime,
    upload: Upload | None = None,
) -> S3Response:
    """Run the operation (on a worker thread: it reads and writes the store and the blob
    files). ``upload`` is the body of PutObject or UploadPart, received and checked by the
    spool (``req.body`` is then empty); it is discarded unless the operation commits it."""
    try:
        body, trailers = req.body, {}
        if upload is not None:
            trailers = dict(upload.trailers)
        elif caller.signed is not None and is_streaming(caller.signed):
            decoded = decode_aws_chunked(req, caller.signed, caller.secret)
            body, trailers = decoded.data, dict(decoded.trailers)
        ctx = _context(node, req, where, operation, caller, request_id, now, body, trailers, upload)
        object_headers.verify_request_body(ctx)
        return S3_OPERATIONS[operation](ctx)
    finally:
        if upload is not None:
            upload.discard()


def _context(
    node: Node,
    req: HttpRequest,
    where: S3Address,
    operation: str,
    caller: _Caller,
    request_id: str,
    now: datetime,
    body: bytes = b"",
    trailers: dict[str, str] | None = None,
    upload: Upload | None = None,
) -> S3Context:
    return S3Context(
        store=node.store,
        settings=node.settings,
        authorizer=node.authorizer,
        req=req,
        principal=caller.principal,
        signed=caller.signed,
        signed_v2=caller.signed_v2,
        form=caller.form,
        request_id=request_id,
        operation=operation,
        bucket=where.bucket,
        key=where.key,
        query=where.query,
        now=now,
        body=body,
        trailers=trailers or {},
        master=node.master,
        upload=upload,
    )


def _cors_preflight(store: Store, req: HttpRequest, request_id: str) -> S3Answer:
    """A CORS preflight (``OPTIONS``), answered from the bucket's CORS rules, unsigned."""
    try:
        headers = cors.preflight(store, req)
    except AwsError as err:
        return render_error(err, request_id)
    out = _ids(request_id)
    out.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers)
    return 200, out, b""


def _with_cors(store: Store, req: HttpRequest, bucket: str, response: S3Answer) -> S3Answer:
    """``response`` with the ``Access-Control-*`` headers the bucket's CORS rules give a
    request from ``Origin`` (added to error answers too, as S3 does, so a page can read them)."""
    added = cors.actual_headers(store, req, bucket)
    if not added:
        return response
    status, headers, body = response
    return status, [*headers, *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in added)], body


# --- rendering ------------------------------------------------------------------------------


def render(response: S3Response, request_id: str) -> S3Answer:
    headers = _ids(request_id)
    headers.extend((k.lower().encode("latin-1"), _header_value(v)) for k, v in response.headers.items())
    return response.status, headers, response.body


def render_error(err: AwsError, request_id: str) -> S3Answer:
    """``err`` as S3's ``<Error>`` document, with its headers; the request's audit facts
    and access-log line take its code."""
    if err.status >= 400:  # not NotModified
        note_error(err.code, err.message)
    body = ws3.render_s3_error(err, request_id, request_id)
    headers = _ids(request_id)
    headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in err.headers)
    if body:
        headers.append((b"content-type", b"application/xml"))
    return err.status, headers, body


def render_unexpected(edge: Edge, err: Exception, req: HttpRequest, request_id: str) -> S3Answer:
    """The answer to an exception nothing else caught: ``ServiceUnavailable`` during a store
    outage, else S3's ``InternalError`` (500) with no detail; the traceback goes to the log."""
    return render_error(edge.unexpected(err, req) or s3_errors.InternalError(), request_id)


def _ids(request_id: str) -> list[tuple[bytes, bytes]]:
    # S3 sends a host id too; one server has one host, so the request id serves for both.
    return [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", request_id.encode())]


def _header_value(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        # Non-Latin-1 metadata cannot travel in an HTTP header as is; S3 sends it RFC 2047-encoded.
        return ("=?UTF-8?B?" + base64.b64encode(value.encode()).decode() + "?=").encode()
