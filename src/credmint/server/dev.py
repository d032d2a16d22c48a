"""Dev mode's test endpoints (``credmint serve --dev`` only; 404 otherwise).

=========================  ======  ==================================================
path                       method  what it does
=========================  ======  ==================================================
``/_credmint/clock``       GET     the node's current time and its offset
``/_credmint/clock``       POST    ``{"advance": seconds}`` or ``{"set": "<ISO 8601>"}``:
                                   move the dev clock forward (never back)
``/_credmint/reset``       POST    empty the store and bootstrap it again with the dev
                                   root credentials (the clock keeps its offset)
``/_credmint/accounts``    POST    create a fresh account; its root credentials
=========================  ======  ==================================================

Answers are JSON. Bad input answers 400 with ``{"error": ...}``; another method 405.
These endpoints carry no authentication: dev mode refuses a non-loopback address
unless told otherwise (``--dev-allow-remote``), and must never face a network.

Loopback alone does not keep a web page out: a page the developer visits can POST to
``http://127.0.0.1:8400/_credmint/reset`` (a "simple" request needs no preflight), or
reach it through a name it rebinds to 127.0.0.1. So a request a browser sends for a page
(it names an ``Origin``, or ``Sec-Fetch-Site`` other than ``none``) is refused 403, and so
is one naming a ``Host`` that is not a loopback one unless remote access was allowed.
Test tools (httpx, curl, the SDKs, the pytest plugin) send neither.

Everything here blocks (store writes): the app calls it on a worker thread.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from credmint import accounts
from credmint.clock import ClockMoveRefused, DevClock
from credmint.httpreq import HttpRequest
from credmint.s3.context import blob_store
from credmint.server.node import Node
from credmint.store import schema

PREFIX = "/_credmint/"
#: A clock request is a few dozen bytes; anything far larger is not one.
MAX_BODY = 4096

Response = tuple[int, list[tuple[bytes, bytes]], bytes]
_JSON = [(b"content-type", b"application/json")]


def _answer(status: int, doc: dict[str, Any]) -> Response:
    return status, list(_JSON), json.dumps(doc, separators=(",", ":")).encode()


def _bad(message: str) -> Response:
    return _answer(400, {"error": message})


def dev_clock(node: Node) -> DevClock:
    clock = node.clock
    if not isinstance(clock, DevClock):  # build_node gives every dev node a DevClock
        raise TypeError("dev mode runs on a DevClock")
    return clock


def _clock_doc(clock: DevClock) -> dict[str, Any]:
    now = clock.now()
    return {"now": now.isoformat(), "epoch": now.timestamp(), "offset": clock.offset}


def _clock(node: Node, method: str, body: bytes) -> Response:
    clock = dev_clock(node)
    if method == "GET":
        return _answer(200, _clock_doc(clock))
    try:
        doc = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _bad("the body must be a JSON object")
    if not isinstance(doc, dict) or len(doc) != 1 or not ({"advance", "set"} >= doc.keys()):
        return _bad('the body must be {"advance": seconds} or {"set": "<ISO 8601 time>"}')
    try:
        if "advance" in doc:
            seconds = doc["advance"]
            # bool is an int in Python; NaN and infinities are not a duration.
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
                return _bad("advance must be a number of seconds")
            clock.advance(float(seconds))
        else:
            text = doc["set"]
            if not isinstance(text, str) or len(text) > 64:
                return _bad("set must be an ISO 8601 time with a timezone")
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                return _bad("set must be an ISO 8601 time with a timezone")
            clock.set(at)
    except ClockMoveRefused as exc:
        return _bad(str(exc))
    return _answer(200, _clock_doc(clock))


def reset(node: Node) -> accounts.RootCredentials:
    """Empty every table and bootstrap the default account again, as a fresh start does."""
    settings = node.settings
    with node.store.write() as conn:
        blobs = [*conn.execute(select(schema.objects.c.blob)).scalars()]
        blobs += conn.execute(select(schema.multipart_parts.c.blob)).scalars()
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(delete(table))
    blob_store(settings.data_dir).delete(blobs)
    creds = accounts.bootstrap(
        node.store,
        node.master,
        node.now(),
        account_id=settings.account_id,
        access_key_id=settings.root_access_key_id,
        secret_access_key=settings.root_secret_access_key,
    )
    if creds is None:  # another writer bootstrapped in between; its account is the default
        raise RuntimeError("the store was bootstrapped during the reset")
    return creds


def _creds_doc(creds: accounts.RootCredentials) -> dict[str, Any]:
    return {
        "account_id": creds.account_id,
        "access_key_id": creds.access_key_id,
        "secret_access_key": creds.secret_access_key,
    }


def _reset(node: Node, method: str, body: bytes) -> Response:
    return _answer(200, _creds_doc(reset(node)))


def _accounts(node: Node, method: str, body: bytes) -> Response:
    return _answer(200, _creds_doc(accounts.create_account(node.store, node.master, node.now())))


_ROUTES: dict[str, tuple[frozenset[str], Callable[[Node, str, bytes], Response]]] = {
    "clock": (frozenset({"GET", "POST"}), _clock),
    "reset": (frozenset({"POST"}), _reset),
    "accounts": (frozenset({"POST"}), _accounts),
}


#: Host names a loopback-only dev server answers its endpoints to (with any port).
_LOOPBACK_HOSTS = frozenset({"localhost", "[::1]"})


def _from_a_page(req: HttpRequest, allow_remote: bool) -> bool:
    """Whether a browser sent ``req`` for a web page, or it came by a rebound name."""
    if req.header("origin") is not None:
        return True
    site = req.header("sec-fetch-site")
    if site is not None and site.strip().lower() != "none":
        return True
    if allow_remote:
        return False
    host = (req.header("host") or "").strip().lower()
    name = host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
    return not (name in _LOOPBACK_HOSTS or name.startswith("127."))


def handle(node: Node, req: HttpRequest) -> Response | None:
    """Serve a dev endpoint; ``None`` for paths that are not one."""
    path, method, body = req.raw_path, req.method, req.body
    if not path.startswith(PREFIX):
        return None
    route = _ROUTES.get(path[len(PREFIX) :])
    if route is None:
        return None
    if _from_a_page(req, node.settings.dev_allow_remote):
        return _answer(403, {"error": "the dev endpoints answer test tools, not web pages"})
    methods, fn = route
    if method not in methods:
        allow = ", ".join(sorted(methods)).encode()
        return 405, [(b"allow", allow), *_JSON], b'{"error":"method not allowed"}'
    if len(body) > MAX_BODY:
        return _bad("the body is too large")
    return fn(node, method, body)
