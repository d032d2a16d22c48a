"""Self-contained, sealed session tokens (``DESIGN.md``: "Session tokens are self-contained
and sealed").

A session token carries everything needed to verify and authorize a request made with
its temporary credentials — the temporary secret, the principal, issue and expiry time,
MFA state, session policies, tags, source identity — so any node can verify any token
without a lookup. It is sealed with AES-256-GCM under a *token key*; token keys rotate and
are kept (encrypted under the master key) until every token they sealed has expired.

Token layout (then standard base64, the alphabet of AWS session tokens)::

    header = format (1 byte) || len(key_id) (1 byte) || key_id (ASCII)
    token  = header || nonce (12 random bytes) || AES-256-GCM(payload) || tag

    format 0x01: payload = raw deflate(JSON claims)
    format 0x02: payload = JSON claims, for claims of at most 512 bytes

The associated data is ``header || access_key_id``: the key id travels in clear so the
right key can be found, but it is authenticated, and a token presented with any access
key id other than its own fails exactly like a forged one. The access key id is therefore
not repeated inside the payload. Claims are JSON with short names, omitting defaults, and
raw-deflated when that pays: a session with a 2 KB session policy stays around 1 KB of
token. Claims of at most :data:`_PLAIN_MAX_BYTES` (every session without policies, tags or
federation claims) travel uncompressed: setting up a deflate stream to seal them, and an
inflate stream to open them on every request they sign, costs more than the ~50 bytes of
token it saves. The format byte is in the associated data, so it cannot be switched.

Error order, as AWS (``reference/aws-behavior.md`` §2.5): authenticity first — anything
malformed, forged, for another key id, or sealed by an unknown key is
``InvalidClientTokenId``; only an authentic token can be ``ExpiredToken``. The errors use
STS's wording; the edge re-maps them for IAM (no final period) and S3
(``InvalidAccessKeyId``/``InvalidToken``) by code.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import json
import secrets
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credmint import errors
from credmint.ids import AccessKeyId, AccountId, is_account_id, is_temporary_access_key_id
from credmint.jsontext import compact_encoder
from credmint.sealing import MasterKey

#: The longest session AWS issues (GetSessionToken / GetFederationToken, 36 h). A retired
#: token key stays readable this long after rotation, so no token outlives its key.
MAX_SESSION_SECONDS = 129_600
#: Claims format understood by :func:`open_token`. Version 2 is version 1 plus scope-down
#: policies (GetScopedCredentials); a token is sealed as version 2 only when it carries
#: them, so a node that knows only version 1 refuses a scoped token instead of reading it
#: without its scope (fail closed), and every other token stays readable by such a node.
CLAIMS_VERSION = 1
SCOPED_CLAIMS_VERSION = 2
_KNOWN_VERSIONS = frozenset({CLAIMS_VERSION, SCOPED_CLAIMS_VERSION})
#: GetScopedCredentials layers at most this many scope-down policies on one session
#: (the STS model's ScopedPoliciesCount documentation).
MAX_SCOPE_POLICIES = 3
#: Tokens longer than this are neither issued nor read. A token travels in a request
#: header, and servers cap the header block (h11, under uvicorn, at 16 KiB in all), so a
#: longer token could not be used anyway. Issuance stays far below: AWS bounds session
#: policies and tags with PackedPolicyTooLarge (a 2 KB policy + 10 ARNs seal to ~1.4 KB;
#: + 50 tags of 20/40 characters to ~4.6 KB).
MAX_TOKEN_CHARS = 12_288

_FORMAT_DEFLATED = 0x01
_FORMAT_PLAIN = 0x02
#: The format bytes a token may start with (``keystore.token_key_id`` reads them too).
TOKEN_FORMATS = frozenset({_FORMAT_DEFLATED, _FORMAT_PLAIN})
#: Claims up to this size are sealed as they are (see the module docstring).
_PLAIN_MAX_BYTES = 512
_NONCE_BYTES = 12
#: The random bytes a caller of :func:`seal_token` passes as its nonce.
TOKEN_NONCE_BYTES = _NONCE_BYTES
_TAG_BYTES = 16
_KEY_BYTES = 32
#: Cap on the inflated payload: an authentic token never comes near it, and it bounds the
#: work even if a key were ever misused.
_MAX_PAYLOAD_BYTES = 256 * 1024
_TOKEN_KEY_AAD = b"credmint:token-key:"


class TokenTooLargeError(ValueError):
    """The claims would seal to more than ``MAX_TOKEN_CHARS``. Issuance should have
    refused them first with ``PackedPolicyTooLarge``; map it to that if it gets here."""


class PrincipalKind(enum.StrEnum):
    USER = "user"
    ROOT = "root"
    ASSUMED_ROLE = "assumed-role"
    FEDERATED_USER = "federated-user"


class IssuingCall(enum.StrEnum):
    """The STS action that minted the session (decides what the session may call next)."""

    GET_SESSION_TOKEN = "GetSessionToken"
    GET_FEDERATION_TOKEN = "GetFederationToken"
    ASSUME_ROLE = "AssumeRole"
    ASSUME_ROLE_WITH_SAML = "AssumeRoleWithSAML"
    ASSUME_ROLE_WITH_WEB_IDENTITY = "AssumeRoleWithWebIdentity"
    ASSUME_ROOT = "AssumeRoot"


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionClaims:
    """What a session token asserts. Immutable and hashable.

    Sequences given as lists are stored as tuples. ``federation`` holds a few string facts
    from SAML / web identity federation (provider ARN, subject, subject type, audience,
    issuer, name qualifier …) as sorted ``(name, value)`` pairs; read it with
    :attr:`federation_map`.
    """

    kind: IssuingCall
    access_key_id: AccessKeyId  # ASIA…
    secret_access_key: str
    account_id: AccountId
    principal_kind: PrincipalKind
    #: What GetCallerIdentity returns: user ARN, ``…:root``, the assumed-role session ARN
    #: ``arn:aws:sts::<a>:assumed-role/<role>/<session>``, or the federated-user ARN.
    principal_arn: str
    #: ``aws:userid``: ``AIDA…``, ``AROA…:<session>``, ``<account>:<name>`` or ``<account>``.
    principal_id: str
    issued_at: int
    expires_at: int
    #: For role sessions: the role ARN (``aws:PrincipalArn``) …
    role_arn: str | None = None
    #: … and the ARN of the caller that assumed it (for SAML / web identity: the provider).
    assumed_by_arn: str | None = None
    session_name: str | None = None
    mfa_authenticated: bool = False
    mfa_auth_time: int | None = None
    session_policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    session_tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    role_chained: bool = False
    federation: tuple[tuple[str, str], ...] = ()
    #: Scope-down policies added by GetScopedCredentials, oldest first. Each one must allow
    #: a request on its own (they intersect; AWS's "scope down policy layers").
    scope_policies: tuple[str, ...] = ()
    #: Pads the sealed token to a requested minimum size (MinimumSessionTokenSize); random,
    #: so it does not compress away. Carries no meaning.
    padding: str | None = None
    version: int = CLAIMS_VERSION

    def __post_init__(self) -> None:
        # Coerce to the hashable forms and fail early on claims no token should carry. Every
        # issuance and every opened token builds claims, most of them with the right types
        # and no tags, federation facts or policies: those skip the rebuilding.
        if type(self.kind) is not IssuingCall:
            object.__setattr__(self, "kind", IssuingCall(self.kind))
        if type(self.principal_kind) is not PrincipalKind:
            object.__setattr__(self, "principal_kind", PrincipalKind(self.principal_kind))
        if type(self.policy_arns) is not tuple:
            object.__setattr__(self, "policy_arns", tuple(self.policy_arns))
        if self.session_tags or type(self.session_tags) is not tuple:
            object.__setattr__(self, "session_tags", tuple((str(k), str(v)) for k, v in self.session_tags))
        if type(self.transitive_tag_keys) is not tuple:
            object.__setattr__(self, "transitive_tag_keys", tuple(self.transitive_tag_keys))
        if self.federation or type(self.federation) is not tuple:
            object.__setattr__(self, "federation", tuple(sorted((str(k), str(v)) for k, v in self.federation)))
        if type(self.scope_policies) is not tuple:
            object.__setattr__(self, "scope_policies", tuple(self.scope_policies))
        if len(self.scope_policies) > MAX_SCOPE_POLICIES:
            raise ValueError(f"at most {MAX_SCOPE_POLICIES} scope-down policies")
        if not is_temporary_access_key_id(self.access_key_id):
            raise ValueError("a session's access key id is an ASIA key id")
        if not is_account_id(self.account_id):
            raise ValueError("account id must be 12 digits")
        if not 0 < self.expires_at - self.issued_at <= MAX_SESSION_SECONDS:
            # Key retirement relies on no session outliving MAX_SESSION_SECONDS.
            raise ValueError("session duration must be within (0, MAX_SESSION_SECONDS]")
        if self.mfa_auth_time is not None and not self.mfa_authenticated:
            raise ValueError("mfa_auth_time without mfa_authenticated")

    @property
    def federation_map(self) -> dict[str, str]:
        return dict(self.federation)

    @property
    def duration_seconds(self) -> int:
        return self.expires_at - self.issued_at

    def is_expired(self, now_epoch: int) -> bool:
        # Expiration = issue time + DurationSeconds exactly; at that instant it is over.
        return now_epoch >= self.expires_at


# --- token keys -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenKey:
    key_id: str
    secret: bytes = field(repr=False)
    created_at: int
    #: None while active or not yet rotated out; after rotation the instant at which every
    #: token it sealed has expired.
    retire_after: int | None = None

    def usable_at(self, now_epoch: int) -> bool:
        return self.retire_after is None or now_epoch < self.retire_after


@dataclass(frozen=True, slots=True)
class TokenKeyring:
    """The token keys, one of them active (the one that seals). Pure values: rotation
    returns a new keyring, which the store writes with a conditional update."""

    keys: tuple[TokenKey, ...]
    active_key_id: str

    def __post_init__(self) -> None:
        ids = [k.key_id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate token key id")
        if self.active_key_id not in ids:
            raise ValueError("the active token key is not in the keyring")
        for key in self.keys:
            if len(key.secret) != _KEY_BYTES:
                raise ValueError("token keys are 32 bytes")
            if not 1 <= len(key.key_id) <= 255 or not key.key_id.isascii():
                raise ValueError("token key ids are 1-255 ASCII characters")
        if self.active.retire_after is not None:
            raise ValueError("the active token key cannot be retiring")

    @classmethod
    def create(cls, now_epoch: int) -> TokenKeyring:
        """A keyring with one fresh active key."""
        key = TokenKey(_new_key_id(()), secrets.token_bytes(_KEY_BYTES), now_epoch)
        return cls((key,), key.key_id)

    @property
    def active(self) -> TokenKey:
        for key in self.keys:
            if key.key_id == self.active_key_id:
                return key
        raise AssertionError("unreachable: checked in __post_init__")

    def get(self, key_id: str) -> TokenKey | None:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        return None

    def needs_rotation(self, now_epoch: int, max_age_seconds: int) -> bool:
        return now_epoch - self.active.created_at >= max_age_seconds

    def rotate(self, now_epoch: int) -> TokenKeyring:
        """A new active key; the previous active key retires once its longest possible
        session is over (``now + MAX_SESSION_SECONDS``). Already retiring keys keep their date."""
        old = tuple(
            replace(k, retire_after=now_epoch + MAX_SESSION_SECONDS) if k.retire_after is None else k for k in self.keys
        )
        new = TokenKey(_new_key_id(k.key_id for k in old), secrets.token_bytes(_KEY_BYTES), now_epoch)
        return TokenKeyring((*old, new), new.key_id)

    def prune(self, now_epoch: int) -> TokenKeyring:
        """Drop keys whose tokens have all expired. The active key always stays."""
        kept = tuple(k for k in self.keys if k.key_id == self.active_key_id or k.usable_at(now_epoch))
        return TokenKeyring(kept, self.active_key_id)


def _new_key_id(existing: Iterable[str]) -> str:
    # Random rather than a counter so two nodes rotating at once cannot mint the same id
    # (the store's conditional write keeps one of the two keyrings).
    taken = set(existing)
    while True:
        key_id = secrets.token_hex(4)
        if key_id not in taken:
            return key_id


@dataclass(frozen=True, slots=True)
class TokenKeyRecord:
    """A token key as the store persists it: the key itself sealed under the master key."""

    key_id: str
    sealed_key: bytes
    created_at: int
    retire_after: int | None
    active: bool


def keyring_to_records(keyring: TokenKeyring, master: MasterKey) -> list[TokenKeyRecord]:
    """Seal every key under ``master``, bound to its key id (a sealed key copied onto
    another row does not open)."""
    return [
        TokenKeyRecord(
            key_id=k.key_id,
            sealed_key=master.seal(k.secret, _TOKEN_KEY_AAD + k.key_id.encode("ascii")),
            created_at=k.created_at,
            retire_after=k.retire_after,
            active=k.key_id == keyring.active_key_id,
        )
        for k in keyring.keys
    ]


def keyring_from_records(records: Iterable[TokenKeyRecord], master: MasterKey) -> TokenKeyring:
    """The keyring back from the store. :class:`credmint.sealing.UnsealError` if a key
    does not open under ``master``; :class:`ValueError` unless exactly one is active."""
    records = list(records)
    active = [r.key_id for r in records if r.active]
    if len(active) != 1:
        raise ValueError(f"expected exactly one active token key, found {len(active)}")
    keys = tuple(
        TokenKey(
            key_id=r.key_id,
            secret=master.open(r.sealed_key, _TOKEN_KEY_AAD + r.key_id.encode("ascii")),
            created_at=r.created_at,
            retire_after=r.retire_after,
        )
        for r in records
    )
    return TokenKeyring(keys, active[0])


# --- sealing and opening ----------------------------------------------------------------


def seal_token(claims: SessionClaims, keyring: TokenKeyring, nonce: bytes | None = None) -> str:
    """The session token for ``claims``, sealed by the keyring's active key.

    ``nonce`` is 12 fresh random bytes when the caller drew them already (issuance reads
    the system's randomness once for key id, secret and nonce); a new one otherwise.
    :class:`TokenTooLargeError` if it would exceed ``MAX_TOKEN_CHARS``."""
    key = keyring.active
    if nonce is None:
        nonce = secrets.token_bytes(_NONCE_BYTES)
    elif len(nonce) != _NONCE_BYTES:
        raise ValueError(f"a token nonce is {_NONCE_BYTES} bytes")
    payload = _encode_claims(claims)
    if len(payload) <= _PLAIN_MAX_BYTES:
        header = _header(key.key_id, _FORMAT_PLAIN)
    else:
        header = _header(key.key_id, _FORMAT_DEFLATED)
        # Raw deflate (no zlib header or checksum); level 6 packs these small JSON payloads
        # as tightly as 9 does, for less time on every issuance. A 4 KiB window and memLevel
        # 4 cover the whole payload (a few KiB with a session policy) yet set up a tenth of
        # the default's state. Tokens inflate with the largest window, so any window opens.
        compressor = zlib.compressobj(6, zlib.DEFLATED, -12, 4)
        payload = compressor.compress(payload) + compressor.flush()
    aad = header + claims.access_key_id.encode("ascii")
    sealed = header + nonce + _aead(key.secret).encrypt(nonce, payload, aad)
    token = binascii.b2a_base64(sealed, newline=False).decode("ascii")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenTooLargeError(f"session token would be {len(token)} characters (limit {MAX_TOKEN_CHARS})")
    return token


def open_token(token: str, access_key_id: str, keyring: TokenKeyring, now_epoch: int) -> SessionClaims:
    """The claims of ``token`` presented with ``access_key_id``, at ``now_epoch``.

    Raises ``InvalidClientTokenId`` for anything not authentic (malformed, altered, other
    key id, unknown or pruned token key) and then ``ExpiredToken`` if it is past expiry.
    """
    claims, key = _authenticate(token, access_key_id, keyring)
    if claims.is_expired(now_epoch) or not key.usable_at(now_epoch):
        # A retired key's tokens have all expired by construction; checked anyway.
        raise errors.ExpiredToken()
    return claims


def _authenticate(token: str, access_key_id: str, keyring: TokenKeyring) -> tuple[SessionClaims, TokenKey]:
    invalid = errors.InvalidClientTokenId
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not token.isascii():
        raise invalid()
    if not access_key_id.isascii() or not is_temporary_access_key_id(access_key_id):
        raise invalid()
    try:
        blob = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise invalid() from None
    # Only the canonical encoding is the token: otherwise flipping the unused low bits of
    # the last character would give a different string that opens all the same.
    if base64.b64encode(blob).decode("ascii") != token:
        raise invalid()
    parsed = _split(blob)
    if parsed is None:
        raise invalid()
    header, key_id, nonce, sealed = parsed
    key = keyring.get(key_id)
    if key is None:
        raise invalid()
    try:
        payload = _aead(key.secret).decrypt(nonce, sealed, header + access_key_id.encode("ascii"))
    except InvalidTag:
        raise invalid() from None
    try:
        if header[0] == _FORMAT_PLAIN:
            # Authentic, so sealed by a node that kept it under _PLAIN_MAX_BYTES; the
            # token's length bounds it in any case.
            raw = payload
        else:
            inflater = zlib.decompressobj(-15)
            raw = inflater.decompress(payload, _MAX_PAYLOAD_BYTES)
            if inflater.unconsumed_tail or not inflater.eof:
                raise ValueError("payload too large or truncated")
        return _decode_claims(raw, access_key_id), key
    except (zlib.error, ValueError, TypeError, KeyError):
        # Authentic but unreadable: a claims version this node does not know, or a bug.
        raise invalid() from None


@functools.lru_cache(maxsize=64)
def _header(key_id: str, token_format: int) -> bytes:
    raw = key_id.encode("ascii")
    return bytes((token_format, len(raw))) + raw


def _split(blob: bytes) -> tuple[bytes, str, bytes, bytes] | None:
    if len(blob) < 2 or blob[0] not in TOKEN_FORMATS:
        return None
    end = 2 + blob[1]
    if blob[1] == 0 or len(blob) < end + _NONCE_BYTES + _TAG_BYTES:
        return None
    try:
        key_id = blob[2:end].decode("ascii")
    except UnicodeDecodeError:
        return None
    return blob[:end], key_id, blob[end : end + _NONCE_BYTES], blob[end + _NONCE_BYTES :]


@functools.lru_cache(maxsize=64)
def _aead(secret: bytes) -> AESGCM:
    # Building the AES key schedule per request is avoidable work on the hot path.
    return AESGCM(secret)


# --- claims encoding --------------------------------------------------------------------
# Short names and omitted defaults keep the token small; the names are part of the
# format: change them only with CLAIMS_VERSION.


#: JSON text of a string (quoted, non-ASCII as is: the claims are UTF-8) and of any value,
#: as ``json.dumps(..., separators=(",", ":"), ensure_ascii=False)`` writes them.
_quote = encode_basestring
_encode_json = compact_encoder(ensure_ascii=False)


def _encode_claims(c: SessionClaims) -> bytes:
    # The text of ``json.dumps`` of a dict of these members in this order, optional ones
    # only when set (a test pins the bytes against that reference), written out: one
    # string built per token instead of a dict and an encoder pass over it.
    text = (
        f'{{"v":{SCOPED_CLAIMS_VERSION if c.scope_policies else CLAIMS_VERSION}'
        f',"k":{_quote(c.kind.value)},"s":{_quote(c.secret_access_key)},"a":{_quote(c.account_id)}'
        f',"pk":{_quote(c.principal_kind.value)},"pa":{_quote(c.principal_arn)},"pi":{_quote(c.principal_id)}'
        f',"ia":{_encode_json(c.issued_at)},"d":{_encode_json(c.expires_at - c.issued_at)}'
    )
    if c.role_arn is not None:
        text += ',"ra":' + _quote(c.role_arn)
    if c.assumed_by_arn is not None:
        text += ',"ab":' + _quote(c.assumed_by_arn)
    if c.session_name is not None:
        text += ',"sn":' + _quote(c.session_name)
    if c.mfa_authenticated:
        text += ',"m":1'
    if c.mfa_auth_time is not None:
        text += ',"mt":' + _encode_json(c.mfa_auth_time)
    if c.session_policy is not None:
        text += ',"p":' + _quote(c.session_policy)
    if c.policy_arns:
        text += ',"pr":' + _encode_json(c.policy_arns)
    if c.session_tags:
        text += ',"t":' + _encode_json(c.session_tags)
    if c.transitive_tag_keys:
        text += ',"tt":' + _encode_json(c.transitive_tag_keys)
    if c.source_identity is not None:
        text += ',"si":' + _quote(c.source_identity)
    if c.role_chained:
        text += ',"rc":1'
    if c.federation:
        text += ',"f":' + _encode_json(dict(c.federation))
    if c.scope_policies:
        text += ',"sc":' + _encode_json(c.scope_policies)
    if c.padding is not None:
        text += ',"z":' + _quote(c.padding)
    return (text + "}").encode("utf-8")


def _decode_claims(raw: bytes, access_key_id: str) -> SessionClaims:
    d = json.loads(raw.decode("utf-8"))
    if not isinstance(d, dict) or d.get("v") not in _KNOWN_VERSIONS:
        raise ValueError("unknown claims version")
    scopes = _list(d.get("sc", []))
    if bool(scopes) != (d["v"] == SCOPED_CLAIMS_VERSION):
        # Scope-down policies travel only in version 2, and version 2 always has them.
        raise ValueError("scope-down policies and claims version disagree")
    issued_at = _int(d["ia"])
    tags = d.get("t", [])
    fed = d.get("f", {})
    if not isinstance(tags, list) or not all(isinstance(t, list) and len(t) == 2 for t in tags):
        raise ValueError("bad tags")
    if not isinstance(fed, dict):
        raise ValueError("bad federation")
    return SessionClaims(
        version=_int(d["v"]),
        kind=IssuingCall(_str(d["k"])),
        access_key_id=AccessKeyId(access_key_id),
        secret_access_key=_str(d["s"]),
        account_id=AccountId(_str(d["a"])),
        principal_kind=PrincipalKind(_str(d["pk"])),
        principal_arn=_str(d["pa"]),
        principal_id=_str(d["pi"]),
        issued_at=issued_at,
        expires_at=issued_at + _int(d["d"]),
        role_arn=_opt_str(d.get("ra")),
        assumed_by_arn=_opt_str(d.get("ab")),
        session_name=_opt_str(d.get("sn")),
        mfa_authenticated=d.get("m") == 1,
        mfa_auth_time=None if d.get("mt") is None else _int(d["mt"]),
        session_policy=_opt_str(d.get("p")),
        policy_arns=tuple(_str(a) for a in _list(d.get("pr", []))),
        session_tags=tuple((_str(k), _str(v)) for k, v in tags),
        transitive_tag_keys=tuple(_str(k) for k in _list(d.get("tt", []))),
        source_identity=_opt_str(d.get("si")),
        role_chained=d.get("rc") == 1,
        federation=tuple((_str(k), _str(v)) for k, v in fed.items()),
        scope_policies=tuple(_str(p) for p in scopes),
        padding=_opt_str(d.get("z")),
    )


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value
