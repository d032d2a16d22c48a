"""PostObject: an upload from an HTML form (``multipart/form-data`` POST to the bucket).

The server's edge has already read the form's credential and verified its signature over
the policy (``post_policy.verify``), so ``ctx.principal`` is the signer, or None for an
anonymous form. Here the policy's conditions are checked against the fields, and the file
is stored exactly as PutObject stores a body: the form's object fields (``Content-Type``,
``x-amz-meta-*``, ``acl``, ``Cache-Control``...) become the headers of a PutObject made
from them, so authorization, ACL and encryption handling, metadata and the write itself
are PutObject's own.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode, urlsplit
from xml.sax.saxutils import escape

from credmint.httpreq import HttpRequest, index_headers
from credmint.s3 import errors as s3_errors
from credmint.s3 import objects, post_policy
from credmint.s3.context import S3Context, S3Response
from credmint.s3.tags import tagging_document
from credmint.wire import form_data
from credmint.wire.s3 import XML_DECLARATION

#: Form fields that become the stored object's headers as they are.
OBJECT_FIELDS = frozenset(
    {
        "cache-control", "content-disposition", "content-encoding", "content-type", "expires",
        "x-amz-storage-class", "x-amz-server-side-encryption", "x-amz-website-redirect-location",
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key",
        "x-amz-server-side-encryption-customer-key-md5", "x-amz-server-side-encryption-aws-kms-key-id",
    }
)  # fmt: skip
#: Headers of the POST itself the object's request keeps: who sent it, from where (condition
#: keys such as aws:UserAgent and aws:Referer, and the records). Everything about the object
#: comes from the form's fields, which the policy's conditions cover ("each form field ...
#: must be included in the list of conditions"): a header the browser adds (x-amz-acl,
#: x-amz-tagging, x-amz-meta-*, Object Lock or SSE-C headers) would set what no condition
#: checked.
_KEPT_HEADERS = frozenset({"host", "user-agent", "referer", "origin"})
#: success_action_status values S3 honours; any other answers 204.
_STATUSES = {"200": 200, "201": 201, "204": 204}


def read_form(req: HttpRequest) -> form_data.Form:
    boundary = form_data.boundary_of(req.header("content-type"))
    if boundary is None:
        raise form_data.malformed()
    return form_data.parse(req.body, boundary)


def is_form_upload(req: HttpRequest) -> bool:
    """Whether a request is a browser POST upload: ``multipart/form-data`` POSTed to a bucket."""
    content_type = (req.header("content-type") or "").lower()
    return req.method == "POST" and content_type.startswith("multipart/form-data")


def _object_request(ctx: S3Context, fields: dict[str, str], key: str, file: form_data.FormFile) -> HttpRequest:
    headers = [(k, v) for k, v in ctx.req.headers if k in _KEPT_HEADERS]
    for name, value in fields.items():
        if name in OBJECT_FIELDS or name.startswith("x-amz-meta-"):
            headers.append((name, value))
    if "acl" in fields:
        headers.append(("x-amz-acl", fields["acl"]))
    if "tagging" in fields:
        pairs = tagging_document(fields["tagging"].encode("utf-8"))
        headers.append(("x-amz-tagging", urlencode(pairs)))
    headers.append(("content-length", str(len(file.data))))
    path = f"/{ctx.bucket}/{quote(key, safe='/')}"
    return ctx.req._replace(
        method="PUT", raw_path=path, query_string="", headers=tuple(headers), body=file.data,
        header_index=index_headers(tuple(headers)),
    )  # fmt: skip


def post_object(ctx: S3Context) -> S3Response:
    assert ctx.bucket is not None
    form = read_form(ctx.req)
    fields = post_policy.lower_fields(form.fields)
    cred = post_policy.credential(fields)
    if form.file is None:
        raise s3_errors.InvalidArgument.post_file_count()
    if "key" not in fields:
        raise s3_errors.InvalidArgument.post_field_missing("key")
    filename = form.file.filename.replace("\\", "/").rsplit("/", 1)[-1]
    key = fields["key"].replace("${filename}", filename)
    if "\x00" in key:
        # A NUL names no object (wire.s3's path decoding refuses it in a request's own key).
        raise s3_errors.InvalidArgument.post_key_not_text(key)
    fields = {**fields, "key": key}
    if cred is not None:
        document = post_policy.decode_policy(cred.policy)
        post_policy.check_policy(document, fields, ctx.bucket, len(form.file.data), ctx.now)
    put = dataclasses.replace(
        ctx,
        req=_object_request(ctx, fields, key, form.file),
        operation="PutObject",
        key=key,
        query={},
        body=form.file.data,
        trailers={},
    )
    stored = objects.put_object(put)
    etag = stored.headers["ETag"]
    location = _location(ctx, key)
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect and urlsplit(redirect).scheme in ("http", "https"):
        query = urlencode({"bucket": ctx.bucket, "key": key, "etag": etag})
        target = f"{redirect}{'&' if '?' in redirect else '?'}{query}"
        return S3Response(status=303, headers={"Location": target, "ETag": etag})
    status = _STATUSES.get(fields.get("success_action_status", ""), 204)
    if status == 201:
        # PostObject is in no botocore model, so its answer is written here (S3's shape).
        members = (("Location", location), ("Bucket", ctx.bucket), ("Key", key), ("ETag", etag))
        body = XML_DECLARATION + "<PostResponse>" + "".join(f"<{n}>{escape(v)}</{n}>" for n, v in members)
        return S3Response(
            status=201,
            headers={"ETag": etag, "Location": location, "Content-Type": "application/xml"},
            body=(body + "</PostResponse>").encode(),
        )
    return S3Response(status=status, headers={"ETag": etag, "Location": location})


def _location(ctx: S3Context, key: str) -> str:
    host = ctx.header("host") or "localhost"
    scheme = "https" if ctx.req.secure else "http"
    return f"{scheme}://{host}/{ctx.bucket}/{quote(key, safe='/')}"
