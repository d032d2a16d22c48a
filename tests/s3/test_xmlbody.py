"""credmint.s3.xmlbody: S3's small XML request bodies, and the markup one may hold."""

from __future__ import annotations

import pytest

from credmint.errors import AwsError
from credmint.s3 import xmlbody


def _complete(parts: int) -> bytes:
    """A CompleteMultipartUpload of ``parts`` parts, each with its checksum (S3's largest)."""
    one = (
        "<Part><PartNumber>{n}</PartNumber><ETag>\"0123456789abcdef0123456789abcdef\"</ETag>"
        "<ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></Part>"
    )
    return ("<CompleteMultipartUpload>" + "".join(one.format(n=n) for n in range(1, parts + 1))).encode() + (
        b"</CompleteMultipartUpload>"
    )


def test_the_largest_document_s3_takes_parses() -> None:
    root = xmlbody.parse(_complete(10_000))
    assert len(xmlbody.children(root, "Part")) == 10_000


@pytest.mark.parametrize(
    "body",
    [
        b"<Delete>" + b"<a/>" * (xmlbody.MAX_MARKUP) + b"</Delete>",
        _complete(40_000),
        b"<a " + b" ".join(b'x%d="1"' % i for i in range(xmlbody.MAX_MARKUP + 1)) + b"/>",
    ],
    ids=["many-empty-elements", "four-times-the-parts", "many-attributes"],
)
def test_a_document_of_more_markup_is_refused_before_it_is_parsed(body: bytes) -> None:
    with pytest.raises(AwsError) as e:
        xmlbody.parse(body)
    assert (e.value.code, e.value.status) == ("MaxMessageLengthExceeded", 400)


@pytest.mark.parametrize("body", [b"", b"<", b"<a>", b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", b"\xff\xfe"])
def test_what_does_not_parse_is_malformed_xml(body: bytes) -> None:
    with pytest.raises(AwsError) as e:
        xmlbody.parse(body)
    assert e.value.code == "MalformedXML"
