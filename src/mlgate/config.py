"""mlgate.yaml (+ ``MLGATE_*`` environment overrides) -> frozen dataclasses.

The one reader of settings. Strict: an unknown key is an error that names the file, the line and the
closest valid key; checks across keys (a gate naming no metric) are in ``mlgate.config_checks``. Every key is
documented in docs/config.md. Locations (``PATH_KEYS``) are anchored once, here: relative ones against the
config's folder, so nothing downstream depends on the working folder; ``Config.written`` keeps them as written.
Mapping fields are read-only (``MappingProxyType``), as frozen as the dataclasses that hold them.

Environment overrides: ``MLGATE_<SECTION>__<KEY>`` (double underscore between levels), the value read
as a YAML scalar or flow collection, e.g. ``MLGATE_VALIDATE__MAX_EXAMPLES=10`` or
``MLGATE_DATA__DATASETS='[a.csv, b.csv]'``. ``MLGATE_CONFIG``, ``MLGATE_DEBUG`` and ``MLGATE_LOG_DIR``
are not config keys.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from mlgate.config_checks import (
    check_data_paths,
    check_gates,
    check_inside,
    check_mlflow_registry,
    check_names_and_seeds,
)
from mlgate.errors import ConfigError
from mlgate.files import YamlLimitError, find_line, load_document, load_yaml

CONFIG_NAME = "mlgate.yaml"
MAX_INT = 2**63 - 1  # what numpy and scikit-learn take as an integer
NON_CONFIG_ENV = frozenset({"MLGATE_CONFIG", "MLGATE_DEBUG", "MLGATE_LOG_DIR"})
_V = TypeVar("_V")
# The keys that name a file or a folder: ``load_config`` anchors them at the config's folder.
PATH_KEYS = (
    "data.schema",
    "data.datasets",
    "data.train",
    "data.test",
    "train.out",
    "baseline.cache_dir",
    "registry.path",
    "deploy.state",
    "capture.path",
    "monitor.capture",
)


@dataclass(frozen=True)
class CsvConfig:
    """How CSV files are parsed (Frictionless CSV dialect subset)."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    encoding: str | None = None
    block_size_mb: float = 2.0


@dataclass(frozen=True)
class SplitConfig:
    """How evaluation data is made when ``data.test`` is not given (holdout) or cross-validation."""

    test_size: float = 0.25
    folds: int | None = None
    stratify: bool = True
    seed: int = 0


@dataclass(frozen=True)
class DataConfig:
    """Where the datasets and their schema live."""

    schema: str | None = None
    datasets: tuple[str, ...] = ()
    train: str | None = None
    test: str | None = None
    split: SplitConfig = field(default_factory=SplitConfig)
    csv: CsvConfig = field(default_factory=CsvConfig)
    allow_outside: bool = False  # read schema/datasets/train/test outside the project (an absolute path, a symlink)

    def validation_targets(self) -> tuple[str, ...]:
        """What ``mlgate validate`` checks by default: ``datasets``, else the train and test files."""
        return self.datasets or tuple(p for p in (self.train, self.test) if p)


@dataclass(frozen=True)
class ValidateConfig:
    """Defaults of ``mlgate validate``."""

    max_examples: int = 5
    max_annotations: int = 50
    fail_on_warnings: bool = False


@dataclass(frozen=True)
class ModelConfig:
    """One candidate: an estimator import path (``pkg.mod.Class`` or ``pkg.mod:factory``) and its params."""

    estimator: str
    params: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    preprocess: Literal["auto", "none"] = "auto"


@dataclass(frozen=True)
class GateConfig:
    """The gate of one metric; unset values fall back to the metric's defaults."""

    direction: Literal["higher", "lower", "none"] | None = None
    min: float | None = None
    max: float | None = None
    abs_tol: float | None = None
    rel_tol: float | None = None
    severity: Literal["fail", "warn"] | None = None
    meaningful_only: bool | None = None


@dataclass(frozen=True)
class TimingConfig:
    """How the baseline's and the PR's timings are measured and when a difference counts."""

    rounds: int = 15
    latency_floor_ms: float = 1.0
    fit_floor_s: float = 0.05


@dataclass(frozen=True)
class MetricsConfig:
    """What is measured and how changes are judged."""

    names: tuple[str, ...] = ()
    primary: str | None = None
    gates: Mapping[str, GateConfig] = field(default_factory=lambda: _frozen({}))
    meaningful_only: bool = False  # deprecated: every quality gate is a significance test now
    alpha: float = 0.05
    bootstrap_samples: int = 2000
    timing: TimingConfig = field(default_factory=TimingConfig)


@dataclass(frozen=True)
class TrainConfig:
    """Defaults of ``mlgate train``."""

    out: str = ".mlgate/results"
    seed: int = 0
    latency_rows: int = 200
    batch_rows: int = 1000
    seed_fits: int = 3
    seed_fits_max_s: float = 10.0


@dataclass(frozen=True)
class ArtifactsConfig:
    """Model files: types skops may load beyond its defaults (a project's own transformers, XGBoost)."""

    trusted_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class BaselineConfig:
    """Where the baseline comes from: the merge-base of the PR head with ``base_branch``.

    ``base_branch`` unset: the PR's base, else the repository's default branch (``mlgate.baseline.branch``).
    """

    base_branch: str | None = None
    cache_dir: str = ".mlgate/cache"
    require: bool = False
    fetch: bool = True
    train_if_missing: bool = True
    incomparable: Literal["fail", "warn"] = "fail"


@dataclass(frozen=True)
class MlflowRegistryConfig:
    """The ``mlflow`` registry backend: a registered model on an MLflow server (credentials: MLflow's environment)."""

    tracking_uri: str | None = None  # MLFLOW_TRACKING_URI wins when set; one of the two is needed
    model_name: str | None = None  # the registered model; required with registry.backend mlflow
    experiment: str = "mlgate-registry"  # where each version's artifacts are stored (one run per version)
    champion_alias: str = "champion"  # moved by deploy and rollback to the live version
    challenger_alias: str = "challenger"  # moved by approval to the newest approved version


@dataclass(frozen=True)
class RegistryConfig:
    """Where model versions and their approvals live (``local``: a directory; ``sagemaker``: S3 + model packages;
    ``mlflow``: a registered model on an MLflow server)."""

    backend: Literal["local", "sagemaker", "mlflow"] = "local"
    path: str = ".mlgate/registry"
    golden_rows: int = 5
    mlflow: MlflowRegistryConfig = field(default_factory=MlflowRegistryConfig)


@dataclass(frozen=True)
class SmokeConfig:
    """What a deploy checks on the live endpoint before it keeps a new version."""

    latency_p95_ms: float = 250.0
    requests: int = 50
    tolerance: float = 1e-6


@dataclass(frozen=True)
class BlueGreenConfig:
    """SageMaker's blue/green traffic shifting for endpoint updates."""

    strategy: Literal["CANARY", "LINEAR", "ALL_AT_ONCE"] = "CANARY"
    canary_percent: int = 10
    linear_step_percent: int = 25
    wait_s: int = 300
    termination_wait_s: int = 300
    max_execution_timeout_s: int | None = None  # default: above the sum of the waits


@dataclass(frozen=True)
class SagemakerConfig:
    """The SageMaker target and registry backend (credentials: the standard AWS chain; OIDC in workflows)."""

    region: str | None = None
    role_arn: str | None = None
    bucket: str | None = None
    prefix: str = "mlgate"
    model_package_group: str | None = None
    endpoint: str | None = None
    instance_type: str = "ml.m5.large"
    instance_count: int = 1
    image_uri: str | None = None
    framework_version: str = "1.4-2"
    kms_key_id: str | None = None
    data_capture_prefix: str | None = None
    deployment: BlueGreenConfig = field(default_factory=BlueGreenConfig)
    alarms: tuple[str, ...] = ()
    keep_configs: int = 2
    allow_downtime: bool = False
    wait_timeout_s: float = 1800.0
    max_attempts: int = 5


@dataclass(frozen=True)
class DeployConfig:
    """Deploy defaults: the target, the local server's state folder, timeouts, smoke test."""

    target: Literal["local", "sagemaker"] = "local"
    state: str = ".mlgate/serve"
    timeout_s: float = 60.0
    reject_on_failure: bool = True
    smoke: SmokeConfig = field(default_factory=SmokeConfig)


@dataclass(frozen=True)
class CaptureConfig:
    """What ``mlgate serve`` records of live traffic for ``mlgate monitor`` (off by default)."""

    enabled: bool = False
    path: str = ".mlgate/capture"
    sample: float = 1.0
    format: Literal["jsonl", "parquet"] = "jsonl"
    rotate_mb: float = 64.0
    rotate_s: float = 3600.0
    queue_size: int = 10000
    drop: tuple[str, ...] = ()
    hash: tuple[str, ...] = ()
    salt_env: str | None = None


@dataclass(frozen=True)
class MonitorConfig:
    """How ``mlgate monitor`` reads captured traffic and judges it."""

    capture: str | None = None
    since: str = "24h"
    min_rows: int = 100
    max_invalid_fraction: float = 0.01
    prediction_drift: bool = True
    labels_key: str = "request_id"
    alpha: float = 0.01
    margin: float = 0.02


@dataclass(frozen=True)
class ReplayConfig:
    """What ``mlgate replay`` requires of a version replayed over captured traffic (unset: not gated)."""

    max_disagreement: float | None = None  # share of rows answered differently from the live version
    min_quality_difference: float | None = None  # replayed − live on the quality metric (metric units, may be < 0)
    alpha: float = 0.05  # each gate holds at confidence 1 − alpha
    min_rows: int = 100  # fewer replayable rows: no verdict (fails closed)
    tolerance: float = 0.0  # regression: answers closer than this count as the same
    flips: int = 10  # the largest disagreements listed, with their request ids


@dataclass(frozen=True)
class AbConfig:
    """How ``mlgate deploy --ab`` routes clients and how ``mlgate ab decide`` judges the challenger."""

    key: str = "header:X-Mlgate-Client"  # sticky routing: "header:<Name>" or "feature:<name>" (else the request id)
    alpha: float = 0.05  # false promotions (and false stops) under continuous monitoring stay below this
    min_effect: float = 0.0  # promote only when challenger − champion is above this (metric units, errors flipped)
    mixture: float | None = None  # the mSPRT's mixing scale tau in metric units (default: from the metric's spread)
    min_labels: int = 200  # labelled rows per variant before any decision on quality
    max_labels: int = 20000  # labelled rows per variant without a decision: stop (the champion stays)
    max_error_increase: float = 0.01  # guardrail: the challenger's server-error rate − the champion's
    max_p99_ratio: float = 1.5  # guardrail: the challenger's p99 latency / the champion's
    min_requests: int = 100  # requests per variant before the latency guardrail is judged
    guard_metrics: tuple[str, ...] = ()  # metrics that must not get worse (default: the gated metrics)
    guard_margin: float = 0.0  # how much worse a guard metric may get (metric units, errors flipped)


@dataclass(frozen=True)
class RetrainConfig:
    """Where ``mlgate retrain`` gets fresh data and how much better a new model must be to be registered."""

    fetch: str | None = None
    timeout_s: float = 1800.0
    min_improvement: float | None = None  # metric units; overrides min_rel_improvement
    min_rel_improvement: float = 0.01  # of the live version's value
    alpha: float = 0.05
    resample_max_s: float = 30.0  # candidates fitting faster are refitted on resampled rows (0: never)
    resample_fits: int = 9  # how many refits: the spread's degrees of freedom


@dataclass(frozen=True)
class ReportConfig:
    """How comparison reports are rendered."""

    key: str = "mlgate"
    precision: int = 4
    max_comment_chars: int = 60000


@dataclass(frozen=True)
class MlflowTrackingConfig:
    """Where ``mlgate train`` and ``mlgate check`` log a run per candidate (credentials: MLflow's environment)."""

    tracking_uri: str | None = None  # MLFLOW_TRACKING_URI wins when set; one of the two is needed
    experiment: str = "mlgate"


@dataclass(frozen=True)
class TrackingConfig:
    """Experiment trackers mlgate logs to (off unless a tracker's section is set)."""

    mlflow: MlflowTrackingConfig | None = None


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``root`` is the config's folder, the one its relative locations were anchored at.

    Once loaded, every location (``PATH_KEYS``) is an absolute path (or a URI) and ``written`` keeps what the
    file said; a message shows a location with ``mlgate.files.display_path``.
    """

    version: Literal[1] = 1
    data: DataConfig = field(default_factory=DataConfig)
    validate: ValidateConfig = field(default_factory=ValidateConfig)
    task: Literal["classification", "regression"] | None = None
    target: str | None = None
    features: tuple[str, ...] = ()
    models: Mapping[str, ModelConfig] = field(default_factory=lambda: _frozen({}))
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    artifacts: ArtifactsConfig = field(default_factory=ArtifactsConfig)
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    registry: RegistryConfig = field(default_factory=RegistryConfig)
    deploy: DeployConfig = field(default_factory=DeployConfig)
    sagemaker: SagemakerConfig = field(default_factory=SagemakerConfig)
    capture: CaptureConfig = field(default_factory=CaptureConfig)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    retrain: RetrainConfig = field(default_factory=RetrainConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    replay: ReplayConfig = field(default_factory=ReplayConfig)
    ab: AbConfig = field(default_factory=AbConfig)
    root: Path = field(default=Path("."), metadata={"internal": True})
    path: Path | None = field(default=None, metadata={"internal": True})

    written: Mapping[str, Any] = field(default_factory=lambda: _frozen({}), metadata={"internal": True})

    def as_written(self, key: str) -> str | None:
        """The location at ``key`` (``data.train``, one of ``PATH_KEYS``) as mlgate.yaml or the environment wrote
        it, before ``load_config`` anchored it: the project's own name for a file, for labels and records."""
        section, name = key.split(".")
        value = self.written.get(key, getattr(getattr(self, section), name))
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{key} holds several locations")
        return value

    def check_inside(self, location: str, what: str, folder: Path) -> None:
        """Refuse ``location`` (as the working folder sees it) outside the project that holds ``folder``.

        For files that other files name (a schema's drift reference, relative to the schema's folder), unless
        ``data.allow_outside``.
        """
        if not self.data.allow_outside and "://" not in location:
            check_inside(os.path.abspath(Path(location).expanduser()), folder, what=what)


def anchor(location: str, folder: Path) -> str:
    """``location`` as an absolute path, a relative one taken against ``folder`` (``~`` expanded); URIs unchanged."""
    if "://" in location:
        return location
    given = Path(location).expanduser()
    return str(given if given.is_absolute() else folder / given)


def anchor_paths(config: Config, folder: Path) -> Config:
    """``config`` with its locations (``PATH_KEYS``) anchored at ``folder``, its ``root``; ``written`` keeps them as given."""
    written = dict(config.written)
    sections: dict[str, dict[str, Any]] = {}
    for key in PATH_KEYS:
        section, name = key.split(".")
        value = getattr(getattr(config, section), name)
        written.setdefault(key, value)
        if isinstance(value, tuple):
            sections.setdefault(section, {})[name] = tuple(anchor(v, folder) for v in value)
        elif value is not None:
            sections.setdefault(section, {})[name] = anchor(value, folder)
    anchored = {
        section: dataclasses.replace(getattr(config, section), **values) for section, values in sections.items()
    }
    return dataclasses.replace(config, **anchored, root=folder, written=_frozen(written))


def _frozen(entries: dict[str, _V]) -> Mapping[str, _V]:
    """A read-only view of ``entries``: the mapping fields of the frozen dataclasses are frozen too."""
    return types.MappingProxyType(entries)


def find_config(start: Path) -> Path | None:
    """Walk up from ``start`` to the filesystem root looking for mlgate.yaml (a folder of that name is an error)."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            raise ConfigError(
                f"{candidate} is a directory, not a config file",
                hint="rename that folder, or name the config with --config FILE",
            )
    return None


def load_config(
    path: Path | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    required: bool = False,
) -> Config:
    """Load the config from ``path`` (or the nearest mlgate.yaml above ``cwd``) plus env overrides.

    Without any file, the defaults apply with ``root`` = ``cwd``; with ``required`` (commands that need a
    project: train, check, retrain), no file is a ConfigError saying where mlgate looked.
    """
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    if path is None and environ.get("MLGATE_CONFIG"):
        path = Path(environ["MLGATE_CONFIG"])
    if path is None:
        path = find_config(cwd)
    if path is None and required:
        raise ConfigError(
            f"no mlgate.yaml in {cwd} or any folder above it",
            hint="create a project with `mlgate new`, or name its config with --config FILE (or MLGATE_CONFIG)",
        )
    raw: dict[str, Any] = {}
    text = ""
    if path is not None:
        path = path if path.is_absolute() else cwd / path
        text, document = load_document(path, what="config file", error=ConfigError)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ConfigError(f"{path}:1: the config must be a mapping of keys, not {_kind(document)}")
        raw = document
    _apply_env(raw, environ)
    source = _Source(path, text)
    values: Config = _convert_dataclass(Config, raw, (), source)
    check_gates(values, source.where)
    check_names_and_seeds(values, source.where)
    root = path.parent if path is not None else cwd
    check_data_paths(values.data, root, source.where)
    _check_tracking_uri(values, source.where)
    check_mlflow_registry(values.registry, source.where)
    return dataclasses.replace(anchor_paths(values, root), path=path)


def _check_tracking_uri(config: Config, where: Any) -> None:
    """Refuse credentials in an MLflow tracking URI: the config is copied into every manifest."""
    tracking = config.tracking.mlflow
    uris = {
        ("tracking", "mlflow", "tracking_uri"): tracking.tracking_uri if tracking is not None else None,
        ("registry", "mlflow", "tracking_uri"): config.registry.mlflow.tracking_uri,
    }
    for keys, uri in uris.items():
        if uri and "@" in uri.split("://", 1)[-1].split("/", 1)[0]:
            raise ConfigError(
                f"{where(keys)} holds credentials (user@ or user:password@)",
                hint="remove them; set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)",
            )


@dataclass(frozen=True)
class _Source:
    path: Path | None
    text: str

    def where(self, keys: Sequence[str | int]) -> str:
        dotted = ".".join(str(k) for k in keys) or "(top level)"
        if keys and keys[0] == "$env":
            return f"environment variable {keys[1]}"
        if self.path is None:
            return f"config key {dotted}"
        line = find_line(self.text, keys)
        return f"{self.path}:{line}: {dotted}" if line else f"{self.path}: {dotted}"


def _apply_env(raw: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name in sorted(environ):
        if not name.startswith("MLGATE_") or name in NON_CONFIG_ENV:
            continue
        keys = [part.lower() for part in name[len("MLGATE_") :].split("__")]
        if not all(keys):
            raise ConfigError(f"environment variable {name}: empty key between '__'")
        try:
            value = load_yaml(environ[name]) if environ[name] else ""
        except YamlLimitError as exc:
            raise ConfigError(f"environment variable {name}: value is refused: {exc.problem}", hint=exc.note) from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"environment variable {name}: value is not valid YAML") from exc
        _check_env_keys(name, keys)
        target = raw
        for key in keys[:-1]:
            nested = target.setdefault(key, {})
            if not isinstance(nested, dict):
                raise ConfigError(f"environment variable {name}: {key} is not a section")
            target = nested
        target[keys[-1]] = value


def _check_env_keys(name: str, keys: list[str]) -> None:
    cls: Any = Config
    for depth, key in enumerate(keys):
        fields = _public_fields(cls)
        if key not in fields:
            prefix = "MLGATE_" + "__".join(k.upper() for k in keys[:depth])
            options = [f"{prefix}{'__' if depth else ''}{f.upper()}" for f in fields]
            guess = difflib.get_close_matches(name, options, n=1)
            hint = f"did you mean {guess[0]}?" if guess else f"valid: {', '.join(options)}"
            raise ConfigError(f"environment variable {name} is not a config key", hint=hint)
        hint_type = _section_type(typing.get_type_hints(cls)[key])
        if dataclasses.is_dataclass(hint_type):
            cls = hint_type
        elif depth < len(keys) - 1:
            raise ConfigError(f"environment variable {name}: {key} has no sub-keys")


def _section_type(hint: Any) -> Any:
    """``hint`` with an optional section (``X | None``, X a dataclass) read as ``X``: its keys can be set one by one."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1 and dataclasses.is_dataclass(inner[0]):
            return inner[0]
    return hint


def _public_fields(cls: Any) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}


def _convert_dataclass(cls: Any, value: Any, keys: tuple[str | int, ...], src: _Source) -> Any:
    if not isinstance(value, dict):
        raise ConfigError(f"{src.where(keys)} must be a mapping, not {_kind(value)}")
    fields = _public_fields(cls)
    hints = typing.get_type_hints(cls)
    for key in value:
        if key not in fields:
            guess = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"valid keys: {', '.join(fields)}"
            raise ConfigError(f"{src.where((*keys, key))} is not a known key", hint=hint)
    for name, spec in fields.items():
        if name not in value and spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{src.where(keys)} is missing the required key '{name}'")
    kwargs = {k: _convert(hints[k], v, (*keys, k), src) for k, v in value.items()}
    return cls(**kwargs)


def _convert(hint: Any, value: Any, keys: tuple[str | int, ...], src: _Source) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _convert_dataclass(hint, value, keys, src)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, keys, src)
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"{src.where(keys)} is {value!r}; expected one of {choices}")
        return value
    if origin is tuple:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ConfigError(f"{src.where(keys)} must be a list, not {_kind(value)}")
        return tuple(_convert(args[0], v, (*keys, i), src) for i, v in enumerate(items))
    if origin is Mapping:
        if not isinstance(value, dict):
            raise ConfigError(f"{src.where(keys)} must be a mapping, not {_kind(value)}")
        return _frozen({str(k): _convert(args[1], v, (*keys, str(k)), src) for k, v in value.items()})
    return _convert_scalar(hint, value, keys, src)


def _convert_scalar(hint: Any, value: Any, keys: tuple[str | int, ...], src: _Source) -> Any:
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            _check_finite(value, keys, src)
            return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_finite(value, keys, src)
            return float(value)
    elif hint is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    elif hint is Any:
        _check_plain(value, keys, src)
        return value
    else:  # pragma: no cover - a programming error in the dataclasses above
        raise TypeError(f"unsupported config type {hint!r}")
    raise ConfigError(f"{src.where(keys)} must be {_kind_name(hint)}, not {_kind(value)}")


def _check_finite(value: int | float, keys: tuple[str | int, ...], src: _Source) -> None:
    """Refuse ``.inf``, ``.nan`` and huge integers: they would train, then fail writing the results."""
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise ConfigError(f"{src.where(keys)} is {_digits(value)}; a number here must be below 2**63")
    elif not math.isfinite(value):
        raise ConfigError(
            f"{src.where(keys)} is {value}; it must be a finite number",
            hint="write a plain number (YAML's .inf and .nan are not allowed in mlgate.yaml)",
        )


def _check_plain(value: Any, keys: tuple[str | int, ...], src: _Source) -> None:
    """Walk a free-form value (``models.*.params``): every number in it must be finite and of sensible size."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, keys)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, (int, float)):
            _check_finite(item, where, src)
        elif isinstance(item, dict):
            stack.extend((v, (*where, str(k))) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(item))


def _digits(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"an integer of {len(text):,} digits"


def _kind_name(hint: Any) -> str:
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}[hint]


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)
