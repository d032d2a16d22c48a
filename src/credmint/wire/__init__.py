"""Sans-I/O protocol codecs: AWS Query (STS, IAM) and S3 REST-XML, driven by botocore models.

Bytes and flat parameters in, typed values out; typed results and :class:`AwsError` in,
AWS's exact XML out. The only I/O is loading botocore's bundled service models, once.
"""

from credmint.wire.form import parse_form
from credmint.wire.query import QueryService, load_model, query_service, render_result, validation_message
from credmint.wire.s3 import (
    DEFAULT_BASE_DOMAINS,
    S3_NAMESPACE,
    S3Renderer,
    render_s3_error,
    render_s3_result,
    s3_result_headers,
    s3_target,
)
from credmint.wire.xml import render_error

__all__ = [
    "DEFAULT_BASE_DOMAINS",
    "S3_NAMESPACE",
    "QueryService",
    "S3Renderer",
    "load_model",
    "parse_form",
    "query_service",
    "render_error",
    "render_result",
    "render_s3_error",
    "render_s3_result",
    "s3_result_headers",
    "s3_target",
    "validation_message",
]
