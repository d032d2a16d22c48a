"""The one way tests find their vectors, and what happens when they are missing.

Vectors live in two places: in the repository (``tests/vectors/``: SigV4 suites, SAML,
TOTP, wire snapshots) and in the shared test-data tree beside it (``../shared``, or
``$CREDMINT_SHARED``: data under licences this repository does not take in, such as
iam-simulate's AGPL cases). A missing vector set skips its tests on a developer's
machine and fails them under ``CI=true``, where every vector set is required.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _pytest.mark.structures import ParameterSet

ROOT = Path(__file__).resolve().parent.parent
IN_REPO = ROOT / "tests" / "vectors"
SHARED = Path(os.environ.get("CREDMINT_SHARED", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI") == "true"


def require(path: Path) -> Path:
    """``path`` if it exists; else skip the calling test (or module), or fail it under CI."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"CI requires {path}")
        pytest.skip(f"{path} is not here (vectors are required under CI=true only)")
    return path


def shared_path(*parts: str) -> Path:
    """A path in the shared test-data tree (see :func:`require`)."""
    return require(SHARED.joinpath(*parts))


def missing(path: Path) -> ParameterSet:
    """The one parameter of a vector-driven test whose vector set is missing: skipped on a
    developer's machine; under CI it runs, and the test calls :func:`require` and fails."""
    marks = () if IN_CI else (pytest.mark.skip(reason=f"{path} not found"),)
    return pytest.param(None, id="vectors-missing", marks=marks)
