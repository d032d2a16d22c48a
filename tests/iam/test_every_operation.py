"""Every operation of the botocore IAM model is served: called with no parameters (botocore's
validation off), none answers InvalidAction, a 5xx, or a dropped connection.

The calls run in a fresh account, as its root user, so switches without parameters
(EnableOutboundWebIdentityFederation, GenerateCredentialReport ...) touch nobody else.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.s3.helpers import new_account

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("iam")

@pytest.fixture(scope="module")
def fresh_iam(server: Server) -> Any:
    _, key, secret = new_account(server)
    return server.client(
        "iam", aws_access_key_id=key, aws_secret_access_key=secret, config={"parameter_validation": False}
    )


def _answer(client: Any, operation: str) -> tuple[str, int]:
    try:
        out = client._make_api_call(operation, {})
    except ClientError as err:
        return str(err.response["Error"]["Code"]), int(err.response["ResponseMetadata"]["HTTPStatusCode"])
    return "", int(out["ResponseMetadata"]["HTTPStatusCode"])


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_operation_is_served(fresh_iam: Any, operation: str) -> None:
    code, status = _answer(fresh_iam, operation)
    assert code != "InvalidAction", operation
    assert status < 500, (operation, code, status)
