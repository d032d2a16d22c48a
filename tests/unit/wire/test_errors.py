"""credmint.wire.errors: the errors the wire's own parsers answer with, as S3 renders them and
botocore reads them back (the texts are pinned in tests/unit/test_errors.py)."""

from __future__ import annotations

import pytest
from botocore.parsers import RestXMLParser

from credmint.errors import AwsError
from credmint.wire import form_data, render_s3_error
from credmint.wire.errors import MalformedPOSTRequest


def test_a_malformed_upload_body_is_the_parsers_error() -> None:
    with pytest.raises(MalformedPOSTRequest) as info:
        form_data.parse(b"--b\r\nno colon here\r\n\r\nv\r\n--b--", "b")
    assert isinstance(info.value, AwsError)
    assert (info.value.code, info.value.status, info.value.extra) == ("MalformedPOSTRequest", 400, ())


def test_it_renders_as_s3s_error_document() -> None:
    body = render_s3_error(MalformedPOSTRequest(), "req-1", "host-1")
    parsed = RestXMLParser().parse({"body": body, "headers": {}, "status_code": 400}, None)
    assert parsed["Error"]["Code"] == "MalformedPOSTRequest"
    assert parsed["Error"]["Message"] == "The body of your POST request is not well-formed multipart/form-data."
    assert b"<RequestId>req-1</RequestId><HostId>host-1</HostId>" in body
