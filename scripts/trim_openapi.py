"""Trim GitHub's OpenAPI description to the operations mlgate uses (DESIGN.md), for the test fake.

Usage::

    python scripts/trim_openapi.py                      # npm pack the pinned package, write the fixture
    python scripts/trim_openapi.py --source api.github.com.json --version 23.0.2

The source is ``generated/api.github.com.json`` of the npm package ``@octokit/openapi`` (MIT, "GitHub's
official OpenAPI spec with Octokit extensions"). Without ``--source`` the script runs ``npm pack`` for the
pinned version in a temporary folder and reads that one member from the tarball. It keeps the listed
operations and every ``#/components/...`` entry they reach (transitively), plus ``basic-error``, the body
GitHub sends for statuses an operation does not declare (rate limits, 5xx). The output is deterministic:
sorted keys, one-space indent, a trailing newline, and an ``x-mlgate-source`` block naming the package,
version, source file, its SHA-256 and the licence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@octokit/openapi"
VERSION = "23.0.2"
MEMBER = "package/generated/api.github.com.json"
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "github" / "openapi.json"
OPERATIONS = (
    "issues/list-comments",
    "issues/create-comment",
    "issues/update-comment",
    "issues/delete-comment",
    "pulls/get",
    "pulls/list",
    "issues/list-for-repo",
    "issues/create",
    "issues/update",
    # what actions/download-artifact asks for a `run-id` (the comment poster, tests/workflows)
    "actions/list-workflow-run-artifacts",
    "actions/download-artifact",
)
ALWAYS_KEPT = ("#/components/schemas/basic-error",)


def download_spec(version: str, folder: Path) -> bytes:
    """``npm pack`` the package into ``folder`` and return the bytes of the api.github.com description."""
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--silent", "--pack-destination", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = next(folder.glob("*.tgz"))
    with tarfile.open(tarball, "r:gz") as archive:
        handle = archive.extractfile(MEMBER)
        if handle is None:
            raise SystemExit(f"{tarball.name} has no {MEMBER}")
        return handle.read()


def collect_refs(node: Any, found: set[str]) -> None:
    """Add every local ``$ref`` under ``node`` to ``found``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            collect_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            collect_refs(value, found)


def trim_spec(spec: dict[str, Any], operations: tuple[str, ...]) -> dict[str, Any]:
    """The description reduced to ``operations`` and the components they reach."""
    paths: dict[str, dict[str, Any]] = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") in operations:
                paths.setdefault(path, {})[method] = operation
        if path in paths and "parameters" in item:
            paths[path]["parameters"] = item["parameters"]
    missing = set(operations) - {
        op["operationId"] for item in paths.values() for op in item.values() if "operationId" in op
    }
    if missing:
        raise SystemExit(f"operations not in the source description: {sorted(missing)}")
    pending: set[str] = set(ALWAYS_KEPT)
    collect_refs(paths, pending)
    seen: set[str] = set()
    components: dict[str, dict[str, Any]] = {}
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        entry = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = entry
        collect_refs(entry, pending)
    head: dict[str, Any] = {key: spec[key] for key in ("openapi", "info", "servers") if key in spec}
    return {**head, "paths": paths, "components": components}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=VERSION, help=f"{PACKAGE} version (default {VERSION})")
    parser.add_argument("--source", type=Path, help="an already extracted api.github.com.json (skips npm)")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the trimmed description")
    args = parser.parse_args()
    if args.source is not None:
        raw = args.source.read_bytes()
    else:
        with tempfile.TemporaryDirectory(prefix="trim-openapi-") as tmp:
            raw = download_spec(args.version, Path(tmp))
    trimmed = trim_spec(json.loads(raw), OPERATIONS)
    trimmed["x-mlgate-source"] = {
        "package": PACKAGE,
        "version": args.version,
        "file": MEMBER.removeprefix("package/"),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "license": "MIT (Copyright (c) 2020 Octokit contributors; description by GitHub, MIT)",
        "operations": sorted(OPERATIONS),
        "generated_by": "scripts/trim_openapi.py",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(trimmed, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(trimmed['paths'])} paths)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
