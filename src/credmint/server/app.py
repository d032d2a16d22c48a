"""The ASGI application: the only async layer.

It reads the head, classifies the request (health, metrics, Query, JSON, S3) and hands it
to its protocol's endpoint, each of which reads top to bottom in one place: AWS Query (STS,
IAM) here, in :meth:`CredmintApp._handle_query`; the AWS JSON protocol in ``jsonapi.py``;
S3 REST in ``s3api.py``. The Query path: 1. read the body within a limit; 2. decode the
form and find the operation; 3. authenticate (SigV4, one lookup at the edge); 4. decode
and validate the parameters; 5. run the operation (store work on a worker thread);
6. render the result — or, for any :class:`AwsError` raised on the way, render that, once.
An exception nothing caught answers 500 (503 during a store outage) in the shape of the
client's protocol, never with a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from credmint import __version__, errors, metrics
from credmint import wire as wq
from credmint.audit.record import RequestFacts
from credmint.audit.recorder import current_facts
from credmint.errors import AwsError
from credmint.httpreq import BodyStream, HttpRequest, decode_headers, index_headers
from credmint.identity_providers import web_identity_issuer, workload_identity_issuer
from credmint.s3 import log_delivery
from credmint.s3.context import blob_store
from credmint.server import accesslog, dev, jsonapi, registry, s3api
from credmint.server.bodies import BodyBudget, BodyLimits, BodyReader, BodyRefused
from credmint.server.deadlines import ReadDeadlines
from credmint.server.edge import Edge, note_error
from credmint.server.node import Node
from credmint.server.protocol import TLS_EXTENSION
from credmint.server.routing import METRICS_SHORT_PATH, QUERY_VERSIONS, Target, classify

log = logging.getLogger("credmint.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
T = TypeVar("T")

Response = tuple[int, list[tuple[bytes, bytes]], bytes]


#: How often access-key "last used" data is written (GetAccessKeyLastUsed flushes first).
LAST_USED_FLUSH_SECONDS = 5.0
#: Longest a process serves S3 requests without re-reading which buckets have server access
#: logging enabled (the request path only consults what was read).
S3_LOGGING_REFRESH_SECONDS = 5.0
#: How often cache-hit counts are added to the Prometheus counters (see ``metrics.HotCounter``).
METRICS_FOLD_SECONDS = 1.0


class CredmintApp:
    _flusher: asyncio.Task[None]
    _folder: asyncio.Task[None]
    _s3_logger: asyncio.Task[None]

    def __init__(self, node: Node) -> None:
        self.node = node
        self.settings = node.settings
        self.edge = Edge(node)
        self._query = {name: wq.query_service(name) for name in ("sts", "iam")}
        self._max_query_body = self.settings.max_query_body
        self._request_ids = _RequestIds()
        self._ping: asyncio.Task[str | None] | None = None
        self._body_limits = BodyLimits(
            BodyBudget(self.settings.max_buffered_body_bytes),
            ReadDeadlines(),
            self.settings.body_timeout,
            self.settings.min_body_rate,
        )
        self._s3_logs = log_delivery.LogBuffer(self.settings.s3_access_log_buffer_bytes)
        self._s3_logs_due = asyncio.Event()

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
                self._s3_logger = asyncio.create_task(self._s3_access_logs_periodically())
                self.node.audit.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._flusher.cancel()
                self._folder.cancel()
                self._lifecycle.cancel()
                self._s3_logger.cancel()
                metrics.fold()
                await self._deliver_s3_access_logs()  # what this process still holds
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
        headers = decode_headers(scope["headers"])
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
        # None with the audit trail off: nothing else reads them then (current_facts stays unset).
        facts = RequestFacts(head, request_id, service) if self.node.audit.enabled and target in _AUDITED else None
        if facts is not None:
            if secure:
                tls = scope.get("extensions", {}).get(TLS_EXTENSION)
                if tls is not None:
                    facts.tls = (str(tls["version"]), str(tls["cipher"]))
            self.node.audit.begin(facts)
        reader = BodyReader(receive, scope, head, self._body_limits)
        try:
            if target is Target.S3:
                # Authenticated from the head before its body is read (server/s3api.py).
                status, out_headers, body = await s3api.handle_s3(self.edge, self.node, head, request_id, reader)
            else:
                data = await reader.read(self._max_query_body)
                req = HttpRequest(method, path, query_string, headers, data, client_ip, secure, index) if data else head
                if target is Target.QUERY:
                    status, out_headers, body = await self._handle_query(req, service, request_id, exchange)
                else:
                    status, out_headers, body = await self.handle(req, target, service, request_id)
        except BodyRefused as refused:
            refusal = refused.query_error
            if refusal is None:
                status, out_headers, body = 413, [], b""
            else:
                status, out_headers, body = self._render_error(target, service, request_id, refusal)
        except Exception as err:  # never a traceback to the client
            failure = self.edge.unexpected(err, head) or errors.InternalFailure()
            status, out_headers, body = self._render_error(target, service, request_id, failure)
        finally:
            reader.release()
        # The answer goes out at the end of the event loop's turn, once every request the
        # turn started has been worked out: sending (uvicorn's send, then the socket write
        # through the kernel's TCP stack) between one request's work and the next leaves
        # the next to run on cold caches. Under load a turn serves many requests, so their
        # work runs back to back and then their answers do; a lone request waits one turn.
        # wrk, signed GetCallerIdentity, audit trail and access log off: 14,474 req/s
        # against 11,164 answering at once (docs/benchmarks.md).
        if facts is not None:
            # Written before the response is sent: a received response implies a written
            # record. The records of the turn are written together at its end (the same
            # turn boundary as above).
            facts.status = status
            await self.node.audit.written(facts)
        else:
            await asyncio.sleep(0)
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
        if exchange.bucket is not None and target is Target.S3:
            logged = self._s3_logs.target(exchange.bucket)
            if logged is not None:
                try:
                    self._note_s3_access(logged, exchange, scope, head, status, out_headers, body, started, elapsed)
                except Exception:  # the answer is sent; a record is best effort
                    log.exception("keeping an S3 server access log record failed")
        if accesslog.log.isEnabledFor(logging.INFO):  # else the line's fields are not gathered
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

    def _note_s3_access(
        self,
        logged: log_delivery.Target,
        exchange: accesslog.Exchange,
        scope: Scope,
        req: HttpRequest,
        status: int,
        out_headers: list[tuple[bytes, bytes]],
        body: bytes | BodyStream,
        started: float,
        turnaround: float,
    ) -> None:
        """Keep the server access log record of an answered request to a logged bucket."""
        total = time.perf_counter() - started
        answered = dict(out_headers)
        sent = 0 if req.method == "HEAD" else len(body) if isinstance(body, bytes) else body.length
        size: int | None = None
        if req.method in ("PUT", "POST") and exchange.key is not None:
            declared = req.header("x-amz-decoded-content-length") or req.header("content-length")
            size = int(declared) if declared is not None and declared.isdigit() else None
        elif status < 300 and exchange.key is not None and req.method in ("GET", "HEAD"):
            length = answered.get(b"content-length")
            size = int(length) if length is not None and length.isdigit() else None
        tls = scope.get("extensions", {}).get(TLS_EXTENSION) if req.secure else None
        version = answered.get(b"x-amz-version-id")
        hit = log_delivery.Hit(
            bucket=logged.source_bucket,
            key=exchange.key,
            operation=exchange.operation,
            method=req.method,
            path=req.raw_path,
            query_string=req.query_string,
            http_version=str(scope.get("http_version", "1.1")),
            status=status,
            error_code=exchange.error_code,
            bytes_sent=sent,
            object_size=size,
            total_ms=round(total * 1000),
            turnaround_ms=round(turnaround * 1000),
            remote_ip=req.client_ip,
            requester=exchange.principal_arn,
            request_id=answered.get(b"x-amz-request-id", b"-").decode("latin-1"),
            referer=req.header("referer"),
            user_agent=req.header("user-agent"),
            version_id=version.decode("latin-1") if version is not None else None,
            signature_version=exchange.signature_version,
            auth_type=exchange.auth_type,
            host=req.header("host"),
            tls_version=str(tls["version"]) if tls is not None else None,
            cipher=str(tls["cipher"]) if tls is not None else None,
            when=self.node.now() - timedelta(seconds=total),
        )
        if self._s3_logs.add(logged, hit):
            self._s3_logs_due.set()

    async def _s3_access_logs_periodically(self) -> None:
        """Keep which buckets are logged fresh, and deliver this process's S3 server access
        log records every ``s3_access_log_flush_seconds``, or sooner when the buffer fills."""
        loop = asyncio.get_running_loop()
        interval = self.settings.s3_access_log_flush_seconds
        due = loop.time() + interval
        while True:
            try:
                await self.edge.blocking(partial(self._s3_logs.refresh, self.node.store))
            except AwsError as err:  # the store is down: the last configurations hold
                self.edge.outage_log.warning("reading S3 logging configurations failed: %s", err)
            except Exception:
                log.exception("reading S3 logging configurations failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._s3_logs_due.wait(), min(interval, S3_LOGGING_REFRESH_SECONDS))
            if self._s3_logs_due.is_set() or loop.time() >= due:
                self._s3_logs_due.clear()
                await self._deliver_s3_access_logs()
                due = loop.time() + interval

    async def _deliver_s3_access_logs(self) -> None:
        blobs = blob_store(Path(self.settings.data_dir).resolve())
        deliver = partial(
            log_delivery.deliver, self.node.store, blobs, self.node.master, self._s3_logs, self.node.now()
        )
        try:
            await self.edge.blocking(deliver)
        except Exception:  # deliver drops what it cannot write; this is the unexpected
            log.exception("delivering S3 server access logs failed")

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

    def _render_error(self, target: Target, service: str, request_id: str, err: AwsError) -> s3api.S3Answer:
        """``err`` in the shape the client's protocol parses: S3's ``<Error>``, the JSON
        protocol's ``__type``, a Query ``<ErrorResponse>`` in the service's own namespace."""
        if target is Target.S3:
            return s3api.render_error(err, request_id)
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

    async def handle(self, req: HttpRequest, target: Target, service: str, request_id: str) -> s3api.S3Answer:
        if target is Target.HEALTH:
            return await self._ready() if service == "ready" else self._health()
        if target is Target.METRICS:
            if self.settings.metrics:
                # The request path's counts are folded here, on the event loop that bumps
                # them; under several workers exposition reads every worker's files: off the loop.
                metrics.fold()
                body, content_type = await self.edge.blocking(partial(metrics.exposition, fold_first=False))
                return 200, [(b"content-type", content_type.encode())], body
            if req.raw_path != METRICS_SHORT_PATH:  # else: S3's, as any path
                return 404, [(b"content-type", b"application/json")], b'{"error": "not found"}'
        if target is Target.QUERY:
            return await self._handle_query(req, service, request_id, accesslog.current())
        if target is Target.JSON:
            return await jsonapi.handle_json(self.edge, self.node, req, service, request_id)
        if target is Target.INTERNAL:
            if self.settings.dev:
                found = await self.edge.blocking(partial(dev.handle, self.node, req))
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
        return await s3api.handle_s3(self.edge, self.node, req, request_id)

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

    async def _handle_query(
        self, req: HttpRequest, service: str, request_id: str, exchange: accesslog.Exchange
    ) -> Response:
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
            exchange.service = service
            if facts is not None:
                facts.service, facts.operation = service, action[:128]
            qsvc = self._query[service]
            compiled = qsvc.operation(action, version)
            name = compiled.model.name
            op = registry.OPERATIONS[service].get(name)
            if op is None:
                raise errors.InvalidAction(action, version)
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
            return 200, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode())], body
        except AwsError as err:
            return self._render_query_error(err, ns_service, request_id)

    def _render_query_error(self, err: AwsError, service: str, request_id: str) -> Response:
        note_error(err.code, err.message)
        if err.empty_body:
            return err.status, [(b"x-amzn-requestid", request_id.encode())], b""
        body = self._query[service].render_error(err, request_id)
        return err.status, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode())], body


#: Targets whose calls the audit trail records.
_AUDITED = frozenset({Target.QUERY, Target.JSON, Target.S3})


class _RequestIds:
    """Request ids in the form of AWS's (a version-4 UUID): the first half drawn once per
    process, the second half (the last two groups) per request. Random, so ids do not tell
    how many requests the server handled. Drawn and formatted ``BATCH`` at a time, so a
    request takes one from a list. Not secrets."""

    BATCH = 256

    def __init__(self) -> None:
        # The version nibble (4) opens the third group.
        h = "%016x" % (random.getrandbits(64) & ~(0xF << 12) | (0x4 << 12))
        self._prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-"
        self._ready: list[str] = []

    def next(self) -> str:
        ready = self._ready
        if not ready:
            ready.extend(self._draw() for _ in range(self.BATCH))
        return ready.pop()

    def _draw(self) -> str:
        # The variant bits (10) open the fourth group.
        t = "%016x" % (random.getrandbits(64) & _VARIANT_CLEAR | _VARIANT_SET)
        return f"{self._prefix}{t[:4]}-{t[4:]}"


_VARIANT_CLEAR = ~(0x3 << 62) & ((1 << 64) - 1)
_VARIANT_SET = 0x2 << 62
