"""The probe the issue's "done when" names: every operation in the installed botocore STS
model reaches a handler (any answer but ``InvalidAction``), and minimal nonsense input gets a
caller's error, not a server error."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import Shape

from credmint.testing.accounts import Account

pytestmark = pytest.mark.e2e

STS_MODEL = botocore.session.get_session().get_service_model("sts")


def minimal(shape: Shape) -> Any:
    """A value of ``shape`` that passes botocore's own validation (length, range, required)."""
    if shape.type_name == "structure" and shape.is_tagged_union:
        first = next(iter(shape.members))
        return {first: minimal(shape.members[first])}
    if shape.type_name == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if shape.type_name == "list":
        return [minimal(shape.member)] * max(1, shape.metadata.get("min", 0))
    if shape.type_name == "integer":
        return shape.metadata.get("min", 1)
    if shape.type_name == "boolean":
        return False
    if shape.type_name == "string":
        if shape.enum:
            return shape.enum[0]
        return "a" * max(shape.metadata.get("min", 1), 1)
    raise AssertionError(f"no minimal value for {shape.type_name}")


@pytest.mark.parametrize("operation", STS_MODEL.operation_names)
def test_operation_is_served(credmint_account: Account, operation: str) -> None:
    sts = credmint_account.client("sts")
    op = STS_MODEL.operation_model(operation)
    params = minimal(op.input_shape) if op.input_shape is not None else {}
    method = getattr(sts, botocore.xform_name(operation))
    try:
        method(**params)
    except ClientError as exc:
        assert exc.response["Error"]["Code"] != "InvalidAction", operation
        # Nonsense input is the caller's fault, never a server error.
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] < 500, exc.response["Error"]
