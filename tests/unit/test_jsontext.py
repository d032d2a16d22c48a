from __future__ import annotations

import json
import math
from typing import Any

import pytest

from credmint.jsontext import compact_encoder

VALUES: list[Any] = [
    {"a": 1, "b": [True, False, None], "c": {"d": "é ü \u2028 \x00 \" \\ \n"}},
    {"n": 1.5, "big": 10**30, "neg": -3, "inf": math.inf, "nan": math.nan},
    {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
    ["x", ("tuple", 1), []],
    "just a string ☃",
    42,
    None,
    {"emoji": "\U0001f600", "surrogate-free": "plain"},
]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("value", VALUES)
def test_same_text_as_json_encoder(value: Any, ensure_ascii: bool) -> None:
    reference = json.JSONEncoder(separators=(",", ":"), ensure_ascii=ensure_ascii, check_circular=False)
    assert compact_encoder(ensure_ascii=ensure_ascii)(value) == reference.encode(value)


def test_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        compact_encoder()({"x": object()})
