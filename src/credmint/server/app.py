"""The ASGI application: the only async layer, and the one place the request path is laid out.

1. read the body within a limit; 2. classify (health, Query, S3); 3. decode the
form and find the operation; 4. authenticate (SigV4, one lookup at the edge);
5. decode and validate the parameters; 6. run the operation (store work on a
worker thread); 7. render the result — or, for any :class:`AwsError` raised on
the way, render that, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from credmint import __version__, errors, metrics
from credmint import wire as wq
from credmint.access.principal import Principal
from credmint.audit.record import RequestFacts, s3_error_of
from credmint.audit.recorder import current_facts
from credmint.errors import AwsError
from credmint.httpreq import BodyStream, HttpRequest, index_headers
from credmint.identity_providers import web_identity_issuer, workload_identity_issuer
from credmint.s3 import STREAMED_UPLOADS, handle_s3, post_policy, preflight, preflight_upload, with_cors
from credmint.s3.context import blob_store
from credmint.s3.handler import describe as describe_s3
from credmint.s3.post_object import is_form_upload, read_form
from credmint.s3.upload import MAX_CHUNKED_RAW, MAX_UPLOAD_SIZE, Upload, UploadSpool, check_declared_size
from credmint.server import accesslog, dev, jsonapi, registry
from credmint.server.deadlines import ReadDeadlines
from credmint.server.edge import Edge
from credmint.server.node import Node
from credmint.server.protocol import TLS_EXTENSION
from credmint.server.routing import METRICS_SHORT_PATH, QUERY_VERSIONS, Target, classify
from credmint.sigv2 import SignedV2, parse_v2, verify_v2
from credmint.sigv4 import (
    SignedRequest,
    check_payload_hash,
    check_scope,
    is_streaming,
    parse_auth,
    verify_signature,
)
from credmint.sigv4.verify import is_hex_sha256
from credmint.store.db import unavailable
from credmint.wire import s3 as ws3

log = logging.getLogger("credmint.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
T = TypeVar("T")

#: S3 bodies other than object data (configuration documents, DeleteObjects, Complete)
#: are read into memory, bounded by this. Object data (PutObject, UploadPart) is streamed
#: to disk (``s3/upload.py``), up to S3's 5 GiB.
MAX_S3_BODY = 64 * 1024**2
#: Body bytes of an upload gathered in memory before they are handed to a worker thread
#: (decoded, hashed, sealed, written): a request's share of the body budget.
UPLOAD_BATCH = 1024**2

Response = tuple[int, list[tuple[bytes, bytes]], bytes]
#: An S3 answer: an object's data is streamed from disk.
S3Answer = tuple[int, list[tuple[bytes, bytes]], bytes | BodyStream]


#: How often access-key "last used" data is written (GetAccessKeyLastUsed flushes first).
LAST_USED_FLUSH_SECONDS = 5.0
#: How often cache-hit counts are added to the Prometheus counters (see ``metrics.HotCounter``).
METRICS_FOLD_SECONDS = 1.0


class CredmintApp:
    _flusher: asyncio.Task[None]
    _folder: asyncio.Task[None]

    def __init__(self, node: Node) -> None:
        self.node = node
        self.settings = node.settings
        self.edge = Edge(node)
        self._query = {name: wq.query_service(name) for name in ("sts", "iam")}
        self._max_query_body = self.settings.max_query_body
        self._request_ids = _RequestIds()
        self._ping: asyncio.Task[str | None] | None = None
        self._budget = _BodyBudget(self.settings.max_buffered_body_bytes)
        self._deadlines = ReadDeadlines()

    # --- ASGI -----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.node.store.start_watching()
                self._flusher = asyncio.create_task(self._flush_periodically())
                self._folder = asyncio.create_task(self._fold_metrics_periodically())
                self._lifecycle = asyncio.create_task(self._s3_lifecycle_periodically())
                self.node.audit.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._flusher.cancel()
                self._folder.cancel()
                self._lifecycle.cancel()
                metrics.fold()
                await self.edge.blocking(partial(self.node.last_used.flush, self.node.store))
                await self.edge.blocking(partial(self.node.last_accessed.flush, self.node.store))
                await self.edge.blocking(self.node.audit.close)
                self.node.store.close()
                self.edge.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        # ASGI servers hand header names over lower-cased already.
        headers = tuple([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
        index = index_headers(headers)
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        query_string = scope.get("query_string", b"").decode("latin-1")
        client = scope.get("client")
        client_ip = client[0] if client else "127.0.0.1"
        secure = scope.get("scheme") == "https"
        method = scope["method"]
        request_id = self._request_ids.next()
        out_headers: list[tuple[bytes, bytes]]
        body: bytes | BodyStream
        status, out_headers, body = 500, [], b""
        head = HttpRequest(method, path, query_string, headers, b"", client_ip, secure, index)
        # The target is known from the head alone, so the body limit is the target's.
        target, service = classify(head)
        exchange = accesslog.begin(service or target.value)
        # The audit trail's facts of this request, filled in on the way, recorded once below.
        facts = RequestFacts(head, request_id, service) if target in _AUDITED else None
        if facts is not None:
            if secure:
                tls = scope.get("extensions", {}).get(TLS_EXTENSION)
                if tls is not None:
                    facts.tls = (str(tls["version"]), str(tls["cipher"]))
            self.node.audit.begin(facts)
        reader = _BodyReader(
            receive, head, self._budget, self._deadlines, self.settings.body_timeout, self.settings.min_body_rate
        )
        try:
            if target is Target.S3:
                # Authenticated from the head before its body is read (see _handle_s3).
                status, out_headers, body = await self._handle_s3(head, request_id, reader)
            else:
                data = await reader.read(self._max_query_body)
                req = HttpRequest(method, path, query_string, headers, data, client_ip, secure, index) if data else head
                if target is Target.QUERY:
                    status, out_headers, body = await self._handle_query(req, service, request_id)
                else:
                    status, out_headers, body = await self.handle(req, target, service, request_id)
        except _BodyRefused as refused:
            refusal = refused.s3_error if target is Target.S3 else refused.query_error
            if refusal is None:
                status, out_headers, body = 413, [], b""
            else:
                status, out_headers, body = self._render_error(target, service, request_id, refusal)
        except Exception as err:  # never a traceback to the client
            outage = unavailable(err)
            if outage is None:
                log.exception("unhandled error on %s %s", method, path)
                failure = errors.internal_failure()
            else:  # raised outside an operation's own error handling
                self.edge.outage_log.warning("store unavailable on %s %s: %s", method, path, outage)
                failure = errors.service_unavailable()
            status, out_headers, body = self._render_unexpected(target, service, request_id, failure)
        finally:
            reader.release()
        if facts is not None:
            # Written before the response is sent: a received response implies a written record.
            facts.status = status
            self.node.audit.record(facts)
        if not reader.complete:
            # The rest of the body is not read: uvicorn would otherwise read (and drop) it
            # to keep the connection, whatever its size.
            out_headers = [*out_headers, (b"connection", b"close")]
        for k, _ in out_headers:  # HEAD answers carry the GET length
            if k == b"content-length":
                break
        else:
            size = len(body) if isinstance(body, bytes) else body.length
            out_headers.append((b"content-length", str(size).encode()))
        elapsed = time.perf_counter() - started
        await send({"type": "http.response.start", "status": status, "headers": out_headers})
        if isinstance(body, bytes):
            await send({"type": "http.response.body", "body": body if method != "HEAD" else b""})
        else:
            await self._send_stream(body, send, method == "HEAD")
        # Recorded once the answer is on its way: logging does not delay it.
        metrics.observe_request(exchange.service, exchange.operation, status, elapsed, exchange.error_code)
        accesslog.emit(
            exchange,
            method=method,
            path=path,
            query_string=query_string,
            status=status,
            seconds=elapsed,
            request_id=request_id,
            source=client_ip,
            user_agent=index.get("user-agent"),
        )

    async def _send_stream(self, body: BodyStream, send: Send, head: bool) -> None:
        """An object's data, a piece at a time, read on a worker thread: one piece in
        memory per response. A failure midway (a blob that fails authentication, a client
        gone) cuts the response: the status is already sent, so the connection is closed
        short of the Content-Length, which every client treats as an error."""
        try:
            if head:
                await send({"type": "http.response.body", "body": b""})
                return
            while True:
                piece = await self.edge.blocking(body.read)
                if not piece:
                    await send({"type": "http.response.body", "body": b""})
                    return
                await send({"type": "http.response.body", "body": piece, "more_body": True})
        except OSError:
            pass  # the client went away
        except Exception:
            log.exception("streaming a response body failed")
        finally:
            await self.edge.blocking(body.close)

    async def _fold_metrics_periodically(self) -> None:
        """Hot-path counters reach Prometheus (under several workers: the files every worker's
        scrape reads) within a second, with the change channel's state."""
        store = self.node.store
        while True:
            await asyncio.sleep(METRICS_FOLD_SECONDS)
            metrics.fold()
            metrics.observe_channel(store.caches_trusted(), store.channel_age())

    def _render_unexpected(self, target: Target, service: str, request_id: str, failure: AwsError) -> Response:
        """The 500 (or, during a store outage, 503) for an exception nothing else caught."""
        if target is Target.S3 and failure.code == "InternalFailure":
            failure = errors.s3_error("InternalError", "We encountered an internal error. Please try again.", 500)
        return self._render_error(target, service, request_id, failure)

    def _render_error(self, target: Target, service: str, request_id: str, err: AwsError) -> Response:
        """``err`` in the shape the client's protocol parses: S3's ``<Error>``, the JSON
        protocol's ``__type``, a Query ``<ErrorResponse>`` in the service's own namespace."""
        if target is Target.S3:
            return self._render_s3_error(err, request_id)
        if target is Target.JSON:
            return jsonapi.render_error(err, request_id)
        if target is Target.QUERY:
            ns = service if service in self._query else "sts"
            return self._render_query_error(err, ns, request_id)
        body = json.dumps({"error": err.code}).encode()
        return err.status, [(b"content-type", b"application/json")], body

    async def _flush_periodically(self) -> None:
        """Write access-key last-used and service last-accessed data in batches, off the request path."""
        while True:
            await asyncio.sleep(LAST_USED_FLUSH_SECONDS)
            try:
                await self.edge.blocking(partial(self.node.last_used.flush, self.node.store))
                await self.edge.blocking(partial(self.node.last_accessed.flush, self.node.store))
            except AwsError as err:  # the store is down: the batch waits for the next flush
                self.edge.outage_log.warning("flushing access key last-used data failed: %s", err)
            except Exception:  # a failed flush keeps its batch for the next one
                log.exception("flushing access key last-used data failed")

    async def _s3_lifecycle_periodically(self) -> None:
        """Offer to run the S3 lifecycle pass now and then; the lease holder runs it."""
        from credmint.s3 import lifecycle_task

        interval = self.settings.s3_lifecycle_interval_seconds
        node = secrets.token_hex(8)
        blobs = blob_store(Path(self.settings.data_dir).resolve())
        while True:
            await asyncio.sleep(interval)
            try:
                done = await self.edge.blocking(
                    partial(lifecycle_task.run_if_leader, self.node.store, blobs, node, self.node.now(), interval)
                )
            except AwsError as err:  # the store is down: the next tick tries again
                self.edge.outage_log.warning("S3 lifecycle pass failed: %s", err)
            except Exception:
                log.exception("S3 lifecycle pass failed")
            else:
                if done is not None:
                    log.info("S3 lifecycle pass: %s", done)

    # --- request path ---------------------------------------------------------------------

    async def handle(self, req: HttpRequest, target: Target, service: str, request_id: str) -> S3Answer:
        if target is Target.HEALTH:
            return await self._ready() if service == "ready" else self._health()
        if target is Target.METRICS:
            if self.settings.metrics:
                # Under several workers this reads every worker's files: off the event loop.
                body, content_type = await self.edge.blocking(metrics.exposition)
                return 200, [(b"content-type", content_type.encode())], body
            if req.raw_path != METRICS_SHORT_PATH:  # else: S3's, as any path
                return 404, [(b"content-type", b"application/json")], b'{"error": "not found"}'
        if target is Target.QUERY:
            return await self._handle_query(req, service, request_id)
        if target is Target.JSON:
            return await jsonapi.handle_json(self.edge, self.node, req, service, request_id)
        if target is Target.INTERNAL:
            if self.settings.dev:
                found = await self.edge.blocking(partial(dev.handle, self.node, req.method, req.raw_path, req.body))
                if found is not None:
                    return found
            found = await self.edge.blocking(
                partial(
                    web_identity_issuer.handle_internal, self.node.store, self.node.master, req.method, req.raw_path
                )
            )
            if found is not None:
                return found
            found = await self.edge.blocking(
                partial(
                    workload_identity_issuer.handle_internal,
                    self.node.store,
                    self.node.now(),
                    req.method,
                    req.raw_path,
                )
            )
            if found is not None:
                return found
            return 404, [(b"content-type", b"application/json")], b'{"error": "not found"}'
        return await self._handle_s3(req, request_id)

    def _health(self) -> Response:
        body = json.dumps({"status": "ok", "version": __version__, "region": self.settings.region}).encode()
        return 200, [(b"content-type", b"application/json")], body

    async def _ready(self) -> Response:
        """Readiness: the store answers within its timeout and the change channel is live.
        Concurrent probes share one round trip, run on a worker thread."""
        problem = self.node.store.channel_status()
        if problem is None:
            if self._ping is None or self._ping.done():
                self._ping = asyncio.ensure_future(self._ping_store())
            problem = await asyncio.shield(self._ping)
        headers = [(b"content-type", b"application/json")]
        out: dict[str, object] = {"status": "ready" if problem is None else "unavailable", "version": __version__}
        if problem is not None:
            out["reason"] = problem
        age = self.node.store.channel_age()
        if age is not None:
            # For monitoring: how fresh this node's view of other nodes' changes is.
            out["change_channel_confirmed_seconds_ago"] = round(age, 3) if age != float("inf") else None
        return (200 if problem is None else 503), headers, json.dumps(out).encode()

    async def _ping_store(self) -> str | None:
        try:
            await self.edge.blocking(self.node.store.ping, self.edge.deadline)
        except AwsError:
            return "store unreachable"
        return None

    async def _handle_query(self, req: HttpRequest, service: str, request_id: str) -> Response:
        ns_service = service or "sts"
        try:
            if req.raw_path not in ("/", ""):
                body = b"" if req.method == "HEAD" else b"<UnknownOperationException/>"
                return 404, [(b"x-amzn-requestid", request_id.encode())], body
            if req.method == "POST" and not req.header("content-type"):
                return 302, [(b"location", b"https://aws.amazon.com/iam")], b""
            if req.method not in ("GET", "POST"):
                return 400, [], b""
            params = wq.parse_form(req, self._max_query_body)
            action = params.get("Action")
            version = params.get("Version")
            facts = current_facts.get()
            if action is None:
                location = "https://aws.amazon.com/iam" + (
                    # Quoted: the value is the caller's and must not break the header.
                    f"?Version={quote(version, safe='')}" if req.method == "GET" and version else ""
                )
                return 302, [(b"location", location.encode())], b""
            if not service:
                service = QUERY_VERSIONS.get(version or "", "sts")
                ns_service = service
            exchange = accesslog.current()
            exchange.service = service
            if facts is not None:
                facts.service, facts.operation = service, action[:128]
            qsvc = self._query[service]
            compiled = qsvc.operation(action, version)
            name = compiled.model.name
            op = registry.OPERATIONS[service].get(name)
            if op is None:
                raise errors.invalid_action(action, version)
            exchange.operation = name
            node = self.node
            now = node.now()
            principal = await self.edge.authenticate(req, service, op, now)
            decoded = qsvc.decode_compiled(compiled, params)
            if facts is not None:
                facts.operation, facts.params = name, decoded
            call = node.call(service, name, decoded, principal, req, now, request_id)
            node.throttle.admit(call)
            result = await self.edge.run_operation(op, call, decoded)
            if facts is not None:
                facts.result = result
            body = compiled.render(result or {}, request_id)
            headers = [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode())]
            if call.headers:
                headers.extend((k.encode(), v.encode()) for k, v in call.headers.items())
            return 200, headers, body
        except AwsError as err:
            return self._render_query_error(err, ns_service, request_id)

    def _render_query_error(self, err: AwsError, service: str, request_id: str) -> Response:
        note_error(err.code, err.message)
        if err.empty_body:
            return err.status, [(b"x-amzn-requestid", request_id.encode())], b""
        body = self._query[service].render_error(err, request_id)
        return err.status, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode())], body

    # --- S3 -------------------------------------------------------------------------------

    async def _handle_s3(self, req: HttpRequest, request_id: str, reader: _BodyReader | None = None) -> S3Answer:
        """An S3 request: a CORS preflight (never signed), or a request whose answer gets the
        bucket's CORS headers when it comes from an ``Origin``."""
        if req.method == "OPTIONS":
            return await self.edge.blocking(partial(preflight, self.node.store, req, request_id))
        response = await self._handle_s3_request(req, request_id, reader)
        if req.header("origin") is None:
            return response
        return await self.edge.blocking(partial(with_cors, self.node.store, req, response))

    async def _handle_s3_request(
        self, req: HttpRequest, request_id: str, reader: _BodyReader | None = None
    ) -> S3Answer:
        """An S3 request; with ``reader``, ``req`` is the head alone and the body is read only
        once the signature is verified: an S3 signature covers the payload hash the
        ``x-amz-content-sha256`` header names (SigV2 covers ``Content-MD5``, checked later),
        so a wrongly signed upload is refused unread, and an unsigned one is read only up
        to ``max_anonymous_body``."""
        principal: Principal | None = None
        secret: str | None = None
        facts = current_facts.get()
        operation, bucket, key = describe_s3(req)
        exchange = accesslog.current()
        exchange.operation = operation or "-"  # from the fixed table of S3 routes
        if facts is not None:
            facts.operation, facts.bucket, facts.key = operation, bucket, key
        try:
            now = self.node.now()
            # SigV2 first: botocore still presigns S3 URLs with it for custom endpoints.
            signed_v2 = parse_v2(req)
            signed = parse_auth(req, "s3", now=now) if signed_v2 is None else None
            presented = signed_v2 or signed
            if presented is not None:
                exchange.access_key_id = presented.access_key_id
                if facts is not None:
                    facts.access_key_id = presented.access_key_id[:128]
            if signed_v2 is not None:
                # SigV2 names no region; its use is recorded under this endpoint's.
                entry = await self.edge.s3_key(
                    signed_v2.access_key_id, signed_v2.security_token, self.settings.region, now
                )
                if facts is not None:
                    facts.principal = entry.principal
                verify_v2(req, signed_v2, entry.secret, now, ws3.virtual_host_bucket(req.header("host")))
                principal = entry.principal
            elif signed is not None:
                check_scope(signed, "s3", "s3")
                entry = await self.edge.s3_key(signed.access_key_id, signed.security_token, signed.region, now)
                if facts is not None:
                    facts.principal = entry.principal
                verify_signature(req, signed, entry.secret, "s3", body_read=reader is None)
                principal, secret = entry.principal, entry.secret
            if principal is not None:
                exchange.principal_arn = principal.arn
            # A browser form upload carries its credential in the body (post_policy), so its
            # body is read first, within the authenticated limit, and its signer found after.
            form_upload = presented is None and is_form_upload(req)

            node = self.node
            if reader is not None and operation in STREAMED_UPLOADS:
                response = await self._s3_upload(req, principal, signed, signed_v2, secret, request_id, reader)
            else:
                if reader is not None:
                    authenticated = signed is not None or signed_v2 is not None
                    check = signed is not None and is_hex_sha256(signed.content_sha256 or "")
                    data = await reader.read(
                        MAX_S3_BODY if authenticated or form_upload else self.settings.max_anonymous_body,
                        hash_body=check,
                    )
                    if check and signed is not None:
                        check_payload_hash(signed, reader.sha256)
                    if data:
                        req = req._replace(body=data)
                if form_upload:
                    principal = await self._form_signer(req, now)
                    if principal is not None:
                        exchange.principal_arn = principal.arn
                # The operation's own time (an object's Last-Modified), read after the body arrived.
                served = partial(
                    handle_s3,
                    node.store,
                    node.settings,
                    node.authorizer,
                    req,
                    principal,
                    signed,
                    request_id,
                    node.now(),
                    secret=secret,
                    signed_v2=signed_v2,
                    master=node.master,
                )
                response = await self.edge.blocking(served)
            if facts is not None and response[0] >= 400 and isinstance(response[2], bytes):
                # The S3 layer rendered its error already; the record takes its code from there.
                facts.error_code, facts.error_message = s3_error_of(response[0], response[2])
            return response
        except AwsError as err:
            note_error(err.code, err.message)
            return self._render_s3_error(err, request_id)

    async def _s3_upload(
        self,
        req: HttpRequest,
        principal: Principal | None,
        signed: SignedRequest | None,
        signed_v2: SignedV2 | None,
        secret: str | None,
        request_id: str,
        reader: _BodyReader,
    ) -> S3Answer:
        """PutObject or UploadPart: authorized from the head, then the body streamed to
        disk (decoded, hashed, sealed) in batches on worker threads, then the operation."""
        settings = self.settings
        authenticated = signed is not None or signed_v2 is not None
        chunked = signed is not None and is_streaming(signed)
        if authenticated:
            limit = MAX_CHUNKED_RAW if chunked else MAX_UPLOAD_SIZE
        else:
            limit = min(settings.max_anonymous_body, MAX_UPLOAD_SIZE)
        # Cheapest first: a declared length past the limit needs no store read.
        declared = reader.check_declared(limit)
        check_declared_size(req, signed)

        def start() -> S3Answer | UploadSpool:
            """Authorized from the head (else the refusal), then the spool to receive it."""
            node = self.node
            refused = preflight_upload(
                node.store,
                node.settings,
                node.authorizer,
                req,
                principal,
                signed,
                request_id,
                node.now(),
                signed_v2=signed_v2,
                master=node.master,
            )
            if refused is not None:
                return refused
            return UploadSpool(
                req,
                signed,
                secret,
                blob_store(settings.data_dir.resolve()),
                self.node.master,
                secure=req.secure,
                allow_sse_c_over_http=settings.sse_c_allow_http,
            )

        def serve(upload: Upload) -> S3Answer:
            node = self.node
            return handle_s3(
                node.store,
                node.settings,
                node.authorizer,
                req,
                principal,
                signed,
                request_id,
                # The operation's own time (an object's Last-Modified), read after the body arrived.
                node.now(),
                secret=secret,
                signed_v2=signed_v2,
                master=node.master,
                upload=upload,
            )

        # A client that sent ``Expect: 100-continue`` is told to send its body on the first
        # read of it: such an upload is authorized first (start), never read before.
        expects_continue = (req.header("expect") or "").lower() == "100-continue"
        if declared is not None and declared <= UPLOAD_BATCH and not expects_continue:
            # A small body fits in one batch: read first, then everything in one trip to a
            # worker thread (each trip costs about as much as the work for a small object).
            data = await reader.read(limit)
            return await self.edge.blocking(partial(_small_upload, start, serve, data))
        started = await self.edge.blocking(start)
        if not isinstance(started, UploadSpool):
            return started
        spool = started
        upload: Upload | None = None
        try:
            await reader.stream(limit, UPLOAD_BATCH, lambda batch: self.edge.blocking(partial(spool.feed, batch)))
            upload = await self.edge.blocking(spool.finish)
            return await self.edge.blocking(partial(serve, upload))
        finally:
            if upload is None:
                await self.edge.blocking(spool.discard)

    async def _form_signer(self, req: HttpRequest, now: datetime) -> Principal | None:
        """The principal whose credential signed a POST form's policy; None for an anonymous
        form. The policy's conditions are checked by the operation (s3/post_object.py)."""
        form = await self.edge.blocking(partial(read_form, req))
        cred = post_policy.credential(post_policy.lower_fields(form.fields))
        if cred is None:
            return None
        facts = current_facts.get()
        if facts is not None:
            facts.access_key_id = cred.access_key_id[:128]
        accesslog.current().access_key_id = cred.access_key_id
        region = cred.region or self.settings.region
        entry = await self.edge.s3_key(cred.access_key_id, cred.security_token, region, now)
        if facts is not None:
            facts.principal = entry.principal
        post_policy.verify(cred, entry.secret)
        return entry.principal

    @staticmethod
    def _render_s3_error(err: AwsError, request_id: str) -> Response:
        host_id = request_id
        body = ws3.render_s3_error(err, request_id, host_id)
        headers = [
            (b"content-type", b"application/xml"),
            (b"x-amz-request-id", request_id.encode()),
            (b"x-amz-id-2", host_id.encode()),
        ]
        return err.status, headers, body


def _small_upload(
    start: Callable[[], S3Answer | UploadSpool], serve: Callable[[Upload], S3Answer], data: bytes
) -> S3Answer:
    """A small upload from start to answer on one worker thread."""
    started = start()
    if not isinstance(started, UploadSpool):
        return started
    try:
        started.feed([data] if data else [])
        upload = started.finish()
    except BaseException:
        started.discard()
        raise
    return serve(upload)


class _BodyRefused(Exception):
    """A body not read (or not read to its end): too large, too slow, or no memory for it."""

    def __init__(self, s3_error: AwsError, query_error: AwsError | None) -> None:
        super().__init__(s3_error.code)
        self.s3_error = s3_error
        #: None: a bare 413, as AWS answers an oversized Query body.
        self.query_error = query_error


def _too_large() -> _BodyRefused:
    err = errors.s3_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", 400)
    return _BodyRefused(err, None)


class _BodyBudget:
    """Request-body bytes held in memory by this process, across requests, bounded.

    One event loop per process touches it, so a counter is enough. A request that does
    not fit is refused at once (503) rather than queued: a queue would let slow bodies
    hold everyone else's requests."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0

    def reserve(self, n: int) -> bool:
        if self.used + n > self.capacity:
            return False
        self.used += n
        return True

    def release(self, n: int) -> None:
        self.used -= n


class _BodyReader:
    """Reads one request's body within a size limit, the memory budget and a deadline.

    The deadline grows with what has arrived: ``timeout`` seconds plus one second per
    ``min_rate`` bytes received, so a client sending a byte every few seconds is cut after
    about ``timeout`` seconds while a large upload at a normal rate is not. A declared
    ``Content-Length`` past the limit is refused before a byte of the body is read."""

    def __init__(
        self,
        receive: Receive,
        head: HttpRequest,
        budget: _BodyBudget,
        deadlines: ReadDeadlines,
        timeout: float,
        min_rate: int,
    ) -> None:
        self._receive = receive
        self._deadlines = deadlines
        self._head = head
        self._budget = budget
        self._timeout = timeout
        self._min_rate = min_rate
        self._reserved = 0
        #: Whether the whole body was received (or the client went away).
        self.complete = False
        self.sha256 = ""

    def _reserve(self, total: int) -> None:
        if total > self._reserved:
            if not self._budget.reserve(total - self._reserved):
                raise _BodyRefused(errors.s3_slow_down(), errors.service_unavailable())
            self._reserved = total

    def release(self) -> None:
        self._budget.release(self._reserved)
        self._reserved = 0

    async def read(self, limit: int, *, hash_body: bool = False) -> bytes:
        hasher = hashlib.sha256() if hash_body else None
        declared = self._head.header("content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > limit:
                raise _too_large()
            self._reserve(int(declared))
        elif self._head.header("transfer-encoding") is None:
            self.complete = True  # neither header: no body (RFC 9112 §6.3)
            self.sha256 = hasher.hexdigest() if hasher is not None else ""
            return b""
        chunks: list[bytes] = []
        size = 0
        start = asyncio.get_running_loop().time()
        watch = self._deadlines.watch(start + self._timeout)
        try:
            while True:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    self.complete = True
                    break
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise _too_large()
                    self._reserve(size)
                    chunks.append(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
                if not message.get("more_body", False):
                    self.complete = True
                    break
                watch.deadline = start + self._timeout + size / self._min_rate
        except asyncio.CancelledError:
            if not watch.fired:
                raise
            # Our deadline's cancellation, not the server's: taken back, answered as a timeout.
            watch.task.uncancel()
            raise _BodyRefused(errors.request_timeout(), errors.request_timeout()) from None
        finally:
            self._deadlines.done(watch)
        if hasher is not None:
            self.sha256 = hasher.hexdigest()
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]


    def check_declared(self, limit: int) -> int | None:
        """The declared Content-Length, refused (EntityTooLarge) past ``limit``."""
        declared = self._head.header("content-length")
        if declared is None or not declared.isdigit():
            return None
        if int(declared) > limit:
            raise _too_large()
        return int(declared)

    async def stream(self, limit: int, batch: int, consume: Callable[[list[bytes]], Awaitable[None]]) -> None:
        """The body handed to ``consume`` in batches of about ``batch`` bytes, within
        ``limit`` and the deadline: memory held is one batch (reserved from the budget),
        plus what uvicorn buffers before it stops reading the socket (its flow control)."""
        declared = self.check_declared(limit)
        if declared is None and self._head.header("transfer-encoding") is None:
            self.complete = True  # neither header: no body (RFC 9112 §6.3)
            return
        self._reserve(batch)
        pending: list[bytes] = []
        held = 0
        size = 0
        loop = asyncio.get_running_loop()
        start = loop.time()
        watch = self._deadlines.watch(start + self._timeout)
        try:
            while True:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    self.complete = True
                    break
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise _too_large()
                    pending.append(chunk)
                    held += len(chunk)
                    if held >= batch:
                        # The batch's processing is the server's time, not the client's: it
                        # runs outside the deadline (a cancellation must never land in it, or
                        # the worker thread would go on with a spool being discarded), and
                        # the deadline moves on by what it took.
                        self._deadlines.done(watch)
                        began = loop.time()
                        await consume(pending)
                        start += loop.time() - began
                        pending, held = [], 0
                        watch = self._deadlines.watch(start + self._timeout + size / self._min_rate)
                if not message.get("more_body", False):
                    self.complete = True
                    break
                watch.deadline = start + self._timeout + size / self._min_rate
        except asyncio.CancelledError:
            if not watch.fired:
                raise
            watch.task.uncancel()
            raise _BodyRefused(errors.request_timeout(), errors.request_timeout()) from None
        finally:
            self._deadlines.done(watch)
        if pending:
            await consume(pending)


#: Targets whose calls the audit trail records.
_AUDITED = frozenset({Target.QUERY, Target.JSON, Target.S3})


def note_error(code: str, message: str | None) -> None:
    """Tell the current request's audit facts and access-log exchange how it failed (the
    protocol's own code)."""
    accesslog.current().error_code = code
    facts = current_facts.get()
    if facts is not None:
        facts.error_code, facts.error_message = code, message


class _RequestIds:
    """Request ids in the form of AWS's (a version-4 UUID): the first half drawn once per
    process, the second half (the last two groups) per request. Random, so ids do not tell
    how many requests the server handled; half the drawing and formatting of a whole UUID
    per request. Not secrets."""

    def __init__(self) -> None:
        # The version nibble (4) opens the third group.
        h = "%016x" % (random.getrandbits(64) & ~(0xF << 12) | (0x4 << 12))
        self._prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-"

    def next(self) -> str:
        # The variant bits (10) open the fourth group.
        t = "%016x" % (random.getrandbits(64) & _VARIANT_CLEAR | _VARIANT_SET)
        return f"{self._prefix}{t[:4]}-{t[4:]}"


_VARIANT_CLEAR = ~(0x3 << 62) & ((1 << 64) - 1)
_VARIANT_SET = 0x2 << 62
