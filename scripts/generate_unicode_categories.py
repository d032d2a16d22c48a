"""Write ``src/credmint/data/unicode_categories.json``: the code-point ranges of the Unicode
general categories AWS's models use in ``\\p{..}`` patterns, for the Python's Unicode version.

    python scripts/generate_unicode_categories.py

``credmint.wire.patterns`` reads the table when its Unicode version is the running
Python's, and otherwise computes the ranges itself (a scan of every code point, about a
third of a second per category). A test regenerates the table and compares.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from credmint.wire.patterns import CATEGORIES, scan_category_ranges

OUT = Path(__file__).resolve().parent.parent / "src" / "credmint" / "data" / "unicode_categories.json"


def table() -> dict[str, object]:
    return {
        "unidata_version": unicodedata.unidata_version,
        "categories": {c: scan_category_ranges(c) for c in CATEGORIES},
    }


def main() -> None:
    OUT.write_text(json.dumps(table(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
