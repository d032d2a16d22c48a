"""A pytest plugin loaded into the s3-tests run (``-p s3tests_cleanup``): the suite's own
fixtures empty each bucket with ListObjectVersions before and after every test. Where a
server answers that call NotImplemented (credmint before versioning), the cleanup lists
with ListObjects instead, so a missing cleanup call does not fail every later test's
setup. Only the fixtures' cleanup is changed; no test body is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import s3tests.functional as functional
from botocore.exceptions import ClientError

_list_versions = functional.list_versions


def _list_current(client: Any, bucket: str, batch_size: int) -> Iterator[list[dict[str, str]]]:
    for page in client.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": batch_size}):
        objs = page.get("Contents", [])
        if objs:
            yield [{"Key": o["Key"]} for o in objs]


def list_versions(client: Any, bucket: str, batch_size: int) -> Iterator[list[dict[str, str]]]:
    try:
        yield from _list_versions(client, bucket, batch_size)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NotImplemented":
            raise
        yield from _list_current(client, bucket, batch_size)


functional.list_versions = list_versions
