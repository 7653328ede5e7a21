"""The data gate as one use case: config -> datasets -> schema -> drift reference -> validation with drift.

``mlgate validate``, ``mlgate check``, ``mlgate retrain`` and the demo all call ``validate_datasets``. Drift is
checked in the same pass as validation (``DriftCollector`` beside the constraint checker), except on a dataset
that is the reference's own source (``mlgate.data.origin``): its ``drift_skipped`` says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from mlgate.config import Config, CsvConfig, DataConfig
from mlgate.data.drift import DriftCollector, drift_violations, reference_for
from mlgate.data.drift_report import to_data as drift_data
from mlgate.data.origin import find_origin
from mlgate.data.results import FileResult, ValidationResult
from mlgate.data.schema import Schema, load_schema
from mlgate.data.sources import FilesystemFactory
from mlgate.data.stats import ReferenceStats
from mlgate.data.validate import sort_violations, validate_file
from mlgate.errors import InputError
from mlgate.files import display_path
from mlgate.progress import Progress

Say = Callable[[str], None]


def has_data_gate(data: DataConfig) -> bool:
    """Whether the config declares a schema and datasets to validate (``mlgate check`` and ``retrain`` skip it else)."""
    return bool(data.schema and data.validation_targets())


def validate_datasets(
    config: Config,
    uris: Sequence[str] | None = None,
    schema: Path | None = None,
    *,
    max_examples: int | None = None,
    progress: Progress | None = None,
    say: Say | None = None,
    s3: FilesystemFactory | None = None,
) -> ValidationResult:
    """Validate ``uris`` (default: the config's datasets) against ``schema`` (default: ``data.schema``), with drift
    when the schema names a reference; ``say`` hears which datasets, once the reference is ready."""
    targets = list(uris or ()) or [display_path(d) for d in config.data.validation_targets()]
    if not targets:
        raise InputError(
            "no datasets to validate",
            hint="pass DATA paths or set data.datasets (or data.train and data.test) in mlgate.yaml",
        )
    if schema is None:
        if not config.data.schema:
            raise InputError("no schema given", hint="pass --schema FILE or set data.schema in mlgate.yaml")
        schema = Path(display_path(config.data.schema))
    loaded = load_schema(schema)
    reference = None
    if loaded.drift is not None:
        reference = reference_for(loaded, csv=config.data.csv, check=config.check_inside, s3=s3)
    if say is not None:
        say(f"validating {', '.join(targets)}")
    examples = config.validate.max_examples if max_examples is None else max_examples
    files = tuple(
        check_dataset(
            uri,
            loaded,
            csv=config.data.csv,
            reference=reference,
            roots=(config.root,),
            max_examples=examples,
            progress=progress,
            s3=s3,
        )
        for uri in targets
    )
    return ValidationResult(schema=str(loaded.path or ""), files=files)


def check_dataset(
    uri: str,
    schema: Schema,
    *,
    csv: CsvConfig,
    reference: ReferenceStats | None,
    roots: Sequence[Path] = (),
    max_examples: int = 5,
    progress: Progress | None = None,
    s3: FilesystemFactory | None = None,
) -> FileResult:
    """Validate one dataset and, against ``reference``, check it for drift in the same pass.

    A dataset that is the reference's own source (a relative source is also tried against ``roots``) is not
    checked for drift.
    """
    origin = find_origin(reference, uri, roots=roots, s3=s3) if reference is not None else None
    if reference is None or origin:
        result = validate_file(uri, schema, csv=csv, max_examples=max_examples, progress=progress, s3=s3)
        if origin:
            result = dataclasses.replace(result, drift_skipped=f"the reference statistics were made from it ({origin})")
        return result
    collector = DriftCollector(reference, schema)
    result = validate_file(
        uri, schema, csv=csv, max_examples=max_examples, progress=progress, s3=s3, observers=[collector]
    )
    report = collector.finish()
    violations = sort_violations((*result.violations, *drift_violations(report)), schema)
    return dataclasses.replace(result, violations=violations, drift=report, drift_data=drift_data(report))
