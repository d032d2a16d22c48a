"""scripts/import_cycles.py: credmint's import graph has no cycle, with every import counted
(module level, under ``if TYPE_CHECKING:`` and inside functions)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from scripts import import_cycles


def graph_of(root: Path) -> dict[str, set[str]]:
    known = import_cycles.modules(root)
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        graph[name].update(import_cycles.imports(name, path, known))
    return graph


def test_credmint_has_no_import_cycle() -> None:
    assert import_cycles.cycles(graph_of(import_cycles.ROOT)) == []


#: Two modules importing each other, the second import written each way a cycle hides.
HIDDEN_IMPORTS = {
    "module level": "from pkg import a\n",
    "type checking": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import thing\n",
    "function local": "def f() -> None:\n    from pkg import a\n",
    "relative": "from . import a\n",
}


@pytest.mark.parametrize("second", HIDDEN_IMPORTS.values(), ids=list(HIDDEN_IMPORTS))
def test_a_hidden_import_still_makes_a_cycle(tmp_path: Path, second: str) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\nthing = 1\n")
    (pkg / "b.py").write_text(second)
    (pkg / "c.py").write_text("from pkg import a, b\n")
    assert import_cycles.cycles(graph_of(pkg)) == [["pkg.a", "pkg.b"]]
