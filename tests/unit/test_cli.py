"""``credmint serve`` option parsing that guards security: the trusted proxy list."""

from __future__ import annotations

import pytest

from credmint.cli.main import trusted_proxies


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", []),
        (" , ", []),
        ("10.0.0.1", ["10.0.0.1"]),
        ("10.0.0.0/8, ::1 ,192.168.0.0/16", ["10.0.0.0/8", "::1", "192.168.0.0/16"]),
    ],
)
def test_trusted_proxies(text: str, parsed: list[str]) -> None:
    assert trusted_proxies(text) == parsed


@pytest.mark.parametrize("text", ["*", "localhost", "10.0.0.0/33", "10.0.0.1;rm", "1.2.3.4/8/8", "\x00"])
def test_anything_but_addresses_is_refused(text: str) -> None:
    # "*" would trust every peer: never by accident.
    with pytest.raises(ValueError):
        trusted_proxies(text)
