"""The unit tests mirror the pure cores: every module of ``policy``, ``mfa``, ``sigv4``, ``wire``
and ``federation`` has ``tests/unit/<package>/test_<module>.py``, and every such test file
names a module that exists (a renamed module takes its tests' name with it)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "credmint"
UNIT = ROOT / "tests" / "unit"
#: The pure cores (see docs/architecture.md, "Layers").
CORES = ("policy", "mfa", "sigv4", "wire", "federation")
#: Modules of the cores whose tests live elsewhere, with the reason.
ELSEWHERE = {
    "federation/errors.py": "its error classes are pinned with every other one in tests/unit/test_errors.py",
}


def modules(src: Path, cores: tuple[str, ...] = CORES) -> list[str]:
    """``package/module.py`` for each module of the cores (package ``__init__``s re-export only)."""
    return sorted(
        f"{core}/{path.name}" for core in cores for path in (src / core).glob("*.py") if path.name != "__init__.py"
    )


def untested(src: Path, unit: Path, cores: tuple[str, ...] = CORES, elsewhere: dict[str, str] = ELSEWHERE) -> list[str]:
    """The modules without ``unit/<package>/test_<module>.py``."""
    return [
        module
        for module in modules(src, cores)
        if module not in elsewhere and not (unit / module.replace("/", "/test_", 1)).is_file()
    ]


def orphans(src: Path, unit: Path, cores: tuple[str, ...] = CORES) -> list[str]:
    """Test files under ``unit/<package>/`` that name no module of the package."""
    return sorted(
        f"{core}/{path.name}"
        for core in cores
        for path in (unit / core).glob("test_*.py")
        if not (src / core / path.name.removeprefix("test_")).is_file()
    )


def test_every_core_module_has_its_test_file() -> None:
    assert untested(SRC, UNIT) == []


def test_every_test_file_names_a_module() -> None:
    assert orphans(SRC, UNIT) == []


def test_the_exceptions_are_modules_that_exist() -> None:
    assert set(ELSEWHERE) <= set(modules(SRC))


def test_the_walk_finds_the_cores() -> None:
    found = modules(SRC)
    for module in ("policy/evaluate.py", "mfa/totp.py", "sigv4/parse.py", "wire/query.py", "federation/saml.py"):
        assert module in found
    assert not any(m.endswith("/__init__.py") for m in found)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    src, unit = tmp_path / "src", tmp_path / "unit"
    for path in ("core/__init__.py", "core/tested.py", "core/untested.py", "core/errors.py"):
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text("")
    (unit / "core").mkdir(parents=True)
    (unit / "core" / "test_tested.py").write_text("")
    (unit / "core" / "sigv4_support.py").write_text("")  # a helper, not a test file
    return src, unit


def test_a_module_without_its_test_file_is_reported(tree: tuple[Path, Path]) -> None:
    src, unit = tree
    assert untested(src, unit, ("core",), {"core/errors.py": "elsewhere"}) == ["core/untested.py"]
    assert untested(src, unit, ("core",), {}) == ["core/errors.py", "core/untested.py"]
    (unit / "core" / "test_untested.py").write_text("")
    assert untested(src, unit, ("core",), {"core/errors.py": "elsewhere"}) == []


def test_a_test_file_without_its_module_is_reported(tree: tuple[Path, Path]) -> None:
    src, unit = tree
    assert orphans(src, unit, ("core",)) == []
    (src / "core" / "tested.py").rename(src / "core" / "renamed.py")
    assert orphans(src, unit, ("core",)) == ["core/test_tested.py"]
