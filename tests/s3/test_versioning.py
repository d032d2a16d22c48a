"""S3 versioning end to end (boto3 and the AWS CLI): version ids, delete markers, the null
version, ListObjectVersions, reads, deletes and copies by version, and the version actions
in policies. Expected answers follow S3's user guide and s3-tests' test_versioning_*."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credmint.s3 import versions
from tests.conftest import Server
from tests.s3.helpers import aws_cli, error_of, policy

pytestmark = pytest.mark.e2e


def _enable(s3: Any, bucket: str, status: str = "Enabled") -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def _put_versions(s3: Any, bucket: str, key: str, n: int) -> list[str]:
    return [s3.put_object(Bucket=bucket, Key=key, Body=f"content-{i}".encode())["VersionId"] for i in range(n)]


def _body(s3: Any, bucket: str, key: str, version_id: str | None = None) -> bytes:
    kwargs = {"VersionId": version_id} if version_id is not None else {}
    data: bytes = s3.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()
    return data


def test_versions_are_kept_and_read_by_id(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "k", 3)
    assert len(set(ids)) == 3 and all(len(v) == 32 for v in ids)
    assert _body(s3, bucket, "k") == b"content-2"
    for i, v in enumerate(ids):
        assert _body(s3, bucket, "k", v) == f"content-{i}".encode()
        head = s3.head_object(Bucket=bucket, Key="k", VersionId=v)
        assert head["VersionId"] == v and head["ContentLength"] == len(f"content-{i}")
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == ids[-1]
    listed = s3.list_object_versions(Bucket=bucket)
    # Newest first within a key; only the newest is the latest.
    assert [v["VersionId"] for v in listed["Versions"]] == ids[::-1]
    assert [v["IsLatest"] for v in listed["Versions"]] == [True, False, False]
    assert "DeleteMarkers" not in listed
    # The ordinary listing shows the key once.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_delete_marker_hides_the_key_and_removing_it_restores(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "k", 2)
    out = s3.delete_object(Bucket=bucket, Key="k")
    assert out["DeleteMarker"] is True
    marker = out["VersionId"]
    assert marker not in ids
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0::2] == ("NoSuchKey", 404)
    headers = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true" and headers["x-amz-version-id"] == marker
    # A delete marker named by its id: 405, as S3.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker)
    assert error_of(e)[0::2] == ("MethodNotAllowed", 405)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [v["IsLatest"] for v in listed["Versions"]] == [False, False]
    # Older versions stay readable by id.
    assert _body(s3, bucket, "k", ids[0]) == b"content-0"
    # Removing the marker makes the newest version current again.
    out = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert out["DeleteMarker"] is True and out["VersionId"] == marker
    assert _body(s3, bucket, "k") == b"content-1"


def test_stacked_delete_markers(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    _put_versions(s3, bucket, "test1/a", 1)
    for _ in range(3):
        s3.delete_object(Bucket=bucket, Key="test1/a")
    listed = s3.list_object_versions(Bucket=bucket)
    assert len(listed["Versions"]) == 1 and len(listed["DeleteMarkers"]) == 3
    assert [m["IsLatest"] for m in listed["DeleteMarkers"]] == [True, False, False]


def test_deleting_versions_by_id_promotes_the_next_newest(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "k", 3)
    out = s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[2])
    assert out["VersionId"] == ids[2] and "DeleteMarker" not in out
    assert _body(s3, bucket, "k") == b"content-1"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[0])  # a noncurrent one
    assert _body(s3, bucket, "k") == b"content-1"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[1])
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(e)[0] == "NoSuchKey"
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    # Deleting a version that no longer exists succeeds, as in S3.
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[1])


def test_null_version_before_enabling_and_when_suspended(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"plain")
    assert "VersionId" not in put  # unversioned bucket: no version header
    _enable(s3, bucket)
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    assert _body(s3, bucket, "k", "null") == b"plain"
    assert {v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]} == {"null", new}
    _enable(s3, bucket, "Suspended")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"suspended-1")
    assert "VersionId" not in put  # s3-tests: no version id for a suspended bucket's write
    s3.put_object(Bucket=bucket, Key="k", Body=b"suspended-2")
    # Writes while suspended replace the one null version; the enabled-era version stays.
    listed = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed] == [("null", True), (new, False)]
    assert _body(s3, bucket, "k") == b"suspended-2"
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    # A delete while suspended puts a "null" delete marker on top, replacing the null version.
    out = s3.delete_object(Bucket=bucket, Key="k")
    assert out["DeleteMarker"] is True and out["VersionId"] == "null"
    listed_all = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listed_all["Versions"]] == [new]
    assert [m["VersionId"] for m in listed_all["DeleteMarkers"]] == ["null"]
    s3.delete_object(Bucket=bucket, Key="k", VersionId="null")
    assert _body(s3, bucket, "k") == b"versioned"


def test_unknown_and_malformed_version_ids(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    _put_versions(s3, bucket, "k", 1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k", VersionId="A" * 32)
    assert error_of(e)[0::2] == ("NoSuchVersion", 404)
    assert e.value.response["Error"]["VersionId"] == "A" * 32
    for bad in ("not a version", "x" * 2000, "a/b"):
        with pytest.raises(ClientError) as e:
            s3.get_object(Bucket=bucket, Key="k", VersionId=bad)
        assert error_of(e)[0::2] == ("InvalidArgument", 400)
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=bucket, Key="k", VersionId=bad)
        assert error_of(e)[0::2] == ("InvalidArgument", 400)


def test_copy_from_a_version(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "src", 3)
    for i, v in enumerate(ids):
        out = s3.copy_object(
            Bucket=bucket, Key=f"copy-{i}", CopySource={"Bucket": bucket, "Key": "src", "VersionId": v}
        )
        assert out["CopySourceVersionId"] == v and len(out["VersionId"]) == 32
        assert _body(s3, bucket, f"copy-{i}") == f"content-{i}".encode()
    # Copying a version onto its own key makes it current again (the restore idiom).
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src", "VersionId": ids[0]})
    assert _body(s3, bucket, "src") == b"content-0"
    marker = s3.delete_object(Bucket=bucket, Key="src")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src"})
    assert error_of(e)[0] == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src", "VersionId": marker})
    assert error_of(e)[0::2] == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src", "VersionId": "B" * 32})
    assert error_of(e)[0::2] == ("NoSuchVersion", 404)


def test_delete_objects_with_versions_and_markers(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "never"}]})
    assert out["Deleted"][0]["DeleteMarker"] is True
    marker = out["Deleted"][0]["DeleteMarkerVersionId"]
    assert [m["VersionId"] for m in s3.list_object_versions(Bucket=bucket)["DeleteMarkers"]] == [marker]
    ids = _put_versions(s3, bucket, "k", 2)
    entries = [{"Key": "k", "VersionId": v} for v in ids] + [{"Key": "never", "VersionId": marker}]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": entries})
    assert sorted(d["VersionId"] for d in out["Deleted"]) == sorted([*ids, marker])
    assert next(d for d in out["Deleted"] if d["Key"] == "never")["DeleteMarker"] is True
    listed = s3.list_object_versions(Bucket=bucket)
    assert "Versions" not in listed and "DeleteMarkers" not in listed
    # Idempotent, as in S3.
    assert len(s3.delete_objects(Bucket=bucket, Delete={"Objects": entries})["Deleted"]) == 3


def test_multipart_upload_gets_a_version(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"x" * 10)["ETag"]
    out = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == [out["VersionId"]]


def test_object_tagging_by_version(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "k", 2)
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=ids[0], Tagging={"TagSet": [{"Key": "a", "Value": "0"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=ids[0])["TagSet"] == [{"Key": "a", "Value": "0"}]
    got = s3.get_object_tagging(Bucket=bucket, Key="k")
    assert got["TagSet"] == [] and got["VersionId"] == ids[1]
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=ids[0])
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=ids[0])["TagSet"] == []


def test_versions_keep_a_bucket_from_being_deleted(s3: Any) -> None:
    name = f"vdel-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    _enable(s3, name)
    v = s3.put_object(Bucket=name, Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=name, Key="k")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert error_of(e)[0::2] == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=name, Key="k", VersionId=v)
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert error_of(e)[0] == "BucketNotEmpty"  # the marker alone still counts
    s3.delete_object(Bucket=name, Key="k", VersionId=marker)
    s3.delete_bucket(Bucket=name)


def test_list_object_versions_pages_within_and_across_keys(s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    a = _put_versions(s3, bucket, "a", 3)
    b = _put_versions(s3, bucket, "b", 2)
    s3.delete_object(Bucket=bucket, Key="b")
    _put_versions(s3, bucket, "dir/x", 1)
    _put_versions(s3, bucket, "dir/y", 1)
    seen: list[tuple[str, str, bool]] = []
    pages = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
        pages += 1
        for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            seen.append((v["Key"], v["VersionId"], v["IsLatest"]))
    assert pages == 4  # eight versions and markers, two a page
    keys = [k for k, _, _ in seen]
    assert keys.count("a") == 3 and keys.count("b") == 3 and keys.count("dir/x") == 1
    assert [v for k, v, _ in seen if k == "a"] == a[::-1]
    assert [latest for k, _, latest in seen if k == "a"] == [True, False, False]
    assert {v for k, v, _ in seen if k == "b"} >= set(b)
    grouped = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["dir/"]
    assert {v["Key"] for v in grouped["Versions"]} == {"a", "b"}
    only = s3.list_object_versions(Bucket=bucket, Prefix="dir/")
    assert [v["Key"] for v in only["Versions"]] == ["dir/x", "dir/y"]
    # Continuing after a version of "a" lists a's older versions, then the next keys.
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=a[2], MaxKeys=2)
    assert [v["VersionId"] for v in rest["Versions"]] == [a[1], a[0]]
    assert rest["IsTruncated"] is True and rest["NextKeyMarker"] == "a" and rest["NextVersionIdMarker"] == a[0]
    with pytest.raises(ClientError) as e:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker=a[0])
    assert error_of(e)[0::2] == ("InvalidArgument", 400)


def _user_client(server: Server, inline: str) -> Any:
    iam = server.client("iam")
    name = f"vuser-{uuid.uuid4().hex[:10]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def _retry_new_key(fn: Any) -> Any:
    import time

    deadline = time.monotonic() + 5
    while True:
        try:
            return fn()
        except ClientError as err:
            if err.response["Error"]["Code"] != "InvalidAccessKeyId" or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_version_actions_are_authorized_separately(server: Server, s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "k", 2)
    objects = f"arn:aws:s3:::{bucket}/*"
    user = _user_client(
        server,
        policy(
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject", "s3:ListBucket"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["s3:GetObjectVersion", "s3:DeleteObjectVersion"], "Resource": objects},
        ),
    )
    assert _retry_new_key(lambda: _body(user, bucket, "k")) == b"content-1"
    calls: list[Callable[[], Any]] = [
        lambda: user.get_object(Bucket=bucket, Key="k", VersionId=ids[0]),
        lambda: user.head_object(Bucket=bucket, Key="k", VersionId=ids[0]),
        lambda: user.delete_object(Bucket=bucket, Key="k", VersionId=ids[0]),
        lambda: user.list_object_versions(Bucket=bucket),  # s3:ListBucketVersions, not ListBucket
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="k", VersionId=ids[0])
    assert "s3:GetObjectVersion" in error_of(e)[1]
    out = user.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": ids[0]}]})
    assert out["Errors"][0]["Code"] == "AccessDenied" and "Deleted" not in out
    assert _body(s3, bucket, "k", ids[0]) == b"content-0"
    # A plain delete (a marker) is s3:DeleteObject, which is allowed.
    assert user.delete_object(Bucket=bucket, Key="k")["DeleteMarker"] is True


def test_versionid_condition_key(server: Server, s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = _put_versions(s3, bucket, "k", 2)
    user = _user_client(
        server,
        policy(
            {
                "Effect": "Allow",
                "Action": "s3:GetObjectVersion",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringEquals": {"s3:versionid": ids[0]}},
            }
        ),
    )
    assert _retry_new_key(lambda: _body(user, bucket, "k", ids[0])) == b"content-0"
    with pytest.raises(ClientError) as e:
        user.get_object(Bucket=bucket, Key="k", VersionId=ids[1])
    assert error_of(e)[0] == "AccessDenied"


def test_aws_cli_versions(server: Server, s3: Any, bucket: str, tmp_path: Any) -> None:
    assert aws_cli(server, "s3api", "put-bucket-versioning", "--bucket", bucket,
                   "--versioning-configuration", "Status=Enabled").returncode == 0  # fmt: skip
    ids = _put_versions(s3, bucket, "cli.txt", 2)
    out = aws_cli(server, "s3api", "list-object-versions", "--bucket", bucket)
    assert out.returncode == 0, out.stderr
    assert [v["VersionId"] for v in json.loads(out.stdout)["Versions"]] == ids[::-1]
    target = tmp_path / "old.txt"
    out = aws_cli(server, "s3api", "get-object", "--bucket", bucket, "--key", "cli.txt",
                  "--version-id", ids[0], str(target))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert target.read_bytes() == b"content-0" and json.loads(out.stdout)["VersionId"] == ids[0]
    out = aws_cli(server, "s3api", "delete-object", "--bucket", bucket, "--key", "cli.txt")
    assert json.loads(out.stdout)["DeleteMarker"] is True
    out = aws_cli(server, "s3api", "get-object", "--bucket", bucket, "--key", "cli.txt",
                  "--version-id", "Z" * 32, str(target))  # fmt: skip
    assert out.returncode != 0 and "NoSuchVersion" in out.stderr


def test_aws_cli_markers_deletes_by_id_copies_and_suspension(server: Server, s3: Any, bucket: str) -> None:
    def cli(*args: str) -> dict[str, Any]:
        out = aws_cli(server, "s3api", *args, "--bucket", bucket)
        assert out.returncode == 0, out.stderr
        got: dict[str, Any] = json.loads(out.stdout) if out.stdout.strip() else {}
        return got

    cli("put-bucket-versioning", "--versioning-configuration", "Status=Enabled")
    assert cli("get-bucket-versioning")["Status"] == "Enabled"
    ids = _put_versions(s3, bucket, "k", 2)
    # Copy from a version: the old content under a new key, with a version of its own.
    copied = cli("copy-object", "--key", "restored", "--copy-source", f"{bucket}/k?versionId={ids[0]}")
    assert copied["CopySourceVersionId"] == ids[0] and len(copied["VersionId"]) == 32
    assert _body(s3, bucket, "restored") == b"content-0"
    # A delete marker hides the key and is listed as the latest.
    deleted = cli("delete-object", "--key", "k")
    marker = deleted["VersionId"]
    assert deleted["DeleteMarker"] is True and marker not in ids
    listed = cli("list-object-versions", "--prefix", "k")
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(ids[1], False), (ids[0], False)]
    hidden = aws_cli(server, "s3api", "head-object", "--bucket", bucket, "--key", "k")
    assert hidden.returncode != 0 and "404" in hidden.stderr
    # Deleting the marker by its id restores the newest version; deleting a version by id removes it.
    assert cli("delete-object", "--key", "k", "--version-id", marker) == {"DeleteMarker": True, "VersionId": marker}
    assert _body(s3, bucket, "k") == b"content-1"
    assert cli("delete-object", "--key", "k", "--version-id", ids[1]) == {"VersionId": ids[1]}
    assert _body(s3, bucket, "k") == b"content-0"
    # Suspended: a write replaces the "null" version and older versions stay.
    cli("put-bucket-versioning", "--versioning-configuration", "Status=Suspended")
    assert cli("get-bucket-versioning")["Status"] == "Suspended"
    assert "VersionId" not in cli("put-object", "--key", "k")
    listed = cli("list-object-versions", "--prefix", "k")
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [("null", True), (ids[0], False)]
    refused = aws_cli(server, "s3api", "put-bucket-versioning", "--bucket", bucket,
                      "--versioning-configuration", "Status=Off")  # fmt: skip
    assert refused.returncode != 0 and "(MalformedXML)" in refused.stderr


def test_ids_never_begin_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A version or upload id beginning with "-" cannot follow ``--version-id`` or
    ``--upload-id`` on the AWS CLI's command line: such a draw is drawn again."""
    draws = iter(["-begins-with-a-dash", "fine"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(draws))
    assert versions.opaque_id(24) == "fine"


def test_version_and_upload_ids_pass_as_aws_cli_arguments(server: Server, s3: Any, bucket: str) -> None:
    _enable(s3, bucket)
    ids = [s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"")["VersionId"] for i in range(64)]
    uploads = [s3.create_multipart_upload(Bucket=bucket, Key=f"u{i}")["UploadId"] for i in range(64)]
    assert [i for i in ids + uploads if i.startswith("-")] == []
    out = aws_cli(server, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "k0",
                  "--version-id", ids[0], "--object-attributes", "ObjectSize")  # fmt: skip
    assert out.returncode == 0, out.stderr
    out = aws_cli(server, "s3api", "list-parts", "--bucket", bucket, "--key", "u0", "--upload-id", uploads[0])
    assert out.returncode == 0, out.stderr
