"""Server access log delivery: records of the requests to logged buckets, written as objects
into their target buckets.

Theory of operation. Each server process keeps a :class:`LogBuffer`. When an S3 request to
a bucket with logging enabled (``s3.bucket_logging``) has been answered, the server hands
the buffer what it knows of the exchange (:class:`Hit`) and the buffer keeps one line in
S3's server access log format (:func:`record`), grouped by source bucket. A background task
of the server (``server/app.py``) delivers the lines every ``s3_access_log_flush_seconds``
(default 60), sooner once ``s3_access_log_buffer_bytes`` are waiting, and once more when the
server stops: each group becomes one object ``TargetPrefix`` + the key format's name,
written straight into the store (no HTTP request, so a delivery is never itself logged).

* **Several workers, several nodes.** Every process delivers only its own records, under
  names that end in a random 16-character string (as S3's do), so no two writers ever
  choose one key.
* **Best effort, as S3 documents it.** Records waiting in a process are lost if the process
  is killed; a delivery that fails (the target bucket gone, its policy no longer allowing
  the logging service, the store down) drops its records with a warning in the server log
  rather than retrying for ever. Past four times ``s3_access_log_buffer_bytes`` waiting,
  new records are dropped.
* **Configuration changes** reach a process within its refresh interval (at most 5 s): the
  buffer reloads which buckets are logged on a timer, so the request path never reads the
  store for it. S3 itself documents that a change may take a while to take effect.
* **No secrets.** The Request-URI field drops the query parameters that carry signatures,
  credentials and tokens (``redaction.SECRET_QUERY_PARAMETERS``, the list the access log
  withholds too); fields the caller controls are escaped and bounded, so a record is always
  one line of 26 fields.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from credmint.redaction import is_secret_query_parameter
from credmint.s3 import acl, bucket_logging, sse
from credmint.s3.blobs import BlobStore
from credmint.s3.context import dumps, load_bucket_row
from credmint.s3.rows import quoted, write_object_row
from credmint.sealing import MasterKey
from credmint.store import schema
from credmint.store.db import Store

log = logging.getLogger("credmint.s3.logging")

#: Longest Request-URI, user agent and referer written, in characters.
MAX_URI = 8192
MAX_HEADER = 2048
#: Operation field of S3's format (``REST.<method>.<resource>``) for the operations whose
#: name is not ``REST.<method>.OBJECT`` / ``BUCKET`` or a bucket sub-resource's.
_OPERATIONS = {
    "CopyObject": "REST.COPY.OBJECT",
    "UploadPartCopy": "REST.COPY.PART",
    "UploadPart": "REST.PUT.PART",
    "CreateMultipartUpload": "REST.POST.UPLOADS",
    "CompleteMultipartUpload": "REST.POST.UPLOAD",
    "RestoreObject": "REST.POST.RESTORE",
    "AbortMultipartUpload": "REST.DELETE.UPLOAD",
    "ListParts": "REST.GET.UPLOAD",
    "ListMultipartUploads": "REST.GET.UPLOADS",
    "DeleteObjects": "REST.POST.MULTI_OBJECT_DELETE",
    "ListObjectVersions": "REST.GET.BUCKETVERSIONS",
    "GetBucketPolicy": "REST.GET.BUCKETPOLICY",
    "PutBucketPolicy": "REST.PUT.BUCKETPOLICY",
    "DeleteBucketPolicy": "REST.DELETE.BUCKETPOLICY",
    "GetBucketLogging": "REST.GET.LOGGING_STATUS",
    "PutBucketLogging": "REST.PUT.LOGGING_STATUS",
    "GetObjectTagging": "REST.GET.OBJECT_TAGGING",
    "PutObjectTagging": "REST.PUT.OBJECT_TAGGING",
    "DeleteObjectTagging": "REST.DELETE.OBJECT_TAGGING",
    "PostObject": "REST.POST.OBJECT",
}
_VERB = re.compile(r"Get|Put|Delete|Head|List|Create")
_UNSAFE = re.compile(r'[^\x21-\x7e]|["\\]')
#: Inside a quoted field spaces may stay.
_UNSAFE_QUOTED = re.compile(r'[^\x20-\x7e]|["\\]')


@dataclass(frozen=True, slots=True)
class Target:
    """Where one source bucket's records go, with the source's facts its records carry."""

    source_bucket: str
    source_account: str
    source_region: str
    #: The source bucket owner's canonical user id (the record's first field).
    owner_canonical_id: str
    target_bucket: str
    prefix: str
    #: "SimplePrefix", or "PartitionedPrefix" with its date source.
    partitioned: bool = False
    event_time: bool = False


@dataclass(slots=True)
class Hit:
    """What the server knows of one answered request (see the field list of :func:`record`)."""

    bucket: str
    key: str | None
    operation: str
    method: str
    path: str
    query_string: str
    http_version: str
    status: int
    error_code: str | None
    bytes_sent: int
    object_size: int | None
    total_ms: int
    turnaround_ms: int
    remote_ip: str
    requester: str | None
    request_id: str
    referer: str | None
    user_agent: str | None
    version_id: str | None
    signature_version: str | None
    auth_type: str | None
    host: str | None
    tls_version: str | None
    cipher: str | None
    when: datetime


def log_operation(operation: str, method: str, key: str | None) -> str:
    """S3's Operation field: ``REST.GET.OBJECT``, ``REST.PUT.ACL``, ``REST.POST.UPLOADS``...
    (``REST.<method>.<resource>``, the resource named from the operation's)."""
    found = _OPERATIONS.get(operation)
    if found is not None:
        return found
    verb = _VERB.match(operation)
    rest = operation[verb.end() :] if verb is not None else ""
    for owner in ("Bucket", "Object"):
        if rest.startswith(owner) and len(rest) > len(owner) and rest[len(owner)].isupper():
            rest = rest[len(owner) :]
    if rest in ("", "Bucket", "Object", "Objects", "ObjectsV2"):
        return f"REST.{method}.{'OBJECT' if key is not None else 'BUCKET'}"
    return f"REST.{method}.{re.sub(r'(?<=[a-z])(?=[A-Z])', '_', rest).upper()}"


def request_uri(method: str, path: str, query_string: str, http_version: str) -> str:
    """The Request-URI field without its quotes: the request line, signatures and
    credentials removed from the query, escaped so it stays inside its quotes."""
    kept = []
    for part in query_string.split("&") if query_string else ():
        if not is_secret_query_parameter(part.partition("=")[0]):
            kept.append(part)
    target = path + ("?" + "&".join(kept) if kept else "")
    line = f"{method} {_safe(target)} HTTP/{_safe(http_version)}"
    return line[:MAX_URI]


def _safe(text: str, unsafe: re.Pattern[str] = _UNSAFE) -> str:
    """``text`` with everything but visible ASCII (and ``"``, ``\\``) percent-encoded."""
    return unsafe.sub(lambda m: quote(m.group(), safe=""), text)


def _quoted(text: str | None, limit: int = MAX_HEADER) -> str:
    if not text:
        return "-"
    return '"' + _safe(text[:limit], _UNSAFE_QUOTED) + '"'


def _plain(value: object | None) -> str:
    """An unquoted field: ``-`` when empty; spaces and quotes percent-encoded."""
    if value is None or value == "":
        return "-"
    return _safe(str(value))[:MAX_HEADER]


def record(target: Target, hit: Hit) -> str:
    """One line of S3's server access log format (S3 User Guide, "Amazon S3 server access
    log format"), in its field order."""
    fields = (
        target.owner_canonical_id,
        _plain(hit.bucket),
        hit.when.strftime("[%d/%b/%Y:%H:%M:%S +0000]"),
        _plain(hit.remote_ip),
        _plain(hit.requester),
        _plain(hit.request_id),
        log_operation(hit.operation, hit.method, hit.key),
        quote(hit.key, safe="/~") if hit.key else "-",
        '"' + request_uri(hit.method, hit.path, hit.query_string, hit.http_version) + '"',
        str(hit.status),
        _plain(hit.error_code),
        str(hit.bytes_sent) if hit.bytes_sent else "-",
        str(hit.object_size) if hit.object_size is not None else "-",
        str(hit.total_ms),
        str(hit.turnaround_ms),
        _quoted(hit.referer),
        _quoted(hit.user_agent),
        _plain(hit.version_id),
        _plain(hit.request_id),  # the host id: one server has one host
        _plain(hit.signature_version),
        _plain(hit.cipher),
        _plain(hit.auth_type),
        _plain(hit.host),
        _plain(hit.tls_version),
        "-",  # no access points
        "-",  # ACL required: not tracked
    )
    return " ".join(fields)


def object_key(target: Target, delivered: datetime, first_event: datetime, unique: str) -> str:
    """The log object's key: ``TargetPrefix`` + ``YYYY-mm-DD-HH-MM-SS-<unique>``, or, for the
    partitioned format, ``TargetPrefix`` + ``account/region/bucket/YYYY/mm/DD/`` + that name
    (with the event date source, the date of the first record and a time of 00-00-00)."""
    if not target.partitioned:
        return f"{target.prefix}{delivered:%Y-%m-%d-%H-%M-%S}-{unique}"
    when = first_event if target.event_time else delivered
    name = f"{when:%Y-%m-%d}-00-00-00" if target.event_time else f"{when:%Y-%m-%d-%H-%M-%S}"
    return (
        f"{target.prefix}{target.source_account}/{target.source_region}/{target.source_bucket}/"
        f"{when:%Y/%m/%d}/{name}-{unique}"
    )


@dataclass
class _Pending:
    lines: list[str] = field(default_factory=list)
    first: datetime | None = None


class LogBuffer:
    """One process's records waiting for delivery, and which buckets are logged."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._lock = threading.Lock()
        self._targets: dict[str, Target] = {}
        self._pending: dict[Target, _Pending] = {}
        self._bytes = 0
        self.dropped = 0

    def target(self, bucket: str) -> Target | None:
        """Where ``bucket``'s records go, if it is logged (as of the last refresh)."""
        return self._targets.get(bucket)

    def refresh(self, store: Store) -> None:
        """Reload which buckets are logged, and where to."""
        c, b, a = schema.bucket_configs, schema.buckets, schema.accounts
        with store.read() as conn:
            rows = conn.execute(
                select(c.c.bucket, c.c.document, b.c.account_id, b.c.region, a.c.canonical_user_id)
                .select_from(c.join(b, b.c.name == c.c.bucket).join(a, a.c.account_id == b.c.account_id))
                .where(c.c.name == bucket_logging.CONFIG)
            ).all()
        targets: dict[str, Target] = {}
        for bucket, document, account, region, canonical in rows:
            config = bucket_logging.stored_config(document)
            if config is None:
                continue
            key_format = config.get("TargetObjectKeyFormat") or {}
            partitioned = key_format.get("PartitionedPrefix")
            targets[bucket] = Target(
                bucket,
                account,
                region,
                canonical,
                str(config["TargetBucket"]),
                str(config["TargetPrefix"]),
                partitioned=isinstance(partitioned, dict),
                event_time=isinstance(partitioned, dict) and partitioned.get("PartitionDateSource") == "EventTime",
            )
        self._targets = targets

    def add(self, target: Target, hit: Hit) -> bool:
        """Keep the record of ``hit``; True once the buffer holds ``bound`` bytes or more
        (time to deliver)."""
        line = record(target, hit) + "\n"
        with self._lock:
            if self._bytes > 4 * self.bound:
                self.dropped += 1
                return True
            pending = self._pending.setdefault(target, _Pending())
            pending.lines.append(line)
            if pending.first is None:
                pending.first = hit.when
            self._bytes += len(line)
            return self._bytes >= self.bound

    def take(self) -> dict[Target, _Pending]:
        """Everything waiting, removed from the buffer."""
        with self._lock:
            taken, self._pending, self._bytes = self._pending, {}, 0
        return taken


def deliver(store: Store, blobs: BlobStore, master: MasterKey, buffer: LogBuffer, now: datetime) -> list[str]:
    """Write what ``buffer`` holds as log objects; returns the keys written. A group whose
    delivery fails is dropped with a warning (best effort, as S3's)."""
    written = []
    for target, pending in buffer.take().items():
        if not pending.lines:
            continue
        try:
            key = _write(store, blobs, master, target, pending, now)
        except Exception as err:  # one target's failure does not stop the others
            log.warning("server access log delivery to %s failed: %s", target.target_bucket, err)
            continue
        if key is not None:
            written.append(key)
    if buffer.dropped:
        log.warning("%d server access log records dropped: the buffer was full", buffer.dropped)
        buffer.dropped = 0
    return written


def _write(
    store: Store, blobs: BlobStore, master: MasterKey, target: Target, pending: _Pending, now: datetime
) -> str | None:
    found = load_bucket_row(store, target.target_bucket)
    if found is None or found.account_id != target.source_account:
        log.warning(
            "server access logs of %s dropped: target bucket %s is gone", target.source_bucket, target.target_bucket
        )
        return None
    if not bucket_logging.delivery_allowed(found, target.source_bucket, target.source_account, target.prefix):
        log.warning(
            "server access logs of %s dropped: %s no longer allows the logging service",
            target.source_bucket,
            target.target_bucket,
        )
        return None
    data = "".join(pending.lines).encode("utf-8")
    key = object_key(target, now, pending.first or now, secrets.token_hex(8).upper())
    attributes: dict[str, Any] = {"meta": {}, "headers": {}}
    if found.acls_enabled:
        attributes["acl"] = _log_object_acl(store, target)
    writer = blobs.writer()
    try:
        writer.begin(sse.sse_s3_key(master))
        writer.write(data)
    except BaseException:
        writer.discard()
        raise
    blob = writer.commit()
    values = {
        "key": key,
        "size": len(data),
        "etag": quoted(hashlib.md5(data, usedforsecurity=False).hexdigest()),
        "content_type": "text/plain",
        "attributes": dumps(attributes),
        "blob": blob,
        "last_modified": now,
    }
    try:
        with store.write() as conn:
            _version, dropped = write_object_row(conn, target.target_bucket, values, now)
    except BaseException:
        blobs.delete([blob])
        raise
    blobs.delete(dropped)
    return key


def _log_object_acl(store: Store, target: Target) -> dict[str, Any]:
    """The bucket owner's FULL_CONTROL (S3: "The bucket owner is automatically granted
    FULL_CONTROL to all logs") and the configuration's target grants."""
    c = schema.bucket_configs
    with store.read() as conn:
        document = conn.execute(
            select(c.c.document).where(c.c.bucket == target.source_bucket, c.c.name == bucket_logging.CONFIG)
        ).scalar()
    config = bucket_logging.stored_config(document) if document is not None else None
    grants = list(config.get("TargetGrants") or []) if config is not None else []
    stored = acl.default(target.owner_canonical_id, target.source_account)
    stored["grants"].extend(grants)
    return stored
