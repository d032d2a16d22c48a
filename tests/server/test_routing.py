"""Which requests reach the metrics endpoint, and which stay S3's."""

from __future__ import annotations

import pytest

from credmint.httpreq import HttpRequest, index_headers
from credmint.server.routing import Target, classify

SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=" + "0" * 64
)


def _req(method: str, path: str, query: str = "", headers: tuple[tuple[str, str], ...] = ()) -> HttpRequest:
    hs = (("host", "127.0.0.1:8400"), *headers)
    return HttpRequest(method, path, query, hs, b"", "127.0.0.1", False, index_headers(hs))


@pytest.mark.parametrize(
    "method,path,query,headers,target",
    [
        ("GET", "/metrics", "", (), Target.METRICS),
        ("HEAD", "/metrics", "", (), Target.METRICS),
        ("GET", "/_credmint/metrics", "", (), Target.METRICS),
        # a bucket named "metrics": signed, with a query, or another method is S3's
        ("GET", "/metrics", "", (("authorization", SIGV4),), Target.S3),
        ("GET", "/metrics", "list-type=2", (), Target.S3),
        ("GET", "/metrics", "X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", (), Target.S3),
        ("PUT", "/metrics", "", (), Target.S3),
        ("GET", "/metrics/", "", (), Target.S3),
        ("GET", "/metrics/object", "", (), Target.S3),
        ("GET", "/_credmint/health", "", (), Target.HEALTH),
    ],
)
def test_metrics_target(
    method: str, path: str, query: str, headers: tuple[tuple[str, str], ...], target: Target
) -> None:
    assert classify(_req(method, path, query, headers))[0] is target
