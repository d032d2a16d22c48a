"""Java-style ``\\p{..}`` patterns of AWS's models (wire/patterns.py) and the generated
Unicode category table they read."""

from __future__ import annotations

import json
import unicodedata

import pytest
from scripts import generate_unicode_categories

from credmint.wire import patterns


def test_the_table_is_what_the_generator_writes_for_this_python() -> None:
    on_disk = json.loads(generate_unicode_categories.OUT.read_text(encoding="utf-8"))
    if on_disk["unidata_version"] != unicodedata.unidata_version:
        pytest.skip(f"table for Unicode {on_disk['unidata_version']}; this Python has {unicodedata.unidata_version}")
    assert on_disk == generate_unicode_categories.table()


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (r"[\p{L}\p{N}]+", "Ünïcödé123", True),
        (r"[\p{L}\p{N}]+", "日本語", True),
        (r"[\p{L}\p{N}]+", "a b", False),
        (r"\p{Z}", "\u00a0", True),
        (r"\p{Z}", "_", False),
        (r"[^\p{L}]+", "123", True),
        (r"\P{N}+", "abc", True),
        (r"\P{N}+", "a1", False),
    ],
)
def test_java_categories(pattern: str, value: str, matches: bool) -> None:
    assert (patterns.compile_java(pattern).fullmatch(value) is not None) is matches


def test_a_table_for_another_unicode_version_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    stale = Path(str(tmp_path)) / "table.json"
    stale.write_text(json.dumps({"unidata_version": "0.0.0", "categories": {"N": [[48, 48]]}}), encoding="utf-8")
    monkeypatch.setattr(patterns, "_TABLE", stale)
    patterns._tabulated.cache_clear()
    try:
        assert patterns._tabulated() == {}
    finally:
        patterns._tabulated.cache_clear()
