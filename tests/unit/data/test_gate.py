"""mlgate.data.gate: the validate use case, validation with drift, as the CLI, check and retrain run it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mlgate.config import DataConfig, load_config
from mlgate.data.gate import has_data_gate, validate_datasets
from mlgate.data.schema import load_schema
from mlgate.data.stats import compute_stats, save_stats
from mlgate.errors import InputError
from mlgate.files import display_path

SCHEMA = """\
fields:
  - {name: x, type: number, constraints: {minimum: 0}}
x-mlgate: {drift: {reference: stats.json}}
"""


def project(folder: Path, *, schema: str = SCHEMA, data: str = "{schema: schema.yaml, train: train.csv}") -> Path:
    (folder / "schema.yaml").write_text(schema, encoding="utf-8")
    (folder / "train.csv").write_text("x\n" + "".join(f"{i % 10}\n" for i in range(200)), encoding="utf-8")
    (folder / "shifted.csv").write_text("x\n" + "".join(f"{50 + i % 10}\n" for i in range(200)), encoding="utf-8")
    (folder / "mlgate.yaml").write_text(f"version: 1\ndata: {data}\n", encoding="utf-8")
    stats = compute_stats(
        str(folder / "train.csv"), load_schema(folder / "schema.yaml"), csv=DataConfig().csv, fingerprint=True
    )
    save_stats(folder / "stats.json", stats)
    return folder / "mlgate.yaml"


def test_the_configured_datasets_are_validated_with_drift_except_the_references_own(tmp_path: Path) -> None:
    config = load_config(project(tmp_path))
    said: list[str] = []
    result = validate_datasets(config, say=said.append)
    [train] = result.files
    assert (train.valid, train.drift, train.drift_skipped) == (
        True,
        None,
        "the reference statistics were made from it (same SHA-256)",
    )
    assert said == [f"validating {display_path(str(tmp_path / 'train.csv'))}"]
    shifted = validate_datasets(config, [str(tmp_path / "shifted.csv")]).files[0]
    assert [(v.field, v.check) for v in shifted.violations] == [("x", "drift")]
    assert shifted.drift is not None
    assert shifted.drift_data is not None
    assert shifted.drift_data["dataset_drift"] is True


def test_an_explicit_schema_without_drift_validates_only(tmp_path: Path) -> None:
    config = load_config(project(tmp_path))
    plain = tmp_path / "plain.yaml"
    plain.write_text("fields:\n  - {name: x, type: number, constraints: {maximum: 5}}\n", encoding="utf-8")
    result = validate_datasets(config, [str(tmp_path / "shifted.csv")], plain, max_examples=1)
    [(field, check, examples)] = [(v.field, v.check, v.examples) for v in result.files[0].violations]
    assert (field, check, examples, result.files[0].drift) == (
        "x",
        "maximum",
        ("50",),
        None,
    )  # examples as the file wrote them


def test_no_schema_or_no_datasets_is_an_input_error(tmp_path: Path) -> None:
    no_schema = load_config(project(tmp_path, data="{train: train.csv}"))
    assert not has_data_gate(no_schema.data)
    with pytest.raises(InputError, match="no schema given"):
        validate_datasets(no_schema)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    (tmp_path / "other" / "mlgate.yaml").write_text(
        textwrap.dedent("""\
        version: 1
        data: {schema: schema.yaml}
        """),
        encoding="utf-8",
    )
    no_data = load_config(tmp_path / "other" / "mlgate.yaml")
    assert not has_data_gate(no_data.data)
    with pytest.raises(InputError, match="no datasets to validate"):
        validate_datasets(no_data)
    assert has_data_gate(load_config(project(tmp_path)).data)
