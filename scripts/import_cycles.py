"""Print the import cycles of ``credmint``, counting every import.

    .venv/bin/python scripts/import_cycles.py [--packages]

Every ``import`` statement counts, wherever it is: at module level, under
``if TYPE_CHECKING:``, or inside a function (a cycle hidden by a function-local import
is still a cycle). A cycle is a strongly connected component of more than one module of
the import graph; with ``--packages`` the graph is that of the top-level parts
(``credmint.iam``, ``credmint.sts`` ...) instead of modules. Exits 1 when there is any
cycle. ``lint-imports`` (the ``acyclic_siblings`` contract in ``.importlinter``) holds the
same rule in CI; this script is the readable measure.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "credmint"


def modules(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterable[str]:
    """The known modules ``name`` imports, at any depth of its syntax tree."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from a import b`` imports the module a.b when there is one, else a.
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
        else:
            continue
        for target in targets:
            resolved = resolve(target)
            if resolved is not None and resolved != name:
                yield resolved


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found, key=lambda c: (-len(c), c))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", action="store_true", help="the graph of credmint's top-level parts")
    args = ap.parse_args()
    known = modules(ROOT)
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        graph[name]
        for target in imports(name, path, known):
            if args.packages:
                a, b = ".".join(name.split(".")[:2]), ".".join(target.split(".")[:2])
                if a != b:
                    graph[a].add(b)
                graph[b]
            else:
                graph[name].add(target)
    found = cycles(graph)
    print(f"{len(found)} cycles, {sum(map(len, found))} {'parts' if args.packages else 'modules'} in them")
    for component in found:
        print(f"  {len(component)}: " + " ".join(m.removeprefix("credmint.") for m in component))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
