"""The errors the wire's own parsers answer with, beyond the protocol's (``credmint.errors``)."""

from __future__ import annotations

from credmint import errors


class MalformedPOSTRequest(errors.AwsError):
    """An S3 POST upload whose body is not well-formed ``multipart/form-data`` (form_data.py)."""

    code = "MalformedPOSTRequest"
    status = 400

    def __init__(self) -> None:
        super().__init__("The body of your POST request is not well-formed multipart/form-data.")
