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


def parse(body: bytes) -> Element:
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
