"""What a request claims about its signature: the parsed, not yet verified, SigV4 fields.

Its own module because both the parser (``parse``) and the checks on a parsed signature
(``checks``) work on it, and the parser runs those checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class SignedRequest(NamedTuple):
    """What a request claims about its signature, parsed but not yet verified.

    Immutable; a named tuple because one is built per request and builds several times
    faster than a frozen dataclass.
    """

    access_key_id: str
    #: The raw ``Credential`` value (``AKID/date/region/service/aws4_request``).
    credential: str
    #: ISO-8601 basic timestamp as it enters the string to sign.
    amz_date: str
    request_time: datetime
    scope_date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str
    security_token: str | None
    presigned: bool
    expires: int | None
    #: ``x-amz-content-sha256`` (header auth) or ``X-Amz-Content-Sha256`` (presigned), as sent.
    content_sha256: str | None
    #: The raw ``SignedHeaders`` value, which is what the canonical request repeats.
    signed_headers_raw: str = ""

    @property
    def scope(self) -> str:
        """The credential scope exactly as the client sent it (it enters the string to sign)."""
        return self.credential.partition("/")[2]
