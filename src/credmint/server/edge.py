"""Authentication at the edge, and running work off the event loop.

What every protocol's path shares between decoding a request and running its operation:
the one lookup at the edge (a long-term key from the credential cache, or a temporary
key's sealed session token opened against the keyring) and the signature check, for
Query and JSON requests (:meth:`Edge.authenticate`) and for S3 (:meth:`Edge.s3_key`, then
the S3 path verifies the signature itself, over the body it reads after); and the worker
pool every store access runs on (:meth:`Edge.blocking`), with the rule that an operation
whose usual path reads only caches runs on the event loop until it misses
(:meth:`Edge.run_operation`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from credmint import errors
from credmint.access.credentials import KeyEntry
from credmint.access.principal import Principal, refuses_iam, session_principal
from credmint.api import Call, Operation
from credmint.audit.recorder import current_facts
from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.server import accesslog
from credmint.server.node import Node
from credmint.sigv4 import SignedRequest, check_scope, parse_auth, verify_signature
from credmint.sigv4 import errors as sigv4_errors
from credmint.store.db import RateLimitedLog, WouldBlock, non_blocking, unavailable

log = logging.getLogger("credmint.server")

T = TypeVar("T")


class Edge:
    def __init__(self, node: Node) -> None:
        self._node = node
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="credmint-io")
        #: Edge lookups (a key, an identity, the keyring) give up after this: the store's
        #: own timeouts, plus a margin for the worker pool's queue.
        self.deadline = node.store.timeout + 1.0
        #: One line per outage now and then, not a traceback per request.
        self.outage_log = RateLimitedLog(log, 5.0)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False)

    async def blocking(self, fn: Callable[[], T], deadline: float | None = None) -> T:
        """``fn`` on a worker thread; a store outage becomes ``ServiceUnavailable``, and
        with ``deadline`` so does a wait longer than that (the thread finishes on its own)."""
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn)
        try:
            return await (future if deadline is None else asyncio.wait_for(future, deadline))
        except TimeoutError:
            self.outage_log.warning("store did not answer within %.1fs", deadline)
            raise errors.ServiceUnavailable() from None
        except Exception as err:
            outage = unavailable(err)
            if outage is None:
                raise
            self.outage_log.warning("store unavailable: %s", outage)
            raise errors.ServiceUnavailable() from None

    async def run_operation(self, op: Operation, call: Call, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """An operation on a worker thread if it blocks; else on the event loop, where a
        store access (a cache miss) raises ``WouldBlock`` and the operation runs again on
        a worker thread (what ran before the miss only read caches)."""
        if not op.blocks(params):
            try:
                with non_blocking():
                    return op.fn(call)
            except WouldBlock:
                pass
        return await self.blocking(partial(op.fn, call))

    async def authenticate(self, req: HttpRequest, service: str, op: Operation, now: datetime) -> Principal | None:
        """The verified caller of a Query or JSON request (None: an unsigned call ``op`` allows)."""
        # With ``now``, the skew check runs at AWS's step, between date and credential checks.
        signed = parse_auth(req, "query", now=now)
        if signed is None:
            if op.unsigned:
                return None
            raise errors.MissingAuthenticationToken()
        exchange = accesslog.current()
        exchange.access_key_id = signed.access_key_id
        facts = current_facts.get()
        if facts is not None:
            facts.access_key_id = signed.access_key_id[:128]
        check_scope(signed, service, "query")
        entry = self._resolve_cached(signed, service, now) or await self._resolve(
            signed.access_key_id, signed.security_token, signed.region, service, now
        )
        if facts is not None:  # known before the signature is checked: a bad one is recorded as the key's
            facts.principal = entry.principal
        verify_signature(req, signed, entry.secret, "query")
        exchange.principal_arn = entry.principal.arn
        return entry.principal

    def _resolve_cached(self, signed: SignedRequest, service: str, now: datetime) -> KeyEntry | None:
        """:meth:`_resolve` without awaiting, for a long-term key already in the cache; else None."""
        key_id = signed.access_key_id
        if signed.security_token is not None or key_id.startswith("ASIA"):
            return None
        entry = self._node.credentials.cached(key_id)
        if entry is False:
            return None
        return self._accept_key(entry, key_id, signed.region, service, now)

    def _accept_key(
        self, entry: KeyEntry | bool | None, key_id: str, region: str, service: str, now: datetime
    ) -> KeyEntry:
        """A long-term key's entry, if it exists and is active; its use is recorded."""
        if not isinstance(entry, KeyEntry) or not entry.active:
            raise errors.InvalidClientTokenId(period=service != "iam")
        self._node.last_used.record(key_id, service, region, now)
        return entry

    async def _resolve(self, key_id: str, token: str | None, region: str, service: str, now: datetime) -> KeyEntry:
        """The secret and principal behind an access key (the one lookup at the edge)."""
        if token is not None or key_id.startswith("ASIA"):
            return await self._resolve_session(key_id, token, service)
        cache = self._node.credentials
        entry = cache.cached(key_id)
        if entry is False:
            entry = await self.blocking(partial(cache.load, key_id), self.deadline)
        return self._accept_key(entry, key_id, region, service, now)

    async def _resolve_session(self, key_id: str, token: str | None, service: str) -> KeyEntry:
        """Open a sealed session token: no read, unless its entity's identity is not cached."""
        invalid = errors.InvalidClientTokenId(period=service != "iam")
        if token is None or not key_id.startswith("ASIA"):
            raise invalid
        try:
            if self._node.session_open_reads(token):
                # The keyring must be read first: never on the event loop.
                claims = await self.blocking(partial(self._node.open_session, token, key_id), self.deadline)
            else:
                claims = self._node.open_session(token, key_id)
        except errors.InvalidClientTokenId:
            raise invalid from None
        principal = session_principal(claims)
        if service == "iam" and refuses_iam(claims):
            raise invalid
        entity = principal.entity_id
        if entity is not None:
            # A role session's role; an IAM user's session's user, and the user who called
            # GetFederationToken for a federated user's.
            kind = "role" if principal.kind == "assumed-role" else "user"
            identity = self._node.policies.cached_identity(entity)
            if identity is None:
                identity = await self.blocking(partial(self._node.policies.identity, kind, entity), self.deadline)
            if not identity.exists:
                # The user or role behind the session was deleted (or deleted and recreated).
                raise invalid
        return KeyEntry(claims.secret_access_key, principal, True)

    def unexpected(self, err: Exception, req: HttpRequest) -> AwsError | None:
        """What to answer an exception nothing else caught: ``ServiceUnavailable`` for a store
        outage (logged now and then), else None, and its traceback is logged: the protocol
        answers with its own 500, never with the traceback."""
        outage = unavailable(err)
        if outage is None:
            log.exception("unhandled error on %s %s", req.method, req.raw_path)
            return None
        self.outage_log.warning("store unavailable on %s %s: %s", req.method, req.raw_path, outage)
        return errors.ServiceUnavailable()

    async def s3_key(self, key_id: str, token: str | None, region: str, now: datetime) -> KeyEntry:
        try:
            return await self._resolve(key_id, token, region, "s3", now)
        except AwsError as err:
            raise _s3_credential_error(err, key_id, token) from None


def note_error(code: str, message: str | None) -> None:
    """Tell the current request's audit facts and access-log exchange how it failed (the
    protocol's own code)."""
    accesslog.current().error_code = code
    facts = current_facts.get()
    if facts is not None:
        facts.error_code, facts.error_message = code, message


def _s3_credential_error(err: AwsError, key_id: str, token: str | None) -> AwsError:
    """S3 words credential failures its own way (aws-behavior.md §2.5); a failure on the
    server's side (the store is unavailable) is not a credential failure and stays as is."""
    if err.status >= 500:
        return err
    if isinstance(err, errors.ExpiredToken):
        return sigv4_errors.ExpiredToken()
    if token is not None and key_id.startswith("ASIA") and isinstance(err, errors.InvalidClientTokenId):
        return sigv4_errors.InvalidToken()
    return sigv4_errors.InvalidAccessKeyId(key_id)
