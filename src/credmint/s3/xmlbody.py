"""Parsing the small XML request bodies S3 takes (CreateBucketConfiguration, Delete, CompleteMultipartUpload).

defusedxml refuses entity expansion and external references; anything that is not
well-formed XML is S3's ``MalformedXML``. Element names are matched by local name, since
clients send them with or without S3's namespace.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from credmint.s3 import errors as s3_errors

#: Markup a request body may hold: its ``<`` characters (each start, end and empty-element
#: tag has one) and, apart, its ``=`` characters (each attribute has one). The largest
#: document S3 takes, a CompleteMultipartUpload of 10,000 parts each with its number, ETag
#: and checksum, has about 100,000 of the first and 10,000 of the second. A parsed element
#: or attribute costs far more memory than its bytes (60 MiB of ``<a/>`` took more than a
#: gigabyte, 18 MB of attributes on one element half a gigabyte and four seconds), so the
#: counts bound what one request can make the server hold.
MAX_MARKUP = 200_000


def parse(body: bytes) -> Element:
    # Counted at memory speed, before anything is built.
    if body.count(b"<") > MAX_MARKUP or body.count(b"=") > MAX_MARKUP:
        raise s3_errors.MaxMessageLengthExceeded()
    try:
        root: Element = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError):
        raise s3_errors.MalformedXML() from None
    return root


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local(c.tag) == name]


def child_text(element: Element, name: str) -> str | None:
    for c in element:
        if local(c.tag) == name:
            return c.text or ""
    return None
