"""What a federated identity may ask of its session, checked the same way whichever way
it is asked: SAML attributes (``saml.py``) and OIDC claims (``oidc.py``). Pure.

Theory of operation
-------------------
An identity provider, not the caller of IAM, names a session's principal tags, their
transitive keys, its source identity (and, for SAML, its role session name). These values
end up in session tokens, in the store, in trust-policy condition keys and echoed in XML
responses, so each one is checked against the rule STS applies to the same value passed
as a parameter (AssumeRole's ``Tags``, ``SourceIdentity``, ``RoleSessionName``): the
model's patterns, read as AWS's Java regular expressions read them (``\\w`` is ASCII
there; ``\\p{L}`` is any letter). Anything outside them — NUL and other control
characters, ``*``, ``<``, ``>``, ``&``, a trailing newline — is refused, never cleaned up.

Each rule has one owner, here; a caller maps a refusal to its own wording
(:class:`Refusal`), as SAML and OIDC word theirs differently.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable

#: STS's bound on the session tags of one session.
MAX_SESSION_TAGS = 50
#: The model's bounds on a tag key and a tag value (``tagKeyType``, ``tagValueType``).
TAG_KEY_CHARS = (1, 128)
TAG_VALUE_CHARS = (0, 256)
#: Beside letters (``\p{L}``), separators (``\p{Z}``) and numbers (``\p{N}``), the
#: characters the model's tag pattern ``[\p{L}\p{Z}\p{N}_.:/=+\-@]*`` allows.
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_TAG_CATEGORIES = frozenset("LZN")
#: ``sourceIdentityType`` and ``roleSessionNameType``: ``[\w+=,.@-]*``, ``\w`` being ASCII
#: in AWS's (Java) patterns (``wire/patterns.py``, which this layer may not import), 2 to 64
#: characters (the API reference's bound for both). ``fullmatch``: ``$`` would let a
#: trailing newline through.
_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{2,64}")
#: "You cannot use a value that begins with the text aws:" (SourceIdentity); the prefix is
#: AWS's own, in any case.
RESERVED_PREFIX = "aws:"


def _tag_char(c: str) -> bool:
    return c in _TAG_PUNCTUATION or unicodedata.category(c)[0] in _TAG_CATEGORIES


def tag_key_ok(key: str) -> bool:
    low, high = TAG_KEY_CHARS
    return low <= len(key) <= high and all(_tag_char(c) for c in key)


def tag_value_ok(value: str) -> bool:
    low, high = TAG_VALUE_CHARS
    return low <= len(value) <= high and all(_tag_char(c) for c in value)


def source_identity_ok(value: str) -> bool:
    return _NAME.fullmatch(value) is not None and not value.lower().startswith(RESERVED_PREFIX)


def role_session_name_ok(value: str) -> bool:
    return _NAME.fullmatch(value) is not None


class Refusal(enum.Enum):
    #: A key or value outside the tag pattern or its length.
    TAG = "tag"
    #: Two keys that differ only by case (tag keys are case-insensitive in IAM).
    DUPLICATE = "duplicate"
    TOO_MANY = "too many"
    #: A transitive key that names no session tag.
    TRANSITIVE = "transitive"


class SessionRuleError(ValueError):
    def __init__(self, refusal: Refusal, key: str = "") -> None:
        super().__init__(f"{refusal.value}: {key}")
        self.refusal = refusal
        self.key = key


def session_tags(
    tags: Iterable[tuple[str, str]], transitive: Iterable[str]
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The principal tags (in the order given) and transitive keys a provider asks for,
    or :class:`SessionRuleError` for the first rule they break."""
    kept: dict[str, tuple[str, str]] = {}
    for key, value in tags:
        if not tag_key_ok(key) or not tag_value_ok(value):
            raise SessionRuleError(Refusal.TAG, key)
        if key.lower() in kept:
            raise SessionRuleError(Refusal.DUPLICATE, key)
        kept[key.lower()] = (key, value)
    if len(kept) > MAX_SESSION_TAGS:
        raise SessionRuleError(Refusal.TOO_MANY)
    transitive = tuple(transitive)
    for key in transitive:
        if key.lower() not in kept:
            raise SessionRuleError(Refusal.TRANSITIVE, key)
    return tuple(kept.values()), transitive
