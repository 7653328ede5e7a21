"""``manifest.json``: the provenance of a training run (JSON Schema: docs/schemas/manifest.schema.json).

Data files with their SHA-256 and rows (and DVC's hash of those DVC tracks: ``mlgate.dvc``), the schema's SHA-256, the config as plain data, each model's
estimator, params, artifact and notes, the git commit, library versions, seeds and timings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import platform
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlgate import __version__
from mlgate.config import Config
from mlgate.dvc.versions import DataVersion
from mlgate.results import ResultSet
from mlgate.training.machine import describe_machine
from mlgate.training.split import Plan

MANIFEST_VERSION = 1
# (argv, cwd) -> (returncode, stdout, stderr): how git is run (tests pass a fake).
GitRunner = Callable[[Sequence[str], Path], tuple[int, str, str]]
LIBRARIES = ("scikit-learn", "numpy", "pandas", "pyarrow", "skops", "scipy")
_KNOWN_MODULES = {"sklearn": "scikit-learn", "numpy": "numpy", "pandas": "pandas", "scipy": "scipy"}


def run_git(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    """The default GitRunner: ``git`` with a timeout; a missing executable reads as a failure."""
    try:
        done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return 127, "", str(exc)
    return done.returncode, done.stdout, done.stderr


def git_commit(root: Path, runner: GitRunner | None = None) -> str | None:
    """``git rev-parse HEAD`` in ``root``; None outside a repository or without git."""
    code, out, _ = (runner or run_git)(["rev-parse", "HEAD"], root)
    sha = out.strip()
    return sha if code == 0 and len(sha) in (40, 64) else None


def versions(extra_modules: Iterable[str] = ()) -> dict[str, str | None]:
    """Python, mlgate, the ML libraries, and the distributions providing the estimators' modules."""
    found: dict[str, str | None] = {"python": platform.python_version(), "mlgate": __version__}
    names = list(LIBRARIES)
    unknown = sorted(set(extra_modules) - set(_KNOWN_MODULES))
    owners = importlib.metadata.packages_distributions() if unknown else {}  # slow: scans every distribution
    for module in sorted(set(extra_modules)):
        for dist in owners.get(module, [_KNOWN_MODULES.get(module, "")]):
            if dist and dist not in names:
                names.append(dist)
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def config_data(config: Config) -> dict[str, Any]:
    """The config as plain data, its locations as written (without the internal ``root``, ``path``, ``written``)."""
    data: dict[str, Any] = _plain(config)
    for key, value in config.written.items():
        section, name = key.split(".")
        data[section][name] = _plain(value)
    return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (f for f in dataclasses.fields(value) if not f.metadata.get("internal"))
        return {f.name: _plain(getattr(value, f.name)) for f in fields}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def _data_entry(uri: str, sha256: str, rows: int, version: DataVersion | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"uri": uri, "sha256": sha256, "rows": rows}
    return entry if version is None else entry | {"dvc": version.to_data()}


def build_manifest(
    *,
    config: Config,
    results: ResultSet,
    plan: Plan,
    schema: tuple[str, str],
    notes: Mapping[str, Sequence[str]],
    timings: Mapping[str, float],
    modules: Iterable[str],
    created: dt.datetime,
    data_versions: Mapping[str, DataVersion] | None = None,
) -> dict[str, Any]:
    """The manifest document; ``schema`` is (path, sha256); ``data_versions``: DVC's record of tracked files."""
    found = versions(modules)
    return {
        "manifest_version": MANIFEST_VERSION,
        "mlgate_version": __version__,
        "created": created.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": results.commit,
        "task": results.task,
        "seed": config.train.seed,
        "split_seed": config.data.split.seed,
        "evaluation": {"kind": plan.kind, "data_sha256": plan.data_sha256, "folds": len(plan.folds) or None},
        "data": [_data_entry(f.uri, f.sha256, f.rows, (data_versions or {}).get(f.uri)) for f in plan.files],
        "schema": {"path": schema[0], "sha256": schema[1]},
        "models": {
            name: {
                "estimator": model.estimator,
                "params": model.params,
                "artifact": None if model.artifact is None else dataclasses.asdict(model.artifact),
                "notes": list(notes.get(name, ())),
            }
            for name, model in results.models.items()
        },
        "versions": found,
        "machine": describe_machine(found),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "config": config_data(config),
    }
