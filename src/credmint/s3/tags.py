"""S3's tag rules, shared by bucket tagging, object tagging and the ``x-amz-tagging`` header."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from credmint import errors
from credmint.s3 import errors as s3_errors
from credmint.s3 import xmlbody

MAX_BUCKET_TAGS = 50
MAX_OBJECT_TAGS = 10
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
#: The characters S3 allows in tag keys and values: letters, digits, whitespace and + - = . _ : / @.
_TAG_CHARS = re.compile(r"[\w\s+\-=.:/@]*")


def validate_tags(pairs: list[tuple[str, str]], limit: int) -> dict[str, str]:
    """S3's tag rules; the limit is 50 for a bucket, 10 for an object."""
    if len(pairs) > limit:
        # InvalidTag for both (s3-tests' test_put_excess_tags, not marked as failing on AWS).
        if limit == MAX_OBJECT_TAGS:
            raise s3_errors.InvalidTag.object_tag_count()
        raise s3_errors.InvalidTag.bucket_tag_count()
    tags: dict[str, str] = {}
    for key, value in pairs:
        if not key or len(key) > MAX_TAG_KEY or _TAG_CHARS.fullmatch(key) is None:
            raise s3_errors.InvalidTag.key()
        if len(value) > MAX_TAG_VALUE or _TAG_CHARS.fullmatch(value) is None:
            raise s3_errors.InvalidTag.value()
        if key.lower().startswith("aws:"):
            raise s3_errors.InvalidTag.system_tags()
        if key in tags:
            raise s3_errors.InvalidTag.duplicate_key()
        tags[key] = value
    return tags


def tagging_header(value: str) -> dict[str, str]:
    """The ``x-amz-tagging`` header of PutObject / CopyObject: URL-encoded ``k1=v1&k2=v2``."""
    return validate_tags(parse_qsl(value, keep_blank_values=True), MAX_OBJECT_TAGS)


def tagging_document(body: bytes) -> list[tuple[str, str]]:
    """The (key, value) pairs of a ``<Tagging><TagSet><Tag>...`` body, unvalidated."""
    root = xmlbody.parse(body)
    if xmlbody.local(root.tag) != "Tagging":
        raise s3_errors.MalformedXML()
    sets = xmlbody.children(root, "TagSet")
    if len(sets) != 1:
        raise s3_errors.MalformedXML()
    pairs: list[tuple[str, str]] = []
    for tag in xmlbody.children(sets[0], "Tag"):
        key = xmlbody.child_text(tag, "Key")
        value = xmlbody.child_text(tag, "Value")
        if key is None or value is None:
            raise s3_errors.MalformedXML()
        pairs.append((key, value))
    return pairs


def requested_tags(operation: str, header: str | None, body: bytes) -> list[tuple[str, str]] | None:
    """The object tags a request asks for: the ``PutObjectTagging`` body, else the
    ``x-amz-tagging`` header; ``None`` when it asks for none or they cannot be read (the
    operation then refuses the request itself, after authorization)."""
    if operation == "PutObjectTagging":
        try:
            return tagging_document(body)
        except errors.AwsError:
            return None
    if header is None:
        return None
    return parse_qsl(header, keep_blank_values=True)
