"""Checks of mlgate.yaml that look across keys, run by ``load_config`` once every value has its type.

``metrics.gates.<name>`` must name a metric this config produces (``mlgate.metric_names``): a typo would
otherwise leave the real metric at its default gate, silently. Tolerances must be finite and ≥ 0, bounds finite
and in order. An unknown key under a gate is already refused by the loader itself ("is not a known key").

Model names become folder names (``models/<name>/`` of a results folder): ASCII letters, digits, ``_``, ``-``
and ``.``, at most ``MAX_NAME`` characters, not ``.``/``..``, not ending in a dot, not a Windows device name.
Seeds are what NumPy and scikit-learn take: 0 to 2**32 - 1. The files mlgate reads from ``data`` (schema,
datasets, train, test) must lie inside the project (the git work tree that holds mlgate.yaml, else its
folder) after following symlinks, unless ``data.allow_outside`` says otherwise.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.errors import ConfigError
from mlgate.metric_names import TIMING_LABELS, known_metric_names, stored_name

if TYPE_CHECKING:
    from mlgate.config import Config, DataConfig, GateConfig, RegistryConfig

# Names a config location: ("metrics", "gates", "accuracy") -> "mlgate.yaml:12: metrics.gates.accuracy".
Where = Callable[[Sequence[str | int]], str]

MAX_NAME = 100
MAX_SEED = 2**32 - 1
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


def check_model_name(name: str, where: str | None = None) -> None:
    """Refuse a model name that cannot be a folder name on every system the results travel to."""
    label = where or f"model name {name[:40]!r}{'…' if len(name) > 40 else ''}"
    problem = None
    if len(name) > MAX_NAME:
        problem = f"is {len(name)} characters long; a model name has at most {MAX_NAME}"
    elif not _NAME.match(name) or name in (".", "..") or name.endswith("."):
        problem = f"({name!r}) cannot be used as a folder name"
    elif name.split(".")[0].lower() in _DEVICES:
        problem = f"({name!r}) is a reserved device name on Windows"
    if problem:
        raise ConfigError(f"{label} {problem}", hint="use ASCII letters, digits, '_', '-' and '.' (e.g. random_forest)")


def check_names_and_seeds(config: Config, where: Where) -> None:
    """Model names must make folder names; seeds must be ones NumPy and scikit-learn accept."""
    for name in config.models:
        short = name if len(name) <= 40 else f"{name[:40]}…"
        check_model_name(name, where(("models", name)).replace(name, short))
    for keys, seed in ((("train", "seed"), config.train.seed), (("data", "split", "seed"), config.data.split.seed)):
        if not 0 <= seed <= MAX_SEED:
            shown = str(seed) if len(str(seed)) <= 24 else f"an integer of {len(str(seed)):,} digits"
            raise ConfigError(f"{where(keys)} is {shown}; a seed is a whole number from 0 to {MAX_SEED}")


def find_project_root(folder: Path) -> Path:
    """The top of the git work tree that holds ``folder`` (a ``.git`` entry), else ``folder`` itself."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def check_data_paths(data: DataConfig, folder: Path, where: Where) -> None:
    """Refuse a data file outside the project (absolute, ``..`` or a symlink out) unless ``data.allow_outside``."""
    if data.allow_outside:
        return
    named: list[tuple[tuple[str | int, ...], str | None]]
    named = [(("data", key), getattr(data, key)) for key in ("schema", "train", "test")]
    named += [(("data", "datasets", i), value) for i, value in enumerate(data.datasets)]
    for keys, location in named:
        if location:
            check_inside(location, folder, what=where(keys))


def check_inside(location: str, folder: Path, *, what: str) -> None:
    """Refuse a local ``location`` (relative to ``folder``) that lies outside the project holding ``folder``."""
    if "://" in location:
        return
    root = Path(os.path.realpath(find_project_root(folder)))
    given = Path(location).expanduser()
    full = given if given.is_absolute() else folder / given
    real = Path(os.path.realpath(full))
    if real != root and root not in real.parents:
        raise ConfigError(
            f"{what}: {_describe(location, full, real)} the project {root}",
            hint="move the file into the project, or set data.allow_outside: true in mlgate.yaml if you mean it",
        )


def _describe(location: str, full: Path, real: Path) -> str:
    """``x.csv is a symlink to /etc/passwd, outside``, ``../x.csv is /home/x.csv, outside``, ``/srv/x.csv is outside``."""
    plain = Path(os.path.normpath(os.path.abspath(full)))
    if plain != real:
        return f"{location} is a symlink to {real}, outside"
    return f"{location} is outside" if location == str(real) else f"{location} is {real}, outside"


def check_gates(config: Config, where: Where) -> None:
    """Refuse a gate that names no metric of this config, or holds a tolerance or bound no gate can use."""
    known = known_metric_names(config.metrics.names, config.task)
    for name, gate in config.metrics.gates.items():
        keys = ("metrics", "gates", name)
        if name not in known:
            raise ConfigError(f"{where(keys)} matches no metric", hint=_hint(name, known, config))
        _check_values(gate, keys, where)


def _check_values(gate: GateConfig, keys: tuple[str, ...], where: Where) -> None:
    for key in ("abs_tol", "rel_tol"):
        value = getattr(gate, key)
        if value is not None and (value < 0 or not math.isfinite(value)):
            raise ConfigError(f"{where((*keys, key))} is {value:g}; a tolerance must be a finite number ≥ 0")
    for key in ("min", "max"):
        value = getattr(gate, key)
        if value is not None and not math.isfinite(value):
            raise ConfigError(f"{where((*keys, key))} is {value:g}; a bound must be a finite number")
    if gate.min is not None and gate.max is not None and gate.min > gate.max:
        raise ConfigError(f"{where(keys)}: min {gate.min:g} is above max {gate.max:g}", hint="swap or fix the bounds")


def _hint(name: str, known: Sequence[str], config: Config) -> str:
    if stored_name(name) in known:
        return f"gates use the stored name '{stored_name(name)}' (scikit-learn's neg_ prefix is dropped)"
    guess = difflib.get_close_matches(name, known, n=1)
    if guess:
        return f"did you mean '{guess[0]}'?"
    metrics = ", ".join(n for n in known if n not in TIMING_LABELS)
    source = "metrics.names" if config.metrics.names else f"the {config.task or 'task'} defaults"
    return f"a gate names a metric of {source} ({metrics}) or a timing; add other metrics to metrics.names"


# MLflow's own rule for alias names (letters, digits, '_' and '-'; "latest" and "v<digits>" are reserved).
_ALIAS = re.compile(r"^[\w-]{1,255}$", re.ASCII)


def check_mlflow_registry(registry: RegistryConfig, where: Where) -> None:
    """With ``registry.backend: mlflow``: a model name, and two distinct alias names MLflow accepts."""
    if registry.backend != "mlflow":
        return
    settings = registry.mlflow
    if not (settings.model_name or "").strip():
        raise ConfigError(
            f"{where(('registry', 'backend'))}: the mlflow registry needs registry.mlflow.model_name",
            hint="set registry.mlflow.model_name to the registered model's name (created when missing)",
        )
    for key in ("champion_alias", "challenger_alias"):
        alias = getattr(settings, key)
        if not _ALIAS.match(alias) or alias.lower() == "latest" or re.fullmatch(r"[vV]\d+", alias):
            raise ConfigError(
                f"{where(('registry', 'mlflow', key))} ({alias[:60]!r}) is not an alias name MLflow accepts",
                hint="use ASCII letters, digits, '_' and '-'; 'latest' and 'v<number>' are reserved by MLflow",
            )
    if settings.champion_alias == settings.challenger_alias:
        raise ConfigError(
            f"{where(('registry', 'mlflow', 'challenger_alias'))} is the same alias as champion_alias "
            f"({settings.champion_alias!r})",
            hint="the live version and the newest approved one need two different aliases",
        )
