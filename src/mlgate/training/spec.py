"""Candidate specs -> estimators: import paths, validated params, seeds, and params as plain data.

``models.<name>.estimator`` is ``package.module.Class`` (instantiated without arguments) or
``package.module:factory`` (called without arguments; it returns an estimator or a Pipeline). What the path names
is checked before anything calls it (``check_target``): a class must have ``fit``, ``get_params`` and
``set_params`` (the scikit-learn estimator API); anything else must be a Python function of the project's own
code: a source file that is neither in Python's standard library nor in an installed package (``site-packages``).
So ``sys:exit``, ``os.system``, ``shutil:rmtree`` or ``builtins:breakpoint`` are refused with a message instead of
being run. Then
``params`` go through ``set_params``, so nested names such as ``model__C`` work for pipelines. Every
``random_state`` parameter (nested ones too) that is still ``None`` and not set by the user gets
``train.seed``. Estimators are never wrapped: only ``clone``, ``get_params`` and ``set_params`` touch them.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
import math
import os
import pkgutil
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlgate.config import ModelConfig
from mlgate.config_checks import check_model_name as check_model_name
from mlgate.errors import ConfigError

_PATH = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$")


@contextlib.contextmanager
def project_paths(root: Path) -> Iterator[None]:
    """Make the project's own packages importable: ``root`` (the config's folder) and its ``src/`` go on sys.path."""
    added = [str(p) for p in (root / "src", root) if p.is_dir() and str(p) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for entry in added:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)


def resolve_object(name: str, path: str) -> Any:
    """Import ``a.b.C`` or ``a.b:factory``; errors name the model and what to fix."""
    where = f"model '{name}': estimator {path!r}"
    if not _PATH.match(path):
        raise ConfigError(f"{where} is not an import path", hint="write package.module.Class or package.module:factory")
    if ":" in path:
        module_name, attribute = path.split(":", 1)
    elif "." in path:
        module_name, attribute = path.rsplit(".", 1)
    else:
        raise ConfigError(f"{where} names no module", hint="write package.module.Class, e.g. sklearn.svm.SVC")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"{where}: cannot import module '{module_name}' ({exc})",
            hint=_import_hint(name, getattr(exc, "name", None) or module_name),
        ) from exc
    target: Any = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            options = [n for n in dir(target) if not n.startswith("_")]
            guess = difflib.get_close_matches(part, options, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"check models.{name}.estimator in mlgate.yaml"
            raise ConfigError(f"{where}: '{module_name}' has no attribute '{part}'", hint=hint)
        target = getattr(target, part)
    return target


def _import_hint(name: str, missing: str) -> str:
    parent, _, leaf = missing.rpartition(".")
    try:
        package = importlib.import_module(parent) if parent else None
    except ImportError:
        package = None
    if package is not None and hasattr(package, "__path__"):
        options = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
        guess = difflib.get_close_matches(leaf, options, n=1)
        if guess:
            return f"did you mean '{parent}.{guess[0]}'?"
    return f"check models.{name}.estimator, or install the package that provides '{missing.split('.')[0]}'"


ESTIMATOR_API = ("fit", "get_params", "set_params")
_VENDORED = frozenset({"site-packages", "dist-packages"})


def check_target(name: str, path: str, target: Any) -> None:
    """Refuse what ``path`` names unless it is an estimator class or a function of the project's own code."""
    where = f"model '{name}': estimator {path!r}"
    hint = (
        "name an estimator class (e.g. sklearn.linear_model.LogisticRegression) or a factory function in your project"
    )
    if isinstance(target, type):
        missing = [m for m in ESTIMATOR_API if not callable(getattr(target, m, None))]
        if missing:
            raise ConfigError(
                f"{where} is the class {type_path(target)}, not a scikit-learn estimator "
                f"(it has no {', '.join(missing)})",
                hint=hint,
            )
        return
    if not inspect.isfunction(target):
        kind = "a built-in function" if inspect.isbuiltin(target) else f"a {type(target).__name__}"
        raise ConfigError(f"{where} is {kind}, not an estimator class or a factory function", hint=hint)
    source = target.__code__.co_filename
    if not _is_project_code(source):
        raise ConfigError(
            f"{where} is a function of {source}, not of the project's own code",
            hint=f"{hint}; mlgate calls no function of the standard library or an installed package",
        )


def _is_project_code(source: str) -> bool:
    """A real source file outside the standard library and every ``site-packages``/``dist-packages`` folder."""
    import sysconfig

    if not os.path.isfile(source):  # "<frozen os>", "<string>"
        return False
    real = Path(os.path.realpath(source))
    if _VENDORED & set(real.parts):
        return False
    library = {Path(os.path.realpath(sysconfig.get_path(key))) for key in ("stdlib", "platstdlib")}
    return not any(folder in real.parents for folder in library)


def build_estimator(name: str, model: ModelConfig, *, seed: int) -> Any:
    """The configured estimator with its params set and unset seeds fixed (unfitted)."""
    target = resolve_object(name, model.estimator)
    check_target(name, model.estimator, target)
    try:
        estimator = target()
    except (Exception, SystemExit) as exc:  # any failure of user code (an exit too) is reported with the model name
        raise ConfigError(
            f"model '{name}': calling {model.estimator} without arguments failed: {type(exc).__name__}: {exc}",
            hint="a factory must take no arguments; put settings under params",
        ) from exc
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params") and hasattr(estimator, "set_params")):
        raise ConfigError(
            f"model '{name}': {model.estimator} gave a {type(estimator).__name__}, not a scikit-learn estimator",
            hint="the object needs fit, get_params and set_params (the scikit-learn estimator API)",
        )
    _set_params(name, estimator, model.params)
    seeds = {k: seed for k, v in estimator.get_params(deep=True).items() if _is_seed(k) and v is None}
    seeds = {k: v for k, v in seeds.items() if k not in model.params}
    if seeds:
        estimator.set_params(**seeds)
    return estimator


def _is_seed(key: str) -> bool:
    return key == "random_state" or key.endswith("__random_state")


def _set_params(name: str, estimator: Any, params: Mapping[str, Any]) -> None:
    valid = list(estimator.get_params(deep=True))
    for key in params:
        if key not in valid:
            guess = difflib.get_close_matches(key, valid, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"valid: {', '.join(sorted(valid))}"
            raise ConfigError(
                f"model '{name}': {type(estimator).__name__} has no parameter '{key}' (models.{name}.params)",
                hint=hint,
            )
    try:
        estimator.set_params(**params)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model '{name}': cannot set params: {str(exc).splitlines()[0]}") from exc


def type_path(value: Any) -> str:
    """``module.Qualname`` of an object's class (or of a class or function itself)."""
    kind = value if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")) else type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def plain_params(estimator: Any) -> dict[str, Any]:
    """``get_params(deep=False)`` as JSON-ready data (nested estimators become {class, params})."""
    return {str(k): plain_value(v) for k, v in estimator.get_params(deep=False).items()}


def plain_value(value: Any) -> Any:
    """A parameter value as JSON data: numbers, strings, lists, mappings; anything else by name or repr."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {"class": type_path(value), "params": plain_params(value)}
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [plain_value(v) for v in items]
    if hasattr(value, "item") and hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0:
        return plain_value(value.item())  # a numpy scalar
    if isinstance(value, type) or callable(value):
        return type_path(value)
    return repr(value)


def distributions(paths: Sequence[str]) -> set[str]:
    """Top-level module names of estimator import paths (for recording library versions)."""
    return {p.split(":")[0].split(".")[0] for p in paths}
