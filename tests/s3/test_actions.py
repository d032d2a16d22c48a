"""credmint.s3.actions: the S3 condition keys of a request, as the reference lists them per action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from credmint.httpreq import HttpRequest
from credmint.s3.actions import request_keys, stored_keys

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SSE = "x-amz-server-side-encryption"


def _req(*headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest("PUT", "/b/k", "", tuple(headers))


def _keys(operation: str, action: str, *headers: tuple[str, str], body: bytes = b"") -> dict[str, object]:
    return dict(request_keys(operation, action, _req(*headers), {}, None, NOW, body=body))


@pytest.mark.parametrize(
    ("operation", "action", "header", "key", "present"),
    [
        ("PutObject", "s3:PutObject", ("x-amz-acl", "public-read"), "s3:x-amz-acl", True),
        ("PutObject", "s3:PutObject", ("if-none-match", "*"), "s3:if-none-match", True),
        ("PutObject", "s3:PutObject", (SSE, "AES256"), f"s3:{SSE}", True),
        ("CopyObject", "s3:PutObject", ("x-amz-copy-source", "src/k"), "s3:x-amz-copy-source", True),
        ("CopyObject", "s3:PutObject", ("x-amz-metadata-directive", "REPLACE"), "s3:x-amz-metadata-directive", True),
        # Only the keys the reference lists for the action: GetObject takes no ACL header.
        ("GetObject", "s3:GetObject", ("x-amz-acl", "public-read"), "s3:x-amz-acl", False),
        ("PutObject", "s3:PutObject", ("x-amz-meta-a", "1"), "s3:x-amz-meta-a", False),
    ],
)
def test_header_keys_follow_the_reference(
    operation: str, action: str, header: tuple[str, str], key: str, present: bool
) -> None:
    keys = _keys(operation, action, header)
    assert (keys.get(key) == header[1]) is present
    assert (key in keys) is present


def test_request_object_tags_from_the_tagging_header() -> None:
    keys = _keys("PutObject", "s3:PutObject", ("x-amz-tagging", "team=blue&classification=secret%20x"))
    assert keys["s3:RequestObjectTag/team"] == "blue"
    assert keys["s3:RequestObjectTag/classification"] == "secret x"
    assert keys["s3:RequestObjectTagKeys"] == ["team", "classification"]


def test_request_object_tags_from_the_put_object_tagging_body() -> None:
    body = (
        b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>'
        b"<Tag><Key>classification</Key><Value>public</Value></Tag></TagSet></Tagging>"
    )
    keys = _keys("PutObjectTagging", "s3:PutObjectTagging", body=body)
    assert keys["s3:RequestObjectTag/classification"] == "public"
    assert keys["s3:RequestObjectTagKeys"] == ["classification"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<Tagging>",
        b"<NotTagging><TagSet/></NotTagging>",
        b"<Tagging><TagSet/><TagSet/></Tagging>",
        b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        b"<Tagging><TagSet><Tag><Key>&a;</Key><Value>v</Value></Tag></TagSet></Tagging>",
        b"\xff\xfe<\x00",
    ],
)
def test_unreadable_tagging_bodies_give_no_tag_keys(body: bytes) -> None:
    # Authorization goes on without the keys; the operation then refuses the body itself.
    keys = _keys("PutObjectTagging", "s3:PutObjectTagging", body=body)
    assert not any(k.startswith("s3:RequestObjectTag") for k in keys)


@pytest.mark.parametrize(
    "raw",
    ["pbkt/private/src", "/pbkt/private/src", "pbkt/private%2Fsrc", "pbkt%2Fprivate%2Fsrc", "%70bkt/private/src",
     " pbkt/private/src ", "pbkt/private/src?versionId=3HL4kqtJlcpXroDTDmJ"],
)  # fmt: skip
def test_the_copy_source_key_is_the_source_the_copy_reads(raw: str) -> None:
    """Every spelling of one source reaches a condition on it (a Deny on pbkt/private/*
    must not be stepped around by escaping a slash or adding one)."""
    keys = _keys("CopyObject", "s3:PutObject", ("x-amz-copy-source", raw))
    assert keys["s3:x-amz-copy-source"] == "pbkt/private/src"


@pytest.mark.parametrize("raw", ["REPLACE", "replace", "Replace"])
def test_the_metadata_directive_key_is_the_directive_applied(raw: str) -> None:
    keys = _keys("CopyObject", "s3:PutObject", ("x-amz-copy-source", "b/k"), ("x-amz-metadata-directive", raw))
    assert keys["s3:x-amz-metadata-directive"] == "REPLACE"


@pytest.mark.parametrize("header", ["", "&&&", "=", "a", "%zz=%", "k=" + "v" * 10_000, "&".join(["k=v"] * 2000)])
def test_hostile_tagging_headers_never_raise(header: str) -> None:
    keys = _keys("PutObject", "s3:PutObject", ("x-amz-tagging", header))
    assert isinstance(keys.get("s3:RequestObjectTagKeys", []), list)


@pytest.mark.parametrize(("directive", "keys"), [(None, False), ("COPY", False), ("copy", False), ("REPLACE", True)])
def test_copy_object_request_tags_only_when_the_copy_replaces_them(directive: str | None, keys: bool) -> None:
    headers = [("x-amz-tagging", "team=blue"), ("x-amz-copy-source", "/src/k")]
    if directive is not None:
        headers.append(("x-amz-tagging-directive", directive))
    assert ("s3:RequestObjectTag/team" in _keys("CopyObject", "s3:PutObject", *headers)) is keys


def test_request_object_tags_only_for_actions_that_take_them() -> None:
    keys = _keys("GetObject", "s3:GetObject", ("x-amz-tagging", "team=blue"))
    assert "s3:RequestObjectTagKeys" not in keys


@pytest.mark.parametrize(
    ("operation", "value"),
    [("PutObject", "true"), ("CopyObject", "true"), ("CompleteMultipartUpload", "true"), ("UploadPart", "false")],
)
def test_object_creation_operation(operation: str, value: str) -> None:
    assert _keys(operation, "s3:PutObject")["s3:ObjectCreationOperation"] == value


@dataclass
class _Bucket:
    name: str = "b"
    account_id: str = "111122223333"
    tags: tuple[tuple[str, str], ...] = (("env", "prod"),)


class _ObjectTags:
    def __init__(self) -> None:
        self.reads: list[tuple[str, str]] = []

    def __call__(self, bucket: str, key: str) -> list[tuple[str, str]]:
        self.reads.append((bucket, key))
        return [("classification", "secret")]


@pytest.mark.parametrize(
    ("action", "reads"),
    [("s3:GetObject", True), ("s3:GetObjectTagging", True), ("s3:PutObjectTagging", True), ("s3:PutObject", False)],
)
def test_existing_object_tags_are_read_only_for_actions_that_take_them(action: str, reads: bool) -> None:
    tags = _ObjectTags()
    keys = stored_keys(action, _Bucket(), "k", tags)
    assert (keys.get("s3:ExistingObjectTag/classification") == "secret") is reads
    assert tags.reads == ([("b", "k")] if reads else [])


def test_bucket_keys() -> None:
    keys = stored_keys("s3:ListBucket", _Bucket(), None, _ObjectTags())
    assert keys == {
        "s3:ResourceAccount": "111122223333",
        "s3:BucketTag/env": "prod",
        "aws:ResourceTag/env": "prod",
    }
