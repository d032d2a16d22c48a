"""aws:PrincipalOrgID / PrincipalOrgPaths / ResourceOrgID on requests from organization accounts:
the common "only my organization may read this bucket" bucket policy."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.orgs.helpers import Account, Organization, client, make_user, unique

pytestmark = pytest.mark.e2e


def test_bucket_policy_admits_only_the_organization(server: Server) -> None:
    org = Organization.create(server)
    member = org.add_member()
    bucket = unique("orgonly")
    owner_s3 = client(server, "s3", org.admin.creds)
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.put_object(Bucket=bucket, Key="report", Body=b"for the organization")
    owner_s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {
                            "StringEquals": {"aws:PrincipalOrgID": org.org_id},
                            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{org.org_id}/{org.root_id}/*"]},
                        },
                    }
                ],
            }
        ),
    )
    # An administrator of the member account (an identity allow in its own account) gets in...
    member_admin = client(server, "s3", org.enter(member))
    assert member_admin.get_object(Bucket=bucket, Key="report")["Body"].read() == b"for the organization"
    # ...an administrator of an account outside the organization does not.
    outsider = make_user(server, Account.create(server).root)
    with pytest.raises(ClientError) as exc:
        client(server, "s3", outsider.creds).get_object(Bucket=bucket, Key="report")
    assert exc.value.response["Error"]["Code"] == "AccessDenied"


def test_org_keys_in_the_policy_simulator_context(server: Server) -> None:
    """The keys reach the decision context (seen through DecodeAuthorizationMessage)."""
    org = Organization.create(server)
    nobody = make_user(server, org.management.root, policy=None)
    with pytest.raises(ClientError) as exc:
        # STS's denials carry the encoded message (IAM's do not).
        client(server, "sts", nobody.creds).get_federation_token(Name="keys")
    encoded = exc.value.response["Error"]["Message"].split("Encoded authorization failure message: ", 1)[1]
    decoded = json.loads(
        client(server, "sts", org.management.root).decode_authorization_message(EncodedMessage=encoded)[
            "DecodedMessage"
        ]
    )
    keys = {c["key"]: [v["value"] for v in c["values"]["items"]] for c in decoded["context"]["conditions"]["items"]}
    assert keys["aws:principalorgid"] == [org.org_id]
    assert keys["aws:principalorgpaths"] == [f"{org.org_id}/{org.root_id}/"]
