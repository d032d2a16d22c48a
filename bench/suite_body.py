"""One test of the suite-overhead benchmark, the same for moto and credmint.

It needs only boto3 (the moto side runs in an interpreter that has moto and no
credmint): create a user, give it a policy and a key, then act as the user on STS
and S3. ``client(service, credentials)`` makes the client (credentials ``None``:
the account's root / moto's default).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:CreateBucket", "s3:PutObject", "s3:GetObject"], "Resource": "*"}
        ],
    }
)

ClientFactory = Callable[[str, "dict[str, str] | None"], Any]


def one_test(client: ClientFactory, n: int) -> None:
    iam = client("iam", None)
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="s3", PolicyDocument=POLICY)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    creds = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    arn = client("sts", creds).get_caller_identity()["Arn"]
    assert arn.endswith(":user/alice"), arn
    s3 = client("s3", creds)
    # Bucket names are global in S3 (and in both servers): one per test.
    bucket = f"suite-{n}-{arn.split(':')[4]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
