"""Compact JSON text (``separators=(",", ":")``) for documents built per request.

``json.JSONEncoder.encode`` builds a new C encoder on every call and walks two layers
of Python before it gets there; on the request path (a session token's claims, an audit
record, each once per credential issued) that setup costs about as much as the encoding
itself. :func:`compact_encoder` builds the C encoder once and returns a function that
only calls it, giving exactly ``JSONEncoder(separators=(",", ":"), ...).encode``'s text.

The documents given to it are trees built fresh by their caller, so there is no check
for cycles (as ``check_circular=False``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _json_encoder
from typing import Any

#: A value to its JSON text.
Encode = Callable[[Any], str]


def compact_encoder(*, ensure_ascii: bool = True) -> Encode:
    """``JSONEncoder(separators=(",", ":"), ensure_ascii=..., check_circular=False).encode``,
    with its C encoder built once."""
    reference = json.JSONEncoder(separators=(",", ":"), ensure_ascii=ensure_ascii, check_circular=False)
    make = getattr(_json_encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return reference.encode
    strings = _json_encoder.encode_basestring_ascii if ensure_ascii else _json_encoder.encode_basestring
    # (markers, default, string encoder, indent, key separator, item separator,
    # sort_keys, skipkeys, allow_nan): JSONEncoder.iterencode's arguments for these options.
    chunks = make(None, reference.default, strings, None, ":", ",", False, False, True)
    join = "".join

    def encode(value: Any) -> str:
        return join(chunks(value, 0))

    return encode
