"""Every operation of the botocore Organizations model is served: none answers
UnknownOperationException.

Each is called with no parameters (client-side validation off), so the server answers
with its own validation, authorization or not-found error, or a result; only an
operation missing from the table would answer UnknownOperationException.
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from credmint.orgs.service import OPERATIONS
from tests.conftest import Server
from tests.orgs.helpers import Organization

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("organizations")


def test_the_operation_table_covers_the_model() -> None:
    assert sorted(set(MODEL.operation_names) - set(OPERATIONS)) == []


def test_no_operation_is_unknown(server: Server) -> None:
    org = Organization.create(server)
    orgs = server.client(
        "organizations",
        aws_access_key_id=org.management.root.access_key_id,
        aws_secret_access_key=org.management.root.secret_access_key,
        config={"parameter_validation": False},
    )
    unknown = []
    # DeleteOrganization last: every other call still finds the organization.
    names = sorted(MODEL.operation_names, key=lambda n: n == "DeleteOrganization")
    for name in names:
        try:
            getattr(orgs, xform_name(name))()
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
            assert status < 500, (name, code)
            if code == "UnknownOperationException":
                unknown.append(name)
    assert unknown == []
